"""GEMM benchmark: ember's CPU GEMM ladder vs numpy (OpenBLAS) vs PyTorch, float32.

    python bench/bench_gemm.py [--json out.json] [--rounds 5] [--quick]
    python bench/plot.py out.json gemm.png

Shapes: square n = 128 ... 2048, then the shapes training uses (M x K x N: a batch through a
784 -> 512 layer, 64 x 4096 x 1024, matrix-vector products), C = A @ B with row-major A and B;
rows marked "linear" compute x @ W.T with W stored (N, K) as nn.Linear keeps it.

Method (DESIGN.md): each library is timed in its own block after a 0.3 s pause (thread pools
of the previous library stop spinning), blocks are interleaved over several rounds, and each
figure is the median over rounds of the median call time in a block (--stat best: the fastest
call of all rounds instead, for a machine that other work keeps busy; the JSON keeps the
median of every round). Every library gets all threads (ember.set_num_threads, OpenBLAS's and
PyTorch's default of one per core). Peak is the best GFLOP/s any library reaches in the run,
and the FMA-throughput estimate of the CPU is printed beside it.

For the numpy baseline, run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (see the
environment notes); the OpenBLAS kernel in use is printed from threadpoolctl.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import ember
from ember.backends import cpu

try:
    import torch
except ImportError:  # PyTorch is optional: its column is left out
    torch = None

SQUARE = [128, 256, 384, 512, 768, 1024, 1536, 2048]
TRAINING = [  # (label, M, K, N, linear layout)
    ("batch", 1, 784, 512, False), ("batch", 32, 784, 512, False),
    ("batch", 64, 784, 512, False), ("batch", 128, 784, 512, False),
    ("batch", 256, 784, 512, False), ("wide", 64, 4096, 1024, False),
    ("linear", 64, 784, 512, True), ("linear", 256, 784, 512, True),
    ("linear", 64, 4096, 1024, True), ("matvec", 4096, 1024, 1, False),
    ("vecmat", 1, 4096, 1024, False),
]
# The slow rungs are timed only where a call takes well under a second.
MAX_WORK = {"naive": 2 * 256**3, "blocked": 2 * 1024**3}


def openblas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    for pool in threadpool_info():
        if pool.get("internal_api") == "openblas":
            return f"OpenBLAS {pool.get('version')} kernel {pool.get('architecture')}, " \
                   f"{pool.get('num_threads')} threads"
    return "not OpenBLAS"


def fma_peak_gflops() -> float | None:
    """Cores x clock x FP32 FLOP per cycle (AVX-512 or AVX2: two FMA pipes of 256 bits)."""
    try:
        mhz = max(float(line.split(":")[1]) for line in open("/proc/cpuinfo")
                  if line.startswith("cpu MHz"))
    except (OSError, ValueError):
        return None
    cap = ember._C.build_config()["cpu_detected"]
    flops_per_cycle = 32 if cap in ("avx512", "avx2") else 8
    return os.cpu_count() * mhz * 1e-3 * flops_per_cycle


def block_time(fn, min_time=0.1, max_calls=50):
    """(median, fastest) seconds per call over one block, after one warm-up call."""
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < min_time and len(times) < max_calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def contenders(m, k, n, linear):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if linear else (k, n), dtype=np.float32)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    work = 2 * m * n * k
    libs = {}
    for variant in cpu.variants():
        if work <= MAX_WORK.get(variant, float("inf")):
            libs[f"ember-{variant}"] = (lambda v=variant: cpu.gemm(ea, eb, trans_b=linear, variant=v))
    libs["numpy"] = (lambda: a @ b.T) if linear else (lambda: a @ b)
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        libs["torch"] = (lambda: ta @ tb.T) if linear else (lambda: ta @ tb)
    return libs, work


def run_shape(label, m, k, n, linear, rounds, pause, stat):
    libs, work = contenders(m, k, n, linear)
    samples = {name: [] for name in libs}
    for _ in range(rounds):
        for name, fn in libs.items():
            time.sleep(pause)
            samples[name].append(block_time(fn))

    def pick(s):
        if stat == "best":
            return min(fastest for _, fastest in s)
        return statistics.median(median for median, _ in s)

    return {"label": label, "m": m, "k": k, "n": n, "linear": linear, "flop": work,
            "seconds": {name: pick(s) for name, s in samples.items()},
            "rounds": {name: [median for median, _ in s] for name, s in samples.items()}}


def check_load():
    load = os.getloadavg()[0]
    if load > 1.5:
        print(f"# warning: load average {load:.1f} on {os.cpu_count()} cores: timings are noisy",
              file=sys.stderr)
    return load


def print_table(results, peak):
    names = []
    for r in results:
        names += [x for x in r["seconds"] if x not in names]
    head = f"{'shape':<26}" + "".join(f"{x:>14}" for x in names)
    print("\nGFLOP/s (ratio to numpy)")
    print(head)
    for r in results:
        shape = f"{r['label']} {r['m']}x{r['k']}x{r['n']}"
        row = f"{shape:<26}"
        np_t = r["seconds"].get("numpy")
        for x in names:
            t = r["seconds"].get(x)
            if t is None:
                row += f"{'-':>14}"
                continue
            g = r["flop"] / t / 1e9
            row += f"{g:7.1f} ({np_t / t:4.2f})" if np_t else f"{g:14.1f}"
        print(row)
    print("\n% of peak (" + f"{peak:.0f} GFLOP/s)")
    for r in results:
        shape = f"{r['label']} {r['m']}x{r['k']}x{r['n']}"
        print(f"{shape:<26}" + "".join(
            f"{100 * r['flop'] / r['seconds'][x] / 1e9 / peak:13.0f}%" if x in r["seconds"]
            else f"{'-':>14}" for x in names))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pause", type=float, default=0.3)
    ap.add_argument("--quick", action="store_true", help="fewer shapes and rounds")
    ap.add_argument("--only", choices=["square", "training"], help="one group of shapes")
    ap.add_argument("--stat", choices=["median", "best"], default="median",
                    help="median: the median over rounds of each block's median call (default); "
                         "best: the fastest call of all, the steadier figure while other "
                         "processes load the machine")
    args = ap.parse_args()
    rounds = 2 if args.quick else args.rounds
    square = [256, 1024] if args.quick else SQUARE
    training = TRAINING[2:3] + TRAINING[5:6] if args.quick else TRAINING
    if args.only == "square":
        training = []
    elif args.only == "training":
        square = []

    load_before = check_load()
    print(f"# ember {ember.__version__} ({ember._C.cpu_capability()} kernels, "
          f"{ember.get_num_threads()} threads); numpy {np.__version__}: {openblas_info()}; "
          f"torch {torch.__version__ if torch else 'not installed'}"
          f"{f' ({torch.get_num_threads()} threads)' if torch else ''}")
    results = []
    for n in square:
        results.append(run_shape("square", n, n, n, False, rounds, args.pause, args.stat))
        print(f"# done square {n}", file=sys.stderr)
    for label, m, k, n, linear in training:
        results.append(run_shape(label, m, k, n, linear, rounds, args.pause, args.stat))
        print(f"# done {label} {m}x{k}x{n}", file=sys.stderr)

    best = max(r["flop"] / t / 1e9 for r in results for t in r["seconds"].values())
    fma = fma_peak_gflops()
    peak = best if fma is None else max(best, fma)
    print(f"# peak: best measured {best:.1f} GFLOP/s; FMA estimate "
          f"{'unknown' if fma is None else f'{fma:.1f}'} GFLOP/s (cores x clock x 32)")
    print_table(results, peak)
    load_after = check_load()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": platform.processor() or platform.machine(),
                       "cpu_count": os.cpu_count(), "openblas": openblas_info(),
                       "torch": torch.__version__ if torch else None,
                       "ember_capability": ember._C.cpu_capability(),
                       "load_average": [load_before, load_after], "peak_gflops": peak,
                       "stat": args.stat,
                       "results": results}, f, indent=1)
        print(f"# wrote {args.json}")


if __name__ == "__main__":
    main()
