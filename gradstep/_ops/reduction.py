"""Reductions and their relatives: sums, means, extrema, statistics, norms, softmax, sort, topk.

Every reduction takes ``dim`` as torch does (``None`` or ``()`` for all dims, an int, or a tuple;
negative dims wrap; a 0-dim tensor accepts ``dim=0`` and ``dim=-1``) and ``keepdim``. Backward
formulas put the reduced dims back (``_unreduce``) and broadcast. Ops that pick elements
(``max``, ``median``, ``amax``...) route the gradient through a constant weight array computed in
forward (a one-hot of the chosen index, or ties weighted evenly), written ``weights * grad`` so it
runs on arrays and, under ``create_graph=True``, on Tensors. Ops returning values and indices
return torch's named tuples (``torch.return_types.max(values=..., indices=...)``).
"""
import builtins
import collections
import functools
import warnings

import numpy as np

from .. import _dtype
from ..autograd.graph import Op
from ._util import exact_ops, inplace, is_tensor, scalar_type_name, wrap_dim, write_out

__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
           "argmax", "argmin", "var", "std", "var_mean", "std_mean", "norm", "logsumexp",
           "cumsum", "cumprod", "sort", "argsort", "msort", "topk", "kthvalue", "median", "mode",
           "count_nonzero", "softmax", "log_softmax", "vector_norm", "matrix_norm", "linalg_norm",
           "return_types"]

_INF = float("inf")


# ----- named return types (torch.return_types) -----

def _return_type(name, fields):
    """A named tuple class printed as torch prints its structseq ``torch.return_types.<name>``."""
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__str__": __repr__,
                                "__module__": "gradstep.return_types", "__qualname__": name})


class return_types:  # noqa: N801 (torch's namespace name)
    """The named tuples returned by ops giving values and indices (``torch.return_types``)."""

    max = _return_type("max", ["values", "indices"])
    min = _return_type("min", ["values", "indices"])
    sort = _return_type("sort", ["values", "indices"])
    topk = _return_type("topk", ["values", "indices"])
    kthvalue = _return_type("kthvalue", ["values", "indices"])
    median = _return_type("median", ["values", "indices"])
    mode = _return_type("mode", ["values", "indices"])
    aminmax = _return_type("aminmax", ["min", "max"])


# ----- helpers -----

def _plain(array):
    """A non-differentiable result (indices, counts) as a Tensor."""
    from .. import _tensor
    return _tensor.Tensor._make(array)


def _dims(dim, ndim):
    """Reduced dims as a tuple of non-negative ints: ``None`` and ``()`` mean all dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dims = (wrap_dim(dim, ndim),)
    else:
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        seen = set()
        for d in dims:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    if ndim == 0:
        return ()
    return dims if dims else tuple(range(ndim))


def _unreduce(grad, ctx):
    """The gradient of a reduced output with the reduced dims put back as size 1."""
    return grad if ctx.keepdim else np.expand_dims(grad, ctx.dims)


def _numel(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _resolve(dtype):
    from .._creation import _resolve_dtype
    return _resolve_dtype(dtype)


def _cast(input, dtype):
    """``input`` converted to ``dtype`` (differentiably), or unchanged when ``dtype`` is None."""
    if dtype is None:
        return input
    d = _resolve(dtype)
    return input if input._data.dtype == d.np else input.to(d)


def _default_float(input):
    if input._data.dtype.kind in "biu":
        return input.to(_dtype.get_default_dtype())
    return input


def _type_name(input):
    return scalar_type_name(input._data.dtype)


def _check_nonempty_dims(name, x, dims, sep="():"):
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{name}{sep} Expected reduction dim {d} to have non-zero size.")


def _dim_required(name, x):
    if x.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")


def _missing_dim(name):
    return TypeError(f'{name}() missing 1 required positional arguments: "dim"')


def _write_out(result, out):
    """Copy ``result`` (a tensor or a named tuple of them) into ``out=`` as torch does."""
    if isinstance(result, tuple):
        return type(result)(*(write_out(r, o) for r, o in zip(result, out)))
    return write_out(result, out)


def _with_out(fn):
    """Give ``fn`` torch's ``out=`` keyword."""
    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        return result if out is None else _write_out(result, out)
    return wrapper


_NO_DIM = object()


def _spread(mask, axes, dtype):
    """``mask / count`` along ``axes``, in ``dtype``."""
    count = np.sum(mask, axis=axes, keepdims=True)
    return (mask / count).astype(dtype)


# ----- sum, nansum, mean, nanmean, prod -----

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
        return np.broadcast_to(_unreduce(grad, ctx), ctx.shape)


