"""Normalization: batch, layer, group, RMS, instance, local response norm and normalize."""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd
from _modules import build_pair, compare_module

DTYPES = [np.float32, np.float64]


def F(lib):
    return lib.nn.functional


def rand(*shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def stats(lib, c, dtype):
    """Fresh running statistics (not all trivial) in ``lib``."""
    d = getattr(lib, np.dtype(dtype).name)
    return (lib.tensor(np.linspace(-0.5, 0.5, c), dtype=d),
            lib.tensor(np.linspace(0.5, 2.0, c), dtype=d))


# ----- functional forms: (name, fn(lib, x, *params), input shape, param shapes) -----

def _bn(training, affine=True, stats_given=True, momentum=0.1):
    def fn(lib, x, *wb):
        rm, rv = stats(lib, x.shape[1], np.float64 if x.dtype == lib.float64 else np.float32) \
            if stats_given else (None, None)
        out = F(lib).batch_norm(x, rm, rv, *wb, training=training, momentum=momentum)
        return (out, rm, rv) if stats_given else out
    return fn


FUNCTIONAL = [
    ("bn_train_2d", _bn(True), (6, 3), [(3,), (3,)]),
    ("bn_train_3d", _bn(True), (4, 3, 5), [(3,), (3,)]),
    ("bn_train_4d", _bn(True), (2, 3, 4, 4), [(3,), (3,)]),
    ("bn_train_5d_noaffine", _bn(True), (2, 3, 2, 2, 2), []),
    ("bn_train_nostats", _bn(True, stats_given=False), (4, 3, 5), [(3,), (3,)]),
    ("bn_train_momentum1", _bn(True, momentum=1.0), (4, 3), [(3,), (3,)]),
    ("bn_eval_2d", _bn(False), (6, 3), [(3,), (3,)]),
    ("bn_eval_4d", _bn(False), (2, 3, 4, 4), [(3,), (3,)]),
    ("bn_eval_noaffine", _bn(False), (2, 3, 4), []),
    ("bn_train_batch1_spatial", _bn(True), (1, 3, 2), [(3,), (3,)]),
    ("ln_last", lambda lib, x, w, b: F(lib).layer_norm(x, (5,), w, b), (4, 3, 5), [(5,), (5,)]),
    ("ln_two", lambda lib, x, w, b: F(lib).layer_norm(x, [3, 5], w, b), (4, 3, 5),
     [(3, 5), (3, 5)]),
    ("ln_noaffine", lambda lib, x: F(lib).layer_norm(x, (5,)), (4, 3, 5), []),
    ("ln_weight_only", lambda lib, x, w: F(lib).layer_norm(x, (5,), w), (2, 5), [(5,)]),
    ("ln_bias_only", lambda lib, x, b: F(lib).layer_norm(x, (5,), None, b), (2, 5), [(5,)]),
    ("ln_all_dims", lambda lib, x: F(lib).layer_norm(x, (2, 5), eps=1e-3), (2, 5), []),
    ("ln_1d", lambda lib, x, w, b: F(lib).layer_norm(x, (5,), w, b), (5,), [(5,), (5,)]),
    ("gn_3d", lambda lib, x, w, b: F(lib).group_norm(x, 2, w, b), (4, 6, 5), [(6,), (6,)]),
    ("gn_4d", lambda lib, x, w, b: F(lib).group_norm(x, 3, w, b), (2, 6, 3, 3), [(6,), (6,)]),
    ("gn_one_group", lambda lib, x: F(lib).group_norm(x, 1), (2, 4, 3), []),
    ("gn_2d", lambda lib, x, w, b: F(lib).group_norm(x, 2, w, b, 1e-3), (3, 4), [(4,), (4,)]),
    ("rms_last", lambda lib, x, w: F(lib).rms_norm(x, (5,), w), (4, 3, 5), [(5,)]),
    ("rms_two", lambda lib, x, w: F(lib).rms_norm(x, [3, 5], w, 1e-3), (4, 3, 5), [(3, 5)]),
    ("rms_noweight", lambda lib, x: F(lib).rms_norm(x, (5,)), (4, 3, 5), []),
    ("in_3d", lambda lib, x, w, b: F(lib).instance_norm(x, weight=w, bias=b), (2, 3, 5),
     [(3,), (3,)]),
    ("in_4d", lambda lib, x: F(lib).instance_norm(x), (2, 3, 3, 3), []),
    ("lrn_3d", lambda lib, x: F(lib).local_response_norm(x, 2), (2, 5, 4), []),
    ("lrn_4d", lambda lib, x: F(lib).local_response_norm(x, 3, 1e-2, 0.5, 2.0), (2, 5, 2, 2), []),
    ("normalize", lambda lib, x: F(lib).normalize(x), (4, 3), []),
    ("normalize_p1_dim0", lambda lib, x: F(lib).normalize(x, 1.0, 0), (4, 3), []),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn,xs,ps", FUNCTIONAL, ids=[c[0] for c in FUNCTIONAL])
def test_functional_matches_torch(name, fn, xs, ps, dtype):
    arrays = [rand(*xs, dtype=dtype)] + [rand(*s, dtype=dtype, seed=i + 1)
                                         for i, s in enumerate(ps)]
    g, t = compare(fn, *arrays)
    g0, t0 = (g[0], t[0]) if isinstance(t, tuple) else (g, t)
    assert g0.grad_fn.name() == t0.grad_fn.name()


@pytest.mark.parametrize("name,fn,xs,ps", [c for c in FUNCTIONAL if "normalize" not in c[0]],
                         ids=[c[0] for c in FUNCTIONAL if "normalize" not in c[0]])
def test_functional_gradcheck(name, fn, xs, ps):
    small = tuple(min(s, 3) if i else s for i, s in enumerate(xs))
    if name.startswith("ln") or name.startswith("rms") or name.startswith("gn"):
        small = xs if np.prod(xs) <= 40 else (2,) + xs[1:]
    arrays = [rand(*small)] + [rand(*s, seed=i + 1) for i, s in enumerate(ps)]
    if name.startswith("bn"):
        gradcheck_fd(lambda lib, *a: _first(fn(lib, *a)), *arrays)
    else:
        gradcheck_fd(fn, *arrays)


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def test_normalize_gradcheck():
    gradcheck_fd(lambda lib, x: F(lib).normalize(x), rand(3, 4))


@pytest.mark.parametrize("fn", [
    lambda lib, x, w, b: F(lib).batch_norm(x, None, None, w, b, True),
    lambda lib, x, w, b: F(lib).layer_norm(x, (4,), w[:1].expand(4), b[:1].expand(4)),
    lambda lib, x, w, b: F(lib).group_norm(x, 1, w, b),
    lambda lib, x, w, b: F(lib).rms_norm(x, (4,), w[:1].expand(4)),
])
def test_double_backward(fn):
    def second(lib, x, w, b):
        y = fn(lib, x, w, b)
        gx, = lib.autograd.grad((y * y * y).sum(), (x,), create_graph=True)
        return (gx * gx).sum()
    compare(second, rand(3, 2, 4), rand(2, seed=1), rand(2, seed=2))


# ----- edge values -----

def test_zero_variance_input():
    x = np.tile(np.array([[1.0, 2.0, 3.0]], np.float32), (4, 1))
    # torch's CPU kernel computes x * (w r) + (b - mu w r) with a fused multiply-add, leaving
    # rounding noise of one ulp of x * w r (3e-5 here) where gradstep gets exactly 0
    compare(lambda lib, x: F(lib).batch_norm(x, None, None, training=True), x, atol=1e-4)
    compare(lambda lib, x: F(lib).batch_norm(x, None, None, training=True), x.astype(np.float64))
    compare(lambda lib, x: F(lib).layer_norm(x, (4,)), x.T.copy())
    compare(lambda lib, x: F(lib).group_norm(x, 3), x)
    compare(lambda lib, x: F(lib).rms_norm(x, (3,)), np.zeros((2, 3), np.float32))


def test_empty_batch():
    for lib_fn in [
        lambda lib, x: F(lib).layer_norm(x, (3,)),
        lambda lib, x: F(lib).group_norm(x, 3),
        lambda lib, x: F(lib).rms_norm(x, (3,)),
        lambda lib, x: F(lib).batch_norm(x, None, None, training=True),
    ]:
        compare(lib_fn, np.zeros((0, 3), np.float32))


def test_batch_norm_empty_batch_keeps_running_stats():
    def fn(lib, x):
        rm, rv = stats(lib, 3, np.float32)
        return F(lib).batch_norm(x, rm, rv, training=True), rm, rv
    compare(fn, np.zeros((0, 3), np.float32))


def test_extreme_values():
    x = np.array([[1e4, -1e4, 3.0], [1e-4, 2e-4, -1e-4]], np.float64)
    compare(lambda lib, x: F(lib).layer_norm(x, (3,)), x)
    compare(lambda lib, x: F(lib).rms_norm(x, (3,)), x)
    compare(lambda lib, x: F(lib).batch_norm(x.T, None, None, training=True), x)


# ----- errors -----

ERRORS = [
    (lambda lib: F(lib).batch_norm(lib.randn(1, 3), None, None, training=True), ValueError),
    (lambda lib: F(lib).batch_norm(lib.randn(1, 3, 1), None, None, training=True), ValueError),
    (lambda lib: F(lib).batch_norm(lib.randn(4, 3), None, None, training=False), RuntimeError),
    (lambda lib: F(lib).batch_norm(lib.randn(4, 3), lib.zeros(3), None), RuntimeError),
    (lambda lib: F(lib).batch_norm(lib.randn(4, 3), lib.zeros(4), lib.ones(4)), RuntimeError),
    (lambda lib: F(lib).batch_norm(lib.randn(4, 3), None, None, lib.ones(4), training=True),
     RuntimeError),
    (lambda lib: F(lib).batch_norm(lib.randn(3), None, None, training=True), IndexError),
    (lambda lib: F(lib).layer_norm(lib.randn(4, 3, 6), (5,)), RuntimeError),
    (lambda lib: F(lib).layer_norm(lib.randn(4, 3, 6), (6,), lib.ones(5)), RuntimeError),
    (lambda lib: F(lib).layer_norm(lib.randn(4, 3, 6), (6,), None, lib.ones(5)), RuntimeError),
    (lambda lib: F(lib).layer_norm(lib.randn(4, 3), 3), TypeError),
    (lambda lib: F(lib).rms_norm(lib.randn(4, 3), 3.0), TypeError),
    (lambda lib: F(lib).group_norm(lib.randn(4, 3, 5), 2), RuntimeError),
    (lambda lib: F(lib).group_norm(lib.randn(4, 4, 5), 2, lib.ones(3)), RuntimeError),
    (lambda lib: F(lib).rms_norm(lib.randn(4, 3, 6), (5,)), RuntimeError),
    (lambda lib: F(lib).rms_norm(lib.randn(4, 3, 6), (6,), lib.ones(5)), RuntimeError),
    (lambda lib: F(lib).instance_norm(lib.randn(2, 3, 1)), ValueError),
    (lambda lib: F(lib).instance_norm(lib.randn(2, 3)), ValueError),
    (lambda lib: F(lib).instance_norm(lib.randn(2, 3, 4), lib.zeros(4), lib.ones(4)),
     RuntimeError),
    (lambda lib: F(lib).instance_norm(lib.randn(2, 3, 4), use_input_stats=False), RuntimeError),
    (lambda lib: F(lib).local_response_norm(lib.randn(2, 3), 2), ValueError),
    (lambda lib: F(lib).normalize(lib.randn(2, 3), dim=2), IndexError),
    (lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(3)), ValueError),
    (lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3)), ValueError),
    (lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(3, 3, 3)), ValueError),
    (lambda lib: lib.nn.BatchNorm3d(3)(lib.randn(3, 3, 3, 3)), ValueError),
    (lambda lib: lib.nn.InstanceNorm1d(3)(lib.randn(3)), ValueError),
    (lambda lib: lib.nn.InstanceNorm2d(3, affine=True)(lib.randn(2, 4, 5, 5)), ValueError),
    (lambda lib: lib.nn.GroupNorm(3, 4), ValueError),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    fn, exc = ERRORS[i]
    with pytest.raises(exc) as expected:
        fn(torch)
    with pytest.raises(exc, match=re.escape(str(expected.value))):
        fn(gradstep)


