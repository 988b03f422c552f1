"""ember.nn.init (formulas, statistics, reproducibility under manual_seed, errors) and
ember.nn.utils (gradient clipping, parameter vectors, penalties)."""
import math

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn import init

torch = pytest.importorskip("torch")


def test_calculate_gain_matches_torch():
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                        ("leaky_relu", math.sqrt(5)), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-15)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


def _stats(t):
    a = t.detach().cpu().numpy().astype(np.float64)
    return a.min(), a.max(), a.mean(), a.std()


@pytest.mark.parametrize("shape", [(200, 300), (64, 16, 3, 3)])
def test_uniform_family_bounds_and_spread(device, shape):
    t = ember.empty(*shape, device=device)
    fan_in = int(np.prod(shape[1:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    cases = [
        (lambda: init.uniform_(t, -0.5, 2.0), -0.5, 2.0),
        (lambda: init.xavier_uniform_(t, gain=2.0), None,
         2.0 * math.sqrt(6.0 / (fan_in + fan_out))),
        (lambda: init.kaiming_uniform_(t, a=math.sqrt(5)), None,
         math.sqrt(2.0 / 6) * math.sqrt(3.0 / fan_in)),
        (lambda: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"), None,
         math.sqrt(2.0) * math.sqrt(3.0 / fan_out)),
    ]
    for fill, lo, hi in cases:
        assert fill() is t
        lo = -hi if lo is None else lo
        mn, mx, mean, std = _stats(t)
        assert lo <= mn and mx < hi
        assert mean == pytest.approx((lo + hi) / 2, abs=0.05 * (hi - lo))
        assert std == pytest.approx((hi - lo) / math.sqrt(12), rel=0.05)


def test_normal_family_spread(device):
    t = ember.empty(300, 200, device=device)
    for fill, mean, std in [
            (lambda: init.normal_(t, 1.5, 0.5), 1.5, 0.5),
            (lambda: init.xavier_normal_(t), 0.0, math.sqrt(2.0 / 500)),
            (lambda: init.kaiming_normal_(t, nonlinearity="relu"), 0.0, math.sqrt(2.0 / 200)),
            (lambda: init.kaiming_normal_(t, mode="fan_out"), 0.0,
             math.sqrt(2.0 / (1 + 0.01 ** 2)) / math.sqrt(300))]:
        fill()
        _, _, m, s = _stats(t)
        assert m == pytest.approx(mean, abs=0.02 * max(std, 1e-3) * 5)
        assert s == pytest.approx(std, rel=0.03)


def test_trunc_normal_stays_in_range(device):
    t = ember.empty(20000, dtype=ember.float64, device=device)
    init.trunc_normal_(t, mean=0.5, std=1.0, a=-0.5, b=1.0)
    mn, mx, mean, _ = _stats(t)
    assert -0.5 <= mn and mx <= 1.0
    # mean of N(0.5, 1) truncated to [-0.5, 1]: 0.5 + (phi(-1) - phi(0.5)) / (Phi(0.5) - Phi(-1))
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    expected = 0.5 + (phi(-1.0) - phi(0.5)) / (cdf(0.5) - cdf(-1.0))
    assert mean == pytest.approx(expected, abs=0.01)
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(t, a=1.0, b=0.0)


def test_constant_ones_zeros_eye_dirac(device):
    t = ember.empty(3, 4, device=device)
    assert init.constant_(t, 0.25).cpu().tolist() == [[0.25] * 4] * 3
    assert init.ones_(t).cpu().tolist() == [[1.0] * 4] * 3
    assert init.zeros_(t).cpu().tolist() == [[0.0] * 4] * 3
    np.testing.assert_array_equal(init.eye_(t).cpu().numpy(), np.eye(3, 4))
    w = ember.empty(4, 2, 3, 3, device=device)
    tw = torch.empty(4, 2, 3, 3)
    np.testing.assert_array_equal(init.dirac_(w).cpu().numpy(), torch.nn.init.dirac_(tw).numpy())
    np.testing.assert_array_equal(init.dirac_(w, groups=2).cpu().numpy(),
                                  torch.nn.init.dirac_(tw, groups=2).numpy())
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(ember.empty(2, 2, 2))
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        init.dirac_(ember.empty(2, 2))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 2, 3), (6, 6)])
def test_orthogonal(device, shape):
    t = ember.empty(*shape, dtype=ember.float64, device=device)
    init.orthogonal_(t, gain=2.0)
    q = t.cpu().numpy().reshape(shape[0], -1) / 2.0
    small = min(q.shape)
    gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(ember.empty(3))


