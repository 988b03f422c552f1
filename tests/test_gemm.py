"""CPU GEMM ladder (ember.backends.cpu.gemm): every variant against the naive reference and
numpy, on shapes around every tile and cache block, with transposes, strides, alpha/beta, the
fused epilogue, every ISA this CPU has and 1 vs 2 threads."""
import math

import numpy as np
import pytest

import ember
from ember.backends import cpu

VARIANTS = list(cpu.variants())
FAST = ["blocked", "packed", "auto"]
DTYPES = [np.float32, np.float64]
# Tiles of the ISAs (microkernel.simd.cc): MR 6/8, NR 8/16/24/48; cache blocks come from the
# caches detected at run time (48 KiB L1, 1 MiB L2, 32 MiB L3 for 2 cores give KC 768/384 on
# AVX-512 and 1024/512 on AVX2, NC 128-168, MC ~2700): sizes just below, at and above them,
# plus primes and 1.
SHAPES = [
    (1, 1, 1), (7, 13, 11), (1000, 1, 1000), (1, 1000, 1), (1, 300, 7), (300, 7, 1),
    (5, 3, 7), (6, 17, 16), (7, 9, 17), (8, 5, 47), (9, 4, 48), (13, 3, 49),
    (17, 255, 23), (11, 256, 25), (9, 257, 24), (5, 511, 9), (10, 512, 50), (3, 513, 97),
    (12, 40, 239), (7, 30, 241), (9, 20, 481), (2049, 5, 9), (65, 70, 33),
    (5, 767, 9), (4, 768, 50), (3, 769, 97), (2, 1025, 17), (9, 5, 143), (10, 6, 145),
    (2729, 3, 5),
]


def rand(shape, dtype, seed):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(dtype)


def tol(dtype, k):
    # Sums of k products of values in [-1, 1]: rounding grows like sqrt(k).
    eps = 2e-6 if dtype == np.float32 else 1e-14
    return dict(rtol=eps * 10, atol=eps * 10 * max(1.0, math.sqrt(k)))


def run(a, b, variant, **kw):
    out = cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), variant=variant, **kw)
    return out.numpy()


# The naive reference is too slow above ~2M multiply-adds; the other variants cover those shapes.
CASES = [(m, k, n, v) for (m, k, n) in SHAPES for v in VARIANTS
         if v != "naive" or m * n * k <= 2_000_000]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n,variant", CASES)
def test_gemm_matches_numpy_and_naive(m, k, n, variant, dtype):
    a, b = rand((m, k), dtype, 1), rand((k, n), dtype, 2)
    got = run(a, b, variant)
    assert got.dtype == dtype and got.shape == (m, n)
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, **tol(dtype, k))
    if variant != "naive" and m * n * k <= 2_000_000:
        np.testing.assert_allclose(got, run(a, b, "naive"), **tol(dtype, k))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("trans_a,trans_b", [(False, True), (True, False), (True, True)])
