"""``default_collate``: a list of samples to a batch, the way PyTorch's DataLoader does it."""
from __future__ import annotations

import collections.abc

import numpy as np

from .._tensor import Tensor, from_numpy, tensor
from .. import _dtype
from .. import _views

__all__ = ["default_collate", "default_convert"]


def default_collate(batch):
    """Stack a list of samples into a batch, recursively:

    - ember tensors -> ``ember.stack`` (a new first dimension);
    - numpy arrays -> one stacked tensor; numpy scalars -> a 1-D tensor of their dtype;
    - Python floats -> float64, ints -> int64, bools -> bool 1-D tensors (PyTorch's dtypes);
    - strings are kept as a list; dicts collate per key; namedtuples per field; other
      sequences (tuples, lists) per position and come back as a list.
    """
    if not isinstance(batch, (list, tuple)) or not batch:
        raise TypeError(f"default_collate: expected a non-empty list of samples, got "
                        f"{type(batch).__name__}")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _views.stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "biuf":
            raise TypeError(f"default_collate: numpy arrays of dtype {elem.dtype} are not supported")
        return _as_tensor(np.stack(batch))
    if isinstance(elem, (np.bool_, np.number)):
        return _as_tensor(np.array(batch))
    if isinstance(elem, bool):
        return tensor(batch, dtype=_dtype.bool_)
    if isinstance(elem, int):
        return tensor(batch, dtype=_dtype.int64)
    if isinstance(elem, float):
        return tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               "equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data):
    """One sample as tensors without batching (``batch_size=None``): numpy arrays and numpy
    scalars become tensors, containers are converted recursively, the rest is kept."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return _as_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return _as_tensor(np.array(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(x) for x in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(x) for x in data]
    return data


def _as_tensor(array: np.ndarray) -> Tensor:
    """A tensor over ``array`` (kept alive by the tensor), converted to an ember dtype."""
    if array.dtype not in _EMBER_NUMPY_DTYPES:
        raise TypeError(f"default_collate: numpy dtype {array.dtype} has no ember dtype")
    return from_numpy(np.ascontiguousarray(array))


_EMBER_NUMPY_DTYPES = {np.dtype(t) for t in ("bool", "uint8", "int32", "int64", "float32",
                                               "float64")}
