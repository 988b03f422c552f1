"""``batch_norm``, ``layer_norm`` and ``group_norm``: fused C++/CUDA kernels forward and backward
(statistics in double); their composite forms (differentiable ember ops) serve double backward.
``instance_norm`` is ``batch_norm`` over the (1, N * C, *) view, as in PyTorch."""
from __future__ import annotations

import math

from ... import _C, _reduction
from ..._tensor import Tensor, wrap
from ...autograd import engine, grad_mode
from ...autograd.function import Function

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm"]


def _impl(t):
    return None if t is None else t._impl


def _composite_grads(inputs, need, g, composite):
    """A create_graph backward: the gradients, for the inputs whose ``need`` is set, of the
    composite form ``composite()`` (differentiable ember ops), as a graph."""
    with grad_mode.enable_grad():
        y = composite()
    wanted = [t for t, nd in zip(inputs, need) if nd]
    grads = iter(engine.grad(y, wanted, g, create_graph=True))
    return tuple(next(grads) if nd else None for nd in need)


class _FusedNorm(Function):
    """The backward shared by the fused normalizations, whose forward saves (x, weight, bias)
    as its first three arguments: the subclass's fused gradient kernel
    (``fused_backward(ctx, g, x, weight, need)`` -> dx, dw, db as ``_C`` tensors or None) or,
    under create_graph (a double backward), the gradients of its composite form
    (``composite(ctx, x, weight, bias)``, differentiable ember ops)."""

    @staticmethod
    def backward(ctx, g):
        x, weight, bias = ctx.saved_tensors
        need = ctx.needs_input_grad[:3]
        norm = ctx._function
        if grad_mode._enabled:  # create_graph: gradients as a graph of differentiable ops
            grads = _composite_grads((x, weight, bias), need, g,
                                     lambda: norm.composite(ctx, x, weight, bias))
        else:
            grads = tuple(None if t is None else wrap(t)
                          for t in norm.fused_backward(ctx, g, x, weight, need))
        return grads + (None,) * (len(ctx.needs_input_grad) - 3)


class BatchNorm(_FusedNorm):
    """The fused kernels: ``_C.batch_norm`` (per-channel statistics and normalization in one
    kernel) and ``_C.batch_norm_backward``; the running statistics move in place here, without
    gradient."""

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        y, mean, var = _C.batch_norm(x._impl, _impl(weight), _impl(bias), _impl(running_mean),
                                     _impl(running_var), training, eps)
        if training:
            count = x.numel() // x.shape[1]
            if running_mean is not None:
                running_mean.mul_(1.0 - momentum).add_(wrap(mean).to(running_mean.dtype) *
                                                       momentum)
            if running_var is not None:  # the unbiased variance, like PyTorch
                running_var.mul_(1.0 - momentum).add_(
                    wrap(var).to(running_var.dtype) * (momentum * count / (count - 1)))
        ctx.save_for_backward(x, weight, bias)
        ctx.stats, ctx.training, ctx.eps = (mean, var), training, eps
        return wrap(y)

    @staticmethod
    def fused_backward(ctx, g, x, weight, need):
        mean, var = ctx.stats
        return _C.batch_norm_backward(g._impl, x._impl, mean, var, _impl(weight), ctx.training,
                                      ctx.eps, *need)

    @staticmethod
    def composite(ctx, x, weight, bias):
        if ctx.training:
            var, mean = _reduction.var_mean(x, (0,) + tuple(range(2, x.ndim)), correction=0)
        else:
            mean, var = (wrap(t).to(x.dtype) for t in ctx.stats)
        return _batch_norm_composite(x, mean, var, weight, bias, ctx.eps)


def _batch_norm_composite(input, mean, var, weight, bias, eps):
    bshape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    y = (input - mean.reshape(bshape)) * (var.reshape(bshape) + eps).rsqrt()
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5):
    """Normalizes each channel (dim 1) of an (N, C, *) input by the batch's statistics
    (``training``; running_mean/var then move by ``momentum``, the variance unbiased) or by
    the running ones, then scales by weight and shifts by bias (both (C,)). One fused kernel
    forward, one backward."""
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise TypeError("batch_norm: expected a floating-point Tensor input")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dims (N, C, *), got "
                         f"shape {tuple(input.shape)}")
    shape = tuple(input.shape)
    c = shape[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"batch_norm: {name} should contain {c} elements (one per "
                               f"channel of input of shape {shape}), got shape {tuple(t.shape)}")
    if training and input.numel() // max(c, 1) <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {shape}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean and running_var are required when not "
                           "training")
    return BatchNorm.apply(input, weight, bias, running_mean, running_var, bool(training),
                           float(momentum), float(eps))


class LayerNorm(_FusedNorm):
    """The fused kernels: ``_C.layer_norm`` (statistics and affine map in one pass per row)
    and ``_C.layer_norm_backward``."""

    @staticmethod
    def forward(ctx, x, weight, bias, normalized_shape, eps):
        n = math.prod(normalized_shape)
        y, mean, rstd = _C.layer_norm(x._impl, n, _impl(weight), _impl(bias), eps)
        ctx.save_for_backward(x, weight, bias)
        ctx.stats, ctx.n, ctx.shape, ctx.eps = (mean, rstd), n, normalized_shape, eps
        return wrap(y)

    @staticmethod
    def fused_backward(ctx, g, x, weight, need):
        mean, rstd = ctx.stats
        return _C.layer_norm_backward(g._impl, x._impl, mean, rstd, _impl(weight), ctx.n, *need)

    @staticmethod
    def composite(ctx, x, weight, bias):
        return _layer_norm_composite(x, ctx.shape, weight, bias, ctx.eps)


