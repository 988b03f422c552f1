"""Indexing (x[...] and x[...] = v), index_select, masked_fill, nonzero, against numpy."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from helpers import DTYPES, check, make, same_storage

try:  # an extra oracle where PyTorch's rules differ from numpy's
    import torch
except ImportError:
    torch = None


# -- basic indexing: views -------------------------------------------------------------------

BASIC = [
    0, -1, 2, slice(None), slice(1, 3), slice(None, None, 2), slice(None, None, -1),
    slice(-2, None), slice(5, 1, -2), slice(10, -10, -3), slice(-100, 100), slice(3, 3),
    (0, 0), (1, -1, 2), (slice(None), 1), (Ellipsis, 0), (Ellipsis,), (0, Ellipsis, 1),
    (None,), (None, 0, None), (slice(None), None, slice(None, None, -2)), (..., None),
    (1, slice(None, None, -1), None, slice(1, None, 3)), (None, ..., None, -1),
    (np.int64(1), np.int32(-2)), (slice(np.int64(1), None),), (),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx", BASIC, ids=repr)
def test_basic_index_is_a_view(dtype, idx):
    a = make((5, 7, 4), dtype)
    x = ember.from_numpy(a)
    v = x[idx]
    check(v, a[idx])
    assert same_storage(v, x)


def test_basic_index_of_noncontiguous_and_0d():
    a = np.arange(7 * 13, dtype=np.float64).reshape(7, 13)
    x = ember.from_numpy(a)[::-2, 1::3]
    na = a[::-2, 1::3]
    for idx in [0, (slice(None), -1), (slice(None, None, -1), slice(1, None, 2)), (None, 2, ...)]:
        check(x[idx], na[idx])
    s = ember.tensor(np.float32(5))
    check(s[None], np.float32(5)[None])
    check(s[...], np.asarray(np.float32(5)))
    check(s[()], np.asarray(np.float32(5)))


def test_writes_through_basic_index_reach_the_base():
    a = np.zeros((4, 5), dtype=np.int32)
    x = ember.from_numpy(a)
    row = x[2]
    row[::-2] = ember.tensor([7, 8, 9], dtype=ember.int32)
    expected = np.zeros((4, 5), dtype=np.int32)
    expected[2, ::-2] = [7, 8, 9]
    np.testing.assert_array_equal(a, expected)
    a[0, 0] = 42
    assert x[0, 0].item() == 42


def test_slice_bounds_may_be_index_like():
    a = np.arange(10)
    x = ember.tensor(a)
    check(x[ember.tensor(2):np.int64(8):ember.tensor(3)], a[2:8:3])
    with pytest.raises(TypeError, match="slice indices must be integers"):
        x[1.5:]


def test_zero_dim_int_tensors_index_like_ints():
    a = make((4, 5), "int64")
    x = ember.from_numpy(a)
    i = ember.tensor(2)
    check(x[i], a[2])
    check(x[ember.tensor(1, dtype=ember.int32), i], a[1, 2])
    assert same_storage(x[i], x)


# -- advanced indexing: copies ---------------------------------------------------------------

ADVANCED = [
    [0, 2, 2], [-1, 0], [[0, 1], [2, 3]], np.array([3, 1]), (slice(None), [1, 0, 1]),
    ([0, 1], [2, 3]), ([[0], [1]], [1, 2, 3]), ([0, 1], slice(None), [2, 3]),
    (slice(None), [[2], [0]], [1, 3]), (Ellipsis, [0, 3]), ([1], Ellipsis, None),
    (None, [0, 1], None), (slice(1, None), [2, 0], slice(None, None, -1)),
    ([], slice(None)), (np.array([], dtype=np.int64), 0),
    (np.array([True, False, True, False, True]),), (slice(None), np.ones(7, bool)),
    (np.zeros((5, 7), bool),), (slice(None), np.arange(7) % 3 == 0, [1, 2, 3]) ,
    ([True, False, False, True, True],), (np.arange(35).reshape(5, 7) % 4 == 1,),
    (True,), (False,), (None, True, slice(None), False),
    (np.eye(5, 7, dtype=bool), [0, 1, 2, 3, 0]), (np.eye(5, 7, dtype=bool), None, [[1], [2]]),
    ([[0], [1]], np.eye(7, 4, dtype=bool)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx", ADVANCED, ids=repr)
def test_advanced_index_matches_numpy(dtype, idx, device):
    a = make((5, 7, 4), dtype)
    x = ember.tensor(a, device=device)
    v = x[idx]
    assert v.device == x.device
    check(v, a[idx])
    assert not same_storage(v, x)


def test_advanced_index_with_ember_tensors_and_noncontiguous_inputs():
    a = make((6, 5, 3), "float64")
    x = ember.from_numpy(a)[::-1, :, 1:]
    na = a[::-1, :, 1:]
    i64 = ember.tensor([4, 0, -2])
    i32 = ember.tensor(np.array([[1], [3]], dtype=np.int32))
    mask = ember.tensor(na[:, 0, 0] > 50)
    check(x[i64], na[[4, 0, -2]])
    check(x[i32, :, 1], na[[[1], [3]], :, 1])
    check(x[i64, i32], na[[4, 0, -2], np.array([[1], [3]])])
    check(x[mask], na[na[:, 0, 0] > 50])
    check(x[ember.tensor(True)], na[True])
    check(x[:, i64[1:].t() if i64[1:].dim() == 2 else i64[1:]], na[:, [0, -2]])
    u8 = ember.tensor(np.array([1, 0, 1, 1, 0, 0], dtype=np.uint8))
    check(x[u8], na[u8.numpy().astype(bool)])  # uint8 index tensors are masks, as in PyTorch


def test_ints_next_to_index_tensors_select_first_like_pytorch():
    # numpy counts the int as an advanced index (so the two, separated by a slice, go first);
    # PyTorch selects the int away first, and ember follows PyTorch.
    a = make((5, 6, 7, 8), "int32")
    x = ember.from_numpy(a)
    got = x[:, [0, 1], :, 0]
    assert got.shape == (5, 2, 7)
    check(got, a[..., 0][:, [0, 1], :])
    torch = pytest.importorskip("torch")
    assert tuple(torch.from_numpy(a)[:, [0, 1], :, 0].shape) == got.shape


def test_index_error_messages():
    x = ember.tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5]
    with pytest.raises(IndexError, match="index -4 is out of bounds for dimension 0 with size 3"):
        x[-4]
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 1 with size 4"):
        x[:, 4]
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[[0, 5]]
    with pytest.raises(IndexError, match="index -5 is out of bounds for dimension 1 with size 4"):
        x[:, ember.tensor([1, -5])]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[1, 2, 3]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[np.ones((3, 4, 1), bool)]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not match "
                       r"the shape of the indexed tensor \[3, 4\] at index 0"):
        x[[True, False]]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        x[ember.tensor([1.0])]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        x[ember.tensor(1.0)]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool"):
        x[[0.5]]
    with pytest.raises(IndexError, match=r"shape mismatch: indexing tensors could not be broadcast"
                       r" together with shapes \[2\], \[3\]"):
        x[[0, 1], [0, 1, 2]]
    with pytest.raises(IndexError, match="only integers, slices"):
        x["a"]
    with pytest.raises(IndexError, match="only integers, slices"):
        x[1.5]
    with pytest.raises(ValueError, match="slice: step cannot be zero"):
        x[::0]
    with pytest.raises(IndexError, match="select: cannot be applied to a 0-dim tensor"):
        ember.tensor(1.0)[0]


# -- setitem ---------------------------------------------------------------------------------

SETITEM = [
    (0, 7), (-1, [1, 2, 3, 4, 5, 6, 7]), ((slice(None), 2), 3.0), ((1, slice(None, None, -2)), 9),
    ((Ellipsis, 0), np.arange(5)), ((None, 1), 0), ([0, 2], 5), (([0, 1], [1, 2]), [8, 9]),
    ((slice(None), [6, 0]), np.arange(10).reshape(5, 2)), ([[1], [3]], 1),
    (np.arange(35).reshape(5, 7) % 3 == 0, 77), ((np.array([1, 0, 0, 1, 1], bool),), 4),
    ((slice(None), [True] * 3 + [False] * 4), 6), ([0, 0, 0], 3), (slice(4, 0, -1), 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx,value", SETITEM, ids=repr)
def test_setitem_matches_numpy(dtype, idx, value, device):
    a = make((5, 7), dtype)
    x = ember.tensor(a, device=device)
    expected = a.copy()
    expected[idx] = np.asarray(value).astype(dtype) if dtype != "bool" else np.asarray(value) != 0
    x[idx] = value
    check(x, expected)


def test_setitem_value_kinds_and_conversion():
    a = np.zeros((3, 4), dtype=np.int32)
    x = ember.from_numpy(a)
    x[0] = ember.tensor([1.7, 2.2, -3.9, 4.0], dtype=ember.float64)  # converted like a cast
    x[1, 1:3] = np.array([5, 6], dtype=np.int64)
    x[2] = ember.tensor(9, dtype=ember.uint8)
    x[[1, 2], [0, 3]] = ember.tensor([[-1, -2]])
    np.testing.assert_array_equal(a, [[1, 2, -3, 4], [-1, 5, 6, 0], [9, 9, 9, -2]])
    x[x.numpy() > 4] = 0
    np.testing.assert_array_equal(a, [[1, 2, -3, 4], [-1, 0, 0, 0], [0, 0, 0, -2]])


def test_setitem_through_a_view_writes_the_base():
    a = np.zeros((4, 6), dtype=np.float32)
    x = ember.from_numpy(a)
    v = x[1:, ::2]
    v[[0, 2], 1] = 5.0
    v[v.numpy() == 0] = 1.0
    expected = np.zeros((4, 6), dtype=np.float32)
    ev = expected[1:, ::2]
    ev[[0, 2], 1] = 5.0
    ev[ev == 0] = 1.0
    np.testing.assert_array_equal(a, expected)


def test_setitem_with_overlapping_source():
    a = np.arange(10, dtype=np.int64)
    x = ember.tensor(a)
    x[1:] = x[:-1]
    a[1:] = a[:-1].copy()
    check(x, a)
    x[[3, 2, 1]] = x[1:4]
    a[[3, 2, 1]] = a[1:4].copy()
    check(x, a)


def test_setitem_errors():
    x = ember.tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"copy_: source of shape \(3,\) cannot be broadcast to destination of shape \(4,\)"):
        x[0] = [1, 2, 3]
    with pytest.raises(ValueError, match=r"index_put_: shape mismatch: value tensor of shape "
                       r"\(3,\) cannot be broadcast to indexing result of shape \(2, 4\)"):
        x[[0, 1]] = ember.tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[[3]] = 1.0
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 1 with size 4"):
        x[0, 9] = 1.0
    np.testing.assert_array_equal(x.numpy(), np.zeros((3, 4)))


# -- index_select / masked_fill / nonzero ----------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_index_select(dtype, device):
    a = make((4, 7, 3), dtype)
    x = ember.tensor(a, device=device)
    for dim in (0, 1, 2, -1):
        idx = np.array([2, 0, 2, -1])[: a.shape[dim] + 1]
        got = x.index_select(dim, ember.tensor(idx))
        check(got, np.take(a, idx, axis=dim))
    check(ember.index_select(x, 1, ember.tensor(np.array([], dtype=np.int32))), a[:, []])
    check(x.index_select(0, ember.tensor(3)), a[[3]])
    check(x[:, ::-1].index_select(1, ember.tensor([0, 6])), a[:, ::-1][:, [0, 6]])
    with pytest.raises(IndexError, match="index_select: index must be a 1-D tensor"):
        x.index_select(0, ember.tensor([[0]]))
    with pytest.raises(TypeError, match="index_select: index must be an int32 or int64 tensor"):
        x.index_select(0, ember.tensor([True]))
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 0 with size 4"):
        x.index_select(0, ember.tensor([4]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_fill(dtype, device):
    a = make((3, 5), dtype)
    m = make((5,), "bool", seed=3)
    x = ember.tensor(a, device=device)
    mask = ember.tensor(m, device=device)
    expected = a.copy()
    expected[:, m] = 1
    check(x.masked_fill(mask, 1), expected)
    check(ember.masked_fill(x, mask, ember.tensor(1.0)), expected)  # a CPU 0-d value
    check(x, a)  # out of place
    bm = make((4, 1, 5), "bool", seed=5)
    check(x.masked_fill(ember.tensor(bm, device=device), 0), np.where(bm, np.zeros((), dtype), a))
    x.t().masked_fill_(ember.tensor(m[:, None], device=device), 0)
    expected = a.copy()
    expected[:, m] = 0
    check(x, expected)


def test_masked_fill_errors():
    x = ember.tensor(np.zeros((3, 4), dtype=np.float32))
    with pytest.raises(TypeError, match="masked_fill_: only supports boolean masks, but got mask "
                       "with dtype int64"):
        x.masked_fill(ember.tensor([1, 0, 1, 0]), 1.0)
    with pytest.raises(RuntimeError, match="masked_fill_: only supports a 0-dimensional value"):
        x.masked_fill(ember.tensor([True] * 4), ember.tensor([1.0]))
    with pytest.raises(ValueError, match=r"masked_fill_: mask of shape \(2, 3, 4\) cannot be "
                       r"broadcast to tensor of shape \(3, 4\)"):
        x.masked_fill_(ember.tensor(np.ones((2, 3, 4), bool)), 1.0)
    with pytest.raises(ValueError, match=r"masked_fill: shapes \(3, 4\) and \(3,\) cannot be"):
        x.masked_fill(ember.tensor([True] * 3), 1.0)
    with pytest.raises(TypeError, match="masked_fill: value must be a number"):
        x.masked_fill(ember.tensor([True] * 4), "1")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 5), (2, 0, 3), (2, 3, 4)])
def test_nonzero(dtype, shape, device):
    a = make(shape, dtype) * np.asarray(make(shape, "bool", seed=7)).astype(dtype)
    x = ember.tensor(np.asarray(a), device=device)
    check(x.nonzero(), np.argwhere(a))
    if a.ndim:
        for got, e in zip(ember.nonzero(x, as_tuple=True), np.nonzero(a)):
            check(got, e)
        check(x.T.nonzero(), np.argwhere(np.asarray(a).T))
    else:
        (got,) = x.nonzero(as_tuple=True)
        check(got, np.nonzero(np.atleast_1d(a))[0])


# -- CUDA specifics --------------------------------------------------------------------------

CUDA_ONLY = pytest.mark.skipif(not ember.cuda.is_available(), reason="no CUDA device (real or "
                               "emulated) in this build")


@CUDA_ONLY
@pytest.mark.parametrize("n", [1, 63, 64, 65, 257, 1031])
def test_cuda_nonzero_across_chunks(n):
    """Sizes around the 64-element chunks of the two-pass count, and all-zero / all-nonzero."""
    a = make((n,), "int32", seed=n) % 3
    for values in (a, np.zeros(n, np.int32), np.ones(n, np.int32)):
        check(ember.tensor(values, device="cuda").nonzero(), np.argwhere(values))
    b = make((3, n), "bool", seed=2)
    check(ember.tensor(b, device="cuda").t().nonzero(), np.argwhere(b.T))


@CUDA_ONLY
def test_cuda_indices_on_either_device_and_bounds_errors():
    a = make((6, 5), "float64")
    x = ember.tensor(a, device="cuda")
    for idx in ([4, 0, -2], np.array([[1], [3]], np.int32)):
        for where in ("cpu", "cuda"):
            check(x[ember.tensor(idx, device=where)], a[np.asarray(idx)])
    mask = a[:, 0] > 50
    check(x[ember.tensor(mask, device="cuda")], a[mask])
    check(x.index_select(1, ember.tensor([4, 0], device="cuda")), a[:, [4, 0]])
    # Bounds are checked on the host before any kernel runs: the same IndexError, x untouched.
    for bad in ([0, 6], [-7]):
        with pytest.raises(IndexError, match=f"index {bad[-1]} is out of bounds for dimension 0 "
                           "with size 6"):
            x[ember.tensor(bad, device="cuda")]
        with pytest.raises(IndexError, match="out of bounds"):
            x[ember.tensor(bad, device="cuda")] = 1.0
    check(x, a)


@CUDA_ONLY
def test_cuda_scatter_with_repeated_indices_keeps_the_last_write():
    rng = np.random.default_rng(4)
    rows = rng.integers(-40, 40, 300)
    values = rng.standard_normal((300, 3))
    expected = np.zeros((40, 3))
    expected[rows] = values  # numpy: the last write of each repeated row wins
    for _ in range(3):  # and the same every time
        x = ember.zeros(40, 3, dtype=ember.float64, device="cuda")
        x[ember.tensor(rows, device="cuda")] = ember.tensor(values, device="cuda")
        check(x, expected)
    y = ember.zeros(5, 7, dtype=ember.int32, device="cuda")
    y[[0, 0, 4, 0], [1, 1, 6, 1]] = ember.tensor([1, 2, 3, 4], dtype=ember.int32)
    e = np.zeros((5, 7), np.int32)
    e[[0, 0, 4, 0], [1, 1, 6, 1]] = [1, 2, 3, 4]
    check(y, e)


@CUDA_ONLY
def test_mixed_devices_raise():
    x = ember.zeros(3, 4, device="cuda")
    cpu_mask = ember.tensor(np.ones((3, 4), bool))
    for op, call in (("masked_fill_", lambda: x.masked_fill_(cpu_mask, 1.0)),
                     ("masked_fill", lambda: x.masked_fill(cpu_mask, 1.0))):
        with pytest.raises(RuntimeError, match=f"{op}: expected all tensors to be on the same "
                           "device, but found cuda:0 and cpu"):
            call()
    with pytest.raises(RuntimeError, match="index: indices on cuda:0 cannot index a tensor on cpu"):
        ember.zeros(3)[ember.tensor([0], device="cuda")]
    with pytest.raises(RuntimeError, match="index_put_: expected all tensors to be on the same "
                       "device, but found cpu and cuda:0"):
        # The op itself: Python's x[i] = v first moves v to x's device.
        ember._C.index_put_(ember.zeros(3)._impl, [ember.tensor([0])._impl],
                            ember.ones(1, device="cuda")._impl)


# -- property tests ------------------------------------------------------------------------------

SHAPE = (4, 5, 3)


@st.composite
def basic_indices(draw):
    ndim = len(SHAPE)
    items = []
    consumed = 0
    ellipsis = False
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis"]))
        if kind in ("int", "slice") and consumed == ndim:
            continue
        if kind == "ellipsis":
            if ellipsis:
                continue
            ellipsis = True
            items.append(Ellipsis)
        elif kind == "none":
            items.append(None)
        elif kind == "int":
            items.append(draw(st.integers(-3, 2)))
            consumed += 1
        else:
            items.append(slice(draw(st.none() | st.integers(-7, 7)),
                               draw(st.none() | st.integers(-7, 7)),
                               draw(st.none() | st.integers(-4, 4).filter(bool))))
            consumed += 1
    return tuple(items)


@settings(max_examples=300, deadline=None)
@given(basic_indices())
def test_random_basic_indices_match_numpy(idx):
    a = np.arange(int(np.prod(SHAPE)), dtype=np.int64).reshape(SHAPE)
    x = ember.tensor(a)
    v = x[idx]
    check(v, a[idx])
    assert same_storage(v, x)
    expected = a.copy()
    target = expected[idx]
    value = -np.arange(max(target.size, 1))[: target.size].reshape(target.shape) - 1
    expected[idx] = value
    x[idx] = ember.tensor(value)
    check(x, expected)


@settings(max_examples=200, deadline=None)
@given(basic_indices(), st.data())
def test_random_advanced_indices_match_numpy(idx, data):
    a = np.arange(int(np.prod(SHAPE)), dtype=np.float64).reshape(SHAPE)
    # Replace one slice by an integer array (or a mask) along the same dim.
    positions = [k for k, it in enumerate(idx) if isinstance(it, slice)]
    if not positions:
        idx = idx + (slice(None),) if sum(isinstance(i, (int, slice)) for i in idx) < 3 else idx
        positions = [k for k, it in enumerate(idx) if isinstance(it, slice)]
        if not positions:
            return
    k = data.draw(st.sampled_from(positions))
    view = a[idx[:k] + (Ellipsis,)] if Ellipsis not in idx[:k] else None
    if view is None:
        return
    dim = sum(1 for it in idx[:k] if it is None or isinstance(it, slice))
    size = view.shape[dim]
    if data.draw(st.booleans()):
        arr = np.array(data.draw(st.lists(st.integers(-size, size - 1), max_size=4)) if size else [],
                       dtype=np.int64)
    else:
        arr = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)), bool)
    full = idx[:k] + (arr,) + idx[k + 1:]
    x = ember.tensor(a)
    if any(isinstance(it, int) for it in full):  # numpy and PyTorch differ there (see above)
        if torch is None or any(isinstance(it, slice) and (it.step or 1) < 0 for it in full):
            return
        t_full = tuple(torch.from_numpy(it) if isinstance(it, np.ndarray) else it for it in full)
        np.testing.assert_array_equal(x[full].numpy(), torch.from_numpy(a)[t_full].numpy())
        return
    check(x[full], a[full])
    expected = a.copy()
    expected[full] = -1.0
    x[full] = -1.0
    check(x, expected)


# -- sizes that split the work across threads ----------------------------------------------------

def test_large_gathers_and_scatters_match_numpy():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3001, 41))
    x = ember.tensor(a)
    rows = rng.integers(-3001, 3001, 5000)
    cols = rng.integers(0, 41, 1500)
    check(x[rows], a[rows])
    check(x[:, cols], a[:, cols])
    check(x[::-1][rows, 3:40:2], a[::-1][rows, 3:40:2])
    check(x.t()[cols], a.T[cols])
    mask = a > 0.5
    check(x[ember.tensor(mask)], a[mask])
    check(x.nonzero(), np.argwhere(a))
    expected = a.copy()
    expected[rows[:2000], 5] = np.arange(2000)
    x[ember.tensor(rows[:2000]), 5] = ember.tensor(np.arange(2000))
    # Repeated rows: the last write wins, as in numpy.
    check(x, expected)


_GATHER_THREADS_SCRIPT = """
import numpy as np, ember
def threads():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))
ember.set_num_threads(2)
rng = np.random.default_rng(0)
src = ember.from_numpy(rng.standard_normal((8192, 2048)).astype(np.float32))
before = threads()
small = ember.from_numpy(rng.integers(0, 8192, 128))
ember.index_select(src[:, :784], 0, small)     # a DataLoader batch: 128 x 784 floats
ember.index_select(src, 0, small[:64])          # 512 KiB
after_small = threads()
ember.index_select(src, 0, ember.from_numpy(rng.integers(0, 8192, 4096)))  # 32 MiB
print(before, after_small, threads())
"""


@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/status"),
                    reason="counts the process's threads through /proc")
def test_small_gathers_stay_on_one_thread():
    """Waking a second thread costs more than copying a batch (milliseconds on a busy machine
    against microseconds): a small index_select must not start the thread pool, a large one
    does. Run in a fresh process, where the pool's threads appear only when first used."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", _GATHER_THREADS_SCRIPT], capture_output=True,
                         text=True, check=True).stdout
    before, after_small, after_large = map(int, out.split())
    assert after_small == before, "a small gather started worker threads"
    assert after_large > before, "a large gather ran on one thread"


@pytest.mark.parametrize("rows,cols", [(1, 1), (3, 5), (128, 784), (700, 1500), (5000, 1),
                                       (70000, 1), (20000, 61)])
def test_index_select_sizes_around_the_parallel_threshold(rows, cols):
    rng = np.random.default_rng(rows + cols)
    a = rng.standard_normal((max(rows // 2, 1), cols)).astype(np.float32)
    idx = rng.integers(0, a.shape[0], rows)
    cols_idx = rng.integers(0, cols, 7)
    x = ember.tensor(a)
    for threads in (1, 2):
        before = ember.get_num_threads()
        ember.set_num_threads(threads)
        try:
            check(ember.index_select(x, 0, ember.tensor(idx)), a[idx])
            check(ember.index_select(x, 1, ember.tensor(cols_idx)), a[:, cols_idx])
        finally:
            ember.set_num_threads(before)
