"""Functional losses (``torch.nn.functional`` names, arguments and defaults).

cross_entropy is one fused C++ kernel per row (log_softmax + NLL, with class weights,
ignore_index, label smoothing and probability targets) and one fused backward; binary cross
entropy (with and without logits) has a closed-form backward; the other losses are compositions
of differentiable ember ops. ``reduction`` is 'none', 'mean' or 'sum' everywhere ('batchmean'
too for kl_div); the legacy ``size_average``/``reduce`` arguments are honoured as in PyTorch.
"""
from __future__ import annotations

import warnings

from ... import _C
from ... import _creation
from ... import _elementwise as E
from ... import _tensor
from ...autograd.function import Function
from . import activation as _act

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "hinge_embedding_loss", "multi_margin_loss", "soft_margin_loss", "cosine_embedding_loss",
    "margin_ranking_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """The reduction that PyTorch's deprecated size_average/reduce arguments ask for."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduction(size_average, reduce, reduction: str, allowed=_REDUCTIONS) -> str:
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction: str):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_tensors(name: str, **tensors) -> None:
    for what, t in tensors.items():
        if not isinstance(t, _tensor.Tensor):
            raise TypeError(f"{name}(): argument '{what}' must be a Tensor, not {type(t).__name__}")


def _check_broadcast(name: str, input, target) -> None:
    """PyTorch's rule for the pointwise regression losses: target should have input's shape; a
    shape that only broadcasts warns; one that does not raises."""
    if input.shape == target.shape:
        return
    from ... import _views
    try:
        _views.broadcast_shapes(input.shape, target.shape)
    except (ValueError, RuntimeError) as e:
        raise ValueError(f"{name}: target of shape {tuple(target.shape)} doesn't match input of "
                         f"shape {tuple(input.shape)}") from e
    warnings.warn(f"{name}: using a target size {tuple(target.shape)} that is different to the "
                  f"input size {tuple(input.shape)}; this will likely lead to incorrect results "
                  "due to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _check_same_shape(name: str, input, target) -> None:
    if input.shape != target.shape:
        raise ValueError(f"{name}: target of shape {tuple(target.shape)} must have the input's "
                         f"shape {tuple(input.shape)}")


# --- regression losses -------------------------------------------------------------------------

def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None):
    """Mean squared error: (input - target)^2, optionally times weight, reduced."""
    _check_tensors("mse_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_broadcast("mse_loss", input, target)
    diff = input - target
    loss = diff * diff
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None):
    """Mean absolute error |input - target|, optionally times weight, reduced."""
    _check_tensors("l1_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_broadcast("l1_loss", input, target)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0):
    """0.5 d^2 / beta where d = |input - target| < beta, else d - 0.5 beta."""
    _check_tensors("smooth_l1_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise ValueError("smooth_l1_loss: beta must be non-negative")
    _check_broadcast("smooth_l1_loss", input, target)
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(E.where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta), reduction)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """0.5 d^2 where d = |input - target| < delta, else delta (d - 0.5 delta)."""
    _check_tensors("huber_loss", input=input, target=target)
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise ValueError("huber_loss: delta must be positive")
    _check_broadcast("huber_loss", input, target)
    d = (input - target).abs()
    loss = E.where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# --- classification losses ---------------------------------------------------------------------

class _CrossEntropy(Function):
    """The fused cross-entropy kernel; backward = (softmax - target) * weight * grad."""

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, label_smoothing, reduction):
        w = None if weight is None else weight._impl
        result = _C.cross_entropy_forward(input._impl, target._impl, w, ignore_index,
                                          label_smoothing, reduction)
        ctx.result = result
        ctx.options = (ignore_index, label_smoothing, reduction)
        ctx.save_for_backward(input, target, weight)
        return _tensor.wrap(result.loss)

    @staticmethod
    def backward(ctx, grad):
        input, target, weight = ctx.saved_tensors
        grad = _act.on_device_of(grad, input)
        ignore_index, label_smoothing, reduction = ctx.options
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = _tensor.wrap(_C.cross_entropy_backward(
                grad._impl, input._impl, target._impl, None if weight is None else weight._impl,
                ctx.result, ignore_index, label_smoothing, reduction))
        if ctx.needs_input_grad[1]:  # probability targets: d loss / d q = -(1 - eps) w log p
            grad_target = _probability_target_grad(grad, input, weight, label_smoothing,
                                                   reduction)
        return grad_input, grad_target, None, None, None, None


def _class_shape(input, classes: int):
    """A shape that broadcasts a (C,) vector along input's class dim."""
    shape = [1] * input.dim()
    shape[0 if input.dim() == 1 else 1] = classes
    return shape


