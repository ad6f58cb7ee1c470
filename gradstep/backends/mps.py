"""Apple MPS probes: gradstep has no MPS backend."""


def is_available():
    """False: no MPS backend."""
    return False


def is_built():
    """False: no MPS backend."""
    return False
