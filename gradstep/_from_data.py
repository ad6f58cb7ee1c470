"""Python data to NumPy arrays, as ``torch.tensor`` reads it.

Three steps, each with torch's rules and messages:

1. **Shape** from the first element at each depth: ``[[1, 2], [3, 4]]`` is (2, 2). Any Python
   sequence counts (lists, tuples, ``range``, ``bytearray``...), and so does a NumPy array; a
   tensor is a sequence only below the depth the shape reached (there it is one number).
2. **dtype**, when none is given: every element's own type, promoted (``promote_types``) over all:
   a Python float gives the default dtype, an int int64, a bool bool; a tensor, a NumPy scalar or a
   NumPy array gives its dtype; an empty sequence counts as the default dtype.
3. **Values**, each converted to the dtype with torch's checks: an integer dtype takes Python
   ints that fit (an unsigned type also takes ``-max..-1``, which wrap), floats whose value fits
   (``nan`` never does), and other values through ``__index__`` (an integer tensor of one
   element); a float dtype takes any real number (overflowing to ``inf`` silently).

Plain nested lists of Python numbers, the common case, are converted by NumPy in one call after a
scan that only looks at each list's set of element types.
"""
import collections.abc
import functools
import numbers
import operator
import sys
import warnings

import numpy as np

from . import _dtype

__all__ = ["data_to_array", "is_sequence", "check_strides", "warn_once_at_caller"]

_PLAIN = frozenset((int, float, bool))
_PLAIN_DTYPE = {bool: _dtype.bool_, int: _dtype.int64}

NDARRAY_LIST_WARNING = (
    "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider "
    "converting the list to a single numpy.ndarray with numpy.array() before converting to a "
    "tensor. (Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:252.)")


def _tensor_type():
    from ._tensor import Tensor
    return Tensor


def is_sequence(x):
    """Whether torch reads ``x`` as a sequence of elements (strings are refused elsewhere)."""
    if type(x) is list or type(x) is tuple:
        return True
    return isinstance(x, (range, bytearray, memoryview, collections.abc.Sequence)) \
        and not isinstance(x, (str, bytes))


def _invalid_type(value):
    return TypeError(f"new(): invalid data type '{type(value).__name__}'")


# ----- step 2: the dtype of one element -----

def _element_dtype(x):
    """The dtype torch infers for one non-sequence element."""
    if isinstance(x, np.generic):
        return _dtype.from_numpy_dtype(x.dtype)
    kind = type(x)
    if kind in _PLAIN or isinstance(x, numbers.Real):
        if isinstance(x, bool):
            return _dtype.bool_
        return _dtype.int64 if isinstance(x, numbers.Integral) else _dtype.get_default_dtype()
    if isinstance(x, (np.ndarray, _tensor_type())):
        return _dtype.from_numpy_dtype(x.dtype if isinstance(x, np.ndarray) else x._data.dtype)
    if isinstance(x, (str, bytes)):
        raise _invalid_type(x)
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _promote(a, b):
    return b if a is None else _dtype.promote_types(a, b)


# ----- step 1: the shape -----

def _shape_of(data):
    """The shape read from the first element at each depth."""
    shape = []
    x = data
    Tensor = _tensor_type()
    while True:
        if isinstance(x, np.ndarray):
            if x.ndim == 0 and shape:
                raise TypeError("len() of unsized object")
            return tuple(shape) + x.shape
        if isinstance(x, str):
            raise ValueError("too many dimensions 'str'")  # 'a'[0] is 'a', without end
        if isinstance(x, Tensor) or not is_sequence(x):
            return tuple(shape)
        shape.append(len(x))
        if not len(x):
            return tuple(shape)
        x = x[0]


