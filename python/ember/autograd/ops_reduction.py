"""Backward formulas of the reductions: sum, mean, prod, amax/amin, max/min along a dim,
var/std, norm, logsumexp, cumsum, cumprod."""
from __future__ import annotations

import math

from .. import _C
from .. import _reduction as R
from .. import _tensor
from .. import _views as V
from .. import _elementwise as E
from . import grad_mode
from .function import Function
from .ops_elementwise import zeros_like


def _norm_dims(dims, ndim: int) -> list:
    """The reduced dims, non-negative and sorted (every dim when ``dims`` is empty)."""
    if ndim == 0:
        return []
    if not dims:
        return list(range(ndim))
    if len(dims) == 1:
        return [dims[0] % ndim]
    return sorted({d % ndim for d in dims})


def expand_back(g, shape, dims: list, keepdim: bool):
    """The gradient of a reduction over ``dims`` (normalized) broadcast back to ``shape``."""
    if not grad_mode._enabled:  # backward without create_graph: the same C++ ops, directly
        impl = g._impl
        if not keepdim:
            for d in dims:
                impl = _C.unsqueeze(impl, d)
        return _tensor.wrap(_C.expand(impl, shape) if shape else _C.reshape(impl, ()))
    if not keepdim:
        for d in dims:
            g = g.unsqueeze(d)
    return g.expand(shape) if shape else g.reshape(())


class _Reduction(Function):
    """Saves x, the output and the normalized dims (only the dims when ``reads_values`` is
    false); subclasses give ``grad(ctx, g, x, out)`` where g and out are already broadcast back
    to x's shape (x and out are None when not read)."""

    kernel = None
    reads_values = True

    @classmethod
    def forward(cls, ctx, x, dims, keepdim, *extra):
        out = cls.kernel(x, dims, keepdim, *extra)
        ctx.dims = _norm_dims(dims, x._impl.ndim)
        ctx.keepdim = keepdim
        ctx.extra = extra
        if cls.reads_values:
            ctx.save_for_backward(x, out)
        return out

    @classmethod
    def backward(cls, ctx, g):
        shape = ctx._input_meta[0][0]
        if cls.reads_values:
            x, out = ctx.saved_tensors
            out = expand_back(out, shape, ctx.dims, ctx.keepdim)
        else:
            x = out = None
        gx = cls.grad(ctx, expand_back(g, shape, ctx.dims, ctx.keepdim), x, out)
        return (gx,) + (None,) * (2 + len(ctx.extra))


class Sum(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim, dtype: _tensor.wrap(
        _C.sum(x._impl, dims, keepdim, R._c_dtype(dtype))))
    reads_values = False
    grad = staticmethod(lambda ctx, g, x, out: g)


class Mean(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim, dtype: _tensor.wrap(
        _C.mean(x._impl, dims, keepdim, R._c_dtype(dtype))))
    reads_values = False

    @staticmethod
    def grad(ctx, g, x, out):
        return g / _reduced_count(ctx._input_meta[0][0], ctx.dims)


def _reduced_count(shape, dims) -> int:
    return math.prod(shape[d] for d in dims) if dims else math.prod(shape)


class Prod(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim, dtype: R.prod(x, dims, keepdim, dtype=dtype))

    @staticmethod
    def grad(ctx, g, x, out):
        # The product of every other element of each group, from exclusive running products
        # from both ends: exact where x holds zeros, unlike out / x.
        dims, nd = ctx.dims, x.ndim
        if nd == 0:
            return g
        keep = [d for d in range(nd) if d not in dims]
        perm = keep + dims
        shape = x._impl.shape
        lead = [shape[d] for d in keep]
        n = _reduced_count(x._impl.shape, dims)
        if n == 0:
            return zeros_like(x)
        xf = x.permute(perm).reshape(lead + [n])
        one = _tensor.wrap(E._scalar_impl(1.0, x._impl.dtype)).expand(lead + [1])
        left = V.cat([one, xf[..., :-1].cumprod(-1)], -1)
        right = V.cat([one, xf.flip(-1)[..., :-1].cumprod(-1)], -1).flip(-1)
        others = (left * right).reshape([shape[d] for d in perm])
        inverse = sorted(range(nd), key=perm.__getitem__)
        return g * others.permute(inverse)


