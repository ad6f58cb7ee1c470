"""Shape ops: view, reshape, squeeze, permute, transpose, expand, cat, stack, split, flip, roll, ...

View ops (``view``, ``squeeze``, ``permute``, ``expand``, ``narrow``, ``diagonal``, split pieces)
return NumPy views of their input's storage (``is_view``); the rest copy. Every backward is
written with NumPy functions, reshapes and basic indexing, so it also runs on Tensors under
``create_graph=True``.
"""
import builtins
import math

import numpy as np

from .. import _dtype
from .._from_data import warn_once_at_caller
from ..autograd.graph import NO_GRAD_CTX, Op
from ._util import (can_cast, exact_ops, is_tensor, scalar_type_name, sum_to, wrap_dim,
                    wrap_dims, write_out)
from ._view_inplace import mark_multi_output

__all__ = ["view", "reshape", "view_as", "reshape_as", "flatten", "unflatten", "squeeze",
           "unsqueeze", "permute", "movedim", "moveaxis", "transpose", "swapaxes", "swapdims",
           "t", "adjoint", "expand", "expand_as", "broadcast_to", "broadcast_shapes",
           "broadcast_tensors", "repeat", "repeat_interleave",
           "tile", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
           "column_stack", "atleast_1d", "atleast_2d", "atleast_3d", "split", "tensor_split",
           "chunk", "unbind", "flip", "fliplr", "flipud", "roll", "narrow", "tril", "triu",
           "diag", "diagonal", "diag_embed", "ravel", "select", "unfold", "split_with_sizes",
           "narrow_copy", "rot90", "hsplit", "vsplit", "dsplit", "diagflat", "meshgrid",
           "as_strided"]


# ----- helpers -----

def _triggered(message, line):
    """A warning's text as torch words it, naming where in its C++ sources it came from."""
    return (f"{message} (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
            f"TensorShape.cpp:{line}.)")

def _sizes(args, what="view"):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(torch.Size([2, 3]))`` as a tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)) or (
            len(args) == 1 and hasattr(args[0], "__len__") and not is_tensor(args[0])):
        args = tuple(args[0])
    out = []
    for a in args:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) and not (
                is_tensor(a) and a._data.ndim == 0 and a._data.dtype.kind in "iu"):
            raise TypeError(f"{what}(): argument 'size' (position 1) must be tuple of ints, but "
                            f"found element of type {type(a).__name__} at pos {len(out)}")
        out.append(int(a))
    return tuple(out)


def _infer_shape(shape, numel):
    """Resolve one ``-1`` in ``shape`` and check that it holds ``numel`` elements, as torch."""
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if infer is None:
        if known != numel:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape
    if known == 0:
        if numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous")
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    if numel % known:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape[:infer] + (numel // known,) + shape[infer + 1:]


def _view_array(x, shape):
    """``x`` reshaped without copying, or None when its strides do not allow it."""
    if x.flags.c_contiguous:
        return x.reshape(shape)
    try:
        return np.reshape(x, shape, copy=False)
    except ValueError:
        return None


_VIEW_ERROR = ("view size is not compatible with input tensor's size and stride (at least one "
               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")


# ----- view-like ops -----

class View(Op):
    """z = x with a new shape (same storage);  dz/dx = grad reshaped back."""
    name_ = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        out = _view_array(x, shape)
        if out is None:
            raise RuntimeError(_VIEW_ERROR)
        return out

    @staticmethod
    def backward(ctx, grad):
        return np.reshape(grad, ctx.in_shape)


class UnsafeView(Op):
    """z = a reshaped copy of x (reshape of a tensor whose strides forbid a view)."""
    name_ = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.reshape(x, shape, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return np.reshape(grad, ctx.in_shape)


class ContiguousView(UnsafeView):
    """ravel of a non-contiguous tensor: a copy torch records as a view of its contiguous clone."""
    name_ = "ViewBackward0"


class Alias(View):
    """z = x (a new view of the same storage)."""
    name_ = "AliasBackward0"


class Squeeze(View):
    name_ = "SqueezeBackward0"


class SqueezeDim(View):
    name_ = "SqueezeBackward1"


class SqueezeDims(View):
    name_ = "SqueezeBackward2"


class Unsqueeze(View):
    name_ = "UnsqueezeBackward0"


class Permute(Op):
    """z = x with its dims reordered;  dz/dx = grad with the inverse order."""
    name_ = "PermuteBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, tuple(np.argsort(ctx.dims)))


class Transpose(Op):
    """z = x with dims d0 and d1 swapped;  dz/dx = grad swapped back."""
    name_ = "TransposeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d = (d0, d1)
        return np.swapaxes(x, d0, d1) if x.ndim else x[...]  # a 0-dim tensor: itself

    @staticmethod
    def backward(ctx, grad):
        return np.swapaxes(grad, *ctx.d) if grad.ndim else grad


class T(Op):
    """z = x transposed (<= 2 dims);  dz/dx = grad transposed."""
    name_ = "TBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return np.transpose(x)

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad)


class Expand(Op):
    """z = x broadcast to a shape (read-only view);  dz/dx = grad summed over broadcast dims."""
    name_ = "ExpandBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        # writable (NumPy's broadcast_to is not), as torch's: fill_ and index_put_ may write
        # into an expanded tensor, while most in-place ops refuse (see inplace)
        return np.lib.stride_tricks.as_strided(x, shape, np.broadcast_to(x, shape).strides)

    @staticmethod
    def backward(ctx, grad):
        return sum_to(grad, ctx.in_shape)


class Slice(Op):
    """z = x[index] for a tuple of slices and ints (a view);  dz/dx = grad placed in zeros."""
    name_ = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x.shape
        ctx.index = index
        out = x[index]
        # every dim indexed by an int: NumPy gives a scalar copy, a 0-dim view needs an Ellipsis
        return out if type(out) is np.ndarray else x[index + (...,)]

    @staticmethod
    def backward(ctx, grad):
        from .indexing import embed
        return embed(grad, ctx.in_shape, ctx.index)


class Select(Slice):
    name_ = "SelectBackward0"


class SplitPiece(Slice):
    name_ = "SplitBackward0"


class SplitWithSizesPiece(Slice):
    name_ = "SplitWithSizesBackward0"


class UnbindPiece(Slice):
    name_ = "UnbindBackward0"


class NarrowCopy(Slice):
    """z = a copy of a slice of x;  dz/dx = grad placed in zeros."""
    name_ = "NarrowCopyBackward0"
    is_view = False

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape = x.shape
        ctx.index = index
        return x[index].copy()


def _windows(x, dim, size, step):
    """The windows of ``size`` every ``step`` along ``dim`` of the array x: a view, windows
    along ``dim``, their elements in a new last dim (as torch's unfold)."""
    if x.ndim == 0:
        return x.reshape(1)
    count = (x.shape[dim] - size) // step + 1
    shape = x.shape[:dim] + (count,) + x.shape[dim + 1:] + (size,)
    strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:] + (x.strides[dim],)
    return np.lib.stride_tricks.as_strided(x, shape, strides)


class Unfold(Op):
    """z = the windows of x along a dim (a view);  dz/dx = each window's gradient added back
    where the window sits (windows may overlap)."""
    name_ = "UnfoldBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.args = (x.shape, dim, size, step)
        return _windows(x, dim, size, step)

    @staticmethod
    def backward(ctx, grad):
        if is_tensor(grad):
            return FoldWindows.apply(grad, *ctx.args)
        return FoldWindows.forward(NO_GRAD_CTX, grad, *ctx.args)


class FoldWindows(Op):
    """z = zeros of a shape with the windows of x added where they sit (unfold's adjoint);
    dz/dx = the windows of grad."""
    name_ = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, dim, size, step):
        ctx.args = (dim, size, step)
        out = np.zeros(shape, g.dtype)
        if not shape:
            out[...] = g.reshape(())
            return out
        count = g.shape[dim]
        for j in range(size):  # the j-th element of every window
            at = (slice(None),) * dim + (slice(j, j + step * (count - 1) + 1, step),)
            out[at] += g[..., j]
        return out

    @staticmethod
    def backward(ctx, grad):
        if is_tensor(grad):
            return unfold(grad, *ctx.args)
        return _windows(grad, *ctx.args)


