"""Backward formulas of the matrix products: matmul (1-D, 2-D, batched, broadcast batch dims)
and its special cases mm, bmm, mv, dot; outer."""
from __future__ import annotations

from .. import _reduction as R
from .. import _views as V
from .function import Function
from .ops_elementwise import unbroadcast


class Matmul(Function):
    """``kernel(a, b)`` for a kernel with matmul's semantics on its inputs (matmul, mm, bmm,
    mv, dot): the gradient is the one of matmul."""

    @staticmethod
    def forward(ctx, a, b, kernel):
        ctx.save_for_backward(a, b)
        return kernel(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb, _ = ctx.needs_input_grad
        # Work on matrices: a vector operand becomes a row (left) or a column (right).
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        a2, b2 = a2.to(g.dtype), b2.to(g.dtype)
        batch = tuple(V.broadcast_shapes(a2._impl.shape[:-2], b2._impl.shape[:-2]))
        g2 = g.reshape(batch + (a2._impl.shape[-2], b2._impl.shape[-1]))
        ga = gb = None
        if na:
            ga = unbroadcast(R.matmul(g2, b2.mT), a2._impl.shape).reshape(a._impl.shape)
        if nb:
            gb = unbroadcast(R.matmul(a2.mT, g2), b2._impl.shape).reshape(b._impl.shape)
        return ga, gb, None


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
