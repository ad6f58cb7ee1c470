"""Layouts and memory formats: ``torch.strided``, ``torch.contiguous_format``, ``channels_last``...

gradstep tensors are always strided (a NumPy array is a strided view of a buffer), so ``layout``
has one useful value. A ``memory_format`` says how a new tensor's elements are ordered in memory;
``preserve_format``, the default of ``clone``, ``to`` and the ``*_like`` factories, keeps the
source's ordering: a copy of a transposed tensor is transposed in memory too, as in torch.

``empty_like_layout`` is the one allocator for those copies; everything else about memory order is
NumPy's own.
"""
import numpy as np

__all__ = ["layout", "strided", "sparse_coo", "memory_format", "contiguous_format",
           "preserve_format", "channels_last", "channels_last_3d", "empty_like_layout",
           "check_memory_format", "is_contiguous_as"]


class _Named:
    """A constant that prints as ``torch.<name>``, pickles by name, and is never built by users."""

    __slots__ = ("_name",)
    _registry = None  # each subclass: name -> instance

    def __new__(cls, *args, **kwargs):
        raise TypeError(f"cannot create 'torch.{cls.__name__}' instances")

    @classmethod
    def _define(cls, name):
        obj = object.__new__(cls)
        obj._name = name
        cls._registry[name] = obj
        return obj

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_by_name, (type(self).__name__, self._name))


class layout(_Named):
    """How a tensor's elements are stored: always ``torch.strided`` in gradstep."""

    __slots__ = ()
    _registry = {}


class memory_format(_Named):
    """The order a new tensor's elements are laid out in (``torch.contiguous_format``...)."""

    __slots__ = ()
    _registry = {}


def _by_name(kind, name):
    return {"layout": layout, "memory_format": memory_format}[kind]._registry[name]


strided = layout._define("strided")
sparse_coo = layout._define("sparse_coo")
contiguous_format = memory_format._define("contiguous_format")
preserve_format = memory_format._define("preserve_format")
channels_last = memory_format._define("channels_last")
channels_last_3d = memory_format._define("channels_last_3d")

# the rank each channels-last format needs: (N, C, H, W) or (N, C, D, H, W)
_CHANNELS_LAST_RANK = {channels_last: 4, channels_last_3d: 5}


def _channels_last_order(rank):
    """Dims innermost first: channels, then the spatial dims from last to first, batch last
    (memory order N, H, W, C)."""
    return [1] + list(range(rank - 1, 1, -1)) + [0]


def check_memory_format(fmt, where):
    """``fmt`` if it is a memory format (or None), else torch's TypeError for ``where()``."""
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"{where}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(fmt).__name__}")
    return fmt


# ----- strides -----

def _c_strides(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def _strides_from_order(shape, inner_to_outer):
    """Dense strides that put the dimensions in ``inner_to_outer`` order in memory."""
    strides, step = [0] * len(shape), 1
    for d in inner_to_outer:
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


def _is_dense(shape, strides):
    """Whether the elements fill a buffer of ``numel`` exactly once (some dimension order)."""
    expected = 1
    for size, stride in sorted((p for p in zip(shape, strides) if p[0] > 1),
                               key=lambda p: p[1]):
        if stride != expected:
            return False
        expected *= size
    return True


def _order_like(shape, strides):
    """Dimensions innermost first, ranked by stride (then size) as torch ranks them.

    Starting from C order, each dimension moves inwards past those with a larger stride. A
    stride of 0 (a broadcast dimension) says nothing about order: the scan passes over such a
    dimension without moving it, so broadcast dimensions keep their C-order place.
    """
    order = list(range(len(shape)))[::-1]

    def belongs_outside(a, b):  # +1: dim a belongs outside dim b; -1: inside; 0: can't tell
        sa, sb = strides[a], strides[b]
        if sa == 0 or sb == 0:
            return 0
        if sa != sb:
            return 1 if sa > sb else -1
        return 1 if shape[a] > shape[b] else 0

    for i in range(1, len(order)):
        moving = i
        for j in range(i - 1, -1, -1):
            verdict = belongs_outside(order[j], order[moving])
            if verdict > 0:
                order[j], order[moving] = order[moving], order[j]
                moving = j
            elif verdict < 0:
                break
    return order


def preserved_strides(array):
    """The element strides of a new tensor that preserves ``array``'s memory order, or None when
    that is plain C order (the common case, answered without sorting anything)."""
    shape = array.shape
    if array.flags.c_contiguous and 1 not in shape and 0 not in shape:
        return None  # the common case: C order, with no size-1 dims whose strides could differ
    strides = tuple(s // array.itemsize for s in array.strides)
    if array.flags.c_contiguous and strides == _c_strides(shape):
        return None
    if _is_dense(shape, strides):
        return strides
    return _strides_from_order(shape, _order_like(shape, strides))


def _format_strides(array, fmt, where):
    """Element strides for a new tensor like ``array`` in memory format ``fmt`` (None: C order)."""
    if fmt is None or fmt is preserve_format:
        return preserved_strides(array)
    if fmt is contiguous_format:
        return None
    rank = _CHANNELS_LAST_RANK[check_memory_format(fmt, where)]
    if array.ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
    return _strides_from_order(array.shape, _channels_last_order(rank))


def empty_like_layout(array, np_dtype, fmt=None, where="empty_like"):
    """A zero-filled NumPy array of ``array``'s shape in memory format ``fmt``, or None when
    that is plain C order (the caller allocates as usual) or ``array`` is not a NumPy array."""
    if not isinstance(array, np.ndarray):
        return None
    strides = _format_strides(array, fmt, where)
    if strides is None:
        return None
    np_dtype = np.dtype(np_dtype)
    buffer = np.zeros(int(np.prod(array.shape)), np_dtype)
    return np.ndarray(array.shape, np_dtype, buffer=buffer,
                      strides=tuple(s * np_dtype.itemsize for s in strides))


def copy_in_format(array, np_dtype=None, fmt=None, where="clone"):
    """A copy of ``array`` (converted to ``np_dtype``) laid out in memory format ``fmt``."""
    np_dtype = array.dtype if np_dtype is None else np.dtype(np_dtype)
    out = empty_like_layout(array, np_dtype, fmt, where)
    if out is None:
        return array.copy() if np_dtype == array.dtype else array.astype(np_dtype, order="C")
    out[...] = array
    return out


def contiguous_strides(shape):
    """torch's strides, in elements, of a contiguous tensor of ``shape`` (an empty dim counts
    as 1): what a new tensor has, whatever strides NumPy gives an empty array."""
    strides = []
    step = 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def is_contiguous_as(array, fmt):
    """``Tensor.is_contiguous(memory_format=fmt)``: are the strides those of format ``fmt``?"""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return bool(array.flags.c_contiguous)
    check_memory_format(fmt, "is_contiguous")
    rank = _CHANNELS_LAST_RANK.get(fmt)
    if rank is None or array.ndim != rank:
        return False
    strides = tuple(s // array.itemsize for s in array.strides)
    expected = _strides_from_order(array.shape, _channels_last_order(rank))
    return all(s == e for size, s, e in zip(array.shape, strides, expected) if size > 1)
