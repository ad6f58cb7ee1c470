"""Pooling: max, average, adaptive, Lp and max-unpooling over the trailing 1 or 2 dims.

Every kernel works on the input viewed as ``(B, H, W)`` (all leading dims folded into B), and
loops over the kernel's offsets, never over positions: each offset is one strided slice of the
padded input, so a 2x2 pool is four whole-array operations. Max pooling keeps, per output, the
offset of its maximum (torch's first-maximum rule; a NaN wins); backward writes the gradient
through the same strided slices. 1-d pooling is 2-d pooling over a unit height, as in torch.
"""
import numpy as np

from ... import _alloc
from ..._ops._util import plus_zero, scalar_type_name
from ..._tensor import Tensor
from ...autograd import grad_mode
from ._linear import LinearOp, _Ctx
from .conv import ntuple, offset_slices, pad_zeros

__all__ = ["max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d", "max_unpool1d",
           "max_unpool2d"]


def _out_size(n, k, s, p, d, ceil_mode):
    """torch's pooling output length (ceil mode never starts a window in the right padding)."""
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _planes(x):
    """``x`` as ``(B, H, W)``."""
    return x.reshape((-1,) + x.shape[-2:])


def _min_value(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _refuse(x, kernel, allowed=""):
    """torch's error for a kernel that computes only floats (and the integer kinds in
    ``allowed``: "iu" all integers, "l" int64 alone)."""
    kind = x.dtype.kind
    if kind == "f" or kind in allowed or ("l" in allowed and x.dtype == np.int64):
        return
    raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(x.dtype)}\'')


def _padded_for(H, p, needed):
    """(before, after) padding so a length-H dim padded by p covers ``needed`` positions."""
    return (p, needed - H - p)


# ----- max pooling ------------------------------------------------------------------------------

