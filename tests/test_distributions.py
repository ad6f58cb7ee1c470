"""gradstep.distributions against torch.distributions: one table of cases drives values,
gradients, shapes, sampling statistics, reprs and validation errors."""
import math

import numpy as np
import pytest
import torch

import gradstep

F32, F64 = np.float32, np.float64

# name -> (constructor(lib, *params), parameter arrays, values for log_prob)
CASES = {
    "Normal": (lambda D, a, b: D.Normal(a, b), [[0.3, -1.0, 2.0], [1.5, 0.5, 2.0]],
               [0.1, -2.0, 3.0]),
    "Uniform": (lambda D, a, b: D.Uniform(a, b), [[0.0, -1.0, 2.0], [1.5, 0.5, 4.0]],
                [0.1, -0.5, 3.0]),
    "Laplace": (lambda D, a, b: D.Laplace(a, b), [[0.3, -1.0, 2.0], [1.5, 0.5, 2.0]],
                [0.1, -2.0, 3.0]),
    "Exponential": (lambda D, a: D.Exponential(a), [[0.5, 1.0, 3.0]], [0.1, 2.0, 0.0]),
    "Gamma": (lambda D, a, b: D.Gamma(a, b), [[0.5, 2.0, 5.0], [1.0, 0.5, 3.0]],
              [0.1, 2.0, 1.0]),
    "Beta": (lambda D, a, b: D.Beta(a, b), [[0.5, 2.0, 5.0], [1.5, 0.5, 3.0]],
             [0.1, 0.7, 0.5]),
    "Bernoulli_probs": (lambda D, p: D.Bernoulli(probs=p), [[0.2, 0.5, 0.9]],
                        [1.0, 0.0, 1.0]),
    "Bernoulli_logits": (lambda D, p: D.Bernoulli(logits=p), [[-3.0, 0.0, 2.0]],
                         [1.0, 0.0, 0.0]),
    "Poisson": (lambda D, r: D.Poisson(r), [[0.5, 2.0, 7.0]], [0.0, 3.0, 5.0]),
    "Binomial": (lambda D, p: D.Binomial(10, probs=p), [[0.2, 0.5, 0.9]], [1.0, 5.0, 10.0]),
    "Categorical_probs": (lambda D, p: D.Categorical(probs=p),
                          [[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]], [2, 0]),
    "Categorical_logits": (lambda D, p: D.Categorical(logits=p),
                           [[[0.2, -1.3, 2.5], [0.6, 0.1, 0.3]]], [1, 2]),
    "OneHotCategorical": (lambda D, p: D.OneHotCategorical(logits=p),
                          [[[0.2, -1.3, 2.5], [0.6, 0.1, 0.3]]], [[0, 1, 0], [0, 0, 1]]),
    "Dirichlet": (lambda D, c: D.Dirichlet(c), [[[0.5, 2.0, 3.0], [1.0, 1.0, 4.0]]],
                  [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]),
    "LogNormal": (lambda D, a, b: D.LogNormal(a, b), [[0.3, -1.0, 2.0], [1.5, 0.5, 2.0]],
                  [0.1, 2.0, 3.0]),
    "Independent": (lambda D, a, b: D.Independent(D.Normal(a, b), 1),
                    [[[0.3, -1.0], [2.0, 0.0]], [[1.5, 0.5], [2.0, 1.0]]],
                    [[0.1, -2.0], [3.0, 0.0]]),
    "Tanh_Affine": (lambda D, a, b: D.TransformedDistribution(
        D.Normal(a, b), [D.AffineTransform(0.5, 2.0), D.TanhTransform()]),
        [[0.3, -1.0, 2.0], [1.5, 0.5, 2.0]], [0.1, -0.5, 0.9]),
    "Sigmoid": (lambda D, a, b: D.TransformedDistribution(D.Normal(a, b), D.SigmoidTransform()),
                [[0.3, -1.0, 2.0], [1.5, 0.5, 2.0]], [0.1, 0.5, 0.9]),
}

PROPS = ["mean", "variance", "stddev", "mode", "entropy", "cdf", "icdf", "log_prob"]


def _lib_dist(lib):
    return lib.distributions


def _build(lib, name, dtype, requires_grad=True):
    ctor, params, _ = CASES[name]
    ts = []
    for p in params:
        t = lib.tensor(np.asarray(p, dtype=dtype))
        if requires_grad:
            t.requires_grad_(True)
        ts.append(t)
    return ctor(_lib_dist(lib), *ts), ts


def _value(lib, name, dtype):
    v = np.asarray(CASES[name][2])
    return lib.tensor(v if v.dtype.kind == "i" and "Categorical" in name and "OneHot" not in name
                      else v.astype(dtype))


