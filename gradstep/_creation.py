"""Tensor creation: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled (``zeros``,
``ones``, ``full``, ``empty``, ``eye``), ranges (``arange``, ``linspace``, ``logspace``), the
``*_like`` and ``Tensor.new_*`` forms, and the legacy typed constructors (``FloatTensor``...).

Sizes are given as varargs or one sequence, as in torch. Every array comes from
``array_module(device)``, so a CUDA backend needs no change here. (Random creation lives in
``_random``, the only owner of randomness.)
"""
import math
import numbers
import warnings

import numpy as np

from . import _dtype
from ._backend import array_module, to_device
from ._device import as_device
from ._from_data import check_strides, data_to_array, is_sequence, warn_once_at_caller
from ._layout import empty_like_layout
from ._size import Size
from ._ops._util import cpp_type_name
from ._ops._util import write_out as _out
from ._ops._fma import fma
from ._runtime import get_num_threads

__all__ = ["tensor", "as_tensor", "from_numpy", "legacy_new", "zeros", "ones", "full", "empty",
           "eye", "arange", "linspace", "logspace", "zeros_like", "ones_like", "full_like",
           "empty_like", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "CreationMethods"]


def _finish(array, dtype, device, requires_grad, copy):
    """The tensor over ``array`` (converted to ``dtype``, moved to ``device``, copied if asked
    and not already new), with torch's check for ``requires_grad``."""
    from ._tensor import Tensor
    if dtype is not None and array.dtype != dtype.np:
        with np.errstate(all="ignore"):  # overflow gives inf, silently as in torch
            array = array.astype(dtype.np)
        copy = False
    device = as_device(device)
    if device.type != "cpu":
        array = to_device(array, device)
        copy = False
    if copy:
        array = array.copy()
    t = Tensor._make(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._requires_grad = True
    return t


# Python number types that name a dtype where torch takes one (``dtype=float`` is float64)
_PYTHON_DTYPES = {float: _dtype.float64, int: _dtype.int64, bool: _dtype.bool_}


def _resolve_dtype(d, where=None):
    """A ``dtype=`` argument as a gradstep dtype: a dtype, or Python's float/int/bool."""
    if isinstance(d, _dtype.dtype):
        return d
    if isinstance(d, type) and d in _PYTHON_DTYPES:
        return _PYTHON_DTYPES[d]
    prefix = f"{where}(): argument" if where else "argument"
    # a string or a NumPy dtype is refused, as torch refuses it
    raise TypeError(f"{prefix} 'dtype' must be torch.dtype, not {_qualified_type_name(d)}")


def _qualified_type_name(value):
    cls = type(value)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"


def _optional_dtype(dtype, where):
    return None if dtype is None else _resolve_dtype(dtype, where)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    r"""Construct a tensor by copying ``data`` (a number, nested sequence, array or tensor).

    The dtype is inferred as torch does: Python floats give the default dtype (float32), ints
    int64, bools bool; NumPy arrays, NumPy scalars and tensors inside ``data`` keep theirs, and
    mixed elements promote (``[np.float16(1), 2]`` is float16). Each number is checked against
    the dtype: ``tensor([300], dtype=torch.uint8)`` is torch's overflow error, not a wrap.

    Example::

        >>> import gradstep as torch
        >>> torch.tensor([1., 2.], requires_grad=True)
        tensor([1., 2.], requires_grad=True)
    """
    from ._tensor import Tensor
    dtype = _optional_dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        array = data._data
        if device is None and data.device.type != "cpu":
            device = data.device
        array = to_device(array, "cpu") if device is None or as_device(device).type == "cpu" \
            else array
    else:
        array = data_to_array(data, dtype)
    return _finish(array, dtype, device, requires_grad, copy=True)


def as_tensor(data, dtype=None, device=None):
    """Convert ``data`` to a tensor, sharing memory with a NumPy array or tensor where it can."""
    from ._tensor import Tensor
    dtype = _optional_dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):
        if (dtype is None or dtype == data.dtype) and \
                (device is None or as_device(device) == data.device):
            return data
        return data.to(device=device, dtype=dtype)
    _warn_if_not_writable(data)
    return _finish(data_to_array(data, dtype), dtype, device, False, copy=False)


