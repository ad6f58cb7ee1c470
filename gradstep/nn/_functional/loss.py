"""Loss functions: fused, numerically stable ops for the hot ones, torch's compositions elsewhere.

``cross_entropy`` (class indices of any rank, class probabilities, weight, ignore_index,
label_smoothing), ``nll_loss``, ``binary_cross_entropy(_with_logits)`` and the pointwise regression
losses are each one ``Op`` whose forward computes the reduced loss from arrays and whose backward
writes the input gradient directly: no chain of small ops, no materialised one-hot matrix in the
common case, finite values and gradients at logits of +-1e4.

Reductions follow torch: ``'mean'`` of a weighted classification loss divides by the sum of the
weights of the counted targets (so an empty batch, or one whose targets are all ignored, gives
NaN), ``'batchmean'`` divides by the batch size. The deprecated ``size_average`` / ``reduce``
arguments map to a reduction with torch's warning.

Under ``create_graph=True`` the fused ops' backward recomputes its value with differentiable
gradstep ops, so double backward works (weights, which torch does not differentiate, stay
constants).
"""
import functools
import math
import warnings

import numpy as np

from ... import _alloc, _tensor
from ..._ops import reduction as _red
from ..._ops._util import promote_operands, scalar_type_name, sum_to
from ..._ops.higher_order import double_name, input_at, link
from ...autograd.graph import Op, named_as

Tensor = _tensor.Tensor

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
           "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss", "soft_margin_loss",
           "multi_margin_loss", "ctc_loss"]

_REDUCTIONS = ("none", "mean", "sum")
_BCE_EPS = float(np.float32(1e-12))  # torch's clamp of x (1 - x) in BCE's gradient, a float


# ----- reduction arguments -----

def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction the deprecated ``size_average`` / ``reduce`` pair stands for."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", UserWarning, stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    """The effective reduction string, validated as torch's ``get_enum``."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    return _check_reduction(reduction)


def _check_reduction(reduction):
    if reduction in _REDUCTIONS:
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", UserWarning, stacklevel=3)
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    """Apply a reduction to an elementwise loss tensor (the composed losses)."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_array(loss, reduction, count=None):
    """Reduce an elementwise loss array; ``count`` is the mean's denominator (default: size)."""
    if reduction == "none":
        return loss
    total = np.add.reduce(loss, axis=None, dtype=loss.dtype)  # np.sum, less its wrapper
    if reduction == "sum":
        return np.asarray(total)
    if count is None:
        count = loss.size
    if not count:  # nothing counted: NaN (or inf), silently, as torch
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / count, dtype=loss.dtype)
    return np.asarray(total / count, dtype=loss.dtype)


def _scale(grad, reduction, count):
    """The upstream gradient seen by each element: g, g / count for the mean."""
    if reduction == "mean":
        if not count:  # nothing counted: torch's gradient is 0, not 0 * inf
            return grad * 0
        return grad / count
    return grad


def _type_error(name, arg, position, value):
    return TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{type(value).__name__}")


def _check_tensors(name, *pairs):
    for position, (arg, value) in enumerate(pairs, 1):
        if not isinstance(value, Tensor):
            raise _type_error(name, arg, position, value)


def _size_warning(input, target):
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)


def _not_differentiable(fn, arg, t):
    if t is not None and t._requires_grad:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def _broadcast_shape(*shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        from ..._ops.elementwise import _broadcast_error
        raise _broadcast_error(*shapes) from None


# ----- pointwise regression losses -----

class _PointwiseLoss(Op):
    """A loss of d = x - t, reduced; subclasses give the elementwise value and its d-derivative."""

    @staticmethod
    def value(d, p):
        raise NotImplementedError

    @staticmethod
    def deriv(d, p):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x, t, reduction, p):
        ctx.reduction, ctx.p = reduction, p
        ctx.save_for_backward(x, t)
        d = x - t
        ctx.count = d.size
        return _reduce_array(cls.value(d, p), reduction)

    @classmethod
    def backward(cls, ctx, grad):
        x, t = ctx._arrays
        gd = cls.deriv(x - t, ctx.p) * _scale(grad, ctx.reduction, ctx.count)
        gx = sum_to(gd, x.shape) if ctx.needs_input_grad[0] else None
        gt = sum_to(-gd, t.shape) if ctx.needs_input_grad[1] else None
        return gx, gt


class MseLoss(_PointwiseLoss):
    """l = (x - t)^2;  dl/dx = 2 (x - t) = -dl/dt."""
    name_ = "MseLossBackward0"

    @staticmethod
    def value(d, p):
        return d * d

    @staticmethod
    def deriv(d, p):
        return d * 2


class SmoothL1Loss(_PointwiseLoss):
    """l = d^2 / (2 beta) where |d| < beta, else |d| - beta / 2;  dl/dd = clamp(d / beta, -1, 1)."""
    name_ = "SmoothL1LossBackward0"

    @staticmethod
    def value(d, beta):
        a = np.abs(d)
        return np.where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta)

    @staticmethod
    def deriv(d, beta):
        return np.clip(d / beta, -1, 1)


