r"""Kullback-Leibler divergence :math:`KL(p \| q) = E_p[\log p(x) - \log q(x)]` between families.

``kl_divergence(p, q)`` looks the pair of types up in a registry filled with ``register_kl``;
the most specific registered pair (closest in both classes' method resolution orders) wins, so a
subclass of ``Normal`` reuses the Normal-Normal formula.  Closed forms below are per batch
element; ``Independent`` sums the base divergence over its event dimensions.

Example::

    >>> import gradstep
    >>> from gradstep.distributions import Normal, kl_divergence
    >>> kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))
    tensor(0.5000)
"""
import math

import gradstep
import gradstep.nn.functional as F

from .continuous import Exponential, Laplace, LogNormal, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .gamma_beta import Beta, Gamma
from .independent import Independent
from .multivariate import Dirichlet, MultivariateNormal, _half_log_det, _lower_inverse, _solve_lower

__all__ = ["kl_divergence", "register_kl"]

_FORMULAS = {}

# Families torch treats as exponential families: a pair of two different ones with no closed form
# is refused with a Bregman-divergence message rather than the generic one.
_EXPONENTIAL_FAMILIES = (Normal, Exponential, Gamma, Beta, Bernoulli, Dirichlet)
_EULER_GAMMA = 0.5772156649015329
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def register_kl(type_p, type_q):
    """Decorator registering ``fn(p, q)`` as KL(p || q) for ``p`` a ``type_p``, ``q`` a ``type_q``.

    Example::

        >>> @register_kl(Normal, Normal)
        ... def kl_normal_normal(p, q):
        ...     ...
    """
    if not isinstance(type_p, type):
        raise TypeError(f"Expected type_p to be a Distribution subclass but got {type_p}")
    if not isinstance(type_q, type):
        raise TypeError(f"Expected type_q to be a Distribution subclass but got {type_q}")

    def add(fn):
        _FORMULAS[type_p, type_q] = fn
        return fn
    return add


def _closest_formula(type_p, type_q):
    best, best_rank = None, None
    for (reg_p, reg_q), fn in _FORMULAS.items():
        if issubclass(type_p, reg_p) and issubclass(type_q, reg_q):
            rank = (type_p.__mro__.index(reg_p) + type_q.__mro__.index(reg_q),
                    type_p.__mro__.index(reg_p))
            if best_rank is None or rank < best_rank:
                best, best_rank = fn, rank
    return best


def kl_divergence(p, q):
    r"""The divergence :math:`KL(p \| q)`, one value per batch element.

    Raises:
        NotImplementedError: when no formula is registered for the pair of types.
    """
    fn = _closest_formula(type(p), type(q))
    if fn is None and isinstance(p, _EXPONENTIAL_FAMILIES) and isinstance(
            q, _EXPONENTIAL_FAMILIES) and type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential "
                                  "families cannot" + " " * 29
                                  + "be computed using Bregman divergences")
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{type(p).__name__} and q type {type(q).__name__}")
    return fn(p, q)


def _infinite_where(mask, value):
    return gradstep.where(mask, gradstep.full_like(value, float("inf")), value)


def _zero_where(mask, value):
    return gradstep.where(mask, gradstep.zeros_like(value), value)


@register_kl(Normal, Normal)
def _normal_normal(p, q):
    r""":math:`\log\frac{\sigma_q}{\sigma_p} + \frac{\sigma_p^2 + (\mu_p-\mu_q)^2}{2\sigma_q^2}
    - \tfrac12`, written with :math:`r = (\sigma_p/\sigma_q)^2`."""
    ratio = (p.scale / q.scale) ** 2
    shift = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (ratio + shift - 1 - ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _bernoulli_bernoulli(p, q):
    r""":math:`p\log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}`, the logs of probabilities written
    as :math:`\log\sigma(\ell) = -\mathrm{softplus}(-\ell)` for stability."""
    log_ratio_one = F.softplus(-q.logits) - F.softplus(-p.logits)
    log_ratio_zero = F.softplus(q.logits) - F.softplus(p.logits)
    ones = p.probs * log_ratio_one
    ones = _zero_where(p.probs == 0, _infinite_where(q.probs == 0, ones))
    zeros = (1 - p.probs) * log_ratio_zero
    zeros = _zero_where(p.probs == 1, _infinite_where(q.probs == 1, zeros))
    return ones + zeros


def _categorical_terms(p, q):
    terms = p.probs * (p.logits - q.logits)
    terms = _infinite_where((q.probs == 0).expand_as(terms), terms)
    return _zero_where((p.probs == 0).expand_as(terms), terms)


@register_kl(Categorical, Categorical)
def _categorical_categorical(p, q):
    r""":math:`\sum_k p_k (\log p_k - \log q_k)`: infinite where :math:`q_k = 0 < p_k`."""
    return _categorical_terms(p, q).sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _onehot_onehot(p, q):
    return _categorical_categorical(p._categorical, q._categorical)


@register_kl(Uniform, Uniform)
def _uniform_uniform(p, q):
    r""":math:`\log\frac{b_q - a_q}{b_p - a_p}` when :math:`[a_p, b_p] \subseteq [a_q, b_q]`,
    else infinite."""
    value = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low > p.low) | (q.high < p.high)
    return _infinite_where(outside, value)


