"""ember.optim.lr_scheduler against torch.optim.lr_scheduler: the same learning-rate (and
momentum) sequences, state_dicts that resume a schedule, and PyTorch's argument errors."""
import math
import warnings

import numpy as np
import pytest

import ember
from ember.optim import lr_scheduler as ember_sched

torch = pytest.importorskip("torch")
torch_sched = torch.optim.lr_scheduler

STEPS = 30

# (scheduler, kwargs, optimizer, optimizer kwargs)
CASES = [
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e), "SGD", dict(lr=0.1)),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9 if e % 2 else 1.0), "SGD", dict(lr=0.1)),
    ("StepLR", dict(step_size=7, gamma=0.5), "SGD", dict(lr=0.1)),
    ("MultiStepLR", dict(milestones=[3, 10, 10, 25], gamma=0.3), "SGD", dict(lr=0.1)),
    ("ConstantLR", dict(factor=0.25, total_iters=6), "SGD", dict(lr=0.1)),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=12), "SGD", dict(lr=0.1)),
    ("ExponentialLR", dict(gamma=0.9), "Adam", dict(lr=0.01)),
    ("CosineAnnealingLR", dict(T_max=8, eta_min=0.001), "SGD", dict(lr=0.1)),
    ("CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2, eta_min=0.01), "SGD", dict(lr=0.1)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=STEPS + 1), "SGD", dict(lr=0.1, momentum=0.9)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=STEPS + 1, anneal_strategy="linear",
                        three_phase=True), "SGD", dict(lr=0.1, momentum=0.9)),
    ("OneCycleLR", dict(max_lr=0.01, epochs=3, steps_per_epoch=11, pct_start=0.4), "Adam",
     dict(lr=0.001)),
    ("OneCycleLR", dict(max_lr=0.01, total_steps=STEPS + 1, cycle_momentum=False), "Adam",
     dict(lr=0.001)),
]
CASE_IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def two_groups(module, opt_name, opt_kwargs):
    make = module.tensor
    params = [make(np.ones(2), requires_grad=True), make(np.ones(3), requires_grad=True)]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": opt_kwargs["lr"] * 2}]
    return getattr(module.optim, opt_name)(groups, **opt_kwargs)


def momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


@pytest.mark.parametrize("name,kwargs,opt_name,opt_kwargs", CASES, ids=CASE_IDS)
def test_lr_sequence_matches_torch(name, kwargs, opt_name, opt_kwargs):
    ember_opt = two_groups(ember, opt_name, opt_kwargs)
    torch_opt = two_groups(torch, opt_name, opt_kwargs)
    ember_s = getattr(ember_sched, name)(ember_opt, **kwargs)
    torch_s = getattr(torch_sched, name)(torch_opt, **kwargs)
    assert ember_s.get_last_lr() == torch_s.get_last_lr()
    for _ in range(STEPS):
        ember_opt.step()
        torch_opt.step()
        ember_s.step()
        torch_s.step()
        assert ember_s.get_last_lr() == pytest.approx(torch_s.get_last_lr(), rel=1e-15)
        assert [g["lr"] for g in ember_opt.param_groups] == ember_s.get_last_lr()
        assert momenta(ember_opt) == pytest.approx(momenta(torch_opt), rel=1e-15)


@pytest.mark.parametrize("name,kwargs", [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5], gamma=0.1)),
    ("ExponentialLR", dict(gamma=0.8)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("LinearLR", dict(total_iters=6)),
    ("ConstantLR", dict(total_iters=4)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2)),
])
def test_step_with_epoch_uses_closed_form(name, kwargs):
    ember_opt = two_groups(ember, "SGD", dict(lr=0.1))
    torch_opt = two_groups(torch, "SGD", dict(lr=0.1))
    ember_s = getattr(ember_sched, name)(ember_opt, **kwargs)
    torch_s = getattr(torch_sched, name)(torch_opt, **kwargs)
    with warnings.catch_warnings():  # torch deprecates the epoch argument
        warnings.simplefilter("ignore", UserWarning)
        for epoch in (4, 9, 2, 7.5 if name == "CosineAnnealingWarmRestarts" else 7):
            torch_s.step(epoch)
            ember_s.step(epoch)
            assert ember_s.get_last_lr() == pytest.approx(torch_s.get_last_lr(), rel=1e-14)


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.9, 0.9, 0.91, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.8] * 3
    for kwargs in (dict(patience=2), dict(mode="max", factor=0.5, patience=1, cooldown=2),
                   dict(threshold=0.1, threshold_mode="abs", patience=0, min_lr=[0.05, 0.01]),
                   dict(mode="max", threshold_mode="abs", patience=3, eps=1e-3)):
        ember_opt = two_groups(ember, "SGD", dict(lr=0.1))
        torch_opt = two_groups(torch, "SGD", dict(lr=0.1))
        ember_s = ember_sched.ReduceLROnPlateau(ember_opt, **kwargs)
        torch_s = torch_sched.ReduceLROnPlateau(torch_opt, **kwargs)
        for metric in metrics:
            ember_s.step(metric)
            torch_s.step(metric)
            assert ember_s.get_last_lr() == torch_s.get_last_lr(), kwargs
            assert ember_s.num_bad_epochs == torch_s.num_bad_epochs


