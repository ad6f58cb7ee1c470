r"""Lookup tables: ``embedding``, ``embedding_bag`` and ``one_hot``.

.. note::
   ``sparse=True`` is accepted and recorded, but the weight gradient is always a dense tensor
   of the weight's shape (gradstep has no sparse layout). Its values equal torch's sparse
   gradient densified, so optimizers that accept dense gradients give the same result.
"""
import numpy as np

from ..._tensor import Tensor, type_name
from ...autograd.graph import Op
from ..._ops.indexing import SavesIndex, check_index_versions, note_index_versions

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _scatter_rows(grad2, flat, shape):
    """Sum the rows of ``grad2`` into a zero array of ``shape`` at row indices ``flat``."""
    if isinstance(grad2, Tensor):  # create_graph: a differentiable index_add
        import gradstep
        zero = gradstep.zeros(shape, dtype=grad2.dtype)
        return zero.index_add(0, Tensor._make(flat), grad2)
    out = np.zeros(shape, grad2.dtype)
    if flat.size:
        # sort the indices, then sum each run of equal ones in one reduceat (several times
        # faster than np.add.at, which pays per element)
        order = np.argsort(flat, kind="stable")
        s = flat[order]
        new = np.empty(s.shape, bool)
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
        start = np.flatnonzero(new)
        out[s[start]] = np.add.reduceat(grad2[order], start, axis=0)
    return out


class _Embedding(SavesIndex, Op):
    """z = W[idx];  dW[i] = sum of g over the positions where idx == i (padding row: 0)."""
    name_ = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        if ctx.needs_input_grad:
            ctx.idx = idx
            ctx.save_for_backward(idx)  # as torch saves the indices: a backward frees them
            ctx.w_shape = w.shape
            ctx.padding_idx = padding_idx
            ctx.scale = scale_grad_by_freq
        return w[idx]

    @staticmethod
    def backward(ctx, grad):
        check_index_versions(ctx)  # torch saved the indices tensor
        V, D = ctx.w_shape
        flat = ctx.idx.reshape(-1)
        g2 = np.reshape(grad, (-1, D))
        pad = ctx.padding_idx
        if ctx.scale or pad is not None:
            factor = np.ones(flat.shape, (grad._data if isinstance(grad, Tensor) else grad).dtype)
            if ctx.scale:
                factor /= np.bincount(flat, minlength=V)[flat]
            if pad is not None:
                factor[flat == pad] = 0
            g2 = g2 * factor[:, None]
        return _scatter_rows(g2, flat, (V, D))


def _indices(input, what="embedding"):
    idx = input._data
    if idx.dtype != np.int64 and idx.dtype != np.int32:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {type_name(input)} instead (while "
                           f"checking arguments for {what})")
    return idx


def _renorm(weight, idx, max_norm, norm_type):
    """Rescale in place (no autograd record) the rows of ``weight`` that ``idx`` reads whose
    ``norm_type``-norm exceeds ``max_norm``, to norm ``max_norm``."""
    w = weight._data
    rows = np.unique(idx)
    sub = w[rows]
    norms = np.linalg.norm(sub.astype(np.float64), ord=norm_type, axis=1) if norm_type not in (
        2, 2.0) else np.sqrt(np.sum(sub * sub, axis=1))
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        w[rows[over]] = sub[over] * scale[:, None]
    weight._bump_version()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    r"""Look up rows of ``weight`` (``(num_embeddings, embedding_dim)``) at the integer ``input``.

    ``padding_idx``'s row gets no gradient; ``max_norm`` first rescales, in place, the rows
    looked up whose norm exceeds it; ``scale_grad_by_freq`` divides each row's gradient by how
    often the index occurs in ``input``. ``sparse`` is accepted; the gradient is dense.

    Example::

        >>> import gradstep as torch
        >>> w = torch.arange(6.).reshape(3, 2)
        >>> torch.nn.functional.embedding(torch.tensor([2, 0]), w)
        tensor([[4., 5.],
                [0., 1.]])
    """
    V = weight._data.shape[0] if weight._data.ndim else 0
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= V:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -V:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = V + padding_idx
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = _indices(input)
    if idx.size and (idx.min() < 0 or idx.max() >= V):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    out = _Embedding.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))
    return note_index_versions(out, input)


# ----- embedding bag -----

