"""Sets, search and counting: unique, unique_consecutive, isin, searchsorted, bucketize,
bincount, histc.

These return indices, counts or booleans, which have no gradient. Where torch records a node
that cannot be differentiated (``unique`` of a tensor that requires grad, ``bincount`` with
weights that do), gradstep records a node of the same name whose backward raises torch's error.
"""
import math

import numpy as np

from .. import _tensor
from ..autograd.graph import Op
from ._util import cpp_type_name, promote_operands, scalar_type_name, wrap_dim, write_out

__all__ = ["unique", "unique_consecutive", "isin", "searchsorted", "bucketize", "bincount",
           "histc"]


def _plain(array):
    return _tensor.Tensor._make(np.array(array, order="C"))


def _check_tensor(name, value, arg="input", position=1):
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")


class _NoDerivative(Op):
    """z = a value computed in forward (``ctx.result``); torch has no derivative for it."""
    quiet = False
    error = None

    @staticmethod
    def forward(ctx, x, result):
        return result

    @classmethod
    def backward(cls, ctx, grad):
        raise cls.error[0](cls.error[1])


class Unique2(_NoDerivative):
    name_ = "Unique2Backward0"
    error = (NotImplementedError, "the derivative for '_unique2' is not implemented.")


class UniqueDim(_NoDerivative):
    name_ = "UniqueDimBackward0"
    error = (NotImplementedError, "the derivative for 'unique_dim' is not implemented.")


class UniqueConsecutive(_NoDerivative):
    name_ = "UniqueConsecutiveBackward0"
    error = (NotImplementedError, "the derivative for 'unique_consecutive' is not implemented.")


class Bincount(_NoDerivative):
    name_ = "torch::autograd::NotImplemented"
    error = (RuntimeError, "derivative for aten::bincount is not implemented")


def _wrap_values(op, input, values):
    """The unique values as a Tensor: through ``op`` (a node without a derivative) when input
    requires grad, as torch records one."""
    return op.apply(input, values) if input.requires_grad else _plain(values)


def _result(values, inverse, counts, return_inverse, return_counts):
    if not return_inverse and not return_counts:
        return values
    out = (values,)
    if return_inverse:
        out += (_plain(inverse),)
    if return_counts:
        out += (_plain(counts),)
    return out


