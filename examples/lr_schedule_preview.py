"""Preview learning-rate schedules before training, with gradstep (or torch: the scheduler code is
the same; the preview is gradstep's).

    python examples/lr_schedule_preview.py            # tables
    python examples/lr_schedule_preview.py --plot     # also PNGs (needs matplotlib)

The seed's StepLR listing first, as a real loop prints it, then the same schedule previewed
without any optimizer, then a warmup + cosine schedule and a 1cycle schedule with its momentum.
"""
import sys

import gradstep as torch
from gradstep import optim
from gradstep.optim.lr_scheduler import (CosineAnnealingLR, LinearLR, OneCycleLR, SequentialLR,
                                         StepLR, preview_schedule)

# The seed's loop: optimizer.step() then scheduler.step() each epoch, printing afterwards.
optimizer = optim.SGD([torch.randn(1, requires_grad=True)], lr=100)
lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=.10)
for epoch in range(1, 25):
    optimizer.step()
    lr_scheduler.step()
    print('Epoch {}, lr {:0.4f}'.format(epoch, optimizer.param_groups[0]['lr']))

# The same schedule, previewed: row N is the lr epoch N trains with (so it starts at 100 for
# four epochs; the loop above prints each epoch's lr after that epoch's step).
print()
steplr = preview_schedule(lambda opt: StepLR(opt, step_size=4, gamma=0.1), steps=24, lr=100)
print(steplr.table("Epoch {epoch}, lr {lr:0.4f}"))

# Warmup then cosine, previewed on a copy of a real optimizer's settings (left untouched).
model_params = [torch.zeros(3, requires_grad=True)]
optimizer = optim.SGD(model_params, lr=0.1, momentum=0.9)
warmup_cosine = preview_schedule(
    lambda opt: SequentialLR(opt, [LinearLR(opt, start_factor=0.01, total_iters=5),
                                   CosineAnnealingLR(opt, T_max=25)], milestones=[5]),
    steps=30, optimizer=optimizer)
print()
print(repr(warmup_cosine))
print(warmup_cosine.table())

# 1cycle over 100 batches: lr up then far down, momentum the other way.
onecycle = preview_schedule(lambda opt: OneCycleLR(opt, max_lr=0.5, total_steps=100), steps=100,
                            optimizer=optimizer)
print()
print(repr(onecycle))

if "--plot" in sys.argv:
    for name, preview in (("steplr", steplr), ("warmup_cosine", warmup_cosine),
                          ("onecycle", onecycle)):
        print("wrote", preview.plot(f"lr_{name}.png", title=name))
