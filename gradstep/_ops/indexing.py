"""Indexing: ``t[...]``, ``t[...] = v``, gather/scatter, index_*, masked_*, take, nonzero, one_hot.

An index is turned once into a NumPy index (``_parse``). Basic indexing (ints, slices, None,
Ellipsis) returns a view; advanced indexing (integer or boolean tensors, lists, arrays) copies,
and its backward accumulates repeated positions. Writes (``__setitem__``, ``scatter``,
``index_add``, ``masked_fill``...) share one op, ``IndexPut``, whose subclasses only carry
torch's node names.
"""
import warnings

import numpy as np

from ..autograd import grad_mode
from ..autograd.graph import NO_GRAD_CTX, Op
from ._util import fill_array, inplace, is_tensor, scalar_type_name, sum_to, wrap_dim
from .shape import Select, Slice, reshape, expand

__all__ = ["gather", "scatter", "scatter_add", "index_select", "index_add", "index_fill",
           "index_copy", "index_put", "masked_fill", "masked_select", "masked_scatter",
           "nonzero", "argwhere", "take", "take_along_dim", "one_hot"]


def _tensor_cls():
    from .. import _tensor
    return _tensor.Tensor


# ----- parsing an index -----

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
              "are valid indices (got {})")
_BAD_TENSOR = "tensors used as indices must be long, int, byte or bool tensors"


def _as_index_array(item):
    """An integer or boolean NumPy array for an advanced index item, checking torch's dtypes."""
    if is_tensor(item):
        a = item._host()
    elif isinstance(item, np.ndarray):
        a = item
    else:
        a = np.asarray(item)
        if a.dtype == object:
            raise IndexError(_BAD_INDEX.format(type(item).__name__))
        if a.size == 0 and a.dtype.kind == "f":
            a = a.astype(np.int64)
    kind = a.dtype.kind
    if kind == "b":
        return a
    if a.dtype == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=4)
        return a.astype(bool)
    if a.dtype not in (np.int64, np.int32) and not (not is_tensor(item) and kind in "iu"):
        raise IndexError(_BAD_TENSOR)
    return a


def _parse(self, idx):
    """``(numpy_index, advanced, name)`` for ``self[idx]``, raising torch's index errors."""
    if type(idx) is not tuple:
        if isinstance(idx, list) and any(isinstance(i, (slice, type(None), type(Ellipsis)))
                                         or isinstance(i, (list, tuple)) or is_tensor(i)
                                         for i in idx):
            idx = tuple(idx)  # a legacy sequence of indices
            single = False
        else:
            idx = (idx,)
            single = True
    else:
        single = False
    shape = self._data.shape
    nd = len(shape)
    items = []
    advanced = False
    consumed = 0
    for item in idx:
        if item is None or item is Ellipsis:
            items.append(item)
        elif isinstance(item, slice):
            start, stop, step = (int(v) if is_tensor(v) else v
                                 for v in (item.start, item.stop, item.step))
            if step is not None and step <= 0:
                if step == 0:
                    raise ValueError("step must be greater than zero")
                raise ValueError("step must be greater than zero")
            items.append(slice(start, stop, step))
            consumed += 1
        elif isinstance(item, (bool, np.bool_)):
            items.append(np.asarray(bool(item)))
            advanced = True
        elif isinstance(item, (int, np.integer)):
            items.append(int(item))
            consumed += 1
        elif is_tensor(item) and item._data.ndim == 0 and item._data.dtype.kind in "iu" \
                and item._data.dtype != np.uint8:
            if item._data.dtype not in (np.int64, np.int32):
                raise IndexError(_BAD_TENSOR)
            items.append(int(item._data))
            consumed += 1
        elif is_tensor(item) or isinstance(item, (np.ndarray, list, tuple)):
            a = _as_index_array(item)
            items.append(a)
            advanced = True
            consumed += a.ndim if a.dtype == np.bool_ else 1
        elif isinstance(item, float):
            raise IndexError(_BAD_INDEX.format("float"))
        else:
            raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    if consumed > nd:
        if nd == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    # bounds and mask shapes, walking the dims each item addresses
    dim = 0
    names = []
    for item in items:
        if item is None:
            names.append("U")
        elif item is Ellipsis:
            dim += nd - consumed
            consumed = nd
        elif type(item) is int:
            n = shape[dim]
            if item >= n or item < -n:
                raise IndexError(f"index {item} is out of bounds for dimension {dim} with size {n}")
            names.append("S")
            dim += 1
        elif type(item) is slice:
            if single or not (item.start in (None, 0) and item.step in (None, 1) and (
                    item.stop is None or item.stop >= shape[dim])):
                names.append("L")
            dim += 1
        elif item.dtype == np.bool_:
            k = item.ndim
            for j in range(k):
                if item.shape[j] != shape[dim + j]:
                    raise IndexError(f"The shape of the mask {list(item.shape)} at index {j} does "
                                     f"not match the shape of the indexed tensor {list(shape)} "
                                     f"at index {dim + j}")
            dim += k
        else:
            n = shape[dim]
            if item.size:
                hi, lo = item.max(), item.min()
                if hi >= n:
                    raise IndexError(f"index {hi} is out of bounds for dimension 0 with size {n}")
                if lo < -n:
                    raise IndexError(f"index {lo} is out of bounds for dimension 0 with size {n}")
            dim += 1
    return tuple(items), advanced, (names[-1] if names else "A")


