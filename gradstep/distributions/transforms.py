r"""Invertible maps :math:`y = f(x)` and the change of variables they induce.

A ``Transform`` computes ``y = t(x)``, its inverse ``x = t.inv(y)`` and
``t.log_abs_det_jacobian(x, y)`` :math:`= \log|f'(x)|`, elementwise (``event_dim == 0``).  A
``TransformedDistribution`` pushes a base distribution through a list of transforms; its density
follows from the change of variables

.. math::
    \log p_Y(y) = \log p_X(f^{-1}(y)) - \log|f'(f^{-1}(y))|.

Example (the squashed Gaussian policy of soft actor-critic)::

    >>> import gradstep
    >>> from gradstep.distributions import Normal, TransformedDistribution, TanhTransform
    >>> d = TransformedDistribution(Normal(0.0, 1.0), [TanhTransform()])
    >>> d.log_prob(gradstep.tensor(0.0))
    tensor(-0.9189)
"""
import math
import numbers

import gradstep
import gradstep.nn.functional as F

from . import constraints
from .distribution import Distribution

__all__ = ["AffineTransform", "ComposeTransform", "ExpTransform", "SigmoidTransform",
           "TanhTransform", "Transform", "TransformedDistribution", "identity_transform"]

_LOG_2 = math.log(2.0)


class Transform:
    """An invertible elementwise map with a tractable log-Jacobian.

    Subclasses implement ``_call`` (forward), ``_inverse`` and ``log_abs_det_jacobian`` and set
    ``domain``, ``codomain``, ``bijective`` and ``sign`` (+1 increasing, -1 decreasing).
    """

    bijective = False
    event_dim = 0
    domain = constraints.real
    codomain = constraints.real

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size

    @property
    def sign(self):
        raise NotImplementedError

    @property
    def inv(self):
        """The inverse map, itself a ``Transform``."""
        return _InverseTransform(self)

    def __call__(self, x):
        return self._call(x)

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"{type(self).__name__}()"


class _InverseTransform(Transform):
    """``t.inv``: calls ``t``'s inverse; its log-Jacobian is minus ``t``'s at the swapped pair."""

    def __init__(self, transform):
        super().__init__()
        self._forward = transform

    @property
    def domain(self):
        return self._forward.codomain

    @property
    def codomain(self):
        return self._forward.domain

    @property
    def bijective(self):
        return self._forward.bijective

    @property
    def sign(self):
        return self._forward.sign

    @property
    def event_dim(self):
        return self._forward.event_dim

    @property
    def inv(self):
        return self._forward

    def __call__(self, y):
        return self._forward._inverse(y)

    def log_abs_det_jacobian(self, x, y):
        return -self._forward.log_abs_det_jacobian(y, x)

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._forward == other._forward

    __hash__ = object.__hash__

    def __repr__(self):
        return f"_InverseTransform({self._forward!r})"


class _Parameterless(Transform):
    """Transforms without parameters: all instances of one class are equal."""

    bijective = True
    sign = +1

    def __eq__(self, other):
        return type(other) is type(self)

    __hash__ = object.__hash__


class ExpTransform(_Parameterless):
    r""":math:`y = e^x`, :math:`\log|dy/dx| = x`."""

    codomain = constraints.positive

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class SigmoidTransform(_Parameterless):
    r""":math:`y = \sigma(x)`, :math:`\log|dy/dx| = \log\sigma(x) + \log\sigma(-x)
    = -\mathrm{softplus}(-x) - \mathrm{softplus}(x)`."""

    codomain = constraints.unit_interval

    @staticmethod
    def _clamp(y):
        """y kept inside (0, 1) as torch keeps probabilities: [tiny, 1 - eps] of y's dtype."""
        info = gradstep.finfo(y.dtype)
        return y.clamp(min=info.tiny, max=1 - info.eps)

    def _call(self, x):
        return self._clamp(gradstep.sigmoid(x))

    def _inverse(self, y):
        y = self._clamp(y)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x) - F.softplus(x)


class TanhTransform(_Parameterless):
    r""":math:`y = \tanh x`, :math:`\log|dy/dx| = \log(1 - \tanh^2 x)
    = 2(\log 2 - x - \mathrm{softplus}(-2x))`, the second form exact for large :math:`|x|`."""

    codomain = constraints.interval(-1.0, 1.0)

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return gradstep.atanh(y)

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (_LOG_2 - x - F.softplus(-2.0 * x))


class AffineTransform(Transform):
    r""":math:`y = \mathrm{loc} + \mathrm{scale}\cdot x`,
    :math:`\log|dy/dx| = \log|\mathrm{scale}|`.

    Args:
        loc (float or Tensor): shift
        scale (float or Tensor): multiplier (nonzero)
    """

    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size)
        self.loc, self.scale = loc, scale
        self._event_dim = event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Real):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        if isinstance(self.scale, numbers.Real):
            value = gradstep.full_like(x, math.log(abs(self.scale)))
        else:
            value = self.scale.abs().log()
        value = value.expand(tuple(gradstep.broadcast_shapes(value.shape, x.shape)))
        if self._event_dim:
            value = value.sum(tuple(range(-self._event_dim, 0)))
        return value

    def __eq__(self, other):
        if not isinstance(other, AffineTransform):
            return False
        return all(_same(a, b) for a, b in ((self.loc, other.loc), (self.scale, other.scale)))

    __hash__ = object.__hash__


