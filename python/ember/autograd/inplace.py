"""In-place operations under autograd, as PyTorch does them.

Every tensor's memory carries a version counter (in C++, shared by all views of that memory);
each in-place write bumps it, and a node checks the versions of what it saved when backward
unpacks them, so a value changed after it was saved raises instead of giving a wrong gradient.

When grad mode is on and the tensor written to (or an operand) requires grad, the op is
recorded: its new value is computed out of place by the ordinary differentiable op, written
into the tensor, and the tensor's history (``grad_fn``) becomes that op's node. A leaf that
requires grad may not be written to (PyTorch's error), nor may a view of a tensor in the graph
(PyTorch rebases the base's history through the view; ember refuses rather than get it wrong).
Under ``no_grad`` anything goes, as optimizers and ``nn.init`` need.
"""
from __future__ import annotations

from .. import _C
from .. import _tensor
from . import ops_elementwise as _E
from .function import Function, _SavedOutput

_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."


def bump(t) -> None:
    """Marks t's memory as modified (each in-place write calls it, in every grad mode)."""
    t._impl.bump_version()


def check_inplace(t, others, name: str) -> None:
    """For an in-place op that ember does not record, called with grad mode on before it writes
    to t: PyTorch's error for a leaf that requires grad; an error for a tensor inside the graph
    (or an operand that requires grad), whose gradient the op would silently break."""
    if t.requires_grad and t.grad_fn is None:
        raise RuntimeError(_LEAF)
    if t.requires_grad or any(getattr(o, "requires_grad", False) for o in others):
        raise RuntimeError(f"{name}: this in-place operation is not differentiable in ember "
                           "while grad mode is on and a tensor involved requires grad; use the "
                           "out-of-place op, or run it under ember.no_grad()")


def record_inplace(t, name: str, fn, *args):
    """Runs the in-place op ``name`` on t, recorded: ``fn(t, *args)`` computes the new value out
    of place (a differentiable op), which is written into t; t's grad_fn becomes its node.
    Called when grad mode is on and t or an operand requires grad. Returns t."""
    node = t.grad_fn
    if node is None:
        if t.requires_grad:
            raise RuntimeError(_LEAF)
    elif node._is_view:
        raise RuntimeError(f"{name}: an in-place operation on a view ({node.name()} output) of "
                           "a tensor that requires grad is not supported by ember's autograd; "
                           "write to the base tensor or use out-of-place ops")
    out = fn(t, *args)
    impl, out_impl = t._impl, out._impl
    if out_impl.shape != impl.shape:
        raise RuntimeError(f"{name}: output with shape {list(impl.shape)} doesn't match the "
                           f"broadcast shape {list(out_impl.shape)}")
    new_node = out.grad_fn
    if new_node is not None and new_node._saved:
        _snapshot_saved(new_node, t)
    _C.copy_(impl, out_impl)
    impl.bump_version()
    if new_node is not None:
        t.grad_fn = new_node
        t._output_nr = out._output_nr
        t.requires_grad = True
    return t


def _snapshot_saved(node, t) -> None:
    """The node saved t (or a view of its memory) as an input of the op that is about to
    overwrite it: keep a copy of the old value instead, with the old value's history."""
    ptr = t._impl.storage_ptr
    saved = list(node._saved)
    for i, (value, version) in enumerate(saved):
        if version is None or type(value) is _SavedOutput or value._impl.storage_ptr != ptr:
            continue
        copy = _tensor.wrap(_C.clone(value._impl), value.requires_grad)
        if value.grad_fn is not None:
            copy.grad_fn, copy._output_nr = value.grad_fn, value._output_nr
        saved[i] = (copy, copy._impl.version)
    node._saved = tuple(saved)


class CopyFrom(Function):
    """``t.copy_(src)`` computed out of place: src cast to t's dtype and device, broadcast to
    t's shape. t's old value gets no gradient; src gets the gradient summed back to its
    shape."""

    @staticmethod
    def forward(ctx, t, src):
        ctx.src_dtype, ctx.src_device = src.dtype, src.device
        out = _tensor.wrap(_C.empty(t._impl.shape, t._impl.dtype, t.device.type,
                                    t.device.index or 0))
        _C.copy_(out._impl, src._impl)
        return out

    @staticmethod
    def backward(ctx, g):
        _, src_meta = ctx._input_meta
        gt = _E.zeros_like(g) if ctx.needs_input_grad[0] else None
        gs = None
        if src_meta is not None:
            gs = _E.unbroadcast(g.to(ctx.src_device, ctx.src_dtype), src_meta[0])
        return gt, gs


class IndexPut(Function):
    """``t[indices] = values`` (or ``+=`` with accumulate) computed out of place, for
    ``__setitem__`` and ``index_put_``: ``put(out, values)`` writes into a copy of t."""

    @staticmethod
    def forward(ctx, t, values, put, pick, accumulate):
        ctx.pick, ctx.put, ctx.accumulate = pick, put, accumulate
        out = _tensor.wrap(_C.clone(t._impl))
        put(out, values)
        return out

    @staticmethod
    def backward(ctx, g):
        nt, nv = ctx.needs_input_grad[:2]
        gt = gv = None
        if nt:
            gt = g
            if not ctx.accumulate:  # the overwritten elements had no effect
                gt = g.clone()
                ctx.put(gt, 0.0)
        if nv:
            gv = _sum_to(ctx.pick(g), ctx._input_meta[1][0])
        return gt, gv, None, None, None


def _sum_to(g, shape):
    """g summed back to the shape of a value that was broadcast to g's shape, leading ones of
    the value (which setitem ignores) included."""
    core = tuple(shape)
    while core and core[0] == 1 and len(core) > g.ndim:
        core = core[1:]
    return _E.unbroadcast(g, core).reshape(shape)
