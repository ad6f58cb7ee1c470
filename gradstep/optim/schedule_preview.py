r"""Preview a learning-rate schedule before training: numbers, a text table, a PNG plot.

A mis-set schedule (a ``step_size`` in batches where epochs were meant, a ``T_max`` too short, a
``OneCycleLR`` built for the wrong number of steps) wastes whole training runs.
:func:`preview_schedule` runs the schedule on a stand-in optimizer, exactly as a training loop would (``optimizer.step()``
then ``scheduler.step()`` each step), and records the learning rate (and momentum) that every
step trains with. The user's optimizer is never touched.

Example:
    >>> import gradstep
    >>> from gradstep.optim.lr_scheduler import StepLR, preview_schedule
    >>> p = preview_schedule(lambda opt: StepLR(opt, step_size=4, gamma=0.1), steps=6, lr=100)
    >>> p.lr
    [100, 100, 100, 100, 10.0, 10.0]
    >>> print(p.table("Epoch {epoch}, lr {lr:0.4f}"))
    Epoch 1, lr 100.0000
    Epoch 2, lr 100.0000
    Epoch 3, lr 100.0000
    Epoch 4, lr 100.0000
    Epoch 5, lr 10.0000
    Epoch 6, lr 10.0000
"""
import copy

from .._creation import zeros
from .._tensor import Tensor
from .optimizer import Optimizer
from .lr_scheduler import ReduceLROnPlateau

__all__ = ["preview_schedule", "SchedulePreview"]


class _StandInOptimizer(Optimizer):
    """An optimizer with the user's param-group settings and one dummy parameter per group.

    Its ``step`` updates nothing; schedulers see the same ``param_groups`` and ``defaults`` keys
    (``momentum`` or ``betas`` included) as on the real optimizer.
    """

    def step(self, closure=None):
        """Do nothing (schedules need only the call, to keep the call order a training loop has)."""
        return None


def _stand_in(optimizer, lr, momentum):
    if optimizer is None:
        defaults = {"lr": lr, "momentum": momentum}
        groups = [{"params": [zeros(1, requires_grad=True)]}]
        return _StandInOptimizer(groups, defaults)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"preview_schedule(): optimizer must be an Optimizer, got "
                        f"{type(optimizer).__name__}")
    groups = []
    for group in optimizer.param_groups:
        settings = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
        if lr is not None:
            settings["lr"] = lr
            settings.pop("initial_lr", None)
        settings["params"] = [zeros(1, requires_grad=True)]
        groups.append(settings)
    return _StandInOptimizer(groups, dict(optimizer.defaults))


def _momentum_of(group):
    if "betas" in group:
        return float(group["betas"][0])
    if "momentum" in group:
        return float(group["momentum"])
    return None


def _record(optimizer):
    groups = optimizer.param_groups
    lrs = [float(g["lr"]) if isinstance(g["lr"], Tensor) else g["lr"] for g in groups]
    return lrs, [_momentum_of(g) for g in groups]


