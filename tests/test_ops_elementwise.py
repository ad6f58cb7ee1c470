"""Elementwise math against torch: values, dtypes, gradients, grad_fn names, errors, in-place."""
import math
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd

R = np.random.default_rng(0)
NAN, INF = math.nan, math.inf


def uniform(lo, hi, *shape, dtype=np.float32):
    return R.uniform(lo, hi, shape).astype(dtype)


ANY = uniform(-2, 2, 3, 4)
POS = uniform(0.1, 3, 3, 4)
UNIT = uniform(-0.9, 0.9, 3, 4)
PROB = uniform(0.05, 0.95, 3, 4)

# name -> (function of (lib, x), typical input, edge values)
UNARY = {
    "exp": (lambda L, x: L.exp(x), ANY, [-100., -1., 0., 1., 88., 100., NAN, INF, -INF]),
    "exp2": (lambda L, x: L.exp2(x), ANY, [-200., 0., 1., 10., 200., NAN]),
    "expm1": (lambda L, x: L.expm1(x), ANY, [-50., -1e-8, 0., 1e-8, 1., 100.]),
    "log": (lambda L, x: L.log(x), POS, [0., -1., 1e-30, 1., INF]),
    "log2": (lambda L, x: L.log2(x), POS, [0., -1., 0.5, 1024.]),
    "log10": (lambda L, x: L.log10(x), POS, [0., -1., 0.001, 1e10]),
    "log1p": (lambda L, x: L.log1p(x), POS, [-1., -0.5, 0., 1e-9, 1e3]),
    "sqrt": (lambda L, x: L.sqrt(x), POS, [0., -1., 1e-30, 4., INF]),
    "rsqrt": (lambda L, x: L.rsqrt(x), POS, [0., -1., 4., INF]),
    "square": (lambda L, x: L.square(x), ANY, [-3., 0., 1e20, NAN]),
    "abs": (lambda L, x: L.abs(x), ANY, [-1., 0., -0., 2., -INF]),
    "absolute": (lambda L, x: L.absolute(x), ANY, [-1., 0., 2.]),
    "builtin_abs": (lambda L, x: abs(x), ANY, [-1., 0., 2.]),
    "sign": (lambda L, x: L.sign(x), ANY, [-2., 0., -0., 3., NAN, INF]),
    "sin": (lambda L, x: L.sin(x), ANY, [0., math.pi, -1e4]),
    "cos": (lambda L, x: L.cos(x), ANY, [0., math.pi, 1e4]),
    "tan": (lambda L, x: L.tan(x), UNIT, [0., 1.5, -1.5]),
    "asin": (lambda L, x: L.asin(x), UNIT, [-1., 0., 1., 2.]),
    "arcsin": (lambda L, x: L.arcsin(x), UNIT, [0.5]),
    "acos": (lambda L, x: L.acos(x), UNIT, [-1., 0., 1., -2.]),
    "arccos": (lambda L, x: L.arccos(x), UNIT, [0.5]),
    "atan": (lambda L, x: L.atan(x), ANY, [-1e10, 0., 1e10, INF]),
    "arctan": (lambda L, x: L.arctan(x), ANY, [1.]),
    "sinh": (lambda L, x: L.sinh(x), ANY, [-100., 0., 100.]),
    "cosh": (lambda L, x: L.cosh(x), ANY, [-100., 0., 100.]),
    "tanh": (lambda L, x: L.tanh(x), ANY, [-100., -20., 0., 1e-6, 20., 100.]),
    "sigmoid": (lambda L, x: L.sigmoid(x), ANY, [-100., -88., -20., 0., 20., 100., NAN]),
    "logit": (lambda L, x: L.logit(x), PROB, [0., 0.5, 1., -1., 2.]),
    "logit_eps": (lambda L, x: L.logit(x, 0.1), PROB, [0., 0.05, 0.1, 0.5, 0.9, 0.95, 1.]),
    "erf": (lambda L, x: L.erf(x), ANY, [-5., -3., -1., -0.5, -1e-6, 0., 1e-20, 0.3, 0.49, 0.5,
                                         2., 4., INF, NAN]),
    "relu": (lambda L, x: L.relu(x), ANY, [-1., 0., -0., 1., NAN]),
    "floor": (lambda L, x: L.floor(x), ANY, [-1.5, -0.5, 0., 0.5, 2.]),
    "ceil": (lambda L, x: L.ceil(x), ANY, [-1.5, -0.5, 0., 0.5, 2.]),
    "round": (lambda L, x: L.round(x), ANY, [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.7]),
    "round_decimals": (lambda L, x: L.round(x, decimals=2), ANY, [0.125, 0.135, -1.005, 1234.5678]),
    "round_negative": (lambda L, x: L.round(x, decimals=-2), ANY * 1000, [1250., 1350., -50.]),
    "trunc": (lambda L, x: L.trunc(x), ANY, [-1.5, -0.5, 0.5, 2.]),
    "fix": (lambda L, x: L.fix(x), ANY, [-1.5, 2.5]),
    "frac": (lambda L, x: L.frac(x), ANY, [-1.5, -0.5, 0.5, 2., 3.75]),
    "clamp": (lambda L, x: L.clamp(x, -0.5, 0.5), ANY, [-0.5, 0.5, 0., -1., 1., NAN]),
    "clamp_min_only": (lambda L, x: L.clamp(x, min=0.25), ANY, [0.25, 0., 1.]),
    "clamp_max_only": (lambda L, x: L.clamp(x, max=0.25), ANY, [0.25, 0., 1.]),
    "clamp_int_bounds": (lambda L, x: L.clamp(x, -1, 1), ANY, [-1., 1., 2.]),
    "clamp_reversed": (lambda L, x: L.clamp(x, 1., -1.), ANY, [-2., 0., 2.]),
    "clamp_equal": (lambda L, x: L.clamp(x, 1., 1.), ANY, [0., 1., 2.]),
    "clip": (lambda L, x: L.clip(x, -0.5, 0.5), ANY, [-0.5, 0.5]),
    "clamp_min": (lambda L, x: L.clamp_min(x, 0.), ANY, [-1., 0., 1.]),
    "clamp_max": (lambda L, x: L.clamp_max(x, 0.), ANY, [-1., 0., 1.]),
    "method_exp": (lambda L, x: x.exp(), ANY, [0.]),
    "method_clamp": (lambda L, x: x.clamp(min=-1), ANY, [-1.]),
    "method_round": (lambda L, x: x.round(decimals=1), ANY, [0.25]),
}

