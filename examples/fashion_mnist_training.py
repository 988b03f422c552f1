"""The data and training loop that the Fashion-MNIST examples share.

Reads Debian's dataset-fashion-mnist files (/usr/share/datasets/fashion-mnist), holds out 5,000
training images for validation, and trains with cross-entropy, printing the training loss (with
a tqdm progress bar), the validation accuracy and the time of each epoch, then the test accuracy.
"""
import argparse
import time

from tqdm import tqdm

import ember
from ember import nn
from ember.data import DataLoader, TensorDataset, random_split
from ember.data.datasets import FashionMNIST

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST's training-set pixel statistics


def parse_epochs(doc: str, default: int) -> int:
    """The ``--epochs N`` command-line option of an example whose docstring is ``doc``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=default)
    return parser.parse_args().epochs


def loaders(batch: int, eval_batch: int, flatten: bool = False) -> tuple:
    """(train, validation, test) loaders over whole-array tensors: images as N×784 when
    ``flatten`` else N×1×28×28, normalized; one conversion for all images, one gather per batch."""
    ember.manual_seed(0)
    train_all = TensorDataset(*FashionMNIST(train=True).tensors(flatten=flatten, mean=MEAN,
                                                                std=STD))
    test_set = TensorDataset(*FashionMNIST(train=False).tensors(flatten=flatten, mean=MEAN,
                                                                std=STD))
    train_set, val_set = random_split(train_all, [55000, 5000])
    return (DataLoader(train_set, batch_size=batch, shuffle=True, num_workers=1),
            DataLoader(val_set, batch_size=eval_batch),
            DataLoader(test_set, batch_size=eval_batch))


def accuracy(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = total = 0
    with ember.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.shape[0]
    return correct / total


def train(model: nn.Module, optimizer, data: tuple, epochs: int, scheduler=None) -> None:
    """Trains ``model`` on ``data`` = loaders(...) for ``epochs`` epochs; ``scheduler`` (if any)
    steps after every batch."""
    train_loader, val_loader, test_loader = data
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_start, loss_sum, seen = time.perf_counter(), 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch}/{epochs}", leave=False, mininterval=0.5)
        for x, y in bar:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            loss_sum += loss.item() * y.shape[0]
            seen += y.shape[0]
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", refresh=False)
        val_acc = accuracy(model, val_loader)
        print(f"epoch {epoch}: train loss {loss_sum / seen:.4f}  val acc {val_acc:.4f}  "
              f"time {time.perf_counter() - epoch_start:.1f}s")
    print(f"test accuracy {accuracy(model, test_loader):.4f}  "
          f"(total training time {time.perf_counter() - start:.1f}s)")
