"""clone, detach, result_type, can_cast, is_nonzero, is_same_size, scalar_tensor, asarray,
block_diag, cartesian_prod, combinations, cdist, cross, vander, trapezoid/trapz, renorm,
Tensor.sum_to_size and Tensor.fill_diagonal_ against torch."""
import math
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd

R = np.random.default_rng(4)
NAN, INF = math.nan, math.inf

X = R.standard_normal((3, 4)).astype(np.float32)
V3 = R.standard_normal((4, 3)).astype(np.float32)
P = R.standard_normal((5, 3)).astype(np.float32)
TALL = R.standard_normal((30, 3)).astype(np.float32)

# name -> (function of (lib, x), inputs, differentiable)
CASES = {
    "clone": (lambda L, x: L.clone(x), [X], True),
    "detach": (lambda L, x: L.detach(x) * 1, [X], False),
    "block_diag": (lambda L, x: L.block_diag(x, x[:1, :2] * 2, x[0], L.tensor(3.)), [X], True),
    "block_diag_one": (lambda L, x: L.block_diag(x), [X], True),
    "block_diag_promote": (lambda L, x: L.block_diag(x, L.tensor([[1, 2]])), [X], True),
    "cartesian_prod": (lambda L, x: L.cartesian_prod(x[0], x[1, :2] * 3, x[2, :1]), [X], True),
    "cartesian_prod_one": (lambda L, x: L.cartesian_prod(x[0]), [X], True),
    "combinations": (lambda L, x: L.combinations(x[0]), [X], True),
    "combinations_3": (lambda L, x: L.combinations(x[0], 3), [X], True),
    "combinations_rep": (lambda L, x: L.combinations(x[0], 2, with_replacement=True), [X], True),
    "combinations_too_many": (lambda L, x: L.combinations(x[0], 5), [X], False),
    "combinations_zero": (lambda L, x: L.combinations(x[0], 0), [X], False),
    "cdist": (lambda L, x: L.cdist(x, x[:2] * 0.5 + 1), [P, X], True),
    "cdist_p1": (lambda L, x: L.cdist(x, x[:2] * 0.5 + 1, p=1), [P], True),
    "cdist_p3": (lambda L, x: L.cdist(x, x[:2] * 0.5 + 1, p=3), [P], True),
    "cdist_half": (lambda L, x: L.cdist(x, x[:2] * 0.5 + 1, p=0.5), [P], True),
    "cdist_inf": (lambda L, x: L.cdist(x, x[:2] * 0.5 + 1, p=math.inf), [P], True),
    "cdist_zero": (lambda L, x: L.cdist(x, x[:2], p=0), [P], False),
    "cdist_self": (lambda L, x: L.cdist(x, x.detach() + 0, p=2,
                                        compute_mode="donot_use_mm_for_euclid_dist"), [P], True),
    "cdist_batch": (lambda L, x: L.cdist(x.reshape(2, 3, 2), x[:1, :2].reshape(1, 1, 2)), [X],
                    True),
    "cdist_mm": (lambda L, x: L.cdist(x, x[:2] + 1, compute_mode="use_mm_for_euclid_dist"),
                 [P], True),
    "cdist_many_rows": (lambda L, x: L.cdist(x, x[:4] + 1), [TALL], True),
    "cdist_many_rows_no_mm": (lambda L, x: L.cdist(
        x, x[:4] + 1, compute_mode="donot_use_mm_for_euclid_dist"), [TALL], True),
    "cross": (lambda L, x: L.cross(x, x.flip(0) + 1, dim=1), [V3, P], True),
    "cross_dim0": (lambda L, x: L.cross(x.t(), x.t() * 2 - 1, dim=0), [V3], True),
    "cross_broadcast": (lambda L, x: L.cross(x, x[:1] + 1, dim=-1), [V3], True),
    "cross_method": (lambda L, x: x.cross(x.flip(0), dim=1), [V3], True),
    # (torch's vander cannot backpropagate for N > 1: its in-place cumprod_ trips its own
    # version check; gradstep's is differentiable, checked by finite differences below)
    "vander": (lambda L, x: L.vander(x[0]), [X], False),
    "vander_n": (lambda L, x: L.vander(x[0], N=6, increasing=True), [X], False),
    "vander_1": (lambda L, x: L.vander(x[0], 1), [X], False),
    "vander_0": (lambda L, x: L.vander(x[0], 0), [X], False),
    "trapezoid": (lambda L, x: L.trapezoid(x), [X], True),
    "trapezoid_dx": (lambda L, x: L.trapezoid(x, dx=0.5, dim=0), [X], True),
    "trapezoid_x": (lambda L, x: L.trapezoid(x, L.tensor([0., 1., 3., 3.5])), [X], True),
    "trapezoid_x_nd": (lambda L, x: L.trapezoid(x, L.tensor(np.cumsum(np.exp(X), 0),
                                                            dtype=x.dtype), dim=0), [X], True),
    "trapezoid_one": (lambda L, x: L.trapezoid(x[:, :1]), [X], True),
    "trapezoid_empty": (lambda L, x: L.trapezoid(x[:, :0]), [X], False),
    "trapezoid_empty_x": (lambda L, x: L.trapezoid(x[:, :0], L.ones(0, dtype=x.dtype)), [X],
                          False),
    "trapz": (lambda L, x: L.trapz(x, dx=2), [X], True),
    "trapz_x": (lambda L, x: L.trapz(x, L.tensor([0., 1., 3., 3.5]), dim=-1), [X], True),
    "renorm": (lambda L, x: L.renorm(x, 2, 0, 1.5), [X], True),
    "renorm_dim1": (lambda L, x: L.renorm(x, 1, 1, 1.), [X], True),
    "renorm_p3": (lambda L, x: L.renorm(x, 3, 0, 1.), [X], True),
    "renorm_inf": (lambda L, x: L.renorm(x, math.inf, 0, 0.5), [X], True),
    "renorm_large_max": (lambda L, x: L.renorm(x, 2, 0, 100.), [X], True),
    "renorm_method": (lambda L, x: x.renorm(2, -1, 1.), [X], True),
    "sum_to_size": (lambda L, x: x.sum_to_size(1, 4), [X], True),
    "sum_to_size_tuple": (lambda L, x: x.sum_to_size((3, 1)), [X], True),
    "sum_to_size_lead": (lambda L, x: x.sum_to_size(4), [X], True),
    "sum_to_size_lead_1": (lambda L, x: x.sum_to_size(1), [X], True),
    "sum_to_size_same": (lambda L, x: (x * 1).sum_to_size(3, 4), [X], True),
    "fill_diagonal": (lambda L, x: (x * 1).fill_diagonal_(0.5), [X, X.T, TALL], True),
    "fill_diagonal_wrap": (lambda L, x: (x * 1).fill_diagonal_(-1., wrap=True), [X, TALL],
                           True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    fn, inputs, differentiable = CASES[name]
    for x in inputs:
        compare(fn, x, backward=differentiable, grad_rtol=1e-4, grad_atol=1e-5)
        compare(fn, x.astype(np.float64), backward=differentiable, rtol=1e-12, atol=1e-12)


# (cdist of a point with itself: the distance 0 has no derivative, torch's convention is 0)
NO_FD = {"cdist_self"}


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][2]])
def test_finite_differences_and_name(name):
    fn, inputs, _ = CASES[name]
    x = inputs[0].astype(np.float64)
    if name not in NO_FD:
        gradcheck_fd(fn, x)
    names = [fn(L, L.tensor(x, requires_grad=True)).grad_fn for L in (gradstep, torch)]
    assert (names[0] is None) == (names[1] is None)
    if names[1] is not None:
        assert names[0].name() == names[1].name()


