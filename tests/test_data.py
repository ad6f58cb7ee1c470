"""gradstep.utils.data against torch.utils.data: datasets, samplers, collation, the DataLoader."""
import collections
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from gradstep.utils import data as gdata
from torch.utils import data as tdata

LIBS = {"gradstep": (gradstep, gdata), "torch": (torch, tdata)}
Point = collections.namedtuple("Point", "x y")


# ------------------------------------------------------------------------------------- helpers
def to_py(obj):
    """A library-neutral structure: tensors become ('T', dtype name, shape, values)."""
    if isinstance(obj, (torch.Tensor, gradstep.Tensor)):
        return ("T", str(obj.dtype), tuple(obj.shape), obj.detach().numpy().tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: to_py(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, [to_py(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [to_py(v) for v in obj])
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.tolist())
    return obj


def both(fn):
    """Run ``fn(lib, data)`` on both libraries and return the neutral results."""
    return [to_py(fn(*LIBS[name])) for name in ("gradstep", "torch")]


def raises_like_torch(fn):
    """``fn(lib, data)`` raises the same exception type and message in both libraries."""
    with pytest.raises(Exception) as te:
        fn(torch, tdata)
    with pytest.raises(type(te.value), match=re.escape(str(te.value))):
        fn(gradstep, gdata)


def arrays(n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64) % 3
    return x, y


def tensor_ds(lib, data, n=10):
    x, y = arrays(n)
    return data.TensorDataset(lib.from_numpy(x.copy()), lib.from_numpy(y.copy()))


class DictDataset:
    """A plain map-style dataset returning nested samples (not a Dataset subclass on purpose)."""

    def __init__(self, lib, n=7):
        self.lib = lib
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": self.lib.full((2,), float(i)), "meta": (i, float(i) / 2, f"s{i}"),
                "np": np.array([i, i + 1], dtype=np.int32), "p": Point(i, [i, -i])}


# ----------------------------------------------------------------------------- loader configs
LOADER_CASES = [
    ("bs1", dict()),
    ("bs3", dict(batch_size=3)),
    ("bs4_drop", dict(batch_size=4, drop_last=True)),
    ("bs4_keep", dict(batch_size=4, drop_last=False)),
    ("bs_larger_than_ds", dict(batch_size=64)),
    ("bs_larger_drop", dict(batch_size=64, drop_last=True)),
    ("no_batching", dict(batch_size=None)),
    ("sampler_list", dict(batch_size=2, sampler=[9, 0, 4, 4, 1])),
    ("batch_sampler", dict(batch_sampler=[[0, 1], [5], [9, 8, 7]])),
    ("collate_fn", dict(batch_size=3, collate_fn=lambda b: len(b))),
    ("shuffle_false", dict(batch_size=3, shuffle=False)),
]


@pytest.mark.parametrize("name,kwargs", LOADER_CASES, ids=[c[0] for c in LOADER_CASES])
def test_loader_matches_torch(name, kwargs):
    def run(lib, data):
        loader = data.DataLoader(tensor_ds(lib, data), **kwargs)
        return [len(loader), list(loader)]

    g, t = both(run)
    assert g == t


@pytest.mark.parametrize("kwargs", [dict(batch_size=2), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=None)])
def test_loader_nested_samples(kwargs):
    g, t = both(lambda lib, data: list(data.DataLoader(DictDataset(lib), **kwargs)))
    assert g == t


