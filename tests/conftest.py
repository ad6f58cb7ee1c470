import os

# The suite runs in 2 xdist workers on 2 cores: one BLAS thread each avoids oversubscription, which
# makes small matmuls tens of times slower. (Tests may set this; the library never does.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


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
