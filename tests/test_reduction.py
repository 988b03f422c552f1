"""Reductions against numpy: every dtype, awkward shapes and layouts, every dim subset, keepdim,
NaN handling, errors, every SIMD variant, float32 accuracy and hypothesis property tests. The op
tests run on every device (the ``device`` fixture): CUDA tensors keep their non-contiguous
layouts on the device, and long reductions there take the multi-pass path."""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

FLOATS = [np.float32, np.float64]
INTS = [np.uint8, np.int32, np.int64]
ALL_DTYPES = [np.bool_] + INTS + FLOATS
SHAPES = [(), (1,), (7,), (0,), (3, 0), (1, 7), (13, 7), (2, 3, 5), (4, 1, 6), (2, 3, 2, 5)]
LAYOUTS = ["contiguous", "transposed", "stepped"]





def values(shape, dtype, rng, kind="any"):
    """Random data of dtype; 'prod' keeps products small enough not to overflow."""
    return np.asarray(_values(shape, dtype, rng, kind))


def _values(shape, dtype, rng, kind):
    if dtype == np.bool_:
        return rng.random(shape) < 0.6
    if np.issubdtype(dtype, np.integer):
        lo, hi = ((-1, 2) if kind == "prod" else (-50, 50))
        if dtype == np.uint8:
            lo = 0
        return rng.integers(lo, hi, size=shape).astype(dtype)
    if kind == "prod":
        return rng.uniform(0.5, 1.5, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def laid_out(a, layout):
    """The same values as a, as a transposed or step-sliced (non-contiguous) numpy view."""
    if layout == "transposed" and a.ndim >= 2:
        return np.ascontiguousarray(a.T).T
    if layout == "stepped" and a.ndim >= 1:
        big = np.zeros(tuple(2 * s for s in a.shape), dtype=a.dtype)
        view = big[tuple(slice(None, None, 2) for _ in a.shape)]
        view[...] = a
        return view
    return a


def tensor_on(a, layout, device):
    """An ember tensor on device with a's values, laid out there as laid_out(a, layout) is."""
    if layout == "transposed" and a.ndim >= 2:
        return ember.from_numpy(np.ascontiguousarray(a.T)).to(device).T
    if layout == "stepped" and a.ndim >= 1:
        big = np.zeros(tuple(2 * s for s in a.shape), dtype=a.dtype)
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        return ember.from_numpy(big).to(device)[tuple(slice(None, None, 2) for _ in a.shape)]
    return ember.from_numpy(np.array(a, order="C")).to(device)


def cases(dtypes, rng, kind="any", shapes=SHAPES, device="cpu"):
    """(numpy array, ember tensor on device, dims, keepdim) over shapes, layouts and every dim
    subset, half of them spelled with negative dims."""
    for dtype, shape, layout in itertools.product(dtypes, shapes, LAYOUTS):
        a = laid_out(values(shape, dtype, rng, kind), layout)
        t = tensor_on(a, layout, device)
        nd = len(shape)
        subsets = [()] + [c for r in range(1, nd + 1) for c in itertools.combinations(range(nd), r)]
        for i, dims in enumerate(subsets):
            spelled = tuple(d - nd if (i + d) % 2 else d for d in dims)
            for keepdim in (False, True):
                yield a, t, spelled, keepdim


def axis_of(dims):
    return None if len(dims) == 0 else tuple(dims)


def reduced_count(a, dims):
    axes = range(a.ndim) if len(dims) == 0 else [d % a.ndim for d in dims]
    return math.prod(a.shape[d] for d in axes)


def assert_matches(result, expected, dtype, rtol=None, atol=None, device="cpu"):
    expected = np.asarray(expected)
    assert result.device.type == device, (result.device, device)
    got = result.numpy()
    assert result.dtype == ember._dtype.from_numpy(dtype), (result.dtype, dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if np.issubdtype(dtype, np.floating):
        if rtol is None:
            rtol = 2e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, expected.astype(np.float64), rtol=rtol,
                                   atol=rtol if atol is None else atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected.astype(dtype))


def _accumulated(dtype):
    return dtype if np.issubdtype(dtype, np.floating) else np.int64


# -- sums, products, means ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_sum_every_dtype_shape_layout_and_dims(dtype, device):
    rng = np.random.default_rng(0)
    for a, t, dims, keepdim in cases([dtype], rng, device=device):
        out_dtype = _accumulated(dtype)
        expected = np.sum(a.astype(np.float64 if out_dtype != np.int64 else np.int64),
                          axis=axis_of(dims), keepdims=keepdim)
        assert_matches(ember.sum(t, dims, keepdim), expected, out_dtype, device=device)
        assert_matches(t.sum(dim=dims, keepdim=keepdim), expected, out_dtype, device=device)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_prod(dtype, device):
    rng = np.random.default_rng(1)
    for a, t, dims, keepdim in cases([dtype], rng, kind="prod", device=device):
        out_dtype = _accumulated(dtype)
        expected = np.prod(a.astype(np.float64 if out_dtype != np.int64 else np.int64),
                           axis=axis_of(dims), keepdims=keepdim)
        assert_matches(ember.prod(t, dims, keepdim), expected, out_dtype, device=device)


@pytest.mark.parametrize("dtype", FLOATS)
def test_mean(dtype, device):
    rng = np.random.default_rng(2)
    with np.errstate(invalid="ignore", divide="ignore"):
        for a, t, dims, keepdim in cases([dtype], rng, device=device):
            expected = np.sum(a.astype(np.float64), axis=axis_of(dims), keepdims=keepdim) / \
                reduced_count(a, dims)
            assert_matches(t.mean(dims, keepdim), expected, dtype, device=device)


def test_dtype_argument_and_result_dtypes(device):
    i32 = ember.from_numpy(np.array([1, 2, 3], dtype=np.int32)).to(device)
    f32 = ember.from_numpy(np.array([0.5, 1.5], dtype=np.float32)).to(device)
    assert ember.sum(i32).dtype == ember.int64
    assert ember.sum(i32, dtype=ember.float32).dtype == ember.float32
    assert ember.sum(i32, dtype=ember.int32).item() == 6
    assert ember.sum(i32, dtype=ember.int32).dtype == ember.int32
    assert ember.sum(f32, dtype=ember.float64).dtype == ember.float64
    assert ember.prod(i32, dtype=ember.float32).item() == 6.0
    assert ember.mean(i32, dtype=ember.float64).item() == 2.0
    assert ember.from_numpy(np.array([True, True, False])).to(device).sum().item() == 2
    assert ember.from_numpy(np.array([True, True])).to(device).sum().dtype == ember.int64
    assert ember.from_numpy(np.ones(3, np.uint8)).to(device).cumsum(0).dtype == ember.int64
    assert ember.sum(i32, dtype=ember.float32).device.type == device


def test_empty_reductions_give_identities(device):
    e = ember.from_numpy(np.zeros((0, 3), np.float32)).to(device)
    assert e.sum().item() == 0.0 and e.prod().item() == 1.0
    assert math.isnan(e.mean().item())
    np.testing.assert_array_equal(e.sum(0).numpy(), np.zeros(3, np.float32))
    np.testing.assert_array_equal(e.prod(0).numpy(), np.ones(3, np.float32))
    assert np.isnan(e.mean(0).numpy()).all()
    assert e.sum(1).shape == (0,)
    assert ember.logsumexp(e, (0, 1)).item() == -math.inf
    assert e.all().item() is True and e.any().item() is False
    assert e.norm().item() == 0.0


# -- max / min ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_amax_amin(dtype, device):
    rng = np.random.default_rng(3)
    for a, t, dims, keepdim in cases([dtype], rng, device=device):
        if a.size == 0 or reduced_count(a, dims) == 0:
            continue
        assert_matches(ember.amax(t, dims, keepdim), np.max(a, axis=axis_of(dims), keepdims=keepdim), dtype,
                       device=device)
        assert_matches(t.amin(dims, keepdim), np.min(a, axis=axis_of(dims), keepdims=keepdim), dtype,
                       device=device)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_max_min_with_dim_give_values_and_indices(dtype, device):
    rng = np.random.default_rng(4)
    for shape, layout in itertools.product([(1,), (7,), (13, 7), (2, 3, 5), (4, 1, 6), (3, 0)], LAYOUTS):
        # Few distinct values, so ties check that the first occurrence wins.
        a = laid_out(rng.integers(0, 3, size=shape).astype(dtype), layout)
        t = tensor_on(a, layout, device)
        for dim in range(-len(shape), len(shape)):
            if shape[dim] == 0:
                continue
            for keepdim in (False, True):
                r = ember.max(t, dim, keepdim)
                assert isinstance(r, tuple) and r.values is r[0] and r.indices is r[1]
                assert_matches(r.values, np.max(a, axis=dim, keepdims=keepdim), dtype, device=device)
                assert_matches(r.indices, np.argmax(a, axis=dim, keepdims=keepdim), np.int64, device=device)
                values, indices = t.min(dim=dim, keepdim=keepdim)
                assert_matches(values, np.min(a, axis=dim, keepdims=keepdim), dtype, device=device)
                assert_matches(indices, np.argmin(a, axis=dim, keepdims=keepdim), np.int64, device=device)
                assert_matches(t.argmax(dim, keepdim), np.argmax(a, axis=dim, keepdims=keepdim), np.int64, device=device)
                assert_matches(ember.argmin(t, dim=dim, keepdim=keepdim),
                               np.argmin(a, axis=dim, keepdims=keepdim), np.int64, device=device)
        if a.size:
            assert_matches(t.argmax(), np.argmax(a), np.int64, device=device)
            assert_matches(t.max(), np.max(a), dtype, device=device)
            assert_matches(ember.min(t), np.min(a), dtype, device=device)
            assert t.argmin(keepdim=True).shape == (1,) * len(shape)


def test_zero_dim_tensor_reduces_over_dim_0(device):
    t = ember.from_numpy(np.array(5.0, np.float32)).to(device)
    for r in (t.sum(0), t.sum(-1), t.mean(0, keepdim=True), t.amax(0), t.cumsum(0)):
        assert r.shape == () and r.item() == 5.0
    values, indices = t.max(0)
    assert values.item() == 5.0 and indices.item() == 0 and indices.shape == ()
    assert t.argmax(0, keepdim=True).shape == ()
    with pytest.raises(IndexError, match="dimension out of range"):
        t.sum(1)


def test_nan_propagates_like_pytorch(capability, device):
    a = np.array([[1.0, np.nan, 3.0, np.nan], [4.0, 2.0, -1.0, 0.5]], np.float32)
    t = ember.from_numpy(a).to(device)
    assert math.isnan(t.max().item()) and math.isnan(t.min().item())
    np.testing.assert_array_equal(t.amax(1).numpy(), [np.nan, 4.0])
    np.testing.assert_array_equal(t.amax(0).numpy(), [4.0, np.nan, 3.0, np.nan])
    values, indices = t.max(1)
    np.testing.assert_array_equal(indices.numpy(), [1, 0])  # the first NaN
    np.testing.assert_array_equal(t.min(0).indices.numpy(), [0, 0, 1, 0])
    assert t.argmax().item() == 1 and t.argmin().item() == 1
    assert math.isnan(t.sum().item()) and math.isnan(t.var().item())
    assert t.logsumexp(1).numpy()[1] == pytest.approx(np.log(np.exp(a[1].astype(np.float64)).sum()))
    # A long row reaches the vectorized lanes: NaN at the end must still win.
    long_row = np.arange(1000, dtype=np.float32)
    long_row[997] = np.nan
    assert math.isnan(ember.from_numpy(long_row).to(device).amax().item())
    assert ember.from_numpy(long_row).to(device).argmax().item() == 997
    # NaNs in several blocks' chunks of a multi-pass reduction: the first one still wins.
    longer = np.arange(9000, dtype=np.float32)
    longer[[8500, 5000, 6000]] = np.nan
    t = ember.from_numpy(longer).to(device)
    assert t.argmax().item() == 5000 and t.argmin().item() == 5000
    assert math.isnan(t.max().item()) and math.isnan(t.amin().item())


def test_max_with_other_tensor_is_elementwise():
    a = ember.from_numpy(np.array([1.0, 5.0], np.float32))
    b = ember.from_numpy(np.array([3.0, 2.0], np.float32))
    np.testing.assert_array_equal(ember.max(a, b).numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(a.min(b).numpy(), [1.0, 2.0])


# -- variance, norms, logsumexp, logical --------------------------------------------------------

def _var(a, dims, correction, keepdim):
    x = a.astype(np.float64)
    axis = axis_of(dims)
    m = np.mean(x, axis=axis, keepdims=True) if x.size else np.zeros([1] * x.ndim)
    ss = np.sum((x - m) ** 2, axis=axis, keepdims=keepdim)
    return ss / max(0, reduced_count(a, dims) - correction)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_std_and_means(dtype, correction, device):
    rng = np.random.default_rng(5)
    with np.errstate(invalid="ignore", divide="ignore"):
        for a, t, dims, keepdim in cases([dtype], rng, device=device):
            expected = _var(a, dims, correction, keepdim)
            assert_matches(ember.var(t, dims, keepdim=keepdim, correction=correction), expected, dtype,
                           device=device)
            assert_matches(t.std(dims, keepdim=keepdim, correction=correction), np.sqrt(expected), dtype, device=device)
            v, m = ember.var_mean(t, dims, keepdim=keepdim, correction=correction)
            assert_matches(v, expected, dtype, device=device)
            mean = np.sum(a.astype(np.float64), axis=axis_of(dims), keepdims=keepdim) / reduced_count(a, dims)
            assert_matches(m, mean, dtype, device=device)
            s, m = ember.std_mean(t, dims, keepdim=keepdim, correction=correction)
            assert_matches(s, np.sqrt(expected), dtype, device=device)


def test_var_unbiased_keyword_and_positional_forms():
    a = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 9.0]])
    t = ember.from_numpy(a)
    assert t.var().item() == pytest.approx(a.var(ddof=1))
    assert t.var(unbiased=False).item() == pytest.approx(a.var())
    assert ember.var(t, False).item() == pytest.approx(a.var())
    np.testing.assert_allclose(t.var(1, False).numpy(), a.var(1))
    np.testing.assert_allclose(t.std(1, True, True).numpy(), a.std(1, ddof=1, keepdims=True))
    assert math.isnan(ember.from_numpy(np.ones(1)).var().item())
    with pytest.raises(TypeError, match="var"):
        t.var(unbiased=True, correction=1)


