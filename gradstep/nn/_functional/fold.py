"""``unfold`` (im2col) and ``fold`` (col2im): each other's adjoint, built on conv's kernels."""
import math

import numpy as np

from ._linear import LinearOp
from .conv import col2im, ntuple, pad_zeros, windows

__all__ = ["unfold", "fold"]


def _blocks(size, k, d, p, s):
    return [(n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, dd, pp, ss in
            zip(size, k, d, p, s)]


def _im2col(x, k, d, p, s, Lo):
    xp = pad_zeros(x, tuple((pp, pp) for pp in p))
    win = windows(xp, k, Lo, s, d)  # (N, C, kh, kw, Ho, Wo)
    return win.reshape(x.shape[0], x.shape[1] * math.prod(k), math.prod(Lo))


def _col2im(cols, C, size, k, d, p, s, Lo):
    N = cols.shape[0]
    padded = (N, C) + tuple(n + 2 * pp for n, pp in zip(size, p))
    out = col2im(cols.reshape((N, C) + tuple(k) + tuple(Lo)), padded, k, Lo, s, d, cols.dtype)
    return out[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]


class Im2Col(LinearOp):
    """y[n, (c, i, j), l] = x_padded[n, c, window l at offset (i, j)];  dx = col2im(dy)."""
    name_ = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, k, d, p, s, Lo):
        ctx.geom = (x.shape[1], x.shape[2:], k, d, p, s, Lo)
        ctx.args = (k, d, p, s, Lo)
        return _im2col(x, k, d, p, s, Lo)

    def adjoint(ctx, gy):
        return _col2im(gy, *ctx.geom)


class Col2Im(LinearOp):
    """y = sum of every column block into its window (overlaps add);  dx = im2col(dy)."""
    name_ = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, x, C, size, k, d, p, s, Lo):
        ctx.geom = (k, d, p, s, Lo)
        ctx.args = (C, size, k, d, p, s, Lo)
        return np.ascontiguousarray(_col2im(x, C, size, k, d, p, s, Lo))

    def adjoint(ctx, gy):
        k, d, p, s, Lo = ctx.geom
        return _im2col(gy, k, d, p, s, Lo)


def _fmt(t):
    return "(" + ", ".join(str(v) for v in t) + ")"


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: ``(N, C, H, W)`` -> ``(N, C * prod(kernel_size), L)``."""
    ndim = input.dim()
    if ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
                         f"{max(ndim, 1) - 1}], but got 2)")
    if ndim > 4:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {list(input.shape)}")
    k, d, p, s = (ntuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    unbatched = ndim == 3
    if unbatched:
        input = input.unsqueeze(0)
    size = tuple(input.shape[2:])
    Lo = _blocks(size, k, d, p, s)
    if any(n < 1 for n in Lo):
        raise RuntimeError(
            f"Given input with spatial size {_fmt(size)}, kernel_size={_fmt(k)}, "
            f"dilation={_fmt(d)}, padding={_fmt(p)}, calculated shape of the array of sliding "
            f"blocks as {_fmt(Lo)}, but its components must be at least one.")
    out = Im2Col.apply(input, k, d, p, s, tuple(Lo))
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks ``(N, C * prod(kernel_size), L)`` into ``(N, C, *output_size)``."""
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                           f"size and non-zero dimensions for input, but got: {list(input.shape)}")
    size, k, d, p, s = (ntuple(v, 2) for v in (output_size, kernel_size, dilation, padding,
                                               stride))
    unbatched = ndim == 2
    if unbatched:
        input = input.unsqueeze(0)
    CK, L = input.shape[1:]
    kk = k[0] * k[1]
    if CK % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={CK} and "
                           f"kernel_size={_fmt(k)}.")
    Lo = _blocks(size, k, d, p, s)
    if Lo[0] * Lo[1] != L:
        raise RuntimeError(
            f"Given output_size={_fmt(size)}, kernel_size={_fmt(k)}, dilation={_fmt(d)}, "
            f"padding={_fmt(p)}, stride={_fmt(s)}, expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {Lo[0]} * {Lo[1]} = {Lo[0] * Lo[1]}, but "
            f"got input.size(2)={L}.")
    out = Col2Im.apply(input, CK // kk, size, k, d, p, s, tuple(Lo))
    return out.squeeze(0) if unbatched else out
