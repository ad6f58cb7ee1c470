"""Reverse-mode automatic differentiation: ``backward``, ``grad`` and the grad modes."""
import warnings

import numpy as np

from .._backend import array_module
from . import engine, grad_mode
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from . import function
from .function import Function, once_differentiable
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                           set_detect_anomaly)
from .gradcheck import gradcheck, gradgradcheck
from . import functional
from .variable import Variable

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Function", "once_differentiable", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "gradcheck", "gradgradcheck", "Variable"]


def _as_tuple(x):
    from .._tensor import Tensor
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _seed(outputs, grad_outputs, create_graph, batched=False):
    """The gradient each output starts with: given, or ones for a scalar output; None for an
    output that does not require grad (the engine's check names it next)."""
    from .._tensor import Tensor
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise AssertionError("Expected output to be a torch.Tensor")
        if g is None:
            if not out._requires_grad:
                seeds.append(None)
                continue
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            ones = array_module(out.device).ones_like(out._data)
            seeds.append(Tensor._make(ones) if create_graph else ones)
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        shape = g._data.shape[1:] if batched else g._data.shape
        if shape != out._data.shape:
            # batched, torch names the shape less one more leading dimension than it compares
            shown = shape[1:] if batched else shape
            message = (f"grad_output[{i}] has a shape of torch.Size({list(shown)}) and "
                       f"output[{i}] has a shape of torch.Size({list(out._data.shape)}).")
            if batched:
                raise RuntimeError(_BATCHED_SHAPE + message + _BATCHED_SHAPE_END)
            raise RuntimeError("Mismatch in shape: " + message)
        seeds.append(g if create_graph else g._data)
    if len(seeds) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(seeds)} gradients")
    return seeds


_BATCHED_SHAPE = (
    "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the "
    "batch dimension. The sizes of the remaining dimensions are expected to match the shape of "
    "corresponding output, but a mismatch was detected: ")
_BATCHED_SHAPE_END = (" If you only want some tensors in `grad_output` to be considered batched, "
                      "consider using vmap.")


def _roots(outputs):
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
    return [out._edge() for out in outputs]


def _check_input(t):
    from .._tensor import Tensor
    if not isinstance(t, Tensor):
        raise RuntimeError("all inputs have to be Tensors or GradientEdges, but got "
                           f"{type(t).__name__}")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Compute the sum of gradients of ``tensors`` w.r.t. graph leaves into their ``.grad``.

    With ``inputs``, only those tensors get ``.grad`` (a non-leaf one starts retaining it).
    """
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning,
                      stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if inputs is not None and not _as_tuple(inputs):
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    outputs = _as_tuple(tensors)
    if not outputs:
        return
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    seeds = _seed(outputs, grads, create_graph)
    roots = _roots(outputs)
    only = None
    if inputs is not None:
        only = set()
        for t in _as_tuple(inputs):
            _check_input(t)
            t.retain_grad()  # torch's check; a non-leaf input gets its .grad as a retained one
            only.add(t._edge())
    engine.run_backward(roots, seeds, retain_graph, create_graph, only=only)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` without touching ``.grad``.

    With ``is_grads_batched``, the first dimension of each of ``grad_outputs`` is a batch of
    vectors: the result is one gradient per vector, stacked along a new first dimension.
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To "
                      "accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    if retain_graph is None:
        retain_graph = create_graph
    seeds = _seed(outs, grads, create_graph, is_grads_batched)
    if is_grads_batched and any(g is None and s is not None for g, s in zip(grads, seeds)):
        # an implicit (scalar) seed has no batch dimension
        raise ValueError("vmap(vjp, in_dims=0, ...)(<inputs>): Got in_dim=0 for some input, but "
                         "that input is a Tensor of dimensionality 0 so expected in_dim to satisfy "
                         "0 <= in_dim < 0.")
    roots = _roots(outs)
    for t in ins:
        _check_input(t)
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    from .._tensor import Tensor
    nodes = [t._edge() for t in ins]
    if is_grads_batched:
        captured = _batched(roots, seeds, nodes, retain_graph, create_graph)
    else:
        captured = _captured(roots, seeds, nodes, retain_graph, create_graph)
    result = []
    for i, (t, got) in enumerate(zip(ins, captured)):
        if got is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            got = Tensor._make(np.zeros_like(t._data)) if materialize_grads else None
        result.append(got)
    return tuple(result)


def _captured(roots, seeds, nodes, retain_graph, create_graph):
    """One backward: the gradient arriving at each of ``nodes`` (a Tensor), or None."""
    from .._tensor import Tensor
    capture = {}
    for node in nodes:
        capture.setdefault(node, [])
    engine.run_backward(roots, seeds, retain_graph, create_graph, capture=capture,
                        accumulate=False)
    result = []
    for node in nodes:
        got = capture[node]
        if not got:
            result.append(None)
            continue
        g = got[0]
        result.append(g if isinstance(g, Tensor) else Tensor._make(
            g if isinstance(g, np.ndarray) and g.base is None else np.array(g)))
    return result


def _batched(roots, seeds, nodes, retain_graph, create_graph):
    """``_captured`` once per vector of the batch (the first dimension of every seed), stacked.
    torch vectorises this with vmap; its errors for seeds that cannot be batched are kept."""
    from .._tensor import Tensor
    from .._ops.shape import stack
    sizes = []
    for s in seeds:
        if s is None:
            continue
        array = getattr(s, "_data", s)
        if array.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        sizes.append(array.shape[0])
    if len(set(sizes)) > 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    if sizes and sizes[0] == 0:
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    count = sizes[0] if sizes else 1
    rows = []
    for b in range(count):
        last = b == count - 1
        row_seeds = [None if s is None else s[b] for s in seeds]
        rows.append(_captured(roots, row_seeds, nodes, retain_graph or not last, create_graph))
    result = []
    for i in range(len(nodes)):
        column = [row[i] for row in rows]
        if all(g is None for g in column):
            result.append(None)
            continue
        column = [Tensor._make(np.zeros_like(rows[0][i]._data)) if g is None else g
                  for g in column]
        result.append(stack(column) if create_graph else Tensor._make(
            np.stack([g._data for g in column])))
    return result