def preview_schedule(scheduler_factory, steps, optimizer=None, *, lr=None, momentum=0.9,
                     metrics=None):
    r"""Return the learning rate of every step of a schedule, without touching any real optimizer.

    The factory builds the scheduler on a stand-in optimizer with one dummy parameter per param
    group, copying ``optimizer``'s group settings when one is given. Row ``i`` of the result is
    what the optimizer trains with at step ``i`` (``i = 0`` is right after construction), as in a
    loop that calls ``optimizer.step()`` then ``scheduler.step()``.

    Args:
        scheduler_factory (callable): ``f(optimizer) -> scheduler``, e.g.
            ``lambda opt: StepLR(opt, step_size=30)``; ``SequentialLR``/``ChainedScheduler`` too
        steps (int): number of steps (epochs, or batches for per-batch schedules) to preview
        optimizer (Optimizer, optional): whose param groups (lr, momentum/betas, ...) to copy;
            it is not modified
        lr (float, optional): starting learning rate; default: the optimizer's, or 0.1 without one
        momentum (float): momentum of the default stand-in (used when no optimizer is given), so
            momentum-cycling schedulers work (default: 0.9)
        metrics (sequence of float, optional): for ``ReduceLROnPlateau``, the metric reported after
            each step (at least ``steps - 1`` values)

    Returns:
        SchedulePreview: ``.lrs`` (one list per step, one lr per group), ``.lr`` (first group),
        ``.momenta``, ``.table()`` and ``.plot(path)``.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"preview_schedule(): steps must be a positive integer, got {steps!r}")
    if optimizer is None and lr is None:
        lr = 0.1
    shadow = _stand_in(optimizer, lr, momentum)
    saved = ([{k: v for k, v in g.items()} for g in optimizer.param_groups]
             if optimizer is not None else None)
    scheduler = scheduler_factory(shadow)
    if getattr(scheduler, "optimizer", None) is not shadow:
        if optimizer is not None:  # the factory used the real optimizer: undo what it wrote
            for group, before in zip(optimizer.param_groups, saved):
                group.clear()
                group.update(before)
        raise ValueError(
            "preview_schedule(): scheduler_factory must build the scheduler on the optimizer it "
            "is given (write `lambda opt: StepLR(opt, ...)`, not `lambda opt: StepLR(optimizer, "
            "...)`), so that the preview does not change the real optimizer")
    plateau = isinstance(scheduler, ReduceLROnPlateau)
    if plateau:
        if metrics is None:
            raise ValueError("preview_schedule(): ReduceLROnPlateau needs metrics=[...], the value "
                             "passed to scheduler.step(metric) after each step")
        metrics = list(metrics)
        if len(metrics) < steps - 1:
            raise ValueError(f"preview_schedule(): {steps} steps need at least {steps - 1} metrics "
                             f"for ReduceLROnPlateau, got {len(metrics)}")
    rows, momenta = [], []
    lrs, moms = _record(shadow)
    rows.append(lrs)
    momenta.append(moms)
    for i in range(steps - 1):
        shadow.step()
        if plateau:
            scheduler.step(metrics[i])
        else:
            scheduler.step()
        lrs, moms = _record(shadow)
        rows.append(lrs)
        momenta.append(moms)
    has_momentum = all(m is not None for m in momenta[0])
    return SchedulePreview(type(scheduler).__name__, rows, momenta if has_momentum else None)


class _Joined:
    """Formats a per-group list with one format spec, joined by ", " (one group: just the value)."""

    def __init__(self, values):
        self.values = values

    def __format__(self, spec):
        return ", ".join(format(v, spec) for v in self.values)


class SchedulePreview:
    r"""The learning rates (and momenta) of a previewed schedule, step by step.

    Attributes:
        name (str): the scheduler's class name
        lrs (list of list of float): ``lrs[i][g]`` is group ``g``'s lr at step ``i``
        momenta (list of list of float or None): momentum (or ``betas[0]``) likewise, or None
            when the optimizer has neither
    """

    def __init__(self, name, lrs, momenta=None):
        self.name = name
        self.lrs = lrs
        self.momenta = momenta

    @property
    def lr(self):
        """The first param group's learning rate at every step."""
        return [row[0] for row in self.lrs]

    def __len__(self):
        return len(self.lrs)

    def __iter__(self):
        return iter(self.lrs)

    def _momentum_varies(self):
        return self.momenta is not None and any(row != self.momenta[0] for row in self.momenta)

    def table(self, fmt=None, start=1):
        """Return one line per step: ``"Epoch 1, lr 0.1"``, with momentum when it is cycled.

        Args:
            fmt (str, optional): a ``str.format`` pattern with ``{epoch}``, ``{lr}`` and
                ``{momentum}`` fields (several groups are formatted each and joined by ", "),
                e.g. ``"Epoch {epoch}, lr {lr:0.4f}"``
            start (int): number of the first row (default: 1)
        """
        if fmt is None:
            fmt = "Epoch {epoch}, lr {lr:.6g}"
            if self._momentum_varies():
                fmt += ", momentum {momentum:.6g}"
        momenta = self.momenta or [None] * len(self.lrs)
        return "\n".join(
            fmt.format(epoch=start + i, lr=_Joined(lrs), momentum=_Joined(m or []))
            for i, (lrs, m) in enumerate(zip(self.lrs, momenta)))

    def __str__(self):
        return self.table()

    def __repr__(self):
        first, last = self.lr[0], self.lr[-1]
        return (f"SchedulePreview({self.name}, steps={len(self.lrs)}, "
                f"lr {first:.6g} -> {last:.6g}, min {min(self.lr):.6g}, max {max(self.lr):.6g})")

    def plot(self, path="lr_schedule.png", *, log_scale=False, title=None, start=1):
        """Save the schedule as a PNG (lr per group; momentum on a second axis when cycled).

        Needs matplotlib (``pip install matplotlib``); uses no pyplot state. Returns ``path``.
        """
        try:
            from matplotlib.figure import Figure
        except ImportError as err:
            raise ModuleNotFoundError(
                "SchedulePreview.plot() needs matplotlib, which is not installed: "
                "pip install matplotlib. Without it, the numbers are in .lrs and .table() "
                "prints them.", name="matplotlib") from err
        steps = list(range(start, start + len(self.lrs)))
        fig = Figure(figsize=(7, 4), dpi=100)
        ax = fig.add_subplot(1, 1, 1)
        n_groups = len(self.lrs[0])
        for g in range(n_groups):
            label = "lr" if n_groups == 1 else f"lr (group {g})"
            ax.plot(steps, [row[g] for row in self.lrs], label=label)
        ax.set_xlabel("step")
        ax.set_ylabel("learning rate")
        if log_scale:
            ax.set_yscale("log")
        handles = ax.get_lines()
        if self._momentum_varies():
            ax2 = ax.twinx()
            handles += ax2.plot(steps, [row[0] for row in self.momenta], color="tab:gray",
                                linestyle="--", label="momentum")
            ax2.set_ylabel("momentum")
        ax.set_title(title if title is not None else self.name)
        if len(handles) > 1:
            ax.legend(handles, [h.get_label() for h in handles], loc="best")
        fig.tight_layout()
        fig.savefig(path, format="png")
        return path
