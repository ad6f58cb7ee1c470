"""gradstep.optim.swa_utils against torch.optim.swa_utils.

One table of averaging configurations (SWA by default, EMA through multi_avg_fn or avg_fn, custom
functions, use_buffers) drives the parity test: the same model in both libraries (float32 and
float64 parameters, a float and an integer buffer) is set to the same sequence of weights and
folded into an AveragedModel; averaged parameters, buffers and n_averaged are compared after every
update. SWALR's learning rates are compared in tests/test_lr_scheduler.py's scheduler table.
"""
import numpy as np
import pytest
import torch

import gradstep

LIBS = (gradstep, torch)


def to_numpy(t):
    return t.detach().numpy().copy() if isinstance(t, torch.Tensor) else np.array(t.detach()._data)


def weights(seed):
    rng = np.random.default_rng(seed)
    return {"w": rng.standard_normal((3, 4)).astype(np.float32),
            "b": rng.standard_normal(4),  # float64
            "running": rng.standard_normal(4).astype(np.float32),
            "count": np.array(seed * 3, dtype=np.int64)}


def make_model(lib, arrays):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.from_numpy(arrays["w"].copy()))
            self.b = lib.nn.Parameter(lib.from_numpy(arrays["b"].copy()))
            self.register_buffer("running", lib.from_numpy(arrays["running"].copy()))
            self.register_buffer("count", lib.from_numpy(arrays["count"].copy()))

        def forward(self, x):
            return x @ self.w + self.running

    return Net()


def set_weights(lib, model, arrays):
    with lib.no_grad():
        for name, value in arrays.items():
            getattr(model, name).copy_(lib.from_numpy(value.copy()))


def swa(lib):
    return lib.optim.swa_utils


class Scaled:
    """A custom avg_fn as a callable object."""

    def __call__(self, avg, cur, n):
        return avg * 0.5 + cur * 0.5


CONFIGS = [
    ("swa-default", lambda s: {}),
    ("swa-default-buffers", lambda s: {"use_buffers": True}),
    ("swa-multi", lambda s: {"multi_avg_fn": s.get_swa_multi_avg_fn()}),
    ("swa-multi-buffers", lambda s: {"multi_avg_fn": s.get_swa_multi_avg_fn(),
                                     "use_buffers": True}),
    ("ema-multi", lambda s: {"multi_avg_fn": s.get_ema_multi_avg_fn(0.9)}),
    ("ema-multi-buffers", lambda s: {"multi_avg_fn": s.get_ema_multi_avg_fn(0.75),
                                     "use_buffers": True}),
    ("ema-multi-default-decay", lambda s: {"multi_avg_fn": s.get_ema_multi_avg_fn()}),
    ("ema-avg-fn", lambda s: {"avg_fn": s.get_ema_avg_fn(0.8)}),
    ("ema-avg-fn-buffers", lambda s: {"avg_fn": s.get_ema_avg_fn(0.8), "use_buffers": True}),
    ("swa-avg-fn", lambda s: {"avg_fn": s.get_swa_avg_fn()}),
    ("custom-lambda", lambda s: {"avg_fn": lambda a, c, n: a + (c - a) * 0.25}),
    ("custom-object-buffers", lambda s: {"avg_fn": Scaled(), "use_buffers": True}),
]


