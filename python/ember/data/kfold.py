"""K-fold cross-validation splits (scikit-learn's ``KFold`` for ember datasets)."""
from __future__ import annotations

from .. import _random
from .dataset import Subset, _random_permutation

__all__ = ["KFold"]


class KFold:
    """Split ``n`` samples into ``n_splits`` consecutive folds; each fold is the validation
    set once while the rest train. The first ``n % n_splits`` folds hold one sample more
    (scikit-learn's sizes). With ``shuffle=True`` the samples are permuted first by an ember
    ``Generator`` seeded with ``seed`` (the default generator when ``seed`` is None).

        for train_idx, val_idx in KFold(5, shuffle=True, seed=0).split(dataset): ...
        for train_set, val_set in KFold(5).subsets(dataset): ...
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = False, seed=None):
        if isinstance(n_splits, bool) or not isinstance(n_splits, int) or n_splits < 2:
            raise ValueError(f"KFold: n_splits must be an int >= 2, got {n_splits!r}")
        if seed is not None and not shuffle:
            raise ValueError("KFold: seed has no effect unless shuffle=True")
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.seed = seed

    def get_n_splits(self) -> int:
        return self.n_splits

    def split(self, data):
        """Yield ``(train_indices, val_indices)`` lists for a dataset (anything with ``len``)
        or a sample count."""
        n = data if isinstance(data, int) else len(data)
        if n < self.n_splits:
            raise ValueError(f"KFold: cannot split {n} samples into {self.n_splits} folds")
        if self.shuffle:
            generator = None
            if self.seed is not None:
                generator = _random.Generator().manual_seed(self.seed)
            order = _random_permutation(n, generator)
        else:
            order = list(range(n))
        base, extra = divmod(n, self.n_splits)
        start = 0
        for fold in range(self.n_splits):
            stop = start + base + (fold < extra)
            yield order[:start] + order[stop:], order[start:stop]
            start = stop

    def subsets(self, dataset):
        """Yield ``(train_subset, val_subset)`` pairs of ``Subset``s of ``dataset``."""
        for train, val in self.split(dataset):
            yield Subset(dataset, train), Subset(dataset, val)
