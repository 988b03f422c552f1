"""Activation modules: thin Modules over ``ember.nn.functional``, with PyTorch's constructor
arguments, attribute names and reprs."""
from __future__ import annotations

from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = [
    "Threshold", "ReLU", "ReLU6", "Hardtanh", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU",
    "GELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardsigmoid", "Hardswish", "Sigmoid",
    "LogSigmoid", "Tanh", "Softmax", "LogSoftmax", "Softmin", "Heaviside",
]


def _inplace_repr(inplace: bool, first: bool = False) -> str:
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class Threshold(Module):
    """``value`` where input <= threshold, else input."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_repr(self.inplace)}"


class ReLU(Module):
    """max(input, 0)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class Hardtanh(Module):
    """input clamped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if max_val <= min_val:
            raise ValueError("Hardtanh: max_val must be larger than min_val")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_repr(self.inplace)}"


class ReLU6(Hardtanh):
    """min(max(input, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class LeakyReLU(Module):
    """input where input > 0, else negative_slope * input."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_repr(self.inplace)}"


class PReLU(Module):
    """Leaky ReLU with a learned slope: one shared (num_parameters=1) or one per channel (dim 1)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        from ... import _creation
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(_creation.full((num_parameters,), float(init), dtype=dtype,
                                               device=device))

    def reset_parameters(self) -> None:
        """Fills the weight with ``init`` again."""
        from ... import no_grad
        with no_grad():
            self.weight.fill_(self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: random slopes in [lower, upper] in training, their mean in eval."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_repr(self.inplace)}"


class ELU(Module):
    """input where input > 0, else alpha * (exp(input) - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace)}"


class CELU(ELU):
    """max(0, input) + min(0, alpha * (exp(input / alpha) - 1))."""

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class _InplaceOnly(Module):
    """An activation whose only option is ``inplace``."""

    _function = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._function(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class SELU(_InplaceOnly):
    """scale * elu(input, alpha) with SELU's constants."""
    _function = staticmethod(F.selu)


class SiLU(_InplaceOnly):
    """input * sigmoid(input)."""
    _function = staticmethod(F.silu)


class Mish(_InplaceOnly):
    """input * tanh(softplus(input))."""
    _function = staticmethod(F.mish)


class Hardsigmoid(_InplaceOnly):
    """min(max(input + 3, 0), 6) / 6."""
    _function = staticmethod(F.hardsigmoid)

    def extra_repr(self) -> str:  # PyTorch shows no options for it
        return ""


class Hardswish(_InplaceOnly):
    """input * hardsigmoid(input)."""
    _function = staticmethod(F.hardswish)

    def extra_repr(self) -> str:
        return ""


class GELU(Module):
    """input * Phi(input), exact or with the tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + exp(beta * input)) / beta, linear above threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class _Stateless(Module):
    """An activation without options."""

    _function = None

    def forward(self, input):
        return type(self)._function(input)


class Softsign(_Stateless):
    """input / (1 + |input|)."""
    _function = staticmethod(F.softsign)


class Sigmoid(_Stateless):
    """1 / (1 + exp(-input))."""
    _function = staticmethod(F.sigmoid)


class Tanh(_Stateless):
    """The hyperbolic tangent."""
    _function = staticmethod(F.tanh)


class LogSigmoid(_Stateless):
    """log(sigmoid(input))."""
    _function = staticmethod(F.logsigmoid)


class _AlongDim(Module):
    """softmax-like: normalizes along ``dim``."""

    _function = None

    def __init__(self, dim=None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._function(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """exp(input) / sum(exp(input)) along dim."""
    _function = staticmethod(F.softmax)


class LogSoftmax(_AlongDim):
    """log(softmax(input)) along dim."""
    _function = staticmethod(F.log_softmax)


class Softmin(_AlongDim):
    """softmax(-input) along dim."""
    _function = staticmethod(F.softmin)


class Heaviside(Module):
    """The unit step ``ember.heaviside(input, values)`` with a fixed value at 0."""

    def __init__(self, value: float = 0.5) -> None:
        super().__init__()
        self.value = value

    def forward(self, input):
        from ... import _creation
        values = _creation.full((), self.value, dtype=input.dtype, device=input.device)
        return F.heaviside(input, values)

    def extra_repr(self) -> str:
        return f"value={self.value}"
