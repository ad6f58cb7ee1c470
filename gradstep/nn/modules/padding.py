"""Padding layers: zero, constant, reflection, replication and circular (as torch.nn)."""
from .. import functional as F
from .._functional.conv import ntuple
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


class _PadNd(Module):
    _n = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = ntuple(padding, 2 * self._n) if isinstance(padding, int) else \
            tuple(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    r"""Pads the last dim with ``value``: ``padding`` is an int or ``(left, right)``."""
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    r"""Pads the last 2 dims with ``value``: ``(left, right, top, bottom)``."""
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    r"""Pads the last 3 dims with ``value``: ``(left, right, top, bottom, front, back)``."""
    _n = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    r"""Pads the last dim with zeros.

    Example::

        >>> import gradstep as torch
        >>> torch.nn.ZeroPad1d(2)(torch.ones(1, 2)).tolist()
        [[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]]
    """
    _n = 1


class ZeroPad2d(_ZeroPadNd):
    r"""Pads the last 2 dims with zeros: ``(left, right, top, bottom)``."""
    _n = 2


class ZeroPad3d(_ZeroPadNd):
    r"""Pads the last 3 dims with zeros."""
    _n = 3


class ReflectionPad1d(_PadNd):
    r"""Pads the last dim with its reflection (the edge itself is not repeated)."""
    _n, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    r"""Pads the last 2 dims with their reflection."""
    _n, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    r"""Pads the last 3 dims with their reflection."""
    _n, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    r"""Pads the last dim by repeating its edge values."""
    _n, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    r"""Pads the last 2 dims by repeating their edge values."""
    _n, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    r"""Pads the last 3 dims by repeating their edge values."""
    _n, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    r"""Pads the last dim by wrapping around."""
    _n, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    r"""Pads the last 2 dims by wrapping around."""
    _n, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    r"""Pads the last 3 dims by wrapping around."""
    _n, _mode = 3, "circular"
