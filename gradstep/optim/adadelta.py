"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
import numpy as np

from .._tensor import Tensor
from ._common import check_eps, check_lr, check_weight_decay, scalar
from ._flat import ElementwiseOptimizer

__all__ = ["Adadelta"]


def adadelta_kernel(param, grad, square_avg, acc_delta, weight_decay, rho, one_minus_rho, eps,
                    neg_lr, maximize):
    """The Adadelta update for one chunk; returns (param, square_avg, acc_delta)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg = square_avg * rho + one_minus_rho * grad * grad
    std = np.sqrt(square_avg + eps)
    delta = np.sqrt(acc_delta + eps) / std * grad
    acc_delta = acc_delta * rho + one_minus_rho * delta * delta
    return param + neg_lr * delta, square_avg, acc_delta


class Adadelta(ElementwiseOptimizer):
    r"""Implements the Adadelta algorithm.

    .. math::
       \begin{aligned}
         & v_t \leftarrow \rho v_{t-1} + (1 - \rho) g_t^2, \qquad
           \Delta x_t \leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} g_t \\
         & u_t \leftarrow \rho u_{t-1} + (1 - \rho) \Delta x_t^2, \qquad
           \theta_t \leftarrow \theta_{t-1} - \gamma \Delta x_t
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): (default: 1.0)
        rho (float, optional): (default: 0.9)
        eps (float, optional): (default: 1e-6)
        weight_decay (float, optional): (default: 0)
        foreach, capturable, maximize, differentiable: as for :class:`Adam`

    .. note::
        As in torch, :math:`\epsilon` sits inside both square roots.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_eps(eps)
        check_weight_decay(weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _keys(self, group):
        return ("square_avg", "acc_delta")

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["square_avg"] = Tensor._make(np.zeros_like(p._data))
        state["acc_delta"] = Tensor._make(np.zeros_like(p._data))

    kernel = staticmethod(adadelta_kernel)

    def _hyper(self, group, step, dtype):
        f = dtype.type
        rho = group["rho"]
        return (f(group["weight_decay"]), f(rho), f(1 - rho), f(group["eps"]),
                f(-scalar(group["lr"])), bool(group["maximize"]))