def _norm(a, p, dims, keepdim):
    x = np.abs(a.astype(np.float64))
    axis = axis_of(dims)
    if p == math.inf:
        return np.max(x, axis=axis, keepdims=keepdim)
    if p == -math.inf:
        return np.min(x, axis=axis, keepdims=keepdim)
    if p == 0:
        return np.sum(x != 0, axis=axis, keepdims=keepdim).astype(np.float64)
    return np.sum(x ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("p", [2, 1, math.inf, -math.inf, 0, 3, 0.5, "fro"])
def test_norm(dtype, p, device):
    rng = np.random.default_rng(6)
    for a, t, dims, keepdim in cases([dtype], rng, device=device):
        if p in (math.inf, -math.inf) and reduced_count(a, dims) == 0:
            continue
        expected = _norm(a, 2 if p == "fro" else p, dims, keepdim)
        assert_matches(ember.norm(t, p, dims, keepdim), expected, dtype,
                       rtol=1e-5 if dtype == np.float32 else 1e-11, device=device)
    assert ember.from_numpy(np.array([3.0, 4.0])).to(device).norm().item() == 5.0


def _logsumexp(a, dims, keepdim):
    x = a.astype(np.float64)
    axis = axis_of(dims)
    if x.size == 0:
        return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdim))
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


