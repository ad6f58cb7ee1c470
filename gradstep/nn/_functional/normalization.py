r"""Normalization layers as fused ops: batch, layer, group, RMS and instance norm, ``normalize``.

Each of ``batch_norm``, ``layer_norm``, ``group_norm`` and ``rms_norm`` is one node whose backward
is the closed form of the normalised map's gradient. With :math:`\hat x = (x - \mu)\,r`,
:math:`r = 1/\sqrt{\sigma^2 + \epsilon}` (statistics over the :math:`n` normalised elements) and
:math:`h = g \cdot w`:

.. math::
    \frac{\partial L}{\partial x} = r \left(h - \overline{h} - \hat x\, \overline{h \hat x}\right),
    \qquad \frac{\partial L}{\partial w} = \sum g \hat x, \qquad \frac{\partial L}{\partial b} =
    \sum g

where the bars are means over the normalised elements. The plain backward reuses the statistics
forward computed; under ``create_graph=True`` they are recomputed from the saved input with
differentiable ops, so double backward is exact.
"""
import numpy as np

from ... import _alloc
from ..._ops._util import scalar_type_name, wrap_dim
from ..._ops.higher_order import input_at, link
from ..._tensor import Tensor
from ...autograd.graph import Op

__all__ = ["batch_norm", "layer_norm", "group_norm", "rms_norm", "instance_norm",
           "local_response_norm", "normalize"]


def _recompute(x, axes):
    """Mean and reciprocal std of ``x`` over ``axes`` (kept), differentiable on Tensors."""
    mean = np.mean(x, axis=axes, keepdims=True)
    xc = x - mean
    return mean, np.mean(xc * xc, axis=axes, keepdims=True)


def _rowsum(a):
    """Sums over the last axis of an array, as a BLAS matrix-vector product (several times
    faster than ``np.sum`` along an axis)."""
    return a @ np.ones_like(a, shape=(a.shape[-1],))


def _dotsum(a, b):
    """``sum(a * b)`` over the last axis, without the product's temporary."""
    return np.einsum("...i,...i->...", a, b)


def _colsum(a2):
    """Sums over the first axis of a 2-D array (BLAS)."""
    return np.ones_like(a2, shape=(a2.shape[0],)) @ a2


def _spatial(x):
    s = 1
    for d in x.shape[2:]:
        s *= d
    return s


# ----- dtype rules shared by the norms -----

def _float_kernel(x, kernel):
    """torch's norm kernels compute floats only."""
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")


def _check_param_dtypes(x, *params):
    """torch's CPU rule for a norm's parameters, in its order (weight, bias, running statistics):
    all of the input's dtype, or, for a float16 input, all float32 (computed in float32 and
    returned in float16). ``params`` are Tensors or None."""
    dtypes = [p._data.dtype for p in params if p is not None]
    if not dtypes:
        return
    if dtypes[0] == x.dtype:
        for d in dtypes[1:]:
            if d != x.dtype:
                raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                                   f"{scalar_type_name(d)}")
        return
    if any(d != np.float32 for d in dtypes):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if x.dtype != np.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _same_dtypes(x, *params):
    """The fast test before ``_check_param_dtypes``: every parameter is in x's dtype."""
    dtype = x.dtype
    for p in params:
        if p is not None and p._data.dtype != dtype:
            return False
    return True


def _float_arg(fn, name, position, value):
    """A float argument as torch's argument parser takes it (numbers and 1-element tensors)."""
    if isinstance(value, (bool, int, float, np.number)):
        return float(value)
    if isinstance(value, Tensor) and value.numel() == 1:
        return float(value.item())
    raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be float, not "
                    f"{type(value).__name__}")


def _as_dtype(a, dtype):
    """An array, or under create_graph a Tensor, in ``dtype`` (no copy when it already is)."""
    if isinstance(a, Tensor):
        return a if a.dtype == dtype else a.to(dtype)
    return a.astype(dtype, copy=False)


@staticmethod
def _linked_backward(ctx, grad):
    """``graph_backward`` of batch and layer norm: torch computes the three gradients in one op
    of (dy, x, w), and for layer norm b too, so each requires grad where any of those does (with
    no derivative through that dependence: ``zeros=False``, see ``_ops/higher_order.py``)."""
    x, w = ctx._arrays
    inputs = (x, w, input_at(ctx, 2)) if ctx.backward_reads_bias else (x, w)
    name = ctx.name().removesuffix("0") + "Backward0"
    return tuple(link(g, name, inputs, zeros=False) for g in type(ctx).backward(ctx, grad))


