"""Reused buffers for large arrays: a small caching allocator in front of NumPy's.

glibc hands large freed blocks back to the operating system (``munmap``, or trimming the top of
the heap), and the next step's allocation of the same size page-faults every page in again. A
training step frees and re-allocates the same large arrays (activations, gradients) every
iteration, so on CPU this costs up to 40% of a step. Instead of changing glibc's settings, which
are the whole process's (and the user's), gradstep keeps the large arrays its hottest ops produce
in a pool and hands one out again once nothing refers to it any more.

"Nothing refers to it" is read from the reference count: the pool holds one reference, so a buffer
whose count is back to that (no tensor, view, ``numpy()`` result or memoryview of it remains) is
free. Pools are per thread, so two threads never hand out the same buffer. The pool is bounded
(``_CAP_BYTES``); past the cap, arrays are plain NumPy allocations again. ``empty_cache()`` drops
every free buffer (the same role as ``torch.cuda.empty_cache``).
"""
import sys
import threading

import numpy as np

__all__ = ["empty", "is_pooled", "empty_cache"]

# Below glibc's default mmap threshold small blocks are recycled by malloc itself.
_MIN_BYTES = 1 << 17
_CAP_BYTES = 1 << 30

_getrefcount = sys.getrefcount
# References to a free buffer seen from inside ``empty``: the pool's list, the loop variable, and
# getrefcount's own argument.
_FREE_REFS = 3


class _Pool(threading.local):
    def __init__(self):
        self.buckets = {}   # (shape, dtype char) -> [array, ...]
        self.ids = set()    # id() of every pooled array
        self.nbytes = 0


_pool = _Pool()


def empty(shape, dtype):
    """An uninitialised C-contiguous array of ``shape`` and ``dtype`` (a NumPy dtype), reusing a
    free pooled buffer when the array is large."""
    dtype = np.dtype(dtype)
    count = 1
    for n in shape:
        count *= n
    nbytes = count * dtype.itemsize
    if nbytes < _MIN_BYTES:
        return np.empty(shape, dtype)
    pool = _pool
    key = (tuple(shape), dtype.char)
    bucket = pool.buckets.get(key)
    if bucket is None:
        bucket = pool.buckets[key] = []
    for buf in bucket:
        if _getrefcount(buf) == _FREE_REFS:
            return buf
    buf = np.empty(shape, dtype)
    if pool.nbytes + nbytes <= _CAP_BYTES:
        bucket.append(buf)
        pool.ids.add(id(buf))
        pool.nbytes += nbytes
    return buf


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


def matmul(a, b):
    """``a @ b`` written into a pooled buffer when both are 2-D NumPy arrays of one dtype (a
    large product, in a hot op's forward or backward); anything else (Tensors under
    ``create_graph``, other ranks) is plain ``a @ b``."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim == 2 \
            and a.dtype == b.dtype and a.shape[1] == b.shape[0] and a.dtype.kind == "f":
        return np.matmul(a, b, out=empty((a.shape[0], b.shape[1]), a.dtype))
    return a @ b
