"""nn activations against torch: functional values and gradients (float32, float64, kinks, extreme
values), float64 finite differences, in-place forms, errors and warnings, and the modules."""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from tests._compare import assert_same, compare, gradcheck_fd

rng = np.random.default_rng(0)
# random values plus every kink the activations have (0, +-0.5, +-1, +-3, 6, the threshold 20)
KINKS = np.array([0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, 20.0, 0.1, -2.0])
BASE = np.concatenate([rng.standard_normal(24) * 3, KINKS]).reshape(4, 9)
EXTREME = np.array([[-1e4, -100.0, -30.0, -1e-8], [1e-8, 30.0, 100.0, 1e4]])


def F(lib):
    return lib.nn.functional


# name -> fn(lib, x); every case runs on BASE and EXTREME in float32 and float64
CASES = {
    "relu": lambda lib, x: F(lib).relu(x),
    "relu6": lambda lib, x: F(lib).relu6(x),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x),
    "leaky_relu_0.2": lambda lib, x: F(lib).leaky_relu(x, 0.2),
    "elu": lambda lib, x: F(lib).elu(x),
    "elu_0.5": lambda lib, x: F(lib).elu(x, alpha=0.5),
    "selu": lambda lib, x: F(lib).selu(x),
    "celu": lambda lib, x: F(lib).celu(x),
    "celu_2": lambda lib, x: F(lib).celu(x, 2.0),
    "gelu": lambda lib, x: F(lib).gelu(x),
    "gelu_tanh": lambda lib, x: F(lib).gelu(x, approximate="tanh"),
    "silu": lambda lib, x: F(lib).silu(x),
    "mish": lambda lib, x: F(lib).mish(x),
    "sigmoid": lambda lib, x: F(lib).sigmoid(x),
    "tanh": lambda lib, x: F(lib).tanh(x),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x),
    "hardtanh_-2_3": lambda lib, x: F(lib).hardtanh(x, -2.0, 3.0),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x),
    "hardswish": lambda lib, x: F(lib).hardswish(x),
    "softplus": lambda lib, x: F(lib).softplus(x),
    "softplus_beta": lambda lib, x: F(lib).softplus(x, beta=2.0, threshold=5.0),
    "softsign": lambda lib, x: F(lib).softsign(x),
    "softmax": lambda lib, x: F(lib).softmax(x, dim=1),
    "softmax_0": lambda lib, x: F(lib).softmax(x, 0),
    "log_softmax": lambda lib, x: F(lib).log_softmax(x, dim=1),
    "softmin": lambda lib, x: F(lib).softmin(x, dim=1),
    "softmax_dtype": lambda lib, x: F(lib).softmax(x, 1, dtype=lib.float64),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.1, 20.0),
    "threshold_0": lambda lib, x: F(lib).threshold(x, 0.0, -1.0),
    "glu": lambda lib, x: F(lib).glu(x[:, :8]),
    "glu_0": lambda lib, x: F(lib).glu(x, 0),
    "logsigmoid": lambda lib, x: F(lib).logsigmoid(x),
    "tanhshrink": lambda lib, x: F(lib).tanhshrink(x),
    "softshrink": lambda lib, x: F(lib).softshrink(x),
    "softshrink_1": lambda lib, x: F(lib).softshrink(x, 1.0),
    "hardshrink": lambda lib, x: F(lib).hardshrink(x),
    "hardshrink_1": lambda lib, x: F(lib).hardshrink(x, 1.0),
    "rrelu_eval": lambda lib, x: F(lib).rrelu(x),
    "prelu_1": lambda lib, x: F(lib).prelu(x, lib.tensor([0.25], dtype=x.dtype)),
}
# cases whose float32 gradient at the extremes differs in the last bits (torch's own
# formulas lose precision there too): compared with a looser tolerance
LOOSE = {"mish", "gelu", "gelu_tanh", "softplus_beta", "silu", "logsigmoid", "tanhshrink"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CASES)
def test_against_torch(name, dtype):
    fn = CASES[name]
    tol = dict(rtol=1e-4, atol=1e-5, grad_rtol=1e-3, grad_atol=1e-4) \
        if dtype == np.float32 and name in LOOSE else {}
    compare(fn, BASE.astype(dtype), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("glu")])
def test_extreme_values(name, dtype):
    """Huge and tiny inputs: finite where torch is finite, the same gradients."""
    compare(CASES[name], EXTREME.astype(dtype), rtol=1e-4, atol=1e-5, grad_rtol=1e-3,
            grad_atol=1e-4)


