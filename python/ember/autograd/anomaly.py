"""``detect_anomaly``: while active, every recorded operation checks its outputs (and every
backward function its gradients) for NaN/Inf and raises naming the operation."""
from __future__ import annotations

from .. import _C
from .. import _tensor

_enabled = False


class detect_anomaly:
    """Context manager: raise RuntimeError at the first recorded op whose output holds NaN or
    Inf (``torch.autograd.detect_anomaly``; here the forward outputs are checked too)."""

    def __init__(self, check_nan: bool = True):
        self._check = check_nan

    def __enter__(self):
        global _enabled
        self._prev = _enabled
        _enabled = self._check

    def __exit__(self, *exc):
        global _enabled
        _enabled = self._prev
        return False


def is_anomaly_enabled() -> bool:
    """Whether ``detect_anomaly`` is active."""
    return _enabled


def check(tensors, what: str) -> None:
    """Raises if a floating tensor among ``tensors`` holds NaN or Inf; ``what`` names the op."""
    for i, t in enumerate(tensors):
        if t is None or not t.dtype.is_floating_point:
            continue
        finite = _C.all(_C.unary(_C.UnaryOp.isfinite, t._impl), [], False)
        if not _tensor.wrap(finite).item():
            raise RuntimeError(f"detect_anomaly: {what} returned NaN or Inf values in its "
                               f"output {i}")
