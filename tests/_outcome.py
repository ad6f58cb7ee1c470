"""Run one scenario on gradstep and on torch and compare what a user could observe.

``outcome(fn, lib)`` runs ``fn(lib)`` and summarises its result as plain Python data (tensors as
dtype, shape and values; modules as their repr), or the exception's type and message, together
with the warnings raised. ``assert_same_outcome(fn)`` asserts both libraries give the same.
"""
import warnings
from collections import OrderedDict

import numpy as np
import torch

import gradstep


def summarise(value):
    """``value`` as library-independent Python data."""
    if isinstance(value, (torch.Tensor, gradstep.Tensor)):
        kind = type(value).__name__
        data = value.detach()
        if data.dtype in (torch.float16, gradstep.float16):
            data = data.float()
        return ("tensor", kind, str(value.dtype), tuple(value.shape), bool(value.requires_grad),
                np.asarray(data.cpu().numpy() if isinstance(data, torch.Tensor)
                           else data.numpy()).tolist())
    if isinstance(value, (torch.nn.Module, gradstep.nn.Module)):
        return ("module", repr(value))
    if isinstance(value, (torch.dtype, gradstep.dtype)):
        return ("dtype", str(value))
    if isinstance(value, (torch.Size, gradstep.Size)):
        return ("size", tuple(value))
    if isinstance(value, dict):
        kind = "odict" if isinstance(value, OrderedDict) else "dict"
        return (kind, [(summarise(k), summarise(v)) for k, v in value.items()])
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return ("namedtuple", type(value).__name__, repr(value),
                [summarise(v) for v in value])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [summarise(v) for v in value])
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(repr(summarise(v)) for v in value))
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.tolist())
    if isinstance(value, float) and np.isnan(value):
        return ("nan",)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return ("object", type(value).__name__)


def outcome(fn, lib):
    """``("ok", summary, warnings)`` or ``("raise", type name, message, warnings)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", summarise(fn(lib)))
        except Exception as exc:  # noqa: BLE001 - the exception is the outcome
            message = str(exc)
            if lib is gradstep:  # class reprs name the library's own modules
                message = message.replace("<class 'gradstep.", "<class 'torch.")
            result = ("raise", type(exc).__name__, message)
    return result + (sorted({(w.category.__name__, str(w.message)) for w in caught}),)


def close(a, b, rtol=1e-5, atol=1e-6):
    """Structural equality of two summaries, floats compared with a tolerance."""
    if isinstance(a, float) and isinstance(b, float):
        if a != a or b != b:  # nan equals nan here
            return a != a and b != b
        return a == b or abs(a - b) <= atol + rtol * abs(b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(close(x, y, rtol, atol) for x, y in zip(a, b)))
    return a == b


def assert_same_outcome(fn, rtol=1e-5, atol=1e-6):
    """``fn(gradstep)`` and ``fn(torch)`` give the same observable outcome."""
    theirs = outcome(fn, torch)
    ours = outcome(fn, gradstep)
    assert close(ours, theirs, rtol, atol), f"\ngradstep: {ours}\ntorch:    {theirs}"
    return ours
