"""Indexing: ``t[...]``, ``t[...] = v``, gather/scatter, index_*, masked_*, take, nonzero, one_hot.

An index is turned once into a NumPy index (``_parse``). Basic indexing (ints, slices, None,
Ellipsis) returns a view; advanced indexing (integer or boolean tensors, lists, arrays) copies,
and its backward accumulates repeated positions. Writes (``__setitem__``, ``scatter``,
``index_add``, ``masked_fill``...) share one op, ``IndexPut``, whose subclasses only carry
torch's node names.
"""
import math
import warnings

import numpy as np

from .._from_data import warn_once_at_caller
from ..autograd import grad_mode
from ..autograd.graph import NO_GRAD_CTX, Op, _raise_modified, _root
from ._util import (check_scalar, cpp_type_name, inplace, is_tensor, scalar_array,
                    scalar_type_name, sum_to, wrap_dim, write_out)
from ._view_inplace import check_write_through_view, has_internal_overlap
from .shape import Select, Slice, reshape, expand
# the shape ops added with these, re-exported here for gradstep's namespace
from .shape import (as_strided, diagflat, dsplit, hsplit, meshgrid, narrow_copy,  # noqa: F401
                    rot90, select, split_with_sizes, unfold, vsplit)

__all__ = ["gather", "scatter", "scatter_add", "index_select", "index_add", "index_fill",
           "index_copy", "index_put", "masked_fill", "masked_select", "masked_scatter",
           "nonzero", "argwhere", "take", "take_along_dim", "put", "one_hot", "scatter_reduce",
           "tril_indices", "triu_indices"]


def _tensor_cls():
    from .. import _tensor
    return _tensor.Tensor


# ----- parsing an index -----

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
              "are valid indices (got {})")
_BAD_TENSOR = "tensors used as indices must be long, int, byte or bool tensors"
_ZERO_DIM_INT = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                 "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
_LEGACY_SEQUENCE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/"
    "python_variable_indexing.cpp:349.)")


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
                      "torch.bool instead. (Triggered internally at /__w/pytorch/pytorch/aten/src/"
                      "ATen/native/IndexingUtils.h:37.)", UserWarning, stacklevel=4)
        return a.astype(bool)
    if a.dtype not in (np.int64, np.int32) and not (not is_tensor(item) and kind in "iu"):
        raise IndexError(_BAD_TENSOR)
    return a


def _is_full(item, n):
    """Whether the slice ``item`` takes all ``n`` entries of its dim, in order."""
    return item.start in (None, 0) and item.step in (None, 1) and (
        item.stop is None or item.stop >= n)


def _dims_specified(idx):
    """How many dims of the indexed tensor ``idx`` addresses, counted as torch counts them
    before it looks at what the items are (None, ``...`` and bools address none)."""
    count = 0
    for item in idx:
        if item is None or item is Ellipsis or isinstance(item, (bool, np.bool_)):
            continue
        if is_tensor(item):
            dt = item._data.dtype
            count += item._data.ndim if dt in (np.bool_, np.uint8) else 1
        else:
            count += 1
    return count


def _too_many(idx, nd):
    """torch counts the items first: too many of them is the error, whatever they are."""
    if _dims_specified(idx) > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")


def _parse(self, idx):
    """``(numpy_index, advanced, name)`` for ``self[idx]``, raising torch's index errors."""
    shape = self._data.shape
    nd = len(shape)
    if type(idx) is not tuple:
        if isinstance(idx, list) and any(isinstance(i, (slice, type(None), type(Ellipsis)))
                                         or isinstance(i, (list, tuple)) or is_tensor(i)
                                         for i in idx):
            warnings.warn(_LEGACY_SEQUENCE, UserWarning, stacklevel=3)
            idx = tuple(idx)  # a legacy sequence of indices
            single = False
        else:
            if isinstance(idx, str):  # torch reads a string as a sequence of indices
                warnings.warn(_LEGACY_SEQUENCE, UserWarning, stacklevel=3)
            if nd == 0:
                if isinstance(idx, (int, np.integer)) and not isinstance(idx, (bool, np.bool_)):
                    if idx == 0:
                        raise IndexError(_ZERO_DIM_INT)
                    raise IndexError(f"index {idx} is out of bounds for dimension 0 with size 0")
                if isinstance(idx, slice):
                    raise IndexError("slice() cannot be applied to a 0-dim tensor.")
            idx = (idx,)
            single = True
    else:
        single = False
    items = []
    advanced = False
    consumed = 0
    dropped = None  # where later ellipses were left out, to report an item's position in idx
    for item in idx:
        if item is None:
            items.append(item)
        elif item is Ellipsis:
            if dropped is not None:  # torch: a later ellipsis stands for no dims
                dropped.append(len(items))
                continue
            dropped = []
            items.append(item)
        elif isinstance(item, slice):
            start, stop, step = (int(v) if is_tensor(v) else v
                                 for v in (item.start, item.stop, item.step))
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero" if step else
                                 "slice step cannot be zero")
            items.append(slice(start, stop, step))
            consumed += 1
        elif isinstance(item, (bool, np.bool_)):
            items.append(np.asarray(bool(item)))
            advanced = True
        elif isinstance(item, (int, np.integer)):
            items.append(int(item))
            consumed += 1
        elif is_tensor(item) and item._data.ndim == 0 and item._data.dtype.kind in "iub":
            # torch reads a 0-dim integer tensor as a number, a 0-dim bool or byte one as a
            # bool (not a mask: no warning): copies, so a later change of the tensor is not seen
            if item._data.dtype.kind == "b" or item._data.dtype == np.uint8:
                items.append(np.asarray(bool(item._host())))
                advanced = True
                continue
            items.append(int(item._host()))
            consumed += 1
        elif is_tensor(item) or isinstance(item, (np.ndarray, list, tuple)):
            a = _as_index_array(item)
            items.append(a)
            advanced = True
            consumed += a.ndim if a.dtype == np.bool_ else 1
        elif isinstance(item, float):
            _too_many(idx, nd)
            raise IndexError(_BAD_INDEX.format("float"))
        else:
            _too_many(idx, nd)
            raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    if consumed > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    # bounds of the ints, walking the dims each item addresses
    dim = 0
    names = []
    for item in items:
        if item is None:
            names.append("U")
        elif item is Ellipsis:
            dim += nd - consumed
        elif type(item) is int:
            n = shape[dim]
            if item >= n or item < -n:
                position = _position(items, dim, nd - consumed, dropped)
                raise IndexError(f"index {item} is out of bounds for dimension {position} with "
                                 f"size {n}")
            names.append("S")
            dim += 1
        elif type(item) is slice:
            if single or not (item.start in (None, 0) and item.step in (None, 1) and (
                    item.stop is None or item.stop >= shape[dim])):  # not all of the dim
                names.append("L")
            dim += 1
        elif item.ndim == 0:
            names.append("U")  # True/False: torch indexes a new dim of size 1 (unsqueeze)
        else:
            dim += item.ndim if item.dtype == np.bool_ else 1
    name = names[-1] if names else "A"
    if not advanced:
        return tuple(items), False, name
    items = _check_advanced(shape, items, nd - consumed)
    if nd == consumed and dropped is not None:  # NumPy would count an ellipsis of no dims
        items = [item for item in items if item is not Ellipsis]  # as a gap between tensors
    if _numpy_moves_dims(items):
        return _ints_first(shape, items), True, name
    return tuple(items), True, name


