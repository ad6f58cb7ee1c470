"""RMSprop, with optional momentum and centering."""
import functools

import numpy as np

from .._tensor import Tensor
from ._common import check_eps, check_lr, check_weight_decay, scalar
from ._flat import ElementwiseOptimizer
from .adam import lerp_scalars

__all__ = ["RMSprop"]


@functools.lru_cache(maxsize=None)
def rmsprop_kernel(centered, use_momentum):
    """The RMSprop update for one chunk, for one (centered, momentum) variant."""

    def update(param, grad, square_avg, buf, grad_avg, weight_decay, alpha, one_minus_alpha,
               w, lerp_low, one_minus_w, eps, momentum, neg_lr, maximize):
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg = square_avg * alpha + one_minus_alpha * grad * grad
        if centered:
            if lerp_low:
                grad_avg = grad_avg + w * (grad - grad_avg)
            else:
                grad_avg = grad - (grad - grad_avg) * one_minus_w
            avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        if use_momentum:
            buf = buf * momentum + grad / avg
            param = param + neg_lr * buf
        else:
            param = param + neg_lr * (grad / avg)
        return param, square_avg, buf, grad_avg

    if centered and use_momentum:
        return update
    if centered:
        def kernel(param, grad, square_avg, grad_avg, *hyper):
            p, s, _, a = update(param, grad, square_avg, None, grad_avg, *hyper)
            return p, s, a
    elif use_momentum:
        def kernel(param, grad, square_avg, buf, *hyper):
            p, s, b, _ = update(param, grad, square_avg, buf, None, *hyper)
            return p, s, b
    else:
        def kernel(param, grad, square_avg, *hyper):
            p, s, _, _ = update(param, grad, square_avg, None, None, *hyper)
            return p, s
    return kernel


class RMSprop(ElementwiseOptimizer):
    r"""Implements the RMSprop algorithm.

    .. math::
       \begin{aligned}
         & v_t \leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2, \qquad
           \bar g_t \leftarrow \mathrm{lerp}(\bar g_{t-1}, g_t, 1 - \alpha) \ \text{(centered)} \\
         & d_t \leftarrow \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered) or }
           \sqrt{v_t} + \epsilon \\
         & b_t \leftarrow \mu b_{t-1} + g_t / d_t, \ \theta_t \leftarrow \theta_{t-1} - \gamma b_t
           \ \text{if } \mu > 0, \text{ else } \theta_t \leftarrow \theta_{t-1} - \gamma g_t/d_t
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): (default: 1e-2)
        alpha (float, optional): smoothing constant (default: 0.99)
        eps (float, optional): (default: 1e-8)
        weight_decay (float, optional): (default: 0)
        momentum (float, optional): (default: 0)
        centered (bool, optional): normalize by the estimated variance (default: False)
        capturable, foreach, maximize, differentiable: as for :class:`Adam`
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_lr(lr)
        check_eps(eps)
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        check_weight_decay(weight_decay)
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _keys(self, group):
        keys = ("square_avg",)
        if group["momentum"] > 0:
            keys += ("momentum_buffer",)
        if group["centered"]:
            keys += ("grad_avg",)
        return keys

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        for k in self._keys(group):
            state[k] = Tensor._make(np.zeros_like(p._data))

    def _kernel(self, group):
        return rmsprop_kernel(bool(group["centered"]), group["momentum"] > 0)

    def _hyper(self, group, step, dtype):
        f = dtype.type
        alpha = group["alpha"]
        return (f(group["weight_decay"]), f(alpha), f(1 - alpha), *lerp_scalars(f, 1 - alpha),
                f(group["eps"]), f(group["momentum"]), f(-scalar(group["lr"])),
                bool(group["maximize"]))