@pytest.mark.parametrize("dtype", FLOATS)
def test_logsumexp(dtype, device):
    rng = np.random.default_rng(7)
    with np.errstate(divide="ignore"):
        for a, t, dims, keepdim in cases([dtype], rng, device=device):
            if a.size and reduced_count(a, dims) == 0:
                continue
            assert_matches(ember.logsumexp(t, dims, keepdim), _logsumexp(a, dims, keepdim), dtype,
                           device=device)
    big = ember.from_numpy(np.array([1000.0, 1000.0], np.float32)).to(device)
    assert big.logsumexp(0).item() == pytest.approx(1000.0 + math.log(2))
    inf = ember.from_numpy(np.array([[-np.inf, -np.inf], [np.inf, 1.0]])).to(device)
    np.testing.assert_array_equal(inf.logsumexp(1).numpy(), [-np.inf, np.inf])
    ints = ember.from_numpy(np.arange(3)).to(device)
    assert ints.logsumexp(0).dtype == ember.float32
    assert ints.logsumexp(0).item() == pytest.approx(math.log(1 + math.e + math.e ** 2), rel=1e-6)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_all_any(dtype, device):
    rng = np.random.default_rng(8)
    for a, t, dims, keepdim in cases([dtype], rng, device=device):
        sparse = np.asarray((values(a.shape, dtype, rng) != 0) & (rng.random(a.shape) < 0.9)).astype(dtype)
        s = ember.from_numpy(sparse).to(device)
        axis = axis_of(dims)
        assert_matches(ember.all(s, dims, keepdim), np.all(sparse, axis=axis, keepdims=keepdim), np.bool_,
                       device=device)
        assert_matches(s.any(dims, keepdim), np.any(sparse, axis=axis, keepdims=keepdim), np.bool_, device=device)
        assert_matches(t.any(dims, keepdim), np.any(a, axis=axis, keepdims=keepdim), np.bool_, device=device)
    assert ember.from_numpy(np.array([np.nan])).to(device).all().item() is True


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_cumsum_cumprod(dtype, device):
    rng = np.random.default_rng(9)
    # Rows longer than a warp: the device's row scan carries totals from one step to the next.
    for shape, layout in itertools.product(SHAPES + [(3, 70), (67, 2)], LAYOUTS):
        a = laid_out(values(shape, dtype, rng, "prod"), layout)
        t = tensor_on(a, layout, device)
        acc = _accumulated(dtype)
        for dim in range(-max(len(shape), 1), max(len(shape), 1)):
            axis = None if a.ndim == 0 else dim
            expected = np.cumsum(a.astype(acc), axis=axis).reshape(a.shape)
            assert_matches(ember.cumsum(t, dim), expected, acc, device=device)
            expected = np.cumprod(a.astype(acc), axis=axis).reshape(a.shape)
            assert_matches(t.cumprod(dim), expected, acc, device=device)
    t = ember.from_numpy(np.array([1, 2, 3], np.int32)).to(device)
    assert_matches(t.cumsum(0, dtype=ember.float64), [1.0, 3.0, 6.0], np.float64, device=device)


