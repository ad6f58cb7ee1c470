"""Indexing against torch where NumPy's rules differ from torch's: ints mixed with tensor
indices, the order and wording of index errors, bounds of gather/scatter/index_*, numbers that
do not fit a dtype, writes into expanded or overlapping memory, scatter_reduce and
tril_indices/triu_indices. Every case runs on both libraries (values, dtypes, gradients,
errors and warnings)."""
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd
from _outcome import assert_same_outcome

R = np.random.default_rng(1)
X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def A(*shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


def long(L, v):
    return L.tensor(np.asarray(v, dtype=np.int64))


def mask(L, v):
    return L.tensor(np.asarray(v, dtype=bool))


# ----- an int mixed with tensor indices: torch selects at the int first -----

MIXED = [
    ("int_slice_list", lambda L: (0, slice(None), [0, 1])),
    ("int_slice_list3", lambda L: (1, slice(None), [2, 0, 1])),
    ("int0d_slice_mask", lambda L: (L.tensor(1), slice(None), mask(L, [True, False, True, True]))),
    ("slice_int_list", lambda L: (slice(None), 2, [3, 1])),
    ("list_slice_int", lambda L: ([1, 0], slice(1, None), 3)),
    ("int_none_list", lambda L: (0, None, [1, 2])),
    ("ellipsis_int_list", lambda L: (Ellipsis, 1, [0, 3])),
    ("int_list_adjacent", lambda L: (1, [0, 2])),
    ("list_int_list", lambda L: ([0, 1], 1, [2, 3])),
    ("int_bool_scalar", lambda L: (0, True)),
    ("bool_scalar_list", lambda L: (True, [1, 0])),
    ("int_list2d", lambda L: (1, slice(None), long(L, [[0], [3]]))),
    ("false_scalar", lambda L: (slice(None), False, [0])),
]


@pytest.mark.parametrize("name,idx", MIXED, ids=[m[0] for m in MIXED])
def test_mixed_int_and_tensor_index(name, idx):
    compare(lambda L, x: x[idx(L)], X)
    gradcheck_fd(lambda L, x: x[idx(L)], X)


@pytest.mark.parametrize("name,idx", MIXED, ids=[m[0] for m in MIXED])
def test_mixed_int_and_tensor_setitem(name, idx):
    def fn(L, x, v):
        y = x * 2
        target = y[idx(L)].shape
        y[idx(L)] = v[: int(np.prod(target))].reshape(target)
        return y

    g, t = compare(fn, X, A(24))
    assert g.grad_fn.name() == t.grad_fn.name()

    def no_grad(L):
        y = L.zeros(2, 3, 4)
        y[idx(L)] = L.arange(1.0, 1.0 + y[idx(L)].numel()).reshape(y[idx(L)].shape)
        return y

    assert_same_outcome(no_grad)


def test_random_mixed_indices_match_torch():
    """Random combinations of ints, slices, None, ellipsis, lists, masks and bools."""
    rng = np.random.default_rng(7)
    shape = (2, 3, 4, 5)

    def item(L, n):
        k = rng.integers(8)
        if k == 0:
            return int(rng.integers(-n, n))
        if k == 1:
            return slice(int(rng.integers(0, 2)), None)
        if k == 2:
            return None
        if k == 3:
            return [int(i) for i in rng.integers(0, n, 2)]
        if k == 4:
            return L.tensor(int(rng.integers(0, n)))
        if k == 5:
            return mask(L, rng.random(n) > 0.4)
        if k == 6:
            return bool(rng.random() > 0.5)
        return Ellipsis

    for _ in range(150):
        state = rng.bit_generator.state
        idxs = []
        for L in (torch, gradstep):
            rng.bit_generator.state = state
            items, d, ellipsis = [], 0, False
            for _ in range(int(rng.integers(1, 5))):
                it = item(L, shape[min(d, 3)])
                if it is Ellipsis:
                    if ellipsis:
                        continue
                    ellipsis = True
                d += it is not None and not isinstance(it, bool) and it is not Ellipsis
                items.append(it)
            idxs.append(tuple(items))
        x0 = np.arange(120, dtype=np.float32).reshape(shape)

        def fn(L):
            x = L.tensor(x0, requires_grad=True)
            idx = idxs[0] if L is torch else idxs[1]
            y = x[idx]
            (y * L.arange(y.numel(), dtype=L.float32).reshape(y.shape)).sum().backward()
            z = L.zeros(shape)
            z[idx] = L.arange(y.numel(), dtype=L.float32).reshape(y.shape)
            return y, x.grad, z

        assert_same_outcome(fn)


# ----- index errors, in torch's order and words -----

INDEX_ERRORS = [
    lambda L, x: x[[0, 1, 0], :, [0, 1]],                      # broadcast failure
    lambda L, x: x[long(L, [[0], [1]]), long(L, [0, 1, 2])][:, :, 9],
    lambda L, x: x[None, 0, 9],                                # int: the item's position
    lambda L, x: x[..., 0, 7],
    lambda L, x: x[:, long(L, [1, -7, 9])],                    # the first bad element
    lambda L, x: x[:, long(L, [1, 9, -7])],
    lambda L, x: x[[0, 1], [9, 0]],                            # by the position of its tensor
    lambda L, x: x[mask(L, [True, False]), [0, 5]],
    lambda L, x: x[:2, mask(L, [True, False])],                # mask vs the sliced shape
    lambda L, x: x[0:1, [0, 9]],                               # empty result: no error
    lambda L, x: L.zeros(0, 3)[:, [5]],
    lambda L, x: L.zeros(0)[[0]],                              # size 0 dim
    lambda L, x: x[..., ...],                                  # a second ellipsis: no dims
    lambda L, x: x[..., 0, ...],
    lambda L, x: x[0, 0, 0, 1.5],                              # too many, before the type
    lambda L, x: x[0, "a"],
    lambda L, x: L.tensor(1.0)[:],                             # 0-dim tensors
    lambda L, x: L.tensor(1.0)[[0]],
    lambda L, x: L.tensor(1.0)[(0,)],
    lambda L, x: L.tensor(1.0)[2],
    lambda L, x: L.tensor(1.0)[0],
    lambda L, x: L.tensor(1.0)[1.5],
    lambda L, x: L.tensor(1.0)[L.tensor(True)],
    lambda L, x: x[[[0, 1], [1, 0]]],                          # legacy sequence: warns
    lambda L, x: x[[0, slice(None)]],
    lambda L, x: x["ab"],                                      # a str is a sequence too
    lambda L, x: x[::0],
    lambda L, x: x[::-1],
]


@pytest.mark.parametrize("i", range(len(INDEX_ERRORS)))
def test_index_errors_and_edge_cases(i):
    assert_same_outcome(lambda L: INDEX_ERRORS[i](L, L.tensor(X)))


# ----- setitem: what torch accepts as a value, and checks -----

SETITEM = [
    lambda L, x: x.__setitem__([0, 1], L.ones(4, dtype=L.float64)),       # dtypes must match
    lambda L, x: x.__setitem__((0, [1]), L.tensor([1])),
    lambda L, x: x.__setitem__(0, L.ones(4, dtype=L.float64)),            # basic: cast
    lambda L, x: x.__setitem__(x > 3, L.ones(1, dtype=L.float64)),        # masked_fill: cast
    lambda L, x: x.__setitem__(x > 3, L.ones(20, dtype=L.float64)),
    lambda L, x: x.__setitem__(0, [1.0, 2.0, 3.0, 4.0]),                  # not a tensor
    lambda L, x: x.__setitem__(0, (1, 2, 3, 4)),
    lambda L, x: x.__setitem__(0, np.ones(4)),
    lambda L, x: x.__setitem__(0, np.float32(2)),
    lambda L, x: x.__setitem__(0, np.int64(2)),
    lambda L, x: x.__setitem__(0, np.float64(2.5)),
    lambda L, x: x.__setitem__(0, None),
    lambda L, x: x.__setitem__(False, 7.0),                               # writes nothing
    lambda L, x: x.__setitem__(True, 7.0),
    lambda L, x: x.__setitem__(0, 2**63),
    lambda L, x: x[1:].__setitem__(Ellipsis, x[:-1]),                     # partial overlap
    lambda L, x: x.__setitem__(slice(None), x),                           # same memory: fine
    lambda L, x: x.__setitem__([0, 1], x),                                # index_put: refused
    lambda L, x: x.__setitem__((slice(None), 0), x[:, 1]),                # disjoint
    lambda L, x: x.__setitem__((0, slice(None, None, 2)), x[0, 1::2]),    # strided: allowed
    lambda L, x: x.__setitem__(x > 30, x[x > 30]),                        # a copy: fine
]


@pytest.mark.parametrize("i", range(len(SETITEM)))
def test_setitem_values_and_overlap(i):
    def fn(L):
        x = L.tensor(X.copy())
        SETITEM[i](L, x)
        return x

    assert_same_outcome(fn)


def test_setitem_full_slice_grad_fn_names():
    for idx, value in [(slice(None), 2.0), ((slice(None),), 2.0), (Ellipsis, 2.0),
                       (slice(None), lambda L: L.ones(4)), (slice(0, 1), 2.0)]:
        names = []
        for L in (gradstep, torch):
            y = L.ones(2, 4, requires_grad=True) * 1
            y[idx] = value(L) if callable(value) else value
            names.append(y.grad_fn.name())
        assert names[0] == names[1], (idx, names)


# ----- numbers that do not fit the dtype -----

VALUES = [300, -1, -129, 255, 256, -255, -256, 127.9, -0.5, -1.0, float("nan"), float("inf"),
          1e10, 2**31, 2**63 - 1, 65504.0, 65520.0, 1e39, True, 1.5]
DTYPES = ["int8", "uint8", "int16", "int32", "int64", "float16", "float32", "float64", "bool"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_number_range_checks(dtype):
    for v in VALUES:
        def fn(L):
            dt = getattr(L, dtype)
            out = [L.zeros(2, dtype=dt).masked_fill(L.tensor([True, False]), v),
                   L.zeros(2, dtype=dt).index_fill(0, L.tensor([1]), v),
                   L.zeros(2, dtype=dt).scatter(0, L.tensor([1]), v)]
            y = L.zeros(2, dtype=dt)
            y[1] = v
            return out + [y]

        for part in range(4):
            assert_same_outcome(lambda L: fn(L)[part] if part < 3 else fn(L)[3])


# ----- gather, scatter and index_*: bounds, shapes, 0-dim tensors -----

G = np.arange(12, dtype=np.float32).reshape(3, 4)
GATHER_SCATTER = [
    lambda L, x: x.gather(1, long(L, [[-1], [0], [0]])),
    lambda L, x: x.gather(1, long(L, [[0], [9], [-1]])),
    lambda L, x: x.index_select(0, long(L, [-1])),
    lambda L, x: x.scatter(1, long(L, [[-1]]), 9.0),
    lambda L, x: x.scatter_add(1, long(L, [[-1]]), L.ones(1, 1)),
    lambda L, x: x.index_add(0, long(L, [-1]), L.ones(1, 4)),
    lambda L, x: x.index_add(0, long(L, [5, -1]), L.ones(2, 4)),
    lambda L, x: x.index_copy(0, long(L, [-1]), L.ones(1, 4)),
    lambda L, x: x.index_fill(0, long(L, [-1]), 7.0),                   # index_fill wraps
    lambda L, x: x.index_fill(0, long(L, [5, -7]), 7.0),
    lambda L, x: x.gather(0, long(L, [[0, 1, 2, 0, 1]])),
    lambda L, x: x.scatter(0, long(L, [[0, 1, 2, 0, 1]]), 1.0),
    lambda L, x: x.scatter(0, long(L, [[0, 1, 0]]), L.ones(1, 2)),
    lambda L, x: x.scatter_add(0, long(L, [[0, 1, 0]]), L.ones(1, 2)),
    lambda L, x: x.gather(0, L.zeros(1, 3)),
    lambda L, x: x.scatter(0, L.zeros(1, 3), 1.0),
    lambda L, x: x.index_add(0, long(L, [0, 1]), L.ones(2, 2)),
    lambda L, x: x.index_add(0, long(L, [0, 1]), L.ones(2)),
    lambda L, x: x.index_add(0, L.zeros(1), L.ones(1, 4)),
    lambda L, x: x.index_add(0, long(L, [[0]]), L.ones(1, 4)),
    lambda L, x: x.index_copy(0, long(L, [0, 1]), L.ones(2, 2)),
    lambda L, x: x.index_copy(0, long(L, [0, 1]), L.ones(2)),
    lambda L, x: x.index_copy(0, long(L, [0]), L.ones(1, 4).double()),
    lambda L, x: x.index_copy(0, long(L, [[0]]), L.ones(1, 4)),
    lambda L, x: x.index_copy(0, L.zeros(1), L.ones(1, 4)),
    lambda L, x: x.index_fill(0, long(L, [[0]]), 1.0),
    lambda L, x: x.index_fill(0, L.zeros(1), 1.0),
    lambda L, x: x.take_along_dim(long(L, [[-1], [-5], [6]]), 1),       # modulo along dim
    lambda L, x: L.take_along_dim(x, long(L, [-1])),
    lambda L, x: L.take_along_dim(x, long(L, [[0], [0], [1], [1]]), dim=1),
    lambda L, x: L.take_along_dim(x, L.zeros(1, 1), dim=1),
    lambda L, x: x.gather(0, long(L, np.zeros(0))),                     # empty: no checks
    lambda L, x: x.gather(0, long(L, np.zeros((0, 2, 2)))),
    lambda L, x: x.scatter(0, long(L, np.zeros(0)), 1.0),
    lambda L, x: x.scatter_add(0, long(L, np.zeros(0)), L.ones(2)),
    lambda L, x: x.gather(5, long(L, np.zeros(0))),
    lambda L, x: x.index_add(0, long(L, [5]), L.ones(1, 4), alpha=2),   # other kernels
    lambda L, x: x.clone().index_add_(0, long(L, [5]), L.ones(1, 4)),
    lambda L, x: x[0].index_add(0, long(L, [5]), L.ones(1)),
]


@pytest.mark.parametrize("i", range(len(GATHER_SCATTER)))
def test_gather_scatter_index_checks(i):
    assert_same_outcome(lambda L: GATHER_SCATTER[i](L, L.tensor(G)))


ZERO_DIM = [
    lambda L, x: x.gather(0, long(L, [0, 0])),
    lambda L, x: x.gather(0, long(L, 0)),
    lambda L, x: x.gather(0, long(L, [1])),
    lambda L, x: x.scatter(0, long(L, [0]), 5.0),
    lambda L, x: x.scatter(0, long(L, 0), L.tensor(7.0)),
    lambda L, x: x.scatter(0, long(L, [1]), 5.0),
    lambda L, x: x.scatter_add(0, long(L, [0, 0]), L.tensor([1.0, 2.0])),
    lambda L, x: x.index_select(0, long(L, [0])),
    lambda L, x: x.index_select(0, long(L, [0, 0])),
    lambda L, x: x.index_select(0, long(L, [1])),
    lambda L, x: x.index_add(0, long(L, [0]), L.tensor(2.0)),
    lambda L, x: x.index_add(0, long(L, [0]), L.tensor([2.0])),
    lambda L, x: x.index_add(0, long(L, [1]), L.tensor(2.0)),
    lambda L, x: x.index_copy(0, long(L, [0]), L.tensor(2.0)),
    lambda L, x: x.index_copy(0, long(L, [0, 0]), L.tensor(2.0)),
    lambda L, x: x.index_fill(0, long(L, [0, 0]), 2.0),
    lambda L, x: x.index_fill(0, long(L, np.zeros(0)), 2.0),
    lambda L, x: x.masked_fill(L.tensor(True), 1.0),
    lambda L, x: x.take(long(L, [0, 0])),
    lambda L, x: L.take_along_dim(x, long(L, 0), 0),
]


@pytest.mark.parametrize("i", range(len(ZERO_DIM)))
def test_zero_dim_gather_scatter(i):
    assert_same_outcome(lambda L: ZERO_DIM[i](L, L.tensor(3.0)))


def test_zero_dim_gradients():
    compare(lambda L, x: x.gather(0, long(L, [0, 0])), np.float32(3.0))
    compare(lambda L, x: x.masked_fill(L.tensor(True), 2.5), np.float32(3.0))
    compare(lambda L, x, v: x.masked_fill(L.tensor(False), v), np.float32(3.0), np.float32(2.0))
    compare(lambda L, x, s: x.scatter_add(0, long(L, [0, 0]), s), np.float32(3.0),
            np.array([1.0, 2.0], np.float32))
    compare(lambda L, x, s: x.index_add(0, long(L, [0]), s), np.float32(3.0), np.float32(2.0))


# ----- writes into expanded tensors (elements sharing memory) -----

EXPANDED = [
    lambda L, y: y.fill_(1.0),
    lambda L, y: y.zero_(),
    lambda L, y: y.add_(1),
    lambda L, y: y.copy_(L.ones(3, 4)),
    lambda L, y: y.__setitem__(0, 5.0),
    lambda L, y: y.__setitem__((slice(None), 0), 5.0),
    lambda L, y: y.__setitem__(Ellipsis, 5.0),
    lambda L, y: y.__setitem__([0], 5.0),
    lambda L, y: y.__setitem__(mask(L, [[True, False, False, False]] * 3), 5.0),
    lambda L, y: y.__setitem__((0, [1]), 5.0),
    lambda L, y: y.masked_fill_(mask(L, [[True, False, False, False]] * 3), 7.0),
    lambda L, y: y.index_fill_(1, long(L, [0]), 7.0),
    lambda L, y: y.index_put_((long(L, [0, 0]),), L.tensor(1.0), accumulate=True),
    lambda L, y: y.scatter_(1, long(L, [[0]]), 7.0),
    lambda L, y: y.index_add_(0, long(L, [0]), L.ones(1, 4)),
    lambda L, y: y.exp_(),
]


@pytest.mark.parametrize("i", range(len(EXPANDED)))
def test_writes_into_expanded_tensors(i):
    def fn(L):
        base = L.arange(3.0).view(3, 1)
        y = base.expand(3, 4)
        EXPANDED[i](L, y)
        return base, y

    assert_same_outcome(fn)


def test_same_shape_expand_is_writable():
    assert_same_outcome(lambda L: L.arange(12.0).view(3, 4).expand(3, 4).add_(1))


# ----- scatter_reduce -----

REDUCE_X = np.array([[1.0, 0.0, 5.0, 7.0], [2.0, -1.0, 3.0, 3.0]], np.float32)
REDUCE_SRC = np.array([[-4.0, 2.0, 0.0, 3.0, 9.0], [3.0, 3.0, 1.0, -2.0, 4.0]], np.float32)
REDUCE_INDEX = [[0, 0, 1, 1], [2, 0, 2, 2]]


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_values_and_gradients(reduce, include_self):
    def fn(L, x, s):
        return x.scatter_reduce(1, long(L, REDUCE_INDEX), s, reduce, include_self=include_self)

    compare(fn, REDUCE_X, REDUCE_SRC[:, :4])
    compare(lambda L, x, s: L.scatter_reduce(x, 0, long(L, [[1, 0, 1, 1]]), s, reduce,
                                             include_self=include_self), REDUCE_X,
            REDUCE_SRC[:1, :4])
    # a larger src: only its first elements are read (torch's own backward fails here)
    compare(fn, REDUCE_X, REDUCE_SRC, backward=False)
    gradcheck_fd(fn, REDUCE_X.astype(np.float64), REDUCE_SRC.astype(np.float64) + 0.25)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_integers_and_in_place(reduce):
    for include_self in (True, False):
        assert_same_outcome(lambda L: L.tensor([1, -3, 5, 7]).scatter_reduce(
            0, long(L, [0, 0, 1, 1]), L.tensor([-4, 2, 3, 1]), reduce,
            include_self=include_self))
        assert_same_outcome(lambda L: L.tensor([1.0, -3, 5, 7]).scatter_reduce_(
            0, long(L, [0, 0, 1, 1]), L.tensor([-4.0, 2, 3, 1]), reduce,
            include_self=include_self))


@pytest.mark.parametrize("fn", [
    lambda L: L.zeros(4).scatter_reduce(0, long(L, [0]), L.ones(1), "foo"),
    lambda L: L.zeros(4).scatter_reduce(0, L.zeros(1), L.ones(1), "sum"),
    lambda L: L.zeros(4).scatter_reduce(0, long(L, [0]), 1.0, "sum"),
    lambda L: L.zeros(4).scatter_reduce(0, long(L, [0]), L.ones(1).double(), "sum"),
    lambda L: L.zeros(4).scatter_reduce(0, long(L, [0, 0, 1, 1]), L.ones(2), "sum"),
    lambda L: L.zeros(4).scatter_reduce(0, long(L, [-1]), L.ones(1), "sum"),
])
def test_scatter_reduce_errors(fn):
    assert_same_outcome(fn)


# ----- tril_indices / triu_indices -----

@pytest.mark.parametrize("args", [(3, 4), (3, 4, 1), (3, 3, -1), (4, 2, -5), (0, 3), (3, 3, 5),
                                  (-1, 3), (3, -2)])
@pytest.mark.parametrize("which", ["tril_indices", "triu_indices"])
def test_tril_triu_indices(args, which):
    assert_same_outcome(lambda L: getattr(L, which)(*args))
    for dtype in ("int32", "int16", "float32"):
        assert_same_outcome(lambda L: getattr(L, which)(3, 3, dtype=getattr(L, dtype)))


def test_no_numpy_warnings_escape():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in (70000, 1e39, float("nan")):
            for dt in (gradstep.float16, gradstep.int8, gradstep.float32):
                try:
                    gradstep.zeros(2, dtype=dt).masked_fill(gradstep.tensor([True, False]), v)
                except RuntimeError:
                    pass
