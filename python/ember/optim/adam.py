"""``ember.optim.Adam``: adaptive moment estimation (Kingma & Ba), PyTorch's rule."""
from __future__ import annotations

from .. import _C
from .fused import FusedOptimizer
from .optimizer import (check_value, grad_impl, increment_step, options, scalar_state,
                        zeros_state)


class AdamFamily(FusedOptimizer):
    """What Adam, NAdam and Adamax share: PyTorch's checks of lr, betas, eps and weight_decay,
    the param-group defaults, and the kernel options read from a group. A subclass names its
    ``_C`` options class and the group entries, besides those four, that are fields of it."""

    _options_cls = None
    _option_names = ()

    def __init__(self, params, lr, betas, eps, weight_decay, **other_defaults):
        check_value(0.0 <= lr, f"Invalid learning rate: {lr}")
        check_value(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_value(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        check_value(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        check_value(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, **other_defaults))

    def _options(self, group):
        beta1, beta2 = group["betas"]
        return options(self._options_cls, lr=group["lr"], beta1=beta1, beta2=beta2,
                       eps=group["eps"], weight_decay=group["weight_decay"],
                       **{name: group[name] for name in self._option_names})


class Adam(AdamFamily):
    """Adam; ``decoupled_weight_decay=True`` (or ``AdamW``) decays the weights directly."""

    _options_cls = _C.AdamOptions
    _option_names = ("amsgrad", "maximize", "decoupled_weight_decay")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad=amsgrad,
                         maximize=maximize, foreach=foreach, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=decoupled_weight_decay)

    def _update(self, p, group, o):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state(0.0)
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_state(p)
        buffers = [state["exp_avg"]._impl, state["exp_avg_sq"]._impl]
        if group["amsgrad"]:
            buffers.append(state["max_exp_avg_sq"]._impl)
        o.step = increment_step(state)
        _C.adam_step_(p._impl, grad_impl(p), buffers, o)
