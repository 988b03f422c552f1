"""ember.nn layers and their functional forms against PyTorch from identical weights and inputs
(outputs, input gradients, parameter gradients; float32 and float64), gradcheck, and bad
input."""
import math

import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import gradcheck
from ember.nn import functional as F

torch = pytest.importorskip("torch")

DTYPES = [(ember.float32, torch.float32, 2e-5), (ember.float64, torch.float64, 1e-11)]


def _rng(seed=0):
    return np.random.RandomState(seed)


def _pair(e_mod, t_mod, device, dtypes):
    """Gives the ember module the torch module's weights, on device in the given dtype."""
    e_dtype, t_dtype, _ = dtypes
    t_mod.to(t_dtype)
    e_mod.to(e_dtype)
    e_mod.load_state_dict({k: v.detach().numpy().astype(np.float64)
                           if v.is_floating_point() else v.numpy()
                           for k, v in t_mod.state_dict().items()}, strict=True)
    return e_mod.to(device), t_mod


def _run_both(e_mod, t_mod, arrays, device, dtypes, float_inputs=None):
    """Runs both modules on the arrays (as inputs requiring grad when floating), backpropagates
    the same random gradient and compares outputs, input gradients and parameter gradients."""
    e_dtype, t_dtype, tol = dtypes
    float_inputs = float_inputs or [a.dtype.kind == "f" for a in arrays]
    e_in, t_in = [], []
    for a, is_float in zip(arrays, float_inputs):
        if is_float:
            e_in.append(ember.tensor(a, dtype=e_dtype, device=device, requires_grad=True))
            t_in.append(torch.tensor(a, dtype=t_dtype, requires_grad=True))
        else:
            e_in.append(ember.tensor(a, device=device))
            t_in.append(torch.tensor(a))
    e_out, t_out = e_mod(*e_in), t_mod(*t_in)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    assert e_out.device == ember.device(device) and e_out.dtype == e_dtype
    _close(e_out, t_out, tol)
    g = _rng(7).standard_normal(tuple(t_out.shape))
    e_out.backward(ember.tensor(g, dtype=e_dtype, device=device))
    t_out.backward(torch.tensor(g, dtype=t_dtype))
    for e, t in zip(e_in, t_in):
        if t.requires_grad:
            _close(e.grad, t.grad, tol)
    t_params = dict(t_mod.named_parameters())
    for name, p in e_mod.named_parameters():
        if t_params[name].grad is None:
            assert p.grad is None, name
        else:
            _close(p.grad, t_params[name].grad, tol, name)
    return e_out, t_out


def _close(e, t, tol, what=""):
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=tol,
                               atol=tol, err_msg=what)


# -- Linear ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("in_f,out_f,shape,bias", [
    (3, 4, (5, 3), True), (7, 13, (2, 3, 7), True), (3, 2, (3,), True), (1, 1, (1, 1), False),
    (5, 2, (11, 5), False), (4, 3, (0, 4), True), (17, 31, (2, 2, 2, 17), True)])
def test_linear_matches_torch(device, dtypes, in_f, out_f, shape, bias):
    em, tm = _pair(nn.Linear(in_f, out_f, bias=bias), torch.nn.Linear(in_f, out_f, bias=bias),
                   device, dtypes)
    _run_both(em, tm, [_rng().standard_normal(shape)], device, dtypes)


def test_linear_non_contiguous_input(device):
    em, tm = _pair(nn.Linear(4, 3), torch.nn.Linear(4, 3), device, DTYPES[1])
    a = _rng().standard_normal((4, 6))
    e_x = ember.tensor(a, dtype=ember.float64, device=device).t()
    np.testing.assert_allclose(em(e_x).detach().cpu().numpy(),
                               tm(torch.tensor(a).t()).detach().numpy(), rtol=1e-12)


