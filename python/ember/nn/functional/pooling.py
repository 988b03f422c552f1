"""Max, average, adaptive, power-average (LP) pooling and max unpooling in 1-D, 2-D and 3-D, with
PyTorch's arguments. Each forward and backward is one ``_C`` kernel call (1-D runs as 2-D over a
unit row); the backward passes are Functions themselves, so double backward works: max pooling's
backward scatters by the indices and its transpose gathers by them; average pooling's backward
and its forward are each other's transpose."""
from __future__ import annotations

from ... import _C
from ..._elementwise import sign
from ..._tensor import Tensor, wrap
from ...autograd.function import Function
from .activation import relu
from .conv import _pair, _single

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d"]

_MAX_POOL = {2: _C.max_pool2d, 3: _C.max_pool3d}
_ADAPTIVE_MAX_POOL = {2: _C.adaptive_max_pool2d, 3: _C.adaptive_max_pool3d}
_MAX_POOL_BACKWARD = {2: _C.max_pool2d_backward, 3: _C.max_pool3d_backward}
_AVG_POOL = {2: _C.avg_pool2d, 3: _C.avg_pool3d}
_AVG_POOL_BACKWARD = {2: _C.avg_pool2d_backward, 3: _C.avg_pool3d_backward}
_ADAPTIVE_AVG_POOL = {2: _C.adaptive_avg_pool2d, 3: _C.adaptive_avg_pool3d}
_ADAPTIVE_AVG_POOL_BACKWARD = {2: _C.adaptive_avg_pool2d_backward,
                               3: _C.adaptive_avg_pool3d_backward}


def _tensor(input, op: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    return input._impl


def _triple(value, name: str, op: str) -> list:
    if isinstance(value, int):
        return [value] * 3
    value = list(value)
    if len(value) == 1:
        value = value * 3
    if len(value) != 3 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{op}: expected an int or 3 ints for {name}, got {value}")
    return value


_NTUPLE = {2: _pair, 3: _triple}


class MaxPool(Function):
    """Max pooling over nd spatial dims, fixed windows (kernel given) or adaptive ones
    (output_size given); returns (output, indices)."""

    @staticmethod
    def forward(ctx, input, nd, kernel, stride, padding, dilation, ceil_mode, output_size):
        if output_size is None:
            out, indices = _MAX_POOL[nd](input._impl, kernel, stride, padding, dilation,
                                         ceil_mode)
        else:
            out, indices = _ADAPTIVE_MAX_POOL[nd](input._impl, output_size)
        out, indices = wrap(out), wrap(indices)
        ctx.input_shape, ctx.nd = list(input._impl.shape), nd
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        return out, indices

    @staticmethod
    def backward(ctx, g, _):
        indices, = ctx.saved_tensors
        return (MaxPoolScatter.apply(g, indices, ctx.input_shape, ctx.nd),
                None, None, None, None, None, None, None)


class MaxPoolScatter(Function):
    """Max pooling's backward: values (.., pooled) added into zeros of shape at their indices."""

    @staticmethod
    def forward(ctx, values, indices, shape, nd):
        ctx.indices, ctx.nd = indices, nd
        return wrap(_MAX_POOL_BACKWARD[nd](values._impl, indices._impl, shape))

    @staticmethod
    def backward(ctx, g):
        return MaxPoolGather.apply(g, ctx.indices, ctx.nd), None, None, None


class MaxPoolGather(Function):
    """source (.., spatial) read at indices (.., pooled): MaxPoolScatter's transpose."""

    @staticmethod
    def forward(ctx, source, indices, nd):
        ctx.indices, ctx.nd, ctx.shape = indices, nd, list(source._impl.shape)
        return wrap(_C.max_pool_gather(source._impl, indices._impl, nd))

    @staticmethod
    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.indices, ctx.shape, ctx.nd), None, None


class MaxUnpool(Function):
    """input scattered into zeros of output_size (the last nd dims) at indices (range-checked)."""

    @staticmethod
    def forward(ctx, input, indices, output_size):
        ctx.indices, ctx.nd = indices, len(output_size)
        return wrap(_C.max_unpool(input._impl, indices._impl, output_size))

    @staticmethod
    def backward(ctx, g):
        return MaxPoolGather.apply(g, ctx.indices, ctx.nd), None, None


class AvgPool(Function):
    """Average pooling over nd spatial dims; args = (kernel, stride, padding, ceil_mode,
    count_include_pad, divisor_override)."""

    @staticmethod
    def forward(ctx, input, nd, args):
        ctx.nd, ctx.args, ctx.input_shape = nd, args, list(input._impl.shape)
        return wrap(_AVG_POOL[nd](input._impl, *args))

    @staticmethod
    def backward(ctx, g):
        return AvgPoolBackward.apply(g, ctx.input_shape, ctx.nd, ctx.args), None, None


