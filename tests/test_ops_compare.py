"""Comparisons and logic against torch: values, dtypes, broadcasting, operators, errors."""
import math
import operator
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd

NAN, INF = math.nan, math.inf
R = np.random.default_rng(0)

F = np.array([[0., 1., -1., NAN], [2., INF, -INF, 1.]], np.float32)
G = np.array([[0., 2., -1., NAN], [1., INF, INF, 1.]], np.float32)
ROW = np.array([1., NAN, -1., 0.], np.float32)
I = np.array([[0, 1, -1, 3], [2, 5, -7, 1]], np.int64)
I8 = np.array([1, 2, 3, -128], np.int8)
U8 = np.array([[0, 2], [0, 0]], np.uint8)
B = np.array([[True, False, True, False], [False, False, True, True]])

CMP = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
       "not_equal"]
OPS = [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge]

PAIRS = [(F, G), (F, ROW), (I, I), (I, F), (I8, I), (B, I), (B, B), (F, np.array(1.)),
         (np.array(2, np.int32), I), (np.zeros((0, 4), np.float32), ROW), (F[:, :1], ROW)]
SCALARS = [0, 1, -1, 1.5, NAN, INF, True, 1000, -200, 2 ** 40]


@pytest.mark.parametrize("name", CMP)
def test_comparison_functions(name):
    for x, y in PAIRS:
        compare(lambda L, a, b: getattr(L, name)(a, b), x, y, requires_grad=False)
        compare(lambda L, a, b: getattr(a, name)(b), x, y, requires_grad=False)
    for s in SCALARS:
        for x in (F, I, I8, B):
            compare(lambda L, a: getattr(L, name)(a, s), x, requires_grad=False)


@pytest.mark.parametrize("op", OPS)
def test_comparison_operators(op):
    for x, y in PAIRS:
        compare(lambda L, a, b: op(a, b), x, y, requires_grad=False)
    for s in SCALARS:
        for x in (F, I, I8, B, np.array(3.)):
            compare(lambda L, a: op(a, s), x, requires_grad=False)
            compare(lambda L, a: op(s, a), x, requires_grad=False)     # reflected
    compare(lambda L, a: op(a, np.float64(1.0)), F, requires_grad=False)
    compare(lambda L, a: op(a, np.int32(1)), I8, requires_grad=False)


def test_comparisons_on_tensors_that_require_grad_are_not_differentiable():
    x = gradstep.tensor([1., 2.], requires_grad=True)
    for r in (x > 1, x == x, gradstep.eq(x, 1.), x.isnan(), x.any(), (x > 0) & (x > 1),
              gradstep.logical_and(x, x), gradstep.isclose(x, x)):
        assert not r.requires_grad and r.grad_fn is None


def test_tensor_stays_hashable_and_eq_with_none():
    x = gradstep.tensor([1., 2.])
    assert {x: 1}[x] == 1 and hash(x) == id(x)
    assert (x == None) is False  # noqa: E711  (Python falls back to identity, as torch)
    assert (x != None) is True  # noqa: E711
    assert (x == "a") is False
    assert x in [x]


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([1., 2.]) < None,
    lambda L: L.eq(L.tensor([1., 2.]), None),
    lambda L: L.lt(1., L.tensor([1.])),
    lambda L: L.eq(L.tensor([1., 2.]), "a"),
    lambda L: L.tensor([1., 2., 3.]) == L.tensor([1., 2.]),
    lambda L: L.gt(L.tensor([[1., 2., 3.]] * 2), L.tensor([[1.], [2.], [3.]])),
    lambda L: L.isclose(L.tensor([1, 2]), L.tensor([1., 3.])),
    lambda L: L.allclose(L.tensor([1, 2]), L.tensor([1., 3.])),
    lambda L: L.isclose(L.tensor([1.]), 1.),
    lambda L: L.isclose(L.tensor([1.]), L.tensor([1.]), rtol=-1),
    lambda L: L.isclose(L.tensor([1.]), L.tensor([1.]), atol=-0.5),
    lambda L: L.equal(L.tensor([1.]), 1.),
    lambda L: L.logical_and(L.tensor([1.]), 1),
    lambda L: L.logical_xor(L.tensor([True]), True),
    lambda L: L.logical_or(L.tensor([1., 2.]), L.tensor([1., 2., 3.])),
    lambda L: L.tensor([1., 2.]) & 1,
    lambda L: L.bitwise_or(L.tensor([1., 2.]), L.tensor([1., 2.])),
    lambda L: L.tensor([1, 2]) & 1.5,
    lambda L: L.tensor([1, 2]) ^ L.tensor([1, 2, 3]),
    lambda L: ~L.tensor([1., 2.]),
    lambda L: L.bitwise_not(L.tensor([1., 2.])),
    lambda L: L.any(L.tensor([1., 2.]), 1),
    lambda L: L.all(L.tensor([[1., 2.]]), (0, 0)),
    lambda L: L.tensor([1, 2]) | None,
])
def test_errors_match_torch(fn):
    try:
        fn(torch)
    except Exception as e:  # noqa: BLE001
        expected = e
    else:
        raise AssertionError("torch did not raise")
    with pytest.raises(type(expected), match=re.escape(str(expected))):
        fn(gradstep)


