r"""The worker process loop, ``get_worker_info`` and the messages workers exchange with the loader.

A worker is a ``multiprocessing`` process that owns a copy of the dataset. It takes
``(task_idx, indices)`` from its own index queue, fetches and collates the batch, and puts
``(task_idx, pickled_batch)`` on the result queue shared by all workers; the loader reorders by
``task_idx``. Each worker seeds Python's ``random``, gradstep's global generator
(``base_seed + worker_id``) and NumPy's global state (from ``(base_seed, worker_id)``), so data
augmentation differs across workers yet is reproducible from the loader's seed.
"""
import os
import pickle
import queue
import random
import sys
import traceback

import numpy as np

from .... import _random
from .fetch import create_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

MP_STATUS_CHECK_INTERVAL = 5.0
# How often an idle worker checks the shutdown event and its parent. Shutdown cannot rely on the
# ``None`` sent through the index queue alone: when the loader is collected as garbage its
# queues' feeder threads may already be closed, and that message never arrives.
_POLL_INTERVAL = 0.2

_worker_info = None


class WorkerInfo:
    r"""What a worker process knows about itself: ``id``, ``num_workers``, ``seed`` and its copy
    of the ``dataset``. Read-only."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


def get_worker_info():
    r"""In a DataLoader worker process, its :class:`WorkerInfo`; in the main process, ``None``.

    Use it in an ``IterableDataset.__iter__`` or a ``worker_init_fn`` to give each worker its own
    share of the data.

    Example::

        >>> from gradstep.utils.data import get_worker_info
        >>> get_worker_info() is None
        True
    """
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    # KeyError prints repr(message); this keeps the traceback text readable.
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset iterator is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at a new epoch; they restart their fetcher and echo it back."""


def _numpy_seed(base_seed, worker_id):
    """A 4-word NumPy seed mixing the loader's base seed with the worker id."""
    return np.random.SeedSequence([base_seed % 2 ** 64, worker_id]).generate_state(4)


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers):
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        _random.manual_seed(seed)
        np.random.seed(_numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        iteration_end = False
        parent = os.getppid()
        while True:
            try:
                r = index_queue.get(timeout=_POLL_INTERVAL)
            except queue.Empty:
                # Shut down, or the main process died and nobody will read our results.
                if done_event.is_set() or os.getppid() != parent:
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if fetcher is not None:
                    fetcher = create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                             drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind == "map":
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            # Pickled here, not in the queue's feeder thread, so an unpicklable batch becomes an
            # error in the main process instead of a silent hang.
            try:
                payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                payload = pickle.dumps(ExceptionWrapper(where=where))
            data_queue.put((idx, payload))
            del data, payload
    except KeyboardInterrupt:
        pass  # the main process raises KeyboardInterrupt itself
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
