"""Comparisons and logic: eq/ne/lt/le/gt/ge, isclose, isnan..., logical_*, bitwise_*, any, all.

None of these is differentiable in torch (they return bool or integer tensors), so they work on
the arrays directly and wrap the result with ``Tensor._make``; the exception is ``nan_to_num``,
whose gradient passes where the input is finite.
"""
import numpy as np

from .. import _dtype, _tensor
from ..autograd.graph import Op
from ._fp import quiet
from ._util import broadcast_error, inplace, promote_operands, scalar_type_name, wrap_dims
from ._util import inplace_method as _inplace
from ._util import write_out as _out

__all__ = ["eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater", "ge",
           "greater_equal", "isclose", "allclose", "equal", "isnan", "isinf", "isfinite",
           "isposinf", "isneginf", "logical_and", "logical_or", "logical_xor", "logical_not",
           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "any", "all",
           "nan_to_num"]

_SIGNATURES = (" * (Tensor input, Tensor other, *, Tensor out = None)\n"
               " * (Tensor input, Number other, *, Tensor out = None)\n")


def _make(r):
    """Wrap a result array (a NumPy scalar from a 0-dim computation becomes a 0-dim array)."""
    if type(r) is not np.ndarray and isinstance(r, np.generic):
        r = np.asarray(r)
    return _tensor.Tensor._make(r)



def _invalid_combination(name, input, other):
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
                     f"{_SIGNATURES}")


def _operands(input, other):
    """The two arrays a comparison works on, in torch's computation dtype; None if unsupported.

    A Python int is cast to an integer tensor's dtype (``int8 < 1000`` wraps 1000, as torch); a
    Python float turns integer tensors into the default float dtype.
    """
    x = input._data
    if isinstance(other, _tensor.Tensor):
        y = other._data
        if y.dtype is not x.dtype:
            a, b = promote_operands(input, other)
            x, y = a._data, b._data
        return x, y
    t = type(other)
    if t is not float and t is not int and t is not bool:
        if not isinstance(other, (int, float, np.number, np.bool_)):
            return None
        other = other.item() if isinstance(other, (np.number, np.bool_)) else other
        t = type(other)
        if t is not float and t is not int and t is not bool:
            other = float(other)
            t = float
    if x.dtype.kind != "f":
        if t is float:
            return x.astype(_dtype.get_default_dtype().np), other
        # torch casts the number to the tensor's dtype, wrapping out-of-range integers
        a, other = promote_operands(input, other)
        return a._data, other
    return x, other


def _comparison(ufunc, name):
    def fn(input, other, *, out=None):
        try:
            pair = _operands(input, other)
        except AttributeError:
            if not isinstance(input, _tensor.Tensor):
                raise _invalid_combination(name, input, other) from None
            raise
        if pair is None:
            raise _invalid_combination(name, input, other)
        try:
            result = _make(ufunc(*pair))
        except ValueError:
            raise broadcast_error(input.shape, getattr(other, "shape", ())) from None
        return result if out is None else _out(result, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Return ``input {_SYMBOLS[name]} other`` elementwise as a bool tensor."
    return fn


def _operator(fn):
    """The dunder form: ``NotImplemented`` for operands that are neither tensors nor numbers."""
    def method(self, other):
        pair = _operands(self, other)
        if pair is None:
            return NotImplemented
        try:
            return _make(fn(*pair))
        except ValueError:
            raise broadcast_error(self.shape, getattr(other, "shape", ())) from None
    return method


_SYMBOLS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}

eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
not_equal = ne
less = lt
less_equal = le
greater = gt
greater_equal = ge


# ----- closeness -----

def _check_same_dtype(input, other, name):
    if not isinstance(other, _tensor.Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{scalar_type_name(input._data.dtype)} did not match "
                           f"{scalar_type_name(other._data.dtype)}")


