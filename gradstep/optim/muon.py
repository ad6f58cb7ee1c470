"""Muon: momentum whose update is orthogonalized by a Newton-Schulz iteration (2-D only)."""
import math

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x):
    """Round float32 values to bfloat16 precision (nearest even), kept as float32."""
    x = np.asarray(x, np.float32)
    bits = x.view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) & np.uint32(0xFFFF0000)
    return np.where(np.isnan(x), x, rounded.view(np.float32))


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """Orthogonalize a matrix with a quintic Newton-Schulz iteration, in bfloat16 precision."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = _bf16(grad.astype(np.float32))
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    x = _bf16(x / max(float(_bf16(np.sqrt((x * x).sum()))), eps))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(b * gram + c * (gram @ gram))
        x = _bf16(a * x + gram_update @ x)
    if tall:
        x = x.T
    return x


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    """Muon's shape-dependent learning-rate scale."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(A, B))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    r"""Implements Muon (for 2-D parameters).

    .. math::
       \begin{aligned}
         & B_t \leftarrow \mathrm{lerp}(B_{t-1}, g_t, 1 - \mu), \qquad
           \tilde B_t \leftarrow \mathrm{lerp}(g_t, B_t, \mu) \text{ if nesterov, else } B_t \\
         & O_t \leftarrow \mathrm{NS}^{(a,b,c)}_k(\tilde B_t; \epsilon), \qquad
           \theta_t \leftarrow \theta_{t-1}(1 - \gamma\lambda) - \mathrm{adjust}(\gamma) O_t
       \end{aligned}

    Args:
        params (iterable): 2-D parameters or param groups
        lr (float, optional): :math:`\gamma` (default: 1e-3)
        weight_decay (float, optional): :math:`\lambda` (default: 0.1)
        momentum (float, optional): :math:`\mu` (default: 0.95)
        nesterov (bool, optional): (default: True)
        ns_coefficients (tuple, optional): :math:`(a, b, c)` (default: (3.4445, -4.775, 2.0315))
        eps (float, optional): (default: 1e-7)
        ns_steps (int, optional): :math:`k` (default: 5)
        adjust_lr_fn (str, optional): ``"original"`` (:math:`\sqrt{\max(1, A/B)}`) or
            ``"match_rms_adamw"`` (:math:`0.2\sqrt{\max(A, B)}`) (default: None, the original)

    .. note::
        torch runs the Newton-Schulz iteration in bfloat16; here each step is rounded to
        bfloat16 precision, so results agree with torch's to bfloat16 round-off.
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS,
                 ns_steps=DEFAULT_NS_STEPS, adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum,
                    "nesterov": nesterov, "ns_coefficients": ns_coefficients, "eps": eps,
                    "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): a closure that reevaluates the model and returns
                the loss
        """
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = group["momentum"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                grad = p._grad._data
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = Tensor._make(np.zeros_like(grad))
                if grad.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                buf = state["momentum_buffer"]._data
                f = grad.dtype.type
                w = f(1 - momentum)
                buf[...] = buf + w * (grad - buf) if abs(w) < 0.5 else \
                    grad - (grad - buf) * (f(1) - w)
                if group["nesterov"]:
                    m = f(momentum)
                    update = grad + m * (buf - grad) if abs(m) < 0.5 else \
                        buf - (buf - grad) * (f(1) - m)
                else:
                    update = buf
                update = _zeropower_via_newtonschulz(update, group["ns_coefficients"],
                                                     group["ns_steps"], group["eps"])
                adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.shape)
                p._data *= f(1 - lr * group["weight_decay"])
                p._data += f(-adjusted_lr) * update.astype(grad.dtype)
                p._bump_version()
        return loss