def _storage_positions(shape, strides, offset):
    """The position in storage (in elements) of each element of a strided layout."""
    pos = np.full(shape, offset, np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        pos += (np.arange(n, dtype=np.int64) * s).reshape((-1,) + (1,) * (len(shape) - d - 1))
    return pos


class AsStrided(Op):
    """z = a strided window on x's storage (a view);  dz/dx = grad summed into storage at each
    element's position, read back at x's positions."""
    name_ = "AsStridedBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, storage, size, strides, offset, x_positions):
        ctx.args = (_storage_positions(size, strides, offset), x_positions, storage.size)
        itemsize = storage.itemsize
        return np.ndarray(size, storage.dtype, buffer=storage, offset=offset * itemsize,
                          strides=tuple(s * itemsize for s in strides))

    @staticmethod
    def backward(ctx, grad):
        out_positions, x_positions, n = ctx.args
        if is_tensor(grad):
            from .. import _tensor
            from .indexing import index_add
            storage = _tensor.Tensor._make(np.zeros(n, grad._data.dtype))
            flat = index_add(storage, 0, _tensor.Tensor._make(out_positions.reshape(-1)),
                             reshape(grad, (-1,)))
            return flat[x_positions]
        flat = np.bincount(out_positions.reshape(-1), grad.reshape(-1), n).astype(grad.dtype)
        return flat[x_positions]


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes and strides (in elements), from
    ``storage_offset`` (by default input's own offset in its storage)."""
    size, stride = _sizes((size,), "as_strided"), _sizes((stride,), "as_strided")
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    root = input if input._base is None else input._base
    storage = root._data
    if not storage.flags.c_contiguous:
        storage = np.ascontiguousarray(storage)  # a copy: no longer a view of the original
    itemsize = storage.itemsize
    data = input._data
    mine = (data.__array_interface__["data"][0] - storage.__array_interface__["data"][0]) \
        // itemsize if data.size else 0
    offset = mine if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    needed = 0 if 0 in size else offset + 1 + builtins.sum((n - 1) * s for n, s in zip(
        size, stride))
    if needed > storage.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {itemsize} requiring a storage size of "
                           f"{needed * itemsize} are out of bounds for storage of size "
                           f"{storage.size * itemsize}")
    x_positions = _storage_positions(data.shape, tuple(s // itemsize for s in data.strides),
                                     mine)
    return AsStrided.apply(input, storage, size, stride, offset, x_positions)


def _rot90_array(x, k, d0, d1):
    """x rotated k quarter turns from dim d0 towards d1, laid out as torch's (a flipped copy,
    then transposed: odd k gives a non-contiguous result)."""
    k %= 4
    if k == 1:
        return np.swapaxes(np.flip(x, d1).copy(), d0, d1)
    if k == 2:
        return np.flip(x, (d0, d1)).copy()
    if k == 3:
        return np.swapaxes(np.flip(x, d0).copy(), d0, d1)
    return x.copy()


class Rot90(Op):
    """z = x rotated by k quarter turns in the plane of two dims;  dz/dx = grad turned back."""
    name_ = "Rot90Backward0"

    @staticmethod
    def forward(ctx, x, k, d0, d1):
        ctx.args = (k, d0, d1)
        return _rot90_array(x, k, d0, d1)

    @staticmethod
    def backward(ctx, grad):
        k, d0, d1 = ctx.args
        if is_tensor(grad):
            return rot90(grad, -k, (d0, d1))
        return _rot90_array(grad, -k, d0, d1)


def _diag_view(a, offset, d1, d2):
    """A writable view of the diagonal of ``a`` over dims d1, d2 (moved last), as torch."""
    n1, n2 = a.shape[d1], a.shape[d2]
    if offset >= 0:
        length = builtins.max(0, builtins.min(n1, n2 - offset))
        start = (0, offset)
    else:
        length = builtins.max(0, builtins.min(n1 + offset, n2))
        start = (-offset, 0)
    index = [slice(None)] * a.ndim
    if length:
        index[d1] = slice(start[0], None)
        index[d2] = slice(start[1], None)
    base = a[tuple(index)]
    rest = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in rest) + (length,)
    strides = tuple(a.strides[i] for i in rest) + (a.strides[d1] + a.strides[d2],)
    return np.lib.stride_tricks.as_strided(base, shape, strides,
                                           writeable=bool(a.flags.writeable))


def _diagonal_of(g, offset, d1, d2):
    """The diagonal of an array or (differentiably) of a Tensor."""
    if is_tensor(g):
        return diagonal(g, offset, d1, d2)
    return _diag_view(g, offset, d1, d2)


class Diagonal(Op):
    """z = the diagonal of x over two dims (a view);  dz/dx = grad written on a zero diagonal."""
    name_ = "DiagonalBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return _diag_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        shape, offset, d1, d2 = ctx.args
        return DiagEmbed.apply(grad, shape, offset, d1, d2) if is_tensor(grad) \
            else DiagEmbed.forward(NO_GRAD_CTX, grad, shape, offset, d1, d2)


class DiagonalCopy(Diagonal):
    """diag() of a matrix: the diagonal as a new tensor."""
    name_ = "DiagonalBackward0_copy"
    is_view = False

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (x.shape, offset, d1, d2)
        return _diag_view(x, offset, d1, d2).copy()


class DiagEmbed(Op):
    """z = zeros of a shape with x written on a diagonal;  dz/dx = that diagonal of grad."""
    name_ = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx, x, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros_like(x, shape=shape)
        _diag_view(out, offset, d1, d2)[...] = x
        return out

    @staticmethod
    def backward(ctx, grad):
        return _diagonal_of(grad, *ctx.args)


# ----- copying ops -----

class Repeat(Op):
    """z = x tiled ``reps`` times;  dz/dx = grad summed over the copies."""
    name_ = "RepeatBackward0"

    @staticmethod
    def forward(ctx, x, reps):
        ctx.in_shape = x.shape
        ctx.reps = reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, grad):
        reps = ctx.reps
        padded = (1,) * (len(reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        split = []
        for r, s in zip(reps, padded):
            split += [r, s]
        g = np.reshape(grad, tuple(split))
        g = np.sum(g, axis=tuple(range(0, 2 * len(reps), 2)))
        return np.reshape(g, ctx.in_shape)


class RepeatInterleave(Op):
    """z = each element of x repeated r times along a dim;  dz/dx = grad summed per group."""
    name_ = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, repeats, dim):
        ctx.args = (x.shape, repeats, dim)
        return np.repeat(x, repeats, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        shape, r, dim = ctx.args
        g = np.reshape(grad, shape[:dim] + (shape[dim], r) + shape[dim + 1:])
        return np.sum(g, axis=dim + 1)


class Cat(Op):
    """z = the inputs joined along a dim;  dz/dx_i = grad's slice for x_i."""
    name_ = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, np_dtype, *xs):
        ctx.args = (dim, [x.shape for x in xs])
        kept = [x for x in xs if not (x.ndim == 1 and x.shape[0] == 0)]
        if not kept:
            return np.concatenate(xs, axis=0, dtype=np_dtype)
        return np.concatenate(kept, axis=dim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        dim, shapes = ctx.args
        grads = [None, None]
        start = 0
        lead = (slice(None),) * dim
        for s in shapes:
            if len(s) == 1 and s[0] == 0:
                grads.append(np.reshape(grad[(slice(0, 0),) * grad.ndim], (0,)))
                continue
            stop = start + s[dim]
            grads.append(grad[lead + (slice(start, stop),)])
            start = stop
        return tuple(grads)


class Stack(Op):
    """z = the inputs stacked along a new dim;  dz/dx_i = grad selected at i."""
    name_ = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, np_dtype, *xs):
        ctx.args = (dim, len(xs))
        return np.stack(xs, axis=dim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        dim, n = ctx.args
        lead = (slice(None),) * dim
        return (None, None) + tuple(grad[lead + (i,)] for i in range(n))


class Flip(Op):
    """z = x reversed along dims;  dz/dx = grad reversed back."""
    name_ = "FlipBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        dims = dims if x.ndim else ()  # flip(0) of a 0-dim tensor is a copy
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return np.flip(grad, ctx.dims)


class Roll(Op):
    """z = x rotated by shifts along dims;  dz/dx = grad rotated back."""
    name_ = "RollBackward0"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.args = (shifts, dims, x.shape)
        if dims is None:
            return np.reshape(np.roll(np.reshape(x, (-1,)), shifts), x.shape)
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        shifts, dims, shape = ctx.args
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        if dims is None:
            return np.reshape(np.roll(np.reshape(grad, (-1,)), neg), shape)
        return np.roll(grad, neg, dims)


class Tril(Op):
    """z = x with elements above diagonal k zeroed;  dz/dx = tril(grad, k)."""
    name_ = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.tril(grad, ctx.k)


class Triu(Op):
    """z = x with elements below diagonal k zeroed;  dz/dx = triu(grad, k)."""
    name_ = "TriuBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.triu(grad, ctx.k)


# ----- public functions -----

def view(input, *shape):
    """A view of ``input`` with a new shape (``-1`` infers one size); no data is copied."""
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return view_as_dtype(input, shape[0])
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but "
                        "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")
    shape = _infer_shape(_sizes(shape), input._data.size)
    return View.apply(input, shape)


def reshape(input, *shape):
    """``input`` with a new shape: a view when the strides allow it, else a copy."""
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    shape = _infer_shape(_sizes(shape, "reshape"), input._data.size)
    if input._data.flags.c_contiguous or _view_array(input._data, shape) is not None:
        return View.apply(input, shape)
    return UnsafeView.apply(input, shape)


def view_as(input, other):
    """``input.view(other.shape)``."""
    return view(input, other._data.shape)


def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one (a view when possible)."""
    nd = input._data.ndim
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if nd == 0:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def ravel(input):
    """The elements as a 1-D tensor (a view when possible)."""
    if _view_array(input._data, (-1,)) is not None:
        return View.apply(input, (input._data.size,))
    return ContiguousView.apply(input, (input._data.size,))


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into the shape ``sizes`` (one may be -1)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but "
                           "tensor has no dimensions")
    d = wrap_dim(dim, input._data.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[d]
    if -1 in sizes:
        try:
            sizes = _infer_shape(sizes, n)
        except RuntimeError as e:
            if "inferred" in str(e) or "ambiguous" in str(e):  # torch passes these on
                raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                               f"size of dim {dim} ({n}) in the input tensor") from None
    elif math.prod(sizes) != n:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor")
    return View.apply(input, shape[:d] + sizes + shape[d + 1:])


def squeeze(input, dim=None):
    """Remove dims of size 1 (all of them, or those among ``dim``)."""
    shape = input._data.shape
    if dim is None:
        return Squeeze.apply(input, tuple(s for s in shape if s != 1))
    if isinstance(dim, (tuple, list)):
        dims = wrap_dims(dim, input._data.ndim)
        return SqueezeDims.apply(input, tuple(s for i, s in enumerate(shape)
                                              if not (i in dims and s == 1)))
    d = wrap_dim(dim, input._data.ndim)
    if shape and shape[d] == 1:
        shape = shape[:d] + shape[d + 1:]
    return SqueezeDim.apply(input, shape)


def unsqueeze(input, dim):
    """Insert a dim of size 1 at ``dim``."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    return Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:])


def permute(input, *dims, **kwargs):
    """Reorder the dims (a view): ``x.permute(1, 0)``, ``x.permute((1, 0))`` or
    ``x.permute(dims=(1, 0))``."""
    if "dims" in kwargs:
        dims = (kwargs.pop("dims"),)
    if kwargs:
        raise TypeError(f"permute() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not dims and input._data.ndim:  # (a 0-dim tensor: np.transpose's permute())
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    wrapped = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(wrapped)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, wrapped)


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or sequences)."""
    nd = input._data.ndim
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = tuple(wrap_dim(d, nd) for d in src)
    dst = tuple(wrap_dim(d, nd) for d in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    if nd == 0:  # dim 0 (or -1) of a 0-dim tensor: nothing moves
        return Alias.apply(input, ())
    order = [d for d in range(nd) if d not in src]
    perm = [None] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    it = iter(order)
    perm = tuple(p if p is not None else next(it) for p in perm)
    return Permute.apply(input, perm)


moveaxis = movedim


def transpose(input, dim0, dim1):
    """Swap dims ``dim0`` and ``dim1`` (a view)."""
    nd = input._data.ndim
    return Transpose.apply(input, wrap_dim(dim0, nd), wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a matrix; 0-d and 1-D tensors are returned as they are (as a view)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return T.apply(input)


def adjoint(input):
    """The conjugate transpose of the last two dims (real tensors: ``mT``)."""
    return _transpose_last(input, "adjoint()")


def _transpose_last(input, what):
    """``mT``, ``mH`` and ``adjoint()``: the last two dims swapped (a view). torch returns a
    0-dim tensor itself, with a warning, and refuses 1-D ones."""
    nd = input._data.ndim
    if nd == 0:
        name = what if what.endswith("()") else f"Tensor.{what}"
        advice, line = {"mT": ("This function is the identity in these cases.", 4373),
                        "mH": ("Consider using x.conj().", 4382),
                        "adjoint()": ("Consider using x.conj().", 4390)}[what]
        warn_once_at_caller(_triggered(f"{name} is deprecated on 0-D tensors. {advice}", line))
        return input
    if nd < 2:
        raise RuntimeError(f"tensor.{what} is only supported on matrices or batches of matrices. "
                           f"Got {nd}-D tensor.")
    return Transpose.apply(input, nd - 2, nd - 1)


def _mT(self):
    return _transpose_last(self, "mT")


def _mH(self):
    return _transpose_last(self, "mH")


def expand(input, *sizes):
    """Broadcast singleton dims to ``sizes`` (``-1`` keeps a dim), without copying."""
    sizes = _sizes(sizes, "expand")
    shape = input._data.shape
    if not shape and builtins.min(sizes, default=0) < 0:  # torch's size arithmetic overflows
        raise RuntimeError("numel: integer multiplication overflow")
    if len(sizes) < len(shape):
        from .._tensor import type_name
        raise RuntimeError(f"expand({type_name(input)}{{{list(shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to "
                           f"the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = list(sizes)
    for i in range(len(sizes) - 1, -1, -1):  # torch checks from the last dim
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            continue
        have = shape[i - lead]
        if s == -1:
            out[i] = have
        elif s < 0 and have == 1:
            raise RuntimeError("numel: integer multiplication overflow")
        elif have != s and have != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({have}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(shape)}")
    return Expand.apply(input, tuple(out))


def expand_as(input, other):
    """``input.expand(other.size())``."""
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    """``input.expand(size)``."""
    return expand(input, tuple(size))


def broadcast_shapes(*shapes):
    r"""The shape tensors of ``shapes`` broadcast to (ints count as 1-d shapes), as a Size.

    Example::

        >>> import gradstep as torch
        >>> torch.broadcast_shapes((2, 1), (3,))
        torch.Size([2, 3])
    """
    from .._size import Size
    tuples = []
    for s in shapes:
        if s is None:
            tuples.append(((), s))
        elif isinstance(s, (int, np.integer)):
            tuples.append(((int(s),), (int(s),)))
        elif isinstance(s, (tuple, list)):
            tuples.append((tuple(int(d) for d in s), s))
        else:
            raise RuntimeError("Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {s}")
    ndim = builtins.max((len(t) for t, _ in tuples), default=0)
    result = [1] * ndim
    for index, (shape, given) in enumerate(tuples):
        for i in range(-1, -1 - len(shape), -1):
            d = shape[i]
            if d == 1 or d == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {d} at {i}! "
                                   f"Mismatching argument at index {index} had {given!r}; but "
                                   f"expected shape should be broadcastable to {result}")
            if d < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            result[i] = d
    return Size(result)


def broadcast_tensors(*tensors):
    r"""Expand ``tensors`` to their common broadcast shape (views; tensors already of that shape
    are returned as they are).

    Example::

        >>> import gradstep as torch
        >>> a, b = torch.broadcast_tensors(torch.zeros(2, 1), torch.zeros(3))
        >>> a.shape, b.shape
        (torch.Size([2, 3]), torch.Size([2, 3]))
    """
    for i, t in enumerate(tensors):
        if not is_tensor(t):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    shapes = [t._data.shape for t in tensors]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        from .elementwise import _broadcast_error
        raise _broadcast_error(*shapes) from None
    return tuple(t if t._data.shape == shape else Expand.apply(t, shape) for t in tensors)


def repeat(input, *sizes):
    """Tile ``input`` ``sizes`` times along each dim (leading sizes add dims)."""
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _sizes(sizes, "repeat")
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    return Repeat.apply(input, _checked_repeats(input, reps))


def _checked_repeats(input, reps):
    """torch sizes the result first: a negative count is an error where it makes a negative
    size (and is no copy at all of an empty dim)."""
    if builtins.min(reps, default=0) < 0:
        padded = (1,) * (len(reps) - input._data.ndim) + input._data.shape
        sizes = [r * n for r, n in zip(reps, padded)]
        bad = [n for n in sizes if n < 0]
        if bad:
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad[0]}: "
                               f"{sizes}")
        reps = tuple(builtins.max(r, 0) for r in reps)
    return reps


def tile(input, dims):
    """Like ``repeat``, padding ``dims`` with leading ones when it is shorter than the shape."""
    reps = _sizes((dims,), "tile")
    reps = (1,) * (input._data.ndim - len(reps)) + reps
    return Repeat.apply(input, _checked_repeats(input, reps))


def _integer_counts(counts):
    if counts.dtype.kind not in "iu":
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                  f"'{scalar_type_name(counts.dtype)}'")
    return counts


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int or a tensor of counts) along ``dim``."""
    from .. import _tensor
    if repeats is None:  # torch.repeat_interleave(counts): the indices repeated by count
        counts = _integer_counts(input._data)
        return _tensor.Tensor._make(np.repeat(np.arange(counts.shape[0]), counts))
    if not is_tensor(repeats) and not isinstance(repeats, (int, np.integer)):
        raise TypeError(
            f"repeat_interleave() received an invalid combination of arguments - got "
            f"({type(repeats).__name__}), but expected one of:\n"
            " * (Tensor repeats, int dim = None, *, int output_size = None)\n"
            " * (int repeats, int dim = None, *, int output_size = None)\n")
    if not is_tensor(repeats):
        if dim is not None:
            wrap_dim(dim, input._data.ndim)
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
    if dim is None:
        input = reshape(input, (-1,))
        dim = 0
    elif input._data.ndim == 0:
        if is_tensor(repeats):
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        wrap_dim(dim, 0)
        # torch's message for a dim given with a 0-dim input, whatever the dim
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    d = wrap_dim(dim, input._data.ndim)
    if is_tensor(repeats):
        counts = repeats._data
        if counts.ndim == 0:
            repeats = int(_integer_counts(counts))
        else:
            n = input._data.shape[d]
            if counts.ndim != 1:
                raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
            if counts.shape[0] == 1:
                counts = np.broadcast_to(counts, (n,))
            if counts.shape[0] != n:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                                   f"repeats.size(0) = {counts.shape[0]} and input.size({dim}) = "
                                   f"{n}")
            if np.any(_integer_counts(counts) < 0):
                raise RuntimeError("repeats can not be negative")
            from .indexing import index_select
            index = _tensor.Tensor._make(np.repeat(np.arange(n), counts))
            return index_select(input, d, index)
    if repeats < 0:
        raise RuntimeError("repeats can not be negative")
    return RepeatInterleave.apply(input, int(repeats), d)