class HuberLoss(_PointwiseLoss):
    """l = d^2 / 2 where |d| < delta, else delta (|d| - delta / 2);  dl/dd = clamp(d, +-delta)."""
    name_ = "HuberLossBackward0"

    @staticmethod
    def value(d, delta):
        a = np.abs(d)
        return np.where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta)

    @staticmethod
    def deriv(d, delta):
        return np.clip(d, -delta, delta)


def _pointwise_args(name, kernel, input, target):
    _check_tensors(name, ("input", input), ("target", target))
    _size_warning(input, target)
    _broadcast_shape(input.shape, target.shape)
    input, target = promote_operands(input, target)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input._data.dtype)}'")
    return input, target


def _weighted(loss, weight, reduction, input, mean_by_weight=True):
    """torch's composed path for a pointwise loss with an elementwise ``weight``."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(input - target)^2``, reduced."""
    input, target = _pointwise_args("mse_loss", "mse_cpu", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(MseLoss.apply(input, target, "none", None), weight, reduction, input)
    return MseLoss.apply(input, target, reduction, None)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|input - target|``, reduced (torch's composition: sub, abs, mean)."""
    _check_tensors("l1_loss", ("input", input), ("target", target))
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, reduction, input)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1: quadratic below ``beta``, linear above (``beta=0`` is L1)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, size_average, reduce, reduction)
    input, target = _pointwise_args("smooth_l1_loss", "smooth_l1_cpu", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    return SmoothL1Loss.apply(input, target, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss: quadratic below ``delta``, ``delta``-scaled linear above."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _pointwise_args("huber_loss", "huber_cpu", input, target)
    reduction = _check_reduction(reduction)
    if weight is not None:
        return _weighted(HuberLoss.apply(input, target, "none", delta), weight, reduction, input,
                         mean_by_weight=False)
    return HuberLoss.apply(input, target, reduction, delta)


# ----- classification: nll_loss, cross_entropy -----

def _softmax1(x):
    """Along axis 1 of an array: e = exp(x - max) (a ``_alloc`` buffer) and the sums
    s = sum(e), so that softmax = e / s; and ``max`` and ``log(s)`` (keepdims), which give
    log_softmax = (x - max) - log(s).

    NumPy reduces a row of a few classes in one short loop per row: for a batch of logits
    (N, C) with C small, the max runs over a transposed copy instead (C vector passes, 3x
    faster at 128 x 10, the same values), and the sums are BLAS's product with ones."""
    n, c = x.shape[0], x.shape[1]
    if x.ndim == 2 and c < 100 and n > c:
        m = np.maximum.reduce(np.ascontiguousarray(x.T), axis=0)[:, None]
    else:
        m = np.maximum.reduce(x, axis=1, keepdims=True)  # np.max, without its wrapper
    e = np.subtract(x, m, out=_alloc.empty(x.shape, x.dtype))
    np.exp(e, out=e)
    if x.ndim == 2 and x.dtype in _BLAS_FLOATS and c:
        s = np.matmul(e, _alloc.ones(c, x.dtype))[:, None]
    else:
        s = np.add.reduce(e, axis=1, keepdims=True)
    return e, s, m, np.log(s)


def _log_softmax1(x):
    """log_softmax along axis 1 of an array, and the softmax itself."""
    shifted = x - np.max(x, axis=1, keepdims=True)
    p = np.exp(shifted)
    s = np.sum(p, axis=1, keepdims=True)
    shifted -= np.log(s)
    p /= s
    return shifted, p


def _all_counted(t, weight, ignore_index, n_classes, dtype):
    """Whether every target is a class in [0, C) that ``ignore_index`` cannot match, with no
    class weights: then each target counts once with weight 1 (the usual case), and one
    reduction over ``t`` replaces the masks, casts and bounds checks of ``_target_weights``.

    Limited to float32 and float64 with fewer than 2**24 targets, where the count is exact in
    the loss's dtype, so the mean's denominator is the same number either way."""
    if weight is not None or not 0 < t.size <= 1 << 24 or dtype not in _EXACT_COUNT \
            or 0 <= ignore_index < n_classes:
        return False
    if t.dtype == np.int64:  # viewed as unsigned, a negative target is too large as well
        return int(np.maximum.reduce(t.view(np.uint64), axis=None)) < n_classes
    return int(np.maximum.reduce(t, axis=None)) < n_classes  # uint8: never negative


_BLAS_FLOATS = _EXACT_COUNT = (np.dtype(np.float32), np.dtype(np.float64))


def _target_weights(t, weight, ignore_index, dtype):
    """(valid mask, target index with ignored -> 0, per-target weight w[t] (0 where ignored))."""
    valid = t != ignore_index
    tc = t if valid.all() else np.where(valid, t, 0)
    if weight is None:
        w_t = valid.astype(dtype)
    else:
        w_t = weight[tc] * valid
    return valid, tc, w_t


def _check_bounds(t, valid, n_classes):
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")


def _flat_index(tc, shape):
    """Flat (C-order) positions of x[n, t[n, ...], ...] in an array of ``shape`` (N, C, ...).

    One gather or scatter through these replaces take/put_along_axis, which cost far more per call.
    """
    n, c = shape[0], shape[1]
    if len(shape) == 2 and tc.ndim == 1:
        return _row_starts(n, c) + tc
    rest = math.prod(shape[2:])
    if rest == 1:
        return (_row_starts(n, c) + tc.reshape(n)).reshape(tc.shape)
    idx = np.arange(n)[:, None] * (c * rest) + np.arange(rest) + tc.reshape(n, rest) * rest
    return idx.reshape(tc.shape)


@functools.lru_cache(maxsize=32)
def _row_starts(n, c):
    """``arange(n) * c``, read-only: the same batch shape comes back every training step."""
    starts = np.arange(n) * c
    starts.flags.writeable = False
    return starts


def _one_hot(idx, shape, values, dtype):
    """The array a with a[n, t_n, ...] = values[n, ...], else 0 (for create_graph backward)."""
    onehot = np.zeros(shape, dtype)
    onehot.reshape(-1)[idx] = values
    return onehot


class NllLoss(Op):
    """l_i = -w[t_i] x[i, t_i] (0 where t_i is ignored);  dl/dx[i, c] = -w[t_i] at c = t_i.

    The mean divides by the sum of w[t_i] over the counted targets.
    """
    name_ = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, t, weight, ignore_index, reduction):
        valid, tc, w_t = _target_weights(t, weight, ignore_index, x.dtype)
        _check_bounds(t, valid, x.shape[1])
        idx = _flat_index(tc, x.shape)
        loss = -(np.take(x, idx) * w_t)
        total = np.sum(w_t, dtype=x.dtype)
        ctx.args = (reduction, total, idx, w_t, x.shape, x.dtype)
        ctx.save_for_backward(idx)  # a constant, as torch saves the target: a backward frees it
        return _reduce_array(loss, reduction, total)

    @staticmethod
    def backward(ctx, grad):
        reduction, total, idx, w_t, shape, dtype = ctx.args
        coef = -(w_t * _scale(grad, reduction, total))
        gx = np.zeros(shape, dtype)
        gx.reshape(-1)[idx] = coef
        return gx

    @staticmethod
    def graph_backward(ctx, grad):
        """Under create_graph: a constant one-hot times the gradient, depending on x too with
        derivative 0, as torch's ``nll_loss_backward(grad, x, ...)``."""
        reduction, total, idx, w_t, shape, dtype = ctx.args
        onehot = _one_hot(idx, shape, w_t, dtype)
        if reduction == "none":
            gx = -(onehot * np.expand_dims(_scale(grad, reduction, total), 1))
        else:
            gx = -(onehot * _scale(grad, reduction, total))
        return link(gx, double_name(ctx), (input_at(ctx, 0),))


class CrossEntropy(Op):
    """l_i = -sum_c a[i, c] log_softmax(x)[i, c];  dl/dx = softmax(x) sum_c a[i, c] - a[i, :].

    ``a`` is the weighted target distribution: for class indices (1 - eps) w[t_i] at t_i plus
    eps / C w_c everywhere (0 where ignored); for class probabilities w_c ((1 - eps) p + eps / C).
    """
    name_ = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, t, weight, ignore_index, eps, reduction):
        e, e_sum, m, log_sum = _softmax1(x)
        n_classes = x.shape[1]
        wb = None if weight is None else np.reshape(weight, (1, -1) + (1,) * (x.ndim - 2))
        if _all_counted(t, weight, ignore_index, n_classes, x.dtype):
            # w[t_i] = 1 for every i: kept as None, not as an array of ones
            valid = w_t = None
            tc = t
            total = x.dtype.type(t.size)
        else:
            valid, tc, w_t = _target_weights(t, weight, ignore_index, x.dtype)
            _check_bounds(t, valid, n_classes)
            total = np.sum(w_t, dtype=x.dtype)
        idx = _flat_index(tc, x.shape)
        # log_softmax at the targets only: (x - max) - log_sum, in that order
        logp_t = x.reshape(-1)[idx] - m.reshape(tc.shape)  # indexing: a third of np.take's cost
        logp_t -= log_sum.reshape(tc.shape)
        loss = np.negative(logp_t, out=logp_t) if w_t is None else -(logp_t * w_t)
        if eps > 0:
            logp = x - m
            logp -= log_sum
            smooth = -np.sum(logp if wb is None else logp * wb, axis=1)
            if valid is not None:
                smooth = smooth * valid
            loss = loss * (1 - eps) + smooth * (eps / n_classes)
        ctx.args = (eps, reduction, total, valid, idx, w_t, wb)
        ctx.e, ctx.e_sum = e, e_sum  # softmax = e / e_sum, normalised in backward's one pass
        ctx.save_for_backward(x)
        if loss.dtype != x.dtype:
            loss = loss.astype(x.dtype)
        return _reduce_array(loss, reduction, total)

    @staticmethod
    def backward(ctx, grad):
        eps, reduction, total, valid, idx, w_t, wb = ctx.args
        s = _scale(grad, reduction, total)
        x, = ctx._arrays
        shape = x.shape
        n_classes = shape[1]
        dtype = ctx.e.dtype
        if w_t is None:  # every target counted with weight 1: a is the one-hot of t, a_sum 1
            if not eps and type(x) is np.ndarray:
                s_b = s[:, None] if reduction == "none" else s
                gx = np.multiply(ctx.e, s_b / ctx.e_sum, out=_alloc.empty(shape, dtype))
                gx.reshape(-1)[idx] -= s
                return gx
            valid = np.ones(idx.shape, bool)
            w_t = valid.astype(dtype)
        # a's row sums: (1 - eps) w[t] + eps / C sum_c w_c, on counted targets
        a_sum = w_t * (1 - eps) if eps else w_t
        if eps > 0:
            a_sum = a_sum + valid * (eps / n_classes * (n_classes if wb is None else
                                                        float(np.sum(wb))))
        a_sum = a_sum.astype(dtype, copy=False)
        picked = (w_t * (1 - eps)).astype(dtype, copy=False) * s
        s_b = s[:, None] if reduction == "none" else s
        if isinstance(x, Tensor):  # create_graph: the same formula on differentiable ops
            from ..._ops.elementwise import exp
            p = exp(_red.log_softmax(x, 1))
            a = _one_hot(idx, shape, (w_t * (1 - eps)).astype(dtype), dtype)
            if eps > 0:
                a = a + _smooth_part(valid, wb, eps, n_classes, shape, dtype)
            return (p * a_sum[:, None] - a) * s_b
        gx = np.multiply(ctx.e, a_sum[:, None] * s_b / ctx.e_sum, out=_alloc.empty(shape, dtype))
        if eps > 0:
            gx -= _smooth_part(valid, wb, eps, n_classes, shape, dtype) * s_b
        gx.reshape(-1)[idx] -= picked
        return gx

    def _release(self):
        # the graph is done with this node: the softmax buffer (``_alloc``) can serve the next call
        super()._release()
        self.__dict__.pop("e", None)