def _evaluate(lib, name, dtype, prop):
    d, params = _build(lib, name, dtype)
    if prop in ("log_prob", "cdf"):
        out = getattr(d, prop)(_value(lib, name, dtype))
    elif prop == "icdf":
        out = d.icdf(lib.tensor(np.array([0.1, 0.5, 0.8], dtype=dtype)))
    elif prop == "entropy":
        out = d.entropy()
    else:
        out = getattr(d, prop)
    return out, params


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.array(t.detach()._data)


@pytest.mark.parametrize("dtype", [F32, F64], ids=["f32", "f64"])
@pytest.mark.parametrize("prop", PROPS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients(name, prop, dtype):
    try:
        t_out, t_params = _evaluate(torch, name, dtype, prop)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            _evaluate(gradstep, name, dtype, prop)
        return
    g_out, g_params = _evaluate(gradstep, name, dtype, prop)
    assert tuple(g_out.shape) == tuple(t_out.shape)
    assert str(g_out.dtype) == str(t_out.dtype)
    rtol, atol = (2e-5, 1e-6) if dtype == F32 else (1e-9, 1e-12)
    np.testing.assert_allclose(_np(g_out), _np(t_out), rtol=rtol, atol=atol, equal_nan=True)
    if not t_out.requires_grad or not t_out.dtype.is_floating_point:
        return
    if (name, prop) == ("Gamma", "cdf"):
        return  # torch has no derivative of gammainc w.r.t. the concentration
    up = np.linspace(0.5, 1.5, t_out.numel()).reshape(tuple(t_out.shape)).astype(dtype)
    t_out.backward(torch.tensor(up))
    g_out.backward(gradstep.tensor(up))
    grtol = 2e-4 if dtype == F32 else 1e-7
    for tp, gp in zip(t_params, g_params):
        tg = None if tp.grad is None else tp.grad.numpy()
        gg = None if gp.grad is None else _np(gp.grad)
        if tg is None:
            assert gg is None or not np.any(gg)
            continue
        np.testing.assert_allclose(gg, tg, rtol=grtol,
                                   atol=grtol * 0.1 * max(1.0, float(np.abs(np.nan_to_num(tg)).max())),
                                   equal_nan=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes_repr_and_flags(name):
    t, _ = _build(torch, name, F32, requires_grad=False)
    g, _ = _build(gradstep, name, F32, requires_grad=False)
    assert tuple(g.batch_shape) == tuple(t.batch_shape)
    assert tuple(g.event_shape) == tuple(t.event_shape)
    assert g.has_rsample == t.has_rsample
    assert g.has_enumerate_support == t.has_enumerate_support
    assert repr(g) == repr(t)
    assert repr(g.support) == repr(t.support)
    gradstep.manual_seed(0)
    for shape in [(), (4,), (2, 3)]:
        gs, ts = g.sample(shape), t.sample(shape)
        assert tuple(gs.shape) == tuple(ts.shape)
        assert str(gs.dtype) == str(ts.dtype)
        assert not gs.requires_grad
    e = g.expand((5,) + tuple(g.batch_shape))
    assert tuple(e.batch_shape) == (5,) + tuple(t.batch_shape)
    if t.has_enumerate_support:
        np.testing.assert_array_equal(_np(g.enumerate_support()), _np(t.enumerate_support()))
        np.testing.assert_array_equal(_np(g.enumerate_support(False)),
                                      _np(t.enumerate_support(False)))


STAT_CASES = ["Normal", "Uniform", "Laplace", "Exponential", "Gamma", "Beta", "Bernoulli_probs",
              "Poisson", "Binomial", "Categorical_probs", "OneHotCategorical", "Dirichlet",
              "LogNormal", "Independent"]


@pytest.mark.parametrize("name", STAT_CASES)
def test_sample_statistics(name):
    gradstep.manual_seed(1)
    g, _ = _build(gradstep, name, F64, requires_grad=False)
    s = _np(g.sample((40000,)))
    if name.startswith("Categorical"):
        probs = _np(g.probs)
        freq = np.stack([(s == k).mean(0) for k in range(probs.shape[-1])], -1)
        np.testing.assert_allclose(freq, probs, atol=0.01)
        return
    mean, var = _np(g.mean), _np(g.variance)
    np.testing.assert_allclose(s.mean(0), mean, rtol=0.03, atol=0.02 * np.sqrt(var.max()))
    np.testing.assert_allclose(s.var(0), var, rtol=0.08, atol=1e-3)


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Uniform", "Gamma",
                                  "Beta", "LogNormal", "Dirichlet"])
def test_rsample_is_differentiable_and_unbiased(name):
    """d E[x] / d theta from rsample matches the analytic gradient of the mean."""
    gradstep.manual_seed(2)
    g, params = _build(gradstep, name, F64)
    s = g.rsample((20000,))
    assert s.requires_grad
    s.mean(0).sum().backward()
    got = [_np(p.grad) for p in params]
    t, tparams = _build(torch, name, F64)
    t.mean.sum().backward()
    for a, b in zip(got, tparams):
        expected = np.zeros_like(a) if b.grad is None else b.grad.numpy()
        np.testing.assert_allclose(a, expected, rtol=0.05, atol=0.03)


