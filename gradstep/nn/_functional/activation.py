"""Activation functions: one fused ``Op`` per nonlinearity, value and derivative side by side.

Gradients at the kinks follow torch exactly (relu and hardtanh pass 0 at their corners,
leaky_relu passes the slope at 0, elu takes its negative branch at 0...). Backward formulas use
operators and NumPy functions only, so they also run on Tensors under ``create_graph=True``;
masks are applied by multiplying (``grad * mask``), which NumPy does 20x faster than ``np.where``.

The in-place forms (``relu_``, ``elu_``...) write into their input as torch's do. Where torch's
in-place backward uses the result (``EluBackward1``...), so do the ops here; the others keep a
copy of the input they overwrite, so the gradient stays correct.
"""
import math
import warnings

import numpy as np

from ... import _tensor
from ..._ops import reduction as _reduction
from ..._ops._util import inplace as _inplace_write
from ..._ops._util import plus_zero, scalar_type_name, wrap_dim
from ..._ops.elementwise import Relu, Sigmoid, Tanh, _erf
from ..._ops.higher_order import input_at, link, linked_backward
from ...autograd.graph import Op

Tensor = _tensor.Tensor

__all__ = ["threshold", "threshold_", "relu", "relu_", "relu6", "glu", "hardtanh", "hardtanh_",
           "elu", "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu",
           "rrelu", "rrelu_", "logsigmoid", "gelu", "hardshrink", "tanhshrink", "softsign",
           "softplus", "softmin", "softmax", "log_softmax", "softshrink", "tanh", "sigmoid",
           "hardsigmoid", "silu", "mish", "hardswish", "gumbel_softmax"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715
_ONE_SIXTH_F32 = float(np.float32(1.0 / 6.0))


def _float_only(x, kernel):
    """torch's error for a float-only kernel handed an integer or bool tensor."""
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(x.dtype)}\'')


# ----- piecewise-linear activations -----

