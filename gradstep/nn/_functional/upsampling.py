"""``interpolate`` (nearest, nearest-exact, linear, bilinear, trilinear, area) and pixel shuffle.

Interpolation is separable: along each spatial dim, output position ``o`` reads one source
position (nearest) or blends two (linear) with torch's index and weight formulas, computed in the
input's precision. Forward gathers whole slabs per dim (last dim first, as torch's kernels nest);
backward applies each dim's interpolation matrix transposed, one BLAS product per dim.
"""
import math
import warnings

import numpy as np

from ..._ops._util import scalar_type_name
from ..._tensor import Tensor
from ._linear import LinearOp
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle"]


# ----- per-dim index and weight tables ----------------------------------------------------------

def _nearest_index(n_in, n_out, scale, exact, shortcuts):
    """torch's nearest source indices (scales in float32, as its kernels compute them).

    ``shortcuts``: torch's 2-d nearest kernel copies a dim whose size is unchanged and doubles one
    whose size doubles, whatever the scale factor says; its 1-d and 3-d kernels apply the scale.
    """
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
        np.float32(n_in) / np.float32(n_out)
    dst = np.arange(n_out, dtype=np.float32)
    if exact:
        src = np.floor((dst + np.float32(0.5)) * s)
    elif shortcuts and n_out == n_in:
        return np.arange(n_out)
    elif shortcuts and n_out == 2 * n_in:
        return np.arange(n_out) >> 1
    else:
        src = np.floor(dst * s)
    return np.minimum(src.astype(np.int64), n_in - 1)


def _linear_weights(n_in, n_out, scale, align_corners, dtype):
    ft = np.dtype(dtype).type
    if align_corners:
        s = ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)
    else:
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n_in) / ft(n_out)
    dst = np.arange(n_out, dtype=dtype)
    if align_corners:
        src = s * dst
    else:
        src = np.maximum(s * (dst + ft(0.5)) - ft(0.5), ft(0))
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = i0 + (i0 < n_in - 1)
    l1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    return i0, i1, (ft(1) - l1).astype(dtype), l1


def _linear_weights_fixed_point(n_in, n_out, scale, align_corners):
    """uint8 bilinear: the two-tap weights as integers scaled by ``2**precision``.

    torch resizes uint8 images the way Pillow does: each output pixel is a normalised triangle
    filter over its source pixels, computed in float64, rounded to the largest fixed-point
    precision that keeps every weight below 2**15, and applied with integer arithmetic. Returns the
    ``(n_out, n_in)`` integer weight matrix and the precision.
    """
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        delta = 0.5  # sample centres sit on the pixel corners
    else:
        s = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        delta = 0.0
    center = s * (np.arange(n_out) + 0.5 - delta)
    # C's truncating casts (toward zero), not floor
    first = np.maximum(np.trunc(center - 0.5 + delta).astype(np.int64), 0)
    taps = np.clip(np.minimum(np.trunc(center + 1.5 + delta).astype(np.int64), n_in) - first, 0, 2)
    # the triangle filter at each of the (at most two) taps, normalised to sum to 1
    tap_weights = [np.maximum(1.0 - np.abs(j + first - center + 0.5 - delta), 0.0) * (j < taps)
                   for j in range(2)]
    total = tap_weights[0] + tap_weights[1]
    total = np.where(total == 0, 1.0, total)
    weights = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    for j, w in enumerate(tap_weights):
        keep = j < taps
        weights[rows[keep], (first + j)[keep]] = (w / total)[keep]
    largest = weights.max(initial=0.0)
    precision = 0
    while precision < 22 and int(0.5 + largest * (1 << (precision + 1))) < (1 << 15):
        precision += 1
    return np.trunc(weights * (1 << precision) + 0.5).astype(np.int64), precision


def _bilinear_uint8(x, out_size, scales, align_corners):
    """uint8 bilinear resize: width pass, then height pass, each rounded back to uint8.

    A pass is skipped where the size does not change (torch's kernel skips it too, so a scale
    factor on such a dim has no effect)."""
    y = x
    for axis in (-1, -2):
        n_in, n_out = y.shape[axis], out_size[axis]
        if n_in == n_out:
            continue
        weights, precision = _linear_weights_fixed_point(n_in, n_out, scales[axis], align_corners)
        acc = np.moveaxis(y, axis, -1).astype(np.int64) @ weights.T + (1 << (precision - 1))
        y = np.moveaxis(np.clip(acc >> precision, 0, 255).astype(np.uint8), -1, axis)
    return np.ascontiguousarray(y)


def _shape_along(w, axis, ndim):
    shape = [1] * ndim
    shape[axis] = -1
    return w.reshape(shape)


