"""Every optimizer against torch: one table of optimizers x option sets, the same model, data
and initial weights in both libraries, many steps, parameters and every state tensor compared;
state dict round trips (also from torch's), param groups, zero_grad, errors, hooks, LBFGS."""
import copy
import importlib
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9), weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.001)),
    ("RMSprop", dict(lr=0.001, momentum=0.5)),
    ("RMSprop", dict(lr=0.001, centered=True)),
    ("RMSprop", dict(lr=0.001, centered=True, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.001, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, t0=10, weight_decay=0.1, lambd=1e-3)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, eps=(1e-6, 1e-3), d=2.0, maximize=True)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
STEPS = 50
SHAPES = [(4, 6), (6,), (6, 3), (3,), (3,)]  # the last one is frozen (never has a gradient)


def _model(lib, dtype):
    rng = np.random.default_rng(0)
    params = [lib.tensor((rng.standard_normal(s) * 0.5).astype(dtype),
                         requires_grad=i < 4) for i, s in enumerate(SHAPES)]
    x = lib.tensor(rng.standard_normal((16, 4)).astype(dtype))
    y = lib.tensor(np.tanh(rng.standard_normal((16, 3))).astype(dtype))
    return params, x, y


def _loss(lib, params, x, y):
    w1, b1, w2, b2, frozen = params
    out = lib.tanh(lib.tanh(x @ w1 + b1) @ w2 + b2 + frozen)
    return ((out - y) ** 2).mean()


def _train(lib, opt, params, x, y, start, stop):
    for i in range(start, stop):
        opt.zero_grad()
        _loss(lib, params, x, y).backward()
        if i % 3 == 1:
            params[1].grad = None  # a parameter without a gradient on some steps
        opt.step()


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


def _compare_state(g_opt, t_opt, rtol, atol):
    gs, ts = g_opt.state_dict(), t_opt.state_dict()
    assert gs["param_groups"] == ts["param_groups"]
    assert gs["state"].keys() == ts["state"].keys()
    for k, tstate in ts["state"].items():
        gstate = gs["state"][k]
        assert list(gstate) == list(tstate)
        for key, tv in tstate.items():
            gv = gstate[key]
            assert str(gv.dtype) == str(tv.dtype), key
            assert tuple(gv.shape) == tuple(tv.shape), key
            np.testing.assert_allclose(_np(gv), _np(tv), rtol=rtol, atol=atol, err_msg=key)


def _tols(dtype):
    return (1e-10, 1e-12) if dtype == "float64" else (2e-4, 2e-6)


def _make(lib, name, kwargs, params):
    return getattr(lib.optim, name)(params[:5], **kwargs)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_matches_torch(name, kwargs, dtype):
    rtol, atol = _tols(dtype)
    results = []
    for lib in (gradstep, torch):
        params, x, y = _model(lib, dtype)
        opt = _make(lib, name, kwargs, params)
        _train(lib, opt, params, x, y, 0, STEPS)
        results.append((params, opt))
    (gp, go), (tp, to) = results
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(_np(g), _np(t), rtol=rtol, atol=atol)
    _compare_state(go, to, rtol, atol)


def _to_gradstep(value):
    if isinstance(value, torch.Tensor):
        return gradstep.tensor(value.detach().numpy().copy())
    if isinstance(value, dict):
        return {k: _to_gradstep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_gradstep(v) for v in value]
    return value


