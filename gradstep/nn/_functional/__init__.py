"""Private implementations behind gradstep.nn.functional, one file per area."""