def _smooth_part(valid, wb, eps, n_classes, shape, dtype):
    """The label-smoothing share of a: eps / C w_c on every counted target."""
    part = valid[:, None] * (eps / n_classes)
    part = part if wb is None else part * wb
    return np.broadcast_to(part, shape).astype(dtype)


class CrossEntropyProb(Op):
    """l_i = -sum_c w_c q[i, c] log_softmax(x)[i, c], q = (1 - eps) p + eps / C;
    dl/dx = softmax(x) sum_c w_c q[i, c] - w q[i, :],  dl/dp = -(1 - eps) w log_softmax(x)."""
    name_ = "CrossEntropyProbBackward0"

    @staticmethod
    def forward(ctx, x, t, weight, eps, reduction):
        logp, p = _log_softmax1(x)
        n_classes = x.shape[1]
        wb = None if weight is None else np.reshape(weight, (1, -1) + (1,) * (x.ndim - 2))
        q = t * (1 - eps) + eps / n_classes if eps > 0 else t
        a = q if wb is None else q * wb
        loss = -np.sum(logp * a, axis=1)
        count = loss.size
        ctx.args = (eps, reduction, count, wb)
        ctx.p = p
        ctx.save_for_backward(x, t)
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction, count)

    @staticmethod
    def backward(ctx, grad):
        eps, reduction, count, wb = ctx.args
        x, t = ctx._arrays
        n_classes = x.shape[1]
        s = _scale(grad, reduction, count)
        if reduction == "none":
            s = np.expand_dims(s, 1)
        q = t * (1 - eps) + eps / n_classes if eps > 0 else t
        a = q if wb is None else q * wb
        if isinstance(x, Tensor):
            from ..._ops.elementwise import exp
            logp = _red.log_softmax(x, 1)
            p = exp(logp)
        else:
            p = ctx.p
            logp = None
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = (p * np.sum(a, axis=1, keepdims=True) - a) * s
        if ctx.needs_input_grad[1]:
            if logp is None:
                logp, _ = _log_softmax1(x)
            gt = logp * (-(1 - eps)) * s
            if wb is not None:
                gt = gt * wb
        return gx, gt


