"""MultivariateNormal, Dirichlet and transformed distributions against torch.distributions.

Same scheme as ``test_distributions.py``: one table of cases builds each distribution in both
libraries from NumPy parameters (float parameters require grad); values, gradients, shapes,
reprs and error messages are compared.  Samples come from different streams, so only their
shapes and statistics are compared.
"""
import numpy as np
import pytest
import torch

import gradstep
from tests._compare import assert_same, to_numpy

R = np.random.default_rng(7)
K = 3
LOC = R.normal(size=(2, K))
_A = R.normal(size=(2, K, K))
COV = _A @ _A.transpose(0, 2, 1) + K * np.eye(K)
TRIL = np.linalg.cholesky(COV)
PREC = np.linalg.inv(COV)
PREC = (PREC + PREC.transpose(0, 2, 1)) / 2
CONC = R.uniform(0.5, 3.0, (2, 4))
SIMPLEX = R.dirichlet(np.ones(4), size=2)

# name -> (constructor(D, *params), parameter arrays, value array for log_prob)
CASES = {
    "mvn_cov": (lambda D, m, c: D.MultivariateNormal(m, covariance_matrix=c), (LOC, COV),
                R.normal(size=(2, K))),
    "mvn_tril": (lambda D, m, t: D.MultivariateNormal(m, scale_tril=t), (LOC, TRIL),
                 R.normal(size=(5, 2, K))),
    "mvn_prec": (lambda D, m, p: D.MultivariateNormal(m, precision_matrix=p), (LOC, PREC),
                 R.normal(size=(2, K))),
    "mvn_shared": (lambda D, m, c: D.MultivariateNormal(m, c), (LOC, COV[0]),
                   R.normal(size=(K,))),
    "mvn_batch_matrix": (lambda D, m, t: D.MultivariateNormal(m, scale_tril=t), (LOC[0], TRIL),
                         R.normal(size=(K,))),
    "dirichlet": (lambda D, a: D.Dirichlet(a), (CONC,), SIMPLEX),
}
DTYPES = [np.float32, np.float64]
# Through cholesky/triangular solves float32 rounding differs from torch's LAPACK by a few ulps.
RTOL = {np.float32: 1e-4, np.float64: 1e-9}


def build(name, lib, dtype, requires_grad=True):
    ctor, params, value = CASES[name]
    tensors = [lib.tensor(p.astype(dtype), requires_grad=requires_grad) for p in params]
    return ctor(lib.distributions, *tensors), tensors, lib.tensor(value.astype(dtype))


def check_with_grads(name, dtype, fn):
    out, inputs = {}, {}
    for lib in (gradstep, torch):
        dist, params, value = build(name, lib, dtype)
        result = fn(dist, value)
        weights = np.random.default_rng(1).normal(size=tuple(result.shape)).astype(dtype)
        (result * lib.tensor(weights)).sum().backward()
        out[lib], inputs[lib] = result, [p.grad for p in params]
    assert_same(out[gradstep], out[torch], rtol=RTOL[dtype])
    assert_same(inputs[gradstep], inputs[torch], rtol=RTOL[dtype], atol=RTOL[dtype], what="grad")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_log_prob_and_gradients(name, dtype):
    check_with_grads(name, dtype, lambda d, v: d.log_prob(v))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_entropy_and_gradients(name, dtype):
    check_with_grads(name, dtype, lambda d, v: d.entropy())


