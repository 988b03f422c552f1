"""``ember.optim.RMSprop``: Hinton's RMSprop, optionally centered and with momentum."""
from __future__ import annotations

from .. import _C
from .fused import FusedOptimizer
from .optimizer import (check_value, grad_impl, increment_step, options, scalar_state,
                        zeros_state)


class RMSprop(FusedOptimizer):
    """RMSprop: divide the gradient by a running root mean square of its recent values."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_value(0.0 <= lr, f"Invalid learning rate: {lr}")
        check_value(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_value(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        check_value(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_value(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _options(self, group):
        return options(_C.RMSpropOptions, lr=group["lr"], alpha=group["alpha"],
                       eps=group["eps"], weight_decay=group["weight_decay"],
                       momentum=group["momentum"], centered=group["centered"],
                       maximize=group["maximize"])

    def _update(self, p, group, o):
        momentum, centered = group["momentum"], group["centered"]
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["square_avg"] = zeros_state(p)
            if momentum > 0:
                state["momentum_buffer"] = zeros_state(p)
            if centered:
                state["grad_avg"] = zeros_state(p)
        buffers = [state["square_avg"]._impl]
        if momentum > 0:
            buffers.append(state["momentum_buffer"]._impl)
        if centered:
            buffers.append(state["grad_avg"]._impl)
        increment_step(state)
        _C.rmsprop_step_(p._impl, grad_impl(p), buffers, o)
