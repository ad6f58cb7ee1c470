"""``CosineSimilarity`` and ``PairwiseDistance`` (as torch.nn)."""
from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    r"""Cosine similarity along ``dim``:
    :math:`\frac{x_1 \cdot x_2}{\max(\lVert x_1 \rVert_2, \epsilon)\max(\lVert x_2 \rVert_2,
    \epsilon)}`.

    Args:
        dim (int): the dim to reduce (default: 1)
        eps (float): lower bound of each norm (default: 1e-8)
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    r"""The ``p``-norm distance along the last dim: :math:`\lVert x_1 - x_2 + \epsilon
    \rVert_p`.

    Args:
        p (float): the norm degree (default: 2)
        eps (float): added to the difference, avoiding a zero norm (default: 1e-6)
        keepdim (bool): keep the reduced dim (default: False)
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
