"""repr/str of tensors, byte for byte against torch, over a table of shapes, values and dtypes."""
import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import gradstep
from gradstep import _tensor_str

NAN, INF = float("nan"), float("inf")


@pytest.fixture(autouse=True)
def _default_printoptions():
    yield
    for lib in (gradstep, torch):
        lib.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def _build(lib, array, grad=None):
    """The same tensor in either library: a leaf, a leaf requiring grad, or an op's output."""
    t = lib.tensor(array)
    if grad == "leaf":
        t.requires_grad_(True)
    elif grad == "mul":
        t = t.requires_grad_(True) * 1
    elif grad == "add":
        t = t.requires_grad_(True) + 0
    return t


def assert_same_repr(array, grad=None):
    g, t = _build(gradstep, array, grad), _build(torch, array, grad)
    assert repr(g) == repr(t)
    assert str(g) == str(t)


# ----- the case table -----

def _values(kind, shape, rng):
    n = math.prod(shape)
    if kind == "small_int":
        a = rng.integers(-9, 10, n)
    elif kind == "big_int":
        a = rng.integers(-10**6, 10**6, n)
    elif kind == "unit":
        a = rng.uniform(-1, 1, n)
    elif kind == "positive":
        a = rng.uniform(0, 10, n)
    elif kind.startswith("normal"):
        a = rng.standard_normal(n) * float(kind[6:])
    elif kind == "wide":      # magnitudes across many decades: scientific notation
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n)
    elif kind == "special":   # nan, inf, zeros, negative zero among ordinary values
        a = rng.standard_normal(n) * 3
        mask = rng.random(n) < 0.4
        a[mask] = rng.choice([NAN, INF, -INF, 0.0, -0.0], int(mask.sum()))
    elif kind == "zeros":
        a = np.zeros(n)
    else:
        raise AssertionError(kind)
    return a.reshape(shape)


SHAPES = [(), (1,), (5,), (13,), (30,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (25, 5), (1001,),
          (40, 30), (11, 11, 11), (3, 400), (7, 1, 200)]
KINDS = ["small_int", "big_int", "unit", "positive", "normal1", "normal1e-5", "normal1e3",
         "normal1e9", "wide", "special", "zeros"]
FLOATS = [np.float32, np.float64, np.float16]
INTS = [np.int64, np.int32, np.int16, np.int8, np.uint8]


def _table():
    rng = np.random.default_rng(0)
    cases = []
    for shape, kind in itertools.product(SHAPES, KINDS):
        values = _values(kind, shape, rng)
        for dtype in FLOATS:
            with np.errstate(over="ignore"):  # float16 overflows to inf on purpose
                cases.append((f"{kind}-{shape}-{np.dtype(dtype).name}", values.astype(dtype),
                              None))
        if kind in ("small_int", "big_int"):
            for dtype in INTS:
                cases.append((f"{kind}-{shape}-{np.dtype(dtype).name}",
                              values.astype(dtype) if dtype != np.uint8 else
                              np.abs(values).astype(dtype), None))
    for shape in SHAPES:
        cases.append((f"bool-{shape}", rng.random(shape) < 0.5, None))
        cases.append((f"true-{shape}", np.ones(shape, bool), None))
    # autograd suffixes, which also wrap onto a new line when the values end a long line
    for n, dtype, grad in itertools.product([2, 9, 10, 11, 13, 14, 27, 28],
                                            [np.float32, np.float64],
                                            ["leaf", "mul", "add"]):
        cases.append((f"grad-{n}-{np.dtype(dtype).name}-{grad}",
                      (np.arange(n) * 1.5 + 0.25).astype(dtype), grad))
    for shape in [(), (3, 2), (0,), (2, 0)]:
        cases.append((f"grad-shape-{shape}", np.ones(shape, np.float64), "mul"))
    # empty tensors of every rank and dtype
    for shape, dtype in itertools.product([(0,), (0, 3), (2, 0), (2, 0, 3)],
                                          FLOATS + INTS + [np.bool_]):
        cases.append((f"empty-{shape}-{np.dtype(dtype).name}", np.zeros(shape, dtype), None))
    # the boundaries of scientific notation and of int mode, one at a time
    specific = [
        [1.0, 2.0], 3.0, 1e-5, [0.9, 1.9], [1.0, 1000.0], [1.0, 1000.5], [1.0, 1001.0],
        [0.5, 500.0], [0.5, 500.5], [1e8], [-1e8], [1e8 + 8], [123456789.0], [1.5e8, 1.0],
        [1e-4, 1.0], [0.0001], [0.00011], [9.99e-5], [1e-4], [1.5, NAN, -INF],
        [1.0, NAN, INF, -INF], [NAN], [INF], -INF, NAN, [-0.0], -0.0, [-0.0, 1.5], [0.0, 0.0],
        [-0.0, 0.0, 2.0], [1.0, -INF], [99999.5, 1.0], [9.99995, 1.0], [0.99995], [-0.99995, 1],
        [1e100, 1e-100], [1e300, 1.0], [5e-324, 1.0], [1e20, 1.5], [-1e-20, 3.0],
        [1.25, 2.5, -3.75], [100.0, -100.0, 50.5], [2.0**53], [1e15, 3e15], [0.1, 0.2, 0.3],
        [[1.0, -2.0], [NAN, 4.0]], [[[1e-3, 1e3]]], [65504.0, 1.0], [1e-7, 1.0],
    ]
    for i, values in enumerate(specific):
        for dtype in FLOATS:
            with np.errstate(over="ignore", under="ignore"):
                cases.append((f"specific{i}-{np.dtype(dtype).name}",
                              np.array(values, dtype=dtype), None))
    for values in [[-1, 10, -100], 0, -7, [2**62, -2**62], [[1, 22], [333, -4]]]:
        cases.append((f"int-{values}", np.array(values, np.int64), None))
    return cases


CASES = _table()


@pytest.mark.parametrize("name,array,grad", CASES, ids=[c[0] for c in CASES])
def test_repr_matches_torch(name, array, grad):
    assert_same_repr(array, grad)


def test_table_is_broad():
    assert len(CASES) > 500


# ----- hypothesis: arbitrary float arrays -----

_float_arrays = st.sampled_from([np.float32, np.float64, np.float16]).flatmap(
    lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, max_side=7),
                             elements=st.floats(width=np.dtype(dtype).itemsize * 8,
                                                allow_subnormal=True)))