def test_linear_default_init_is_pytorchs():
    ember.manual_seed(0)
    m = nn.Linear(50, 20)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    bound = 1 / math.sqrt(50)  # kaiming_uniform_(a=sqrt(5)) gives the same bound as the bias
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.9 * bound and w.std() == pytest.approx(bound / math.sqrt(3),
                                                                       rel=0.1)
    ember.manual_seed(0)
    again = nn.Linear(50, 20)
    assert np.array_equal(again.weight.detach().numpy(), w)
    assert m.weight.shape == (20, 50) and m.bias.shape == (20,)


def test_linear_gradcheck(device):
    r = _rng(1)
    x = ember.tensor(r.standard_normal((3, 4)), device=device, requires_grad=True,
                     dtype=ember.float64)
    w = ember.tensor(r.standard_normal((2, 4)), device=device, requires_grad=True,
                     dtype=ember.float64)
    b = ember.tensor(r.standard_normal(2), device=device, requires_grad=True, dtype=ember.float64)
    assert gradcheck(F.linear, (x, w, b))
    x3 = ember.tensor(r.standard_normal((2, 1, 4)), device=device, requires_grad=True,
                      dtype=ember.float64)
    assert gradcheck(lambda x, w: F.linear(x, w), (x3, w))


def test_linear_double_backward():
    x = ember.tensor([[1.0, 2.0]], dtype=ember.float64, requires_grad=True)
    w = ember.tensor([[3.0, -1.0]], dtype=ember.float64, requires_grad=True)
    y = (F.linear(x, w) ** 2).sum()
    gx, = ember.autograd.grad(y, x, create_graph=True)
    gx.sum().backward()
    tx = torch.tensor([[1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    tw = torch.tensor([[3.0, -1.0]], dtype=torch.float64, requires_grad=True)
    tgx, = torch.autograd.grad((torch.nn.functional.linear(tx, tw) ** 2).sum(), tx,
                               create_graph=True)
    tgx.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())


def test_linear_bad_input():
    m = nn.Linear(3, 4)
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=3, out_features=4, bias=True\).*"
                                           r"in_features=3.*\(2, 5\)"):
        m(ember.ones(2, 5))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x5 "
                                           r"and 3x4\)"):
        F.linear(ember.ones(2, 5), m.weight)
    with pytest.raises(RuntimeError, match="one dtype"):
        m(ember.ones(2, 3, dtype=ember.float64))
    with pytest.raises(TypeError, match="floating-point input"):
        F.linear(ember.ones(2, 3, dtype=ember.int64), m.weight)
    with pytest.raises(RuntimeError, match="bias must have shape"):
        F.linear(ember.ones(2, 3), m.weight, ember.ones(3))


# -- Bilinear ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("lead,bias", [((5,), True), ((2, 3), False), ((1,), True)])
def test_bilinear_matches_torch(device, dtypes, lead, bias):
    em, tm = _pair(nn.Bilinear(3, 4, 5, bias=bias), torch.nn.Bilinear(3, 4, 5, bias=bias),
                   device, dtypes)
    r = _rng(2)
    _run_both(em, tm, [r.standard_normal(lead + (3,)), r.standard_normal(lead + (4,))], device,
              dtypes)


def test_bilinear_gradcheck_and_bad_input(device):
    r = _rng(3)
    args = [ember.tensor(r.standard_normal(s), dtype=ember.float64, device=device,
                         requires_grad=True) for s in ((2, 3), (2, 2), (4, 3, 2), (4,))]
    assert gradcheck(F.bilinear, args)
    m = nn.Bilinear(3, 2, 4)
    with pytest.raises(RuntimeError, match=r"Bilinear\(in1_features=3.*\(2, 3\) and \(2, 5\)"):
        m(ember.ones(2, 3), ember.ones(2, 5))


# -- Embedding ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("padding_idx", [None, 0, -1])
def test_embedding_matches_torch(device, dtypes, padding_idx):
    em, tm = _pair(nn.Embedding(10, 3, padding_idx=padding_idx),
                   torch.nn.Embedding(10, 3, padding_idx=padding_idx), device, dtypes)
    idx = np.array([[1, 9, 0, 1], [1, 1, 4, 9], [0, 0, 0, 2]])  # repeats: the gradient adds up
    _run_both(em, tm, [idx], device, dtypes)


