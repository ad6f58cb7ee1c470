r"""Gamma and Beta: the families whose normalizers are gamma functions.

Samples are reparameterized: a Gamma(alpha, 1) draw carries the implicit gradient
:math:`dx/d\alpha` (see ``_gamma_math``), Gamma(alpha, beta) is that draw over beta, and a
Beta(a, b) draw is :math:`X / (X + Y)` for independent Gamma(a, 1) and Gamma(b, 1) draws.
"""
import gradstep

from . import constraints
from ._gamma_math import GammaCdf, StandardGamma
from .distribution import Distribution, as_parameters, shown

__all__ = ["Gamma", "Beta"]


def _standard_gamma(concentration, shape):
    return StandardGamma.apply(concentration.expand(shape))


def _log_beta(a, b):
    """log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)."""
    return gradstep.lgamma(a) + gradstep.lgamma(b) - gradstep.lgamma(a + b)


class Gamma(Distribution):
    r"""The Gamma distribution with shape :math:`\alpha` and rate :math:`\beta`.

    .. math::
        \log p(x) = \alpha\log\beta + (\alpha - 1)\log x - \beta x - \log\Gamma(\alpha), \\
        H = \alpha - \log\beta + \log\Gamma(\alpha) + (1 - \alpha)\psi(\alpha)

    Args:
        concentration (float or Tensor): shape :math:`\alpha > 0`
        rate (float or Tensor): rate :math:`\beta > 0` (mean :math:`\alpha / \beta`)
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = as_parameters(concentration, rate)
        super().__init__(self.concentration.shape, gradstep.Size(), validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_given_parameters(batch_shape)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate ** 2

    def rsample(self, sample_shape=gradstep.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        x = _standard_gamma(self.concentration, shape) / self.rate.expand(shape)
        return x.clamp(min=gradstep.finfo(x.dtype).tiny)

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        a, b = self.concentration, self.rate
        return (a * b.log() + gradstep.xlogy(a - 1, value) - b * value
                - gradstep.lgamma(a))

    def cdf(self, value):
        """The regularized lower incomplete gamma function :math:`P(\\alpha, \\beta x)`."""
        if self._validating:
            self._validate_sample(value)
        a, x = gradstep.broadcast_tensors(self.concentration, self.rate * value)
        return GammaCdf.apply(a, x)

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + gradstep.lgamma(a) + (1 - a) * gradstep.digamma(a)


class Beta(Distribution):
    r"""The Beta distribution on :math:`[0, 1]`.

    .. math::
        \log p(x) = (a - 1)\log x + (b - 1)\log(1 - x) - \log B(a, b), \\
        H = \log B(a, b) - (a - 1)\psi(a) - (b - 1)\psi(b) + (a + b - 2)\psi(a + b)

    Args:
        concentration1 (float or Tensor): :math:`a > 0`, the exponent of :math:`x`
        concentration0 (float or Tensor): :math:`b > 0`, the exponent of :math:`1 - x`
    """

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        a, b = as_parameters(concentration1, concentration0)
        # Stored together, last dimension (a, b); the properties read them back.
        self._ab = gradstep.stack([a, b], -1)
        validate = Distribution._validate_by_default if validate_args is None else validate_args
        if validate:
            self._check_pair()
        super().__init__(a.shape, gradstep.Size(), validate_args)

    def _check_pair(self):
        # Torch checks both concentrations as one Dirichlet parameter; its message says so.
        ab = self._ab
        if not bool((ab > 0).all()):
            shape = tuple(ab.shape)
            shown_ab = shown(ab) if ab.numel() == 1 else ab.size()
            raise ValueError(
                f"Expected parameter concentration (Tensor of shape {shape}) of distribution "
                f"Dirichlet(concentration: {shown_ab}) to satisfy the constraint "
                "IndependentConstraint(GreaterThan(lower_bound=0.0), 1), but found invalid "
                f"values:\n{ab}")

    @property
    def concentration1(self):
        return self._ab[..., 0]

    @property
    def concentration0(self):
        return self._ab[..., 1]

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new._ab = self._ab.expand(tuple(batch_shape) + (2,))
        Distribution.__init__(new, gradstep.Size(batch_shape), gradstep.Size(), False)
        if "_validate_args" in vars(self):
            new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        r"""Where the density peaks: :math:`\frac{a - 1}{a + b - 2}` when :math:`a, b > 1`.

        Otherwise the mass of the excess exponents :math:`(a-1)^+ / ((a-1)^+ + (b-1)^+)`: 1 when
        only :math:`a > 1`, 0 when only :math:`b > 1`, NaN when that is 0/0.  When both are below
        1 (a U-shaped density, peaks at both ends) the result is 1, as torch returns.
        """
        a, b = self.concentration1, self.concentration0
        excess_a, excess_b = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        peak = excess_a / (excess_a + excess_b)
        return gradstep.where((a < 1) & (b < 1), gradstep.ones_like(peak), peak)

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total ** 2 * (total + 1))

    def rsample(self, sample_shape=gradstep.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        x = _standard_gamma(self.concentration1, shape)
        y = _standard_gamma(self.concentration0, shape)
        eps = gradstep.finfo(x.dtype).eps
        return (x / (x + y)).clamp(min=eps, max=1 - eps)

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (gradstep.xlogy(a - 1, value) + gradstep.xlogy(b - 1, 1 - value)
                - _log_beta(a, b))

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        psi = gradstep.digamma
        return (_log_beta(a, b) - (a - 1) * psi(a) - (b - 1) * psi(b)
                + (a + b - 2) * psi(a + b))