# -- every SIMD variant, large and threaded sizes -----------------------------------------------

@pytest.mark.parametrize("shape,dims", [((1000003,), ()), ((61, 4099), (1,)), ((4099, 61), (0,)),
                                        ((3, 1024, 300), (1,)), ((257, 3, 129), (0, 2)),
                                        ((70000, 3), (0,))])
def test_float_kernels_on_every_capability(capability, shape, dims):
    rng = np.random.default_rng(10)
    axis = axis_of(dims)
    for dtype in FLOATS:
        a = rng.standard_normal(shape).astype(dtype)
        t = ember.from_numpy(a)
        x = a.astype(np.float64)
        tol = 1e-5 if dtype == np.float32 else 1e-12
        scale = np.sum(np.abs(x), axis=axis) + 1
        np.testing.assert_allclose(t.sum(dims).numpy(), np.sum(x, axis=axis), rtol=tol, atol=tol * scale.max())
        np.testing.assert_allclose(t.mean(dims).numpy(), np.mean(x, axis=axis), rtol=tol, atol=tol)
        np.testing.assert_allclose(t.var(dims).numpy(), np.var(x, axis=axis, ddof=1), rtol=tol * 10)
        np.testing.assert_allclose(t.norm(2, dims).numpy(), np.sqrt(np.sum(x * x, axis=axis)), rtol=tol)
        np.testing.assert_array_equal(t.amax(dims).numpy(), np.max(a, axis=axis))
        np.testing.assert_array_equal(t.amin(dims).numpy(), np.min(a, axis=axis))
        if len(dims) == 1:
            np.testing.assert_array_equal(t.argmax(dims[0]).numpy(), np.argmax(a, axis=dims[0]))
        np.testing.assert_array_equal(t.any(dims).numpy(), np.any(a, axis=axis))
    ints = rng.integers(-100, 100, size=shape).astype(np.int32)
    np.testing.assert_array_equal(ember.from_numpy(ints).sum(dims).numpy(), np.sum(ints, axis=axis, dtype=np.int64))