class _Scan:
    """One pass over nested data: the promoted dtype of its elements, whether it is plain (only
    Python numbers, all at the innermost depth), and the first place its shape breaks."""

    def __init__(self, shape, infer):
        self.shape = shape
        self.infer = infer  # with a dtype given, torch infers nothing (and refuses nothing yet)
        self.check_shape = 0 not in shape  # torch reads no element of an empty result
        self.dtype = None
        self.plain = True
        self.kinds = set()  # Python number types of plain elements
        self.has_ndarray = False
        self.error = None  # the first shape error, raised after inference (as torch orders them)

    def mismatch(self, error):
        if self.check_shape and self.error is None:
            self.error = error

    def walk(self, seq, dim):
        n = len(seq)
        if dim < len(self.shape) and n != self.shape[dim]:
            self.mismatch(ValueError(f"expected sequence of length {self.shape[dim]} at dim "
                                     f"{dim} (got {n})"))
        if n == 0:
            self.dtype = _promote(self.dtype, _dtype.get_default_dtype())  # torch's choice
            return
        if dim == len(self.shape) - 1:
            kinds = set(map(type, seq))
            if kinds <= _PLAIN:
                self.kinds |= kinds
                return
        for item in seq:
            self.item(item, dim + 1)

    def item(self, x, dim):
        """Scan element ``x`` found at depth ``dim``."""
        innermost = dim >= len(self.shape)
        if type(x) in _PLAIN:
            if innermost:
                self.kinds.add(type(x))
            else:
                self.plain = False
                self.mismatch(TypeError("not a sequence"))
            return
        if (type(x) is list or type(x) is tuple) and not innermost:  # the usual nesting
            self.walk(x, dim)
            return
        self.plain = False
        if isinstance(x, np.ndarray):
            self.has_ndarray = True
            self.note(x)
            if not innermost:
                self.check_array(x.shape, dim)
        elif isinstance(x, _tensor_type()):
            self.note(x)
            if not innermost:
                if x._data.ndim == 0:
                    self.mismatch(TypeError("len() of a 0-d tensor"))
                self.check_array(x._data.shape, dim)
        elif is_sequence(x):
            self.walk(x, dim)
        else:
            self.note(x)
            if not innermost:
                self.mismatch(TypeError("not a sequence"))

    def note(self, x):
        if self.infer:
            self.dtype = _promote(self.dtype, _element_dtype(x))

    def check_array(self, shape, dim):
        """An array or tensor standing for the sub-sequences from depth ``dim`` on."""
        for k, (want, got) in enumerate(zip(self.shape[dim:], shape)):
            if want != got:
                self.mismatch(ValueError(f"expected sequence of length {want} at dim {dim + k} "
                                         f"(got {got})"))
                return

    def inferred(self):
        d = self.dtype
        for kind in self.kinds:
            d = _promote(d, _PLAIN_DTYPE.get(kind) or _dtype.get_default_dtype())
        return _dtype.get_default_dtype() if d is None else d


# ----- step 3: values -----

@functools.lru_cache(maxsize=None)
def _int_limits(np_dtype):
    """(lowest int, lowest float, highest) a value converted to integer ``np_dtype`` may take."""
    info = np.iinfo(np_dtype)
    # unsigned types accept -max..-1 from ints (they wrap), and nothing negative from floats
    return (-int(info.max) if info.kind == "u" else int(info.min)), int(info.min), int(info.max)


def _overflow(d):
    return RuntimeError(f"value cannot be converted to type {d.name} without overflow")


def checked_int(value, d):
    """Python int ``value`` stored as integer dtype ``d``, wrapped into range, or torch's error."""
    if not -2 ** 63 <= value < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    low, _, high = _int_limits(d.np)
    if not low <= value <= high:
        raise _overflow(d)
    return value + high + 1 if value < 0 and d.np.kind == "u" else value


def _checked_float_to_int(value, d):
    _, low, high = _int_limits(d.np)
    if not low <= value <= high:  # nan fails both comparisons
        raise _overflow(d)
    return int(value)


def _store(value, d):
    """One element as the Python number dtype ``d`` stores, with torch's conversion checks."""
    if d._category == 2:
        if isinstance(value, (numbers.Real, np.bool_, np.ndarray, _tensor_type())):
            return float(value)  # a tensor of several elements raises torch's ValueError here
        raise TypeError(f"must be real number, not {type(value).__name__}")
    if isinstance(value, float):  # np.float64 too: it is a Python float
        return bool(value) if d is _dtype.bool_ else _checked_float_to_int(value, d)
    if d is _dtype.bool_ and isinstance(value, np.bool_):
        return bool(value)
    value = operator.index(value)  # ints, integer tensors of one element, NumPy integers
    return value != 0 if d is _dtype.bool_ else checked_int(value, d)


def _store_array(array, d, from_tensor):
    """A NumPy array (or a tensor's) standing for nested elements, converted to ``d`` by the
    rules ``_store`` applies to each of its elements, all at once."""
    kind = array.dtype.kind
    if d._category == 2 or array.size == 0:
        return _cast(array, d)
    if from_tensor and kind == "f":
        raise TypeError("only integer tensors of a single element can be converted to an index")
    if kind == "f" and array.dtype != np.float64:  # only np.float64 is a Python float
        raise TypeError(f"'numpy.{array.dtype.name}' object cannot be interpreted as an integer")
    if kind == "b" and d is not _dtype.bool_ and not from_tensor:
        raise TypeError("'numpy.bool' object cannot be interpreted as an integer")
    if d is not _dtype.bool_ and kind in "iuf":
        _check_int_range(array, d)
    return _cast(array, d)