@pytest.mark.parametrize("source", ["gradstep", "torch"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_state_dict_round_trip(name, kwargs, source):
    """Saved half-way and loaded into a fresh optimizer, training continues as torch's does
    after the same round trip (from gradstep's own state dict, or torch's converted)."""
    half = STEPS // 2
    tp, x, y = _model(torch, "float64")
    to = _make(torch, name, kwargs, tp)
    _train(torch, to, tp, x, y, 0, half)
    torch_saved = to.state_dict()
    to = _make(torch, name, kwargs, tp)
    to.load_state_dict(torch_saved)
    gp, gx, gy = _model(gradstep, "float64")
    go = _make(gradstep, name, kwargs, gp)
    if source == "gradstep":
        _train(gradstep, go, gp, gx, gy, 0, half)
        saved = copy.deepcopy(go.state_dict())
    else:
        saved = _to_gradstep(torch_saved)
        for g, t in zip(gp, tp):
            g.data = gradstep.tensor(t.detach().numpy().copy())
    _train(torch, to, tp, x, y, half, STEPS)
    fresh = _make(gradstep, name, kwargs, gp)
    fresh.load_state_dict(saved)
    _train(gradstep, fresh, gp, gx, gy, half, STEPS)
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(_np(g), _np(t), rtol=1e-10, atol=1e-12)
    _compare_state(fresh, to, 1e-10, 1e-12)


@pytest.mark.parametrize("name,group_kwargs", [
    ("SGD", [dict(lr=0.1, momentum=0.9), dict(lr=0.01)]),
    ("Adam", [dict(lr=0.02, amsgrad=True), dict(betas=(0.5, 0.9))]),
    ("RMSprop", [dict(centered=True), dict(momentum=0.3, lr=0.02)]),
])
def test_param_groups(name, group_kwargs):
    results = []
    for lib in (gradstep, torch):
        params, x, y = _model(lib, "float64")
        groups = [dict(params=params[:2], **group_kwargs[0]),
                  dict(params=params[2:4], **group_kwargs[1])]
        opt = getattr(lib.optim, name)(groups, lr=0.01)
        _train(lib, opt, params, x, y, 0, 20)
        opt.param_groups[1]["lr"] = 0.05  # scripts change options by hand
        _train(lib, opt, params, x, y, 20, 30)
        results.append((params, opt))
    (gp, go), (tp, to) = results
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(_np(g), _np(t), rtol=1e-10, atol=1e-12)
    _compare_state(go, to, 1e-10, 1e-12)
    assert repr(go) == repr(to)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    for lib in (gradstep, torch):
        params, x, y = _model(lib, "float64")
        opt = lib.optim.SGD(params[:4], lr=0.1)
        _loss(lib, params, x, y).backward()
        opt.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert all(p.grad is None for p in params)
        else:
            assert all((p.grad == 0).all() for p in params[:4])
            assert params[4].grad is None
    # a zero gradient still takes a step (momentum keeps moving); None skips it
    finals = []
    for lib in (gradstep, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad(set_to_none=set_to_none)
            (p * p).sum().backward()
            opt.step()
        opt.zero_grad(set_to_none=set_to_none)
        opt.step()
        finals.append(_np(p))
    np.testing.assert_allclose(finals[0], finals[1], rtol=1e-6)


def _errors(lib):
    p = lib.tensor([1.0, 2.0], requires_grad=True)
    q = lib.tensor([1.0], requires_grad=True)
    optim = lib.optim
    return [
        lambda: optim.SGD([p], lr=-1),
        lambda: optim.SGD([p], momentum=-0.5),
        lambda: optim.SGD([p], weight_decay=-1),
        lambda: optim.SGD([p], nesterov=True),
        lambda: optim.SGD([p], fused=True, differentiable=True),
        lambda: optim.SGD([p], fused=True, foreach=True),
        lambda: optim.SGD([], lr=0.1),
        lambda: optim.SGD(p, lr=0.1),
        lambda: optim.SGD([{"params": {p}}], lr=0.1),
        lambda: optim.SGD([p, 1.0], lr=0.1),
        lambda: optim.SGD([p * 2], lr=0.1),
        lambda: optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
        lambda: optim.SGD([("a", p), q], lr=0.1),
        lambda: optim.SGD([{"params": [("a", p)]}, {"params": [q]}], lr=0.1),
        lambda: optim.SGD([p]).add_param_group([q]),
        lambda: optim.Adam([p], eps=-1),
        lambda: optim.Adam([p], betas=(1.0, 0.9)),
        lambda: optim.Adam([p], betas=(0.9, -0.1)),
        lambda: optim.Adam([p], betas=(0.9, 1)),
        lambda: optim.AdamW([p], weight_decay=-0.1),
        lambda: optim.Adamax([p], lr=-0.1),
        lambda: optim.NAdam([p], momentum_decay=-1),
        lambda: optim.RAdam([p], betas=(-0.1, 0.9)),
        lambda: optim.Adagrad([p], lr_decay=-1),
        lambda: optim.Adagrad([p], initial_accumulator_value=-1),
        lambda: optim.Adadelta([p], rho=1.5),
        lambda: optim.RMSprop([p], alpha=-1),
        lambda: optim.RMSprop([p], momentum=-1),
        lambda: optim.Rprop([p], etas=(1.5, 1.2)),
        lambda: optim.ASGD([p], weight_decay=-1),
        lambda: optim.LBFGS([p], lr=-1),
        lambda: optim.LBFGS([{"params": [p]}, {"params": [q]}]),
        lambda: optim.SparseAdam([p], lr=0.0),
        lambda: optim.SparseAdam([p], eps=0.0),
        lambda: optim.Adafactor([p], beta2_decay=0.5),
        lambda: optim.Adafactor([p], eps=(-1, 1e-3)),
        lambda: optim.Adafactor([p], d=0.5),
        lambda: optim.Muon([p]),
        lambda: optim.Muon([lib.zeros(2, 2, requires_grad=True)], adjust_lr_fn="bad"),
        lambda: optim.Muon([lib.zeros(2, 2, requires_grad=True)], momentum=-1),
    ]


@pytest.mark.parametrize("index", range(len(_errors(torch))))
def test_errors(index):
    with pytest.raises(Exception) as expected:
        _errors(torch)[index]()
    with pytest.raises(expected.type, match=re.escape(str(expected.value))):
        _errors(gradstep)[index]()


def test_runtime_errors():
    for lib in (gradstep, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        p.grad = lib.ones(2)
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
            lib.optim.SparseAdam([p]).step()
        opt = lib.optim.SGD([p], lr=0.1)
        state = opt.state_dict()
        state["param_groups"].append(dict(state["param_groups"][0]))
        with pytest.raises(ValueError, match="different number of parameter groups"):
            opt.load_state_dict(state)


def test_duplicate_warning():
    for lib in (gradstep, torch):
        p = lib.tensor([1.0], requires_grad=True)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


def test_hooks_and_named_params():
    logs = {}
    for lib in (gradstep, torch):
        log = logs[lib.__name__] = []
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.Adam([("w", p)], lr=0.1)
        h1 = opt.register_step_pre_hook(lambda o, a, k: log.append("pre"))
        h2 = opt.register_step_post_hook(lambda o, a, k: log.append("post"))
        module = importlib.import_module(lib.__name__ + ".optim.optimizer")
        g1 = module.register_optimizer_step_pre_hook(lambda o, a, k: log.append("gpre"))
        g2 = module.register_optimizer_step_post_hook(
            lambda o, a, k: log.append("gpost"))
        opt.register_state_dict_pre_hook(lambda o: log.append("sd_pre"))
        opt.register_state_dict_post_hook(lambda o, sd: log.append(("sd_post", sorted(sd))))
        opt.register_load_state_dict_pre_hook(lambda o, sd: log.append("load_pre"))
        opt.register_load_state_dict_post_hook(lambda o: log.append("load_post"), prepend=True)
        (p * p).sum().backward()
        loss = opt.step(lambda: log.append("closure") or 3.0)
        log.append(loss)
        h1.remove()
        g1.remove()
        opt.step()
        h2.remove()
        g2.remove()
        opt.step()
        sd = opt.state_dict()
        log.append(sd["param_groups"][0]["param_names"])
        opt.load_state_dict(sd)
        # a scheduler replaces the bound method on the instance
        original = opt.step
        opt.step = lambda *a, **k: log.append("wrapped") or original(*a, **k)
        opt.step()
        log.append(float(p.detach()[0]))
    assert logs["gradstep"] == logs["torch"]


def test_step_returns_closure_loss_with_grad_enabled():
    for lib in (gradstep, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)

        def closure():
            assert lib.is_grad_enabled()
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss
        with lib.no_grad():
            loss = opt.step(closure)
        assert float(loss) == 5.0


def test_seed_example(capsys):
    x = gradstep.tensor([1., 2.], requires_grad=True)
    (100 * x).sum().backward()
    optim = gradstep.optim.SGD([x], lr=0.001)
    print(x)
    optim.step()
    print(x)
    assert capsys.readouterr().out == ("tensor([1., 2.], requires_grad=True)\n"
                                       "tensor([0.9000, 1.9000], requires_grad=True)\n")


def test_flat_layout_follows_replaced_data():
    """Replacing p.data, or a state tensor, between steps is seen by the next step."""
    results = []
    for lib in (gradstep, torch):
        params, x, y = _model(lib, "float32")
        opt = lib.optim.Adam(params[:4], lr=0.01)
        _train(lib, opt, params, x, y, 0, 3)
        params[0].data = params[0].data * 0.5
        opt.state[params[2]]["exp_avg"] = opt.state[params[2]]["exp_avg"] * 2
        _train(lib, opt, params, x, y, 3, 6)
        with lib.no_grad():
            params[3].mul_(0.5)  # in place through the parameter: a view of the flat buffer
        _train(lib, opt, params, x, y, 6, 8)
        results.append(params)
    for g, t in zip(*results):
        np.testing.assert_allclose(_np(g), _np(t), rtol=1e-5, atol=1e-6)


def test_model_double_between_steps_keeps_state_dtypes():
    """model.double() after some steps sets each parameter's .data: the momentum buffers stay
    float32 (torch keeps them), so the flat layout must not take them in, and steps go on as
    torch's. (torch's Adam raises here: lerp_ wants one dtype.)"""
    results = []
    for lib in (gradstep, torch):
        model = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.Linear(5, 3))
        rng = np.random.default_rng(0)
        with lib.no_grad():
            for p in model.parameters():
                p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x = lib.tensor(np.linspace(-1, 1, 32).reshape(8, 4))
        for step in range(6):
            if step == 3:
                model.double()
                x = x.double()
            opt.zero_grad()
            model(x if step >= 3 else x.float()).pow(2).mean().backward()
            opt.step()
        states = [(str(v.dtype), _np(v)) for st in opt.state.values() for k, v in st.items()
                  if k != "step"]
        results.append(([_np(p) for p in model.parameters()], states,
                         [str(p.dtype) for p in model.parameters()]))
    (gp, gs, gd), (tp, ts, td) = results
    assert gd == td == ["torch.float64"] * 4
    assert [d for d, _ in gs] == [d for d, _ in ts] == ["torch.float32"] * 4
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(g, t, rtol=1e-6, atol=1e-7)
    for (_, g), (_, t) in zip(gs, ts):
        np.testing.assert_allclose(g, t, rtol=1e-5, atol=1e-8)


def test_data_assignment_shares_storage_not_version():
    def run(lib):
        base = lib.zeros(4)
        view = base[:2]
        view.data = lib.ones(2)
        p = lib.zeros(3, requires_grad=True)
        q = lib.ones(3, dtype=lib.float64)
        p.data = q
        with lib.no_grad():
            p.add_(1)
        return (view._base is base, p._base is None, str(p.dtype), p._version, q._version,
                q.tolist())
    assert run(gradstep) == run(torch)


def test_differentiable_sgd():
    grads = []
    for lib in (gradstep, torch):
        w = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        p = w * 1.0
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9, differentiable=True)
        p.grad = (w * w).detach()
        opt.step()
        (p * p).sum().backward()
        grads.append(_np(w.grad))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(lr=0.2), dict(line_search_fn="strong_wolfe"),
                                    dict(lr=0.2, max_iter=7, history_size=3),
                                    dict(line_search_fn="strong_wolfe", history_size=2,
                                         max_iter=8)])