def _tensor_list(tensors, what):
    if is_tensor(tensors):
        raise TypeError(f"{what}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        "Tensor")
    tensors = list(tensors)
    for i, x in enumerate(tensors):
        if not is_tensor(x):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return tensors


def _common_dtype(tensors):
    d = _dtype.FROM_NP[tensors[0]._data.dtype]
    for x in tensors[1:]:
        d = _dtype.promote_types(d, _dtype.FROM_NP[x._data.dtype])
    return d.np


def _check_out_dtype(np_dtype, out):
    """torch.cat and torch.stack refuse an ``out=`` their inputs' dtype cannot be cast to
    (float into an integer, anything but bool into bool)."""
    if out is not None and not can_cast(np_dtype, out._data.dtype):
        raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                        f"{scalar_type_name(out._data.dtype)}")


def cat(tensors, dim=0, *, out=None, axis=None):
    """Join tensors along an existing dim, promoting dtypes (1-D empty tensors are skipped)."""
    if axis is not None:
        dim = axis
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [(i, x) for i, x in enumerate(tensors)
            if not (x._data.ndim == 1 and x._data.shape[0] == 0)]
    np_dtype = _common_dtype(tensors)
    if kept:
        ref_i, ref = kept[0]
        nd = ref._data.ndim
        d = wrap_dim(dim, nd)
        for i, x in kept[1:]:
            if x._data.ndim != nd:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and "
                                   f"{x._data.ndim}")
            for k in range(nd):
                if k != d and x._data.shape[k] != ref._data.shape[k]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{ref._data.shape[k]} but got size {x._data.shape[k]} for tensor number "
                        f"{i} in the list.")
    else:
        d = wrap_dim(dim, 1)
    _check_out_dtype(np_dtype, out)
    return write_out(Cat.apply(d, np_dtype, *tensors), out, "cat")


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, x in enumerate(tensors[1:], 1):
        if x._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(x._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(shape) + 1)
    np_dtype = _common_dtype(tensors)
    _check_out_dtype(np_dtype, out)
    return write_out(Stack.apply(d, np_dtype, *tensors), out, "stack")