def test_embedding_init_padding_and_pretrained(device):
    ember.manual_seed(0)
    m = nn.Embedding(6, 4, padding_idx=2)
    assert m.weight.detach().numpy()[2].tolist() == [0.0] * 4
    assert np.abs(m.weight.detach().numpy()).max() > 0.1  # N(0, 1) elsewhere
    w = ember.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    pre = nn.Embedding.from_pretrained(w)
    assert not pre.weight.requires_grad
    assert pre(ember.tensor([1, 1, 0], device=device)).tolist() == [[3.0, 4.0], [3.0, 4.0],
                                                                    [1.0, 2.0]]
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    one = pre(ember.tensor(1, device=device))  # a 0-d index gives one row
    assert one.shape == (2,)


def test_embedding_gradcheck(device):
    w = ember.tensor(_rng(4).standard_normal((5, 3)), dtype=ember.float64, device=device,
                     requires_grad=True)
    idx = ember.tensor([[0, 4, 4], [2, 0, 1]], device=device)
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))


def test_embedding_backward_kernel_on_large_repeats(device):
    idx = ember.tensor(_rng(5).randint(0, 7, size=(3, 37)), device=device)
    w = ember.zeros(7, 5, dtype=ember.float64, device=device, requires_grad=True)
    F.embedding(idx, w).sum().backward()
    counts = np.bincount(idx.cpu().numpy().ravel(), minlength=7)
    np.testing.assert_array_equal(w.grad.cpu().numpy(), np.repeat(counts[:, None], 5, axis=1))
    with pytest.raises(IndexError, match="out of range"):
        ember._C.embedding_backward(ember.ones(2, 5)._impl, ember.tensor([0, 9])._impl, 7, -1)