INTS = np.array([[1, 2, 3], [4, -5, 6], [0, 2, 1]])


@pytest.mark.parametrize("fn", [
    lambda L, x: L.block_diag(x, x[0]), lambda L, x: L.cartesian_prod(x[0], x[1]),
    lambda L, x: L.combinations(x[0], 2), lambda L, x: L.cross(x, x.flip(0), dim=1),
    lambda L, x: L.vander(x[0]), lambda L, x: L.vander(x[0].int(), 4),
    lambda L, x: L.vander(x[0] > 1), lambda L, x: L.trapezoid(x),
    lambda L, x: L.trapezoid(x, dx=0.5), lambda L, x: x.sum_to_size(1, 3),
    lambda L, x: (x * 1).fill_diagonal_(2.7), lambda L, x: (x > 0).fill_diagonal_(False),
    lambda L, x: L.clone(x), lambda L, x: L.detach(x),
    lambda L, x: L.zeros(2, 2, 2).fill_diagonal_(1),
])
def test_integer_and_bool_inputs(fn):
    compare(fn, INTS, requires_grad=False)


def test_dtype_queries():
    g, t = gradstep, torch
    for a, b in ((lambda L: L.tensor([1.]), lambda L: L.tensor([1])),
                 (lambda L: L.tensor([1]), lambda L: 2.5), (lambda L: 2, lambda L: 2.5),
                 (lambda L: True, lambda L: L.tensor([1])),
                 (lambda L: L.tensor(1.), lambda L: L.tensor([1], dtype=L.int8)),
                 (lambda L: L.tensor([1], dtype=L.uint8), lambda L: L.tensor([1], dtype=L.int8)),
                 (lambda L: L.tensor([1], dtype=L.float16), lambda L: 1e10)):
        assert str(g.result_type(a(g), b(g))) == str(t.result_type(a(t), b(t)))
    names = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]
    for f in names:
        for to in names:
            assert g.can_cast(getattr(g, f), getattr(g, to)) == \
                t.can_cast(getattr(t, f), getattr(t, to)), (f, to)


