"""Shape ops against torch where the first versions differed: tensor_split's split points,
0-dim tensors, argument forms and error messages, warnings given once per process, and the
ops added since (select, unfold, split_with_sizes, rot90, hsplit/vsplit/dsplit, diagflat,
meshgrid, narrow_copy, view(dtype)), with their gradients."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from _compare import compare, gradcheck_fd
from _outcome import assert_same_outcome

R = np.random.default_rng(2)
X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def A(*shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


# ----- tensor_split -----

@pytest.mark.parametrize("arg", [[-1], [1, -1, 3], [-7], [9, 2], [3, 1], 2, 7, (1, 2), [],
                                 0, -1, [1.5], 1.5, None, "indices"])
def test_tensor_split_points(arg):
    def fn(L):
        x = L.arange(5.0)
        if arg == "indices":
            return L.tensor_split(x, indices=[1]), L.tensor_split(x, sections=2)
        return L.tensor_split(x, arg)

    assert_same_outcome(fn)


@pytest.mark.parametrize("arg", [lambda L: L.tensor(2), lambda L: L.tensor([1, 3]),
                                 lambda L: L.tensor([[1]]), lambda L: L.tensor(2.0),
                                 lambda L: L.tensor(0), lambda L: L.tensor([-2])])
def test_tensor_split_tensor_argument(arg):
    assert_same_outcome(lambda L: L.arange(5.0).tensor_split(arg(L)))
    assert_same_outcome(lambda L: L.tensor_split(L.tensor(1.0), arg(L)))


def test_tensor_split_gradients():
    compare(lambda L, x: L.tensor_split(x, [-1, 1], dim=1), A(2, 5))


# ----- 0-dim tensors -----

ZERO_DIM = [
    lambda L, x: x.transpose(0, -1), lambda L, x: L.swapaxes(x, 0, 0),
    lambda L, x: x.swapdims(-1, 0), lambda L, x: x.transpose(0, 1),
    lambda L, x: x.movedim(0, 0), lambda L, x: x.movedim(-1, 0), lambda L, x: x.movedim(1, 0),
    lambda L, x: x.moveaxis((0,), (0,)), lambda L, x: x.permute(0),
    lambda L, x: x.flip(0), lambda L, x: x.flip(-1), lambda L, x: x.flip(()),
    lambda L, x: x.roll(1, 0), lambda L, x: x.roll(1), lambda L, x: x.roll(2, -1),
    lambda L, x: x.flatten(1, 2), lambda L, x: x.flatten(-1, 0), lambda L, x: x.flatten(0, 0),
    lambda L, x: x.repeat_interleave(2), lambda L, x: x.repeat_interleave(2, dim=0),
    lambda L, x: x.repeat_interleave(2, dim=-1),
    lambda L, x: x.repeat_interleave(L.tensor([2]), dim=0),
    lambda L, x: x.select(0, 0),
    lambda L, x: x.unfold(0, 1, 1), lambda L, x: x.unfold(0, 2, 1), lambda L, x: L.rot90(x),
    lambda L, x: x.split_with_sizes([1]), lambda L, x: L.hsplit(x, 1),
    lambda L, x: L.diagflat(x), lambda L, x: x.t(),
]


@pytest.mark.parametrize("i", range(len(ZERO_DIM)))
def test_zero_dim(i):
    def fn(L):
        x = L.tensor(3.0, requires_grad=True)
        out = ZERO_DIM[i](L, x)
        first = out[0] if isinstance(out, tuple) else out
        first.sum().backward()
        return out, x.grad, first.grad_fn.name() if first.grad_fn else None

    assert_same_outcome(fn)


@pytest.mark.parametrize("fn", [lambda L: L.tensor(1.0).unflatten(0, (1,)),
                                lambda L: L.arange(6.0).unflatten(0, (-1, -1)),
                                lambda L: L.zeros(0).unflatten(0, (0, -1))])
def test_unflatten_unexpected_errors(fn):
    import gradstep
    import torch
    messages = []
    for L in (gradstep, torch):
        with pytest.raises(RuntimeError) as info:
            fn(L)
        messages.append(str(info.value).split("\n")[:2])  # torch adds its C++ traceback
    assert messages[0] == messages[1]


def test_zero_dim_transposes_return_the_tensor():
    import gradstep
    x = gradstep.tensor(3.0)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert x.mT is x and x.mH is x and x.H is x and x.adjoint() is x


# ----- argument forms and error messages -----

ERRORS = [
    lambda L, x: x.permute(dims=(2, 0, 1)), lambda L, x: x.permute(),
    lambda L, x: L.permute(x, dims=(2, 0, 1)),
    lambda L, x: x.roll(1, ()),
    lambda L, x: x.roll((1,), ()),
    lambda L, x: x.roll((1, 2), ()),
    lambda L, x: x.roll((), ()),
    lambda L, x: x.repeat(-1, 2, 1),
    lambda L, x: x.repeat(1, 2, -3),
    lambda L, x: x.tile((0, -2)),
    lambda L, x: x.repeat_interleave(L.tensor([1.0, 2.0]), dim=0),
    lambda L, x: x.repeat_interleave(2.5),
    lambda L, x: L.repeat_interleave(L.tensor([1.0, 2.0])),
    lambda L, x: x.repeat_interleave(L.tensor([1, 2]), dim=-1),
    lambda L, x: x.expand(3, 4),
    lambda L, x: L.zeros(1).expand(2, -1, 4),
    lambda L, x: x.split([2, 2], -1),
    lambda L, x: x.split([3, -1], -1),
    lambda L, x: x.split_with_sizes([1, 1], 1),
    lambda L, x: x.split_with_sizes([4, -1], 2),
    lambda L, x: x.split_with_sizes(2, 1),
    lambda L, x: L.zeros(3, 4).masked_fill_(L.ones(5, dtype=L.bool), 0.0),
    lambda L, x: L.zeros(3, 4).masked_fill(L.ones(5, dtype=L.bool), 0.0),
    lambda L, x: L.zeros(4).masked_fill_(L.ones(3, 4, dtype=L.bool), 0.0),
    lambda L, x: L.zeros(3).masked_fill(L.tensor([1, 0, 1]), 0.0),
    lambda L, x: L.zeros(3).masked_fill(L.tensor([1.0, 0.0, 1.0]), 0.0),
    lambda L, x: L.zeros(3).masked_fill(L.tensor([1, 0, 1], dtype=L.uint8), 0.0),
    lambda L, x: L.zeros(2).H, lambda L, x: L.zeros(2).mH, lambda L, x: L.zeros(2).mT,
    lambda L, x: L.zeros(2).adjoint(), lambda L, x: x.H,
    lambda L, x: L.cat([L.tensor([1.5])], out=L.zeros(1, dtype=L.int64)),
    lambda L, x: L.cat([L.tensor([1])], out=L.zeros(1, dtype=L.bool)),
    lambda L, x: L.stack([L.tensor([1.5])], out=L.zeros(1, 1, dtype=L.int64)),
    lambda L, x: L.cat([L.tensor([1])], out=L.zeros(1, dtype=L.float16)),
    lambda L, x: L.tensor(1.0).flatten(0, 5),
    lambda L, x: L.flip(x, 0), lambda L, x: L.flip(x, dims=0), lambda L, x: x.flip(dims=0),
    lambda L, x: x.flip(dims=(0,)), lambda L, x: L.flip(x, [0, 2]), lambda L, x: L.flip(x),
    lambda L, x: x.flip(),
    lambda L, x: L.zeros(0, 2).roll(1, 5), lambda L, x: L.zeros(0, 2).roll([1, -1], [0, 2]),
    lambda L, x: L.tensor(1.0).expand(-1, 4),
    lambda L, x: L.zeros(3, 1).expand(3, -2), lambda L, x: x.repeat(),
    lambda L, x: L.zeros(0, 2).repeat(-1, 2), lambda L, x: L.zeros(0, 2).tile((-1, 2)),
    lambda L, x: x.repeat_interleave(-1), lambda L, x: x.repeat_interleave(-1, dim=5),
    lambda L, x: L.tensor(1.0).repeat_interleave(-1, dim=0),
    lambda L, x: L.tensor(1.0).repeat_interleave(-1, dim=1),
    lambda L, x: L.tensor(1.0).repeat_interleave(L.tensor([1, 2]), dim=2),
    lambda L, x: L.tensor(1.0).repeat_interleave(L.tensor([1.0, 2.0])),
    lambda L, x: x.repeat_interleave(L.tensor([1.0, 2.0]), dim=-1),
    lambda L, x: L.zeros(0, 3).tril_(), lambda L, x: L.zeros(0, 3).triu_(1),
    lambda L, x: x.view(), lambda L, x: x.reshape(), lambda L, x: x.repeat_interleave(),
    lambda L, x: L.repeat_interleave(L.tensor([1, 2])),
    lambda L, x: L.arange(6.0).unflatten(0, (4, -1)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_argument_forms_and_errors(i):
    assert_same_outcome(lambda L: ERRORS[i](L, L.tensor(X)))


# ----- the added ops: values, views, gradients, errors -----

NEW_OPS = [
    ("select", lambda L, x: x.select(1, -1)),
    ("torch_select", lambda L, x: L.select(x, 0, 1)),
    ("select_tensor_index", lambda L, x: x.select(2, L.tensor(3))),
    ("unfold", lambda L, x: x.unfold(2, 2, 1)),
    ("unfold_step", lambda L, x: x.unfold(1, 2, 2)),
    ("unfold_overlap", lambda L, x: L.tensor(np.arange(10.0), requires_grad=True).unfold(0, 4, 1)
     if x is None else x.unfold(-1, 3, 1)),
    ("unfold_size0", lambda L, x: x.unfold(2, 0, 1)),
    ("split_with_sizes", lambda L, x: x.split_with_sizes([1, 3], -1)),
    ("torch_split_with_sizes", lambda L, x: L.split_with_sizes(x, [2, 0, 1], 1)),
    ("narrow_copy", lambda L, x: x.narrow_copy(2, 1, 2)),
    ("rot90", lambda L, x: L.rot90(x)),
    ("rot90_k2", lambda L, x: L.rot90(x, 2, [1, 2])),
    ("rot90_k3", lambda L, x: x.rot90(3, [0, 2])),
    ("rot90_k0", lambda L, x: x.rot90(0)),
    ("rot90_neg", lambda L, x: x.rot90(-1, (-1, 0))),
    ("rot90_k5", lambda L, x: x.rot90(5)),
    ("hsplit", lambda L, x: L.hsplit(x, 3)),
    ("hsplit_list", lambda L, x: x.hsplit([1, 2])),
    ("vsplit", lambda L, x: L.vsplit(x, [1])),
    ("dsplit", lambda L, x: x.dsplit(2)),
    ("diagflat", lambda L, x: L.diagflat(x[0])),
    ("diagflat_offset", lambda L, x: x[0, :2, :2].diagflat(1)),
    ("diagflat_neg", lambda L, x: L.diagflat(x[1, 0], -2)),
    ("meshgrid_ij", lambda L, x: L.meshgrid(x[0, 0], x[1, :, 0], indexing="ij")),
    ("meshgrid_xy", lambda L, x: L.meshgrid(x[0, 0], x[1, :, 0], x[0, 1, :2], indexing="xy")),
    ("meshgrid_list", lambda L, x: L.meshgrid([x[0, 0], x[1, 1]], indexing="ij")),
    ("meshgrid_0d", lambda L, x: L.meshgrid(x[0, 0, 0], x[1, 0], indexing="ij")),
    ("meshgrid_one", lambda L, x: L.meshgrid(x[0, 0], indexing="xy")),
    ("as_strided", lambda L, x: x.as_strided((2, 3), (4, 1), 2)),
    ("as_strided_overlap", lambda L, x: L.as_strided(x, (3, 3), (1, 1))),
    ("as_strided_of_view", lambda L, x: x[1].as_strided((2, 2), (1, 4))),
    ("as_strided_offset_view", lambda L, x: (x * 1)[1:].as_strided((2, 2), (1, 1), 1)),
]


@pytest.mark.parametrize("name,fn", NEW_OPS, ids=[c[0] for c in NEW_OPS])
def test_added_ops_match_torch(name, fn):
    g, t = compare(fn, X + A(2, 3, 4))
    gs = g if isinstance(g, tuple) else (g,)
    ts = t if isinstance(t, tuple) else (t,)
    for gi, ti in zip(gs, ts):
        assert (gi.grad_fn.name() if gi.grad_fn else None) == \
            (ti.grad_fn.name() if ti.grad_fn else None)
        assert (gi._base is not None) == (ti._base is not None), "view-ness differs"
        assert gi.is_contiguous() == ti.is_contiguous()


@pytest.mark.parametrize("name", ["unfold", "unfold_step", "unfold_overlap", "rot90",
                                  "as_strided_overlap",
                                  "rot90_k3", "diagflat_offset", "meshgrid_xy", "narrow_copy",
                                  "select"])
def test_added_ops_gradcheck(name):
    fn = dict(NEW_OPS)[name]

    def first(L, x):
        out = fn(L, x)
        return out[-1] if isinstance(out, tuple) else out

    gradcheck_fd(first, (X + A(2, 3, 4)).astype(np.float64))


def test_unfold_double_backward():
    import gradstep
    import torch
    results = []
    for L in (gradstep, torch):
        x = L.tensor(np.arange(8.0), requires_grad=True)
        y = (x.unfold(0, 3, 2) ** 2).sum()
        (g,) = L.autograd.grad(y, x, create_graph=True)
        (g * L.arange(8.0)).sum().backward()
        results.append((g.detach().numpy().tolist(), x.grad.numpy().tolist()))
    assert results[0] == results[1]


ADDED_ERRORS = [
    lambda L, x: x.select(1, 5), lambda L, x: x.select(1, -4), lambda L, x: x.select(3, 0),
    lambda L, x: x.unfold(2, 5, 1), lambda L, x: x.unfold(2, 2, 0),
    lambda L, x: x.unfold(2, -1, 1), lambda L, x: x.unfold(3, 1, 1),
    lambda L, x: x.rot90(1, [0, 0]), lambda L, x: x.rot90(1, [0]),
    lambda L, x: L.arange(3.0).rot90(), lambda L, x: x.rot90(1, [0, 3]),
    lambda L, x: L.tensor(1.0).hsplit(1), lambda L, x: x.hsplit(2), lambda L, x: x.vsplit(4),
    lambda L, x: L.arange(4.0).vsplit(2), lambda L, x: L.zeros(2, 2).dsplit(2),
    lambda L, x: x.hsplit(0), lambda L, x: L.hsplit(L.arange(6.0), 2),
    lambda L, x: L.meshgrid(L.arange(3.0), L.arange(2.0), indexing="foo"),
    lambda L, x: L.meshgrid(L.arange(3.0), L.arange(2), indexing="ij"),
    lambda L, x: L.meshgrid(indexing="xy"),
    lambda L, x: x.narrow_copy(2, 3, 2),
    lambda L, x: x.view(L.int32), lambda L, x: x.view(L.float16), lambda L, x: x.view(L.float64),
    lambda L, x: L.arange(5.0).view(L.float64), lambda L, x: L.tensor(1.0).view(L.float64),
    lambda L, x: L.tensor(1.0).view(L.int32), lambda L, x: x[0].t().view(L.float16),
    lambda L, x: x[0].t().view(L.int32), lambda L, x: L.arange(4, dtype=L.uint8).view(L.bool),
    lambda L, x: x.real, lambda L, x: L.arange(3).real,
    lambda L, x: L.arange(12.0).as_strided((3, 3), (3, 1), 4),
    lambda L, x: x.as_strided((2,), (-1,)), lambda L, x: x.as_strided((2,), (1,), -1),
    lambda L, x: x.as_strided((2, 2), (1,)), lambda L, x: x[1, 2:].as_strided((2,), (1,)),
    lambda L, x: x[:, 1].as_strided((3,), (2,)),
]


@pytest.mark.parametrize("i", range(len(ADDED_ERRORS)))
def test_added_ops_errors_and_dtype_views(i):
    assert_same_outcome(lambda L: ADDED_ERRORS[i](L, L.tensor(X)))


def test_view_dtype_shares_memory():
    import gradstep
    x = gradstep.arange(4.0)
    y = x.view(gradstep.int32)
    y[0] = 1065353216  # the bits of 1.0
    assert x.tolist()[0] == 1.0


# ----- warnings torch gives once per process -----

WARN_ONCE = """
import warnings, sys
import {lib} as L
x = L.zeros(2, 3, 4)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(2):
        x.T; L.zeros(3).T; L.tensor(1.).T; L.tensor(1.).mT; L.tensor(1.).mH; L.tensor(1.).H
        L.tensor(1.).adjoint()
        L.meshgrid(L.arange(2.), L.arange(3.))
        L.zeros(2, 3).scatter(0, L.tensor([[0]]), L.ones(1, 1), reduce="add")
        L.zeros(3, 4)[[[0, 1], [1, 2]]]
