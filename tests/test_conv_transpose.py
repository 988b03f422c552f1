"""conv_transpose1d/2d and their layers against PyTorch (outputs and every gradient, over
strides, paddings, output_padding, dilations and groups), and the second derivatives of
conv1d/conv2d/conv_transpose through create_graph=True."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from conv_oracle import check_forward_backward, check_second_derivatives, gradgradcheck

torch = pytest.importorskip("torch")

# (N, C_in, H, W), (C_out / groups, kh, kw), stride, padding, output_padding, dilation, groups:
# small enough for the emulator; output_padding both below the stride and (where the dilation
# allows it) at or above it.
CASES_2D = [
    ((2, 3, 4, 5), (4, 3, 3), 1, 0, 0, 1, 1),
    ((1, 4, 3, 3), (3, 2, 3), 2, 1, 1, 1, 2),               # groups, output_padding < stride
    ((2, 2, 5, 4), (3, 3, 2), (3, 2), (2, 0), (2, 1), (1, 2), 1),
    ((1, 3, 3, 4), (2, 3, 3), 1, 1, 1, 2, 1),               # output_padding >= stride
    ((2, 3, 3, 2), (2, 2, 2), (1, 2), 0, (2, 1), (3, 1), 1),  # output_padding 2 via dilation 3
    ((2, 6, 3, 3), (1, 3, 3), 2, 1, 0, 1, 6),               # depthwise
    ((1, 1, 1, 1), (1, 1, 1), 1, 0, 0, 1, 1),               # all ones
    ((1, 5, 2, 7), (3, 2, 4), (1, 3), (0, 1), (0, 2), (2, 1), 1),
]

# (N, C_in, L), (C_out / groups, k), stride, padding, output_padding, dilation, groups.
CASES_1D = [
    ((2, 3, 7), (4, 3), 1, 0, 0, 1, 1),
    ((1, 4, 5), (3, 2), 3, 1, 2, 1, 2),
    ((2, 2, 4), (3, 3), 1, 2, 1, 2, 1),                     # output_padding >= stride
    ((3, 6, 1), (1, 5), 2, 0, 1, 1, 6),                     # depthwise, length 1
]


def _shapes(case, bias):
    x_shape, (cog, *kernel), *_, groups = case
    shapes = [x_shape, (x_shape[1], cog, *kernel)]
    return shapes + [(cog * groups,)] if bias else shapes


def _fns(case, bias, dims, variant="auto"):
    _, _, stride, padding, output_padding, dilation, groups = case
    e_op = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[dims]
    t_op = {1: torch.nn.functional.conv_transpose1d, 2: torch.nn.functional.conv_transpose2d}[dims]

    def e_fn(x, w, b=None):
        return e_op(x, w, b, stride, padding, output_padding, groups, dilation, variant=variant)

    def t_fn(x, w, b=None):
        return t_op(x, w, b, stride, padding, output_padding, groups, dilation)
    return e_fn, t_fn


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES_2D)
def test_conv_transpose2d_matches_torch(device, dtype, case):
    check_forward_backward(torch, device, dtype, *_fns(case, True, 2), _shapes(case, True))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES_1D)
def test_conv_transpose1d_matches_torch(device, dtype, case):
    check_forward_backward(torch, device, dtype, *_fns(case, True, 1), _shapes(case, True))


@pytest.mark.parametrize("variant", ["naive", "im2col"])
@pytest.mark.parametrize("case", [CASES_2D[2], CASES_2D[3], CASES_2D[4], CASES_2D[5]])
def test_conv_transpose2d_variants_without_bias(device, variant, case):
    # "im2col" is the implicit GEMM on CUDA: every kernel also runs with output_size cutting
    # the conv's outputs short (output_padding >= stride in CASES_2D[3] and [4]).
    check_forward_backward(torch, device, "float64", *_fns(case, False, 2, variant),
                           _shapes(case, False))


def test_conv_transpose_unbatched(device):
    case = CASES_2D[1]
    e_fn, t_fn = _fns(case, True, 2)
    shapes = _shapes(case, True)
    shapes[0] = shapes[0][1:]
    check_forward_backward(torch, device, "float64", e_fn, t_fn, shapes)
    case = CASES_1D[1]
    e_fn, t_fn = _fns(case, False, 1)
    shapes = _shapes(case, False)
    shapes[0] = shapes[0][1:]
    check_forward_backward(torch, device, "float64", e_fn, t_fn, shapes)


@pytest.mark.parametrize("case", [CASES_2D[1], CASES_2D[3]])
def test_conv_transpose2d_gradcheck(device, case):
    e_fn, _ = _fns(case, True, 2)
    rng = np.random.default_rng(4)
    inputs = [ember.tensor(rng.standard_normal(s), device=device, requires_grad=True)
              for s in _shapes(case, True)]
    assert ember.autograd.gradcheck(e_fn, inputs)


# Second derivatives: conv2d, conv1d and the transposed convolutions, with and without bias.
_CONV_2D = [((2, 4, 5, 4), (6, 2, 3, 2), dict(stride=(2, 1), padding=1, dilation=(1, 2),
                                              groups=2)),
            ((1, 3, 4, 4), (2, 3, 2, 2), dict(padding="same"))]


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("x_shape,w_shape,kw", _CONV_2D)
def test_conv2d_second_derivatives(device, x_shape, w_shape, kw):
    shapes = [x_shape, w_shape, (w_shape[0],)]
    check_second_derivatives(torch, device, lambda x, w, b: F.conv2d(x, w, b, **kw),
                             lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kw), shapes)


def test_conv1d_second_derivatives(device):
    kw = dict(stride=2, padding=1, dilation=2, groups=3)
    check_second_derivatives(torch, device, lambda x, w: F.conv1d(x, w, **kw),
                             lambda x, w: torch.nn.functional.conv1d(x, w, **kw),
                             [(2, 3, 9), (6, 1, 3)])


@pytest.mark.parametrize("dims,case", [(2, CASES_2D[1]), (2, CASES_2D[4]), (1, CASES_1D[2])])
def test_conv_transpose_second_derivatives(device, dims, case):
    check_second_derivatives(torch, device, *_fns(case, True, dims), _shapes(case, True))


def test_conv_gradgradcheck(device):
    rng = np.random.default_rng(5)

    def t(*shape):
        return ember.tensor(rng.standard_normal(shape), device=device, requires_grad=True)
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=1, groups=2),
                         (t(1, 2, 4, 3), t(4, 1, 2, 2)), t(1, 4, 3, 2))
    assert gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1,
                                                         dilation=(1, 2)),
                         (t(1, 2, 2, 3), t(2, 2, 2, 2)), t(1, 2, 5, 8))


# The layers.
@pytest.mark.parametrize("cls,dims", [(nn.ConvTranspose1d, 1), (nn.ConvTranspose2d, 2)])
def test_conv_transpose_layer_matches_torch_from_its_state_dict(device, cls, dims):
    kw = dict(stride=2, padding=1, output_padding=1, groups=2, dilation=1)
    t_layer = getattr(torch.nn, cls.__name__)(4, 6, 3, **kw).double()
    layer = cls(4, 6, 3, **kw).double()
    assert tuple(layer.weight.shape) == tuple(t_layer.weight.shape) == (4, 3) + (3,) * dims
    layer.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                           t_layer.state_dict().items()})
    layer.to(device)
    x = np.random.default_rng(6).standard_normal((2, 4) + (3,) * dims)
    got = layer(ember.tensor(x, device=device))
    want = t_layer(torch.tensor(x))
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-10,
                               atol=1e-10)
    size = [7] * dims  # min 5, max 6 with output_padding: 7 is out of range
    got = layer(ember.tensor(x, device=device), output_size=[6] * dims)
    want = t_layer(torch.tensor(x), output_size=[6] * dims)
    np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(), rtol=1e-10,
                               atol=1e-10)
    got = layer(ember.tensor(x, device=device), output_size=[2, 6] + [5] * dims)
    assert tuple(got.shape) == (2, 6) + (5,) * dims
    with pytest.raises(ValueError, match=rf"{cls.__name__}\(4, 6.*requested an output size of "
                                         rf"\({', '.join(map(str, size))},?\), but valid sizes "
                                         rf"range from \({'5, ' * (dims - 1)}5,?\) to"):
        layer(ember.tensor(x, device=device), output_size=size)


def test_conv_transpose_layer_init_and_repr():
    ember.manual_seed(0)
    layer = nn.ConvTranspose2d(4, 6, (3, 2), stride=2, groups=2)
    fan_in = 3 * 3 * 2  # weight.shape[1] * kernel, as PyTorch's init computes it
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(layer.bias.detach().numpy()).max() <= bound
    assert np.abs(layer.weight.detach().numpy()).max() <= bound  # kaiming_uniform_(a=sqrt(5))
    for args, kw in [((16, 33, 3), dict(stride=2)),
                     ((4, 6, (3, 5)), dict(stride=(2, 1), padding=(4, 2), output_padding=(1, 0),
                                           groups=2, bias=False, dilation=(2, 1)))]:
        assert repr(nn.ConvTranspose2d(*args, **kw)) == \
            repr(torch.nn.ConvTranspose2d(*args, **kw))
    assert repr(nn.ConvTranspose1d(3, 5, 4, padding=1, output_padding=2, stride=3)) == \
        repr(torch.nn.ConvTranspose1d(3, 5, 4, padding=1, output_padding=2, stride=3))


def test_conv_transpose_layer_trains(device):
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1).to(device)
    x = ember.randn(2, 2, 4, 4).to(device)
    layer(x).square().mean().backward()
    assert layer.weight.grad.shape == layer.weight.shape
    assert layer.bias.grad.shape == layer.bias.shape


def test_conv_transpose_bad_input(device):
    x = ember.zeros(2, 4, 5, 5, device=device)
    w = ember.zeros(4, 3, 3, 3, device=device)
    with pytest.raises(ValueError, match=r"conv_transpose2d: weight of shape \(4, 3, 3, 3\) "
                                         r"expects input of shape \(2, 5, 5, 5\) to have 4 "
                                         r"channels, but it has 5"):
        F.conv_transpose2d(ember.zeros(2, 5, 5, 5, device=device), w)
    with pytest.raises(ValueError, match=r"conv_transpose2d: output_padding=\(2, 2\) must be "
                                         r"smaller than either stride=\(2, 2\) or "
                                         r"dilation=\(1, 1\)"):
        F.conv_transpose2d(x, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"output_padding=\(0, 1\) must be smaller"):
        F.conv_transpose2d(x, w, output_padding=(0, 1), dilation=(2, 1))
    with pytest.raises(ValueError, match="not divisible by groups=3"):
        F.conv_transpose2d(x, w, groups=3)
    with pytest.raises(ValueError, match=r"conv_transpose2d: bias of shape \(4,\) does not fit"):
        F.conv_transpose2d(x, w, ember.zeros(4, device=device))
    with pytest.raises(ValueError, match=r"conv_transpose2d: expected a 4-D weight"):
        F.conv_transpose2d(x, ember.zeros(4, 3, 3, device=device))
    with pytest.raises(ValueError, match=r"conv_transpose2d: expected a 3-D .* or 4-D .* input, "
                                         r"got shape \(5, 5\)"):
        F.conv_transpose2d(ember.zeros(5, 5, device=device), w)
    with pytest.raises(ValueError, match=r"gives an empty output"):
        F.conv_transpose2d(x[:, :, :1, :1], w, padding=2)
    with pytest.raises(TypeError, match="conv_transpose2d: expected float32 or float64"):
        F.conv_transpose2d(x, w.double())
    with pytest.raises(ValueError, match=r"conv_transpose1d: output_padding=\(0, 3\).*\(1-D "
                                         r"input of shape \(2, 4, 5\), weight of shape "
                                         r"\(4, 3, 3\)\)"):
        F.conv_transpose1d(x[:, :, 0], w[:, :, 0], stride=3, output_padding=3)
    with pytest.raises(ValueError, match=r"ConvTranspose2d: output_padding=\(1, 1\) must be "
                                         r"smaller than either stride=\(1, 1\)"):
        nn.ConvTranspose2d(4, 3, 3, output_padding=1)
    with pytest.raises(ValueError, match=r"ConvTranspose1d\(4, 2, kernel_size=\(3,\).*"
                                         r"in_channels=4 channels, got input of shape "
                                         r"\(2, 3, 5\)"):
        nn.ConvTranspose1d(4, 2, 3).to(device)(ember.zeros(2, 3, 5, device=device))
    with pytest.raises(ValueError, match=r"ConvTranspose2d: padding must be an int or a tuple"):
        nn.ConvTranspose2d(4, 3, 3, padding="same")
