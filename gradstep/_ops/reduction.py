"""Reductions and their relatives: sums, means, extrema, statistics, norms, softmax, sort, topk.

Every reduction takes ``dim`` as torch does (``None`` or ``()`` for all dims, an int, or a tuple;
negative dims wrap; a 0-dim tensor accepts ``dim=0`` and ``dim=-1``) and ``keepdim``. Backward
formulas put the reduced dims back (``_unreduce``) and broadcast. Ops that pick elements
(``max``, ``median``, ``amax``...) route the gradient through a constant weight array computed in
forward (a one-hot of the chosen index, or ties weighted evenly), written ``weights * grad`` so it
runs on arrays and, under ``create_graph=True``, on Tensors. Ops returning values and indices
return torch's named tuples (``torch.return_types.max(values=..., indices=...)``).

Precision follows torch's CPU kernels: float16 sums accumulate in float32 and round once; var,
std, cumsum and cumprod accumulate float32 in float64; other float32 sums stay in float32.
Arguments are checked as torch's parser checks them (NumPy's ``axis=`` accepted, its TypeError
messages for a ``dim`` or ``keepdim`` of the wrong type): see ``_signature``.
"""
import builtins
import collections
import functools
import warnings

import numpy as np

from .. import _dtype
from ..autograd.graph import Op
from ._util import (exact_ops, inplace, is_tensor, plus_zero, scalar_type_name, wrap_dim,
                    write_out)

__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
           "argmax", "argmin", "var", "std", "var_mean", "std_mean", "norm", "logsumexp",
           "cumsum", "cumprod", "sort", "argsort", "msort", "topk", "kthvalue", "median",
           "nanmedian", "mode", "count_nonzero", "softmax", "log_softmax", "vector_norm",
           "matrix_norm", "linalg_norm", "svdvals", "return_types"]

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
    nanmedian = _return_type("nanmedian", ["values", "indices"])
    mode = _return_type("mode", ["values", "indices"])
    aminmax = _return_type("aminmax", ["min", "max"])


# ----- helpers -----

_DEFAULT = object()  # an argument left out
_NO_DIM = object()  # no dim given (where None is not the same)


def _plain(array):
    """A non-differentiable result (indices, counts) as a Tensor."""
    from .. import _tensor
    return _tensor.Tensor._make(array)


class _BadArgument(TypeError):
    """An argument of the wrong type, found inside an op: ``param`` is "dim" (a tuple where an
    int is needed, say), "keepdim" (not a bool), or None (arguments that fit none of the op's
    overloads). The op's public wrapper (``_signature``) turns it into torch's message, which
    depends on how the call spelled its arguments."""

    def __init__(self, param=None):
        super().__init__(param)
        self.param = param


def _is_int(d):
    return isinstance(d, (int, np.integer)) and not isinstance(d, bool)


def _int_dim(dim, ndim):
    """One dim, wrapped to a non-negative index; only an int will do."""
    if not _is_int(dim):
        raise _BadArgument("dim")
    return wrap_dim(dim, ndim)


def _dims(dim, ndim):
    """Reduced dims as a tuple of non-negative ints: ``None`` and ``()`` mean all dims."""
    if dim is None:
        return tuple(range(ndim))
    if _is_int(dim):
        dims = (wrap_dim(dim, ndim),)
    else:
        if not isinstance(dim, (tuple, list)) or not all(_is_int(d) for d in dim):
            raise _BadArgument("dim")
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        seen = set()
        for d in dims:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    if ndim == 0:
        return ()
    return dims if dims else tuple(range(ndim))


def _check_keepdim(keepdim):
    if keepdim is not True and keepdim is not False:
        raise _BadArgument("keepdim")


def _arg_type(value):
    """A value's type as torch's argument parser names it."""
    return "Tensor" if is_tensor(value) else type(value).__name__


def _argument_error(name, dim_type, overloads, param, at, args, kwargs, skip):
    """torch's TypeError for an argument of the wrong type (see ``_signature``): ``at`` is the
    parameter's index among the positional ones, ``skip`` 1 for a Tensor method.

    torch names the argument ("argument 'dim' (position 2) must be int, not tuple") when just
    one of the op's overloads takes as many arguments as the call gave (keyword-only ones
    counted), else it lists them all ("received an invalid combination of arguments - got
    (Tensor, tuple), but expected one of:").
    """
    given = len(args) - skip + len(kwargs)
    plausible = 1 if overloads is None else \
        builtins.sum(low <= given <= high for low, high in overloads)
    if param is None or plausible != 1:
        got = [_arg_type(a) for a in args[skip:]]
        got += [f"{k}={_arg_type(v)}" for k, v in kwargs.items()]
        return TypeError(f"{name}() received an invalid combination of arguments - got "
                         f"({', '.join(got)}), but expected one of:")
    if param in kwargs:
        where, value = "", kwargs[param]
    else:
        where, value = f" (position {at + 1 - skip})", args[at]
    wanted = "bool" if param == "keepdim" else dim_type
    return TypeError(f"{name}(): argument '{param}'{where} must be {wanted}, not "
                     f"{_arg_type(value)}")


def _signature(dim_at, dim_type, overloads=None, method_overloads=None, keepdim_at=_DEFAULT,
               check_keepdim=True, name=None):
    """Give a public reduction torch's argument handling around ``dim`` and ``keepdim``.

    - NumPy's spellings ``axis=`` (and ``keepdims=``, where the op has ``keepdim``) are accepted
      for ``dim`` and ``keepdim``, as torch accepts them.
    - An argument of the wrong type raises torch's TypeError (see ``_BadArgument`` and
      ``_argument_error``). ``dim_type`` is what torch calls the type ``dim`` needs ("int",
      "tuple of ints"); ``overloads`` and ``method_overloads`` give, for ops with several
      signatures, the least and most arguments each takes as ``torch.op(x, ...)`` and as
      ``x.op(...)`` (None: one signature). torch counts the tensor among the arguments of the
      function but not of the method: the wrapper's ``.method`` is the Tensor method.

    ``dim_at`` and ``keepdim_at`` are the indices of ``dim`` and ``keepdim`` among the op's
    positional parameters (``keepdim_at`` is ``dim_at + 1`` by default; None: the op has no
    ``keepdim``). ``check_keepdim=False``: the op checks ``keepdim`` itself. ``name`` is the op's
    name in torch's messages, where it differs from the function's.
    """
    if keepdim_at is _DEFAULT:
        keepdim_at = dim_at + 1

    def decorate(fn):
        op_name = name or fn.__name__

        def call(args, kwargs, skip):
            if "axis" in kwargs:
                if "dim" in kwargs or len(args) > dim_at:
                    raise TypeError(f"{op_name}() got an unexpected keyword argument 'axis'")
                kwargs["dim"] = kwargs.pop("axis")
            try:
                if keepdim_at is not None:
                    if "keepdims" in kwargs:
                        if "keepdim" in kwargs or len(args) > keepdim_at:
                            raise TypeError(f"{op_name}() got an unexpected keyword argument "
                                            "'keepdims'")
                        kwargs["keepdim"] = kwargs.pop("keepdims")
                    if check_keepdim:
                        _check_keepdim(kwargs["keepdim"] if "keepdim" in kwargs else
                                       args[keepdim_at] if len(args) > keepdim_at else False)
                return fn(*args, **kwargs)
            except _BadArgument as e:
                at = dim_at if e.param == "dim" else keepdim_at
                ranges = method_overloads if skip else overloads
                raise _argument_error(op_name, dim_type, ranges, e.param, at, args, kwargs,
                                      skip) from None

        @functools.wraps(fn)
        def function(*args, **kwargs):
            return call(args, kwargs, 0)

        @functools.wraps(fn)
        def method(*args, **kwargs):
            return call(args, kwargs, 1)

        function.method = method
        return function
    return decorate


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


