"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (in place on ``.grad``)."""
from __future__ import annotations

import math

from ... import _reduction, _tensor, _views
from ..._tensor import Tensor
from ...autograd import grad_mode

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None):
    """Scales the gradients so that their total ``norm_type``-norm (the norm of the vector of
    all of them; ``inf`` for the largest magnitude) is at most ``max_norm``. Returns the total
    norm before clipping. A non-finite norm raises with ``error_if_nonfinite``."""
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return _tensor.tensor(0.0)
    with grad_mode.no_grad():
        norms = [g.detach().norm(norm_type) for g in grads]
        device = grads[0].device
        stacked = _views.stack([n.to(device) for n in norms])
        total = stacked.max() if norm_type == math.inf else _reduction.norm(stacked, norm_type)
        value = total.item()
        if error_if_nonfinite and not math.isfinite(value):
            raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                               "`parameters` is non-finite, so it cannot be clipped. To disable "
                               "this error and scale the gradients by the non-finite norm "
                               "anyway, set `error_if_nonfinite=False`")
        coef = max_norm / (value + 1e-6)
        if coef < 1.0 or math.isnan(coef):
            for g in grads:
                g.mul_(coef)
    return total


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamps every gradient element to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    with grad_mode.no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)
