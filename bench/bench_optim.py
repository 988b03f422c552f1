"""Optimizer step throughput: ember's fused kernels vs PyTorch (foreach and single-tensor).

    python bench/bench_optim.py [--quick] [--threads N] [--json PATH]

One step over the parameters of a 784-512-256-10 MLP (weights and biases, ~535k float32), with
gradients already in place: SGD with momentum and Adam. Libraries run in their own blocks, each
after a short pause, interleaved over several rounds; a block reports the median of its calls
after a warm-up call, a row the median over rounds, and the ratio is the median of per-round
ratios. GB/s counts the bytes each rule must read and write once (param, grad and state).
"""
from __future__ import annotations

import argparse
import json

import numpy as np

import ember
from _harness import interleave, summarize

try:
    import torch
except ImportError:  # the table then has only ember's column
    torch = None

LAYERS = [(784, 512), (512, 256), (256, 10)]
SHAPES = [s for fan_in, fan_out in LAYERS for s in ((fan_out, fan_in), (fan_out,))]
NUMEL = sum(int(np.prod(s)) for s in SHAPES)

# name, ember/torch class name, kwargs, buffers touched per element (reads + writes, in floats):
# SGD momentum: param r/w, grad r, buffer r/w = 5; Adam: param r/w, grad r, 2 moments r/w = 7.
RULES = [("SGD momentum", "SGD", dict(lr=0.01, momentum=0.9), 5),
         ("Adam", "Adam", dict(lr=1e-3), 7)]


def _steppers(cls_name: str, kwargs: dict, values, grads) -> dict:
    """{library: step function}, each over its own copy of the parameters."""
    ember_ps = [ember.tensor(v, requires_grad=True) for v in values]
    for p, g in zip(ember_ps, grads):
        p.grad = ember.tensor(g)
    out = {"ember": getattr(ember.optim, cls_name)(ember_ps, **kwargs).step}
    if torch is not None:
        for label, foreach in (("torch foreach", True), ("torch single", False)):
            torch_ps = [torch.tensor(v, requires_grad=True) for v in values]
            for p, g in zip(torch_ps, grads):
                p.grad = torch.tensor(g)
            out[label] = getattr(torch.optim, cls_name)(torch_ps, foreach=foreach, **kwargs).step
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--threads", type=int, help="threads for both libraries")
    args = parser.parse_args()
    if args.threads:
        ember.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    rounds, calls, pause = (3, 10, 0.1) if args.quick else (7, 30, 0.3)

    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 0.01 for s in SHAPES]
    print(f"ember {ember.__version__} ({ember._C.cpu_capability()}, "
          f"{ember.get_num_threads()} threads)"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else
             ", torch not installed"))
    print(f"parameters: {len(SHAPES)} tensors, {NUMEL} float32\n")

    results = []
    for name, cls_name, kwargs, floats_per_element in RULES:
        fns = _steppers(cls_name, kwargs, values, grads)
        libs = list(fns)
        times = interleave(fns, rounds, calls, pause)
        nbytes = floats_per_element * 4 * NUMEL
        row = {"rule": name, "numel": NUMEL, "bytes": nbytes, **summarize(times, nbytes)}
        results.append((libs, row))

    for libs, row in results:
        print(f"{row['rule']}: " + ", ".join(
            f"{lib} {row[lib + '_ms']:.3f} ms ({row[lib + '_gbps']:.1f} GB/s)" for lib in libs))
        if len(libs) > 1:
            print("  ember is " + ", ".join(f"{row['vs_' + o]:.2f}x faster than {o}"
                                            for o in libs[1:]))
    print("\nx: median of per-round ratios (other library's time / ember's)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([row for _, row in results], f, indent=2)


if __name__ == "__main__":
    main()
