"""Creation ops against numpy (and PyTorch where their rules differ from numpy's)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

DTYPES = [ember.bool, ember.uint8, ember.int32, ember.int64, ember.float32, ember.float64]
NUMERIC = DTYPES[1:]
SHAPES = [(), (0,), (1,), (7,), (13, 7), (2, 0, 3), (3, 1, 5)]


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    before = ember.get_default_dtype()
    yield
    ember.set_default_dtype(before)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_zeros_ones_full_empty(shape, dtype, device):
    npd = dtype._numpy
    for got in (ember.zeros(*shape, dtype=dtype, device=device),
                ember.zeros(shape, dtype=dtype, device=device),
                ember.zeros(list(shape), dtype=dtype, device=device),
                ember.zeros(ember.Size(shape), dtype=dtype, device=device)):
        assert got.dtype is dtype and got.shape == shape and got.device.type == device
        np.testing.assert_array_equal(got.numpy(), np.zeros(shape, npd))
    np.testing.assert_array_equal(ember.ones(*shape, dtype=dtype, device=device).numpy(),
                                  np.ones(shape, npd))
    np.testing.assert_array_equal(ember.full(shape, 5, dtype=dtype, device=device).numpy(),
                                  np.full(shape, 5, npd))
    e = ember.empty(*shape, dtype=dtype, device=device)
    assert e.shape == shape and e.dtype is dtype and e.is_contiguous()
    assert e.device.type == device


def test_default_dtypes():
    assert ember.zeros(2).dtype is ember.float32
    assert ember.full((2,), 3).dtype is ember.int64
    assert ember.full((2,), 3.0).dtype is ember.float32
    assert ember.full((2,), True).dtype is ember.bool
    assert ember.full((2,), np.int32(3)).dtype is ember.int64
    assert ember.full((2,), ember.tensor(2.5)).dtype is ember.float32
    ember.set_default_dtype(ember.float64)
    assert ember.ones(2).dtype is ember.float64
    assert ember.full((1,), 0.5).dtype is ember.float64
    assert ember.arange(0.0, 1.0, 0.5).dtype is ember.float64


@pytest.mark.parametrize("value,dtype,expected", [
    (3.7, ember.int32, 3), (-3.7, ember.int64, -3), (-1, ember.uint8, 255),
    (2.5, ember.bool, True), (0.0, ember.bool, False), (2**62 + 1, ember.int64, 2**62 + 1),
    (-(2**63), ember.int64, -(2**63)), (7, ember.float64, 7.0), (float("inf"), ember.float32,
                                                                    np.inf),
])
def test_full_value_conversion(value, dtype, expected, device):
    got = ember.full((3,), value, dtype=dtype, device=device).numpy()
    assert got.dtype == dtype._numpy
    np.testing.assert_array_equal(got, np.full(3, expected, dtype._numpy))


@pytest.mark.parametrize("value,dtype", [(300, ember.uint8), (1e10, ember.int32),
                                         (2**63, ember.int64), (float("nan"), ember.int32),
                                         (1e300, ember.float32)])
def test_full_overflow_raises(value, dtype):
    with pytest.raises(RuntimeError, match="overflow"):
        ember.full((2,), value, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fill_strided(dtype):
    base = np.zeros((6, 5), dtype._numpy)
    ember.from_numpy(base.T).fill_(1)
    np.testing.assert_array_equal(base, np.ones((6, 5), dtype._numpy))
    base = np.zeros((7, 13), dtype._numpy)
    ember.from_numpy(base[::2, 1::3]).fill_(1)
    expected = np.zeros((7, 13), dtype._numpy)
    expected[::2, 1::3] = 1
    np.testing.assert_array_equal(base, expected)
    t = ember.from_numpy(base)
    assert t.zero_() is t and not base.any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_fill_strided_on_device(dtype, device):
    """fill_ through transposed and stepped views, on either device, leaves the rest alone."""
    base = ember.zeros(7, 13, dtype=dtype, device=device)
    base.t()[1::3, ::2].fill_(1)
    expected = np.zeros((7, 13), dtype._numpy)
    expected[::2, 1::3] = 1
    np.testing.assert_array_equal(base.numpy(), expected)
    assert base[::2].zero_() is not None and not base.numpy().any()


def test_fill_large_parallel_and_tensor_value():
    t = ember.empty(1_000_003, dtype=ember.float64)
    t.fill_(ember.tensor(2.5))
    np.testing.assert_array_equal(t.numpy(), np.full(1_000_003, 2.5))
    with pytest.raises(TypeError, match="fill_"):
        t.fill_("x")


@pytest.mark.parametrize("dtype", DTYPES)
def test_like_functions(dtype):
    src = ember.from_numpy(np.zeros((3, 4), np.float64).T)
    for fn, value in ((ember.zeros_like, 0), (ember.ones_like, 1)):
        got = fn(src, dtype=dtype)
        assert got.dtype is dtype and got.shape == (4, 3)
        np.testing.assert_array_equal(got.numpy(), np.full((4, 3), value, dtype._numpy))
    got = ember.full_like(src, 1, dtype=dtype)
    np.testing.assert_array_equal(got.numpy(), np.ones((4, 3), dtype._numpy))
    assert ember.empty_like(src, dtype=dtype).shape == (4, 3)
    assert ember.zeros_like(src).dtype is ember.float64
    assert ember.full_like(ember.zeros(2, dtype=ember.int32), 7).dtype is ember.int32
    with pytest.raises(TypeError, match="zeros_like"):
        ember.zeros_like(np.zeros(3))


@pytest.mark.parametrize("args", [(5,), (1, 10, 3), (10, 1, -3), (-7, 13, 2), (0, 0, 1),
                                  (3, 4), (0, 13)])
def test_arange_ints(args, device):
    got = ember.arange(*args, device=device)
    assert got.dtype is ember.int64 and got.device.type == device
    np.testing.assert_array_equal(got.numpy(), np.arange(*args, dtype=np.int64))


@pytest.mark.parametrize("args", [(0, 1, 0.1), (-2.5, 3.3, 0.7), (1, 0, -0.25), (0.5, 7.0),
                                  (2.0,), (0, 1e-3, 1e-4), (10, -10, -3.3)])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_arange_floats(args, dtype, device):
    got = ember.arange(*args, dtype=dtype, device=device).numpy()
    # The same formula on both devices, products and sums rounded once each: the same bits.
    np.testing.assert_array_equal(got, ember.arange(*args, dtype=dtype).numpy())
    expected = np.arange(*args, dtype=np.float64)
    assert got.shape == expected.shape  # the same length rule, ceil((end - start) / step)
    # numpy steps by (start + step) - start, PyTorch (and ember) by step: last-bit differences.
    eps = 1e-6 if dtype is ember.float32 else 1e-14
    np.testing.assert_allclose(got, expected, rtol=eps, atol=eps * np.abs(args).max())
    assert ember.arange(*args).dtype is ember.float32


@pytest.mark.parametrize("dtype", NUMERIC)
def test_arange_dtypes(dtype, device):
    np.testing.assert_array_equal(ember.arange(2, 9, 2, dtype=dtype, device=device).numpy(),
                                  np.arange(2, 9, 2, dtype=dtype._numpy))


def test_arange_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [((0, 5, 1.5), torch.int64), ((0.5, 5, 1), torch.int64), ((-1, 5, 2), torch.uint8),
             ((0, 1, 0.1), torch.float32), ((1, 2.5, 0.5), torch.float64),
             ((-3.3, 4.4, 0.37), torch.float32)]
    tdt = {torch.int64: ember.int64, torch.uint8: ember.uint8, torch.float32: ember.float32,
           torch.float64: ember.float64}
    for args, dt in cases:
        _assert_same_as_torch(ember.arange(*args, dtype=tdt[dt]).numpy(),
                              torch.arange(*args, dtype=dt).numpy())


def _assert_same_as_torch(got, expected):
    """Equal for integers; for floats within 2 ulp (PyTorch's vectorized loops round the
    running value differently from a scalar loop, depending on its SIMD width)."""
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if got.dtype.kind == "f":
        np.testing.assert_array_max_ulp(got, expected, maxulp=2)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("args,match", [((0, 1, 0), "nonzero"), ((0, 5, -1), "sign"),
                                        ((5, 0, 1), "sign"), ((0, float("inf")), "range"),
                                        ((0, 5, 0.5, ember.int64), "nonzero")])
def test_arange_errors(args, match):
    dtype = args[3] if len(args) == 4 else None
    with pytest.raises(RuntimeError, match=match):
        ember.arange(*args[:3], dtype=dtype)


def test_arange_bad_dtype():
    with pytest.raises(TypeError, match="arange"):
        ember.arange(3, dtype=ember.bool)
    with pytest.raises(TypeError):
        ember.arange(3, dtype="complex64")


@pytest.mark.parametrize("start,end,steps", [(0, 1, 5), (-2.5, 7.3, 13), (3, 3, 4), (1, -1, 7),
                                             (0, 1, 2), (5, 9, 1), (0, 1, 0), (0, 1e6, 1001)])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_linspace(start, end, steps, dtype, device):
    got = ember.linspace(start, end, steps, dtype=dtype, device=device).numpy()
    np.testing.assert_array_equal(got, ember.linspace(start, end, steps, dtype=dtype).numpy())
    expected = np.linspace(start, end, steps)
    assert got.shape == (steps,) and got.dtype == dtype._numpy
    rtol = 1e-6 if dtype is ember.float32 else 1e-14
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * max(abs(start), abs(end)))
    if steps > 0:
        assert got[0] == np.array(start, dtype._numpy)
    if steps > 1:
        assert got[-1] == np.array(end, dtype._numpy)


def test_linspace_matches_torch():
    torch = pytest.importorskip("torch")
    for (s, e, n), dt, edt in [((0, 10, 4), torch.int64, ember.int64),
                               ((-3, 7, 6), torch.uint8, ember.uint8),
                               ((-2.5, 7.3, 5), torch.int32, ember.int32),
                               ((-2.5, 7.3, 17), torch.float32, ember.float32),
                               ((0.1, 0.9, 101), torch.float64, ember.float64)]:
        _assert_same_as_torch(ember.linspace(s, e, n, dtype=edt).numpy(),
                              torch.linspace(s, e, n, dtype=dt).numpy())


def test_linspace_errors():
    with pytest.raises(RuntimeError, match="non-negative"):
        ember.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="steps"):
        ember.linspace(0, 1, 2.0)
    with pytest.raises(TypeError, match="linspace"):
        ember.linspace(0, 1, 3, dtype=ember.bool)
    assert ember.linspace(0, 1, 3).dtype is ember.float32


@pytest.mark.parametrize("n,m", [(0, 0), (1, 1), (3, 3), (7, 13), (13, 7), (4, 0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_eye(n, m, dtype, device):
    got = ember.eye(n, m, dtype=dtype, device=device)
    assert got.device.type == device
    np.testing.assert_array_equal(got.numpy(), np.eye(n, m, dtype=dtype._numpy))
    assert ember.eye(n).shape == (n, n)


def test_eye_errors():
    with pytest.raises(RuntimeError, match="eye"):
        ember.eye(-1)
    with pytest.raises(TypeError, match="eye"):
        ember.eye(2.0)


def test_size_errors():
    with pytest.raises(RuntimeError, match="zeros: negative dimension"):
        ember.zeros(2, -1)
    with pytest.raises(RuntimeError, match="full"):
        ember.full((-1,), 3)
    with pytest.raises(TypeError, match="ones"):
        ember.ones(2.5)
    with pytest.raises(TypeError, match="empty"):
        ember.empty("3")
    with pytest.raises(TypeError, match="zeros"):
        ember.zeros((2, None))
    with pytest.raises(TypeError):
        ember.zeros(2, dtype="complex64")


def test_devices_and_requires_grad():
    assert ember.zeros(2, device="cpu").device == ember.device("cpu")
    assert ember.ones(2, device=ember.device("cpu")).shape == (2,)
    makers = {"zeros": lambda: ember.zeros(2, device="cuda"),
              "arange": lambda: ember.arange(3, device="cuda:0"),
              "linspace": lambda: ember.linspace(0, 1, 3, device="cuda"),
              "eye": lambda: ember.eye(2, device="cuda"),
              "full": lambda: ember.full((2,), 1, device="cuda"),
              "randperm": lambda: ember.randperm(3, device="cuda")}
    for op, make in makers.items():
        if ember.cuda.is_available():
            assert make().device == ember.device("cuda:0")
        else:
            with pytest.raises(RuntimeError, match=f"{op}: .*(without CUDA|no CUDA device)"):
                make()
    if ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="invalid device cuda:7"):
            ember.zeros(2, device="cuda:7")
    t = ember.ones(3, requires_grad=True)
    assert t.requires_grad and not ember.ones(3).requires_grad
    with pytest.raises(RuntimeError, match="requires_grad"):
        ember.zeros(3, dtype=ember.int64, requires_grad=True)


def test_new_methods():
    base = ember.zeros(2, dtype=ember.int32)
    for got, value in ((base.new_zeros(3, 4), 0), (base.new_ones((3, 4)), 1),
                       (base.new_full((3, 4), 7), 7)):
        assert got.dtype is ember.int32 and got.shape == (3, 4)
        np.testing.assert_array_equal(got.numpy(), np.full((3, 4), value, np.int32))
    assert base.new_empty(5).dtype is ember.int32
    assert base.new_zeros(2, dtype=ember.float64).dtype is ember.float64
    t = base.new_tensor([1.7, 2.2])
    assert t.dtype is ember.int32 and t.numpy().tolist() == [1, 2]


def test_like_and_new_keep_the_device(device):
    """*_like and new_* make tensors on the input's device unless given one (PyTorch's rule)."""
    src = ember.arange(6, dtype=ember.float64, device=device).reshape(2, 3).t()
    made = [ember.zeros_like(src), ember.ones_like(src), ember.full_like(src, 4),
            ember.empty_like(src), ember.rand_like(src), ember.randn_like(src),
            ember.randint_like(src, 5), src.new_zeros(2), src.new_ones(2), src.new_full((2,), 3),
            src.new_empty(2), src.new_tensor([1, 2]), ember.bernoulli(src, 0.5),
            ember.bernoulli(ember.full_like(src, 0.5))]
    for got in made:
        assert got.device.type == device
    np.testing.assert_array_equal(made[2].numpy(), np.full((3, 2), 4.0))
    np.testing.assert_array_equal(made[8].numpy(), np.ones(2))
    np.testing.assert_array_equal(made[11].numpy(), np.array([1.0, 2.0]))
    for got in (ember.zeros_like(src, device="cpu"), src.new_ones(2, device="cpu")):
        assert got.device.type == "cpu"


@given(st.integers(-1000, 1000), st.integers(-1000, 1000),
       st.integers(-50, 50).filter(lambda s: s != 0))
@settings(max_examples=200, deadline=None)
def test_arange_length_rule_property(start, end, step):
    if (end - start) * step < 0:
        with pytest.raises(RuntimeError, match="sign"):
            ember.arange(start, end, step)
    else:
        np.testing.assert_array_equal(ember.arange(start, end, step).numpy(),
                                      np.arange(start, end, step, dtype=np.int64))
