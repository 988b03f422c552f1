"""LayerNorm (over the trailing ``normalized_shape`` dims of each sample), GroupNorm (over groups
of channels of each sample) and InstanceNorm1d/2d/3d (over each channel of each sample)."""
from __future__ import annotations

import numbers
import warnings

from ... import _creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .batchnorm import _NormBase
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d"]


def _affine_parameters(module, shape, affine: bool, bias: bool, device, dtype) -> None:
    """Registers ``weight`` and ``bias`` of ``shape`` (or None) on ``module`` and initializes
    them: LayerNorm's and GroupNorm's elementwise affine transform."""
    kw = {"device": device, "dtype": dtype}
    module.register_parameter("weight", Parameter(_creation.empty(*shape, **kw)) if affine
                              else None)
    module.register_parameter("bias", Parameter(_creation.empty(*shape, **kw))
                              if affine and bias else None)
    _reset_affine(module)


def _reset_affine(module) -> None:
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class LayerNorm(Module):
    """Normalizes over the last ``len(normalized_shape)`` dims; with ``elementwise_affine``
    a weight (ones) and bias (zeros, unless ``bias=False``) of ``normalized_shape``."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Splits the channels into ``num_groups`` groups and normalizes each sample's group; with
    ``affine`` a per-channel weight (ones) and bias (zeros, unless ``bias=False``)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, device, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_NormBase):
    """Instance normalization: PyTorch's defaults (affine=False, track_running_stats=False) and
    its handling of unbatched input (no batch dim: one sample)."""

    _no_batch_dim = 0  # the dims of an unbatched input

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.ndim - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"{self._get_name()}: expected input's size at "
                                 f"dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]} "
                                 f"(input of shape {tuple(input.shape)}).")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          "You can silence this warning by not passing in num_features, which "
                          "is not used because affine=False")
        if input.ndim == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)

    def _check_input_dim(self, input) -> None:
        if input.ndim not in (self._no_batch_dim, self._no_batch_dim + 1):
            raise ValueError(f"{self._get_name()}: expected {self._no_batch_dim}D or "
                             f"{self._no_batch_dim + 1}D input (got {input.ndim}D input of "
                             f"shape {tuple(input.shape)})")


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization over a 3-D (N, C, L) or unbatched 2-D (C, L) input."""

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization over a 4-D (N, C, H, W) or unbatched 3-D (C, H, W) input."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization over a 5-D (N, C, D, H, W) or unbatched 4-D (C, D, H, W) input."""

    _no_batch_dim = 4