class Threshold(Op):
    """z = value if x <= threshold else x;  dz/dx = 0 where x <= threshold, else 1.

    Written with ``<=`` as torch does, so nan (never <= anything) passes through with its
    gradient."""
    name_ = "ThresholdBackward0"
    graph_backward = linked_backward  # the mask depends on x, with derivative 0

    @staticmethod
    def forward(ctx, x, th, value):
        ctx.th = th
        ctx.save_for_backward(x)
        return np.where(x <= th, np.asarray(value).astype(x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return plus_zero(grad * ~(x <= ctx.th))


class ThresholdInplace(Threshold):
    """threshold_ (torch's ThresholdBackward1): the mask of the overwritten input (a copy)."""
    name_ = "ThresholdBackward1"


class _NoSave:
    """A ctx that records nothing (for reusing a forward inside another op's forward)."""

    def save_for_backward(self, *arrays):
        pass

    def __setattr__(self, name, value):
        pass


NO_SAVE = _NoSave()


class Hardtanh(Op):
    """z = clamp(x, min_val, max_val);  dz/dx = 1 strictly inside (min_val, max_val), else 0."""
    name_ = "HardtanhBackward0"
    graph_backward = linked_backward  # the mask depends on x, with derivative 0

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        if x.dtype.kind in "iu":
            lo, hi = int(lo), int(hi)  # torch casts the bounds to the int type (truncating)
            if x.dtype.kind == "u" and (lo < 0 or hi < 0):
                raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
        # clip returns x itself unless it is out of bounds: -0.0 and nan pass through, as in torch
        return np.asarray(np.clip(x, lo, hi)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        # torch zeroes the gradient at or beyond a bound: nan is neither, so its gradient passes
        return plus_zero(grad * ~((x <= ctx.lo) | (x >= ctx.hi)))


class HardtanhInplace(Hardtanh):
    """hardtanh_: the mask read off the result (strictly inside the bounds iff the input was)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        out = Hardtanh.forward(NO_SAVE, x, lo, hi)
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def graph_backward(ctx, grad):
        """torch's gradient depends on the input as it was before the write (not the result)."""
        return link(Hardtanh.backward(ctx, grad), "HardtanhBackwardBackward0",
                    (input_at(ctx, 0),))


class LeakyRelu(Op):
    """z = x if x > 0 else slope x;  dz/dx = 1 if x > 0 else slope (slope at 0, as torch)."""
    name_ = "LeakyReluBackward0"
    graph_backward = linked_backward  # the mask depends on x, with derivative 0

    @staticmethod
    def forward(ctx, x, slope):
        ctx.slope = slope
        ctx.save_for_backward(x)
        return x * _slope_factor(x > 0, slope, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        pos = x > 0
        if type(grad) is np.ndarray:
            return grad * _slope_factor(pos, ctx.slope, grad.dtype)
        return grad * pos + grad * ~pos * ctx.slope


def _slope_factor(pos, slope, dtype):
    """1 where ``pos``, else ``slope``, as an array of ``dtype`` (three cheap passes, no where)."""
    f = np.multiply(pos, 1 - slope, dtype=dtype)
    f += dtype.type(slope)
    return f


class LeakyReluInplace(LeakyRelu):
    """leaky_relu_: the sign read off the result (the same as the input's for slope > 0)."""
    name_ = "LeakyReluBackward1"

    @staticmethod
    def forward(ctx, x, slope):
        out = LeakyRelu.forward(NO_SAVE, x, slope)
        ctx.slope = slope
        ctx.save_for_backward(out)
        return out


class Prelu(Op):
    """z = x if x > 0 else w x (w per channel, dim 1);  dz/dx = 1 or w,  dz/dw = x where x <= 0."""
    name_ = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, w, wshape):
        ctx.wshape = wshape
        ctx.save_for_backward(x, w)
        return np.where(x > 0, x, x * np.reshape(w, wshape))

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx._arrays
        wb = np.reshape(w, ctx.wshape)
        pos = x > 0
        gx = grad * pos + grad * ~pos * wb if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            gw = grad * x * ~pos
            axes = tuple(i for i, n in enumerate(ctx.wshape) if n == 1)
            gw = np.reshape(np.sum(gw, axis=axes) if axes else gw, w.shape)
        return gx, gw


class Rrelu(Op):
    """z = x if x > 0 else a x, a ~ U(lower, upper) per element in training, (l + u) / 2 in eval."""
    name_ = "RreluWithNoiseBackward0"
    graph_backward = linked_backward  # the mask depends on x, with derivative 0

    @staticmethod
    def forward(ctx, x, noise):
        ctx.noise = noise
        ctx.save_for_backward(x)
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.noise


class RreluInplace(Rrelu):
    """rrelu_: torch's backward reads the result, on which the gradient then depends."""
    name_ = "RreluWithNoiseBackward1"

    @staticmethod
    def forward(ctx, x, noise):
        out = Rrelu.forward(NO_SAVE, x, noise)
        ctx.noise = noise
        ctx.save_for_backward(out)
        return out


# ----- smooth activations -----

class Elu(Op):
    """z = scale x for x > 0, else alpha scale (e^(s x) - 1);  dz/dx = scale, or s alpha scale e^sx.

    elu is (alpha, 1, 1), selu (1.6733, 1.0507, 1), celu (alpha, 1, 1 / alpha).
    """
    name_ = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, s):
        ctx.params = (alpha, scale, s)
        ctx.save_for_backward(x)
        # The two branches as a sum, not a where (a random mask makes np.where ~20x slower):
        # clip(x, -inf, 0) is x for x <= 0 and 0 elsewhere, clip(x, 0, inf) the other way round;
        # clip returns x itself in range, so -0.0 keeps its sign and nan propagates, as in torch.
        dt = x.dtype.type
        neg = np.clip(x, -np.inf, 0)
        if s != 1:
            neg = neg * dt(s)
        neg = np.expm1(neg) * dt(alpha * scale)
        pos = np.clip(x, 0, np.inf)
        if scale != 1:
            pos = pos * dt(scale)
        return np.asarray(pos + neg)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        alpha, scale, s = ctx.params
        neg = x <= 0  # torch's test: nan takes the positive branch's slope
        if type(x) is np.ndarray:
            f = np.exp(np.fmin(x, 0) * x.dtype.type(s))  # fmin: nan and +inf become 0, no overflow
            f *= x.dtype.type(s * alpha * scale)
            f *= neg
            f += np.multiply(~neg, scale, dtype=x.dtype)
            return grad * f
        # x < 0, not x <= 0, inside the exponent: torch's second derivative is 0 at x = 0
        slope = np.exp(np.where(x < 0, x, 0) * s) * (s * alpha * scale)
        return grad * (slope * neg) + grad * ~neg * scale


class EluInplace(Elu):
    """elu_/selu_/celu_: backward from the result, e^(s x) = z / (alpha scale) + 1."""
    name_ = "EluBackward1"

    @staticmethod
    def forward(ctx, x, alpha, scale, s):
        out = Elu.forward(NO_SAVE, x, alpha, scale, s)
        ctx.params = (alpha, scale, s)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        alpha, scale, s = ctx.params
        neg = out <= 0
        # the result where it is <= 0 (finite there), 0 elsewhere: no inf * 0 where out = inf
        # (out < 0 on Tensors: torch's second derivative is 0 at 0)
        out_neg = np.fmin(out, 0) if type(out) is np.ndarray else np.where(out < 0, out, 0)
        return grad * ((out_neg + alpha * scale) * s * neg) + grad * ~neg * scale


class Celu(Elu):
    name_ = "CeluBackward0"


class CeluInplace(EluInplace):
    name_ = "CeluBackward1"


class Gelu(Op):
    """z = x Phi(x) (erf) or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)));  dz/dx likewise."""
    name_ = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        if approximate == "tanh":
            inner = (x + x * x * x * _GELU_C) * _SQRT_2_OVER_PI
            return x * 0.5 * (np.tanh(inner) + 1)
        cdf = _normal_cdf(x)
        ctx.cdf = cdf  # reused by backward (recomputed there under create_graph)
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        if ctx.approximate == "tanh":
            x2 = x * x
            t = np.tanh((x + x2 * x * _GELU_C) * _SQRT_2_OVER_PI)
            dinner = (x2 * (3 * _GELU_C) + 1) * _SQRT_2_OVER_PI
            return grad * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * dinner)
        if type(x) is np.ndarray:
            cdf = ctx.cdf
        else:
            cdf = (_erf_any(x * _SQRT1_2) + 1) * 0.5
        pdf = np.exp(x * x * -0.5) * _INV_SQRT_2PI
        return grad * (cdf + x * pdf)


# Abramowitz & Stegun 7.1.26: erfc(a) = poly(t) e^(-a^2), t = 1 / (1 + p a), |error| < 1.5e-7;
# evaluated in the array's own precision, which is what float32 needs, at a tenth of the cost of
# the float64 route.
_AS_P = 0.3275911
_AS_COEFFS = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


def _normal_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2 of an array: exact libm erf for float64, A&S 7.1.26
    (from the tail side, so no cancellation) for lower precisions."""
    if x.dtype == np.float64 or x.size <= 256:
        return (_erf(x * _SQRT1_2) + 1) * 0.5
    a = np.abs(x) * x.dtype.type(_SQRT1_2)
    t = 1 / (a * x.dtype.type(_AS_P) + 1)
    poly = t * x.dtype.type(_AS_COEFFS[0])
    for c in _AS_COEFFS[1:]:
        poly += x.dtype.type(c)
        poly *= t
    half_erfc = poly * np.exp(-(a * a)) * x.dtype.type(0.5)  # Phi(-|x|)
    neg = x < 0
    return half_erfc * neg + (1 - half_erfc) * ~neg


def _erf_any(x):
    """erf on an array, or the differentiable erf on a Tensor (create_graph)."""
    if isinstance(x, Tensor):
        from ..._ops.elementwise import erf
        return erf(x)
    return _erf(x)


class Silu(Op):
    """z = x sigmoid(x);  dz/dx = s (1 + x (1 - s)), s = sigmoid(x)."""
    name_ = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        s = _sigmoid(x)
        ctx.sig = s  # reused by backward (recomputed there under create_graph)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        s = ctx.sig if type(x) is np.ndarray else _sigmoid(x)
        return grad * (s + x * s * (1 - s))


def _sigmoid(x):
    """1 / (1 + e^-x), on arrays (overflow to inf gives the right 0) or Tensors."""
    if isinstance(x, Tensor):
        from ..._ops.elementwise import sigmoid
        return sigmoid(x)
    with np.errstate(over="ignore"):
        return 1 / (np.exp(-x) + 1)


def _softplus1(x):
    """log(1 + e^x), stable for large |x| (arrays or Tensors: softplus, whose derivatives are
    smooth at 0 where those of max(x, 0) and |x| are not)."""
    if isinstance(x, Tensor):
        return softplus(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class Mish(Op):
    """z = x tanh(softplus(x));  dz/dx = t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x))."""
    name_ = "MishBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.tanh(_softplus1(x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        t = np.tanh(_softplus1(x))
        return grad * (t + x * _sigmoid(x) * (1 - t * t))


class Hardsigmoid(Op):
    """z = clamp(x + 3, 0, 6) / 6;  dz/dx = 1/6 strictly inside (-3, 3), else 0."""
    name_ = "HardsigmoidBackward0"
    # torch has no derivative of hardsigmoid_backward: the gradient depends on x, and
    # differentiating it again raises
    graph_backward = linked_backward
    graph_name = "torch::autograd::NotImplemented"
    not_differentiable = "hardsigmoid_backward"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(np.maximum(x + 3, 0), 6) / 6

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        # torch multiplies by 1/6 rounded to float32, in every dtype
        return grad * ((x > -3) & (x < 3)) * _ONE_SIXTH_F32


class Hardswish(Op):
    """z = x clamp(x + 3, 0, 6) / 6;  dz/dx = 0 below -3, x / 3 + 1/2 up to 3, 1 above."""
    name_ = "HardswishBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.minimum(np.maximum(x + 3, 0), 6) / 6

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        mid = (x > -3) & (x < 3)  # torch: 0 at -3, 1 at 3
        high = ~((x <= -3) | mid)  # x >= 3, and nan: torch passes the gradient through
        # x clamped to [-3, 3] with nan and inf made finite, so the masks never meet inf * 0
        xm = np.fmin(np.fmax(x, -3), 3) if type(x) is np.ndarray else np.where(mid, x, 0)
        return grad * (xm / 3 + 0.5) * mid + grad * high


class Softplus(Op):
    """z = log(1 + e^(beta x)) / beta (x where beta x > threshold);  dz/dx = sigmoid(beta x)."""
    name_ = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.params = (beta, threshold)
        ctx.save_for_backward(x)
        bx = x * beta if beta != 1 else x
        lin = bx > threshold
        with np.errstate(over="ignore"):
            soft = np.log1p(np.exp(bx))
        if beta != 1:
            soft = soft / beta
        return np.where(lin, x, soft)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        beta, threshold = ctx.params
        bx = x * beta if beta != 1 else x
        lin = bx > threshold
        return grad * lin + grad * _sigmoid(bx) * ~lin


class LogSigmoid(Op):
    """z = -softplus(-x) = min(x, 0) - log1p(e^-|x|);  dz/dx = sigmoid(-x)."""
    name_ = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        z = np.exp(-np.abs(x))
        neg = x < 0
        return grad * (neg + z * ~neg) / (z + 1)

    @staticmethod
    def graph_backward(ctx, grad):
        """Under create_graph: sigmoid(-x) itself, smooth at 0 where |x| is not."""
        x, = ctx._arrays
        return grad * _sigmoid(-x)


class Softshrink(Op):
    """z = x - lambd sign(x) where |x| > lambd, else 0;  dz/dx = 1 where |x| > lambd."""
    name_ = "SoftshrinkBackward0"
    graph_backward = linked_backward  # the mask depends on x, with derivative 0

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        # inside [-lambd, lambd] torch returns x * 0, a zero carrying x's sign
        return np.copysign(x - np.clip(x, -lambd, lambd), x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return grad * ~((x >= -ctx.lambd) & (x <= ctx.lambd))


class Hardshrink(Softshrink):
    """z = x where |x| > lambd, else 0;  dz/dx = 1 where |x| > lambd."""
    name_ = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        # + 0.0: torch's zero inside [-lambd, lambd] is +0.0, also for x = -0.0
        return x * ~((x >= -lambd) & (x <= lambd)) + x.dtype.type(0)


class Glu(Op):
    """z = a sigmoid(b), (a, b) the halves of x along dim;  dz/da = s,  dz/db = a s (1 - s)."""
    name_ = "GluBackward0"

    @staticmethod
    def forward(ctx, x, d):
        ctx.d = d
        ctx.save_for_backward(x)
        a, b = np.split(x, 2, axis=d)
        return a * _sigmoid(b)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        h = x.shape[ctx.d] // 2
        if isinstance(x, Tensor):
            a, b = x.narrow(ctx.d, 0, h), x.narrow(ctx.d, h, h)
        else:
            a, b = np.split(x, 2, axis=ctx.d)
        s = _sigmoid(b)
        ga = grad * s
        return np.concatenate([ga, ga * a * (1 - s)], axis=ctx.d)


# ----- public functions -----

def _check(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _with_copy(op, *args):
    """The in-place call for an op whose backward needs the input it overwrites: run it on a
    snapshot, so the saved input is not the storage about to be written."""
    def run(t, *rest):
        if t._requires_grad:
            t = Tensor._make(t._data.copy(), True, t._grad_fn)
        return op.apply(t, *rest)
    return run


def _apply_inplace(input, op, *args):
    """Compute ``op(input, *args)`` into input's storage (torch's in-place activations)."""
    return _inplace_write(input, lambda t, *a: op.apply(t, *a), *args)


def threshold(input, threshold, value, inplace=False):
    """Return ``input`` where it exceeds ``threshold``, else ``value``."""
    if inplace:
        return threshold_(input, threshold, value)
    _check(input, "threshold")
    return Threshold.apply(input, threshold, value)


def threshold_(input, threshold, value):
    """In-place version of :func:`threshold`."""
    return _inplace_write(input, _with_copy(ThresholdInplace), threshold, value)


def relu(input, inplace=False):
    """Return ``max(input, 0)`` elementwise."""
    if inplace:
        return relu_(input)
    return Relu.apply1(input)


def relu_(input):
    """In-place version of :func:`relu`."""
    return _inplace_write(input, Relu.apply1)


def _hardtanh_check(min_val, max_val):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Return ``input`` clamped to ``[min_val, max_val]`` (gradient 0 at the bounds)."""
    _hardtanh_check(min_val, max_val)
    if inplace:
        return hardtanh_(input, min_val, max_val)
    _check(input, "hardtanh")
    return Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place version of :func:`hardtanh`."""
    _hardtanh_check(min_val, max_val)
    return _apply_inplace(input, HardtanhInplace, min_val, max_val)


def relu6(input, inplace=False):
    """Return ``min(max(input, 0), 6)`` elementwise."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Return ``input`` where positive, else ``negative_slope * input``."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    _check(input, "leaky_relu")
    _float_only(input._data, "leaky_relu_cpu")
    return LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place version of :func:`leaky_relu`."""
    _float_only(input._data, "leaky_relu_cpu")
    return _apply_inplace(input, LeakyReluInplace, negative_slope)


def _elu(input, alpha, scale, s, inplace, op, op_inplace):
    _check(input, "elu")
    _float_only(input._data, "elu_cpu")
    if inplace:
        return _apply_inplace(input, op_inplace, alpha, scale, s)
    return op.apply(input, alpha, scale, s)


def elu(input, alpha=1.0, inplace=False):
    """Return ``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return _elu(input, alpha, 1.0, 1.0, inplace, Elu, EluInplace)


