"""The tensor API around creation and conversion, against torch: ``tensor()`` from mixed data,
conversions (``to``, ``type``, casts), formatting, metadata queries, ``finfo``/``iinfo``, layouts
and memory formats, legacy constructors, ``Size`` and ``device``, and the warnings torch gives.

Each scenario runs on gradstep and on torch; results, exception types and messages must agree.
"""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import gradstep
from _outcome import assert_same_outcome, close, outcome


def assert_same_result(fn):
    """Like ``assert_same_outcome``, but blind to warnings: for scenarios whose warnings torch
    gives once per process (tested on their own, in fresh processes, below)."""
    ours, theirs = outcome(fn, gradstep)[:-1], outcome(fn, torch)[:-1]
    assert close(ours, theirs), f"\ngradstep: {ours}\ntorch:    {theirs}"


def table(cases):
    """pytest parameters from ``(id, fn)`` pairs."""
    return pytest.mark.parametrize("fn", [c[1] for c in cases], ids=[c[0] for c in cases])


# ----- tensor() from data: dtype inference, checked conversion, nesting --------------------------

FROM_DATA = [
    # every element's own dtype, promoted (Python float: default dtype; int: int64)
    ("0-dim tensor and int", lambda L: L.tensor([L.tensor([1., 2.]).sum(), 0])),
    ("tensors of two dtypes", lambda L: L.tensor([L.tensor(1.), L.tensor(2)])),
    ("float16 tensor and int", lambda L: L.tensor([L.tensor(1.5, dtype=L.float16), 2])),
    ("float64 tensor and int", lambda L: L.tensor([L.tensor(1.5, dtype=L.float64), 2])),
    ("uint8 tensor and -1", lambda L: L.tensor([L.tensor(1, dtype=L.uint8), -1])),
    ("int8 tensor and 300", lambda L: L.tensor([L.tensor(1, dtype=L.int8), 300])),
    ("np.float32 and float", lambda L: L.tensor([np.float32(1.), 2.5])),
    ("np.float64 and float", lambda L: L.tensor([np.float64(1.), 2.5])),
    ("np.int64 and float", lambda L: L.tensor([np.int64(1), 2.5])),
    ("int and np.float16", lambda L: L.tensor([1, np.float16(.5)])),
    ("bool and np.int8", lambda L: L.tensor([True, np.int8(3)])),
    ("np.int32 and np.uint8", lambda L: L.tensor([np.int32(1), np.uint8(2)])),
    ("np.bool_ and float", lambda L: L.tensor([np.bool_(True), 2.5])),
    ("np.bool_ and bool", lambda L: L.tensor([np.bool_(True), True])),
    ("np.bool_ and int", lambda L: L.tensor([np.bool_(True), 2])),
    ("np.float32 exact in float64", lambda L: L.tensor([1 / 3, np.float32(1 / 3)],
                                                        dtype=L.float64)),
    ("np.float32 scalar to int64", lambda L: L.tensor(np.float32(1.5), dtype=L.int64)),
    ("np.bool_ scalar to int64", lambda L: L.tensor(np.bool_(True), dtype=L.int64)),
    ("empty list is float", lambda L: L.tensor([])),
    ("empty rows count as float", lambda L: L.tensor([[], [1]])),
    ("empty rows of bools", lambda L: L.tensor([[], [True]])),
    ("empty nested", lambda L: L.tensor([[[]], [[1]]])),
    # one-element tensors are numbers anywhere; larger ones only where rows are expected
    ("nested 0-dim tensors", lambda L: L.tensor([[L.tensor(1.), L.tensor(2.)]])),
    ("0-dim tensor among rows", lambda L: L.tensor([[-3], [L.tensor(2.5)]])),
    ("one-element tensors", lambda L: L.tensor([L.tensor([1.5]), L.tensor([[2.]])])),
    ("tensor as a row", lambda L: L.tensor([[1, 2], L.tensor([3, 4])])),
    ("float tensor as a row", lambda L: L.tensor([[1, 2], L.tensor([3., 4])])),
    ("rows of 0-dim tensors", lambda L: L.tensor([[L.tensor(1), L.tensor(2)],
                                                   L.tensor([3, 4])])),
    ("int tensors as numbers", lambda L: L.tensor([L.tensor([1, 2]), L.tensor([3, 4])])),
    ("float tensors as numbers", lambda L: L.tensor([L.tensor([1., 2]), L.tensor([3, 4.])])),
    ("tensor row too long", lambda L: L.tensor([[1, 2], L.tensor([3, 4, 5])])),
    ("empty tensor as number", lambda L: L.tensor([L.tensor([]), 2])),
    ("float tensor to int64", lambda L: L.tensor([L.tensor(1.), L.tensor(2.)], dtype=L.int64)),
    ("float tensor to bool", lambda L: L.tensor([L.tensor(2.5)], dtype=L.bool)),
    ("bool tensor to int32", lambda L: L.tensor([L.tensor(True)], dtype=L.int32)),
    ("2-dim tensor as number", lambda L: L.tensor([L.tensor([[3]])], dtype=L.int32)),
    # NumPy arrays inside lists
    ("arrays as rows", lambda L: L.tensor([np.array([1., 2.], np.float32), [3, 4.5]])),
    ("array after a row", lambda L: L.tensor([[3, 4], np.array([1., 2.])])),
    ("array row too long", lambda L: L.tensor([[1, 2], np.array([3, 4, 5])])),
    ("array of rows", lambda L: L.tensor([[1, 2], np.array([[3, 4]])])),
    ("float64 array to int64", lambda L: L.tensor([np.array([1.5, 2.5])], dtype=L.int64)),
    ("float32 array to int64", lambda L: L.tensor([np.array([1.5], np.float32)],
                                                  dtype=L.int64)),
    ("array out of uint8", lambda L: L.tensor([[1, 2], np.array([300, 4])], dtype=L.uint8)),
    ("0-dim arrays", lambda L: L.tensor([np.array(1.), np.array(2.)])),
    ("0-dim array as number", lambda L: L.tensor([[1, 2], [np.array(3), 4]])),
    # other sequences
    ("range", lambda L: L.tensor(range(3))),
    ("empty range", lambda L: L.tensor(range(0))),
    ("ranges", lambda L: L.tensor([range(2), range(2)])),
    ("bytearray", lambda L: L.tensor(bytearray(b"ab"))),
    ("memoryview", lambda L: L.tensor(memoryview(b"ab"))),
    ("tuple", lambda L: L.tensor((1, 2.5))),
    ("tuple rows", lambda L: L.tensor([[1, 2], (3, 4)])),
    ("Size", lambda L: L.tensor(L.Size([2, 3]))),
    ("as_tensor range", lambda L: L.as_tensor(range(3))),
    ("as_tensor list of tensors", lambda L: L.as_tensor([L.tensor(1.), 2])),
    ("new_tensor of tensors", lambda L: L.zeros(1).new_tensor([L.tensor(1), 2.5])),
    # checked conversion: out-of-range values are errors, not wraps
    ("uint8 300", lambda L: L.tensor([300], dtype=L.uint8)),
    ("uint8 -1 wraps", lambda L: L.tensor([-1, -255], dtype=L.uint8)),
    ("uint8 -256", lambda L: L.tensor([-256], dtype=L.uint8)),
    ("uint8 255.5", lambda L: L.tensor([255.5], dtype=L.uint8)),
    ("uint8 -1.0", lambda L: L.tensor([-1.0], dtype=L.uint8)),
    ("int8 200", lambda L: L.tensor([200], dtype=L.int8)),
    ("int8 -129", lambda L: L.tensor([-129], dtype=L.int8)),
    ("int16 40000", lambda L: L.tensor([40000], dtype=L.int16)),
    ("int32 2**31", lambda L: L.tensor([2 ** 31], dtype=L.int32)),
    ("int32 1e10", lambda L: L.tensor([1e10], dtype=L.int32)),
    ("int32 inf", lambda L: L.tensor([float("inf")], dtype=L.int32)),
    ("int64 nan", lambda L: L.tensor([float("nan")], dtype=L.int64)),
    ("int64 2**63", lambda L: L.tensor([2 ** 63])),
    ("int64 -2**63-1", lambda L: L.tensor([-2 ** 63 - 1])),
    ("scalar 2**63", lambda L: L.tensor(2 ** 63)),
    ("scalar uint8 300", lambda L: L.tensor(300, dtype=L.uint8)),
    ("np.int64 300 to uint8", lambda L: L.tensor([np.int64(300)], dtype=L.uint8)),
    ("np.float64 1e10 to int32", lambda L: L.tensor([np.float64(1e10)], dtype=L.int32)),
    ("tensor 300 to uint8", lambda L: L.tensor([L.tensor(300)], dtype=L.uint8)),
    ("ndarray wraps", lambda L: L.tensor(np.array([300]), dtype=L.uint8)),
    ("2**63 as float32", lambda L: L.tensor([2 ** 63, 2 ** 64], dtype=L.float32)),
    ("2**63 beside a float", lambda L: L.tensor([2 ** 63, 2.5])),
    ("huge int as float", lambda L: L.tensor([2 ** 1030], dtype=L.float32)),
    ("big int exact in int64", lambda L: L.tensor([2 ** 62 + 1, 2.5], dtype=L.int64)),
    ("bool from anything", lambda L: L.tensor([5, 0.5, float("nan"), 2 ** 63], dtype=L.bool)),
    ("float16 overflow", lambda L: L.tensor([1e300, 70000], dtype=L.float16)),
    ("floats truncate to int8", lambda L: L.tensor([True, 2.5, -2.5], dtype=L.int8)),
    ("LongTensor 2**63", lambda L: L.LongTensor([2 ** 63])),
    ("ByteTensor 256", lambda L: L.ByteTensor([256])),
    ("ByteTensor -1", lambda L: L.ByteTensor([-1])),
    # ragged data and bad elements
    ("ragged row", lambda L: L.tensor([[1, 2], [3]])),
    ("ragged deep", lambda L: L.tensor([[[1, 2]], [[3]]])),
    ("ragged first", lambda L: L.tensor([[1], [2, 3]])),
    ("number where a row is", lambda L: L.tensor([[1, 2], 3])),
    ("row where a number is", lambda L: L.tensor([1, [2, 3]])),
    ("row where a float is", lambda L: L.tensor([1, [2, 3]], dtype=L.float32)),
    ("ragged legacy", lambda L: L.Tensor([[1, 2], [3]])),
    ("ragged but empty", lambda L: L.tensor([[], [1, 2]])),
    ("string", lambda L: L.tensor("a")),
    ("string in list", lambda L: L.tensor([1, "a"])),
    ("string first", lambda L: L.tensor(["a"])),
    ("string row", lambda L: L.tensor([[1, 2], "ab"])),
    ("bytes", lambda L: L.tensor(b"ab")),
    ("None", lambda L: L.tensor(None)),
    ("None in list", lambda L: L.tensor([1, None])),
    ("None with dtype", lambda L: L.tensor([1, None], dtype=L.float32)),
    ("None with int dtype", lambda L: L.tensor([1, None], dtype=L.int64)),
    ("object", lambda L: L.tensor(object())),
    ("set", lambda L: L.tensor({1, 2})),
    ("dict", lambda L: L.tensor({1: 2})),
    ("iterator", lambda L: L.tensor(iter([1, 2]))),
    ("negative strides", lambda L: L.tensor(np.arange(3.)[::-1])),
    ("as_tensor negative strides", lambda L: L.as_tensor(np.arange(6.).reshape(2, 3)[:, ::-2])),
    ("from_numpy negative strides", lambda L: L.from_numpy(np.arange(3.)[::-1])),
    ("from_numpy of a list", lambda L: L.from_numpy([1.])),
]