def _share_among_ties(g, x, out, dims):
    """g split evenly among the elements equal to the extreme value of their group."""
    mask = (x == out).to(g.dtype)
    count = mask.sum(dims, keepdim=True) if dims else mask.sum()
    return g * mask / count


class Amax(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim: R.amax(x, dims, keepdim))
    grad = staticmethod(lambda ctx, g, x, out: _share_among_ties(g, x, out, ctx.dims))


class Amin(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim: R.amin(x, dims, keepdim))
    grad = staticmethod(lambda ctx, g, x, out: _share_among_ties(g, x, out, ctx.dims))


def _mean_back(x, dims):
    return x.mean(dims, keepdim=True) if dims else x.mean()


class Var(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim, c: R.var(x, dims, keepdim=keepdim,
                                                            correction=c))

    @staticmethod
    def grad(ctx, g, x, out):
        n = _reduced_count(x._impl.shape, ctx.dims) - ctx.extra[0]
        return g * (x - _mean_back(x, ctx.dims)) * (2.0 / n)


class Std(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim, c: R.std(x, dims, keepdim=keepdim,
                                                            correction=c))

    @staticmethod
    def grad(ctx, g, x, out):
        n = _reduced_count(x._impl.shape, ctx.dims) - ctx.extra[0]
        return g * (x - _mean_back(x, ctx.dims)) / (out * n)


class Norm(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim, p: R.norm(x, p, dims, keepdim))

    @staticmethod
    def grad(ctx, g, x, out):
        p = ctx.extra[0]
        if p == 0:
            return zeros_like(x)
        if p == 1:
            return g * x.sign()
        if math.isinf(p):
            return _share_among_ties(g * x.sign(), x.abs(), out, ctx.dims)
        if p == 2:
            scaled = x / out
        else:
            scaled = x.sign() * (x.abs() / out) ** (p - 1)
        return g * E.where(out == 0, 0.0, scaled)


class Logsumexp(_Reduction):
    kernel = staticmethod(lambda x, dims, keepdim: R.logsumexp(x, dims, keepdim))
    grad = staticmethod(lambda ctx, g, x, out: g * (x - out).exp())


class MaxDim(Function):
    """max/min along one dim: (values, indices); the gradient goes to the chosen index."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, kernel):
        values, indices = kernel(x._impl, dim, keepdim)
        values, indices = _tensor.wrap(values), _tensor.wrap(indices)
        ctx.dim = dim % max(x.ndim, 1)
        ctx.keepdim = keepdim
        ctx.save_for_backward(x, indices)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, g, _):
        x, indices = ctx.saved_tensors
        if x.ndim == 0:
            return g, None, None, None
        d, shape = ctx.dim, x._impl.shape
        if not ctx.keepdim:
            g, indices = g.unsqueeze(d), indices.unsqueeze(d)
        import ember
        positions = ember.arange(shape[d]).to(x.device).reshape(
            [shape[d] if i == d else 1 for i in range(len(shape))])
        return E.where(positions == indices, g, 0.0), None, None, None


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim = dim
        return R.cumsum(x, dim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g, None, None
        return g.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), None, None


class Cumprod(Function):
    """Running product. Without zeros in x the gradient is reverse_cumsum(g * out) / x; with
    zeros it runs the exact recurrence S_i = g_i + x_(i+1) S_(i+1), grad_i = prefix_i S_i, one
    step per entry along dim."""

    @staticmethod
    def forward(ctx, x, dim, dtype):
        out = R.cumprod(x, dim, dtype=dtype)
        ctx.dim = dim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        if g.ndim == 0:
            return g, None, None
        d = ctx.dim
        if not (x == 0).any().item():
            return (g * out).flip(d).cumsum(d).flip(d) / x, None, None
        xs, gs = x.unbind(d), g.unbind(d)
        prefix, acc = [], zeros_like(gs[0]) + 1
        for xi in xs:
            prefix.append(acc)
            acc = acc * xi
        grads, s = [None] * len(xs), None
        for i in range(len(xs) - 1, -1, -1):
            s = gs[i] if s is None else gs[i] + xs[i + 1] * s
            grads[i] = prefix[i] * s
        return V.stack(grads, d), None, None