def test_normal_rsample_structure():
    gradstep.manual_seed(3)
    loc = gradstep.tensor([1.0, -2.0], requires_grad=True)
    scale = gradstep.tensor([0.5, 3.0], requires_grad=True)
    x = gradstep.distributions.Normal(loc, scale).rsample((50000,))
    eps = ((x - loc) / scale).detach()
    e = _np(eps)
    assert abs(e.mean()) < 0.02 and abs(e.std() - 1) < 0.02
    x.sum().backward()
    np.testing.assert_allclose(_np(loc.grad), [50000, 50000])
    np.testing.assert_allclose(_np(scale.grad), e.sum(0), rtol=1e-4)


KL_PAIRS = [("Normal", "Normal"), ("Bernoulli_probs", "Bernoulli_logits"),
            ("Categorical_probs", "Categorical_logits"), ("Uniform", "Uniform"),
            ("Gamma", "Gamma"), ("Beta", "Beta"), ("Exponential", "Exponential"),
            ("Laplace", "Laplace"), ("Poisson", "Poisson"), ("Dirichlet", "Dirichlet"),
            ("OneHotCategorical", "OneHotCategorical"), ("Independent", "Independent"),
            ("LogNormal", "LogNormal"), ("Normal", "Laplace"), ("Laplace", "Normal"),
            ("Uniform", "Normal"), ("Normal", "Uniform"), ("Exponential", "Gamma"),
            ("Gamma", "Exponential"), ("Gamma", "Normal"), ("Exponential", "Normal"),
            ("Uniform", "Gamma"), ("Uniform", "Exponential")]


def _shifted(lib, name, dtype):
    """A second distribution of the same family with different parameters."""
    ctor, params, _ = CASES[name]
    ts = []
    for i, p in enumerate(params):
        a = np.asarray(p, dtype=dtype)
        a = a[..., ::-1].copy() if name.startswith(("Categorical", "OneHot", "Dirichlet",
                                                     "Bernoulli")) else a * 1.3 + 0.2 * i
        if name == "Uniform":
            a = np.asarray(p, dtype=dtype) + np.array([-0.5, 0.5], dtype=dtype)[i]
        t = lib.tensor(a)
        t.requires_grad_(True)
        ts.append(t)
    return ctor(_lib_dist(lib), *ts), ts


@pytest.mark.parametrize("dtype", [F32, F64], ids=["f32", "f64"])
@pytest.mark.parametrize("pair", KL_PAIRS, ids=["-".join(p) for p in KL_PAIRS])
def test_kl_divergence(pair, dtype):
    outs = {}
    for lib in (torch, gradstep):
        p, pp = _build(lib, pair[0], dtype)
        q, qp = _shifted(lib, pair[1], dtype)
        kl = _lib_dist(lib).kl_divergence(p, q)
        up = np.linspace(0.5, 1.5, kl.numel()).reshape(tuple(kl.shape)).astype(dtype)
        if kl.requires_grad:
            kl.backward(lib.tensor(up))
        outs[lib] = (kl, pp + qp)
    (gk, gps), (tk, tps) = outs[gradstep], outs[torch]
    assert tuple(gk.shape) == tuple(tk.shape) and str(gk.dtype) == str(tk.dtype)
    rtol = 2e-5 if dtype == F32 else 1e-9
    np.testing.assert_allclose(_np(gk), _np(tk), rtol=rtol, atol=rtol * 0.1)
    for g, t in zip(gps, tps):
        if t.grad is None:
            assert g.grad is None or not np.any(_np(g.grad))
            continue
        np.testing.assert_allclose(_np(g.grad), t.grad.numpy(), rtol=rtol * 10,
                                   atol=rtol, equal_nan=True)


def test_kl_missing_pairs_and_register():
    for lib in (torch, gradstep):
        D = lib.distributions
        with pytest.raises(NotImplementedError) as t_or_g:
            D.kl_divergence(D.Categorical(lib.ones(2)), D.Normal(0.0, 1.0))
        assert str(t_or_g.value) == ("No KL(p || q) is implemented for p type Categorical and "
                                     "q type Normal")
    D = gradstep.distributions
    with pytest.raises(NotImplementedError, match="different exponential families"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.5))

    class MyNormal(D.Normal):
        pass

    assert float(D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0))) == 0.5

    @D.register_kl(MyNormal, MyNormal)
    def _kl(p, q):
        return gradstep.tensor(42.0)

    assert float(D.kl_divergence(MyNormal(0.0, 1.0), MyNormal(1.0, 1.0))) == 42.0


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


