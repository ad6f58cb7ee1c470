"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
import numpy as np

from .._tensor import Tensor
from ._common import check_betas, check_eps, check_lr, check_weight_decay, scalar
from ._flat import ElementwiseOptimizer
from .adam import lerp_scalars

__all__ = ["NAdam"]


def nadam_kernel(param, grad, exp_avg, exp_avg_sq, decay, weight_decay, w1, lerp_low,
                 one_minus_w1, beta2, one_minus_beta2, bias_correction2, eps, grad_coef,
                 avg_coef, maximize, decoupled):
    """The NAdam update for one chunk; returns (param, exp_avg, exp_avg_sq)."""
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
    denom = np.sqrt(exp_avg_sq / bias_correction2) + eps
    param = param + grad_coef * (grad / denom)
    param = param + avg_coef * (exp_avg / denom)
    return param, exp_avg, exp_avg_sq


class NAdam(ElementwiseOptimizer):
    r"""Implements the NAdam algorithm.

    .. math::
       \begin{aligned}
         & \mu_t \leftarrow \beta_1 (1 - \tfrac12 0.96^{t\psi}), \quad
           \mu_{t+1} \leftarrow \beta_1 (1 - \tfrac12 0.96^{(t+1)\psi}), \quad
           \Pi_t \leftarrow \Pi_{t-1}\mu_t \\
         & m_t, v_t \text{ as in Adam}; \quad
           d_t \leftarrow \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
         & \theta_t \leftarrow \theta_{t-1} - \gamma \frac{1 - \mu_t}{1 - \Pi_t} \frac{g_t}{d_t}
           - \gamma \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{d_t}
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): (default: 2e-3)
        betas (Tuple[float, float], optional): (default: (0.9, 0.999))
        eps (float, optional): (default: 1e-8)
        weight_decay (float, optional): (default: 0)
        momentum_decay (float, optional): :math:`\psi` (default: 4e-3)
        decoupled_weight_decay (bool, optional): decay as AdamW does (default: False)
        foreach, maximize, capturable, differentiable: as for :class:`Adam`

    .. note::
        :math:`\Pi_t` (``mu_product``) is a float32 tensor per parameter, as in torch, so the
        groups run per parameter rather than over a flat buffer.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_eps(eps)
        check_betas(betas)
        check_weight_decay(weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _keys(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["mu_product"] = Tensor._make(np.ones((), np.float32))
        state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
        state["exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))

    kernel = staticmethod(nadam_kernel)

    def _flat_for(self, group, params, keys):
        return None

    def _hyper(self, group, step, dtype, mu_product_state=None):
        f = dtype.type
        lr = scalar(group["lr"])
        beta1, beta2 = group["betas"]
        wd = group["weight_decay"]
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mu_product_state._data *= mu
        mu_product = float(mu_product_state._data)
        mu_product_next = mu_product * mu_next
        return (f(1 - lr * wd), f(wd), *lerp_scalars(f, 1 - beta1), f(beta2), f(1 - beta2),
                f(1 - beta2 ** step), f(group["eps"]), f(-lr * (1.0 - mu) / (1.0 - mu_product)),
                f((-lr * mu_next) / (1.0 - mu_product_next)), bool(group["maximize"]),
                bool(group["decoupled_weight_decay"]))

    def _step_param(self, group, p, keys):
        state = self.state[p]
        if len(state) == 0:
            self._init_state(group, p, state)
        saved = self._hyper
        self._hyper = lambda g, step, dtype: saved(g, step, dtype, state["mu_product"])
        try:
            super()._step_param(group, p, keys)
        finally:
            del self._hyper
