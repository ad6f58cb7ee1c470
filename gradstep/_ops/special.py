"""More elementwise math: inverse hyperbolics, special functions (erfc, erfinv, lgamma, digamma,
polygamma), xlogy, logaddexp, hypot, copysign, fmax/fmin, heaviside, sinc and friends.

Each op is a small ``Op`` with its value and derivative side by side, as in ``elementwise.py``.
Float functions compute integer and bool inputs in the default float dtype, as torch does.
NumPy has no gamma-family or erfinv ufuncs: float64 values come from the standard library where
it has the function (``math.lgamma``, ``math.erfc``, exact to the last bit or two), and from
vectorised series otherwise (digamma and polygamma by recurrence plus the asymptotic series,
erfinv by a rational first guess refined by Newton steps on ``erf``). Lower precisions compute in
float64 and round once.

Backward formulas use operators and NumPy functions, plus the special functions below through
``_special`` (the array kernel on arrays, the differentiable gradstep op on Tensors), so they
also run under ``create_graph=True``.
"""
import math

import numpy as np

from .. import _dtype, _tensor
from ..autograd.graph import Op
from ._util import (_to, broadcast_error, floating, inplace, is_tensor, out_writer,
                    promote_operands,
                    scalar_type_name, sum_to)
from ._util import inplace_method as _inplace
from .elementwise import Sign

__all__ = ["asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "erfc", "erfinv",
           "lgamma", "digamma", "polygamma", "xlogy", "logaddexp", "logaddexp2", "hypot",
           "copysign", "signbit", "sgn", "positive", "deg2rad", "rad2deg", "float_power",
           "fmax", "fmin", "heaviside", "sinc"]

_PI = math.pi
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2 = math.log(2.0)

_out = out_writer("cast")
_same_dtype_out = out_writer("same")


def _shape(x):
    return x.shape if hasattr(x, "shape") else ()


def _in_float64(kernel, x):
    """``kernel`` of a float array computed in float64 and rounded once to x's dtype."""
    if x.dtype == np.float64:
        return kernel(x)
    return kernel(x.astype(np.float64)).astype(x.dtype)


# ----- scalar kernels from the standard library, vectorised -----

def _lgamma1(v):
    try:
        return math.lgamma(v)
    except ValueError:  # a pole: 0, -1, -2, ...
        return math.inf


def _erfc1(v):
    return math.erfc(v)


_lgamma_u = np.frompyfunc(_lgamma1, 1, 1)
_erfc_u = np.frompyfunc(_erfc1, 1, 1)
_erf_u = np.frompyfunc(math.erf, 1, 1)


def _lgamma64(x):
    return np.asarray(_lgamma_u(x), dtype=np.float64)


def _erfc64(x):
    return np.asarray(_erfc_u(x), dtype=np.float64)


def _erf64(x):
    return np.asarray(_erf_u(x), dtype=np.float64)


# ----- digamma and polygamma: recurrence up to x >= _SHIFT, then the asymptotic series -----

# Bernoulli numbers B_2k, k = 1..10
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
_SHIFT = 16.0


def _digamma64(x):
    """psi(x) = d/dx ln Gamma(x) for a float64 array.

    psi(x) = psi(1 - x) - pi / tan(pi x) below 0.5 (reflection); psi(x) = psi(x + 1) - 1 / x up
    to x >= 16; there ln x - 1/(2x) - sum_k B_2k / (2k x^2k). As torch: psi(+-0) = -+inf, NaN at
    the negative integers.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        reflect = x < 0.5
        y = np.where(reflect, 1.0 - x, x)
        acc = np.zeros_like(y)
        for _ in range(int(_SHIFT)):
            small = y < _SHIFT
            if not small.any():
                break
            acc -= np.where(small, 1.0 / np.where(small, y, 1.0), 0.0)
            y = np.where(small, y + 1.0, y)
        inv2 = 1.0 / (y * y)
        series = np.zeros_like(y)
        for k in range(len(_BERNOULLI), 0, -1):  # Horner in 1 / x^2
            series = series * inv2 + _BERNOULLI[k - 1] / (2 * k)
        series = series * inv2
        out = np.log(y) - 0.5 / y - series + acc
        # reflection; tan(pi x) computed from x's distance to the nearest integer, exactly
        r = x - np.round(x)
        out = np.where(reflect, out - _PI / np.tan(_PI * r), out)
        out = np.where(reflect & (r == 0), np.nan, out)  # the negative integers (and 0, below)
        out = np.where(x == 0, np.copysign(np.inf, -x), out)
        out = np.where(x == np.inf, np.inf, out)
        out = np.where(x == -np.inf, np.nan, out)
    return out


def _trigamma64(x):
    """psi'(x) for a float64 array, reflected below 0.5: psi'(x) = pi^2 / sin^2(pi x) -
    psi'(1 - x) (at the negative integers sin(pi x) is a rounding residue, as in torch)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        reflect = x < 0.5
        out = _polygamma64(1, np.where(reflect, 1.0 - x, x))
        s = np.sin(_PI * x)
        out = np.where(reflect, _PI * _PI / (s * s) - out, out)
        out = np.where(x == -np.inf, np.nan, out)
    return out


