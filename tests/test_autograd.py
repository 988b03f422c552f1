"""Engine semantics of ember.autograd: accumulation, shared subgraphs, retain_graph, hooks,
grad modes, detach, leaf rules, deep graphs, autograd.grad, custom Functions, anomaly mode,
error messages; and gradients of composite expressions against PyTorch when installed."""
import numpy as np
import pytest

import ember
from ember.autograd import Function


def leaf(a, dtype=ember.float64):
    return ember.tensor(np.asarray(a, dtype=np.float64), dtype=dtype, requires_grad=True)


def test_simple_chain_and_accumulation():
    x = leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 4, 6])
    (x * 3).sum().backward()  # a second backward adds to .grad
    np.testing.assert_allclose(x.grad.numpy(), [5, 7, 9])
    x.grad.zero_()
    np.testing.assert_allclose(x.grad.numpy(), [0, 0, 0])


def test_reused_node_and_diamond_sum_their_gradients():
    x = leaf([0.5, -1.5])
    a = x.exp()
    y = a * a + a.sin() + a  # a feeds three branches that meet again
    y.sum().backward()
    ax = np.exp([0.5, -1.5])
    np.testing.assert_allclose(x.grad.numpy(), (2 * ax + np.cos(ax) + 1) * ax)
    z = leaf([2.0])
    (z + z + z * z).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [6.0])


def test_broadcast_gradient_is_reduced_to_input_shape():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.arange(4.0))
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(a.grad.numpy(), np.full((3, 1), 6.0))
    np.testing.assert_allclose(b.grad.numpy(), np.full(4, 3.0))


def test_grad_dtype_follows_the_leaf():
    a = leaf([1.0, 2.0], dtype=ember.float32)
    b = leaf([3.0, 4.0])
    (a * b).sum().backward()
    assert a.grad.dtype == ember.float32 and b.grad.dtype == ember.float64
    np.testing.assert_allclose(a.grad.numpy(), [3, 4])


def test_retain_graph_and_second_backward_error():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.exp([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_implicit_gradient_only_for_scalars_and_explicit_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        y.backward()
    y.backward(ember.tensor([1.0, 0.5, 0.0], dtype=ember.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 1.0, 0.0])
    with pytest.raises(RuntimeError, match="mismatch in shape"):
        (x * 2).backward(ember.ones(2, dtype=ember.float64))


def test_no_requires_grad_errors():
    x = ember.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and "
                                           "does not have a grad_fn"):
        x.sum().backward()
    with pytest.raises(RuntimeError, match="only floating-point"):
        ember.tensor([1, 2]).requires_grad_()


def test_no_grad_enable_grad_set_grad_enabled():
    x = leaf([1.0])
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        y = x * 2
        with ember.enable_grad():
            z = x * 2
    assert ember.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None

    @ember.no_grad()
    def f(t):
        return t * 3
    assert not f(x).requires_grad and ember.is_grad_enabled()
    with ember.set_grad_enabled(False):
        assert not (x + 1).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    try:
        assert not ember.is_grad_enabled()
    finally:
        ember.set_grad_enabled(True)
    assert ember.autograd.no_grad is ember.no_grad


def test_leaf_nonleaf_grad_fn_and_detach():
    x = leaf([1.0, 2.0])
    assert x.is_leaf and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and type(y.grad_fn).__name__ == "MulBackward"
    assert "grad_fn=<MulBackward>" in repr(y)
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    (d * x).sum().backward()  # no gradient flows through d
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    assert y.grad_fn.next_functions[0][0] is x
    ints = (x > 1)  # bool results never require grad
    assert not ints.requires_grad


def test_retain_grad_and_nonleaf_grad():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])
    np.testing.assert_allclose(x.grad.numpy(), [18.0, 36.0])


def test_hooks_on_leaf_and_nonleaf():
    x = leaf([1.0, 2.0])
    seen = []
    y = x * 2
    h1 = y.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 10)  # replaces the leaf's gradient
    y.sum().backward(retain_graph=True)
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    h1.remove()
    y.register_hook(lambda g: g * 0.5)  # replaces what flows on from y
    y.sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(x.grad.numpy(), [30.0, 30.0])
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(lambda g: g)