def _class_dim_layout(input, target):
    """1-D input (C,) with a 0-dim (or one-element) target: as a batch of one."""
    return input.unsqueeze(0), target.reshape(1)


def _check_nll_shapes(x, t):
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and (t.ndim == 0 or x.shape[0] != t.shape[0]):
        n_t = t.shape[0] if t.ndim else 1
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({n_t}).")
    if x.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                               f"{list(t.shape)})")
    elif x.ndim == 4:
        if t.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {t.ndim}")
        if t.shape != (x.shape[0],) + x.shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                               f"{list(t.shape)}")
    else:
        expected = (x.shape[0],) + x.shape[2:]
        if t.shape != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")


def _check_index_target(t, weight, n_classes, prefix="", spatial=False):
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{scalar_type_name(t.dtype)}")
    _check_weight(weight, n_classes, prefix)
    if spatial and t.dtype == np.uint8:  # torch's kernel for (N, C, d1, ...) takes Long only
        raise RuntimeError("expected scalar type Long but found Byte")


def _check_weight(weight, n_classes, prefix=""):
    if weight is not None and (weight._data.ndim != 1 or weight._data.shape[0] != n_classes):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} "
                           "classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")


def _check_weight_dtype(weight, x):
    if weight is not None and weight._data.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                           f"{scalar_type_name(weight._data.dtype)}")