def test_lbfgs(kwargs):
    results = []
    for lib in (gradstep, torch):
        params, x, y = _model(lib, "float64")
        opt = lib.optim.LBFGS(params[:4], **kwargs)
        evals = [0]

        def closure():
            evals[0] += 1
            opt.zero_grad()
            loss = _loss(lib, params, x, y)
            loss.backward()
            return loss
        losses = [float(opt.step(closure)) for _ in range(4)]
        state = opt.state[params[0]]
        results.append((params, losses, evals[0], state["func_evals"], state["n_iter"]))
    (gp, *g_rest), (tp, *t_rest) = results
    assert g_rest[1:] == t_rest[1:]  # evaluation and iteration counts
    np.testing.assert_allclose(g_rest[0], t_rest[0], rtol=1e-5)
    # round-off grows along flat directions of this small problem over 80 iterations
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(_np(g), _np(t), rtol=1e-4, atol=1e-6)


def _rosenbrock(lib, dtype):
    x = lib.tensor(np.array([-1.2, 1.0, -0.5, 0.8], dtype=dtype), requires_grad=True)

    def loss():
        return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    return x, loss


def _lbfgs_state(value):
    """A state value as (kind, content): tensors by dtype, shape and values, lists by item."""
    if isinstance(value, (torch.Tensor, gradstep.Tensor)):
        return ("tensor", str(value.dtype).split(".")[-1], tuple(value.shape),
                np.array(_np(value), copy=True))
    if isinstance(value, list):
        return ("list", [_lbfgs_state(v) for v in value])
    return (type(value).__name__, value)


