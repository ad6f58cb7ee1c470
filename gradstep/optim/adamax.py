"""Adamax: Adam with the infinity norm."""
import numpy as np

from .._tensor import Tensor
from ._common import check_betas, check_eps, check_lr, check_weight_decay, scalar
from ._flat import ElementwiseOptimizer
from .adam import lerp_scalars

__all__ = ["Adamax"]


def adamax_kernel(param, grad, exp_avg, exp_inf, weight_decay, w1, lerp_low, one_minus_w1,
                  beta2, eps, neg_clr, maximize):
    """The Adamax update for one chunk; returns (param, exp_avg, exp_inf)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    if lerp_low:
        exp_avg = exp_avg + w1 * (grad - exp_avg)
    else:
        exp_avg = grad - (grad - exp_avg) * one_minus_w1
    exp_inf = np.maximum(exp_inf * beta2, np.abs(grad) + eps)
    return param + neg_clr * (exp_avg / exp_inf), exp_avg, exp_inf


class Adamax(ElementwiseOptimizer):
    r"""Implements Adamax (Adam with the infinity norm).

    .. math::
       \begin{aligned}
         & m_t \leftarrow \mathrm{lerp}(m_{t-1}, g_t, 1 - \beta_1), \qquad
           u_t \leftarrow \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
         & \theta_t \leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \frac{m_t}{u_t}
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): :math:`\gamma` (default: 2e-3)
        betas (Tuple[float, float], optional): (default: (0.9, 0.999))
        eps (float, optional): (default: 1e-8)
        weight_decay (float, optional): L2 penalty :math:`\lambda` (default: 0)
        foreach, maximize, differentiable, capturable: as for :class:`Adam`
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_eps(eps)
        check_betas(betas)
        check_weight_decay(weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _keys(self, group):
        return ("exp_avg", "exp_inf")

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
        state["exp_inf"] = Tensor._make(np.zeros_like(p._data))

    kernel = staticmethod(adamax_kernel)

    def _hyper(self, group, step, dtype):
        f = dtype.type
        beta1, beta2 = group["betas"]
        clr = scalar(group["lr"]) / (1 - beta1 ** step)
        return (f(group["weight_decay"]), *lerp_scalars(f, 1 - beta1), f(beta2),
                f(group["eps"]), f(-clr), bool(group["maximize"]))
