"""Statistics: trace, dist, quantile and nanquantile, cov and corrcoef.

``trace`` and ``dist`` are single ops with their derivatives. ``quantile``, ``cov`` and
``corrcoef`` are compositions of gradstep's differentiable ops (sort, gather, lerp, mm...) in
torch's order of operations, so values match torch's to the rounding and the graph (and
``create_graph``) comes for free.
"""
import math
import warnings

import numpy as np

from .. import _dtype, _tensor
from ..autograd.graph import Op
from ._util import (broadcast_error, promote_operands, scalar_type_name, sum_to, wrap_dim,
                    write_out)

__all__ = ["trace", "dist", "quantile", "nanquantile", "cov", "corrcoef"]


def _shape(x):
    return x.shape if hasattr(x, "shape") else ()


def _check_tensor(name, value, arg="input", position=1):
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")


# ----- trace -----

class Trace(Op):
    """z = sum_i x_ii;  dz/dx = the identity matrix (of x's shape)."""
    name_ = "TraceBackward0"
    quiet = False

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        dtype = np.int64 if x.dtype.kind in "iu" else x.dtype
        return np.asarray(np.trace(x, dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        eye = np.eye(*ctx.shape, dtype=grad.dtype)
        return eye * grad


def trace(input):
    """Return the sum of the main diagonal of a 2-D tensor (integers sum in int64)."""
    _check_tensor("trace", input)
    x = input._data
    if x.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    return Trace.apply(input)


# ----- dist -----

class Dist(Op):
    """z = ||x - y||_p;  dz/dx = d |d|^(p-2) / z^(p-1) with d = x - y (sign(d) for p = 1, the
    maxima's signs shared evenly for p = inf, 0 for p = 0);  dz/dy = -dz/dx."""
    name_ = "DistBackward0"

    @staticmethod
    def forward(ctx, x, y, p):
        try:
            d = x - y
        except ValueError:
            raise broadcast_error(_shape(x), _shape(y)) from None
        a = np.abs(d)
        if p == 2:
            out = np.sqrt(np.sum(d * d))
        elif p == 1:
            out = np.sum(a)
        elif p == 0:
            out = np.sum(a != 0).astype(d.dtype)
        elif p == math.inf:
            out = np.max(a) if a.size else np.zeros((), d.dtype)
        elif p == -math.inf:
            out = np.min(a) if a.size else np.full((), np.inf, d.dtype)
        else:
            out = np.sum(a ** p) ** (1.0 / p)
        out = np.asarray(out, dtype=d.dtype)
        ctx.save_for_backward(x, y, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx._arrays
        p = ctx.p
        need_x, need_y = ctx.needs_input_grad[:2]
        d = x - y
        sgn = np.where(np.isnan(d), 0, np.sign(d))   # torch's sgn(nan) is 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == 0:
                return None, None                    # torch's gradient is undefined: no grad
            if p == 1:
                g = sgn * grad
            elif p in (math.inf, -math.inf):
                hit = np.abs(d) == out
                count = np.sum(hit)
                g = sgn * hit * (grad / count if count else grad)
            elif p < 1:
                g = np.where(d == 0, 0, sgn * np.abs(d) ** (p - 1)) * grad * out ** (1 - p)
            else:
                scale = np.where(out == 0, 0, grad / np.where(out == 0, 1, out) ** (p - 1))
                if p == 2:
                    g = d * scale
                elif p < 2:
                    g = sgn * np.abs(d) ** (p - 1) * scale
                else:
                    g = d * np.abs(d) ** (p - 2) * scale
        return (sum_to(g, _shape(x)) if need_x else None,
                sum_to(-g, _shape(y)) if need_y else None)


def dist(input, other, p=2):
    """Return the p-norm of ``input - other`` (broadcast), as a 0-dim tensor."""
    _check_tensor("dist", input)
    _check_tensor("dist", other, "other", 2)
    if not isinstance(p, (int, float, np.number)) or isinstance(p, bool):
        raise TypeError(f"dist(): argument 'p' (position 3) must be Number, not "
                        f"{type(p).__name__}")
    if input._data.dtype is not other._data.dtype:
        input, other = promote_operands(input, other)
    if input._data.dtype.kind != "f":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {scalar_type_name(input._data.dtype)} instead.")
    p = float(p)
    if p < 0 or p == math.inf:
        try:
            size = math.prod(np.broadcast_shapes(input._data.shape, other._data.shape))
        except ValueError:
            size = 1                                 # Dist raises the broadcast error
        if size == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty "
                               "tensor because the operation does not have an identity")
    return Dist.apply(input, other, p)


# ----- quantile -----

class SqueezeInplace(Op):
    """z = x reshaped to drop a size-1 dim (torch's ``squeeze_(dim)`` ends quantile);  dz/dx =
    grad reshaped back."""
    name_ = "SqueezeBackward4"
    quiet = False

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return np.reshape(grad, ctx.shape)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_signature_error(name, input, q):
    lines = "".join(
        f" * (Tensor input, {kind} q, int dim = None, bool keepdim = False, *, str interpolation"
        f" = \"linear\", Tensor out = None)\n" for kind in ("Tensor", "float"))
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"(Tensor, {type(q).__name__}), but expected one of:\n{lines}")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    from .shape import movedim
    from .indexing import gather
    from .reduction import sort
    from .arith import lerp
    Tensor = _tensor.Tensor
    _check_tensor(name, input)
    x = input._data
    if isinstance(q, Tensor):
        q_array = q._data
    elif isinstance(q, (float, int, np.floating, np.integer)) and not isinstance(q, bool):
        q_array = None
    else:
        raise _quantile_signature_error(name, input, q)
    # torch's checks, in its order; nanquantile's messages also say "quantile()"
    if q_array is None and not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if x.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if q_array is not None and q_array.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if x.dtype.kind != "f":
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if q_array is not None and q_array.dtype != x.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if q_array is not None and not ((q_array >= 0) & (q_array <= 1)).all():
        raise RuntimeError("quantile() q values must be in the range [0, 1]")

    # the output's shape: q's dim first (for a 1-D q), then the kept or reduced dims
    if dim is None:
        rest = (1,) * x.ndim if keepdim else ()
        work = input.reshape(-1)
        d = 0
    else:
        d = wrap_dim(dim, x.ndim)
        if x.ndim == 0:
            rest = ()
            work = input.reshape(1)
            d = 0
        else:
            rest = tuple(1 if i == d else n for i, n in enumerate(x.shape)
                         if keepdim or i != d)
            work = input
    qs = np.atleast_1d(np.asarray(q, dtype=x.dtype) if q_array is None else q_array)
    out_shape = rest if q_array is None or q_array.ndim == 0 else (qs.size,) + rest

    # sorted values with the reduced dim last: (..., n); NaN sorts last
    values = movedim(sort(work, dim=d).values, d, -1)
    sorted_data = values._data
    n = sorted_data.shape[-1]
    last = n - 1
    nan = np.isnan(sorted_data)
    if ignore_nan:
        count = np.sum(~nan, axis=-1, keepdims=True)
        ranks = qs * (count - 1).astype(x.dtype)
        ranks = np.where(ranks < 0, x.dtype.type(last), ranks)
    else:
        ranks = qs * x.dtype.type(last)
        ranks = np.where(np.any(nan, axis=-1, keepdims=True), x.dtype.type(last), ranks)
        ranks = np.broadcast_to(ranks, sorted_data.shape[:-1] + (qs.size,))
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    result = gather(values, -1, Tensor._make(np.ascontiguousarray(below)))
    if interpolation in ("linear", "midpoint"):
        above = np.ceil(ranks).astype(np.int64)
        upper = gather(values, -1, Tensor._make(np.ascontiguousarray(above)))
        weights = np.full(ranks.shape, 0.5, x.dtype) if interpolation == "midpoint" else \
            (ranks - below).astype(x.dtype)
        result = lerp(result, upper, Tensor._make(np.ascontiguousarray(weights)))
    result = movedim(result, -1, 0)  # (k, ...)
    return SqueezeInplace.apply(result, out_shape)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """Return the ``q``-th quantiles of ``input`` (over all elements, or along ``dim``).

    ``q`` is a float or a 0-/1-D tensor of ``input``'s dtype, in [0, 1]; a 1-D ``q`` adds a first
    dim. ``interpolation`` picks between the two nearest sorted values: linear, lower, higher,
    midpoint or nearest (half to even). A NaN in a slice makes its quantiles NaN.
    """
    result = _quantile("quantile", input, q, dim, keepdim, interpolation, False)
    return write_out(result, out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN: quantiles of each slice's numbers (NaN if it has none)."""
    result = _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)
    return write_out(result, out)


# ----- cov and corrcoef -----

def cov(input, *, correction=1, fweights=None, aweights=None):
    r"""Estimate the covariance matrix of the variables in the rows of ``input``.

    .. math::
        \text{cov} = \frac{\sum_i w_i (x_i - \mu)(x_i - \mu)^T}{\sum_i w_i - \delta N}

    with weights ``w = fweights * aweights`` (either optional), :math:`\mu` the weighted mean,
    :math:`\delta` = ``correction`` and :math:`N = \sum w_i a_i / \sum w_i` (1 without
    aweights). A non-positive denominator warns and gives inf/NaN, as in torch.
    """
    from .linalg import mm
    _check_tensor("cov", input)
    x = input
    if x.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {x.ndim} dimensions")
    if x._data.dtype.kind != "f":
        x = x.to(_dtype.get_default_dtype())
    if x.ndim < 2:
        x = x.reshape(1, -1)
    observations = x.shape[1]
    w = None
    for kind, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        wd = weights._data
        if wd.ndim > 1:
            raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got "
                               f"{kind} with {wd.ndim} dimensions")
        if wd.size != observations:
            raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are "
                               f"observations in the input but got {wd.size} != {observations}")
        if kind == "fweights" and wd.dtype.kind not in "iu":
            raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights "
                               f"with {scalar_type_name(wd.dtype)} dtype")
        if kind == "aweights" and wd.dtype.kind != "f":
            raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {scalar_type_name(wd.dtype)} dtype")
        if (wd < 0).any():
            raise RuntimeError(f"cov(): {kind} cannot be negative")
        w = weights if w is None else w * weights
    if w is None:
        avg = x.mean(1)
        w_sum = None
        norm = observations - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    norm_value = float(norm._data) if isinstance(norm, _tensor.Tensor) else norm
    if norm_value <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = 0 if not isinstance(norm, _tensor.Tensor) else norm * 0
    x = x - avg.unsqueeze(1)
    c = mm(x, (x if w is None else x * w).t())
    return (c / norm).squeeze()


def corrcoef(input):
    """Return the Pearson correlation coefficients of the variables in the rows of ``input``
    (clamped to [-1, 1])."""
    _check_tensor("corrcoef", input)
    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c
    from .shape import diagonal
    from .elementwise import clamp
    std = diagonal(c).sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return clamp(c, -1, 1)


class Methods:
    """Tensor methods for the statistics above."""

    trace = trace
    dist = dist
    quantile = quantile
    nanquantile = nanquantile
    cov = cov
    corrcoef = corrcoef
