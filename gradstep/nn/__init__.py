"""gradstep.nn: modules, layers, losses, functional, init and utils, as torch.nn.

Each area re-exports its public names in its own block below.
"""
from .parameter import Parameter, Buffer
from . import functional, init, utils

# --- module system and containers ---
from .modules.module import Module
from .modules.container import (Sequential, ModuleList, ModuleDict, ParameterList,
                                ParameterDict)

# --- activations ---
from .modules.activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish,
                                 Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU,
                                 ReLU6, RReLU, SiLU, Sigmoid, Softmax, Softmax2d, Softmin, Softplus,
                                 Softshrink, Softsign, Tanh, Tanhshrink, Threshold)

# --- losses ---
from .modules.loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss,
                           CTCLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss, KLDivLoss,
                           L1Loss, MarginRankingLoss, MSELoss, MultiLabelMarginLoss,
                           MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, PoissonNLLLoss,
                           SmoothL1Loss, SoftMarginLoss, TripletMarginLoss,
                           TripletMarginWithDistanceLoss)

# --- linear, normalization, dropout, embedding, flatten ---
from .modules.linear import Identity, Linear, Bilinear, LazyLinear, UninitializedParameter
from .modules.batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                                InstanceNorm2d, InstanceNorm3d)
from .modules.normalization import LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm
from .modules.dropout import (Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout,
                              FeatureAlphaDropout)
from .modules.sparse import Embedding, EmbeddingBag
from .modules.flatten import Flatten, Unflatten
from .modules.distance import CosineSimilarity, PairwiseDistance

# --- convolution, pooling, padding, upsampling ---
from .modules.conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
                           ConvTranspose3d)
from .modules.pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d,
                              AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, LPPool1d,
                              LPPool2d, MaxUnpool1d, MaxUnpool2d)
from .modules.padding import (ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d,
                              ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                              ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                              CircularPad1d, CircularPad2d, CircularPad3d)
from .modules.upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
from .modules.pixelshuffle import PixelShuffle, PixelUnshuffle, ChannelShuffle
from .modules.fold import Fold, Unfold

# --- recurrent, attention, transformer ---
from .modules.rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
from .modules.attention import MultiheadAttention
from .modules.transformer import (Transformer, TransformerEncoder, TransformerDecoder,
                                  TransformerEncoderLayer, TransformerDecoderLayer)
