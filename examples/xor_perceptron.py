"""XOR: a single perceptron cannot learn it, a two-layer network can.

1. Rosenblatt's perceptron (a weighted sum through a binary step, trained with the perceptron
   rule) learns AND and OR but never gets all four XOR cases right: no line separates them.
2. A 2-4-1 MLP with tanh hidden units, trained by backpropagation (Adam, binary cross-entropy),
   solves XOR.

    python examples/xor_perceptron.py
"""
import ember
from ember import nn, optim

INPUTS = ember.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = {"AND": [0.0, 0.0, 0.0, 1.0], "OR": [0.0, 1.0, 1.0, 1.0], "XOR": [0.0, 1.0, 1.0, 0.0]}


def step(z):
    """The binary step: 1 where z > 0, else 0."""
    return (z > 0).float()


def train_perceptron(x, y, epochs: int = 50, lr: float = 0.1):
    """The perceptron rule w += lr * (y - step(w·x + b)) * x; returns (w, b, accuracy)."""
    w, b = ember.zeros(2), ember.zeros(1)
    for _ in range(epochs):
        for xi, yi in zip(x, y):
            error = yi - step(xi @ w + b)
            w = w + lr * error * xi
            b = b + lr * error
    accuracy = (step(x @ w + b) == y).float().mean().item()
    return w, b, accuracy


def train_mlp(x, y, epochs: int = 2000):
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x).squeeze(1), y)
        loss.backward()
        optimizer.step()
    with ember.no_grad():
        predictions = step(model(x).squeeze(1))
    return loss.item(), predictions, (predictions == y).float().mean().item()


def main():
    ember.manual_seed(0)
    print("single perceptron with a binary step:")
    for name, target in TARGETS.items():
        _, _, acc = train_perceptron(INPUTS, ember.tensor(target))
        verdict = "learned" if acc == 1.0 else "cannot learn it (not linearly separable)"
        print(f"  {name:3s}: accuracy {acc:.2f}  {verdict}")
    xor = ember.tensor(TARGETS["XOR"])
    loss, predictions, acc = train_mlp(INPUTS, xor)
    print(f"2-layer MLP on XOR: loss {loss:.4f}, predictions {predictions.tolist()}, "
          f"accuracy {acc:.2f}")


if __name__ == "__main__":
    main()
