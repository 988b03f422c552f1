"""CUDA conv2d and conv3d variants (naive = the direct kernels, implicit_gemm, im2col = the
implicit GEMM on CUDA, auto) against the CPU direct kernels (variant "naive"): the output,
grad_input and grad_weight over awkward shapes (batch 1, primes, one channel, groups, depthwise,
strides, dilations, paddings, 1x1, kernel = input size, tiles of 64 partly filled, split-K
grad_weight, a depth axis), float32 and float64; the split-K reduction is deterministic; bad
input. Sizes stay small: on the SIMT emulator every CUDA thread is a fiber."""
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F

needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason="no CUDA backend")

VARIANTS = ["naive", "implicit_gemm", "im2col", "auto"]
DTYPES = [np.float32, np.float64]

# (N, C_in, H, W), (C_out, C_in / groups, kh, kw), stride, padding, dilation, groups.
# The implicit GEMM tiles are 32 x 128 x 8 for M <= 32 rows, else 64 x 64 x 8; grad_weight
# splits K = N * out_h * out_w in chunks of at least 256.
CASES = [
    ((1, 1, 1, 1), (1, 1, 1, 1), 1, 0, 1, 1),                  # every size 1
    ((1, 3, 5, 7), (2, 3, 5, 7), 1, 0, 1, 1),                  # kernel = input size: 1x1 output
    ((2, 3, 7, 5), (5, 3, 1, 1), 1, 0, 1, 1),                  # 1x1 pointwise
    ((1, 3, 11, 13), (7, 3, 3, 3), 2, 1, 1, 1),                # primes, stride 2
    ((2, 4, 9, 8), (6, 2, 3, 2), (2, 3), (1, 2), (2, 1), 2),   # groups, mixed geometry
    ((2, 5, 7, 7), (5, 1, 3, 3), 1, 1, 1, 5),                  # depthwise
    ((1, 3, 6, 6), (6, 1, 3, 3), 2, 1, 1, 3),                  # depthwise, multiplier 2
    ((3, 2, 5, 5), (70, 2, 2, 2), 1, 1, 1, 1),                 # M = 70: two row tiles
    ((1, 70, 4, 3), (9, 70, 2, 2), 1, 0, 1, 1),                # K = 280, grad_input M = 70
    ((2, 1, 17, 13), (3, 1, 5, 3), (3, 2), (2, 0), (1, 3), 1),  # one channel, strided gaps
    ((1, 2, 10, 10), (3, 2, 2, 2), 4, 0, 1, 1),                # stride > kernel: unread inputs
    ((4, 6, 12, 12), (8, 3, 3, 3), 1, 1, 1, 2),                # N = 576; grad_weight split-K
    ((3, 2, 24, 24), (2, 2, 3, 3), 1, 0, 1, 1),                # K = 1452: six splits
    ((2, 3, 16, 16), (40, 3, 2, 2), 1, 0, 1, 1),               # M = 40: 64-row tiles, split-K
    ((2, 3, 6, 7), (4, 3, 4, 2), 1, "same", 1, 1),             # even kernel: asymmetric pad
]
# conv3d, the same kernels with a depth axis:
# (N, C_in, D, H, W), (C_out, C_in / groups, kd, kh, kw), stride, padding, dilation, groups.
CASES_3D = [
    ((1, 1, 1, 1, 1), (1, 1, 1, 1, 1), 1, 0, 1, 1),                        # every size 1
    ((2, 3, 5, 4, 6), (9, 3, 3, 2, 3), (2, 1, 2), (1, 0, 1), (1, 2, 1), 1),  # M = 9: GEMM
    ((2, 4, 4, 5, 3), (10, 2, 2, 3, 2), 1, "same", 1, 2),                  # groups, asymmetric pad
    ((1, 2, 7, 6, 5), (9, 2, 3, 3, 3), (3, 2, 1), 1, (2, 1, 1), 1),        # depth gaps
    ((1, 12, 3, 4, 4), (4, 12, 1, 1, 1), 1, 0, 1, 1),                      # 1x1x1, M = 12
]


CONV = {4: F.conv2d, 5: F.conv3d}


def rand(shape, dtype, seed):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(dtype)


def tol(dtype, k):
    eps = 1e-6 if dtype == np.float32 else 1e-14
    return dict(rtol=eps * 10, atol=eps * 10 * max(1.0, math.sqrt(k)))


