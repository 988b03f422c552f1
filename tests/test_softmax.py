"""softmax, log_softmax and softmin against PyTorch along every dim of awkward shapes, with
their gradients, numerical stability, every CPU SIMD variant, gradcheck and bad input."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck

from nn_oracle import TOL, compare, randn, to_ember

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = ["float32", "float64"]
FUNCTIONS = {
    "softmax": (F.softmax, TF.softmax),
    "log_softmax": (F.log_softmax, TF.log_softmax),
    "softmin": (F.softmin, TF.softmin),
}
CASES = [((), 0), ((), -1), ((1,), 0), ((7,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4, 5), 1),
         ((2, 3, 4, 5), -1), ((2, 3, 4, 5), 0), ((0, 4), 1), ((4, 0), 1), ((3, 1031), 1)]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dim", CASES)
def test_matches_torch(name, dtype, shape, dim, device):
    fn, tfn = FUNCTIONS[name]
    if device == "cuda" and np.prod(shape) > 2000:
        shape = (2, 257)  # the emulator is slow; still more than one block's width
    compare(lambda x: fn(x, dim), lambda x: tfn(x, dim), [randn(shape, dtype, scale=4.0)],
            device, dtype)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("dim", [0, 1])
def test_non_contiguous(name, dim, device):
    fn, tfn = FUNCTIONS[name]
    compare(lambda x: fn(x, dim), lambda x: tfn(x, dim), [randn((6, 9), "float64", 2)],
            device, "float64", transposed=(0,))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_default_dim_and_dtype(name, device):
    fn, tfn = FUNCTIONS[name]
    a = randn((2, 3, 4), "float32", 3)
    got = fn(to_ember(a, device), 1, dtype=ember.float64)
    assert got.dtype == ember.float64
    np.testing.assert_allclose(got.cpu().numpy(),
                               tfn(torch.from_numpy(a), 1, dtype=torch.float64).numpy(),
                               rtol=1e-12)
    for shape in [(5,), (2, 5), (2, 3, 4), (2, 2, 3, 4)]:
        a = randn(shape, "float64", 4)
        got = fn(to_ember(a, device))  # PyTorch's legacy choice of dim
        want = tfn(torch.from_numpy(a), dim=(0 if len(shape) in (0, 1, 3) else 1))
        np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_stability_and_special_values(dtype, device):
    rows = np.array([
        [1e4, 1e4 - 1, -1e4, 0.0],          # huge logits: no overflow
        [-1e4, -1e4 - 2, -1e4 - 3, -1e4],   # hugely negative: no underflow to 0/0
        [0.0, -np.inf, 1.0, -np.inf],       # -inf entries: probability 0
        [-np.inf, -np.inf, -np.inf, -np.inf],  # nothing finite: NaN, as in PyTorch
        [np.nan, 0.0, 1.0, 2.0],            # a NaN poisons its row only
        [np.inf, 0.0, 1.0, 2.0],
    ], dtype=dtype)
    for name, (fn, tfn) in FUNCTIONS.items():
        got = fn(to_ember(rows, device), 1).cpu().numpy()
        want = tfn(torch.from_numpy(rows), 1).numpy()
        np.testing.assert_allclose(got, want, **TOL[dtype], equal_nan=True, err_msg=name)


def test_simd_variants(capability):
    for dtype in DTYPES:
        for shape, dim in [((5, 1037), 1), ((3, 37, 5), 1), ((17,), 0)]:
            for fn, tfn in FUNCTIONS.values():
                compare(lambda x: fn(x, dim), lambda x: tfn(x, dim),
                        [randn(shape, dtype, 6, scale=5.0)], "cpu", dtype)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("shape,dim", [((4,), 0), ((3, 4), 1), ((2, 3, 2), 1)])
def test_gradcheck(name, shape, dim, device):
    fn, _ = FUNCTIONS[name]
    x = to_ember(randn(shape, "float64", 7), device, requires_grad=True)
    assert gradcheck(lambda t: fn(t, dim), (x,))


def test_tensor_methods(device):
    a = randn((3, 4), "float32", 8)
    x = to_ember(a, device)
    np.testing.assert_allclose(x.softmax(1).cpu().numpy(),
                               torch.from_numpy(a).softmax(1).numpy(), **TOL["float32"])
    np.testing.assert_allclose(x.log_softmax(dim=0).cpu().numpy(),
                               torch.from_numpy(a).log_softmax(dim=0).numpy(), **TOL["float32"])


def test_bad_input(device):
    x = to_ember(np.zeros((2, 3), np.float32), device)
    with pytest.raises(IndexError, match="softmax"):
        F.softmax(x, 2)
    with pytest.raises(IndexError, match="log_softmax"):
        F.log_softmax(x, -3)
    with pytest.raises(TypeError, match="softmax: expected a float32 or float64"):
        F.softmax(to_ember(np.zeros(3, np.int64), device), 0)
    with pytest.raises(TypeError, match="softmax"):
        F.softmax([1.0], 0)
