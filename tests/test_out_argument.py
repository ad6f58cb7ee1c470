"""``out=`` and autograd: torch refuses to write a differentiable op's result into ``out=`` while
recording (the result would not join out's history), naming the op; non-differentiable ops,
``no_grad`` and tensors that need no gradient write as usual."""
import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same

M = np.arange(9, dtype=np.float32).reshape(3, 3) / 10
V = np.array([0.5, -1., 2.], np.float32)

CALLS = {
    "mul": lambda lib, x, m, out: lib.mul(x, 2, out=out(3)),
    "add": lambda lib, x, m, out: lib.add(x, x, out=out(3)),
    "true_divide": lambda lib, x, m, out: lib.true_divide(x, 2, out=out(3)),
    "clip": lambda lib, x, m, out: lib.clip(x, 0, 1, out=out(3)),
    "exp": lambda lib, x, m, out: lib.exp(x, out=out(3)),
    "tanh": lambda lib, x, m, out: lib.tanh(x, out=out(3)),
    "sum": lambda lib, x, m, out: lib.sum(m, 0, out=out(3)),
    "matmul": lambda lib, x, m, out: lib.matmul(m, x, out=out(3)),
    "mm": lambda lib, x, m, out: lib.mm(m, m, out=out(3, 3)),
    "addmm": lambda lib, x, m, out: lib.addmm(m, m, m, out=out(3, 3)),
    "cat": lambda lib, x, m, out: lib.cat([x, x], out=out(6)),
    "pow": lambda lib, x, m, out: lib.pow(x, 2, out=out(3)),
    "where": lambda lib, x, m, out: lib.where(x > 0, x, x, out=out(3)),
    "max_dim": lambda lib, x, m, out: lib.max(m, 0, out=(out(3), out(3, dtype=lib.long))),
}
NOT_DIFFERENTIABLE = {
    "eq": lambda lib, x, m, out: lib.eq(x, 1, out=out(3, dtype=lib.bool)),
    "argmax": lambda lib, x, m, out: lib.argmax(m, 0, out=out(3, dtype=lib.long)),
}


def _inputs(lib):
    return (lib.tensor(V, requires_grad=True), lib.tensor(M, requires_grad=True),
            lambda *shape, dtype=None: lib.empty(*shape, dtype=dtype))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_out_with_an_input_that_requires_grad_raises_torch_error(name):
    messages = []
    for lib in (gradstep, torch):
        with pytest.raises(RuntimeError) as info:
            CALLS[name](lib, *_inputs(lib))
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "functions with out=... arguments don't support automatic differentiation" \
        in messages[0]


def test_out_that_requires_grad_raises_too():
    messages = []
    for lib in (gradstep, torch):
        out = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            lib.mul(lib.tensor(V), 2, out=out)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("name", sorted(CALLS) + sorted(NOT_DIFFERENTIABLE))
def test_out_is_written_under_no_grad_and_by_non_differentiable_ops(name):
    def run(lib):
        x, m, out = _inputs(lib)
        call = CALLS.get(name) or NOT_DIFFERENTIABLE[name]
        if name in NOT_DIFFERENTIABLE:
            return call(lib, x, m, out)
        with lib.no_grad():
            return call(lib, x, m, out)
    assert_same(run(gradstep), run(torch))