# Long reductions on a device are split into per-block chunks and a second pass over the
# partials: 100_003 elements to one value, long rows, long columns, both beside kept dims, with
# lengths that are not multiples of any block or chunk size.
@pytest.mark.parametrize("shape,dims", [((100003,), ()), ((3, 9001), (1,)), ((3001, 5), (0,)),
                                        ((2, 2053, 3), (1,)), ((37, 41, 3), (0, 1))])
def test_multi_pass_sizes_match_numpy_and_cpu_and_are_deterministic(device, shape, dims):
    rng = np.random.default_rng(13)
    axis = axis_of(dims)
    for dtype in FLOATS:
        a = rng.standard_normal(shape).astype(dtype)
        a.flat[len(a.flat) // 3] = 7.5  # a unique max in the middle of some chunk
        t, cpu = ember.from_numpy(a).to(device), ember.from_numpy(a)
        x = a.astype(np.float64)
        tol = 1e-5 if dtype == np.float32 else 1e-12
        scale = np.sum(np.abs(x), axis=axis) + 1
        np.testing.assert_allclose(t.sum(dims).numpy(), np.sum(x, axis=axis), rtol=tol, atol=tol * scale.max())
        np.testing.assert_allclose(t.mean(dims).numpy(), np.mean(x, axis=axis), rtol=tol, atol=tol)
        np.testing.assert_allclose(t.var(dims).numpy(), np.var(x, axis=axis, ddof=1), rtol=tol * 10)
        np.testing.assert_allclose(t.std(dims).numpy(), cpu.std(dims).numpy(), rtol=tol * 10)
        np.testing.assert_allclose(t.norm(2, dims).numpy(), np.sqrt(np.sum(x * x, axis=axis)), rtol=tol)
        np.testing.assert_allclose(t.norm(3, dims).numpy(), cpu.norm(3, dims).numpy(), rtol=tol * 10)
        np.testing.assert_allclose(t.logsumexp(dims or tuple(range(len(shape)))).numpy(),
                                   cpu.logsumexp(dims or tuple(range(len(shape)))).numpy(), rtol=tol)
        np.testing.assert_array_equal(t.amax(dims).numpy(), np.max(a, axis=axis))
        np.testing.assert_array_equal(t.amin(dims).numpy(), np.min(a, axis=axis))
        np.testing.assert_array_equal(t.any(dims).numpy(), np.any(a, axis=axis))
        if len(dims) == 1:
            values, indices = t.max(dims[0])
            np.testing.assert_array_equal(values.numpy(), np.max(a, axis=dims[0]))
            np.testing.assert_array_equal(indices.numpy(), np.argmax(a, axis=dims[0]))
            np.testing.assert_array_equal(t.argmin(dims[0]).numpy(), np.argmin(a, axis=dims[0]))
        if not dims:
            assert t.argmax().item() == np.argmax(a) and t.argmin().item() == np.argmin(a)
        for d in range(len(shape)):
            np.testing.assert_allclose(t.cumsum(d).numpy(), np.cumsum(x, axis=d), rtol=tol,
                                       atol=tol * np.sum(np.abs(x)))
        # No atomics: the same input gives bitwise the same sum every run.
        np.testing.assert_array_equal(t.sum(dims).numpy(), t.sum(dims).numpy())
        np.testing.assert_array_equal(t.var(dims).numpy(), t.var(dims).numpy())
    ints = rng.integers(-100, 100, size=shape).astype(np.int32)
    got = ember.from_numpy(ints).to(device)
    np.testing.assert_array_equal(got.sum(dims).numpy(), np.sum(ints, axis=axis, dtype=np.int64))
    np.testing.assert_array_equal(got.amax(dims).numpy(), np.max(ints, axis=axis))
    flat = ember.from_numpy(ints.reshape(-1)).to(device)
    np.testing.assert_array_equal(flat.cumsum(0).numpy(), np.cumsum(ints.reshape(-1), dtype=np.int64))


# Reduced dims before and after a kept one ((N, C, H, W) -> (C,), a conv bias gradient) are read
# in place on the CPU as (outer, reduce, inner, tail); column and row sums beside them. Primes,
# size-1 dims (which merge runs), empty dims, a tail longer than the pairwise block,
# non-contiguous inputs, keepdim and negative dims.
SPLIT_CASES = [((7, 13, 11), (0, 2)), ((7, 13, 11), (-3, -1)), ((17, 2, 3), (0, 2)),
               ((1, 5, 3), (0, 2)), ((5, 1, 3), (0, 2)), ((5, 3, 1), (0, 1)),
               ((3, 4, 5, 6), (1, 3)), ((4, 3, 2, 5, 7), (0, 3, 4)), ((2, 3, 4099), (0, 2)),
               ((0, 3, 5), (0, 2)), ((2, 3, 0), (0, 2)), ((2, 0, 5), (0, 2)),
               ((1009, 67), (0,)), ((31, 17, 196), (2,)), ((3, 5, 7, 2), (0, 2, 3)),
               # few columns, many rows: threads take blocks of rows on the CPU
               ((30011, 3, 2), (0, 2)), ((40009, 3), (0,)), ((3, 30011, 4), (1,))]


@pytest.mark.parametrize("shape,dims", SPLIT_CASES)
@pytest.mark.parametrize("layout", ["contiguous", "stepped"])
def test_sum_mean_over_split_dims_match_numpy_float64(shape, dims, layout, device):
    check_split_dims(shape, dims, layout, device)


# Conv bias gradients: big enough for the threaded path (the emulator is too slow for them).
@pytest.mark.parametrize("shape,dims", [((100, 64, 14, 14), (0, 2, 3)),
                                        ((100, 32, 28, 28), (0, -2, -1))])
@pytest.mark.parametrize("layout", ["contiguous", "stepped"])
def test_sum_mean_over_split_dims_of_conv_gradients(shape, dims, layout):
    check_split_dims(shape, dims, layout, "cpu")


def check_split_dims(shape, dims, layout, device):
    """sum and mean (and var, logsumexp, norm, amax, any, int sum) against numpy float64."""
    rng = np.random.default_rng(17)
    axis = tuple(dims)
    for dtype in FLOATS:
        a = laid_out(values(shape, dtype, rng), layout)
        t = tensor_on(a, layout, device)
        x = a.astype(np.float64)
        tol = 2e-6 if dtype == np.float32 else 1e-14
        scale = np.sum(np.abs(x), axis=axis, keepdims=True) + 1
        for keepdim in (False, True):
            s, m = t.sum(dims, keepdim=keepdim), t.mean(dims, keepdim=keepdim)
            assert s.dtype == m.dtype == ember._dtype.from_numpy(dtype)
            want = np.sum(x, axis=axis, keepdims=keepdim)
            assert s.shape == want.shape
            np.testing.assert_allclose(s.numpy(), want, rtol=0,
                                       atol=tol * scale.max(initial=1))
            count = reduced_count(a, dims)
            with np.errstate(invalid="ignore"):  # an empty mean is nan, like numpy and PyTorch
                want_mean = want / count
            np.testing.assert_allclose(m.numpy(), want_mean, rtol=0,
                                       atol=tol * scale.max(initial=1) / max(count, 1),
                                       equal_nan=True)
        if a.size == 0:
            continue
        # The other kinds share the path: a centre per output (var, logsumexp), extremes, logic.
        np.testing.assert_allclose(t.var(dims).numpy(), np.var(x, axis=axis, ddof=1),
                                   rtol=tol * 50, atol=tol)
        np.testing.assert_allclose(t.logsumexp(dims).numpy(),
                                   np.log(np.sum(np.exp(x), axis=axis)), rtol=tol * 10)
        np.testing.assert_allclose(t.norm(1, dims).numpy(), np.sum(np.abs(x), axis=axis), rtol=tol)
        np.testing.assert_array_equal(t.amax(dims).numpy(), np.max(a, axis=axis))
        big = laid_out(np.array(a > 1), layout)
        np.testing.assert_array_equal(tensor_on(big, layout, device).any(dims).numpy(),
                                      np.any(big, axis=axis))
    ints = rng.integers(-100, 100, size=shape).astype(np.int32)
    np.testing.assert_array_equal(ember.from_numpy(ints).to(device).sum(dims).numpy(),
                                  np.sum(ints, axis=axis, dtype=np.int64))


@pytest.mark.parametrize("shape,dims", [((100, 64, 14, 14), (0, 2, 3)), ((64, 3, 4099), (0, 2)),
                                        ((19600, 64), (0,)), ((100, 64, 196), (2,))])
def test_split_dim_float32_sums_are_accurate_and_thread_independent(shape, dims):
    rng = np.random.default_rng(19)
    a = rng.random(shape, dtype=np.float32)  # all positive: a naive float32 loop drifts
    exact = np.sum(a, axis=dims, dtype=np.float64)
    t = ember.from_numpy(a)
    got = t.sum(dims).numpy()
    np.testing.assert_allclose(got, exact, rtol=1e-6)
    threads = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        single = t.sum(dims).numpy()
    finally:
        ember.set_num_threads(threads)
    np.testing.assert_array_equal(single, got)


def test_float32_sum_of_16m_elements_is_accurate_and_thread_independent():
    rng = np.random.default_rng(11)
    a = rng.random(1 << 24, dtype=np.float32)  # all positive: a naive float32 loop drifts by ~1e-3
    exact = np.sum(a, dtype=np.float64)
    t = ember.from_numpy(a)
    got = t.sum().item()
    assert abs(got - exact) / exact < 1e-6
    assert abs(t.mean().item() - exact / a.size) / (exact / a.size) < 1e-6
    threads = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        single = t.sum().item()
    finally:
        ember.set_num_threads(threads)
    assert single == got
    columns = a.reshape(-1, 8)  # the outer-dim path: pairwise over rows
    np.testing.assert_allclose(ember.from_numpy(columns).sum(0).numpy(),
                               np.sum(columns, axis=0, dtype=np.float64), rtol=1e-6)


# -- argument handling and errors ---------------------------------------------------------------

def test_dim_spellings():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = ember.from_numpy(a)
    np.testing.assert_array_equal(t.sum([0, 2]).numpy(), a.sum((0, 2)))
    np.testing.assert_array_equal(t.sum((-1, 0)).numpy(), a.sum((0, 2)))
    np.testing.assert_array_equal(ember.sum(t, dim=-2, keepdim=True).numpy(), a.sum(1, keepdims=True))
    np.testing.assert_array_equal(t.amax(dim=(0, 1)).numpy(), a.max((0, 1)))


def test_errors_name_the_op(device):
    t = ember.from_numpy(np.ones((2, 3), np.float32)).to(device)
    with pytest.raises(IndexError, match=r"sum: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        t.sum(2)
    with pytest.raises(IndexError, match="amax: dimension out of range"):
        t.amax(-3)
    with pytest.raises(IndexError, match="max: dimension out of range"):
        t.max(5)
    with pytest.raises(RuntimeError, match="sum: dim 0 appears multiple times"):
        t.sum((0, -2))
    with pytest.raises(TypeError, match="sum: dim must be"):
        t.sum(1.5)
    with pytest.raises(TypeError, match="argmax: dim must be an int"):
        t.argmax((0, 1))
    ints = ember.from_numpy(np.ones(3, np.int64)).to(device)
    for op in ("mean", "var", "std", "norm"):
        with pytest.raises(RuntimeError, match=f"{op}: expected a floating-point input, got int64"):
            getattr(ints, op)()
    empty = ember.from_numpy(np.zeros((0, 3), np.float32)).to(device)
    for op in ("max", "min", "amax", "amin"):
        with pytest.raises(RuntimeError, match=rf"{op}: expected a non-empty input .* \(0, 3\)"):
            getattr(empty, op)()
    for op in ("argmax", "argmin"):
        with pytest.raises(IndexError, match=f"{op}: expected a non-empty input"):
            getattr(empty, op)()
    for op in ("max", "argmax", "amax"):
        with pytest.raises(IndexError, match=rf"{op}: expected reduction dim 0 to have non-zero size"):
            getattr(empty, op)(0)
    with pytest.raises(RuntimeError, match="norm: expected a non-empty input"):
        empty.norm(math.inf)
    assert empty.amax(1).shape == (0,)
    with pytest.raises(ValueError, match="norm: p must be a number or 'fro'"):
        t.norm("nuc")
    with pytest.raises(TypeError, match="sum: expected a Tensor"):
        ember.sum([1, 2])
    with pytest.raises(TypeError, match="cumsum: dim must be an int"):
        t.cumsum(None)


# -- properties ---------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.data())
def test_reductions_match_numpy_on_random_shapes(data):
    shape = tuple(data.draw(st.lists(st.integers(0, 6), min_size=0, max_size=4), label="shape"))
    nd = len(shape)
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), unique_by=lambda d: d % nd, max_size=nd)
                     if nd else st.just([]), label="dims")
    keepdim = data.draw(st.booleans(), label="keepdim")
    transpose = data.draw(st.booleans(), label="transpose")
    a = np.random.default_rng(len(shape)).standard_normal(shape)
    a = laid_out(a, "transposed" if transpose else "contiguous")
    t = ember.from_numpy(a)
    axis = axis_of(dims)
    np.testing.assert_allclose(t.sum(dims, keepdim).numpy(), np.sum(a, axis=axis, keepdims=keepdim), atol=1e-12)
    np.testing.assert_allclose(t.prod(dims, keepdim).numpy(), np.prod(a, axis=axis, keepdims=keepdim), rtol=1e-12)
    np.testing.assert_array_equal(t.any(dims, keepdim).numpy(), np.any(a, axis=axis, keepdims=keepdim))
    if a.size and reduced_count(a, dims):
        np.testing.assert_allclose(t.mean(dims, keepdim).numpy(), np.mean(a, axis=axis, keepdims=keepdim), atol=1e-12)
        np.testing.assert_array_equal(t.amax(dims, keepdim).numpy(), np.max(a, axis=axis, keepdims=keepdim))
        with np.errstate(invalid="ignore", divide="ignore"):
            np.testing.assert_allclose(t.var(dims, keepdim=keepdim).numpy(), _var(a, dims, 1, keepdim), rtol=1e-10)


