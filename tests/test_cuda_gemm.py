"""CUDA GEMM ladder (ember.backends.cuda.gemm) against the CPU reference (cpu.gemm, variant
"naive"): every variant and dtype on shapes around and inside the tiles, transposes, alpha/beta,
the bias/activation epilogue, unaligned operands (the vectorized loads' fallback); matmul, mm,
bmm, mv and dot on both devices with batch broadcasting and transposed operands; bad input.
Sizes stay small: on the SIMT emulator every CUDA thread is a fiber."""
import math

import numpy as np
import pytest

import ember
from ember.backends import cpu, cuda

needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason="no CUDA backend")

VARIANTS = list(cuda.variants())
DTYPES = [np.float32, np.float64]
ACTIVATIONS = [None, "relu", "gelu", "sigmoid", "tanh"]
# Tiles are 16 (naive, tiled), 64 x 64 x 8 (register, vectorized) and up to 128 x 128 x 8
# (warp): single elements, primes, K = 0, one partial and several partial tiles.
SHAPES = [(1, 1, 1), (1, 7, 1), (2, 3, 5), (5, 0, 7), (7, 13, 11), (33, 17, 65), (1, 70, 31),
          (67, 29, 1), (64, 8, 64), (65, 9, 63), (16, 16, 17), (3, 31, 70)]


def rand(shape, dtype, seed):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(dtype)


def tol(dtype, k):
    eps = 2e-6 if dtype == np.float32 else 1e-14
    return dict(rtol=eps * 10, atol=eps * 10 * max(1.0, math.sqrt(k)))


def on_cuda(x):
    return ember.from_numpy(np.ascontiguousarray(x)).to("cuda")


def reference(a, b, **kw):
    """The CPU naive GEMM on numpy inputs (out, bias given as numpy too)."""
    for name in ("out", "bias"):
        if kw.get(name) is not None:
            kw[name] = ember.from_numpy(kw[name].copy())
    out = cpu.gemm(ember.from_numpy(a), ember.from_numpy(b), variant="naive", **kw)
    return out.numpy()


def on_device(a, b, variant, **kw):
    for name in ("out", "bias"):
        if kw.get(name) is not None:
            kw[name] = on_cuda(kw[name])
    return cuda.gemm(on_cuda(a), on_cuda(b), variant=variant, **kw).cpu().numpy()


@needs_cuda
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("m,k,n", SHAPES)
def test_variant_matches_cpu_naive(m, k, n, variant, dtype):
    a, b = rand((m, k), dtype, 1), rand((k, n), dtype, 2)
    got = on_device(a, b, variant)
    assert got.dtype == dtype and got.shape == (m, n)
    np.testing.assert_allclose(got, reference(a, b), **tol(dtype, k))


@needs_cuda
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("trans_a,trans_b", [(False, True), (True, False), (True, True)])
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (7, 13, 11), (33, 17, 65), (66, 5, 3)])
def test_transposes_alpha_beta(m, k, n, trans_a, trans_b, variant, dtype):
    a = rand((k, m) if trans_a else (m, k), dtype, 3)
    b = rand((n, k) if trans_b else (k, n), dtype, 4)
    c = rand((m, n), dtype, 5)
    kw = dict(trans_a=trans_a, trans_b=trans_b, alpha=0.75, beta=-1.5)
    got = on_device(a, b, variant, out=c, **kw)
    np.testing.assert_allclose(got, reference(a, b, out=c, **kw), **tol(dtype, k))


@needs_cuda
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias_dim", [None, 0, 1])
def test_bias_and_activation_epilogue(bias_dim, activation, variant, dtype):
    m, k, n = 19, 23, 37
    a, b = rand((m, k), dtype, 6), rand((k, n), dtype, 7)
    bias = None if bias_dim is None else rand((m if bias_dim == 0 else n,), dtype, 8)
    kw = dict(bias=bias, bias_dim=1 if bias_dim is None else bias_dim, activation=activation)
    got = on_device(a, b, variant, **kw)
    np.testing.assert_allclose(got, reference(a, b, **kw), **tol(dtype, k))


