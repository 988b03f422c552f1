"""Upsampling (F.interpolate, nn.Upsample) with PyTorch's arguments and index math: modes
'nearest', 'linear' (3-D input) and 'bilinear' (4-D input); forward and backward are one ``_C``
kernel call each (1-D runs as 2-D over a unit row)."""
from __future__ import annotations

import math

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd.function import Function

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_KERNEL_MODE = {"nearest": "nearest", "linear": "bilinear", "bilinear": "bilinear"}
_SPATIAL_DIMS = {"linear": 1, "bilinear": 2}


class Upsample2d(Function):
    """(.., H, W) -> (.., out_h, out_w); scales are the caller's scale factors or -1."""

    @staticmethod
    def forward(ctx, input, size, scales, mode, align_corners):
        ctx.args = (list(input._impl.shape), scales[0], scales[1], mode, align_corners)
        return wrap(_C.upsample(input._impl, size, scales[0], scales[1], mode, align_corners))

    @staticmethod
    def backward(ctx, g):
        return wrap(_C.upsample_backward(g._impl, *ctx.args)), None, None, None, None


def _per_dim(value, dims: int, name: str) -> list:
    values = list(value) if isinstance(value, (list, tuple)) else [value] * dims
    if len(values) != dims:
        raise ValueError(f"interpolate: {name} must have {dims} values for a {dims + 2}-D input, "
                         f"got {value}")
    return values


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes (N, C, L) or (N, C, H, W) to size, or by scale_factor (output floor(in * s));
    mode 'nearest', 'linear' or 'bilinear', as ``torch.nn.functional.interpolate``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if mode not in _KERNEL_MODE:
        raise NotImplementedError(f"interpolate: mode '{mode}' is not supported (ember has "
                                  f"'nearest', 'linear', 'bilinear')")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    dims = input.ndim - 2
    if dims not in (1, 2) or _SPATIAL_DIMS.get(mode, dims) != dims:
        need = {"linear": "3-D", "bilinear": "4-D"}.get(mode, "3-D or 4-D")
        raise ValueError(f"interpolate: mode '{mode}' needs a {need} input, got shape "
                         f"{tuple(input.shape)}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined"
                         if size is not None else
                         "interpolate: either size or scale_factor should be defined")
    spatial = list(input.shape)[2:]
    if size is not None:
        out = [int(s) for s in _per_dim(size, dims, "size")]
        scales = [-1.0] * dims
    else:
        factors = [float(s) for s in _per_dim(scale_factor, dims, "scale_factor")]
        out = [int(math.floor(float(n) * f)) for n, f in zip(spatial, factors)]
        scales = [-1.0] * dims if recompute_scale_factor else factors
    if any(n <= 0 for n in out):
        raise ValueError(f"interpolate: output size {tuple(out)} of input {tuple(input.shape)} "
                         f"must be > 0")
    align = bool(align_corners) if mode != "nearest" else False
    if dims == 1:
        return Upsample2d.apply(input.unsqueeze(-2), [1] + out, [-1.0] + scales,
                                _KERNEL_MODE[mode], align).squeeze(-2)
    return Upsample2d.apply(input, out, scales, _KERNEL_MODE[mode], align)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (as in PyTorch)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
