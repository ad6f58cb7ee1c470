"""``gradstep.return_types``: the named tuples of ops returning several tensors (torch's
structseqs), e.g. ``max(x, dim)`` gives ``return_types.max(values=..., indices=...)``."""
from ._ops.reduction import return_types as _rt
from ._ops.scan import return_types as _scan_rt
from ._ops.decomp import return_types as _la_rt

max = _rt.max  # noqa: A001
min = _rt.min  # noqa: A001
sort = _rt.sort
topk = _rt.topk
kthvalue = _rt.kthvalue
median = _rt.median
mode = _rt.mode
aminmax = _rt.aminmax
cummax = _scan_rt.cummax
cummin = _scan_rt.cummin
linalg_slogdet = _la_rt.linalg_slogdet
slogdet = _la_rt.slogdet
linalg_inv_ex = _la_rt.linalg_inv_ex
linalg_solve_ex = _la_rt.linalg_solve_ex
linalg_cholesky_ex = _la_rt.linalg_cholesky_ex
linalg_eigh = _la_rt.linalg_eigh
linalg_qr = _la_rt.linalg_qr
qr = _la_rt.qr
linalg_svd = _la_rt.linalg_svd
svd = _la_rt.svd
linalg_lstsq = _la_rt.linalg_lstsq
linalg_lu_factor = _la_rt.linalg_lu_factor
triangular_solve = _la_rt.triangular_solve

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "mode", "aminmax", "cummax",
           "cummin", "linalg_slogdet", "slogdet", "linalg_inv_ex", "linalg_solve_ex",
           "linalg_cholesky_ex", "linalg_eigh", "linalg_qr", "qr", "linalg_svd", "svd",
           "linalg_lstsq", "linalg_lu_factor", "triangular_solve"]