def _sum_dtype(x, dtype):
    if x._data.dtype.kind in "biu":
        return np.dtype(np.int64)  # integer sums accumulate in int64, as torch
    return x._data.dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, out=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple); integers sum in int64.

    Example::

        >>> import gradstep as torch
        >>> torch.ones(2, 3).sum(1).tolist()
        [3.0, 3.0]
    """
    if out is not None:
        return _write_out(sum(input, dim, keepdim, dtype=dtype, axis=axis), out)
    if axis is not None:
        dim = axis
    input = _cast(input, dtype)  # torch converts first; the cast is differentiable
    np_dtype = _sum_dtype(input, None)
    if dim is None and not keepdim:
        return SumAll.apply(input, np_dtype)
    dims = _dims(dim, input._data.ndim)
    return SumDim.apply(input, dims, keepdim, np_dtype)


class Nansum(Op):
    """z = sum of the non-NaN x;  dz/dx = 1 where x is not NaN, else 0."""
    name_ = "NansumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.save_for_backward(x)
        ctx.shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        return np.asarray(np.nansum(x, axis=dims, keepdims=keepdim, dtype=np_dtype))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return np.where(np.isnan(x), 0, np.broadcast_to(_unreduce(grad, ctx), ctx.shape))


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero."""
    input = _cast(input, dtype)
    np_dtype = _sum_dtype(input, None)
    if np_dtype.kind != "f":
        dims = _dims(dim, input._data.ndim)
        return _plain(np.asarray(np.sum(input._data, axis=dims, keepdims=keepdim, dtype=np_dtype)))
    return Nansum.apply(input, _dims(dim, input._data.ndim), keepdim, np_dtype)


class MeanDim(Op):
    """z = sum(x, dims) / n;  dz/dx = grad / n broadcast back."""
    name_ = "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        n = _numel(x.shape, dims)
        ctx.shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.n = n
        return np.asarray(np.sum(x, axis=dims, keepdims=keepdim) / n)

    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(_unreduce(grad, ctx) / ctx.n, ctx.shape)


class MeanAll(MeanDim):
    name_ = "MeanBackward0"


def _float_only(input, dtype, name):
    if dtype is not None:
        d = _resolve(dtype)
        if d.np.kind != "f":
            raise RuntimeError(f"{name}(): could not infer output dtype. Optional dtype must be "
                               f"either a floating point or complex dtype. Got: "
                               f"{scalar_type_name(d.np)}")
        return _cast(input, d)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_type_name(input)}")
    return input


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, out=None):
    """Mean of all elements or over ``dim``; floating point (or ``dtype=``) input only.

    Example::

        >>> import gradstep as torch
        >>> torch.tensor([[1., 2.], [3., 5.]]).mean(0).tolist()
        [2.0, 3.5]
    """
    if out is not None:
        return _write_out(mean(input, dim, keepdim, dtype=dtype, axis=axis), out)
    if axis is not None:
        dim = axis
    input = _float_only(input, dtype, "mean")
    ndim = input._data.ndim
    if dim is None and not keepdim:
        return MeanAll.apply(input, tuple(range(ndim)), False)
    return MeanDim.apply(input, _dims(dim, ndim), keepdim)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of the non-NaN elements."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but "
                           f"got {_type_name(input)}")
    input = _cast(input, dtype)
    dims = _dims(dim, input._data.ndim)
    count = np.sum(~np.isnan(input._data), axis=dims, keepdims=keepdim)
    return nansum(input, dims, keepdim) / _plain(np.asarray(count))


def _without_each(xm):
    """``rows[..., i, j]``: x_j, with 1 on the diagonal (x_i left out), for the last dim of xm."""
    n = xm.shape[-1]
    return np.where(np.eye(n, dtype=bool), 1, np.expand_dims(xm, -2))


def _others_product(x, dims):
    """For each element, the product of the other elements over ``dims`` (differentiable)."""
    if x.ndim == 0:
        return x * 0 + 1
    if len(dims) != 1:
        return np.reshape(_others_product(np.reshape(x, (-1,)), (0,)), x.shape)
    d = dims[0]
    others = np.prod(_without_each(np.moveaxis(x, d, -1)), axis=-1)
    return np.moveaxis(others, -1, d)


class ProdDim(Op):
    """z = prod(x, dims);  dz/dx_i = prod of the other elements (correct with zeros in x)."""
    name_ = "ProdBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.save_for_backward(x)
        ctx.shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        return np.asarray(np.prod(x, axis=dims, keepdims=keepdim, dtype=np_dtype))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        dims = ctx.dims
        if is_tensor(x) and (x._data == 0).any():
            # create_graph with zeros: the O(n^2) form keeps second derivatives exact
            return _others_product(x, dims) * np.broadcast_to(_unreduce(grad, ctx), ctx.shape)
        zero = x == 0
        zeros = np.sum(zero, axis=dims, keepdims=True)
        x1 = np.where(zero, 1, x)
        others = np.prod(x1, axis=dims, keepdims=True) / x1
        # No zero: prod / x_i. One zero: only that element gets (the product of the others).
        keep = (zeros == 0) | ((zeros == 1) & zero)
        return np.where(keep, others, 0) * np.broadcast_to(_unreduce(grad, ctx), ctx.shape)


