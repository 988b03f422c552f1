"""Elementwise throughput: ember vs numpy vs PyTorch (when installed), out of place.

    python bench/bench_elementwise.py [--quick] [--json PATH]

Each row times one op on the same inputs in every library. Libraries run in their own blocks,
each after a short pause (thread pools of the previous library go quiet), interleaved over
several rounds; a block reports the median of its calls after a warm-up call, a row the median
over rounds, and the ratios are medians of the per-round ratios. GB/s counts the bytes read
and written once; % peak is against the machine's copy bandwidth measured here.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

import ember
from _harness import interleave, summarize, time_block

try:
    import torch
except ImportError:  # the table then has no PyTorch column
    torch = None

N = 1 << 24  # 16M float32


def _inputs(rng):
    a = rng.standard_normal(N).astype(np.float32)
    b = rng.standard_normal(N).astype(np.float32)
    m = rng.standard_normal((4096, 4096)).astype(np.float32)
    row = rng.standard_normal(4096).astype(np.float32)
    col = rng.standard_normal((4096, 1)).astype(np.float32)
    return {"a": a, "b": b, "m": m, "row": row, "col": col, "rowT": row.reshape(1, 4096)}


def _rows(arrays):
    """(name, shape text, bytes moved, {library: (fn, args)})."""
    f4 = 4
    e = {k: ember.from_numpy(v) for k, v in arrays.items()}
    t = {k: torch.from_numpy(v) for k, v in arrays.items()} if torch is not None else None
    n = arrays["a"], arrays["b"]
    rows = [
        ("add", "16M + 16M", 3 * N * f4,
         {"ember": lambda: e["a"] + e["b"], "numpy": lambda: n[0] + n[1],
          "torch": lambda: t["a"] + t["b"]}),
        ("mul", "16M * 16M", 3 * N * f4,
         {"ember": lambda: e["a"] * e["b"], "numpy": lambda: n[0] * n[1],
          "torch": lambda: t["a"] * t["b"]}),
        ("add scalar", "16M + 2.0", 2 * N * f4,
         {"ember": lambda: e["a"] + 2.0, "numpy": lambda: n[0] + np.float32(2.0),
          "torch": lambda: t["a"] + 2.0}),
        ("exp", "16M", 2 * N * f4,
         {"ember": lambda: ember.exp(e["a"]), "numpy": lambda: np.exp(n[0]),
          "torch": lambda: torch.exp(t["a"])}),
        ("relu", "16M", 2 * N * f4,
         {"ember": lambda: ember.relu(e["a"]), "numpy": lambda: np.maximum(n[0], np.float32(0)),
          "torch": lambda: torch.relu(t["a"])}),
        ("sigmoid", "16M", 2 * N * f4,
         {"ember": lambda: ember.sigmoid(e["a"]),
          "numpy": lambda: 1 / (1 + np.exp(-n[0])), "torch": lambda: torch.sigmoid(t["a"])}),
        ("add bcast", "(4096,4096)+(4096,)", (2 * N + 4096) * f4,
         {"ember": lambda: e["m"] + e["row"], "numpy": lambda: arrays["m"] + arrays["row"],
          "torch": lambda: t["m"] + t["row"]}),
        ("mul outer", "(4096,1)*(1,4096)", (N + 2 * 4096) * f4,
         {"ember": lambda: e["col"] * e["rowT"], "numpy": lambda: arrays["col"] * arrays["rowT"],
          "torch": lambda: t["col"] * t["rowT"]}),
    ]
    rows.append(("sum", "16M", N * f4,
                 {"ember": lambda: ember.sum(e["a"]), "numpy": lambda: n[0].sum(),
                  "torch": lambda: torch.sum(t["a"])}))
    return rows


def _bandwidth(calls: int, pause: float) -> float:
    """Copy bandwidth in GB/s (bytes read + written), the better of numpy's single-threaded
    copy and ember's threaded one, each at its fastest call (a peak, not a typical time)."""
    src = np.ones(N * 2, np.float32)
    dst = np.empty_like(src)
    es, ed = ember.from_numpy(src), ember.from_numpy(dst)
    best = min(time_block(lambda: np.copyto(dst, src), 2 * calls, pause, min),
               time_block(lambda: ed.copy_(es), 2 * calls, pause, min))
    return 2 * src.nbytes / best / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args()
    rounds, calls, pause = (2, 3, 0.1) if args.quick else (5, 5, 0.3)

    libs = ["ember", "numpy"] + (["torch"] if torch is not None else [])
    print(f"ember {ember.__version__} ({ember._C.cpu_capability()}, "
          f"{ember.get_num_threads()} threads), numpy {np.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else
             ", torch not installed"))
    peak = _bandwidth(calls, pause)
    print(f"measured copy bandwidth: {peak:.1f} GB/s\n")

    results = []
    for name, shape, nbytes, fns in _rows(_inputs(np.random.default_rng(0))):
        times = interleave({lib: fns[lib] for lib in libs}, rounds, calls, pause)
        row = {"op": name, "shape": shape, "bytes": nbytes, "peak_gbps": peak,
               **summarize(times, nbytes)}
        row["ember_pct_peak"] = 100 * row["ember_gbps"] / peak
        results.append(row)

    header = f"{'op':<11}{'shape':<21}" + "".join(f"{lib + ' ms':>10}{'GB/s':>7}" for lib in libs)
    header += "".join(f"{'x ' + other:>9}" for other in libs[1:]) + f"{'% peak':>8}"
    print(header)
    print("-" * len(header))
    for row in results:
        line = f"{row['op']:<11}{row['shape']:<21}"
        line += "".join(f"{row[lib + '_ms']:>10.2f}{row[lib + '_gbps']:>7.1f}" for lib in libs)
        line += "".join(f"{row['vs_' + other]:>9.2f}" for other in libs[1:])
        line += f"{row['ember_pct_peak']:>7.0f}%"
        print(line)
    print("\nx numpy / x torch: how many times faster ember is (median of per-round ratios)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"peak_gbps": peak, "rows": results}, f, indent=2)


if __name__ == "__main__":
    main()
