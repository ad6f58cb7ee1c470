"""CPU capability probe."""


def get_cpu_capability():
    """The widest SIMD level NumPy dispatches to on this CPU: "AVX512", "AVX2" or "DEFAULT"."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # NumPy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as features
    if features.get("AVX512F"):
        return "AVX512"
    if features.get("AVX2"):
        return "AVX2"
    return "DEFAULT"
