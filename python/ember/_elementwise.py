"""Elementwise ops (``ember.add``, ``ember.exp``, ``ember.where``, ...) and the Tensor methods and
operators built on them.

Broadcasting follows numpy; dtypes follow PyTorch: a Python scalar or zero-dim tensor only
changes the result's dtype when it is of a higher category (bool < integer < float), so
``int64_tensor + 2.5`` is float32 and ``float32_tensor * 2.0`` stays float32; float functions
and true division turn integer inputs into float32; comparisons and logical ops give bool.
All the work happens in C++ (``ember._C.unary``/``binary``); this layer only turns scalars into
zero-dim tensors and picks the op.
"""
from __future__ import annotations

import numpy as np

from . import _C
from . import _dtype
from . import _tensor
from .autograd import grad_mode as _grad_mode
from .autograd import inplace as _inplace
from .autograd import ops_elementwise as _ag

_U = _C.UnaryOp
_B = _C.BinaryOp
_SCALARS = (bool, int, float, np.bool_, np.number)
_SEQUENCES = (list, tuple, np.ndarray)

__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "pow", "where", "clamp", "clip", "round", "scalar_tensor", "result_type",
]


# --- turning operands into C++ tensors ----------------------------------------------------------

_BOOL_C, _INT64_C = _C.DType.bool, _C.DType.int64
_FLOAT32_C, _FLOAT64_C = _C.DType.float32, _C.DType.float64


def _scalar_impl(value, like_c):
    """A zero-dim C++ tensor for a Python or numpy scalar used next to a tensor of C dtype
    like_c, with the dtype ``_dtype.scalar_dtype`` gives it."""
    kind = type(value)
    # The same rule as scalar_dtype, inlined for the two common cases: `tensor * 2.0` is on
    # the hot path and converting like_c to an ember dtype costs more than the op itself.
    if kind is float:
        dt = like_c if like_c == _FLOAT32_C or like_c == _FLOAT64_C else \
            _dtype.get_default_dtype()._c
    elif kind is int:
        dt = _INT64_C if like_c == _BOOL_C else like_c
    else:
        dt = _dtype.scalar_dtype(value, _dtype.from_c(like_c))._c
        if isinstance(value, np.generic):
            value = value.item()
    return _C.scalar_tensor(value, dt)


def _operand(value, like, name: str):
    """The C++ tensor for the other operand of an op whose tensor operand is ``like`` (a
    Tensor, or None when there is none)."""
    if isinstance(value, _tensor.Tensor):
        return value._impl
    if isinstance(value, _SCALARS):
        return _scalar_impl(value, like._impl.dtype if like is not None else _BOOL_C)
    if isinstance(value, _SEQUENCES):
        return _tensor.tensor(value)._impl
    raise TypeError(f"{name}: unsupported operand type {type(value).__name__}")


def _supported(value) -> bool:
    return isinstance(value, (_tensor.Tensor,) + _SCALARS + _SEQUENCES)


def _tensor_impl(value, name: str):
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(f"{name}: argument 'input' must be Tensor, not {type(value).__name__}")
    return value._impl


