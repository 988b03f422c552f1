"""ember.nn.Module and the containers: registration, traversal, state_dict names and loading,
printed form, modes, device/dtype moves, hooks; compared with PyTorch's where it has them."""
import copy
import math
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn

torch = pytest.importorskip("torch")


def _archs(lib):
    """The same architecture built from ember.nn or torch.nn."""
    n = lib.nn

    class Net(n.Module):
        def __init__(self):
            super().__init__()
            self.emb = n.Embedding(7, 4, padding_idx=0)
            self.body = n.Sequential(n.Linear(4, 5), n.BatchNorm1d(5), n.Dropout(0.25),
                                     n.Linear(5, 3, bias=False))
            self.heads = n.ModuleList([n.Linear(3, 2), n.Linear(3, 2)])
            self.norms = n.ModuleDict({"ln": n.LayerNorm((3,)), "flat": n.Flatten()})
            self.scale = n.Parameter(lib.ones(1))
            self.register_buffer("steps", lib.zeros(2))
            self.register_buffer("scratch", lib.zeros(1), persistent=False)

        def forward(self, idx):
            h = self.body(self.emb(idx).sum(1)) * self.scale
            h = self.norms["ln"](h)
            return self.heads[0](h) + self.heads[1](h)

    return Net


def _torch_to_ember(tm, em):
    em.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})


# -- Parameter ---------------------------------------------------------------------------------

