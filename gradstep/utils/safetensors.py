r"""Read and write ``.safetensors`` files: the weights format shared by PyTorch and Hugging Face.

The API is the ``safetensors.torch`` module's (``save_file``, ``load_file``, ``save``, ``load``,
``save_model``, ``load_model``, ``safe_open``), implemented here directly, so it needs no extra
package. A file is an 8-byte little-endian header length ``N``, ``N`` bytes of JSON
(``{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__":
{...}}``, space-padded to a multiple of 8), then the tensors' raw little-endian bytes, packed
without gaps. Files written here are byte-for-byte what ``safetensors.torch.save_file`` writes for
the same tensors, and loading never executes code.

.. note::
   gradstep has no bfloat16: ``BF16`` tensors load as float32 (exactly; a bfloat16 is the top half
   of a float32), with a warning. Unsigned 16/32/64-bit and float8 tensors cannot be loaded.
"""
import json
import os
import struct
import warnings

import numpy as np

from .._device import as_device
from .._tensor import Tensor
from ..serialization import _atomic_write

__all__ = ["save", "save_file", "load", "load_file", "save_model", "load_model", "safe_open",
           "SafetensorError"]


class SafetensorError(Exception):
    """A malformed safetensors header or buffer."""


_TO_CODE = {"bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "int32": "I32",
            "int64": "I64", "float16": "F16", "float32": "F32", "float64": "F64"}
_RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 3, "F16": 4, "I32": 5, "F32": 6, "F64": 7, "I64": 8}
_FROM_CODE = {"BOOL": np.dtype(np.bool_), "U8": np.dtype("<u1"), "I8": np.dtype("<i1"),
              "I16": np.dtype("<i2"), "I32": np.dtype("<i4"), "I64": np.dtype("<i8"),
              "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
              "BF16": np.dtype("<u2")}


# ------------------------------------------------------------------------------------- writing
def _check_shared(tensors):
    items = [(k, v._data) for k, v in tensors.items()]
    groups = []
    for i, (name, a) in enumerate(items):
        for other, b in items[i + 1:]:
            if a.size and b.size and np.may_share_memory(a, b) and np.shares_memory(a, b):
                groups.append({name, other})
    if groups:
        raise RuntimeError(
            "\n            Some tensors share memory, this will lead to duplicate memory on disk "
            f"and potential differences when loading them again: {groups}.\n            A "
            "potential way to correctly save your model is to use `save_model`.\n            "
            "More information at https://huggingface.co/docs/safetensors/torch_shared_tensors"
            "\n            ")


