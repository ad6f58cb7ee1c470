"""LeNet-5 training step: conv 1->6 5x5 (padding 2), relu, maxpool 2, conv 6->16 5x5, relu,
maxpool 2, flatten, linear 400-120-84-10, cross-entropy, SGD step; batch 64 of 28x28 images.

gradstep and torch run the same model (torch's initial weights copied into gradstep) in the same
process, taking turns (15 rounds of 3 steps each; the fastest round counts), so that a burst of
load on a shared machine hits both alike; prints milliseconds per step and the ratio (target: at
most 1.5).

    python benchmarks/bench_cnn.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_of_turns, child_main, run_all, twin_models  # noqa: E402

BATCH = 64


def make_model(lib):
    nn = lib.nn

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.pool = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            F = lib.nn.functional
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.flatten(1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return LeNet()


def loss_fn(lib, logits, y, rows):
    F = lib.nn.functional
    if hasattr(F, "cross_entropy") and hasattr(__import__("gradstep").nn.functional,
                                               "cross_entropy"):
        return F.cross_entropy(logits, y)
    return -F.log_softmax(logits, dim=1)[rows, y].mean()


def measure(threads):
    import numpy as np
    import torch

    import gradstep
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y_np = rng.integers(0, 10, BATCH)
    g_model, t_model = twin_models(make_model)
    steps, losses = {}, {}
    for name, lib, model in (("gradstep", gradstep, g_model), ("torch", torch, t_model)):
        x, y, rows = lib.tensor(x_np), lib.tensor(y_np), lib.arange(BATCH)
        opt = lib.optim.SGD(model.parameters(), lr=1e-3)
        first = []

        def step(lib=lib, model=model, x=x, y=y, rows=rows, opt=opt, first=first):
            opt.zero_grad()
            loss = loss_fn(lib, model(x), y, rows)
            loss.backward()
            opt.step()
            if not first:
                first.append(loss.item())
        step()
        steps[name] = step
        losses[name] = first[0]
    assert abs(losses["gradstep"] - losses["torch"]) < 1e-4, losses
    result = best_of_turns(steps, rounds=15, number=3)
    return {"LeNet-5 train step": (result["gradstep"] * 1e3, result["torch"] * 1e3, "ms")}


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(measure)
    else:
        run_all(os.path.abspath(__file__), "LeNet-5 on 28x28, batch 64, milliseconds per step",
                thread_counts=[1, 2])
