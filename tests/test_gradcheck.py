"""``ember.autograd.gradcheck`` (central finite differences in float64) on every differentiable
op: elementwise (with broadcasting and scalars), reductions, views, indexing, joins, matrix
products."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

rng = np.random.default_rng(0)


def leaf(shape, low=-2.0, high=2.0, avoid=None):
    a = rng.uniform(low, high, size=shape)
    if avoid is not None:  # keep clear of kinks (|x| near 0) where differences are wrong
        a = np.where(np.abs(a - avoid) < 0.2, a + 0.5, a)
    return ember.tensor(a, dtype=ember.float64, requires_grad=True)


def positive(shape):
    return leaf(shape, 0.5, 2.0)


def distinct(shape):
    """Values with no ties, spaced widely enough for finite differences."""
    n = int(np.prod(shape))
    a = rng.permutation(n).astype(np.float64).reshape(shape) * 0.3 + 0.1
    return ember.tensor(a, dtype=ember.float64, requires_grad=True)


UNARY = [
    ("neg", leaf), ("abs", lambda s: leaf(s, avoid=0.0)), ("exp", leaf), ("log", positive),
    ("log1p", positive), ("expm1", leaf), ("sqrt", positive), ("rsqrt", positive),
    ("sin", leaf), ("cos", leaf), ("tanh", leaf), ("sigmoid", leaf),
    ("relu", lambda s: leaf(s, avoid=0.0)), ("reciprocal", positive), ("square", leaf),
    ("sign", lambda s: leaf(s, avoid=0.0)), ("floor", lambda s: leaf(s, avoid=1.0)),
    ("ceil", lambda s: leaf(s, avoid=1.0)), ("trunc", lambda s: leaf(s, avoid=1.0)),
]


@pytest.mark.parametrize("name, make", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, make):
    x = make((2, 3))
    assert gradcheck(getattr(ember, name), (x,))
    assert gradcheck(getattr(ember.Tensor, name), (make(()),))  # 0-d


def test_round_and_operators():
    x = leaf((3,), 0.1, 0.4)
    assert gradcheck(lambda t: ember.round(t, decimals=1) + t, (x,))
    assert gradcheck(lambda t: -t + abs(t + 5.0), (leaf((2, 2)),))


BINARY = [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b),
    ("maximum", ember.maximum), ("minimum", ember.minimum),
    ("remainder", lambda a, b: a % b), ("add_alpha", lambda a, b: ember.add(a, b, alpha=2.5)),
    ("sub_alpha", lambda a, b: ember.sub(a, b, alpha=-1.5)),
]


@pytest.mark.parametrize("name, fn", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 1, 3), (4, 1)), ((), (3,))],
                         ids=["same", "broadcast", "0d"])
def test_binary(name, fn, shapes):
    a, b = positive(shapes[0]), distinct(shapes[1]) if name in ("maximum", "minimum") else \
        positive(shapes[1])
    if name == "remainder":  # stay away from the jumps of a % b
        a = ember.tensor(np.full(shapes[0], 1.3), dtype=ember.float64, requires_grad=True)
        b = ember.tensor(np.full(shapes[1], 0.7), dtype=ember.float64, requires_grad=True)
    assert gradcheck(fn, (a, b))


@pytest.mark.parametrize("name, fn", BINARY[:5], ids=[b[0] for b in BINARY[:5]])
def test_binary_with_scalars(name, fn):
    x = positive((2, 3))
    assert gradcheck(lambda t: fn(t, 1.7), (x,))
    assert gradcheck(lambda t: fn(1.3, t), (x,))
    assert gradcheck(lambda t: fn(t, ember.tensor(2, dtype=ember.int64)), (x,))


def test_rounding_divisions_have_zero_gradient():
    a, b = leaf((2, 3), 1.1, 1.9), leaf((3,), 0.3, 0.45)
    for mode in ("floor", "trunc"):
        ga, gb = ember.autograd.grad(ember.div(a, b, rounding_mode=mode).sum(), (a, b))
        assert not ga.numpy().any() and not gb.numpy().any() and gb.shape == (3,)
    assert gradcheck(lambda x, y: (x // y) + x, (a, b))


def test_where_and_clamp():
    c = ember.tensor([[True, False, True]])
    a, b = leaf((2, 3)), leaf((3,))
    assert gradcheck(lambda x, y: ember.where(c, x, y), (a, b))
    assert gradcheck(lambda x: ember.where(c, x, 0.5), (a,))
    x = ember.tensor([-1.5, -0.2, 0.3, 1.7], dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t: t.clamp(-1.0, 1.0), (x,))
    assert gradcheck(lambda t: t.clamp(min=0.0), (x,))
    lo = ember.tensor([-1.0, 0.0, 0.5, 2.0], dtype=ember.float64, requires_grad=True)
    hi = ember.tensor([1.0], dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t, l, h: ember.clamp(t, l, h), (x, lo, hi))


def test_casts_and_copies():
    x = leaf((2, 3))
    assert gradcheck(lambda t: t.t().contiguous() + t.clone().T * t.to(ember.float64).T, (x,))
    y = x.float()  # float32 rounding spoils finite differences: check the cast directly
    assert y.dtype == ember.float32 and type(y.grad_fn).__name__ == "ToCopyBackward"
    (y * 2).sum().backward()
    assert x.grad.dtype == ember.float64
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 2.0))


REDUCTIONS = [
    ("sum", lambda t: t.sum()), ("sum_dim", lambda t: t.sum(1)),
    ("sum_dims_keepdim", lambda t: t.sum((0, 2), keepdim=True)),
    ("sum_neg", lambda t: ember.sum(t, -1)),
    ("mean", lambda t: t.mean()), ("mean_dim", lambda t: t.mean((1, 2))),
    ("mean_keepdim", lambda t: t.mean(0, keepdim=True)),
    ("prod", lambda t: t.prod()), ("prod_dim", lambda t: t.prod(1)),
    ("prod_dims_keepdim", lambda t: t.prod((0, 2), keepdim=True)),
    ("var", lambda t: t.var()), ("var_dim", lambda t: t.var(1, keepdim=True)),
    ("var_correction0", lambda t: ember.var(t, (0, 2), correction=0)),
    ("std", lambda t: t.std()), ("std_dim", lambda t: t.std(2)),
    ("var_mean", lambda t: ember.var_mean(t, 1)), ("std_mean", lambda t: ember.std_mean(t)),
    ("norm", lambda t: t.norm()), ("norm_dim", lambda t: t.norm(dim=1)),
    ("norm_p1", lambda t: t.norm(1, dim=(0, 2))), ("norm_p3", lambda t: t.norm(3)),
    ("norm_inf", lambda t: t.norm(float("inf"), dim=2, keepdim=True)),
    ("logsumexp", lambda t: t.logsumexp(1)),
    ("logsumexp_keep", lambda t: t.logsumexp((0, 2), keepdim=True)),
    ("amax", lambda t: t.amax(1)), ("amin", lambda t: t.amin((0, 1))),
    ("max_all", lambda t: t.max()), ("min_all", lambda t: t.min()),
    ("max_dim", lambda t: t.max(1)[0]), ("min_dim_keepdim", lambda t: t.min(2, keepdim=True)[0]),
    ("max_elementwise", lambda t: ember.max(t, t.flip(0))),
    ("cumsum", lambda t: t.cumsum(1)), ("cumsum_neg", lambda t: t.cumsum(-1)),
    ("cumprod", lambda t: t.cumprod(2)),
]


@pytest.mark.parametrize("name, fn", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reduction(name, fn):
    assert gradcheck(fn, (distinct((2, 3, 2)),))


def test_reductions_of_0d_and_with_zeros():
    assert gradcheck(lambda t: t.sum() + t.mean(0) + t.prod(), (leaf(()),))
    x = ember.tensor([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5]], dtype=ember.float64,
                     requires_grad=True)
    assert gradcheck(lambda t: t.prod(1), (x,))  # exact where some factors are 0
    assert gradcheck(lambda t: t.cumprod(1), (x,))
    assert gradcheck(lambda t: t.cumprod(0), (x,))


def test_tie_gradients_are_shared():
    x = ember.tensor([1.0, 3.0, 3.0], dtype=ember.float64, requires_grad=True)
    x.amax().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.5, 0.5])


VIEWS = [
    ("reshape", lambda t: t.reshape(3, 4)), ("reshape_fn", lambda t: ember.reshape(t, (-1,))),
    ("view", lambda t: t.view(4, 3)), ("view_as", lambda t: t.view_as(ember.zeros(12))),
    ("flatten", lambda t: t.flatten()), ("unflatten", lambda t: t.unflatten(1, (2, 2))),
    ("squeeze", lambda t: t.unsqueeze(0).squeeze()), ("squeeze_dim", lambda t: t[:1].squeeze(0)),
    ("permute", lambda t: t.unsqueeze(2).permute(2, 0, 1)),
    ("permute_fn", lambda t: ember.permute(t.unsqueeze(0), (1, 2, 0))),
    ("transpose", lambda t: t.transpose(0, 1)), ("t", lambda t: t.t()), ("T", lambda t: t.T),
    ("mT", lambda t: t.unsqueeze(0).mT), ("movedim", lambda t: t.unsqueeze(0).movedim(0, 2)),
    ("swapaxes", lambda t: ember.swapaxes(t, 0, 1)),
    ("expand", lambda t: t[:, :1].expand(3, 5)), ("expand_new", lambda t: t.expand(2, 3, 4)),
    ("broadcast_to", lambda t: ember.broadcast_to(t[0], (2, 4))),
    ("broadcast_tensors", lambda t: ember.broadcast_tensors(t, t[:1])[1]),
    ("narrow", lambda t: t.narrow(1, 1, 2)), ("select", lambda t: t.select(1, -1)),
    ("diagonal", lambda t: t.diagonal(1)), ("flip", lambda t: t.flip(0, 1)),
    ("split", lambda t: t.split(3, 1)[1]), ("split_sizes", lambda t: t.split([1, 2], 0)),
    ("chunk", lambda t: t.chunk(2, 1)), ("unbind", lambda t: t.unbind(1)),
    ("getitem_int", lambda t: t[1]), ("getitem_slices", lambda t: t[::2, 1:3]),
    ("getitem_neg_step", lambda t: t[::-1, ::-2]), ("getitem_none", lambda t: t[None, ..., 1]),
    ("getitem_list", lambda t: t[[0, 2, 0]]), ("getitem_tensor", lambda t: t[:, ember.tensor([3, 1, 3])]),
    ("getitem_2tensors", lambda t: t[ember.tensor([0, 2]), ember.tensor([1, 1])]),
    ("getitem_mask", lambda t: t[t > 0]), ("getitem_row_mask", lambda t: t[ember.tensor([True, False, True])]),
    ("index_select", lambda t: t.index_select(1, ember.tensor([0, 3, 0]))),
    ("masked_fill", lambda t: t.masked_fill(t > 0, 0.5)),
    ("masked_fill_row", lambda t: ember.masked_fill(t, ember.tensor([True, False, False, True]), 2.0)),
]


@pytest.mark.parametrize("name, fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_and_indexing(name, fn):
    assert gradcheck(fn, (leaf((3, 4), avoid=0.0),))


def test_noncontiguous_input():
    base = leaf((4, 3))
    assert gradcheck(lambda b: (b.t()[:, ::2] * 2).sum(0), (base,))


def test_masked_fill_value_tensor():
    x, v = leaf((2, 3)), leaf(())
    assert gradcheck(lambda t, val: t.masked_fill(ember.tensor([True, False, True]), val), (x, v))


JOINS = [
    ("cat", lambda a, b: ember.cat([a, b], 1)), ("cat0", lambda a, b: ember.cat([a, a, b.T], 0)),
    ("concat_neg", lambda a, b: ember.concat([b, a], -1)),
    ("stack", lambda a, b: ember.stack([a, b[:, :3]], 1)),
    ("hstack", lambda a, b: ember.hstack([a, b])), ("vstack", lambda a, b: ember.vstack([a[0], b[:, :3]])),
]


@pytest.mark.parametrize("name, fn", JOINS, ids=[j[0] for j in JOINS])
def test_join(name, fn):
    assert gradcheck(fn, (leaf((2, 3)), leaf((2, 4))) if name != "cat0" else
                     (leaf((2, 3)), leaf((3, 1))))


MATMUL = [
    ("1d_1d", (4,), (4,)), ("2d_1d", (3, 4), (4,)), ("1d_2d", (4,), (4, 2)),
    ("2d_2d", (3, 4), (4, 2)), ("batched", (2, 3, 4), (2, 4, 2)),
    ("broadcast", (2, 1, 3, 4), (3, 4, 2)), ("batched_1d", (2, 3, 4), (4,)),
    ("1d_batched", (3,), (2, 3, 2)),
]


@pytest.mark.parametrize("name, sa, sb", MATMUL, ids=[m[0] for m in MATMUL])
def test_matmul(name, sa, sb):
    assert gradcheck(ember.matmul, (leaf(sa), leaf(sb)))


def test_matrix_product_family():
    a, b = leaf((3, 4)), leaf((4, 2))
    assert gradcheck(ember.mm, (a, b))
    assert gradcheck(lambda x, y: x @ y, (a, b))
    assert gradcheck(ember.bmm, (leaf((2, 3, 4)), leaf((2, 4, 2))))
    assert gradcheck(ember.mv, (a, leaf((4,))))
    assert gradcheck(ember.dot, (leaf((5,)), leaf((5,))))
    assert gradcheck(ember.outer, (leaf((3,)), leaf((2,))))
    w = ember.tensor(np.ones((4, 2)))  # one operand without grad
    assert gradcheck(lambda x: x @ w.double(), (a,))