def test_deep_chain_has_no_recursion_limit():
    x = leaf([1.0])
    y = x
    for _ in range(10000):
        y = y + 1.0
    (y * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0])
    z = x
    for _ in range(3000):  # a long chain of a node used twice per step
        z = z * 0.5 + z * 0.5
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0])


def test_autograd_grad():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    h = x * w
    y = (h * h).sum()
    gx, gh = ember.autograd.grad(y, [x, h], retain_graph=True)
    np.testing.assert_allclose(gx.numpy(), 2 * np.array([3.0, 8.0]) * [3, 4])
    np.testing.assert_allclose(gh.numpy(), [6.0, 16.0])
    assert x.grad is None and w.grad is None  # grad() does not accumulate
    unused = leaf([0.0])
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        ember.autograd.grad(y, [unused], retain_graph=True)
    assert ember.autograd.grad(y, [x, unused], allow_unused=True)[1] is None


def test_double_backward_with_create_graph():
    x = leaf([1.5, -0.5])
    y = (x ** 3).sum()
    g, = ember.autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.numpy(force=True), 3 * np.array([1.5, -0.5]) ** 2)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array([1.5, -0.5]))


def test_backward_inputs_limits_accumulation():
    a, b = leaf([1.0]), leaf([2.0])
    (a * b).sum().backward(inputs=[a])
    assert b.grad is None
    np.testing.assert_allclose(a.grad.numpy(), [2.0])


def test_inplace_rules():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.exp_()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0] = 3.0
    y = x * 2
    y *= 2  # a non-leaf: recorded
    buf = ember.zeros(2, dtype=ember.float64)
    buf += x  # an operand requires grad: buf joins the graph
    assert buf.requires_grad and buf.grad_fn is not None
    (y + buf).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])
    x.grad = None
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.zero_()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.copy_(ember.zeros(2))
    with ember.no_grad():  # how optimizers update parameters
        x.sub_(ember.tensor([0.5, 0.5], dtype=ember.float64))
    np.testing.assert_allclose(x.detach().numpy(), [0.5, 1.5])


def test_custom_function():
    class MyExp(Function):
        @staticmethod
        def forward(ctx, x, scale):
            y = x.exp() * scale
            ctx.save_for_backward(y)
            ctx.scale = scale
            assert not ember.is_grad_enabled()
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * y, None

    x = leaf([0.0, 1.0])
    y = MyExp.apply(x, 2.0)
    assert type(y.grad_fn).__name__ == "MyExpBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([0.0, 1.0]))
    assert ember.autograd.gradcheck(lambda t: MyExp.apply(t, 3.0), (leaf([0.3, -0.2]),))

    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    with pytest.raises(RuntimeError, match="invalid gradient at index 0"):
        Wrong.apply(leaf([1.0, 2.0])).sum().backward()


