"""gradstep.optim.lr_scheduler against torch.optim.lr_scheduler, step by step.

One table of schedulers x option sets drives the parity tests: each case builds the same scheduler
in both libraries on the same kind of optimizer (SGD with momentum, or Adam for betas cycling, two
param groups with different lrs), steps both side by side (``optimizer.step()`` then
``scheduler.step()``) and compares ``get_last_lr()``, every group's ``lr`` and momentum/betas, and
the Python type of each value, at every step, to 1e-12 relative. The same table drives the state
dict round trip (mid-way, also loading torch's state dict into gradstep) and warning parity.
"""
import copy
import io
import math
import re
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
import torch

import gradstep

LIBS = (gradstep, torch)
STEPS = 120


# --- helpers -------------------------------------------------------------------------------------

def make_optimizer(lib, kind="sgd", lrs=(0.1, 0.02)):
    """An optimizer with one float64 parameter per group and the given per-group lrs."""
    groups = [{"params": [lib.zeros(2, dtype=lib.float64, requires_grad=True)], "lr": lr}
              for lr in lrs]
    if kind == "sgd":
        return lib.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    if kind == "sgd0":
        return lib.optim.SGD(groups, lr=lrs[0])
    if kind == "adam":
        return lib.optim.Adam(groups, lr=lrs[0], betas=(0.9, 0.999))
    raise AssertionError(kind)


def close(a, b, rel=1e-12):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def as_float(v):
    return v.item() if hasattr(v, "item") and not isinstance(v, (int, float)) else v


def assert_values(g, t, what):
    """Same Python type (int stays int as in torch) and value within 1e-12 relative."""
    if isinstance(t, dict):
        assert isinstance(g, dict) and g.keys() == t.keys(), f"{what}: {g!r} vs {t!r}"
        for k in t:
            assert_values(g[k], t[k], f"{what}[{k!r}]")
        return
    if isinstance(t, (list, tuple)):
        assert type(g) is type(t) and len(g) == len(t), f"{what}: {g!r} vs {t!r}"
        for i, (gi, ti) in enumerate(zip(g, t)):
            assert_values(gi, ti, f"{what}[{i}]")
        return
    assert type(g) is type(t), f"{what}: type {type(g).__name__} vs {type(t).__name__}"
    assert close(g, t), f"{what}: {g!r} vs torch {t!r}"


def snapshot(sched, opt):
    """Everything a scheduler writes: last lrs, each group's lr and momentum/betas."""
    groups = opt.param_groups
    out = {"last_lr": list(sched.get_last_lr()), "lr": [g["lr"] for g in groups]}
    if "momentum" in groups[0]:
        out["momentum"] = [g["momentum"] for g in groups]
    if "betas" in groups[0]:
        out["betas"] = [tuple(g["betas"]) for g in groups]
    return out


