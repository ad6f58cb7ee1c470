"""Deterministic tensor creation against torch: shapes, dtypes, values, errors."""
import functools
import re

import numpy as np
import pytest
import torch

import gradstep
from gradstep import _creation
from _compare import assert_same, compare
from _outcome import assert_same_outcome


def meth(L, t, name):
    """``t.name`` (falls back to the CreationMethods mixin until Tensor inherits it)."""
    if L is torch or hasattr(t, name):
        return getattr(t, name)
    return functools.partial(getattr(_creation.CreationMethods, name), t)


F32 = np.ones((2, 3), np.float32)
I32 = np.ones((2, 3), np.int32)

CASES = [
    ("zeros varargs", lambda L: L.zeros(2, 3)),
    ("zeros tuple", lambda L: L.zeros((2, 3))),
    ("zeros list dtype", lambda L: L.zeros([2, 3], dtype=L.int32)),
    ("zeros Size", lambda L: L.zeros(L.Size([2]))),
    ("zeros 0-dim", lambda L: L.zeros(())),
    ("zeros empty", lambda L: L.zeros(0, 3)),
    ("zeros size kw", lambda L: L.zeros(size=(2,))),
    ("zeros requires_grad", lambda L: L.zeros(2, requires_grad=True)),
    ("ones bool", lambda L: L.ones(2, 3, dtype=L.bool)),
    ("ones empty list", lambda L: L.ones([])),
    ("ones float64", lambda L: L.ones(4, dtype=L.float64)),
    ("empty shape", lambda L: L.empty(2, 3).shape),
    ("empty dtype", lambda L: str(L.empty((2, 3), dtype=L.int64).dtype)),
    ("full int", lambda L: L.full((2,), 1)),
    ("full float", lambda L: L.full((2,), 1.)),
    ("full bool", lambda L: L.full((2,), True)),
    ("full list dtype", lambda L: L.full([2, 1], 3, dtype=L.float32)),
    ("full tensor value", lambda L: L.full((2,), L.tensor(2.))),
    ("full 0-dim", lambda L: L.full((), 1.5)),
    ("full float to int", lambda L: L.full((2,), 1.5, dtype=L.int64)),
    ("full inf", lambda L: L.full((2,), float("inf"))),
    ("eye", lambda L: L.eye(3)),
    ("eye n m", lambda L: L.eye(2, 3)),
    ("eye int", lambda L: L.eye(3, dtype=L.int64)),
    ("eye bool", lambda L: L.eye(2, dtype=L.bool)),
    ("eye 0", lambda L: L.eye(0)),
    ("arange end", lambda L: L.arange(5)),
    ("arange start end", lambda L: L.arange(1, 4)),
    ("arange float step", lambda L: L.arange(0, 1, 0.3)),
    ("arange float start", lambda L: L.arange(1., 4)),
    ("arange int step", lambda L: L.arange(0, 10, 3)),
    ("arange negative step", lambda L: L.arange(10, 0, -3)),
    ("arange half steps", lambda L: L.arange(1, 2.5, 0.5)),
    ("arange count rounding", lambda L: L.arange(1, 1.3, 0.1)),
    ("arange neg float", lambda L: L.arange(-1.0, 1.0, 0.1)),
    ("arange numpy int", lambda L: L.arange(np.int64(3))),
    ("arange tensor", lambda L: L.arange(L.tensor(3))),
    ("arange tensor float", lambda L: L.arange(L.tensor(3.5))),
    ("arange dtype", lambda L: L.arange(0, 5, dtype=L.float64)),
    ("arange empty", lambda L: L.arange(3, 3)),
    ("arange float32 large", lambda L: L.arange(0, 100, 0.7)),
    ("arange requires_grad", lambda L: L.arange(0., 5, 2, requires_grad=True)),
    ("linspace", lambda L: L.linspace(0, 1, 5)),
    ("linspace kw", lambda L: L.linspace(0, 10, steps=3)),
    ("linspace one", lambda L: L.linspace(0, 1, 1)),
    ("linspace zero", lambda L: L.linspace(0, 1, 0)),
    ("linspace int", lambda L: L.linspace(0, 10, 4, dtype=L.int64)),
    ("linspace int32 neg", lambda L: L.linspace(-10, 10, 7, dtype=L.int32)),
    ("linspace descending", lambda L: L.linspace(1, 0, 4)),
    ("linspace float16", lambda L: L.linspace(0, 1, 5, dtype=L.float16)),
    ("linspace odd", lambda L: L.linspace(-3.3, 7.1, 11)),
    ("linspace float64", lambda L: L.linspace(-3.3, 7.1, 11, dtype=L.float64)),
    ("linspace tensor start", lambda L: L.linspace(L.tensor(0.), 1, 3)),
    ("logspace", lambda L: L.logspace(0, 2, 3)),
    ("logspace base", lambda L: L.logspace(0, 2, 3, base=2)),
    ("logspace int", lambda L: L.logspace(0, 3, 4, dtype=L.int64)),
    ("logspace float64", lambda L: L.logspace(-1, 1, 5, dtype=L.float64)),
    ("zeros_like", lambda L: L.zeros_like(L.tensor(I32))),
    ("zeros_like dtype", lambda L: L.zeros_like(L.tensor(F32), dtype=L.int64)),
    ("ones_like", lambda L: L.ones_like(L.tensor(F32, requires_grad=True))),
    ("ones_like requires_grad", lambda L: L.ones_like(L.tensor(F32), requires_grad=True)),
    ("empty_like", lambda L: L.empty_like(L.tensor(I32)).shape),
    ("full_like int truncates", lambda L: L.full_like(L.tensor(I32), 2.7)),
    ("full_like dtype", lambda L: L.full_like(L.tensor(F32), 7, dtype=L.float64)),
    ("new_zeros", lambda L: meth(L, L.tensor(I32), "new_zeros")(3)),
    ("new_zeros tuple", lambda L: meth(L, L.tensor(I32), "new_zeros")((3, 2))),
    ("new_ones dtype", lambda L: meth(L, L.tensor(F32, dtype=L.float64), "new_ones")(
        2, dtype=L.float32)),
    ("new_full", lambda L: meth(L, L.tensor(I32), "new_full")((2,), 3.7)),
    ("new_empty", lambda L: meth(L, L.tensor(F32), "new_empty")([2, 2]).shape),
    ("new_zeros requires_grad", lambda L: meth(L, L.tensor(F32), "new_zeros")(
        2, requires_grad=True)),
    ("new_tensor", lambda L: meth(L, L.tensor(I32), "new_tensor")([1.5, 2.5])),
    ("LongTensor size", lambda L: L.LongTensor(3).shape),
    ("LongTensor dtype", lambda L: str(L.LongTensor(3).dtype)),
    ("FloatTensor data", lambda L: L.FloatTensor([1, 2])),
    ("FloatTensor sizes", lambda L: L.FloatTensor(2, 3).shape),
    ("BoolTensor data", lambda L: L.BoolTensor([1, 0])),
    ("DoubleTensor empty", lambda L: L.DoubleTensor()),
    ("IntTensor", lambda L: str(L.IntTensor([1, 2]).dtype)),
    ("ShortTensor", lambda L: str(L.ShortTensor([1]).dtype)),
    ("CharTensor", lambda L: str(L.CharTensor([1]).dtype)),
    ("ByteTensor", lambda L: L.ByteTensor([1, 255])),
    ("HalfTensor", lambda L: str(L.HalfTensor([1.5]).dtype)),
    ("FloatTensor Size", lambda L: L.FloatTensor(L.Size([2, 2])).shape),
    ("isinstance float", lambda L: isinstance(L.ones(2), L.FloatTensor)),
    ("isinstance long no", lambda L: isinstance(L.ones(2, dtype=L.int64), L.FloatTensor)),
    ("isinstance long", lambda L: isinstance(L.ones(2, dtype=L.int64), L.LongTensor)),
    ("isinstance non tensor", lambda L: isinstance([1.0], L.FloatTensor)),
    ("legacy returns Tensor", lambda L: type(L.FloatTensor([1])) is L.Tensor),
    ("zeros default dtype float64", lambda L: (L.set_default_dtype(L.float64), L.zeros(2))[1]),
    ("arange default dtype float64", lambda L: (L.set_default_dtype(L.float64),
                                                L.arange(0, 1, 0.25))[1]),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_creation_matches_torch(name, fn):
    try:
        compare(lambda L: fn(L), rtol=1e-6, atol=1e-6)
    finally:
        torch.set_default_dtype(torch.float32)
        gradstep.set_default_dtype(gradstep.float32)


def test_creation_output_is_fresh_and_leaf():
    z = gradstep.zeros(2, requires_grad=True)
    assert z.is_leaf and z.requires_grad and z.grad_fn is None
    a, b = gradstep.ones(3), gradstep.ones(3)
    assert a.data_ptr() != b.data_ptr()


ERRORS = [
    lambda L: L.zeros(),
    lambda L: L.zeros(2.5),
    lambda L: L.zeros((2, "a")),
    lambda L: L.ones(-1),
    lambda L: L.empty(-1),
    lambda L: L.full((-1,), 1),
    lambda L: L.full(2, 1),
    lambda L: L.zeros(2, dtype=L.int64, requires_grad=True),
    lambda L: L.arange(0, 5, 2, requires_grad=True),
    lambda L: L.eye(-1),
    lambda L: L.eye(2, -1),
    lambda L: L.arange(0, 1, 0),
    lambda L: L.arange(5, 1),
    lambda L: L.arange(0, 1, -0.1),
    lambda L: L.arange(float("inf")),
    lambda L: L.arange(0, 3, 1, dtype=L.bool),
    lambda L: L.arange(0, 5, 0.5, dtype=L.int64),
    lambda L: L.linspace(0, 1, -1),
    lambda L: L.FloatTensor(-1),
    lambda L: L.IntTensor("ab"),
    lambda L: meth(L, L.ones(2), "new_zeros")(-1),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case):
    fn = ERRORS[case]
    with pytest.raises(Exception) as t_err:
        fn(torch)
    msg = str(t_err.value)
    if "received an invalid combination" in msg or "missing 1 required" in msg:
        with pytest.raises(type(t_err.value)):
            fn(gradstep)
        return
    with pytest.raises(type(t_err.value), match=re.escape(msg)):
        fn(gradstep)


def test_legacy_constructor_copies_data():
    src = [1.0, 2.0]
    t = gradstep.FloatTensor(src)
    src[0] = 5.0
    assert t.tolist() == [1.0, 2.0]


def test_out_argument():
    out = gradstep.empty(3)
    r = gradstep.arange(3, out=out)
    assert r is out
    assert_same(out, torch.arange(3, out=torch.empty(3)))


# ----- Python floats converted straight to the requested dtype ----------------------------------
# 1/1.05 as float64 keeps its double value (not rounded through float32 first); 1e40 stays finite.

DIRECT = {
    "tensor_scalar": lambda L, d: L.tensor(1 / 1.05, dtype=d),
    "tensor_list": lambda L, d: L.tensor([1 / 1.05, 2, 1e40], dtype=d),
    "tensor_nested": lambda L, d: L.tensor([[1 / 1.05], [0.1]], dtype=d),
    "tensor_mixed_bool": lambda L, d: L.tensor([1 / 1.05, True], dtype=d),
    "tensor_requires_grad": lambda L, d: L.tensor(0.1, dtype=d, requires_grad=True).detach(),
    "as_tensor_list": lambda L, d: L.as_tensor([1 / 1.05], dtype=d),
    "as_tensor_scalar": lambda L, d: L.as_tensor(1 / 1.05, dtype=d),
    "full": lambda L, d: L.full((2,), 1 / 1.05, dtype=d),
    "new_tensor": lambda L, d: L.zeros(1, dtype=d).new_tensor([1 / 1.05]),
    "new_full": lambda L, d: L.zeros(1, dtype=d).new_full((2,), 0.1),
    "full_like": lambda L, d: L.full_like(L.zeros(2, dtype=d), 0.1),
    "mul_scalar": lambda L, d: L.ones(3, dtype=d) * 0.1,
    "mul_scalar_inexact": lambda L, d: L.ones(3, dtype=d) * (1 / 1.05),
    "div_scalar": lambda L, d: L.ones(3, dtype=d) / 1.05,
    "add_scalar": lambda L, d: L.ones(3, dtype=d) + 0.1,
    "setitem": lambda L, d: L.zeros(2, dtype=d).index_fill(0, L.tensor([0]), 0.1),
}


ARITH = ("mul_scalar", "mul_scalar_inexact", "div_scalar", "add_scalar")


# float16 arithmetic is left out: torch computes it in float32 (opmath), gradstep in float16
@pytest.mark.parametrize("case,dtype", [(c, d) for c in sorted(DIRECT)
                                        for d in ("float64", "float32", "float16")
                                        if not (d == "float16" and c in ARITH)])
def test_python_floats_convert_directly_to_dtype(case, dtype):
    g = DIRECT[case](gradstep, getattr(gradstep, dtype))
    t = DIRECT[case](torch, getattr(torch, dtype))
    assert g.dtype == getattr(gradstep, dtype) and str(g.dtype) == str(t.dtype)
    assert g.tolist() == t.tolist()  # exact: bit-for-bit values


def test_legacy_double_tensor_keeps_doubles():
    assert gradstep.DoubleTensor([1 / 1.05]).tolist() == torch.DoubleTensor([1 / 1.05]).tolist()


# torch refuses a finite fill value out of the dtype's range (uint8 wraps; float16 is left out:
# torch's own rule there depends on the size); a float32 tensor from data overflows to inf.
FILL_VALUES = [("int16", 40000), ("int32", -2**40), ("int8", -129), ("float32", -1e300),
               ("float32", 3.4028235e38 * 1.0000001), ("uint8", -1),
               ("float32", float("inf")), ("float32", 3.4028234663852886e38), ("int8", 127)]
FILLERS = {
    "full": lambda L, d, v: L.full((2,), v, dtype=d),
    "new_full": lambda L, d, v: L.zeros(1, dtype=d).new_full((2,), v),
    "full_like": lambda L, d, v: L.full_like(L.zeros(2, dtype=d), v),
    "setitem": lambda L, d, v: _setitem(L.zeros(2, dtype=d), v),
}


def _setitem(t, v):
    t[0] = v
    return t


@pytest.mark.parametrize("filler", sorted(FILLERS))
@pytest.mark.parametrize("dtype,value", FILL_VALUES)
def test_fill_value_range_matches_torch(filler, dtype, value):
    out = []
    for lib in (gradstep, torch):
        try:
            out.append(FILLERS[filler](lib, getattr(lib, dtype), value).tolist())
        except RuntimeError as e:
            out.append(str(e))
    assert out[0] == out[1]


def test_overflowing_data_is_inf_without_warnings():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = gradstep.tensor([1e300, -1e300], dtype=gradstep.float32)
        g2 = gradstep.tensor(1e300)
    assert g.tolist() == torch.tensor([1e300, -1e300], dtype=torch.float32).tolist()
    assert g2.item() == torch.tensor(1e300).item()


# fill_ and full share torch's range check: an out-of-range number is an overflow error, except
# that an unsigned type accepts -max..max (a negative value wraps)
_FILL_CASES = [("uint8", v) for v in (255, 256, -1, -255, -256)] + \
    [("int8", v) for v in (127, 128, -128, -129)] + [("int16", 40000), ("int32", 2 ** 31),
                                                     ("int32", -2 ** 31), ("int64", 2 ** 62),
                                                     ("bool", 5)] + \
    [("float32", v) for v in (1e39, -1e39, float("inf"), 3.4e38)]


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize("dtype, value", _FILL_CASES)
def test_fill_and_full_range_checks_match_torch(dtype, value, size):
    assert_same_outcome(lambda lib: lib.zeros(size, dtype=getattr(lib, dtype)).fill_(value))
    assert_same_outcome(lambda lib: lib.full((size,), value, dtype=getattr(lib, dtype)))


# ----- checked fill values, integer ranges, inferred dtypes (each against torch's outcome) ------

FILL_AND_RANGE_CASES = [
    # full/full_like/new_full/fill_ check a value against the dtype, with C type names
    ("full int32 1e10", lambda L: L.full((2,), 1e10, dtype=L.int32)),
    ("full int64 1e10 fits", lambda L: L.full((2,), 1e10, dtype=L.int64)),
    ("full int64 1e19", lambda L: L.full((2,), 1e19, dtype=L.int64)),
    ("full 2**63", lambda L: L.full((2,), 2 ** 63)),
    ("full uint8 300", lambda L: L.full((2,), 300, dtype=L.uint8)),
    ("full uint8 -1 wraps", lambda L: L.full((2,), -1, dtype=L.uint8)),
    ("full uint8 -1.0", lambda L: L.full((2,), -1.0, dtype=L.uint8)),
    ("full uint8 255.5", lambda L: L.full((2,), 255.5, dtype=L.uint8)),
    ("full int32 nan", lambda L: L.full((2,), float("nan"), dtype=L.int32)),
    ("full int32 inf", lambda L: L.full((2,), float("inf"), dtype=L.int32)),
    ("full int16 nan", lambda L: L.full((2,), float("nan"), dtype=L.int16)),
    ("full int8 nan", lambda L: L.full((2,), float("nan"), dtype=L.int8)),
    ("full bool nan", lambda L: L.full((2,), float("nan"), dtype=L.bool)),
    ("full np.float64 to int32", lambda L: L.full((2,), np.float64(1e10), dtype=L.int32)),
    ("full tensor to int32", lambda L: L.full((2,), L.tensor(1e10), dtype=L.int32)),
    ("full np.int64 to uint8", lambda L: L.full((2,), np.int64(300), dtype=L.uint8)),
    ("full_like nan into int64", lambda L: L.full_like(L.tensor([1]), float("nan"))),
    ("full_like 1e19 into int64", lambda L: L.full_like(L.tensor([1]), 1e19)),
    ("full_like 300 into uint8", lambda L: L.full_like(L.tensor([1], dtype=L.uint8), 300)),
    ("full_like 1e10 into int32", lambda L: L.full_like(L.tensor([1], dtype=L.int32), 1e10)),
    ("full_like truncates", lambda L: L.full_like(L.tensor([1], dtype=L.int32), -2.7)),
    ("new_full 1e10 into int32", lambda L: L.zeros(2, dtype=L.int32).new_full((2,), 1e10)),
    ("fill_ nan into int64", lambda L: L.zeros(2, dtype=L.int64).fill_(float("nan"))),
    ("fill_ 2**63 into int64", lambda L: L.zeros(2, dtype=L.int64).fill_(2 ** 63)),
    ("fill_ 255.5 into uint8", lambda L: L.zeros(2, dtype=L.uint8).fill_(255.5)),
    # full infers int64 for any integer and the default float for NumPy's bool
    ("full np.int32", lambda L: L.full((2,), np.int32(1))),
    ("full np.float32", lambda L: L.full((2,), np.float32(1.5))),
    ("full np.bool_", lambda L: L.full((2,), np.bool_(True))),
    ("full uint8 tensor", lambda L: L.full((2,), L.tensor(2, dtype=L.uint8))),
    ("full float64 tensor", lambda L: L.full((2,), L.tensor(2., dtype=L.float64))),
    ("full bool tensor", lambda L: L.full((2,), L.tensor(True))),
    ("full 1-d tensor", lambda L: L.full((2,), L.tensor([2.5]))),
    ("full grad tensor", lambda L: L.full((2,), L.tensor(2.5, requires_grad=True))),
    ("full string", lambda L: L.full((2,), "a")),
    ("full None", lambda L: L.full((2,), None)),
    ("full list", lambda L: L.full((2,), [1])),
    ("full_like string", lambda L: L.full_like(L.zeros(2), "a")),
    # arange in an integer dtype: bounds truncated, length counted as torch counts it
    ("arange -2.5..2.5 int32", lambda L: L.arange(-2.5, 2.5, dtype=L.int32)),
    ("arange step 0.5 int32", lambda L: L.arange(0, 2.5, 0.5, dtype=L.int32)),
    ("arange step 0.5 int16", lambda L: L.arange(0, 5, 0.5, dtype=L.int16)),
    ("arange step 0.5 int64", lambda L: L.arange(0, 5, 0.5, dtype=L.int64)),
    ("arange step 0.0 int64", lambda L: L.arange(0, 5, 0., dtype=L.int64)),
    ("arange step 0.0 int32", lambda L: L.arange(0, 1, 0., dtype=L.int32)),
    ("arange 1.5 steps int64", lambda L: L.arange(0.5, 5.5, 1.5, dtype=L.int64)),
    ("arange down int64", lambda L: L.arange(-0.5, -5.5, -1.5, dtype=L.int64)),
    ("arange 3.5 steps int64", lambda L: L.arange(0, 10, 3.5, dtype=L.int64)),
    ("arange 2.7 int64", lambda L: L.arange(2.7, dtype=L.int64)),
    ("arange 0.9 int64", lambda L: L.arange(0.9, dtype=L.int64)),
    ("arange 0.9 int32", lambda L: L.arange(0.9, dtype=L.int32)),
    ("arange tenths uint8", lambda L: L.arange(0, 1, 0.1, dtype=L.uint8)),
    ("arange wraps uint8", lambda L: L.arange(250, 260, dtype=L.uint8)),
    ("arange negative uint8", lambda L: L.arange(-3, 3, dtype=L.uint8)),
    ("arange wraps int32", lambda L: L.arange(0, 2 ** 40, 2 ** 38, dtype=L.int32)),
    ("arange wrong sign int64", lambda L: L.arange(5.5, 0.5, 1.5, dtype=L.int64)),
    ("arange wrong sign int32", lambda L: L.arange(0.5, 0.7, -1, dtype=L.int32)),
    ("arange inf int32", lambda L: L.arange(0, float("inf"), dtype=L.int32)),
    ("arange nan int64", lambda L: L.arange(0, float("nan"), dtype=L.int64)),
    ("arange 1e30 int64", lambda L: L.arange(0, 1e30, dtype=L.int64)),
    ("arange step 1e30 int32", lambda L: L.arange(0, 5, 1e30, dtype=L.int32)),
    ("arange too long", lambda L: L.arange(0, 1e30)),
    ("arange bool start", lambda L: L.arange(True, 5)),
    ("arange bool float end", lambda L: L.arange(True, 5.)),
    ("arange bool end", lambda L: L.arange(True)),
    ("arange np.float32", lambda L: L.arange(np.float32(2.5))),
    ("arange np.int32", lambda L: L.arange(np.int32(3))),
    ("arange uint8 tensor", lambda L: L.arange(L.tensor(3, dtype=L.uint8))),
    ("arange bool tensor", lambda L: L.arange(L.tensor(True))),
    ("arange string", lambda L: L.arange("a")),
    ("arange None", lambda L: L.arange(None)),
    ("arange half", lambda L: L.arange(0, 2.5, 0.5, dtype=L.float16)),
    # linspace and logspace in an integer dtype truncate their bounds first
    ("logspace int64 halves", lambda L: L.logspace(0.5, 2.5, 3, dtype=L.int64)),
    ("logspace int64 negative", lambda L: L.logspace(-0.5, 2.5, 3, dtype=L.int64)),
    ("logspace int64 exponents", lambda L: L.logspace(0, 3, 3, dtype=L.int64)),
    ("logspace base int64", lambda L: L.logspace(0, 2, 3, base=2.5, dtype=L.int64)),
    ("logspace uint8 base 2", lambda L: L.logspace(0, 2, 5, base=2, dtype=L.uint8)),
    ("logspace int64 below 1", lambda L: L.logspace(-2, 2, 5, dtype=L.int64)),
    ("logspace int16", lambda L: L.logspace(-0.7, 2.7, 5, dtype=L.int16)),
    ("linspace int64 halves", lambda L: L.linspace(0.5, 2.7, 4, dtype=L.int64)),
    ("linspace int8", lambda L: L.linspace(-0.7, 2.7, 5, dtype=L.int8)),
    ("linspace bool", lambda L: L.linspace(0, 1, 3, dtype=L.bool)),
    ("logspace bool", lambda L: L.logspace(0, 1, 3, dtype=L.bool)),
    ("linspace tensor steps", lambda L: L.linspace(0, 1, L.tensor(3))),
    ("linspace NumPy steps", lambda L: L.linspace(0, 1, np.int64(3))),
    ("logspace tensor steps", lambda L: L.logspace(0, 1, L.tensor(3))),
    ("linspace float steps", lambda L: L.linspace(0, 1, 3.0)),
    ("linspace bool steps", lambda L: L.linspace(0, 1, True)),
    # eye takes ints only
    ("eye float", lambda L: L.eye(2.0)),
    ("eye bool", lambda L: L.eye(True)),
    ("eye tuple", lambda L: L.eye((2, 3))),
    ("eye NumPy int", lambda L: L.eye(np.int64(2))),
    ("eye tensor", lambda L: L.eye(L.tensor(2))),
    ("eye float m", lambda L: L.eye(2, 3.0)),
    # negative sizes, in zeros' own words
    ("zeros negative", lambda L: L.zeros(-1)),
    ("zeros negative second", lambda L: L.zeros((2, -1), dtype=L.int64)),
    ("ones negative", lambda L: L.ones(2, -1)),
]


@pytest.mark.parametrize("fn", [c[1] for c in FILL_AND_RANGE_CASES],
                         ids=[c[0] for c in FILL_AND_RANGE_CASES])
def test_fill_values_and_ranges_match_torch(fn):
    assert_same_outcome(fn)
