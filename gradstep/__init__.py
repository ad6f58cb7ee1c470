"""gradstep: PyTorch's training core (tensors, autograd, nn, optim) in readable Python over NumPy."""
import warnings as _warnings

# NumPy's floating-point warnings (log(0), overflow in exp) raised from gradstep's own lines are
# silenced, as torch computes inf/nan silently; warnings from the user's NumPy code are untouched.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradstep(\.|$)")

from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types,  # noqa: E402
                     float16, float32, float64, int8, int16, int32, int64, uint8)
from ._dtype import bool_ as bool  # noqa: E402,A001
from ._device import device  # noqa: E402
from ._size import Size  # noqa: E402
from ._layout import (layout, strided, sparse_coo, memory_format,  # noqa: E402
                      contiguous_format, preserve_format, channels_last, channels_last_3d)
from ._info import is_tensor, numel, is_floating_point, finfo, iinfo  # noqa: E402
from ._tensor import Tensor  # noqa: E402
from ._creation import (tensor, as_tensor, from_numpy, zeros, ones, full, empty,  # noqa: E402
                        eye, arange, linspace, logspace, zeros_like, ones_like, full_like,
                        empty_like, FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                        ShortTensor, CharTensor, ByteTensor, BoolTensor)
from ._random import (Generator, default_generator, manual_seed, seed,  # noqa: E402
                      initial_seed, get_rng_state, set_rng_state, rand, randn, randint, randperm,
                      normal, multinomial, bernoulli, poisson, rand_like, randn_like,
                      randint_like)
from . import _random as random  # noqa: E402  (torch.random: manual_seed, fork_rng, ...)
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled,  # noqa: E402
                                 inference_mode, is_grad_enabled, is_inference_mode_enabled)
from . import autograd  # noqa: E402
from .autograd.anomaly_mode import (is_anomaly_enabled,  # noqa: E402
                                   is_anomaly_check_nan_enabled, set_anomaly_enabled)
from ._tensor_str import set_printoptions  # noqa: E402
from ._ops.arith import (add, sub, subtract, mul, multiply, div, divide,  # noqa: E402
                         true_divide, floor_divide, remainder, fmod, pow, neg, negative,
                         reciprocal, addcmul, addcdiv, lerp, rsub)
from ._ops.elementwise import (exp, exp2, log, log2, log10, log1p, expm1,  # noqa: E402
                               sqrt, rsqrt, square, abs, absolute, sign, sin, cos, tan, asin,
                               arcsin, acos, arccos, atan, arctan, atan2, arctan2, sinh, cosh,
                               tanh, sigmoid, logit, erf, relu, clamp, clip, clamp_min,
                               clamp_max, maximum, minimum, where, floor, ceil, round, trunc,
                               fix, frac)
from ._ops.compare import (eq, ne, not_equal, lt, less, le, less_equal, gt,  # noqa: E402
                           greater, ge, greater_equal, isclose, allclose, equal, isnan, isinf,
                           isfinite, isposinf, isneginf, logical_and, logical_or, logical_xor,
                           logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not, any,
                           all, nan_to_num)
from ._ops.shape import (reshape, flatten, unflatten, squeeze,  # noqa: E402
                         unsqueeze, permute, movedim, moveaxis, transpose, swapaxes, swapdims, t,
                         adjoint, broadcast_to, broadcast_shapes, broadcast_tensors, repeat_interleave, tile, cat, concat, concatenate, stack, hstack, vstack,
                         dstack, column_stack, atleast_1d, atleast_2d, atleast_3d, split,
                         tensor_split, chunk, unbind, flip, fliplr, flipud, roll, narrow, tril,
                         triu, diag, diagonal, diag_embed, ravel)
from ._ops.indexing import (gather, scatter, scatter_add, index_select,  # noqa: E402
                            index_add, index_fill, index_copy, index_put, masked_fill,
                            masked_select, masked_scatter, nonzero, argwhere, take,
                            take_along_dim, put)
from ._ops.linalg import (matmul, mm, bmm, mv, dot, vdot, inner, outer, ger,  # noqa: E402
                          einsum, tensordot, addmm, addmv, addbmm, baddbmm, addr, chain_matmul)

from ._ops.reduction import (sum, nansum, mean, nanmean, prod, max, min,  # noqa: E402,A004
                             amax, amin, aminmax, argmax, argmin, var, std, var_mean, std_mean,
                             norm, logsumexp, cumsum, cumprod, sort, argsort, msort, topk,
                             kthvalue, median, mode, count_nonzero, softmax, log_softmax)
from . import linalg, return_types  # noqa: E402

half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

__version__ = "0.1.0"
from . import nn, optim, utils  # noqa: E402
from . import distributions  # noqa: E402
from . import accelerator, backends, cuda, datasets  # noqa: E402
from ._torch_alias import install as install_as_torch  # noqa: E402
from ._runtime import (get_num_threads, set_num_threads, get_num_interop_threads,  # noqa: E402
                       set_num_interop_threads, set_default_device, get_default_device,
                       use_deterministic_algorithms, are_deterministic_algorithms_enabled,
                       set_float32_matmul_precision, get_float32_matmul_precision, compile)
from .utils import data as _data  # noqa: E402,F401  (makes gradstep.utils.data importable)
from . import serialization  # noqa: E402
from .serialization import save, load  # noqa: E402
from ._ops.indexing import (as_strided, diagflat, dsplit, hsplit, meshgrid,  # noqa: E402
                            narrow_copy, rot90, scatter_reduce, select, split_with_sizes,
                            tril_indices, triu_indices, unfold, vsplit)
from ._ops.linalg import kron  # noqa: E402
from ._ops.reduction import nanmedian  # noqa: E402
from ._ops.special import (asinh, arcsinh, acosh, arccosh, atanh, arctanh,  # noqa: E402
                           erfc, erfinv, lgamma, digamma, polygamma, xlogy, logaddexp,
                           logaddexp2, hypot, copysign, signbit, sgn, positive, deg2rad,
                           rad2deg, float_power, fmax, fmin, heaviside, sinc)
from ._ops.scan import cummax, cummin, logcumsumexp, diff  # noqa: E402
from ._ops.stats import trace, dist, quantile, nanquantile, cov, corrcoef  # noqa: E402
from ._ops.sets import (unique, unique_consecutive, isin, searchsorted,  # noqa: E402
                        bucketize, bincount, histc)
from ._ops.misc import (clone, detach, result_type, can_cast, is_nonzero,  # noqa: E402
                        is_same_size, scalar_tensor, asarray, block_diag, cartesian_prod,
                        combinations, cdist, cross, vander, trapezoid, trapz, renorm)
from ._ops.decomp import (det, logdet, inverse, pinverse, matrix_power,  # noqa: E402
                          matrix_exp, triangular_solve)
from ._ops.decomp import _slogdet_legacy as slogdet  # noqa: E402
from ._ops.decomp import cholesky_legacy as cholesky  # noqa: E402
from ._ops.decomp import svd_legacy as svd, qr_legacy as qr  # noqa: E402
from ._ops.decomp import lstsq_removed as lstsq, symeig_removed as symeig  # noqa: E402
from ._ops.decomp import eig_removed as eig, matrix_rank_removed as matrix_rank  # noqa: E402
