"""Conversions: ``to`` (dtype, device, copy), ``clone``, ``contiguous``, ``float()``, ``type()``..."""
import numpy as np

from .. import _dtype, _tensor  # _tensor: partially initialised at import; used at call time
from .._backend import to_device
from .._device import as_device, device as _device_cls
from .._layout import (check_memory_format, contiguous_format, copy_in_format, is_contiguous_as,
                       preserve_format)
from ..autograd.graph import Op
from ._util import exact_ops

__all__ = ["clone"]


class ToCopy(Op):
    """z = x converted to another dtype/device;  dz/dx = 1 (converted back)."""
    name_ = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype, device, memory_format=None):
        ctx.src = (x.dtype, _device_of(x))
        return _converted(x, np_dtype, device, memory_format)

    @staticmethod
    def backward(ctx, grad):
        src_dtype, src_device = ctx.src
        if hasattr(grad, "_data"):
            return grad.to(device=src_device, dtype=_dtype.FROM_NP[src_dtype])
        return to_device(grad, src_device).astype(src_dtype, copy=False)


def _converted(x, np_dtype, device, memory_format):
    """A new array: ``x`` as ``np_dtype`` on ``device`` (None: where it is), laid out in
    ``memory_format`` (None: x's own order, as torch's ``preserve_format``)."""
    if device is not None and memory_format is None and x.dtype == np_dtype:
        return to_device(x, device)  # the transfer is the copy
    out = copy_in_format(x, np_dtype, memory_format, "to")
    return out if device is None else to_device(out, device)


def _device_of(x):
    from .._backend import device_of
    return device_of(x)


class Clone(Op):
    """z = copy of x (in x's memory order unless a format is given);  dz/dx = 1."""
    name_ = "CloneBackward0"

    @staticmethod
    def forward(ctx, x, memory_format=None):
        return copy_in_format(x, None, memory_format, "clone")

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own storage, recorded in the graph.

    The copy keeps ``input``'s memory order (a clone of a transposed tensor has its strides), as
    torch's default ``memory_format=torch.preserve_format`` does.
    """
    if memory_format is None:
        return Clone.apply(input)
    return Clone.apply(input, check_memory_format(memory_format, "clone"))


_TYPE_STRINGS = {
    "torch.FloatTensor": _dtype.float32, "torch.DoubleTensor": _dtype.float64,
    "torch.HalfTensor": _dtype.float16, "torch.LongTensor": _dtype.int64,
    "torch.IntTensor": _dtype.int32, "torch.ShortTensor": _dtype.int16,
    "torch.CharTensor": _dtype.int8, "torch.ByteTensor": _dtype.uint8,
    "torch.BoolTensor": _dtype.bool_,
}

# ``to``'s three overloads, by the names their positional parameters bind to
_TO_OVERLOADS = {
    "device": ("device", "dtype", "non_blocking", "copy"),
    "dtype": ("dtype", "non_blocking", "copy"),
    "tensor": ("tensor", "non_blocking", "copy"),
}
_TO_EXPECTED = (
    " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, "
    "bool copy = False, *, torch.memory_format memory_format = None)\n"
    " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n")
# Python number types that name a dtype (``x.to(float)`` is float64)
_PYTHON_DTYPES = {float: _dtype.float64, int: _dtype.int64, bool: _dtype.bool_}


def _arg_type_name(value):
    """A value's type as torch's argument errors print it."""
    if isinstance(value, _tensor.Tensor):
        return "Tensor"
    if isinstance(value, (_dtype.dtype, _device_cls)):
        return "torch." + type(value).__name__
    return type(value).__name__


def _to_error(args, kwargs):
    got = [_arg_type_name(a) for a in args] + \
        [f"{k}={_arg_type_name(v)}" for k, v in kwargs.items()]
    shown = ", ".join(got) if args else "".join(g + ", " for g in got)
    return TypeError(f"to() received an invalid combination of arguments - got ({shown}), but "
                     f"expected one of:\n{_TO_EXPECTED}")


def _to_overload(args, kwargs):
    """Which of ``to``'s overloads a call means, from its first argument."""
    first = args[0] if args else None
    if isinstance(first, _tensor.Tensor) or (not args and "tensor" in kwargs):
        return "tensor"
    # x.to(True) and x.to(1.5) read a Python bool/float value as its type, as torch's parser does
    if isinstance(first, (_dtype.dtype, bool, float)) or first in _PYTHON_DTYPES:
        return "dtype"
    return "device"


def _as_to_dtype(value, leading):
    """A dtype argument of ``to``; None when it is not one (the caller raises)."""
    if isinstance(value, _dtype.dtype) or value is None:
        return value
    if leading and isinstance(value, (bool, float)):
        value = type(value)  # the quirk of the leading argument (see _to_overload)
    return _PYTHON_DTYPES.get(value) if isinstance(value, type) else None