def _binary(op, a, b, name: str):
    Tensor = _tensor.Tensor
    if isinstance(a, Tensor):
        ai = a._impl
        if isinstance(b, Tensor):
            bi = b._impl
            grad = a.requires_grad or b.requires_grad
        else:
            bi = _operand(b, a, name)
            grad = a.requires_grad
    elif isinstance(b, Tensor):
        bi = b._impl
        ai = _operand(a, b, name)
        grad = b.requires_grad
    else:
        raise TypeError(f"{name}: expected at least one Tensor operand, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    if grad and _grad_mode._enabled:
        return _ag.BINARY_FN[op].apply(_as_tensor(a, ai), _as_tensor(b, bi), op)
    return _tensor.wrap(_C.binary(op, ai, bi))


def _as_tensor(value, impl):
    return value if isinstance(value, _tensor.Tensor) else _tensor.wrap(impl)


def _binary_(op, self, other, name: str):
    impl = _tensor_impl(self, name)
    if _grad_mode._enabled:
        if self.requires_grad or getattr(other, "requires_grad", False):
            return _inplace.record_inplace(self, name, _binary_of, op, other, name)
        _inplace.check_plain_write(self)
    _C.binary_(op, impl,
               other._impl if isinstance(other, _tensor.Tensor) else _operand(other, self, name))
    impl.bump_version()
    return self


def _binary_of(self, op, other, name: str):
    """The value ``op`` in place on self gives, computed out of place (for recording)."""
    return _binary(op, self, other, name)


def scalar_tensor(value, dtype=None):
    """A zero-dim tensor holding ``value`` (``torch.scalar_tensor``; default dtype float32)."""
    dt = _dtype.get_default_dtype() if dtype is None else _dtype.as_dtype(dtype)
    if isinstance(value, np.generic):
        value = value.item()
    return _tensor.wrap(_C.scalar_tensor(value, dt._c))


def result_type(tensor1, tensor2) -> _dtype.dtype:
    """The dtype an arithmetic op on the two operands (tensors or scalars) gives."""
    like = tensor1 if isinstance(tensor1, _tensor.Tensor) else tensor2
    if not isinstance(like, _tensor.Tensor):
        like = None
    return _dtype.from_c(_C.result_type(_operand(tensor1, like, "result_type"),
                                        _operand(tensor2, like, "result_type")))


# --- unary ops -----------------------------------------------------------------------------------

# (name, C++ op, what it computes); each becomes ember.<name>, Tensor.<name> and Tensor.<name>_.
_UNARY = [
    ("neg", _U.neg, "-input"),
    ("abs", _U.abs, "|input|"),
    ("exp", _U.exp, "e ** input"),
    ("log", _U.log, "the natural logarithm of input"),
    ("log1p", _U.log1p, "log(1 + input), accurate for small input"),
    ("expm1", _U.expm1, "exp(input) - 1, accurate for small input"),
    ("sqrt", _U.sqrt, "the square root of input"),
    ("rsqrt", _U.rsqrt, "1 / sqrt(input)"),
    ("sin", _U.sin, "the sine of input (radians)"),
    ("cos", _U.cos, "the cosine of input (radians)"),
    ("tanh", _U.tanh, "the hyperbolic tangent of input"),
    ("sigmoid", _U.sigmoid, "1 / (1 + exp(-input))"),
    ("relu", _U.relu, "max(input, 0), NaN propagating"),
    ("sign", _U.sign, "-1, 0 or 1 by the sign of input"),
    ("floor", _U.floor, "the largest integer <= input"),
    ("ceil", _U.ceil, "the smallest integer >= input"),
    ("trunc", _U.trunc, "input rounded toward zero"),
    ("reciprocal", _U.reciprocal, "1 / input"),
    ("square", _U.square, "input * input"),
    ("logical_not", _U.logical_not, "not input, as bool"),
    ("bitwise_not", _U.bitwise_not, "~input for integer tensors, not input for bool"),
    ("isnan", _U.isnan, "whether input is NaN, as bool"),
    ("isinf", _U.isinf, "whether input is +-inf, as bool"),
    ("isfinite", _U.isfinite, "whether input is neither NaN nor +-inf, as bool"),
]
_NO_INPLACE = {"isnan", "isinf", "isfinite"}
_UNARY_ALIASES = {"negative": "neg", "absolute": "abs", "fix": "trunc"}


def _make_unary(name, op, what):
    def fn(input):
        impl = _tensor_impl(input, name)
        if input.requires_grad and _grad_mode._enabled:
            return _ag.UNARY_FN[op].apply(input, op)
        return _tensor.wrap(_C.unary(op, impl))

    def fn_(self):
        impl = self._impl
        if _grad_mode._enabled:
            if self.requires_grad:
                return _inplace.record_inplace(self, name + "_", fn)
            _inplace.check_plain_write(self)
        _C.unary_(op, impl)
        impl.bump_version()
        return self

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{what[0].upper()}{what[1:]}, elementwise (``torch.{name}``). Integer "
                  "inputs of float functions give float32.")
    fn_.__name__ = fn_.__qualname__ = name + "_"
    fn_.__doc__ = f"In-place {name}: writes {what} into self and returns self."
    return fn, fn_


_UNARY_METHODS = {}
for _name, _op, _what in _UNARY:
    _fn, _fn_ = _make_unary(_name, _op, _what)
    globals()[_name] = _fn
    __all__.append(_name)
    _UNARY_METHODS[_name] = _fn
    if _name not in _NO_INPLACE:
        _UNARY_METHODS[_name + "_"] = _fn_
for _alias, _name in _UNARY_ALIASES.items():
    globals()[_alias] = _UNARY_METHODS[_alias] = _UNARY_METHODS[_name]
    _UNARY_METHODS[_alias + "_"] = _UNARY_METHODS[_name + "_"]
    __all__.append(_alias)


