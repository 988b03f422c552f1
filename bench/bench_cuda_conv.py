"""CUDA conv2d benchmark: ember's CUDA variants (naive = the direct kernels, implicit_gemm, auto)
vs PyTorch (cuDNN, when torch.cuda is available), forward, grad_input and grad_weight separately,
float32 and float64, on a real GPU.

    python bench/bench_cuda_conv.py [--quick] [--rounds 5] [--json PATH]
    python bench/bench_cuda_conv.py --smoke     # one tiny shape, also on the SIMT emulator

Method (bench_gemm.py's CUDA part, whose timer this reuses): each kernel is timed with a synchronize around a block of
back-to-back calls after a warm-up call; blocks of the libraries are interleaved over rounds and
each figure is the median over rounds. GFLOP/s counts 2 * multiply-adds of the convolution (the
same for each of the three passes). Without a GPU, or on the SIMT emulator, the timing is
skipped with a line saying so: emulated timings measure the CPU (--smoke runs anyway, to check
the script).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys

import numpy as np

import ember
from ember import _C

from bench_gemm import cuda_block_time as block_time  # bench/ is the script's directory
from bench_gemm import cuda_skip_reason as skip_reason

try:
    import torch
except ImportError:  # the table then has no PyTorch column
    torch = None

VARIANTS = ("naive", "implicit_gemm", "auto")
PASSES = ("forward", "grad_input", "grad_weight")
# The direct kernels stop where a pass takes more than ~50 ms on a current GPU.
NAIVE_MAX_FLOP = 2e11

# name, (N, C_in, H, W), (C_out, k), stride, padding, groups
CONVS = [
    ("conv 3->64 k7s2", (32, 3, 224, 224), (64, 7), 2, 3, 1),
    ("conv 64->64 k3", (32, 64, 56, 56), (64, 3), 1, 1, 1),
    ("conv 128->128 k3", (32, 128, 28, 28), (128, 3), 1, 1, 1),
    ("conv 256->256 k3", (32, 256, 14, 14), (256, 3), 1, 1, 1),
    ("conv 512->512 k3", (32, 512, 7, 7), (512, 3), 1, 1, 1),
    ("conv 1x1 256->64", (32, 256, 56, 56), (64, 1), 1, 0, 1),
    ("conv 64->128 k3s2", (32, 64, 56, 56), (128, 3), 2, 1, 1),
    ("grouped 128 g32 k3", (32, 128, 28, 28), (128, 3), 1, 1, 32),
    ("depthwise 256 k3", (32, 256, 28, 28), (256, 3), 1, 1, 256),
]
QUICK = [CONVS[2], CONVS[5], CONVS[8]]
SMOKE = [("smoke 3->4 k3", (2, 3, 6, 6), (4, 3), 1, 1, 1)]


def ember_passes(x, w, g, geometry, variant):
    """The three passes of ember's conv2d on device tensors, as zero-argument callables."""
    stride, padding, groups = geometry
    args = ([stride] * 2, [padding] * 2, [1, 1], groups, variant)
    x_size, w_size = list(x.shape), list(w.shape)
    return {"forward": lambda: _C.conv2d(x._impl, w._impl, None, *args),
            "grad_input": lambda: _C.conv2d_backward_input(g._impl, w._impl, x_size, *args),
            "grad_weight": lambda: _C.conv2d_backward_weight(g._impl, x._impl, w_size, *args)}


def torch_passes(x, w, g, geometry):
    stride, padding, groups = geometry
    fn = torch.nn.functional.conv2d
    return {"forward": lambda: fn(x, w, None, stride, padding, 1, groups),
            "grad_input": lambda: torch.nn.grad.conv2d_input(x.shape, w, g, stride, padding, 1,
                                                             groups),
            "grad_weight": lambda: torch.nn.grad.conv2d_weight(x, w.shape, g, stride, padding, 1,
                                                               groups)}


def run_conv(name, x_shape, w_spec, stride, padding, groups, dtype, rounds):
    c_out, k = w_spec
    w_shape = (c_out, x_shape[1] // groups, k, k)
    out_h = (x_shape[2] + 2 * padding - k) // stride + 1
    out_w = (x_shape[3] + 2 * padding - k) // stride + 1
    g_shape = (x_shape[0], c_out, out_h, out_w)
    rng = np.random.default_rng(0)
    x, w, g = (rng.standard_normal(s).astype(dtype) for s in (x_shape, w_shape, g_shape))
    flop = 2 * x_shape[0] * c_out * out_h * out_w * w_shape[1] * k * k
    calls = max(3, min(100, int(2e10 / flop)))
    geometry = (stride, padding, groups)
    libs = {}
    ex, ew, eg = (ember.from_numpy(a).to("cuda") for a in (x, w, g))
    for variant in VARIANTS:
        if variant != "naive" or flop <= NAIVE_MAX_FLOP:
            libs[f"ember-{variant}"] = (ember_passes(ex, ew, eg, geometry, variant),
                                        ember.cuda.synchronize)
    if torch is not None and torch.cuda.is_available():
        tx, tw, tg = (torch.from_numpy(a).cuda() for a in (x, w, g))
        libs["torch"] = (torch_passes(tx, tw, tg, geometry), torch.cuda.synchronize)
    samples = {(lib, p): [] for lib in libs for p in PASSES}
    for _ in range(rounds):  # interleaved: every library and pass once per round
        for lib, (passes, sync) in libs.items():
            for p in PASSES:
                samples[lib, p].append(block_time(passes[p], sync, calls))
    return {"name": name, "input": x_shape, "weight": w_shape, "stride": stride,
            "padding": padding, "groups": groups, "dtype": np.dtype(dtype).name, "flop": flop,
            "seconds": {f"{lib} {p}": statistics.median(s) for (lib, p), s in samples.items()}}


def print_table(results):
    libs = list(dict.fromkeys(k.rsplit(" ", 1)[0] for r in results for k in r["seconds"]))
    print("\nGFLOP/s per pass (forward / grad_input / grad_weight)")
    print(f"{'conv':<28}{'dtype':>8}" + "".join(f"{lib:>24}" for lib in libs))
    for r in results:
        cells = []
        for lib in libs:
            t = [r["seconds"].get(f"{lib} {p}") for p in PASSES]
            cells.append("-" if None in t else "/".join(f"{r['flop'] / s / 1e9:.3g}" for s in t))
        print(f"{r['name']:<28}{r['dtype']:>8}" + "".join(f"{c:>24}" for c in cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="three shapes, two rounds")
    ap.add_argument("--smoke", action="store_true",
                    help="one tiny shape, run even on the emulator (checks the script only)")
    args = ap.parse_args()
    reason = skip_reason()
    if reason and not (args.smoke and ember.cuda.is_available()):
        print(f"# CUDA: skipping CUDA conv timing: {reason}")
        return
    convs = SMOKE if args.smoke else QUICK if args.quick else CONVS
    rounds = 1 if args.smoke else 2 if args.quick else args.rounds
    print(f"# CUDA: {ember.cuda.get_device_name()}"
          f"{' (emulated: the figures mean nothing)' if reason else ''}; torch/cuDNN: "
          f"{'yes' if torch is not None and torch.cuda.is_available() else 'no'}")
    results = []
    for dtype in (np.float32, np.float64):
        for conv in convs:
            results.append(run_conv(*conv, dtype, rounds))
            print(f"# done {np.dtype(dtype).name} {conv[0]}", file=sys.stderr)
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": ember.cuda.get_device_name(), "emulated": bool(reason),
                       "results": results}, f, indent=1)
        print(f"# wrote {args.json}")


if __name__ == "__main__":
    main()
