"""Datasets (``torch.utils.data``'s): the map-style ``Dataset`` and its compositions, the
streaming ``IterableDataset``, and ``random_split``.

A map-style dataset may also define ``_get_batch(indices)``: given an int64 ember tensor of
indices it returns the whole, already collated batch. ``DataLoader`` uses it (when no custom
``collate_fn`` is given) so that a ``TensorDataset`` batch is one ``index_select`` per tensor
instead of one indexing op per sample plus a stack.
"""
from __future__ import annotations

import bisect
import math
import numbers

from .._tensor import Tensor, tensor
from .. import _creation

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split"]


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__``. ``DataLoader`` batches the stream in
    order; ``shuffle`` and samplers do not apply to it."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other):
        raise TypeError("IterableDataset does not support +; use itertools.chain")


class TensorDataset(Dataset):
    """Samples are the rows (first-dimension entries) of tensors of equal first size."""

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: expected ember.Tensor arguments, got "
                                f"{type(t).__name__}")
            if t.ndim == 0:
                raise ValueError("TensorDataset: tensors must have at least one dimension")
        sizes = [t.shape[0] for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise ValueError(f"TensorDataset: size mismatch between tensors: first sizes {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _get_batch(self, indices: Tensor) -> list:
        """The batch at ``indices`` (int64, 1-D) as a list, like default_collate's output."""
        out = []
        for t in self.tensors:
            index = indices if indices.device == t.device else indices.to(t.device)
            out.append(t.index_select(0, index))
        return out


class ConcatDataset(Dataset):
    """The samples of several map-style datasets, one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int):
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for length {n}")
        index %= n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices):
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index):
        if isinstance(index, list):
            return [self.dataset[self.indices[i]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def __getattr__(self, name):
        # Only _get_batch is forwarded, and only when the wrapped dataset has one, so that
        # DataLoader's fast path sees through a Subset of a TensorDataset.
        if name == "_get_batch" and hasattr(self.dataset, "_get_batch"):
            return self._subset_batch
        raise AttributeError(name)

    def _subset_batch(self, indices: Tensor):
        # The index list as a tensor is built once (not per batch) and rebuilt only when
        # ``self.indices`` has been replaced or resized.
        key = (id(self.indices), len(self.indices))
        cached = self.__dict__.get("_index_tensor")
        if cached is None or cached[0] != key:
            cached = (key, tensor(self.indices, dtype=indices.dtype))
            self.__dict__["_index_tensor"] = cached
        return self.dataset._get_batch(cached[1].index_select(0, indices))


def _lengths_from_fractions(fractions, n: int) -> list:
    """PyTorch's rule: floor each fraction of ``n``, then hand the remainder out one by one
    from the first subset on."""
    if not math.isclose(sum(fractions), 1.0, abs_tol=1e-6):
        raise ValueError(f"random_split: fractions {list(fractions)} do not sum to 1")
    lengths = [int(math.floor(n * f)) for f in fractions]
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    return lengths


def random_split(dataset: Dataset, lengths, generator=None) -> list:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given ``lengths``
    (counts summing to ``len(dataset)``, or fractions summing to 1). The permutation is
    ``ember.randperm`` drawn from ``generator`` (default: ember's default generator, so
    ``ember.manual_seed`` makes the split reproducible)."""
    lengths = list(lengths)
    n = len(dataset)
    if any(not isinstance(x, numbers.Real) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative numbers, got {lengths}")
    if lengths and all(isinstance(x, float) and x <= 1 for x in lengths) and sum(lengths) <= 1 + 1e-6:
        lengths = _lengths_from_fractions(lengths, n)
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths {sum(lengths)} does not equal the "
                         f"length of the input dataset {n}")
    order = _random_permutation(n, generator)
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start:start + length]))
        start += length
    return out


def _random_permutation(n: int, generator) -> list:
    """0..n-1 shuffled by ember's Philox generator (``generator`` or the default one)."""
    return _creation.randperm(n, generator=generator).tolist()