@table(FROM_DATA)
def test_tensor_from_data_matches_torch(fn):
    assert_same_result(fn)


def test_plain_nested_lists_keep_full_precision():
    # the fast path (one NumPy call) and the general one must agree with torch bit for bit
    data = [[1 / 3, 2 ** 53 + 1, -0.0], [1e-320, 7, True]]
    for dtype in ("float64", "float32", "float16"):
        assert gradstep.tensor(data, dtype=getattr(gradstep, dtype)).tolist() == \
            torch.tensor(data, dtype=getattr(torch, dtype)).tolist()
    assert gradstep.tensor([[2 ** 62 + 1, 3]]).tolist() == [[2 ** 62 + 1, 3]]


# ----- conversions -------------------------------------------------------------------------------

def _leaf(L):
    return L.tensor([1.5, -2.5], requires_grad=True)


def _under_no_grad(L, fn):
    with L.no_grad():
        return fn()


CONVERSIONS = [
    # a tensor that requires grad converts to integer and bool dtypes (outside the graph)
    ("long of grad leaf", lambda L: _leaf(L).long()),
    ("int of grad leaf", lambda L: _leaf(L).int()),
    ("bool of grad non-leaf", lambda L: (_leaf(L) * 2).bool()),
    ("to int32 of grad leaf", lambda L: _leaf(L).to(L.int32)),
    ("type int64 of grad leaf", lambda L: _leaf(L).type(L.int64)),
    ("type IntTensor", lambda L: _leaf(L).type(L.IntTensor)),
    ("type string", lambda L: _leaf(L).type("torch.IntTensor")),
    ("type FloatTensor is self", lambda L: (lambda x: x.type(L.FloatTensor) is x)(_leaf(L))),
    ("type Tensor of ints", lambda L: L.tensor([1, 2]).type(L.Tensor)),
    ("type int", lambda L: _leaf(L).type(int)),
    ("type tensor", lambda L: (lambda x: x.type(x))(_leaf(L))),
    ("type Parameter", lambda L: _leaf(L).type(L.nn.Parameter)),
    ("type numpy", lambda L: _leaf(L).type(np.float64)),
    ("long under no_grad", lambda L: _under_no_grad(L, lambda: _leaf(L).long())),
    # to()'s overloads, positional flags included
    ("to dtype non_blocking copy", lambda L: L.tensor([1.5]).to(L.float64, False, True)),
    ("to dtype non_blocking", lambda L: L.tensor([1.5]).to(L.float64, True)),
    ("to device dtype flags", lambda L: L.tensor([1.5]).to("cpu", L.float64, False, True)),
    ("to copy makes a copy", lambda L: (lambda x: x.to("cpu", L.float32, False, True) is x)(
        L.tensor([1.5]))),
    ("to no copy is self", lambda L: (lambda x: x.to(x, False, False) is x)(L.tensor([1.5]))),
    ("to True reads bool", lambda L: L.tensor([1.5]).to(True)),
    ("to 1.5 reads float", lambda L: L.tensor([1.5]).to(1.5)),
    ("to Python types", lambda L: [L.tensor([1.5]).to(t) for t in (float, int, bool)]),
    ("to None", lambda L: L.tensor([1.5]).to(None, L.float64)),
    ("to keywords", lambda L: L.tensor([1.5]).to(device="cpu", dtype=L.float64, copy=True)),
    ("to tensor keyword", lambda L: L.tensor([1.5]).to(tensor=L.ones(1, dtype=L.float64))),
    ("to device device", lambda L: L.tensor([1.5]).to("cpu", "cpu")),
    ("to dtype dtype", lambda L: L.tensor([1.5]).to(L.float64, L.float64)),
    ("to dtype device", lambda L: L.tensor([1.5]).to(L.float64, "cpu")),
    ("to too many", lambda L: L.tensor([1.5]).to(L.float64, False, True, False)),
    ("to dtype twice", lambda L: L.tensor([1.5]).to(L.float64, dtype=L.float32)),
    ("to device then bool", lambda L: L.tensor([1.5]).to("cpu", True)),
    ("to int flag", lambda L: L.tensor([1.5]).to(L.float64, copy=1)),
    ("to tensor and dtype", lambda L: (lambda x: x.to(x, L.float64))(L.tensor([1.5]))),
    ("to numpy type", lambda L: L.tensor([1.5]).to(np.float64)),
    ("to dtype string", lambda L: L.tensor([1.5]).to("float32")),
    ("to unknown keyword", lambda L: L.tensor([1.5]).to(other=1)),
    # copy=True of a tensor that requires grad is recorded as a conversion, as in torch
    ("to copy grad_fn", lambda L: _leaf(L).to(L.float32, copy=True).grad_fn.name()),
    ("to copy float64 grad_fn", lambda L: _leaf(L).to(L.float64, copy=True).grad_fn.name()),
    ("to memory format", lambda L: L.ones(2).to(memory_format=L.contiguous_format)),
]


