"""gradstep.backends: torch's backend flags, answered for gradstep (NumPy BLAS on CPU, CuPy on GPU).

Scripts set flags like ``torch.backends.cudnn.benchmark = True``; they are accepted and have no
effect here, and the ``is_available()`` probes say what this machine has.
"""
from . import cpu, cuda, cudnn, mkldnn, mps, openmp  # noqa: F401
