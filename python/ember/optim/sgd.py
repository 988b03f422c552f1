"""``ember.optim.SGD``: stochastic gradient descent with momentum (PyTorch's rule)."""
from __future__ import annotations

from .. import _C
from .._creation import empty_like
from .fused import FusedOptimizer
from .optimizer import check_value, grad_impl, options, required


class SGD(FusedOptimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if lr is not required:
            check_value(lr >= 0.0, f"Invalid learning rate: {lr}")
        check_value(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        check_value(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        check_value(not nesterov or (momentum > 0 and dampening == 0),
                    "Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _options(self, group):
        return options(_C.SgdOptions, lr=group["lr"], momentum=group["momentum"],
                       dampening=group["dampening"], weight_decay=group["weight_decay"],
                       nesterov=group["nesterov"], maximize=group["maximize"])

    def _update(self, p, group, o):
        state = []
        if group["momentum"] != 0:
            param_state = self.state[p]
            buf = param_state.get("momentum_buffer")
            o.first_step = buf is None
            if buf is None:
                buf = param_state["momentum_buffer"] = empty_like(p)
            state = [buf._impl]
        _C.sgd_step_(p._impl, grad_impl(p), state, o)