def atleast_1d(*tensors):
    """Tensors with at least one dim (0-d ones become shape [1])."""
    if len(tensors) == 1 and not is_tensor(tensors[0]):
        return tuple(atleast_1d(x) for x in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_1d(x) for x in tensors)
    x = tensors[0]
    return View.apply(x, (1,)) if x._data.ndim == 0 else x


def atleast_2d(*tensors):
    """Tensors with at least two dims (leading dims of size 1 added)."""
    if len(tensors) == 1 and not is_tensor(tensors[0]):
        return tuple(atleast_2d(x) for x in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_2d(x) for x in tensors)
    x = tensors[0]
    if x._data.ndim == 0:
        return View.apply(x, (1, 1))
    return unsqueeze(x, 0) if x._data.ndim == 1 else x


def atleast_3d(*tensors):
    """Tensors with at least three dims."""
    if len(tensors) == 1 and not is_tensor(tensors[0]):
        return tuple(atleast_3d(x) for x in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_3d(x) for x in tensors)
    x = tensors[0]
    nd = x._data.ndim
    if nd == 0:
        return View.apply(x, (1, 1, 1))
    if nd == 1:
        return unsqueeze(unsqueeze(x, 0), -1)
    return unsqueeze(x, -1) if nd == 2 else x


def hstack(tensors, *, out=None):
    """Concatenate horizontally: along dim 0 for 1-D tensors, else dim 1."""
    tensors = [atleast_1d(x) for x in _tensor_list(tensors, "hstack")]
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate vertically (1-D tensors become rows)."""
    tensors = [atleast_2d(x) for x in _tensor_list(tensors, "vstack")]
    if not tensors:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(tensors, 0, out=out)


def dstack(tensors, *, out=None):
    """Concatenate along the third dim."""
    tensors = [atleast_3d(x) for x in _tensor_list(tensors, "dstack")]
    if not tensors:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat(tensors, 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack 1-D tensors as columns (others as they are) along dim 1."""
    tensors = [reshape(x, (-1, 1)) if x._data.ndim <= 1 else x
               for x in _tensor_list(tensors, "column_stack")]
    return cat(tensors, 1, out=out)


