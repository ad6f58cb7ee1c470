"""Saved index tensors changed in place, ``output_nr`` and ``_version``, against torch.

torch saves the index tensors (and masks) of indexing ops for backward and, as for any saved
tensor, refuses to differentiate once one was changed in place: the gradient would land where
the new values point. The tables below run each op on both libraries, change the index in
place (or not), backpropagate, and compare what a user sees: the gradients, or the error's type
and exact message (which names the tensor by torch's type string: ``torch.LongTensor`` but
``CPUBoolType``). Some ops save no index for some calls (scatter_add and index_add need it only
for the source's gradient; take_along_dim with a dim makes a new index); those must not raise.
"""
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _outcome import assert_same_outcome


def long(L, v):
    return L.tensor(np.asarray(v, dtype=np.int64))


def bool_(L, v):
    return L.tensor(np.asarray(v, dtype=bool))


def leaf(L, v):
    return L.tensor(np.asarray(v, dtype=np.float32), requires_grad=True)


def setitem(y, idx, value):
    y[idx] = value
    return y


def bump(i):
    """Change an index tensor in place, leaving its values as they were (version + 2)."""
    if i.dtype == torch.bool or i.dtype == gradstep.bool:
        i.logical_not_().logical_not_()
    else:
        i.add_(1).sub_(1)