ERRORS = [
    lambda lib: lib.distributions.Normal(0.0, -1.0),
    lambda lib: lib.distributions.Normal(lib.zeros(3, 2), -lib.ones(3, 2)),
    lambda lib: lib.distributions.Normal(0.0, 1.0).log_prob(lib.tensor(float("nan"))),
    lambda lib: lib.distributions.Normal(0.0, 1.0).log_prob(1.0),
    lambda lib: lib.distributions.Normal(lib.zeros(2), 1.0).log_prob(lib.ones(3)),
    lambda lib: lib.distributions.Bernoulli(probs=0.5).log_prob(lib.tensor(0.5)),
    lambda lib: lib.distributions.Bernoulli(probs=0.5, logits=0.0),
    lambda lib: lib.distributions.Bernoulli(probs=lib.tensor([0.5, 1.5])),
    lambda lib: lib.distributions.Categorical(lib.tensor([0.5, 0.5])).log_prob(lib.tensor(2)),
    lambda lib: lib.distributions.Categorical(lib.tensor([0.5, -0.5])),
    lambda lib: lib.distributions.Categorical(lib.tensor(1.0)),
    lambda lib: lib.distributions.Categorical(logits=lib.tensor(1.0)),
    lambda lib: lib.distributions.Uniform(1.0, 0.0),
    lambda lib: lib.distributions.Uniform(0.0, 1.0).log_prob(lib.tensor(2.0)),
    lambda lib: lib.distributions.Gamma(lib.tensor([1.0, -1.0]), 1.0),
    lambda lib: lib.distributions.Exponential(1.0).log_prob(lib.tensor(-1.0)),
    lambda lib: lib.distributions.Dirichlet(lib.tensor(1.0)),
    lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.5, 0.5, 0.5])),
    lambda lib: lib.distributions.Independent(lib.distributions.Normal(0.0, 1.0), 1),
    lambda lib: lib.distributions.Poisson(-1.0),
    lambda lib: lib.distributions.Poisson(2.0).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.Normal(0.0, 1.0).enumerate_support(),
    lambda lib: lib.distributions.Beta(0.0, 1.0),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_validation_errors(i):
    expected = _error(lambda: ERRORS[i](torch))
    assert expected is not None
    assert _error(lambda: ERRORS[i](gradstep)) == expected


def test_validation_can_be_turned_off():
    D = gradstep.distributions
    assert D.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    D.Distribution.set_default_validate_args(False)
    try:
        assert math.isnan(D.Normal(0.0, 1.0).log_prob(gradstep.tensor(float("nan"))).item())
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)


@pytest.mark.parametrize("make", [
    lambda lib: lib.distributions.Normal(0.0, 1.0),
    lambda lib: lib.distributions.Normal(lib.tensor([0.0]), lib.tensor([1.0])),
    lambda lib: lib.distributions.Normal(lib.tensor(0.0, dtype=lib.float64), 1.0),
    lambda lib: lib.distributions.Normal(0, 1),
    lambda lib: lib.distributions.Bernoulli(0.3),
    lambda lib: lib.distributions.Bernoulli(logits=lib.zeros(3)),
    lambda lib: lib.distributions.Binomial(10, lib.tensor(0.3)),
    lambda lib: lib.distributions.Categorical(lib.ones(3)),
    lambda lib: lib.distributions.Independent(lib.distributions.Normal(lib.zeros(3), 1.0), 1),
    lambda lib: lib.distributions.LogNormal(0.0, 1.0),
    lambda lib: lib.distributions.Beta(1.0, 2.0),
])
def test_repr_and_param_dtype(make):
    g, t = make(gradstep), make(torch)
    assert repr(g) == repr(t)
    assert str(g.mean.dtype) == str(t.mean.dtype)


def test_reinforce_and_vae_losses():
    """The two common training uses backpropagate like torch's."""
    grads = {}
    for lib in (torch, gradstep):
        D = lib.distributions
        logits = lib.tensor([[0.1, 0.5, -0.2], [1.0, -1.0, 0.0]], requires_grad=True)
        action = lib.tensor([2, 0])
        adv = lib.tensor([1.5, -0.5])
        loss = (-D.Categorical(logits=logits).log_prob(action) * adv).mean()
        mu = lib.tensor([0.3, -0.4], requires_grad=True)
        log_sigma = lib.tensor([0.1, -0.2], requires_grad=True)
        q = D.Normal(mu, log_sigma.exp())
        p = D.Normal(lib.zeros(2), lib.ones(2))
        loss = loss + D.kl_divergence(q, p).sum()
        loss.backward()
        grads[lib] = [x.grad.numpy() if lib is torch else _np(x.grad)
                      for x in (logits, mu, log_sigma)]
    for a, b in zip(grads[gradstep], grads[torch]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
