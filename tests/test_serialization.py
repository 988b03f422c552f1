"""ember.save / ember.load: safetensors round trips, interop with the safetensors package and
PyTorch, nested (optimizer-style) state, corrupt files, atomic writes."""
import json
import os
import struct

import numpy as np
import pytest

import ember

DTYPES = ["float32", "float64", "int64", "int32", "bool", "uint8"]


def _sample(dtype, shape, seed=0):
    a = np.random.default_rng(seed).integers(0, 50, size=shape)
    return (a % 2).astype(bool) if dtype == "bool" else a.astype(dtype)


def _assert_same(t, expected, device="cpu"):
    assert isinstance(t, ember.Tensor) and t.device.type == device
    got = t.cpu().numpy()
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2), (1,), (7, 5), (2, 3, 4)])
def test_round_trip_dtypes_and_shapes(tmp_path, dtype, shape):
    a = _sample(dtype, shape)
    path = tmp_path / "m.safetensors"
    ember.save({"w": ember.tensor(a), "b": ember.tensor(a)}, path)
    out = ember.load(path)
    assert list(out) == ["w", "b"]
    _assert_same(out["w"], a)
    _assert_same(out["b"], a)


def test_round_trip_non_contiguous_and_requires_grad(tmp_path):
    base = ember.tensor(np.arange(60.0).reshape(6, 10))
    views = {"t": base.T, "step": base[::2, 1::3], "neg": ember.from_numpy(np.arange(5.0)[::-1])}
    leaf = ember.ones(3, requires_grad=True)
    ember.save({**views, "leaf": leaf}, tmp_path / "v.safetensors")
    out = ember.load(tmp_path / "v.safetensors")
    for k, v in views.items():
        _assert_same(out[k], v.numpy())
    assert not out["leaf"].requires_grad and out["leaf"].tolist() == [1.0, 1.0, 1.0]


def test_map_location(tmp_path, device):
    ember.save({"x": ember.arange(4, dtype=ember.float32)}, tmp_path / "x.safetensors")
    out = ember.load(tmp_path / "x.safetensors", map_location=device)
    _assert_same(out["x"], np.arange(4, dtype=np.float32), device)
    saved_from_device = {"y": ember.arange(3, device=device)}
    ember.save(saved_from_device, tmp_path / "y.safetensors")
    _assert_same(ember.load(tmp_path / "y.safetensors")["y"], np.arange(3))
    out = ember.load(tmp_path / "x.safetensors", map_location=ember.device(device))
    assert out["x"].device.type == device


def test_optimizer_style_nested_dict(tmp_path, device):
    state = {
        "state": {0: {"step": ember.tensor(3.0), "exp_avg": ember.randn(4, 3, device=device),
                      "exp_avg_sq": ember.rand(4, 3, device=device)},
                  1: {"step": ember.tensor(3.0), "exp_avg": ember.randn(3, device=device),
                      "momentum_buffer": None}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                          "amsgrad": False, "name": "all", "params": [0, 1]}],
    }
    path = tmp_path / "opt.safetensors"
    ember.save(state, path)
    out = ember.load(path, map_location=device)
    assert set(out) == {"state", "param_groups"} and list(out["state"]) == [0, 1]
    for i in (0, 1):
        for k, v in state["state"][i].items():
            if v is None:
                assert out["state"][i][k] is None
            else:
                _assert_same(out["state"][i][k], v.cpu().numpy(), device)
    assert out["param_groups"] == state["param_groups"]
    assert isinstance(out["param_groups"][0]["betas"], tuple)
    # The tensors sit under dotted keys and the structure in __metadata__, readable by others.
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    flat = safetensors_numpy.load_file(str(path))
    assert set(flat) == {"state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq",
                         "state.1.step", "state.1.exp_avg"}


def test_other_objects_round_trip(tmp_path):
    obj = {"epoch": 5, "best": float("inf"), "model": {"w": ember.ones(2)},
           "history": [0.5, 0.25], "pair": (ember.zeros(1), "x"), "a.b": ember.ones(1),
           "a": {"b": ember.zeros(1)}}
    ember.save(obj, tmp_path / "ckpt.safetensors")
    out = ember.load(tmp_path / "ckpt.safetensors")
    assert out["epoch"] == 5 and out["best"] == float("inf") and out["history"] == [0.5, 0.25]
    assert out["model"]["w"].tolist() == [1.0, 1.0] and out["pair"][1] == "x"
    assert out["a.b"].tolist() == [1.0] and out["a"]["b"].tolist() == [0.0]
    ember.save(ember.arange(3), tmp_path / "t.safetensors")
    assert ember.load(tmp_path / "t.safetensors").tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="cannot store a object"):
        ember.save({"x": object()}, tmp_path / "bad.safetensors")
    with pytest.raises(TypeError, match="keys must be str or int"):
        ember.save({1.5: ember.ones(1)}, tmp_path / "bad.safetensors")


