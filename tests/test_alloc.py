"""The buffer pool for large arrays (gradstep/_alloc.py): reuse only what nothing refers to."""
import threading

import numpy as np
import pytest

import gradstep
from gradstep import _alloc

BIG = (128, 512)  # 256 KiB of float32: pooled
SMALL = (4, 4)


def test_small_arrays_are_not_pooled():
    a = _alloc.empty(SMALL, np.float32)
    assert not _alloc.is_pooled(a)


def test_a_free_buffer_is_handed_out_again():
    a = _alloc.empty(BIG, np.float32)
    address = a.ctypes.data
    del a
    b = _alloc.empty(BIG, np.float32)
    assert b.ctypes.data == address and _alloc.is_pooled(b)


@pytest.mark.parametrize("shape,dtype", [(list(BIG), np.float32), (BIG, "float32"),
                                         (BIG, np.dtype(np.float32)), (BIG, float)])
def test_any_spelling_of_shape_and_dtype(shape, dtype):
    a = _alloc.empty(shape, dtype)
    assert a.shape == BIG and a.dtype == np.dtype(dtype) and a.flags.c_contiguous
    address = a.ctypes.data
    del a
    b = _alloc.empty(tuple(shape), np.dtype(dtype))
    assert b.ctypes.data == address and _alloc.is_pooled(b)


def test_byte_order_is_part_of_the_key():
    a = _alloc.empty(BIG, np.dtype("<f4"))
    address = a.ctypes.data
    del a
    b = _alloc.empty(BIG, np.dtype(">f4"))
    assert b.dtype == np.dtype(">f4") and b.ctypes.data != address


@pytest.mark.parametrize("holder", [
    lambda a: a,                                 # the array itself
    lambda a: a[1:],                             # a view of it
    lambda a: memoryview(a),                     # an exported buffer
    lambda a: gradstep.from_numpy(a),            # a tensor over it
    lambda a: gradstep.from_numpy(a).numpy(),    # what numpy() gives back
])
def test_a_referenced_buffer_is_never_handed_out(holder):
    a = _alloc.empty(BIG, np.float32)
    a[...] = 7
    kept = holder(a)
    address = a.ctypes.data
    del a
    b = _alloc.empty(BIG, np.float32)
    assert b.ctypes.data != address
    b[...] = 0
    assert np.all(np.asarray(kept) == 7)


def test_relu_output_storage_is_reused_once_the_tensor_is_gone():
    x = gradstep.randn(*BIG)
    y = gradstep.relu(x)
    address = y._data.ctypes.data
    expected = np.maximum(x.numpy(), 0)
    np.testing.assert_array_equal(y.numpy(), expected)
    kept = y
    z = gradstep.relu(x)
    assert z._data.ctypes.data != address  # y is still alive
    del y, kept, z
    w = gradstep.relu(x)
    np.testing.assert_array_equal(w.numpy(), expected)


def test_pooled_gradient_is_taken_without_a_copy_and_survives_the_next_step():
    x = gradstep.randn(128, 784)
    w = gradstep.randn(784, 512, requires_grad=True)
    (x @ w).sum().backward()
    assert _alloc.is_pooled(w.grad._data)  # stolen from the pool's buffer, not copied
    first = w.grad
    saved = first.numpy().copy()
    w.grad = None
    (2 * (x @ w)).sum().backward()
    np.testing.assert_array_equal(first.numpy(), saved)  # the old gradient was not reused
    np.testing.assert_allclose(w.grad.numpy(), 2 * saved, rtol=1e-6)


def test_accumulating_gradients_add_up_in_pooled_buffers():
    x = gradstep.randn(128, 784)
    w = gradstep.randn(784, 512, requires_grad=True)
    (x @ w).sum().backward()
    once = w.grad.numpy().copy()
    (x @ w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * once, rtol=1e-6)


def test_threads_have_their_own_pools():
    here = _alloc.empty(BIG, np.float32)
    seen = []

    def other():
        seen.append(_alloc.is_pooled(here))
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == [False] and _alloc.is_pooled(here)


def test_empty_cache_releases_free_buffers_only():
    held = _alloc.empty(BIG, np.float32)
    free = _alloc.empty((256, 512), np.float32)
    del free
    _alloc.empty_cache()
    assert _alloc.is_pooled(held)
    assert all(b is held or not b.shape == (256, 512)
               for bucket in _alloc._pool.buckets.values() for b in bucket)


def test_at_most_keep_buffers_per_shape_and_least_recently_used_shapes_go_first(monkeypatch):
    monkeypatch.setattr(_alloc, "_CAP_BYTES", 4 << 20)
    monkeypatch.setattr(_alloc, "_pool", _alloc._Pool())
    held = [_alloc.empty((256, 256), np.float32) for _ in range(_alloc._KEEP + 2)]
    assert sum(map(_alloc.is_pooled, held)) == _alloc._KEEP  # the rest are plain arrays
    del held
    for rows in range(300, 340):  # 40 more shapes of ~300 KiB: more than the cap holds
        _alloc.empty((rows, 256), np.float32)
    assert _alloc._pool.nbytes <= 4 << 20
    f32 = np.dtype(np.float32)
    assert ((256, 256), f32) not in _alloc._pool.buckets  # the oldest shape was forgotten
    assert ((339, 256), f32) in _alloc._pool.buckets


def test_ones_is_a_cached_read_only_vector():
    v = _alloc.ones(5, np.dtype(np.float32))
    assert v is _alloc.ones(5, np.dtype(np.float32)) and v.dtype == np.float32
    assert v.tolist() == [1.0] * 5 and not v.flags.writeable
    with pytest.raises(ValueError):
        v[0] = 2.0
