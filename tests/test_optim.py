"""ember.optim against torch.optim: the same parameters and gradients give the same parameters
and state, for every optimizer and option, on every device; plus state_dicts, closures, LBFGS and
bad hyper-parameters."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

SHAPES = [(1,), (7,), (3, 5), ()]
STEPS = 10

# (optimizer, options): every option of each rule appears at least once.
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True, eps=1e-3)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.1)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(centered=True)),
    ("RMSprop", dict(momentum=0.9, alpha=0.9)),
    ("RMSprop", dict(centered=True, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr_decay=0.1, initial_accumulator_value=0.5, weight_decay=0.1,
                     maximize=True, eps=1e-6)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, weight_decay=0.1, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, t0=3, lambd=0.01, alpha=0.5, weight_decay=0.1, maximize=True)),
]
CASE_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
            for name, kw in CASES]
TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-11, atol=1e-13)}


def initial_values(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]


def gradients(step, dtype, seed=1):
    rng = np.random.default_rng(seed * 1000 + step)
    return [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]


def ember_params(values, device):
    return [ember.tensor(v, device=device, requires_grad=True) for v in values]


def torch_params(values):
    return [torch.tensor(v, requires_grad=True) for v in values]


def feed(ember_ps, torch_ps, grads, device):
    for ep, tp, g in zip(ember_ps, torch_ps, grads):
        ep.grad = ember.tensor(g, device=device)
        tp.grad = torch.tensor(g)


def assert_close(ember_value, torch_value, dtype, what):
    if isinstance(torch_value, torch.Tensor):
        expected = torch_value.detach().numpy()
        got = ember_value.detach().numpy()
        assert got.shape == expected.shape, what
        assert got.dtype == expected.dtype, what
        np.testing.assert_allclose(got, expected, err_msg=what, **TOLERANCE[dtype])
    else:
        assert ember_value == pytest.approx(torch_value), what


def assert_same_state(ember_opt, torch_opt, ember_ps, torch_ps, dtype):
    for i, (ep, tp) in enumerate(zip(ember_ps, torch_ps)):
        assert_close(ep, tp, dtype, f"parameter {i}")
        torch_state, ember_state = torch_opt.state[tp], ember_opt.state[ep]
        assert sorted(ember_state) == sorted(torch_state), f"state keys of parameter {i}"
        for key, value in torch_state.items():
            assert_close(ember_state[key], value, dtype, f"state {key!r} of parameter {i}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=CASE_IDS)
def test_matches_torch(name, kwargs, dtype, device):
    values = initial_values(dtype)
    ember_ps, torch_ps = ember_params(values, device), torch_params(values)
    ember_opt = getattr(ember.optim, name)(ember_ps, **kwargs)
    torch_opt = getattr(torch.optim, name)(torch_ps, **kwargs)
    for step in range(STEPS):
        feed(ember_ps, torch_ps, gradients(step, dtype), device)
        ember_opt.step()
        torch_opt.step()
    assert_same_state(ember_opt, torch_opt, ember_ps, torch_ps, dtype)


@pytest.mark.parametrize("name,kwargs", [CASES[i] for i in (3, 5, 13, 17, 19, 21, 23)],
                         ids=[CASE_IDS[i] for i in (3, 5, 13, 17, 19, 21, 23)])
def test_every_cpu_instruction_set(name, kwargs, capability):
    # Large enough for the vectorized loops and a remainder, and for more than one thread.
    rng = np.random.default_rng(5)
    values = [rng.standard_normal(20011).astype(np.float32)]
    ember_ps, torch_ps = ember_params(values, "cpu"), torch_params(values)
    ember_opt = getattr(ember.optim, name)(ember_ps, **kwargs)
    torch_opt = getattr(torch.optim, name)(torch_ps, **kwargs)
    for _ in range(3):
        g = rng.standard_normal(20011).astype(np.float32)
        ember_ps[0].grad, torch_ps[0].grad = ember.tensor(g), torch.tensor(g)
        ember_opt.step()
        torch_opt.step()
    assert_same_state(ember_opt, torch_opt, ember_ps, torch_ps, "float32")


def test_non_contiguous_grad(device):
    values = [np.arange(12.0).reshape(3, 4)]
    ember_ps, torch_ps = ember_params(values, device), torch_params(values)
    ember_opt, torch_opt = ember.optim.Adam(ember_ps), torch.optim.Adam(torch_ps)
    g = np.linspace(-1, 1, 12).reshape(4, 3)
    ember_ps[0].grad = ember.tensor(g, device=device).transpose(0, 1)
    torch_ps[0].grad = torch.tensor(g).transpose(0, 1)
    ember_opt.step()
    torch_opt.step()
    assert_same_state(ember_opt, torch_opt, ember_ps, torch_ps, "float64")


@pytest.mark.parametrize("name,kwargs", [CASES[2], CASES[5], CASES[17]],
                         ids=[CASE_IDS[2], CASE_IDS[5], CASE_IDS[17]])
def test_param_groups_and_missing_grads(name, kwargs, device):
    # Two groups with their own lr; a parameter without a gradient is left alone.
    values = initial_values("float64")
    ember_ps, torch_ps = ember_params(values, device), torch_params(values)

    def groups(ps):
        return [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5}]

    ember_opt = getattr(ember.optim, name)(groups(ember_ps), **kwargs)
    torch_opt = getattr(torch.optim, name)(groups(torch_ps), **kwargs)
    for step in range(3):
        feed(ember_ps, torch_ps, gradients(step, "float64"), device)
        ember_ps[1].grad = None
        torch_ps[1].grad = None
        ember_opt.step()
        torch_opt.step()
    assert 1 not in [i for i, p in enumerate(ember_ps) if ember_opt.state.get(p)]
    np.testing.assert_array_equal(ember_ps[1].detach().numpy(), values[1])
    assert_same_state(ember_opt, torch_opt, ember_ps, torch_ps, "float64")


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9)),
                                         ("Adam", dict(lr=0.05)), ("RMSprop", dict(lr=0.01)),
                                         ("Adagrad", dict(lr=0.3)), ("NAdam", dict(lr=0.05))])
def test_least_squares_loss_decreases(name, kwargs, device):
    rng = np.random.default_rng(3)
    x = ember.tensor(rng.standard_normal((32, 5)), device=device)
    w_true = rng.standard_normal((5, 1))
    y = ember.tensor(x.numpy() @ w_true + 1.5 + 0.01 * rng.standard_normal((32, 1)),
                     device=device)
    w = ember.tensor(np.zeros((1, 5)), device=device, requires_grad=True)
    b = ember.tensor(np.zeros(1), device=device, requires_grad=True)
    opt = getattr(ember.optim, name)([w, b], **kwargs)

    def closure():
        opt.zero_grad()
        # x * w summed rather than x @ w, which has no CUDA kernel yet.
        residual = (x * w).sum(dim=1, keepdim=True) + b - y
        loss = (residual * residual).mean()
        loss.backward(ember.ones_like(loss))  # backward() alone seeds on the CPU
        return loss

    losses = [opt.step(closure).item() for _ in range(40)]
    assert losses[-1] < 0.3 * losses[0]


def rosenbrock(x, y):
    a, b = 1 - x, y - x * x
    return (a * a + 100 * (b * b)).sum()


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("history_size", [3, 100])
def test_lbfgs_rosenbrock_matches_torch(line_search_fn, history_size, device):
    start = [np.array([-1.5]), np.array([2.0])]
    ember_ps, torch_ps = ember_params(start, device), torch_params(start)
    kwargs = dict(lr=1 if line_search_fn else 0.1, max_iter=40, history_size=history_size,
                  line_search_fn=line_search_fn)
    ember_opt = ember.optim.LBFGS(ember_ps, **kwargs)
    torch_opt = torch.optim.LBFGS(torch_ps, **kwargs)

    def closure_for(opt, ps):
        def closure():
            opt.zero_grad()
            loss = rosenbrock(*ps)
            loss.backward(torch.ones_like(loss) if isinstance(loss, torch.Tensor)
                          else ember.ones_like(loss))  # backward() alone seeds on the CPU
            return loss
        return closure

    for _ in range(3):
        ember_loss = ember_opt.step(closure_for(ember_opt, ember_ps))
        torch_loss = torch_opt.step(closure_for(torch_opt, torch_ps))
        assert ember_loss.item() == pytest.approx(torch_loss.item(), rel=1e-6, abs=1e-12)
    for ep, tp in zip(ember_ps, torch_ps):
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-6, atol=1e-9)
    ember_state = ember_opt.state[ember_ps[0]]
    torch_state = torch_opt.state[torch_ps[0]]
    assert ember_state["func_evals"] == torch_state["func_evals"]
    assert ember_state["n_iter"] == torch_state["n_iter"]
    assert sorted(ember_state) == sorted(torch_state)
    if line_search_fn:
        assert rosenbrock(*ember_ps).item() < 1e-8


@pytest.mark.parametrize("name,kwargs", [CASES[i] for i in (3, 5, 13, 17, 19, 23)],
                         ids=[CASE_IDS[i] for i in (3, 5, 13, 17, 19, 23)])
def test_state_dict_round_trip(name, kwargs, device):
    values = initial_values("float32")
    ps = ember_params(values, device)
    opt = getattr(ember.optim, name)(ps, **kwargs)
    torch_ps = torch_params(values)
    torch_opt = getattr(torch.optim, name)(torch_ps, **kwargs)
    for step in range(4):
        feed(ps, torch_ps, gradients(step, "float32"), device)
        opt.step()
        torch_opt.step()
    saved = opt.state_dict()
    reference = torch_opt.state_dict()
    # PyTorch's layout: the same group keys, state keyed by index with the same names.
    assert sorted(saved["param_groups"][0]) == sorted(reference["param_groups"][0])
    assert saved["param_groups"][0]["params"] == reference["param_groups"][0]["params"]
    assert sorted(saved["state"]) == sorted(reference["state"])
    for index in reference["state"]:
        assert sorted(saved["state"][index]) == sorted(reference["state"][index])

    # A new optimizer over copies of the parameters continues exactly like the first.
    copies = [ember.tensor(p.detach().numpy(), device=device, requires_grad=True) for p in ps]
    resumed = getattr(ember.optim, name)(copies, **kwargs)
    resumed.load_state_dict(saved)
    # So does one loaded from torch's state_dict.
    from_torch = [ember.tensor(p.detach().numpy(), device=device, requires_grad=True) for p in ps]
    converted = getattr(ember.optim, name)(from_torch, **kwargs)
    converted.load_state_dict(reference)
    for step in range(4, 8):
        grads = gradients(step, "float32")
        for group in (ps, copies, from_torch):
            for p, g in zip(group, grads):
                p.grad = ember.tensor(g, device=device)
        opt.step()
        resumed.step()
        converted.step()
    for p, q, r in zip(ps, copies, from_torch):
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
        np.testing.assert_allclose(r.detach().numpy(), p.detach().numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RMSprop",
                                  "Adagrad", "Adadelta", "ASGD", "LBFGS"])
def test_defaults_match_torch(name):
    kwargs = dict(lr=0.1) if name == "SGD" else {}
    ours = getattr(ember.optim, name)([ember.tensor(np.ones(2), requires_grad=True)], **kwargs)
    theirs = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], **kwargs)
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]


def test_state_dict_does_not_alias_after_load():
    p = ember.tensor(np.ones(3), requires_grad=True)
    opt = ember.optim.Adam([p])
    p.grad = ember.tensor(np.ones(3))
    opt.step()
    saved = opt.state_dict()
    q = ember.tensor(np.ones(3), requires_grad=True)
    other = ember.optim.Adam([q])
    other.load_state_dict(saved)
    assert other.state[q]["exp_avg"] is not opt.state[p]["exp_avg"]
    assert other.param_groups[0]["params"][0] is q


def test_zero_grad():
    p = ember.tensor(np.ones(3), requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    p.grad = ember.tensor(np.full(3, 2.0))
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3))
    opt.zero_grad()
    assert p.grad is None


def test_add_param_group_and_defaults():
    a = ember.tensor(np.ones(2), requires_grad=True)
    b = ember.tensor(np.ones(2), requires_grad=True)
    opt = ember.optim.SGD([a], lr=0.1, momentum=0.5)
    opt.add_param_group({"params": b, "lr": 0.2})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.2]
    assert opt.param_groups[1]["momentum"] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_step_hooks_run_around_step():
    p = ember.tensor(np.ones(2), requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    opt.step()
    pre.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]


@pytest.mark.parametrize("make,message", [
    (lambda ps: ember.optim.SGD(ps, lr=-1), "Invalid learning rate: -1"),
    (lambda ps: ember.optim.SGD(ps, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda ps: ember.optim.SGD(ps, lr=0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda ps: ember.optim.Adam(ps, betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
    (lambda ps: ember.optim.Adam(ps, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
    (lambda ps: ember.optim.AdamW(ps, eps=-1e-8), "Invalid epsilon value"),
    (lambda ps: ember.optim.Adamax(ps, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda ps: ember.optim.NAdam(ps, momentum_decay=-1), "Invalid momentum_decay value"),
    (lambda ps: ember.optim.RMSprop(ps, alpha=-1), "Invalid alpha value"),
    (lambda ps: ember.optim.Adagrad(ps, lr_decay=-1), "Invalid lr_decay value"),
    (lambda ps: ember.optim.Adagrad(ps, initial_accumulator_value=-1),
     "Invalid initial_accumulator_value"),
    (lambda ps: ember.optim.Adadelta(ps, rho=1.5), "Invalid rho value: 1.5"),
    (lambda ps: ember.optim.ASGD(ps, lr=-0.1), "Invalid learning rate"),
    (lambda ps: ember.optim.LBFGS(ps, line_search_fn="armijo"), "Invalid line_search_fn"),
    (lambda ps: ember.optim.SGD([], lr=0.1), "empty parameter list"),
])
def test_bad_hyper_parameters(make, message):
    ps = [ember.tensor(np.ones(2), requires_grad=True)]
    with pytest.raises(ValueError, match=message):
        make(ps)


def test_bad_params():
    p = ember.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        ember.optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        ember.optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        ember.optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="per-parameter options"):
        ember.optim.LBFGS([{"params": [p]}, {"params": [ember.tensor(np.ones(1))]}])


def test_fused_step_validates_its_buffers(device):
    p = ember.zeros(3, 4, device=device)
    g = ember.zeros(3, 4, device=device)
    o = ember._C.AdamOptions()
    state = [ember.zeros(3, 4, device=device)._impl for _ in range(2)]
    ember._C.adam_step_(p._impl, g._impl, state, o)
    with pytest.raises(ValueError, match=r"adam_step_: grad of shape \(4, 3\) does not match"):
        ember._C.adam_step_(p._impl, ember.zeros(4, 3, device=device)._impl, state, o)
    with pytest.raises(ValueError, match="expected 3 state tensors"):
        o.amsgrad = True
        ember._C.adam_step_(p._impl, g._impl, state, o)
    with pytest.raises(TypeError, match="dtype"):
        ember._C.sgd_step_(p._impl, ember.zeros(3, 4, dtype=ember.float64, device=device)._impl,
                           [], ember._C.SgdOptions())
    with pytest.raises(TypeError, match="float32 or float64"):
        q = ember.zeros(3, dtype=ember.int64, device=device)
        ember._C.sgd_step_(q._impl, q._impl, [], ember._C.SgdOptions())
    with pytest.raises(ValueError, match="contiguous"):
        transposed = ember.zeros(4, 3, device=device).transpose(0, 1)
        ember._C.sgd_step_(p._impl, transposed._impl, [], ember._C.SgdOptions())


@pytest.mark.parametrize("name,kwargs", CASES, ids=CASE_IDS)
def test_step_bumps_versions_so_backward_sees_the_change(name, kwargs, device):
    # As in PyTorch: a graph that saved the parameter before opt.step() cannot be backpropagated
    # through afterwards, because the step modified the parameter in place.
    p = ember.tensor([0.5, -1.5, 2.0], device=device, requires_grad=True)
    opt = getattr(ember.optim, name)([p], **kwargs)
    (p * p).sum().backward()
    opt.step()
    version = p._version
    # The buffers the kernel writes (moments, accumulators), not the scalar step counters.
    buffers = {key: t for key, t in opt.state[p].items()
               if isinstance(t, ember.Tensor) and t.shape == p.shape}
    buffer_versions = {key: t._version for key, t in buffers.items()}
    saved = (p * p).sum()
    opt.step()
    assert p._version == version + 1
    for key, t in buffers.items():
        assert t._version == buffer_versions[key] + 1, key
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.backward()

    tp = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
    torch_opt = getattr(torch.optim, name)([tp], **kwargs)
    (tp * tp).sum().backward()
    torch_saved = (tp * tp).sum()
    torch_opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        torch_saved.backward()


def test_step_without_grad_leaves_the_version(device):
    p = ember.tensor([1.0, 2.0], device=device, requires_grad=True)
    opt = ember.optim.Adam([p])
    version = p._version
    opt.step()  # no gradient: nothing is updated
    assert p._version == version