# ----- batch norm -----

class _BatchNorm(Op):
    """z = (x - mu) r w + b per channel (batch statistics in training, running ones in eval)."""
    name_ = "NativeBatchNormBackward0"
    graph_backward = _linked_backward
    backward_reads_bias = False

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, training, momentum, eps):
        ndim = x.ndim
        axes = (0,) + tuple(range(2, ndim))
        cshape = (1, x.shape[1]) + (1,) * (ndim - 2)
        if training:
            n = x.size // x.shape[1] if x.shape[1] else 0
            if n == 0:  # an empty batch: nothing to normalise, running stats untouched
                ctx.stats = None
                ctx.axes = axes
                return x.copy()
            x3 = x.reshape(x.shape[0], x.shape[1], _spatial(x))
            mean = (_rowsum(x3).sum(axis=0) / n).reshape(cshape)
            xc = x3 - mean.reshape(1, -1, 1)
            var = (_dotsum(xc, xc).sum(axis=0) / n).reshape(cshape)
            del xc
            rstd = 1 / np.sqrt(var + eps)
            if running_mean is not None:
                m = momentum
                running_mean *= 1 - m
                running_mean += (m * mean.reshape(-1)).astype(running_mean.dtype, copy=False)
            if running_var is not None:
                m = momentum
                unbiased = var.reshape(-1) * (n / (n - 1)) if n > 1 else var.reshape(-1) * np.inf
                running_var *= 1 - m
                running_var += (m * unbiased).astype(running_var.dtype, copy=False)
        else:
            mean = running_mean.reshape(cshape).astype(x.dtype, copy=False)
            rstd = (1 / np.sqrt(running_var + eps)).reshape(cshape).astype(x.dtype, copy=False)
        scale = rstd if w is None else rstd * w.reshape(cshape)
        shift = -mean * scale
        if b is not None:
            shift = shift + b.reshape(cshape)
        out = x * scale
        out += shift
        if out.dtype != x.dtype:  # float16 input, float32 parameters: float16 out, as torch
            out = out.astype(x.dtype)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.stats = (mean, rstd)
            ctx.training = training
            ctx.axes = axes
            ctx.cshape = cshape
            ctx.eps = eps
            ctx.n = x.size // x.shape[1]
        return out

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        if ctx.stats is None:  # empty batch
            zero = np.sum(grad, axis=ctx.axes) * 0
            return grad * 0, zero if needs[1] else None, zero if len(needs) > 2 and needs[2] \
                else None
        x, w = ctx._arrays
        axes, cshape = ctx.axes, ctx.cshape
        mean, rstd = ctx.stats
        if not isinstance(x, Tensor):
            gx, gw, gb = _batch_norm_backward_arrays(ctx, grad, x, w, mean, rstd, needs)
            return (gx if gx is None else gx.astype(x.dtype, copy=False)), gw, gb
        if ctx.training:  # create_graph: differentiable statistics
            mean, var = _recompute(x, axes)
            rstd = 1 / np.sqrt(var + ctx.eps)
        xhat = (x - mean) * rstd
        gx = gw = gb = None
        sum_g = np.sum(grad, axis=axes, keepdims=True)
        sum_gx = np.sum(grad * xhat, axis=axes, keepdims=True)
        if needs[0]:
            scale = rstd if w is None else rstd * np.reshape(w, cshape)
            if ctx.training:
                n = ctx.n
                gx = (grad - sum_g / n - xhat * (sum_gx / n)) * scale
            else:
                gx = grad * scale
            gx = _as_dtype(gx, x.dtype)
        if len(needs) > 1 and needs[1]:
            gw = np.reshape(sum_gx, (-1,))
        if len(needs) > 2 and needs[2]:
            gb = np.reshape(sum_g, (-1,))
        return gx, gw, gb


