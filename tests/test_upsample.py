"""Upsampling (F.interpolate, nn.Upsample and the Upsampling*2d layers): outputs and gradients
against PyTorch on both devices, gradcheck, bad input."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from conv_oracle import gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {"float32": 1e-5, "float64": 1e-12}


def _compare(device, dtype, shape, e_fn, t_fn, transpose=False):
    a = np.random.default_rng(0).standard_normal(shape)
    e = ember.tensor(a, dtype=getattr(ember, dtype), device=device)
    t = torch.tensor(a, dtype=getattr(torch, dtype))
    if transpose:  # a non-contiguous input
        e, t = e.transpose(-1, -2), t.transpose(-1, -2)
    e.requires_grad = t.requires_grad = True
    eo, to = e_fn(e), t_fn(t)
    assert tuple(eo.shape) == tuple(to.shape)
    tol = TOL[dtype]
    np.testing.assert_allclose(eo.detach().cpu().numpy(), to.detach().numpy(), rtol=tol,
                               atol=tol)
    g = np.random.default_rng(1).standard_normal(tuple(to.shape))
    eo.backward(ember.tensor(g, dtype=getattr(ember, dtype), device=device))
    to.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.numpy(), rtol=tol * 10,
                               atol=tol * 10)


CASES = [  # shape, size, scale_factor, mode, align_corners
    ((2, 3, 4, 5), None, 2, "nearest", None),
    ((1, 2, 5, 3), (7, 11), None, "nearest", None),
    ((1, 2, 7, 6), (3, 4), None, "nearest", None),            # downsampling
    ((1, 1, 3, 5), None, (1.7, 2.5), "nearest", None),
    ((2, 3, 4, 5), None, 2, "bilinear", False),
    ((2, 3, 4, 5), None, 2, "bilinear", True),
    ((1, 2, 5, 3), (7, 11), None, "bilinear", False),
    ((1, 2, 5, 3), (1, 11), None, "bilinear", True),
    ((1, 1, 7, 6), (3, 4), None, "bilinear", False),
    ((1, 2, 3, 5), None, (1.7, 2.5), "bilinear", False),
    ((2, 3, 7), None, 3, "nearest", None),
    ((2, 3, 3), 5, None, "nearest", None),                     # index o // 2, odd output
    ((2, 3, 7), 13, None, "linear", False),
    ((2, 3, 7), None, 2.5, "linear", True),
    ((1, 1, 1, 1), (3, 2), None, "bilinear", False),
    # 5-D: nearest and trilinear, up and down, size 1, primes, non-integer scales.
    ((1, 2, 3, 4, 5), None, 2, "nearest", None),
    ((2, 1, 2, 3, 5), (5, 1, 7), None, "nearest", None),
    ((1, 2, 5, 7, 3), (3, 4, 2), None, "nearest", None),
    ((1, 1, 3, 2, 5), None, (1.7, 2.5, 0.6), "nearest", None),
    ((1, 2, 3, 4, 5), None, 2, "trilinear", False),
    ((1, 2, 3, 4, 5), None, 2, "trilinear", True),
    ((1, 2, 3, 5, 2), (5, 7, 3), None, "trilinear", False),
    ((1, 1, 1, 3, 2), (4, 1, 5), None, "trilinear", True),
    ((1, 1, 1, 3, 2), (4, 2, 5), None, "trilinear", False),
    ((1, 1, 7, 5, 3), (3, 2, 2), None, "trilinear", False),
    ((1, 2, 3, 2, 5), None, (1.7, 0.6, 2.5), "trilinear", False),
    ((1, 1, 1, 1, 1), (3, 2, 2), None, "trilinear", False),
    # An axis of unchanged size is copied whatever the scale (PyTorch's CPU kernels).
    ((1, 2, 3), None, 1.3, "linear", False),
    ((1, 2, 2, 3), None, (1.07, 1.5), "bilinear", False),
    ((1, 1, 2, 2, 3), None, (1.07, 1.1, 1.6), "trilinear", False),
    ((1, 2, 2, 3), None, (1.07, 2.1), "nearest", None),     # 2-D nearest: copy, o >> 1
    # nearest-exact and area on 1 to 3 spatial dims.
    ((2, 3, 7), None, 2.5, "nearest-exact", None),
    ((1, 2, 5, 3), (7, 2), None, "nearest-exact", None),
    ((1, 2, 3, 5, 4), None, (1.5, 0.7, 2), "nearest-exact", None),
    ((2, 3, 7), 3, None, "area", None),
    ((1, 2, 7, 5), None, (0.5, 0.7), "area", None),
    ((1, 2, 5, 3, 7), (2, 3, 4), None, "area", None),
    # bicubic: up and down, primes, size 1, non-integer scales, taps clamped at the border.
    ((2, 3, 4, 5), None, 2, "bicubic", False),
    ((2, 3, 4, 5), None, 2, "bicubic", True),
    ((1, 2, 5, 3), (7, 11), None, "bicubic", False),
    ((1, 2, 5, 3), (1, 11), None, "bicubic", True),
    ((1, 1, 7, 6), (3, 4), None, "bicubic", False),
    ((1, 1, 11, 13), (2, 5), None, "bicubic", True),
    ((1, 2, 3, 5), None, (1.7, 2.5), "bicubic", False),
    ((1, 2, 7, 5), None, (0.6, 0.45), "bicubic", False),
    ((1, 1, 1, 1), (3, 2), None, "bicubic", False),
    ((1, 2, 2, 3), None, (1.07, 2.1), "bicubic", False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_interpolate(device, dtype, case):
    shape, size, scale, mode, align = case
    _compare(device, dtype, shape, lambda x: F.interpolate(x, size, scale, mode, align),
             lambda x: TF.interpolate(x, size, scale, mode, align))


def test_interpolate_non_contiguous_and_recompute(device):
    _compare(device, "float64", (2, 3, 5, 4),
             lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear",
                                     recompute_scale_factor=True),
             lambda x: TF.interpolate(x, scale_factor=1.5, mode="bilinear",
                                      recompute_scale_factor=True), transpose=True)


@pytest.mark.parametrize("mode", ["nearest", "trilinear"])
def test_interpolate_5d_recompute_and_non_contiguous(device, mode):
    for recompute in (True, False):
        _compare(device, "float64", (1, 2, 3, 5, 4),
                 lambda x: F.interpolate(x, scale_factor=(1.5, 0.8, 2.3), mode=mode,
                                         recompute_scale_factor=recompute),
                 lambda x: TF.interpolate(x, scale_factor=(1.5, 0.8, 2.3), mode=mode,
                                          recompute_scale_factor=recompute), transpose=True)


@pytest.mark.parametrize("shape,scale", [((1, 2, 6), 1.13), ((1, 2, 3), 2.1),
                                         ((1, 1, 3, 2, 4), (1.04, 1.1, 1.96))])
def test_nearest_scaled_same_size_axis(device, shape, scale):
    """1-D and 3-D nearest use the scale even on an axis whose size stays (or doubles), as
    PyTorch's forward does; PyTorch's backward there copies (or halves the index) instead, so
    its gradient is not its forward's: ember's gradient is checked against its own forward."""
    a = np.random.default_rng(5).standard_normal(shape)
    x = ember.tensor(a, device=device, requires_grad=True)
    out = F.interpolate(x, scale_factor=scale)
    np.testing.assert_array_equal(out.detach().cpu().numpy(),
                                  TF.interpolate(torch.tensor(a), scale_factor=scale).numpy())
    assert ember.autograd.gradcheck(lambda t: F.interpolate(t, scale_factor=scale), (x,))


def test_upsample_layers(device):
    for e_layer, t_layer in ((nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
                             (nn.Upsample((5, 7), mode="bilinear"),
                              torch.nn.Upsample((5, 7), mode="bilinear")),
                             (nn.UpsamplingNearest2d(scale_factor=3),
                              torch.nn.UpsamplingNearest2d(scale_factor=3)),
                             (nn.UpsamplingBilinear2d((4, 9)), torch.nn.UpsamplingBilinear2d((4, 9)))):
        assert repr(e_layer) == repr(t_layer)
        _compare(device, "float64", (1, 2, 3, 4), e_layer, t_layer)
    for args in (dict(scale_factor=(2, 1.5, 3), mode="trilinear"), dict(size=(2, 5, 3)),
                 dict(size=4, mode="trilinear", align_corners=True),
                 dict(scale_factor=1.5, mode="nearest-exact")):
        e_layer, t_layer = nn.Upsample(**args), torch.nn.Upsample(**args)
        assert repr(e_layer) == repr(t_layer)
        _compare(device, "float64", (1, 2, 3, 2, 4), e_layer, t_layer)


def test_upsample_gradcheck(device):
    x = ember.tensor(np.random.default_rng(2).standard_normal((1, 2, 3, 4)), device=device,
                     requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: F.interpolate(t, (5, 7), mode="bilinear"), (x,))
    assert ember.autograd.gradcheck(
        lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=True), (x,))
    assert ember.autograd.gradcheck(lambda t: F.interpolate(t, (5, 3)), (x,))
    for align in (False, True):
        assert ember.autograd.gradcheck(
            lambda t: F.interpolate(t, (5, 7), mode="bicubic", align_corners=align), (x,))
        assert ember.autograd.gradcheck(
            lambda t: F.interpolate(t, (2, 3), mode="bicubic", align_corners=align), (x,))
    x5 = ember.tensor(np.random.default_rng(3).standard_normal((1, 2, 2, 3, 2)), device=device,
                      requires_grad=True)
    for kwargs in (dict(size=(3, 2, 4), mode="trilinear"),
                   dict(scale_factor=(1.5, 0.7, 2), mode="trilinear", align_corners=True),
                   dict(size=(3, 5, 3)), dict(size=(3, 2, 3), mode="nearest-exact"),
                   dict(size=(1, 2, 1), mode="area")):
        assert ember.autograd.gradcheck(lambda t: F.interpolate(t, **kwargs), (x5,))


@pytest.mark.parametrize("kwargs", [dict(size=(3, 2, 4), mode="trilinear"),
                                    dict(size=(3, 5, 3), mode="nearest"),
                                    dict(size=(5, 4), mode="bilinear", align_corners=True)])
def test_upsample_double_backward(device, kwargs):
    """gradgradcheck of interpolate(x) ** 2: runs the backward's own backward."""
    rng = np.random.default_rng(4)
    shape = (1, 2, 2, 3, 2)[:len(kwargs["size"]) + 2]
    x = ember.tensor(rng.standard_normal(shape), device=device, requires_grad=True)
    w = ember.tensor(rng.standard_normal((1, 2) + kwargs["size"]), device=device,
                     requires_grad=True)
    assert gradgradcheck(lambda t: F.interpolate(t, **kwargs) ** 2, (x,), w)


