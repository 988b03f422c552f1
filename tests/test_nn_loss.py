"""Losses (functional and modules) against PyTorch: values and gradients for every reduction,
cross-entropy's class-index and probability targets on 1-d to 4-d inputs with weights,
ignore_index and label smoothing, every CPU SIMD variant of the fused kernel, gradcheck, edge
values and bad input."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck

from nn_oracle import TOL, compare, randn, to_ember

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = ["float32", "float64"]
REDUCTIONS = ["none", "mean", "sum"]


def targets(shape, classes, seed=0, ignore=None):
    t = np.random.default_rng(seed).integers(0, classes, size=shape).astype(np.int64)
    if ignore is not None and t.size:
        t.reshape(-1)[::3] = ignore
    return t


# --- cross entropy ---------------------------------------------------------------------------

CE_SHAPES = [((5,), ()), ((4, 5), (4,)), ((3, 4, 6), (3, 6)), ((2, 3, 2, 3), (2, 2, 3)),
             ((0, 4), (0,)), ((1, 1), (1,))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("input_shape,target_shape", CE_SHAPES)
def test_cross_entropy_class_indices(input_shape, target_shape, reduction, dtype, device):
    classes = input_shape[0] if len(input_shape) == 1 else input_shape[1]
    x = randn(input_shape, dtype, 1, scale=3.0)
    t = targets(target_shape, classes, 2)
    compare(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
            lambda a, b: TF.cross_entropy(a, b, reduction=reduction), [x, t], device, dtype)


def test_cross_entropy_empty_batch(device):
    x = to_ember(np.zeros((0, 3), np.float32), device)
    t = to_ember(np.zeros(0, np.int64), device)
    assert np.isnan(F.cross_entropy(x, t).item())
    assert F.cross_entropy(x, t, reduction="sum").item() == 0.0
    assert F.cross_entropy(x, t, reduction="none").shape == (0,)


OPTIONS = [
    dict(weight=True), dict(ignore_index=1), dict(ignore_index=-100, ignored=True),
    dict(label_smoothing=0.1), dict(weight=True, ignore_index=2, label_smoothing=0.2),
    dict(weight=True, label_smoothing=0.3, ignored=True),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", range(len(OPTIONS)))
@pytest.mark.parametrize("input_shape,target_shape", [((6, 5), (6,)), ((2, 5, 3), (2, 3))])
def test_cross_entropy_options(input_shape, target_shape, options, reduction, dtype, device):
    opt = dict(OPTIONS[options])
    classes = 5
    ignore_index = opt.pop("ignore_index", -100)
    ignored = opt.pop("ignored", False)
    x = randn(input_shape, dtype, 3, scale=2.0)
    t = targets(target_shape, classes, 4, ignore=ignore_index if ignored else None)
    if ignore_index >= 0:
        t.reshape(-1)[0] = ignore_index
    w = np.linspace(0.2, 2.0, classes).astype(dtype) if opt.pop("weight", False) else None
    smoothing = opt.pop("label_smoothing", 0.0)

    def run(lib, a, b):
        weight = None if w is None else (to_ember(w, device) if lib is F else torch.from_numpy(w))
        return lib.cross_entropy(a, b, weight=weight, ignore_index=ignore_index,
                                 reduction=reduction, label_smoothing=smoothing)
    compare(lambda a, b: run(F, a, b), lambda a, b: run(TF, a, b), [x, t], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("shape", [(7,), (4, 7), (2, 7, 3)])
def test_cross_entropy_probabilities(shape, smoothing, weighted, reduction, dtype, device):
    class_dim = 0 if len(shape) == 1 else 1
    x = randn(shape, dtype, 5, scale=2.0)
    q = np.random.default_rng(6).random(shape)
    q = (q / q.sum(axis=class_dim, keepdims=True)).astype(dtype)
    w = np.linspace(0.5, 1.5, 7).astype(dtype) if weighted else None

    def run(lib, a, b):
        weight = None if w is None else (to_ember(w, device) if lib is F else torch.from_numpy(w))
        return lib.cross_entropy(a, b, weight=weight, reduction=reduction,
                                 label_smoothing=smoothing)
    compare(lambda a, b: run(F, a, b), lambda a, b: run(TF, a, b), [x, q], device, dtype,
            grad_of=(0, 1))


def test_cross_entropy_non_contiguous_and_int32_targets(device):
    x = randn((6, 5), "float64", 7)
    t = targets((6,), 5, 8)
    compare(lambda a, b: F.cross_entropy(a, b.to(ember.int32)), TF.cross_entropy, [x, t],
            device, "float64", transposed=(0,))


def test_cross_entropy_large_logits(device):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4 + 5], [88.0, 89.0, -90.0]])
    t = np.array([1, 2, 0])
    for dtype in DTYPES:
        compare(F.cross_entropy, TF.cross_entropy, [x.astype(dtype), t], device, dtype)


def test_cross_entropy_simd_variants(capability):
    """Rows with full vectors and tails, contiguous and strided (spatial targets)."""
    for dtype in DTYPES:
        x = randn((9, 37), dtype, 9, scale=3.0)
        compare(lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1),
                lambda a, b: TF.cross_entropy(a, b, label_smoothing=0.1),
                [x, targets((9,), 37, 10)], "cpu", dtype)
        x = randn((2, 19, 5), dtype, 11)
        compare(F.cross_entropy, TF.cross_entropy, [x, targets((2, 5), 19, 12)], "cpu", dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradcheck(reduction, device):
    x = to_ember(randn((3, 4, 2), "float64", 13), device, requires_grad=True)
    t = to_ember(np.array([[0, 3], [1, 1], [2, -100]]), device)
    w = to_ember(np.array([0.5, 1.0, 1.5, 2.0]), device)
    assert gradcheck(lambda a: F.cross_entropy(a, t, weight=w, reduction=reduction,
                                               label_smoothing=0.1), (x,))
    q = to_ember(np.random.default_rng(1).random((3, 4, 2)), device, requires_grad=True)
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, reduction=reduction), (x, q))


def test_cross_entropy_bad_input(device):
    x = to_ember(np.zeros((3, 5), np.float32), device)
    with pytest.raises(ValueError, match=r"cross_entropy: target of shape \(4,\) doesn't match "
                                         r"input of shape \(3, 5\)"):
        F.cross_entropy(x, to_ember(np.zeros(4, np.int64), device))
    with pytest.raises(IndexError, match=r"cross_entropy: target 5 is out of bounds for 5 "
                                         r"classes \(input of shape \(3, 5\)\)"):
        F.cross_entropy(x, to_ember(np.array([0, 5, 1]), device))
    with pytest.raises(IndexError, match="target -2 is out of bounds"):
        F.cross_entropy(x, to_ember(np.array([0, -2, 1]), device))
    with pytest.raises(ValueError, match=r"cross_entropy: weight of shape \(4,\)"):
        F.cross_entropy(x, to_ember(np.array([0, 1, 1]), device),
                        weight=to_ember(np.ones(4, np.float32), device))
    with pytest.raises(ValueError, match="probability targets must have the input's shape"):
        F.cross_entropy(x, to_ember(np.zeros((3, 4), np.float32), device))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, to_ember(np.array([0, 1, 1]), device), label_smoothing=1.5)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(x, to_ember(np.array([0, 1, 1]), device), reduction="avg")


# --- NLL -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("input_shape,target_shape", [((5,), ()), ((4, 5), (4,)),
                                                      ((2, 5, 3), (2, 3))])
def test_nll_loss(input_shape, target_shape, weighted, reduction, dtype, device):
    x = randn(input_shape, dtype, 14)
    t = targets(target_shape, 5, 15)
    t.reshape(-1)[:1] = 2
    w = np.linspace(0.3, 1.7, 5).astype(dtype) if weighted else None

    def run(lib, a, b):
        weight = None if w is None else (to_ember(w, device) if lib is F else torch.from_numpy(w))
        return lib.nll_loss(a, b, weight=weight, ignore_index=2, reduction=reduction)
    compare(lambda a, b: run(F, a, b), lambda a, b: run(TF, a, b), [x, t], device, dtype)


def test_nll_loss_bad_input(device):
    x = to_ember(np.zeros((3, 5), np.float32), device)
    with pytest.raises(IndexError, match=r"nll_loss: target 7 is out of bounds for 5 classes"):
        F.nll_loss(x, to_ember(np.array([0, 7, 1]), device))
    with pytest.raises(ValueError, match=r"nll_loss: target of shape \(3, 1\)"):
        F.nll_loss(x, to_ember(np.zeros((3, 1), np.int64), device))


# --- the other losses ------------------------------------------------------------------------

def _pm1(shape, seed):
    return np.where(np.random.default_rng(seed).random(shape) < 0.5, -1.0, 1.0)


def _probabilities(shape, seed):
    return np.random.default_rng(seed).uniform(0.02, 0.98, shape)


# name -> (ember function, torch function, input makers (shape, seed) -> array, grad_of)
POINTWISE = {
    "mse": (F.mse_loss, TF.mse_loss, [randn, randn], (0, 1), {}),
    "l1": (F.l1_loss, TF.l1_loss, [randn, randn], (0, 1), {}),
    "smooth_l1": (F.smooth_l1_loss, TF.smooth_l1_loss, [randn, randn], (0, 1), {"beta": 0.5}),
    "smooth_l1_beta0": (F.smooth_l1_loss, TF.smooth_l1_loss, [randn, randn], (0,), {"beta": 0.0}),
    "huber": (F.huber_loss, TF.huber_loss, [randn, randn], (0, 1), {"delta": 0.7}),
    "bce": (F.binary_cross_entropy, TF.binary_cross_entropy, [_probabilities, _probabilities],
            (0, 1), {}),
    "bce_logits": (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                   [randn, _probabilities], (0, 1), {}),
    "kl_div": (F.kl_div, TF.kl_div, [randn, _probabilities], (0, 1), {}),
    "kl_div_log_target": (F.kl_div, TF.kl_div, [randn, randn], (0, 1), {"log_target": True}),
    "hinge_embedding": (F.hinge_embedding_loss, TF.hinge_embedding_loss, [randn, _pm1], (0,),
                        {"margin": 0.8}),
    "soft_margin": (F.soft_margin_loss, TF.soft_margin_loss, [randn, _pm1], (0,), {}),
}


def _make(maker, shape, dtype, seed):
    return np.asarray(maker(shape, seed) if maker is not randn else randn(shape, dtype, seed),
                      dtype=dtype)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")  # kl_div's
@pytest.mark.parametrize("name", sorted(POINTWISE))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(), (7,), (3, 5)])
def test_pointwise_losses(name, shape, reduction, dtype, device):
    fn, tfn, makers, grad_of, kwargs = POINTWISE[name]
    arrays = [_make(m, shape, dtype, seed) for seed, m in enumerate(makers)]
    compare(lambda a, b: fn(a, b, reduction=reduction, **kwargs),
            lambda a, b: tfn(a, b, reduction=reduction, **kwargs), arrays, device, dtype,
            grad_of=grad_of)


@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_gradcheck(name, device):
    fn, _, makers, grad_of, kwargs = POINTWISE[name]
    arrays = [_make(m, (2, 3), "float64", seed + 20) for seed, m in enumerate(makers)]
    inputs = [to_ember(a, device, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    assert gradcheck(lambda a, b: fn(a, b, reduction="sum", **kwargs), inputs)


def test_kl_div_batchmean(device):
    x, q = randn((4, 3), "float64", 1), _probabilities((4, 3), 2)
    q[0, 0] = 0.0  # 0 log 0 = 0
    compare(lambda a, b: F.kl_div(a, b, reduction="batchmean"),
            lambda a, b: TF.kl_div(a, b, reduction="batchmean"), [x, q], device, "float64")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_bce_and_pos_weight(reduction, device):
    x, t = randn((4, 3), "float64", 3, scale=3.0), _probabilities((4, 3), 4)
    w, pw = np.array([0.5, 1.0, 2.0]), np.array([1.0, 3.0, 0.5])
    compare(lambda a, b: F.binary_cross_entropy(F.sigmoid(a), b, weight=to_ember(w, device),
                                                reduction=reduction),
            lambda a, b: TF.binary_cross_entropy(torch.sigmoid(a), b, weight=torch.from_numpy(w),
                                                 reduction=reduction),
            [x, t], device, "float64", grad_of=(0, 1))
    compare(lambda a, b: F.binary_cross_entropy_with_logits(
                a, b, weight=to_ember(w, device), pos_weight=to_ember(pw, device),
                reduction=reduction),
            lambda a, b: TF.binary_cross_entropy_with_logits(
                a, b, weight=torch.from_numpy(w), pos_weight=torch.from_numpy(pw),
                reduction=reduction),
            [x, t], device, "float64", grad_of=(0, 1))
    pwt = to_ember(pw, device)
    xs = to_ember(x, device, requires_grad=True)
    ts = to_ember(t, device, requires_grad=True)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pwt),
                     (xs, ts))


def test_bce_edge_values(device):
    """log clamped at -100 (PyTorch's rule): inputs of exactly 0 and 1 give finite losses and
    gradients; logits of +-100 stay finite with logits."""
    for dtype in DTYPES:
        x = np.array([0.0, 1.0, 0.0, 1.0, 0.5], dtype=dtype)
        t = np.array([1.0, 0.0, 0.0, 1.0, 0.3], dtype=dtype)
        compare(F.binary_cross_entropy, TF.binary_cross_entropy, [x, t], device, dtype,
                tol=dict(rtol=1e-5, atol=1e-5))
        z = np.array([100.0, -100.0, 30.0, -30.0], dtype=dtype)
        compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                [z, np.array([0.0, 1.0, 1.0, 0.0], dtype=dtype)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,margin,weighted", [(1, 1.0, False), (2, 0.5, True), (1, 2.0, True)])
@pytest.mark.parametrize("shape", [(5,), (4, 5)])
def test_multi_margin(shape, p, margin, weighted, reduction, dtype, device):
    x = randn(shape, dtype, 30)
    t = targets(shape[:-1], 5, 31)
    w = np.linspace(0.5, 1.5, 5).astype(dtype) if weighted else None

    def run(lib, a, b):
        weight = None if w is None else (to_ember(w, device) if lib is F else torch.from_numpy(w))
        return lib.multi_margin_loss(a, b, p=p, margin=margin, weight=weight,
                                     reduction=reduction)
    compare(lambda a, b: run(F, a, b), lambda a, b: run(TF, a, b), [x, t], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6,), (4, 6)])
def test_cosine_embedding_and_margin_ranking(shape, reduction, dtype, device):
    a, b = randn(shape, dtype, 40), randn(shape, dtype, 41)
    y = _pm1(shape[:-1], 42).astype(dtype)
    compare(lambda u, v, w: F.cosine_embedding_loss(u, v, w, margin=0.2, reduction=reduction),
            lambda u, v, w: TF.cosine_embedding_loss(u, v, w, margin=0.2, reduction=reduction),
            [a, b, y], device, dtype, grad_of=(0, 1))
    y = _pm1(shape, 43).astype(dtype)
    compare(lambda u, v, w: F.margin_ranking_loss(u, v, w, margin=0.3, reduction=reduction),
            lambda u, v, w: TF.margin_ranking_loss(u, v, w, margin=0.3, reduction=reduction),
            [a, b, y], device, dtype, grad_of=(0, 1))


def test_composite_gradchecks(device):
    a = to_ember(randn((3, 4), "float64", 50), device, requires_grad=True)
    b = to_ember(randn((3, 4), "float64", 51), device, requires_grad=True)
    y = to_ember(np.array([1.0, -1.0, 1.0]), device)
    assert gradcheck(lambda u, v: F.cosine_embedding_loss(u, v, y, margin=0.1), (a, b))
    t = to_ember(np.array([0, 3, 1]), device)
    w = to_ember(np.array([1.0, 0.5, 2.0, 1.5]), device)
    assert gradcheck(lambda u: F.multi_margin_loss(u, t, p=2, weight=w), (a,))
    assert gradcheck(lambda u: F.nll_loss(u, t, weight=w), (a,))


def test_legacy_size_average_and_reduce(device):
    a, b = to_ember(randn((3,), "float32", 1), device), to_ember(randn((3,), "float32", 2), device)
    ta, tb = torch.from_numpy(a.cpu().numpy()), torch.from_numpy(b.cpu().numpy())
    for kwargs in [dict(size_average=False), dict(reduce=False), dict(size_average=True)]:
        with pytest.warns(UserWarning):
            want = TF.mse_loss(ta, tb, **kwargs)
        np.testing.assert_allclose(F.mse_loss(a, b, **kwargs).cpu().numpy(), want.numpy(),
                                   rtol=1e-6)


def test_pointwise_bad_input(device):
    a = to_ember(np.zeros((3, 4), np.float32), device)
    with pytest.raises(ValueError, match=r"mse_loss: target of shape \(5,\) doesn't match input "
                                         r"of shape \(3, 4\)"):
        F.mse_loss(a, to_ember(np.zeros(5, np.float32), device))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: using a target size \(4,\)"):
        F.binary_cross_entropy(a, to_ember(np.zeros(4, np.float32), device))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: target size"):
        F.binary_cross_entropy_with_logits(a, to_ember(np.zeros((4, 3), np.float32), device))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.l1_loss(a, a, reduction="batchmean")
    with pytest.raises(TypeError, match="mse_loss"):
        F.mse_loss(a, 1.0)


# --- modules -----------------------------------------------------------------------------------

MODULES = [
    ("MSELoss", {}), ("L1Loss", {"reduction": "sum"}), ("SmoothL1Loss", {"beta": 0.5}),
    ("HuberLoss", {"delta": 2.0}), ("CrossEntropyLoss", {"label_smoothing": 0.1}),
    ("NLLLoss", {"ignore_index": 1}), ("BCELoss", {}), ("BCEWithLogitsLoss", {}),
    ("KLDivLoss", {"reduction": "batchmean"}), ("HingeEmbeddingLoss", {"margin": 2.0}),
    ("MultiMarginLoss", {"p": 2}), ("SoftMarginLoss", {}), ("CosineEmbeddingLoss", {}),
    ("MarginRankingLoss", {"margin": 0.1}),
]


def _module_inputs(name):
    x = randn((4, 3), "float32", 60)
    if name in ("CrossEntropyLoss", "NLLLoss", "MultiMarginLoss"):
        return [x, targets((4,), 3, 61)]
    if name == "BCELoss":
        return [_probabilities((4, 3), 62).astype("float32"),
                _probabilities((4, 3), 63).astype("float32")]
    if name in ("BCEWithLogitsLoss", "KLDivLoss"):
        return [x, _probabilities((4, 3), 64).astype("float32")]
    if name in ("HingeEmbeddingLoss", "SoftMarginLoss"):
        return [x, _pm1((4, 3), 65).astype("float32")]
    if name == "CosineEmbeddingLoss":
        return [x, randn((4, 3), "float32", 66), _pm1((4,), 67).astype("float32")]
    if name == "MarginRankingLoss":
        return [x[:, 0].copy(), x[:, 1].copy(), _pm1((4,), 68).astype("float32")]
    return [x, randn((4, 3), "float32", 69)]


@pytest.mark.parametrize("name,kwargs", MODULES)
def test_module_matches_torch(name, kwargs, device):
    m, tm = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(m) == repr(tm)
    assert m.reduction == tm.reduction
    compare(m, tm, _module_inputs(name), device, "float32")


def test_module_weights_are_buffers(device):
    w = ember.tensor([1.0, 2.0, 3.0])
    for m in [nn.CrossEntropyLoss(weight=w), nn.NLLLoss(weight=w), nn.BCELoss(weight=w),
              nn.MultiMarginLoss(weight=w)]:
        assert list(m.state_dict()) == ["weight"]
        assert m.to(device).weight.device.type == device
    m = nn.BCEWithLogitsLoss(pos_weight=w)
    assert list(m.state_dict()) == ["pos_weight"]
    weighted = nn.CrossEntropyLoss(weight=w).to(device)
    x = to_ember(randn((4, 3), "float32", 70), device)
    t = to_ember(targets((4,), 3, 71), device)
    want = TF.cross_entropy(torch.from_numpy(x.cpu().numpy()), torch.from_numpy(t.cpu().numpy()),
                            weight=torch.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(weighted(x, t).item(), want.item(), rtol=1e-6)
