"""gradstep.nn.functional: the stateless form of every layer and loss, as torch.nn.functional.

The implementations live in ``gradstep.nn._functional``; each area re-exports in its block.
"""

# --- activations ---

# --- losses ---

# --- linear, normalization, dropout, embedding, distances ---

# --- convolution, pooling, padding, upsampling ---

# --- recurrent, attention ---
