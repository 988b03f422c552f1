"""Identity, Linear and Bilinear, with PyTorch's weight layouts and default initializations."""
from __future__ import annotations

import math

from ... import _creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear"]


def _factory(device, dtype) -> dict:
    return {"device": device, "dtype": dtype}


class Identity(Module):
    """Returns its input; ignores any constructor arguments (a placeholder layer)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``: weight (out_features, in_features) and bias (out_features,),
    both U(-1/sqrt(in_features), 1/sqrt(in_features)) initially (weight through
    kaiming_uniform_(a=sqrt(5)), as in PyTorch). The forward is one fused GEMM + bias kernel."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"Linear: in_features and out_features must be >= 0, got "
                             f"{in_features} and {out_features}")
        self.in_features = in_features
        self.out_features = out_features
        kw = _factory(device, dtype)
        self.weight = Parameter(_creation.empty(out_features, in_features, **kw))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        shape = tuple(getattr(input, "shape", ()))
        if not shape or shape[-1] != self.in_features:
            raise RuntimeError(f"{self!r}: expected an input whose last dimension is "
                               f"in_features={self.in_features}, got input of shape {shape}")
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """``y = x1^T A x2 + b``: weight (out_features, in1_features, in2_features), bias
    (out_features,), both U(-1/sqrt(in1_features), 1/sqrt(in1_features)) initially."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        kw = _factory(device, dtype)
        self.weight = Parameter(_creation.empty(out_features, in1_features, in2_features, **kw))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        s1, s2 = tuple(input1.shape), tuple(input2.shape)
        if not s1 or not s2 or s1[-1] != self.in1_features or s2[-1] != self.in2_features:
            raise RuntimeError(f"{self!r}: expected inputs of shapes (*, {self.in1_features}) "
                               f"and (*, {self.in2_features}), got {s1} and {s2}")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
