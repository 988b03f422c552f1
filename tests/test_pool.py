"""Max, average and adaptive pooling (2-D and 1-D): outputs, indices and gradients against
PyTorch, on both devices; gradcheck; bad input."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {"float32": 1e-5, "float64": 1e-12}


def _inputs(device, dtype, shape, seed=0):
    # Distinct values, so that every max (and so every index and gradient) is unambiguous.
    a = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) / 7.0 - 3.0
    e = ember.tensor(a, dtype=getattr(ember, dtype), device=device, requires_grad=True)
    t = torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True)
    return e, t


def _compare(device, dtype, shape, e_fn, t_fn):
    e, t = _inputs(device, dtype, shape)
    e_out, t_out = e_fn(e), t_fn(t)
    if isinstance(t_out, tuple):
        np.testing.assert_array_equal(e_out[1].cpu().numpy(), t_out[1].numpy())
        e_out, t_out = e_out[0], t_out[0]
    tol = TOL[dtype]
    assert tuple(e_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(e_out.detach().cpu().numpy(), t_out.detach().numpy(), rtol=tol,
                               atol=tol)
    g = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
    e_out.backward(ember.tensor(g, dtype=getattr(ember, dtype), device=device))
    t_out.backward(torch.tensor(g, dtype=getattr(torch, dtype)))
    np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.numpy(), rtol=tol, atol=tol)


MAX_CASES = [  # shape, kernel, stride, padding, dilation, ceil_mode
    ((2, 3, 6, 6), 2, None, 0, 1, False),
    ((1, 2, 7, 5), 3, 2, 1, 1, False),
    ((2, 1, 7, 5), 3, 2, 1, 1, True),
    ((1, 3, 9, 8), (3, 2), (2, 3), (1, 1), (2, 1), True),
    ((3, 5, 5), 2, 1, 0, 1, False),          # unbatched
    ((1, 1, 1, 1), 1, 1, 0, 1, False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool2d(device, dtype, case):
    shape, k, s, p, d, ceil = case
    _compare(device, dtype, shape,
             lambda x: F.max_pool2d(x, k, s, p, d, ceil, return_indices=True),
             lambda x: TF.max_pool2d(x, k, s, p, d, ceil, return_indices=True))


AVG_CASES = [  # shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    ((2, 3, 6, 6), 2, None, 0, False, True, None),
    ((1, 2, 7, 5), 3, 2, 1, False, True, None),
    ((1, 2, 7, 5), 3, 2, 1, False, False, None),
    ((2, 1, 7, 6), (3, 2), (2, 3), (1, 1), True, True, None),
    ((2, 1, 7, 6), (3, 2), (2, 3), (1, 1), True, False, None),
    ((1, 2, 5, 5), 3, 1, 1, False, True, 4),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d(device, dtype, case):
    shape, k, s, p, ceil, cip, div = case
    _compare(device, dtype, shape, lambda x: F.avg_pool2d(x, k, s, p, ceil, cip, div),
             lambda x: TF.avg_pool2d(x, k, s, p, ceil, cip, div))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,size", [((2, 3, 7, 5), (3, 2)), ((1, 2, 4, 4), 4),
                                        ((1, 1, 5, 9), (None, 4)), ((3, 6, 6), 1)])
def test_adaptive_pools(device, dtype, shape, size):
    _compare(device, dtype, shape, lambda x: F.adaptive_avg_pool2d(x, size),
             lambda x: TF.adaptive_avg_pool2d(x, size))
    _compare(device, dtype, shape, lambda x: F.adaptive_max_pool2d(x, size, True),
             lambda x: TF.adaptive_max_pool2d(x, size, True))


def test_pool1d(device):
    _compare(device, "float64", (2, 3, 9), lambda x: F.max_pool1d(x, 3, 2, 1, 2, True, True),
             lambda x: TF.max_pool1d(x, 3, 2, 1, 2, True, True))
    _compare(device, "float64", (3, 8), lambda x: F.avg_pool1d(x, 3, 2, 1, True, False),
             lambda x: TF.avg_pool1d(x, 3, 2, 1, True, False))


def test_pool_gradcheck(device):
    x, _ = _inputs(device, "float64", (1, 2, 5, 6))
    assert ember.autograd.gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, True, False), (x,))
    assert ember.autograd.gradcheck(lambda t: F.max_pool2d(t, 2, 1, 1), (x,))
    assert ember.autograd.gradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 4)), (x,))


def test_pool_layers_repr_and_forward(device):
    x = ember.tensor(np.arange(32.0).reshape(1, 2, 4, 4), device=device)
    assert repr(nn.MaxPool2d(2)) == repr(torch.nn.MaxPool2d(2))
    assert repr(nn.AvgPool2d(3, 1, 1)) == repr(torch.nn.AvgPool2d(3, 1, 1))
    assert repr(nn.AdaptiveAvgPool2d((1, 1))) == repr(torch.nn.AdaptiveAvgPool2d((1, 1)))
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).cpu().numpy()[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(nn.AdaptiveAvgPool2d(1)(x).cpu().numpy().ravel(), [7.5, 23.5])
    assert tuple(nn.AdaptiveMaxPool2d((2, 1))(x).shape) == (1, 2, 2, 1)
    assert tuple(nn.AvgPool2d(2)(x).shape) == (1, 2, 2, 2)
    y = ember.tensor(np.arange(10.0).reshape(1, 1, 10), device=device)
    np.testing.assert_array_equal(nn.MaxPool1d(3)(y).cpu().numpy().ravel(), [2, 5, 8])
    np.testing.assert_array_equal(nn.AvgPool1d(5)(y).cpu().numpy().ravel(), [2, 7])


def test_pool_bad_input(device):
    x = ember.zeros(1, 1, 4, 4, device=device)
    with pytest.raises(ValueError, match=r"max_pool2d: expected a 3-D .* got shape \(4, 4\)"):
        F.max_pool2d(ember.zeros(4, 4, device=device), 2)
    with pytest.raises(ValueError, match="max_pool2d: padding .* at most half of kernel_size"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match=r"avg_pool2d: input of shape \(1, 1, 4, 4\) is too "
                                         r"small for kernel_size \(5, 5\)"):
        F.avg_pool2d(x, 5)
    with pytest.raises(ValueError, match="divisor_override must be > 0"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: output_size must be >= 1"):
        F.adaptive_avg_pool2d(x, 0)
    with pytest.raises(TypeError, match="max_pool2d: expected a float32 or float64 input"):
        F.max_pool2d(x.to(ember.int64), 2)
