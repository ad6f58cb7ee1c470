"""``ExponentialFamily``: the base of distributions whose density is
``exp(<t(x), theta> - F(theta) + k(x))``; ``kl_divergence`` refuses pairs of different families."""
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    r"""Base class for exponential-family distributions (Normal, Bernoulli, Gamma, Beta...)."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError
