"""Edge cases of arithmetic and elementwise ops against torch, each table one kind of edge.

Every entry is a lambda of the library (``L`` is ``gradstep`` or ``torch``) run on both; the
outcomes must agree (see ``_outcome``: dtype, shape, values, or the exception's type and message,
and the warnings), here exactly unless a table says otherwise, the signs of zeros included.
"""
import math

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare
from _outcome import close, outcome

INF, NAN = math.inf, math.nan


def T(L, values, dtype="float32", requires_grad=False):
    """A tensor of ``values`` in the NumPy ``dtype`` for library ``L``."""
    with np.errstate(over="ignore"):
        return L.tensor(np.array(values, dtype), requires_grad=requires_grad)


def _zero_signs(summary):
    """The sign bits of the zeros in an outcome summary, in order."""
    if isinstance(summary, float):
        return [math.copysign(1., summary)] if summary == 0 else []
    if isinstance(summary, (list, tuple)):
        return [sign for item in summary for sign in _zero_signs(item)]
    return []


def assert_same_outcome(fn, rtol=0.0):
    """``fn(gradstep)`` and ``fn(torch)`` give the same outcome: float values bit for bit (-0.
    is not 0.), or within ``rtol`` where the formula rounds differently from torch's."""
    theirs, ours = outcome(fn, torch), outcome(fn, gradstep)
    assert close(ours, theirs, rtol, 0.0), f"\ngradstep: {ours}\ntorch:    {theirs}"
    assert _zero_signs(ours) == _zero_signs(theirs), f"\ngradstep: {ours}\ntorch:    {theirs}"


def run_table(table):
    return pytest.mark.parametrize("name", list(table))


# ----- float floor division and remainder ---------------------------------------------
# torch takes floor(x / y) from the exact multiple of y below x, not from the rounded quotient:
# 1 // 0.1 is 9; a remainder of 0 keeps x's sign.

_DIVIDENDS = [0., -0., 1., -1., 0.1, 0.3, 7., 0.7, 2., -2., 3., 2.5, -2.5, 1.5, -7.5, 1e10, 1e-7,
              INF, -INF, NAN]
_DIVISORS = [0.1, 0.3, 0.7, 2., -2., 3., -0.1, 1., -1., 0., -0., 1e-7, 2.5, INF, -INF, NAN]


def _grid(dtype):
    with np.errstate(over="ignore"):  # 1e10 is inf in float16
        x = np.repeat(np.array(_DIVIDENDS, dtype), len(_DIVISORS))
    y = np.tile(np.array(_DIVISORS, dtype), len(_DIVIDENDS))
    return x, y


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", [
    lambda L, x, y: x // y,
    lambda L, x, y: L.div(x, y, rounding_mode="floor"),
    lambda L, x, y: L.floor_divide(x, y),
    lambda L, x, y: x % y,
    lambda L, x, y: L.remainder(x, y),
], ids=["floordiv_op", "div_floor", "floor_divide", "mod_op", "remainder"])
def test_float_floor_division_and_remainder(op, dtype):
    x, y = _grid(dtype)
    assert_same_outcome(lambda L: op(L, L.tensor(x), L.tensor(y)))


