"""gradstep.cuda: the GPU probes scripts call, answered truthfully for this machine.

A GPU is usable when CuPy is installed and sees a device (``pip install 'gradstep[cuda]'``);
otherwise ``is_available()`` is False and calls that need a GPU raise the error torch raises on a
CPU-only build.
"""
from . import _backend

__all__ = ["is_available", "device_count", "current_device", "set_device", "get_device_name",
           "synchronize", "manual_seed", "manual_seed_all", "empty_cache", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "is_initialized", "is_bf16_supported"]


def _require():
    if not _backend.cuda_is_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    return _backend._load_cupy()


def is_available():
    """True when CuPy is installed and a CUDA device is visible."""
    return _backend.cuda_is_available()


def device_count():
    """How many CUDA devices CuPy sees (0 without CuPy)."""
    return _require().cuda.runtime.getDeviceCount() if is_available() else 0


def is_initialized():
    """Whether the GPU is in use (True once CuPy is available)."""
    return is_available()


def current_device():
    """The index of the current CUDA device."""
    return _require().cuda.Device().id


def set_device(device):
    """Make ``device`` (an index, ``"cuda:N"`` or a device) the current CUDA device."""
    from ._device import as_device
    index = device if isinstance(device, int) else (as_device(device).index or 0)
    _require().cuda.Device(index).use()


def get_device_name(device=None):
    """The GPU's product name."""
    cupy = _require()
    index = current_device() if device is None else int(getattr(device, "index", device) or 0)
    return cupy.cuda.runtime.getDeviceProperties(index)["name"].decode()


def synchronize(device=None):
    """Wait for all GPU work to finish."""
    _require().cuda.Device().synchronize()


def manual_seed(seed):
    """Seed the GPU generator: gradstep has one generator for every device, so this seeds it."""
    if is_available():
        from ._random import manual_seed as seed_all
        seed_all(seed)


manual_seed_all = manual_seed


def empty_cache():
    """Return CuPy's cached blocks to the GPU (a no-op without a GPU)."""
    if is_available():
        _require().get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None):
    """Bytes of GPU memory held by tensors (0 without a GPU)."""
    return _require().get_default_memory_pool().used_bytes() if is_available() else 0


def memory_reserved(device=None):
    """Bytes of GPU memory reserved by CuPy's pool (0 without a GPU)."""
    return _require().get_default_memory_pool().total_bytes() if is_available() else 0


max_memory_allocated = memory_allocated


def is_bf16_supported(including_emulation=True):
    """bfloat16 is not a gradstep dtype: always False."""
    return False