def test_gradcheck_detects_a_wrong_formula():
    class BadSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x  # should be 2 * x

    x = leaf([0.5, 1.5])
    assert not ember.autograd.gradcheck(BadSquare.apply, (x,), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(BadSquare.apply, (x,))
    with pytest.raises(ValueError, match="float64"):
        ember.autograd.gradcheck(lambda t: t * 2, (leaf([1.0], ember.float32),))


def test_detect_anomaly_names_the_op():
    x = leaf([1.0, -1.0])
    with ember.autograd.detect_anomaly():
        y = x * 2
        with pytest.raises(RuntimeError, match="Log.*NaN or Inf"):
            y.log()
    y.log()  # outside anomaly mode NaN passes silently, like PyTorch

    class NanGrad(Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1

        @staticmethod
        def backward(ctx, g):
            return g / 0.0 * 0.0

    with ember.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="NanGradBackward"):
            NanGrad.apply(x).sum().backward()


def test_multi_output_ops_and_unused_outputs():
    x = leaf(np.arange(6.0).reshape(2, 3))
    parts = x.split([1, 2], dim=1)
    (parts[1] * 2).sum().backward()  # parts[0] gets no gradient
    np.testing.assert_allclose(x.grad.numpy(), [[0, 2, 2], [0, 2, 2]])
    v = leaf([3.0, 1.0, 2.0])
    values, indices = v.max(0, keepdim=False)
    assert not indices.requires_grad
    values.backward()
    np.testing.assert_allclose(v.grad.numpy(), [1, 0, 0])


def _torch():
    return pytest.importorskip("torch")


def _both(arrays):
    t = _torch()
    es = [leaf(a) for a in arrays]
    ts = [t.tensor(a, dtype=t.float64, requires_grad=True) for a in arrays]
    return es, ts


@pytest.mark.parametrize("name, fn, shapes", [
    ("mlp", lambda m, x, w1, b1, w2: ((m.tanh(x @ w1 + b1) @ w2).sigmoid() ** 2).mean(),
     [(5, 4), (4, 7), (7,), (7, 3)]),
    ("softmax-ish", lambda m, x: (x - x.logsumexp(1, keepdim=True)).exp().max(1)[0].sum(),
     [(4, 6)]),
    ("norms", lambda m, x, y: (x.norm(dim=0) * y.std(1).unsqueeze(1)).sum() + x.var(),
     [(3, 5), (3, 4)]),
    ("indexing", lambda m, x: (x[1:, ::2] * x.transpose(0, 1)[::2, 1:]).sum()
     + x[[0, 2, 2]].pow(2).sum() + x[x > 0].sum(), [(3, 4)]),
    ("joins", lambda m, x, y: m.cat([x, y], 1).cumsum(1).prod(0).sum()
     + m.stack([x, x * 2]).amax(0).sum() + m.where(x > y[:, :1], x, y[:, :1] * 3).sum(),
     [(2, 3), (2, 2)]),
    ("batched", lambda m, a, b: m.matmul(a, b).clamp(-1.0, 2.0).abs().sum()
     + (a.flatten(1) @ a.flatten(1).mT).sum(), [(2, 3, 4), (4, 5)]),
])
def test_composite_gradients_match_torch(name, fn, shapes):
    t = _torch()
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s) for s in shapes]
    es, ts = _both(arrays)
    fn(ember, *es).backward()
    fn(t, *ts).backward()
    for e, tt in zip(es, ts):
        np.testing.assert_allclose(e.grad.numpy(), tt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_double_backward_through_saved_outputs():
    x = leaf([0.3, -0.7])
    for fn, second in [(ember.exp, np.exp), (ember.sigmoid,
                                             lambda v: (s := 1 / (1 + np.exp(-v))) * (1 - s) * (1 - 2 * s))]:
        g, = ember.autograd.grad(fn(x).sum(), x, create_graph=True)
        g2, = ember.autograd.grad(g.sum(), x)
        np.testing.assert_allclose(g2.numpy(), second(np.array([0.3, -0.7])), rtol=1e-12)


def test_graph_is_freed_by_reference_counting():
    import gc
    import weakref
    x = leaf([1.0, 2.0])
    gc.disable()
    try:
        y = x.exp().tanh() * 2
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None  # no cycle between outputs and the nodes that saved them
    finally:
        gc.enable()


# -- in-place operations and version counters ---------------------------------------------------

def test_version_counter_is_shared_by_views_and_bumped_by_every_inplace_write():
    x = ember.zeros(4, 3)
    view = x[1:]
    v0 = x._version
    x.add_(1)
    x[0] = 2.0
    x.copy_(ember.ones(4, 3))
    x.fill_(3.0)
    x.relu_()
    x.masked_fill_(x > 5, 0.0)
    x.index_put_((ember.tensor([0, 0]),), ember.ones(3), accumulate=True)
    assert x._version == view._version == v0 + 7
    view.mul_(2)
    assert x._version == v0 + 8
    with ember.no_grad():
        w = leaf([1.0, 2.0])
        w.mul_(0.5)  # optimizers and init functions write to leaves under no_grad
    assert w._version == 1
    np.testing.assert_allclose(w.detach().numpy(), [0.5, 1.0])


def test_saved_tensor_modified_in_place_raises_at_backward():
    x = leaf([0.5, 1.5])
    y = x.exp()  # saves its output
    z = (y * 2).sum()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*output 0 of "
                                           "ExpBackward.*is at version 1; expected version 0"):
        z.backward()
    w = leaf([1.0, 2.0])
    a = ember.tensor([3.0, 4.0], dtype=ember.float64)
    p = (a * w).sum()  # saves a
    with ember.no_grad():
        a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        p.backward()
    q = (w + a).sum()  # add saves nothing: writing to a afterwards is harmless
    a.zero_()
    q.backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 1.0])


