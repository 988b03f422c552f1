"""Conv2d and Conv1d, with PyTorch's weight layout (out, in / groups, *kernel), default
initialization and repr."""
from __future__ import annotations

import math

from ... import _creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d"]


def _tuple(value, n: int, name: str, layer: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) != n or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{layer}: expected an int or {n} ints for {name}, got {value}")
    return value


class _ConvNd(Module):
    """The parameters and checks shared by Conv1d and Conv2d; ``_dims`` is 1 or 2."""

    _dims = 0

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        layer, n = type(self).__name__, self._dims
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{layer}: in_channels={in_channels} and out_channels="
                             f"{out_channels} must both be divisible by groups={groups}")
        if padding_mode != "zeros":
            raise ValueError(f"{layer}: padding_mode='{padding_mode}' is not supported yet; "
                             "only 'zeros'")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"{layer}: padding must be 'valid', 'same', an int or a "
                                 f"tuple, got '{padding}'")
            if padding == "same" and _tuple(stride, n, "stride", layer) != (1,) * n:
                raise ValueError(f"{layer}: padding='same' is not supported for strided "
                                 "convolutions")
        else:
            padding = _tuple(padding, n, "padding", layer)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, n, "kernel_size", layer)
        self.stride = _tuple(stride, n, "stride", layer)
        self.padding = padding
        self.dilation = _tuple(dilation, n, "dilation", layer)
        self.groups = groups
        self.padding_mode = padding_mode
        kw = {"device": device, "dtype": dtype}
        self.weight = Parameter(_creation.empty(out_channels, in_channels // groups,
                                                *self.kernel_size, **kw))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels // self.groups * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input) -> None:
        """Names the layer when the input cannot be its input (rank or channel count)."""
        shape = tuple(getattr(input, "shape", ()))
        n = self._dims
        if len(shape) not in (n + 1, n + 2) or shape[-n - 1] != self.in_channels:
            raise ValueError(f"{self!r}: expected a {n + 2}-D batched or {n + 1}-D unbatched "
                             f"input with in_channels={self.in_channels} channels, got input "
                             f"of shape {shape}")

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, " \
            f"stride={self.stride}"
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W): weight
    (out_channels, in_channels / groups, kH, kW), bias (out_channels,)."""

    _dims = 2

    def forward(self, input):
        self._check_input(input)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L): weight
    (out_channels, in_channels / groups, k), bias (out_channels,)."""

    _dims = 1

    def forward(self, input):
        self._check_input(input)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)