# ops whose torch kernel does not take integer inputs (tested separately in INT_ERRORS)
NO_INT = {"frac", "round_decimals", "round_negative", "method_round"}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_matches_torch(name):
    fn, typical, edge = UNARY[name]
    compare(fn, typical)
    compare(fn, np.array(edge, dtype=np.float32))
    compare(fn, np.array(typical[0, 1]))                         # 0-dim
    compare(fn, np.zeros((0, 3), np.float32))                    # empty
    compare(fn, typical.astype(np.float64))


@pytest.mark.parametrize("name", [n for n in UNARY if n not in NO_INT])
def test_unary_integer_input(name):
    fn = UNARY[name][0]
    compare(fn, np.array([-3, 0, 2, 5], dtype=np.int64))
    compare(fn, np.array([[1, 2]], dtype=np.int32))


@pytest.mark.parametrize("name", [n for n in UNARY if not n.startswith(("round", "fix", "floor",
                                                                          "ceil", "trunc",
                                                                          "sign", "method"))])
def test_unary_finite_differences(name):
    fn, typical, _ = UNARY[name]
    gradcheck_fd(fn, typical[0, :3].astype(np.float64))


def _named(lib, fn, x):
    return fn(lib, lib.tensor(x, requires_grad=True)).grad_fn.name()


@pytest.mark.parametrize("name", list(UNARY))
def test_grad_fn_name(name):
    fn, typical, _ = UNARY[name]
    assert _named(gradstep, fn, typical) == _named(torch, fn, typical)


