"""ember.nn layers, forward + backward: ember vs PyTorch (when installed) on the same inputs.

    python bench/bench_nn.py [--rounds N] [--json PATH]

Each row times one layer step (forward, sum, backward) in both libraries from identical weights
and inputs. Libraries run in their own blocks after a short pause (the other's thread pool goes
quiet), interleaved over rounds; a block reports the median of its calls after a warm-up call,
the row the median over rounds, and the ratio is the median of the per-round ratios.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

import ember

try:
    import torch
except ImportError:  # the table then has no PyTorch column
    torch = None


def _layers():
    """(name, shape text, ember module, torch module or None, input array, float input)."""
    rng = np.random.default_rng(0)
    rows = [
        ("Linear", "256x784 -> 512", lambda lib: lib.nn.Linear(784, 512),
         rng.standard_normal((256, 784)).astype(np.float32), True),
        ("LayerNorm", "256x1024", lambda lib: lib.nn.LayerNorm(1024),
         rng.standard_normal((256, 1024)).astype(np.float32), True),
        ("BatchNorm1d", "256x512", lambda lib: lib.nn.BatchNorm1d(512),
         rng.standard_normal((256, 512)).astype(np.float32), True),
        ("BatchNorm2d", "64x32x28x28", lambda lib: lib.nn.BatchNorm2d(32),
         rng.standard_normal((64, 32, 28, 28)).astype(np.float32), True),
        ("GroupNorm(8)", "64x32x28x28", lambda lib: lib.nn.GroupNorm(8, 32),
         rng.standard_normal((64, 32, 28, 28)).astype(np.float32), True),
        ("GroupNorm(32)", "32x128x14x14", lambda lib: lib.nn.GroupNorm(32, 128),
         rng.standard_normal((32, 128, 14, 14)).astype(np.float32), True),
        ("InstanceNorm2d", "64x32x28x28", lambda lib: lib.nn.InstanceNorm2d(32, affine=True),
         rng.standard_normal((64, 32, 28, 28)).astype(np.float32), True),
        ("Dropout2d(0.5)", "64x32x28x28", lambda lib: lib.nn.Dropout2d(0.5),
         rng.standard_normal((64, 32, 28, 28)).astype(np.float32), True),
        ("Dropout(0.5)", "1024x1024", lambda lib: lib.nn.Dropout(0.5),
         rng.standard_normal((1024, 1024)).astype(np.float32), True),
        ("Embedding", "50000x128, 64x128 ids", lambda lib: lib.nn.Embedding(50000, 128),
         rng.integers(0, 50000, (64, 128)), False),
    ]
    out = []
    for name, shape, make, x, is_float in rows:
        em = make(ember)
        tm = make(torch) if torch is not None else None
        if tm is not None:
            em.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
        out.append((name, shape, em, tm, x, is_float))
    return out


def _step(module, x):
    def run():
        for p in module.parameters():
            p.grad = None
        if x.requires_grad:
            x.grad = None
        module(x).sum().backward()
    return run


def _time_block(fn, calls: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    results = []
    print(f"{'layer':<16}{'shape':<24}{'ember ms':>10}{'torch ms':>10}{'ember/torch':>13}")
    for name, shape, em, tm, x, is_float in _layers():
        e_x = ember.from_numpy(x.copy()).requires_grad_(True) if is_float else \
            ember.from_numpy(x.copy())
        fns = {"ember": _step(em, e_x)}
        if tm is not None:
            t_x = torch.from_numpy(x.copy()).requires_grad_(is_float)
            fns["torch"] = _step(tm, t_x)
        per_round = {k: [] for k in fns}
        for _ in range(args.rounds):
            for lib, fn in fns.items():
                time.sleep(0.3)
                per_round[lib].append(_time_block(fn, args.calls))
        row = {"layer": name, "shape": shape,
               **{f"{k}_ms": statistics.median(v) * 1e3 for k, v in per_round.items()}}
        if tm is not None:
            row["ratio"] = statistics.median(e / t for e, t in zip(per_round["ember"],
                                                                     per_round["torch"]))
        results.append(row)
        print(f"{name:<16}{shape:<24}{row['ember_ms']:>10.3f}"
              f"{row.get('torch_ms', float('nan')):>10.3f}{row.get('ratio', float('nan')):>13.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