def test_predicates():
    for a in ([0.], 1.5, [3], NAN, [True], [[0]]):
        assert gradstep.is_nonzero(gradstep.tensor(a)) == torch.is_nonzero(torch.tensor(a))
        assert gradstep.tensor(a).is_nonzero() == torch.tensor(a).is_nonzero()
    x = gradstep.ones(2, 3)
    assert gradstep.is_same_size(x, x * 2) and not gradstep.is_same_size(x, x.t())
    assert x.is_same_size(gradstep.zeros(2, 3)) and not x.is_same_size(gradstep.zeros(6))


def test_scalar_tensor():
    for args, kwargs in (((3,), {}), ((2.5,), {"dtype": "float64"}), ((True,), {}),
                         ((1.,), {"requires_grad": True}), ((7,), {"dtype": "int64"})):
        results = []
        for L in (gradstep, torch):
            kw = {k: getattr(L, v) if k == "dtype" else v for k, v in kwargs.items()}
            results.append(L.scalar_tensor(*args, **kw))
        assert_same(results[0].detach(), results[1].detach())
        assert results[0].requires_grad == results[1].requires_grad


def test_asarray():
    for obj in ([1, 2], [1., 2.], 3.5, [[True, False]], np.array([1, 2], np.int32)):
        assert_same(gradstep.asarray(obj), torch.asarray(obj))
    assert_same(gradstep.asarray([1, 2], dtype=gradstep.float64),
                torch.asarray([1, 2], dtype=torch.float64))
    a = np.array([1., 2.])
    g = gradstep.asarray(a)
    a[0] = 5.
    assert g.tolist() == [5., 2.]  # shares the array's memory, as torch does
    assert gradstep.asarray(a, copy=True).tolist() == [5., 2.]
    x = gradstep.tensor([1., 2.])
    assert gradstep.asarray(x) is x
    assert gradstep.asarray(x, copy=True) is not x
    assert gradstep.asarray(x, dtype=gradstep.float64).dtype == gradstep.float64
    r = gradstep.asarray([1., 2.], requires_grad=True)
    assert r.requires_grad and r.is_leaf
    for L in (gradstep, torch):
        leaf = L.tensor([1., 2.], requires_grad=True)
        with pytest.warns(UserWarning, match="unspecified requires_grad"):
            assert L.asarray(leaf) is leaf
        assert L.asarray(leaf, dtype=L.float64).grad_fn.name() == "ToCopyBackward0"
        assert L.asarray(leaf, copy=True).grad_fn.name() == "CloneBackward0"
        assert not L.asarray(leaf, requires_grad=False).requires_grad


def test_block_diag_empty_and_zero_dim():
    assert_same(gradstep.block_diag(), torch.block_diag())
    assert_same(gradstep.block_diag(gradstep.tensor(2.)), torch.block_diag(torch.tensor(2.)))
    assert_same(gradstep.block_diag(gradstep.zeros(0, 2), gradstep.ones(1)),
                torch.block_diag(torch.zeros(0, 2), torch.ones(1)))


def test_cross_without_dim_warns_once_and_takes_first_dim_of_3():
    x = np.arange(18.).reshape(3, 2, 3).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda L, x: L.cross(x, x.flip(0)), x)
        compare(lambda L, x: L.cross(x.permute(1, 0, 2), x.permute(1, 0, 2) + 1), x)