def test_init_under_no_grad_and_reproducible():
    p = nn.Parameter(ember.empty(10, 10))
    results = []
    for _ in range(2):
        ember.manual_seed(123)
        init.kaiming_uniform_(p)
        init.trunc_normal_(p)
        results.append(p.detach().numpy().copy())
        assert p.grad_fn is None and p.requires_grad and p.is_leaf
    assert np.array_equal(*results)
    g = ember.Generator().manual_seed(7)
    a = init.normal_(ember.empty(5), generator=g).numpy().copy()
    g.manual_seed(7)
    assert np.array_equal(a, init.normal_(ember.empty(5), generator=g).numpy())


def test_fan_errors_and_zero_element_tensors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ember.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ember.empty(2, 2), mode="fan_avg")
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(ember.empty(0, 3))
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.uniform_(np.zeros(3))


# -- nn.utils ----------------------------------------------------------------------------------

def _with_grads(device, grads):
    params = []
    for g in grads:
        p = nn.Parameter(ember.zeros(*np.shape(g), device=device))
        p.grad = ember.tensor(g, device=device)
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(device, norm_type, max_norm):
    r = np.random.RandomState(0)
    grads = [r.standard_normal((3, 4)), r.standard_normal(5), r.standard_normal((2, 1, 2))]
    params = _with_grads(device, grads)
    t_params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros(np.shape(g), dtype=torch.float64))
        p.grad = torch.tensor(g)
        t_params.append(p)
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type)
    assert total.item() == pytest.approx(t_total.item(), rel=1e-12)
    for p, tp in zip(params, t_params):
        np.testing.assert_allclose(p.grad.cpu().numpy(), tp.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_nonfinite_and_empty(device):
    params = _with_grads(device, [[1.0, float("inf")]])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert math.isinf(nn.utils.clip_grad_norm_(params, 1.0).item())
    assert nn.utils.clip_grad_norm_([nn.Parameter(ember.ones(2))], 1.0).item() == 0.0
    single = _with_grads(device, [[3.0, 4.0]])[0]
    assert nn.utils.clip_grad_norm_(single, 1.0).item() == pytest.approx(5.0)
    assert single.grad.cpu().numpy() == pytest.approx([0.6, 0.8], rel=1e-5)


def test_clip_grad_value(device):
    params = _with_grads(device, [[-3.0, 0.5, 2.0]])
    nn.utils.clip_grad_value_(params, 1.0)
    assert params[0].grad.cpu().tolist() == [-1.0, 0.5, 1.0]


def test_parameters_vector_round_trip(device):
    m = nn.Sequential(nn.Linear(3, 2), nn.LayerNorm(2)).to(device)
    vec = nn.utils.parameters_to_vector(m.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 + 2,)
    t = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    t.load_state_dict({k: torch.from_numpy(v.cpu().numpy()) for k, v in m.state_dict().items()})
    np.testing.assert_array_equal(vec.detach().cpu().numpy(),
                                  torch.nn.utils.parameters_to_vector(t.parameters()).detach())
    nn.utils.vector_to_parameters(ember.arange(12, dtype=ember.float32, device=device),
                                  m.parameters())
    assert m[0].weight.cpu().tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m[1].bias.cpu().tolist() == [10.0, 11.0]
    with pytest.raises(ValueError, match="12 elements"):
        nn.utils.vector_to_parameters(ember.ones(5, device=device), m.parameters())
    with pytest.raises(TypeError, match="expected Tensor"):
        nn.utils.vector_to_parameters([1.0], m.parameters())


def test_penalties_are_differentiable(device):
    a = nn.Parameter(ember.tensor([[1.0, -2.0]], dtype=ember.float64, device=device))
    b = nn.Parameter(ember.tensor([3.0], dtype=ember.float64, device=device))
    l1 = nn.utils.l1_penalty([a, b])
    assert l1.item() == 6.0
    l1.backward()
    assert a.grad.cpu().tolist() == [[1.0, -1.0]] and b.grad.cpu().tolist() == [1.0]
    a.grad = b.grad = None
    en = nn.utils.elastic_net_penalty([a, b], l1=0.5, l2=0.25)
    assert en.item() == pytest.approx(0.5 * 6 + 0.25 * 14)
    en.backward()
    np.testing.assert_allclose(a.grad.cpu().numpy(), [[0.5 + 0.5, -0.5 - 1.0]])
    assert ember.autograd.gradcheck(lambda x: nn.utils.elastic_net_penalty([x], 0.3, 0.7),
                                    (ember.tensor([0.5, -1.5, 2.0], dtype=ember.float64,
                                                  device=device, requires_grad=True),))
    with pytest.raises(ValueError, match="at least one parameter"):
        nn.utils.l1_penalty([])
