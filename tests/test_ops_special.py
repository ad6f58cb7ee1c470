"""Special and more elementwise functions against torch: values, dtypes, gradients, grad_fn
names, edge values, errors, in-place and out=."""
import math
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd

R = np.random.default_rng(1)
NAN, INF = math.nan, math.inf


def uniform(lo, hi, *shape, dtype=np.float32):
    return R.uniform(lo, hi, shape).astype(dtype)


ANY = uniform(-2, 2, 3, 4)
POS = uniform(0.1, 3, 3, 4)
BIG = uniform(1.1, 4, 3, 4)
UNIT = uniform(-0.9, 0.9, 3, 4)
GAMMA = uniform(-3.9, 6, 3, 4)

# name -> (function of (lib, x), typical input, edge values, differentiable)
UNARY = {
    "asinh": (lambda L, x: L.asinh(x), ANY, [-1e10, -1., 0., -0., 1e-20, 1e10, INF, -INF, NAN]),
    "arcsinh": (lambda L, x: L.arcsinh(x), ANY, [0.5]),
    "acosh": (lambda L, x: L.acosh(x), BIG, [0.5, 1., 2., 1e10, INF, NAN]),
    "arccosh": (lambda L, x: L.arccosh(x), BIG, [1.5]),
    "atanh": (lambda L, x: L.atanh(x), UNIT, [-1., -0.5, 0., 1e-10, 1., 2., NAN]),
    "arctanh": (lambda L, x: L.arctanh(x), UNIT, [0.5]),
    "erfc": (lambda L, x: L.erfc(x), ANY, [-10., -1., 0., 1e-10, 0.5, 3., 10., 30., INF, -INF,
                                           NAN]),
    "erfinv": (lambda L, x: L.erfinv(x), UNIT, [-1., -0.99, -0.5, 0., -0., 1e-10, 0.3, 0.9,
                                                0.999, 1., 1.5, NAN]),
    "lgamma": (lambda L, x: L.lgamma(x), GAMMA, [-2.5, -1., -0.5, 0., 1e-10, 0.5, 1., 2., 3.5,
                                                 100., 1e10, INF, -INF, NAN]),
    "digamma": (lambda L, x: L.digamma(x), POS * 2, [-2.5, -0.5, 0., -0., 1e-6, 0.5, 1., 3.,
                                                   30., 1e10, INF, NAN]),
    "polygamma1": (lambda L, x: L.polygamma(1, x), POS, [0.5, 1., 3., 30., 1e5]),
    "polygamma2": (lambda L, x: L.polygamma(2, x), POS, [0.5, 1., 3., 30.]),
    "polygamma0": (lambda L, x: L.polygamma(0, x), POS, [0.5, 1., 3.]),
    "deg2rad": (lambda L, x: L.deg2rad(x), ANY * 90, [0., -180., 360., 1e30, INF, NAN]),
    "rad2deg": (lambda L, x: L.rad2deg(x), ANY, [0., -math.pi, 1e30, INF, NAN]),
    "sinc": (lambda L, x: L.sinc(x), ANY, [0., -0., 1., -2., 0.5, 1e-10, 1e10, INF, NAN]),
    "sgn": (lambda L, x: L.sgn(x), ANY, [-2., 0., -0., 3., NAN, INF, -INF]),
    "method_erfinv": (lambda L, x: x.erfinv(), UNIT, [0.]),
    "method_lgamma": (lambda L, x: x.lgamma(), POS, [1.]),
    "method_polygamma": (lambda L, x: x.polygamma(1), POS, [1.]),
    "method_sinc": (lambda L, x: x.sinc(), ANY, [0.]),
}

# torch's trigamma (polygamma(1, .), also digamma's gradient) is accurate to about 1e-9
# relative; gradstep's to about 1e-15: compared at that looser tolerance.
LOOSE = {"polygamma1", "method_polygamma"}
NOT_DIFFERENTIABLE = {"sgn"}


