"""Reductions and the simple matmul: ember vs numpy (and PyTorch when installed).

    python bench/bench_reduce.py [--repeats 15] [--rounds 3] [--threads N] [--json out.json]

Sums are reported in GB/s of input read, matmuls in GFLOP/s (2*m*n*k). Each library is timed in
its own block after a short pause (thread pools of the previous one stop spinning), the blocks
are interleaved, and the table shows medians and the median speed ratio ember/other (the
other library's time over ember's: above 1, ember is faster).
"""
from __future__ import annotations

import argparse
import json
import statistics

import numpy as np

import ember
from _harness import time_block

try:
    import torch
except ImportError:  # PyTorch is an optional oracle
    torch = None


def cases():
    rng = np.random.default_rng(0)
    x = rng.random(1 << 24, dtype=np.float32)
    yield "sum", "16M f32", x.nbytes, "GB/s", {
        "ember": (lambda t: lambda: t.sum(), ember.from_numpy(x)),
        "numpy": (lambda a: lambda: a.sum(), x),
        "torch": (lambda t: lambda: t.sum(), torch and torch.from_numpy(x)),
    }
    m = x.reshape(4096, 4096)
    yield "sum dim=0", "4096x4096 f32", m.nbytes, "GB/s", {
        "ember": (lambda t: lambda: t.sum(0), ember.from_numpy(m)),
        "numpy": (lambda a: lambda: a.sum(0), m),
        "torch": (lambda t: lambda: t.sum(0), torch and torch.from_numpy(m)),
    }
    yield "sum dim=1", "4096x4096 f32", m.nbytes, "GB/s", {
        "ember": (lambda t: lambda: t.sum(1), ember.from_numpy(m)),
        "numpy": (lambda a: lambda: a.sum(1), m),
        "torch": (lambda t: lambda: t.sum(1), torch and torch.from_numpy(m)),
    }
    # A conv bias gradient: reduce the outer and inner dims, keep the channels.
    for shape in ((100, 64, 14, 14), (100, 32, 28, 28)):
        g = rng.standard_normal(shape).astype(np.float32)
        yield "sum (0,2,3)", "x".join(map(str, shape)), g.nbytes, "GB/s", {
            "ember": (lambda t: lambda: t.sum((0, 2, 3)), ember.from_numpy(g)),
            "numpy": (lambda a: lambda: a.sum((0, 2, 3)), g),
            "torch": (lambda t: lambda: t.sum((0, 2, 3)), torch and torch.from_numpy(g)),
        }
    # Short rows and a narrow column sum, the other two halves of that pattern.
    r = rng.standard_normal((100, 64, 196)).astype(np.float32)
    yield "sum dim=2", "100x64x196", r.nbytes, "GB/s", {
        "ember": (lambda t: lambda: t.sum(2), ember.from_numpy(r)),
        "numpy": (lambda a: lambda: a.sum(2), r),
        "torch": (lambda t: lambda: t.sum(2), torch and torch.from_numpy(r)),
    }
    c = rng.standard_normal((19600, 64)).astype(np.float32)
    yield "sum dim=0", "19600x64", c.nbytes, "GB/s", {
        "ember": (lambda t: lambda: t.sum(0), ember.from_numpy(c)),
        "numpy": (lambda a: lambda: a.sum(0), c),
        "torch": (lambda t: lambda: t.sum(0), torch and torch.from_numpy(c)),
    }
    for n in (512, 1024):
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        yield "matmul", f"{n}x{n} f32", 2 * n ** 3, "GFLOP/s", {
            "ember": (lambda p: lambda: p[0] @ p[1], (ember.from_numpy(a), ember.from_numpy(b))),
            "numpy": (lambda p: lambda: p[0] @ p[1], (a, b)),
            "torch": (lambda p: lambda: p[0] @ p[1],
                      torch and (torch.from_numpy(a), torch.from_numpy(b))),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per library")
    parser.add_argument("--threads", type=int, help="threads for ember and PyTorch")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    if args.threads:
        ember.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    libs = ["ember", "numpy"] + (["torch"] if torch is not None else [])
    print(f"threads: ember {ember.get_num_threads()}"
          + (f", torch {torch.get_num_threads()}" if torch else "")
          + f"; ember kernels: {ember._C.cpu_capability()}")
    header = f"{'op':<12} {'shape':<14} " + " ".join(f"{lib:>14}" for lib in libs) + \
        "".join(f" {'ember/' + lib:>12}" for lib in libs[1:])
    print(header)
    results = []
    for op, shape, work, unit, impls in cases():
        times = {lib: [] for lib in libs}
        for _ in range(args.rounds):
            for lib in libs:
                make, data = impls[lib]
                times[lib].append(time_block(make(data), args.repeats, pause=0.3))
        scale = 1e9
        rate = {lib: work / statistics.median(times[lib]) / scale for lib in libs}
        ratios = {lib: statistics.median(o / e for e, o in zip(times["ember"], times[lib]))
                  for lib in libs[1:]}
        print(f"{op:<12} {shape:<14} " + " ".join(f"{rate[lib]:>8.2f} {unit:<5}" for lib in libs)
              + "".join(f" {ratios[lib]:>12.2f}" for lib in libs[1:]))
        results.append({"op": op, "shape": shape, "unit": unit, "rate": rate,
                        "speedup_vs": ratios})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