class AvgPoolBackward(Function):
    @staticmethod
    def forward(ctx, g, input_shape, nd, args):
        ctx.nd, ctx.args = nd, args
        return wrap(_AVG_POOL_BACKWARD[nd](g._impl, input_shape, *args))

    @staticmethod
    def backward(ctx, gg):
        return AvgPool.apply(gg, ctx.nd, ctx.args), None, None, None


class AdaptiveAvgPool(Function):
    @staticmethod
    def forward(ctx, input, nd, output_size):
        ctx.nd, ctx.output_size, ctx.input_shape = nd, output_size, list(input._impl.shape)
        return wrap(_ADAPTIVE_AVG_POOL[nd](input._impl, output_size))

    @staticmethod
    def backward(ctx, g):
        return AdaptiveAvgPoolBackward.apply(g, ctx.input_shape, ctx.nd, ctx.output_size), \
            None, None


class AdaptiveAvgPoolBackward(Function):
    @staticmethod
    def forward(ctx, g, input_shape, nd, output_size):
        ctx.nd, ctx.output_size = nd, output_size
        return wrap(_ADAPTIVE_AVG_POOL_BACKWARD[nd](g._impl, input_shape))

    @staticmethod
    def backward(ctx, gg):
        return AdaptiveAvgPool.apply(gg, ctx.nd, ctx.output_size), None, None, None


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
              op):
    _tensor(input, op)
    tup = _NTUPLE[nd]
    kernel = tup(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or stride == [] else tup(stride, "stride", op)
    out, indices = MaxPool.apply(input, nd, kernel, stride, tup(padding, "padding", op),
                                 tup(dilation, "dilation", op), bool(ceil_mode), None)
    return (out, indices) if return_indices else out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling of (N, C, H, W) or (C, H, W); stride defaults to kernel_size. With
    return_indices, also the flat position h * W + w of each max in its plane."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W); stride defaults to kernel_size. With
    return_indices, also the flat position (d * H + h) * W + w of each max in its volume."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, "max_pool3d")


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, op):
    _tensor(input, op)
    tup = _NTUPLE[nd]
    kernel = tup(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or stride == [] else tup(stride, "stride", op)
    return AvgPool.apply(input, nd, (kernel, stride, tup(padding, "padding", op),
                                     bool(ceil_mode), bool(count_include_pad), divisor_override))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling of (N, C, H, W) or (C, H, W); stride defaults to kernel_size."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-D average pooling of (N, C, D, H, W) or (C, D, H, W); stride defaults to kernel_size."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, "avg_pool3d")


def _adaptive_size(input, output_size, nd: int, op: str) -> list:
    """output_size as nd ints: an int is repeated, None keeps the input's size."""
    size = [output_size] * nd if output_size is None or isinstance(output_size, int) \
        else list(output_size)
    if len(size) != nd:
        raise ValueError(f"{op}: expected an int or {nd} values for output_size, got "
                         f"{output_size}")
    shape = input._impl.shape
    if len(shape) < nd:
        raise ValueError(f"{op}: expected a {nd + 1}-D or {nd + 2}-D input, got shape "
                         f"{tuple(shape)}")
    return [shape[len(shape) - nd + i] if s is None else s for i, s in enumerate(size)]


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to output_size (an int, a pair; None keeps that input size)."""
    _tensor(input, "adaptive_avg_pool2d")
    return AdaptiveAvgPool.apply(input, 2, _adaptive_size(input, output_size, 2,
                                                          "adaptive_avg_pool2d"))


def adaptive_avg_pool3d(input, output_size):
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) to output_size (an int, 3 values;
    None keeps that input size)."""
    _tensor(input, "adaptive_avg_pool3d")
    return AdaptiveAvgPool.apply(input, 3, _adaptive_size(input, output_size, 3,
                                                          "adaptive_avg_pool3d"))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to output_size (an int, a pair; None keeps that input size)."""
    _tensor(input, "adaptive_max_pool2d")
    out, indices = MaxPool.apply(input, 2, None, None, None, None, None,
                                 _adaptive_size(input, output_size, 2, "adaptive_max_pool2d"))
    return (out, indices) if return_indices else out


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) to output_size (an int, 3 values; None
    keeps that input size)."""
    _tensor(input, "adaptive_max_pool3d")
    out, indices = MaxPool.apply(input, 3, None, None, None, None, None,
                                 _adaptive_size(input, output_size, 3, "adaptive_max_pool3d"))
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


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of (N, C, L) or (C, L) to output_size, as 2-D over a unit row."""
    _check_1d(input, "adaptive_avg_pool1d")
    size = _single(output_size, "output_size", "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of (N, C, L) or (C, L) to output_size, as 2-D over a unit row."""
    _check_1d(input, "adaptive_max_pool1d")
    size = _single(output_size, "output_size", "adaptive_max_pool1d")
    out, indices = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), True)
    return (out.squeeze(-2), indices.squeeze(-2)) if return_indices else out.squeeze(-2)


