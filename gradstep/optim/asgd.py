"""ASGD: averaged stochastic gradient descent."""
import numpy as np

from .._tensor import Tensor
from ._common import check_lr, check_weight_decay, scalar
from ._flat import ElementwiseOptimizer

__all__ = ["ASGD"]


def asgd_kernel(param, grad, ax, weight_decay, decay, neg_eta, mu, average, maximize):
    """The ASGD update for one chunk; returns (param, ax)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    param = param * decay
    param = param + neg_eta * grad
    if average:
        ax = ax + (param - ax) * mu
    else:
        ax = param
    return param, ax


class ASGD(ElementwiseOptimizer):
    r"""Implements averaged stochastic gradient descent.

    .. math::
       \begin{aligned}
         & \theta_t \leftarrow \theta_{t-1}(1 - \lambda\eta_{t-1}) - \eta_{t-1} g_t, \qquad
           a_t \leftarrow a_{t-1} + \mu_{t-1}(\theta_t - a_{t-1}) \\
         & \eta_t \leftarrow \gamma / (1 + \lambda\gamma t)^\alpha, \qquad
           \mu_t \leftarrow 1 / \max(1, t - t_0)
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): :math:`\gamma` (default: 1e-2)
        lambd (float, optional): decay term :math:`\lambda` (default: 1e-4)
        alpha (float, optional): power for the eta update (default: 0.75)
        t0 (float, optional): the step at which averaging starts (default: 1e6)
        weight_decay (float, optional): L2 penalty (default: 0)
        foreach, maximize, differentiable, capturable: as for :class:`Adam`

    .. note::
        ``eta`` and ``mu`` are per-parameter float32 tensors, as in torch, so the groups run
        per parameter rather than over a flat buffer.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_weight_decay(weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _keys(self, group):
        return ("ax",)

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))
        state["eta"] = Tensor._make(np.array(scalar(group["lr"]), np.float32))
        state["mu"] = Tensor._make(np.ones((), np.float32))
        state["ax"] = Tensor._make(np.zeros_like(p._data))

    kernel = staticmethod(asgd_kernel)

    def _flat_for(self, group, params, keys):
        return None

    def _step_param(self, group, p, keys):
        state = self.state[p]
        if len(state) == 0:
            self._init_state(group, p, state)
        eta = float(state["eta"]._data)
        mu = float(state["mu"]._data)
        lambd = group["lambd"]

        def hyper(g, step, dtype):
            f = dtype.type
            return (f(g["weight_decay"]), f(1 - lambd * eta), f(-eta), f(mu), mu != 1,
                    bool(g["maximize"]))

        self._hyper = hyper
        try:
            super()._step_param(group, p, keys)
        finally:
            del self._hyper
        step = float(state["step"]._data)
        lr = scalar(group["lr"])
        # torch makes float32 tensors of the new values, then copies them into the state
        state["eta"]._data[...] = np.float32(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        state["mu"]._data[...] = np.float32(1 / max(1, step - group["t0"]))
