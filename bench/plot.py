"""Draw bench_gemm.py's JSON: GFLOP/s vs n (square shapes) for each variant and library, and
the training shapes as grouped bars.

    python bench/plot.py gemm.json gemm.png
    python bench/plot.py square.json training.json gemm.png   # runs of --only, merged
"""
from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402


def main(sources: list, dst: str) -> None:
    runs = []
    for src in sources:
        with open(src) as f:
            runs.append(json.load(f))
    data = dict(runs[0], peak_gflops=max(r["peak_gflops"] for r in runs))
    results = [r for run in runs for r in run["results"]]
    names = []
    for r in results:
        names += [x for x in r["seconds"] if x not in names]
    square = [r for r in results if r["label"] == "square"]
    other = [r for r in results if r["label"] != "square"]

    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5.5),
                                      gridspec_kw={"width_ratios": [1, 1.4]})
    for name in names:
        pts = [(r["n"], r["flop"] / r["seconds"][name] / 1e9) for r in square
               if name in r["seconds"]]
        if pts:
            xs, ys = zip(*pts)
            left.plot(xs, ys, marker="o", label=name,
                      linestyle="--" if not name.startswith("ember") else "-")
    left.axhline(data["peak_gflops"], color="grey", linewidth=0.8, linestyle=":")
    left.text(square[0]["n"] if square else 0, data["peak_gflops"], " peak", va="bottom",
              color="grey")
    left.set_xscale("log", base=2)
    left.set_xlabel("n (square n x n x n, float32)")
    left.set_ylabel("GFLOP/s")
    left.set_title("square GEMM")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)

    width = 0.8 / max(1, len(names))
    labels = [f"{r['label']} {r['m']}x{r['k']}x{r['n']}" for r in other]
    for i, name in enumerate(names):
        xs = [j + i * width for j, r in enumerate(other) if name in r["seconds"]]
        ys = [r["flop"] / r["seconds"][name] / 1e9 for r in other if name in r["seconds"]]
        right.bar(xs, ys, width, label=name)
    right.set_xticks([j + 0.4 - width / 2 for j in range(len(other))])
    right.set_xticklabels(labels, fontsize=7, rotation=35, ha="right")
    right.set_ylabel("GFLOP/s")
    right.set_title("training shapes (M x K x N)")
    right.legend(fontsize=8)
    right.grid(alpha=0.3, axis="y")

    fig.suptitle(f"ember GEMM vs numpy ({data['openblas']}) vs PyTorch {data['torch']}, "
                 f"{data['cpu_count']} cores, {data['ember_capability']} kernels", fontsize=10)
    fig.tight_layout()
    fig.savefig(dst, dpi=110)
    print(f"wrote {dst}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python bench/plot.py RESULTS.json [MORE.json ...] OUT.png")
    main(sys.argv[1:-1], sys.argv[-1])
