"""Tensor creation: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled (``zeros``,
``ones``, ``full``, ``empty``, ``eye``), ranges (``arange``, ``linspace``, ``logspace``), the
``*_like`` and ``Tensor.new_*`` forms, and the legacy typed constructors (``FloatTensor``...).

Sizes are given as varargs or one sequence, as in torch. Every array comes from
``array_module(device)``, so a CUDA backend needs no change here. (Random creation lives in
``_random``, the only owner of randomness.)
"""
import numbers
import warnings

import numpy as np

from . import _dtype
from ._backend import array_module, to_device
from ._device import as_device
from ._size import Size
from ._ops._util import write_out as _out

__all__ = ["tensor", "as_tensor", "from_numpy", "legacy_new", "zeros", "ones", "full", "empty",
           "eye", "arange", "linspace", "logspace", "zeros_like", "ones_like", "full_like",
           "empty_like", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "CreationMethods"]


def _infer(data):
    """The gradstep dtype torch infers for Python/NumPy ``data`` (None: keep the array's)."""
    if isinstance(data, np.ndarray):
        return None
    if isinstance(data, (bool, np.bool_)):
        return _dtype.bool_
    if isinstance(data, (np.integer, np.floating)):
        return _dtype.FROM_NP.get(np.dtype(type(data)))
    if isinstance(data, numbers.Integral):
        return _dtype.int64
    if isinstance(data, numbers.Real):
        return _dtype.get_default_dtype()
    return None


def _to_array(data, target=None):
    """Nested sequences of numbers, arrays and tensors as one NumPy array, dtype as torch infers.

    With a ``target`` NumPy dtype, Python numbers are converted to it directly (a Python float
    becomes a float64 element, not a float32 one widened).
    """
    from ._tensor import Tensor
    if isinstance(data, Tensor):
        return data._host()
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, (list, tuple)):
        if any(isinstance(x, Tensor) for x in data):
            parts = [_to_array(x, target) for x in data]
            return np.stack(parts) if parts else np.zeros((0,), np.float32)
        kinds = set()
        _scan(data, kinds)
        array = np.array(data)
        if array.dtype == object:
            raise ValueError("expected sequence of equal-length lists (ragged nested sequence)")
        if target is not None:
            with np.errstate(all="ignore"):
                return array.astype(target, copy=False)
        with np.errstate(all="ignore"):
            return _list_array(array, kinds)
    d = _infer(data)
    if d is None:
        if hasattr(data, "__array__"):
            return np.asarray(data)
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    with np.errstate(all="ignore"):  # 1e300 as float32 is inf, silently as in torch
        if target is not None:
            return np.asarray(data).astype(target)
        return np.asarray(data, dtype=d.np)


def _list_array(array, kinds):
    """The array of a nested list in the dtype torch infers from the ``kinds`` of its scalars."""
    if not kinds or "f" in kinds and "np" not in kinds:
        return array.astype(_dtype.get_default_dtype().np)
    if "np" in kinds:
        return array
    if "i" in kinds:
        return array.astype(np.int64)
    return array.astype(np.bool_)


def _scan(seq, kinds):
    """Collect which kinds of scalars a nested list holds: bool 'b', int 'i', float 'f'."""
    for x in seq:
        if isinstance(x, (list, tuple)):
            _scan(x, kinds)
        elif isinstance(x, (bool, np.bool_)):
            kinds.add("b")
        elif isinstance(x, (np.integer, np.floating, np.ndarray)):
            kinds.add("np")
        elif isinstance(x, numbers.Integral):
            kinds.add("i")
        elif isinstance(x, numbers.Real):
            kinds.add("f")
        else:
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _finish(array, dtype, device, requires_grad, copy):
    from ._tensor import Tensor
    if dtype is not None:
        dtype = _resolve_dtype(dtype)
        if array.dtype != dtype.np:
            with np.errstate(all="ignore"):  # overflow gives inf, silently as in torch
                array = array.astype(dtype.np)
            copy = False
    elif array.dtype not in _dtype.FROM_NP:
        _dtype.from_numpy_dtype(array.dtype)  # raises torch's TypeError
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