class IndexUnsqueeze(Slice):
    name_ = "UnsqueezeBackward0"


class IndexAlias(Slice):
    name_ = "AliasBackward0"


_BASIC_OPS = {"S": Select, "L": Slice, "U": IndexUnsqueeze, "A": IndexAlias}


# ----- ops -----

def embed(grad, shape, index, accumulate=False):
    """Zeros of ``shape`` with ``grad`` written (or added, for repeated positions) at ``index``."""
    if is_tensor(grad):
        return Embed.apply(grad, shape, index, accumulate)
    return Embed.forward(NO_GRAD_CTX, grad, shape, index, accumulate)


def _flat_positions(shape, index):
    """For each element of ``zeros(shape)[index]``, its flat position."""
    return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[index]


class Embed(Op):
    """z = zeros with x at index (the backward of indexing);  dz/dx = grad[index]."""
    name_ = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, x, shape, index, accumulate):
        ctx.index = index
        out = np.zeros_like(x, shape=shape, order="C")
        if accumulate:
            np.add.at(out.reshape(-1), _flat_positions(shape, index).reshape(-1), x.reshape(-1))
        else:
            out[index] = x
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index]


class Index(Op):
    """z = x[index] with integer or boolean arrays (a copy);  dz/dx = grad added back at index."""
    name_ = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x.shape
        ctx.index = index
        return x.copy() if index is ... else x[index]

    @staticmethod
    def backward(ctx, grad):
        return embed(grad, ctx.in_shape, ctx.index, True)


class Gather(Index):
    name_ = "GatherBackward0"


class IndexSelect(Index):
    name_ = "IndexSelectBackward0"


class MaskedSelect(Index):
    name_ = "MaskedSelectBackward0"


class Take(Index):
    name_ = "TakeBackward0"


def _zero_at(grad, index):
    if is_tensor(grad):
        return IndexPut.apply(grad, np.zeros((), grad._data.dtype), index, False)
    g = grad.copy()
    g[index] = 0
    return g


class IndexPut(Op):
    """z = x with v written (or added) at index;  dz/dx = grad (zeroed at index unless added),
    dz/dv = grad[index] reduced to v's shape."""
    name_ = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, v, index, accumulate, vindex=None):
        ctx.args = (index, accumulate, vindex, np.shape(v))
        vv = v if vindex is None else v[vindex]
        out = x.copy()
        if accumulate:
            target = out[index]
            np.add.at(out, index, np.broadcast_to(np.asarray(vv, dtype=out.dtype), target.shape))
        else:
            out[index] = vv
        return out

    @staticmethod
    def backward(ctx, grad):
        index, accumulate, vindex, vshape = ctx.args
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = grad if accumulate else _zero_at(grad, index)
        if len(need) > 1 and need[1]:
            g = grad[index]
            if vindex is not None:
                gv = embed(g, vshape, vindex)
            elif len(vshape) > len(g.shape):
                gv = np.reshape(sum_to(g, vshape[len(vshape) - len(g.shape):]), vshape)
            else:
                gv = sum_to(g, vshape)
        return gx, gv


class CopySlices(IndexPut):
    name_ = "torch::autograd::CopySlices"


class CopyBackwards(IndexPut):
    name_ = "torch::autograd::CopyBackwards"


class Scatter(IndexPut):
    name_ = "ScatterBackward0"


