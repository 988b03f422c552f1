"""Autograd overhead: per-op time of small ops with and without recording, and forward +
backward of small graphs; ember vs PyTorch (when installed).

    python bench/bench_autograd.py [--repeats 7] [--number 2000] [--json out.json]

Small tensors, so the numbers are the Python/tape overhead, not the kernels. Each library runs
in its own block after a short pause, blocks interleaved; the table gives the median over
repeats of the per-call time in microseconds and ember's ratio to PyTorch (> 1: ember faster).
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


def cases(lib):
    """{name: zero-argument callable} for the library module ``lib`` (ember or torch)."""
    rng = np.random.default_rng(0)

    def t(shape, grad=False):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=grad)

    a, b, ag = t(4), t(4), t(4, True)
    x, w1, w2 = t((64, 32)), t((32, 16), True), t((16, 1), True)

    def mlp():
        ((x @ w1).tanh() @ w2).pow(2).mean().backward()

    def chain():
        y = ag
        for _ in range(20):
            y = y * 1.01 + 0.1
        y.sum().backward()

    return {
        "a + b (no grad)": lambda: a + b,
        "a + b (requires_grad)": lambda: ag + b,
        "a.exp() (requires_grad)": lambda: ag.exp(),
        "(a * b).sum().backward()": lambda: (ag * b).sum().backward(),
        "chain of 40 ops + backward": chain,
        "MLP 64x32x16x1 fwd + bwd": mlp,
    }


def per_call_us(fn, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--json")
    args = parser.parse_args()
    libs = {"ember": cases(ember)}
    if torch is not None:
        torch.set_num_threads(1)
        libs["torch"] = cases(torch)
    times = {lib: {name: [] for name in c} for lib, c in libs.items()}
    for _ in range(args.repeats):
        for lib, c in libs.items():
            time.sleep(0.3)
            for name, fn in c.items():
                fn()  # warm-up
                times[lib][name].append(per_call_us(fn, args.number))
    rows = []
    print(f"{'case':32s} {'ember us':>10s} {'torch us':>10s} {'ratio':>7s}")
    for name in libs["ember"]:
        e = statistics.median(times["ember"][name])
        tt = statistics.median(times["torch"][name]) if "torch" in times else None
        ratio = tt / e if tt else None
        rows.append({"case": name, "ember_us": e, "torch_us": tt, "ratio": ratio})
        print(f"{name:32s} {e:10.2f} {tt if tt else float('nan'):10.2f} "
              f"{ratio if ratio else float('nan'):7.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
