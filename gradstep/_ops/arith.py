"""Arithmetic: add, sub, mul, div, remainder, pow, neg, reciprocal, addcmul, addcdiv, lerp.

Binary ops take Tensors or Python numbers on either side and follow torch's type promotion
(``promote_operands``); their backward undoes broadcasting with ``sum_to``.
"""
import operator

import numpy as np

from .. import _dtype, _tensor
from ..autograd._fast_ops import ConstantOp, PairOp
from ..autograd.graph import Op
from ._util import exact_ops, filtered_ops, inplace, is_tensor, promote_operands, sum_to
from ._util import write_out as _out

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
        return x + y

    @staticmethod
    def backward(ctx, grad):
        # an input that needs a gradient has an edge, whose shape is the input's
        x_node, y_node = ctx._next
        shape = grad.shape  # broadcasting is rare: test before calling sum_to
        return (None if x_node is None else
                grad if shape == x_node._shape else sum_to(grad, x_node._shape),
                None if y_node is None else
                grad if shape == y_node._shape else sum_to(grad, y_node._shape))


class AddScaled(Op):
    """z = x + alpha * y;  dz/dx = 1,  dz/dy = alpha."""
    name_ = "AddBackward0"

    @staticmethod
    def forward(ctx, x, y, alpha):
        ctx.shapes = (_shape(x), _shape(y))
        ctx.alpha = alpha
        return x + alpha * y

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
        return x - y if alpha == 1 else x - alpha * y

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
        return x - y

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
        return y - x if alpha == 1 else y - alpha * x

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
        return x * y

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
        return x / y

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


class RoundedDiv(Op):
    """z = trunc(x / y) or floor(x / y);  the derivative is 0 almost everywhere."""
    name_ = "DivBackward1"

    @staticmethod
    def forward(ctx, x, y, mode):
        ctx.shapes = (_shape(x), _shape(y))
        if x.dtype.kind == "f":
            q = np.divide(x, y)
            return np.trunc(q) if mode == "trunc" else np.floor(q)
        _check_int_zero_division(y)
        if mode == "floor":
            return np.floor_divide(x, y)
        q = np.floor_divide(x, y)
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
        if x.dtype.kind != "f":
            _check_int_zero_division(y)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        gy = -grad * np.floor(x / y) if ctx.needs_input_grad[1] else None
        return sum_to(grad, _shape(x)), (sum_to(gy, _shape(y)) if gy is not None else None)


class Fmod(Op):
    """z = x - trunc(x / y) * y (sign of x);  dz/dx = 1,  dz/dy = -trunc(x / y)."""
    name_ = "FmodBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        if x.dtype.kind != "f":
            _check_int_zero_division(y)
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        gy = -grad * np.trunc(x / y) if ctx.needs_input_grad[1] else None
        return sum_to(grad, _shape(x)), (sum_to(gy, _shape(y)) if gy is not None else None)


class PowScalar(Op):
    """z = x ** p (p a number);  dz/dx = p * x ** (p - 1)."""
    name_ = "PowBackward0"

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        if x.dtype.kind in "iu" and p < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return np.power(x, p)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        p = ctx.p
        if p == 0:
            return grad * 0
        if p == 2:
            return grad * (x * 2.0)
        return grad * (p * np.power(x, p - 1))


class Pow(Op):
    """z = x ** y;  dz/dx = y * x ** (y - 1),  dz/dy = z * log(x) (0 where x = 0 and y >= 0)."""
    name_ = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = np.power(x, y)
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
    """z = b ** y (b a number);  dz/dy = z * log(b)."""
    name_ = "PowBackward2"

    @staticmethod
    def forward(ctx, b, y):
        out = np.power(b, y)
        ctx.save_for_backward(out)
        ctx.log_b = np.log(b) if b > 0 else (np.nan if b < 0 else -np.inf)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        if ctx.log_b == -np.inf:  # 0 ** y: torch defines the gradient as 0
            return None, grad * 0
        return None, grad * out * ctx.log_b


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