@table(CONVERSIONS)
def test_conversions_match_torch(fn):
    assert_same_outcome(fn)


def test_integer_copy_of_grad_tensor_is_outside_the_graph():
    x = gradstep.tensor([1.5, 2.5], requires_grad=True)
    y = x.long()
    assert not y.requires_grad and y.grad_fn is None
    z = x.to(gradstep.float32, copy=True)
    z.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


# ----- formatting, metadata, scalar conversion messages -----------------------------------------

def _loss(L):
    x = L.tensor([1., 2.], requires_grad=True)
    return (x * x).sum()


FORMATTING = [
    ("f-string of loss", lambda L: f"{_loss(L)}"),
    ("format spec of loss", lambda L: f"loss={_loss(L):.4f}"),
    ("alignment of loss", lambda L: "{:>8}".format(_loss(L))),
    ("int tensor", lambda L: f"{L.tensor(3):05d}"),
    ("float16 tensor", lambda L: f"{L.tensor(1.5, dtype=L.float16):.2f}"),
    ("parameter keeps repr", lambda L: f"{L.nn.Parameter(L.tensor(2.))}"),
    ("1-d tensor spec", lambda L: f"{L.tensor([1.]):.2f}"),
]


@table(FORMATTING)
def test_format_matches_torch(fn):
    assert_same_outcome(fn)