def _position(items, dim, ellipsis_dims, dropped):
    """The position in the user's index of the int item addressing ``dim`` (torch's errors
    name that, not the dim)."""
    at = 0
    for k, item in enumerate(items):
        if item is Ellipsis:
            at += ellipsis_dims
        elif item is not None and not (isinstance(item, np.ndarray) and item.ndim == 0):
            if at == dim and type(item) is int:
                return k + sum(1 for p in dropped or () if p <= k)
            at += item.ndim if isinstance(item, np.ndarray) and item.dtype == np.bool_ else 1


def _sliced_layout(shape, items, ellipsis_dims):
    """torch applies ints, slices and None first, as a view, and the tensors then index that
    view. For each advanced item: (item, first dim of the view it indexes); and the view's
    shape, for error messages."""
    sliced = []
    advanced = []
    dim = 0
    for item in items:
        if item is None:
            sliced.append(1)
        elif item is Ellipsis:
            sliced.extend(shape[dim:dim + ellipsis_dims])
            dim += ellipsis_dims
        elif type(item) is int:
            dim += 1
        elif type(item) is slice:
            sliced.append(len(range(*item.indices(shape[dim]))))
            dim += 1
        elif item.ndim == 0:  # True/False: a new dim of size 1, indexed by [0] or []
            advanced.append((item, len(sliced)))
            sliced.append(1)
        else:
            advanced.append((item, len(sliced)))
            k = item.ndim if item.dtype == np.bool_ else 1
            sliced.extend(shape[dim:dim + k])
            dim += k
    sliced.extend(shape[dim:])  # the dims no item addresses
    return advanced, sliced


def _index_tensors(advanced):
    """The long index tensors torch makes of the advanced items, with the size each indexes
    (a mask of k dims gives k of them; True/False gives [0] or [])."""
    tensors = []
    for item, start in advanced:
        if item.dtype != np.bool_:
            tensors.append(item)
        elif item.ndim == 0:
            tensors.append(np.zeros(int(item), np.int64))
        else:
            tensors.extend(np.nonzero(item))
    return tensors


def _check_advanced(shape, items, ellipsis_dims):
    """Check the tensors of an index (mask shapes, broadcasting, bounds); the items, made
    valid for NumPy where torch lets bad indices pass (see ``_out_of_range``). A quick pass
    over self's dims; torch's precise errors come from ``_advanced_errors``."""
    dim = 0
    shapes = []
    valid = True
    for item in items:
        if item is None:
            continue
        if item is Ellipsis:
            dim += ellipsis_dims
        elif type(item) is int or type(item) is slice:
            dim += 1
        elif item.dtype != np.bool_:
            n = shape[dim]
            if item.size and (item.max() >= n or item.min() < -n):
                valid = False
            shapes.append(item.shape)
            dim += 1
        elif item.ndim == 0:  # True/False: [0] or [] on a new dim
            shapes.append((int(item),))
        else:
            k = item.ndim
            if item.shape != shape[dim:dim + k]:
                valid = False
            elif len(shapes) or len(items) > 1:
                shapes.extend([(int(np.count_nonzero(item)),)] * k)
            dim += k
    if valid and len(shapes) > 1 and shapes.count(shapes[0]) != len(shapes):
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            valid = False
    return items if valid else _advanced_errors(shape, items, ellipsis_dims)


def _advanced_errors(shape, items, ellipsis_dims):
    """torch's checks of the tensors in an index, in its order: mask shapes, broadcasting,
    then bounds (reported at the first bad element, by the position of its tensor)."""
    advanced, sliced = _sliced_layout(shape, items, ellipsis_dims)
    shapes = []
    sizes = []
    for item, start in advanced:
        if item.dtype != np.bool_:
            shapes.append(item.shape)
            sizes.append(sliced[start])
            continue
        if item.ndim == 0:
            shapes.append((int(item),))
            sizes.append(1)
            continue
        for j, n in enumerate(item.shape):
            if n != sliced[start + j]:
                raise IndexError(f"The shape of the mask {list(item.shape)} at index {j} does "
                                 f"not match the shape of the indexed tensor {sliced} at index "
                                 f"{start + j}")
        count = int(np.count_nonzero(item))
        shapes.extend([(count,)] * item.ndim)
        sizes.extend(sliced[start:start + item.ndim])
    if len(shapes) > 1:
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                             "with shapes " + ", ".join(str(list(s)) for s in shapes)) from None
    out_of_range = False
    for item, start in advanced:
        if item.dtype != np.bool_ and item.size:
            n = sliced[start]
            if item.max() >= n or item.min() < -n:
                out_of_range = True
                break
    if out_of_range:
        return _out_of_range(items, advanced, sliced, sizes)
    return items


