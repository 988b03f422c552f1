"""The call shared by the backends' ``gemm`` study entry points: argument checks, then
``ember._C.gemm``, which runs the named variant of the ladder of the operands' device."""
from __future__ import annotations

from .. import _C
from .. import _tensor


def impl_of(t, name):
    if not isinstance(t, _tensor.Tensor):
        raise TypeError(f"gemm: {name} must be an ember.Tensor, got {type(t).__name__}")
    return t._impl


def run(a, b, out, trans_a, trans_b, alpha, beta, bias, bias_dim, activation, variant,
        device_kind):
    """``_C.gemm`` on a and b, which must be on a device of ``device_kind`` ("cpu"/"cuda")."""
    if activation is not None and not isinstance(activation, str):
        raise TypeError(f"gemm: activation must be None or a str, got {type(activation).__name__}")
    if not isinstance(variant, str):
        raise TypeError(f"gemm: variant must be a str, got {type(variant).__name__}")
    a_impl = impl_of(a, "a")
    if a.device.type != device_kind:
        raise RuntimeError(f"gemm: the {device_kind} backend got a tensor on {a.device}")
    impl = _C.gemm(a_impl, impl_of(b, "b"),
                   None if out is None else impl_of(out, "out"), bool(trans_a), bool(trans_b),
                   float(alpha), float(beta), None if bias is None else impl_of(bias, "bias"),
                   int(bias_dim), "none" if activation is None else activation, variant)
    return out if out is not None else _tensor.wrap(impl)
