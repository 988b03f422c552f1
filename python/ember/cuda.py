"""``ember.cuda``: CUDA devices and their memory.

Works in every build: without a CUDA backend (or without a driver or GPU) ``is_available()`` is
False and ``device_count()`` is 0. A build with ``EMBER_CUDA=EMULATE`` runs the CUDA kernels on
the CPU through ember's SIMT emulator; then ``is_available()`` is True.
"""
from __future__ import annotations

from . import _C
from . import _device


def is_available() -> bool:
    """True when ember has a CUDA backend (real or emulated) and a device to run it on."""
    return _C.cuda.is_available()


def is_emulated() -> bool:
    """True when the CUDA backend is ember's SIMT emulator running on the CPU."""
    return _C.build_config()["cuda"] == "emulated"


def device_count() -> int:
    return _C.cuda.device_count()


def current_device() -> int:
    return 0


def unavailable_reason() -> str:
    """Why ``is_available()`` is False ('' when it is True)."""
    if _C.build_config()["cuda"] == "off":
        return "ember was built without CUDA"
    return "" if is_available() else "no CUDA device was found: no driver or no GPU"


def _index(device) -> int:
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    d = _device.parse(device)
    if d.type != "cuda":
        raise ValueError(f"expected a CUDA device, got {d}")
    return d.index


def _require(op: str, device) -> int:
    index = _index(device)
    if not is_available():
        raise RuntimeError(f"{op}: {unavailable_reason()}")
    if not 0 <= index < device_count():
        raise RuntimeError(f"{op}: invalid device cuda:{index} ({device_count()} CUDA devices)")
    return index


def get_device_name(device=None) -> str:
    return _C.cuda.device_name(_require("cuda.get_device_name", device))


def synchronize(device=None) -> None:
    """Wait for every kernel queued on the device to finish."""
    _C.cuda.synchronize(_require("cuda.synchronize", device))


def memory_stats(device=None) -> dict:
    """What the device's caching allocator holds (same keys as ``ember.memory_stats()``)."""
    return _C.cuda.memory_stats(_require("cuda.memory_stats", device))


def memory_allocated(device=None) -> int:
    """Bytes of device memory in live tensors."""
    return memory_stats(device)["allocated_bytes"]


def max_memory_allocated(device=None) -> int:
    return memory_stats(device)["peak_allocated_bytes"]


def memory_reserved(device=None) -> int:
    """Bytes the allocator holds from the driver: in live tensors plus cached for reuse."""
    s = memory_stats(device)
    return s["allocated_bytes"] + s["cached_bytes"]


def empty_cache() -> None:
    """Give cached (freed) device blocks back to the driver."""
    _C.cuda.empty_cache()


def manual_seed(seed) -> None:
    """Seed the generator of CUDA tensors. ember has one Philox generator for every device (a
    seed gives the same numbers on the CPU and on CUDA), so this is ``ember.manual_seed``."""
    from . import _random
    _random.manual_seed(seed)


def manual_seed_all(seed) -> None:
    """Seed the generators of every CUDA device: the one shared generator (see ``manual_seed``)."""
    manual_seed(seed)
