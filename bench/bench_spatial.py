"""Upsampling and padding: ember vs PyTorch, forward and forward + backward, on CPU, float32.

    python bench/bench_spatial.py [--quick] [--only PREFIX] [--json PATH]

Harness of bench/_harness.py: each library in its own block after a short pause, blocks
interleaved over rounds, medians of calls and of rounds, ratios as medians of per-round ratios.
GB/s counts the bytes of the input read and the output written (x2 for forward + backward,
whose backward reads the output's gradient and writes the input's).
"""
from __future__ import annotations

import argparse
import contextlib
import json

import numpy as np

import ember
import ember.nn.functional as F

from _harness import interleave, run_step, summarize

try:
    import torch
except ImportError:  # the table then has no PyTorch column
    torch = None

SMALL = (32, 64, 28, 28)
IMAGE = (8, 3, 224, 224)
VOLUME = (4, 16, 16, 32, 32)

# name, input shape, F.interpolate / F.pad keyword arguments (the same for both libraries)
ROWS = [
    ("nearest x2", SMALL, dict(scale_factor=2, mode="nearest")),
    ("nearest x2", IMAGE, dict(scale_factor=2, mode="nearest")),
    ("bilinear x2", SMALL, dict(scale_factor=2, mode="bilinear", align_corners=False)),
    ("bilinear x2 ac", SMALL, dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ("bilinear ->112", IMAGE, dict(size=(112, 112), mode="bilinear", align_corners=False)),
    ("bilinear ->112 ac", IMAGE, dict(size=(112, 112), mode="bilinear", align_corners=True)),
    ("bicubic x2", SMALL, dict(scale_factor=2, mode="bicubic", align_corners=False)),
    ("trilinear x2", VOLUME, dict(scale_factor=2, mode="trilinear", align_corners=False)),
    ("pad reflect 1", SMALL, dict(pad=(1, 1, 1, 1), mode="reflect")),
    ("pad reflect 3", SMALL, dict(pad=(3, 3, 3, 3), mode="reflect")),
    ("pad replicate 1", SMALL, dict(pad=(1, 1, 1, 1), mode="replicate")),
    ("pad replicate 3", SMALL, dict(pad=(3, 3, 3, 3), mode="replicate")),
    ("pad constant 1", SMALL, dict(pad=(1, 1, 1, 1), mode="constant")),
    ("pad constant 3", SMALL, dict(pad=(3, 3, 3, 3), mode="constant")),
]


def _rows(rng):
    """(name, shape text, bytes of the forward, {library: (forward fn, input tensors)})."""
    rows = []
    for name, shape, kwargs in ROWS:
        x = rng.standard_normal(shape).astype(np.float32)
        e = [ember.tensor(x, requires_grad=True)]
        op = "pad" if name.startswith("pad") else "interpolate"
        fns = {"ember": (lambda e=e, f=getattr(F, op), k=kwargs: f(e[0], **k), e)}
        if torch is not None:
            t = [torch.tensor(x, requires_grad=True)]
            fns["torch"] = (lambda t=t, f=getattr(torch.nn.functional, op), k=kwargs:
                            f(t[0], **k), t)
        with ember.no_grad():
            out_numel = fns["ember"][0]().numel()
        rows.append((name, str(shape), 4 * (x.size + out_numel), fns))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and calls")
    parser.add_argument("--only", metavar="PREFIX", help="only the rows whose name starts so")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args()
    rounds, calls, pause = (2, 3, 0.1) if args.quick else (5, 5, 0.3)
    print(f"ember {ember.__version__} ({ember._C.cpu_capability()}, "
          f"{ember.get_num_threads()} threads)"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else
             ", torch not installed"))

    results = []
    for name, shape, nbytes, fns in _rows(np.random.default_rng(0)):
        if args.only and not name.startswith(args.only):
            continue
        for mode, backward in (("fwd", False), ("fwd+bwd", True)):
            def timed(lib, backward=backward):
                fn, inputs = fns[lib]
                grad_off = contextlib.nullcontext()
                if not backward:
                    grad_off = ember.no_grad() if lib == "ember" else torch.no_grad()

                def call():
                    with grad_off:
                        run_step(fn, inputs, backward)
                return call
            times = interleave({lib: timed(lib) for lib in fns}, rounds, calls, pause)
            row = {"op": name, "shape": shape, "mode": mode,
                   **summarize(times, nbytes * (2 if backward else 1))}
            results.append(row)
            cells = "  ".join(f"{lib} {row[f'{lib}_ms']:8.2f} ms {row[f'{lib}_gbps']:6.2f} GB/s"
                              for lib in times)
            ratio = f"  x{row['vs_torch']:.2f} torch" if "vs_torch" in row else ""
            print(f"{name:<18}{shape:<20}{mode:<8}{cells}{ratio}", flush=True)
    print("\nx: how many times faster than torch (median of per-round ratios of torch / ember)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results}, f, indent=2)


if __name__ == "__main__":
    main()