MOMENTS = ["mean", "mode", "variance", "stddev"]
MATRICES = ["scale_tril", "covariance_matrix", "precision_matrix"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_moments_and_matrices(name, dtype):
    (gd, _, _), (td, _, _) = (build(name, lib, dtype, False) for lib in (gradstep, torch))
    props = MOMENTS + (MATRICES if name.startswith("mvn") else [])
    for prop in props:
        assert_same(getattr(gd, prop), getattr(td, prop), rtol=RTOL[dtype], atol=RTOL[dtype],
                    what=prop)


@pytest.mark.parametrize("name", CASES)
def test_shapes_flags_and_expand(name):
    (gd, _, _), (td, _, _) = (build(name, lib, np.float32, False) for lib in (gradstep, torch))
    assert gd.batch_shape == td.batch_shape and gd.event_shape == td.event_shape
    assert gd.has_rsample == td.has_rsample
    assert repr(gd) == repr(td)
    assert repr(gd.support) == repr(td.support)
    assert repr(gd.arg_constraints) == repr(td.arg_constraints)
    for sample_shape in [(), (5,), (2, 1)]:
        g_sample, t_sample = gd.sample(sample_shape), td.sample(sample_shape)
        assert g_sample.shape == t_sample.shape and str(g_sample.dtype) == str(t_sample.dtype)
        assert not g_sample.requires_grad
        assert bool(gd.support.check(g_sample).all())
    shape = (4,) + tuple(gd.batch_shape)
    eg, et = gd.expand(shape), td.expand(shape)
    assert eg.batch_shape == et.batch_shape and repr(eg) == repr(et)
    assert_same(eg.mean, et.mean)
    assert_same(eg.entropy(), et.entropy(), rtol=1e-4)


@pytest.mark.parametrize("name", CASES)
def test_rsample_is_differentiable(name):
    gradstep.manual_seed(0)
    dist, params, _ = build(name, gradstep, np.float64)
    x = dist.rsample((3,))
    assert x.requires_grad and x.shape == (3,) + tuple(dist.batch_shape) + tuple(
        dist.event_shape)
    (x * gradstep.tensor(R.normal(size=tuple(x.shape)))).sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params)


def test_mvn_sample_statistics():
    gradstep.manual_seed(3)
    loc, cov = np.array([1.0, -2.0]), np.array([[2.0, 0.6], [0.6, 0.5]])
    d = gradstep.distributions.MultivariateNormal(gradstep.tensor(loc), gradstep.tensor(cov))
    x = to_numpy(d.sample((40000,)))
    np.testing.assert_allclose(x.mean(0), loc, atol=5 * np.sqrt(2.0 / 40000))
    np.testing.assert_allclose(np.cov(x.T), cov, rtol=0.05, atol=0.02)


def test_dirichlet_sample_statistics_and_gradient():
    gradstep.manual_seed(4)
    alpha = np.array([0.7, 2.0, 4.0])
    a = gradstep.tensor(alpha, requires_grad=True)
    x = gradstep.distributions.Dirichlet(a).rsample((40000,))
    mean = alpha / alpha.sum()
    var = mean * (1 - mean) / (alpha.sum() + 1)
    xs = to_numpy(x)
    np.testing.assert_allclose(xs.mean(0), mean, atol=5 * np.sqrt(var / 40000).max())
    np.testing.assert_allclose(xs.var(0), var, rtol=0.05)
    np.testing.assert_allclose(xs.sum(-1), 1.0, atol=1e-12)
    # d E[x_0] / d alpha, the reparameterization gradient on average, against the exact one.
    x.mean(0)[0].backward()
    total = alpha.sum()
    exact = -alpha[0] / total ** 2 + np.array([1 / total, 0, 0])
    np.testing.assert_allclose(to_numpy(a.grad), exact, atol=0.01)


KL_PAIRS = {
    "mvn_cov": lambda a: a[::-1],
    "mvn_tril": lambda a: a[::-1],
    "mvn_prec": lambda a: a[::-1],
    "mvn_shared": lambda a: a * 2.0 if a.shape == (K, K) else a[::-1],
    "mvn_batch_matrix": lambda a: -a if a.ndim == 1 else a[::-1],
    "dirichlet": lambda a: a[::-1],
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", KL_PAIRS)
def test_kl_divergence_and_gradients(name, dtype):
    ctor, params, _ = CASES[name]
    out, inputs = {}, {}
    for lib in (gradstep, torch):
        p_params = [lib.tensor(p.astype(dtype), requires_grad=True) for p in params]
        q_params = [lib.tensor(np.ascontiguousarray(KL_PAIRS[name](p)).astype(dtype),
                               requires_grad=True) for p in params]
        D = lib.distributions
        kl = D.kl_divergence(ctor(D, *p_params), ctor(D, *q_params))
        kl.sum().backward()
        out[lib], inputs[lib] = kl, [p.grad for p in p_params + q_params]
    assert_same(out[gradstep], out[torch], rtol=RTOL[dtype], atol=RTOL[dtype])
    assert_same(inputs[gradstep], inputs[torch], rtol=RTOL[dtype], atol=RTOL[dtype], what="grad")


def test_kl_mvn_broadcasts_batches():
    for_both = {}
    for lib in (gradstep, torch):
        D = lib.distributions
        p = D.MultivariateNormal(lib.tensor(LOC), lib.tensor(COV))
        q = D.MultivariateNormal(lib.zeros(K, dtype=lib.float64), lib.eye(K, dtype=lib.float64))
        for_both[lib] = (D.kl_divergence(p, q), D.kl_divergence(q, p))
    assert_same(for_both[gradstep], for_both[torch], rtol=1e-9)


_L = [[1.0, 0.0], [0.5, 2.0]]
REPRS = [
    lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(1), T.eye(1)),
    lambda D, T: D.MultivariateNormal(T.zeros(3, 2), scale_tril=T.tensor(_L)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), precision_matrix=T.eye(2)).expand((3, 1)),
    lambda D, T: D.MultivariateNormal(T.zeros(3), T.eye(2)),
    lambda D, T: D.Dirichlet(T.ones(3, 4)),
    lambda D, T: D.Dirichlet(T.tensor([2.0])),
    lambda D, T: [D.constraints.positive_definite, D.constraints.lower_cholesky,
                  D.constraints.lower_triangular],
]


