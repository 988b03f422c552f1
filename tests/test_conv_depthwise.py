"""Depthwise conv2d (groups == C_in, channel multiplier 1 or 2): the "auto" kernels of
cpu/conv_depthwise.simd.cc against PyTorch and against the naive reference, the output and all
three gradients, over kernels, strides, paddings, dilations and plane sizes, for every CPU
instruction-set variant."""
import itertools

import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")

DTYPES = {"float32": (ember.float32, torch.float32, 1e-4),
          "float64": (ember.float64, torch.float64, 1e-10)}


def _out(size, k, stride, pad, dil):
    return (size + 2 * pad - dil * (k - 1) - 1) // stride + 1


def _cases():
    """(N, C, H, W), multiplier, (kh, kw), (sh, sw), (ph, pw), (dh, dw): every plane with every
    odd kernel, the stride, padding and dilation cycling through theirs, plus non-square ones;
    only geometries with an output."""
    planes = [(1, 1), (1, 9), (2, 3), (7, 7), (13, 17), (28, 28)]
    kernels, strides, pads, dils = (1, 3, 5, 7), (1, 2, 3), (0, 1, 2, 3), (1, 2)
    cases = []
    for n, ((h, w), k) in enumerate(itertools.product(planes, kernels)):
        stride, pad, dil = strides[n % 3], pads[n % 4], dils[n // 4 % 2]
        batch, mult = (1, 3)[n % 2], (1, 2)[n // 2 % 2]
        for s in {stride, 1}:  # stride 1 always: the vectorized path of most layers
            if _out(h, k, s, pad, dil) >= 1 and _out(w, k, s, pad, dil) >= 1:
                cases.append(((batch, 3, h, w), mult, (k, k), (s, s), (pad, pad), (dil, dil)))
    cases += [
        ((2, 4, 9, 20), 1, (3, 5), (1, 2), (1, 2), (1, 1)),
        ((3, 2, 11, 6), 2, (5, 3), (2, 1), (0, 3), (2, 1)),
        ((1, 5, 17, 33), 1, (3, 3), (2, 2), (1, 1), (1, 1)),   # MobileNet's stride-2 layer
        ((2, 3, 8, 8), 1, (2, 2), (2, 2), (0, 0), (1, 1)),     # even kernel
        ((1, 2, 5, 4), 1, (3, 3), (1, 1), (3, 3), (1, 1)),     # padding beyond the kernel
    ]
    return cases


CASES = _cases()


def _ids(case):
    x, m, k, s, p, d = case
    return f"{x}-m{m}-k{k}-s{s}-p{p}-d{d}"


def _arrays(case, seed=0):
    x_shape, mult, (kh, kw), *_ = case
    rng = np.random.default_rng(seed)
    c = x_shape[1]
    return [rng.standard_normal(x_shape), rng.standard_normal((c * mult, 1, kh, kw)),
            rng.standard_normal(c * mult)]


def _ember_run(arrays, case, dtype, device, variant, go=None, transpose_input=False):
    """output, and (with go) the gradients to input, weight, bias."""
    _, mult, _, stride, padding, dilation = case
    e_dtype = DTYPES[dtype][0]
    x, w, b = arrays
    if transpose_input:  # the same values, stored (N, C, W, H) and transposed: not contiguous
        ex = ember.tensor(np.ascontiguousarray(x.transpose(0, 1, 3, 2)), dtype=e_dtype,
                          device=device).transpose(2, 3).detach()
        assert not ex.is_contiguous()
        ex.requires_grad = True
    else:
        ex = ember.tensor(x, dtype=e_dtype, device=device, requires_grad=True)
    ew, eb = (ember.tensor(a, dtype=e_dtype, device=device, requires_grad=True) for a in (w, b))
    out = F.conv2d(ex, ew, eb, stride, padding, dilation, x.shape[1], variant=variant)
    if go is None:
        return [out.detach().cpu().numpy()]
    out.backward(ember.tensor(go, dtype=e_dtype, device=device))
    return [out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in (ex, ew, eb)]


def _torch_run(arrays, case, dtype, go):
    _, mult, _, stride, padding, dilation = case
    t = [torch.tensor(a, dtype=DTYPES[dtype][1], requires_grad=True) for a in arrays]
    out = torch.nn.functional.conv2d(*t, stride=stride, padding=padding, dilation=dilation,
                                     groups=arrays[0].shape[1])
    out.backward(torch.tensor(go, dtype=DTYPES[dtype][1]))
    return [out.detach().numpy()] + [a.grad.numpy() for a in t]


def _assert_all_close(got, want, tol, what):
    for name, g, w in zip(("output", "grad_input", "grad_weight", "grad_bias"), got, want):
        assert g.shape == w.shape, (what, name)
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol * 10, err_msg=f"{what}: {name}")


def _grad_output(arrays, case):
    x_shape, mult, (kh, kw), (sh, sw), (ph, pw), (dh, dw) = case
    shape = (x_shape[0], x_shape[1] * mult, _out(x_shape[2], kh, sh, ph, dh),
             _out(x_shape[3], kw, sw, pw, dw))
    return np.random.default_rng(1).standard_normal(shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_depthwise_matches_torch_and_naive(capability, dtype, case):
    arrays = _arrays(case)
    go = _grad_output(arrays, case)
    tol = DTYPES[dtype][2]
    auto = _ember_run(arrays, case, dtype, "cpu", "auto", go)
    _assert_all_close(auto, _torch_run(arrays, case, dtype, go), tol, "auto vs torch")
    _assert_all_close(auto, _ember_run(arrays, case, dtype, "cpu", "naive", go), tol,
                      "auto vs naive")


@pytest.mark.parametrize("case", [c for c in CASES if min(c[0][2:]) > 1 and c[1] == 2][:3]
                         + CASES[-4:-2], ids=_ids)
def test_depthwise_non_contiguous_input(device, case):
    arrays = _arrays(case, seed=3)
    go = _grad_output(arrays, case)
    got = _ember_run(arrays, case, "float64", device, "auto", go, transpose_input=True)
    _assert_all_close(got, _torch_run(arrays, case, "float64", go), 1e-10, "transposed input")


@pytest.mark.parametrize("case", [c for c in CASES if np.prod(c[0]) * c[1] <= 400][::3],
                         ids=_ids)
def test_depthwise_on_device_matches_torch(device, case):
    arrays = _arrays(case, seed=4)
    go = _grad_output(arrays, case)
    got = _ember_run(arrays, case, "float32", device, "auto", go)
    _assert_all_close(got, _torch_run(arrays, case, "float32", go), 1e-4, device)


def test_depthwise_gradcheck(device):
    rng = np.random.default_rng(5)
    x = ember.tensor(rng.standard_normal((2, 3, 6, 7)), device=device, requires_grad=True)
    w = ember.tensor(rng.standard_normal((6, 1, 3, 3)), device=device, requires_grad=True)
    b = ember.tensor(rng.standard_normal(6), device=device, requires_grad=True)
    for stride, padding in ((1, 1), (2, 0)):
        assert ember.autograd.gradcheck(
            lambda x, w, b: F.conv2d(x, w, b, stride, padding, 1, 3), (x, w, b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_depthwise_inf_does_not_leak_into_other_taps(capability, dtype):
    # An inf read by tap 2 only (input column 8 of a 9-wide row, kernel 1x3, no padding, 7
    # outputs) also lies under the extra vector lane past the last output column for tap 1:
    # taps 0 and 1 keep a zero weight gradient, as in PyTorch (tap 2's is 0 * inf = NaN).
    x = np.zeros((1, 2, 3, 9))
    x[..., 8] = np.inf
    w = np.ones((2, 1, 1, 3))
    go = np.zeros((1, 2, 3, 7))
    ex, ew = (ember.tensor(a, dtype=DTYPES[dtype][0], requires_grad=True) for a in (x, w))
    F.conv2d(ex, ew, None, 1, 0, 1, 2).backward(ember.tensor(go, dtype=DTYPES[dtype][0]))
    tx, tw = (torch.tensor(a, requires_grad=True) for a in (x, w))
    torch.nn.functional.conv2d(tx, tw, None, 1, 0, 1, 2).backward(torch.tensor(go))
    np.testing.assert_array_equal(ew.grad.numpy(), tw.grad.numpy())
    assert np.isnan(ew.grad.numpy()[:, 0, 0, 2]).all()
    assert (ew.grad.numpy()[:, 0, 0, :2] == 0).all()