def _check_layer_norm(input, normalized_shape, weight, bias) -> tuple:
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise TypeError("layer_norm: expected a floating-point Tensor input")
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
        tuple(normalized_shape)
    k = len(normalized_shape)
    shape = tuple(input.shape)
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, normalized_shape))}], but got "
                           f"input of size {list(shape)}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"layer_norm: {name} of shape {tuple(t.shape)} does not match "
                               f"normalized_shape {normalized_shape}")
        if t is not None and (t.dtype != input.dtype or t.device != input.device):
            raise RuntimeError(f"layer_norm: {name} ({t.dtype}, {t.device}) must have the "
                               f"input's dtype and device ({input.dtype}, {input.device})")
    return normalized_shape


def _layer_norm_composite(input, normalized_shape, weight, bias, eps):
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    var, mean = _reduction.var_mean(input, dims, correction=0, keepdim=True)
    y = (input - mean) * (var + eps).rsqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalizes over the last ``len(normalized_shape)`` dims (which must equal
    normalized_shape), then scales by weight and shifts by bias (both of normalized_shape).
    One fused kernel forward, one per gradient backward."""
    normalized_shape = _check_layer_norm(input, normalized_shape, weight, bias)
    if weight is None and bias is not None:  # the kernel's bias gradient needs a weight
        return LayerNorm.apply(input, None, None, normalized_shape, float(eps)) + bias
    return LayerNorm.apply(input, weight, bias, normalized_shape, float(eps))


class GroupNorm(_FusedNorm):
    """The fused kernels: ``_C.group_norm`` (per-(sample, group) statistics and the affine map in
    one kernel) and ``_C.group_norm_backward``."""

    @staticmethod
    def forward(ctx, x, weight, bias, num_groups, eps):
        y, mean, rstd = _C.group_norm(x._impl, _impl(weight), _impl(bias), num_groups, eps)
        ctx.save_for_backward(x, weight, bias)
        ctx.stats, ctx.num_groups, ctx.eps = (mean, rstd), num_groups, eps
        return wrap(y)

    @staticmethod
    def fused_backward(ctx, g, x, weight, need):
        mean, rstd = ctx.stats
        return _C.group_norm_backward(g._impl, x._impl, mean, rstd, _impl(weight),
                                      ctx.num_groups, *need)

    @staticmethod
    def composite(ctx, x, weight, bias):
        return _group_norm_composite(x, ctx.num_groups, weight, bias, ctx.eps)


def _group_norm_composite(input, num_groups, weight, bias, eps):
    shape = tuple(input.shape)
    grouped = input.reshape(shape[0], num_groups, -1)
    var, mean = _reduction.var_mean(grouped, (2,), correction=0, keepdim=True)
    y = ((grouped - mean) * (var + eps).rsqrt()).reshape(shape)
    bshape = (1, shape[1]) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Splits the C channels of an (N, C, *) input into ``num_groups`` groups of consecutive
    channels, normalizes each sample's group by its own mean and (biased) variance, then scales
    by weight and shifts by bias (both (C,)). One fused kernel forward, one backward."""
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise TypeError("group_norm: expected a floating-point Tensor input")
    shape = tuple(input.shape)
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2 dimensions for input tensor but "
                           f"received {input.ndim} (shape {shape})")
    if not isinstance(num_groups, int) or num_groups <= 0 or shape[1] % num_groups:
        raise RuntimeError(f"group_norm: expected number of channels in input to be divisible "
                           f"by num_groups, but got input of shape {list(shape)} and "
                           f"num_groups={num_groups}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != (shape[1],):
            raise RuntimeError(f"group_norm: expected {name} to be a vector of size equal to "
                               f"the number of channels in input ({shape[1]}), but got {name} "
                               f"of shape {list(t.shape)} for input of shape {list(shape)}")
        if t is not None and (t.dtype != input.dtype or t.device != input.device):
            raise RuntimeError(f"group_norm: {name} ({t.dtype}, {t.device}) must have the "
                               f"input's dtype and device ({input.dtype}, {input.device})")
    if weight is None and bias is not None:  # the kernel's affine map takes either
        return GroupNorm.apply(input, None, None, int(num_groups), float(eps)) + \
            bias.reshape((1, shape[1]) + (1,) * (input.ndim - 2))
    return GroupNorm.apply(input, weight, bias, int(num_groups), float(eps))


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5):
    """Normalizes each channel of each sample of an (N, C, *) input by its own statistics
    (``use_input_stats``; running_mean/var, when given, then move by ``momentum`` towards the
    batch average of the per-instance ones, the variance unbiased), or by the running ones.
    Then scales by weight and shifts by bias (both (C,))."""
    if not isinstance(input, Tensor) or not input.dtype.is_floating_point:
        raise TypeError("instance_norm: expected a floating-point Tensor input")
    shape = tuple(input.shape)
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of at least 3 dims (N, C, *), got "
                         f"shape {shape}")
    if use_input_stats and math.prod(shape[2:]) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(shape)}")
    if not use_input_stats:  # per channel by the running statistics: batch norm in eval mode
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    n, c = shape[0], shape[1]

    def per_instance(t):  # a (C,) tensor repeated for each of the N samples
        return None if t is None else t.reshape(1, c).expand(n, c).reshape(n * c)

    rm, rv = per_instance(running_mean), per_instance(running_var)
    if rm is not None:
        rm = rm.clone()
    if rv is not None:
        rv = rv.clone()
    y = batch_norm(input.reshape((1, n * c) + shape[2:]), rm, rv, per_instance(weight),
                   per_instance(bias), True, momentum, eps)
    with grad_mode.no_grad():
        if running_mean is not None:
            running_mean.copy_(rm.reshape(n, c).mean(0))
        if running_var is not None:
            running_var.copy_(rv.reshape(n, c).mean(0))
    return y.reshape(shape)
