"""oneDNN probe: gradstep uses NumPy's BLAS, not oneDNN."""
enabled = True


def is_available():
    """False: gradstep does not use oneDNN."""
    return False
