"""Hypothesis-generated shapes: binary ops broadcast, and unary ops and reductions take any shape,
exactly as torch does (values, dtypes and every input's gradient)."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from _compare import compare

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / (b * b + 0.5),
    "pow": lambda L, a, b: (a * a + 0.5) ** b,
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "atan2": lambda L, a, b: L.atan2(a, b),
    "where": lambda L, a, b: L.where(a > b, a, b),
    "lerp": lambda L, a, b: L.lerp(a, b, 0.25),
    "mixed": lambda L, a, b: (a * b - a / (1 + b * b)).tanh(),
}

UNARY = {
    "exp": lambda L, a: L.exp(a),
    "tanh": lambda L, a: L.tanh(a),
    "sigmoid": lambda L, a: L.sigmoid(a),
    "relu": lambda L, a: L.relu(a),
    "abs": lambda L, a: L.abs(a),
    "sum": lambda L, a: a.sum(),
    "mean_last": lambda L, a: a.mean(-1) if a.ndim else a.mean(),
    "softmax_last": lambda L, a: L.softmax(a, dim=-1),
    "logsumexp_first": lambda L, a: L.logsumexp(a, dim=0),
    "amax_last": lambda L, a: a.amax(-1) if a.ndim else a.amax(),
}

# shapes up to 4-D with sizes in 0..3 that broadcast together (hypothesis picks which dims are 1)
shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1,
                                           max_side=3)
floats = st.floats(-3, 3, width=32)


def _arrays(data, shape):
    return data.draw(hnp.arrays(np.float32, shape, elements=floats))


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shapes=shapes, data=st.data())
def test_binary_broadcasting(name, shapes, data):
    a_shape, b_shape = shapes.input_shapes
    compare(BINARY[name], _arrays(data, a_shape), _arrays(data, b_shape), rtol=1e-5, atol=1e-5,
            grad_rtol=1e-4, grad_atol=1e-4)


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), data=st.data())
def test_unary_any_shape(name, shape, data):
    compare(UNARY[name], _arrays(data, shape), rtol=1e-5, atol=1e-5, grad_rtol=1e-4,
            grad_atol=1e-4)
