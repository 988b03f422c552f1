"""DLPack exchange with numpy and PyTorch: zero copies, shared writes, lifetimes, capsules."""
import gc
import weakref

import numpy as np
import pytest

import ember

NP_DTYPES = [np.bool_, np.uint8, np.int32, np.int64, np.float32, np.float64]


def _sample(shape, dtype):
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    return np.asarray(a % 2 == 1) if dtype is np.bool_ else a.astype(dtype)


@pytest.mark.parametrize("dtype", NP_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (13, 7), (2, 0, 3)])
def test_numpy_to_ember_every_dtype(dtype, shape):
    a = _sample(shape, dtype)
    t = ember.from_dlpack(a)
    assert t.dtype is ember.from_numpy(a).dtype and t.shape == shape
    np.testing.assert_array_equal(t.numpy(), a)
    if a.size:
        assert t.data_ptr() == a.ctypes.data


@pytest.mark.parametrize("dtype", NP_DTYPES)
def test_ember_to_numpy_every_dtype(dtype):
    t = ember.from_numpy(_sample((3, 5), dtype)).clone()
    a = np.from_dlpack(t)
    assert a.dtype == dtype and a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, t.numpy())


def test_writes_are_visible_both_ways():
    a = np.zeros((4, 6), np.float32)
    t = ember.from_dlpack(a)
    a[1, 2] = 5
    assert t.numpy()[1, 2] == 5
    t.fill_(3)
    assert (a == 3).all()
    b = np.from_dlpack(t)
    b[0, 0] = -1
    assert a[0, 0] == -1 and t.numpy()[0, 0] == -1


@pytest.mark.parametrize("view", [lambda a: a.T, lambda a: a[::2, 1::3], lambda a: a[:, 3],
                                  lambda a: a[2:, :5].T])
