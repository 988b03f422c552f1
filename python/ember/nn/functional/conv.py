"""Convolutions with PyTorch's arguments: ``conv1d/2d/3d`` and ``conv_transpose1d/2d/3d``.

Three autograd Functions carry every convolution, each one C++ op, and each one's backward is
made of the three again, so derivatives of any order exist (``create_graph=True``):

- ``_Conv``: y = conv(x, w) (+ bias), the ``_C.convNd`` op;
- ``_ConvTranspose``: its adjoint in x, the ``_C.convNd_backward_input`` op: the transposed
  convolution, and conv's gradient to its input;
- ``_ConvWeightGrad``: conv's gradient to the weight, ``_C.convNd_backward_weight``, bilinear
  in (grad_output, input).

1-D runs as 2-D over a unit row; 2-D and 3-D have ops of their own. Each op takes an optional
``output_size`` (no larger than the size its geometry gives) so that a transposed convolution
with output_padding >= stride (allowed when dilation > output_padding) maps onto the same ops.
``variant`` picks the kernel: "naive" (direct loops, the reference), "im2col" (im2col or
vol2col + packed GEMM; on CUDA the implicit GEMM for 2-D), "implicit_gemm" (2-D, CUDA only: the
GEMM gathers from the image, no column buffer), "winograd" (CPU only, 2-D layers with a 3x3
kernel, stride 1 and dilation 1: Winograd F(2x2, 3x3) for the output and grad_input, im2col for
grad_weight; any other layer raises ValueError), "blocked" (CPU only: the register-blocked
direct kernels, output pixels x output-channel vectors in registers; grad_input and grad_weight
direct for stride 1, im2col otherwise) or "auto" (per layer, the kernel measured fastest:
depthwise kernels, Winograd on wide 3x3 layers, on AVX-512 CPUs the blocked kernels).
"""
from __future__ import annotations

from collections import namedtuple

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd.function import Function

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

# The C++ ops by number of spatial dims: forward, gradient to input, gradient to weight.
_OPS = {2: (_C.conv2d, _C.conv2d_backward_input, _C.conv2d_backward_weight),
        3: (_C.conv3d, _C.conv3d_backward_input, _C.conv3d_backward_weight)}

# The arguments every op of one convolution shares (stride, padding, dilation: lists; stride
# has one value per spatial dim, which picks the ops).
_Geometry = namedtuple("_Geometry", "stride padding dilation groups variant")


def _spatial(t) -> list:
    return list(t._impl.shape[2:])


class _Conv(Function):
    """y = conv(x, weight) + bias; out_size (or None) drops the outputs past it."""

    @staticmethod
    def forward(ctx, input, weight, bias, geo, out_size):
        ctx.save_for_backward(input, weight)
        ctx.geo = geo
        conv = _OPS[len(geo.stride)][0]
        return wrap(conv(input._impl, weight._impl, None if bias is None else bias._impl,
                         *geo, out_size or []))

    @staticmethod
    def backward(ctx, g):
        input, weight = ctx.saved_tensors
        need_input, need_weight, need_bias = ctx.needs_input_grad[:3]
        gi = _ConvTranspose.apply(g, weight, ctx.geo, _spatial(input)) if need_input else None
        gw = _ConvWeightGrad.apply(g, input, ctx.geo, list(weight.shape)) if need_weight else None
        gb = g.sum((0, *range(2, g.ndim))) if need_bias else None
        return gi, gw, gb, None, None


class _ConvTranspose(Function):
    """The adjoint of conv in its input: x (N, C_out, *in) -> (N, C_in, *out_size), with weight
    (C_out, C_in / groups, *kernel) in conv's layout (= the transposed conv's (in, out / groups))."""

    @staticmethod
    def forward(ctx, x, weight, geo, out_size):
        ctx.save_for_backward(x, weight)
        ctx.geo = geo
        n, groups = x._impl.shape[0], geo.groups
        full_size = [n, weight._impl.shape[1] * groups, *out_size]
        backward_input = _OPS[len(geo.stride)][1]
        return wrap(backward_input(x._impl, weight._impl, full_size, *geo, _spatial(x)))

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_weight = ctx.needs_input_grad[:2]
        gx = _Conv.apply(g, weight, None, ctx.geo, _spatial(x)) if need_x else None
        gw = _ConvWeightGrad.apply(x, g, ctx.geo, list(weight.shape)) if need_weight else None
        return gx, gw, None, None