METADATA = [
    ("size of 0-dim", lambda L: L.zeros(()).size(0)),
    ("size -1 of 0-dim", lambda L: L.zeros(()).size(-1)),
    ("stride of 0-dim", lambda L: L.zeros(()).stride(0)),
    ("size out of range", lambda L: L.zeros(2).size(1)),
    ("size negative", lambda L: L.zeros(2, 3).size(-2)),
    ("bool of empty", lambda L: bool(L.tensor([]))),
    ("bool of two", lambda L: bool(L.tensor([1, 2]))),
    ("float of two", lambda L: float(L.tensor([1., 2.]))),
    ("is_signed", lambda L: [L.zeros(1, dtype=d).is_signed()
                             for d in (L.float32, L.float16, L.int8, L.uint8, L.bool, L.int64)]),
    ("layout", lambda L: repr(L.zeros(2).layout)),
    ("layout is strided", lambda L: L.zeros(2).layout is L.strided),
    ("constants", lambda L: [repr(c) for c in (L.strided, L.sparse_coo, L.contiguous_format,
                                                L.preserve_format, L.channels_last,
                                                L.channels_last_3d)]),
    ("layout class", lambda L: repr(L.layout)[-8:]),
    ("new layout", lambda L: L.layout()),
    ("new memory format", lambda L: L.memory_format()),
    ("is_tensor", lambda L: [L.is_tensor(x) for x in (L.zeros(1), [1], 1.0,
                                                      L.nn.Parameter(L.zeros(1)))]),
    ("numel", lambda L: L.numel(L.zeros(2, 3))),
    ("numel keyword", lambda L: L.numel(input=L.zeros(2))),
    ("numel of list", lambda L: L.numel([1])),
    ("is_floating_point", lambda L: [L.is_floating_point(L.zeros(1, dtype=d))
                                     for d in (L.float16, L.float64, L.int32, L.bool)]),
    ("is_floating_point of float", lambda L: L.is_floating_point(2.0)),
    ("new sizes", lambda L: L.zeros(2, dtype=L.int32).new(2, 3).shape),
    ("new data", lambda L: L.zeros(2, dtype=L.int32).new([1.5, 2])),
    ("new tuple", lambda L: L.zeros(2, dtype=L.int32).new((1, 2))),
    ("new nothing", lambda L: L.zeros(2, dtype=L.int32).new()),
    ("new ndarray", lambda L: L.zeros(2, dtype=L.int32).new(np.array([1, 2]))),
    ("new other dtype tensor", lambda L: L.zeros(2, dtype=L.int32).new(L.tensor([1.5]))),
    ("new is not a grad leaf", lambda L: L.zeros(2, requires_grad=True).new([1., 2])),
    ("new negative", lambda L: L.zeros(2).new(-1)),
    ("new float", lambda L: L.zeros(2).new(2.5)),
    ("new string", lambda L: L.zeros(2).new("a")),
    ("new device", lambda L: L.zeros(2).new(device="cpu")),
]


