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