def assert_state_equal(g, t, what="state_dict"):
    """Two scheduler state dicts hold the same keys and values (floats to 1e-12)."""
    if isinstance(t, dict):
        assert isinstance(g, dict), f"{what}: {type(g).__name__}"
        assert set(g) == set(t), f"{what}: keys {sorted(set(g) ^ set(t))} differ"
        for k in t:
            assert_state_equal(g[k], t[k], f"{what}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(g) == len(t), f"{what}: {g!r} vs {t!r}"
        for i, (gi, ti) in enumerate(zip(g, t)):
            assert_state_equal(gi, ti, f"{what}[{i}]")
    elif isinstance(t, float):
        assert isinstance(g, float) and close(g, t), f"{what}: {g!r} vs {t!r}"
    else:
        assert g == t, f"{what}: {g!r} vs {t!r}"


class Halving:
    """A callable object: its __dict__ is saved in state dicts (functions are not)."""

    def __init__(self, base):
        self.base = base

    def __call__(self, epoch):
        return self.base ** epoch


class CycleScale:
    def __init__(self, decay):
        self.decay = decay

    def __call__(self, x):
        return self.decay ** (x - 1)


# --- the table -----------------------------------------------------------------------------------
# (id, optimizer kind, factory(L, opt) -> scheduler); L is the library's lr_scheduler module.

CASES = [
    ("lambda", "sgd", lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e)),
    ("lambda-per-group", "sgd",
     lambda L, o: L.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** (e // 7)])),
    ("lambda-callable-object", "sgd", lambda L, o: L.LambdaLR(o, Halving(0.97))),
    ("multiplicative", "sgd", lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97)),
    ("multiplicative-per-group", "sgd",
     lambda L, o: L.MultiplicativeLR(o, [lambda e: 0.99, lambda e: 1.0 if e % 5 else 0.8])),
    ("step-4-0.1", "sgd", lambda L, o: L.StepLR(o, step_size=4, gamma=0.1)),
    ("step-7-0.5", "sgd", lambda L, o: L.StepLR(o, 7, gamma=0.5)),
    ("multistep", "sgd", lambda L, o: L.MultiStepLR(o, milestones=[10, 30, 30, 70], gamma=0.3)),
    ("constant-default", "sgd", lambda L, o: L.ConstantLR(o)),
    ("constant-0.5-20", "sgd", lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=20)),
    ("linear-default", "sgd", lambda L, o: L.LinearLR(o)),
    ("linear-warmup", "sgd", lambda L, o: L.LinearLR(o, start_factor=0.1, total_iters=30)),
    ("linear-decay", "sgd",
     lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=50)),
    ("exponential", "sgd", lambda L, o: L.ExponentialLR(o, gamma=0.97)),
    ("polynomial-2", "sgd", lambda L, o: L.PolynomialLR(o, total_iters=50, power=2.0)),
    ("polynomial-0.5", "sgd", lambda L, o: L.PolynomialLR(o, total_iters=150, power=0.5)),
    ("cosine-30", "sgd", lambda L, o: L.CosineAnnealingLR(o, T_max=30)),
    ("cosine-17-etamin", "sgd", lambda L, o: L.CosineAnnealingLR(o, T_max=17, eta_min=0.001)),
    ("sequential-warmup-cosine", "sgd", lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=10), L.CosineAnnealingLR(o, T_max=90)],
        milestones=[10])),
    ("sequential-three", "sgd", lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.2, total_iters=3), L.ExponentialLR(o, 0.95),
            L.StepLR(o, 10, 0.5)], milestones=[5, 40])),
    ("chained-two", "sgd", lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.1, total_iters=5), L.ExponentialLR(o, gamma=0.9)])),
    ("chained-three", "sgd", lambda L, o: L.ChainedScheduler(
        [L.LinearLR(o, start_factor=0.2, total_iters=8), L.StepLR(o, 25, 0.5),
         L.CosineAnnealingLR(o, T_max=40, eta_min=1e-4)], optimizer=o)),
    ("chained-of-sequential", "sgd", lambda L, o: L.ChainedScheduler(
        [L.SequentialLR(o, [L.LinearLR(o, 0.5, total_iters=4), L.ExponentialLR(o, 0.98)], [4]),
         L.MultiStepLR(o, [50, 90], 0.5)])),
    ("cyclic-triangular", "sgd",
     lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=10)),
    ("cyclic-triangular2", "sgd",
     lambda L, o: L.CyclicLR(o, 0.001, 0.05, step_size_up=7, step_size_down=13,
                             mode="triangular2")),
    ("cyclic-exp-range", "sgd",
     lambda L, o: L.CyclicLR(o, [0.01, 0.002], [0.1, 0.03], step_size_up=9, mode="exp_range",
                             gamma=0.98, base_momentum=[0.8, 0.7], max_momentum=[0.9, 0.95])),
    ("cyclic-scale-fn-cycle", "sgd",
     lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                             scale_fn=lambda x: 0.5 * (1 + math.sin(x * math.pi / 2)))),
    ("cyclic-scale-fn-iterations", "sgd",
     lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=6, scale_fn=CycleScale(0.99),
                             scale_mode="iterations")),
    ("cyclic-no-momentum", "sgd0",
     lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=4, cycle_momentum=False)),
    ("cyclic-adam-betas", "adam",
     lambda L, o: L.CyclicLR(o, 1e-4, 1e-2, step_size_up=11, mode="triangular2")),
    ("onecycle-cos", "sgd", lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=STEPS)),
    ("onecycle-linear", "sgd",
     lambda L, o: L.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=STEPS + 5,
                               anneal_strategy="linear", pct_start=0.25)),
    ("onecycle-three-phase", "sgd",
     lambda L, o: L.OneCycleLR(o, max_lr=1.0, epochs=10, steps_per_epoch=12, three_phase=True,
                               div_factor=10.0, final_div_factor=100.0)),
    ("onecycle-adam-betas", "adam",
     lambda L, o: L.OneCycleLR(o, max_lr=0.01, total_steps=200, base_momentum=[0.8, 0.75],
                               max_momentum=0.9)),
    ("onecycle-no-momentum", "sgd0",
     lambda L, o: L.OneCycleLR(o, max_lr=0.3, total_steps=STEPS, cycle_momentum=False)),
    ("warm-restarts", "sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=10)),
    ("warm-restarts-mult", "sgd",
     lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001)),
    ("swalr-cos", "sgd", lambda L, o: swa(L).SWALR(o, swa_lr=0.05, anneal_epochs=10)),
    ("swalr-linear-groups", "sgd",
     lambda L, o: swa(L).SWALR(o, swa_lr=[0.05, 0.5], anneal_epochs=7, anneal_strategy="linear")),
    ("swalr-no-anneal", "sgd", lambda L, o: swa(L).SWALR(o, swa_lr=0.3, anneal_epochs=0)),
    ("chained-swalr", "sgd", lambda L, o: L.ChainedScheduler(
        [L.ExponentialLR(o, 0.99), swa(L).SWALR(o, swa_lr=0.01, anneal_epochs=20)])),
]
IDS = [c[0] for c in CASES]


