"""``dropout``: one fused kernel (``_C.dropout``) draws the Philox mask and scales in one pass;
the mask is the one of ``bernoulli_(1 - p)`` from the same generator state."""
from __future__ import annotations

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd import grad_mode
from ...autograd.function import Function

__all__ = ["dropout"]


class Dropout(Function):
    @staticmethod
    def forward(ctx, x, p):
        out, mask = _C.dropout(x._impl, p)
        ctx.mask = wrap(mask)
        ctx.scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
        return wrap(out)

    @staticmethod
    def backward(ctx, g):
        if grad_mode._enabled:  # create_graph: the same product with differentiable ops
            return g * (ctx.mask.to(g.dtype) * ctx.scale), None
        return wrap(_C.dropout_backward(g._impl, ctx.mask._impl, ctx.scale)), None


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)`` when
    ``training``; the input itself otherwise (and for p == 0). ``inplace`` writes the result
    into input when it needs no gradient."""
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout: expected a Tensor, got {type(input).__name__}")
    if not input.dtype.is_floating_point:
        raise TypeError(f"dropout: expected a floating-point input, got {input.dtype}")
    if not training or p == 0.0:
        return input
    out = Dropout.apply(input, float(p))
    if inplace and not (input.requires_grad and grad_mode._enabled):
        return input.copy_(out)
    return out
