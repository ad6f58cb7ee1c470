"""gradstep.nn: modules, layers, losses, functional, init and utils, as torch.nn.

Each area re-exports its public names in its own block below.
"""
from .parameter import Parameter, Buffer
from . import functional, init, utils

# --- module system and containers ---
from .modules.module import Module

# --- activations ---

# --- losses ---

# --- linear, normalization, dropout, embedding, flatten ---

# --- convolution, pooling, padding, upsampling ---

# --- recurrent, attention, transformer ---
