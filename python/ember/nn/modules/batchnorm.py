"""BatchNorm1d/2d/3d: per-channel normalization by batch statistics while training, by running
statistics in eval mode (PyTorch's buffers, momentum rules and unbiased running variance)."""
from __future__ import annotations

from ... import _creation, _dtype
from ... import _tensor
from ...autograd import grad_mode
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


class _NormBase(Module):
    """The parameters (weight = 1 when ``affine``, bias = 0 when also ``bias``) and buffers (running_mean = 0,
    running_var = 1, num_batches_tracked = 0 when ``track_running_stats``) of batch norms."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum=0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True):
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(_creation.empty(num_features, **kw))
            if bias:
                self.bias = Parameter(_creation.empty(num_features, **kw))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, **kw))
            self.register_buffer("running_var", _creation.ones(num_features, **kw))
            self.register_buffer("num_batches_tracked",
                                 _tensor.tensor(0, dtype=_dtype.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with grad_mode.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input) -> None:
        raise NotImplementedError

    def forward(self, input):
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise ValueError(f"{self._get_name()}({self.num_features}): expected input with "
                             f"{self.num_features} channels in dim 1, got input of shape "
                             f"{tuple(input.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with grad_mode.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or (self.running_mean is None and
                                            self.running_var is None)
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep_running else None,
                            self.running_var if keep_running else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_NormBase):
    """Batch normalization over a 2-D (N, C) or 3-D (N, C, L) input."""

    def _check_input_dim(self, input) -> None:
        if input.ndim not in (2, 3):
            raise ValueError(f"{self._get_name()}: expected 2D or 3D input (got {input.ndim}D "
                             f"input of shape {tuple(input.shape)})")


class BatchNorm2d(_NormBase):
    """Batch normalization over a 4-D (N, C, H, W) input."""

    def _check_input_dim(self, input) -> None:
        if input.ndim != 4:
            raise ValueError(f"{self._get_name()}: expected 4D input (got {input.ndim}D input "
                             f"of shape {tuple(input.shape)})")


class BatchNorm3d(_NormBase):
    """Batch normalization over a 5-D (N, C, D, H, W) input."""

    def _check_input_dim(self, input) -> None:
        if input.ndim != 5:
            raise ValueError(f"{self._get_name()}: expected 5D input (got {input.ndim}D input "
                             f"of shape {tuple(input.shape)})")