_NOT_WRITABLE = (
    "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. "
    "This means writing to this tensor will result in undefined behavior. You may want to copy "
    "the array to protect its data or make it writable before converting it to a tensor. This "
    "type of warning will be suppressed for the rest of this program. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/utils/tensor_numpy.cpp:213.)")


def from_numpy(array):
    """A tensor sharing memory with the NumPy ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {_qualified_type_name(array)})")
    from ._tensor import Tensor
    check_strides(array)
    _dtype.from_numpy_dtype(array.dtype)
    _warn_if_not_writable(array)
    return Tensor._make(array)


def _warn_if_not_writable(data):
    """torch's warning for a read-only NumPy array it wraps (``from_numpy``, ``as_tensor``, the
    legacy constructors; ``tensor`` copies and is silent), once per process."""
    if isinstance(data, np.ndarray) and not data.flags.writeable:
        warn_once_at_caller(_NOT_WRITABLE)




def _options(d, device):
    return (f"TensorOptions(dtype={cpp_type_name(d.np)}, device={device}, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def _legacy_from_tensor(source, default_dtype, typed):
    """``FloatTensor(t)`` aliases ``t`` (a view recorded as AliasBackward0); a typed constructor
    refuses a tensor of another dtype, the generic ``Tensor(t)`` takes any."""
    from ._ops.shape import Alias
    if typed and source._data.dtype != default_dtype.np:
        raise TypeError(f"expected {_options(default_dtype, source.device)} "
                        f"(got {_options(source.dtype, source.device)})")
    return Alias.apply(source, source._data.shape)


def legacy_new(cls, default_dtype, args, kwargs, typed=True):
    """``Tensor(...)``/``FloatTensor(...)``/``t.new(...)``: data gives a copy converted to the
    type's dtype (a NumPy array already of that dtype is shared), ints give a shape
    (zero-filled), a tensor gives an alias.

    ``typed`` is False for the generic ``Tensor(...)``, which accepts a tensor of any dtype.
    """
    from ._tensor import Tensor
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"{tuple(kwargs)}")
    xp = array_module(device)
    if not args:
        array = xp.empty((0,), default_dtype.np)
    elif len(args) == 1 and isinstance(args[0], Size):
        array = xp.zeros(parse_size(args, "new"), default_dtype.np)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        return _legacy_from_tensor(args[0], default_dtype, typed)
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if not (is_sequence(data) or hasattr(data, "__array__")):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        _warn_if_not_writable(data)
        # a NumPy array of the type's dtype is shared, as torch shares it; other data is copied
        array = to_device(data_to_array(data, default_dtype), as_device(device))
    else:
        if not all(isinstance(a, (int, np.integer)) for a in args):
            raise TypeError("new() received an invalid combination of arguments")
        array = xp.zeros(parse_size(args, "new"), default_dtype.np)
    t = object.__new__(cls)
    t._data = array
    return t


# ----- sizes, dtypes, finishing -----

def parse_size(args, name, kwargs_size=None, negative_message=None):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(Size)`` or ``f(size=...)`` as int tuple.

    A negative size is torch's "negative dimension" error, or ``negative_message`` when the
    function words it its own way (``zeros``).
    """
    if not args and kwargs_size is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if kwargs_size is not None:
        if args:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        args = (kwargs_size,)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        size = args[0]
        for i, d in enumerate(size):
            if not _is_int(d):
                raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                                f"{i + 1} with error \"type must be tuple of ints,but got "
                                f"{type(d).__name__}\"")
    else:
        size = args
        for i, d in enumerate(size):
            if not _is_int(d):
                if i == 0 and len(size) == 1:
                    raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of "
                                    f"ints, not {type(d).__name__}")
                raise TypeError(f"{name}(): argument 'size' must be tuple of ints, but found "
                                f"element of type {type(d).__name__} at pos {i}")
    size = tuple(int(d) for d in size)
    for d in size:
        if d < 0:
            raise RuntimeError(negative_message or f"Trying to create tensor with negative "
                                                   f"dimension {d}: {list(size)}")
    return size


def _is_int(d):
    if isinstance(d, (bool, np.bool_)):
        return False
    if isinstance(d, (int, np.integer)):
        return True
    return hasattr(d, "_data") and d._data.ndim == 0 and d._data.dtype.kind in "iu"


