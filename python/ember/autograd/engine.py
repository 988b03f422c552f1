"""The backward pass: ``Tensor.backward``, ``autograd.backward`` and ``autograd.grad``.

The graph is walked without recursion (a chain of any length works): one pass counts, for each
node, how many recorded edges lead into it; nodes then run in Kahn's order, a node only once
every gradient flowing into it has been summed, so a tensor used many times gets the sum of its
gradients. Leaves collect their gradient in a dict and are written (``.grad`` accumulation or the
result of ``autograd.grad``) at the end.
"""
from __future__ import annotations

import weakref

from .. import _C
from .. import _tensor
from . import anomaly
from . import grad_mode
from .function import _FREED, BackwardNode

# Hooks of leaf tensors (non-leaf hooks live on their grad_fn): {id: (weakref, [hooks])}, the
# entry dropped with its tensor. (A WeakKeyDictionary would compare tensors with ==.)
_leaf_hooks: dict = {}


def _hooks_of_leaf(t, create: bool):
    entry = _leaf_hooks.get(id(t))
    if entry is not None and entry[0]() is t:
        return entry[1]
    if not create:
        return ()
    key = id(t)
    entry = _leaf_hooks[key] = (weakref.ref(t, lambda _: _leaf_hooks.pop(key, None)), [])
    return entry[1]


def _as_tuple(x):
    if isinstance(x, _tensor.Tensor) or x is None:
        return (x,)
    return tuple(x)


def _root_grads(tensors, grad_tensors, op: str):
    """The gradients the pass starts from, checking PyTorch's rules for the roots."""
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"{op}: got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    grads = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not isinstance(t, _tensor.Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__} at element {i}")
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if t._impl.numel != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = _tensor.wrap(_C.scalar_tensor(1, t._impl.dtype)).to(t.device).expand(t.shape)
        elif not isinstance(g, _tensor.Tensor):
            g = _tensor.tensor(g, dtype=t.dtype)
        if tuple(g._impl.shape) != tuple(t._impl.shape):
            raise RuntimeError(f"{op}: mismatch in shape: grad_output[{i}] has a shape of "
                               f"{tuple(g.shape)} and output[{i}] has a shape of "
                               f"{tuple(t.shape)}")
        grads.append(g)
    return grads


def _add(a, b):
    return b if a is None else a + b


def _fit(node: BackwardNode, i: int, g, meta):
    """g checked against the shape of forward's argument i, cast to its dtype."""
    shape, dtype = meta
    if g._impl.shape != shape:
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - "
                           f"got {list(g._impl.shape)} but expected shape compatible with "
                           f"{list(shape)}")
    if g._impl.dtype != dtype:
        g = g.to(_tensor._dtype.from_c(dtype))
    return g


def _zeros(meta):
    shape, dtype, device = meta
    zero = _tensor.wrap(_C.expand(_C.scalar_tensor(0, dtype), shape))
    return zero.to(_tensor._device.from_impl_str(device))


def _order(root_nodes):
    """In-degree of each node reachable from root_nodes (edges between nodes only)."""
    deps = dict.fromkeys(root_nodes, 0)
    stack = list(deps)
    while stack:
        node = stack.pop()
        if node._released:
            raise RuntimeError(_FREED)
        for child, _ in node.next_functions:
            if isinstance(child, BackwardNode):
                if child in deps:
                    deps[child] += 1
                else:
                    deps[child] = 1
                    stack.append(child)
    return deps


def _run(tensors, grads, retain_graph: bool, create_graph: bool, capture=None):
    """Runs the pass; returns {leaf tensor: summed gradient} and fills ``capture`` (a dict
    {(node, output_nr): None} for non-leaf tensors of autograd.grad) in place."""
    leaf_grads = {}
    buffers = {}
    for t, g in zip(tensors, grads):
        node = t.grad_fn
        if node is None:
            leaf_grads[t] = _add(leaf_grads.get(t), g)
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * len(node._outputs)
        nr = node._output_nr(t)
        buf[nr] = _add(buf[nr], g)
    deps = _order(list(buffers))
    ready = [n for n in buffers if deps[n] == 0]
    prev_mode = grad_mode._enabled
    grad_mode._enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            outs = buffers.pop(node, None)
            if outs is not None:
                _output_hooks(node, outs, capture)
            if outs is None or all(g is None for g in outs):
                in_grads = (None,) * len(node.next_functions)
            else:
                in_grads = _call_backward(node, outs)
            if not retain_graph:
                node._release()
            for i, ((child, nr), g) in enumerate(zip(node.next_functions, in_grads)):
                if child is None:
                    continue
                if g is not None:
                    g = _fit(node, i, g, node._input_meta[i])
                if isinstance(child, BackwardNode):
                    if g is not None:
                        buf = buffers.get(child)
                        if buf is None:
                            buf = buffers[child] = [None] * len(child._outputs)
                        buf[nr] = _add(buf[nr], g)
                    deps[child] -= 1
                    if deps[child] == 0:
                        ready.append(child)
                elif g is not None:
                    leaf_grads[child] = _add(leaf_grads.get(child), g)
    finally:
        grad_mode._enabled = prev_mode
    for t, g in leaf_grads.items():
        for hook in _hooks_of_leaf(t, False):
            out = hook(g)
            if out is not None:
                g = out
        leaf_grads[t] = g
    return leaf_grads


