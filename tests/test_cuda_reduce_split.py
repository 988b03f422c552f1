"""Reductions over split dims ((N, C, H, W) over (0, 2, 3): a conv bias gradient, BatchNorm
statistics), which both backends read in place as (outer, reduce, inner, tail): every reduction
kind of that path, float32 and float64, against numpy in float64 and against the CPU kernels,
keepdim, empty dims, size-1 dims, non-contiguous inputs, reductions long enough to be split into
chunks on a device, and bitwise repeatability (no atomics)."""
import warnings

import numpy as np
import pytest

import ember

# (shape, dims): reduced runs before and after a kept one. Size-1 dims merge runs; (1031, 2, 3)
# splits the reduced dim into chunks on a device and (2, 3, 4099) the tail.
SHAPES = [((3, 5, 4, 7), (0, 2, 3)), ((2, 3, 1, 5), (0, 2, 3)), ((2, 3, 1, 5), (0, 3)),
          ((4, 3, 2, 5, 3), (-5, -2, -1)), ((5, 2, 3), (0, 2)), ((1031, 2, 3), (0, 2)),
          ((2, 3, 4099), (0, 2))]
EMPTY = [((0, 3, 5), (0, 2)), ((2, 3, 0), (0, 2)), ((2, 0, 5), (0, 2))]
LAYOUTS = ["contiguous", "stepped", "transposed"]


def laid_out(a, layout, device):
    """(numpy view, ember tensor on device) with a's values: contiguous, step-sliced, or a
    transposed view of a contiguous buffer (both non-contiguous)."""
    if layout == "stepped":
        big = np.zeros(tuple(2 * s for s in a.shape), dtype=a.dtype)
        index = tuple(slice(None, None, 2) for _ in a.shape)
        big[index] = a
        return big[index], ember.from_numpy(big).to(device)[index]
    if layout == "transposed":
        return a, ember.from_numpy(np.ascontiguousarray(a.T)).to(device).T
    return a, ember.from_numpy(a).to(device)


def norm(x, p, axis, keepdims):
    if p == 0:
        return np.sum(x != 0, axis=axis, keepdims=keepdims).astype(np.float64)
    if np.isinf(p):
        f = np.max if p > 0 else np.min
        return f(np.abs(x), axis=axis, keepdims=keepdims)
    return np.sum(np.abs(x) ** p, axis=axis, keepdims=keepdims) ** (1 / p)


# name -> (ember call, numpy float64 oracle, whether it needs a non-empty reduction)
FLOAT_OPS = {
    "sum": (lambda t, d, k: t.sum(d, keepdim=k), lambda x, a, k: np.sum(x, a, keepdims=k), False),
    "mean": (lambda t, d, k: t.mean(d, keepdim=k),
             lambda x, a, k: np.mean(x, a, keepdims=k), False),
    # values near 1, so that products of thousands of them stay finite
    "prod": (lambda t, d, k: (t * 0.01 + 1).prod(d, keepdim=k),
             lambda x, a, k: np.prod(x * 0.01 + 1, a, keepdims=k), False),
    "var": (lambda t, d, k: t.var(d, keepdim=k),
            lambda x, a, k: np.var(x, a, ddof=1, keepdims=k), True),
    "var0": (lambda t, d, k: t.var(d, correction=0, keepdim=k),
             lambda x, a, k: np.var(x, a, keepdims=k), True),
    "std": (lambda t, d, k: t.std(d, keepdim=k),
            lambda x, a, k: np.std(x, a, ddof=1, keepdims=k), True),
    "var_mean": (lambda t, d, k: ember.var_mean(t, d, keepdim=k)[0],
                 lambda x, a, k: np.var(x, a, ddof=1, keepdims=k), True),
    "std_mean.mean": (lambda t, d, k: ember.std_mean(t, d, keepdim=k)[1],
                      lambda x, a, k: np.mean(x, a, keepdims=k), True),
    "amax": (lambda t, d, k: t.amax(d, keepdim=k), lambda x, a, k: np.max(x, a, keepdims=k), True),
    "amin": (lambda t, d, k: t.amin(d, keepdim=k), lambda x, a, k: np.min(x, a, keepdims=k), True),
    "logsumexp": (lambda t, d, k: t.logsumexp(d, keepdim=k),
                  lambda x, a, k: np.log(np.sum(np.exp(x), a, keepdims=k)), True),
}
for _p in (0, 1, 2, 3, float("inf"), float("-inf")):
    FLOAT_OPS[f"norm{_p}"] = ((lambda p: lambda t, d, k: t.norm(p, d, keepdim=k))(_p),
                              (lambda p: lambda x, a, k: norm(x, p, a, k))(_p), np.isinf(_p))


