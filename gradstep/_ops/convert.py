"""Conversions: ``to`` (dtype, device, copy), ``clone``, ``contiguous``, ``float()``, ``type()``..."""
import numpy as np

from .. import _dtype
from .._backend import to_device
from .._device import as_device, device as _device_cls
from ..autograd.graph import Op
from ._util import exact_ops

__all__ = ["clone"]


class ToCopy(Op):
    """z = x converted to another dtype/device;  dz/dx = 1 (converted back)."""
    name_ = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype, device):
        ctx.src = (x.dtype, _device_of(x))
        out = x.astype(np_dtype) if x.dtype != np_dtype else x
        if device is not None:
            out = to_device(out, device)
        return out.copy() if out is x else out

    @staticmethod
    def backward(ctx, grad):
        src_dtype, src_device = ctx.src
        if hasattr(grad, "_data"):
            return grad.to(device=src_device, dtype=_dtype.FROM_NP[src_dtype])
        return to_device(grad, src_device).astype(src_dtype, copy=False)


def _device_of(x):
    from .._backend import device_of
    return device_of(x)


class Clone(Op):
    """z = copy of x;  dz/dx = 1."""
    name_ = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own storage, recorded in the graph."""
    return Clone.apply(input)


_TYPE_STRINGS = {
    "torch.FloatTensor": _dtype.float32, "torch.DoubleTensor": _dtype.float64,
    "torch.HalfTensor": _dtype.float16, "torch.LongTensor": _dtype.int64,
    "torch.IntTensor": _dtype.int32, "torch.ShortTensor": _dtype.int16,
    "torch.CharTensor": _dtype.int8, "torch.ByteTensor": _dtype.uint8,
    "torch.BoolTensor": _dtype.bool_,
}


def _parse_to_args(args, kwargs):
    """``to``'s overloads: (device, dtype), (dtype), (tensor), with copy/non_blocking keywords."""
    from .._creation import _resolve_dtype
    from .._tensor import Tensor
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected "
                        f"keyword {next(iter(kwargs))!r}")
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _dtype.dtype) or a in (float, int, bool):
            dtype = a
        elif isinstance(a, (str, _device_cls, int)):
            device = a
        elif isinstance(a, bool):
            copy = a
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({type(a).__name__})")
    return (_resolve_dtype(dtype) if dtype is not None else None,
            as_device(device) if device is not None else None, copy)


def to(self, *args, **kwargs):
    r"""Return this tensor with another dtype and/or device (self when nothing changes).

    Example::

        >>> import gradstep as torch
        >>> torch.tensor([1, 2]).to(torch.float64)
        tensor([1., 2.], dtype=torch.float64)
    """
    dtype, device, copy = _parse_to_args(args, dict(kwargs))
    same_dtype = dtype is None or dtype.np == self._data.dtype
    same_device = device is None or device == self._device or (
        device.type == self._device.type and device.index is None)
    if same_dtype and same_device:
        return clone(self) if copy else self
    target_dtype = self._data.dtype if dtype is None else dtype.np
    target_device = None if same_device else device
    if self._requires_grad and dtype is not None and not dtype.is_floating_point:
        # an integer copy of a tensor cannot carry gradients
        from .._tensor import Tensor
        return Tensor._make(ToCopy.forward(None, self._data, target_dtype, target_device))
    return ToCopy.apply(self, target_dtype, target_device)


def _caster(dtype):
    def cast(self, memory_format=None):
        return to(self, dtype)
    cast.__name__ = dtype.name
    cast.__doc__ = f"``self.to({dtype!r})``."
    return cast


class Methods:
    """Tensor conversion methods."""

    to = to
    clone = clone

    def contiguous(self, memory_format=None):
        """Self if C-contiguous, else a contiguous copy."""
        if self._data.flags.c_contiguous:
            return self
        return clone(self)

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

    def type(self, dtype=None, non_blocking=False):
        """The legacy type string (no argument), or a copy converted to ``dtype``."""
        from .._tensor import type_name
        if dtype is None:
            return type_name(self)
        if isinstance(dtype, str):
            if dtype not in _TYPE_STRINGS:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = _TYPE_STRINGS[dtype]
        return to(self, dtype)

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