def _round_impl(input, decimals: int, inplace: bool):
    if _grad_mode._enabled:
        if getattr(input, "requires_grad", False):
            if inplace:
                return _inplace.record_inplace(input, "round_", _ag.Round.apply, decimals)
            return _ag.Round.apply(input, decimals)
        if inplace:
            _inplace.check_plain_write(input)
    if decimals == 0:
        if inplace:
            _C.unary_(_U.round, input._impl)
            input._impl.bump_version()
            return input
        return _tensor.wrap(_C.unary(_U.round, _tensor_impl(input, "round")))
    # PyTorch's formulation: round(x * 10**d) / 10**d.
    scale = 10.0 ** decimals
    out = _binary(_B.mul, input, scale, "round")
    _C.unary_(_U.round, out._impl)
    _C.binary_(_B.div, out._impl, _scalar_impl(scale, out._impl.dtype))
    return input.copy_(out) if inplace else out


def round(input, *, decimals: int = 0):
    """Rounds to the nearest integer, halves to even (or to ``decimals`` decimal places)."""
    return _round_impl(input, decimals, False)


# --- binary ops ----------------------------------------------------------------------------------

# (names, C++ op, what it computes); each becomes ember.<name>(input, other) and a method.
_BINARY = [
    (("mul", "multiply"), _B.mul, "input * other"),
    (("true_divide",), _B.div, "input / other, in floating point"),
    (("floor_divide",), _B.floor_divide, "input // other (rounded toward -inf)"),
    (("remainder",), _B.remainder, "input % other, with the sign of other (Python's modulo)"),
    (("maximum",), _B.maximum, "the larger of input and other, NaN propagating"),
    (("minimum",), _B.minimum, "the smaller of input and other, NaN propagating"),
    (("eq",), _B.eq, "input == other, as bool"),
    (("ne", "not_equal"), _B.ne, "input != other, as bool"),
    (("lt", "less"), _B.lt, "input < other, as bool"),
    (("le", "less_equal"), _B.le, "input <= other, as bool"),
    (("gt", "greater"), _B.gt, "input > other, as bool"),
    (("ge", "greater_equal"), _B.ge, "input >= other, as bool"),
    (("logical_and",), _B.logical_and, "input and other, as bool"),
    (("logical_or",), _B.logical_or, "input or other, as bool"),
    (("logical_xor",), _B.logical_xor, "input xor other, as bool"),
    (("bitwise_and",), _B.bitwise_and, "input & other (integer and bool tensors)"),
    (("bitwise_or",), _B.bitwise_or, "input | other (integer and bool tensors)"),
    (("bitwise_xor",), _B.bitwise_xor, "input ^ other (integer and bool tensors)"),
]
_INPLACE_BINARY = {"mul", "multiply", "true_divide", "floor_divide", "remainder", "logical_and",
                   "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor"}


def _make_binary(name, op, what):
    def fn(input, other):
        return _binary(op, input, other, name)

    def fn_(self, other):
        return _binary_(op, self, other, name + "_")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{what[0].upper()}{what[1:]}, elementwise with broadcasting "
                  f"(``torch.{name}``); either operand may be a Python scalar.")
    fn_.__name__ = fn_.__qualname__ = name + "_"
    fn_.__doc__ = f"In-place {name}: writes {what} into self and returns self."
    return fn, fn_


_BINARY_METHODS = {}
for _names, _op, _what in _BINARY:
    for _name in _names:
        _fn, _fn_ = _make_binary(_name, _op, _what)
        globals()[_name] = _BINARY_METHODS[_name] = _fn
        __all__.append(_name)
        if _name in _INPLACE_BINARY:
            _BINARY_METHODS[_name + "_"] = _fn_


def _alpha_scaled(input, other, alpha, name: str):
    """other * alpha for add/sub's ``alpha``."""
    if alpha == 1:
        return other
    like = input if isinstance(input, _tensor.Tensor) else other
    if isinstance(alpha, float) and isinstance(like, _tensor.Tensor) and \
            not like.dtype.is_floating_point:
        raise TypeError(f"{name}: for integral input tensors, argument alpha must not be a "
                        "floating point number")
    if isinstance(other, _tensor.Tensor):
        return _binary(_B.mul, other, alpha, name)
    return other * alpha


def add(input, other, *, alpha=1):
    """input + alpha * other, elementwise with broadcasting (``torch.add``)."""
    return _binary(_B.add, input, _alpha_scaled(input, other, alpha, "add"), "add")


def sub(input, other, *, alpha=1):
    """input - alpha * other, elementwise with broadcasting (``torch.sub``)."""
    return _binary(_B.sub, input, _alpha_scaled(input, other, alpha, "sub"), "sub")


subtract = sub