def swa(L):
    return gradstep.optim.swa_utils if L is gradstep.optim.lr_scheduler else torch.optim.swa_utils


def build(lib, kind, factory):
    opt = make_optimizer(lib, kind)
    return opt, factory(lib.optim.lr_scheduler, opt)


def run_both(kind, factory, steps, *, on_step=None):
    """Build in both libraries, compare after construction and after every step."""
    with warnings.catch_warnings(record=True) as wg:
        warnings.simplefilter("always")
        go, gs = build(gradstep, kind, factory)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        to, ts = build(torch, kind, factory)
    assert [(w.category, str(w.message)) for w in wg] == [(w.category, str(w.message))
                                                          for w in wt]
    assert_values(snapshot(gs, go), snapshot(ts, to), "after construction")
    for i in range(steps):
        for opt, sched in ((go, gs), (to, ts)):
            opt.step()
            sched.step()
        assert_values(snapshot(gs, go), snapshot(ts, to), f"step {i + 1}")
        if on_step is not None:
            on_step(i + 1, (go, gs), (to, ts))
    return (go, gs), (to, ts)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parity_every_step(case):
    _, kind, factory = case
    with warnings.catch_warnings(record=True) as wg:
        warnings.simplefilter("always")
        (go, gs), (to, ts) = run_both(kind, factory, STEPS)
    # stepping in the right order warns in neither library
    assert [str(w.message) for w in wg] == []
    assert_state_equal(gs.state_dict(), ts.state_dict())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_state_dict_round_trip_midway(case):
    """At step 50 both a gradstep copy (from gradstep's state dict) and one loaded from torch's
    state dict continue exactly as the uninterrupted torch scheduler."""
    _, kind, factory = case
    resumed = {}

    def on_step(i, g, t):
        if i == 50:
            (go, gs), (to, ts) = g, t
            assert_state_equal(gs.state_dict(), ts.state_dict())
            for source, sd in (("gradstep", gs.state_dict()), ("torch", ts.state_dict())):
                sd = copy.deepcopy(sd)
                o2, s2 = build(gradstep, kind, factory)
                o2.load_state_dict(go.state_dict())
                s2.load_state_dict(sd)
                resumed[source] = (o2, s2)
        elif i > 50:
            for o2, s2 in resumed.values():
                o2.step()
                s2.step()
                assert_values(snapshot(s2, o2), snapshot(t[1], t[0]), f"resumed, step {i}")

    run_both(kind, factory, 100, on_step=on_step)
    assert len(resumed) == 2


def test_lambda_state_dict_saves_callable_objects_only():
    for lib in LIBS:
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.LambdaLR(opt, [Halving(0.5), lambda e: 1.0])
        sd = sched.state_dict()
        assert sd["lr_lambdas"] == [{"base": 0.5}, None]
        other = Halving(0.9)
        sched2 = lib.optim.lr_scheduler.LambdaLR(make_optimizer(lib), [other, lambda e: 1.0])
        sched2.load_state_dict(sd)
        assert other.base == 0.5
        assert "lr_lambdas" in sd  # the caller's dict is left whole


# --- resuming with last_epoch=k ------------------------------------------------------------------

