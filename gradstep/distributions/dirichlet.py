"""``Dirichlet(concentration)``."""
import gradstep as _g

from . import constraints
from ._gamma_sampler import standard_gamma
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    r"""Dirichlet distribution over the probability simplex, with ``concentration`` (alpha).

    .. math::
       \log p(x) = \sum_i (\alpha_i - 1)\log x_i + \log\Gamma(\textstyle\sum_i\alpha_i)
                   - \sum_i \log\Gamma(\alpha_i)

    ``rsample`` normalises independent ``Gamma(alpha_i, 1)`` draws (implicit gradients).

    Args:
        concentration (Tensor): concentration parameter of the distribution

    Example::

        >>> import gradstep as torch
        >>> from gradstep.distributions import Dirichlet
        >>> Dirichlet(torch.tensor([1.0, 1.0, 1.0])).log_prob(torch.tensor([0.2, 0.3, 0.5]))
        tensor(0.6931)
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = _g.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        concentration = self.concentration.expand(shape)
        gammas = standard_gamma(concentration)
        x = gammas / gammas.sum(-1, keepdim=True)
        finfo = _g.finfo(x.dtype)
        return x.clamp(min=finfo.tiny, max=1 - finfo.eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (_g.xlogy(self.concentration - 1.0, value).sum(-1)
                + _g.lgamma(self.concentration.sum(-1))
                - _g.lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        # with every alpha_i < 1 the density peaks at a vertex: the largest alpha's
        mask = (self.concentration < 1).all(dim=-1, keepdim=True)
        vertex = _g.nn.functional.one_hot(self.concentration.argmax(-1),
                                          self.concentration.shape[-1]).to(mode)
        return _g.where(mask, vertex, mode)

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return (self.concentration * (con0 - self.concentration)
                / (con0.pow(2) * (con0 + 1)))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (_g.lgamma(self.concentration).sum(-1) - _g.lgamma(a0)
                - (k - a0) * _g.digamma(a0)
                - ((self.concentration - 1.0) * _g.digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - _g.lgamma(x.sum(-1))
