r"""Anomaly detection: ``detect_anomaly`` and ``set_detect_anomaly``.

While it is on, every node made records the stack of the forward call that made it, and every
backward result is checked for NaN (unless ``check_nan=False``): the first node to return NaN fails
with ``RuntimeError: Function 'MulBackward0' returned nan values in its 0th output.``, after a
warning that shows where that node was created. The mode is global (not per thread), as in torch.
The switch lives in ``graph._anomaly_state`` (read by ``Op.apply`` and the engine); this module
only drives it.

Example::

    >>> import gradstep as torch
    >>> _ = torch.autograd.set_detect_anomaly(True)
    >>> torch.is_anomaly_enabled()
    True
    >>> _ = torch.autograd.set_detect_anomaly(False)
"""
import os
import traceback
import warnings

from .graph import _anomaly_state as _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_anomaly_enabled():
    """Return True while anomaly detection is on."""
    return _anomaly.anomaly


def is_anomaly_check_nan_enabled():
    """Return True if anomaly detection checks backward results for NaN."""
    return _anomaly.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection on or off (``torch.set_anomaly_enabled``)."""
    _anomaly.anomaly = bool(enabled)
    _anomaly.check_nan = bool(check_nan)
    _anomaly.update()


_set = set_anomaly_enabled


def _forward_trace():
    """The current stack as torch prints it, without gradstep's own frames (the user's lines)."""
    frames = [f for f in traceback.extract_stack()[:-1]
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)]
    return "".join(traceback.format_list(frames))


class detect_anomaly:
    r"""Context manager that enables anomaly detection for the autograd engine.

    Args:
        check_nan (bool): whether to raise when a backward returns NaN (default True)
    """

    def __init__(self, check_nan=True):
        self.prev = _anomaly.anomaly
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        _set(True, self.check_nan)

    def __exit__(self, *args):
        _set(self.prev, self.prev_check_nan)
        return False


class set_detect_anomaly:
    r"""Turn anomaly detection on or off, at once, or for a ``with`` block.

    Args:
        mode (bool): whether to enable anomaly detection
        check_nan (bool): whether to raise when a backward returns NaN (default True)
    """

    def __init__(self, mode, check_nan=True):
        self.prev = _anomaly.anomaly
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        _set(bool(mode), check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        _set(self.prev, self.prev_check_nan)
        return False