@needs_cuda
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("width,offset", [(44, 0), (44, 1), (41, 0)])
@pytest.mark.parametrize("trans_a,trans_b", [(False, False), (True, True)])
def test_unaligned_and_strided_operands(width, offset, trans_a, trans_b, variant, dtype):
    # Views into rows of `width` elements: (44, 0) is 16-byte aligned (the 128-bit loads, with
    # K = 38 and M = 37 ending in partial vectors); (44, 1) starts one element past a 16-byte
    # boundary and (41, 0) has an odd leading dim: both take the scalar loads.
    m, k, n = 37, 38, 35
    wa = rand((k if trans_a else m, width), dtype, 9)
    wb = rand((n if trans_b else k, width), dtype, 10)
    cols_a, cols_b = (m if trans_a else k), (k if trans_b else n)
    a = on_cuda(wa)[:, offset:offset + cols_a]
    b = on_cuda(wb)[:, offset:offset + cols_b]
    got = cuda.gemm(a, b, trans_a=trans_a, trans_b=trans_b, variant=variant).cpu().numpy()
    want = reference(wa[:, offset:offset + cols_a].copy(), wb[:, offset:offset + cols_b].copy(),
                     trans_a=trans_a, trans_b=trans_b)
    np.testing.assert_allclose(got, want, **tol(dtype, k))


@needs_cuda
@pytest.mark.parametrize("variant", VARIANTS)
def test_column_major_out(variant):
    a, b = rand((9, 14), np.float64, 11), rand((14, 6), np.float64, 12)
    c = rand((6, 9), np.float64, 13)
    out = on_cuda(c).T  # a (9, 6) view with unit stride down its columns
    cuda.gemm(on_cuda(a), on_cuda(b), out=out, beta=2.0, bias=on_cuda(c[:, 0]), bias_dim=1,
              variant=variant)
    want = a @ b + 2.0 * c.T + c[:, 0]
    np.testing.assert_allclose(out.cpu().numpy(), want, rtol=1e-12, atol=1e-12)


# ---- matmul and friends, on every device ------------------------------------------------------

MATMUL_SHAPES = [
    ((7,), (7,)), ((7,), (7, 5)), ((5, 7), (7,)), ((3, 4, 6), (6,)), ((6,), (2, 6, 3)),
    ((1, 1), (1, 1)), ((13, 7), (7, 11)), ((0, 3), (3, 4)), ((3, 0), (0, 4)),
    ((2, 3, 5, 7), (7, 4)), ((3, 5, 7), (3, 7, 2)), ((3, 1, 5, 6), (1, 4, 6, 2)),
    ((2, 1, 4, 3), (5, 3, 2)),
]


def device_tensor(x, device):
    return ember.from_numpy(np.ascontiguousarray(x)).to(device)


