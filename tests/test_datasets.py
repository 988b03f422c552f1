"""ember.data.datasets (MNIST-format IDX readers, on the real Fashion-MNIST files when Debian's
dataset-fashion-mnist package is installed) and ember.data.transforms."""
import gzip
import os

import numpy as np
import pytest

import ember
from ember.data import DataLoader, TensorDataset
from ember.data.datasets import MNIST, FashionMNIST
from ember.data.idx import read_idx
from ember.data.transforms import Compose, Lambda, Normalize, ToTensor, one_hot

FASHION_ROOT = "/usr/share/datasets/fashion-mnist"
needs_fashion = pytest.mark.skipif(
    not os.path.isfile(os.path.join(FASHION_ROOT, "train-images-idx3-ubyte.gz")),
    reason=f"Fashion-MNIST is not installed in {FASHION_ROOT} "
           f"(apt-get install dataset-fashion-mnist)")


def _numpy_read_gz(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def _write_idx(path, array, compress=False):
    a = np.ascontiguousarray(array, dtype=np.uint8)
    raw = bytes([0, 0, 0x08, a.ndim]) + np.array(a.shape, ">u4").tobytes() + a.tobytes()
    with (gzip.open(path, "wb") if compress else open(path, "wb")) as f:
        f.write(raw)
    return path


@needs_fashion
@pytest.mark.parametrize("train,n", [(True, 60000), (False, 10000)])
def test_fashion_mnist_real_files(train, n):
    ds = FashionMNIST(train=train)
    assert len(ds) == n
    assert ds.data.shape == (n, 28, 28) and ds.data.dtype == ember.uint8
    assert ds.targets.shape == (n,) and ds.targets.dtype == ember.int64
    labels = ds.targets.numpy()
    assert labels.min() == 0 and labels.max() == 9
    assert np.all(np.bincount(labels) == n // 10)  # Fashion-MNIST is balanced
    prefix = "train" if train else "t10k"
    pixels = _numpy_read_gz(os.path.join(FASHION_ROOT, f"{prefix}-images-idx3-ubyte.gz"), 16)
    first = pixels[:784].reshape(28, 28)
    np.testing.assert_array_equal(ds.data[0].numpy(), first)
    assert int(ds.data[0].numpy().astype(np.int64).sum()) == int(first.astype(np.int64).sum())
    targets = _numpy_read_gz(os.path.join(FASHION_ROOT, f"{prefix}-labels-idx1-ubyte.gz"), 8)
    np.testing.assert_array_equal(labels, targets)
    assert ds.classes[0] == "T-shirt/top" and len(ds.classes) == 10


@needs_fashion
def test_fashion_mnist_transforms_and_bulk_tensors():
    ds = FashionMNIST(train=False, transform=Compose([ToTensor(), Normalize((0.5,), (0.5,))]),
                      target_transform=Lambda(lambda y: y + 100))
    image, target = ds[0]
    assert image.shape == (1, 28, 28) and image.dtype == ember.float32
    assert -1.0 <= float(image.min()) and float(image.max()) <= 1.0
    assert target == int(ds.targets[0]) + 100
    x, y = FashionMNIST(train=False).tensors(flatten=True)
    assert x.shape == (10000, 784) and x.dtype == ember.float32 and y.dtype == ember.int64
    np.testing.assert_allclose(x.numpy()[0].reshape(1, 28, 28),
                               (image.numpy() * 0.5 + 0.5), atol=1e-6)
    xb, yb = next(iter(DataLoader(TensorDataset(x, y), batch_size=128)))
    assert xb.shape == (128, 784) and yb.shape == (128,)


def test_mnist_reads_raw_and_gz_and_torchvision_layout(tmp_path):
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    _write_idx(raw / "train-images-idx3-ubyte", images)
    _write_idx(raw / "train-labels-idx1-ubyte.gz", [7, 0, 3], compress=True)
    ds = MNIST(tmp_path)
    assert len(ds) == 3 and ds.targets.tolist() == [7, 0, 3]
    img, label = ds[2]
    assert isinstance(img, np.ndarray) and img.shape == (28, 28) and label == 3
    np.testing.assert_array_equal(img, images[2])
    batch_x, batch_y = next(iter(DataLoader(ds, batch_size=2)))
    assert batch_x.shape == (2, 28, 28) and batch_x.dtype == ember.uint8
    assert batch_y.tolist() == [7, 0]


def test_missing_files_say_where_and_how(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist") as e:
        FashionMNIST(root=tmp_path / "nowhere")
    assert "nowhere" in str(e.value) and "train-images-idx3-ubyte" in str(e.value)
    with pytest.raises(ValueError, match="root is required"):
        MNIST()


def test_corrupt_and_truncated_files(tmp_path):
    good = _write_idx(tmp_path / "good-idx3-ubyte", np.ones((2, 4, 4)))
    data = good.read_bytes()
    (tmp_path / "short").write_bytes(data[:-3])
    with pytest.raises(ValueError, match="short.*truncated"):
        read_idx(tmp_path / "short")
    (tmp_path / "notidx").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="notidx.*not an IDX file"):
        read_idx(tmp_path / "notidx")
    gz = _write_idx(tmp_path / "x.gz", np.ones((50, 50)), compress=True)
    (tmp_path / "cut.gz").write_bytes(gz.read_bytes()[:20])
    with pytest.raises(ValueError, match="cut.gz.*corrupt or truncated gzip"):
        read_idx(tmp_path / "cut.gz")
    (tmp_path / "header.gz").write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(ValueError, match="header.gz"):
        read_idx(tmp_path / "header.gz")
    array = read_idx(good)
    np.testing.assert_array_equal(array, np.ones((2, 4, 4), np.uint8))
    assert array.flags.writeable
    # A dataset whose image file is cut short names that file.
    _write_idx(tmp_path / "train-labels-idx1-ubyte", [1, 2])
    (tmp_path / "train-images-idx3-ubyte").write_bytes(data[:-1])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte"):
        MNIST(tmp_path)


def test_to_tensor():
    hw = np.array([[0, 255], [51, 102]], np.uint8)
    t = ToTensor()(hw)
    assert t.shape == (1, 2, 2) and t.dtype == ember.float32
    np.testing.assert_allclose(t.numpy()[0], hw / 255.0, rtol=1e-6)
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    chw = ToTensor()(ember.from_numpy(hwc))
    assert chw.shape == (3, 2, 4)
    np.testing.assert_allclose(chw.numpy(), hwc.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    floats = ToTensor()(np.full((2, 2), 3.0))
    assert floats.dtype == ember.float64 and float(floats.max()) == 3.0
    with pytest.raises(ValueError, match="H×W"):
        ToTensor()(np.zeros(3, np.uint8))
    with pytest.raises(TypeError, match="numpy array"):
        ToTensor()([1, 2])


def test_normalize_against_torch(device):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).random((2, 3, 4, 5)).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    got = Normalize(mean, std)(ember.tensor(x, device=device))
    assert got.device.type == device
    t = torch.from_numpy(x)
    expected = (t - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    np.testing.assert_allclose(got.cpu().numpy(), expected.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="channels"):
        Normalize((0.1, 0.2), (1, 1))(ember.tensor(x))
    with pytest.raises(ValueError, match="zero"):
        Normalize(0.0, 0.0)
    with pytest.raises(TypeError, match="floating"):
        Normalize(0, 1)(ember.zeros(1, 2, 2, dtype=ember.int64))


def test_one_hot_against_torch(device):
    torch = pytest.importorskip("torch")
    labels = np.array([[0, 3], [2, 1], [3, 3]])
    got = one_hot(ember.tensor(labels, device=device), 5)
    assert got.dtype == ember.int64 and got.device.type == device
    np.testing.assert_array_equal(got.cpu().numpy(),
                                  torch.nn.functional.one_hot(torch.from_numpy(labels), 5).numpy())
    assert one_hot(ember.tensor([2, 0])).shape == (2, 3)
    assert one_hot(4, 6).tolist() == [0, 0, 0, 0, 1, 0]
    with pytest.raises(RuntimeError, match=r"\[0, 3\)"):
        one_hot(ember.tensor([3]), 3)
    with pytest.raises(TypeError, match="integer"):
        one_hot(ember.tensor([1.0]), 3)