def test_non_contiguous_numpy(view):
    base = np.arange(7 * 13, dtype=np.float64).reshape(7, 13)
    a = view(base)
    t = ember.from_dlpack(a)
    assert t.shape == a.shape
    assert t.stride() == tuple(s // a.itemsize for s in a.strides)
    assert t.data_ptr() == a.ctypes.data
    np.testing.assert_array_equal(t.numpy(), a)
    back = np.from_dlpack(t)
    assert back.strides == a.strides and back.ctypes.data == a.ctypes.data
    np.testing.assert_array_equal(back, a)


def test_storage_offset_survives_export():
    base = np.arange(20, dtype=np.int32)
    t = ember.from_numpy(base[5:])  # a view with a nonzero start in ember's storage
    a = np.from_dlpack(t)
    np.testing.assert_array_equal(a, base[5:])
    assert a.ctypes.data == base[5:].ctypes.data


def test_consumer_keeps_numpy_producer_alive():
    a = np.arange(1000, dtype=np.float64)
    ref = weakref.ref(a) if hasattr(a, "__weakref__") else None
    t = ember.from_dlpack(a)
    del a
    gc.collect()
    np.testing.assert_array_equal(t.numpy(), np.arange(1000, dtype=np.float64))
    del t
    gc.collect()
    if ref is not None:
        assert ref() is None  # released once the consumer is gone


def test_consumer_keeps_ember_producer_alive():
    gc.collect()
    baseline = ember.memory_stats()["allocated_bytes"]
    t = ember.arange(1000, dtype=ember.float64)
    a = np.from_dlpack(t)
    del t
    gc.collect()
    ember.zeros(1000, dtype=ember.float64)  # would reuse the freed block if it were freed
    np.testing.assert_array_equal(a, np.arange(1000, dtype=np.float64))
    assert ember.memory_stats()["allocated_bytes"] > baseline
    del a
    gc.collect()
    assert ember.memory_stats()["allocated_bytes"] == baseline


def test_unconsumed_capsule_releases_the_tensor():
    gc.collect()
    baseline = ember.memory_stats()["allocated_bytes"]
    t = ember.arange(500, dtype=ember.float64)
    for max_version in (None, (1, 0)):
        capsule = t.__dlpack__(max_version=max_version)
        del capsule
    del t
    gc.collect()
    assert ember.memory_stats()["allocated_bytes"] == baseline


def test_capsules():
    t = ember.arange(6)
    versioned = t.__dlpack__(max_version=(1, 0))
    legacy = t.__dlpack__()
    assert "dltensor_versioned" in repr(versioned) and '"dltensor"' in repr(legacy)
    for capsule in (versioned, legacy):
        u = ember.from_dlpack(capsule)
        assert u.data_ptr() == t.data_ptr()
        assert '"used_' in repr(capsule)
        with pytest.raises(ValueError, match="already consumed"):
            ember.from_dlpack(capsule)
    assert t.__dlpack_device__() == (1, 0)


def test_export_options():
    t = ember.arange(4, dtype=ember.float32)
    copied = ember.from_dlpack(t.__dlpack__(max_version=(1, 0), copy=True))
    assert copied.data_ptr() != t.data_ptr()
    np.testing.assert_array_equal(copied.numpy(), t.numpy())
    assert ember.from_dlpack(t, copy=True).data_ptr() != t.data_ptr()
    assert ember.from_dlpack(t.__dlpack__(copy=False, dl_device=(1, 0))).data_ptr() == t.data_ptr()
    with pytest.raises(BufferError):
        t.__dlpack__(dl_device=(2, 0))
    with pytest.raises(RuntimeError, match="stream"):
        t.__dlpack__(stream=1)
    with pytest.raises(RuntimeError, match="requires grad"):
        ember.ones(2, requires_grad=True).__dlpack__()


def test_read_only_producer_is_copied():
    a = np.arange(6.0)
    a.flags.writeable = False
    t = ember.from_dlpack(a)  # numpy flags the versioned capsule read-only
    assert t.data_ptr() != a.ctypes.data
    np.testing.assert_array_equal(t.numpy(), a)
    t.fill_(0)
    np.testing.assert_array_equal(a, np.arange(6.0))


def test_bad_inputs():
    with pytest.raises(TypeError, match="from_dlpack"):
        ember.from_dlpack([1, 2, 3])
    with pytest.raises(TypeError, match="unsupported"):
        ember.from_dlpack(np.zeros(3, np.complex64))
    with pytest.raises(TypeError, match="unsupported"):
        ember.from_dlpack(np.zeros(3, np.int16))
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="from_dlpack: .*(without CUDA|no CUDA device)"):
            ember.from_dlpack(np.zeros(3), device="cuda")

    class OnDevice:
        def __init__(self, kind):
            self.kind = kind

        def __dlpack_device__(self):
            return (self.kind, 0)

        def __dlpack__(self, **kwargs):
            raise AssertionError("must not be asked for a capsule")

    with pytest.raises(RuntimeError, match=r"DLPack device \(4, 0\) is not available"):
        ember.from_dlpack(OnDevice(4))  # OpenCL
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="from_dlpack: .*(without CUDA|no CUDA device)"):
            ember.from_dlpack(OnDevice(2))


def test_legacy_producer_without_max_version():
    class Legacy:
        def __init__(self, a):
            self.a = a

        def __dlpack__(self, stream=None):  # a pre-1.0 producer: no max_version keyword
            return self.a.__dlpack__()

        def __dlpack_device__(self):
            return self.a.__dlpack_device__()

    a = np.arange(5.0)
    t = ember.from_dlpack(Legacy(a))
    assert t.data_ptr() == a.ctypes.data
    np.testing.assert_array_equal(t.numpy(), a)


# -- CUDA ---------------------------------------------------------------------------------
CUDA_ONLY = pytest.mark.skipif(not ember.cuda.is_available(), reason="no CUDA device (real or "
                               "emulated) in this build")


@CUDA_ONLY
@pytest.mark.parametrize("dtype", NP_DTYPES)
def test_cuda_ember_round_trip_shares_memory(dtype):
    """An ember CUDA tensor through DLPack (kDLCUDA = 2) and back: the same device memory."""
    a = _sample((3, 5), dtype)
    t = ember.tensor(a, device="cuda")
    assert t.__dlpack_device__() == (2, 0)
    for u in (ember.from_dlpack(t), ember.from_dlpack(t.__dlpack__(max_version=(1, 0))),
              ember.from_dlpack(t.__dlpack__()), ember.from_dlpack(t.t())):
        assert u.device == ember.device("cuda:0")
    u = ember.from_dlpack(t[:, ::2])
    assert u.data_ptr() == t.data_ptr() and u.shape == (3, 3)
    np.testing.assert_array_equal(u.numpy(), a[:, ::2])
    u.fill_(1)  # writes through the import show in the producer
    expected = a.copy()
    expected[:, ::2] = 1
    np.testing.assert_array_equal(t.numpy(), expected)
    copied = ember.from_dlpack(t, copy=True)
    assert copied.device == t.device and copied.data_ptr() != t.data_ptr()


