r"""Batch and instance normalization layers (as torch.nn's batchnorm and instancenorm)."""
import warnings

from ... import _creation
from ... import _dtype
from .. import functional as F
from .module import Module
from .normalization import _affine_parameters, _reset_affine

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d"]


class _NormBase(Module):
    """Parameters, running-statistics buffers and their reset, shared by batch and instance norm."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean",
                                 _creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var",
                                 _creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked",
                                 _creation.tensor(0, dtype=_dtype.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batch tracked."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Reset the running statistics, then weight 1 and bias 0."""
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            # checkpoints from before num_batches_tracked existed: count from zero
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                                   else _creation.tensor(0, dtype=_dtype.int64))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


class _BatchNorm(_NormBase):

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            # momentum=None: a cumulative moving average, weight 1/n for the n-th batch
            factor = (1.0 / float(self.num_batches_tracked) if self.momentum is None
                      else self.momentum)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_stats = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_stats else None,
                            self.running_var if use_stats else None, self.weight, self.bias,
                            bn_training, factor, self.eps)


_BN_DOC = r"""Applies Batch Normalization over a {shape} input.

    .. math::
        y = \frac{{x - \mathrm{{E}}[x]}}{{\sqrt{{\mathrm{{Var}}[x] + \epsilon}}}} \gamma + \beta

    Statistics are per channel (dim 1) over the batch{spatial}. In training the batch's
    (biased) variance normalises and the running estimates are updated,
    :math:`\hat x \leftarrow (1 - m)\hat x + m x_t` with the unbiased batch variance;
    ``momentum=None`` gives the cumulative average (:math:`m = 1/t`). In eval the running
    estimates normalise (unless ``track_running_stats=False``, which always uses batch
    statistics).

    Args:
        num_features (int): :math:`C`, the number of channels
        eps (float): added to the variance for stability (default: 1e-5)
        momentum (float or None): the running-average factor (default: 0.1)
        affine (bool): learn :math:`\gamma` (init 1) and :math:`\beta` (init 0) (default: True)
        track_running_stats (bool): keep ``running_mean``, ``running_var`` and
            ``num_batches_tracked`` buffers (default: True)
        bias (bool, keyword-only): learn :math:`\beta` when ``affine`` (default: True)
"""


class BatchNorm1d(_BatchNorm):
    __doc__ = _BN_DOC.format(shape="2D or 3D ``(N, C)`` / ``(N, C, L)``", spatial=" and length")

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    __doc__ = _BN_DOC.format(shape="4D ``(N, C, H, W)``", spatial=" and spatial dims")

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    __doc__ = _BN_DOC.format(shape="5D ``(N, C, D, H, W)``", spatial=" and spatial dims")

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _InstanceNorm(_NormBase):
    _no_batch_dim = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def _check_input_dim(self, input):
        n = self._no_batch_dim
        if input.dim() not in (n, n + 1):
            raise ValueError(f"expected {n}D or {n + 1}D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You "
                          "can silence this warning by not passing in num_features, which is not "
                          "used because affine=False", stacklevel=2)
        if input.dim() == self._no_batch_dim:
            return self._apply_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_norm(input)

    def _apply_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)


_IN_DOC = r"""Applies Instance Normalization over a {shape} input: each channel of each sample
    is normalised over its {spatial}, then scaled and shifted by :math:`\gamma`, :math:`\beta`
    when ``affine``.

    Args:
        num_features (int): :math:`C`, the number of channels
        eps (float): added to the variance for stability (default: 1e-5)
        momentum (float): the running-average factor (default: 0.1)
        affine (bool): learn :math:`\gamma` and :math:`\beta` (default: False)
        track_running_stats (bool): keep running statistics and use them in eval
            (default: False)
"""


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _IN_DOC.format(shape="``(N, C, L)`` or ``(C, L)``", spatial="length")
    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _IN_DOC.format(shape="``(N, C, H, W)`` or ``(C, H, W)``", spatial="spatial dims")
    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    __doc__ = _IN_DOC.format(shape="``(N, C, D, H, W)`` or ``(C, D, H, W)``",
                             spatial="spatial dims")
    _no_batch_dim = 4
