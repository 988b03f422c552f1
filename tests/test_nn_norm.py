"""BatchNorm2d/3d, GroupNorm and InstanceNorm1d/2d/3d against PyTorch from identical weights and
inputs (outputs, running statistics, input and parameter gradients, train and eval, float32 and
float64), gradcheck, the GroupNorm kernel on non-contiguous input, and bad input."""
import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import gradcheck
from ember.nn import functional as F

torch = pytest.importorskip("torch")

DTYPES = [(ember.float32, torch.float32, 3e-5), (ember.float64, torch.float64, 1e-11)]
DTYPE_IDS = ["float32", "float64"]


def _rng(seed=0):
    return np.random.RandomState(seed)


def _close(e, t, tol, what=""):
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=tol,
                               atol=tol, err_msg=what)


def _pair(e_mod, t_mod, device, dtypes, seed=3):
    """Random affine parameters (when the modules have them) copied into both; the ember
    module on device in the dtype."""
    e_dtype, t_dtype, _ = dtypes
    t_mod.to(t_dtype)
    r = _rng(seed)
    with torch.no_grad():
        for p in t_mod.parameters():
            p.copy_(torch.tensor(r.uniform(-1.5, 1.5, tuple(p.shape))))
    e_mod.to(e_dtype)
    e_mod.load_state_dict({k: v.detach().numpy() for k, v in t_mod.state_dict().items()})
    return e_mod.to(device), t_mod


def _step(e_mod, t_mod, x, device, dtypes, seed=7):
    """One forward and backward of both on x; compares the output and all gradients."""
    e_dtype, t_dtype, tol = dtypes
    ex = ember.tensor(x, dtype=e_dtype, device=device, requires_grad=True)
    tx = torch.tensor(x, dtype=t_dtype, requires_grad=True)
    e_out, t_out = e_mod(ex), t_mod(tx)
    assert tuple(e_out.shape) == tuple(t_out.shape) and e_out.dtype == e_dtype
    _close(e_out, t_out, tol, "output")
    g = _rng(seed).standard_normal(tuple(t_out.shape))
    e_out.backward(ember.tensor(g, dtype=e_dtype, device=device))
    t_out.backward(torch.tensor(g, dtype=t_dtype))
    _close(ex.grad, tx.grad, tol * 10, "input grad")
    t_params = dict(t_mod.named_parameters())
    for name, p in e_mod.named_parameters():
        _close(p.grad, t_params[name].grad, tol * 10, name)
    e_mod.zero_grad()
    t_mod.zero_grad()


def _buffers_close(e_mod, t_mod, tol):
    for name, buf in t_mod.named_buffers():
        got = e_mod.get_buffer(name)
        if buf.is_floating_point():
            _close(got, buf, tol, name)
        else:
            assert got.item() == buf.item(), name


# -- BatchNorm2d / BatchNorm3d -------------------------------------------------------------------

BN_KWARGS = [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False},
             {"momentum": 0.7, "eps": 1e-3}]