def _tol(name, dtype):
    if name in LOOSE:
        return dict(rtol=1e-8, atol=1e-12)
    return dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else {}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_matches_torch(name):
    fn, typical, edge = UNARY[name]
    if name in NOT_DIFFERENTIABLE:  # torch's gradient is a ZeroTensor, which numpy cannot read
        typical = typical.astype(np.float64)
        compare(lambda L, x: fn(L, x.detach()), typical)
        compare(lambda L, x: fn(L, x.detach()), np.array(edge, dtype=np.float64))
        return
    grad_tol = dict(grad_rtol=1e-7, grad_atol=1e-10)
    compare(fn, typical)
    compare(fn, np.array(edge, dtype=np.float32))
    compare(fn, np.array(typical[0, 1]))
    compare(fn, np.zeros((0, 3), np.float32))
    compare(fn, typical.astype(np.float64), **_tol(name, np.float64), **grad_tol)
    compare(fn, np.array(edge, dtype=np.float64), **_tol(name, np.float64), **grad_tol)
    compare(fn, typical.astype(np.float16), backward=False)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_integer_and_bool_input(name):
    fn = UNARY[name][0]
    # (torch's trigamma at the negative integers is a rounding artefact: 1.7e16 for -3)
    ints = [3, 0, 2, 5] if "polygamma" in name else [-3, 0, 2, 5]
    compare(fn, np.array(ints, dtype=np.int64), **_tol(name, np.float32))
    compare(fn, np.array([[1, 2]], dtype=np.int32))
    compare(fn, np.array([True, False]))


@pytest.mark.parametrize("name", [n for n in UNARY if n not in NOT_DIFFERENTIABLE])
def test_unary_finite_differences(name):
    fn, typical, _ = UNARY[name][:3]
    gradcheck_fd(fn, typical[0, :3].astype(np.float64))


@pytest.mark.parametrize("name", list(UNARY))
def test_grad_fn_name(name):
    fn, typical = UNARY[name][:2]
    names = [fn(L, L.tensor(typical, requires_grad=True)).grad_fn.name()
             for L in (gradstep, torch)]
    assert names[0] == names[1]


def test_special_function_accuracy_float64():
    x = np.concatenate([np.linspace(-9.7, 12, 997), np.geomspace(1e-8, 1e6, 200)])
    compare(lambda L, x: L.erfc(x), x, rtol=1e-12, atol=1e-300, backward=False)
    # lgamma near its roots 1 and 2 is exact to a few 1e-16 absolute (libm's and Python's alike)
    compare(lambda L, x: L.lgamma(x), x, rtol=1e-12, atol=1e-15, backward=False)
    compare(lambda L, x: L.digamma(x), x, rtol=1e-12, atol=1e-14, backward=False)
    # torch's trigamma is accurate to ~1e-9 relative (see LOOSE); higher orders to ~1e-12
    grid = np.concatenate([np.linspace(-9.7, 12, 997), [-1., -2., 0.]])
    for n in (1, 2, 3, 4):
        compare(lambda L, x: L.polygamma(n, x), grid, rtol=1e-8, atol=0, backward=False)
    # the poles, forward only (torch's gradient there is a rounding artefact of sin(pi x))
    poles = np.array([0., -0., -1., -2., -30.])
    for fn in (lambda L, x: L.digamma(x), lambda L, x: L.lgamma(x)):
        compare(fn, poles, backward=False)
        compare(fn, poles.astype(np.float32), backward=False)
    y = np.linspace(-0.995, 0.995, 801)
    compare(lambda L, x: L.erfinv(x), y, rtol=1e-12, atol=1e-15, backward=False)
    compare(lambda L, x: L.erfinv(x), y.astype(np.float32), backward=False)
    compare(lambda L, x: L.lgamma(x), x.astype(np.float32), backward=False)