_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's splitter for float64
_INF = np.inf


def _round_odd(s, x, y):
    """``s = x + y`` (float64, rounded to nearest) rounded to odd instead: exact sums stay,
    inexact ones take the neighbour with an odd last bit. Rounded to odd first, a value then
    rounds to nearest in a narrower format (or after adding a much larger term) exactly as the
    exact value would: no double rounding."""
    v = s - x
    e = (x - (s - v)) + (y - v)  # Knuth's TwoSum: x + y == s + e exactly
    fix = (e != 0) & ((s.view(np.int64) & 1) == 0) & np.isfinite(s)
    if fix.any():
        s = np.where(fix, np.nextafter(s, np.copysign(_INF, e)), s)
    return s


def _fma64(a, b, c):
    """``a * b + c`` rounded once, for float64 (Boldo and Melquiond's emulation: the product
    split exactly by Dekker's algorithm, its low parts summed rounded to odd)."""
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape)
    if b.shape != shape:
        b = np.broadcast_to(b, shape)
    p = a * b
    t = a * _SPLIT
    ah = t - (t - a)
    al = a - ah
    bh = b * _SPLIT
    bl = bh - b
    np.subtract(bh, bl, out=bh)
    np.subtract(b, bh, out=bl)
    pe = ah * bh  # pe = ((ah bh - p) + ah bl + al bh) + al bl: a * b == p + pe exactly
    pe -= p
    tmp = ah * bl
    pe += tmp
    np.multiply(al, bh, out=tmp)
    pe += tmp
    np.multiply(al, bl, out=tmp)
    pe += tmp
    s = c + p  # TwoSum: c + p == s + se exactly
    v = s - c
    se = s - v
    np.subtract(c, se, out=se)
    np.subtract(p, v, out=v)
    se += v
    low = _round_odd(se + pe, se, pe)
    out = s + low
    # kept as the plain sum: exact sums (-0.0 + -0.0 stays -0.0), inf/nan operands, and splits
    # that overflowed (products within a factor 2**27 of the largest float). Products below
    # about 1e-291 lose the exactness of the split: there the result may be off by an ulp.
    keep = (low == 0) | ~np.isfinite(out)
    if keep.any():
        out = np.where(keep, s, out)
    return out


def _fma(a, b, c, dtype):
    """``a * b + c`` rounded once to ``dtype`` (float32 and float16: the exact product and the
    sum in float64, the sum rounded to odd where its rounding to ``dtype`` could tie)."""
    if dtype == np.float64:
        return _fma64(np.asarray(a, np.float64), b, c)
    p = np.multiply(a, b, dtype=np.float64)
    s = np.add(p, c, dtype=np.float64)
    drop = 29 if dtype == np.float32 else 42  # mantissa bits float64 has beyond dtype's
    bits = s.view(np.int64) & ((1 << drop) - 1)
    if (bits == 1 << (drop - 1)).any():  # on a midpoint of dtype: maybe not exactly
        s = _round_odd(s, p, np.asarray(c, np.float64))
    return s.astype(dtype)


def lerp_array(x, y, w):
    """torch's CPU lerp, bit for bit: ``x + w * (y - x)`` where ``|w| < 0.5``, else
    ``y - (y - x) * (1 - w)`` (so w = 1 gives y exactly), each multiply-add rounded once."""
    dtype = x.dtype
    if dtype.kind != "f":
        return x + w * (y - x)
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
        return lerp_array(x, y, w)

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
        return lerp_array(x, y, w)

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        nx, ny = ctx.needs_input_grad[:2]
        return (sum_to(grad * (1 - ctx.w), sx) if nx else None,
                sum_to(grad * ctx.w, sy) if ny else None)