RESUME = [
    ("step", "sgd", lambda L, o, k: L.StepLR(o, 7, 0.5, last_epoch=k)),
    ("multistep", "sgd", lambda L, o, k: L.MultiStepLR(o, [10, 30, 30], 0.3, last_epoch=k)),
    ("exponential", "sgd", lambda L, o, k: L.ExponentialLR(o, 0.97, last_epoch=k)),
    ("cosine", "sgd", lambda L, o, k: L.CosineAnnealingLR(o, 30, last_epoch=k)),
    ("cosine-etamin", "sgd", lambda L, o, k: L.CosineAnnealingLR(o, 17, 0.001, last_epoch=k)),
    ("linear", "sgd", lambda L, o, k: L.LinearLR(o, 0.1, total_iters=30, last_epoch=k)),
    ("constant", "sgd", lambda L, o, k: L.ConstantLR(o, 0.5, total_iters=20, last_epoch=k)),
    ("polynomial", "sgd", lambda L, o, k: L.PolynomialLR(o, 50, 0.5, last_epoch=k)),
    ("lambda", "sgd", lambda L, o, k: L.LambdaLR(o, lambda e: 0.95 ** e, last_epoch=k)),
    ("multiplicative", "sgd", lambda L, o, k: L.MultiplicativeLR(o, lambda e: 0.97, last_epoch=k)),
    ("cyclic", "sgd", lambda L, o, k: L.CyclicLR(o, 0.001, 0.05, step_size_up=7,
                                                  step_size_down=13, mode="triangular2",
                                                  last_epoch=k)),
    ("cyclic-adam", "adam", lambda L, o, k: L.CyclicLR(o, 1e-4, 1e-2, 11, last_epoch=k)),
    ("onecycle", "sgd", lambda L, o, k: L.OneCycleLR(o, 0.5, total_steps=STEPS, last_epoch=k)),
    ("onecycle-three-phase", "adam", lambda L, o, k: L.OneCycleLR(
        o, 1.0, epochs=10, steps_per_epoch=12, three_phase=True, last_epoch=k)),
    ("warm-restarts", "sgd", lambda L, o, k: L.CosineAnnealingWarmRestarts(o, 10, last_epoch=k)),
    ("warm-restarts-mult", "sgd",
     lambda L, o, k: L.CosineAnnealingWarmRestarts(o, 5, 2, 0.001, last_epoch=k)),
    ("swalr", "sgd", lambda L, o, k: swa(L).SWALR(o, 0.05, 10, last_epoch=k)),
]


@pytest.mark.parametrize("k", [0, 13])
@pytest.mark.parametrize("case", RESUME, ids=[c[0] for c in RESUME])
def test_resume_with_last_epoch(case, k):
    """Training k+3 steps, then rebuilding the scheduler with last_epoch=k on the same optimizer
    (whose groups now hold initial_lr, max_lr, momenta...) continues as torch's does."""
    _, kind, factory = case
    results = {}
    for lib in LIBS:
        L = lib.optim.lr_scheduler
        opt = make_optimizer(lib, kind)
        sched = factory(L, opt, -1)
        for _ in range(k + 3):
            opt.step()
            sched.step()
        new = factory(L, opt, k)
        trace = [snapshot(new, opt)]
        for _ in range(30):
            opt.step()
            new.step()
            trace.append(snapshot(new, opt))
        results[lib] = trace
    assert_values(results[gradstep], results[torch], "resumed trace")


def test_resume_needs_initial_lr_message():
    """Exact KeyError text (the key error's str is its repr, as in torch)."""
    msgs = []
    for lib in LIBS:
        with pytest.raises(KeyError) as info:
            lib.optim.lr_scheduler.ExponentialLR(make_optimizer(lib), 0.9, last_epoch=3)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


# --- manual lr changes, deprecated epoch argument, fractional epochs -----------------------------

@pytest.mark.parametrize("case", [c for c in CASES if c[0] in {
    "step-4-0.1", "exponential", "cosine-17-etamin", "linear-warmup", "polynomial-2",
    "multiplicative", "chained-three", "sequential-three", "cyclic-triangular"}],
    ids=lambda c: c[0])
def test_script_writes_lr_by_hand(case):
    """Chainable schedulers follow a param_group["lr"] written by the script mid-way."""
    _, kind, factory = case

    def on_step(i, g, t):
        if i in (17, 40):
            for opt, _ in (g, t):
                for group in opt.param_groups:
                    group["lr"] = group["lr"] * 3.0 + 0.001

    run_both(kind, factory, 80, on_step=on_step)


