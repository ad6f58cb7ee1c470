"""Small helpers every op module shares: dims, broadcasting, promotion, in-place writes."""

import re
import sys
import weakref

import numpy as np

from .. import _dtype, _tensor  # _tensor: partially initialised here; used at call time
from ..autograd import grad_mode
from ..autograd.graph import OUTPUT, add_output_saver, next_seq
from ._fp import QUIET, reset_fp, set_fp

__all__ = ["wrap_dim", "sum_to", "is_tensor", "promote_operands", "inplace", "inplace_method",
           "write_out", "scalar_type_name", "cpp_type_name", "floating", "broadcast_error",
           "check_broadcast", "check_scalar", "check_int", "scalar_array", "fill_array"]

def exact_ops(namespace, names=None):
    """Mark Op classes defined in a module's ``namespace`` (all, or those in ``names``) as
    unable to raise floating-point exceptions, so their forward skips the quiet set-up (see
    ``Op.quiet``): data movement, sign and comparison-like ops."""
    _set_quiet(namespace, names, False)


def filtered_ops(namespace, names):
    """Mark Op classes in ``namespace`` whose forward calls NumPy ufuncs from its own lines only
    (no NumPy Python-level helper in between), so gradstep's warnings filter can keep them quiet
    (``Op.quiet = BY_FILTER``; see ``_ops/_fp.py``)."""
    from ._fp import BY_FILTER
    _set_quiet(namespace, names, BY_FILTER)


def _set_quiet(namespace, names, mode):
    from ..autograd.graph import Op
    module = namespace["__name__"]
    for key, cls in list(namespace.items()):  # by the name in the module (see Node's __name__)
        if (isinstance(cls, type) and issubclass(cls, Op) and cls.__module__ == module
                and (names is None or key in names)):
            cls.quiet = mode


def plus_zero(a):
    """``a`` with each -0.0 made 0.0, in place (adding 0 does it), for a backward that
    multiplies a gradient by a 0/1 mask or by weights: a negative gradient times 0 is -0.0,
    where torch's kernels write 0. (A multiply is branch-free; np.where is ~15x slower on a
    random mask.) Anything but a float array (a Tensor under create_graph) is left as it is."""
    if type(a) is np.ndarray and a.dtype.kind == "f":
        np.add(a, a.dtype.type(0), out=a)
    return a


def floating(x):
    """``x`` itself when floating; integer and bool arrays converted to the default float dtype
    (torch computes exp, sqrt, tanh... of integers in it)."""
    return x if x.dtype.kind == "f" else x.astype(_dtype.get_default_dtype().np)


# torch's ScalarType names, used in its error messages.
_SCALAR_TYPE = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
                "bool": "Bool"}


def scalar_type_name(np_dtype):
    return _SCALAR_TYPE[np.dtype(np_dtype).name]


# The C++ names of the same types, in some of torch's messages (lerp's dtype checks, clamp_,
# matmul's dtype mismatch; random_'s bounds say "long" for int64)
_CPP_TYPE = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "signed char",
             "int16": "short int", "int32": "int", "int64": "long int", "uint8": "unsigned char",
             "bool": "bool", "bfloat16": "c10::BFloat16"}


def cpp_type_name(np_dtype):
    return _CPP_TYPE[np.dtype(np_dtype).name]


def broadcast_error(*shapes):
    """torch's message for shapes that do not broadcast (checked pairwise, from the last dim)."""
    current = tuple(shapes[0])
    for other in shapes[1:]:
        other = tuple(other)
        n = max(len(current), len(other))
        a = (1,) * (n - len(current)) + current
        b = (1,) * (n - len(other)) + other
        for i in reversed(range(n)):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                return RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor "
                                    f"b ({b[i]}) at non-singleton dimension {i}")
        current = tuple(max(p, q) if min(p, q) != 0 else 0 for p, q in zip(a, b))
    return RuntimeError("shapes do not broadcast: " + ", ".join(str(list(s)) for s in shapes))


def check_broadcast(*operands):
    """Raise torch's error if the shapes of ``operands`` (arrays, Tensors; numbers have none) do
    not broadcast. For ``except ValueError:`` blocks around NumPy calls, so that the common path
    pays nothing: the caller re-raises NumPy's error when this finds nothing wrong."""
    shapes = [tuple(x.shape) for x in operands if hasattr(x, "shape")]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise broadcast_error(*shapes) from None


