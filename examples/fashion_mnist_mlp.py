"""Fashion-MNIST with a 784-512-256-10 MLP (ReLU, dropout 0.2), Adam lr 1e-3 (cosine decay), batch 128.

Reads Debian's dataset-fashion-mnist files (/usr/share/datasets/fashion-mnist), holds out 5,000
training images for validation, trains 5 epochs printing the training loss, the validation
accuracy and the time of each epoch, then prints the test accuracy (about 88-89%).

    python examples/fashion_mnist_mlp.py
"""
import time

from tqdm import tqdm

import ember
from ember import nn, optim
from ember.data import DataLoader, TensorDataset, random_split
from ember.data.datasets import FashionMNIST

EPOCHS, BATCH, LR = 5, 128, 1e-3
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST's training-set pixel statistics


def make_model() -> nn.Module:
    return nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(256, 10),
    )


def accuracy(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = total = 0
    with ember.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.shape[0]
    return correct / total


def main():
    ember.manual_seed(0)
    # Whole-array tensors: one conversion for all 60,000 images, then one gather per batch.
    train_all = TensorDataset(*FashionMNIST(train=True).tensors(flatten=True, mean=MEAN, std=STD))
    test_set = TensorDataset(*FashionMNIST(train=False).tensors(flatten=True, mean=MEAN, std=STD))
    train_set, val_set = random_split(train_all, [55000, 5000])
    train_loader = DataLoader(train_set, batch_size=BATCH, shuffle=True, num_workers=1)
    val_loader = DataLoader(val_set, batch_size=1000)
    test_loader = DataLoader(test_set, batch_size=1000)

    model = make_model()
    optimizer = optim.Adam(model.parameters(), lr=LR)
    # The learning rate decays along a cosine to 0 over the run: ~0.5% more test accuracy.
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * len(train_loader))
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        model.train()
        epoch_start, loss_sum, seen = time.perf_counter(), 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch}/{EPOCHS}", leave=False, mininterval=0.5)
        for x, y in bar:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            loss_sum += loss.item() * y.shape[0]
            seen += y.shape[0]
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", refresh=False)
        val_acc = accuracy(model, val_loader)
        print(f"epoch {epoch}: train loss {loss_sum / seen:.4f}  val acc {val_acc:.4f}  "
              f"time {time.perf_counter() - epoch_start:.1f}s")
    print(f"test accuracy {accuracy(model, test_loader):.4f}  "
          f"(total training time {time.perf_counter() - start:.1f}s)")


if __name__ == "__main__":
    main()
