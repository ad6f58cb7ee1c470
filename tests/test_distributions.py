"""gradstep.distributions against torch.distributions, driven by one table of cases.

Every case builds the same distribution in both libraries from NumPy parameters (float
parameters require grad) and a fixed value array; each property (log_prob, entropy, moments,
cdf/icdf, gradients, shapes, repr, validation, KL) is then compared for every case that has it.
Samples come from different streams, so only their shapes, dtypes and statistics are compared.
"""
import numpy as np
import pytest
import torch

import gradstep
from tests._compare import assert_same, to_numpy

R = np.random.default_rng(0)
POS = R.uniform(0.5, 2.0, (2, 3))
REAL = R.normal(size=(2, 3))
PROBS = R.uniform(0.05, 0.95, (2, 3))
WEIGHTS = R.uniform(0.1, 1.0, (2, 4))
POS_REV = POS[::-1].copy()

# name -> (constructor(lib, *params), parameter arrays, value array for log_prob/cdf)
CASES = {
    "normal": (lambda D, a, b: D.Normal(a, b), (REAL, POS), R.normal(size=(2, 3))),
    "lognormal": (lambda D, a, b: D.LogNormal(a, b), (REAL, POS), R.uniform(0.1, 3, (2, 3))),
    "laplace": (lambda D, a, b: D.Laplace(a, b), (REAL, POS), R.normal(size=(2, 3))),
    "uniform": (lambda D, a, b: D.Uniform(a, a + b), (REAL, POS), REAL + 0.3 * POS),
    "exponential": (lambda D, r: D.Exponential(r), (POS,), R.uniform(0, 3, (2, 3))),
    "gamma": (lambda D, a, b: D.Gamma(a, b), (POS, POS_REV), R.uniform(0.1, 3, (2, 3))),
    "beta": (lambda D, a, b: D.Beta(a, b), (POS, POS_REV), R.uniform(0.05, 0.95, (2, 3))),
    "bernoulli_probs": (lambda D, p: D.Bernoulli(probs=p), (PROBS,),
                        R.integers(0, 2, (2, 3)).astype(float)),
    "bernoulli_logits": (lambda D, z: D.Bernoulli(logits=z), (REAL * 3,),
                         R.integers(0, 2, (2, 3)).astype(float)),
    "categorical_probs": (lambda D, p: D.Categorical(probs=p), (WEIGHTS,),
                          np.array([[0, 3], [2, 1]])),
    "categorical_logits": (lambda D, z: D.Categorical(logits=z), (WEIGHTS * 4,), np.array([3, 0])),
    "onehot": (lambda D, p: D.OneHotCategorical(probs=p), (WEIGHTS,), np.eye(4)[[1, 2]]),
    "independent": (lambda D, a, b: D.Independent(D.Normal(a, b), 1), (REAL, POS),
                    R.normal(size=(2, 3))),
}
PROPERTIES = ["mean", "variance", "stddev", "mode"]
HAS_CDF = {"normal", "lognormal", "laplace", "uniform", "exponential", "gamma"}
HAS_ICDF = {"normal", "lognormal", "laplace", "uniform", "exponential"}
DTYPES = [np.float32, np.float64]
# Gradients through digamma need trigamma, whose float64 series here and in torch agree to ~1e-9.
GRAD_RTOL = {("gamma", np.float64): 1e-8, ("beta", np.float64): 1e-8}


def build(name, lib, dtype, requires_grad=True):
    ctor, params, value = CASES[name]
    tensors = [lib.tensor(p.astype(dtype), requires_grad=requires_grad) for p in params]
    value_dtype = np.int64 if name.startswith("categorical") else dtype
    return ctor(lib.distributions, *tensors), tensors, lib.tensor(value.astype(value_dtype))


def both(name, dtype, requires_grad=True):
    return build(name, gradstep, dtype, requires_grad), build(name, torch, dtype, requires_grad)


def grads(tensors):
    return [t.grad for t in tensors]


