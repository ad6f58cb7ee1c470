"""Op bases with a short recording path, for the elementwise ops a training step calls most.

``Op.apply`` is general: it asks forward what it saved, matches each saved array against the
inputs and the output, and records versions for whatever matched. The three shapes of op below
know what their backward reads, so a call in the common case (float NumPy arrays, recording on,
gradstep's warnings filter in effect: see ``_ops/_fp.py``) computes and records the node in one
pass, in about half the Python work. Anything else (no gradient needed, integer inputs, CuPy
arrays, a warnings filter in front of gradstep's) takes ``Op.apply`` and the op's ``forward``.

- ``ConstantOp``: ``z = compute(x, c)``, a tensor and a Python number (``y * 0.5``, ``y - 1``),
  the number as a 0-d array of the tensor's dtype. Backward may read ``c`` (``saves_constant``).
  ``forward`` is defined here, from ``compute``.
- ``OutputOp``: ``z = compute(x)`` whose backward reads only ``z`` (exp, tanh, sigmoid...).
  ``forward`` is defined here, from ``compute``.
- ``PairOp``: ``z = compute(x, y)``, two tensors of one dtype. Backward reads both inputs when both
  need gradients (``saves_inputs``), or none (add, sub). Subclasses write ``forward`` as any op
  does (it decides what to save from ``needs_input_grad``); ``compute`` is the same function.
"""
import warnings as _warnings

import numpy as _np
from numpy import ndarray as _ndarray

from .. import _tensor  # partially initialised at import time; used at call time only
from .._ops._fp import get_fp as _get_fp
from .._ops._fp import silenced
from .._ops._fp import trusted as _trusted
from .._ops._util import floating
from . import graph as _graph
from .graph import Op, _anomaly_state, _epoch, _note_creation, next_seq

__all__ = ["ConstantOp", "OutputOp", "PairOp"]

_new = object.__new__
_off_threads = _graph._off_threads
_grad_state = _graph._grad_state
_VERSION_ZERO = _graph._VERSION_ZERO
_SAVED_OUTPUT = _graph._SAVED_OUTPUT
# The float dtypes, tested by identity first (``x.dtype.kind == "f"`` costs ~50 ns more)
_FLOAT_DTYPES = (_np.dtype(_np.float32), _np.dtype(_np.float64), _np.dtype(_np.float16))
_UNVERSIONED = (None,)

# Each ``apply`` below tests, in one expression: recording is on (no thread has turned it off, or
# this one has it on) and NumPy's warnings are silenced by gradstep's filter (two identity tests,
# and the full check only when they fail; see ``_ops/_fp.py``). Node finishing is written out in
# each, as in ``Op.apply1``: per-op overhead is a benchmarked number, and a helper call costs
# about as much as the finishing itself.


class ConstantOp(Op):
    """z = compute(x, c) for a float tensor x and a constant c."""

    compute = None          # (x, c) -> z on arrays, e.g. operator.mul
    saves_constant = True   # whether backward reads c (from ctx._arrays)

    @classmethod
    def forward(cls, ctx, x, c):
        if cls.saves_constant:
            ctx.save_for_backward(c)
        return cls.compute(x, c)

    @classmethod
    def apply_constant(cls, a, c):
        """Record ``compute(a, c)``; ``c`` is a 0-d NumPy array of ``a``'s float dtype."""
        x = a._data
        if (a._requires_grad and (not _off_threads[0] or _grad_state.enabled)
                and type(x) is _ndarray and (_get_fp() is _trusted[0] and (
                    filters := _warnings.filters) and filters[0] is _trusted[1] or silenced())):
            data = cls.compute(x, c)
            if type(data) is not _ndarray:  # NumPy's scalar from 0-d operands
                data = _tensor.as_tensor_data(data, None)
            node = cls()
            edge = a._grad_fn or a._acc or a._edge()
            node._next = (edge, None)
            node._seq = next_seq()  # after _next: a leaf's accumulator made there comes first
            node._shape = edge._shape  # an elementwise op keeps its input's shape and dtype
            node._dtype = edge._dtype
            if cls.saves_constant:
                node._saved = node._arrays = (c,)
                node._versions = _UNVERSIONED
                node._epoch = _epoch[0]
            out = _new(_tensor.Tensor)
            out._data = data
            out._requires_grad = True
            out._grad_fn = node
            if _anomaly_state.enabled:
                _note_creation(node)
            return out
        return cls.apply2(a, c)


