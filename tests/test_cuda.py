"""ember.cuda: devices, the device caching allocator, host/device copies, and what a build
without a usable device answers. The device tests run on a real GPU or on the SIMT emulator
(EMBER_CUDA=EMULATE); the others check the answers of a build or machine without one."""
import numpy as np
import pytest

import ember

needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="needs a CUDA device (real or emulated)")
without_cuda = pytest.mark.skipif(ember.cuda.is_available(), reason="a CUDA device is present")


def test_build_config_and_availability_agree():
    mode = ember._C.build_config()["cuda"]
    assert mode in ("off", "on", "emulated")
    if mode == "off":
        assert not ember.cuda.is_available() and ember.cuda.device_count() == 0
        assert ember.cuda.unavailable_reason() == "ember was built without CUDA"
    if mode == "emulated":
        assert ember.cuda.is_available() and ember.cuda.is_emulated()
    assert ember.cuda.is_available() == (ember.cuda.device_count() > 0)


@without_cuda
def test_without_a_device_every_query_answers_and_moves_raise():
    assert ember.cuda.device_count() == 0
    for call in (ember.cuda.synchronize, ember.cuda.get_device_name, ember.cuda.memory_allocated):
        with pytest.raises(RuntimeError, match=ember.cuda.unavailable_reason()):
            call()
    with pytest.raises(RuntimeError, match="to: "):
        ember.ones(3).cuda()
    with pytest.raises(RuntimeError):
        ember.zeros(2, device="cuda")


@needs_cuda
def test_device_queries():
    assert ember.cuda.device_count() >= 1
    assert isinstance(ember.cuda.get_device_name(), str) and ember.cuda.get_device_name()
    ember.cuda.synchronize()
    with pytest.raises(RuntimeError, match="invalid device cuda:99"):
        ember.cuda.get_device_name(99)
    with pytest.raises(RuntimeError, match="invalid device cuda:99"):
        ember.ones(2).to("cuda:99")


@needs_cuda
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("shape", [(), (1,), (0,), (7,), (13, 5), (2, 3, 4)])
def test_round_trip_keeps_values_dtype_and_device(dtype, shape):
    a = (np.arange(int(np.prod(shape))) % 7).astype(dtype).reshape(shape)
    t = ember.from_numpy(a).cuda()
    assert t.device == ember.device("cuda:0") and t.is_cuda and t.dtype.name == dtype
    back = t.cpu()
    assert back.device == "cpu"
    np.testing.assert_array_equal(back.numpy(), a)
    assert t.cuda() is t and back.cpu() is back


@needs_cuda
def test_non_contiguous_sources_and_destinations_across_devices():
    a = np.arange(7 * 11, dtype=np.float64).reshape(7, 11)
    for view in (a.T, a[::2, 1::3], a[::-1, ::-2]):
        np.testing.assert_array_equal(ember.from_numpy(view).cuda().cpu().numpy(), view)
    dst = ember.zeros(3, 4, dtype=ember.int32, device="cuda")
    dst.copy_(ember.tensor([1.5, 2.5, -3.5, 4.0]))  # CPU float64 -> CUDA int32, broadcast
    np.testing.assert_array_equal(dst.cpu().numpy(), np.tile(np.array([1, 2, -3, 4], np.int32), (3, 1)))
    host = ember.zeros(4, 3, dtype=ember.float64)
    host.T.copy_(dst)  # CUDA -> a transposed CPU view, with a cast
    np.testing.assert_array_equal(host.numpy().T, dst.cpu().numpy())


@needs_cuda
def test_caching_allocator_reuses_device_blocks():
    ember.cuda.empty_cache()
    before = ember.cuda.memory_stats()
    for _ in range(4):
        t = ember.zeros(1 << 16, device="cuda")
        assert ember.cuda.memory_allocated() >= (1 << 18)
        del t
    after = ember.cuda.memory_stats()
    assert after["num_system_allocs"] - before["num_system_allocs"] == 1
    assert after["num_cache_hits"] - before["num_cache_hits"] == 3
    assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated() + (1 << 18)
    assert ember.cuda.max_memory_allocated() >= (1 << 18)
    ember.cuda.empty_cache()
    assert ember.cuda.memory_stats()["cached_bytes"] == 0


@needs_cuda
def test_ops_run_on_the_device_and_match_the_cpu():
    ember.manual_seed(3)
    x = ember.randn(37, 19, device="cuda")
    y = (x * 2 + 1).exp().sum(dim=1)
    assert y.device == "cuda:0"
    xc = x.cpu()
    np.testing.assert_allclose(y.cpu().numpy(), (xc * 2 + 1).exp().sum(dim=1).numpy(), rtol=1e-5)
