"""``DataLoader``: batches from a dataset, optionally shuffled, optionally prepared ahead by
background threads."""
from __future__ import annotations

import concurrent.futures
import itertools

from .._tensor import tensor
from .. import _dtype
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader"]

_END = object()  # what an iterable dataset's batch job returns once the stream has run out


class DataLoader:
    """Iterate over ``dataset`` in batches (``torch.utils.data.DataLoader``'s arguments).

    - ``batch_size`` samples per batch (``None``: single samples, not collated); ``drop_last``
      drops a last, shorter batch. ``shuffle=True`` visits the samples in a new random order
      each epoch, drawn with ``ember.randperm`` from ``generator`` or ember's default
      generator, so ``ember.manual_seed(s)`` makes the order reproducible.
    - ``sampler`` (indices) or ``batch_sampler`` (lists of indices) replace the default order;
      ``collate_fn`` turns a list of samples into a batch (``default_collate``).
    - ``num_workers > 0`` starts that many background *threads* (not processes) that prepare
      the next ``prefetch_factor * num_workers`` batches while the model trains on the current
      one; ``prefetch=k`` asks for one such thread keeping ``k`` batches ready. Batches arrive in
      sampler order either way. Threads help because ember's kernels release the GIL; a
      dataset doing pure-Python work per sample gains little.
    - ``pin_memory`` is accepted for porting and ignored (ember has no pinned host memory).

    Fast path: when the dataset defines ``_get_batch`` (``TensorDataset``, and a ``Subset`` of
    one) and no ``collate_fn`` is given, a batch is one ``index_select`` per tensor.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, generator=None, prefetch_factor=None,
                 prefetch: int = 0):
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers should be a non-negative integer, got "
                             f"{num_workers!r}")
        if prefetch_factor is not None and num_workers == 0:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                             "multiprocessing (num_workers > 0)")
        if isinstance(prefetch, bool) or not isinstance(prefetch, int) or prefetch < 0:
            raise ValueError(f"DataLoader: prefetch should be a non-negative integer, got "
                             f"{prefetch!r}")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers else prefetch_factor
        self.prefetch = prefetch
        self.pin_memory = pin_memory
        self.generator = generator
        self._custom_collate = collate_fn is not None
        self._is_iterable = isinstance(dataset, IterableDataset)

        if self._is_iterable:
            if shuffle:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 "and batch_sampler options")
        elif batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        else:
            if sampler is not None and shuffle:
                raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
            if sampler is None:
                sampler = (RandomSampler(dataset, generator=generator) if shuffle
                           else SequentialSampler(dataset))
            if batch_size is not None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if batch_size is not None or batch_sampler is not None \
                else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        if self._is_iterable:
            n = len(self.dataset)  # TypeError for a stream of unknown length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self):
        jobs = self._iterable_jobs() if self._is_iterable else self._map_jobs()
        threads = self.num_workers or (1 if self.prefetch else 0)
        if threads == 0:
            for job in jobs:
                batch = job()
                if batch is _END:
                    return
                yield batch
            return
        # Iterable datasets are read in order by one thread; map-style jobs are independent.
        if self._is_iterable:
            threads = 1
        depth = self.prefetch if self.num_workers == 0 else self.prefetch_factor * threads
        yield from _prefetched(jobs, threads, max(depth, 1))

    def _map_jobs(self):
        """One job per batch: a function returning that batch."""
        dataset, collate = self.dataset, self.collate_fn
        if self.batch_sampler is None:
            return ((lambda i=i: collate(dataset[i])) for i in self.sampler)
        fast = getattr(dataset, "_get_batch", None) if not self._custom_collate else None
        if fast is not None:
            def batch_of(indices):
                return fast(tensor(indices, dtype=_dtype.int64))
            return ((lambda b=b: batch_of(b)) for b in self.batch_sampler)
        return ((lambda b=b: collate([dataset[i] for i in b])) for b in self.batch_sampler)

    def _iterable_jobs(self):
        """Jobs each reading the next batch from the stream (run in order, by one thread)."""
        stream = iter(self.dataset)
        collate, size = self.collate_fn, self.batch_size

        def next_batch():
            if size is None:
                sample = next(stream, _END)
                return sample if sample is _END else collate(sample)
            samples = list(itertools.islice(stream, size))
            if not samples or (self.drop_last and len(samples) < size):
                return _END
            return collate(samples)
        return itertools.repeat(next_batch)


def _prefetched(jobs, threads: int, depth: int):
    """Run ``jobs`` on ``threads`` threads, at most ``depth`` ahead of the consumer, and yield
    their results in order. Leaving the loop early cancels what has not started."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads,
                                                 thread_name_prefix="ember-dataloader")
    pending = []
    try:
        jobs = iter(jobs)
        for job in itertools.islice(jobs, depth):
            pending.append(pool.submit(job))
        while pending:
            batch = pending.pop(0).result()
            if batch is _END:
                return
            job = next(jobs, None)
            if job is not None:
                pending.append(pool.submit(job))
            yield batch
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=False)
