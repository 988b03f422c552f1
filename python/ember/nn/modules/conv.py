"""Conv1d/2d/3d and ConvTranspose1d/2d/3d, with PyTorch's weight layouts (out, in / groups,
*kernel) and (in, out / groups, *kernel), default initialization and repr."""
from __future__ import annotations

import math

from ... import _creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]


def _tuple(value, n: int, name: str, layer: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) != n or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{layer}: expected an int or {n} ints for {name}, got {value}")
    return value


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """The parameters and checks shared by the convolutions; ``_dims`` is 1, 2 or 3 and
    ``_transposed`` says whether the weight is (in, out / groups, *kernel)."""

    _dims = 0
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None,
                 output_padding=0):
        super().__init__()
        layer, n = type(self).__name__, self._dims
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{layer}: in_channels={in_channels} and out_channels="
                             f"{out_channels} must both be divisible by groups={groups}")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {layer}')
        if isinstance(padding, str):
            if self._transposed:
                raise ValueError(f"{layer}: padding must be an int or a tuple, got '{padding}'")
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
        self.output_padding = _tuple(output_padding, n, "output_padding", layer)
        if any(p >= s and p >= d for p, s, d in zip(self.output_padding, self.stride,
                                                     self.dilation)):
            raise ValueError(f"{layer}: output_padding={self.output_padding} must be smaller "
                             f"than either stride={self.stride} or dilation={self.dilation}")
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's argument for the other padding modes: (left, right) per dim, last dim first.
        self._reversed_padding_repeated_twice = []
        for i in reversed(range(n)):
            if padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                self._reversed_padding_repeated_twice += [total // 2, total - total // 2]
            else:
                self._reversed_padding_repeated_twice += [0, 0] if padding == "valid" else \
                    [padding[i], padding[i]]
        kw = {"device": device, "dtype": dtype}
        channels = (in_channels, out_channels // groups) if self._transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(_creation.empty(*channels, *self.kernel_size, **kw))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
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

    def _conv_forward(self, input, conv):
        """``conv`` (F.conv1d/2d/3d) of ``input``, padded first by F.pad for the padding modes
        other than 'zeros'."""
        self._check_input(input)
        if self.padding_mode == "zeros":
            return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)
        return conv(F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode),
                    self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, " \
            f"stride={self.stride}"
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
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
        return self._conv_forward(input, F.conv2d)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L): weight
    (out_channels, in_channels / groups, k), bias (out_channels,)."""

    _dims = 1

    def forward(self, input):
        return self._conv_forward(input, F.conv1d)


class Conv3d(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W) or (C_in, D, H, W): weight
    (out_channels, in_channels / groups, kD, kH, kW), bias (out_channels,)."""

    _dims = 3

    def forward(self, input):
        return self._conv_forward(input, F.conv3d)


class _ConvTransposeNd(_ConvNd):
    """The transposed convolutions: PyTorch's argument order, weight
    (in_channels, out_channels / groups, *kernel), and forward's ``output_size``."""

    _transposed = True
    _functional = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, input, output_size) -> tuple:
        """The output_padding that gives output_size (spatial sizes, optionally led by the
        batch and channel sizes), checked against the sizes the layer can make."""
        if output_size is None:
            return self.output_padding
        n, shape = self._dims, tuple(input.shape)
        output_size = tuple(int(v) for v in output_size)
        if len(output_size) == len(shape):
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(f"{self!r}: output_size must have {n} or {len(shape)} elements "
                             f"(got {len(output_size)})")
        min_sizes = tuple((i - 1) * s - 2 * p + d * (k - 1) + 1 for i, s, p, d, k in
                          zip(shape[-n:], self.stride, self.padding, self.dilation,
                              self.kernel_size))
        max_sizes = tuple(m + s - 1 for m, s in zip(min_sizes, self.stride))
        if any(not lo <= v <= hi for v, lo, hi in zip(output_size, min_sizes, max_sizes)):
            raise ValueError(f"{self!r}: requested an output size of {output_size}, but valid "
                             f"sizes range from {min_sizes} to {max_sizes} (for an input of "
                             f"{shape[-n:]})")
        return tuple(v - m for v, m in zip(output_size, min_sizes))

    def forward(self, input, output_size=None):
        self._check_input(input)
        return self._functional(input, self.weight, self.bias, self.stride, self.padding,
                                self._output_padding(input, output_size), self.groups,
                                self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C_in, L) or (C_in, L): weight
    (in_channels, out_channels / groups, k), bias (out_channels,)."""

    _dims = 1
    _functional = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over (N, C_in, H, W) or (C_in, H, W): weight
    (in_channels, out_channels / groups, kH, kW), bias (out_channels,)."""

    _dims = 2
    _functional = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution over (N, C_in, D, H, W) or (C_in, D, H, W): weight
    (in_channels, out_channels / groups, kD, kH, kW), bias (out_channels,)."""

    _dims = 3
    _functional = staticmethod(F.conv_transpose3d)
