"""F.pad (constant, reflect, replicate, circular over the last 1 to 3 dims) and the padding
layers: outputs and gradients against PyTorch on both devices, gradcheck, bad input."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from conv_oracle import gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _compare(device, dtype, shape, e_fn, t_fn, transpose=False):
    a = np.random.default_rng(0).standard_normal(shape)
    e = ember.tensor(a, dtype=getattr(ember, dtype), device=device)
    t = torch.tensor(a, dtype=getattr(torch, dtype))
    if transpose:
        e, t = e.transpose(0, -1), t.transpose(0, -1)
    e.requires_grad = t.requires_grad = True
    eo, to = e_fn(e), t_fn(t)
    assert tuple(eo.shape) == tuple(to.shape)
    np.testing.assert_array_equal(eo.detach().cpu().numpy(), to.detach().numpy())
    g = np.random.default_rng(1).standard_normal(tuple(to.shape))
    eo.backward(ember.tensor(g, dtype=getattr(ember, dtype), device=device))
    to.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.numpy(), rtol=tol, atol=tol)


CASES = [  # shape, pad, mode
    ((2, 3, 5), (1, 2), "constant"),
    ((2, 3, 5), (2, 4), "reflect"),
    ((3, 5), (4, 0), "replicate"),
    ((2, 3, 5), (5, 3), "circular"),
    ((1, 2, 4, 3), (1, 2, 2, 1), "constant"),
    ((1, 2, 4, 3), (2, 1, 3, 2), "reflect"),
    ((2, 4, 3), (2, 1, 3, 2), "replicate"),
    ((1, 2, 4, 3), (3, 1, 0, 4), "circular"),
    ((1, 2, 3, 4, 5), (1, 2, 0, 1, 2, 1), "constant"),
    ((1, 2, 3, 4, 5), (1, 2, 3, 1, 2, 1), "reflect"),
    ((2, 3, 4, 5), (1, 2, 3, 1, 2, 1), "replicate"),
    ((1, 2, 3, 4, 5), (1, 2, 3, 1, 2, 1), "circular"),
    ((2, 3, 4, 5), (-1, 2, 1, -2), "constant"),                 # negative pads crop
    ((1, 1, 1), (3, 3), "replicate"),
    ((2, 3), (1, 1), "constant"),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_pad(device, dtype, case):
    shape, pads, mode = case
    _compare(device, dtype, shape, lambda x: F.pad(x, pads, mode),
             lambda x: TF.pad(x, pads, mode))


def test_pad_value_and_non_contiguous(device):
    _compare(device, "float64", (3, 4, 5), lambda x: F.pad(x, (1, 2, 0, 1), value=2.5),
             lambda x: TF.pad(x, (1, 2, 0, 1), value=2.5), transpose=True)
    _compare(device, "float32", (3, 4, 5), lambda x: F.pad(x, (1, 2, 2, 1), "reflect"),
             lambda x: TF.pad(x, (1, 2, 2, 1), "reflect"), transpose=True)


LAYERS = [("ZeroPad1d", (2,)), ("ZeroPad2d", ((1, 1, 2, 0),)), ("ZeroPad3d", (1,)),
          ("ConstantPad1d", ((2, 1), 3.5)), ("ConstantPad2d", (2, -1.0)),
          ("ConstantPad3d", ((1, 0, 0, 1, 2, 0), 1.0)), ("ReflectionPad1d", (2,)),
          ("ReflectionPad2d", ((1, 2, 0, 2),)), ("ReflectionPad3d", (1,)),
          ("ReplicationPad1d", ((3, 1),)), ("ReplicationPad2d", (2,)),
          ("ReplicationPad3d", ((1, 2, 0, 1, 2, 0),)), ("CircularPad1d", (2,)),
          ("CircularPad2d", ((1, 2, 2, 0),)), ("CircularPad3d", (1,))]


@pytest.mark.parametrize("name,args", LAYERS)
def test_pad_layers(device, name, args):
    e_layer, t_layer = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(e_layer) == repr(t_layer)
    dims = int(name[-2])
    _compare(device, "float64", (2, 3, 4, 3, 5)[:dims + 2], e_layer, t_layer)


def test_pad_gradcheck(device):
    x = ember.tensor(np.random.default_rng(2).standard_normal((1, 2, 3, 4)), device=device,
                     requires_grad=True)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert ember.autograd.gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode), (x,))


def test_pad_bad_input(device):
    x = ember.zeros(1, 2, 3, device=device)
    with pytest.raises(ValueError, match=r"pad: reflect padding must be less than the size of "
                                         r"the dim it pads, got padding \(3, 0\) for dim 2 of "
                                         r"input \(1, 2, 3\)"):
        F.pad(x, (3, 0), "reflect")
    with pytest.raises(ValueError, match=r"pad: circular padding must be at most the size"):
        F.pad(x, (4, 0), "circular")
    with pytest.raises(ValueError, match=r"pad: expected 2, 4 or 6 padding values, got \(1,\)"):
        F.pad(x, (1,))
    with pytest.raises(ValueError, match=r"pad: replicate padding of 3 dims expects a 4-D or "
                                         r"5-D input, got shape \(1, 2, 3\)"):
        F.pad(x, (1, 1, 1, 1, 1, 1), "replicate")
    with pytest.raises(ValueError, match="pad: mode must be 'constant', 'reflect', 'replicate' "
                                         "or 'circular', got 'wrap'"):
        F.pad(x, (1, 1), "wrap")
    with pytest.raises(ValueError, match="pad: reflect padding must be >= 0"):
        F.pad(x, (-1, 1), "reflect")
    with pytest.raises(ValueError, match="doesn't take in value argument"):
        F.pad(x, (1, 1), "reflect", 2.0)


def _double_backward_inputs(device, shape, fn):
    """x of shape and a grad_output w of fn(x)'s shape, float64, both requiring grad."""
    rng = np.random.default_rng(3)
    x = ember.tensor(rng.standard_normal(shape), device=device, requires_grad=True)
    with ember.no_grad():
        out_shape = tuple(fn(x).shape)
    w = ember.tensor(rng.standard_normal(out_shape), device=device, requires_grad=True)
    return x, w