def _output_hooks(node, outs, capture) -> None:
    """Tensor hooks, retain_grad and autograd.grad's capture for the outputs of node, whose
    gradients are now complete."""
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            for hook in hooks:
                if outs[nr] is not None:
                    out = hook(outs[nr])
                    if out is not None:
                        outs[nr] = out
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            if t is not None and outs[nr] is not None:
                g = outs[nr] if grad_mode._enabled else outs[nr].detach()
                t.grad = g.clone() if t.grad is None else t.grad + g
    if capture:
        for nr, g in enumerate(outs):
            if (node, nr) in capture:
                capture[(node, nr)] = _add(capture[(node, nr)], g)


def _call_backward(node, outs):
    if node._released:
        raise RuntimeError(_FREED)
    if node.materialize_grads:
        outs = [_zeros(m) if g is None and m is not None else g
                for g, m in zip(outs, node._output_meta)]
    result = node._function.backward(node, *outs)
    result = result if isinstance(result, tuple) else (result,)
    n = len(node.next_functions)
    if len(result) < n or any(g is not None for g in result[n:]):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {n}, got {len(result)})")
    if anomaly._enabled:
        anomaly.check([g for g in result[:n] if isinstance(g, _tensor.Tensor)], node.name())
    return result[:n]


def _accumulate(t, g, create_graph: bool) -> None:
    if t.grad is None:
        t.grad = g if create_graph else g.detach().clone()
    elif create_graph or grad_mode._enabled:
        t.grad = t.grad + g
    else:
        _C.binary_(_C.BinaryOp.add, t.grad._impl, g._impl)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """Accumulates into ``.grad`` of the leaves the gradient of ``tensors`` (weighted by
    ``grad_tensors``; None for scalar outputs means 1). ``inputs`` limits which leaves receive
    it."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    grads = _root_grads(tensors, grad_tensors, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    leaf_grads = _run(tensors, grads, retain_graph, create_graph)
    only = None if inputs is None else {id(t) for t in _as_tuple(inputs)}
    for t, g in leaf_grads.items():
        if only is None or id(t) in only:
            _accumulate(t, g, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused: bool = False):
    """The gradients of ``outputs`` with respect to each of ``inputs`` (a tuple), without
    touching any ``.grad``. An input the outputs do not depend on raises unless
    ``allow_unused``, which gives None for it."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else \
        (None,) * len(outputs)
    grads = _root_grads(outputs, grad_outputs, "grad")
    for i, t in enumerate(inputs):
        if not isinstance(t, _tensor.Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: element {i} of the inputs does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    capture = {(t.grad_fn, t.grad_fn._output_nr(t)): None for t in inputs if t.grad_fn is not None}
    leaf_grads = _run(outputs, grads, retain_graph, create_graph, capture)
    result = []
    for i, t in enumerate(inputs):
        g = leaf_grads.get(t) if t.grad_fn is None else \
            capture[(t.grad_fn, t.grad_fn._output_nr(t))]
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: one of the differentiated Tensors (input {i}) appears to "
                               "not have been used in the graph. Set allow_unused=True if this "
                               "is the desired behavior.")
        if g is not None and not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


def register_hook(t, hook):
    """Tensor.register_hook: ``hook(grad)`` runs when t's gradient is computed and may return
    a replacement. Returns a handle whose ``remove()`` unregisters it."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node = t.grad_fn
    if node is None:
        hooks = _hooks_of_leaf(t, True)
    else:
        if node._tensor_hooks is None:
            node._tensor_hooks = {}
        hooks = node._tensor_hooks.setdefault(node._output_nr(t), [])
    hooks.append(hook)
    return _HookHandle(hooks, hook)


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def retain_grad(t) -> None:
    """Tensor.retain_grad: a non-leaf tensor keeps its gradient in ``.grad`` after backward."""
    if not t.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    node = t.grad_fn
    if node is None:
        return
    if node._retained is None:
        node._retained = {}
    node._retained[node._output_nr(t)] = weakref.ref(t)
