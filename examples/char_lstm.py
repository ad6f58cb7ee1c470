"""A character-level LSTM language model, trained on a few sonnets and then sampled from.

    python examples/char_lstm.py [--steps 150] [--temperature 0.8]

Embedding -> 2-layer LSTM -> Linear, trained with Adam on random windows of the text below to
predict each next character, with ``clip_grad_norm_`` keeping the recurrent gradients in check.
It prints the loss as it falls, then continues a prompt one character at a time, drawing each
from the softmax of the logits divided by a temperature with ``torch.multinomial``. Everything is
plain PyTorch, with gradstep imported under torch's name.
"""
import argparse
import time

import gradstep as torch
import gradstep.nn as nn
import gradstep.nn.functional as F

# Three of Shakespeare's sonnets (1609; public domain).
TEXT = """\
Shall I compare thee to a summer's day?
Thou art more lovely and more temperate:
Rough winds do shake the darling buds of May,
And summer's lease hath all too short a date;
Sometime too hot the eye of heaven shines,
And often is his gold complexion dimm'd;
And every fair from fair sometime declines,
By chance or nature's changing course untrimm'd;
But thy eternal summer shall not fade,
Nor lose possession of that fair thou ow'st;
Nor shall death brag thou wander'st in his shade,
When in eternal lines to time thou grow'st:
So long as men can breathe or eyes can see,
So long lives this, and this gives life to thee.

Let me not to the marriage of true minds
Admit impediments. Love is not love
Which alters when it alteration finds,
Or bends with the remover to remove.
O no! it is an ever-fixed mark
That looks on tempests and is never shaken;
It is the star to every wand'ring bark,
Whose worth's unknown, although his height be taken.
Love's not Time's fool, though rosy lips and cheeks
Within his bending sickle's compass come;
Love alters not with his brief hours and weeks,
But bears it out even to the edge of doom.
If this be error and upon me prov'd,
I never writ, nor no man ever lov'd.

That time of year thou mayst in me behold
When yellow leaves, or none, or few, do hang
Upon those boughs which shake against the cold,
Bare ruin'd choirs, where late the sweet birds sang.
In me thou see'st the twilight of such day
As after sunset fadeth in the west,
Which by and by black night doth take away,
Death's second self, that seals up all in rest.
In me thou see'st the glowing of such fire
That on the ashes of his youth doth lie,
As the death-bed whereon it must expire,
Consum'd with that which it was nourish'd by.
This thou perceiv'st, which makes thy love more strong,
To love that well which thou must leave ere long.
"""


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim=32, hidden_size=128, num_layers=2, dropout=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True,
                            dropout=dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, state=None):
        out, state = self.lstm(self.embed(tokens), state)
        return self.head(out), state


def sample(model, prompt, length, temperature, stoi, itos):
    """Continue ``prompt`` by ``length`` characters drawn at ``temperature``."""
    model.eval()
    with torch.no_grad():
        tokens = torch.tensor([[stoi[c] for c in prompt]])
        logits, state = model(tokens)          # read the prompt, keep the LSTM state
        out = list(prompt)
        for _ in range(length):
            probs = F.softmax(logits[0, -1] / temperature, dim=-1)
            next_id = torch.multinomial(probs, num_samples=1)
            out.append(itos[next_id.item()])
            logits, state = model(next_id.view(1, 1), state)
    return "".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=48)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--sample-length", type=int, default=200)
    parser.add_argument("--prompt", default="Shall I ")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    itos = {i: c for c, i in stoi.items()}
    data = torch.tensor([stoi[c] for c in TEXT])
    print(f"{len(TEXT)} characters, vocabulary of {len(chars)}")

    model = CharLSTM(len(chars))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.steps)
    offsets = torch.arange(args.seq_len + 1)

    losses = []
    started = time.perf_counter()
    model.train()
    for step in range(1, args.steps + 1):
        starts = torch.randint(0, len(data) - args.seq_len - 1, (args.batch_size, 1))
        window = data[starts + offsets]                  # (batch, seq_len + 1)
        inputs, targets = window[:, :-1], window[:, 1:]
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        if step == 1 or step % max(1, args.steps // 10) == 0 or step == args.steps:
            print(f"step {step:4d}  loss {loss.item():.4f}  "
                  f"({time.perf_counter() - started:.1f} s)")

    text = sample(model, args.prompt, args.sample_length, args.temperature, stoi, itos)
    print(f"\nsample at temperature {args.temperature}:\n{text}")
    return {"losses": losses, "sample": text}


if __name__ == "__main__":
    main()