@register_kl(Exponential, Exponential)
def _exponential_exponential(p, q):
    r""":math:`\log\frac{\lambda_p}{\lambda_q} + \frac{\lambda_q}{\lambda_p} - 1`."""
    ratio = q.rate / p.rate
    return ratio - ratio.log() - 1


@register_kl(Laplace, Laplace)
def _laplace_laplace(p, q):
    r""":math:`\log\frac{b_q}{b_p} + \frac{|\mu_p - \mu_q|}{b_q}
    + \frac{b_p}{b_q} e^{-|\mu_p - \mu_q| / b_p} - 1`."""
    ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs()
    return -ratio.log() + distance / q.scale + ratio * (-distance / p.scale).exp() - 1


@register_kl(Gamma, Gamma)
def _gamma_gamma(p, q):
    r""":math:`(\alpha_p - \alpha_q)\psi(\alpha_p) - \log\Gamma(\alpha_p) + \log\Gamma(\alpha_q)
    + \alpha_q \log\frac{\beta_p}{\beta_q} + \alpha_p\frac{\beta_q - \beta_p}{\beta_p}`."""
    ap, aq, bp, bq = p.concentration, q.concentration, p.rate, q.rate
    return ((ap - aq) * gradstep.digamma(ap) - gradstep.lgamma(ap) + gradstep.lgamma(aq)
            + aq * (bp.log() - bq.log()) + ap * (bq - bp) / bp)


@register_kl(Beta, Beta)
def _beta_beta(p, q):
    r""":math:`\log\frac{B(a_q, b_q)}{B(a_p, b_p)} + (a_p - a_q)\psi(a_p) + (b_p - b_q)\psi(b_p)
    + (a_q - a_p + b_q - b_p)\psi(a_p + b_p)`."""
    ap, bp, aq, bq = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    lgamma, psi = gradstep.lgamma, gradstep.digamma
    log_b_ratio = (lgamma(aq) + lgamma(bq) - lgamma(aq + bq)) - (
        lgamma(ap) + lgamma(bp) - lgamma(ap + bp))
    return (log_b_ratio + (ap - aq) * psi(ap) + (bp - bq) * psi(bp)
            + (aq - ap + bq - bp) * psi(ap + bp))


@register_kl(Independent, Independent)
def _independent_independent(p, q):
    n = p.reinterpreted_batch_ndims
    if n != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    value = kl_divergence(p.base_dist, q.base_dist)
    return value.sum(tuple(range(-n, 0))) if n > 0 else value


@register_kl(MultivariateNormal, MultivariateNormal)
def _mvn_mvn(p, q):
    r""":math:`\tfrac12\left(\operatorname{tr}(\Sigma_q^{-1}\Sigma_p)
    + (\mu_q - \mu_p)^T\Sigma_q^{-1}(\mu_q - \mu_p) - k + \log\frac{|\Sigma_q|}{|\Sigma_p|}\right)`,
    the trace as :math:`\|L_q^{-1} L_p\|_F^2` and the quadratic form as
    :math:`\|L_q^{-1}(\mu_q - \mu_p)\|^2`."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with                  "
                         "        different event shapes cannot be computed")
    k = p.event_shape[0]
    trace = ((_lower_inverse(q._tril) @ p._tril) ** 2).sum((-2, -1))
    shift = (_solve_lower(q._tril, q.loc - p.loc) ** 2).sum(-1)
    log_det_ratio = _half_log_det(q._tril) - _half_log_det(p._tril)
    batch = tuple(gradstep.broadcast_shapes(p.batch_shape, q.batch_shape))
    return (log_det_ratio + 0.5 * (trace + shift - k)).expand(batch)


@register_kl(Dirichlet, Dirichlet)
def _dirichlet_dirichlet(p, q):
    r""":math:`\log\Gamma(\alpha_0) - \log\Gamma(\beta_0)
    - \sum_i (\log\Gamma(\alpha_i) - \log\Gamma(\beta_i))
    + \sum_i (\alpha_i - \beta_i)(\psi(\alpha_i) - \psi(\alpha_0))` for :math:`p` with
    concentrations :math:`\alpha`, :math:`q` with :math:`\beta`."""
    a, b = p.concentration, q.concentration
    a0, b0 = a.sum(-1), b.sum(-1)
    lgamma, psi = gradstep.lgamma, gradstep.digamma
    return (lgamma(a0) - lgamma(b0) - (lgamma(a) - lgamma(b)).sum(-1)
            + ((a - b) * (psi(a) - psi(a0).unsqueeze(-1))).sum(-1))


# ---- cross-family pairs -------------------------------------------------------------------------
# Each is E_p[log p] - E_p[log q] = -H(p) - E_p[log q], with the moments of p that log q needs.


def _infinite_like(value):
    """Infinite divergence (support of p not inside support of q), shaped like p's batch."""
    return gradstep.full_like(value.detach(), float("inf"))


