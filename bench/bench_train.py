"""Training throughput: ember vs PyTorch CPU, the same model, batch, optimizer and threads.

    python bench/bench_train.py [--quick] [--threads 2] [--only ROW] [--json PATH]

Rows:
- mlp/sgd, mlp/adam: 784-512-256-10 MLP (ReLU, dropout 0.2), batch 128, cross-entropy,
  SGD (momentum 0.9) or Adam, one full step (zero_grad, forward, loss, backward, step);
- tiny/sgd, tiny/adam: a 16-32-4 MLP at batch 1, where per-op overhead is all there is;
- cnn/adam: examples/fashion_mnist_cnn.py's CNN (conv 5×5 1→32 + ReLU + max-pool 2, conv 5×5
  32→64 + ReLU + max-pool 2, dropout 0.5, Linear 3136→1000, Linear 1000→10) on 100×1×28×28.

Both libraries start from the same weights and see the same batches (synthetic: throughput does
not depend on the values). Each library runs in its own block after a short pause, blocks are
interleaved over rounds, a block reports steps/s over its steps, a row the median over rounds,
and the ratio is the median of the per-round ratios. The FLOP column counts 3 GEMMs per Linear
(forward, grad input, grad weight; the first layer has no grad input), and the same for each
convolution; % peak is against this
machine's best measured GEMM rate (the peak bench/bench_gemm.py reports), given with --peak.

Also: `import ember` vs `import torch` wall time (fresh interpreters, median of 5), and the
installed size of each package.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

import ember

try:
    import torch
except ImportError:
    torch = None


def _mlp(lib, sizes, dropout):
    nn = lib.nn
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def _cnn(lib, dropout):
    """The CNN of examples/fashion_mnist_cnn.py; its state_dict keys match across libraries."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(7 * 7 * 64, 1000), nn.Linear(1000, 10),
    )


def _model(lib, sizes, dropout):
    return _cnn(lib, dropout) if sizes == "cnn" else _mlp(lib, sizes, dropout)


def _copy_weights(src, dst):
    """torch -> ember, by state_dict key, so both start from the same point."""
    state = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in src.state_dict().items()}
    dst.load_state_dict(state)


def _optimizer(lib, name, params):
    if name == "sgd":
        return lib.optim.SGD(params, lr=0.01, momentum=0.9)
    return lib.optim.Adam(params, lr=1e-3)


class _Trainer:
    """One library's model, optimizer and fixed batch; step() is one training step."""

    def __init__(self, lib, model, opt_name, x, y):
        self.lib, self.model = lib, model
        self.opt = _optimizer(lib, opt_name, model.parameters())
        self.loss_fn = lib.nn.CrossEntropyLoss()
        self.x, self.y = x, y

    def step(self):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss

    def run(self, steps):
        self.step()  # warm-up: allocator caches, optimizer state
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = self.step()
        loss.item()
        return steps / (time.perf_counter() - t0)


def _rows(quick):
    big, tiny = (784, 512, 256, 10), (16, 32, 4)
    return [
        # name, sizes (or "cnn"), dropout, batch, optimizer, steps per block
        ("mlp/sgd", big, 0.2, 128, "sgd", 20 if quick else 60),
        ("mlp/adam", big, 0.2, 128, "adam", 20 if quick else 60),
        ("tiny/sgd", tiny, 0.0, 1, "sgd", 300 if quick else 1500),
        ("tiny/adam", tiny, 0.0, 1, "adam", 300 if quick else 1500),
        ("cnn/adam", "cnn", 0.5, 100, "adam", 3 if quick else 8),
    ]


def _flops(sizes, batch):
    """Forward, grad-weight and grad-input GEMMs of every Linear (and convolution), less the
    first layer's grad-input (the data needs no gradient)."""
    if sizes == "cnn":
        # multiply-adds per sample: conv1 (32×28² outputs × 25 taps), conv2 (64×14² × 32·25),
        # then the two Linears
        first, rest = 32 * 28 * 28 * 25, [64 * 14 * 14 * 32 * 25, 7 * 7 * 64 * 1000, 1000 * 10]
        return 2 * batch * (2 * first + 3 * sum(rest))
    products = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2 * batch * (3 * sum(products) - products[0])


def _trainers(sizes, dropout, batch, opt_name, rng):
    if sizes == "cnn":
        x_shape, classes = (batch, 1, 28, 28), 10
    else:
        x_shape, classes = (batch, sizes[0]), sizes[-1]
    x = rng.standard_normal(x_shape).astype(np.float32)
    y = rng.integers(0, classes, batch).astype(np.int64)
    out = {}
    if torch is not None:
        torch.manual_seed(0)
        tm = _model(torch, sizes, dropout)
        out["torch"] = _Trainer(torch, tm, opt_name, torch.from_numpy(x), torch.from_numpy(y))
    em = _model(ember, sizes, dropout)
    if torch is not None:
        _copy_weights(tm, em)
    out["ember"] = _Trainer(ember, em, opt_name, ember.from_numpy(x), ember.from_numpy(y))
    return out


def _import_seconds(module, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - t0)
    base = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - t0)
    return statistics.median(times) - statistics.median(base)


def _installed_mb(module):
    roots = {os.path.dirname(module.__file__)}
    if module is ember:
        roots.add(os.path.dirname(ember._C.__file__))
    total = 0
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in filenames)
    return total / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and rounds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--peak", type=float, default=None, help="machine peak GFLOP/s")
    parser.add_argument("--only", help="run only the rows whose name starts with this (e.g. cnn)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)

    ember.set_num_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    libs = ("ember", "torch") if torch is not None else ("ember",)

    print(f"threads={args.threads}, rounds={rounds}; steps/s (median of rounds)")
    header = f"{'row':<10} {'batch':>5} {'ember':>9} {'torch':>9} {'x torch':>8} {'ember GFLOP/s':>14}"
    if args.peak:
        header += f" {'% peak':>7}"
    print(header)
    results = []
    for name, sizes, dropout, batch, opt_name, steps in _rows(args.quick):
        if args.only and not name.startswith(args.only):
            continue
        trainers = _trainers(sizes, dropout, batch, opt_name, rng)
        per_lib = {lib: [] for lib in libs}
        ratios = []
        for _ in range(rounds):
            for lib in libs:
                time.sleep(0.3)
                per_lib[lib].append(trainers[lib].run(steps))
            if torch is not None:
                ratios.append(per_lib["ember"][-1] / per_lib["torch"][-1])
        med = {lib: statistics.median(v) for lib, v in per_lib.items()}
        gflops = med["ember"] * _flops(sizes, batch) / 1e9
        ratio = statistics.median(ratios) if ratios else float("nan")
        line = (f"{name:<10} {batch:>5} {med['ember']:>9.1f} {med.get('torch', float('nan')):>9.1f}"
                f" {ratio:>8.2f} {gflops:>14.1f}")
        if args.peak:
            line += f" {100 * gflops / args.peak:>6.0f}%"
        print(line)
        results.append({"row": name, "batch": batch, "steps_per_s": med, "ratio_vs_torch": ratio,
                        "ember_gflops": gflops})

    imports = {"ember": _import_seconds("ember")}
    sizes_mb = {"ember": _installed_mb(ember)}
    if torch is not None:
        imports["torch"] = _import_seconds("torch")
        sizes_mb["torch"] = _installed_mb(torch)
    for lib in imports:
        print(f"import {lib}: {imports[lib]:.3f} s; installed size {sizes_mb[lib]:.1f} MB")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results, "import_s": imports, "installed_mb": sizes_mb}, f,
                      indent=2)


if __name__ == "__main__":
    main()