@pytest.mark.parametrize("m,k,n", [(7, 13, 11), (1, 29, 50), (50, 29, 1), (37, 300, 53)])
def test_gemm_transposes(m, k, n, trans_a, trans_b, variant, dtype):
    a = rand((k, m) if trans_a else (m, k), dtype, 3)
    b = rand((n, k) if trans_b else (k, n), dtype, 4)
    got = run(a, b, variant, trans_a=trans_a, trans_b=trans_b)
    want = (a.T if trans_a else a).astype(np.float64) @ (b.T if trans_b else b)
    np.testing.assert_allclose(got, want, **tol(dtype, k))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_gemm_non_contiguous_inputs(variant, dtype):
    base_a, base_b = rand((40, 60), dtype, 5), rand((70, 90), dtype, 6)
    cases = [
        (base_a.T, base_b[:40, :9]),            # column-major A, row stride 90 in B
        (base_a[::2, ::3], base_b[:20, 1::2]),  # no unit stride at all: copied first
        (base_a[3:9, 7:47], base_b[::2, :40].T),  # offset view, transposed strided B
    ]
    for a, b in cases:
        got = run(a, b, variant)
        np.testing.assert_allclose(got, a.astype(np.float64) @ b, **tol(dtype, a.shape[1]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("layout", ["row", "column", "strided"])
def test_gemm_alpha_beta_into_out(layout, variant, dtype):
    m, k, n = 19, 23, 29
    a, b = rand((m, k), dtype, 7), rand((k, n), dtype, 8)
    c0 = rand((m, n), dtype, 9)
    if layout == "row":
        store = c0.copy()
        view = store
    elif layout == "column":
        store = np.ascontiguousarray(c0.T)
        view = store.T
    else:
        store = np.zeros((2 * m, 3 * n), dtype)
        view = store[::2, ::3]
        view[...] = c0
    out = ember.from_numpy(view)
    res = cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), out=out, alpha=0.5, beta=-2.0,
                   variant=variant)
    assert res is out
    want = 0.5 * (a.astype(np.float64) @ b) - 2.0 * c0
    np.testing.assert_allclose(view, want, **tol(dtype, k))
    if layout == "strided":  # the elements between the view's are untouched
        mask = np.ones(store.shape, bool)
        mask[::2, ::3] = False
        assert not store[mask].any()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_gemm_beta_zero_ignores_nan_in_out(variant, dtype):
    a, b = rand((9, 31), dtype, 10), rand((31, 50), dtype, 11)
    out = np.full((9, 50), np.nan, dtype)
    cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), out=ember.from_numpy(out), beta=0.0,
             variant=variant)
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, **tol(dtype, 31))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("beta", [0.0, 1.0, 3.0])
def test_gemm_k_zero(beta, variant, dtype):
    a, b = np.zeros((5, 0), dtype), np.zeros((0, 7), dtype)
    c0 = rand((5, 7), dtype, 12)
    out = c0.copy()
    bias = rand((7,), dtype, 13)
    cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), out=ember.from_numpy(out), beta=beta,
             bias=ember.from_numpy(bias), variant=variant)
    np.testing.assert_allclose(out, beta * c0 + bias, rtol=1e-6)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("m,n", [(0, 5), (5, 0), (0, 0)])
def test_gemm_empty_output(m, n, variant):
    got = run(np.ones((m, 3), np.float32), np.ones((3, n), np.float32), variant)
    assert got.shape == (m, n)


def _erf(x):
    return np.vectorize(math.erf)(x)


ACTIVATIONS = {
    None: lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("bias_dim", [None, 1, 0])
@pytest.mark.parametrize("m,k,n", [(17, 1100, 53), (1, 40, 30), (30, 40, 1)])
def test_gemm_epilogue(m, k, n, bias_dim, activation, variant, dtype):
    # k = 1100 spans two or three K slices: the epilogue must run once, after the last one.
    a, b = rand((m, k), dtype, 14) * 0.2, rand((k, n), dtype, 15)
    c0 = rand((m, n), dtype, 16)
    want = 0.5 * (a.astype(np.float64) @ b) + 0.25 * c0
    kw = {}
    if bias_dim is not None:
        bias = rand((n if bias_dim == 1 else m,), dtype, 17)
        want = want + (bias[None, :] if bias_dim == 1 else bias[:, None])
        kw = dict(bias=ember.from_numpy(bias), bias_dim=bias_dim)
    want = ACTIVATIONS[activation](want)
    out = c0.copy()
    cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), out=ember.from_numpy(out), alpha=0.5,
             beta=0.25, activation=activation, variant=variant, **kw)
    np.testing.assert_allclose(out, want, **tol(dtype, k))


@pytest.mark.parametrize("variant", FAST)
def test_gemm_epilogue_on_column_major_out(variant):
    # A column-major out is filled as C^T = B^T A^T: the bias must follow to the other axis.
    a, b = rand((13, 20), np.float64, 18), rand((20, 9), np.float64, 19)
    bias = rand((13,), np.float64, 20)
    out = np.zeros((9, 13)).T
    cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), out=ember.from_numpy(out),
             bias=ember.from_numpy(bias[::1]), bias_dim=0, activation="relu", variant=variant)
    np.testing.assert_allclose(out, np.maximum(a @ b + bias[:, None], 0), rtol=1e-12)