class ProdAll(ProdDim):
    name_ = "ProdBackward0"


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or over one ``dim``; integers multiply in int64."""
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    input = _cast(input, dtype)
    np_dtype = np.dtype(np.int64) if input._data.dtype.kind in "biu" else None
    ndim = input._data.ndim
    if dim is None:
        return ProdAll.apply(input, tuple(range(ndim)), False, np_dtype)
    return ProdDim.apply(input, _dims(dim, ndim), keepdim, np_dtype)


# ----- extrema -----

class MaxAll(Op):
    """z = max(x);  dz/dx splits the gradient evenly among the maximal elements (NaN counts)."""
    name_ = "MaxBackward1"
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, x):
        out = np.asarray(cls.reduce(x))
        if ctx.needs_input_grad:
            mask = (x == out) | (np.isnan(x) & np.isnan(out))
            ctx.weights = (mask / np.sum(mask)).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return ctx.weights * grad


class MinAll(MaxAll):
    name_ = "MinBackward1"
    reduce = staticmethod(np.min)


class Amax(Op):
    """z = amax(x, dims);  dz/dx splits the gradient evenly among the maximal elements."""
    name_ = "AmaxBackward0"
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        out = cls.reduce(x, axis=dims, keepdims=True)
        if ctx.needs_input_grad:
            ctx.dims = dims
            ctx.keepdim = keepdim
            ctx.weights = _spread(x == out, dims, x.dtype)
        return np.asarray(out if keepdim else np.squeeze(out, dims))

    @staticmethod
    def backward(ctx, grad):
        return ctx.weights * _unreduce(grad, ctx)


class Amin(Amax):
    name_ = "AminBackward0"
    reduce = staticmethod(np.min)


class AminmaxMax(Amax):
    name_ = "AminmaxBackward0"


class AminmaxMin(Amin):
    name_ = "AminmaxBackward0"


class MaxDim(Op):
    """z = x at the given index along a dim (max, min, median, mode, kthvalue with ``dim``);
    dz/dx = the gradient at that index, zero elsewhere."""
    name_ = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, index, dims, keepdim):
        # index: int64 indices with the reduced dim kept (size 1); dims: () for a 0-dim input
        if not dims:
            return x.copy()
        d = dims[0]
        out = np.take_along_axis(x, index, axis=d)
        if ctx.needs_input_grad:
            ctx.dims = dims
            ctx.keepdim = keepdim
            shape = [1] * x.ndim
            shape[d] = x.shape[d]
            ctx.weights = (np.arange(x.shape[d]).reshape(shape) == index).astype(x.dtype)
        return out if keepdim else np.squeeze(out, d)

    @staticmethod
    def backward(ctx, grad):
        if not getattr(ctx, "dims", ()):
            return grad
        return ctx.weights * _unreduce(grad, ctx)


class MinDim(MaxDim):
    name_ = "MinBackward0"


class MedianDim(MaxDim):
    name_ = "MedianBackward1"


class ModeDim(MaxDim):
    name_ = "ModeBackward0"


class KthvalueDim(MaxDim):
    name_ = "KthvalueBackward0"


def _pick(op, result_type, input, index, d, keepdim):
    """Apply a MaxDim-like op given int64 ``index`` (reduced dim kept); build the named tuple."""
    x = input._data
    if x.ndim == 0:
        return result_type(op.apply(input, None, (), keepdim), _plain(np.zeros((), np.int64)))
    values = op.apply(input, index, (d,), keepdim)
    return result_type(values, _plain(index if keepdim else np.squeeze(index, d)))


def _extremum_dim(name, input, dim, keepdim):
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _pick(MaxDim if name == "max" else MinDim, getattr(return_types, name), input,
                     None, d, keepdim)
    _check_nonempty_dims(name, x, (d,))
    index = (np.argmax if name == "max" else np.argmin)(x, axis=d, keepdims=True)
    return _pick(MaxDim if name == "max" else MinDim, getattr(return_types, name), input,
                 index.astype(np.int64, copy=False), d, keepdim)



@_with_out
def max(input, dim=None, keepdim=False, *, other=None):
    """The largest element; with ``dim``, ``(values, indices)`` along it; with a tensor, maximum.

    NaN propagates. ``max(input)`` splits the gradient among ties; ``max(input, dim)`` gives it
    to the returned index.

    Example::

        >>> import gradstep as torch
        >>> torch.max(torch.tensor([[1., 5.], [7., 2.]]), 1).indices.tolist()
        [1, 0]
    """
    if other is not None or is_tensor(dim):
        import gradstep
        return gradstep.maximum(input, dim if other is None else other)
    if dim is None:
        _dim_required("max", input._data)
        return MaxAll.apply(input)
    return _extremum_dim("max", input, dim, keepdim)


@_with_out
def min(input, dim=None, keepdim=False, *, other=None):
    """The smallest element; with ``dim``, ``(values, indices)`` along it; with a tensor,
    minimum."""
    if other is not None or is_tensor(dim):
        import gradstep
        return gradstep.minimum(input, dim if other is None else other)
    if dim is None:
        _dim_required("min", input._data)
        return MinAll.apply(input)
    return _extremum_dim("min", input, dim, keepdim)


def _amax_like(op, name, input, dim, keepdim):
    x = input._data
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        _dim_required(name, x)
    dims = _dims(dim, x.ndim)
    _check_nonempty_dims(name, x, dims)
    return op.apply(input, dims, keepdim)


@_with_out
def amax(input, dim=(), keepdim=False):
    """The maximum over ``dim`` (all dims by default); the gradient is split evenly among ties."""
    return _amax_like(Amax, "amax", input, dim, keepdim)


@_with_out
def amin(input, dim=(), keepdim=False):
    """The minimum over ``dim`` (all dims by default); the gradient is split evenly among ties."""
    return _amax_like(Amin, "amin", input, dim, keepdim)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over all elements or one ``dim``."""
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = tuple(range(x.ndim))
    else:
        dims = _dims(dim, x.ndim)
        _check_nonempty_dims("aminmax", x, dims, sep=":")
    return return_types.aminmax(AminmaxMin.apply(input, dims, keepdim),
                                AminmaxMax.apply(input, dims, keepdim))