@pytest.mark.parametrize("make", REPRS)
def test_repr(make):
    assert repr(make(gradstep.distributions, gradstep)) == repr(make(torch.distributions, torch))


ERRORS = [
    lambda D, T: D.MultivariateNormal(T.zeros(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2), scale_tril=T.eye(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), T.ones(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), scale_tril=T.ones(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), precision_matrix=T.ones(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(()), T.eye(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), -T.eye(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), T.tensor([[1.0, 2.0], [0.0, 1.0]])),
    lambda D, T: D.MultivariateNormal(T.zeros(2), scale_tril=T.tensor([[1.0, 2.0], [0.0, 1.0]])),
    lambda D, T: D.MultivariateNormal(T.zeros(2), scale_tril=T.tensor([[1.0, 0.0], [0.0, 0.0]])),
    lambda D, T: D.MultivariateNormal(T.zeros(2), precision_matrix=-T.eye(2)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(T.zeros(3)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(
        T.tensor([float("nan"), 0.0])),
    lambda D, T: D.MultivariateNormal(T.zeros(3, 2), T.eye(2)).expand((4,)),
    lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2)).cdf(T.zeros(2)),
    lambda D, T: D.kl_divergence(D.MultivariateNormal(T.zeros(2), T.eye(2)),
                                 D.MultivariateNormal(T.zeros(3), T.eye(3))),
    lambda D, T: D.Dirichlet(T.tensor(1.0)),
    lambda D, T: D.Dirichlet(T.tensor([1.0, -2.0])),
    lambda D, T: D.Dirichlet(T.tensor([1.0, 2.0])).log_prob(T.tensor([0.5, 0.6])),
]


@pytest.mark.parametrize("make", ERRORS)
def test_errors(make):
    with pytest.raises(Exception) as expected:
        make(torch.distributions, torch)
    with pytest.raises(expected.type) as got:
        make(gradstep.distributions, gradstep)
    assert str(got.value) == str(expected.value)


def test_edge_values():
    cases = [
        lambda D, T: D.Dirichlet(T.tensor([[0.5, 2.0, 3.0], [0.5, 0.5, 0.5], [2.0, 2.0, 2.0],
                                           [1.0, 1.0, 0.5], [0.3, 0.5, 0.4]])).mode,
        lambda D, T: D.Dirichlet(T.tensor([1.0, 2.0])).log_prob(T.tensor([0.0, 1.0])),
        lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(T.zeros(4, 1, 2)),
        lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2), validate_args=False).log_prob(
            T.tensor([float("nan"), 0.0])),
        lambda D, T: D.constraints.positive_definite.check(
            T.tensor([[[1.0, 0.5 + 1e-7], [0.5, 1.0]], [[1.0, 0.5 + 1e-5], [0.5, 1.0]],
                      [[1.0, 0.0], [0.0, -1e-3]]])),
        lambda D, T: D.constraints.lower_cholesky.check(T.tensor([[1.0, 0.0], [-3.0, 1.0]])),
    ]
    for make in cases:
        assert_same(make(gradstep.distributions, gradstep), make(torch.distributions, torch))


