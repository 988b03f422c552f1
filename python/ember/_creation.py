"""Tensor creation: ``zeros``, ``ones``, ``full``, ``arange``, ``linspace``, ``eye``, the
``*_like`` and ``new_*`` forms, and the random ones (``rand``, ``randn``, ``randint``,
``normal``, ``randperm``, ``bernoulli``) drawing from ember's Philox generators."""
from __future__ import annotations

import numbers

import numpy as np

from . import _C
from . import _dtype
from ._random import device_args, impl_of
from .autograd import grad_mode as _grad_mode
from .autograd import ops_elementwise as _ag

__all__ = ["empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like",
           "full_like", "arange", "linspace", "eye", "rand", "randn", "randint", "rand_like",
           "randn_like", "randint_like", "normal", "randperm", "bernoulli"]

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _parse_size(size: tuple, op: str) -> list:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(ember.Size([2, 3]))`` -> [2, 3]."""
    if len(size) == 1 and not _is_int(size[0]) and not hasattr(size[0], "__index__"):
        size = size[0]
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"{op}: size must be ints or a tuple of ints, got "
                            f"{type(size).__name__}")
    shape = []
    for s in size:
        if isinstance(s, bool) or not hasattr(s, "__index__"):
            raise TypeError(f"{op}: size must be a tuple of ints, got element {s!r} of type "
                            f"{type(s).__name__}")
        shape.append(s.__index__())
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{op}: negative dimension in size {tuple(shape)}")
    return shape


def _dtype_or(dtype, default) -> _dtype.dtype:
    return default if dtype is None else _dtype.as_dtype(dtype)


def _finish(impl, requires_grad: bool):
    from . import _tensor
    out = _tensor.wrap(impl)
    if requires_grad:
        out.requires_grad_(True)
    return out


def _scalar(value, op: str):
    """A Python number from a number, a numpy scalar or a one-element tensor."""
    if hasattr(value, "_impl"):
        return value.item()
    if isinstance(value, (numbers.Real, np.bool_)):
        return value.item() if isinstance(value, np.generic) else value
    raise TypeError(f"{op}: expected a number, got {type(value).__name__}")


def _fill(impl, value, op: str) -> None:
    value = _scalar(value, op)
    if isinstance(value, numbers.Integral):
        value = int(value)
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise RuntimeError(f"{op}: value {value} cannot be converted to dtype "
                               f"{_dtype.from_c(impl.dtype)} without overflow")
        _C.fill_int_(impl, value)
    else:
        _C.fill_(impl, float(value))


def _new(shape: list, dtype, device, op: str):
    return _C.empty(shape, dtype._c, *device_args(device, op))


def empty(*size, dtype=None, device=None, requires_grad: bool = False):
    """An uninitialized tensor of the given size."""
    shape = _parse_size(size, "empty")
    return _finish(_new(shape, _dtype_or(dtype, _dtype.get_default_dtype()), device, "empty"),
                   requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value when not
    given (bool -> bool, int -> int64, float -> the default dtype)."""
    shape = _parse_size((size,), "full")
    value = _scalar(fill_value, "full")
    if dtype is None:
        dtype = (_dtype.bool_ if isinstance(value, bool) else
                 _dtype.int64 if isinstance(value, numbers.Integral) else
                 _dtype.get_default_dtype())
    impl = _new(shape, _dtype.as_dtype(dtype), device, "full")
    _fill(impl, value, "full")
    return _finish(impl, requires_grad)


def _filled(op: str, value: int, size: tuple, dtype, device, requires_grad: bool):
    shape = _parse_size(size, op)
    impl = _new(shape, _dtype_or(dtype, _dtype.get_default_dtype()), device, op)
    _C.fill_int_(impl, value)
    return _finish(impl, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False):
    """A tensor of zeros of the given size."""
    return _filled("zeros", 0, size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False):
    """A tensor of ones of the given size."""
    return _filled("ones", 1, size, dtype, device, requires_grad)


def _or_self(device, t):
    """*_like and new_* make tensors on ``t``'s device unless told otherwise (PyTorch's rule)."""
    return t.device if device is None else device


def _like(input, dtype, device, op: str) -> tuple:
    """(shape, dtype, device) of a tensor made like ``input``: its dtype and device by default."""
    if not hasattr(input, "_impl"):
        raise TypeError(f"{op}: expected an ember.Tensor, got {type(input).__name__}")
    return list(input._impl.shape), _dtype_or(dtype, input.dtype), _or_self(device, input)


def empty_like(input, *, dtype=None, device=None, requires_grad: bool = False):
    """An uninitialized tensor with the shape (and, by default, dtype) of ``input``."""
    shape, dt, device = _like(input, dtype, device, "empty_like")
    return _finish(_new(shape, dt, device, "empty_like"), requires_grad)


