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


MAX3D_CASES = [  # shape, kernel, stride, padding, dilation, ceil_mode
    ((1, 2, 4, 4, 4), 2, None, 0, 1, False),
    ((2, 1, 5, 7, 6), 3, 2, 1, 1, True),
    ((1, 1, 7, 5, 9), (3, 2, 3), (2, 1, 3), (1, 1, 0), (2, 1, 2), True),
    ((2, 3, 5, 3), (1, 2, 2), 1, 0, 1, False),   # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", MAX3D_CASES)
def test_max_pool3d(device, dtype, case):
    shape, k, s, p, d, ceil = case
    _compare(device, dtype, shape,
             lambda x: F.max_pool3d(x, k, s, p, d, ceil, return_indices=True),
             lambda x: TF.max_pool3d(x, k, s, p, d, ceil, return_indices=True))


AVG3D_CASES = [  # shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    ((1, 2, 4, 6, 4), 2, None, 0, False, True, None),
    ((2, 1, 5, 7, 6), 3, 2, 1, True, True, None),
    ((2, 1, 5, 7, 6), (3, 2, 3), (2, 3, 1), (1, 1, 0), True, False, None),
    ((1, 3, 5, 5), 2, 1, 1, False, True, 3),     # unbatched
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", AVG3D_CASES)
def test_avg_pool3d(device, dtype, case):
    shape, k, s, p, ceil, cip, div = case
    _compare(device, dtype, shape, lambda x: F.avg_pool3d(x, k, s, p, ceil, cip, div),
             lambda x: TF.avg_pool3d(x, k, s, p, ceil, cip, div))


@pytest.mark.parametrize("shape,size", [((1, 2, 5, 7, 3), (2, 3, 2)), ((2, 3, 4, 4), 2),
                                        ((1, 1, 3, 5, 9), (None, 4, 1))])
def test_adaptive_pools_3d(device, shape, size):
    _compare(device, "float64", shape, lambda x: F.adaptive_avg_pool3d(x, size),
             lambda x: TF.adaptive_avg_pool3d(x, size))
    _compare(device, "float64", shape, lambda x: F.adaptive_max_pool3d(x, size, True),
             lambda x: TF.adaptive_max_pool3d(x, size, True))


def test_adaptive_pools_1d(device):
    _compare(device, "float32", (2, 3, 11), lambda x: F.adaptive_avg_pool1d(x, 4),
             lambda x: TF.adaptive_avg_pool1d(x, 4))
    _compare(device, "float32", (3, 11), lambda x: F.adaptive_max_pool1d(x, 5, True),
             lambda x: TF.adaptive_max_pool1d(x, 5, True))


@pytest.mark.parametrize("shape", [(64, 3, 8, 6), (2, 3, 7, 9)])
def test_tiling_fast_path_matches_general_path(shape):
    # kernel == stride, no padding: the CPU's fast path, against torch, with ties (repeated
    # values: the first max wins) and NaN (the last NaN of a window wins, as in torch).
    a = np.random.default_rng(3).integers(0, 4, shape).astype(np.float32)
    a[0, 0, 0, 1] = np.nan
    a[1, 2, 3, :2] = np.nan
    e, t = ember.tensor(a), torch.tensor(a)
    for k in (2, 3, (2, 3)):
        eo, ei = F.max_pool2d(e, k, return_indices=True)
        to, ti = TF.max_pool2d(t, k, return_indices=True)
        np.testing.assert_array_equal(eo.numpy(), to.numpy())
        np.testing.assert_array_equal(ei.numpy(), ti.numpy())
        np.testing.assert_allclose(F.avg_pool2d(e, k).numpy(), TF.avg_pool2d(t, k).numpy(),
                                   rtol=1e-6)


@pytest.mark.parametrize("p", [1, 2, 3.5])
def test_lp_pool(device, p):
    a = np.random.default_rng(4).random((2, 3, 7, 8)) + 0.1   # positive: x ** 3.5 is defined
    for e_fn, t_fn, x in (
            (lambda x: F.lp_pool2d(x, p, 3, 2, True), lambda x: TF.lp_pool2d(x, p, 3, 2, True), a),
            (lambda x: F.lp_pool2d(x, p, (2, 3)), lambda x: TF.lp_pool2d(x, p, (2, 3)), a),
            (lambda x: F.lp_pool1d(x, p, 3), lambda x: TF.lp_pool1d(x, p, 3), a[0]),
            (lambda x: F.lp_pool3d(x, p, 2), lambda x: TF.lp_pool3d(x, p, 2), a[None])):
        e = ember.tensor(x, device=device, requires_grad=True)
        t = torch.tensor(x, requires_grad=True)
        eo, to = e_fn(e), t_fn(t)
        np.testing.assert_allclose(eo.detach().cpu().numpy(), to.detach().numpy(), rtol=1e-10)
        eo.sum().backward()
        to.sum().backward()
        np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-9)
    assert repr(nn.LPPool2d(2, 3)) == repr(torch.nn.LPPool2d(2, 3))
    assert repr(nn.LPPool1d(1.5, 2, 1)) == repr(torch.nn.LPPool1d(1.5, 2, 1))


@pytest.mark.parametrize("nd,shape,k,s,p", [(1, (2, 3, 9), 3, 2, 1), (2, (2, 3, 7, 6), 2, 2, 0),
                                            (2, (3, 5, 7), 3, 2, 1),
                                            (3, (1, 2, 5, 4, 6), 2, None, 0)])
def test_max_unpool(device, nd, shape, k, s, p):
    e_pool, t_pool = [getattr(m, f"max_pool{nd}d") for m in (F, TF)]
    e_unpool, t_unpool = [getattr(m, f"max_unpool{nd}d") for m in (F, TF)]
    e, t = _inputs(device, "float64", shape)
    for size in (None, list(shape[-nd:])):
        eo, ei = e_pool(e, k, s, p, return_indices=True)
        to, ti = t_pool(t, k, s, p, return_indices=True)
        eu, tu = e_unpool(eo, ei, k, s, p, size), t_unpool(to, ti, k, s, p, size)
        np.testing.assert_array_equal(eu.detach().cpu().numpy(), tu.detach().numpy())
        g = np.random.default_rng(5).standard_normal(tuple(tu.shape))
        (eu * ember.tensor(g, device=device)).sum().backward()
        (tu * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-12)
        e.grad = t.grad = None
    layer = getattr(nn, f"MaxUnpool{nd}d")(k, s, p)
    assert repr(layer) == repr(getattr(torch.nn, f"MaxUnpool{nd}d")(k, s, p))
    assert tuple(layer(eo, ei).shape) == tuple(t_unpool(to, ti, k, s, p).shape)


def test_max_unpool_bad_input(device):
    x = ember.ones(1, 1, 2, 2, device=device)
    idx = ember.tensor([[[[0, 1], [4, 16]]]], device=device)
    with pytest.raises(IndexError, match=r"max_unpool2d: index 16 is out of bounds for "
                                         r"output_size \(4, 4\)"):
        F.max_unpool2d(x, idx, 2)
    with pytest.raises(ValueError, match="max_unpool2d: indices of shape"):
        F.max_unpool2d(x, idx[..., :1], 2)
    with pytest.raises(ValueError, match=r"max_unpool2d: invalid output_size \(9, 4\)"):
        F.max_unpool2d(x, idx, 2, output_size=(9, 4))


@pytest.mark.parametrize("nd", [2, 3])
def test_pool_double_backward(device, nd):
    shape = (1, 2) + (5, 6, 4)[:nd]
    e, t = _inputs(device, "float64", shape)
    cases = [(lambda m, x: getattr(m, f"max_pool{nd}d")(x, 2, 1, 1)),
             (lambda m, x: getattr(m, f"avg_pool{nd}d")(x, 3, 2, 1, True, False)),
             (lambda m, x: getattr(m, f"adaptive_avg_pool{nd}d")(x, 3))]
    for fn in cases:
        outs = []
        for m, x, lib in ((F, e, ember), (TF, t, torch)):
            y = fn(m, x)
            w = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)),
                           dtype=lib.float64, requires_grad=True)
            if lib is ember:
                w = ember.tensor(w.detach().numpy(), device=device, requires_grad=True)
            g, = lib.autograd.grad((y * w).sum(), x, create_graph=True)
            # d/dw of sum(g * g ** 2 ...): a function of the backward's output, so it runs the
            # backward's own backward.
            (gw,) = lib.autograd.grad((g * g).sum(), w)
            outs.append(gw.detach().cpu().numpy() if lib is ember else gw.numpy())
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-10, atol=1e-12)


