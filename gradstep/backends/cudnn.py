"""cuDNN flags: accepted for compatibility; gradstep does not use cuDNN."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """gradstep never uses cuDNN."""
    return False


def version():
    """No cuDNN: None, as torch answers without it."""
    return None
