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


# ----- out's dtype -----
# Three rules, as torch has them: arithmetic and float functions cast the result into out where
# the cast keeps its kind or widens it (no float into an integer out, nothing but bool into a bool
# out); ops that keep their input's dtype (neg, abs, rounding, clamp with number bounds) want out
# in exactly that dtype; where wants it too, in its own words.

OUT_DTYPE_OPS = {
    # name: (fn(lib, x, out), input dtypes)
    "add": (lambda L, x, out: L.add(x, x, out=out), "fib"),
    "add_number": (lambda L, x, out: L.add(x, 1, out=out), "fib"),
    "sub_number": (lambda L, x, out: L.sub(x, 1, out=out), "fi"),
    "mul": (lambda L, x, out: L.mul(x, x, out=out), "fib"),
    "div": (lambda L, x, out: L.div(x, 2, out=out), "fib"),
    "div_floor": (lambda L, x, out: L.div(x, 2, rounding_mode="floor", out=out), "fi"),
    "floor_divide": (lambda L, x, out: L.floor_divide(x, 2, out=out), "fi"),
    "remainder": (lambda L, x, out: L.remainder(x, 2, out=out), "fi"),
    "fmod": (lambda L, x, out: L.fmod(x, 2, out=out), "fi"),
    "pow": (lambda L, x, out: L.pow(x, 2, out=out), "fib"),
    "pow_tensor": (lambda L, x, out: L.pow(x, x, out=out), "fi"),
    "reciprocal": (lambda L, x, out: L.reciprocal(x, out=out), "fib"),
    "addcmul": (lambda L, x, out: L.addcmul(x, x, x, out=out), "fi"),
    "lerp": (lambda L, x, out: L.lerp(x, x, 0.5, out=out), "f"),
    "neg": (lambda L, x, out: L.neg(x, out=out), "fi"),
    "exp": (lambda L, x, out: L.exp(x, out=out), "fib"),
    "sigmoid": (lambda L, x, out: L.sigmoid(x, out=out), "fib"),
    "square": (lambda L, x, out: L.square(x, out=out), "fib"),
    "logit": (lambda L, x, out: L.logit(x, out=out), "fib"),
    "abs": (lambda L, x, out: L.abs(x, out=out), "fi"),
    "sign": (lambda L, x, out: L.sign(x, out=out), "fib"),
    "floor": (lambda L, x, out: L.floor(x, out=out), "fi"),
    "round": (lambda L, x, out: L.round(x, out=out), "fi"),
    "round_decimals": (lambda L, x, out: L.round(x, decimals=1, out=out), "f"),
    "frac": (lambda L, x, out: L.frac(x, out=out), "f"),
    "clamp_number": (lambda L, x, out: L.clamp(x, 0, out=out), "fib"),
    "clamp_min_number": (lambda L, x, out: L.clamp_min(x, 0, out=out), "fib"),
    "clamp_tensor": (lambda L, x, out: L.clamp(x, x, out=out), "fib"),
    "maximum": (lambda L, x, out: L.maximum(x, x, out=out), "fib"),
    "atan2": (lambda L, x, out: L.atan2(x, x, out=out), "fib"),
    "where": (lambda L, x, out: L.where(x > 1, x, x, out=out), "fib"),
}
_INPUTS = {"f": np.array([1.5, 2.5], np.float32), "i": np.array([1, 2], np.int64),
           "b": np.array([True, False])}


@pytest.mark.parametrize("name", sorted(OUT_DTYPE_OPS))
def test_out_dtype_rules_match_torch(name):
    fn, kinds = OUT_DTYPE_OPS[name]
    for kind in kinds:
        for out_dtype in ("float64", "float16", "int64", "int8", "bool"):
            outcomes = []
            for lib in (gradstep, torch):
                try:
                    outcomes.append(fn(lib, lib.tensor(_INPUTS[kind]),
                                       lib.empty(2, dtype=getattr(lib, out_dtype))))
                except RuntimeError as error:
                    outcomes.append(str(error))
            g, t = outcomes
            if isinstance(t, str):
                assert g == t, (kind, out_dtype)
            else:
                assert not isinstance(g, str), (kind, out_dtype, g)
                # (a float32 result an ulp apart from torch's, held in a float64 out)
                assert_same(g, t, rtol=1e-6, atol=0, what=f"{kind} into {out_dtype}")


def test_out_of_another_shape_is_resized_after_the_dtype_check():
    for lib in (gradstep, torch):
        out = lib.empty(3, dtype=lib.float64)
        lib.add(lib.tensor([1.5, 2.5]), 1, out=out)
        assert tuple(out.shape) == (2,) and out.tolist() == [2.5, 3.5]
    messages = []
    for lib in (gradstep, torch):
        with pytest.raises(RuntimeError) as info:
            lib.add(lib.tensor([1.5, 2.5]), 1, out=lib.empty(3, dtype=lib.int64))
        messages.append(str(info.value))
    assert messages[0] == messages[1] == ("result type Float can't be cast to the desired output "
                                          "type Long")


@pytest.mark.parametrize("call", [
    lambda L, c, x, out: L.where(c, x, 1., out=out),
    lambda L, c, x, out: L.where(c, 1., x, out=out),
    lambda L, c, x, out: L.where(c, 1., 0., out=out),
], ids=["other", "input", "both"])
def test_where_with_out_takes_tensors_only(call):
    messages = []
    for lib in (gradstep, torch):
        x = lib.tensor([1.5, 2.5])
        with pytest.raises(TypeError) as info:
            call(lib, x > 2, x, lib.empty(2))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


_INDEX_OUT = {
    "gather": lambda L, x, i, o: L.gather(x, 1, i, out=o),
    "index_select": lambda L, x, i, o: L.index_select(x, 1, i[0], out=o),
}


@pytest.mark.parametrize("out_dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("name", sorted(_INDEX_OUT))
def test_gather_and_index_select_write_out(name, out_dtype):
    from _outcome import assert_same_outcome

    def run(L):
        x = L.tensor([[1., 2., 3.]])
        o = L.zeros(1, 2, dtype=getattr(L, out_dtype))
        result = _INDEX_OUT[name](L, x, L.tensor([[2, 0]]), o)
        return result, o
    assert_same_outcome(run)


@pytest.mark.parametrize("name", sorted(_INDEX_OUT))
def test_gather_and_index_select_out_refused_while_recording(name):
    from _outcome import assert_same_outcome
    assert_same_outcome(lambda L: _INDEX_OUT[name](
        L, L.tensor([[1., 2., 3.]], requires_grad=True), L.tensor([[2, 0]]), L.zeros(1, 2)))
