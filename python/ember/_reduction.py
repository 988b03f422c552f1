"""Reductions (sum, mean, max, var, norm, ...) and matrix products, with PyTorch's signatures.

``dim`` takes an int, a tuple or a list (negative dims count from the end); ``None`` reduces over
every dim. Sums and products of bool or integer tensors give int64 unless ``dtype`` says
otherwise; mean, var, std and norm need a floating input.
"""
from __future__ import annotations

import collections

from . import _C
from . import _dtype
from . import _tensor
from .autograd import grad_mode as _grad_mode
from .autograd import ops_linalg as _ag_linalg
from .autograd import ops_reduction as _ag

__all__ = [
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
    "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "all", "any",
    "cumsum", "cumprod", "matmul", "mm", "bmm", "dot", "mv", "outer",
]

_builtin_all = all  # shadowed below by ember.all

# torch.return_types.max / .min: a tuple whose fields are also attributes.
MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])


def _wrap(impl):
    return _tensor.wrap(impl)


def _impl(t, op: str, position: int = 1):
    try:
        return t._impl
    except AttributeError:
        raise TypeError(f"{op}: expected a Tensor as argument {position}, "
                        f"got {type(t).__name__}") from None


def _dims(dim, op: str) -> list:
    """dim as the list the C++ ops take (empty: every dim)."""
    if dim is None:
        return []
    if isinstance(dim, int) and not isinstance(dim, bool):
        return [dim]
    if isinstance(dim, (tuple, list)) and _builtin_all(
            isinstance(d, int) and not isinstance(d, bool) for d in dim):
        return list(dim)
    raise TypeError(f"{op}: dim must be an int, a tuple or list of ints, or None, got {dim!r}")


def _single_dim(dim, op: str) -> int:
    if isinstance(dim, int) and not isinstance(dim, bool):
        return dim
    raise TypeError(f"{op}: dim must be an int, got {dim!r}")


def _grad(*tensors) -> bool:
    """Whether to record this op: grad mode is on and an input requires grad."""
    return _grad_mode._enabled and _builtin_any(t.requires_grad for t in tensors)


_builtin_any = any  # shadowed below by ember.any


