"""In-place operations under autograd, as PyTorch does them (its CopySlices mechanism).

Every tensor's memory carries a version counter (in C++, shared by all views of that memory);
each in-place write bumps it, and a node checks the versions of what it saved when backward
unpacks them, so a value changed after it was saved raises instead of giving a wrong gradient.

When grad mode is on and the tensor written to (or an operand) requires grad, the op is
recorded: its new value is computed out of place by the ordinary differentiable op, written
into the tensor, and the tensor's history (``grad_fn``) becomes that op's node. A leaf that
requires grad may not be written to (PyTorch's error). Under ``no_grad`` anything goes, as
optimizers and ``nn.init`` need.

A write to a *view* (a tensor whose ``_view_of`` the view functions of _views.py set to its
base; for a base, that slot holds the weak references to its views, else None) is
recorded on its base: the base's new node (``CopySlices``) passes the gradient outside the
view's elements to the base's previous history and the gradient of the view's elements to the
in-place op's node (which sends it on to the view's previous value and the other operands); the
view becomes ``AsStrided`` of the new base (its offset, sizes and strides within the base's
memory). Views of the base taken earlier are given the same kind of history right away (PyTorch
does it lazily when a view is next used; ember's views register with their base when taken under
grad mode, and the write updates them, which keeps every ordinary op free of a version check).
Views taken under ``no_grad`` of a base that requires grad register too; such a write gives
them a history whose backward raises PyTorch's error (PyTorch raises as soon as one is used in a
differentiable op, and also after a write under ``no_grad``, which ember does not track).
PyTorch's errors are matched: a view of a leaf that requires grad, a view taken under
``no_grad`` (or of a base outside the graph) written with grad mode on, an output of a
multiple-view op (``unbind``, ``split``, ``chunk``), and an expanded view whose elements
overlap. (A view taken under ``no_grad`` of a base that requires grad is itself a tensor that
does not, so a write to it that involves no tensor requiring grad takes the op's plain path:
every in-place entry point calls ``check_plain_write`` there.)
"""
from __future__ import annotations

from weakref import ref as _ref

from .. import _C
from .. import _tensor
from . import grad_mode
from . import ops_elementwise as _E
from .function import _NO_EDGE, Function, _SavedOutput

_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_OF_LEAF = ("a view of a leaf Variable that requires grad is being used in an in-place "
                 "operation.")
_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")
_MULTI = ("This view is the output of a function that returns multiple views. Such functions do "
          "not allow the output views to be modified inplace. You should replace the inplace "
          "operation by an out-of-place one.")
_NO_GRAD_VIEW = " no_grad mode and is being modified inplace with grad mode enabled."
_NO_GRAD_VIEW_REBASED = (" no_grad mode and its base or another view of its base has been "
                         "modified inplace with grad mode enabled.")
_CUSTOM_FUNCTION = (" is a view and is being modified inplace. This view was created inside a "
                    "custom Function (or because an input was returned as-is) and the autograd "
                    "logic to handle view+inplace would override the custom backward associated "
                    "with the custom Function, leading to incorrect gradients. This behavior is "
                    "forbidden. You can fix this by cloning the output of the custom Function.")