def elu_(input, alpha=1.0):
    """In-place version of :func:`elu`."""
    return elu(input, alpha, True)


def selu(input, inplace=False):
    """Return ``scale * elu(input, alpha)`` with the self-normalising constants."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace, Elu, EluInplace)


def selu_(input):
    """In-place version of :func:`selu`."""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """Return ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _elu(input, alpha, 1.0, 1.0 / alpha, inplace, Celu, CeluInplace)


def celu_(input, alpha=1.0):
    """In-place version of :func:`celu`."""
    return celu(input, alpha, True)


def prelu(input, weight):
    """Return ``input`` where positive, else ``weight * input`` (weight per channel, dim 1)."""
    _check(input, "prelu")
    x = input._data
    if x.dtype != weight._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{scalar_type_name(x.dtype)} and "
                           f"{scalar_type_name(weight._data.dtype)}")
    _float_only(x, "prelu_cpu")
    n = weight._data.size
    channels = x.shape[1] if x.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {n} and channel size = {channels}.")
    if weight._data.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight._data.ndim}")
    wshape = tuple(n if i == 1 else 1 for i in range(x.ndim)) if n != 1 else (1,) * x.ndim
    return Prelu.apply(input, weight, wshape)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: negative slopes drawn from ``U(lower, upper)`` in training."""
    _check(input, "rrelu")
    _float_only(input._data, "rrelu_with_noise_cpu")
    x = input._data
    if training:
        from ... import _creation
        slopes = _creation.empty(tuple(x.shape), dtype=input.dtype).uniform_(lower, upper)._data
        noise = np.where(x > 0, np.ones((), x.dtype), slopes).astype(x.dtype)
    else:
        pos = x > 0  # the slope applies at 0 and at nan too, as torch
        noise = (pos + ~pos * ((lower + upper) / 2)).astype(x.dtype)
    if inplace:
        return _inplace_write(input, lambda t: RreluInplace.apply(t, noise))
    return Rrelu.apply(input, noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place version of :func:`rrelu`."""
    return rrelu(input, lower, upper, training, True)


