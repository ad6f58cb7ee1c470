"""Arithmetic: add, sub, mul, div, remainder, pow, neg, reciprocal, addcmul, addcdiv, lerp.

Binary ops take Tensors or Python numbers on either side and follow torch's type promotion
(``promote_operands``); their backward undoes broadcasting with ``sum_to``.
"""
import operator

import numpy as np

from .. import _dtype, _tensor
from ..autograd._fast_ops import ConstantOp, PairOp
from ..autograd.graph import Op
from ._fma import multiply_add as _fma
from ._fp import QUIET, reset_fp, set_fp
from ._util import (_to, check_broadcast, check_int, check_scalar, cpp_type_name, exact_ops,
                    filtered_ops, inplace, is_tensor, out_writer, promote_operands, scalar_array,
                    scalar_type_name, sum_to, write_out)

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
           "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "reciprocal",
           "addcmul", "addcdiv", "lerp", "rsub"]


_NEITHER = (False, False)


def _shape(x):
    return x.shape if hasattr(x, "shape") else ()


class Add(PairOp):
    """z = x + y;  dz/dx = 1,  dz/dy = 1."""
    name_ = "AddBackward0"
    compute = operator.add

    @staticmethod
    def forward(ctx, x, y):
        try:
            return x + y
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, grad):
        # an input that needs a gradient has an edge, whose shape is the input's
        x_node, y_node = ctx._next
        shape = grad.shape  # broadcasting is rare: test before calling sum_to
        return (None if x_node is None else
                grad if shape == x_node._shape else sum_to(grad, x_node._shape),
                None if y_node is None else
                grad if shape == y_node._shape else sum_to(grad, y_node._shape))


def _fused(a, b, c):
    """``a * b + c`` as torch's CPU kernels compute ``add``/``sub`` with ``alpha`` (and
    ``addcmul`` with ``value``): one fused multiply-add in float32 and float64, with ``a`` a
    Python number taken to that dtype first. Other dtypes keep two roundings: integers are exact,
    and float16 uses the fused form only in full vector blocks (a layout-dependent mix)."""
    dtype = np.result_type(b, c)
    if dtype != np.float32 and dtype != np.float64:
        return a * b + c
    return _fma(dtype.type(a), np.asarray(b, dtype), np.asarray(c, dtype), dtype)


class AddScaled(Op):
    """z = x + alpha * y;  dz/dx = 1,  dz/dy = alpha."""
    name_ = "AddBackward0"

    @staticmethod
    def forward(ctx, x, y, alpha):
        ctx.shapes = (_shape(x), _shape(y))
        ctx.alpha = alpha
        try:
            return _fused(alpha, y, x)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        return sum_to(grad, sx), sum_to(grad * ctx.alpha, sy)


class Sub(Op):
    """z = x - alpha * y;  dz/dx = 1,  dz/dy = -alpha."""
    name_ = "SubBackward0"

    @staticmethod
    def forward(ctx, x, y, alpha):
        ctx.shapes = (_shape(x), _shape(y))
        ctx.alpha = alpha
        try:
            return x - y if alpha == 1 else _fused(-alpha, y, x)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        gy = -grad if ctx.alpha == 1 else grad * -ctx.alpha
        return sum_to(grad, sx), sum_to(gy, sy)


class SubPlain(PairOp):
    """z = x - y;  dz/dx = 1,  dz/dy = -1."""
    name_ = "SubBackward0"
    compute = operator.sub

    @staticmethod
    def forward(ctx, x, y):
        try:
            return x - y
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, grad):
        x_node, y_node = ctx._next  # see Add.backward
        shape = grad.shape
        return (None if x_node is None else
                grad if shape == x_node._shape else sum_to(grad, x_node._shape),
                None if y_node is None else sum_to(-grad, y_node._shape))


class Rsub(Op):
    """z = y - alpha * x (``1 - x``);  dz/dx = -alpha."""
    name_ = "RsubBackward1"

    @staticmethod
    def forward(ctx, x, y, alpha):
        ctx.shapes = (_shape(x), _shape(y))
        ctx.alpha = alpha
        try:
            return y - x if alpha == 1 else _fused(-alpha, x, y)
        except ValueError:
            check_broadcast(y, x)  # torch names them in the order of y - x
            raise

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        gx = -grad if ctx.alpha == 1 else grad * -ctx.alpha
        return sum_to(gx, sx), sum_to(grad, sy)


class Mul(PairOp):
    """z = x * y;  dz/dx = y,  dz/dy = x."""
    name_ = "MulBackward0"
    compute = operator.mul
    saves_inputs = True

    @staticmethod
    def forward(ctx, x, y):
        need_x, need_y = ctx.needs_input_grad or _NEITHER
        ctx.save_for_backward(x if need_y else None, y if need_x else None)
        try:
            return x * y
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        # only what the needed gradients use was saved; an input that needs one has an edge,
        # whose shape is the input's
        x_node, y_node = ctx._next
        gx = gy = None
        if x_node is not None:
            gx = grad * y
            if gx.shape != x_node._shape:
                gx = sum_to(gx, x_node._shape)
        if y_node is not None:
            gy = grad * x
            if gy.shape != y_node._shape:
                gy = sum_to(gy, y_node._shape)
        return gx, gy