def _weight_array(weight, dtype):
    return None if weight is None else weight._data.astype(dtype, copy=False)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (N, C, d1, ...) at ``target``."""
    _check_tensors("nll_loss", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    x, t = input._data, target._data
    _check_nll_shapes(x, t)
    if x.dtype.kind != "f":
        kernel = "nll_loss2d_forward_out_frame" if x.ndim > 2 else "nll_loss_out_frame"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    _check_index_target(t, weight, x.shape[1] if x.ndim > 1 else x.shape[0],
                        spatial=x.ndim > 2)
    _not_differentiable("nll_loss_forward", "weight", weight)
    _check_weight_dtype(weight, x)
    if x.ndim == 1:
        input, target = _class_dim_layout(input, target)
        out = NllLoss.apply(input, target, _weight_array(weight, x.dtype), ignore_index,
                            reduction)
        out = out.squeeze(0) if reduction == "none" and t.ndim == 0 else out
    else:
        out = NllLoss.apply(input, target, _weight_array(weight, x.dtype), ignore_index,
                            reduction)
    return named_as(out, _nll_name(x.ndim, reduction))


def _nll_name(ndim, reduction):
    """torch's node for nll_loss over ``ndim``-d input: its 2-d kernel beyond 2 dims, with the
    4-d layout reshaped in and (unreduced) out again for other dims."""
    if ndim <= 2:
        return "NllLossBackward0"
    if ndim == 4 or reduction != "none":
        return "NllLoss2DBackward0"
    return "ViewBackward0"


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    r"""Cross-entropy of logits ``input`` (N, C, d1, ...) against class indices or probabilities.

    One fused op: ``log_softmax`` and the weighted negative log-likelihood, with optional
    label smoothing; ``'mean'`` divides by the total weight of the counted targets.

    Example::

        >>> import gradstep as torch
        >>> import gradstep.nn.functional as F
        >>> round(F.cross_entropy(torch.tensor([[0.0, 0.0]]), torch.tensor([1])).item(), 4)
        0.6931
    """
    _check_tensors("cross_entropy", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    x, t = input._data, target._data
    one_d = x.ndim == 1
    probabilities = x.shape == t.shape
    if probabilities:
        if t.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {scalar_type_name(t.dtype)}")
        if ignore_index >= 0:  # torch refuses only an index that could name a class
            raise RuntimeError("ignore_index is not supported for floating point target")
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    # torch smooths only for a positive amount: a negative one is no smoothing, not an error
    label_smoothing = max(label_smoothing, 0.0)
    if probabilities:
        if x.dtype.kind != "f":
            raise NotImplementedError('"log_softmax_lastdim_kernel_impl" not implemented for '
                                      f"'{scalar_type_name(x.dtype)}'")
        n_classes = x.shape[1] if x.ndim > 1 else x.shape[0]
        _check_weight(weight, n_classes, "cross_entropy: ")
        input, target = promote_operands(input, target) if t.dtype != x.dtype else (input, target)
        if one_d:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        out = CrossEntropyProb.apply(input, target, _weight_array(weight, input._data.dtype),
                                     label_smoothing, reduction)
        out = out.squeeze(0) if one_d and reduction == "none" else out
        # torch composes it: -(target * log_softmax).sum(1), then / N for the mean
        return named_as(out, "DivBackward1" if reduction == "mean" else "NegBackward0")
    _check_nll_shapes(x, t)
    _check_index_target(t, weight, x.shape[1] if x.ndim > 1 else x.shape[0],
                        spatial=x.ndim > 2)
    if x.dtype.kind != "f":
        raise NotImplementedError('"log_softmax_lastdim_kernel_impl" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    _not_differentiable("nll_loss_forward", "weight", weight)
    _check_weight_dtype(weight, x)
    if one_d:
        input, target = _class_dim_layout(input, target)
    out = CrossEntropy.apply(input, target, _weight_array(weight, x.dtype), ignore_index,
                             label_smoothing, reduction)
    out = out.squeeze(0) if one_d and reduction == "none" and t.ndim == 0 else out
    # with smoothing torch adds the smoothing term to nll_loss's
    return named_as(out, "AddBackward0" if label_smoothing > 0 else
                    _nll_name(x.ndim, reduction))


# ----- binary cross-entropy -----

class BinaryCrossEntropy(Op):
    """l = -w (t log x + (1 - t) log(1 - x)), each log clamped at -100;
    dl/dx = w (x - t) / max(x (1 - x), 1e-12),  dl/dt = w (log(1 - x) - log x) (unclamped)."""
    name_ = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        # written so that nan fails too, as in torch
        if not ((x >= 0) & (x <= 1)).all():
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not ((t >= 0) & (t <= 1)).all():
            raise RuntimeError("all elements of target should be between 0 and 1")
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        loss = (t - 1) * log_1mx - t * log_x
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.w, ctx.count = reduction, w, loss.size
        ctx.save_for_backward(x, t)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx._arrays
        w, reduction, count = ctx.w, ctx.reduction, ctx.count
        gx = gt = None
        if ctx.needs_input_grad[0]:  # torch's order of operations, to the last bit
            gx = grad * (x - t) / np.maximum((1 - x) * x, _BCE_EPS)
            if w is not None:
                gx = gx * w
            gx = _scale(gx, reduction, count)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):  # unclamped, as torch
                gt = grad * (np.log1p(-x) - np.log(x))
            if w is not None:
                gt = gt * w
            gt = _scale(gt, reduction, count)
        return gx, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` against ``target`` (logs clamped at -100)."""
    _check_tensors("binary_cross_entropy", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the same "
                         "size.")
    x, t = input._data, target._data
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {scalar_type_name(t.dtype)} but expected "
                           f"{scalar_type_name(x.dtype)}")
    if x.dtype.kind != "f":
        raise NotImplementedError('"binary_cross_entropy" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    w = None
    if weight is not None:
        _not_differentiable("binary_cross_entropy", "weight", weight)
        try:
            w = np.broadcast_to(weight._data, x.shape).astype(x.dtype, copy=False)
        except ValueError:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {weight.shape[-1]} at -1! "
                f"Mismatching argument at index 1 had {weight.size()}; but expected shape should "
                f"be broadcastable to {list(x.shape)}") from None
    return BinaryCrossEntropy.apply(input, target, w, reduction)