def _check_nonempty_dims(name, x, dims, sep="():", given=None):
    """Raise torch's IndexError for an empty reduced dim, named as ``given`` (the dims as the
    caller wrote them, where torch's message repeats them) or else as wrapped."""
    for d, shown in zip(dims, dims if given is None else given):
        if x.shape[d] == 0:
            raise IndexError(f"{name}{sep} Expected reduction dim {shown} to have non-zero size.")


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


def _spread(mask, axes, dtype):
    """``mask / count`` along ``axes``, in ``dtype``."""
    count = np.sum(mask, axis=axes, keepdims=True)
    return (mask / count).astype(dtype)


# ----- accumulation -----
#
# The sums below call the ufunc (``np.add.reduce``) from gradstep's own lines: gradstep's
# warnings filter then keeps an overflow silent, as torch is; ``np.sum`` would warn from NumPy's
# Python frames, which that filter does not cover. float16 accumulates in float32 and is rounded
# once at the end, as torch does on the CPU (a float16 mean of [60000, 60000] is 60000, not inf).

_HALF = np.dtype(np.float16)
_FLOAT = np.dtype(np.float32)
_DOUBLE = np.dtype(np.float64)
_INT64 = np.dtype(np.int64)


def _wide(dtype):
    """The float dtype torch's CPU kernels accumulate var, std, cumsum and cumprod in."""
    return _FLOAT if dtype == _HALF else _DOUBLE


def _add_reduce(x, axis, keepdims, dtype=None):
    """The sum of array ``x`` over ``axis`` in ``dtype`` (x's own by default)."""
    if (x.dtype if dtype is None else dtype) == _HALF:
        return np.add.reduce(x, axis=axis, dtype=_FLOAT, keepdims=keepdims).astype(_HALF)
    return np.add.reduce(x, axis=axis, dtype=dtype, keepdims=keepdims)


def _mean_array(x, axis, keepdims, n):
    """The mean of array ``x`` over ``axis``, ``n`` elements each."""
    if x.dtype == _HALF:
        return (np.add.reduce(x, axis=axis, dtype=_FLOAT, keepdims=keepdims) / n).astype(_HALF)
    return np.add.reduce(x, axis=axis, keepdims=keepdims) / n


# ----- sum, nansum, mean, nanmean, prod -----

class SumAll(Op):
    """z = sum(x);  dz/dx = 1 broadcast to x's shape."""
    name_ = "SumBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.shape = x.shape
        return np.asarray(_add_reduce(x, None, False, np_dtype))

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
        return np.asarray(_add_reduce(x, dims, keepdim, np_dtype))

    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(_unreduce(grad, ctx), ctx.shape)


def _untyped_call_error(name, e, input, dim, keepdim):
    """torch's TypeError for sum and mean, which are on every training step and so go without
    ``_signature``'s wrapper: the message takes the call to be ``torch.sum(input, dim)`` (with
    ``keepdim`` when it is not False)."""
    args = (input, dim) if keepdim is False else (input, dim, keepdim)
    overloads = ((1, 2), (2, 5)) if name == "sum" else ((1, 3), (2, 5))
    return _argument_error(name, "tuple of ints", overloads, e.param,
                           1 if e.param == "dim" else 2, args, {}, 0)


def _sum_dtype(input, dtype):
    """The dtype torch sums (and multiplies) in: ``dtype`` when given, the input converted to it
    first (so an int8 sum wraps around in int8 and a bool sum is a logical or); else int64 for
    integers and bools, and the input's own dtype for floats."""
    if dtype is None and input._data.dtype.kind in "biu":
        return _INT64
    return input._data.dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None, out=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple); integers sum in int64.

    ``axis`` and ``keepdims`` are NumPy's names for ``dim`` and ``keepdim``, accepted as torch
    does.

    Example::

        >>> import gradstep as torch
        >>> torch.ones(2, 3).sum(1).tolist()
        [3.0, 3.0]
    """
    if out is not None:
        return _write_out(sum(input, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims), out)
    if axis is not None:
        if dim is not None:
            raise TypeError("sum() got an unexpected keyword argument 'axis'")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    input = _cast(input, dtype)  # torch converts first; the cast is differentiable
    np_dtype = _sum_dtype(input, dtype)
    if dim is None and not keepdim:
        return SumAll.apply(input, np_dtype)
    try:
        _check_keepdim(keepdim)
        dims = _dims(dim, input._data.ndim)
    except _BadArgument as e:
        raise _untyped_call_error("sum", e, input, dim, keepdim) from None
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
        return np.asarray(_add_reduce(np.where(x == x, x, 0), dims, keepdim, np_dtype))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        # multiplied by the not-NaN mask, not selected by it: an inf gradient (nanmean of an
        # all-NaN slice divides by 0) gives NaN at the NaN inputs, as torch's
        return np.broadcast_to(_unreduce(grad, ctx), ctx.shape) * (x == x)


@_signature(1, "tuple of ints")
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero."""
    input = _cast(input, dtype)
    np_dtype = _sum_dtype(input, dtype)
    dims = _dims(dim, input._data.ndim)
    if np_dtype.kind != "f":
        return _plain(np.asarray(np.add.reduce(input._data, axis=dims, keepdims=keepdim,
                                               dtype=np_dtype)))
    return Nansum.apply(input, dims, keepdim, np_dtype)


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
        return np.asarray(_mean_array(x, dims, keepdim, n))

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


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None, out=None):
    """Mean of all elements or over ``dim``; floating point (or ``dtype=``) input only.

    Example::

        >>> import gradstep as torch
        >>> torch.tensor([[1., 2.], [3., 5.]]).mean(0).tolist()
        [2.0, 3.5]
    """
    if out is not None:
        return _write_out(mean(input, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims),
                          out)
    if axis is not None:
        if dim is not None:
            raise TypeError("mean() got an unexpected keyword argument 'axis'")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    input = _float_only(input, dtype, "mean")
    ndim = input._data.ndim
    if dim is None and not keepdim:
        return MeanAll.apply(input, tuple(range(ndim)), False)
    try:
        _check_keepdim(keepdim)
        dims = _dims(dim, ndim)
    except _BadArgument as e:
        raise _untyped_call_error("mean", e, input, dim, keepdim) from None
    return MeanDim.apply(input, dims, keepdim)


@_signature(1, "tuple of ints")
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


def _exclusive_products(x, dims):
    """For each element of array ``x``, the product of the others over ``dims``, formed as (the
    product of those before it) * (the product of those after it, multiplied from the end):
    exact with zeros, and rounding and overflowing where torch's does."""
    if len(dims) != 1:
        return np.reshape(_exclusive_products(np.reshape(x, (-1,)), (0,)), x.shape)
    xm = np.moveaxis(x, dims[0], -1)
    before = np.ones_like(xm)
    before[..., 1:] = _accumulate(np.multiply, xm[..., :-1], -1)
    after = np.ones_like(xm)
    after[..., :-1] = _accumulate(np.multiply, xm[..., :0:-1], -1)[..., ::-1]
    return np.moveaxis(before * after, -1, dims[0])


class ProdDim(Op):
    """z = prod(x, dim);  dz/dx_i = the product of the other elements: z / x_i when x has no zero,
    else formed from the products before and after x_i (exact with zeros)."""
    name_ = "ProdBackward1"
    whole = False  # ProdAll: the product of every element

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        out = np.asarray(np.multiply.reduce(x, axis=dims, keepdims=keepdim, dtype=np_dtype))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        if x.ndim == 0:
            return grad  # torch passes it through, even where x is inf
        g = np.broadcast_to(_unreduce(grad, ctx), ctx.shape)
        zero = (x._data if is_tensor(x) else x) == 0
        if not zero.any():
            return g * (_unreduce(out, ctx) / x)
        if is_tensor(x):
            # create_graph with zeros: the O(n^2) form keeps second derivatives exact
            return _others_product(x, ctx.dims) * g
        if ctx.whole and np.count_nonzero(zero) > 1:
            return np.zeros(ctx.shape, grad.dtype)  # every product of the others has a zero
        return g * _exclusive_products(x, ctx.dims)


