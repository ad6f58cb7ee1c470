"""Cumulative ops beyond cumsum and cumprod: cummax, cummin, logcumsumexp, and diff.

``cummax`` and ``cummin`` return torch's named tuples ``(values, indices)``; their gradient goes
to the index each value came from. ``logcumsumexp`` accumulates float32 in float64 (rounded once),
as torch's CPU scan does. ``diff`` is composed of slices and subtractions, as in torch, so its
graph (``SubBackward0``) and its double backward come for free.
"""
import numpy as np

from .. import _tensor
from ..autograd.graph import Op
from ._util import is_tensor, scalar_type_name, wrap_dim
from .reduction import _return_type

__all__ = ["cummax", "cummin", "logcumsumexp", "diff", "return_types"]


class return_types:  # noqa: N801 (torch's namespace name)
    cummax = _return_type("cummax", ["values", "indices"])
    cummin = _return_type("cummin", ["values", "indices"])


def _plain(array):
    return _tensor.Tensor._make(np.array(array, order="C"))


def _check_tensor(name, input):
    if not isinstance(input, _tensor.Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _check_dim(name, dim):
    if dim is _MISSING:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")


_MISSING = object()


def _scatter_back(grad, index, d, shape):
    """zeros(shape) with ``grad`` added at ``index`` along ``d`` (arrays or Tensors)."""
    if is_tensor(grad):
        from .indexing import scatter_add
        from .._creation import zeros
        return scatter_add(zeros(shape, dtype=grad.dtype), d, _plain(index), grad)
    out = np.zeros(shape, grad.dtype)
    moved = np.moveaxis(out, d, -1)
    n = shape[d]
    rows = np.arange(moved.size // max(n, 1)).reshape(moved.shape[:-1] + (1,)) * n
    flat = (rows + np.moveaxis(index, d, -1)).ravel()
    acc = np.zeros(moved.size, grad.dtype)
    np.add.at(acc, flat, np.moveaxis(grad, d, -1).ravel())
    return np.moveaxis(acc.reshape(moved.shape), -1, d)


class Cummax(Op):
    """z_i = max_{j<=i} x_j (NaN propagates);  the gradient goes to the index z_i came from."""
    name_ = "CummaxBackward0"
    quiet = False

    @staticmethod
    def forward(ctx, x, index, d):
        ctx.index = index
        ctx.d = d
        ctx.shape = x.shape
        if d is None:
            return x.copy()
        return np.take_along_axis(x, index, axis=d)

    @staticmethod
    def backward(ctx, grad):
        if ctx.d is None:
            return grad
        return _scatter_back(grad, ctx.index, ctx.d, ctx.shape)


class Cummin(Cummax):
    """z_i = min_{j<=i} x_j (NaN propagates);  the gradient goes to the index z_i came from."""
    name_ = "CumminBackward0"


def _running_index(x, d, ufunc):
    """The index along ``d`` of the running max (np.maximum) or min: the last position whose
    value ties the running extremum (torch takes the latest of equal values), or is NaN."""
    running = ufunc.accumulate(x, axis=d)
    update = x == running
    if x.dtype.kind == "f":
        update |= np.isnan(x)
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    positions = np.where(update, np.arange(x.shape[d]).reshape(shape), 0)
    return np.maximum.accumulate(positions, axis=d).astype(np.int64, copy=False)


def _cum_extremum(name, op, ufunc, input, dim):
    _check_tensor(name, input)
    _check_dim(name, dim)
    x = input._data
    result = getattr(return_types, name)
    if x.ndim == 0:
        if dim not in (-1, 0):
            raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
        return result(op.apply(input, None, None), _plain(np.zeros((), np.int64)))
    if x.size == 0:   # torch checks no dim here: any dim gives the empty results
        return result(op.apply(input, None, None), _plain(np.zeros(x.shape, np.int64)))
    d = wrap_dim(dim, x.ndim)
    index = _running_index(x, d, ufunc)
    return result(op.apply(input, index, d), _plain(index))


def cummax(input, dim=_MISSING):
    """Return ``(values, indices)``: the running maximum along ``dim`` and where it was found.

    Ties take the latest index, and a NaN, once seen, is the running value from there on.
    """
    return _cum_extremum("cummax", Cummax, np.maximum, input, dim)


def cummin(input, dim=_MISSING):
    """Return ``(values, indices)``: the running minimum along ``dim`` and where it was found."""
    return _cum_extremum("cummin", Cummin, np.minimum, input, dim)


def _wide(dtype):
    return np.float64 if dtype != np.float64 else dtype


def _rev_logcumsumexp(a, d):
    return np.flip(np.logaddexp.accumulate(np.flip(a, d), axis=d), d)


class Logcumsumexp(Op):
    """z_i = log sum_{j<=i} e^(x_j);  dz/dx: grad_x_i = sum_{j>=i} grad_j e^(x_i - z_j)."""
    name_ = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx, x, d):
        ctx.d = d
        if d is None:
            out = x.copy()
        else:
            out = np.logaddexp.accumulate(x, axis=d, dtype=_wide(x.dtype)).astype(x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx._arrays
        d = ctx.d
        if d is None:
            return grad
        if is_tensor(x):
            # create_graph: the O(n^2) sum with e^(x_i - z_j) masked to j >= i, whose own
            # derivatives are exact
            n = x.shape[d]
            xm = np.expand_dims(np.moveaxis(x, d, -1), -1)     # (..., i, 1)
            zm = np.expand_dims(np.moveaxis(out, d, -1), -2)   # (..., 1, j)
            gm = np.expand_dims(np.moveaxis(grad, d, -1), -2)
            upper = np.triu(np.ones((n, n), dtype=bool))      # j >= i
            w = np.exp(np.where(upper, xm - zm, -np.inf))
            return np.moveaxis(np.sum(w * gm, axis=-1), -1, d)
        # positive and negative parts of grad summed in the log domain: no overflow
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = np.log(np.where(grad > 0, grad, 0)) - out
            neg = np.log(np.where(grad < 0, -grad, 0)) - out
            return np.exp(x + _rev_logcumsumexp(pos, d)) - np.exp(x + _rev_logcumsumexp(neg, d))


def logcumsumexp(input, dim=_MISSING, *, out=None):
    """Return ``log(cumsum(exp(input), dim))``, computed stably."""
    _check_tensor("logcumsumexp", input)
    _check_dim("logcumsumexp", dim)
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if x.dtype.kind != "f":
        raise NotImplementedError('"logcumsumexp_out_cpu" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    result = Logcumsumexp.apply(input, d if x.ndim else None)
    if out is not None:
        from ._util import write_out
        return write_out(result, out, "logcumsumexp")
    return result


class CopyBackwards(Op):
    """z = x (a copy);  dz/dx = 1 (torch's ``diff(x, n=0)`` records this node)."""
    name_ = "torch::autograd::CopyBackwards"
    quiet = False

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """Return the ``n``-th forward difference along ``dim`` (``prepend``/``append`` joined first).

    Bool tensors take the difference as ``logical_xor``, as in torch.
    """
    from .shape import cat, narrow
    from .compare import logical_xor
    _check_tensor("diff", input)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"diff(): argument 'dim' must be int, not {type(dim).__name__}")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    for extra in (prepend, append):
        if extra is not None and extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    if n == 0:  # torch returns the input as it is: prepend and append are not joined
        return CopyBackwards.apply(input)
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        input = cat(parts, dim=d)
    x = input
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        later, earlier = narrow(x, d, 1, size - 1), narrow(x, d, 0, size - 1)
        x = logical_xor(later, earlier) if x._data.dtype == np.bool_ else later - earlier
    return x


def _dim_method(fn):
    def method(self, dim=_MISSING, *args, **kwargs):
        return fn(self, dim, *args, **kwargs)
    method.__name__ = method.__qualname__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


class Methods:
    """Tensor methods for the cumulative ops above."""

    cummax = _dim_method(cummax)
    cummin = _dim_method(cummin)
    logcumsumexp = _dim_method(logcumsumexp)
    diff = diff