def _pieces(input, d, bounds, op):
    lead = (slice(None),) * d
    pieces = tuple(op.apply(input, lead + (slice(a, b),)) for a, b in bounds)
    if op is Slice:  # tensor_split: each piece is a plain slice
        return pieces
    return mark_multi_output(pieces, "SplitWithSizes" if op is SplitWithSizesPiece else "Split")


def split(tensor, split_size_or_sections, dim=0):
    """Split into pieces of ``split_size`` along ``dim`` (the last may be smaller), or of sizes."""
    d = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d] if tensor._data.ndim else 1
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    if isinstance(split_size_or_sections, (int, np.integer)) or is_tensor(
            split_size_or_sections) and split_size_or_sections._data.ndim == 0:
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size="
                               f"{size}")
        if size == 0:
            if n != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {n}")
            return _pieces(tensor, d, [(0, 0)], SplitPiece)
        bounds = [(a, builtins.min(a + size, n)) for a in range(0, n, size)] or [(0, 0)]
        return _pieces(tensor, d, bounds, SplitPiece)
    return split_with_sizes(tensor, split_size_or_sections, dim)


def split_with_sizes(input, split_sizes, dim=0):
    """Split into pieces of the given sizes along ``dim`` (views; the sizes sum to the dim)."""
    if not isinstance(split_sizes, (tuple, list)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 1) must be tuple "
                        f"of ints, not {type(split_sizes).__name__}")
    if input._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    sizes = [int(s) for s in split_sizes]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, "
                           f"but got split_sizes={sizes}")
    if builtins.sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    bounds = []
    a = 0
    for size in sizes:
        bounds.append((a, a + size))
        a += size
    return _pieces(input, d, bounds, SplitWithSizesPiece)


