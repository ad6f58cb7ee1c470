"""SparseAdam: Adam for sparse gradients (gradstep has no sparse tensors; see the class)."""
from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""Implements the lazy Adam variant for sparse gradients.

    Only the moments of the rows present in a sparse gradient are updated:

    .. math::
       m \leftarrow m + (1 - \beta_1)(g - m), \quad v \leftarrow v + (1 - \beta_2)(g^2 - v),
       \quad \theta \leftarrow \theta - \frac{\gamma\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}
       \frac{m}{\sqrt v + \epsilon} \quad \text{on the gradient's nonzero entries}

    gradstep has no sparse tensors (``nn.Embedding(sparse=True)`` produces dense gradients), so
    ``step`` raises torch's error for a dense gradient: use :class:`Adam` instead.

    Args:
        params (iterable): parameters or param groups
        lr (float, Tensor, optional): (default: 1e-3)
        betas (Tuple[float, float], optional): (default: (0.9, 0.999))
        eps (float, optional): (default: 1e-8)
        maximize (bool, optional): (default: False)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform a single optimization step (sparse gradients only, as in torch).

        Args:
            closure (Callable, optional): a closure that reevaluates the model and returns
                the loss
        """
        loss = self._run_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None and not p._grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
        return loss
