"""Views (shared storage), joins and splits, against numpy."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from helpers import DTYPES, check, make, same_storage

# PyTorch's promotion order for these dtypes: the result of mixing two is the later one.
ORDER = DTYPES


# -- view / reshape ------------------------------------------------------------------------

SHAPE_PAIRS = [((), (1,)), ((), ()), ((1,), ()), ((12,), (3, 4)), ((3, 4), (-1,)),
               ((2, 3, 4), (4, -1)), ((7, 13), (13, 7)), ((0, 5), (5, 0)), ((0, 5), (-1, 5)),
               ((1, 1, 1), (1,)), ((2, 1, 3), (3, 1, 2, 1))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,new", SHAPE_PAIRS)
def test_view_contiguous_shares_storage(dtype, shape, new):
    a = make(shape, dtype)
    x = ember.tensor(a)
    v = x.view(new)
    check(v, a.reshape(new))
    assert same_storage(v, x)
    assert x.view(*new).shape == v.shape
    assert x.view(ember.Size(v.shape)).shape == v.shape
    check(x.reshape(new), a.reshape(new))


def test_writes_through_view_visible_both_ways():
    x = ember.tensor(np.arange(12, dtype=np.float32))
    v = x.view(3, 4)
    v[1, 2] = 100.0
    assert x.numpy()[6] == 100.0
    x[11] = -5.0
    assert v.numpy()[2, 3] == -5.0


@pytest.mark.parametrize("base,make_view,new", [
    ((3, 8), lambda a: a[:, ::2], (3, 2, 2)),          # splitting a strided dim
    ((2, 3, 4), lambda a: a[:, :, ::2], (6, 2)),       # merging dims that stay evenly spaced
    ((2, 4, 4), lambda a: a.swapaxes(0, 1), (4, 2, 2, 2)),  # splitting the contiguous dim
    ((3, 8), lambda a: a[:, None, ::2], (3, 4)),
])
def test_view_of_noncontiguous_when_strides_allow(base, make_view, new):
    a = np.arange(int(np.prod(base)), dtype=np.float64).reshape(base)
    x = ember.from_numpy(a)
    v = make_view(x).view(new)
    check(v, make_view(a).reshape(new))
    assert same_storage(v, x)


def test_view_incompatible_strides_raises_and_reshape_copies():
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    x = ember.tensor(a)
    xt = x.t()
    with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's "
                       r"size and stride \(at least one dimension spans across two contiguous "
                       r"subspaces\)\. Use \.reshape\(\.\.\.\) instead\."):
        xt.view(12)
    r = xt.reshape(12)
    check(r, a.T.reshape(12))
    assert not same_storage(r, x)
    r[0] = 99
    assert x.numpy()[0, 0] == 0  # a copy: the base is untouched


def test_view_errors():
    x = ember.tensor(np.zeros(12, dtype=np.float32))
    with pytest.raises(RuntimeError, match=r"shape '\[2, 5\]' is invalid for input of size 12"):
        x.view(2, 5)
    with pytest.raises(RuntimeError, match=r"shape '\[5, -1\]' is invalid for input of size 12"):
        x.view(5, -1)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    with pytest.raises(RuntimeError, match="invalid shape dimension -3"):
        x.view(-3, 4)
    with pytest.raises(RuntimeError, match="ambiguous"):
        ember.tensor(np.zeros((0, 3))).view(0, -1)
    with pytest.raises(TypeError, match="view"):
        x.view("12")


def test_view_as_reshape_as():
    a = make((3, 4), "int32")
    x, y = ember.tensor(a), ember.tensor(make((2, 6)))
    check(x.view_as(y), a.reshape(2, 6))
    check(x.reshape_as(y), a.reshape(2, 6))
    check(ember.reshape(x, (4, 3)), a.reshape(4, 3))


# -- permute / transpose / t / movedim -----------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_permute_transpose_t(dtype):
    a = make((2, 3, 5), dtype)
    x = ember.from_numpy(a)
    for v, e in [(x.permute(2, 0, 1), a.transpose(2, 0, 1)),
                 (x.permute((1, 2, 0)), a.transpose(1, 2, 0)),
                 (ember.permute(x, [-1, -2, -3]), a.transpose(2, 1, 0)),
                 (x.transpose(0, 2), a.swapaxes(0, 2)),
                 (ember.transpose(x, -1, 1), a.swapaxes(-1, 1)),
                 (ember.swapaxes(x, 0, 1), a.swapaxes(0, 1)),
                 (x.T, a.T), (x.mT, a.swapaxes(-1, -2)),
                 (x.movedim(0, -1), np.moveaxis(a, 0, -1)),
                 (ember.movedim(x, (0, 1), (2, 0)), np.moveaxis(a, (0, 1), (2, 0))),
                 (x[0].t(), a[0].T), (ember.t(x[0, 0]), a[0, 0])]:
        check(v, e)
        assert same_storage(v, x)
    check(ember.tensor(a[0, 0, 0]).t(), a[0, 0, 0])
    check(ember.tensor(a[0, 0, 0]).T, a[0, 0, 0])


def test_permute_transpose_errors():
    x = ember.tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="permute: duplicate dims"):
        x.permute(0, 0)
    with pytest.raises(RuntimeError, match=r"permute: the tensor of shape \(2, 3\) has 2 dims"):
        x.permute(0)
    with pytest.raises(IndexError, match=r"transpose: dimension out of range \(expected to be in "
                       r"range of \[-2, 1\], but got 2\)"):
        x.transpose(0, 2)
    with pytest.raises(RuntimeError, match=r"t: expects a tensor with <= 2 dimensions.*\(2, 3, 1\)"):
        x.view(2, 3, 1).t()
    with pytest.raises(RuntimeError, match="mT"):
        x[0].mT
    with pytest.raises(RuntimeError, match="movedim: duplicate"):
        x.movedim((0, 0), (0, 1))
    with pytest.raises(ValueError, match="movedim"):
        x.movedim((0, 1), (0,))


# -- squeeze / unsqueeze / flatten / unflatten ---------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_squeeze_unsqueeze(dtype):
    a = make((1, 3, 1, 7, 1), dtype)
    x = ember.from_numpy(a)
    cases = [(x.squeeze(), a.squeeze()), (x.squeeze(0), a.squeeze(0)),
             (x.squeeze(1), a), (x.squeeze(-1), a.squeeze(-1)),
             (x.squeeze((0, 2)), a.squeeze((0, 2))), (ember.squeeze(x, (1, 4)), a.squeeze(4)),
             (x.unsqueeze(0), a[None]), (x.unsqueeze(-1), a[..., None]),
             (ember.unsqueeze(x, 3), np.expand_dims(a, 3))]
    for v, e in cases:
        check(v, e)
        assert same_storage(v, x)
    s = ember.tensor(a[0, 0, 0, 0, 0])
    check(s.unsqueeze(0), a[0, 0, 0, 0, 0][None])
    check(s.squeeze(), a[0, 0, 0, 0, 0])
    check(s.squeeze(0), a[0, 0, 0, 0, 0])
    with pytest.raises(IndexError, match="unsqueeze: dimension out of range"):
        x.unsqueeze(6)
    with pytest.raises(IndexError, match="squeeze: dimension out of range"):
        x.squeeze(5)


def test_unsqueeze_of_noncontiguous_keeps_viewing_the_same_elements():
    a = np.arange(60, dtype=np.int32).reshape(3, 4, 5)[:, ::-2, 1:4]
    x = ember.from_numpy(a)
    for d in range(-4, 4):
        v = x.unsqueeze(d)
        check(v, np.expand_dims(a, d))
        check(v.contiguous(), np.expand_dims(a, d))


@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_flatten_unflatten(dtype):
    a = make((2, 3, 5, 7), dtype)
    x = ember.from_numpy(a)
    check(x.flatten(), a.reshape(-1))
    check(x.flatten(1), a.reshape(2, -1))
    check(ember.flatten(x, 1, 2), a.reshape(2, 15, 7))
    check(x.flatten(-2, -1), a.reshape(2, 3, 35))
    assert same_storage(x.flatten(1, 2), x)
    check(x.transpose(0, 3).flatten(), a.transpose(3, 1, 2, 0).reshape(-1))
    check(ember.tensor(np.float32(3)).flatten(), np.array([3], dtype=np.float32))
    check(x.unflatten(2, (5, 1)), a.reshape(2, 3, 5, 1, 7))
    check(ember.unflatten(x.flatten(), 0, (2, -1, 7)), a.reshape(2, 15, 7))
    assert same_storage(x.unflatten(-1, (7, 1)), x)
    with pytest.raises(RuntimeError, match=r"flatten: start_dim \(2\) cannot come after end_dim \(1\)"):
        x.flatten(2, 1)
    with pytest.raises(RuntimeError, match=r"unflatten: provided sizes \[2, 2\] don't multiply up "
                       r"to the size of dim 2 \(5\)"):
        x.unflatten(2, (2, 2))


# -- expand / broadcast ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_expand(dtype):
    a = make((3, 1), dtype)
    x = ember.from_numpy(a)
    for v, shape in [(x.expand(3, 4), (3, 4)), (x.expand((2, 3, 5)), (2, 3, 5)),
                     (x.expand(-1, 6), (3, 6)), (x.expand(0, 3, 2), (0, 3, 2)),
                     (ember.broadcast_to(x, (4, 3, 1)), (4, 3, 1)),
                     (x.expand_as(ember.tensor(make((2, 3, 7)))), (2, 3, 7))]:
        check(v, np.broadcast_to(a, shape))
        assert same_storage(v, x)
    assert x.expand(3, 4).stride() == (1, 0)
    with pytest.raises(RuntimeError, match=r"expand: the expanded size of the tensor \(5\) must match the "
                       r"existing size \(3\) at non-singleton dimension 0.*Target sizes: \[5, 4\]"
                       r".*Tensor sizes: \[3, 1\]"):
        x.expand(5, 4)
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(-1\) isn't allowed in a "
                       r"leading, non-existing dimension 0"):
        x.expand(-1, 3, 4)
    with pytest.raises(RuntimeError, match=r"number of sizes provided \(1\)"):
        x.expand(4)


def test_broadcast_tensors_and_shapes():
    a, b = make((3, 1), "int32"), make((1, 4), "float64")
    x, y = ember.broadcast_tensors(ember.from_numpy(a), ember.from_numpy(b))
    ea, eb = np.broadcast_arrays(a, b)
    check(x, ea)
    check(y, eb)
    assert ember.broadcast_shapes((3, 1), (4,), ()) == (3, 4)
    assert ember.broadcast_shapes(2, (1,)) == (2,)
    with pytest.raises(ValueError, match=r"broadcast_shapes: shapes \(3, 2\) and \(4,\)"):
        ember.broadcast_shapes((3, 2), (4,))


# -- narrow / select / diagonal ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_narrow_select_diagonal(dtype):
    a = make((5, 7, 3), dtype)
    x = ember.from_numpy(a)
    cases = [(x.narrow(1, 2, 4), a[:, 2:6]), (ember.narrow(x, 0, -2, 2), a[3:5]),
             (x.narrow(2, 3, 0), a[:, :, 3:3]),
             (x.select(1, 3), a[:, 3]), (ember.select(x, -1, -1), a[..., -1]),
             (x.diagonal(), np.diagonal(a)), (ember.diagonal(x, 2, 0, 1), np.diagonal(a, 2)),
             (x.diagonal(-3, 1, 0), np.diagonal(a, -3, 1, 0)),
             (x.diagonal(9), np.diagonal(a, 9)), (x.diagonal(1, -1, 1), np.diagonal(a, 1, -1, 1))]
    for v, e in cases:
        check(v, e)
        assert same_storage(v, x)
    with pytest.raises(RuntimeError, match=r"narrow: start \(3\) \+ length \(3\) exceeds "
                       r"dimension size \(5\)"):
        x.narrow(0, 3, 3)
    with pytest.raises(IndexError, match=r"narrow: start \(6\) out of range"):
        x.narrow(0, 6, 0)
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 1 with size 7"):
        x.select(1, 7)
    with pytest.raises(IndexError, match="index -6 is out of bounds for dimension 0 with size 5"):
        x.select(0, -6)
    with pytest.raises(RuntimeError, match="diagonal: dimensions cannot be identical"):
        x.diagonal(0, 1, 1)


# -- flip ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_flip_copies(dtype, device):
    a = make((3, 4, 5), dtype)
    x = ember.tensor(a, device=device)
    for dims in [0, (1,), (0, 2), (-1, 0, 1), ()]:
        f = ember.flip(x, dims)
        check(f, np.flip(a, dims))
        assert not same_storage(f, x)
    check(x.flip(1, 2), np.flip(a, (1, 2)))
    check(x[:, ::2].flip(1), np.flip(a[:, ::2], 1))
    with pytest.raises(RuntimeError, match="flip: duplicate dims"):
        x.flip(0, 0)


# -- cat / stack -------------------------------------------------------------------------------

@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("db", DTYPES)
def test_cat_promotes_dtypes(da, db):
    a, b = make((2, 3), da), make((4, 3), db, seed=1)
    out = ember.cat([ember.tensor(a), ember.tensor(b)])
    expected_dtype = ORDER[max(ORDER.index(da), ORDER.index(db))]
    check(out, np.concatenate([a, b]).astype(expected_dtype))


def test_cat_matches_torch_promotion():
    torch = pytest.importorskip("torch")
    for da in DTYPES:
        for db in DTYPES:
            a, b = make((2,), da), make((1,), db)
            want = torch.cat([torch.from_numpy(a), torch.from_numpy(b)])
            got = ember.cat([ember.tensor(a), ember.tensor(b)])
            assert got.dtype.name == str(want.dtype).replace("torch.", "")


@pytest.mark.parametrize("shapes,dim", [
    ([(2, 3), (5, 3), (1, 3)], 0), ([(2, 3), (2, 1), (2, 0)], 1), ([(2, 3, 4), (2, 3, 4)], -1),
    ([(7,), (13,)], 0), ([(0, 3), (0, 3)], 0), ([(0, 3), (2, 3)], 0), ([(1, 1)], 1),
])
def test_cat_shapes(shapes, dim, device):
    arrays = [make(s, "float64", seed=i) for i, s in enumerate(shapes)]
    out = ember.cat([ember.tensor(a, device=device) for a in arrays], dim)
    assert out.device.type == device
    check(out, np.concatenate(arrays, dim))
    check(ember.concat([ember.tensor(a) for a in arrays], dim=dim), np.concatenate(arrays, dim))
    check(ember.concatenate([ember.tensor(a) for a in arrays], axis=dim),
          np.concatenate(arrays, dim))


def test_cat_noncontiguous_inputs_and_legacy_empty(device):
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    x = ember.tensor(a, device=device)
    check(ember.cat([x.t(), x[:, ::-2].t()], 0), np.concatenate([a.T, a[:, ::-2].T], 0))
    legacy = ember.tensor(np.zeros(0, dtype=np.int32), device=device)
    check(ember.cat([legacy, x, legacy], 1), a)
    check(ember.cat([legacy, legacy]), np.zeros(0, dtype=np.int32))


def test_cat_errors():
    x = ember.tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"cat: sizes of tensors must match except in dimension"
                       r" 0\. Expected size 3 but got size 4 for tensor number 1 in the list"):
        ember.cat([x, ember.tensor(np.zeros((2, 4)))])
    with pytest.raises(RuntimeError, match=r"cat: tensors must have the same number of "
                       r"dimensions: got 2 and 3"):
        ember.cat([x, ember.tensor(np.zeros((2, 3, 1)))])
    with pytest.raises(RuntimeError, match=r"cat: zero-dimensional tensor \(at position 1\)"):
        ember.cat([x, ember.tensor(1.0)])
    with pytest.raises(IndexError, match="cat: dimension out of range"):
        ember.cat([x, x], 2)
    with pytest.raises(ValueError, match="cat: expected a non-empty list"):
        ember.cat([])
    with pytest.raises(TypeError, match="cat: expected a sequence of Tensors"):
        ember.cat(x)
    with pytest.raises(TypeError, match="cat: expected a sequence of Tensors"):
        ember.cat([x, np.zeros((2, 3))])


@pytest.mark.parametrize("dtype", DTYPES)
def test_stack_hstack_vstack(dtype, device):
    arrays = [make((3, 4), dtype, seed=i) for i in range(3)]
    ts = [ember.tensor(a, device=device) for a in arrays]
    for dim in (0, 1, 2, -1, -3):
        check(ember.stack(ts, dim), np.stack(arrays, dim))
    check(ember.stack(ts[:1]), np.stack(arrays[:1]))
    check(ember.hstack(ts), np.hstack(arrays))
    check(ember.vstack(ts), np.vstack(arrays))
    check(ember.hstack([t[0] for t in ts]), np.hstack([a[0] for a in arrays]))
    check(ember.vstack([t[0] for t in ts]), np.vstack([a[0] for a in arrays]))
    s = [ember.tensor(a[0, 0], device=device) for a in arrays]
    check(ember.stack(s), np.stack([a[0, 0] for a in arrays]))


def test_cat_stack_with_mixed_devices_raise():
    if not ember.cuda.is_available():
        pytest.skip("needs a CUDA device (real or emulated)")
    pair = [ember.zeros(2, 3, device="cuda"), ember.zeros(2, 3)]
    for op in (ember.cat, ember.stack):
        with pytest.raises(RuntimeError, match=f"{op.__name__}: expected all tensors to be on the "
                           "same device, but found cuda:0 and cpu"):
            op(pair)


def test_stack_errors():
    with pytest.raises(RuntimeError, match=r"stack: expects each tensor to be equal size, but got "
                       r"\(2, 3\) at entry 0 and \(2, 4\) at entry 1"):
        ember.stack([ember.tensor(np.zeros((2, 3))), ember.tensor(np.zeros((2, 4)))])
    with pytest.raises(IndexError, match="stack: dimension out of range"):
        ember.stack([ember.tensor(np.zeros((2, 3)))], 3)


# -- split / chunk / unbind ----------------------------------------------------------------------

@pytest.mark.parametrize("n,size", [(7, 3), (6, 2), (5, 5), (5, 9), (0, 2), (1, 1)])
def test_split_int(n, size, device):
    a = make((n, 3), "int64")
    x = ember.tensor(a, device=device)
    parts = x.split(size)
    bounds = list(range(size, n, size))
    expected = np.split(a, bounds) if n else [a]
    assert len(parts) == len(expected)
    for p, e in zip(parts, expected):
        check(p, e)
        assert same_storage(p, x)
    assert isinstance(parts, tuple)


def test_split_sections_chunk_unbind(device):
    a = make((4, 10), "float32")
    x = ember.tensor(a, device=device)
    parts = ember.split(x, [3, 0, 7], dim=1)
    for p, e in zip(parts, np.split(a, [3, 3], axis=1)):
        check(p, e)
    for chunks in (1, 3, 4, 7, 10, 12):
        got = x.chunk(chunks, 1)
        step = -(-10 // chunks)
        expected = [a[:, i:i + step] for i in range(0, 10, step)]
        assert len(got) == len(expected)
        for p, e in zip(got, expected):
            check(p, e)
    assert len(ember.tensor(np.zeros((0, 2))).chunk(3)) == 3
    for i, u in enumerate(ember.unbind(x, 1)):
        check(u, a[:, i])
        assert same_storage(u, x)
    assert len(x.unbind()) == 4


def test_split_errors():
    x = ember.tensor(np.zeros((5, 2)))
    with pytest.raises(RuntimeError, match=r"split_with_sizes expects split_sizes to sum exactly "
                       r"to 5 \(input tensor's size at dimension 0\), but got split_sizes=\[2, 2\]"):
        x.split([2, 2])
    with pytest.raises(RuntimeError, match="split: split_size can only be 0 if dimension size is 0"):
        x.split(0)
    with pytest.raises(RuntimeError, match="chunk: chunks must be greater than 0"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="unbind"):
        ember.tensor(1.0).unbind()


# -- property tests ------------------------------------------------------------------------------

@st.composite
def view_programs(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    ops = []
    ndim = len(shape)
    for _ in range(draw(st.integers(1, 6))):
        choices = ["unsqueeze", "squeeze"]
        if ndim >= 1:
            choices += ["slice", "select", "permute", "flatten", "movedim", "expand", "narrow"]
        if ndim >= 2:
            choices += ["transpose", "diagonal"]
        op = draw(st.sampled_from(choices))
        if op == "unsqueeze":
            ops.append((op, draw(st.integers(-ndim - 1, ndim))))
            ndim += 1
        elif op == "squeeze":
            ops.append((op,))
            ndim = -1  # unknown until run; recomputed below
        elif op == "slice":
            ops.append((op, draw(st.integers(0, ndim - 1)), draw(st.none() | st.integers(-6, 6)),
                        draw(st.none() | st.integers(-6, 6)),
                        draw(st.integers(-3, 3).filter(lambda s: s != 0))))
        elif op == "select":
            ops.append((op, draw(st.integers(0, ndim - 1)), draw(st.integers(0, 3))))
            ndim -= 1
        elif op == "permute":
            ops.append((op, draw(st.permutations(range(ndim)))))
        elif op == "flatten":
            s = draw(st.integers(0, ndim - 1))
            ops.append((op, s, draw(st.integers(s, ndim - 1))))
            ndim -= ops[-1][2] - s
        elif op == "movedim":
            ops.append((op, draw(st.integers(0, ndim - 1)), draw(st.integers(0, ndim - 1))))
        elif op == "expand":
            ops.append((op, draw(st.integers(0, 3))))
        elif op == "narrow":
            ops.append((op, draw(st.integers(0, ndim - 1)), draw(st.integers(0, 4)),
                        draw(st.integers(0, 4))))
        elif op == "transpose":
            ops.append((op, draw(st.integers(-ndim, ndim - 1)), draw(st.integers(-ndim, ndim - 1))))
        elif op == "diagonal":
            ops.append((op, draw(st.integers(-3, 3))))
            ndim -= 1
        if ndim < 0:
            break
    return shape, ops


def apply_view_op(x, op, is_numpy):
    """Applies one op to an ember tensor or a numpy array; None when it does not apply."""
    name, *args = op
    shape = x.shape
    nd = len(shape)
    if name == "unsqueeze":
        return x[(slice(None),) * (args[0] % (nd + 1)) + (None,)] if is_numpy else x.unsqueeze(args[0])
    if name == "squeeze":
        return x.squeeze()
    if nd == 0 or any(isinstance(a, int) and name not in ("expand", "diagonal") and a >= nd
                      for a in args[:1]):
        return None
    if name == "slice":
        d, start, stop, step = args
        return x[(slice(None),) * d + (slice(start, stop, step),)]
    if name == "select":
        d, i = args
        if i >= shape[d]:
            return None
        return x[(slice(None),) * d + (i, Ellipsis)]  # Ellipsis: numpy returns a view, not a scalar
    if name == "permute":
        if len(args[0]) != nd:
            return None
        return x.transpose(args[0]) if is_numpy else x.permute(args[0])
    if name == "flatten":
        s, e = args
        if e >= nd:
            return None
        new = tuple(shape[:s]) + (int(np.prod(shape[s:e + 1])),) + tuple(shape[e + 1:])
        return x.reshape(new) if is_numpy else x.flatten(s, e)
    if name == "movedim":
        s, d = args
        if d >= nd:
            return None
        return np.moveaxis(x, s, d) if is_numpy else x.movedim(s, d)
    if name == "expand":
        new = (args[0],) + tuple(shape)
        return np.broadcast_to(x, new) if is_numpy else x.expand(new)
    if name == "narrow":
        d, start, length = args
        if start + length > shape[d]:
            return None
        return x[(slice(None),) * d + (slice(start, start + length),)] if is_numpy else \
            x.narrow(d, start, length)
    if name == "transpose":
        a, b = args
        if not (-nd <= a < nd and -nd <= b < nd):
            return None
        return x.swapaxes(a, b) if is_numpy else x.transpose(a, b)
    if name == "diagonal":
        if nd < 2:
            return None
        return np.diagonal(x, args[0]) if is_numpy else x.diagonal(args[0])
    raise AssertionError(name)


@settings(max_examples=150, deadline=None)
@given(view_programs(), st.sampled_from(["int32", "float64", "bool"]))
def test_random_view_sequences_match_numpy_and_alias(program, dtype):
    shape, ops = program
    a = make(shape, dtype)
    x = ember.from_numpy(a)
    na, ex = a, x
    aliased = True  # ex still views x's memory, as na views a's
    for op in ops:
        nxt = apply_view_op(na, op, True)
        if nxt is None:
            break
        prev_na, prev_ex = na, ex
        na, ex = nxt, apply_view_op(ex, op, False)
        check(ex, na.copy())
        assert_in_bounds(ex)
        if op[0] != "flatten":
            assert same_storage(ex, prev_ex)
        elif na.size:  # flatten copies exactly when numpy's reshape has to
            assert same_storage(ex, prev_ex) == np.shares_memory(na, prev_na)
            aliased = aliased and same_storage(ex, prev_ex)
        else:
            aliased = False
    # The view addresses the same memory as numpy's: writes through it land where numpy's
    # view of the same array reads (unless it broadcasts, where numpy forbids writing).
    if aliased and na.size and 0 not in na.strides:
        values = np.arange(na.size).reshape(na.shape).astype(dtype)
        ex.copy_(ember.tensor(values))
        np.testing.assert_array_equal(na, values)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_random_reshape_matches_numpy(shape, data):
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    perm = data.draw(st.permutations(range(len(shape))))
    src = a.transpose(perm)
    n = src.size
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    first = data.draw(st.sampled_from(divisors))
    new = (first, -1) if data.draw(st.booleans()) else (first, n // first)
    x = ember.from_numpy(a).permute(perm)
    r = x.reshape(new)
    check(r, src.reshape(new))
    # numpy also tells whether a view was possible: a view must share ember's storage.
    try:
        v = src.view()
        v.shape = src.reshape(new).shape  # raises when numpy would need a copy
        viewable = True
    except AttributeError:
        viewable = False
    assert same_storage(r, x) == viewable
    if viewable:
        check(x.view(new), src.reshape(new))


def test_view_of_a_huge_shape_raises_instead_of_overflowing():
    x = ember.tensor(np.zeros((0,), dtype=np.float32))
    with pytest.raises(RuntimeError, match="too large"):
        x.view(2 ** 62, 4)


FUZZ_OPS = {
    "view": lambda x, a, b: x.view(a, b), "reshape": lambda x, a, b: x.reshape(a, b),
    "permute": lambda x, a, b: x.permute(a, b), "transpose": lambda x, a, b: x.transpose(a, b),
    "movedim": lambda x, a, b: x.movedim(a, b), "expand": lambda x, a, b: x.expand(a, b),
    "squeeze": lambda x, a, b: x.squeeze((a, b)), "unsqueeze": lambda x, a, b: x.unsqueeze(a),
    "flatten": lambda x, a, b: x.flatten(a, b), "unflatten": lambda x, a, b: x.unflatten(a, (b, -1)),
    "narrow": lambda x, a, b: x.narrow(a, b, 1), "select": lambda x, a, b: x.select(a, b),
    "diagonal": lambda x, a, b: x.diagonal(b, a, 0), "split": lambda x, a, b: x.split(a, b),
    "chunk": lambda x, a, b: x.chunk(a, b), "unbind": lambda x, a, b: x.unbind(a),
    "flip": lambda x, a, b: x.flip(a, b), "getitem": lambda x, a, b: x[a, ::b or 1],
    "index_select": lambda x, a, b: x.index_select(a, ember.tensor([b])),
    "cat": lambda x, a, b: ember.cat([x, x[None]], a), "stack": lambda x, a, b: ember.stack([x, x], a),
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(FUZZ_OPS)), st.lists(st.integers(0, 3), max_size=3),
       st.integers(-5, 5), st.integers(-5, 5))
def test_bad_arguments_raise_python_errors_never_crash(op, shape, a, b):
    x = ember.tensor(make(tuple(shape), "int64"))
    try:
        out = FUZZ_OPS[op](x, a, b)
    except (IndexError, RuntimeError, ValueError, TypeError):
        return
    for t in out if isinstance(out, tuple) else (out,):
        assert_in_bounds(t)
        t.contiguous().numpy()


def assert_in_bounds(t):
    """Every element a view claims lies inside its storage."""
    impl = t._impl
    if impl.numel == 0:
        return
    lo = hi = impl.storage_offset
    for size, stride in zip(impl.shape, impl.strides):
        if stride > 0:
            hi += (size - 1) * stride
        else:
            lo += (size - 1) * stride
    assert 0 <= lo and (hi + 1) * impl.itemsize <= impl.storage_nbytes


@pytest.mark.parametrize("dtype", DTYPES)
def test_contiguous_clone_copy_to_on_views(dtype, device):
    a = make((5, 6), dtype)
    x = ember.tensor(a, device=device)
    v = x[::-2, 1::2].t()
    expected = a[::-2, 1::2].T
    c = v.contiguous()
    assert c.is_contiguous() and not v.is_contiguous()
    check(c, expected)
    assert not same_storage(c, x)
    assert x.contiguous() is x
    k = v.clone()
    check(k, expected)
    assert not same_storage(k, x)
    check(v.to(ember.float64), expected.astype(np.float64))
    assert same_storage(v.to(dtype), x)  # no copy when nothing changes
    fill = make(v.shape, dtype, seed=9)
    v.copy_(ember.tensor(fill))
    a[::-2, 1::2] = fill.T
    check(x, a)
