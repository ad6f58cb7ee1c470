"""The short recording paths of autograd/_fast_ops.py against torch, and against gradstep's
general path (``Op.apply``) for the same calls.

Most cases run three ways: on torch, on gradstep as it is (the short paths, checked taken), and on
gradstep with an error filter in front of its own, which sends every op to ``Op.apply``.
"""
import warnings

import numpy as np
import pytest
import torch

import gradstep
from gradstep.autograd._fast_ops import ConstantOp, OutputOp, PairOp

from _compare import assert_same, compare, gradcheck_fd

RNG = np.random.default_rng(7)
VEC = RNG.standard_normal(6).astype(np.float32)
MAT = RNG.standard_normal((3, 4)).astype(np.float32)
ROW = RNG.standard_normal(4).astype(np.float32)
POSITIVE = (np.abs(MAT) + 0.5).astype(np.float32)

CONSTANT_CASES = {
    "mul": lambda t: t * 0.75,
    "rmul": lambda t: 3 * t,
    "div": lambda t: t / 1.5,
    "sub": lambda t: t - 0.25,
    "add": lambda t: t + 2,
    "radd": lambda t: -1.5 + t,
    "chain": lambda t: (t * 2.0 - 1) / 3.0 + 0.5,
}
OUTPUT_CASES = {
    "exp": lambda lib, t: lib.exp(t),
    "tanh": lambda lib, t: lib.tanh(t),
    "sigmoid": lambda lib, t: lib.sigmoid(t),
    "sqrt": lambda lib, t: lib.sqrt(t.abs() + 0.1),
    "rsqrt": lambda lib, t: lib.rsqrt(t.abs() + 0.1),
    "exp2": lambda lib, t: lib.exp2(t),
    "expm1": lambda lib, t: lib.expm1(t),
    "tan": lambda lib, t: lib.tan(t * 0.5),
    "method": lambda lib, t: t.exp().tanh().sigmoid(),
}
PAIR_CASES = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "square": lambda a, b: a * a + b * b,
    "mixed": lambda a, b: (a * b + a) / (b - a * 0.5 + 4) - b,
}


def general_path():
    """A context in which every op takes ``Op.apply``: an error filter for RuntimeWarning in
    front of gradstep's (the short paths require gradstep's filter to be in effect)."""
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("error", RuntimeWarning)
    return context


def took_short_path(node):
    # Op.apply gives every node its needs_input_grad; the short paths have no use for it
    return "needs_input_grad" not in vars(node)


@pytest.fixture(params=["short", "general"])
def path(request):
    """Run a test as it is (short paths) and again with every op on the general path."""
    context = general_path() if request.param == "general" else None
    probe = gradstep.ones(2, requires_grad=True)
    for node in ((probe * 2.0).grad_fn, probe.exp().grad_fn, (probe * probe).grad_fn):
        assert took_short_path(node) == (request.param == "short")
    yield request.param
    if context is not None:
        context.__exit__(None, None, None)


@pytest.mark.parametrize("case", sorted(CONSTANT_CASES))
@pytest.mark.parametrize("array", [VEC, MAT, np.float32(0.7), VEC.astype(np.float64)],
                         ids=["vec", "mat", "0-d", "float64"])
def test_constant_ops_match_torch(case, array, path):
    fn = CONSTANT_CASES[case]
    compare(lambda lib, t: fn(t), array)


@pytest.mark.parametrize("case", sorted(OUTPUT_CASES))
@pytest.mark.parametrize("array", [MAT, np.float32(-0.3), MAT.astype(np.float64),
                                   np.arange(6).reshape(2, 3)],
                         ids=["mat", "0-d", "float64", "int64"])
def test_output_ops_match_torch(case, array, path):
    compare(OUTPUT_CASES[case], array)


@pytest.mark.parametrize("case", sorted(PAIR_CASES))
@pytest.mark.parametrize("arrays", [(MAT, MAT[::-1].copy()), (MAT, ROW), (ROW, MAT),
                                    (np.float32(2.0), np.float32(-0.5)),
                                    (MAT.astype(np.float64), POSITIVE.astype(np.float64))],
                         ids=["same", "broadcast-y", "broadcast-x", "0-d", "float64"])
@pytest.mark.parametrize("needs", ["both", "x", "y"])
def test_pair_ops_match_torch(case, arrays, needs, path):
    fn = PAIR_CASES[case]
    results = []
    for lib in (gradstep, torch):
        a = lib.tensor(arrays[0], requires_grad=needs in ("both", "x"))
        b = lib.tensor(arrays[1], requires_grad=needs in ("both", "y"))
        out = fn(a, b)
        out.sum().backward()
        results.append((out, a.grad, b.grad))
    for g, t, what in zip(results[0], results[1], ("output", "grad x", "grad y")):
        assert_same(g, t, what=what)