@pytest.mark.parametrize("name", [n for n in CASES if n != "softmax_dtype"])
def test_gradcheck(name):
    x = rng.standard_normal((4, 4)) * 2
    x[np.abs(x) < 0.05] += 0.2  # finite differences need distance from the kinks
    for k in (0.5, 1.0, 3.0, 0.1, 2.0, 6.0):
        x[np.abs(np.abs(x) - k) < 1e-3] += 0.01
    gradcheck_fd(CASES[name], x)


def test_prelu_per_channel_and_weight_grad():
    x = rng.standard_normal((2, 3, 4))
    w = np.array([0.1, -0.5, 2.0])
    for dtype in (np.float32, np.float64):
        compare(lambda lib, x, w: F(lib).prelu(x, w), x.astype(dtype), w.astype(dtype))
    compare(lambda lib, x, w: F(lib).prelu(x, w), np.array([-1.0, 0.0, 2.0]), np.array([0.3]))
    gradcheck_fd(lambda lib, x, w: F(lib).prelu(x, w), x + 0.01, w)


def test_rrelu_training_slopes_in_range():
    x = gradstep.tensor(-np.ones(1000, dtype=np.float32), requires_grad=True)
    y = F(gradstep).rrelu(x, 0.1, 0.3, training=True)
    assert y.grad_fn.name() == "RreluWithNoiseBackward0"
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "silu",
                                  "mish", "hardsigmoid", "hardswish", "hardtanh", "threshold",
                                  "rrelu"])
def test_inplace_argument(name):
    """``inplace=True`` writes into the input, returns it, and keeps torch's gradient."""
    def fn(lib, x):
        y = x * 1
        f = getattr(F(lib), name)
        out = f(y, 0.1, 2.0, inplace=True) if name == "threshold" else f(y, inplace=True)
        assert out is y
        return y
    out, ref = compare(fn, BASE)
    assert out.grad_fn.name() == ref.grad_fn.name()


@pytest.mark.parametrize("name,args", [("relu_", ()), ("elu_", (0.5,)), ("selu_", ()),
                                       ("celu_", (1.5,)), ("leaky_relu_", (0.1,)),
                                       ("hardtanh_", (-0.5, 2.0)), ("threshold_", (0.2, 3.0)),
                                       ("rrelu_", ())])
def test_functional_inplace(name, args):
    def fn(lib, x):
        y = x * 2
        assert getattr(F(lib), name)(y, *args) is y
        return y
    out, ref = compare(fn, BASE)
    assert out.grad_fn.name() == ref.grad_fn.name()


def test_inplace_on_leaf_errors_like_torch():
    for lib in (gradstep, torch):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            F(lib).relu(lib.ones(3, requires_grad=True), inplace=True)


def test_grad_fn_names():
    for name, fn in CASES.items():
        g = fn(gradstep, gradstep.tensor(BASE, requires_grad=True))
        t = fn(torch, torch.tensor(BASE, requires_grad=True))
        assert g.grad_fn.name() == t.grad_fn.name(), name


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "softplus", "elu", "celu",
                                  "logsigmoid", "hardswish", "glu", "mish", "softmax",
                                  "log_softmax", "tanhshrink"])
def test_double_backward(name):
    """create_graph=True: the gradient of the gradient matches torch's."""
    fn = CASES[name]

    def second(lib, x):
        y = fn(lib, x)
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        return (g * g).sum()
    compare(second, BASE + 0.01)


INT_INPUT = np.array([[1, -2, 0, 3]])


@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "threshold", "sigmoid", "tanh",
                                  "elu", "gelu", "silu", "leaky_relu", "softplus", "mish",
                                  "hardsigmoid", "hardswish", "selu", "celu", "softshrink",
                                  "hardshrink", "logsigmoid", "log_softmax", "softmax"])
def test_integer_inputs(name):
    """Integer tensors: torch's result dtype, or its NotImplementedError text."""
    fn = CASES[name]
    results = []
    for lib in (gradstep, torch):
        try:
            results.append(fn(lib, lib.tensor(INT_INPUT)))
        except (RuntimeError, NotImplementedError) as e:
            results.append(e)
    g, t = results
    if isinstance(t, Exception):
        assert type(g) is type(t) and str(g) == str(t), (g, t)
    else:
        assert_same(g, t)


