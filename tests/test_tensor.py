"""The Tensor itself: construction, numpy interop, metadata, conversions, printing, errors."""
import gc
import pickle

import numpy as np
import pytest

import ember

DTYPES = [np.bool_, np.uint8, np.int32, np.int64, np.float32, np.float64]


def test_tensor_infers_pytorch_dtypes():
    assert ember.tensor([1.5, 2]).dtype is ember.float32
    assert ember.tensor([1, 2]).dtype is ember.int64
    assert ember.tensor([True, False]).dtype is ember.bool
    assert ember.tensor(3.0).dtype is ember.float32 and ember.tensor(3.0).shape == ()
    assert ember.tensor(np.arange(3.0)).dtype is ember.float64  # numpy arrays keep their dtype
    assert ember.tensor(np.arange(3, dtype=np.int32)).dtype is ember.int32
    assert ember.tensor([1, 2], dtype=ember.float64).dtype is ember.float64


@pytest.mark.parametrize("np_dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (1,), (7,), (0,), (3, 0, 2), (2, 13, 3)])
def test_tensor_copies_data(np_dtype, shape):
    a = (np.arange(int(np.prod(shape))) % 5).astype(np_dtype).reshape(shape)
    t = ember.tensor(a)
    assert t.shape == shape and t.dtype.name == np.dtype(np_dtype).name
    np.testing.assert_array_equal(t.numpy(), a)
    if a.size:
        a.flat[0] = 1 if np_dtype is not np.bool_ else not a.flat[0]
        assert t.numpy().flat[0] != a.flat[0]  # tensor() copied


@pytest.mark.parametrize("np_dtype", DTYPES)
def test_from_numpy_shares_memory_both_ways(np_dtype):
    a = np.zeros((4, 5), dtype=np_dtype)
    t = ember.from_numpy(a)
    assert t.data_ptr() == a.ctypes.data
    back = t.numpy()
    assert back.ctypes.data == a.ctypes.data
    back[1, 2] = 1
    assert a[1, 2] == 1


def test_from_numpy_keeps_array_alive_and_numpy_keeps_tensor_alive():
    t = ember.from_numpy(np.arange(10.0))
    gc.collect()
    np.testing.assert_array_equal(t.numpy(), np.arange(10.0))
    a = ember.tensor([1.0, 2.0, 3.0]).numpy()  # the tensor itself is gone
    gc.collect()
    np.testing.assert_array_equal(a, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("view", [
    lambda a: a.T, lambda a: a[::2, 1::3], lambda a: a[::-1], lambda a: a[:, ::-2],
    lambda a: a[2], lambda a: a[1:1],
])
def test_from_numpy_non_contiguous_views(view):
    base = np.arange(7 * 11, dtype=np.float32).reshape(7, 11)
    a = view(base)
    t = ember.from_numpy(a)
    assert t.shape == a.shape
    assert t.stride() == tuple(s // a.itemsize for s in a.strides)
    assert t.is_contiguous() == a.flags.c_contiguous or a.size <= 1
    np.testing.assert_array_equal(t.numpy(), a)
    c = t.contiguous()
    assert c.is_contiguous()
    np.testing.assert_array_equal(c.numpy(), a)


def test_from_numpy_rejects_unsupported():
    with pytest.raises(TypeError, match="from_numpy: unsupported numpy dtype float16"):
        ember.from_numpy(np.zeros(3, dtype=np.float16))
    with pytest.raises(TypeError, match="from_numpy: expected np.ndarray"):
        ember.from_numpy([1, 2, 3])
    with pytest.raises(TypeError, match="non-native byte order"):
        ember.from_numpy(np.zeros(3, dtype=">f4"))


def test_tensor_rejects_ragged_and_objects():
    with pytest.raises(ValueError, match="tensor: could not convert"):
        ember.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        ember.tensor({"a": 1})
    with pytest.raises(TypeError, match="cannot be constructed directly"):
        ember.Tensor([1, 2])


@pytest.mark.parametrize("src", DTYPES)
@pytest.mark.parametrize("dst", DTYPES)
def test_to_dtype_matches_numpy_astype(src, dst):
    a = np.array([0, 1, 2, 7, 100, 255], dtype=np.float64).astype(src)
    t = ember.from_numpy(a).to(_ember_dtype(dst))
    np.testing.assert_array_equal(t.numpy(), a.astype(dst))
    strided = ember.from_numpy(a[::-2]).to(_ember_dtype(dst))
    np.testing.assert_array_equal(strided.numpy(), a[::-2].astype(dst))


def _ember_dtype(np_dtype):
    return getattr(ember, np.dtype(np_dtype).name)


def test_to_returns_self_when_nothing_changes_and_copies_on_request():
    t = ember.tensor([1.0, 2.0])
    assert t.to(ember.float32) is t and t.to("cpu") is t and t.cpu() is t
    c = t.to(ember.float32, copy=True)
    assert c is not t and c.data_ptr() != t.data_ptr()
    assert t.double().dtype is ember.float64 and t.long().dtype is ember.int64
    assert t.to(ember.tensor([1], dtype=ember.int32)).dtype is ember.int32
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="to: (ember was built without CUDA|no CUDA device)"):
            t.to("cuda")
    with pytest.raises(RuntimeError, match="expected 'cpu' or 'cuda'"):
        t.to(ember.device("tpu"))


def test_metadata():
    t = ember.from_numpy(np.zeros((2, 3, 4), dtype=np.float64))
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple) and repr(t.shape) == "ember.Size([2, 3, 4])"
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.dim() == t.ndim == 3 and t.numel() == 24 and t.shape.numel() == 24
    assert t.stride() == (12, 4, 1) and t.stride(0) == 12
    assert t.element_size() == 8 and t.nbytes == 192
    assert t.device == ember.device("cpu") and t.device == "cpu" and str(t.device) == "cpu"
    assert len(t) == 2 and t.is_floating_point() and not t.is_cuda
    with pytest.raises(IndexError, match=r"size: dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)"):
        t.size(3)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(ember.tensor(1.0))


def test_item_and_conversions():
    assert ember.tensor(2.5).item() == 2.5 and isinstance(ember.tensor(2.5).item(), float)
    assert ember.tensor([7]).item() == 7 and isinstance(ember.tensor([7]).item(), int)
    assert float(ember.tensor([1.5])) == 1.5 and int(ember.tensor(3)) == 3
    assert ember.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert [3, 4, 5][ember.tensor(1)] == 4  # __index__
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to a scalar"):
        ember.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ember.tensor([1.0, 2.0]))
    assert np.asarray(ember.tensor([1.0, 2.0])).dtype == np.float32


