"""F.pad with PyTorch's arguments: modes 'constant', 'reflect', 'replicate' and 'circular' over
the last 1 to 3 dims; forward and backward are one ``_C`` kernel call each, and the backward is
differentiable (any order): it is linear in the gradient, and its own backward is pad again."""
from __future__ import annotations

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd.function import Function

__all__ = ["pad"]


class Pad(Function):
    """input -> pad(input); the gradient is PadBackward's (a crop or a scatter-add)."""

    @staticmethod
    def forward(ctx, input, pads, mode, value):
        ctx.args = (list(input._impl.shape), pads, mode)
        return wrap(_C.pad(input._impl, pads, mode, value))

    @staticmethod
    def backward(ctx, g):
        return PadBackward.apply(g, *ctx.args), None, None, None


class PadBackward(Function):
    """grad_output -> grad_input of pad: the adjoint of pad's linear part, so its own gradient
    is pad with zero fill (the constant value adds no slope)."""

    @staticmethod
    def forward(ctx, grad_output, input_size, pads, mode):
        ctx.args = (pads, mode)
        return wrap(_C.pad_backward(grad_output._impl, input_size, pads, mode))

    @staticmethod
    def backward(ctx, gg):
        pads, mode = ctx.args
        return Pad.apply(gg, pads, mode, 0.0), None, None, None


def pad(input, pad, mode="constant", value=None):
    """Pads the last len(pad) // 2 dims: pad = (left, right[, top, bottom[, front, back]]),
    the last dim first; negative constant padding crops. As ``torch.nn.functional.pad``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    pads = [int(p) for p in pad]
    if mode != "constant" and value is not None and value != 0:
        raise ValueError(f"pad: padding mode '{mode}' doesn't take in value argument")
    return Pad.apply(input, pads, mode, 0.0 if value is None else float(value))