class BinaryCrossEntropyWithLogits(Op):
    """l = w ((1 - t) x + lw softplus(-x)), lw = 1 + (pw - 1) t;
    dl/dx = w (lw sigmoid(x) - pw t),  dl/dt = w ((pw - 1) softplus(-x) - x).

    The loss has t's dtype whatever the others' (torch computes it in place into ``1 - t``), and
    mixed dtypes round where torch's steps do: softplus(-x) (= -log sigmoid(x)) in x's dtype, each
    step of the loss in t's.
    """
    name_ = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        sp_neg = _softplus_neg(x)
        if pw is not None:
            sp_neg = sp_neg * (t * (pw - 1) + 1)
        loss = ((1 - t) * x).astype(t.dtype, copy=False)
        loss = (loss + sp_neg).astype(t.dtype, copy=False)
        if w is not None:
            loss = (loss * w).astype(t.dtype, copy=False)
        shape = loss.shape
        ctx.args = (w, pw, reduction, loss.size, shape)
        ctx.save_for_backward(x, t)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        w, pw, reduction, count, shape = ctx.args
        x, t = ctx._arrays
        s = _scale(grad, reduction, count)
        if w is not None:
            s = s * w
        gx = gt = None
        if ctx.needs_input_grad[0]:
            sig = _sigmoid_any(x)
            if type(x) is np.ndarray and x.dtype == np.float16:
                sig = _sigmoid_any(x.astype(np.float32)).astype(np.float16)  # rounded once
            gx = (sig - t) * s if pw is None else ((t * (pw - 1) + 1) * sig - t * pw) * s
            gx = sum_to(np.broadcast_to(gx, shape) if gx.shape != shape else gx, x.shape)
            gx = _astype(gx, x.dtype)
        if ctx.needs_input_grad[1]:
            if pw is None:
                gt = -x * s
            else:
                sp_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
                gt = (sp_neg * (pw - 1) - x) * s
            gt = sum_to(np.broadcast_to(gt, shape) if gt.shape != shape else gt, t.shape)
            gt = _astype(gt, t.dtype)
        return gx, gt


def _softplus_neg(x):
    """softplus(-x) = -log sigmoid(x), stably, in x's dtype (float16 computed in float32 and
    rounded once, as torch's kernel does)."""
    if x.dtype == np.float16:
        return _softplus_neg(x.astype(np.float32)).astype(np.float16)
    return np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))


def _astype(a, dtype):
    """An array or (under create_graph) a Tensor in ``dtype``; no copy when it already is."""
    if isinstance(a, Tensor):
        return a if a.dtype == dtype else a.to(dtype)
    return a.astype(dtype, copy=False)