def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(ember.ones(2, 3))
    assert isinstance(p, ember.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.shape == (2, 3)
    assert not nn.Parameter(ember.ones(2), requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert repr(nn.Parameter(ember.tensor([1.5]))) == \
        "Parameter containing:\ntensor([1.5000], requires_grad=True)"
    with pytest.raises(TypeError, match="Parameter"):
        nn.Parameter([1.0, 2.0])


def test_parameter_shares_memory_and_survives_copy_and_pickle():
    t = ember.zeros(3)
    p = nn.Parameter(t)
    t.fill_(2.0)
    assert p.tolist() == [2.0, 2.0, 2.0]
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == [2.0] * 3
    p.data = ember.ones(4)
    assert p.shape == (4,) and type(p) is nn.Parameter


# -- registration ------------------------------------------------------------------------------

def test_setattr_registers_parameters_modules_and_buffers():
    m = nn.Module()
    m.w = nn.Parameter(ember.ones(2))
    m.child = nn.Linear(2, 3)
    m.register_buffer("buf", ember.zeros(2))
    m.plain = ember.zeros(1)  # a plain tensor attribute is not state
    assert list(m._parameters) == ["w"] and list(m._modules) == ["child"]
    assert list(m._buffers) == ["buf"]
    assert [n for n, _ in m.named_parameters()] == ["w", "child.weight", "child.bias"]
    assert list(m.state_dict()) == ["w", "buf", "child.weight", "child.bias"]
    m.buf = ember.ones(2)  # reassigning a buffer keeps it a buffer
    assert m.buf.tolist() == [1.0, 1.0] and "buf" in m._buffers
    del m.w, m.child, m.buf
    assert not m._parameters and not m._modules and not m._buffers
    m.child = None
    assert "child" not in m._modules


def test_registration_errors_match_pytorch():
    m = nn.Linear(2, 3)
    with pytest.raises(TypeError, match=r"cannot assign 'Tensor' as parameter 'weight'"):
        m.weight = ember.ones(3, 2)
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        m.register_buffer("weight", ember.ones(1))
    with pytest.raises(KeyError, match=r'contain "\."'):
        m.register_buffer("a.b", ember.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'list' object to buffer 'x'"):
        m.register_buffer("x", [1])
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        m.nope
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        m.register_parameter("y", _non_leaf_param(x))

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def _non_leaf_param(x):
    p = nn.Parameter(x.detach())
    p.grad_fn = (x * 2).grad_fn  # a Parameter that is the result of an op
    return p


def test_traversal_deduplicates_shared_modules_and_parameters():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.Linear(2, 2), shared)
    assert len(list(seq.parameters())) == 4
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 6
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in seq.named_children()] == ["0", "1"]
    assert len(list(seq.parameters(recurse=False))) == 0
    assert [n for n, _ in seq.named_parameters(prefix="model")][0] == "model.0.weight"


def test_get_submodule_parameter_buffer():
    net = _archs(ember)()
    assert net.get_submodule("body.1") is net.body[1]
    assert net.get_parameter("heads.1.bias") is net.heads[1].bias
    assert net.get_buffer("body.1.running_var") is net.body[1].running_var
    assert net.get_submodule("") is net
    with pytest.raises(AttributeError, match="Sequential has no attribute `9`"):
        net.get_submodule("body.9")
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        net.get_submodule("body.0.weight.x")
    with pytest.raises(AttributeError, match="`running_mean` is not an nn.Parameter"):
        net.get_parameter("body.1.running_mean")


# -- state_dict --------------------------------------------------------------------------------

def test_state_dict_keys_and_order_match_pytorch():
    em, tm = _archs(ember)(), _archs(torch)()
    esd, tsd = em.state_dict(), tm.state_dict()
    assert isinstance(esd, OrderedDict)
    assert list(esd) == list(tsd)
    for k in tsd:
        assert tuple(esd[k].shape) == tuple(tsd[k].shape), k
        assert not esd[k].requires_grad and esd[k].grad_fn is None
    assert "scratch" not in esd
    kv = em.state_dict(keep_vars=True)
    assert kv["scale"] is em.scale
    # detached but sharing memory, like PyTorch
    esd["scale"].fill_(3.0)
    assert em.scale.item() == 3.0


def test_torch_state_dict_loads_and_gives_the_same_outputs():
    torch.manual_seed(0)
    em, tm = _archs(ember)(), _archs(torch)()
    tm.train()
    idx = torch.tensor([[1, 2, 0], [3, 6, 5], [0, 0, 4], [2, 2, 2]])
    tm(idx)  # move the running statistics away from their initial values
    tm.eval()
    em.eval()
    result = em.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                                 for k, v in tm.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    out = em(ember.from_numpy(idx.numpy().copy()))
    np.testing.assert_allclose(out.detach().numpy(), tm(idx).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    assert em.body[1].num_batches_tracked.item() == 1


def test_load_state_dict_errors_match_pytorch():
    em, tm = _archs(ember)(), _archs(torch)()
    tsd = {k: v.numpy() for k, v in tm.state_dict().items()}
    del tsd["heads.0.bias"], tsd["scale"]
    tsd["extra"] = np.zeros(1, np.float32)
    tsd["body.0.surplus"] = np.zeros(1, np.float32)
    with pytest.raises(RuntimeError) as e_err:
        em.load_state_dict(tsd)
    with pytest.raises(RuntimeError) as t_err:
        tm.load_state_dict({k: torch.from_numpy(v) for k, v in tsd.items()})
    assert str(e_err.value) == str(t_err.value)
    assert str(e_err.value).startswith("Error(s) in loading state_dict for Net:\n\t"
                                       'Missing key(s) in state_dict: "scale", "heads.0.bias". ')
    missing, unexpected = em.load_state_dict(tsd, strict=False)
    t_missing, t_unexpected = tm.load_state_dict({k: torch.from_numpy(v) for k, v in tsd.items()},
                                                 strict=False)
    assert (missing, unexpected) == (t_missing, t_unexpected)
    assert missing == ["scale", "heads.0.bias"] and unexpected == ["extra", "body.0.surplus"]

    bad = {k: v.numpy() for k, v in tm.state_dict().items()}
    bad["body.0.weight"] = np.zeros((5, 5), np.float32)
    with pytest.raises(RuntimeError) as e_err:
        em.load_state_dict(bad)
    with pytest.raises(RuntimeError) as t_err:
        tm.load_state_dict({k: torch.from_numpy(v) for k, v in bad.items()})
    assert str(e_err.value).replace("ember.", "torch.") == str(t_err.value)
    assert "size mismatch for body.0.weight" in str(e_err.value)
    with pytest.raises(TypeError, match="dict-like"):
        em.load_state_dict([1, 2])


def test_load_state_dict_strict_false_reports_keys():
    m = nn.Linear(2, 3)
    res = m.load_state_dict({"weight": np.ones((3, 2), np.float32), "zzz": np.ones(1)},
                            strict=False)
    t = torch.nn.Linear(2, 3).load_state_dict({"weight": torch.ones(3, 2),
                                               "zzz": torch.ones(1)}, strict=False)
    assert res.missing_keys == t.missing_keys == ["bias"]
    assert res.unexpected_keys == t.unexpected_keys == ["zzz"]
    assert m.weight.tolist() == [[1.0, 1.0]] * 3


def test_load_state_dict_assign_replaces_tensors():
    m = nn.Linear(2, 1)
    w = ember.full((1, 2), 5.0)
    m.load_state_dict({"weight": w, "bias": ember.zeros(1)}, assign=True)
    assert type(m.weight) is nn.Parameter and m.weight.requires_grad
    w.fill_(7.0)
    assert m.weight.tolist() == [[7.0, 7.0]]


# -- printed form ------------------------------------------------------------------------------

def test_repr_matches_pytorch():
    em, tm = _archs(ember)(), _archs(torch)()
    assert repr(em) == repr(tm)
    for e, t in ((nn.Linear(3, 4, bias=False), torch.nn.Linear(3, 4, bias=False)),
                 (nn.Bilinear(2, 3, 4), torch.nn.Bilinear(2, 3, 4)),
                 (nn.BatchNorm1d(3, momentum=None, affine=False),
                  torch.nn.BatchNorm1d(3, momentum=None, affine=False)),
                 (nn.LayerNorm([2, 3], elementwise_affine=False),
                  torch.nn.LayerNorm([2, 3], elementwise_affine=False)),
                 (nn.Embedding(5, 2, padding_idx=-1), torch.nn.Embedding(5, 2, padding_idx=-1)),
                 (nn.Dropout(0.3, inplace=True), torch.nn.Dropout(0.3, inplace=True)),
                 (nn.Unflatten(1, (2, 5)), torch.nn.Unflatten(1, (2, 5))),
                 (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
                 (nn.Identity(3), torch.nn.Identity(3)),
                 (nn.ModuleList([nn.Linear(2, 2)] * 3 + [nn.Flatten()]),
                  torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3 + [torch.nn.Flatten()])),
                 (nn.ModuleList(), torch.nn.ModuleList()),
                 (nn.Sequential(), torch.nn.Sequential())):
        assert repr(e) == repr(t)


# -- modes, grads, moves -----------------------------------------------------------------------

def test_train_eval_propagate():
    net = _archs(ember)()
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")


def test_zero_grad_and_requires_grad():
    m = nn.Linear(3, 2)
    m(ember.ones(4, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m.weight.grad.tolist() == [[0.0] * 3] * 2
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_to_double_is_in_place_and_casts_grads(device):
    net = _archs(ember)()
    params = list(net.parameters())
    net.scale.grad = ember.ones(1)
    assert net.double() is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(p.dtype == ember.float64 for p in net.parameters())
    assert net.scale.grad.dtype == ember.float64
    assert net.body[1].running_mean.dtype == ember.float64
    assert net.body[1].num_batches_tracked.dtype == ember.int64  # integers keep their dtype
    net.to(device, ember.float32)
    assert all(p.device == ember.device(device) and p.dtype == ember.float32
               for p in net.parameters())
    assert net.body[1].running_var.device == ember.device(device)
    assert net.scale.grad.device == ember.device(device)
    net.cpu()
    assert net.scale.device.type == "cpu"
    with pytest.raises(TypeError, match="floating point"):
        net.to(ember.int64)


def test_apply_and_modules_order():
    seen = []
    net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Flatten()))
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Flatten", "Sequential", "Sequential"]


def test_forward_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = m(ember.ones(3, 2))
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(m.bias.detach().numpy() + 1,
                                                                     (3, 2)), rtol=1e-6)
    assert calls == [(3, 2)]
    h1.remove()
    h2.remove()
    assert m._forward_pre_hooks == {} and m._forward_hooks == {}
    with m.register_forward_pre_hook(lambda mod, args, kw: ((args[0] * 2,), kw),
                                     with_kwargs=True):
        np.testing.assert_allclose(m(ember.ones(1, 2)).detach().numpy(),
                                   m.forward(ember.full((1, 2), 2.0)).detach().numpy())
    assert m._forward_pre_hooks == {}


def test_missing_forward_raises():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required '
                                                  r'"forward" function'):
        nn.Module()(ember.ones(1))