class ProdAll(ProdDim):
    name_ = "ProdBackward0"
    whole = True


@_signature(1, "int", ((1, 2), (2, 5)), ((0, 1), (1, 3)))
def prod(input, dim=_NO_DIM, keepdim=False, *, dtype=None):
    """Product of all elements, or over one ``dim``; integers multiply in int64."""
    if dim is not _NO_DIM and not _is_int(dim):
        raise _BadArgument("dim")
    input = _cast(input, dtype)
    np_dtype = _sum_dtype(input, dtype)
    ndim = input._data.ndim
    if dim is _NO_DIM:
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
            # saved (a constant), as torch saves its input and output: a backward frees it
            ctx.save_for_backward((mask / np.sum(mask)).astype(x.dtype))
        return out

    @staticmethod
    def backward(ctx, grad):
        weights, = ctx._arrays
        return plus_zero(weights * grad)


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
            ctx.save_for_backward(_spread(x == out, dims, x.dtype))  # see MaxAll
        return np.asarray(out if keepdim else np.squeeze(out, dims))

    @staticmethod
    def backward(ctx, grad):
        weights, = ctx._arrays
        return weights * _unreduce(grad, ctx)  # -0.0 where unselected, as torch's


class Amin(Amax):
    name_ = "AminBackward0"
    reduce = staticmethod(np.min)


class AminmaxMax(Amax):
    name_ = "AminmaxBackward0"
    _output_nr = 1  # aminmax returns (min, max)


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
            # saved (a constant), as torch saves the indices: a backward frees it
            ctx.save_for_backward((np.arange(x.shape[d]).reshape(shape) == index).astype(x.dtype))
        return out if keepdim else np.squeeze(out, d)

    @staticmethod
    def backward(ctx, grad):
        if not getattr(ctx, "dims", ()):
            return grad
        weights, = ctx._arrays
        return plus_zero(weights * _unreduce(grad, ctx))


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
    d = _int_dim(dim, x.ndim)
    if x.ndim == 0:
        return _pick(MaxDim if name == "max" else MinDim, getattr(return_types, name), input,
                     None, d, keepdim)
    _check_nonempty_dims(name, x, (d,))
    index = (np.argmax if name == "max" else np.argmin)(x, axis=d, keepdims=True)
    return _pick(MaxDim if name == "max" else MinDim, getattr(return_types, name), input,
                 index.astype(np.int64, copy=False), d, keepdim)



@_signature(1, "int", ((1, 2), (2, 3), (2, 4)), ((0, 0), (1, 1), (1, 2)))
@_with_out
def max(input, dim=_NO_DIM, keepdim=False, *, other=None):
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
    if dim is _NO_DIM:
        _dim_required("max", input._data)
        return MaxAll.apply(input)
    return _extremum_dim("max", input, dim, keepdim)


@_signature(1, "int", ((1, 2), (2, 3), (2, 4)), ((0, 0), (1, 1), (1, 2)))
@_with_out
def min(input, dim=_NO_DIM, keepdim=False, *, other=None):
    """The smallest element; with ``dim``, ``(values, indices)`` along it; with a tensor,
    minimum."""
    if other is not None or is_tensor(dim):
        import gradstep
        return gradstep.minimum(input, dim if other is None else other)
    if dim is _NO_DIM:
        _dim_required("min", input._data)
        return MinAll.apply(input)
    return _extremum_dim("min", input, dim, keepdim)


def _amax_like(op, name, input, dim, keepdim):
    x = input._data
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        _dim_required(name, x)
    elif x.ndim:
        # torch checks the dims one by one, in the order given, and names them so
        given = dim if isinstance(dim, (tuple, list)) else (dim,)
        for i, d in enumerate(given):
            _dims(given[:i + 1], x.ndim)  # a dim out of range or repeated
            _check_nonempty_dims(name, x, (wrap_dim(d, x.ndim),), given=(d,))
    return op.apply(input, _dims(dim, x.ndim), keepdim)


@_signature(1, "tuple of ints")
@_with_out
def amax(input, dim=(), keepdim=False):
    """The maximum over ``dim`` (all dims by default); the gradient is split evenly among ties."""
    return _amax_like(Amax, "amax", input, dim, keepdim)


@_signature(1, "tuple of ints")
@_with_out
def amin(input, dim=(), keepdim=False):
    """The minimum over ``dim`` (all dims by default); the gradient is split evenly among ties."""
    return _amax_like(Amin, "amin", input, dim, keepdim)


@_signature(1, "int")
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over all elements or one ``dim``."""
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = tuple(range(x.ndim))
    else:
        d = _int_dim(dim, x.ndim)
        dims = (d,) if x.ndim else ()
        _check_nonempty_dims("aminmax", x, dims, sep=":")
    return return_types.aminmax(AminmaxMin.apply(input, dims, keepdim),
                                AminmaxMax.apply(input, dims, keepdim))


def _arg_extremum(name, fn, input, dim, keepdim):
    x = input._data
    if dim is not None and not _is_int(dim):
        raise _BadArgument("dim")
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        index = np.asarray(fn(x), dtype=np.int64)
        return _plain(index.reshape((1,) * x.ndim) if keepdim else index)
    d = _int_dim(dim, x.ndim)
    if x.ndim == 0:
        return _plain(np.zeros((), np.int64))
    _check_nonempty_dims(name, x, (d,))
    return _plain(np.asarray(fn(x, axis=d, keepdims=keepdim), dtype=np.int64))


@_signature(1, "int")
def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the (first) largest element, of the flattened input or along ``dim``."""
    return write_out(_arg_extremum("argmax", np.argmax, input, dim, keepdim), out)


