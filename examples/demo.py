"""A short tour of ember's tensors and kernels (the main job until training lands).

Fits a linear model by hand-written gradient descent with ember's matmul, elementwise and
reduction kernels, checks it against numpy's least-squares solution, and times a few kernels
against numpy on 16M floats.
"""
import time

import numpy as np

import ember


def fit_linear_model():
    ember.manual_seed(0)
    n, d = 4096, 17
    X = ember.randn(n, d)
    w_true = ember.arange(d, dtype=ember.float32) / d - 0.5
    y = X @ w_true + 0.01 * ember.randn(n)

    w = ember.zeros(d)
    lr = 0.5
    for step in range(60):
        residual = X @ w - y
        loss = (residual ** 2).mean()
        grad = X.T @ residual * (2.0 / n)
        w -= lr * grad
        if step % 15 == 0 or step == 59:
            print(f"  step {step:2d}  mse {loss.item():.6f}")

    w_lstsq = np.linalg.lstsq(X.numpy(), y.numpy(), rcond=None)[0]
    err = ember.from_numpy(w_lstsq).sub(w).abs().max().item()
    print(f"  max |w - lstsq| = {err:.2e}  ({'ok' if err < 1e-3 else 'MISMATCH'})")
    return err < 1e-3


def time_kernels():
    a = np.random.default_rng(0).standard_normal(1 << 24).astype(np.float32)
    b = np.random.default_rng(1).standard_normal(1 << 24).astype(np.float32)
    ta, tb = ember.from_numpy(a), ember.from_numpy(b)
    print(f"  {'op':<6}{'ember ms':>10}{'numpy ms':>10}")
    for name, run_ember, run_numpy in [
        ("add", lambda: ta + tb, lambda: a + b),
        ("exp", lambda: ember.exp(ta), lambda: np.exp(a)),
        ("relu", lambda: ember.relu(ta), lambda: np.maximum(a, 0)),
        ("sum", lambda: ta.sum(), lambda: a.sum()),
    ]:
        times = []
        for run in (run_ember, run_numpy):
            run()
            best = float("inf")
            for _ in range(5):
                t0 = time.perf_counter()
                run()
                best = min(best, time.perf_counter() - t0)
            times.append(best * 1e3)
        print(f"  {name:<6}{times[0]:>10.2f}{times[1]:>10.2f}")


def main():
    ember.show_config()
    print("\nLinear regression by gradient descent (ember kernels):")
    ok = fit_linear_model()
    print("\nKernels on 16M float32 (best of 5; see bench/ for the full benchmarks):")
    time_kernels()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
