"""Bit-exact parity with torch where its CPU kernels round a multiply-add once.

``linspace``/``arange`` values, ``add``/``sub``/``rsub`` with ``alpha`` and ``addcmul`` with
``value`` are fused multiply-adds in torch (``addcdiv`` with ``value`` is not fused, but computes
``(value * t1) / t2 + input``); ``logspace`` in float64 takes C's ``pow``. Every comparison here is
bit for bit (NaN equal to NaN), over random cases with a fixed seed, except the arithmetic ops on
tensors above ``EXACT_LIMIT`` elements, which round twice for speed and are compared within one
ulp (see ``_ops/_fma.multiply_add``).
"""
import math
import random
from fractions import Fraction

import numpy as np
import pytest
import torch

import gradstep
from gradstep._ops._fma import EXACT_LIMIT, fma

SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -3e-320, 1e300, -1e38, 3e38,
                    1e-40, 1e-45, 65504.0, 6e-8, 1.0, -1.0])


def bits_equal(g, t):
    g, t = np.asarray(g), np.asarray(t)
    assert g.shape == t.shape and g.dtype == t.dtype, (g.shape, g.dtype, t.shape, t.dtype)
    same = (g == t) & (np.signbit(g) == np.signbit(t)) if g.dtype.kind == "f" else g == t
    if g.dtype.kind == "f":
        same |= np.isnan(g) & np.isnan(t)
    bad = np.flatnonzero(~same)
    assert bad.size == 0, f"{bad.size} differ, first at {bad[0]}: {g.flat[bad[0]]!r} vs " \
                          f"{t.flat[bad[0]]!r}"


def ops_equal(g, t):
    """Bit for bit up to EXACT_LIMIT elements; beyond, where gradstep's arithmetic rounds twice,
    non-finite values where torch's are and finite ones within two roundings of the operands' magnitude (a
    cancelling sum may then be many ulps of its own small value off)."""
    g, t = np.asarray(g), np.asarray(t)
    if g.size <= EXACT_LIMIT or g.dtype.kind != "f":
        return bits_equal(g, t)
    finite = np.isfinite(g) & np.isfinite(t)
    # non-finite where torch's is (an overflowing product may give nan for the fused inf)
    assert (np.isfinite(g) == np.isfinite(t)).all()
    eps = np.finfo(g.dtype).eps
    scale = np.abs(t[finite]).max(initial=0)
    np.testing.assert_allclose(g[finite], t[finite], rtol=4 * eps, atol=4 * eps * scale)
    assert np.mean(g[finite] == t[finite]) > 0.7  # most elements still equal bit for bit


# ----- the emulation itself, against exact rationals -----

def _round_exact(value, dtype):
    """``value`` (a Fraction) rounded to nearest even in ``dtype``: float64 by Python's correctly
    rounded int division, narrower types by choosing among the neighbours of that."""
    try:
        x = value.numerator / value.denominator
    except OverflowError:
        x = math.inf if value > 0 else -math.inf
    if dtype == np.float64:
        return np.float64(x)
    info = np.finfo(dtype)
    top = Fraction(float(info.max)) + Fraction(2) ** (info.maxexp - info.nmant - 2)  # max+ulp/2
    if abs(value) >= top:
        return dtype.type(math.copysign(math.inf, x))
    with np.errstate(over="ignore"):
        y = dtype.type(np.clip(x, -float(info.max), float(info.max)))
    near = [np.nextafter(y, dtype.type(-np.inf)), y, np.nextafter(y, dtype.type(np.inf))]
    near = [n for n in near if np.isfinite(n)]
    return min(near, key=lambda n: (abs(Fraction(float(n)) - value),
                                    int(np.array(n).view(f"u{dtype.itemsize}")) & 1))


def _exact_fma(a, b, c, dtype):
    out = []
    for x, y, z in zip(a.tolist(), b.tolist(), c.tolist()):
        if not all(map(math.isfinite, (x, y, z))):
            # only the product of finite operands is exact; with inf/nan, IEEE rules decide
            out.append(dtype.type(z if math.isfinite(x) and math.isfinite(y) else x * y + z))
            continue
        value = Fraction(x) * Fraction(y) + Fraction(z)
        out.append(dtype.type(np.float64(x) * y + z) if value == 0 else
                   _round_exact(value, dtype))
    return np.array(out, dtype)


def _operands(rng, n, dtype, mode):
    if mode == "normal":
        return [(rng.normal(size=n) * 10.0 ** rng.integers(-5, 5, n)).astype(dtype)
                for _ in range(3)]
    if mode == "bits":  # every exponent, subnormals and non-finite values included
        itype = np.dtype(f"i{np.dtype(dtype).itemsize}")
        return [rng.integers(np.iinfo(itype).min, np.iinfo(itype).max, n, dtype=itype,
                             endpoint=True).view(dtype) for _ in range(3)]
    if mode == "special":
        with np.errstate(over="ignore"):
            return [rng.choice(SPECIAL, n).astype(dtype) for _ in range(3)]
    a, b = (rng.normal(size=n).astype(dtype) for _ in range(2))  # "cancel": c near -a*b
    c = (-(a.astype(np.float64) * b) * (1 + rng.normal(size=n) * 1e-6)).astype(dtype)
    return [a, b, c]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("mode", ["normal", "bits", "special", "cancel"])