@pytest.mark.parametrize("dtypes", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("kind,shape", [(2, (3, 5, 4, 3)), (2, (1, 5, 2, 1)), (2, (2, 5, 1, 1)),
                                        (3, (2, 5, 3, 2, 2)), (3, (1, 5, 1, 3, 1))])
@pytest.mark.parametrize("kwargs", BN_KWARGS)
def test_batchnorm_nd_matches_torch_train_then_eval(device, dtypes, kind, shape, kwargs):
    e_cls, t_cls = (nn.BatchNorm2d, torch.nn.BatchNorm2d) if kind == 2 else \
        (nn.BatchNorm3d, torch.nn.BatchNorm3d)
    em, tm = _pair(e_cls(5, **kwargs), t_cls(5, **kwargs), device, dtypes)
    for step in range(3):
        _step(em, tm, _rng(step).standard_normal(shape) * 3 + step, device, dtypes)
    _buffers_close(em, tm, dtypes[2])
    em.eval()
    tm.eval()
    _step(em, tm, _rng(9).standard_normal(shape), device, dtypes)
    _buffers_close(em, tm, dtypes[2])


def test_batchnorm_nd_state_dict_and_repr():
    m, t = nn.BatchNorm2d(6, momentum=None), torch.nn.BatchNorm2d(6, momentum=None)
    assert list(m.state_dict()) == list(t.state_dict())
    assert repr(m) == repr(t)
    m3, t3 = nn.BatchNorm3d(4, affine=False, track_running_stats=False), \
        torch.nn.BatchNorm3d(4, affine=False, track_running_stats=False)
    assert list(m3.state_dict()) == list(t3.state_dict()) == []
    assert repr(m3) == repr(t3)
    m(ember.randn(2, 6, 3, 3))
    assert m.num_batches_tracked.item() == 1


def test_batchnorm_nd_bad_input():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4D input \(got 3D"):
        nn.BatchNorm2d(3)(ember.ones(2, 3, 4))
    with pytest.raises(ValueError, match=r"BatchNorm3d: expected 5D input \(got 4D"):
        nn.BatchNorm3d(3)(ember.ones(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): expected input with 3 channels"):
        nn.BatchNorm2d(3)(ember.ones(2, 4, 2, 2))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm2d(3)(ember.ones(1, 3, 1, 1))


# -- GroupNorm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtypes", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("groups,channels,shape", [
    (1, 6, (2, 6)), (3, 6, (2, 6, 5)), (6, 6, (1, 6, 3, 3)), (2, 14, (3, 14, 7, 1)),
    (7, 7, (1, 7, 2, 3, 2)), (5, 35, (2, 35, 9)), (1, 1, (4, 1, 3))])
@pytest.mark.parametrize("affine", [True, False])
def test_groupnorm_matches_torch(device, dtypes, groups, channels, shape, affine):
    em, tm = _pair(nn.GroupNorm(groups, channels, affine=affine),
                   torch.nn.GroupNorm(groups, channels, affine=affine), device, dtypes)
    _step(em, tm, _rng(1).standard_normal(shape) * 4 + 2, device, dtypes)
    em.eval()
    tm.eval()
    _step(em, tm, _rng(2).standard_normal(shape), device, dtypes)


@pytest.mark.parametrize("dtypes", DTYPES, ids=DTYPE_IDS)
def test_groupnorm_every_cpu_instruction_set(capability, dtypes):
    """Each compiled variant of cpu/group_norm.simd.cc, on sizes that leave lane remainders."""
    em, tm = _pair(nn.GroupNorm(3, 9), torch.nn.GroupNorm(3, 9), "cpu", dtypes)
    _step(em, tm, _rng(8).standard_normal((2, 9, 5, 7)) * 3 - 1, "cpu", dtypes)


@pytest.mark.parametrize("dtypes", DTYPES, ids=DTYPE_IDS)
def test_group_norm_functional_weight_or_bias_alone_and_noncontiguous(device, dtypes):
    e_dtype, t_dtype, tol = dtypes
    r = _rng(4)
    x = r.standard_normal((3, 6, 4, 5))
    w, b = r.standard_normal(6), r.standard_normal(6)
    # A transposed (non-contiguous) view of the input.
    ex = ember.tensor(x, dtype=e_dtype, device=device).transpose(2, 3)
    tx = torch.tensor(x, dtype=t_dtype).transpose(2, 3)
    for ew, tw, eb, tb in [(ember.tensor(w, dtype=e_dtype, device=device),
                            torch.tensor(w, dtype=t_dtype), None, None),
                           (None, None, ember.tensor(b, dtype=e_dtype, device=device),
                            torch.tensor(b, dtype=t_dtype))]:
        _close(F.group_norm(ex, 3, ew, eb, eps=1e-3),
               torch.nn.functional.group_norm(tx, 3, tw, tb, eps=1e-3), tol)


def test_group_norm_gradcheck_and_double_backward(device):
    r = _rng(5)
    kw = {"dtype": ember.float64, "device": device, "requires_grad": True}
    x = ember.tensor(r.standard_normal((2, 6, 3)), **kw)
    w = ember.tensor(r.standard_normal(6), **kw)
    b = ember.tensor(r.standard_normal(6), **kw)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 3, w, b), (x, w, b))
    assert gradcheck(lambda x: F.group_norm(x, 2), (x,))
    # The gradient's own gradient (create_graph) against torch.
    tx = torch.tensor(x.detach().cpu().numpy(), requires_grad=True)
    tw = torch.tensor(w.detach().cpu().numpy(), requires_grad=True)
    (gx,) = ember.autograd.grad(F.group_norm(x, 3, w).pow(2).sum(), [x], create_graph=True)
    (tgx,) = torch.autograd.grad(torch.nn.functional.group_norm(tx, 3, tw).pow(2).sum(), [tx],
                                 create_graph=True)
    _close(gx, tgx, 1e-10)
    gx.sum().backward()
    tgx.sum().backward()
    _close(x.grad, tx.grad, 1e-9)
    _close(w.grad, tw.grad, 1e-9)