def _polygamma64(n, x):
    """psi^(n)(x), n >= 1, for a float64 array: psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1)
    up to x >= 16, then (-1)^(n+1) [(n-1)!/x^n + n!/(2 x^(n+1)) + sum_k B_2k (2k+n-1)! /
    ((2k)! x^(2k+n))]. Poles (0 and the negative integers) give inf for odd n, as in torch."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        pole = (x <= 0) & (x == np.floor(x))
        y = np.where(pole, 1.0, x)
        acc = np.zeros_like(y)
        sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
        fact = math.factorial(n)
        steps = int(min(max(_SHIFT - np.nanmin(y, initial=_SHIFT), 0), 1e6)) + 1 if y.size else 0
        for _ in range(steps):
            small = y < _SHIFT
            if not small.any():
                break
            acc += np.where(small, sign * fact / np.where(small, y, 1.0) ** (n + 1), 0.0)
            y = np.where(small, y + 1.0, y)
        series = math.factorial(n - 1) / y ** n + fact / (2 * y ** (n + 1))
        for k, b in enumerate(_BERNOULLI, start=1):
            series = series + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) \
                / y ** (2 * k + n)
        out = sign * series
        out = np.where(acc == 0, out, out + acc)  # (keeps the sign of an underflowed zero)
        out = np.where(pole, sign * np.inf, out)
        # at +inf torch gives 0 for n = 1 and nan beyond (its series is inf / inf there)
        out = np.where(x == np.inf, 0.0 if n == 1 else np.nan, out)
    return out


# ----- erfinv: a rational first guess (Giles, 2010), then Newton steps on erf -----

_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _erfinv64(y, steps=3):
    """erfinv of a float64 array: a first guess good to ~1e-7 relative, then ``steps`` Newton
    steps on erf (each squares the error: one is enough for float32)."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        inside = np.abs(y) < 1
        yc = np.where(inside, y, 0.0)
        w = -np.log((1.0 - yc) * (1.0 + yc))
        central = w < 5.0
        wc = w - 2.5
        wt = np.sqrt(w) - 3.0
        p = np.zeros_like(y)
        q = np.zeros_like(y)
        for a, b in zip(_ERFINV_CENTRAL, _ERFINV_TAIL):
            p = p * wc + a
            q = q * wt + b
        x = np.where(central, p, q) * yc
        for _ in range(steps):
            x = x - (_erf64(x) - yc) / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
        out = np.where(inside, x, np.nan)
        out = np.where(np.abs(y) == 1, np.copysign(np.inf, y), out)
    return out


def _polygamma_kernel(n):
    """The float64 kernel of psi^(n)."""
    if n == 0:
        return _digamma64
    if n == 1:
        return _trigamma64
    return lambda v: _polygamma64(n, v)


def _special(name, kernel, x):
    """A special function of ``x``: gradstep's differentiable op for a Tensor (create_graph),
    the array kernel otherwise."""
    if is_tensor(x):
        return globals()[name](x)
    return _in_float64(kernel, x)


# ----- unary ops -----

class Asinh(Op):
    """z = asinh x;  dz/dx = 1 / sqrt(x^2 + 1)."""
    name_ = "AsinhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / np.sqrt(x * x + 1)