def test_repr_looks_like_pytorch():
    assert repr(ember.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ember.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
    assert repr(ember.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ember.tensor([1, 2], dtype=ember.int32)) == "tensor([1, 2], dtype=ember.int32)"
    assert repr(ember.tensor(np.zeros((0, 3)))) == "tensor([], size=(0, 3), dtype=ember.float64)"
    assert repr(ember.tensor([True, False])) == "tensor([ True, False])"
    assert repr(ember.tensor([1.0]).requires_grad_()) == "tensor([1.], requires_grad=True)"


def test_requires_grad_fields():
    t = ember.tensor([1.0, 2.0])
    assert t.requires_grad is False and t.grad is None and t.is_leaf
    assert t.requires_grad_() is t and t.requires_grad
    with pytest.raises(RuntimeError, match="can't call numpy\\(\\) on a tensor that requires grad"):
        t.numpy()
    assert t.detach().requires_grad is False and t.detach().data_ptr() == t.data_ptr()
    with pytest.raises(RuntimeError, match="only floating-point tensors can require gradients"):
        ember.tensor([1, 2]).requires_grad_()


def test_pickle_round_trip():
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ember.float64)
    u = pickle.loads(pickle.dumps(t))
    assert u.dtype is ember.float64
    np.testing.assert_array_equal(u.numpy(), t.numpy())


def test_copy_broadcasts_and_converts():
    dst = ember.from_numpy(np.zeros((3, 4), dtype=np.int32))
    dst.copy_(ember.tensor([1.7, 2.2, 3.9, -4.5]))
    np.testing.assert_array_equal(dst.numpy(), np.tile(np.array([1, 2, 3, -4], np.int32), (3, 1)))
    with pytest.raises(ValueError, match=r"copy_: source of shape \(5,\) cannot be broadcast to destination of shape \(3, 4\)"):
        dst.copy_(ember.tensor([1, 2, 3, 4, 5]))


def test_large_copy_is_correct_with_threads():
    a = np.random.default_rng(0).standard_normal((513, 1031)).astype(np.float32)
    for n in (1, 2):
        ember.set_num_threads(n)
        np.testing.assert_array_equal(ember.from_numpy(a.T).contiguous().numpy(), a.T)
    assert ember.get_num_threads() == 2
    with pytest.raises(ValueError, match="set_num_threads: expected a positive number"):
        ember.set_num_threads(0)


def test_dtypes_and_promotion():
    assert repr(ember.float32) == "ember.float32" and ember.float is ember.float32
    assert ember.promote_types(ember.int32, ember.float32) is ember.float32
    assert ember.promote_types(ember.uint8, ember.int32) is ember.int32
    assert ember.promote_types(ember.bool, ember.uint8) is ember.uint8
    assert pickle.loads(pickle.dumps(ember.float64)) is ember.float64
    assert ember.get_default_dtype() is ember.float32
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1.5]).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    with pytest.raises(TypeError, match="only floating-point types"):
        ember.set_default_dtype(ember.int64)


def test_devices():
    assert ember.device("cuda:1").index == 1 and ember.device("cuda", 2) == "cuda:2"
    assert repr(ember.device("cpu")) == "device(type='cpu')"
    with pytest.raises(RuntimeError, match="invalid device string"):
        ember.device("cuda:x")
    assert ember.cuda.is_available() in (True, False)


def test_caching_allocator_reuses_freed_blocks():
    ember.empty_cache()
    before = ember.memory_stats()
    for _ in range(5):
        t = ember.from_numpy(np.ones(1 << 20, dtype=np.float32)).clone()
        del t
    after = ember.memory_stats()
    assert after["num_system_allocs"] - before["num_system_allocs"] == 1
    assert after["num_cache_hits"] - before["num_cache_hits"] == 4
    assert after["cached_bytes"] >= 4 << 20
    ember.empty_cache()
    assert ember.memory_stats()["cached_bytes"] == 0


def test_show_config(capsys):
    ember.show_config()
    out = capsys.readouterr().out
    assert out.startswith(f"ember {ember.__version__}")
    for key in ("compiler:", "CUDA:", "OpenMP:", "CPU:", "threads:"):
        assert key in out
