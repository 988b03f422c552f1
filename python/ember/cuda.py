"""``ember.cuda``: the CUDA backend (not built in this configuration)."""
from __future__ import annotations

from . import _C


def is_available() -> bool:
    """True when ember was built with CUDA (real or emulated) and a device can be used."""
    return _C.build_config()["cuda"] != "off" and device_count() > 0


def device_count() -> int:
    return 0
