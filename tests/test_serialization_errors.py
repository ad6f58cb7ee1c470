"""gradstep.save / gradstep.load against torch: where files go (symlinks, special files,
folders), what a damaged or unusual file raises, views' storage offsets, pickling errors."""
import functools
import io
import os
import pickle
import stat
import threading
import warnings
import zipfile

import pytest
import torch

import gradstep


def outcome(fn):
    """(exception type name, message) or ("ok", repr of the result); warnings as (category,
    message) pairs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", repr(fn()))
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            result = (type(e).__name__, str(e))
    return result, [(w.category.__name__, str(w.message)) for w in caught
                    if w.category is not ResourceWarning]


def same_outcome(make):
    """``make(lib)`` returns a thunk; it must raise (or warn) the same way for both."""
    expected = outcome(make(torch))
    assert outcome(make(gradstep)) == expected
    return expected


def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _members(data):
    zf = zipfile.ZipFile(io.BytesIO(data))
    return {n: zf.read(n) for n in zf.namelist()}


def _torch_bytes(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


GOOD = _members(_torch_bytes({"a": torch.arange(10.0), "b": [1, 2.5, "x", None, True]}))


def _edit(**changes):
    members = {k: v for k, v in GOOD.items()}
    for name, data in changes.items():
        name = "archive/" + name.replace("__", "/").replace("_dot_", ".")
        if data is None:
            members.pop(name)
        else:
            members[name] = data
    return _zip(members)


# ------------------------------------------------------------------- damaged and odd files
BAD_FILES = [
    ("zip_header_only", b"PK\x03\x04garbage"),
    ("text_memo_lookup", b"hello"),
    ("text_append_on_empty", b"abc\n"),
    ("text_unknown_opcode", b"xyz"),
    ("json", b'{"a":1}'),
    ("empty", b""),
    ("empty_zip", _zip({})),
    ("truncated_zip", _zip(GOOD)[:200]),
    ("truncated_zip_end", _zip(GOOD)[:-1]),
    ("no_data_pkl", _edit(data_dot_pkl=None)),
    ("no_storage_record", _edit(data__0=None)),
    ("no_version", _edit(version=None)),
    ("dot_data_version", _edit(version=None, **{"_dot_data__version": b"3\n"})),
    ("version_too_new", _edit(version=b"11\n")),
    ("version_too_old", _edit(version=b"0\n")),
    ("version_not_a_number", _edit(version=b"abc\n")),
    ("storage_too_short", _edit(data__0=GOOD["archive/data/0"][:8])),
    ("storage_too_long", _edit(data__0=GOOD["archive/data/0"] + b"12345678")),
    ("not_in_a_folder", _zip({"data.pkl": GOOD["archive/data.pkl"], "version": b"3\n"})),
    ("first_entry_elsewhere", _zip({"other/x": b"", **GOOD})),
    ("raw_persistent_id", b"\x80\x02X\x01\x00\x00\x00aQ."),
    ("raw_protocol_4", b"\x80\x04K\x05."),
    ("plain_pickle_protocol_4", pickle.dumps([1, 2], protocol=4)),
    ("plain_pickle_protocol_2", pickle.dumps([1, 2], protocol=2)),
]
BAD_FILES += [(f"opcode_{code}", bytes([code]) + b"\x00" * 12) for code in range(256)]


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("name,data", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_raises_as_torch(name, data, weights_only):
    same_outcome(lambda lib: lambda: lib.load(io.BytesIO(data), weights_only=weights_only))


@pytest.mark.parametrize("name,data", BAD_FILES[:12], ids=[c[0] for c in BAD_FILES[:12]])
def test_bad_file_from_a_path_raises_as_torch(name, data, tmp_path):
    path = tmp_path / "bad.pt"
    path.write_bytes(data)
    same_outcome(lambda lib: lambda: lib.load(path))


PERSISTENT_IDS = {
    "str": b"X\x01\x00\x00\x00a", "int": b"K\x05", "tuple_not_storage": b"X\x01\x00\x00\x00a\x85",
    "tuple_int": b"K\x01\x85", "storage_only": b"X\x07\x00\x00\x00storage\x85",
    "empty_tuple": b")", "list": b"]", "none": b"N",
}


@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("name", PERSISTENT_IDS)
def test_bad_persistent_id_raises_as_torch(name, weights_only):
    pkl = b"\x80\x02" + PERSISTENT_IDS[name] + b"Q."
    data = _zip({"archive/data.pkl": pkl, "archive/version": b"3\n"})
    same_outcome(lambda lib: lambda: lib.load(io.BytesIO(data), weights_only=weights_only))


def test_corrupt_zip_message_names_the_reason():
    (kind, message), _ = same_outcome(
        lambda lib: lambda: lib.load(io.BytesIO(_zip(GOOD)[:100])))
    assert kind == "RuntimeError"
    assert message.startswith("PytorchStreamReader failed reading zip archive: failed finding "
                              "central directory")


def test_damaged_record_is_a_runtime_error():
    # torch does not check CRCs; gradstep does, and says so in torch's words
    data = bytearray(_zip(GOOD))
    start = data.index(b"\x80\x02")
    data[start + 3] ^= 0xFF
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed reading file data.pkl: "
                                           "CRC-32 check failed"):
        gradstep.load(io.BytesIO(bytes(data)))


# --------------------------------------------------------------------------- pickle protocols
@pytest.mark.parametrize("weights_only", [True, False])
@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("what", ["tensor", "mixed"])
def test_pickle_protocol_round_trip_matches_torch(protocol, what, weights_only):
    def make(lib):
        obj = lib.ones(2) if what == "tensor" else {"a": lib.ones(2), "b": b"xy", "s": {1}}
        buf = io.BytesIO()
        lib.save(obj, buf, pickle_protocol=protocol)
        data = buf.getvalue()
        return lambda: lib.load(io.BytesIO(data), weights_only=weights_only)
    same_outcome(make)


def test_protocol_4_warns_then_refuses():
    def make(lib):
        buf = io.BytesIO()
        lib.save(lib.ones(2), buf, pickle_protocol=4)
        data = buf.getvalue()
        return lambda: lib.load(io.BytesIO(data))
    (kind, message), caught = same_outcome(make)
    assert kind == "UnpicklingError" and "Unsupported operand 149" in message
    assert caught[0][0] == "UserWarning" and "Detected pickle protocol 4" in caught[0][1]


# ------------------------------------------------------------------------------ map_location
MAP_LOCATIONS = ["foo", "cpu", "cpu:0", "cpux", "CPU", "", "gpu", "cuda", "cuda:0", "cuda:1",
                 "cudax", "cuda0", "cuda:x", "xpu", "xpu:0", "xpux", "mps", "mps:0", "hpu",
                 "hpu:0", "hpux", "privateuseone", "meta:0", " cpu", ("device", "cpu"),
                 ("device", "cpu", 0), ("device", "cuda"), {"cpu": "foo"}, {"cpu": "cpu:0"},
                 {"x": "y"}, {"cpu": ("device", "cpu")}, 3, [1], b"cpu"]


def _resolve(lib, ml):
    if isinstance(ml, tuple):
        return lib.device(*ml[1:])
    if isinstance(ml, dict):
        return {k: _resolve(lib, v) for k, v in ml.items()}
    return ml


@pytest.mark.parametrize("with_tensor", [True, False])
@pytest.mark.parametrize("ml", MAP_LOCATIONS, ids=[repr(m) for m in MAP_LOCATIONS])
def test_map_location_matches_torch(ml, with_tensor):
    def make(lib):
        buf = io.BytesIO()
        lib.save(lib.arange(3.0) if with_tensor else [1, "a"], buf)
        data = buf.getvalue()
        return lambda: lib.load(io.BytesIO(data), map_location=_resolve(lib, ml)).tolist() \
            if with_tensor else lib.load(io.BytesIO(data), map_location=_resolve(lib, ml))
    same_outcome(make)


@pytest.mark.parametrize("location", ["foo", "cuda:0", "cpu:0", "cudax", "xpu"])
def test_saved_location_matches_torch(location):
    members = _members(_torch_bytes(torch.arange(3.0)))
    tag = location.encode()
    members["archive/data.pkl"] = members["archive/data.pkl"].replace(
        b"X\x03\x00\x00\x00cpu", b"X" + len(tag).to_bytes(4, "little") + tag)
    data = _zip(members)
    same_outcome(lambda lib: lambda: lib.load(io.BytesIO(data)))
    assert gradstep.load(io.BytesIO(data), map_location="cpu").tolist() == [0.0, 1.0, 2.0]


# ----------------------------------------------------------------------- views after loading
def _views(lib):
    b = lib.arange(20.0)
    m = b.view(4, 5)
    return [b, b[5:], b[2:4], m.t(), m[1:, ::2], b[::3], lib.ones(3)[1:], b[19:], m[:, 1:1]]


@pytest.mark.parametrize("writer", ["torch", "gradstep"])
def test_views_keep_offsets_strides_and_sharing(writer):
    lib = torch if writer == "torch" else gradstep
    buf = io.BytesIO()
    lib.save(_views(lib), buf)
    data = buf.getvalue()
    out = {}
    for reader in (torch, gradstep):
        loaded = reader.load(io.BytesIO(data))
        before = [(t.storage_offset(), t.stride(), tuple(t.shape), t._version, t.tolist())
                  for t in loaded]
        loaded[1][0] = 100.0  # a write through one view shows in the others
        loaded[0].add_(1)
        after = [t.tolist() for t in loaded]
        again = loaded[1][2:]
        out[reader.__name__] = (before, after, again.storage_offset(),
                                again.as_strided((2,), (1,), 0).tolist())
    assert out["gradstep"] == out["torch"]
    assert out["torch"][0][1][0] == 5  # b[5:] really has offset 5


def test_views_of_parameters_and_grad_leaves():
    def summary(lib):
        p = lib.nn.Parameter(lib.arange(6.0))
        g = lib.arange(6.0).reshape(2, 3).requires_grad_()
        buf = io.BytesIO()
        lib.save([p, p[2:], g, g[1]], buf)
        buf.seek(0)
        loaded = lib.load(buf)
        (loaded[3] * 2).sum().backward()
        return ([(type(t).__name__, t.requires_grad, t.is_leaf, t.storage_offset(), t._version)
                 for t in loaded], loaded[3].grad.tolist(), loaded[2].grad)
    assert summary(gradstep) == summary(torch)


def test_out_of_bounds_view_in_a_file_is_refused():
    members = _members(_torch_bytes(torch.arange(3.0)[1:]))
    pkl = members["archive/data.pkl"]
    assert pkl.count(b"K\x01K\x02\x85") == 1  # offset 1, size (2,)
    members["archive/data.pkl"] = pkl.replace(b"K\x01K\x02\x85", b"K\x01K\x09\x85")
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 12"):
        gradstep.load(io.BytesIO(_zip(members)))


# --------------------------------------------------------------------------- pickling errors
class Plain:
    pass


def _local():
    class Local:
        pass

    def fn():
        pass
    return Local, fn


Local, local_fn = _local()
_lambda = lambda: 0  # noqa: E731


class Renamed:
    pass


Renamed.__qualname__ = "Renamed.Inner"


class FromNowhere:
    pass


FromNowhere.__module__ = "no_such_module_for_gradstep_tests"

UNPICKLABLE = {
    "local_class": lambda lib: Local, "local_instance": lambda lib: Local(),
    "local_function": lambda lib: local_fn, "lambda": lambda lib: _lambda,
    "partial_of_local": lambda lib: functools.partial(local_fn),
    "bad_qualname": lambda lib: Renamed(), "missing_module": lambda lib: FromNowhere(),
    "generator": lambda lib: (i for i in []), "lock": lambda lib: threading.Lock(),
    "module": lambda lib: os, "nested_with_tensor": lambda lib: {"x": [lib.ones(1), Local()]},
}


@pytest.mark.parametrize("name", UNPICKLABLE)
def test_pickling_errors_match_torch(name):
    same_outcome(lambda lib: lambda: lib.save(UNPICKLABLE[name](lib), io.BytesIO()))


def test_pickling_error_of_a_class_defined_by_exec():
    def make(lib):
        ns = {"torch": lib, "io": io}
        exec("class A:\n    pass\n", ns)  # module "builtins": C pickle's "attribute lookup"
        return lambda: lib.save(ns["A"](), io.BytesIO())
    (kind, message), _ = same_outcome(make)
    assert message == "Can't pickle <class 'A'>: attribute lookup A on builtins failed"


# ------------------------------------------------------------------------- where files go
def _save_outcome(lib, path):
    return outcome(lambda: lib.save(lib.ones(1), str(path)))


@pytest.mark.parametrize("case", ["folder", "missing_parent", "empty_name", "symlink_to_folder",
                                  "dangling_link_to_missing_folder", "symlink_loop",
                                  "through_a_file"])
def test_save_path_errors_match_torch(case, tmp_path):
    target = {
        "folder": lambda: tmp_path,
        "missing_parent": lambda: tmp_path / "nope" / "x.pt",
        "empty_name": lambda: "",
        "symlink_to_folder": lambda: _link(tmp_path / "l", tmp_path),
        "dangling_link_to_missing_folder": lambda: _link(tmp_path / "l", tmp_path / "no" / "x"),
        "symlink_loop": lambda: _loop(tmp_path),
        "through_a_file": lambda: _touch(tmp_path / "f") / "x.pt",
    }[case]()
    results = {lib.__name__: _save_outcome(lib, target) for lib in (torch, gradstep)}
    assert results["gradstep"] == results["torch"]
    assert results["torch"][0][0] == "RuntimeError"
    assert ".tmp" not in results["gradstep"][0][1]  # no temporary file name leaks out
    if case == "folder":
        assert sorted(os.listdir(tmp_path)) == []


def _link(link, to):
    os.symlink(to, link)
    return link


def _loop(tmp_path):
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    return tmp_path / "a"


def _touch(path):
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("relative", [False, True])
@pytest.mark.parametrize("target_exists", [True, False])
def test_save_through_a_symlink_keeps_the_link(tmp_path, relative, target_exists):
    results = {}
    for lib in (torch, gradstep):
        folder = tmp_path / lib.__name__
        folder.mkdir()
        (folder / "sub").mkdir()
        target = folder / "sub" / "real.pt"
        if target_exists:
            target.write_bytes(b"old")
            os.chmod(target, 0o640)
        os.symlink(os.path.join("sub", "real.pt") if relative else target, folder / "link.pt")
        lib.save(lib.arange(3.0), str(folder / "link.pt"))
        results[lib.__name__] = (
            os.path.islink(folder / "link.pt"), os.readlink(folder / "link.pt") == (
                os.path.join("sub", "real.pt") if relative else str(target)),
            lib.load(target).tolist(), torch.load(target).tolist(),
            stat.S_IMODE(os.stat(target).st_mode) if target_exists else None,
            sorted(os.listdir(folder)), sorted(os.listdir(folder / "sub")))
    assert results["gradstep"] == results["torch"]
    assert results["torch"][0] is True


def test_save_to_a_device_writes_into_it(tmp_path):
    # A node of its own for the null device, so a failure harms nothing. Creating one needs
    # root; without root the real /dev/null is used, which a non-root process cannot replace
    # even if save regressed (the failure then shows as an error, not as damage).
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        node = "/dev/null"
    for lib in (torch, gradstep):
        lib.save(lib.ones(3), str(node))
        assert stat.S_ISCHR(os.stat(node).st_mode)


def test_save_to_a_fifo_streams_into_it(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = {}

    def reader():
        with open(fifo, "rb") as fh:
            received["data"] = fh.read()

    th = threading.Thread(target=reader)
    th.start()
    gradstep.save({"w": gradstep.arange(4.0)}, str(fifo))
    th.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert torch.load(io.BytesIO(received["data"]))["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_save_to_a_hard_link_replaces_only_that_name(tmp_path):
    # torch truncates the shared inode (every name sees the new data, and a crash mid-save
    # corrupts all of them); gradstep replaces the saved name atomically and leaves the other
    # names holding the previous checkpoint.
    path, other = tmp_path / "ckpt.pt", tmp_path / "backup.pt"
    gradstep.save({"step": 1}, path)
    os.link(path, other)
    gradstep.save({"step": 2}, path)
    assert gradstep.load(path) == {"step": 2}
    assert gradstep.load(other) == {"step": 1}
    assert sorted(os.listdir(tmp_path)) == ["backup.pt", "ckpt.pt"]


def test_bytesio_and_file_objects_still_work(tmp_path):
    buf = io.BytesIO()
    gradstep.save([gradstep.ones(2)], buf)
    assert torch.load(io.BytesIO(buf.getvalue()))[0].tolist() == [1.0, 1.0]
    with open(tmp_path / "f.pt", "wb") as fh:
        gradstep.save([gradstep.ones(2)], fh)
    assert gradstep.load(tmp_path / "f.pt")[0].tolist() == [1.0, 1.0]
