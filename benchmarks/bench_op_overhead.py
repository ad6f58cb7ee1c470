"""Per-op overhead: forward + backward through a chain of 1,000 small elementwise ops.

A 16-element float32 tensor goes through 1,000 ops (a repeating mix of scalar and tensor
arithmetic and unary functions), then ``.sum().backward()``. Prints microseconds per op for
gradstep and torch, measured in the same process, and the ratio (target: at most 0.5).

    python benchmarks/bench_op_overhead.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_of_turns, child_main, run_all  # noqa: E402

OPS = 1000


def chain(lib, x, w):
    y = x
    for _ in range(OPS // 8):
        y = y * 0.999
        y = y + w
        y = lib.tanh(y)
        y = y - 0.01
        y = y * w
        y = lib.sigmoid(y)
        y = y / 1.5
        y = lib.exp(y)
    return y.sum()


def measure(threads):
    import numpy as np
    import torch

    import gradstep
    data = np.linspace(-1, 1, 16, dtype=np.float32)
    steps = {}
    for name, lib in (("gradstep", gradstep), ("torch", torch)):
        x = lib.tensor(data, requires_grad=True)
        w = lib.tensor(data[::-1].copy(), requires_grad=True)

        def step(lib=lib, x=x, w=w):
            x.grad = None
            w.grad = None
            chain(lib, x, w).backward()
        steps[name] = step
    result = {name: t / OPS * 1e6 for name, t in best_of_turns(steps, rounds=15, number=1, pause=0).items()}
    return {"chain of 1000 ops (fwd+bwd)": (result["gradstep"], result["torch"], "us")}


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(measure)
    else:
        run_all(os.path.abspath(__file__), "per-op overhead, microseconds per op (lower is better)")
