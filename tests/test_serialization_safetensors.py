"""gradstep.utils.safetensors against the safetensors package's torch API, both directions."""
import re
import warnings

import numpy as np
import pytest
import safetensors.torch as st
import torch

import gradstep
from gradstep.utils import safetensors as gst

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _tensors(lib):
    rng = np.random.default_rng(0)
    out = {}
    for i, name in enumerate(DTYPES):
        arr = (rng.standard_normal((2, 3)) * 10).astype(np.dtype(name if name != "bool"
                                                                  else "bool"))
        out[f"t_{name}"] = lib.from_numpy(arr)
    out["scalar"] = lib.tensor(1.5)
    out["empty"] = lib.zeros(0, 4)
    out["z.weight"] = lib.arange(6.0).reshape(2, 3)
    return out


def _same(a, b):
    assert sorted(a) == sorted(b)
    for k in a:
        assert str(a[k].dtype) == str(b[k].dtype), k
        assert tuple(a[k].shape) == tuple(b[k].shape), k
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy())


# (one metadata key at most: the safetensors library writes metadata in hash order)
@pytest.mark.parametrize("metadata", [None, {"format": "pt"}])
def test_bytes_identical_to_safetensors(metadata):
    assert gst.save(_tensors(gradstep), metadata) == st.save(_tensors(torch), metadata)


def test_gradstep_file_loads_in_torch(tmp_path):
    path = str(tmp_path / "g.safetensors")
    gst.save_file(_tensors(gradstep), path, metadata={"k": "v", "step": 3})
    _same(st.load_file(path), _tensors(torch))
    with st.safe_open(path, framework="pt") as f:
        assert f.metadata() == {"k": "v", "step": "3"}


def test_torch_file_loads_in_gradstep(tmp_path):
    path = str(tmp_path / "t.safetensors")
    st.save_file(_tensors(torch), path, metadata={"k": "v"})
    _same(gst.load_file(path), _tensors(gradstep))
    _same(gst.load(st.save(_tensors(torch))), _tensors(gradstep))
    with gst.safe_open(path, framework="pt") as f:
        assert f.metadata() == {"k": "v"}
        assert sorted(f.keys()) == sorted(_tensors(torch))
        assert f.get_tensor("z.weight").tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
        assert f.get_slice("z.weight")[:, 1].tolist() == [1.0, 4.0]
        assert f.get_slice("z.weight").get_shape() == [2, 3]


def test_loaded_tensors_are_writable_and_independent():
    out = gst.load(gst.save({"a": gradstep.zeros(2), "b": gradstep.ones(2)}))
    out["a"].add_(1)
    assert out["a"].tolist() == [1.0, 1.0] and out["b"].tolist() == [1.0, 1.0]


def test_bf16_loads_as_float32_exactly():
    x = torch.randn(5).to(torch.bfloat16)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = gst.load(st.save({"x": x}))["x"]
    assert out.dtype == gradstep.float32
    np.testing.assert_array_equal(out.numpy(), x.float().numpy())
    assert any("bfloat16" in str(m.message) for m in w)


SAVE_ERRORS = [
    ("shared", lambda lib: (lambda x: {"a": x, "b": x})(lib.zeros(4))),
    ("shared_overlap", lambda lib: (lambda x: {"a": x[:3], "b": x[2:]})(lib.zeros(4))),
    ("non_contiguous", lambda lib: {"a": lib.zeros(3, 4).t()}),
    ("not_tensor", lambda lib: {"a": 1}),
]


@pytest.mark.parametrize("name,make", SAVE_ERRORS, ids=[c[0] for c in SAVE_ERRORS])
def test_save_errors_match_safetensors(name, make):
    with pytest.raises(Exception) as te:
        st.save(make(torch))
    with pytest.raises(type(te.value), match=re.escape(str(te.value))):
        gst.save(make(gradstep))


def test_disjoint_views_can_be_saved():
    x = gradstep.arange(4.0)
    out = st.load(gst.save({"a": x[:2], "b": x[2:]}))
    assert out["a"].tolist() == [0.0, 1.0] and out["b"].tolist() == [2.0, 3.0]


@pytest.mark.parametrize("blob", [b"12", b"\xff" * 8 + b"{}",
                                  b"\x02\x00\x00\x00\x00\x00\x00\x00{}x",
                                  b"\x08\x00\x00\x00\x00\x00\x00\x00not json"])
def test_corrupt_buffers_are_rejected(blob):
    with pytest.raises(Exception):
        st.load(blob)
    with pytest.raises(gst.SafetensorError):
        gst.load(blob)


def test_truncated_data_is_rejected():
    blob = st.save({"a": torch.ones(4)})
    with pytest.raises(gst.SafetensorError):
        gst.load(blob[:-1])


def _model(lib):
    lib.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Embedding(5, 3), lib.nn.Linear(3, 5, bias=False))
    m[1].weight = m[0].weight  # tied weights
    return m


def test_save_model_load_model_round_trip_through_torch(tmp_path):
    path = str(tmp_path / "m.safetensors")
    gmodel = _model(gradstep)
    gst.save_model(gmodel, path)
    tmodel = _model(torch)
    missing, unexpected = st.load_model(tmodel, path)
    assert (missing, unexpected) == (set(), set()) or (list(missing), list(unexpected)) == ([], [])
    np.testing.assert_array_equal(tmodel[0].weight.detach().numpy(),
                                  gmodel[0].weight.detach().numpy())
    tpath = str(tmp_path / "t.safetensors")
    with torch.no_grad():
        tmodel[0].weight.mul_(2)
    st.save_model(tmodel, tpath)
    g2 = _model(gradstep)
    assert gst.load_model(g2, tpath) == ([], [])
    np.testing.assert_array_equal(g2[1].weight.detach().numpy(),
                                  tmodel[1].weight.detach().numpy())
    assert g2[0].weight is g2[1].weight


def test_load_model_strict_reports_keys(tmp_path):
    path = str(tmp_path / "x.safetensors")
    gst.save_file({"other": gradstep.zeros(1)}, path)
    m = gradstep.nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match=re.escape(
            'Error(s) in loading state_dict for Linear:\n    Missing key(s) in state_dict: '
            '"bias", "weight"\n    Unexpected key(s) in state_dict: "other"')):
        gst.load_model(m, path)
    assert gst.load_model(m, path, strict=False) == (["bias", "weight"], ["other"])
