r"""``gradstep.distributions``: torch.distributions' probability distributions.

Parameters broadcast to a ``batch_shape``; ``sample(sample_shape)`` gives
``sample_shape + batch_shape + event_shape``; ``log_prob``, ``entropy``, ``rsample`` and
``kl_divergence`` are built from gradstep's differentiable tensor ops, so a REINFORCE loss
``-dist.log_prob(action) * advantage`` or a VAE's ``kl_divergence(q, p).sum()`` backpropagates
into the parameters.

.. note::
   Samples come from gradstep's generator, whose streams differ from torch's (see
   ``gradstep._random``): the same seed gives different draws, the same distribution.
   ``MultivariateNormal`` is not provided yet (it needs a Cholesky factorization op).

Example::

    >>> import gradstep as torch
    >>> from gradstep.distributions import Categorical
    >>> logits = torch.zeros(4, requires_grad=True)
    >>> m = Categorical(logits=logits)
    >>> loss = -m.log_prob(torch.tensor(1)) * 2.0
    >>> loss.backward()
    >>> logits.grad
    tensor([ 0.5000, -1.5000,  0.5000,  0.5000])
"""
from . import constraints, transforms  # noqa: F401
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson
from .transformed_distribution import TransformedDistribution
from .transforms import (AffineTransform, ComposeTransform, ExpTransform,  # noqa: F401
                         SigmoidTransform, TanhTransform, Transform)
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Dirichlet", "Distribution",
           "ExponentialFamily", "Exponential", "Gamma", "Independent", "Laplace", "LogNormal",
           "Normal", "OneHotCategorical", "Poisson", "TransformedDistribution", "Uniform",
           "AffineTransform", "ComposeTransform", "ExpTransform", "SigmoidTransform",
           "TanhTransform", "Transform", "constraints", "transforms", "kl_divergence",
           "register_kl"]
