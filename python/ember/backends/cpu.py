"""The CPU kernels' study API: ``gemm`` with a selectable variant.

    import ember
    from ember.backends import cpu
    y = cpu.gemm(x, w, trans_b=True, bias=b, activation="relu")   # relu(x @ w.T + b)
    cpu.gemm(x, w, variant="naive")                                # the reference
"""
from __future__ import annotations

from . import _gemm

__all__ = ["gemm", "variants"]

_VARIANTS = ("naive", "blocked", "packed", "auto")


def variants() -> tuple:
    """The GEMM variants, slowest first: ``naive`` (triple loop, the reference), ``blocked``
    (cache blocking), ``packed`` (BLIS: packed panels and a per-ISA micro-kernel) and ``auto``
    (packed, with packing, threads and matrix-vector paths chosen from the shape)."""
    return _VARIANTS


def gemm(a, b, *, out=None, trans_a=False, trans_b=False, alpha=1.0, beta=0.0, bias=None,
         bias_dim=1, activation=None, variant="auto"):
    """``act(alpha * op(a) @ op(b) + beta * out + bias)`` in one pass over the output.

    Args:
        a, b: 2-D float32 or float64 tensors of one dtype, any strides; ``op(x)`` is ``x.T``
            when ``trans_x`` is true.
        out: an (M, N) tensor to write into (and to scale by ``beta``); a new one when None, in
            which case ``beta`` must be 0.
        alpha, beta: scalars as in BLAS; ``out`` is not read when ``beta`` is 0.
        bias: 1-D tensor added after the product: N values for ``bias_dim=1`` (every row gets
            it, as in ``nn.Linear``) or M values for ``bias_dim=0``.
        activation: None, ``"relu"``, ``"gelu"`` (exact, erf form), ``"sigmoid"`` or ``"tanh"``.
        variant: one of :func:`variants`.

    Returns:
        ``out``, or the new (M, N) tensor.
    """
    return _gemm.run(a, b, out, trans_a, trans_b, alpha, beta, bias, bias_dim, activation,
                     variant, "cpu")
