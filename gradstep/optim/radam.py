"""RAdam: Adam with a rectified adaptive learning rate."""
import numpy as np

from .._tensor import Tensor
from ._common import check_betas, check_eps, check_lr, check_weight_decay, scalar
from ._flat import ElementwiseOptimizer
from .adam import lerp_scalars

__all__ = ["RAdam"]


def radam_kernel(param, grad, exp_avg, exp_avg_sq, decay, weight_decay, w1, lerp_low,
                 one_minus_w1, beta2, one_minus_beta2, bias_correction1, lr,
                 bias_correction2_sqrt, eps, rect, rectify, maximize, decoupled):
    """The RAdam update for one chunk; returns (param, exp_avg, exp_avg_sq)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        if decoupled:
            param = param * decay
        else:
            grad = grad + weight_decay * param
    if lerp_low:
        exp_avg = exp_avg + w1 * (grad - exp_avg)
    else:
        exp_avg = grad - (grad - exp_avg) * one_minus_w1
    exp_avg_sq = exp_avg_sq * beta2 + one_minus_beta2 * grad * grad
    corrected = exp_avg / bias_correction1
    if rectify:
        adaptive = bias_correction2_sqrt / (np.sqrt(exp_avg_sq) + eps)
        param = param - corrected * lr * adaptive * rect
    else:
        param = param - corrected * lr
    return param, exp_avg, exp_avg_sq


class RAdam(ElementwiseOptimizer):
    r"""Implements RAdam (rectified Adam).

    .. math::
       \begin{aligned}
         & m_t, v_t \text{ as in Adam}; \quad
           \rho_\infty = \frac{2}{1 - \beta_2} - 1, \quad
           \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
         & \theta_t \leftarrow \theta_{t-1} - \gamma \frac{m_t}{1 - \beta_1^t}
           \cdot \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon} \cdot r_t
           \ \text{if } \rho_t > 5, \text{ else }
           \theta_{t-1} - \gamma \frac{m_t}{1 - \beta_1^t} \\
         & r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                             {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): (default: 1e-3)
        betas (Tuple[float, float], optional): (default: (0.9, 0.999))
        eps (float, optional): (default: 1e-8)
        weight_decay (float, optional): (default: 0)
        decoupled_weight_decay (bool, optional): decay as AdamW does (default: False)
        foreach, maximize, capturable, differentiable: as for :class:`Adam`
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_lr(lr)
        check_eps(eps)
        check_betas(betas)
        check_weight_decay(weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _keys(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
        state["exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))

    kernel = staticmethod(radam_kernel)

    def _hyper(self, group, step, dtype):
        f = dtype.type
        lr = scalar(group["lr"])
        beta1, beta2 = group["betas"]
        wd = group["weight_decay"]
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        rectify = rho_t > 5.0
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                ) ** 0.5 if rectify else 0.0
        return (f(1 - lr * wd), f(wd), *lerp_scalars(f, 1 - beta1), f(beta2), f(1 - beta2),
                f(bias_correction1), f(lr), f(bias_correction2 ** 0.5), f(group["eps"]),
                f(rect), bool(rectify), bool(group["maximize"]),
                bool(group["decoupled_weight_decay"]))