def test_inplace_on_leaf_that_requires_grad_raises_unless_no_grad():
    w = leaf([1.0, -2.0])
    for op in (lambda: w.add_(1), lambda: w.relu_(), lambda: w.mul_(w),
               lambda: w.__setitem__(0, 5.0), lambda: w.copy_(w * 2), lambda: w.clamp_(0, 1)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                               "used in an in-place operation"):
            op()
    with ember.no_grad():
        w.add_(1)
        w[1] = 7.0
    np.testing.assert_allclose(w.detach().numpy(), [2.0, 7.0])


def _inplace_cases(m):
    """(name, fn(m, x, w)) of in-place ops on non-leaf tensors, for ember and torch alike."""
    def setitem(m, x, w):
        y = x * 2
        y[0] = 0.0
        y[1:, 1] = w[:2]
        return y

    def chain(m, x, w):
        y = x * 1.5
        y.mul_(w)  # mul saves the old y: ember keeps a copy of it
        y.add_(w, alpha=2)
        y.sub_(0.25).clamp_(-0.1, 0.6).sigmoid_()
        return y

    def copy(m, x, w):
        buf = m.zeros(3, 3, dtype=m.float64)
        buf.copy_(w)  # a tensor that needed no grad becomes part of the graph
        buf.masked_fill_(x > 0.5, 1.0)
        return buf * x

    def advanced(m, x, w):
        y = x.sin()
        y[m.tensor([0, 2])] = w.unsqueeze(0).expand(2, 3) * 3
        return y

    def div_pow(m, x, w):
        y = x + 2
        y.div_(w + 3)
        y.pow_(2).sub_(1.5).relu_()
        return y
    return [setitem, chain, copy, advanced, div_pow]


@pytest.mark.parametrize("case", range(5))
def test_inplace_on_non_leaf_gradients_match_torch(case):
    t = _torch()
    rng = np.random.default_rng(case)
    xa, wa = rng.standard_normal((3, 3)), rng.standard_normal(3)
    (ex, ew), (tx, tw) = _both([xa, wa])
    e_out = _inplace_cases(ember)[case](ember, ex, ew)
    t_out = _inplace_cases(t)[case](t, tx, tw)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12)
    seed = rng.standard_normal(e_out.shape)
    e_out.backward(ember.tensor(seed, dtype=ember.float64))
    t_out.backward(t.tensor(seed))
    for e, tt in zip((ex, ew), (tx, tw)):
        np.testing.assert_allclose(e.grad.numpy(), tt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", range(5))
def test_inplace_paths_pass_gradcheck(case):
    rng = np.random.default_rng(10 + case)
    x, w = leaf(rng.standard_normal((3, 3))), leaf(rng.standard_normal(3))
    fn = _inplace_cases(ember)[case]
    assert ember.autograd.gradcheck(lambda a, b: fn(ember, a, b), (x, w))


def test_inplace_on_view_of_graph_tensor_is_recorded_on_its_base():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 2
    y[0].mul_(2)  # more cases, against PyTorch, in test_inplace_views.py
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[4.0, 4.0], [2.0, 2.0]])
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x.view(4).add_(1)


@pytest.mark.parametrize("take_view,count", [(lambda y: y.view(4), 1), (lambda y: y.t(), 1),
                                             (lambda y: y.expand(2, 2, 2), 2),
                                             (lambda y: y[0], 1)])