class OutputOp(Op):
    """z = compute(x), whose backward reads only z. Integer and bool inputs are computed in the
    default float dtype, as torch does for exp, tanh and the like."""

    compute = None  # x -> z on float arrays, e.g. np.exp

    @classmethod
    def forward(cls, ctx, x):
        out = cls.compute(floating(x))
        ctx.save_for_backward(out)
        return out

    @classmethod
    def apply1(cls, a):
        x = a._data
        if (a._requires_grad and (not _off_threads[0] or _grad_state.enabled)
                and type(x) is _ndarray and x.dtype in _FLOAT_DTYPES
                and (_get_fp() is _trusted[0] and (filters := _warnings.filters)
                     and filters[0] is _trusted[1] or silenced())):
            data = cls.compute(x)
            if type(data) is not _ndarray:  # NumPy's scalar from a 0-d input
                data = _tensor.as_tensor_data(data, None)
            node = cls()
            edge = a._grad_fn or a._acc or a._edge()
            node._next = (edge,)
            node._seq = next_seq()
            node._shape = edge._shape  # an elementwise op keeps its input's shape and dtype
            node._dtype = edge._dtype
            out = _new(_tensor.Tensor)
            out._data = data
            out._requires_grad = True
            out._grad_fn = node
            node._arrays = (data,)
            node._saved = _SAVED_OUTPUT  # a marker, not the output: it holds the node
            node._versions = _VERSION_ZERO
            node._epoch = _epoch[0]
            if _anomaly_state.enabled:
                _note_creation(node)
            return out
        return Op.apply1.__func__(cls, a)


class PairOp(Op):
    """z = compute(x, y) for two tensors of one dtype."""

    compute = None         # (x, y) -> z on arrays, e.g. operator.add
    saves_inputs = False   # whether backward reads x and y when both need gradients

    @classmethod
    def apply_pair(cls, a, b):
        """Record ``compute(a, b)``; ``a`` and ``b`` are Tensors of one dtype."""
        x = a._data
        y = b._data
        ra = a._requires_grad
        rb = b._requires_grad
        if ((ra and rb or not cls.saves_inputs and (ra or rb))
                and (not _off_threads[0] or _grad_state.enabled)
                and type(x) is _ndarray and type(y) is _ndarray and (_get_fp() is _trusted[0] and (
                    filters := _warnings.filters) and filters[0] is _trusted[1] or silenced())):
            data = cls.compute(x, y)
            if type(data) is not _ndarray:  # NumPy's scalar from 0-d operands
                data = _tensor.as_tensor_data(data, None)
            node = cls()
            node._next = ((a._grad_fn or a._acc or a._edge()) if ra else None,
                          (b._grad_fn or b._acc or b._edge()) if rb else None)
            node._seq = next_seq()
            node._shape = data.shape
            node._dtype = data.dtype
            if cls.saves_inputs:
                node._arrays = (x, y)
                node._saved = (a, b)
                base = a._base
                version_a = (a if base is None else base)._ver
                base = b._base
                node._versions = (version_a, (b if base is None else base)._ver)
                node._epoch = _epoch[0]
            out = _new(_tensor.Tensor)
            out._data = data
            out._requires_grad = True
            out._grad_fn = node
            if _anomaly_state.enabled:
                _note_creation(node)
            return out
        return cls.apply2(a, b)
