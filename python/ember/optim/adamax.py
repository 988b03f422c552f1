"""``ember.optim.Adamax``: Adam with the infinity norm (Kingma & Ba, section 7)."""
from __future__ import annotations

from .. import _C
from .adam import check_adam_args
from .fused import FusedOptimizer
from .optimizer import grad_impl, increment_step, options, scalar_state, zeros_state


class Adamax(FusedOptimizer):
    """Adamax: the second moment replaced by an exponentially weighted infinity norm."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _options(self, group):
        beta1, beta2 = group["betas"]
        return options(_C.AdamaxOptions, lr=group["lr"], beta1=beta1, beta2=beta2,
                       eps=group["eps"], weight_decay=group["weight_decay"],
                       maximize=group["maximize"])

    def _update(self, p, group, o):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["exp_avg"] = zeros_state(p)
            state["exp_inf"] = zeros_state(p)
        o.step = increment_step(state)
        _C.adamax_step_(p._impl, grad_impl(p),
                        [state["exp_avg"]._impl, state["exp_inf"]._impl], o)