@_signature(1, "int")
def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the (first) smallest element, of the flattened input or along ``dim``."""
    return write_out(_arg_extremum("argmin", np.argmin, input, dim, keepdim), out)


@_signature(1, "int", ((1, 2), (2, 2)), ((0, 1), (1, 1)), keepdim_at=None)
def count_nonzero(input, dim=None):
    """Number of non-zero elements, in all or over ``dim`` (an int or a tuple); int64."""
    x = input._data
    dims = _dims(dim, x.ndim)
    return _plain(np.asarray(np.count_nonzero(x, axis=dims), dtype=np.int64))


# ----- statistics -----
#
# torch's CPU kernels accumulate var and std in float64 (float32 for float16 input), so squares
# of 1e20 or of 1e-30 survive in float32. Over every element of a float32 or float64 tensor they
# first take the input dtype's own mean (which overflows where a float32 sum does), then square
# the deviations in float64; over a dim, and in var_mean and std_mean, the mean is a running
# (Welford) mean in float64.

def _squared_deviations(x, dims, keepdims, n, own_mean):
    """sum((x - mean)^2) over ``dims`` of array ``x``, in torch's precision (see above);
    ``own_mean``: var and std (not var_mean and std_mean) over every element."""
    wide = x.astype(_wide(x.dtype), copy=False)
    if own_mean and n == x.size and x.dtype != _HALF:
        mean = np.asarray(np.add.reduce(x, axis=None) / n).astype(wide.dtype)
    else:
        mean = np.add.reduce(wide, axis=dims, keepdims=True) / n
    centered = wide - mean
    return np.add.reduce(centered * centered, axis=dims, keepdims=keepdims)


def _running_mean(x, dims, keepdims, n):
    """The mean that var_mean and std_mean return: in float64 (float32 for float16), and NaN
    where an infinite element is not the last of its slice, as a running mean turns it (inf
    plus (x - inf) / k)."""
    mean = np.add.reduce(x.astype(_wide(x.dtype), copy=False), axis=dims, keepdims=keepdims) / n
    if np.isinf(mean).any():
        nonfinite = np.add.reduce(~np.isfinite(x), axis=dims, keepdims=keepdims)
        last = x[tuple(-1 if d in dims else slice(None) for d in range(x.ndim))]
        if keepdims:
            last = np.expand_dims(last, dims)
        mean = np.where(np.isinf(mean) & ~((nonfinite == 1) & np.isinf(last)), np.nan, mean)
    return np.asarray(mean).astype(x.dtype)


def _mean_kept(x, dims):
    """The mean over ``dims`` kept as size 1, of an array or (under create_graph) a Tensor."""
    if is_tensor(x):
        return x.mean(dims, keepdim=True)
    return _mean_array(x, dims, True, _numel(x.shape, dims))


def _var_backward(ctx, x, g):
    """dvar/dx = g 2 (x - mean) / (n - correction), as torch computes it: the divisor keeps its
    sign when correction exceeds n; torch counts n as 1 when ``dim=()`` was given (its forward
    still reduces every element); and with no ``dim`` (or a 0-dim input) and correction >= n it
    is g * inf, NaN where x equals the mean (``ctx.divisor`` None); constant in x, so under
    create_graph it has no gradient of its own, as torch's."""
    mean = _mean_kept(x, ctx.dims)
    if ctx.divisor is None:
        return g * _INF * (x != mean)  # inf, NaN where x equals the mean (inf * 0)
    return g * ((x - mean) * (2.0 / ctx.divisor if ctx.divisor else _INF))


class Var(Op):
    """z = sum((x - mean)^2) / max(0, n - correction);  dz/dx = 2 (x - mean) / (n - correction)
    (see ``_var_backward``)."""
    name_ = "VarBackward0"
    own_mean = True  # var_mean's variance takes the running mean (see _squared_deviations)

    @classmethod
    def forward(cls, ctx, x, dims, keepdim, correction, divisor):
        ctx.save_for_backward(x)
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.divisor = divisor
        n = _numel(x.shape, dims)
        squares = _squared_deviations(x, dims, keepdim, n, cls.own_mean)
        return np.asarray(squares / builtins.max(0, n - correction)).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return _var_backward(ctx, x, _unreduce(grad, ctx))


class Std(Op):
    """z = sqrt(var(x));  dz/dx = dvar/dx at grad / (2 z), which torch sets to 0 where z = 0."""
    name_ = "StdBackward0"
    own_mean = True

    @classmethod
    def forward(cls, ctx, x, dims, keepdim, correction, divisor):
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.divisor = divisor
        n = _numel(x.shape, dims)
        squares = _squared_deviations(x, dims, keepdim, n, cls.own_mean)
        out = np.asarray(np.sqrt(squares / builtins.max(0, n - correction))).astype(x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        out = _unreduce(out, ctx)
        # a constant slice (z = 0): torch's gradient is 0
        g = np.where(out == 0, 0, _unreduce(grad, ctx) / (2 * out))
        return _var_backward(ctx, x, g)


class VarMeanVar(Var):
    name_ = "VarMeanBackward0"
    own_mean = False


class VarMeanMean(MeanDim):
    """The mean of var_mean: its value is the running mean (``_running_mean``); dz/dx = 1/n."""
    name_ = "VarMeanBackward0"
    _output_nr = 1  # var_mean and std_mean return (var or std, mean)

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        n = _numel(x.shape, dims)
        ctx.shape = x.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.n = n
        return _running_mean(x, dims, keepdim, n)


class StdMeanStd(Std):
    name_ = "StdMeanBackward0"
    own_mean = False


class StdMeanMean(VarMeanMean):
    name_ = "StdMeanBackward0"


def _var_args(name, input, dim, unbiased, keepdim, correction):
    """Check var's arguments against torch's overloads -- ``(dim, unbiased, keepdim)``,
    ``(dim, *, correction, keepdim)`` and ``(unbiased)`` -- and return ``(dims, keepdim,
    correction, divisor)`` for the ops (``divisor``: see ``_var_backward``)."""
    if isinstance(dim, bool):  # var(input, unbiased)
        if unbiased is not _DEFAULT:
            raise _BadArgument()
        dim, unbiased = None, dim
    if unbiased is not _DEFAULT and (correction is not None or not isinstance(unbiased, bool)):
        raise _BadArgument()
    if not isinstance(keepdim, bool):
        raise _BadArgument()
    if input._data.dtype.kind != "f":
        what = "std and var" if name in ("var", "std") else name
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if correction is None:
        correction = 0 if unbiased is False else 1
    x = input._data
    try:
        dims = _dims(dim, x.ndim)
    except _BadArgument:
        raise _BadArgument() from None
    n = _numel(x.shape, dims)
    # torch's count is input numel / output numel, 0 for an empty input
    if (n if x.size else 0) - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=5)  # the caller of var, past _signature
    if dim is None or x.ndim == 0:
        divisor = n - correction if n - correction > 0 else None
    else:
        divisor = (1 if isinstance(dim, (tuple, list)) and not dim else n) - correction
    return dims, keepdim, correction, divisor


@_signature(1, "tuple of ints", ((2, 5), (1, 5), (1, 2)), ((1, 3), (0, 3), (0, 1)), keepdim_at=3,
            check_keepdim=False)
def var(input, dim=None, unbiased=_DEFAULT, keepdim=False, *, correction=None):
    """Variance over ``dim`` with Bessel's correction by default (``correction=1``).

    Example::

        >>> import gradstep as torch
        >>> round(torch.tensor([1., 2., 4.]).var().item(), 4)
        2.3333
    """
    return Var.apply(input, *_var_args("var", input, dim, unbiased, keepdim, correction))


@_signature(1, "tuple of ints", ((2, 5), (1, 5), (1, 2)), ((1, 3), (0, 3), (0, 1)), keepdim_at=3,
            check_keepdim=False)
def std(input, dim=None, unbiased=_DEFAULT, keepdim=False, *, correction=None):
    """Standard deviation over ``dim`` (``correction=1`` by default)."""
    return Std.apply(input, *_var_args("std", input, dim, unbiased, keepdim, correction))


