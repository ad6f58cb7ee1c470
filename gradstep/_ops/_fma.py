r"""Fused multiply-add, ``a * b + c`` rounded once, over NumPy arrays.

torch's CPU kernels compute several elementwise formulas with a hardware fma (one rounding)
where plain NumPy rounds the product and then the sum: ``linspace`` and ``arange`` values,
``add``/``sub`` with ``alpha``, ``addcmul``/``addcdiv`` with ``value``. NumPy has no fma ufunc, so
this module emulates it exactly, vectorised:

- float32 (and float16): the product of two float32 values is exact in float64; the sum with
  ``c`` is rounded *to odd* in float64 (round to nearest, then step one ulp toward the exact sum,
  known from TwoSum, when the rounded result is inexact and even). A value rounded to odd with
  at least two more bits than the target rounds to the target exactly as the exact value would,
  so the final cast to float32 rounds once, correctly.
- float64: Boldo and Melquiond's emulation (IEEE Trans. Computers 57(4), 2008):
  :math:`u_h + u_l = a b` exactly (Veltkamp split and Dekker's product),
  :math:`t_h + t_l = c + u_h` exactly (TwoSum), then
  :math:`\circ(t_h + \square_{odd}(t_l + u_l))` is the correctly rounded :math:`a b + c`.
  The transformations are exact while no intermediate overflows or falls to subnormals; the rare
  finite elements outside that range (magnitudes beyond :math:`2^{995}` or below
  :math:`2^{-900}`) are computed with exact rationals instead.

With a non-finite operand, ``a * b + c`` rounded twice is already the fused result, except
that the product of finite ``a`` and ``b`` never overflows: ``fma(1e308, 10, -inf)`` is ``-inf``.
"""
from fractions import Fraction

import numpy as np

from .. import _alloc

__all__ = ["fma", "multiply_add"]

# Above this many elements, ``multiply_add`` rounds twice (see there).
EXACT_LIMIT = 1 << 13

_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's splitter for 53-bit significands
_BIG = 2.0 ** 995      # above this, the split or TwoSum may overflow
_SMALL = 2.0 ** -900   # below this, the product's error term may be subnormal


def _round_to_odd(s, err):
    """``s`` (a rounded sum whose exact value is ``s + err``) rounded to odd instead: an
    inexact even result moves one ulp toward the exact value."""
    bits = s.view(np.int64 if s.dtype == np.float64 else np.int32)
    fix = (err != 0) & ((bits & 1) == 0) & np.isfinite(s)
    if fix.any():
        s = np.where(fix, np.nextafter(s, np.copysign(np.inf, err)), s)
    return s


def _two_sum(a, b):
    """``s, t`` with ``s = a + b`` rounded and ``s + t == a + b`` exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    """Veltkamp: ``hi + lo == a`` exactly, each with at most 26 significant bits."""
    t = _SPLIT * a
    hi = t - (t - a)
    return hi, a - hi


# float64's significand bits beyond float32's and float16's: a sum rounded to float64 whose
# dropped bits are exactly half of dtype's last place may be a rounded tie (double rounding)
_DROPPED = {np.dtype(np.float32): 29, np.dtype(np.float16): 42}


def _fma32(a, b, c, dtype):
    """The float32/float16 fma: the product exact in float64, the sum rounded to float64 and
    then to ``dtype``, which rounds once correctly unless the float64 sum sits exactly on a
    midpoint of ``dtype``; only there the sum is rounded to odd first (rare: one in 2**28)."""
    p = np.multiply(np.asarray(a, np.float64), b)
    c = np.asarray(c, np.float64)
    s = p + c
    drop = _DROPPED[dtype]
    if ((s.view(np.int64) & ((1 << drop) - 1)) == 1 << (drop - 1)).any():
        s, err = _two_sum(p, c)
        s = _round_to_odd(s, err)
    return s.astype(dtype)


def _fma64(a, b, c):
    a, b, c = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                  np.asarray(c, np.float64))
    uh = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, uh)
    v, verr = _two_sum(tl, ul)
    z = th + _round_to_odd(v, verr)
    finite_ab = np.isfinite(a) & np.isfinite(b)
    inf_nan = ~np.isfinite(z)
    if inf_nan.any():  # a non-finite operand: the exact product of finite a, b does not matter
        z = np.where(inf_nan, np.where(finite_ab, c, uh + c), z)
    # an exact zero takes IEEE's sign rule for the sum of a*b (exact when it is zero) and c
    zero = z == 0
    if zero.any():
        z = np.where(zero, uh + c, z)
    aa, ab, ac = np.abs(a), np.abs(b), np.abs(c)
    bad = (aa >= _BIG) | (ab >= _BIG) | (ac >= _BIG) | (np.abs(uh) >= _BIG) \
        | ((a != 0) & (b != 0) & (np.abs(uh) < _SMALL)) | ((c != 0) & (ac < _SMALL))
    bad &= finite_ab & np.isfinite(c)
    if bad.any():
        z = np.array(z, copy=True)
        z[bad] = [_exact(x, y, w) for x, y, w in zip(a[bad].tolist(), b[bad].tolist(),
                                                     c[bad].tolist())]
    return z


def _exact(a, b, c):
    """One fma with exact rationals: the fallback at the edges of the float64 range."""
    value = Fraction(a) * Fraction(b) + Fraction(c)
    if value == 0:
        return a * b + c  # the signed-zero rule, and a*b is exact here
    try:
        return value.numerator / value.denominator  # correctly rounded, subnormals included
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def multiply_add(a, b, c, dtype):
    """``a * b + c`` for the arithmetic ops torch fuses (``add`` with ``alpha``, ``addcmul``,
    ``lerp``): the exact ``fma`` up to ``EXACT_LIMIT`` elements, where it costs tens of
    microseconds (its float64 temporaries stay below glibc's mmap threshold, so no page
    faults); beyond that NumPy's two roundings, at most one ulp from torch's value. The
    exact emulation is a dozen passes over float64 temporaries, 10 to 50 times torch's time on
    a large tensor: a training loop's ``p.add_(g, alpha=-lr)`` or EMA ``lerp_`` over millions
    of parameters would pay that every step."""
    size = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    if int(np.prod(size)) <= EXACT_LIMIT:
        return fma(a, b, c, dtype)
    with np.errstate(all="ignore"):  # (operands already in dtype: NumPy's dtype= is slow)
        # into a pooled buffer (see _alloc): an in-place op (x.lerp_(y, w)) copies the result
        # into x and drops it, and the next call reuses it instead of page-faulting a new one
        out = _alloc.empty(size, dtype)
        np.multiply(a, b, out=out)
        out += c
        return out


def fma(a, b, c, dtype):
    """``a * b + c`` rounded once to ``dtype`` (float16, float32 or float64), elementwise with
    broadcasting. ``a``, ``b`` and ``c`` hold values already in ``dtype`` (arrays or scalars).

    Example::

        >>> import numpy as np
        >>> a = np.float32(0.1)
        >>> float(fma(a, a, -np.float32(0.01), np.float32)) == float(a * a - np.float32(0.01))
        False
    """
    dtype = np.dtype(dtype)
    a, b, c = np.asarray(a), np.asarray(b), np.asarray(c)
    if not (a.ndim or b.ndim or c.ndim):  # NumPy computes 0-dim arrays into scalars: go 1-dim
        return fma(a.reshape(1), b, c, dtype).reshape(())
    with np.errstate(all="ignore"):
        if dtype == np.float64:
            return _fma64(a, b, c)
        return _fma32(a, b, c, dtype)