def _split_at(input, indices_or_sections, d, what):
    """hsplit/vsplit/dsplit: ``tensor_split`` along ``d``, where sections must divide evenly."""
    if isinstance(indices_or_sections, (int, np.integer)):
        n = input._data.shape[d]
        k = int(indices_or_sections)
        if k == 0 or n % k:
            raise RuntimeError(f"torch.{what} attempted to split along dimension {d}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{k}!")
    return tensor_split(input, indices_or_sections, d)


def hsplit(input, indices_or_sections):
    """Split horizontally: along dim 1 (dim 0 for a 1-D tensor), as ``tensor_split``."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("torch.hsplit requires a tensor with at least 1 dimension, but got a "
                           "tensor with 0 dimensions!")
    return _split_at(input, indices_or_sections, 1 if nd > 1 else 0, "hsplit")


def vsplit(input, indices_or_sections):
    """Split vertically: along dim 0 of a tensor of at least 2 dims."""
    if input._data.ndim < 2:
        raise RuntimeError(f"torch.vsplit requires a tensor with at least 2 dimension, but got a "
                           f"tensor with {input._data.ndim} dimensions!")
    return _split_at(input, indices_or_sections, 0, "vsplit")


def dsplit(input, indices_or_sections):
    """Split depth-wise: along dim 2 of a tensor of at least 3 dims."""
    if input._data.ndim < 3:
        raise RuntimeError(f"torch.dsplit requires a tensor with at least 3 dimension, but got a "
                           f"tensor with {input._data.ndim} dimensions!")
    return _split_at(input, indices_or_sections, 2, "dsplit")


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller; maybe fewer pieces)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = -(-n // chunks)
    if size == 0:  # an empty dim: torch returns ``chunks`` empty pieces
        return _pieces(input, d, [(0, 0)] * chunks, SplitPiece)
    return split(input, size, d)


_TENSOR_SPLIT_SIGNATURES = (
    " * (Tensor input, tuple of ints indices, int dim = 0)\n"
    " * (Tensor input, Tensor tensor_indices_or_sections, int dim = 0)\n"
    " * (Tensor input, int sections, int dim = 0)\n")


def _split_points(indices_or_sections):
    """tensor_split's second argument as an int (sections) or a list of ints (indices)."""
    arg = indices_or_sections
    if is_tensor(arg):
        if arg._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {arg._data.ndim} dims")
        if arg._data.dtype != np.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {scalar_type_name(arg._data.dtype)}")
        a = arg._host()
        return int(a) if a.ndim == 0 else [int(i) for i in a]
    if isinstance(arg, (int, np.integer)) and not isinstance(arg, bool):
        return int(arg)
    if isinstance(arg, (tuple, list)) and all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool)
            or is_tensor(i) and i._data.ndim == 0 and i._data.dtype.kind in "iu" for i in arg):
        return [int(i) for i in arg]
    raise TypeError(f"tensor_split() received an invalid combination of arguments - got (Tensor, "
                    f"{type(arg).__name__}), but expected one of:\n{_TENSOR_SPLIT_SIGNATURES}")


def tensor_split(input, indices_or_sections=None, dim=0, *, indices=None, sections=None,
                 tensor_indices_or_sections=None):
    """Split into n near-equal pieces (an int) or at the given indices, as NumPy's array_split.

    Each piece between two split points is the Python slice ``input[a:b]`` along ``dim``: a
    negative point counts from the end, and a point before its predecessor gives an empty piece.
    """
    for given in (indices, sections, tensor_indices_or_sections):
        if given is not None:
            indices_or_sections = given
    if input._data.ndim == 0 and (is_tensor(indices_or_sections) or isinstance(
            indices_or_sections, (int, np.integer, tuple, list))):
        _split_points(indices_or_sections if not is_tensor(indices_or_sections) else 0)
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    points = _split_points(indices_or_sections)
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(points, int):
        if points <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {points}")
        q, r = divmod(n, points)
        bounds, a = [], 0
        for i in range(points):
            b = a + q + (1 if i < r else 0)
            bounds.append((a, b))
            a = b
    else:
        bounds = []
        for a, b in zip([0] + points, points + [n]):
            a, b, _ = slice(a, b).indices(n)
            bounds.append((a, builtins.max(a, b)))
    return _pieces(input, d, bounds, Slice)


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input._data.ndim)
    lead = (slice(None),) * d
    pieces = tuple(UnbindPiece.apply(input, lead + (i,)) for i in range(input._data.shape[d]))
    return mark_multi_output(pieces, "Unbind")