class _ConvWeightGrad(Function):
    """conv's gradient to its weight (of weight_size) from grad_output and input."""

    @staticmethod
    def forward(ctx, grad_output, input, geo, weight_size):
        ctx.save_for_backward(grad_output, input)
        ctx.geo = geo
        backward_weight = _OPS[len(geo.stride)][2]
        return wrap(backward_weight(grad_output._impl, input._impl, weight_size, *geo,
                                    _spatial(grad_output)))

    @staticmethod
    def backward(ctx, g):
        grad_output, input = ctx.saved_tensors
        need_go, need_input = ctx.needs_input_grad[:2]
        ggo = _Conv.apply(input, g, None, ctx.geo, _spatial(grad_output)) if need_go else None
        gin = _ConvTranspose.apply(grad_output, g, ctx.geo, _spatial(input)) \
            if need_input else None
        return ggo, gin, None, None


def _ntuple(value, n: int, name: str, op: str) -> list:
    """value as n ints: an int repeats, a 1-sequence repeats, an n-sequence stays."""
    if isinstance(value, int):
        return [value] * n
    value = list(value)
    if len(value) == 1:
        value = value * n
    if len(value) != n or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{op}: expected an int or {n} ints for {name}, got {value}")
    return value


def _pair(value, name: str, op: str) -> list:
    """value as 2 ints (also used by the pooling functions)."""
    return _ntuple(value, 2, name, op)


def _single(value, name: str, op: str) -> int:
    """value as 1 int (also used by the pooling functions)."""
    return _ntuple(value, 1, name, op)[0]


