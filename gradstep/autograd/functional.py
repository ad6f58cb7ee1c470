r"""Higher-level derivatives of whole functions: ``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``hvp``, ``vhp`` (``torch.autograd.functional``).

All are built on ``autograd.grad``: a Jacobian is one vector-Jacobian product per output element,
a Jacobian-vector product is the derivative of a vector-Jacobian product w.r.t. its vector (the
"double backward" trick), and a Hessian is the Jacobian of the gradient.

Arguments are checked as torch checks them: ``inputs``, ``v`` and what ``func`` returns are a
Tensor or a tuple of Tensors (a list is refused), ``v`` matches in number and sizes. With
``strict=True`` a result that does not depend on an input raises instead of being zeros.

Example::

    >>> import gradstep as torch
    >>> from gradstep.autograd.functional import jacobian
    >>> jacobian(lambda x: x * x, torch.tensor([1., 2.])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
"""
import numpy as np

from . import grad_mode

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ----- argument checks -----

def _tensors(value, what, fn):
    """``value`` as a tuple of Tensors, and whether it was a tuple."""
    from .._tensor import Tensor
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            which = (f"the value at index {i} has type {type(item)}" if is_tuple
                     else f"the given {what} has type {type(item)}")
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but {which}.")
    return items, is_tuple


_OUTPUTS = "outputs of the user-provided function"


def _check_v(v, refs, refs_tuple):
    """``v`` holds one Tensor per ref, of the ref's size."""
    if len(v) != len(refs):
        if refs_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (vec, ref) in enumerate(zip(v, refs)):
        if vec.shape != ref.shape:
            which = f"Entry {i} in v" if refs_tuple else "v"
            raise RuntimeError(f"{which} has invalid size: should be {ref.shape} but got "
                               f"{vec.shape}.")


def _single_element(refs, message):
    if len(refs) != 1 or refs[0]._data.size != 1:
        raise RuntimeError(message)


_V_FOR_OUTPUT = ("The vector v can only be None if the user-provided function returns a single "
                 "Tensor with a single element.")
_V_FOR_INPUT = ("The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element.")

# strict=True: what each kind of value that does not depend on the inputs is called
_NO_GRAD = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs "
               "must be computed in a differentiable manner from the input when running in "
               "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
                   "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
               "independent of the input. This is not allowed in strict mode. You should ensure "
               "that your function is thrice differentiable and that the hessian depends on the "
               "inputs.",
}
_INDEPENDENT = "The output of the user-provided function is independent of input {i}. This is " \
               "not allowed in strict mode."


def _strict_requires_grad(values, kind, strict):
    """strict=True: each value (None: not computed at all) must depend on the inputs."""
    if not strict:
        return
    for i, value in enumerate(values):
        if value is None:
            raise RuntimeError(_INDEPENDENT.format(i=i))
        if not value._requires_grad:
            raise RuntimeError(_NO_GRAD[kind].format(i=i))


# Gradients that came back None (independent of an input) are zeros, unless strict; under
# strict and create_graph they must also be differentiable. The messages name the stage.
_NONE_GRAD = {
    "back": _INDEPENDENT,
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
                   "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}
_CONSTANT_GRAD = "The {what} of the user-provided function is independent of input {i}. This is " \
                 "not allowed in strict mode when create_graph=True."


def _zeros_for_none(grads, refs, strict, create_graph, stage):
    from .._tensor import Tensor
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_NONE_GRAD[stage].format(i=i))
            g = Tensor._make(np.zeros_like(ref._data))
        elif strict and create_graph and not g._requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(_CONSTANT_GRAD.format(what=what, i=i))
        out.append(g)
    return tuple(out)


# ----- the pieces every function shares -----

def _prepare(inputs, create_graph):
    """Fresh leaves (or differentiable aliases under create_graph) that require grad."""
    out = []
    for x in inputs:
        if create_graph and x._requires_grad:
            out.append(x * 1)
        else:
            out.append(x.detach().requires_grad_(True))
    return tuple(out)