def test_short_paths_are_taken_here():
    # the cases above test the short paths only while these hold (pytest's filters included)
    x = gradstep.tensor(MAT, requires_grad=True)
    w = gradstep.tensor(ROW, requires_grad=True)
    nodes = {ConstantOp: [x * 2.0, 2.0 * x, x - 1, x / 3, x + 0.5],
             OutputOp: [x.exp(), gradstep.sigmoid(x), x.tanh(), x.abs().sqrt()],
             PairOp: [x * w, x + w, x - w, x / (w * w + 1)]}
    for kind, outputs in nodes.items():
        for out in outputs:
            assert isinstance(out.grad_fn, kind) and took_short_path(out.grad_fn)
    context = general_path()
    try:  # the general path records the same classes: same names, same behaviour
        y = x * 2.0
        assert isinstance(y.grad_fn, ConstantOp) and not took_short_path(y.grad_fn)
        assert y.grad_fn.name() == "MulBackward0"
    finally:
        context.__exit__(None, None, None)


@pytest.mark.parametrize("make", [lambda t: t * 2.0, lambda t: t / 4.0, lambda t: t.exp(),
                                  lambda t: t.tanh(), lambda t: t * t, lambda t: t - 1.0,
                                  lambda t: t + 1.0, lambda t: t + t],
                         ids=["mul", "div", "exp", "tanh", "square", "sub", "add", "add-self"])
def test_second_backward_raises_where_torch_does(make):
    outcomes = []
    for lib in (gradstep, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = make(x).sum()
        y.backward()
        try:
            y.backward()
            outcomes.append(("ok", x.grad.tolist()))
        except RuntimeError as e:
            outcomes.append(("error", str(e)))
    assert outcomes[0] == outcomes[1]


def test_next_functions_and_node_hooks_see_one_entry_per_input():
    seen = []
    for lib in (gradstep, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3.0
        nexts = [None if fn is None else fn.name() for fn, _ in y.grad_fn.next_functions]
        calls = []
        y.grad_fn.register_hook(lambda grads_in, grads_out: calls.append(
            [None if g is None else g.tolist() for g in grads_in]))
        y.sum().backward()
        seen.append((nexts, calls, x.grad.tolist()))
    assert seen[0] == seen[1]


@pytest.mark.parametrize("modify", ["input", "output", "output view"])
def test_inplace_change_of_a_saved_value_raises_torchs_error(modify):
    messages = []
    for lib in (gradstep, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1.0
        b = x + 0.0
        if modify == "input":
            z = a * b
            a.add_(1)
        elif modify == "output":
            z = a.exp()
            z.mul_(2)
        else:
            z = a.tanh()
            z[:1].zero_()
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_second_derivatives_through_the_short_paths_match_torch():
    def fn(lib, x, w):
        y = (x * 3.0 - 1) / 2.0
        z = lib.tanh(y) * w + lib.exp(y * w) / (w * w + 1)
        (g,) = lib.autograd.grad(z.sum(), x, create_graph=True)
        return (g * g).sum()
    compare(fn, VEC, VEC[::-1].copy())


def test_gradients_by_finite_differences():
    gradcheck_fd(lambda lib, x, w: lib.sigmoid(x * 0.5 - w) * lib.exp(w / 3.0) + x * w,
                 VEC, VEC[::-1].copy())


def test_no_grad_records_nothing():
    x = gradstep.tensor(VEC, requires_grad=True)
    with gradstep.no_grad():
        for y in (x * 2.0, x.exp(), x * x, x + x):
            assert not y.requires_grad and y.grad_fn is None


def test_anomaly_mode_names_the_op_of_a_short_path():
    messages = []
    for lib in (gradstep, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's "anomaly detection enabled" and traceback
            with lib.autograd.detect_anomaly():
                y = (x * float("nan")).sum()
                with pytest.raises(RuntimeError) as info:
                    y.backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_floating_point_extremes_stay_silent_on_both_paths():
    x = gradstep.tensor([100.0, 0.0, -1.0], requires_grad=True)

    def run():
        y = x.exp() * 1e38 + x / 0.0 + (x * x).sqrt() / x
        y.sum().backward()
        assert y.grad_fn is not None
        x.grad = None

    with warnings.catch_warnings(record=True) as caught:  # filters kept: the short paths run
        assert isinstance((x * 1.0).grad_fn, ConstantOp)
        run()
    assert caught == []
    context = general_path()  # an error filter: any warning would raise
    try:
        run()
    finally:
        context.__exit__(None, None, None)
