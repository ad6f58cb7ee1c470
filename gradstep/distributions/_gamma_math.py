r"""The regularized incomplete gamma function and reparameterized Gamma(alpha, 1) samples.

:math:`P(a, x) = \frac{1}{\Gamma(a)} \int_0^x t^{a-1} e^{-t} dt` is the Gamma cdf.  It is
evaluated in float64 by its power series below :math:`x = a + 1` and by its continued fraction
(modified Lentz) above, each converging fast on its side.

A Gamma sample :math:`x = F_a^{-1}(u)` is differentiated implicitly: holding :math:`u` fixed,

.. math::
    \frac{dx}{da} = -\frac{\partial P(a, x) / \partial a}{p_a(x)}, \qquad
    p_a(x) = \frac{x^{a-1} e^{-x}}{\Gamma(a)},

with :math:`\partial P / \partial a` by a central difference of the float64 :math:`P`.
"""
import math

import numpy as np

from .. import _random
from ..autograd.graph import Op

_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
_TINY = 1e-300


def _series(a, x):
    """P(a, x) = e^{-x} x^a / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    for n in range(1, 1000):
        term = term * x / (a + n)
        total = total + term
        if np.all(np.abs(term) <= np.abs(total) * 1e-16):
            break
    return np.exp(a * np.log(x) - x - _lgamma(a + 1)) * total


def _continued_fraction(a, x):
    """Q(a, x) = 1 - P(a, x) = e^{-x} x^a / Gamma(a) / (x + 1 - a - 1(1-a)/(x + 3 - a - ...))."""
    b = x + 1 - a
    c = np.full_like(x, 1 / _TINY)
    d = 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1) <= 1e-16):
            break
    return np.exp(a * np.log(x) - x - _lgamma(a)) * h


def regularized_gamma_p(a, x):
    """P(a, x) elementwise in float64 (0 at x <= 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    positive = x > 0
    low = positive & (x < a + 1)
    high = positive & ~low
    if low.any():
        out[low] = _series(a[low], x[low])
    if high.any():
        out[high] = 1 - _continued_fraction(a[high], x[high])
    return np.where(np.isinf(x) & (x > 0), 1.0, out)


def _density(a, x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.exp((a - 1) * np.log(x) - x - _lgamma(a))


def _dp_da(a, x):
    h = 1e-5 * np.maximum(a, 1.0)
    h = np.minimum(h, a / 2)
    return (regularized_gamma_p(a + h, x) - regularized_gamma_p(a - h, x)) / (2 * h)


class StandardGamma(Op):
    """z ~ Gamma(a, 1);  dz/da = -dP(a, z)/da / p_a(z) (implicit reparameterization)."""

    @staticmethod
    def forward(ctx, a):
        tiny = np.finfo(a.dtype).tiny
        z = np.maximum(_random._standard_gamma(a), tiny).astype(a.dtype)
        ctx.a, ctx.z = a, z
        return z

    @staticmethod
    def backward(ctx, grad):
        a, z = ctx.a.astype(np.float64), ctx.z.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            dz_da = -_dp_da(a, z) / _density(a, z)
        dz_da = np.nan_to_num(dz_da, nan=0.0, posinf=0.0, neginf=0.0)
        return grad * dz_da.astype(ctx.a.dtype)


class GammaCdf(Op):
    """z = P(a, x) for a and x of one shape;  dz/dx = p_a(x),  dz/da by central difference."""

    @staticmethod
    def forward(ctx, a, x):
        ctx.a, ctx.x = a, x
        return regularized_gamma_p(a, x).astype(np.result_type(a, x))

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.a.astype(np.float64), ctx.x.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            dx = np.where(x > 0, _density(a, x), 0.0)
        da = _dp_da(a, np.maximum(x, 0))
        return grad * da.astype(ctx.a.dtype), grad * dx.astype(ctx.x.dtype)