def test_group_norm_empty_batch(device):
    x = ember.zeros(0, 4, 3, device=device, requires_grad=True)
    m = nn.GroupNorm(2, 4).to(device)
    y = m(x)
    assert tuple(y.shape) == (0, 4, 3)
    y.sum().backward()
    assert m.weight.grad.tolist() == [0.0] * 4 and tuple(x.grad.shape) == (0, 4, 3)


def test_groupnorm_repr_and_state_dict():
    m, t = nn.GroupNorm(3, 6, eps=1e-3), torch.nn.GroupNorm(3, 6, eps=1e-3)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    assert list(nn.GroupNorm(2, 4, affine=False).state_dict()) == []
    m, t = nn.GroupNorm(2, 4, bias=False), torch.nn.GroupNorm(2, 4, bias=False)
    assert repr(m) == repr(t) and list(m.state_dict()) == list(t.state_dict()) == ["weight"]


def test_groupnorm_bad_input():
    with pytest.raises(ValueError,
                       match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
        nn.GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match=r"divisible by num_groups.*\[2, 5, 3\].*num_groups=2"):
        F.group_norm(ember.ones(2, 5, 3), 2)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.group_norm(ember.ones(6), 2)
    with pytest.raises(RuntimeError, match=r"weight.*size equal to the number of channels"):
        F.group_norm(ember.ones(2, 4, 3), 2, ember.ones(3))
    with pytest.raises(RuntimeError, match=r"weight.*dtype and device"):
        F.group_norm(ember.ones(2, 4, 3), 2, ember.ones(4, dtype=ember.float64))
    with pytest.raises(TypeError, match="floating-point"):
        F.group_norm(ember.ones(2, 4, 3, dtype=ember.int64), 2)
    with pytest.raises(ValueError, match=r"group_norm: num_groups=3 must .* divide the 4 "):
        ember._C.group_norm(ember.ones(2, 4)._impl, None, None, 3, 1e-5)


# -- InstanceNorm1d / 2d / 3d ------------------------------------------------------------------

IN_KWARGS = [{}, {"affine": True}, {"track_running_stats": True},
             {"affine": True, "track_running_stats": True, "momentum": 0.3},
             {"track_running_stats": True, "momentum": None}]


@pytest.mark.parametrize("dtypes", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("kind,shape", [(1, (3, 5, 4)), (1, (5, 7)), (2, (2, 5, 3, 2)),
                                        (2, (5, 1, 3)), (3, (1, 5, 2, 2, 3))])
@pytest.mark.parametrize("kwargs", IN_KWARGS)
def test_instancenorm_matches_torch_train_then_eval(device, dtypes, kind, shape, kwargs):
    e_cls = {1: nn.InstanceNorm1d, 2: nn.InstanceNorm2d, 3: nn.InstanceNorm3d}[kind]
    t_cls = {1: torch.nn.InstanceNorm1d, 2: torch.nn.InstanceNorm2d,
             3: torch.nn.InstanceNorm3d}[kind]
    em, tm = _pair(e_cls(5, **kwargs), t_cls(5, **kwargs), device, dtypes)
    for step in range(2):
        _step(em, tm, _rng(step).standard_normal(shape) * 2 - step, device, dtypes)
    _buffers_close(em, tm, dtypes[2])
    em.eval()
    tm.eval()
    _step(em, tm, _rng(9).standard_normal(shape), device, dtypes)
    _buffers_close(em, tm, dtypes[2])


def test_instance_norm_gradcheck(device):
    r = _rng(6)
    kw = {"dtype": ember.float64, "device": device, "requires_grad": True}
    x = ember.tensor(r.standard_normal((2, 3, 4)), **kw)
    w = ember.tensor(r.standard_normal(3), **kw)
    b = ember.tensor(r.standard_normal(3), **kw)
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b))


def test_instancenorm_repr_state_dict_and_bad_input():
    m, t = nn.InstanceNorm2d(4, affine=True), torch.nn.InstanceNorm2d(4, affine=True)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    tr, ttr = nn.InstanceNorm1d(3, track_running_stats=True), \
        torch.nn.InstanceNorm1d(3, track_running_stats=True)
    assert list(tr.state_dict()) == list(ttr.state_dict()) and repr(tr) == repr(ttr)
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3D or 4D input \(got 2D"):
        m(ember.ones(4, 3))
    with pytest.raises(ValueError, match=r"size at dim=1 to match num_features \(4\), but got: 3"):
        m(ember.ones(2, 3, 2, 2))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(4)(ember.randn(2, 3, 5))
    with pytest.raises(ValueError, match="Expected more than 1 spatial element"):
        nn.InstanceNorm1d(3)(ember.ones(2, 3, 1))
