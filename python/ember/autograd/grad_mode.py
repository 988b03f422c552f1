"""Whether operations record the autograd graph: ``no_grad``, ``enable_grad``,
``set_grad_enabled`` (context managers and decorators) and ``is_grad_enabled``.

The state is one module-level flag so that every op can test it with a single attribute read:
the no-grad path of ``a + b`` must stay as fast as it was before autograd existed. It is
process-wide, not per thread.
"""
from __future__ import annotations

import functools

_enabled = True


def is_grad_enabled() -> bool:
    """Whether new operations are being recorded for backward."""
    return _enabled


class _GradMode:
    """Sets the flag to ``self._mode`` on entry, restores the previous value on exit; also a
    decorator that runs the function in that mode."""

    _mode = True

    def __enter__(self):
        global _enabled
        self._prev = _enabled
        _enabled = self._mode

    def __exit__(self, *exc):
        global _enabled
        _enabled = self._prev
        return False

    def __call__(self, fn):
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            global _enabled
            prev = _enabled
            _enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _enabled = prev
        return wrapper


class no_grad(_GradMode):
    """Context manager / decorator: operations inside are not recorded, results do not require
    grad (``torch.no_grad``)."""

    _mode = False


class enable_grad(_GradMode):
    """Context manager / decorator: turns recording back on inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(mode)``: sets recording on or off; used as a function it takes effect
    at once, as a context manager or decorator it is restored afterwards."""

    def __init__(self, mode: bool):
        global _enabled
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self._prev = _enabled
        self._mode = mode
        _enabled = mode

    def __enter__(self):
        pass  # the constructor already set the mode; __exit__ restores the one before it