# name -> (index(L), op(L, x, s, index) where x is a 3-vector leaf and s a 2-vector leaf)
OPS = {
    "getitem": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x[i]),
    "getitem_tuple": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.view(1, 3)[0, i]),
    "getitem_list_of_tensors": (lambda L: long(L, [0, 1]),
                                lambda L, x, s, i: x.view(1, 3)[[i * 0, i]]),
    "getitem_int32": (lambda L: L.tensor([0, 1], dtype=L.int32), lambda L, x, s, i: x[i]),
    "getitem_mask": (lambda L: bool_(L, [True, False, True]), lambda L, x, s, i: x[i]),
    "getitem_view_of_index": (lambda L: long(L, [2, 0, 1]), lambda L, x, s, i: x[i[1:]]),
    "gather": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.gather(0, i)),
    "index_select": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.index_select(0, i)),
    "take": (lambda L: long(L, [0, -1]), lambda L, x, s, i: x.take(i)),
    "take_0d": (lambda L: long(L, 1), lambda L, x, s, i: L.take(x, i)),
    "take_along_dim_flat": (lambda L: long(L, [0, 1]), lambda L, x, s, i: L.take_along_dim(x, i)),
    "take_along_dim_dim": (lambda L: long(L, [[0, 1]]),
                           lambda L, x, s, i: L.take_along_dim(x.view(1, 3), i, dim=1)),
    "scatter": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.scatter(0, i, s)),
    "scatter_value": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.scatter(0, i, 7.0)),
    "scatter_src_only": (lambda L: long(L, [0, 1]),
                         lambda L, x, s, i: x.detach().scatter(0, i, s)),
    "scatter_0d": (lambda L: long(L, 0), lambda L, x, s, i: x[0].scatter(0, i, 7.0)),
    "scatter_": (lambda L: long(L, [0, 1]), lambda L, x, s, i: (x * 1).scatter_(0, i, s)),
    "scatter_add": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.scatter_add(0, i, s)),
    "scatter_add_src_no_grad": (lambda L: long(L, [0, 1]),
                                lambda L, x, s, i: x.scatter_add(0, i, s.detach())),
    "scatter_add_": (lambda L: long(L, [0, 1]),
                     lambda L, x, s, i: (x * 1).scatter_add_(0, i, s)),
    "scatter_reduce_sum": (lambda L: long(L, [0, 1]),
                           lambda L, x, s, i: x.scatter_reduce(0, i, s.detach(), "sum")),
    "scatter_reduce_amax": (lambda L: long(L, [0, 1]),
                            lambda L, x, s, i: x.scatter_reduce(0, i, s, "amax",
                                                                include_self=False)),
    "scatter_reduce_prod_": (lambda L: long(L, [0, 1]),
                             lambda L, x, s, i: (x * 1).scatter_reduce_(0, i, s, "prod")),
    "index_add": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.index_add(0, i, s)),
    "index_add_alpha": (lambda L: long(L, [2, 1]),
                        lambda L, x, s, i: x.index_add(0, i, s, alpha=2)),
    "index_add_src_no_grad": (lambda L: long(L, [0, 1]),
                              lambda L, x, s, i: x.index_add(0, i, s.detach())),
    "index_add_": (lambda L: long(L, [0, 1]), lambda L, x, s, i: (x * 1).index_add_(0, i, s)),
    "index_copy": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.index_copy(0, i, s)),
    "index_copy_src_no_grad": (lambda L: long(L, [0, 1]),
                               lambda L, x, s, i: x.index_copy(0, i, s.detach())),
    "index_copy_": (lambda L: long(L, [0, 1]), lambda L, x, s, i: (x * 1).index_copy_(0, i, s)),
    "index_fill": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.index_fill(0, i, 7.0)),
    "index_fill_tensor": (lambda L: long(L, [0, 1]),
                          lambda L, x, s, i: x.detach().index_fill(0, i, s[0])),
    "index_fill_0d": (lambda L: long(L, 0), lambda L, x, s, i: x[0].index_fill(0, i, 7.0)),
    "index_fill_": (lambda L: long(L, [0, 1]), lambda L, x, s, i: (x * 1).index_fill_(0, i, 7.0)),
    "index_put": (lambda L: long(L, [0, 1]), lambda L, x, s, i: x.index_put((i,), s)),
    "index_put_accumulate": (lambda L: long(L, [0, 1]),
                             lambda L, x, s, i: x.index_put((i,), s.detach(), accumulate=True)),
    "index_put_mask": (lambda L: bool_(L, [True, False, True]),
                       lambda L, x, s, i: x.index_put((i,), s[0])),
    "index_put_0d": (lambda L: long(L, 1), lambda L, x, s, i: L.index_put(x, (i,), s[0])),
    "index_put_": (lambda L: long(L, [0, 1]), lambda L, x, s, i: (x * 1).index_put_([i], s)),
    "setitem": (lambda L: long(L, [0, 1]), lambda L, x, s, i: setitem(x * 1, i, s)),
    "setitem_number": (lambda L: long(L, [0, 1]), lambda L, x, s, i: setitem(x * 1, i, 7.0)),
    "setitem_value_only": (lambda L: long(L, [0, 2]),
                           lambda L, x, s, i: setitem(L.zeros(3), i, s)),
    "setitem_mask": (lambda L: bool_(L, [True, False, True]),
                     lambda L, x, s, i: setitem(x * 1, i, 7.0)),
    "setitem_slice_and_index": (lambda L: long(L, [0, 1]),
                                lambda L, x, s, i: setitem(x.view(1, 3) * 1, (slice(None), i),
                                                           7.0)),
    "setitem_through_view": (lambda L: long(L, [0, 2]),
                             lambda L, x, s, i: setitem((x.view(1, 3) * 1)[0], i, s)),
    "setitem_iadd": (lambda L: long(L, [0, 1]),
                     lambda L, x, s, i: setitem(x * 1, i, (x * 1)[i] + 1)),
    "put": (lambda L: long(L, [0, -1]), lambda L, x, s, i: x.put(i, s)),
    "put_accumulate": (lambda L: long(L, [1, 1]),
                       lambda L, x, s, i: x.put(i, s.detach(), accumulate=True)),
    "put_": (lambda L: long(L, [2, 0]), lambda L, x, s, i: (x * 1).put_(i, s)),
    "masked_fill": (lambda L: bool_(L, [True, False, True]),
                    lambda L, x, s, i: x.masked_fill(i, 7.0)),
    "masked_fill_tensor": (lambda L: bool_(L, [True, False, True]),
                           lambda L, x, s, i: x.detach().masked_fill(i, s[0])),
    "masked_fill_broadcast_0d": (lambda L: bool_(L, [True, False]),
                                 lambda L, x, s, i: x.masked_fill(i[0], 7.0)),
    "masked_fill_2d": (lambda L: bool_(L, [[True], [False], [True]]),
                       lambda L, x, s, i: x.view(3, 1).masked_fill(i, 7.0)),
    "masked_fill_": (lambda L: bool_(L, [True, False, True]),
                     lambda L, x, s, i: (x * 1).masked_fill_(i, 7.0)),
    "masked_scatter": (lambda L: bool_(L, [True, False, True]),
                       lambda L, x, s, i: x.masked_scatter(i, s)),
    "masked_scatter_": (lambda L: bool_(L, [False, True, True]),
                        lambda L, x, s, i: (x * 1).masked_scatter_(i, s)),
    "masked_select": (lambda L: bool_(L, [True, False, True]),
                      lambda L, x, s, i: x.masked_select(i)),
    "where": (lambda L: bool_(L, [True, False, True]), lambda L, x, s, i: L.where(i, x, 0.0)),
    "embedding": (lambda L: long(L, [[0, 2]]),
                  lambda L, x, s, i: L.nn.functional.embedding(i, x.view(3, 1))),
}