def _sigmoid_any(x):
    if isinstance(x, Tensor):
        return x.sigmoid()
    with np.errstate(over="ignore"):
        return 1 / (np.exp(-x) + 1)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)``, fused and stable for any logit."""
    _check_tensors("binary_cross_entropy_with_logits", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    x, t = input._data, target._data
    if t.dtype.kind != "f":
        raise RuntimeError(f"result type {scalar_type_name(x.dtype)} can't be cast to the "
                           f"desired output type {scalar_type_name(t.dtype)}")
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    w = pw = None
    if pos_weight is not None:
        pw = pos_weight._data
        _broadcast_shape(pw.shape, x.shape)
    if weight is not None:
        w = weight._data
        _broadcast_shape(x.shape, w.shape)
    return BinaryCrossEntropyWithLogits.apply(input, target, w, pw, reduction)


# ----- divergences and likelihoods -----

class KlDiv(Op):
    """l = t (log t - x) (0 where t = 0), or e^t (t - x) for log targets;
    dl/dx = -t (or -e^t),  dl/dt = log t + 1 - x (or e^t (t - x + 1))."""
    name_ = "KlDivBackward0"

    @staticmethod
    def forward(ctx, x, t, log_target, reduction, divisor):
        if log_target:
            loss = np.exp(t) * (t - x)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                xlogy = np.where(t == 0, 0, t * np.log(t))
            loss = xlogy - t * x
        ctx.args = (log_target, reduction, divisor, loss.shape)
        ctx.save_for_backward(x, t)
        out = _reduce_array(loss, "none" if reduction == "none" else "sum")
        if divisor != 1:
            out = np.asarray(out / divisor, dtype=loss.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        log_target, reduction, divisor, shape = ctx.args
        x, t = ctx._arrays
        s = grad / divisor if divisor != 1 else grad
        gx = gt = None
        if log_target:
            e = np.exp(t)
            if ctx.needs_input_grad[0]:
                gx = -e * s
            if ctx.needs_input_grad[1]:
                gt = e * (t - x + 1) * s
        else:
            if ctx.needs_input_grad[0]:
                gx = -t * s
            if ctx.needs_input_grad[1]:
                # d/dt xlogy(t, t) = log t + t / t, as torch differentiates it: at t = 0 that
                # is -inf + nan = nan, not -inf
                with np.errstate(divide="ignore", invalid="ignore"):
                    gt = (np.log(t) + t / t - x) * s
        gx = None if gx is None else sum_to(np.broadcast_to(gx, shape) if gx.shape != shape
                                            else gx, x.shape)
        gt = None if gt is None else sum_to(np.broadcast_to(gt, shape) if gt.shape != shape
                                            else gt, t.shape)
        return gx, gt


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of ``target`` from log-probabilities ``input``."""
    _check_tensors("kl_div", ("input", input), ("target", target))
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    elif reduction != "batchmean":
        _check_reduction(reduction)
    x, t = input._data, target._data
    if x.dtype.kind != "f" or t.dtype.kind != "f":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    _broadcast_shape(x.shape, t.shape)
    if t.dtype != x.dtype:
        input, target = promote_operands(input, target)
    shape = np.broadcast_shapes(x.shape, t.shape)
    if reduction == "batchmean":
        divisor = shape[0] if len(shape) else 1
    elif reduction == "mean":
        divisor = math.prod(shape)
    else:
        divisor = 1
    out = KlDiv.apply(input, target, log_target, reduction, divisor)
    # torch composes it: the pointwise loss (a product with log targets, else a difference),
    # then its reduction
    return named_as(out, _KL_NAMES.get(reduction) or
                    ("MulBackward0" if log_target else "SubBackward0"))


