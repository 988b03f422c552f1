"""``ember.optim.Adagrad``: per-coordinate step sizes from the sum of squared gradients."""
from __future__ import annotations

from .. import _C
from .._creation import full_like
from .fused import FusedOptimizer
from .optimizer import check_value, grad_impl, increment_step, options, scalar_state


class Adagrad(FusedOptimizer):
    """Adagrad (Duchi et al.), with PyTorch's learning-rate decay."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_value(0.0 <= lr, f"Invalid learning rate: {lr}")
        check_value(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        check_value(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_value(0.0 <= initial_accumulator_value,
                    f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        check_value(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # PyTorch creates Adagrad's state up front.
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = scalar_state(0.0)
                state["sum"] = full_like(p, group["initial_accumulator_value"])

    def _options(self, group):
        return options(_C.AdagradOptions, lr=group["lr"], lr_decay=group["lr_decay"],
                       eps=group["eps"], weight_decay=group["weight_decay"],
                       maximize=group["maximize"])

    def _update(self, p, group, o):
        state = self.state[p]
        o.step = increment_step(state)
        _C.adagrad_step_(p._impl, grad_impl(p), [state["sum"]._impl], o)