def test_view_taken_before_an_inplace_write_to_its_base_sees_the_new_history(take_view, count):
    # As in PyTorch, the view's history is rebased on the base's new one.
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 2
    v = take_view(y)
    y.mul_(3)
    v.sum().backward()
    expected = np.full((2, 2), 6.0 * count)
    if v.ndim == 1 and v.shape[0] == 2:
        expected[1] = 0
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_view_taken_after_an_inplace_write_gets_the_full_gradient():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 2
    y.mul_(3)
    y.t().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 6.0))

# -- hooks on nodes ------------------------------------------------------------------------------

def test_grad_fn_hooks_match_torch():
    t = _torch()
    for m, mk in ((ember, leaf), (t, lambda a: t.tensor(a, dtype=t.float64,
                                                         requires_grad=True))):
        x = mk([1.0, 2.0])
        y = x * 3
        seen = []
        pre = y.grad_fn.register_prehook(lambda gout: (gout[0] * 10,))
        y.grad_fn.register_hook(lambda gin, gout: seen.append(
            (gin[0].detach().numpy().copy(), gout[0].detach().numpy().copy())))
        y.sum().backward(retain_graph=True)
        np.testing.assert_allclose(x.grad.numpy(), [30.0, 30.0])
        np.testing.assert_allclose(seen[0][0], [30.0, 30.0])
        np.testing.assert_allclose(seen[0][1], [10.0, 10.0])
        pre.remove()
        x.grad = None
        y.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_post_hook_may_replace_the_input_gradients():
    x = leaf([1.0, 2.0])
    y = x.exp()
    y.grad_fn.register_hook(lambda gin, gout: (gin[0] * 0 + 7,) + gin[1:])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [7.0, 7.0])


# -- leaf gradients ------------------------------------------------------------------------------

def test_leaf_gradients_never_alias():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()  # one gradient tensor flows to both leaves
    a.grad.add_(1)
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])
    c = leaf([2.0])
    g = ember.tensor([5.0], dtype=ember.float64)
    c.backward(g)  # a root gradient the caller still holds
    c.grad.mul_(2)
    np.testing.assert_allclose(g.numpy(), [5.0])
    w = leaf(np.ones((3, 2)))
    (ember.ones(4, 3, dtype=ember.float64) @ w).sum().backward()
    (ember.ones(4, 3, dtype=ember.float64) @ w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.full((3, 2), 8.0))


def test_fresh_leaf_gradient_is_kept_without_a_copy():
    import weakref
    made = []

    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            out = g * 2
            made.append(weakref.ref(out))
            return out

    w = leaf([1.0, 2.0])
    Twice.apply(w).sum().backward()
    assert w.grad is made[0]()  # nothing else held it: no copy
    Twice.apply(w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [4.0, 4.0])


# -- index_put_ / index_add_ / scatter_add_ ------------------------------------------------------

@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.int64])
def test_index_put_accumulate_sums_duplicates(device, dtype):
    t = _torch()
    rng = np.random.default_rng(3)
    base = rng.integers(-5, 5, (5, 4)).astype(np.float64)
    rows = np.array([0, 3, 0, 0, 4, 3])
    vals = rng.integers(-9, 9, (6, 4)).astype(np.float64)
    nd = np.dtype(dtype._numpy)
    x = ember.tensor(base.astype(nd), device=device)
    x.index_put_((ember.tensor(rows, device=device),), ember.tensor(vals.astype(nd), device=device),
                 accumulate=True)
    expect = base.copy()
    np.add.at(expect, rows, vals)
    np.testing.assert_array_equal(x.cpu().numpy(), expect.astype(nd))
    # two index tensors, a broadcast value, a non-contiguous target
    y = ember.tensor(base.T.copy().astype(nd), device=device).t()
    i, j = np.array([1, 1, 2, 1]), np.array([0, 0, 3, 0])
    y.index_put_((ember.tensor(i), ember.tensor(j)), ember.tensor(np.array(2).astype(nd)),
                 accumulate=True)
    ty = t.tensor(base).index_put_((t.tensor(i), t.tensor(j)), t.tensor(2.0, dtype=t.float64),
                                   accumulate=True)
    np.testing.assert_array_equal(y.cpu().numpy(), ty.numpy().astype(nd))
    # without accumulate the last write wins, as before
    z = ember.zeros(3, device=device, dtype=dtype)
    z.index_put_((ember.tensor([1, 1]),), ember.tensor(np.array([4, 9]).astype(nd), device=device))
    np.testing.assert_array_equal(z.cpu().numpy(), np.array([0, 9, 0]).astype(nd))


