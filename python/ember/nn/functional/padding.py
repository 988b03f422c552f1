"""F.pad with PyTorch's arguments: modes 'constant', 'reflect', 'replicate' and 'circular' over
the last 1 to 3 dims; forward and backward are one ``_C`` kernel call each."""
from __future__ import annotations

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd.function import Function

__all__ = ["pad"]


class Pad(Function):
    @staticmethod
    def forward(ctx, input, pads, mode, value):
        ctx.args = (list(input._impl.shape), pads, mode)
        return wrap(_C.pad(input._impl, pads, mode, value))

    @staticmethod
    def backward(ctx, g):
        return wrap(_C.pad_backward(g._impl, *ctx.args)), None, None, None


def pad(input, pad, mode="constant", value=None):
    """Pads the last len(pad) // 2 dims: pad = (left, right[, top, bottom[, front, back]]),
    the last dim first; negative constant padding crops. As ``torch.nn.functional.pad``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    pads = [int(p) for p in pad]
    if mode != "constant" and value is not None and value != 0:
        raise ValueError(f"pad: padding mode '{mode}' doesn't take in value argument")
    return Pad.apply(input, pads, mode, 0.0 if value is None else float(value))
