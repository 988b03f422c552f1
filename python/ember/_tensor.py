"""``ember.Tensor``: a Python handle on a C++ tensor, with room for autograd.

The class is assembled from one mixin per family of methods (elementwise, reductions, views,
DLPack), each in its own module; this file holds what every tensor has: its metadata,
conversions and printing.
"""
from __future__ import annotations

import numpy as np

from . import _C
from . import _device
from . import _dtype
from ._creation import CreationMethods
from ._dlpack import DLPackMethods
from ._elementwise import ElementwiseMethods
from ._reduction import ReductionMethods
from ._views import ViewMethods
from .autograd import engine as _engine
from .autograd import grad_mode as _grad_mode
from .autograd import inplace as _inplace
from .autograd import ops_elementwise as _ag


class Size(tuple):
    """The shape of a tensor: a tuple of ints (``torch.Size``)."""

    def __repr__(self) -> str:
        return f"ember.Size([{', '.join(map(str, self))}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor(ElementwiseMethods, ReductionMethods, ViewMethods, CreationMethods, DLPackMethods):
    """An n-dimensional array on a device, with PyTorch's semantics.

    Make one with ``ember.tensor``, ``ember.from_numpy``, ``ember.zeros`` and friends.
    """

    # _output_nr: which output of grad_fn this tensor is (set together with grad_fn).
    # _view_of: a view's base, or a base's weak references to its views (None: neither);
    # _view_flag: how a view was taken (see autograd/inplace.py).
    __slots__ = ("_impl", "requires_grad", "grad", "grad_fn", "_output_nr", "_view_of",
                 "_view_flag", "__weakref__")
    __hash__ = object.__hash__  # comparison operators return tensors, identity stays the hash

    def __init__(self, *args, **kwargs):
        raise TypeError("ember.Tensor cannot be constructed directly; use ember.tensor(data), "
                        "ember.empty(shape) or ember.from_numpy(array)")

    # -- metadata -------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._impl.shape)

    def size(self, dim=None):
        shape = self._impl.shape
        if dim is None:
            return Size(shape)
        return shape[_wrap_dim(dim, len(shape), "size")]

    def stride(self, dim=None):
        strides = self._impl.strides
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, len(strides), "stride")]

    @property
    def ndim(self) -> int:
        return self._impl.ndim

    def dim(self) -> int:
        return self._impl.ndim

    def numel(self) -> int:
        return self._impl.numel

    nelement = numel

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_c(self._impl.dtype)

    @property
    def device(self) -> _device.device:
        return _device.from_impl_str(self._impl.device)

    @property
    def is_cuda(self) -> bool:
        return self._impl.device != "cpu"

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_contiguous(self) -> bool:
        return self._impl.is_contiguous

    def storage_offset(self) -> int:
        return self._impl.storage_offset

    def data_ptr(self) -> int:
        return self._impl.data_ptr

    def element_size(self) -> int:
        return self._impl.itemsize

    @property
    def itemsize(self) -> int:
        return self._impl.itemsize

    @property
    def nbytes(self) -> int:
        return self._impl.numel * self._impl.itemsize

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def _base(self):
        """The tensor this view was taken from (None when it is not a view), as in PyTorch."""
        return _inplace.base_of(self)

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory (shared by its views) has seen."""
        return self._impl.version

    # -- autograd fields (the tape itself is ember.autograd's) -------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(f"requires_grad_: only floating-point tensors can require "
                               f"gradients, got dtype {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> "Tensor":
        """A tensor sharing this one's storage, outside any autograd graph."""
        return wrap(self._impl)

    @property
    def data(self) -> "Tensor":
        return self.detach()

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulates the gradient of this tensor into ``.grad`` of the leaves it was computed
        from (``gradient`` weights it; may be omitted for a one-element tensor). The graph's
        saved values are freed unless ``retain_graph``."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """``hook(grad)`` runs each time this tensor's gradient is computed and may return a
        replacement; returns a handle with ``remove()``."""
        return _engine.register_hook(self, hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        _engine.retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        node = self.grad_fn
        return bool(node is not None and node._retained and
                    any(r() is self for r in node._retained.values()))

    # -- copies and conversions -----------------------------------------------------------
    def contiguous(self) -> "Tensor":
        if self._impl.is_contiguous:
            return self
        if self.requires_grad and _grad_mode._enabled:
            return _ag.Clone.apply(self, Tensor.contiguous)
        return wrap(_C.contiguous(self._impl))

    def clone(self) -> "Tensor":
        if self.requires_grad and _grad_mode._enabled:
            return _ag.Clone.apply(self, Tensor.clone)
        return wrap(_C.clone(self._impl))

    def copy_(self, src) -> "Tensor":
        """Writes src (broadcast, converted to this dtype and device) into self."""
        if _grad_mode._enabled:
            if self.requires_grad or getattr(src, "requires_grad", False):
                src = src if isinstance(src, Tensor) else wrap(_as_impl(src, self.dtype))
                return _inplace.record_inplace(self, "copy_", _inplace.CopyFrom.apply, src)
            _inplace.check_plain_write(self)
        _C.copy_(self._impl, _as_impl(src, self.dtype))
        self._impl.bump_version()
        return self

    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``; returns
        self when nothing changes, like PyTorch. ``copy=True`` always copies."""
        dtype, dev = kwargs.pop("dtype", None), kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to: unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif isinstance(a, _device.device) or (isinstance(a, str) and a not in _dtype._BY_NAME):
                dev = a
            else:
                dtype = a
        out = self
        if dtype is not None and _dtype.as_dtype(dtype) is not self.dtype:
            out = wrap(_C.to_dtype(out._impl, _dtype.as_dtype(dtype)._c))
        if dev is not None:
            dev = _device.parse(dev)
            if dev != self.device:
                if dev.type == "cuda":
                    from . import cuda
                    cuda._require("to", dev)
                out = wrap(_C.to_device(out._impl, dev.type, dev.index or 0))
        if copy and out is self:
            out = self.clone()
        elif out is not self and self.requires_grad and _grad_mode._enabled:
            return _ag.ToCopy.apply(self, out)
        return out

    def type(self, dtype=None):
        if dtype is None:
            return f"ember.{self.dtype.name}"
        return self.to(dtype)

    def float(self) -> "Tensor":
        return self.to(_dtype.float32)

    def double(self) -> "Tensor":
        return self.to(_dtype.float64)

    def long(self) -> "Tensor":
        return self.to(_dtype.int64)

    def int(self) -> "Tensor":
        return self.to(_dtype.int32)

    def bool(self) -> "Tensor":
        return self.to(_dtype.bool_)

    def byte(self) -> "Tensor":
        return self.to(_dtype.uint8)

    def cpu(self) -> "Tensor":
        return self.to("cpu")

    def cuda(self, device=None) -> "Tensor":
        if isinstance(device, int):
            device = _device.device("cuda", device)
        return self.to("cuda" if device is None else device)

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The tensor's memory as a numpy array (no copy for CPU tensors)."""
        if self.requires_grad and not force:
            raise RuntimeError("numpy: can't call numpy() on a tensor that requires grad; "
                               "use tensor.detach().numpy() instead")
        return _C.to_numpy(self.cpu()._impl)

    def __array__(self, dtype=None, copy=None):
        a = _C.to_numpy(self._impl)
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a.copy() if copy else a

    def item(self):
        n = self._impl.numel
        if n != 1:
            raise RuntimeError(f"item: a Tensor with {n} elements cannot be converted to a scalar")
        return _C.to_numpy(self.cpu()._impl).reshape(()).item()

    def tolist(self):
        return _C.to_numpy(self.cpu()._impl).tolist()

    def __len__(self) -> int:
        if self._impl.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._impl.shape[0]

    def __iter__(self):
        if self._impl.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._impl.shape[0]))

    def __bool__(self) -> bool:
        if self._impl.numel != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._impl.numel} elements is "
                               "ambiguous")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._impl.numel != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self) -> str:
        a = _C.to_numpy(self.cpu()._impl)
        empty = a.size == 0 and a.ndim != 1
        if empty:
            body = "[]"
        elif a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.any(a != np.round(a)):
            body = np.array2string(a, separator=", ", prefix="tensor(", precision=4,
                                   floatmode="fixed")
        else:
            body = np.array2string(a, separator=", ", prefix="tensor(")
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if empty:
            extras.append(f"size={tuple(a.shape)}")
        if self.dtype not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool_):
            extras.append(f"dtype={self.dtype!r}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def __reduce__(self):
        return (_from_numpy_copy, (self.detach().cpu().numpy(), self.requires_grad))


def wrap(impl, requires_grad: bool = False) -> Tensor:
    """A new ember.Tensor around a C++ tensor (no copy)."""
    t = Tensor.__new__(Tensor)
    t._impl = impl
    t.requires_grad = requires_grad
    t.grad = None
    t.grad_fn = None
    t._view_of = None
    return t


def _wrap_dim(dim, ndim: int, op: str) -> int:
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not isinstance(dim, int) or not lo <= dim <= hi:
        raise IndexError(f"{op}: dimension out of range (expected to be in range of [{lo}, {hi}], "
                         f"but got {dim})")
    return dim % max(ndim, 1)


def _from_numpy_copy(array: np.ndarray, requires_grad: bool) -> Tensor:
    return wrap(_C.clone(_C.from_numpy(array)), requires_grad)


def _python_default_dtype(data, a: np.ndarray) -> _dtype.dtype:
    """The dtype ember.tensor gives ``data`` converted to ``a``: numpy data keeps its dtype,
    Python floats take the default dtype, ints int64, bools bool."""
    if a.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.floating)):
        return _dtype.get_default_dtype()
    if a.dtype.kind in "iu" and not isinstance(data, (np.ndarray, np.integer)):
        return _dtype.int64
    return _dtype.from_numpy(a.dtype)


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, numpy arrays, tensors).

    Python floats become the default dtype (float32), ints int64, bools bool; numpy arrays keep
    their dtype.
    """
    if isinstance(data, Tensor):
        out = data.detach().clone()
        if dtype is not None:
            out = out.to(dtype)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flatten(data)):
            data = [_nested_to_python(x) for x in data]
        try:
            a = np.asarray(data)
        except (ValueError, TypeError) as e:
            raise ValueError(f"tensor: could not convert data to a tensor: {e}") from None
        if a.dtype == object:
            raise TypeError(f"tensor: could not infer dtype of {type(data).__name__}")
        target = _dtype.as_dtype(dtype) if dtype is not None else _python_default_dtype(data, a)
        out = wrap(_C.clone(_C.from_numpy(a.astype(target._numpy, copy=False))))
    if device is not None:
        out = out.to(device)
    if requires_grad:
        out.requires_grad_(True)
    return out


def _flatten(seq):
    for x in seq:
        if isinstance(x, (list, tuple)):
            yield from _flatten(x)
        else:
            yield x


def _nested_to_python(x):
    if isinstance(x, Tensor):
        return x.detach().numpy()
    if isinstance(x, (list, tuple)):
        return [_nested_to_python(y) for y in x]
    return x


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory: writes through either show in the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    return wrap(_C.from_numpy(array))


def _as_impl(value, like_dtype: _dtype.dtype):
    """The C++ tensor for a Tensor, number, list or array (used for an op's other operand)."""
    if isinstance(value, Tensor):
        return value._impl
    if isinstance(value, (bool, int, float, np.number)):
        d = _dtype.scalar_dtype(value, like_dtype)
        return _C.from_numpy(np.asarray(value, dtype=d._numpy))
    return tensor(value)._impl
