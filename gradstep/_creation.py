"""Tensor creation from data: ``tensor``, ``as_tensor``, ``from_numpy``, legacy constructors."""
import numbers
import warnings

import numpy as np

from . import _dtype
from ._backend import array_module, to_device
from ._device import as_device

__all__ = ["tensor", "as_tensor", "from_numpy", "legacy_new"]


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


def _to_array(data):
    """Nested sequences of numbers, arrays and tensors as one NumPy array, dtype as torch infers."""
    from ._tensor import Tensor
    if isinstance(data, Tensor):
        return data._host()
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, (list, tuple)):
        if any(isinstance(x, Tensor) for x in data):
            parts = [_to_array(x) for x in data]
            return np.stack(parts) if parts else np.zeros((0,), np.float32)
        kinds = set()
        _scan(data, kinds)
        array = np.array(data)
        if array.dtype == object:
            raise ValueError("expected sequence of equal-length lists (ragged nested sequence)")
        if not kinds:
            return array.astype(_dtype.get_default_dtype().np)
        if "np" in kinds:
            return array
        if "f" in kinds:
            return array.astype(_dtype.get_default_dtype().np)
        if "i" in kinds:
            return array.astype(np.int64)
        return array.astype(np.bool_)
    d = _infer(data)
    if d is None:
        if hasattr(data, "__array__"):
            return np.asarray(data)
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    return np.asarray(data, dtype=d.np)


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
        t.requires_grad_(True)
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
        array = _to_array(data)
    return _finish(array, dtype, device, requires_grad, copy=True)


def as_tensor(data, dtype=None, device=None):
    """Convert ``data`` to a tensor, sharing memory with a NumPy array or tensor where it can."""
    from ._tensor import Tensor
    if isinstance(data, Tensor):
        if (dtype is None or _resolve_dtype(dtype) == data.dtype) and \
                (device is None or as_device(device) == data.device):
            return data
        return data.to(device=device, dtype=dtype)
    return _finish(_to_array(data), dtype, device, False, copy=False)


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
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, (tuple, list)) or hasattr(data, "__array__") or isinstance(data, Tensor):
            if hasattr(data, "_data"):
                array = data._data.astype(default_dtype.np)
            else:
                array = np.asarray(_to_array(data)).astype(default_dtype.np)
            array = to_device(array, as_device(device))
        else:
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    else:
        if not all(isinstance(a, (int, np.integer)) for a in args):
            raise TypeError("new() received an invalid combination of arguments")
        array = xp.zeros(tuple(int(a) for a in args), default_dtype.np)
    t = object.__new__(cls)
    t._data = array
    return t
