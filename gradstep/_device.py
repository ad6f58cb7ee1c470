"""Devices: ``device(type='cpu')`` and ``device(type='cuda', index=0)``, as torch spells them."""

import operator
import re

__all__ = ["device"]

# a name, then optionally ":" and an index without leading zeros
_DEVICE_STRING = re.compile(r"[a-zA-Z_]+(:([1-9][0-9]*|0))?")
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    """Where a tensor's storage lives. ``device("cuda:1")``, ``device("cuda", 1)``, ``device("cpu")``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            type, index = "cuda", type  # device(1): the accelerator's device 1, as in torch
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_type_name(type)})")
        if not _DEVICE_STRING.fullmatch(type):
            raise RuntimeError(f"Invalid device string: '{type}'")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            index = int(idx)
        if type not in _TYPES:
            # torch's list: a type gradstep has no arrays for fails when it is used, not here
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                               f"device string: {type}")
        self.type = type
        self.index = None if index is None else _device_index(index)

    def __eq__(self, other):
        # a device never equals a string: torch.device("cpu") == "cpu" is False
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))


def _type_name(value):
    return "NoneType" if value is None else type(value).__name__


def _device_index(index):
    """A device index: a non-negative int (NumPy ints and integer tensors read by __index__)."""
    if isinstance(index, bool) or not hasattr(index, "__index__"):
        raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                        f"{_type_name(index)}")
    index = operator.index(index)
    if index < 0:
        raise RuntimeError("Device index must not be negative")
    return index


CPU = device("cpu")
_default_device = [CPU]  # what factory functions use when no device is given


def set_default_device(d):
    """Make ``d`` the device ``as_device(None)`` returns (``None`` restores the CPU)."""
    _default_device[0] = CPU if d is None else as_device(d)


def as_device(d):
    """Normalise a device argument (str, int, device or None) to a ``device``."""
    if d is None:
        return _default_device[0]
    if d is CPU:
        return CPU
    if isinstance(d, device):
        return d
    if isinstance(d, int):
        return device("cuda", d)
    return device(d)
