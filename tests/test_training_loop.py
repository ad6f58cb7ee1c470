"""An end-to-end training loop (matmul, bias, tanh, log_softmax, indexing, weight decay, manual
SGD under no_grad, grad.zero_()) gives torch's losses step for step."""
import numpy as np

import gradstep
import torch


def _train(lib, steps=50):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((64, 8)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 3, 64))
    w1 = lib.tensor((rng.standard_normal((8, 16)) * 0.3).astype(np.float32), requires_grad=True)
    w2 = lib.tensor((rng.standard_normal((16, 3)) * 0.3).astype(np.float32), requires_grad=True)
    b1 = lib.zeros(16, requires_grad=True)
    losses = []
    for _ in range(steps):
        h = lib.tanh(x @ w1 + b1)
        logp = lib.log_softmax(h @ w2, dim=1)
        loss = -logp[lib.arange(64), y].mean() + 1e-3 * (w1 ** 2).sum()
        loss.backward()
        with lib.no_grad():
            for p in (w1, w2, b1):
                p -= 0.5 * p.grad
                p.grad.zero_()
        losses.append(loss.item())
    return losses, w1.detach().numpy().copy()


def test_training_matches_torch_step_for_step():
    g_losses, g_w1 = _train(gradstep)
    t_losses, t_w1 = _train(torch)
    np.testing.assert_allclose(g_losses, t_losses, rtol=1e-5)
    np.testing.assert_allclose(g_w1, t_w1, rtol=1e-4, atol=1e-5)
    assert g_losses[-1] < 0.7 * g_losses[0]