def _run(name, change):
    make_index, op = OPS[name]

    def run(L):
        x = leaf(L, [1.0, 2.0, 3.0])
        s = leaf(L, [5.0, 6.0])
        i = make_index(L)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # x[[i, i]]'s deprecation: not what is compared
            y = op(L, x, s, i)
        if change:
            bump(i)
        (y * L.arange(1.0, y.numel() + 1).view(y.shape)).sum().backward()
        return x.grad, s.grad
    return run


@pytest.mark.parametrize("name", sorted(OPS))
def test_index_changed_in_place_before_backward(name):
    # torch raises (or, for an op that saved no index, gives the gradient) as gradstep must
    assert_same_outcome(_run(name, True))


@pytest.mark.parametrize("name", sorted(OPS))
def test_index_unchanged_gives_gradients(name):
    # the control: no in-place change, no error, the same gradients
    assert assert_same_outcome(_run(name, False))[0] == "ok"


# ----- which tensors of a subscript torch saves -----

SUBSCRIPTS = {
    # a 0-dim tensor in x[...] is read as a number (a bool for bool and uint8): not saved
    "int64_0d_with_vector": lambda L, i: (long(L, 1), i),
    "int32_0d_with_vector": lambda L, i: (L.tensor(1, dtype=L.int32), i),
    "int16_0d_with_vector": lambda L, i: (L.tensor(1, dtype=L.int16), i),
    "int8_0d_alone": lambda L, i: L.tensor(1, dtype=L.int8),
    "bool_0d_alone": lambda L, i: L.tensor(True),
    "bool_0d_with_vector": lambda L, i: (L.tensor(True), i),
    "uint8_0d_alone": lambda L, i: L.tensor(1, dtype=L.uint8),
    "list_of_0d": lambda L, i: [long(L, 1), long(L, 0)],
    "list_with_vector": lambda L, i: [i, 1],
    "vector_first": lambda L, i: (i, long(L, 2)),
}


