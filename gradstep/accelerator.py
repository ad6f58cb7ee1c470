"""gradstep.accelerator: which accelerator (if any) this process can use, as torch.accelerator."""
from . import cuda as _cuda
from ._device import device as _device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize"]


def is_available():
    """True when a CUDA device is usable (through CuPy)."""
    return _cuda.is_available()


def current_accelerator(check_available=False):
    """``device(type='cuda')`` when a GPU is usable, else None."""
    return _device("cuda") if _cuda.is_available() else None


def device_count():
    """How many accelerator devices there are."""
    return _cuda.device_count()


def _require():
    if not _cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")


def current_device_index():
    """The index of the current accelerator device."""
    _require()
    return _cuda.current_device()


def set_device_index(device):
    """Make ``device`` the current accelerator device."""
    _require()
    _cuda.set_device(device)


def synchronize(device=None):
    """Wait for the accelerator's queued work."""
    _require()
    _cuda.synchronize(device)
