"""Rprop: resilient backpropagation, sign-based step sizes."""
import numpy as np

from .._tensor import Tensor
from ._common import check_lr
from ._flat import ElementwiseOptimizer

__all__ = ["Rprop"]


def rprop_kernel(param, grad, prev, step_size, etaminus, etaplus, one, zero, step_size_min,
                 step_size_max, maximize):
    """The Rprop update for one chunk; returns (param, prev, step_size)."""
    if maximize:
        grad = -grad
    sign = np.sign(grad * prev)
    factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, one))
    step_size = np.minimum(np.maximum(step_size * factor, step_size_min), step_size_max)
    grad = np.where(factor == etaminus, zero, grad)
    param = param - np.sign(grad) * step_size
    return param, grad, step_size


class Rprop(ElementwiseOptimizer):
    r"""Implements the resilient backpropagation algorithm.

    .. math::
       \begin{aligned}
         & \eta_t \leftarrow \eta_+ \text{ if } g_t g_{t-1} > 0, \ \eta_- \text{ if } < 0,
           \ 1 \text{ otherwise}; \quad
           s_t \leftarrow \mathrm{clamp}(s_{t-1}\eta_t, s_{\min}, s_{\max}) \\
         & g_t \leftarrow 0 \text{ where } \eta_t = \eta_-; \quad
           \theta_t \leftarrow \theta_{t-1} - \mathrm{sign}(g_t) s_t; \quad g_{t-1} \leftarrow g_t
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): the initial step size (default: 1e-2)
        etas (Tuple[float, float], optional): :math:`(\eta_-, \eta_+)` (default: (0.5, 1.2))
        step_sizes (Tuple[float, float], optional): :math:`(s_{\min}, s_{\max})`
            (default: (1e-6, 50))
        capturable, foreach, maximize, differentiable: as for :class:`Adam`
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _keys(self, group):
        return ("prev", "step_size")

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["prev"] = Tensor._make(np.zeros_like(p._data))
        state["step_size"] = Tensor._make(np.full_like(p._data, float(group["lr"])))

    kernel = staticmethod(rprop_kernel)

    def _hyper(self, group, step, dtype):
        f = dtype.type
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        return (f(etaminus), f(etaplus), f(1), f(0), f(lo), f(hi), bool(group["maximize"]))