def test_floor_division_of_huge_quotients():
    x = np.array([1e300, 1e300, 5., 3e38, -1e300], np.float64)
    y = np.array([1e-10, 3., 1e-300, 7., 3.], np.float64)
    assert_same_outcome(lambda L: L.tensor(x) // L.tensor(y))


def test_remainder_gradient_for_the_divisor_uses_floor_division():
    # d(x % y)/dy = -floor(x / y): nan for an infinite x, -9 (not -10) for 1 % 0.1
    compare(lambda L, x, y: x % y, np.array([INF, 5., 1., -3.], np.float32),
            np.array([2., 2., 0.1, 2.], np.float32))


# ----- a Python number on the left of // and % --------------------------------------------

REFLECTED = {
    "floordiv_1e300_float64": lambda L: 1e300 // T(L, [1., 3.], "float64"),
    "mod_3e38_float64": lambda L: 3e38 % T(L, [1., 3.], "float64"),
    "remainder_1e300_float64": lambda L: L.remainder(1e300, T(L, [1., 3.], "float64")),
    "floordiv_int_int8_0dim": lambda L: 7 // T(L, 2, "int8"),
    "floordiv_float_int8_0dim": lambda L: 7.5 // T(L, 2, "int8"),
    "mod_int_int8_0dim": lambda L: 7 % T(L, 2, "int8"),
    "mod_float_float16_0dim": lambda L: 2.5 % T(L, 2., "float16"),
    "remainder_float_float16_0dim": lambda L: L.remainder(2.5, T(L, 2., "float16")),
    "floordiv_wraps_int8": lambda L: 300 // T(L, [1, 2, 3], "int8"),
    "mod_wraps_int8": lambda L: 300 % T(L, [1, 2, 3], "int8"),
    "floordiv_bool_int8": lambda L: True // T(L, [1, 2, 3], "int8"),
    "floordiv_too_big": lambda L: 2**70 // T(L, [1, 2], "int64"),
    "mod_too_negative": lambda L: -2**70 % T(L, [1., 2.]),
    "rdiv_int8_0dim": lambda L: 2.5 / T(L, 2, "int8"),
}


@run_table(REFLECTED)
def test_number_on_the_left(name):
    assert_same_outcome(REFLECTED[name])


# ----- Python numbers out of the range of the dtype they become -----------------------
# torch checks clamp bounds, where's numbers, alpha, pow exponents, addcmul's value and lerp's
# weight (not the operands of + and kin, which wrap), and rejects ints beyond uint64 anywhere.

OVERFLOW = {
    "clamp_max_int8": lambda L: L.clamp(T(L, [1, 2, 3], "int8"), max=300),
    "clamp_min_int8": lambda L: L.clamp(T(L, [1, 2, 3], "int8"), min=-129),
    "clamp_float_bound_int8": lambda L: L.clamp(T(L, [1, 2, 3], "int8"), min=127.5),
    "clamp_uint8_negative_ok": lambda L: L.clamp(T(L, [1, 2, 3], "uint8"), min=-255),
    "clamp_uint8_too_negative": lambda L: L.clamp(T(L, [1, 2, 3], "uint8"), min=-256),
    "clamp_int16": lambda L: L.clamp(T(L, [1, 2], "int16"), 40000),
    "clamp_int32": lambda L: L.clamp(T(L, [1, 2], "int32"), 2**31),
    "clamp_int64": lambda L: L.clamp(T(L, [1, 2], "int64"), max=2**63),
    "clamp_float32": lambda L: L.clamp(T(L, [1., 2.]), max=1e300),
    "clamp_float32_inf_ok": lambda L: L.clamp(T(L, [1., 2.]), max=INF),
    "clamp_float16": lambda L: L.clamp(T(L, [1., 2.], "float16"), max=65505.),
    "clamp_float16_max_ok": lambda L: L.clamp(T(L, [1., 2.], "float16"), max=65504.),
    "clamp_float64_ok": lambda L: L.clamp(T(L, [1., 2.], "float64"), max=1e308),
    "clamp_int_too_big": lambda L: L.clamp(T(L, [1., 2.]), max=2**64),
    "where_int8": lambda L: L.where(T(L, [1, 2, 3], "int8") > 1, T(L, [1, 2, 3], "int8"), 300),
    "where_int8_left": lambda L: L.where(T(L, [1, 2, 3], "int8") > 1, 300, T(L, [1, 2, 3], "int8")),
    "where_two_numbers_ok": lambda L: L.where(T(L, [1, 2, 3], "int8") > 1, 300, 400),
    "where_float32": lambda L: L.where(T(L, [1., 2.]) > 1, T(L, [1., 2.]), 1e300),
    "where_float16_unchecked": lambda L: L.where(T(L, [1., 2.], "float16") > 1,
                                                 T(L, [1., 2.], "float16"), 1e10),
    "where_uint8_wraps": lambda L: L.where(T(L, [1, 2], "uint8") > 1, T(L, [1, 2], "uint8"), -1),
    "where_too_big": lambda L: L.where(T(L, [1., 2.]) > 1, T(L, [1., 2.]), 2**64),
    "add_alpha_int8": lambda L: L.add(T(L, [1, 2, 3], "int8"), T(L, [1, 2, 3], "int8"), alpha=300),
    "add_alpha_uint8_wraps": lambda L: L.add(T(L, [1, 2, 3], "uint8"), 1, alpha=-3),
    "add_alpha_float16": lambda L: L.add(T(L, [1., 2.], "float16"), 1, alpha=1e10),
    "add_alpha_float32": lambda L: L.add(T(L, [1., 2.]), T(L, [1., 2.]), alpha=1e300),
    "sub_alpha_int8": lambda L: L.sub(T(L, [1, 2, 3], "int8"), 1, alpha=300),
    "rsub_alpha_int8": lambda L: L.rsub(T(L, [1, 2, 3], "int8"), 1, alpha=300),
    "add_operand_wraps": lambda L: T(L, [1, 2, 3], "int8") + 300,
    "pow_int8": lambda L: T(L, [1, 2, 3], "int8") ** 300,
    "pow_uint8_negative": lambda L: T(L, [1, 2, 3], "uint8") ** -1,
    "pow_float16": lambda L: T(L, [1., 2.], "float16") ** 70000,
    "pow_float32_unchecked": lambda L: T(L, [1., 2.]) ** 1e300,
    "pow_int_too_big": lambda L: T(L, [1., 2.]) ** 2**70,
    "addcmul_value_int8": lambda L: L.addcmul(*[T(L, [1, 2, 3], "int8")] * 3, value=300),
    "addcmul_value_float_int8": lambda L: L.addcmul(*[T(L, [1, 2, 3], "int8")] * 3, value=127.9),
    "addcmul_value_nan_int8": lambda L: L.addcmul(*[T(L, [1, 2, 3], "int8")] * 3, value=NAN),
    "addcmul_value_float16": lambda L: L.addcmul(*[T(L, [1., 2.], "float16")] * 3, value=1e300),
    "addcmul_value_float16_ok": lambda L: L.addcmul(*[T(L, [1., 2.], "float16")] * 3, value=1e10),
    "addcdiv_value_float32": lambda L: L.addcdiv(*[T(L, [1., 2.])] * 3, value=1e300),
    "lerp_weight_float32": lambda L: L.lerp(T(L, [1., 2.]), T(L, [1., 2.]), 1e300),
    "lerp_weight_float16": lambda L: L.lerp(T(L, [1., 2.], "float16"), T(L, [3., 4.], "float16"),
                                            1e10),
    "float_plus_uint64_ok": lambda L: T(L, [1., 2.]) + 2**63,
    "float_plus_too_big": lambda L: T(L, [1., 2.]) + 2**64,
    "float_times_too_negative": lambda L: T(L, [1., 2.]) * (-2**63 - 1),
    "too_big_times_float": lambda L: 2**70 * T(L, [1., 2.]),
    "too_big_minus_float": lambda L: 2**70 - T(L, [1., 2.]),
    "float64_too_big": lambda L: T(L, [1., 2.], "float64") + 2**64,
    "int_plus_uint64_wraps": lambda L: T(L, [1, 2], "int64") + (2**64 - 1),
    "add_inplace_too_big": lambda L: T(L, [1., 2.]).add_(2**70),
}


@run_table(OVERFLOW)
def test_numbers_out_of_range(name):
    assert_same_outcome(OVERFLOW[name])


# ----- alpha and value with integer and bool tensors ------------------------------------

SCALARS = {
    "addcmul_int_value_truncated": lambda L: L.addcmul(*[T(L, [1, 2, 3], "int64")] * 3, value=2.5),
    "addcmul_int_negative_value": lambda L: L.addcmul(*[T(L, [1, 2, 3], "int8")] * 3, value=-3.7),
    "addcmul_uint8_value_wraps": lambda L: L.addcmul(*[T(L, [1, 2, 3], "uint8")] * 3, value=-3),
    "addcmul_uint8_negative_float": lambda L: L.addcmul(*[T(L, [1, 2, 3], "uint8")] * 3,
                                                        value=-3.5),
    "addcmul_bool_value": lambda L: L.addcmul(*[T(L, [1, 2, 3], "int8")] * 3, value=True),
    "addcdiv_int_input_float_value": lambda L: L.addcdiv(T(L, [1, 2, 3], "int8"),
                                                         T(L, [1, 2, 3], "int8"), T(L, [3.]),
                                                         value=2.5),
    "sub_float_alpha_int": lambda L: L.sub(T(L, [1, 2], "int64"), T(L, [1, 2], "int64"), alpha=2.5),
    "add_float_alpha_int": lambda L: L.add(T(L, [1, 2], "int64"), T(L, [1, 2], "int64"), alpha=1.),
    "add_bool_alpha_int": lambda L: L.add(T(L, [1, 2], "int64"), T(L, [1, 2], "int64"), alpha=True),
    "add_bool_alpha_float": lambda L: L.add(T(L, [1., 2.]), T(L, [1., 2.]), alpha=True),
    "sub_bool_alpha_int": lambda L: L.sub(T(L, [1, 2], "int64"), T(L, [1, 2], "int64"), alpha=True),
    "add_bool_bool_alpha_int": lambda L: L.add(T(L, [True, False], "bool"),
                                               T(L, [True, True], "bool"), alpha=2),
    "add_bool_bool_alpha_0": lambda L: L.add(T(L, [True, False], "bool"),
                                             T(L, [True, True], "bool"), alpha=0),
    "add_bool_bool_alpha_float": lambda L: L.add(T(L, [True, False], "bool"),
                                                 T(L, [True, True], "bool"), alpha=2.5),
    "add_bool_int_alpha": lambda L: L.add(T(L, [True, False], "bool"), 1, alpha=2),
    "add_float_alpha_float_tensor": lambda L: L.add(T(L, [1., 2.]), T(L, [3., 4.]), alpha=1.),
}


@run_table(SCALARS)
def test_alpha_and_value(name):
    assert_same_outcome(SCALARS[name], rtol=1e-6)  # addcdiv's a / b rounds apart from torch's


# ----- shapes that do not broadcast -----------------------------------------------------

def _a(L, dtype="float32", requires_grad=False):
    return L.ones(3, dtype=getattr(L, dtype), requires_grad=requires_grad)


def _b(L, dtype="float32", requires_grad=False):
    return L.ones(2, dtype=getattr(L, dtype), requires_grad=requires_grad)


BROADCAST = {
    "add": lambda L: _a(L) + _b(L),
    "add_grad": lambda L: _a(L, requires_grad=True) + _b(L, requires_grad=True),
    "sub": lambda L: _a(L) - _b(L),
    "sub_grad": lambda L: _a(L, requires_grad=True) - _b(L),
    "mul": lambda L: _a(L) * L.ones(2, 1, 4),
    "mul_grad": lambda L: _a(L, requires_grad=True) * _b(L, requires_grad=True),
    "div": lambda L: _a(L) / _b(L),
    "div_grad": lambda L: _a(L, requires_grad=True) / _b(L, requires_grad=True),
    "pow": lambda L: _a(L) ** _b(L),
    "mod": lambda L: _a(L) % _b(L),
    "floordiv": lambda L: _a(L) // _b(L),
    "fmod": lambda L: L.fmod(_a(L), _b(L)),
    "int_add": lambda L: _a(L, "int64") + _b(L, "int64"),
    "int_mul": lambda L: _a(L, "int64") * _b(L, "int64"),
    "int_floordiv": lambda L: _a(L, "int64") // _b(L, "int64"),
    "int_mod": lambda L: _a(L, "int64") % _b(L, "int64"),
    "int_pow": lambda L: _a(L, "int64") ** _b(L, "int64"),
    "mixed_add": lambda L: _a(L, "int64") + _b(L),
    "add_fn": lambda L: L.add(_a(L), _b(L)),
    "add_alpha": lambda L: L.add(_a(L), _b(L), alpha=2),
    "sub_alpha": lambda L: L.sub(_a(L), _b(L), alpha=2),
    "rsub": lambda L: L.rsub(_a(L), _b(L)),
    "mul_fn": lambda L: L.mul(_a(L), _b(L)),
    "div_fn": lambda L: L.div(_a(L), _b(L)),
    "div_trunc": lambda L: L.div(_a(L), _b(L), rounding_mode="trunc"),
    "lerp": lambda L: L.lerp(_a(L), _b(L), 0.5),
    "lerp_weight": lambda L: L.lerp(_a(L), _a(L), _b(L)),
    "addcmul": lambda L: L.addcmul(_a(L), _b(L), _b(L)),
    "addcmul_int_float": lambda L: L.addcmul(_a(L, "int8"), _b(L), _b(L), value=2.5),
    "addcdiv": lambda L: L.addcdiv(_a(L), _b(L), _b(L)),
    "add_": lambda L: _a(L).add_(_b(L)),
    "mul_": lambda L: _a(L).mul_(_b(L)),
    "iadd": lambda L: _a(L).__iadd__(_b(L)),
    "int_0dim_add_float": lambda L: L.tensor(1).add_(L.ones(3)),
}


@run_table(BROADCAST)
def test_shapes_that_do_not_broadcast(name):
    assert_same_outcome(BROADCAST[name])


# ----- lerp: 0-dim float64, dtype checks, float16 -----------------------------------

LERP = {
    "0dim_float64": lambda L: L.lerp(T(L, 1., "float64"), T(L, 2., "float64"), 0.5),
    "0dim_float64_tensor_weight": lambda L: L.lerp(T(L, 1., "float64"), T(L, 2., "float64"),
                                                   T(L, 0.3, "float64")),
    "0dim_float64_inplace": lambda L: T(L, 1., "float64").lerp_(T(L, 2., "float64"),
                                                                T(L, 0.3, "float64")),
    "0dim_with_vector_float64": lambda L: L.lerp(T(L, 1., "float64"), T(L, [2., 3.], "float64"),
                                                 0.7),
    "end_float64": lambda L: L.lerp(T(L, [1., 2.]), T(L, [3., 4.], "float64"), 0.5),
    "end_0dim_float64": lambda L: L.lerp(T(L, [1., 2.]), T(L, 3., "float64"), 0.5),
    "end_int8": lambda L: L.lerp(T(L, [1., 2.]), T(L, [3, 4], "int8"), 0.5),
    "end_bool": lambda L: L.lerp(T(L, [1., 2.]), T(L, [True, False], "bool"), 0.5),
    "input_float16": lambda L: L.lerp(T(L, [1., 2.], "float16"), T(L, [3., 4.]), 0.5),
    "int_tensors": lambda L: L.lerp(T(L, [1, 2], "int64"), T(L, [3, 4], "int64"), 0.5),
    "int_tensors_tensor_weight": lambda L: L.lerp(*[T(L, [1, 2], "int64")] * 3),
    "int_tensors_0dim_float_weight": lambda L: L.lerp(T(L, [1, 2], "int64"), T(L, [3, 4], "int64"),
                                                      T(L, 0.5, "float64")),
    "weight_int": lambda L: L.lerp(T(L, [1., 2.]), T(L, [3., 4.]), T(L, [1, 0], "int64")),
    "weight_float64": lambda L: L.lerp(T(L, [1., 2.]), T(L, [3., 4.]), T(L, [1., 0.], "float64")),
    "weight_0dim_float64_ok": lambda L: L.lerp(T(L, [1., 2.]), T(L, [3., 4.]),
                                               T(L, 0.25, "float64")),
    "weight_0dim_bool_ok": lambda L: L.lerp(T(L, [1., 2.]), T(L, [3., 4.]), T(L, True, "bool")),
    "end_number": lambda L: L.lerp(T(L, [1., 2.]), 2., 0.5),
    "input_number": lambda L: L.lerp(1., T(L, [1., 2.]), 0.5),
    "weight_none": lambda L: L.lerp(T(L, [1., 2.]), T(L, [3., 4.]), None),
    "bool_tensors": lambda L: L.lerp(*[T(L, [True, False], "bool")] * 2, 0.5),
}


@run_table(LERP)
def test_lerp_edges(name):
    assert_same_outcome(LERP[name])


@pytest.mark.parametrize("weight", [0.3, 0.7, 0.5, -0.6, 1.5, 4.0, 1e10, "tensor"])
def test_lerp_float16_computes_in_float32(weight):
    r = np.random.default_rng(3)
    s = (r.standard_normal(5000) * r.choice([1e-3, 1., 1e4], 5000)).astype(np.float16)
    e = (r.standard_normal(5000) * r.choice([1e-3, 1., 1e4], 5000)).astype(np.float16)
    w = r.uniform(-1, 2, 5000).astype(np.float16)
    assert_same_outcome(lambda L: L.lerp(L.tensor(s), L.tensor(e),
                                         L.tensor(w) if weight == "tensor" else weight))


def test_lerp_float16_gradients():
    compare(lambda L, a, b, w: L.lerp(a, b, w), np.array([1., -2., 3.], np.float16),
            np.array([0.5, 4., -1.], np.float16), np.array([0.25, 0.75, 2.], np.float16))


# ----- integers to negative tensor powers -----------------------------------------------

INT_POW = {
    "tensor_exponents": lambda L: L.pow(T(L, [0, 1, 2, -1], "int64"),
                                        T(L, [-1, -1, -1, -3], "int64")),
    "0dim_exponent": lambda L: L.pow(T(L, [0, 1, 2, -1, 3, -2], "int64"), T(L, -2, "int64")),
    "int8": lambda L: L.pow(T(L, [0, 1, 2, -1], "int8"), T(L, [-1, -2, 3, -3], "int8")),
    "number_base": lambda L: 2 ** T(L, [-1, 2], "int64"),
    "minus_one_base": lambda L: (-1) ** T(L, [-1, 2, -2, -3], "int64"),
    "zero_base": lambda L: 0 ** T(L, [-1, 2], "int64"),
    "minus_one_base_int8": lambda L: L.pow(-1, T(L, [-1, -2], "int8")),
    "number_exponent_raises": lambda L: T(L, [1, 2], "int64") ** -1,
    "number_base_wraps": lambda L: L.pow(300, T(L, [1, 2, 3], "int8")),
}


@run_table(INT_POW)
def test_integer_powers(name):
    assert_same_outcome(INT_POW[name])


# ----- Python numbers as the first argument ---------------------------------------------

NUMBER_FIRST = {
    "add": lambda L: L.add(1, T(L, [1., 2.])),
    "add_int8": lambda L: L.add(1, T(L, [1, 2], "int8")),
    "add_float_int8": lambda L: L.add(1.5, T(L, [1, 2], "int8")),
    "add_alpha": lambda L: L.add(1, T(L, [1., 2.]), alpha=2),
    "add_two_numbers": lambda L: L.add(1, 2),
    "sub": lambda L: L.sub(1, T(L, [1., 2.])),
    "sub_int8": lambda L: L.sub(1, T(L, [1, 2], "int8")),
    "sub_alpha": lambda L: L.sub(1, T(L, [1., 2.]), alpha=2),
    "sub_bools": lambda L: L.sub(True, T(L, [True, False], "bool")),
    "subtract": lambda L: L.subtract(1, T(L, [1., 2.])),
    "mul": lambda L: L.mul(2, T(L, [1, 2], "int8")),
    "mul_two_numbers": lambda L: L.mul(2, 3),
    "div": lambda L: L.div(2, T(L, [1., 2.])),
    "div_int8": lambda L: L.div(2, T(L, [1, 2, 3], "int8")),
    "div_floor": lambda L: L.div(7, T(L, [1, 2, 3], "int8"), rounding_mode="floor"),
    "div_trunc": lambda L: L.div(7, T(L, [1.5, 2.5]), rounding_mode="trunc"),
    "div_two_numbers": lambda L: L.div(1, 2),
    "divide": lambda L: L.divide(1, T(L, [1.5, 2.5])),
    "true_divide": lambda L: L.true_divide(2, T(L, [1, 2, 3], "int8")),
    "floor_divide": lambda L: L.floor_divide(7, T(L, [1, 2, 3], "int8")),
    "remainder": lambda L: L.remainder(7, T(L, [1, 2, 3], "int8")),
    "pow": lambda L: L.pow(2.5, T(L, [1, 2, 3], "int8")),
    "clamp_number_and_0dim": lambda L: L.clamp(T(L, [1.5, 2.5]), 1.6, T(L, 1.8)),
    "clamp_0dim_and_number": lambda L: L.clamp(T(L, [1.5, 2.5]), T(L, 1.8), 2),
    "clamp_0dim_promotes": lambda L: L.clamp(T(L, [1, 2, 3], "int8"), 1.5, T(L, 2, "int64")),
    "clamp_0dim_checks_range": lambda L: L.clamp(T(L, [1, 2, 3], "int8"), T(L, 2, "int64"), 300),
    "clamp_vector_and_number": lambda L: L.clamp(T(L, [1.5, 2.5]), T(L, [1., 2.]), 2),
    # and what torch refuses
    "fmod": lambda L: L.fmod(7, T(L, [1.5, 2.5])),
    "fmod_str": lambda L: L.fmod(T(L, [1.5, 2.5]), "a"),
    "pow_two_numbers": lambda L: L.pow(2, 3),
    "pow_str": lambda L: L.pow(T(L, [1.5]), "a"),
    "remainder_two_numbers": lambda L: L.remainder(7, 2),
    "remainder_str": lambda L: L.remainder(T(L, [1.5]), "a"),
    "add_none": lambda L: L.add(None, T(L, [1.])),
    "sub_none": lambda L: L.sub(None, T(L, [1.])),
    "div_none": lambda L: L.div(None, T(L, [1.])),
    "clamp_number": lambda L: L.clamp(1., 0.),
    "clamp_str_bound": lambda L: L.clamp(T(L, [1.]), 1, "a"),
    # reflected operators with no number on the left: Python's own TypeError
    "list_minus": lambda L: [1, 2] - T(L, [1., 2.]),
    "list_div": lambda L: [1, 2] / T(L, [1., 2.]),
    "list_floordiv": lambda L: [1, 2] // T(L, [1., 2.]),
    "list_mod": lambda L: [1, 2] % T(L, [1., 2.]),
    "list_pow": lambda L: [1, 2] ** T(L, [1., 2.]),
    "none_div": lambda L: None / T(L, [1., 2.]),
}


@run_table(NUMBER_FIRST)
def test_numbers_as_first_argument(name):
    assert_same_outcome(NUMBER_FIRST[name])


# ----- bool tensors ---------------------------------------------------------------------

def _bools(L):
    return T(L, [True, False], "bool")


BOOLS = {
    "float_minus_bool": lambda L: T(L, [1., 2.]) - _bools(L),
    "int_sub_bool_inplace": lambda L: T(L, [1, 2], "int64").sub_(_bools(L)),
    "floordiv": lambda L: _bools(L) // _bools(L),
    "floordiv_true": lambda L: _bools(L) // True,
    "floordiv_int_ok": lambda L: _bools(L) // 2,
    "floordiv_reflected": lambda L: True // _bools(L),
    "div_floor": lambda L: L.div(_bools(L), _bools(L), rounding_mode="floor"),
    "div_trunc": lambda L: L.div(_bools(L), True, rounding_mode="trunc"),
    "mod": lambda L: _bools(L) % _bools(L),
    "mod_int_ok": lambda L: _bools(L) % 2,
    "remainder_number": lambda L: L.remainder(True, _bools(L)),
    "fmod": lambda L: L.fmod(_bools(L), _bools(L)),
    "fmod_int_ok": lambda L: L.fmod(_bools(L), 2),
    "pow": lambda L: L.pow(_bools(L), _bools(L)),
    "pow_number_base": lambda L: L.pow(True, _bools(L)),
    "pow_int_base_ok": lambda L: L.pow(2, _bools(L)),
    "pow_true": lambda L: _bools(L) ** True,
    "pow_false": lambda L: _bools(L) ** False,
    "pow_int": lambda L: _bools(L) ** 2,
    "pow_float": lambda L: _bools(L) ** 2.5,
    "addcmul": lambda L: L.addcmul(*[_bools(L)] * 3),
    "clamp_min": lambda L: L.clamp(_bools(L), min=True),
    "clamp_max": lambda L: L.clamp(_bools(L), max=True),
    "clamp_both": lambda L: L.clamp(_bools(L), True, True),
    "clamp_min_fn": lambda L: L.clamp_min(_bools(L), True),
    "clamp_int_bound_ok": lambda L: L.clamp(_bools(L), min=1),
    "clamp_tensor_bounds": lambda L: L.clamp(*[_bools(L)] * 3),
    "clamp_tensor_min_ok": lambda L: L.clamp(_bools(L), _bools(L)),
    "round_int_ok": lambda L: L.round(T(L, [1, 2], "int64")),
    "round_int_decimals_0": lambda L: L.round(T(L, [1, 2], "int64"), decimals=0),
    "round_float_decimals_0": lambda L: L.round(T(L, [1.5, 2.5]), decimals=0),
}


@run_table(BOOLS)
def test_bool_tensors(name):
    assert_same_outcome(BOOLS[name])


# ----- round(decimals=), logit's eps, gradient edges of pow ------------------------

ROUNDING = {
    "float16_decimals_5": lambda L: L.round(T(L, [1.5, 65504., 710., 0.1], "float16"), decimals=5),
    "float16_decimals_1": lambda L: L.round(T(L, [1.5, 65504., 710., 0.15], "float16"),
                                            decimals=1),
    "float16_decimals_neg": lambda L: L.round(T(L, [1.5, 65504., 750.], "float16"), decimals=-2),
    "decimals_400": lambda L: L.round(T(L, [1.5, 0.]), decimals=400),
    "decimals_minus_400": lambda L: L.round(T(L, [1.5, 0.]), decimals=-400),
    "float32_decimals_39": lambda L: L.round(T(L, [1.5, 1e-30]), decimals=39),
    "float64_decimals": lambda L: L.round(T(L, [1.5, 2.55, 1e300, -0.05], "float64"), decimals=1),
    "logit_eps_above_half": lambda L: L.logit(T(L, [0., 0.5, 1.]), eps=0.6),
    "logit_eps_1": lambda L: L.logit(T(L, [0.3]), eps=1.),
    "logit_eps_nan": lambda L: L.logit(T(L, [0.3, 0., 1., NAN], "float64"), eps=0.7),
    "logit_int_eps": lambda L: L.logit(T(L, [0, 1], "int64"), eps=0.6),
}


@run_table(ROUNDING)
def test_round_and_logit(name):
    # round is bit for bit; logit's log(p / (1 - p)) may be an ulp from torch's
    assert_same_outcome(ROUNDING[name], rtol=1e-6 if name.startswith("logit") else 0.0)


def test_round_float16_matches_torch_over_many_values():
    r = np.random.default_rng(5)
    x = (r.standard_normal(3000) * 10.0 ** r.integers(-4, 5, 3000)).astype(np.float16)
    for decimals in (-3, -1, 1, 2, 3, 5):
        assert_same_outcome(lambda L: L.round(L.tensor(x), decimals=decimals))


@pytest.mark.parametrize("eps", [0.6, 0.9])
def test_logit_eps_above_half_gradient(eps):
    compare(lambda L, x: L.logit(x, eps=eps), np.array([0.05, 0.3, 0.5, 0.7, 0.95], np.float32))


GRADIENT_EDGES = {
    "zero_base": (lambda L, y: 0. ** y, [np.array([-1., 2., 0., -0.5], np.float32)]),
    "sqrt_at_minus_zero": (lambda L, x: x ** 0.5, [np.array([-0., 0., 4.], np.float32)]),
    "rsqrt_at_minus_zero": (lambda L, x: x ** -0.5, [np.array([-0., 0., 4.], np.float64)]),
    "pow_1_5_at_zero": (lambda L, x: x ** 1.5, [np.array([-0., 0., 4.], np.float32)]),
}


@run_table(GRADIENT_EDGES)
def test_pow_gradient_edges(name):
    fn, inputs = GRADIENT_EDGES[name]
    g, t = compare(fn, *inputs)
    assert np.array_equal(np.signbit(g.detach().numpy()), np.signbit(t.detach().numpy()))


def test_pow_minus_half_forward_is_one_over_sqrt():
    # torch: -0. ** -0.5 is -inf and -inf ** -0.5 is nan (NumPy's power: inf and 0)
    assert_same_outcome(lambda L: T(L, [-0., 0., -INF, INF, 4.]) ** -0.5)
    assert_same_outcome(lambda L: T(L, [-0., 0., -INF, INF, 4.], "float64") ** -0.5)


# ----- messages -------------------------------------------------------------------------

MESSAGES = {
    "clamp_inplace_long": lambda L: T(L, [1, 2], "int64").clamp_(0.5),
    "clamp_min_inplace_char": lambda L: T(L, [1, 2], "int8").clamp_min_(0.5),
    "clamp_max_inplace_bool": lambda L: T(L, [True], "bool").clamp_max_(0.5),
    "clip_inplace_int": lambda L: T(L, [1, 2], "int32").clip_(0.5),
    "clamp_inplace_tensor_bound": lambda L: T(L, [1, 2], "int64").clamp_(T(L, 0.5)),
    "clamp_inplace_int_ok": lambda L: T(L, [1, 5], "int64").clamp_(2, 3),
    "clamp_min_none": lambda L: L.clamp_min(T(L, [1., 2.]), None),
    "clamp_max_none": lambda L: L.clamp_max(T(L, [1., 2.]), None),
    "clamp_none_none": lambda L: L.clamp(T(L, [1., 2.]), None, None),
    "allclose_number": lambda L: L.allclose(T(L, [1., 2.]), 1.),
    "addcdiv_inplace_number": lambda L: T(L, [1., 2.]).addcdiv_(1., T(L, [1., 2.])),
    "addcmul_inplace_number": lambda L: T(L, [1., 2.]).addcmul_(T(L, [1., 2.]), 2.),
    "addcmul_method_number": lambda L: T(L, [1., 2.]).addcmul(2., T(L, [1., 2.])),
    "addcdiv_method_number": lambda L: T(L, [1., 2.]).addcdiv(T(L, [1., 2.]), 2.),
    "addcmul_number": lambda L: L.addcmul(T(L, [1., 2.]), 2., T(L, [1., 2.])),
    "addcmul_number_input": lambda L: L.addcmul(1., T(L, [1., 2.]), T(L, [1., 2.])),
    "atan2_inplace_number": lambda L: T(L, [1., 2.]).atan2_(1.),
    "atan2_method_number": lambda L: T(L, [1., 2.]).atan2(1.),
    "atan2_number": lambda L: L.atan2(T(L, [1., 2.]), 1.),
    "maximum_method_number": lambda L: T(L, [1., 2.]).maximum(1.),
    "minimum_method_number": lambda L: T(L, [1., 2.]).minimum(1.),
    "int_0dim_add_inplace_vector": lambda L: L.tensor(1).add_(L.ones(3)),
    "float_plus_huge_int": lambda L: T(L, [1., 2.]) + 2**70,
}


@run_table(MESSAGES)
def test_messages(name):
    assert_same_outcome(MESSAGES[name])


# ----- fill values (shared with full and x[i] = v): the same range checks ---------------------

FILLS = {
    "full_int8_float": lambda L: L.full((2,), 300.5, dtype=L.int8),
    "full_int8_nan": lambda L: L.full((2,), NAN, dtype=L.int8),
    "full_uint8_negative_float": lambda L: L.full((2,), -1.5, dtype=L.uint8),
    "full_uint8_negative_int_ok": lambda L: L.full((2,), -1, dtype=L.uint8),
    "full_too_big": lambda L: L.full((2,), 2**70, dtype=L.float32),
    "fill_too_negative": lambda L: L.zeros(2, dtype=L.float64).fill_(-2**70),
    "setitem_int8_float": lambda L: L.zeros(2, dtype=L.int8).__setitem__(0, 1e300),
}


@run_table(FILLS)
def test_fill_values(name):
    assert_same_outcome(FILLS[name])