@_signature(1, "tuple of ints", ((2, 4), (1, 4), (1, 2)), keepdim_at=3, check_keepdim=False)
def var_mean(input, dim=None, unbiased=_DEFAULT, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    dims, keepdim, correction, divisor = _var_args("var_mean", input, dim, unbiased, keepdim,
                                                   correction)
    return VarMeanVar.apply(input, dims, keepdim, correction, divisor), \
        VarMeanMean.apply(input, dims, keepdim)


@_signature(1, "tuple of ints", ((2, 4), (1, 4), (1, 2)), keepdim_at=3, check_keepdim=False)
def std_mean(input, dim=None, unbiased=_DEFAULT, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    dims, keepdim, correction, divisor = _var_args("std_mean", input, dim, unbiased, keepdim,
                                                   correction)
    return StdMeanStd.apply(input, dims, keepdim, correction, divisor), \
        StdMeanMean.apply(input, dims, keepdim)


# ----- norms -----

def _ord_name(ord):
    """An order as torch's messages print it: inf, -inf, -1 (an integral float without '.0')."""
    if isinstance(ord, str):
        return ord
    if ord == _INF:
        return "inf"
    if ord == -_INF:
        return "-inf"
    return str(int(ord)) if float(ord).is_integer() else str(ord)


def _sgn(x):
    """torch's sgn of a real array or Tensor: sign(x), and 0 at NaN. Its derivative is 0, so a
    gradient built from it under create_graph depends on x, as torch's does."""
    return np.sign(np.where(x == x, x, 0))


class VectorNorm(Op):
    """z = (sum |x|^p)^(1/p); for p = inf / -inf the largest / smallest |x|, for p = 0 the count
    of non-zeros (p = 1 is ``VectorNorm1``). float16 accumulates in float32.

    dz/dx = x |x|^(p-2) z^(1-p) for p >= 2 and sgn(x) |x|^(p-1) z^(1-p) below, 0 where z = 0
    (and the |x|^(p-1) factor 0 at x = 0 for p < 1); for p = +-inf, sgn(x) at the extremal
    elements, split evenly among ties (none when the norm is NaN). Each case is composed as
    torch composes it, so second derivatives at zeros match torch's too (0 for p = 3 and 4, NaN
    for p = 2.5, 1 / z for p = 2 unless the whole slice is 0).
    """
    name_ = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim, single):
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.ord = ord
        if ord == _INF or ord == -_INF:
            ax = np.abs(x)
            out = (np.max if ord > 0 else np.min)(ax, axis=dims, keepdims=True)
            if ctx.needs_input_grad:
                extremal = ax == out
                count = np.add.reduce(extremal, axis=dims, keepdims=True, dtype=np.int64)
                ctx.weights = (extremal / np.maximum(count, 1)).astype(x.dtype)
                ctx.save_for_backward(x)
            return np.asarray(out if keepdim else np.squeeze(out, dims))
        if ord == 0:
            return np.asarray(np.add.reduce(x != 0, axis=dims, keepdims=keepdim, dtype=x.dtype))
        if single:  # one element per slice: |x| (see vector_norm)
            out = np.abs(x) if keepdim else np.abs(x).reshape(
                [n for d, n in enumerate(x.shape) if d not in dims])
        else:
            wide = x.astype(_FLOAT) if x.dtype == _HALF else x
            if ord == 2:
                out = np.sqrt(np.add.reduce(wide * wide, axis=dims, keepdims=keepdim))
            else:
                out = np.add.reduce(np.abs(wide) ** ord, axis=dims, keepdims=keepdim) ** (1 / ord)
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        ord = ctx.ord
        if ord == 0:
            return None
        g = _unreduce(grad, ctx)
        if ord == _INF or ord == -_INF:
            x, = ctx._arrays
            return _sgn(x) * (ctx.weights * g)
        x, out = ctx._arrays
        out = _unreduce(out, ctx)
        if ord == 2:
            return g * np.where(out == 0, 0, x / out)
        if ord < 1:
            return _sgn(x) * np.where(x == 0, 0, np.abs(x) ** (ord - 1)) * g * out ** (1 - ord)
        scaled = x * np.abs(x) ** (ord - 2) if ord > 2 else _sgn(x) * np.abs(x) ** (ord - 1)
        return scaled * np.where(out == 0, 0, g / out ** (ord - 1))


class VectorNorm1(Op):
    """z = sum |x|;  dz/dx = sgn(x) (0 at NaN)."""
    name_ = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.dims = dims
        ctx.keepdim = keepdim
        ctx.save_for_backward(x)
        return np.asarray(_add_reduce(np.abs(x), dims, keepdim))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        return _sgn(x) * _unreduce(grad, ctx)


def _check_float(name, input):
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(input)}")


@_signature(2, "tuple of ints", name="linalg_vector_norm")
@_with_out
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ``ord``-norm of ``x`` over ``dim`` (all elements by default).

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.vector_norm(torch.tensor([3., -4.]), 1).item()
        7.0
    """
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    _check_float("linalg.vector_norm", x)
    if dtype is not None:
        d = _resolve(dtype)
        if d.np.kind != "f":
            raise RuntimeError("linalg.vector_norm: dtype should be floating point or complex, but "
                               f"got {scalar_type_name(d.np)}")
        if np.dtype(d.np).itemsize < x._data.dtype.itemsize:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_type_name(x)}) "
                               f"should be convertible without narrowing to the specified dtype "
                               f"({scalar_type_name(d.np)})")
        x = _cast(x, d)
    data = x._data
    if ord < 0 or ord == _INF:
        # the max of no element, or a sum of |x|^p that is then inverted: no identity. torch
        # checks this before it looks for repeated dims.
        if (dim is None or isinstance(dim, (tuple, list)) and not dim) and data.size == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm on an "
                               "empty tensor because the operation does not have an identity")
        for shown in () if dim is None else dim if isinstance(dim, (tuple, list)) else (dim,):
            if _is_int(shown) and data.ndim and data.shape[wrap_dim(shown, data.ndim)] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm "
                                   f"on the dimension {shown}because this dimension is empty and "
                                   "the operation does not have an identity")
    dims = _dims(dim, data.ndim)
    if ord == 1:
        return VectorNorm1.apply(x, dims, keepdim)
    # torch takes the norm of single elements to be |x| (so 1e30 does not overflow in x^2),
    # except over dim 0 of a 0-dim tensor
    single = _numel(data.shape, dims) == 1 and (data.ndim > 0 or dim is None)
    return VectorNorm.apply(x, float(ord), dims, keepdim, single)


# ----- singular values (for the spectral and nuclear matrix norms) -----

def _mT(a):
    return np.swapaxes(a, -1, -2)


def _svd_backward(u, s, vh, gu, gv):
    """dA for A = U diag(s) V^T (reduced, real) from the gradients of U and of V:

        dA = U [(F o (U^T gU - gU^T U)) S + S (F o (V^T gV - gV^T V))] V^T
             + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T),

    F_ij = 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it: repeated singular values give inf and
    NaN, as torch's."""
    v = _mT(vh)
    s2 = s * s
    k = s.shape[-1]
    f = 1 / np.where(np.eye(k, dtype=bool), _INF, np.expand_dims(s2, -2) - np.expand_dims(s2, -1))
    ju = f * (_mT(u) @ gu - _mT(gu) @ u)
    jv = f * (_mT(v) @ gv - _mT(gv) @ v)
    ga = u @ (ju * np.expand_dims(s, -2) + np.expand_dims(s, -1) * jv) @ vh
    if u.shape[-2] > k:
        ga = ga + ((gu - u @ (_mT(u) @ gu)) / np.expand_dims(s, -2)) @ vh
    if v.shape[-2] > k:
        ga = ga + (u / np.expand_dims(s, -2)) @ _mT(gv - v @ (_mT(v) @ gv))
    return ga


class Svdvals(Op):
    """s = the singular values of A, descending (batched over leading dims);
    dA = U diag(ds) V^T from the reduced SVD A = U diag(s) V^T."""
    name_ = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a):
        # a matrix holding inf (svdvals refuses NaN before) gives NaN, as torch's LAPACK does;
        # LAPACK is not asked (it may never return on inf): it factors zeros there instead
        infinite = ~np.isfinite(a).all(axis=(-2, -1))
        if infinite.any():
            a = np.where(infinite[..., None, None], 0, a)
        if not ctx.needs_input_grad:
            s = np.linalg.svd(a, compute_uv=False)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            ctx.u, ctx.vh = u, vh  # (for an inf matrix those of zeros, as torch's gradient)
            ctx.save_for_backward(a)
        if infinite.any():
            s = np.where(infinite[..., None], np.nan, s)
        return s.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx._arrays
        if is_tensor(a):
            # create_graph: U and V depend on A as well
            return SvdvalsBackward.apply(a, grad)
        return (ctx.u * np.expand_dims(grad, -2)) @ ctx.vh