def is_tensor(x):
    return hasattr(x, "_data") and hasattr(x, "_grad_fn")


def wrap_dim(dim, ndim):
    """A dim in ``[-ndim, ndim)`` as a non-negative index (a 0-dim tensor accepts -1 and 0)."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if dim < -n or dim >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def wrap_dims(dim, ndim):
    """A tuple of non-negative dims from an int or a sequence (``None``: all dims)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(dim, ndim),)
    dims = tuple(wrap_dim(d, ndim) for d in dim)
    seen = set()
    for d in dims:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return dims


def sum_to(grad, shape):
    """Sum ``grad`` down to ``shape``, undoing broadcasting (arrays or Tensors alike)."""
    if grad.shape == shape:
        return grad
    lead = len(grad.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    out = np.sum(grad, axis=axes, keepdims=True) if axes else grad
    if lead:
        out = np.reshape(out, shape)
    return out


def promote_operands(a, b):
    """Return ``(a, b)`` converted to the dtype torch computes ``a op b`` in.

    Tensors that require grad are converted by a differentiable cast; Python numbers become 0-dim
    arrays of the result dtype (so int8 + 1000 wraps as in torch rather than overflowing).
    """
    target = _dtype.result_type(a, b)
    return _to(a, target), _to(b, target)


def _to(x, target):
    Tensor = _tensor.Tensor  # (an import statement here costs more than the rest of the call)
    if isinstance(x, Tensor):
        if x._data.dtype == target.np:
            return x
        if x._requires_grad:
            return x.to(target)
        token = set_fp(QUIET)  # an int64 beyond float16 is inf, silently as in torch
        try:
            return Tensor._make(x._data.astype(target.np), False)
        finally:
            reset_fp(token)
    return scalar_array(x, target.np)


def scalar_array(value, np_dtype):
    """A Python number as a 0-dim array of ``np_dtype``, wrapping out-of-range ints as torch does."""
    check_int(value)
    if isinstance(value, float) or np_dtype.kind in "fb":
        token = set_fp(QUIET)  # 1e300 to float32 is inf, silently as in torch
        try:
            return np.asarray(value).astype(np_dtype)
        finally:
            reset_fp(token)
    return np.asarray(value, dtype=np.int64).astype(np_dtype) if -2**63 <= value < 2**63 \
        else np.asarray(value).astype(np_dtype)


# torch turns a Python int into an int64 scalar, or a uint64 one where int64 is too small
_INT_LOW = -2**63
_INT_END = 2**64


def check_int(value):
    """Raise torch's error for a Python int that fits neither int64 nor uint64."""
    if type(value) is int and not _INT_LOW <= value < _INT_END:
        raise OverflowError("can't convert negative int to unsigned" if value < 0 else
                            "int too big to convert")


# torch's C type names, for its "value cannot be converted" error
_C_TYPE = {np.dtype(np.float16): "c10::Half", np.dtype(np.float32): "float",
           np.dtype(np.int64): "int64_t", np.dtype(np.int32): "int", np.dtype(np.int16): "int16_t",
           np.dtype(np.int8): "int8_t", np.dtype(np.uint8): "uint8_t"}
_FLOAT_MAX = {np.dtype(np.float16): 65504.0, np.dtype(np.float32): float(np.finfo(np.float32).max)}


def check_scalar(value, np_dtype):
    """Raise torch's overflow error where the Python number ``value`` does not fit ``np_dtype``.

    torch checks the numbers an op turns into scalars of a tensor's dtype (clamp bounds, alpha,
    pow exponents, addcmul's value), not the operands of ``+`` and kin, which wrap. A float
    dtype takes any number up to its largest finite value (and inf and nan); an integer dtype
    takes its range, where an unsigned one also takes negative ints down to ``-max`` (they wrap:
    -1 -> 255) but no negative float; nan and inf fit no integer dtype.
    """
    if type(value) is bool:
        return
    check_int(value)
    name = _C_TYPE.get(np_dtype)
    if name is None:  # float64 and bool take any number
        return
    if np_dtype.kind == "f":
        bad = value - value == 0 and abs(value) > _FLOAT_MAX[np_dtype]  # finite and too large
    else:
        info = np.iinfo(np_dtype)
        low = -info.max if np_dtype.kind == "u" and type(value) is int else info.min
        bad = not low <= value <= info.max  # nan compares false: bad too
    if bad:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


# dtypes whose fill values torch range-checks (full, fill_, x[i] = v); float16 overflows to inf
_CHECKED_FILL = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.int32),
                 np.dtype(np.int16), np.dtype(np.int8), np.dtype(np.uint8))


