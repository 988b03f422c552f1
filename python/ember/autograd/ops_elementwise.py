"""Backward formulas of the elementwise family: unary functions, binary arithmetic with
broadcasting, ``where``, ``clamp``, rounding, dtype/device casts and copies.

Each formula is written with ember ops, so it runs on any device and, built from differentiable
ops, can itself be differentiated (``create_graph=True``).
"""
from __future__ import annotations

from .. import _C
from .. import _elementwise as E
from .. import _tensor
from . import grad_mode
from .function import Function
from .inplace import check_inplace  # noqa: F401 (re-exported for the in-place methods)

_U = _C.UnaryOp
_B = _C.BinaryOp


def unbroadcast(g, shape):
    """g summed over the dims that broadcasting added or stretched, back to ``shape``."""
    gshape = g._impl.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    dims = list(range(lead)) + [lead + i for i, s in enumerate(shape)
                                if s == 1 and gshape[lead + i] != 1]
    if not grad_mode._enabled:  # backward without create_graph: the same C++ ops, directly
        impl = _C.sum(g._impl, dims, True, None) if dims else g._impl
        return _tensor.wrap(_C.reshape(impl, shape))
    if dims:
        g = g.sum(dims, keepdim=True)
    return g.reshape(shape)


def zeros_like(t):
    """Zeros of t's shape, dtype and device (a fresh tensor)."""
    return _tensor.wrap(_C.expand(_C.scalar_tensor(0, t._impl.dtype), t._impl.shape)).to(
        t.device).clone()


# g, x, y (= f(x)) -> the gradient with respect to x.
_UNARY_GRAD = {
    _U.neg: lambda g, x, y: -g,
    _U.abs: lambda g, x, y: g * x.sign(),
    _U.exp: lambda g, x, y: g * y,
    _U.log: lambda g, x, y: g / x,
    _U.log1p: lambda g, x, y: g / (x + 1),
    _U.expm1: lambda g, x, y: g * (y + 1),
    _U.sqrt: lambda g, x, y: g / (y * 2),
    _U.rsqrt: lambda g, x, y: g * y * y * y * -0.5,
    _U.sin: lambda g, x, y: g * x.cos(),
    _U.cos: lambda g, x, y: -g * x.sin(),
    _U.tanh: lambda g, x, y: g * (1 - y * y),
    _U.sigmoid: lambda g, x, y: g * y * (1 - y),
    _U.relu: lambda g, x, y: g * (y > 0),
    _U.reciprocal: lambda g, x, y: -g * y * y,
    _U.square: lambda g, x, y: g * x * 2,
}
# Piecewise-constant functions: zero gradient almost everywhere (as in PyTorch).
for _op in (_U.sign, _U.floor, _U.ceil, _U.trunc, _U.round):
    _UNARY_GRAD[_op] = lambda g, x, y: zeros_like(g)


# Which of x and y (= f(x)) the formula of each op reads: only those are saved, so that the
# others may be written to in place before backward (and recording saves less).
_UNARY_SAVES = dict.fromkeys(_U.__members__.values(), (False, False))
_UNARY_SAVES.update(dict.fromkeys((_U.abs, _U.log, _U.log1p, _U.sin, _U.cos, _U.square),
                                  (True, False)))
_UNARY_SAVES.update(dict.fromkeys((_U.exp, _U.expm1, _U.sqrt, _U.rsqrt, _U.tanh, _U.sigmoid,
                                   _U.relu, _U.reciprocal), (False, True)))


class Unary(Function):
    """y = op(x) for one of the C++ unary ops; each op has its subclass (see _named), which
    knows what to save (``_saves``) and its formula (``_formula``)."""

    _saves = (False, False)
    _formula = None

    @classmethod
    def forward(cls, ctx, x, op):
        y = _tensor.wrap(_C.unary(op, x._impl))
        ctx.op = op
        save_x, save_y = cls._saves
        if save_x or save_y:
            ctx.save_for_backward(x if save_x else None, y if save_y else None)
        return y

    @classmethod
    def backward(cls, ctx, g):
        x, y = ctx.saved_tensors or (None, None)
        if cls._formula is None:
            raise RuntimeError(f"the derivative of {ctx.op.name} is not implemented")
        return cls._formula(g, x, y), None


def _where_zero(mask, g):
    return E.where(mask, 0.0, g)


# g, a, b, out, (needs a, needs b) -> (grad a, grad b) before unbroadcasting.
def _pow_grad(g, a, b, out, na, nb):
    ga = g * b * a ** (b - 1) if na else None
    gb = g * E.where((a == 0) & (b >= 0), 0.0, out * a.log()) if nb else None
    return ga, gb


def _max_min_grad(pick_a):
    def grad(g, a, b, out, na, nb):
        half = g / 2
        ga = E.where(a == b, half, E.where(pick_a(a, b), g, 0.0)) if na else None
        gb = E.where(a == b, half, E.where(pick_a(b, a), g, 0.0)) if nb else None
        return ga, gb
    return grad


_BINARY_GRAD = {
    _B.add: lambda g, a, b, out, na, nb: (g, g),
    _B.sub: lambda g, a, b, out, na, nb: (g, -g if nb else None),
    _B.mul: lambda g, a, b, out, na, nb: (g * b if na else None, g * a if nb else None),
    _B.div: lambda g, a, b, out, na, nb: (g / b if na else None,
                                          -g * out / b if nb else None),
    _B.pow: _pow_grad,
    _B.maximum: _max_min_grad(lambda a, b: a > b),
    _B.minimum: _max_min_grad(lambda a, b: a < b),
    _B.remainder: lambda g, a, b, out, na, nb: (
        g, -g * E.floor_divide(a, b) if nb else None),
    _B.floor_divide: lambda g, a, b, out, na, nb: (zeros_like(g), zeros_like(g)),
    _B.trunc_divide: lambda g, a, b, out, na, nb: (zeros_like(g), zeros_like(g)),
}


