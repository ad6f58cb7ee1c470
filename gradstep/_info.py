"""Questions about tensors and dtypes: ``is_tensor``, ``numel``, ``is_floating_point``,
``finfo`` and ``iinfo``.

``finfo``/``iinfo`` read NumPy's tables for the matching NumPy type and present them as torch does
(plain Python numbers, ``dtype`` as a name, the same ``repr``).
"""
import numpy as np

from . import _dtype

__all__ = ["is_tensor", "numel", "is_floating_point", "finfo", "iinfo"]


def is_tensor(obj, /):
    r"""Whether ``obj`` is a tensor (a ``Tensor`` or a subclass such as ``Parameter``).

    Example::

        >>> import gradstep as torch
        >>> torch.is_tensor(torch.zeros(2)), torch.is_tensor([1.0])
        (True, False)
    """
    from ._tensor import Tensor
    return isinstance(obj, Tensor)


def _tensor_argument(value, where):
    from ._tensor import Tensor
    if not isinstance(value, Tensor):
        raise TypeError(f"{where}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(value).__name__}")
    return value


def numel(input):
    """The number of elements of ``input``."""
    return _tensor_argument(input, "numel").numel()


def is_floating_point(input):
    """Whether ``input`` has a floating-point dtype."""
    return _tensor_argument(input, "is_floating_point").is_floating_point()


def _dtype_argument(value, where):
    """A dtype argument of ``finfo``/``iinfo``: a gradstep dtype or a Python number type."""
    if isinstance(value, _dtype.dtype):
        return value
    python_types = {float: _dtype.float64, int: _dtype.int64, bool: _dtype.bool_}
    if isinstance(value, type) and value in python_types:
        return python_types[value]
    raise TypeError(f"{where}(): argument 'type' (position 1) must be torch.dtype, not "
                    f"{type(value).__name__}")


_DEFAULT = object()


class finfo:
    r"""Machine limits of a floating-point dtype (the default dtype when none is given).

    Attributes: ``bits``, ``eps`` (1.0's gap to the next number), ``max``, ``min``, ``tiny`` and
    ``smallest_normal`` (the smallest positive normal number), ``resolution`` (``10**-digits``)
    and ``dtype`` (its name).

    Example::

        >>> import gradstep as torch
        >>> torch.finfo(torch.float32).eps
        1.1920928955078125e-07
    """

    __hash__ = None  # unhashable, as torch's

    def __init__(self, type=_DEFAULT):
        # finfo() describes the default dtype; an explicit finfo(None) is a type error
        d = _dtype.get_default_dtype() if type is _DEFAULT else _dtype_argument(type, "finfo")
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        info = np.finfo(d.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    r"""Machine limits of an integer dtype: ``bits``, ``max``, ``min`` and ``dtype`` (its name).

    Example::

        >>> import gradstep as torch
        >>> torch.iinfo(torch.uint8).max
        255
    """

    __hash__ = None

    def __init__(self, type=_DEFAULT):
        if type is _DEFAULT:
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        d = _dtype_argument(type, "iinfo")
        if d is _dtype.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(d.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