def _serialize(tensors, metadata):
    if not isinstance(tensors, dict):
        raise TypeError(f"argument 'tensor_dict': '{type(tensors).__name__}' object cannot be "
                        "converted to 'PyDict'")
    for k, v in tensors.items():
        if not isinstance(k, str):
            raise TypeError(f"argument 'tensor_dict': '{type(k).__name__}' object is not an "
                            "instance of 'str'")
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
        if not v.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It "
                "either means you are trying to save tensors which are reference of each other in "
                "which case it's recommended to save only the full tensors, and reslice at load "
                "time, or simply call `.contiguous()` on your tensor to pack it before saving.")
    _check_shared(tensors)
    # The safetensors library's layout: dtypes in descending order of its dtype enum (which
    # keeps every tensor aligned), then names in order.
    order = sorted(tensors, key=lambda k: (-_RANK[_TO_CODE[tensors[k].dtype.name]], k))
    header = {}
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    arrays = []
    offset = 0
    for name in order:
        t = tensors[name]
        arr = t._host()
        if not arr.flags.c_contiguous:  # (np.ascontiguousarray would turn 0-d into 1-d)
            arr = arr.copy()
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        header[name] = {"dtype": _TO_CODE[t.dtype.name], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
        arrays.append(arr)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, arrays


def save(tensors, metadata=None):
    r"""The ``.safetensors`` bytes of a dict of tensors (with an optional ``metadata`` dict of
    strings).

    Example::

        >>> import gradstep as torch
        >>> from gradstep.utils import safetensors
        >>> blob = safetensors.save({"w": torch.ones(2)})
        >>> safetensors.load(blob)
        {'w': tensor([1., 1.])}
    """
    head, arrays = _serialize(tensors, metadata)
    return b"".join([head] + [a.reshape(-1).view(np.uint8).tobytes() for a in arrays])


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to ``filename`` (atomically: a crash never leaves half a file)."""
    head, arrays = _serialize(tensors, metadata)

    def write(fh):
        fh.write(head)
        for a in arrays:
            if a.size:
                fh.write(memoryview(a.reshape(-1)).cast("B"))

    _atomic_write(filename, write)


# ------------------------------------------------------------------------------------- reading
def _parse(buffer):
    """(header dict without metadata, metadata, offset of the data) of a safetensors buffer."""
    if len(buffer) < 8:
        raise SafetensorError("Error while deserializing header: header too small")
    n = struct.unpack("<Q", bytes(buffer[:8]))[0]
    if n > len(buffer) - 8:
        raise SafetensorError("Error while deserializing header: invalid header length")
    try:
        header = json.loads(bytes(buffer[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise SafetensorError(f"Error while deserializing header: invalid JSON in header: {e}") \
            from None
    if not isinstance(header, dict):
        raise SafetensorError("Error while deserializing header: header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    data_start = 8 + n
    expected = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        code = info["dtype"]
        if code not in _FROM_CODE:
            raise TypeError(f"gradstep cannot load safetensors dtype {code} (tensor `{name}`)")
        count = int(np.prod(info["shape"], dtype=np.int64))
        if begin != expected or end - begin != count * _FROM_CODE[code].itemsize:
            raise SafetensorError("Error while deserializing header: invalid offset for tensor "
                                  f"`{name}`")
        expected = end
    if data_start + expected != len(buffer):
        raise SafetensorError("Error while deserializing header: metadata incomplete buffer")
    return header, metadata, data_start


def _tensor(buffer, data_start, info, device):
    begin, end = info["data_offsets"]
    code = info["dtype"]
    arr = np.frombuffer(buffer, dtype=_FROM_CODE[code], count=(end - begin)
                        // _FROM_CODE[code].itemsize, offset=data_start + begin)
    if code == "BF16":
        warnings.warn("gradstep has no bfloat16: a BF16 tensor is loaded as float32", stacklevel=4)
        arr = (arr.astype(np.uint32) << 16).view(np.float32)
    arr = arr.reshape(info["shape"])
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    t = Tensor._make(arr)
    dev = as_device(device)
    return t if dev.type == "cpu" else t.to(dev)



def load(data):
    r"""The dict of tensors in ``.safetensors`` bytes."""
    buffer = bytearray(data)
    header, _, start = _parse(buffer)
    return {k: _tensor(buffer, start, v, "cpu") for k, v in _in_file_order(header)}


def _in_file_order(header):
    return sorted(header.items(), key=lambda kv: kv[1]["data_offsets"])


def _read(filename):
    with open(filename, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        buffer = bytearray(size)
        fh.readinto(buffer)
    return buffer


def load_file(filename, device="cpu"):
    r"""The dict of tensors in the ``.safetensors`` file ``filename``, placed on ``device``."""
    buffer = _read(filename)
    header, _, start = _parse(buffer)
    return {k: _tensor(buffer, start, v, device) for k, v in _in_file_order(header)}


class safe_open:
    r"""Open a ``.safetensors`` file and read tensors one by one.

    Example::

        >>> import gradstep as torch, tempfile, os
        >>> from gradstep.utils.safetensors import save_file, safe_open
        >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
        >>> save_file({"w": torch.zeros(2)}, path, metadata={"format": "pt"})
        >>> with safe_open(path, framework="pt") as f:
        ...     f.keys(), f.metadata(), f.get_tensor("w")
        (['w'], {'format': 'pt'}, tensor([0., 0.]))
    """

    def __init__(self, filename, framework="pt", device="cpu"):
        self._buffer = _read(filename)
        self._header, self._metadata, self._start = _parse(self._buffer)
        self._device = device

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def keys(self):
        """The tensor names, in file order."""
        return [k for k, _ in _in_file_order(self._header)]

    def offset_keys(self):
        return self.keys()

    def metadata(self):
        """The file's ``__metadata__`` dict (or ``None``)."""
        return self._metadata

    def get_tensor(self, name):
        """The tensor called ``name``."""
        return _tensor(self._buffer, self._start, self._header[name], self._device)

    def get_slice(self, name):
        """The tensor called ``name``, to be indexed."""
        return _Slice(self, name)


class _Slice:
    def __init__(self, f, name):
        self._f = f
        self._name = name

    def get_shape(self):
        return list(self._f._header[self._name]["shape"])

    def get_dtype(self):
        return self._f._header[self._name]["dtype"]

    def __getitem__(self, index):
        return self._f.get_tensor(self._name)[index].contiguous()


# ------------------------------------------------------------------------------------- modules
def _shared_groups(state_dict):
    groups = {}
    for name, t in state_dict.items():
        key = (t._data.__array_interface__["data"][0], t._data.nbytes) \
            if isinstance(t._data, np.ndarray) else id(t)
        groups.setdefault(key, []).append(name)
    return [g for g in groups.values() if len(g) > 1]


def save_model(model, filename, metadata=None, force_contiguous=False):
    r"""Save ``model.state_dict()`` to ``filename``; tied (shared) tensors are written once and the
    dropped names recorded in the metadata, as ``safetensors.torch.save_model`` does."""
    state_dict = dict(model.state_dict())
    removed = {}
    for group in _shared_groups(state_dict):
        keep = sorted(group)[0]
        for name in group:
            if name != keep:
                removed[name] = keep
                del state_dict[name]
    if removed:
        metadata = dict(metadata or {})
        for name, keep in removed.items():
            metadata.setdefault(name, keep)
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    save_file(state_dict, filename, metadata=metadata)


def load_model(model, filename, strict=True, device="cpu"):
    r"""Load ``filename`` into ``model``; returns ``(missing, unexpected)`` key lists. With
    ``strict`` a mismatch raises ``RuntimeError``."""
    state_dict = load_file(filename, device=device)
    model_keys = set(model.state_dict().keys())
    aliases = {name for group in _shared_groups(model.state_dict()) for name in group}
    missing = model_keys - set(state_dict) - aliases
    unexpected = set(state_dict) - model_keys
    if strict and (missing or unexpected):
        error = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
        if missing:
            keys = ", ".join(f'"{k}"' for k in sorted(missing))
            error += f"\n    Missing key(s) in state_dict: {keys}"
        if unexpected:
            keys = ", ".join(f'"{k}"' for k in sorted(unexpected))
            error += f"\n    Unexpected key(s) in state_dict: {keys}"
        raise RuntimeError(error)
    model.load_state_dict(state_dict, strict=False)
    return sorted(missing), sorted(unexpected)