def test_pool3d_gradcheck(device):
    x, _ = _inputs(device, "float64", (1, 1, 3, 4, 5))
    assert ember.autograd.gradcheck(lambda t: F.max_pool3d(t, 2, 1, 1), (x,))
    assert ember.autograd.gradcheck(lambda t: F.avg_pool3d(t, 2, 2, 1, True, False), (x,))
    assert ember.autograd.gradcheck(lambda t: F.adaptive_avg_pool3d(t, (2, 3, 2)), (x,))


def test_pool3d_layers_and_bad_input(device):
    x = ember.zeros(1, 2, 4, 4, 4, device=device)
    for e_layer, t_layer in ((nn.MaxPool3d(2), torch.nn.MaxPool3d(2)),
                             (nn.AvgPool3d(3, 1, 1), torch.nn.AvgPool3d(3, 1, 1)),
                             (nn.AdaptiveAvgPool3d(1), torch.nn.AdaptiveAvgPool3d(1)),
                             (nn.AdaptiveMaxPool3d((1, 2, 2)), torch.nn.AdaptiveMaxPool3d((1, 2, 2)))):
        assert repr(e_layer) == repr(t_layer)
        assert tuple(e_layer(x).shape) == tuple(t_layer(torch.zeros(1, 2, 4, 4, 4)).shape)
    with pytest.raises(ValueError, match=r"max_pool3d: expected a 4-D \(C, D, H, W\) or 5-D "
                                         r"\(N, C, D, H, W\) input, got shape \(4, 4, 4\)"):
        F.max_pool3d(ember.zeros(4, 4, 4, device=device), 2)
    with pytest.raises(ValueError, match=r"avg_pool3d: input of shape \(1, 2, 4, 4, 4\) is too "
                                         r"small for kernel_size \(5, 2, 2\)"):
        F.avg_pool3d(x, (5, 2, 2))
    with pytest.raises(ValueError, match="max_pool3d: expected an int or 3 ints for stride"):
        F.max_pool3d(x, 2, (1, 2))