def test_instance_norm_num_features_warning():
    for lib in (torch, gradstep):
        with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
            lib.nn.InstanceNorm1d(3)(lib.randn(2, 4, 5))


# ----- modules -----

MODULES = [
    (lambda lib: lib.nn.BatchNorm1d(3), (6, 3)),
    (lambda lib: lib.nn.BatchNorm1d(3), (4, 3, 5)),
    (lambda lib: lib.nn.BatchNorm1d(3, affine=False), (4, 3)),
    (lambda lib: lib.nn.BatchNorm1d(3, bias=False), (4, 3)),
    (lambda lib: lib.nn.BatchNorm1d(3, momentum=None), (4, 3)),
    (lambda lib: lib.nn.BatchNorm1d(3, track_running_stats=False), (4, 3)),
    (lambda lib: lib.nn.BatchNorm2d(3, eps=1e-3, momentum=0.3), (2, 3, 4, 4)),
    (lambda lib: lib.nn.BatchNorm3d(2), (2, 2, 2, 3, 3)),
    (lambda lib: lib.nn.LayerNorm(5), (4, 3, 5)),
    (lambda lib: lib.nn.LayerNorm([3, 5], eps=1e-3), (4, 3, 5)),
    (lambda lib: lib.nn.LayerNorm(5, elementwise_affine=False), (4, 5)),
    (lambda lib: lib.nn.LayerNorm(5, bias=False), (4, 5)),
    (lambda lib: lib.nn.GroupNorm(2, 6), (4, 6, 5)),
    (lambda lib: lib.nn.GroupNorm(3, 6, affine=False), (2, 6, 2, 2)),
    (lambda lib: lib.nn.GroupNorm(3, 6, bias=False), (2, 6, 2, 2)),
    (lambda lib: lib.nn.RMSNorm(5), (4, 3, 5)),
    (lambda lib: lib.nn.RMSNorm([3, 5], eps=1e-3, elementwise_affine=False), (4, 3, 5)),
    (lambda lib: lib.nn.InstanceNorm1d(3), (2, 3, 5)),
    (lambda lib: lib.nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 5)),
    (lambda lib: lib.nn.InstanceNorm1d(3, affine=True), (3, 5)),
    (lambda lib: lib.nn.InstanceNorm2d(3, track_running_stats=True), (2, 3, 4, 4)),
    (lambda lib: lib.nn.InstanceNorm3d(2, affine=True), (2, 2, 2, 2, 3)),
    (lambda lib: lib.nn.LocalResponseNorm(3), (2, 5, 4, 4)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("i", range(len(MODULES)))
def test_modules_match_torch(i, dtype):
    make, shape = MODULES[i]
    compare_module(make, rand(*shape), dtype=dtype)


@pytest.mark.parametrize("momentum", [0.1, None, 0.5])
@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_running_stats_over_steps(momentum, dtype):
    g, t = build_pair(lambda lib: lib.nn.BatchNorm2d(3, momentum=momentum), dtype)
    for step in range(5):
        x = rand(4, 3, 2, 2, dtype=dtype, seed=step) * (step + 1) + step
        g.train()
        t.train()
        g_out, t_out = g(gradstep.tensor(x)), t(torch.tensor(x))
        assert_same(g_out, t_out, what=f"step {step}")
    for name, buf in t.named_buffers():
        assert_same(dict(g.named_buffers())[name], buf, what=name)
    assert int(g.num_batches_tracked) == 5 and g.num_batches_tracked.dtype == gradstep.int64
    g.eval()
    t.eval()
    x = rand(2, 3, 2, 2, dtype=dtype, seed=9)
    assert_same(g(gradstep.tensor(x)), t(torch.tensor(x)), what="eval after training")


def test_batch_norm_eval_without_running_stats_uses_batch_stats():
    compare_module(lambda lib: lib.nn.BatchNorm1d(3, track_running_stats=False), rand(5, 3),
                   modes=(False,))


def test_batch_norm_reset_and_state_dict():
    g, t = build_pair(lambda lib: lib.nn.BatchNorm1d(3))
    for m, lib in ((g, gradstep), (t, torch)):
        m(lib.tensor(rand(4, 3, dtype=np.float32)))
    assert list(g.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"]
    g.reset_running_stats()
    np.testing.assert_array_equal(g.running_mean.numpy(), 0)
    np.testing.assert_array_equal(g.running_var.numpy(), 1)
    assert int(g.num_batches_tracked) == 0


def test_batch_norm_loads_old_state_dict_without_num_batches_tracked():
    t = torch.nn.BatchNorm1d(3)
    state = {k: gradstep.tensor(v.numpy()) for k, v in t.state_dict().items()
             if k != "num_batches_tracked"}
    for m, st in ((gradstep.nn.BatchNorm1d(3), state),):
        result = m.load_state_dict(st)
        assert list(result.missing_keys) == [] and int(m.num_batches_tracked) == 0


def test_batch_norm_running_stats_version_bump():
    rm, rv = gradstep.zeros(3), gradstep.ones(3)
    v = rm._version
    F(gradstep).batch_norm(gradstep.randn(4, 3), rm, rv, training=True)
    assert rm._version > v and not rm.requires_grad


def test_norm_init_values():
    for m in (gradstep.nn.BatchNorm1d(4), gradstep.nn.LayerNorm(4), gradstep.nn.GroupNorm(2, 4),
              gradstep.nn.RMSNorm(4)):
        np.testing.assert_array_equal(m.weight.detach().numpy(), 1)
        if getattr(m, "bias", None) is not None:
            np.testing.assert_array_equal(m.bias.detach().numpy(), 0)


def test_rms_norm_default_eps_is_finfo_eps():
    x = np.full((2, 3), 1e-5, np.float32)
    compare(lambda lib, x: F(lib).rms_norm(x, (3,)), x)
    compare(lambda lib, x: F(lib).rms_norm(x, (3,)), x.astype(np.float64))


def test_dropout2d_style_warnings_do_not_leak():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F(gradstep).layer_norm(gradstep.randn(2, 3), (3,))
