"""Convolutions (1d, 2d, 3d, transposed) and the im2col / col2im kernels they and ``unfold`` share.

A convolution is lowered to one BLAS matrix product. ``im2col`` copies a strided window view of
the zero-padded input into a ``(C*prod(K), N*prod(Lo))`` matrix (a single copy from an
``as_strided`` view); the weight ``(O, C*prod(K))`` times that matrix is the output. Backward
reuses the same matrix for the weight gradient, and the input gradient is ``W^T @ grad`` folded
back by ``col2im``: one strided-slice addition per kernel offset, never a loop over positions
(stride-1 2-d convolutions fold the column offsets into the product instead, and add per row
offset only: see ``_wide_input_grad``).

Three ops cover every derivative order: ``Convolution`` (y = x * w), ``ConvolutionTranspose``
(its adjoint in x, also ``conv_transpose*d``) and ``ConvolutionWeight`` (its adjoint in w). Each
one's backward is expressed by the other two, so ``create_graph=True`` works to any order.
"""
import itertools
import math
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ... import _alloc
from ..._tensor import Tensor
from ..._ops._util import cpp_type_name, scalar_type_name
from ..._ops.higher_order import link
from ...autograd.graph import Op

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]


# ----- argument helpers -------------------------------------------------------------------------

def ntuple(value, n):
    """``value`` as an n-tuple of ints (an int is repeated; a 1-sequence is repeated too)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1 and n > 1:
        return value * n
    return value


def _shape_list(a):
    return list(a.shape)


class Geometry:
    """Everything a convolution kernel needs about shapes: the conv's input spatial size ``S``,
    kernel ``K``, output ``Lo``, stride, (before, after) padding per dim, dilation, groups."""

    __slots__ = ("S", "K", "Lo", "stride", "pads", "dil", "groups", "nd")

    def __init__(self, S, K, Lo, stride, pads, dil, groups):
        self.S, self.K, self.Lo = tuple(S), tuple(K), tuple(Lo)
        self.stride, self.pads, self.dil = tuple(stride), tuple(pads), tuple(dil)
        self.groups = groups
        self.nd = len(self.S)


# ----- array kernels ----------------------------------------------------------------------------

def pad_zeros(x, pads, lead=2, fill=0):
    """``x`` padded by ``pads`` ((before, after) per trailing dim) with ``fill``; ``x`` if none.

    An ``after`` that leaves the array shorter than ``x`` crops instead.
    """
    if not any(lo or hi for lo, hi in pads):
        return x
    spatial = x.shape[lead:]
    shape = x.shape[:lead] + tuple(lo + n + hi for (lo, hi), n in zip(pads, spatial))
    out = np.full(shape, fill, dtype=x.dtype) if fill else np.zeros(shape, dtype=x.dtype)
    dst = (slice(None),) * lead + tuple(slice(lo, lo + min(n, lo + n + hi - lo))
                                        for (lo, hi), n in zip(pads, spatial))
    src = (slice(None),) * lead + tuple(slice(0, min(n, n + hi)) for (lo, hi), n in
                                        zip(pads, spatial))
    out[dst] = x[src]
    return out


def windows(xp, K, Lo, stride, dil):
    """A read-only view ``(N, C, *K, *Lo)`` of every window of ``xp`` ``(N, C, *S)``."""
    st = xp.strides
    sp = st[2:]
    shape = xp.shape[:2] + tuple(K) + tuple(Lo)
    strides = st[:2] + tuple(d * s for d, s in zip(dil, sp)) + tuple(s * t for s, t in
                                                                     zip(stride, sp))
    return as_strided(xp, shape, strides, writeable=False)


def offset_slices(off, Lo, stride, dil):
    """For one kernel offset, the slices of the padded input its outputs read."""
    return tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                 for o, n, s, d in zip(off, Lo, stride, dil))


def col2im(cols, padded_shape, K, Lo, stride, dil, dtype):
    """Adjoint of ``windows``: sum ``cols`` ``(N, C, *K, *Lo)`` into a zero array of
    ``padded_shape``, one strided-slice addition per kernel offset."""
    out = np.zeros(padded_shape, dtype=dtype)
    lead = (slice(None), slice(None))
    for off in itertools.product(*[range(k) for k in K]):
        out[lead + offset_slices(off, Lo, stride, dil)] += cols[lead + off]
    return out


def _crop(xp, pads, S):
    if not any(lo or hi for lo, hi in pads):
        return xp
    return xp[(slice(None), slice(None)) + tuple(slice(lo, lo + n) for (lo, _), n in
                                                 zip(pads, S))]


def _wide(g):
    """Stride-1 2-d convolutions use the "wide" layout (see ``_im2col``)."""
    return g.nd == 2 and g.stride == (1, 1)


def _padded_wide(x, g):
    """``x`` zero-padded, plus one spare zero row, as ``(N, C, (Hp + 1) * Wp)``."""
    N, C, H, W = x.shape
    (plo, phi), (qlo, qhi) = g.pads
    Hp, Wp = H + plo + phi, W + qlo + qhi
    xp = _alloc.empty((N, C, Hp + 1, Wp), x.dtype)
    xp.fill(0)
    xp[:, :, plo:plo + H, qlo:qlo + W] = x
    return xp.reshape(N, C, (Hp + 1) * Wp), Wp


def _im2col(x, g):
    """The ``(groups, Cg*prod(K), N*prod(Lo))`` matrix of input windows.

    Wide layout (stride-1 2-d): a window row is ``Ho * Wp`` consecutive elements of the flattened
    padded input, starting at ``i*Wp + j`` for kernel offset (i, j); output columns ``wo >= Wo``
    are junk, dropped after the product. Copies then run over long contiguous rows instead of
    rows of ``Wo`` elements.
    """
    N = x.shape[0]
    if _wide(g):
        flat, Wp = _padded_wide(x, g)
        it = flat.itemsize
        L = g.Lo[0] * Wp
        sN, sC = flat.strides[:2]
        src = as_strided(flat, (x.shape[1],) + g.K + (N, L),
                         (sC, g.dil[0] * Wp * it, g.dil[1] * it, sN, it), writeable=False)
        P = L
    else:
        nd = g.nd
        win = windows(pad_zeros(x, g.pads), g.K, g.Lo, g.stride, g.dil)  # (N, C, *K, *Lo)
        order = (1,) + tuple(range(2, 2 + nd)) + (0,) + tuple(range(2 + nd, 2 + 2 * nd))
        src = win.transpose(order)  # (C, *K, N, *Lo)
        P = math.prod(g.Lo)
    shape = (g.groups, x.shape[1] // g.groups * math.prod(g.K), N * P)
    cols = _alloc.empty(shape, x.dtype)
    np.copyto(cols.reshape(src.shape), src)
    return cols


def _margin(g):
    """Zero columns before the wide-layout gradient rows (see ``_wide_input_grad``)."""
    return g.dil[1] * (g.K[1] - 1) if _wide(g) else 0


def _grad_rows(gy, g):
    """``gy`` ``(N, O, *Lo)`` as ``(groups, Og, margin + N*P)``: ``_margin(g)`` zero columns,
    then the rows (with zero junk columns in the wide layout); ``_rows`` drops the margin."""
    N, O = gy.shape[:2]
    if _wide(g):
        Ho, Wo = g.Lo
        Wp = g.S[1] + g.pads[1][0] + g.pads[1][1]
        m = _margin(g)
        buf = _alloc.empty((O, m + N * Ho * Wp), gy.dtype)
        buf.fill(0)  # one contiguous pass beats zeroing the short junk runs alone
        buf[:, m:].reshape(O, N, Ho, Wp)[..., :Wo] = gy.swapaxes(0, 1)
        return buf.reshape(g.groups, O // g.groups, -1)
    P = math.prod(g.Lo)
    return np.ascontiguousarray(gy.reshape(N, O, P).swapaxes(0, 1)).reshape(
        g.groups, O // g.groups, N * P)


def _rows(padded, g):
    """The gradient rows of ``_grad_rows``' buffer, without the margin."""
    m = _margin(g)
    return padded[..., m:] if m else padded


