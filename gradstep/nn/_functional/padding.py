"""``F.pad``: constant, reflect, replicate and circular padding of the trailing dims.

Constant padding (negative amounts crop) is one allocation and one slice copy, its gradient the
matching slice. The other modes gather each padded dim through an index array (reflection,
clamping or wrap-around of the source position) and scatter the gradient back through it.
"""
import numpy as np

from ._linear import LinearOp

__all__ = ["pad"]


class ConstantPadNd(LinearOp):
    """y = x framed by ``value`` (negative pads crop);  dx = the matching slice of dy."""
    name_ = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pairs, value):
        lead = x.ndim - len(pairs)
        out_shape = x.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in
                                          zip(x.shape[lead:], pairs))
        out = np.full(out_shape, value, dtype=x.dtype) if value else \
            np.zeros(out_shape, dtype=x.dtype)
        src, dst = _slices(x.shape[lead:], pairs, lead)
        out[dst] = x[src]
        ctx.geom = (x.shape, src, dst)
        ctx.args = (pairs, 0)  # the linear part: the fill value has no derivative
        return out

    def adjoint(ctx, gy):
        shape, src, dst = ctx.geom
        gx = np.zeros(shape, dtype=gy.dtype)
        gx[src] = gy[dst]
        return gx


def _slices(spatial, pairs, lead):
    src, dst = [slice(None)] * lead, [slice(None)] * lead
    for n, (lo, hi) in zip(spatial, pairs):
        src.append(slice(max(-lo, 0), n - max(-hi, 0)))
        dst.append(slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0)))
    return tuple(src), tuple(dst)


def _source_index(n, lo, hi, mode):
    pos = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":  # negative pads crop first; the rest wraps around what is left
        start = max(-lo, 0)
        return start + (pos - start) % (n - start - max(-hi, 0))
    period = 2 * (n - 1)
    if period == 0:
        return np.zeros_like(pos)
    pos = pos % period
    return np.where(pos >= n, period - pos, pos)


class IndexPad(LinearOp):
    """y = x gathered along each padded dim through a source-index array;
    dx = dy summed back through the same indices."""

    @classmethod
    def forward(cls, ctx, x, pairs, mode):
        lead = x.ndim - len(pairs)
        idx = [_source_index(n, lo, hi, mode) for n, (lo, hi) in zip(x.shape[lead:], pairs)]
        y = x
        for k, ix in enumerate(idx):
            y = np.take(y, ix, axis=lead + k)
        ctx.idx = idx
        ctx.shape = x.shape
        ctx.args = (pairs, mode)
        # as torch saves (see LinearOp.adjoint_reads_input); its circular padding saves
        # tensors too, not the input: a backward frees them, an in-place change goes unnoticed
        if cls.adjoint_reads_input:
            ctx.save_for_backward(x)
        else:
            ctx.save_for_backward(*idx)
        return y

    def adjoint(ctx, gy):
        shape = ctx.shape
        lead = len(shape) - len(ctx.idx)
        g = gy
        for k in reversed(range(len(ctx.idx))):
            ix = ctx.idx[k]
            axis = lead + k
            moved = np.moveaxis(g, axis, -1)
            acc = np.zeros(moved.shape[:-1] + (shape[axis],), dtype=gy.dtype)
            np.add.at(acc, (Ellipsis, ix), moved)
            g = np.moveaxis(acc, -1, axis)
        return g


def _index_pad_class(mode, nd):
    if mode == "circular":
        name = "CopySlices"
    else:
        name = f"{'Reflection' if mode == 'reflect' else 'Replication'}Pad{nd}DBackward0"
    # torch's reflection and replication pad backward ops take the input; circular padding is
    # slicing (CopySlices), whose backward does not
    return type(f"IndexPad_{mode}_{nd}", (IndexPad,),
                {"name_": name, "adjoint_reads_input": mode != "circular"})


_INDEX_PADS = {(m, nd): _index_pad_class(m, nd) for m in ("reflect", "replicate", "circular")
               for nd in (1, 2, 3)}

_UNSUPPORTED = (
    "Padding size {size} is not supported for {ndim}D input tensor.\n"
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing dims of ``input``: ``pad`` lists (before, after) from the last dim back.

    Example::

        >>> import gradstep as torch
        >>> torch.nn.functional.pad(torch.ones(2), (1, 2)).tolist()
        [0.0, 1.0, 1.0, 0.0, 0.0]
    """
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    ndim = input.dim()
    k = len(pad) // 2
    if k > ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{ndim}")
    pairs = tuple((pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k)))  # first dim first
    shape = tuple(input.shape)
    if mode == "constant":
        for i, (n, (lo, hi)) in enumerate(zip(shape[ndim - k:], pairs)):
            if n + lo + hi < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPadNd.apply(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if k not in (1, 2, 3) or ndim not in (k + 1, k + 2):
        raise NotImplementedError(_UNSUPPORTED.format(size=len(pad), ndim=ndim))
    if any(n == 0 for n in (shape[1:] if ndim == k + 2 else shape)):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {list(shape)}")
    # torch checks the last dim first (its pad arguments come in that order)
    for i, (n, (lo, hi)) in reversed(list(enumerate(zip(shape[ndim - k:], pairs)))):
        dim = ndim - k + i
        if mode == "reflect" and (lo >= n or hi >= n):
            arg = 4 + 2 * (k - 1 - i)
            raise RuntimeError(
                f"Argument #{arg}: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                f"{list(shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    return _INDEX_PADS[(mode, k)].apply(input, pairs, mode)