def _batch_norm_backward_arrays(ctx, grad, x, w, mean, rstd, needs):
    """The batch-norm gradient over an ``(N, C, S)`` view: per-channel sums by BLAS/einsum,
    updates in place."""
    N, C = x.shape[0], x.shape[1]
    S = _spatial(x)
    g3 = grad.reshape(N, C, S)
    r = rstd.reshape(C)
    sum_g = _rowsum(g3).sum(axis=0)
    gx = gw = gb = None
    if ctx.training or (len(needs) > 1 and needs[1]):
        xc = x.reshape(N, C, S) - mean.reshape(1, C, 1)
        sum_gxhat = _dotsum(g3, xc).sum(axis=0) * r
    if needs[0]:
        scale = r if w is None else r * w
        if ctx.training:
            n = ctx.n
            xc *= (-scale * r * sum_gxhat / n)[:, None]
            xc += g3 * scale[:, None]
            xc -= (scale * sum_g / n)[:, None]
            gx = xc
        else:
            gx = g3 * scale[:, None]
        gx = gx.reshape(x.shape)
    if len(needs) > 1 and needs[1]:
        gw = sum_gxhat
    if len(needs) > 2 and needs[2]:
        gb = sum_g
    return gx, gw, gb


def _check_channels(name, t, c):
    if t is not None and t._data.size != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    r"""Normalise each channel (dim 1) over the batch and spatial dims, then scale and shift.

    In training the batch statistics are used and, when given, ``running_mean`` and
    ``running_var`` are updated in place: :math:`\hat\mu \leftarrow (1-m)\hat\mu + m\mu`, and
    the same for the variance with the unbiased batch variance. In eval the running statistics
    normalise.
    """
    x = input._data
    c = x.shape[wrap_dim(1, x.ndim)]
    if training:
        n = x.size // c if c else 0
        if n == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.size()}")
    if type(momentum) is not float:
        momentum = _float_arg("batch_norm", "momentum", 7, momentum)
    if not training:
        if running_mean is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        if running_var is None:
            raise RuntimeError("running_var must be defined in evaluation mode")
    _check_channels("running_mean", running_mean, c)
    _check_channels("running_var", running_var, c)
    _check_channels("weight", weight, c)
    _check_channels("bias", bias, c)
    _float_kernel(x, "batch_norm")
    if not _same_dtypes(x, weight, bias, running_mean, running_var):
        _check_param_dtypes(x, weight, bias, running_mean, running_var)
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    out = _BatchNorm.apply(input, weight, bias, rm, rv, bool(training), momentum, eps)
    if training and x.size:
        if running_mean is not None:
            running_mean._bump_version()
        if running_var is not None:
            running_var._bump_version()
    return out


# ----- layer norm -----

def _normalized_error(shape, x_shape, star="* "):
    lead = "*" if star == "*" else "*, "
    inner = ", ".join(str(s) for s in shape)
    return RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                        f"[{lead}{inner}], but got input of size{list(x_shape)}")


class _LayerNorm(Op):
    """z = (x - mu) r w + b over the last dims; see the module docstring for the gradient."""
    name_ = "NativeLayerNormBackward0"
    graph_backward = _linked_backward
    backward_reads_bias = True

    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        n = 1
        for s in x.shape[x.ndim - k:]:
            n *= s
        x2 = x.reshape(-1, n)
        mean = (_rowsum(x2) / n)[:, None]
        # the only full-size array: normalised, scaled and shifted in place
        out = _alloc.empty(x.shape, x.dtype)  # pooled, see _alloc
        out2 = out.reshape(-1, n)
        np.subtract(x2, mean, out=out2)
        rstd = 1 / np.sqrt((_dotsum(out2, out2) / n)[:, None] + eps)
        out2 *= rstd
        if w is not None:
            out2 *= w.reshape(-1)
        if b is not None:
            out2 += b.reshape(-1)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.stats = (mean, rstd)
            ctx.n = n
            ctx.eps = eps
            ctx.b_shape = None if b is None else b.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx._arrays
        needs = ctx.needs_input_grad
        n = ctx.n
        x2 = np.reshape(x, (-1, n))
        g2 = np.reshape(grad, (-1, n))
        if not isinstance(x, Tensor):
            return _layer_norm_backward_arrays(ctx, g2, x2, w, x.shape, needs)
        mean, var = _recompute(x2, (1,))
        rstd = 1 / np.sqrt(var + ctx.eps)
        xhat = (x2 - mean) * rstd
        gx = gw = gb = None
        if needs[0]:
            h = g2 if w is None else g2 * np.reshape(w, (-1,))
            gx = np.reshape((h - np.mean(h, axis=1, keepdims=True)
                             - xhat * np.mean(h * xhat, axis=1, keepdims=True)) * rstd, x.shape)
        if len(needs) > 1 and needs[1]:
            gw = np.reshape(np.sum(g2 * xhat, axis=0), w.shape)
        if len(needs) > 2 and needs[2]:
            gb = np.reshape(np.sum(g2, axis=0), ctx.b_shape)
        return gx, gw, gb


