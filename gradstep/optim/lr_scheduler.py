r"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``.

Every scheduler writes ``group["lr"]`` of its optimizer's param groups, step by step, with the same
arithmetic as torch 2.13: the chainable schedulers (``StepLR``, ``ExponentialLR``,
``CosineAnnealingLR``, ...) update the *current* ``lr`` recursively, so several of them compose and
a script may write ``param_group["lr"]`` by hand; the deprecated ``step(epoch)`` form uses the
closed form where one exists. ``state_dict()`` holds every attribute but the optimizer.

Beyond torch, :func:`preview_schedule` returns the learning rate of every step of a schedule without
touching the user's optimizer, as numbers, a text table or a PNG plot.
"""
import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from functools import wraps
from weakref import ref

from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "LRScheduler",
]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)
_OVERRIDDEN_STEP_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
_GET_LR_WARNING = ("To get the last learning rate computed by the scheduler, "
                   "please use `get_last_lr()`.")

_inf = float("inf")


# --- param-group helpers -------------------------------------------------------------------------

def _copy(value):
    """A value safe to hand out: tensor learning rates are cloned, floats are immutable."""
    return value.clone() if isinstance(value, Tensor) else value


def _per_group(name, optimizer, value):
    """One value per param group: a list/tuple must match their number; a scalar is repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {n}.")
        return [_copy(v) for v in value]
    return [_copy(value) for _ in range(n)]


def _group_values(optimizer, key):
    """``[group[key] for group in param_groups]``, tensors cloned so callers never alias them."""
    return [_copy(group[key]) for group in optimizer.param_groups]


def _set_group_value(group, key, value):
    """Write ``group[key]``; a tensor entry is filled in place so references to it stay valid."""
    current = group[key]
    if isinstance(current, Tensor):
        current.fill_(value.item() if isinstance(value, Tensor) else value)
    else:
        group[key] = value


def _set_momentum(group, value, use_beta1):
    """Write the momentum a scheduler cycles: SGD-style ``momentum`` or Adam-style ``betas[0]``."""
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def _is_function(fn):
    """Plain functions and lambdas are not saved in state dicts; callable objects' __dict__ is."""
    return isinstance(fn, types.FunctionType)