def check_with_grads(name, dtype, fn, rtol=None, grad_rtol=None, value=None):
    (gd, gp, gv), (td, tp, tv) = both(name, dtype)
    if value is not None:
        gv, tv = gradstep.tensor(value), torch.tensor(value)
    g_out, t_out = fn(gd, gv), fn(td, tv)
    assert_same(g_out, t_out, rtol=rtol)
    if t_out.requires_grad:
        weights = np.random.default_rng(1).normal(size=tuple(t_out.shape)).astype(dtype)
        (g_out * gradstep.tensor(weights)).sum().backward()
        (t_out * torch.tensor(weights)).sum().backward()
        assert_same(grads(gp), grads(tp), rtol=grad_rtol, what="grad")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_log_prob_and_gradients(name, dtype):
    check_with_grads(name, dtype, lambda d, v: d.log_prob(v))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_entropy_and_gradients(name, dtype):
    check_with_grads(name, dtype, lambda d, v: d.entropy(), grad_rtol=GRAD_RTOL.get((name, dtype)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("prop", PROPERTIES)
@pytest.mark.parametrize("name", CASES)
def test_moments(name, prop, dtype):
    (gd, _, _), (td, _, _) = both(name, dtype, requires_grad=False)
    try:
        expected = getattr(td, prop)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            getattr(gd, prop)
        return
    assert_same(getattr(gd, prop), expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(HAS_CDF))
def test_cdf(name, dtype):
    if name == "gamma":
        # torch has no gradient of the regularized incomplete gamma in its shape argument
        (gd, _, gv), (td, _, tv) = both(name, dtype, requires_grad=False)
        assert_same(gd.cdf(gv), td.cdf(tv))
        return
    check_with_grads(name, dtype, lambda d, v: d.cdf(v))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(HAS_ICDF))
def test_icdf(name, dtype):
    q = np.array([[0.1, 0.5, 0.9], [0.01, 0.3, 0.99]], dtype=dtype)
    check_with_grads(name, dtype, lambda d, v: d.icdf(v), value=q)


@pytest.mark.parametrize("name", CASES)
def test_shapes_and_flags(name):
    (gd, _, _), (td, _, _) = both(name, np.float32, requires_grad=False)
    assert gd.batch_shape == td.batch_shape and gd.event_shape == td.event_shape
    assert gd.has_rsample == td.has_rsample
    assert gd.has_enumerate_support == td.has_enumerate_support
    assert repr(gd.support) == repr(td.support)
    assert repr(gd.arg_constraints) == repr(td.arg_constraints)
    for sample_shape in [(), (5,), (2, 1)]:
        g_sample, t_sample = gd.sample(sample_shape), td.sample(sample_shape)
        assert g_sample.shape == t_sample.shape and str(g_sample.dtype) == str(t_sample.dtype)
        assert not g_sample.requires_grad
        assert bool(gd.support.check(g_sample).all())
    expanded_g, expanded_t = gd.expand((4,) + tuple(gd.batch_shape)), td.expand(
        (4,) + tuple(td.batch_shape))
    assert expanded_g.batch_shape == expanded_t.batch_shape
    assert_same(expanded_g.mean if name != "uniform" else expanded_g.low,
                expanded_t.mean if name != "uniform" else expanded_t.low)
    if td.has_enumerate_support:
        for expand in (True, False):
            assert_same(gd.enumerate_support(expand), td.enumerate_support(expand))


@pytest.mark.parametrize("name", ["normal", "lognormal", "laplace", "uniform", "exponential",
                                  "gamma", "beta", "independent"])
def test_rsample_is_differentiable(name):
    gradstep.manual_seed(0)
    dist, params, _ = build(name, gradstep, np.float64)
    x = dist.rsample((3,))
    assert x.requires_grad and x.shape == (3,) + tuple(dist.batch_shape) + tuple(
        dist.event_shape)
    x.sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params)


# name -> (constructor, true mean, true variance) for the sample-statistics check
STATS = {
    "normal": (lambda D: D.Normal(1.5, 2.0), 1.5, 4.0),
    "lognormal": (lambda D: D.LogNormal(0.0, 0.5), np.exp(0.125),
                  (np.exp(0.25) - 1) * np.exp(0.25)),
    "laplace": (lambda D: D.Laplace(-1.0, 0.5), -1.0, 0.5),
    "uniform": (lambda D: D.Uniform(-1.0, 3.0), 1.0, 16 / 12),
    "exponential": (lambda D: D.Exponential(2.0), 0.5, 0.25),
    "gamma": (lambda D: D.Gamma(0.7, 2.0), 0.35, 0.175),
    "beta": (lambda D: D.Beta(2.0, 5.0), 2 / 7, 10 / (49 * 8)),
    "bernoulli": (lambda D: D.Bernoulli(0.3), 0.3, 0.21),
    "categorical": (lambda D: D.Categorical(gradstep.tensor([0.2, 0.2, 0.6])),
                    1.4, 0.64),
}


@pytest.mark.parametrize("name", STATS)
def test_sample_statistics(name):
    ctor, mean, var = STATS[name]
    gradstep.manual_seed(123)
    x = to_numpy(ctor(gradstep.distributions).sample((40000,))).astype(np.float64)
    se = np.sqrt(var / x.size)
    assert abs(x.mean() - mean) < 5 * se
    assert abs(x.var() - var) < 0.05 * var


