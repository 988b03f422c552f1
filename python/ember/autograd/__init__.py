"""``ember.autograd``: reverse-mode automatic differentiation over a define-by-run graph.

Every differentiable op is a :class:`Function`; when grad mode is on and an input requires
grad, calling it records a node (the output's ``grad_fn``). ``Tensor.backward`` /
:func:`backward` and :func:`grad` walk the recorded graph.
"""
from __future__ import annotations

from . import grad_mode
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from .anomaly import detect_anomaly, is_anomaly_enabled
from .function import Function, FunctionCtx
from .engine import backward, grad
from .gradcheck import gradcheck
from . import ops_elementwise, ops_reduction, ops_views, ops_linalg  # noqa: F401

__all__ = ["Function", "FunctionCtx", "backward", "grad", "gradcheck", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled"]
