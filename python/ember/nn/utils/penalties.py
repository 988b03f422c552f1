"""Differentiable weight penalties to add to a loss."""
from __future__ import annotations

from ..._tensor import Tensor

__all__ = ["l1_penalty", "elastic_net_penalty"]


def _params(parameters) -> list:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not params:
        raise ValueError("penalty: expected at least one parameter")
    return params


def l1_penalty(parameters):
    """``sum(|w|)`` over every element of every parameter (a 0-d tensor with a gradient)."""
    params = _params(parameters)
    total = params[0].abs().sum()
    for p in params[1:]:
        total = total + p.abs().sum()
    return total


def elastic_net_penalty(parameters, l1: float, l2: float):
    """``l1 * sum(|w|) + l2 * sum(w^2)`` over every parameter element."""
    params = _params(parameters)
    total = None
    for p in params:
        term = l1 * p.abs().sum() + l2 * (p * p).sum()
        total = term if total is None else total + term
    return total