_KL_NAMES = {"mean": "MeanBackward0", "batchmean": "DivBackward0", "sum": "SumBackward0"}


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Negative log-likelihood of ``target`` under a Poisson with rate ``input``."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and ``var``."""
    from ... import _creation
    if not isinstance(var, Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _creation.full_like(input, var)
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var.clone()
    from ...autograd import grad_mode
    with grad_mode.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ----- margin and embedding losses (torch's compositions) -----

def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos - margin)`` where it is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    tdim = target.dim()
    if tdim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if tdim == 1 and (input1.dim() != 2 or input2.dim() != 2):
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if tdim == 0 and (input1.dim() != 1 or input2.dim() != 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    d = input1.dim() - 1
    eps = 1e-12
    prod_sum = (input1 * input2).sum(d)
    mag_square1 = (input1 * input1).sum(d) + eps
    mag_square2 = (input2 * input2).sum(d) + eps
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    pos = (1 - cos).masked_fill(target != 1, 0)
    neg = (cos - margin).clamp_min(0).masked_fill(target != -1, 0)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    # torch's order: the difference first, then the target; margin is a float (so integer
    # inputs give a float loss)
    diff_shape = _broadcast_shape(input1.shape, input2.shape)
    diff = input1 - input2
    _broadcast_shape(target.shape, diff_shape)
    return _reduce((-target * diff + float(margin)).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``."""
    reduction = _reduction(size_average, reduce, reduction)
    if input._data.dtype == np.bool_:
        # torch subtracts a bool tensor from the margin made a bool tensor too
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    margin_clamp = (margin - input).clamp_min(0)
    if not input.is_floating_point():  # the loss keeps an integer input's dtype
        margin_clamp = margin_clamp.to(input.dtype)
    output_margin = margin_clamp.masked_fill(target == 1, 0)
    output_self = input.masked_fill(target == -1, 0)
    return _reduce(output_margin + output_self, reduction)


def _pairwise_distance(x1, x2, p, eps):
    from ...linalg import vector_norm
    return vector_norm(x1 - x2 + eps, p, dim=-1)


def _check_margin(margin):
    """The triplet losses' margin must be positive (the modules check it with their own words)."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm distance, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_margin(margin)
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a_dim}D, positive "
                           f"{p_dim}D, and negative {n_dim}D inputs")
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        from ..._ops.elementwise import minimum
        d_neg = minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """Triplet margin loss with a custom ``distance_function`` (default: pairwise L2)."""
    reduction = _check_reduction(reduction)
    _check_margin(margin)
    dist = distance_function if distance_function is not None else \
        (lambda a, b: _pairwise_distance(a, b, 2.0, 1e-6))
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        from ..._ops.elementwise import minimum
        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Per-class logistic loss averaged over classes, then reduced over the batch."""
    from .activation import logsigmoid
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    r"""Multi-label hinge loss: each row of ``target`` lists the row's classes (up to the first
    -1); :math:`l = \sum_{j \in T} \sum_{i \notin T} \max(0, 1 - (x_j - x_i)) / C`."""
    from .activation import relu
    reduction = _reduction(size_average, reduce, reduction)
    x, t = input._data, target._data
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(t.dtype)}")
    if x.ndim > 2 or t.shape != x.shape:
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(x.shape)}")
    rows = input.reshape(1, -1) if x.ndim < 2 else input
    t2 = t.reshape(rows.shape)
    n_classes = rows.shape[1]
    if ((t2 < -1) | (t2 >= n_classes)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    # a row's targets are its entries before the first -1; a class listed twice counts twice
    listed = np.cumsum(t2 == -1, axis=1) == 0
    times = np.zeros(t2.shape, x.dtype)
    r, c = np.nonzero(listed)
    np.add.at(times, (r, t2[r, c]), 1)
    pairs = times[:, :, None] * (times == 0)[:, None, :]   # [n, j, i]: j a target, i not
    margins = relu(1 - rows.unsqueeze(2) + rows.unsqueeze(1))  # 1 - (x_j - x_i)
    loss = (margins * Tensor._make(pairs)).sum((1, 2)) / n_classes
    if x.ndim < 2:
        loss = loss.squeeze(0)
    return named_as(_reduce(loss, reduction), "MultilabelMarginLossBackward0")


class SoftMarginLoss(Op):
    """l = log(1 + e^(-t x));  dl/dx = -t e^(-t x) / (1 + e^(-t x)).

    Computed as torch does, without a stabilising shift: at -t x beyond ~88 (float32) the loss is
    inf and the gradient NaN there, in torch and here alike.
    """
    name_ = "SoftMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction):
        with np.errstate(over="ignore"):
            loss = np.log1p(np.exp(-(t * x)))
        ctx.reduction, ctx.count = reduction, loss.size
        ctx.save_for_backward(x, t)
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx._arrays
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.exp(-(t * x))
            return -(t * z) / (z + 1) * _scale(grad, ctx.reduction, ctx.count)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-target * input))``, reduced."""
    _check_tensors("soft_margin_loss", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    _not_differentiable("soft_margin_loss", "target", target)
    _broadcast_shape(input.shape, target.shape)
    if input._data.dtype.kind != "f":
        if input._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{scalar_type_name(input._data.dtype)}")
    if input.shape != target.shape:
        input, target = [t.expand(*np.broadcast_shapes(input.shape, target.shape))
                         for t in (input, target)]
    return SoftMarginLoss.apply(input, target, reduction)


class MultiMarginLoss(Op):
    """l_i = sum_{j != y_i} w[y_i] max(0, margin - x[i, y_i] + x[i, j])^p / C."""
    name_ = "MultiMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, y, p, margin, w, reduction):
        n, c = x.shape
        picked = np.take_along_axis(x, y[:, None], 1)
        z = margin - picked + x
        active = z > 0
        active[np.arange(n), y] = False
        h = z * active
        terms = h ** p if p != 1 else h
        if w is not None:
            terms = terms * w[y][:, None]
        loss = np.sum(terms, axis=1) / c
        ctx.args = (p, w, reduction, active, z, y, n)
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        p, w, reduction, active, z, y, n = ctx.args
        c = z.shape[1]
        s = _scale(grad, reduction, n)
        s = s[:, None] if reduction == "none" else s
        d = (active * (2 * z if p == 2 else 1)).astype(z.dtype) / c
        if w is not None:
            d = d * w[y][:, None]
        d = d * s
        d[np.arange(n), y] = -np.sum(d, axis=1)
        return d

    @staticmethod
    def graph_backward(ctx, grad):
        """torch has no derivative of multi_margin_loss_backward: the gradient depends on x,
        and differentiating it again raises."""
        return link(MultiMarginLoss.backward(ctx, grad), "torch::autograd::NotImplemented",
                    (input_at(ctx, 0),), not_differentiable="multi_margin_loss_backward")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss (p = 1 or 2), optionally weighted per class."""
    _check_tensors("multi_margin_loss", ("input", input), ("target", target))
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x, y = input._data, target._data
    squeeze = x.ndim <= 1
    x2 = x.reshape(1, -1) if squeeze else x
    y2 = y.reshape(-1)
    if y2.shape[0] != x2.shape[0] or y.ndim > 1:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size "
                           f"[{x2.shape[0]}], but got {list(y.shape)}. Input has shape "
                           f"{list(x.shape)}.")
    if x.dtype.kind != "f" or x.dtype == np.float16:
        raise NotImplementedError('"multi_margin_loss_cpu_kernel" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    _check_bounds(y2, np.ones_like(y2, bool), x2.shape[1])
    w = None if weight is None else weight._data.astype(x.dtype)
    inp = input.reshape(1, -1) if squeeze else input
    out = MultiMarginLoss.apply(inp, Tensor._make(y2), p, margin, w, reduction)
    return out.reshape(y.shape) if reduction == "none" and squeeze else out


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification loss (not implemented in gradstep)."""
    raise NotImplementedError("gradstep does not implement ctc_loss (CTCLoss) yet; compute it "
                              "with a custom autograd.Function or outside gradstep.")
