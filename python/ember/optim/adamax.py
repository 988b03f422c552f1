"""``ember.optim.Adamax``: Adam with the infinity norm (Kingma & Ba, section 7)."""
from __future__ import annotations

from .. import _C
from .adam import AdamFamily
from .optimizer import grad_impl, increment_step, scalar_state, zeros_state


class Adamax(AdamFamily):
    """Adamax: the second moment replaced by an exponentially weighted infinity norm."""

    _options_cls = _C.AdamaxOptions
    _option_names = ("maximize",)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        super().__init__(params, lr, betas, eps, weight_decay, foreach=foreach,
                         maximize=maximize, differentiable=differentiable, capturable=capturable)

    def _update(self, p, group, o):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["exp_avg"] = zeros_state(p)
            state["exp_inf"] = zeros_state(p)
        o.step = increment_step(state)
        _C.adamax_step_(p._impl, grad_impl(p),
                        [state["exp_avg"]._impl, state["exp_inf"]._impl], o)
