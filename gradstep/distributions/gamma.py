"""``Gamma(concentration, rate)``."""
import numbers

import gradstep as _g

from . import constraints
from ._gamma_sampler import gammainc, standard_gamma
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]


class Gamma(ExponentialFamily):
    r"""Gamma distribution with shape ``concentration`` (alpha) and ``rate`` (beta).

    .. math::
       \log p(x) = \alpha \log\beta + (\alpha - 1)\log x - \beta x - \log\Gamma(\alpha)

    ``rsample`` draws ``G ~ Gamma(alpha, 1)`` and returns ``G / rate``; the gradient w.r.t.
    ``alpha`` is the implicit reparameterization one (see ``_gamma_sampler``).

    Args:
        concentration (float or Tensor): shape parameter of the distribution
        rate (float or Tensor): rate parameter of the distribution (1 / scale)

    Example::

        >>> import gradstep as torch
        >>> from gradstep.distributions import Gamma
        >>> Gamma(torch.tensor([2.0]), torch.tensor([1.0])).log_prob(torch.tensor([1.0]))
        tensor([-1.])
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, numbers.Number) and isinstance(rate, numbers.Number):
            batch_shape = _g.Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = _g.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=_g.Size()):
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value.clamp(min=_g.finfo(value.dtype).tiny)

    def log_prob(self, value):
        value = _g.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (_g.xlogy(self.concentration, self.rate) + _g.xlogy(self.concentration - 1, value)
                - self.rate * value - _g.lgamma(self.concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self.rate * value
        return gammainc(self.concentration.expand(z.shape), z)

    def entropy(self):
        return (self.concentration - _g.log(self.rate) + _g.lgamma(self.concentration)
                + (1.0 - self.concentration) * _g.digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return _g.lgamma(x + 1) + (x + 1) * _g.log(-y.reciprocal())