@pytest.mark.parametrize("name", sorted(SUBSCRIPTS))
@pytest.mark.parametrize("write", [False, True], ids=["get", "set"])
def test_subscript_tensors_saved(name, write):
    def run(L):
        x = L.arange(6.0).view(2, 3).requires_grad_()
        vec = long(L, [1, 0])
        idx = SUBSCRIPTS[name](L, vec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if write:
                y = x * 1
                y[idx] = 9.0
            else:
                y = x[idx]
        items = idx if isinstance(idx, (tuple, list)) else (idx,)
        for t in items:
            if t.dtype in (torch.bool, gradstep.bool):
                t.logical_not_()
            else:
                t.add_(0)
        (y * L.arange(1.0, y.numel() + 1).view(y.shape)).sum().backward()
        return x.grad
    assert_same_outcome(run)


def test_version_error_names_the_first_changed_index():
    # two tensors in one index, both changed: torch reports the first one it saved
    def run(L):
        x = L.arange(6.0).view(2, 3).requires_grad_()
        rows, cols = long(L, [1, 0]), long(L, [[0], [2], [1]])
        y = x.index_put((rows, cols), L.tensor(1.0))
        cols.add_(0).add_(0)
        rows.add_(0)
        y.sum().backward()
    assert_same_outcome(run)


# ----- the type string in the version error -----

SAVED = {
    # name -> (dtype name, op saving that tensor); changed in place after the op
    "float32": ("float32", lambda L, x, t: x * t),
    "float64": ("float64", lambda L, x, t: x.double() * t),
    "float16": ("float16", lambda L, x, t: x.half() * t),
    "int64": ("int64", lambda L, x, t: x.gather(-1, t) if x.ndim else x.gather(0, t)),
    "int32": ("int32", lambda L, x, t: x.reshape(-1)[t.reshape(-1)]),
    "uint8": ("uint8", lambda L, x, t: x.reshape(-1)[t.reshape(-1)]),
    "bool": ("bool", lambda L, x, t: x.masked_fill(t, 0.0)),
    "bool_where": ("bool", lambda L, x, t: L.where(t, x, 1.0)),
}


# (a 0-dim byte tensor in x[...] is a bool, from which nothing is saved: no uint8 0-dim case)
@pytest.mark.parametrize("name, shape", [
    (name, shape) for name in sorted(SAVED) for shape in [(3,), (1, 3), (), (2, 0)]
    if not (SAVED[name][0] == "uint8" and shape == ())], ids=str)
def test_version_error_type_string(name, shape):
    dtype, op = SAVED[name]

    def run(L):
        x = L.ones(shape, requires_grad=True)
        t = L.zeros(shape, dtype=getattr(L, dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # uint8 indexing is deprecated
            y = op(L, x, t)
        t.zero_()
        y.sum().backward()
    outcome = assert_same_outcome(run)
    assert outcome[0] == "raise"


# ----- put: a new op here, with the check -----

PUT = {
    "basic": lambda L, x, s: x.put(long(L, [[0, -1]]), s),
    "duplicates_last_wins": lambda L, x, s: x.put(long(L, [4, 4]), s),
    "accumulate": lambda L, x, s: x.put(long(L, [4, 4]), s, accumulate=True),
    "source_shape": lambda L, x, s: L.put(x, long(L, [[1, 2]]), s.view(2, 1)),
    "transposed": lambda L, x, s: x.t().put(long(L, [1, 2]), s),
    "in_place": lambda L, x, s: (x * 1).put_(long(L, [5, 0]), s),
    "zero_dim": lambda L, x, s: x[0, 0].put(long(L, [0, -1]), s, True),
    "empty": lambda L, x, s: x.put(long(L, []), s[:0]),
    "out_of_range": lambda L, x, s: x.put(long(L, [6, 0]), s),
    "negative_out_of_range": lambda L, x, s: x.put(long(L, [-7, 0]), s),
    "numel_mismatch": lambda L, x, s: x.put(long(L, [0]), s),
    "int_index": lambda L, x, s: x.put(L.tensor([0, 1], dtype=L.int32), s),
    "dtype_mismatch": lambda L, x, s: x.put(long(L, [0, 1]), s.double()),
    "index_not_tensor": lambda L, x, s: x.put([0, 1], s),
    "source_not_tensor": lambda L, x, s: x.put(long(L, [0]), 1.0),
    "leaf_in_place": lambda L, x, s: x.put_(long(L, [0, 1]), s),
    "expanded_in_place": lambda L, x, s: L.zeros(3).expand(2, 3).put_(long(L, [0, 1]), s),
}


@pytest.mark.parametrize("name", sorted(PUT))
def test_put(name):
    def run(L):
        x = L.arange(6.0).view(2, 3).requires_grad_()
        s = leaf(L, [10.0, 20.0])
        y = PUT[name](L, x, s)
        (y * L.arange(1.0, y.numel() + 1).view(y.shape)).sum().backward()
        return y, y.grad_fn.name() if y.grad_fn else None, x.grad, s.grad
    assert_same_outcome(run)


def test_put_values_without_grad():
    def run(L):
        x = L.zeros(2, 3, dtype=L.int64)
        return x.put_(long(L, [1, -1, 1]), long(L, [3, 4, 5]), accumulate=True), x._version
    assert_same_outcome(run)


def test_scatter_reduce_argument_has_no_derivative():
    def run(L):
        x = leaf(L, [1.0, 2.0, 3.0])
        y = x.scatter(0, long(L, [0, 1]), 2.0, reduce="multiply")
        y.sum().backward()
    assert_same_outcome(run)


# ----- output_nr -----

OUTPUTS = {
    "leaf": lambda L, x: (x,),
    "no_grad_leaf": lambda L, x: (L.ones(2),),
    "single_output": lambda L, x: (x * 2,),
    "split": lambda L, x: x.split(1),
    "split_dim1": lambda L, x: x.split(2, dim=1),
    "split_sizes": lambda L, x: x.split([1, 3]),
    "split_with_sizes": lambda L, x: L.split_with_sizes(x, [3, 1]),
    "chunk": lambda L, x: x.chunk(3),
    "unbind": lambda L, x: x.unbind(),
    "unbind_dim1": lambda L, x: L.unbind(x, 1),
    "tensor_split": lambda L, x: x.tensor_split(3),
    "hsplit": lambda L, x: x.hsplit(3),
    "vsplit": lambda L, x: x.vsplit(2),
    "split_no_grad": lambda L, x: x.detach().split(1),
    "split_then_view": lambda L, x: (x.split(1)[1].view(3),),
    "split_then_select": lambda L, x: (x.split(1)[2][0],),
    "max_dim": lambda L, x: tuple(x.max(0)),
    "min_dim": lambda L, x: tuple(x.min(1)),
    "sort": lambda L, x: tuple(x.sort()),
    "topk": lambda L, x: tuple(x.topk(2)),
    "kthvalue": lambda L, x: tuple(x.kthvalue(2)),
    "median_dim": lambda L, x: tuple(x.median(0)),
    "mode": lambda L, x: tuple(x.mode(0)),
    "aminmax": lambda L, x: tuple(L.aminmax(x)),
    "aminmax_dim": lambda L, x: tuple(L.aminmax(x, dim=0)),
    "var_mean": lambda L, x: tuple(L.var_mean(x, 0)),
    "std_mean": lambda L, x: tuple(L.std_mean(x)),
    "meshgrid": lambda L, x: L.meshgrid(x[0], x[1], indexing="ij"),
    "broadcast_tensors": lambda L, x: L.broadcast_tensors(x, x[0]),
    "nonzero_as_tuple": lambda L, x: x.nonzero(as_tuple=True),
    "max_pool_indices": lambda L, x: L.nn.functional.max_pool1d(x.view(1, 4, 3), 2,
                                                                 return_indices=True),
    "in_place_on_piece_copy": lambda L, x: (x.unbind()[1].clone().mul_(2),),
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_nr(name):
    def run(L):
        L.manual_seed(0)
        x = L.randn(4, 3, requires_grad=True)
        outs = OUTPUTS[name](L, x)
        return [(o.output_nr, o.requires_grad,
                 o.grad_fn.name() if o.grad_fn is not None else None) for o in outs]
    assert_same_outcome(run)


def test_output_nr_is_read_only():
    def run(L):
        x = L.ones(2, requires_grad=True)
        x.output_nr = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pytest.raises(AttributeError, run, torch)
        ours = pytest.raises(AttributeError, run, gradstep)
    assert type(ours.value) is type(theirs.value)


def _custom_functions(L):
    class Three(L.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1, a * 2, a * 3

        @staticmethod
        def backward(ctx, g0, g1, g2):
            return g0

    class SecondOnly(L.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            r = a.detach().long()
            ctx.mark_non_differentiable(r)
            return r, a * 2

        @staticmethod
        def backward(ctx, g0, g1):
            return g1
    return Three, SecondOnly


def test_output_nr_of_custom_functions():
    def run(L):
        Three, SecondOnly = _custom_functions(L)
        x = L.ones(2, requires_grad=True)
        return [o.output_nr for o in Three.apply(x) + SecondOnly.apply(x)]
    assert_same_outcome(run)


NEXT = {
    "split_piece": lambda L, x: x.split(1)[1] * 2,
    "unbind_pieces": lambda L, x: x.unbind(1)[2] + x.unbind(1)[1],
    "aminmax_max": lambda L, x: L.aminmax(x)[1] * 2,
    "var_mean_mean": lambda L, x: L.var_mean(x)[1].exp(),
    "leaf": lambda L, x: x * 2,
    "custom_function": lambda L, x: _custom_functions(L)[0].apply(x)[2] * 2,
}


@pytest.mark.parametrize("name", sorted(NEXT))
def test_next_functions_carry_output_nr(name):
    def run(L):
        x = L.ones(4, 3, requires_grad=True)
        return [n for _, n in NEXT[name](L, x).grad_fn.next_functions]
    assert_same_outcome(run)


# ----- _version -----

def _version_steps(L):
    x = L.zeros(4, 3)
    v = x[1:]
    w = x.view(12)
    seen = []

    def note(tag):
        seen.append((tag, x._version, v._version, w._version))
    note("start")
    x.add_(1)
    note("add_")
    v.mul_(2)
    note("view mul_")
    x[0] = 1.0
    note("setitem int")
    x[long(L, [0, 1])] = 2.0
    note("setitem index")
    x[long(L, [0, 1])] += 2.0
    note("setitem +=")
    x[x > 100] = 0.0
    note("setitem empty mask")
    x[:, 0] = L.ones(4)
    note("setitem slice")
    x += 1
    note("+=")
    x.zero_()
    note("zero_")
    x.copy_(L.ones(4, 3))
    note("copy_")
    x.index_add_(0, long(L, [0]), L.ones(1, 3))
    note("index_add_")
    x.index_fill_(0, long(L, [0]), 1.0)
    note("index_fill_")
    x.index_copy_(0, long(L, [0]), L.ones(1, 3))
    note("index_copy_")
    x.index_put_((long(L, [0]),), L.tensor(1.0))
    note("index_put_")
    x.scatter_(0, long(L, [[0]]), 1.0)
    note("scatter_")
    x.scatter_add_(0, long(L, [[0]]), L.ones(1, 1))
    note("scatter_add_")
    x.scatter_reduce_(0, long(L, [[0]]), L.ones(1, 1), "amax")
    note("scatter_reduce_")
    x.masked_fill_(x > 0, 1.0)
    note("masked_fill_")
    x.masked_scatter_(x > 0, L.ones(4, 3))
    note("masked_scatter_")
    x.put_(long(L, [0]), L.ones(1))
    note("put_")
    x.data.add_(1)
    note(".data add_")
    x.detach().add_(1)
    note("detach add_")
    x.t_()
    note("t_")
    x.t_()
    x.unsqueeze_(0)
    note("unsqueeze_")
    x.squeeze_(0)
    x.requires_grad_()
    note("requires_grad_")
    x.requires_grad_(False)
    x.uniform_()
    note("uniform_")
    L.add(x, 1, out=x)
    note("out=")
    y = x * 1
    seen.append(("new tensor", y._version))
    seen.append(("new view of changed", x.view(12)._version, x.detach()._version,
                 x.data._version))
    p = L.ones(3)
    q = p.split(1)
    q[1].add_(1)
    seen.append(("split piece", p._version, q[0]._version))
    p = L.ones(2, 2).t()
    r = p.reshape(4)
    r.add_(1)
    seen.append(("reshape copy", p._version, r._version))
    return seen


def test_version_counts_follow_torch():
    assert_same_outcome(_version_steps)


def _grad_versions(L):
    w = L.ones(3, requires_grad=True)
    seen = []
    (w * 2).sum().backward()  # a fresh gradient: taken as .grad
    seen.append(w.grad._version)
    (w * 2).sum().backward()  # added in place
    (w * 2).sum().backward()
    seen.append(w.grad._version)
    w.grad = None
    w.sum().backward()  # an expanded gradient: copied into new memory
    seen.append(w.grad._version)
    w.grad = L.zeros(3)
    w.sum().backward()
    seen.append(w.grad._version)
    w.grad.zero_()
    seen.append(w.grad._version)
    opt = L.optim.SGD([w], lr=0.1, momentum=0.9)
    opt.zero_grad()
    (w * 3).sum().backward()
    opt.step()
    seen.append((w._version, w.grad._version))
    return seen


def test_grad_versions_follow_torch():
    assert_same_outcome(_grad_versions)