class Acosh(Op):
    """z = acosh x;  dz/dx = 1 / sqrt(x^2 - 1)."""
    name_ = "AcoshBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccosh(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / np.sqrt(x * x - 1)


class Atanh(Op):
    """z = atanh x;  dz/dx = 1 / (1 - x^2)."""
    name_ = "AtanhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctanh(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / (1 - x * x)


class _NoInplaceDerivative:
    """The in-place form of an op torch cannot differentiate (``asinh_``, ``acosh_``,
    ``atanh_``): recorded under torch's node name, raising its error at backward."""

    @classmethod
    def backward(cls, ctx, grad):
        raise NotImplementedError(f"the derivative for 'inplace version of {cls.fn}' is not "
                                  "implemented.")


class AsinhInplace(_NoInplaceDerivative, Asinh):
    name_ = "AsinhBackward1"
    fn = "asinh"


class AcoshInplace(_NoInplaceDerivative, Acosh):
    name_ = "AcoshBackward1"
    fn = "acosh"


class AtanhInplace(_NoInplaceDerivative, Atanh):
    name_ = "AtanhBackward1"
    fn = "atanh"


class Erfc(Op):
    """z = erfc x = 1 - erf x;  dz/dx = -2 / sqrt(pi) e^(-x^2)."""
    name_ = "ErfcBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _in_float64(_erfc64, floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * (np.exp(-(x * x)) * -_TWO_OVER_SQRT_PI)