EPOCHS = [0, 1, 2, 3, 5, 5, 9, 4, 12, 30, 31, 60, 61, 7]


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in {
    "lambda", "multiplicative", "step-7-0.5", "multistep", "constant-0.5-20", "linear-warmup",
    "exponential", "polynomial-2", "cosine-17-etamin", "cyclic-triangular",
    "onecycle-three-phase"}], ids=lambda c: c[0])
def test_deprecated_epoch_argument(case):
    """step(epoch) uses the closed form where one exists, and warns as torch does."""
    _, kind, factory = case
    out = {}
    for lib in LIBS:
        opt, sched = build(lib, kind, factory)
        trace = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for e in EPOCHS:
                opt.step()
                sched.step(e)
                trace.append(snapshot(sched, opt))
        out[lib] = trace, [(x.category, str(x.message)) for x in w]
    assert_values(out[gradstep][0], out[torch][0], "epoch trace")
    assert out[gradstep][1] == out[torch][1]
    assert len(out[torch][1]) == len(EPOCHS)


@pytest.mark.parametrize("T_0,T_mult", [(10, 1), (3, 2), (4, 3)])
def test_warm_restarts_fractional_epochs(T_0, T_mult):
    out = {}
    for lib in LIBS:
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0, T_mult, 1e-3)
        trace = []
        iters = 7
        for epoch in range(25):
            for i in range(iters):
                opt.step()
                sched.step(epoch + i / iters)
                trace.append(snapshot(sched, opt) | {"T_cur": sched.T_cur, "T_i": sched.T_i,
                                                     "last_epoch": sched.last_epoch})
        out[lib] = trace
    assert_values(out[gradstep], out[torch], "fractional epochs")


# --- ReduceLROnPlateau ---------------------------------------------------------------------------

def plateau_metrics(n=150):
    """A loss that improves, stalls, wiggles and improves again (deterministic)."""
    vals = []
    for i in range(n):
        base = 1.0 / (1 + 0.05 * min(i, 40)) + (0.0 if i < 90 else -0.002 * (i - 90))
        vals.append(base + 0.01 * math.sin(i * 1.7) * (i % 3 == 0))
    return vals


PLATEAU = [
    ("default", {}),
    ("patience-2-factor-0.5", {"patience": 2, "factor": 0.5}),
    ("max-mode", {"mode": "max", "patience": 3}),
    ("abs-threshold", {"threshold_mode": "abs", "threshold": 0.01, "patience": 4}),
    ("max-abs", {"mode": "max", "threshold_mode": "abs", "threshold": 0.001, "patience": 1}),
    ("cooldown", {"patience": 1, "cooldown": 3, "factor": 0.7}),
    ("min-lr-per-group", {"patience": 0, "factor": 0.5, "min_lr": [0.01, 0.001]}),
    ("min-lr-scalar", {"patience": 0, "factor": 0.3, "min_lr": 1e-3}),
    ("eps-large", {"patience": 0, "factor": 0.9, "eps": 5e-3}),
]


@pytest.mark.parametrize("tensor_metric", [False, True])
@pytest.mark.parametrize("name,kwargs", PLATEAU, ids=[p[0] for p in PLATEAU])
def test_reduce_on_plateau(name, kwargs, tensor_metric):
    metrics = plateau_metrics()
    if kwargs.get("mode") == "max":
        metrics = [-m for m in metrics]
    out = {}
    for lib in LIBS:
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        trace = [snapshot(sched, opt)]
        resumed = None
        for i, m in enumerate(metrics):
            opt.step()
            sched.step(lib.tensor(np.float64(m)) if tensor_metric else m)  # a 0-dim float64 tensor
            if resumed is not None:
                resumed.step(m)
            trace.append(snapshot(sched, opt) | {
                "best": sched.best, "bad": sched.num_bad_epochs,
                "cooldown": sched.cooldown_counter, "last_epoch": sched.last_epoch})
            if i == 60:  # a copy resumed from the state dict follows the same course
                sd = sched.state_dict()
                resumed_opt = opt
                resumed = lib.optim.lr_scheduler.ReduceLROnPlateau(resumed_opt, **kwargs)
                resumed.load_state_dict(copy.deepcopy(sd))
                sched = resumed
                resumed = None
        out[lib] = trace, sched.state_dict()
    assert_values(out[gradstep][0], out[torch][0], name)
    assert_state_equal(out[gradstep][1], out[torch][1])