def test_gamma_rsample_gradient_matches_mean():
    # d E[x] / d alpha = 1 / rate: the implicit reparameterization gradient on average.
    gradstep.manual_seed(0)
    alpha = gradstep.tensor([0.3, 1.0, 5.0], dtype=gradstep.float64, requires_grad=True)
    gradstep.distributions.Gamma(alpha, 2.0).rsample((20000,)).mean(0).sum().backward()
    np.testing.assert_allclose(to_numpy(alpha.grad), 0.5, rtol=0.05)


REPRS = [
    lambda D, T: D.Normal(0.0, 1.0),
    lambda D, T: D.Normal(T.tensor([0.0]), T.tensor([1.0])),
    lambda D, T: D.Normal(T.zeros(3, 2), 1.0),
    lambda D, T: D.Normal(T.tensor([0.0], requires_grad=True), 1.0),
    lambda D, T: D.Bernoulli(probs=0.3),
    lambda D, T: D.Bernoulli(logits=T.tensor([0.3, 1.0])),
    lambda D, T: D.Categorical(probs=T.tensor([0.2, 0.8])),
    lambda D, T: D.OneHotCategorical(T.tensor([0.2, 0.8])),
    lambda D, T: D.Independent(D.Normal(T.zeros(3), 1.0), 1),
    lambda D, T: D.Uniform(0.0, 1.0), lambda D, T: D.Exponential(2.0),
    lambda D, T: D.Laplace(0.0, 1.0), lambda D, T: D.LogNormal(0.0, 1.0),
    lambda D, T: D.Gamma(1.0, 2.0), lambda D, T: D.Beta(1.0, 2.0),
    lambda D, T: D.Uniform(T.tensor([1.0, 2.0]), 3.0).support,
    lambda D, T: D.Categorical(T.tensor([[0.3, 0.7]])).support,
    lambda D, T: D.constraints.independent(D.constraints.real, 1),
    lambda D, T: [D.constraints.positive, D.constraints.nonnegative, D.constraints.simplex,
                  D.constraints.boolean, D.constraints.nonnegative_integer, D.constraints.one_hot,
                  D.constraints.unit_interval, D.constraints.interval(0, 1),
                  D.constraints.greater_than_eq(1), D.constraints.less_than(1),
                  D.constraints.integer_interval(0, 3), D.constraints.real_vector],
]


@pytest.mark.parametrize("make", REPRS)
def test_repr(make):
    assert repr(make(gradstep.distributions, gradstep)) == repr(make(torch.distributions, torch))


ERRORS = [
    lambda D, T: D.Normal(0.0, -1.0),
    lambda D, T: D.Normal(T.tensor([0.0, 1.0]), T.tensor([-1.0, 1.0])),
    lambda D, T: D.Normal(T.zeros(2, 3), -T.ones(2, 3)),
    lambda D, T: D.Normal(T.tensor([0.0, float("nan")]), T.tensor([1.0, 1.0])),
    lambda D, T: D.Normal(0.0, 1.0).log_prob(T.tensor(float("nan"))),
    lambda D, T: D.Normal(0.0, 1.0).log_prob(3),
    lambda D, T: D.Normal(T.zeros(3), 1.0).log_prob(T.zeros(2)),
    lambda D, T: D.Normal([0.0], 1.0),
    lambda D, T: D.LogNormal(0.0, -1.0),
    lambda D, T: D.LogNormal(0.0, 1.0).log_prob(T.tensor(-1.0)),
    lambda D, T: D.Bernoulli(probs=T.tensor([0.3])).log_prob(T.tensor([0.5])),
    lambda D, T: D.Bernoulli(probs=0.3, logits=0.2),
    lambda D, T: D.Bernoulli(),
    lambda D, T: D.Bernoulli(1.5),
    lambda D, T: D.Categorical(probs=T.tensor([0.2, 0.8])).log_prob(T.tensor(2)),
    lambda D, T: D.Categorical(probs=T.tensor([-0.2, 0.8])),
    lambda D, T: D.Categorical(probs=T.tensor(1.0)),
    lambda D, T: D.Categorical(logits=T.tensor(1.0)),
    lambda D, T: D.OneHotCategorical(T.tensor([0.5, 0.5])).log_prob(T.tensor([0.5, 0.5])),
    lambda D, T: D.OneHotCategorical(T.tensor([0.3, 0.7])).log_prob(T.zeros(3)),
    lambda D, T: D.Uniform(1.0, 0.0),
    lambda D, T: D.Uniform(0.0, 1.0).log_prob(T.tensor(2.0)),
    lambda D, T: D.Exponential(T.tensor([2.0])).log_prob(T.tensor([-1.0])),
    lambda D, T: D.Exponential(1.0).cdf(T.tensor(-1.0)),
    lambda D, T: D.Gamma(T.tensor([1.0]), T.tensor([-1.0])),
    lambda D, T: D.Beta(T.tensor([1.0]), T.tensor([-1.0])),
    lambda D, T: D.Beta(1.0, 2.0).log_prob(T.tensor(1.5)),
    lambda D, T: D.Laplace(0.0, 0.0),
    lambda D, T: D.Independent(D.Normal(T.zeros(3), 1.0), 2),
    lambda D, T: D.Independent(D.Bernoulli(T.zeros(3)), 1).enumerate_support(),
    lambda D, T: D.Normal(T.zeros(3), 1.0).expand((2, 4)),
    lambda D, T: D.kl_divergence(D.Uniform(0.0, 1.0), D.Categorical(T.tensor([0.5, 0.5]))),
    lambda D, T: D.kl_divergence(D.Normal(0.0, 1.0), 3),
    lambda D, T: D.Distribution.set_default_validate_args(3),
]