@settings(max_examples=400, derandomize=True, deadline=None, database=None)
@given(_float_arrays)
def test_hypothesis_float_arrays(array):
    assert_same_repr(array)


@settings(max_examples=100, derandomize=True, deadline=None, database=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=30),
                  elements=st.floats(-1e3, 1e3)),
       st.integers(0, 6), st.integers(10, 120), st.sampled_from([None, True, False]))
def test_hypothesis_with_printoptions(array, precision, linewidth, sci_mode):
    for lib in (gradstep, torch):
        lib.set_printoptions(precision=precision, linewidth=linewidth, sci_mode=sci_mode)
    assert_same_repr(array, "leaf")


# ----- print options -----

_rng = np.random.default_rng(1)
_OPTION_ARRAYS = [
    np.arange(20.0), np.arange(20), np.arange(6.0), np.arange(7.0), np.arange(14.0).reshape(7, 2),
    np.arange(14).reshape(2, 7), np.arange(7 * 7 * 7).reshape(7, 7, 7), np.array(1.5),
    np.array([1e-5, 1.0]), np.array([1e-5, 1e10]), np.array([1.0, 2.0]), np.array([1.5, 2.0]),
    np.array([0.0, 0.0]), np.array([NAN, 1.0]), np.array([1e20, 1.0]), np.array([1.12345]),
    np.arange(2000.0), _rng.standard_normal((50, 50)).astype(np.float32),
    _rng.standard_normal((3, 4, 5)), np.array([True, False]), np.zeros((0, 3)),
]
_OPTIONS = [
    dict(precision=0), dict(precision=1), dict(precision=2), dict(precision=8),
    dict(threshold=5), dict(threshold=10, edgeitems=1), dict(edgeitems=0),
    dict(threshold=5, edgeitems=0), dict(edgeitems=2), dict(linewidth=20), dict(linewidth=40),
    dict(linewidth=120), dict(linewidth=5), dict(profile="short"), dict(profile="full"),
    dict(sci_mode=True), dict(sci_mode=False), dict(precision=2, sci_mode=True),
    dict(profile="short", precision=6), dict(profile="bogus"),
]


@pytest.mark.parametrize("options", _OPTIONS, ids=[str(o) for o in _OPTIONS])
def test_printoptions_match_torch(options):
    for lib in (gradstep, torch):
        lib.set_printoptions(**options)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    for array in _OPTION_ARRAYS:
        assert_same_repr(array)
        if array.dtype.kind == "f" and array.size < 100:
            assert_same_repr(array, "mul")


