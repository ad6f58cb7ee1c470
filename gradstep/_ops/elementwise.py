"""Elementwise math: exp/log family, powers, trigonometry, activations, rounding, clamp, where.

Each op is a small ``Op`` with its value and derivative side by side. Float-only functions (exp,
sin, sqrt...) compute integer and bool inputs in the default float dtype, as torch does; sign-like
and rounding functions keep integer dtypes. Backward formulas use operators and NumPy functions
only, so they also run on Tensors under ``create_graph=True``.
"""
import math
import warnings

import numpy as np

from .. import _alloc, _dtype, _tensor
from ..autograd._fast_ops import OutputOp
from ..autograd.graph import Op
from .higher_order import linked_backward
from ._util import (_to, broadcast_error, can_cast, check_scalar, cpp_type_name, exact_ops,
                    filtered_ops, floating, inplace, out_writer, plus_zero, promote_operands,
                    scalar_array, scalar_type_name, sum_to, write_out)
from ._util import inplace_method as _inplace

__all__ = ["exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "square",
           "abs", "absolute", "sign", "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos",
           "atan", "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "sigmoid", "logit", "erf",
           "relu", "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "where",
           "floor", "ceil", "round", "trunc", "fix", "frac"]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


_ONES = {}


def _one(dtype):
    """A 0-dim array holding 1 in ``dtype`` (NumPy adds an array faster than a Python number)."""
    one = _ONES.get(dtype)
    if one is None:
        one = _ONES[dtype] = np.ones((), dtype)
    return one


def _shape(x):
    return x.shape if hasattr(x, "shape") else ()


_broadcast_error = broadcast_error  # the name other modules import it by


# out= for ops that compute in a promoted dtype: cast into out's where torch allows; and for ops
# whose out must have exactly the result's dtype (rounding, abs, clamp with number bounds)
_out = out_writer("cast")
_same_dtype_out = out_writer("same")


def _not_implemented(kernel, x):
    return NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(x.dtype)}\'')


def _second_on_tie(ufunc, dtype):
    """Whether ``ufunc`` (np.maximum or np.minimum) returns its second operand for equal ones."""
    return not np.signbit(ufunc(np.full(4, -0.0, dtype), np.zeros(4, dtype))).all()


# torch's maximum, minimum, clamp and relu give their input where the two are equal; that shows
# only for -0.0 against 0.0 (``relu(-0.)`` is ``-0.``). NumPy's vectorised loops give the second
# operand there for float32 and float64 and the first for float16: probed, not assumed.
_SECOND_ON_TIE = frozenset((ufunc, np.dtype(dtype)) for ufunc in (np.maximum, np.minimum)
                           for dtype in (np.float16, np.float32, np.float64)
                           if _second_on_tie(ufunc, dtype))


def tie_first(ufunc, x, y, out=None):
    """``ufunc(x, y)`` for np.maximum or np.minimum that gives ``x`` where ``x == y``."""
    if (ufunc, x.dtype) in _SECOND_ON_TIE:
        return ufunc(y, x, out=out)
    return ufunc(x, y, out=out)


# ----- exponentials and logarithms -----

class Exp(OutputOp):
    """z = e^x;  dz/dx = z."""
    name_ = "ExpBackward0"
    compute = np.exp

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad * out


class Exp2(OutputOp):
    """z = 2^x;  dz/dx = z ln 2."""
    name_ = "Exp2Backward0"
    compute = np.exp2

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad * (out * _LN2)


class Expm1(OutputOp):
    """z = e^x - 1;  dz/dx = z + 1."""
    name_ = "Expm1Backward0"
    compute = np.expm1

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad * (out + 1)


class Log(Op):
    """z = ln x;  dz/dx = 1 / x."""
    name_ = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / x


class Log2(Op):
    """z = log2 x;  dz/dx = 1 / (x ln 2)."""
    name_ = "Log2Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log2(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / (x * _LN2)


class Log10(Op):
    """z = log10 x;  dz/dx = 1 / (x ln 10)."""
    name_ = "Log10Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log10(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / (x * _LN10)


class Log1p(Op):
    """z = ln(1 + x);  dz/dx = 1 / (1 + x)."""
    name_ = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / (x + 1)


# ----- powers -----

class Sqrt(OutputOp):
    """z = sqrt(x);  dz/dx = 1 / (2 z)  (inf at 0)."""
    name_ = "SqrtBackward0"
    compute = np.sqrt

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad / (out * 2)


