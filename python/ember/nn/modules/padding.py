"""Padding layers (PyTorch's names, arguments and repr): ConstantPad1d/2d/3d, ZeroPad1d/2d/3d,
ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d, CircularPad1d/2d/3d; each forwards to F.pad."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _padding(padding, dims: int, name: str) -> tuple:
    """padding as 2 * dims values: an int pads every side alike."""
    values = (padding,) * (2 * dims) if isinstance(padding, int) else tuple(padding)
    if len(values) != 2 * dims:
        raise ValueError(f"{name}: expected an int or {2 * dims} values for padding, got "
                         f"{padding}")
    return values


class _PadNd(Module):
    _dims = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding(padding, self._dims, type(self).__name__)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim of (N, C, L) or (C, L) with value."""


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims of (N, C, H, W) or (C, H, W) with value."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims of (N, C, D, H, W) or (C, D, H, W) with value."""

    _dims = 3


class _ZeroPad:
    """Constant padding with zeros: ZeroPadNd(padding), repr of the padding alone."""

    def __init__(self, padding):
        _ConstantPadNd.__init__(self, padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pads the last dim with zeros."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pads the last 2 dims with zeros."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pads the last 3 dims with zeros."""


class ReflectionPad1d(_PadNd):
    """Pads the last dim by reflection about the edge (padding < size)."""

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pads the last 2 dims by reflection about the edges (padding < size)."""

    _dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Pads the last 3 dims by reflection about the edges (padding < size)."""

    _dims = 3


class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating the edge element."""

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pads the last 2 dims by repeating the edge elements."""

    _dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Pads the last 3 dims by repeating the edge elements."""

    _dims = 3


class CircularPad1d(_PadNd):
    """Pads the last dim by wrapping around (padding <= size)."""

    _mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pads the last 2 dims by wrapping around (padding <= size)."""

    _dims = 2


class CircularPad3d(CircularPad1d):
    """Pads the last 3 dims by wrapping around (padding <= size)."""

    _dims = 3