class Upsample(LinearOp):
    """y = separable interpolation of x;  dx = each dim's interpolation matrix, transposed."""

    @staticmethod
    def forward(ctx, x, tables):
        lead = x.ndim - len(tables)
        y = x
        for k in reversed(range(len(tables))):
            axis = lead + k
            t = tables[k]
            if len(t) == 1:
                y = np.take(y, t[0], axis=axis)
            else:
                i0, i1, l0, l1 = t
                y = (np.take(y, i0, axis=axis) * _shape_along(l0, axis, y.ndim)
                     + np.take(y, i1, axis=axis) * _shape_along(l1, axis, y.ndim))
        ctx.tables = tables
        ctx.shape = x.shape
        ctx.args = (tables,)
        return y

    def adjoint(ctx, gy):
        shape = ctx.shape
        tables = ctx.tables
        lead = len(shape) - len(tables)
        g = gy
        for k in range(len(tables)):
            axis = lead + k
            t = tables[k]
            n_in = shape[axis]
            n_out = g.shape[axis]
            m = np.zeros((n_out, n_in), dtype=gy.dtype)
            rows = np.arange(n_out)
            if len(t) == 1:
                m[rows, t[0]] = 1
            else:
                np.add.at(m, (rows, t[0]), t[2])
                np.add.at(m, (rows, t[1]), t[3])
            g = np.moveaxis(np.matmul(np.moveaxis(g, axis, -1), m), -1, axis)
        return g


_UPSAMPLE_NAMES = {"nearest": "UpsampleNearest{}DBackward0",
                   "nearest-exact": "UpsampleNearestExact{}DBackward0",
                   "linear": "UpsampleLinear1DBackward0",
                   "bilinear": "UpsampleBilinear2DBackward0",
                   "trilinear": "UpsampleTrilinear3DBackward0"}
_UPSAMPLE_OPS = {}
for _mode, _name in _UPSAMPLE_NAMES.items():
    for _nd in (1, 2, 3):
        _UPSAMPLE_OPS[(_mode, _nd)] = type(f"Upsample_{_mode}_{_nd}", (Upsample,),
                                           {"name_": _name.format(_nd)})

_MODE_DIMS = {"linear": 3, "bilinear": 4, "trilinear": 5}
_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def _format_seq(v):
    return repr(tuple(v)) if isinstance(v, tuple) else repr(v)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize ``input`` ``(N, C, *spatial)`` to ``size`` or by ``scale_factor``.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([[[1., 2.]]])
        >>> torch.nn.functional.interpolate(x, scale_factor=2, mode='linear').tolist()
        [[[1.0, 1.25, 1.75, 2.0]]]
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of "
                    f"{_format_seq(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and output size in (o1, o2, ...,oK) format.")
            out_size = [int(v) for v in size]
        else:
            out_size = [int(size)] * max(dim, 0)
        scales = [None] * max(dim, 0)
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{_format_seq(scale_factor)}. Please provide input tensor in (N, C, d1, d2, "
                    "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * max(dim, 0)
        out_size = [int(math.floor(float(n) * s)) for n, s in zip(spatial, scales)]
        if recompute_scale_factor:
            scales = [None] * len(scales)
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode not in _MODES or input.dim() not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if antialias:
        raise NotImplementedError("gradstep: interpolate(antialias=True) is not implemented")
    need = _MODE_DIMS.get(mode)
    if need is not None and input.dim() != need:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need}D input")
    if mode == "bicubic":
        raise NotImplementedError("gradstep: interpolate(mode='bicubic') is not implemented")
    if mode != "area":
        _check_sizes(input, spatial, out_size, mode)
    if mode == "area":
        if dim == 1:
            return adaptive_avg_pool1d(input, out_size)
        if dim == 2:
            return adaptive_avg_pool2d(input, out_size)
        raise NotImplementedError("gradstep: interpolate(mode='area') supports 3D and 4D input")
    dtype = input._data.dtype
    if dtype.kind != "f":
        _check_integer_input(dtype, mode, dim)
        if mode == "bilinear":  # uint8: Pillow-style fixed point, no gradient to track
            return Tensor._make(_bilinear_uint8(input._data, out_size, scales, align_corners))
    tables = []
    for n_in, n_out, s in zip(spatial, out_size, scales):
        if mode in ("nearest", "nearest-exact"):
            tables.append((_nearest_index(n_in, n_out, s, mode == "nearest-exact", dim == 2),))
        else:
            # torch's linear kernels leave a dim whose size does not change untouched, whatever
            # its scale factor says
            s = None if n_in == n_out else s
            tables.append(_linear_weights(n_in, n_out, s, align_corners, dtype))
    return _UPSAMPLE_OPS[(mode, dim)].apply(input, tuple(tables))