def _parse_to_args(args, kwargs):
    """``to``'s overloads: (device, dtype, non_blocking, copy), (dtype, non_blocking, copy) and
    (tensor, non_blocking, copy), with ``memory_format`` by keyword only.

    Returns ``(dtype, device, copy, memory_format)``; a call that matches no overload raises
    torch's TypeError.
    """
    if len(args) == 1 and not kwargs:  # the usual x.to(dtype) and x.to(device)
        if isinstance(args[0], _dtype.dtype):
            return args[0], None, False, None
        if isinstance(args[0], _device_cls):
            return None, args[0], False, None
    names = _TO_OVERLOADS[_to_overload(args, kwargs)]
    given = {k: v for k, v in kwargs.items() if k != "memory_format"}
    if len(args) > len(names) or any(k not in names or k in names[:len(args)] for k in given):
        raise _to_error(args, kwargs)
    bound = dict(zip(names, args), **given)
    dtype, device = bound.get("dtype"), bound.get("device")
    if "tensor" in bound:
        if not isinstance(bound["tensor"], _tensor.Tensor):
            raise _to_error(args, kwargs)
        dtype, device = bound["tensor"].dtype, bound["tensor"].device
    dtype = _as_to_dtype(dtype, leading=names[0] == "dtype")
    flags_ok = all(isinstance(bound.get(k, False), bool) for k in ("non_blocking", "copy"))
    device_ok = device is None or (isinstance(device, (str, _device_cls, int))
                                   and not isinstance(device, bool))
    if (dtype is None and bound.get("dtype") is not None) or not flags_ok or not device_ok:
        raise _to_error(args, kwargs)
    if names[0] == "dtype" and dtype is None:
        raise _to_error(args, kwargs)
    memory_format = check_memory_format(kwargs.get("memory_format"), "to")
    return (dtype, as_device(device) if device is not None else None,
            bound.get("copy", False), memory_format)


def to(self, *args, **kwargs):
    r"""Return this tensor with another dtype, device and/or memory format (self when nothing
    changes, unless ``copy=True``).

    Example::

        >>> import gradstep as torch
        >>> torch.tensor([1, 2]).to(torch.float64)
        tensor([1., 2.], dtype=torch.float64)
    """
    dtype, device, copy, memory_format = _parse_to_args(args, kwargs)
    same_dtype = dtype is None or dtype.np == self._data.dtype
    same_device = device is None or device == self._device or (
        device.type == self._device.type and device.index is None)
    same_layout = memory_format in (None, preserve_format) or \
        is_contiguous_as(self._data, memory_format)
    if same_dtype and same_device and same_layout and not copy:
        return self
    target_dtype = self._data.dtype if dtype is None else dtype.np
    target_device = None if same_device else device
    if self._requires_grad and dtype is not None and not dtype.is_floating_point:
        # an integer copy of a tensor cannot carry gradients: convert outside the graph
        return _tensor.Tensor._make(
            _converted(self._data, target_dtype, target_device, memory_format))
    return ToCopy.apply(self, target_dtype, target_device, memory_format)


def _type_target(target):
    """The dtype ``Tensor.type(target)`` converts to."""
    from .._creation import legacy_class_dtype
    if isinstance(target, _dtype.dtype):
        return target
    if isinstance(target, str):
        if target not in _TYPE_STRINGS:
            raise ValueError(f"invalid type: '{target}'")
        return _TYPE_STRINGS[target]
    if isinstance(target, type):
        d = legacy_class_dtype(target)
        if d is None:
            module = target.__module__
            name = f"numpy.{target.__name__}" if module.startswith("numpy") else target.__name__
            raise ValueError(f"invalid type: '{name}'")
        return d
    raise TypeError("dtype must be a type, str, or dtype object")


def _caster(dtype):
    def cast(self, *, memory_format=None):
        if memory_format is None:
            return to(self, dtype)
        return to(self, dtype, memory_format=memory_format)
    cast.__name__ = dtype.name
    cast.__doc__ = f"``self.to({dtype!r})``."
    return cast


class Methods:
    """Tensor conversion methods."""

    to = to
    clone = clone

    def contiguous(self, memory_format=None):
        """Self if already laid out in ``memory_format`` (C order by default), else a copy."""
        check_memory_format(memory_format, "contiguous")
        target = contiguous_format if memory_format in (None, preserve_format) else memory_format
        if is_contiguous_as(self._data, target):
            return self
        if memory_format is preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
        return Clone.apply(self, target)

    def cpu(self, memory_format=None):
        return to(self, "cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return to(self, _device_cls("cuda", device if isinstance(device, int) else 0)
                  if not isinstance(device, (str, _device_cls)) else device)

    float = _caster(_dtype.float32)
    double = _caster(_dtype.float64)
    half = _caster(_dtype.float16)
    long = _caster(_dtype.int64)
    int = _caster(_dtype.int32)
    short = _caster(_dtype.int16)
    char = _caster(_dtype.int8)
    byte = _caster(_dtype.uint8)
    bool = _caster(_dtype.bool_)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """The legacy type string (no argument), or a copy converted to ``dtype``: a dtype, a
        type string (``'torch.IntTensor'``) or a legacy class (``torch.IntTensor``)."""
        from .._tensor import type_name
        if dtype is None:
            return type_name(self)
        return to(self, _type_target(dtype))

    def type_as(self, other):
        return to(self, other.dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from .._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def copy_(self, src, non_blocking=False):
        """Copy ``src`` (broadcast, converted) into this tensor's storage."""
        from ._util import inplace
        from .._tensor import Tensor
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not "
                            f"{type(src).__name__}")
        return inplace(self, _copy_like, src)


class CopyFrom(Op):
    """z = broadcast(y) converted to x's dtype;  dz/dx = 0,  dz/dy = sum_to(grad)."""
    name_ = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, y):
        ctx.shape_y = y.shape
        ctx.y_dtype = y.dtype
        return np.broadcast_to(y, x.shape).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        from ._util import sum_to
        gy = sum_to(grad, ctx.shape_y)
        return grad * 0, (gy.astype(ctx.y_dtype) if not hasattr(gy, "_data") else gy)


def _copy_like(self, src):
    if src._device != self._device:
        src = to(src, self._device)
    try:
        np.broadcast_shapes(src._data.shape, self._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1})"
                           f" must match the size of tensor b ({src._data.shape[-1]}) at "
                           f"non-singleton dimension {self._data.ndim - 1}") from None
    return CopyFrom.apply(self, src)


# Ops that cannot produce inf/nan skip the quiet set-up (see Op.quiet).
exact_ops(globals(), ("Clone",))