@pytest.mark.parametrize("case", CASES)
def test_pad_double_backward(device, case):
    """gradgradcheck of pad(x) ** 2: its gradient runs pad's backward, whose own backward is pad
    again."""
    shape, pads, mode = case
    fn = lambda t: F.pad(t, pads, mode, value=1.5 if mode == "constant" else None)  # noqa: E731
    x, w = _double_backward_inputs(device, shape, fn)
    assert gradgradcheck(lambda t: fn(t) ** 2, (x,), w)
    # The same second derivatives as PyTorch's: of sum(g * g), g = d/dx sum(pad(x) ** 2 * w).
    outs = []
    for lib, pad, xx, ww in ((ember, F.pad, x, w),
                             (torch, TF.pad, torch.tensor(x.detach().cpu().numpy(),
                                                          requires_grad=True),
                              torch.tensor(w.detach().cpu().numpy(), requires_grad=True))):
        (g,) = lib.autograd.grad((pad(xx, pads, mode) ** 2 * ww).sum(), (xx,),
                                 create_graph=True)
        gx, gw = lib.autograd.grad((g * g).sum(), (xx, ww))
        outs.append([t.detach().cpu().numpy() for t in (gx, gw)])
    for e, t in zip(*outs):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,args", LAYERS)
def test_pad_layers_double_backward(device, name, args):
    layer = getattr(nn, name)(*args)
    dims = int(name[-2])
    x, w = _double_backward_inputs(device, (1, 2, 3, 3, 4)[:dims + 2], layer)
    assert gradgradcheck(lambda t: layer(t) ** 2, (x,), w)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_padding_mode_double_backward(device, mode):
    ember.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode, dtype=ember.float64).to(device)
    x, w = _double_backward_inputs(device, (1, 2, 4, 5), conv)
    assert gradgradcheck(lambda t: conv(t) ** 2, (x,), w)
    # The weight's second derivative goes through the padded input too.
    (gw,) = ember.autograd.grad((conv(x) ** 2 * w).sum(), (conv.weight,), create_graph=True)
    (gx,) = ember.autograd.grad((gw * gw).sum(), (x,))
    assert tuple(gx.shape) == tuple(x.shape) and float((gx * gx).sum().item()) > 0
