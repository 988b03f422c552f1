"""``conv2d`` and ``conv1d`` (a conv2d over an added unit row), with PyTorch's arguments.

The forward is one ``_C.conv2d`` call; the backward is ``_C.conv2d_backward_input`` and
``_C.conv2d_backward_weight`` plus a sum for the bias. ``variant`` picks the kernel:
"naive" (direct loops, the reference), "im2col" (im2col + packed GEMM; on CUDA the implicit
GEMM), "implicit_gemm" (CUDA only: the GEMM gathers from the image, no column buffer) or "auto".
"""
from __future__ import annotations

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd.function import Function

__all__ = ["conv2d", "conv1d"]


def _pair(value, name: str, op: str) -> list:
    if isinstance(value, int):
        return [value, value]
    value = list(value)
    if len(value) == 1:
        return value * 2
    if len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{op}: expected an int or 2 ints for {name}, got {value}")
    return value


def _padding(padding, kernel: tuple, stride: list, dilation: list, op: str) -> list:
    """padding as the C++ op takes it: 2 values, or 4 (top, bottom, left, right) for 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return [0, 0]
        if padding != "same":
            raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a tuple, "
                             f"got '{padding}'")
        if stride != [1, 1]:
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={tuple(stride)})")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]  # the odd one out goes after, as in PyTorch
        return pads
    return _pair(padding, "padding", op)


class Conv2d(Function):
    @staticmethod
    def forward(ctx, input, weight, bias, stride, padding, dilation, groups, variant):
        ctx.save_for_backward(input, weight)
        ctx.geometry = (stride, padding, dilation, groups, variant)
        return wrap(_C.conv2d(input._impl, weight._impl, None if bias is None else bias._impl,
                              stride, padding, dilation, groups, variant))

    @staticmethod
    def backward(ctx, g):
        input, weight = ctx.saved_tensors
        need_input, need_weight, need_bias = ctx.needs_input_grad[:3]
        geometry = ctx.geometry
        gi = gw = gb = None
        if need_input:
            gi = wrap(_C.conv2d_backward_input(g._impl, weight._impl, list(input._impl.shape),
                                               *geometry))
        if need_weight:
            gw = wrap(_C.conv2d_backward_weight(g._impl, input._impl, list(weight._impl.shape),
                                                *geometry))
        if need_bias:
            gb = g.sum((0, 2, 3))
        return gi, gw, gb, None, None, None, None, None


def _check(input, weight, bias, op: str) -> None:
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}: bias must be a Tensor or None, got {type(bias).__name__}")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           variant: str = "auto"):
    """2-D convolution of input (N, C_in, H, W) or (C_in, H, W) with weight
    (C_out, C_in / groups, kH, kW) and an optional bias (C_out,), as ``torch.nn.functional.conv2d``.
    padding: an int, a pair, 'valid' or 'same' (stride 1 only)."""
    _check(input, weight, bias, "conv2d")
    stride, dilation = _pair(stride, "stride", "conv2d"), _pair(dilation, "dilation", "conv2d")
    kernel = tuple(weight._impl.shape[2:])
    padding = _padding(padding, kernel, stride, dilation, "conv2d")
    if input.ndim == 3:  # unbatched
        return Conv2d.apply(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups,
                            variant).squeeze(0)
    return Conv2d.apply(input, weight, bias, stride, padding, dilation, groups, variant)


def _single(value, name: str, op: str) -> int:
    if isinstance(value, int):
        return value
    value = list(value)
    if len(value) != 1 or not isinstance(value[0], int):
        raise ValueError(f"{op}: expected an int for {name}, got {value}")
    return value[0]


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           variant: str = "auto"):
    """1-D convolution of input (N, C_in, L) or (C_in, L) with weight (C_out, C_in / groups, k),
    as ``torch.nn.functional.conv1d``: a conv2d over a unit row."""
    _check(input, weight, bias, "conv1d")
    if weight.ndim != 3:
        raise ValueError(f"conv1d: expected a 3-D weight (C_out, C_in / groups, k), got shape "
                         f"{tuple(weight.shape)}")
    if input.ndim not in (2, 3):
        raise ValueError(f"conv1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    pad = padding if isinstance(padding, str) else (0, _single(padding, "padding", "conv1d"))
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(2), bias,
                 (1, _single(stride, "stride", "conv1d")), pad,
                 (1, _single(dilation, "dilation", "conv1d")), groups, variant=variant)
    return out.squeeze(-2)
