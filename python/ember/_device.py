"""``ember.device``: where a tensor lives."""
from __future__ import annotations


class device:
    """``ember.device("cpu")``, ``ember.device("cuda:0")`` or ``ember.device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type_or_str, index=None):
        if isinstance(type_or_str, device):
            self.type, self.index = type_or_str.type, type_or_str.index
            return
        if not isinstance(type_or_str, str):
            raise TypeError(f"device: expected a string or device, got {type(type_or_str).__name__}")
        kind, _, idx = type_or_str.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(f"device: expected 'cpu' or 'cuda' device type, got '{type_or_str}'")
        if idx:
            if index is not None:
                raise ValueError(f"device: index given twice in device('{type_or_str}', {index})")
            if not idx.isdigit():
                raise RuntimeError(f"device: invalid device string '{type_or_str}'")
            index = int(idx)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise ValueError(f"device: index must be a non-negative int, got {index!r}")
        self.type = kind
        self.index = None if kind == "cpu" else (0 if index is None else index)

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def parse(value) -> device:
    return value if isinstance(value, device) else device(value)


def from_impl_str(s: str) -> device:
    return CPU if s == "cpu" else device(s)
