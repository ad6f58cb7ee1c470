r"""Dropout: elementwise, channel-wise (1d/2d/3d) and alpha dropout.

Masks are drawn from gradstep's default generator (``gradstep.manual_seed`` makes them
reproducible; the streams are not torch's, so the dropped positions differ from torch's). A kept
element is scaled by :math:`1/(1-p)`, so the expected output equals the input. Out of training,
or with ``p = 0``, the input itself is returned, as torch does.
"""
import warnings

import numpy as np

from ... import _random
from ..._ops._util import inplace as _inplace
from ..._ops._util import scalar_type_name
from ...autograd.graph import Op

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

# The negative saturation value of SELU (scale * alpha): what alpha dropout sets dropped units to.
_SELU_SAT = 1.7580993408473766


class _MaskMul(Op):
    """z = x * m (m the scaled keep mask, a constant);  dz/dx = m."""
    name_ = "MulBackward0"

    @staticmethod
    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)  # a constant, as torch saves it: a backward frees it
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx._arrays
        return grad * mask


class _MaskAffine(Op):
    """z = x * m + c (m, c constants from the alpha-dropout mask);  dz/dx = m."""
    name_ = "AddBackward0"

    @staticmethod
    def forward(ctx, x, mult, add):
        ctx.save_for_backward(mult)  # see _MaskMul
        out = x * mult
        out += add
        return out

    @staticmethod
    def backward(ctx, grad):
        mult, = ctx._arrays
        return grad * mult


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep(shape, p, dtype):
    """A 0/1 array of ``shape``: 1 with probability ``1 - p``, from the default generator."""
    rng = _random.default_generator._np
    u = rng.random(shape, dtype=np.float64 if dtype == np.float64 else np.float32)
    return (u >= p).astype(dtype)


def _noise_shape(x, feature):
    return x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape


def _apply(input, p, feature, alpha, inplace):
    x = input._data
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    shape = _noise_shape(x, feature)
    if p == 1:  # torch multiplies by zeros of the input's own dtype: integers stay integers
        mask = np.zeros(shape, x.dtype)
        return _run(_MaskMul, input, inplace, mask)
    if x.dtype.kind != "f":
        # the float scale cannot be written into an integer or bool result (alpha dropout's
        # arithmetic has already made a bool input int64)
        target = np.dtype(np.int64) if alpha and x.dtype == np.bool_ else x.dtype
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{scalar_type_name(target)}")
    keep = _keep(shape, p, dtype)
    if not alpha:
        mask = keep * dtype.type(1.0 / (1.0 - p))
        return _run(_MaskMul, input, inplace, mask)
    a = 1.0 / np.sqrt((_SELU_SAT * _SELU_SAT * p + 1) * (1 - p))
    add = ((keep - 1) * (_SELU_SAT * a) + _SELU_SAT * a * p).astype(dtype)
    mult = (keep * a).astype(dtype)
    return _run(_MaskAffine, input, inplace, mult, add)


def _run(op, input, inplace, *consts):
    if inplace:
        return _inplace(input, lambda t: op.apply(t, *consts))
    return op.apply(input, *consts)


def dropout(input, p=0.5, training=True, inplace=False):
    r"""Zero each element with probability ``p`` and scale the rest by :math:`1/(1-p)`.

    Out of training, or with ``p = 0``, ``input`` itself is returned.

    Example::

        >>> import gradstep as torch
        >>> x = torch.ones(4)
        >>> torch.nn.functional.dropout(x, 0.5, training=False) is x
        True
    """
    _check_p(p)
    if not training or p == 0:
        return input
    return _apply(input, p, False, False, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    r"""Dropout for SELU networks: dropped units take SELU's saturation value and an affine map
    keeps the mean and variance of the input."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _apply(input, p, False, True, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    r"""Alpha dropout of whole channels (dim 1)."""
    _check_p(p)
    if not training or p == 0:
        return input
    if input._data.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _apply(input, p, True, True, inplace)


def _feature(input, p, training, inplace, batched):
    if not batched:
        input = input.unsqueeze(0)
    if training and p != 0:
        out = _apply(input, p, True, False, inplace)
    else:
        out = input
    return out if batched else out.squeeze(0)


_NOTE = ("Note that dropout{n}d exists to provide channel-wise dropout on inputs with {n} spatial "
         "dimension{s}, a channel dimension, and an optional batch dimension (i.e. {a}D or {b}D "
         "inputs).")


def dropout1d(input, p=0.5, training=True, inplace=False):
    r"""Zero whole channels of a ``(N, C, L)`` or ``(C, L)`` input with probability ``p``."""
    _check_p(p)
    ndim = input._data.ndim
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. "
                           + _NOTE.format(n=1, s="", a=2, b=3))
    return _feature(input, p, training, inplace, ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    r"""Zero whole channels of a ``(N, C, H, W)`` or ``(C, H, W)`` input with probability ``p``."""
    _check_p(p)
    ndim = input._data.ndim
    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. "
                      + _NOTE.format(n=2, s="s", a=3, b=4), stacklevel=2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape "
                      "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch "
                      "to using dropout1d instead.", stacklevel=2)
    if ndim < 2:
        return dropout(input, p, training, inplace)
    return _feature(input, p, training, inplace, True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    r"""Zero whole channels of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input with probability
    ``p``."""
    _check_p(p)
    ndim = input._data.ndim
    if ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. "
                      + _NOTE.format(n=3, s="s", a=4, b=5), stacklevel=2)
    if ndim < 2:
        return dropout(input, p, training, inplace)
    return _feature(input, p, training, inplace, ndim != 4)