class Rsqrt(OutputOp):
    """z = 1 / sqrt(x);  dz/dx = -z^3 / 2."""
    name_ = "RsqrtBackward0"

    @staticmethod
    def compute(x):
        out = np.sqrt(x)
        out = np.reciprocal(out, out=out) if out.ndim else 1 / out
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad * (out * out * out * -0.5)


class Square(Op):
    """z = x^2;  dz/dx = 2 x  (torch records it as ``pow(x, 2)``)."""
    name_ = "PowBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        if x.dtype.kind == "b":
            x = x.astype(np.int64)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * (x * 2.0)

    @staticmethod
    def graph_backward(ctx, grad):
        """Under create_graph, as torch records pow(x, 2): ``2 * x ** 1``, a power of x whose
        own derivative still depends on x."""
        x, = ctx._arrays
        return grad * (2.0 * np.power(x, 1))


# ----- sign -----

class Abs(Op):
    """z = |x|;  dz/dx = sign(x)  (0 at 0)."""
    name_ = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise _not_implemented("abs_cpu", x)
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * np.sign(x)


class Sign(Op):
    """z = sign(x) (0 for 0 and NaN, as torch);  dz/dx = 0."""
    name_ = "SignBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()
        if x.dtype.kind == "f":
            return np.subtract(x > 0, x < 0, dtype=x.dtype)
        return np.sign(x)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


# ----- trigonometric and hyperbolic -----

class Sin(Op):
    """z = sin x;  dz/dx = cos x."""
    name_ = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * np.cos(x)


class Cos(Op):
    """z = cos x;  dz/dx = -sin x."""
    name_ = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * -np.sin(x)


class Tan(OutputOp):
    """z = tan x;  dz/dx = 1 + z^2."""
    name_ = "TanBackward0"
    compute = np.tan

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad * (out * out + 1)


class Asin(Op):
    """z = asin x;  dz/dx = 1 / sqrt(1 - x^2)."""
    name_ = "AsinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / np.sqrt(1 - x * x)


class Acos(Op):
    """z = acos x;  dz/dx = -1 / sqrt(1 - x^2)."""
    name_ = "AcosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return -grad / np.sqrt(1 - x * x)


class Atan(Op):
    """z = atan x;  dz/dx = 1 / (1 + x^2)."""
    name_ = "AtanBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad / (x * x + 1)


class Atan2(Op):
    """z = atan2(y, x);  dz/dy = x / (x^2 + y^2),  dz/dx = -y / (x^2 + y^2)  (0 at the origin)."""
    name_ = "Atan2Backward0"

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        try:
            return np.arctan2(y, x)
        except ValueError:
            raise broadcast_error(_shape(y), _shape(x)) from None

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx._arrays
        need_y, need_x = ctx.needs_input_grad
        d = x * x + y * y
        # torch's convention at the origin: a zero gradient instead of 0 / 0
        g = np.where(d == 0, 0, grad / d)
        return (sum_to(g * x, _shape(y)) if need_y else None,
                sum_to(-g * y, _shape(x)) if need_x else None)


class Sinh(Op):
    """z = sinh x;  dz/dx = cosh x."""
    name_ = "SinhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * np.cosh(x)


class Cosh(Op):
    """z = cosh x;  dz/dx = sinh x."""
    name_ = "CoshBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * np.sinh(x)


class Tanh(OutputOp):
    """z = tanh x;  dz/dx = 1 - z^2."""
    name_ = "TanhBackward0"
    compute = np.tanh

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        # g - g z^2, not g (1 - z^2): no Python number in the formula, which NumPy handles slowly
        return grad - grad * out * out


# ----- activations and special functions -----

class Sigmoid(OutputOp):
    """z = 1 / (1 + e^-x);  dz/dx = z (1 - z)."""
    name_ = "SigmoidBackward0"

    @staticmethod
    def compute(x):
        if x.ndim:  # in place on one fresh buffer: fewer allocations, and far faster
            out = np.negative(x)
            np.exp(out, out=out)
            np.add(out, _one(out.dtype), out=out)  # a 0-dim array: NumPy is slower with 1
            np.reciprocal(out, out=out)
        else:
            out = 1 / (1 + np.exp(-x))
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        # z - z^2, not z (1 - z): no Python number in the formula, which NumPy handles slowly
        return grad * (out - out * out)