def test_signbit_and_positive():
    for a in (np.array([-1., 0., -0., 2., NAN, -INF], np.float32), np.array([-3, 0, 4]),
              np.array([True, False]), np.zeros((0, 2)), np.array(-0.)):
        compare(lambda L, x: L.signbit(x), a, requires_grad=False)
        compare(lambda L, x: x.signbit(), a, requires_grad=False)
    for a in (ANY, np.array([-3, 0, 4]), np.array(2.5)):
        g, t = gradstep.tensor(a), torch.tensor(a)
        assert gradstep.positive(g) is g and g.positive() is g
        assert_same(gradstep.positive(g), torch.positive(t))


# ----- binary ops -----

A = uniform(-2, 2, 3, 4)
B = uniform(-2, 2, 3, 4)
PA = uniform(0.1, 3, 3, 4)
ROW = uniform(-2, 2, 4)
PROW = uniform(0.1, 2, 4)
COL = uniform(-2, 2, 3, 1)
ZEROS = (np.array([0., 0., 0., 1., -1., 2., NAN, 0.], np.float32),
         np.array([0., -1., NAN, 0., 2., INF, 1., INF], np.float32))
NANS = (np.array([1., NAN, 3., NAN, 2., -0., INF], np.float32),
        np.array([NAN, 2., 3., NAN, 2., 0., -INF], np.float32))