def conv_forward(x, w, g, cols=None, b=None):
    """y = w * x (+ b) (cross-correlation); also returns the im2col matrix."""
    if cols is None:
        cols = _im2col(x, g)
    O = w.shape[0]
    N = x.shape[0]
    wm = w.reshape(g.groups, O // g.groups, w.size // O)
    y = _alloc.matmul(wm, cols)
    if b is not None:
        # added to the contiguous product in place: adding while copying to (N, O, ...) order
        # broadcasts over short strided rows, and is slower than the two passes together
        y = y.reshape(O, -1)
        y += b.reshape(O, 1)
    if _wide(g):
        Wp = g.S[1] + g.pads[1][0] + g.pads[1][1]
        y = y.reshape(O, N, g.Lo[0], Wp)[..., :g.Lo[1]]
    else:
        y = y.reshape((O, N) + g.Lo)
    return np.ascontiguousarray(y.swapaxes(0, 1)), cols


def _wide_input_grad(padded, w, g):
    """``conv_input_grad`` in the wide layout (stride-1 2-d), from ``_grad_rows``' buffer.

    The input gradient at padded position ``q`` (flattened per image, rows ``Wp`` long) is
    ``sum over o, i, j of w[o, c, i, j] * gy[o, q - i*dh*Wp - j*dw]``. The ``j`` shifts come
    from stacking ``Kw`` copies of the gradient rows, copy ``j`` shifted right by ``j*dw`` (the
    margin and the previous image's junk columns shift in zeros, never data), so that one
    product ``(Kh*Cg, Kw*Og) @ (Kw*Og, N*L)`` sums them; the ``i`` shifts are then ``Kh``
    strided additions. One product per kernel offset instead would need ``Kh*Kw`` additions,
    and a far larger (and worse shaped, inner dimension Og) product.
    """
    G, Og, mT = padded.shape
    Cg, (Kh, Kw), (dh, dw) = w.shape[1], g.K, g.dil
    m = _margin(g)
    T = mT - m
    H, W = g.S
    (plo, phi), (qlo, qhi) = g.pads
    Hp, Wp = H + plo + phi, W + qlo + qhi
    L = g.Lo[0] * Wp
    N = T // L
    stacked = _alloc.empty((G, Kw, Og, T), padded.dtype)
    for j in range(Kw):
        stacked[:, j] = padded[..., m - j * dw:mT - j * dw]
    # wk[g, (i, c), (j, o)] = w[g*Og + o, c, i, j]
    wk = w.reshape(G, Og, Cg, Kh, Kw).transpose(0, 3, 2, 4, 1).reshape(G, Kh * Cg, Kw * Og)
    part = _alloc.matmul(wk, stacked.reshape(G, Kw * Og, T)).reshape(G, Kh, Cg, N, L)
    gxp = _alloc.empty((G, Cg, N, (Hp + 1) * Wp), padded.dtype)  # the products' (C, N) order
    gxp.fill(0)
    for i in range(Kh):
        off = i * dh * Wp
        gxp[..., off:off + L] += part[:, i]
    gxp = gxp.reshape(G * Cg, N, Hp + 1, Wp)[:, :, plo:plo + H, qlo:qlo + W]
    return np.ascontiguousarray(gxp.swapaxes(0, 1))


def conv_input_grad(gy, w, g, padded=None):
    """dL/dx of y = w * x given dL/dy (the transposed convolution of gy by w); ``padded`` is
    ``_grad_rows(gy, g)`` when the caller has it."""
    if padded is None:
        padded = _grad_rows(gy, g)
    if _wide(g):
        return _wide_input_grad(padded, w, g)
    N = gy.shape[0]
    C = w.shape[1] * g.groups
    wm = w.reshape(g.groups, w.shape[0] // g.groups, w.size // w.shape[0])
    rows = padded  # no margin outside the wide layout
    gcols = (wm[0].T @ rows[0]) if g.groups == 1 else np.matmul(wm.transpose(0, 2, 1), rows)
    nd = g.nd
    gcols = gcols.reshape((C,) + g.K + (N,) + g.Lo)  # (C, *K, N, *Lo)
    gcols = gcols.transpose((nd + 1, 0) + tuple(range(1, nd + 1)) + tuple(range(nd + 2,
                                                                                2 * nd + 2)))
    padded_shape = (N, C) + tuple(lo + n + hi for (lo, hi), n in zip(g.pads, g.S))
    return _crop(col2im(gcols, padded_shape, g.K, g.Lo, g.stride, g.dil, gy.dtype), g.pads, g.S)


def conv_weight_grad(x, gy, g, cols=None, padded=None):
    """dL/dw of y = w * x given dL/dy (``padded``: ``_grad_rows(gy, g)`` if the caller has it)."""
    if cols is None:
        cols = _im2col(x, g)
    rows = _rows(_grad_rows(gy, g) if padded is None else padded, g)
    # as (cols @ rows^T)^T: OpenBLAS runs this orientation ~10% faster on these shapes
    gw = np.matmul(cols, rows.transpose(0, 2, 1)).transpose(0, 2, 1)
    return gw.reshape((gy.shape[1], x.shape[1] // g.groups) + g.K)


# ----- ops --------------------------------------------------------------------------------------

def _bias_sum(gy, nd):
    return np.sum(gy, axis=(0,) + tuple(range(2, 2 + nd)))


def _add_bias(y, b, nd):
    if b is not None:
        y += b.reshape((-1,) + (1,) * nd)
    return y


class Convolution(Op):
    """y = w * x + b;  dx = conv_transpose(dy, w), dw = dy . im2col(x)^T, db = sum(dy)."""
    name_ = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, g):
        y, cols = conv_forward(x, w, g, b=b)
        ctx.g = g
        need = ctx.needs_input_grad
        if need and need[1]:
            ctx.cols = cols
        ctx.save_for_backward(x, w)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx._arrays
        g = ctx.g
        nx, nw, nb = ctx.needs_input_grad[:3]
        rows = _grad_rows(gy, g) if nx or nw else None
        gx = conv_input_grad(gy, w, g, rows) if nx else None
        gw = conv_weight_grad(x, gy, g, getattr(ctx, "cols", None), rows) if nw else None
        if nb and rows is not None:  # the rows (junk columns are 0) sum faster than gy
            return gx, gw, _rows(rows, g).sum(axis=-1).reshape(-1)
        return gx, gw, (_bias_sum(gy, g.nd) if nb else None)

    links = True  # see _linked

    @staticmethod
    def graph_backward(ctx, gy):
        """Under create_graph: differentiable ops all the way down (see ``_linked``)."""
        x, w = ctx._arrays
        g = ctx.g
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = _InnerConvolutionTranspose.apply(gy, w, None, g) if nx else None
        gw = ConvolutionWeight.apply(x, gy, g) if nw else None
        gb = _bias_sum(gy, g.nd) if nb else None
        return _linked((gx, gw, gb), x, w, ctx)

    def _release(self):
        # the graph is done with this node: its im2col buffer can serve the next convolution
        super()._release()
        self.__dict__.pop("cols", None)


class ConvolutionTranspose(Op):
    """y = conv_transpose(x, w) + b (the adjoint of convolution in its input);
    dx = w * dy, dw = conv weight grad with the roles of x and dy swapped, db = sum(dy)."""
    name_ = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, g):
        ctx.g = g
        ctx.save_for_backward(x, w)
        return _add_bias(conv_input_grad(x, w, g), b, g.nd)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx._arrays
        g = ctx.g
        nx, nw, nb = ctx.needs_input_grad[:3]
        cols = _im2col(gy, g) if (nx or nw) else None
        gx = conv_forward(gy, w, g, cols)[0] if nx else None
        gw = conv_weight_grad(gy, x, g, cols) if nw else None
        return gx, gw, (_bias_sum(gy, g.nd) if nb else None)

    links = True  # see _linked

    @staticmethod
    def graph_backward(ctx, gy):
        """Under create_graph, as ``Convolution.graph_backward``."""
        x, w = ctx._arrays
        g = ctx.g
        nx, nw, nb = ctx.needs_input_grad[:3]
        gx = _InnerConvolution.apply(gy, w, None, g) if nx else None
        gw = ConvolutionWeight.apply(gy, x, g) if nw else None
        gb = _bias_sum(gy, g.nd) if nb else None
        return _linked((gx, gw, gb), x, w, ctx)


def _linked(grads, x, w, ctx):
    """A convolution's gradients under create_graph. torch computes the three in one op of
    (dy, x, w), so each requires grad where x or w does; a convolution inside a backward (in
    torch, a composition of convolutions) links nothing."""
    if not ctx.links:
        return grads
    return tuple(link(t, "ConvolutionBackwardBackward0", (x, w), zeros=False) for t in grads)


class _InnerConvolution(Convolution):
    links = False


class _InnerConvolutionTranspose(ConvolutionTranspose):
    links = False


class ConvolutionWeight(Op):
    """gw = weight gradient of y = w * x for upstream dy; bilinear in (x, dy)."""
    name_ = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, gy, g):
        ctx.g = g
        ctx.save_for_backward(x, gy)
        return conv_weight_grad(x, gy, g)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx._arrays
        g = ctx.g
        nx, ngy = ctx.needs_input_grad[:2]
        if isinstance(ggw, Tensor):
            gx = _InnerConvolutionTranspose.apply(gy, ggw, None, g) if nx else None
            g_gy = _InnerConvolution.apply(x, ggw, None, g) if ngy else None
        else:
            gx = conv_input_grad(gy, ggw, g) if nx else None
            g_gy = conv_forward(x, ggw, g)[0] if ngy else None
        return gx, g_gy


# ----- public functions -------------------------------------------------------------------------

def _check_positive(stride, padding, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if padding is not None and any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")


def _spatial_tuple(value, nd, name, kdim):
    t = ntuple(value, nd)
    if len(t) != kdim:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {kdim} values to match "
            f"the convolution dimensions, but got {name}={list(t)}")
    return t


def _check_dtypes(input, weight, bias):
    """torch's checks: the bias against the input first, then the weight."""
    x = input._data.dtype
    if bias is not None and bias._data.dtype != x:
        raise RuntimeError(f"Input type ({cpp_type_name(x)}) and bias type "
                           f"({cpp_type_name(bias._data.dtype)}) should be the same")
    if weight._data.dtype != x:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x)} but found "
                           f"{scalar_type_name(weight._data.dtype)}")


