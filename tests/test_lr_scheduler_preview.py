"""preview_schedule: every step's lr as a torch training loop sees it; the optimizer untouched.

Each case previews a schedule with gradstep and runs the same schedule in a real torch loop
(``optimizer.step()`` then ``scheduler.step()``), recording the lr (and momentum) the optimizer
trains with at each step; the two sequences must agree to 1e-12 relative.
"""
import copy
import io
import math
import re
import sys
from contextlib import redirect_stdout

import pytest
import torch

import gradstep
from gradstep.optim.lr_scheduler import preview_schedule, SchedulePreview

L = gradstep.optim.lr_scheduler


def torch_loop(factory, steps, kind="sgd", lrs=(0.1,), metrics=None):
    """The lrs (and momenta) a torch training loop trains with, step by step."""
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    opt = (torch.optim.SGD(groups, lr=lrs[0], momentum=0.9) if kind == "sgd"
           else torch.optim.Adam(groups, lr=lrs[0]))
    sched = factory(torch.optim.lr_scheduler, opt)
    rows, moms = [], []
    for i in range(steps):
        rows.append([g["lr"] for g in opt.param_groups])
        moms.append([g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups])
        opt.step()
        if i < steps - 1:
            sched.step(metrics[i]) if metrics is not None else sched.step()
    return rows, moms


def gradstep_optimizer(kind="sgd", lrs=(0.1,)):
    groups = [{"params": [gradstep.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return (gradstep.optim.SGD(groups, lr=lrs[0], momentum=0.9) if kind == "sgd"
            else gradstep.optim.Adam(groups, lr=lrs[0]))


def close(a, b):
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def assert_rows(got, want):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert len(g) == len(w) and all(close(a, b) for a, b in zip(g, w)), f"step {i}: {g} {w}"


CASES = [
    ("step", "sgd", (100,), lambda M, o: M.StepLR(o, step_size=4, gamma=0.1), 24, None),
    ("cosine", "sgd", (0.1, 0.01), lambda M, o: M.CosineAnnealingLR(o, T_max=20), 50, None),
    ("warmup-cosine", "sgd", (0.5,), lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, 0.01, total_iters=5), M.CosineAnnealingLR(o, 45)], [5]), 50, None),
    ("onecycle-momentum", "sgd", (0.1,),
     lambda M, o: M.OneCycleLR(o, max_lr=1.0, total_steps=40), 41, None),
    ("onecycle-adam-betas", "adam", (0.001,),
     lambda M, o: M.OneCycleLR(o, max_lr=0.01, total_steps=30, three_phase=True), 31, None),
    ("cyclic", "sgd", (0.1,), lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=4), 30, None),
    ("plateau", "sgd", (0.1,), lambda M, o: M.ReduceLROnPlateau(o, patience=2, factor=0.5), 30,
     [1.0 / (1 + min(i, 8)) for i in range(29)]),
    ("chained", "sgd", (0.1,), lambda M, o: M.ChainedScheduler(
        [M.ExponentialLR(o, 0.9), M.StepLR(o, 5, 0.5)]), 30, None),
]


@pytest.mark.parametrize("name,kind,lrs,factory,steps,metrics", CASES, ids=[c[0] for c in CASES])
def test_preview_matches_a_torch_training_loop(name, kind, lrs, factory, steps, metrics):
    opt = gradstep_optimizer(kind, lrs)
    before = [{k: v for k, v in g.items()} for g in opt.param_groups]
    step_before = opt.step
    p = preview_schedule(lambda o: factory(L, o), steps, optimizer=opt, metrics=metrics)
    want, want_m = torch_loop(factory, steps, kind, lrs, metrics)
    assert isinstance(p, SchedulePreview) and len(p) == steps
    assert_rows(p.lrs, want)
    assert_rows(p.momenta, want_m)
    assert p.lr == [row[0] for row in p.lrs]
    # the user's optimizer is untouched: same group entries, no initial_lr, step not wrapped
    assert opt.param_groups == before
    assert all("initial_lr" not in g for g in opt.param_groups)
    assert opt.step == step_before and not hasattr(opt.step, "_wrapped_by_lr_sched")


def test_preview_without_optimizer_defaults():
    p = preview_schedule(lambda o: L.ExponentialLR(o, 0.5), 4)
    assert p.lr == [0.1, 0.05, 0.025, 0.0125] and p.momenta == [[0.9]] * 4
    p = preview_schedule(lambda o: L.ExponentialLR(o, 0.5), 3, lr=2.0)
    assert p.lr == [2.0, 1.0, 0.5]


def test_preview_on_an_optimizer_that_already_has_a_scheduler():
    """It starts where a new scheduler on that optimizer would (its lr and initial_lr, as
    the real one would see them); lr= starts afresh."""
    opt = gradstep_optimizer(lrs=(1.0,))
    sched = L.ExponentialLR(opt, 0.5)
    opt.step()
    sched.step()
    want, _ = torch_loop(lambda M, o: M.LambdaLR(o, lambda e: 0.1 ** e), 1, lrs=(1.0,))
    p = preview_schedule(lambda o: L.StepLR(o, 1, 0.1), 2, optimizer=opt)
    assert p.lr == [0.5, 0.05]
    p = preview_schedule(lambda o: L.LambdaLR(o, lambda e: 0.1 ** e), 2, optimizer=opt)
    assert p.lr == [want[0][0], want[0][0] * 0.1]  # closed form: from initial_lr 1.0
    p = preview_schedule(lambda o: L.LambdaLR(o, lambda e: 0.1 ** e), 2, optimizer=opt, lr=3.0)
    assert p.lr == [3.0, 3.0 * 0.1]
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["initial_lr"] == 1.0