def test_reduce_on_plateau_new_param_group():
    """A param group added later: scalar min_lr extends, a per-group list raises torch's error."""
    for min_lr in (0.0, [0.0, 0.0]):
        res = []
        for lib in LIBS:
            opt = make_optimizer(lib)
            sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=min_lr)
            opt.add_param_group({"params": [lib.zeros(1, requires_grad=True)], "lr": 0.5})
            sched.step(1.0)
            try:
                sched.step(2.0)
                res.append(("ok", [g["lr"] for g in opt.param_groups]))
            except RuntimeError as e:
                res.append(("error", str(e)))
        assert res[0] == res[1]


# --- warnings ------------------------------------------------------------------------------------

def _warn_script_order(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.StepLR(opt, 3)
    s.step()  # before optimizer.step(): warns
    opt.step()
    s.step()
    s.step()


def _warn_script_order_ok(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    opt.step()
    s.step()


def _warn_script_overridden(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.StepLR(opt, 3)
    opt.step = lambda closure=None: None  # replaced after the scheduler wrapped it
    s.step()
    s.step()


def _warn_script_two_schedulers(lib):
    opt = make_optimizer(lib)
    a = lib.optim.lr_scheduler.StepLR(opt, 3)
    b = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)  # does not wrap step twice
    a.step()
    b.step()
    opt.step()
    a.step()
    b.step()


def _warn_script_get_lr(lib):
    opt = make_optimizer(lib)
    for s in (lib.optim.lr_scheduler.StepLR(opt, 3),
              lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 4),
              lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1),
              swa(lib.optim.lr_scheduler).SWALR(opt, 0.05)):
        s.get_lr()
        s.get_last_lr()


def _warn_script_epoch(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.StepLR(opt, 3)
    opt.step()
    s.step(5)
    p = lib.optim.lr_scheduler.ReduceLROnPlateau(opt)
    p.step(1.0, 3)
    w = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 4)
    w.step(2.5)  # no warning: the fractional epoch is this scheduler's documented form


def _warn_script_nested(lib):
    opt = make_optimizer(lib)
    L = lib.optim.lr_scheduler
    seq = L.SequentialLR(opt, [L.ConstantLR(opt, 0.5, 2), L.ExponentialLR(opt, 0.9)], [2])
    seq.step()
    seq.step()
    seq.step()
    chained = L.ChainedScheduler([L.StepLR(opt, 2), L.LinearLR(opt)])
    chained.step()


def _warn_script_warm_restarts_and_plateau(lib):
    opt = make_optimizer(lib)
    L = lib.optim.lr_scheduler
    L.CosineAnnealingWarmRestarts(opt, 4).step()  # never checks the call order
    L.ReduceLROnPlateau(opt).step(0.5)
    L.OneCycleLR(opt, 0.1, total_steps=10).step()


WARN_SCRIPTS = [_warn_script_order, _warn_script_order_ok, _warn_script_overridden,
                _warn_script_two_schedulers, _warn_script_get_lr, _warn_script_epoch,
                _warn_script_nested, _warn_script_warm_restarts_and_plateau]


@pytest.mark.parametrize("script", WARN_SCRIPTS, ids=lambda f: f.__name__[13:])
def test_warnings_fire_as_torch(script):
    got = {}
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            script(lib)
        got[lib] = [(x.category, str(x.message)) for x in w]
    assert got[gradstep] == got[torch]


def test_warnings_deduplicate_as_torch_under_the_default_filter():
    """Under the "default" action a warning shows once per location; the locations (the caller of
    step(), each class's get_lr) are chosen as torch chooses them, so the counts agree."""
    got = {}
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("default")
            opt = make_optimizer(lib)
            M = lib.optim.lr_scheduler
            a, b = M.StepLR(opt, 3), M.ExponentialLR(opt, 0.9)
            for _ in range(3):
                a.get_lr()
                b.get_lr()
                a.get_lr()
            for s in (M.StepLR(make_optimizer(lib), 2), M.StepLR(make_optimizer(lib), 2)):
                s.step()
                s.step(4)
        got[lib] = [(x.category, str(x.message)) for x in w]
    assert got[gradstep] == got[torch]