class Logit(Op):
    """z = ln(p / (1 - p)), p = x clamped to [eps, 1 - eps];  dz/dx = 1 / (x (1 - x)).

    Outside [eps, 1 - eps] the gradient is 0; without eps it is NaN outside [0, 1] (as torch).
    """
    name_ = "LogitBackward0"

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        x = floating(x)
        if eps is not None:
            # the low bound tested first: for eps > 0.5 (bounds crossed) x below eps becomes eps,
            # as in torch, where min(max(x, eps), 1 - eps) would give 1 - eps
            x = np.where(x < eps, eps, np.where(x > 1 - eps, 1 - eps, x))
        return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        eps = ctx.eps
        g = grad / (x * (1 - x))
        if eps is None:
            return np.where((x < 0) | (x > 1), math.nan, g)
        return np.where((x < eps) | (x > 1 - eps), 0, g)


# Numerical Recipes' Chebyshev fit of erfc (fractional error < 1.2e-7): erfc(a) =
# t * exp(-a^2 + P(t)), t = 1 / (1 + a / 2); enough for float32/float16 results.
_ERFC_COEFFS = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
                0.09678418, 0.37409196, 1.00002368, -1.26551223)
_math_erf = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    """erf elementwise: exact (libm) for float64, a vectorised fit for lower precisions."""
    if x.dtype == np.float64 or x.size <= 256:  # libm is exact, and fastest on few elements
        return np.asarray(_math_erf(x), dtype=np.float64).astype(x.dtype, copy=False)
    x64 = x.astype(np.float64)
    a = np.abs(x64)
    t = 1.0 / (1.0 + 0.5 * a)
    p = np.zeros_like(t)
    for c in _ERFC_COEFFS:
        p = p * t + c
    big = 1.0 - t * np.exp(p - a * a)
    # Taylor series near 0, where 1 - erfc would lose the relative precision.
    x2 = a * a
    term = a.copy()
    small = a.copy()
    for n in range(1, 9):
        term = term * (-x2 / n)
        small += term / (2 * n + 1)
    small *= _TWO_OVER_SQRT_PI
    return (np.sign(x64) * np.where(a < 0.5, small, big)).astype(x.dtype)


