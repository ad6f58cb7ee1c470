r"""Dropout layers (as torch.nn): ``Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``,
``FeatureAlphaDropout``. Each is active in training mode only."""
from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class _DropoutNd(Module):

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    r"""In training, zeroes each element with probability ``p`` and scales the others by
    :math:`1/(1-p)`; in eval, returns its input.

    Args:
        p (float): probability of an element to be zeroed (default: 0.5)
        inplace (bool): do the operation in place (default: False)

    Example::

        >>> import gradstep as torch
        >>> m = torch.nn.Dropout(p=0.2).eval()
        >>> x = torch.ones(3)
        >>> m(x) is x
        True
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    r"""In training, zeroes whole channels of ``(N, C, L)`` / ``(C, L)`` inputs with probability
    ``p`` (scaling the others by :math:`1/(1-p)`)."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    r"""In training, zeroes whole channels of ``(N, C, H, W)`` / ``(C, H, W)`` inputs with
    probability ``p`` (scaling the others by :math:`1/(1-p)`)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    r"""In training, zeroes whole channels of ``(N, C, D, H, W)`` / ``(C, D, H, W)`` inputs with
    probability ``p`` (scaling the others by :math:`1/(1-p)`)."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    r"""Alpha dropout for SELU networks: dropped elements take SELU's negative saturation value
    and an affine map keeps the input's mean and variance."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    r"""Alpha dropout of whole channels (dim 1)."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
