"""In-place writes to views of tensors in the autograd graph (PyTorch's CopySlices): every
pattern runs as the same program in ember and in PyTorch, values and gradients compared; float64
gradcheck of functions that write through views; PyTorch's errors for the forbidden cases."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _setitem_add(m, x, z):
    y = x * 2
    y[:, 1] += z[:3]
    return y


def _basic_index_mul(m, x, z):
    y = x * 1.5
    y[1:3].mul_(3)
    y[0, ::2].mul_(z[:2])  # a step slice; mul saves the view's old value
    return y


def _nested_zero(m, x, z):
    y = x * z
    y.view(4, 3)[1].zero_()
    y.view(2, 6)[:, 1:4][1].add_(x[0, :3])
    return y


def _transpose_add(m, x, z):
    y = x + 1
    y.t().add_(1)
    y.t()[1:, ::2].sub_(z[:2])  # non-contiguous view of a non-contiguous view
    y.t()[3] = z[1:] * 2  # __setitem__ on a view
    return y * x


def _diagonal_fill(m, x, z):
    y = x.sin()
    y.diagonal().fill_(0)
    y.diagonal(1).copy_(z[:3] * 2)
    return y


def _narrow_copy(m, x, z):
    y = x * 3
    y.narrow(1, 1, 2).copy_(z[:2])  # broadcast over the rows
    return y


def _unary_on_views(m, x, z):
    y = x * z
    y[2, 1:].clamp_(-0.5, 0.5)
    y.select(1, 3).masked_fill_(x[:, 3] > 0, 7.0)
    y[:, 0].mul_(z[:3])  # saves the view's old value
    y[1].sigmoid_()  # saves its output (so the last write)
    return y


def _preallocated_slices(m, x, z):
    # out[:, :k] = op(...) inside a forward: a buffer outside the graph joins it
    out = m.zeros(3, 4, dtype=x.dtype, device=x.device)
    out[:, :2] = x[:, :2].tanh()
    out[:, 2:] = (x[:, 2:] * z[:2]).sum(1, keepdim=True)
    return out


def _row_loop(m, x, z):
    out = m.empty(3, 4, dtype=x.dtype, device=x.device)
    h = z
    for i in range(3):
        out[i] = h * x[i]
        out.select(0, i).mul_(2)
        out[i].add_(out[i - 1] if i else 1.0)  # reads an earlier row: the rebased history
        h = out[i].tanh()
    return out


def _permute_3d(m, x, z):
    y = x.reshape(3, 2, 2) * 1.5
    y.permute(2, 0, 1)[1].add_(z[:3].reshape(3, 1))
    y.transpose(0, 1)[0, 1:].mul_(-1)
    return y


def _expand_without_overlap(m, x, z):
    y = x * 2
    y.expand(3, 4).add_(z)
    y.unsqueeze(0).expand(1, 3, 4)[0, 1].mul_(3)
    return y


def _earlier_views_see_new_history(m, x, z):
    y = x * 2
    v = y[1]
    t = y.t()
    w = v * 5  # recorded before the write: gets the old value's gradient
    y[1:].mul_(z)
    y[0] = 0.0
    return v * z + t.sum(1) + w


def _view_of_buffer_outside_graph(m, x, z):
    out = m.zeros(3, 4, dtype=x.dtype, device=x.device)
    a = out[1]  # taken before out joins the graph
    out[1] = x[0] * z
    out.narrow(0, 2, 1).copy_(x[2:])
    return a * 3 + out[2]


def _base_write_after_view_write(m, x, z):
    y = x + 0
    v = y[:, 1:3]
    v.mul_(z[:2])
    y.mul_(2)  # the base written: v's history is rebased again
    return v * v


def _copy_into_view_of_view(m, x, z):
    y = x * 1
    col = y[:, 2]
    col[1:].copy_(z[:2] * x[0, :2])
    return y.sum(1) * col.sum()


PATTERNS = [_setitem_add, _basic_index_mul, _nested_zero, _transpose_add, _diagonal_fill,
            _narrow_copy, _unary_on_views, _preallocated_slices, _row_loop, _permute_3d,
            _expand_without_overlap, _earlier_views_see_new_history,
            _view_of_buffer_outside_graph, _base_write_after_view_write,
            _copy_into_view_of_view]


def _leaves(device, seed):
    rng = np.random.default_rng(seed)
    xa, za = rng.standard_normal((3, 4)), rng.standard_normal(4)
    ex = ember.tensor(xa, device=device, requires_grad=True)
    ez = ember.tensor(za, device=device, requires_grad=True)
    tx, tz = torch.tensor(xa, requires_grad=True), torch.tensor(za, requires_grad=True)
    return (ex, ez), (tx, tz), rng


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda f: f.__name__[1:])
def test_pattern_matches_torch(pattern, device):
    (ex, ez), (tx, tz), rng = _leaves(device, 1)
    e_out, t_out = pattern(ember, ex, ez), pattern(torch, tx, tz)
    np.testing.assert_allclose(e_out.detach().cpu().numpy(), t_out.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    seed = rng.standard_normal(tuple(t_out.shape))
    e_out.backward(ember.tensor(seed, device=device))
    t_out.backward(torch.tensor(seed))
    for e, t in ((ex, tx), (ez, tz)):
        np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("pattern", [_basic_index_mul, _nested_zero, _transpose_add,
                                     _unary_on_views, _row_loop, _earlier_views_see_new_history,
                                     _copy_into_view_of_view], ids=lambda f: f.__name__[1:])
def test_pattern_passes_gradcheck(pattern, device):
    (ex, ez), _, _ = _leaves(device, 2)
    assert ember.autograd.gradcheck(lambda a, b: pattern(ember, a, b), (ex, ez))


def test_negative_step_view_passes_gradcheck(device):
    # numpy-style negative steps (PyTorch has none): the geometry has a negative stride
    (ex, ez), _, _ = _leaves(device, 3)

    def f(x, z):
        y = x * 2
        y[::-1, 1:][0].mul_(z[:3])
        y.flatten()[::-3].add_(z[0])
        return y
    assert ember.autograd.gradcheck(f, (ex, ez))


def _ones(m, *shape, device="cpu"):
    """A float64 leaf of ones that requires grad (on ``device`` for ember; torch's on the CPU)."""
    return m.ones(*shape, dtype=m.float64, device=device if m is ember else "cpu",
                  requires_grad=True)


def test_graph_nodes_and_versions_match_torch(device):
    for m in (ember, torch):
        y = _ones(m, 2, 3, device=device) * 2
        v = y[0]
        before = y._version
        v.mul_(2)
        assert y._version == v._version == before + 1
        assert v._base is y
        names = [type(y.grad_fn).__name__, type(v.grad_fn).__name__]
        assert names[0] == "CopySlices"
        assert names[1].startswith("AsStridedBackward")
        assert y.requires_grad and v.requires_grad and not y.is_leaf


def test_views_are_tracked_for_plain_tensors_too():
    a = ember.zeros(3, 4)
    assert a._base is None
    assert a[1]._base is a and a.t()[0]._base is a and a.view(12)[2:]._base is a
    assert a.reshape(4, 3)._base is a
    assert a[[0, 2]]._base is None  # advanced indexing copies
    assert a.t().reshape(12)._base is None  # a copy: the strides do not allow a view


def _messages(program):
    """The RuntimeError messages of the same program under torch and ember."""
    out = []
    for m in (torch, ember):
        with pytest.raises(RuntimeError) as info:
            program(m)
        out.append(str(info.value))
    return out


def _leaf(m):
    return _ones(m, 3, 4)


ERRORS = {
    "view_of_leaf": lambda m: _leaf(m)[0].mul_(2),
    "view_of_leaf_fill": lambda m: _leaf(m).t().fill_(0),
    "view_of_leaf_setitem": lambda m: _leaf(m).view(12).__setitem__(slice(0, 2), 1.0),
    "unbind": lambda m: (_leaf(m) * 2).unbind(0)[1].mul_(2),
    "split": lambda m: (_leaf(m) * 2).split(2, 1)[1].add_(1),
    "chunk": lambda m: (_leaf(m) * 2).chunk(2, 1)[1].zero_(),
    "expand_overlap": lambda m: (_leaf(m) * 2)[0:1].expand(3, 4).add_(1),
}


def _no_grad_view(m):
    y = _leaf(m) * 2
    with m.no_grad():
        v = y[0]
    v.copy_(m.zeros(4, dtype=m.float64))  # (ember checks setitem and copy_; see inplace.py)


def _no_grad_view_copy(m):
    y = _leaf(m) * 2
    with m.no_grad():
        v = y.t()
    v.copy_(m.ones(4, 3, dtype=m.float64))


def _no_grad_view_of_buffer(m):
    out = m.zeros(3, 4, dtype=m.float64)
    with m.no_grad():
        v = out[0]
    v.copy_(m.ones(4, dtype=m.float64, requires_grad=True))


def _unbind_of_buffer(m):
    out = m.zeros(3, 4, dtype=m.float64)
    out.unbind(0)[2].copy_(m.ones(4, dtype=m.float64, requires_grad=True))


def _no_grad_view_setitem(m):
    y = _leaf(m) * 2
    with m.no_grad():
        v = y[0]
    v[:] = 2.0


ERRORS.update(no_grad_view=_no_grad_view, no_grad_view_copy=_no_grad_view_copy,
              no_grad_view_setitem=_no_grad_view_setitem,
              no_grad_view_of_buffer=_no_grad_view_of_buffer,
              unbind_of_buffer=_unbind_of_buffer)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_matches_torch(case):
    t_msg, e_msg = _messages(ERRORS[case])
    assert e_msg == t_msg


# Every in-place entry point, on a view taken under no_grad of a base in the graph, written with
# grad mode on and no operand requiring grad: PyTorch refuses all of them alike.
PLAIN_WRITES = {
    "mul_": lambda m, v: v.mul_(2), "add_alpha": lambda m, v: v.add_(1, alpha=3),
    "imul": lambda m, v: v.__imul__(2), "div_": lambda m, v: v.div_(v.clone()),
    "exp_": lambda m, v: v.exp_(), "neg_": lambda m, v: v.neg_(),
    "clamp_": lambda m, v: v.clamp_(0, 1), "round_": lambda m, v: v.round_(),
    "round_decimals": lambda m, v: v.round_(decimals=1), "fill_": lambda m, v: v.fill_(3),
    "zero_": lambda m, v: v.zero_(), "uniform_": lambda m, v: v.uniform_(),
    "normal_": lambda m, v: v.normal_(), "bernoulli_": lambda m, v: v.bernoulli_(),
    "random_": lambda m, v: v.random_(5),
    "masked_fill_": lambda m, v: v.masked_fill_(v > 0, 1.0),
    "index_put_": lambda m, v: v.index_put_((m.tensor([1]),), m.tensor([2.0], dtype=v.dtype)),
    "copy_": lambda m, v: v.copy_(v * 2), "setitem": lambda m, v: v.__setitem__(..., 1.0),
}


@pytest.mark.parametrize("write", sorted(PLAIN_WRITES))
def test_plain_write_to_no_grad_view_raises_like_torch(write, device):
    messages = []
    for m in (torch, ember):
        y = _ones(m, 3, 4, device=device) * 2
        with m.no_grad():
            v = y[1:]
        with pytest.raises(RuntimeError) as info:
            PLAIN_WRITES[write](m, v)
        messages.append(str(info.value))
        with m.no_grad():
            PLAIN_WRITES[write](m, v)  # both under no_grad: allowed
    assert messages[1] == messages[0]


@pytest.mark.parametrize("write", ["mul_", "fill_", "uniform_", "exp_"])
def test_plain_write_to_no_grad_view_outside_the_graph_is_allowed(write, device):
    for m in (torch, ember):
        buf = m.ones(3, 4, dtype=m.float64, device=device if m is ember else "cpu")
        with m.no_grad():
            v = buf.t()
        PLAIN_WRITES[write](m, v)  # the base does not require grad: nothing to bypass
        assert buf.grad_fn is None and not buf.requires_grad


# A view taken under grad mode of a view taken under no_grad: PyTorch records the second view
# op, and its message names that op's node.
VIEWS_OF_NO_GRAD_VIEW = {
    "slice": lambda v: v[1:], "select": lambda v: v[0], "index_tuple": lambda v: v[0, 1:],
    "index_ellipsis": lambda v: v[..., 1], "index_none": lambda v: v[:, None],
    "t": lambda v: v.t(), "T": lambda v: v.T, "view": lambda v: v.view(-1),
    "reshape": lambda v: v.reshape(-1), "flatten": lambda v: v.flatten(),
    "transpose": lambda v: v.transpose(0, 1), "permute": lambda v: v.permute(1, 0),
    "movedim": lambda v: v.movedim(0, 1), "narrow": lambda v: v.narrow(1, 0, 2),
    "diagonal": lambda v: v.diagonal(), "unsqueeze": lambda v: v.unsqueeze(0),
    "squeeze_dim": lambda v: v[:1].squeeze(0), "expand": lambda v: v[:1].expand(2, 4),
    "setitem_int": lambda v: v.__setitem__(0, 1.0), "setitem_slices": (
        lambda v: v.__setitem__((slice(None), slice(1, 3)), 1.0)),
    "setitem_whole": lambda v: v.__setitem__(slice(None), 1.0),
}


@pytest.mark.parametrize("case", sorted(VIEWS_OF_NO_GRAD_VIEW))
def test_write_to_view_of_no_grad_view_raises_like_torch(case, device):
    messages = []
    for m in (torch, ember):
        y = _ones(m, 3, 4, device=device) * 2
        with m.no_grad():
            v = y[1:]
        with pytest.raises(RuntimeError) as info:
            w = VIEWS_OF_NO_GRAD_VIEW[case](v)
            if w is not None:
                w.mul_(2)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


def _custom_functions(m):
    class Narrow(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[1:]

        @staticmethod
        def backward(ctx, g):
            return m.cat([m.zeros_like(g[:1]), g])

    class Flat(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.view(-1)

        @staticmethod
        def backward(ctx, g):
            return g.view(3, 4)

    return Narrow, Flat


@pytest.mark.parametrize("of_leaf", [False, True])
def test_write_to_view_returned_by_custom_function_raises_like_torch(of_leaf, device):
    messages = []
    for m in (torch, ember):
        for fn in _custom_functions(m):
            x = _ones(m, 3, 4, device=device)
            out = fn.apply(x if of_leaf else x * 2)
            with pytest.raises(RuntimeError) as info:
                out.add_(1)
            messages.append(str(info.value))
    assert messages[2:] == messages[:2]


@pytest.mark.parametrize("write", ["base", "other_view", "setitem"])
def test_no_grad_view_used_after_a_recorded_write_raises_like_torch(write, device):
    messages = []
    for m in (torch, ember):
        y = _ones(m, 3, 4, device=device) * 2
        with m.no_grad():
            v = y[1:]
        if write == "base":
            y.mul_(2)
        elif write == "other_view":
            y[0].add_(1)
        else:
            y[0, 1] = 5.0
        with pytest.raises(RuntimeError) as info:
            (v * 2).sum().backward()  # (PyTorch raises at the product, ember at backward)
        messages.append(str(info.value))
        with m.no_grad():
            assert (v * 2).requires_grad is False  # still usable under no_grad
        with pytest.raises(RuntimeError, match="is being modified inplace"):
            v.add_(1)  # a direct write: PyTorch's first message
    assert messages[1] == messages[0]


def test_value_saved_then_overwritten_through_a_view_raises_at_backward(device):
    for m in (torch, ember):
        y = _ones(m, 3, 4, device=device) * 2
        w = y.sin()  # saves y
        y[0].mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            w.sum().backward()


def test_writes_without_grad_stay_unrecorded(device):
    y = ember.ones(3, 4, device=device, requires_grad=True) * 2
    with ember.no_grad():
        y[0].mul_(3)  # view and write both under no_grad: allowed, not recorded
    assert type(y.grad_fn).__name__ == "MulBackward"
    buf = ember.zeros(2, 3, device=device)
    buf[1].add_(1)  # nothing requires grad: a plain write
    assert buf.grad_fn is None and not buf.requires_grad
    np.testing.assert_array_equal(buf.cpu().numpy(), [[0, 0, 0], [1, 1, 1]])


def test_detached_alias_writes_do_not_touch_the_graph():
    x = ember.ones(2, 2, dtype=ember.float64, requires_grad=True)
    y = x * 2
    y.detach()[0].mul_(5)
    assert type(y.grad_fn).__name__ == "MulBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 2.0))


def test_many_short_lived_views_do_not_accumulate():
    y = ember.ones(8, 3, dtype=ember.float64, requires_grad=True) * 1
    for _ in range(200):
        for i in range(8):
            y[i].add_(1)
    assert len(y._view_of) < 64  # the base's registry of its views
    assert type(y.grad_fn).__name__ == "CopySlices"


def test_double_backward_through_view_writes_matches_torch(device):
    (ex, ez), (tx, tz), _ = _leaves(device, 4)
    for m, x, z in ((ember, ex, ez), (torch, tx, tz)):
        y = x * x
        y.view(4, 3).mul_(z.view(4, 1))
        y[1:, ::2].mul_(z[:2])
        v = y.t()[2]
        y[0].sub_(z.sin())
        gx, = m.autograd.grad((v * y[:, 1]).sum() + (y ** 3).sum(), (x,), create_graph=True)
        (gx * gx).sum().backward()
    np.testing.assert_allclose(ex.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ez.grad.cpu().numpy(), tz.grad.numpy(), rtol=1e-10)


def test_views_of_a_parameter():
    p = ember.nn.Parameter(ember.ones(2, 3, dtype=ember.float64))
    v = p.t()
    assert v._base is p
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        v.mul_(2)
    with ember.no_grad():
        p[0].mul_(3)  # as optimizers do
    (v * v).sum().backward()  # v was taken before the write: its history is still p's
    np.testing.assert_array_equal(p.grad.numpy(), [[6.0] * 3, [2.0] * 3])
