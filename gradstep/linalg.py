"""``gradstep.linalg``: torch.linalg's namespace (norms here; decompositions and products from
``gradstep._ops.linalg``, found by name)."""
from ._ops.reduction import linalg_norm as norm
from ._ops.reduction import matrix_norm, vector_norm

__all__ = ["norm", "vector_norm", "matrix_norm"]


def __getattr__(name):
    # torch.linalg also holds the matrix functions (det, inv, solve, svd, ...), written in
    # gradstep._ops.linalg; expose whichever of them that module defines.
    from ._ops import linalg as _impl
    if not name.startswith("_"):
        value = getattr(_impl, name, None)
        if value is not None:
            return value
    raise AttributeError(f"module 'gradstep.linalg' has no attribute '{name}'")
