r"""Families over vectors: the multivariate normal and the Dirichlet.

Both have ``event_shape == (k,)``: ``log_prob`` and ``entropy`` return one number per batch
element, and their parameters carry the event dimensions (``loc`` ends in ``k``, a covariance in
``k x k``, a concentration in ``k``).

The multivariate normal is held by its Cholesky factor :math:`L` (:math:`\Sigma = L L^T`), kept
unbroadcast so that one shared covariance is factored once; every formula is a triangular solve
or a sum over :math:`\operatorname{diag} L`, all differentiable.

Example::

    >>> import gradstep
    >>> from gradstep.distributions import MultivariateNormal
    >>> d = MultivariateNormal(gradstep.zeros(2), scale_tril=gradstep.eye(2))
    >>> d.log_prob(gradstep.zeros(2))
    tensor(-1.8379)
"""
import math

import gradstep

from . import constraints
from ._gamma_math import StandardGamma
from .discrete import _Lazy
from .distribution import Distribution

__all__ = ["MultivariateNormal", "Dirichlet"]

_LOG_2PI = math.log(2 * math.pi)
_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


def _require_tensor(value):
    if not isinstance(value, gradstep.Tensor):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute 'dim'")
    return value


def _broadcast_shape(*shapes):
    return tuple(gradstep.broadcast_shapes(*shapes))


def _lower_inverse(tril):
    """:math:`L^{-1}` for lower-triangular :math:`L`."""
    eye = gradstep.eye(tril.shape[-1], dtype=tril.dtype).expand(tril.shape)
    return gradstep.linalg.solve_triangular(tril, eye, upper=False)


def _solve_lower(tril, rhs):
    r""":math:`L^{-1} b` for each vector ``b`` along the last dimension of ``rhs``; the batch
    dimensions of ``tril`` and ``rhs`` broadcast."""
    batch = _broadcast_shape(tuple(tril.shape[:-2]), tuple(rhs.shape[:-1]))
    k = tril.shape[-1]
    tril = tril.expand(batch + (k, k))
    rhs = rhs.expand(batch + (k,)).unsqueeze(-1)
    return gradstep.linalg.solve_triangular(tril, rhs, upper=False).squeeze(-1)


def _half_log_det(tril):
    r""":math:`\tfrac12 \log|\Sigma| = \sum_i \log L_{ii}`."""
    return tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


