"""The CUDA kernels' study API: ``gemm`` with a selectable variant (mirrors ``backends.cpu``).

    import ember
    from ember.backends import cuda
    x, w = ember.randn(64, 32, device="cuda"), ember.randn(16, 32, device="cuda")
    y = cuda.gemm(x, w, trans_b=True, activation="relu")   # relu(x @ w.T)
    cuda.gemm(x, w, trans_b=True, variant="tiled")           # one rung of the ladder
"""
from __future__ import annotations

from . import _gemm

__all__ = ["gemm", "variants"]

_VARIANTS = ("naive", "tiled", "register", "vectorized", "warp", "auto")


def variants() -> tuple:
    """The CUDA GEMM variants, slowest first: ``naive`` (one thread per output, the reference),
    ``tiled`` (shared-memory tiles), ``register`` (a 4 x 4 block of outputs per thread),
    ``vectorized`` (the same with 128-bit loads where the operands are aligned), ``warp``
    (block tiles split per warp) and ``auto`` (chosen from the shape)."""
    return _VARIANTS


def gemm(a, b, *, out=None, trans_a=False, trans_b=False, alpha=1.0, beta=0.0, bias=None,
         bias_dim=1, activation=None, variant="auto"):
    """``act(alpha * op(a) @ op(b) + beta * out + bias)`` in one kernel, on a CUDA device.

    Arguments as in :func:`ember.backends.cpu.gemm` (all tensors on one CUDA device);
    ``variant`` is one of :func:`variants`.
    """
    return _gemm.run(a, b, out, trans_a, trans_b, alpha, beta, bias, bias_dim, activation,
                     variant, "cuda")