@pytest.mark.parametrize("name,config", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_averaged_model_parity(name, config):
    traces = {}
    for lib in LIBS:
        model = make_model(lib, weights(0))
        avg = swa(lib).AveragedModel(model, **config(swa(lib)))
        trace = []
        for k in range(1, 8):
            set_weights(lib, model, weights(k))
            try:
                avg.update_parameters(model)
            except Exception as e:  # noqa: BLE001  (torch's own errors must be gradstep's too)
                trace.append({"error": (type(e), str(e))})
                break
            state = {key: to_numpy(v) for key, v in avg.state_dict().items()}
            trace.append(state)
        if "error" not in trace[-1]:
            x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
            trace.append({"out": to_numpy(avg(lib.from_numpy(x)))})
        traces[lib] = trace
    for step, (g, t) in enumerate(zip(traces[gradstep], traces[torch])):
        assert g.keys() == t.keys(), f"update {step}: state_dict keys"
        if "error" in t:
            # whitespace-normalised: gradstep's addcdiv message lacks torch's double space
            # ("in a future  release"), a gradstep/_ops/arith.py matter outside this area
            assert g["error"][0] is t["error"][0]
            assert " ".join(g["error"][1].split()) == " ".join(t["error"][1].split())
            continue
        for key in t:
            assert g[key].dtype == t[key].dtype, f"update {step}: {key} dtype"
            assert g[key].shape == t[key].shape, f"update {step}: {key} shape"
            if key == "out":  # a matmul: summation order is BLAS's
                np.testing.assert_allclose(g[key], t[key], rtol=1e-6, atol=1e-7)
            else:  # bit for bit: torch's CPU lerp rounds its multiply-add once, as gradstep's
                np.testing.assert_array_equal(g[key], t[key], err_msg=f"update {step}: {key}")


def test_averaged_model_structure():
    out = {}
    for lib in LIBS:
        model = make_model(lib, weights(0))
        avg = swa(lib).AveragedModel(model)
        out[lib] = (list(avg.state_dict()), [n for n, _ in avg.named_parameters()],
                    str(avg.n_averaged.dtype), avg.n_averaged.item(), avg.use_buffers,
                    avg.module is model, avg.module.w is model.w)
        avg.update_parameters(model)
        out[lib] += (avg.n_averaged.item(), avg.module.w.requires_grad)
    assert out[gradstep] == out[torch]


def test_averaged_model_params_stay_leaves_without_grad_history():
    model = make_model(gradstep, weights(0))
    avg = swa(gradstep).AveragedModel(model)
    for k in range(3):
        set_weights(gradstep, model, weights(k))
        avg.update_parameters(model)
    for p in avg.parameters():
        assert p.is_leaf and p.grad_fn is None


def test_errors_match_torch():
    cases = [
        lambda lib: swa(lib).AveragedModel(make_model(lib, weights(0)),
                                           avg_fn=swa(lib).get_swa_avg_fn(),
                                           multi_avg_fn=swa(lib).get_swa_multi_avg_fn()),
        lambda lib: swa(lib).get_ema_multi_avg_fn(1.5),
        lambda lib: swa(lib).get_ema_avg_fn(-0.1),
    ]
    for make in cases:
        caught = []
        for lib in LIBS:
            with pytest.raises(Exception) as info:
                make(lib)
            caught.append((info.type, str(info.value)))
        assert caught[0] == caught[1]


def test_public_names():
    assert set(swa(gradstep).__all__) == set(swa(torch).__all__)
    for name in swa(gradstep).__all__:
        assert callable(getattr(swa(gradstep), name))


def test_swa_training_recipe():
    """torch's documented recipe: an optimizer, a CosineAnnealingLR then SWALR, SWA of the
    weights after each epoch from swa_start on, same losses and averaged weights as torch."""
    results = {}
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((6, 8, 3))
    ys = rng.standard_normal((6, 8, 4))
    for lib in LIBS:
        arrays = weights(0)
        arrays = {k: v.astype(np.float64) if v.dtype == np.float32 else v
                  for k, v in arrays.items()}
        model = make_model(lib, arrays)
        opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        swa_model = swa(lib).AveragedModel(model)
        swa_sched = swa(lib).SWALR(opt, swa_lr=0.01, anneal_epochs=3)
        losses, lrs = [], []
        for epoch in range(12):
            for x, y in zip(xs, ys):
                opt.zero_grad()
                loss = ((model(lib.from_numpy(x.copy())) - lib.from_numpy(y.copy())) ** 2).mean()
                loss.backward()
                opt.step()
                losses.append(loss.item())
            if epoch >= 6:
                swa_model.update_parameters(model)
                swa_sched.step()
            else:
                sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        results[lib] = losses, lrs, to_numpy(swa_model.module.w), to_numpy(swa_model.module.b)
    g, t = results[gradstep], results[torch]
    np.testing.assert_allclose(g[0], t[0], rtol=1e-10)
    np.testing.assert_allclose(g[1], t[1], rtol=1e-12)
    np.testing.assert_allclose(g[2], t[2], rtol=1e-10)
    np.testing.assert_allclose(g[3], t[3], rtol=1e-10)


def _bn_model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                             lib.nn.Linear(4, 2), lib.nn.BatchNorm1d(2, momentum=0.3))


@pytest.mark.parametrize("batch_form", ["tensor", "tuple", "list"])
@pytest.mark.parametrize("training", [True, False])
def test_update_bn(batch_form, training):
    """update_bn recomputes running stats as a cumulative mean over the loader, restores each
    momentum and the model's mode, as torch's does."""
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((n, 3)).astype(np.float32) for n in (5, 8, 3, 6)]
    torch_model = _bn_model(torch)
    with torch.no_grad():  # stale statistics that update_bn must discard
        torch_model[1].running_mean.fill_(3.0)
        torch_model[1].num_batches_tracked.fill_(7)
    out = {}
    for lib in LIBS:
        model = _bn_model(lib)
        model.load_state_dict({k: lib.from_numpy(v.detach().numpy().copy())
                               for k, v in torch_model.state_dict().items()})
        model.train(training)

        def loader():
            for b in batches:
                x = lib.from_numpy(b.copy())
                if batch_form == "tensor":
                    yield x
                elif batch_form == "tuple":
                    yield x, lib.zeros(len(b))
                else:
                    yield [x, lib.zeros(len(b))]

        swa(lib).update_bn(loader(), model)
        out[lib] = ({k: to_numpy(v) for k, v in model.state_dict().items()},
                    [m.momentum for m in (model[1], model[4])], model.training,
                    [m.training for m in model.modules()])
    g, t = out[gradstep], out[torch]
    assert g[1:] == t[1:]
    assert g[0].keys() == t[0].keys()
    for key in t[0]:
        assert g[0][key].dtype == t[0][key].dtype, key
        np.testing.assert_allclose(g[0][key], t[0][key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_update_bn_without_batchnorm_leaves_model_alone():
    for lib in LIBS:
        model = lib.nn.Sequential(lib.nn.Linear(3, 2))
        model.eval()
        calls = []
        model.register_forward_hook(lambda m, i, o: calls.append(1))
        swa(lib).update_bn([lib.zeros(2, 3)], model)
        assert calls == [] and model.training is False


def test_update_bn_on_averaged_model():
    """The documented end of SWA: update_bn(loader, swa_model) on an AveragedModel of a BN net."""
    rng = np.random.default_rng(2)
    batches = [rng.standard_normal((6, 3)).astype(np.float32) for _ in range(3)]
    torch_model = _bn_model(torch)
    out = {}
    for lib in LIBS:
        model = _bn_model(lib)
        model.load_state_dict({k: lib.from_numpy(v.detach().numpy().copy())
                               for k, v in torch_model.state_dict().items()})
        avg = swa(lib).AveragedModel(model)
        for b in batches:
            model(lib.from_numpy(b.copy()))  # moves the model's running stats
            avg.update_parameters(model)
        swa(lib).update_bn([lib.from_numpy(b.copy()) for b in batches], avg)
        out[lib] = {k: to_numpy(v) for k, v in avg.state_dict().items()}
    for key in out[torch]:
        np.testing.assert_allclose(out[gradstep][key], out[torch][key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)
