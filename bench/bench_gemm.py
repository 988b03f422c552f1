"""GEMM benchmark: ember's CPU GEMM ladder vs numpy (OpenBLAS) vs PyTorch, float32; on a real
GPU also ember's CUDA GEMM ladder vs cuBLAS (through PyTorch, when torch.cuda is available).

    python bench/bench_gemm.py [--json out.json] [--rounds 5] [--quick] [--only cuda]
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

CUDA: each variant is timed with ember.cuda.synchronize() around a block of calls (median
over rounds), float32 and float64, % of the best measured figure. On the SIMT emulator or
without a GPU the CUDA part is skipped (with a line saying so): emulated timings mean nothing.

For the numpy baseline, run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (see the
environment notes); the OpenBLAS kernel in use is printed from threadpoolctl.

On a machine that other processes keep busy, wall-clock times of threaded code mostly measure
the scheduler. For a steadier per-core comparison, time one thread by its CPU time:
    OPENBLAS_NUM_THREADS=1 python bench/bench_gemm.py --threads 1 --clock cpu
(--clock cpu counts only the calling thread's CPU time, so it needs every library on one
thread; it refuses otherwise.)
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
from ember.backends import cuda as cuda_backend

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


CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def block_time(fn, clock, min_time=0.1, max_calls=50):
    """(median, fastest) seconds per call over one block, after one warm-up call."""
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < min_time and len(times) < max_calls):
        t0 = clock()
        fn()
        times.append(clock() - t0)
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


def run_shape(label, m, k, n, linear, rounds, pause, stat, clock):
    libs, work = contenders(m, k, n, linear)
    samples = {name: [] for name in libs}
    for _ in range(rounds):
        for name, fn in libs.items():
            time.sleep(pause)
            samples[name].append(block_time(fn, CLOCKS[clock]))

    def pick(s):
        if stat == "best":
            return min(fastest for _, fastest in s)
        return statistics.median(median for median, _ in s)

    return {"label": label, "m": m, "k": k, "n": n, "linear": linear, "flop": work,
            "seconds": {name: pick(s) for name, s in samples.items()},
            "rounds": {name: [median for median, _ in s] for name, s in samples.items()}}


CUDA_SQUARE = [256, 512, 1024, 2048, 4096]
CUDA_SHAPES = [("batch", 64, 784, 512), ("linear-ish", 256, 4096, 1024), ("matvec", 4096, 4096, 1)]
# The slow CUDA rungs stop where a call takes more than ~50 ms on a current GPU.
CUDA_MAX_WORK = {"naive": 2 * 2048**3, "tiled": 2 * 4096**3}


def cuda_skip_reason() -> str:
    """'' when ember's CUDA kernels run on a real GPU, else why the CUDA part is skipped."""
    if not ember.cuda.is_available():
        return ember.cuda.unavailable_reason() or "no CUDA device"
    if ember.cuda.is_emulated():
        return "the CUDA backend is the SIMT emulator (timings would measure the CPU)"
    return ""


def cuda_block_time(fn, sync, calls):
    """Seconds per call over `calls` back-to-back launches, after one warm-up call."""
    fn()
    sync()
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    sync()
    return (time.perf_counter() - t0) / calls


def run_cuda_shape(label, m, k, n, dtype, rounds):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    ea, eb = ember.from_numpy(a).to("cuda"), ember.from_numpy(b).to("cuda")
    work = 2 * m * n * k
    calls = max(3, min(200, int(2e10 / work)))
    libs = {}
    for variant in cuda_backend.variants():
        if work <= CUDA_MAX_WORK.get(variant, float("inf")):
            libs[f"ember-{variant}"] = (
                lambda v=variant: cuda_backend.gemm(ea, eb, variant=v), ember.cuda.synchronize)
    if torch is not None and torch.cuda.is_available():
        ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
        libs["cublas"] = (lambda: ta @ tb, torch.cuda.synchronize)
    samples = {name: [cuda_block_time(fn, sync, calls) for _ in range(rounds)]
               for name, (fn, sync) in libs.items()}
    return {"label": label, "m": m, "k": k, "n": n, "dtype": np.dtype(dtype).name, "flop": work,
            "seconds": {name: statistics.median(s) for name, s in samples.items()}}


