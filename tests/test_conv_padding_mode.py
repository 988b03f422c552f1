"""Conv1d/2d/3d with padding_mode 'reflect', 'replicate' and 'circular' against PyTorch (output,
input, weight and bias gradients), the repr, and the errors for bad or unsupported modes."""
import numpy as np
import pytest

import ember
import ember.nn as nn

torch = pytest.importorskip("torch")

# layer, input shape, kernel, padding, stride, dilation: padding below each padded dim's size
# (reflect needs it), strides and dilations with every mode, 'same' with an even kernel.
CASES = [
    ("Conv1d", (2, 3, 7), 3, 1, 1, 1),
    ("Conv1d", (1, 2, 5), 4, "same", 1, 1),
    ("Conv2d", (2, 3, 5, 6), 3, 2, 1, 1),
    ("Conv2d", (1, 2, 6, 5), (3, 2), (1, 0), (2, 1), 1),
    ("Conv2d", (2, 2, 7, 7), 3, "same", 1, 2),
    ("Conv2d", (2, 2, 4, 5), 3, "valid", 1, 1),
    ("Conv3d", (1, 2, 4, 5, 3), 3, 1, (1, 2, 1), 1),
]


def _layers(name, c_in, kernel, padding, stride, dilation, mode, dtype):
    kw = dict(kernel_size=kernel, padding=padding, stride=stride, dilation=dilation,
              padding_mode=mode)
    t = getattr(torch.nn, name)(c_in, 4, dtype=getattr(torch, dtype), **kw)
    e = getattr(nn, name)(c_in, 4, dtype=getattr(ember, dtype), **kw)
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return e, t


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}{c[1]}")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_padding_mode_matches_torch(device, mode, case, dtype):
    name, shape, kernel, padding, stride, dilation = case
    e, t = _layers(name, shape[1], kernel, padding, stride, dilation, mode, dtype)
    e.to(device)
    x = np.random.default_rng(0).standard_normal(shape)
    ex = ember.tensor(x, dtype=getattr(ember, dtype), device=device, requires_grad=True)
    tx = torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)
    ey, ty = e(ex), t(tx)
    tol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(ey.detach().cpu().numpy(), ty.detach().numpy(), rtol=tol,
                               atol=tol)
    g = np.random.default_rng(1).standard_normal(tuple(ty.shape))
    ey.backward(ember.tensor(g, dtype=getattr(ember, dtype), device=device))
    ty.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    for eg, tg in [(ex.grad, tx.grad), (e.weight.grad, t.weight.grad),
                   (e.bias.grad, t.bias.grad)]:
        np.testing.assert_allclose(eg.cpu().numpy(), tg.numpy(), rtol=tol, atol=tol * 10)


def test_padding_mode_unbatched_input():
    e, t = _layers("Conv2d", 2, 3, 1, 1, 1, "reflect", "float64")
    x = np.random.default_rng(2).standard_normal((2, 5, 4))
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_padding_mode_repr_matches_torch():
    kw = dict(kernel_size=3, padding=1, padding_mode="circular")
    assert repr(nn.Conv2d(2, 3, **kw)) == repr(torch.nn.Conv2d(2, 3, **kw))


def test_bad_padding_mode_raises():
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(2, 3, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for '
                                         "ConvTranspose2d"):
        nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")


def test_reflect_padding_larger_than_input_raises():
    layer = nn.Conv2d(1, 1, 5, padding=3, padding_mode="reflect")
    with pytest.raises((ValueError, RuntimeError), match="pad"):
        layer(ember.randn(1, 1, 3, 3))
