"""Reductions: sum, mean, ... (being extended)."""
import numpy as np

from .. import _dtype
from ..autograd.graph import Op
from ._util import wrap_dims

__all__ = ["sum"]


class SumAll(Op):
    """z = sum(x);  dz/dx = 1 broadcast to x's shape."""
    name_ = "SumBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.shape = x.shape
        return np.asarray(np.sum(x, dtype=np_dtype))

    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(grad, ctx.shape)


class SumDim(Op):
    """z = sum(x, dims);  dz/dx = grad broadcast back over the summed dims."""
    name_ = "SumBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        return np.asarray(np.sum(x, axis=dims, keepdims=keepdim, dtype=np_dtype))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = np.expand_dims(grad, ctx.dims)
        return np.broadcast_to(grad, ctx.shape)


def _sum_dtype(x, dtype):
    if dtype is not None:
        from .._creation import _resolve_dtype
        return _resolve_dtype(dtype).np
    if x._data.dtype.kind in "biu":
        return np.dtype(np.int64)  # integer sums accumulate in int64, as torch
    return x._data.dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple)."""
    if axis is not None:
        dim = axis
    np_dtype = _sum_dtype(input, dtype)
    if dim is None:
        return SumAll.apply(input, np_dtype)
    dims = wrap_dims(dim, input._data.ndim)
    return SumDim.apply(input, dims, keepdim, np_dtype)


class Methods:
    sum = sum
