r"""Higher-level derivatives of whole functions: ``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``hvp``, ``vhp`` (``torch.autograd.functional``).

All are built on ``autograd.grad``: a Jacobian is one vector-Jacobian product per output element,
a Jacobian-vector product is the derivative of a vector-Jacobian product w.r.t. its vector (the
"double backward" trick), and a Hessian is the Jacobian of the gradient.

Example::

    >>> import gradstep as torch
    >>> from gradstep.autograd.functional import jacobian
    >>> jacobian(lambda x: x * x, torch.tensor([1., 2.])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
"""
import numpy as np

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tuple(x):
    from .._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x), not isinstance(x, Tensor)


def _prepare(inputs, create_graph):
    """Fresh leaves (or differentiable aliases under create_graph) that require grad."""
    out = []
    for x in inputs:
        if create_graph and x._requires_grad:
            out.append(x * 1)
        else:
            out.append(x.detach().requires_grad_(True))
    return tuple(out)


def _grad(outputs, inputs, grad_outputs, create_graph):
    """autograd.grad with zeros for inputs that do not influence the outputs."""
    from . import grad
    from .._tensor import Tensor
    outs = [o for o in outputs if o._requires_grad]
    seeds = [v for o, v in zip(outputs, grad_outputs) if o._requires_grad]
    if not outs:
        return tuple(Tensor._make(np.zeros_like(x._data)) for x in inputs)
    grads = grad(outs, inputs, seeds, retain_graph=True, create_graph=create_graph,
                 allow_unused=True)
    return tuple(Tensor._make(np.zeros_like(x._data)) if g is None else g
                 for g, x in zip(grads, inputs))


def _finish(values, create_graph):
    return tuple(v if create_graph else v.detach() for v in values)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), v^T J)``, the vector-Jacobian product at ``inputs``."""
    from .._tensor import Tensor
    ins, ins_tuple = _tuple(inputs)
    ins = _prepare(ins, create_graph)
    outputs = func(*ins)
    outs, outs_tuple = _tuple(outputs)
    if v is None:
        if len(outs) != 1 or outs[0]._data.size != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        vs = (Tensor._make(np.ones_like(outs[0]._data)),)
    else:
        vs, _ = _tuple(v)
    grads = _finish(_grad(outs, ins, vs, create_graph), create_graph)
    outs = _finish(outs, create_graph)
    return (outs if outs_tuple else outs[0]), (grads if ins_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), J v)``, the Jacobian-vector product at ``inputs``."""
    from .._tensor import Tensor
    ins, ins_tuple = _tuple(inputs)
    ins = _prepare(ins, create_graph)
    if v is None:
        if len(ins) != 1 or ins[0]._data.size != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        vs = (Tensor._make(np.ones_like(ins[0]._data)),)
    else:
        vs, _ = _tuple(v)
    outputs = func(*ins)
    outs, outs_tuple = _tuple(outputs)
    # u -> u^T J is linear in u; differentiating it w.r.t. u against v gives J v.
    dummies = tuple(Tensor._make(np.zeros_like(o._data), True) for o in outs)
    grads = _grad(outs, ins, dummies, True)
    result = _grad(grads, dummies, vs, create_graph)
    result = _finish(result, create_graph)
    outs = _finish(outs, create_graph)
    return (outs if outs_tuple else outs[0]), (result if outs_tuple else result[0])


def _stack_rows(rows, out_shape, in_shape, create_graph):
    """Rows (one per output element, each shaped like the input) as out_shape + in_shape."""
    from .._tensor import Tensor
    if not create_graph:
        data = np.stack([np.asarray(r._data) for r in rows]) if rows else \
            np.zeros((0,) + tuple(in_shape))
        return Tensor._make(data.reshape(tuple(out_shape) + tuple(in_shape)))
    import gradstep
    return gradstep.stack(rows).reshape(tuple(out_shape) + tuple(in_shape))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    r"""The Jacobian of ``func`` at ``inputs``: ``J[o][i]`` of shape ``out.shape + in.shape``."""
    from .._tensor import Tensor
    ins, ins_tuple = _tuple(inputs)
    ins = _prepare(ins, create_graph)
    outputs = func(*ins)
    outs, outs_tuple = _tuple(outputs)
    result = []
    for out in outs:
        rows = [[] for _ in ins]
        for k in range(out._data.size):
            seed = np.zeros(out._data.size, dtype=out._data.dtype)
            seed[k] = 1
            grads = _grad((out,), ins, (Tensor._make(seed.reshape(out._data.shape)),),
                          create_graph)
            for i, g in enumerate(grads):
                rows[i].append(g)
        per_input = tuple(_stack_rows(rows[i], out._data.shape, x._data.shape, create_graph)
                          for i, x in enumerate(ins))
        result.append(per_input if ins_tuple else per_input[0])
    return tuple(result) if outs_tuple else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    r"""The Hessian of the scalar function ``func`` at ``inputs``."""
    ins, ins_tuple = _tuple(inputs)

    def gradient(*xs):
        out = func(*xs)
        if out._data.size != 1:
            raise RuntimeError("The function given to hessian should return a single element")
        grads = _grad((out,), xs, (_ones_like(out),), True)
        return grads if ins_tuple else grads[0]

    return jacobian(gradient, ins if ins_tuple else ins[0], create_graph=create_graph)


def _ones_like(t):
    from .._tensor import Tensor
    return Tensor._make(np.ones_like(t._data))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), v^T H)`` for a scalar function ``func``."""
    ins, ins_tuple = _tuple(inputs)
    ins = _prepare(ins, True)
    out = func(*ins)
    grads = _grad((out,), ins, (_ones_like(out),), True)
    vs, _ = _tuple(v)
    result = _finish(_grad(grads, ins, vs, create_graph), create_graph)
    out = out if create_graph else out.detach()
    return out, (result if ins_tuple else result[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), H v)`` for a scalar function ``func`` (H is symmetric)."""
    return vhp(func, inputs, v, create_graph, strict)