class Addcmul(Op):
    """z = x + v * a * b;  dz/dx = 1,  dz/da = v * b,  dz/db = v * a."""
    name_ = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.save_for_backward(a, b)
        ctx.value = value
        ctx.shape_x = _shape(x)
        return x + value * (a * b) if value != 1 else x + a * b

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
        return x + value * (a / b) if value != 1 else x + a / b

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
    from ._util import _to
    target = _dtype.result_type(*operands)
    return [_to(x, target) for x in operands]


# ----- public functions -----

def _float_result(a, b):
    """Operands converted for true division: integer results compute in the default float dtype."""
    from ._util import _to
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
        if len(table) > 4096:
            table.clear()
        array = np.array(value, dtype=dtype)
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
        return fallback(self, other)
    return method


def _as_tensor(x):
    if is_tensor(x):
        return x
    from .._creation import tensor
    return tensor(x)


def add(input, other, *, alpha=1, out=None):
    r"""Return ``input + alpha * other``, broadcasting and promoting as torch does.

    Example::

        >>> import gradstep as torch
        >>> torch.add(torch.tensor([1., 2.]), 10, alpha=2)
        tensor([21., 22.])
    """
    if not is_tensor(input):
        raise TypeError(f"add(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if alpha != 1:
        x, y = promote_operands(input, other)
        if isinstance(alpha, float) and (x._data.dtype.kind != "f" if is_tensor(x) else True):
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                               "point number.")
        return _out(AddScaled.apply(x, y, alpha), out)
    return _out(_binary(Add, input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """Return ``input - alpha * other``."""
    if alpha == 1 and out is None and input._data.dtype.kind != "b" and type(other) is not bool:
        return _binary(SubPlain, input, other)
    _check_bool_sub(input, other)
    x, y = promote_operands(input, other) if alpha != 1 or not is_tensor(other) \
        or other._data.dtype is not input._data.dtype else (input, other)
    return _out(Sub.apply(x, y, alpha), out)


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
    return Rsub.apply(x, y, alpha)


def mul(input, other, *, out=None):
    """Return ``input * other`` elementwise."""
    if not is_tensor(input):
        return _out(_binary(Mul, other, input), out)
    return _out(_binary(Mul, input, other), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """Return ``input / other``; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient."""
    if rounding_mode is None and out is None and input._data.dtype.kind == "f":
        if type(other) is float or type(other) is int:
            return Div.apply2(input, _scalar(other, input._data.dtype))
        if isinstance(other, _tensor.Tensor) and other._data.dtype is input._data.dtype:
            return Div.apply2(input, other)
    if rounding_mode is None:
        x, y = _float_result(input, other)
        return _out(Div.apply(x, y), out)
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
    x, y = promote_operands(input, other)
    return _out(FloorDivide.apply(x, y), out)


def remainder(input, other, *, out=None):
    """Return the remainder of ``input / other`` with the sign of the divisor (Python's %)."""
    if not is_tensor(input):
        x, y = promote_operands(_as_tensor(input), other)
        return _out(Remainder.apply(x, y), out)
    x, y = promote_operands(input, other)
    return _out(Remainder.apply(x, y), out)


def fmod(input, other, *, out=None):
    """Return the remainder of ``input / other`` with the sign of the dividend (C's fmod)."""
    x, y = promote_operands(input, other)
    return _out(Fmod.apply(x, y), out)


def pow(input, exponent, *, out=None):
    """Return ``input ** exponent`` (either may be a number)."""
    if not is_tensor(input):
        base = input
        x, y = promote_operands(exponent, base)
        base_value = y.reshape(()).item() if not is_tensor(y) else y._data.item()
        return _out(RPowScalar.apply(base_value, x), out)
    if not is_tensor(exponent):
        x, _ = promote_operands(input, exponent)
        return _out(PowScalar.apply(x, exponent), out)
    x, y = promote_operands(input, exponent)
    return _out(Pow.apply(x, y), out)


def neg(input, *, out=None):
    """Return ``-input``."""
    return _out(Neg.apply(input), out)


negative = neg


def reciprocal(input, *, out=None):
    """Return ``1 / input`` (integers give the default float dtype)."""
    if input._data.dtype.kind != "f":
        input = input.to(_dtype.get_default_dtype())
    return _out(Reciprocal.apply(input), out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """Return ``input + value * tensor1 * tensor2``."""
    x, a, b = _promote_all(input, tensor1, tensor2)
    return _out(Addcmul.apply(x, a, b, value), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """Return ``input + value * tensor1 / tensor2``."""
    if tensor1._data.dtype.kind != "f" and tensor2._data.dtype.kind != "f":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  "
                           "release addcdiv will perform a true division of tensor1 and tensor2. "
                           "The historic addcdiv behavior can be implemented as (input + value * "
                           "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and "
                           "as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * "
                           "tensor1 / tensor2), for all dtypes.")
    x, a, b = _promote_all(input, tensor1, tensor2)
    return _out(Addcdiv.apply(x, a, b, value), out)


def lerp(input, end, weight, *, out=None):
    """Return ``input + weight * (end - input)``, rounded as torch rounds it on the CPU."""
    if not is_tensor(weight):
        x, y = promote_operands(input, end)
        return _out(LerpScalar.apply(x, y, weight), out)
    x, y, w = _promote_all(input, end, weight)
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
    addcmul = addcmul
    addcdiv = addcdiv
    lerp = lerp

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
        return inplace(self, addcmul, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return inplace(self, addcdiv, tensor1, tensor2, value=value)

    def lerp_(self, end, weight):
        return inplace(self, lerp, end, weight)

    __add__ = _operator(Add, AddConstant)
    __radd__ = __add__

    def __iadd__(self, other):
        return inplace(self, add, other)

    __sub__ = _operator(SubPlain, SubConstant, sub, kinds="iuf")

    def __rsub__(self, other):
        return rsub(self, other)

    def __isub__(self, other):
        return inplace(self, sub, other)

    __mul__ = _operator(Mul, MulConstant)
    __rmul__ = __mul__

    def __imul__(self, other):
        return inplace(self, mul, other)

    __truediv__ = _operator(Div, DivConstant, div, kinds="f")

    def __rtruediv__(self, other):
        x, y = _float_result(other, self)
        if not is_tensor(x):
            x = _as_tensor(x)
        return Div.apply(x, y)

    def __itruediv__(self, other):
        return inplace(self, div, other)

    def __floordiv__(self, other):
        return floor_divide(self, other)

    def __rfloordiv__(self, other):
        return floor_divide(_as_tensor_like(other, self), self)

    def __ifloordiv__(self, other):
        return inplace(self, floor_divide, other)

    def __mod__(self, other):
        return remainder(self, other)

    def __rmod__(self, other):
        return remainder(_as_tensor_like(other, self), self)

    def __imod__(self, other):
        return inplace(self, remainder, other)

    def __pow__(self, exponent):
        return pow(self, exponent)

    def __rpow__(self, base):
        return pow(base, self)

    def __ipow__(self, exponent):
        return inplace(self, pow, exponent)

    def __neg__(self):
        return Neg.apply1(self)

    def __pos__(self):
        return self


def _as_tensor_like(value, like):
    """A Python number as a 0-dim tensor (so a reflected op can use the forward path)."""
    from .._tensor import Tensor
    return Tensor._make(np.asarray(value, dtype=_dtype.scalar_dtype(value).np))


# Ops that cannot produce inf/nan skip the quiet set-up (see Op.quiet).
exact_ops(globals(), ("Neg",))
# Ufunc-only forwards, kept quiet by gradstep's warnings filter where it is in effect.
filtered_ops(globals(), ("Add", "SubPlain", "Mul", "Div", "AddConstant", "SubConstant",
                          "MulConstant", "DivConstant"))