# ----------------------------------------------------------------------------------- collation
COLLATE_CASES = [
    ("tensors", lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])]),
    ("int_tensors_0d", lambda lib: [lib.tensor(1), lib.tensor(2)]),
    ("numpy", lambda lib: [np.ones((2, 2), np.float64), np.zeros((2, 2), np.float64)]),
    ("numpy_int32", lambda lib: [np.array([1, 2], np.int32), np.array([3, 4], np.int32)]),
    ("numpy_scalars", lambda lib: [np.float32(1.5), np.float32(2.5)]),
    ("numpy_int_scalars", lambda lib: [np.int64(1), np.int64(2)]),
    ("ints", lambda lib: [1, 2, 3]),
    ("floats", lambda lib: [1.5, 2.0]),
    ("bools", lambda lib: [True, False]),
    ("strings", lambda lib: ["a", "bc"]),
    ("bytes", lambda lib: [b"a", b"bc"]),
    ("tuples", lambda lib: [(1, "a", 2.0), (2, "b", 3.0)]),
    ("lists", lambda lib: [[1, 2], [3, 4]]),
    ("dicts", lambda lib: [{"a": 1, "b": lib.zeros(2)}, {"a": 2, "b": lib.ones(2)}]),
    ("ordered_dicts", lambda lib: [collections.OrderedDict(a=1.0), collections.OrderedDict(a=2.0)]),
    ("namedtuples", lambda lib: [Point(1, 2.0), Point(3, 4.0)]),
    ("nested", lambda lib: [{"p": Point(lib.ones(1), [1, {"k": "v"}])},
                            {"p": Point(lib.zeros(1), [2, {"k": "w"}])}]),
]


@pytest.mark.parametrize("name,make", COLLATE_CASES, ids=[c[0] for c in COLLATE_CASES])
def test_default_collate_matches_torch(name, make):
    g, t = both(lambda lib, data: data.default_collate(make(lib)))
    assert g == t


@pytest.mark.parametrize("name,make", COLLATE_CASES, ids=[c[0] for c in COLLATE_CASES])
def test_default_convert_matches_torch(name, make):
    g, t = both(lambda lib, data: data.default_convert(make(lib)))
    assert g == t


COLLATE_ERRORS = [
    ("object", lambda lib: [object(), object()]),
    ("ragged_lists", lambda lib: [[1], [1, 2]]),
    ("string_array", lambda lib: [np.array(["a"]), np.array(["b"])]),
    ("ragged_tensors", lambda lib: [lib.zeros(2), lib.zeros(3)]),
]


@pytest.mark.parametrize("name,make", COLLATE_ERRORS, ids=[c[0] for c in COLLATE_ERRORS])
def test_default_collate_errors(name, make):
    raises_like_torch(lambda lib, data: data.default_collate(make(lib)))


# ---------------------------------------------------------------------------- option errors
class Stream(gdata.IterableDataset):
    def __init__(self, n=5, sized=False):
        self.n = n
        self.sized = sized

    def __iter__(self):
        info = gdata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        if not self.sized:
            raise TypeError(f"object of type '{type(self).__name__}' has no len()")
        return self.n


TStream = type("Stream", (tdata.IterableDataset,), {"__iter__": lambda self: iter(range(5))})


def _stream(data):
    return Stream() if data is gdata else TStream()


