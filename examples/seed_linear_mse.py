"""The seed example: ``loss.backward()`` fills ``.grad``, ``optimizer.step()`` uses it.

    python examples/seed_linear_mse.py [--steps 5]

A ``nn.Linear(10, 1)`` model, SGD with ``lr=0.01`` and ``MSELoss``, fitted to one random
(input, target) pair: each step is zero_grad, forward, loss, backward, step, and the loss goes down.
It is plain PyTorch code, with gradstep imported under torch's name.
"""
import argparse

import gradstep as torch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    model = torch.nn.Linear(10, 1)  # A simple linear model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    criterion = torch.nn.MSELoss()

    input = torch.randn(1, 10)
    # The seed writes torch.randn(1): MSELoss then broadcasts it against the (1, 1) output and
    # warns about the size mismatch. A target shaped like the output is what it means.
    target = torch.randn(1, 1)

    losses = []
    for step in range(args.steps):
        output = model(input)
        loss = criterion(output, target)
        losses.append(loss.item())
        print(f"step {step}: loss {loss.item():.6f}")

        optimizer.zero_grad()  # clear the gradients of the previous step
        loss.backward()        # Triggers backpropagation: fills model.weight.grad, .bias.grad
        optimizer.step()       # Applies parameter updates based on calculated gradients

    with torch.no_grad():
        losses.append(criterion(model(input), target).item())
    print(f"after {args.steps} steps: loss {losses[-1]:.6f}")
    return losses


if __name__ == "__main__":
    main()