def _out_of_range(items, advanced, sliced, sizes):
    """The error path of ``_check_advanced``: torch reports the first bad element in the order
    of the result, and only when the result has elements; else the index still has to be
    valid for NumPy, so the bad entries (which select nothing) become 0."""
    tensors = np.broadcast_arrays(*_index_tensors(advanced))
    covered = set()
    for item, start in advanced:
        covered.update(range(start, start + (item.ndim if item.dtype == np.bool_ else 1)))
    other = math.prod(n for d, n in enumerate(sliced) if d not in covered)
    bad = [(t >= n) | (t < -n) for t, n in zip(tensors, sizes)]
    if tensors[0].size and other:
        position = np.flatnonzero(np.any(bad, axis=0))[0]
        k = next(k for k, b in enumerate(bad) if b.reshape(-1)[position])
        if sizes[k] == 0:
            raise IndexError("index is out of bounds for dimension with size 0")
        raise IndexError(f"index {tensors[k].reshape(-1)[position]} is out of bounds for "
                         f"dimension {k} with size {sizes[k]}")
    size_of = {id(item): sliced[start] for item, start in advanced if item.dtype != np.bool_}
    return [np.where((item >= size_of[id(item)]) | (item < -size_of[id(item)]), 0, item)
            if id(item) in size_of else item for item in items]


def _numpy_moves_dims(items):
    """Whether NumPy would place the dims of the tensor indices elsewhere than torch.

    NumPy counts an int as one more (0-dim) index array; torch selects at the ints first.
    Both put the indices' dims where the indices sit when they are adjacent, else in front; so
    they differ only when the tensors are adjacent but an int is apart from them
    (``x[0, :, [0, 1]]``)."""
    arrays = []
    ints = []
    for k, item in enumerate(items):
        if type(item) is int:
            ints.append(k)
        elif isinstance(item, np.ndarray):
            arrays.append(k)
    if not ints or arrays[-1] - arrays[0] + 1 != len(arrays):
        return False  # no int, or the tensors apart for torch too: in front for both
    both = sorted(arrays + ints)
    return both[-1] - both[0] + 1 != len(both)


def _ints_first(shape, items):
    """The elements of ``self[items]`` in torch's order, as one NumPy index.

    torch selects at the ints first and then applies the tensors to that view, so the ints
    never count as advanced indices; NumPy counts them, which moves the result's dims when an
    int separates them (``x[0, :, [0, 1]]``: torch (3, 2), NumPy (2, 3)). Here both steps run
    on each dim's coordinate grid (a broadcast view, no copy of self's size): the index is,
    per dim of self, the coordinate of every result element.
    """
    first, then = [], []
    for item in items:
        if type(item) is int:
            first.append(item)
        elif item is None or type(item) is slice:
            first.append(item)
            then.append(slice(None))
        elif item is Ellipsis:
            first.append(item)
            then.append(item)
        elif item.ndim == 0:  # True/False: a new dim of size 1, indexed by [0] or []
            first.append(None)
            then.append(np.zeros(int(item), np.int64))
        else:
            first.extend([slice(None)] * (item.ndim if item.dtype == np.bool_ else 1))
            then.append(item)
    first, then = tuple(first), tuple(then)
    nd = len(shape)
    coords = []
    for d in range(nd):
        grid = np.arange(shape[d]).reshape((-1,) + (1,) * (nd - 1 - d))
        coords.append(np.broadcast_to(grid, shape)[first][then])
    return tuple(coords)


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


class SavesIndex:
    """Base of the ops whose backward reads the index tensors (or masks) the user passed:
    ``x[idx]``, ``x[idx] = v``, gather, scatter*, index_*, masked_*, take, put.

    torch saves those tensors for backward and, as for any saved tensor, raises there when one
    was changed in place since. These ops keep arrays made from them instead; the op's public
    function notes each tensor with its version on the node (``note_index_versions``), and
    backward compares (``check_index_versions``): a loop over an empty tuple where none was
    noted, so the forward and backward paths stay as cheap as without the check.
    """
    _index_versions = ()  # ((index tensor, its version at forward), ...)


def note_index_versions(out, idx, saved=True, subscript=False):
    """Let ``out``'s node check, at backward, the versions of the tensors in ``idx`` (one
    index, or a tuple of them); ``saved`` False: torch saves no index for this call. A
    ``subscript`` (``x[idx]``) may be a list standing for a tuple, and there a 0-dim tensor
    acts as a number, which torch does not save. Returns ``out``."""
    node = out._grad_fn
    if saved and isinstance(node, SavesIndex):
        kind = type(idx)
        items = idx if kind is tuple or subscript and kind is list else (idx,)
        versions = tuple((t, _root(t)._ver) for t in items
                         if is_tensor(t) and not (subscript and t._data.ndim == 0))
        if versions:
            node._index_versions = versions
            node._hold_saved(versions)
    return out


def check_index_versions(ctx):
    """torch's error for an index tensor changed in place since ``ctx``'s op read it: backward
    would scatter the gradient to where the new values point, not where forward read."""
    for tensor, version in ctx._index_versions:
        now = _root(tensor)._ver
        if now != version:
            _raise_modified(tensor, tensor._grad_fn, now, version)


class Index(SavesIndex, Op):
    """z = x[index] with integer or boolean arrays (a copy);  dz/dx = grad added back at index."""
    name_ = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x.shape
        ctx.index = index
        return x.copy() if index is ... else x[index]

    @staticmethod
    def backward(ctx, grad):
        check_index_versions(ctx)
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
    # a copy, and an array even where a 0-dim gradient came as a NumPy scalar
    g = np.array(grad) if isinstance(grad, np.generic) else grad.copy()
    g[index] = 0
    return g


class IndexPut(SavesIndex, Op):
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
        check_index_versions(ctx)
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


class FillWhole(IndexPut):
    name_ = "FillBackward3"


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


class Put(SavesIndex, Op):
    """z = x with v's elements written (or added) at flat positions of x;  dz/dx = grad (zero
    at the positions unless added), dz/dv = grad at the positions (every one: torch's take)."""
    name_ = "PutBackward0"

    @staticmethod
    def forward(ctx, x, v, flat, accumulate):
        ctx.args = (flat, accumulate, x.shape, v.shape)
        out = x.copy()  # C order: reshape(-1) below is a view of it
        if accumulate:
            np.add.at(out.reshape(-1), flat, v.reshape(-1))
        else:
            out.reshape(-1)[flat] = v.reshape(-1)  # a position given twice keeps the last
        return out

    @staticmethod
    def backward(ctx, grad):
        check_index_versions(ctx)
        flat, accumulate, xshape, vshape = ctx.args
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = grad if accumulate else \
                np.reshape(_zero_at(np.reshape(grad, (-1,)), flat), xshape)
        if need[1]:
            gv = np.reshape(np.reshape(grad, (-1,))[flat], vshape)
        return gx, gv


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
        raise RuntimeError("derivative for aten::scatter is not implemented")


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
        return note_index_versions(Index.apply(self, index), idx, subscript=True)
    return _BASIC_OPS[name].apply(self, index)