# ----- transforms and TransformedDistribution -----

TRANSFORMS = {
    "exp": (lambda D: D.ExpTransform(), R.normal(size=(2, 3))),
    "affine": (lambda D: D.AffineTransform(0.5, -2.0), R.normal(size=(2, 3))),
    "sigmoid": (lambda D: D.SigmoidTransform(), R.normal(size=(2, 3)) * 3),
    "tanh": (lambda D: D.TanhTransform(), np.array([-30.0, -2.0, 0.0, 0.3, 5.0, 30.0])),
    "compose": (lambda D: D.ComposeTransform([D.AffineTransform(0.1, 0.5), D.TanhTransform()]),
                R.normal(size=(2, 3))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", TRANSFORMS)
def test_transform_values_inverse_and_jacobian(name, dtype):
    make, x = TRANSFORMS[name]
    out = {}
    for lib in (gradstep, torch):
        t = make(lib.distributions)
        xt = lib.tensor(x.astype(dtype), requires_grad=True)
        y = t(xt)
        ladj = t.log_abs_det_jacobian(xt, y)
        ladj.sum().backward() if ladj.requires_grad else None
        back = t.inv(y.detach()[(y.detach().abs() < 0.999)]) if name in ("tanh", "compose") \
            else t.inv(y.detach())
        out[lib] = (y, ladj, xt.grad, back, t.inv.log_abs_det_jacobian(y.detach(), xt.detach()))
        assert repr(t) == repr(make(torch.distributions)) and repr(t.inv) == repr(
            make(torch.distributions).inv)
    assert_same(out[gradstep], out[torch], rtol=RTOL[dtype] * 10, atol=RTOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_squashed_gaussian_policy(dtype):
    """SAC: a = tanh(u), u ~ N(mu, std); log pi(a) and its gradients through rsample."""
    mu_np, log_std_np = R.normal(size=(4, 2)), R.normal(size=(4, 2)) * 0.3
    value = np.tanh(R.normal(size=(4, 2)))
    out = {}
    for lib in (gradstep, torch):
        D = lib.distributions
        mu = lib.tensor(mu_np.astype(dtype), requires_grad=True)
        log_std = lib.tensor(log_std_np.astype(dtype), requires_grad=True)
        pi = D.TransformedDistribution(D.Normal(mu, log_std.exp()), [D.TanhTransform()])
        lp = pi.log_prob(lib.tensor(value.astype(dtype)))
        lp.sum().backward()
        out[lib] = (lp, mu.grad, log_std.grad)
        assert pi.batch_shape == (4, 2) and pi.event_shape == () and pi.has_rsample
        assert repr(pi) == "TransformedDistribution()"
        assert repr(pi.support) == "Interval(lower_bound=-1.0, upper_bound=1.0)"
    assert_same(out[gradstep], out[torch], rtol=RTOL[dtype], atol=RTOL[dtype])
    # rsample then log_prob of the same draw: the reparameterized SAC loss is differentiable.
    gradstep.manual_seed(0)
    D = gradstep.distributions
    mu = gradstep.tensor(mu_np, requires_grad=True)
    pi = D.TransformedDistribution(D.Normal(mu, 0.5), [D.TanhTransform()])
    a = pi.rsample((3,))
    assert a.shape == (3, 4, 2) and bool((a.abs() < 1).all())
    pi.log_prob(a).sum().backward()
    assert mu.grad is not None and mu.grad.shape == (4, 2)


def test_transformed_cdf_expand_and_lognormal_identity():
    cases = [
        lambda D, T: D.TransformedDistribution(D.Normal(T.zeros(2), T.ones(2)),
                                               [D.AffineTransform(1.0, 2.0)]).cdf(
            T.tensor([0.0, 1.0])),
        lambda D, T: D.TransformedDistribution(D.Normal(T.zeros(2), T.ones(2)),
                                               [D.AffineTransform(1.0, -2.0)]).cdf(
            T.tensor([0.0, 1.0])),
        lambda D, T: D.TransformedDistribution(D.Normal(0.3, 0.7), D.ExpTransform()).log_prob(
            T.tensor([0.5, 2.0])),
        lambda D, T: D.TransformedDistribution(D.Normal(T.zeros(2), T.ones(2)),
                                               [D.TanhTransform()]).expand((3, 2)).batch_shape,
        lambda D, T: D.ExpTransform() == D.ExpTransform(),
        lambda D, T: D.ExpTransform().inv.inv == D.ExpTransform(),
        lambda D, T: (D.TanhTransform().sign, D.TanhTransform().bijective,
                      D.TanhTransform().event_dim),
        lambda D, T: [D.ExpTransform().codomain, D.SigmoidTransform().codomain,
                      D.ExpTransform().inv.domain],
        lambda D, T: D.ComposeTransform([D.ExpTransform(), D.AffineTransform(0.0, 2.0)]).inv,
        lambda D, T: D.ComposeTransform([]),
    ]
    for make in cases:
        g, t = make(gradstep.distributions, gradstep), make(torch.distributions, torch)
        if isinstance(t, torch.Tensor):
            assert_same(g, t)
        else:
            assert repr(g) == repr(t)


TRANSFORM_ERRORS = [
    lambda D, T: D.TransformedDistribution(D.Normal(0.0, 1.0), 3),
    lambda D, T: D.TransformedDistribution(D.Normal(0.0, 1.0), [3]),
    lambda D, T: D.TransformedDistribution(D.Normal(T.zeros(2), 1.0),
                                           [D.TanhTransform()]).log_prob(T.tensor([0.5, 2.0])),
    lambda D, T: D.TransformedDistribution(D.Normal(0.0, 1.0), [D.TanhTransform()]).mean,
    lambda D, T: D.TransformedDistribution(D.Normal(0.0, 1.0), [D.TanhTransform()]).entropy(),
]


@pytest.mark.parametrize("make", TRANSFORM_ERRORS)
def test_transform_errors(make):
    test_errors(make)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_transform_clamps_like_torch(dtype):
    """torch keeps sigmoid's values and the inverse's argument in [tiny, 1 - eps]."""
    def run(L):
        info = L.finfo(getattr(L, dtype))
        t = L.distributions.SigmoidTransform()
        ys = L.tensor([0., info.tiny, info.tiny * 2, info.eps / 4, info.eps, 1e-30, 0.5,
                       1 - info.eps, 1.], dtype=getattr(L, dtype))
        xs = L.tensor([-1000., -100., 0., 40., 1000.], dtype=getattr(L, dtype))
        base = L.distributions.Normal(L.tensor(0., dtype=getattr(L, dtype)),
                                      L.tensor(1., dtype=getattr(L, dtype)))
        d = L.distributions.TransformedDistribution(base, [t])
        return t.inv(ys), t(xs), d.log_prob(L.tensor([0., 1., 0.3], dtype=getattr(L, dtype)))
    for g, t in zip(run(gradstep), run(torch)):
        assert_same(g, t, rtol=1e-6)


@pytest.mark.parametrize("value", [-1.0, 0.0, 0.5, 3.0])
@pytest.mark.parametrize("validate", [None, False])
def test_lognormal_cdf_validates_the_log_as_torch(value, validate):
    # torch's LogNormal is exp of a Normal: cdf checks log(value) against the Normal's support
    from _outcome import assert_same_outcome
    assert_same_outcome(lambda L: L.distributions.LogNormal(0., 1., validate_args=validate).cdf(
        L.tensor(value)))

# Cross-family KL: name -> (p constructor, p parameters, q constructor, q parameters).  Each row
# mixes ordinary values with ones where torch returns inf (supports not nested) or sits on the
# boundary of a support ([0, 1] for Beta, 0 for Exponential and Gamma).
_NORMAL = lambda D, m, s: D.Normal(m, s)  # noqa: E731
_LAPLACE = lambda D, m, s: D.Laplace(m, s)  # noqa: E731
_LOGNORMAL = lambda D, m, s: D.LogNormal(m, s)  # noqa: E731
_UNIFORM = lambda D, lo, hi: D.Uniform(lo, hi)  # noqa: E731
_EXPONENTIAL = lambda D, r: D.Exponential(r)  # noqa: E731
_GAMMA = lambda D, a, b: D.Gamma(a, b)  # noqa: E731
_BETA = lambda D, a, b: D.Beta(a, b)  # noqa: E731
_LOC, _SCALE = np.array([-1.5, 0.0, 0.3, 4.0]), np.array([0.2, 1.0, 1.7, 3.0])
_LOC_Q, _SCALE_Q = np.array([0.5, 0.0, -2.0, 3.5]), np.array([1.1, 0.4, 2.5, 0.7])
_RATE, _RATE_Q = np.array([0.3, 1.0, 2.5, 7.0]), np.array([1.5, 0.2, 4.0, 1.0])
_CONC, _CONC0 = np.array([0.5, 1.0, 2.5, 6.0]), np.array([3.0, 1.0, 0.7, 2.0])
_LOW_IN, _HIGH_IN = np.array([0.0, 0.2, 0.25, 0.9]), np.array([1.0, 0.7, 0.5, 0.95])
_LOW_ANY, _HIGH_ANY = np.array([-0.5, 0.0, 0.3, 2.0]), np.array([1.5, 1.0, 0.6, 5.0])
CROSS_KL = {
    "normal_laplace": (_NORMAL, (_LOC, _SCALE), _LAPLACE, (_LOC_Q, _SCALE_Q)),
    "laplace_normal": (_LAPLACE, (_LOC, _SCALE), _NORMAL, (_LOC_Q, _SCALE_Q)),
    "lognormal_lognormal": (_LOGNORMAL, (_LOC, _SCALE), _LOGNORMAL, (_LOC_Q, _SCALE_Q)),
    "exponential_gamma": (_EXPONENTIAL, (_RATE,), _GAMMA, (_CONC, _RATE_Q)),
    "gamma_exponential": (_GAMMA, (_CONC, _RATE), _EXPONENTIAL, (_RATE_Q,)),
    "exponential_normal": (_EXPONENTIAL, (_RATE,), _NORMAL, (_LOC_Q, _SCALE_Q)),
    "gamma_normal": (_GAMMA, (_CONC, _RATE), _NORMAL, (_LOC_Q, _SCALE_Q)),
    "beta_normal": (_BETA, (_CONC, _CONC0), _NORMAL, (_LOC_Q, _SCALE_Q)),
    "beta_exponential": (_BETA, (_CONC, _CONC0), _EXPONENTIAL, (_RATE_Q,)),
    "beta_gamma": (_BETA, (_CONC, _CONC0), _GAMMA, (_CONC0, _RATE_Q)),
    "beta_uniform": (_BETA, (_CONC, _CONC0), _UNIFORM, (_LOW_ANY, _HIGH_ANY)),
    "uniform_beta": (_UNIFORM, (_LOW_ANY, _HIGH_ANY), _BETA, (_CONC, _CONC0)),
    "uniform_beta_inside": (_UNIFORM, (_LOW_IN, _HIGH_IN), _BETA, (_CONC, _CONC0)),
    "uniform_normal": (_UNIFORM, (_LOW_ANY, _HIGH_ANY), _NORMAL, (_LOC_Q, _SCALE_Q)),
    "uniform_exponential": (_UNIFORM, (_LOW_ANY, _HIGH_ANY), _EXPONENTIAL, (_RATE_Q,)),
    "uniform_gamma": (_UNIFORM, (_LOW_ANY, _HIGH_ANY), _GAMMA, (_CONC, _RATE_Q)),
    "uniform_gamma_inside": (_UNIFORM, (_LOW_IN, _HIGH_IN), _GAMMA, (_CONC, _RATE_Q)),
    # Supports not nested: torch returns inf everywhere, with p's batch shape and no graph.
    "normal_uniform": (_NORMAL, (_LOC, _SCALE), _UNIFORM, (_LOW_ANY, _HIGH_ANY)),
    "normal_exponential": (_NORMAL, (_LOC, _SCALE), _EXPONENTIAL, (_RATE_Q,)),
    "normal_gamma": (_NORMAL, (_LOC, _SCALE), _GAMMA, (_CONC, _RATE_Q)),
    "normal_beta": (_NORMAL, (_LOC, _SCALE), _BETA, (_CONC, _CONC0)),
    "laplace_uniform": (_LAPLACE, (_LOC, _SCALE), _UNIFORM, (_LOW_ANY, _HIGH_ANY)),
    "laplace_exponential": (_LAPLACE, (_LOC, _SCALE), _EXPONENTIAL, (_RATE_Q,)),
    "laplace_gamma": (_LAPLACE, (_LOC, _SCALE), _GAMMA, (_CONC, _RATE_Q)),
    "laplace_beta": (_LAPLACE, (_LOC, _SCALE), _BETA, (_CONC, _CONC0)),
    "exponential_uniform": (_EXPONENTIAL, (_RATE,), _UNIFORM, (_LOW_ANY, _HIGH_ANY)),
    "exponential_beta": (_EXPONENTIAL, (_RATE,), _BETA, (_CONC, _CONC0)),
    "gamma_uniform": (_GAMMA, (_CONC, _RATE), _UNIFORM, (_LOW_ANY, _HIGH_ANY)),
    "gamma_beta": (_GAMMA, (_CONC, _RATE), _BETA, (_CONC, _CONC0)),
}
# Through digamma/lgamma/erf the float32 kernels here and in torch differ by a few ulps.
CROSS_RTOL = {np.float32: 1e-5, np.float64: 1e-9}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CROSS_KL)
def test_cross_family_kl_and_gradients(name, dtype):
    p_ctor, p_arrays, q_ctor, q_arrays = CROSS_KL[name]
    out, inputs, flags = {}, {}, {}
    for lib in (gradstep, torch):
        p_params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in p_arrays]
        q_params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in q_arrays]
        D = lib.distributions
        kl = D.kl_divergence(p_ctor(D, *p_params), q_ctor(D, *q_params))
        flags[lib] = (kl.requires_grad, tuple(kl.shape), str(kl.dtype))
        if kl.requires_grad:
            weights = np.random.default_rng(2).normal(size=tuple(kl.shape)).astype(dtype)
            (kl * lib.tensor(weights)).sum().backward()
        out[lib], inputs[lib] = kl, [t.grad for t in p_params + q_params]
    assert flags[gradstep] == flags[torch]
    assert_same(out[gradstep], out[torch], rtol=CROSS_RTOL[dtype], atol=CROSS_RTOL[dtype])
    assert_same(inputs[gradstep], inputs[torch], rtol=CROSS_RTOL[dtype], atol=CROSS_RTOL[dtype],
                what="grad")


