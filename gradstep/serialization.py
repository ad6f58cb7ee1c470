r"""``save`` and ``load``: checkpoints in PyTorch's zip format, loaded safely by default.

A file is a zip archive laid out as ``torch.save`` writes it: ``archive/data.pkl`` (the pickled
object, in which every tensor refers to a storage by a persistent id and is rebuilt by
``torch._utils._rebuild_tensor_v2``), ``archive/data/<key>`` (each storage's raw little-endian
bytes), ``archive/byteorder`` and ``archive/version``. So ``torch.load`` reads what
``gradstep.save`` writes and ``gradstep.load`` reads what ``torch.save`` writes, for state dicts
and nested containers of tensors, numbers and strings. Tensors that are views of one storage are
saved once and come back sharing memory.

``load`` defaults to ``weights_only=True``: the pickle is read by a restricted unpickler that only
builds containers, numbers, strings, tensors and an allowlist of globals (extend it with
:func:`add_safe_globals` / :class:`safe_globals`), so a file can never run code on load.
``weights_only=False`` loads any pickle (whole modules, custom classes): only for trusted files.

Saving to a path is atomic: the archive is written to a temporary file in the same folder, flushed
to disk, then renamed over the target, so a crash mid-save leaves the previous file intact. A
symlink is followed (the link stays, its target gets the data); a device or FIFO is written into.

Damaged files, odd pickles and bad ``map_location`` values raise torch's exception types and
messages; the weights-only unpickler runs only the pickle opcodes torch's does (protocol 2), so a
file saved with ``pickle_protocol=4`` is refused by both unless ``weights_only=False``.
"""
import _compat_pickle
import collections
import contextlib
import errno
import io
import os
import pickle
import stat
import struct
import tempfile
import types
import warnings
import zipfile
from _codecs import encode as _codecs_encode

import numpy as np

from . import _dtype
from ._backend import cuda_is_available
from ._device import as_device, device as _device_cls
from ._layout import contiguous_strides
from ._size import Size
from ._tensor import Tensor

__all__ = ["save", "load", "add_safe_globals", "safe_globals", "get_safe_globals",
           "clear_safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2  # torch.save's default pickle protocol
_MAGIC_NUMBER = 0x1950a86a20f9469cfc6c  # opens torch's legacy (non-zip) format
_ROOT = "archive"

_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the file "
    "from a trusted source.")
_DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by "
                 "default with weights_only https://pytorch.org/docs/stable/generated/torch.load"
                 ".html.")
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")

# torch's storage class names <-> dtypes (the pickle names a storage class per dtype).
_STORAGE_NAMES = {
    "float16": "HalfStorage", "float32": "FloatStorage", "float64": "DoubleStorage",
    "int8": "CharStorage", "int16": "ShortStorage", "int32": "IntStorage",
    "int64": "LongStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
}


# ----------------------------------------------------------------------------------- allowlist
_user_safe_globals = set()


def add_safe_globals(safe_globals):
    r"""Allow ``weights_only`` loading to build these globals (classes or functions).

    Args:
        safe_globals (list): objects, or ``(object, "module.name")`` pairs naming how the file
            refers to them.

    Example::

        >>> import gradstep as torch
        >>> class Config:
        ...     pass
        >>> torch.serialization.add_safe_globals([Config])
        >>> Config in torch.serialization.get_safe_globals()
        True
        >>> torch.serialization.clear_safe_globals()
    """
    global _user_safe_globals
    _user_safe_globals = _user_safe_globals.union(safe_globals)


def get_safe_globals():
    """The globals added with :func:`add_safe_globals`, as a list."""
    return list(_user_safe_globals)


def clear_safe_globals():
    """Forget every global added with :func:`add_safe_globals`."""
    global _user_safe_globals
    _user_safe_globals = set()


class safe_globals:
    r"""A context manager that allows ``globals`` for ``weights_only`` loading inside its block.

    Example::

        >>> import gradstep as torch
        >>> with torch.serialization.safe_globals([complex]):
        ...     complex in torch.serialization.get_safe_globals()
        True
    """

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, exc_type, exc_value, tb):
        global _user_safe_globals
        _user_safe_globals = _user_safe_globals - set(self.safe_globals)


def _user_allowed():
    allowed = {}
    for g in _user_safe_globals:
        if isinstance(g, tuple):
            allowed[g[1]] = g[0]
        else:
            allowed[f"{g.__module__}.{g.__qualname__}"] = g
    return allowed