def _check_transposed_dtypes(input, weight, bias):
    """A transposed convolution checks only the weight, and adds the bias in the input's dtype
    (torch casts it)."""
    x = input._data.dtype
    if weight._data.dtype != x:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x)} but found "
                           f"{scalar_type_name(weight._data.dtype)}")
    if bias is not None and bias._data.dtype != x:
        return bias.to(input.dtype)
    return bias


def _refuse_bool(kernel):
    """torch convolves integers but not bool (its kernel, named here, refuses it)."""
    raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _batched(input, nd, name):
    ndim = input.dim()
    if ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_shape_list(input)}")
    return ndim == nd + 1


def _too_small(padded, kernel):
    if any(p < k for p, k in zip(padded, kernel)):
        fmt = " x ".join
        raise RuntimeError(
            f"Calculated padded input size per channel: ({fmt(str(p) for p in padded)}). "
            f"Kernel size: ({fmt(str(k) for k in kernel)}). Kernel size can't be greater than "
            "actual input size")


_SAME_WARNING = (
    "Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
    "copy of the input be created (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/Convolution.cpp:1101.)")


_warned_same = []


def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    name = f"conv{nd}d"
    unbatched = _batched(input, nd, name)
    kdim = weight.dim() - 2
    stride = _spatial_tuple(stride, nd, "stride", kdim)
    dilation = _spatial_tuple(dilation, nd, "dilation", kdim)
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            totals = [d * (k - 1) for d, k in zip(dilation, K)]
            if any(t % 2 for t in totals) and not _warned_same:
                _warned_same.append(True)  # torch warns once per process
                warnings.warn(_SAME_WARNING, UserWarning, stacklevel=3)
            pads = tuple((t // 2, t - t // 2) for t in totals)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        _check_positive(stride, None, dilation)
    else:
        padding = _spatial_tuple(padding, nd, "padding", kdim)
        _check_positive(stride, padding, dilation)
        pads = tuple((p, p) for p in padding)
    _check_dtypes(input, weight, bias)
    if unbatched:
        input = input.unsqueeze(0)
    N, C = input.shape[:2]
    O = weight.shape[0]
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if O % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_shape_list(weight)}] "
                           "instead")
    if C != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_shape_list(weight)}, expected "
            f"input{_shape_list(input)} to have {weight.shape[1] * groups} channels, but got {C} "
            "channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != O):
        raise RuntimeError(
            f"Given weight of size {_shape_list(weight)}, expected bias to be 1-dimensional with "
            f"{O} elements, but got bias of size {_shape_list(bias)} instead")
    S = tuple(input.shape[2:])
    padded = [lo + n + hi for (lo, hi), n in zip(pads, S)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, K)]
    _too_small(padded, eff)
    Lo = [(p - e) // s + 1 for p, e, s in zip(padded, eff, stride)]
    g = Geometry(S, K, Lo, stride, pads, dilation, groups)
    if input._data.dtype.kind == "b":
        _refuse_bool("slow_conv3d_cpu" if nd == 3 else "slow_conv2d_cpu")
    out = Convolution.apply(input, weight, bias, g)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Apply a 1-D convolution (cross-correlation) over ``(N, C, L)`` or ``(C, L)`` input."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Apply a 2-D convolution (cross-correlation) over ``(N, C, H, W)`` or ``(C, H, W)`` input.

    Example::

        >>> import gradstep as torch
        >>> x = torch.ones(1, 1, 4, 4)
        >>> torch.nn.functional.conv2d(x, torch.ones(1, 1, 3, 3), padding=1)[0, 0, 0].tolist()
        [4.0, 6.0, 6.0, 4.0]
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Apply a 3-D convolution (cross-correlation) over ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)