def _probability_target_grad(grad, input, weight, label_smoothing: float, reduction):
    class_dim = 0 if input.dim() == 1 else 1
    logp = _act.log_softmax(input, class_dim)
    scaled = logp * -(1.0 - label_smoothing)
    if weight is not None:
        scaled = scaled * weight.reshape(_class_shape(input, weight.numel()))
    if reduction == _C.Reduction.none:
        return scaled * grad.unsqueeze(class_dim)
    if reduction == _C.Reduction.mean:
        rows = input.numel() // max(input.shape[class_dim], 1)
        return scaled * (grad / rows)
    return scaled * grad


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0):
    """Cross entropy between logits input ((C,), (N, C) or (N, C, d1, ...)) and class-index
    targets ((), (N,) or (N, d1, ...)) or class probabilities (input's shape)."""
    _check_tensors("cross_entropy", input=input, target=target)
    reduction = getattr(_C.Reduction, _reduction(size_average, reduce, reduction))
    if weight is not None:
        _check_tensors("cross_entropy", weight=weight)
    return _CrossEntropy.apply(input, target, weight, int(ignore_index), float(label_smoothing),
                               reduction)


def _class_targets(name: str, input, target, weight, ignore_index: int):
    """Checks (input, target) of an index-target loss; returns (class dim, C, the valid-target
    mask, target with ignored entries replaced by 0)."""
    if input.dim() < 1:
        raise ValueError(f"{name}: input must have at least one dim (the classes), got shape ()")
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    batch = tuple(s for d, s in enumerate(input.shape) if d != class_dim)
    if tuple(target.shape) != batch:
        raise ValueError(f"{name}: target of shape {tuple(target.shape)} doesn't match input of "
                         f"shape {tuple(input.shape)} (expected target shape {batch})")
    if target.is_floating_point():
        raise TypeError(f"{name}: expected class-index targets of an integer dtype, got "
                        f"{target.dtype}")
    if weight is not None and tuple(weight.shape) != (classes,):
        raise ValueError(f"{name}: weight of shape {tuple(weight.shape)} doesn't match {classes} "
                         f"classes (input of shape {tuple(input.shape)})")
    valid = target != ignore_index
    if target.numel() and (valid & ((target < 0) | (target >= classes))).any().item():
        bad = E.where(valid, target, 0)
        worst = bad.min().item() if bad.min().item() < 0 else bad.max().item()
        raise IndexError(f"{name}: target {worst} is out of bounds for {classes} classes "
                         f"(input of shape {tuple(input.shape)})")
    return class_dim, classes, valid, E.where(valid, target, 0)


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean"):
    """Negative log likelihood of log-probabilities input at class-index targets."""
    _check_tensors("nll_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    class_dim, classes, valid, safe = _class_targets("nll_loss", input, target, weight,
                                                     ignore_index)
    labels = _creation.arange(classes, device=input.device).reshape(_class_shape(input, classes))
    picks = (safe.unsqueeze(class_dim) == labels).to(input.dtype)
    target_weight = valid.to(input.dtype)
    if weight is not None:
        target_weight = target_weight * (picks * weight.reshape(_class_shape(input, classes))
                                         ).sum(class_dim)
    loss = -(input * picks).sum(class_dim) * target_weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    # Nothing to average (every target ignored): NaN, as in PyTorch, with zero gradients.
    total = target_weight.sum()
    empty = total == 0
    return E.where(empty, float("nan"), loss.sum() / E.where(empty, 1.0, total))


