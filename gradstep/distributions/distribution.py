r"""The ``Distribution`` base class: shapes, sampling, validation and repr shared by every family.

Shapes.  A distribution holds a batch of independent distributions (``batch_shape``), each over
events of ``event_shape``.  ``sample(sample_shape)`` returns
``sample_shape + batch_shape + event_shape`` and ``log_prob(value)`` returns one number per
batch element, broadcasting ``value`` against ``batch_shape + event_shape``.

Validation.  Unless turned off (``validate_args=False`` or
``Distribution.set_default_validate_args(False)``), the constructor checks each parameter against
``arg_constraints`` and ``log_prob``/``cdf`` check their value against ``support``, raising
``ValueError`` with the offending values.

Example::

    >>> import gradstep
    >>> from gradstep.distributions import Normal
    >>> Normal(0.0, 1.0)
    Normal(loc: 0.0, scale: 1.0)
    >>> Normal(gradstep.zeros(3), 1.0).sample((2,)).shape
    torch.Size([2, 3])
"""
import numbers
import warnings

import gradstep

from . import constraints

__all__ = ["Distribution"]


def shown(value):
    """A parameter as reprs and messages print it: 0-dim as a number, else the tensor."""
    return value.item() if value.dim() == 0 else value


def as_parameters(*values):
    """Numbers and tensors as tensors of one broadcast shape.

    Tensors keep their dtype; numbers take the dtype of the first tensor given, or the default
    dtype when all are numbers.
    """
    tensors = [v for v in values if isinstance(v, gradstep.Tensor)]
    for v in values:
        if not isinstance(v, (numbers.Number, gradstep.Tensor)):
            raise ValueError("Input arguments must all be instances of Number, torch.Tensor or "
                             "objects implementing __torch_function__.")
    dtype = tensors[0].dtype if tensors else gradstep.get_default_dtype()
    made = [v if isinstance(v, gradstep.Tensor) else gradstep.tensor(v, dtype=dtype)
            for v in values]
    return gradstep.broadcast_tensors(*made)


def _fits(value_shape, target_shape):
    """Whether two shapes broadcast, reading from the right."""
    return all(a == b or a == 1 or b == 1
               for a, b in zip(reversed(value_shape), reversed(target_shape)))


class Distribution:
    """Base class: subclasses set ``arg_constraints`` and ``support`` and implement the math.

    Args:
        batch_shape (torch.Size): shape over which the parameters are batched
        event_shape (torch.Size): shape of one sample
        validate_args (bool, optional): check parameters and values (default: the global
            setting, on unless ``set_default_validate_args(False)``)
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_by_default = True

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for distributions built without ``validate_args``."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_by_default = value

    def __init__(self, batch_shape=gradstep.Size(), event_shape=gradstep.Size(),
                 validate_args=None):
        self._batch_shape = batch_shape
        self._event_shape = event_shape
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validating:
            self._check_parameters()

    @property
    def _validating(self):
        return vars(self).get("_validate_args", Distribution._validate_by_default)

    def _check_parameters(self):
        try:
            table = self.arg_constraints
        except NotImplementedError:
            table = {}
            warnings.warn(f"{type(self)} does not define `arg_constraints`. Please set "
                          "`arg_constraints = {}` or initialize the distribution with "
                          "`validate_args=False` to turn off validation.")
        for name, constraint in table.items():
            if constraints.is_dependent(constraint) or name not in vars(self):
                continue  # lazily derived parameters (probs from logits) are valid by design
            self._require(getattr(self, name), constraint, f"parameter {name}",
                          "to satisfy the constraint")

    def _require(self, value, constraint, what, relation):
        ok = constraint.check(value)
        if not bool(ok.all()):
            raise ValueError(f"Expected {what} ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) of distribution {self!r} {relation} "
                             f"{constraint!r}, but found invalid values:\n{shown(value)}")

    def _validate_sample(self, value):
        """Raise ``ValueError`` unless ``value`` is a tensor of a fitting shape in the support."""
        if not isinstance(value, gradstep.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        n_event = len(self._event_shape)
        trailing = value.shape[len(value.shape) - n_event:] if n_event else gradstep.Size()
        if tuple(trailing) != tuple(self._event_shape):
            raise ValueError("The right-most size of value must match event_shape: "
                             f"{value.shape} vs {self._event_shape}.")
        expected = gradstep.Size(tuple(self._batch_shape) + tuple(self._event_shape))
        if not _fits(value.shape, expected):
            raise ValueError("Value is not broadcastable with batch_shape+event_shape: "
                             f"{value.shape} vs {expected}.")
        self._require_support(value)

    def _require_support(self, value):
        support = self.support
        ok = support.check(value)
        if not bool(ok.all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) to be within the support ({support!r}) "
                             f"of the distribution {self!r}, but found invalid values:\n"
                             f"{shown(value)}")

    # ----- shapes -----

    @property
    def batch_shape(self):
        """Shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self):
        """Shape of a single sample (without batching)."""
        return self._event_shape

    def _extended_shape(self, sample_shape=gradstep.Size()):
        """``sample_shape + batch_shape + event_shape``."""
        return gradstep.Size(tuple(sample_shape) + tuple(self._batch_shape)
                             + tuple(self._event_shape))

    def expand(self, batch_shape, _instance=None):
        """A new distribution with parameters broadcast to ``batch_shape``."""
        raise NotImplementedError

    def _expand_given_parameters(self, batch_shape):
        """``expand`` for families whose state is their given parameters.

        Each parameter keeps its own event dimensions (read off its constraint's ``event_dim``):
        a ``Categorical``'s ``probs`` expand to ``batch_shape + (K,)``.
        """
        batch_shape = gradstep.Size(batch_shape)
        new = type(self).__new__(type(self))
        for name, constraint in self.arg_constraints.items():
            if name in vars(self):
                value = vars(self)[name]
                tail = tuple(value.shape[value.dim() - constraint.event_dim:]) \
                    if constraint.event_dim else ()
                setattr(new, name, value.expand(tuple(batch_shape) + tail))
        for name, value in vars(self).items():
            if name not in vars(new) and name not in ("_batch_shape", "_event_shape"):
                setattr(new, name, value)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        if "_validate_args" in vars(self):
            new._validate_args = self._validate_args
        return new

    # ----- the interface families implement -----

    @property
    def arg_constraints(self):
        """Parameter name -> the constraint it must satisfy."""
        raise NotImplementedError

    @property
    def support(self):
        """The constraint every value of ``log_prob`` must satisfy."""
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
        """Standard deviation, the square root of ``variance``."""
        return self.variance.sqrt()

    def sample(self, sample_shape=gradstep.Size()):
        """Draw ``sample_shape`` samples (no gradient flows into them)."""
        with gradstep.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=gradstep.Size()):
        """Draw samples as a differentiable function of the parameters."""
        raise NotImplementedError

    def sample_n(self, n):
        warnings.warn("sample_n will be deprecated. Use .sample((n,)) instead", UserWarning)
        return self.sample(gradstep.Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        """``exp(entropy)``."""
        return self.entropy().exp()

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    # ----- repr -----

    def __repr__(self):
        given = [name for name in self._repr_names() if name in vars(self)]
        body = ", ".join(f"{name}: {self._repr_value(vars(self)[name])}" for name in given)
        return f"{type(self).__name__}({body})"

    def _repr_names(self):
        try:
            return list(self.arg_constraints)
        except NotImplementedError:
            return []

    @staticmethod
    def _repr_value(value):
        return shown(value) if value.numel() == 1 else value.size()