OPTION_ERRORS = [
    ("num_workers", lambda lib, data: data.DataLoader(tensor_ds(lib, data), num_workers=-1)),
    ("timeout", lambda lib, data: data.DataLoader(tensor_ds(lib, data), timeout=-1)),
    ("prefetch_no_workers", lambda lib, data: data.DataLoader(tensor_ds(lib, data),
                                                              prefetch_factor=2)),
    ("prefetch_negative", lambda lib, data: data.DataLoader(tensor_ds(lib, data), num_workers=2,
                                                            prefetch_factor=-1)),
    ("persistent", lambda lib, data: data.DataLoader(tensor_ds(lib, data),
                                                     persistent_workers=True)),
    ("sampler_shuffle", lambda lib, data: data.DataLoader(tensor_ds(lib, data), sampler=[0],
                                                          shuffle=True)),
    ("batch_sampler_bs", lambda lib, data: data.DataLoader(tensor_ds(lib, data),
                                                           batch_sampler=[[0]], batch_size=2)),
    ("batch_sampler_drop", lambda lib, data: data.DataLoader(tensor_ds(lib, data),
                                                             batch_sampler=[[0]], drop_last=True)),
    ("none_drop", lambda lib, data: data.DataLoader(tensor_ds(lib, data), batch_size=None,
                                                    drop_last=True)),
    ("mp_context", lambda lib, data: data.DataLoader(tensor_ds(lib, data),
                                                     multiprocessing_context="fork")),
    ("mp_context_bad", lambda lib, data: data.DataLoader(tensor_ds(lib, data), num_workers=1,
                                                         multiprocessing_context="nope")),
    ("iterable_shuffle", lambda lib, data: data.DataLoader(_stream(data), shuffle=True)),
    ("iterable_sampler", lambda lib, data: data.DataLoader(_stream(data), sampler=[0])),
    ("iterable_batch_sampler", lambda lib, data: data.DataLoader(_stream(data),
                                                                 batch_sampler=[[0]])),
    ("iterable_len", lambda lib, data: len(data.DataLoader(_stream(data)))),
    ("set_batch_size", lambda lib, data: setattr(data.DataLoader(tensor_ds(lib, data)),
                                                 "batch_size", 3)),
    ("set_dataset", lambda lib, data: setattr(data.DataLoader(tensor_ds(lib, data)),
                                              "dataset", None)),
]


@pytest.mark.parametrize("name,fn", OPTION_ERRORS, ids=[c[0] for c in OPTION_ERRORS])
def test_loader_option_errors(name, fn):
    raises_like_torch(fn)


def test_pin_memory_warns_without_accelerator():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = list(gdata.DataLoader(tensor_ds(gradstep, gdata), batch_size=5, pin_memory=True))
    assert len(out) == 2
    assert any("'pin_memory' argument is set as true but no accelerator is found" in str(x.message)
               for x in w)


# ---------------------------------------------------------------------------------- datasets
DATASET_CASES = [
    ("tensor_ds", lambda lib, data: [tensor_ds(lib, data)[i] for i in (0, -1, 4)]),
    ("tensor_ds_len", lambda lib, data: len(tensor_ds(lib, data))),
    ("concat", lambda lib, data: [data.ConcatDataset([range(3), range(10, 14)])[i]
                                  for i in (0, 2, 3, 6, -1, -7)]),
    ("concat_sizes", lambda lib, data: data.ConcatDataset([range(3), range(0), range(4)])
     .cumulative_sizes),
    ("add", lambda lib, data: [len(tensor_ds(lib, data) + tensor_ds(lib, data, 4)),
                               (tensor_ds(lib, data) + tensor_ds(lib, data, 4))[11]]),
    ("subset", lambda lib, data: [list(data.Subset(range(10, 20), [3, 1, 1])),
                                  data.Subset(tensor_ds(lib, data), [2, 5])[1]]),
    ("subset_getitems", lambda lib, data: data.Subset(
        data.StackDataset(range(5), range(5, 10)), [4, 0]).__getitems__([0, 1])),
    ("stack_tuple", lambda lib, data: [data.StackDataset(range(3), "abc")[1],
                                       len(data.StackDataset(range(3), "abc"))]),
    ("stack_dict", lambda lib, data: data.StackDataset(a=range(3), b="abc")[2]),
    ("stack_getitems", lambda lib, data: data.StackDataset(a=range(3), b="abc")
     .__getitems__([2, 0])),
    ("chain", lambda lib, data: list(_stream(data) + _stream(data))),
]


@pytest.mark.parametrize("name,fn", DATASET_CASES, ids=[c[0] for c in DATASET_CASES])
def test_datasets_match_torch(name, fn):
    g, t = both(fn)
    assert g == t


