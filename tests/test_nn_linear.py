"""Linear, Bilinear, LazyLinear, Identity, Flatten, Unflatten against torch."""
import math
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd
from _modules import compare_module, copy_weights

DTYPES = [np.float32, np.float64]


def F(lib):
    return lib.nn.functional


def rand(*shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ----- F.linear -----

# (input shape, weight shape, bias shape or None)
LINEAR_CASES = [
    ((3,), (4, 3), (4,)),
    ((3,), (4, 3), None),
    ((2, 3), (4, 3), (4,)),
    ((2, 3), (4, 3), None),
    ((2, 5, 3), (4, 3), (4,)),
    ((2, 5, 3), (4, 3), None),
    ((2, 2, 5, 3), (4, 3), (4,)),
    ((0, 3), (4, 3), (4,)),
    ((2, 0, 3), (4, 3), None),
    ((2, 3), (0, 3), (0,)),
    ((2, 0), (4, 0), (4,)),
    ((2, 5, 3), (4, 3), (5, 4)),   # a bias broadcast over the output
    ((2, 3), (4, 3), ()),          # a 0-dim bias
    ((2, 3), (3,), None),          # a 1-D weight: a matrix-vector product
    ((1, 3), (4, 3), (4,)),        # a batch of one: the bias gradient is that row
    ((64, 3), (4, 3), (4,)),       # many rows to sum for the bias gradient
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xs,ws,bs", LINEAR_CASES)
def test_linear_matches_torch(xs, ws, bs, dtype):
    arrays = [rand(*xs, dtype=dtype), rand(*ws, dtype=dtype, seed=1)]
    if bs is None:
        g, t = compare(lambda lib, x, w: F(lib).linear(x, w), *arrays)
    else:
        arrays.append(rand(*bs, dtype=dtype, seed=2))
        g, t = compare(lambda lib, x, w, b: F(lib).linear(x, w, b), *arrays)
    assert g.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("xs,ws,bs", [c for c in LINEAR_CASES if 0 not in c[0] + c[1]][:8])
def test_linear_gradcheck(xs, ws, bs):
    arrays = [rand(*xs), rand(*ws, seed=1)] + ([] if bs is None else [rand(*bs, seed=2)])
    gradcheck_fd(lambda lib, *a: F(lib).linear(*a), *arrays)


def test_linear_double_backward():
    def fn(lib, x, w, b):
        y = F(lib).linear(x, w, b)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx * gx).sum() + (gw ** 3).sum()
    compare(fn, rand(2, 5, 3), rand(4, 3, seed=1), rand(4, seed=2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_non_contiguous_upstream_gradient(dtype):
    # the transpose hands linear's backward a non-contiguous gradient
    compare(lambda lib, x, w, b: F(lib).linear(x, w, b).t(), rand(6, 3, dtype=dtype),
            rand(4, 3, dtype=dtype, seed=1), rand(4, dtype=dtype, seed=2))


def test_linear_integer():
    compare(lambda lib, x, w: F(lib).linear(x, w), np.arange(6).reshape(2, 3),
            np.arange(12).reshape(4, 3))


LINEAR_ERRORS = [
    (lambda lib: F(lib).linear(lib.randn(2, 3), lib.randn(4, 5)), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(3), lib.randn(4, 5)), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(2, 2, 3), lib.randn(4, 5)), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(2, 3), lib.randn(4, 3), lib.randn(5)), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(3), lib.randn(4, 3), lib.randn(5)), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(2, 3).double(), lib.randn(4, 3)), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(2, 3), lib.randn(4, 3).double()), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(2, 3), lib.randn(4, 3), lib.randn(4).double()),
     RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(2, 3), lib.randn(3), lib.randn(())), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(()), lib.randn(4, 3)), RuntimeError),
    (lambda lib: F(lib).linear(lib.randn(2, 3), lib.randn(4, 3), lib.randn(5, 2, 4)),
     RuntimeError),
    (lambda lib: F(lib).bilinear(lib.randn(2, 3), lib.randn(2, 4), lib.randn(5, 3, 5)),
     RuntimeError),
    (lambda lib: F(lib).bilinear(lib.randn(2, 3), lib.randn(2, 4), lib.randn(5, 4, 4)),
     RuntimeError),
    (lambda lib: F(lib).bilinear(lib.randn(2, 3), lib.randn(3, 4), lib.randn(5, 3, 4)),
     RuntimeError),
    (lambda lib: F(lib).bilinear(lib.randn(2, 3), lib.randn(4), lib.randn(5, 3, 4)),
     RuntimeError),
    (lambda lib: F(lib).bilinear(lib.randn(2, 3), lib.randn(2, 4), lib.randn(5, 3, 4),
                                 lib.randn(4)), RuntimeError),
    (lambda lib: lib.nn.Unflatten(1, [2.0, 3]), TypeError),
    (lambda lib: lib.nn.Unflatten(1, 3), TypeError),
]