class AddConstant(ConstantOp):
    """z = x + c for a number c;  dz/dx = 1."""
    name_ = "AddBackward0"
    compute = operator.add
    saves_constant = False

    @staticmethod
    def backward(ctx, grad):
        return grad,


class SubConstant(ConstantOp):
    """z = x - c for a number c;  dz/dx = 1."""
    name_ = "SubBackward0"
    compute = operator.sub
    saves_constant = False

    @staticmethod
    def backward(ctx, grad):
        return grad,


class MulConstant(ConstantOp):
    """z = c x for a number c;  dz/dx = c."""
    name_ = "MulBackward0"
    compute = operator.mul

    @staticmethod
    def backward(ctx, grad):
        c, = ctx._arrays
        return grad * c,


class DivConstant(ConstantOp):
    """z = x / c for a number c;  dz/dx = 1 / c."""
    name_ = "DivBackward0"
    compute = operator.truediv

    @staticmethod
    def backward(ctx, grad):
        c, = ctx._arrays
        return grad / c,


class Div(PairOp):
    """z = x / y;  dz/dx = 1 / y,  dz/dy = -x / y^2."""
    name_ = "DivBackward0"
    compute = operator.truediv
    saves_inputs = True

    @staticmethod
    def forward(ctx, x, y):
        need_x, need_y = ctx.needs_input_grad or _NEITHER
        ctx.save_for_backward(x if need_y else None, y)
        try:
            return x / y
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        x_node, y_node = ctx._next  # see Mul.backward
        gx = gy = None
        if x_node is not None:
            gx = grad / y
            if gx.shape != x_node._shape:
                gx = sum_to(gx, x_node._shape)
        if y_node is not None:
            gy = sum_to(-grad * x / (y * y), y_node._shape)
        return gx, gy


def floor_quotient(x, y):
    """torch's floor division of floats: ``floor(x / y)`` taken from the exact multiple of y
    below x rather than from the rounded quotient, so 1 // 0.1 is 9 (0.1 is a bit above 1/10),
    as Python's ``//`` has it too.

    ``(x - fmod(x, y)) / y`` is the truncated quotient, an integer up to the division's rounding;
    stepped down by 1 where the remainder's sign differs from y's, then rounded to the nearest
    integer (floor, plus 1 where the division rounded just below one). A zero quotient takes the
    sign of ``x / y``; ``y == 0`` gives ``x / y`` (inf or nan), and an infinite x gives nan.
    """
    if x.dtype != np.float16:
        return np.floor_divide(x, y)  # NumPy's float floor_divide is this algorithm, in C
    # float16: each step rounded to float16, as torch computes it (NumPy's float16 floor_divide
    # computes it all in float32)
    mod = np.fmod(x, y)
    q = (x - mod) / y
    q = q - ((mod != 0) & (np.signbit(y) != np.signbit(mod)))  # (y == 0 is replaced below)
    floor = np.floor(q)
    floor = floor + (q - floor > 0.5)
    ratio = x / y
    # a nonzero floor already has the quotient's sign; this gives a zero one the sign of x / y
    floor = np.copysign(floor, ratio)
    return np.where(y == 0, ratio, floor)


def _not_for_bool(kernel, x):
    """torch's error for a kernel that has no bool version, when it would compute on bools."""
    if x.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


class RoundedDiv(Op):
    """z = trunc(x / y) or floor(x / y);  the derivative is 0 almost everywhere."""
    name_ = "DivBackward1"

    @staticmethod
    def forward(ctx, x, y, mode):
        ctx.shapes = (_shape(x), _shape(y))
        _not_for_bool("div_floor_cpu" if mode == "floor" else "div_trunc_cpu", x)
        try:
            if x.dtype.kind == "f":
                return np.trunc(np.divide(x, y)) if mode == "trunc" else floor_quotient(x, y)
            _check_int_zero_division(y)
            q = np.floor_divide(x, y)
        except ValueError:
            check_broadcast(x, y)
            raise
        if mode == "floor":
            return q
        # C-style truncation: step the floored quotient back toward zero where signs differ.
        return q + ((np.remainder(x, y) != 0) & ((x < 0) != (y < 0))).astype(q.dtype)

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        return sum_to(grad * 0, sx), sum_to(grad * 0, sy)


class FloorDivide(RoundedDiv):
    """z = floor(x / y); torch records it but defines no derivative."""
    name_ = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, x, y):
        return RoundedDiv.forward(ctx, x, y, "floor")

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _check_int_zero_division(y):
    if np.any(y == 0):
        raise RuntimeError("ZeroDivisionError")


