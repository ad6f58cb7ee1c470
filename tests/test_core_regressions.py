"""Core behaviours pinned against torch: no NumPy floating-point warnings where torch is silent
(even under ``warnings.simplefilter("error")``), and the optimizer repr."""
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same

BIG = [1e30, -1e30, 0., float("inf"), float("nan"), -0., 3e38, 2.]


def T(L, values=BIG, dtype="float32", rg=False):
    return L.tensor(values, dtype=getattr(L, dtype), requires_grad=rg)


# each case runs on gradstep and torch under simplefilter("error"): both silent, same values
SILENT = {
    "vector_norm": lambda L: L.linalg.vector_norm(T(L)),
    "norm_dim": lambda L: T(L, [BIG]).norm(2, 1),
    "linalg_norm": lambda L: L.linalg.norm(T(L, [BIG])),
    "mul_overflow": lambda L: T(L) * 1e30,
    "mul_tensors": lambda L: T(L) * T(L),
    "mul_": lambda L: T(L).mul_(1e30),
    "imul": lambda L: T(L).__imul__(1e30),
    "div_zero": lambda L: T(L) / 0,
    "div_zero_tensor": lambda L: T(L) / L.zeros(8),
    "div_": lambda L: T(L).div_(0),
    "add_inf": lambda L: T(L).add_(float("-inf")),
    "sub_inf": lambda L: T(L) - T(L),
    "log": lambda L: T(L).log(),
    "log_": lambda L: T(L).log_(),
    "sqrt": lambda L: T(L).sqrt(),
    "rsqrt": lambda L: T(L).rsqrt(),
    "exp": lambda L: T(L).exp(),
    "exp_": lambda L: T(L).exp_(),
    "pow": lambda L: T(L) ** 2,
    "pow_": lambda L: T(L).pow_(2),
    "reciprocal_": lambda L: T(L).reciprocal_(),
    "sigmoid": lambda L: T(L).sigmoid(),
    "sinh": lambda L: T(L).sinh(),
    "sin_inf": lambda L: T(L).sin(),
    "acos": lambda L: T(L).acos(),
    "log1p": lambda L: T(L, [-2., -1.]).log1p(),
    "frac": lambda L: T(L).frac(),
    "prod": lambda L: T(L, [1e30, 1e30]).prod(),
    "cumprod": lambda L: T(L, [1e30, 1e30]).cumprod(0),
    "sum_half": lambda L: T(L, [60000., 60000.], "float16").sum(),
    "mul_half": lambda L: T(L, [60000.], "float16") * 2,
    "mean_empty": lambda L: T(L, []).mean(),
    "softmax": lambda L: T(L).softmax(0),
    "logsumexp": lambda L: T(L).logsumexp(0),
    "matmul": lambda L: T(L, [BIG]) @ T(L, [BIG]).t(),
    "mv": lambda L: L.mv(T(L, [BIG]), T(L)),
    "dot": lambda L: L.dot(T(L), T(L)),
    "einsum": lambda L: L.einsum("i,i->", T(L), T(L)),
    "addmm": lambda L: L.addmm(T(L, [[1e38]]), T(L, [[1e38]]), T(L, [[1e38]])),
    "outer": lambda L: L.outer(T(L), T(L)),
    "addcdiv_": lambda L: T(L).addcdiv_(T(L), L.zeros(8)),
    "addcmul_": lambda L: T(L).addcmul_(T(L), T(L)),
    "lerp": lambda L: L.lerp(T(L), T(L) * 3, 0.3),
    "remainder": lambda L: T(L) % 0,
    "fmod": lambda L: L.fmod(T(L), 0.),
    "int_div_zero": lambda L: L.tensor([1, 2]) / 0,
    "cast_to_int": lambda L: T(L, [1., 2.5]).to(L.int64),
    "cast_down": lambda L: T(L, [1e300], "float64").float(),
    "isclose": lambda L: L.isclose(T(L), T(L)),
    "allclose": lambda L: L.tensor(L.allclose(T(L), T(L))),
    "setitem_tensor": lambda L: _setitem(L.zeros(2), T(L, [1e300], "float64")),
    "tensor_overflow": lambda L: L.tensor([1e300]),
}


def _setitem(t, v):
    t[0] = v[0]
    return t


@pytest.mark.parametrize("case", sorted(SILENT))
def test_no_floating_point_warnings(case):
    out = []
    for lib in (gradstep, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out.append(SILENT[case](lib))
    assert_same(out[0], out[1], rtol=1e-6, atol=0)


BACKWARD = {
    "div": lambda L, x: (x / L.zeros(7)).sum(),
    "sqrt": lambda L, x: x.sqrt().sum(),
    "log": lambda L, x: x.log().sum(),
    "norm": lambda L, x: x.norm(),
    "pow_half": lambda L, x: (x ** 0.5).sum(),
    "exp": lambda L, x: x.exp().sum(),
}


@pytest.mark.parametrize("case", sorted(BACKWARD))
def test_no_floating_point_warnings_in_backward(case):
    grads = []
    for lib in (gradstep, torch):
        x = T(lib, [v for v in BIG if str(v) != "-0.0"], rg=True)  # (-0.0: pow's sign differs)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            BACKWARD[case](lib, x).backward()
        grads.append(x.grad)
    assert_same(grads[0], grads[1], rtol=1e-6, atol=0)


def test_user_numpy_error_state_untouched():
    before = np.geterr()
    with np.errstate(over="raise"):
        (gradstep.tensor([1e30]) * 1e30).sum()  # silent inside gradstep
        with pytest.raises(FloatingPointError):
            np.array([1e30], np.float32) * np.float32(1e30)  # the user's state still applies
    assert np.geterr() == before


# ----- optimizer repr ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_optimizer_repr_two_groups(name):
    reprs = []
    for lib in (gradstep, torch):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        opt = getattr(lib.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.1}], lr=0.01)
        reprs.append(repr(opt))
    assert reprs[0] == reprs[1]
    assert "\n\nParameter Group 1\n" in reprs[0]


@pytest.mark.parametrize("convert", ["float", "double", "half"])
def test_backward_through_a_dtype_cast_of_a_0d_tensor(convert):
    # the gradient of a 0-d op reaches ToCopy's backward as a NumPy scalar, not an array
    grads = []
    for L in (gradstep, torch):
        x = L.tensor(0.5, dtype=L.float64, requires_grad=True)
        (getattr(x, convert)() * 2).backward()
        grads.append(x.grad)
    assert_same(*grads)