VECTOR_MAX_CASES = [  # shape, kernel, stride, padding, dilation, ceil_mode: cpu/pool.simd.cc
    ((2, 3, 28, 28), 3, 2, 1, 1, False),     # the ResNet stem's pool
    ((1, 2, 28, 28), 2, 2, 0, 1, False),     # tiling 2x2
    ((1, 2, 13, 17), 3, 2, 1, 1, True),      # odd sizes, the last window over the edge
    ((1, 1, 13, 37), 3, 1, 1, 1, False),     # stride 1: more than one vector of columns
    ((2, 1, 11, 19), (2, 4), (3, 2), (1, 2), (2, 1), True),
    ((1, 2, 9, 33), 5, 3, 2, 2, True),       # dilation and stride 3: three column phases
    ((1, 1, 1, 1), 1, 1, 0, 1, False),
    ((1, 1, 4, 3), 4, 1, 2, 1, False),       # windows mostly padding
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", VECTOR_MAX_CASES)
def test_max_pool2d_vector_kernel_ties_nan_inf(capability, dtype, case):
    # Few distinct values (many ties: the first max wins), some -inf and NaN (the last NaN
    # wins): values and indices as PyTorch, and as the scalar kernel (max_pool3d over two
    # depth slices with a depth-1 window takes it), on every instruction set.
    shape, k, s, p, d, ceil = case
    rng = np.random.default_rng(7)
    a = rng.integers(0, 4, shape).astype(np.float64)
    a[rng.random(shape) < 0.05] = -np.inf
    a[rng.random(shape) < 0.03] = np.nan
    e = ember.tensor(a, dtype=getattr(ember, dtype))
    out, idx = F.max_pool2d(e, k, s, p, d, ceil, return_indices=True)
    t_out, t_idx = TF.max_pool2d(torch.tensor(a, dtype=getattr(torch, dtype)), k, s, p, d, ceil,
                                 return_indices=True)
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())
    np.testing.assert_array_equal(idx.numpy(), t_idx.numpy())
    kk = (1, *((k, k) if isinstance(k, int) else k))
    ss = (1, *((s, s) if isinstance(s, int) else s))
    pp = (0, *((p, p) if isinstance(p, int) else p))
    dd = (1, *((d, d) if isinstance(d, int) else d))
    e3 = ember.tensor(np.stack([a, a], axis=2), dtype=getattr(ember, dtype))
    out3, idx3 = F.max_pool3d(e3, kk, ss, pp, dd, ceil, return_indices=True)
    np.testing.assert_array_equal(out3.numpy()[:, :, 0], out.numpy())
    np.testing.assert_array_equal(idx3.numpy()[:, :, 0], idx.numpy())