DATASET_ERRORS = [
    ("tensor_mismatch", lambda lib, data: data.TensorDataset(lib.zeros(3), lib.zeros(2))),
    ("concat_empty", lambda lib, data: data.ConcatDataset([])),
    ("concat_iterable", lambda lib, data: data.ConcatDataset([_stream(data)])),
    ("concat_neg", lambda lib, data: data.ConcatDataset([range(3)])[-5]),
    ("abstract", lambda lib, data: data.Dataset()[0]),
    ("stack_both", lambda lib, data: data.StackDataset(range(3), a=range(3))),
    ("stack_size", lambda lib, data: data.StackDataset(range(3), range(2))),
    ("stack_none", lambda lib, data: data.StackDataset()),
    ("split_sum", lambda lib, data: data.random_split(range(10), [3, 3])),
    ("split_frac_sum", lambda lib, data: data.random_split(range(10), [0.5, 0.6])),
    ("split_frac_range", lambda lib, data: data.random_split(range(10), [1.2, -0.2])),
]


@pytest.mark.parametrize("name,fn", DATASET_ERRORS, ids=[c[0] for c in DATASET_ERRORS])
def test_dataset_errors(name, fn):
    raises_like_torch(fn)


SPLITS = [(10, [3, 7]), (10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1, 0.1, 0.8]),
          (5, [1 / 3, 1 / 3, 1 / 3]), (3, [0.0, 1.0]), (0, [0, 0])]


@pytest.mark.parametrize("n,lengths", SPLITS)
def test_random_split_sizes_and_partition(n, lengths):
    sizes = {}
    for name, (lib, data) in LIBS.items():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            parts = data.random_split(range(n), lengths,
                                      generator=lib.Generator().manual_seed(1))
        sizes[name] = ([len(p) for p in parts], [str(x.message) for x in w])
        flat = [i for p in parts for i in p]
        assert sorted(flat) == list(range(n))
    assert sizes["gradstep"] == sizes["torch"]


def test_random_split_reproducible():
    def split(**kw):
        return [list(p) for p in gdata.random_split(range(20), [0.5, 0.5], **kw)]

    a = split(generator=gradstep.Generator().manual_seed(3))
    assert a == split(generator=gradstep.Generator().manual_seed(3))
    assert a != split(generator=gradstep.Generator().manual_seed(4))
    gradstep.manual_seed(5)
    b = split()
    gradstep.manual_seed(5)
    assert b == split()


# ---------------------------------------------------------------------------------- samplers
SAMPLER_CASES = [
    ("sequential", lambda lib, data: list(data.SequentialSampler(range(5)))),
    ("batch", lambda lib, data: list(data.BatchSampler(range(7), 3, False))),
    ("batch_drop", lambda lib, data: list(data.BatchSampler(range(7), 3, True))),
    ("batch_exact", lambda lib, data: list(data.BatchSampler(range(6), 3, True))),
    ("batch_len", lambda lib, data: [len(data.BatchSampler(range(n), 3, d))
                                     for n in (0, 1, 6, 7) for d in (True, False)]),
    ("random_len", lambda lib, data: [len(data.RandomSampler(range(5))),
                                      len(data.RandomSampler(range(5), num_samples=12)),
                                      len(data.RandomSampler(range(5), True, 3))]),
    ("weighted_len", lambda lib, data: len(data.WeightedRandomSampler([1.0, 2.0], 7))),
    ("subset_random_len", lambda lib, data: len(data.SubsetRandomSampler([4, 5, 9]))),
]


@pytest.mark.parametrize("name,fn", SAMPLER_CASES, ids=[c[0] for c in SAMPLER_CASES])
def test_samplers_match_torch(name, fn):
    g, t = both(fn)
    assert g == t


