"""Per-call overhead of views and indexing (µs), and gathers/joins on a 4096x512 float32 matrix
(ms): ember vs PyTorch (when installed) vs numpy, medians of repeats, each library timed in
its own block after a short pause.

    python bench/bench_views.py [--json out.json]
"""
import argparse
import json
import statistics
import time
import timeit

import numpy as np

import ember

try:
    import torch
except ImportError:
    torch = None


def median_time(fn, number, repeat=7):
    time.sleep(0.3)  # let other libraries' spinning workers go idle
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    small = np.zeros((64, 64), np.float32)
    big = rng.standard_normal((4096, 512)).astype(np.float32)
    rows = rng.integers(0, 4096, 4096)
    cols = rng.integers(0, 512, 256)
    mask = big[:, 0] > 0
    libs = {"ember": (ember.tensor, ember.cat), "numpy": (np.array, np.concatenate)}
    if torch is not None:
        libs["torch"] = (lambda a: torch.from_numpy(np.array(a)), torch.cat)

    overhead = {
        "x[0]": lambda x, i: x[0], "x[:, 1:3]": lambda x, i: x[:, 1:3],
        "x[0, 1]": lambda x, i: x[0, 1], "x[..., None]": lambda x, i: x[..., None],
        "x.view(-1)": lambda x, i: x.reshape(-1) if isinstance(x, np.ndarray) else x.view(-1),
        "x.T": lambda x, i: x.T, "x[::-1]": lambda x, i: x[::-1],
    }
    heavy = {
        "x[rows]": lambda x, i: x[i[0]], "x[:, cols]": lambda x, i: x[:, i[1]],
        "x[mask]": lambda x, i: x[i[2]], "cat dim 1": lambda x, i: i[3]([x, x], 1),
        "x[rows] = 0": lambda x, i: x.__setitem__(i[0], 0.0),
    }
    results = []
    print(f"{'op':16s}" + "".join(f"{name:>12s}" for name in libs) + "   unit")
    for table, data, unit, number in ((overhead, small, "us", 20000), (heavy, big, "ms", 5)):
        for op, fn in table.items():
            row = {}
            for name, (make, cat) in libs.items():
                if name == "torch" and op == "x[::-1]":
                    continue  # PyTorch has no negative steps
                x = make(data)
                idx = (make(rows), make(cols), make(mask), cat)
                scale = 1e6 if unit == "us" else 1e3
                row[name] = median_time(lambda: fn(x, idx), number) * scale
            results.append({"op": op, "unit": unit, **row})
            print(f"{op:16s}" + "".join(f"{row[n]:12.3f}" if n in row else f"{'-':>12s}"
                                        for n in libs) + f"   {unit}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