_NO_DIMS = object()


def flip(input, *args, dims=_NO_DIMS):
    """Reverse the order of elements along ``dims`` (a tuple or list of ints; a copy)."""
    where = ""
    if args:
        if len(args) > 1 or dims is not _NO_DIMS:
            raise TypeError(f"flip() takes 2 positional arguments but {len(args) + 1} were given")
        dims, where = args[0], " (position 2)"
    if dims is _NO_DIMS:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"flip(): argument 'dims'{where} must be tuple of ints, not "
                        f"{type(dims).__name__}")
    return Flip.apply(input, wrap_dims(tuple(dims), input._data.ndim))


def _flip_method(self, *dims, **kwargs):
    """``x.flip(0, 1)``, ``x.flip((0, 1))`` or ``x.flip(dims=(0, 1))``."""
    if "dims" in kwargs:
        return flip(self, dims=kwargs.pop("dims"))
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    elif not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    return flip(self, tuple(dims))


def fliplr(input):
    """Flip along dim 1 (needs at least 2 dims)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input):
    """Flip along dim 0 (needs at least 1 dim)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


def roll(input, shifts, dims=None):
    """Rotate elements by ``shifts`` along ``dims`` (no dims: over the flattened tensor)."""
    nd = input._data.ndim
    if isinstance(dims, (tuple, list)) and not dims:
        dims = None  # torch: no dims rolls the flattened tensor, as dims=None
    if input._data.size == 0:  # nothing to move: torch checks no dims
        return Roll.apply(input, 0, None)
    if dims is None:
        if isinstance(shifts, (tuple, list)):
            if not shifts:
                raise RuntimeError("`shifts` required")
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                                   f"dims:0")
            shifts = shifts[0]
        return Roll.apply(input, int(shifts), None)
    shifts_t = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims_t = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if not shifts_t:
        raise RuntimeError("`shifts` required")
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:"
                           f"{len(dims_t)}")
    if nd == 0:
        raise IndexError(f"Dimension specified as {dims_t[0]} but tensor has no dimensions")
    dims_t = tuple(wrap_dim(d, nd) for d in dims_t)
    return Roll.apply(input, tuple(int(s) for s in shifts_t), dims_t)


def narrow(input, dim, start, length):
    """The slice ``start:start+length`` of dim ``dim`` (a view)."""
    return Slice.apply(input, _narrow_index(input, dim, start, length))


def narrow_copy(input, dim, start, length):
    """``narrow`` as a new tensor (a copy, not a view)."""
    return NarrowCopy.apply(input, _narrow_index(input, dim, start, length))


def select(input, dim, index):
    r"""The slice at ``index`` of dim ``dim``, without that dim (a view): ``x.select(1, i)`` is
    ``x[:, i]``.

    Example::

        >>> import gradstep as torch
        >>> torch.arange(6.).view(2, 3).select(1, -1)
        tensor([2., 5.])
    """
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    i = int(index)
    n = input._data.shape[d]
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {dim}")
    return Select.apply(input, (slice(None),) * d + (i,))


def _narrow_index(input, dim, start, length):
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    n = input._data.shape[d]
    start, length = int(start), int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start < -n or start > n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return (slice(None),) * d + (slice(start, start + length),)


def unfold(input, dimension, size, step):
    r"""The windows of ``size`` elements every ``step`` along ``dimension`` (a view): that dim
    counts the windows, and a new last dim holds each window.

    Example::

        >>> import gradstep as torch
        >>> torch.arange(5.).unfold(0, 3, 2)
        tensor([[0., 1., 2.],
                [2., 3., 4.]])
    """
    nd = input._data.ndim
    d = wrap_dim(dimension, nd)
    n = input._data.shape[d] if nd else 1
    size, step = int(size), int(step)
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return Unfold.apply(input, d, size, step)


def rot90(input, k=1, dims=(0, 1)):
    r"""Rotate by ``k`` quarter turns in the plane of ``dims``, from the first dim towards the
    second (a copy).

    Example::

        >>> import gradstep as torch
        >>> torch.rot90(torch.tensor([[1, 2], [3, 4]]))
        tensor([[2, 4],
                [1, 3]])
    """
    nd = input._data.ndim
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return Rot90.apply(input, int(k), d0, d1)


