r"""``default_collate`` and ``default_convert``: turn a list of samples into one batch.

``collate(batch, collate_fn_map=...)`` walks the structure of the first sample: the function
registered for the sample's exact type (then the first registered type it is an instance of)
builds the batch; mappings, namedtuples and sequences are collated field by field. Extend
batching for your own type by copying ``default_collate_fn_map`` and adding an entry.
"""
import collections.abc
import copy
import re

import numpy as np

from .... import _dtype
from ...._creation import as_tensor, tensor
from ...._ops.shape import stack
from ...._tensor import Tensor

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

_NP_STR_OBJ = re.compile(r"[SaUO]")
_ERR_FORMAT = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
               "lists; found {}")


def default_convert(data):
    r"""Convert NumPy arrays (and NumPy scalars) inside ``data`` to tensors, keeping the rest.

    This is the DataLoader's ``collate_fn`` when automatic batching is off (``batch_size=None``).

    Example::

        >>> import numpy as np
        >>> from gradstep.utils.data import default_convert
        >>> default_convert({"x": np.zeros(2), "y": 3})
        {'x': tensor([0., 0.], dtype=torch.float64), 'y': 3}
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_",
                                                                      "bytes_"):
        if isinstance(data, np.ndarray) and _NP_STR_OBJ.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(converted)
            return clone
        try:
            return elem_type(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        if isinstance(data, collections.abc.MutableSequence):
            clone = copy.copy(data)
            for i, d in enumerate(converted):
                clone[i] = d
            return clone
        try:
            return elem_type(converted)
        except TypeError:
            return converted
    return data


def collate(batch, *, collate_fn_map=None):
    r"""Collate ``batch`` (a list of samples) using the per-type functions in ``collate_fn_map``.

    Args:
        batch (list): the samples
        collate_fn_map (dict): maps a type (or tuple of types) to ``fn(batch, *, collate_fn_map)``
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(collated)
            return clone
        try:
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # torch returns a list for tuples too
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, c in enumerate(columns):
                clone[i] = c
            return clone
        try:
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_ERR_FORMAT.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack tensors along a new dim 0."""
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Stack NumPy arrays into one tensor (string and object arrays are refused)."""
    elem = batch[0]
    if _NP_STR_OBJ.search(elem.dtype.str) is not None:
        raise TypeError(_ERR_FORMAT.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """NumPy scalars keep their dtype."""
    return as_tensor(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats become a float64 tensor, as in torch."""
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints become an int64 tensor (bools a bool tensor)."""
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings stay a list."""
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    np.memmap: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    r"""Stack a list of samples into a batch, recursing into their structure.

    Tensors and NumPy arrays are stacked along a new dim 0 (one tensor); Python floats become a
    float64 tensor, ints an int64 tensor, bools a bool tensor; strings stay a list; a dict of
    fields becomes a dict of batches, a namedtuple a namedtuple of batches, and a tuple or list of
    fields a list of batches.

    Example::

        >>> import gradstep as torch
        >>> from gradstep.utils.data import default_collate
        >>> default_collate([(torch.zeros(2), 1, "a"), (torch.ones(2), 2, "b")])
        [tensor([[0., 0.],
                [1., 1.]]), tensor([1, 2]), ('a', 'b')]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
