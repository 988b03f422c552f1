"""Max, average and adaptive pooling (2-D, and 1-D as 2-D over a unit row), with PyTorch's
arguments; each forward and backward is one ``_C`` kernel call."""
from __future__ import annotations

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd.function import Function
from .conv import _pair, _single

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d",
           "max_pool1d", "avg_pool1d"]


def _tensor(input, op: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    return input._impl


class MaxPool2d(Function):
    """Max pooling, fixed windows (kernel given) or adaptive ones (output_size given)."""

    @staticmethod
    def forward(ctx, input, kernel, stride, padding, dilation, ceil_mode, output_size):
        if output_size is None:
            out, indices = _C.max_pool2d(input._impl, kernel, stride, padding, dilation, ceil_mode)
        else:
            out, indices = _C.adaptive_max_pool2d(input._impl, output_size)
        out, indices = wrap(out), wrap(indices)
        ctx.input_shape = list(input._impl.shape)
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        return out, indices

    @staticmethod
    def backward(ctx, g, _):
        indices, = ctx.saved_tensors
        return (wrap(_C.max_pool2d_backward(g._impl, indices._impl, ctx.input_shape)),
                None, None, None, None, None, None)


class AvgPool2d(Function):
    @staticmethod
    def forward(ctx, input, kernel, stride, padding, ceil_mode, count_include_pad, divisor):
        ctx.args = (list(input._impl.shape), kernel, stride, padding, ceil_mode,
                    count_include_pad, divisor)
        return wrap(_C.avg_pool2d(input._impl, kernel, stride, padding, ceil_mode,
                                  count_include_pad, divisor))

    @staticmethod
    def backward(ctx, g):
        return (wrap(_C.avg_pool2d_backward(g._impl, *ctx.args)),
                None, None, None, None, None, None)


class AdaptiveAvgPool2d(Function):
    @staticmethod
    def forward(ctx, input, output_size):
        ctx.input_shape = list(input._impl.shape)
        return wrap(_C.adaptive_avg_pool2d(input._impl, output_size))

    @staticmethod
    def backward(ctx, g):
        return wrap(_C.adaptive_avg_pool2d_backward(g._impl, ctx.input_shape)), None


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling of (N, C, H, W) or (C, H, W); stride defaults to kernel_size. With
    return_indices, also the flat position h * W + w of each max in its plane."""
    _tensor(input, "max_pool2d")
    kernel = _pair(kernel_size, "kernel_size", "max_pool2d")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", "max_pool2d")
    out, indices = MaxPool2d.apply(input, kernel, stride, _pair(padding, "padding", "max_pool2d"),
                                   _pair(dilation, "dilation", "max_pool2d"), bool(ceil_mode),
                                   None)
    return (out, indices) if return_indices else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling of (N, C, H, W) or (C, H, W); stride defaults to kernel_size."""
    _tensor(input, "avg_pool2d")
    kernel = _pair(kernel_size, "kernel_size", "avg_pool2d")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", "avg_pool2d")
    return AvgPool2d.apply(input, kernel, stride, _pair(padding, "padding", "avg_pool2d"),
                           bool(ceil_mode), bool(count_include_pad), divisor_override)


def _adaptive_size(input, output_size, op: str) -> list:
    """output_size as 2 ints: an int is square, None keeps the input's size."""
    size = [output_size, output_size] if output_size is None or isinstance(output_size, int) \
        else list(output_size)
    if len(size) != 2:
        raise ValueError(f"{op}: expected an int or 2 values for output_size, got {output_size}")
    shape = input._impl.shape
    if len(shape) < 2:
        raise ValueError(f"{op}: expected a 3-D or 4-D input, got shape {tuple(shape)}")
    return [shape[len(shape) - 2 + i] if s is None else s for i, s in enumerate(size)]


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to output_size (an int, a pair; None keeps that input size)."""
    _tensor(input, "adaptive_avg_pool2d")
    return AdaptiveAvgPool2d.apply(input, _adaptive_size(input, output_size,
                                                         "adaptive_avg_pool2d"))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to output_size (an int, a pair; None keeps that input size)."""
    _tensor(input, "adaptive_max_pool2d")
    out, indices = MaxPool2d.apply(input, None, None, None, None, None,
                                   _adaptive_size(input, output_size, "adaptive_max_pool2d"))
    return (out, indices) if return_indices else out


def _check_1d(input, op: str) -> None:
    _tensor(input, op)
    if input.ndim not in (2, 3):
        raise ValueError(f"{op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling of (N, C, L) or (C, L), as 2-D pooling over a unit row."""
    _check_1d(input, "max_pool1d")
    k = _single(kernel_size, "kernel_size", "max_pool1d")
    s = k if stride is None or stride == [] else _single(stride, "stride", "max_pool1d")
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s),
                     (0, _single(padding, "padding", "max_pool1d")),
                     (1, _single(dilation, "dilation", "max_pool1d")), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling of (N, C, L) or (C, L), as 2-D pooling over a unit row."""
    _check_1d(input, "avg_pool1d")
    k = _single(kernel_size, "kernel_size", "avg_pool1d")
    s = k if stride is None or stride == [] else _single(stride, "stride", "avg_pool1d")
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s),
                      (0, _single(padding, "padding", "avg_pool1d")), ceil_mode,
                      count_include_pad).squeeze(-2)