def _same(a, b):
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return a == b
    return bool((gradstep.as_tensor(a) == gradstep.as_tensor(b)).all())


class ComposeTransform(Transform):
    """Apply ``parts`` left to right: ``ComposeTransform([f, g])(x) == g(f(x))``.

    Its log-Jacobian is the sum of the parts', each evaluated at its own input.
    """

    def __init__(self, parts, cache_size=0):
        super().__init__(cache_size)
        self.parts = list(parts)

    @property
    def domain(self):
        return self.parts[0].domain if self.parts else constraints.real

    @property
    def codomain(self):
        return self.parts[-1].codomain if self.parts else constraints.real

    @property
    def bijective(self):
        return all(p.bijective for p in self.parts)

    @property
    def sign(self):
        sign = 1
        for p in self.parts:
            sign = sign * p.sign
        return sign

    @property
    def event_dim(self):
        return max((p.event_dim for p in self.parts), default=0)

    @property
    def inv(self):
        return ComposeTransform([p.inv for p in reversed(self.parts)])

    def __call__(self, x):
        for p in self.parts:
            x = p(x)
        return x

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return gradstep.zeros_like(x)
        total = 0
        for p in self.parts:
            y = p(x)
            total = total + p.log_abs_det_jacobian(x, y)
            x = y
        return total

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    def __repr__(self):
        inner = ",\n    ".join(repr(p) for p in self.parts)
        return f"{type(self).__name__}(\n    {inner}\n)"


identity_transform = ComposeTransform([])


class TransformedDistribution(Distribution):
    r"""The law of :math:`y = f_n(\cdots f_1(x))` for :math:`x` drawn from ``base_distribution``.

    .. math::
        \log p(y) = \log p_{\text{base}}(x_0) - \sum_i \log|f_i'(x_{i-1})|,
        \qquad x_n = y,\ x_{i-1} = f_i^{-1}(x_i)

    Samples push base samples through the transforms, so ``rsample`` is differentiable when the
    base's is.  Moments and entropy have no closed form and raise ``NotImplementedError``.

    Args:
        base_distribution (Distribution): the law of :math:`x`
        transforms (Transform or list of Transform): :math:`f_1, \dots, f_n`, applied in order
    """

    arg_constraints = {}

    def __init__(self, base_distribution, transforms, validate_args=None):
        if isinstance(transforms, Transform):
            transforms = [transforms]
        elif isinstance(transforms, list):
            if not all(isinstance(t, Transform) for t in transforms):
                raise ValueError("transforms must be a Transform or a list of Transforms")
        else:
            raise ValueError(f"transforms must be a Transform or list, but was {transforms}")
        self.base_dist = base_distribution
        self.transforms = transforms
        super().__init__(base_distribution.batch_shape, base_distribution.event_shape,
                         validate_args)

    def expand(self, batch_shape, _instance=None):
        new = type(self).__new__(type(self))
        new.base_dist = self.base_dist.expand(batch_shape)
        new.transforms = self.transforms
        Distribution.__init__(new, gradstep.Size(batch_shape), self._event_shape, False)
        if "_validate_args" in vars(self):
            new._validate_args = self._validate_args
        return new

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def support(self):
        return self.transforms[-1].codomain if self.transforms else self.base_dist.support

    def rsample(self, sample_shape=gradstep.Size()):
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def sample(self, sample_shape=gradstep.Size()):
        with gradstep.no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
            return x

    def log_prob(self, value):
        if self._validating:
            self._validate_sample(value)
        y, total = value, 0.0
        for t in reversed(self.transforms):
            x = t.inv(y)
            total = total - t.log_abs_det_jacobian(x, y)
            y = x
        return total + self.base_dist.log_prob(y)

    def _monotone_sign(self):
        sign = 1
        for t in self.transforms:
            sign = sign * t.sign
        if isinstance(sign, gradstep.Tensor):
            sign = int(sign.item()) if sign.numel() == 1 else sign
        return sign

    def cdf(self, value):
        """The base cdf at the pre-image, flipped when the composed map is decreasing."""
        for t in reversed(self.transforms):
            value = t.inv(value)
        if self._validating:
            self.base_dist._validate_sample(value)
        value = self.base_dist.cdf(value)
        sign = self._monotone_sign()
        return value if isinstance(sign, int) and sign == 1 else sign * (value - 0.5) + 0.5

    def icdf(self, value):
        sign = self._monotone_sign()
        if not (isinstance(sign, int) and sign == 1):
            value = sign * (value - 0.5) + 0.5
        value = self.base_dist.icdf(value)
        for t in self.transforms:
            value = t(value)
        return value