def test_index_put_accumulate_float32_is_deterministic_and_matches_cpu(device):
    rng = np.random.default_rng(4)
    idx = rng.integers(0, 7, 300)
    vals = rng.standard_normal((300, 5)).astype(np.float32)
    results = []
    for dev in ("cpu", device):
        x = ember.zeros(7, 5, device=dev)
        x.index_put_((ember.tensor(idx, device=dev),), ember.tensor(vals, device=dev), True)
        results.append(x.cpu().numpy())
    np.testing.assert_array_equal(results[0], results[1])
    expect = np.zeros((7, 5), np.float64)
    np.add.at(expect, idx, vals.astype(np.float64))
    np.testing.assert_allclose(results[0], expect, rtol=1e-5, atol=1e-5)


def test_index_add_and_scatter_add_match_torch(device):
    t = _torch()
    rng = np.random.default_rng(5)
    base, src = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    idx = np.array([3, 0, 3, 3, 1])
    x = ember.tensor(base, device=device).index_add_(0, ember.tensor(idx), ember.tensor(
        src, device=device), alpha=2.0)
    tx = t.tensor(base).index_add_(0, t.tensor(idx), t.tensor(src), alpha=2.0)
    np.testing.assert_allclose(x.cpu().numpy(), tx.numpy(), rtol=1e-12)
    sidx = rng.integers(0, 4, (2, 3))
    y = ember.tensor(base, device=device).scatter_add_(0, ember.tensor(sidx, device=device),
                                                       ember.tensor(src, device=device))
    ty = t.tensor(base).scatter_add_(0, t.tensor(sidx), t.tensor(src))
    np.testing.assert_allclose(y.cpu().numpy(), ty.numpy(), rtol=1e-12)
    sidx = rng.integers(0, 3, (4, 2))
    z = ember.tensor(base, device=device).scatter_add_(1, ember.tensor(sidx, device=device),
                                                       ember.tensor(src, device=device))
    tz = t.tensor(base).scatter_add_(1, t.tensor(sidx), t.tensor(src))
    np.testing.assert_allclose(z.cpu().numpy(), tz.numpy(), rtol=1e-12)


def test_index_put_is_differentiable_and_indexing_backward_sums_repeats(device):
    t = _torch()
    rng = np.random.default_rng(6)
    xa, va = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
    idx = [2, 0, 2]
    for acc in (False, True):
        ex = ember.tensor(xa, device=device, requires_grad=True)
        ev = ember.tensor(va, device=device, requires_grad=True)
        tx, tv = (t.tensor(a, requires_grad=True) for a in (xa, va))
        e_out = (ex * 1).index_put_((ember.tensor(idx, device=device),), ev * 1, accumulate=acc)
        t_out = (tx * 1).index_put_((t.tensor(idx),), tv * 1, accumulate=acc)
        (e_out ** 2).sum().backward()
        (t_out ** 2).sum().backward()
        np.testing.assert_allclose(ex.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ev.grad.cpu().numpy(), tv.grad.numpy(), rtol=1e-12)
    ex = ember.tensor(xa, device=device, requires_grad=True)
    (ex[[0, 3, 0, 0]] * ember.tensor(va[:1], device=device)).sum().backward()
    tx = t.tensor(xa, requires_grad=True)
    (tx[[0, 3, 0, 0]] * t.tensor(va[:1])).sum().backward()
    np.testing.assert_allclose(ex.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-12)
