"""Element types: ``ember.float32`` and friends, and the promotion rules between them."""
from __future__ import annotations

import numpy as np

from . import _C


class dtype:
    """An element type, e.g. ``ember.float32``; compare with ``==`` or ``is``."""

    __slots__ = ("name", "itemsize", "is_floating_point", "is_signed", "_c", "_numpy")

    def __init__(self, name: str, itemsize: int, is_floating_point: bool, is_signed: bool):
        self.name = name
        self.itemsize = itemsize
        self.is_floating_point = is_floating_point
        self.is_signed = is_signed
        self._c = getattr(_C.DType, name)
        self._numpy = np.dtype(name)

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


bool_ = dtype("bool", 1, False, False)
uint8 = dtype("uint8", 1, False, False)
int32 = dtype("int32", 4, False, True)
int64 = dtype("int64", 8, False, True)
float32 = dtype("float32", 4, True, True)
float64 = dtype("float64", 8, True, True)

ALL = (bool_, uint8, int32, int64, float32, float64)
_FROM_C = {t._c: t for t in ALL}
_BY_NAME = {t.name: t for t in ALL}
_BY_NAME.update({"float": float32, "double": float64, "long": int64, "int": int32})
_FROM_NUMPY = {t._numpy: t for t in ALL}

_default_dtype = float32


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_c(c) -> dtype:
    return _FROM_C[c]


def from_numpy(np_dtype) -> dtype:
    """The ember dtype of a numpy dtype; TypeError when ember has none."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"unsupported numpy dtype {np.dtype(np_dtype)}; ember supports "
            "bool, uint8, int32, int64, float32, float64") from None


def as_dtype(value) -> dtype:
    """Accept an ember dtype, a numpy dtype/type, or a name ('float32')."""
    if isinstance(value, dtype):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    if value is bool:
        return bool_
    if value is float:
        return _default_dtype
    if value is int:
        return int64
    try:
        return from_numpy(value)
    except TypeError:
        raise TypeError(f"expected an ember dtype, got {value!r}") from None


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(d) -> None:
    global _default_dtype
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported, got {d}")
    _default_dtype = d


def _category(d: dtype) -> int:
    return 0 if d is bool_ else (2 if d.is_floating_point else 1)


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both convert to (bool < uint8 < int32 < int64 < float32 < float64)."""
    return a if ALL.index(a) >= ALL.index(b) else b


def scalar_dtype(value, other: dtype) -> dtype:
    """The dtype a Python scalar takes next to a tensor of dtype ``other`` (PyTorch's rule: a
    scalar only changes the result's dtype when it is of a higher category)."""
    if isinstance(value, bool):
        kind = 0
    elif isinstance(value, (int, np.integer)):
        kind = 1
    elif isinstance(value, (float, np.floating)):
        kind = 2
    else:
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if kind <= _category(other):
        return other
    return (bool_, int64, _default_dtype)[kind]