class Erf(Op):
    """z = erf x;  dz/dx = 2 / sqrt(pi) e^(-x^2)."""
    name_ = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf(floating(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * (np.exp(-(x * x)) * _TWO_OVER_SQRT_PI)


class Relu(Op):
    """z = max(x, 0);  dz/dx = 1 where z > 0, else 0 (0 at the kink, as torch)."""
    name_ = "ReluBackward0"
    # torch differentiates threshold_backward(grad, z, 0): the mask depends on z, with
    # derivative 0, so zeros flow back through this node again at the next order
    graph_backward = linked_backward
    graph_name = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        if x.dtype.kind == "f" and x.ndim >= 2 and x.size >= 4096 and x.flags.c_contiguous \
                and x.size // x.shape[0] >= 256:
            # against a zero row rather than the scalar 0: NumPy's maximum then takes its
            # vectorised loop (~3x faster on large inputs); the values are the same
            rows = x.shape[0]
            zeros = np.zeros(x.size // rows, x.dtype)
            out = _alloc.empty(x.shape, x.dtype)
            tie_first(np.maximum, x.reshape(rows, -1), zeros, out=out.reshape(rows, -1))
        else:
            out = tie_first(np.maximum, x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        # out != 0, not out > 0: torch passes the gradient through NaN outputs (an output is
        # >= 0 or NaN, so this is the same mask in one pass). A multiply by the mask, not
        # np.where, which is 15x slower on a random mask (branch mispredictions).
        mask = out != 0
        if type(grad) is np.ndarray and grad.shape == out.shape and grad.dtype.kind == "f":
            return plus_zero(np.multiply(grad, mask, out=_alloc.empty(grad.shape, grad.dtype)))
        return plus_zero(grad * mask)


# ----- rounding -----

class _Rounding(Op):
    """Piecewise-constant ops: the derivative is 0 everywhere it exists."""

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


def _rounding(ufunc, kernel):
    def forward(ctx, x):
        kind = x.dtype.kind
        if kind == "f":
            return ufunc(x)
        if kind == "b":
            raise _not_implemented(kernel, x)
        return x.copy()
    return staticmethod(forward)


class Floor(_Rounding):
    """z = floor x;  dz/dx = 0."""
    name_ = "FloorBackward0"
    forward = _rounding(np.floor, "floor_vml_cpu")


class Ceil(_Rounding):
    """z = ceil x;  dz/dx = 0."""
    name_ = "CeilBackward0"
    forward = _rounding(np.ceil, "ceil_vml_cpu")


class Round(_Rounding):
    """z = x rounded half to even;  dz/dx = 0."""
    name_ = "RoundBackward0"
    forward = _rounding(np.rint, "round_vml_cpu")


class Trunc(_Rounding):
    """z = x rounded toward 0;  dz/dx = 0."""
    name_ = "TruncBackward0"
    forward = _rounding(np.trunc, "trunc_vml_cpu")


class RoundDecimals(_Rounding):
    """z = x rounded half to even at ``decimals`` decimal places;  dz/dx = 0."""
    name_ = "RoundBackward1"
    quiet = True  # unlike the other rounding ops, x * 10 ** decimals may overflow

    @staticmethod
    def forward(ctx, x, decimals):
        if x.dtype.kind != "f":
            raise _not_implemented("round_cpu", x)
        # float16 computes in float32, as torch does: 65504 * 10 must not overflow. A scale past
        # the dtype's range is inf, and the result nan (as in torch), not Python's OverflowError.
        work = x.astype(np.float32) if x.dtype == np.float16 else x
        if decimals >= 0:
            scale = work.dtype.type(np.float64(10.0) ** decimals)
            out = np.rint(work * scale) / scale
        else:
            scale = work.dtype.type(np.float64(10.0) ** -decimals)
            out = np.rint(work / scale) * scale
        return out.astype(x.dtype, copy=False)


class Frac(Op):
    """z = x - trunc(x);  dz/dx = 1."""
    name_ = "FracBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind != "f":
            raise _not_implemented("frac_cpu", x)
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


# ----- clamp, maximum, minimum, where -----

class Clamp(Op):
    """z = min(max(x, lo), hi) with number bounds;  dz/dx = 1 where lo <= x <= hi, else 0."""
    name_ = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        if lo is not None:
            out = tie_first(np.maximum, x, lo)
            return out if hi is None else tie_first(np.minimum, out, hi)
        return tie_first(np.minimum, x, hi)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        lo, hi = ctx.bounds
        if lo is None:
            mask = x <= hi
        elif hi is None:
            mask = x >= lo
        else:
            mask = (x >= lo) & (x <= hi)
        return np.where(mask, grad, 0)


class ClampMin(Clamp):
    """z = max(x, lo);  dz/dx = 1 where x >= lo."""
    name_ = "ClampMinBackward0"


class ClampMax(Clamp):
    """z = min(x, hi);  dz/dx = 1 where x <= hi."""
    name_ = "ClampMaxBackward0"


class ClampTensor(Op):
    """z = min(max(x, lo), hi) with tensor bounds.

    dz/dx = 1 where lo <= x <= hi;  dz/dlo = 1 where x < lo (and lo < hi);
    dz/dhi = 1 where x > hi (or hi < lo, where hi wins).
    """
    name_ = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        try:
            if lo is not None:
                out = tie_first(np.maximum, x, lo)
                return out if hi is None else tie_first(np.minimum, out, hi)
            return tie_first(np.minimum, x, hi)
        except ValueError:
            raise broadcast_error(*(_shape(a) for a in (x, lo, hi) if a is not None)) from None

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx._arrays
        nx, nlo, nhi = ctx.needs_input_grad
        gx = glo = ghi = None
        if lo is None:
            if nx:
                gx = np.where(x <= hi, grad, 0)
            if nhi:
                ghi = np.where(x > hi, grad, 0)
        elif hi is None:
            if nx:
                gx = np.where(x >= lo, grad, 0)
            if nlo:
                glo = np.where(x < lo, grad, 0)
        else:
            if nx:
                gx = np.where((x >= lo) & (x <= hi), grad, 0)
            if nlo:
                glo = np.where((x < lo) & (lo < hi), grad, 0)
            if nhi:
                ghi = np.where((x > hi) | (hi < lo), grad, 0)
        return (sum_to(gx, _shape(x)) if gx is not None else None,
                sum_to(glo, _shape(lo)) if glo is not None else None,
                sum_to(ghi, _shape(hi)) if ghi is not None else None)


class ClampMinTensor(ClampTensor):
    name_ = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    name_ = "ClampMaxBackward1"


class Maximum(Op):
    """z = max(x, y);  the larger input gets the gradient, a tie splits it half and half."""
    name_ = "MaximumBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        try:
            return tie_first(np.maximum, x, y)
        except ValueError:
            raise broadcast_error(_shape(x), _shape(y)) from None

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        shared = np.where(x == y, grad * 0.5, grad)
        # NaN compares false both ways: both inputs get the whole gradient, as in torch
        return (sum_to(np.where(x < y, 0, shared), _shape(x)) if need_x else None,
                sum_to(np.where(y < x, 0, shared), _shape(y)) if need_y else None)


class Minimum(Op):
    """z = min(x, y);  the smaller input gets the gradient, a tie splits it half and half."""
    name_ = "MinimumBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        try:
            return tie_first(np.minimum, x, y)
        except ValueError:
            raise broadcast_error(_shape(x), _shape(y)) from None

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        shared = np.where(x == y, grad * 0.5, grad)
        return (sum_to(np.where(x > y, 0, shared), _shape(x)) if need_x else None,
                sum_to(np.where(y > x, 0, shared), _shape(y)) if need_y else None)


class Where(Op):
    """z = x where cond else y;  dz/dx = cond,  dz/dy = not cond."""
    name_ = "WhereBackward0"

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        ctx.shapes = (_shape(x), _shape(y))
        try:
            return np.where(cond, x, y)
        except ValueError:
            raise broadcast_error(cond.shape, _shape(x), _shape(y)) from None

    @staticmethod
    def backward(ctx, grad):
        cond, = ctx._arrays
        sx, sy = ctx.shapes
        _, need_x, need_y = ctx.needs_input_grad
        return (None,
                sum_to(np.where(cond, grad, 0), sx) if need_x else None,
                sum_to(np.where(cond, 0, grad), sy) if need_y else None)


# ----- public functions -----


def _type_error(name, arg, position, value):
    return TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{type(value).__name__}")


def _unary(op, name, doc, write=_out):
    """The public function for a one-input op: ``fn(input, *, out=None)``. ``write`` honours
    out= (``_same_dtype_out`` for ops that keep their input's dtype)."""
    apply1 = op.apply1  # bound once: a classmethod lookup makes a bound method per call

    def fn(input, *, out=None):
        try:
            result = apply1(input)
        except AttributeError:
            if not isinstance(input, _tensor.Tensor):
                raise _type_error(name, "input", 1, input) from None
            raise
        return result if out is None else write(result, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__code__ = fn.__code__.replace(co_name=name, co_qualname=name)  # tracebacks name it too
    fn.__doc__ = doc
    return fn


exp = _unary(Exp, "exp", "Return e raised to each element of ``input``.")
exp2 = _unary(Exp2, "exp2", "Return 2 raised to each element of ``input``.")
expm1 = _unary(Expm1, "expm1", "Return ``exp(input) - 1``, accurate for small inputs.")
log = _unary(Log, "log", "Return the natural logarithm of each element.")
log2 = _unary(Log2, "log2", "Return the base-2 logarithm of each element.")
log10 = _unary(Log10, "log10", "Return the base-10 logarithm of each element.")
log1p = _unary(Log1p, "log1p", "Return ``log(1 + input)``, accurate for small inputs.")
sqrt = _unary(Sqrt, "sqrt", "Return the square root of each element.")
rsqrt = _unary(Rsqrt, "rsqrt", "Return the reciprocal of the square root of each element.")
square = _unary(Square, "square", "Return the square of each element (integers stay integers).")
abs = _unary(Abs, "abs", "Return the absolute value of each element.",  # noqa: A001
             _same_dtype_out)
absolute = abs
sign = _unary(Sign, "sign", "Return -1, 0 or 1 by the sign of each element (0 for NaN).",
              _same_dtype_out)
sin = _unary(Sin, "sin", "Return the sine of each element (radians).")
cos = _unary(Cos, "cos", "Return the cosine of each element (radians).")
tan = _unary(Tan, "tan", "Return the tangent of each element (radians).")
asin = _unary(Asin, "asin", "Return the arcsine of each element.")
arcsin = asin
acos = _unary(Acos, "acos", "Return the arccosine of each element.")
arccos = acos
atan = _unary(Atan, "atan", "Return the arctangent of each element.")
arctan = atan
sinh = _unary(Sinh, "sinh", "Return the hyperbolic sine of each element.")
cosh = _unary(Cosh, "cosh", "Return the hyperbolic cosine of each element.")
tanh = _unary(Tanh, "tanh", "Return the hyperbolic tangent of each element.")
sigmoid = _unary(Sigmoid, "sigmoid", "Return the logistic sigmoid ``1 / (1 + exp(-input))``.")
erf = _unary(Erf, "erf", "Return the Gauss error function of each element.")
relu = _unary(Relu, "relu", "Return ``max(input, 0)`` elementwise.", _same_dtype_out)
floor = _unary(Floor, "floor", "Return the largest integer not greater than each element.",
               _same_dtype_out)
ceil = _unary(Ceil, "ceil", "Return the smallest integer not less than each element.",
              _same_dtype_out)
trunc = _unary(Trunc, "trunc", "Return each element rounded toward zero.", _same_dtype_out)
fix = trunc
frac = _unary(Frac, "frac", "Return the fractional part ``input - trunc(input)``.",
              _same_dtype_out)


def round(input, *, decimals=None, out=None):  # noqa: A001
    """Return each element rounded half to even, at ``decimals`` decimal places (default 0).

    As in torch, integer tensors are returned as they are only without ``decimals``: given,
    even as 0, it selects the float-only kernel.
    """
    if decimals is None:
        return _same_dtype_out(Round.apply(input), out)
    if decimals == 0:
        if input._data.dtype.kind != "f":
            raise _not_implemented("round_vml_cpu", input._data)
        return _same_dtype_out(Round.apply(input), out)
    return _same_dtype_out(RoundDecimals.apply(input, decimals), out)


def logit(input, eps=None, *, out=None):
    """Return ``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when eps is given."""
    return _out(Logit.apply(input, eps), out)


def atan2(input, other, *, out=None):
    """Return the angle of the point ``(other, input)``: ``atan(input / other)`` by quadrant."""
    if not isinstance(other, _tensor.Tensor):
        raise _type_error("atan2", "other", 2, other)
    if input._data.dtype is not other._data.dtype:
        input, other = promote_operands(input, other)
    if input._data.dtype.kind != "f":
        target = _dtype.get_default_dtype()
        input, other = _to(input, target), _to(other, target)
    return _out(Atan2.apply(input, other), out)


arctan2 = atan2


def _binary_tensors(op, name, input, other, out):
    if not isinstance(other, _tensor.Tensor):
        raise _type_error(name, "other", 2, other)
    if input._data.dtype is not other._data.dtype:
        input, other = promote_operands(input, other)
    return _out(op.apply(input, other), out)


def maximum(input, other, *, out=None):
    """Return the elementwise maximum (NaN propagates; a tie splits the gradient in halves)."""
    return _binary_tensors(Maximum, "maximum", input, other, out)


def minimum(input, other, *, out=None):
    """Return the elementwise minimum (NaN propagates; a tie splits the gradient in halves)."""
    return _binary_tensors(Minimum, "minimum", input, other, out)


def _clamp_signature_error(name, *args):
    """torch's TypeError for arguments that fit neither clamp signature (tensors or numbers)."""
    if name == "clamp":
        bounds = ("Tensor min = None, Tensor max = None", "Number min = None, Number max = None")
    else:
        bound = "min" if name == "clamp_min" else "max"
        bounds = (f"Tensor {bound}", f"Number {bound}")
    while len(args) > 2 and args[-1] is None:  # a bound left out (as far as we can tell)
        args = args[:-1]
    kinds = ", ".join(type(a).__name__ for a in args)
    lines = "".join(f" * (Tensor input, {b}, *, Tensor out = None)\n" for b in bounds)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({kinds}), "
                     f"but expected one of:\n{lines}")


def _scalar_bound(value, np_dtype):
    """A number bound in the computation dtype (a weak Python float for float tensors)."""
    if value is None:
        return None
    if np_dtype.kind == "f":
        return value if type(value) is float else float(value)
    return scalar_array(value, np_dtype)[()]


_HALF_MAX = 65504.0  # a float or int bound within +-this fits every float dtype: no check needed


def _clamp(input, min, max, scalar_op, tensor_op, name, args):
    Tensor = _tensor.Tensor
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if (min is None or isinstance(min, Tensor)) and (max is None or isinstance(max, Tensor)):
            target = _dtype.result_type(input, min, max)
            if target is _dtype.bool_ and min is not None and max is not None:
                raise NotImplementedError('"clamp_cpu" not implemented for \'Bool\'')
            return tensor_op.apply(_to(input, target),
                                   None if min is None else _to(min, target),
                                   None if max is None else _to(max, target))
        # a tensor with a number: torch reads a 0-dim tensor as a number (clamp's Number form)
        if any(isinstance(b, Tensor) and b._data.ndim for b in (min, max)):
            raise _clamp_signature_error(name, input, *args)
        min, max = (b.item() if isinstance(b, Tensor) else b for b in (min, max))
    if min is None and max is None:
        if name != "clamp":  # clamp_min(t, None): no signature takes None
            raise _clamp_signature_error(name, input, *args)
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    try:
        kind = input._data.dtype.kind
    except AttributeError:  # no tensor as input
        raise _clamp_signature_error(name, input, *args) from None
    if kind != "f":
        input = _to(input, _dtype.result_type(input, min, max))
        kind = input._data.dtype.kind
    np_dtype = input._data.dtype
    if kind == "b":
        kernel = "clamp" if min is not None and max is not None else \
            "clamp_min" if min is not None else "clamp_max"
        raise NotImplementedError(f'"{kernel}_scalar_cpu" not implemented for \'Bool\'')
    # torch's overflow check of the bounds in the computation dtype (skipped for the usual
    # small bounds of float tensors)
    try:
        for bound in (min, max):
            if bound is not None and not (kind == "f" and -_HALF_MAX <= bound <= _HALF_MAX):
                check_scalar(bound, np_dtype)
    except TypeError:  # a bound that is no number
        raise _clamp_signature_error(name, input, *args) from None
    return scalar_op.apply(input, _scalar_bound(min, np_dtype), _scalar_bound(max, np_dtype))


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002
    """Clamp each element into ``[min, max]`` (numbers or tensors; either may be None).

    The gradient passes where ``min <= input <= max``, as in torch.
    """
    result = _clamp(input, min, max, Clamp, ClampTensor, "clamp", (min, max))
    if out is None:
        return result
    return (_out if _tensor_bounds(min, max) else _same_dtype_out)(result, out)


clip = clamp


def clamp_min(input, min, *, out=None):  # noqa: A002
    """Return ``max(input, min)`` elementwise."""
    result = _clamp(input, min, None, ClampMin, ClampMinTensor, "clamp_min", (min,))
    if out is None:
        return result
    return (_out if _tensor_bounds(min, None) else _same_dtype_out)(result, out)


def clamp_max(input, max, *, out=None):  # noqa: A002
    """Return ``min(input, max)`` elementwise."""
    result = _clamp(input, None, max, ClampMax, ClampMaxTensor, "clamp_max", (max,))
    if out is None:
        return result
    return (_out if _tensor_bounds(None, max) else _same_dtype_out)(result, out)


def _tensor_bounds(min, max):  # noqa: A002
    """Whether clamp took tensor bounds: its out= then casts where it may, where with number
    bounds torch wants out in the result's dtype exactly."""
    Tensor = _tensor.Tensor
    return (min is None or isinstance(min, Tensor)) and (max is None or isinstance(max, Tensor))


def _check_clamp_inplace(self, min, max):  # noqa: A002
    """``clamp_`` with number bounds words the cast error with C++ type names (``long int``)."""
    Tensor = _tensor.Tensor
    dtype = self._data.dtype
    if dtype.kind == "f" or isinstance(min, Tensor) or isinstance(max, Tensor):
        return
    target = _dtype.result_type(self, min, max).np
    if target != dtype and not can_cast(target, dtype):
        raise RuntimeError(f"result type {scalar_type_name(target)} can't be cast to the desired "
                           f"output type {cpp_type_name(dtype)}")


def _check_where_number(value, np_dtype):
    """torch range-checks a number of where in an integer dtype or float32 (not float16)."""
    if np_dtype.kind in "iu" or np_dtype == np.float32:
        check_scalar(value, np_dtype)


def where(condition, input=None, other=None, *, out=None):
    """Pick ``input`` where ``condition`` holds, else ``other``; one argument: ``nonzero`` tuple."""
    Tensor = _tensor.Tensor
    if input is None and other is None:
        data = condition._data
        return tuple(Tensor._make(i) for i in np.nonzero(data if data.ndim else data.reshape(1)))
    if not isinstance(condition, Tensor):
        raise _type_error("where", "condition", 1, condition)
    kind = condition._data.dtype
    if kind != np.bool_:
        if kind != np.uint8:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                               f"with dtype {scalar_type_name(kind)}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and "
                      "will be removed in a future version of PyTorch. Use a boolean condition "
                      "instead.", UserWarning, stacklevel=2)
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        if input._data.dtype is not other._data.dtype:
            input, other = promote_operands(input, other)
    elif out is not None:  # torch's where with out= takes tensors only
        raise (_type_error("where", "other", 3, other) if isinstance(input, Tensor) else
               _type_error("where", "input", 2, input))
    elif (isinstance(input, Tensor) and (type(other) is float or type(other) is int)
          and input._data.dtype.kind == "f" and -_HALF_MAX <= other <= _HALF_MAX):
        pass  # a weak Python number in a float tensor's dtype, small enough not to overflow it
    else:
        target = _dtype.result_type(input, other).np
        for value in (input, other):
            if not isinstance(value, Tensor):
                _check_where_number(value, target)
        input, other = promote_operands(input, other)
    result = Where.apply(condition, input, other)
    return result if out is None else write_out(result, out, dtype_rule="where")


class Methods:
    """Tensor methods for elementwise math (``x.exp()``, ``x.exp_()``...)."""

    exp = exp
    exp2 = exp2
    expm1 = expm1
    log = log
    log2 = log2
    log10 = log10
    log1p = log1p
    sqrt = sqrt
    rsqrt = rsqrt
    square = square
    abs = abs
    absolute = abs
    __abs__ = abs
    sign = sign
    sin = sin
    cos = cos
    tan = tan
    asin = asin
    arcsin = asin
    acos = acos
    arccos = acos
    atan = atan
    arctan = atan
    arctan2 = atan2
    sinh = sinh
    cosh = cosh
    tanh = tanh
    sigmoid = sigmoid
    logit = logit
    erf = erf
    relu = relu
    floor = floor
    ceil = ceil
    round = round
    trunc = trunc
    fix = trunc
    frac = frac
    clamp = clamp
    clip = clamp
    clamp_min = clamp_min
    clamp_max = clamp_max

    def where(self, condition, y):
        """``torch.where(condition, self, y)``."""
        return where(condition, self, y)

    exp_ = _inplace(exp)
    exp2_ = _inplace(exp2)
    expm1_ = _inplace(expm1)
    log_ = _inplace(log)
    log2_ = _inplace(log2)
    log10_ = _inplace(log10)
    log1p_ = _inplace(log1p)
    sqrt_ = _inplace(sqrt)
    rsqrt_ = _inplace(rsqrt)
    square_ = _inplace(square)
    abs_ = _inplace(abs)
    absolute_ = abs_
    sign_ = _inplace(sign)
    sin_ = _inplace(sin)
    cos_ = _inplace(cos)
    tan_ = _inplace(tan)
    asin_ = _inplace(asin)
    arcsin_ = asin_
    acos_ = _inplace(acos)
    arccos_ = acos_
    atan_ = _inplace(atan)
    arctan_ = atan_
    arctan2_ = _inplace(atan2)
    sinh_ = _inplace(sinh)
    cosh_ = _inplace(cosh)
    tanh_ = _inplace(tanh)
    sigmoid_ = _inplace(sigmoid)
    logit_ = _inplace(logit)
    erf_ = _inplace(erf)
    relu_ = _inplace(relu)
    floor_ = _inplace(floor)
    ceil_ = _inplace(ceil)
    round_ = _inplace(round)
    trunc_ = _inplace(trunc)
    fix_ = trunc_
    frac_ = _inplace(frac)

    def clamp_(self, min=None, max=None):  # noqa: A002
        """In-place version of :meth:`clamp`."""
        _check_clamp_inplace(self, min, max)
        return inplace(self, clamp, min, max)

    clip_ = clamp_

    def clamp_min_(self, min):  # noqa: A002
        """In-place version of :meth:`clamp_min`."""
        _check_clamp_inplace(self, min, None)
        return inplace(self, clamp_min, min)

    def clamp_max_(self, max):  # noqa: A002
        """In-place version of :meth:`clamp_max`."""
        _check_clamp_inplace(self, None, max)
        return inplace(self, clamp_max, max)

    # methods name ``other`` at position 1 (after self) in torch's TypeError
    def atan2(self, other):
        if not isinstance(other, _tensor.Tensor):
            raise _type_error("atan2", "other", 1, other)
        return atan2(self, other)

    def atan2_(self, other):
        if not isinstance(other, _tensor.Tensor):
            raise _type_error("atan2_", "other", 1, other)
        return inplace(self, atan2, other)

    def maximum(self, other):
        if not isinstance(other, _tensor.Tensor):
            raise _type_error("maximum", "other", 1, other)
        return maximum(self, other)

    def minimum(self, other):
        if not isinstance(other, _tensor.Tensor):
            raise _type_error("minimum", "other", 1, other)
        return minimum(self, other)


# Ops that cannot produce inf/nan skip the quiet set-up (see Op.quiet).
exact_ops(globals(), ("Abs", "Sign", "Relu", "_Rounding", "Clamp", "ClampTensor", "Maximum",
                      "Minimum", "Where"))
# Ufunc-only forwards, kept quiet by gradstep's warnings filter where it is in effect.
filtered_ops(globals(), ("Exp", "Exp2", "Expm1", "Log", "Log2", "Log10", "Log1p", "Sqrt", "Rsqrt",
                         "Square", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
                         "Tanh", "Sigmoid"))
