"""Adafactor: factored second-moment estimates (row and column means for matrices)."""
import numpy as np

from .._tensor import Tensor
from ._common import scalar
from ._flat import ElementwiseOptimizer

__all__ = ["Adafactor"]


def _lerp(a, b, w):
    # torch's lerp for a scalar weight
    w = a.dtype.type(w)
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (a.dtype.type(1) - w)


class Adafactor(ElementwiseOptimizer):
    r"""Implements Adafactor.

    .. math::
       \begin{aligned}
         & \hat\beta_{2t} = t^{c}, \quad \rho_t = \min(\gamma, 1/\sqrt t), \quad
           \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\rho_t \\
         & \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda) \\
         & R_t \leftarrow \mathrm{lerp}(R_{t-1}, \overline{g_t^2}^{\text{row}}, \hat\beta_{2t}),
           \ C_t \leftarrow \mathrm{lerp}(C_{t-1}, \overline{g_t^2}^{\text{col}}, \hat\beta_{2t}),
           \ \hat v_t = \frac{R_t C_t}{\max(\overline{R_t}, \epsilon_1)} \text{ (matrices; else }
           v_t \leftarrow \mathrm{lerp}(v_{t-1}, g_t^2, \hat\beta_{2t})) \\
         & U_t = g_t / \sqrt{\max(\hat v_t, \epsilon_1^2)}, \quad
           \theta_t \leftarrow \theta_{t-1} - \frac{\alpha_t}{\max(1, \mathrm{RMS}(U_t)/d)} U_t
       \end{aligned}

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): :math:`\gamma` (default: 1e-2)
        beta2_decay (float, optional): :math:`c` (default: -0.8)
        eps (Tuple[float, float], optional): :math:`(\epsilon_1, \epsilon_2)`; None for
            :math:`\epsilon_1` means the dtype's machine epsilon (default: (None, 1e-3))
        d (float, optional): the clipping threshold (default: 1.0)
        weight_decay (float, optional): :math:`\lambda` (default: 0.0)
        foreach, maximize: as for :class:`Adam`
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _flat_for(self, group, params, keys):
        return None  # the update needs norms per parameter

    def _step_param(self, group, p, keys):
        grad = p._grad._data
        if group["maximize"]:
            grad = -grad
        state = self.state[p]
        if len(state) == 0:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            if grad.ndim > 1:
                row_shape = list(grad.shape)
                row_shape[-1] = 1
                state["row_var"] = Tensor._make(np.zeros(row_shape, grad.dtype))
                col_shape = list(grad.shape)
                col_shape[-2] = 1
                state["col_var"] = Tensor._make(np.zeros(col_shape, grad.dtype))
            else:
                state["variance"] = Tensor._make(np.zeros_like(grad))
        lr = scalar(group["lr"])
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(p._data.dtype).eps)
        f = p._data.dtype.type
        state["step"]._data += 1
        step = float(state["step"]._data)
        one_minus_beta2_t = step ** group["beta2_decay"]
        rho_t = min(lr, 1 / (step ** 0.5))
        param = p._data
        alpha = max(eps2, float(np.sqrt((param * param).sum())) / (param.size ** 0.5)) * rho_t
        wd = group["weight_decay"]
        if wd != 0:
            param *= f(1 - lr * wd)
        if grad.ndim > 1:
            row_var, col_var = state["row_var"]._data, state["col_var"]._data
            row_mean = (grad * grad).sum(-1, keepdims=True) / f(grad.shape[-1])
            row_var[...] = _lerp(row_var, row_mean, one_minus_beta2_t)
            col_mean = (grad * grad).sum(-2, keepdims=True) / f(grad.shape[-2])
            col_var[...] = _lerp(col_var, col_mean, one_minus_beta2_t)
            var_estimate = row_var @ col_var
            var_estimate = var_estimate / np.maximum(row_var.mean(-2, keepdims=True), f(eps1))
        else:
            variance = state["variance"]._data
            variance[...] = _lerp(variance, grad * grad, one_minus_beta2_t)
            var_estimate = variance.copy()
        update = 1 / np.sqrt(np.maximum(var_estimate, f(eps1 * eps1)))
        update = update * grad
        denom = max(1.0, float(np.sqrt((update * update).sum()))
                    / ((update.size ** 0.5) * group["d"]))
        param += f(-alpha / denom) * update
        p._bump_version()
