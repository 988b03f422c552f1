"""Backend-specific entry points for studying kernels (``ember.backends.cpu``,
``ember.backends.cuda``).

Models use the ordinary ops (``ember.matmul``, ``nn.Linear``); these modules expose each rung of a
kernel ladder so that it can be tested and benchmarked on its own.
"""
from . import cpu  # noqa: F401
from . import cuda  # noqa: F401

__all__ = ["cpu", "cuda"]
