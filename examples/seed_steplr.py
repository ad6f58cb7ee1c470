"""The seed's StepLR listing: the learning rate divided by 10 every 4 epochs.

    python examples/seed_steplr.py

Each epoch calls ``optimizer.step()`` then ``scheduler.step()`` (in that order, as torch requires)
and prints the learning rate afterwards, which gives the seed's listing, from
``Epoch 1, lr 100.0000`` to ``Epoch 24, lr 0.0001``. ``examples/lr_schedule_preview.py`` shows
how to preview a schedule without a training loop.
"""
import argparse

import gradstep as torch
from gradstep import optim


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=24)
    args = parser.parse_args(argv)

    optimizer = optim.SGD([torch.randn(1, requires_grad=True)], lr=100)
    lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=.10)

    lrs = []
    for epoch in range(1, args.epochs + 1):
        optimizer.step()      # a real loop trains here: forward, loss.backward(), step
        lr_scheduler.step()
        lrs.append(optimizer.param_groups[0]['lr'])
        print('Epoch {}, lr {:0.4f}'.format(epoch, optimizer.param_groups[0]['lr']))
    return lrs


if __name__ == "__main__":
    main()
