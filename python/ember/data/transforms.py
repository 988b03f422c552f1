"""Per-sample transforms (torchvision's ``Compose``, ``ToTensor``, ``Normalize``, ``Lambda``)
and ``one_hot``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, from_numpy, tensor
from .. import _creation
from .. import _dtype

__all__ = ["Compose", "ToTensor", "Normalize", "Lambda", "one_hot"]


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t}" for t in self.transforms)
        return f"Compose({inner}\n)"


class ToTensor:
    """An image (numpy array or ember tensor, H×W or H×W×C) to a C×H×W tensor; uint8 images are
    scaled to float32 in [0, 1], other dtypes keep their values (as torchvision does)."""

    def __call__(self, image):
        if isinstance(image, Tensor):
            image = image.numpy()
        if not isinstance(image, np.ndarray):
            raise TypeError(f"ToTensor: expected a numpy array or ember.Tensor image, got "
                            f"{type(image).__name__}")
        if image.ndim not in (2, 3):
            raise ValueError(f"ToTensor: expected an H×W or H×W×C image, got shape "
                             f"{image.shape}")
        chw = image[None] if image.ndim == 2 else image.transpose(2, 0, 1)
        if chw.dtype == np.uint8:
            return from_numpy(chw.astype(np.float32) / np.float32(255))
        return tensor(np.ascontiguousarray(chw))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` for each channel c of a (..., C, H, W) float tensor."""

    def __init__(self, mean, std, inplace: bool = False):
        self.mean = tuple(np.atleast_1d(np.asarray(mean, dtype=np.float64)).tolist())
        self.std = tuple(np.atleast_1d(np.asarray(std, dtype=np.float64)).tolist())
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize: std evaluated to zero ({self.std}), leading to "
                             f"division by zero")
        self.inplace = inplace

    def __call__(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor) or not x.is_floating_point():
            raise TypeError(f"Normalize: expected a floating-point ember.Tensor, got "
                            f"{getattr(x, 'dtype', type(x).__name__)}")
        if x.ndim < 3:
            raise ValueError(f"Normalize: expected a tensor of shape (..., C, H, W), got "
                             f"{tuple(x.shape)}")
        channels = x.shape[-3]
        if len(self.mean) not in (1, channels) or len(self.std) not in (1, channels):
            raise ValueError(f"Normalize: {len(self.mean)} means and {len(self.std)} stds for "
                             f"a tensor of {channels} channels (shape {tuple(x.shape)})")
        mean = tensor(self.mean, dtype=x.dtype, device=x.device).view(-1, 1, 1)
        std = tensor(self.std, dtype=x.dtype, device=x.device).view(-1, 1, 1)
        if self.inplace:
            return x.sub_(mean).div_(std)
        return (x - mean) / std

    def __repr__(self) -> str:
        return f"Normalize(mean={list(self.mean)}, std={list(self.std)})"


class Lambda:
    """Wrap a function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, x):
        return self.lambd(x)

    def __repr__(self) -> str:
        return "Lambda()"


def one_hot(input, num_classes: int = -1) -> Tensor:
    """``torch.nn.functional.one_hot``: an int64 tensor of shape ``input.shape + (C,)`` with a
    1 at each entry's class. ``input`` is an integer tensor (or an int, for a target
    transform); ``num_classes=-1`` takes ``input.max() + 1``."""
    if not isinstance(input, Tensor):
        input = tensor(input, dtype=_dtype.int64)
    if input.dtype not in (_dtype.int64, _dtype.int32, _dtype.uint8):
        raise TypeError(f"one_hot: expected an integer tensor, got {input.dtype}")
    if num_classes == -1:
        if input.numel() == 0:
            raise RuntimeError("one_hot: can not infer total number of classes from empty tensor")
        num_classes = int(input.max().item()) + 1
    if input.numel() and (int(input.min().item()) < 0 or int(input.max().item()) >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes})")
    classes = _creation.arange(num_classes, dtype=input.dtype, device=input.device)
    return (input.unsqueeze(-1) == classes).to(_dtype.int64)