class Erfinv(Op):
    """z = erfinv x;  dz/dx = sqrt(pi) / 2 e^(z^2)."""
    name_ = "ErfinvBackward0"

    @staticmethod
    def forward(ctx, x):
        x = floating(x)
        out = _erfinv64(x) if x.dtype == np.float64 else \
            _erfinv64(x.astype(np.float64), steps=1).astype(x.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad * (np.exp(out * out) * _SQRT_PI_OVER_2)


class Lgamma(Op):
    """z = ln |Gamma(x)|;  dz/dx = digamma(x)."""
    name_ = "LgammaBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _in_float64(_lgamma64, floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * _special("digamma", _digamma64, x)


class Digamma(Op):
    """z = psi(x) = d/dx ln Gamma(x);  dz/dx = polygamma(1, x)."""
    name_ = "DigammaBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _in_float64(_digamma64, floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        if is_tensor(x):
            return grad * polygamma(1, x)
        return grad * _in_float64(_trigamma64, x)


class Polygamma(Op):
    """z = psi^(n)(x), the n-th derivative of digamma;  dz/dx = psi^(n+1)(x)."""
    name_ = "PolygammaBackward0"

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        x = floating(x)
        return _in_float64(_polygamma_kernel(n), x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        n = ctx.n + 1
        if is_tensor(x):
            return grad * polygamma(n, x)
        return grad * _in_float64(_polygamma_kernel(n), x)


class Deg2rad(Op):
    """z = x pi / 180;  dz/dx = pi / 180."""
    name_ = "Deg2RadBackward0"
    factor = _PI / 180

    @classmethod
    def forward(cls, ctx, x):
        x = floating(x)
        return x * x.dtype.type(cls.factor)

    @classmethod
    def backward(cls, ctx, grad):
        return grad * cls.factor


class Rad2deg(Deg2rad):
    """z = x 180 / pi;  dz/dx = 180 / pi."""
    name_ = "Rad2DegBackward0"
    factor = 180 / _PI


class Sinc(Op):
    """z = sin(pi x) / (pi x), 1 at 0;  dz/dx = (cos(pi x) pi x - sin(pi x)) / (pi x^2), 0 at 0."""
    name_ = "SincBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        x = floating(x)
        y = x * x.dtype.type(_PI)
        zero = x == 0
        y = np.where(zero, x.dtype.type(1), y)
        return np.where(zero, x.dtype.type(1), np.sin(y) / y)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        y = x * _PI
        zero = x == 0
        d = np.where(zero, 1, y * x)
        return grad * np.where(zero, 0, (y * np.cos(y) - np.sin(y)) / d)


class Sgn(Sign):
    """z = sign(x) (0 for 0 and NaN);  dz/dx = 0 (for real inputs: sign, under torch's name for
    the complex-aware op)."""
    name_ = "SgnBackward0"
    quiet = False


# ----- binary ops -----

def _broadcasting(compute):
    """Call ``compute(x, y)``, turning NumPy's broadcast ValueError into torch's message."""
    def call(x, y):
        try:
            return compute(x, y)
        except ValueError:
            raise broadcast_error(_shape(x), _shape(y)) from None
    return call


def _xlogy(x, y):
    out = x * np.log(y)
    return np.where((x == 0) & ~np.isnan(y), 0, out).astype(out.dtype, copy=False)


class Xlogy(Op):
    """z = x ln y (0 where x = 0, unless y is NaN);  dz/dx = ln y (0 where x = 0 and y <= 0),
    dz/dy = x / y."""
    name_ = "XlogyBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _broadcasting(_xlogy)(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            # torch's convention: 0 where x = 0 and y <= 0 (where log y is not a number)
            gx = sum_to(grad * np.where((x == 0) & (y <= 0), 0, np.log(y)), _shape(x))
        if need_y:
            gy = sum_to(grad * x / y, _shape(y))
        return gx, gy


class XlogySelfScalar(Xlogy):
    name_ = "XlogyBackward1"


class XlogyOtherScalar(Xlogy):
    name_ = "XlogyBackward2"


def _logaddexp(x, y):
    m = np.maximum(x, y)
    out = m + np.log1p(np.exp(-np.abs(x - y)))
    return np.where(np.isinf(x) & (x == y), x, out)


def _logaddexp2(x, y):
    m = np.maximum(x, y)
    out = m + np.log1p(np.exp2(-np.abs(x - y))) / _LN2
    return np.where(np.isinf(x) & (x == y), x, out)


class Logaddexp(Op):
    """z = ln(e^x + e^y);  dz/dx = 1 / (1 + e^(y - x)),  dz/dy = 1 / (1 + e^(x - y))."""
    name_ = "LogaddexpBackward0"
    combine = staticmethod(_logaddexp)
    power = staticmethod(np.exp)  # the base the logarithm undoes

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.save_for_backward(x, y)
        return _broadcasting(cls.combine)(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        power = ctx.power
        return (sum_to(grad / (power(y - x) + 1), _shape(x)) if need_x else None,
                sum_to(grad / (power(x - y) + 1), _shape(y)) if need_y else None)


class Logaddexp2(Logaddexp):
    """z = log2(2^x + 2^y);  dz/dx = 1 / (1 + 2^(y - x)),  dz/dy = 1 / (1 + 2^(x - y))."""
    name_ = "Logaddexp2Backward0"
    combine = staticmethod(_logaddexp2)
    power = staticmethod(np.exp2)


class Hypot(Op):
    """z = sqrt(x^2 + y^2);  dz/dx = x / z,  dz/dy = y / z."""
    name_ = "HypotBackward0"

    @staticmethod
    def forward(ctx, x, y):
        out = _broadcasting(np.hypot)(x, y)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        return (sum_to(grad * x / out, _shape(x)) if need_x else None,
                sum_to(grad * y / out, _shape(y)) if need_y else None)


class Copysign(Op):
    """z = |x| with the sign of y;  dz/dx = z / x (0 where x = 0),  dz/dy = 0."""
    name_ = "CopysignBackward0"

    @staticmethod
    def forward(ctx, x, y):
        out = _broadcasting(np.copysign)(x, y)
        ctx.save_for_backward(x, out)
        ctx.y_shape = _shape(y)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            zero = x == 0
            gx = sum_to(grad * np.where(zero, 0, out / np.where(zero, 1, x)), _shape(x))
        if need_y:
            gy = np.zeros(ctx.y_shape, dtype=grad.dtype) if not is_tensor(grad) else \
                sum_to(grad * 0, ctx.y_shape)
        return gx, gy


class CopysignScalar(Copysign):
    name_ = "CopysignBackward1"


class Fmax(Op):
    """z = max(x, y), ignoring NaN;  dz/dx = 1 where x >= y or y is NaN,  dz/dy = 1 elsewhere."""
    name_ = "FmaxBackward0"
    ufunc = staticmethod(np.fmax)
    quiet = False

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.save_for_backward(x, y)
        return _broadcasting(cls.ufunc)(x, y)

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        first = cls.first(x, y) | np.isnan(y)
        return (sum_to(np.where(first, grad, 0), _shape(x)) if need_x else None,
                sum_to(np.where(first, 0, grad), _shape(y)) if need_y else None)

    @staticmethod
    def first(x, y):
        return x >= y


class Fmin(Fmax):
    """z = min(x, y), ignoring NaN;  dz/dx = 1 where x <= y or y is NaN,  dz/dy = 1 elsewhere."""
    name_ = "FminBackward0"
    ufunc = staticmethod(np.fmin)

    @staticmethod
    def first(x, y):
        return x <= y


class Heaviside(Op):
    """z = 0 for x < 0, ``values`` at 0, 1 for x > 0;  torch has no derivative for it."""
    name_ = "torch::autograd::NotImplemented"
    quiet = False

    @staticmethod
    def forward(ctx, x, values):
        try:
            return np.where(x == 0, values, x > 0).astype(x.dtype, copy=False)
        except ValueError:
            raise broadcast_error(_shape(x), _shape(values)) from None

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


# ----- public functions -----

def _type_error(name, arg, position, value):
    return TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{type(value).__name__}")


def _unary(op, name, doc, write=_out):
    """The public function for a one-input op: ``fn(input, *, out=None)``."""
    def fn(input, *, out=None):
        if not isinstance(input, _tensor.Tensor):
            raise _type_error(name, "input", 1, input)
        result = op.apply(input)
        return result if out is None else write(result, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


asinh = _unary(Asinh, "asinh", "Return the inverse hyperbolic sine of each element.")
arcsinh = asinh
acosh = _unary(Acosh, "acosh", "Return the inverse hyperbolic cosine of each element.")
arccosh = acosh
atanh = _unary(Atanh, "atanh", "Return the inverse hyperbolic tangent of each element.")
arctanh = atanh
erfc = _unary(Erfc, "erfc", "Return the complementary error function ``1 - erf(input)``.")
erfinv = _unary(Erfinv, "erfinv", "Return the inverse error function (NaN outside [-1, 1]).")
lgamma = _unary(Lgamma, "lgamma", "Return ``ln |Gamma(input)|`` (inf at the poles).")
digamma = _unary(Digamma, "digamma", "Return the digamma function, the derivative of lgamma.")
deg2rad = _unary(Deg2rad, "deg2rad", "Convert each element from degrees to radians.")
rad2deg = _unary(Rad2deg, "rad2deg", "Convert each element from radians to degrees.")
sinc = _unary(Sinc, "sinc", "Return the normalized sinc ``sin(pi x) / (pi x)`` (1 at 0).")
sgn = _unary(Sgn, "sgn", "Return the sign of each element (``sign`` for real tensors).",
             _same_dtype_out)


def _no_derivative_inplace(op, name):
    def method(self):
        return inplace(self, lambda x: op.apply(x))
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place version of :meth:`{name}` (not differentiable, as in torch)."
    return method


def polygamma(n, input, *, out=None):
    """Return the ``n``-th derivative of the digamma function of each element (n >= 0)."""
    if not isinstance(input, _tensor.Tensor):
        raise _type_error("polygamma", "input", 2, input)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(Polygamma.apply(input, int(n)), out)


def signbit(input, *, out=None):
    """Return True where the sign bit is set (negative numbers, -0.0, NaNs with the bit)."""
    if not isinstance(input, _tensor.Tensor):
        raise _type_error("signbit", "input", 1, input)
    x = input._data
    data = np.signbit(x) if x.dtype.kind == "f" else (x < 0 if x.dtype.kind == "i" else
                                                       np.zeros(x.shape, bool))
    result = _tensor.Tensor._make(np.asarray(data))
    if out is not None and out._data.dtype != np.bool_:
        raise RuntimeError("signbit does not support non-boolean outputs.")
    return result if out is None else _same_dtype_out(result, out)


def positive(input):
    """Return ``input`` itself (``+input``); bool tensors are an error, as in torch."""
    if not isinstance(input, _tensor.Tensor):
        raise _type_error("positive", "input", 1, input)
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _is_number(x):
    return isinstance(x, (bool, int, float, np.number, np.bool_))


def _float_operands(input, other):
    """Promote two operands (Tensors or numbers), then integers and bool to the default float."""
    target = _dtype.result_type(input, other)
    if target.np.kind != "f":
        target = _dtype.get_default_dtype()
    return _to(input, target), _to(other, target)


def _arguments_error(name, signatures, *args):
    kinds = ", ".join(type(a).__name__ if not isinstance(a, _tensor.Tensor) else "Tensor"
                      for a in args)
    lines = "".join(f" * {s}\n" for s in signatures)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({kinds}), "
                     f"but expected one of:\n{lines}")


_XLOGY_SIGNATURES = ("(Tensor input, Tensor other, *, Tensor out = None)",
                     "(Number self, Tensor other, *, Tensor out = None)",
                     "(Tensor input, Number other, *, Tensor out = None)")


def xlogy(input, other, *, out=None):
    """Return ``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    Tensor = _tensor.Tensor
    a, b = isinstance(input, Tensor), isinstance(other, Tensor)
    if not ((a or _is_number(input)) and (b or _is_number(other))) or not (a or b):
        raise _arguments_error("xlogy", _XLOGY_SIGNATURES, input, other)
    x, y = _float_operands(input, other)
    op = Xlogy if a and b else XlogyOtherScalar if a else XlogySelfScalar
    return _out(op.apply(x, y), out)


def _float_pair(op, name, kernel, input, other, out, arg="other"):
    """A binary op of two tensors that torch implements for float dtypes only."""
    Tensor = _tensor.Tensor
    if not isinstance(input, Tensor):
        raise _type_error(name, "input", 1, input)
    if not isinstance(other, Tensor):
        raise _type_error(name, arg, 2, other)
    if input._data.dtype is not other._data.dtype:
        input, other = promote_operands(input, other)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input._data.dtype)}'")
    return _out(op.apply(input, other), out)


def logaddexp(input, other, *, out=None):
    """Return ``log(exp(input) + exp(other))``, computed stably."""
    return _float_pair(Logaddexp, "logaddexp", "logaddexp_cpu", input, other, out)


def logaddexp2(input, other, *, out=None):
    """Return ``log2(2**input + 2**other)``, computed stably."""
    return _float_pair(Logaddexp2, "logaddexp2", "logaddexp2_cpu", input, other, out)


def hypot(input, other, *, out=None):
    """Return ``sqrt(input**2 + other**2)`` without intermediate overflow."""
    return _float_pair(Hypot, "hypot", "hypot_cpu", input, other, out)


_COPYSIGN_SIGNATURES = ("(Tensor input, Tensor other, *, Tensor out = None)",
                        "(Tensor input, Number other, *, Tensor out = None)")


def copysign(input, other, *, out=None):
    """Return the magnitude of ``input`` with the sign of ``other`` (a tensor or a number)."""
    Tensor = _tensor.Tensor
    if not isinstance(input, Tensor) or not (isinstance(other, Tensor) or _is_number(other)):
        raise _arguments_error("copysign", _COPYSIGN_SIGNATURES, input, other)
    x, y = _float_operands(input, other)
    return _out((Copysign if isinstance(other, Tensor) else CopysignScalar).apply(x, y), out)


def _pair(op, name, input, other, out, arg="other"):
    Tensor = _tensor.Tensor
    if not isinstance(input, Tensor):
        raise _type_error(name, "input", 1, input)
    if not isinstance(other, Tensor):
        raise _type_error(name, arg, 2, other)
    if input._data.dtype is not other._data.dtype:
        input, other = promote_operands(input, other)
    return _out(op.apply(input, other), out)


def fmax(input, other, *, out=None):
    """Return the elementwise maximum, taking the number where the other operand is NaN."""
    return _pair(Fmax, "fmax", input, other, out)


def fmin(input, other, *, out=None):
    """Return the elementwise minimum, taking the number where the other operand is NaN."""
    return _pair(Fmin, "fmin", input, other, out)


def heaviside(input, values, *, out=None):
    """Return the Heaviside step of ``input``: 0 below 0, ``values`` at 0, 1 above."""
    Tensor = _tensor.Tensor
    if not isinstance(input, Tensor):
        raise _type_error("heaviside", "input", 1, input)
    if not isinstance(values, Tensor):
        raise _type_error("heaviside", "values", 2, values)
    if input._data.dtype != values._data.dtype or (
            out is not None and out._data.dtype != input._data.dtype):
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    result = Heaviside.apply(input, values)
    return result if out is None else _same_dtype_out(result, out)


_FLOAT_POWER_SIGNATURES = ("(Tensor input, Tensor exponent, *, Tensor out = None)",
                           "(Number self, Tensor exponent, *, Tensor out = None)",
                           "(Tensor input, Number exponent, *, Tensor out = None)")


def float_power(input, exponent, *, out=None):
    """Return ``input ** exponent`` computed in float64 (either may be a number)."""
    from .arith import pow as _pow
    Tensor = _tensor.Tensor
    a, b = isinstance(input, Tensor), isinstance(exponent, Tensor)
    if not ((a or _is_number(input)) and (b or _is_number(exponent))) or not (a or b):
        raise _arguments_error("float_power", _FLOAT_POWER_SIGNATURES, input, exponent)
    f64 = _dtype.float64
    x = input.to(f64) if a else float(input)
    y = exponent.to(f64) if b else float(exponent)
    result = _pow(x, y)
    if out is not None:
        if out._data.dtype != np.float64:
            raise RuntimeError(f"the output given to float_power has dtype "
                               f"{scalar_type_name(out._data.dtype)} but the operation's result "
                               "requires dtype Double")
        return _out(result, out)
    return result


def _float_power_(self, exponent):
    if self._data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{scalar_type_name(self._data.dtype)} but the operation's result "
                           "requires dtype Double")
    return inplace(self, float_power, exponent)


def _method_pair(fn, name, arg="other"):
    """A Tensor method ``self.name(other)``: torch counts ``other`` at position 1."""
    def method(self, other, *args, **kwargs):
        if not isinstance(other, _tensor.Tensor):
            raise _type_error(name, arg, 1, other)
        return fn(self, other, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn.__doc__
    return method


def _inplace_pair(fn, name, arg="other"):
    def method(self, other):
        if not isinstance(other, _tensor.Tensor):
            raise _type_error(name + "_", arg, 1, other)
        return inplace(self, fn, other)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place version of :meth:`{name}`."
    return method


def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_(self, n):
    return inplace(self, _polygamma_method, n)


class Methods:
    """Tensor methods for the functions above (``x.lgamma()``, ``x.xlogy_(y)``...)."""

    asinh = asinh
    arcsinh = asinh
    acosh = acosh
    arccosh = acosh
    atanh = atanh
    arctanh = atanh
    erfc = erfc
    erfinv = erfinv
    lgamma = lgamma
    digamma = digamma
    polygamma = _polygamma_method
    deg2rad = deg2rad
    rad2deg = rad2deg
    sinc = sinc
    sgn = sgn
    signbit = signbit
    positive = positive
    xlogy = xlogy
    copysign = copysign
    float_power = float_power
    logaddexp = _method_pair(logaddexp, "logaddexp")
    logaddexp2 = _method_pair(logaddexp2, "logaddexp2")
    hypot = _method_pair(hypot, "hypot")
    fmax = _method_pair(fmax, "fmax")
    fmin = _method_pair(fmin, "fmin")
    heaviside = _method_pair(heaviside, "heaviside", "values")

    asinh_ = _no_derivative_inplace(AsinhInplace, "asinh")
    arcsinh_ = asinh_
    acosh_ = _no_derivative_inplace(AcoshInplace, "acosh")
    arccosh_ = acosh_
    atanh_ = _no_derivative_inplace(AtanhInplace, "atanh")
    arctanh_ = atanh_
    erfc_ = _inplace(erfc)
    erfinv_ = _inplace(erfinv)
    lgamma_ = _inplace(lgamma)
    digamma_ = _inplace(digamma)
    polygamma_ = _polygamma_
    deg2rad_ = _inplace(deg2rad)
    rad2deg_ = _inplace(rad2deg)
    sinc_ = _inplace(sinc)
    sgn_ = _inplace(sgn)
    xlogy_ = _inplace(xlogy)
    copysign_ = _inplace(copysign)
    float_power_ = _float_power_
    hypot_ = _inplace_pair(hypot, "hypot")
    heaviside_ = _inplace_pair(heaviside, "heaviside", "values")
