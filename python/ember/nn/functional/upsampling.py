"""Upsampling (F.interpolate, nn.Upsample) with PyTorch's arguments and index math over 1 to 3
spatial dims: modes 'nearest' and 'nearest-exact' (3-D to 5-D input), 'linear' (3-D),
'bilinear' and 'bicubic' (4-D), 'trilinear' (5-D) and 'area' (adaptive average pooling).
Forward and backward are one ``_C`` kernel call each, and the backward is differentiable (both
are linear maps)."""
from __future__ import annotations

import math

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd.function import Function
from . import pooling

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_KERNEL_MODE = {"nearest": "nearest", "nearest-exact": "nearest-exact", "linear": "linear",
                "bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}
_LINEAR_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
_AREA = {1: pooling.adaptive_avg_pool1d, 2: pooling.adaptive_avg_pool2d,
         3: pooling.adaptive_avg_pool3d}
_UNSUPPORTED = ("lanczos",)


class Interpolate(Function):
    """(.., in...) -> (.., size...) over the last len(size) dims; scales are the caller's scale
    factors or -1 (then the sizes give the step)."""

    @staticmethod
    def forward(ctx, input, size, scales, mode, align_corners):
        ctx.args = (list(input._impl.shape), scales, mode, align_corners)
        return wrap(_C.upsample(input._impl, size, scales, mode, align_corners))

    @staticmethod
    def backward(ctx, g):
        return InterpolateBackward.apply(g, *ctx.args), None, None, None, None


class InterpolateBackward(Function):
    """grad_output -> grad_input of Interpolate: the transpose of a linear map, whose own
    gradient is Interpolate again."""

    @staticmethod
    def forward(ctx, grad_output, input_size, scales, mode, align_corners):
        ctx.size = list(grad_output._impl.shape)[-len(scales):]
        ctx.args = (scales, mode, align_corners)
        return wrap(_C.upsample_backward(grad_output._impl, input_size, *ctx.args))

    @staticmethod
    def backward(ctx, gg):
        return Interpolate.apply(gg, ctx.size, *ctx.args), None, None, None, None


def _output_size(input, size, scale_factor, dims: int):
    """(output sizes, scale factors or None) from size or scale_factor, checked as PyTorch does."""
    spatial = list(input.shape)[2:]
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        if not isinstance(size, (list, tuple)):
            return [size] * dims, None
        if len(size) != dims:
            raise ValueError(
                "interpolate: Input and output must have the same number of spatial dimensions, "
                f"but got input with spatial dimensions of {spatial} and output size of {size}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                "in (o1, o2, ...,oK) format.")
        if not all(isinstance(s, int) or hasattr(s, "__index__") for s in size):
            raise TypeError("interpolate: expected size to be one of int or Tuple[int] or "
                            "Tuple[int, int] or Tuple[int, int, int], but got size with types "
                            f"{[type(s) for s in size]}")
        return list(size), None
    if scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if not isinstance(scale_factor, (list, tuple)):
        return None, [scale_factor] * dims
    if len(scale_factor) != dims:
        raise ValueError(
            "interpolate: Input and scale_factor must have the same number of spatial "
            f"dimensions, but got input with spatial dimensions of {spatial} and scale_factor "
            f"of shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
            "format and scale_factor in (s1, s2, ...,sK) format.")
    return None, list(scale_factor)


def _check_rank(input, mode: str) -> None:
    """PyTorch's errors for a mode that does not fit the input's rank."""
    rank = input.ndim
    need = _LINEAR_RANK.get(mode)
    if need is not None and rank in (3, 4, 5) and rank != need:
        raise NotImplementedError(f"interpolate: Got {rank}D input, but {mode} mode needs "
                                  f"{need}D input")
    if rank not in (3, 4, 5) or (mode not in _KERNEL_MODE and mode != "area"):
        raise NotImplementedError(
            f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got {rank}D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes (N, C, L), (N, C, H, W) or (N, C, D, H, W) to size, or by scale_factor (output
    floor(in * s)); mode 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic',
    'trilinear' or 'area', as ``torch.nn.functional.interpolate``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if mode in _UNSUPPORTED:
        raise NotImplementedError(f"interpolate: mode '{mode}' is not supported (ember has "
                                  "'nearest', 'nearest-exact', 'linear', 'bilinear', "
                                  "'bicubic', 'trilinear', 'area')")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    dims = input.ndim - 2
    out, factors = _output_size(input, size, scale_factor, dims)
    if recompute_scale_factor and size is not None:
        raise ValueError("interpolate: recompute_scale_factor is not meaningful with an "
                         "explicit size.")
    _check_rank(input, mode)
    spatial = list(input.shape)[2:]
    if factors is not None:
        factors = [float(f) for f in factors]
        out = [int(math.floor(float(n) * f)) for n, f in zip(spatial, factors)]
        if recompute_scale_factor or mode == "area":  # the sizes alone give the step
            factors = None
    out = [int(n) for n in out]
    if any(n <= 0 for n in out):
        raise ValueError(f"interpolate: input and output sizes should be greater than 0, got "
                         f"output size {tuple(out)} for input of shape {tuple(input.shape)}")
    if mode == "area":
        return _AREA[dims](input, out)
    return Interpolate.apply(input, out, [-1.0] * dims if factors is None else factors,
                             _KERNEL_MODE[mode], bool(align_corners))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (as in PyTorch)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
