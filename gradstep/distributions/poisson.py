"""``Poisson(rate)``."""
import numbers

import gradstep as _g

from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    r"""Poisson distribution: ``P(k) = rate^k e^{-rate} / k!`` for ``k = 0, 1, 2...``.

    Args:
        rate (Number, Tensor): the rate parameter

    Example::

        >>> import gradstep as torch
        >>> from gradstep.distributions import Poisson
        >>> Poisson(torch.tensor([2.0])).log_prob(torch.tensor([0.0]))
        tensor([-2.])
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = _g.Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = _g.Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Poisson, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=_g.Size()):
        shape = self._extended_shape(sample_shape)
        with _g.no_grad():
            return _g.poisson(self.rate.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self):
        return (_g.log(self.rate),)

    def _log_normalizer(self, x):
        return _g.exp(x)