ERRORS = [
    ("glu odd", lambda lib: F(lib).glu(lib.ones(4, 3))),
    ("glu scalar", lambda lib: F(lib).glu(lib.tensor(1.0))),
    ("hardtanh bounds", lambda lib: F(lib).hardtanh(lib.ones(3), 2.0, 1.0)),
    ("gelu approximate", lambda lib: F(lib).gelu(lib.ones(3), approximate="foo")),
    ("prelu count", lambda lib: F(lib).prelu(lib.ones(4, 3), lib.ones(2))),
    ("prelu 1d", lambda lib: F(lib).prelu(lib.ones(3), lib.ones(3))),
    ("softshrink negative", lambda lib: F(lib).softshrink(lib.ones(3), -1.0)),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn):
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(type(expected.value), match=re.escape(str(expected.value))):
        fn(gradstep)


@pytest.mark.parametrize("fname,shape", [("softmax", (3,)), ("softmax", (2, 3)),
                                         ("log_softmax", (2, 3, 4)), ("softmin", (2, 3, 4, 5)),
                                         ("softmax", ())])
def test_implicit_dim_warning(fname, shape):
    x = rng.standard_normal(shape)
    out = []
    for lib in (gradstep, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out.append(getattr(F(lib), fname)(lib.tensor(x)))
        assert [str(m.message) for m in w] == [
            f"Implicit dimension choice for {fname} has been deprecated. Change the call to "
            "include dim=X as an argument."]
        assert w[0].category is UserWarning
    assert_same(*out)


# ----- modules -----

MODULES = [
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU(True), lambda nn: nn.ReLU6(),
    lambda nn: nn.ReLU6(inplace=True), lambda nn: nn.LeakyReLU(),
    lambda nn: nn.LeakyReLU(0.2, True), lambda nn: nn.PReLU(), lambda nn: nn.PReLU(4, 0.1),
    lambda nn: nn.ELU(), lambda nn: nn.ELU(0.5, True), lambda nn: nn.SELU(),
    lambda nn: nn.SELU(True), lambda nn: nn.CELU(), lambda nn: nn.CELU(2.0, True),
    lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(),
    lambda nn: nn.SiLU(True), lambda nn: nn.Mish(), lambda nn: nn.Mish(True),
    lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(), lambda nn: nn.Hardtanh(),
    lambda nn: nn.Hardtanh(-2, 3, True), lambda nn: nn.Hardsigmoid(),
    lambda nn: nn.Hardsigmoid(True), lambda nn: nn.Hardswish(), lambda nn: nn.Hardswish(True),
    lambda nn: nn.Softplus(), lambda nn: nn.Softplus(2, 10), lambda nn: nn.Softsign(),
    lambda nn: nn.Softmax(1), lambda nn: nn.Softmax(dim=-1), lambda nn: nn.LogSoftmax(1),
    lambda nn: nn.Softmin(1), lambda nn: nn.Softmax2d(), lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Threshold(0.1, 20.0, True), lambda nn: nn.GLU(), lambda nn: nn.GLU(1),
    lambda nn: nn.LogSigmoid(), lambda nn: nn.Tanhshrink(), lambda nn: nn.Softshrink(),
    lambda nn: nn.Softshrink(1), lambda nn: nn.Hardshrink(), lambda nn: nn.Hardshrink(2),
    lambda nn: nn.RReLU(), lambda nn: nn.RReLU(0.1, 0.3, True),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_module_repr_and_forward(i):
    make = MODULES[i]
    g_mod, t_mod = make(gradstep.nn), make(torch.nn)
    assert repr(g_mod) == repr(t_mod)
    assert list(g_mod.state_dict()) == list(t_mod.state_dict())
    x = rng.standard_normal((2, 4, 3, 4))
    for dtype in (np.float32, np.float64):
        g_mod, t_mod = make(gradstep.nn), make(torch.nn)
        g_mod.to(getattr(gradstep, np.dtype(dtype).name)).eval()
        t_mod.to(getattr(torch, np.dtype(dtype).name)).eval()

        def fn(lib, x):
            return (g_mod if lib is gradstep else t_mod)(x * 1)
        compare(fn, x.astype(dtype))
    for (name, gp), (_, tp) in zip(g_mod.named_parameters(), t_mod.named_parameters()):
        assert_same(gp.grad, tp.grad, what=name)


def test_prelu_module_default_init():
    m = gradstep.nn.PReLU(4)
    assert m.weight.shape == (4,) and m.weight.requires_grad
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.full(4, 0.25, np.float32))


def test_softmax2d_rejects_2d():
    for lib in (torch, gradstep):
        with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
            lib.nn.Softmax2d()(lib.ones(2, 3))
