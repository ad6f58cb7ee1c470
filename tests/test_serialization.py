"""gradstep.save / gradstep.load: round trips, torch interop, safe loading, atomic writes."""
import collections
import io
import os
import pickle
import re
import zipfile

import pytest
import torch

import gradstep
from gradstep import serialization


def to_py(obj):
    """A library-neutral structure for comparing loaded objects."""
    if isinstance(obj, (torch.Tensor, gradstep.Tensor)):
        kind = "P" if isinstance(obj, (torch.nn.Parameter, gradstep.nn.Parameter)) else "T"
        return (kind, str(obj.dtype), tuple(obj.shape), bool(obj.requires_grad),
                obj.detach().numpy().tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, to_py(v)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [to_py(v) for v in obj])
    if isinstance(obj, (torch.dtype, gradstep.dtype, torch.device, gradstep.device)):
        return ("repr", repr(obj))
    return obj


def _x(lib):
    return lib.arange(12.0).reshape(3, 4)


OBJECTS = [
    ("tensor", lambda lib: lib.arange(5)),
    ("scalar_tensor", lambda lib: lib.tensor(2.5)),
    ("empty", lambda lib: lib.zeros(0, 3)),
    ("dtypes", lambda lib: [lib.ones(2, dtype=d) for d in (
        lib.float16, lib.float32, lib.float64, lib.int8, lib.int16, lib.int32, lib.int64,
        lib.uint8, lib.bool)]),
    ("nested", lambda lib: {"a": [lib.ones(2), (1, 2.5, "s", None)], "b": {"c": {"d": True}},
                            "e": -3, "f": float("inf")}),
    ("ordered", lambda lib: collections.OrderedDict([("w", lib.ones(2, 2)), ("b", lib.zeros(2))])),
    ("views", lambda lib: {"x": _x(lib), "row": _x(lib)[1], "col": _x(lib)[:, 2],
                           "t": _x(lib).t()}),
    ("parameter", lambda lib: {"p": lib.nn.Parameter(lib.ones(3)),
                               "q": lib.nn.Parameter(lib.zeros(2), requires_grad=False)}),
    ("requires_grad", lambda lib: [lib.ones(2, requires_grad=True)]),
    ("meta_values", lambda lib: {"dtype": lib.float64, "device": lib.device("cpu"),
                                 "size": lib.Size([2, 3])}),
    ("python_values", lambda lib: {"bytes": b"\x00\x01", "set": {1, 2}, "complex": 1 + 2j,
                                   "tuple": (), "big": 2 ** 70, "neg": -1.5e-300}),
]


def _sinks(tmp_path):
    return {"str": str(tmp_path / "a.pt"), "pathlib": tmp_path / "b.pt", "bytesio": io.BytesIO()}


@pytest.mark.parametrize("name,make", OBJECTS, ids=[c[0] for c in OBJECTS])
@pytest.mark.parametrize("sink", ["str", "pathlib", "bytesio"])
def test_round_trip(name, make, sink, tmp_path):
    f = _sinks(tmp_path)[sink]
    obj = make(gradstep)
    gradstep.save(obj, f)
    if sink == "bytesio":
        f.seek(0)
    loaded = gradstep.load(f)
    assert to_py(loaded) == to_py(obj)


@pytest.mark.parametrize("name,make", OBJECTS, ids=[c[0] for c in OBJECTS])
def test_torch_loads_gradstep_files(name, make):
    buf = io.BytesIO()
    gradstep.save(make(gradstep), buf)
    buf.seek(0)
    assert to_py(torch.load(buf)) == to_py(make(torch))


@pytest.mark.parametrize("name,make", OBJECTS, ids=[c[0] for c in OBJECTS])
def test_gradstep_loads_torch_files(name, make):
    buf = io.BytesIO()
    torch.save(make(torch), buf)
    buf.seek(0)
    assert to_py(gradstep.load(buf)) == to_py(make(gradstep))


def test_views_share_storage_after_load():
    x = gradstep.arange(12.0).reshape(3, 4)
    buf = io.BytesIO()
    gradstep.save({"x": x, "row": x[1], "t": x.t()}, buf)
    buf.seek(0)
    out = gradstep.load(buf)
    out["x"].add_(1)
    assert out["row"].tolist() == out["x"][1].tolist()
    assert out["t"].tolist() == out["x"].t().tolist()
    assert len(buf.getvalue()) < 2 * 12 * 4 + 2000  # the storage is written once