def _first_valid(Lo, n, k, s, p, d):
    """Per output position, the first kernel offset that lands inside the input."""
    start = np.arange(Lo) * s - p
    first = np.where(start < 0, (-start + d - 1) // d, 0)
    return np.minimum(first, k - 1)


def _max_stage(src, axis, k, s, d, n_out, first, nan_aware, carry=None):
    """Max over one dim's windows of ``src`` (B, X, Y): returns the maxima and the offset of
    each (the first maximum; with ``nan_aware``, the last NaN), and ``carry`` gathered at it.

    ``first`` is each window's first in-bounds offset (an array), or None when every window lies
    inside the input: then offset 0 seeds the running maximum instead of -inf.
    """
    def view(a, i):
        sl = slice(i * d, i * d + s * (n_out - 1) + 1, s)
        return a[:, sl] if axis == 1 else a[:, :, sl]

    offsets = range(k)
    v0 = view(src, 0)
    if first is None:
        best = v0.copy()
        arg = np.zeros(best.shape, dtype=np.uint8)
        picked = view(carry, 0).copy() if carry is not None else None
        offsets = range(1, k)
    else:
        best = np.full(v0.shape, _min_value(src.dtype), dtype=src.dtype)
        arg = np.empty(best.shape, dtype=np.uint8)
        arg[...] = first.reshape((-1, 1) if axis == 1 else (1, -1))
        picked = None  # the caller gathers by the final offsets instead
    # Masked writes (np.where, copyto(where=)) branch on every element and crawl on the random
    # masks max pooling makes; the updates below are branch-free arithmetic instead.
    upd = np.empty(best.shape, dtype=bool)
    upd8 = upd.view(np.uint8)
    tmp = np.empty(best.shape, dtype=np.uint8)
    nan = np.empty(best.shape, dtype=bool) if nan_aware else None
    for i in offsets:
        v = view(src, i)
        np.greater(v, best, out=upd)
        if nan is not None:
            np.isnan(v, out=nan)
            upd |= nan
        np.maximum(best, v, out=best)  # NaN propagates, as torch's NaN-wins rule
        # offsets only grow, so "arg = i where updated" is a maximum
        np.multiply(upd8, np.uint8(i), out=tmp)
        np.maximum(arg, tmp, out=arg)
        if picked is not None:  # picked = carry_i where updated (uint8 wrap-around is exact)
            np.subtract(view(carry, i), picked, out=tmp)
            tmp *= upd8
            picked += tmp
    return best, arg, picked


class MaxPool2d(LinearOp):
    """y = max over each window;  dx = dy routed to the argmax of its window.

    The max is separable: each row's window maximum first (along W), then the maximum of those
    (along H); row-major first-maximum order (and a NaN winning) survives the split. The common
    2x2 stride-2 pool of NaN-free floats runs both stages on contiguous data
    (``_max_pool_halves``).
    """
    name_ = "MaxPool2DWithIndicesBackward0"
    adjoint_reads_input = True

    @staticmethod
    def forward(ctx, x, k, s, p, d, out):
        H, W = x.shape[-2:]
        Ho, Wo = out
        xb = _planes(x)
        if k == s == (2, 2) and p == (0, 0) and d == (1, 1) and (Ho, Wo) == (H // 2, W // 2) \
                and x.dtype.kind == "f" and x.size:
            best, arg = _max_pool_halves(xb)
            if not np.isnan(np.sum(best)):  # a NaN (or inf - inf) takes the general path
                ctx.arg = arg
                ctx.save_for_backward(x, arg)  # see below
                ctx.geom = (x.shape, k, s, p, d, out, ((0, 2 * Ho - H), (0, 2 * Wo - W)))
                return best.reshape(x.shape[:-2] + (Ho, Wo))
        need = [(o - 1) * st + dd * (kk - 1) + 1 for o, st, dd, kk in zip(out, s, d, k)]
        pads = (_padded_for(H, p[0], need[0]), _padded_for(W, p[1], need[1]))
        inside = pads[0][0] == 0 and pads[0][1] <= 0 and pads[1][0] == 0 and pads[1][1] <= 0
        xp = pad_zeros(xb, pads, lead=1, fill=_min_value(x.dtype))
        nan_aware = x.dtype.kind == "f" and x.size > 0 and bool(np.isnan(np.max(xb)))
        fi = fj = None
        if not inside:
            fi = _first_valid(Ho, H, k[0], s[0], p[0], d[0])
            fj = _first_valid(Wo, W, k[1], s[1], p[1], d[1])
        rows, argj, _ = _max_stage(xp, 2, k[1], s[1], d[1], Wo, fj, nan_aware)
        best, argi, pj = _max_stage(rows, 1, k[0], s[0], d[0], Ho, fi, nan_aware,
                                    carry=argj if fi is None else None)
        if pj is None:  # each window's column offset is that of its winning row
            r = (np.arange(Ho) * s[0])[:, None] + argi.astype(np.intp) * d[0]
            pj = np.take_along_axis(argj, r, axis=1)
        if k[0] * k[1] <= 255:
            arg = argi * np.uint8(k[1]) + pj
        else:
            arg = argi.astype(np.int32) * k[1] + pj
        ctx.arg = arg
        ctx.save_for_backward(x, arg)  # as torch saves (see LinearOp.adjoint_reads_input)
        ctx.geom = (x.shape, k, s, p, d, out, pads)
        return best.reshape(x.shape[:-2] + (Ho, Wo))

    def adjoint(self, gy):
        shape, k, s, p, d, out, pads = self.geom
        return _max_scatter(gy, self.arg, shape, k, s, d, out, pads)

    def linear(self, x):
        """x read at the saved argmax positions (the forward with its argmax held fixed)."""
        shape, k, s, p, d, out, pads = self.geom
        xp = pad_zeros(_planes(x), pads, lead=1)
        y = np.zeros(self.arg.shape, dtype=x.dtype)
        for i in range(k[0]):
            for j in range(k[1]):
                v = xp[(slice(None),) + offset_slices((i, j), out, s, d)]
                y += np.where(self.arg == i * k[1] + j, v, 0)
        return y.reshape(shape[:-2] + tuple(out))


def _max_pool_halves(xb):
    """2x2 stride-2 max pooling of ``xb`` (B, H, W) without NaNs: the maxima and ``arg``
    (``2 i + j`` for window offset (i, j), the first maximum in row-major order).

    Strided (every-other-element) ufuncs run ~10x slower than contiguous ones, so the two
    stages run over the whole flattened array shifted by one element (horizontal pairs) and by
    one row (vertical pairs), twice the work but contiguous; the windows' results are then read
    at the even rows and columns. A pair straddling two rows is computed but never read.
    """
    B, H, W = xb.shape
    Ho, Wo = H // 2, W // 2
    if (H, W) != (2 * Ho, 2 * Wo):
        xb = np.ascontiguousarray(xb[:, :2 * Ho, :2 * Wo])
        H, W = 2 * Ho, 2 * Wo
    flat = xb.reshape(-1)
    n = flat.size
    m = n - W
    u8 = np.uint8
    pair = _alloc.empty((n,), xb.dtype)  # max of (q, q + 1): a row's window max at even q
    np.maximum(flat[:-1], flat[1:], out=pair[:-1])
    right = _alloc.empty((n,), u8)  # the right one wins (ties keep the left, the first)
    np.greater(flat[1:], flat[:-1], out=right[:-1].view(np.bool_))
    quad = _alloc.empty((n,), xb.dtype)  # max of rows r and r + 1: the window max
    np.maximum(pair[:m], pair[W:], out=quad[:m])
    lower = _alloc.empty((n,), u8)  # the lower row wins (ties keep the upper)
    np.greater(pair[W:], pair[:m], out=lower[:m].view(np.bool_))
    # arg = 2 * lower + (the winning row's ``right``); uint8 wrap-around keeps this exact
    code = _alloc.empty((n,), u8)
    np.subtract(right[W:], right[:m], out=code[:m])
    code[:m] *= lower[:m]
    code[:m] += right[:m]
    code[:m] += lower[:m]
    code[:m] += lower[:m]
    corner = (slice(None), slice(None), 0, slice(None), 0)  # each window's top-left element
    best = quad.reshape(B, Ho, 2, Wo, 2)[corner].copy()
    arg = code.reshape(B, Ho, 2, Wo, 2)[corner].copy()
    return best, arg


def _max_scatter(gy, arg, shape, k, s, d, out, pads):
    H, W = shape[-2:]
    Ho, Wo = out
    B = arg.shape[0]
    gyb = gy.reshape(arg.shape)
    # multiplying by a 0/1 mask is branch-free (fast) but turns inf * 0 into NaN
    finite = gy.dtype.kind != "f" or bool(np.isfinite(np.sum(gyb)))
    if (s[0] == k[0] and s[1] == k[1] and d == (1, 1) and pads[0][0] == 0 and pads[1][0] == 0
            and pads[0][1] <= 0 and pads[1][1] <= 0):
        # windows tile the input exactly: every input position is written once, per offset
        tiles = np.empty((B, Ho, k[0], Wo, k[1]), dtype=gy.dtype)
        mask = np.empty(arg.shape, dtype=bool)
        for i in range(k[0]):
            for j in range(k[1]):
                np.equal(arg, i * k[1] + j, out=mask)
                if finite:
                    np.multiply(gyb, mask, out=tiles[:, :, i, :, j])
                else:
                    tiles[:, :, i, :, j] = np.where(mask, gyb, 0)
        tiles = plus_zero(tiles.reshape(B, Ho * k[0], Wo * k[1]))
        if tiles.shape[1:] == (H, W):
            return tiles.reshape(shape)
        gx = np.zeros((B, H, W), dtype=gy.dtype)
        gx[:, :Ho * k[0], :Wo * k[1]] = tiles
        return gx.reshape(shape)
    gxp = np.zeros((B, H + pads[0][0] + max(pads[0][1], 0),
                    W + pads[1][0] + max(pads[1][1], 0)), dtype=gy.dtype)
    mask = np.empty(arg.shape, dtype=bool)
    for i in range(k[0]):
        for j in range(k[1]):
            view = gxp[(slice(None),) + offset_slices((i, j), out, s, d)]
            np.equal(arg, i * k[1] + j, out=mask)
            view += gyb * mask if finite else np.where(mask, gyb, 0)
    gx = gxp[:, pads[0][0]:pads[0][0] + H, pads[1][0]:pads[1][0] + W]
    return gx.reshape(shape)


def _flat_indices(arg, H, W, k, s, p, d, out):
    """torch's indices: the argmax's flat position ``h * W + w`` within its (H, W) plane."""
    Ho, Wo = out
    i, j = np.divmod(arg.astype(np.int64), k[1])
    rows = (np.arange(Ho) * s[0] - p[0])[:, None] + i * d[0]
    cols = (np.arange(Wo) * s[1] - p[1])[None, :] + j * d[1]
    return rows * W + cols


def _pool_args(kernel_size, stride, padding, dilation, n=2):
    k = ntuple(kernel_size, n)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        ntuple(stride, n)
    return k, s, ntuple(padding, n), ntuple(dilation, n)


def _check_max_pool(x, k, s, p, d, ceil_mode):
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} kW: "
                           f"{k[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} "
                           f"dilationW: {d[1]}")
    for kk, pp, dd in zip(k, p, d):
        if pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation={dd}")
    H, W = x.shape[-2:]
    out = (_out_size(H, k[0], s[0], p[0], d[0], ceil_mode),
           _out_size(W, k[1], s[1], p[1], d[1], ceil_mode))
    if out[0] < 1 or out[1] < 1:
        C = x.shape[-3] if x.dim() >= 3 else 1
        raise RuntimeError(f"Given input size: ({C}x{H}x{W}). Calculated output size: "
                           f"({C}x{out[0]}x{out[1]}). Output size is too small")
    return out


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """2-D max pooling returning ``(output, indices)``."""
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k, s, p, d = _pool_args(kernel_size, stride, padding, dilation)
    out_size = _check_max_pool(input, k, s, p, d, ceil_mode)
    _refuse(input._data, "max_pool2d", "iu")
    out, ctx = _apply_keeping_ctx(MaxPool2d, input, k, s, p, d, out_size)
    H, W = input.shape[-2:]
    idx = _flat_indices(ctx.arg, H, W, k, s, p, d, out_size).reshape(tuple(out.shape))
    return out, Tensor._make(idx)


