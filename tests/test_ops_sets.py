"""unique, unique_consecutive, isin, searchsorted, bucketize, bincount and histc against torch:
values, dtypes, shapes, returned tuples, edge cases and errors."""
import math
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare

NAN, INF = math.nan, math.inf
R = np.random.default_rng(3)

INTS = np.array([3, 1, 1, 2, 3, 3, 0, 7, 7, 1])
FLOATS = np.array([[3., 1., 2., 1.], [NAN, 3., -0., 0.], [2., 2., NAN, 5.]], np.float32)
ROWS = np.array([[1, 2], [1, 2], [0, 5], [0, 5], [1, 2], [-1, 9]])
EMPTY = np.zeros((0,), np.float32)

CASES = {
    "unique": (lambda L, x: L.unique(x), [INTS, FLOATS, ROWS, EMPTY, np.array(4)]),
    "unique_all": (lambda L, x: L.unique(x, return_inverse=True, return_counts=True),
                   [INTS, FLOATS, ROWS, EMPTY, np.array(4), np.array([True, False, True])]),
    "unique_inverse": (lambda L, x: L.unique(x, sorted=True, return_inverse=True), [ROWS]),
    "unique_counts": (lambda L, x: L.unique(x, return_counts=True), [INTS]),
    "unique_dim0": (lambda L, x: L.unique(x, dim=0, return_inverse=True, return_counts=True),
                    [ROWS, FLOATS[[0, 2, 0]]]),
    "unique_dim1": (lambda L, x: L.unique(x, dim=1), [ROWS.T]),
    "unique_method": (lambda L, x: x.unique(return_counts=True), [INTS]),
    "unique_consecutive": (lambda L, x: L.unique_consecutive(x), [INTS, FLOATS, ROWS, EMPTY]),
    "unique_consecutive_all": (lambda L, x: L.unique_consecutive(x, return_inverse=True,
                                                                 return_counts=True),
                               [INTS, FLOATS, ROWS, EMPTY, np.array(4)]),
    "unique_consecutive_dim": (lambda L, x: L.unique_consecutive(x, return_inverse=True,
                                                                 return_counts=True, dim=0),
                               [ROWS, FLOATS]),
    "unique_consecutive_method": (lambda L, x: x.unique_consecutive(return_counts=True, dim=1),
                                  [ROWS.T]),
    "isin": (lambda L, x: L.isin(x, L.tensor([1, 3, 9])), [INTS, FLOATS, ROWS, EMPTY]),
    "isin_invert": (lambda L, x: L.isin(x, L.tensor([1., NAN, 2.5]), invert=True),
                    [INTS, FLOATS]),
    "isin_assume_unique": (lambda L, x: L.isin(x, L.tensor([1, 3]), assume_unique=True), [INTS]),
    "isin_number": (lambda L, x: L.isin(x, 3), [INTS, FLOATS]),
    "isin_number_first": (lambda L, x: L.isin(2, x), [INTS, FLOATS]),
    "isin_tensor_in_number_list": (lambda L, x: L.isin(x.flip(0), x), [INTS]),
    "searchsorted": (lambda L, x: L.searchsorted(L.tensor([1, 3, 5, 7]), x), [INTS, ROWS]),
    "searchsorted_right": (lambda L, x: L.searchsorted(L.tensor([1., 3., 5., 7.]), x,
                                                       right=True), [INTS, FLOATS]),
    "searchsorted_side": (lambda L, x: L.searchsorted(L.tensor([1, 3, 3, 7]), x, side="right"),
                          [INTS]),
    "searchsorted_side_left": (lambda L, x: L.searchsorted(L.tensor([1, 3, 3, 7]), x,
                                                           side="left"), [INTS]),
    "searchsorted_int32": (lambda L, x: L.searchsorted(L.tensor([1, 3, 5, 7]), x,
                                                       out_int32=True), [INTS]),
    "searchsorted_nd": (lambda L, x: L.searchsorted(L.tensor([[1., 3., 5.], [0., 2., 2.],
                                                              [-1., 4., 9.]]), x),
                        [FLOATS]),
    "searchsorted_sorter": (lambda L, x: L.searchsorted(L.tensor([5, 1, 7, 3]), x,
                                                        sorter=L.tensor([1, 3, 0, 2])), [INTS]),
    "searchsorted_scalar": (lambda L, x: L.searchsorted(x.sort().values.flatten(), 2), [INTS]),
    "searchsorted_nan_sequence": (lambda L, x: L.searchsorted(L.tensor([1., 3., NAN]), x),
                                  [FLOATS]),
    "searchsorted_nan_right": (lambda L, x: L.searchsorted(L.tensor([NAN, 1., 3., NAN, NAN]), x,
                                                           right=True), [FLOATS]),
    "searchsorted_long": (lambda L, x: L.searchsorted(L.arange(0., 100., 3.), x * 7), [FLOATS]),
    "searchsorted_empty": (lambda L, x: L.searchsorted(L.tensor([1, 2]), x), [EMPTY]),
    "bucketize": (lambda L, x: L.bucketize(x, L.tensor([1, 3, 5, 7])), [INTS, FLOATS, ROWS]),
    "bucketize_right": (lambda L, x: L.bucketize(x, L.tensor([1., 3., 5.]), right=True,
                                                 out_int32=True), [INTS, FLOATS]),
    "bucketize_scalar": (lambda L, x: L.bucketize(3, x.sort().values.flatten()), [INTS]),
    "bincount": (lambda L, x: L.bincount(x), [INTS, np.zeros(0, np.int64),
                                             np.array([0, 2], np.uint8),
                                             np.array([1, 4], np.int32)]),
    "bincount_minlength": (lambda L, x: L.bincount(x, minlength=12), [INTS]),
    "bincount_weights": (lambda L, x: L.bincount(x, weights=L.arange(10.)), [INTS]),
    "bincount_weights64": (lambda L, x: L.bincount(x, L.arange(10, dtype=L.float64) / 3, 2),
                           [INTS]),
    "bincount_weights_int": (lambda L, x: L.bincount(x, weights=L.arange(10)), [INTS]),
    "bincount_weights_half": (lambda L, x: L.bincount(x, weights=L.ones(10, dtype=L.float16)),
                              [INTS]),
    "bincount_method": (lambda L, x: x.bincount(), [INTS]),
    "histc": (lambda L, x: L.histc(x, bins=5, min=-1, max=6), [INTS.astype(np.float32)]),
    "histc_auto": (lambda L, x: L.histc(x, bins=7), [R.standard_normal(100).astype(np.float32),
                                                     R.standard_normal((10, 10)), EMPTY,
                                                     np.array([2., 2.], np.float32)]),
    "histc_edges": (lambda L, x: L.histc(x, bins=3, min=0, max=0.3),
                    [np.array([0., 0.1, 0.2, 0.3, 0.30001, -0.1, 0.15], np.float32),
                     np.linspace(0, 0.3, 31)]),
    "histc_method": (lambda L, x: x.histc(4), [R.standard_normal(20)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    fn, inputs = CASES[name]
    for x in inputs:
        compare(fn, x, requires_grad=False)


def test_unique_of_a_tensor_that_requires_grad():
    for name, call in (("Unique2Backward0", lambda L, x: L.unique(x)),
                       ("UniqueDimBackward0", lambda L, x: L.unique(x, dim=0)),
                       ("UniqueConsecutiveBackward0", lambda L, x: L.unique_consecutive(x))):
        results = []
        for L in (gradstep, torch):
            x = L.tensor([3., 1., 3.], requires_grad=True)
            out = call(L, x)
            assert out.grad_fn.name() == name
            results.append(out.detach())
        assert_same(results[0], results[1])
        _raises(lambda L: call(L, L.tensor([3., 1.], requires_grad=True)).sum().backward())


def test_bincount_with_weights_that_require_grad():
    x = np.array([0, 2, 2])
    outs = []
    for L in (gradstep, torch):
        out = L.bincount(L.tensor(x), weights=L.ones(3, requires_grad=True))
        assert out.grad_fn.name() == "torch::autograd::NotImplemented"
        outs.append(out.detach())
    assert_same(outs[0], outs[1])
    _raises(lambda L: L.bincount(L.tensor(x), L.ones(3, requires_grad=True)).sum().backward())


def test_histc_ignores_grad_and_returns_dtype():
    for L in (gradstep, torch):
        h = L.histc(L.tensor([1., 2., 3.], requires_grad=True), bins=2)
        assert not h.requires_grad and h.grad_fn is None


def test_out_arguments():
    x = np.array([3, 1, 4])
    for dtype, call in (("bool", lambda L, o: L.isin(L.tensor(x), L.tensor([1, 4]), out=o)),
                        ("int64", lambda L, o: L.searchsorted(L.tensor([1, 3]), L.tensor(x),
                                                              out=o)),
                        ("int64", lambda L, o: L.bucketize(L.tensor(x), L.tensor([1, 3]), out=o)),
                        ("float64", lambda L, o: L.histc(L.tensor(x * 1.), 3, out=o))):
        outs = [L.empty(0, dtype=getattr(L, dtype)) for L in (gradstep, torch)]
        results = [call(L, o) for L, o in zip((gradstep, torch), outs)]
        assert results[0] is outs[0]
        assert_same(results[0], results[1])


def _raises(fn):
    try:
        fn(torch)
    except Exception as e:  # noqa: BLE001
        expected = e
    else:
        raise AssertionError("torch did not raise")
    with pytest.raises(type(expected), match=re.escape(str(expected))):
        fn(gradstep)


ERRORS = {
    "unique_bad_dim": lambda L: L.unique(L.tensor([[1, 2]]), dim=2),
    "unique_list": lambda L: L.unique([1, 2]),
    "isin_bool": lambda L: L.isin(L.tensor([True]), L.tensor([True])),
    "isin_numbers": lambda L: L.isin(1, 2),
    "isin_list": lambda L: L.isin(L.tensor([1]), [1, 2]),
    "searchsorted_0d": lambda L: L.searchsorted(L.tensor(1.), L.tensor([1.])),
    "searchsorted_shapes": lambda L: L.searchsorted(L.tensor([[1., 3.]]), L.ones(2, 2)),
    "searchsorted_side": lambda L: L.searchsorted(L.tensor([1, 3]), L.tensor([3]), side="up"),
    "searchsorted_opposites": lambda L: L.searchsorted(L.tensor([1, 3]), L.tensor([3]),
                                                       right=True, side="left"),
    "searchsorted_sorter_size": lambda L: L.searchsorted(L.tensor([1, 3]), L.tensor([3]),
                                                         sorter=L.tensor([0])),
    "searchsorted_sorter_dtype": lambda L: L.searchsorted(L.tensor([1, 3]), L.tensor([3]),
                                                          sorter=L.tensor([0., 1.])),
    "searchsorted_bool": lambda L: L.searchsorted(L.tensor([True, False]), L.tensor([True])),
    "bucketize_2d": lambda L: L.bucketize(L.tensor([3]), L.tensor([[1, 3]])),
    "bincount_negative": lambda L: L.bincount(L.tensor([-1, 2])),
    "bincount_float": lambda L: L.bincount(L.tensor([1., 2.])),
    "bincount_bool": lambda L: L.bincount(L.tensor([True])),
    "bincount_2d": lambda L: L.bincount(L.tensor([[1, 2]])),
    "bincount_weights_length": lambda L: L.bincount(L.tensor([1, 2]), weights=L.ones(3)),
    "bincount_minlength": lambda L: L.bincount(L.tensor([1, 2]), minlength=-1),
    "histc_int": lambda L: L.histc(L.tensor([1, 2]), bins=4),
    "histc_nan": lambda L: L.histc(L.tensor([1., NAN]), bins=2),
    "histc_inf": lambda L: L.histc(L.tensor([1., INF]), bins=2),
    "histc_range": lambda L: L.histc(L.tensor([1., 2.]), bins=4, min=3, max=1),
    "histc_bins": lambda L: L.histc(L.tensor([1., 2.]), bins=0),
    "isin_method": lambda L: L.tensor([1]).isin(L.tensor([1])),
    "histc_out_dtype": lambda L: L.histc(L.tensor([1., 2.], dtype=L.float64), 3, out=L.empty(0)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    _raises(ERRORS[name])


# ----- edge cases a differential fuzzer found: empty and 0-d inputs, bool values, NaN slices -----

def _same_outcome(fn):
    """fn(lib) gives torch's result, or raises torch's error type and message."""
    try:
        expected = fn(torch)
    except Exception as error:  # noqa: BLE001
        with pytest.raises(type(error), match=re.escape(str(error))):
            fn(gradstep)
        return
    assert_same(fn(gradstep), expected)


_ALL = dict(return_inverse=True, return_counts=True)
EDGE_CASES = {
    "uc_empty_dim0": lambda L: L.unique_consecutive(L.tensor([]), dim=0, **_ALL),
    "searchsorted_empty_rows": lambda L: L.searchsorted(L.zeros(0, 3), L.zeros(0, 3)),
    "searchsorted_empty_seq": lambda L: L.searchsorted(L.zeros(2, 0), L.zeros(2, 3)),
    "searchsorted_empty_values": lambda L: L.searchsorted(L.zeros(0, 3), L.zeros(0, 0)),
    "bucketize_bool_values": lambda L: L.bucketize(L.tensor([True, False]), L.tensor([0., 1.])),
    "bucketize_bool_right": lambda L: L.bucketize(L.tensor([True, False]), L.tensor([0., 1.]),
                                                  right=True),
    "bucketize_bool_both": lambda L: L.bucketize(L.tensor([True]), L.tensor([False, True])),
    "bucketize_bool_scalar": lambda L: L.bucketize(True, L.tensor([False, True])),
    "searchsorted_bool_int": lambda L: L.searchsorted(L.tensor([False, True]), 1),
    "searchsorted_bool_float": lambda L: L.searchsorted(L.tensor([False, True]),
                                                        L.tensor([0.5])),
    "searchsorted_int_bool": lambda L: L.searchsorted(L.tensor([0, 1]), L.tensor([True])),
    "unique_0d_dim": lambda L: L.unique(L.tensor(1.), dim=0),
    "unique_0d_dim_neg": lambda L: L.unique(L.tensor(1.), dim=-2),
    "uc_0d_dim": lambda L: L.unique_consecutive(L.tensor(1.), dim=0),
    "unique_zero_unselected": lambda L: L.unique(L.zeros(0, 3), dim=1),
    "unique_zero_selected": lambda L: L.unique(L.zeros(0, 3), dim=0, **_ALL),
    "unique_zero_mid": lambda L: L.unique(L.zeros(2, 0, 3), dim=1, **_ALL),
    "unique_two_zeros": lambda L: L.unique(L.zeros(0, 0), dim=0),
    "unique_two_zeros_unselected": lambda L: L.unique(L.zeros(0, 2, 0), dim=1),
    "uc_zero_unselected": lambda L: L.unique_consecutive(L.zeros(3, 0), dim=0),
    "uc_zero_selected": lambda L: L.unique_consecutive(L.zeros(3, 0), dim=1, **_ALL),
    "unique_zero_bad_dim": lambda L: L.unique(L.zeros(0, 3), dim=5),
    "histc_int_bins": lambda L: L.histc(L.tensor([1, 2]), bins=0),
    "histc_int_range": lambda L: L.histc(L.tensor([1, 2]), min=3, max=1),
    "histc_int_ok": lambda L: L.histc(L.tensor([1, 2]), min=1, max=1),
    "histc_bool": lambda L: L.histc(L.tensor([True])),
    "histc_bool_inf": lambda L: L.histc(L.tensor([True]), min=0, max=INF),
    "histc_int_out": lambda L: L.histc(L.tensor([1, 2]), out=L.zeros(100, dtype=L.float64)),
    "histc_out_before_bins": lambda L: L.histc(L.tensor([1.]), bins=0,
                                               out=L.zeros(100, dtype=L.float64)),
    "histc_user_nan": lambda L: L.histc(L.tensor([1.]), min=1, max=NAN),
    "histc_data_nan": lambda L: L.histc(L.tensor([NAN, 1.])),
}


@pytest.mark.parametrize("name", EDGE_CASES)
def test_edge_cases_match_torch(name):
    _same_outcome(EDGE_CASES[name])