def _unique_dim(x, dim):
    """``dim`` wrapped, after torch's checks for a 0-d input and for zero-sized dims."""
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, x.ndim)
    if x.size == 0:
        if x.shape[d] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                               "cannot be applied")
        if x.shape.count(0) > 1:
            raise RuntimeError("Number of zero sized dimensions is more than one, so unique "
                               "cannot be applied ")
    return d


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """Return the unique elements of ``input`` (sorted), and optionally the index of each input
    element in them (``return_inverse``) and how often each occurs (``return_counts``).

    With ``dim``, unique slices along that dim. NaN values are all distinct, as in torch; with
    ``dim``, slices holding NaN may come out in another order than torch's (whose sort has no
    well-defined order with NaN).
    gradstep always sorts: torch's CPU kernel returns sorted values for ``sorted=False`` too.
    """
    _check_tensor("_unique2", input)
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        values, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True,
                                            equal_nan=False)
        inverse = inverse.reshape(x.shape).astype(np.int64)
        values = _wrap_values(Unique2, input, values)
        return _result(values, inverse, counts.astype(np.int64), return_inverse, return_counts)
    d = _unique_dim(x, dim)
    if x.size == 0:
        values = x.copy()
        inverse = np.zeros(0, np.int64)
        counts = np.zeros(0, np.int64)
    else:
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    values = _wrap_values(UniqueDim, input, values)
    return _result(values, inverse.astype(np.int64), counts.astype(np.int64), return_inverse,
                   return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse each run of equal consecutive elements (or slices along ``dim``) to one.

    Returns the values and, optionally, the index of each input element's run
    (``return_inverse``) and each run's length (``return_counts``).
    """
    _check_tensor("unique_consecutive", input)
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        starts = np.ones(flat.shape, bool)
        if flat.size:
            starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse = (np.cumsum(starts) - 1).reshape(x.shape)
    else:
        d = _unique_dim(x, dim)
        moved = np.moveaxis(x, d, 0).reshape(x.shape[d], -1 if x.shape[d] else 0)
        starts = np.ones(x.shape[d], bool)
        if x.shape[d]:
            starts[1:] = (moved[1:] != moved[:-1]).any(axis=1)
        values = np.compress(starts, x, axis=d)
        inverse = np.cumsum(starts) - 1
    positions = np.flatnonzero(starts)
    counts = np.diff(np.append(positions, starts.size))
    values = _wrap_values(UniqueConsecutive, input, values)
    return _result(values, inverse.astype(np.int64), counts.astype(np.int64), return_inverse,
                   return_counts)


_ISIN_SIGNATURES = (
    "(Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = False, "
    "Tensor out = None)",
    "(Number element, Tensor test_elements, *, bool assume_unique = False, bool invert = False, "
    "Tensor out = None)",
    "(Tensor elements, Number test_element, *, bool assume_unique = False, bool invert = False, "
    "Tensor out = None)")


def _is_number(x):
    return isinstance(x, (bool, int, float, np.number, np.bool_))


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """Return a bool tensor: whether each element of ``elements`` is in ``test_elements``
    (either may be a number; compared in their promoted dtype; NaN is in nothing)."""
    Tensor = _tensor.Tensor
    a, b = isinstance(elements, Tensor), isinstance(test_elements, Tensor)
    if not ((a or _is_number(elements)) and (b or _is_number(test_elements))) or not (a or b):
        kinds = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__
                          for v in (elements, test_elements))
        lines = "".join(f" * {s}\n" for s in _ISIN_SIGNATURES)
        raise TypeError(f"isin() received an invalid combination of arguments - got ({kinds}), "
                        f"but expected one of:\n{lines}")
    x, y = promote_operands(elements, test_elements)
    xd = x._data if isinstance(x, Tensor) else np.asarray(x)
    yd = y._data if isinstance(y, Tensor) else np.asarray(y)
    if xd.dtype == np.bool_:
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    result = np.isin(xd, yd, invert=invert)
    result = _plain(np.asarray(result).reshape(xd.shape))
    return result if out is None else write_out(result, out)


def _search_dtype_check(name, *arrays):
    for a in arrays:
        if a.dtype == np.bool_:
            raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')


def _searchsorted(boundaries, values, right, sorter):
    """Indices into the last dim of ``boundaries`` (1-D, or matching ``values``' leading dims).

    A vectorised binary search whose step is ``start = mid + 1`` wherever ``not (b[mid] >= v)``
    (``>`` for right): a comparison with NaN moves right, as torch's search does, so a NaN
    value lands past the end and a NaN boundary counts as larger than everything beyond it.
    """
    if sorter is not None:
        boundaries = np.take_along_axis(boundaries, sorter, axis=-1)
    n = boundaries.shape[-1]
    if boundaries.ndim == 1:
        rows_b = boundaries.reshape(1, n)
        rows_v = values.reshape(1, -1)
    else:
        rows_b = boundaries.reshape(math.prod(boundaries.shape[:-1]), n)
        rows_v = values.reshape(rows_b.shape[0], values.shape[-1])
    start = np.zeros(rows_v.shape, np.int64)
    end = np.full(rows_v.shape, n, np.int64)
    with np.errstate(invalid="ignore"):
        while True:
            active = start < end
            if not active.any():
                break
            mid = (start + end) // 2
            b = np.take_along_axis(rows_b, np.minimum(mid, n - 1), axis=1)
            go_right = ~(b > rows_v) if right else ~(b >= rows_v)
            start = np.where(active & go_right, mid + 1, start)
            end = np.where(active & ~go_right, mid, end)
    return start.reshape(values.shape)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    """Return the indices where ``input``'s values would be inserted into the innermost dim of
    ``sorted_sequence`` to keep it sorted (the first such place, or the last with
    ``right=True`` / ``side="right"``). ``sorter`` sorts an unsorted sequence."""
    Tensor = _tensor.Tensor
    _check_tensor("searchsorted", sorted_sequence, "sorted_sequence")
    scalar = not isinstance(input, Tensor)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                               f"{side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if scalar:
        a, _ = promote_operands(sorted_sequence, input)
        values = np.asarray(input, dtype=a._data.dtype) if seq.ndim == 1 else None
        if values is None:
            raise RuntimeError("torch.searchsorted(): input value can be a scalar only when "
                               "boundaries tensor dimension is 1, but we got boundaries tensor "
                               f"dim({seq.ndim}) and input value's dim(0) numel(1)")
        seq = a._data
        _search_dtype_check("searchsorted_out_cpu", seq)
    else:
        vals = input._data
        if seq.ndim != 1 and seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               "the first N-1 dimensions of boundaries tensor and input value "
                               f"tensor must match, but we got boundaries tensor {list(seq.shape)}"
                               f" and input value tensor {list(vals.shape)}")
        a, b = promote_operands(sorted_sequence, input)
        seq, values = a._data, b._data
        _search_dtype_check("searchsorted_out_cpu", seq)   # bool only when both are bool
    sort_index = None
    if sorter is not None:
        sd = sorter._data
        if sd.dtype != np.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but "
                               f"got dtype {scalar_type_name(sd.dtype)}")
        if sd.shape != seq.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {list(seq.shape)}and got sorter "
                               f"tensor {list(sd.shape)}")
        sort_index = sd
    result = _searchsorted(seq, values, right, sort_index)
    result = _plain(np.asarray(result, dtype=np.int32 if out_int32 else np.int64))
    return result if out is None else write_out(result, out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Return the index of the bucket of each element of ``input`` given sorted 1-D
    ``boundaries``: ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``: ``<=`` and ``<``
    swap)."""
    _check_tensor("bucketize", boundaries, "boundaries", 2)
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim"
                           f"({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def bincount(input, weights=None, minlength=0):
    """Count the occurrences of each non-negative integer in the 1-D ``input`` (summing
    ``weights`` instead, where given), in at least ``minlength`` bins."""
    _check_tensor("bincount", input)
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{scalar_type_name(x.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _plain(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = np.float32 if w.dtype == np.float32 else np.float64
    counts = np.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(dtype)
    if weights.requires_grad:
        return Bincount.apply(weights, counts)
    return _plain(counts)


def _c_number(v):
    """A float as C++'s ostream prints it (``inf``, ``-nan``, ``1``, ``0.5``)."""
    if math.isnan(v):
        return "-nan" if math.copysign(1.0, v) < 0 else "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:g}"


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002
    """Return the histogram of ``input`` in ``bins`` equal-width bins over ``[min, max]``
    (the data's range when both are 0); elements outside are ignored."""
    _check_tensor("histc", input)
    x = input._data
    if out is not None and out._data.dtype != x.dtype:
        raise RuntimeError("torch.histogram: input tensor and hist tensor should have the same "
                           f"dtype, but got input {cpp_type_name(x.dtype)} and hist "
                           f"{cpp_type_name(out._data.dtype)}")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
        # a NaN found in the data prints as C++'s "-nan"
        lo, hi = (math.copysign(math.nan, -1) if math.isnan(v) else v for v in (lo, hi))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_c_number(lo)}, {_c_number(hi)}] is not "
                           "finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if x.dtype == np.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{scalar_type_name(x.dtype)}'")
    flat = x.reshape(-1).astype(np.float64 if x.dtype == np.float64 else x.dtype)
    edges = np.linspace(lo, hi, bins + 1).astype(x.dtype)
    lo_t, hi_t = edges[0], edges[-1]
    keep = (flat >= lo_t) & (flat <= hi_t)
    v = flat[keep]
    pos = np.floor((v - lo_t) * bins / (hi_t - lo_t)).astype(np.int64)
    pos = np.clip(pos, 0, bins - 1)
    # correct the rounding of the division against the edges themselves
    pos = np.where(v < edges[pos], pos - 1, pos)
    pos = np.where((pos + 1 < bins) & (v >= edges[np.minimum(pos + 1, bins)]), pos + 1, pos)
    counts = np.bincount(pos, minlength=bins).astype(x.dtype)
    result = _plain(counts)
    return result if out is None else write_out(result, out)


def _unique_method(self, sorted=True, return_inverse=False, return_counts=False,  # noqa: A002
                   dim=None):
    return unique(self, sorted, return_inverse, return_counts, dim)


class Methods:
    """Tensor methods for the set and counting functions above."""

    unique = _unique_method
    unique_consecutive = unique_consecutive
    bincount = bincount
    histc = histc