def test_gemm_strided_bias():
    a, b = rand((6, 5), np.float64, 21), rand((5, 8), np.float64, 22)
    bias = rand((16,), np.float64, 23)[::2]
    got = cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), bias=ember.from_numpy(bias))
    np.testing.assert_allclose(got.numpy(), a @ b + bias, rtol=1e-12)


def _capabilities():
    order = ["default", "avx2", "avx512"]
    best = ember._C.build_config()["cpu_detected"]
    return order[: order.index(best) + 1]


@pytest.fixture
def restore_capability():
    before = ember._C.cpu_capability()
    yield
    ember._C.set_cpu_capability(before)


@pytest.mark.parametrize("capability", _capabilities())
@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_every_isa(capability, dtype, restore_capability):
    ember._C.set_cpu_capability(capability)
    assert ember._C.cpu_capability() == capability
    for (m, k, n), (ta, tb) in [((7, 13, 11), (False, False)), ((33, 530, 101), (False, True)),
                                ((130, 70, 250), (True, False)), ((1, 77, 300), (True, True)),
                                ((300, 77, 1), (False, False)), ((300, 77, 1), (True, False))]:
        a = rand((k, m) if ta else (m, k), dtype, 24)
        b = rand((n, k) if tb else (k, n), dtype, 25)
        bias = rand((n,), dtype, 26)
        product = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b) + bias
        for activation in ("tanh", "relu"):  # relu is fused into whole-tile stores
            want = ACTIVATIONS[activation](product)
            for variant in ("packed", "auto"):
                got = run(a, b, variant, trans_a=ta, trans_b=tb, bias=ember.from_numpy(bias),
                          activation=activation)
                np.testing.assert_allclose(got, want, **tol(dtype, k))


@pytest.mark.parametrize("variant", VARIANTS)
def test_gemm_threads_give_identical_results(variant):
    # Threads split M and N, never K, so every element is summed in the same order.
    a, b = rand((150, 200), np.float32, 27), rand((200, 130), np.float32, 28)
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        one = run(a, b, variant)
        ember.set_num_threads(2)
        two = run(a, b, variant)
    finally:
        ember.set_num_threads(before)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(one, a.astype(np.float64) @ b, **tol(np.float32, 200))


# The matrix-vector path of "auto" (M == 1 or N == 1): x @ B runs column panels of 16, 4 and 1
# vectors then scalar columns; A @ x runs groups of 8 rows. Lengths around every panel width
# (AVX-512 float: 256, 64, 16; double: 128, 32, 8; AVX2 halves them), ragged K, both layouts.
GEMV_LENGTHS = [1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 255, 256, 257, 300, 531]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("trans", [False, True])
@pytest.mark.parametrize("k", [1, 2, 13, 64, 97])
@pytest.mark.parametrize("length", GEMV_LENGTHS)
def test_gemv_paths(length, k, trans, dtype):
    x = rand((1, k), dtype, 29)
    mat = rand((length, k) if trans else (k, length), dtype, 30)
    want = x.astype(np.float64) @ (mat.T if trans else mat)
    vecmat = run(x, mat, "auto", trans_b=trans)  # 1 x length
    np.testing.assert_allclose(vecmat, want, **tol(dtype, k))
    # The same product as a column: A @ x with A (length x k), x a column.
    a = mat.T.copy() if not trans else mat
    matvec = run(np.ascontiguousarray(a.T) if trans else a, x.T.copy(), "auto", trans_a=trans)
    np.testing.assert_allclose(matvec, want.T, **tol(dtype, k))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("m,k,n,ta,tb", [(1, 2003, 517, False, False), (1, 1031, 1009, False, True),
                                         (1013, 1021, 1, False, False), (997, 1024, 1, True, False),
                                         (1, 4096, 1024, True, False)])