@table(METADATA)
def test_metadata_matches_torch(fn):
    assert_same_outcome(fn)


# ----- finfo / iinfo -----------------------------------------------------------------------------

INFO = [
    ("finfo float32", lambda L: repr(L.finfo(L.float32))),
    ("finfo float16", lambda L: repr(L.finfo(L.float16))),
    ("finfo float64", lambda L: repr(L.finfo(L.float64))),
    ("finfo default", lambda L: repr(L.finfo())),
    ("finfo python float", lambda L: repr(L.finfo(float))),
    ("finfo keyword", lambda L: repr(L.finfo(type=L.float16))),
    ("finfo fields", lambda L: [(f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal,
                                 f.resolution, f.dtype)
                                for f in map(L.finfo, (L.float16, L.float32, L.float64))]),
    ("finfo eq", lambda L: [L.finfo(L.float32) == L.finfo(L.float32),
                            L.finfo(L.float32) == L.finfo(L.float64)]),
    ("finfo int", lambda L: L.finfo(L.int32)),
    ("finfo bool", lambda L: L.finfo(L.bool)),
    ("finfo python int", lambda L: L.finfo(int)),
    ("finfo string", lambda L: L.finfo("float32")),
    ("finfo None", lambda L: L.finfo(None)),
    ("iinfo int32", lambda L: repr(L.iinfo(L.int32))),
    ("iinfo uint8", lambda L: repr(L.iinfo(L.uint8))),
    ("iinfo python int", lambda L: repr(L.iinfo(int))),
    ("iinfo fields", lambda L: [(i.bits, i.max, i.min, i.dtype)
                                for i in map(L.iinfo, (L.uint8, L.int8, L.int16, L.int32,
                                                       L.int64))]),
    ("iinfo bool", lambda L: L.iinfo(L.bool)),
    ("iinfo python bool", lambda L: L.iinfo(bool)),
    ("iinfo float", lambda L: L.iinfo(L.float32)),
    ("iinfo python float", lambda L: L.iinfo(float)),
    ("iinfo None", lambda L: L.iinfo(None)),
    ("iinfo nothing", lambda L: L.iinfo()),
    ("promote_types string", lambda L: L.promote_types("a", L.int64)),
    ("promote_types second", lambda L: L.promote_types(L.int64, "a")),
    ("promote_types python", lambda L: L.promote_types(L.int64, float)),
]


@table(INFO)
def test_dtype_info_matches_torch(fn):
    assert_same_outcome(fn)


# ----- memory formats: copies keep their source's strides ---------------------------------------

def _views(L):
    """Tensors laid out in many ways: transposed, sliced, permuted, expanded, with size-1 dims.
    (Empty ones are left out: NumPy gives an empty array zero strides, torch does not.)"""
    return [L.zeros(2, 3).t(), L.zeros(4, 6)[::2, ::3], L.zeros(4, 6)[:, 1:4],
            L.zeros(2, 3, 4).permute(2, 0, 1), L.zeros(3, 1).expand(3, 4),
            L.zeros(1, 3).expand(4, 3), L.zeros(2, 3, 4).permute(2, 0, 1)[:, :, ::2],
            L.zeros(3, 4).t()[::2], L.zeros(1, 3).t(), L.zeros(3, 1, 2).permute(1, 2, 0),
            L.zeros(5, 1).t(), L.zeros(()),
            L.zeros(2, 3, 4).transpose(0, 2)[1:], L.zeros(4, 1, 1).expand(4, 2, 3).transpose(0, 2),
            L.zeros(3, 4, 5)[:, ::2, :].permute(1, 2, 0)]


LAYOUTS = [
    ("zeros_like", lambda L, x: L.zeros_like(x)),
    ("ones_like", lambda L, x: L.ones_like(x)),
    ("empty_like", lambda L, x: L.empty_like(x)),
    ("full_like", lambda L, x: L.full_like(x, 2)),
    ("rand_like", lambda L, x: L.rand_like(x)),
    ("randn_like", lambda L, x: L.randn_like(x)),
    ("randint_like", lambda L, x: L.randint_like(x, 5)),
    ("clone", lambda L, x: x.clone()),
    ("to float64", lambda L, x: x.to(L.float64)),
    ("double", lambda L, x: x.double()),
    ("to copy", lambda L, x: x.to(L.float32, copy=True)),
    ("clone contiguous", lambda L, x: x.clone(memory_format=L.contiguous_format)),
    ("zeros_like contiguous", lambda L, x: L.zeros_like(x, memory_format=L.contiguous_format)),
    ("contiguous", lambda L, x: x.contiguous()),
]


