"""``Function``: a differentiable operation, and the graph node (``grad_fn``) it leaves behind.

A subclass defines ``forward(ctx, *args)`` (computes the outputs from tensors, with recording
off) and ``backward(ctx, *grad_outputs)`` (one gradient, or None, per argument of forward).
``Function.apply(*args)`` runs forward and, when grad mode is on and a tensor argument requires
grad, records a node: an instance of the subclass's ``<Name>Backward`` class, which is also the
``ctx`` that forward saw (as in PyTorch). Every built-in differentiable op is such a Function,
and this is the public way to write a new one.
"""
from __future__ import annotations

import weakref

from .. import _C
from .. import _tensor
from . import anomaly
from . import grad_mode

_FLOAT_C = frozenset((_C.DType.float32, _C.DType.float64))
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

    _function = None  # the Function subclass; set on each generated <Name>Backward class

    def __init__(self):
        self._saved = ()
        self._released = False
        self._non_differentiable = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self.next_functions = ()
        self._input_meta = ()
        self._outputs = ()  # weak references to the outputs, in order
        self._output_meta = ()
        self._tensor_hooks = None  # {output_nr: [hook, ...]} from Tensor.register_hook
        self._retained = None  # {output_nr: weakref} from Tensor.retain_grad

    # -- the ctx API ------------------------------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Keeps tensors (or None) for backward, where ``ctx.saved_tensors`` returns them."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._released:
            raise RuntimeError(_FREED)
        return tuple(self._unpack(t) if type(t) is _SavedOutput else t for t in self._saved)

    def _unpack(self, saved: _SavedOutput):
        t = _tensor.wrap(saved.impl, True)
        t.grad_fn = self  # so that a double backward through it reaches this node
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

    def register_hook(self, hook) -> None:
        raise NotImplementedError("grad_fn.register_hook: use Tensor.register_hook instead")

    def _release(self) -> None:
        self._saved = ()
        self._released = True

    def _output_nr(self, t) -> int:
        for i, ref in enumerate(self._outputs):
            if ref is not None and ref() is t:
                return i
        for saved in self._saved:
            if type(saved) is _SavedOutput and saved.impl is t._impl:
                return saved.nr
        raise RuntimeError(f"{self.name()}: tensor is not an output of this node")


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
        needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
        ctx = cls._backward_cls()
        ctx.needs_input_grad = needs
        prev = grad_mode._enabled
        grad_mode._enabled = False
        try:
            result = cls.forward(ctx, *args, **kwargs)
        finally:
            grad_mode._enabled = prev
        outputs = result if isinstance(result, tuple) else (result,)
        if anomaly._enabled:
            anomaly.check([o for o in outputs if isinstance(o, Tensor)], cls.__name__)
        if not (prev and True in needs):
            return result
        edges, input_meta = [], []
        for a, n in zip(args, needs):
            if n:
                edges.append(_edge(a))
                impl = a._impl
                input_meta.append((impl.shape, impl.dtype))
            else:
                edges.append(_NO_EDGE)
                input_meta.append(None)
        ctx.next_functions = tuple(edges)
        ctx._input_meta = tuple(input_meta)
        non_diff = ctx._non_differentiable
        refs, meta, fresh = [], [], []
        for o in outputs:
            impl = o._impl if isinstance(o, Tensor) else None
            if impl is None or impl.dtype not in _FLOAT_C or \
                    (non_diff and any(o is x for x in non_diff)):
                refs.append(None)
                meta.append(None)
                fresh.append(o)
                continue
            if o.grad_fn is not None or o.requires_grad:
                o = _tensor.wrap(impl)  # forward returned an input: record an alias of it
            o.requires_grad = True
            o.grad_fn = ctx
            refs.append(weakref.ref(o))
            meta.append((impl.shape, impl.dtype, impl.device))
            fresh.append(o)
        ctx._outputs = tuple(refs)
        ctx._output_meta = tuple(meta)
        if ctx._saved:
            ctx._saved = tuple(_saved_form(t, fresh, refs) for t in ctx._saved)
        return tuple(fresh) if isinstance(result, tuple) else fresh[0]


def _saved_form(t, outputs, refs):
    for nr, o in enumerate(outputs):
        if t is o and refs[nr] is not None:
            return _SavedOutput(nr, o._impl)
    return t


def _edge(t):
    fn = t.grad_fn
    if fn is None:
        return (t, 0)
    return (fn, fn._output_nr(t))


# The type of ``ctx`` under PyTorch's name (every ``<Name>Backward`` class derives from it).
FunctionCtx = BackwardNode