def _grad(outputs, inputs, grad_outputs=None, create_graph=False):
    """autograd.grad over the outputs that require grad; None for an input that none reaches."""
    from . import grad
    pairs = [(o, v) for o, v in zip(outputs, grad_outputs or (None,) * len(outputs))
             if o._requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad([o for o, _ in pairs], inputs, [v for _, v in pairs], retain_graph=True,
                create_graph=create_graph, allow_unused=True)


def _finish(values, create_graph):
    return tuple(v if create_graph else v.detach() for v in values)


def _one_or_tuple(values, is_tuple):
    return values if is_tuple else values[0]


# ----- the functions -----

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), v^T J)``, the vector-Jacobian product at ``inputs``."""
    with grad_mode.enable_grad():
        ins, ins_tuple = _tensors(inputs, "inputs", "vjp")
        ins = _prepare(ins, create_graph)
        outs, outs_tuple = _tensors(func(*ins), _OUTPUTS, "vjp")
        _strict_requires_grad(outs, "outputs", strict)
        if v is None:
            _single_element(outs, _V_FOR_OUTPUT)
        else:
            v, _ = _tensors(v, "v", "vjp")
            _check_v(v, outs, outs_tuple)
        grads = _zeros_for_none(_grad(outs, ins, v, create_graph), ins, strict, create_graph,
                                "back")
    return (_one_or_tuple(_finish(outs, create_graph), outs_tuple),
            _one_or_tuple(_finish(grads, create_graph), ins_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), J v)``, the Jacobian-vector product at ``inputs``."""
    from .._tensor import Tensor
    with grad_mode.enable_grad():
        ins, ins_tuple = _tensors(inputs, "inputs", "jvp")
        ins = _prepare(ins, create_graph)
        if v is None:
            _single_element(ins, _V_FOR_INPUT)
        else:
            v, _ = _tensors(v, "v", "jvp")
            _check_v(v, ins, ins_tuple)
        outs, outs_tuple = _tensors(func(*ins), _OUTPUTS, "jvp")
        _strict_requires_grad(outs, "outputs", strict)
        # u -> u^T J is linear in u; differentiating it w.r.t. u against v gives J v.
        dummies = tuple(Tensor._make(np.zeros_like(o._data), True) for o in outs)
        grads = _grad(outs, ins, dummies, True)
        _strict_requires_grad(grads, "grad_inputs", strict)
        result = _zeros_for_none(_grad(_present(grads, ins), dummies, v, create_graph), outs,
                                 strict, create_graph, "back_trick")
    return (_one_or_tuple(_finish(outs, create_graph), outs_tuple),
            _one_or_tuple(_finish(result, create_graph), outs_tuple))


def _present(grads, refs):
    """Gradients that came back None as zeros (they contribute nothing downstream)."""
    from .._tensor import Tensor
    return tuple(Tensor._make(np.zeros_like(r._data)) if g is None else g
                 for g, r in zip(grads, refs))


def _stack_rows(rows, out_shape, in_shape, create_graph):
    """Rows (one per output element, each shaped like the input) as out_shape + in_shape."""
    from .._tensor import Tensor
    if not rows:  # an output without elements
        raise RuntimeError("stack expects a non-empty TensorList")
    if not create_graph:
        data = np.stack([np.asarray(r._data) for r in rows])
        return Tensor._make(data.reshape(tuple(out_shape) + tuple(in_shape)))
    import gradstep
    return gradstep.stack(rows).reshape(tuple(out_shape) + tuple(in_shape))