def _value_array(self, value):
    """``value`` as an array of self's dtype (a number, or a tensor's data)."""
    np_dtype = self._data.dtype
    if is_tensor(value):
        if value._data.dtype == np_dtype:
            return value._data
        with np.errstate(all="ignore"):  # an overflowing cast gives inf, silently as in torch
            return value._data.astype(np_dtype)
    # numbers: Python's, and NumPy's that are Python numbers (float64) or convert like ints
    if type(value) in (int, float, bool) or isinstance(value, (np.integer, float)):
        if type(value) is int and not -2**63 <= value < 2**63:
            raise ValueError("Overflow when unpacking long long")  # torch reads a C long long
        if np_dtype != np.float16:
            check_fits(value, np_dtype)
            return scalar_array(value, np_dtype)
        with np.errstate(over="ignore"):  # torch leaves x[i] = v on float16 unchecked: inf
            return scalar_array(value, np_dtype)
    from .._tensor import type_name
    kind = type(value)
    what = f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__
    raise TypeError(f"can't assign a {what} to a {type_name(self)}")


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


_SHARED_ELEMENTS = ("unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation.")
_OVERLAP = ("unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation.")


def _dense_span(a):
    """The byte range of ``a``'s memory when its elements tile it exactly (torch's
    "non-overlapping and dense"), else None."""
    low, high = np.lib.array_utils.byte_bounds(a)
    return (low, high) if high - low == a.nbytes else None


def _check_overlap(dest, src, same_ok):
    """torch's refusal to copy between memory that partly overlaps (``x[1:] = x[:-1]``): an
    element could be read after it was written. Only dense layouts are compared, as in torch;
    the very same layout is fine for a plain copy (``same_ok``), not for index_put."""
    if not src.size or not dest.size or not np.may_share_memory(dest, src):
        return
    d, s = _dense_span(dest), _dense_span(src)
    if d is None or s is None:
        return
    if same_ok and d == s and dest.strides == src.strides:
        return
    if d[0] < s[1] and s[0] < d[1]:
        raise RuntimeError(_OVERLAP)


def _warn_expanded(op):
    """torch's deprecation warning for masked_fill_, index_fill_ and index_put_ writing into a
    tensor whose elements share memory (an expanded one)."""
    example, line = {"masked_fill_": ("tensor[mask] = scalar", 2450),
                     "index_fill_": ("tensor[mask] = scalar", 1913),
                     "index_put_": ("tensor[indices] = tensor", 976)}[op]
    warnings.warn(f"Use of {op} on expanded tensors is deprecated. Please clone() the tensor "
                  f"before performing this operation. This also applies to advanced indexing "
                  f"e.g. {example} (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/"
                  f"native/TensorAdvancedIndexing.cpp:{line}.)", UserWarning, stacklevel=4)


def _shares_elements(a):
    return 0 in a.strides and has_internal_overlap(a)


def _writes_shared(self, value):
    """Whether an in-place masked_fill_/index_fill_/index_put_ writes into a tensor whose
    elements share memory (an expanded one) without recording: torch still allows that."""
    return _shares_elements(self._data) and not (grad_mode.state.grad_enabled and (
        self._requires_grad or is_tensor(value) and value._requires_grad))


def _write_shared(self, op, where, value, accumulate=False):
    """Write ``value`` at ``where`` straight into the shared memory, element by element as
    torch does (a write shows at every element sharing the memory), with its warning."""
    _warn_expanded(op)
    if accumulate:
        np.add.at(self._data, where, np.broadcast_to(value, self._data[where].shape))
    else:
        self._data[where] = value
    self._bump_version()
    return self


def _single_mask(idx):
    """Whether the index holds exactly one tensor-like item, a bool one: torch then writes a
    one-element value with masked_fill_ (which casts it) rather than index_put_."""
    items = idx if type(idx) is tuple else (idx,)
    tensors = [i for i in items if is_tensor(i) and not (
        i._data.ndim == 0 and i._data.dtype.kind in "iu" and i._data.dtype != np.uint8)
        or isinstance(i, (list, tuple, np.ndarray))]
    return len(tensors) == 1 and is_tensor(tensors[0]) and tensors[0]._data.dtype == np.bool_


def setitem(self, idx, value):
    """``self[idx] = value``: an in-place write, recorded (``CopySlices``) when grads flow."""
    if type(idx) is bool:  # torch: x[False] = v writes nothing; x[True] = v is x[None] = v
        if not idx:
            return
        idx = None
    index, advanced, name = _parse(self, idx)
    Tensor = _tensor_cls()
    if advanced and is_tensor(value) and value._data.dtype != self._data.dtype and not (
            value._data.size == 1 and _single_mask(idx)):
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{scalar_type_name(self._data.dtype)} for the destination and "
                           f"{scalar_type_name(value._data.dtype)} for the source.")
    record = grad_mode.state.grad_enabled and (
        self._requires_grad or (is_tensor(value) and value._requires_grad))
    if not record:
        v = _value_array(self, value)
        target = self._data[index]
        if np.shape(v) != target.shape:
            _check_value_shape(self, np.shape(v), target.shape, advanced)
        if is_tensor(value):
            _check_overlap(self._data if advanced else target, v, not advanced)
        if 0 in self._data.strides and has_internal_overlap(self._data):  # expanded
            if not advanced:
                if _shares_elements(target):
                    raise RuntimeError(_SHARED_ELEMENTS)
            else:
                _warn_expanded("index_put_")
                if v.size == 1 and _single_mask(idx):
                    _warn_expanded("masked_fill_")
        self._data[index] = v
        self._bump_version()
        return
    if name == "L" and type(idx) is slice and _is_full(index[0], self._data.shape[0]):
        name = "A"  # x[:] = v writes the whole tensor, as x[...] = v
    whole = name == "A" and not advanced
    if not is_tensor(value):
        value = Tensor._make(_value_array(self, value))
        if whole:  # torch fills the tensor with the number
            return inplace(self, lambda old, v: FillWhole.apply(old, v, ..., False), value)
    target_shape = np.empty(self._data.shape, dtype=bool)[index].shape
    if value._data.shape != target_shape:
        _check_value_shape(self, value._data.shape, target_shape, advanced)
    _check_overlap(self._data if advanced else self._data[index], value._data, not advanced)
    # torch slices first (a view) and writes into it: a mixed index is recorded as CopySlices
    op = CopyBackwards if whole else IndexPut if advanced and name == "A" else CopySlices
    if op is CopySlices:
        check_write_through_view(self, _BASIC_OPS[name].name_.removesuffix("Backward0"))
    inplace(self, lambda old, v: note_index_versions(op.apply(old, v, index, False), idx,
                                                      subscript=True), value)


