r"""Check analytic gradients against finite differences: ``gradcheck`` and ``gradgradcheck``.

For every input ``x_i`` that requires grad and every output ``y_o`` the Jacobian
:math:`J_{io}[j, k] = \partial y_{o,k} / \partial x_{i,j}` (rows: input elements, columns: output
elements, as torch lays it out) is computed twice: numerically by central differences

.. math:: J[j, :] \approx \frac{f(x + \epsilon e_j) - f(x - \epsilon e_j)}{2 \epsilon}

and analytically, one column per output element, by ``autograd.grad`` with a one-hot
``grad_outputs``. They must satisfy ``|analytical - numerical| <= atol + rtol * |numerical|``
elementwise. The defaults are meant for float64 inputs.

Example::

    >>> import gradstep as torch
    >>> x = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)
    >>> torch.autograd.gradcheck(lambda a: a * a, (x,))
    True
"""
import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` and ``gradgradcheck`` when a check fails."""


_NOT_REENTRANT = (
    "Backward is not reentrant, i.e., running backward with same input and grad_output multiple "
    "times gives different values, although analytical gradient matches numerical gradient.The "
    "tolerance for nondeterminism was {}.\n\nNOTE: If your op relies on non-deterministic "
    "operations i.e., it is listed here:\n"
    "https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html\n"
    "this failure might be expected.\n\nIf you are adding a new operator, please file an issue "
    "and then use one of the\nworkarounds. The workaround depends on how your test invokes "
    "gradcheck/gradgradcheck.\nIf the test\n- manually invokes gradcheck/gradgradcheck, then call "
    "gradcheck/gradgradcheck\n  with `nondet_tol=<tol>` as a keyword argument.\n- is OpInfo-based "
    "(e.g., in test_ops_gradients.py), then modify the OpInfo for the test\n  to have "
    "`gradcheck_nondet_tol=<tol>`.\n- is a Module test (e.g., in common_nn.py), then modify the "
    "corresponding\n  module_test entry to have `gradcheck_nondet_tol=<tol>`\n")


def _as_tuple(x):
    from .._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _tensor_of(array):
    from .._tensor import Tensor
    return Tensor._make(np.asarray(array))


def _outputs(func, inputs):
    return _as_tuple(func(*inputs))


def _numerical_jacobians(func, inputs, diff_inputs, n_outputs, eps):
    """jac[i][o]: (numel of diff input i, numel of output o), by central differences."""
    # Grad mode stays as it is: gradgradcheck's function differentiates inside.
    jacobians = []
    base = [o._data for o in _outputs(func, inputs)]
    for x in diff_inputs:
        data = x._data
        per_output = [np.zeros((data.size, b.size), dtype=data.dtype) for b in base]
        for j, idx in enumerate(np.ndindex(data.shape)):
            orig = data[idx].copy()
            data[idx] = orig - eps
            minus = [np.array(o._data, copy=True) for o in _outputs(func, inputs)]
            data[idx] = orig + eps
            plus = [np.array(o._data, copy=True) for o in _outputs(func, inputs)]
            data[idx] = orig
            for o in range(n_outputs):
                diff = (plus[o].astype(data.dtype) - minus[o].astype(data.dtype)) / (2 * eps)
                per_output[o][j] = diff.reshape(-1)
        jacobians.append(per_output)
    return jacobians


def _analytical_jacobians(outputs, diff_inputs):
    """jac[i][o] from autograd.grad, one column per output element."""
    from . import grad as autograd_grad
    jacobians = [[np.zeros((x._data.size, o._data.size), dtype=x._data.dtype)
                  for o in outputs] for x in diff_inputs]
    for o, out in enumerate(outputs):
        if not out._requires_grad:
            continue
        flat = np.zeros(out._data.size, dtype=out._data.dtype)
        for k in range(out._data.size):
            flat[:] = 0
            flat[k] = 1
            seed = _tensor_of(flat.reshape(out._data.shape).copy())
            grads = autograd_grad(out, diff_inputs, seed, retain_graph=True, allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    jacobians[i][o][:, k] = np.asarray(g._data).reshape(-1)
    return jacobians


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    r"""Check the gradients of ``func`` at ``inputs`` against finite differences.

    Args:
        func (callable): takes Tensors, returns a Tensor or a tuple of Tensors
        inputs (Tensor or tuple of Tensor): the inputs; those with ``requires_grad`` are checked
        eps (float): finite-difference step
        atol (float): absolute tolerance
        rtol (float): relative tolerance
        raise_exception (bool): raise ``GradcheckError`` on failure, else return False
        nondet_tol (float): how much two identical backward runs may differ

    The remaining keywords are accepted for compatibility with torch; batched, forward-mode and
    complex checks are not performed.

    Returns:
        True if every Jacobian matches.
    """
    from .._tensor import Tensor
    inputs = _as_tuple(inputs)
    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x._requires_grad]
    if not diff_inputs:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x._requires_grad and x._data.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are not "
                          "of double precision floating point or complex. ", stacklevel=2)
    outputs = _outputs(func, inputs)
    diff_outputs = [o for o in outputs if o._requires_grad]
    numerical = _numerical_jacobians(func, inputs, diff_inputs, len(outputs), eps)
    if not diff_outputs:
        for per_input in numerical:
            for jac in per_input:
                if np.any(jac != 0):
                    return _fail("Numerical gradient for function expected to be zero",
                                 raise_exception)
        return True
    if not check_backward_ad:
        return True
    diff_index = [o for o, out in enumerate(outputs) if out._requires_grad]
    analytical = _analytical_jacobians(diff_outputs, diff_inputs)
    for i in range(len(diff_inputs)):
        for n, o in enumerate(diff_index):
            a, num = analytical[i][n], numerical[i][o]
            if not np.allclose(a, num, rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {n} with respect to input {i},\n"
                             f"numerical:{_show(num)}\nanalytical:{_show(a)}\n", raise_exception)
    again = _analytical_jacobians(diff_outputs, diff_inputs)
    for i in range(len(diff_inputs)):
        for n in range(len(diff_outputs)):
            if np.any(np.abs(again[i][n] - analytical[i][n]) > nondet_tol):
                return _fail(_NOT_REENTRANT.format(nondet_tol), raise_exception)
    return True


def _show(array):
    """A Jacobian as torch prints it (``tensor([[...]], dtype=torch.float64)``)."""
    try:
        return repr(_tensor_of(array))
    except Exception:  # the repr module is optional while gradstep is being built
        return repr(array)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    r"""Check second derivatives: ``gradcheck`` of the map (inputs, v) -> v^T J(inputs).

    Args:
        func (callable): takes Tensors, returns a Tensor or a tuple of Tensors
        inputs (Tensor or tuple of Tensor): the inputs
        grad_outputs (Tensor or tuple of Tensor, optional): the vectors ``v``; random (fixed seed)
            values that require grad when not given
        eps, atol, rtol, raise_exception, nondet_tol: as in ``gradcheck``
    """
    from . import grad as autograd_grad
    from .._tensor import Tensor
    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    diff_outputs = [o for o in outputs if o._requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = []
        for o in diff_outputs:
            v = Tensor._make(rng.uniform(-1.0, 1.0, o._data.shape).astype(o._data.dtype))
            v._requires_grad = True
            grad_outputs.append(v)
        grad_outputs = tuple(grad_outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_inputs = len(inputs)

    def first_derivatives(*args):
        ins, vs = args[:n_inputs], args[n_inputs:]
        outs = [o for o in _outputs(func, ins) if o._requires_grad]
        diff_ins = [x for x in ins if isinstance(x, Tensor) and x._requires_grad]
        grads = autograd_grad(outs, diff_ins, vs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)