def _binary_saves(op, na: bool, nb: bool):
    """Which of (a, b, out) the formula of op reads, given which inputs need a gradient."""
    if op in (_B.add, _B.sub, _B.floor_divide, _B.trunc_divide):
        return False, False, False
    if op == _B.mul:
        return nb, na, False
    if op == _B.div:
        return False, True, nb
    if op == _B.pow:
        return True, True, nb
    return True, True, False  # maximum, minimum, remainder


class Binary(Function):
    """out = op(a, b) with broadcasting; a and b are tensors (scalars already made 0-d). Each op
    has its subclass (see _named), which knows what to save (``_saves``, by which inputs need a
    gradient) and its formula (``_formula``)."""

    _saves = {}
    _formula = None

    @classmethod
    def forward(cls, ctx, a, b, op):
        out = _tensor.wrap(_C.binary(op, a._impl, b._impl))
        ctx.op = op
        needs = ctx.needs_input_grad
        save_a, save_b, save_out = cls._saves[needs[0], needs[1]]
        if save_a or save_b or save_out:
            ctx.save_for_backward(a if save_a else None, b if save_b else None,
                                  out if save_out else None)
        return out

    @classmethod
    def backward(cls, ctx, g):
        a, b, out = ctx.saved_tensors or (None, None, None)
        if cls._formula is None:
            raise RuntimeError(f"the derivative of {ctx.op.name} is not implemented")
        if a is not None or b is not None:
            # A Python scalar operand became a 0-d CPU tensor, which the formulas' own
            # arithmetic (b - 1, ...) would keep on the CPU, away from a CUDA g.
            device = g._impl.device
            a = _on_device(a, device, g)
            b = _on_device(b, device, g)
        na, nb = ctx.needs_input_grad[:2]
        ga, gb = cls._formula(g, a, b, out, na, nb)
        meta_a, meta_b = ctx._input_meta[:2]
        return (unbroadcast(ga, meta_a[0]) if na else None,
                unbroadcast(gb, meta_b[0]) if nb else None, None)


def _on_device(t, device: str, like):
    if t is None or t._impl.device == device:
        return t
    return t.to(like.device)


class Where(Function):
    """where(cond, a, b); a and b are tensors."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond, a, b)
        return _tensor.wrap(_C.where(cond._impl, a._impl, b._impl))

    @staticmethod
    def backward(ctx, g):
        cond, a, b = ctx.saved_tensors
        _, na, nb = ctx.needs_input_grad
        return (None,
                unbroadcast(E.where(cond, g, 0.0), a._impl.shape) if na else None,
                unbroadcast(_where_zero(cond, g), b._impl.shape) if nb else None)


class Clamp(Function):
    """clamp(x, min, max); bounds are None, scalars or tensors (which get gradients too)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        return E.clamp(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        # The result is hi where x > hi or lo > hi, else lo where x < lo, else x.
        take_hi = take_lo = None
        if hi is not None:
            take_hi = x > hi
            if lo is not None:
                take_hi = take_hi | (lo > hi)
        if lo is not None:
            take_lo = x < lo
            if take_hi is not None:
                take_lo = take_lo & ~take_hi
        taken = take_hi if take_lo is None else take_lo if take_hi is None else take_hi | take_lo
        nx, nlo, nhi = ctx.needs_input_grad
        return (unbroadcast(_where_zero(taken, g), x._impl.shape) if nx else None,
                unbroadcast(E.where(take_lo, g, 0.0), lo._impl.shape) if nlo else None,
                unbroadcast(E.where(take_hi, g, 0.0), hi._impl.shape) if nhi else None)


class Round(Function):
    """round(x, decimals): zero gradient."""

    @staticmethod
    def forward(ctx, x, decimals):
        return E._round_impl(x, decimals, False)

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g), None


class ToCopy(Function):
    """x.to(...) that changed the dtype or device, given the converted tensor: the gradient
    goes back the same way."""

    @staticmethod
    def forward(ctx, x, converted):
        ctx.dtype, ctx.device = x.dtype, x.device
        return converted

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.device, ctx.dtype), None


class Clone(Function):
    """A copy (clone, contiguous): the gradient passes through."""

    @staticmethod
    def forward(ctx, x, fn):
        return fn(x)

    @staticmethod
    def backward(ctx, g):
        return g, None


def _named(base, ops, attrs):
    """One subclass of base per C++ op, so grad_fn names say which op (``MulBackward``), with
    the class attributes ``attrs(op)`` gives."""
    return {op: type("".join(w.capitalize() for w in name.split("_")), (base,),
                     {"__doc__": base.__doc__, "__module__": __name__, **attrs(op)})
            for name, op in ops.__members__.items()}


UNARY_FN = _named(Unary, _U, lambda op: {"_saves": _UNARY_SAVES[op],
                                         "_formula": staticmethod(_UNARY_GRAD[op])
                                         if op in _UNARY_GRAD else None})
BINARY_FN = _named(Binary, _B, lambda op: {
    "_saves": {(na, nb): _binary_saves(op, na, nb) for na in (False, True) for nb in (False, True)},
    "_formula": staticmethod(_BINARY_GRAD[op]) if op in _BINARY_GRAD else None})