# ----- gather / scatter -----

def check_fits(value, np_dtype):
    """Raise torch's error when the number ``value`` (a Python or NumPy number) cannot be
    stored in ``np_dtype`` (masked_fill, index_fill, scatter, ``x[i] = v``; see
    ``check_scalar``)."""
    check_scalar(value.item() if isinstance(value, np.generic) else value, np_dtype)


def _number_array(value, np_dtype):
    """A number written into a tensor of ``np_dtype``, as a 0-dim array (range-checked)."""
    check_fits(value, np_dtype)
    return scalar_array(value, np_dtype)


def _first_out_of_range(a, low, n):
    """The first entry of ``a`` (in C order) outside ``[low, n)``, or None. Cheap when none is:
    the search only runs once min and max show a bad entry."""
    if a.size and (a.max() >= n or a.min() < low):
        flat = a.reshape(-1)
        return flat[np.flatnonzero((flat >= n) | (flat < low))[0]]
    return None


def _check_index(index, what):
    if not is_tensor(index):
        raise TypeError(f"{what}(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{what}(): Expected dtype int32/int64 for index")
    return index._host()


def _scatter_index(index, dim, shape, size_error):
    """The NumPy index tuple addressing ``x[... index[i][j][k] ...]`` along ``dim``, after
    torch's checks: same number of dims, index no larger than ``shape`` apart from ``dim``
    (``size_error(d)`` words the failure at dim d), and entries in ``[0, shape[dim])``: unlike
    ``x[i]``, gather and scatter take no negative indices."""
    nd = len(shape)
    if index.size == 0:  # torch checks nothing more: nothing is read or written
        return tuple(np.zeros(index.shape, np.int64) for _ in range(nd)) if nd else ...
    if index.ndim != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(nd):
        if d != dim and index.shape[d] > shape[d]:
            raise RuntimeError(size_error(d))
    bad = _first_out_of_range(index, 0, shape[dim])
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size "
                           f"{shape[dim]}")
    grids = np.ogrid[tuple(slice(0, s) for s in index.shape)]
    return tuple(index if d == dim else grids[d] for d in range(nd))