# ----- closeness -----

CLOSE = [
    (np.array([1., NAN, INF, -INF, INF, 0.], np.float32),
     np.array([1.0000001, NAN, INF, -INF, -INF, 1e-9], np.float32)),
    (np.array([1., 1.1, 1e-9], np.float64), np.array([1.00001, 1., 0.], np.float64)),
    (np.array([1, 2, 3]), np.array([1, 3, 5])),
    (np.array([True, False]), np.array([False, False])),
    (np.array([[1., 2.]], np.float32), np.array([[1.], [2.]], np.float32)),
]


@pytest.mark.parametrize("kwargs", [{}, {"equal_nan": True}, {"rtol": 0.1}, {"atol": 1},
                                    {"rtol": 0, "atol": 0}])
@pytest.mark.parametrize("case", range(len(CLOSE)))
def test_isclose_allclose(case, kwargs):
    x, y = CLOSE[case]
    compare(lambda L, a, b: L.isclose(a, b, **kwargs), x, y, requires_grad=False)
    compare(lambda L, a, b: a.isclose(b, **kwargs), x, y, requires_grad=False)
    compare(lambda L, a, b: L.allclose(a, b, **kwargs), x, y, requires_grad=False)
    compare(lambda L, a, b: a.allclose(b, **kwargs), x, y, requires_grad=False)


@pytest.mark.parametrize("x,y", [
    (F, F), (G, G), (I, I), (I, I.astype(np.int32)), (I8, I8[:2]), (B, B), (F, G),
    (np.zeros((0, 2)), np.zeros((0, 2))), (np.array(1.), np.array([1.])), (I, I.astype(float)),
])
def test_equal(x, y):
    compare(lambda L, a, b: L.equal(a, b), x, y, requires_grad=False)
    compare(lambda L, a, b: a.equal(b), x, y, requires_grad=False)


# ----- classification and nan_to_num -----

@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf"])
def test_classification(name):
    for x in (F, I, B, I8, np.array(NAN), np.zeros((0,)), F.astype(np.float16)):
        compare(lambda L, a: getattr(L, name)(a), x, requires_grad=False)
        compare(lambda L, a: getattr(a, name)(), x, requires_grad=False)


NAN_TO_NUM = [
    {}, {"nan": 1.5}, {"posinf": 2.0}, {"neginf": -3.0}, {"nan": -1., "posinf": 1e3, "neginf": 0.},
]


@pytest.mark.parametrize("kwargs", NAN_TO_NUM)
def test_nan_to_num(kwargs):
    x = np.array([NAN, INF, -INF, 1.5, -0.5], np.float32)
    compare(lambda L, a: L.nan_to_num(a, **kwargs), x)
    compare(lambda L, a: a.nan_to_num(**kwargs), x.astype(np.float64))
    compare(lambda L, a: L.nan_to_num(a, **kwargs), x.astype(np.float16))
    compare(lambda L, a: L.nan_to_num(a, **kwargs), np.array([1, 2, -3]))
    compare(lambda L, a: a.clone().nan_to_num_(**kwargs), x, requires_grad=False)
    gradcheck_fd(lambda L, a: L.nan_to_num(a, **kwargs), np.array([1.5, -0.5, 2.]))


def test_nan_to_num_grad_fn_and_double_backward():
    def second(L):
        x = L.tensor([NAN, 0.5, INF, 2.], dtype=L.float64, requires_grad=True)
        y = L.nan_to_num(x) * x
        assert y.grad_fn.next_functions[0][0].name() == "NanToNumBackward0"
        g, = L.autograd.grad(y.sum(), x, create_graph=True)
        h, = L.autograd.grad((g * L.tensor([1., 2., 3., 4.], dtype=L.float64)).sum(), x)
        return g.detach(), h
    assert_same(second(gradstep), second(torch))


# ----- logical and bitwise -----

LOGICAL = ["logical_and", "logical_or", "logical_xor"]


@pytest.mark.parametrize("name", LOGICAL)
def test_logical(name):
    for x, y in [(B, B), (F, G), (I, F), (I8, I8), (B, ROW), (np.array(0.), I),
                 (np.zeros((0, 1)), ROW)]:
        compare(lambda L, a, b: getattr(L, name)(a, b), x, y, requires_grad=False)
        compare(lambda L, a, b: getattr(a, name)(b), x, y, requires_grad=False)
    compare(lambda L, a, b: getattr(a.clone(), name + "_")(b), B, B.T[:2, :2].repeat(2, 1),
            requires_grad=False)
    compare(lambda L, a, b: getattr(a.clone(), name + "_")(b), F, G, requires_grad=False)


