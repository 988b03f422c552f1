"""``ember.optim.ASGD``: averaged stochastic gradient descent (Polyak & Juditsky)."""
from __future__ import annotations

from .. import _C
from .fused import FusedOptimizer
from .optimizer import (check_value, grad_impl, increment_step, options, scalar_state,
                        zeros_state)


class ASGD(FusedOptimizer):
    """ASGD: SGD with a decaying step size ``eta`` and a running average ``ax`` of the iterates."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        check_value(0.0 <= lr, f"Invalid learning rate: {lr}")
        check_value(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _options(self, group):
        return options(_C.ASGDOptions, lambd=group["lambd"], weight_decay=group["weight_decay"],
                       maximize=group["maximize"])

    def _update(self, p, group, o):
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["eta"] = scalar_state(lr)
            state["mu"] = scalar_state(1.0)
            state["ax"] = zeros_state(p)
        step = increment_step(state)
        o.eta = state["eta"].item()
        o.mu = state["mu"].item()
        _C.asgd_step_(p._impl, grad_impl(p), [state["ax"]._impl], o)
        # eta and mu live in float32 tensors, rounded as in PyTorch.
        state["eta"].fill_(lr / ((1 + lambd * lr * step) ** alpha))
        state["mu"].fill_(1 / max(1, step - t0))