def _as_vector(x):
    """A 0-dim tensor as a 1-element 1-D one (torch treats a scalar as a 1-vector here)."""
    return reshape(x, (1,)) if is_tensor(x) and x._data.ndim == 0 else x


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` (for dim 0), and so on."""
    result = _gather(input, dim, index)
    note_index_versions(result, index)
    if out is not None and out._data.dtype != result._data.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {cpp_type_name(result._data.dtype)}"
                           f", but got {cpp_type_name(out._data.dtype)} instead")
    return write_out(result, out, "gather")


def _gather(input, dim, index):
    idx = _check_index(index, "gather")
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if nd == 0:  # a scalar is read as a 1-vector; the result has index's shape
        if idx.ndim > 1:
            raise RuntimeError("Index tensor must have the same number of dimensions as input "
                               "tensor")
        bad = _first_out_of_range(idx, 0, 1)
        if bad is not None:
            raise RuntimeError(f"index {bad} is out of bounds for dimension 0 with size 1")
        if idx.ndim == 0:
            return Gather.apply(input, ...)
        return Gather.apply(reshape(input, (1,)), (idx,))

    def size_error(k):
        return (f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no "
                f"larger than self {list(input._data.shape)} apart from dimension {d}")

    return Gather.apply(input, _scatter_index(idx, d, input._data.shape, size_error))


def _src_slice(src_shape, index_shape):
    if tuple(src_shape) == tuple(index_shape):
        return None
    return tuple(slice(0, n) for n in index_shape)


def _scatter_size_error(idx, shape, d, src):
    def size_error(k):
        message = (f"Expected index {list(idx.shape)} to be no larger than self {list(shape)} "
                   f"apart from dimension {d}")
        if src is not None:
            message += f" and to be no larger size than src {list(src._data.shape)}"
        return message
    return size_error


def _scatter_prepare(input, dim, index, src, what):
    """Checks shared by scatter and scatter_add; ``(input, index tuple, src, squeeze)`` with a
    0-dim input seen as a 1-vector (``squeeze``: make the result 0-dim again)."""
    idx = _check_index(index, what)
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    src_t = src if is_tensor(src) else None
    if src_t is not None and src_t._data.dtype != input._data.dtype:
        raise RuntimeError(f"{what}(): Expected self.dtype to be equal to src.dtype")
    squeeze = nd == 0
    if squeeze:
        if idx.ndim > 1:
            raise RuntimeError("Index tensor must have the same number of dimensions as input "
                               "tensor")
        input, idx = _as_vector(input), idx.reshape(-1)
        if src_t is not None:
            src = src_t = _as_vector(src_t)
    shape = input._data.shape
    if src_t is not None and idx.size:
        if src_t._data.ndim != idx.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
        too_big = any(i > s for i, s in zip(idx.shape, src_t._data.shape))
        if too_big or any(idx.shape[k] > shape[k] for k in range(len(shape)) if k != d):
            raise RuntimeError(_scatter_size_error(idx, shape, d, src_t)(0))
    tup = _scatter_index(idx, d, shape, _scatter_size_error(idx, shape, d, src_t))
    return input, idx, tup, src, squeeze


def _unsqueezed_result(out, squeeze):
    return reshape(out, ()) if squeeze else out


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """Write ``src`` (a tensor or a number) into ``input`` at ``index`` along ``dim`` (a copy)."""
    if src is None:
        src = value
    input, idx, tup, src, squeeze = _scatter_prepare(input, dim, index, src, "scatter")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if is_tensor(src):
            warn_once_at_caller(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                "reduction options. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/"
                "native/TensorAdvancedIndexing.cpp:225.)")
            v = src._data[_src_slice(src._data.shape, idx.shape) or ...]
        else:
            v = _number_array(src, input._data.dtype)
        return _unsqueezed_result(ScatterReduce.apply(input, v, tup, reduce), squeeze)
    if is_tensor(src):
        result = Scatter.apply(input, src, tup, False, _src_slice(src._data.shape, idx.shape))
    else:
        result = ScatterValue.apply(input, _number_array(src, input._data.dtype), tup, False)
    return _unsqueezed_result(note_index_versions(result, index), squeeze)


def scatter_add(input, dim, index, src):
    """Add ``src`` into ``input`` at ``index`` along ``dim``, summing repeated positions."""
    input, idx, tup, src, squeeze = _scatter_prepare(input, dim, index, src, "scatter")
    result = ScatterAdd.apply(input, src, tup, True, _src_slice(src._data.shape, idx.shape))
    # input's gradient passes unchanged: torch saves the index only for src's
    note_index_versions(result, index, src._requires_grad)
    return _unsqueezed_result(result, squeeze)


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduceOp(SavesIndex, Op):
    """z = x with the src elements at index reduced into it (sum, prod, mean, amax, amin; with
    or without x's own value). dz/dx and dz/dsrc: the derivative of each group's reduction with
    respect to its members (amax/amin share it among ties; prod is safe with zeros)."""
    name_ = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx, x, src, index, reduce, include_self, vindex):
        v = src if vindex is None else src[vindex]
        touched = np.zeros(x.shape, bool)
        touched[index] = True
        out = x.copy()
        if not include_self:  # start from the reduction's identity
            if reduce in ("amax", "amin"):
                big = np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max
                out[touched] = -big if reduce == "amax" else big
            else:
                out[touched] = 1 if reduce == "prod" else 0
        ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}[reduce]
        ufunc.at(out, index, v)
        count = None
        if reduce == "mean":
            count = np.zeros(x.shape, x.dtype)
            np.add.at(count, index, 1)
            if include_self:
                count += 1
            count = np.where(touched, count, 1).astype(x.dtype)
            out = out // count if x.dtype.kind in "iu" else out / count
        ctx.args = (index, vindex, src.shape, include_self, touched)
        if x.dtype.kind == "f" and ctx is not NO_GRAD_CTX:
            ctx.factors = _reduction_factors(x, v, out, index, reduce, include_self, touched,
                                             count)
        return out

    @staticmethod
    def backward(ctx, grad):
        check_index_versions(ctx)
        index, vindex, src_shape, include_self, touched = ctx.args
        self_factor, src_factor = ctx.factors
        need = ctx.needs_input_grad
        gx = grad * self_factor if need[0] else None
        gs = None
        if need[1]:
            gs = grad[index] * src_factor
            if vindex is not None:
                gs = embed(gs, src_shape, vindex)
        return gx, gs


def _reduction_factors(x, v, out, index, reduce, include_self, touched, count):
    """d out / d x (shaped as x) and d out[index] / d src (shaped as the used src)."""
    keep = 1.0 if include_self else 0.0
    self_factor = np.where(touched, keep, 1.0).astype(x.dtype)
    if reduce == "sum":
        return self_factor, np.ones_like(v)
    if reduce == "mean":
        return (np.where(touched, keep / count, 1.0).astype(x.dtype),
                (1 / count[index]).astype(x.dtype))
    if reduce in ("amax", "amin"):  # the gradient is shared among the members equal to out
        # (torch counts self among them even when include_self is False)
        self_wins = x == out
        ties = self_wins.astype(x.dtype)
        np.add.at(ties, index, v == out[index])
        ties = np.where(ties == 0, 1, ties)
        return (np.where(touched, keep * self_wins / ties, 1.0).astype(x.dtype),
                ((v == out[index]) / ties[index]).astype(x.dtype))
    # prod: each member's factor is the product of the other members, found from the product
    # of the non-zero members and the number of zeros (no division by a zero)
    nonzero_product = np.ones(x.shape, x.dtype)
    np.multiply.at(nonzero_product, index, np.where(v != 0, v, 1))
    zeros = np.zeros(x.shape, np.int64)
    np.add.at(zeros, index, v == 0)
    if include_self:
        nonzero_product *= np.where(x != 0, x, 1)
        zeros += x == 0

    def others(member, product, n_zeros):
        with np.errstate(all="ignore"):
            alone = np.where(member != 0, product / np.where(member != 0, member, 1), 0)
        return np.where(n_zeros == 0, alone, np.where((n_zeros == 1) & (member == 0), product, 0))

    self_part = others(x, nonzero_product, zeros) if include_self else 0.0
    return (np.where(touched, self_part, 1.0).astype(x.dtype),
            others(v, nonzero_product[index], zeros[index]).astype(x.dtype))


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    r"""Reduce the elements of ``src`` into ``input`` at ``index`` along ``dim`` with ``reduce``
    ("sum", "prod", "mean", "amax" or "amin"), starting from input's value (``include_self``)
    or from none.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([1., 2., 3.])
        >>> x.scatter_reduce(0, torch.tensor([0, 0, 2]), torch.tensor([5., 7., 1.]), "amax")
        tensor([7., 2., 3.])
        >>> x.scatter_reduce(0, torch.tensor([0, 0, 2]), torch.tensor([5., 7., 1.]), "mean",
        ...                  include_self=False)
        tensor([6., 2., 1.])
    """
    if not is_tensor(src):
        raise TypeError(f"scatter_reduce(): argument 'src' (position 3) must be Tensor, not "
                        f"{type(src).__name__}")
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    input, idx, tup, src, squeeze = _scatter_prepare(input, dim, index, src, "scatter")
    result = ScatterReduceOp.apply(input, src, tup, reduce, bool(include_self),
                                   _src_slice(src._data.shape, idx.shape))
    return _unsqueezed_result(note_index_versions(result, index), squeeze)


def _index_grid(name, row, col, offset, dtype, lower):
    from .._dtype import int64
    dtype = dtype or int64
    if dtype.np not in (np.int64, np.int32):
        raise NotImplementedError(f"\"{name}\" not implemented for '{scalar_type_name(dtype.np)}'")
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return _tensor_cls()._make(np.stack([rows, cols]).astype(dtype.np))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r"""The (row, column) indices of the lower triangle of a ``row`` x ``col`` matrix (on and
    below the ``offset``-th diagonal), as a 2 x N tensor in row-major order.

    Example::

        >>> import gradstep as torch
        >>> torch.tril_indices(3, 3)
        tensor([[0, 1, 1, 2, 2, 2],
                [0, 0, 1, 0, 1, 2]])
    """
    return _index_grid("tril_indices", int(row), int(col), int(offset), dtype, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the upper triangle (on and above the ``offset``-th
    diagonal), as a 2 x N tensor in row-major order."""
    return _index_grid("triu_indices", int(row), int(col), int(offset), dtype, False)


def _vector_index(index, what, dtype_error=None, ndim_error=None):
    """A 1-D int array of an index_* function's index (a 0-dim index counts as one entry)."""
    if not is_tensor(index):
        raise TypeError(f"{what}(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")
    a = index._host()
    if a.dtype not in (np.int64, np.int32):
        raise dtype_error or RuntimeError(f"{what}(): Expected dtype int32 or int64 for index")
    if a.ndim > 1:
        raise ndim_error or IndexError(f"{what}(): Index is supposed to be a vector")
    return a.reshape(-1)


def _dim_index(input, dim, a):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    return d, ((slice(None),) * d + (a,) if nd else ())


def index_select(input, dim, index, *, out=None):
    """The entries of ``input`` at positions ``index`` along ``dim``."""
    result = _index_select(input, dim, index)
    note_index_versions(result, index)
    if out is not None and out._data.dtype != result._data.dtype:
        raise RuntimeError("index_select(): self and result must have the same scalar type")
    return write_out(result, out, "index_select")


def _index_select(input, dim, index):
    a = _vector_index(index, "index_select")
    d, tup = _dim_index(input, dim, a)
    if input._data.ndim == 0:
        if a.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{a.size} value(s)")
        if a[0] != 0:
            raise IndexError("index out of range in self")
        return IndexSelect.apply(input, ...)
    if _first_out_of_range(a, 0, input._data.shape[d]) is not None:
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, tup)


def _slice_shape(shape, d):
    return [n for k, n in enumerate(shape) if k != d]


def index_add(input, dim, index, source, *, alpha=1):
    """Add ``alpha * source`` into ``input`` at positions ``index`` along ``dim``."""
    a = _vector_index(index, "index_add_", RuntimeError(
        f"index_add_(): Expected dtype int32/int64 for index but got: "
        f"{scalar_type_name(index._data.dtype) if is_tensor(index) else ''}"),
        IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                   f"{index._data.ndim if is_tensor(index) else 0} with type: "
                   f"{scalar_type_name(index._data.dtype) if is_tensor(index) else ''} and size: "
                   f"{list(index._data.shape) if is_tensor(index) else []}"))
    d, tup = _dim_index(input, dim, a)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({scalar_type_name(input._data.dtype)}) and source "
                           f"({scalar_type_name(source._data.dtype)}) must have the same scalar "
                           "type")
    shape, sshape = input._data.shape, source._data.shape
    if input._data.ndim == 0:
        if len(sshape) and a.size == 1:
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                               f"specified dimension. Got self.shape = [] source.shape = "
                               f"{list(sshape)}")
        if a.size != 1:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    else:
        ns = sshape[d] if source._data.ndim > d else 1
        if a.size != ns:
            raise RuntimeError(f"index_add_(): Number of indices ({a.size}) should be equal to "
                               f"source.size(dim): ({ns}), for dim: {d}")
        if len(sshape) != len(shape) and source._data.ndim or \
                _slice_shape(sshape, d) != _slice_shape(shape, d):
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                               f"specified dimension. Got self.shape = {list(shape)} "
                               f"source.shape = {list(sshape)}")
    n = shape[d] if input._data.ndim else 1
    bad = _first_out_of_range(a, 0, n)
    if bad is not None:
        if input._data.ndim <= 1 or alpha != 1:  # torch's other kernels word it so
            raise IndexError("index out of range in self")
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if alpha != 1:
        source = source * alpha
    if input._data.ndim == 0 or source._data.ndim == 0:
        source = reshape(source, np.empty(shape, bool)[tup or ...].shape)
    # input's gradient passes unchanged: torch saves the index only for source's
    return note_index_versions(IndexAdd.apply(input, source, tup or ..., True), index,
                                source._requires_grad)


def index_copy(input, dim, index, source):
    """``input`` with the slices at ``index`` along ``dim`` replaced by ``source``'s."""
    if is_tensor(index) and index._data.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                         f"{index._data.ndim})")
    a = _vector_index(index, "index_copy_", RuntimeError(
        f"index_copy_(): Expected a long tensor for index, but got "
        f"{scalar_type_name(index._data.dtype) if is_tensor(index) else ''}"))
    d, tup = _dim_index(input, dim, a)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {scalar_type_name(input._data.dtype)} and (source) "
                           f"{scalar_type_name(source._data.dtype)}")
    shape, sshape = input._data.shape, source._data.shape
    if source._data.ndim == 0:
        if a.size != 1:
            raise IndexError(f"index_copy_(): When source is scalar, index should have one "
                             f"element (got {a.size})")
    elif input._data.ndim and len(sshape) != len(shape):
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({len(sshape)}), "
                         f"destination dimensionality ({len(shape)})")
    if input._data.ndim and source._data.ndim:
        if _slice_shape(sshape, d) != _slice_shape(shape, d):
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {' '.join(map(str, _slice_shape(shape, d)))} at "
                f"dimension {d} and source slice shape: "
                f"{' '.join(map(str, _slice_shape(sshape, d)))} at dimension 0.")
        if a.size != sshape[d]:
            raise IndexError(f"index_copy_(): Number of indices ({a.size}) should be equal to "
                             f"source.size(dim) ({sshape[d]})")
    n = shape[d] if input._data.ndim else 1
    bad = _first_out_of_range(a, 0, n)
    if bad is not None:
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} with "
                         f"size {n}")
    if input._data.ndim == 0 or source._data.ndim == 0:
        source = reshape(source, np.empty(shape, bool)[tup or ...].shape)
    return note_index_versions(IndexCopy.apply(input, source, tup or ..., False), index)


def index_fill(input, dim, index, value):
    """``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    a = _vector_index(index, "index_fill_", IndexError(
        "index_fill_(): Expected dtype int64 for index."),
        RuntimeError("Index has to be a vector/scalar"))
    d, tup = _dim_index(input, dim, a)
    n = input._data.shape[d] if input._data.ndim else 1
    bad = _first_out_of_range(a, -n, n)  # index_fill, unlike index_add, counts from the end
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if input._data.ndim == 0:
        tup = ... if a.size else np.False_  # a scalar is filled unless the index is empty
    if is_tensor(value):
        if value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value._requires_grad and grad_mode.state.grad_enabled:
            return note_index_versions(IndexFillTensor.apply(input, value, tup, False), index)
        value = value._data.astype(input._data.dtype)
    else:
        value = _number_array(value, input._data.dtype)
    return note_index_versions(IndexFill.apply(input, value, tup, False), index)


def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or added) at the advanced index ``indices``."""
    indices = tuple(indices)
    index, _, _ = _parse(input, indices)
    if not is_tensor(values):
        values = np.asarray(values).astype(input._data.dtype)
    return note_index_versions(IndexPut.apply(input, values, index, bool(accumulate)), indices)



def _mask(mask, what):
    if not is_tensor(mask) or mask._data.dtype != np.bool_:
        dt = cpp_type_name(mask._data.dtype) if is_tensor(mask) else type(mask).__name__
        raise RuntimeError(f"{what} only supports boolean masks, but got mask with dtype {dt}")
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
            return note_index_versions(MaskedFillTensor.apply(x, value, (m,), False), mask)
        with np.errstate(all="ignore"):  # a tensor's value is cast silently, as in torch
            value = value._data.astype(input._data.dtype)
    else:
        value = _number_array(value, input._data.dtype)
    x, m = _broadcast_pair(input, m)
    return note_index_versions(MaskedFill.apply(x, value, (m,), False), mask)


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor."""
    if not is_tensor(mask) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    m = mask._host()
    _broadcast_error(input._data.shape, m.shape)
    x, m = _broadcast_pair(input, m)
    return note_index_versions(MaskedSelect.apply(x, (m,)), mask)


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
    return note_index_versions(MaskedScatter.apply(x, flat, (m,), False, (slice(0, k),)), mask)


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
    out = Take.apply(input, np.unravel_index(np.where(a < 0, a + n, a), input._data.shape))
    return note_index_versions(out, index)


def put(input, index, source, accumulate=False):
    r"""``input`` (as if flattened, in its logical order) with the elements of ``source`` written
    at positions ``index`` (or added to them, with ``accumulate``); negative positions count
    from the end. Without ``accumulate``, a position given twice keeps the last value.

    Example::

        >>> import gradstep as torch
        >>> torch.zeros(2, 2).put(torch.tensor([0, -1]), torch.tensor([1., 2.]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    for name, value, pos in (("index", index, 1), ("source", source, 2)):
        if not is_tensor(value):
            raise TypeError(f"put(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(value).__name__}")
    if index._data.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{scalar_type_name(index._data.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {scalar_type_name(input._data.dtype)} and source.dtype = "
                           f"{scalar_type_name(source._data.dtype)}")
    a = index._host()
    if source._data.size != a.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {a.size}")
    n = input._data.size
    if a.size:
        hi, lo = a.max(), a.min()
        if hi >= n or lo < -n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on a "
                             f"tensor of {n} elements.")
    flat = np.where(a < 0, a + n, a).reshape(-1)
    return note_index_versions(Put.apply(input, source, flat, bool(accumulate)), index)


def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with broadcasting over the other dims (``dim=None``: over the flattened
    input). Along ``dim`` an index counts modulo the size, as torch's does (-1 is the last)."""
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{scalar_type_name(indices._data.dtype)}")
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    nd = input._data.ndim
    if nd == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if indices._data.ndim != nd:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {nd} dimensions for input, and "
                           f"{indices._data.ndim} dimensions for indices")
    d = wrap_dim(dim, nd)
    ishape = list(input._data.shape)
    jshape = list(indices._data.shape)
    ishape[d] = jshape[d] = 1
    _broadcast_error(tuple(jshape), tuple(ishape))
    b = np.broadcast_shapes(tuple(ishape), tuple(jshape))
    in_target = tuple(b[k] if k != d else input._data.shape[d] for k in range(nd))
    ix_target = tuple(b[k] if k != d else indices._data.shape[d] for k in range(nd))
    if in_target != input._data.shape:
        input = expand(input, in_target)
    n = input._data.shape[d]
    index = indices._data % n if n else indices._data
    return gather(input, d, _tensor_cls()._make(np.broadcast_to(index, ix_target)))


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
    if a.size == 0 and num_classes <= 0:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if num_classes == -1:
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
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
    put = put

    def put_(self, index, source, accumulate=False):
        """In-place ``put``."""
        return inplace(self, put, index, source, accumulate)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """In-place ``scatter``."""
        return inplace(self, scatter, dim, index, src, value=value, reduce=reduce)

    scatter_reduce = scatter_reduce

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        """In-place ``scatter_reduce``."""
        return inplace(self, scatter_reduce, dim, index, src, reduce, include_self=include_self)

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
        if _writes_shared(self, value):
            index_fill(self, dim, index, value)  # torch's checks
            d = wrap_dim(dim, self._data.ndim)
            where = (slice(None),) * d + (index._host().reshape(-1),) if self._data.ndim else ...
            return _write_shared(self, "index_fill_", where, _value_array(self, value))
        return inplace(self, index_fill, dim, index, value)

    def index_put_(self, indices, values, accumulate=False):
        """In-place ``index_put``."""
        if _writes_shared(self, values):
            index_put(self, indices, values, accumulate)  # torch's checks
            index, _, _ = _parse(self, tuple(indices))
            return _write_shared(self, "index_put_", index, _value_array(self, values),
                                 accumulate)
        return inplace(self, index_put, indices, values, accumulate)

    def masked_fill_(self, mask, value):
        """In-place ``masked_fill`` (the mask must broadcast to self's shape)."""
        if is_tensor(mask) and mask._data.shape != self._data.shape:
            _broadcast_error(mask._data.shape, self._data.shape)  # in place, a is self
        if _writes_shared(self, value):
            masked_fill(self, mask, value)  # torch's checks
            where = np.broadcast_to(mask._host(), self._data.shape)
            return _write_shared(self, "masked_fill_", where, _value_array(self, value))
        return inplace(self, masked_fill, mask, value)

    def masked_scatter_(self, mask, source):
        """In-place ``masked_scatter``."""
        return inplace(self, masked_scatter, mask, source)