_NO_GRAD_HINT = (" Given that this use case is ambiguous and error-prone, it is forbidden. You "
                 "can clarify your code by moving both the view and the inplace either both "
                 "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                 "outside (if you want the inplace to be tracked).")

# Tensor._view_flag bits (PyTorch's CreationMeta).
NO_GRAD_VIEW = 1  # taken with grad mode off (or, for MULTI_OUTPUT, of a base outside the graph)
MULTI_OUTPUT = 2  # one of the outputs of unbind / split / chunk
# A view taken under grad mode of a NO_GRAD_VIEW of a base that requires grad: PyTorch records
# the op, and its message names the op's node. The bits from _NODE_SHIFT up hold 1 + the node's
# index in _VIEW_NODES.
_NODE_SHIFT = 2
_VIEW_NODES = ("Slice", "Select", "Unsqueeze", "Alias", "View", "Permute", "Transpose", "T",
               "Squeeze0", "Squeeze1", "Squeeze2", "Diagonal", "Expand")
_NODE_BITS = {name: (i + 1) << _NODE_SHIFT for i, name in enumerate(_VIEW_NODES)}
_MULTI_NAMES = {"unbind": "Unbind", "split": "Split", "chunk": "Split"}


def bump(t) -> None:
    """Marks t's memory as modified (each in-place write calls it, in every grad mode)."""
    t._impl.bump_version()


# -- views and their bases ---------------------------------------------------------------------

def mark_view(out, input, flags: int = 0, name: str = None):
    """Records that ``out`` is a view of ``input`` (so of input's base): called by every view
    function on its plain path, with the name of PyTorch's node for the op (``"Slice"``, ...)
    where there is one. Views taken under grad mode register with the base, so that a later
    in-place write through the base or another view can give them the new history."""
    base = getattr(input, "_view_of", None)  # a Parameter may have no value in the slot
    if base is None or type(base) is list:
        base = input
    elif input._view_flag & NO_GRAD_VIEW:  # a view of a view taken under no_grad counts as one
        flags |= NO_GRAD_VIEW
        if grad_mode._enabled and name is not None and base.requires_grad:
            flags |= _NODE_BITS[name]  # (PyTorch records this op: its message names it)
    out._view_of = base
    if grad_mode._enabled and not flags & NO_GRAD_VIEW:
        out._view_flag = flags
        _register(base, out)
    else:
        out._view_flag = flags | NO_GRAD_VIEW
        if base.requires_grad:  # a recorded write to the base will invalidate it
            _register(base, out)
    return out


def mark_recorded_view(out, flags: int = 0):
    """For a view op recorded under grad mode, whose plain form ran inside forward (with grad
    mode off there): its outputs are views taken under grad mode after all."""
    for o in (out if type(out) is tuple else (out,)):
        base = o._view_of
        if base is not None:  # (a fresh output: a base, never a registry)
            o._view_flag = flags
            _register(base, o)
    return out


def base_of(t):
    """The tensor that t is a view of, or None (``Tensor._base``)."""
    base = getattr(t, "_view_of", None)
    return None if base is None or type(base) is list else base


def _register(base, view) -> None:
    views = getattr(base, "_view_of", None)
    if views is None:
        views = base._view_of = []
    views.append(_ref(view))
    if len(views) >= 32 and not len(views) & (len(views) - 1):
        views[:] = [r for r in views if r() is not None]  # amortized: at each power of two


def _view_error(t, flags: int, view_node: str = None, indirect: bool = False) -> str:
    """PyTorch's message for an in-place write to the flagged view t (indirect: for the use of
    t after a write through its base or another view)."""
    if flags & NO_GRAD_VIEW:
        node = t.grad_fn
        if view_node is None and flags >> _NODE_SHIFT:
            view_node = _VIEW_NODES[(flags >> _NODE_SHIFT) - 1]
        if view_node is not None:
            prefix = f"Output 0 of {view_node} is a view of a view which was created in"
        elif node is not None and type(node) is not _INVALIDATED:
            # an output of a Function whose forward returned a view
            return (f"Output {t._output_nr} of {node.name().replace('Backward', '', 1)}"
                    + _CUSTOM_FUNCTION)
        else:
            prefix = "A view was created in"
        what = _NO_GRAD_VIEW_REBASED if indirect else _NO_GRAD_VIEW
        if flags & MULTI_OUTPUT:
            return prefix + what + " " + _MULTI
        return prefix + what + _NO_GRAD_HINT
    node = t.grad_fn
    name = _MULTI_NAMES.get(getattr(getattr(node, "fn", None), "__name__", ""), "Unbind")
    return f"Output {t._output_nr} of {name} is a view and is being modified inplace. " + _MULTI


def _check_view_write(t, base) -> None:
    flags = t._view_flag
    if flags:
        raise RuntimeError(_view_error(t, flags))
    if base.requires_grad and base.grad_fn is None:
        raise RuntimeError(_VIEW_OF_LEAF)
    impl = t._impl
    for size, stride in zip(impl.shape, impl.strides):
        if stride == 0 and size > 1:
            raise RuntimeError(_OVERLAP)


def check_plain_write(t, node: str = None) -> None:
    """Before an in-place write to t that is not recorded, with grad mode on: PyTorch's error
    when t is a view taken under no_grad of a base that requires grad (the write would bypass
    the base's history). node: where the write goes through a view of t that PyTorch takes
    first (``t[0] = v``), the name of its node."""
    base = getattr(t, "_view_of", None)  # a Parameter may have no value in the slot
    if (base is not None and type(base) is not list and t._view_flag & NO_GRAD_VIEW
            and base.requires_grad):
        raise RuntimeError(_view_error(t, t._view_flag, node))


# -- recording --------------------------------------------------------------------------------

def check_inplace(t, others, name: str) -> None:
    """Called with grad mode on before an in-place op writes values that do not depend on t's
    old value (``fill_``, ``zero_``, the random fills): when t requires grad, PyTorch's errors
    for leaves and views, else records that t's old value gets no gradient; when it does not,
    the check of ``check_plain_write``. The caller then writes."""
    if t.requires_grad:
        _record(t, name, Fill.apply, (), False)
    else:
        check_plain_write(t)


def record_inplace(t, name: str, fn, *args):
    """Runs the in-place op ``name`` on t, recorded: ``fn(t, *args)`` computes the new value out
    of place (a differentiable op), which is written into t; t's grad_fn (or, for a view, its
    base's) becomes the new node. Called when grad mode is on and t or an operand requires
    grad. Returns t."""
    return _record(t, name, fn, args, True)


def _record(t, name: str, fn, args, write: bool):
    base = base_of(t)
    if base is not None:
        _check_view_write(t, base)
    else:
        node = t.grad_fn
        if node is None:
            if t.requires_grad:
                raise RuntimeError(_LEAF)
        elif node._is_view:  # shares an input's memory without being a registered view
            raise RuntimeError(f"{name}: an in-place operation on an alias ({node.name()} "
                               "output) of a tensor that requires grad is not supported; use "
                               "the out-of-place op")
    out = fn(t, *args)
    impl, out_impl = t._impl, out._impl
    if out_impl.shape != impl.shape:
        raise RuntimeError(f"{name}: output with shape {list(impl.shape)} doesn't match the "
                           f"broadcast shape {list(out_impl.shape)}")
    new_node = out.grad_fn
    if new_node is not None and new_node._saved:
        _snapshot_saved(new_node, t)
    if write:
        _C.copy_(impl, out_impl)
        impl.bump_version()
    if new_node is None:
        return t
    if base is None:
        t.grad_fn = new_node
        t._output_nr = out._output_nr
        t.requires_grad = True
        _rebase_views(t, None)
        return t
    # The base's new history: CopySlices of its old history and the op's result.
    geometry = Geometry(base._impl, impl)
    base.grad_fn = _node(CopySlices, (base, out), geometry)
    base._output_nr = 0
    base.requires_grad = True
    _set_view_history(t, base, geometry)
    _rebase_views(base, t)
    return t


def _set_view_history(v, base, geometry=None) -> None:
    """v's grad_fn becomes AsStrided of base's current history."""
    v.grad_fn = _node(AsStrided, (base,), geometry or Geometry(base._impl, v._impl))
    v._output_nr = 0
    v.requires_grad = True


def _node(function, inputs, geometry):
    """The node ``function.apply(*inputs, geometry)`` would record, made directly: the value is
    already in the base's memory, so there is no forward to run (and recording a write costs
    two fewer generic applies). Called with grad mode on and an input requiring grad."""
    node = function._backward_cls()
    needs, edges, meta = [], [], []
    for a in inputs:
        if a.requires_grad:
            fn = a.grad_fn
            edges.append((a, 0) if fn is None else (fn, a._output_nr))
            impl = a._impl
            meta.append((impl.shape, impl.itemsize))
            needs.append(True)
        else:
            edges.append(_NO_EDGE)
            meta.append(None)
            needs.append(False)
    node.needs_input_grad = (*needs, False)
    node.next_functions = (*edges, _NO_EDGE)
    node._input_meta = (*meta, None)
    node.geometry = geometry
    return node


def _rebase_views(base, written) -> None:
    """Gives every live view of base registered under grad mode (but the one just written) the
    base's new history."""
    views = getattr(base, "_view_of", None)
    if not views:  # None, or no views registered
        return
    live = []
    for ref in views:
        v = ref()
        if v is None:
            continue
        live.append(ref)
        if v is not written:
            if v._view_flag & NO_GRAD_VIEW:
                _invalidate(v)
            else:
                _set_view_history(v, base)
    base._view_of = live


def _invalidate(v) -> None:
    """v, a view taken under no_grad whose base was just written with grad mode on, gets a
    history whose backward raises PyTorch's error (PyTorch raises when v is next used in a
    differentiable op; ember, whose ops do not check versions, when backward reaches it)."""
    node = Invalidated._backward_cls()
    node.message = _view_error(v, v._view_flag, None, True)
    v.grad_fn = node
    v._output_nr = 0
    v.requires_grad = True


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


class Geometry:
    """Where a view's elements lie among its base's: both as (sizes, strides, offset) in one
    flat buffer that spans the base's memory (``span`` elements, from its lowest address)."""

    __slots__ = ("base", "view", "span")

    def __init__(self, base_impl, view_impl):
        sizes, strides, offset = base_impl.shape, base_impl.strides, base_impl.storage_offset
        lo = hi = offset  # the lowest and highest storage offsets among the base's elements
        empty = False
        for size, stride in zip(sizes, strides):
            if size > 1:
                if stride < 0:
                    lo += (size - 1) * stride
                else:
                    hi += (size - 1) * stride
            elif size == 0:
                empty = True
        self.span = 0 if empty else hi - lo + 1
        self.base = (sizes, strides, offset - lo)
        self.view = (view_impl.shape, view_impl.strides, view_impl.storage_offset - lo)

    def flat_zeros(self, like):
        """A zero buffer of span elements, of like's dtype and device."""
        dev = like.device
        flat = _C.empty([self.span], like._impl.dtype, dev.type, dev.index or 0)
        _C.fill_int_(flat, 0)
        return flat

    def scatter_view(self, flat, g) -> None:
        """Adds the view-shaped g into flat at the view's elements."""
        sizes, strides, offset = self.view
        if not any(st == 0 and s > 1 for s, st in zip(sizes, strides)):  # no element repeats
            _C.copy_(flat.as_strided(sizes, strides, offset), g._impl)
            return
        dev = g.device
        n = _C.arange(0, self.span, 1, _C.DType.int64, dev.type, dev.index or 0)
        positions = _tensor.wrap(n.as_strided(sizes, strides, offset)).reshape(-1)
        _tensor.wrap(flat).index_put_((positions,), g.reshape(-1), accumulate=True)

    def base_of(self, flat):
        """The base-shaped (contiguous) tensor that flat holds."""
        return _tensor.wrap(_C.clone(flat.as_strided(*self.base)))


class CopySlices(Function):
    """The base's history after an in-place write to one of its views, recorded (by ``_node``)
    over ``(base, result, geometry)``: ``result`` (the op's value of the view's elements) was
    written into the base's memory at the view's place. The gradient of the base outside the
    view goes to its old history, that of the view's elements to ``result``."""

    @staticmethod
    def backward(ctx, g):
        geo = ctx.geometry
        g_result = TakeView.apply(g, geo)
        # The view's elements do not overlap (such writes are refused): subtracting them
        # leaves exact zeros there.
        g_base = g - PutView.apply(g_result, geo) if ctx.needs_input_grad[0] else None
        return g_base, g_result if ctx.needs_input_grad[1] else None, None


class AsStrided(Function):
    """A view's history as a view of its base's current history, recorded (by ``_node``) over
    ``(base, geometry)``; the gradient goes to the view's elements of the base (summed where an
    expanded view repeats one)."""

    @staticmethod
    def backward(ctx, g):
        return PutView.apply(g, ctx.geometry), None


class TakeView(Function):
    """``TakeView.apply(g, geometry)``: the view's elements of the base-shaped g (a copy); the
    adjoint of PutView, so that double backward works."""

    @staticmethod
    def forward(ctx, g, geometry):
        ctx.geometry = geometry
        flat = geometry.flat_zeros(g)
        _C.copy_(flat.as_strided(*geometry.base), g._impl)
        return _tensor.wrap(_C.clone(flat.as_strided(*geometry.view)))

    @staticmethod
    def backward(ctx, gv):
        return PutView.apply(gv, ctx.geometry), None


class PutView(Function):
    """``PutView.apply(gv, geometry)``: a base-shaped tensor, zero but at the view's elements,
    where gv is added."""

    @staticmethod
    def forward(ctx, gv, geometry):
        ctx.geometry = geometry
        flat = geometry.flat_zeros(gv)
        geometry.scatter_view(flat, gv)
        return geometry.base_of(flat)

    @staticmethod
    def backward(ctx, g):
        return TakeView.apply(g, ctx.geometry), None


class Fill(Function):
    """An in-place fill: the new value does not depend on the old one, which gets a zero
    gradient (the caller writes the values)."""

    @staticmethod
    def forward(ctx, t):
        return _tensor.wrap(t._impl)

    @staticmethod
    def backward(ctx, g):
        return _E.zeros_like(g)


CopySlices._backward_cls.__name__ = CopySlices._backward_cls.__qualname__ = "CopySlices"


class Invalidated(Function):
    """The history of a view taken under no_grad after a recorded write to its base (made by
    ``_invalidate``, never applied): there is no gradient to give it."""

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(ctx.message)


_INVALIDATED = Invalidated._backward_cls


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