def _normal_log_q_quadratic(q, mean, second_moment_about_mean):
    r""":math:`-E_p[\log\mathcal{N}(x;\mu,\sigma^2)] = \log\sigma + \tfrac12\log 2\pi
    + \frac{E_p(x-\mu)^2}{2\sigma^2}`, with :math:`E_p(x-\mu)^2 = Var_p + (E_p x - \mu)^2`."""
    return (q.scale.log() + _HALF_LOG_2PI
            + (second_moment_about_mean + (mean - q.loc) ** 2) / (2 * q.scale ** 2))


def _gamma_neg_log_q(q, mean, mean_log):
    r""":math:`-E_p[\log\mathrm{Gamma}(x;\alpha,\beta)] = \log\Gamma(\alpha) - \alpha\log\beta
    - (\alpha - 1) E_p\log x + \beta E_p x`."""
    a, b = q.concentration, q.rate
    return gradstep.lgamma(a) - a * b.log() - (a - 1) * mean_log + b * mean


def _beta_moments(p):
    a, b = p.concentration1, p.concentration0
    total = a + b
    mean = a / total
    variance = a * b / (total ** 2 * (total + 1))
    mean_log = gradstep.digamma(a) - gradstep.digamma(total)
    return mean, variance, mean_log


def _uniform_mean_log(low, high):
    r""":math:`E\log x = \frac{h\log h - h - l\log l + l}{h - l}` for :math:`x \sim U(l, h)`."""
    return (gradstep.xlogy(high, high) - high - gradstep.xlogy(low, low) + low) / (high - low)


@register_kl(LogNormal, LogNormal)
def _lognormal_lognormal(p, q):
    """The logarithm is a bijection, so the divergence is that of the underlying Normals."""
    return _normal_normal(p.base_dist, q.base_dist)


@register_kl(Normal, Laplace)
def _normal_laplace(p, q):
    r""":math:`\log\frac{2b}{\sigma\sqrt{2\pi}} - \tfrac12 + \frac{E|x - m|}{b}` with
    :math:`E|x - m| = \sigma\sqrt{2/\pi}\,e^{-d^2/2\sigma^2} + d\,\mathrm{erf}(d/\sigma\sqrt2)`,
    :math:`d = \mu - m`."""
    d = p.loc - q.loc
    abs_mean = (p.scale * math.sqrt(2 / math.pi) * (-0.5 * (d / p.scale) ** 2).exp()
                + d * gradstep.erf(d / (p.scale * math.sqrt(2))))
    return -p.entropy() + (2 * q.scale).log() + abs_mean / q.scale


@register_kl(Laplace, Normal)
def _laplace_normal(p, q):
    r""":math:`-H(p) + \log\sigma\sqrt{2\pi} + \frac{2b^2 + (\mu - m)^2}{2\sigma^2}`."""
    return -p.entropy() + _normal_log_q_quadratic(q, p.loc, 2 * p.scale ** 2)


@register_kl(Exponential, Normal)
def _exponential_normal(p, q):
    r""":math:`\log\lambda - 1 + \log\sigma\sqrt{2\pi} + \frac{1/\lambda^2 + (1/\lambda - \mu)^2}
    {2\sigma^2}`."""
    mean = p.rate.reciprocal()
    return -p.entropy() + _normal_log_q_quadratic(q, mean, mean ** 2)


@register_kl(Gamma, Normal)
def _gamma_normal(p, q):
    r""":math:`-H(p) + \log\sigma\sqrt{2\pi} + \frac{\alpha/\beta^2 + (\alpha/\beta - \mu)^2}
    {2\sigma^2}`."""
    a, b = p.concentration, p.rate
    return -p.entropy() + _normal_log_q_quadratic(q, a / b, a / b ** 2)


@register_kl(Beta, Normal)
def _beta_normal(p, q):
    r""":math:`-H(p) + \log\sigma\sqrt{2\pi} + \frac{Var_p + (E_p x - \mu)^2}{2\sigma^2}`."""
    mean, variance, _ = _beta_moments(p)
    return -p.entropy() + _normal_log_q_quadratic(q, mean, variance)