@pytest.mark.parametrize("dtype", DTYPES + [np.int64])
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_broadcast_on_device(sa, sb, dtype, device):
    rng = np.random.default_rng(14)
    a = rng.integers(-9, 9, sa).astype(dtype)
    b = rng.integers(-9, 9, sb).astype(dtype)
    got = device_tensor(a, device) @ device_tensor(b, device)
    assert got.device.type == device and got.shape == np.matmul(a, b).shape
    want = np.matmul(a.astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transposed_operands_read_in_place(dtype, device):
    # a @ b.T, a.T @ b, the .mT of the backward pass, strided batches and broadcast views.
    a = rand((4, 9, 6), dtype, 15)
    b = rand((4, 5, 6), dtype, 16)
    ta, tb = device_tensor(a, device), device_tensor(b, device)
    cases = [
        (ta @ tb.mT, a @ b.transpose(0, 2, 1)),
        (ta.mT @ ta, a.transpose(0, 2, 1) @ a),
        (ta[0] @ tb[1].T, a[0] @ b[1].T),
        (ta[0].T @ ta[1], a[0].T @ a[1]),
        (ta[::2] @ tb[::2].mT, a[::2] @ b[::2].transpose(0, 2, 1)),
        (ta[:, 1:8, :] @ tb[0, 2:4, :].T, a[:, 1:8, :] @ b[0, 2:4, :].T),
        (ta[1].T[2:5] @ ta[2].T[1:5].T, a[1].T[2:5] @ a[2].T[1:5].T),
        (ta[:, :, 0] @ ta[0, :, :], a[:, :, 0] @ a[0]),  # rows with a non-unit stride
    ]
    for got, want in cases:
        np.testing.assert_allclose(got.cpu().numpy(), want, **tol(dtype, 9))


@pytest.mark.parametrize("dtype", DTYPES)
def test_mm_bmm_mv_dot_on_device(dtype, device):
    rng = np.random.default_rng(17)
    m, k, n = rng.standard_normal((5, 7)), rng.standard_normal((7, 3)), rng.standard_normal(7)
    b1, b2 = rng.standard_normal((4, 5, 7)), rng.standard_normal((4, 7, 2))
    t = lambda x: device_tensor(x.astype(dtype), device)  # noqa: E731
    checks = [
        (ember.mm(t(m), t(k)), m @ k), (ember.bmm(t(b1), t(b2)), b1 @ b2),
        (ember.mv(t(m), t(n)), m @ n), (ember.dot(t(n), t(n)), n @ n),
    ]
    for got, want in checks:
        assert got.device.type == device
        np.testing.assert_allclose(got.cpu().numpy(), want, rtol=1e-5, atol=1e-5)


@needs_cuda
def test_autograd_through_cuda_matmul():
    a = rand((3, 5, 4), np.float64, 18)
    b = rand((4, 6), np.float64, 19)
    ta = on_cuda(a).requires_grad_()
    tb = on_cuda(b).requires_grad_()
    ones = np.ones((3, 5, 6))
    (ta @ tb).backward(on_cuda(ones))
    np.testing.assert_allclose(ta.grad.cpu().numpy(), ones @ b.T, rtol=1e-12)
    np.testing.assert_allclose(tb.grad.cpu().numpy(), np.einsum("bik,bij->kj", a, ones),
                               rtol=1e-12)


# ---- bad input --------------------------------------------------------------------------------

@needs_cuda
def test_mixed_devices_raise():
    x, y = ember.ones(3, 4), ember.ones(4, 2).to("cuda")
    for op in (lambda: x @ y, lambda: ember.mm(y.T, x.T), lambda: ember.bmm(x[None], y[None])):
        with pytest.raises(RuntimeError, match=r"(matmul|mm|bmm): expected both operands on one device"):
            op()
    with pytest.raises(RuntimeError, match="gemm: expected a and b on one device"):
        cuda.gemm(y.T, x.T)
    with pytest.raises(RuntimeError, match="gemm: expected bias on cuda"):
        cuda.gemm(y, y.T, bias=ember.ones(4))
    with pytest.raises(RuntimeError, match="gemm: expected out on cuda"):
        cuda.gemm(y, y.T, out=ember.ones(4, 4))


@needs_cuda
def test_bad_shapes_and_names_raise():
    x = ember.ones(3, 4).to("cuda")
    with pytest.raises(ValueError, match=r"gemm: shapes \(3, 4\) and \(3, 4\) cannot be multiplied"):
        cuda.gemm(x, x)
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(3, 4\) and \(3, 4\) cannot be multiplied"):
        x @ x
    with pytest.raises(ValueError, match="gemm: unknown variant 'packed' on CUDA"):
        cuda.gemm(x, x.T, variant="packed")
    with pytest.raises(ValueError, match="gemm: unknown activation"):
        cuda.gemm(x, x.T, activation="swish")
    with pytest.raises(RuntimeError, match="gemm: the cuda backend got a tensor on cpu"):
        cuda.gemm(ember.ones(2, 2), ember.ones(2, 2))
    with pytest.raises(TypeError, match="gemm: expected float32 or float64"):
        cuda.gemm(x.to(ember.int64), x.T.to(ember.int64))


def test_variant_lists():
    assert cuda.variants() == ("naive", "tiled", "register", "vectorized", "warp", "auto")
    assert cpu.variants() == ("naive", "blocked", "packed", "auto")


@needs_cuda
def test_batch_beyond_one_launch():
    # grid.z holds 65535 problems: the rest of the batch goes in a second launch.
    count = 65537
    a = np.arange(count, dtype=np.float32).reshape(count, 1, 1)
    b = np.full((count, 1, 1), 2.0, dtype=np.float32)
    got = ember.bmm(on_cuda(a), on_cuda(b)).cpu().numpy()
    np.testing.assert_array_equal(got, a * 2)
