r"""Discrete families: Bernoulli, Categorical and OneHotCategorical.

Each is given either ``probs`` or ``logits``, stores the one it was given, and derives the other
on first use (so ``repr`` shows the given one).  Log-probabilities are computed from logits with
fused, stable operations (``binary_cross_entropy_with_logits``, ``log_softmax`` via
``logsumexp``), so ``-dist.log_prob(action) * advantage`` (REINFORCE) has exact gradients even for
extreme logits.
"""
import numbers

import gradstep
import gradstep.nn.functional as F

from . import constraints
from .distribution import Distribution, as_parameters

__all__ = ["Bernoulli", "Categorical", "OneHotCategorical"]


def _one_of(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    return ("probs", probs) if probs is not None else ("logits", logits)


def _clamped_probs(probs):
    eps = gradstep.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


class _Lazy:
    """A derived attribute computed on first read and then cached on the instance."""

    def __init__(self, compute):
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self.compute(instance)
        vars(instance)[self.name] = value
        return value


class Bernoulli(Distribution):
    r"""The Bernoulli distribution: 1 with probability :math:`p`, 0 otherwise.

    With :math:`\ell = \log\frac{p}{1-p}` the logit,

    .. math::
        \log p(x) = x\log p + (1 - x)\log(1 - p) = -\mathrm{BCEWithLogits}(\ell, x), \qquad
        H = \mathrm{BCEWithLogits}(\ell, p)

    Args:
        probs (float or Tensor): probability :math:`p` of 1
        logits (float or Tensor): log-odds :math:`\ell` of 1 (give exactly one of the two)

    Example::

        >>> import gradstep
        >>> from gradstep.distributions import Bernoulli
        >>> Bernoulli(logits=gradstep.tensor([0.0])).log_prob(gradstep.tensor([1.0]))
        tensor([-0.6931])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, value = _one_of(probs, logits)
        (tensor,) = as_parameters(value)
        setattr(self, name, tensor)
        shape = gradstep.Size() if isinstance(value, numbers.Number) else tensor.shape
        super().__init__(shape, gradstep.Size(), validate_args)

    @_Lazy
    def probs(self):
        """Probability of 1: sigmoid of the logits."""
        return gradstep.sigmoid(self.logits)

    @_Lazy
    def logits(self):
        """Log-odds of 1, from probabilities clamped to [eps, 1 - eps]."""
        p = _clamped_probs(self.probs)
        return p.log() - gradstep.log1p(-p)

    @property
    def param_shape(self):
        return self._given().shape

    def _given(self):
        return vars(self)["probs"] if "probs" in vars(self) else vars(self)["logits"]

    def expand(self, batch_shape, _instance=None):
        return self._expand_given_parameters(batch_shape)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        p = self.probs
        most_likely = (p >= 0.5).to(p.dtype)
        return gradstep.where(p == 0.5, gradstep.full_like(p, float("nan")), most_likely)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=gradstep.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        with gradstep.no_grad():
            return gradstep.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        logits, value = gradstep.broadcast_tensors(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        """The values 0 and 1 along a new first dimension, broadcastable over the batch."""
        values = gradstep.arange(2, dtype=self._given().dtype)
        values = values.reshape((2,) + (1,) * len(self._batch_shape))
        return values.expand((2,) + tuple(self._batch_shape)) if expand else values


class Categorical(Distribution):
    r"""A distribution over the category indices :math:`0, \dots, K-1`.

    ``probs`` are normalized along the last dimension, ``logits`` are unnormalized log-probabilities
    (normalized by subtracting their ``logsumexp``).

    .. math::
        \log p(k) = \ell_k - \log\sum_j e^{\ell_j}, \qquad H = -\sum_k p_k \log p_k

    Args:
        probs (Tensor): non-negative weights, last dimension the categories
        logits (Tensor): log-weights, last dimension the categories

    Example::

        >>> import gradstep
        >>> from gradstep.distributions import Categorical
        >>> Categorical(probs=gradstep.tensor([1.0, 3.0])).log_prob(gradstep.tensor(1))
        tensor(-0.2877)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, value = _one_of(probs, logits)
        if value.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if name == "probs":
            self.probs = value / value.sum(-1, keepdim=True)
        else:
            self.logits = value - value.logsumexp(-1, keepdim=True)
        self._num_events = value.shape[-1]
        super().__init__(value.shape[:-1], gradstep.Size(), validate_args)

    @_Lazy
    def probs(self):
        """Category probabilities: softmax of the logits."""
        return gradstep.softmax(self.logits, -1)

    @_Lazy
    def logits(self):
        """Normalized log-probabilities, from probabilities clamped to [eps, 1 - eps]."""
        return _clamped_probs(self.probs).log()

    @property
    def param_shape(self):
        given = vars(self)["probs"] if "probs" in vars(self) else vars(self)["logits"]
        return given.shape

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def expand(self, batch_shape, _instance=None):
        return self._expand_given_parameters(batch_shape)

    def _nan_batch(self):
        return gradstep.full(tuple(self._batch_shape), float("nan"), dtype=self.probs.dtype)

    @property
    def mean(self):
        return self._nan_batch()

    @property
    def variance(self):
        return self._nan_batch()

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=gradstep.Size()):
        sample_shape = tuple(sample_shape)
        n = 1
        for size in sample_shape:
            n *= size
        with gradstep.no_grad():
            rows = self.probs.reshape(-1, self._num_events)
            drawn = gradstep.multinomial(rows, n, True)  # (batch, n)
            return drawn.t().reshape(sample_shape + tuple(self._batch_shape))

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        index = value.long()
        shape = gradstep.broadcast_shapes(index.shape, self._batch_shape)
        table = self.logits.expand(tuple(shape) + (self._num_events,))
        picked = table.gather(-1, index.expand(shape).unsqueeze(-1))
        return picked.squeeze(-1)

    def entropy(self):
        lowest = gradstep.finfo(self.logits.dtype).min
        return -(self.probs * self.logits.clamp(min=lowest)).sum(-1)

    def enumerate_support(self, expand=True):
        """The indices 0..K-1 along a new first dimension, broadcastable over the batch."""
        k = self._num_events
        values = gradstep.arange(k).reshape((k,) + (1,) * len(self._batch_shape))
        return values.expand((k,) + tuple(self._batch_shape)) if expand else values


class OneHotCategorical(Distribution):
    r"""A ``Categorical`` whose samples are one-hot vectors of length :math:`K`.

    ``log_prob(x)`` reads the category of the one-hot ``x``; the event shape is ``(K,)``.

    Args:
        probs (Tensor): non-negative weights, last dimension the categories
        logits (Tensor): log-weights, last dimension the categories
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args)
        super().__init__(self._categorical.batch_shape,
                         gradstep.Size([self._categorical._num_events]), validate_args)

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, gradstep.Size(batch_shape), self._event_shape, False)
        if "_validate_args" in vars(self):
            new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        k = self._event_shape[0]
        return F.one_hot(self.probs.argmax(-1), k).to(self.probs.dtype)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=gradstep.Size()):
        k = self._event_shape[0]
        index = self._categorical.sample(sample_shape)
        return F.one_hot(index, k).to(self.probs.dtype)

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        """The K one-hot vectors along a new first dimension, broadcastable over the batch."""
        k = self._event_shape[0]
        values = gradstep.eye(k, dtype=self.probs.dtype)
        values = values.reshape((k,) + (1,) * len(self._batch_shape) + (k,))
        return values.expand((k,) + tuple(self._batch_shape) + (k,)) if expand else values