@pytest.mark.parametrize("make", ERRORS)
def test_errors(make):
    with pytest.raises(Exception) as expected:
        make(torch.distributions, torch)
    with pytest.raises(expected.type) as got:
        make(gradstep.distributions, gradstep)
    assert str(got.value) == str(expected.value)


def test_validation_can_be_turned_off():
    for D, T in [(gradstep.distributions, gradstep), (torch.distributions, torch)]:
        assert float(D.Normal(0.0, -1.0, validate_args=False).scale) == -1.0
        assert float(D.Uniform(1.0, 2.0, validate_args=False).log_prob(T.tensor(3.0))) == -np.inf
        D.Distribution.set_default_validate_args(False)
        try:
            D.Normal(0.0, -1.0)
        finally:
            D.Distribution.set_default_validate_args(True)


def test_parameter_dtypes_follow_tensors():
    for make in [lambda D, T: D.Normal(0, 1.0).loc,
                 lambda D, T: D.Normal(0.0, T.tensor([1.0, 2.0], dtype=T.float64)).loc,
                 lambda D, T: D.Normal(T.tensor([1, 2]), 1).loc,
                 lambda D, T: D.Normal(T.tensor([1.0]), T.tensor([1.0], dtype=T.float64)).loc,
                 lambda D, T: D.Normal(0.0, 1.0).log_prob(T.tensor(3.0, dtype=T.float64))]:
        assert_same(make(gradstep.distributions, gradstep), make(torch.distributions, torch))


def test_edge_values():
    cases = [
        lambda D, T: D.Bernoulli(probs=T.tensor([0.0, 1.0])).entropy(),
        lambda D, T: D.Bernoulli(probs=T.tensor([0.0, 1.0])).logits,
        lambda D, T: D.Bernoulli(T.tensor([0.2, 0.5, 0.7])).mode,
        lambda D, T: D.Categorical(probs=T.tensor([0.0, 1.0])).entropy(),
        lambda D, T: D.Categorical(logits=T.tensor([-1e30, 0.5])).entropy(),
        lambda D, T: D.Categorical(T.tensor([0.3, 0.7])).log_prob(T.tensor([[0], [1]])),
        lambda D, T: D.Gamma(1.0, 1.0).log_prob(T.tensor(0.0)),
        lambda D, T: D.Beta(1.0, 2.0).log_prob(T.tensor(1.0)),
        lambda D, T: D.Beta(T.tensor([0.5, 2.0]), 3.0).mode,
        lambda D, T: D.Beta(T.tensor([0.3, 2.0, 0.5, 1.0, 1.0, 1.5]),
                            T.tensor([0.5, 3.0, 1.0, 0.4, 1.0, 0.5])).mode,
        lambda D, T: D.Gamma(T.tensor([0.5, 2.0]), T.tensor([1.0, 3.0])).mode,
        lambda D, T: D.Normal(0.0, 1.0).icdf(T.tensor(1.5)),
        lambda D, T: D.Normal(0.0, 1.0).perplexity(),
    ]
    for make in cases:
        assert_same(make(gradstep.distributions, gradstep), make(torch.distributions, torch))