def _apply_keeping_ctx(op, input, *args):
    """``op.apply`` that also hands back the ctx (whose attributes the caller needs) when no
    graph is recorded."""
    if input._requires_grad and grad_mode.state.grad_enabled:
        out = op.apply(input, *args)
        return out, out.grad_fn
    ctx = _Ctx()
    return Tensor._make(op.forward(ctx, input._data, *args)), ctx


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)`` input.

    Example::

        >>> import gradstep as torch
        >>> x = torch.arange(16.).reshape(1, 1, 4, 4)
        >>> torch.nn.functional.max_pool2d(x, 2).flatten().tolist()
        [5.0, 7.0, 13.0, 15.0]
    """
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k, s, p, d = _pool_args(kernel_size, stride, padding, dilation)
    out_size = _check_max_pool(input, k, s, p, d, ceil_mode)
    if input._data.dtype.kind == "b":
        _refuse(input._data, "max_pool2d", "iu")
    return MaxPool2d.apply(input, k, s, p, d, out_size)


def _check_1d(input, name):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{list(input.shape)}")


def _max_pool1d_args(input, kernel_size, stride, padding, dilation, ceil_mode):
    _check_1d(input, "max_pool1d")
    k, = ntuple(kernel_size, 1)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        ntuple(stride, 1)[0]
    p, = ntuple(padding, 1)
    d, = ntuple(dilation, 1)
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    out = _out_size(input.shape[-1], k, s, p, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    return (1, k), (1, s), (0, p), (1, d)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """1-D max pooling returning ``(output, indices)``."""
    k, s, p, d = _max_pool1d_args(input, kernel_size, stride, padding, dilation, ceil_mode)
    out, idx = max_pool2d_with_indices(input.unsqueeze(-2), k, s, p, d, ceil_mode)
    return out.squeeze(-2), idx.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)`` input."""
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    k, s, p, d = _max_pool1d_args(input, kernel_size, stride, padding, dilation, ceil_mode)
    _refuse(input._data, "max_pool1d_impl")  # torch's own 1-d kernel: floats only
    return max_pool2d(input.unsqueeze(-2), k, s, p, d, ceil_mode).squeeze(-2)