# ------------------------------------------------------------------------- rebuilding tensors
class _StorageType:
    """What ``torch.FloatStorage`` and friends resolve to while loading: just a dtype."""

    def __init__(self, np_dtype):
        self.np = np.dtype(np_dtype)

    def __repr__(self):
        return f"StorageType(dtype={self.np})"


class _Storage:
    """A loaded storage: a flat host array, the device its tensors go to, and (made when a
    tensor covers only part of it) the tensor its views hang from."""

    __slots__ = ("array", "device", "base")

    def __init__(self, array, device):
        self.array = array
        self.device = device
        self.base = None


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    """The tensor ``size``/``stride`` describe from ``storage_offset`` in ``storage``.

    A tensor that is the whole storage wraps it; any other is a view of one tensor over the
    whole storage, so ``storage_offset()`` and ``as_strided`` see the offsets torch saved and a
    write through one tensor shows in every other tensor of that storage."""
    flat = storage.array
    item = flat.itemsize
    size = tuple(int(n) for n in size)
    stride = tuple(int(s) for s in stride)
    storage_offset = int(storage_offset)
    numel = int(np.prod(size, dtype=np.int64))
    if storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    # A file must never make a tensor reach outside its storage (that would read other memory).
    needed = 0 if numel == 0 else storage_offset + 1 + sum((n - 1) * s
                                                           for n, s in zip(size, stride))
    if needed > flat.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {storage_offset}, and itemsize {item} requiring a storage "
                           f"size of {needed * item} are out of bounds for storage of size "
                           f"{flat.size * item}")
    whole = (storage_offset == 0 and numel == flat.size
             and stride == contiguous_strides(size))
    if storage_offset > flat.size:  # an empty tensor past the end: nothing to share
        arr = np.empty(size, flat.dtype)
        whole = True
    elif whole and numel:
        arr = flat.reshape(size)
    elif numel == 0:  # (slicing would move an empty view at the storage's end to its start)
        arr = np.ndarray(size, flat.dtype, flat, storage_offset * item,
                         tuple(s * item for s in stride))
    else:
        arr = np.lib.stride_tricks.as_strided(flat[storage_offset:], size,
                                              tuple(s * item for s in stride))
    t = Tensor._make(arr)
    if storage.device.type != "cpu":
        t = t.to(storage.device)
    elif whole:
        t._ver = 1  # torch's loaded tensors start at version 1
    else:
        if storage.base is None:
            storage.base = Tensor._make(flat)
            storage.base._ver = 1
        t._base = storage.base
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks, *state):
    from .nn.parameter import Parameter
    p = Parameter(data, requires_grad)
    p._base = data._base  # a parameter that is part of a storage stays a view of it
    p._ver = 1
    return p


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad, backward_hooks)
    for k, v in (state or {}).items():
        setattr(p, k, v)
    return p


def _parameter_class():
    from .nn.parameter import Parameter
    return Parameter


def _torch_globals():
    """``torch.*`` names a checkpoint may use, resolved to gradstep's objects."""
    names = {
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch.nn.parameter.Parameter": _parameter_class(),
        "torch.Tensor": Tensor,
        "torch.Size": Size,
        "torch.device": _device_cls,
        "torch.UntypedStorage": _StorageType(np.uint8),
    }
    for d in _dtype.ALL:
        names[f"torch.{d.name}"] = d
        names[f"torch.{_STORAGE_NAMES[d.name]}"] = _StorageType(d.np)
    return names


_TORCH_GLOBALS = None


def _resolve_torch_global(full):
    global _TORCH_GLOBALS
    if _TORCH_GLOBALS is None:
        _TORCH_GLOBALS = _torch_globals()
    return _TORCH_GLOBALS.get(full)


_SAFE_GLOBALS = {
    "collections.OrderedDict": collections.OrderedDict,
    "collections.Counter": collections.Counter,
    "_codecs.encode": _codecs_encode,  # bytes under pickle protocol 2
    "builtins.bytearray": bytearray,
    "builtins.set": set,
    "builtins.complex": complex,
}


# ---------------------------------------------------------------------------------- unpicklers
_MINIZ_NOTE = ("This is an internal miniz error. If you are seeing this error, there is a high "
               "likelihood that your checkpoint file is corrupted. This can happen if the "
               "checkpoint was not saved properly, was transferred incorrectly, or the file was "
               "modified after saving.")