def _mark_optimizer_steps(scheduler):
    """Wrap ``optimizer.step`` (on the instance) so it records that it ran.

    The first ``scheduler.step()`` after construction checks the flag to warn about the pre-1.1
    call order (scheduler before optimizer). The wrapper holds the optimizer weakly, so the
    optimizer does not keep itself alive through its own attribute.
    """
    opt = scheduler.optimizer
    if hasattr(opt.step, "_wrapped_by_lr_sched"):
        return
    opt_ref = ref(opt)
    func = opt.step.__func__

    @wraps(func)
    def wrapper(*args, **kwargs):
        o = opt_ref()
        o._opt_called = True
        return func.__get__(o, o.__class__)(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True
    opt.step = wrapper


def _warn_get_lr_outside_step(scheduler):
    if not scheduler._get_lr_called_within_step:
        warnings.warn(_GET_LR_WARNING, UserWarning, stacklevel=2)


# --- base class ----------------------------------------------------------------------------------

class LRScheduler:
    r"""Base class for all learning rate schedulers.

    Subclasses implement :meth:`get_lr` (and optionally ``_get_closed_form_lr`` for the deprecated
    ``step(epoch)``); the constructor records ``initial_lr`` in every param group (``base_lrs``)
    and takes the first step, so ``last_epoch`` is 0 afterwards.

    Args:
        optimizer (Optimizer): wrapped optimizer whose ``param_groups[i]["lr"]`` are scheduled
        last_epoch (int): index of the last epoch seen; ``-1`` (default) starts a new schedule,
            ``k >= 0`` resumes one (the param groups must then hold ``initial_lr``)

    .. warning::
        Constructing a scheduler overwrites ``param_group["lr"]``: when restoring a checkpoint,
        construct the scheduler *before* loading the optimizer's state dict.
    """

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", _copy(group["lr"]))
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0.\n"
                        "This typically happens when:\n"
                        "1. You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n"
                        "2. You're using last_epoch >= 0 for a fresh training run "
                        "(not recommended)")
        self.base_lrs = _group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _mark_optimizer_steps(self)
        self._initial_step()

    def _initial_step(self):
        """Reset the step count and take the constructor's step (``last_epoch`` -1 -> 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self):
        """Return the scheduler's state: every attribute except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Load a state returned by :meth:`state_dict`."""
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """Return the learning rates of the last step, one per param group."""
        return self._last_lr

    def get_lr(self):
        """Compute the next learning rate of every param group (use :meth:`get_last_lr` to read)."""
        raise NotImplementedError

    def step(self, epoch=None):
        """Advance the schedule by one step and write the new learning rates.

        Args:
            epoch (int, optional): deprecated; sets ``last_epoch`` and uses the closed form where
                the scheduler has one. Call ``step()`` after ``optimizer.step()`` instead.
        """
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn(_OVERRIDDEN_STEP_WARNING, UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(_ORDER_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            which = "shorter" if len(values) < len(groups) else "longer"
            raise ValueError(f"zip() argument 2 is {which} than argument 1")
        for group, lr in zip(groups, values):
            _set_group_value(group, "lr", lr)
        self._last_lr = _group_values(self.optimizer, "lr")


class _LRScheduler(LRScheduler):
    """Backward-compatible name of :class:`LRScheduler`."""


# --- lambda schedulers ---------------------------------------------------------------------------

def _lambdas(optimizer, lr_lambda):
    n = len(optimizer.param_groups)
    if not isinstance(lr_lambda, (list, tuple)):
        return [lr_lambda] * n
    if len(lr_lambda) != n:
        raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
    return list(lr_lambda)


class _LambdaStateMixin:
    """State dicts of lambda schedulers: functions are dropped, callable objects keep __dict__."""

    def state_dict(self):
        """Return the state; ``lr_lambdas`` holds each callable object's ``__dict__`` (or None)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if _is_function(fn) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        """Load a state; the saved ``__dict__`` of callable objects is restored into them."""
        lr_lambdas = state_dict.pop("lr_lambdas")
        self.__dict__.update(state_dict)
        state_dict["lr_lambdas"] = lr_lambdas  # leave the caller's dict as it was
        for fn, saved in zip(self.lr_lambdas, lr_lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_LambdaStateMixin, LRScheduler):
    r"""Set each group's learning rate to its initial lr times a function of the epoch.

    .. math:: \gamma_t = \gamma_0 \cdot \lambda(t)

    Args:
        optimizer (Optimizer): wrapped optimizer
        lr_lambda (function or list): factor as a function of the epoch, or one per param group
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Compute ``base_lr * lr_lambda(last_epoch)`` per group."""
        _warn_get_lr_outside_step(self)
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaStateMixin, LRScheduler):
    r"""Multiply each group's current learning rate by a function of the epoch, every step.

    .. math:: \gamma_t = \gamma_{t-1} \cdot \lambda(t)

    Args:
        optimizer (Optimizer): wrapped optimizer
        lr_lambda (function or list): factor as a function of the epoch, or one per param group
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Compute ``lr * lr_lambda(last_epoch)`` per group (the constructor's step keeps lr)."""
        _warn_get_lr_outside_step(self)
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


# --- step decays ---------------------------------------------------------------------------------

class StepLR(LRScheduler):
    r"""Decay each group's learning rate by ``gamma`` every ``step_size`` epochs.

    .. math:: \gamma_t = \gamma_0 \cdot \text{gamma}^{\lfloor t / \text{step\_size} \rfloor}

    Args:
        optimizer (Optimizer): wrapped optimizer
        step_size (int): period of the decay, in epochs
        gamma (float): multiplicative factor (default: 0.1)
        last_epoch (int): index of the last epoch (default: -1)

    Example:
        >>> import gradstep
        >>> opt = gradstep.optim.SGD([gradstep.zeros(1, requires_grad=True)], lr=100)
        >>> sched = gradstep.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
        >>> for epoch in range(5):
        ...     opt.step()
        ...     sched.step()
        ...     print(sched.get_last_lr())
        [100]
        [10.0]
        [10.0]
        [1.0]
        [1.0]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Multiply lr by gamma when ``last_epoch`` is a positive multiple of ``step_size``."""
        _warn_get_lr_outside_step(self)
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Decay each group's learning rate by ``gamma`` at each milestone epoch.

    .. math:: \gamma_t = \gamma_0 \cdot \text{gamma}^{|\{m \in \text{milestones} : m \le t\}|}

    Args:
        optimizer (Optimizer): wrapped optimizer
        milestones (iterable of int): epochs of the decays (a repeated milestone decays twice)
        gamma (float): multiplicative factor (default: 0.1)
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Multiply lr by ``gamma ** count`` at a milestone."""
        _warn_get_lr_outside_step(self)
        if self.last_epoch not in self.milestones:
            return _group_values(self.optimizer, "lr")
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    r"""Multiply each group's learning rate by ``factor`` until epoch ``total_iters``.

    .. math:: \gamma_t = \gamma_0 \cdot (\text{factor} \text{ if } t < \text{total\_iters}
              \text{ else } 1)

    Args:
        optimizer (Optimizer): wrapped optimizer
        factor (float): factor in [0, 1] (default: 1/3)
        total_iters (int): epochs during which the factor applies (default: 5)
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Scale by factor at epoch 0, undo it at ``total_iters``."""
        _warn_get_lr_outside_step(self)
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Ramp each group's learning-rate factor linearly from ``start_factor`` to ``end_factor``.

    .. math:: \gamma_t = \gamma_0 \left(s + (e - s) \frac{\min(t, T)}{T}\right)

    computed recursively from the current lr, as torch does.

    Args:
        optimizer (Optimizer): wrapped optimizer
        start_factor (float): factor at epoch 0, in (0, 1] (default: 1/3)
        end_factor (float): factor from epoch ``total_iters`` on, in [0, 1] (default: 1.0)
        total_iters (int): length of the ramp :math:`T` (default: 5)
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and "
                             "less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Scale lr by the ratio of consecutive ramp factors."""
        _warn_get_lr_outside_step(self)
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, "lr")
        delta = self.end_factor - self.start_factor
        ratio = 1.0 + delta / (self.total_iters * self.start_factor + (self.last_epoch - 1) * delta)
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Decay each group's learning rate by ``gamma`` every epoch.

    .. math:: \gamma_t = \gamma_0 \cdot \text{gamma}^t

    Args:
        optimizer (Optimizer): wrapped optimizer
        gamma (float): multiplicative factor
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Multiply lr by gamma (the constructor's step, also when resuming, keeps lr)."""
        _warn_get_lr_outside_step(self)
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Decay each group's learning rate polynomially to 0 over ``total_iters`` epochs.

    .. math:: \gamma_t = \gamma_0 \left(1 - \frac{\min(t, T)}{T}\right)^{\text{power}}

    computed recursively from the current lr, as torch does.

    Args:
        optimizer (Optimizer): wrapped optimizer
        total_iters (int): epochs of decay :math:`T` (default: 5)
        power (float): power of the polynomial (default: 1.0)
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Scale lr by the ratio of consecutive decay factors."""
        _warn_get_lr_outside_step(self)
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, "lr")
        factor = ((1.0 - self.last_epoch / self.total_iters)
                  / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal each group's learning rate along a cosine from its initial lr to ``eta_min``.

    .. math:: \gamma_t = \eta_{min} + (\gamma_{t-1} - \eta_{min})
              \frac{1 + \cos(\pi t / T_{max})}{1 + \cos(\pi (t - 1) / T_{max})}

    the recursive form torch uses (it follows manual lr changes; past ``T_max`` the cosine
    continues, rising back). It equals :math:`\eta_{min} + (\gamma_0 - \eta_{min})
    (1 + \cos(\pi t / T_{max}))/2` when nothing else changes the lr.

    Args:
        optimizer (Optimizer): wrapped optimizer
        T_max (int): half period, in epochs
        eta_min (float): minimum learning rate (default: 0.0)
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Compute the recursive cosine step (closed form on the first step after resuming)."""
        _warn_get_lr_outside_step(self)
        groups = self.optimizer.param_groups
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        if self._step_count == 1 and t > 0:
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                    for base_lr in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            # the trough: the ratio below would be 0/0
            return [group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (group["lr"] - eta_min) + eta_min for group in groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


# --- combinations --------------------------------------------------------------------------------

def _check_children(owner, optimizer, schedulers):
    name = type(owner).__name__
    for idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name} at index {idx} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support `ReduceLROnPlateau` scheduler as it "
                "requires additional kwargs to be specified when calling `step`, "
                f"but got one at index {idx} in the given schedulers sequence.")
        if optimizer != scheduler.optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but "
                f"got scheduler {type(scheduler).__name__} at index {idx} has "
                f"{scheduler.optimizer}, which is different from {type(optimizer).__name__}.")


class _ChildrenStateMixin:
    """State dicts of schedulers made of schedulers: each child contributes its own state dict."""

    def state_dict(self):
        """Return the state, with ``_schedulers`` holding each child's state dict."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        """Load a state, handing each child its own state dict."""
        children = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        state_dict["_schedulers"] = children  # leave the caller's dict as it was
        for scheduler, child_state in zip(self._schedulers, children):
            scheduler.load_state_dict(child_state)


class SequentialLR(_ChildrenStateMixin, LRScheduler):
    r"""Run schedulers one after another, switching at the milestone epochs.

    At a milestone the next scheduler starts from its own epoch 0 (its initial lrs).

    Args:
        optimizer (Optimizer): wrapped optimizer
        schedulers (list): schedulers of that optimizer, in order
        milestones (list of int): epochs at which to switch; one fewer than the schedulers
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        if len(schedulers) < 1:
            raise ValueError(f"{type(self).__name__} expects at least one scheduler, but got no "
                             "scheduler.")
        _check_children(self, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            _set_group_value(group, "lr", group["initial_lr"])
        # the children's constructors each took a step; take those back, then let only the
        # scheduler active at epoch 0 take it again
        self.recursive_undo()
        idx = bisect_right(milestones, 0)
        schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None):
        """Decrement ``last_epoch`` of every (nested) child scheduler."""
        target = self if sched is None else sched
        if hasattr(target, "_schedulers"):
            for s in target._schedulers:
                self.recursive_undo(s)
        elif hasattr(target, "last_epoch"):
            target.last_epoch -= 1

    def step(self):
        """Step the scheduler active at the new epoch (a new one starts at its epoch 0)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_ChildrenStateMixin, LRScheduler):
    r"""Step several schedulers together, each applying its change to the current lr.

    Args:
        schedulers (sequence): schedulers of one optimizer, stepped in this order
        optimizer (Optimizer, optional): that optimizer (default: the first scheduler's)
    """

    def __init__(self, schedulers, optimizer=None):
        if len(schedulers) < 1:
            raise ValueError(f"{type(self).__name__} expects at least one scheduler to be chained, "
                             "but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_children(self, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _group_values(schedulers[-1].optimizer, "lr")

    def step(self):
        """Step every chained scheduler in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _group_values(self._schedulers[-1].optimizer, "lr")


# --- metric-driven -------------------------------------------------------------------------------

class ReduceLROnPlateau(LRScheduler):
    r"""Reduce learning rates when a metric has stopped improving.

    After more than ``patience`` epochs without improvement, every group's lr becomes
    :math:`\max(\gamma \cdot \text{factor}, \text{min\_lr})` (unless the change is below ``eps``),
    then ``cooldown`` epochs pass before bad epochs count again. Improvement means
    ``a < best * (1 - threshold)`` (min, rel), ``a < best - threshold`` (min, abs),
    ``a > best * (1 + threshold)`` (max, rel) or ``a > best + threshold`` (max, abs).

    Args:
        optimizer (Optimizer): wrapped optimizer
        mode (str): ``"min"`` or ``"max"`` (default: ``"min"``)
        factor (float): reduction factor, < 1 (default: 0.1)
        patience (int): bad epochs tolerated before reducing (default: 10)
        threshold (float): least significant improvement (default: 1e-4)
        threshold_mode (str): ``"rel"`` or ``"abs"`` (default: ``"rel"``)
        cooldown (int): epochs to wait after a reduction (default: 0)
        min_lr (float or list): lower bound, or one per group (default: 0)
        eps (float): smaller lr changes are skipped (default: 1e-8)
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, "
                                 f"got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _group_values(optimizer, "lr")
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None):
        """Record one epoch's metric (a float or one-element tensor) and reduce lrs if due."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _group_values(self.optimizer, "lr")

    def _reduce_lr(self, epoch):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    "The number of param groups in the `optimizer` "
                    f"({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized "
                    f"({len(self.min_lrs)}), usually due to a new "
                    "param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length "
                    "of the `optimizer` param groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                _set_group_value(group, "lr", new_lr)

    @property
    def in_cooldown(self):
        """Whether the scheduler is waiting out a cooldown."""
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < best * (1.0 - self.threshold)
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.mode_worse = _inf if mode == "min" else -_inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict):
        """Load a state returned by :meth:`state_dict`."""
        self.__dict__.update(state_dict)
        self._init_is_better(mode=self.mode, threshold=self.threshold,
                             threshold_mode=self.threshold_mode)


# --- cyclical ------------------------------------------------------------------------------------

def _momentum_setup(scheduler, optimizer, base_momentum, max_momentum, last_epoch, save_base=True):
    """Validate momentum cycling and start every group at ``max_momentum`` (new schedules)."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option "
                         "enabled")
    scheduler.use_beta1 = "betas" in optimizer.defaults
    base = _per_group("base_momentum", optimizer, base_momentum)
    top = _per_group("max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for m, b, group in zip(top, base, optimizer.param_groups):
            _set_momentum(group, m, scheduler.use_beta1)
            group["max_momentum"] = m
            group["base_momentum"] = b
    return base, top


class CyclicLR(LRScheduler):
    r"""Cycle each group's learning rate between ``base_lr`` and ``max_lr`` (Smith, 2017).

    With :math:`c = \lfloor 1 + t / S \rfloor` (:math:`S` = ``step_size_up + step_size_down``) and
    :math:`x = 1 + t/S - c`, the height is :math:`x / r` while :math:`x \le r`
    (:math:`r` = up fraction) and :math:`(x - 1)/(r - 1)` after, and

    .. math:: \gamma_t = \text{base\_lr} + (\text{max\_lr} - \text{base\_lr}) \cdot h \cdot
              \text{scale\_fn}(c \text{ or } t)

    Momentum (SGD ``momentum`` or Adam ``betas[0]``) cycles inversely between ``max_momentum``
    and ``base_momentum``. Step it after every batch.

    Args:
        optimizer (Optimizer): wrapped optimizer
        base_lr (float or list): lower boundary (also the initial lr)
        max_lr (float or list): upper boundary
        step_size_up (int): iterations in the increasing half (default: 2000)
        step_size_down (int, optional): iterations in the decreasing half (default: step_size_up)
        mode (str): ``"triangular"``, ``"triangular2"`` (halved each cycle) or ``"exp_range"``
            (scaled by ``gamma ** iterations``) (default: ``"triangular"``)
        gamma (float): ``exp_range`` base (default: 1.0)
        scale_fn (function, optional): custom scaling, overrides ``mode``
        scale_mode (str): argument of ``scale_fn``: ``"cycle"`` or ``"iterations"``
        cycle_momentum (bool): cycle momentum inversely (default: True)
        base_momentum (float or list): lower momentum boundary (default: 0.8)
        max_momentum (float or list): upper momentum boundary (default: 0.9)
        last_epoch (int): index of the last batch (default: -1)
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                _set_group_value(group, "lr", lr)
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _momentum_setup(
                self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        if self._scale_fn_custom is not None:
            return
        # the built-in modes fix their scale_mode
        if self.mode == "triangular":
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self.scale_mode = "iterations"

    def scale_fn(self, x):
        """The amplitude scale at cycle or iteration ``x`` (custom ``scale_fn`` or the mode's)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        """Compute the cyclic lr; with ``cycle_momentum`` also writes each group's momentum."""
        _warn_get_lr_outside_step(self)
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            momenta = [max_m - (max_m - base_m) * scale_factor * scale
                       for base_m, max_m in zip(self.base_momentums, self.max_momentums)]
            for group, momentum in zip(self.optimizer.param_groups, momenta):
                _set_momentum(group, momentum, self.use_beta1)
        return lrs

    def state_dict(self):
        """Return the state; a custom ``scale_fn`` is saved only as a callable object's __dict__."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not _is_function(fn):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict):
        """Load a state returned by :meth:`state_dict`."""
        fn = state_dict.pop("_scale_fn_custom")
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR): the cosine restarts after each period.

    .. math:: \gamma_t = \eta_{min} + (\gamma_0 - \eta_{min})
              \frac{1 + \cos(\pi T_{cur} / T_i)}{2}

    :math:`T_{cur}` counts epochs since the last restart (fractional with ``step(epoch)``), and
    each period is ``T_mult`` times the previous one, starting at ``T_0``.

    Args:
        optimizer (Optimizer): wrapped optimizer
        T_0 (int): first period, in epochs
        T_mult (int): period growth factor, >= 1 (default: 1)
        eta_min (float): minimum learning rate (default: 0.0)
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """Compute the cosine at ``T_cur / T_i``."""
        _warn_get_lr_outside_step(self)
        factor = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base_lr - self.eta_min) * factor / 2 for base_lr in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or jump to a (possibly fractional) ``epoch``, e.g. per batch.

        Example: ``scheduler.step(epoch + i / iters)`` inside the batch loop.
        """
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            _set_group_value(group, "lr", lr)
        self._last_lr = _group_values(self.optimizer, "lr")


def _add_note(error, note):
    """``error.add_note(note)``; on Python 3.10, which lacks it, the attribute it sets."""
    error.__notes__ = [*getattr(error, "__notes__", []), note]


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy: warm up to ``max_lr``, then anneal far below the initial lr.

    Phases (per group): ``initial_lr = max_lr / div_factor`` up to ``max_lr`` over
    ``pct_start * total_steps`` steps, then down to ``min_lr = initial_lr / final_div_factor``;
    with ``three_phase`` it first returns to ``initial_lr`` symmetrically, then anneals to
    ``min_lr``. Each phase interpolates by cosine or linearly. Momentum (SGD ``momentum`` or Adam
    ``betas[0]``) moves inversely between ``max_momentum`` and ``base_momentum``. Step it after
    every batch.

    .. note::
        The constructor's step is step 0, and ``step()`` may then be called ``total_steps``
        times; one more raises ``ValueError`` with torch's message, followed by how many steps
        the schedule was built for, which call this was, and how to size ``total_steps``.

    Args:
        optimizer (Optimizer): wrapped optimizer
        max_lr (float or list): peak learning rate(s)
        total_steps (int, optional): length of the cycle; else ``epochs * steps_per_epoch``
        epochs (int, optional): number of epochs
        steps_per_epoch (int, optional): steps per epoch
        pct_start (float): fraction of the cycle spent increasing (default: 0.3)
        anneal_strategy (str): ``"cos"`` or ``"linear"`` (default: ``"cos"``)
        cycle_momentum (bool): cycle momentum inversely (default: True)
        base_momentum (float or list): lower momentum boundary (default: 0.85)
        max_momentum (float or list): upper momentum boundary (default: 0.95)
        div_factor (float): ``initial_lr = max_lr / div_factor`` (default: 25)
        final_div_factor (float): ``min_lr = initial_lr / final_div_factor`` (default: 1e4)
        three_phase (bool): use the three-phase schedule (default: False)
        last_epoch (int): index of the last batch (default: -1)
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        up_end = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                _phase(up_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                       "base_momentum", "max_momentum"),
                _phase(self.total_steps - 1, "initial_lr", "min_lr", "max_momentum",
                       "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(up_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(self.total_steps - 1, "max_lr", "min_lr", "base_momentum",
                       "max_momentum"),
            ]
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _momentum_setup(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal_func(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        if self._anneal_func_type == "linear":
            return (end - start) * pct + start
        raise ValueError(f"Unknown _anneal_func_type: {self._anneal_func_type}")

    def get_lr(self):
        """Interpolate within the current phase; with ``cycle_momentum`` also writes momentum."""
        _warn_get_lr_outside_step(self)
        step_num = self.last_epoch
        if step_num > self.total_steps:
            # torch's message word for word; the explanation rides along as a note (PEP 678),
            # shown in the traceback but not part of str(error) (Python 3.10: see _add_note)
            error = ValueError(f"Tried to step {step_num} times. The specified number of total "
                               f"steps is {self.total_steps}")
            _add_note(error, (
                f"OneCycleLR was built for total_steps={self.total_steps}: the constructor takes "
                f"step 0 and scheduler.step() may then be called {self.total_steps} times, but "
                f"this was call number {step_num}. Build it with total_steps (or epochs * "
                "steps_per_epoch) equal to the number of scheduler.step() calls in training "
                "(one per batch: epochs * len(loader))."))
            raise error
        phases = self._schedule_phases
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == len(phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lr = self._anneal_func(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal_func(group[phase["start_momentum"]],
                                                     group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                _set_momentum(group, momentum, self.use_beta1)
        return lrs


def _phase(end_step, start_lr, end_lr, start_momentum, end_momentum):
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr,
            "start_momentum": start_momentum, "end_momentum": end_momentum}


from .schedule_preview import preview_schedule, SchedulePreview  # noqa: E402,F401
