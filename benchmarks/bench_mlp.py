"""MLP training step: forward + backward of a 784-512-512-10 ReLU network, batch 128.

``nn.Linear`` layers, ``nn.ReLU`` and ``F.cross_entropy``, the same weights in gradstep and torch
(torch's copied through ``state_dict``), in one process, the two libraries taking turns. Prints
milliseconds per step and the ratio (target: at most 0.8).

A second row is the floor under that ratio: NumPy's eight matrix products of the step alone
(forward, and the weight and input gradients; the first layer's input needs none), same shapes
and layouts, no other work, against torch's whole step. gradstep's matrix products are these
calls, so no change outside BLAS takes the step below that row's ratio.

    python benchmarks/bench_mlp.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_of_turns, child_main, run_all, twin_models  # noqa: E402

SIZES = (784, 512, 512, 10)
BATCH = 128


def make_model(lib):
    nn = lib.nn
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def measure(threads):
    import numpy as np
    import torch

    import gradstep
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y_np = rng.integers(0, SIZES[-1], BATCH)
    g_model, t_model = twin_models(make_model)
    steps, losses = {}, {}
    for name, lib, model in (("gradstep", gradstep, g_model), ("torch", torch, t_model)):
        x, y = lib.tensor(x_np), lib.tensor(y_np)

        def step(name=name, lib=lib, model=model, x=x, y=y):
            for p in model.parameters():
                p.grad = None
            loss = lib.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            losses[name] = loss.item()
        steps[name] = step
    steps["matmuls"] = _matmuls_alone(rng)
    result = {name: t * 1e3 for name, t in best_of_turns(steps, rounds=15, number=3).items()}
    assert abs(losses["gradstep"] - losses["torch"]) < 1e-4, losses
    return {"MLP fwd+bwd step": (result["gradstep"], result["torch"], "ms"),
            "floor: NumPy's 8 matmuls": (result["matmuls"], result["torch"], "ms")}


def _matmuls_alone(rng):
    """The step's matrix products and nothing else, as ``linear`` computes them."""
    import numpy as np
    weights = [rng.standard_normal((n_out, n_in)).astype(np.float32)
               for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]
    inputs = [rng.standard_normal((BATCH, n)).astype(np.float32) for n in SIZES[:-1]]
    grads = [rng.standard_normal((BATCH, n)).astype(np.float32) for n in SIZES[1:]]

    def matmuls():
        for x, w in zip(inputs, weights):
            x @ w.T
        for i, (x, w, g) in enumerate(zip(inputs, weights, grads)):
            g.T @ x
            if i:
                g @ w
    return matmuls


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(measure)
    else:
        run_all(os.path.abspath(__file__), "MLP 784-512-512-10, batch 128, milliseconds per step")
