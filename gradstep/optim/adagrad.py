"""Adagrad: per-element learning rates from the running sum of squared gradients."""
import numpy as np

from .._tensor import Tensor
from ._common import check_eps, check_fused, check_lr, check_weight_decay, scalar
from ._flat import ElementwiseOptimizer

__all__ = ["Adagrad"]


def adagrad_kernel(param, grad, state_sum, weight_decay, eps, neg_clr, maximize):
    """The Adagrad update for one chunk; returns (param, sum)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    state_sum = state_sum + grad * grad
    std = np.sqrt(state_sum) + eps
    return param + neg_clr * (grad / std), state_sum


class Adagrad(ElementwiseOptimizer):
    r"""Implements the Adagrad algorithm.

    .. math::
       \begin{aligned}
         & \tilde\gamma \leftarrow \gamma / (1 + (t - 1)\eta), \qquad
           s_t \leftarrow s_{t-1} + g_t^2 \\
         & \theta_t \leftarrow \theta_{t-1} - \tilde\gamma \frac{g_t}{\sqrt{s_t} + \epsilon}
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): :math:`\gamma` (default: 1e-2)
        lr_decay (float, optional): :math:`\eta` (default: 0)
        weight_decay (float, optional): L2 penalty (default: 0)
        initial_accumulator_value (float, optional): :math:`s_0` (default: 0)
        eps (float, optional): (default: 1e-10)
        foreach, maximize, differentiable, fused: as for :class:`Adam`

    .. note::
        As in torch, the state (``step`` and ``sum``) is created in the constructor.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        check_weight_decay(weight_decay)
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        check_eps(eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "fused": fused}
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(group, p, self.state[p])

    def _keys(self, group):
        return ("sum",)

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["sum"] = Tensor._make(np.full_like(p._data, group["initial_accumulator_value"]))

    kernel = staticmethod(adagrad_kernel)

    def _hyper(self, group, step, dtype):
        f = dtype.type
        lr = scalar(group["lr"])
        clr = lr / (1 + (step - 1) * group["lr_decay"])
        return (f(group["weight_decay"]), f(group["eps"]), f(-clr), bool(group["maximize"]))