def test_fill_diagonal_in_place_and_versions():
    for L in (gradstep, torch):
        t = L.zeros(3, 3)
        assert t.fill_diagonal_(2.) is t
        assert t._version == 1
        assert t.diagonal().tolist() == [2., 2., 2.]
    assert_same(gradstep.zeros(3, 3, 3).fill_diagonal_(1), torch.zeros(3, 3, 3).fill_diagonal_(1))
    assert_same(gradstep.zeros(4, 2).fill_diagonal_(1, wrap=True),
                torch.zeros(4, 2).fill_diagonal_(1, wrap=True))
    assert_same(gradstep.zeros(3, 2).fill_diagonal_(1, wrap=True),
                torch.zeros(3, 2).fill_diagonal_(1, wrap=True))
    for make in (lambda L: L.zeros(4, 9).t(), lambda L: L.zeros(3, 8)[:, ::2],
                 lambda L: L.zeros(3, 3, 3).permute(2, 0, 1)):
        assert_same(make(gradstep).fill_diagonal_(2.), make(torch).fill_diagonal_(2.))
        assert_same(make(gradstep).fill_diagonal_(2., wrap=True),
                    make(torch).fill_diagonal_(2., wrap=True))


def test_renorm_in_place():
    for L in (gradstep, torch):
        t = L.tensor(X)
        assert t.renorm_(2, 0, 1.) is t
    assert_same(gradstep.tensor(X).renorm_(2, 0, 1.), torch.tensor(X).renorm_(2, 0, 1.))


def test_vander_gradient_by_finite_differences():
    for fn in (lambda L, x: L.vander(x), lambda L, x: L.vander(x, 5, increasing=True),
               lambda L, x: L.vander(x * x, 3)):
        gradcheck_fd(fn, np.array([0.5, -1.5, 2., 0.]))


def _pairwise(L, a, b, p):
    """cdist written with elementwise ops: torch has no double backward for its cdist."""
    d = (a.unsqueeze(1) - b.unsqueeze(0)).abs()
    return (d ** p).sum(-1) ** (1 / p) if L is torch else L.cdist(a, b, p=p)


SECOND = {
    "cdist": lambda L, x: _pairwise(L, x.view(2, 2), x.view(2, 2).flip(0) * 0.5 + 1.1, 2),
    "cdist_p3": lambda L, x: _pairwise(L, x.view(2, 2), x.view(2, 2).flip(0) * 0.5 + 1, 3),
    "cross": lambda L, x: L.cross(x[:3], x[1:] * x[1:], dim=0),
    "renorm": lambda L, x: L.renorm(x.view(2, 2), 2, 0, 0.5),
    "trapezoid": lambda L, x: L.trapezoid(x * x, x.detach()),
    "block_diag": lambda L, x: L.block_diag(x * x, x[:2]) * 2,
    "combinations": lambda L, x: L.combinations(x * x).prod(1),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_double_backward(name):
    a = np.array([0.3, -0.7, 1.2, 2.0], np.float64)
    results = []
    for L in (gradstep, torch):
        x = L.tensor(a, requires_grad=True)
        out = SECOND[name](L, x)
        w = L.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        g, = L.autograd.grad((out * w).sum(), x, create_graph=True)
        h, = L.autograd.grad((g * L.tensor([1.0, -2.0, 0.5, 3.0])).sum(), x)
        results.append((g.detach(), h))
    assert_same(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])


def _raises(fn):
    try:
        fn(torch)
    except Exception as e:  # noqa: BLE001
        expected = e
    else:
        raise AssertionError("torch did not raise")
    with pytest.raises(type(expected), match=re.escape(str(expected))):
        fn(gradstep)


T = lambda L: L.tensor(X)  # noqa: E731

