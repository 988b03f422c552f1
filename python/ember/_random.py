"""Random number generators: ``ember.manual_seed``, ``ember.Generator`` and the default one.

A generator is a seed and a position in that seed's Philox4x32-10 stream (the exact scheme is
in ``csrc/include/ember/random.h``): the same seed gives the same tensors on any thread count.
"""
from __future__ import annotations

import numpy as np

from . import _C
from . import _device
from . import _dtype

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state"]

_STATE_BYTES = 16  # seed and offset, two little-endian uint64


def _to_seed(value, op: str) -> int:
    """PyTorch's seed rule: any int in [-2**63, 2**64); negatives wrap to uint64."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}: expected an int seed, got {type(value).__name__}")
    value = int(value)
    if not -(1 << 63) <= value < (1 << 64):
        raise RuntimeError(f"{op}: seed {value} is out of range [-2**63, 2**64)")
    return value % (1 << 64)


def device_args(device, op: str) -> tuple:
    """``device`` (None for the CPU) as the ``(type, index)`` pair ember._C takes; RuntimeError
    naming ``op`` for a CUDA device that this build or machine does not have."""
    if device is None:
        return "cpu", 0
    d = _device.parse(device)
    if d.type == "cpu":
        return "cpu", 0
    from . import cuda
    return "cuda", cuda._require(op, d)


class Generator:
    """A random number generator (``torch.Generator``): pass it as ``generator=`` to the random
    functions to draw from a stream of its own. A seed and a position give the same numbers on
    every device, so ``device`` is only a label (checked to exist, reported by ``.device``)."""

    __slots__ = ("_impl", "_device")

    def __init__(self, device="cpu"):
        kind, index = device_args(device, "Generator")
        self._impl = _C.GeneratorImpl()
        self._device = _device.CPU if kind == "cpu" else _device.device(kind, index)

    @classmethod
    def _wrap(cls, impl) -> "Generator":
        g = cls.__new__(cls)
        g._impl = impl
        g._device = _device.CPU
        return g

    @property
    def device(self) -> _device.device:
        return self._device

    def manual_seed(self, seed) -> "Generator":
        """Restart the stream of ``seed``; returns self."""
        self._impl.manual_seed(_to_seed(seed, "manual_seed"))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed."""
        return self._impl.seed()

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._impl.initial_seed()

    def get_state(self):
        """The generator's state as a uint8 tensor of 16 bytes (seed, position)."""
        from . import _tensor
        raw = np.array([self._impl.initial_seed(), self._impl.offset()], dtype="<u8")
        return _tensor.tensor(raw.view(np.uint8))

    def set_state(self, new_state) -> "Generator":
        """Restore a state returned by ``get_state``; returns self."""
        from . import _tensor
        if not isinstance(new_state, _tensor.Tensor):
            raise TypeError(f"set_state: expected an ember.Tensor, got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8 or new_state.numel() != _STATE_BYTES:
            raise RuntimeError(f"set_state: expected a uint8 tensor of {_STATE_BYTES} elements, "
                               f"got {new_state.dtype} of shape {tuple(new_state.shape)}")
        seed_value, offset = np.ascontiguousarray(new_state.numpy().reshape(-1)).view("<u8")
        self._impl.set_state(int(seed_value), int(offset))
        return self

    def __repr__(self) -> str:
        return "<ember.Generator object>"


default_generator = Generator._wrap(_C.default_generator())


def manual_seed(seed) -> Generator:
    """Seed the default generator (and so every random function not given a generator)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state from ``get_rng_state``."""
    default_generator.set_state(new_state)


def impl_of(generator):
    """The C++ generator behind ``generator`` (None: the default one)."""
    if generator is None:
        return None
    if not isinstance(generator, Generator):
        raise TypeError(f"expected an ember.Generator, got {type(generator).__name__}")
    return generator._impl