@pytest.mark.parametrize("i", range(len(LINEAR_ERRORS)))
def test_errors_match_torch(i):
    fn, exc = LINEAR_ERRORS[i]
    with pytest.raises(exc) as expected:
        fn(torch)
    with pytest.raises(exc, match=re.escape(str(expected.value))):
        fn(gradstep)


# ----- F.bilinear -----

BILINEAR_CASES = [((2, 3), (2, 4), True), ((2, 3), (2, 4), False), ((3,), (4,), True),
                  ((2, 5, 3), (2, 5, 4), True), ((0, 3), (0, 4), True)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("s1,s2,bias", BILINEAR_CASES)
def test_bilinear_matches_torch(s1, s2, bias, dtype):
    arrays = [rand(*s1, dtype=dtype), rand(*s2, dtype=dtype, seed=1),
              rand(5, s1[-1], s2[-1], dtype=dtype, seed=2)]
    if bias:
        arrays.append(rand(5, dtype=dtype, seed=3))
    g, t = compare(lambda lib, *a: F(lib).bilinear(*a), *arrays)
    assert g.grad_fn.name() == t.grad_fn.name()


def test_bilinear_gradcheck():
    gradcheck_fd(lambda lib, *a: F(lib).bilinear(*a), rand(2, 3), rand(2, 2, seed=1),
                 rand(2, 3, 2, seed=2), rand(2, seed=3))


# ----- modules -----

MODULES = [
    (lambda lib: lib.nn.Linear(3, 4), [(2, 3)]),
    (lambda lib: lib.nn.Linear(3, 4, bias=False), [(2, 5, 3)]),
    (lambda lib: lib.nn.Linear(3, 1), [(3,)]),
    (lambda lib: lib.nn.Bilinear(3, 2, 4), [(5, 3), (5, 2)]),
    (lambda lib: lib.nn.Bilinear(3, 2, 4, bias=False), [(5, 3), (5, 2)]),
    (lambda lib: lib.nn.Identity(54, unused="x"), [(2, 3)]),
    (lambda lib: lib.nn.Flatten(), [(2, 3, 4, 5)]),
    (lambda lib: lib.nn.Flatten(0, 2), [(2, 3, 4, 5)]),
    (lambda lib: lib.nn.Unflatten(1, (2, 3)), [(4, 6)]),
    (lambda lib: lib.nn.Unflatten(-1, [2, -1]), [(4, 6)]),
    (lambda lib: lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(12, 5),
                                   lib.nn.Unflatten(1, (5, 1))), [(2, 3, 4)]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("i", range(len(MODULES)))
def test_modules_match_torch(i, dtype):
    make, shapes = MODULES[i]
    compare_module(make, *[rand(*s, seed=k) for k, s in enumerate(shapes)], dtype=dtype)


def test_linear_default_init_scheme():
    gradstep.manual_seed(0)
    m = gradstep.nn.Linear(400, 300)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) and the bias share it
    for a in (w, b):
        assert np.abs(a).max() <= bound
        assert np.abs(a).max() > 0.97 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert m.weight.dtype == gradstep.float32 and m.weight.requires_grad


def test_bilinear_default_init_scheme():
    gradstep.manual_seed(0)
    m = gradstep.nn.Bilinear(16, 20, 30)
    bound = 1 / math.sqrt(16)
    assert np.abs(m.weight.detach().numpy()).max() <= bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    assert np.abs(m.weight.detach().numpy()).max() > 0.97 * bound


def test_linear_dtype_and_empty_features():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        m = gradstep.nn.Linear(0, 3, dtype=gradstep.float64)
    assert m.weight.shape == (3, 0) and m.weight.dtype == gradstep.float64
    assert (m.bias.detach().numpy() == 0).all()  # fan_in 0: bound 0, as torch


def test_lazy_linear_materialises_on_first_forward():
    x = rand(2, 7, dtype=np.float32)
    mods = {}
    for lib in (gradstep, torch):
        m = lib.nn.LazyLinear(4)
        assert repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"
        assert repr(m.weight) == "<UninitializedParameter>"
        assert m.has_uninitialized_params()
        out = m(lib.tensor(x))
        assert tuple(out.shape) == (2, 4)
        assert type(m).__name__ == "Linear" and m.in_features == 7
        assert repr(m) == "Linear(in_features=7, out_features=4, bias=True)"
        mods[lib] = m
    assert list(mods[gradstep].state_dict()) == list(mods[torch].state_dict())
    bound = 1 / math.sqrt(7)
    assert np.abs(mods[gradstep].weight.detach().numpy()).max() <= bound
    copy_weights(mods[gradstep], mods[torch])
    compare_module(lambda lib: mods[lib], x, check_repr=True)


def test_lazy_linear_parameter_identity_and_no_bias():
    m = gradstep.nn.LazyLinear(3, bias=False)
    w = m.weight
    m(gradstep.randn(5, 2))
    assert m.weight is w and type(w) is gradstep.nn.Parameter
    assert w.shape == (3, 2) and m.bias is None


def test_lazy_linear_uninitialized_shape_raises():
    for lib in (gradstep, torch):
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
            lib.nn.LazyLinear(3).weight.shape


def test_lazy_linear_loads_a_state_dict():
    t = torch.nn.Linear(5, 3)
    g = gradstep.nn.LazyLinear(3)
    copy_weights(g, t)
    assert type(g).__name__ == "Linear" and g.in_features == 5
    np.testing.assert_array_equal(g.weight.detach().numpy(), t.weight.detach().numpy())


def test_identity_returns_input():
    x = gradstep.randn(3)
    assert gradstep.nn.Identity()(x) is x


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Linear(3, 4),
    lambda lib: lib.nn.Bilinear(3, 2, 4),
    lambda lib: lib.nn.Flatten(),
    lambda lib: lib.nn.Unflatten(1, lib.Size([2, 3])),
])
def test_pickle_round_trip(make):
    import pickle
    m = make(gradstep)
    m2 = pickle.loads(pickle.dumps(m))
    assert repr(m2) == repr(make(torch))
    assert list(m2.state_dict()) == list(m.state_dict())


def test_large_outputs_are_not_overwritten():
    """Large outputs come from a buffer pool: a live output keeps its values while later calls of
    the same shape run, and a released one is safely reused."""
    w, b = rand(200, 16, dtype=np.float32), rand(200, dtype=np.float32)
    xs = [rand(256, 16, dtype=np.float32, seed=k) for k in range(4)]
    outs = {}
    for lib in (gradstep, torch):
        lw, lb = lib.tensor(w), lib.tensor(b)
        y0 = F(lib).linear(lib.tensor(xs[0]), lw, lb)
        y1 = F(lib).linear(lib.tensor(xs[1]), lw, lb)
        view = F(lib).linear(lib.tensor(xs[2]), lw, lb)[10:]
        del y1
        y3 = F(lib).linear(lib.tensor(xs[3]), lw, lb)
        outs[lib] = [y0, view, y3]
    for a, e in zip(outs[gradstep], outs[torch]):
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-5, atol=1e-5)


# (input shape, input dtype, weight dtype, bias dtype: "w" = the weight's, None = no bias);
# without a bias torch reports matmul's error, with one addmm's: the bias against the weight
# first, then the input
LINEAR_DTYPE_MISMATCHES = [
    ((3, 8), "float64", None, None), ((3, 8), "float64", None, "w"),
    ((3, 8), None, None, "float64"), ((3, 8), None, "float64", "float64"),
    ((8,), "float64", None, "w"), ((8,), None, None, "float64"),
    ((4, 3, 8), "float64", None, "w"), ((4, 3, 8), "float64", None, None),
    ((3, 8), "int64", None, "w"), ((3, 8), "float16", None, "w"),
    ((3, 8), "float64", "float64", "float16"), ((4, 3, 8), None, None, "float64"),
]


@pytest.mark.parametrize("shape, x_dtype, w_dtype, b_dtype", LINEAR_DTYPE_MISMATCHES, ids=str)
def test_linear_dtype_mismatch_errors_match_torch(shape, x_dtype, w_dtype, b_dtype):
    from _outcome import assert_same_outcome

    def run(lib):
        def dtype(name):
            return None if name is None else getattr(lib, name)
        x = lib.ones(*shape, dtype=dtype(x_dtype))
        w = lib.ones(2, 8, dtype=dtype(w_dtype))
        b = None if b_dtype is None else lib.ones(2, dtype=w.dtype if b_dtype == "w" else
                                                  dtype(b_dtype))
        return lib.nn.functional.linear(x, w, b)
    assert_same_outcome(run)


def test_learner_passes_float64_numpy_to_linear():
    from _outcome import assert_same_outcome
    assert_same_outcome(lambda lib: lib.nn.Linear(8, 2)(
        lib.from_numpy(np.random.default_rng(0).random((3, 8)))))
