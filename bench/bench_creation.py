"""Creation and random sampling: ember vs numpy vs PyTorch (when installed).

    python bench/bench_creation.py [--sizes 1048576 16777216] [--repeats 7] [--json out.json]

Each library runs in its own block after a short pause, blocks interleaved; the table gives
median times and ember's ratio to each (ratio > 1: ember is faster).
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
except ImportError:
    torch = None


def cases(n: int):
    rng = np.random.default_rng(0)
    out = {
        "full": (lambda: ember.full((n,), 1.5), lambda: np.full(n, 1.5, np.float32),
                 torch and (lambda: torch.full((n,), 1.5))),
        "arange": (lambda: ember.arange(n), lambda: np.arange(n),
                   torch and (lambda: torch.arange(n))),
        "rand": (lambda: ember.rand(n), lambda: rng.random(n, dtype=np.float32),
                 torch and (lambda: torch.rand(n))),
        "randn": (lambda: ember.randn(n), lambda: rng.standard_normal(n, dtype=np.float32),
                  torch and (lambda: torch.randn(n))),
        "randint": (lambda: ember.randint(0, 100, (n,)), lambda: rng.integers(0, 100, n),
                    torch and (lambda: torch.randint(0, 100, (n,)))),
        "randperm": (lambda: ember.randperm(n // 16), lambda: rng.permutation(n // 16),
                     torch and (lambda: torch.randperm(n // 16))),
    }
    return out


def time_once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1 << 20, 1 << 24])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(ember.get_num_threads())
    results = []
    print(f"{'op':9s} {'n':>9s} {'ember ms':>9s} {'numpy ms':>9s} {'torch ms':>9s} "
          f"{'vs numpy':>9s} {'vs torch':>9s}")
    for n in args.sizes:
        for name, fns in cases(n).items():
            libs = [f for f in fns if f]
            for f in libs:
                f()  # warm-up
            times = [[] for _ in libs]
            for _ in range(args.repeats):
                for k, f in enumerate(libs):
                    time.sleep(0.3)
                    times[k].append(time_once(f))
            med = [statistics.median(t) * 1e3 for t in times]
            torch_ms = med[2] if len(med) > 2 else float("nan")
            print(f"{name:9s} {n:9d} {med[0]:9.2f} {med[1]:9.2f} {torch_ms:9.2f} "
                  f"{med[1] / med[0]:9.2f} {torch_ms / med[0]:9.2f}")
            results.append({"op": name, "n": n, "ember_ms": med[0], "numpy_ms": med[1],
                            "torch_ms": None if len(med) < 3 else torch_ms})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
