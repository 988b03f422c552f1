"""The register-blocked direct convolution (variant="blocked", CPU): against the direct (naive)
kernels and PyTorch, output and every gradient, over kernel sizes, strides, paddings,
dilations, groups, channel counts around the output-channel vectors, and output widths around
the pixel block (14 on AVX-512, 6 on AVX2); every instruction set; conv1d/conv3d and the
transposed convolutions that run on it; gradcheck; bad input."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")

TOL = {"float32": 1e-4, "float64": 1e-10}

# (N, C_in, H, W), (C_out, kh, kw), stride, padding, dilation, groups; the comment gives
# (out_h, out_w).
CASES = [
    ((1, 1, 5, 5), (1, 1, 1), 1, 0, 1, 1),            # (5, 5) one channel, 1x1
    ((3, 3, 6, 13), (17, 3, 3), 1, 0, 1, 1),          # (4, 11)
    ((1, 17, 4, 14), (32, 3, 3), 1, 1, 1, 1),         # (4, 14) one pixel block
    ((3, 32, 5, 15), (33, 5, 5), 1, 2, 1, 1),         # (5, 15): pixel blocks 8 + 7
    ((1, 33, 3, 29), (64, 3, 3), 1, 1, 1, 1),         # (3, 29)
    ((3, 4, 7, 13), (6, 7, 7), 1, 3, 1, 2),           # (7, 13) groups 2, k7
    ((1, 64, 3, 7), (3, 3, 3), 1, 1, 2, 1),           # (1, 5) dilation 2
    ((3, 64, 7, 7), (32, 3, 3), 1, 1, 1, 1),          # (7, 7)
    ((3, 6, 9, 11), (4, 3, 3), 1, 2, 2, 2),           # (9, 11) dilation and groups
    ((1, 3, 9, 28), (17, 3, 3), 2, 1, 1, 1),          # (5, 14) stride 2
    ((3, 17, 8, 29), (32, 5, 5), 2, 2, 1, 1),         # (4, 15)
    ((1, 2, 5, 14), (32, 3, 3), 2, 3, 2, 2),          # (4, 8) stride, dilation, groups
    ((3, 3, 7, 7), (5, 7, 7), 2, 3, 1, 1),            # (4, 4)
    ((1, 32, 3, 3), (32, 3, 3), 1, 0, 1, 1),          # (1, 1)
    ((3, 5, 6, 1), (7, 1, 1), 1, 0, 1, 1),            # (6, 1)
    ((1, 3, 4, 6), (8, 5, 5), 1, 3, 1, 1),            # (6, 8) padding > k - 1: a crop
    ((1, 4, 5, 7), (4, 3, 3), 1, 3, 1, 2),            # (9, 11) padding 3 > k - 1
    ((3, 2, 6, 5), (3, 4, 2), 1, "same", (1, 2), 1),  # even kernel: asymmetric padding
    ((1, 3, 7, 5), (2, 1, 3), (2, 1), (0, 1), 1, 1),  # unequal strides
]


def _ops(x_shape, w_shape, groups, seed=0):
    rng = np.random.default_rng(seed)
    c_out, kh, kw = w_shape
    return [rng.standard_normal(x_shape),
            rng.standard_normal((c_out, x_shape[1] // groups, kh, kw)), rng.standard_normal(c_out)]


def _ember_run(arrays, dtype, variant, fn, x_view=None):
    e = [ember.tensor(a, dtype=getattr(ember, dtype), requires_grad=True) for a in arrays]
    x = x_view(e[0]) if x_view else e[0]
    out = fn(x, e[1], e[2], variant)
    g = np.random.default_rng(7).standard_normal(tuple(out.shape))
    out.backward(ember.tensor(g, dtype=getattr(ember, dtype)))
    return [out.detach().numpy()] + [t.grad.numpy() for t in e]


def _torch_run(arrays, dtype, fn):
    t = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True) for a in arrays]
    out = fn(*t)
    g = np.random.default_rng(7).standard_normal(tuple(out.shape))
    out.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    return [out.detach().numpy()] + [x.grad.numpy() for x in t]


def _assert_all_close(got, want, tol):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * 10)


def _conv2d(stride, padding, dilation, groups):
    return lambda x, w, b, variant: F.conv2d(x, w, b, stride, padding, dilation, groups,
                                             variant=variant)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_blocked_matches_naive_and_torch(dtype, case):
    x_shape, w_shape, stride, padding, dilation, groups = case
    arrays = _ops(x_shape, w_shape, groups)
    fn = _conv2d(stride, padding, dilation, groups)
    blocked = _ember_run(arrays, dtype, "blocked", fn)
    _assert_all_close(blocked, _ember_run(arrays, dtype, "naive", fn), TOL[dtype])
    want = _torch_run(arrays, dtype, lambda x, w, b: torch.nn.functional.conv2d(
        x, w, b, stride, padding, dilation, groups))
    _assert_all_close(blocked, want, TOL[dtype])


@pytest.mark.parametrize("case", [CASES[2], CASES[3], CASES[9], CASES[15]])
def test_blocked_every_instruction_set_matches_naive(capability, case):
    # the baseline build has no blocked kernel and falls back to im2col
    x_shape, w_shape, stride, padding, dilation, groups = case
    arrays = _ops(x_shape, w_shape, groups)
    fn = _conv2d(stride, padding, dilation, groups)
    _assert_all_close(_ember_run(arrays, "float32", "blocked", fn),
                      _ember_run(arrays, "float32", "naive", fn), 1e-4)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("x_shape, w_shape, groups", [
    ((1, 64, 14, 14), (128, 3, 3), 1),   # one sample: the threads split the channel blocks
    ((5, 32, 14, 14), (64, 5, 5), 2),    # samples x groups x blocks
])
def test_blocked_threads_match_naive(threads, x_shape, w_shape, groups):
    arrays = _ops(x_shape, w_shape, groups, seed=4)
    fn = _conv2d(1, 2, 1, groups)
    before = ember.get_num_threads()
    ember.set_num_threads(threads)
    try:
        got = _ember_run(arrays, "float32", "blocked", fn)
    finally:
        ember.set_num_threads(before)
    _assert_all_close(got, _ember_run(arrays, "float32", "naive", fn), 1e-3)


def test_blocked_noncontiguous_input():
    arrays = _ops((2, 17, 9, 13), (32, 3, 3), 1)
    arrays[0] = np.ascontiguousarray(arrays[0].transpose(0, 1, 3, 2))  # stored (N, C, W, H)
    fn = _conv2d(1, 1, 1, 1)
    got = _ember_run(arrays, "float64", "blocked", fn, x_view=lambda x: x.transpose(2, 3))
    want = _torch_run(arrays, "float64", lambda x, w, b: torch.nn.functional.conv2d(
        x.transpose(2, 3), w, b, 1, 1))
    _assert_all_close(got, want, 1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_blocked_conv1d_and_conv3d(dtype):
    arrays = _ops((3, 5, 31), (17, 1, 1), 1)
    arrays[1] = arrays[1].reshape(17, 5)[:, :, None].repeat(3, axis=2)  # k = 3
    got = _ember_run(arrays, dtype, "blocked",
                     lambda x, w, b, v: F.conv1d(x, w, b, 1, 2, 2, variant=v))
    want = _torch_run(arrays, dtype, lambda x, w, b: torch.nn.functional.conv1d(x, w, b, 1, 2, 2))
    _assert_all_close(got, want, TOL[dtype])
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((2, 4, 5, 6, 7)), rng.standard_normal((6, 2, 3, 2, 3)),
              rng.standard_normal(6)]
    for stride in (1, (2, 1, 2)):
        fn = lambda x, w, b, v: F.conv3d(x, w, b, stride, 1, (1, 2, 1), 2, variant=v)
        got = _ember_run(arrays, dtype, "blocked", fn)
        want = _torch_run(arrays, dtype, lambda x, w, b: torch.nn.functional.conv3d(
            x, w, b, stride, 1, (1, 2, 1), 2))
        _assert_all_close(got, want, TOL[dtype])


@pytest.mark.parametrize("stride, padding, output_padding", [(1, 1, 0), (2, 1, 1)])
def test_blocked_conv_transpose2d(stride, padding, output_padding):
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((2, 33, 5, 14)), rng.standard_normal((33, 17, 3, 3)),
              rng.standard_normal(17)]
    got = _ember_run(arrays, "float64", "blocked", lambda x, w, b, v: F.conv_transpose2d(
        x, w, b, stride, padding, output_padding, variant=v))
    want = _torch_run(arrays, "float64", lambda x, w, b: torch.nn.functional.conv_transpose2d(
        x, w, b, stride, padding, output_padding))
    _assert_all_close(got, want, 1e-10)


@pytest.mark.parametrize("case", [CASES[1], CASES[11], CASES[15], CASES[17]])
def test_blocked_gradcheck(case):
    x_shape, w_shape, stride, padding, dilation, groups = case
    x_shape = (1,) + x_shape[1:]
    e = [ember.tensor(a, requires_grad=True) for a in _ops(x_shape, w_shape, groups)]
    assert ember.autograd.gradcheck(
        lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups, variant="blocked"), e)


def test_blocked_bad_input(device):
    x = ember.zeros(2, 3, 5, 5, device=device)
    w = ember.zeros(4, 3, 3, 3, device=device)
    if device == "cuda":
        with pytest.raises(ValueError, match="conv2d: variant 'blocked' runs on the CPU only"):
            F.conv2d(x, w, variant="blocked")
        return
    with pytest.raises(ValueError, match=r"conv2d: given groups=1.*expects input of shape "
                                         r"\(2, 4, 5, 5\) to have 3 channels, but it has 4"):
        F.conv2d(ember.zeros(2, 4, 5, 5), w, variant="blocked")
    with pytest.raises(ValueError, match=r"conv2d: kernel of shape \(4, 3, 3, 3\).*larger than "
                                         r"the padded input \(2, 2\)"):
        F.conv2d(ember.zeros(1, 3, 2, 2), w, variant="blocked")
    with pytest.raises(TypeError, match="conv2d: expected float32 or float64"):
        F.conv2d(x.to(ember.int64), w.to(ember.int64), variant="blocked")
    with pytest.raises(ValueError, match="expected 'naive', 'im2col', 'implicit_gemm', "
                                         "'winograd', 'blocked' or 'auto'"):
        F.conv2d(x, w, variant="blocked2")


def test_blocked_empty_batch():
    got = F.conv2d(ember.zeros(0, 3, 5, 5), ember.ones(4, 3, 3, 3), variant="blocked")
    assert tuple(got.shape) == (0, 4, 3, 3)