def test_logical_not():
    for x in (B, F, I, I8, np.array(0.), np.zeros((0,))):
        compare(lambda L, a: L.logical_not(a), x, requires_grad=False)
        compare(lambda L, a: a.logical_not(), x, requires_grad=False)
    compare(lambda L, a: a.clone().logical_not_(), F, requires_grad=False)


BITWISE = [("bitwise_and", operator.and_, operator.iand), ("bitwise_or", operator.or_,
                                                          operator.ior),
           ("bitwise_xor", operator.xor, operator.ixor)]
BIT_PAIRS = [(I, I[::-1].copy()), (I8, I8[::-1].copy()), (B, B[::-1].copy()), (I8, I), (B, I),
             (U8, U8.T.copy()),
             (I, np.array(7, np.int64)), (np.array(7, np.int8), I)]


@pytest.mark.parametrize("name,op,iop", BITWISE)
def test_bitwise(name, op, iop):
    for x, y in BIT_PAIRS:
        compare(lambda L, a, b: getattr(L, name)(a, b), x, y, requires_grad=False)
        compare(lambda L, a, b: op(a, b), x, y, requires_grad=False)
    for s in (3, -1, True, False, 300):
        for x in (I, I8, B, U8):
            compare(lambda L, a: op(a, s), x, requires_grad=False)
            compare(lambda L, a: op(s, a), x, requires_grad=False)
            compare(lambda L, a: getattr(L, name)(a, s), x, requires_grad=False)

    def inplace(L, a, b):
        c = a.clone()
        r = iop(c, b)
        assert r is c
        return c
    compare(inplace, I, I[::-1].copy(), requires_grad=False)
    compare(inplace, B, B[::-1].copy(), requires_grad=False)
    compare(lambda L, a, b: getattr(a.clone(), name + "_")(b), I8, I8[::-1].copy(),
            requires_grad=False)


def test_bitwise_not_and_invert():
    for x in (I, I8, B, U8, np.array(5)):
        compare(lambda L, a: ~a, x, requires_grad=False)
        compare(lambda L, a: L.bitwise_not(a), x, requires_grad=False)
        compare(lambda L, a: a.clone().bitwise_not_(), x, requires_grad=False)


def test_bitwise_inplace_cannot_widen():
    with pytest.raises(RuntimeError, match=re.escape(
            "result type Long can't be cast to the desired output type Bool")):
        t = torch.tensor([True])
        t &= torch.tensor([1])
    with pytest.raises(RuntimeError, match=re.escape(
            "result type Long can't be cast to the desired output type Bool")):
        g = gradstep.tensor([True])
        g &= gradstep.tensor([1])


# ----- any / all -----

REDUCE_ARGS = [(), (0,), (1,), (-1,), ((0, 1),), ([1],), ((),), (1, True), (0, True),
               ((0, 1), True)]


@pytest.mark.parametrize("name", ["any", "all"])
@pytest.mark.parametrize("args", REDUCE_ARGS)
def test_any_all(name, args):
    for x in (B, F, I, U8, np.zeros((0, 3), np.float32), np.zeros((2, 0)), np.ones((2, 3))):
        compare(lambda L, a: getattr(L, name)(a, *args), x, requires_grad=False)
        compare(lambda L, a: getattr(a, name)(*args), x, requires_grad=False)
    if len(args) == 1 and args[0] in (0, -1):
        compare(lambda L, a: getattr(L, name)(a, *args), np.array(2.), requires_grad=False)
    if args and isinstance(args[0], int):
        compare(lambda L, a: getattr(L, name)(a, dim=args[0], keepdim=len(args) > 1), B,
                requires_grad=False)


def test_any_all_zero_dim_whole():
    for x in (np.array(0.), np.array(3), np.array(True)):
        for name in ("any", "all"):
            compare(lambda L, a: getattr(L, name)(a), x, requires_grad=False)


@pytest.mark.parametrize("name", ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_"])
def test_inplace_comparisons_keep_the_dtype(name):
    compare(lambda L, a, b: getattr(a.clone(), name)(b), F, G, requires_grad=False)
    compare(lambda L, a: getattr(a.clone(), name)(1), I, requires_grad=False)
    compare(lambda L, a, b: getattr(a.clone(), name)(b), B, B, requires_grad=False)


def test_out_argument():
    out = gradstep.tensor([False, False])
    r = gradstep.lt(gradstep.tensor([1., 3.]), 2., out=out)
    assert r is out and out.tolist() == [True, False]
