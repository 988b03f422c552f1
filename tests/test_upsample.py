"""Upsampling (F.interpolate, nn.Upsample and the Upsampling*2d layers): outputs and gradients
against PyTorch on both devices, gradcheck, bad input."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

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
    ((2, 3, 7), 13, None, "linear", False),
    ((2, 3, 7), None, 2.5, "linear", True),
    ((1, 1, 1, 1), (3, 2), None, "bilinear", False),
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


def test_upsample_layers(device):
    for e_layer, t_layer in ((nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
                             (nn.Upsample((5, 7), mode="bilinear"),
                              torch.nn.Upsample((5, 7), mode="bilinear")),
                             (nn.UpsamplingNearest2d(scale_factor=3),
                              torch.nn.UpsamplingNearest2d(scale_factor=3)),
                             (nn.UpsamplingBilinear2d((4, 9)), torch.nn.UpsamplingBilinear2d((4, 9)))):
        assert repr(e_layer) == repr(t_layer)
        _compare(device, "float64", (1, 2, 3, 4), e_layer, t_layer)


def test_upsample_gradcheck(device):
    x = ember.tensor(np.random.default_rng(2).standard_normal((1, 2, 3, 4)), device=device,
                     requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: F.interpolate(t, (5, 7), mode="bilinear"), (x,))
    assert ember.autograd.gradcheck(
        lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=True), (x,))
    assert ember.autograd.gradcheck(lambda t: F.interpolate(t, (5, 3)), (x,))


def test_upsample_bad_input(device):
    x = ember.zeros(1, 1, 4, 4, device=device)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, 2, 2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, 8, align_corners=True)
    with pytest.raises(ValueError, match=r"mode 'linear' needs a 3-D input, got shape "
                                         r"\(1, 1, 4, 4\)"):
        F.interpolate(x, 8, mode="linear")
    with pytest.raises(ValueError, match=r"size must have 2 values for a 4-D input"):
        F.interpolate(x, (8, 8, 8))
    with pytest.raises(NotImplementedError, match="mode 'bicubic' is not supported"):
        F.interpolate(x, 8, mode="bicubic")
    with pytest.raises(TypeError, match="upsample: expected a float32 or float64 input"):
        F.interpolate(x.to(ember.int64), 8)