ERRORS = {
    "clone_list": lambda L: L.clone([1]),
    "result_type_list": lambda L: L.result_type([1], 2),
    "can_cast_int": lambda L: L.can_cast(1, L.int32),
    "is_nonzero_many": lambda L: L.is_nonzero(L.tensor([1, 2])),
    "is_nonzero_empty": lambda L: L.is_nonzero(L.tensor([])),
    "is_same_size_number": lambda L: L.is_same_size(T(L), 1),
    "block_diag_3d": lambda L: L.block_diag(L.zeros(2, 2, 2)),
    "block_diag_number": lambda L: L.block_diag(L.ones(2), 3),
    "cartesian_prod_2d": lambda L: L.cartesian_prod(T(L)),
    "cartesian_prod_dtypes": lambda L: L.cartesian_prod(L.tensor([1]), L.tensor([1.5])),
    "cartesian_prod_none": lambda L: L.cartesian_prod(),
    "combinations_2d": lambda L: L.combinations(T(L)),
    "combinations_negative": lambda L: L.combinations(L.tensor([1, 2]), -1),
    "cdist_columns": lambda L: L.cdist(T(L), L.zeros(2, 5)),
    "cdist_int": lambda L: L.cdist(L.tensor([[1]]), L.tensor([[1]])),
    "cdist_1d": lambda L: L.cdist(L.ones(3), L.ones(3)),
    "cdist_negative_p": lambda L: L.cdist(T(L), T(L), p=-1),
    "cdist_dtypes": lambda L: L.cdist(T(L), T(L).double()),
    "cdist_mode": lambda L: L.cdist(T(L), T(L), compute_mode="fast"),
    "cross_length": lambda L: L.cross(T(L), T(L), dim=1),
    "cross_no_3": lambda L: L.cross(L.ones(2, 2), L.ones(2, 2)),
    "cross_dtypes": lambda L: L.cross(L.ones(3), L.ones(3, dtype=L.int64), dim=0),
    "vander_2d": lambda L: L.vander(T(L)),
    "vander_negative": lambda L: L.vander(L.ones(3), N=-1),
    "vander_float_n": lambda L: L.vander(L.ones(3), N=1.5),
    "trapezoid_0d": lambda L: L.trapezoid(L.tensor(1.)),
    "trapezoid_x_length": lambda L: L.trapezoid(T(L), L.tensor([0., 1.])),
    "trapezoid_x_and_dx": lambda L: L.trapezoid(L.ones(3), dx=1, x=L.ones(3)),
    "renorm_1d": lambda L: L.renorm(L.ones(3), 2, 0, 1),
    "renorm_0d": lambda L: L.renorm(L.tensor(1.), 2, 0, 1),
    "renorm_p": lambda L: L.renorm(T(L), -1, 0, 1),
    "renorm_maxnorm": lambda L: L.renorm(T(L), 2, 0, -1),
    "renorm_int": lambda L: L.renorm(L.ones(2, 2, dtype=L.int64), 2, 0, 1),
    "sum_to_size": lambda L: T(L).sum_to_size(3, 3),
    "sum_to_size_more_dims": lambda L: T(L).sum_to_size(1, 3, 4),
    "fill_diagonal_1d": lambda L: L.zeros(3).fill_diagonal_(1),
    "fill_diagonal_unequal": lambda L: L.zeros(2, 3, 2).fill_diagonal_(1),
    "fill_diagonal_leaf": lambda L: L.zeros(2, 2, requires_grad=True).fill_diagonal_(1),
}


@pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim")
@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    _raises(ERRORS[name])


# ----- edge cases a differential fuzzer found (dist, quantile, cdist, asarray, ...) -----

def _same_outcome(fn):
    """fn(lib) gives torch's result, or raises torch's error type and message."""
    try:
        expected = fn(torch)
    except Exception as error:  # noqa: BLE001
        with pytest.raises(type(error), match=re.escape(str(error))):
            fn(gradstep)
        return
    assert_same(fn(gradstep), expected)