class Remainder(Op):
    """z = x - floor(x / y) * y (sign of y);  dz/dx = 1,  dz/dy = -floor(x / y)."""
    name_ = "RemainderBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        _not_for_bool("remainder_cpu", x)
        if x.dtype.kind != "f":
            _check_int_zero_division(y)
        try:
            out = np.remainder(x, y)
        except ValueError:
            check_broadcast(x, y)
            raise
        if x.dtype.kind != "f":
            return out
        # torch's remainder is fmod moved into y's sign, as NumPy's, but a zero keeps fmod's
        # sign, x's (-0. % 1 is -0.), where NumPy gives it y's
        return np.where(np.logical_not(out), np.fmod(x, y), out)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        gy = None
        if ctx.needs_input_grad[1]:
            # Tensors under create_graph: the recorded floor division (its derivative is 0)
            q = div(x, y, rounding_mode="floor") if is_tensor(x) else floor_quotient(x, y)
            gy = -grad * q
        return sum_to(grad, _shape(x)), (sum_to(gy, _shape(y)) if gy is not None else None)


class Fmod(Op):
    """z = x - trunc(x / y) * y (sign of x);  dz/dx = 1,  dz/dy = -trunc(x / y)."""
    name_ = "FmodBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        _not_for_bool("fmod_cpu", x)
        if x.dtype.kind != "f":
            _check_int_zero_division(y)
        try:
            return np.fmod(x, y)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        gy = -grad * np.trunc(x / y) if ctx.needs_input_grad[1] else None
        return sum_to(grad, _shape(x)), (sum_to(gy, _shape(y)) if gy is not None else None)


def _power(x, p):
    """``x ** p`` for a number p, as torch computes it: ``x ** -0.5`` is ``1 / sqrt(x)``, so -0.
    gives -inf and -inf gives nan (NumPy's power gives inf and 0; ``x ** 0.5`` already agrees)."""
    if p == -0.5:
        return 1 / np.sqrt(x)
    return np.power(x, p)


def _int_power(x, y):
    """``x ** y`` on integers where some exponents are negative: 1 / x ** -y truncated toward 0,
    as torch computes it (0 ** -1 included): 1 and -1 keep their magnitude, all else gives 0."""
    negative = y < 0
    out = np.power(x, np.where(negative, 0, y))
    one_over = np.where(x == 1, 1, np.where(x == -1, 1 - 2 * (y & 1), 0))
    return np.where(negative, one_over, out).astype(out.dtype, copy=False)


class PowScalar(Op):
    """z = x ** p (p a number);  dz/dx = p * x ** (p - 1)."""
    name_ = "PowBackward0"

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        if x.dtype.kind in "iu" and p < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if x.dtype == np.bool_:  # bool ** bool stays bool: x ** True is x, x ** False is True
            return x.copy() if p else np.ones_like(x)
        return _power(x, p)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        p = ctx.p
        if p == 0:  # zeros, as torch: not grad * 0, which is nan where grad is inf or nan
            return np.zeros_like(grad)
        if p == 2:
            return grad * (x * 2.0)
        return grad * (p * _power(x, p - 1))

    @staticmethod
    def graph_backward(ctx, grad):
        """Under create_graph, torch's formula as it records it: ``x ** (p - 1)`` stays a power
        of x (``x ** 1`` too, whose derivative ``x ** 0`` still depends on x); for p = 0,
        zeros that depend on nothing."""
        x, = ctx._arrays
        p = ctx.p
        if p == 0:
            return np.zeros_like(x)
        return grad * (p * _power(x, p - 1))


class Pow(Op):
    """z = x ** y;  dz/dx = y * x ** (y - 1),  dz/dy = z * log(x) (0 where x = 0 and y >= 0)."""
    name_ = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        _not_for_bool("pow", x)
        try:
            out = _int_power(x, y) if x.dtype.kind in "iu" and (y < 0).any() else np.power(x, y)
        except ValueError:
            check_broadcast(x, y)
            raise
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx._arrays
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            gx = sum_to(grad * np.where(y == 0, 0.0, y * np.power(x, y - 1)), _shape(x))
        if need_y:
            # torch's convention: d(0 ** y)/dy = 0 for y >= 0, instead of 0 * log(0) = nan
            gy = sum_to(grad * np.where((x == 0) & (y >= 0), 0.0, out * np.log(x)), _shape(y))
        return gx, gy