# ----- average pooling --------------------------------------------------------------------------

def _window_counts(Lo, n, k, s, p, count_include_pad):
    start = np.arange(Lo) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


class AvgPool2d(LinearOp):
    """y = sum over each window / divisor;  dx = dy / divisor spread over each window."""
    name_ = "AvgPool2DBackward0"
    adjoint_reads_input = True

    @staticmethod
    def forward(ctx, x, k, s, p, out, divisor):
        H, W = x.shape[-2:]
        Ho, Wo = out
        need = [(o - 1) * st + kk for o, st, kk in zip(out, s, k)]
        pads = (_padded_for(H, p[0], need[0]), _padded_for(W, p[1], need[1]))
        xp = pad_zeros(_planes(x), pads, lead=1)
        # separable: sum the rows of each window, then the columns
        rows = None
        for i in range(k[0]):
            v = xp[:, i:i + s[0] * (Ho - 1) + 1:s[0], :]
            rows = v.copy() if rows is None else np.add(rows, v, out=rows)
        acc = None
        for j in range(k[1]):
            v = rows[:, :, j:j + s[1] * (Wo - 1) + 1:s[1]]
            acc = v.copy() if acc is None else np.add(acc, v, out=acc)
        ctx.geom = (x.shape, k, s, out, pads, xp.shape, rows.shape)
        ctx.save_for_backward(x)  # as torch saves (see LinearOp.adjoint_reads_input)
        ctx.divisor = divisor
        ctx.args = (k, s, p, out, divisor)
        if acc.dtype.kind == "f":
            acc /= divisor
        else:  # int64: C's integer division, truncating toward zero
            acc = np.sign(acc) * np.sign(divisor) * (np.abs(acc) // np.abs(divisor))
        return acc.reshape(x.shape[:-2] + (Ho, Wo))

    def adjoint(ctx, gy):
        shape, k, s, out, pads, padded, rows_shape = ctx.geom
        Ho, Wo = out
        g = gy.reshape((-1, Ho, Wo)) / ctx.divisor
        grows = np.zeros(rows_shape, dtype=gy.dtype)
        for j in range(k[1]):
            grows[:, :, j:j + s[1] * (Wo - 1) + 1:s[1]] += g
        H, W = shape[-2:]
        gxp = np.zeros((padded[0], max(padded[1], pads[0][0] + H), max(padded[2], pads[1][0] + W)),
                       dtype=gy.dtype)
        for i in range(k[0]):
            gxp[:, i:i + s[0] * (Ho - 1) + 1:s[0], :grows.shape[2]] += grows
        return gxp[:, pads[0][0]:pads[0][0] + H, pads[1][0]:pads[1][0] + W].reshape(shape)


def _avg_pool2d_impl(input, k, s, p, ceil_mode, count_include_pad, divisor_override):
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    for kk, pp in zip(k, p):
        if pp > kk // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation=1")
    H, W = input.shape[-2:]
    out = tuple(_out_size(n, kk, ss, pp, 1, ceil_mode) for n, kk, ss, pp in
                zip((H, W), k, s, p))
    if out[0] < 1 or out[1] < 1:
        C = input.shape[-3] if input.dim() >= 3 else 1
        raise RuntimeError(f"Given input size: ({C}x{H}x{W}). Calculated output size: "
                           f"({C}x{out[0]}x{out[1]}). Output size is too small")
    dtype = input._data.dtype
    _refuse(input._data, "avg_pool2d", "l")
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = np.asarray(divisor_override, dtype=dtype)
    else:
        ch = _window_counts(out[0], H, k[0], s[0], p[0], count_include_pad)
        cw = _window_counts(out[1], W, k[1], s[1], p[1], count_include_pad)
        divisor = (ch[:, None] * cw[None, :]).astype(dtype)
    return AvgPool2d.apply(input, k, s, p, out, divisor)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling over ``(N, C, H, W)`` or ``(C, H, W)`` input."""
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k, s, p, _ = _pool_args(kernel_size, stride, padding, 1)
    return _avg_pool2d_impl(input, k, s, p, ceil_mode, count_include_pad, divisor_override)


def _check_dims_1d(input, name):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {name})")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)`` input."""
    _check_dims_1d(input, "avg_pool1d")
    k, = ntuple(kernel_size, 1)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        ntuple(stride, 1)[0]
    p, = ntuple(padding, 1)
    out = _avg_pool2d_impl(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode,
                           count_include_pad, None)
    return out.squeeze(-2)


# ----- adaptive pooling -------------------------------------------------------------------------

def _adaptive_bounds(n, m):
    """torch's adaptive windows: [floor(i n / m), ceil((i + 1) n / m)) for i < m."""
    i = np.arange(m)
    return (i * n) // m, -((-(i + 1) * n) // m)


def _adaptive_matrix(n, m, dtype):
    start, end = _adaptive_bounds(n, m)
    pos = np.arange(n)
    return ((pos >= start[:, None]) & (pos < end[:, None])).astype(dtype), end - start


class AdaptiveAvgPool2d(LinearOp):
    """y = P_h x P_w^T / counts (P: 0/1 window matrices);  dx = P_h^T (dy / counts) P_w."""
    name_ = "AdaptiveAvgPool2DBackward0"
    adjoint_reads_input = True

    @staticmethod
    def forward(ctx, x, out):
        H, W = x.shape[-2:]
        Ph, ch = _adaptive_matrix(H, out[0], x.dtype)
        Pw, cw = _adaptive_matrix(W, out[1], x.dtype)
        div = (ch[:, None] * cw[None, :]).astype(x.dtype)
        y = np.matmul(Ph, np.matmul(_planes(x), Pw.T)) / div
        ctx.mats = (Ph, Pw, div, x.shape)
        ctx.save_for_backward(x)  # as torch saves (see LinearOp.adjoint_reads_input)
        ctx.args = (out,)
        return y.reshape(x.shape[:-2] + tuple(out))

    def adjoint(ctx, gy):
        Ph, Pw, div, shape = ctx.mats
        g = gy.reshape((-1,) + div.shape) / div
        return np.matmul(np.matmul(Ph.T, g), Pw).reshape(shape)


class AdaptiveMaxPool2d(LinearOp):
    """y = max over each adaptive window;  dx = dy added at each window's argmax."""
    name_ = "AdaptiveMaxPool2DBackward0"
    adjoint_reads_input = True

    @staticmethod
    def forward(ctx, x, out):
        H, W = x.shape[-2:]
        Ho, Wo = out
        xb = _planes(x)
        hs, he = _adaptive_bounds(H, Ho)
        ws, we = _adaptive_bounds(W, Wo)
        best = np.full((xb.shape[0], Ho, Wo), _min_value(x.dtype), dtype=x.dtype)
        idx = np.empty(best.shape, dtype=np.int64)
        idx[...] = hs[:, None] * W + ws[None, :]
        upd = np.empty(best.shape, dtype=bool)
        for i in range(int((he - hs).max())):
            r = np.minimum(hs + i, he - 1)
            for j in range(int((we - ws).max())):
                c = np.minimum(ws + j, we - 1)
                v = xb[:, r[:, None], c[None, :]]
                np.greater(v, best, out=upd)
                if x.dtype.kind == "f":
                    upd |= np.isnan(v)
                np.copyto(best, v, where=upd)
                np.copyto(idx, r[:, None] * W + c[None, :], where=upd)
        ctx.idx = idx
        ctx.shape = x.shape
        ctx.save_for_backward(x, idx)  # as torch saves (see LinearOp.adjoint_reads_input)
        return best.reshape(x.shape[:-2] + (Ho, Wo))

    def adjoint(self, gy):
        return _index_scatter(gy, self.idx, self.shape)

    def linear(self, x):
        B = self.idx.shape[0]
        y = np.take_along_axis(x.reshape(B, -1), self.idx.reshape(B, -1), axis=1)
        return y.reshape(self.shape[:-2] + self.idx.shape[1:])


def _index_scatter(gy, idx, shape):
    """Sum ``gy`` into zeros of ``shape`` at the flat per-plane positions ``idx``."""
    B = idx.shape[0]
    plane = shape[-1] * shape[-2]
    flat = (idx.reshape(B, -1) + (np.arange(B) * plane)[:, None]).ravel()
    gx = np.bincount(flat, weights=gy.reshape(-1), minlength=B * plane)
    return gx.astype(gy.dtype, copy=False).reshape(shape)


def _adaptive_size(input, output_size, name, n=2):
    size = ntuple(output_size, n) if not isinstance(output_size, (tuple, list)) else \
        tuple(output_size)
    if len(size) != n:
        raise RuntimeError(f"{name}: output_size must be {n}")
    return tuple(input.shape[-n + i] if v is None else int(v) for i, v in enumerate(size))


def _check_adaptive(input, first, name):
    """torch's adaptive pools refuse an empty dim from ``first`` on (the batch dim may be 0)."""
    for d in range(max(first, 1 if input.dim() == 4 else 0), input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")


def _check_output_size(input, out):
    """Adaptive max pools: a negative output size fails where torch allocates the output."""
    if min(out) < 0:
        shape = list(input.shape[:-len(out)]) + list(out)
        bad = next(v for v in out if v < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {shape}")


def adaptive_avg_pool2d(input, output_size):
    """2-D average pooling to a fixed output size, over ``(N, C, H, W)`` or ``(C, H, W)``."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}")
    out = _adaptive_size(input, output_size, "adaptive_avg_pool2d")
    _check_adaptive(input, input.dim() - 2, "adaptive_avg_pool2d")
    if min(out) < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than or "
                           f"equal to 0 but received {{{out[0]}, {out[1]}}}")
    if out == (1, 1):
        return input.mean(dim=(-1, -2), keepdim=True)
    _refuse(input._data, "adaptive_avg_pool2d")
    return AdaptiveAvgPool2d.apply(input, out)


def adaptive_avg_pool1d(input, output_size):
    """1-D average pooling to a fixed output length."""
    _check_dims_1d(input, "adaptive_avg_pool1d")
    size = ntuple(output_size, 1)
    if len(size) != 1:
        raise RuntimeError("adaptive_avg_pool1d: output_size must be 1")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size[0])).squeeze(-2)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """2-D adaptive max pooling returning ``(output, indices)``."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    out_size = _adaptive_size(input, output_size, "adaptive_max_pool2d")
    _check_adaptive(input, 1, "adaptive_max_pool2d")
    _check_output_size(input, out_size)
    _refuse(input._data, "adaptive_max_pool2d")
    out, ctx = _apply_keeping_ctx(AdaptiveMaxPool2d, input, out_size)
    return out, Tensor._make(ctx.idx.reshape(tuple(out.shape)))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D max pooling to a fixed output size."""
    if return_indices:
        return adaptive_max_pool2d_with_indices(input, output_size)
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: "
                           f"{list(input.shape)}")
    out_size = _adaptive_size(input, output_size, "adaptive_max_pool2d")
    _check_adaptive(input, 1, "adaptive_max_pool2d")
    _check_output_size(input, out_size)
    _refuse(input._data, "adaptive_max_pool2d")
    return AdaptiveMaxPool2d.apply(input, out_size)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """1-D adaptive max pooling returning ``(output, indices)``."""
    _check_dims_1d(input, "adaptive_max_pool1d")
    size = ntuple(output_size, 1)
    _check_adaptive(input, 0, "adaptive_max_pool1d")
    _check_output_size(input, size)
    out, idx = adaptive_max_pool2d_with_indices(input.unsqueeze(-2), (1, size[0]))
    return out.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-D max pooling to a fixed output length."""
    if return_indices:
        return adaptive_max_pool1d_with_indices(input, output_size)
    _check_dims_1d(input, "adaptive_max_pool1d")
    size = ntuple(output_size, 1)
    _check_adaptive(input, 0, "adaptive_max_pool1d")
    _check_output_size(input, size)
    return adaptive_max_pool2d(input.unsqueeze(-2), (1, size[0])).squeeze(-2)


# ----- Lp pooling and max unpooling -------------------------------------------------------------

def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling: ``(sum over window of x^p)^(1/p)``."""
    kh, kw = ntuple(kernel_size, 2)
    if stride is not None:
        out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool2d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling: ``(sum over window of x^p)^(1/p)``."""
    if stride is not None:
        out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool1d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


class MaxUnpool2d(LinearOp):
    """y = zeros with y[idx] = x;  dx = dy[idx]."""
    name_ = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, idx, out):
        lead = x.shape[:-2]
        xb = x.reshape(-1, x.shape[-2] * x.shape[-1])
        ib = idx.reshape(xb.shape)
        y = np.zeros((xb.shape[0], out[0] * out[1]), dtype=x.dtype)
        np.put_along_axis(y, ib, xb, axis=1)
        ctx.idx = ib
        ctx.shape = x.shape
        ctx.args = (idx, out)
        return y.reshape(lead + tuple(out))

    def adjoint(ctx, gy):
        g = gy.reshape(ctx.idx.shape[0], -1)
        return np.take_along_axis(g, ctx.idx, axis=1).reshape(ctx.shape)


def _unpool_size(input, kernel_size, stride, padding, output_size, n):
    k = ntuple(kernel_size, n)
    s = k if stride is None else ntuple(stride, n)
    p = ntuple(padding, n)
    default = tuple((input.shape[-n + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(n))
    if output_size is None:
        return default
    size = tuple(output_size)
    if len(size) == input.dim():
        size = size[-n:]
    return tuple(int(v) for v in size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: scatter ``input`` to ``indices`` in a zero map."""
    out = _unpool_size(input, kernel_size, stride, padding, output_size, 2)
    _refuse(input._data, "max_unpool2d")
    plane = out[0] * out[1]
    idx = indices._data
    bad = (idx < 0) | (idx >= plane)
    if bad.any():
        raise RuntimeError(f"Found an invalid max index: {int(idx[bad].flat[0])} (output volumes "
                           f"are of size {out[0]}x{out[1]})")
    return MaxUnpool2d.apply(input, idx, out)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d."""
    out = _unpool_size(input, kernel_size, stride, padding, output_size, 1)
    y = max_unpool2d(input.unsqueeze(-2), indices.unsqueeze(-2), (1,) + ntuple(kernel_size, 1),
                     (1,) + (ntuple(stride, 1) if stride is not None else
                             ntuple(kernel_size, 1)), (0,) + ntuple(padding, 1),
                     (1,) + out)
    return y.squeeze(-2)
