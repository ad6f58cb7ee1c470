"""A tiny decoder-only transformer that learns to reverse sequences of digits.

    python examples/tiny_transformer.py [--steps 150]

Each training example is ``a1 ... an SEP an ... a1`` with random digits ``a``: a GPT-style model
(token + learned position embeddings, ``nn.TransformerEncoder`` layers under a causal mask, a
linear head) learns to predict every next token, with the loss taken on the reversed half only.
At the end it reverses fresh sequences by greedy decoding, one token at a time, and prints the
held-out token and sequence accuracies. Generated data, plain PyTorch with gradstep imported under
torch's name.
"""
import argparse
import time

import gradstep as torch
import gradstep.nn as nn
import gradstep.nn.functional as F


class TinyGPT(nn.Module):
    def __init__(self, vocab_size, max_len, d_model=64, nhead=4, num_layers=2,
                 dim_feedforward=128, dropout=0.0):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        seq_len = tokens.size(1)
        x = self.tok(tokens) + self.pos(torch.arange(seq_len))
        mask = nn.Transformer.generate_square_subsequent_mask(seq_len)
        x = self.blocks(x, mask=mask, is_causal=True)
        return self.head(self.norm(x))


def make_batch(batch_size, length, sep):
    """Sequences ``digits SEP reversed(digits)``, shape (batch_size, 2 * length + 1)."""
    digits = torch.randint(0, sep, (batch_size, length))
    sep_column = torch.full((batch_size, 1), sep)
    return torch.cat([digits, sep_column, digits.flip(1)], dim=1)


@torch.no_grad()
def reverse_greedy(model, digits, sep):
    """Feed ``digits SEP`` and let the model write the reversal, one argmax token at a time."""
    model.eval()
    seq = torch.cat([digits, torch.full((digits.size(0), 1), sep)], dim=1)
    for _ in range(digits.size(1)):
        next_token = model(seq)[:, -1].argmax(dim=-1, keepdim=True)
        seq = torch.cat([seq, next_token], dim=1)
    return seq[:, digits.size(1) + 1:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--length", type=int, default=6, help="digits per sequence")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    sep = 10                                  # tokens 0-9 are digits, 10 separates
    n = args.length
    model = TinyGPT(vocab_size=11, max_len=2 * n + 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr,
                                                    total_steps=args.steps, pct_start=0.2)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"reversing {n} digits with a {n_params:,}-parameter transformer")

    losses = []
    started = time.perf_counter()
    for step in range(1, args.steps + 1):
        model.train()
        seq = make_batch(args.batch_size, n, sep)
        inputs, targets = seq[:, :-1], seq[:, 1:]
        logits = model(inputs)
        # Only the reversed half is predictable: score positions from SEP onwards.
        loss = F.cross_entropy(logits[:, n:].reshape(-1, 11), targets[:, n:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        if step == 1 or step % max(1, args.steps // 10) == 0 or step == args.steps:
            print(f"step {step:4d}  loss {loss.item():.4f}  "
                  f"({time.perf_counter() - started:.1f} s)")

    digits = make_batch(500, n, sep)[:, :n]
    predicted = reverse_greedy(model, digits, sep)
    correct = predicted == digits.flip(1)
    token_accuracy = correct.float().mean().item()
    sequence_accuracy = correct.all(dim=1).float().mean().item()
    print(f"\nheld-out: token accuracy {token_accuracy:.2%}, "
          f"whole sequences reversed {sequence_accuracy:.2%}")
    for row in range(3):
        print(f"  {digits[row].tolist()} -> {predicted[row].tolist()}")
    return {"losses": losses, "token_accuracy": token_accuracy,
            "sequence_accuracy": sequence_accuracy}


if __name__ == "__main__":
    main()