def test_deepcopy_and_pickle_module():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert repr(clone) == repr(net)
        for (ka, a), (kb, b) in zip(net.state_dict().items(), clone.state_dict().items()):
            assert ka == kb and np.array_equal(a.numpy(), b.numpy())
        assert clone[0].weight is not net[0].weight
        assert type(clone[0].weight) is nn.Parameter


# -- containers --------------------------------------------------------------------------------

def test_sequential_indexing_and_editing():
    a, b, c = nn.Linear(2, 3), nn.Linear(3, 3), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert list(sub._modules) == ["1", "2"]  # PyTorch keeps the original names in a slice
    with pytest.raises(IndexError):
        seq[3]
    seq.append(nn.Flatten(0))
    assert len(seq) == 4 and list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and seq[1] is c
    seq[0] = nn.Identity()
    assert isinstance(seq[0], nn.Identity)
    named = nn.Sequential(OrderedDict([("enc", a), ("dec", b)]))
    assert [n for n, _ in named.named_children()] == ["enc", "dec"] and named.enc is a
    x = ember.ones(4, 2)
    np.testing.assert_allclose(named(x).detach().numpy(), b(a(x)).detach().numpy())


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    ml.append(nn.Flatten())
    ml += [nn.Identity()]
    assert len(ml) == 5 and isinstance(ml[-1], nn.Identity)
    assert [n for n, _ in ml.named_parameters()][:2] == ["0.weight", "0.bias"]
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    ml.insert(0, nn.Identity())
    assert isinstance(ml[0], nn.Identity) and len(ml) == 6
    md = nn.ModuleDict({"b": nn.Linear(1, 2), "a": nn.Linear(2, 1)})
    assert list(md.keys()) == ["b", "a"] and "a" in md and len(md) == 2
    assert [n for n, _ in md.named_parameters()] == ["b.weight", "b.bias", "a.weight", "a.bias"]
    md.pop("b")
    assert list(md) == ["a"]