def fill_array(value, np_dtype):
    """A fill value (``full``, ``x[i] = v``) as a 0-dim array of ``np_dtype``: ``scalar_array``,
    but a number out of a float32 or integer type's range is torch's overflow error."""
    if np_dtype in _CHECKED_FILL and type(value) in (int, float):
        check_scalar(value, np_dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # inf/nan to float16: torch is silent
        return scalar_array(value, np_dtype)


def can_cast(from_dtype, to_dtype):
    """torch's rule for writing a result into an existing tensor: no float->int, no int->bool."""
    f, t = np.dtype(from_dtype).kind, np.dtype(to_dtype).kind
    order = {"b": 0, "u": 1, "i": 1, "f": 2}
    return order[f] <= order[t]


def inplace(self, op, *args, **kwargs):
    """``self.op_(*args)``: compute ``op(self, *args)``, write it into self's storage, return self.

    When the result needs a gradient, self takes the op's node as its new ``grad_fn``.
    """
    Tensor = _tensor.Tensor
    record = False
    if grad_mode.state.grad_enabled:
        record = self._requires_grad
        if not record:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = True
                    break
        if self._base is not None:
            from ._view_inplace import check_view_inplace
            check_view_inplace(self, record)
    if record:
        if self._requires_grad and self._grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation.")
        # The op sees self's current value through a stand-in sharing self's storage and version
        # counter. Where the op saves that value for backward, the saved value is swapped for a
        # copy below (torch clones self for such ops), so the op's own write does not invalidate
        # it; ops that save only their output (exp_, sigmoid_...) copy nothing.
        old = Tensor._make(self._data, self._requires_grad, self._grad_fn)
        old._base = self if self._base is None else self._base
        first = old
        for a in args:
            if a is self:
                # self is also another operand (x.mul_(x)): that operand keeps the stand-in, so
                # backward raises torch's "modified by an inplace operation" error; the first
                # operand is torch's clone of self.
                args = tuple(old if a is self else a for a in args)
                first = Tensor._make(self._data.copy(), self._requires_grad, self._grad_fn)
                break
        mark = next_seq()
        out = op(first, *args, **kwargs)
        node = out._grad_fn
        if node is not None and node._seq > mark:
            nodes = _new_nodes(node, mark)
            if first is old:
                _save_copy_of(old, nodes)
        else:
            node = None
    else:
        out = op(self, *args, **kwargs)  # nothing requires grad: the op records nothing
    result = out._data
    if result.shape != self._data.shape:  # (torch checks the shape before the dtype)
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(result.shape)}")
    if result.dtype != self._data.dtype and not can_cast(result.dtype, self._data.dtype):
        raise RuntimeError(f"result type {scalar_type_name(result.dtype)} can't be cast to the "
                           f"desired output type {scalar_type_name(self._data.dtype)}")
    if 0 in self._data.strides:  # maybe an expanded tensor, whose elements share memory
        from ._view_inplace import has_internal_overlap
        if has_internal_overlap(self._data):
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
    self._data[...] = result
    self._bump_version()  # before the new history: it tells the old producers (note_overwritten)
    if record:
        if self._base is not None:  # the base's history changes too (CopySlices)
            from ._view_inplace import rebase_view
            rebase_view(self, out)
        else:
            self._grad_fn = out._grad_fn
            self._requires_grad = True
    if record and node is not None and node._saved:
        _save_self_as_output(self, out, node)
    return self


def _new_nodes(node, mark):
    """The nodes an op call created: ``node`` and those reachable from it made after ``mark``."""
    nodes = [node]
    for n in nodes:  # grows while iterated: a breadth-first walk
        for m in n._next:
            if m is not None and m._seq > mark and m not in nodes:
                nodes.append(m)
    return nodes