def _c_dtype(dtype):
    return None if dtype is None else _dtype.as_dtype(dtype)._c


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` (all dims when None); bool/integer inputs give int64 unless ``dtype``."""
    impl, dims = _impl(input, "sum"), _dims(dim, "sum")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Sum.apply(input, dims, keepdim, dtype)
    return _wrap(_C.sum(impl, dims, keepdim, _c_dtype(dtype)))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Arithmetic mean over ``dim``; needs a floating input (or a floating ``dtype``)."""
    impl, dims = _impl(input, "mean"), _dims(dim, "mean")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Mean.apply(input, dims, keepdim, dtype)
    return _wrap(_C.mean(impl, dims, keepdim, _c_dtype(dtype)))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product over ``dim``; bool/integer inputs give int64 unless ``dtype``."""
    impl, dims = _impl(input, "prod"), _dims(dim, "prod")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Prod.apply(input, dims, keepdim, dtype)
    return _wrap(_C.prod(impl, dims, keepdim, _c_dtype(dtype)))


def amax(input, dim=(), keepdim=False):
    """Largest value over ``dim`` (all dims when empty); NaN propagates."""
    impl, dims = _impl(input, "amax"), _dims(dim, "amax")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Amax.apply(input, dims, keepdim)
    return _wrap(_C.amax(impl, dims, keepdim))


def amin(input, dim=(), keepdim=False):
    """Smallest value over ``dim`` (all dims when empty); NaN propagates."""
    impl, dims = _impl(input, "amin"), _dims(dim, "amin")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Amin.apply(input, dims, keepdim)
    return _wrap(_C.amin(impl, dims, keepdim))


def _extreme(input, dim, keepdim, op: str, is_max: bool):
    impl = _impl(input, op)
    if dim is None:
        if keepdim:
            raise TypeError(f"{op}: keepdim=True needs a dim")
        return (amax if is_max else amin)(input)
    if hasattr(dim, "_impl"):
        import ember
        if keepdim:
            raise TypeError(f"{op}: keepdim is not an argument of the elementwise form "
                            f"{op}(input, other)")
        return (ember.maximum if is_max else ember.minimum)(input, dim)
    kernel = _C.max_dim if is_max else _C.min_dim
    if input.requires_grad and _grad_mode._enabled:
        values, indices = _ag.MaxDim.apply(input, _single_dim(dim, op), keepdim, kernel)
        return (MaxResult if is_max else MinResult)(values, indices)
    values, indices = kernel(impl, _single_dim(dim, op), keepdim)
    return (MaxResult if is_max else MinResult)(_wrap(values), _wrap(indices))


def max(input, dim=None, keepdim=False):
    """``max(input)``: the largest value (0-d). ``max(input, dim, keepdim=False)``: the named
    tuple ``(values, indices)`` along dim (first occurrence; NaN wins). ``max(input, other)``:
    the elementwise maximum."""
    return _extreme(input, dim, keepdim, "max", True)


def min(input, dim=None, keepdim=False):
    """``min(input)``, ``min(input, dim, keepdim=False)`` -> ``(values, indices)``, or
    ``min(input, other)`` elementwise; like :func:`max`."""
    return _extreme(input, dim, keepdim, "min", False)


def argmax(input, dim=None, keepdim=False):
    """Index (int64) of the largest value along ``dim``, or into the flattened tensor."""
    d = None if dim is None else _single_dim(dim, "argmax")
    return _wrap(_C.argmax(_impl(input, "argmax"), d, keepdim))


def argmin(input, dim=None, keepdim=False):
    """Index (int64) of the smallest value along ``dim``, or into the flattened tensor."""
    d = None if dim is None else _single_dim(dim, "argmin")
    return _wrap(_C.argmin(_impl(input, "argmin"), d, keepdim))


def _correction(dim, unbiased, correction, op: str):
    """(dim, correction) from PyTorch's two calling conventions: ``var(x, unbiased)``,
    ``var(x, dim, unbiased, keepdim)`` and ``var(x, dim, correction=c)``."""
    if isinstance(dim, bool):
        if unbiased is not None:
            raise TypeError(f"{op}: got unbiased twice")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}: pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return _dims(dim, op), float(correction)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` with divisor ``N - correction`` (default correction 1;
    ``unbiased=False`` means 0)."""
    dims, c = _correction(dim, unbiased, correction, "var")
    impl = _impl(input, "var")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Var.apply(input, dims, keepdim, c)
    return _wrap(_C.var(impl, dims, c, keepdim))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over ``dim``; arguments as :func:`var`."""
    dims, c = _correction(dim, unbiased, correction, "std")
    impl = _impl(input, "std")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Std.apply(input, dims, keepdim, c)
    return _wrap(_C.std(impl, dims, c, keepdim))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim`` in one pass over the data's layout."""
    dims, c = _correction(dim, unbiased, correction, "var_mean")
    impl = _impl(input, "var_mean")
    if _grad(input):  # two recorded reductions: each output gets its own gradient
        return var(input, dims, keepdim=keepdim, correction=c), mean(input, dims, keepdim)
    v, m = _C.var_mean(impl, dims, c, keepdim)
    return _wrap(v), _wrap(m)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    dims, c = _correction(dim, unbiased, correction, "std_mean")
    impl = _impl(input, "std_mean")
    if _grad(input):  # two recorded reductions: each output gets its own gradient
        return std(input, dims, keepdim=keepdim, correction=c), mean(input, dims, keepdim)
    s, m = _C.std_mean(impl, dims, c, keepdim)
    return _wrap(s), _wrap(m)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm over ``dim`` (all dims when None): p = 'fro' or 2 (default), 1, 0 (number
    of non-zeros), inf, -inf or any other number."""
    impl = _impl(input, "norm")
    if dtype is not None:
        input = input.to(dtype)
        impl = input._impl
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(f"norm: p must be a number or 'fro', got {p!r}")
        p = 2.0
    elif isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"norm: p must be a number or 'fro', got {p!r}")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Norm.apply(input, _dims(dim, "norm"), keepdim, float(p))
    return _wrap(_C.norm(impl, float(p), _dims(dim, "norm"), keepdim))


def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow; integer inputs give
    float32."""
    impl, dims = _impl(input, "logsumexp"), _dims(dim, "logsumexp")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Logsumexp.apply(input, dims, keepdim)
    return _wrap(_C.logsumexp(impl, dims, keepdim))


def all(input, dim=None, keepdim=False):
    """Whether every element over ``dim`` is non-zero (bool)."""
    return _wrap(_C.all(_impl(input, "all"), _dims(dim, "all"), keepdim))