class SvdvalsBackward(Op):
    """z = U diag(g) V^T (svdvals' gradient), with A = U diag(s) V^T: dz/dg_k = u_k^T H v_k,
    dz/dA from the SVD's derivatives (``_svd_backward``) with gU = H V diag(g),
    gV = H^T U diag(g)."""
    name_ = "LinalgSvdBackwardBackward0"

    @staticmethod
    def forward(ctx, a, g):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.u, ctx.s, ctx.vh, ctx.g = u, s.astype(a.dtype, copy=False), vh, g
        return (u * np.expand_dims(g, -2)) @ vh

    @staticmethod
    def backward(ctx, h):
        u, s, vh, g = ctx.u, ctx.s, ctx.vh, ctx.g
        hv = h @ _mT(vh)
        gg = np.sum(u * hv, axis=-2)
        scale = np.expand_dims(g, -2)
        ga = _svd_backward(u, s, vh, hv * scale, (_mT(h) @ u) * scale)
        return ga, gg


def svdvals(A, *, driver=None, out=None):
    """The singular values of ``A`` (batched over its leading dims), in descending order.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.svdvals(torch.tensor([[3., 0.], [0., -4.]])).tolist()
        [4.0, 3.0]
    """
    data = A._data
    if data.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _check_float("linalg.svd", A)
    if data.dtype == _HALF:
        raise NotImplementedError("\"linalg_svd_cpu\" not implemented for 'Half'")
    finite = ~np.isnan(data).any(axis=(-2, -1))
    if not finite.all():
        # torch's LAPACK fails on a matrix holding NaN (on inf alone it returns NaN: Svdvals):
        # fail, naming the first of a batch
        where = f"(Batch element {np.argmin(finite.reshape(-1))}): " if data.ndim > 2 else ""
        raise _svd_error(f"{where}The algorithm failed to converge because the input matrix "
                         "contained non-finite values.")
    try:
        return write_out(Svdvals.apply(A), out)
    except np.linalg.LinAlgError:
        raise _svd_error("The algorithm failed to converge because the input matrix is "
                         "ill-conditioned or has too many repeated singular values.") from None


def _svd_error(why):
    """torch.linalg.LinAlgError where gradstep.linalg defines it, else its base RuntimeError."""
    import gradstep
    return getattr(gradstep.linalg, "LinAlgError", RuntimeError)(f"linalg.svd: {why}")


def _matrix_dims(dim, ndim):
    """The two dims of a matrix norm, wrapped, in the order given."""
    if not isinstance(dim, (tuple, list)) or not all(_is_int(d) for d in dim):
        raise _BadArgument("dim")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dim)}")
    d0, d1 = (wrap_dim(d, ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return d0, d1


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, _INF, -_INF)


def _empty_max_norm(A, dims, keepdim):
    """A norm that takes a maximum over nothing (ord 1 or inf with no columns or rows to choose
    from, 2 with no singular value): torch returns zeros, outside the graph."""
    shape = tuple(1 if d in dims else n for d, n in enumerate(A._data.shape)
                  if keepdim or d not in dims)
    return _plain(np.zeros(shape, A._data.dtype))


@_signature(2, "tuple of ints", ((2, 6), (1, 6)), name="linalg_matrix_norm")
@_with_out
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm ``ord`` ('fro', 'nuc', 1, -1, 2, -2, inf, -inf) over the two dims ``dim``.

    1 and -1 are the largest and smallest column sums of |A|, inf and -inf the row sums; 2, -2
    and 'nuc' the largest, smallest and summed singular values. On an empty matrix the norms
    that take a maximum are 0, as torch's; those that take a minimum have no identity.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.matrix_norm(torch.tensor([[1., -2.], [3., 4.]]), 1).item()
        6.0
    """
    data = A._data
    if data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {_ord_name(ord)} not supported.")
    _check_float("linalg.matrix_norm", A)
    if ord in ("nuc", 2, -2) and (data.dtype if dtype is None else _resolve(dtype).np) == _HALF:
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got Half")
    d0, d1 = _matrix_dims(dim, data.ndim)
    A = _cast(A, dtype)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    shape = A._data.shape
    if ord in ("nuc", 2, -2):
        if ord == 2 and 0 in (shape[d0], shape[d1]):
            return _empty_max_norm(A, (d0, d1), keepdim)
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        if ord == "nuc":
            r = sum(s, -1, keepdim)
        else:
            r = (amax if ord == 2 else amin)(s, -1, keepdim)
        # torch moves the two dims back into place (grad_fn PermuteBackward0)
        return r.unsqueeze(-1).movedim((-2, -1), (d0, d1)) if keepdim else r
    # 1: the largest column sum (over rows d0, then the max over d1); inf: the transpose
    inner, outer = (d0, d1) if abs(ord) == 1 else (d1, d0)
    if ord > 0 and shape[outer] == 0:
        return _empty_max_norm(A, (d0, d1), keepdim)
    import gradstep
    sums = sum(gradstep.abs(A), inner, keepdim)
    return (amax if ord > 0 else amin)(sums, outer if keepdim else outer - (outer > inner),
                                       keepdim)


@_signature(2, "tuple of ints", ((1, 6), (2, 6)), name="linalg_norm")
@_with_out
def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: a vector norm or, over two dims (or a 2-D input), a matrix norm.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.norm(torch.tensor([[3., 0.], [0., 4.]])).item()
        5.0
    """
    if dim is not None:
        dims = (dim,) if _is_int(dim) else dim
        if not isinstance(dims, (tuple, list)) or not all(_is_int(d) for d in dims):
            raise _BadArgument("dim")
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dims)}")
        if ord is None:
            return vector_norm(A, 2, dims, keepdim, dtype=dtype)
        if len(dims) == 1 and not isinstance(ord, str):
            return vector_norm(A, ord, dims, keepdim, dtype=dtype)
        return matrix_norm(A, ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    ndim = A._data.ndim
    if ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D "
                           f"or 2D. Got {ndim}D.")
    if ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


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
            dims = (-2, -1) if dim is None else (dim,) if _is_int(dim) else dim
            return matrix_norm(input, "nuc", dims, keepdim, dtype=dtype)
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
            out = np.full(np.add.reduce(x, axis=dims, keepdims=keepdim).shape, -np.inf, x.dtype)
        else:
            m = np.max(x, axis=dims, keepdims=True)
            m = np.where(np.isinf(m), 0, m)  # rows of +-inf: exp(x - 0) gives inf or 0
            out = np.log(np.add.reduce(np.exp(x - m), axis=dims, keepdims=True)) + m
            if not keepdim:
                out = np.squeeze(out, dims)
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        return _unreduce(grad, ctx) * np.exp(x - _unreduce(out, ctx))