print([str(w.message).split(" (Triggered")[0] for w in caught])
"""


def test_warnings_given_once_per_process():
    printed = []
    for lib in ("torch", "gradstep"):
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(WARN_ONCE.format(lib=lib))],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        printed.append(done.stdout)
    assert printed[0] == printed[1]


# ----- metadata-only in-place ops: t_, transpose_, squeeze_, unsqueeze_ -----

METADATA = ["t_()", "transpose_(0, 1)", "swapdims_(1, 0)", "swapaxes_(0, 1)", "squeeze_()",
            "squeeze_(0)", "squeeze_((0,))", "unsqueeze_(1)"]


@pytest.mark.parametrize("call", METADATA)
def test_metadata_inplace_ops(call):
    def fn(L):
        a = L.tensor(np.arange(3.0).reshape(1, 3), requires_grad=True)
        x = a * 2
        version = x._version
        y = eval("x." + call)
        (y * L.arange(3.0).reshape(y.shape)).sum().backward()
        return y is x, x, x.grad_fn.name(), x._version - version, a.grad

    assert_same_outcome(fn)
    assert_same_outcome(lambda L: eval("L.ones(1, 3, requires_grad=True)." + call))
    assert_same_outcome(lambda L: eval("L.zeros(2, 3, 4)." + call))
