"""Activation functions and modules against PyTorch: outputs and input gradients on awkward
shapes, kinks, edge values, every CPU SIMD variant, CUDA (emulated) against the CPU, gradcheck,
in-place forms, PReLU's weight gradient, RReLU's randomness, reprs and bad input."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck

from conftest import DEVICES
from nn_oracle import TOL, compare, randn, to_ember

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = ["float32", "float64"]

# name -> (ember function, torch function); parameters chosen off their defaults where they exist.
ACTIVATIONS = {
    "relu": (F.relu, TF.relu),
    "relu6": (F.relu6, TF.relu6),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0), lambda x: TF.threshold(x, 0.5, -2.0)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.75), lambda x: TF.hardtanh(x, -0.5, 0.75)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda x: TF.leaky_relu(x, 0.1)),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7)),
    "selu": (F.selu, TF.selu),
    "celu": (lambda x: F.celu(x, 1.3), lambda x: TF.celu(x, 1.3)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "mish": (F.mish, TF.mish),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta": (lambda x: F.softplus(x, 2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0)),
    "softsign": (F.softsign, TF.softsign),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
}
NAMES = sorted(ACTIVATIONS)

# Kinks and saturation points of the functions above, where the choice of one-sided derivative
# must match PyTorch's, plus large magnitudes.
SPECIAL = np.array([0.0, -0.0, 0.5, -0.5, 0.75, 3.0, -3.0, 1.5, -1.5, 6.0, 20.0, -20.0, 40.0,
                    -40.0, 10.0, -10.0])


def values(shape, dtype, seed=0):
    a = randn(shape, dtype, seed, scale=3.0)
    flat = a.reshape(-1)
    k = min(flat.size, SPECIAL.size)
    flat[:k] = SPECIAL[:k]
    return a


# PyTorch's float64 gradients of these round a constant to float32 (celu's 1/alpha,
# hardsigmoid's 1/6), so they differ from the exact ones by ~1e-7 relatively.
TOL_OF = {("celu", "float64"): dict(rtol=1e-6, atol=1e-12),
          ("hardsigmoid", "float64"): dict(rtol=1e-6, atol=1e-12)}


def check_against_torch(name, array, device, dtype, **kwargs):
    fn, tfn = ACTIVATIONS[name]
    compare(fn, tfn, [array], device, dtype, tol=TOL_OF.get((name, dtype)), **kwargs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (1,), (37,), (3, 0), (2, 3, 7)])
def test_matches_torch(name, dtype, shape, device):
    check_against_torch(name, values(shape, dtype), device, dtype)


@pytest.mark.parametrize("name", NAMES)
def test_non_contiguous_input(name, device):
    check_against_torch(name, values((5, 7), "float32", seed=3), device, "float32",
                        transposed=(0,))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_edge_values_forward(name, dtype, device):
    fn, tfn = ACTIVATIONS[name]
    a = np.array([np.inf, -np.inf, np.nan, 1e4, -1e4, 88.0, -88.0, 1e-30, -1e-30, 0.0],
                 dtype=dtype)
    got = fn(to_ember(a, device)).cpu().numpy()
    want = tfn(torch.from_numpy(a)).numpy()
    if name == "gelu" and dtype == "float32":
        assert got[0] == np.inf  # PyTorch's vectorized float32 erf gives NaN at +inf
        got, want = got[1:], want[1:]
    np.testing.assert_allclose(got, want, **TOL[dtype], equal_nan=True)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_large_magnitudes_backward(name, dtype, device):
    a = np.array([1e4, -1e4, 88.0, -88.0, 700.0, -700.0, 1e-30, -1e-30], dtype=dtype)
    check_against_torch(name, a, device, dtype)


@pytest.mark.parametrize("name", NAMES)
def test_simd_variants(name, capability):
    """Every instruction-set variant, on a size with full vectors and a tail, against PyTorch."""
    for dtype in DTYPES:
        check_against_torch(name, values((1037,), dtype, seed=5), "cpu", dtype)


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck(name, device):
    fn, _ = ACTIVATIONS[name]
    # Away from the kinks, where finite differences are meaningful.
    a = np.array([-2.7, -1.1, -0.3, 0.2, 0.9, 1.7, 2.6, 4.2])
    x = to_ember(a, device, requires_grad=True)
    assert gradcheck(fn, (x,))


@pytest.mark.skipif("cuda" not in DEVICES, reason="needs the CUDA backend (GPU or emulator)")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name):
    fn, _ = ACTIVATIONS[name]
    for dtype in DTYPES:
        a = values((3, 41), dtype, seed=7)
        g = randn((3, 41), dtype, seed=8)
        outs = {}
        for device in ("cpu", "cuda"):
            x = to_ember(a, device, requires_grad=True)
            y = fn(x)
            y.backward(to_ember(g, device))
            outs[device] = (y.detach().cpu().numpy(), x.grad.cpu().numpy())
        for got, want in zip(outs["cuda"], outs["cpu"]):
            np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-12,
                                       atol=1e-6 if dtype == "float32" else 1e-14)


# --- in-place forms ------------------------------------------------------------------------------

INPLACE = {
    "relu": lambda x, inplace: F.relu(x, inplace=inplace),
    "relu6": lambda x, inplace: F.relu6(x, inplace=inplace),
    "hardtanh": lambda x, inplace: F.hardtanh(x, -0.5, 0.5, inplace=inplace),
    "leaky_relu": lambda x, inplace: F.leaky_relu(x, 0.2, inplace=inplace),
    "elu": lambda x, inplace: F.elu(x, inplace=inplace),
    "selu": lambda x, inplace: F.selu(x, inplace=inplace),
    "celu": lambda x, inplace: F.celu(x, inplace=inplace),
    "silu": lambda x, inplace: F.silu(x, inplace=inplace),
    "mish": lambda x, inplace: F.mish(x, inplace=inplace),
    "hardsigmoid": lambda x, inplace: F.hardsigmoid(x, inplace=inplace),
    "hardswish": lambda x, inplace: F.hardswish(x, inplace=inplace),
    "threshold": lambda x, inplace: F.threshold(x, 0.1, 7.0, inplace=inplace),
    "rrelu_eval": lambda x, inplace: F.rrelu(x, inplace=inplace),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_writes_into_the_input(name, device):
    fn = INPLACE[name]
    a = values((4, 6), "float32", seed=2)
    expected = fn(to_ember(a, device), False).cpu().numpy()
    x = to_ember(a, device)
    out = fn(x, True)
    assert out is x
    np.testing.assert_array_equal(x.cpu().numpy(), expected)
    # A non-contiguous input is written through as well.
    base = to_ember(a.T.copy(), device)
    view = base.t()
    assert fn(view, True) is view
    np.testing.assert_array_equal(base.t().cpu().numpy(), expected)


def test_inplace_functions_with_underscore(device):
    a = values((9,), "float64")
    for fn_, fn in [(F.relu_, F.relu), (F.elu_, F.elu), (F.selu_, F.selu), (F.celu_, F.celu),
                    (F.leaky_relu_, F.leaky_relu), (F.hardtanh_, F.hardtanh)]:
        x = to_ember(a, device)
        assert fn_(x) is x
        np.testing.assert_array_equal(x.cpu().numpy(), fn(to_ember(a, device)).cpu().numpy())
    x = to_ember(a, device)
    assert F.threshold_(x, 0.0, 1.0) is x
    np.testing.assert_array_equal(x.cpu().numpy(), np.where(a <= 0, 1.0, a))


def test_inplace_under_grad_gives_the_same_values_out_of_place(device):
    a = values((10,), "float64")
    x = to_ember(a, device, requires_grad=True)
    h = x * 1.0
    y = F.relu(h, inplace=True)
    np.testing.assert_array_equal(y.detach().cpu().numpy(), np.maximum(a, 0))
    y.backward(ember.ones(10, dtype=ember.float64, device=device))
    np.testing.assert_array_equal(x.grad.cpu().numpy(), (a > 0).astype(a.dtype))


def test_relu_of_integers(device):
    a = np.array([-3, 0, 5], dtype=np.int64)
    np.testing.assert_array_equal(F.relu(to_ember(a, device)).cpu().numpy(), [0, 0, 5])
    x = to_ember(a, device)
    F.relu_(x)
    np.testing.assert_array_equal(x.cpu().numpy(), [0, 0, 5])


# --- PReLU and RReLU -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,channels", [((7,), 1), ((4, 3), 3), ((4, 3), 1),
                                            ((2, 5, 3, 4), 5), ((2, 5, 3, 4), 1), ((0, 3), 3)])
def test_prelu_matches_torch(shape, channels, dtype, device):
    a = values(shape, dtype)
    w = np.linspace(-0.5, 0.8, channels).astype(dtype)
    compare(F.prelu, TF.prelu, [a, w], device, dtype, grad_of=(0, 1))


def test_prelu_gradcheck(device):
    x = to_ember(np.array([[-1.3, 0.4, 2.0], [0.7, -0.2, -3.1]]), device, requires_grad=True)
    w = to_ember(np.array([0.1, -0.4, 0.3]), device, requires_grad=True)
    assert gradcheck(F.prelu, (x, w))


def test_prelu_module(device):
    m = nn.PReLU(3, init=0.1).to(device)
    assert repr(m) == "PReLU(num_parameters=3)"
    assert list(m.state_dict()) == ["weight"]
    np.testing.assert_allclose(m.weight.detach().cpu().numpy(), [0.1] * 3)
    x = to_ember(np.array([[-1.0, 2.0, -3.0]], dtype=np.float32), device)
    y = m(x)
    np.testing.assert_allclose(y.detach().cpu().numpy(), [[-0.1, 2.0, -0.3]], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(m.weight.grad.cpu().numpy(), [-1.0, 0.0, -3.0])


def test_prelu_bad_weight(device):
    x = to_ember(np.zeros((2, 3), dtype=np.float32), device)
    w = to_ember(np.zeros(4, dtype=np.float32), device)
    with pytest.raises(ValueError, match=r"prelu: weight of shape \(4,\).*\(2, 3\)"):
        F.prelu(x, w)


def test_rrelu_eval_is_leaky_relu_with_the_mean_slope(device):
    a = values((20,), "float32")
    got = F.rrelu(to_ember(a, device), 0.1, 0.3, training=False).cpu().numpy()
    np.testing.assert_allclose(got, np.where(a > 0, a, a * 0.2), rtol=1e-6)
    m = nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(m(to_ember(a, device)).cpu().numpy(), got)


def test_rrelu_training_slopes(device):
    a = values((400,), "float64", seed=4)
    ember.manual_seed(3)
    x = to_ember(a, device, requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.backward(ember.ones(400, dtype=ember.float64, device=device))
    out, grad = y.detach().cpu().numpy(), x.grad.cpu().numpy()
    positive = a > 0
    np.testing.assert_array_equal(out[positive], a[positive])
    np.testing.assert_array_equal(grad[positive], 1.0)
    slopes = grad[~positive]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3)) and slopes.std() > 0.03
    np.testing.assert_allclose(out[~positive], a[~positive] * slopes)
    ember.manual_seed(3)
    again = F.rrelu(to_ember(a, device), 0.1, 0.3, training=True).cpu().numpy()
    np.testing.assert_array_equal(again, out)


# --- softmax-free extras: heaviside, one_hot ----------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_heaviside(dtype, device):
    a = np.array([-2.0, 0.0, 3.0, -0.0, np.inf], dtype=dtype)
    v = np.array([0.25], dtype=dtype)
    got = ember.heaviside(to_ember(a, device), to_ember(v, device))
    want = torch.heaviside(torch.from_numpy(a), torch.from_numpy(v))
    np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())
    x = to_ember(a[:4], device, requires_grad=True)
    ember.heaviside(x, to_ember(v, device)).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.zeros(4))
    with pytest.raises(TypeError, match="heaviside"):
        ember.heaviside(to_ember(a, device), to_ember(v.astype(np.int64), device))


def test_one_hot(device):
    t = np.array([[0, 2], [1, 4]], dtype=np.int64)
    got = F.one_hot(to_ember(t, device))
    want = TF.one_hot(torch.from_numpy(t))
    np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())
    np.testing.assert_array_equal(F.one_hot(to_ember(t, device), 6).cpu().numpy(),
                                  TF.one_hot(torch.from_numpy(t), 6).numpy())
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(to_ember(t, device), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(to_ember(np.array([-1]), device))


# --- modules --------------------------------------------------------------------------------------

MODULES = [
    ("Threshold", (0.1, 20.0), {}), ("Threshold", (0.1, 20.0), {"inplace": True}),
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("ReLU6", (), {}),
    ("ReLU6", (), {"inplace": True}), ("Hardtanh", (-2.0, 2.0), {}), ("LeakyReLU", (0.2,), {}),
    ("LeakyReLU", (), {"inplace": True}), ("RReLU", (0.1, 0.3), {}), ("ELU", (), {}),
    ("ELU", (0.5,), {"inplace": True}), ("SELU", (), {}), ("SELU", (), {"inplace": True}),
    ("CELU", (1.5,), {}), ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}), ("SiLU", (), {"inplace": True}), ("Mish", (), {}),
    ("Softplus", (2.0, 10.0), {}), ("Softsign", (), {}), ("Hardsigmoid", (), {}),
    ("Hardswish", (), {}), ("Sigmoid", (), {}), ("LogSigmoid", (), {}), ("Tanh", (), {}),
    ("Softmax", (), {"dim": 1}), ("LogSoftmax", (), {"dim": -1}), ("Softmin", (), {"dim": 0}),
    ("Softmax", (), {}), ("PReLU", (), {}), ("PReLU", (4,), {"init": 0.5}),
]


@pytest.mark.filterwarnings("ignore:Implicit dimension choice")  # PyTorch's Softmax()
@pytest.mark.parametrize("name,args,kwargs", MODULES)
def test_module_matches_torch(name, args, kwargs, device):
    m = getattr(nn, name)(*args, **kwargs).to(device).eval()
    tm = getattr(torch.nn, name)(*args, **kwargs).eval()
    assert repr(m) == repr(tm)
    a = values((3, 4), "float32", seed=9)
    got = m(to_ember(a, device)).detach().cpu().numpy()
    want = tm(torch.from_numpy(a.copy())).detach().numpy()
    np.testing.assert_allclose(got, want, **TOL["float32"])


def test_heaviside_module(device):
    m = nn.Heaviside(0.5)
    assert repr(m) == "Heaviside(value=0.5)"
    got = m(to_ember(np.array([-1.0, 0.0, 2.0], dtype=np.float32), device))
    np.testing.assert_array_equal(got.cpu().numpy(), [0.0, 0.5, 1.0])


# --- bad input ------------------------------------------------------------------------------------

def test_bad_input(device):
    ints = to_ember(np.array([1, 2]), device)
    with pytest.raises(TypeError, match="gelu: expected a float32 or float64 tensor, got int64"):
        F.gelu(ints)
    with pytest.raises(TypeError, match="silu"):
        F.silu([1.0, 2.0])
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(to_ember(np.zeros(2, np.float32), device), approximate="fast")
    with pytest.raises(ValueError, match="hardtanh"):
        F.hardtanh(to_ember(np.zeros(2, np.float32), device), 1.0, -1.0)


def _exact_gelu_reference(x):
    """GELU and its derivative in float64 from libm's erfc: x Phi(x) and Phi(x) + x phi(x), with
    the scales their rounding errors are relative to: Phi(x) = (1 + erf(x / sqrt 2)) / 2 is
    computed from an erf within an ulp of 1 in magnitude, so it is known to about an ulp of
    max(Phi(x), 1 - Phi(x)), not of Phi(x) itself, where it cancels."""
    import math
    phi = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x.tolist()])
    cdf_scale = np.maximum(cdf, 1 - cdf)
    return x * cdf, np.abs(x) * cdf_scale, cdf + x * phi, cdf_scale + np.abs(x) * phi


@pytest.mark.parametrize("dtype", DTYPES)
def test_exact_gelu_dense_sweep(dtype, capability):
    """Exact GELU (its erf) forward and backward over a dense sweep through both forms of the
    vectorized erf, its tails and saturation, against libm in float64, on every SIMD variant;
    a few ulp of the larger term (where 1 + erf cancels, the error is relative to x)."""
    x = np.concatenate([np.linspace(-12, 12, 60001), np.linspace(-1e-3, 1e-3, 2001),
                        [1e-30, -1e-30, 5e-324 if dtype == "float64" else 1e-45]]).astype(dtype)
    xe = ember.from_numpy(x).requires_grad_()
    y = F.gelu(xe)
    y.backward(ember.ones_like(y))
    value, value_scale, slope, slope_scale = _exact_gelu_reference(x.astype(np.float64))
    eps = np.finfo(dtype).eps
    np.testing.assert_array_less(np.abs(y.detach().numpy() - value), 8 * eps * value_scale
                                 + np.finfo(dtype).tiny)
    np.testing.assert_array_less(np.abs(xe.grad.numpy() - slope), 8 * eps * slope_scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_exact_gelu_special_values(dtype, capability, device):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 3.9, 5.95, -40.0], dtype=dtype)
    got = F.gelu(to_ember(x, device)).cpu().numpy()
    assert got[0] == 0 and not np.signbit(got[0])
    assert got[1] == 0 and np.signbit(got[1])
    assert got[2] == np.inf  # PyTorch's vectorized float32 erf gives NaN here
    want = TF.gelu(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(np.isnan(got[3:]), np.isnan(want[3:]))  # -inf * 0 is NaN
    np.testing.assert_allclose(got[5:], want[5:], **TOL[dtype])
