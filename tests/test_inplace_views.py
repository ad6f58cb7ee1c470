"""In-place ops through views are recorded as torch records them (CopySlices on the base,
AsStridedBackward0 on the view): same values, same gradients, same node names."""
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same

A = np.arange(1, 13, dtype=np.float64).reshape(3, 4) / 7
W = np.linspace(-1, 1, 4)


def _run(lib, scenario):
    a = lib.tensor(A, requires_grad=True)
    w = lib.tensor(W, requires_grad=True)
    out = scenario(lib, a, w)
    (out * out).sum().backward()
    return out, a.grad, w.grad if w.grad is not None else lib.zeros(4, dtype=lib.float64)


def _row_mul(lib, a, w):
    x = a * 1
    x[0].mul_(2)
    return x


def _chained_setitem(lib, a, w):
    x = a * 1
    x[1][2] = 5.
    return x


def _value_requires_grad(lib, a, w):
    buf = lib.zeros(3, 4, dtype=lib.float64)
    buf[0][1:] = w[1:] * 3
    return buf * a


def _narrow_copy(lib, a, w):
    x = a + 0
    x.narrow(1, 1, 2).copy_(w[:2].expand(3, 2))
    return x


def _view_of_view(lib, a, w):
    x = a * 2
    x[1:][:, ::2].add_(w[:2])
    return x


def _transposed_view(lib, a, w):
    x = a * 1
    x.t()[1].mul_(w[:3])
    return x


def _then_use_view(lib, a, w):
    x = a * 1
    v = x[2]
    v.mul_(w)
    return x + v.sum()


SCENARIOS = {f.__name__.strip("_"): f for f in (_row_mul, _chained_setitem, _value_requires_grad,
                                                _narrow_copy, _view_of_view, _transposed_view,
                                                _then_use_view)}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_inplace_through_views_matches_torch(name):
    g = _run(gradstep, SCENARIOS[name])
    t = _run(torch, SCENARIOS[name])
    assert_same(g, t, what=name)


def test_node_names():
    names = []
    for lib in (gradstep, torch):
        a = lib.ones(2, 3, requires_grad=True)
        x = a * 1
        v = x[0]
        v.mul_(2)
        names.append((x.grad_fn.name(), v.grad_fn.name(), repr(x).split("grad_fn=")[1]))
    assert names[0] == names[1] == ("torch::autograd::CopySlices", "AsStridedBackward0",
                                    "<CopySlices>)")


def test_view_of_leaf_requiring_grad_raises():
    msg = "a view of a leaf Variable that requires grad is being used in an in-place operation."
    for lib in (gradstep, torch):
        a = lib.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match=re.escape(msg)):
            a[0].mul_(2)
        with lib.no_grad():
            a[0].mul_(2)
        assert a.tolist()[0] == [2., 2., 2.]


def test_double_backward_through_copyslices():
    results = []
    for lib in (gradstep, torch):
        a = lib.tensor(A, requires_grad=True)
        x = a * a
        x[0].mul_(3)
        g, = lib.autograd.grad((x * x).sum(), a, create_graph=True)
        g2, = lib.autograd.grad(g.sum(), a)
        results.append((g, g2))
    assert_same(results[0], results[1])


# ----- in-place ops on non-leaves whose backward needs the input -------------------------------
# torch clones self for such ops (sin_, pow_, log_...), so their own write does not invalidate the
# saved value; ops that save only their output (exp_, sigmoid_) copy nothing, and a later in-place
# change by the user of a tensor backward needs still raises. Float64: values bit-comparable.

X = np.array([0.5, 1.5, 2.0, 3.0])
MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace"

NON_LEAF = {
    "sin_": lambda y, o: y.sin_(),
    "sin_then_add_": lambda y, o: (y.sin_(), y.add_(1)),
    "pow_": lambda y, o: y.pow_(2),
    "clamp_": lambda y, o: y.clamp_(min=1),
    "log_": lambda y, o: y.log_(),
    "sqrt_then_mul_": lambda y, o: (y.sqrt_(), y.mul_(3)),
    "mul_other": lambda y, o: y.mul_(o),
    "div_other": lambda y, o: y.div_(o),
    "addcmul_": lambda y, o: y.addcmul_(o, o),
    "lerp_": lambda y, o: y.lerp_(o, 0.3),
    "view_sin_": lambda y, o: y[:2].sin_(),
    "view_sin_then_add_": lambda y, o: (y[1:].sin_(), y.add_(1)),
    "0dim_view_pow_": lambda y, o: y[1].pow_(3),
    "exp_": lambda y, o: y.exp_(),
    "sigmoid_": lambda y, o: y.sigmoid_(),
    # errors, as in torch: the saved output (or self as another operand) modified afterwards
    "exp_then_add_": lambda y, o: (y.exp_(), y.add_(1)),
    "view_exp_then_add_": lambda y, o: (y[:2].exp_(), y.add_(1)),
    "sigmoid_then_view_mul_": lambda y, o: (y.sigmoid_(), y[0].mul_(2)),
    "mul_self": lambda y, o: y.mul_(y),
    "div_self": lambda y, o: y.div_(y),
}


def _non_leaf_run(lib, scenario):
    x = lib.tensor(X, requires_grad=True)
    o = lib.tensor(X[::-1].copy(), requires_grad=True)
    y = x * 1
    NON_LEAF[scenario](y, o)
    try:
        (y * y).sum().backward()
    except RuntimeError as e:
        return str(e)[:len(MODIFIED)]
    return y, x.grad, o.grad if o.grad is not None else lib.zeros(4, dtype=lib.float64)