def _lp_pool(input, norm_type, kernel, stride, ceil_mode, pool):
    # PyTorch's formula: (sign(s) * relu(|s|) * window size) ** (1 / p), s the window mean of x**p
    out = pool(input.pow(norm_type), kernel, stride, 0, ceil_mode)
    size = 1
    for k in kernel:
        size *= k
    return (sign(out) * relu(out.abs())).mul(size).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling of (N, C, L) or (C, L): (sum of x**p over each window) ** (1/p)."""
    _check_1d(input, "lp_pool1d")
    k = _single(kernel_size, "kernel_size", "lp_pool1d")
    s = None if stride is None else _single(stride, "stride", "lp_pool1d")
    return _lp_pool(input, norm_type, [k], s, ceil_mode, avg_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling of (N, C, H, W) or (C, H, W): (sum of x**p over each window) **
    (1/p)."""
    _tensor(input, "lp_pool2d")
    return _lp_pool(input, norm_type, _pair(kernel_size, "kernel_size", "lp_pool2d"), stride,
                    ceil_mode, avg_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling of (N, C, D, H, W) or (C, D, H, W)."""
    _tensor(input, "lp_pool3d")
    return _lp_pool(input, norm_type, _triple(kernel_size, "kernel_size", "lp_pool3d"), stride,
                    ceil_mode, avg_pool3d)


def _unpool_size(input, nd, kernel, stride, padding, output_size, op) -> list:
    """PyTorch's _unpool_output_size: the default (in - 1) * stride - 2 * padding + kernel, or
    output_size (nd values, or with the leading (N, C) too) within a stride of it."""
    spatial = list(input.shape)[-nd:]
    default = [(spatial[i] - 1) * stride[i] - 2 * padding[i] + kernel[i] for i in range(nd)]
    if output_size is None:
        return default
    size = list(output_size)
    if len(size) == nd + 2:
        size = size[-nd:]
    if len(size) != nd:
        raise ValueError(f"{op}: output_size must have {nd} or {nd + 2} elements, got "
                         f"{tuple(output_size)}")
    for i in range(nd):
        if not default[i] - stride[i] < size[i] < default[i] + stride[i]:
            raise ValueError(f"{op}: invalid output_size {tuple(output_size)} (dim {i} must be "
                             f"between {default[i] - stride[i]} and {default[i] + stride[i]})")
    return [int(s) for s in size]


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size, op):
    _tensor(input, op)
    _tensor(indices, op)
    tup = _NTUPLE[nd]
    kernel = tup(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else tup(stride, "stride", op)
    size = _unpool_size(input, nd, kernel, stride, tup(padding, "padding", op), output_size, op)
    return MaxUnpool.apply(input, indices, size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of max_pool1d: (N, C, L) or (C, L) values put at their indices in zeros of the
    unpooled length (output_size, or the one max_pool1d came from by default)."""
    _check_1d(input, "max_unpool1d")
    one = (lambda v, name, op: [1, _single(v, name, op)])
    k = one(kernel_size, "kernel_size", "max_unpool1d")
    s = k if stride is None else one(stride, "stride", "max_unpool1d")
    p = [0, _single(padding, "padding", "max_unpool1d")]
    x, idx = input.unsqueeze(-2), indices.unsqueeze(-2)
    size = _unpool_size(x, 2, k, s, p, None, "max_unpool1d")
    if output_size is not None:
        size = [1] + _unpool_size(input, 1, k[1:], s[1:], p[1:], output_size, "max_unpool1d")
    return MaxUnpool.apply(x, idx, size).squeeze(-2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of max_pool2d: (N, C, H, W) or (C, H, W) values put at their indices in zeros of
    the unpooled size (output_size, or the one max_pool2d came from by default)."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size,
                       "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of max_pool3d on (N, C, D, H, W) or (C, D, H, W)."""
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size,
                       "max_unpool3d")
