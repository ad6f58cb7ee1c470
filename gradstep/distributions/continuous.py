r"""Continuous families with closed-form everything: Normal, LogNormal, Laplace, Uniform,
Exponential.

Every formula is written with gradstep tensor operations, so ``log_prob``, ``entropy``, ``cdf``
and ``rsample`` are differentiable in the parameters.  Reparameterized samples push parameter-free
noise through a differentiable map (``loc + scale * eps``), which is what a VAE's
``q.rsample()`` needs.
"""
import math

import gradstep

from . import constraints
from .distribution import Distribution, as_parameters

__all__ = ["Normal", "LogNormal", "Laplace", "Uniform", "Exponential"]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _noise_shape(dist, sample_shape):
    return tuple(dist._extended_shape(sample_shape))


def _open_unit_uniform(shape, like):
    """Uniform samples in (0, 1): the smallest positive float replaces an exact 0."""
    u = gradstep.rand(shape, dtype=like.dtype)
    return u.clamp(min=gradstep.finfo(like.dtype).tiny)


class _LocationScale(Distribution):
    """A family x = loc + scale z of a fixed, symmetric standard distribution of z: real support,
    mean and mode at loc."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = as_parameters(loc, scale)
        super().__init__(self.loc.shape, gradstep.Size(), validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_given_parameters(batch_shape)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc


class Normal(_LocationScale):
    r"""The normal distribution :math:`\mathcal{N}(\mu, \sigma^2)`.

    .. math::
        \log p(x) = -\frac{(x - \mu)^2}{2\sigma^2} - \log\sigma - \tfrac12\log 2\pi,
        \qquad H = \tfrac12 + \tfrac12\log 2\pi + \log\sigma

    Args:
        loc (float or Tensor): mean :math:`\mu`
        scale (float or Tensor): standard deviation :math:`\sigma > 0`

    Example::

        >>> import gradstep
        >>> from gradstep.distributions import Normal
        >>> Normal(0.0, 1.0).log_prob(gradstep.tensor(0.0))
        tensor(-0.9189)
    """

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    def rsample(self, sample_shape=gradstep.Size()):
        eps = gradstep.randn(_noise_shape(self, sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -0.5 * z ** 2 - self.scale.log() - _HALF_LOG_2PI

    def cdf(self, value):
        r""":math:`\tfrac12 (1 + \mathrm{erf}((x - \mu) / (\sigma\sqrt2)))`."""
        if self._validating:
            self._validate_sample(value)
        return 0.5 * (1 + gradstep.erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        r""":math:`\mu + \sigma\sqrt2\,\mathrm{erf}^{-1}(2q - 1)`."""
        return self.loc + self.scale * math.sqrt(2) * gradstep.erfinv(2 * value - 1)

    def entropy(self):
        return 0.5 + _HALF_LOG_2PI + self.scale.log()


class LogNormal(Distribution):
    r"""The law of :math:`Y = e^X` with :math:`X \sim \mathcal{N}(\mu, \sigma^2)`.

    .. math::
        \log p(y) = \log \mathcal{N}(\log y; \mu, \sigma^2) - \log y, \qquad
        H = H_{\mathcal{N}} + \mu

    Args:
        loc (float or Tensor): mean :math:`\mu` of :math:`\log Y`
        scale (float or Tensor): standard deviation :math:`\sigma` of :math:`\log Y`
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(self.base_dist.batch_shape, gradstep.Size(), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new.base_dist = self.base_dist.expand(batch_shape)
        Distribution.__init__(new, gradstep.Size(batch_shape), gradstep.Size(), False)
        if "_validate_args" in vars(self):
            new._validate_args = self._validate_args
        return new

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + self.scale ** 2 / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale ** 2).exp()

    @property
    def variance(self):
        s2 = self.scale ** 2
        return s2.expm1() * (2 * self.loc + s2).exp()

    def rsample(self, sample_shape=gradstep.Size()):
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        log_y = value.log()
        z = (log_y - self.loc) / self.scale
        return -0.5 * z ** 2 - self.scale.log() - _HALF_LOG_2PI - log_y

    def cdf(self, value):
        log_y = value.log()
        if self._validating:  # torch checks log(value) against the Normal (0 gives -inf: fine)
            self.base_dist._validate_sample(log_y)
        return 0.5 * (1 + gradstep.erf((log_y - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc


class Laplace(_LocationScale):
    r"""The Laplace distribution with location :math:`\mu` and scale :math:`b`.

    .. math::
        \log p(x) = -\log 2b - \frac{|x - \mu|}{b}, \qquad H = 1 + \log 2b

    Args:
        loc (float or Tensor): location :math:`\mu`
        scale (float or Tensor): scale :math:`b > 0`
    """

    @property
    def variance(self):
        return 2 * self.scale ** 2

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=gradstep.Size()):
        # Inverse cdf at u in (-1, 1): x = mu - b sign(u) log(1 - |u|).
        dtype = self.loc.dtype
        u = 2 * gradstep.rand(_noise_shape(self, sample_shape), dtype=dtype) - 1
        edge = 1 - gradstep.finfo(dtype).eps
        u = u.clamp(-edge, edge)
        return self.loc - self.scale * u.sign() * gradstep.log1p(-u.abs())

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        r""":math:`\tfrac12 + \tfrac12\,\mathrm{sign}(x-\mu)\,(1 - e^{-|x-\mu|/b})`."""
        if self._validating:
            self._validate_sample(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * gradstep.expm1(-d.abs() / self.scale)

    def icdf(self, value):
        centred = value - 0.5
        return self.loc - self.scale * centred.sign() * gradstep.log1p(-2 * centred.abs())

    def entropy(self):
        return 1 + (2 * self.scale).log()


class Uniform(Distribution):
    r"""The uniform distribution on :math:`[a, b)`.

    .. math::
        \log p(x) = -\log(b - a) \text{ on the interval}, \qquad H = \log(b - a)

    Args:
        low (float or Tensor): lower bound :math:`a` (inclusive)
        high (float or Tensor): upper bound :math:`b > a` (exclusive)
    """

    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = as_parameters(low, high)
        super().__init__(self.low.shape, gradstep.Size(), validate_args)

    @property
    def arg_constraints(self):
        return {"low": constraints.less_than(self.high),
                "high": constraints.greater_than(self.low)}

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    def expand(self, batch_shape, _instance=None):
        return self._expand_given_parameters(batch_shape)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return gradstep.full_like(self.high, float("nan"))

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    @property
    def stddev(self):
        return (self.high - self.low) / math.sqrt(12)

    def rsample(self, sample_shape=gradstep.Size()):
        u = gradstep.rand(_noise_shape(self, sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        inside = ((self.low <= value) & (value < self.high)).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value):
        if self._validating:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value):
        return self.low + value * (self.high - self.low)

    def entropy(self):
        return (self.high - self.low).log()


class Exponential(Distribution):
    r"""The exponential distribution with rate :math:`\lambda`.

    .. math::
        \log p(x) = \log\lambda - \lambda x, \qquad F(x) = 1 - e^{-\lambda x}, \qquad
        H = 1 - \log\lambda

    Args:
        rate (float or Tensor): rate :math:`\lambda > 0` (mean :math:`1/\lambda`)
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = as_parameters(rate)
        super().__init__(self.rate.shape, gradstep.Size(), validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_given_parameters(batch_shape)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return gradstep.zeros_like(self.rate)

    @property
    def variance(self):
        return self.rate ** -2

    @property
    def stddev(self):
        return self.rate.reciprocal()

    def rsample(self, sample_shape=gradstep.Size()):
        u = _open_unit_uniform(_noise_shape(self, sample_shape), self.rate)
        return -u.log() / self.rate

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validating:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -gradstep.log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()