def test_embedding_bad_input():
    m = nn.Embedding(4, 2)
    with pytest.raises(TypeError, match="integer"):
        m(ember.ones(3))
    with pytest.raises(IndexError, match="index 4 is out of range for 4 embeddings"):
        m(ember.tensor([0, 4]))
    with pytest.raises(IndexError, match="index -1"):
        m(ember.tensor([-1]))
    with pytest.raises(AssertionError, match="Padding_idx"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        nn.Embedding(4, 2, sparse=True)(ember.tensor([1]))


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (0.5, 1.0)])
def test_embedding_max_norm_renormalizes_picked_rows_like_torch(device, max_norm, norm_type):
    x = _rng(6).standard_normal((6, 3)) * 2
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    ew = ember.tensor(x, device=device, requires_grad=True)
    tw = torch.tensor(x, requires_grad=True)
    eo = F.embedding(ember.tensor(idx, device=device), ew, max_norm=max_norm, norm_type=norm_type)
    to = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=max_norm,
                                       norm_type=norm_type)
    np.testing.assert_allclose(eo.detach().cpu().numpy(), to.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ew.detach().cpu().numpy(), tw.detach().numpy(), rtol=1e-12)
    eo.sum().backward()
    to.sum().backward()
    np.testing.assert_allclose(ew.grad.cpu().numpy(), tw.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_scale_grad_by_freq_matches_torch(device, padding_idx):
    x = _rng(7).standard_normal((5, 4))
    idx = np.array([[0, 2, 2, 4], [2, 0, 1, 2]])
    g = _rng(8).standard_normal((2, 4, 4))
    ew = ember.tensor(x, device=device, requires_grad=True)
    tw = torch.tensor(x, requires_grad=True)
    F.embedding(ember.tensor(idx, device=device), ew, padding_idx=padding_idx,
                scale_grad_by_freq=True).backward(ember.tensor(g, device=device))
    torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=padding_idx,
                                  scale_grad_by_freq=True).backward(torch.tensor(g))
    np.testing.assert_allclose(ew.grad.cpu().numpy(), tw.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding_double_backward_matches_torch(device, padding_idx):
    x = _rng(9).standard_normal((4, 3))
    idx = np.array([1, 3, 1, 0])
    v = _rng(10).standard_normal((4, 3))
    grads = []
    for lib, mk in ((ember, lambda a, **k: ember.tensor(a, device=device, **k)),
                    (torch, torch.tensor)):
        w = mk(x, requires_grad=True)
        g = mk(np.ones((4, 3)), requires_grad=True)
        fn = F.embedding if lib is ember else torch.nn.functional.embedding
        out = fn(mk(idx), w, padding_idx=padding_idx)
        gw, = lib.autograd.grad(out, w, g, create_graph=True)
        (gw * mk(v)).sum().backward()
        grads.append(np.asarray(g.grad.cpu().numpy() if lib is ember else g.grad.numpy()))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


# -- Dropout -----------------------------------------------------------------------------------

def test_dropout_eval_and_p0_are_identity(device):
    x = ember.randn(4, 5, device=device)
    m = nn.Dropout(0.5).eval()
    assert m(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert F.dropout(x, 0.7, training=False) is x


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_mask_is_bernoulli_and_scaled(device, dtype, p):
    n = 1001
    x = ember.tensor(_rng(6).standard_normal(n) + 3.0, dtype=dtype, device=device,
                     requires_grad=True)
    ember.manual_seed(11)
    keep = ember.empty(n, dtype=dtype, device=device).bernoulli_(1 - p).cpu().numpy()
    ember.manual_seed(11)
    y = F.dropout(x, p)
    xs = x.detach().cpu().numpy()
    expected = xs * (keep / (1 - p)).astype(xs.dtype)
    np.testing.assert_allclose(y.detach().cpu().numpy(), expected, rtol=1e-6)
    g = _rng(8).standard_normal(n)
    y.backward(ember.tensor(g, dtype=dtype, device=device))
    np.testing.assert_allclose(x.grad.cpu().numpy(), g * keep / (1 - p), rtol=1e-6)
    assert abs(keep.mean() - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)


def test_dropout_same_stream_on_every_device(device):
    x = ember.ones(3, 67, device=device)
    ember.manual_seed(5)
    a = F.dropout(x, 0.3).cpu().numpy()
    ember.manual_seed(5)
    b = F.dropout(ember.ones(3, 67), 0.3).numpy()
    assert np.array_equal(a, b)
    c = F.dropout(ember.ones(3, 67), 0.3).numpy()  # the generator moved on
    assert not np.array_equal(b, c)


def test_dropout_p1_and_edge_cases(device):
    x = ember.randn(3, 4, device=device, requires_grad=True)
    y = F.dropout(x, 1.0)
    assert y.cpu().tolist() == [[0.0] * 4] * 3
    y.sum().backward()
    assert x.grad.cpu().tolist() == [[0.0] * 4] * 3
    empty = F.dropout(ember.ones(0, 3, device=device), 0.5)
    assert empty.shape == (0, 3)
    nan = F.dropout(ember.tensor([float("nan")] * 8, device=device), 0.5)
    assert np.isnan(nan.cpu().numpy()).all()  # x * 0 keeps NaN, like PyTorch
    t = ember.ones(2, 8, device=device)
    out = F.dropout(t, 0.5, inplace=True)
    assert out is t and set(np.unique(t.cpu().numpy())) <= {0.0, 2.0}
    nc = ember.ones(6, 4, device=device).t()
    assert F.dropout(nc, 0.5).shape == (4, 6)


def test_dropout_gradcheck_with_fixed_seed(device):
    x = ember.tensor(_rng(9).standard_normal((3, 5)), dtype=ember.float64, device=device,
                     requires_grad=True)

    def fn(x):
        ember.manual_seed(1)  # the same mask at every evaluation
        return F.dropout(x, 0.4)

    assert gradcheck(fn, (x,))


def test_dropout_bad_input():
    for p in (-0.1, 1.5, "a"):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(ember.ones(2), p)
    with pytest.raises(TypeError, match="floating-point"):
        F.dropout(ember.ones(2, dtype=ember.int64), 0.5)


# -- BatchNorm1d -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 1)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False},
                                    {"track_running_stats": False}, {"momentum": 0.5}])