class ScatterValue(IndexPut):
    name_ = "ScatterBackward1"


class ScatterAdd(IndexPut):
    name_ = "ScatterAddBackward0"


class IndexAdd(IndexPut):
    name_ = "IndexAddBackward0"


class IndexFill(IndexPut):
    name_ = "IndexFillBackward0"


class IndexCopy(IndexPut):
    name_ = "IndexCopyBackward0"


class MaskedFill(IndexPut):
    name_ = "MaskedFillBackward0"


class MaskedFillTensor(IndexPut):
    name_ = "MaskedFillBackward1"


class IndexFillTensor(IndexPut):
    name_ = "IndexFillBackward1"


class MaskedScatter(IndexPut):
    name_ = "MaskedScatterBackward0"


class ScatterReduce(Op):
    """scatter with ``reduce=``: torch records no derivative for it."""
    name_ = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, x, v, index, reduce):
        out = x.copy()
        vv = np.broadcast_to(np.asarray(v, dtype=out.dtype), out[index].shape)
        (np.add if reduce == "add" else np.multiply).at(out, index, vv)
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("the derivative for 'scatter' with reduce is not implemented.")


# ----- __getitem__ / __setitem__ -----

def getitem(self, idx):
    """``self[idx]``: a view for basic indices, a copy for advanced ones (torch = NumPy rules)."""
    if type(idx) is int and self._data.ndim:  # the common fast path
        n = self._data.shape[0]
        if idx >= n or idx < -n:
            raise IndexError(f"index {idx} is out of bounds for dimension 0 with size {n}")
        return Select.apply(self, (idx,))
    index, advanced, name = _parse(self, idx)
    if advanced:
        return Index.apply(self, index)
    return _BASIC_OPS[name].apply(self, index)


def _value_array(self, value):
    """``value`` as an array of self's dtype (a number, or a tensor's data)."""
    np_dtype = self._data.dtype
    if is_tensor(value):
        if value._data.dtype == np_dtype:
            return value._data
        with np.errstate(all="ignore"):  # an overflowing cast gives inf, silently as in torch
            return value._data.astype(np_dtype)
    if type(value) in (int, float, bool):
        return fill_array(value, np_dtype)
    if isinstance(value, (np.number, np.bool_, list, tuple, np.ndarray)):
        with np.errstate(all="ignore"):
            return np.asarray(value).astype(np_dtype)
    from .._tensor import type_name
    raise TypeError(f"can't assign a {type(value).__name__} to a {type_name(self)}")


def _check_value_shape(self, value_shape, target_shape, advanced):
    vs = tuple(value_shape)
    while len(vs) > len(target_shape) and vs[0] == 1:
        vs = vs[1:]
    if advanced:
        try:
            np.broadcast_shapes(vs, target_shape)
            ok = len(vs) <= len(target_shape) and np.broadcast_shapes(vs, target_shape) == \
                tuple(target_shape)
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(value_shape)} cannot "
                               f"be broadcast to indexing result of shape {list(target_shape)}")
        return
    if len(vs) > len(target_shape):
        from .._tensor import type_name
        raise RuntimeError(f"expand({type_name(self)}{{{list(vs)}}}, size={list(target_shape)}): "
                           f"the number of sizes provided ({len(target_shape)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(vs)})")
    lead = len(target_shape) - len(vs)
    for i, s in enumerate(vs):
        t = target_shape[lead + i]
        if s != t and s != 1:
            raise RuntimeError(f"The expanded size of the tensor ({t}) must match the existing "
                               f"size ({s}) at non-singleton dimension {lead + i}.  Target sizes: "
                               f"{list(target_shape)}.  Tensor sizes: {list(vs)}")


def setitem(self, idx, value):
    """``self[idx] = value``: an in-place write, recorded (``CopySlices``) when grads flow."""
    index, advanced, name = _parse(self, idx)
    Tensor = _tensor_cls()
    record = grad_mode.state.grad_enabled and (
        self._requires_grad or (is_tensor(value) and value._requires_grad))
    if not record:
        v = _value_array(self, value)
        target = self._data[index]
        if np.shape(v) != target.shape:
            _check_value_shape(self, np.shape(v), target.shape, advanced)
        self._data[index] = v
        self._bump_version()
        return
    if not is_tensor(value):
        value = Tensor._make(_value_array(self, value))
    target_shape = np.empty(self._data.shape, dtype=bool)[index].shape
    if value._data.shape != target_shape:
        _check_value_shape(self, value._data.shape, target_shape, advanced)
    # torch slices first (a view) and writes into it: a mixed index is recorded as CopySlices
    op = CopyBackwards if name == "A" and not advanced else \
        IndexPut if advanced and name == "A" else CopySlices
    inplace(self, lambda old, v: op.apply(old, v, index, False), value)