BINARY = {
    "xlogy": (lambda L, x, y: L.xlogy(x, y), [(A, PA), (A, PROW), (COL, PROW), ZEROS]),
    "xlogy_method": (lambda L, x, y: x.xlogy(y), [(A, PA)]),
    "logaddexp": (lambda L, x, y: L.logaddexp(x, y), [(A, B), (A, ROW), (COL, ROW), NANS,
                                                     (A * 100, B * 100)]),
    "logaddexp2": (lambda L, x, y: L.logaddexp2(x, y), [(A, B), (A, ROW), NANS]),
    "logaddexp_method": (lambda L, x, y: x.logaddexp(y), [(A, B)]),
    "hypot": (lambda L, x, y: L.hypot(x, y), [(A, B), (A, ROW), (COL, ROW)]),
    "hypot_method": (lambda L, x, y: x.hypot(y), [(A, B)]),
    "copysign": (lambda L, x, y: L.copysign(x, y), [(A, B), (A, ROW), ZEROS]),
    "copysign_method": (lambda L, x, y: x.copysign(y), [(A, B)]),
    "fmax": (lambda L, x, y: L.fmax(x, y), [(A, B), (A, ROW), NANS, (A, A)]),
    "fmin": (lambda L, x, y: L.fmin(x, y), [(A, B), (COL, ROW), NANS, (A, A)]),
    "fmax_method": (lambda L, x, y: x.fmax(y), [(A, B)]),
    "float_power": (lambda L, x, y: L.float_power(x, y), [(PA, B), (PA, ROW)]),
    "float_power_method": (lambda L, x, y: x.float_power(y), [(PA, B)]),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_matches_torch(name):
    fn, cases = BINARY[name]
    for x, y in cases:
        compare(fn, x, y)
        compare(fn, x.astype(np.float64), y.astype(np.float64), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_finite_differences_and_name(name):
    fn, cases = BINARY[name]
    x, y = cases[0]
    gradcheck_fd(fn, x[:2, :3], y[:2, :3])
    g = fn(gradstep, gradstep.tensor(x, requires_grad=True), gradstep.tensor(y))
    t = fn(torch, torch.tensor(x, requires_grad=True), torch.tensor(y))
    assert g.grad_fn.name() == t.grad_fn.name()


def test_binary_zero_dim_and_empty():
    for name in BINARY:
        fn = BINARY[name][0]
        compare(fn, np.array(0.5, np.float32), np.array(0.25, np.float32))
        compare(fn, np.float32(1.5) * np.ones((2, 3), np.float32), np.array(0.5, np.float32))
        compare(fn, np.zeros((0, 2), np.float32), np.zeros((1, 2), np.float32))


SCALARS = {
    "xlogy_scalar_other": lambda L, x: L.xlogy(x, 2),
    "xlogy_scalar_self": lambda L, x: L.xlogy(2.5, x),
    "xlogy_scalar_float": lambda L, x: L.xlogy(x, 0.5),
    "copysign_scalar": lambda L, x: L.copysign(x, -1),
    "copysign_scalar_zero": lambda L, x: L.copysign(x, -0.0),
    "float_power_scalar": lambda L, x: L.float_power(x, 2),
    "float_power_base": lambda L, x: L.float_power(2, x),
    "float_power_half": lambda L, x: x.float_power(0.5),
}


@pytest.mark.parametrize("name", list(SCALARS))
def test_scalar_operands(name):
    fn = SCALARS[name]
    compare(fn, PA)
    compare(fn, PA.astype(np.float64))
    compare(fn, np.array([0, 1, 3]), requires_grad=False)
    compare(fn, np.array([True, False]), requires_grad=False)
    gradcheck_fd(fn, PA[0].astype(np.float64))
    g = fn(gradstep, gradstep.tensor(PA, requires_grad=True))
    t = fn(torch, torch.tensor(PA, requires_grad=True))
    assert g.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("fn", [
    lambda L, x, y: L.xlogy(x, y), lambda L, x, y: L.copysign(x, y),
    lambda L, x, y: L.fmax(x, y), lambda L, x, y: L.fmin(x, y),
    lambda L, x, y: L.float_power(x, y),
])
@pytest.mark.parametrize("dtypes", [(np.int64, np.float32), (np.int32, np.int64),
                                    (np.float32, np.float64), (np.bool_, np.int64),
                                    (np.int64, np.int64), (np.float16, np.float32),
                                    (np.bool_, np.bool_)])
def test_binary_type_promotion(fn, dtypes):
    x = np.array([[0, 1, 2, 3]]).astype(dtypes[0])
    y = np.array([[2], [1]]).astype(dtypes[1])
    compare(fn, x, y, requires_grad=False)


def test_heaviside():
    x = np.array([-1.5, 0., -0., 2., NAN, INF], np.float32)
    v = np.array([0.5, 0.25, 0.75, 0.5, 0.5, 0.5], np.float32)
    compare(lambda L, x, v: L.heaviside(x, v), x, v, requires_grad=False)
    compare(lambda L, x, v: x.heaviside(v), x, v[:1], requires_grad=False)
    compare(lambda L, x, v: L.heaviside(x, v), np.array([-2, 0, 3]), np.array([7]),
            requires_grad=False)
    compare(lambda L, x, v: L.heaviside(x, v), np.array([True, False]), np.array(True),
            requires_grad=False)
    for L in (gradstep, torch):
        y = L.heaviside(L.tensor(x, requires_grad=True), L.tensor(v))
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
    _raises(lambda L: L.heaviside(L.tensor([1.], requires_grad=True), L.tensor([0.5])).sum()
            .backward())


# ----- double backward -----

SECOND = {
    "asinh_acosh_atanh": lambda L, x: L.asinh(x) + L.acosh(x + 1) + L.atanh(x * 0.3),
    "erfc_erfinv": lambda L, x: L.erfc(x) + L.erfinv(x * 0.3),
    "lgamma": lambda L, x: L.lgamma(x),
    "digamma": lambda L, x: L.digamma(x),
    "sinc": lambda L, x: L.sinc(x),
    "xlogy": lambda L, x: L.xlogy(x, x + 1) + L.xlogy(2., x),
    "logaddexp": lambda L, x: L.logaddexp(x, x.flip(0)) + L.logaddexp2(x, x * 2),
    "hypot": lambda L, x: L.hypot(x, x.flip(0)),
    "copysign": lambda L, x: L.copysign(x, x - 1) * x,
    "fmax_fmin": lambda L, x: (L.fmax(x, x.flip(0)) + L.fmin(x, x.flip(0))) * x,
    "deg_rad": lambda L, x: L.deg2rad(x) * L.rad2deg(x),
    "float_power": lambda L, x: L.float_power(x, x.flip(0)),
}


def _second(lib, fn, a, w):
    x = lib.tensor(a, requires_grad=True)
    g, = lib.autograd.grad(fn(lib, x).sum(), x, create_graph=True)
    h, = lib.autograd.grad((g * lib.tensor(w)).sum(), x)
    return g, h


@pytest.mark.parametrize("name", list(SECOND))
def test_double_backward(name):
    a = np.array([0.3, 0.7, 1.2, 2.0], np.float64)
    w = np.array([1.0, -2.0, 0.5, 3.0])
    g1, h1 = _second(gradstep, SECOND[name], a, w)
    g2, h2 = _second(torch, SECOND[name], a, w)
    assert_same(g1.detach(), g2.detach(), rtol=1e-8)
    assert_same(h1, h2, rtol=1e-7)


# ----- in-place and out= -----

INPLACE = [("erfc_", ()),
           ("erfinv_", ()), ("lgamma_", ()), ("digamma_", ()), ("polygamma_", (1,)),
           ("deg2rad_", ()), ("rad2deg_", ()), ("sinc_", ()), ("sgn_", ()), ("xlogy_", (2.,)),
           ("copysign_", (-1.,))]


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace(name, args):
    a = uniform(0.1, 0.9, 2, 3).astype(np.float64)
    if name.startswith(("acosh", "arccosh")):
        a = a + 1

    def fn(L, x):
        y = x * 1
        out = getattr(y, name)(*args)
        assert out is y
        return y
    if name != "sgn_":  # (torch's gradient of sgn is a ZeroTensor, which numpy cannot read)
        compare(fn, a, rtol=1e-8, grad_rtol=1e-8)
    g, t = gradstep.tensor(a), torch.tensor(a)
    assert getattr(g, name)(*args) is g
    getattr(t, name)(*args)
    assert_same(g, t, rtol=1e-8)
    assert g._version == t._version == 1


@pytest.mark.parametrize("name", ["asinh_", "arcsinh_", "acosh_", "arccosh_", "atanh_",
                                  "arctanh_"])
def test_inplace_inverse_hyperbolic_has_no_derivative(name):
    a = uniform(1.1, 1.9, 2, 3).astype(np.float64)
    a = a - 1 if "tanh" in name else a
    g, t = gradstep.tensor(a), torch.tensor(a)
    assert getattr(g, name)() is g
    getattr(t, name)()
    assert_same(g, t)

    def fn(L):
        y = L.tensor(a, requires_grad=True) * 1
        getattr(y, name)()
        assert y.grad_fn.name() == name.replace("arc", "a").rstrip("_").capitalize() + \
            "Backward1"
        y.sum().backward()
    _raises(fn)


def test_inplace_binary():
    for name in ("hypot_", "xlogy_", "copysign_", "float_power_", "heaviside_"):
        a, b = np.array([0.5, 2.], np.float64), np.array([1.5, -1.], np.float64)
        g, t = gradstep.tensor(a), torch.tensor(a)
        assert getattr(g, name)(gradstep.tensor(b)) is g
        getattr(t, name)(torch.tensor(b))
        assert_same(g, t)


def test_out_argument():
    for fn in ("lgamma", "erfinv", "asinh", "sinc"):
        out = gradstep.empty(2)
        r = getattr(gradstep, fn)(gradstep.tensor([0.25, 0.5]), out=out)
        assert r is out
        assert_same(out, getattr(torch, fn)(torch.tensor([0.25, 0.5])))
    out = gradstep.empty(2, dtype=gradstep.float64)
    gradstep.hypot(gradstep.tensor([3.]), gradstep.tensor([4., 0.]), out=out)
    assert out.tolist() == [5., 3.]
    _raises(lambda L: L.lgamma(L.tensor([1.5]), out=L.empty(1, dtype=L.int64)))
    _raises(lambda L: L.float_power(L.tensor([1.5]), 2, out=L.empty(1)))
    _raises(lambda L: L.signbit(L.tensor([1.5]), out=L.empty(1)))


# ----- errors -----

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
    "asinh_float": lambda L: L.asinh(2.0),
    "lgamma_list": lambda L: L.lgamma([1.0]),
    "logaddexp_int": lambda L: L.logaddexp(L.tensor([1]), L.tensor([2])),
    "logaddexp_bool": lambda L: L.logaddexp(L.tensor([True]), L.tensor([False])),
    "logaddexp2_int": lambda L: L.logaddexp2(L.tensor([1]), L.tensor([2])),
    "logaddexp_number": lambda L: L.logaddexp(L.tensor([1.]), 2),
    "logaddexp_number_first": lambda L: L.logaddexp(2., L.tensor([1.])),
    "logaddexp_method_number": lambda L: L.tensor([1.]).logaddexp(2.),
    "logaddexp_broadcast": lambda L: L.logaddexp(L.tensor([1., 2.]), L.tensor([1., 2., 3.])),
    "hypot_int": lambda L: L.hypot(L.tensor([1]), L.tensor([2])),
    "hypot_number": lambda L: L.hypot(L.tensor([1.]), 2),
    "hypot__number": lambda L: L.tensor([1.]).hypot_(2),
    "fmax_number": lambda L: L.fmax(L.tensor([1.]), 2),
    "fmin_method_number": lambda L: L.tensor([1.]).fmin(2.),
    "fmax_broadcast": lambda L: L.fmax(L.tensor([1., 2.]), L.tensor([1., 2., 3.])),
    "xlogy_broadcast": lambda L: L.xlogy(L.tensor([1., 2.]), L.tensor([1., 2., 3.])),
    "xlogy_numbers": lambda L: L.xlogy(1., 2.),
    "xlogy__int": lambda L: L.tensor([1, 2]).xlogy_(L.tensor([1., 2.])),
    "copysign_number_first": lambda L: L.copysign(1., L.tensor([1.])),
    "heaviside_dtypes": lambda L: L.heaviside(L.tensor([1.]), L.tensor([1.], dtype=L.float64)),
    "heaviside_number": lambda L: L.heaviside(L.tensor([1.]), 0.5),
    "heaviside_method_number": lambda L: L.tensor([1.]).heaviside(0.5),
    "heaviside__number": lambda L: L.tensor([1.]).heaviside_(0.5),
    "positive_bool": lambda L: L.positive(L.tensor([True])),
    "float_power__float32": lambda L: L.tensor([1.5]).float_power_(2),
    "float_power__int": lambda L: L.tensor([1]).float_power_(2),
    "asinh__int": lambda L: L.tensor([1, 2]).asinh_(),
    "lgamma__int": lambda L: L.tensor([1, 2]).lgamma_(),
    "polygamma_negative": lambda L: L.polygamma(-1, L.tensor([1.])),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    _raises(ERRORS[name])


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_polygamma_at_infinities_and_huge_values_matches_torch(n, dtype):
    values = [float("inf"), -float("inf"), 1e30, 50.0]
    outs = [lib.polygamma(n, lib.tensor(values, dtype=getattr(lib, dtype))).numpy()
            for lib in (torch, gradstep)]
    np.testing.assert_array_equal(np.isnan(outs[1]), np.isnan(outs[0]))
    number = ~np.isnan(outs[0])  # (a nan's sign bit means nothing)
    np.testing.assert_array_equal(np.signbit(outs[1][number]), np.signbit(outs[0][number]))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)


@pytest.mark.parametrize("in_dtype,out_dtype", [("float32", "int64"), ("float32", "float64"),
                                                ("int64", "float32"), ("bool", "int64")])
def test_heaviside_out_dtype_error_matches_torch(in_dtype, out_dtype):
    def run(L):
        x = L.tensor([1, 0, 1]).to(getattr(L, in_dtype))
        return L.heaviside(x, x, out=L.empty(3, dtype=getattr(L, out_dtype)))
    with pytest.raises(RuntimeError) as expected:
        run(torch)
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        run(gradstep)
