"""Reverse-mode automatic differentiation: ``backward``, ``grad`` and the grad modes."""
from collections.abc import Sequence

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

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Function", "once_differentiable", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "gradcheck", "gradgradcheck"]


def _as_tuple(x):
    from .._tensor import Tensor
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _seed(outputs, grad_outputs, create_graph, is_grad):
    """The gradient each output starts with: given, or ones for a scalar output."""
    from .._tensor import Tensor
    seeds = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            ones = array_module(out.device).ones_like(out._data)
            seeds.append(Tensor._make(ones) if create_graph else ones)
            continue
        if not isinstance(g, Tensor):
            if isinstance(g, (int, float)):
                from .._creation import tensor
                g = tensor(g, dtype=out.dtype)
            else:
                raise TypeError(f"gradients can be either Tensors or None, but got "
                                f"{type(g).__name__}")
        if g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"torch.Size({list(g._data.shape)}) and output[{i}] has a shape of "
                               f"torch.Size({list(out._data.shape)}).")
        seeds.append(g if create_graph else g._data)
    return seeds


def _roots(outputs):
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
    return [out._edge() for out in outputs]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Compute the sum of gradients of ``tensors`` w.r.t. graph leaves into their ``.grad``."""
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else ()
    if retain_graph is None:
        retain_graph = create_graph
    if not outputs:
        raise RuntimeError("backward() called with an empty list of tensors")
    only = None
    if inputs is not None:
        ins = _as_tuple(inputs)
        if not ins:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        only = set()
        capture = {}
        for t in ins:
            node = t._edge()
            if t._grad_fn is None:
                only.add(node)
            else:
                capture[node] = []
        seeds = _seed(outputs, grads, create_graph, False)
        engine.run_backward(_roots(outputs), seeds, retain_graph, create_graph,
                            capture=capture or None, only=only)
        for t in ins:
            if t._grad_fn is not None:
                got = capture[t._grad_fn]
                if got:
                    g = _wrap(got[0])
                    t._grad = g if t._grad is None else t._grad + g
        return
    seeds = _seed(outputs, grads, create_graph, False)
    engine.run_backward(_roots(outputs), seeds, retain_graph, create_graph)


def _wrap(g):
    from .._tensor import Tensor
    return g if isinstance(g, Tensor) else Tensor._make(g)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` without touching ``.grad``."""
    from .._tensor import Tensor
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    for t in ins:
        if not isinstance(t, Tensor):
            raise TypeError("grad(): inputs must be Tensors")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else ()
    seeds = _seed(outs, grads, create_graph, True)
    capture = {}
    nodes = [t._edge() for t in ins]
    for node in nodes:
        capture.setdefault(node, [])
    engine.run_backward(_roots(outs), seeds, retain_graph, create_graph, capture=capture,
                        accumulate=False)
    result = []
    for i, (t, node) in enumerate(zip(ins, nodes)):
        got = capture[node]
        if not got:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            result.append(Tensor._make(np.zeros_like(t._data)) if materialize_grads else None)
            continue
        g = got[0]
        result.append(g if isinstance(g, Tensor) else Tensor._make(
            g if isinstance(g, np.ndarray) and g.base is None else np.array(g)))
    return tuple(result)
