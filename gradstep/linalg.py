"""``gradstep.linalg``: torch.linalg's namespace (norms and singular values here; decompositions
and products from ``gradstep._ops.linalg``, found by name)."""
from ._ops.reduction import linalg_norm as norm
from ._ops.reduction import matrix_norm, svdvals, vector_norm
from ._ops.linalg import linalg_multi_dot as multi_dot

__all__ = ["norm", "vector_norm", "matrix_norm", "svdvals", "LinAlgError"]


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a linear-algebra routine failed on its input (an SVD that
    cannot converge on inf or NaN, say). A RuntimeError, as torch's."""


def __getattr__(name):
    # torch.linalg also holds the matrix functions (det, inv, solve, svd, ...), written in
    # gradstep._ops.linalg; expose whichever of them that module defines.
    from ._ops import linalg as _impl
    if not name.startswith("_"):
        value = getattr(_impl, name, None)
        if value is not None:
            return value
    raise AttributeError(f"module 'gradstep.linalg' has no attribute '{name}'")
