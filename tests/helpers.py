"""Small helpers shared by the view and indexing tests."""
import numpy as np

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]


def make(shape, dtype="float32", seed=0):
    """A numpy array of small integers (booleans for bool) in the given dtype."""
    rng = np.random.default_rng(seed)
    a = np.asarray(rng.integers(0, 100, size=shape))
    return np.asarray((a % 2).astype(bool) if dtype == "bool" else a.astype(dtype))


def same_storage(x, y):
    return x._impl.storage_ptr == y._impl.storage_ptr


def check(x, expected):
    """x holds exactly `expected`: same shape, dtype and values."""
    got = x.numpy()
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