def test_same_tensor_twice_stays_one_object():
    p = gradstep.nn.Parameter(gradstep.ones(2))
    buf = io.BytesIO()
    gradstep.save({"a": p, "b": p}, buf)
    buf.seek(0)
    out = gradstep.load(buf)
    assert out["a"] is out["b"] and isinstance(out["a"], gradstep.nn.Parameter)


def test_state_dict_metadata_survives():
    sd = collections.OrderedDict(w=gradstep.ones(1))
    sd._metadata = {"": {"version": 2}}
    buf = io.BytesIO()
    gradstep.save(sd, buf)
    buf.seek(0)
    assert gradstep.load(buf)._metadata == {"": {"version": 2}}


def _model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))


def test_model_optimizer_scheduler_state_dicts_round_trip(tmp_path):
    model = _model(gradstep)
    opt = gradstep.optim.Adam(model.parameters(), lr=0.1)
    sched = gradstep.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.zero_grad()
        model(gradstep.ones(5, 3)).pow(2).sum().backward()
        opt.step()
        sched.step()
    ckpt = {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
            "rng": gradstep.get_rng_state(), "epoch": 3}
    path = tmp_path / "ckpt.pt"
    gradstep.save(ckpt, path)
    loaded = gradstep.load(path)
    assert to_py(loaded) == to_py(ckpt)
    model2 = _model(gradstep)
    model2.load_state_dict(loaded["model"])
    opt2 = gradstep.optim.Adam(model2.parameters(), lr=0.1)
    opt2.load_state_dict(loaded["opt"])
    assert to_py(opt2.state_dict()) == to_py(opt.state_dict())
    # torch reads the same checkpoint into a torch model
    tmodel = _model(torch)
    tmodel.load_state_dict(torch.load(path)["model"])
    assert to_py(tmodel.state_dict()) == to_py(model.state_dict())


def test_whole_module_needs_weights_only_false():
    model = _model(gradstep)
    buf = io.BytesIO()
    gradstep.save(model, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="weights_only"):
        gradstep.load(buf)
    buf.seek(0)
    loaded = gradstep.load(buf, weights_only=False)
    assert type(loaded) is type(model)
    x = gradstep.ones(2, 3)
    assert loaded(x).tolist() == model(x).tolist()


# ------------------------------------------------------------------------------ map_location
@pytest.mark.parametrize("map_location", [None, "cpu", gradstep.device("cpu"), {"cpu": "cpu"},
                                          {"cuda:0": "cpu"}, lambda storage, loc: storage,
                                          lambda storage, loc: None])
def test_map_location(map_location):
    buf = io.BytesIO()
    gradstep.save({"w": gradstep.arange(3.0)}, buf)
    buf.seek(0)
    out = gradstep.load(buf, map_location=map_location)
    assert out["w"].device == gradstep.device("cpu") and out["w"].tolist() == [0.0, 1.0, 2.0]


def test_map_location_callable_sees_location():
    seen = []
    buf = io.BytesIO()
    gradstep.save([gradstep.ones(1), gradstep.zeros(1)], buf)
    buf.seek(0)
    gradstep.load(buf, map_location=lambda storage, loc: seen.append(loc))
    assert seen == ["cpu", "cpu"]


# ------------------------------------------------------------------------------ safe loading
class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class Custom:
    def __init__(self, v=1):
        self.v = v


def _torch_file(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _gradstep_file(obj):
    buf = io.BytesIO()
    gradstep.save(obj, buf)
    return buf.getvalue()


@pytest.mark.parametrize("writer", [_torch_file, _gradstep_file])
def test_malicious_checkpoint_is_refused(writer, tmp_path):
    marker = tmp_path / "pwned"
    data = writer({"w": torch.ones(1) if writer is _torch_file else gradstep.ones(1),
                   "x": Evil(marker)})
    with pytest.raises(pickle.UnpicklingError) as te:
        torch.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError, match=re.escape(str(te.value))) as ge:
        gradstep.load(io.BytesIO(data))
    assert "posix.system" in str(ge.value) and "weights_only" in str(ge.value)
    assert not marker.exists()


def test_malicious_plain_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(Evil(marker), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL posix.system whose module posix is "
                                                     "blocked"):
        gradstep.load(path)
    assert not marker.exists()