def test_warning_points_at_the_callers_line():
    opt = make_optimizer(gradstep)
    s = gradstep.optim.lr_scheduler.StepLR(opt, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s.step()
    assert len(w) == 1 and w[0].filename == __file__


# --- errors --------------------------------------------------------------------------------------

def _opt(lib):
    return make_optimizer(lib)


ERRORS = [
    ("not-an-optimizer", lambda L, o: L.StepLR(object(), 3)),
    ("constant-factor", lambda L, o: L.ConstantLR(o, factor=1.5)),
    ("linear-start", lambda L, o: L.LinearLR(o, start_factor=0)),
    ("linear-end", lambda L, o: L.LinearLR(o, end_factor=1.5)),
    ("lambda-count", lambda L, o: L.LambdaLR(o, [lambda e: 1.0])),
    ("multiplicative-count", lambda L, o: L.MultiplicativeLR(o, [lambda e: 1.0] * 3)),
    ("multiplicative-not-callable", lambda L, o: L.MultiplicativeLR(o, 0.5)),
    ("resume-without-initial-lr", lambda L, o: L.StepLR(o, 3, last_epoch=4)),
    ("sequential-empty", lambda L, o: L.SequentialLR(o, [], [])),
    ("sequential-milestones", lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], [3])),
    ("sequential-plateau", lambda L, o: L.SequentialLR(
        o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], [3])),
    ("sequential-no-optimizer", lambda L, o: L.SequentialLR(o, [object()], [])),
    ("chained-empty", lambda L, o: L.ChainedScheduler([])),
    ("chained-plateau", lambda L, o: L.ChainedScheduler([L.ReduceLROnPlateau(o)])),
    ("plateau-factor", lambda L, o: L.ReduceLROnPlateau(o, factor=1.0)),
    ("plateau-mode", lambda L, o: L.ReduceLROnPlateau(o, mode="up")),
    ("plateau-threshold-mode", lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="pct")),
    ("plateau-min-lrs", lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1])),
    ("cyclic-mode", lambda L, o: L.CyclicLR(o, 0.01, 0.1, mode="sawtooth")),
    ("cyclic-base-lr-count", lambda L, o: L.CyclicLR(o, [0.01], 0.1)),
    ("cyclic-max-momentum-count", lambda L, o: L.CyclicLR(o, 0.01, 0.1, max_momentum=[0.9] * 3)),
    ("onecycle-total-steps", lambda L, o: L.OneCycleLR(o, 0.1, total_steps=0)),
    ("onecycle-epochs", lambda L, o: L.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3)),
    ("onecycle-steps-per-epoch", lambda L, o: L.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=1.5)),
    ("onecycle-no-length", lambda L, o: L.OneCycleLR(o, 0.1)),
    ("onecycle-pct-start", lambda L, o: L.OneCycleLR(o, 0.1, total_steps=10, pct_start=1)),
    ("onecycle-anneal", lambda L, o: L.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp")),
    ("warm-T0", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0)),
    ("warm-T0-float", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2.0)),
    ("warm-Tmult", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0)),
    ("warm-eta-min", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0")),
    ("warm-negative-epoch", lambda L, o: L.CosineAnnealingWarmRestarts(o, 2).step(-1)),
    ("swalr-anneal", lambda L, o: swa(L).SWALR(o, 0.1, anneal_strategy="exp")),
    ("swalr-anneal-epochs", lambda L, o: swa(L).SWALR(o, 0.1, anneal_epochs=-1)),
    ("swalr-swa-lr-count", lambda L, o: swa(L).SWALR(o, [0.1, 0.2, 0.3])),
]


@pytest.mark.parametrize("name,make", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, make):
    caught = {}
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            make(lib.optim.lr_scheduler, _opt(lib))
        caught[lib] = info
    t = caught[torch]
    g = caught[gradstep]
    assert g.type is t.type
    assert str(g.value) == str(t.value)


def test_cycle_momentum_needs_momentum_or_betas():
    for lib in LIBS:
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        del opt.defaults["momentum"]
        for make in (lambda: lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1),
                     lambda: lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=5)):
            with pytest.raises(ValueError, match=re.escape(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option "
                    "enabled")):
                make()