def test_parameter_list_and_dict_names_match_pytorch():
    pl = nn.ParameterList([nn.Parameter(ember.ones(2)), ember.zeros(3)])
    tpl = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)), torch.zeros(3)])
    assert list(pl.state_dict()) == list(tpl.state_dict()) == ["0", "1"]
    assert all(type(p) is nn.Parameter for p in pl) and len(pl) == 2
    pd = nn.ParameterDict({"x": ember.ones(1), "y": nn.Parameter(ember.ones(2))})
    tpd = torch.nn.ParameterDict({"x": torch.ones(1), "y": torch.nn.Parameter(torch.ones(2))})
    assert list(pd.state_dict()) == list(tpd.state_dict()) == ["x", "y"]
    assert pd["y"].shape == (2,) and list(pd.keys()) == ["x", "y"]


# -- the 2-2-2 worked example ------------------------------------------------------------------

def test_two_two_two_sigmoid_network_worked_example():
    """Inputs 0.1, 0.2; hidden unit 1: w1 = 0.27, w3 = 0.57, b1 = 0.4 -> pre-activation 0.541,
    activation 0.632; outputs 0.735 and 0.455 against targets 0.5 give half-squared errors
    0.0276 and 0.001, total 0.0286, and dE/do = o - t."""
    hidden, output = nn.Linear(2, 2).double(), nn.Linear(2, 2).double()
    hidden.load_state_dict({"weight": np.array([[0.27, 0.57], [0.2, 0.3]]),
                            "bias": np.array([0.4, 0.4])})
    output.load_state_dict({"weight": np.array([[0.4, 0.45], [-0.3, 0.1]]),
                            "bias": np.array([0.4893, -0.0526])})
    x = ember.tensor([[0.1, 0.2]], dtype=ember.float64)
    pre = hidden(x)
    h = ember.sigmoid(pre)
    o = ember.sigmoid(output(h))
    o.retain_grad()
    t = ember.tensor([[0.5, 0.5]], dtype=ember.float64)
    errors = 0.5 * (o - t) ** 2
    total = errors.sum()
    total.backward()
    assert pre[0, 0].item() == pytest.approx(0.541, abs=1e-12)
    assert h[0, 0].item() == pytest.approx(0.632, abs=5e-4)
    assert o.detach().numpy()[0] == pytest.approx([0.735, 0.455], abs=5e-4)
    assert errors.detach().numpy()[0] == pytest.approx([0.0276, 0.001], abs=5e-5)
    assert total.item() == pytest.approx(0.0286, abs=5e-5)
    np.testing.assert_allclose(o.grad.numpy(), (o - t).detach().numpy(), rtol=1e-12)
    assert math.isclose(hidden.weight.grad.numpy()[0, 0],
                        _hidden_w1_grad(o, h, output), rel_tol=1e-9)


def _hidden_w1_grad(o, h, output):
    """dE/dw1 by the chain rule written out: sum_k (o_k - t_k) o_k (1 - o_k) W2[k, 0]
    * h_0 (1 - h_0) * x_0."""
    o, h = o.detach().numpy()[0], h.detach().numpy()[0]
    w2 = output.weight.detach().numpy()
    delta = (o - 0.5) * o * (1 - o)
    return float((delta @ w2[:, 0]) * h[0] * (1 - h[0]) * 0.1)