class _BinaryCrossEntropy(Function):
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100 as in PyTorch."""

    @staticmethod
    def forward(ctx, input, target, weight):
        log_x = input.log().clamp(min=-100.0)
        log_1mx = (1 - input).log().clamp(min=-100.0)
        loss = -(target * log_x + (1 - target) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(input, target, weight)
        return loss

    @staticmethod
    def backward(ctx, grad):
        input, target, weight = ctx.saved_tensors
        if weight is not None:
            grad = grad * weight
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # PyTorch's formula: (x - t) / max(x (1 - x), 1e-12).
            grad_input = grad * (input - target) / (input * (1 - input)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            grad_target = grad * ((1 - input).log().clamp(min=-100.0) -
                                  input.log().clamp(min=-100.0))
        return grad_input, grad_target, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """Binary cross entropy between probabilities input and targets in [0, 1]."""
    _check_tensors("binary_cross_entropy", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if input.shape != target.shape:
        raise ValueError(f"binary_cross_entropy: using a target size {tuple(target.shape)} "
                         f"that is different to the input size {tuple(input.shape)} is not "
                         "supported; please ensure they have the same size")
    return _reduce(_BinaryCrossEntropy.apply(input, target, weight), reduction)


class _BinaryCrossEntropyWithLogits(Function):
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x), times w: stable for any x."""

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight):
        softplus_neg = _act.softplus(-input)  # log(1 + exp(-x)) without overflow
        if pos_weight is None:
            loss = (1 - target) * input + softplus_neg
        else:
            loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(input, target, weight, pos_weight)
        return loss

    @staticmethod
    def backward(ctx, grad):
        input, target, weight, pos_weight = ctx.saved_tensors
        if weight is not None:
            grad = grad * weight
        grad_input = grad_target = None
        sig = _act.sigmoid(input)
        if ctx.needs_input_grad[0]:
            if pos_weight is None:
                grad_input = grad * (sig - target)
            else:
                grad_input = grad * ((1 + (pos_weight - 1) * target) * sig - pos_weight * target)
        if ctx.needs_input_grad[1]:
            if pos_weight is None:
                grad_target = -grad * input
            else:
                grad_target = grad * ((pos_weight - 1) * _act.softplus(-input) - input)
        return grad_input, grad_target, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None):
    """sigmoid + binary cross entropy in one numerically stable expression; pos_weight weighs
    the positive term per class (broadcast along the last dim)."""
    _check_tensors("binary_cross_entropy_with_logits", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if input.shape != target.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target size "
                         f"{tuple(target.shape)} must be the same as input size "
                         f"{tuple(input.shape)}")
    return _reduce(_BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight),
                   reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False):
    """Kullback-Leibler divergence with input as log-probabilities: target (log target - input);
    'batchmean' divides the sum by the batch size (the mathematically right KL)."""
    _check_tensors("kl_div", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction, _REDUCTIONS + ("batchmean",))
    _check_broadcast("kl_div", input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:  # xlogy(t, t) - t * x: 0 where t == 0
        positive = target > 0
        loss = target * E.where(positive, target, 1.0).log() - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.dim() > 0 else 1)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """input where target == 1, max(0, margin - input) where target == -1."""
    _check_tensors("hinge_embedding_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_broadcast("hinge_embedding_loss", input, target)
    margin_part = E.where(target != 1, (margin - input).clamp(min=0), 0.0)
    self_part = E.where(target != -1, input, 0.0)
    return _reduce(margin_part + self_part, reduction)


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean"):
    """Multi-class hinge loss: sum over i != y of max(0, margin - x[y] + x[i])^p / C."""
    _check_tensors("multi_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("multi_margin_loss: only p == 1 and p == 2 are supported")
    if input.dim() > 2:
        raise ValueError(f"multi_margin_loss: input must be 1-d or 2-d, got shape "
                         f"{tuple(input.shape)}")
    class_dim, classes, _, safe = _class_targets("multi_margin_loss", input, target, weight,
                                                 ignore_index=-(2 ** 62))
    labels = _creation.arange(classes, device=input.device)
    picks = (safe.unsqueeze(class_dim) == labels).to(input.dtype)
    x_y = (input * picks).sum(class_dim, keepdim=True)
    z = (input - x_y + margin).clamp(min=0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * (picks * weight).sum(class_dim, keepdim=True)
    loss = (z * (1 - picks)).sum(class_dim) / classes
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """log(1 + exp(-target * input)), targets in {1, -1}."""
    _check_tensors("soft_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_broadcast("soft_margin_loss", input, target)
    return _reduce(_act.softplus(-target * input), reduction)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1."""
    _check_tensors("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if input1.shape != input2.shape or input1.dim() not in (1, 2):
        raise ValueError(f"cosine_embedding_loss: input1 {tuple(input1.shape)} and input2 "
                         f"{tuple(input2.shape)} must have one shape of 1 or 2 dims")
    expected = tuple(input1.shape[:-1])
    if tuple(target.shape) != expected:
        raise ValueError(f"cosine_embedding_loss: target of shape {tuple(target.shape)} doesn't "
                         f"match inputs of shape {tuple(input1.shape)} (expected {expected})")
    eps = 1e-12
    dot = (input1 * input2).sum(-1)
    norms = (((input1 * input1).sum(-1) + eps) * ((input2 * input2).sum(-1) + eps)).sqrt()
    cos = dot / norms
    loss = E.where(target == 1, 1 - cos, 0.0) + \
        E.where(target == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, size_average=None,
                        reduce=None, reduction: str = "mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    _check_tensors("margin_ranking_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if not (input1.dim() == input2.dim() == target.dim()):
        raise ValueError(f"margin_ranking_loss: input1 {tuple(input1.shape)}, input2 "
                         f"{tuple(input2.shape)} and target {tuple(target.shape)} must have the "
                         "same number of dims")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)