def make(array, requires_grad=False):
    """Wrap a freshly allocated array, honouring ``requires_grad`` with torch's factory check."""
    from ._tensor import Tensor
    t = Tensor._make(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._requires_grad = True
    return t


def _dtype_or_default(dtype, where=None):
    return _dtype.get_default_dtype() if dtype is None else _resolve_dtype(dtype, where)


def _is_number(value):
    """Whether torch takes ``value`` where it expects a Number (a one-element tensor counts)."""
    if type(value) in _PYTHON_NUMBERS:
        return True
    if hasattr(value, "_data"):
        return value._data.size == 1
    return isinstance(value, (numbers.Real, np.bool_)) and not isinstance(value, np.ndarray)


def _scalar(value):
    """A Number argument as a Python number (NumPy scalars and tensors unwrapped)."""
    if hasattr(value, "_data"):
        return value._data.item()
    return value.item() if isinstance(value, np.generic) else value


def _fill_value(value, where):
    """``fill_value`` as a Python number; a tensor must be 0-dim and outside autograd."""
    if hasattr(value, "_data"):
        if value._data.ndim or value._requires_grad:
            raise TypeError(f"{where}(): argument 'fill_value' (position 2) must be Number, not "
                            "Tensor")
        return value._data.item()
    if not _is_number(value):
        raise TypeError(f"{where}(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(value).__name__}")
    return _scalar(value)


def _fill_dtype(value):
    """The dtype ``full`` infers from its fill value: bool for a bool (or bool tensor), int64 for
    an integer (NumPy's and integer tensors too), else the default float (NumPy's bool too)."""
    if hasattr(value, "_data"):
        kind = value._data.dtype.kind
    else:
        kind = "b" if isinstance(value, bool) else \
            "i" if isinstance(value, (numbers.Integral, np.integer)) and \
            not isinstance(value, np.bool_) else "f"
    return {"b": _dtype.bool_, "i": _dtype.int64, "u": _dtype.int64}.get(
        kind, _dtype.get_default_dtype())


def _filled(xp, shape, value, d):
    from ._ops._util import fill_array
    return xp.full(shape, fill_array(value, d.np), d.np)


_PYTHON_NUMBERS = (int, float, bool)


# ----- filled tensors -----

def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs):
    r"""A tensor of zeros of the given size (varargs or one sequence).

    Example::

        >>> import gradstep as torch
        >>> torch.zeros(2, 3).shape
        torch.Size([2, 3])
    """
    shape = parse_size(size, "zeros", kwargs.pop("size", None),
                       negative_message="zeros: Dimension size must be non-negative.")
    xp = array_module(device)
    return _out(make(xp.zeros(shape, _dtype_or_default(dtype, "zeros").np), requires_grad), out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None, **kwargs):
    """A tensor of ones of the given size."""
    shape = parse_size(size, "ones", kwargs.pop("size", None))
    xp = array_module(device)
    return _out(make(xp.ones(shape, _dtype_or_default(dtype, "ones").np), requires_grad), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs):
    """An uninitialised tensor of the given size (gradstep fills it with zeros)."""
    shape = parse_size(size, "empty", kwargs.pop("size", None))
    xp = array_module(device)
    return _out(make(xp.zeros(shape, _dtype_or_default(dtype, "empty").np), requires_grad), out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    r"""A tensor of ``size`` filled with ``fill_value``; the dtype is inferred from the value
    (bool, int64, or the default float) unless given. A value the dtype cannot hold is torch's
    overflow error (a negative int wraps into an unsigned type, as in torch).

    Example::

        >>> import gradstep as torch
        >>> torch.full((2,), 1).dtype, torch.full((2,), 1.).dtype
        (torch.int64, torch.float32)
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = parse_size((size,), "full")
    value = _fill_value(fill_value, "full")
    d = _resolve_dtype(dtype, "full") if dtype is not None else _fill_dtype(fill_value)
    return _out(make(_filled(array_module(device), shape, value, d), requires_grad), out)


def _eye_size(value, name, position):
    """``n``/``m`` of ``eye``: an int (a NumPy integer or an integer tensor of one element too)."""
    if not _is_int(value):
        if position == 1:
            raise TypeError(f"eye(): argument 'n' (position 1) must be int, not "
                            f"{type(value).__name__}")
        raise TypeError(f"eye() received an invalid combination of arguments - got (int, "
                        f"{type(value).__name__}), but expected one of:\n"
                        " * (int n, *, Tensor out = None, torch.dtype dtype = None, torch.layout "
                        "layout = None, torch.device device = None, bool pin_memory = False, bool "
                        "requires_grad = False)\n"
                        " * (int n, int m, *, Tensor out = None, torch.dtype dtype = None, "
                        "torch.layout layout = None, torch.device device = None, bool pin_memory "
                        "= False, bool requires_grad = False)\n")
    value = int(value)
    if value < 0:
        raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    return value


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """A 2-D tensor with ones on the diagonal: ``n`` rows, ``m`` (default ``n``) columns."""
    n = _eye_size(n, "n", 1)
    m = n if m is None else _eye_size(m, "m", 2)
    xp = array_module(device)
    d = _dtype_or_default(dtype, "eye")
    return _out(make(xp.eye(n, m, dtype=d.np), requires_grad), out)


# ----- ranges -----

_ARANGE_EXPECTED = (
    " * (Number end, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
    " * (Number start, Number end, *, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
    " * (Number start, Number end, Number step = 1, *, Tensor out = None, torch.dtype dtype = "
    "None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n")


def _arange_numbers(start, end, step, one_argument):
    """arange's bounds as Python numbers, or torch's TypeError for a non-number."""
    given = (end,) if one_argument else (start, end, step)
    if all(_is_number(v) for v in given):
        return _scalar(start), _scalar(end), _scalar(step)
    if one_argument:
        raise TypeError(f"arange(): argument 'end' (position 1) must be Number, not "
                        f"{type(end).__name__}")
    shown = given if not (type(step) is int and step == 1) else given[:2]
    got = ", ".join("Tensor" if hasattr(v, "_data") else type(v).__name__ for v in shown)
    raise TypeError(f"arange() received an invalid combination of arguments - got ({got}), but "
                    f"expected one of:\n{_ARANGE_EXPECTED}")


def _is_integral(v):
    """Whether an arange bound is an integer (bools and NumPy's integers too)."""
    return type(v) is int or type(v) is bool or \
        isinstance(v, (numbers.Integral, np.integer, np.bool_))


def _check_arange(start, end, step):
    """torch's checks of arange's bounds, made on their double values."""
    start, end, step = float(start), float(end), float(step)
    if not (math.isfinite(start) and math.isfinite(end)):
        # torch prints the bounds as C++ streams print doubles (%g)
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")


def _int64_bound(v):
    """A bound of an integer arange as int64 (truncated toward zero), or torch's overflow error."""
    value = int(v)
    if not -2 ** 63 <= value < 2 ** 63:
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    return value


def _integer_arange(start, end, step, d):
    """arange in integer dtype ``d``: the bounds are truncated to integers, and the values are
    ``start + i * step`` in int64, wrapped into ``d``.

    The length is counted from the integer bounds for int64 (a step truncated to 0 is an
    error), but from the double bounds for the smaller types, as torch counts them: so
    ``arange(-2.5, 2.5, dtype=torch.int32)`` has five elements, ``arange(0, 2.5, 0.5,
    dtype=torch.int32)`` five zeros.
    """
    exact = all(_is_integral(v) for v in (start, end, step))
    if exact:
        start, end, step = int(start), int(end), int(step)
    _check_arange(start, end, step)
    s, e, t = _int64_bound(start), _int64_bound(end), _int64_bound(step)
    if exact or d is _dtype.int64:
        if t == 0:
            raise ValueError("step must be nonzero")
        n = max(0, -((s - e) // t))
    else:
        n = max(0, math.ceil((float(end) - float(start)) / float(step)))
    values = np.arange(n, dtype=np.int64)  # int64 arithmetic wraps silently, as torch's
    if t != 1:
        values *= t
    if s:
        values += s
    return values if d is _dtype.int64 else values.astype(d.np)


# torch's arange kernel computes blocks of VEC values as vectors: block base = start + step*i
# (fused) rounded to the output dtype, then lane j = base + j*step (fused); the tail of each
# thread's range (fewer than 2*VEC values) is start + step*i (fused). Arithmetic runs in the
# accumulation type: double for float32/float64, float for float16. VEC is the AVX2 vector length
# (what torch's CPU build uses for this kernel on AVX2 and AVX512 machines alike).
_ARANGE_VEC = {np.dtype(np.float16): (16, np.dtype(np.float32)),
               np.dtype(np.float32): (8, np.dtype(np.float64)),
               np.dtype(np.float64): (4, np.dtype(np.float64))}
_GRAIN = 32768  # torch's parallel_for grain: above it, the range splits into per-thread chunks


def _float_arange(start, end, step, d):
    _check_arange(start, end, step)
    start, end, step = float(start), float(end), float(step)
    size = math.ceil((end - start) / step)
    if not size < 2 ** 63:
        raise RuntimeError("invalid size, possible overflow?")
    n = max(0, int(size))
    vec, work = _ARANGE_VEC[d.np]
    s, t = work.type(start), work.type(step)
    i = np.arange(n)
    threads = max(1, min(get_num_threads(), -(-n // _GRAIN)))
    chunk = max(1, -(-n // threads))
    first = i // chunk * chunk                  # each thread's first index
    k = i - first
    count = np.minimum(n, first + chunk) - first
    in_vector = k < count // (2 * vec) * (2 * vec)
    base = fma(t, (first + k // vec * vec).astype(work), s, work).astype(d.np).astype(work)
    lane = fma((k % vec).astype(work), t, base, work)
    tail = fma(t, i.astype(work), s, work)
    return np.where(in_vector, lane, tail).astype(d.np)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    r"""Values from ``start`` to ``end`` (exclusive) spaced by ``step``.

    The dtype is int64 when every argument is an integer (bools too), else the default float
    dtype; the length is ``ceil((end - start) / step)`` computed in double precision, as torch
    does. An integer ``dtype`` truncates float bounds toward zero (see ``_integer_arange``).

    Example::

        >>> import gradstep as torch
        >>> torch.arange(1, 2.5, 0.5).tolist()
        [1.0, 1.5, 2.0]
    """
    one_argument = end is None
    if one_argument:
        start, end = 0, start
    start, end, step = _arange_numbers(start, end, step, one_argument)
    if dtype is None:
        all_int = all(_is_integral(v) for v in (start, end, step))
        d = _dtype.int64 if all_int else _dtype.get_default_dtype()
    else:
        d = _resolve_dtype(dtype, "arange")
    if d is _dtype.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if d._category == 1:
        array = _integer_arange(start, end, step, d)
    else:
        array = _float_arange(start, end, step, d)
    xp = array_module(device)
    array = array if xp is np else xp.asarray(array)
    return _out(make(array, requires_grad), out)


def _linspace_values(start, end, steps, d, fused=True):
    """torch's symmetric linspace: the first half counts up from start (``start + step*i``), the
    second down from end (``end - step*(steps-1-i)``).

    float32 and float64 compute in their own precision, each value with a fused multiply-add
    (``fused=False``: rounded twice, as logspace's exponents are); float16 rounds every operation
    to half; an integer dtype first truncates ``start`` and ``end`` toward zero, then computes in
    double (fused) and truncates the values.
    """
    if d._category == 1:
        start, end = int(start), int(end)
    if steps == 0:
        return np.zeros((0,), d.np)
    if steps == 1:
        return np.full((1,), start).astype(d.np)
    work = d.np if d._category == 2 else np.dtype(np.float64)
    s, e = work.type(start), work.type(end)
    step = (e - s) / work.type(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    up, down = i[:half].astype(work), (steps - 1 - i[half:]).astype(work)
    if fused and work != np.float16:
        lo, hi = fma(step, up, s, work), fma(-step, down, e, work)
    else:
        lo, hi = s + step * up, e - step * down
    return np.concatenate([lo, hi]).astype(d.np)


# C's pow (correctly rounded in practice) as a ufunc: NumPy's own power may use SIMD code that
# differs in the last bit; torch's logspace calls the C library's.
_c_pow = np.frompyfunc(lambda x, y: _pow(x, y), 2, 1)


def _pow(x, y):
    try:
        return math.pow(x, y)
    except OverflowError:
        return math.inf if x > 0 or y % 2 != 1 else -math.inf
    except ValueError:  # a negative base to a fractional power, or zero to a negative power
        return math.nan if x != 0 else (math.copysign(math.inf, x) if y % 2 == 1 else math.inf)


_LINSPACE_EXPECTED = (
    " * (Tensor start, Tensor end, int steps, *, Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n"
    " * (Number start, Tensor end, int steps, *, Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n"
    " * (Tensor start, Number end, int steps, *, Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n"
    " * (Number start, Number end, int steps, *, Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n")


def _check_steps(start, end, steps, name, dtype):
    """``steps`` as an int (an integer tensor of one element too), and the dtype to use."""
    if not _is_int(steps):
        got = ", ".join("Tensor" if hasattr(v, "_data") else type(v).__name__
                        for v in (start, end, steps))
        expected = _LINSPACE_EXPECTED
        if name == "logspace":
            expected = expected.replace("int steps,", "int steps, float base = 10.0,")
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:\n{expected}")
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    d = _dtype_or_default(dtype, name)
    if d is _dtype.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    return steps, d


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive (an integer dtype
    truncates ``start`` and ``end`` first)."""
    steps, d = _check_steps(start, end, steps, "linspace", dtype)
    array = _linspace_values(_scalar(start), _scalar(end), steps, d)
    xp = array_module(device)
    return _out(make(array if xp is np else xp.asarray(array), requires_grad), out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """``base ** linspace(start, end, steps)``; an integer dtype truncates ``start`` and ``end``
    (not the exponents between them) first, as torch does."""
    steps, d = _check_steps(start, end, steps, "logspace", dtype)
    start, end = _scalar(start), _scalar(end)
    if d._category == 1:
        start, end = int(start), int(end)
    exps = _linspace_values(start, end, steps, _dtype.float64, fused=False)
    with np.errstate(over="ignore", invalid="ignore"):
        if d is _dtype.float64 or d._category == 1:
            array = _c_pow(float(base), exps).astype(np.float64).astype(d.np)
        else:  # torch's float32/float16 logspace rounds differently: not yet matched bit for bit
            array = np.power(float(base), exps).astype(d.np)
    xp = array_module(device)
    return _out(make(array if xp is np else xp.asarray(array), requires_grad), out)


# ----- *_like -----

def _like(input, dtype, device, where):
    """``input``'s dtype and device unless given, after torch's check that it is a tensor."""
    if not hasattr(input, "_data") or not hasattr(input, "_grad_fn"):
        raise TypeError(f"{where}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_qualified_type_name(input)}")
    d = input.dtype if dtype is None else _resolve_dtype(dtype, where)
    dev = input.device if device is None else as_device(device)
    return d, dev


def _filled_like(input, d, dev, memory_format, where, fill):
    """An array of ``input``'s shape, in ``memory_format`` (default: ``input``'s own memory
    order, as torch's ``preserve_format``), holding ``fill``: "zeros", "ones", or a checked 0-dim
    fill array."""
    array = empty_like_layout(input._data, d.np, memory_format, where) \
        if dev == input.device else None
    if array is None:  # C order: NumPy's own allocators
        xp, shape = array_module(dev), input._data.shape
        return getattr(xp, fill)(shape, d.np) if isinstance(fill, str) else \
            xp.full(shape, fill, d.np)
    if not isinstance(fill, str):
        array[...] = fill
    elif fill == "ones":
        array[...] = 1
    return array


def like_layout(values, input, memory_format=None, where="empty_like"):
    """``values`` (a new C-ordered array of ``input``'s shape) in ``input``'s memory order, or
    in ``memory_format``: what the random ``*_like`` factories return."""
    array = empty_like_layout(input._data, values.dtype, memory_format, where) \
        if isinstance(values, np.ndarray) else None
    if array is None:
        return values
    array[...] = values
    return array


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with ``input``'s shape (and dtype, device and memory order unless given)."""
    d, dev = _like(input, dtype, device, "zeros_like")
    return make(_filled_like(input, d, dev, memory_format, "zeros_like", "zeros"), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with ``input``'s shape (and dtype, device and memory order unless given)."""
    d, dev = _like(input, dtype, device, "ones_like")
    return make(_filled_like(input, d, dev, memory_format, "ones_like", "ones"), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised (zero-filled) tensor with ``input``'s shape."""
    d, dev = _like(input, dtype, device, "empty_like")
    return make(_filled_like(input, d, dev, memory_format, "empty_like", "zeros"), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``fill_value`` in ``input``'s shape (and dtype, device and memory order unless given)."""
    from ._ops._util import fill_array
    d, dev = _like(input, dtype, device, "full_like")
    value = fill_array(_fill_value(fill_value, "full_like"), d.np)
    return make(_filled_like(input, d, dev, memory_format, "full_like", value), requires_grad)


# ----- legacy typed constructors -----

class _LegacyType(type):
    """``FloatTensor(...)`` builds a float32 Tensor; ``isinstance(t, FloatTensor)`` checks dtype."""

    def __call__(cls, *args, **kwargs):
        from ._tensor import Tensor
        return legacy_new(Tensor, cls.dtype, args, dict(kwargs))

    def __instancecheck__(cls, obj):
        data = getattr(obj, "_data", None)
        return data is not None and hasattr(obj, "_grad_fn") and data.dtype == cls.dtype.np \
            and obj.device.type == "cpu"

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name, d):
    return _LegacyType(name, (), {"dtype": d, "__doc__": f"Legacy constructor of {d} tensors.",
                                  "__module__": "gradstep"})


def legacy_class_dtype(cls):
    """The dtype a legacy class stands for in ``Tensor.type(cls)``: ``IntTensor`` int32,
    ``Tensor`` the default dtype; None for any other class."""
    from ._tensor import Tensor
    if isinstance(cls, _LegacyType):
        return cls.dtype
    return _dtype.get_default_dtype() if cls is Tensor else None


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
LongTensor = _legacy("LongTensor", _dtype.int64)
IntTensor = _legacy("IntTensor", _dtype.int32)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
CharTensor = _legacy("CharTensor", _dtype.int8)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
BoolTensor = _legacy("BoolTensor", _dtype.bool_)


# ----- Tensor.new_* -----

class CreationMethods:
    """``Tensor.new_zeros`` and friends: dtype and device default to the tensor's own."""

    def new(self, *args, **kwargs):
        """The legacy constructor with this tensor's dtype and device: ``t.new(2, 3)`` (zeros
        here), ``t.new([1, 2])`` (data converted to ``t``'s dtype), ``t.new()`` (empty)."""
        from ._tensor import Tensor
        kwargs.setdefault("device", self.device)
        return legacy_new(Tensor, _dtype.FROM_NP[self._data.dtype], args, kwargs)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False, **kwargs):
        shape = parse_size(size, "new_zeros", kwargs.pop("size", None))
        d, dev = _new_dtype_device(self, dtype, device, "new_zeros")
        return make(array_module(dev).zeros(shape, d.np), requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False, **kwargs):
        shape = parse_size(size, "new_ones", kwargs.pop("size", None))
        d, dev = _new_dtype_device(self, dtype, device, "new_ones")
        return make(array_module(dev).ones(shape, d.np), requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False, **kwargs):
        shape = parse_size(size, "new_empty", kwargs.pop("size", None))
        d, dev = _new_dtype_device(self, dtype, device, "new_empty")
        return make(array_module(dev).zeros(shape, d.np), requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
                 layout=None, pin_memory=False):
        shape = parse_size((size,) if isinstance(size, (tuple, list)) else (size,), "new_full")
        d, dev = _new_dtype_device(self, dtype, device, "new_full")
        value = _fill_value(fill_value, "new_full")
        return make(_filled(array_module(dev), shape, value, d), requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False):
        d, dev = _new_dtype_device(self, dtype, device, "new_tensor")
        if hasattr(data, "_data"):
            warnings.warn("To copy construct from a tensor, it is recommended to use "
                          "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                          "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                          UserWarning, stacklevel=2)
            array = to_device(data._data, "cpu")
        else:
            array = data_to_array(data, d)
        return _finish(array, d, dev, requires_grad, copy=True)


def _new_dtype_device(self, dtype, device, where):
    d = _dtype.FROM_NP[self._data.dtype] if dtype is None else _resolve_dtype(dtype, where)
    dev = self.device if device is None else as_device(device)
    return d, dev
