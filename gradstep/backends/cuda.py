"""CUDA matmul flags: accepted for compatibility (CuPy's matmul follows its own settings)."""
from .. import _backend


class _MatmulFlags:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built():
    """True when CuPy (gradstep's CUDA backend) is importable and sees a GPU."""
    return _backend.cuda_is_available()