def test_malicious_build_on_a_class_is_refused():
    # Set an attribute on an allowlisted class itself (a monkeypatching gadget).
    payload = (b"\x80\x02ccollections\nOrderedDict\nN}X\x03\x00\x00\x00fooK\x01s\x86b.")
    with pytest.raises(pickle.UnpicklingError, match="Can only build"):
        gradstep.load(io.BytesIO(payload))
    assert not hasattr(collections.OrderedDict, "foo")


def test_unknown_global_message_matches_torch():
    data = _torch_file({"c": Custom()})
    with pytest.raises(pickle.UnpicklingError) as te:
        torch.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError, match=re.escape(str(te.value))):
        gradstep.load(io.BytesIO(data))
    assert "add_safe_globals" in str(te.value)


def test_add_safe_globals_and_context_manager():
    data = _gradstep_file({"c": Custom(5)})
    serialization.clear_safe_globals()
    with serialization.safe_globals([Custom]):
        assert Custom in serialization.get_safe_globals()
        assert gradstep.load(io.BytesIO(data))["c"].v == 5
    assert Custom not in serialization.get_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        gradstep.load(io.BytesIO(data))
    serialization.add_safe_globals([(Custom, f"{__name__}.Custom")])
    try:
        assert gradstep.load(io.BytesIO(data))["c"].v == 5
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    assert gradstep.load(io.BytesIO(data), weights_only=False)["c"].v == 5


def test_blocked_modules_cannot_be_allowlisted(tmp_path):
    serialization.add_safe_globals([os.system])
    try:
        with pytest.raises(pickle.UnpicklingError, match="is blocked"):
            gradstep.load(io.BytesIO(pickle.dumps(Evil(tmp_path / "m"), protocol=2)))
    finally:
        serialization.clear_safe_globals()


LOAD_ERRORS = [
    ("pickle_module", lambda lib, f: lib.load(f, pickle_module=pickle, weights_only=True)),
    ("not_a_checkpoint", lambda lib, f: lib.load(io.BytesIO(pickle.dumps(3)))),
]


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("name,fn", LOAD_ERRORS, ids=[c[0] for c in LOAD_ERRORS])
def test_load_errors_match_torch(name, fn):
    data = _torch_file([1])
    with pytest.raises(Exception) as te:
        fn(torch, io.BytesIO(data))
    with pytest.raises(type(te.value), match=re.escape(str(te.value))):
        fn(gradstep, io.BytesIO(data))


def test_save_to_missing_folder_matches_torch(tmp_path):
    path = str(tmp_path / "nope" / "x.pt")
    with pytest.raises(RuntimeError) as te:
        torch.save(1, path)
    with pytest.raises(RuntimeError, match=re.escape(str(te.value))):
        gradstep.save(1, path)


# ------------------------------------------------------------------------------ atomic write
class ExplodesWhenPickled:
    def __reduce__(self):
        raise RuntimeError("simulated crash mid-save")


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("crash", ["pickle", "storage_write", "replace"])
def test_crash_mid_save_keeps_old_file(crash, tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    old = {"w": gradstep.arange(4.0), "step": 1}
    gradstep.save(old, path)
    before = path.read_bytes()
    new = {"w": gradstep.ones(1000), "step": 2}
    if crash == "pickle":
        new["bad"] = ExplodesWhenPickled()
    elif crash == "storage_write":
        real = zipfile.ZipFile.open

        def open_then_fail(self, name, mode="r", **kw):
            if mode == "w" and "/data/" in str(name):
                raise OSError("simulated disk failure while writing tensor data")
            return real(self, name, mode, **kw)

        monkeypatch.setattr(zipfile.ZipFile, "open", open_then_fail)
    else:
        def fail(*args):
            raise OSError("simulated crash before rename")

        monkeypatch.setattr(os, "replace", fail)
    with pytest.raises((RuntimeError, OSError), match="simulated"):
        gradstep.save(new, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == ["ckpt.pt"]
    assert to_py(gradstep.load(path)) == to_py(old)


def test_save_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "ckpt.pt"
    gradstep.save(1, path)
    os.chmod(path, 0o640)
    gradstep.save(2, path)
    assert gradstep.load(path) == 2
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert _leftovers(tmp_path) == ["ckpt.pt"]
