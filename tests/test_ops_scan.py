"""cummax, cummin, logcumsumexp, diff, trace, quantile, nanquantile, dist, cov and corrcoef
against torch: values, dtypes, indices, gradients, grad_fn names, edge cases and errors."""
import math
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd

R = np.random.default_rng(2)
NAN, INF = math.nan, math.inf

X = R.standard_normal((3, 5)).astype(np.float32)
TIES = np.array([[1., 3., 3., 2., 3.], [0., 0., -1., 5., 5.]], np.float32)
WITH_NAN = np.array([[1., NAN, 0., NAN, 4.], [2., 1.5, 3., -1., 0.5]], np.float32)
X3 = R.standard_normal((2, 3, 4)).astype(np.float32)

# name -> (function of (lib, x), inputs, differentiable)
CASES = {
    "cummax": (lambda L, x: L.cummax(x, 1), [X, TIES, WITH_NAN, X3], True),
    "cummax_dim0": (lambda L, x: L.cummax(x, dim=0), [X, TIES, X3], True),
    "cummax_neg": (lambda L, x: L.cummax(x, -2), [X3], True),
    "cummin": (lambda L, x: L.cummin(x, 1), [X, TIES, WITH_NAN, X3], True),
    "cummax_method": (lambda L, x: x.cummax(1), [X], True),
    "cummin_method": (lambda L, x: x.cummin(dim=0), [X], True),
    "logcumsumexp": (lambda L, x: L.logcumsumexp(x, 1), [X, X * 100, WITH_NAN, X3], True),
    "logcumsumexp_dim0": (lambda L, x: L.logcumsumexp(x, 0), [X, X3], True),
    "logcumsumexp_inf": (lambda L, x: L.logcumsumexp(x, 0),
                         [np.array([-INF, -INF, 0., INF, 1.], np.float32)], False),
    "logcumsumexp_method": (lambda L, x: x.logcumsumexp(-1), [X], True),
    "diff": (lambda L, x: L.diff(x), [X, X3], True),
    "diff_n2": (lambda L, x: L.diff(x, n=2, dim=0), [X, X3], True),
    "diff_n0": (lambda L, x: L.diff(x, n=0), [X], True),
    "diff_big_n": (lambda L, x: L.diff(x, n=7), [X], True),
    "diff_prepend": (lambda L, x: L.diff(x, prepend=x[:, :2] * 2, append=x[:, -1:]), [X], True),
    "diff_method": (lambda L, x: x.diff(dim=0), [X], True),
    "trace": (lambda L, x: L.trace(x), [X, X[:, :3], np.zeros((0, 3), np.float32)], True),
    "trace_method": (lambda L, x: x.trace(), [X], True),
    "quantile": (lambda L, x: L.quantile(x, 0.3), [X, WITH_NAN], True),
    "quantile_dim": (lambda L, x: L.quantile(x, 0.75, dim=1), [X, TIES, WITH_NAN, X3], True),
    "quantile_keepdim": (lambda L, x: L.quantile(x, 0.5, dim=0, keepdim=True), [X, X3], True),
    "quantile_all_keepdim": (lambda L, x: L.quantile(x, 0.2, keepdim=True), [X3], True),
    "quantile_q_tensor": (lambda L, x: L.quantile(x, L.tensor([0., 0.1, 0.5, 1.], dtype=x.dtype),
                                                  dim=-1), [X, X3], True),
    "quantile_q_0d": (lambda L, x: L.quantile(x, L.tensor(0.4, dtype=x.dtype), dim=1,
                                              keepdim=True), [X], True),
    "quantile_method": (lambda L, x: x.quantile(0.9, 1), [X], True),
    "nanquantile": (lambda L, x: L.nanquantile(x, 0.4, dim=1), [X, WITH_NAN], True),
    "nanquantile_q": (lambda L, x: L.nanquantile(x, L.tensor([0.25, 0.6], dtype=x.dtype)),
                      [WITH_NAN], True),
    "nanquantile_all_nan": (lambda L, x: L.nanquantile(x, 0.5, dim=0),
                            [np.array([[NAN, 1.], [NAN, 2.]], np.float32)], False),
    "dist": (lambda L, x: L.dist(x, x.flip(0) * 0.5), [X, X3], True),
    "dist_broadcast": (lambda L, x: L.dist(x, x[0]), [X], True),
    "dist_p1": (lambda L, x: L.dist(x, x[1] * 2, 1), [X], True),
    "dist_p3": (lambda L, x: L.dist(x, x.flip(1), 3), [X], True),
    "dist_half": (lambda L, x: L.dist(x, x.flip(1) * 2, 0.5), [X], True),
    "dist_inf": (lambda L, x: L.dist(x, x.flip(0), math.inf), [X, TIES], True),
    "dist_neg_inf": (lambda L, x: L.dist(x, x * 2 + 1, -math.inf), [X], True),
    "dist_zero": (lambda L, x: L.dist(x, x * 2, 0), [X, TIES], False),
    "dist_method": (lambda L, x: x.dist(x * 0.5), [X], True),
    "cov": (lambda L, x: L.cov(x), [X, X[:1], X[0]], True),
    "cov_correction": (lambda L, x: L.cov(x, correction=0), [X], True),
    "cov_fweights": (lambda L, x: L.cov(x, fweights=L.tensor([1, 2, 0, 3, 1])), [X], True),
    "cov_aweights": (lambda L, x: L.cov(x, aweights=L.tensor([0.5, 2., 1., 1., 0.1])), [X], True),
    "cov_both": (lambda L, x: L.cov(x, correction=2, fweights=L.tensor([1, 2, 1, 3, 1]),
                                    aweights=L.tensor([0.5, 2., 1., 1., 0.1])), [X], True),
    "cov_method": (lambda L, x: x.cov(), [X], True),
    "corrcoef": (lambda L, x: L.corrcoef(x), [X, X[0]], True),
    "corrcoef_method": (lambda L, x: x.corrcoef(), [X], True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    fn, inputs, differentiable = CASES[name]
    for x in inputs:
        compare(fn, x, backward=differentiable, grad_rtol=1e-4, grad_atol=1e-5)
        compare(fn, x.astype(np.float64), backward=differentiable, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in CASES if CASES[n][2]])
def test_finite_differences_and_name(name):
    fn, inputs, _ = CASES[name]
    x = inputs[0].astype(np.float64)
    gradcheck_fd(lambda L, x: _values(fn(L, x)), x)
    g = _values(fn(gradstep, gradstep.tensor(x, requires_grad=True)))
    t = _values(fn(torch, torch.tensor(x, requires_grad=True)))
    assert g.grad_fn.name() == t.grad_fn.name()


def _values(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("fn", [
    lambda L, x: L.cummax(x, 0), lambda L, x: L.cummin(x, -1), lambda L, x: L.logcumsumexp(x, 0),
    lambda L, x: L.quantile(x, 0.5), lambda L, x: L.quantile(x, 0.5, dim=0, keepdim=True),
    lambda L, x: L.nanquantile(x, 0.5, 0), lambda L, x: L.dist(x, x * 2), lambda L, x: L.cov(x),
    lambda L, x: L.corrcoef(x),
])
def test_zero_dim(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(fn, np.array(1.5, np.float32))
        compare(fn, np.array(1.5))


@pytest.mark.parametrize("fn", [
    lambda L, x: L.cummax(x, 0), lambda L, x: L.cummin(x, 1), lambda L, x: L.logcumsumexp(x, 1),
    lambda L, x: L.diff(x, dim=0), lambda L, x: L.diff(x, dim=1), lambda L, x: L.trace(x),
])
def test_empty(fn):
    compare(fn, np.zeros((0, 3), np.float32))


INTS = np.array([[1, 3, 3, 0], [5, -1, 5, 7]])


@pytest.mark.parametrize("fn", [
    lambda L, x: L.cummax(x, 1), lambda L, x: L.cummin(x, 0), lambda L, x: L.diff(x),
    lambda L, x: L.diff(x, dim=0, prepend=x), lambda L, x: L.trace(x), lambda L, x: L.cov(x),
    lambda L, x: L.corrcoef(x), lambda L, x: L.cummax(x > 2, 1), lambda L, x: L.diff(x > 2),
    lambda L, x: L.trace(x.int()), lambda L, x: L.trace(x.to(L.uint8)),
    lambda L, x: L.quantile(x.double(), 0.5, dim=1, interpolation="lower"),
])
def test_integer_and_bool_inputs(fn):
    compare(fn, INTS, requires_grad=False)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_interpolation(interpolation):
    q = np.array([0., 0.125, 0.25, 0.5, 0.625, 0.875, 1.], np.float32)
    for x in (X, TIES, WITH_NAN):
        for name in ("quantile", "nanquantile"):
            compare(lambda L, x: getattr(L, name)(x, L.tensor(q), dim=1,
                                                   interpolation=interpolation), x)
            compare(lambda L, x: getattr(L, name)(x.double(), 0.375, interpolation=interpolation),
                    x)


def test_cummax_indices_and_return_type():
    g = gradstep.cummax(gradstep.tensor(TIES), 1)
    t = torch.cummax(torch.tensor(TIES), 1)
    assert type(g).__name__ == "cummax" and g._fields == ("values", "indices")
    assert repr(g).startswith("torch.return_types.cummax(")
    assert isinstance(g, gradstep.return_types.cummax)
    assert isinstance(gradstep.cummin(gradstep.tensor(X), 0), gradstep.return_types.cummin)
    assert_same(g.indices, t.indices)
    assert_same(g.values, t.values)
    g = gradstep.cummin(gradstep.tensor(WITH_NAN), 1)
    t = torch.cummin(torch.tensor(WITH_NAN), 1)
    assert_same(tuple(g), tuple(t))


def test_cov_warns_without_degrees_of_freedom():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        g = gradstep.cov(gradstep.tensor([[1., 2.]]), correction=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.cov(torch.tensor([[1., 2.]]), correction=2)
    assert_same(g, t)


SECOND = {
    "cummax": lambda L, x: L.cummax(x * x, 0).values,
    "logcumsumexp": lambda L, x: L.logcumsumexp(x, 0),
    "diff": lambda L, x: L.diff(x * x),
    "quantile": lambda L, x: L.quantile(x * x, L.tensor([0.3, 0.7], dtype=L.float64)),
    "dist": lambda L, x: L.dist(x, x.flip(0)) + L.dist(x, x * 0.5, 3),
    "cov_corrcoef": lambda L, x: L.cov(L.stack([x, x * x])).sum() + L.corrcoef(
        L.stack([x, x.exp()])).sum(),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_double_backward(name):
    a = np.array([0.3, -0.7, 1.2, 2.0], np.float64)
    w = np.array([1.0, -2.0, 0.5, 3.0])
    results = []
    for L in (gradstep, torch):
        x = L.tensor(a, requires_grad=True)
        g, = L.autograd.grad(SECOND[name](L, x).sum(), x, create_graph=True)
        h, = L.autograd.grad((g * L.tensor(w)).sum(), x)
        results.append((g.detach(), h))
    assert_same(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])


def test_out_arguments():
    x = np.array([[1., 2., 4.], [3., 0., 1.]], np.float32)
    for name, call in (("logcumsumexp", lambda L, o: L.logcumsumexp(L.tensor(x), 1, out=o)),
                       ("quantile", lambda L, o: L.quantile(L.tensor(x), 0.5, 1, out=o))):
        outs = [L.empty(0) for L in (gradstep, torch)]
        results = [call(L, o) for L, o in zip((gradstep, torch), outs)]
        assert results[0] is outs[0], name
        assert_same(outs[0], outs[1])


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
    "cummax_no_dim": lambda L: L.cummax(T(L)),
    "cummax_bad_dim": lambda L: L.cummax(T(L), 2),
    "logcumsumexp_int": lambda L: L.logcumsumexp(L.tensor([1, 2]), 0),
    "logcumsumexp_bool": lambda L: L.logcumsumexp(L.tensor([True]), 0),
    "logcumsumexp_no_dim": lambda L: L.logcumsumexp(T(L)),
    "diff_0d": lambda L: L.diff(L.tensor(1.)),
    "diff_negative_n": lambda L: L.diff(T(L), n=-1),
    "diff_float_n": lambda L: L.diff(T(L), n=1.0),
    "diff_prepend_ndim": lambda L: L.diff(T(L), prepend=L.ones(5)),
    "diff_bad_dim": lambda L: L.diff(T(L), dim=3),
    "trace_3d": lambda L: L.trace(L.zeros(2, 2, 2)),
    "trace_1d": lambda L: L.trace(L.zeros(2)),
    "trace_bool": lambda L: L.trace(L.ones(2, 2, dtype=L.bool)),
    "quantile_int": lambda L: L.quantile(L.tensor([1, 2]), 0.5),
    "quantile_q_range": lambda L: L.quantile(T(L), 1.5),
    "quantile_q_negative": lambda L: L.quantile(T(L), -0.1),
    "quantile_q_tensor_range": lambda L: L.quantile(T(L), L.tensor([0.5, 1.5])),
    "quantile_q_dtype": lambda L: L.quantile(T(L), L.tensor([0.5], dtype=L.float64)),
    "quantile_q_2d": lambda L: L.quantile(T(L), L.tensor([[0.5]])),
    "quantile_empty": lambda L: L.quantile(L.zeros(0), 0.5),
    "quantile_interpolation": lambda L: L.quantile(T(L), 0.5, interpolation="cubic"),
    "quantile_q_str": lambda L: L.quantile(T(L), "a"),
    "quantile_bad_dim": lambda L: L.quantile(T(L), 0.5, dim=2),
    "nanquantile_int": lambda L: L.nanquantile(L.tensor([1, 2]), 0.5),
    "dist_int": lambda L: L.dist(L.tensor([1, 2]), L.tensor([1, 2])),
    "dist_broadcast": lambda L: L.dist(T(L), L.ones(2)),
    "dist_p_str": lambda L: L.dist(T(L), T(L), "fro"),
    "cov_3d": lambda L: L.cov(L.zeros(2, 2, 2)),
    "cov_fweights_float": lambda L: L.cov(T(L), fweights=L.ones(5)),
    "cov_fweights_numel": lambda L: L.cov(T(L), fweights=L.tensor([1, 2])),
    "cov_fweights_2d": lambda L: L.cov(T(L), fweights=L.ones(1, 5, dtype=L.int64)),
    "cov_fweights_negative": lambda L: L.cov(T(L), fweights=L.tensor([1, -2, 1, 1, 1])),
    "cov_aweights_int": lambda L: L.cov(T(L), aweights=L.tensor([1, 2, 1, 1, 1])),
    "cov_aweights_negative": lambda L: L.cov(T(L), aweights=L.tensor([1., -2., 1., 1., 1.])),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    _raises(ERRORS[name])


@pytest.mark.parametrize("n", [0, 1, 2])
def test_diff_with_prepend_and_append_matches_torch(n):
    # n = 0 returns the input itself: torch does not join prepend and append then
    outs = []
    for lib in (torch, gradstep):
        x = lib.tensor([1., 2., 4.], requires_grad=True)
        y = lib.diff(x, n=n, prepend=lib.tensor([0.]), append=lib.tensor([9.]))
        y.sum().backward()
        outs.append((y.tolist(), x.grad.tolist()))
    assert outs[0] == outs[1]


# ----- cummax / cummin edge cases: torch checks no dim for an empty input -----

def _same_outcome(fn):
    try:
        expected = fn(torch)
    except Exception as error:  # noqa: BLE001
        with pytest.raises(type(error), match=re.escape(str(error))):
            fn(gradstep)
        return
    assert_same(fn(gradstep), expected)


@pytest.mark.parametrize("op", ["cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((0,), 1), ((0,), -3), ((0, 2), 5), ((2, 0), -3),
                                       ((), 5), ((), -2), ((), 1), ((), -1), ((3,), 2)])
def test_cum_extremum_dims_match_torch(op, shape, dim):
    _same_outcome(lambda L: tuple(getattr(L, op)(L.ones(shape), dim)))