@_signature(1, "tuple of ints")
@_with_out
def logsumexp(input, dim=_NO_DIM, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, without overflow; integers give float32."""
    if dim is _NO_DIM:
        raise _missing_dim("logsumexp")
    if dim is None:
        raise _BadArgument("dim")
    if isinstance(dim, (tuple, list)) and not dim and not keepdim and input._data.size \
            and input._data.ndim:
        # torch reduces every dim for dim=() but then fails to fit the result (2.13)
        shape = ", ".join(["1"] * input._data.ndim)
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape [{shape}]")
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
            wide = x.astype(_FLOAT) if x.dtype == _HALF else x  # torch: float16 in float32
            e = np.exp(wide - np.max(wide, axis=d, keepdims=True))
            out = np.asarray(e / np.add.reduce(e, axis=d, keepdims=True), dtype=x.dtype)
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
            half = x.dtype == _HALF
            wide = x.astype(_FLOAT) if half else x  # torch: float16 in float32...
            shifted = wide - np.max(wide, axis=d, keepdims=True)
            total = np.add.reduce(np.exp(shifted), axis=d, keepdims=True)
            if half:
                total = total.astype(_HALF)  # ...but the sum rounded to float16 before its log
            out = np.asarray(shifted - np.log(total), dtype=x.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx._arrays
        return grad - np.exp(out) * np.sum(grad, axis=ctx.d, keepdims=True)


def _softmax(op, kernel, input, dim, dtype):
    """Apply ``op`` (Softmax or LogSoftmax) along ``dim``, checking arguments as torch does."""
    if dim is _NO_DIM:
        raise _missing_dim(kernel)
    ndim = input._data.ndim
    d = _int_dim(dim, ndim)
    if dtype is not None:
        input = _cast(input, dtype)
    elif input._data.dtype.kind != "f":
        if input._data.size == 0:
            return _plain(input._data.copy())  # torch runs no (missing) integer kernel on nothing
        impl = f"{kernel}_lastdim_kernel_impl" if d >= ndim - 1 else f"{kernel}_kernel_impl"
        raise NotImplementedError(f'"{impl}" not implemented for \'{_type_name(input)}\'')
    return op.apply(input, d if ndim else None)


@_signature(1, "int", keepdim_at=None)
def softmax(input, dim=_NO_DIM, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, as one numerically stable op.

    Example::

        >>> import gradstep as torch
        >>> torch.softmax(torch.tensor([0., 0.]), 0).tolist()
        [0.5, 0.5]
    """
    return _softmax(Softmax, "softmax", input, dim, dtype)


@_signature(1, "int", keepdim_at=None)
def log_softmax(input, dim=_NO_DIM, dtype=None):
    """``log(softmax(x))`` along ``dim``, as one numerically stable op."""
    return _softmax(LogSoftmax, "log_softmax", input, dim, dtype)


# ----- cumulative ops -----

def _rev_cumsum(a, d):
    """sum_{j>=i} a_j along ``d``, of an array or (under create_graph) a Tensor."""
    flipped = np.flip(a, d)
    summed = np.cumsum(flipped, axis=d) if is_tensor(a) else _accumulate(np.add, flipped, d)
    return np.flip(summed, d)


def _accumulate(ufunc, x, d, np_dtype=None):
    """``ufunc.accumulate`` of array ``x`` along ``d``, to ``np_dtype`` (x's own by default),
    called from gradstep's line (see ``_add_reduce``). As torch's CPU kernels, floats accumulate
    in float64 (float16 in float32) and each result is rounded once: a float32 cumsum of
    [3e38, 3e38, -3e38] ends at 3e38, and matches torch's to the last bit."""
    np_dtype = x.dtype if np_dtype is None else np_dtype
    if np_dtype.kind == "f":
        return ufunc.accumulate(x, axis=d, dtype=_wide(np_dtype)).astype(np_dtype, copy=False)
    return ufunc.accumulate(x, axis=d, dtype=np_dtype)


class Cumsum(Op):
    """z_i = sum_{j<=i} x_j;  dz/dx: grad_x_i = sum_{j>=i} grad_j."""
    name_ = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, d, np_dtype):
        ctx.d = d
        if d is None:
            return x.astype(np_dtype)
        return _accumulate(np.add, x, d, np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad if ctx.d is None else _rev_cumsum(grad, ctx.d)


def _cumprod_grad_with_zeros(x, out, grad, d):
    """Cumprod's gradient for an array ``x`` with zeros, formed term by term as torch forms it,
    so that inf and NaN come out where torch's do. With z the first zero of a slice and z2 its
    second (the slice's end if none), for x_i:

    - i < z: sum_{i<=j<z} grad_j out_j / x_i;
    - i = z: (x_0 ... x_{z-1}) sum_j grad_j (x_{z+1} ... x_j), grad_j taken as 0 outside
      [z, z2) (the products there still count: 0 * inf is NaN);
    - i > z: 0.
    """
    zero = x == 0
    zeros_so_far = np.cumsum(zero, axis=d)
    before = zeros_so_far == 0
    first = zero & (zeros_so_far == 1)
    to_second = zeros_so_far == 1  # from the first zero up to the second
    g_before = _rev_cumsum(np.where(before, grad * out, 0), d) / np.where(before, x, 1)
    after = _accumulate(np.multiply, np.where(to_second & ~first, x, 1), d)
    inner = np.sum(after * np.where(to_second, grad, 0), axis=d, keepdims=True)
    n = x.shape[d]
    shifted = np.take(out, range(n - 1), axis=d)
    products_before = np.concatenate([np.ones_like(np.take(out, [0], axis=d)), shifted], axis=d)
    prefix = np.sum(np.where(first, products_before, 0), axis=d, keepdims=True)
    return np.where(before, g_before, np.where(first, prefix * inner, 0))


class Cumprod(Op):
    """z_i = prod_{j<=i} x_j;  dz/dx_i = sum_{j>=i} grad_j prod_{k<=j, k!=i} x_k (zeros handled)."""
    name_ = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, d, np_dtype):
        ctx.d = d
        out = x.astype(np_dtype) if d is None else _accumulate(np.multiply, x, d, np_dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        d = ctx.d
        if d is None or x.shape[d] == 1:
            return grad  # torch passes it through unchanged, even where x is inf
        if not ((x._data if is_tensor(x) else x) == 0).any():
            return _rev_cumsum(grad * out, d) / x
        if is_tensor(x):
            # create_graph with zeros: sum_j grad_j C[i, j], C[i, j] = prod_{k<=j, k!=i} x_k,
            # an O(n^2) form whose own derivatives are exact
            n = x.shape[d]
            partial = np.cumprod(_without_each(np.moveaxis(x, d, -1)), axis=-1)
            upper = np.triu(np.ones((n, n), dtype=bool))  # j >= i
            g = np.sum(upper * (partial * np.expand_dims(np.moveaxis(grad, d, -1), -2)), axis=-1)
            return np.moveaxis(g, -1, d)
        return _cumprod_grad_with_zeros(x, out, grad, d)


def _cum_args(name, input, dim, dtype):
    if dim is _NO_DIM:
        raise _missing_dim(name)
    x = input._data
    d = _int_dim(dim, x.ndim)
    if dtype is not None:
        input = _cast(input, dtype)
        np_dtype = input._data.dtype
    elif x.dtype.kind in "biu":
        np_dtype = _INT64
    else:
        np_dtype = x.dtype
    return input, (d if x.ndim else None), np_dtype


@_signature(1, "int", keepdim_at=None)
@_with_out
def cumsum(input, dim=_NO_DIM, *, dtype=None):
    """Cumulative sum along ``dim``; integers accumulate in int64."""
    return Cumsum.apply(*_cum_args("cumsum", input, dim, dtype))


@_signature(1, "int", keepdim_at=None)
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
            ctx.save_for_backward(index)  # as torch saves the indices: a backward frees them
        return np.take_along_axis(x, index, axis=d)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.d
        if d is None:
            return grad
        index, = ctx._arrays
        return np.take_along_axis(grad, np.argsort(index, axis=d), axis=d)


class SortStable(Sort):
    name_ = "SortBackward1"  # torch's sort overload that takes ``stable``


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
            # saved (constants), as torch saves the indices: a backward frees them
            ctx.save_for_backward(inverse < k, np.minimum(inverse, builtins.max(k - 1, 0)))
            ctx.k = k
        return np.take_along_axis(x, index, axis=d)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.d
        if d is None:
            return grad
        if ctx.k == 0:
            return np.broadcast_to(np.sum(grad) * 0, ctx.shape)
        selected, rank = ctx._arrays
        return plus_zero(selected * np.take_along_axis(grad, rank, axis=d))


@_signature(1, "int", ((2, 5), (1, 4)), ((1, 3), (0, 2)), keepdim_at=None)
@_with_out
def sort(input, dim=-1, descending=False, *, stable=_DEFAULT):
    """``(values, indices)`` sorted along ``dim``; ties keep their order (a stable sort).

    Example::

        >>> import gradstep as torch
        >>> torch.sort(torch.tensor([3., 1., 2.])).indices.tolist()
        [1, 2, 0]
    """
    x = input._data
    d = _int_dim(dim, x.ndim)
    op = Sort if stable is _DEFAULT else SortStable
    if x.ndim == 0:
        return return_types.sort(op.apply(input, None, None), _plain(np.zeros((), np.int64)))
    index = _argsort(x, d, descending)
    return return_types.sort(op.apply(input, index, d), _plain(index))


@_signature(1, "int", ((2, 5), (1, 3)), ((1, 3), (0, 2)), keepdim_at=None)
def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    x = input._data
    d = _int_dim(dim, x.ndim)
    if x.ndim == 0:
        return _plain(np.zeros((), np.int64))
    return _plain(_argsort(x, d, descending))


def msort(input):
    """``input`` sorted along its first dim."""
    return sort(input, 0).values


@_signature(2, "int", keepdim_at=None)
@_with_out
def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``."""
    x = input._data
    d = _int_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if x.ndim == 0:
        return return_types.topk(Topk.apply(input, None, k, None), _plain(np.zeros((), np.int64)))
    perm = _argsort(x, d, largest)
    index = perm[(slice(None),) * d + (slice(0, k),)]
    return return_types.topk(Topk.apply(input, perm, k, d), _plain(np.ascontiguousarray(index)))


def _not_for_bool(kernel, x):
    if x.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


@_signature(2, "int", keepdim_at=3)
@_with_out
def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)`` of the k-th smallest element along ``dim``."""
    x = input._data
    d = _int_dim(dim, x.ndim)
    if x.ndim == 0:
        if k != 1:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        return _pick(KthvalueDim, return_types.kthvalue, input, None, d, keepdim)
    _check_nonempty_dims("kthvalue", x, (d,))
    if k < 1 or k > x.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    _not_for_bool("kthvalue_cpu", x)
    index = np.take(_argsort(x, d, False), [k - 1], axis=d)
    return _pick(KthvalueDim, return_types.kthvalue, input, index, d, keepdim)


def _median_of_nothing(dtype):
    """torch's median of no element: NaN converted to the dtype (on the CPU: the smallest int32
    or int64, 0 for narrower integers, True for bool)."""
    if dtype.kind == "f":
        return np.nan
    if dtype == np.bool_:
        return True
    return np.iinfo(dtype).min if dtype.kind == "i" and dtype.itemsize >= 4 else 0


class MedianAll(Op):
    """z = the lower median of x, NaN if x has NaN (``skip_nan``, for nanmedian: of the non-NaN
    elements, NaN if there is none);  dz/dx splits the gradient evenly among the elements equal
    to z (NaN counting as equal to NaN)."""
    name_ = "MedianBackward0"
    skip_nan = False

    @classmethod
    def forward(cls, ctx, x):
        values = x.reshape(-1)
        if x.dtype.kind == "f":
            nan = np.isnan(values)
            if cls.skip_nan:
                values = values[~nan]
            elif nan.any():
                values = values[:0]
        if values.size == 0:
            out = np.asarray(_median_of_nothing(x.dtype), x.dtype)
        else:
            middle = (values.size - 1) // 2
            out = np.asarray(np.partition(values, middle)[middle])
        if ctx.needs_input_grad:
            mask = (x == out) | (np.isnan(x) & np.isnan(out))
            # saved (a constant), as torch saves its input and output: a backward frees it
            ctx.save_for_backward((mask / builtins.max(int(np.sum(mask)), 1)).astype(x.dtype))
        return out

    @staticmethod
    def backward(ctx, grad):
        weights, = ctx._arrays
        return plus_zero(weights * grad)


class NanmedianAll(MedianAll):
    name_ = "NanmedianBackward0"
    skip_nan = True


class NanmedianDim(MaxDim):
    name_ = "NanmedianBackward1"


def _median(input, dim, keepdim, skip_nan):
    """median and nanmedian: of every element without ``dim``, else ``(values, indices)``."""
    x = input._data
    if dim is _NO_DIM:
        if x.dtype == np.bool_ and x.size:
            raise NotImplementedError('"median_cpu" not implemented for \'Bool\'')
        return (NanmedianAll if skip_nan else MedianAll).apply(input)
    op = NanmedianDim if skip_nan else MedianDim
    result_type = return_types.nanmedian if skip_nan else return_types.median
    d = _int_dim(dim, x.ndim)
    if x.ndim:
        _check_nonempty_dims("median", x, (d,))
    _not_for_bool("median_out", x)
    if x.ndim == 0:
        return _pick(op, result_type, input, None, d, keepdim)
    n = x.shape[d]
    order = _argsort(x, d, False)  # NaN sorts last
    if x.dtype.kind == "f" and skip_nan:
        # the lower median of the non-NaN; an all-NaN slice picks from the middle all the same
        count = np.sum(~np.isnan(x), axis=d, keepdims=True)
        index = np.take_along_axis(order, np.where(count > 0, (count - 1) // 2, (n - 1) // 2),
                                   axis=d)
    else:
        index = np.take(order, [(n - 1) // 2], axis=d)
        if x.dtype.kind == "f":  # a slice with NaN: its median is its first NaN
            nan = np.isnan(x)
            index = np.where(nan.any(axis=d, keepdims=True),
                             np.argmax(nan, axis=d, keepdims=True), index)
    return _pick(op, result_type, input, index, d, keepdim)


@_signature(1, "int")
@_with_out
def median(input, dim=_NO_DIM, keepdim=False):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``; NaN propagates.

    Example::

        >>> import gradstep as torch
        >>> torch.tensor([4., 1., 3., 2.]).median().item()
        2.0
    """
    return _median(input, dim, keepdim, skip_nan=False)


@_signature(1, "int")
@_with_out
def nanmedian(input, dim=_NO_DIM, keepdim=False):
    """median ignoring NaN: the lower median of the non-NaN elements (NaN if there is none).

    Example::

        >>> import gradstep as torch
        >>> torch.nanmedian(torch.tensor([float("nan"), 3., 1.])).item()
        1.0
    """
    return _median(input, dim, keepdim, skip_nan=True)


@_signature(1, "int")
@_with_out
def mode(input, dim=-1, keepdim=False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest such value) and
    the index of its last occurrence."""
    x = input._data
    d = _int_dim(dim, x.ndim)
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
    """Tensor methods for reductions. Ops wrapped by ``_signature`` attach their ``.method``,
    whose error messages count argument positions as torch's methods do (without self)."""

    sum = sum
    nansum = nansum.method
    mean = mean
    nanmean = nanmean.method
    prod = prod.method
    max = max.method
    min = min.method
    amax = amax.method
    amin = amin.method
    aminmax = aminmax.method
    argmax = argmax.method
    argmin = argmin.method
    count_nonzero = count_nonzero.method
    var = var.method
    std = std.method
    norm = norm
    logsumexp = logsumexp.method
    softmax = softmax.method
    log_softmax = log_softmax.method
    cumsum = cumsum.method
    cumprod = cumprod.method
    sort = sort.method
    argsort = argsort.method
    msort = msort
    topk = topk.method
    kthvalue = kthvalue.method
    median = median.method
    nanmedian = nanmedian.method
    mode = mode.method

    def cumsum_(self, dim, *, dtype=None):
        return inplace(self, cumsum, dim, dtype=dtype)

    def cumprod_(self, dim, *, dtype=None):
        return inplace(self, cumprod, dim, dtype=dtype)


# Ops that cannot produce inf/nan skip the quiet set-up (see Op.quiet).
exact_ops(globals(), ("MaxAll", "MaxDim", "Sort", "Topk", "MedianAll"))
