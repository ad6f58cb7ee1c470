"""gradstep.optim: every torch.optim optimizer; lr_scheduler and swa_utils as submodules."""
