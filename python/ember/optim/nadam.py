"""``ember.optim.NAdam``: Adam with Nesterov momentum (Dozat), PyTorch's rule."""
from __future__ import annotations

import numpy as np

from .. import _C
from .adam import AdamFamily
from .optimizer import check_value, grad_impl, increment_step, scalar_state, zeros_state


class NAdam(AdamFamily):
    """NAdam, with the momentum schedule ``mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay))``."""

    _options_cls = _C.NAdamOptions
    _option_names = ("momentum_decay", "maximize", "decoupled_weight_decay")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        super().__init__(params, lr, betas, eps, weight_decay, momentum_decay=momentum_decay,
                         decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                         foreach=foreach, capturable=capturable, differentiable=differentiable)
        check_value(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")

    def _update(self, p, group, o):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["mu_product"] = scalar_state(1.0)
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
        step = increment_step(state)
        mu = group["betas"][0] * (1.0 - 0.5 * (0.96 ** (step * group["momentum_decay"])))
        # The product lives in a float32 tensor, rounded at every step as in PyTorch.
        mu_product = float(np.float32(state["mu_product"].item()) * np.float32(mu))
        state["mu_product"].fill_(mu_product)
        o.step = step
        o.mu_product = mu_product
        _C.nadam_step_(p._impl, grad_impl(p),
                       [state["exp_avg"]._impl, state["exp_avg_sq"]._impl], o)