@pytest.mark.parametrize("scenario", sorted(NON_LEAF))
def test_inplace_on_non_leaf_matches_torch(scenario):
    g = _non_leaf_run(gradstep, scenario)
    t = _non_leaf_run(torch, scenario)
    if isinstance(t, str):
        assert g == t == MODIFIED
    else:
        assert_same(g, t, what=scenario)


def test_inplace_saving_its_input_copies_only_then():
    x = gradstep.tensor(X, requires_grad=True)
    y = x * 1
    y.exp_()  # saves its output: self's own storage, no copy
    assert y.grad_fn._arrays[0] is y._data
    z = x * 1
    z.sin_()  # saves its input: a copy of self before the write
    saved = z.grad_fn._arrays[0]
    assert saved is not z._data and np.array_equal(saved, X)


def test_double_backward_through_inplace_sin():
    results = []
    for lib in (gradstep, torch):
        x = lib.tensor(X, requires_grad=True)
        y = x * 2
        y.sin_()
        g, = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        g2, = lib.autograd.grad(g.sum(), x)
        results.append((g, g2))
    assert_same(results[0], results[1])


def test_0dim_view_writes_through():
    results = []
    for lib in (gradstep, torch):
        y = lib.zeros(2, 3)
        y[1, 2].add_(5)
        y[0][1].fill_(2)
        v = y[1, 0]
        v.copy_(lib.tensor(7.))
        results.append((y, v._base is y))
    assert_same(results[0][0], results[1][0])
    assert results[0][1] is results[1][1] is True


# ----- which in-place changes of views torch refuses ---------------------------------------------

def _outcome(lib, scenario):
    try:
        return ("ok", scenario(lib).tolist())
    except RuntimeError as e:
        return ("raise", str(e))


def _leaf_view(lib):
    return lib.arange(12.).reshape(3, 4).requires_grad_()  # a leaf that is itself a view


def _no_grad_pieces(lib):
    x = lib.ones(3, 2, requires_grad=True) * 2
    with lib.no_grad():
        pieces = x.unbind(0)
    return pieces[1].add_(1)


REFUSED = {
    "leaf_view_add_": lambda L: _leaf_view(L).add_(1),
    "leaf_view_row_add_": lambda L: _leaf_view(L)[0].add_(100),
    "leaf_view_t_mul_": lambda L: _leaf_view(L).t().mul_(2),
    "leaf_view_setitem": lambda L: _leaf_view(L).__setitem__(0, 1.) or _leaf_view(L),
    "view_made_leaf_add_": lambda L: L.zeros(4)[:2].requires_grad_().add_(1),
    "leaf_setitem_int": lambda L: L.ones(3, requires_grad=True).__setitem__(0, 1.),
    "leaf_setitem_all": lambda L: L.ones(3, requires_grad=True).__setitem__(Ellipsis, 1.),
    "leaf_setitem_list": lambda L: L.ones(3, requires_grad=True).__setitem__([0], 1.),
    "untracked_view_add_tracked": lambda L: L.zeros(4)[:2].add_(L.ones(2, requires_grad=True)),
    "unbind_mul_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).unbind(0)[1].mul_(3),
    "unbind_view_mul_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).unbind(0)[1][0].mul_(3),
    "unbind_then_view_add_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).unbind(0)[0]
    .view(2).add_(1),
    "split_add_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).split(1)[0].add_(1),
    "split_sizes_add_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).split([1, 2])[1].add_(1),
    "chunk_add_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).chunk(3)[2].add_(1),
    "leaf_unbind_add_": lambda L: L.ones(3, 2, requires_grad=True).unbind(0)[1].add_(1),
    "tensor_split_add_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).tensor_split(3)[2]
    .add_(1),
    "untracked_unbind_add_": lambda L: L.ones(3, 2).unbind(0)[1].add_(1),
    "untracked_unbind_add_tracked": lambda L: L.ones(3, 2).unbind(0)[1]
    .add_(L.ones(2, requires_grad=True)),
    "no_grad_unbind_add_": _no_grad_pieces,
    "unbind_setitem": lambda L: (lambda p: (p.__setitem__(0, 5.), p)[1])(
        (L.ones(3, 2, requires_grad=True) * 2).unbind(0)[1]),
    "unbind_setitem_all": lambda L: (lambda p: (p.__setitem__(Ellipsis, 5.), p)[1])(
        (L.ones(3, 2, requires_grad=True) * 2).unbind(0)[1]),
    "split_setitem_slice": lambda L: (lambda p: (p.__setitem__((slice(None), slice(1)), 5.), p)[1])(
        (L.ones(3, 2, requires_grad=True) * 2).split(1)[0]),
    "unbind_detach_add_": lambda L: (L.ones(3, 2, requires_grad=True) * 2).unbind(0)[0].detach()
    .add_(1),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_inplace_changes_match_torch(name):
    assert _outcome(gradstep, REFUSED[name]) == _outcome(torch, REFUSED[name])


def test_pieces_changed_in_no_grad_mode_are_fine():
    for lib in (gradstep, torch):
        x = lib.ones(3, 2, requires_grad=True) * 2
        with lib.no_grad():
            x.unbind(0)[1].add_(1)
            x.split(1)[0].mul_(3)
        assert x.tolist() == [[6., 6.], [3., 3.], [2., 2.]]