def zeros_like(input, *, dtype=None, device=None, requires_grad: bool = False):
    """Zeros with the shape (and, by default, dtype) of ``input``."""
    shape, dt, device = _like(input, dtype, device, "zeros_like")
    return _filled("zeros_like", 0, (shape,), dt, device, requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad: bool = False):
    """Ones with the shape (and, by default, dtype) of ``input``."""
    shape, dt, device = _like(input, dtype, device, "ones_like")
    return _filled("ones_like", 1, (shape,), dt, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
    """``fill_value`` with the shape (and, by default, dtype) of ``input``."""
    shape, dt, device = _like(input, dtype, device, "full_like")
    return full(shape, fill_value, dtype=dt, device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False):
    """``arange(end)`` or ``arange(start, end, step=1)``: values from start (inclusive) to end
    (exclusive); int64 when every bound is an int, else the default dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = (_scalar(v, "arange") for v in (start, end, step))
    if dtype is None:
        all_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = _dtype.int64 if all_int else _dtype.get_default_dtype()
    dtype = _dtype.as_dtype(dtype)
    return _finish(_C.arange(float(start), float(end), float(step), dtype._c,
                             *device_args(device, "arange")), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad: bool = False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if isinstance(steps, bool) or not hasattr(steps, "__index__"):
        raise TypeError(f"linspace: steps must be an int, got {type(steps).__name__}")
    start, end = _scalar(start, "linspace"), _scalar(end, "linspace")
    dtype = _dtype_or(dtype, _dtype.get_default_dtype())
    return _finish(_C.linspace(float(start), float(end), steps.__index__(), dtype._c,
                               *device_args(device, "linspace")), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad: bool = False):
    """An ``n`` x ``m`` (default ``n`` x ``n``) matrix with ones on the diagonal."""
    m = n if m is None else m
    for v in (n, m):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"eye: n and m must be ints, got {type(v).__name__}")
    dtype = _dtype_or(dtype, _dtype.get_default_dtype())
    return _finish(_C.eye(n.__index__(), m.__index__(), dtype._c, *device_args(device, "eye")),
                   requires_grad)


# -- random ---------------------------------------------------------------------------------
def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Uniform samples on [0, 1)."""
    impl = _new(_parse_size(size, "rand"), _dtype_or(dtype, _dtype.get_default_dtype()), device,
                "rand")
    _C.uniform_(impl, 0.0, 1.0, impl_of(generator))
    return _finish(impl, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Standard normal samples."""
    impl = _new(_parse_size(size, "randn"), _dtype_or(dtype, _dtype.get_default_dtype()), device,
                "randn")
    _C.normal_(impl, 0.0, 1.0, impl_of(generator))
    return _finish(impl, requires_grad)


def _int_bound(v, op: str) -> int:
    v = _scalar(v, op)
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or int(v) != v:
        raise TypeError(f"{op}: bounds must be integers, got {v!r}")
    v = int(v)
    if not _INT64_MIN <= v <= _INT64_MAX:
        raise RuntimeError(f"{op}: bound {v} does not fit int64")
    return v


def _random_into(impl, low, high, generator, op: str) -> None:
    _C.random_(impl, _int_bound(low, op), _int_bound(high, op), impl_of(generator))


def randint(*args, size=None, generator=None, dtype=None, device=None,
            requires_grad: bool = False, low=None, high=None):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers uniform on
    [low, high) (low defaults to 0); int64 unless ``dtype`` says otherwise."""
    positional = list(args)
    if size is None and positional and not isinstance(positional[-1], numbers.Number) \
            and not hasattr(positional[-1], "_impl"):
        size = positional.pop()
    if high is None and positional:
        high = positional.pop()
    if low is None:
        low = positional.pop() if positional else 0
    if positional or high is None or size is None:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    impl = _new(_parse_size((size,), "randint"), _dtype_or(dtype, _dtype.int64), device,
                "randint")
    _random_into(impl, low, high, generator, "randint")
    return _finish(impl, requires_grad)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Uniform samples on [0, 1) with the shape (and, by default, dtype) of ``input``."""
    shape, dt, device = _like(input, dtype, device, "rand_like")
    return rand(shape, generator=generator, dtype=dt, device=device, requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Standard normal samples with the shape (and, by default, dtype) of ``input``."""
    shape, dt, device = _like(input, dtype, device, "randn_like")
    return randn(shape, generator=generator, dtype=dt, device=device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad: bool = False):
    """``randint_like(input, high)`` or ``randint_like(input, low, high)``."""
    if high is None:
        low, high = 0, low
    shape, dt, device = _like(input, dtype, device, "randint_like")
    return randint(low, high, shape, generator=generator, dtype=dt, device=device,
                   requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False):
    """``normal(mean, std, size)``: normal samples of the given (float) mean and standard
    deviation. (PyTorch's forms with tensor-valued mean or std are not supported.)"""
    if hasattr(mean, "_impl") or hasattr(std, "_impl"):
        raise TypeError("normal: tensor mean or std is not supported; use "
                        "mean + std * ember.randn(shape)")
    if size is None:
        raise TypeError("normal: missing argument size (normal(mean, std, size))")
    mean, std = float(_scalar(mean, "normal")), float(_scalar(std, "normal"))
    impl = _new(_parse_size((size,), "normal"), _dtype_or(dtype, _dtype.get_default_dtype()),
                device, "normal")
    _C.normal_(impl, mean, std, impl_of(generator))
    return _finish(impl, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """A random permutation of the integers 0 .. n-1 (int64 unless ``dtype`` is given)."""
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise TypeError(f"randperm: n must be an int, got {type(n).__name__}")
    impl = _C.randperm(n.__index__(), _dtype_or(dtype, _dtype.int64)._c, impl_of(generator),
                       *device_args(device, "randperm"))
    return _finish(impl, requires_grad)


def bernoulli(input, p=None, *, generator=None):
    """0/1 samples: with probability ``input[i]`` (floating input), or with probability ``p``
    for every element when ``p`` is given; the result has ``input``'s shape and dtype."""
    if not hasattr(input, "_impl"):
        raise TypeError(f"bernoulli: expected an ember.Tensor, got {type(input).__name__}")
    if p is None:
        return _finish(_C.bernoulli(input._impl, impl_of(generator)), False)
    impl = _new(list(input._impl.shape), input.dtype, input.device, "bernoulli")
    _C.bernoulli_(impl, float(_scalar(p, "bernoulli")), impl_of(generator))
    return _finish(impl, False)


class CreationMethods:
    """Tensor methods that fill a tensor in place or make a new one like it."""

    __slots__ = ()

    def fill_(self, value):
        """Set every element to ``value`` (converted to the tensor's dtype)."""
        if _grad_mode._enabled:
            _ag.check_inplace(self, (), "fill_")
        _fill(self._impl, value, "fill_")
        self._impl.bump_version()
        return self

    def zero_(self):
        """Set every element to zero."""
        if _grad_mode._enabled:
            _ag.check_inplace(self, (), "zero_")
        _C.fill_int_(self._impl, 0)
        self._impl.bump_version()
        return self

    def uniform_(self, from_=0.0, to=1.0, *, generator=None):
        """Fill with uniform samples on [from_, to)."""
        if _grad_mode._enabled:
            _ag.check_inplace(self, (), "uniform_")
        _C.uniform_(self._impl, float(_scalar(from_, "uniform_")), float(_scalar(to, "uniform_")),
                    impl_of(generator))
        self._impl.bump_version()
        return self

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with normal samples of the given mean and standard deviation."""
        if _grad_mode._enabled:
            _ag.check_inplace(self, (), "normal_")
        _C.normal_(self._impl, float(_scalar(mean, "normal_")), float(_scalar(std, "normal_")),
                   impl_of(generator))
        self._impl.bump_version()
        return self

    def random_(self, from_=None, to=None, *, generator=None):
        """``random_(to)``: integers on [0, to); ``random_(from_, to)``: on [from_, to);
        ``random_()``: on [0, 2**mantissa] for floats, [0, max) for integer dtypes."""
        if _grad_mode._enabled:
            _ag.check_inplace(self, (), "random_")
        if from_ is not None and to is None:
            from_, to = 0, from_
        if to is None:
            dt = self.dtype
            to = (2 if dt is _dtype.bool_ else 256 if dt is _dtype.uint8 else
                  (1 << 24) + 1 if dt is _dtype.float32 else (1 << 53) + 1 if dt is _dtype.float64
                  else (1 << 31) if dt is _dtype.int32 else _INT64_MAX)
        _random_into(self._impl, 0 if from_ is None else from_, to, generator, "random_")
        self._impl.bump_version()
        return self

    def bernoulli_(self, p=0.5, *, generator=None):
        """Set each element to 1 with probability ``p``, else 0."""
        if _grad_mode._enabled:
            _ag.check_inplace(self, (), "bernoulli_")
        _C.bernoulli_(self._impl, float(_scalar(p, "bernoulli_")), impl_of(generator))
        self._impl.bump_version()
        return self

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False):
        """An uninitialized tensor of ``size`` with this tensor's dtype by default."""
        return empty(*size, dtype=_dtype_or(dtype, self.dtype), device=_or_self(device, self),
                     requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False):
        """Zeros of ``size`` with this tensor's dtype by default."""
        return zeros(*size, dtype=_dtype_or(dtype, self.dtype), device=_or_self(device, self),
                     requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False):
        """Ones of ``size`` with this tensor's dtype by default."""
        return ones(*size, dtype=_dtype_or(dtype, self.dtype), device=_or_self(device, self),
                    requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
        """``fill_value`` in a tensor of ``size`` with this tensor's dtype by default."""
        return full(size, fill_value, dtype=_dtype_or(dtype, self.dtype),
                    device=_or_self(device, self),
                    requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False):
        """A copy of ``data`` as a tensor with this tensor's dtype by default."""
        from . import _tensor
        return _tensor.tensor(data, dtype=_dtype_or(dtype, self.dtype),
                              device=_or_self(device, self),
                              requires_grad=requires_grad)
