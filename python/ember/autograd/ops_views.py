"""Backward formulas of views, indexing and joins.

Three generic Functions cover most of the family, each given the forward function to replay:
``Reshape`` (same elements, another shape: the gradient is reshaped back), ``Permute`` and
``Expand`` (summed back over the broadcast dims); ``Gather`` covers everything that picks
elements (slices, select, diagonal, split, advanced indexing, index_select): the gradient is
written into zeros through the same view, or, for advanced indices that may repeat, added with
``index_put_(accumulate=True)`` at the flat positions that replaying the op on ``arange`` gives.

A node whose output shares its input's memory is marked ``_is_view``. The formulas read only
the input's shape, never its values, so a view's node stays right for the ops recorded before
an in-place write to the memory; the write itself gives the view (and its base) a new history
(see inplace.py), which the ops recorded after it use.
"""
from __future__ import annotations

from .. import _C
from .. import _tensor
from .. import _views as V
from .. import _elementwise as E
from . import grad_mode
from .function import Function
from .inplace import Geometry, PutView
from .ops_elementwise import check_inplace, unbroadcast, zeros_like  # noqa: F401 (re-export)


def _shares_memory(out, x) -> bool:
    if type(out) is tuple:
        out = out[0] if out else None
    return out is not None and out._impl.storage_ptr == x._impl.storage_ptr


class Reshape(Function):
    @staticmethod
    def forward(ctx, x, fn, *args):
        ctx.shape = x._impl.shape
        out = fn(x, *args)
        if _shares_memory(out, x):
            ctx._is_view = True
        return out

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx.shape), None) + (None,) * (len(ctx.next_functions) - 2)


class Permute(Function):
    """A view whose dims are a permutation of x's: ``perm_of(ndim, *args)`` says which, once
    ``fn(x, *args)`` has checked the arguments."""

    @staticmethod
    def forward(ctx, x, fn, perm_of, *args):
        out = fn(x, *args)
        perm = perm_of(x.ndim, *args)
        ctx.inverse = sorted(range(len(perm)), key=perm.__getitem__)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g.permute(ctx.inverse),) + (None,) * (len(ctx.next_functions) - 1)


def permute_perm(ndim: int, *dims) -> list:
    """permute's dims, given as ints or one sequence, made non-negative."""
    return [d % ndim for d in V._sizes(dims, "permute")] if ndim else []


def reversed_perm(ndim: int) -> list:
    return list(range(ndim - 1, -1, -1))


def transpose_perm(ndim: int, d0: int, d1: int) -> list:
    perm = list(range(ndim))
    if ndim:
        d0, d1 = d0 % ndim, d1 % ndim
        perm[d0], perm[d1] = perm[d1], perm[d0]
    return perm


def movedim_perm(ndim: int, source, destination) -> list:
    source = [d % ndim for d in V._dims(source)]
    destination = [d % ndim for d in V._dims(destination)]
    perm = [None] * ndim
    for s, d in zip(source, destination):
        perm[d] = s
    rest = iter(d for d in range(ndim) if d not in source)
    return [p if p is not None else next(rest) for p in perm]


class Expand(Function):
    @staticmethod
    def forward(ctx, x, fn, *args):
        ctx.shape = x._impl.shape
        return fn(x, *args)

    @staticmethod
    def backward(ctx, g):
        return (unbroadcast(g, ctx.shape), None) + (None,) * (len(ctx.next_functions) - 2)


class Gather(Function):
    """``fn(x, *args)`` picking elements of x (one output or a tuple of them)."""

    @staticmethod
    def forward(ctx, x, fn, *args):
        ctx.fn, ctx.args = fn, args
        ctx.input = x._impl.shape, x.device  # not x's values: a later write to x is harmless
        ctx.set_materialize_grads(False)
        out = fn(x, *args)
        ctx._is_view = _shares_memory(out, x)
        return out

    @staticmethod
    def backward(ctx, *grads):
        shape, device = ctx.input
        g0 = next(g for g in grads if g is not None)
        gx = _tensor.wrap(_C.empty(shape, g0._impl.dtype, device.type, device.index or 0))
        _C.fill_int_(gx._impl, 0)
        picked = ctx.fn(gx, *ctx.args)
        multi = isinstance(picked, tuple)
        picked = picked if multi else (picked,)
        rest = (None,) * (len(ctx.next_functions) - 1)
        if all(p._impl.storage_ptr == gx._impl.storage_ptr for p in picked):
            if grad_mode._enabled:  # create_graph: a scatter that is differentiable in turn
                parts = [PutView.apply(g, Geometry(gx._impl, p._impl))
                         for p, g in zip(picked, grads) if g is not None]
                return (sum(parts[1:], parts[0]),) + rest
            for p, g in zip(picked, grads):
                if g is not None:
                    _C.copy_(p._impl, g._impl)  # views of distinct elements: plain writes
            return (gx,) + rest
        # Elements may be picked more than once: sum their gradients by flat position.
        positions = ctx.fn(_arange(shape, device), *ctx.args)
        positions = positions if multi else (positions,)
        flat = gx.reshape(-1)
        for p, g in zip(positions, grads):
            if g is not None:
                flat.index_put_((p.reshape(-1),), g.reshape(-1), accumulate=True)
        return (flat.reshape(shape),) + rest


def _arange(shape, dev):
    """The flat position of each element of a tensor of the given shape, on its device."""
    n = 1
    for s in shape:
        n *= s
    flat = _tensor.wrap(_C.arange(0, n, 1, _C.DType.int64, dev.type, dev.index or 0))
    return flat.reshape(shape)


class Cat(Function):
    """cat(tensors, dim), called as ``Cat.apply(fn, dim, *tensors)``."""

    @staticmethod
    def forward(ctx, fn, dim, *tensors):
        out = fn(list(tensors), dim)
        ctx.dim = dim % max(out.ndim, 1)
        ctx.sizes = [t._impl.shape[ctx.dim] if t.ndim else 0 for t in tensors]
        return out

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        for size in ctx.sizes:
            grads.append(g.narrow(ctx.dim, start, size))
            start += size
        return (None, None) + tuple(grads)


class Stack(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        out = V.stack(list(tensors), dim)
        ctx.dim = dim % max(out.ndim, 1)
        return out

    @staticmethod
    def backward(ctx, g):
        return (None,) + g.unbind(ctx.dim)


class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return V.flip(x, dims)

    @staticmethod
    def backward(ctx, g):
        return g.flip(ctx.dims), None


class MaskedFill(Function):
    """masked_fill(x, mask, value); a 0-d tensor value gets the sum of the filled gradients."""

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(x, mask)
        return V.masked_fill(x, mask, value)

    @staticmethod
    def backward(ctx, g):
        x, mask = ctx.saved_tensors
        nx, _, nv = ctx.needs_input_grad
        return (unbroadcast(E.where(mask, 0.0, g), x._impl.shape) if nx else None, None,
                E.where(mask, g, 0.0).sum() if nv else None)


# Always views of their input.
Permute._backward_cls._is_view = True
Expand._backward_cls._is_view = True