def test_fma_is_rounded_once(dtype, mode):
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(hash((dtype.char, mode)) % 2 ** 32)
    a, b, c = _operands(rng, 3000, dtype, mode)
    with np.errstate(all="ignore"):
        bits_equal(fma(a, b, c, dtype), _exact_fma(a, b, c, dtype))


def test_fma_zero_dim_and_broadcast():
    a = np.float64(0.1)
    got = fma(np.array(a), np.array(3.0), np.array(-0.3), np.float64)
    assert got.shape == () and float(got) == float(Fraction(0.1) * 3 + Fraction(-0.3))
    assert fma(np.float32(2), np.ones((2, 3), np.float32), np.zeros(3, np.float32),
               np.float32).shape == (2, 3)


# ----- range factories -----

def _range_cases(seed, count):
    r = random.Random(seed)
    for _ in range(count):
        scale = 10 ** r.randint(-3, 4)
        a, b = r.uniform(-1, 1) * scale, r.uniform(-1, 1) * scale
        n = r.choice([r.randint(0, 40), r.randint(2, 3000), r.randint(30000, 80000)])
        yield a, b, n, r


FLOATS = ["float32", "float64", "float16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_linspace_bit_exact(dtype):
    for a, b, n, _ in _range_cases(dtype, 60):
        if dtype in ("int8", "int16", "uint8", "float16"):
            a, b = a / 100 % 100, b / 100 % 100
        args = (a, b, n)
        bits_equal(gradstep.linspace(*args, dtype=getattr(gradstep, dtype)).numpy(),
                   torch.linspace(*args, dtype=getattr(torch, dtype)).numpy())


@pytest.mark.parametrize("dtype", FLOATS)
def test_arange_bit_exact(dtype):
    for a, b, n, r in _range_cases(dtype, 60):
        if dtype == "float16":
            a, b, n = a % 100, b % 100, min(n, 3000)
        step = (b - a) / max(n, 1) * r.uniform(0.9, 1.1)
        if step == 0:
            continue
        bits_equal(gradstep.arange(a, b, step, dtype=getattr(gradstep, dtype)).numpy(),
                   torch.arange(a, b, step, dtype=getattr(torch, dtype)).numpy())


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_arange_large_follows_threads(threads):
    """Above torch's grain, each thread's chunk starts its own vector blocks."""
    before = torch.get_num_threads(), gradstep.get_num_threads()
    try:
        torch.set_num_threads(threads)
        gradstep.set_num_threads(threads)
        for dtype in FLOATS[:2]:
            args = (-3.3, 70000 * 0.7 - 3.3, 0.7)
            bits_equal(gradstep.arange(*args, dtype=getattr(gradstep, dtype)).numpy(),
                       torch.arange(*args, dtype=getattr(torch, dtype)).numpy())
    finally:
        torch.set_num_threads(before[0])
        gradstep.set_num_threads(before[1])


@pytest.mark.parametrize("dtype", ["float64"] + INTS)
def test_logspace_bit_exact(dtype):
    for a, b, n, r in _range_cases(dtype, 60):
        a, b, n = a / 10 ** 4 * 4, b / 10 ** 4 * 4, min(n, 3000)
        if dtype in INTS:
            a, b = abs(a), abs(b)
        base = r.choice([10.0, 2.0, 3.7, 0.5])
        if dtype in INTS and base < 1:
            continue
        try:
            want = torch.logspace(a, b, n, base=base, dtype=getattr(torch, dtype)).numpy()
        except RuntimeError:
            continue
        got = gradstep.logspace(a, b, n, base=base, dtype=getattr(gradstep, dtype)).numpy()
        bits_equal(got, want)


@pytest.mark.parametrize("fn, args, dtype", [
    ("linspace", (-1000, 1000, 50), "float32"),   # the fuzzer's cases
    ("arange", (-3.3, 17.1, 0.7), "float32"),
    ("linspace", (0.1, 0.9, 30), "float64"),
    ("linspace", (-1e-30, 3e38, 1000), "float32"),
    ("linspace", (5e-324, 1e-320, 17), "float64"),
    ("arange", (-1e300, 1e300, 1e298), "float64"),
    ("logspace", (-300, 300, 101), "float64"),
])
def test_range_edges(fn, args, dtype):
    bits_equal(getattr(gradstep, fn)(*args, dtype=getattr(gradstep, dtype)).numpy(),
               getattr(torch, fn)(*args, dtype=getattr(torch, dtype)).numpy())


# ----- add / sub / rsub with alpha, addcmul / addcdiv with value -----

OPS = {
    "add": lambda L, x, a, b, v: L.add(x, a, alpha=v),
    "sub": lambda L, x, a, b, v: L.sub(x, a, alpha=v),
    "rsub": lambda L, x, a, b, v: L.rsub(x, a, alpha=v),
    "Tensor.add": lambda L, x, a, b, v: x.add(a, alpha=v),
    "Tensor.sub": lambda L, x, a, b, v: x.sub(a, alpha=v),
    "add_": lambda L, x, a, b, v: x.clone().add_(a, alpha=v),
    "sub_": lambda L, x, a, b, v: x.clone().sub_(a, alpha=v),
    "addcmul": lambda L, x, a, b, v: L.addcmul(x, a, b, value=v),
    "addcdiv": lambda L, x, a, b, v: L.addcdiv(x, a, b, value=v),
    "addcmul_": lambda L, x, a, b, v: x.clone().addcmul_(a, b, value=v),
    "addcdiv_": lambda L, x, a, b, v: x.clone().addcdiv_(a, b, value=v),
    "Tensor.addcmul": lambda L, x, a, b, v: x.addcmul(a, b, value=v),
    "Tensor.addcdiv": lambda L, x, a, b, v: x.addcdiv(a, b, value=v),
}
SHAPES = [(), (1,), (3,), (7,), (8,), (15,), (16,), (17,), (64,), (1000,), (5, 7), (40000,)]
VALUES = [0.3, -1.7, 2.0, 1e-3, 0.1, 3.3, -0.5, 7.77e-5, 1 / 3]


def _values(rng, shape, dtype):
    x = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4, size=shape)
    x = np.where(rng.random(shape) < 0.05, rng.choice(SPECIAL, size=shape), x)
    with np.errstate(over="ignore"):
        return np.asarray(x).astype(dtype)


