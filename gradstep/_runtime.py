"""Process-wide settings scripts probe or set: threads, default device, determinism, compile.

They answer truthfully for this machine. Thread counts apply to NumPy's BLAS through
``threadpoolctl`` when it is installed (gradstep never changes environment variables); without it
``set_num_threads`` is recorded and reported, and BLAS keeps its own setting.
"""
import os
import warnings

from . import _device

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads", "set_default_device", "get_default_device",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "set_float32_matmul_precision", "get_float32_matmul_precision", "compile"]


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_settings = {"threads": None, "interop_threads": None, "deterministic": False,
             "matmul_precision": "highest"}


def _default_threads():
    """torch's default intra-op thread count: ``OMP_NUM_THREADS`` when it is a positive
    integer, else the usable cores."""
    try:
        n = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        n = 0
    return n if n > 0 else _cores()


def get_num_threads():
    """Threads used for intra-op parallelism (BLAS; and the per-thread chunks that torch's
    ``arange`` values depend on): the set value, else torch's default."""
    return _settings["threads"] or _default_threads()


def set_num_threads(n):
    """Use ``n`` threads for BLAS (through threadpoolctl when it is installed)."""
    if not isinstance(n, int) or n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _settings["threads"] = n
    try:
        import threadpoolctl
    except ImportError:
        return
    threadpoolctl.threadpool_limits(n, user_api="blas")


def get_num_interop_threads():
    """Threads for inter-op parallelism (gradstep runs ops one after another)."""
    return _settings["interop_threads"] or _cores()


def set_num_interop_threads(n):
    """Recorded for compatibility: gradstep has no inter-op thread pool."""
    if not isinstance(n, int) or n <= 0:
        raise RuntimeError("Expected positive number of threads")
    _settings["interop_threads"] = n


def set_default_device(device):
    """Make ``device`` the default for factory functions (``zeros``, ``randn`` ...)."""
    _device.set_default_device(device)


def get_default_device():
    """The default device of factory functions."""
    return _device.as_device(None)


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded: gradstep's CPU ops are already deterministic."""
    _settings["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled():
    """What ``use_deterministic_algorithms`` last set."""
    return _settings["deterministic"]


def set_float32_matmul_precision(precision):
    """Recorded: NumPy's float32 matmul always runs at full ("highest") precision."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision():
    """What ``set_float32_matmul_precision`` last set."""
    return _settings["matmul_precision"]


def compile(model=None, **kwargs):
    """Return ``model`` unchanged: gradstep runs eagerly, so there is nothing to compile.

    Accepts torch's arguments (``mode``, ``fullgraph``, ``backend`` ...) and works as a decorator,
    with or without arguments.
    """
    if model is None:
        return lambda fn: fn
    return model