def _layer_norm_backward_arrays(ctx, g2, x2, w, shape, needs):
    """The layer-norm gradient on ``(rows, n)`` arrays: sums by BLAS/einsum, updates in place
    (two full-size temporaries)."""
    mean, rstd = ctx.stats
    n = ctx.n
    xhat = _alloc.empty(x2.shape, x2.dtype)
    np.subtract(x2, mean, out=xhat)
    xhat *= rstd
    gx = gw = gb = None
    if len(needs) > 1 and needs[1]:
        gw = np.einsum("ij,ij->j", g2, xhat).reshape(w.shape)
    if len(needs) > 2 and needs[2]:
        gb = _colsum(g2).reshape(ctx.b_shape)
    if needs[0]:
        gx = _alloc.empty(tuple(shape), g2.dtype)  # in x's shape: .grad takes it as it is
        h = gx.reshape(-1, n)
        if w is not None:
            np.multiply(g2, w.reshape(-1), out=h)  # h = g w
        else:
            np.copyto(h, g2)
        sh = _rowsum(h)[:, None]
        shx = _dotsum(h, xhat)[:, None]
        xhat *= shx / n
        h -= xhat
        h -= sh / n
        h *= rstd
    return gx, gw, gb


def _shape_tuple(normalized_shape, name):
    if not isinstance(normalized_shape, (tuple, list)) and not hasattr(normalized_shape,
                                                                        "__len__"):
        raise TypeError(f"{name}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(x, shape, star="* "):
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise _normalized_error(shape, x.shape, star)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Normalise over the last ``len(normalized_shape)`` dims, then scale and shift elementwise."""
    shape = _shape_tuple(normalized_shape, "layer_norm")
    x = input._data
    if not _same_dtypes(x, weight, bias):  # torch checks dtypes before the parameters' shapes
        _check_param_dtypes(x, weight, bias)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(t._data.shape)} and normalized_shape = "
                               f"{list(shape)}")
    _check_normalized(x, shape)
    if not _same_dtypes(x, weight, bias):
        _check_param_dtypes(x, weight, bias)
    _float_kernel(x, "LayerNormKernelImpl")
    return _LayerNorm.apply(input, weight, bias, len(shape), eps)


# ----- group norm -----

class _GroupNorm(Op):
    """z = (x - mu_g) r_g w_c + b_c, statistics per sample and group of channels."""
    name_ = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        N, C = x.shape[0], x.shape[1]
        cshape = (1, C) + (1,) * (x.ndim - 2)
        spatial = 1
        for d in x.shape[2:]:
            spatial *= d
        x3 = x.reshape(N, groups, (C // groups) * spatial)
        if x3.size == 0:
            mean = np.zeros((N, groups, 1), x.dtype)
            rstd = np.zeros((N, groups, 1), x.dtype)
        else:
            m = x3.shape[2]
            mean = (_rowsum(x3) / m)[:, :, None]
            xc = x3 - mean
            var = (_dotsum(xc, xc) / m)[:, :, None]
            del xc
            rstd = 1 / np.sqrt(var + eps)
        # one pass: x * scale[n, c] + shift[n, c]
        per = C // groups
        scale = np.repeat(rstd[:, :, 0], per, axis=1)  # (N, C)
        shift = -np.repeat(mean[:, :, 0], per, axis=1) * scale
        if w is not None:
            scale = scale * w
            shift = shift * w
        if b is not None:
            shift = shift + b
        out = x.reshape(N, C, spatial) * scale[:, :, None]
        out += shift[:, :, None]
        out = out.reshape(x.shape).astype(x.dtype, copy=False)  # float16 out of float32 params
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.stats = (mean, rstd)
            ctx.groups = groups
            ctx.per_group = x3.shape[2]
            ctx.cshape = cshape
            ctx.eps = eps
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx._arrays
        needs = ctx.needs_input_grad
        N, G = x.shape[0], ctx.groups
        cshape = ctx.cshape
        if not isinstance(x, Tensor):
            gx, gw, gb = _group_norm_backward_arrays(ctx, grad, x, w, needs)
            return (gx if gx is None else gx.astype(x.dtype, copy=False)), gw, gb
        x3 = np.reshape(x, (N, G, ctx.per_group))
        mean, var = _recompute(x3, (2,))
        rstd = 1 / np.sqrt(var + ctx.eps)
        xhat = np.reshape((x3 - mean) * rstd, x.shape)
        axes = (0,) + tuple(range(2, x.ndim))
        gx = gw = gb = None
        if needs[0]:
            h = grad if w is None else grad * np.reshape(w, cshape)
            h3 = np.reshape(h, (N, G, ctx.per_group))
            xh3 = np.reshape(xhat, (N, G, ctx.per_group))
            gx = np.reshape((h3 - np.mean(h3, axis=2, keepdims=True)
                             - xh3 * np.mean(h3 * xh3, axis=2, keepdims=True)) * rstd, x.shape)
            gx = _as_dtype(gx, x.dtype)
        if len(needs) > 1 and needs[1]:
            gw = np.sum(grad * xhat, axis=axes)
        if len(needs) > 2 and needs[2]:
            gb = np.sum(grad, axis=axes)
        return gx, gw, gb


def _group_norm_backward_arrays(ctx, grad, x, w, needs):
    """The group-norm gradient from per-(sample, channel) sums (BLAS).

    With xc = x - mu, ds = sum_s g xc and db = sum_s g per (n, c), and per group
    Sh = sum_c w db, Shx = r sum_c w ds (= sum h xhat), the closed form is
    dx = r w g - xc r^2 Shx / M - r Sh / M.
    """
    N, C = x.shape[0], x.shape[1]
    G = ctx.groups
    per = C // G
    M = ctx.per_group
    S = M // per if per else 0
    mean, rstd = ctx.stats  # (N, G, 1)
    g3 = grad.reshape(N, C, S)
    xc = (x.reshape(N, G, M) - mean).reshape(N, C, S)
    ds = _dotsum(g3, xc)
    db = _rowsum(g3)
    r = rstd[:, :, 0]
    rc = np.repeat(r, per, axis=1)  # (N, C)
    gx = gw = gb = None
    if needs[0]:
        wc = np.ones(C, x.dtype) if w is None else w
        sh = (db * wc).reshape(N, G, per).sum(axis=2)
        shx = (ds * wc).reshape(N, G, per).sum(axis=2) * r
        xc *= np.repeat(-r * r * shx / M, per, axis=1)[:, :, None]
        xc += g3 * (rc * wc)[:, :, None]
        xc += np.repeat(-r * sh / M, per, axis=1)[:, :, None]
        gx = xc.reshape(x.shape)
    if len(needs) > 1 and needs[1]:
        gw = (ds * rc).sum(axis=0)
    if len(needs) > 2 and needs[2]:
        gb = db.sum(axis=0)
    return gx, gw, gb


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    r"""Normalise each sample over groups of channels (dim 1), then scale and shift per channel."""
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{x.ndim}")
    C = x.shape[1]
    if num_groups <= 0 or C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(x.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.shape[0] != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape "
                               f"{list(t._data.shape)} and input of shape {list(x.shape)}")
    if not _same_dtypes(x, weight, bias):
        _check_param_dtypes(x, weight, bias)
    _float_kernel(x, "GroupNormKernelImpl")
    return _GroupNorm.apply(input, weight, bias, int(num_groups), eps)


# ----- RMS norm -----

class _RMSNorm(Op):
    r"""z = x r w with r = 1/sqrt(mean(x^2) + eps);  dz/dx = r (h - x r^2 mean(h x)), h = g w."""
    name_ = "MulBackward0"

    @staticmethod
    def forward(ctx, x, w, k, eps):
        n = 1
        for s in x.shape[x.ndim - k:]:
            n *= s
        x2 = x.reshape(-1, n)
        r = 1 / np.sqrt(np.mean(x2 * x2, axis=1, keepdims=True) + eps)
        out = x2 * r
        if w is not None:
            out *= w.reshape(-1)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.r = r
            ctx.n = n
            ctx.eps = eps
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx._arrays
        needs = ctx.needs_input_grad
        x2 = np.reshape(x, (-1, ctx.n))
        g2 = np.reshape(grad, (-1, ctx.n))
        if isinstance(x, Tensor):
            r = 1 / np.sqrt(np.mean(x2 * x2, axis=1, keepdims=True) + ctx.eps)
        else:
            r = ctx.r
        gx = gw = None
        if needs[0]:
            h = g2 if w is None else g2 * np.reshape(w, (-1,))
            gx = np.reshape(r * h - x2 * (r * r * r) * np.mean(h * x2, axis=1, keepdims=True),
                            x.shape)
        if len(needs) > 1 and needs[1]:
            gw = np.reshape(np.sum(g2 * (x2 * r), axis=0), w.shape)
        return gx, gw


def rms_norm(input, normalized_shape, weight=None, eps=None):
    r"""Divide by the root mean square over the last dims (plus ``eps``), then scale elementwise.

    ``eps=None`` uses ``torch.finfo(input.dtype).eps``.
    """
    shape = _shape_tuple(normalized_shape, "rms_norm")
    x = input._data
    _check_normalized(x, shape, star="*")
    if weight is not None and tuple(weight._data.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight._data.shape)} and normalized_shape = "
                           f"{list(shape)}")
    _float_kernel(x, "rms_norm")
    if eps is None:
        eps = float(np.finfo(x.dtype).eps)
    if weight is None:
        return _RMSNorm.apply(input, None, len(shape), eps)
    return _RMSNorm.apply(input, weight, len(shape), eps)


# ----- instance norm -----

class _InstanceNorm(_GroupNorm):
    name_ = "ViewBackward0"


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    r"""Normalise each channel of each sample over its spatial dims, then scale and shift.

    With ``use_input_stats`` the per-instance statistics normalise and the running ones (when
    given) are updated with their batch average; otherwise the running ones normalise.
    """
    x = input._data
    if use_input_stats:
        spatial = x.size // (x.shape[0] * x.shape[1]) if x.ndim >= 2 and x.shape[0] * x.shape[1] \
            else 0
        if x.ndim < 3 or spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{input.size()}")
    if type(momentum) is not float:
        momentum = _float_arg("instance_norm", "momentum", 7, momentum)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    N, C = x.shape[0], x.shape[1]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t._data.size != C:
            raise RuntimeError(f"{name} should contain {N * C} elements not {N * t._data.size}")
    _float_kernel(x, "batch_norm")
    if use_input_stats and not _same_dtypes(x, weight, bias):
        # the running statistics only receive the batch average here: any float dtype will do
        _check_param_dtypes(x, weight, bias)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    out = _InstanceNorm.apply(input, weight, bias, C, eps)
    if running_mean is not None or running_var is not None:
        x3 = x.reshape(N, C, -1)
        n = x3.shape[2]
        mean = x3.mean(axis=2)
        if running_mean is not None:
            rm = running_mean._data
            rm *= 1 - momentum
            rm += (momentum * mean.mean(axis=0)).astype(rm.dtype, copy=False)
            running_mean._bump_version()
        if running_var is not None:
            xc = x3 - mean[..., None]
            var = (xc * xc).sum(axis=2) / (n - 1)
            rv = running_var._data
            rv *= 1 - momentum
            rv += (momentum * var.mean(axis=0)).astype(rv.dtype, copy=False)
            running_var._bump_version()
    return out


# ----- local response norm, normalize -----

def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    r"""Divide by :math:`(k + \frac{\alpha}{n}\sum_{c'} x_{c'}^2)^\beta` over a window of
    ``size`` neighbouring channels (zero-padded at the edges)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    x = input._data
    if x.dtype.kind != "f" and x.dtype != np.int64:
        # torch averages the window with avg_pool2d (3-d input) or avg_pool3d
        kernel = "avg_pool2d" if dim == 3 else "avg_pool3d_out_frame"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    if input.numel() == 0:
        return input
    sq = input * input
    C = input.shape[1]
    padded = _pad_channels(sq, size // 2, (size - 1) // 2)
    acc = padded.narrow(1, 0, C)
    for i in range(1, size):
        acc = acc + padded.narrow(1, i, C)
    if x.dtype == np.int64:  # torch's int64 average pool divides with truncation
        mean = Tensor._make(np.sign(acc._data) * (np.abs(acc._data) // size))
        div = (mean * alpha + k) ** beta
    else:
        div = (acc * (alpha / size) + k) ** beta
    return input / div


def _pad_channels(t, before, after):
    import gradstep
    parts = []
    shape = list(t.shape)
    if before:
        shape[1] = before
        parts.append(gradstep.zeros(shape, dtype=t.dtype))
    parts.append(t)
    if after:
        shape[1] = after
        parts.append(gradstep.zeros(shape, dtype=t.dtype))
    return gradstep.cat(parts, 1) if len(parts) > 1 else t


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    r"""Divide by the ``p``-norm along ``dim``, clamped below at ``eps``:
    :math:`v / \max(\lVert v \rVert_p, \epsilon)`."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    import gradstep
    return gradstep.div(input, denom, out=out)

