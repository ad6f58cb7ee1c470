r"""Sets a value may live in, each able to test membership: ``constraint.check(value)``.

A constraint answers, per element of a batch, whether a value belongs to the set. Constraints
over vectors (``simplex``, ``one_hot``, ``real_vector``) look at the last dimension as one event
and return one boolean per vector: their ``event_dim`` is 1.

Distributions use them twice: ``arg_constraints`` says where each parameter must lie and
``support`` says where values given to ``log_prob`` must lie.

Example::

    >>> import gradstep
    >>> from gradstep.distributions import constraints
    >>> constraints.positive.check(gradstep.tensor([1.0, -1.0]))
    tensor([ True, False])
    >>> constraints.interval(0.0, 1.0)
    Interval(lower_bound=0.0, upper_bound=1.0)
"""
import gradstep

__all__ = ["Constraint", "boolean", "dependent", "dependent_property", "greater_than",
           "greater_than_eq", "half_open_interval", "independent", "integer_interval",
           "interval", "is_dependent", "less_than", "lower_cholesky", "lower_triangular",
           "nonnegative", "nonnegative_integer", "one_hot", "positive", "positive_definite",
           "positive_integer", "real", "real_vector", "simplex", "unit_interval"]


class Constraint:
    """A set of values.  ``check(value)`` is a boolean tensor over the batch dimensions.

    ``is_discrete`` says whether the set is countable; ``event_dim`` how many rightmost
    dimensions form one member of the set.
    """

    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def _arguments(self):
        return ""

    def __repr__(self):
        return f"{type(self).__name__.lstrip('_')}({self._arguments()})"


def _show(bound):
    """A bound as reprs print it: a 0-dim tensor as its number, anything else as itself."""
    if isinstance(bound, gradstep.Tensor) and bound.dim() == 0:
        return bound.item()
    return bound


def _is_integral(value):
    return value == gradstep.floor(value)


class _Real(Constraint):
    """Every real number except NaN (``x == x`` is false only for NaN)."""

    def check(self, value):
        return value == value


class _Boolean(Constraint):
    """{0, 1}."""

    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _Dependent(Constraint):
    """A placeholder for a set that depends on other parameters; it cannot be checked."""

    def __init__(self, *, is_discrete=False, event_dim=0):
        self.is_discrete = is_discrete
        self.event_dim = event_dim

    def __call__(self, *, is_discrete=False, event_dim=0):
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, value):
        raise ValueError("Cannot determine validity of dependent constraint")


class dependent_property(property):
    """A property whose set depends on the instance (``Uniform.support``)."""

    def __init__(self, fget=None, *, is_discrete=False, event_dim=0):
        super().__init__(fget)
        self.is_discrete = is_discrete
        self.event_dim = event_dim

    def __call__(self, fget):
        """Used as ``@dependent_property(is_discrete=True)``: wrap the decorated getter."""
        return dependent_property(fget, is_discrete=self.is_discrete, event_dim=self.event_dim)


def is_dependent(constraint):
    """Whether ``constraint`` is a placeholder that cannot be checked."""
    return isinstance(constraint, _Dependent)


class _GreaterThan(Constraint):
    """(lower_bound, inf)."""

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return value > self.lower_bound

    def _arguments(self):
        return f"lower_bound={_show(self.lower_bound)}"


class _GreaterThanEq(_GreaterThan):
    """[lower_bound, inf)."""

    def check(self, value):
        return value >= self.lower_bound


class _LessThan(Constraint):
    """(-inf, upper_bound)."""

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return value < self.upper_bound

    def _arguments(self):
        return f"upper_bound={_show(self.upper_bound)}"


class _Interval(Constraint):
    """[lower_bound, upper_bound]."""

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value):
        return (value >= self.lower_bound) & (value <= self.upper_bound)

    def _arguments(self):
        return f"lower_bound={_show(self.lower_bound)}, upper_bound={_show(self.upper_bound)}"


class _HalfOpenInterval(_Interval):
    """[lower_bound, upper_bound)."""

    def check(self, value):
        return (value >= self.lower_bound) & (value < self.upper_bound)


class _IntegerInterval(_Interval):
    """{lower_bound, lower_bound + 1, ..., upper_bound}."""

    is_discrete = True

    def check(self, value):
        return _is_integral(value) & super().check(value)


class _IntegerGreaterThan(_GreaterThan):
    """{lower_bound, lower_bound + 1, ...}."""

    is_discrete = True

    def check(self, value):
        return _is_integral(value) & (value >= self.lower_bound)


class _Simplex(Constraint):
    r"""Vectors with :math:`x_i \ge 0` and :math:`|\sum_i x_i - 1| < 10^{-6}`."""

    event_dim = 1

    def check(self, value):
        nonnegative_entries = (value >= 0).all(-1)
        sums_to_one = (value.sum(-1) - 1).abs() < 1e-6
        return nonnegative_entries & sums_to_one


class _OneHot(Constraint):
    """Vectors of zeros with a single one."""

    is_discrete = True
    event_dim = 1

    def check(self, value):
        zeros_and_ones = ((value == 0) | (value == 1)).all(-1)
        return zeros_and_ones & (value.sum(-1) == 1)


class _LowerTriangular(Constraint):
    """Square matrices with zeros above the diagonal."""

    event_dim = 2

    def check(self, value):
        return (value.tril() == value).flatten(-2).all(-1)


class _LowerCholesky(Constraint):
    """Lower-triangular matrices with a positive diagonal: Cholesky factors."""

    event_dim = 2

    def check(self, value):
        lower = (value.tril() == value).flatten(-2).all(-1)
        positive_diagonal = (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)
        return lower & positive_diagonal


class _PositiveDefinite(Constraint):
    r"""Symmetric matrices (:math:`A \approx A^T` elementwise, as ``isclose``) whose Cholesky
    factorization exists, i.e. every eigenvalue is positive.

    As torch does, a batch holding any asymmetric matrix is answered by symmetry alone: its
    symmetric members pass without the eigenvalue test."""

    event_dim = 2

    def check(self, value):
        symmetric = gradstep.isclose(value, value.mT).flatten(-2).all(-1)
        if not bool(symmetric.all()):
            return symmetric
        _, info = gradstep.linalg.cholesky_ex(value.detach())
        return symmetric & (info == 0)


class _IndependentConstraint(Constraint):
    """``base`` on every element of the ``reinterpreted_batch_ndims`` rightmost dimensions."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value):
        ok = self.base_constraint.check(value)
        for _ in range(self.reinterpreted_batch_ndims):
            ok = ok.all(-1)
        return ok

    def __repr__(self):
        return (f"IndependentConstraint({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


real = _Real()
boolean = _Boolean()
dependent = _Dependent()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
simplex = _Simplex()
one_hot = _OneHot()
real_vector = _IndependentConstraint(real, 1)
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()

greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
independent = _IndependentConstraint