def _division_op(rounding_mode, name: str):
    if rounding_mode is None:
        return _B.div
    if rounding_mode == "trunc":
        return _B.trunc_divide
    if rounding_mode == "floor":
        return _B.floor_divide
    raise ValueError(f"{name}: expected rounding_mode to be one of None, 'trunc', or 'floor' "
                     f"but found {rounding_mode!r}")


def div(input, other, *, rounding_mode=None):
    """input / other (``torch.div``): true division (integers give float32) unless
    ``rounding_mode`` is ``'trunc'`` (toward zero) or ``'floor'`` (toward -inf)."""
    return _binary(_division_op(rounding_mode, "div"), input, other, "div")


divide = div


def pow(input, exponent):
    """input ** exponent, elementwise (``torch.pow``); either may be a scalar. Integer tensors
    raise on negative integer exponents."""
    return _binary(_B.pow, input, exponent, "pow")


def where(condition, input, other):
    """Elements of input where condition (a bool tensor) holds, else of other (``torch.where``);
    all three broadcast, and input/other may be scalars."""
    cond = _tensor_impl(condition, "where")
    like = input if isinstance(input, _tensor.Tensor) else \
        other if isinstance(other, _tensor.Tensor) else None
    a, b = _operand(input, like, "where"), _operand(other, like, "where")
    if _grad_mode._enabled and (getattr(input, "requires_grad", False) or
                                getattr(other, "requires_grad", False)):
        return _ag.Where.apply(condition, _as_tensor(input, a), _as_tensor(other, b))
    return _tensor.wrap(_C.where(cond, a, b))


def _bounds(input, min, max):
    return (None if min is None else _operand(min, input, "clamp"),
            None if max is None else _operand(max, input, "clamp"))


def clamp(input, min=None, max=None):
    """Limits input to [min, max] elementwise (``torch.clamp``); either bound may be None, a
    scalar or a tensor. Where min > max the result is max."""
    impl = _tensor_impl(input, "clamp")
    if _grad_mode._enabled and (input.requires_grad or getattr(min, "requires_grad", False) or
                                getattr(max, "requires_grad", False)):
        return _ag.Clamp.apply(input, min, max)
    return _tensor.wrap(_C.clamp(impl, *_bounds(input, min, max)))


clip = clamp


# --- the Tensor methods --------------------------------------------------------------------------

def _method_binary(op, name):
    recorded = []  # the op's Function, looked up on first use (ops_elementwise imports us)

    def method(self, other):
        # The tensor-tensor case goes straight to the op (or to recording): it is the hot path
        # of every model.
        if isinstance(other, _tensor.Tensor):
            if (self.requires_grad or other.requires_grad) and _grad_mode._enabled:
                fn = recorded[0] if recorded else _recorded(recorded, op)
                return fn.apply(self, other, op)
            return _tensor.wrap(_C.binary(op, self._impl, other._impl))
        tp = type(other)
        if tp is float or tp is int:  # `x * 2.0`: as common
            impl = self._impl
            scalar = _scalar_impl(other, impl.dtype)
            if self.requires_grad and _grad_mode._enabled:
                fn = recorded[0] if recorded else _recorded(recorded, op)
                return fn.apply(self, _tensor.wrap(scalar), op)
            return _tensor.wrap(_C.binary(op, impl, scalar))
        if not _supported(other):
            return NotImplemented
        return _binary(op, self, other, name)
    method.__name__ = name
    return method


def _recorded(cache: list, op):
    cache.append(_ag.BINARY_FN[op])
    return cache[0]


def _method_reflected(op, name):
    def method(self, other):
        if not _supported(other):
            return NotImplemented
        return _binary(op, other, self, name)
    method.__name__ = name
    return method


def _method_inplace(op, name):
    def method(self, other):
        if not _supported(other):
            return NotImplemented
        return _binary_(op, self, other, name)
    method.__name__ = name
    return method


