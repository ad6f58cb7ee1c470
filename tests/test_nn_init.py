"""nn.init against torch: distributions (statistics over a large tensor vs torch's formula),
``generator=`` reproducibility, errors, warnings, gains, and in-place use on parameters."""
import math

import numpy as np
import pytest
import torch

import gradstep
from _outcome import assert_same_outcome

SHAPE = (300, 400)  # fan_in 400, fan_out 300: 120,000 draws


def fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


FI, FO = fans(SHAPE)
GAIN_LRELU = math.sqrt(2.0)  # leaky_relu with the default a=0

# name -> (call, ("uniform", bound) | ("normal", mean, std))
DISTRIBUTIONS = {
    "uniform_": (lambda init, t: init.uniform_(t, -0.3, 0.7), ("uniform", -0.3, 0.7)),
    "normal_": (lambda init, t: init.normal_(t, 0.5, 2.0), ("normal", 0.5, 2.0)),
    "xavier_uniform_": (lambda init, t: init.xavier_uniform_(t, gain=2.0),
                        ("uniform", -2 * math.sqrt(6 / (FI + FO)), 2 * math.sqrt(6 / (FI + FO)))),
    "xavier_normal_": (lambda init, t: init.xavier_normal_(t),
                       ("normal", 0.0, math.sqrt(2 / (FI + FO)))),
    "kaiming_uniform_": (lambda init, t: init.kaiming_uniform_(t),
                         ("uniform", -GAIN_LRELU * math.sqrt(3 / FI),
                          GAIN_LRELU * math.sqrt(3 / FI))),
    "kaiming_uniform_ a=sqrt5": (lambda init, t: init.kaiming_uniform_(t, a=math.sqrt(5)),
                                 ("uniform", -1 / math.sqrt(FI), 1 / math.sqrt(FI))),
    "kaiming_uniform_ fan_out relu": (
        lambda init, t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
        ("uniform", -math.sqrt(6 / FO), math.sqrt(6 / FO))),
    "kaiming_normal_": (lambda init, t: init.kaiming_normal_(t),
                        ("normal", 0.0, GAIN_LRELU / math.sqrt(FI))),
    "kaiming_normal_ fan_out": (lambda init, t: init.kaiming_normal_(t, mode="fan_out",
                                                                     nonlinearity="relu"),
                                ("normal", 0.0, math.sqrt(2 / FO))),
    "trunc_normal_": (lambda init, t: init.trunc_normal_(t, 0.0, 1.0, -2.0, 2.0),
                      ("truncated", 0.0, 1.0, -2.0, 2.0)),
    "trunc_normal_ shifted": (lambda init, t: init.trunc_normal_(t, 1.0, 0.5, 0.0, 1.5),
                              ("truncated", 1.0, 0.5, 0.0, 1.5)),
}


def _truncated_moments(mean, std, a, b):
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    m = mean + std * (pdf(alpha) - pdf(beta)) / z
    var = std ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z
                      - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    return m, math.sqrt(var)


def _stats(values):
    return values.mean(), values.std(), values.min(), values.max()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(DISTRIBUTIONS))
def test_distribution_statistics(name, dtype):
    call, dist = DISTRIBUTIONS[name]
    g = gradstep.empty(SHAPE, dtype=getattr(gradstep, np.dtype(dtype).name))
    gradstep.manual_seed(0)
    out = call(gradstep.nn.init, g)
    assert out is g and str(g.dtype) == "torch." + np.dtype(dtype).name
    values = g.numpy().astype(np.float64)
    mean, std, lo, hi = _stats(values)
    if dist[0] == "uniform":
        a, b = dist[1], dist[2]
        exp_mean, exp_std = (a + b) / 2, (b - a) / math.sqrt(12)
        assert lo >= a and hi <= b
        assert lo - a < 1e-3 * (b - a) and b - hi < 1e-3 * (b - a)
    elif dist[0] == "normal":
        exp_mean, exp_std = dist[1], dist[2]
    else:
        exp_mean, exp_std = _truncated_moments(*dist[1:])
        assert lo >= dist[3] and hi <= dist[4]
    n = values.size
    assert abs(mean - exp_mean) < 5 * exp_std / math.sqrt(n)
    assert abs(std / exp_std - 1) < 0.01
    # torch's own draw has the same statistics (its formula and ours agree)
    t = torch.empty(SHAPE, dtype=getattr(torch, np.dtype(dtype).name))
    torch.manual_seed(0)
    call(torch.nn.init, t)
    t_mean, t_std, t_lo, t_hi = _stats(t.numpy().astype(np.float64))
    assert abs(t_std / std - 1) < 0.02
    assert abs(t_mean - mean) < 10 * exp_std / math.sqrt(n)


