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

__all__ = ["fma"]

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


def _fma32(a, b, c, dtype):
    """The float32/float16 fma: the product exact in float64, the sum rounded to odd."""
    a = np.asarray(a, np.float64)
    p = a * b
    c = np.asarray(c, np.float64)
    s, err = _two_sum(p, c)
    return _round_to_odd(s, err).astype(dtype)


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