KL_PAIRS = {
    "normal": ("normal", lambda a: a[::-1]),
    "bernoulli_probs": ("bernoulli_probs", lambda a: a[::-1]),
    "bernoulli_logits": ("bernoulli_logits", lambda a: -a),
    "categorical_logits": ("categorical_logits", lambda a: a[::-1]),
    "onehot": ("onehot", lambda a: a[::-1]),
    "uniform": ("uniform", lambda a: a - 0.5),
    "exponential": ("exponential", lambda a: a[::-1]),
    "laplace": ("laplace", lambda a: a[::-1]),
    "gamma": ("gamma", lambda a: a[::-1]),
    "beta": ("beta", lambda a: a[::-1]),
    "independent": ("independent", lambda a: a[::-1]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_and_gradients(name, dtype):
    ctor, params, _ = CASES[name]
    shift = KL_PAIRS[name][1]
    out, inputs = {}, {}
    for lib in (gradstep, torch):
        p_params = [lib.tensor(p.astype(dtype), requires_grad=True) for p in params]
        q_params = [lib.tensor(np.ascontiguousarray(shift(p)).astype(dtype), requires_grad=True)
                    for p in params]
        D = lib.distributions
        kl = D.kl_divergence(ctor(D, *p_params), ctor(D, *q_params))
        kl.sum().backward() if kl.requires_grad else None
        out[lib], inputs[lib] = kl, p_params + q_params
    assert_same(out[gradstep], out[torch])
    assert_same(grads(inputs[gradstep]), grads(inputs[torch]), rtol=GRAD_RTOL.get((name, dtype)),
                what="grad")


def test_kl_infinite_cases():
    cases = [
        lambda D, T: D.kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.5, 3.0)),
        lambda D, T: D.kl_divergence(D.Bernoulli(T.tensor([0.0, 1.0, 0.5])),
                                     D.Bernoulli(T.tensor([0.0, 0.0, 1.0]))),
        lambda D, T: D.kl_divergence(D.Categorical(T.tensor([0.5, 0.5])),
                                     D.Categorical(T.tensor([0.0, 1.0]))),
        lambda D, T: D.kl_divergence(D.Categorical(T.tensor([0.0, 1.0])),
                                     D.Categorical(T.tensor([0.5, 0.5]))),
    ]
    for make in cases:
        assert_same(make(gradstep.distributions, gradstep), make(torch.distributions, torch))


def test_register_kl_subclass_dispatch():
    D = gradstep.distributions

    class MyNormal(D.Normal):
        pass

    assert_same(D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)), torch.tensor(0.5))

    @D.register_kl(MyNormal, MyNormal)
    def _mine(p, q):
        return gradstep.tensor(42.0)

    assert float(D.kl_divergence(MyNormal(0.0, 1.0), MyNormal(1.0, 1.0))) == 42.0
    assert float(D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0))) == 0.5


def test_reinforce_and_vae_patterns():
    """Policy-gradient and VAE losses give torch's gradients."""
    logits_np = R.normal(size=(4, 3)).astype(np.float32)
    actions = np.array([0, 2, 1, 1])
    advantage = np.array([1.0, -0.5, 2.0, 0.3], dtype=np.float32)
    mu_np, log_sigma_np = R.normal(size=(4, 2)), R.normal(size=(4, 2)) * 0.1
    result = {}
    for lib in (gradstep, torch):
        D = lib.distributions
        logits = lib.tensor(logits_np, requires_grad=True)
        loss = -(D.Categorical(logits=logits).log_prob(lib.tensor(actions))
                 * lib.tensor(advantage)).mean()
        loss.backward()
        mu = lib.tensor(mu_np, requires_grad=True)
        log_sigma = lib.tensor(log_sigma_np, requires_grad=True)
        q = D.Independent(D.Normal(mu, log_sigma.exp()), 1)
        p = D.Independent(D.Normal(lib.zeros(4, 2, dtype=lib.float64), 1.0), 1)
        D.kl_divergence(q, p).sum().backward()
        result[lib] = (loss, logits.grad, mu.grad, log_sigma.grad)
    assert_same(result[gradstep], result[torch])


def test_user_subclass_defaults():
    for lib in (gradstep, torch):
        class Custom(lib.distributions.Distribution):
            arg_constraints = {}

        d = Custom()
        assert repr(d) == "Custom()" and d.batch_shape == () and d.event_shape == ()
        for attr in ["mean", "variance", "stddev", "support"]:
            with pytest.raises(NotImplementedError, match="^$"):
                getattr(d, attr)
        with pytest.raises(NotImplementedError, match="does not implement mode"):
            d.mode
        for method in ["entropy", "sample", "rsample", "enumerate_support"]:
            with pytest.raises(NotImplementedError):
                getattr(d, method)()
