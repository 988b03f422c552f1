"""``FusedOptimizer``: the step shared by the optimizers whose update is one fused kernel per
parameter (``ember._C.<name>_step_``); each subclass says how to build its kernel's options
from a param group and how to update one parameter."""
from __future__ import annotations

from ..autograd import grad_mode as _grad_mode
from .optimizer import Optimizer


class FusedOptimizer(Optimizer):
    """Evaluates the closure, then updates every parameter that has a gradient."""

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure()'s loss."""
        loss = None
        if closure is not None:
            with _grad_mode.enable_grad():
                loss = closure()
        for group in self.param_groups:
            options = self._options(group)
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, group, options)
        return loss

    def _options(self, group: dict):
        """The kernel's options object (``ember._C.<Name>Options``) for this group."""
        raise NotImplementedError

    def _update(self, param, group: dict, options) -> None:
        """Create param's state if needed and run the kernel on it."""
        raise NotImplementedError
