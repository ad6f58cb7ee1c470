r"""Per-sample normalization layers: ``LayerNorm``, ``GroupNorm``, ``RMSNorm``,
``LocalResponseNorm`` (as torch.nn)."""
import numbers

from ... import _creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm"]


def _as_shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(normalized_shape)


def _affine_parameters(module, shape, affine, bias, device, dtype):
    """Register a norm's ``weight`` and ``bias`` of ``shape`` (or None where not learned),
    weight first, as torch's state_dict lists them."""
    if affine:
        module.weight = Parameter(_creation.empty(shape, device=device, dtype=dtype))
        if bias:
            module.bias = Parameter(_creation.empty(shape, device=device, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module):
    """Weight 1 and bias 0, where learned."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class LayerNorm(Module):
    r"""Applies Layer Normalization over the last dims of the input.

    .. math::
        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \gamma + \beta

    with the (biased) statistics over the last ``len(normalized_shape)`` dims of each sample.

    Args:
        normalized_shape (int or list or torch.Size): the trailing shape normalised over
        eps (float): added to the variance for stability (default: 1e-5)
        elementwise_affine (bool): learn :math:`\gamma` (init 1) and :math:`\beta` (init 0) of
            shape ``normalized_shape`` (default: True)
        bias (bool): learn :math:`\beta` (when ``elementwise_affine``) (default: True)

    Example::

        >>> import gradstep as torch
        >>> ln = torch.nn.LayerNorm(4)
        >>> ln(torch.arange(8.).reshape(2, 4)).mean(-1).abs().max().item() < 1e-6
        True
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """Weight 1, bias 0."""
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    r"""Applies Group Normalization: the channels are split into ``num_groups`` groups and each
    sample is normalised over each group (and the spatial dims), then scaled and shifted per
    channel.

    Args:
        num_groups (int): number of groups to separate the channels into
        num_channels (int): :math:`C`, divisible by ``num_groups``
        eps (float): added to the variance for stability (default: 1e-5)
        affine (bool): learn per-channel :math:`\gamma` (init 1) and :math:`\beta` (init 0)
            (default: True)
        bias (bool, keyword-only): learn :math:`\beta` when ``affine`` (default: True)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        """Weight 1, bias 0."""
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    r"""Applies Root Mean Square Layer Normalization over the last dims of the input.

    .. math::
        y = \frac{x}{\sqrt{\frac{1}{n}\sum x^2 + \epsilon}} \gamma

    Args:
        normalized_shape (int or list or torch.Size): the trailing shape normalised over
        eps (float or None): added inside the root; ``None`` uses
            ``torch.finfo(x.dtype).eps`` (default: None)
        elementwise_affine (bool): learn :math:`\gamma` (init 1) (default: True)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_creation.empty(self.normalized_shape, device=device,
                                                    dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Weight 1."""
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    r"""Applies local response normalization across channels:
    :math:`b_c = a_c (k + \frac{\alpha}{n} \sum_{c'} a_{c'}^2)^{-\beta}` over a window of ``size``
    neighbouring channels.

    Args:
        size (int): number of neighbouring channels in the window
        alpha (float): multiplicative factor (default: 0.0001)
        beta (float): exponent (default: 0.75)
        k (float): additive factor (default: 1)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
