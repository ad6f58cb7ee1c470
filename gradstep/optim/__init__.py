"""gradstep.optim: every torch.optim optimizer; lr_scheduler and swa_utils as submodules."""
from .optimizer import (Optimizer, register_optimizer_step_pre_hook,
                        register_optimizer_step_post_hook)
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .adagrad import Adagrad
from .adadelta import Adadelta
from .rmsprop import RMSprop
from .rprop import Rprop
from .asgd import ASGD
from .lbfgs import LBFGS
from .sparse_adam import SparseAdam
from .adafactor import Adafactor
from .muon import Muon

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad",
           "Adadelta", "RMSprop", "Rprop", "ASGD", "LBFGS", "SparseAdam", "Adafactor", "Muon",
           "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

from . import lr_scheduler, swa_utils  # noqa: E402  (submodules, as torch.optim)
