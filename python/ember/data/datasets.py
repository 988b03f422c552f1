"""MNIST-format image datasets (torchvision's ``MNIST`` and ``FashionMNIST``), read from local
IDX files; nothing is ever downloaded."""
from __future__ import annotations

import os

import numpy as np

from .._tensor import from_numpy
from .dataset import Dataset
from .idx import read_idx

__all__ = ["MNIST", "FashionMNIST"]


class MNIST(Dataset):
    """The MNIST digits (60,000 training and 10,000 test 28×28 grey images) from the IDX files
    ``{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`` in ``root`` (or in torchvision's
    ``root/<ClassName>/raw``).

    ``dataset[i]`` is ``(image, target)``: the image a uint8 28×28 numpy array (what
    ``transforms.ToTensor`` expects) after ``transform``, the target an int after
    ``target_transform``. ``.data`` (uint8, N×28×28) and ``.targets`` (int64, N) hold the whole
    split as ember tensors; ``tensors()`` gives it as training-ready float tensors at once.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    default_root = None
    install_hint = "put the IDX files there (MNIST is not packaged for Debian)"

    def __init__(self, root=None, train: bool = True, transform=None, target_transform=None):
        name = type(self).__name__
        if root is None:
            root = self.default_root
        if root is None:
            raise ValueError(f"{name}: root is required (the folder holding the IDX files)")
        self.root = os.fspath(root)
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        prefix = "train" if train else "t10k"
        images = read_idx(self._find(f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(self._find(f"{prefix}-labels-idx1-ubyte"))
        if images.ndim != 3 or images.dtype != np.uint8 or labels.ndim != 1 \
                or labels.shape[0] != images.shape[0]:
            raise ValueError(f"{name}: {self.root} holds images of shape {images.shape} "
                             f"({images.dtype}) and labels of shape {labels.shape}; expected "
                             f"uint8 N×H×W images and N labels")
        self._images = images
        self._labels = labels.astype(np.int64)
        self.data = from_numpy(self._images)
        self.targets = from_numpy(self._labels)

    def _find(self, stem: str) -> str:
        folders = [self.root, os.path.join(self.root, type(self).__name__, "raw")]
        for folder in folders:
            for candidate in (stem + ".gz", stem):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
        raise FileNotFoundError(f"{type(self).__name__}: {stem}[.gz] not found in "
                                f"{' or '.join(folders)}; {self.install_hint}")

    def __len__(self) -> int:
        return self._labels.shape[0]

    def __getitem__(self, index: int):
        image, target = self._images[index], int(self._labels[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    @property
    def class_to_idx(self) -> dict:
        return {name: i for i, name in enumerate(self.classes)}

    def tensors(self, *, flatten: bool = False, mean=None, std=None):
        """The whole split at once, without per-sample transforms: ``(images, targets)`` with
        images float32 in [0, 1] of shape N×1×28×28 (N×784 when ``flatten``), standardized as
        ``(x - mean) / std`` when those are given, and int64 targets, ready for
        ``TensorDataset``."""
        images = self._images.astype(np.float32) / np.float32(255)
        if mean is not None or std is not None:
            images -= np.float32(0.0 if mean is None else mean)
            images /= np.float32(1.0 if std is None else std)
        n = images.shape[0]
        images = images.reshape(n, -1) if flatten else images.reshape(n, 1, *images.shape[1:])
        return from_numpy(images), from_numpy(self._labels.copy())

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n"
                f"    Root location: {self.root}\n    Split: {split}")


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando's 28×28 grey clothing images, 60,000 train / 10,000 test), by
    default from ``/usr/share/datasets/fashion-mnist``, where Debian's
    ``dataset-fashion-mnist`` package installs the IDX files. Same interface as ``MNIST``."""

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    default_root = "/usr/share/datasets/fashion-mnist"
    install_hint = "install them with `apt-get install dataset-fashion-mnist`"