def any(input, dim=None, keepdim=False):
    """Whether some element over ``dim`` is non-zero (bool)."""
    return _wrap(_C.any(_impl(input, "any"), _dims(dim, "any"), keepdim))


def cumsum(input, dim, *, dtype=None):
    """Running sum along ``dim``; bool/integer inputs give int64 unless ``dtype``."""
    impl, d = _impl(input, "cumsum"), _single_dim(dim, "cumsum")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Cumsum.apply(input, d, dtype)
    return _wrap(_C.cumsum(impl, d, _c_dtype(dtype)))


def cumprod(input, dim, *, dtype=None):
    """Running product along ``dim``; bool/integer inputs give int64 unless ``dtype``."""
    impl, d = _impl(input, "cumprod"), _single_dim(dim, "cumprod")
    if input.requires_grad and _grad_mode._enabled:
        return _ag.Cumprod.apply(input, d, dtype)
    return _wrap(_C.cumprod(impl, d, _c_dtype(dtype)))


def matmul(input, other):
    """Matrix product with numpy's rules: 1-D @ 1-D is a dot product (0-d), a 1-D operand acts
    as a row (left) or column (right) vector, and leading batch dims broadcast."""
    a, b = _impl(input, "matmul"), _impl(other, "matmul", 2)
    if (input.requires_grad or other.requires_grad) and _grad_mode._enabled:
        return _ag_linalg.Matmul.apply(input, other, _C.matmul)
    return _wrap(_C.matmul(a, b))


def mm(input, mat2):
    """Product of two matrices: (n, k) @ (k, m) -> (n, m)."""
    a, b = _impl(input, "mm"), _impl(mat2, "mm", 2)
    if (input.requires_grad or mat2.requires_grad) and _grad_mode._enabled:
        return _ag_linalg.Matmul.apply(input, mat2, _C.mm)
    return _wrap(_C.mm(a, b))


def bmm(input, mat2):
    """Batched product of 3-D tensors: (b, n, k) @ (b, k, m) -> (b, n, m)."""
    a, b = _impl(input, "bmm"), _impl(mat2, "bmm", 2)
    if (input.requires_grad or mat2.requires_grad) and _grad_mode._enabled:
        return _ag_linalg.Matmul.apply(input, mat2, _C.bmm)
    return _wrap(_C.bmm(a, b))


def dot(input, tensor):
    """Dot product of two 1-D tensors of the same size (0-d result)."""
    a, b = _impl(input, "dot"), _impl(tensor, "dot", 2)
    if _grad(input, tensor):
        return _ag_linalg.Matmul.apply(input, tensor, _C.dot)
    return _wrap(_C.dot(a, b))


def mv(input, vec):
    """Matrix-vector product: (n, k) @ (k,) -> (n,)."""
    a, b = _impl(input, "mv"), _impl(vec, "mv", 2)
    if _grad(input, vec):
        return _ag_linalg.Matmul.apply(input, vec, _C.mv)
    return _wrap(_C.mv(a, b))


def outer(input, vec2):
    """Outer product of two 1-D tensors: (n,) x (m,) -> (n, m), dtypes promoted."""
    a, b = _impl(input, "outer"), _impl(vec2, "outer", 2)
    if _grad(input, vec2):
        return _ag_linalg.Outer.apply(input, vec2)
    return _wrap(_C.outer(a, b))


class ReductionMethods:
    """Tensor methods of this family: ``x.sum(1)``, ``x.max(dim=0)``, ``a @ b`` ..."""

    __slots__ = ()

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim=False):
        return max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return argmin(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return std(self, dim, unbiased, keepdim, correction=correction)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return norm(self, p, dim, keepdim, dtype)

    def logsumexp(self, dim, keepdim=False):
        return logsumexp(self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return any(self, dim, keepdim)

    def cumsum(self, dim, *, dtype=None):
        return cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None):
        return cumprod(self, dim, dtype=dtype)

    def matmul(self, other):
        return matmul(self, other)

    def mm(self, other):
        return mm(self, other)

    def bmm(self, other):
        return bmm(self, other)

    def dot(self, other):
        return dot(self, other)

    def mv(self, other):
        return mv(self, other)

    def outer(self, other):
        return outer(self, other)

    def __matmul__(self, other):
        if not hasattr(other, "_impl"):
            return NotImplemented
        return matmul(self, other)

    def __rmatmul__(self, other):
        if not hasattr(other, "_impl"):
            return NotImplemented
        return matmul(other, self)