def test_orthogonal_and_eye_and_dirac_values():
    for shape in [(3, 5), (5, 3), (4, 2, 3), (6, 6)]:
        w = gradstep.empty(shape)
        gradstep.nn.init.orthogonal_(w, gain=2.0)
        flat = w.numpy().reshape(shape[0], -1).astype(np.float64)
        gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4 * np.eye(gram.shape[0]), atol=1e-5)
    for shape in [(3, 5), (4, 4), (5, 2)]:
        np.testing.assert_array_equal(gradstep.nn.init.eye_(gradstep.empty(shape)).numpy(),
                                      torch.nn.init.eye_(torch.empty(shape)).numpy())
    for shape, groups in [((4, 4, 3), 1), ((6, 2, 3, 3), 3), ((2, 3, 1, 3, 3), 2), ((4, 6, 3), 2)]:
        np.testing.assert_array_equal(
            gradstep.nn.init.dirac_(gradstep.empty(shape), groups).numpy(),
            torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


def test_constant_ones_zeros_match_torch():
    for fn, args in [("constant_", (0.25,)), ("ones_", ()), ("zeros_", ())]:
        g = getattr(gradstep.nn.init, fn)(gradstep.empty(3, 4), *args)
        t = getattr(torch.nn.init, fn)(torch.empty(3, 4), *args)
        np.testing.assert_array_equal(g.numpy(), t.numpy())


def test_sparse_zeros_per_column():
    w = gradstep.nn.init.sparse_(gradstep.empty(10, 6), sparsity=0.3, std=0.5)
    zeros_per_column = (w.numpy() == 0).sum(axis=0)
    assert (zeros_per_column == math.ceil(0.3 * 10)).all()


RANDOM_INITS = {
    "uniform_": lambda init, t, g: init.uniform_(t, generator=g),
    "normal_": lambda init, t, g: init.normal_(t, generator=g),
    "trunc_normal_": lambda init, t, g: init.trunc_normal_(t, generator=g),
    "xavier_uniform_": lambda init, t, g: init.xavier_uniform_(t, generator=g),
    "xavier_normal_": lambda init, t, g: init.xavier_normal_(t, generator=g),
    "kaiming_uniform_": lambda init, t, g: init.kaiming_uniform_(t, generator=g),
    "kaiming_normal_": lambda init, t, g: init.kaiming_normal_(t, generator=g),
    "orthogonal_": lambda init, t, g: init.orthogonal_(t, generator=g),
    "sparse_": lambda init, t, g: init.sparse_(t, 0.5, generator=g),
}


@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_generator_reproducible(name):
    call = RANDOM_INITS[name]
    init = gradstep.nn.init

    def draw(seed):
        g = gradstep.Generator().manual_seed(seed)
        gradstep.manual_seed(seed + 100)  # the global stream must not matter
        return call(init, gradstep.empty(8, 6), g).numpy()
    np.testing.assert_array_equal(draw(1), draw(1))
    assert not np.array_equal(draw(1), draw(2))
    # the global generator: manual_seed makes a draw reproducible
    gradstep.manual_seed(5)
    a = call(init, gradstep.empty(8, 6), None).numpy()
    gradstep.manual_seed(5)
    np.testing.assert_array_equal(a, call(init, gradstep.empty(8, 6), None).numpy())


@pytest.mark.parametrize("name", list(RANDOM_INITS))
def test_on_parameter_under_no_grad(name):
    p = gradstep.nn.Parameter(gradstep.zeros(8, 6))
    out = RANDOM_INITS[name](gradstep.nn.init, p, None)
    assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None
    assert type(p) is gradstep.nn.Parameter
    (p * 2).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), np.full((8, 6), 2, np.float32))