def cuda_benchmark(rounds, quick):
    """The CUDA ladder (and cuBLAS) on square and training shapes; [] when skipped."""
    reason = cuda_skip_reason()
    if reason:
        print(f"# CUDA: skipping CUDA timing: {reason}")
        return []
    print(f"# CUDA: {ember.cuda.get_device_name()}; cuBLAS via torch: "
          f"{'yes' if torch is not None and torch.cuda.is_available() else 'no'}")
    shapes = [("square", s, s, s) for s in (CUDA_SQUARE[1:3] if quick else CUDA_SQUARE)]
    shapes += [] if quick else CUDA_SHAPES
    results = []
    for dtype in (np.float32, np.float64):
        for label, m, k, n in shapes:
            results.append(run_cuda_shape(label, m, k, n, dtype, rounds))
            print(f"# done cuda {np.dtype(dtype).name} {label} {m}x{k}x{n}", file=sys.stderr)
    names = []
    for r in results:
        names += [x for x in r["seconds"] if x not in names]
    print("\nCUDA GFLOP/s (% of the best in the row's dtype)")
    print(f"{'shape':<32}" + "".join(f"{x:>18}" for x in names))
    for r in results:
        best = max(r2["flop"] / t / 1e9 for r2 in results if r2["dtype"] == r["dtype"]
                   for t in r2["seconds"].values())
        shape = f"{r['dtype']} {r['label']} {r['m']}x{r['k']}x{r['n']}"
        row = f"{shape:<32}"
        for x in names:
            t = r["seconds"].get(x)
            g = None if t is None else r["flop"] / t / 1e9
            row += f"{'-':>18}" if g is None else f"{g:10.1f} ({100 * g / best:3.0f}%)"
        print(row)
    return results


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
    ap.add_argument("--only", choices=["square", "training", "cuda"], help="one group of shapes")
    ap.add_argument("--stat", choices=["median", "best"], default="median",
                    help="median: the median over rounds of each block's median call (default); "
                         "best: the fastest call of all, the steadier figure while other "
                         "processes load the machine")
    ap.add_argument("--threads", type=int, help="threads for ember and PyTorch (OpenBLAS: set "
                    "OPENBLAS_NUM_THREADS before starting)")
    ap.add_argument("--clock", choices=list(CLOCKS), default="wall",
                    help="wall: elapsed time (default); cpu: the calling thread's CPU time, "
                         "steady under load but only meaningful with one thread everywhere")
    args = ap.parse_args()
    if args.threads:
        ember.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    if args.clock == "cpu" and (ember.get_num_threads() != 1
                                or os.environ.get("OPENBLAS_NUM_THREADS") != "1"):
        ap.error("--clock cpu needs --threads 1 and OPENBLAS_NUM_THREADS=1: other threads' "
                 "work would not be counted")
    rounds = 2 if args.quick else args.rounds
    square = [256, 1024] if args.quick else SQUARE
    training = TRAINING[2:3] + TRAINING[5:6] if args.quick else TRAINING
    if args.only == "square":
        training = []
    elif args.only == "training":
        square = []
    elif args.only == "cuda":
        square, training = [], []

    load_before = check_load()
    print(f"# ember {ember.__version__} ({ember._C.cpu_capability()} kernels, "
          f"{ember.get_num_threads()} threads); numpy {np.__version__}: {openblas_info()}; "
          f"torch {torch.__version__ if torch else 'not installed'}"
          f"{f' ({torch.get_num_threads()} threads)' if torch else ''}; {args.clock} clock")
    results = []
    for n in square:
        results.append(run_shape("square", n, n, n, False, rounds, args.pause, args.stat,
                                 args.clock))
        print(f"# done square {n}", file=sys.stderr)
    for label, m, k, n, linear in training:
        results.append(run_shape(label, m, k, n, linear, rounds, args.pause, args.stat,
                                 args.clock))
        print(f"# done {label} {m}x{k}x{n}", file=sys.stderr)

    peak = None
    if results:
        best = max(r["flop"] / t / 1e9 for r in results for t in r["seconds"].values())
        fma = fma_peak_gflops()
        peak = best if fma is None else max(best, fma)
        print(f"# peak: best measured {best:.1f} GFLOP/s; FMA estimate "
              f"{'unknown' if fma is None else f'{fma:.1f}'} GFLOP/s (cores x clock x 32)")
        print_table(results, peak)
    cuda_results = cuda_benchmark(rounds, args.quick)
    load_after = check_load()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": platform.processor() or platform.machine(),
                       "cpu_count": os.cpu_count(), "openblas": openblas_info(),
                       "torch": torch.__version__ if torch else None,
                       "ember_capability": ember._C.cpu_capability(),
                       "load_average": [load_before, load_after], "peak_gflops": peak,
                       "stat": args.stat, "clock": args.clock,
                       "results": results, "cuda_results": cuda_results}, f, indent=1)
        print(f"# wrote {args.json}")


if __name__ == "__main__":
    main()