def _resolve_dtype(d):
    if isinstance(d, _dtype.dtype):
        return d
    if d in (float, "float"):
        return _dtype.float64 if d is float else _dtype.float32
    if d is int:
        return _dtype.int64
    if d is bool:
        return _dtype.bool_
    try:
        return _dtype.FROM_NP[np.dtype(d)]
    except (TypeError, KeyError):
        raise TypeError(f"invalid dtype: {d!r}") from None


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    r"""Construct a tensor by copying ``data`` (a number, nested sequence, array or tensor).

    The dtype is inferred as torch does: Python floats give the default dtype (float32), ints
    int64, bools bool; NumPy arrays keep theirs.

    Example::

        >>> import gradstep as torch
        >>> torch.tensor([1., 2.], requires_grad=True)
        tensor([1., 2.], requires_grad=True)
    """
    from ._tensor import Tensor
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
        array = _to_array(data, None if dtype is None else _resolve_dtype(dtype).np)
    return _finish(array, dtype, device, requires_grad, copy=True)


def as_tensor(data, dtype=None, device=None):
    """Convert ``data`` to a tensor, sharing memory with a NumPy array or tensor where it can."""
    from ._tensor import Tensor
    if isinstance(data, Tensor):
        if (dtype is None or _resolve_dtype(dtype) == data.dtype) and \
                (device is None or as_device(device) == data.device):
            return data
        return data.to(device=device, dtype=dtype)
    return _finish(_to_array(data, None if dtype is None else _resolve_dtype(dtype).np), dtype,
                   device, False, copy=False)


def from_numpy(array):
    """A tensor sharing memory with the NumPy ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from ._tensor import Tensor
    _dtype.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def legacy_new(cls, default_dtype, args, kwargs):
    """``Tensor(...)``/``FloatTensor(...)``: data gives a copy, ints give an uninitialised shape."""
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
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, (tuple, list, Tensor)) or hasattr(data, "__array__"):
            if hasattr(data, "_data"):
                array = data._data.astype(default_dtype.np)
            else:
                array = np.asarray(_to_array(data, default_dtype.np)).astype(default_dtype.np)
            array = to_device(array, as_device(device))
        else:
            if isinstance(data, str):
                raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    else:
        if not all(isinstance(a, (int, np.integer)) for a in args):
            raise TypeError("new() received an invalid combination of arguments")
        array = xp.zeros(parse_size(args, "new"), default_dtype.np)
    t = object.__new__(cls)
    t._data = array
    return t


# ----- sizes, dtypes, finishing -----

def parse_size(args, name, kwargs_size=None):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(Size)`` or ``f(size=...)`` as int tuple."""
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
            raise RuntimeError(f"Trying to create tensor with negative dimension {d}: "
                               f"{list(size)}")
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


def _dtype_or_default(dtype):
    return _dtype.get_default_dtype() if dtype is None else _resolve_dtype(dtype)


def _fill_dtype(value):
    """The dtype ``full`` infers from its fill value: bool, int64 or the default float."""
    if hasattr(value, "_data"):
        return _dtype.FROM_NP[value._data.dtype] if value._data.dtype.kind != "f" \
            else _dtype.get_default_dtype()
    d = _infer(value)
    if d is None:
        raise TypeError(f"full(): argument 'fill_value' must be Number, not {type(value).__name__}")
    return d if d._category < 2 else _dtype.get_default_dtype()


def _scalar(value):
    return value._data.item() if hasattr(value, "_data") else value



# ----- filled tensors -----

