"""The Module classes behind gradstep.nn, one file per area (as torch.nn.modules)."""
