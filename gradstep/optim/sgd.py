"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from .._tensor import Tensor
from ._flat import ElementwiseOptimizer

__all__ = ["SGD"]


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")


def _fused_checks(fused, foreach, differentiable):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def sgd_kernel(param, grad, buf, neg_lr, weight_decay, momentum, one_minus_dampening,
               maximize, nesterov, first):
    """One SGD update, in torch's order; returns the new (param, momentum_buffer)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    if momentum != 0:
        if first:
            buf = grad
        else:
            buf = buf * momentum + one_minus_dampening * grad
        if nesterov:
            grad = grad + momentum * buf
        else:
            grad = buf
    return param + neg_lr * grad, buf


def _plain_kernel(param, grad, neg_lr, weight_decay, maximize):
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    return (param + neg_lr * grad,)


class SGD(ElementwiseOptimizer):
    r"""Implements stochastic gradient descent (optionally with momentum).

    .. math::
       \begin{aligned}
         & g_t \leftarrow -g_t \ \text{if maximize};\quad
           g_t \leftarrow g_t + \lambda \theta_{t-1} \ \text{if } \lambda \neq 0 \\
         & b_t \leftarrow g_t \ (t = 1), \qquad
           b_t \leftarrow \mu b_{t-1} + (1 - \tau) g_t \ (t > 1) \\
         & g_t \leftarrow g_t + \mu b_t \ \text{if nesterov, else } g_t \leftarrow b_t \\
         & \theta_t \leftarrow \theta_{t-1} - \gamma g_t
       \end{aligned}

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups
        lr (float, Tensor, optional): learning rate :math:`\gamma` (default: 1e-3)
        momentum (float, optional): momentum factor :math:`\mu` (default: 0)
        dampening (float, optional): dampening :math:`\tau` for momentum (default: 0)
        weight_decay (float, optional): weight decay :math:`\lambda` (L2 penalty) (default: 0)
        nesterov (bool, optional): enables Nesterov momentum (default: False)
        maximize (bool, optional): maximize the objective instead of minimizing (default: False)
        foreach, fused (bool, optional): accepted for compatibility; every group already runs
            one kernel over a flat buffer of its parameters (default: None)
        differentiable (bool, optional): record the update in the autograd graph, so the
            step itself can be differentiated (default: False)

    .. note::
        As in torch, the momentum buffer starts as the first gradient itself, with no dampening.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([1., 2.], requires_grad=True)
        >>> (100 * x).sum().backward()
        >>> optim = torch.optim.SGD([x], lr=0.001)
        >>> optim.step()
        >>> x
        tensor([0.9000, 1.9000], requires_grad=True)
    """

    _has_step = False

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _fused_checks(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _keys(self, group):
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def _kernel(self, group):
        return sgd_kernel if group["momentum"] != 0 else _plain_kernel

    def _hyper(self, group, step, dtype, first=False):
        f = dtype.type
        wd = f(float(group["weight_decay"]))
        if group["momentum"] == 0:
            return (f(-float(group["lr"])), wd, bool(group["maximize"]))  # _plain_kernel's
        return (f(-float(group["lr"])), wd, f(group["momentum"]), f(1 - group["dampening"]),
                bool(group["maximize"]), bool(group["nesterov"]), first)

    def _step_param(self, group, p, keys):
        if not keys:
            out = _plain_kernel(p._data if not group["differentiable"] else p, p._grad
                                if group["differentiable"] else p._grad._data,
                                *self._hyper(group, None, p._data.dtype))
            if group["differentiable"]:
                p.copy_(out[0])
            else:
                np.copyto(p._data, out[0])
                p._bump_version()
            return
        state = self.state[p]
        buf = state.get("momentum_buffer")
        first = buf is None
        hyper = self._hyper(group, None, p._data.dtype, first)
        if group["differentiable"]:
            newp, newbuf = sgd_kernel(p, p._grad, buf, *hyper)
            p.copy_(newp)
            state["momentum_buffer"] = newbuf.clone() if first else newbuf
            return
        newp, newbuf = sgd_kernel(p._data, p._grad._data, None if first else buf._data, *hyper)
        if first:
            state["momentum_buffer"] = Tensor._make(np.array(newbuf, copy=True))
        else:
            np.copyto(buf._data, newbuf)
        np.copyto(p._data, newp)
        p._bump_version()