def _assert_lbfgs_state_close(g, t, rtol):
    assert g[0] == t[0]
    if g[0] == "tensor":
        assert g[1:3] == t[1:3]
        np.testing.assert_allclose(g[3], t[3], rtol=rtol, atol=1e-12)
    elif g[0] == "list":
        assert len(g[1]) == len(t[1])
        for a, b in zip(g[1], t[1]):
            _assert_lbfgs_state_close(a, b, rtol)
    elif g[0] == "float":
        np.testing.assert_allclose(g[1], t[1], rtol=rtol)
    else:
        assert g == t


@pytest.mark.parametrize("kwargs", [dict(max_iter=1), dict(max_iter=3, lr=0.5),
                                    dict(max_iter=4, history_size=2),
                                    dict(max_iter=2, line_search_fn="strong_wolfe"),
                                    dict(max_iter=5, max_eval=6, line_search_fn="strong_wolfe",
                                         history_size=3),
                                    dict(max_iter=3, lr=1e-20, max_eval=30,
                                         line_search_fn="strong_wolfe")])
def test_lbfgs_state_after_each_step_matches_torch(kwargs):
    # every state entry: its key order, its type (t is an int lr, a float, or a tensor as in
    # torch; H_diag an int 1 before the first curvature pair), and its value
    seen = []
    for lib in (gradstep, torch):
        x, loss = _rosenbrock(lib, "float64")
        opt = lib.optim.LBFGS([x], **kwargs)

        def closure():
            opt.zero_grad()
            value = loss()
            value.backward()
            return value
        steps = []
        for _ in range(4):
            returned = float(opt.step(closure))
            state = opt.state_dict()["state"][0]
            steps.append((returned, list(state), {k: _lbfgs_state(v) for k, v in state.items()},
                          np.array(_np(x), copy=True)))
        seen.append(steps)
    for (g_loss, g_keys, g_state, g_x), (t_loss, t_keys, t_state, t_x) in zip(*seen):
        assert g_keys == t_keys
        np.testing.assert_allclose(g_loss, t_loss, rtol=1e-9)
        np.testing.assert_allclose(g_x, t_x, rtol=1e-9)
        for key in t_keys:
            _assert_lbfgs_state_close(g_state[key], t_state[key], 1e-8)