class RPowScalar(Op):
    """z = b ** y (b a number);  dz/dy = z * log(b)  (for b = 0: 0 where y >= 0)."""
    name_ = "PowBackward2"

    @staticmethod
    def forward(ctx, b, y):
        _not_for_bool("pow", y)
        if y.dtype.kind in "iu" and (y < 0).any():
            out = _int_power(np.asarray(b, y.dtype), y)
        else:
            out = np.power(b, y)
        ctx.log_b = np.log(b) if b > 0 else (np.nan if b < 0 else -np.inf)
        # 0 ** y: torch's convention, a zero gradient for y >= 0 instead of 0 * -inf (y < 0 keeps
        # inf * -inf = -inf): backward reads y
        ctx.save_for_backward(out, y if b == 0 else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, y = ctx._arrays
        g = grad * out * ctx.log_b
        if y is not None:
            g = np.where(y >= 0, 0, g)
        return None, g


class Neg(Op):
    """z = -x;  dz/dx = -1."""
    name_ = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Reciprocal(Op):
    """z = 1 / x;  dz/dx = -z^2."""
    name_ = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx, x):
        out = np.reciprocal(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return -grad * (out * out)


def lerp_array(x, y, w):
    """torch's CPU lerp, bit for bit: ``x + w * (y - x)`` where ``|w| < 0.5``, else
    ``y - (y - x) * (1 - w)`` (so w = 1 gives y exactly), each multiply-add rounded once."""
    dtype = x.dtype
    if dtype.kind != "f":
        return x + w * (y - x)
    if dtype == np.float16:  # computed in float32 (weight included), rounded once more, as torch
        if isinstance(w, np.ndarray):
            w = w.astype(np.float32)
        return lerp_array(x.astype(np.float32), y.astype(np.float32), w).astype(dtype)
    d = y - x
    if isinstance(w, np.ndarray) and w.ndim:
        small = np.abs(w) < 0.5
        coef = np.where(small, w, w - w.dtype.type(1))
        base = np.where(small, x, y)
    else:
        w = dtype.type(w)
        small = abs(w) < 0.5
        coef = w if small else w - dtype.type(1)
        base = x if small else y
    if base.shape != d.shape:
        base = np.broadcast_to(base, np.broadcast_shapes(base.shape, d.shape))
    return _fma(coef, d, base, dtype)  # (called from quiet forwards: no overflow warnings)


class Lerp(Op):
    """z = x + w * (y - x);  dz/dx = 1 - w,  dz/dy = w,  dz/dw = y - x."""
    name_ = "LerpBackward1"

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.save_for_backward(x, y, w)
        try:
            return lerp_array(x, y, w)
        except ValueError:
            check_broadcast(x, y, w)
            raise

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx._arrays
        nx, ny, nw = ctx.needs_input_grad
        return (sum_to(grad * (1 - w), _shape(x)) if nx else None,
                sum_to(grad * w, _shape(y)) if ny else None,
                sum_to(grad * (y - x), _shape(w)) if nw else None)


class LerpScalar(Op):
    """z = x + w * (y - x), w a number;  dz/dx = 1 - w,  dz/dy = w."""
    name_ = "LerpBackward0"

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.shapes = (_shape(x), _shape(y))
        ctx.w = w
        try:
            return lerp_array(x, y, w)
        except ValueError:
            check_broadcast(x, y, w)
            raise

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        nx, ny = ctx.needs_input_grad[:2]
        return (sum_to(grad * (1 - ctx.w), sx) if nx else None,
                sum_to(grad * ctx.w, sy) if ny else None)


def _addcmul(x, a, b, value):
    """torch's ``x + value * a * b`` for ``value != 1``: ``fma(value * a, b, x)`` (float16 in
    float32, rounded to half at the end)."""
    dtype = np.result_type(x, a, b)
    if dtype.kind != "f":
        return x + value * (a * b)
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    va = work.type(value) * np.asarray(a, work)
    return _fma(va, np.asarray(b, work), np.asarray(x, work), work).astype(dtype, copy=False)


def _addcdiv(x, a, b, value):
    """torch's ``x + value * a / b`` for ``value != 1``: ``(value * a) / b + x``, three roundings
    (not fused; float16 in float32, rounded to half at the end)."""
    dtype = np.result_type(x, a, b)
    if dtype.kind != "f":
        return x + value * (a / b)
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    q = work.type(value) * np.asarray(a, work) / np.asarray(b, work)
    return np.add(q, np.asarray(x, work), dtype=work).astype(dtype, copy=False)


class Addcmul(Op):
    """z = x + v * a * b;  dz/dx = 1,  dz/da = v * b,  dz/db = v * a."""
    name_ = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.save_for_backward(a, b)
        ctx.value = value
        ctx.shape_x = _shape(x)
        try:
            return x + a * b if value == 1 else _addcmul(x, a, b, value)
        except ValueError:
            check_broadcast(x, a, b)
            raise

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        nx, na, nb = ctx.needs_input_grad[:3]
        v = ctx.value
        return (sum_to(grad, ctx.shape_x) if nx else None,
                sum_to(grad * (v * b), _shape(a)) if na else None,
                sum_to(grad * (v * a), _shape(b)) if nb else None)


class Addcdiv(Op):
    """z = x + v * a / b;  dz/dx = 1,  dz/da = v / b,  dz/db = -v * a / b^2."""
    name_ = "AddcdivBackward0"

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.save_for_backward(a, b)
        ctx.value = value
        ctx.shape_x = _shape(x)
        try:
            return x + a / b if value == 1 else _addcdiv(x, a, b, value)
        except ValueError:
            check_broadcast(x, a, b)
            raise

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        nx, na, nb = ctx.needs_input_grad[:3]
        v = ctx.value
        return (sum_to(grad, ctx.shape_x) if nx else None,
                sum_to(grad * v / b, _shape(a)) if na else None,
                sum_to(-grad * v * a / (b * b), _shape(b)) if nb else None)


def _promote_all(*operands):
    """Tensors and numbers converted to the dtype torch computes an op on all of them in."""
    target = _dtype.result_type(*operands)
    return [_to(x, target) for x in operands]


# ----- public functions -----

# out= for arithmetic: the result cast into out's dtype where torch allows the cast
_out = out_writer("cast")


def _float_result(a, b):
    """Operands converted for true division: integer results compute in the default float dtype."""
    target = _dtype.result_type(a, b)
    if not target.is_floating_point:
        target = _dtype.get_default_dtype()
    return _to(a, target), _to(b, target)


# Python numbers as 0-dim arrays of a tensor's dtype: NumPy computes array-with-array about 250 ns
# faster than array-with-Python-float, which matters for tiny tensors. Read-only, bounded; one
# table per dtype character (hashing a NumPy dtype itself is slow).
_SCALARS = {}
_FLOAT32 = np.dtype(np.float32)
_FLOAT32_SCALARS = _SCALARS.setdefault(_FLOAT32.char, {})


def _scalar(value, dtype):
    if value == 0 or value != value:  # -0.0 == 0.0 and nan != nan as dict keys: don't cache
        return np.array(value, dtype=dtype)
    table = _SCALARS.get(dtype.char)
    if table is None:
        table = _SCALARS[dtype.char] = {}
    array = table.get(value)
    if array is None:
        check_int(value)  # (a cached value has passed: checked here only)
        if len(table) > 4096:
            table.clear()
        token = set_fp(QUIET)  # 1e300 to float32 is inf, silently as in torch
        try:
            array = np.array(value, dtype=dtype)
        finally:
            reset_fp(token)
        array.flags.writeable = False
        table[value] = array
    return array


def _binary(op, a, b):
    """Promote and apply a binary op (the fast path: same-dtype tensors, or float tensor and number)."""
    if isinstance(b, _tensor.Tensor):
        if a._data.dtype is b._data.dtype:
            return op.apply2(a, b)
    elif type(b) is float or type(b) is int:
        dtype = a._data.dtype
        if dtype.kind == "f":
            return op.apply2(a, _scalar(b, dtype))
    elif isinstance(b, np.ndarray):  # a constant array (backward formulas under create_graph)
        b = _tensor.Tensor._make(b)
    elif not isinstance(b, (bool, np.number, np.bool_)):
        return NotImplemented if b is None or not hasattr(b, "__float__") else op.apply(
            *promote_operands(a, float(b)))
    a, b = promote_operands(a, b)
    return op.apply(a, b)


def _operator(op, constant_op, fallback=None, kinds="biuf"):
    """``Tensor.__mul__`` and kin, with the common cases inlined, as operators are the most called
    functions in a training step: a float tensor and a Python number (``constant_op``), or two
    tensors of one dtype (of ``kinds``; ``op``). Everything else goes to ``fallback(self, other)``
    (default: ``_binary``)."""
    apply_pair = op.apply_pair
    apply_constant = constant_op.apply_constant
    any_kind = kinds == "biuf"
    if fallback is None:
        def fallback(self, other):
            return _binary(op, self, other)

    def method(self, other):
        kind = type(other)
        try:  # (free in Python 3.11+ while nothing is raised)
            if kind is float or kind is int:
                dtype = self._data.dtype
                if dtype is _FLOAT32:  # the default dtype: its own table, no dtype hashing
                    scalar = _FLOAT32_SCALARS.get(other)
                    return apply_constant(self, _scalar(other, dtype) if scalar is None else scalar)
                if dtype.kind == "f":
                    return apply_constant(self, _scalar(other, dtype))
            elif kind is _tensor.Tensor or isinstance(other, _tensor.Tensor):
                dtype = self._data.dtype
                if dtype is other._data.dtype and (any_kind or dtype.kind in kinds):
                    return apply_pair(self, other)
        except ValueError:  # NumPy's error for shapes that do not broadcast: torch's instead
            check_broadcast(self, other)
            raise
        return fallback(self, other)
    return method


def _is_number(x):
    return isinstance(x, (int, float, np.number, np.bool_))  # bool is an int


def _type_error(name, arg, position, value):
    return TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{type(value).__name__}")


def _signature_error(name, signatures, *args):
    """torch's TypeError for arguments that match none of an overloaded function's signatures."""
    got = ", ".join(type(a).__name__ for a in args)
    lines = "".join(f" * ({s})\n" for s in signatures)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n{lines}")


def _number_input(name, input, other, target=None):
    """A Python number passed as ``input`` (``torch.add(1, t)``, ``1 // t``), as the 0-dim tensor
    torch makes of it: of the dtype the number promotes to with ``other`` (or of ``target``,
    where the op computes in another), so that it still promotes as a number would
    (``7 // int8 tensor`` is int8, ``1e300 // float64 tensor`` keeps 1e300)."""
    if not _is_number(input):
        raise _type_error(name, "input", 1, input)
    if target is None:
        target = _dtype.result_type(input, other)
    return _tensor.Tensor._make(scalar_array(input, target.np))


def _alpha(alpha, dtype):
    """``alpha`` of add and sub, checked as torch checks it, as the op computes with it: a scalar
    of an integer dtype (wrapping: -3 is 253 for uint8), a bool for bool tensors."""
    if dtype.kind in "biu" and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if dtype.kind == "b":
        return np.bool_(alpha)
    if type(alpha) is bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    check_scalar(alpha, dtype)
    return scalar_array(alpha, dtype)[()] if dtype.kind in "iu" else alpha


def _value(value, dtype):
    """``value`` of addcmul and addcdiv as the op computes with it: for integer dtypes truncated
    to a scalar of the dtype; float16 and float32 check it against float32's range (torch
    computes both in float32)."""
    if dtype.kind in "iu":
        check_scalar(value, dtype)
        return scalar_array(int(value), dtype)[()]
    check_scalar(value, _FLOAT32 if dtype.kind == "f" and dtype.itemsize < 4 else dtype)
    return value


def add(input, other, *, alpha=1, out=None):
    r"""Return ``input + alpha * other``, broadcasting and promoting as torch does.

    Example::

        >>> import gradstep as torch
        >>> torch.add(torch.tensor([1., 2.]), 10, alpha=2)
        tensor([21., 22.])
    """
    if not isinstance(input, _tensor.Tensor):
        input = _number_input("add", input, other)
    if type(alpha) is not int or alpha != 1:
        x, y = promote_operands(input, other)
        return _out(AddScaled.apply(x, y, _alpha(alpha, x._data.dtype)), out)
    return _out(_binary(Add, input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """Return ``input - alpha * other``."""
    if not isinstance(input, _tensor.Tensor):
        input = _number_input("sub", input, other)
    if out is None and type(alpha) is int and alpha == 1 and input._data.dtype.kind != "b":
        # the common case, unless other is a bool (an error, below)
        if isinstance(other, _tensor.Tensor):
            if other._data.dtype.kind != "b":
                return _binary(SubPlain, input, other)
        elif type(other) is not bool:
            return _binary(SubPlain, input, other)
    _check_bool_sub(input, other)
    x, y = promote_operands(input, other)
    return _out(Sub.apply(x, y, _alpha(alpha, x._data.dtype)), out)


subtract = sub


def _check_bool_sub(a, b):
    a_bool = a._data.dtype == np.bool_ if is_tensor(a) else isinstance(a, bool)
    b_bool = b._data.dtype == np.bool_ if is_tensor(b) else isinstance(b, bool)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def rsub(input, other, *, alpha=1):
    """Return ``other - alpha * input``."""
    _check_bool_sub(input, other)
    x, y = promote_operands(input, other)
    return Rsub.apply(x, y, _alpha(alpha, x._data.dtype))


def mul(input, other, *, out=None):
    """Return ``input * other`` elementwise."""
    if not isinstance(input, _tensor.Tensor):
        input = _number_input("mul", input, other)
    return _out(_binary(Mul, input, other), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """Return ``input / other``; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient."""
    if rounding_mode is None and out is None:
        try:
            dtype = input._data.dtype
        except AttributeError:  # a number as input
            return _div(input, other, rounding_mode, out)
        if dtype.kind == "f":
            if type(other) is float or type(other) is int:
                return Div.apply2(input, _scalar(other, dtype))
            if isinstance(other, _tensor.Tensor) and other._data.dtype is dtype:
                return Div.apply2(input, other)
    return _div(input, other, rounding_mode, out)


def _div(input, other, rounding_mode, out):
    """``div`` beyond its common cases: promotion, rounding modes, numbers as input, out=."""
    if rounding_mode is None:
        if not isinstance(input, _tensor.Tensor):  # in the float dtype: 300 / int8 is 150.
            target = _dtype.result_type(input, other)
            if not target.is_floating_point:
                target = _dtype.get_default_dtype()
            input = _number_input("div", input, other, target)
        x, y = _float_result(input, other)
        return _out(Div.apply(x, y), out)
    if not isinstance(input, _tensor.Tensor):
        input = _number_input("div", input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found '{rounding_mode}'")
    x, y = promote_operands(input, other)
    return _out(RoundedDiv.apply(x, y, rounding_mode), out)


divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    """Return ``floor(input / other)`` (recorded, but with no derivative, as in torch)."""
    if not isinstance(input, _tensor.Tensor):
        input = _number_input("floor_divide", input, other)
    x, y = promote_operands(input, other)
    return _out(FloorDivide.apply(x, y), out)


_REMAINDER_SIGNATURES = ("Tensor input, Tensor other, *, Tensor out = None",
                         "Number self, Tensor other",
                         "Tensor input, Number other, *, Tensor out = None")


def remainder(input, other, *, out=None):
    """Return the remainder of ``input / other`` with the sign of the divisor (Python's %)."""
    Tensor = _tensor.Tensor
    if isinstance(input, Tensor) and not (isinstance(other, Tensor) or _is_number(other)) or \
            not isinstance(input, Tensor) and not (_is_number(input) and isinstance(other, Tensor)):
        error = _signature_error("remainder", _REMAINDER_SIGNATURES, input, other)
        # torch marks the arguments that failed the (Number, Tensor) signature
        marks = ", ".join(f"!{type(a).__name__}!" for a in (input, other))
        raise TypeError(str(error).replace(
            " * (Number self, Tensor other)\n", " * (Number self, Tensor other)\n      didn't "
            f"match because some of the arguments have invalid types: ({marks})\n"))
    if not isinstance(input, Tensor):
        input = _number_input("remainder", input, other)
    x, y = promote_operands(input, other)
    return _out(Remainder.apply(x, y), out)


_FMOD_SIGNATURES = ("Tensor input, Tensor other, *, Tensor out = None",
                    "Tensor input, Number other, *, Tensor out = None")


def fmod(input, other, *, out=None):
    """Return the remainder of ``input / other`` with the sign of the dividend (C's fmod)."""
    if not isinstance(input, _tensor.Tensor) or not (
            isinstance(other, _tensor.Tensor) or _is_number(other)):
        raise _signature_error("fmod", _FMOD_SIGNATURES, input, other)
    x, y = promote_operands(input, other)
    return _out(Fmod.apply(x, y), out)


_POW_SIGNATURES = ("Tensor input, Tensor exponent, *, Tensor out = None",
                   "Number self, Tensor exponent, *, Tensor out = None",
                   "Tensor input, Number exponent, *, Tensor out = None")


def pow(input, exponent, *, out=None):
    """Return ``input ** exponent`` (either may be a number)."""
    Tensor = _tensor.Tensor
    if isinstance(input, Tensor) and isinstance(exponent, Tensor):
        x, y = promote_operands(input, exponent)
        return _out(Pow.apply(x, y), out)
    if isinstance(input, Tensor) and _is_number(exponent):
        x, _ = promote_operands(input, exponent)
        dtype = x._data.dtype
        if dtype.kind in "iu" and exponent < 0:  # (before the range check, as in torch)
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if dtype.kind in "iu" or dtype == np.float16:  # float32 and float64 take any exponent
            check_scalar(exponent, dtype)
        else:
            check_int(exponent)
        return _out(PowScalar.apply(x, exponent), out)
    if not (_is_number(input) and isinstance(exponent, Tensor)):
        raise _signature_error("pow", _POW_SIGNATURES, input, exponent)
    x, y = promote_operands(exponent, input)
    return _out(RPowScalar.apply(y[()].item(), x), out)


def neg(input, *, out=None):
    """Return ``-input``."""
    return write_out(Neg.apply(input), out, dtype_rule="same")


negative = neg


def reciprocal(input, *, out=None):
    """Return ``1 / input`` (integers give the default float dtype)."""
    if input._data.dtype.kind != "f":
        input = input.to(_dtype.get_default_dtype())
    return _out(Reciprocal.apply(input), out)


def _check_tensors(name, first_position, **arguments):
    """torch's TypeError for the first of ``arguments`` (name=value, in order) not a Tensor."""
    for position, (arg, value) in enumerate(arguments.items(), first_position):
        if not isinstance(value, _tensor.Tensor):
            raise _type_error(name, arg, position, value)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """Return ``input + value * tensor1 * tensor2``."""
    _check_tensors("addcmul", 1, input=input, tensor1=tensor1, tensor2=tensor2)
    x, a, b = _promote_all(input, tensor1, tensor2)
    dtype = x._data.dtype
    if dtype == np.bool_:
        raise NotImplementedError('"addcmul_cpu_out" not implemented for \'Bool\'')
    return _out(Addcmul.apply(x, a, b, _value(value, dtype)), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """Return ``input + value * tensor1 / tensor2``."""
    _check_tensors("addcdiv", 1, input=input, tensor1=tensor1, tensor2=tensor2)
    if tensor1._data.dtype.kind != "f" and tensor2._data.dtype.kind != "f":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  "
                           "release addcdiv will perform a true division of tensor1 and tensor2. "
                           "The historic addcdiv behavior can be implemented as (input + value * "
                           "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and "
                           "as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * "
                           "tensor1 / tensor2), for all dtypes.")
    x, a, b = _promote_all(input, tensor1, tensor2)
    return _out(Addcdiv.apply(x, a, b, _value(value, x._data.dtype)), out)


_LERP_SIGNATURES = ("Tensor input, Tensor end, Tensor weight, *, Tensor out = None",
                    "Tensor input, Tensor end, Number weight, *, Tensor out = None")


def lerp(input, end, weight, *, out=None):
    """Return ``input + weight * (end - input)``, rounded as torch rounds it on the CPU.

    As in torch, ``end`` must have input's dtype, and so must a ``weight`` tensor unless it is
    0-dim (then the three promote together); input must be floating point.
    """
    Tensor = _tensor.Tensor
    weight_is_tensor = isinstance(weight, Tensor)
    if not (isinstance(input, Tensor) and isinstance(end, Tensor)
            and (weight_is_tensor or _is_number(weight))):
        raise _signature_error("lerp", _LERP_SIGNATURES, input, end, weight)
    dtype = input._data.dtype
    if end._data.dtype != dtype:
        raise RuntimeError(f"expected dtype {cpp_type_name(dtype)} for `end` but got dtype "
                           f"{cpp_type_name(end._data.dtype)}")
    if not weight_is_tensor:
        if dtype.kind != "f":
            raise NotImplementedError(f'"lerp_kernel_scalar" not implemented for '
                                      f"'{scalar_type_name(dtype)}'")
        check_scalar(weight, _FLOAT32 if dtype.itemsize < 4 else dtype)  # float16: in float32
        return _out(LerpScalar.apply(input, end, weight), out)
    if weight._data.ndim and weight._data.dtype != dtype:
        raise RuntimeError(f"expected dtype {cpp_type_name(dtype)} for `weight` but got dtype "
                           f"{cpp_type_name(weight._data.dtype)}")
    x, y, w = _promote_all(input, end, weight)
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"lerp_kernel_tensor" not implemented for '
                                  f"'{scalar_type_name(x._data.dtype)}'")
    return _out(Lerp.apply(x, y, w), out)


class Methods:
    """Tensor methods and operators for arithmetic."""

    add = add
    sub = sub
    subtract = sub
    mul = mul
    multiply = mul
    div = div
    divide = div
    true_divide = true_divide
    floor_divide = floor_divide
    remainder = remainder
    fmod = fmod
    pow = pow
    neg = neg
    negative = neg
    reciprocal = reciprocal
    lerp = lerp

    def addcmul(self, tensor1, tensor2, *, value=1):
        _check_tensors("addcmul", 1, tensor1=tensor1, tensor2=tensor2)  # positions after self
        return addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        _check_tensors("addcdiv", 1, tensor1=tensor1, tensor2=tensor2)
        return addcdiv(self, tensor1, tensor2, value=value)

    def add_(self, other, *, alpha=1):
        return inplace(self, add, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return inplace(self, sub, other, alpha=alpha)

    subtract_ = sub_

    def mul_(self, other):
        return inplace(self, mul, other)

    multiply_ = mul_

    def div_(self, other, *, rounding_mode=None):
        return inplace(self, div, other, rounding_mode=rounding_mode)

    divide_ = div_

    def true_divide_(self, other):
        return inplace(self, div, other)

    def floor_divide_(self, other):
        return inplace(self, floor_divide, other)

    def remainder_(self, other):
        return inplace(self, remainder, other)

    def fmod_(self, other):
        return inplace(self, fmod, other)

    def pow_(self, exponent):
        return inplace(self, pow, exponent)

    def neg_(self):
        return inplace(self, neg)

    negative_ = neg_

    def reciprocal_(self):
        return inplace(self, reciprocal)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        _check_tensors("addcmul_", 1, tensor1=tensor1, tensor2=tensor2)
        return inplace(self, addcmul, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        _check_tensors("addcdiv_", 1, tensor1=tensor1, tensor2=tensor2)
        return inplace(self, addcdiv, tensor1, tensor2, value=value)

    def lerp_(self, end, weight):
        return inplace(self, lerp, end, weight)

    __add__ = _operator(Add, AddConstant)
    __radd__ = __add__

    def __iadd__(self, other):
        return inplace(self, add, other)

    __sub__ = _operator(SubPlain, SubConstant, sub, kinds="iuf")

    # A reflected operator runs where the left operand is no Tensor: for anything but a number,
    # NotImplemented lets Python raise its "unsupported operand" TypeError, as torch does.
    def __rsub__(self, other):
        return rsub(self, other) if _is_number(other) else NotImplemented

    def __isub__(self, other):
        return inplace(self, sub, other)

    __mul__ = _operator(Mul, MulConstant)
    __rmul__ = __mul__

    def __imul__(self, other):
        return inplace(self, mul, other)

    __truediv__ = _operator(Div, DivConstant, div, kinds="f")

    def __rtruediv__(self, other):
        # torch computes ``number / tensor`` as ``reciprocal(tensor) * number``: its graph
        # (MulBackward0 over ReciprocalBackward0) and its rounding
        return reciprocal(self) * other if _is_number(other) else NotImplemented

    def __itruediv__(self, other):
        return inplace(self, div, other)

    def __floordiv__(self, other):
        return floor_divide(self, other)

    def __rfloordiv__(self, other):
        return floor_divide(other, self) if _is_number(other) else NotImplemented

    def __ifloordiv__(self, other):
        return inplace(self, floor_divide, other)

    def __mod__(self, other):
        return remainder(self, other)

    def __rmod__(self, other):
        return remainder(other, self) if _is_number(other) else NotImplemented

    def __imod__(self, other):
        return inplace(self, remainder, other)

    def __pow__(self, exponent):
        return pow(self, exponent)

    def __rpow__(self, base):
        return pow(base, self) if _is_number(base) else NotImplemented

    def __ipow__(self, exponent):
        return inplace(self, pow, exponent)

    def __neg__(self):
        return Neg.apply1(self)

    def __pos__(self):
        return self


# Ops that cannot produce inf/nan skip the quiet set-up (see Op.quiet).
exact_ops(globals(), ("Neg",))
# Ufunc-only forwards, kept quiet by gradstep's warnings filter where it is in effect.
filtered_ops(globals(), ("Add", "SubPlain", "Mul", "Div", "AddConstant", "SubConstant",
                          "MulConstant", "DivConstant"))