_EMPTY_F = lambda L: L.tensor([])  # noqa: E731
FUZZ_EDGES = {
    "sum_to_size_scalar": lambda L: L.arange(12.).reshape(3, 4).sum_to_size(()),
    "sum_to_size_0d": lambda L: L.tensor(5.).sum_to_size(()),
    "sum_to_size_1": lambda L: L.arange(12.).reshape(3, 4).sum_to_size(1),
    "cdist_mm_empty_rows": lambda L: L.cdist(L.zeros(0, 4), L.zeros(3, 4),
                                             compute_mode="use_mm_for_euclid_dist"),
    "cdist_mm_empty_cols": lambda L: L.cdist(L.zeros(30, 0), L.zeros(2, 0)),
    "cdist_mm_empty_batch": lambda L: L.cdist(L.zeros(0, 2, 4), L.zeros(3, 4),
                                              compute_mode="use_mm_for_euclid_dist"),
    "asarray_np_scalar_int": lambda L: L.asarray(np.float32(2.7), dtype=L.int32),
    "asarray_np_scalar_uint8": lambda L: L.asarray(np.float64(-2.7), dtype=L.uint8),
    "asarray_np_bool_int": lambda L: L.asarray(np.bool_(True), dtype=L.int64),
    "asarray_alias_tensor": lambda L: L.asarray(L.ones(2), dtype=L.int64, copy=False),
    "asarray_alias_ndarray": lambda L: L.asarray(np.ones(2, np.int32), dtype=L.int64,
                                                 copy=False),
    "asarray_alias_np_scalar": lambda L: L.asarray(np.float32(3.5), copy=False),
    "asarray_alias_list": lambda L: L.asarray([1, 2], copy=False),
    "renorm_int_maxnorm": lambda L: L.renorm(L.ones(3, 3), 2, 0, -1.),
    "renorm_big_maxnorm": lambda L: L.renorm(L.ones(3, 3), 2, 0, -2.5e10),
    "dist_empty_inf": lambda L: L.dist(_EMPTY_F(L), _EMPTY_F(L), math.inf),
    "dist_empty_neg_inf": lambda L: L.dist(_EMPTY_F(L), _EMPTY_F(L), -math.inf),
    "dist_empty_neg": lambda L: L.dist(_EMPTY_F(L), _EMPTY_F(L), -1),
    "dist_empty_neg_half": lambda L: L.dist(L.zeros(0, 2), L.zeros(2), -0.5),
    "dist_empty_two": lambda L: L.dist(_EMPTY_F(L), _EMPTY_F(L), 2),
}
for _fn_name, _fn in (("quantile", "quantile"), ("nanquantile", "nanquantile")):
    FUZZ_EDGES.update({
        f"{_fn_name}_order_q_first": lambda L, f=_fn: getattr(L, f)(_EMPTY_F(L), 1.5,
                                                                    interpolation="bad"),
        f"{_fn_name}_order_interp": lambda L, f=_fn: getattr(L, f)(_EMPTY_F(L), 0.5,
                                                                   interpolation="bad"),
        f"{_fn_name}_int_empty": lambda L, f=_fn: getattr(L, f)(L.tensor([], dtype=L.long), 0.5),
        f"{_fn_name}_int_interp": lambda L, f=_fn: getattr(L, f)(L.tensor([1, 2]), 0.5,
                                                                 interpolation="bad"),
        f"{_fn_name}_int_q": lambda L, f=_fn: getattr(L, f)(L.tensor([1, 2]), 1.5),
        f"{_fn_name}_q_dtype_int": lambda L, f=_fn: getattr(L, f)(
            L.tensor([1, 2]), L.zeros(1, dtype=L.float64)),
        f"{_fn_name}_q_2d_empty": lambda L, f=_fn: getattr(L, f)(_EMPTY_F(L), L.zeros(1, 1)),
        f"{_fn_name}_q_range_interp": lambda L, f=_fn: getattr(L, f)(
            L.tensor([1., 2.]), L.tensor([2.]), interpolation="bad"),
        f"{_fn_name}_bad_dim_empty": lambda L, f=_fn: getattr(L, f)(_EMPTY_F(L), 0.5, dim=3),
    })


@pytest.mark.parametrize("name", FUZZ_EDGES)
def test_fuzz_edges_match_torch(name):
    _same_outcome(FUZZ_EDGES[name])


def test_cdist_mm_empty_records_cdist_backward():
    x = gradstep.zeros(0, 4, requires_grad=True)
    out = gradstep.cdist(x, gradstep.zeros(3, 4), compute_mode="use_mm_for_euclid_dist")
    assert out.grad_fn.name() == "CdistBackward0"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [0.5, 1, 1.5, 2, 3, -1, -0.5, math.inf, -math.inf])
def test_dist_gradient_at_nan_inf_and_zero_matches_torch(p, dtype):
    """torch's norm backward: sgn(nan) = 0 for p = 1, no maxima (0) for +-inf when the norm
    is NaN, zero elements masked for p < 1, a zero norm masked for p >= 1."""
    values = [0., 1., -2., NAN, math.inf, 1e-20]
    for a in values:
        for b in values:
            def run(L):
                x = L.tensor([a, b], dtype=getattr(L, dtype), requires_grad=True)
                out = L.dist(x, L.zeros(2, dtype=getattr(L, dtype)), p)
                out.backward()
                return out.detach(), x.grad
            g, t = run(gradstep), run(torch)
            assert_same(g[0], t[0], rtol=1e-5, what=f"dist {a, b}")
            assert_same(g[1], t[1], rtol=1e-5, atol=1e-30, what=f"grad {a, b}")


def test_dist_p0_gives_no_gradient():
    for L in (gradstep, torch):
        x = L.tensor([1., 2.], requires_grad=True)
        L.dist(x, L.zeros(2), 0).backward()
        assert x.grad is None