def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs):
    r"""A tensor of zeros of the given size (varargs or one sequence).

    Example::

        >>> import gradstep as torch
        >>> torch.zeros(2, 3).shape
        torch.Size([2, 3])
    """
    shape = parse_size(size, "zeros", kwargs.pop("size", None))
    xp = array_module(device)
    return _out(make(xp.zeros(shape, _dtype_or_default(dtype).np), requires_grad), out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None, **kwargs):
    """A tensor of ones of the given size."""
    shape = parse_size(size, "ones", kwargs.pop("size", None))
    xp = array_module(device)
    return _out(make(xp.ones(shape, _dtype_or_default(dtype).np), requires_grad), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs):
    """An uninitialised tensor of the given size (gradstep fills it with zeros)."""
    shape = parse_size(size, "empty", kwargs.pop("size", None))
    xp = array_module(device)
    return _out(make(xp.zeros(shape, _dtype_or_default(dtype).np), requires_grad), out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    r"""A tensor of ``size`` filled with ``fill_value``; the dtype is inferred from the value
    (bool, int64, or the default float) unless given.

    Example::

        >>> import gradstep as torch
        >>> torch.full((2,), 1).dtype, torch.full((2,), 1.).dtype
        (torch.int64, torch.float32)
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = parse_size((size,), "full")
    d = _resolve_dtype(dtype) if dtype is not None else _fill_dtype(fill_value)
    xp = array_module(device)
    from ._ops._util import fill_array
    value = fill_array(_scalar(fill_value), d.np)
    return _out(make(xp.full(shape, value, d.np), requires_grad), out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """A 2-D tensor with ones on the diagonal: ``n`` rows, ``m`` (default ``n``) columns."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is None:
        m = n
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    xp = array_module(device)
    return _out(make(xp.eye(int(n), int(m), dtype=_dtype_or_default(dtype).np), requires_grad),
                out)


# ----- ranges -----

def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    r"""Values from ``start`` to ``end`` (exclusive) spaced by ``step``.

    The dtype is int64 when every argument is an integer, else the default float dtype; the
    length is ``ceil((end - start) / step)`` computed in double precision, as torch does.

    Example::

        >>> import gradstep as torch
        >>> torch.arange(1, 2.5, 0.5).tolist()
        [1.0, 1.5, 2.0]
    """
    if end is None:
        start, end = 0, start
    start, end, step = _scalar(start), _scalar(end), _scalar(step)
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                      for v in (start, end, step))
        d = _dtype.int64 if all_int else _dtype.get_default_dtype()
    else:
        d = _resolve_dtype(dtype)
    if d is _dtype.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if d._category == 1 and all(isinstance(v, (int, np.integer)) for v in (start, end, step)):
        if step == 0:
            raise RuntimeError("step must be nonzero")
        if (end - start) * step < 0 and end != start:
            raise RuntimeError("upper bound and lower bound inconsistent with step sign")
        n = max(0, -((start - end) // step))
        array = (np.arange(n, dtype=np.int64) * step + start).astype(d.np)
    else:
        if d._category == 1:
            start, end, step = int(start), int(end), int(step)
            if step == 0:
                raise ValueError("step must be nonzero")
        if step == 0:
            raise RuntimeError("step must be nonzero")
        for v in (start, end):
            if not np.isfinite(v):
                raise RuntimeError(f"unsupported range: {start} -> {end}")
        if (end - start) * step < 0 and end != start:
            raise RuntimeError("upper bound and lower bound inconsistent with step sign")
        n = max(0, int(np.ceil((float(end) - float(start)) / float(step))))
        array = (np.arange(n, dtype=np.float64) * float(step) + float(start)).astype(d.np)
    xp = array_module(device)
    array = array if xp is np else xp.asarray(array)
    return _out(make(array, requires_grad), out)


def _linspace_values(start, end, steps, d):
    """torch's symmetric linspace: the first half counts up from start, the second down from end."""
    if steps == 0:
        return np.zeros((0,), d.np)
    if steps == 1:
        return np.full((1,), start).astype(d.np)
    work = d.np if d._category == 2 else np.dtype(np.float64)
    s, e = work.type(start), work.type(end)
    step = (e - s) / work.type(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    lo = s + step * i[:half].astype(work)
    hi = e - step * (steps - 1 - i[half:]).astype(work)
    return np.concatenate([lo, hi]).astype(d.np)


def _check_steps(steps, name):
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"{name}(): argument 'steps' (position 3) must be int, not "
                        f"{type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive."""
    _check_steps(steps, "linspace")
    d = _dtype_or_default(dtype)
    array = _linspace_values(_scalar(start), _scalar(end), int(steps), d)
    xp = array_module(device)
    return _out(make(array if xp is np else xp.asarray(array), requires_grad), out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """``base ** linspace(start, end, steps)``."""
    _check_steps(steps, "logspace")
    d = _dtype_or_default(dtype)
    exps = _linspace_values(_scalar(start), _scalar(end), int(steps), _dtype.float64)
    array = np.power(float(base), exps).astype(d.np)
    xp = array_module(device)
    return _out(make(array if xp is np else xp.asarray(array), requires_grad), out)


# ----- *_like -----

def _like(input, dtype, device):
    d = input.dtype if dtype is None else _resolve_dtype(dtype)
    dev = input.device if device is None else as_device(device)
    return tuple(input._data.shape), d, dev


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with ``input``'s shape (and dtype and device unless given)."""
    shape, d, dev = _like(input, dtype, device)
    return make(array_module(dev).zeros(shape, d.np), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with ``input``'s shape (and dtype and device unless given)."""
    shape, d, dev = _like(input, dtype, device)
    return make(array_module(dev).ones(shape, d.np), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised (zero-filled) tensor with ``input``'s shape."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``fill_value`` in ``input``'s shape (and dtype and device unless given)."""
    shape, d, dev = _like(input, dtype, device)
    from ._ops._util import fill_array
    value = _scalar(fill_value)
    if d._category == 1 and isinstance(value, float) and np.isfinite(value):
        value = int(value)
    return make(array_module(dev).full(shape, fill_array(value, d.np), d.np), requires_grad)


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

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False, **kwargs):
        shape = parse_size(size, "new_zeros", kwargs.pop("size", None))
        d, dev = _new_dtype_device(self, dtype, device)
        return make(array_module(dev).zeros(shape, d.np), requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False, **kwargs):
        shape = parse_size(size, "new_ones", kwargs.pop("size", None))
        d, dev = _new_dtype_device(self, dtype, device)
        return make(array_module(dev).ones(shape, d.np), requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False, **kwargs):
        shape = parse_size(size, "new_empty", kwargs.pop("size", None))
        d, dev = _new_dtype_device(self, dtype, device)
        return make(array_module(dev).zeros(shape, d.np), requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
                 layout=None, pin_memory=False):
        shape = parse_size((size,) if isinstance(size, (tuple, list)) else (size,), "new_full")
        d, dev = _new_dtype_device(self, dtype, device)
        from ._ops._util import fill_array
        value = _scalar(fill_value)
        if d._category == 1 and isinstance(value, float) and np.isfinite(value):
            value = int(value)
        return make(array_module(dev).full(shape, fill_array(value, d.np), d.np),
                    requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False):
        d, dev = _new_dtype_device(self, dtype, device)
        if hasattr(data, "_data"):
            warnings.warn("To copy construct from a tensor, it is recommended to use "
                          "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                          "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                          UserWarning, stacklevel=2)
            array = to_device(data._data, "cpu")
        else:
            array = _to_array(data, d.np)
        return _finish(array, d, dev, requires_grad, copy=True)


def _new_dtype_device(self, dtype, device):
    d = _dtype.FROM_NP[self._data.dtype] if dtype is None else _resolve_dtype(dtype)
    dev = self.device if device is None else as_device(device)
    return d, dev
