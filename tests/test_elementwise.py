"""Elementwise ops against numpy: values over dtypes, awkward shapes and layouts, every SIMD
variant and every device (cuda too when available, real or emulated), PyTorch's dtype
promotion, scalars, in-place semantics and errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import ember
from ember import _C
from conftest import CAPABILITIES, DEVICES

DTYPES = ("bool", "uint8", "int32", "int64", "float32", "float64")
FLOATS = ("float32", "float64")
INTS = ("uint8", "int32", "int64")
RTOL = {"float32": 1e-6, "float64": 1e-12}
SHAPES = [(), (1,), (7,), (13, 7), (0,), (3, 0), (2, 3, 5), (100_003,)]
LAYOUTS = ("contiguous", "transposed", "strided")
CUDA = ember.cuda.is_available()


@pytest.fixture(params=[("cpu", c) for c in CAPABILITIES] + [(d, None) for d in DEVICES[1:]],
                ids=lambda p: p[1] or p[0])
def variant(request):
    """Runs a test on every CPU instruction-set variant and on every other device; gives the
    device."""
    device, capability = request.param
    if capability is None:
        yield device
        return
    before = _C.cpu_capability()
    _C.set_cpu_capability(capability)
    yield device
    _C.set_cpu_capability(before)


def values(shape, dtype, rng, low=-50, high=50):
    return np.asarray(_values(shape, dtype, rng, low, high))


def _values(shape, dtype, rng, low, high):
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype == "uint8":
        return rng.integers(0, high, shape).astype(np.uint8)
    if dtype in INTS:
        return rng.integers(low, high, shape).astype(dtype)
    return (rng.standard_normal(shape) * 3).astype(dtype)


def layout(a, kind):
    """The same values as a, as a numpy view with the given memory layout."""
    a = np.asarray(a)
    if a.ndim == 0 or kind == "contiguous":
        return a
    if kind == "transposed":
        return np.ascontiguousarray(a.T).T
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    wide[..., ::2] = a
    return wide[..., ::2]


def on(a, device="cpu", kind="contiguous"):
    """The values of numpy array a as a tensor on device with the given memory layout; off the
    CPU the views are made on the device (a contiguous block is moved, then viewed)."""
    a = np.asarray(a)
    if device == "cpu":
        return ember.from_numpy(layout(a, kind))
    if a.ndim == 0 or kind == "contiguous":
        return ember.from_numpy(a.copy(order="C")).to(device)
    if kind == "transposed":
        return ember.from_numpy(np.ascontiguousarray(a.T)).to(device).permute(
            *reversed(range(a.ndim)))
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    wide[..., ::2] = a
    return ember.from_numpy(wide).to(device)[..., ::2]


def check(result, expected, dtype=None):
    out = result.numpy()
    assert out.dtype == expected.dtype, (out.dtype, expected.dtype)
    assert out.shape == expected.shape
    if dtype in RTOL:
        np.testing.assert_allclose(out, expected, rtol=RTOL[dtype], atol=1e-30, equal_nan=True)
    else:
        np.testing.assert_array_equal(out, expected)


def sigmoid_ref(x):
    """In the form that keeps tiny results for very negative x."""
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x < 0, e, 1) / (1 + e)


# (name, numpy reference evaluated in float64, input domain)
FLOAT_UNARY = [
    ("exp", np.exp, "any"), ("log", np.log, "positive"), ("log1p", np.log1p, "positive"),
    ("expm1", np.expm1, "any"), ("sqrt", np.sqrt, "positive"),
    ("rsqrt", lambda x: 1 / np.sqrt(x), "positive"), ("sin", np.sin, "any"),
    ("cos", np.cos, "any"), ("tanh", np.tanh, "any"), ("sigmoid", sigmoid_ref, "any"),
    ("reciprocal", lambda x: 1 / x, "positive"), ("relu", lambda x: np.maximum(x, 0), "any"),
    ("neg", np.negative, "any"), ("abs", np.abs, "any"), ("sign", np.sign, "any"),
    ("floor", np.floor, "any"), ("ceil", np.ceil, "any"), ("round", np.round, "any"),
    ("trunc", np.trunc, "any"), ("square", np.square, "any"),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,ref,domain", FLOAT_UNARY, ids=[u[0] for u in FLOAT_UNARY])
def test_float_unary(variant, name, ref, domain, dtype):
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        for kind in LAYOUTS:
            a = values(shape, dtype, rng)
            if domain == "positive":
                a = np.abs(a) + np.asarray(0.01, dtype)
            expected = ref(a.astype(np.float64)).astype(dtype)
            check(getattr(ember, name)(on(a, variant, kind)), expected, dtype)


SPECIALS = [0.0, -0.0, 1e-30, -1e-30, 1e-310, 1e-45, 0.5, -0.5, 20.0, -20.0, 88.5, -88.5, 100.0,
            -100.0, 700.0, -700.0, 710.0, -745.0, 1e300, -1e300, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,ref", [("exp", np.exp), ("log", np.log), ("tanh", np.tanh),
                                      ("sigmoid", sigmoid_ref), ("expm1", np.expm1),
                                      ("log1p", np.log1p)])
def test_vector_math_special_values_and_ulps(variant, name, ref, dtype):
    with np.errstate(all="ignore"):
        special = np.array(SPECIALS, dtype)
        sweep = np.linspace(-750, 750, 300_001).astype(dtype)
        fine = np.linspace(-3, 3, 100_001).astype(dtype)
        a = np.concatenate([special, sweep, fine, np.abs(fine)])
        if name == "log":
            a = np.abs(a)
        if name == "log1p":
            a = np.concatenate([np.abs(a), np.array([-1, -0.75, -0.5, -1e-3, -2], dtype),
                                -np.abs(fine) / 3])
        expected = ref(a.astype(np.float64)).astype(dtype)
        out = getattr(ember, name)(on(a, variant)).numpy()
    both_nan = np.isnan(out) & np.isnan(expected)
    assert np.array_equal(out[~np.isfinite(expected)], expected[~np.isfinite(expected)],
                          equal_nan=True)
    finite = np.isfinite(expected) & ~both_nan & (np.abs(expected) >= np.finfo(dtype).tiny)
    err = np.abs(out[finite].astype(np.float64) - expected[finite]) / np.abs(expected[finite])
    assert err.max() <= 3 * np.finfo(dtype).eps, err.max() / np.finfo(dtype).eps
    # Subnormal results are rounded once, not flushed to zero.
    tiny = np.isfinite(expected) & (np.abs(expected) < np.finfo(dtype).tiny)
    np.testing.assert_allclose(out[tiny], expected[tiny], rtol=0,
                               atol=2 * np.finfo(dtype).smallest_subnormal)


@pytest.mark.parametrize("dtype", INTS + ("bool",))
@pytest.mark.parametrize("name,ref", [("neg", np.negative), ("abs", np.abs), ("sign", np.sign),
                                      ("square", np.square), ("relu", lambda x: np.maximum(x, 0)),
                                      ("floor", np.floor), ("ceil", np.ceil),
                                      ("round", np.round), ("trunc", np.trunc),
                                      ("bitwise_not", np.invert)])
def test_integer_unary(device, name, ref, dtype):
    rng = np.random.default_rng(1)
    for shape in SHAPES[:7]:
        a = values(shape, dtype, rng)
        if dtype == "bool" and name in ("neg", "relu", "abs", "floor", "ceil", "round", "trunc"):
            with pytest.raises(TypeError, match=name):
                getattr(ember, name)(on(a, device))
            continue
        if name in ("floor", "ceil", "round", "trunc") or (dtype, name) == ("bool", "sign"):
            expected = a  # numpy gives floats (or nothing for bool); PyTorch keeps the input
        else:
            expected = ref(a).astype("int64" if (dtype, name) == ("bool", "square") else dtype)
        check(getattr(ember, name)(on(a, device, "strided")), expected)


@pytest.mark.parametrize("dtype", ("bool",) + INTS)
@pytest.mark.parametrize("name", ["exp", "log1p", "sqrt", "sigmoid", "reciprocal"])
def test_float_functions_of_integers_give_float32(device, name, dtype):
    a = values((13,), dtype, np.random.default_rng(2))
    if dtype != "bool":
        a = np.abs(a).astype(dtype)
    out = getattr(ember, name)(on(a, device))
    assert out.dtype == ember.float32
    ref = {u[0]: u[1] for u in FLOAT_UNARY}[name]
    with np.errstate(divide="ignore"):
        check(out, ref(a.astype(np.float64)).astype(np.float32), "float32")


@pytest.mark.parametrize("dtype", DTYPES)
def test_predicates(device, dtype):
    a = values((7, 3), dtype, np.random.default_rng(3))
    if dtype in FLOATS:
        a = a.copy()
        a[0] = [np.nan, np.inf, -np.inf]
    for name, ref in [("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite),
                      ("logical_not", np.logical_not)]:
        check(getattr(ember, name)(on(a, device, "transposed")), ref(a))


# --- binary -------------------------------------------------------------------------------------

SHAPE_PAIRS = [((), (7,)), ((7,), ()), ((), ()), ((13, 7), (7,)), ((13, 1), (1, 7)),
               ((2, 3, 5), (3, 1)), ((0,), (1,)), ((3, 0), (3, 1)), ((5, 7), (5, 7)),
               ((100_003,), (100_003,)), ((100_003,), (1,))]

NP_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "maximum": np.maximum,
             "minimum": np.minimum, "floor_divide": np.floor_divide,
             "remainder": np.remainder, "pow": np.power, "eq": np.equal, "ne": np.not_equal,
             "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
             "logical_and": np.logical_and, "logical_or": np.logical_or,
             "logical_xor": np.logical_xor}


def binary_inputs(op, dtype, sa, sb, rng):
    a, b = values(sa, dtype, rng), values(sb, dtype, rng)
    if op in ("floor_divide", "remainder"):
        b = np.where(b == 0, np.asarray(3, dtype), b)
    if op == "pow":
        a = values(sa, dtype, rng, -4, 5)
        b = np.abs(values(sb, dtype, rng, 0, 6)).astype(dtype)
        if dtype in FLOATS:
            a = np.abs(a) + np.asarray(0.5, dtype)
    return np.asarray(a), np.asarray(b)


@pytest.mark.parametrize("op,dtype", [
    (op, dtype) for op in NP_BINARY for dtype in DTYPES
    if not (dtype == "bool" and op in ("sub", "floor_divide", "remainder", "pow"))])
def test_binary_matches_numpy(device, op, dtype):
    rng = np.random.default_rng(4)
    for sa, sb in SHAPE_PAIRS:
        for kind in ("contiguous", "strided"):
            a, b = binary_inputs(op, dtype, sa, sb, rng)
            with np.errstate(all="ignore"):
                expected = NP_BINARY[op](a, b)
            out = getattr(ember, op)(on(a, device, kind), on(b, device))
            check(out, expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "minimum", "lt", "eq"])
def test_float_binary_every_variant(variant, op, dtype):
    ref = {"div": np.divide, **NP_BINARY}[op]
    rng = np.random.default_rng(5)
    for sa, sb in SHAPE_PAIRS + [((1,), (100_003,))]:
        for kind in LAYOUTS:
            a, b = values(sa, dtype, rng), values(sb, dtype, rng)
            a = a.copy()
            a.reshape(-1)[:1] = np.nan  # NaN propagates through maximum/minimum
            out = getattr(ember, op)(on(a, variant, kind), on(b, variant, kind))
            check(out, ref(a, b), dtype)


@pytest.mark.parametrize("dtype", ("bool",) + INTS)
@pytest.mark.parametrize("op,ref", [("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or),
                                    ("bitwise_xor", np.bitwise_xor)])
def test_bitwise(device, op, ref, dtype):
    rng = np.random.default_rng(6)
    a, b = values((13, 7), dtype, rng), values((7,), dtype, rng)
    check(getattr(ember, op)(on(a, device), on(b, device)), ref(a, b))
    with pytest.raises(TypeError, match=op):
        getattr(ember, op)(on(a.astype(np.float32), device), on(b, device))


@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_division_modes(device, dtype):
    rng = np.random.default_rng(7)
    a, b = values((13, 7), dtype, rng), values((7,), dtype, rng)
    b = np.where(b == 0, np.asarray(7, dtype), b)
    ta, tb = on(a, device), on(b, device)
    check(ember.div(ta, tb), (a / b).astype(dtype if dtype in FLOATS else "float32"),
          dtype if dtype in FLOATS else "float32")
    check(ember.true_divide(ta, tb), ember.div(ta, tb).numpy())
    check(ember.div(ta, tb, rounding_mode="floor"), np.floor_divide(a, b), dtype)
    trunc = np.trunc(a.astype(np.float64) / b).astype(dtype)
    check(ember.div(ta, tb, rounding_mode="trunc"), trunc, dtype)
    check(ta / tb, ember.div(ta, tb).numpy())
    check(ta // tb, np.floor_divide(a, b), dtype)
    check(ta % tb, np.remainder(a, b), dtype)


def test_integer_division_by_zero_and_overflow_do_not_crash(device):
    a = ember.tensor([7, -7, 3]).to(device)
    for fn in (lambda: a % 0, lambda: ember.div(a, 0, rounding_mode="trunc"),
               lambda: ember.div(a, 0, rounding_mode="floor"), lambda: a // 0):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fn()
    # A zero in a divisor tensor: the CPU raises; a CUDA kernel cannot and, as PyTorch's, reports
    # nothing (cuda/elementwise.h), writing 0 there.
    divisor = ember.tensor([2, 0, -2]).to(device)
    for fn, valid in [(lambda: a // divisor, [3, -2]), (lambda: a % divisor, [1, -1]),
                      (lambda: ember.div(a, divisor, rounding_mode="trunc"), [3, -1])]:
        if device == "cpu":
            with pytest.raises(RuntimeError, match="ZeroDivisionError"):
                fn()
        else:
            assert fn().tolist() == [valid[0], 0, valid[1]]
    for dtype in ("int32", "int64"):
        low = np.iinfo(dtype).min
        t = on(np.array([low, 5], dtype), device)
        assert (t // -1).tolist() == [low, -5]
        assert (t % -1).tolist() == [0, 0]
        assert ember.div(t, -1, rounding_mode="trunc").tolist() == [low, -5]
    f = ember.tensor([1.0, -1.0, 0.0]).to(device) / 0.0
    assert f.tolist()[:2] == [np.inf, -np.inf] and np.isnan(f.tolist()[2])


def test_integer_pow(device):
    a = ember.tensor([2, -3, 0]).to(device)
    assert (a ** 3).tolist() == [8, -27, 0]
    assert (2 ** ember.tensor([0, 1, 10]).to(device)).tolist() == [1, 2, 1024]
    three = ember.tensor([3]).to(device)
    assert (three ** 64).dtype == ember.int64  # wraps like numpy and PyTorch
    assert (three ** 64).tolist() == [np.int64(3) ** np.int64(64)]
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        a ** -1
    exponents = ember.tensor([1, -2, 1]).to(device)
    if device == "cpu":
        with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
            a ** exponents
    else:  # a CUDA kernel cannot raise: 0 there (cuda/elementwise.h)
        assert (a ** exponents).tolist() == [2, 0, 0]
    with np.errstate(invalid="ignore"):
        expected = np.array([2, -3, 0], np.float32) ** np.float32(0.5)
    check(a ** 0.5, expected, "float32")


def test_bool_arithmetic_errors(device):
    t = ember.tensor([True, False]).to(device)
    with pytest.raises(TypeError, match="Subtraction, the `-` operator, with a bool tensor"):
        t - t
    with pytest.raises(TypeError, match="Subtraction, the `-` operator, with a bool tensor"):
        ember.tensor([1, 2]).to(device) - t
    with pytest.raises(TypeError, match="Negation, the `-` operator, on a bool tensor"):
        -t
    with pytest.raises(TypeError, match="floor_divide"):
        t // t
    assert (t + t).tolist() == [True, False] and (t + t).dtype == ember.bool
    assert (t * t).tolist() == [True, False]
    assert (t ** False).tolist() == [True, True] and (t ** True).tolist() == [True, False]


# --- dtype promotion -----------------------------------------------------------------------------

PROMOTION = [  # (a dtype, a shape, b dtype, b shape, PyTorch's result dtype for a + b)
    ("float32", (3,), "float64", (), "float32"),
    ("int32", (3,), "int64", (), "int32"),
    ("uint8", (3,), "int64", (), "uint8"),
    ("int32", (3,), "float64", (), "float64"),
    ("bool", (3,), "int32", (), "int32"),
    ("bool", (3,), "uint8", (3,), "uint8"),
    ("float32", (), "float64", (), "float64"),
    ("uint8", (3,), "int32", (3,), "int32"),
    ("int64", (3,), "float32", (3,), "float32"),
    ("int32", (3,), "float64", (3,), "float64"),
    ("float32", (3,), "float64", (3,), "float64"),
]


@pytest.mark.parametrize("da,sa,db,sb,expected", PROMOTION)
def test_promotion(device, da, sa, db, sb, expected):
    a = on(np.ones(sa, da), device)
    b = on(np.ones(sb, db), device)
    outs = (a + b, b + a, ember.maximum(a, b), ember.where(ember.tensor(True), a, b))
    for out, value in zip(outs, (2, 2, 1, 1)):
        assert out.dtype == getattr(ember, expected)
        assert out.device.type == device
        np.testing.assert_array_equal(out.numpy(), np.full(np.broadcast_shapes(sa, sb), value))
    assert ember.result_type(a, b) == getattr(ember, expected)
    assert (a < b).dtype == ember.bool


SCALARS = [  # (tensor dtype, scalar, PyTorch's result dtype of tensor + scalar)
    ("int64", 2.5, "float32"), ("int32", 2, "int32"), ("uint8", 1, "uint8"),
    ("bool", 1, "int64"), ("bool", True, "bool"), ("bool", 1.5, "float32"),
    ("float64", 2.5, "float64"), ("float32", 2, "float32"), ("float32", np.float64(2.0), "float32"),
    ("int32", np.int64(3), "int32"),
]


@pytest.mark.parametrize("dtype,scalar,expected", SCALARS)
def test_scalar_operands(device, dtype, scalar, expected):
    a = np.array([1, 0, 3], dtype)
    t = on(a, device)
    expected_dtype = getattr(ember, expected)
    np_value = np.asarray(scalar, expected)
    for out, ref in [(t + scalar, a.astype(expected) + np_value),
                     (scalar + t, np_value + a.astype(expected)),
                     (t * scalar, a.astype(expected) * np_value)]:
        assert out.dtype == expected_dtype
        np.testing.assert_array_equal(out.numpy(), ref)
    if dtype != "bool":  # PyTorch refuses subtraction with any bool operand
        np.testing.assert_allclose((scalar - t).numpy(), np_value - a.astype(expected))
        np.testing.assert_allclose((t - scalar).numpy(), a.astype(expected) - np_value)


def test_reflected_and_true_division_of_scalars(device):
    t = ember.tensor([1.0, 2.0, 4.0]).to(device)
    i = ember.tensor([1, 2, 4]).to(device)
    np.testing.assert_allclose((1 / t).numpy(), [1, 0.5, 0.25])
    assert (1 / i).dtype == ember.float32 and (i / 2).tolist() == [0.5, 1.0, 2.0]
    assert (7 // i).tolist() == [7, 3, 1] and (7 % i).tolist() == [0, 1, 3]
    assert (2 ** t).tolist() == [2.0, 4.0, 16.0] and (t ** 2).tolist() == [1.0, 4.0, 16.0]
    assert (3 > t).tolist() == [True, True, False] and (t == 2).tolist() == [False, True, False]
    assert (t != 2.0).tolist() == [True, False, True]
    assert ember.add(t, i, alpha=2).tolist() == [3.0, 6.0, 12.0]
    assert ember.sub(i, 1, alpha=2).tolist() == [-1, 0, 2]
    with pytest.raises(TypeError, match="alpha"):
        ember.add(i, i, alpha=0.5)


def test_numpy_array_defers_to_tensor():
    t = ember.tensor([1.0, 2.0])
    a = np.array([10.0, 20.0])
    for out, ref in [(a + t, [11.0, 22.0]), (a - t, [9.0, 18.0]), (a * t, [10.0, 40.0]),
                     (a / t, [10.0, 10.0])]:
        assert isinstance(out, ember.Tensor)
        assert out.tolist() == ref
    assert isinstance(a < t, ember.Tensor)


def test_equality_with_unsupported_types_is_python_identity():
    t = ember.tensor([1.0])
    assert (t == None) is False  # noqa: E711
    assert t != "x"
    with pytest.raises(TypeError):
        t + "x"
    with pytest.raises(TypeError, match="exp: argument 'input' must be Tensor"):
        ember.exp([1.0, 2.0])
    with pytest.raises(TypeError, match="add: unsupported operand type"):
        ember.add(t, object())


# --- where, clamp, round -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_where(variant, dtype):
    rng = np.random.default_rng(8)
    for sc, sa, sb in [((13, 7), (13, 7), (13, 7)), ((13, 1), (7,), ()), ((), (5,), (5,)),
                       ((0, 3), (3,), (1,)), ((100_003,), (100_003,), (1,))]:
        c, a, b = rng.random(sc) > 0.5, values(sa, dtype, rng), values(sb, dtype, rng)
        out = ember.where(on(c, variant, "strided"), on(a, variant, "transposed"),
                          on(b, variant))
        check(out, np.where(c, a, b), dtype)
    a = values((4,), dtype, rng)
    zero = False if dtype == "bool" else 0
    out = ember.where(on(np.array([True, False, True, False]), variant), on(a, variant), zero)
    check(out, np.where([True, False, True, False], a, np.zeros((), dtype)), dtype)


def test_where_scalars_and_errors(device):
    c = ember.tensor([True, False]).to(device)
    assert ember.where(c, 1.0, 0).tolist() == [1.0, 0.0]
    assert ember.where(c, 1.0, 0).dtype == ember.float32
    assert ember.where(c, 1.0, 0).device.type == device
    x = ember.tensor([1, 2]).to(device)
    assert x.where(c, ember.tensor([5, 6]).to(device)).tolist() == [1, 6]
    assert x.where(ember.tensor(False), 7).tolist() == [7, 7]  # a 0-d CPU condition
    with pytest.raises(TypeError, match="where: expected condition to be a bool tensor"):
        ember.where(ember.tensor([1, 0]).to(device), x, x)
    with pytest.raises(ValueError, match=r"where: shapes \(2,\) and \(3,\) cannot be broadcast"):
        ember.where(c, x, ember.tensor([1, 2, 3]).to(device))


@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_clamp(device, dtype):
    rng = np.random.default_rng(9)
    a = values((13, 7), dtype, rng)
    t = on(a, device, "transposed")
    check(ember.clamp(t, 2, 20), np.clip(a, 2, 20), dtype)
    check(ember.clamp(t, min=5), np.maximum(a, np.asarray(5, dtype)), dtype)
    check(t.clamp(max=5), np.minimum(a, np.asarray(5, dtype)), dtype)
    lo, hi = values((7,), dtype, rng), values((13, 1), dtype, rng)
    check(ember.clip(t, on(lo, device), on(hi, device)),
          np.minimum(np.maximum(a, lo), hi), dtype)
    check(ember.clamp(t, 10, 3), np.full(a.shape, 3, dtype), dtype)  # min > max gives max


def test_clamp_promotion_nan_and_errors(device):
    i = ember.tensor([1, 5]).to(device)
    assert ember.clamp(i, 0.5, 2).tolist() == [1.0, 2.0]
    assert ember.clamp(i, 0.5, 2).dtype == ember.float32
    out = ember.clamp(ember.tensor([np.nan, 5.0]).to(device), 0.0, 1.0).numpy()
    assert np.isnan(out[0]) and out[1] == 1.0
    with pytest.raises(ValueError, match="clamp: at least one of 'min' or 'max'"):
        ember.clamp(ember.tensor([1.0]))
    with pytest.raises(RuntimeError, match="clamp_: result type float32 can't be cast"):
        i.clamp_(0.5)


def test_round_decimals(device):
    t = ember.tensor([1.2345, -2.5, 0.5, 1.5, 2.675], dtype=ember.float64).to(device)
    np.testing.assert_allclose(ember.round(t).numpy(), np.round(t.numpy()))
    np.testing.assert_allclose(ember.round(t, decimals=2).numpy(), np.round(t.numpy(), 2))
    ptr = t.data_ptr()
    t.round_(decimals=1)
    assert t.data_ptr() == ptr
    np.testing.assert_allclose(t.numpy(), [1.2, -2.5, 0.5, 1.5, 2.7])


# --- in place ------------------------------------------------------------------------------------

@pytest.mark.parametrize("method,args,ref", [
    ("add_", (2.0,), lambda a: a + 2), ("sub_", (1.5,), lambda a: a - 1.5),
    ("mul_", (3.0,), lambda a: a * 3), ("div_", (4.0,), lambda a: a / 4),
    ("pow_", (2.0,), lambda a: a ** 2), ("clamp_", (-1.0, 1.0), lambda a: np.clip(a, -1, 1)),
    ("exp_", (), np.exp), ("relu_", (), lambda a: np.maximum(a, 0)),
    ("sigmoid_", (), sigmoid_ref), ("tanh_", (), np.tanh), ("neg_", (), np.negative),
    ("abs_", (), np.abs), ("sqrt_", (), lambda a: np.sqrt(np.abs(a))),
    ("floor_", (), np.floor), ("square_", (), np.square),
])
def test_inplace_methods_write_through(device, method, args, ref):
    original = np.random.default_rng(10).standard_normal((5, 14)).astype(np.float32)
    if method == "sqrt_":
        original = np.abs(original)
    base = on(original.copy(), device)
    t = base[:, ::2]  # a non-contiguous self: writes must land in base
    ptr = t.data_ptr()
    assert getattr(t, method)(*args) is t
    assert t.data_ptr() == ptr
    result = base.numpy()
    np.testing.assert_allclose(result[:, ::2], ref(original[:, ::2].astype(np.float64)),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(result[:, 1::2], original[:, 1::2])


def test_inplace_operators(device):
    t = ember.tensor([1.0, 2.0, 3.0]).to(device)
    ptr = t.data_ptr()
    t += 1
    t *= ember.tensor([2.0, 2.0, 2.0]).to(device)
    t -= 1
    t /= 2
    t **= 2
    t //= 1
    t %= 5
    assert t.data_ptr() == ptr
    assert t.tolist() == [2.0, 1.0, 2.0]
    m = ember.tensor([True, False]).to(device)
    m &= ember.tensor([True, True]).to(device)
    m |= ember.tensor([False, False]).to(device)
    m ^= True
    assert m.tolist() == [False, True]
    # A float64 operand computes in float64 and is written back into float32 storage.
    f = ember.tensor([1.0, 2.0]).to(device)
    f += ember.tensor([0.5, 0.25], dtype=ember.float64).to(device)
    assert f.dtype == ember.float32 and f.tolist() == [1.5, 2.25]


def test_inplace_errors(device):
    i = ember.tensor([1, 2, 3]).to(device)
    with pytest.raises(RuntimeError,
                       match="add_: result type float32 can't be cast to the desired output "
                             "type int64"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="div_: result type float32 can't be cast"):
        i /= 2
    with pytest.raises(RuntimeError, match="exp_: result type float32 can't be cast"):
        i.exp_()
    with pytest.raises(ValueError, match=r"add_: output with shape \(3,\) doesn't match the "
                                         r"broadcast shape \(2, 3\)"):
        i.add_(ember.tensor([[1, 2, 3], [4, 5, 6]]).to(device))
    assert i.tolist() == [1, 2, 3]
    i.div_(2, rounding_mode="floor")
    assert i.tolist() == [0, 1, 1]


# --- errors and misc -----------------------------------------------------------------------------

def test_broadcast_error_names_op_and_shapes():
    a, b = ember.from_numpy(np.ones((3, 4))), ember.from_numpy(np.ones(5))
    for op in ("add", "mul", "maximum", "eq", "logical_and"):
        message = rf"{op}: shapes \(3, 4\) and \(5,\) cannot be broadcast"
        with pytest.raises(ValueError, match=message):
            getattr(ember, op)(a, b)
    with pytest.raises(ValueError, match="div expected rounding_mode|div: expected rounding_mode"):
        ember.div(a, a, rounding_mode="round")


def test_bad_dtypes():
    f = ember.tensor([1.0])
    with pytest.raises(TypeError, match="bitwise_not: only integer and bool"):
        ~f
    with pytest.raises(TypeError, match="relu"):
        ember.relu(ember.tensor([True]))
    assert (~ember.tensor([True, False])).tolist() == [False, True]
    assert (~ember.tensor([5], dtype=ember.int32)).tolist() == [-6]


def test_scalar_tensor():
    t = ember.scalar_tensor(2.5)
    assert t.shape == () and t.dtype == ember.float32 and t.item() == 2.5
    big = 2 ** 62 + 1  # exact: ints do not go through double
    assert ember.scalar_tensor(big, ember.int64).item() == big


def test_dunders_match_functions():
    a = ember.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert (abs(a)).tolist() == ember.abs(a).tolist()
    assert (-a).tolist() == ember.neg(a).tolist() == ember.negative(a).tolist()
    assert (+a) is a
    for name in ("exp", "log1p", "sigmoid", "tanh", "relu", "floor", "isnan"):
        np.testing.assert_array_equal(getattr(a, name)().numpy(), getattr(ember, name)(a).numpy())
    assert a.greater(2).tolist() == ember.gt(a, 2).tolist()
    assert a.maximum(ember.tensor([0.0, 0.0])).tolist() == [[1.0, 0.0], [3.0, 4.0]]


@settings(max_examples=60, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=5),
       dtype=st.sampled_from(["int32", "float32", "float64", "uint8"]),
       op=st.sampled_from(["add", "mul", "maximum", "lt", "sub"]),
       seed=st.integers(0, 2**16), device=st.sampled_from(DEVICES))
def test_broadcasting_property(shapes, dtype, op, seed, device):
    rng = np.random.default_rng(seed)
    (sa, sb), result_shape = shapes.input_shapes, shapes.result_shape
    a, b = values(sa, dtype, rng), values(sb, dtype, rng)
    out = getattr(ember, op)(on(a, device), on(b, device))
    assert out.shape == result_shape
    check(out, NP_BINARY[op](a, b), dtype)


@settings(max_examples=40, deadline=None)
@given(da=st.sampled_from(DTYPES), db=st.sampled_from(DTYPES), zero_dim=st.booleans())
def test_promotion_property(da, db, zero_dim):
    """Tensors with dims promote like numpy, except that integers with float32 stay float32
    (PyTorch); a zero-dim operand of the same or lower category never changes the dtype."""
    a = ember.from_numpy(np.ones(3, da))
    b = ember.from_numpy(np.ones(() if zero_dim else 3, db))
    out = ember.maximum(a, b)
    category = {"bool": 0, "uint8": 1, "int32": 1, "int64": 1, "float32": 2, "float64": 2}
    if not zero_dim:
        expected = np.promote_types(da, db).name
        if "float32" in (da, db) and {category[da], category[db]} == {1, 2}:
            expected = "float32"
        assert out.dtype == getattr(ember, expected)
    elif category[db] <= category[da]:
        assert out.dtype == a.dtype


# --- PyTorch as the oracle for dtype rules (when installed) ----------------------------------

TORCH_OPS = ["add", "sub", "mul", "div", "floor_divide", "remainder", "maximum", "eq", "lt",
             "logical_and", "bitwise_xor"]


def _torch_dtype_name(t):
    return str(t.dtype).replace("torch.", "")


@pytest.mark.parametrize("op", TORCH_OPS)
def test_result_dtypes_match_torch(op):
    torch = pytest.importorskip("torch")
    for da in DTYPES:
        for db in DTYPES:
            for sa, sb in [((3,), (3,)), ((3,), ()), ((), (3,)), ((), ())]:
                a, b = np.ones(sa, da), np.full(sb, 2, db)
                try:
                    expected = _torch_dtype_name(getattr(torch, op)(torch.from_numpy(a),
                                                                    torch.from_numpy(b)))
                except RuntimeError:
                    with pytest.raises((TypeError, RuntimeError)):
                        getattr(ember, op)(ember.from_numpy(a), ember.from_numpy(b))
                    continue
                out = getattr(ember, op)(ember.from_numpy(a), ember.from_numpy(b))
                assert out.dtype.name == expected, (op, da, sa, db, sb)


@pytest.mark.parametrize("scalar", [True, 3, 2.5])
def test_scalar_dtypes_match_torch(scalar):
    torch = pytest.importorskip("torch")
    for dtype in DTYPES:
        a = np.ones(3, dtype)
        ta, ea = torch.from_numpy(a), ember.from_numpy(a)
        for name, fn in [("add", lambda x: x + scalar), ("radd", lambda x: scalar + x),
                         ("mul", lambda x: x * scalar), ("div", lambda x: x / scalar),
                         ("pow", lambda x: x ** scalar), ("gt", lambda x: x > scalar),
                         ("where", lambda x: (ember if isinstance(x, ember.Tensor) else torch)
                          .where(x > 0, x, scalar))]:
            try:
                expected = _torch_dtype_name(fn(ta))
            except RuntimeError:
                continue
            assert fn(ea).dtype.name == expected, (name, dtype, scalar)


@pytest.mark.parametrize("name", ["neg", "abs", "exp", "sqrt", "sigmoid", "relu", "sign", "floor",
                                  "round", "square", "reciprocal", "logical_not", "isnan"])
def test_unary_dtypes_match_torch(name):
    torch = pytest.importorskip("torch")
    for dtype in DTYPES:
        a = np.ones(3, dtype)
        try:
            expected = _torch_dtype_name(getattr(torch, name)(torch.from_numpy(a)))
        except (RuntimeError, TypeError):
            with pytest.raises((TypeError, RuntimeError)):
                getattr(ember, name)(ember.from_numpy(a))
            continue
        assert getattr(ember, name)(ember.from_numpy(a)).dtype.name == expected, (name, dtype)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64"])
def test_division_values_match_torch(dtype):
    torch = pytest.importorskip("torch")
    a = np.array([7, -7, 7, -7, 0, 5, -5, 1], dtype)
    b = np.array([2, 2, -2, -2, 3, -1, 3, 8], dtype)
    if dtype in FLOATS:
        a = np.concatenate([a, np.array([-0.0, 5.5, -5.5, np.inf, 1.0, -1.0], dtype)])
        b = np.concatenate([b, np.array([2.0, -0.0, 0.0, 2.0, np.inf, np.inf], dtype)])
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    for name, t_fn, e_fn in [
            ("floor", lambda x, y: torch.div(x, y, rounding_mode="floor"),
             lambda x, y: ember.div(x, y, rounding_mode="floor")),
            ("trunc", lambda x, y: torch.div(x, y, rounding_mode="trunc"),
             lambda x, y: ember.div(x, y, rounding_mode="trunc")),
            ("remainder", torch.remainder, ember.remainder), ("true", torch.div, ember.div),
            ("maximum", torch.maximum, ember.maximum), ("pow", torch.pow, ember.pow)]:
        if name == "pow" and dtype not in FLOATS:
            continue
        np.testing.assert_array_equal(e_fn(ea, eb).numpy(), t_fn(ta, tb).numpy(), err_msg=name)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("exponent", [2.0, 0.5, 3.0, -1.5])
def test_pow_scalar_exponents(variant, exponent, dtype):
    rng = np.random.default_rng(11)
    for shape in ((), (7,), (13, 7), (0, 3)):
        for kind in LAYOUTS:
            a = np.abs(values(shape, dtype, rng)) + np.asarray(0.1, dtype)
            t = on(a, variant, kind)
            expected = np.power(a.astype(np.float64), exponent).astype(dtype)
            check(t ** exponent, expected, dtype)
            if shape:  # a zero-dim float64 exponent of a float32 tensor with dims keeps float32
                check(ember.pow(t, ember.scalar_tensor(exponent, ember.float64)), expected, dtype)
            u = on(a.copy(), variant, kind)
            u **= exponent
            check(u, expected, dtype)


def test_inplace_with_overlapping_operand_reads_the_old_values(device):
    original = np.arange(16.0).reshape(4, 4)
    t = on(original.copy(), device)
    t += t.permute(1, 0)  # the same memory, transposed
    np.testing.assert_array_equal(t.numpy(), original + original.T)
    t = on(original.copy(), device)
    t.mul_(t[1])  # a row of self, broadcast over self
    np.testing.assert_array_equal(t.numpy(), original * original[1])
    t = on(original.copy(), device)
    t += t  # the identical view is safe in place
    np.testing.assert_array_equal(t.numpy(), 2 * original)


# --- CUDA: devices, the kernels' paths against the CPU's --------------------------------------

@pytest.mark.skipif(not CUDA, reason="needs a CUDA device (a GPU or the emulator)")
def test_mixed_devices():
    g = ember.tensor([1.0, 2.0]).cuda()
    c = ember.tensor([1.0, 2.0])
    message = "expected all tensors to be on the same device, but found cuda:0 and cpu"
    for name, fn in [("add", lambda: g + c), ("mul", lambda: c * g),
                     ("maximum", lambda: ember.maximum(ember.tensor(1.0).cuda(), c)),
                     ("where", lambda: ember.where(c > 0, g, g)),
                     ("clamp", lambda: ember.clamp(g, c)), ("add_", lambda: c.add_(g)),
                     ("add_", lambda: g.add_(c))]:
        with pytest.raises(RuntimeError, match=f"{name}: {message}"):
            fn()
    with pytest.raises(RuntimeError, match="add_: expected all tensors to be on the same "
                                           "device, but found cpu and cuda:0"):
        ember.tensor(1.0).add_(g)
    # A 0-d CPU tensor (how Python scalars arrive) joins CUDA tensors, on either side.
    two = ember.tensor(2.0)
    for out, expected in [(g + two, [3.0, 4.0]), (two - g, [1.0, 0.0]), (two ** g, [2.0, 4.0]),
                          (ember.where(g > 1, two, g), [1.0, 2.0]),
                          (ember.clamp(g, two, None), [2.0, 2.0])]:
        assert out.device.type == "cuda" and out.tolist() == expected


@pytest.mark.skipif(not CUDA, reason="compares the CUDA kernels with the CPU's")
@pytest.mark.parametrize("dtype", DTYPES)
def test_cuda_matches_cpu_on_awkward_sizes(dtype):
    """Sizes around the block size (256), primes, 1 and 0 through every kernel path: 128-bit
    packs with a scalar tail, arrays offset by one element (no packs), a host scalar on either
    side, strided views."""
    rng = np.random.default_rng(12)
    binary = ["add", "mul", "maximum", "eq", "lt"]
    if dtype != "bool":
        binary += ["sub", "remainder", "floor_divide", "pow"]
    unary = ["neg", "exp", "sigmoid", "isnan"] if dtype in FLOATS else ["bitwise_not"]
    for n in (0, 1, 2, 3, 5, 7, 13, 255, 256, 257, 1023, 1025, 4099):
        a = values((2 * n + 1,), dtype, rng, 1, 5)
        b = values((2 * n + 1,), dtype, rng, 1, 5)
        if dtype in FLOATS:
            a, b = np.abs(a) + np.asarray(0.5, dtype), np.abs(b) + np.asarray(0.5, dtype)
        elif dtype != "bool":
            b = np.where(b == 0, np.asarray(1, dtype), b)
        scalar = b[0].item()
        # n elements from different offsets (128-bit packs where both are aligned, the scalar
        # loop otherwise), strided, or None: the Python scalar.
        pairs = [(slice(0, n), slice(n + 1, None)), (slice(1, n + 1), slice(0, n)),
                 (slice(0, 2 * n, 2), slice(1, None, 2)), (slice(0, n), None),
                 (None, slice(1, n + 1)), (slice(0, 2 * n, 2), None)]
        ca, cb, ga, gb = on(a), on(b), on(a, "cuda"), on(b, "cuda")
        for name in binary:
            fn = getattr(ember, name)
            for sx, sy in pairs:
                def operands(x, y):
                    return (scalar if sx is None else x[sx]), (scalar if sy is None else y[sy])
                expected = fn(*operands(ca, cb)).numpy()
                out = fn(*operands(ga, gb))
                assert out.device.type == "cuda"
                check(out, expected, dtype if expected.dtype.name in FLOATS else None)
        for name in unary:
            for view in (slice(0, n), slice(1, n + 1), slice(None, None, 2)):
                expected = getattr(ember, name)(ca[view]).numpy()
                check(getattr(ember, name)(ga[view]), expected,
                      dtype if expected.dtype.name in FLOATS else None)
        cond = rng.random(2 * n + 1) > 0.5
        check(ember.where(on(cond, "cuda")[1:], ga[1:], gb[:-1]),
              np.where(cond[1:], a[1:], b[:-1]))


@pytest.mark.skipif(not CUDA, reason="needs a CUDA device (a GPU or the emulator)")
def test_cuda_sizes_spanning_several_grid_strides():
    """More elements than one launch has threads (1024 blocks of 256, 4 floats each when
    packed), so the grid-stride loops go round several times, with tails."""
    rng = np.random.default_rng(13)
    n = 3 * 1024 * 256 * 4 + 5
    a, b = values((n,), "float32", rng), values((n,), "float32", rng)
    np.testing.assert_array_equal((on(a, "cuda") + on(b, "cuda")).numpy(), a + b)
    m = 3 * 1024 * 256 + 7
    strided = on(a[:2 * m], "cuda")[::2]
    np.testing.assert_array_equal(ember.maximum(strided, 0.5).numpy(),
                                  np.maximum(a[:2 * m:2], np.float32(0.5)))