_MIN_VERSION, _MAX_VERSION = 1, 10  # the archive versions torch reads
_EOCD_SIZE = 22  # a zip's end-of-central-directory record: no archive is shorter


class _Archive:
    """torch's checkpoint reader over :mod:`zipfile`: records are named relative to the
    archive's folder (``data.pkl``, ``data/0``), and a damaged file raises torch's
    ``RuntimeError`` messages. Unlike torch, each record's CRC-32 is checked as it is read."""

    def __init__(self, fh):
        start = fh.tell()
        try:
            self.zf = zipfile.ZipFile(fh)
        except zipfile.BadZipFile as e:
            size = fh.seek(0, io.SEEK_END) - start
            reason = ("not a ZIP archive" if size < _EOCD_SIZE else
                      "failed finding central directory" if str(e) == "File is not a zip file"
                      else "invalid header or archive is corrupted")
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {reason}. "
                               f"{_MINIZ_NOTE}") from None
        names = self.zf.namelist()
        first = names[0] if names else ""
        if "/" not in first:
            raise RuntimeError("[enforce fail at inline_container.cc:180] . file in archive is "
                               f"not in a subdirectory: {first}")
        self.prefix = first[:first.index("/") + 1]
        self._names = set(names)
        name = ".data/version" if self.has(".data/version") else "version"
        if not self.has(name):
            raise RuntimeError('Expected hasRecord("version") to be true, but got false.  (Could '
                               'this error message be improved?  If so, please report an '
                               'enhancement request to PyTorch.)')
        text = self.read(name).decode("latin-1")
        try:
            version = int(text)
        except ValueError:
            raise RuntimeError("[enforce fail at inline_container.cc:215] . Couldn't parse the "
                               f"version {text} as Long Long.") from None
        if version < _MIN_VERSION:
            raise RuntimeError(
                "[enforce fail at inline_container.cc:219] . Attempted to read a PyTorch file "
                f"with version {version}, but the minimum supported version for reading is "
                f"{_MIN_VERSION}. Your PyTorch script module file is too old. Please regenerate "
                "it with latest version of PyTorch to mitigate this issue.")
        if version > _MAX_VERSION:
            raise RuntimeError(
                "[enforce fail at inline_container.cc:230] . Attempted to read a PyTorch file "
                f"with version {version}, but the maximum supported version for reading is "
                f"{_MAX_VERSION}. The version of your PyTorch installation may be too old, "
                "please upgrade PyTorch to latest version to mitigate this issue.")

    def has(self, name):
        return self.prefix + name in self._names

    def info(self, name):
        if not self.has(name):
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not "
                               f"found. {_MINIZ_NOTE}")
        return self.zf.getinfo(self.prefix + name)

    def read(self, name):
        with self._reading(name):
            return self.zf.read(self.info(name))

    def read_into(self, name, buffer):
        with self._reading(name), self.zf.open(self.info(name)) as fh:
            fh.readinto(buffer)

    @contextlib.contextmanager
    def _reading(self, name):
        try:
            yield
        except zipfile.BadZipFile as e:
            reason = ("CRC-32 check failed" if "CRC" in str(e)
                      else "invalid header or archive is corrupted")
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {reason}. "
                               f"{_MINIZ_NOTE}") from None


_UNAVAILABLE = ("If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")


def _restore_device(location):
    """The device a storage saved (or mapped) with the tag ``location`` is loaded on, by
    torch's rules: ``"cpu"`` exactly, ``"cuda"`` or ``"cuda:N"``, ``"meta"``; other backends
    torch knows fail as they do in a CPU-only torch; anything else is unknown."""
    if location == "cpu" or location == "meta":
        return as_device(location)
    if location.startswith("cuda") and not location[4:5].isalpha():
        dev = as_device(location)  # "cuda0" raises torch's "Invalid device string"
        if not cuda_is_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. " + _UNAVAILABLE)
        return dev
    if location.startswith("mps"):
        raise RuntimeError("torch.UntypedStorage(): Storage device not recognized: mps")
    backend = location.split(":")[0]
    if backend == "xpu":
        raise RuntimeError("Attempting to deserialize object on a XPU device but "
                           "torch.xpu.is_available() is False. " + _UNAVAILABLE)
    if backend in ("hpu", "privateuseone"):
        raise RuntimeError(f"The {backend.upper()} device module is not registered. "
                           + _UNAVAILABLE)
    raise RuntimeError("don't know how to restore data location of "
                       f"torch.storage.UntypedStorage (tagged with {location})")


