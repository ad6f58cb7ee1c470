"""Arithmetic ops against torch: values, dtypes, gradients, promotion, in-place forms, errors."""
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd

R = np.random.default_rng(1)
A = R.standard_normal((3, 4)).astype(np.float32)
B = R.standard_normal((3, 4)).astype(np.float32)
ROW = R.standard_normal((4,)).astype(np.float32)
COL = R.standard_normal((3, 1)).astype(np.float32)
POS = (np.abs(A) + 0.5).astype(np.float32)
SCALAR0 = np.array(1.5, dtype=np.float32)

# name -> (fn(lib, *tensors), inputs)
CASES = {
    "add": (lambda L, a, b: L.add(a, b), (A, B)),
    "add_alpha": (lambda L, a, b: L.add(a, b, alpha=2.5), (A, B)),
    "add_broadcast_row": (lambda L, a, b: a + b, (A, ROW)),
    "add_broadcast_col": (lambda L, a, b: b + a, (A, COL)),
    "add_scalar": (lambda L, a: a + 2, (A,)),
    "radd_scalar": (lambda L, a: 2.5 + a, (A,)),
    "add_0dim": (lambda L, a, s: a + s, (A, SCALAR0)),
    "sub": (lambda L, a, b: a - b, (A, B)),
    "sub_alpha": (lambda L, a, b: L.sub(a, b, alpha=3), (A, ROW)),
    "rsub_scalar": (lambda L, a: 1 - a, (A,)),
    "mul": (lambda L, a, b: a * b, (A, B)),
    "mul_broadcast": (lambda L, a, b: a * b, (COL, ROW)),
    "mul_scalar": (lambda L, a: a * 0.5, (A,)),
    "rmul_scalar": (lambda L, a: 3 * a, (A,)),
    "mul_self": (lambda L, a: a * a, (A,)),
    "div": (lambda L, a, b: a / b, (A, POS)),
    "rdiv_scalar": (lambda L, a: 2 / a, (POS,)),
    "div_broadcast": (lambda L, a, b: a / b, (A, ROW + 3)),
    "div_trunc": (lambda L, a, b: L.div(a * 4, b, rounding_mode="trunc"), (A, POS)),
    "div_floor": (lambda L, a, b: L.div(a * 4, b, rounding_mode="floor"), (A, POS)),
    "floor_divide": (lambda L, a, b: (a.detach() * 4) // b.detach(), (A, POS)),
    "remainder": (lambda L, a, b: L.remainder(a * 4, b), (A, POS)),
    "mod_operator": (lambda L, a: a % 0.7, (A,)),
    "fmod": (lambda L, a, b: L.fmod(a * 4, b), (A, POS)),
    "pow_scalar": (lambda L, a: a ** 3, (A,)),
    "pow_square": (lambda L, a: a ** 2, (A,)),
    "pow_half": (lambda L, a: a ** 0.5, (POS,)),
    "pow_neg": (lambda L, a: L.pow(a, -1.5), (POS,)),
    "pow_zero": (lambda L, a: a ** 0, (A,)),
    "pow_tensor": (lambda L, a, b: L.pow(a, b), (POS, B)),
    "rpow": (lambda L, a: 2 ** a, (A,)),
    "neg": (lambda L, a: -a, (A,)),
    "neg_fn": (lambda L, a: L.neg(a), (A,)),
    "reciprocal": (lambda L, a: L.reciprocal(a), (POS,)),
    "addcmul": (lambda L, a, b, c: L.addcmul(a, b, c, value=0.5), (A, B, ROW)),
    "addcdiv": (lambda L, a, b, c: L.addcdiv(a, b, c, value=2), (A, B, POS)),
    "lerp_scalar": (lambda L, a, b: L.lerp(a, b, 0.3), (A, B)),
    "lerp_tensor": (lambda L, a, b, w: L.lerp(a, b, w), (A, B, POS / 4)),
    "chain": (lambda L, a, b: ((a * b + a / (b * b + 1)) - 3 * a) * 0.5, (A, B)),
    "float64": (lambda L, a, b: a * b + a, (A.astype(np.float64), B.astype(np.float64))),
    "mixed_precision": (lambda L, a, b: a * b, (A, B.astype(np.float64))),
    "float16": (lambda L, a, b: a * b + a, (A.astype(np.float16), B.astype(np.float16))),
    "empty": (lambda L, a, b: a * b + a, (np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32))),
    "zero_dim": (lambda L, a, b: a * b - a / b, (SCALAR0, SCALAR0 + 1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    fn, inputs = CASES[name]
    compare(fn, *inputs)


GRADCHECK = ["add_alpha", "add_broadcast_col", "sub_alpha", "rsub_scalar", "mul_broadcast", "div",
             "rdiv_scalar", "pow_scalar", "pow_neg", "pow_tensor", "rpow", "reciprocal", "addcmul",
             "addcdiv", "lerp_tensor", "chain", "remainder", "fmod"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck(name):
    fn, inputs = CASES[name]
    gradcheck_fd(fn, *[x[:2] if x.ndim == 2 and x.shape[0] > 1 else x for x in inputs])


# dtype promotion: (left, right) -> torch decides
PROMOTION = [
    (np.array([1, 2], np.int64), 2.5),
    (np.array([1, 2], np.int32), np.array([3, 4], np.int64)),
    (np.array([1, 2], np.int8), 1000),
    (np.array([1, 2], np.uint8), np.array([1, 2], np.int8)),
    (np.array([1., 2.], np.float32), np.array(2., np.float64)),
    (np.array([1, 2], np.int32), np.array(1.5, np.float64)),
    (np.array([1., 2.], np.float16), np.array([1, 2], np.int64)),
    (np.array([True, False]), 3),
    (np.array([True, False]), np.array([True, True])),
    (np.array([1, 2], np.int64), True),
    (np.array([1., 2.], np.float64), np.array([1., 2.], np.float32)),
]


@pytest.mark.parametrize("op", ["add", "mul", "div", "sub"])
@pytest.mark.parametrize("case", range(len(PROMOTION)))
def test_promotion(op, case):
    left, right = PROMOTION[case]
    if op == "sub" and (left.dtype == np.bool_ or isinstance(right, bool)):
        for lib in (gradstep, torch):
            b = lib.tensor(right) if isinstance(right, np.ndarray) else right
            with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with"):
                lib.sub(lib.tensor(left), b)
        return
    results = []
    for lib in (gradstep, torch):
        a = lib.tensor(left)
        b = lib.tensor(right) if isinstance(right, np.ndarray) else right
        results.append(getattr(lib, op)(a, b))
    g, t = results
    assert str(g.dtype) == str(t.dtype)
    np.testing.assert_allclose(np.asarray(g.tolist(), dtype=np.float64),
                               np.asarray(t.tolist(), dtype=np.float64), rtol=1e-6)


def test_floor_divide_has_no_derivative():
    for lib in (gradstep, torch):
        x = lib.tensor([3., 4.], requires_grad=True)
        y = x // 2
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not "
                                               "implemented"):
            y.sum().backward()


def test_int_division_is_float32():
    g = gradstep.tensor([1, 2]) / gradstep.tensor([3, 3])
    assert g.dtype is gradstep.float32
    np.testing.assert_allclose(g.tolist(), [1 / 3, 2 / 3], rtol=1e-6)


def test_integer_floor_and_trunc_division():
    a = np.array([-7, 7, -8, 9], np.int64)
    b = np.array([2, -2, 3, 3], np.int64)
    for mode in ("trunc", "floor"):
        g = gradstep.div(gradstep.tensor(a), gradstep.tensor(b), rounding_mode=mode)
        t = torch.div(torch.tensor(a), torch.tensor(b), rounding_mode=mode)
        assert g.tolist() == t.tolist() and str(g.dtype) == str(t.dtype)


@pytest.mark.parametrize("method,args", [
    ("add_", (1.5,)), ("sub_", (0.5,)), ("mul_", (2,)), ("div_", (4,)), ("pow_", (2,)),
    ("neg_", ()), ("addcmul_", "tensors"), ("lerp_", "lerp"),
])
def test_inplace_matches_torch(method, args):
    outs = []
    for lib in (gradstep, torch):
        x = lib.tensor(A.copy())
        if args == "tensors":
            call = (lib.tensor(B), lib.tensor(B))
        elif args == "lerp":
            call = (lib.tensor(B), 0.25)
        else:
            call = args
        r = getattr(x, method)(*call)
        assert r is x
        outs.append(x.tolist())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6)


def test_inplace_records_graph_on_non_leaf():
    grads = []
    for lib in (gradstep, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x * 1
        y.mul_(2)
        y.add_(x, alpha=2)
        z = y * y
        assert y.grad_fn.name() == "AddBackward0"
        z.sum().backward()
        grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_inplace_on_saved_self_raises_as_torch():
    for lib in (gradstep, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x * 1
        y.mul_(y)
        with pytest.raises(RuntimeError, match="one of the variables needed for gradient "
                                               "computation has been modified by an inplace"):
            y.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    x = gradstep.tensor([1., 2.], requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape(
            "a leaf Variable that requires grad is being used in an in-place operation.")):
        x.add_(1)
    with gradstep.no_grad():
        x.add_(1)
    assert x.tolist() == [2., 3.]


def test_inplace_cast_error():
    x = gradstep.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        x.add_(1.5)


def test_bool_subtraction_error():
    a = gradstep.tensor([True])
    with pytest.raises(RuntimeError, match=re.escape(
            "Subtraction, the `-` operator, with two bool tensors is not supported.")):
        a - a


def test_bool_negation_error():
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -gradstep.tensor([True])


def test_grad_fn_names():
    x = gradstep.tensor([1., 2.], requires_grad=True)
    tx = torch.tensor([1., 2.], requires_grad=True)
    for fn in (lambda a: a * 2, lambda a: a + a, lambda a: a - 1, lambda a: 1 - a,
               lambda a: a / 2, lambda a: a ** 2, lambda a: 2 ** a, lambda a: a ** a, lambda a: -a,
               lambda a: a.reciprocal(), lambda a: a.addcmul(a, a), lambda a: a.addcdiv(a, a + 1),
               lambda a: a.lerp(a * 2, 0.5), lambda a: a.lerp(a * 2, a)):
        assert fn(x).grad_fn.name() == fn(tx).grad_fn.name()


def test_double_backward_matches_torch():
    results = []
    for lib in (gradstep, torch):
        x = lib.tensor(POS[0], requires_grad=True)
        y = (x ** 3 / (x + 1) - 2 * x * x).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        g2, = lib.autograd.grad(g.sum(), x)
        results.append((g.tolist(), g2.tolist()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4)


def test_pow_zero_base_gradient():
    compare(lambda L, a, b: L.pow(a, b), np.array([0., 0., 2.], np.float32),
            np.array([2., 0., 1.], np.float32))


def test_scalar_operands_keep_signed_zero_and_nan():
    for lib in (gradstep, torch):
        x = lib.tensor([1., -2.])
        y = x * 0.0
        z = x * -0.0
        assert str(y) == str(torch.tensor([1., -2.]) * 0.0)
        assert str(z) == str(torch.tensor([1., -2.]) * -0.0)
        assert lib.isnan(x * float("nan")).all()


# ----- lerp: torch's CPU formula, bit for bit ---------------------------------------------------
# x + w (y - x) for |w| < 0.5, else y - (y - x)(1 - w), each multiply-add rounded once.

def _bits_equal(g, t):
    g, t = g.detach().numpy(), t.detach().numpy()
    assert g.dtype == t.dtype and g.shape == t.shape
    assert np.array_equal(g, t, equal_nan=True) and np.array_equal(np.signbit(g), np.signbit(t))


LERP_WEIGHTS = [0.3, 0.7, 0.5, 0.49999, -0.5, -0.6, 1.0, 0.0, 0.999, 1.5, -2.0, 4.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weight", LERP_WEIGHTS)
def test_lerp_scalar_weight_bit_exact(dtype, weight):
    r = np.random.default_rng(7)
    s = r.standard_normal(8000).astype(dtype)  # (up to _fma.EXACT_LIMIT elements)
    e = (r.standard_normal(8000) * r.choice([1e-3, 1., 1e3], 8000)).astype(dtype)
    out = []
    for lib in (gradstep, torch):
        a, b = lib.tensor(s), lib.tensor(e)
        c = a.clone()
        c.lerp_(b, weight)
        out.append((lib.lerp(a, b, weight), c))
    _bits_equal(out[0][0], out[1][0])
    _bits_equal(out[0][1], out[1][1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("wshape", [(8000,), (1,), (100, 1)])
def test_lerp_tensor_weight_bit_exact(dtype, wshape):
    r = np.random.default_rng(8)
    s = r.standard_normal((100, 80) if wshape == (100, 1) else 8000).astype(dtype)
    e = r.standard_normal(s.shape).astype(dtype)
    w = r.uniform(-1, 2, wshape).astype(dtype)
    g = gradstep.lerp(gradstep.tensor(s), gradstep.tensor(e), gradstep.tensor(w))
    t = torch.lerp(torch.tensor(s), torch.tensor(e), torch.tensor(w))
    _bits_equal(g, t)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weight", [0.3, 0.7, 1.0, 0.0, -2.0, 0.75, 4.0])
def test_lerp_extreme_values_bit_exact(dtype, weight):
    v = [np.inf, -np.inf, np.nan, 1e308, -1e308, 0., -0., 1e-300, 3e38, -3e38, 1., 3., 1e-30, 7e20]
    with np.errstate(all="ignore"):
        a = np.array([[x] * len(v) for x in v]).astype(dtype)
    b = a.T.copy()
    _bits_equal(gradstep.lerp(gradstep.tensor(a), gradstep.tensor(b), weight),
                torch.lerp(torch.tensor(a), torch.tensor(b), weight))


def test_lerp_gradients():
    compare(lambda L, a, b, w: L.lerp(a, b, w), A, B, POS * 0.3)
    compare(lambda L, a, b: L.lerp(a, b, 0.8), A, ROW)


def test_addcdiv_integer_message():
    msgs = []
    for lib in (gradstep, torch):
        i = lib.ones(2, dtype=lib.int64)
        with pytest.raises(RuntimeError) as info:
            lib.addcdiv(i, i, i)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    assert "in a future  release" in msgs[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("number", [1, 2.5, 0.1, -7, 0, 1e30, True])
def test_number_over_tensor_is_reciprocal_times_number(number, dtype):
    # torch: reciprocal(x) * number, so its graph and its rounding (bit for bit)
    data = np.random.default_rng(1).uniform(-3, 3, 200).astype(dtype)
    seen = []
    for lib in (torch, gradstep):
        x = lib.tensor(data, requires_grad=True)
        y = number / x
        y.sum().backward()
        seen.append((y.grad_fn.name(), [n.name() for n, _ in y.grad_fn.next_functions if n],
                     y.detach().numpy().tobytes(), x.grad.numpy().tobytes()))
    assert seen[0] == seen[1]
