"""ember.data: datasets, samplers, default_collate, DataLoader (threads too), KFold."""
import threading
import time
from collections import namedtuple

import numpy as np
import pytest

import ember
from ember.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset,
                        KFold, RandomSampler, SequentialSampler, Subset, SubsetRandomSampler,
                        TensorDataset, default_collate, random_split)


class Squares(Dataset):
    """Sample i is (i as a float32 tensor of shape (2,), i*i as an int)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return ember.tensor([float(i), -float(i)]), i * i


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def _xy(n, device="cpu"):
    x = ember.arange(n * 3, dtype=ember.float32, device=device).reshape(n, 3)
    y = ember.arange(n, device=device)
    return x, y


def test_utils_data_is_ember_data():
    from ember.utils.data import DataLoader as DL
    import ember.utils.data as ud
    assert DL is DataLoader and ud is ember.data


def test_tensor_dataset_items_and_errors():
    x, y = _xy(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    xi, yi = ds[2]
    assert xi.tolist() == [6.0, 7.0, 8.0] and yi.item() == 2
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(x, ember.arange(4))
    with pytest.raises(TypeError, match="ember.Tensor"):
        TensorDataset(np.zeros(3))


@pytest.mark.parametrize("n,batch,drop_last", [(1, 1, False), (7, 3, False), (7, 3, True),
                                               (12, 4, True), (13, 64, False), (0, 3, False)])
def test_loader_sequential_batches(n, batch, drop_last):
    x, y = _xy(n)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, drop_last=drop_last)
    batches = list(loader)
    assert len(batches) == len(loader) == (n // batch if drop_last else -(-n // batch))
    got = [int(v) for _, yb in batches for v in yb.tolist()]
    assert got == list(range(len(batches) * batch if drop_last else n))
    for xb, yb in batches:
        assert xb.shape == (yb.shape[0], 3) and xb.dtype == ember.float32
        np.testing.assert_array_equal(xb.numpy(), x.numpy()[yb.numpy()])


def test_loader_fast_path_is_one_index_op_and_matches_per_sample(monkeypatch):
    x, y = _xy(11)
    ds = TensorDataset(x, y)
    calls = []
    original = ds._get_batch
    monkeypatch.setattr(ds, "_get_batch", lambda idx: calls.append(idx.tolist()) or original(idx))
    monkeypatch.setattr(TensorDataset, "__getitem__",
                        lambda self, i: pytest.fail("fast path indexed a single sample"))
    ember.manual_seed(3)
    fast = [[t.numpy().copy() for t in b] for b in DataLoader(ds, batch_size=4, shuffle=True)]
    assert len(calls) == 3 and sorted(sum(calls, [])) == list(range(11))
    monkeypatch.undo()
    ember.manual_seed(3)
    slow = DataLoader(ds, batch_size=4, shuffle=True, collate_fn=default_collate)
    for (xf, yf), (xs, ys) in zip(fast, slow):
        np.testing.assert_array_equal(xf, xs.numpy())
        np.testing.assert_array_equal(yf, ys.numpy())


def test_loader_tensor_dataset_on_device(device):
    x, y = _xy(6, device)
    xb, yb = next(iter(DataLoader(TensorDataset(x, y), batch_size=4)))
    assert xb.device.type == device and yb.device.type == device
    assert yb.tolist() == [0, 1, 2, 3]


def test_shuffle_is_a_permutation_seeded_by_manual_seed():
    x, y = _xy(50)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    ember.manual_seed(0)
    first = [v for _, yb in loader for v in yb.tolist()]
    second = [v for _, yb in loader for v in yb.tolist()]
    ember.manual_seed(0)
    again = [v for _, yb in loader for v in yb.tolist()]
    assert sorted(first) == list(range(50)) and first != list(range(50))
    assert first == again and first != second  # new order each epoch, same after re-seeding


def test_shuffle_generator_argument():
    x, y = _xy(30)
    ds = TensorDataset(x, y)
    orders = []
    for _ in range(2):
        g = ember.Generator().manual_seed(7)
        orders.append([v for _, yb in DataLoader(ds, batch_size=30, shuffle=True, generator=g)
                       for v in yb.tolist()])
    assert orders[0] == orders[1]
    assert orders[0] == ember.randperm(30, generator=ember.Generator().manual_seed(7)).tolist()


def test_loader_generic_dataset_collates_tensors_and_numbers():
    xb, yb = next(iter(DataLoader(Squares(10), batch_size=4)))
    assert xb.shape == (4, 2) and xb.dtype == ember.float32
    assert yb.dtype == ember.int64 and yb.tolist() == [0, 1, 4, 9]


def test_batch_size_none_yields_converted_samples():
    samples = list(DataLoader(Squares(3), batch_size=None))
    assert len(samples) == 3 and samples[2][1] == 4 and samples[2][0].tolist() == [2.0, -2.0]


def test_default_collate_kinds():
    Point = namedtuple("Point", "x y")
    out = default_collate([{"a": np.ones((2, 2), np.float32), "b": 1.5, "c": True, "s": "u",
                            "p": Point(1, np.int32(2))},
                           {"a": np.zeros((2, 2), np.float32), "b": 2.5, "c": False, "s": "v",
                            "p": Point(3, np.int32(4))}])
    assert out["a"].shape == (2, 2, 2) and out["a"].dtype == ember.float32
    assert out["b"].dtype == ember.float64 and out["b"].tolist() == [1.5, 2.5]
    assert out["c"].dtype == ember.bool and out["s"] == ["u", "v"]
    assert isinstance(out["p"], Point) and out["p"].x.dtype == ember.int64
    assert out["p"].y.dtype == ember.int32 and out["p"].y.tolist() == [2, 4]
    pairs = default_collate([(1, [2.0, 3.0]), (4, [5.0, 6.0])])
    assert isinstance(pairs, list) and pairs[0].tolist() == [1, 4]
    assert pairs[1][1].tolist() == [3.0, 6.0]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="non-empty list"):
        default_collate([])
    with pytest.raises(TypeError, match="has no ember dtype"):
        default_collate([np.ones(2, np.float16)])


def test_samplers():
    data = list(range(10))
    assert list(SequentialSampler(data)) == data
    ember.manual_seed(1)
    perm = list(RandomSampler(data))
    assert sorted(perm) == data
    draws = list(RandomSampler(data, replacement=True, num_samples=25))
    assert len(draws) == 25 and all(0 <= d < 10 for d in draws)
    longer = list(RandomSampler(data, num_samples=25))
    assert len(longer) == 25 and sorted(longer[:10]) == data
    assert sorted(SubsetRandomSampler([3, 5, 9])) == [3, 5, 9]
    assert list(BatchSampler(SequentialSampler(data), 4, False)) == [[0, 1, 2, 3], [4, 5, 6, 7],
                                                                     [8, 9]]
    assert len(BatchSampler(SequentialSampler(data), 4, True)) == 2
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(data, 0, False)
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(data, num_samples=0)


def test_loader_with_sampler_and_batch_sampler():
    x, y = _xy(10)
    ds = TensorDataset(x, y)
    got = [yb.tolist() for _, yb in DataLoader(ds, batch_size=2, sampler=[9, 8, 7])]
    assert got == [[9, 8], [7]]
    got = [yb.tolist() for _, yb in DataLoader(ds, batch_sampler=[[1, 5], [0]])]
    assert got == [[1, 5], [0]]
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=4)
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(ds, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, num_workers=-1)


@pytest.mark.parametrize("kwargs", [{"num_workers": 1}, {"num_workers": 3, "prefetch_factor": 1},
                                    {"prefetch": 2}])
def test_threaded_loading_keeps_order(kwargs):
    x, y = _xy(23)
    ds = TensorDataset(x, y)
    expected = [yb.tolist() for _, yb in DataLoader(ds, batch_size=4)]
    for collate in (None, default_collate):
        got = [yb.tolist() for _, yb in DataLoader(ds, batch_size=4, collate_fn=collate, **kwargs)]
        assert got == expected


def test_prefetch_runs_ahead_in_a_background_thread():
    seen_threads = set()

    class Slow(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            seen_threads.add(threading.get_ident())
            time.sleep(0.01)
            return i

    got = [b.tolist() for b in DataLoader(Slow(), batch_size=2, num_workers=2)]
    assert got == [[0, 1], [2, 3], [4, 5]]
    assert threading.get_ident() not in seen_threads


def test_early_break_from_threaded_loader_and_worker_error():
    x, y = _xy(40)
    for _, yb in DataLoader(TensorDataset(x, y), batch_size=2, num_workers=2):
        break
    with pytest.raises(IndexError):
        list(DataLoader(Squares(3), batch_size=2, sampler=[0, 1, 7], num_workers=2))


@pytest.mark.parametrize("kwargs", [{}, {"prefetch": 2}])
def test_iterable_dataset(kwargs):
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, **kwargs)] == \
        [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True, **kwargs)] \
        == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(TypeError):
        len(DataLoader(Stream(3)))


def test_concat_and_subset():
    a, b = TensorDataset(*_xy(3)), Squares(4)
    cat = a + b
    assert isinstance(cat, ConcatDataset) and len(cat) == 7
    assert cat[2][1].item() == 2 and cat[3][1] == 0 and cat[-1][1] == 9
    with pytest.raises(IndexError, match="out of range"):
        cat[7]
    sub = Subset(TensorDataset(*_xy(10)), [7, 2, 5])
    assert len(sub) == 3 and sub[0][1].item() == 7
    # A Subset of a TensorDataset keeps the one-index-op fast path.
    assert [yb.tolist() for _, yb in DataLoader(sub, batch_size=2)] == [[7, 2], [5]]
    assert [yb for _, yb in DataLoader(Subset(Squares(5), [4, 1]), batch_size=2)][0].tolist() \
        == [16, 1]


def test_random_split_lengths_fractions_and_generator():
    ds = Squares(10)
    parts = random_split(ds, [3, 7], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(ds, [3, 7], generator=ember.Generator().manual_seed(0))
    assert again[0].indices == parts[0].indices
    assert [len(p) for p in random_split(ds, [0.5, 0.3, 0.2])] == [5, 3, 2]
    assert [len(p) for p in random_split(Squares(11), [0.5, 0.5])] == [6, 5]
    with pytest.raises(ValueError, match="does not equal"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ds, [-1, 11])


def test_kfold():
    folds = list(KFold(3).split(10))
    assert [len(v) for _, v in folds] == [4, 3, 3]
    assert [v for _, v in folds] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    for train, val in folds:
        assert sorted(train + val) == list(range(10)) and not set(train) & set(val)
    shuffled = [v for _, v in KFold(5, shuffle=True, seed=4).split(Squares(12))]
    assert shuffled == [v for _, v in KFold(5, shuffle=True, seed=4).split(12)]
    assert sorted(sum(shuffled, [])) == list(range(12)) and shuffled[0] != [0, 1, 2]
    train_set, val_set = next(KFold(2).subsets(Squares(5)))
    assert isinstance(val_set, Subset) and len(train_set) == 2 and len(val_set) == 3
    with pytest.raises(ValueError, match="n_splits"):
        KFold(1)
    with pytest.raises(ValueError, match="cannot split"):
        list(KFold(4).split(3))
    with pytest.raises(ValueError, match="shuffle"):
        KFold(3, seed=1)