def test_upsample_bad_input(device):
    x = ember.zeros(1, 1, 4, 4, device=device)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, 2, 2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, 8, align_corners=True)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D input"):
        F.interpolate(x, 8, mode="linear")
    with pytest.raises(NotImplementedError, match="Got 4D input, but trilinear mode needs 5D "
                                                  "input"):
        F.interpolate(x, 8, mode="trilinear")
    with pytest.raises(NotImplementedError, match="Got 5D input, but bilinear mode needs 4D "
                                                  "input"):
        F.interpolate(ember.zeros(1, 1, 2, 2, 2, device=device), 4, mode="bilinear")
    with pytest.raises(NotImplementedError, match=r"Only 3D, 4D and 5D input Tensors supported "
                                                  r"\(got 2D\) .* \(got nearest\)"):
        F.interpolate(ember.zeros(2, 2, device=device), scale_factor=())
    with pytest.raises(NotImplementedError, match=r"\(got 4D\) .* \(got cubic\)"):
        F.interpolate(x, 8, mode="cubic")
    with pytest.raises(ValueError, match=r"Input and output must have the same number of spatial "
                                         r"dimensions, but got input with spatial dimensions of "
                                         r"\[4, 4\] and output size of \(8, 8, 8\)"):
        F.interpolate(x, (8, 8, 8))
    with pytest.raises(ValueError, match=r"Input and scale_factor must have the same number"):
        F.interpolate(x, scale_factor=(2, 2, 2))
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful with an "
                                         "explicit size"):
        F.interpolate(x, 8, recompute_scale_factor=True)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, 8, mode="area", align_corners=False)
    with pytest.raises(ValueError, match=r"sizes should be greater than 0, got output size "
                                         r"\(0, 0\) for input of shape \(1, 1, 4, 4\)"):
        F.interpolate(x, scale_factor=0.2)
    with pytest.raises(NotImplementedError, match="mode 'lanczos' is not supported"):
        F.interpolate(x, 8, mode="lanczos")
    with pytest.raises(NotImplementedError, match="Got 5D input, but bicubic mode needs 4D "
                                                  "input"):
        F.interpolate(ember.zeros(1, 1, 2, 2, 2, device=device), 4, mode="bicubic")
    with pytest.raises(TypeError, match="upsample: expected a float32 or float64 input"):
        F.interpolate(x.to(ember.int64), 8)