SAMPLER_ERRORS = [
    ("random_replacement", lambda lib, data: data.RandomSampler(range(3), replacement=1)),
    ("random_num_samples", lambda lib, data: data.RandomSampler(range(3), num_samples=0)),
    ("random_empty", lambda lib, data: data.RandomSampler(range(0))),
    ("batch_size", lambda lib, data: data.BatchSampler(range(3), 0, False)),
    ("batch_size_bool", lambda lib, data: data.BatchSampler(range(3), True, False)),
    ("batch_drop_last", lambda lib, data: data.BatchSampler(range(3), 2, 1)),
    ("weighted_shape", lambda lib, data: data.WeightedRandomSampler([[1.0]], 2)),
    ("weighted_num", lambda lib, data: data.WeightedRandomSampler([1.0], 0)),
    ("weighted_replacement", lambda lib, data: data.WeightedRandomSampler([1.0], 2,
                                                                          replacement=0)),
]


@pytest.mark.parametrize("name,fn", SAMPLER_ERRORS, ids=[c[0] for c in SAMPLER_ERRORS])
def test_sampler_errors(name, fn):
    raises_like_torch(fn)


@pytest.mark.parametrize("n,num_samples", [(5, None), (5, 12), (5, 3), (1, None), (40, 70)])
def test_random_sampler_without_replacement_is_permutations(n, num_samples):
    out = list(gdata.RandomSampler(range(n), num_samples=num_samples,
                                   generator=gradstep.Generator().manual_seed(0)))
    total = n if num_samples is None else num_samples
    assert len(out) == total and all(isinstance(i, int) for i in out)
    for start in range(0, total - total % n, n):  # each full block is a permutation
        assert sorted(out[start:start + n]) == list(range(n))
    assert len(set(out[total - total % n:])) == total % n


@pytest.mark.parametrize("num_samples", [1, 31, 32, 33, 100])
def test_random_sampler_with_replacement(num_samples):
    g = gradstep.Generator().manual_seed(0)
    out = list(gdata.RandomSampler(range(4), replacement=True, num_samples=num_samples,
                                   generator=g))
    assert len(out) == num_samples and all(0 <= i < 4 for i in out)
    g.manual_seed(0)
    assert out == list(gdata.RandomSampler(range(4), True, num_samples, generator=g))


def test_random_sampler_reproducible_from_manual_seed_and_new_each_epoch():
    s = gdata.RandomSampler(range(50))
    gradstep.manual_seed(0)
    e1, e2 = list(s), list(s)
    gradstep.manual_seed(0)
    assert [list(s), list(s)] == [e1, e2]
    assert e1 != e2 and sorted(e1) == sorted(e2) == list(range(50))


def test_subset_random_sampler():
    g = gradstep.Generator().manual_seed(0)
    out = list(gdata.SubsetRandomSampler([10, 20, 30, 40], generator=g))
    assert sorted(out) == [10, 20, 30, 40]
    g.manual_seed(0)
    assert out == list(gdata.SubsetRandomSampler([10, 20, 30, 40], generator=g))


@pytest.mark.parametrize("replacement", [True, False])
def test_weighted_random_sampler(replacement):
    w = [0.0, 1.0, 0.0, 3.0, 2.0]
    g = gradstep.Generator().manual_seed(0)
    out = list(gdata.WeightedRandomSampler(w, 3, replacement=replacement, generator=g))
    assert len(out) == 3 and set(out) <= {1, 3, 4}
    if not replacement:
        assert sorted(out) == [1, 3, 4]
    g.manual_seed(0)
    assert out == list(gdata.WeightedRandomSampler(w, 3, replacement, generator=g))


def test_sampler_is_generic_like_torch():
    class MySampler(gdata.Sampler[int]):
        def __iter__(self):
            return iter([2, 0])

    assert [int(b) for b in gdata.DataLoader(range(5), sampler=MySampler())] == [2, 0]


# ------------------------------------------------------------------------------- shuffling
def _epoch(loader):
    return [b[1].tolist() for b in loader]