def check(shape, dims, layout, dtype, device):
    rng = np.random.default_rng(sum(shape) + len(dims))
    a, t = laid_out(rng.standard_normal(shape).astype(dtype), layout, device)
    assert not t.is_contiguous() or layout == "contiguous"
    cpu = ember.from_numpy(np.ascontiguousarray(a))
    x = a.astype(np.float64)
    axis = tuple(d % len(shape) for d in dims)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    empty = any(shape[d] == 0 for d in axis)
    for keepdim in (False, True):
        for name, (op, oracle, needs_values) in FLOAT_OPS.items():
            if empty and needs_values:
                continue
            got = op(t, dims, keepdim)
            assert got.device.type == device and got.dtype == t.dtype, name
            with warnings.catch_warnings():  # the mean and var of nothing are nan, as here
                warnings.simplefilter("ignore", RuntimeWarning)
                want = oracle(x, axis, keepdim)
            assert got.shape == want.shape, (name, got.shape, want.shape)
            scale = np.max(np.sum(np.abs(x), axis, keepdims=keepdim), initial=1) + 1
            atol = 0 if name.startswith(("amax", "amin", "norminf", "norm-inf")) else tol * scale
            np.testing.assert_allclose(got.numpy(), want, rtol=tol * 10, atol=atol,
                                       equal_nan=True, err_msg=name)
            # The device kernels agree with the CPU's to rounding (extremes exactly).
            np.testing.assert_allclose(got.numpy(), op(cpu, dims, keepdim).numpy(),
                                       rtol=tol * 10, atol=atol, equal_nan=True, err_msg=name)
        np.testing.assert_array_equal((t > 0.5).any(dims, keepdim=keepdim).numpy(),
                                      np.any(x > 0.5, axis, keepdims=keepdim))
        np.testing.assert_array_equal((t > -2.5).all(dims, keepdim=keepdim).numpy(),
                                      np.all(x > -2.5, axis, keepdims=keepdim))


@pytest.mark.parametrize("shape,dims", SHAPES + EMPTY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_dim_reductions_match_numpy_and_cpu(shape, dims, dtype, device):
    check(shape, dims, "contiguous", dtype, device)


@pytest.mark.parametrize("shape,dims", [((3, 5, 4, 7), (0, 2, 3)), ((2, 3, 1, 5), (0, 3)),
                                        ((0, 3, 5), (0, 2))])
@pytest.mark.parametrize("layout", ["stepped", "transposed"])
def test_split_dim_reductions_of_non_contiguous_inputs(shape, dims, layout, device):
    check(shape, dims, layout, np.float32, device)


def test_split_dim_integer_and_bool_reductions(device):
    rng = np.random.default_rng(5)
    a = rng.integers(-50, 50, size=(3, 5, 4, 7)).astype(np.int32)
    t = ember.from_numpy(a).to(device)
    axis = (0, 2, 3)
    np.testing.assert_array_equal(t.sum(axis).numpy(), np.sum(a, axis, dtype=np.int64))
    np.testing.assert_array_equal(t.amax(axis).numpy(), np.max(a, axis))
    np.testing.assert_array_equal(t.amin(axis, keepdim=True).numpy(),
                                  np.min(a, axis, keepdims=True))
    small = ember.from_numpy(np.sign(a).astype(np.int64)).to(device)
    np.testing.assert_array_equal(small[:, :, :2, :2].prod(axis).numpy(),
                                  np.prod(np.sign(a).astype(np.int64)[:, :, :2, :2], axis))
    b = ember.from_numpy(a > -45).to(device)
    np.testing.assert_array_equal(b.all(axis).numpy(), np.all(a > -45, axis))
    np.testing.assert_array_equal(b.sum(axis).numpy(), np.sum(a > -45, axis, dtype=np.int64))


@pytest.mark.parametrize("shape,dims", [((6, 5, 33, 17), (0, 2, 3)), ((1031, 2, 3), (0, 2)),
                                        ((2, 3, 4099), (0, 2))])
def test_split_dim_reductions_are_bitwise_repeatable(shape, dims, device):
    """No atomics: the same values give the same bits on every call and at any address."""
    rng = np.random.default_rng(23)
    a = rng.random(shape, dtype=np.float32)
    t = ember.from_numpy(a).to(device)
    other = ember.from_numpy(a.copy()).to(device)  # another buffer, same values
    for op in (lambda u: u.sum(dims), lambda u: u.var(dims), lambda u: u.logsumexp(dims),
               lambda u: u.norm(2, dims)):
        first = op(t).numpy()
        for _ in range(2):
            np.testing.assert_array_equal(op(t).numpy(), first)
        np.testing.assert_array_equal(op(other).numpy(), first)
    exact = np.sum(a, axis=dims, dtype=np.float64)
    np.testing.assert_allclose(t.sum(dims).numpy(), exact, rtol=1e-6)


PEAK_SCRIPT = """
import sys
import numpy as np
import ember
device = sys.argv[1]
stats = ember.cuda.memory_stats if device == "cuda" else ember.memory_stats
x = ember.from_numpy(np.random.default_rng(0).random((64, 8, 32, 32), dtype=np.float32)).to(device)
before = stats()["peak_allocated_bytes"]
x.sum((0, 2, 3)), x.var((0, 2, 3)), x.amax((0, 2, 3))
print(stats()["peak_allocated_bytes"] - before)
"""


def test_split_dim_reductions_read_the_input_in_place(device):
    """No transposed copy of the (N, C, H, W) input: the peak grows by the (C, H, W) partials and
    the outputs at most, far below the input's 2 MiB (a fresh process, so the peak is this one)."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, device], capture_output=True,
                          text=True, timeout=120, check=True)
    growth = int(done.stdout.split()[-1])
    assert growth <= 2 * 8 * 32 * 32 * 4 + 4096, growth