def test_matches_pytorch_on_ties_nans_and_dtypes():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    a = rng.integers(0, 3, size=(5, 6, 7)).astype(np.float32)
    a[1, 2, 3] = a[4, 0, 0] = np.nan
    t, pt = ember.from_numpy(a), torch.from_numpy(a)
    for dim in (0, 1, -1):
        for name in ("max", "min"):
            r, pr = getattr(t, name)(dim), getattr(pt, name)(dim)
            np.testing.assert_array_equal(r.values.numpy(), pr.values.numpy())
            np.testing.assert_array_equal(r.indices.numpy(), pr.indices.numpy())
        np.testing.assert_array_equal(t.argmax(dim).numpy(), pt.argmax(dim).numpy())
        np.testing.assert_array_equal(t.argmin(dim, keepdim=True).numpy(), pt.argmin(dim, keepdim=True).numpy())
    assert t.argmax().item() == pt.argmax().item()
    finite = ember.from_numpy(np.nan_to_num(a)), torch.from_numpy(np.nan_to_num(a))
    for dims in ((0, 2), (1,), None):
        np.testing.assert_allclose(finite[0].var(dims, correction=0).numpy(),
                                   finite[1].var(dims, correction=0).numpy(), rtol=1e-5)
        np.testing.assert_allclose(finite[0].std(dims, keepdim=True).numpy(),
                                   finite[1].std(dims, keepdim=True).numpy(), rtol=1e-5)
        np.testing.assert_allclose(finite[0].logsumexp(dims or (0, 1, 2)).numpy(),
                                   finite[1].logsumexp(dims or (0, 1, 2)).numpy(), rtol=1e-5)
        for p in (1, 2, 3, math.inf, -math.inf, 0):
            np.testing.assert_allclose(finite[0].norm(p, dims).numpy(),
                                       torch.linalg.vector_norm(finite[1], p, dims).numpy(), rtol=1e-5)
    ints = rng.integers(-5, 5, size=(4, 3)).astype(np.int32)
    for name in ("sum", "prod", "cumsum"):
        args = (1,) if name == "cumsum" else ()
        r, pr = getattr(ember.from_numpy(ints), name)(*args), getattr(torch.from_numpy(ints), name)(*args)
        assert str(r.dtype).split(".")[1] == str(pr.dtype).split(".")[1]
        np.testing.assert_array_equal(r.numpy(), pr.numpy())
