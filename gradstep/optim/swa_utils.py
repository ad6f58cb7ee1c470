r"""Stochastic Weight Averaging and EMA of model weights, as ``torch.optim.swa_utils``.

:class:`AveragedModel` keeps a running average of a model's parameters (SWA's equal-weight mean by
default, or an exponential moving average with :func:`get_ema_multi_avg_fn`); :class:`SWALR`
anneals each group's learning rate to a constant SWA learning rate; :func:`update_bn` recomputes
BatchNorm statistics for the averaged weights with one pass over the data.
"""
import itertools
import math
import warnings
from copy import deepcopy

from .._creation import tensor
from .._dtype import int64
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from .lr_scheduler import LRScheduler, _GET_LR_WARNING, _per_group

__all__ = [
    "AveragedModel",
    "update_bn",
    "SWALR",
    "get_ema_multi_avg_fn",
    "get_swa_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] "
                         "range.")


def get_ema_multi_avg_fn(decay=0.999):
    r"""Return a function updating lists of EMA tensors in place:
    :math:`\theta_{ema} \leftarrow \text{decay}\,\theta_{ema} + (1 - \text{decay})\,\theta`."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            if ema_param_list[0].is_floating_point() or ema_param_list[0].is_complex():
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.lerp_(p_model, 1 - decay)
            else:
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    r"""Return a function updating lists of SWA tensors in place to the running mean:
    :math:`\bar\theta \leftarrow \bar\theta + (\theta - \bar\theta) / (n + 1)`."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            if averaged_param_list[0].is_floating_point() or averaged_param_list[0].is_complex():
                weight = 1 / (num_averaged + 1)
                if isinstance(weight, Tensor):
                    weight = weight.item()
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    p_avg.lerp_(p_model, weight)
            else:
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    diff = p_model - p_avg
                    if isinstance(num_averaged, Tensor):
                        p_avg.addcdiv_(diff, num_averaged + 1)
                    else:
                        p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    r"""Return ``f(ema, current, n)`` computing
    :math:`\text{decay}\,\theta_{ema} + (1 - \text{decay})\,\theta` (one tensor at a time)."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    r"""Return ``f(avg, current, n)`` computing
    :math:`\bar\theta + (\theta - \bar\theta) / (n + 1)` (one tensor at a time)."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    r"""A copy of a model whose parameters are the average of the model's over training.

    ``update_parameters(model)`` folds in the model's current parameters: the first call copies
    them; later calls apply ``avg_fn`` (one tensor at a time) or ``multi_avg_fn`` (lists of
    tensors of one dtype), by default the equal-weight SWA mean

    .. math:: \bar\theta_{n+1} = \bar\theta_n + \frac{\theta - \bar\theta_n}{n + 1}

    or, with ``multi_avg_fn=get_ema_multi_avg_fn(decay)``, an exponential moving average.
    Without ``use_buffers`` the buffers (BatchNorm running statistics) are copied from the model
    on every update (recompute them with :func:`update_bn`); with it they are averaged too.

    Args:
        model (Module): model to average (deep-copied)
        device (device, optional): device to keep the average on
        avg_fn (callable, optional): ``f(averaged, current, num_averaged) -> new averaged``
        multi_avg_fn (callable, optional): ``f(averaged_list, current_list, num_averaged)``
            updating the averaged tensors in place
        use_buffers (bool): average buffers too (default: False)

    Example:
        >>> import gradstep
        >>> model = gradstep.nn.Module()
        >>> model.w = gradstep.nn.Parameter(gradstep.tensor([0.0]))
        >>> swa = gradstep.optim.swa_utils.AveragedModel(model)
        >>> for value in (1.0, 2.0, 6.0):
        ...     with gradstep.no_grad():
        ...         _ = model.w.fill_(value)
        ...     swa.update_parameters(model)
        >>> swa.module.w.data, swa.n_averaged
        (tensor([3.]), tensor(3))
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Run the averaged copy of the model."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s parameters (and buffers, with ``use_buffers``) into the average."""
        if self.use_buffers:
            self_params = itertools.chain(self.module.parameters(), self.module.buffers())
            model_params = itertools.chain(model.parameters(), model.buffers())
        else:
            self_params = self.parameters()
            model_params = model.parameters()
        averaged, current = [], []
        first = bool(self.n_averaged == 0)
        with no_grad():
            for p_avg, p_model in zip(self_params, model_params):
                p_model_ = p_model.detach().to(p_avg.device)
                averaged.append(p_avg.detach())
                current.append(p_model_)
                if first:
                    p_avg.detach().copy_(p_model_)
            if self.n_averaged > 0:
                if self.multi_avg_fn is not None or self.avg_fn is None:
                    # the multi-tensor functions take tensors of one dtype at a time
                    by_dtype = {}
                    for a, c in zip(averaged, current):
                        lists = by_dtype.setdefault((a.device.type, a.dtype), ([], []))
                        lists[0].append(a)
                        lists[1].append(c)
                    for (_, _), (avg_list, cur_list) in by_dtype.items():
                        n = self.n_averaged.to(avg_list[0].device)
                        if self.multi_avg_fn is not None:
                            self.multi_avg_fn(avg_list, cur_list, n)
                        else:
                            # torch's CPU path: one tensor at a time
                            avg_fn = get_swa_avg_fn()
                            for a, c in zip(avg_list, cur_list):
                                a.copy_(avg_fn(a, c, n))
                else:
                    for a, c in zip(averaged, current):
                        n = self.n_averaged.to(a.device)
                        a.detach().copy_(self.avg_fn(a.detach(), c, n))
            if not self.use_buffers:
                # buffers are not averaged: keep them in sync with the model
                for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                    b_swa.detach().copy_(b_model.detach().to(b_swa.device))
            self.n_averaged += 1


def update_bn(loader, model, device=None):
    r"""Recompute BatchNorm running statistics with one pass over ``loader``.

    Each BatchNorm layer's statistics are reset and re-estimated as a cumulative average
    (``momentum=None``) in train mode; momenta and the model's mode are restored afterwards.

    Args:
        loader (iterable): batches; a list/tuple batch contributes its first element
        model (Module): model whose BatchNorm statistics to update
        device (device, optional): device to move each batch to
    """
    with no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneal each group's learning rate to a fixed SWA learning rate, then hold it.

    Over ``anneal_epochs`` steps the lr moves from its current value to ``swa_lr``:

    .. math:: \gamma_t = \alpha_t\,\text{swa\_lr} + (1 - \alpha_t)\,\gamma_{start},\quad
              \alpha_t = \text{anneal}(\min(1, t / \text{anneal\_epochs}))

    with ``anneal`` the cosine :math:`(1 - \cos(\pi x))/2` or linear :math:`x`; ``gamma_start`` is
    recovered from the current lr each step, so it follows other changes to the lr.

    Args:
        optimizer (Optimizer): wrapped optimizer
        swa_lr (float or list): SWA learning rate, or one per group
        anneal_epochs (int): number of annealing steps (default: 10)
        anneal_strategy (str): ``"cos"`` or ``"linear"`` (default: ``"cos"``)
        last_epoch (int): index of the last epoch (default: -1)
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = _per_group("swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = value
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """Compute the annealed lrs from the current ones (the step is ``_step_count - 1``)."""
        if not self._get_lr_called_within_step:
            warnings.warn(_GET_LR_WARNING, UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        groups = self.optimizer.param_groups
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self):
        """Return the state: every attribute but the optimizer and the annealing function."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        """Load a state returned by :meth:`state_dict`."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