@pytest.mark.parametrize("make", [c[1] for c in LAYOUTS], ids=[c[0] for c in LAYOUTS])
def test_copies_keep_memory_order_like_torch(make):
    ours = [make(gradstep, x) for x in _views(gradstep)]
    theirs = [make(torch, x) for x in _views(torch)]
    for g, t in zip(ours, theirs):
        assert (tuple(g.shape), g.stride(), str(g.dtype)) == \
            (tuple(t.shape), t.stride(), str(t.dtype))
    assert ours[0].is_contiguous() == theirs[0].is_contiguous()


def test_preserved_layout_of_random_views_matches_torch():
    rng = np.random.default_rng(0)
    for _ in range(200):
        ndim = int(rng.integers(1, 5))
        shape = tuple(int(s) for s in rng.integers(1, 4, ndim))
        perm = tuple(int(p) for p in rng.permutation(ndim))
        steps = tuple(int(s) for s in rng.integers(1, 3, ndim))
        index = tuple(slice(None, None, s) for s in steps)
        views = [lib.zeros(shape).permute(perm)[index] for lib in (gradstep, torch)]
        assert views[0].stride() == views[1].stride()
        assert gradstep.zeros_like(views[0]).stride() == torch.zeros_like(views[1]).stride(), \
            (shape, perm, steps)
        assert views[0].clone().stride() == views[1].clone().stride()


def test_clone_of_transposed_keeps_values_and_gradient():
    x = gradstep.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = x.t().clone()
    assert y.tolist() == [[1., 3.], [2., 4.]] and y.stride() == (1, 2)
    (y * gradstep.tensor([[1., 2.], [3., 4.]])).sum().backward()
    assert x.grad.tolist() == [[1., 3.], [2., 4.]]


MEMORY_FORMATS = [
    ("channels_last contiguous", lambda L: L.zeros(2, 3, 4, 5).contiguous(
        memory_format=L.channels_last).stride()),
    ("channels_last to", lambda L: L.zeros(2, 3, 4, 5).to(memory_format=L.channels_last)
     .stride()),
    ("channels_last zeros_like", lambda L: L.zeros_like(L.zeros(2, 3, 4, 5),
                                                        memory_format=L.channels_last).stride()),
    ("channels_last_3d clone", lambda L: L.zeros(2, 3, 4, 5, 6).clone(
        memory_format=L.channels_last_3d).stride()),
    ("is_contiguous channels_last", lambda L: [
        x.is_contiguous(), x.is_contiguous(memory_format=L.channels_last)]
        if (x := L.zeros(2, 3, 4, 5).contiguous(memory_format=L.channels_last)) is not None
        else None),
    ("channels_last of 2-d", lambda L: L.zeros(2, 3).contiguous(memory_format=L.channels_last)),
    ("channels_last like of 2-d", lambda L: L.zeros_like(L.zeros(2, 3),
                                                         memory_format=L.channels_last)),
    ("preserve contiguous", lambda L: L.zeros(2, 3).t().contiguous(
        memory_format=L.preserve_format).stride()),
    ("preserve contiguous is self", lambda L: (lambda x: x.contiguous(
        memory_format=L.preserve_format) is x)(L.zeros(2, 3))),
    ("is_contiguous preserve", lambda L: [x.is_contiguous(memory_format=L.preserve_format)
                                          for x in (L.zeros(2, 3), L.zeros(2, 3).t())]),
    ("is_contiguous bad format", lambda L: L.zeros(2).is_contiguous(memory_format="a")),
    ("channels_last_3d of 4-d", lambda L: L.zeros(2, 3, 4, 5).contiguous(
        memory_format=L.channels_last_3d)),
    ("bad memory format", lambda L: L.zeros(2, 3).contiguous(memory_format="a")),
    ("2-d is not channels_last", lambda L: L.zeros(2, 3).is_contiguous(
        memory_format=L.channels_last)),
]


@table(MEMORY_FORMATS)
def test_memory_formats_match_torch(fn):
    assert_same_outcome(fn)


# ----- legacy constructors -----------------------------------------------------------------------

def _write_through(L, make):
    source = L.tensor([1., 2.])
    alias = make(L, source)
    alias[0] = 5
    return source


