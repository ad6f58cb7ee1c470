r"""``Distribution``: the base class of every probability distribution.

A distribution has a ``batch_shape`` (independent, differently parameterised copies) and an
``event_shape`` (the shape of one draw). ``sample(sample_shape)`` returns a tensor of shape
``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` returns one number per event,
of shape ``broadcast(value.shape[:-len(event_shape)], batch_shape)``.

Validation (on by default, as in torch; switch it off with ``validate_args=False`` or
``Distribution.set_default_validate_args(False)``) checks every parameter against
``arg_constraints`` at construction and every value given to ``log_prob``/``cdf`` against
``support``, raising torch's ``ValueError`` messages.
"""
import warnings

import gradstep as _g

from . import constraints
from .utils import lazy_property

__all__ = ["Distribution"]


def _format_param(value):
    # torch prints a 0-dim parameter as a Python number, a one-element tensor as itself and
    # anything larger by its size
    if value.dim() == 0:
        return str(value.item())
    if value.numel() == 1:
        return str(value)
    return str(value.size())


def _format_invalid(value):
    return str(value.item()) if _g.is_tensor(value) and value.dim() == 0 else str(value)


class Distribution:
    r"""Base class for probability distributions.

    Args:
        batch_shape (torch.Size): the shape over which parameters are batched
        event_shape (torch.Size): the shape of a single sample (without batching)
        validate_args (bool, optional): whether to validate parameters and values
            (default: the class default, ``True`` unless ``set_default_validate_args``)
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Set whether validation is enabled or disabled by default."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=_g.Size(), event_shape=_g.Size(), validate_args=None):
        self._batch_shape = _g.Size(batch_shape)
        self._event_shape = _g.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(
                    f"{self.__class__} does not define `arg_constraints`. Please set "
                    "`arg_constraints = {}` or initialize the distribution with "
                    "`validate_args=False` to turn off validation.", stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue  # skip constraints that cannot be checked
                if param not in self.__dict__ and isinstance(getattr(type(self), param, None),
                                                             lazy_property):
                    continue  # skip checking lazily-constructed args
                value = getattr(self, param)
                valid = constraint.check(value)
                if not bool(valid.all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n"
                        f"{_format_invalid(value)}")
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """A new distribution with parameters expanded to ``batch_shape`` (no copies)."""
        raise NotImplementedError

    @property
    def batch_shape(self):
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self):
        """The shape of a single sample (without batching)."""
        return self._event_shape

    @property
    def arg_constraints(self):
        """A dict from parameter names to the constraints each must satisfy."""
        raise NotImplementedError

    @property
    def support(self):
        """The constraint describing this distribution's support."""
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=_g.Size()):
        """Draw ``sample_shape`` samples (no gradient flows through them)."""
        with _g.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=_g.Size()):
        """Draw ``sample_shape`` reparameterized samples (differentiable w.r.t. parameters)."""
        raise NotImplementedError

    def sample_n(self, n):
        """Draw ``n`` samples (deprecated: use ``sample((n,))``)."""
        warnings.warn("sample_n will be deprecated. Use .sample((n,)) instead", UserWarning,
                      stacklevel=2)
        return self.sample(_g.Size((n,)))

    def log_prob(self, value):
        """The log of the probability density/mass function at ``value``."""
        raise NotImplementedError

    def cdf(self, value):
        """The cumulative distribution function at ``value``."""
        raise NotImplementedError

    def icdf(self, value):
        """The inverse cumulative distribution function at ``value``."""
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        """All values of a discrete distribution's support, along a new leading dimension."""
        raise NotImplementedError

    def entropy(self):
        """The entropy, one number per batch element."""
        raise NotImplementedError

    def perplexity(self):
        """``exp(entropy)``."""
        return _g.exp(self.entropy())

    def _extended_shape(self, sample_shape=_g.Size()):
        if not isinstance(sample_shape, _g.Size):
            sample_shape = _g.Size(sample_shape)
        return _g.Size(sample_shape + self._batch_shape + self._event_shape)

    def _validate_sample(self, value):
        if not _g.is_tensor(value):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.size()) - len(self._event_shape)
        if value.size()[event_dim_start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{value.size()} vs {self._event_shape}.")
        actual_shape = value.size()
        expected_shape = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual_shape} vs {_g.Size(expected_shape)}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(
                f"{self.__class__} does not define `support` to enable sample validation. "
                "Please initialize the distribution with `validate_args=False` to turn off "
                "validation.", stacklevel=2)
            return
        assert support is not None
        valid = support.check(value)
        if not bool(valid.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{_format_invalid(value)}")

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom "
                "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self):
        param_names = [k for k, _ in self.arg_constraints.items() if k in self.__dict__]
        args_string = ", ".join(f"{p}: {_format_param(self.__dict__[p])}" for p in param_names)
        return self.__class__.__name__ + "(" + args_string + ")"