class _EmbeddingBag(Op):
    """z[b] = reduce over the bag b of (W[idx] * psw);  the gradient scatters back per row."""
    name_ = "EmbeddingBagBackward0"

    @staticmethod
    def forward(ctx, w, psw, idx, bag_of, nbags, mode, padding_idx):
        rows = w[idx]
        if psw is not None:
            rows = rows * psw[:, None]
        keep = np.ones(idx.shape, bool) if padding_idx is None else idx != padding_idx
        D = w.shape[1]
        counts = np.bincount(bag_of[keep], minlength=nbags).astype(w.dtype)
        if mode == 2:  # max
            out = np.full((nbags, D), -np.inf, w.dtype)
            np.maximum.at(out, bag_of[keep], rows[keep])
            out[counts == 0] = 0
            # the arg-max position of every (bag, column), for backward
            pos = np.full((nbags, D), -1, np.int64)
            sel = np.nonzero(keep)[0]
            for_bag = bag_of[sel]
            hit = rows[sel] == out[for_bag]
            # first occurrence wins (torch keeps the first maximum)
            order = np.arange(sel.size)[:, None].repeat(D, 1)
            cand = np.where(hit, order, sel.size)
            best = np.full((nbags, D), sel.size, np.int64)
            np.minimum.at(best, for_bag, cand)
            valid = best < sel.size
            pos[valid] = sel[best[valid]]
            ctx.pos = pos
        else:
            out = np.zeros((nbags, D), w.dtype)
            if keep.any():
                np.add.at(out, bag_of[keep], rows[keep])
            if mode == 1:  # mean
                out /= np.maximum(counts, 1)[:, None]
        if ctx.needs_input_grad:
            ctx.save_for_backward(w, psw)
            ctx.idx, ctx.bag_of, ctx.keep, ctx.counts = idx, bag_of, keep, counts
            ctx.mode = mode
        return out

    @staticmethod
    def backward(ctx, grad):
        w, psw = ctx._arrays
        needs = ctx.needs_input_grad
        idx, bag_of, keep, counts = ctx.idx, ctx.bag_of, ctx.keep, ctx.counts
        V, D = w.shape
        if ctx.mode == 2:
            pos = ctx.pos
            gw = np.zeros((V, D), grad.dtype)
            valid = pos >= 0
            b, col = np.nonzero(valid)
            rows_idx = idx[pos[valid]]
            np.add.at(gw, (rows_idx, col), grad[valid])
            return gw, None
        g = grad if ctx.mode == 0 else grad / np.maximum(counts, 1)[:, None]
        per = g[bag_of] * keep[:, None]  # the upstream gradient of every looked-up row
        gw = gp = None
        if needs[0]:
            gw = _scatter_rows(per if psw is None else per * psw[:, None], idx, (V, D))
        if len(needs) > 1 and needs[1]:
            gp = np.sum(per * w[idx], axis=1)
        return gw, gp

    @staticmethod
    def graph_backward(ctx, grad):
        """Under create_graph: mode 'max' scatters each bag's gradient to its arg-max rows with
        a differentiable index_add (over the flattened table); the other modes as backward."""
        if ctx.mode != 2:
            return _EmbeddingBag.backward(ctx, grad)
        V, D = ctx._arrays[0].shape
        pos = ctx.pos
        valid = pos >= 0
        _, col = np.nonzero(valid)
        flat = ctx.idx[pos[valid]] * D + col
        picked = grad[Tensor._make(valid)].reshape(-1, 1)
        return _scatter_rows(picked, flat, (V * D, 1)).reshape(V, D), None


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    r"""Sums, means or maxima of bags of embedding rows, without materialising the lookups.

    ``input`` is 2-D ``(B, N)`` (fixed-size bags) or 1-D with ``offsets`` giving where each bag
    starts. ``per_sample_weights`` (mode ``'sum'`` only) scales each looked-up row.
    """
    idx = _indices(input, "embedding_bag")
    V = weight._data.shape[0]
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += V
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")
        nbags, n = idx.shape
        bag_of = np.repeat(np.arange(nbags), n)
        idx = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        off = offsets._data.astype(np.int64)
        if include_last_offset:
            off = off[:-1]
        nbags = off.shape[0]
        bag_of = np.searchsorted(off, np.arange(idx.shape[0]), side="right") - 1
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if idx.size and (idx.min() < 0 or idx.max() >= V):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    code = {"sum": 0, "mean": 1, "max": 2}[mode]
    psw_t = None
    if per_sample_weights is not None:
        psw_t = per_sample_weights if per_sample_weights._data.ndim == 1 else \
            per_sample_weights.reshape(-1)
    return _EmbeddingBag.apply(weight, psw_t, idx, bag_of, nbags, code, padding_idx)


# ----- one_hot -----

def one_hot(tensor, num_classes=-1):
    r"""A ``(*, num_classes)`` int64 tensor with a 1 at each index of ``tensor`` (int64).

    ``num_classes=-1`` uses ``tensor.max() + 1``.

    Example::

        >>> import gradstep as torch
        >>> torch.nn.functional.one_hot(torch.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    x = tensor._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size:
        if x.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if x.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(x.shape + (num_classes,), np.int64)
    np.put_along_axis(out, x[..., None], 1, axis=-1)
    return Tensor._make(out)

