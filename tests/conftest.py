import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _isolate_state():
    """Each test starts with the default dtype and grad mode, whatever the previous one did."""
    import gradstep
    yield
    gradstep.set_default_dtype(gradstep.float32)
    gradstep.set_grad_enabled(True)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
