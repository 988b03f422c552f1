"""matmul / mm / bmm / dot / mv / outer / @ against numpy: numpy's shape rules, batch
broadcasting, every numeric dtype, non-contiguous operands, every SIMD variant, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

NUMERIC = [np.uint8, np.int32, np.int64, np.float32, np.float64]




def rand(shape, dtype, rng):
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, 4 if dtype == np.uint8 else 20, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def check(got, expected, dtype):
    assert got.dtype == ember._dtype.from_numpy(dtype)
    assert got.shape == np.shape(expected)
    if np.issubdtype(dtype, np.floating):
        tol = 1e-4 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got.numpy(), expected, rtol=tol, atol=tol)
    else:
        # Integer products wrap around in the operand dtype, as in numpy and PyTorch.
        np.testing.assert_array_equal(got.numpy(), expected.astype(dtype))


def oracle(a, b):
    if np.issubdtype(a.dtype, np.integer):
        return np.matmul(a.astype(np.int64), b.astype(np.int64)).astype(a.dtype)
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


SHAPE_PAIRS = [
    ((7,), (7,)), ((1,), (1,)), ((0,), (0,)),
    ((7,), (7, 13)), ((13, 7), (7,)), ((5,), (3, 5, 2)), ((3, 2, 5), (5,)),
    ((1, 1), (1, 1)), ((13, 7), (7, 11)), ((0, 3), (3, 4)), ((3, 0), (0, 4)), ((3, 4), (4, 0)),
    ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (6, 4, 2)), ((0, 3, 4), (4, 2)), ((4, 1, 5), (1, 5, 3)),
    ((67, 131), (131, 259)),  # more than one block of rows, depth and columns
]


@pytest.mark.parametrize("dtype", NUMERIC)
def test_matmul_shapes_and_dtypes(dtype):
    rng = np.random.default_rng(0)
    for sa, sb in SHAPE_PAIRS:
        a, b = rand(sa, dtype, rng), rand(sb, dtype, rng)
        ta, tb = ember.from_numpy(a), ember.from_numpy(b)
        expected = oracle(a, b)
        check(ember.matmul(ta, tb), expected, dtype)
        check(ta @ tb, expected, dtype)
        check(ta.matmul(tb), expected, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_non_contiguous_operands(dtype):
    rng = np.random.default_rng(1)
    a = rand((13, 7), dtype, rng)
    b = rand((11, 7), dtype, rng).T                     # transposed
    c = rand((26, 22), dtype, rng)[::2, 1::2].T[:7]      # stepped, then transposed
    check(ember.from_numpy(a) @ ember.from_numpy(b), oracle(a, b), dtype)
    check(ember.from_numpy(a) @ ember.from_numpy(c), oracle(a, c), dtype)
    batch = rand((5, 7, 3), dtype, rng).transpose(2, 0, 1)  # (3, 5, 7)
    rhs = rand((7, 4), dtype, rng)[::-1]
    check(ember.bmm(ember.from_numpy(batch), ember.from_numpy(np.broadcast_to(rhs, (3, 7, 4)))),
          oracle(batch, np.broadcast_to(rhs, (3, 7, 4))), dtype)
    v = rand((14,), dtype, rng)[::2]
    check(ember.mv(ember.from_numpy(a), ember.from_numpy(v)), oracle(a, v), dtype)


def test_mm_bmm_dot_mv_outer():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    check(ember.mm(ember.from_numpy(a), ember.from_numpy(b)), a @ b, np.float64)
    x, y = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 3, 6))
    check(ember.from_numpy(x).bmm(ember.from_numpy(y)), x @ y, np.float64)
    u, w = rng.standard_normal(9), rng.standard_normal(9)
    d = ember.dot(ember.from_numpy(u), ember.from_numpy(w))
    assert d.shape == () and d.item() == pytest.approx(u @ w)
    check(ember.from_numpy(a).mv(ember.from_numpy(b[:, 0])), a @ b[:, 0], np.float64)
    check(ember.outer(ember.from_numpy(u), ember.from_numpy(w[:4])), np.outer(u, w[:4]), np.float64)
    mixed = ember.outer(ember.from_numpy(np.arange(3, dtype=np.int32)), ember.from_numpy(np.ones(2, np.float32)))
    check(mixed, np.outer(np.arange(3), np.ones(2)), np.float32)
    flags = ember.outer(ember.from_numpy(np.array([True, False])), ember.from_numpy(np.array([True, True, False])))
    check(flags, np.outer([True, False], [True, True, False]), np.bool_)


def test_rmatmul_and_non_tensor_operand():
    a = ember.from_numpy(np.ones((2, 2)))
    with pytest.raises(TypeError):
        a @ [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(TypeError, match="matmul: expected a Tensor as argument 2"):
        ember.matmul(a, np.eye(2))


def test_matmul_propagates_nan_and_inf():
    a = ember.from_numpy(np.array([[0.0, 1.0]]))
    b = ember.from_numpy(np.array([[np.inf], [2.0]]))
    assert np.isnan((a @ b).item())  # 0 * inf is NaN: zeros must not be skipped


def test_kernels_on_every_capability(capability):
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64, np.int64):
        for sa, sb in [((67, 131), (131, 259)), ((3, 9, 17), (17, 5)), ((1, 300), (300, 1))]:
            a, b = rand(sa, dtype, rng), rand(sb, dtype, rng)
            check(ember.from_numpy(a) @ ember.from_numpy(b), oracle(a, b), dtype)


def test_errors_name_the_op_and_shapes():
    f = lambda *s: ember.from_numpy(np.ones(s, np.float32))  # noqa: E731
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied \(3 != 4\)"):
        f(2, 3) @ f(4, 5)
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(3,\) and \(4,\) cannot be multiplied \(3 != 4\)"):
        ember.matmul(f(3), f(4))
    with pytest.raises(RuntimeError, match=r"dot: shapes \(3,\) and \(4,\) cannot be multiplied"):
        ember.dot(f(3), f(4))
    with pytest.raises(ValueError, match=r"matmul: shapes \(2\,\) and \(3\,\) cannot be broadcast"):
        f(2, 3, 4) @ f(3, 4, 5)
    with pytest.raises(RuntimeError, match=r"matmul: both operands need to be at least 1-D, got shapes \(\) and \(3,\)"):
        ember.matmul(f(), f(3))
    with pytest.raises(RuntimeError, match=r"mm: expected 2-D and 2-D operands, got shapes \(3,\) and \(3, 4\)"):
        ember.mm(f(3), f(3, 4))
    with pytest.raises(RuntimeError, match=r"bmm: expected 3-D and 3-D operands"):
        ember.bmm(f(3, 4), f(3, 4, 5))
    with pytest.raises(RuntimeError, match=r"bmm: batch sizes of shapes \(2, 3, 4\) and \(3, 4, 5\) differ"):
        ember.bmm(f(2, 3, 4), f(3, 4, 5))
    with pytest.raises(RuntimeError, match=r"mv: shapes \(2, 3\) and \(4,\) cannot be multiplied"):
        ember.mv(f(2, 3), f(4))
    with pytest.raises(RuntimeError, match="matmul: expected both operands to have the same dtype, got float32 and float64"):
        f(2, 3) @ ember.from_numpy(np.ones((3, 2)))
    with pytest.raises(TypeError, match="matmul: unsupported dtype bool"):
        ember.from_numpy(np.ones((2, 2), bool)) @ ember.from_numpy(np.ones((2, 2), bool))


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_batched_broadcasting_matches_numpy(data):
    m, k, n = (data.draw(st.integers(0, 9), label=x) for x in "mkn")
    batch = data.draw(st.lists(st.integers(1, 3), max_size=3), label="batch")
    a_batch = [d if data.draw(st.booleans()) else 1 for d in batch]
    b_batch = [d if data.draw(st.booleans()) else 1 for d in batch][data.draw(st.integers(0, len(batch))):]
    a_vec, b_vec = data.draw(st.booleans()), data.draw(st.booleans())
    sa = (k,) if a_vec else tuple(a_batch) + (m, k)
    sb = (k,) if b_vec else tuple(b_batch) + (k, n)
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    check(ember.from_numpy(a) @ ember.from_numpy(b), a @ b, np.float64)


def test_float32_dot_and_mv_of_long_vectors_are_accurate():
    rng = np.random.default_rng(4)
    a, b = rng.random(1 << 20, dtype=np.float32), rng.random(1 << 20, dtype=np.float32)
    exact = np.dot(a.astype(np.float64), b.astype(np.float64))
    # All terms positive: a single float32 accumulator would be off by ~1e-4.
    assert abs(ember.dot(ember.from_numpy(a), ember.from_numpy(b)).item() - exact) / exact < 5e-6
    m = np.stack([a, b[::-1]])
    got = ember.mv(ember.from_numpy(m), ember.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, m.astype(np.float64) @ b.astype(np.float64), rtol=5e-6)