def _save_copy_of(old, nodes):
    """Swap every saved reference to the stand-in ``old`` (self before the write) for a copy."""
    copy = None
    for n in nodes:
        saved = n._saved
        for e in saved:
            if e is old:
                break
        else:
            continue
        if copy is None:
            copy = _tensor.Tensor._make(old._data.copy(), old._requires_grad, old._grad_fn)
        n._saved = tuple([copy if e is old else e for e in saved])
        n._versions = tuple([copy._ver if e is old else v for e, v in zip(saved, n._versions)])
        n._arrays = tuple([copy._data if e is old else a for e, a in zip(saved, n._arrays)])


def _save_self_as_output(self, out, node):
    """The op's output now lives in self: where its node saved the output (``OUTPUT``), that
    entry now expects self's root at its new version and reads self's array, and the root
    lists the node, so that a later in-place change of self reaches it (see
    ``note_overwritten``). (The root, not a view: a temporary view ``y[:2].exp_()`` dies at once,
    its base lives on.)"""
    if not node._saves_output():
        return
    saved = node._saved
    root = self if self._base is None else self._base
    versions = list(node._versions)
    arrays = list(node._arrays)
    for i, e in enumerate(saved):
        if e is OUTPUT:
            versions[i] = root._ver
            if arrays[i].dtype == self._data.dtype:
                arrays[i] = self._data
    node._versions = tuple(versions)
    node._arrays = tuple(arrays)
    if root._grad_fn is not node:  # a view's in-place op: root's grad_fn is CopySlices
        stand_in = _tensor.Tensor._make(self._data)  # for the type name and shape
        stand_in._device = self._device
        node._output_view = (stand_in, weakref.ref(self))  # weakly: self holds node's graph
        add_output_saver(root, node)


def _op_name(result, depth=1):
    """torch's name of the op that made ``result``: AddmmBackward0 -> addmm, or else the name of
    the function ``depth`` frames above ``write_out`` (only ``out`` requires grad)."""
    fn = result._grad_fn
    if fn is None:
        return sys._getframe(1 + depth).f_code.co_name
    name = re.sub(r"Backward\d*$", "", fn.name().rsplit("::", 1)[-1])
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def inplace_method(fn):
    """The Tensor method ``x.fn_(...)``: ``fn`` computed into x's storage by ``inplace``."""
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :meth:`{fn.__name__}`."
    return method


def out_writer(dtype_rule):
    """``write_out`` with a ``dtype_rule``, as an op module's ``_out(result, out)``: the result
    itself when out is None, for the price of one call."""
    def write(result, out):
        return result if out is None else write_out(result, out, dtype_rule=dtype_rule, depth=2)
    return write


def write_out(result, out, name=None, *, dtype_rule=None, depth=1):
    """Honour an ``out=`` argument: copy ``result`` into ``out`` (no-op when ``out`` is None).

    As in torch, a differentiable op cannot write to ``out=`` while recording: the result would
    not be connected to out's history. ``name`` is the function's, for the error (by default
    the op's, from the result's grad_fn: MulBackward0 -> mul).

    ``dtype_rule`` is how the op checks out's dtype, as torch's op does: None casts to any
    dtype (creation, reductions...); ``"cast"`` allows only ``can_cast`` (binary arithmetic and
    float functions: no float into an integer out, no number into a bool one); ``"same"``
    wants exactly the result's dtype (neg, abs, rounding, clamp with number bounds), as does
    ``"where"``, with where's message. ``depth``: how many frames above this one the op's public
    function is (see ``out_writer``).
    """
    if out is None:
        return result
    if grad_mode.state.grad_enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError(f"{name or _op_name(result, depth)}(): functions with out=... arguments "
                           "don't support automatic differentiation, but one of the arguments "
                           "requires grad.")
    if dtype_rule is not None:
        have, want = result._data.dtype, out._data.dtype
        if have != want:
            if dtype_rule == "same":
                raise RuntimeError(f"Found dtype {scalar_type_name(want)} but expected "
                                   f"{scalar_type_name(have)}")
            if dtype_rule == "where":  # the same rule, in where's words
                raise RuntimeError(f"Expected out type to be {scalar_type_name(have)} but got "
                                   f"{scalar_type_name(want)}")
            if not can_cast(have, want):
                raise RuntimeError(f"result type {scalar_type_name(have)} can't be cast to the "
                                   f"desired output type {scalar_type_name(want)}")
    out._data = result._data.astype(out._data.dtype, copy=False) \
        if out._data.shape != result._data.shape else out._data
    if out._data is not result._data:
        out._data[...] = result._data
    out._bump_version()
    return out