def test_float16_and_default_dtype():
    x = np.array([-1.5, 0., 0.5, 2.], np.float16)
    for f in ("exp", "sigmoid", "tanh", "sqrt", "relu", "abs", "floor", "erf"):
        compare(UNARY[f][0], x)
    gradstep.set_default_dtype(gradstep.float64)
    torch.set_default_dtype(torch.float64)
    try:
        compare(lambda L, x: L.exp(x), np.array([1, 2]))
        compare(lambda L, x: L.sigmoid(x), np.array([True, False]))
    finally:
        torch.set_default_dtype(torch.float32)


def test_bool_inputs():
    b = np.array([True, False])
    for f in ("exp", "sin", "sqrt", "sign", "square", "sigmoid", "clamp_int_bounds"):
        compare(UNARY[f][0], b)


# ----- binary and ternary ops -----

A = uniform(-2, 2, 3, 4)
B = uniform(-2, 2, 3, 4)
ROW = uniform(-2, 2, 4)
COL = uniform(-2, 2, 3, 1)
TIES = (np.array([1., 2., 3., NAN, 0.], np.float32), np.array([1., 3., 2., 1., NAN], np.float32))
MASK = np.array([[True, False, True, False]] * 3)

BINARY = {
    "atan2": (lambda L, x, y: L.atan2(x, y), [(A, B), (A, ROW), (COL, ROW)]),
    "arctan2": (lambda L, x, y: L.arctan2(x, y), [(A, B)]),
    "atan2_zero": (lambda L, x, y: L.atan2(x, y),
                   [(np.array([0., 0., 1., -0.], np.float32), np.array([0., -1., 0., -1.],
                                                                       np.float32))]),
    "maximum": (lambda L, x, y: L.maximum(x, y), [(A, B), (A, ROW), TIES, (COL, ROW)]),
    "minimum": (lambda L, x, y: L.minimum(x, y), [(A, B), (A, COL), TIES]),
    "where": (lambda L, x, y: L.where(x > 0, x, y), [(A, B), (A, ROW), (COL, A), TIES]),
    "where_scalar_y": (lambda L, x, y: L.where(y > 0, x, 0.), [(A, B), (A, COL)]),
    "where_scalar_x": (lambda L, x, y: L.where(y > 0, 2, x), [(A, B)]),
    "where_method": (lambda L, x, y: x.where(x > y, y), [(A, B)]),
    "clamp_tensor": (lambda L, x, lo: L.clamp(x, lo, lo + 1), [(A, B), (A, ROW), (COL, ROW)]),
    "clamp_tensor_min": (lambda L, x, lo: L.clamp(x, min=lo), [(A, B), (A, ROW)]),
    "clamp_tensor_max": (lambda L, x, hi: L.clamp(x, max=hi), [(A, B), (COL, ROW)]),
    "clamp_min_tensor": (lambda L, x, lo: L.clamp_min(x, lo), [(A, B), TIES]),
    "clamp_max_tensor": (lambda L, x, hi: L.clamp_max(x, hi), [(A, B), TIES]),
    "clamp_crossed": (lambda L, x, lo: L.clamp(x, lo, lo - 1), [(A, B)]),
    "clamp_ties": (lambda L, x, lo: L.clamp(x, lo, x), [TIES, (A, B)]),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_matches_torch(name):
    fn, cases = BINARY[name]
    for x, y in cases:
        compare(fn, x, y)
        compare(fn, x.astype(np.float64), y.astype(np.float64))


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_finite_differences_and_name(name):
    fn, cases = BINARY[name]
    x, y = cases[0]
    if name not in ("clamp_ties", "atan2_zero"):
        gradcheck_fd(fn, x[:2, :3], y[:2, :3])
    g = fn(gradstep, gradstep.tensor(x, requires_grad=True), gradstep.tensor(y))
    t = fn(torch, torch.tensor(x, requires_grad=True), torch.tensor(y))
    assert g.grad_fn.name() == t.grad_fn.name()


def test_binary_zero_dim_and_empty():
    for name in ("atan2", "maximum", "minimum", "where", "clamp_tensor"):
        fn = BINARY[name][0]
        compare(fn, np.array(0.5, np.float32), np.array(-0.25, np.float32))
        compare(fn, np.float32(1.5) * np.ones((2, 3), np.float32), np.array(0.5, np.float32))
        compare(fn, np.zeros((0, 2), np.float32), np.zeros((1, 2), np.float32))


PROMOTION = [
    lambda L, x, y: L.maximum(x, y),
    lambda L, x, y: L.minimum(x, y),
    lambda L, x, y: L.atan2(x, y),
    lambda L, x, y: L.where(x > 1, x, y),
    lambda L, x, y: L.clamp(x, y),
    lambda L, x, y: L.clamp(x, y, y + 2),
]


@pytest.mark.parametrize("fn", PROMOTION)
@pytest.mark.parametrize("dtypes", [(np.int64, np.float32), (np.int32, np.int64),
                                    (np.float32, np.float64), (np.bool_, np.int64),
                                    (np.int64, np.int64)])
def test_binary_type_promotion(fn, dtypes):
    x = np.array([[0, 1, 2, 3]]).astype(dtypes[0])
    y = np.array([[2], [1]]).astype(dtypes[1])
    compare(fn, x, y, requires_grad=False)


@pytest.mark.parametrize("fn", [
    lambda L, x: L.where(x > 1, 1, 2.5),
    lambda L, x: L.where(x > 1, 1, 2),
    lambda L, x: L.where(x > 1, x, 2.5),
    lambda L, x: L.where(x > 1, 0, x),
    lambda L, x: L.where(x > 1, L.tensor(7, dtype=L.float64), x.float()),
    lambda L, x: L.clamp(x, 0.5, 2.5),
    lambda L, x: L.clamp(x, 1, 2),
    lambda L, x: L.clamp_min(x, 1.5),
    lambda L, x: L.clamp(x > 1, 0, 1),
])
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.float64])
def test_scalar_operand_promotion(fn, dtype):
    compare(fn, np.array([0, 1, 2, 3]).astype(dtype), requires_grad=False)


