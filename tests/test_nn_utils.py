"""nn.utils against torch: gradient clipping and parameter/vector conversion.

Each case runs one scenario on gradstep and on torch: the returned norm, the clipped gradients,
exceptions and warnings must be the same (see tests/_outcome.py).
"""
import math

import numpy as np
import pytest
import torch

import gradstep
from _outcome import assert_same_outcome

GRADS = {
    "mixed": [np.linspace(-3, 5, 12).reshape(3, 4), np.array([0.5, -0.25]), np.array(7.0)],
    "small": [np.array([1e-3, -2e-3]), np.array([[1e-4]])],
    "zeros": [np.zeros(3), np.zeros((2, 2))],
    "nan": [np.array([1.0, np.nan]), np.ones(2)],
    "inf": [np.array([1.0, np.inf]), np.ones(2)],
    "huge": [np.full(4, 1e30), np.ones(2)],
}


def params(lib, grads="mixed", dtype="float32", with_none=True):
    out = []
    for i, g in enumerate(GRADS[grads]):
        p = lib.nn.Parameter(lib.zeros(g.shape, dtype=getattr(lib, dtype)))
        p.grad = lib.tensor(g, dtype=getattr(lib, dtype))
        out.append(p)
    if with_none:
        out.insert(1, lib.nn.Parameter(lib.ones(2)))  # no grad: skipped
    return out


def _clip(lib, grads="mixed", dtype="float32", max_norm=1.0, **kwargs):
    ps = params(lib, grads, dtype)
    total = lib.nn.utils.clip_grad_norm_(ps, max_norm, **kwargs)
    return total, [p.grad for p in ps]


def _clip_mixed_dtypes(lib):
    ps = params(lib) + params(lib, "small", "float64", with_none=False)
    total = lib.nn.utils.clip_grad_norm_(iter(ps), 0.5)
    return total, [p.grad for p in ps]


def _clip_value(lib, value, grads="mixed"):
    ps = params(lib, grads)
    result = lib.nn.utils.clip_grad_value_(ps, value)
    return result, [p.grad for p in ps]


def _total(lib, norm_type=2.0, grads="mixed", **kwargs):
    return lib.nn.utils.get_total_norm([p.grad for p in params(lib, grads)[::2]], norm_type,
                                       **kwargs)


def _two_step(lib, max_norm):
    ps = params(lib)
    total = lib.nn.utils.get_total_norm([p.grad for p in ps if p.grad is not None])
    lib.nn.utils.clip_grads_with_norm_(ps, max_norm, total)
    return total, [p.grad for p in ps]


def _to_vector(lib):
    ps = [lib.nn.Parameter(lib.arange(6.0).reshape(2, 3)), lib.nn.Parameter(lib.ones(2))]
    vec = lib.nn.utils.parameters_to_vector(ps)
    (vec * lib.arange(8.0)).sum().backward()
    return vec.detach(), vec.grad_fn is not None, [p.grad for p in ps]


def _from_vector(lib):
    ps = [lib.nn.Parameter(lib.zeros(2, 3)), lib.nn.Parameter(lib.zeros(2))]
    vec = lib.arange(8.0)
    result = lib.nn.utils.vector_to_parameters(vec, ps)
    vec[0] = 100.0  # the parameters are views of vec, as in torch
    return result, ps, [type(p).__name__ for p in ps], [p.is_leaf for p in ps]


def _roundtrip(lib):
    ps = [lib.nn.Parameter(lib.arange(6.0).reshape(2, 3)), lib.nn.Parameter(lib.ones(2))]
    vec = lib.nn.utils.parameters_to_vector(ps).detach() * 2
    lib.nn.utils.vector_to_parameters(vec, ps)
    return ps


def _gradient_through_clip(lib):
    ps = params(lib, with_none=False)
    lib.nn.utils.clip_grad_norm_(ps[0], 2.0)  # a single tensor
    return [p.grad for p in ps]


