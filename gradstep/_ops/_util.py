"""Small helpers every op module shares: dims, broadcasting, promotion, in-place writes."""
import numpy as np

from .. import _dtype
from ..autograd import grad_mode

__all__ = ["wrap_dim", "sum_to", "is_tensor", "promote_operands", "inplace", "inplace_method",
           "write_out", "scalar_type_name"]

# torch's ScalarType names, used in its error messages.
_SCALAR_TYPE = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
                "bool": "Bool"}


def scalar_type_name(np_dtype):
    return _SCALAR_TYPE[np.dtype(np_dtype).name]


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
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        if x._data.dtype == target.np:
            return x
        if x._requires_grad:
            return x.to(target)
        return Tensor._make(x._data.astype(target.np), False)
    return scalar_array(x, target.np)


def scalar_array(value, np_dtype):
    """A Python number as a 0-dim array of ``np_dtype``, wrapping out-of-range ints as torch does."""
    if isinstance(value, float) or np_dtype.kind in "fb":
        return np.asarray(value).astype(np_dtype)
    return np.asarray(value, dtype=np.int64).astype(np_dtype) if -2**63 <= value < 2**63 \
        else np.asarray(value).astype(np_dtype)


def can_cast(from_dtype, to_dtype):
    """torch's rule for writing a result into an existing tensor: no float->int, no int->bool."""
    f, t = np.dtype(from_dtype).kind, np.dtype(to_dtype).kind
    order = {"b": 0, "u": 1, "i": 1, "f": 2}
    return order[f] <= order[t]


def inplace(self, op, *args, **kwargs):
    """``self.op_(*args)``: compute ``op(self, *args)``, write it into self's storage, return self.

    When the result needs a gradient, self takes the op's node as its new ``grad_fn``.
    """
    from .._tensor import Tensor
    enabled = grad_mode.state.grad_enabled
    record = enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if record:
        if self._requires_grad and self._grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation.")
        if self._base is not None and self._base._requires_grad and self._base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        # The op sees self's current value through a stand-in that shares self's storage and
        # version counter: if the op saves it, backward raises torch's "modified by an inplace
        # operation" error, exactly where torch does (x.mul_(x), x.exp_() then x.add_(1)...).
        old = Tensor._make(self._data, self._requires_grad, self._grad_fn)
        old._base = self if self._base is None else self._base
        args = tuple(old if a is self else a for a in args)
        first = old
        if any(isinstance(a, Tensor) and a._requires_grad for a in args):
            # another operand's gradient needs self's old value (y.mul_(x)): torch keeps a copy
            first = Tensor._make(self._data.copy(), self._requires_grad, self._grad_fn)
        out = op(first, *args, **kwargs)
    else:
        out = op(self, *args, **kwargs)  # nothing requires grad: the op records nothing
    result = out._data
    if result.dtype != self._data.dtype and not can_cast(result.dtype, self._data.dtype):
        raise RuntimeError(f"result type {scalar_type_name(result.dtype)} can't be cast to the "
                           f"desired output type {scalar_type_name(self._data.dtype)}")
    if result.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(result.shape)}")
    if not self._data.flags.writeable:  # an expanded (broadcast) tensor
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    self._data[...] = result
    if record:
        if self._base is not None:  # the base's history changes too (CopySlices)
            from ._view_inplace import rebase_view
            rebase_view(self, out)
        else:
            self._grad_fn = out._grad_fn
            self._requires_grad = True
    self._bump_version()
    return self


def inplace_method(fn):
    """The Tensor method ``x.fn_(...)``: ``fn`` computed into x's storage by ``inplace``."""
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :meth:`{fn.__name__}`."
    return method


def write_out(result, out):
    """Honour an ``out=`` argument: copy ``result`` into ``out`` (no-op when ``out`` is None)."""
    if out is None:
        return result
    if out._requires_grad and out._grad_fn is None and result._requires_grad:
        raise RuntimeError("add(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    out._data = result._data.astype(out._data.dtype, copy=False) \
        if out._data.shape != result._data.shape else out._data
    if out._data is not result._data:
        out._data[...] = result._data
    out._bump_version()
    return out