def conv_and_grads(x, w, b, g, geometry, device, variant):
    """conv2d(x, w, b) (conv3d for a 5-D x) and the gradients of sum(out * g) on `device`, as
    numpy arrays."""
    stride, padding, dilation, groups = geometry
    ex, ew, eb = (ember.from_numpy(a).to(device).requires_grad_() for a in (x, w, b))
    out = CONV[x.ndim](ex, ew, eb, stride, padding, dilation, groups, variant=variant)
    out.backward(ember.from_numpy(g).to(device))
    return [t.detach().cpu().numpy() for t in (out, ex.grad, ew.grad, eb.grad)]


def operands(x_shape, w_shape, geometry, dtype):
    x, w, b = rand(x_shape, dtype, 1), rand(w_shape, dtype, 2), rand(w_shape[0], dtype, 3)
    out_shape = CONV[x.ndim](ember.from_numpy(x), ember.from_numpy(w), None, *geometry).shape
    return x, w, b, rand(tuple(out_shape), dtype, 4)


@needs_cuda
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("x_shape,w_shape,stride,padding,dilation,groups", CASES + CASES_3D)
def test_variant_matches_cpu_naive(x_shape, w_shape, stride, padding, dilation, groups, variant,
                                   dtype):
    geometry = (stride, padding, dilation, groups)
    x, w, b, g = operands(x_shape, w_shape, geometry, dtype)
    want = conv_and_grads(x, w, b, g, geometry, "cpu", "naive")
    got = conv_and_grads(x, w, b, g, geometry, "cuda", variant)
    taps = math.prod(w_shape[2:])
    # The length of each result's sums: forward, grad_input, grad_weight, grad_bias.
    lengths = [w_shape[1] * taps, w_shape[0] // groups * taps, g[0, 0].size * g.shape[0], g.size]
    for name, e, t, k in zip(("output", "grad_input", "grad_weight", "grad_bias"), got, want,
                             lengths):
        assert e.dtype == dtype and e.shape == t.shape, name
        np.testing.assert_allclose(e, t, err_msg=name, **tol(dtype, k))


@needs_cuda
@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col_on_cuda_is_the_implicit_gemm(dtype):
    geometry = ((2, 1), 1, (1, 2), 2)
    x, w, b, g = operands((2, 4, 9, 11), (6, 2, 3, 3), geometry, dtype)
    for a, e in zip(conv_and_grads(x, w, b, g, geometry, "cuda", "im2col"),
                    conv_and_grads(x, w, b, g, geometry, "cuda", "implicit_gemm")):
        np.testing.assert_array_equal(a, e)


@needs_cuda
def test_split_k_grad_weight_is_deterministic():
    # K = 3 * 22 * 22 = 1452 is summed in six chunks, then the chunks in a fixed order: the same
    # bits every run (no atomics).
    geometry = (1, 0, 1, 1)
    x, w, b, g = operands((3, 2, 24, 24), (2, 2, 3, 3), geometry, np.float32)
    runs = [conv_and_grads(x, w, b, g, geometry, "cuda", "implicit_gemm")[2] for _ in range(3)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r, runs[0])


@needs_cuda
@pytest.mark.parametrize("variant", VARIANTS)
def test_empty_and_channel_free_shapes(variant):
    # No input channels: the output is the bias and grad_weight is empty; batch 0: no output.
    x, w, b = np.zeros((2, 0, 4, 4), np.float32), np.zeros((3, 0, 2, 2), np.float32), rand(3, np.float32, 5)
    out = F.conv2d(*(ember.from_numpy(a).to("cuda") for a in (x, w, b)), variant=variant)
    np.testing.assert_array_equal(out.cpu().numpy(), np.broadcast_to(b[:, None, None], (2, 3, 3, 3)))
    x = np.zeros((0, 2, 4, 4), np.float32)
    w = rand((3, 2, 2, 2), np.float32, 6)
    out = F.conv2d(ember.from_numpy(x).to("cuda"), ember.from_numpy(w).to("cuda"), variant=variant)
    assert tuple(out.shape) == (0, 3, 3, 3)


def test_implicit_gemm_is_cuda_only():
    x, w = ember.randn(1, 2, 5, 5), ember.randn(3, 2, 3, 3)
    with pytest.raises(ValueError, match="conv2d: variant 'implicit_gemm' runs on CUDA only"):
        F.conv2d(x, w, variant="implicit_gemm")


@needs_cuda
def test_unknown_variant_names_the_choices():
    x, w = ember.randn(1, 2, 5, 5, device="cuda"), ember.randn(3, 2, 3, 3, device="cuda")
    with pytest.raises(ValueError, match="unknown variant 'fft'.*'implicit_gemm'"):
        F.conv2d(x, w, variant="fft")