def test_batchnorm1d_matches_torch_over_steps(device, dtypes, shape, kwargs):
    em, tm = _pair(nn.BatchNorm1d(3, **kwargs), torch.nn.BatchNorm1d(3, **kwargs), device,
                   dtypes)
    if em.affine:
        with ember.no_grad(), torch.no_grad():
            tm.weight.copy_(torch.tensor([0.5, -1.0, 2.0]))
            tm.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
            em.weight.copy_(ember.tensor([0.5, -1.0, 2.0], device=device))
            em.bias.copy_(ember.tensor([0.1, 0.2, -0.3], device=device))
    for step in range(3):
        em.zero_grad()
        tm.zero_grad()
        _run_both(em, tm, [_rng(step).standard_normal(shape) * 2 + step], device, dtypes)
    tol = dtypes[2]
    for name, buf in tm.named_buffers():
        _close(em.get_buffer(name), buf, tol, name)
    em.eval()
    tm.eval()
    _run_both(em, tm, [_rng(9).standard_normal(shape)], device, dtypes)


def test_batchnorm1d_buffers_and_state_dict():
    m = nn.BatchNorm1d(4)
    assert [n for n, _ in m.named_buffers()] == ["running_mean", "running_var",
                                                 "num_batches_tracked"]
    assert m.num_batches_tracked.dtype == ember.int64 and m.num_batches_tracked.item() == 0
    m(ember.randn(5, 4))
    m(ember.randn(5, 4))
    assert m.num_batches_tracked.item() == 2
    m.reset_running_stats()
    assert m.running_var.tolist() == [1.0] * 4 and m.num_batches_tracked.item() == 0
    assert list(nn.BatchNorm1d(2, track_running_stats=False).state_dict()) == ["weight", "bias"]


def test_batchnorm_gradcheck(device):
    r = _rng(10)
    x = ember.tensor(r.standard_normal((5, 3, 2)), dtype=ember.float64, device=device,
                     requires_grad=True)
    w = ember.tensor(r.standard_normal(3), dtype=ember.float64, device=device,
                     requires_grad=True)
    b = ember.tensor(r.standard_normal(3), dtype=ember.float64, device=device,
                     requires_grad=True)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     (x, w, b))
    rm = ember.tensor(r.standard_normal(3), dtype=ember.float64, device=device)
    rv = ember.tensor(r.uniform(0.5, 2, 3), dtype=ember.float64, device=device)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b), (x, w, b))


def test_batchnorm_bad_input():
    m = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 2D or 3D input \(got 4D"):
        m(ember.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): expected input with 3 channels.*"
                                         r"\(2, 4\)"):
        m(ember.ones(2, 4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        m(ember.ones(1, 3))
    m.eval()
    assert m(ember.ones(1, 3)).shape == (1, 3)  # eval mode needs no batch statistics


# -- LayerNorm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shape,normalized,kwargs", [
    ((4, 5), 5, {}), ((2, 3, 4), (3, 4), {}), ((3, 7), [7], {"elementwise_affine": False}),
    ((2, 1, 6), (6,), {"bias": False, "eps": 1e-3}), ((5, 1), 1, {})])
def test_layernorm_matches_torch(device, dtypes, shape, normalized, kwargs):
    em, tm = _pair(nn.LayerNorm(normalized, **kwargs), torch.nn.LayerNorm(normalized, **kwargs),
                   device, dtypes)
    if em.weight is not None:
        with ember.no_grad(), torch.no_grad():
            w = _rng(3).standard_normal(tuple(tm.weight.shape))
            tm.weight.copy_(torch.tensor(w))
            em.weight.copy_(ember.tensor(w, dtype=em.weight.dtype, device=device))
    if math.prod(em.normalized_shape) == 1:
        # x - mean is exactly 0 here; torch's float32 rounding of it (~1e-7), times
        # 1/sqrt(eps) ~ 316, is what differs
        dtypes = dtypes[:2] + (max(dtypes[2], 1e-4),)
    _run_both(em, tm, [_rng(4).standard_normal(shape) * 3 + 1], device, dtypes)