def test_file_objects(tmp_path):
    import io
    buffer = io.BytesIO()
    ember.save({"w": ember.ones(2, 2)}, buffer)
    buffer.seek(0)
    assert ember.load(buffer)["w"].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_safetensors_torch_opens_ember_file(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    state = {"fc.weight": ember.randn(5, 3), "fc.bias": ember.randn(5),
             "steps": ember.tensor([7], dtype=ember.int64), "mask": ember.tensor([True, False]),
             "pixels": ember.tensor(np.arange(4, dtype=np.uint8)),
             "f64": ember.randn(2, dtype=ember.float64)}
    ember.save(state, tmp_path / "model.safetensors")
    loaded = st_torch.load_file(str(tmp_path / "model.safetensors"))
    assert set(loaded) == set(state)
    for k, v in state.items():
        assert loaded[k].dtype == getattr(torch, v.dtype.name)
        np.testing.assert_array_equal(loaded[k].numpy(), v.numpy())
    linear = torch.nn.Linear(3, 5)
    linear.load_state_dict({"weight": loaded["fc.weight"], "bias": loaded["fc.bias"]})


def test_ember_loads_torch_written_file(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    state = {"w": torch.randn(4, 6), "b": torch.randn(6, dtype=torch.float64),
             "i": torch.arange(5), "flag": torch.tensor([True, False, True]),
             "empty": torch.zeros(0, 3), "scalar": torch.tensor(2.5)}
    st_torch.save_file(state, str(tmp_path / "torch.safetensors"), metadata={"format": "pt"})
    out = ember.load(tmp_path / "torch.safetensors")
    assert set(out) == set(state)
    for k, v in state.items():
        _assert_same(out[k], v.numpy())
    st_torch.save_file({"h": torch.zeros(2, dtype=torch.float16)}, str(tmp_path / "h.st"))
    with pytest.raises(ValueError, match="h.st.*dtype F16"):
        ember.load(tmp_path / "h.st")


def _raw_file(tmp_path, header, data=b"", name="f.safetensors"):
    text = json.dumps(header).encode()
    path = tmp_path / name
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)
    return path


def test_corrupt_files_name_the_file_and_problem(tmp_path):
    good = tmp_path / "good.safetensors"
    ember.save({"w": ember.ones(10, 10)}, good)
    data = good.read_bytes()
    cases = {
        "trunc.safetensors": (data[:-7], "data_offsets .* outside .*truncated"),
        "tiny.safetensors": (b"\x01\x02", "only 2 bytes"),
        "empty.safetensors": (b"", "only 0 bytes"),
        "cut_header.safetensors": (data[:20], "header length .* exceeds"),
        "garbage.safetensors": (struct.pack("<Q", 4) + b"{{{{", "not valid JSON"),
        "list.safetensors": (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
        "zip.pt": (b"PK\x03\x04" + b"\0" * 40, "zip archive"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=message) as e:
            ember.load(tmp_path / name)
        assert name in str(e.value)
    bad_entry = _raw_file(tmp_path, {"w": {"dtype": "F32", "shape": [2]}}, b"\0" * 8)
    with pytest.raises(ValueError, match="malformed header entry for tensor 'w'"):
        ember.load(bad_entry)
    wrong_size = _raw_file(tmp_path, {"w": {"dtype": "F32", "shape": [3],
                                            "data_offsets": [0, 8]}}, b"\0" * 8)
    with pytest.raises(ValueError, match="needs 12 bytes"):
        ember.load(wrong_size)
    bad_meta = _raw_file(tmp_path, {"__metadata__": {"ember.structure": "{oops"}})
    with pytest.raises(ValueError, match="corrupt ember.structure"):
        ember.load(bad_meta)
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "missing.safetensors")


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    ember.save({"w": ember.ones(3)}, path)
    before = path.read_bytes()

    def failing_fsync(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"w": ember.zeros(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]  # no temporary file left behind
    with pytest.raises(TypeError):
        ember.save({"w": object()}, path)
    assert path.read_bytes() == before


def test_model_and_optimizer_checkpoint(tmp_path):
    from ember import nn, optim
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    model(ember.randn(5, 4)).sum().backward()
    opt.step()
    ember.save({"model": model.state_dict(), "optimizer": opt.state_dict()},
               tmp_path / "ckpt.safetensors")
    ember.save(model.state_dict(), tmp_path / "model.safetensors")
    ckpt = ember.load(tmp_path / "ckpt.safetensors")
    restored = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    restored.load_state_dict(ckpt["model"])
    restored_opt = optim.Adam(restored.parameters(), lr=1e-2)
    restored_opt.load_state_dict(ckpt["optimizer"])
    x = ember.randn(2, 4)
    np.testing.assert_array_equal(restored(x).detach().numpy(), model(x).detach().numpy())
    assert restored_opt.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    twin = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    twin.load_state_dict(st_torch.load_file(str(tmp_path / "model.safetensors")))
    np.testing.assert_allclose(twin(torch.from_numpy(x.numpy())).detach().numpy(),
                               model(x).detach().numpy(), rtol=1e-6)