@pytest.mark.parametrize("case", VECTOR_MAX_CASES[:3])
def test_max_pool2d_vector_kernel_gradients(device, case):
    shape, k, s, p, d, ceil = case
    _compare(device, "float32", shape,
             lambda x: F.max_pool2d(x, k, s, p, d, ceil, return_indices=True),
             lambda x: TF.max_pool2d(x, k, s, p, d, ceil, return_indices=True))


VECTOR_AVG_CASES = [  # shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor
    ((2, 3, 28, 28), 2, None, 0, False, True, None),     # tiling 2x2
    ((1, 2, 13, 17), 3, 2, 1, True, True, None),         # the last window over the edge
    ((1, 2, 13, 17), 3, 2, 1, True, False, None),
    ((1, 1, 9, 37), (3, 5), 1, (1, 2), False, False, None),  # more than one vector of columns
    ((2, 1, 11, 19), (2, 4), (3, 2), (1, 2), True, True, 5),
    ((1, 2, 10, 33), 5, 3, 2, True, False, None),       # stride 3: three column phases
    ((1, 1, 1, 1), 1, 1, 0, False, True, None),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", VECTOR_AVG_CASES)
def test_avg_pool2d_vector_kernel(capability, dtype, case):
    # As PyTorch, and bit for bit as the scalar kernel (avg_pool3d over two depth slices with a
    # depth-1 window takes it), on every instruction set; gradients as PyTorch.
    shape, k, s, p, ceil, cip, div = case
    _compare("cpu", dtype, shape, lambda x: F.avg_pool2d(x, k, s, p, ceil, cip, div),
             lambda x: TF.avg_pool2d(x, k, s, p, ceil, cip, div))
    a = np.random.default_rng(8).standard_normal(shape)
    out = F.avg_pool2d(ember.tensor(a, dtype=getattr(ember, dtype)), k, s, p, ceil, cip, div)
    kk = (1, *((k, k) if isinstance(k, int) else k))
    ss = kk if s is None else (1, *((s, s) if isinstance(s, int) else s))
    pp = (0, *((p, p) if isinstance(p, int) else p))
    out3 = F.avg_pool3d(ember.tensor(np.stack([a, a], axis=2), dtype=getattr(ember, dtype)),
                        kk, ss, pp, ceil, cip, div)
    np.testing.assert_array_equal(out3.numpy()[:, :, 0], out.numpy())
