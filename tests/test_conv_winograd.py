"""conv2d variant="winograd" (CPU, F(2x2, 3x3), cpu/conv_winograd.cc): outputs, grad_input and
grad_weight against the naive direct kernels and against PyTorch, on sizes that are not
multiples of the 2x2 tile, every padding up to past the kernel, groups, non-contiguous input;
gradcheck; the refusal of every other layer and of CUDA."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")

# float32: Winograd's transforms add a few roundings per term, so the error is measured against
# the size of the sum, sum |term| (the same sum over |operands|), not against the result, which
# cancels. Measured max |error| / sum |term| (outputs, grad_input): 8e-8 to 1.4e-7 for 17 to 256
# input channels, below the naive direct sum's 1.8e-7 to 2.9e-7; the bound leaves 7x room.
F32_REL_TO_TERMS = 1e-6
F64_TOL = 1e-10

# (N, C_in, H, W), C_out, padding, groups: H, W odd, below and not multiples of the tile.
CASES = [
    ((1, 1, 1, 1), 1, 1, 1),           # one output from one input
    ((3, 3, 2, 3), 4, 1, 1),
    ((1, 17, 5, 7), 3, 0, 1),          # unpadded: 3x5 outputs, half a tile at the edges
    ((3, 4, 13, 13), 8, 2, 2),
    ((1, 4, 14, 14), 4, 1, 4),         # depthwise
    ((3, 17, 14, 14), 5, 1, 1),
    ((2, 4, 5, 7), 6, (2, 0), 2),      # different padding per axis
    ((1, 2, 5, 7), 3, 3, 1),           # padding past the kernel: grad_input crops (pad 2-3)
    ((2, 3, 6, 4), 2, (0, 2), 1),
    ((1, 3, 9, 8), 2, "same", 1),
]


def _ids(case):
    x_shape, c_out, padding, groups = case
    return f"{'x'.join(map(str, x_shape))}-{c_out}-p{padding}-g{groups}"


def _arrays(x_shape, c_out, groups, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(x_shape),
            rng.standard_normal((c_out, x_shape[1] // groups, 3, 3)),
            rng.standard_normal(c_out))


def _torch_results(arrays, grad, padding, groups, absolute=False):
    """output, grad_input, grad_weight, grad_bias in float64 (with |operands| when absolute:
    then each is the sum of |term| of its entries)."""
    t = [torch.tensor(np.abs(a) if absolute else a, requires_grad=True) for a in arrays]
    out = torch.nn.functional.conv2d(t[0], t[1], t[2], 1, padding, 1, groups)
    out.backward(torch.tensor(np.abs(grad) if absolute else grad))
    return [out.detach().numpy()] + [a.grad.numpy() for a in t]


def _ember_results(arrays, grad, padding, groups, variant, dtype):
    e = [ember.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    out = F.conv2d(*e, 1, padding, 1, groups, variant=variant)
    out.backward(ember.tensor(grad, dtype=dtype))
    return [out.detach().numpy()] + [a.grad.numpy() for a in e]


def _grad_output(arrays, padding, groups):
    shape = torch.nn.functional.conv2d(torch.tensor(arrays[0]), torch.tensor(arrays[1]), None,
                                       1, padding, 1, groups).shape
    return np.random.default_rng(1).standard_normal(tuple(shape))


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_float64_matches_naive_and_torch(case):
    x_shape, c_out, padding, groups = case
    arrays = _arrays(x_shape, c_out, groups)
    grad = _grad_output(arrays, padding, groups)
    wino = _ember_results(arrays, grad, padding, groups, "winograd", ember.float64)
    naive = _ember_results(arrays, grad, padding, groups, "naive", ember.float64)
    oracle = _torch_results(arrays, grad, padding, groups)
    for w, n, t in zip(wino, naive, oracle):
        assert w.shape == t.shape
        np.testing.assert_allclose(w, n, rtol=F64_TOL, atol=F64_TOL)
        np.testing.assert_allclose(w, t, rtol=F64_TOL, atol=F64_TOL)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_float32_error_is_within_the_terms_bound(case):
    x_shape, c_out, padding, groups = case
    arrays = _arrays(x_shape, c_out, groups, seed=3)
    grad = _grad_output(arrays, padding, groups)
    wino = _ember_results(arrays, grad, padding, groups, "winograd", ember.float32)
    exact = _torch_results(arrays, grad, padding, groups)
    terms = _torch_results(arrays, grad, padding, groups, absolute=True)
    for w, e, s in zip(wino, exact, terms):
        assert w.dtype == np.float32
        assert np.all(np.abs(w - e) <= F32_REL_TO_TERMS * s + 1e-30)


def test_noncontiguous_input_and_no_bias():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 9, 7, 3))  # (N, W, H, C) stored; the conv sees (N, C, H, W)
    w = rng.standard_normal((4, 3, 3, 3))
    results = {}
    for variant in ("naive", "winograd"):
        ex = ember.tensor(x, requires_grad=True)
        ew = ember.tensor(w, requires_grad=True)
        view = ex.permute(0, 3, 2, 1)
        out = F.conv2d(view, ew, None, 1, 1, variant=variant)
        (out * out).sum().backward()
        results[variant] = (out.detach().numpy(), ex.grad.numpy(), ew.grad.numpy())
    for a, b in zip(results["naive"], results["winograd"]):
        np.testing.assert_allclose(b, a, rtol=F64_TOL, atol=F64_TOL)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_many_blocks_of_tiles_match_naive(threads, dtype):
    # 9 samples of 10x10 tiles with 16 + 16 channels: cpu/conv_winograd.cc's 1 MiB blocks
    # hold 512 (float32) or 256 (float64) tiles (450 with 2 threads: half the tiles each), so
    # blocks start and end inside tile rows and samples.
    rng = np.random.default_rng(5)
    x, w, b = (rng.standard_normal(s) for s in ((9, 16, 19, 20), (16, 16, 3, 3), (16,)))
    grad = rng.standard_normal((9, 16, 19, 20))
    before = ember.get_num_threads()
    ember.set_num_threads(threads)
    try:
        results = {v: _ember_results((x, w, b), grad, 1, 1, v, dtype)
                   for v in ("naive", "winograd")}
    finally:
        ember.set_num_threads(before)
    tol = 1e-4 if dtype == ember.float32 else F64_TOL  # float32: sums of 144 terms ~N(0, 1)
    for a, c in zip(results["naive"], results["winograd"]):
        np.testing.assert_allclose(c, a, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_every_instruction_set_matches_naive(capability, dtype):
    arrays = _arrays((2, 5, 11, 9), 7, 1, seed=6)
    grad = _grad_output(arrays, 1, 1)
    naive = _ember_results(arrays, grad, 1, 1, "naive", dtype)
    wino = _ember_results(arrays, grad, 1, 1, "winograd", dtype)
    tol = 1e-4 if dtype == ember.float32 else F64_TOL
    for a, c in zip(naive, wino):
        np.testing.assert_allclose(c, a, rtol=tol, atol=tol)


def test_conv_transpose2d_stride_1_runs_on_winograd():
    # A stride-1 transposed convolution's forward is conv2d's grad_input.
    arrays = _arrays((2, 4, 6, 5), 3, 1, seed=7)
    x, w = arrays[0], arrays[1].transpose(1, 0, 2, 3).copy()  # (C_in, C_out, 3, 3)
    out = F.conv_transpose2d(ember.tensor(x), ember.tensor(w), None, 1, 1, variant="winograd")
    ref = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), None, 1, 1)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=F64_TOL, atol=F64_TOL)


@pytest.mark.parametrize("case", [CASES[3], CASES[7], CASES[8]], ids=_ids)
def test_gradcheck(case):
    x_shape, c_out, padding, groups = case
    e = [ember.tensor(a, requires_grad=True) for a in _arrays(x_shape, c_out, groups)]
    assert ember.autograd.gradcheck(
        lambda x, w, b: F.conv2d(x, w, b, 1, padding, 1, groups, variant="winograd"), e)


@pytest.mark.parametrize("kernel,kwargs,got", [
    (5, {}, r"kernel \(5, 5\), stride \(1, 1\), dilation \(1, 1\)"),
    (3, {"stride": 2}, r"kernel \(3, 3\), stride \(2, 2\), dilation \(1, 1\)"),
    (3, {"dilation": 2}, r"kernel \(3, 3\), stride \(1, 1\), dilation \(2, 2\)"),
    ((3, 1), {}, r"kernel \(3, 1\), stride \(1, 1\)"),
])
def test_other_layers_are_refused(kernel, kwargs, got):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x, w = ember.randn(1, 2, 9, 9), ember.randn(3, 2, kh, kw)
    with pytest.raises(ValueError, match="conv2d: variant 'winograd' needs a 2-D convolution "
                                         "with a 3x3 kernel, stride 1 and dilation 1, got " + got):
        F.conv2d(x, w, variant="winograd", **kwargs)


def test_other_ranks_and_strided_transpose_are_refused():
    with pytest.raises(ValueError, match=r"conv3d: variant 'winograd' needs a 2-D .*kernel "
                                         r"\(3, 3, 3\)"):
        F.conv3d(ember.randn(1, 2, 5, 5, 5), ember.randn(3, 2, 3, 3, 3), variant="winograd")
    with pytest.raises(ValueError, match=r"variant 'winograd' needs .* got kernel \(1, 3\)"):
        F.conv1d(ember.randn(1, 2, 9), ember.randn(3, 2, 3), variant="winograd")
    with pytest.raises(ValueError, match=r"backward_input: variant 'winograd' needs .*stride "
                                         r"\(2, 2\)"):
        F.conv_transpose2d(ember.randn(1, 3, 4, 4), ember.randn(3, 2, 3, 3), stride=2,
                           variant="winograd")


def test_cpu_only(device):
    x, w = ember.randn(1, 2, 5, 5, device=device), ember.randn(3, 2, 3, 3, device=device)
    if device == "cpu":
        assert tuple(F.conv2d(x, w, variant="winograd").shape) == (1, 3, 3, 3)
        return
    with pytest.raises(ValueError, match="conv2d: variant 'winograd' runs on CPU only, got "
                                         "tensors on cuda:0"):
        F.conv2d(x, w, variant="winograd")


def test_auto_takes_winograd_where_it_pays():
    # 64 -> 128 channels, 14x14 outputs: auto's rule (cpu/conv_winograd.h) runs Winograd for the
    # output and grad_input; all three results against the naive kernels.
    arrays = _arrays((2, 64, 14, 14), 128, 1, seed=8)
    grad = _grad_output(arrays, 1, 1)
    naive = _ember_results(arrays, grad, 1, 1, "naive", ember.float64)
    auto = _ember_results(arrays, grad, 1, 1, "auto", ember.float64)
    for a, c in zip(naive, auto):
        np.testing.assert_allclose(c, a, rtol=F64_TOL, atol=F64_TOL)