@pytest.mark.parametrize("name,kwargs", [
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.01)),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=40)),
    ("LambdaLR", dict(lr_lambda=lambda e: 1 / (1 + e))),
])
def test_state_dict_resumes_the_schedule(name, kwargs):
    opt = two_groups(ember, "SGD", dict(lr=0.1, momentum=0.9))
    sched = getattr(ember_sched, name)(opt, **kwargs)
    for _ in range(6):
        opt.step()
        sched.step()
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    assert "optimizer" not in sched_state
    assert sched_state["last_epoch"] == 6

    resumed_opt = two_groups(ember, "SGD", dict(lr=0.1, momentum=0.9))
    resumed_opt.load_state_dict(opt_state)
    resumed = getattr(ember_sched, name)(resumed_opt, **kwargs)
    resumed.load_state_dict(sched_state)
    for _ in range(10):
        opt.step()
        resumed_opt.step()
        sched.step()
        resumed.step()
        assert resumed.get_last_lr() == sched.get_last_lr()


def test_plateau_state_dict_round_trip():
    opt = two_groups(ember, "SGD", dict(lr=0.1))
    sched = ember_sched.ReduceLROnPlateau(opt, patience=1)
    for metric in (1.0, 1.0, 1.0):
        sched.step(metric)
    other = ember_sched.ReduceLROnPlateau(two_groups(ember, "SGD", dict(lr=0.1)))
    other.load_state_dict(sched.state_dict())
    assert other.patience == 1 and other.best == 1.0 and other.get_last_lr() == sched.get_last_lr()


def test_schedulers_chain_like_torch():
    ember_opt = two_groups(ember, "SGD", dict(lr=0.1))
    torch_opt = two_groups(torch, "SGD", dict(lr=0.1))
    ember_chain = [ember_sched.LinearLR(ember_opt, start_factor=0.5, total_iters=4),
                   ember_sched.ExponentialLR(ember_opt, gamma=0.9)]
    torch_chain = [torch_sched.LinearLR(torch_opt, start_factor=0.5, total_iters=4),
                   torch_sched.ExponentialLR(torch_opt, gamma=0.9)]
    for _ in range(10):
        ember_opt.step()
        torch_opt.step()
        for e, t in zip(ember_chain, torch_chain):
            e.step()
            t.step()
        assert [g["lr"] for g in ember_opt.param_groups] == pytest.approx(
            [g["lr"] for g in torch_opt.param_groups], rel=1e-15)


@pytest.mark.parametrize("make,error,message", [
    (lambda o: ember_sched.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1"),
    (lambda o: ember_sched.LinearLR(o, start_factor=0), ValueError, "greater than 0"),
    (lambda o: ember_sched.LinearLR(o, end_factor=2), ValueError, "between 0 and 1"),
    (lambda o: ember_sched.OneCycleLR(o, max_lr=0.1), ValueError, "total_steps OR"),
    (lambda o: ember_sched.OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError,
     "positive integer total_steps"),
    (lambda o: ember_sched.OneCycleLR(o, max_lr=0.1, total_steps=5, anneal_strategy="x"),
     ValueError, "anneal_strategy"),
    (lambda o: ember_sched.OneCycleLR(o, max_lr=0.1, total_steps=5, pct_start=2.0),
     ValueError, "pct_start"),
    (lambda o: ember_sched.OneCycleLR(o, max_lr=[0.1], total_steps=5), ValueError,
     "expected 2 values"),
    (lambda o: ember_sched.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be"),
    (lambda o: ember_sched.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown"),
    (lambda o: ember_sched.ReduceLROnPlateau(o, threshold_mode="x"), ValueError,
     "threshold mode x"),
    (lambda o: ember_sched.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
    (lambda o: ember_sched.LambdaLR(o, lr_lambda=[lambda e: 1.0]), ValueError,
     "Expected 2 lr_lambdas"),
    (lambda o: ember_sched.StepLR(object(), step_size=1), TypeError, "is not an Optimizer"),
    (lambda o: ember_sched.StepLR(o, step_size=1, last_epoch=3), KeyError, "initial_lr"),
])
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make(two_groups(ember, "SGD", dict(lr=0.1)))


def test_onecycle_steps_past_the_end_raise():
    opt = two_groups(ember, "SGD", dict(lr=0.1, momentum=0.9))
    sched = ember_sched.OneCycleLR(opt, max_lr=0.5, total_steps=3)
    for _ in range(3):
        sched.step()
    assert math.isfinite(sched.get_last_lr()[0])
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()
