"""Train a small CNN on the handwritten digits that ship with gradstep; checkpoint and resume.

This is the README's first command, written as a PyTorch user would write it: swap the first
import for ``import torch`` and the training code is plain PyTorch (only ``load_digits`` is
gradstep's, since torch ships no data). It trains for a few epochs, prints a progress bar (tqdm,
when installed) and the held-out accuracy each epoch, writes a checkpoint after every epoch, and
ends with a short summary. Stop it at any point and run it again with ``--resume``: it continues
from the last checkpoint exactly where it was (model, optimizer, scheduler and RNG states).

    python examples/train_digits.py                # train from scratch
    python examples/train_digits.py --resume       # continue from digits_checkpoint.pt
"""
import argparse
import os
import time

import gradstep as torch
import gradstep.nn as nn
import gradstep.nn.functional as F
from gradstep.utils.data import DataLoader, TensorDataset, random_split

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional
    tqdm = None


def build_model():
    """conv 1->16 3x3, pool, conv 16->32 3x3, pool, 128 -> 64 -> 10."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16 x 4 x 4
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32 x 2 x 2
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(64, 10),
    )


def evaluate(model, loader):
    """Accuracy and mean loss of ``model`` over ``loader``."""
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
            total += labels.numel()
    return correct / total, loss_sum / total


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", default="digits_checkpoint.pt")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument("--stop-after", type=int, default=None,
                        help="stop after this many epochs of this run (to try --resume)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    images, labels = torch.datasets.load_digits()
    dataset = TensorDataset(images, labels)
    train_set, test_set = random_split(dataset, [0.8, 0.2],
                                       generator=torch.Generator().manual_seed(args.seed))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)

    model = build_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * len(train_loader))
    start_epoch, history = 0, []
    if args.resume and os.path.exists(args.checkpoint):
        state = torch.load(args.checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng_state"])
        start_epoch, history = state["epoch"], state["history"]
        print(f"resumed from {args.checkpoint} after epoch {start_epoch}")

    n_params = sum(p.numel() for p in model.parameters())
    print(f"{len(train_set)} training and {len(test_set)} held-out images; "
          f"model with {n_params:,} parameters")
    started = time.perf_counter()
    last_epoch = args.epochs if args.stop_after is None else min(args.epochs,
                                                                 start_epoch + args.stop_after)
    for epoch in range(start_epoch, last_epoch):
        model.train()
        batches = train_loader
        if tqdm is not None and not args.no_progress:
            batches = tqdm(train_loader, desc=f"epoch {epoch + 1}/{args.epochs}", leave=False)
        running = 0.0
        for images, labels in batches:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * labels.numel()
        accuracy, test_loss = evaluate(model, test_loader)
        history.append({"epoch": epoch + 1, "train_loss": running / len(train_set),
                        "test_loss": test_loss, "accuracy": accuracy})
        print(f"epoch {epoch + 1:2d}  train loss {running / len(train_set):.4f}  "
              f"held-out loss {test_loss:.4f}  accuracy {accuracy:.2%}")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "rng_state": torch.get_rng_state(),
                    "epoch": epoch + 1, "history": history}, args.checkpoint)

    elapsed = time.perf_counter() - started
    if history:
        best = max(history, key=lambda h: h["accuracy"])
        print(f"\nsummary: {len(history)} epochs ({last_epoch - start_epoch} in this run, "
              f"{elapsed:.1f} s), final held-out accuracy {history[-1]['accuracy']:.2%}, "
              f"best {best['accuracy']:.2%} at epoch {best['epoch']}; "
              f"checkpoint: {args.checkpoint}")
    return history


if __name__ == "__main__":
    main()
