"""``Binomial(total_count=1, probs=None, logits=None)``."""
import numpy as np

import gradstep as _g

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Binomial"]


def _clamp_by_zero(x):
    # max(x, 0) with gradient 0.5 at 0, like (x.clamp(min=0) + x - x.clamp(max=0)) / 2
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(Distribution):
    r"""Binomial distribution: the number of successes in ``total_count`` Bernoulli trials.

    .. math::
       \log P(k) = \log\binom{n}{k} + k\,\text{logits} - n \log(1 + e^{\text{logits}})

    Args:
        total_count (int or Tensor): number of Bernoulli trials
        probs (Tensor): event probabilities
        logits (Tensor): event log-odds

    Example::

        >>> import gradstep as torch
        >>> from gradstep.distributions import Binomial
        >>> Binomial(4, torch.tensor([0.5])).log_prob(torch.tensor([2.0]))
        tensor([-0.9808])
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = self.total_count.type_as(self.probs)
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = self.total_count.type_as(self.logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = self._param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Binomial, _instance)
        batch_shape = _g.Size(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(Binomial, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def sample(self, sample_shape=_g.Size()):
        from gradstep._random import _gen
        shape = self._extended_shape(sample_shape)
        with _g.no_grad():
            n = np.broadcast_to(self.total_count.detach().numpy(), shape)
            p = np.broadcast_to(self.probs.detach().numpy().astype(np.float64), shape)
            draws = _gen(None).binomial(n.astype(np.int64), p)
            return _g.tensor(draws.astype(self.probs.detach().numpy().dtype))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_factorial_n = _g.lgamma(self.total_count + 1)
        log_factorial_k = _g.lgamma(value + 1)
        log_factorial_nmk = _g.lgamma(self.total_count - value + 1)
        # n * log(1 + e^logits), written stably; logits = -inf with k = n = 0 gives 0
        normalize_term = (self.total_count * _clamp_by_zero(self.logits)
                          + self.total_count * _g.log1p(_g.exp(-_g.abs(self.logits)))
                          - log_factorial_n)
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def entropy(self):
        total_count = int(self.total_count.max())
        if not bool((self.total_count == total_count).all()):
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(_g.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        total_count = int(self.total_count.max())
        if not bool((self.total_count == total_count).all()):
            raise NotImplementedError(
                "Inhomogeneous total count not supported by `enumerate_support`.")
        values = _g.arange(1 + total_count, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values
