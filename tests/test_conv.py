"""conv2d / conv1d and their layers: against PyTorch and against the direct (naive) kernels,
outputs and every gradient, over strides, paddings, dilations, groups and awkward sizes."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

torch = pytest.importorskip("torch")

DTYPES = {"float32": (ember.float32, torch.float32, 1e-4),
          "float64": (ember.float64, torch.float64, 1e-10)}

# (N, C_in, H, W), (C_out, kh, kw), stride, padding, dilation, groups: small enough for the
# emulator, awkward everywhere else (primes, 1s, odd sizes, asymmetric 'same').
CASES = [
    ((2, 3, 7, 5), (4, 3, 3), 1, 1, 1, 1),
    ((1, 1, 6, 6), (1, 1, 1), 1, 0, 1, 1),          # 1x1 pointwise
    ((3, 5, 5, 7), (2, 1, 1), 1, 0, 1, 1),          # 1x1, several channels
    ((2, 4, 9, 8), (6, 3, 2), (2, 3), (1, 0), 1, 2),  # strides, groups
    ((1, 3, 7, 7), (5, 3, 3), 1, 2, 2, 1),          # dilation
    ((2, 6, 5, 5), (6, 3, 3), 1, 1, 1, 6),          # depthwise
    ((2, 4, 5, 6), (8, 3, 3), 2, 1, 1, 4),          # depthwise, multiplier 2
    ((1, 2, 6, 5), (3, 4, 2), 1, "same", (1, 2), 1),  # even kernel: asymmetric padding
    ((2, 3, 5, 4), (2, 2, 3), 1, "valid", 1, 1),
    ((1, 7, 3, 3), (5, 3, 3), 3, 1, 1, 1),          # primes, output 1x1
]


def _pair(device, dtype, x_shape, w_shape, groups, bias=True, seed=0):
    e_dtype, t_dtype, _ = DTYPES[dtype]
    rng = np.random.default_rng(seed)
    c_out, kh, kw = w_shape
    arrays = [rng.standard_normal(x_shape),
              rng.standard_normal((c_out, x_shape[1] // groups, kh, kw))]
    if bias:
        arrays.append(rng.standard_normal(c_out))
    e = [ember.tensor(a, dtype=e_dtype, device=device, requires_grad=True) for a in arrays]
    t = [torch.tensor(a, dtype=t_dtype, requires_grad=True) for a in arrays]
    return e, t


def _close(e, t, tol):
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=tol,
                               atol=tol * 10)


def _run(device, dtype, case, variant, bias=True):
    x_shape, w_shape, stride, padding, dilation, groups = case
    tol = DTYPES[dtype][2]
    e, t = _pair(device, dtype, x_shape, w_shape, groups, bias)
    e_out = F.conv2d(*e, stride=stride, padding=padding, dilation=dilation, groups=groups,
                     variant=variant) if bias else \
        F.conv2d(e[0], e[1], None, stride, padding, dilation, groups, variant=variant)
    t_out = torch.nn.functional.conv2d(*t, stride=stride, padding=padding, dilation=dilation,
                                       groups=groups) if bias else \
        torch.nn.functional.conv2d(t[0], t[1], None, stride, padding, dilation, groups)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    _close(e_out, t_out, tol)
    g = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
    e_out.backward(ember.tensor(g, dtype=DTYPES[dtype][0], device=device))
    t_out.backward(torch.tensor(g, dtype=DTYPES[dtype][1]))
    for ei, ti in zip(e, t):
        _close(ei.grad, ti.grad, tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("variant", ["naive", "im2col", "auto"])
@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_torch(device, dtype, variant, case):
    _run(device, dtype, case, variant)


def test_conv2d_without_bias(device):
    _run(device, "float64", CASES[3], "auto", bias=False)


@pytest.mark.parametrize("w_shape,stride,padding,dilation,groups", [
    ((7, 5, 3, 3), 2, 1, 1, 1),
    ((10, 1, 3, 2), (2, 3), (2, 1), (2, 1), 5),   # depthwise, multiplier 2: auto's row kernels
])
def test_variants_agree_on_a_larger_batch(w_shape, stride, padding, dilation, groups):
    # More samples than threads, so the per-thread column buffers and partial grad_weight sums
    # both run; im2col and auto against the naive reference.
    rng = np.random.default_rng(2)
    x = rng.standard_normal((9, 5, 11, 10))
    w = rng.standard_normal(w_shape)
    grads = {}
    for variant in ("naive", "im2col", "auto"):
        ex = ember.tensor(x, requires_grad=True)
        ew = ember.tensor(w, requires_grad=True)
        out = F.conv2d(ex, ew, None, stride, padding, dilation, groups, variant=variant)
        out.sum().backward()
        grads[variant] = (out.detach().numpy(), ex.grad.numpy(), ew.grad.numpy())
    for variant in ("im2col", "auto"):
        for a, b in zip(grads["naive"], grads[variant]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("x_shape,w_shape,stride,padding,groups", [
    ((7, 4, 23, 23), (3, 4, 5, 5), 1, 2, 1),   # 100 taps x 529 positions: 2 samples a tile
    ((5, 8, 49, 42), (6, 4, 5, 5), 2, 3, 2),   # strided, groups: 100 taps x 572, the same
])
def test_im2col_sample_tiles_match_naive(x_shape, w_shape, stride, padding, groups, threads):
    # Column buffers (cpu/conv.cc's kColBudget = 2**17 elements) hold 2 samples here, so a
    # thread's samples take several tiles (the last one short) and the per-tile GEMMs, the
    # gathered outputs and grad_outputs and the partial grad_weight sums all run.
    rng = np.random.default_rng(6)
    x, w, b = (rng.standard_normal(s) for s in (x_shape, w_shape, w_shape[:1]))
    before = ember.get_num_threads()
    ember.set_num_threads(threads)
    try:
        results = {}
        for variant in ("naive", "im2col"):
            e = [ember.tensor(a, requires_grad=True) for a in (x, w, b)]
            out = F.conv2d(*e, stride=stride, padding=padding, groups=groups, variant=variant)
            g = np.random.default_rng(7).standard_normal(tuple(out.shape))
            out.backward(ember.tensor(g))
            results[variant] = [out.detach().numpy()] + [t.grad.numpy() for t in e]
    finally:
        ember.set_num_threads(before)
    for a, c in zip(results["naive"], results["im2col"]):
        np.testing.assert_allclose(c, a, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_im2col_every_instruction_set_matches_naive(capability, dtype):
    # Rows of 1 to 37 output columns: whole vectors, masked tails and rows shorter than one.
    rng = np.random.default_rng(8)
    for x_shape, stride in (((3, 2, 9, 39), 1), ((2, 3, 8, 5), 1), ((2, 2, 7, 20), 2)):
        x, w = rng.standard_normal(x_shape), rng.standard_normal((4, x_shape[1], 3, 3))
        results = {}
        for variant in ("naive", "im2col"):
            ex = ember.tensor(x, dtype=dtype, requires_grad=True)
            ew = ember.tensor(w, dtype=dtype, requires_grad=True)
            out = F.conv2d(ex, ew, None, stride, 1, variant=variant)
            (out * out).sum().backward()
            results[variant] = (out.detach().numpy(), ex.grad.numpy(), ew.grad.numpy())
        tol = 1e-4 if dtype == ember.float32 else 1e-10
        for a, c in zip(results["naive"], results["im2col"]):
            np.testing.assert_allclose(c, a, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", [CASES[0], CASES[3], CASES[7]])
def test_conv2d_gradcheck(device, case):
    x_shape, w_shape, stride, padding, dilation, groups = case
    e, _ = _pair(device, "float64", x_shape, w_shape, groups)
    assert ember.autograd.gradcheck(
        lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups), e)


def test_conv2d_unbatched_and_noncontiguous(device):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 6, 5))
    w = rng.standard_normal((2, 3, 2, 2))
    e_x = ember.tensor(x.transpose(0, 2, 1).copy(), device=device).transpose(1, 2)
    got = F.conv2d(e_x, ember.tensor(w, device=device), padding=1)
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1)
    np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (2, 1, 1), (1, "same", 2)])
def test_conv1d_matches_torch(device, stride, padding, dilation):
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((4, 2, 3)), rng.standard_normal(4)
    e = [ember.tensor(a, device=device, requires_grad=True) for a in (x, w, b)]
    t = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    e_out = F.conv1d(*e, stride=stride, padding=padding, dilation=dilation, groups=2)
    t_out = torch.nn.functional.conv1d(*t, stride=stride, padding=padding, dilation=dilation,
                                       groups=2)
    _close(e_out, t_out, 1e-10)
    # An explicit grad on the device: a scalar's backward() on CUDA seeds its grad on the CPU
    # (an autograd issue outside this file).
    e_out.backward(ember.ones(*e_out.shape, dtype=ember.float64, device=device))
    t_out.sum().backward()
    for ei, ti in zip(e, t):
        _close(ei.grad, ti.grad, 1e-10)


def test_conv2d_layer_matches_torch_with_its_weights(device):
    layer = nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, groups=2)
    ref = torch.nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, groups=2).double()
    assert tuple(layer.weight.shape) == tuple(ref.weight.shape) == (6, 2, 3, 2)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(layer.weight.detach().numpy()))
        ref.bias.copy_(torch.tensor(layer.bias.detach().numpy()))
    layer = layer.to(device)
    x = np.random.default_rng(5).standard_normal((2, 4, 7, 5))
    got = layer(ember.tensor(x, dtype=ember.float32, device=device))
    want = ref(torch.tensor(x))
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-4,
                               atol=1e-4)


def test_conv_layer_init_and_repr():
    layer = nn.Conv2d(3, 8, 5, stride=2, padding=2, bias=True)
    bound = 1 / math.sqrt(3 * 25)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), ...)
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    assert np.abs(layer.bias.detach().numpy()).max() <= bound
    assert np.abs(layer.weight.detach().numpy()).max() > bound / 2
    assert repr(layer) == repr(torch.nn.Conv2d(3, 8, 5, stride=2, padding=2))
    assert repr(nn.Conv2d(4, 4, 3, padding="same", dilation=2, groups=4, bias=False)) == \
        repr(torch.nn.Conv2d(4, 4, 3, padding="same", dilation=2, groups=4, bias=False))
    assert repr(nn.Conv1d(2, 3, 4)) == repr(torch.nn.Conv1d(2, 3, 4))
    assert tuple(nn.Conv1d(2, 4, 3, groups=2).weight.shape) == (4, 1, 3)


def test_conv2d_bad_input(device):
    x = ember.zeros(2, 3, 5, 5, device=device)
    w = ember.zeros(4, 3, 3, 3, device=device)
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D input.*\(3, 5\)"):
        F.conv2d(ember.zeros(3, 5, device=device), w)
    with pytest.raises(ValueError, match=r"conv2d: given groups=1.*expects input of shape "
                                         r"\(2, 4, 5, 5\) to have 3 channels, but it has 4"):
        F.conv2d(ember.zeros(2, 4, 5, 5, device=device), w)
    with pytest.raises(ValueError, match=r"conv2d: kernel of shape \(4, 3, 3, 3\).*larger than "
                                         r"the padded input \(2, 2\)"):
        F.conv2d(ember.zeros(1, 3, 2, 2, device=device), w)
    with pytest.raises(ValueError, match="conv2d: bias of shape"):
        F.conv2d(x, w, ember.zeros(3, device=device))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(x, w, padding="same", stride=2)
    with pytest.raises(ValueError, match="conv2d: unknown variant"):
        F.conv2d(x, w, variant="fft")
    with pytest.raises(TypeError, match="conv2d: expected float32 or float64"):
        F.conv2d(x.to(ember.int64), w.to(ember.int64))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match=r"Conv2d\(4, 2, kernel_size=\(3, 3\).*in_channels=4 "
                                         r"channels, got input of shape \(2, 3, 5, 5\)"):
        nn.Conv2d(4, 2, 3).to(device)(x)
    with pytest.raises(ValueError, match=r"Conv1d\(3, 2, .*got input of shape \(2, 3, 5, 5\)"):
        nn.Conv1d(3, 2, 3).to(device)(x)