def test_where_single_argument():
    for cond in (np.array([[1, 0], [0, 2]]), np.array([True, False, True]), np.array(3),
                 np.array(0.), np.zeros((0, 2))):
        g = gradstep.where(gradstep.tensor(cond))
        t = torch.where(torch.tensor(cond))
        assert isinstance(g, tuple)
        assert_same(g, t)


def test_where_uint8_condition_warns():
    x = np.array([1., 2.], np.float32)
    with pytest.warns(UserWarning, match="where received a uint8 condition tensor"):
        g = gradstep.where(gradstep.tensor(np.array([1, 0], np.uint8)), gradstep.tensor(x), 0.)
    assert_same(g, torch.tensor([1., 0.]))


# ----- double backward -----

SECOND = {
    "exp": lambda L, x: L.exp(x), "log": lambda L, x: L.log(x), "sqrt": lambda L, x: L.sqrt(x),
    "rsqrt": lambda L, x: L.rsqrt(x), "sigmoid": lambda L, x: L.sigmoid(x),
    "tanh": lambda L, x: L.tanh(x), "sin": lambda L, x: L.sin(x), "cos": lambda L, x: L.cos(x),
    "tan": lambda L, x: L.tan(x), "asin": lambda L, x: L.asin(x * 0.3),
    "atan": lambda L, x: L.atan(x), "erf": lambda L, x: L.erf(x),
    "logit": lambda L, x: L.logit(x * 0.3, 0.1), "log1p": lambda L, x: L.log1p(x),
    "abs": lambda L, x: L.abs(x) * x, "relu": lambda L, x: L.relu(x) * x,
    "clamp": lambda L, x: L.clamp(x, 0.5, 1.5) * x, "square": lambda L, x: L.square(x),
    "maximum": lambda L, x: L.maximum(x, x.flip(0)) * x,
    "where": lambda L, x: L.where(x > 1, x * x, 3 * x),
    "atan2": lambda L, x: L.atan2(x, x.flip(0) + 1),
    "clamp_tensor": lambda L, x: L.clamp(x, x.flip(0) * 0.9) * x,
    "floor_sign": lambda L, x: (L.floor(x) + L.sign(x) + L.round(x, decimals=1)) * x,
    "maximum_tie": lambda L, x: L.maximum(x, L.where(x > 1, x, x * 2)) * x,
    "exp2_log2": lambda L, x: L.exp2(x) * L.log2(x) + L.log10(x) * L.expm1(x),
    "sinh_cosh": lambda L, x: L.sinh(x) * L.cosh(x) + L.acos(x * 0.4) + L.frac(x) * x,
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
    assert_same(g1.detach(), g2.detach())
    assert_same(h1, h2)


# ----- in-place -----

# (method, args, whether torch can backpropagate through it: ops that save their input
# cannot run in place on a tensor that needs grad)
INPLACE = [
    ("exp_", (), True), ("sqrt_", (), True), ("sigmoid_", (), True), ("tanh_", (), True),
    ("relu_", (), True), ("floor_", (), True), ("round_", (), True), ("frac_", (), True),
    ("rsqrt_", (), True), ("expm1_", (), True), ("tan_", (), True), ("sign_", (), True),
    ("log_", (), False), ("abs_", (), False), ("sin_", (), False), ("clamp_", (0.5, 1.5), False),
    ("clamp_min_", (1.,), False), ("clamp_max_", (1.,), False), ("clip_", (0.5, 1.), False),
    ("erf_", (), False), ("square_", (), False), ("logit_", (0.2,), False),
    ("round_", (), True), ("trunc_", (), True), ("ceil_", (), True), ("asin_", (), False),
]


@pytest.mark.parametrize("name,args,differentiable", INPLACE)
def test_inplace(name, args, differentiable):
    a = uniform(0.1, 0.9, 2, 3)
    if differentiable:
        def fn(L, x):
            y = x * 1
            out = getattr(y, name)(*args)
            assert out is y
            return y
        compare(fn, a)
    # a tensor without grad is modified in place, and its version counter moves
    g = gradstep.tensor(a)
    t = torch.tensor(a)
    assert getattr(g, name)(*args) is g
    getattr(t, name)(*args)
    assert_same(g, t)
    assert g._version == t._version == 1


def test_inplace_errors():
    x = gradstep.tensor([1., 2.], requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape(
            "a leaf Variable that requires grad is being used in an in-place operation.")):
        x.exp_()
    i = gradstep.tensor([1, 2])
    with pytest.raises(RuntimeError, match=re.escape(
            "result type Float can't be cast to the desired output type Long")):
        i.exp_()
    i.relu_()
    i.clamp_(0, 1)
    assert i.tolist() == [1, 1]


def test_out_argument():
    out = gradstep.tensor([0., 0.])
    r = gradstep.exp(gradstep.tensor([0., 1.]), out=out)
    assert r is out
    assert_same(out, torch.exp(torch.tensor([0., 1.])))


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
    "clamp_no_bounds": lambda L: L.clamp(L.tensor([1.])),
    "clamp_none_none": lambda L: L.tensor([1.]).clamp(None, None),
    "clamp_mixed": lambda L: L.clamp(L.tensor([1.]), L.tensor([0.]), 1.),
    "clamp_mixed_reversed": lambda L: L.clamp(L.tensor([1.]), 0., L.tensor([2.])),
    "clamp_broadcast": lambda L: L.clamp(L.tensor([1., 2.]), L.tensor([0., 1., 2.])),
    "maximum_number": lambda L: L.maximum(L.tensor([1.]), 1),
    "minimum_number": lambda L: L.minimum(L.tensor([1.]), 2.5),
    "maximum_broadcast": lambda L: L.maximum(L.tensor([1., 2.]), L.tensor([1., 2., 3.])),
    "minimum_broadcast": lambda L: L.minimum(L.tensor([[1., 2.]] * 2), L.tensor([1., 2., 3.])),
    "atan2_broadcast": lambda L: L.atan2(L.tensor([1., 2.]), L.tensor([1., 2., 3.])),
    "where_int_cond": lambda L: L.where(L.tensor([1, 0]), L.tensor([1., 2.]), 0.),
    "where_float_cond": lambda L: L.where(L.tensor([1., 0.]), L.tensor([1., 2.]), 0.),
    "where_broadcast": lambda L: L.where(L.tensor([True, False]), L.tensor([1., 2., 3.]), 0.),
    "where_broadcast_y": lambda L: L.where(L.tensor([True, False]), L.tensor([1., 2.]),
                                           L.tensor([1., 2., 3., 4.])),
    "exp_float": lambda L: L.exp(2.0),
    "sigmoid_list": lambda L: L.sigmoid([1.0]),
    "frac_int": lambda L: L.frac(L.tensor([1, 2])),
    "frac_bool": lambda L: L.frac(L.tensor([True])),
    "abs_bool": lambda L: L.abs(L.tensor([True])),
    "relu_bool": lambda L: L.relu(L.tensor([True])),
    "floor_bool": lambda L: L.floor(L.tensor([True])),
    "round_bool": lambda L: L.round(L.tensor([True])),
    "round_int_decimals": lambda L: L.round(L.tensor([1, 2]), decimals=1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    _raises(ERRORS[name])


def test_erf_accuracy_float32_over_a_range():
    x = np.linspace(-6, 6, 2001, dtype=np.float32)
    compare(lambda L, x: L.erf(x), x)
    tiny = np.array([1e-30, 1e-10, -3e-5, 0.4999, 0.5001], np.float32)
    compare(lambda L, x: L.erf(x), tiny)


def test_relu_at_zero_and_abs_at_zero_have_zero_gradient():
    for f in (gradstep.relu, gradstep.abs, lambda t: gradstep.clamp(t, min=1.)):
        x = gradstep.tensor([0.], requires_grad=True)
        f(x).sum().backward()
        assert x.grad.tolist() == [0.0]
    x = gradstep.tensor([1.], requires_grad=True)
    gradstep.clamp(x, min=1.).sum().backward()
    assert x.grad.tolist() == [1.0]  # the bound itself passes the gradient, as in torch


# ops that pick one of two equal values: torch gives the input, which shows for -0.0 against 0.0
SIGNED_ZERO_TIES = {
    "relu": lambda L, x, y: L.relu(x),
    "F.relu": lambda L, x, y: L.nn.functional.relu(x),
    "relu_large": lambda L, x, y: L.relu(x.repeat(16, 128))[:, :4],
    "clamp_min": lambda L, x, y: x.clamp(min=0.),
    "clamp_max": lambda L, x, y: x.clamp(max=0.),
    "clamp": lambda L, x, y: x.clamp(-0., 0.),
    "clamp_tensor": lambda L, x, y: x.clamp(min=y),
    "maximum": lambda L, x, y: L.maximum(x, y),
    "maximum_swapped": lambda L, x, y: L.maximum(y, x),
    "minimum": lambda L, x, y: L.minimum(x, y),
    "minimum_swapped": lambda L, x, y: L.minimum(y, x),
    "rnn_relu": lambda L, x, y: _relu_rnn(L, x),
}


def _relu_rnn(lib, x):
    rnn = lib.nn.RNN(1, 1, nonlinearity="relu", bias=False)
    with lib.no_grad():
        rnn.weight_ih_l0.fill_(1.)
        rnn.weight_hh_l0.fill_(1.)
    return rnn(x.reshape(4, 1, 1))[0].detach().reshape(4)


@pytest.mark.parametrize("name, dtype", [
    (name, dtype) for name in SIGNED_ZERO_TIES for dtype in ("float16", "float32", "float64")
    if name != "rnn_relu" or dtype == "float32"])  # an RNN's weights are float32
def test_signed_zero_ties_match_torch(name, dtype):
    x_np = np.array([-0., 0., -0., 0.], dtype)
    y_np = np.array([0., -0., -0., 0.], dtype)
    outs = []
    for lib in (torch, gradstep):
        out = SIGNED_ZERO_TIES[name](lib, lib.tensor(x_np), lib.tensor(y_np))
        outs.append((np.signbit(out.detach().numpy()).tolist(), str(out)))
    assert outs[0] == outs[1]
