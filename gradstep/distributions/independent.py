r"""``Independent``: reinterpret batch dimensions of a distribution as event dimensions.

``Independent(Normal(loc, scale), 1)`` with ``loc`` of shape ``(B, D)`` is a diagonal Gaussian
over vectors of length ``D``: batch shape ``(B,)``, event shape ``(D,)``, and its ``log_prob`` sums
the ``D`` independent log-densities,

.. math::
    \log p(x) = \sum_{i \in \text{reinterpreted dims}} \log p_i(x_i),

as does its entropy.  Everything else (mean, variance, sampling) is the base distribution's.
"""
import gradstep

from . import constraints
from .distribution import Distribution

__all__ = ["Independent"]


def _sum_rightmost(value, ndims):
    return value.sum(tuple(range(-ndims, 0))) if ndims > 0 else value


class Independent(Distribution):
    r"""Treat the ``reinterpreted_batch_ndims`` rightmost batch dimensions as event dimensions.

    Args:
        base_distribution (Distribution): the distribution to wrap
        reinterpreted_batch_ndims (int): how many batch dimensions become event dimensions
    """

    arg_constraints = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims, validate_args=None):
        n_batch = len(base_distribution.batch_shape)
        if reinterpreted_batch_ndims > n_batch:
            raise ValueError("Expected reinterpreted_batch_ndims <= len(base_distribution."
                             f"batch_shape), actual {reinterpreted_batch_ndims} vs {n_batch}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        split = n_batch - reinterpreted_batch_ndims
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        super().__init__(gradstep.Size(shape[:split]), gradstep.Size(shape[split:]),
                         validate_args)

    def expand(self, batch_shape, _instance=None):
        moved = tuple(self._event_shape[:self.reinterpreted_batch_ndims])
        new = type(self).__new__(type(self))
        new.base_dist = self.base_dist.expand(tuple(batch_shape) + moved)
        new.reinterpreted_batch_ndims = self.reinterpreted_batch_ndims
        Distribution.__init__(new, gradstep.Size(batch_shape), self._event_shape, False)
        if "_validate_args" in vars(self):
            new._validate_args = self._validate_args
        return new

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self):
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    @constraints.dependent_property
    def support(self):
        base = self.base_dist.support
        if self.reinterpreted_batch_ndims == 0:
            return base
        return constraints.independent(base, self.reinterpreted_batch_ndims)

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=gradstep.Size()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=gradstep.Size()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand=True):
        if self.reinterpreted_batch_ndims > 0:
            raise NotImplementedError("Enumeration over cartesian product is not implemented")
        return self.base_dist.enumerate_support(expand=expand)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
