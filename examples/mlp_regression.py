"""Fit a small MLP to a noisy sine wave, fed by a DataLoader, with a learning-rate schedule.

    python examples/mlp_regression.py [--epochs 60]

Generates 512 points of ``sin(x) + noise`` on [-pi, pi], holds out a fifth of them, and trains a
1 -> 64 -> 64 -> 1 Tanh MLP with Adam and MSELoss on shuffled mini-batches from
``DataLoader(TensorDataset(x, y))``, the learning rate following ``CosineAnnealingLR``. It prints
the training and held-out losses every few epochs and, at the end, the fit against the true curve.
Plain PyTorch with gradstep imported under torch's name.
"""
import argparse
import math

import gradstep as torch
import gradstep.nn as nn
from gradstep.utils.data import DataLoader, TensorDataset, random_split


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    x = torch.linspace(-math.pi, math.pi, 512).unsqueeze(1)
    y = torch.sin(x) + args.noise * torch.randn_like(x)
    train_set, test_set = random_split(TensorDataset(x, y), [0.8, 0.2])
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=len(test_set))

    model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                          nn.Linear(64, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    history = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(inputs)
        scheduler.step()

        model.eval()
        with torch.no_grad():
            test_loss = sum(criterion(model(inputs), targets).item()
                            for inputs, targets in test_loader)
        history.append({"epoch": epoch, "train_loss": total / len(train_set),
                        "test_loss": test_loss})
        if epoch == 1 or epoch % max(1, args.epochs // 10) == 0 or epoch == args.epochs:
            print(f"epoch {epoch:3d}  lr {scheduler.get_last_lr()[0]:.5f}  "
                  f"train MSE {total / len(train_set):.4f}  held-out MSE {test_loss:.4f}")

    # The noise alone has variance noise**2: a good fit's held-out MSE ends close to it.
    with torch.no_grad():
        grid = torch.linspace(-math.pi, math.pi, 7).unsqueeze(1)
        fit = model(grid)
    print(f"\nnoise variance {args.noise ** 2:.4f}; fit at a few points:")
    for g, f in zip(grid.squeeze(1).tolist(), fit.squeeze(1).tolist()):
        print(f"  x = {g:+.3f}  sin(x) = {math.sin(g):+.3f}  model = {f:+.3f}")
    return history


if __name__ == "__main__":
    main()
