"""NumPy's dispatch protocols on Tensor: ``np.exp(t)``, ``np.sum(t, axis=0)`` run gradstep ops.

Backward formulas are written with NumPy functions and operators. On arrays they run NumPy; under
``create_graph=True`` they receive Tensors, and NumPy hands the call here, where it becomes the
differentiable gradstep op. One formula serves both paths.
"""
import numpy as np

__all__ = ["array_ufunc", "array_function"]

# NumPy ufunc name -> gradstep function name, where they differ.
_UFUNC_NAMES = {
    "add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div", "divide": "div",
    "negative": "neg", "power": "pow", "absolute": "abs", "arcsin": "asin", "arccos": "acos",
    "arctan": "atan", "arctan2": "atan2", "greater": "gt", "greater_equal": "ge", "less": "lt",
    "less_equal": "le", "equal": "eq", "not_equal": "ne", "floor_divide": "floor_divide",
    "bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor",
    "invert": "bitwise_not", "logical_not": "logical_not", "logical_and": "logical_and",
    "logical_or": "logical_or",
}


def _tensorize(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    return x


def array_ufunc(ufunc, method, inputs, kwargs):
    import gradstep
    if method != "__call__" or kwargs.get("out") is not None:
        return NotImplemented
    name = _UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__)
    fn = getattr(gradstep, name, None)
    if fn is None:
        raise NotImplementedError(f"gradstep has no differentiable version of np.{ufunc.__name__}")
    args = [_tensorize(x) for x in inputs]
    from .._tensor import Tensor
    if not isinstance(args[0], Tensor):
        # a number on the left: use the reflected form so the tensor drives promotion
        reflected = {"add": "__radd__", "sub": "__rsub__", "mul": "__rmul__", "div": "__rtruediv__",
                     "pow": "__rpow__"}
        if name in reflected:
            return getattr(args[1], reflected[name])(args[0])
        args[0] = gradstep.tensor(args[0], dtype=args[1].dtype)
    elif name in ("maximum", "minimum") and not isinstance(args[1], Tensor):
        args[1] = gradstep.tensor(args[1], dtype=args[0].dtype)  # np.maximum(t, 0)
    return fn(*args)


def _sum(a, axis=None, keepdims=False, dtype=None, **_):
    return _tensorize(a).sum(dim=axis, keepdim=keepdims) if axis is not None or keepdims \
        else _tensorize(a).sum()


def _reshape(a, shape, *args, **kwargs):
    return _tensorize(a).reshape(shape)


def _broadcast_to(a, shape, **_):
    return _tensorize(a).expand(*shape)


def _expand_dims(a, axis):
    t = _tensorize(a)
    for d in sorted(axis if isinstance(axis, tuple) else (axis,)):
        t = t.unsqueeze(d)
    return t


def _where(cond, x, y):
    import gradstep
    cond, x, y = _tensorize(cond), _tensorize(x), _tensorize(y)
    return gradstep.where(cond, x, y)


def _transpose(a, axes=None):
    t = _tensorize(a)
    return t.permute(*(axes if axes is not None else reversed(range(t.ndim))))


def _swapaxes(a, axis1, axis2):
    return _tensorize(a).transpose(axis1, axis2)


def _matmul(a, b, **_):
    return _tensorize(a) @ _tensorize(b)


def _zeros_like(a, dtype=None, **_):
    import gradstep
    return gradstep.zeros_like(_tensorize(a))


def _ones_like(a, dtype=None, **_):
    import gradstep
    return gradstep.ones_like(_tensorize(a))


def _mean(a, axis=None, keepdims=False, **_):
    t = _tensorize(a)
    return t.mean(dim=axis, keepdim=keepdims) if axis is not None else t.mean()


def _squeeze(a, axis=None):
    t = _tensorize(a)
    return t.squeeze() if axis is None else t.squeeze(axis)


def _concatenate(arrays, axis=0, **_):
    import gradstep
    return gradstep.cat([_tensorize(a) for a in arrays], dim=axis)


def _stack(arrays, axis=0, **_):
    import gradstep
    return gradstep.stack([_tensorize(a) for a in arrays], dim=axis)


def _take_along_axis(a, indices, axis):
    import gradstep
    return gradstep.gather(_tensorize(a), axis, _tensorize(indices))


def _moveaxis(a, source, destination):
    return _tensorize(a).movedim(source, destination)


def _clip(a, a_min=None, a_max=None, **_):
    return _tensorize(a).clamp(a_min, a_max)


def _einsum(subscripts, *operands, **_):
    import gradstep
    return gradstep.einsum(subscripts, *[_tensorize(o) for o in operands])


def _tensordot(a, b, axes=2):
    import gradstep
    return gradstep.tensordot(_tensorize(a), _tensorize(b), dims=axes)


def _flip(m, axis=None):
    t = _tensorize(m)
    return t.flip(tuple(range(t.ndim)) if axis is None else
                  (axis if isinstance(axis, tuple) else (axis,)))


def _roll(a, shift, axis=None):
    return _tensorize(a).roll(shift, axis)


def _tril(m, k=0):
    return _tensorize(m).tril(k)


def _triu(m, k=0):
    return _tensorize(m).triu(k)


def _cumsum(a, axis=None, **_):
    return _tensorize(a).cumsum(axis)


def _pad(array, pad_width, mode="constant", constant_values=0):
    import gradstep
    flat = []
    for before, after in reversed([tuple(p) for p in pad_width]):
        flat += [before, after]
    return gradstep.nn.functional.pad(_tensorize(array), flat, value=constant_values)


def _prod(a, axis=None, keepdims=False, **_):
    # one dim at a time (keeping dims, so later ones keep their index), as torch's prod takes one
    t = _tensorize(a)
    if axis is None and not keepdims:
        return t.prod()
    axes = range(t.ndim) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    for d in axes:
        t = t.prod(d, keepdim=True)
    return t if keepdims else _squeeze(t, tuple(axes))


def _cumprod(a, axis=None, **_):
    return _tensorize(a).cumprod(axis)


_FUNCTIONS = {
    np.sum: _sum, np.reshape: _reshape, np.broadcast_to: _broadcast_to,
    np.expand_dims: _expand_dims, np.where: _where, np.transpose: _transpose,
    np.swapaxes: _swapaxes, np.matmul: _matmul, np.zeros_like: _zeros_like,
    np.ones_like: _ones_like, np.mean: _mean, np.squeeze: _squeeze, np.concatenate: _concatenate,
    np.stack: _stack, np.take_along_axis: _take_along_axis, np.moveaxis: _moveaxis,
    np.clip: _clip, np.einsum: _einsum, np.tensordot: _tensordot, np.flip: _flip, np.roll: _roll,
    np.tril: _tril, np.triu: _triu, np.cumsum: _cumsum, np.pad: _pad, np.prod: _prod,
    np.cumprod: _cumprod,
}


def array_function(func, args, kwargs):
    impl = _FUNCTIONS.get(func)
    if impl is None:
        raise NotImplementedError(
            f"gradstep has no differentiable version of np.{func.__name__} (used by a backward "
            "formula under create_graph=True)")
    return impl(*args, **kwargs)
