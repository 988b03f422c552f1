"""``dropout``: one fused kernel (``_C.dropout``) draws the Philox mask and scales in one pass;
the mask is the one of ``bernoulli_(1 - p)`` from the same generator state. ``dropout1d/2d/3d``
(feature dropout) draw one such value per (sample, channel) and broadcast it over the channel's
feature map; ``alpha_dropout`` keeps SELU's mean and variance."""
from __future__ import annotations

import math
import warnings

from ... import _C
from ..._tensor import Tensor, wrap
from ...autograd import grad_mode
from ...autograd.function import Function

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]


class Dropout(Function):
    @staticmethod
    def forward(ctx, x, p):
        out, mask = _C.dropout(x._impl, p)
        ctx.mask = wrap(mask)
        ctx.scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
        return wrap(out)

    @staticmethod
    def backward(ctx, g):
        if grad_mode._enabled:  # create_graph: the same product with differentiable ops
            return g * (ctx.mask.to(g.dtype) * ctx.scale), None
        return wrap(_C.dropout_backward(g._impl, ctx.mask._impl, ctx.scale)), None


def _check(input, p, op):
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if not input.dtype.is_floating_point:
        raise TypeError(f"{op}: expected a floating-point input, got {input.dtype}")


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)`` when
    ``training``; the input itself otherwise (and for p == 0). ``inplace`` writes the result
    into input when it needs no gradient."""
    _check(input, p, "dropout")
    if not training or p == 0.0:
        return input
    out = Dropout.apply(input, float(p))
    if inplace and not (input.requires_grad and grad_mode._enabled):
        return input.copy_(out)
    return out


def _multiply(input, noise, inplace):
    if inplace and not (input.requires_grad and grad_mode._enabled):
        return input.mul_(noise)
    return input * noise


def _dropout_impl(input, p, training, inplace, feature, alpha):
    """PyTorch's ``_dropout_impl``: a 0/1 keep mask from ``bernoulli_(1 - p)``, one value per
    element or, for ``feature``, per (sample, channel) broadcast over the rest; scaled by
    ``1 / (1 - p)``, or for ``alpha`` mapped so that SELU's mean 0 / variance 1 survive."""
    if p == 0.0 or not training or input.numel() == 0:
        return input
    if p == 1.0:
        return _multiply(input, input.new_zeros(()), inplace)
    if feature and input.ndim < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, got "
                           f"input of shape {tuple(input.shape)}")
    shape = tuple(input.shape)[:2] + (1,) * (input.ndim - 2) if feature else tuple(input.shape)
    with grad_mode.no_grad():  # the noise is a constant of the result's graph
        noise = input.new_empty(shape).bernoulli_(1.0 - p)
        if alpha:
            a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1.0) * (1.0 - p))
            b = (noise - 1.0) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p
            noise.mul_(a)
        else:
            noise.mul_(1.0 / (1.0 - p))
    out = _multiply(input, noise, inplace)
    if not alpha:
        return out
    return out.add_(b) if out is input else out + b


# -(SELU's scale * alpha): the value SELU saturates to, which alpha dropout drops towards.
_SELU_ALPHA = 1.7580993408473766


def _feature_dropout(input, p, training, inplace, op, batched_dims):
    """Channel-wise dropout for dropout1d and dropout3d: an unbatched input (one dim fewer than
    batched_dims) is taken as one sample."""
    _check(input, p, op)
    if not training or p == 0.0:
        return input
    if input.ndim != batched_dims:  # in place, the unsqueezed view writes into input
        return _dropout_impl(input.unsqueeze(0), p, training, inplace, True, False).squeeze(0)
    return _dropout_impl(input, p, training, inplace, True, False)


def _warn_unusual_rank(input, spatial: int) -> None:
    """PyTorch's deprecation warning of dropout2d/3d for input of another rank."""
    if input.ndim not in (spatial + 1, spatial + 2):
        op = f"dropout{spatial}d"
        warnings.warn(f"{op}: Received a {input.ndim}-D input to {op}, which is deprecated and "
                      "will result in an error in a future release. To retain the behavior and "
                      "silence this warning, please use dropout instead. Note that "
                      f"{op} exists to provide channel-wise dropout on inputs with {spatial} "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      f"(i.e. {spatial + 1}D or {spatial + 2}D inputs).")


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of a (N, C, L) or unbatched (C, L) input with probability ``p``,
    scaling the rest by ``1 / (1 - p)``, when ``training``."""
    _check(input, p, "dropout1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           "input. Note that dropout1d exists to provide channel-wise dropout "
                           "on inputs with 1 spatial dimension, a channel dimension, and an "
                           "optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, "dropout1d", 3)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of a (N, C, H, W) input with probability ``p``, scaling the rest by
    ``1 / (1 - p)``, when ``training``. Like PyTorch, a 3-D input is taken as (N, C, L) (with a
    warning), and other ranks are accepted with a deprecation warning."""
    _check(input, p, "dropout2d")
    _warn_unusual_rank(input, 2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape "
                      "(C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.")
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of a (N, C, D, H, W) or unbatched (C, D, H, W) input with
    probability ``p``, scaling the rest by ``1 / (1 - p)``, when ``training``. Other ranks are
    accepted with PyTorch's deprecation warning."""
    _check(input, p, "dropout3d")
    _warn_unusual_rank(input, 3)
    return _feature_dropout(input, p, training, inplace, "dropout3d", 5)


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Alpha dropout (for SELU networks): dropped elements take SELU's saturation value and the
    result is rescaled so that a zero-mean, unit-variance input keeps its mean and variance."""
    _check(input, p, "alpha_dropout")
    return _dropout_impl(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Alpha dropout of whole channels (one draw per (sample, channel))."""
    _check(input, p, "feature_alpha_dropout")
    return _dropout_impl(input, p, training, inplace, True, True)
