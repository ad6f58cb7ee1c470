"""The seed example: ``optimizer.step()`` subtracts ``lr * x.grad`` from each parameter.

    python examples/seed_optimizer_step.py

``(100 * x).sum()`` has gradient 100 for every element of ``x``, so one SGD step with
``lr=0.001`` moves ``[1., 2.]`` to ``[0.9, 1.9]``. It prints::

    tensor([1., 2.], requires_grad=True)
    tensor([0.9000, 1.9000], requires_grad=True)

It is the PyTorch snippet unchanged, with gradstep imported under torch's name.
"""
import gradstep as torch


def main(argv=None):
    # Our "model"
    x = torch.tensor([1., 2.], requires_grad=True)
    y = 100 * x

    # Compute loss
    loss = y.sum()

    # Compute gradient of the loss w.r.t. to the parameters
    loss.backward()

    # Modify the parameters by subtracting the gradient
    optim = torch.optim.SGD([x], lr=0.001)
    print(x)        # tensor([1., 2.], requires_grad=True)
    optim.step()
    print(x)        # tensor([0.9000, 1.9000], requires_grad=True)
    return x


if __name__ == "__main__":
    main()