CASES = {
    "clip l2": lambda lib: _clip(lib),
    "clip l2 float64": lambda lib: _clip(lib, dtype="float64"),
    "clip below threshold": lambda lib: _clip(lib, max_norm=100.0),
    "clip l1": lambda lib: _clip(lib, norm_type=1),
    "clip l3": lambda lib: _clip(lib, norm_type=3.0, max_norm=2),
    "clip l0.5": lambda lib: _clip(lib, norm_type=0.5),
    "clip inf": lambda lib: _clip(lib, norm_type=math.inf),
    "clip 'inf' string": lambda lib: _clip(lib, norm_type="inf"),
    "clip -inf": lambda lib: _clip(lib, norm_type=-math.inf),
    "clip bad norm type": lambda lib: _clip(lib, norm_type="two"),
    "clip foreach": lambda lib: _clip(lib, foreach=True),
    "clip foreach False": lambda lib: _clip(lib, foreach=False),
    "clip zeros": lambda lib: _clip(lib, "zeros"),
    "clip small": lambda lib: _clip(lib, "small", max_norm=1e-3),
    "clip nan": lambda lib: _clip(lib, "nan"),
    "clip inf grads": lambda lib: _clip(lib, "inf"),
    "clip nan error": lambda lib: _clip(lib, "nan", error_if_nonfinite=True),
    "clip inf error": lambda lib: _clip(lib, "inf", norm_type=1, error_if_nonfinite=True),
    "clip huge float32": lambda lib: _clip(lib, "huge"),
    "clip huge error": lambda lib: _clip(lib, "huge", error_if_nonfinite=True),
    "clip max_norm int": lambda lib: _clip(lib, max_norm=2),
    "clip empty": lambda lib: lib.nn.utils.clip_grad_norm_([], 1.0),
    "clip no grads": lambda lib: lib.nn.utils.clip_grad_norm_([lib.nn.Parameter(lib.ones(2))], 1),
    "clip mixed dtypes": _clip_mixed_dtypes,
    "clip single tensor": _gradient_through_clip,
    "clip deprecated": lambda lib: lib.nn.utils.clip_grad_norm(params(lib), 1.0),
    "clip value": lambda lib: _clip_value(lib, 0.75),
    "clip value int": lambda lib: _clip_value(lib, 2),
    "clip value nan": lambda lib: _clip_value(lib, 0.5, "nan"),
    "total norm": lambda lib: _total(lib),
    "total norm inf": lambda lib: _total(lib, "inf"),
    "total norm 0": lambda lib: _total(lib, 0),
    "total norm tensor": lambda lib: lib.nn.utils.get_total_norm(lib.tensor([3.0, 4.0])),
    "total norm empty": lambda lib: lib.nn.utils.get_total_norm([]),
    "total norm float16": lambda lib: lib.nn.utils.get_total_norm(
        [lib.ones(3, dtype=lib.float16)]),
    "total norm error": lambda lib: _total(lib, grads="nan", error_if_nonfinite=True),
    "clip with norm": lambda lib: _two_step(lib, 1.0),
    "clip with norm above": lambda lib: _two_step(lib, 1e3),
    "to vector": _to_vector,
    "to vector empty": lambda lib: lib.nn.utils.parameters_to_vector([]),
    "from vector": _from_vector,
    "from vector not tensor": lambda lib: lib.nn.utils.vector_to_parameters(
        [1.0], [lib.nn.Parameter(lib.ones(1))]),
    "from vector too short": lambda lib: lib.nn.utils.vector_to_parameters(
        lib.ones(2), [lib.nn.Parameter(lib.ones(3))]),
    "vector roundtrip": _roundtrip,
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_utils_like_torch(case):
    assert_same_outcome(CASES[case])


def test_clip_coefficient_is_torchs():
    """The scale is exactly max_norm / (total + 1e-6), clamped to 1, in the grads' dtype."""
    for dtype in (np.float32, np.float64):
        g = np.array([3.0, 4.0], dtype)
        p = gradstep.nn.Parameter(gradstep.zeros(2, dtype=getattr(gradstep, np.dtype(dtype).name)))
        p.grad = gradstep.tensor(g)
        total = gradstep.nn.utils.clip_grad_norm_([p], 1.0)
        coef = dtype(1.0) / (dtype(5.0) + dtype(1e-6))
        np.testing.assert_array_equal(p.grad.numpy(), g * coef)
        assert total.item() == 5.0 and str(total.dtype) == "torch." + np.dtype(dtype).name