_DIM_NAMES = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd,
                    output_size=None):
    name = f"conv_transpose{nd}d"
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    unbatched = _batched(input, nd, name)
    kdim = weight.dim() - 2
    stride = _spatial_tuple(stride, nd, "stride", kdim)
    dilation = _spatial_tuple(dilation, nd, "dilation", kdim)
    padding = _spatial_tuple(padding, nd, "padding", kdim)
    output_padding = _spatial_tuple(output_padding, nd, "output_padding", kdim)
    _check_positive(stride, padding, dilation)
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = _DIM_NAMES[nd]
        op, st, dl = output_padding, stride, dilation
        if nd == 1:  # torch runs 1-d as 2-d over a unit height
            names, op, st, dl = _DIM_NAMES[2], (0,) + op, (1,) + st, (1,) + dl
        parts = ([f"output_padding_{n}: {v}" for n, v in zip(names, op)]
                 + [f"stride_{n}: {v}" for n, v in zip(names, st)]
                 + [f"dilation_{n}: {v}" for n, v in zip(names, dl)])
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           "got " + " ".join(parts))
    bias = _check_transposed_dtypes(input, weight, bias)
    if unbatched:
        input = input.unsqueeze(0)
    C = input.shape[1]
    if C != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {_shape_list(weight)}, expected "
            f"input{_shape_list(input)} to have {weight.shape[0]} channels, but got {C} channels "
            "instead")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if C % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_shape_list(weight)}] "
                           "instead")
    O = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != O):
        raise RuntimeError(
            f"Given transposed=1, weight of size {_shape_list(weight)}, expected bias to be "
            f"1-dimensional with {O} elements, but got bias of size {_shape_list(bias)} instead")
    K = tuple(weight.shape[2:])
    L = tuple(input.shape[2:])
    S = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1
         for n, s, p, d, k, op in zip(L, stride, padding, dilation, K, output_padding)]
    if any(n <= 0 for n in S):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, L))}). Calculated output size "
            f"per channel: ({' x '.join(map(str, S))}). Output size is too small")
    g = Geometry(S, K, L, stride, tuple((p, p) for p in padding), dilation, groups)
    if input._data.dtype.kind == "b":
        _refuse_bool("slow_conv_transpose3d_out_cpu" if nd == 3
                     else "slow_conv_transpose2d_out_cpu")
    out = ConvolutionTranspose.apply(input, weight, bias, g)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Apply a 1-D transposed convolution (the gradient of conv1d with respect to its input)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Apply a 2-D transposed convolution (the gradient of conv2d with respect to its input)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Apply a 3-D transposed convolution (the gradient of conv3d with respect to its input)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3)