def test_layernorm_gradcheck_and_bad_input(device):
    r = _rng(12)
    x, w, b = (ember.tensor(r.standard_normal(s), dtype=ember.float64, device=device,
                            requires_grad=True) for s in ((3, 2, 4), (2, 4), (2, 4)))
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (2, 4), w, b), (x, w, b))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                                           r"shape \[\*, 4\], but got input of size \[2, 3\]"):
        nn.LayerNorm(4)(ember.ones(2, 3))


# -- Flatten, Unflatten, Identity --------------------------------------------------------------

def test_flatten_unflatten_identity(device):
    x = ember.randn(2, 3, 4, 5, device=device, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 1))(ember.ones(2, 3, device=device)).shape == (2, 3, 1)
    assert nn.Unflatten(-1, [2, 2])(ember.ones(5, 4)).shape == (5, 2, 2)
    assert nn.Identity(54, unused=True)(x) is x
    nn.Flatten()(x).sum().backward()
    assert x.grad.shape == x.shape
    with pytest.raises(TypeError, match="unflattened_size"):
        nn.Unflatten(1, 5)


# -- the functional forms against torch.nn.functional ------------------------------------------

def test_functional_forms_match_torch(device):
    r = _rng(13)
    x, w, b = r.standard_normal((4, 3)), r.standard_normal((2, 3)), r.standard_normal(2)
    e = lambda a: ember.tensor(a, device=device)  # noqa: E731
    tf = torch.nn.functional
    _close(F.linear(e(x), e(w), e(b)), tf.linear(*map(torch.tensor, (x, w, b))), 1e-12)
    w3 = r.standard_normal((2, 3, 3))
    _close(F.bilinear(e(x), e(x), e(w3)), tf.bilinear(*map(torch.tensor, (x, x, w3))), 1e-12)
    idx = np.array([2, 0, 2])
    _close(F.embedding(e(idx), e(x)), tf.embedding(torch.tensor(idx), torch.tensor(x)), 0)
    _close(F.layer_norm(e(x), (3,)), tf.layer_norm(torch.tensor(x), (3,)), 1e-12)
    rm, rv = r.standard_normal(3), r.uniform(0.5, 2, 3)
    _close(F.batch_norm(e(x), e(rm), e(rv)),
           tf.batch_norm(torch.tensor(x), torch.tensor(rm), torch.tensor(rv)), 1e-12)


@pytest.mark.parametrize("which", ["batch_norm_train", "batch_norm_eval", "layer_norm"])
def test_norm_double_backward_matches_torch(which):
    """create_graph through the fused kernels' Functions: the gradient of a gradient."""
    r = _rng(14)
    x, w, b = r.standard_normal((4, 3)), r.standard_normal(3), r.standard_normal(3)
    rm, rv = r.standard_normal(3), r.uniform(0.5, 2, 3)
    results = []
    for lib, fn_mod in ((ember, F), (torch, torch.nn.functional)):
        xt, wt, bt = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        if which == "layer_norm":
            y = fn_mod.layer_norm(xt, (3,), wt, bt)
        else:
            y = fn_mod.batch_norm(xt, lib.tensor(rm), lib.tensor(rv), wt, bt,
                                  training=which == "batch_norm_train")
        gx, = (ember.autograd.grad if lib is ember else torch.autograd.grad)(
            (y * y).sum(), xt, create_graph=True)
        (gx * gx).sum().backward()
        results.append([t.grad.detach().numpy() for t in (xt, wt, bt)])
    for e, t in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-12)