def _arg_extremum(name, fn, input, dim, keepdim):
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        index = np.asarray(fn(x), dtype=np.int64)
        return _plain(index.reshape((1,) * x.ndim) if keepdim else index)
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _plain(np.zeros((), np.int64))
    _check_nonempty_dims(name, x, (d,))
    return _plain(np.asarray(fn(x, axis=d, keepdims=keepdim), dtype=np.int64))


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the (first) largest element, of the flattened input or along ``dim``."""
    return write_out(_arg_extremum("argmax", np.argmax, input, dim, keepdim), out)


def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the (first) smallest element, of the flattened input or along ``dim``."""
    return write_out(_arg_extremum("argmin", np.argmin, input, dim, keepdim), out)


def count_nonzero(input, dim=None):
    """Number of non-zero elements, in all or over ``dim`` (an int or a tuple); int64."""
    x = input._data
    dims = _dims(dim, x.ndim)
    return _plain(np.asarray(np.count_nonzero(x, axis=dims), dtype=np.int64))


# ----- statistics -----

class Var(Op):
    """z = sum((x - mean)^2) / (n - correction);  dz/dx = 2 (x - mean) / (n - correction)."""
    name_ = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.keepdim = keepdim
        n = _numel(x.shape, dims)
        ctx.dof = dof = builtins.max(0, n - correction)
        centered = x - np.sum(x, axis=dims, keepdims=True) / n
        return np.asarray(np.sum(centered * centered, axis=dims, keepdims=keepdim) / dof)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        centered = x - np.mean(x, axis=ctx.dims, keepdims=True)
        scale = 2.0 / ctx.dof if ctx.dof else _INF
        return _unreduce(grad, ctx) * (centered * scale)


class Std(Op):
    """z = sqrt(var(x));  dz/dx = (x - mean) / ((n - correction) z), 0 where z = 0."""
    name_ = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        ctx.dims = dims
        ctx.keepdim = keepdim
        n = _numel(x.shape, dims)
        ctx.dof = dof = builtins.max(0, n - correction)
        centered = x - np.sum(x, axis=dims, keepdims=True) / n
        out = np.asarray(np.sqrt(np.sum(centered * centered, axis=dims, keepdims=keepdim) / dof))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        centered = x - np.mean(x, axis=ctx.dims, keepdims=True)
        out = _unreduce(out, ctx)
        safe = np.where(out == 0, _INF, out)  # a constant slice: torch's gradient is 0
        return _unreduce(grad, ctx) * (centered / (safe * ctx.dof))


class VarMeanVar(Var):
    name_ = "VarMeanBackward0"


class VarMeanMean(MeanDim):
    name_ = "VarMeanBackward0"


class StdMeanStd(Std):
    name_ = "StdMeanBackward0"


class StdMeanMean(MeanDim):
    name_ = "StdMeanBackward0"