LEGACY = [
    ("Tensor of int64 tensor", lambda L: L.Tensor(L.tensor([1, 2]))),
    ("Tensor of int32 tensor", lambda L: L.Tensor(L.tensor([1, 2], dtype=L.int32))),
    ("Tensor is not the source", lambda L: (lambda t: L.Tensor(t) is t)(L.tensor([1, 2]))),
    ("FloatTensor aliases", lambda L: _write_through(L, lambda L, t: L.FloatTensor(t))),
    ("Tensor aliases", lambda L: _write_through(L, lambda L, t: L.Tensor(t))),
    ("FloatTensor of grad tensor", lambda L: L.FloatTensor(_leaf(L)).grad_fn.name()),
    ("LongTensor of float tensor", lambda L: L.LongTensor(L.tensor([1.5, 2.5]))),
    ("LongTensor of int32 tensor", lambda L: L.LongTensor(L.tensor([1], dtype=L.int32))),
    ("LongTensor of float16", lambda L: L.LongTensor(L.tensor([1.], dtype=L.float16))),
    ("BoolTensor of int64", lambda L: L.BoolTensor(L.tensor([1, 0]))),
    ("ByteTensor of bool", lambda L: L.ByteTensor(L.tensor([True]))),
    ("CharTensor of int16", lambda L: L.CharTensor(L.tensor([1], dtype=L.int16))),
    ("ShortTensor of float64", lambda L: L.ShortTensor(L.tensor([1.], dtype=L.float64))),
    ("LongTensor range", lambda L: L.LongTensor(range(3))),
    ("FloatTensor range", lambda L: L.FloatTensor(range(3))),
    ("LongTensor bytearray", lambda L: L.LongTensor(bytearray(b"ab"))),
    ("LongTensor ndarray truncates", lambda L: L.LongTensor(np.array([1.5, 2]))),
    ("Tensor of mixed", lambda L: L.Tensor([L.tensor(1), 2.5])),
    ("Tensor of float", lambda L: L.Tensor(2.5)),
    ("Tensor of None", lambda L: L.Tensor(None)),
    ("legacy shares an ndarray", lambda L: _ndarray_write_through(L, L.DoubleTensor, np.float64)),
    ("Tensor shares float32", lambda L: _ndarray_write_through(L, L.Tensor, np.float32)),
    ("Tensor copies float64", lambda L: _ndarray_write_through(L, L.Tensor, np.float64)),
    ("as_tensor shares", lambda L: _ndarray_write_through(L, L.as_tensor, np.float64)),
    ("tensor copies", lambda L: _ndarray_write_through(L, L.tensor, np.float64)),
]


def _ndarray_write_through(L, make, np_dtype):
    source = np.array([1., 2.], np_dtype)
    t = make(source)
    source[0] = 9
    return t


@table(LEGACY)
def test_legacy_constructors_match_torch(fn):
    assert_same_outcome(fn)


# ----- Size and device ---------------------------------------------------------------------------

SIZE_AND_DEVICE = [
    ("Size of float", lambda L: L.Size([2.5])),
    ("Size of string", lambda L: L.Size([2, "3"])),
    ("Size of NumPy int", lambda L: L.Size([np.int64(2)])),
    ("Size of tensor", lambda L: L.Size([L.tensor(2)])),
    ("Size of bool", lambda L: L.Size([True])),
    ("Size of int", lambda L: L.Size(3)),
    ("Size slice and sum", lambda L: (L.Size([2, 3])[1:], L.Size([2]) + (4,))),
    ("Size arithmetic", lambda L: [(type(r).__name__, r) for r in (
        L.Size([2, 3]) * 2, 2 * L.Size([2, 3]), (1,) + L.Size([2, 3]), L.Size([2]) + L.Size([3]),
        L.Size([2, 3]) * 0, L.Size([2, 3])[::-1])]),
    ("Size plus list", lambda L: L.Size([2, 3]) + [1]),
    ("Size plus int", lambda L: L.Size([2, 3]) + 1),
    ("Size times float", lambda L: L.Size([2, 3]) * 2.5),
    ("float times Size", lambda L: 2.5 * L.Size([2, 3])),
    ("device equals string", lambda L: [L.device("cpu") == "cpu", L.device("cpu") != "cpu",
                                        "cpu" == L.device("cpu"), L.zeros(1).device == "cpu"]),
    ("device equals device", lambda L: [L.device("cuda", 0) == L.device("cuda:0"),
                                        L.device("cpu", 0) == L.device("cpu"),
                                        L.zeros(1).device == L.device("cpu")]),
    ("device key is not string", lambda L: {L.device("cpu"): 1}.get("cpu")),
    ("device negative index", lambda L: L.device("cuda", -1)),
    ("device negative int", lambda L: L.device(-1)),
    ("device negative string", lambda L: L.device("cuda:-1")),
    ("device padded string", lambda L: L.device("cuda:01")),
    ("device float index", lambda L: L.device("cuda", 1.5)),
    ("device bool index", lambda L: L.device("cuda", True)),
    ("device NumPy index", lambda L: repr(L.device("cuda", np.int64(1)))),
    ("device both indices", lambda L: L.device("cuda:1", 1)),
    ("device cpu index", lambda L: repr(L.device("cpu", 0))),
]


@table(SIZE_AND_DEVICE)
def test_size_and_device_match_torch(fn):
    assert_same_outcome(fn)


# ----- rejected arguments ------------------------------------------------------------------------

REJECTED = [
    ("dtype string", lambda L: L.tensor([1, 2], dtype="float32")),
    ("dtype NumPy type", lambda L: L.tensor([1, 2], dtype=np.float32)),
    ("dtype NumPy dtype", lambda L: L.tensor([1, 2], dtype=np.dtype("float32"))),
    ("zeros dtype string", lambda L: L.zeros(2, dtype="float32")),
    ("full dtype string", lambda L: L.full((2,), 1, dtype="int64")),
    ("zeros_like dtype string", lambda L: L.zeros_like(L.zeros(2), dtype="float64")),
    ("new_zeros dtype string", lambda L: L.zeros(2).new_zeros(2, dtype="float64")),
    ("as_tensor dtype string", lambda L: L.as_tensor([1], dtype="float64")),
    ("dtype python types", lambda L: [L.tensor([1, 2], dtype=t) for t in (float, int, bool)]),
    ("zeros_like of list", lambda L: L.zeros_like([1, 2])),
    ("ones_like of None", lambda L: L.ones_like(None)),
    ("empty_like of ndarray", lambda L: L.empty_like(np.zeros(2))),
    ("full_like of list", lambda L: L.full_like([1], 2)),
]


