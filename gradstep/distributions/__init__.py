r"""Probability distributions with differentiable ``log_prob``, ``entropy`` and ``rsample``.

The API is ``torch.distributions``': families built from parameters (numbers or tensors,
broadcast to one ``batch_shape``), ``sample``/``rsample``, ``log_prob``, ``entropy``, moments,
``cdf``/``icdf``, ``expand``, argument validation against ``constraints``, and
``kl_divergence`` between families.

Random streams are gradstep's (``gradstep.manual_seed``), not torch's: with the same seed the
samples differ from torch's, their distribution does not.

Example::

    >>> import gradstep
    >>> from gradstep.distributions import Categorical
    >>> logits = gradstep.tensor([0.5, -0.5], requires_grad=True)
    >>> loss = -Categorical(logits=logits).log_prob(gradstep.tensor(0)) * 2.0
    >>> loss.backward()
    >>> logits.grad
    tensor([-0.5379,  0.5379])
"""
from . import constraints, transforms
from .continuous import Exponential, Laplace, LogNormal, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .distribution import Distribution
from .gamma_beta import Beta, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate import Dirichlet, MultivariateNormal
from .transforms import (AffineTransform, ComposeTransform, ExpTransform, SigmoidTransform,
                         TanhTransform, Transform, TransformedDistribution)

__all__ = ["AffineTransform", "Bernoulli", "Beta", "Categorical", "ComposeTransform",
           "Dirichlet", "Distribution", "ExpTransform", "Exponential", "Gamma", "Independent",
           "Laplace", "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical",
           "SigmoidTransform", "TanhTransform", "Transform", "TransformedDistribution", "Uniform",
           "constraints", "kl_divergence", "register_kl", "transforms"]
