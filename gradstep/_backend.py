"""The only place that picks the array module (NumPy or CuPy) for a device.

Every array gradstep allocates comes from ``array_module(device)``; ops written with NumPy
functions and operators run on CuPy arrays too, through NumPy's dispatch protocols, so a CUDA
backend is an addition here, not a rewrite elsewhere.
"""
import numpy as np

from ._device import CPU, as_device

__all__ = ["array_module", "device_of", "to_device"]

_cupy = None


def _load_cupy():
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError:
            raise RuntimeError(
                "gradstep needs CuPy for device='cuda', and it is not installed. "
                "Install it with: pip install 'gradstep[cuda]'") from None
        try:
            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise RuntimeError
        except Exception:
            raise RuntimeError(
                "gradstep found CuPy but no usable CUDA GPU; use device='cpu'") from None
        _cupy = cupy
    return _cupy


def cuda_is_available():
    try:
        _load_cupy()
    except RuntimeError:
        return False
    return True


def array_module(device=None):
    """NumPy for the CPU, CuPy for a CUDA device (a clear error when CuPy or a GPU is missing)."""
    device = as_device(device)
    if device.type == "cpu":
        return np
    if device.type == "cuda":
        return _load_cupy()
    raise NotImplementedError(f"gradstep has no array backend for device type '{device.type}'")


def device_of(array):
    """The device an array lives on."""
    if isinstance(array, np.ndarray):
        return CPU
    from ._device import device
    return device("cuda", array.device.id)


def to_device(array, device):
    """``array`` on ``device`` (the same object when it is already there)."""
    device = as_device(device)
    if device.type == "cpu":
        if isinstance(array, (np.ndarray, np.generic)):  # NumPy's scalar: a 0-d op's result
            return array
        return array.get()
    cupy = array_module(device)
    with cupy.cuda.Device(device.index or 0):
        return cupy.asarray(array)