def glu(input, dim=-1):
    """Gated linear unit: ``a * sigmoid(b)``, ``a`` and ``b`` the halves of ``input`` along dim."""
    _check(input, "glu")
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{x.shape[d]}")
    _float_only(x, "glu_cpu")
    return Glu.apply(input, d)


def logsigmoid(input):
    """Return ``log(sigmoid(input))``, stable for large negative inputs."""
    _check(input, "logsigmoid")
    _float_only(input._data, "log_sigmoid_cpu")
    return LogSigmoid.apply1(input)


def gelu(input, approximate="none"):
    """Gaussian error linear unit ``x * Phi(x)``; ``approximate='tanh'`` uses the tanh form."""
    _check(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input._data, "GeluKernelImpl")
    return Gelu.apply(input, approximate)


def hardshrink(input, lambd=0.5):
    """Return ``input`` where ``|input| > lambd``, else 0."""
    _check(input, "hardshrink")
    _float_only(input._data, "hardshrink_cpu")
    return Hardshrink.apply(input, lambd)


def softshrink(input, lambd=0.5):
    """Shrink ``input`` toward 0 by ``lambd`` (0 inside ``[-lambd, lambd]``)."""
    _check(input, "softshrink")
    _float_only(input._data, "softshrink_check")
    if lambd < 0:
        top = np.finfo(input._data.dtype).max
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{scalar_type_name(input._data.dtype)}, but found {lambd:g}")
    return Softshrink.apply(input, lambd)