def test_different_optimizer_error_matches_torch():
    msgs = []
    for lib in LIBS:
        a, b = make_optimizer(lib, lrs=(0.1,)), make_optimizer(lib, lrs=(0.2,))
        L = lib.optim.lr_scheduler
        with pytest.raises(ValueError) as info:
            L.SequentialLR(a, [L.StepLR(a, 2), L.StepLR(b, 2)], [3])
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_onecycle_past_total_steps_says_how_many():
    """torch's message exactly; how many steps the schedule was built for and what to do come
    as a note on the error (shown in the traceback, not part of the message)."""
    errors = []
    for lib in LIBS:
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10)
        for _ in range(10):
            opt.step()
            sched.step()
        opt.step()
        with pytest.raises(ValueError) as info:
            sched.step()
        errors.append(info.value)
    assert str(errors[0]) == str(errors[1])
    note = "\n".join(getattr(errors[0], "__notes__", []))
    assert "built for total_steps=10" in note and "call number 11" in note


# --- the seed's StepLR listing -------------------------------------------------------------------

SEED = """
optimizer = optim.SGD([torch.randn(1, requires_grad=True)], lr=100)
lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=.10)

for epoch in range(1, 25):
    optimizer.step()
    lr_scheduler.step()
    print('Epoch {}, lr {:0.4f}'.format(epoch, optimizer.param_groups[0]['lr']))
"""


def test_seed_steplr_listing_prints_as_torch():
    out = {}
    for lib in LIBS:
        buf = io.StringIO()
        with redirect_stdout(buf):
            exec(SEED, {"torch": lib, "optim": lib.optim})
        out[lib] = buf.getvalue()
    assert out[gradstep] == out[torch]
    assert out[torch].count("\n") == 24


# --- misc API ------------------------------------------------------------------------------------

def test_public_names_and_alias():
    L = gradstep.optim.lr_scheduler
    assert set(L.__all__) == set(torch.optim.lr_scheduler.__all__)
    for name in L.__all__:
        assert isinstance(getattr(L, name), type)
    assert issubclass(L._LRScheduler, L.LRScheduler) and L._LRScheduler.__name__ == "_LRScheduler"
    assert L.EPOCH_DEPRECATION_WARNING == torch.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING


def test_initial_lr_base_lrs_and_last_epoch():
    out = {}
    for lib in LIBS:
        opt = make_optimizer(lib)
        opt.param_groups[1]["initial_lr"] = 0.5  # kept: setdefault, as torch
        s = lib.optim.lr_scheduler.StepLR(opt, 2)
        out[lib] = ([g["initial_lr"] for g in opt.param_groups], s.base_lrs, s.last_epoch,
                    s._step_count, s.get_last_lr())
    assert out[gradstep] == out[torch]


def test_custom_subclass_of_lrscheduler():
    """A user subclass implementing get_lr (torch's documented extension point)."""
    out = {}
    for lib in LIBS:
        class Halve(lib.optim.lr_scheduler.LRScheduler):
            def get_lr(self):
                return [base * 0.5 ** self.last_epoch for base in self.base_lrs]

        opt = make_optimizer(lib)
        s = Halve(opt)
        trace = []
        for _ in range(5):
            opt.step()
            s.step()
            trace.append(s.get_last_lr())
        out[lib] = trace
    assert_values(out[gradstep], out[torch], "subclass")


@pytest.mark.parametrize("case", RESUME, ids=[c[0] for c in RESUME])
def test_get_lr_called_directly_after_resuming(case):
    """get_lr() outside step() right after a last_epoch=k constructor (CosineAnnealingLR's
    closed-form branch for that first step) warns and returns what torch returns."""
    _, kind, factory = case
    out = {}
    for lib in LIBS:
        opt = make_optimizer(lib, kind)
        sched = factory(lib.optim.lr_scheduler, opt, -1)
        for _ in range(9):
            opt.step()
            sched.step()
        new = factory(lib.optim.lr_scheduler, opt, 8)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            values = new.get_lr()
        out[lib] = values, snapshot(new, opt), [str(x.message) for x in w]
    assert_values(out[gradstep][:2], out[torch][:2], "get_lr")
    assert out[gradstep][2] == out[torch][2]


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
def test_reduce_on_plateau_ties_are_not_improvements(mode, threshold_mode):
    metrics = [1.0, 1.0, 2.0, 2.0, 2.0, 0.5, 0.5, 3.0, 3.0, 3.0, 3.0]
    out = {}
    for lib in LIBS:
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode=mode, threshold=0.0, threshold_mode=threshold_mode, patience=1)
        trace = []
        for m in metrics:
            sched.step(m)
            trace.append((sched.get_last_lr(), sched.best, sched.num_bad_epochs))
        out[lib] = trace
    assert_values(out[gradstep], out[torch], "ties")
