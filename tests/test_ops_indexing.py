"""Indexing ops against torch: getitem/setitem, gather/scatter, index_*, masked_*, take, one_hot."""
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gradstep
from gradstep._ops.indexing import one_hot
from _compare import compare, gradcheck_fd, to_numpy

R = np.random.default_rng(0)


def A(*shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


def long(L, v):
    return L.tensor(np.asarray(v, dtype=np.int64))


def mask(L, v):
    return L.tensor(np.asarray(v, dtype=bool))


X = A(2, 3, 4)
M34 = R.standard_normal((3, 4)) > 0

# (id, fn(lib, *tensors), arrays)
CASES = [
    ("int", lambda L, x: x[1], [X]),
    ("neg_int", lambda L, x: x[-1, -2], [X]),
    ("all_ints", lambda L, x: x[1, 2, 3], [X]),
    ("slice", lambda L, x: x[0:1], [X]),
    ("slice_full", lambda L, x: x[:], [X]),
    ("slice_full_tuple", lambda L, x: x[:, :], [X]),
    ("slice_step", lambda L, x: x[:, ::2, 1::2], [X]),
    ("slice_oob", lambda L, x: x[1:10, -10:2], [X]),
    ("slice_empty", lambda L, x: x[2:1], [X]),
    ("int_then_slice", lambda L, x: x[0, 1:], [X]),
    ("slice_then_int", lambda L, x: x[0:2, 1], [X]),
    ("none", lambda L, x: x[None], [X]),
    ("none_mid", lambda L, x: x[:, None, 1], [X]),
    ("none_last", lambda L, x: x[0, None], [X]),
    ("ellipsis", lambda L, x: x[...], [X]),
    ("ellipsis_int", lambda L, x: x[..., 1], [X]),
    ("ellipsis_mid", lambda L, x: x[0, ..., 1:3], [X]),
    ("zero_dim_tensor_index", lambda L, x: x[L.tensor(1)], [X]),
    ("list", lambda L, x: x[[0, 1, 0]], [X]),
    ("list_dup_grad", lambda L, x: x[[1, 1, 1]], [X]),
    ("long_tensor", lambda L, x: x[long(L, [[0, 1], [1, 1]])], [X]),
    ("int32_tensor", lambda L, x: x[L.tensor(np.array([1, 0], np.int32))], [X]),
    ("adv_two", lambda L, x: x[[0, 1], :, [3, 2]], [X]),
    ("adv_adjacent", lambda L, x: x[:, [0, 2], [1, 1]], [X]),
    ("adv_broadcast", lambda L, x: x[long(L, [[0], [1]]), long(L, [1, 2])], [X]),
    ("adv_with_slice", lambda L, x: x[1:, [2, 0]], [X]),
    ("adv_with_none", lambda L, x: x[None, [0, 1]], [X]),
    ("adv_neg", lambda L, x: x[:, :, [-1, -4]], [X]),
    ("adv_empty", lambda L, x: x[long(L, np.zeros(0, np.int64))], [X]),
    ("mask_full", lambda L, x: x[x > 0], [X]),
    ("mask_partial", lambda L, x: x[0][mask(L, M34)], [X]),
    ("mask_leading", lambda L, x: x[mask(L, [True, False])], [X]),
    ("mask_after_slice", lambda L, x: x[:, mask(L, [True, False, True])], [X]),
    ("bool_true", lambda L, x: x[True], [X]),
    ("bool_false", lambda L, x: x[False], [X]),
    ("int_and_bool", lambda L, x: x[0, True], [X]),
    ("index_0d", lambda L, x: x[None], [A()]),
    ("index_0d_ellipsis", lambda L, x: x[...], [A()]),
    ("index_int_tensor_values", lambda L, x: x[1:, [0, 0]], [np.arange(12).reshape(3, 4)]),
    ("gather", lambda L, x: x.gather(1, long(L, np.zeros((2, 2, 4)) + [0, 2, 1, 1])), [X]),
    ("gather_small", lambda L, x: L.gather(x, 0, long(L, [[[1, 0]], [[1, 1]]])), [X]),
    ("gather_neg_dim", lambda L, x: x.gather(-1, long(L, [[0, 0], [1, 0]])), [A(2, 3)]),
    ("gather_int32", lambda L, x: x.gather(0, L.tensor(np.array([[1, 0, 1]], np.int32))),
     [A(2, 3)]),
    ("gather_empty", lambda L, x: x.gather(1, long(L, np.zeros((2, 0), np.int64))), [A(2, 3)]),
    ("scatter_src", lambda L, x, s: x.scatter(1, long(L, [[0, 1], [2, 0]]), s), [A(2, 3), A(2, 2)]),
    ("scatter_value", lambda L, x: L.scatter(x, 0, long(L, [[1, 0, 1]]), 2.5), [A(2, 3)]),
    ("scatter_value_kw", lambda L, x: x.scatter(0, long(L, [[1, 0, 1]]), value=-1), [A(2, 3)]),
    ("scatter_add", lambda L, x, s: x.scatter_add(0, long(L, [[1, 1, 0], [1, 1, 1]]), s),
     [A(2, 3), A(2, 3)]),
    ("scatter_add_small", lambda L, x, s: L.scatter_add(x, 1, long(L, [[0, 0]]), s),
     [A(2, 3), A(1, 2)]),
    ("scatter_reduce_fwd", lambda L, x: x.detach().scatter(0, long(L, [[1, 1, 0]]), 2.0,
                                                          reduce="multiply"), [A(2, 3)]),
    ("index_select", lambda L, x: x.index_select(1, long(L, [2, 0, 2])), [X]),
    ("index_select_int32", lambda L, x: L.index_select(x, 0, L.tensor(np.array([1], np.int32))),
     [X]),
    ("index_select_0d_idx", lambda L, x: x.index_select(0, long(L, 1)), [X]),
    ("index_select_empty", lambda L, x: x.index_select(1, long(L, np.zeros(0))), [X]),
    ("index_add", lambda L, x, s: x.index_add(0, long(L, [1, 1, 0]), s), [A(2, 3), A(3, 3)]),
    ("index_add_alpha", lambda L, x, s: L.index_add(x, 1, long(L, [2]), s, alpha=2.0),
     [A(2, 3), A(2, 1)]),
    ("index_copy", lambda L, x, s: x.index_copy(1, long(L, [2, 0]), s), [A(2, 3), A(2, 2)]),
    ("index_fill", lambda L, x: x.index_fill(1, long(L, [2, 0]), -1.0), [A(2, 3)]),
    ("index_fill_tensor", lambda L, x, v: x.index_fill(0, long(L, [1]), v), [A(2, 3), A()]),
    ("index_put", lambda L, x, v: L.index_put(x, (long(L, [0, 0]), long(L, [1, 1])), v),
     [A(2, 3), A(2)]),
    ("index_put_acc", lambda L, x, v: x.index_put((long(L, [0, 0]), long(L, [1, 1])), v, True),
     [A(2, 3), A(2)]),
    ("masked_fill", lambda L, x: x.masked_fill(x > 0, 0.5), [X]),
    ("masked_fill_bcast", lambda L, x: x.masked_fill(mask(L, [True, False, True, False]), -2),
     [X]),
    ("masked_fill_expand_self", lambda L, x: x.masked_fill(mask(L, M34), 1.0), [A(4)]),
    ("masked_fill_tensor", lambda L, x, v: L.masked_fill(x, x > 0, v), [X, A()]),
    ("masked_fill_int", lambda L, x: x.masked_fill(x > 0, 7), [np.arange(-3, 3)]),
    ("masked_select", lambda L, x: x.masked_select(x > 0), [X]),
    ("masked_select_bcast", lambda L, x: L.masked_select(x, mask(L, M34)), [A(4)]),
    ("masked_scatter", lambda L, x, s: x.masked_scatter(mask(L, M34), s), [A(3, 4), A(3, 5)]),
    ("take", lambda L, x: x.take(long(L, [[0, 23], [-1, 5]])), [X]),
    ("take_fn", lambda L, x: L.take(x, long(L, [3, 3])), [A(2, 3)]),
    ("take_along_dim", lambda L, x: x.take_along_dim(long(L, np.zeros((1, 1, 4))), 1), [X]),
    ("take_along_dim_none", lambda L, x: L.take_along_dim(x, long(L, [5, 0, 5])), [A(2, 3)]),
    ("take_along_dim_argsort", lambda L, x: x.take_along_dim(long(L, [[2, 0, 1]]), dim=1),
     [A(2, 3)]),
    ("nonzero", lambda L, x: L.nonzero(x), [np.array([[1, 0], [0, 3]])]),
    ("nonzero_tuple", lambda L, x: x.nonzero(as_tuple=True), [np.array([[1, 0], [0, 3]])]),
    ("nonzero_0d", lambda L, x: L.nonzero(x), [np.array(2.0)]),
    ("nonzero_0d_zero", lambda L, x: x.nonzero(), [np.array(0)]),
    ("nonzero_0d_tuple", lambda L, x: L.nonzero(x, as_tuple=True), [np.array(5)]),
    ("argwhere", lambda L, x: L.argwhere(x), [np.array([0.0, 1.0, -1.0])]),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g, t = compare(fn, *arrays)
    gs = g if isinstance(g, (tuple, list)) else [g]
    ts = t if isinstance(t, (tuple, list)) else [t]
    for gi, ti in zip(gs, ts):
        tname = ti.grad_fn.name() if ti.grad_fn is not None else None
        gname = gi.grad_fn.name() if gi.grad_fn is not None else None
        assert gname == tname, f"grad_fn {gname} vs {tname}"
        assert (gi._base is not None) == (ti._base is not None), "view-ness differs"


FD = [c for c in CASES if c[0] in {
    "slice_step", "none_mid", "ellipsis_mid", "list_dup_grad", "adv_two", "adv_broadcast",
    "adv_with_slice", "mask_partial", "gather", "gather_small", "scatter_src", "scatter_value",
    "scatter_add", "scatter_add_small", "index_select", "index_add_alpha", "index_copy",
    "index_fill_tensor", "index_put_acc", "masked_fill_tensor", "masked_fill_expand_self",
    "masked_select_bcast", "masked_scatter", "take", "take_along_dim"}]


@pytest.mark.parametrize("name,fn,arrays", FD, ids=[c[0] for c in FD])
def test_gradcheck(name, fn, arrays):
    gradcheck_fd(fn, *[a.astype(np.float64) for a in arrays])


DOUBLE = ["slice_step", "none_mid", "adv_two", "list_dup_grad", "mask_partial", "gather",
          "scatter_src", "scatter_add_small", "index_select", "index_add", "masked_fill_tensor",
          "masked_scatter", "take", "index_put"]


@pytest.mark.parametrize("name", DOUBLE)
def test_double_backward(name):
    fn, arrays = next((c[1], c[2]) for c in CASES if c[0] == name)
    arrays = [a.astype(np.float64) for a in arrays]
    results = []
    for L in (gradstep, torch):
        xs = [L.tensor(a, requires_grad=True) for a in arrays]
        out = fn(L, *xs)
        w = L.tensor(np.cos(np.arange(int(np.prod(out.shape)))).reshape(tuple(out.shape)))
        y = (out * out * w).sum()
        grads = L.autograd.grad(y, xs, create_graph=True)
        z = sum((gr * gr * gr).sum() for gr in grads)
        second = L.autograd.grad(z, xs)
        results.append([to_numpy(g) for g in grads] + [to_numpy(s) for s in second])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_scatter_larger_src():
    """torch's own backward fails when src is larger than index; gradstep's is checked by FD."""
    def fn(L, x, s):
        return L.scatter_add(x, 1, long(L, [[0, 0]]), s) + x.scatter(0, long(L, [[1, 0, 1]]), s)

    compare(fn, A(2, 3), A(3, 4), backward=False)
    gradcheck_fd(fn, A(2, 3, dtype=np.float64), A(3, 4, dtype=np.float64))


# ----- __setitem__ -----

SETS = [
    ("int_number", lambda L: 0, lambda L, *v: 5.0, []),
    ("slice_tensor", lambda L: (slice(None), 1), lambda L, v: v, [A(2, 4)]),
    ("bcast_tensor", lambda L: (0,), lambda L, v: v, [A(4)]),
    ("leading_ones", lambda L: (0,), lambda L, v: v, [A(1, 1, 3, 4)]),
    ("ellipsis", lambda L: (...,), lambda L, v: v, [A(4)]),
    ("step_slice", lambda L: (slice(None), slice(None, None, 2)), lambda L, v: v, [A(2, 2, 4)]),
    ("none", lambda L: (None, 1), lambda L, v: v, [A(3, 4)]),
    ("list", lambda L: ([0, 1],), lambda L, v: v, [A(2, 3, 4)]),
    ("adv_dup", lambda L: ([1, 0, 1], [0, 0, 2]), lambda L, v: v, [A(3, 4)]),
    ("mask", lambda L: (1, mask(L, M34)), lambda L, v: v, [A()]),
    ("mask_number", lambda L: (0, mask(L, M34)), lambda L, *v: -1.0, []),
    ("mask_values", lambda L: (0, mask(L, M34)), lambda L, v: v, [A(int(M34.sum()))]),
    ("double_value", lambda L: (1, 2), lambda L, v: v, [A(dtype=np.float64)]),
]


@pytest.mark.parametrize("name,idx,value,arrays", SETS, ids=[s[0] for s in SETS])
def test_setitem(name, idx, value, arrays):
    def fn(L, x, *vs):
        y = x * 1.0
        y[idx(L)] = value(L, *vs)
        return y

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g, t = compare(fn, X, *arrays)
    assert g.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("name,idx,value,arrays", SETS, ids=[s[0] for s in SETS])
def test_setitem_no_grad(name, idx, value, arrays):
    out = []
    for L in (gradstep, torch):
        x = L.tensor(X.copy())
        vs = [L.tensor(a) for a in arrays]
        y = x[0]  # writes through a view reach the base
        x[idx(L)] = value(L, *vs)
        y[0, 0] = 100
        out.append(to_numpy(x))
    np.testing.assert_array_equal(out[0], out[1])


def test_setitem_int_tensor_casts():
    for L in (gradstep, torch):
        x = L.tensor([0, 0, 0])
        x[0] = 1.7
        x[1] = L.tensor(2.9)
        x[2] = True
        if L is gradstep:
            g = to_numpy(x)
        else:
            np.testing.assert_array_equal(g, to_numpy(x))
            assert str(x.dtype) == "torch.int64"


def test_setitem_version_and_leaf_error():
    x = gradstep.tensor([0.0, 0.0, 0.0])
    v = x._version
    x[0] = 1.0
    assert x._version == v + 1
    for L in (gradstep, torch):
        leaf = L.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match=re.escape(
                "a leaf Variable that requires grad is being used in an in-place operation.")):
            leaf[0] = 3.0
        with L.no_grad():
            leaf[0] = 3.0
        assert leaf.tolist() == [3.0, 2.0]


def test_setitem_saved_tensor_check():
    for L in (gradstep, torch):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        c = b * b
        b[0] = 5.0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


INPLACE = [
    ("scatter_", lambda L, x, s: x.scatter_(1, long(L, [[0, 1], [2, 2]]), s[:, :2])),
    ("scatter_value_", lambda L, x, s: x.scatter_(1, long(L, [[0, 1], [2, 2]]), 3.0)),
    ("scatter_add_", lambda L, x, s: x.scatter_add_(0, long(L, [[1, 1, 0], [1, 1, 1]]), s)),
    ("index_add_", lambda L, x, s: x.index_add_(1, long(L, [0, 0, 2]), s, alpha=-1)),
    ("index_copy_", lambda L, x, s: x.index_copy_(0, long(L, [1, 0]), s)),
    ("index_fill_", lambda L, x, s: x.index_fill_(1, long(L, [1]), 0.0)),
    ("masked_fill_", lambda L, x, s: x.masked_fill_(s > 0, 9.0)),
    ("masked_scatter_", lambda L, x, s: x.masked_scatter_(s > 0, s)),
    ("index_put_", lambda L, x, s: x.index_put_((long(L, [1, 1]),), s[:1], accumulate=True)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace(name, fn):
    x0, s0 = A(2, 3), A(2, 3)

    def run(L, x, s):
        y = x * 1.0
        r = fn(L, y, s)
        assert r is y
        return y

    g, t = compare(run, x0, s0)
    assert g.grad_fn.name() == t.grad_fn.name()
    for L in (gradstep, torch):  # the no-grad path writes in place too
        y = L.tensor(x0.copy())
        fn(L, y, L.tensor(s0))
        if L is gradstep:
            gv = to_numpy(y)
        else:
            np.testing.assert_allclose(gv, to_numpy(y), rtol=1e-6)


# ----- one_hot -----

@pytest.mark.parametrize("values,n", [([0, 2, 1], -1), ([[0], [3]], 5), ([], 3), (4, -1)])
def test_one_hot(values, n):
    g = one_hot(gradstep.tensor(np.asarray(values, np.int64)), n)
    t = F.one_hot(torch.tensor(np.asarray(values, np.int64)), n)
    assert tuple(g.shape) == tuple(t.shape) and str(g.dtype) == str(t.dtype)
    np.testing.assert_array_equal(to_numpy(g), to_numpy(t))


@pytest.mark.parametrize("values,n,msg", [
    ([0, 2], 2, "Class values must be smaller than num_classes."),
    ([-1, 2], -1, "Class values must be non-negative."),
    (np.zeros(0, np.int64), -1, "Can not infer total number of classes from empty tensor."),
    (np.array([1.0]), -1, "one_hot is only applicable to index tensor of type LongTensor."),
    (np.array([1], np.int32), -1, "one_hot is only applicable to index tensor of type "
     "LongTensor."),
])
def test_one_hot_errors(values, n, msg):
    for f, L in ((one_hot, gradstep), (F.one_hot, torch)):
        with pytest.raises(RuntimeError, match=re.escape(msg)):
            f(L.tensor(np.asarray(values)), n)


# ----- errors -----

ERRORS = [
    (lambda L, x: x[::-1], "step must be greater than zero"),
    (lambda L, x: x[5], "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda L, x: x[-3], "index -3 is out of bounds for dimension 0 with size 2"),
    (lambda L, x: x[0, 5], "index 5 is out of bounds for dimension 1 with size 3"),
    (lambda L, x: x[0, 0, 0, 0], "too many indices for tensor of dimension 3"),
    (lambda L, x: x[0, 0, 0][0], "invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
     "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"),
    (lambda L, x: x[[5]], "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda L, x: x[:, [-4]], "index -4 is out of bounds for dimension 0 with size 3"),
    (lambda L, x: x[L.tensor([0.0])], "tensors used as indices must be long, int, byte or bool "
     "tensors"),
    (lambda L, x: x[L.tensor(np.array([0], np.int16))], "tensors used as indices must be long, "
     "int, byte or bool tensors"),
    (lambda L, x: x[1.5], "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
     "Variables are valid indices (got float)"),
    (lambda L, x: x[mask(L, [True, False, True])], "The shape of the mask [3] at index 0 does not "
     "match the shape of the indexed tensor [2, 3, 4] at index 0"),
    (lambda L, x: x[:, mask(L, [[True]])], "The shape of the mask [1, 1] at index 0 does not "
     "match the shape of the indexed tensor [2, 3, 4] at index 1"),
    (lambda L, x: x.__setitem__(0, L.tensor(np.ones(5, np.float32))), "The expanded size of the "
     "tensor (4) must match the existing size (5) at non-singleton dimension 1.  Target sizes: "
     "[3, 4].  Tensor sizes: [5]"),
    (lambda L, x: x.__setitem__(0, L.tensor(np.ones((2, 1, 3, 4), np.float32))),
     "expand(torch.FloatTensor{[2, 1, 3, 4]}, size=[3, 4]): the number of sizes provided (2) must "
     "be greater or equal to the number of dimensions in the tensor (4)"),
    (lambda L, x: x.__setitem__([0, 1], L.tensor(np.ones((3, 3, 4), np.float32))),
     "shape mismatch: value tensor of shape [3, 3, 4] cannot be broadcast to indexing result of "
     "shape [2, 3, 4]"),
    (lambda L, x: x.__setitem__(5, 1.0), "index 5 is out of bounds for dimension 0 with size 2"),
    (lambda L, x: x.gather(0, long(L, [[[5]]])), "index 5 is out of bounds for dimension 0 with "
     "size 2"),
    (lambda L, x: x.gather(0, long(L, [[0]])), "Index tensor must have the same number of "
     "dimensions as input tensor"),
    (lambda L, x: x.gather(5, long(L, [[[0]]])), "Dimension out of range (expected to be in range "
     "of [-3, 2], but got 5)"),
    (lambda L, x: x.scatter(0, long(L, [[[0]]]), x.double()[:1, :1, :1]), "scatter(): Expected "
     "self.dtype to be equal to src.dtype"),
    (lambda L, x: x.scatter(0, long(L, [[[7]]]), 1.0), "index 7 is out of bounds for dimension 0 "
     "with size 2"),
    (lambda L, x: x.scatter(0, long(L, [[[0]]]), 1.0, reduce="foo"), "reduce argument must be "
     "either add or multiply."),
    (lambda L, x: x.index_select(0, long(L, [5])), "index out of range in self"),
    (lambda L, x: x.index_select(0, long(L, [[0]])), "index_select(): Index is supposed to be a "
     "vector"),
    (lambda L, x: x.index_select(0, L.tensor([0.0])), "index_select(): Expected dtype int32 or "
     "int64 for index"),
    (lambda L, x: x.index_add(0, long(L, [0]), x[:2]), "index_add_(): Number of indices (1) "
     "should be equal to source.size(dim): (2), for dim: 0"),
    (lambda L, x: x.index_add(0, long(L, [5]), x[:1]), "index 5 is out of bounds for dimension 0 "
     "with size 2"),
    (lambda L, x: x.index_add(0, long(L, [0]), x[:1].double()), "index_add_(): self (Float) and "
     "source (Double) must have the same scalar type"),
    (lambda L, x: x.index_fill(0, long(L, [5]), 1.0), "index 5 is out of bounds for dimension 0 "
     "with size 2"),
    (lambda L, x: x.index_copy(0, long(L, [0]), x[:2]), "index_copy_(): Number of indices (1) "
     "should be equal to source.size(dim) (2)"),
    (lambda L, x: x.masked_fill(mask(L, np.ones(5)), 1.0), "The size of tensor a (5) must match "
     "the size of tensor b (4) at non-singleton dimension 2"),
    (lambda L, x: x.masked_fill(L.tensor(np.ones(4, np.float32)), 1.0), "masked_fill_ only "
     "supports boolean masks, but got mask with dtype float"),
    (lambda L, x: x.masked_fill(x > 0, L.tensor(np.ones(2, np.float32))), "masked_fill_ only "
     "supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)."),
    (lambda L, x: x.masked_select(L.tensor(np.ones(4, np.float32))), "masked_select: expected "
     "BoolTensor for mask"),
    (lambda L, x: x.take(long(L, [24])), "out of range: tried to access index 24 on a tensor of "
     "24 elements."),
    (lambda L, x: x.take_along_dim(long(L, [[0]]), 1), "torch.take_along_dim(): input and indices "
     "should have the same number of dimensions, but got 3 dimensions for input, and 2 dimensions "
     "for indices"),
]


@pytest.mark.parametrize("fn,msg", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_match_torch(fn, msg):
    for L in (torch, gradstep):
        x = L.tensor(np.zeros((2, 3, 4), np.float32))
        with pytest.raises((RuntimeError, IndexError, ValueError, TypeError),
                           match=re.escape(msg)) as info:
            fn(L, x)
        if L is torch:
            ttype = info.type
        else:
            assert info.type is ttype


def test_uint8_mask_warns_and_selects():
    for L in (gradstep, torch):
        x = L.tensor([1.0, 2.0, 3.0])
        with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
            r = x[L.tensor(np.array([1, 0, 1], np.uint8))]
        assert r.tolist() == [1.0, 3.0]


def test_basic_index_is_view_advanced_is_copy():
    x = gradstep.tensor(np.arange(6.0).reshape(2, 3))
    v = x[0, 1:]
    assert v._base is x and np.shares_memory(v._data, x._data)
    c = x[[0]]
    assert c._base is None and not np.shares_memory(c._data, x._data)
    v[0] = 100.0
    assert x.tolist()[0][1] == 100.0


def test_index_backward_with_non_contiguous_upstream_gradient():
    # the scatter of a transposed (non-C-contiguous) gradient once wrote into a copy
    compare(lambda lib, x: lib.index_select(x, 0, lib.tensor([1, 2, 3, 0])).transpose(0, 1),
            np.random.default_rng(0).standard_normal((4, 4, 2)))


_INDEX_THEN_CHANGED = {
    "tensor": lambda L, x, i: x[i],
    "in_tuple": lambda L, x, i: x[(i,)],
    "with_int": lambda L, x, i: x.view(1, 3)[0, i],
    "gather": lambda L, x, i: x.gather(0, i),
    "index_select": lambda L, x, i: L.index_select(x, 0, i),
    "unchanged_duplicates": None,  # the control: no in-place change, gradients accumulate
}


@pytest.mark.parametrize("case", sorted(_INDEX_THEN_CHANGED))
def test_index_tensor_changed_in_place_before_backward(case):
    # backward reads the index it saved: torch refuses once the index tensor has changed
    from _outcome import assert_same_outcome

    def run(L):
        x = L.tensor([0.5, 1.5, 2.5], requires_grad=True)
        if case == "unchanged_duplicates":
            i = L.tensor([0, 0, 2])
            x[i].sum().backward()
            return x.grad
        i = L.tensor([0, 1])
        out = _INDEX_THEN_CHANGED[case](L, x, i)
        i.add_(1)
        out.sum().backward()
        return x.grad
    assert_same_outcome(run)


def test_mask_changed_in_place_before_backward_raises():
    x = gradstep.tensor([0.5, 1.5, 2.5], requires_grad=True)
    mask = gradstep.tensor([True, False, True])
    picked = x[mask]
    mask.logical_not_()
    # torch names a bool tensor by its dispatch key and scalar type, not torch.BoolTensor
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[CPUBoolType "
                                           r"\[3\]\] is at version 1; expected version 0"):
        picked.sum().backward()
