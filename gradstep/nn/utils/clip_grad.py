r"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``,
``clip_grads_with_norm_``, as torch.nn.utils.

The total norm of gradients :math:`g_1, \dots, g_k` of order :math:`p` is the p-norm of their
p-norms, :math:`\lVert (\lVert g_1 \rVert_p, \dots, \lVert g_k \rVert_p) \rVert_p` (the largest
absolute value for :math:`p = \infty`). Clipping scales every gradient in place by
:math:`\min(1, \text{max\_norm} / (\text{total} + 10^{-6}))`, exactly as torch does, so gradients
below the threshold are multiplied by 1.

Example::

    >>> import gradstep as torch
    >>> w = torch.nn.Parameter(torch.zeros(2))
    >>> w.grad = torch.tensor([3., 4.])
    >>> torch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(5.)
    >>> [round(v, 4) for v in w.grad.tolist()]
    [0.6, 0.8]
"""
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters):
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""The ``norm_type``-norm of the norms of ``tensors`` (as if concatenated into one vector).

    Args:
        tensors (Tensor or iterable of Tensors): usually gradients
        norm_type (float or str): order of the norm, ``inf``/``'inf'`` for the max norm
        error_if_nonfinite (bool): raise if the total norm is nan or inf
        foreach (bool, optional): accepted for torch compatibility (one code path here)
    """
    from ... import linalg, stack, tensor
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    # overflow to inf and nan norms are results here, as in torch, not warnings
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        norms = [linalg.vector_norm(t, norm_type) for t in tensors]
        total = linalg.vector_norm(stack(norms), norm_type)
        if error_if_nonfinite and bool(total.isnan() | total.isinf()):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    r"""Scale the gradients of ``parameters`` in place by
    :math:`\min(1, \text{max\_norm} / (\text{total\_norm} + 10^{-6}))`."""
    grads = _grads(_as_list(parameters))
    if not grads:
        return
    max_norm = float(max_norm)
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""Clip the gradient norm of ``parameters`` in place; returns the total norm (a Tensor)
    computed before clipping.

    Args:
        parameters (Tensor or iterable of Tensors): tensors whose ``.grad`` is clipped
        max_norm (float): the largest total norm allowed
        norm_type (float or str): order of the norm, ``inf``/``'inf'`` for the max norm
        error_if_nonfinite (bool): raise if the total norm is nan or inf
        foreach (bool, optional): accepted for torch compatibility
    """
    parameters = _as_list(parameters)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of ``clip_grad_norm_``."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of ``parameters`` in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(_as_list(parameters)):
            g.clamp_(min=-clip_value, max=clip_value)
