"""MLP training step: forward + backward of a 784-512-512-10 ReLU network, batch 128.

Cross-entropy is built from ``log_softmax`` and integer indexing (``nn`` comes later). Prints
milliseconds per step for gradstep and torch, measured in the same process, and the ratio
(target: at most 0.8).

    python benchmarks/bench_mlp.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_of, child_main, run_all  # noqa: E402

SIZES = (784, 512, 512, 10)
BATCH = 128


def make_params(lib, rng):
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / fan_in ** 0.5
        w = rng.uniform(-bound, bound, (fan_in, fan_out)).astype("float32")
        b = rng.uniform(-bound, bound, (fan_out,)).astype("float32")
        params += [lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)]
    return params


def loss_fn(lib, params, x, y, rows):
    w1, b1, w2, b2, w3, b3 = params
    h = lib.relu(x @ w1 + b1)
    h = lib.relu(h @ w2 + b2)
    logits = h @ w3 + b3
    logp = lib.log_softmax(logits, dim=1)
    return -logp[rows, y].mean()


def measure(threads):
    import numpy as np
    import torch

    import gradstep
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y_np = rng.integers(0, SIZES[-1], BATCH)
    result = {}
    losses = {}
    for name, lib in (("gradstep", gradstep), ("torch", torch)):
        params = make_params(lib, np.random.default_rng(1))
        x, y, rows = lib.tensor(x_np), lib.tensor(y_np), lib.arange(BATCH)

        def step():
            for p in params:
                p.grad = None
            loss = loss_fn(lib, params, x, y, rows)
            loss.backward()
            losses[name] = loss.item()
        result[name] = best_of(step, repeat=15, number=3) * 1e3
    assert abs(losses["gradstep"] - losses["torch"]) < 1e-4, losses
    return {"MLP fwd+bwd step": (result["gradstep"], result["torch"], "ms")}


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(measure)
    else:
        run_all(os.path.abspath(__file__), "MLP 784-512-512-10, batch 128, milliseconds per step")
