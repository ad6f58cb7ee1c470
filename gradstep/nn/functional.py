"""gradstep.nn.functional: the stateless form of every layer and loss, as torch.nn.functional.

The implementations live in ``gradstep.nn._functional``; each area re-exports in its block.
"""

# --- activations ---
from ._functional.activation import (celu, celu_, elu, elu_, gelu, glu, hardshrink, hardsigmoid,
                                     hardswish, hardtanh, hardtanh_, leaky_relu, leaky_relu_,
                                     log_softmax, logsigmoid, mish, prelu, relu, relu6, relu_,
                                     rrelu, rrelu_, selu, selu_, sigmoid, silu, softmax, softmin,
                                     softplus, softshrink, softsign, tanh, tanhshrink, threshold,
                                     threshold_, gumbel_softmax)

# --- losses ---
from ._functional.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,
                               cosine_embedding_loss, cross_entropy, ctc_loss, gaussian_nll_loss,
                               hinge_embedding_loss, huber_loss, kl_div, l1_loss,
                               margin_ranking_loss, mse_loss, multi_margin_loss,
                               multilabel_margin_loss, multilabel_soft_margin_loss, nll_loss,
                               poisson_nll_loss,
                               smooth_l1_loss, soft_margin_loss, triplet_margin_loss,
                               triplet_margin_with_distance_loss)

# --- linear, normalization, dropout, embedding, distances ---
from ._functional.linear import linear, bilinear
from ._functional.normalization import (batch_norm, layer_norm, group_norm, rms_norm,
                                        instance_norm, local_response_norm, normalize)
from ._functional.dropout import (dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,
                                  feature_alpha_dropout)
from ._functional.sparse import embedding, embedding_bag, one_hot
from ._functional.distance import cosine_similarity, pairwise_distance, pdist

# --- convolution, pooling, padding, upsampling ---
from ._functional.conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,
                               conv_transpose3d)
from ._functional.pooling import (
    max_pool1d, max_pool2d, max_pool1d_with_indices, max_pool2d_with_indices, avg_pool1d,
    avg_pool2d, adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
    adaptive_max_pool2d, adaptive_max_pool1d_with_indices, adaptive_max_pool2d_with_indices,
    lp_pool1d, lp_pool2d, max_unpool1d, max_unpool2d)
from ._functional.padding import pad
from ._functional.upsampling import (interpolate, upsample, upsample_nearest, upsample_bilinear,
                                     pixel_shuffle, pixel_unshuffle, channel_shuffle)
from ._functional.fold import unfold, fold

# --- recurrent, attention ---
from ._functional.attention import scaled_dot_product_attention, multi_head_attention_forward