def diagflat(input, offset=0):
    """A square matrix with the flattened ``input`` on its ``offset``-th diagonal."""
    flat = reshape(input, (-1,))
    n = flat._data.shape[0] + builtins.abs(int(offset))
    return DiagEmbed.apply(flat, (n, n), int(offset), 0, 1)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 0-D/1-D tensors (views: each input expanded along the others).

    ``indexing="ij"``: grid k varies along dim k; ``"xy"``: the first two dims swap (as
    NumPy's default). Without ``indexing`` torch uses "ij" and warns that it will be required.

    Example::

        >>> import gradstep as torch
        >>> rows, cols = torch.meshgrid(torch.tensor([1, 2]), torch.tensor([3, 4, 5]),
        ...                             indexing="ij")
        >>> rows
        tensor([[1, 1, 1],
                [2, 2, 2]])
        >>> cols
        tensor([[3, 4, 5],
                [3, 4, 5]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        warn_once_at_caller(_triggered("torch.meshgrid: in an upcoming release, it will be "
                                       "required to pass the indexing argument.", 4215))
        indexing = "ij"
    elif indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    if any(t._data.dtype != tensors[0]._data.dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[0], order[1] = 1, 0  # tensor k varies along dim order[k]
    sizes = [t._data.size for t in tensors]
    shape = [0] * len(tensors)
    for k, d in enumerate(order):
        shape[d] = sizes[k]
    grids = []
    for k, t in enumerate(tensors):
        along = [1] * len(tensors)
        along[order[k]] = -1
        grids.append(expand(reshape(t, tuple(along)), tuple(shape)))
    return tuple(grids)


def view_as_dtype(input, dtype):
    """``x.view(dtype)``: the same memory read as another dtype (no gradient flows). A wider or
    narrower dtype changes the size of the last dim, which must be contiguous."""
    target = dtype.np
    have = input._data.dtype
    if target.itemsize != have.itemsize:
        names = (f"{scalar_type_name(have)} as {scalar_type_name(target)} (different element "
                 "sizes)")
        if input._data.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
        if input._data.shape[-1] > 1 and input._data.strides[-1] != have.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got "
                               f"{input._data.strides[-1] // have.itemsize}")
        ratio = target.itemsize // have.itemsize
        if ratio > 1 and input._data.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view {names}, "
                               f"but got {input._data.shape[-1]}")
    from .._tensor import Tensor
    return Tensor._make(input._data.view(target))


def tril(input, diagonal=0, *, out=None):
    """Zero the elements above the ``diagonal``-th diagonal of the last two dims."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, int(diagonal))


def triu(input, diagonal=0, *, out=None):
    """Zero the elements below the ``diagonal``-th diagonal of the last two dims."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, int(diagonal))


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal over ``dim1`` and ``dim2``, appended as the last dim (a view)."""
    nd = input._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose (``dim1``, ``dim2``) diagonals are the last dim of ``input``."""
    nd = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input._data.shape[-1] + builtins.abs(offset) if input._data.ndim else 1
    rest = iter(input._data.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(rest) for i in range(nd))
    return DiagEmbed.apply(input, shape, int(offset), d1, d2)


def diag(input, diagonal=0, *, out=None):
    """A 1-D tensor as a diagonal matrix, or a matrix's ``diagonal``-th diagonal as 1-D."""
    nd = input._data.ndim
    if nd == 1:
        n = input._data.shape[0] + builtins.abs(diagonal)
        return DiagEmbed.apply(input, (n, n), int(diagonal), 0, 1)
    if nd == 2:
        return DiagonalCopy.apply(input, int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def _T(self):
    nd = self._data.ndim
    if nd == 0:
        warn_once_at_caller(_triggered("Tensor.T is deprecated on 0-D tensors. This function is "
                                       "the identity in these cases.", 4321))
    elif nd != 2:
        warn_once_at_caller(_triggered(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.", 4314))
    return Permute.apply(self, tuple(range(nd - 1, -1, -1)))


def _H(self):
    nd = self._data.ndim
    if nd == 0:
        warn_once_at_caller(_triggered("Tensor.H is deprecated on 0-D tensors. Consider using "
                                       "x.conj().", 4335))
        return self
    if nd != 2:
        advice = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           f"tensor.{advice}")
    return Transpose.apply(self, 0, 1)


class Methods:
    view = view
    reshape = reshape
    view_as = view_as
    reshape_as = reshape_as
    flatten = flatten
    ravel = ravel
    unflatten = unflatten
    squeeze = squeeze
    unsqueeze = unsqueeze
    permute = permute
    movedim = movedim
    moveaxis = moveaxis
    transpose = transpose
    swapaxes = swapaxes
    swapdims = swapdims
    t = t
    adjoint = adjoint
    T = property(_T)
    mT = property(_mT)
    H = property(_H)
    mH = property(_mH)
    expand = expand
    expand_as = expand_as
    broadcast_to = broadcast_to
    repeat = repeat
    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        """``repeat_interleave`` (the method needs ``repeats``; the function alone may omit
        them, to repeat indices)."""
        if repeats is None:
            raise TypeError(
                "repeat_interleave() received an invalid combination of arguments - got (), but "
                "expected one of:\n * (Tensor repeats, int dim = None, *, int output_size = None)"
                "\n * (int repeats, int dim = None, *, int output_size = None)\n")
        return repeat_interleave(self, repeats, dim, output_size=output_size)
    tile = tile
    split = split
    tensor_split = tensor_split
    chunk = chunk
    unbind = unbind
    flip = _flip_method
    fliplr = fliplr
    flipud = flipud
    roll = roll
    narrow = narrow
    narrow_copy = narrow_copy
    as_strided = as_strided
    select = select
    unfold = unfold
    rot90 = rot90
    diagflat = diagflat
    split_with_sizes = split_with_sizes
    hsplit = hsplit
    vsplit = vsplit
    dsplit = dsplit

    @property
    def real(self):
        """The real part: a real tensor itself."""
        return self
    tril = tril
    triu = triu
    diag = diag
    diagonal = diagonal
    diag_embed = diag_embed

    def squeeze_(self, dim=None):
        """Squeeze in place (changes this tensor's shape; storage is shared)."""
        name = "SqueezeBackward3" if dim is None else \
            "SqueezeBackward5" if isinstance(dim, (tuple, list)) else "SqueezeBackward4"
        return _set_shape(self, squeeze(self, dim), name)

    def unsqueeze_(self, dim):
        """Unsqueeze in place."""
        return _set_shape(self, unsqueeze(self, dim), "UnsqueezeBackward1")

    def t_(self):
        """Transpose in place."""
        nd = self._data.ndim
        if nd > 2:
            raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {nd}D")
        return _set_shape(self, t(self), "TBackward1")

    def transpose_(self, dim0, dim1):
        """Transpose in place."""
        return _set_shape(self, transpose(self, dim0, dim1), "TransposeBackward1")

    swapdims_ = swapaxes_ = transpose_

    def tril_(self, diagonal=0):
        """Zero above the diagonal, in place."""
        from ._util import inplace
        return inplace(self, tril, diagonal)

    def triu_(self, diagonal=0):
        """Zero below the diagonal, in place."""
        from ._util import inplace
        return inplace(self, triu, diagonal)


def _set_shape(self, result, name):
    """Make ``self`` take ``result``'s shape and strides: torch's metadata-only in-place ops,
    which still count as an in-place change (of a leaf, refused) and record their own node,
    named ``name``."""
    from ..autograd import grad_mode
    if self._requires_grad and self._grad_fn is None and grad_mode.state.grad_enabled:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation.")
    self._data = result._data
    self._bump_version()
    if result._grad_fn is not None and self._grad_fn is not None:
        result._grad_fn.name_ = name
        self._grad_fn = result._grad_fn
    return self


# Data movement only: no floating-point exceptions to silence (see Op.quiet).
exact_ops(globals())