def test_shuffle_is_permutation_and_reproducible():
    ds = tensor_ds(gradstep, gdata, 23)
    gradstep.manual_seed(7)
    loader = gdata.DataLoader(ds, batch_size=4, shuffle=True)
    e1, e2 = _epoch(loader), _epoch(loader)
    xs = [int(v) for b in gdata.DataLoader(ds, batch_size=4, shuffle=True) for v in b[0][:, 0]]
    assert sorted(x // 3 for x in xs) == list(range(23))
    gradstep.manual_seed(7)
    loader = gdata.DataLoader(ds, batch_size=4, shuffle=True)
    assert [_epoch(loader), _epoch(loader)] == [e1, e2]
    order = [int(v) // 3 for b in loader for v in b[0][:, 0]]
    assert sorted(order) == list(range(23))
    assert [len(b) for b in e1] == [4, 4, 4, 4, 4, 3]


def test_shuffle_with_generator():
    ds = tensor_ds(gradstep, gdata, 30)

    def run(seed):
        g = gradstep.Generator().manual_seed(seed)
        loader = gdata.DataLoader(ds, batch_size=5, shuffle=True, generator=g)
        return [[int(v) for b in loader for v in b[0][:, 0]] for _ in range(2)]

    gradstep.manual_seed(0)
    a = run(1)
    gradstep.manual_seed(123)  # the global generator does not matter when one is passed
    assert run(1) == a
    assert run(2) != a
    assert a[0] != a[1]


# ---------------------------------------------------------------------------------- workers
class WorkerProbe(gdata.Dataset):
    """Each sample records which worker fetched it and a draw from its seeded generators."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = gdata.get_worker_info()
        wid = -1 if info is None else info.id
        return {"i": i, "x": gradstep.full((2,), float(i)), "worker": wid}


class Failing(gdata.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 4:
            raise ValueError(f"bad sample {i}")
        return i


class KeyFailing(Failing):
    def __getitem__(self, i):
        return {}["missing"] if i == 1 else i


def _init_fn(worker_id):
    info = gdata.get_worker_info()
    assert info.id == worker_id and info.num_workers == 2
    info.dataset.init_ids = getattr(info.dataset, "init_ids", ()) + (worker_id,)


class InitRecorder(gdata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = gdata.get_worker_info()
        return (info.id, info.seed, getattr(self, "init_ids", ()),
                float(gradstep.rand(1, dtype=gradstep.float64)), float(np.random.rand()))


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=5, drop_last=True),
                                    dict(batch_size=None), dict(batch_size=2, prefetch_factor=1),
                                    dict(batch_size=4, shuffle=True)])
def test_workers_give_same_batches_as_main_process(kwargs):
    def run(num_workers):
        g = gradstep.Generator().manual_seed(11) if kwargs.get("shuffle") else None
        extra = {} if num_workers == 0 else {k: v for k, v in kwargs.items()
                                             if k == "prefetch_factor"}
        kw = {k: v for k, v in kwargs.items() if k != "prefetch_factor"}
        loader = gdata.DataLoader(WorkerProbe(), num_workers=num_workers, generator=g,
                                  **kw, **extra)
        out = []
        for b in loader:
            b = dict(b)
            workers = b.pop("worker")
            out.append(to_py(b))
            if num_workers:
                assert np.all(np.asarray(workers) >= 0)
        return len(loader), out

    assert run(2) == run(0)


def test_worker_info_seeds_and_init_fn():
    def run():
        g = gradstep.Generator().manual_seed(5)
        loader = gdata.DataLoader(InitRecorder(), batch_size=None, num_workers=2,
                                  worker_init_fn=_init_fn, generator=g)
        return list(loader)

    a = run()
    assert [r[0] for r in a] == [0, 1, 0, 1]  # tasks go round-robin, results stay in order
    assert a[1][1] == a[0][1] + 1  # seed = base_seed + worker_id
    assert a[0][2] == [0] and a[1][2] == [1]  # default_convert turns tuples into lists
    assert a[0][3] != a[1][3] and a[0][4] != a[1][4]  # workers draw different numbers
    assert run() == a  # and the same ones again for the same generator seed
    assert gdata.get_worker_info() is None


def test_worker_info_is_read_only():
    info = gdata.WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)
    with pytest.raises(RuntimeError, match="Cannot assign attributes to WorkerInfo objects"):
        info.id = 2
    assert repr(info) == "WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)"


def test_persistent_workers_several_epochs():
    loader = gdata.DataLoader(WorkerProbe(), batch_size=5, num_workers=2, persistent_workers=True)
    expected = [list(range(0, 5)), list(range(5, 10)), [10, 11]]
    first = [b["i"].tolist() for b in loader]
    it = iter(loader)
    next(it)  # an abandoned epoch must not leak batches into the next one
    second = [b["i"].tolist() for b in loader]
    workers = loader._iterator._workers
    assert first == second == expected
    assert all(w.is_alive() for w in workers)
    loader._iterator._shutdown_workers()
    assert not any(w.is_alive() for w in workers)


def test_worker_exception_is_reraised():
    loader = gdata.DataLoader(Failing(), batch_size=2, num_workers=2)
    it = iter(loader)
    assert next(it).tolist() == [0, 1]
    assert next(it).tolist() == [2, 3]
    with pytest.raises(ValueError, match=r"Caught ValueError in DataLoader worker process 0\."
                                         r"(.|\n)*bad sample 4"):
        next(it)


def test_worker_key_error_is_reraised():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 1"):
        list(gdata.DataLoader(KeyFailing(), num_workers=2))


class Slow(gdata.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        import time
        time.sleep(2.0)
        return i


def test_worker_timeout():
    loader = gdata.DataLoader(Slow(), num_workers=1, timeout=0.2)
    with pytest.raises(RuntimeError, match=re.escape("DataLoader timed out after 0.2 seconds")):
        next(iter(loader))


@pytest.mark.parametrize("num_workers", [0, 2])
@pytest.mark.parametrize("kwargs", [dict(batch_size=2), dict(batch_size=2, drop_last=True),
                                    dict(batch_size=None)])
def test_iterable_dataset(num_workers, kwargs):
    loader = gdata.DataLoader(Stream(9), num_workers=num_workers, **kwargs)
    got = [b.tolist() if hasattr(b, "tolist") else b for b in loader]
    flat = sorted(x for b in got for x in (b if isinstance(b, list) else [b]))
    if kwargs.get("drop_last"):
        assert all(len(b) == 2 for b in got)
    else:
        assert flat == list(range(9))
    if num_workers == 0:
        tloader = tdata.DataLoader(list(range(9)), **kwargs)
        assert got == [b.tolist() if hasattr(b, "tolist") else b for b in tloader]


@pytest.mark.parametrize("kwargs", [dict(batch_size=2), dict(batch_size=2, drop_last=True),
                                    dict(batch_size=None), dict(batch_size=4)])
def test_iterable_dataset_len(kwargs):
    class TSized(tdata.IterableDataset):
        def __iter__(self):
            return iter(range(9))

        def __len__(self):
            return 9

    assert len(gdata.DataLoader(Stream(9, sized=True), **kwargs)) == \
        len(tdata.DataLoader(TSized(), **kwargs))


def test_iterable_dataset_len_warning():
    loader = gdata.DataLoader(Stream(9, sized=True), batch_size=None)
    len(loader)
    loader.dataset.n = 11
    with pytest.warns(UserWarning, match="was reported to be 9"):
        list(loader)


def test_out_of_order_delivery():
    loader = gdata.DataLoader(WorkerProbe(), batch_size=3, num_workers=2, in_order=False)
    got = sorted(i for b in loader for i in b["i"].tolist())
    assert got == list(range(12))


def test_iterator_cannot_be_pickled():
    import pickle
    with pytest.raises(NotImplementedError):
        pickle.dumps(iter(gdata.DataLoader(range(3))))
