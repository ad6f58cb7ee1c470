r"""Distances between vectors: ``cosine_similarity``, ``pairwise_distance``, ``pdist``.

They are composed of differentiable ops (norms, divisions, sums): none is a hot path, and the
composition gives torch's gradients at the edges (zero vectors) for free.
"""
import numpy as np

from ..._ops._util import scalar_type_name
from ..._ops.linalg import _broadcast_batch
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...autograd.graph import named_as

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]


def _clamped_norm(x, dim, eps):
    """``||x||_2`` along ``dim`` (kept), clamped below at ``eps`` in value only: the gradient is
    the unclamped norm's, as torch clamps under no_grad."""
    n = x.norm(2, dim, keepdim=True)
    with no_grad():
        shift = n.clamp_min(eps) - n
    return n + shift


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""Cosine similarity of ``x1`` and ``x2`` (broadcast) along ``dim``:
    :math:`\sum \frac{x_1}{\max(\lVert x_1\rVert, \epsilon)} \frac{x_2}{\max(\lVert x_2\rVert,
    \epsilon)}`.

    Example::

        >>> import gradstep as torch
        >>> torch.nn.functional.cosine_similarity(torch.tensor([[1., 0.]]),
        ...                                       torch.tensor([[1., 1.]])).item()
        0.7071067...
    """
    from ... import _dtype
    common = _dtype.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{scalar_type_name(common.np)}")
    if not x1.is_floating_point():
        x1 = x1.to(common)
    if not x2.is_floating_point():
        x2 = x2.to(common)
    if x1.shape != x2.shape:
        shape = _broadcast_batch(x1.shape, x2.shape)
        x1, x2 = x1.expand(shape), x2.expand(shape)
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""The ``p``-norm of ``x1 - x2 + eps`` along the last dim (of the broadcast shape)."""
    ndim = max(x1.dim(), x2.dim())
    _broadcast_batch(x1.shape, x2.shape)
    # torch's node for this norm is the legacy one
    return named_as((x1 - x2 + eps).norm(p, ndim - 1, keepdim=keepdim), "NormBackward1")


def pdist(input, p=2):
    r"""The ``p``-norm distance between every pair of rows ``i < j`` of a 2-D input, as a
    vector of length ``N (N - 1) / 2``."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    if i.size == 0:
        return (input[:0, 0] * 0)
    rows_i = input[Tensor._make(i)]
    rows_j = input[Tensor._make(j)]
    return (rows_i - rows_j).norm(p, 1)
