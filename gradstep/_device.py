"""Devices: ``device(type='cpu')`` and ``device(type='cuda', index=0)``, as torch spells them."""

__all__ = ["device"]


class device:
    """Where a tensor's storage lives. ``device("cuda:1")``, ``device("cuda", 1)``, ``device("cpu")``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta device type at start of device string: " + type)
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

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
