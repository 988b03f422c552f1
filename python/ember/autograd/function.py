"""``Function``: a differentiable operation, and the graph node (``grad_fn``) it leaves behind.

A subclass defines ``forward(ctx, *args)`` (computes the outputs from tensors, with recording
off) and ``backward(ctx, *grad_outputs)`` (one gradient, or None, per argument of forward).
``Function.apply(*args)`` runs forward and, when grad mode is on and a tensor argument requires
grad, records a node: an instance of the subclass's ``<Name>Backward`` class, which is also the
``ctx`` that forward saw (as in PyTorch). Every built-in differentiable op is such a Function,
and this is the public way to write a new one.

Recording is on the hot path of every op (a few microseconds is the budget), so a node carries
its optional state as class-level defaults, an output knows its own ``_output_nr``, and the
common one-output case skips the per-output bookkeeping that only multi-output nodes need.
"""
from __future__ import annotations

from .. import _C
from .. import _tensor
from . import anomaly
from . import grad_mode

_NO_EDGE = (None, 0)
_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are "
          "freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you "
          "need to backward through the graph a second time or if you need to access saved "
          "tensors after calling backward.")


class _SavedOutput:
    """An output of the node kept for its backward. Holding the output Tensor itself would make
    a reference cycle (tensor -> grad_fn -> saved tensor) that only the garbage collector frees,
    and that costs more than the op; the C++ tensor is kept instead and re-wrapped on use."""

    __slots__ = ("nr", "impl")

    def __init__(self, nr: int, impl):
        self.nr, self.impl = nr, impl


class BackwardNode:
    """A recorded call of a Function: the ctx of its forward and the grad_fn of its outputs.

    ``next_functions`` holds one ``(node_or_leaf, output_nr)`` per argument of forward: the
    grad_fn (and which of its outputs) the argument came from, the leaf tensor itself, or
    ``(None, 0)`` when the argument needs no gradient.
    """

    # Defaults shared by every node; an instance only stores what differs.
    _function = None  # the Function subclass; set on each generated <Name>Backward class
    _saved = ()  # what save_for_backward got; after recording, (value, version) pairs
    _released = False
    _non_differentiable = ()
    materialize_grads = True
    needs_input_grad = ()
    next_functions = ()
    _input_meta = ()  # (shape, itemsize) per argument that needs a gradient, else None
    _n_outputs = 1
    _output_meta = None  # (shape, dtype, device) per output; kept only for several outputs
    _tensor_hooks = None  # {output_nr: [hook, ...]} from Tensor.register_hook
    _retained = None  # {output_nr: weakref} from Tensor.retain_grad
    _pre_hooks = None  # [hook(grad_outputs)] from register_prehook
    _post_hooks = None  # [hook(grad_inputs, grad_outputs)] from register_hook
    _has_hooks = False  # any of the four above: the engine takes its slow path for the node
    _is_view = False  # whether the output shares the input's memory (no in-place writes to it)

    # -- the ctx API ------------------------------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Keeps tensors (or None) for backward, where ``ctx.saved_tensors`` returns them."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to save_for_backward; raises if one of them was modified in place
        since (its version counter moved), or after the graph was freed."""
        if self._released:
            raise RuntimeError(_FREED)
        out = []
        for t, version in self._saved:
            if version is None:  # None, or a non-tensor value a custom Function saved
                out.append(t)
                continue
            saved_output = type(t) is _SavedOutput
            impl = t.impl if saved_output else t._impl
            if impl.version != version:
                raise RuntimeError(_modified_message(self, t, impl, version))
            out.append(self._unpack(t) if saved_output else t)
        return tuple(out)

    def _unpack(self, saved: _SavedOutput):
        t = _tensor.wrap(saved.impl, True)
        t.grad_fn = self  # so that a double backward through it reaches this node
        t._output_nr = saved.nr
        return t

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that never require grad (e.g. indices); their gradient is always zero."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward receives zeros (True, the default) or None for outputs that got no
        gradient."""
        self.materialize_grads = value

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    # -- hooks on the node (PyTorch's Node.register_hook / register_prehook) ------------------
    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward; it may return a
        tuple that replaces grad_inputs. Returns a handle with ``remove()``."""
        if self._post_hooks is None:
            self._post_hooks = []
            self._has_hooks = True
        self._post_hooks.append(hook)
        return _HookHandle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward; it may return a tuple that
        replaces grad_outputs. Returns a handle with ``remove()``."""
        if self._pre_hooks is None:
            self._pre_hooks = []
            self._has_hooks = True
        self._pre_hooks.append(hook)
        return _HookHandle(self._pre_hooks, hook)

    def _release(self) -> None:
        self._saved = ()
        self._released = True