@pytest.mark.parametrize("lr,max_iter,max_eval", [(1e-5, 1, 1), (1e-5, 1, 2), (1e-5, 1, 5),
                                                  (1e-20, 1, 100), (1e-40, 1, 100),
                                                  (1e-40, 2, 44), (1e-20, 3, 24)])
def test_lbfgs_line_search_budget_and_steps_match_torch(lr, max_iter, max_eval):
    # tiny first steps make the search extrapolate many times (each step up to 10x): the
    # evaluations left in the step's budget bound it, and the trial steps follow torch's
    # rounding of a nearly degenerate cubic
    seen = []
    for lib in (gradstep, torch):
        x = lib.zeros(2, dtype=lib.float64, requires_grad=True)
        opt = lib.optim.LBFGS([x], lr=lr, max_iter=max_iter, max_eval=max_eval,
                              line_search_fn="strong_wolfe")
        trials = []

        def closure():
            opt.zero_grad()
            loss = (x + 0.5 * x * x).sum()
            loss.backward()
            trials.append(float(x[0]))
            return loss
        opt.step(closure)
        state = opt.state[x]
        seen.append((trials, repr(state["t"]).replace("gradstep", "torch"),
                     state["func_evals"], state["n_iter"]))
    (g_trials, *g_rest), (t_trials, *t_rest) = seen
    assert g_rest[1:] == t_rest[1:]
    assert len(g_trials) == len(t_trials)
    np.testing.assert_allclose(g_trials, t_trials, rtol=1e-12)
    assert type(g_rest[0]) is type(t_rest[0])


