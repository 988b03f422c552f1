"""``ember.optim.Adadelta``: Zeiler's Adadelta, PyTorch's rule."""
from __future__ import annotations

from .. import _C
from .fused import FusedOptimizer
from .optimizer import (check_value, grad_impl, increment_step, options, scalar_state,
                        zeros_state)


class Adadelta(FusedOptimizer):
    """Adadelta: steps scaled by running averages of squared gradients and squared updates."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_value(0.0 <= lr, f"Invalid learning rate: {lr}")
        check_value(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        check_value(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_value(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _options(self, group):
        return options(_C.AdadeltaOptions, lr=group["lr"], rho=group["rho"], eps=group["eps"],
                       weight_decay=group["weight_decay"], maximize=group["maximize"])

    def _update(self, p, group, o):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["square_avg"] = zeros_state(p)
            state["acc_delta"] = zeros_state(p)
        increment_step(state)
        _C.adadelta_step_(p._impl, grad_impl(p),
                          [state["square_avg"]._impl, state["acc_delta"]._impl], o)