class MultivariateNormal(Distribution):
    r"""The normal distribution over vectors :math:`\mathcal{N}(\mu, \Sigma)`, given by exactly
    one of its covariance :math:`\Sigma`, its precision :math:`\Sigma^{-1}` or the lower Cholesky
    factor :math:`L` of the covariance.

    With :math:`k` the dimension and :math:`z = L^{-1}(x - \mu)`,

    .. math::
        \log p(x) = -\tfrac12 \|z\|^2 - \sum_i \log L_{ii} - \tfrac{k}{2}\log 2\pi, \qquad
        H = \tfrac{k}{2}(1 + \log 2\pi) + \sum_i \log L_{ii}

    and reparameterized samples are :math:`\mu + L\varepsilon`, :math:`\varepsilon \sim
    \mathcal{N}(0, I)`.

    Args:
        loc (Tensor): mean :math:`\mu`, shape ``batch + (k,)``
        covariance_matrix (Tensor): positive-definite :math:`\Sigma`, shape ``batch + (k, k)``
        precision_matrix (Tensor): positive-definite :math:`\Sigma^{-1}`
        scale_tril (Tensor): lower-triangular :math:`L` with a positive diagonal

    The batch shapes of ``loc`` and the matrix broadcast.
    """

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        given = {name: value for name, value in zip(
            _MATRICES, (covariance_matrix, precision_matrix, scale_tril)) if value is not None}
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        if _require_tensor(loc).dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        (name, matrix), = given.items()
        if _require_tensor(matrix).dim() < 2:
            label = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{label} must be at least two-dimensional, with optional leading "
                             "batch dimensions")
        batch = _broadcast_shape(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        setattr(self, name, matrix.expand(batch + tuple(matrix.shape[-2:])))
        self.loc = loc.expand(batch + tuple(loc.shape[-1:]))
        super().__init__(gradstep.Size(batch), gradstep.Size(loc.shape[-1:]), validate_args)
        if name == "scale_tril":
            self._tril = matrix
        elif name == "covariance_matrix":
            self._tril = gradstep.linalg.cholesky(matrix)
        else:
            # Sigma = P^{-1} = (L_P L_P^T)^{-1} = L_P^{-T} L_P^{-1}; then factor Sigma.
            inverse = _lower_inverse(gradstep.linalg.cholesky(matrix))
            self._tril = gradstep.linalg.cholesky(inverse.mT @ inverse)

    def expand(self, batch_shape, _instance=None):
        batch = tuple(batch_shape)
        new = type(self).__new__(type(self))
        new.loc = self.loc.expand(batch + tuple(self._event_shape))
        new._tril = self._tril
        k = self._event_shape[0]
        for name in _MATRICES:
            if name in vars(self):
                setattr(new, name, vars(self)[name].expand(batch + (k, k)))
        Distribution.__init__(new, gradstep.Size(batch), self._event_shape, False)
        if "_validate_args" in vars(self):
            new._validate_args = self._validate_args
        return new

    @property
    def _unbroadcasted_scale_tril(self):
        """:math:`L` with its own batch shape, before broadcasting against ``loc``."""
        return self._tril

    def _matrix_shape(self):
        k = self._event_shape[0]
        return tuple(self._batch_shape) + (k, k)

    @_Lazy
    def scale_tril(self):
        """The lower Cholesky factor :math:`L` of the covariance."""
        return self._tril.expand(self._matrix_shape())

    @_Lazy
    def covariance_matrix(self):
        r""":math:`\Sigma = L L^T`."""
        return (self._tril @ self._tril.mT).expand(self._matrix_shape())

    @_Lazy
    def precision_matrix(self):
        r""":math:`\Sigma^{-1} = L^{-T} L^{-1}`."""
        inverse = _lower_inverse(self._tril)
        return (inverse.mT @ inverse).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        r""":math:`\Sigma_{ii} = \sum_j L_{ij}^2`."""
        return (self._tril ** 2).sum(-1).expand(tuple(self._batch_shape)
                                                + tuple(self._event_shape))

    def rsample(self, sample_shape=gradstep.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        eps = gradstep.randn(shape, dtype=self.loc.dtype)
        return self.loc + (self._tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        z = _solve_lower(self._tril, value - self.loc)
        k = self._event_shape[0]
        return -0.5 * (k * _LOG_2PI + (z ** 2).sum(-1)) - _half_log_det(self._tril)

    def entropy(self):
        k = self._event_shape[0]
        value = 0.5 * k * (1.0 + _LOG_2PI) + _half_log_det(self._tril)
        return value.expand(tuple(self._batch_shape))


class Dirichlet(Distribution):
    r"""The Dirichlet distribution on the probability simplex, with concentrations
    :math:`\alpha_1, \dots, \alpha_k > 0` and :math:`\alpha_0 = \sum_i \alpha_i`.

    .. math::
        \log p(x) = \sum_i (\alpha_i - 1)\log x_i + \log\Gamma(\alpha_0)
                    - \sum_i \log\Gamma(\alpha_i), \\
        H = \sum_i \log\Gamma(\alpha_i) - \log\Gamma(\alpha_0) + (\alpha_0 - k)\psi(\alpha_0)
            - \sum_i (\alpha_i - 1)\psi(\alpha_i)

    Samples are independent Gamma(:math:`\alpha_i`, 1) draws divided by their sum; each draw
    carries its implicit reparameterization gradient, so ``rsample`` is differentiable.

    Args:
        concentration (Tensor): :math:`\alpha`, shape ``batch + (k,)``
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if _require_tensor(concentration).dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(gradstep.Size(concentration.shape[:-1]),
                         gradstep.Size(concentration.shape[-1:]), validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_given_parameters(batch_shape)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        r""":math:`(\alpha_i - 1)^+ / \sum_j (\alpha_j - 1)^+`: NaN when no :math:`\alpha_i`
        exceeds 1.  When every :math:`\alpha_i < 1` the density peaks at each vertex; the first
        vertex :math:`(1, 0, \dots, 0)` is returned, as torch does."""
        excess = (self.concentration - 1).clamp(min=0)
        peak = excess / excess.sum(-1, keepdim=True)
        first_vertex = gradstep.zeros_like(peak)
        first_vertex[..., 0] = 1
        all_below = (self.concentration < 1).all(-1, keepdim=True)
        return gradstep.where(all_below, first_vertex, peak)

    @property
    def variance(self):
        a = self.concentration
        total = a.sum(-1, keepdim=True)
        return a * (total - a) / (total ** 2 * (total + 1))

    def rsample(self, sample_shape=gradstep.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        draws = StandardGamma.apply(self.concentration.expand(shape))
        x = draws / draws.sum(-1, keepdim=True)
        return x.clamp(min=gradstep.finfo(x.dtype).tiny)

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        a = self.concentration
        return (gradstep.xlogy(a - 1, value).sum(-1) + gradstep.lgamma(a.sum(-1))
                - gradstep.lgamma(a).sum(-1))

    def entropy(self):
        a = self.concentration
        k = a.shape[-1]
        total = a.sum(-1)
        psi = gradstep.digamma
        return (gradstep.lgamma(a).sum(-1) - gradstep.lgamma(total)
                + (total - k) * psi(total) - ((a - 1) * psi(a)).sum(-1))