def test_table_prints_the_seed_listing_as_torch_does():
    """The table's "Epoch N" row is the lr epoch N trains with: a torch loop that prints before
    stepping prints the same text."""
    p = preview_schedule(lambda o: L.StepLR(o, step_size=4, gamma=0.1), 24, lr=100)
    buf = io.StringIO()
    with redirect_stdout(buf):
        opt = torch.optim.SGD([torch.randn(1, requires_grad=True)], lr=100)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.1)
        for epoch in range(1, 25):
            print("Epoch {}, lr {:0.4f}".format(epoch, opt.param_groups[0]["lr"]))
            opt.step()
            sched.step()
    assert p.table("Epoch {epoch}, lr {lr:0.4f}") + "\n" == buf.getvalue()


def test_table_default_format_groups_and_momentum():
    p = preview_schedule(lambda o: L.StepLR(o, 2, 0.5), 3,
                         optimizer=gradstep_optimizer(lrs=(0.1, 0.01)))
    assert str(p) == ("Epoch 1, lr 0.1, 0.01\nEpoch 2, lr 0.1, 0.01\nEpoch 3, lr 0.05, 0.005")
    p = preview_schedule(lambda o: L.CyclicLR(o, 0.01, 0.03, step_size_up=1), 3)
    assert p.table(start=0) == ("Epoch 0, lr 0.01, momentum 0.9\n"
                                "Epoch 1, lr 0.03, momentum 0.8\n"
                                "Epoch 2, lr 0.01, momentum 0.9")
    assert repr(p) == "SchedulePreview(CyclicLR, steps=3, lr 0.01 -> 0.01, min 0.01, max 0.03)"


def test_preview_of_onecycle_past_its_length_explains():
    with pytest.raises(ValueError, match=re.escape(
            "Tried to step 11 times. The specified number of total steps is 10\nOneCycleLR was "
            "built for total_steps=10")):
        preview_schedule(lambda o: L.OneCycleLR(o, 0.1, total_steps=10), 12)


def test_preview_errors():
    opt = gradstep_optimizer()
    before = copy.deepcopy([{k: v for k, v in g.items() if k != "params"}
                            for g in opt.param_groups])
    with pytest.raises(ValueError, match="must build the scheduler on the optimizer it is given"):
        preview_schedule(lambda o: L.StepLR(opt, 3), 5, optimizer=opt)
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == before
    with pytest.raises(ValueError, match=re.escape("needs metrics=[...]")):
        preview_schedule(lambda o: L.ReduceLROnPlateau(o), 5)
    with pytest.raises(ValueError, match=re.escape("5 steps need at least 4 metrics")):
        preview_schedule(lambda o: L.ReduceLROnPlateau(o), 5, metrics=[1.0])
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        preview_schedule(lambda o: L.StepLR(o, 3), 0)
    with pytest.raises(TypeError, match="optimizer must be an Optimizer"):
        preview_schedule(lambda o: L.StepLR(o, 3), 3, optimizer=object())


def test_plot_png_or_clear_error(tmp_path):
    """With matplotlib a PNG is written; without it, an ImportError that says what to install."""
    p = preview_schedule(lambda o: L.OneCycleLR(o, 0.1, total_steps=20), 20)
    path = tmp_path / "schedule.png"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=re.escape("pip install matplotlib")):
            p.plot(path)
        assert not path.exists()
    else:
        assert p.plot(path, log_scale=True) == path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_error_when_matplotlib_is_missing(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    p = preview_schedule(lambda o: L.StepLR(o, 2), 5)
    with pytest.raises(ModuleNotFoundError) as info:
        p.plot(tmp_path / "x.png")
    assert info.value.name == "matplotlib" and ".table()" in str(info.value)


def test_tensor_learning_rates_are_filled_in_place():
    """group["lr"] as a tensor: schedulers fill it in place and hand out copies, as torch does."""
    import numpy as np
    out = {}
    for lib in (gradstep, torch):
        lr = lib.tensor(np.float64(0.1))
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)
        M = lib.optim.lr_scheduler
        sched = M.ChainedScheduler([M.CosineAnnealingLR(opt, 7), M.StepLR(opt, 3, 0.5)])
        trace = []
        for _ in range(12):
            opt.step()
            sched.step()
            last = sched.get_last_lr()[0]
            trace.append((float(last), last is not opt.param_groups[0]["lr"],
                          opt.param_groups[0]["lr"] is lr))
        out[lib] = trace
    for (g, t) in zip(out[gradstep], out[torch]):
        assert close(g[0], t[0]) and g[1:] == t[1:]
    assert math.isfinite(out[gradstep][-1][0])