_ALL_FAMILIES = {
    "Normal": lambda D, T: D.Normal(T.tensor(0.3), T.tensor(1.2)),
    "LogNormal": lambda D, T: D.LogNormal(T.tensor(0.3), T.tensor(1.2)),
    "Laplace": lambda D, T: D.Laplace(T.tensor(0.3), T.tensor(1.2)),
    "Uniform": lambda D, T: D.Uniform(T.tensor(0.2), T.tensor(0.7)),
    "Exponential": lambda D, T: D.Exponential(T.tensor(1.5)),
    "Gamma": lambda D, T: D.Gamma(T.tensor(2.0), T.tensor(1.5)),
    "Beta": lambda D, T: D.Beta(T.tensor(2.0), T.tensor(1.5)),
    "Bernoulli": lambda D, T: D.Bernoulli(T.tensor(0.3)),
    "Categorical": lambda D, T: D.Categorical(T.tensor([0.3, 0.7])),
    "Dirichlet": lambda D, T: D.Dirichlet(T.tensor([0.3, 0.7])),
}


@pytest.mark.parametrize("q_name", _ALL_FAMILIES)
@pytest.mark.parametrize("p_name", _ALL_FAMILIES)
def test_kl_every_ordered_pair_computes_or_refuses_like_torch(p_name, q_name):
    """Every ordered pair either computes the same value or raises the same error and message
    (the generic one, or the Bregman one for two different exponential families)."""
    results = {}
    for lib in (gradstep, torch):
        D = lib.distributions
        p, q = _ALL_FAMILIES[p_name](D, lib), _ALL_FAMILIES[q_name](D, lib)
        try:
            results[lib] = D.kl_divergence(p, q)
        except Exception as error:  # noqa: BLE001 - the type and message are what is compared
            results[lib] = (type(error).__name__, str(error))
    g, t = results[gradstep], results[torch]
    if isinstance(t, tuple):
        assert g == t
    else:
        assert_same(g, t, rtol=1e-6)