@register_kl(Uniform, Normal)
def _uniform_normal(p, q):
    r""":math:`-\log(h - l) + \log\sigma\sqrt{2\pi} + \frac{(h-l)^2/12 + ((h+l)/2 - \mu)^2}
    {2\sigma^2}`."""
    width = p.high - p.low
    return -p.entropy() + _normal_log_q_quadratic(q, (p.high + p.low) / 2, width ** 2 / 12)


@register_kl(Exponential, Gamma)
def _exponential_gamma(p, q):
    r""":math:`\alpha\log\frac{\lambda}{\beta} + \log\Gamma(\alpha) + (\alpha - 1)\gamma_E
    + \frac{\beta}{\lambda} - 1`, using :math:`E\log x = -\gamma_E - \log\lambda`."""
    mean_log = -_EULER_GAMMA - p.rate.log()
    return -p.entropy() + _gamma_neg_log_q(q, p.rate.reciprocal(), mean_log)


@register_kl(Gamma, Exponential)
def _gamma_exponential(p, q):
    r""":math:`-H(p) - \log\lambda + \lambda\alpha/\beta`."""
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


@register_kl(Beta, Exponential)
def _beta_exponential(p, q):
    r""":math:`-H(p) - \log\lambda + \lambda\frac{a}{a + b}`."""
    mean, _, _ = _beta_moments(p)
    return -p.entropy() - q.rate.log() + q.rate * mean


@register_kl(Beta, Gamma)
def _beta_gamma(p, q):
    r""":math:`-H(p) + \log\Gamma(\alpha) - \alpha\log\beta - (\alpha-1)(\psi(a) - \psi(a+b))
    + \beta\frac{a}{a+b}`."""
    mean, _, mean_log = _beta_moments(p)
    return -p.entropy() + _gamma_neg_log_q(q, mean, mean_log)


@register_kl(Beta, Uniform)
def _beta_uniform(p, q):
    r""":math:`-H(p) + \log(h - l)`, infinite unless :math:`[0, 1] \subseteq [l, h]`."""
    value = -p.entropy() + (q.high - q.low).log()
    return _infinite_where((q.low > 0) | (q.high < 1), value)


@register_kl(Uniform, Beta)
def _uniform_beta(p, q):
    r""":math:`-\log(h - l) + \log B(a, b) - (a - 1)E\log x - (b - 1)E\log(1 - x)`, infinite
    unless :math:`[l, h] \subseteq [0, 1]`; :math:`E\log(1-x)` is :math:`E\log y` for
    :math:`y \sim U(1 - h, 1 - l)`."""
    a, b = q.concentration1, q.concentration0
    log_beta = gradstep.lgamma(a) + gradstep.lgamma(b) - gradstep.lgamma(a + b)
    value = (-p.entropy() + log_beta - (a - 1) * _uniform_mean_log(p.low, p.high)
             - (b - 1) * _uniform_mean_log(1 - p.high, 1 - p.low))
    return _infinite_where((p.low < 0) | (p.high > 1), value)


@register_kl(Uniform, Exponential)
def _uniform_exponential(p, q):
    r""":math:`-\log(h - l) - \log\lambda + \lambda\frac{h + l}{2}`, infinite where :math:`l < 0`."""
    value = -p.entropy() - q.rate.log() + q.rate * (p.high + p.low) / 2
    return _infinite_where(p.low < 0, value)


@register_kl(Uniform, Gamma)
def _uniform_gamma(p, q):
    r""":math:`-\log(h - l) + \log\Gamma(\alpha) - \alpha\log\beta - (\alpha - 1)E\log x
    + \beta\frac{h + l}{2}`, infinite where :math:`l < 0`."""
    value = -p.entropy() + _gamma_neg_log_q(q, (p.high + p.low) / 2,
                                            _uniform_mean_log(p.low, p.high))
    return _infinite_where(p.low < 0, value)


def _register_infinite(type_p, type_q, param):
    @register_kl(type_p, type_q)
    def infinite(p, q):
        return _infinite_like(getattr(p, param))
    infinite.__doc__ = (f"Infinite: the support of {type_p.__name__} is not contained in that of "
                        f"{type_q.__name__}.")
    return infinite


for _type_p, _param, _types_q in [(Normal, "loc", (Uniform, Exponential, Gamma, Beta)),
                                  (Laplace, "loc", (Uniform, Exponential, Gamma, Beta)),
                                  (Exponential, "rate", (Uniform, Beta)),
                                  (Gamma, "concentration", (Uniform, Beta))]:
    for _type_q in _types_q:
        _register_infinite(_type_p, _type_q, _param)