class _LoaderMixin:
    """Storage loading from the zip archive and map_location handling, shared by both
    unpicklers."""

    def _setup(self, archive, map_location):
        self._archive = archive
        self._map_location = map_location
        self._storages = {}

    def persistent_load(self, pid):
        if self._archive is None:  # a bare pickle: no storages to refer to
            raise pickle.UnpicklingError("unsupported persistent id encountered")
        if not isinstance(pid, tuple):
            raise AssertionError(f"saved_id must be a tuple, got {type(pid).__name__}")
        typename = _ascii(pid[0])
        if typename != "storage":
            raise AssertionError("Unknown typename for persistent_load, expected 'storage' but "
                                 f"got '{typename}'")
        storage_type, key, location, numel = pid[1:]
        key = _ascii(key)
        storage = self._storages.get(key)
        if storage is None:
            if not isinstance(storage_type, _StorageType):
                raise AttributeError(f"'{type(storage_type).__name__}' object has no attribute "
                                     "'dtype'")
            storage = self._load_storage(storage_type.np, key, _ascii(location), numel)
            self._storages[key] = storage
        return storage

    def _load_storage(self, np_dtype, key, location, numel):
        name = f"data/{key}"
        info = self._archive.info(name)
        nbytes = int(numel) * np_dtype.itemsize
        if info.file_size != nbytes:
            raise RuntimeError(f"record size ({info.file_size} bytes) does not match expected "
                               f"size ({nbytes} bytes = {nbytes} elements * 1 bytes/element) "
                               "for dtype Byte")
        array = np.empty(int(numel), np_dtype.newbyteorder(">" if self._big_endian else "<"))
        if array.size:
            self._archive.read_into(name, memoryview(array).cast("B"))
        if array.dtype != np_dtype:  # stored byte order differs from this machine's
            array = array.astype(np_dtype)
        return self._place(array, location)

    _big_endian = False

    def _place(self, array, location):
        ml = self._map_location
        if ml is None:
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        elif isinstance(ml, str):
            target = ml
        elif isinstance(ml, _device_cls):
            target = str(ml)
        elif isinstance(ml, bytes):
            raise TypeError("cannot use a string pattern on a bytes-like object")
        else:
            result = ml(Tensor._make(array), location)  # not callable: torch's TypeError
            if result is None:
                target = location
            elif isinstance(result, Tensor):
                return _Storage(result._host().reshape(-1), result.device)
            else:
                target = result
        if isinstance(target, _device_cls):
            if not callable(ml):  # torch matches a dict's values as strings
                raise TypeError("expected string or bytes-like object, got 'torch.device'")
            target = str(target)
        if not isinstance(target, str):
            raise TypeError(f"expected string or bytes-like object, got "
                            f"'{type(target).__name__}'")
        return _Storage(array, _restore_device(target))


def _ascii(value):
    """A pickle written by Python 2 may hold ids and locations as bytes."""
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


class _BareUnpickler(pickle.Unpickler):
    """``weights_only=False`` on a file that is no zip archive: a plain pickle (trusted files
    only), where a persistent id has no storage to refer to."""

    def find_class(self, module, name):
        full = f"{module}.{name}"
        if module == "torch" or module.startswith("torch."):
            obj = _resolve_torch_global(full)
            if obj is not None:
                return obj
        return super().find_class(module, name)


class _FullUnpickler(_LoaderMixin, _BareUnpickler):
    """``weights_only=False``: any global may be imported (trusted files only)."""


# The opcodes torch's weights_only unpickler runs: protocol 2's binary subset (it refuses
# FRAME, the protocol 3 bytes opcodes, the text opcodes of protocols 0 and 1...).
_WEIGHTS_OPCODES = (pickle.MARK + pickle.EMPTY_TUPLE + pickle.STOP + pickle.BINFLOAT
                    + pickle.BININT + pickle.BININT1 + pickle.BININT2 + pickle.NONE
                    + pickle.BINPERSID + pickle.REDUCE + pickle.SHORT_BINSTRING
                    + pickle.BINUNICODE + pickle.EMPTY_LIST + pickle.APPEND + pickle.BUILD
                    + pickle.GLOBAL + pickle.APPENDS + pickle.BINGET + pickle.LONG_BINGET
                    + pickle.BINPUT + pickle.LONG_BINPUT + pickle.SETITEM + pickle.TUPLE
                    + pickle.SETITEMS + pickle.EMPTY_DICT + pickle.PROTO + pickle.NEWOBJ
                    + pickle.TUPLE1 + pickle.TUPLE2 + pickle.TUPLE3 + pickle.NEWTRUE
                    + pickle.NEWFALSE + pickle.LONG1 + pickle.EMPTY_SET)