@CUDA_ONLY
def test_cuda_export_streams_devices_and_copies():
    t = ember.arange(6.0, device="cuda")
    for stream in (None, 1, 2, -1):  # ember runs on the default stream: any consumer stream
        assert ember.from_dlpack(t.__dlpack__(stream=stream)).data_ptr() == t.data_ptr()
    with pytest.raises(BufferError):
        t.__dlpack__(dl_device=(1, 0))
    moved = ember.from_dlpack(np.arange(4.0), device="cuda")
    assert moved.device.type == "cuda"
    np.testing.assert_array_equal(moved.numpy(), np.arange(4.0))
    back = ember.from_dlpack(t, device="cpu")
    assert back.device.type == "cpu"
    np.testing.assert_array_equal(back.numpy(), np.arange(6.0))
    with pytest.raises(BufferError, match="from_dlpack"):
        ember.from_dlpack(t, device="cpu", copy=False)
    with pytest.raises(RuntimeError, match="stream"):
        ember.arange(3.0).__dlpack__(stream=1)


def test_cuda_round_trip_with_torch():
    torch = pytest.importorskip("torch")
    if not (torch.cuda.is_available() and ember.cuda.is_available()
            and not ember.cuda.is_emulated()):
        pytest.skip("needs a real GPU visible to both torch and ember")
    t = ember.arange(12.0, device="cuda").reshape(3, 4)
    p = torch.from_dlpack(t)
    assert p.device.type == "cuda" and p.data_ptr() == t.data_ptr()
    p[0, 0] = 5
    assert t.numpy()[0, 0] == 5
    back = ember.from_dlpack(p.t())
    assert back.device.type == "cuda" and back.data_ptr() == t.data_ptr()
    np.testing.assert_array_equal(back.numpy(), t.numpy().T)


# -- PyTorch ------------------------------------------------------------------------------
TORCH_DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]


@pytest.mark.parametrize("name", TORCH_DTYPES)
def test_torch_round_trip(name):
    torch = pytest.importorskip("torch")
    src = torch.arange(24).reshape(4, 6).to(getattr(torch, name))
    t = ember.from_dlpack(src)
    assert t.dtype is getattr(ember, name) and t.data_ptr() == src.data_ptr()
    np.testing.assert_array_equal(t.numpy(), src.numpy())
    back = torch.from_dlpack(t)
    assert back.dtype == src.dtype and back.data_ptr() == src.data_ptr()
    assert torch.equal(back, src)


def test_torch_strided_shared_and_lifetime():
    torch = pytest.importorskip("torch")
    src = torch.arange(35, dtype=torch.float64).reshape(5, 7)
    view = src.T[1::2]
    t = ember.from_dlpack(view)
    assert t.stride() == view.stride() and t.data_ptr() == view.data_ptr()
    np.testing.assert_array_equal(t.numpy(), view.numpy())
    src[3, 1] = -7.0
    assert t.numpy()[0, 3] == -7.0
    expected = view.numpy().copy()
    del src, view
    gc.collect()
    np.testing.assert_array_equal(t.numpy(), expected)

    e = ember.arange(12, dtype=ember.float32)
    tt = torch.from_dlpack(e)
    tt[0] = 100
    assert e.numpy()[0] == 100
    del e
    gc.collect()
    ember.zeros(12)
    assert tt[0].item() == 100 and tt[11].item() == 11


def test_torch_zero_dim_and_empty():
    torch = pytest.importorskip("torch")
    t = ember.from_dlpack(torch.tensor(3.5, dtype=torch.float64))
    assert t.shape == () and t.item() == 3.5
    e = ember.from_dlpack(torch.zeros(0, 3))
    assert e.shape == (0, 3)
    assert torch.from_dlpack(ember.full((), 2)).item() == 2