_DIM_LETTERS = ("D", "H", "W")


def _check_sizes(input, spatial, out_size, mode):
    """torch's checks before resizing: every spatial size positive, and no empty channel dim
    (an empty batch is fine)."""
    if min(spatial + out_size, default=1) <= 0:
        letters = _DIM_LETTERS[-len(spatial):]
        shown_in = ", ".join(f"{c}: {n}" for c, n in zip(letters, spatial))
        shown_out = ", ".join(f"{c}: {n}" for c, n in zip(letters, out_size))
        joint = " and output" if len(spatial) == 1 else " output"
        raise RuntimeError("Input and output sizes should be greater than 0, but got input "
                           f"({shown_in}){joint} ({shown_out})")
    if input.numel() == 0 and not (input.shape[0] == 0 and min(input.shape[1:]) > 0):
        raise RuntimeError(f"Non-empty {input.dim()}D data tensor expected but got a tensor with "
                           f"sizes {list(input.shape)}")


def _check_integer_input(dtype, mode, dim):
    """Integer and bool inputs: torch resizes uint8 images (nearest, bilinear) and refuses the
    rest, naming the kernel that refused."""
    if dtype == np.uint8 and mode in ("nearest", "nearest-exact", "bilinear"):
        return
    if mode in ("nearest", "nearest-exact"):
        kernel = ("upsample_nearest2d_channels_last" if dim == 2
                  else "compute_indices_weights_nearest")
    elif mode == "bilinear":
        kernel = "upsample_bilinear2d_channels_last"
    else:
        kernel = "compute_indices_weights_linear"
    raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(dtype)}\'')


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate`."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----- pixel shuffle ----------------------------------------------------------------------------

def _shuffle(x, r):
    lead = x.shape[:-3]
    C, H, W = x.shape[-3:]
    c = C // (r * r)
    y = x.reshape(lead + (c, r, r, H, W))
    n = len(lead)
    y = y.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape(lead + (c, H * r, W * r))


def _unshuffle(x, r):
    lead = x.shape[:-3]
    C, H, W = x.shape[-3:]
    h, w = H // r, W // r
    y = x.reshape(lead + (C, h, r, w, r))
    n = len(lead)
    y = y.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape(lead + (C * r * r, h, w))


class PixelShuffle(LinearOp):
    """(*, C r^2, H, W) -> (*, C, H r, W r);  dx = pixel_unshuffle(dy)."""
    name_ = "PixelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        ctx.args = (r,)
        return _shuffle(x, r)

    def adjoint(ctx, gy):
        return _unshuffle(gy, ctx.r)


class PixelUnshuffle(LinearOp):
    """(*, C, H r, W r) -> (*, C r^2, H, W);  dx = pixel_shuffle(dy)."""
    name_ = "PixelUnshuffleBackward0"

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        ctx.args = (r,)
        return _unshuffle(x, r)

    def adjoint(ctx, gy):
        return _shuffle(gy, ctx.r)


class ChannelShuffle(LinearOp):
    """(N, g c, *) -> (N, c g, *): channel i * c + j moves to j * g + i;  dx: the inverse."""
    name_ = "ChannelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, groups):
        ctx.groups = groups
        ctx.args = (groups,)
        return _shuffle_channels(x, groups)

    def adjoint(ctx, gy):
        return _shuffle_channels(gy, gy.shape[1] // ctx.groups)


def _shuffle_channels(x, groups):
    n, c = x.shape[0], x.shape[1]
    rest = x.shape[2:]
    y = x.reshape((n, groups, c // groups) + rest)
    return np.ascontiguousarray(np.swapaxes(y, 1, 2)).reshape(x.shape)


def channel_shuffle(input, groups):
    """Interleave the channels (dim 1) of ``groups`` equal groups.

    Example::

        >>> import gradstep as torch
        >>> x = torch.arange(4.).reshape(1, 4, 1)
        >>> torch.nn.functional.channel_shuffle(x, 2).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    channels = input.shape[1]
    if channels % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {channels} "
                           f"channels and {groups} groups.")
    return ChannelShuffle.apply(input, int(groups))


def pixel_shuffle(input, upscale_factor):
    """Rearrange ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)``."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    C = input.shape[-3]
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={C} "
                           f"is not divisible by {r * r}")
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input, downscale_factor):
    """Rearrange ``(*, C, H r, W r)`` into ``(*, C r^2, H, W)``."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    H, W = input.shape[-2:]
    if H % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={H} is not divisible by {r}")
    if W % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={W} is not divisible by {r}")
    return PixelUnshuffle.apply(input, r)
