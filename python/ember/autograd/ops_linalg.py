"""Backward formulas of the matrix products: matmul (1-D, 2-D, batched, broadcast batch dims)
and its special cases mm, bmm, mv, dot; outer."""
from __future__ import annotations

from .. import _C
from .. import _reduction as R
from .. import _tensor
from .. import _views as V
from . import grad_mode
from .function import Function
from .ops_elementwise import unbroadcast


class Matmul(Function):
    """``kernel(a, b)`` for a C++ op with matmul's semantics on its inputs (``_C.matmul``,
    ``mm``, ``bmm``, ``mv``, ``dot``): the gradient is the one of matmul."""

    @staticmethod
    def forward(ctx, a, b, kernel):
        needs = ctx.needs_input_grad
        # Each gradient reads only the other operand.
        ctx.save_for_backward(a if needs[1] else None, b if needs[0] else None)
        return _tensor.wrap(kernel(a._impl, b._impl))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb, _ = ctx.needs_input_grad
        meta_a, meta_b = ctx._input_meta[:2]
        a_shape = meta_a[0] if na else a._impl.shape
        b_shape = meta_b[0] if nb else b._impl.shape
        if len(a_shape) == 2 and len(b_shape) == 2 and not grad_mode._enabled:
            # Matrices, backward without create_graph: the same C++ ops as below, directly.
            gi = g._impl
            ga = gb = None
            if na:
                bi = b._impl if b._impl.itemsize == gi.itemsize else b.to(g.dtype)._impl
                ga = _tensor.wrap(_C.matmul(gi, _C.transpose(bi, -2, -1)))
            if nb:
                ai = a._impl if a._impl.itemsize == gi.itemsize else a.to(g.dtype)._impl
                gb = _tensor.wrap(_C.matmul(_C.transpose(ai, -2, -1), gi))
            return ga, gb, None
        # Work on matrices: a vector operand becomes a row (left) or a column (right).
        a2_shape = (1,) + a_shape if len(a_shape) == 1 else a_shape
        b2_shape = b_shape + (1,) if len(b_shape) == 1 else b_shape
        batch = tuple(V.broadcast_shapes(a2_shape[:-2], b2_shape[:-2]))
        g2 = _as_shape(g, batch + (a2_shape[-2], b2_shape[-1]))
        ga = gb = None
        if na:
            b2 = _as_shape(b, b2_shape)
            if b2._impl.itemsize != g._impl.itemsize:
                b2 = b2.to(g.dtype)
            ga = _as_shape(unbroadcast(R.matmul(g2, b2.mT), a2_shape), a_shape)
        if nb:
            a2 = _as_shape(a, a2_shape)
            if a2._impl.itemsize != g._impl.itemsize:
                a2 = a2.to(g.dtype)
            gb = _as_shape(unbroadcast(R.matmul(a2.mT, g2), b2_shape), b_shape)
        return ga, gb, None


def _as_shape(t, shape):
    """t reshaped to shape (t itself when it has it already)."""
    return t if t._impl.shape == shape else t.reshape(shape)


class Outer(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return R.outer(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (R.mv(g, b.to(g.dtype)) if na else None,
                R.mv(g.t(), a.to(g.dtype)) if nb else None)
