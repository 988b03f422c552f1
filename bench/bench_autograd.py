"""Autograd overhead: per-op recording cost, backward cost per node, and training steps of small
MLPs; ember vs PyTorch (when installed).

    python bench/bench_autograd.py [--repeats 7] [--scale 1.0] [--threads 1] [--json out.json]

The op cases use tiny tensors, so their times are the Python/tape overhead, not the kernels.
"backward per node" is (chain forward + backward - chain forward) / nodes. The MLP cases are
whole training steps (forward, backward, SGD update under no_grad, gradients set to None).
Each library runs in its own block after a short pause, blocks interleaved; the table gives the
median over repeats of the per-call time in microseconds and ember's ratio to PyTorch (> 1:
ember faster). With one thread (the default) the time is this process's CPU time, which a
machine shared with other jobs disturbs far less than wall time; with more, wall time.
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

CHAIN = 40  # recorded ops in the chain cases


def _mlp_step(lib, sizes, batch, rng):
    """A zero-argument training step of an MLP with the given layer sizes (tanh hidden layers,
    mean squared error, plain SGD)."""
    def t(shape, grad=False):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32) * 0.1, requires_grad=grad)

    params = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        params += [t((n_in, n_out), True), t((n_out,), True)]
    x, y = t((batch, sizes[0])), t((batch, sizes[-1]))

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = h.relu()
        ((h - y) ** 2).mean().backward()
        with lib.no_grad():
            for p in params:
                p.sub_(p.grad * 0.01)
                p.grad = None
    return step


def cases(lib):
    """{name: (zero-argument callable, calls per timing)} for ``lib`` (ember or torch)."""
    rng = np.random.default_rng(0)

    def t(shape, grad=False):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=grad)

    a, b, ag, bg = t(4), t(4), t(4, True), t(4, True)
    m, wg = t((4, 4)), t((4, 4), True)

    def chain_forward():
        y = ag
        for _ in range(CHAIN // 2):
            y = y * 1.01 + 0.1
        return y.sum()

    def chain_backward():
        chain_forward().backward()

    return {
        "a + b (no grad)": (lambda: a + b, 4000),
        "record a + b": (lambda: ag + bg, 4000),
        "record a * 2.0": (lambda: ag * 2.0, 4000),
        "record a.relu()": (lambda: ag.relu(), 4000),
        "record m @ w": (lambda: m @ wg, 4000),
        "record a.sum()": (lambda: ag.sum(), 4000),
        f"chain of {CHAIN} ops, forward": (chain_forward, 200),
        f"chain of {CHAIN} ops, fwd + bwd": (chain_backward, 200),
        "MLP 4-16-3 batch 1 step": (_mlp_step(lib, (4, 16, 3), 1, rng), 300),
        "MLP 784-512-256-10 b128 step": (_mlp_step(lib, (784, 512, 256, 10), 128, rng), 5),
    }


def per_call_us(fn, number: int, clock=time.perf_counter) -> float:
    start = clock()
    for _ in range(number):
        fn()
    return (clock() - start) / number * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the calls per timing")
    parser.add_argument("--threads", type=int, default=1, help="threads of both libraries")
    parser.add_argument("--json")
    args = parser.parse_args()
    ember.set_num_threads(args.threads)
    libs = {"ember": cases(ember)}
    if torch is not None:
        torch.set_num_threads(args.threads)
        libs["torch"] = cases(torch)
    clock = time.process_time if args.threads == 1 else time.perf_counter
    times = {lib: {name: [] for name in c} for lib, c in libs.items()}
    for _ in range(args.repeats):
        for lib, c in libs.items():
            time.sleep(0.3)
            for name, (fn, number) in c.items():
                fn()  # warm-up
                times[lib][name].append(per_call_us(fn, max(1, int(number * args.scale)), clock))
    medians = {lib: {name: statistics.median(v) for name, v in t.items()}
               for lib, t in times.items()}
    for lib in medians:  # the derived row: backward cost per recorded node
        med = medians[lib]
        med["backward per node"] = (med[f"chain of {CHAIN} ops, fwd + bwd"] -
                                    med[f"chain of {CHAIN} ops, forward"]) / (CHAIN + 1)
    rows = []
    print(f"{'case':32s} {'ember us':>10s} {'torch us':>10s} {'ratio':>7s}")
    for name, e in medians["ember"].items():
        tt = medians["torch"][name] if "torch" in medians else None
        ratio = tt / e if tt else None
        rows.append({"case": name, "ember_us": e, "torch_us": tt, "ratio": ratio})
        print(f"{name:32s} {e:10.2f} {tt if tt else float('nan'):10.2f} "
              f"{ratio if ratio else float('nan'):7.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