def _check_strategy(strategy, create_graph, vectorize, hint):
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".'
                             + hint)
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                      "Hessian isonly implemented for `vectorize=True`.")


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    r"""The Jacobian of ``func`` at ``inputs``: ``J[o][i]`` of shape ``out.shape + in.shape``.

    ``vectorize`` and ``strategy="forward-mode"`` are accepted and give the same values (gradstep
    always computes one vector-Jacobian product per output element).
    """
    from .._tensor import Tensor
    _check_strategy(strategy, create_graph, vectorize,
                    ' Hint: If your function has more outputs than inputs, "forward-mode" tends '
                    'to be more performant. Otherwise, prefer to use "reverse-mode".')
    with grad_mode.enable_grad():
        ins, ins_tuple = _tensors(inputs, "inputs", "jacobian")
        ins = _prepare(ins, create_graph)
        outs, outs_tuple = _tensors(func(*ins), _OUTPUTS, "jacobian")
        _strict_requires_grad(outs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either set "
                               "`strict=False` or `vectorize=False`.")
        result = []
        for o, out in enumerate(outs):
            rows = [[] for _ in ins]
            for k in range(out._data.size):
                seed = np.zeros(out._data.size, dtype=out._data.dtype)
                seed[k] = 1
                grads = _grad((out,), ins, (Tensor._make(seed.reshape(out._data.shape)),),
                              create_graph)
                for i, (g, x) in enumerate(zip(grads, ins)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {o} of the user-provided function is "
                                               f"independent of input {i}. This is not allowed "
                                               "in strict mode.")
                        g = Tensor._make(np.zeros_like(x._data))
                    elif strict and create_graph and not g._requires_grad:
                        raise RuntimeError(_CONSTANT_GRAD.format(what="jacobian", i=o))
                    rows[i].append(g)
            per_input = tuple(_stack_rows(rows[i], out._data.shape, x._data.shape, create_graph)
                              for i, x in enumerate(ins))
            result.append(_one_or_tuple(per_input, ins_tuple))
    result = tuple(result)
    if not create_graph:
        result = tuple(_finish(r, False) if isinstance(r, tuple) else r.detach() for r in result)
    return _one_or_tuple(result, outs_tuple)


def _scalar_output(func, fn, strict):
    """``func`` wrapped to return its single-element Tensor output, as ``fn`` requires."""
    def single(*xs):
        out = func(*xs)
        outs, outs_tuple = _tensors(out, _OUTPUTS, fn)
        _strict_requires_grad(outs, "outputs", strict)
        if outs_tuple:
            raise RuntimeError(f"The function given to {fn} should return a single Tensor")
        if out._data.size != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn} should "
                               "contain a single element")
        return out.squeeze()
    return single


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    r"""The Hessian of the scalar function ``func`` at ``inputs``."""
    ins, ins_tuple = _tensors(inputs, "inputs", "hessian")
    _check_strategy(outer_jacobian_strategy, create_graph, vectorize, "")
    single = _scalar_output(func, "hessian", strict)

    def gradient(*xs):
        jac = jacobian(single, xs, create_graph=True)
        _strict_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, ins, create_graph=create_graph, strict=strict,
                      vectorize=vectorize)
    if not ins_tuple:
        result = result[0][0]
    return result


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), v^T H)`` for a scalar function ``func``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    r"""Return ``(func(inputs), H v)`` for a scalar function ``func``.

    Computed as torch does, by differentiating ``v^T H`` w.r.t. ``v`` (the double backward trick).
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn):
    from .._tensor import Tensor
    with grad_mode.enable_grad():
        ins, ins_tuple = _tensors(inputs, "inputs", fn)
        ins = _prepare(ins, True)
        if v is None:
            _single_element(ins, _V_FOR_INPUT)
        else:
            v, _ = _tensors(v, "v", fn)
            _check_v(v, ins, ins_tuple)
        out = _scalar_output(func, fn, strict)(*ins).reshape(())  # checked, as a scalar
        jac = _grad((out,), ins, None, True)
        _strict_requires_grad(jac, "jacobian", strict)
        if fn == "vhp":
            result = _zeros_for_none(_grad(_present(jac, ins), ins, v, create_graph), ins,
                                     strict, create_graph, "double_back")
        else:
            # w -> w^T H is linear in w; differentiating it w.r.t. w against v gives H v
            dummies = tuple(Tensor._make(np.zeros_like(x._data), True) for x in ins)
            double_back = _grad(_present(jac, ins), ins, dummies, True)
            _strict_requires_grad(jac, "hessian", strict)
            result = _zeros_for_none(_grad(_present(double_back, ins), dummies, v, create_graph),
                                     ins, strict, create_graph, "double_back_trick")
    out = out if create_graph else out.detach()
    return out, _one_or_tuple(_finish(result, create_graph), ins_tuple)
