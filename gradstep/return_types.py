"""``gradstep.return_types``: the named tuples of ops returning several tensors (torch's
structseqs), e.g. ``max(x, dim)`` gives ``return_types.max(values=..., indices=...)``."""
from ._ops.reduction import return_types as _rt
from ._ops.scan import return_types as _scan_rt

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

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "mode", "aminmax", "cummax",
           "cummin"]