@table(REJECTED)
def test_rejected_arguments_match_torch(fn):
    assert_same_outcome(fn)


# ----- warnings torch gives once per process ------------------------------------------------------

WARNING_SCENARIOS = {
    "float of grad tensor": "float(torch.tensor(2., requires_grad=True))",
    "float of grad non-leaf": "float(torch.tensor([2.], requires_grad=True) * 2)",
    "float under no_grad": "with torch.no_grad(): float(torch.tensor(2., requires_grad=True))",
    "int, item, bool": "x = torch.tensor(2., requires_grad=True); int(x); x.item(); bool(x)",
    "format of grad tensor": "f'{torch.tensor(2., requires_grad=True):.2f}'",
    "percent format": "'%.2f' % torch.tensor(2., requires_grad=True)",
    "list of grad tensors": "torch.tensor([torch.tensor(1., requires_grad=True), 2.])",
    "twice": "float(torch.tensor(2., requires_grad=True)); float(torch.tensor(3., "
             "requires_grad=True))",
    "from_numpy read-only": "torch.from_numpy(READ_ONLY)",
    "as_tensor read-only": "torch.as_tensor(READ_ONLY, dtype=torch.float32)",
    "legacy read-only": "torch.DoubleTensor(READ_ONLY)",
    "tensor read-only": "torch.tensor(READ_ONLY)",
    "from_numpy writable": "torch.from_numpy(np.zeros(2))",
    "list of ndarrays": "torch.tensor([np.array([1, 2]), np.array([3, 4])])",
    "tuple of ndarrays": "torch.tensor((np.array([1, 2]),))",
    "ndarray in a row": "torch.tensor([[1, 2], [np.array(3), 4]])",
    "as_tensor of ndarrays": "torch.as_tensor([np.array([1, 2])])",
    "list of ndarrays twice": "torch.tensor([np.array([1])]); torch.tensor([np.array([2])])",
}

# One process per library imports it once, then forks a fresh child per scenario: each scenario
# sees the library's once-per-process warnings as a new program would.
_WARNING_PROBE = textwrap.dedent("""
    import json, os, sys, warnings
    import numpy as np
    import {lib} as torch
    results = {{}}
    for name, code in json.loads(sys.argv[1]).items():
        read, write = os.pipe()
        if os.fork() == 0:
            os.close(read)
            READ_ONLY = np.array([1., 2.])
            READ_ONLY.flags.writeable = False
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                exec(code)
            seen = [[w.category.__name__, str(w.message), w.filename] for w in caught]
            os.write(write, json.dumps(seen).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            results[name] = json.loads(pipe.read())
        os.wait()
    print(json.dumps(results))
""")


def _warnings_per_scenario(lib):
    """{scenario: [[category, message, filename], ...]} for one library."""
    result = subprocess.run([sys.executable, "-c", _WARNING_PROBE.format(lib=lib),
                             json.dumps(WARNING_SCENARIOS)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_once_per_process_warnings_match_torch():
    # one test for all scenarios: the two probe processes are its whole cost
    ours, theirs = _warnings_per_scenario("gradstep"), _warnings_per_scenario("torch")
    differ = {name: (ours[name], theirs[name]) for name in WARNING_SCENARIOS
              if ours[name] != theirs[name]}
    # the same warnings, as often, attributed to the user's line
    assert not differ, differ
    assert any(ours.values()) and not all(ours.values())  # the probe sees warnings at all


# strides of empty tensors: torch lays a new one out as contiguous (an empty dim counting as 1);
# NumPy gives zero strides. (Views of a new empty tensor, t() or permute, still differ.)
EMPTY_STRIDES = [
    ("zeros(0, 3)", lambda L: L.zeros(0, 3).stride()),
    ("zeros(2, 0, 3)", lambda L: L.zeros(2, 0, 3).stride()),
    ("empty(0)", lambda L: L.empty(0).stride()),
    ("ones(3, 0)", lambda L: L.ones(3, 0).stride(1)),
    ("tensor([])", lambda L: L.tensor([]).stride()),
    ("empty + 1", lambda L: (L.zeros(0, 3) + 1).stride()),
    ("cat of empties", lambda L: L.cat([L.zeros(0, 3), L.zeros(0, 3)]).stride()),
    ("empty slice of a full tensor", lambda L: L.zeros(2, 3)[:, :0].stride()),
    ("reshape of empty", lambda L: L.zeros(0, 4).reshape(0, 2, 2).stride()),
]


@table(EMPTY_STRIDES)
def test_empty_tensor_strides_match_torch(fn):
    assert_same_outcome(fn)
