"""OpenMP probe: gradstep's CPU kernels are NumPy's, not OpenMP's."""


def is_available():
    """False: gradstep does not use OpenMP itself."""
    return False