def test_set_printoptions_resets_sci_mode_and_keeps_the_rest():
    for lib in (gradstep, torch):
        lib.set_printoptions(sci_mode=True)
        lib.set_printoptions(precision=3)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    assert _tensor_str.get_printoptions() == {"precision": 3, "threshold": 1000, "edgeitems": 3,
                                              "linewidth": 80, "sci_mode": None}


def test_printoptions_context_manager_restores():
    gradstep.set_printoptions(linewidth=60)
    with _tensor_str.printoptions(precision=1, sci_mode=False):
        assert repr(gradstep.tensor([1.25])) == "tensor([1.2])"
        assert _tensor_str.get_printoptions()["sci_mode"] is False
    assert _tensor_str.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                              "linewidth": 60, "sci_mode": None}


def test_full_profile_threshold_is_inf():
    gradstep.set_printoptions(profile="full")
    assert _tensor_str.get_printoptions()["threshold"] == math.inf
    assert "..." not in repr(gradstep.tensor(np.arange(5000.0)))


# ----- the default dtype decides which dtype suffix is hidden -----

@pytest.mark.parametrize("default", [np.float64, np.float16])
@pytest.mark.parametrize("array", [
    np.array([1.0, 2.0], np.float32), np.array([1.0, 2.5], np.float64),
    np.array([1.0, 2.0], np.float16), np.zeros(0, np.float32), np.zeros(0, np.float64),
    np.zeros((0, 2), np.float16), np.zeros(0, np.int64), np.zeros(0, bool), np.array([1, 2]),
    np.array([True]), np.array(0.5, np.float64), np.array([[1.0, 2.0]], np.float32),
], ids=repr)
def test_default_dtype_suffix(default, array):
    gradstep.set_default_dtype(getattr(gradstep, np.dtype(default).name))
    torch.set_default_dtype(getattr(torch, np.dtype(default).name))
    assert_same_repr(array)
    assert_same_repr(array, "leaf" if array.dtype.kind == "f" else None)


# ----- graph and view states -----

def test_grad_fn_names_and_no_grad():
    for make in [lambda lib, x: x.detach(), lambda lib, x: x.sum(), lambda lib, x: -x,
                 lambda lib, x: x / 3, lambda lib, x: 2 ** x, lambda lib, x: x - 1,
                 lambda lib, x: lib.rsub(x, 1), lambda lib, x: x.reciprocal()]:
        g = make(gradstep, gradstep.tensor([1.0, 2.0], requires_grad=True))
        t = make(torch, torch.tensor([1.0, 2.0], requires_grad=True))
        assert repr(g) == repr(t)
    with gradstep.no_grad():
        g = gradstep.tensor([1.0, 2.0], requires_grad=True)
        assert repr(g * 2) == "tensor([2., 4.])"
        assert repr(g) == "tensor([1., 2.], requires_grad=True)"


# ----- prefix and device -----

def test_prefix_is_configurable_and_aligns_rows():
    values = np.arange(6.0).reshape(2, 3)
    g = gradstep.tensor(values.tolist(), requires_grad=True)
    text = _tensor_str.tensor_repr(g, prefix="Parameter(")
    assert text == ("Parameter([[0., 1., 2.],\n"
                    "           [3., 4., 5.]], requires_grad=True)")


def test_subclass_prefix_is_class_name():
    class My(gradstep.Tensor):
        pass

    g = gradstep.tensor([1.0, 2.0])
    g.__class__ = My
    t = torch.tensor([1.0, 2.0]).as_subclass(type("My", (torch.Tensor,), {}))
    assert repr(g) == repr(t) == "My([1., 2.])"


def test_device_suffix_for_non_cpu():
    # The values are formatted from host memory; the suffix comes from the tensor's device.
    g = gradstep.tensor([1.0, 2.0], dtype=gradstep.float64, requires_grad=True)
    g._device = gradstep.device("cuda", 0)
    assert repr(g) == "tensor([1., 2.], device='cuda:0', dtype=torch.float64, requires_grad=True)"


def test_repr_of_large_tensor_is_fast():
    import time
    g = gradstep.tensor(np.random.default_rng(0).standard_normal((1000, 1000)))
    start = time.perf_counter()
    text = repr(g)
    assert time.perf_counter() - start < 0.5
    assert text == repr(torch.tensor(g.numpy()))