@quiet  # inf - inf: torch is silent
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Return where ``|input - other| <= atol + rtol * |other|`` (equal values, infinities too)."""
    _check_same_dtype(input, other, "isclose")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol:g}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol:g}")
    a, b = input._data, other._data
    try:
        close = a == b
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if a.dtype.kind != "f":
        a, b = a.astype(np.float64), b.astype(np.float64)
    actual = np.abs(a - b)
    close = close | (np.isfinite(actual) & (actual <= atol + np.abs(rtol * b)))
    if equal_nan:
        close = close | (np.isnan(a) & np.isnan(b))
    return _make(close)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Return whether every element of ``input`` is close to ``other`` (see ``isclose``)."""
    _check_same_dtype(input, other, "allclose")  # (isclose's check, with allclose's name)
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan)._data))


def equal(input, other):
    """Return True when both tensors have the same shape and the same values (NaN never equal)."""
    if not isinstance(other, _tensor.Tensor):
        raise TypeError(f"equal(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    return bool(np.array_equal(input._data, other._data))


# ----- classification -----

def isnan(input):
    """Return where ``input`` is NaN."""
    return _make(np.isnan(input._data))


def isinf(input):
    """Return where ``input`` is +inf or -inf."""
    return _make(np.isinf(input._data))


def isfinite(input):
    """Return where ``input`` is neither infinite nor NaN."""
    return _make(np.isfinite(input._data))


def isposinf(input, *, out=None):
    """Return where ``input`` is +inf."""
    x = input._data
    return _out(_make(np.isposinf(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_)),
                out)


def isneginf(input, *, out=None):
    """Return where ``input`` is -inf."""
    x = input._data
    return _out(_make(np.isneginf(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_)),
                out)


class NanToNum(Op):
    """z = x with NaN, +inf, -inf replaced by numbers;  dz/dx = 1 where x is finite, else 0."""
    name_ = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        if x.dtype.kind != "f":
            return x.copy()
        return np.asarray(np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        # a product, not where(): torch lets a NaN gradient through a masked position
        return grad * np.isfinite(x)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: dtype extremes)."""
    return _out(NanToNum.apply(input, nan, posinf, neginf), out)


# ----- logical -----

def _logical(ufunc, name):
    def fn(input, other, *, out=None):
        if not isinstance(other, _tensor.Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        try:
            result = _make(ufunc(input._data, other._data))
        except ValueError:
            raise broadcast_error(input._data.shape, other._data.shape) from None
        return result if out is None else _out(result, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Return the elementwise logical {name.split('_')[1].upper()} as a bool tensor."
    return fn


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None):
    """Return the elementwise logical NOT (zero becomes True) as a bool tensor."""
    return _out(_make(np.logical_not(input._data)), out)


# ----- bitwise -----

def _bitwise_operands(input, other, kernel):
    """Promoted arrays for a bitwise op, or None when ``other`` is not a tensor or number."""
    if isinstance(other, _tensor.Tensor):
        if other._data.dtype is not input._data.dtype:
            input, other = promote_operands(input, other)
        y = other._data
    elif isinstance(other, (int, float, np.number, np.bool_)):
        input, y = promote_operands(input, other)
    else:
        return None
    x = input._data
    if x.dtype.kind == "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    return x, y


def _bitwise(ufunc, name):
    kernel = name + "_cpu"

    def fn(input, other, *, out=None):
        pair = _bitwise_operands(input, other, kernel)
        if pair is None:
            raise _invalid_combination(name, input, other)
        try:
            result = _make(ufunc(*pair))
        except ValueError:
            raise broadcast_error(input.shape, other.shape) from None
        return result if out is None else _out(result, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Return the elementwise bitwise {name.split('_')[1].upper()} of integer or " \
                 "bool tensors."
    return fn


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input, *, out=None):
    """Return the elementwise bitwise NOT (logical NOT for bool tensors)."""
    x = input._data
    if x.dtype.kind == "f":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for "
                                  f"'{scalar_type_name(x.dtype)}'")
    return _out(_make(np.invert(x)), out)


def _bitwise_operator(ufunc, name):
    kernel = name + "_cpu"

    def method(self, other):
        pair = _bitwise_operands(self, other, kernel)
        if pair is None:
            return NotImplemented
        try:
            return _make(ufunc(*pair))
        except ValueError:
            raise broadcast_error(self.shape, other.shape) from None
    return method


# ----- reductions -----

def _reduce(reducer, input, dim, keepdim):
    x = input._data
    if dim is None:
        r = np.asarray(reducer(x))
        if keepdim:
            r = r.reshape((1,) * x.ndim)
    else:
        axes = wrap_dims(dim, x.ndim)
        r = np.asarray(reducer(x, axis=axes if x.ndim else None, keepdims=keepdim))
    if x.dtype == np.uint8:
        r = r.astype(np.uint8)
    return _make(r)


def any(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    """Return whether any element (along ``dim``) is nonzero; uint8 inputs give uint8."""
    return _out(_reduce(np.any, input, dim, keepdim), out)


def all(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    """Return whether every element (along ``dim``) is nonzero; uint8 inputs give uint8."""
    return _out(_reduce(np.all, input, dim, keepdim), out)


class Methods:
    """Tensor methods and operators for comparisons and logic."""

    eq = eq
    ne = ne
    not_equal = ne
    lt = lt
    less = lt
    le = le
    less_equal = le
    gt = gt
    greater = gt
    ge = ge
    greater_equal = ge
    isclose = isclose
    allclose = allclose
    equal = equal
    isnan = isnan
    isinf = isinf
    isfinite = isfinite
    isposinf = isposinf
    isneginf = isneginf
    logical_and = logical_and
    logical_or = logical_or
    logical_xor = logical_xor
    logical_not = logical_not
    bitwise_and = bitwise_and
    bitwise_or = bitwise_or
    bitwise_xor = bitwise_xor
    bitwise_not = bitwise_not
    any = any
    all = all
    nan_to_num = nan_to_num

    eq_ = _inplace(eq)
    ne_ = _inplace(ne)
    not_equal_ = ne_
    lt_ = _inplace(lt)
    less_ = lt_
    le_ = _inplace(le)
    less_equal_ = le_
    gt_ = _inplace(gt)
    greater_ = gt_
    ge_ = _inplace(ge)
    greater_equal_ = ge_
    logical_and_ = _inplace(logical_and)
    logical_or_ = _inplace(logical_or)
    logical_xor_ = _inplace(logical_xor)
    logical_not_ = _inplace(logical_not)
    bitwise_and_ = _inplace(bitwise_and)
    bitwise_or_ = _inplace(bitwise_or)
    bitwise_xor_ = _inplace(bitwise_xor)
    bitwise_not_ = _inplace(bitwise_not)
    nan_to_num_ = _inplace(nan_to_num)

    __eq__ = _operator(np.equal)
    __ne__ = _operator(np.not_equal)
    __lt__ = _operator(np.less)
    __le__ = _operator(np.less_equal)
    __gt__ = _operator(np.greater)
    __ge__ = _operator(np.greater_equal)
    __hash__ = object.__hash__  # defining __eq__ would otherwise make tensors unhashable

    __and__ = _bitwise_operator(np.bitwise_and, "bitwise_and")
    __or__ = _bitwise_operator(np.bitwise_or, "bitwise_or")
    __xor__ = _bitwise_operator(np.bitwise_xor, "bitwise_xor")
    __rand__ = __and__
    __ror__ = __or__
    __rxor__ = __xor__

    def __iand__(self, other):
        return inplace(self, bitwise_and, other)

    def __ior__(self, other):
        return inplace(self, bitwise_or, other)

    def __ixor__(self, other):
        return inplace(self, bitwise_xor, other)

    def __invert__(self):
        x = self._data
        if x.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return _make(np.invert(x))