def test_gemv_large_threads_epilogue(m, k, n, ta, tb, threads, dtype):
    # Large enough for two threads, each finishing its own run of outputs (bias + activation).
    a = rand((k, m) if ta else (m, k), dtype, 31)
    b = rand((n, k) if tb else (k, n), dtype, 32)
    bias = rand((n if m == 1 else m,), dtype, 33)
    bias_dim = 1 if m == 1 else 0
    product = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b)
    want = np.tanh(2.0 * product + (bias[None, :] if bias_dim == 1 else bias[:, None]))
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(threads)
        got = run(a, b, "auto", trans_a=ta, trans_b=tb, alpha=2.0, bias=ember.from_numpy(bias),
                  bias_dim=bias_dim, activation="tanh")
    finally:
        ember.set_num_threads(before)
    np.testing.assert_allclose(got, want, **tol(dtype, k))


def test_variants_lists_the_ladder():
    assert cpu.variants() == ("naive", "blocked", "packed", "auto")


def E(x):
    return ember.from_numpy(np.asarray(x))


def test_gemm_errors():
    f32 = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"gemm: shapes \(2, 3\) and \(4, 5\) cannot be multiplied \(3 != 4\)"):
        cpu.gemm(E(f32), E(np.ones((4, 5), np.float32)))
    with pytest.raises(ValueError, match=r"gemm: shapes \(2, 3\)\.T and \(4, 5\)"):
        cpu.gemm(E(f32), E(np.ones((4, 5), np.float32)), trans_a=True)
    with pytest.raises(ValueError, match=r"gemm: expected two 2-D matrices, got shapes \(3,\)"):
        cpu.gemm(E(np.ones(3, np.float32)), E(f32))
    with pytest.raises(TypeError, match="gemm: expected float32 or float64 .* float32 and float64"):
        cpu.gemm(E(f32), E(np.ones((3, 2))))
    with pytest.raises(TypeError, match="gemm: expected float32 or float64 .* int64 and int64"):
        cpu.gemm(E(np.ones((2, 3), np.int64)), E(np.ones((3, 2), np.int64)))
    b = E(np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match=r"gemm: out has shape \(2, 5\), expected \(2, 4\)"):
        cpu.gemm(E(f32), b, out=E(np.zeros((2, 5), np.float32)))
    with pytest.raises(TypeError, match="gemm: out has dtype float64, expected float32"):
        cpu.gemm(E(f32), b, out=E(np.zeros((2, 4))))
    with pytest.raises(ValueError, match="gemm: beta=0.5 .* needs an out tensor"):
        cpu.gemm(E(f32), b, beta=0.5)
    with pytest.raises(ValueError, match=r"gemm: bias of shape \(2,\) does not fit dim 1 .* expected \(4,\)"):
        cpu.gemm(E(f32), b, bias=E(np.ones(2, np.float32)))
    with pytest.raises(TypeError, match="gemm: bias has dtype float64"):
        cpu.gemm(E(f32), b, bias=E(np.ones(4)))
    with pytest.raises(IndexError):
        cpu.gemm(E(f32), b, bias=E(np.ones(4, np.float32)), bias_dim=2)
    with pytest.raises(ValueError, match="gemm: unknown activation 'swish'"):
        cpu.gemm(E(f32), b, activation="swish")
    with pytest.raises(ValueError, match="gemm: unknown variant 'fast'"):
        cpu.gemm(E(f32), b, variant="fast")
    with pytest.raises(TypeError, match="gemm: a must be an ember.Tensor"):
        cpu.gemm(f32, b)
    shared = np.zeros((3, 3), np.float32)
    with pytest.raises(ValueError, match="gemm: out must not share memory"):
        cpu.gemm(E(shared), E(shared), out=E(shared))
    with pytest.raises(ValueError, match="gemm: out of shape .* overlapping"):
        cpu.gemm(E(f32), b, out=E(np.broadcast_to(np.zeros((1, 4), np.float32), (2, 4))))