def _check_int_range(array, d):
    """torch's overflow error unless every element of an int or float ``array`` fits integer
    dtype ``d`` (the rules of ``checked_int`` and ``_checked_float_to_int``)."""
    int_low, float_low, high = _int_limits(d.np)
    low = float_low if array.dtype.kind == "f" else int_low
    with np.errstate(invalid="ignore"):  # nan compares false: an overflow, as in torch
        if not ((array >= low) & (array <= high)).all():
            raise _overflow(d)


def _cast(array, d):
    """``array`` as dtype ``d``; float overflow gives inf and negative ints wrap, silently."""
    with np.errstate(over="ignore", invalid="ignore"):
        return array.astype(d.np)


def _plain_array(data, d, kinds):
    """Nested lists of Python numbers as dtype ``d``, converted by NumPy in one call; None when
    NumPy could not do it exactly (ints beyond int64, ints beside floats for an integer dtype)."""
    if d._category != 2 and float in kinds and int in kinds:
        return None  # NumPy would round large ints through float64
    array = np.array(data)
    kind = array.dtype.kind
    if kind == "O" or array.dtype == np.uint64:  # an int beyond int64
        if d._category == 1:
            raise ValueError("Overflow when unpacking long long")
        return None if d._category == 2 else array.astype(bool)
    if d._category == 1 and kind in "if":
        _check_int_range(array, d)
    return _cast(array, d)


def _nested_values(seq, d, depth, ndim):
    """Nested lists of ``seq``'s elements converted to ``d`` one by one (arrays and tensors below
    the innermost depth converted whole)."""
    Tensor = _tensor_type()
    out = []
    for x in seq:
        if depth == ndim:
            out.append(_store(x, d))
        elif isinstance(x, np.ndarray):
            out.append(_store_array(x, d, from_tensor=False))
        elif isinstance(x, Tensor):
            out.append(_store_array(x._host(), d, from_tensor=True))
        else:
            out.append(_nested_values(x, d, depth + 1, ndim))
    return out


def _from_sequence(data, d):
    shape = _shape_of(data)
    scan = _Scan(shape, infer=d is None)
    scan.walk(data, 0)
    if d is None:
        d = scan.inferred()
    if scan.error is not None:
        raise scan.error
    if scan.has_ndarray:
        _warn_ndarray_list()
    if not scan.check_shape:
        return np.zeros(shape, d.np)
    if scan.plain:
        array = _plain_array(data, d, scan.kinds)
        if array is not None:
            return array
    values = _nested_values(data, d, 1, len(shape))
    with np.errstate(over="ignore"):  # 1e300 as float16 is inf, silently as in torch
        return np.array(values, dtype=d.np)


def _warn_ndarray_list():
    warn_once_at_caller(NDARRAY_LIST_WARNING)


_warned = set()


def warn_once_at_caller(message):
    """A UserWarning torch gives once per process (TORCH_WARN_ONCE), attributed like torch's to
    the user's line: the first frame outside gradstep."""
    if message in _warned:
        return
    _warned.add(message)
    warn_at_caller(message)


def warn_at_caller(message, category=UserWarning):
    """Warn as torch's C++ warnings show: attributed to the user's line (the first frame
    outside gradstep), wherever in gradstep the warning arises."""
    frame, level = sys._getframe(1), 2  # level 1 is this function
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "gradstep":
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _from_scalar(value, d):
    if d is None:
        d = _element_dtype(value)
    if isinstance(value, (str, bytes)):
        raise _invalid_type(value)
    with np.errstate(over="ignore"):
        return np.array(_store(value, d), dtype=d.np)


def data_to_array(data, dtype=None):
    """``data`` (a number, a nested sequence, or an object NumPy can read) as a NumPy array of
    gradstep dtype ``dtype``, or of the dtype torch infers when ``dtype`` is None.

    A NumPy array given directly is converted without checks (``astype``, as torch does) and
    returned as is when its dtype already matches.
    """
    if isinstance(data, np.ndarray):
        return _from_ndarray(data, dtype)
    if isinstance(data, (str, bytes)):
        raise _invalid_type(data)
    if is_sequence(data):
        return _from_sequence(data, dtype)
    if not isinstance(data, (numbers.Number, np.generic)) and \
            (hasattr(data, "__array__") or hasattr(data, "__array_interface__")):
        return _from_ndarray(np.asarray(data), dtype)
    return _from_scalar(data, dtype)


def check_strides(array):
    """torch's refusal of NumPy arrays with negative strides (a tensor's strides never are)."""
    if any(s < 0 for s in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")


def _from_ndarray(array, d):
    check_strides(array)
    if d is None:
        _dtype.from_numpy_dtype(array.dtype)  # torch's TypeError for an unsupported dtype
        return array
    return array if array.dtype == d.np else _cast(array, d)
