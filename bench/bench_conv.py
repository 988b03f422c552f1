"""Convolution and pooling layers: ember (im2col + GEMM, auto, the naive direct kernels on
small shapes, the register-blocked direct kernel, Winograd on 3x3 stride-1 layers) vs PyTorch,
forward and forward + backward, on CPU, float32.

    python bench/bench_conv.py [--quick] [--steady] [--only PREFIX] [--threads N] [--json PATH]

--threads N sets both libraries' threads; with 1, each call is timed by the CPU time of the
calling thread (time.thread_time), which a loaded machine's waits for a core do not inflate.
--steady times blocks of 20 calls over 9 rounds with no pause between them: on a VM a core left
idle by the pause can stall the next parallel calls for tens of milliseconds, which the default
short blocks (3 calls after a 0.3 s pause) then report as the kernel's time.

Harness of bench_elementwise.py: each library in its own block after a short pause, blocks
interleaved over rounds, medians of calls and of rounds, ratios as medians of per-round ratios.
GFLOP/s counts 2 * multiply-adds of the forward (x3 for forward + backward); pooling rows give
GB/s instead: the bytes of the input read and the output written (x3 for forward + backward).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time

import numpy as np

import ember
import ember.nn.functional as F
from _harness import run_step, time_block

try:
    import torch
except ImportError:  # the table then has no PyTorch column
    torch = None

NAIVE_MAX_FLOP = 2e8  # the direct kernels take seconds beyond this

# name, (N, C_in, H, W), (C_out, k), stride, padding, groups
CONVS = [
    # the two layers of examples/fashion_mnist_cnn.py at its batch (bench_train.py's cnn row)
    ("cnn conv1 1->32 k5", (100, 1, 28, 28), (32, 5), 1, 2, 1),
    ("cnn conv2 32->64 k5", (100, 32, 14, 14), (64, 5), 1, 2, 1),
    ("conv 1->32 k3", (64, 1, 28, 28), (32, 3), 1, 1, 1),
    ("conv 32->64 k3", (64, 32, 14, 14), (64, 3), 1, 1, 1),
    ("conv 64->128 k3", (32, 64, 32, 32), (128, 3), 1, 1, 1),
    ("conv 3->64 k7s2", (32, 3, 64, 64), (64, 7), 2, 3, 1),
    ("conv 1x1 256->64", (32, 256, 28, 28), (64, 1), 1, 0, 1),
    ("depthwise 64 k3", (32, 64, 28, 28), (64, 3), 1, 1, 64),
    ("depthwise 64 k3s2", (32, 64, 56, 56), (64, 3), 2, 1, 64),   # MobileNet's downsampling
]
POOL_SHAPE = (64, 32, 28, 28)


def _conv_rows(rng):
    """(name, shape text, flop (or bytes) of the forward, unit, {library: (forward fn, input
    tensors)})."""
    rows = []
    for name, x_shape, (c_out, k), stride, pad, groups in CONVS:
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal((c_out, x_shape[1] // groups, k, k)).astype(np.float32) * 0.1
        b = rng.standard_normal(c_out).astype(np.float32)
        oh = (x_shape[2] + 2 * pad - k) // stride + 1
        ow = (x_shape[3] + 2 * pad - k) // stride + 1
        flop = 2 * x_shape[0] * c_out * oh * ow * (x_shape[1] // groups) * k * k
        e = [ember.tensor(a, requires_grad=True) for a in (x, w, b)]
        fns = {}
        variants = ["auto", "im2col"] + (["naive"] if flop <= NAIVE_MAX_FLOP else [])
        variants += ["winograd"] if k == 3 and stride == 1 else []  # its only layers
        variants.append("blocked")
        for v in variants:
            fns[f"ember {v}"] = (lambda v=v, e=e, s=stride, p=pad, g=groups:
                                 F.conv2d(e[0], e[1], e[2], s, p, 1, g, variant=v), e)
        if torch is not None:
            t = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
            fns["torch"] = (lambda t=t, s=stride, p=pad, g=groups:
                            torch.nn.functional.conv2d(t[0], t[1], t[2], s, p, 1, g), t)
        rows.append((name, f"{x_shape}->{c_out}", flop, "GF/s", fns))
    x = rng.standard_normal(POOL_SHAPE).astype(np.float32)
    nbytes = 4 * int(np.prod(POOL_SHAPE)) * 5 // 4  # 2x2 windows, stride 2: read all, write 1/4
    # (name, functional, window args): 2x2 tiles the input (the CPU's fast path); 3x3 stride 2
    # padding 1 (the ResNet stem's pool) takes the general path
    for name, fn_name, args in (("max_pool 2x2", "max_pool2d", (2,)),
                                ("avg_pool 2x2", "avg_pool2d", (2,)),
                                ("max_pool 3x3 s2 p1", "max_pool2d", (3, 2, 1))):
        e = [ember.tensor(x, requires_grad=True)]
        fns = {"ember auto": (lambda e=e, f=getattr(F, fn_name), a=args: f(e[0], *a), e)}
        if torch is not None:
            t = [torch.tensor(x, requires_grad=True)]
            fns["torch"] = (lambda t=t, f=getattr(torch.nn.functional, fn_name), a=args:
                            f(t[0], *a), t)
        rows.append((name, str(POOL_SHAPE), nbytes, "GB/s", fns))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--only", metavar="PREFIX", help="only the rows whose name starts so")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--steady", action="store_true",
                        help="long blocks without pauses (steady state, as in training)")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="threads of both libraries (1: time by thread CPU time)")
    args = parser.parse_args()
    clock = time.perf_counter
    if args.threads:
        ember.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
        clock = time.thread_time if args.threads == 1 else time.perf_counter
    rounds, calls, pause = (2, 2, 0.1) if args.quick else (3, 3, 0.3)
    if args.steady:
        rounds, calls, pause = 9, 20, 0.0
    print(f"ember {ember.__version__} ({ember._C.cpu_capability()}, "
          f"{ember.get_num_threads()} threads)"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else
             ", torch not installed"))

    results = []
    for name, shape, flop, unit, fns in _conv_rows(np.random.default_rng(0)):
        if args.only and not name.startswith(args.only):
            continue
        for mode, backward in (("fwd", False), ("fwd+bwd", True)):
            libs = list(fns)
            times = {lib: [] for lib in libs}
            for r in range(rounds):
                for lib in (libs if r % 2 == 0 else libs[::-1]):
                    fn, inputs = fns[lib]
                    grad_off = contextlib.nullcontext()
                    if not backward:
                        grad_off = ember.no_grad() if lib.startswith("ember") else torch.no_grad()
                    with grad_off:
                        times[lib].append(time_block(lambda: run_step(fn, inputs, backward),
                                                     calls, pause, clock=clock))
            work = flop * (3 if backward else 1)
            row = {"op": name, "shape": shape, "mode": mode, "work": work, "unit": unit}
            for lib in libs:
                ms = statistics.median(times[lib]) * 1e3
                row[lib] = {"ms": ms, "rate": work / (ms / 1e3) / 1e9}
                if "torch" in times and lib != "torch":
                    row[lib]["x_torch"] = statistics.median(
                        t / e for t, e in zip(times["torch"], times[lib]))
            results.append(row)
            cells = "  ".join(
                f"{lib} {row[lib]['ms']:8.2f} ms {row[lib]['rate']:6.1f} {unit}"
                + (f" x{row[lib]['x_torch']:.2f}" if "x_torch" in row[lib] else "")
                for lib in libs)
            print(f"{name:<20}{mode:<8}{cells}", flush=True)
    print("\nx: how many times faster than torch (median of per-round ratios)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results}, f, indent=2)


if __name__ == "__main__":
    main()