def _layouts(rng, shape, dtype):
    """(x, t1, t2) contiguous, broadcast, and transposed (non-contiguous)."""
    yield [_values(rng, shape, dtype) for _ in range(3)], False
    if shape:
        yield [_values(rng, shape, dtype), _values(rng, shape[-1:], dtype),
               _values(rng, (1,) * len(shape), dtype)], False
    if len(shape) == 2:
        yield [_values(rng, shape[::-1], dtype) for _ in range(3)], True


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_scaled_ops_bit_exact(op, dtype):
    rng = np.random.default_rng(len(op) * 7 + len(dtype))
    fn = OPS[op]
    for shape in SHAPES:
        for arrays, transpose in _layouts(rng, shape, dtype):
            v = float(rng.choice(VALUES))
            outs = []
            for L in (gradstep, torch):
                ts = [L.tensor(a) for a in arrays]
                if transpose:
                    ts = [t.t() for t in ts]
                outs.append(fn(L, *ts, v).numpy())
            ops_equal(*outs)


@pytest.mark.parametrize("op", ["addcmul", "addcdiv", "addcmul_", "addcdiv_"])
def test_addc_float16_bit_exact(op):
    rng = np.random.default_rng(3)
    for shape in SHAPES:
        arrays = [rng.normal(size=shape).astype(np.float16) for _ in range(3)]
        v = float(rng.choice(VALUES))
        ops_equal(OPS[op](gradstep, *map(gradstep.tensor, arrays), v).numpy(),
                  OPS[op](torch, *map(torch.tensor, arrays), v).numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_scaled_ops_integers_unchanged(dtype):
    rng = np.random.default_rng(1)
    arrays = [rng.integers(0, 50, 100).astype(dtype) for _ in range(3)]
    arrays[2] += 1
    for op in ("add", "sub", "addcmul"):
        bits_equal(OPS[op](gradstep, *map(gradstep.tensor, arrays), 3).numpy(),
                   OPS[op](torch, *map(torch.tensor, arrays), 3).numpy())


@pytest.mark.parametrize("op", ["add", "sub", "rsub", "addcmul", "addcdiv"])
def test_scaled_ops_gradients(op):
    """Gradients of the fused forms: torch's formulas, same values."""
    rng = np.random.default_rng(2)
    arrays = [rng.normal(size=(4, 5)), rng.normal(size=(5,)), rng.normal(size=(4, 1)) + 3]
    grads = []
    for L in (gradstep, torch):
        ts = [L.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
        out = OPS[op](L, *ts, 0.3)
        out.backward(L.tensor(np.linspace(-1, 1, 20, dtype=np.float32).reshape(4, 5)))
        grads.append([None if t.grad is None else t.grad.numpy() for t in ts])
    for g, t in zip(*grads):
        if t is None:
            assert g is None
        else:
            np.testing.assert_allclose(g, t, rtol=1e-6, atol=1e-7)
