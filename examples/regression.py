"""Regression as networks.

1. A small MLP (1-64-64-1, tanh) fits the nonlinear function y = sin(3x) + 0.3x² from noisy
   samples; its test error is compared with the noise level.
2. Linear, ridge and lasso regression are one ``nn.Linear(d, 1)`` layer each, trained by
   gradient descent on the mean squared error plus, for ridge, λ‖w‖² and, for lasso, λ‖w‖₁.
   Linear and ridge are checked against their closed-form solutions (numpy); lasso is shown
   setting the coefficients of the irrelevant features to (nearly) zero.

    python examples/regression.py
"""
import numpy as np

import ember
from ember import nn, optim
from ember.data import DataLoader, TensorDataset


def fit_nonlinear(rng):
    def f(x):
        return np.sin(3 * x) + 0.3 * x ** 2

    noise = 0.1
    x_train = rng.uniform(-2, 2, size=(2000, 1)).astype(np.float32)
    y_train = (f(x_train) + noise * rng.standard_normal(x_train.shape)).astype(np.float32)
    x_test = np.linspace(-2, 2, 401, dtype=np.float32).reshape(-1, 1)
    loader = DataLoader(TensorDataset(ember.tensor(x_train), ember.tensor(y_train)),
                        batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                          nn.Linear(64, 1))
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.3)
    loss_fn = nn.MSELoss()
    for epoch in range(1, 61):
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        scheduler.step()
        if epoch % 20 == 0:
            print(f"  epoch {epoch}: last batch mse {loss.item():.4f}")
    with ember.no_grad():
        prediction = model(ember.tensor(x_test)).numpy()
    rmse = float(np.sqrt(np.mean((prediction - f(x_test)) ** 2)))
    print(f"  rmse against the true function on [-2, 2]: {rmse:.4f} (noise std {noise})")


def fit_linear(x, y, penalty: str, lam: float, epochs: int = 500):
    """Full-batch gradient descent on mse + the penalty; returns (weights, bias) as numpy."""
    layer = nn.Linear(x.shape[1], 1)
    optimizer = optim.SGD(layer.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    xt, yt = ember.tensor(x), ember.tensor(y).reshape(-1, 1)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(layer(xt), yt)
        if penalty == "ridge":
            loss = loss + lam * (layer.weight ** 2).sum()
        elif penalty == "lasso":
            loss = loss + lam * layer.weight.abs().sum()
        loss.backward()
        optimizer.step()
    return layer.weight.detach().numpy().reshape(-1), float(layer.bias.item())


def closed_form(x, y, lam: float):
    """argmin mean((Xw + b - y)²) + lam‖w‖²: center, then solve (XᵀX/n + lam I) w = Xᵀy/n."""
    xc, yc = x - x.mean(0), y - y.mean()
    n, d = x.shape
    w = np.linalg.solve(xc.T @ xc / n + lam * np.eye(d), xc.T @ yc / n)
    return w, float(y.mean() - x.mean(0) @ w)


def linear_models(rng):
    n, d = 500, 8
    true_w = np.array([2.0, -3.0, 1.5, 0, 0, 0, 0, 0])
    x = rng.standard_normal((n, d)).astype(np.float32)
    y = (x @ true_w + 0.5 + 0.1 * rng.standard_normal(n)).astype(np.float32)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    print(f"  true weights      {true_w}, bias 0.5")
    for name, penalty, lam in [("linear", None, 0.0), ("ridge", "ridge", 0.1),
                               ("lasso", "lasso", 0.1)]:
        w, b = fit_linear(x, y, penalty, lam)
        line = f"  {name:6s} network  {w}, bias {b:.3f}"
        if penalty != "lasso":
            w_exact, b_exact = closed_form(x64, y64, lam)
            line += f"  (max |w - closed form| {np.abs(w - w_exact).max():.1e})"
        else:
            line += f"  ({int(np.sum(np.abs(w) < 0.02))} of {d - 3} irrelevant weights ~0)"
        print(line)


def main():
    np.set_printoptions(precision=3, suppress=True)
    ember.manual_seed(0)
    rng = np.random.default_rng(0)
    print("nonlinear 1-D regression with an MLP:")
    fit_nonlinear(rng)
    print("linear, ridge and lasso regression as one-layer networks:")
    linear_models(rng)


if __name__ == "__main__":
    main()
