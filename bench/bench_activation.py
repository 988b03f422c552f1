"""Activations, softmax and cross-entropy: ember vs PyTorch (when installed), forward and
forward+backward.

    python bench/bench_activation.py [--quick] [--json PATH]

Each row times one op on the same float32 inputs in both libraries: "fwd" is the op alone
(no grad), "fwd+bwd" the op with the input requiring grad followed by backward() of the result
with a ones upstream gradient (for a loss: of the scalar). Libraries run in their own blocks,
each after a short pause, interleaved over several rounds (bench/_harness.py); a row reports
medians, and "x torch" the median of the per-round ratios.
GB/s counts the bytes the fused kernels read and write once (forward: input + output;
backward: upstream gradient + saved tensor + input gradient).
"""
from __future__ import annotations

import argparse
import json

import numpy as np

import ember
import ember.nn.functional as F
from _harness import interleave, summarize

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # the table then has no PyTorch column
    torch = None

SHAPES = [(128, 512), (4096, 4096)]
F4 = 4


def _ops():
    """(name, ember function, PyTorch function or None)."""
    return [
        ("relu", F.relu, TF.relu if torch else None),
        ("gelu", F.gelu, TF.gelu if torch else None),
        ("silu", F.silu, TF.silu if torch else None),
        ("softmax", lambda x: F.softmax(x, -1), (lambda x: TF.softmax(x, -1)) if torch else None),
        ("cross_entropy", F.cross_entropy, TF.cross_entropy if torch else None),
    ]


def _case(fn, x, backward: bool, target=None):
    """A zero-argument callable running fn on x (with the class targets of a loss), and
    backward through it when asked."""
    args = (x,) if target is None else (x, target)
    if not backward:
        return lambda: fn(*args)

    def run():
        y = fn(*args)
        y.backward(ember.ones(*y.shape) if isinstance(y, ember.Tensor) else torch.ones_like(y))
    return run


def _rows(rng):
    """(op, mode, shape text, bytes moved, {library: callable})."""
    rows = []
    for shape in SHAPES:
        n = shape[0] * shape[1]
        a = rng.standard_normal(shape).astype(np.float32)
        classes = rng.integers(0, shape[1], size=shape[0]).astype(np.int64)
        inputs = {"ember": (ember.from_numpy(a), ember.from_numpy(a.copy()).requires_grad_(),
                            ember.from_numpy(classes))}
        if torch is not None:
            inputs["torch"] = (torch.from_numpy(a), torch.from_numpy(a.copy()).requires_grad_(),
                               torch.from_numpy(classes))
        text = f"({shape[0]},{shape[1]})"
        for name, efn, tfn in _ops():
            fns = {"ember": efn, "torch": tfn}
            loss = name == "cross_entropy"
            # A loss reads the logits (forward), then reads them and writes their gradient.
            fwd_bytes, bwd_bytes = ((n * F4, 3 * n * F4) if loss else (2 * n * F4, 5 * n * F4))
            for mode, nbytes, backward in (("fwd", fwd_bytes, False),
                                           ("fwd+bwd", bwd_bytes, True)):
                cases = {lib: _case(fns[lib], x_grad if backward else x, backward,
                                    target if loss else None)
                         for lib, (x, x_grad, target) in inputs.items()}
                rows.append((name, mode, text, nbytes, cases))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args()
    rounds, calls, pause = (2, 3, 0.1) if args.quick else (5, 5, 0.3)

    libs = ["ember"] + (["torch"] if torch is not None else [])
    print(f"ember {ember.__version__} ({ember._C.cpu_capability()}, "
          f"{ember.get_num_threads()} threads)"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else
             ", torch not installed") + "\n")

    results = []
    for name, mode, shape, nbytes, fns in _rows(np.random.default_rng(0)):
        times = interleave({lib: fns[lib] for lib in libs}, rounds, calls, pause)
        row = {"op": name, "mode": mode, "shape": shape, "bytes": nbytes,
               **summarize(times, nbytes)}
        results.append(row)

    header = f"{'op':<15}{'mode':<9}{'shape':<13}" + "".join(
        f"{lib + ' ms':>10}{'GB/s':>7}" for lib in libs) + (f"{'x torch':>9}" if torch else "")
    print(header)
    print("-" * len(header))
    for row in results:
        line = f"{row['op']:<15}{row['mode']:<9}{row['shape']:<13}"
        line += "".join(f"{row[lib + '_ms']:>10.3f}{row[lib + '_gbps']:>7.1f}" for lib in libs)
        if torch is not None:
            line += f"{row['vs_torch']:>9.2f}"
        print(line)
    print("\nx torch: how many times faster ember is (median of per-round ratios)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results}, f, indent=2)


if __name__ == "__main__":
    main()