def test_lbfgs_float32_matches_torch():
    seen = []
    for lib in (gradstep, torch):
        x, loss = _rosenbrock(lib, "float32")
        opt = lib.optim.LBFGS([x], max_iter=1, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            value = loss()
            value.backward()
            return value
        losses = [float(opt.step(closure)) for _ in range(10)]
        seen.append((losses, opt.state[x]["func_evals"], _np(x).copy(),
                     str(opt.state[x]["d"].dtype)))
    (g_losses, g_evals, g_x, g_dtype), (t_losses, t_evals, t_x, t_dtype) = seen
    assert (g_evals, g_dtype.split(".")[-1]) == (t_evals, t_dtype.split(".")[-1])
    np.testing.assert_allclose(g_losses, t_losses, rtol=1e-5)
    np.testing.assert_allclose(g_x, t_x, rtol=1e-5)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_continues_from_torchs_state_dict(line_search_fn):
    # torch's state (lists of tensors, an int H_diag or t, None in al) converted and loaded
    tx, t_loss = _rosenbrock(torch, "float64")
    topt = torch.optim.LBFGS([tx], max_iter=3, history_size=4, line_search_fn=line_search_fn)

    def t_closure():
        topt.zero_grad()
        value = t_loss()
        value.backward()
        return value
    for _ in range(2):
        topt.step(t_closure)
    gx, g_loss = _rosenbrock(gradstep, "float64")
    with gradstep.no_grad():
        gx.copy_(gradstep.tensor(_np(tx).copy()))
    gopt = gradstep.optim.LBFGS([gx], max_iter=3, history_size=4, line_search_fn=line_search_fn)
    gopt.load_state_dict(_to_gradstep(topt.state_dict()))

    def g_closure():
        gopt.zero_grad()
        value = g_loss()
        value.backward()
        return value
    for _ in range(3):
        g_ret, t_ret = float(gopt.step(g_closure)), float(topt.step(t_closure))
        np.testing.assert_allclose(g_ret, t_ret, rtol=1e-9)
        np.testing.assert_allclose(_np(gx), _np(tx), rtol=1e-9)
    assert gopt.state[gx]["func_evals"] == topt.state[tx]["func_evals"]
    assert gopt.state[gx]["n_iter"] == topt.state[tx]["n_iter"]


def test_lbfgs_prev_flat_grad_is_updated_in_place_as_torch():
    seen = []
    for lib in (gradstep, torch):
        x, loss = _rosenbrock(lib, "float64")
        opt = lib.optim.LBFGS([x], max_iter=2)

        def closure():
            opt.zero_grad()
            value = loss()
            value.backward()
            return value
        opt.step(closure)
        before = dict(opt.state[x])
        opt.step(closure)
        after = opt.state[x]
        seen.append([after[k] is before[k] for k in before])
    assert seen[0] == seen[1]


def test_lbfgs_unknown_line_search_fails_at_step_as_torch():
    seen = []
    for lib in (gradstep, torch):
        x = lib.ones(2, requires_grad=True)
        opt = lib.optim.LBFGS([x], line_search_fn="backtracking")

        def closure():
            opt.zero_grad()
            loss = (x * x).sum()
            loss.backward()
            return loss
        with pytest.raises(RuntimeError) as info:
            opt.step(closure)
        seen.append((str(info.value), repr(opt), dict(opt.state[x])))
    assert seen[0] == seen[1]


def test_muon():
    results = []
    for lib in (gradstep, torch):
        rng = np.random.default_rng(0)
        w1 = lib.tensor((rng.standard_normal((4, 6)) * 0.5).astype("float32"),
                        requires_grad=True)
        w2 = lib.tensor((rng.standard_normal((6, 3)) * 0.5).astype("float32"),
                        requires_grad=True)
        x = lib.tensor(rng.standard_normal((8, 4)).astype("float32"))
        opt = lib.optim.Muon([w1, {"params": [w2], "nesterov": False,
                                   "adjust_lr_fn": "match_rms_adamw"}][:1], lr=0.01)
        opt.add_param_group({"params": [w2], "nesterov": False,
                             "adjust_lr_fn": "match_rms_adamw"})
        for _ in range(10):
            opt.zero_grad()
            ((lib.tanh(x @ w1) @ w2 - 1) ** 2).sum().backward()
            opt.step()
        results.append((_np(w1), _np(w2)))
    for g, t in zip(*results):
        np.testing.assert_allclose(g, t, rtol=1e-3, atol=1e-5)


def test_signatures_accept_torch_flags():
    import inspect
    for name in gradstep.optim.__all__:
        cls = getattr(gradstep.optim, name)
        if not isinstance(cls, type) or name == "Optimizer":
            continue
        g = inspect.signature(cls.__init__).parameters
        t = inspect.signature(getattr(torch.optim, name).__init__).parameters
        assert list(g) == list(t), name
        for key in t:
            assert repr(g[key].default) == repr(t[key].default) or key == "ns_coefficients", \
                (name, key)


def test_adagrad_state_is_eager():
    for lib in (gradstep, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.Adagrad([p], initial_accumulator_value=0.5)
        assert list(opt.state[p]) == ["step", "sum"]
        assert float(opt.state[p]["sum"][0]) == 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradstep.optim.Adam([gradstep.zeros(1, requires_grad=True)])


# ----- the flat layout: gradients in one buffer, the traced NumPy program, numba, threads -----
from gradstep.optim import _flat  # noqa: E402

FLAT_CASES = [("SGD", dict(lr=0.05, momentum=0.9)),
              ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
              ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
              ("Adam", dict(lr=0.01)),
              ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
              ("AdamW", dict(lr=0.01, betas=(0.6, 0.9))),
              ("RMSprop", dict(lr=0.001, centered=True, momentum=0.5)),
              ("Adagrad", dict(lr=0.1, lr_decay=0.01))]
FLAT_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(FLAT_CASES)]


def _train_style(lib, opt, params, x, y, steps, style):
    """Train with the gradients given one way: fresh from backward (``none``), zeroed in place
    (``zeros``), or new tensors assigned by hand (``hand``)."""
    for i in range(steps):
        opt.zero_grad(set_to_none=style != "zeros")
        _loss(lib, params, x, y).backward()
        if style == "hand":
            for p in params[:4]:
                p.grad = (p.grad * 1.0).detach()
        if i % 3 == 1:
            params[1].grad = None
        opt.step()


@pytest.fixture
def numba_mode(request):
    _flat.use_numba(request.param == "numba")
    yield request.param
    _flat.use_numba(False)


@pytest.mark.parametrize("numba_mode", ["numpy", "numba"], indirect=True)
@pytest.mark.parametrize("style", ["none", "zeros", "hand"])
@pytest.mark.parametrize("name,kwargs", FLAT_CASES, ids=FLAT_IDS)
def test_flat_paths_match_torch(name, kwargs, style, numba_mode):
    results = []
    for lib in (gradstep, torch):
        params, x, y = _model(lib, "float32")
        opt = _make(lib, name, kwargs, params)
        _train_style(lib, opt, params, x, y, 12, style)
        results.append((params, opt))
    (gp, go), (tp, to) = results
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(_np(g), _np(t), rtol=2e-5, atol=1e-6)
    _compare_state(go, to, 2e-5, 1e-6)


def test_gradients_land_in_the_flat_buffer():
    params, x, y = _model(gradstep, "float32")
    opt = gradstep.optim.Adam(params[:4], lr=0.01)
    _train(gradstep, opt, params, x, y, 0, 2)  # state, then the layout
    opt.zero_grad()
    _loss(gradstep, params, x, y).backward()
    bases = {id(p.grad._data.base) for p in params[:4]}
    assert len(bases) == 1 and params[0].grad._data.base is not None
    assert params[4].grad is None  # frozen: no gradient, no slot
    # gradients equal torch's, step after step
    tp, tx, ty = _model(torch, "float32")
    to = torch.optim.Adam(tp[:4], lr=0.01)
    _train(torch, to, tp, tx, ty, 0, 2)
    to.zero_grad()
    _loss(torch, tp, tx, ty).backward()
    for g, t in zip(params[:4], tp[:4]):
        np.testing.assert_allclose(_np(g.grad), _np(t.grad), rtol=1e-6, atol=1e-7)


def _train_pair(name, kwargs, steps=8):
    params, x, y = _model(gradstep, "float32")
    opt = _make(gradstep, name, kwargs, params)
    _train(gradstep, opt, params, x, y, 0, steps)
    return [_np(p).copy() for p in params] + [
        _np(v).copy() for st in opt.state.values() for v in st.values()
        if isinstance(v, gradstep.Tensor)]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_traced_program_is_the_kernel(name, kwargs, monkeypatch):
    """The in-place, chunked, threaded program traced from a kernel computes exactly what the
    kernel computes (bit for bit), whatever the chunk and thread split."""
    with monkeypatch.context() as m:
        m.setattr(_flat, "_program", lambda *args: None)
        expected = _train_pair(name, kwargs)
    monkeypatch.setattr(_flat, "_CHUNK", 8)
    monkeypatch.setattr(_flat, "_PARALLEL_MIN", 20)
    threads = gradstep.get_num_threads()
    gradstep.set_num_threads(2)
    try:
        got = _train_pair(name, kwargs)
    finally:
        gradstep.set_num_threads(threads)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(e, g)


def test_numba_matches_numpy_path():
    _flat.use_numba(True)
    try:
        got = _train_pair("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1))
    finally:
        _flat.use_numba(False)
    expected = _train_pair("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1))
    for e, g in zip(expected, got):
        np.testing.assert_allclose(e, g, rtol=1e-6, atol=1e-7)


def test_replaced_state_dict_and_tensor_are_seen():
    results = []
    for lib in (gradstep, torch):
        params, x, y = _model(lib, "float32")
        opt = lib.optim.Adam(params[:4], lr=0.01)
        _train(lib, opt, params, x, y, 0, 3)
        st = opt.state[params[0]]
        opt.state[params[0]] = {"step": st["step"].clone(), "exp_avg": st["exp_avg"] * 0.5,
                                "exp_avg_sq": st["exp_avg_sq"].clone()}
        _train(lib, opt, params, x, y, 3, 5)
        opt.state[params[2]].update(exp_avg=opt.state[params[2]]["exp_avg"] * 3)
        _train(lib, opt, params, x, y, 5, 7)
        with lib.no_grad():
            opt.state[params[3]]["exp_avg_sq"].mul_(2)  # in place: a view of the flat buffer
        _train(lib, opt, params, x, y, 7, 9)
        results.append((params, opt))
    (gp, go), (tp, to) = results
    for g, t in zip(gp, tp):
        np.testing.assert_allclose(_np(g), _np(t), rtol=2e-5, atol=1e-6)
    _compare_state(go, to, 2e-5, 1e-6)


def test_state_container_prints_and_copies_as_torch():
    reprs = []
    for lib in (gradstep, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        p.grad = lib.tensor([1.0, 1.0])
        opt.step()
        reprs.append(repr(opt.state).split(",")[0])
        copied = copy.deepcopy(opt.state)
        assert type(copied) is type(torch.optim.SGD([torch.zeros(1)]).state)
        assert all(type(v) is dict for v in copied.values())
        assert isinstance(opt.state[p], dict)
    assert reprs[0] == reprs[1]


@pytest.mark.parametrize("numba_mode", ["numpy", "numba"], indirect=True)
def test_replaced_one_element_data_is_seen(numba_mode):
    """A one-element (or 0-d) parameter whose data is replaced by an equal copy: the layout's
    quick list comparison cannot tell equal from identical there, so the check is exact."""
    results = []
    for lib in (gradstep, torch):
        rng = np.random.default_rng(1)
        params = [lib.tensor(rng.standard_normal(s).astype("float32"), requires_grad=True)
                  for s in [(1,), (), (3,), (2, 2)]]
        opt = lib.optim.Adam(params, lr=0.1)

        def run(steps):
            for _ in range(steps):
                opt.zero_grad()
                sum(((p * 1.5 - 0.3) ** 2).sum() for p in params).backward()
                opt.step()
        run(3)
        params[0].data = params[0].data.clone()
        params[1].data = params[1].data.clone()
        run(3)
        results.append(params)
    for g, t in zip(*results):
        np.testing.assert_allclose(_np(g), _np(t), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "LBFGS"])
def test_step_keeps_grad_mode_inside_inference_mode(name):
    # the step saves and restores the grad mode, not whether ops record (false in inference mode)
    seen = []
    for L in (gradstep, torch):
        p = L.nn.Parameter(L.ones(2))
        opt = getattr(L.optim, name)([p], lr=0.1)
        p.grad = L.ones(2)
        with L.inference_mode(), L.enable_grad():
            opt.step((lambda: (p * p).sum().detach()) if name == "LBFGS" else None)
            seen.append(L.is_grad_enabled())
    assert seen == [True, True]


def test_lbfgs_step_warns_nothing_and_keeps_an_int_lr_as_torch(monkeypatch):
    # torch takes float() of the closure's loss outside enable_grad: no requires_grad warning;
    # its step size state 't' keeps the type of lr (an int by default). That warning comes once
    # per process: gradstep's record of it is emptied, so that it would show here
    from gradstep import _from_data
    monkeypatch.setattr(_from_data, "_warned", set())
    seen = []
    for lib in (torch, gradstep):
        lib.manual_seed(0)
        m = lib.nn.Linear(2, 1)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([[0.5, -0.25]]))
            m.bias.fill_(0.1)
        opt = lib.optim.LBFGS(m.parameters(), max_iter=3)
        x = lib.ones(4, 2)

        def closure():
            opt.zero_grad()
            loss = (m(x) ** 2).sum()
            loss.backward()
            return loss
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            opt.step(closure)
        t = opt.state_dict()["state"][0]["t"]
        seen.append(([str(w.message) for w in caught], repr(t)))
    assert seen[1][0] == []
    assert seen[0][1] == seen[1][1]


def test_duplicate_parameter_takes_its_last_index_in_the_state_dict_as_torch():
    seen = []
    for lib in (torch, gradstep):
        w = lib.ones(2, requires_grad=True)
        v = lib.ones(1, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            opt = lib.optim.SGD([{"params": [w, v, w]}, {"params": [lib.ones(1)]}], lr=0.1)
        seen.append(([str(c.message) for c in caught],
                     [g["params"] for g in opt.state_dict()["param_groups"]]))
    assert seen[0] == seen[1]
