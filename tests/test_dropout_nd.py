"""Channel-wise dropout (Dropout1d/2d/3d, F.dropout1d/2d/3d) and alpha dropout: whole feature
maps zeroed, the rest scaled by 1/(1-p), gradients through the same mask, PyTorch's handling of
unbatched input and its warnings, eval mode, in place, and bad input."""
import math
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn import functional as F

torch = pytest.importorskip("torch")


def _channel_mask(y, x, p):
    """Checks y == x * mask * 1/(1-p) with one 0/1 mask value per (sample, channel); returns the
    mask as an (N, C) array."""
    y, x = y.detach().cpu().numpy(), x.detach().cpu().numpy()
    n, c = x.shape[:2]
    yc, xc = y.reshape(n, c, -1), x.reshape(n, c, -1)
    kept = np.abs(yc).sum(axis=2) > 0
    expected = np.where(kept[:, :, None], xc / (1 - p), 0.0)
    np.testing.assert_allclose(yc, expected, rtol=1e-6, atol=0)
    return kept


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (40, 25, 3)), (F.dropout2d, (40, 25, 2, 3)),
                                      (F.dropout3d, (40, 25, 2, 1, 3))])
def test_feature_dropout_zeroes_whole_channels(device, dtype, fn, shape):
    ember.manual_seed(0)
    p = 0.3
    x = (ember.rand(*shape, dtype=dtype, device=device) + 0.5).requires_grad_()
    y = fn(x, p)
    kept = _channel_mask(y, x, p)
    assert abs(kept.mean() - (1 - p)) < 0.06  # 1000 draws
    y.backward(ember.ones(*shape, dtype=dtype, device=device))
    g = x.grad.cpu().numpy().reshape(shape[0], shape[1], -1)
    np.testing.assert_allclose(g, np.broadcast_to(kept[:, :, None] / (1 - p), g.shape),
                               rtol=1e-6)


@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (6, 4)), (F.dropout3d, (6, 2, 3, 4))])
def test_feature_dropout_unbatched_input_is_one_sample(device, fn, shape):
    ember.manual_seed(1)
    x = ember.rand(*shape, device=device) + 0.5
    y = fn(x, 0.5)
    assert tuple(y.shape) == shape
    kept = _channel_mask(y.unsqueeze(0), x.unsqueeze(0), 0.5)
    assert kept.shape == (1, 6)


def test_modules_eval_p_zero_p_one_and_inplace(device):
    x = ember.rand(3, 4, 5, 5, device=device) + 0.5
    for mod, inp in ((nn.Dropout1d(0.4), x[0]), (nn.Dropout2d(0.4), x),
                     (nn.Dropout3d(0.4), x)):
        mod.eval()
        assert mod(inp) is inp
    assert F.dropout2d(x, 0.0) is x
    assert float(F.dropout2d(x, 1.0).abs().sum()) == 0.0
    y = x.clone()
    out = F.dropout2d(y, 0.5, inplace=True)
    assert out is y
    _channel_mask(y, x, 0.5)
    z = x.clone()
    F.dropout3d(z, 0.5, inplace=True)  # unbatched (C, D, H, W): written through the view
    _channel_mask(z.unsqueeze(0), x.unsqueeze(0), 0.5)


def test_reprs_match_torch():
    for e, t in [(nn.Dropout1d(), torch.nn.Dropout1d()), (nn.Dropout2d(0.2, True),
                                                           torch.nn.Dropout2d(0.2, True)),
                 (nn.Dropout3d(0.1), torch.nn.Dropout3d(0.1)),
                 (nn.AlphaDropout(0.3), torch.nn.AlphaDropout(0.3)),
                 (nn.FeatureAlphaDropout(0.3), torch.nn.FeatureAlphaDropout(0.3))]:
        assert repr(e) == repr(t)


def test_torch_warnings_and_errors():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a "
                                           "4D input"):
        F.dropout1d(ember.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d and assuming that "
                                         "channel-wise 1D"):
        y = F.dropout2d(ember.ones(2, 3, 4), 0.5)
    _channel_mask(y, ember.ones(2, 3, 4), 0.5)
    with pytest.warns(UserWarning, match="Received a 5-D input to dropout2d, which is "
                                         "deprecated"):
        F.dropout2d(ember.ones(2, 3, 4, 1, 1))
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d, which is "
                                         "deprecated"):
        F.dropout3d(ember.ones(2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout2d(ember.ones(2, 3, 4, 4))
        F.dropout3d(ember.ones(3, 4, 4, 4))
    for fn in (F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, "
                                             "but got 1.5"):
            fn(ember.ones(2, 3, 4), 1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(-0.1)
    with pytest.raises(TypeError, match="dropout2d: expected a floating-point input"):
        F.dropout2d(ember.ones(2, 3, 4, 4, dtype=ember.int64))


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_selu_statistics(device, feature):
    ember.manual_seed(2)
    p = 0.2
    x = ember.randn(200, 50, 20, dtype=ember.float64, device=device).requires_grad_()
    fn = F.feature_alpha_dropout if feature else F.alpha_dropout
    y = fn(x, p, training=True)
    yn, xn = y.detach().cpu().numpy(), x.detach().cpu().numpy()
    alpha = 1.7580993408473766
    a = 1 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    at_saturation = np.isclose(yn, alpha * a * (p - 1), rtol=1e-12, atol=0)
    dropped = at_saturation if not feature else \
        np.broadcast_to(at_saturation.all(axis=2, keepdims=True), yn.shape)
    np.testing.assert_allclose(yn[~dropped], (xn * a + alpha * a * p)[~dropped], rtol=1e-12)
    assert abs(dropped.mean() - p) < 0.02
    assert abs(yn.mean()) < 0.03 and abs(yn.std() - 1) < 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), np.where(dropped, 0.0, a), rtol=1e-12)
    assert fn(x, p) is x  # training=False by default, like PyTorch
