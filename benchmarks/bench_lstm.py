"""LSTM language-model training step: embedding 64 -> 2-layer LSTM (hidden 128) -> linear to vocab.

Sequence length 32, batch 16, vocabulary 1000, cross-entropy loss; forward + backward with the same
weights in gradstep and torch (copied through ``state_dict``). Prints milliseconds per step for
each library, measured in the same process, and the ratio (target: at most 1.5).

    python benchmarks/bench_lstm.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_of_turns, child_main, run_all, twin_models  # noqa: E402

VOCAB, EMBED, HIDDEN, LAYERS, SEQ, BATCH = 1000, 64, 128, 2, 32, 16


def make_model(lib):
    nn = lib.nn

    class LanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, EMBED)
            self.lstm = nn.LSTM(EMBED, HIDDEN, LAYERS)
            self.decoder = nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens):
            out, _ = self.lstm(self.embedding(tokens))
            return self.decoder(out)

    return LanguageModel()


def measure(threads):
    import numpy as np
    import torch

    import gradstep
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, VOCAB, (SEQ, BATCH))
    targets = rng.integers(0, VOCAB, (SEQ, BATCH))
    g_model, t_model = twin_models(make_model)
    steps, losses = {}, {}
    for name, lib, model in (("gradstep", gradstep, g_model), ("torch", torch, t_model)):
        x, y = lib.tensor(tokens), lib.tensor(targets)

        def step(name=name, lib=lib, model=model, x=x, y=y):
            model.zero_grad()
            logits = model(x)
            loss = lib.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
            loss.backward()
            losses[name] = loss.item()
        steps[name] = step
    result = {name: t * 1e3 for name, t in best_of_turns(steps, rounds=10, number=3).items()}
    assert abs(losses["gradstep"] - losses["torch"]) < 1e-4, losses
    g_grad = g_model.lstm.weight_hh_l0.grad.numpy()
    t_grad = t_model.lstm.weight_hh_l0.grad.numpy()
    assert np.allclose(g_grad, t_grad, rtol=1e-3, atol=1e-6), "gradients differ"
    return {"LSTM LM fwd+bwd step": (result["gradstep"], result["torch"], "ms")}


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(measure)
    else:
        run_all(os.path.abspath(__file__),
                f"LSTM language model (embed {EMBED}, hidden {HIDDEN}, {LAYERS} layers, seq {SEQ}, "
                f"batch {BATCH}, vocab {VOCAB}), milliseconds per step", thread_counts=[1, 2])