class _HookHandle:
    """What register_hook returns: ``remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _modified_message(node, saved, impl, version) -> str:
    dtype = {_C.DType.float32: "Float", _C.DType.float64: "Double"}.get(impl.dtype, "")
    where = f", which is output {saved.nr} of {node.name()}," if type(saved) is _SavedOutput \
        else ""
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [ember.{dtype}Tensor {list(impl.shape)}]{where} is at version "
            f"{impl.version}; expected version {version} instead.")


class Function:
    """Base class of differentiable operations; see the module docstring.

    Example::

        class Exp(ember.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, grad):
                y, = ctx.saved_tensors
                return grad * y

        y = Exp.apply(x)
    """

    _backward_cls = BackwardNode

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardNode,), {"_function": cls})

    def __init__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__}: Function classes are used through their "
                           "static method apply(), not instantiated")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("Function subclasses must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("Function subclasses must implement backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Runs forward on the arguments and records the node when a tensor argument requires
        grad and grad mode is on."""
        Tensor = _tensor.Tensor
        # One pass over the arguments: which need a gradient, and (for the node) where each
        # one's gradient goes and what shape and item size it must have.
        needs, edges, input_meta = [], [], []
        for a in args:
            if isinstance(a, Tensor) and a.requires_grad:
                needs.append(True)
                fn = a.grad_fn
                edges.append((a, 0) if fn is None else (fn, a._output_nr))
                impl = a._impl
                input_meta.append((impl.shape, impl.itemsize))
            else:
                needs.append(False)
                edges.append(_NO_EDGE)
                input_meta.append(None)
        ctx = cls._backward_cls()
        ctx.needs_input_grad = needs = tuple(needs)
        prev = grad_mode._enabled
        grad_mode._enabled = False
        try:
            result = cls.forward(ctx, *args, **kwargs)
        finally:
            grad_mode._enabled = prev
        if anomaly._enabled:
            anomaly.check([o for o in (result if type(result) is tuple else (result,))
                           if isinstance(o, Tensor)], cls.__name__)
        if not prev or True not in needs:
            return result
        ctx.next_functions = tuple(edges)
        ctx._input_meta = tuple(input_meta)
        if type(result) is not tuple:
            out = _record_output(ctx, result, 0)
            if ctx._saved:
                ctx._saved = _pack(ctx._saved, ctx, (out,))
            return out
        ctx._n_outputs = len(result)
        fresh = tuple([_record_output(ctx, o, nr) for nr, o in enumerate(result)])
        ctx._output_meta = tuple([(o._impl.shape, o._impl.dtype, o._impl.device)
                                  if o is not None and o.grad_fn is ctx else None
                                  for o in fresh])
        if ctx._saved:
            ctx._saved = _pack(ctx._saved, ctx, fresh)
        return fresh


def _record_output(ctx, o, nr: int):
    """Output nr of ctx's forward, made a non-leaf of the graph when it is differentiable."""
    if not isinstance(o, _tensor.Tensor):
        return o
    impl = o._impl
    if not impl.is_floating_point:
        return o
    non_diff = ctx._non_differentiable
    if non_diff and any(o is x for x in non_diff):
        return o
    if o.grad_fn is not None or o.requires_grad:
        o = _tensor.wrap(impl)  # forward returned an input: record an alias of it
    o.requires_grad = True
    o.grad_fn = ctx
    o._output_nr = nr
    return o


def _pack(saved, ctx, outputs) -> tuple:
    """What a node keeps of the values given to save_for_backward: (value, version at saving)
    pairs (version None for None and non-tensors), an output of the node itself kept without
    its Python wrapper."""
    Tensor = _tensor.Tensor
    packed = []
    for t in saved:
        if t is None or not isinstance(t, Tensor):
            packed.append((t, None))
            continue
        impl = t._impl
        if t.grad_fn is ctx:
            for nr, o in enumerate(outputs):
                if t is o:
                    packed.append((_SavedOutput(nr, impl), impl.version))
                    break
            else:
                packed.append((t, impl.version))
        else:
            packed.append((t, impl.version))
    return tuple(packed)


# The type of ``ctx`` under PyTorch's name (every ``<Name>Backward`` class derives from it).
FunctionCtx = BackwardNode