def _try(fn):
    return lambda lib: fn(lib.nn.init, lib)


GAINS = [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
         ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
         ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
         ("leaky_relu", 0.2), ("leaky_relu", 1), ("leaky_relu", True), ("leaky_relu", "x"),
         ("selu", None), ("gelu", None), ("softmax", None)]


@pytest.mark.parametrize("nonlinearity,param", GAINS)
def test_calculate_gain(nonlinearity, param):
    out = assert_same_outcome(lambda lib: lib.nn.init.calculate_gain(nonlinearity, param),
                              rtol=0, atol=0)
    if out[0] == "ok":
        assert type(out[1]) is type(torch.nn.init.calculate_gain(nonlinearity, param))


ERRORS = {
    "fan of 1-d": _try(lambda init, lib: init.xavier_uniform_(lib.empty(3))),
    "fan of 0-d": _try(lambda init, lib: init.kaiming_normal_(lib.empty(()))),
    "bad mode": _try(lambda init, lib: init.kaiming_uniform_(lib.empty(3, 3), mode="fan")),
    "mode case": _try(lambda init, lib: init.kaiming_uniform_(lib.empty(3, 3), mode="FAN_OUT").shape),
    "bad nonlinearity": _try(lambda init, lib: init.kaiming_normal_(lib.empty(3, 3),
                                                                    nonlinearity="swish")),
    "kaiming empty warns": _try(lambda init, lib: init.kaiming_uniform_(lib.empty(0, 3))),
    "kaiming_normal empty warns": _try(lambda init, lib: init.kaiming_normal_(lib.empty(3, 0))),
    "xavier empty": _try(lambda init, lib: init.xavier_uniform_(lib.empty(0, 3))),
    "eye 3-d": _try(lambda init, lib: init.eye_(lib.empty(2, 2, 2))),
    "dirac 2-d": _try(lambda init, lib: init.dirac_(lib.empty(2, 2))),
    "dirac groups": _try(lambda init, lib: init.dirac_(lib.empty(3, 2, 2), groups=2)),
    "orthogonal 1-d": _try(lambda init, lib: init.orthogonal_(lib.empty(3))),
    "orthogonal empty": _try(lambda init, lib: init.orthogonal_(lib.empty(0, 3))),
    "sparse 3-d": _try(lambda init, lib: init.sparse_(lib.empty(2, 2, 2), 0.1)),
    "trunc_normal far mean": _try(lambda init, lib: bool(
        (init.trunc_normal_(lib.empty(50), mean=5.0, std=1.0, a=-1.0, b=1.0).abs() <= 1).all())),
    "trunc_normal empty": _try(lambda init, lib: init.trunc_normal_(lib.empty(0))),
    "deprecated uniform": _try(lambda init, lib: init.uniform(lib.empty(2)).shape),
    "deprecated normal": _try(lambda init, lib: init.normal(lib.empty(2)).shape),
    "deprecated xavier": _try(lambda init, lib: init.xavier_uniform(lib.empty(2, 2)).shape),
    "deprecated constant": _try(lambda init, lib: init.constant(lib.empty(2), 1.0)),
    "fans": _try(lambda init, lib: [init._calculate_fan_in_and_fan_out(lib.empty(s))
                                    for s in [(3, 4), (3, 4, 5), (2, 3, 4, 5), (0, 3)]]),
    "constant int": _try(lambda init, lib: init.constant_(lib.empty(2, dtype=lib.int64), 3)),
}


@pytest.mark.parametrize("case", list(ERRORS), ids=list(ERRORS))
def test_init_errors_and_warnings_like_torch(case):
    assert_same_outcome(ERRORS[case])