def _refuse_opcode(code):
    def refuse(self):
        raise pickle.UnpicklingError(f"Unsupported operand {code}")
    return refuse


class _WeightsUnpickler(_LoaderMixin, pickle._Unpickler):
    """``weights_only=True``: the pure-Python unpickler restricted to torch's opcodes, with every
    global checked against the allowlist and BUILD (attribute setting) restricted to allowlisted
    instances, so no code from the file can run."""

    dispatch = {code: (pickle._Unpickler.dispatch[code] if code in _WEIGHTS_OPCODES
                       else _refuse_opcode(code)) for code in range(256)}

    def _load_proto(self):
        proto = self.read(1)[0]
        if proto != DEFAULT_PROTOCOL:
            warnings.warn(
                f"Detected pickle protocol {proto} in the checkpoint, which was not the default "
                f"pickle protocol used by `torch.load` ({DEFAULT_PROTOCOL}). The weights_only "
                "Unpickler might not support all instructions implemented by this protocol, "
                "please file an issue for adding support if you encounter this.", stacklevel=2)
        self.proto = proto

    def _load_binget(self):
        self.append(self.memo[self.read(1)[0]])  # a missing index is torch's KeyError

    def _load_long_binget(self):
        self.append(self.memo[struct.unpack("<I", self.read(4))[0]])

    def _load_binpersid(self):
        pid = self.stack.pop()
        if not isinstance(pid, (tuple, int)):
            raise pickle.UnpicklingError(
                f"persistent_load id must be tuple or int, but got {type(pid)}")
        if isinstance(pid, tuple) and pid and pid[0] != "storage":
            raise pickle.UnpicklingError(
                f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
        self.append(self.persistent_load(pid))

    dispatch[pickle.PROTO[0]] = _load_proto
    dispatch[pickle.BINPERSID[0]] = _load_binpersid
    dispatch[pickle.BINGET[0]] = _load_binget
    dispatch[pickle.LONG_BINGET[0]] = _load_long_binget

    def find_class(self, module, name):
        if self.proto < 3 and self.fix_imports:  # Python 2 names, as pickle protocol 2 writes
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        if module in _BLOCKED_MODULES:
            raise pickle.UnpicklingError(
                f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked.")
        obj = _SAFE_GLOBALS.get(full)
        if obj is None:
            obj = _resolve_torch_global(full)
        if obj is None:
            obj = _user_allowed().get(full)
        if obj is None:
            shown = full
            if full.startswith("builtins."):
                shown = full[len("builtins."):]
            raise pickle.UnpicklingError(
                f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
                f"Please use `torch.serialization.add_safe_globals([{shown}])` or the "
                f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist "
                "this global if you trust this class/function.")
        return obj

    def _load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        self.append(state)
        user_types = tuple(g for g in _user_allowed().values() if isinstance(g, type))
        if isinstance(inst, type) or not isinstance(
                inst, (collections.OrderedDict, collections.Counter, Tensor) + user_types):
            raise pickle.UnpicklingError(
                f"Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                f"`add_safe_globals`, but got {type(inst)}")
        pickle._Unpickler.load_build(self)

    dispatch[pickle.BUILD[0]] = _load_build


def _weights_only_message(message):
    if "was not an allowed global by default." in message:
        updated = ("Weights only load failed. This file can still be loaded, to do so you have "
                   "two options, \033[1mdo those steps only if you trust the source of the "
                   f"checkpoint\033[0m. \n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load "
                   "with `weights_only=True` please check the recommended steps in the following "
                   "error message.\n\tWeightsUnpickler error: " + message)
    else:
        updated = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
        if "is blocked" not in message:
            updated += ("Please file an issue with the following so that we can make "
                        "`weights_only=True` compatible with your use case: WeightsUnpickler "
                        "error: ")
        updated += "\n\n" + message
    return updated + _DOCS_MESSAGE


# ------------------------------------------------------------------------------------ pickler
class _Global:
    """A ``torch.*`` global written into the pickle by name (gradstep never imports torch)."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is only a name written into a pickle")


class _StorageRef:
    """Stands for one storage while pickling; becomes a ``('storage', ...)`` persistent id."""

    __slots__ = ("key", "dtype_name", "location", "numel")

    def __init__(self, key, dtype_name, location, numel):
        self.key = key
        self.dtype_name = dtype_name
        self.location = location
        self.numel = numel


class _AsPlainTensor:
    """A Parameter's data, pickled as a plain tensor inside ``_rebuild_parameter``."""

    __slots__ = ("tensor",)

    def __init__(self, tensor):
        self.tensor = tensor


_GLOBALS = {}


def _global(module, name):
    """One ``_Global`` per name, so the pickle memo writes each name once."""
    g = _GLOBALS.get((module, name))
    if g is None:
        g = _GLOBALS[(module, name)] = _Global(module, name)
    return g


_REBUILD_TENSOR = _global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _global("torch._utils", "_rebuild_parameter")


class _Pickler(pickle._Pickler):
    """Pickles tensors as torch does: ``_rebuild_tensor_v2(storage, offset, size, stride, ...)``
    with each distinct storage written once to the archive."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}   # (address, size, dtype) of a root array -> (root array, ref)
        self._keep = []      # keeps saved objects alive so ids stay unique during the save

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _global("torch", _STORAGE_NAMES[obj.dtype_name]), obj.key,
                    obj.location, obj.numel)
        return None

    def save(self, obj, save_persistent_id=True):
        t = type(obj)
        if t is _Global:
            return self._write_global(obj.module, obj.name, obj)
        if t is _dtype.dtype:
            return self._write_global("torch", obj.name, obj)
        super().save(obj, save_persistent_id)

    def save_global(self, obj, name=None):
        try:
            super().save_global(obj, name)
        except pickle.PicklingError as e:
            # torch pickles with the C pickler, whose wording differs ("attribute lookup A on
            # builtins failed", an AttributeError for local objects): ask it for the same global
            # (it only imports the module and looks the name up, as the line above did).
            if name is None:
                try:
                    pickle.dumps(obj, self.proto)
                except (pickle.PicklingError, AttributeError) as c_error:
                    raise c_error from None
            raise e

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[types.FunctionType] = save_global

    def _write_global(self, module, name, obj):
        memo = self.memo.get(id(obj))
        if memo is not None:
            self.write(self.get(memo[0]))
            return
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode("utf-8"))
        self.memoize(obj)

    def reducer_override(self, obj):
        t = type(obj)
        if t is _AsPlainTensor:
            return self._reduce_tensor(obj.tensor, plain=True)
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if t is _device_cls:
            return (_global("torch", "device"), (str(obj),))
        if t is Size:
            return (_global("torch", "Size"), (tuple(obj),))
        return NotImplemented

    def _reduce_tensor(self, t, plain=False):
        from .nn.parameter import Parameter
        self._keep.append(t)
        if not plain and isinstance(t, Parameter):
            plain = _AsPlainTensor(t)
            self._keep.append(plain)
            return (_REBUILD_PARAMETER, (plain, t.requires_grad, collections.OrderedDict()))
        root, offset, stride = _storage_of(t)
        rkey = (root.__array_interface__["data"][0], root.size, root.dtype.str)
        entry = self.storages.get(rkey)
        if entry is None:
            ref = _StorageRef(str(len(self.storages)), t.dtype.name,
                              "cpu" if t.device.type == "cpu" else str(t.device), root.size)
            entry = (root, ref)
            self.storages[rkey] = entry
        return (_REBUILD_TENSOR, (entry[1], offset, tuple(t.shape), stride,
                                  bool(t.requires_grad), collections.OrderedDict()))


def _storage_of(t):
    """(flat contiguous host array, element offset, element strides) describing ``t``.

    A view of a contiguous base shares the base's storage (so views stay views after loading);
    anything else (negative strides, non-contiguous base, device arrays) is saved as a
    contiguous copy of its own.
    """
    data = t._data
    base = t._base
    if (isinstance(data, np.ndarray) and base is not None and isinstance(base._data, np.ndarray)
            and base._data.flags.c_contiguous and base._data.dtype == data.dtype
            and all(s >= 0 for s in data.strides)):
        root = base._data.reshape(-1)
        item = data.itemsize
        delta = (data.__array_interface__["data"][0] - root.__array_interface__["data"][0])
        if delta >= 0 and delta % item == 0 and all(s % item == 0 for s in data.strides):
            if data.size == 0 or (delta // item + sum((n - 1) * s // item for n, s
                                                      in zip(data.shape, data.strides))
                                  < root.size):
                return root, delta // item, tuple(s // item for s in data.strides)
    if isinstance(data, np.ndarray) and data.flags.c_contiguous and base is None:
        return data.reshape(-1), 0, contiguous_strides(data.shape)
    flat = np.ascontiguousarray(t._host()).reshape(-1)
    return flat, 0, contiguous_strides(data.shape)


# ---------------------------------------------------------------------------------- save/load
def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def _write_archive(obj, fh, pickle_protocol):
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{_ROOT}/data.pkl", buf.getvalue())
        zf.writestr(f"{_ROOT}/.format_version", b"1")
        zf.writestr(f"{_ROOT}/byteorder", b"little")
        for root, ref in pickler.storages.values():
            arr = root if root.dtype.byteorder != ">" else root.astype(root.dtype.newbyteorder("<"))
            with zf.open(f"{_ROOT}/data/{ref.key}", "w",
                         force_zip64=arr.nbytes >= (1 << 31)) as out:
                if arr.size:
                    out.write(memoryview(np.ascontiguousarray(arr)).cast("B"))
        zf.writestr(f"{_ROOT}/version", b"3\n")


def _umask():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def _open_failed(code):
    return RuntimeError("[enforce fail at inline_container.cc:747] . open file failed with "
                        f"strerror: {os.strerror(code)}")


def _save_to_path(path, write):
    """Run ``write(fileobj)`` for the file at ``path``, as torch would open it, but atomically.

    The destination is where ``path`` leads: a symlink is followed, so the link stays and its
    target gets the data. A regular file (or a new one) is written through a temporary file in
    the target's folder and renamed over it, keeping its mode (and, where allowed, owner).
    Anything else (``/dev/null``, a FIFO, a terminal) is written into directly: it has no
    contents to protect, and renaming would replace the device with a regular file.
    """
    path = os.fsdecode(os.fspath(path))
    if not path:
        raise RuntimeError("[enforce fail at inline_container.cc:720] . invalid file name: ")
    folder = os.path.dirname(path)
    if not os.path.isdir(folder or "."):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:  # a symlink loop, a path through a file...
        raise _open_failed(e.errno) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _open_failed(errno.EISDIR)
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            fh = open(target, "wb")
        except OSError as e:
            raise _open_failed(e.errno) from None
        with fh:
            write(fh)
        return
    if st is not None and not os.access(target, os.W_OK):
        raise _open_failed(errno.EACCES)  # torch cannot open a read-only file either
    _replace_file(target, st, write, _open_failed)


def _atomic_write(path, write):
    """Run ``write(fileobj)`` for the file ``path`` leads to, atomically where it is a regular
    file (or a new one): the rules of :func:`_save_to_path`, with Python's own ``OSError``."""
    target = os.path.realpath(os.fspath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        with open(target, "wb") as fh:
            write(fh)
        return
    _replace_file(target, st, write)


def _replace_file(path, st, write, open_failed=None):
    """Run ``write(fileobj)`` on a temporary file next to ``path`` (a regular file, with stat
    ``st``, or ``None`` where there is none yet) and rename it over ``path`` only once
    everything is on disk; on any error the temporary file is removed. ``open_failed(errno)``
    makes the exception raised where no temporary file can be made."""
    folder = os.path.dirname(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                                   dir=folder)
    except OSError as e:
        if st is not None and e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            # The folder takes no new file, yet the file itself is writable: write in place,
            # as torch does (not atomic: there is nowhere else to put the data).
            try:
                fh = open(path, "r+b")
            except OSError as e2:
                if open_failed is None:
                    raise
                raise open_failed(e2.errno) from None
            with fh:
                fh.truncate()
                write(fh)
            return
        if open_failed is None:
            raise
        raise open_failed(e.errno) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if st is None:
            os.chmod(tmp, 0o666 & ~_umask())
        else:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.chown(tmp, st.st_uid, st.st_gid)
                    os.chmod(tmp, stat.S_IMODE(st.st_mode))  # chown clears setuid bits
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    r"""Save ``obj`` (a state dict, a nested container of tensors, or any picklable object) to
    ``f``.

    The file is PyTorch's zip checkpoint format, readable by ``torch.load``. Saving to a path is
    atomic (temporary file in the same folder, fsync, rename): a crash mid-save never replaces
    the previous checkpoint with a partial one. Where the file goes:

    - a symlink is followed: the link stays and its final target is replaced (torch writes
      through the link too);
    - a regular file keeps its mode (and owner, where allowed); if it has other hard links,
      only this name gets the new data and the other names keep the previous checkpoint
      (torch rewrites the shared file in place, so every name changes, and a crash mid-save
      damages all of them);
    - a device or FIFO (``/dev/null``, a pipe) is written into directly, as torch does: it is
      never replaced by a regular file;
    - in a folder that takes no new files, a writable file is rewritten in place (not atomic);
    - a folder, a missing parent or an unopenable path raises torch's ``RuntimeError``.

    Args:
        obj (object): what to save
        f (str, os.PathLike or file-like): a path, or a binary file object opened for writing
        pickle_module: accepted for compatibility (gradstep always uses :mod:`pickle`)
        pickle_protocol (int): the pickle protocol (default: 2, as torch)

    Example::

        >>> import io
        >>> import gradstep as torch
        >>> buf = io.BytesIO()
        >>> torch.save({"w": torch.ones(2), "step": 3}, buf)
        >>> _ = buf.seek(0)
        >>> torch.load(buf)
        {'w': tensor([1., 1.]), 'step': 3}
    """
    if _is_path(f):
        _save_to_path(f, lambda fh: _write_archive(obj, fh, pickle_protocol))
    else:
        _write_archive(obj, f, pickle_protocol)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    r"""Load an object saved with :func:`save` (or ``torch.save``) from ``f``.

    With ``weights_only=True`` (the default) only tensors, containers (dict, list, tuple, set,
    OrderedDict), numbers, strings, ``None``, dtypes, devices and globals allowed by
    :func:`add_safe_globals` are built; a file referring to anything else (say ``os.system``) is
    refused with ``pickle.UnpicklingError`` before any of its code runs. ``weights_only=False``
    unpickles anything, so use it only on files you trust.

    Args:
        f (str, os.PathLike or file-like): a path, or a binary file object
        map_location: where tensors go: a device or string (``"cpu"``), a dict mapping saved
            locations to new ones, or ``fn(storage, location)`` returning a tensor (or ``None``
            to keep the saved location)
        pickle_module: only with ``weights_only=False`` (accepted for compatibility)
        weights_only (bool): restrict unpickling to weights (default: ``True``)
        mmap (bool): accepted for compatibility; data is always read into memory

    Example::

        >>> import io
        >>> import gradstep as torch
        >>> buf = io.BytesIO()
        >>> torch.save([torch.arange(3)], buf)
        >>> _ = buf.seek(0)
        >>> torch.load(buf, map_location="cpu")
        [tensor([0, 1, 2])]
    """
    if weights_only is None:
        weights_only = pickle_module is None and os.getenv(
            "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() not in ("1", "y", "yes", "true")
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if _is_path(f):
        with open(f, "rb") as fh:
            return _load(fh, map_location, weights_only, pickle_load_args)
    return _load(f, map_location, weights_only, pickle_load_args)


def _load(fh, map_location, weights_only, pickle_load_args):
    cls = _WeightsUnpickler if weights_only else _FullUnpickler
    try:
        if _is_zip(fh):
            archive = _Archive(fh)
            unpickler = cls(io.BytesIO(archive.read("data.pkl")), **pickle_load_args)
            unpickler._setup(archive, map_location)
            if archive.has("byteorder"):
                unpickler._big_endian = archive.read("byteorder").strip() == b"big"
            return unpickler.load()
        if weights_only:
            unpickler = _WeightsUnpickler(fh, **pickle_load_args)
            unpickler._setup(None, map_location)
        else:
            unpickler = _BareUnpickler(fh, **pickle_load_args)
        magic = unpickler.load()
        if magic == _MAGIC_NUMBER:
            raise RuntimeError("This checkpoint uses torch's legacy (pre-1.6) format, which "
                               "gradstep cannot read; re-save it with torch.save in a recent "
                               "PyTorch, or convert it to .safetensors")
        raise RuntimeError("Invalid magic number; corrupt file?")
    except pickle.UnpicklingError as e:
        if weights_only:
            raise pickle.UnpicklingError(_weights_only_message(str(e))) from None
        raise


def _is_zip(fh):
    if not fh.seekable():
        raise io.UnsupportedOperation("gradstep.load needs a seekable file object; wrap the "
                                      "data in io.BytesIO")
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    return head == b"PK\x03\x04"
