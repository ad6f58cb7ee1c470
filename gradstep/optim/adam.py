"""Adam (and, with decoupled weight decay, AdamW): one kernel, torch's arithmetic order."""
import functools

import numpy as np

from .._tensor import Tensor
from ._common import (check_betas, check_eps, check_fused, check_lr, check_weight_decay,
                      scalar)
from ._flat import ElementwiseOptimizer

__all__ = ["Adam"]


@functools.lru_cache(maxsize=None)
def adam_kernel(amsgrad):
    """The Adam update for one chunk of elements; with amsgrad it also takes max_exp_avg_sq."""

    def kernel(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, decay, weight_decay, w1,
               lerp_low, one_minus_w1, beta2, one_minus_beta2, bias_correction2_sqrt, eps,
               neg_step_size, maximize, decoupled):
        if maximize:
            grad = -grad
        if weight_decay != 0:
            if decoupled:
                param = param * decay
            else:
                grad = grad + weight_decay * param
        if lerp_low:  # torch's lerp: m + w (g - m) for w < 0.5, else g - (g - m)(1 - w)
            exp_avg = exp_avg + w1 * (grad - exp_avg)
        else:
            exp_avg = grad - (grad - exp_avg) * one_minus_w1
        exp_avg_sq = exp_avg_sq * beta2 + one_minus_beta2 * grad * grad
        if amsgrad:
            max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
            denom = np.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps
        else:
            denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        param = param + neg_step_size * (exp_avg / denom)
        return param, exp_avg, exp_avg_sq, max_exp_avg_sq

    if amsgrad:
        return kernel

    def plain(param, grad, exp_avg, exp_avg_sq, decay, weight_decay, w1, lerp_low,
              one_minus_w1, beta2, one_minus_beta2, bias_correction2_sqrt, eps, neg_step_size,
              maximize, decoupled):
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
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        param = param + neg_step_size * (exp_avg / denom)
        return param, exp_avg, exp_avg_sq

    return plain


def lerp_scalars(f, weight):
    """The scalars of torch's lerp for a float weight, in the parameter's dtype."""
    w = f(weight)
    return w, bool(abs(w) < 0.5), f(1) - w


class Adam(ElementwiseOptimizer):
    r"""Implements the Adam algorithm.

    .. math::
       \begin{aligned}
         & g_t \leftarrow -g_t \ \text{if maximize} \\
         & \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda) \ \text{if decoupled, else }
           g_t \leftarrow g_t + \lambda \theta_{t-1} \\
         & m_t \leftarrow \mathrm{lerp}(m_{t-1}, g_t, 1 - \beta_1) \\
         & v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
         & \hat v_t \leftarrow \max(\hat v_{t-1}, v_t) \ \text{if amsgrad, else } \hat v_t = v_t \\
         & \theta_t \leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}
             \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}
       \end{aligned}

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups
        lr (float, Tensor, optional): learning rate :math:`\gamma` (default: 1e-3)
        betas (Tuple[float, float], optional): :math:`\beta_1, \beta_2` (default: (0.9, 0.999))
        eps (float, optional): :math:`\epsilon` (default: 1e-8)
        weight_decay (float, optional): :math:`\lambda` (default: 0)
        amsgrad (bool, optional): use the AMSGrad variant (default: False)
        foreach, fused (bool, optional): accepted; each group already runs one kernel over a
            flat buffer (default: None)
        maximize (bool, optional): maximize the objective (default: False)
        capturable (bool, optional): accepted; there are no CUDA graphs to capture here
        differentiable (bool, optional): record the step in the autograd graph (default: False)
        decoupled_weight_decay (bool, optional): AdamW's decay (default: False)

    Example::

        >>> import gradstep as torch
        >>> w = torch.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = torch.optim.Adam([w], lr=0.1)
        >>> (w ** 2).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
        check_lr(lr)
        check_eps(eps)
        check_betas(betas)
        check_weight_decay(weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     f"capturable=False and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.item() if isinstance(b, Tensor) else b for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
            group.setdefault("decoupled_weight_decay", False)

    def _keys(self, group):
        if group["amsgrad"]:
            return ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
        state["exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p._data))

    def _kernel(self, group):
        return adam_kernel(bool(group["amsgrad"]))

    def _hyper(self, group, step, dtype):
        f = dtype.type
        lr = scalar(group["lr"])
        beta1, beta2 = (scalar(b) for b in group["betas"])
        wd = scalar(group["weight_decay"])
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        w1, low, one_minus_w1 = lerp_scalars(f, 1 - beta1)
        return (f(1 - lr * wd), f(wd), w1, low, one_minus_w1, f(beta2), f(1 - beta2),
                f(bias_correction2 ** 0.5), f(group["eps"]), f(-step_size),
                bool(group["maximize"]), bool(group["decoupled_weight_decay"]))
