"""ember.data (also ``ember.utils.data``): datasets, samplers and the DataLoader, with
``torch.utils.data``'s names and behaviour, plus ``KFold`` splits, the Fashion-MNIST/MNIST
readers (``ember.data.datasets``) and image transforms (``ember.data.transforms``)."""
from .dataset import (Dataset, IterableDataset, TensorDataset, ConcatDataset, Subset,
                      random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                      BatchSampler)
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .kfold import KFold
from . import datasets, transforms

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "BatchSampler", "default_collate", "default_convert",
           "DataLoader", "KFold", "datasets", "transforms"]
