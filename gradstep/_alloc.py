"""Reused buffers for large arrays: a small caching allocator in front of NumPy's.

glibc hands large freed blocks back to the operating system (``munmap``, or trimming the top of
the heap), and the next step's allocation of the same size page-faults every 4 KiB page in again.
A training step frees and re-allocates the same large arrays (activations, gradients, im2col
matrices, gate buffers) every iteration, so on CPU that costs up to 40% of a step. Instead of
changing glibc's settings, which belong to the whole process (and the user), gradstep's hot ops
take their large outputs and work arrays from this pool, which hands a buffer out again once
nothing refers to it any more.

"Nothing refers to it" is read from the reference count: the pool holds one reference, so a buffer
whose count is back to that (no tensor, view, graph node, ``numpy()`` result, memoryview or local
variable can reach it) is free; no explicit release is needed. Pools are per thread, so two
threads never hand out the same buffer. At most ``_KEEP`` buffers per (shape, dtype) and
``_CAP_BYTES`` in all are kept, least recently used shapes forgotten first; arrays under
``_MIN_BYTES`` are plain ``np.empty`` (malloc recycles those itself). A buffer holds garbage when
handed out. ``empty_cache()`` drops every free buffer (the role of ``torch.cuda.empty_cache``).
"""
import functools
import sys
import threading

import numpy as np

__all__ = ["empty", "is_pooled", "empty_cache", "matmul", "ones"]

_MIN_BYTES = 1 << 17   # glibc's default mmap threshold
_CAP_BYTES = 256 << 20
_KEEP = 8

_getrefcount = sys.getrefcount
# References to a free buffer seen from inside this module's loops: the pool's list, the loop
# variable, and getrefcount's own argument.
_FREE_REFS = 3


class _Pool(threading.local):
    def __init__(self):
        self.buckets = {}   # (shape, dtype) -> [array, ...]; insertion order: LRU first
        self.ids = set()    # id() of every pooled array (alive: the pool holds it)
        self.nbytes = 0


_pool = _Pool()


def empty(shape, dtype):
    """An uninitialised C-contiguous array of ``shape`` (a tuple) and ``dtype``, reusing a free
    pooled buffer when the array is large."""
    if type(shape) is tuple and isinstance(dtype, np.dtype):
        # the hot case, a free buffer of a shape seen before: a dict look-up and refcounts
        buckets = _pool.buckets
        key = (shape, dtype)
        bucket = buckets.get(key)
        if bucket is not None:
            for buf in bucket:
                if _getrefcount(buf) == _FREE_REFS:
                    del buckets[key]
                    buckets[key] = bucket  # most recently used now
                    return buf
    return _empty(shape, np.dtype(dtype))


def _empty(shape, dtype):
    count = 1
    for n in shape:
        count *= n
    nbytes = count * dtype.itemsize
    if nbytes < _MIN_BYTES or nbytes > _CAP_BYTES:
        return np.empty(shape, dtype)
    pool = _pool
    key = (tuple(shape), dtype)
    bucket = pool.buckets.pop(key, None)
    if bucket is None:
        bucket = []
        # glibc serves a block this large by mmap, and freeing one raises its mmap and trim
        # thresholds to the block's size (mallopt(3)): after this one free, other temporaries
        # up to this size come from the heap and stay there, instead of fresh pages each step.
        np.empty(shape, dtype)
    else:
        for buf in bucket:
            if _getrefcount(buf) == _FREE_REFS:
                pool.buckets[key] = bucket  # most recently used now
                return buf
    pool.buckets[key] = bucket
    buf = np.empty(shape, dtype)
    if len(bucket) < _KEEP:
        bucket.append(buf)
        pool.ids.add(id(buf))
        pool.nbytes += nbytes
        while pool.nbytes > _CAP_BYTES:  # forget the least recently used shapes
            _forget(pool, next(iter(pool.buckets)))
    return buf


def _forget(pool, key):
    for buf in pool.buckets.pop(key):
        pool.ids.discard(id(buf))
        pool.nbytes -= buf.nbytes


def is_pooled(array):
    """Whether ``array`` is held by this thread's pool (it then has one extra reference)."""
    return id(array) in _pool.ids


def empty_cache():
    """Release every pooled buffer that nothing refers to any more."""
    pool = _pool
    for key, bucket in list(pool.buckets.items()):
        keep = []
        for buf in bucket:
            if _getrefcount(buf) == _FREE_REFS:
                pool.ids.discard(id(buf))
                pool.nbytes -= buf.nbytes
            else:
                keep.append(buf)
        if keep:
            pool.buckets[key] = keep
        else:
            del pool.buckets[key]


@functools.lru_cache(maxsize=64)
def ones(n, dtype):
    """A read-only vector of ``n`` ones, made once: BLAS sums the rows of a matrix ``g`` as the
    product ``ones @ g`` (gemv), faster than NumPy's reduction over a short axis."""
    vector = np.ones(n, dtype)
    vector.flags.writeable = False
    return vector


def matmul(a, b):
    """``a @ b`` written into a pooled buffer when both are NumPy float arrays of one dtype and
    rank (2-D, or batches of the same shape): a large product in a hot op's forward or backward.
    Anything else (Tensors under ``create_graph``, broadcast batches) is plain ``a @ b``."""
    if type(a) is np.ndarray and type(b) is np.ndarray:
        dtype = a.dtype
        if dtype == b.dtype and dtype.kind == "f":
            sa, sb = a.shape, b.shape
            if len(sa) == len(sb) == 2:
                if sa[1] == sb[0]:
                    return np.matmul(a, b, out=empty((sa[0], sb[1]), dtype))
            elif len(sa) == len(sb) > 2 and sa[-1] == sb[-2] and sa[:-2] == sb[:-2]:
                return np.matmul(a, b, out=empty(sa[:-1] + sb[-1:], dtype))
    return a @ b
