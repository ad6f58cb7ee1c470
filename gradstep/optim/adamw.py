"""AdamW: Adam with decoupled weight decay."""
from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""Implements AdamW: Adam whose weight decay shrinks the parameters directly.

    .. math::
       \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda), \text{ then Adam's update
       (see :class:`Adam`) without the L2 term in } g_t

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups
        lr (float, Tensor, optional): learning rate :math:`\gamma` (default: 1e-3)
        betas (Tuple[float, float], optional): (default: (0.9, 0.999))
        eps (float, optional): (default: 1e-8)
        weight_decay (float, optional): :math:`\lambda` (default: 1e-2)
        amsgrad (bool, optional): use the AMSGrad variant (default: False)
        maximize, foreach, capturable, differentiable, fused: as for :class:`Adam`
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
