"""``gradstep.linalg``: torch.linalg's namespace. Norms and singular values come from
``gradstep._ops.reduction``, matrix functions and decompositions from ``gradstep._ops.decomp``,
products from ``gradstep._ops.linalg``."""
from ._ops.reduction import linalg_norm as norm
from ._ops.reduction import matrix_norm, svdvals, vector_norm
from ._ops.linalg import linalg_multi_dot as multi_dot
from ._ops.decomp import (det, slogdet, inv, inv_ex, solve, solve_ex, cholesky, cholesky_ex,
                          eigh, eigvalsh, qr, svd, pinv, matrix_power, matrix_exp, matrix_rank,
                          lstsq, solve_triangular, cross, vecdot, lu_factor, cond)

__all__ = ["norm", "vector_norm", "matrix_norm", "svdvals", "multi_dot", "det", "slogdet", "inv",
           "inv_ex", "solve", "solve_ex", "cholesky", "cholesky_ex", "eigh", "eigvalsh", "qr",
           "svd", "pinv", "matrix_power", "matrix_exp", "matrix_rank", "lstsq",
           "solve_triangular", "cross", "vecdot", "lu_factor", "cond", "LinAlgError"]


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a linear-algebra routine failed on its input (an SVD that
    cannot converge on inf or NaN, a singular matrix to invert). A RuntimeError, as torch's."""


def __getattr__(name):
    # whatever else gradstep._ops.linalg defines (products) is found by name
    from ._ops import linalg as _impl
    if not name.startswith("_"):
        value = getattr(_impl, name, None)
        if value is not None:
            return value
    raise AttributeError(f"module 'gradstep.linalg' has no attribute '{name}'")