def _padding(padding, kernel: tuple, stride: list, dilation: list, op: str) -> list:
    """padding as the C++ ops take it: one value per dim, or two (before, after) per dim for
    'same'."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return [0] * n
        if padding != "same":
            raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a tuple, "
                             f"got '{padding}'")
        if stride != [1] * n:
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={tuple(stride)})")
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]  # the odd one out goes after, as in PyTorch
        return pads
    return _ntuple(padding, n, "padding", op)


def _check(input, weight, bias, op: str) -> None:
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}: bias must be a Tensor or None, got {type(bias).__name__}")


def _check_ranks(input, weight, dims: int, op: str, weight_layout: str) -> None:
    if weight.ndim != dims + 2:
        raise ValueError(f"{op}: expected a {dims + 2}-D weight {weight_layout}, got shape "
                         f"{tuple(weight.shape)}")
    if input.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{op}: expected a {dims + 1}-D (C, *spatial) or {dims + 2}-D "
                         f"(N, C, *spatial) input, got shape {tuple(input.shape)}")


def _batched(fn, input, dims: int):
    """fn over a batch: an unbatched input gets a batch of one, removed again after."""
    if input.ndim == dims + 1:
        return fn(input.unsqueeze(0)).squeeze(0)
    return fn(input)


def _conv(input, weight, bias, stride, padding, dilation, groups, dims: int, op: str, variant):
    _check(input, weight, bias, op)
    if dims == 3:
        _check_ranks(input, weight, 3, op, "(C_out, C_in / groups, kD, kH, kW)")
    stride, dilation = _ntuple(stride, dims, "stride", op), _ntuple(dilation, dims, "dilation", op)
    padding = _padding(padding, tuple(weight._impl.shape[2:]), stride, dilation, op)
    geo = _Geometry(stride, padding, dilation, groups, variant)
    return _batched(lambda x: _Conv.apply(x, weight, bias, geo, None), input, dims)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           variant: str = "auto"):
    """2-D convolution of input (N, C_in, H, W) or (C_in, H, W) with weight
    (C_out, C_in / groups, kH, kW) and an optional bias (C_out,), as ``torch.nn.functional.conv2d``.
    padding: an int, a pair, 'valid' or 'same' (stride 1 only)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d", variant)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           variant: str = "auto"):
    """3-D convolution of input (N, C_in, D, H, W) or (C_in, D, H, W) with weight
    (C_out, C_in / groups, kD, kH, kW) and an optional bias (C_out,), as
    ``torch.nn.functional.conv3d``. padding: an int, a triple, 'valid' or 'same' (stride 1)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d", variant)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           variant: str = "auto"):
    """1-D convolution of input (N, C_in, L) or (C_in, L) with weight (C_out, C_in / groups, k),
    as ``torch.nn.functional.conv1d``: a conv2d over a unit row."""
    _check(input, weight, bias, "conv1d")
    _check_ranks(input, weight, 1, "conv1d", "(C_out, C_in / groups, k)")
    pad = padding if isinstance(padding, str) else [0] + _ntuple(padding, 1, "padding", "conv1d")
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(2), bias,
                 [1] + _ntuple(stride, 1, "stride", "conv1d"), pad,
                 [1] + _ntuple(dilation, 1, "dilation", "conv1d"), groups, variant=variant)
    return out.squeeze(-2)


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                    dims: int, op: str, variant: str):
    """The transposed convolution over `dims` spatial dims (2 or 3), with PyTorch's checks."""
    _check(input, weight, bias, op)
    _check_ranks(input, weight, dims, op, "(C_in, C_out / groups, *kernel)")
    stride, dilation = _ntuple(stride, dims, "stride", op), _ntuple(dilation, dims, "dilation", op)
    padding = _ntuple(padding, dims, "padding", op)
    output_padding = _ntuple(output_padding, dims, "output_padding", op)
    in_shape, w_shape = tuple(input.shape), tuple(weight.shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dtype != input.dtype or not t.dtype.is_floating_point
                              or t.device != input.device):
            raise TypeError(f"{op}: expected float32 or float64 input and {name} of one dtype "
                            f"and device, got {input.dtype} on {input.device} and {t.dtype} on "
                            f"{t.device}")
    if not isinstance(groups, int) or groups < 1 or w_shape[0] % groups:
        raise ValueError(f"{op}: weight of shape {w_shape} has {w_shape[0]} input channels, "
                         f"not divisible by groups={groups}")
    if in_shape[-dims - 1] != w_shape[0]:
        raise ValueError(f"{op}: weight of shape {w_shape} expects input of shape {in_shape} "
                         f"to have {w_shape[0]} channels, but it has {in_shape[-dims - 1]}")
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(f"{op}: expected stride >= 1, dilation >= 1, padding >= 0 and "
                         f"output_padding >= 0, got stride={tuple(stride)}, dilation="
                         f"{tuple(dilation)}, padding={tuple(padding)}, output_padding="
                         f"{tuple(output_padding)}")
    if any(p >= s and p >= d for p, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op}: output_padding={tuple(output_padding)} must be smaller than "
                         f"either stride={tuple(stride)} or dilation={tuple(dilation)}")
    if bias is not None and tuple(bias.shape) != (w_shape[1] * groups,):
        raise ValueError(f"{op}: bias of shape {tuple(bias.shape)} does not fit weight of shape "
                         f"{w_shape}: expected ({w_shape[1] * groups},)")
    out_size = [(i - 1) * s - 2 * p + d * (k - 1) + 1 + q for i, s, p, d, k, q in
                zip(in_shape[-dims:], stride, padding, dilation, w_shape[2:], output_padding)]
    if min(out_size) < 1:
        raise ValueError(f"{op}: input of shape {in_shape} with weight of shape {w_shape}, "
                         f"stride={tuple(stride)}, padding={tuple(padding)}, dilation="
                         f"{tuple(dilation)} gives an empty output of size {tuple(out_size)}")
    geo = _Geometry(stride, padding, dilation, groups, variant)

    def run(x):
        out = _ConvTranspose.apply(x, weight, geo, out_size)
        return out if bias is None else out + bias.reshape(1, -1, *([1] * dims))
    return _batched(run, input, dims)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, variant: str = "auto"):
    """2-D transposed convolution of input (N, C_in, H, W) or (C_in, H, W) with weight
    (C_in, C_out / groups, kH, kW) and an optional bias (C_out,), as
    ``torch.nn.functional.conv_transpose2d``: the gradient of conv2d to its input."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d", variant)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, variant: str = "auto"):
    """3-D transposed convolution of input (N, C_in, D, H, W) or (C_in, D, H, W) with weight
    (C_in, C_out / groups, kD, kH, kW), as ``torch.nn.functional.conv_transpose3d``."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3, "conv_transpose3d", variant)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, variant: str = "auto"):
    """1-D transposed convolution of input (N, C_in, L) or (C_in, L) with weight
    (C_in, C_out / groups, k), as ``torch.nn.functional.conv_transpose1d``: a
    conv_transpose2d over a unit row."""
    op = "conv_transpose1d"
    _check(input, weight, bias, op)
    _check_ranks(input, weight, 1, op, "(C_in, C_out / groups, k)")

    def unit_row(value, name):
        return [1 if name in ("stride", "dilation") else 0] + _ntuple(value, 1, name, op)
    try:
        out = _conv_transpose(input.unsqueeze(-2), weight.unsqueeze(2), bias,
                              unit_row(stride, "stride"), unit_row(padding, "padding"),
                              unit_row(output_padding, "output_padding"), groups,
                              unit_row(dilation, "dilation"), 2, op, variant)
    except ValueError as e:  # name the 1-D shapes, not the unit-row ones
        raise ValueError(f"{e} (1-D input of shape {tuple(input.shape)}, weight of shape "
                         f"{tuple(weight.shape)})") from None
    return out.squeeze(-2)