def _var_args(name, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    x = input._data
    dims = _dims(dim, x.ndim)
    n = _numel(x.shape, dims)
    if n - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return dims, keepdim, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` with Bessel's correction by default (``correction=1``).

    Example::

        >>> import gradstep as torch
        >>> round(torch.tensor([1., 2., 4.]).var().item(), 4)
        2.3333
    """
    return Var.apply(input, *_var_args("var", input, dim, unbiased, keepdim, correction))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over ``dim`` (``correction=1`` by default)."""
    return Std.apply(input, *_var_args("std", input, dim, unbiased, keepdim, correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    dims, keepdim, correction = _var_args("var_mean", input, dim, unbiased, keepdim, correction)
    return VarMeanVar.apply(input, dims, keepdim, correction), \
        VarMeanMean.apply(input, dims, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    dims, keepdim, correction = _var_args("std_mean", input, dim, unbiased, keepdim, correction)
    return StdMeanStd.apply(input, dims, keepdim, correction), \
        StdMeanMean.apply(input, dims, keepdim)


# ----- norms -----

def _ord_name(ord):
    if ord == _INF:
        return "inf"
    if ord == -_INF:
        return "-inf"
    return str(ord)


class VectorNorm(Op):
    """z = (sum |x|^p)^(1/p) (p = 2, inf, -inf, 0 or any p but 1, which is ``VectorNorm1``);
    dz/dx = x |x|^(p-2) / z^(p-1), ties split evenly for p = +-inf, none for p = 0."""
    name_ = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.ord = ord
        if ord == 2:
            out = np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim))
        elif ord == _INF or ord == -_INF:
            ax = np.abs(x)
            out = (np.max if ord > 0 else np.min)(ax, axis=dims, keepdims=True)
            if ctx.needs_input_grad:
                ctx.weights = np.sign(x) * _spread(ax == out, dims, x.dtype)
            if not keepdim:
                out = np.squeeze(out, dims)
        elif ord == 0:
            out = np.sum(x != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
        else:
            out = np.sum(np.abs(x) ** ord, axis=dims, keepdims=keepdim) ** (1.0 / ord)
        out = np.asarray(out, dtype=x.dtype)
        if ord not in (0, _INF, -_INF):
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        ord = ctx.ord
        if ord == 0:
            return None
        g = _unreduce(grad, ctx)
        if ord == _INF or ord == -_INF:
            return ctx.weights * g
        x, out = ctx._arrays
        out = _unreduce(out, ctx)
        if ord == 2:
            # out = 0 only when the whole slice is 0; dividing by 1 there gives torch's 0
            return g * (x / np.where(out == 0, 1, out))
        scaled = x * np.power(np.where(x == 0, 1, np.abs(x)), ord - 2)
        return g * (scaled / np.power(np.where(out == 0, 1, out), ord - 1)) * (out != 0)


def _check_float(name, input):
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(input)}")


@_with_out
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ``ord``-norm of ``x`` over ``dim`` (all elements by default)."""
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    _check_float("linalg.vector_norm", x)
    if dtype is not None:
        d = _resolve(dtype)
        if np.dtype(d.np).itemsize < x._data.dtype.itemsize:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_type_name(x)}) "
                               f"should be convertible without narrowing to the specified dtype "
                               f"({scalar_type_name(d.np)})")
        x = _cast(x, d)
    data = x._data
    dims = _dims(dim, data.ndim)
    if ord == _INF or ord == -_INF:
        if dim is None and data.size == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm on an "
                               "empty tensor because the operation does not have an identity")
        for d in dims:
            if data.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm "
                                   f"on the dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
    if ord == 1:
        return VectorNorm1.apply(x, dims, keepdim)
    return VectorNorm.apply(x, float(ord), dims, keepdim)


class VectorNorm1(Op):
    """z = sum |x|;  dz/dx = sign(x)."""
    name_ = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.dims = dims
        ctx.keepdim = keepdim
        if ctx.needs_input_grad:
            ctx.sign = np.sign(x)
        return np.asarray(np.sum(np.abs(x), axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        return ctx.sign * _unreduce(grad, ctx)


@_with_out
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm ``ord`` ('fro', 'nuc', 1, -1, 2, -2, inf, -inf) over the two dims ``dim``."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    _check_float("linalg.matrix_norm", A)
    dim = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dim)}")
    d0, d1 = (wrap_dim(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    A = _cast(A, dtype)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in (1, -1, _INF, -_INF) and not isinstance(ord, bool):
        import gradstep
        # 1: largest column sum (sum over rows d0, then max over d1); inf: the transpose
        inner, outer = (d0, d1) if abs(ord) == 1 else (d1, d0)
        sums = sum(gradstep.abs(A), inner, keepdim=True)
        return (amax if ord > 0 else amin)(sums, outer if keepdim else (inner, outer), keepdim)
    if ord in ("nuc", 2, -2):
        import gradstep
        svdvals = getattr(gradstep.linalg, "svdvals", None)
        if svdvals is None:
            raise NotImplementedError(f"matrix_norm(ord={ord!r}) needs gradstep.linalg.svdvals")
        moved = A.movedim((d0, d1), (-2, -1))
        s = svdvals(moved)
        r = sum(s, -1) if ord == "nuc" else (amax(s, -1) if ord == 2 else amin(s, -1))
        if keepdim:
            for d in sorted((d0, d1)):
                r = r.unsqueeze(d)
        return r
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


@_with_out
def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: a vector norm or, over two dims (or a 2-D input), a matrix norm."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    ndim = A._data.ndim
    if ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if ndim <= 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                       f"2D. Got {ndim}D.")


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: the Frobenius/2-norm by default, any vector ``p``-norm, or 'nuc'."""
    if out is not None:
        return _write_out(norm(input, p, dim, keepdim, dtype=dtype), out)
    if p is None:
        p = "fro"
    if isinstance(p, str):
        if p == "fro":
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        if p == "nuc":
            return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim,
                               dtype=dtype)
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


# ----- logsumexp, softmax, log_softmax -----

class Logsumexp(Op):
    """z = log(sum(exp(x))), computed as m + log(sum(exp(x - m)));  dz/dx = exp(x - z)."""
    name_ = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.dims = dims
        ctx.keepdim = keepdim
        if _numel(x.shape, dims) == 0:
            out = np.full(np.sum(x, axis=dims, keepdims=keepdim).shape, -np.inf, x.dtype)
        else:
            m = np.max(x, axis=dims, keepdims=True)
            m = np.where(np.isinf(m), 0, m)  # rows of +-inf: exp(x - 0) gives inf or 0
            out = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
            if not keepdim:
                out = np.squeeze(out, dims)
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        return _unreduce(grad, ctx) * np.exp(x - _unreduce(out, ctx))


@_with_out
def logsumexp(input, dim=_NO_DIM, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, without overflow; integers give float32."""
    if dim is _NO_DIM:
        raise _missing_dim("logsumexp")
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 2) must be tuple of ints, not "
                        "NoneType")
    input = _default_float(input)
    return Logsumexp.apply(input, _dims(dim, input._data.ndim), keepdim)


class Softmax(Op):
    """z = exp(x - max) / sum(exp(x - max));  dz/dx: grad_x = z (grad - sum(grad z))."""
    name_ = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, d):
        ctx.d = d
        if x.size == 0:
            out = x.copy()
        else:
            e = np.exp(x - np.max(x, axis=d, keepdims=True))
            out = e / np.sum(e, axis=d, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return out * (grad - np.sum(grad * out, axis=ctx.d, keepdims=True))


class LogSoftmax(Op):
    """z = x - max - log(sum(exp(x - max)));  dz/dx: grad_x = grad - exp(z) sum(grad)."""
    name_ = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, d):
        ctx.d = d
        if x.size == 0:
            out = x.copy()
        else:
            shifted = x - np.max(x, axis=d, keepdims=True)
            out = shifted - np.log(np.sum(np.exp(shifted), axis=d, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad - np.exp(out) * np.sum(grad, axis=ctx.d, keepdims=True)


def _softmax_args(kernel, input, dim, dtype):
    if dim is _NO_DIM or dim is None:
        raise _missing_dim(kernel)
    ndim = input._data.ndim
    d = wrap_dim(dim, ndim)
    if dtype is not None:
        input = _cast(input, dtype)
    elif input._data.dtype.kind != "f":
        impl = f"{kernel}_lastdim_kernel_impl" if d >= ndim - 1 else f"{kernel}_kernel_impl"
        raise NotImplementedError(f'"{impl}" not implemented for \'{_type_name(input)}\'')
    return input, (d if ndim else None)


def softmax(input, dim=_NO_DIM, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, as one numerically stable op.

    Example::

        >>> import gradstep as torch
        >>> torch.softmax(torch.tensor([0., 0.]), 0).tolist()
        [0.5, 0.5]
    """
    input, d = _softmax_args("softmax", input, dim, dtype)
    return Softmax.apply(input, d)


def log_softmax(input, dim=_NO_DIM, dtype=None):
    """``log(softmax(x))`` along ``dim``, as one numerically stable op."""
    input, d = _softmax_args("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(input, d)


# ----- cumulative ops -----

def _rev_cumsum(a, d):
    return np.flip(np.cumsum(np.flip(a, d), axis=d), d)


class Cumsum(Op):
    """z_i = sum_{j<=i} x_j;  dz/dx: grad_x_i = sum_{j>=i} grad_j."""
    name_ = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, d, np_dtype):
        ctx.d = d
        if d is None:
            return x.astype(np_dtype)
        return np.cumsum(x, axis=d, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad if ctx.d is None else _rev_cumsum(grad, ctx.d)


class Cumprod(Op):
    """z_i = prod_{j<=i} x_j;  dz/dx_i = sum_{j>=i} grad_j prod_{k<=j, k!=i} x_k (zeros handled)."""
    name_ = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, d, np_dtype):
        ctx.d = d
        out = x.astype(np_dtype) if d is None else np.cumprod(x, axis=d, dtype=np_dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        d = ctx.d
        if d is None:
            return grad
        zero = x == 0
        if isinstance(x, np.ndarray):
            if not zero.any():
                return _rev_cumsum(grad * out, d) / x
        elif (x._data == 0).any():
            # create_graph with zeros: sum_j grad_j C[i, j], C[i, j] = prod_{k<=j, k!=i} x_k,
            # an O(n^2) form whose own derivatives are exact
            n = x.shape[d]
            partial = np.cumprod(_without_each(np.moveaxis(x, d, -1)), axis=-1)
            upper = np.triu(np.ones((n, n), dtype=bool))  # j >= i
            g = np.sum(upper * (partial * np.expand_dims(np.moveaxis(grad, d, -1), -2)), axis=-1)
            return np.moveaxis(g, -1, d)
        zeros_so_far = np.cumsum(zero, axis=d)
        before = zeros_so_far == 0                   # positions before the first zero
        first = zero & (zeros_so_far == 1)           # the first zero itself
        g_before = _rev_cumsum(grad * out, d) / np.where(before, x, 1)
        # at the first zero: the products without it (later zeros still make them 0)
        g_first = _rev_cumsum(grad * np.cumprod(np.where(first, 1, x), axis=d), d)
        return np.where(before, g_before, np.where(first, g_first, 0))


def _cum_args(name, input, dim, dtype):
    if dim is _NO_DIM:
        raise _missing_dim(name)
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if dtype is not None:
        input = _cast(input, dtype)
        np_dtype = input._data.dtype
    elif x.dtype.kind in "biu":
        np_dtype = np.dtype(np.int64)
    else:
        np_dtype = x.dtype
    return input, (d if x.ndim else None), np_dtype


@_with_out
def cumsum(input, dim=_NO_DIM, *, dtype=None):
    """Cumulative sum along ``dim``; integers accumulate in int64."""
    return Cumsum.apply(*_cum_args("cumsum", input, dim, dtype))


@_with_out
def cumprod(input, dim=_NO_DIM, *, dtype=None):
    """Cumulative product along ``dim``; the gradient is exact where the input has zeros."""
    return Cumprod.apply(*_cum_args("cumprod", input, dim, dtype))


# ----- sorting -----

def _argsort(x, d, descending):
    """Stable argsort along ``d`` as int64; NaN sorts as the largest value."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable").astype(np.int64, copy=False)
    # stable descending: sort the reversed array ascending, reverse back, map the indices
    n = x.shape[d]
    index = np.argsort(np.flip(x, d), axis=d, kind="stable")
    return (n - 1 - np.flip(index, d)).astype(np.int64, copy=False)


class Sort(Op):
    """z = x permuted by ``index``;  dz/dx = grad permuted back (the inverse permutation)."""
    name_ = "SortBackward0"

    @staticmethod
    def forward(ctx, x, index, d):
        ctx.d = d
        if d is None:
            return x.copy()
        if ctx.needs_input_grad:
            ctx.index = index
        return np.take_along_axis(x, index, axis=d)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.d
        if d is None:
            return grad
        return np.take_along_axis(grad, np.argsort(ctx.index, axis=d), axis=d)


class Topk(Op):
    """z = the k elements of x at ``perm[:k]``;  dz/dx = grad at those elements, 0 elsewhere."""
    name_ = "TopkBackward0"

    @staticmethod
    def forward(ctx, x, perm, k, d):
        ctx.d = d
        if d is None:
            return x.copy()
        index = perm[(slice(None),) * d + (slice(0, k),)]
        if ctx.needs_input_grad:
            ctx.shape = x.shape
            inverse = np.argsort(perm, axis=d)  # rank of each element; < k: it was selected
            ctx.selected = inverse < k
            ctx.rank = np.minimum(inverse, builtins.max(k - 1, 0))
            ctx.k = k
        return np.take_along_axis(x, index, axis=d)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.d
        if d is None:
            return grad
        if ctx.k == 0:
            return np.broadcast_to(np.sum(grad) * 0, ctx.shape)
        return ctx.selected * np.take_along_axis(grad, ctx.rank, axis=d)


@_with_out
def sort(input, dim=-1, descending=False, *, stable=False):
    """``(values, indices)`` sorted along ``dim``; ties keep their order (a stable sort).

    Example::

        >>> import gradstep as torch
        >>> torch.sort(torch.tensor([3., 1., 2.])).indices.tolist()
        [1, 2, 0]
    """
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return return_types.sort(Sort.apply(input, None, None), _plain(np.zeros((), np.int64)))
    index = _argsort(x, d, descending)
    return return_types.sort(Sort.apply(input, index, d), _plain(index))


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _plain(np.zeros((), np.int64))
    return _plain(_argsort(x, d, descending))


def msort(input):
    """``input`` sorted along its first dim."""
    return sort(input, 0).values


@_with_out
def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if x.ndim == 0:
        return return_types.topk(Topk.apply(input, None, k, None), _plain(np.zeros((), np.int64)))
    perm = _argsort(x, d, largest)
    index = perm[(slice(None),) * d + (slice(0, k),)]
    return return_types.topk(Topk.apply(input, perm, k, d), _plain(np.ascontiguousarray(index)))


@_with_out
def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)`` of the k-th smallest element along ``dim``."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        if k != 1:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        return _pick(KthvalueDim, return_types.kthvalue, input, None, d, keepdim)
    _check_nonempty_dims("kthvalue", x, (d,))
    if k < 1 or k > x.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    index = np.take(_argsort(x, d, False), [k - 1], axis=d)
    return _pick(KthvalueDim, return_types.kthvalue, input, index, d, keepdim)


class MedianAll(Op):
    """z = the lower median of x (NaN if x has NaN);  dz/dx splits the gradient among ties."""
    name_ = "MedianBackward0"

    @staticmethod
    def forward(ctx, x):
        flat = x.reshape(-1)
        if flat.size == 0:
            out = np.asarray(np.nan if x.dtype.kind == "f" else np.iinfo(np.int64).min, x.dtype)
        elif x.dtype.kind == "f" and np.isnan(flat).any():
            out = np.asarray(np.nan, x.dtype)
        else:
            out = np.asarray(np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])
        if ctx.needs_input_grad:
            mask = (x == out) | (np.isnan(x) & np.isnan(out))
            ctx.weights = (mask / builtins.max(int(np.sum(mask)), 1)).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return ctx.weights * grad


@_with_out
def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``; NaN propagates."""
    x = input._data
    if dim is None:
        return MedianAll.apply(input)
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _pick(MedianDim, return_types.median, input, None, d, keepdim)
    _check_nonempty_dims("median", x, (d,))
    n = x.shape[d]
    index = np.take(_argsort(x, d, False), [(n - 1) // 2], axis=d)
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        index = np.where(nan.any(axis=d, keepdims=True), np.argmax(nan, axis=d, keepdims=True),
                         index)
    return _pick(MedianDim, return_types.median, input, index, d, keepdim)


@_with_out
def mode(input, dim=-1, keepdim=False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest such value) and
    the index of its last occurrence."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _pick(ModeDim, return_types.mode, input, None, d, keepdim)
    _check_nonempty_dims("mode", x, (d,))
    rows = np.moveaxis(x, d, -1).reshape(-1, x.shape[d])
    n = x.shape[d]
    found = np.empty(rows.shape[0], np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)
        value = values[np.argmax(counts)]  # np.unique sorts: the first maximum is the smallest
        found[r] = n - 1 - np.argmax(row[::-1] == value)
    shape = list(np.moveaxis(x, d, -1).shape[:-1])
    index = np.moveaxis(found.reshape(shape + [1]), -1, d)
    return _pick(ModeDim, return_types.mode, input, index, d, keepdim)


class Methods:
    """Tensor methods for reductions."""

    sum = sum
    nansum = nansum
    mean = mean
    nanmean = nanmean
    prod = prod
    max = max
    min = min
    amax = amax
    amin = amin
    aminmax = aminmax
    argmax = argmax
    argmin = argmin
    count_nonzero = count_nonzero
    var = var
    std = std
    norm = norm
    logsumexp = logsumexp
    softmax = softmax
    log_softmax = log_softmax
    cumsum = cumsum
    cumprod = cumprod
    sort = sort
    argsort = argsort
    msort = msort
    topk = topk
    kthvalue = kthvalue
    median = median
    mode = mode

    def cumsum_(self, dim, *, dtype=None):
        return inplace(self, cumsum, dim, dtype=dtype)

    def cumprod_(self, dim, *, dtype=None):
        return inplace(self, cumprod, dim, dtype=dtype)


# Ops that cannot produce inf/nan skip the quiet set-up (see Op.quiet).
exact_ops(globals(), ("MaxAll", "Amax", "MaxDim", "Sort", "Topk", "MedianAll"))
