"""The seed example: what ``loss.backward()`` puts into ``.grad``.

Run it with ``python examples/seed_backward.py``. It is the PyTorch snippet unchanged, with
gradstep imported under torch's name.
"""
import gradstep as torch

# Our "model"
x = torch.tensor([1., 2.], requires_grad=True)
y = 100 * x

# Compute loss
loss = y.sum()

# Compute gradient of the loss w.r.t. to the parameters
print(x.grad)     # None
loss.backward()
print(x.grad)     # tensor([100., 100.])

# What optimizer.step() does with it (SGD, lr 0.001): x <- x - lr * x.grad.
# examples/seed_optimizer_step.py does the same through torch.optim.SGD.
with torch.no_grad():
    x -= 0.001 * x.grad
print(x)          # tensor([0.9000, 1.9000], requires_grad=True)
