"""Random numbers: the Philox4x32-10 block function against the published known answers and
an independent pure-Python implementation, the exact element-to-counter scheme of
ember/random.h, reproducibility, thread independence and statistics."""
import math

import numpy as np
import pytest

import ember
from ember import _C

M32 = 0xFFFFFFFF


def philox_ref(counter, key):
    """Philox4x32-10 written from the paper (Salmon et al., SC 2011), independent of the C++."""
    c, k = list(counter), list(key)
    for r in range(10):
        if r:
            k = [(k[0] + 0x9E3779B9) & M32, (k[1] + 0xBB67AE85) & M32]
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k[0]) & M32, p1 & M32, ((p0 >> 32) ^ c[3] ^ k[1]) & M32,
             p0 & M32]
    return c


def block_ref(seed, index):
    return philox_ref([index & M32, index >> 32, 0, 0], [seed & M32, seed >> 32])


def words32(seed, first_block, n):
    return [block_ref(seed, first_block + i // 4)[i % 4] for i in range(n)]


def words64(seed, first_block, n):
    out = []
    for i in range(n):
        w = block_ref(seed, first_block + i // 2)
        k = i % 2
        out.append((w[2 * k] << 32) | w[2 * k + 1])
    return out


# Random123's kat_vectors for philox4x32_10: (counter, key, expected output).
KAT = [
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([M32] * 4, [M32, M32], [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    ([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0],
     [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]),
]


@pytest.mark.parametrize("counter,key,expected", KAT)
def test_philox_known_answers(counter, key, expected):
    assert philox_ref(counter, key) == expected
    assert list(_C.philox4x32(counter, key)) == expected


def test_philox_matches_reference_on_random_inputs():
    rng = np.random.default_rng(5)
    for _ in range(200):
        counter = [int(x) for x in rng.integers(0, 1 << 32, 4)]
        key = [int(x) for x in rng.integers(0, 1 << 32, 2)]
        assert list(_C.philox4x32(counter, key)) == philox_ref(counter, key)


SEED = 0x1234_5678_9ABC_DEF0


def test_rand_float32_follows_the_counter_scheme(device):
    ember.manual_seed(SEED)
    a = ember.rand(7, dtype=ember.float32, device=device).numpy()
    b = ember.rand(5, dtype=ember.float32, device=device).numpy()  # from block ceil(7 / 4) = 2
    expect_a = np.array([(w >> 8) / 2**24 for w in words32(SEED, 0, 7)], dtype=np.float32)
    expect_b = np.array([(w >> 8) / 2**24 for w in words32(SEED, 2, 5)], dtype=np.float32)
    np.testing.assert_array_equal(a, expect_a)
    np.testing.assert_array_equal(b, expect_b)


def test_rand_float64_follows_the_counter_scheme(device):
    ember.manual_seed(SEED)
    ember.rand(3, dtype=ember.float64, device=device)  # uses blocks 0, 1
    a = ember.rand(5, dtype=ember.float64, device=device).numpy()
    expect = np.array([(x >> 11) / 2**53 for x in words64(SEED, 2, 5)])
    np.testing.assert_array_equal(a, expect)


@pytest.mark.parametrize("low,high", [(0, 10), (-5, 7), (-(2**63), 2**63 - 1), (3, 4)])
def test_randint_follows_the_counter_scheme(low, high, device):
    ember.manual_seed(SEED)
    a = ember.randint(low, high, (9,), device=device).numpy()
    span = high - low
    expect = [low + ((x * span) >> 64) for x in words64(SEED, 0, 9)]
    assert a.tolist() == expect


@pytest.mark.parametrize("dtype,tol", [(ember.float32, 2e-6), (ember.float64, 1e-13)])
def test_randn_is_box_muller_of_the_stream(dtype, tol, device):
    ember.manual_seed(SEED)
    a = ember.randn(7, dtype=dtype, device=device).numpy()
    if dtype is ember.float32:
        u = [(w >> 8) for w in words32(SEED, 0, 8)]
        u1 = np.array([(x + 1) / 2**24 for x in u[0::2]])
        u2 = np.array([x / 2**24 for x in u[1::2]])
    else:
        x = words64(SEED, 0, 8)
        u1 = np.array([((v >> 11) + 1) / 2**53 for v in x[0::2]])
        u2 = np.array([(v >> 11) / 2**53 for v in x[1::2]])
    r = np.sqrt(-2 * np.log(u1))
    expect = np.stack([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)], 1).reshape(-1)
    np.testing.assert_allclose(a, expect[:7], rtol=tol, atol=tol)


def test_bernoulli_follows_the_counter_scheme(device):
    ember.manual_seed(SEED)
    a = ember.empty(11, device=device).bernoulli_(0.3).numpy()
    expect = [float(w < 0.3 * 2**32) for w in words32(SEED, 0, 11)]
    assert a.tolist() == expect


def test_same_seed_same_values_different_seed_differs():
    draws = []
    for s in (1, 1, 2):
        ember.manual_seed(s)
        draws.append(np.concatenate([ember.rand(100).numpy(), ember.randn(100).numpy(),
                                     ember.randint(0, 1000, (100,)).numpy()]))
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.array_equal(draws[0], draws[2])


def test_generator_objects_are_independent_of_the_default():
    g = ember.Generator().manual_seed(3)
    ember.manual_seed(3)
    a = ember.rand(10, generator=g).numpy()
    b = ember.rand(10).numpy()  # the default stream was not advanced by g
    np.testing.assert_array_equal(a, b)
    c = ember.rand(10, generator=g).numpy()
    assert not np.array_equal(a, c)


def test_state_round_trip():
    ember.manual_seed(11)
    ember.rand(3)
    state = ember.get_rng_state()
    assert state.dtype is ember.uint8 and state.shape == (16,)
    a = ember.randn(50).numpy()
    ember.set_rng_state(state)
    np.testing.assert_array_equal(ember.randn(50).numpy(), a)
    g = ember.Generator()
    g.set_state(state)
    assert g.initial_seed() == 11
    np.testing.assert_array_equal(ember.randn(50, generator=g).numpy(), a)


def test_seed_functions():
    assert ember.manual_seed(-1).initial_seed() == 2**64 - 1
    assert ember.manual_seed(2**64 - 1).initial_seed() == 2**64 - 1
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s
    g = ember.Generator()
    assert g.seed() == g.initial_seed()
    assert g.device == ember.device("cpu")
    assert isinstance(ember.default_generator, ember.Generator)


def test_seed_and_state_errors():
    with pytest.raises(TypeError):
        ember.manual_seed("7")
    with pytest.raises(RuntimeError):
        ember.manual_seed(2**64)
    with pytest.raises(RuntimeError):
        ember.set_rng_state(ember.zeros(15, dtype=ember.uint8))
    with pytest.raises(RuntimeError):
        ember.set_rng_state(ember.zeros(16, dtype=ember.int64))
    with pytest.raises(TypeError):
        ember.set_rng_state(np.zeros(16, np.uint8))
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="Generator: .*(without CUDA|no CUDA device)"):
            ember.Generator("cuda")
    with pytest.raises(TypeError):
        ember.rand(3, generator=np.random.default_rng())


@pytest.mark.parametrize("make", [
    lambda: ember.rand(1_000_003),
    lambda: ember.randn(1_000_003, dtype=ember.float64),
    lambda: ember.randint(-50, 50, (1_000_003,), dtype=ember.int32),
    lambda: ember.empty(1_000_003).bernoulli_(0.25),
    lambda: ember.randperm(300_007),
], ids=["rand", "randn64", "randint", "bernoulli", "randperm"])
def test_values_do_not_depend_on_thread_count(make):
    before = ember.get_num_threads()
    try:
        results = []
        for threads in (1, 2):
            ember.set_num_threads(threads)
            ember.manual_seed(42)
            results.append(make().numpy())
    finally:
        ember.set_num_threads(before)
    np.testing.assert_array_equal(results[0], results[1])


CUDA_ONLY = pytest.mark.skipif(not ember.cuda.is_available(), reason="no CUDA device (real or "
                               "emulated) in this build")


# Sizes around a Philox block (4 or 2 values) and the kernels' 256 threads: 1, primes, empty.
STREAM_SIZES = [0, 1, 3, 7, 13, 257, 1031]


@CUDA_ONLY
@pytest.mark.parametrize("n", STREAM_SIZES)
@pytest.mark.parametrize("make", [
    lambda n, d: ember.rand(n, device=d),
    lambda n, d: ember.rand(n, dtype=ember.float64, device=d),
    lambda n, d: ember.empty(n, device=d).uniform_(-3.5, 2.25),
    lambda n, d: ember.empty(n, dtype=ember.float64, device=d).uniform_(1e-3, 1e-3 + 1e-12),
    lambda n, d: ember.randint(-50, 50, (n,), dtype=ember.int32, device=d),
    lambda n, d: ember.randint(-(2**63), 2**63 - 1, (n,), device=d),
    lambda n, d: ember.empty(n, dtype=ember.uint8, device=d).random_(),
    lambda n, d: ember.empty(n, dtype=ember.bool, device=d).random_(),
    lambda n, d: ember.empty(n, dtype=ember.float32, device=d).random_(-7, 9),
    lambda n, d: ember.empty(n, dtype=ember.int64, device=d).bernoulli_(0.3),
    lambda n, d: ember.empty(n, dtype=ember.bool, device=d).bernoulli_(0.7),
    lambda n, d: ember.bernoulli(ember.linspace(0, 1, n, dtype=ember.float64, device=d)),
    lambda n, d: ember.empty(3, n, device=d).t().uniform_(),  # strided: through a buffer
    lambda n, d: ember.randperm(n, device=d),
], ids=["rand32", "rand64", "uniform32", "uniform64-narrow", "randint32", "randint64-full",
        "random-uint8", "random-bool", "random-float", "bernoulli-int", "bernoulli-bool",
        "bernoulli-tensor", "strided", "randperm"])
def test_cuda_stream_is_the_cpu_stream_bit_for_bit(make, n):
    """The same generator state gives the same bits on both devices and leaves the generator at
    the same offset; ember.cuda.manual_seed is the one generator."""
    results = []
    for device in ("cpu", "cuda"):
        ember.cuda.manual_seed(SEED)
        out = make(n, device)
        assert out.device.type == device
        results.append((out.numpy(), ember.default_generator.get_state().numpy()))
    (cpu, cpu_state), (cuda, cuda_state) = results
    assert cpu.dtype == cuda.dtype
    np.testing.assert_array_equal(cpu, cuda)
    np.testing.assert_array_equal(cpu_state, cuda_state)


@CUDA_ONLY
def test_cuda_generator_objects():
    g = ember.Generator(device="cuda")
    assert g.device == ember.device("cuda:0") and ember.Generator().device == ember.device("cpu")
    draws = []
    for device in ("cpu", "cuda"):
        g.manual_seed(11)
        draws.append(ember.randint(0, 1000, (9,), generator=g, device=device).numpy())
        draws.append(ember.rand(5, generator=g, device=device).numpy())
    np.testing.assert_array_equal(draws[0], draws[2])
    np.testing.assert_array_equal(draws[1], draws[3])
    with pytest.raises(RuntimeError, match="Generator: invalid device cuda:5"):
        ember.Generator("cuda:5")


@CUDA_ONLY
@pytest.mark.parametrize("n", STREAM_SIZES)
@pytest.mark.parametrize("dtype,tol", [(ember.float32, 1e-5), (ember.float64, 1e-12)])
def test_cuda_normal_matches_the_cpu_up_to_the_math_library(n, dtype, tol):
    """Box-Muller's log/sqrt/sin/cos differ by ulps between libm and the device."""
    results = []
    for device in ("cpu", "cuda"):
        ember.manual_seed(SEED)
        results.append((ember.randn(n, dtype=dtype, device=device).numpy(),
                        ember.normal(2.0, 3.0, (n,), dtype=dtype, device=device).numpy(),
                        ember.get_rng_state().numpy()))
    (a, b, state_a), (c, d, state_c) = results
    np.testing.assert_allclose(c, a, rtol=tol, atol=tol)
    np.testing.assert_allclose(d, b, rtol=tol, atol=3 * tol)
    np.testing.assert_array_equal(state_a, state_c)


def test_strided_output_gets_row_major_order():
    base = np.zeros((6, 5), np.float32)
    ember.manual_seed(8)
    ember.from_numpy(base.T).uniform_()
    ember.manual_seed(8)
    np.testing.assert_array_equal(base.T, ember.rand(5, 6).numpy())
    sliced = np.zeros((9, 4), np.int64)
    ember.manual_seed(9)
    ember.from_numpy(sliced[::2]).random_(0, 100)
    ember.manual_seed(9)
    np.testing.assert_array_equal(sliced[::2], ember.randint(0, 100, (5, 4)).numpy())
    assert not sliced[1::2].any()


N = 1_000_000


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_uniform_statistics(dtype):
    ember.manual_seed(1)
    x = ember.rand(N, dtype=dtype).numpy().astype(np.float64)
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.002
    assert abs(x.std() - math.sqrt(1 / 12)) < 0.002
    y = ember.empty(N, dtype=dtype).uniform_(-3, 5).numpy()
    assert y.min() >= -3 and y.max() < 5 and abs(y.mean() - 1) < 0.02


def test_uniform_never_reaches_high():
    x = ember.empty(100_000).uniform_(1.0, 1.0000001).numpy()
    assert (x >= np.float32(1.0)).all() and (x < np.float32(1.0000001)).all()
    np.testing.assert_array_equal(ember.empty(5).uniform_(2.0, 2.0).numpy(), np.full(5, 2.0))


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_normal_statistics(dtype):
    ember.manual_seed(2)
    x = ember.randn(N, dtype=dtype).numpy().astype(np.float64)
    assert abs(x.mean()) < 0.005 and abs(x.std() - 1) < 0.005
    assert abs(((x - x.mean()) ** 3).mean()) < 0.02  # skew
    assert abs((x ** 4).mean() - 3) < 0.05            # kurtosis
    y = ember.normal(2.0, 3.0, (N,), dtype=dtype).numpy()
    assert abs(y.mean() - 2) < 0.015 and abs(y.std() - 3) < 0.015
    z = ember.empty(N, dtype=dtype).normal_(-1, 0.5).numpy()
    assert abs(z.mean() + 1) < 0.003 and abs(z.std() - 0.5) < 0.003


@pytest.mark.parametrize("dtype", [ember.uint8, ember.int32, ember.int64, ember.float32,
                                   ember.float64])
def test_randint_range_and_uniformity(dtype):
    ember.manual_seed(3)
    x = ember.randint(3, 13, (N,), dtype=dtype).numpy()
    assert x.dtype == dtype._numpy
    assert x.min() == 3 and x.max() == 12
    counts = np.bincount(x.astype(np.int64) - 3, minlength=10)
    assert np.all(np.abs(counts / (N / 10) - 1) < 0.02)
    assert ember.randint(5, (3, 4)).shape == (3, 4)
    assert ember.randint(5, (3,)).dtype is ember.int64
    assert ember.randint(low=-2, high=2, size=(1000,)).numpy().min() == -2


def test_randperm_is_a_permutation():
    for n in (0, 1, 2, 7, 13, 100_000):
        p = ember.randperm(n).numpy()
        assert p.dtype == np.int64
        np.testing.assert_array_equal(np.sort(p), np.arange(n))
    ember.manual_seed(4)
    p = ember.randperm(1000, dtype=ember.int32).numpy()
    assert p.dtype == np.int32 and not np.array_equal(p, np.arange(1000))
    ember.manual_seed(4)
    np.testing.assert_array_equal(ember.randperm(1000, dtype=ember.float64).numpy(), p)


def test_bernoulli():
    ember.manual_seed(5)
    x = ember.empty(N).bernoulli_(0.3).numpy()
    assert set(np.unique(x)) <= {0.0, 1.0} and abs(x.mean() - 0.3) < 0.002
    assert not ember.empty(1000).bernoulli_(0.0).numpy().any()
    assert ember.empty(1000).bernoulli_(1.0).numpy().all()
    b = ember.empty(1000, dtype=ember.bool).bernoulli_(0.5).numpy()
    assert b.dtype == np.bool_ and 400 < b.sum() < 600
    probs = np.tile(np.array([0.0, 0.2, 1.0], np.float64), 100_000)
    y = ember.bernoulli(ember.from_numpy(probs)).numpy()
    assert y.dtype == np.float64
    assert not y[0::3].any() and y[2::3].all() and abs(y[1::3].mean() - 0.2) < 0.005
    z = ember.bernoulli(ember.zeros(2, 3), 1.0)
    assert z.shape == (2, 3) and z.numpy().all()
    strided = np.ascontiguousarray(np.tile([[0.0], [1.0]], (1, 4)).T)  # probs [0, 1] per row
    w = ember.bernoulli(ember.from_numpy(strided.T)).numpy()
    np.testing.assert_array_equal(w, strided.T)


def test_random_methods():
    ember.manual_seed(6)
    x = ember.empty(10_000, dtype=ember.int64).random_(10).numpy()
    assert x.min() == 0 and x.max() == 9
    y = ember.empty(10_000, dtype=ember.uint8).random_().numpy()
    assert y.min() == 0 and y.max() == 255
    z = ember.empty(10_000, dtype=ember.bool).random_().numpy()
    assert z.any() and not z.all()
    f = ember.empty(1000).random_(2, 5).numpy()
    assert set(np.unique(f)) == {2.0, 3.0, 4.0}


def test_like_functions():
    base = ember.zeros(3, 5, dtype=ember.float64)
    assert ember.rand_like(base).dtype is ember.float64 and ember.rand_like(base).shape == (3, 5)
    assert ember.randn_like(base, dtype=ember.float32).dtype is ember.float32
    r = ember.randint_like(base, 4)
    assert r.dtype is ember.float64 and r.numpy().max() <= 3
    r = ember.randint_like(ember.zeros(100, dtype=ember.int32), -3, 3)
    assert r.dtype is ember.int32 and r.numpy().min() >= -3 and r.numpy().max() < 3


@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (13, 7), (2, 0, 3)])
def test_shapes(shape):
    for f in (ember.rand, ember.randn):
        assert f(*shape).shape == shape
        assert f(shape).shape == shape
    assert ember.randint(0, 5, shape).shape == shape
    assert ember.normal(0.0, 1.0, shape).shape == shape


def test_errors():
    with pytest.raises(TypeError, match="uniform_"):
        ember.zeros(3, dtype=ember.int64).uniform_()
    with pytest.raises(TypeError, match="normal_"):
        ember.randn(3, dtype=ember.int32)
    with pytest.raises(RuntimeError, match="from=3"):
        ember.empty(3).uniform_(3, 1)
    with pytest.raises(RuntimeError, match="std"):
        ember.empty(3).normal_(0, -1)
    with pytest.raises(RuntimeError, match="random_"):
        ember.randint(5, 3, (3,))
    with pytest.raises(RuntimeError, match="does not fit"):
        ember.randint(0, 300, (3,), dtype=ember.uint8)
    with pytest.raises(RuntimeError, match="bernoulli_"):
        ember.empty(3).bernoulli_(1.5)
    with pytest.raises(RuntimeError, match="bernoulli"):
        ember.bernoulli(ember.full((2,), 1.5))
    with pytest.raises(TypeError, match="bernoulli"):
        ember.bernoulli(ember.zeros(2, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="randperm"):
        ember.randperm(-1)
    with pytest.raises(RuntimeError, match="randperm"):
        ember.randperm(300, dtype=ember.uint8)
    with pytest.raises(TypeError, match="randint"):
        ember.randint(5)
    with pytest.raises(TypeError, match="bounds"):
        ember.randint(0.5, 3, (2,))
    with pytest.raises(RuntimeError, match="negative"):
        ember.rand(2, -1)
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="randn: .*(without CUDA|no CUDA device)"):
            ember.randn(3, device="cuda")
    with pytest.raises(TypeError, match="normal"):
        ember.normal(ember.zeros(3), 1.0)
