"""conv3d / Conv3d (and conv_transpose3d / ConvTranspose3d, made of the same ops) against
PyTorch: outputs and every gradient over strides, paddings ('same' included), dilations,
groups and awkward sizes; the vol2col path against the direct reference; second derivatives."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from conv_oracle import check_forward_backward, check_second_derivatives

torch = pytest.importorskip("torch")

# (N, C_in, D, H, W), (C_out, kd, kh, kw), stride, padding, dilation, groups: small enough for
# the emulator.
CASES = [
    ((2, 3, 4, 5, 3), (4, 2, 3, 2), 1, 1, 1, 1),
    ((1, 1, 3, 3, 3), (1, 1, 1, 1), 1, 0, 1, 1),                  # 1x1x1, all ones
    ((2, 4, 5, 4, 6), (6, 3, 2, 3), (2, 1, 3), (1, 0, 2), 1, 2),  # strides, groups
    ((1, 2, 5, 5, 4), (3, 2, 2, 2), 1, (0, 2, 1), (2, 2, 1), 1),  # dilation
    ((2, 3, 3, 4, 3), (3, 2, 2, 3), 1, 0, 1, 3),                  # depthwise
    ((1, 2, 3, 4, 5), (2, 2, 3, 4), 1, "same", (1, 2, 1), 1),     # even kernels: asymmetric
    ((2, 3, 3, 2, 4), (2, 1, 2, 3), 1, "valid", 1, 1),
    ((1, 5, 3, 3, 3), (7, 3, 3, 3), 3, 1, 1, 1),                  # primes, output 1x1x1
]


def _shapes(case, bias=True):
    x_shape, (c_out, *kernel), *_, groups = case
    shapes = [x_shape, (c_out, x_shape[1] // groups, *kernel)]
    return shapes + [(c_out,)] if bias else shapes


def _fns(case, variant="auto"):
    _, _, stride, padding, dilation, groups = case

    def e_fn(x, w, b=None):
        return F.conv3d(x, w, b, stride, padding, dilation, groups, variant=variant)

    def t_fn(x, w, b=None):
        return torch.nn.functional.conv3d(x, w, b, stride, padding, dilation, groups)
    return e_fn, t_fn


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_conv3d_matches_torch(device, dtype, case):
    check_forward_backward(torch, device, dtype, *_fns(case), _shapes(case))


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("variant", ["naive", "im2col"])
@pytest.mark.parametrize("case", [CASES[0], CASES[2], CASES[3], CASES[5]])
def test_conv3d_variants_without_bias(variant, case):
    check_forward_backward(torch, "cpu", "float64", *_fns(case, variant), _shapes(case, False))


def test_conv3d_variants_agree_on_a_larger_batch():
    # More samples than threads: the per-thread column buffers and partial grad_weight sums.
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((7, 4, 5, 6, 5)), rng.standard_normal((6, 2, 2, 3, 2))
    results = {}
    for variant in ("naive", "im2col", "auto"):
        ex, ew = ember.tensor(x, requires_grad=True), ember.tensor(w, requires_grad=True)
        out = F.conv3d(ex, ew, None, (2, 1, 2), 1, (1, 2, 1), 2, variant=variant)
        out.sum().backward()
        results[variant] = (out.detach().numpy(), ex.grad.numpy(), ew.grad.numpy())
    for variant in ("im2col", "auto"):
        for a, b in zip(results["naive"], results[variant]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_conv3d_unbatched_and_noncontiguous(device):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((3, 4, 6, 5)), rng.standard_normal((2, 3, 2, 2, 2))
    e_x = ember.tensor(x.transpose(0, 1, 3, 2).copy(), device=device).transpose(2, 3)
    got = F.conv3d(e_x, ember.tensor(w, device=device), padding=1)
    want = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(w), padding=1)
    np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", [CASES[0], CASES[2]])
def test_conv3d_gradcheck(device, case):
    rng = np.random.default_rng(4)
    x_shape, (c_out, *kernel), stride, padding, dilation, groups = case
    inputs = [ember.tensor(rng.standard_normal(s), device=device, requires_grad=True)
              for s in [(1, x_shape[1], 3, 4, 3), (c_out, x_shape[1] // groups, 2, 2, 1),
                        (c_out,)]]
    assert ember.autograd.gradcheck(
        lambda x, w, b: F.conv3d(x, w, b, stride, padding, dilation, groups), inputs)


def test_conv3d_second_derivatives(device):
    check_second_derivatives(torch, device, *_fns(CASES[2]), _shapes(CASES[2]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_transpose3d_matches_torch(device, dtype):
    kw = dict(stride=(2, 1, 3), padding=(1, 0, 1), output_padding=(1, 0, 2), groups=2,
              dilation=(1, 2, 1))
    check_forward_backward(torch, device, dtype,
                           lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
                           lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, **kw),
                           [(2, 4, 2, 3, 2), (4, 3, 2, 2, 3), (6,)])


def test_conv3d_layers_match_torch_from_their_state_dicts(device):
    for name, args, kw in [("Conv3d", (4, 6, (3, 2, 2)), dict(stride=(1, 2, 1), padding=1,
                                                             groups=2)),
                           ("ConvTranspose3d", (4, 6, 2), dict(stride=2, output_padding=1))]:
        t_layer = getattr(torch.nn, name)(*args, **kw).double()
        layer = getattr(nn, name)(*args, **kw).double()
        assert tuple(layer.weight.shape) == tuple(t_layer.weight.shape)
        assert repr(layer) == repr(t_layer)
        layer.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                               t_layer.state_dict().items()})
        layer.to(device)
        x = np.random.default_rng(6).standard_normal((2, 4, 3, 4, 3))
        got = layer(ember.tensor(x, device=device))
        want = t_layer(torch.tensor(x))
        np.testing.assert_allclose(got.detach().cpu().numpy(), want.detach().numpy(),
                                   rtol=1e-10, atol=1e-10)


def test_conv3d_layer_init_and_repr():
    ember.manual_seed(0)
    layer = nn.Conv3d(4, 6, (3, 2, 1), groups=2, bias=True)
    bound = 1 / np.sqrt(2 * 3 * 2 * 1)
    assert tuple(layer.weight.shape) == (6, 2, 3, 2, 1)
    assert np.abs(layer.bias.detach().numpy()).max() <= bound
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    for args, kw in [((16, 33, 3), dict(stride=2)),
                     ((4, 6, (3, 5, 2)), dict(stride=(2, 1, 1), padding=(4, 2, 0),
                                              dilation=(3, 1, 1), groups=2, bias=False)),
                     ((2, 2, 4), dict(padding="same"))]:
        assert repr(nn.Conv3d(*args, **kw)) == repr(torch.nn.Conv3d(*args, **kw))


def test_conv3d_bad_input(device):
    x = ember.zeros(2, 4, 5, 5, 5, device=device)
    w = ember.zeros(3, 4, 3, 3, 3, device=device)
    with pytest.raises(ValueError, match=r"Conv3d\(4, 3, kernel_size=\(3, 3, 3\).*expected a "
                                         r"5-D batched or 4-D unbatched input with "
                                         r"in_channels=4 channels, got input of shape "
                                         r"\(2, 4, 5, 5\)"):
        nn.Conv3d(4, 3, 3).to(device)(x[:, :, 0])
    with pytest.raises(ValueError, match=r"Conv3d\(4, 3.*got input of shape \(2, 5, 5, 5, 5\)"):
        nn.Conv3d(4, 3, 3).to(device)(ember.zeros(2, 5, 5, 5, 5, device=device))
    with pytest.raises(ValueError, match=r"conv3d: expected a 4-D \(C, \*spatial\) or 5-D .* "
                                         r"input, got shape \(5, 5, 5\)"):
        F.conv3d(x[0, 0], w)
    with pytest.raises(ValueError, match=r"conv3d: expected a 5-D weight"):
        F.conv3d(x, w[:, :, 0])
    with pytest.raises(ValueError, match=r"conv3d: given groups=1, weight of shape "
                                         r"\(3, 4, 3, 3, 3\) expects input of shape "
                                         r"\(2, 2, 5, 5, 5\) to have 4 channels, but it has 2"):
        F.conv3d(x[:, :2], w)
    with pytest.raises(ValueError, match=r"conv3d: kernel of shape \(3, 4, 3, 3, 3\).*larger "
                                         r"than the padded input \(2, 5, 5\)"):
        F.conv3d(x[:, :, :2], w)
    with pytest.raises(ValueError, match="conv3d: bias of shape"):
        F.conv3d(x, w, ember.zeros(4, device=device))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv3d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="conv3d: unknown variant"):
        F.conv3d(x, w, variant="fast")
    with pytest.raises(TypeError, match="conv3d: expected float32 or float64"):
        F.conv3d(x, w.double())
    with pytest.raises(ValueError, match=r"conv3d: expected an int or 3 ints for stride"):
        F.conv3d(x, w, stride=(1, 2))
    with pytest.raises(ValueError, match=r"conv3d: expected 3 values >= 1 for dilation"):
        F.conv3d(x, w, dilation=0)
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv3d(4, 6, 3, groups=4)