def tanhshrink(input):
    """Return ``input - tanh(input)``."""
    return input - Tanh.apply1(input)


def softsign(input):
    """Return ``input / (1 + |input|)``."""
    return input / (input.abs() + 1)


def softplus(input, beta=1.0, threshold=20.0):
    """Return ``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``."""
    _check(input, "softplus")
    _float_only(input._data, "softplus_cpu")
    return Softplus.apply(input, beta, threshold)


def tanh(input):
    """Return the hyperbolic tangent of each element."""
    return Tanh.apply1(input)


def sigmoid(input):
    """Return the logistic sigmoid of each element."""
    return Sigmoid.apply1(input)


def _simple(op, kernel, name):
    def fn(input, inplace=False):
        _check(input, name)
        _float_only(input._data, kernel)
        if inplace:
            return _inplace_write(input, _with_copy(op))
        return op.apply1(input)
    fn.__name__ = fn.__qualname__ = name
    return fn


hardsigmoid = _simple(Hardsigmoid, "hardsigmoid_cpu", "hardsigmoid")
hardsigmoid.__doc__ = "Return ``relu6(input + 3) / 6`` elementwise."
silu = _simple(Silu, "silu_cpu", "silu")
silu.__doc__ = "Return ``input * sigmoid(input)`` (swish)."
mish = _simple(Mish, "mish_cpu", "mish")
mish.__doc__ = "Return ``input * tanh(softplus(input))``."
hardswish = _simple(Hardswish, "hardswish_cpu", "hardswish")
hardswish.__doc__ = "Return ``input * relu6(input + 3) / 6`` elementwise."


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    r"""A sample from the Gumbel-softmax (concrete) distribution over ``dim``:
    :math:`\mathrm{softmax}((\mathrm{logits} + g) / \tau)`, :math:`g = -\log E`,
    :math:`E \sim \mathrm{Exp}(1)`. With ``hard``, the one-hot of its argmax in the forward
    pass and the soft sample's gradient in the backward (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", UserWarning,
                      stacklevel=2)
    gumbels = -logits.new_empty(logits.shape).exponential_().log()
    soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return soft
    one_hot = logits.new_zeros(logits.shape).scatter_(dim, soft.max(dim, keepdim=True)[1], 1.0)
    return one_hot - soft.detach() + soft


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Return ``exp(x) / sum(exp(x))`` along ``dim`` as one stable op."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return _reduction.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Return ``log(softmax(x))`` along ``dim`` as one stable op."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _reduction.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Return ``softmax(-input)`` along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _reduction.softmax(-input, dim)