# ----- gather / scatter -----

def _check_index(index, what, allow_int32=True):
    if not is_tensor(index):
        raise TypeError(f"{what}(): argument 'index' must be Tensor, not {type(index).__name__}")
    dt = index._data.dtype
    if dt != np.int64 and not (allow_int32 and dt == np.int32):
        raise RuntimeError(f"{what}(): Expected dtype int64 for index")
    return index._host()


def _scatter_index(index, dim, shape, what):
    """The NumPy index tuple addressing ``x[... index[i][j][k] ...]`` along ``dim``."""
    nd = len(shape)
    if index.ndim != max(nd, 1) and not (nd == 0 and index.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if nd == 0:
        return ...
    n = shape[dim]
    if index.size:
        hi, lo = index.max(), index.min()
        if hi >= n or lo < -n:
            bad = hi if hi >= n else lo
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
    for d in range(nd):
        if d != dim and index.shape[d] > shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(index.shape)} to be no larger than self "
                               f"{list(shape)} apart from dimension {dim}")
    grids = np.ogrid[tuple(slice(0, s) for s in index.shape)]
    return tuple(index if d == dim else grids[d] for d in range(nd))


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` (for dim 0), and so on."""
    idx = _check_index(index, "gather")
    d = wrap_dim(dim, input._data.ndim)
    return Gather.apply(input, _scatter_index(idx, d, input._data.shape, "gather"))


def _src_slice(src_shape, index_shape):
    if tuple(src_shape) == tuple(index_shape):
        return None
    return tuple(slice(0, n) for n in index_shape)


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """Write ``src`` (a tensor or a number) into ``input`` at ``index`` along ``dim`` (a copy)."""
    if src is None:
        src = value
    idx = _check_index(index, "scatter")
    d = wrap_dim(dim, input._data.ndim)
    nd = input._data.ndim
    if is_tensor(src):
        if src._data.dtype != input._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        if src._data.ndim != max(nd, 1) and nd:
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
    tup = _scatter_index(idx, d, input._data.shape, "scatter")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if is_tensor(src):
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and "
                          "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                          "instead for more reduction options.", UserWarning, stacklevel=2)
            v = src._data[_src_slice(src._data.shape, idx.shape) or ...]
        else:
            v = src
        return ScatterReduce.apply(input, v, tup, reduce)
    if is_tensor(src):
        return Scatter.apply(input, src, tup, False, _src_slice(src._data.shape, idx.shape))
    return ScatterValue.apply(input, np.asarray(src).astype(input._data.dtype), tup, False)


def scatter_add(input, dim, index, src):
    """Add ``src`` into ``input`` at ``index`` along ``dim``, summing repeated positions."""
    idx = _check_index(index, "scatter_add")
    d = wrap_dim(dim, input._data.ndim)
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    tup = _scatter_index(idx, d, input._data.shape, "scatter_add")
    return ScatterAdd.apply(input, src, tup, True, _src_slice(src._data.shape, idx.shape))


def _vector_index(index, what):
    if not is_tensor(index):
        raise TypeError(f"{what}(): argument 'index' must be Tensor, not {type(index).__name__}")
    a = index._host()
    if a.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{what}(): Expected dtype int32 or int64 for index")
    if a.ndim > 1:
        raise IndexError(f"{what}(): Index is supposed to be a vector")
    return a.reshape(-1)


def _dim_index(input, dim, a):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    return d, ((slice(None),) * d + (a,) if nd else ())


def index_select(input, dim, index, *, out=None):
    """The entries of ``input`` at positions ``index`` along ``dim``."""
    a = _vector_index(index, "index_select")
    d, tup = _dim_index(input, dim, a)
    n = input._data.shape[d] if input._data.ndim else 1
    if a.size and (a.max() >= n or a.min() < -n):
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, tup or ...)


def _check_bounds(a, n, d):
    if a.size:
        hi, lo = a.max(), a.min()
        if hi >= n or lo < -n:
            raise IndexError(f"index {hi if hi >= n else lo} is out of bounds for dimension {d} "
                             f"with size {n}")


def index_add(input, dim, index, source, *, alpha=1):
    """Add ``alpha * source`` into ``input`` at positions ``index`` along ``dim``."""
    a = _vector_index(index, "index_add_")
    d, tup = _dim_index(input, dim, a)
    ns = source._data.shape[d] if source._data.ndim else 1
    if a.size != ns:
        raise RuntimeError(f"index_add_(): Number of indices ({a.size}) should be equal to "
                           f"source.size(dim): ({ns}), for dim: {d}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({scalar_type_name(input._data.dtype)}) and source "
                           f"({scalar_type_name(source._data.dtype)}) must have the same scalar "
                           "type")
    n = input._data.shape[d] if input._data.ndim else 1
    if a.size and (a.max() >= n or a.min() < -n):
        raise RuntimeError(f"index {a.max() if a.max() >= n else a.min()} is out of bounds for "
                           f"dimension {d} with size {n}")
    if alpha != 1:
        source = source * alpha
    return IndexAdd.apply(input, source, tup or ..., True)


def index_copy(input, dim, index, source):
    """``input`` with the slices at ``index`` along ``dim`` replaced by ``source``'s."""
    a = _vector_index(index, "index_copy_")
    d, tup = _dim_index(input, dim, a)
    ns = source._data.shape[d] if source._data.ndim else 1
    if a.size != ns:
        raise IndexError(f"index_copy_(): Number of indices ({a.size}) should be equal to "
                         f"source.size(dim) ({ns})")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {input.dtype} and (source) {source.dtype}")
    _check_bounds(a, input._data.shape[d] if input._data.ndim else 1, d)
    return IndexCopy.apply(input, source, tup or ..., False)


def index_fill(input, dim, index, value):
    """``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    a = _vector_index(index, "index_fill_")
    d, tup = _dim_index(input, dim, a)
    _check_bounds(a, input._data.shape[d] if input._data.ndim else 1, d)
    if is_tensor(value):
        if value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value._requires_grad and grad_mode.state.grad_enabled:
            return IndexFillTensor.apply(input, value, tup or ..., False)
        value = value._data.astype(input._data.dtype)
    else:
        value = np.asarray(value).astype(input._data.dtype)
    return IndexFill.apply(input, value, tup or ..., False)


def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or added) at the advanced index ``indices``."""
    index, _, _ = _parse(input, tuple(indices))
    if not is_tensor(values):
        values = np.asarray(values).astype(input._data.dtype)
    return IndexPut.apply(input, values, index, bool(accumulate))


def _mask(mask, what):
    if not is_tensor(mask) or mask._data.dtype != np.bool_:
        dt = mask.dtype if is_tensor(mask) else type(mask).__name__
        raise RuntimeError(f"{what} only supports boolean masks, but got mask with dtype "
                           f"{str(dt).removeprefix('torch.')}")
    return mask._host()


def _broadcast_pair(input, mask):
    """Expand ``input`` and the mask to their common shape (torch broadcasts both)."""
    shape = np.broadcast_shapes(input._data.shape, mask.shape) if input._data.shape != \
        mask.shape else mask.shape
    if shape != input._data.shape:
        input = expand(input, shape)
    return input, np.broadcast_to(mask, shape)


def _broadcast_error(b, a):
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {max(len(a), len(b)) - i}")


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (mask broadcasts)."""
    m = _mask(mask, "masked_fill_")
    _broadcast_error(input._data.shape, m.shape)
    if is_tensor(value):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value._requires_grad and grad_mode.state.grad_enabled:
            x, m = _broadcast_pair(input, m)
            return MaskedFillTensor.apply(x, value, (m,), False)
        value = value._data
    x, m = _broadcast_pair(input, m)
    return MaskedFill.apply(x, np.asarray(value).astype(input._data.dtype), (m,), False)


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor."""
    if not is_tensor(mask) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    m = mask._host()
    _broadcast_error(input._data.shape, m.shape)
    x, m = _broadcast_pair(input, m)
    return MaskedSelect.apply(x, (m,))


def masked_scatter(input, mask, source):
    """``input`` with the True positions of ``mask`` filled from ``source`` in order."""
    m = _mask(mask, "masked_scatter_")
    _broadcast_error(input._data.shape, m.shape)
    x, m = _broadcast_pair(input, m)
    k = int(m.sum())
    if source._data.size < k:
        raise RuntimeError("masked_scatter: expected source to have at least as many elements as "
                           "ones in mask")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but "
                           f"got {scalar_type_name(input._data.dtype)} and "
                           f"{scalar_type_name(source._data.dtype)}")
    flat = reshape(source, (-1,))
    return MaskedScatter.apply(x, flat, (m,), False, (slice(0, k),))


def take(input, index):
    """The elements of ``input`` (as if flattened) at ``index``; the result has index's shape."""
    if not is_tensor(index) or index._data.dtype != np.int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{index.dtype if is_tensor(index) else type(index).__name__}")
    a = index._host()
    n = input._data.size
    if a.size:
        hi, lo = a.max(), a.min()
        if hi >= n or lo < -n:
            bad = hi if hi >= n else lo
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             "elements.")
    if input._data.ndim == 0:
        input = reshape(input, (1,))
    return Take.apply(input, np.unravel_index(np.where(a < 0, a + n, a), input._data.shape))


def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with NumPy's take_along_axis broadcasting (``dim=None``: over the flattened)."""
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    nd = input._data.ndim
    if indices._data.ndim != nd:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {nd} dimensions for input, and "
                           f"{indices._data.ndim} dimensions for indices")
    d = wrap_dim(dim, nd)
    ishape = list(input._data.shape)
    jshape = list(indices._data.shape)
    ishape[d] = jshape[d] = 1
    b = np.broadcast_shapes(tuple(ishape), tuple(jshape))
    in_target = tuple(b[k] if k != d else input._data.shape[d] for k in range(nd))
    ix_target = tuple(b[k] if k != d else indices._data.shape[d] for k in range(nd))
    if in_target != input._data.shape:
        input = expand(input, in_target)
    if ix_target != indices._data.shape:
        indices = _tensor_cls()._make(np.broadcast_to(indices._data, ix_target))
    return gather(input, d, indices)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-D tensors."""
    Tensor = _tensor_cls()
    a = input._host()
    if as_tuple:  # torch returns the columns of nonzero() as views
        base = Tensor._make(np.argwhere(np.atleast_1d(a)).astype(np.int64))
        return tuple(base._view_of(base._data[:, k]) for k in range(base._data.shape[1]))
    if a.ndim == 0:
        return Tensor._make(np.zeros((1 if a else 0, 0), np.int64))
    return Tensor._make(np.argwhere(a).astype(np.int64))


def argwhere(input):
    """``nonzero(input)``."""
    return nonzero(input)


def one_hot(tensor, num_classes=-1):
    """Integer classes as one-hot rows: shape ``(*tensor.shape, num_classes)``, int64."""
    Tensor = _tensor_cls()
    if tensor._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._host()
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(out)


class Methods:
    __getitem__ = getitem
    __setitem__ = setitem
    gather = gather
    scatter = scatter
    scatter_add = scatter_add
    index_select = index_select
    index_add = index_add
    index_copy = index_copy
    index_fill = index_fill
    index_put = index_put
    masked_fill = masked_fill
    masked_select = masked_select
    masked_scatter = masked_scatter
    nonzero = nonzero
    argwhere = argwhere
    take = take
    take_along_dim = take_along_dim

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """In-place ``scatter``."""
        return inplace(self, scatter, dim, index, src, value=value, reduce=reduce)

    def scatter_add_(self, dim, index, src):
        """In-place ``scatter_add``."""
        return inplace(self, scatter_add, dim, index, src)

    def index_add_(self, dim, index, source, *, alpha=1):
        """In-place ``index_add``."""
        return inplace(self, index_add, dim, index, source, alpha=alpha)

    def index_copy_(self, dim, index, source):
        """In-place ``index_copy``."""
        return inplace(self, index_copy, dim, index, source)

    def index_fill_(self, dim, index, value):
        """In-place ``index_fill``."""
        return inplace(self, index_fill, dim, index, value)

    def index_put_(self, indices, values, accumulate=False):
        """In-place ``index_put``."""
        return inplace(self, index_put, indices, values, accumulate)

    def masked_fill_(self, mask, value):
        """In-place ``masked_fill`` (the mask must broadcast to self's shape)."""
        return inplace(self, masked_fill, mask, value)

    def masked_scatter_(self, mask, source):
        """In-place ``masked_scatter``."""
        return inplace(self, masked_scatter, mask, source)
