"""Standard gamma draws with an implicit reparameterization gradient.

For ``x ~ Gamma(alpha, 1)`` with CDF ``P(alpha, x)`` (the regularized lower incomplete gamma
function), holding ``u = P(alpha, x)`` fixed gives ``dx/dalpha = -(dP/dalpha) / p(x; alpha)``.
``dP/dalpha`` is taken by a central difference of a float64 ``P``; the density ``p`` is exact.
"""
import numpy as np

from gradstep._ops.special import _lgamma64
from gradstep._random import _gen
from gradstep.autograd.graph import Op

__all__ = ["standard_gamma"]


def _gammainc(a, x):
    """Regularized lower incomplete gamma P(a, x) for float64 arrays (a > 0, x >= 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    pos = x > 0
    with np.errstate(all="ignore"):
        log_front = np.where(pos, a * np.log(np.where(pos, x, 1.0)) - x, -np.inf)
        series = pos & (x < a + 1)
        if series.any():
            aa, xx = a[series], x[series]
            term = 1.0 / aa
            total = term.copy()
            n = 1
            while n < 10000:
                term = term * xx / (aa + n)
                total = total + term
                if np.all(np.abs(term) <= np.abs(total) * 1e-16):
                    break
                n += 1
            out[series] = np.exp(log_front[series] - _lgamma64(aa)) * total
        frac = pos & ~series
        if frac.any():
            # Lentz's continued fraction for Q(a, x)
            aa, xx = a[frac], x[frac]
            tiny = 1e-300
            b = xx + 1 - aa
            c = np.full(aa.shape, 1 / tiny)
            d = 1 / b
            h = d.copy()
            for i in range(1, 10000):
                an = -i * (i - aa)
                b = b + 2
                d = an * d + b
                d = np.where(np.abs(d) < tiny, tiny, d)
                c = b + an / c
                c = np.where(np.abs(c) < tiny, tiny, c)
                d = 1 / d
                delta = d * c
                h = h * delta
                if np.all(np.abs(delta - 1) <= 1e-16):
                    break
            out[frac] = 1 - np.exp(log_front[frac] - _lgamma64(aa)) * h
    return out


def _dsample_dalpha(alpha, x):
    alpha = alpha.astype(np.float64)
    x = x.astype(np.float64)
    h = 1e-5 * np.maximum(alpha, 1e-3)
    dp = (_gammainc(alpha + h, x) - _gammainc(np.maximum(alpha - h, 1e-300), x)) / (2 * h)
    with np.errstate(all="ignore"):
        log_pdf = (alpha - 1) * np.log(x) - x - _lgamma64(alpha)
        grad = -dp / np.exp(log_pdf)
    return np.where(np.isfinite(grad), grad, 0.0)


class StandardGamma(Op):
    """x ~ Gamma(alpha, 1);  dx/dalpha = -(dP(alpha, x)/dalpha) / p(x; alpha) (implicit)."""
    name_ = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx, alpha):
        x = _gen(None).standard_gamma(alpha.astype(np.float64))
        x = np.maximum(x, np.finfo(alpha.dtype).tiny).astype(alpha.dtype)
        ctx.alpha, ctx.x = alpha, x
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad * _dsample_dalpha(ctx.alpha, ctx.x).astype(ctx.alpha.dtype)


def standard_gamma(alpha):
    """Draws from Gamma(alpha, 1), one per element, differentiable w.r.t. ``alpha``."""
    return StandardGamma.apply(alpha)


class Gammainc(Op):
    """y = P(a, z);  dy/da by central difference,  dy/dz = z^(a-1) e^-z / Gamma(a)."""
    name_ = "IgammaBackward0"

    @staticmethod
    def forward(ctx, a, z):
        ctx.a, ctx.z = a, z
        dtype = np.result_type(a, z)
        return _gammainc(a, z).astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        from gradstep._ops._util import sum_to
        a = np.asarray(ctx.a, np.float64)
        z = np.asarray(ctx.z, np.float64)
        h = 1e-5 * np.maximum(a, 1e-3)
        da = (_gammainc(a + h, z) - _gammainc(np.maximum(a - h, 1e-300), z)) / (2 * h)
        with np.errstate(all="ignore"):
            dz = np.exp((a - 1) * np.log(z) - z - _lgamma64(a))
        dtype = np.result_type(ctx.a, ctx.z)
        return (sum_to(grad * da.astype(dtype), np.shape(ctx.a)),
                sum_to(grad * dz.astype(dtype), np.shape(ctx.z)))


def gammainc(a, z):
    """The regularized lower incomplete gamma function ``P(a, z)`` of two tensors."""
    return Gammainc.apply(a, z)