class ElementwiseMethods:
    """Tensor methods and operators of the elementwise family."""

    __slots__ = ()
    # numpy_array + tensor defers to Tensor.__radd__ instead of converting the tensor.
    __array_priority__ = 1000

    def add(self, other, *, alpha=1):
        """See ``ember.add``."""
        return add(self, other, alpha=alpha)

    def add_(self, other, *, alpha=1):
        """In-place ``add``; returns self."""
        return _binary_(_B.add, self, _alpha_scaled(self, other, alpha, "add_"), "add_")

    def sub(self, other, *, alpha=1):
        """See ``ember.sub``."""
        return sub(self, other, alpha=alpha)

    subtract = sub

    def sub_(self, other, *, alpha=1):
        """In-place ``sub``; returns self."""
        return _binary_(_B.sub, self, _alpha_scaled(self, other, alpha, "sub_"), "sub_")

    def div(self, other, *, rounding_mode=None):
        """See ``ember.div``."""
        return div(self, other, rounding_mode=rounding_mode)

    divide = div

    def div_(self, other, *, rounding_mode=None):
        """In-place ``div``; returns self (integer tensors need a rounding_mode)."""
        return _binary_(_division_op(rounding_mode, "div_"), self, other, "div_")

    def pow(self, exponent):
        """See ``ember.pow``."""
        return pow(self, exponent)

    def pow_(self, exponent):
        """In-place ``pow``; returns self."""
        return _binary_(_B.pow, self, exponent, "pow_")

    def clamp(self, min=None, max=None):
        """See ``ember.clamp``."""
        return clamp(self, min, max)

    clip = clamp

    def clamp_(self, min=None, max=None):
        """In-place ``clamp``; returns self."""
        if _grad_mode._enabled:
            if (self.requires_grad or getattr(min, "requires_grad", False) or
                    getattr(max, "requires_grad", False)):
                return _inplace.record_inplace(self, "clamp_", clamp, min, max)
            _inplace.check_plain_write(self)
        _C.clamp_(self._impl, *_bounds(self, min, max))
        self._impl.bump_version()
        return self

    clip_ = clamp_

    def round(self, *, decimals: int = 0):
        """See ``ember.round``."""
        return _round_impl(self, decimals, False)

    def round_(self, *, decimals: int = 0):
        """In-place ``round``; returns self."""
        return _round_impl(self, decimals, True)

    def where(self, condition, other):
        """``ember.where(condition, self, other)``."""
        return where(condition, self, other)

    __add__ = _method_binary(_B.add, "add")
    __radd__ = _method_reflected(_B.add, "add")
    __iadd__ = _method_inplace(_B.add, "add_")
    __sub__ = _method_binary(_B.sub, "sub")
    __rsub__ = _method_reflected(_B.sub, "sub")
    __isub__ = _method_inplace(_B.sub, "sub_")
    __mul__ = _method_binary(_B.mul, "mul")
    __rmul__ = _method_reflected(_B.mul, "mul")
    __imul__ = _method_inplace(_B.mul, "mul_")
    __truediv__ = _method_binary(_B.div, "div")
    __rtruediv__ = _method_reflected(_B.div, "div")
    __itruediv__ = _method_inplace(_B.div, "div_")
    __floordiv__ = _method_binary(_B.floor_divide, "floor_divide")
    __rfloordiv__ = _method_reflected(_B.floor_divide, "floor_divide")
    __ifloordiv__ = _method_inplace(_B.floor_divide, "floor_divide_")
    __mod__ = _method_binary(_B.remainder, "remainder")
    __rmod__ = _method_reflected(_B.remainder, "remainder")
    __imod__ = _method_inplace(_B.remainder, "remainder_")
    __pow__ = _method_binary(_B.pow, "pow")
    __rpow__ = _method_reflected(_B.pow, "pow")
    __ipow__ = _method_inplace(_B.pow, "pow_")
    __and__ = _method_binary(_B.bitwise_and, "bitwise_and")
    __rand__ = _method_reflected(_B.bitwise_and, "bitwise_and")
    __iand__ = _method_inplace(_B.bitwise_and, "bitwise_and_")
    __or__ = _method_binary(_B.bitwise_or, "bitwise_or")
    __ror__ = _method_reflected(_B.bitwise_or, "bitwise_or")
    __ior__ = _method_inplace(_B.bitwise_or, "bitwise_or_")
    __xor__ = _method_binary(_B.bitwise_xor, "bitwise_xor")
    __rxor__ = _method_reflected(_B.bitwise_xor, "bitwise_xor")
    __ixor__ = _method_inplace(_B.bitwise_xor, "bitwise_xor_")
    __eq__ = _method_binary(_B.eq, "eq")
    __ne__ = _method_binary(_B.ne, "ne")
    __lt__ = _method_binary(_B.lt, "lt")
    __le__ = _method_binary(_B.le, "le")
    __gt__ = _method_binary(_B.gt, "gt")
    __ge__ = _method_binary(_B.ge, "ge")

    def __neg__(self):
        return _UNARY_METHODS["neg"](self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _UNARY_METHODS["abs"](self)

    def __invert__(self):
        return _tensor.wrap(_C.unary(_U.bitwise_not, self._impl))


for _name, _fn in {**_UNARY_METHODS, **_BINARY_METHODS}.items():
    setattr(ElementwiseMethods, _name, _fn)
del _name, _op, _what, _names, _fn, _fn_, _alias
