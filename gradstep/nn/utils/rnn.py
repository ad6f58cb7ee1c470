"""Variable-length sequences for recurrent layers: PackedSequence, padding and packing, as torch.

A packed sequence stores the steps of a batch of sequences, sorted by decreasing length, time-major:
``data`` holds step 0 of every sequence, then step 1 of the sequences at least 2 long, and so on;
``batch_sizes[t]`` is how many sequences are still running at step ``t``.
"""
from collections import namedtuple

import numpy as np

from ... import _tensor
from ...autograd.graph import Op
from ..._ops.indexing import embed

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

Tensor = _tensor.Tensor


def _gs():
    import gradstep
    return gradstep


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    r"""Holds the data and list of ``batch_sizes`` of a packed sequence.

    Build one with :func:`pack_padded_sequence` or :func:`pack_sequence`, never directly.

    Attributes:
        data (Tensor): the packed steps, ``(sum(batch_sizes), *)``
        batch_sizes (Tensor): int64, the batch size at each time step
        sorted_indices (Tensor, optional): how the original batch was sorted by length
        unsorted_indices (Tensor, optional): the inverse of ``sorted_indices``
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        # PackedSequence((data, batch_sizes)) from a tuple, as torch allows
        data, batch_sizes = data[0], data[1]
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _map_data(self, fn):
        data = fn(self.data)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        """Move or cast ``data`` (``batch_sizes`` stays int64 on the CPU)."""
        return self._map_data(lambda d: d.to(*args, **kwargs))

    def cpu(self):
        return self._map_data(lambda d: d.cpu())

    def cuda(self, *args, **kwargs):
        return self._map_data(lambda d: d.cuda(*args, **kwargs))

    def double(self):
        return self._map_data(lambda d: d.double())

    def float(self):
        return self._map_data(lambda d: d.float())

    def half(self):
        return self._map_data(lambda d: d.half())

    def long(self):
        return self._map_data(lambda d: d.long())

    def int(self):
        return self._map_data(lambda d: d.int())

    def short(self):
        return self._map_data(lambda d: d.short())

    def char(self):
        return self._map_data(lambda d: d.char())

    def byte(self):
        return self._map_data(lambda d: d.byte())

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The inverse of an index permutation (None stays None)."""
    if permutation is None:
        return None
    gs = _gs()
    inv = np.empty(permutation.shape[0], dtype=np.int64)
    inv[permutation._data] = np.arange(permutation.shape[0])
    return gs.tensor(inv)


def _rows(batch_sizes):
    """Flat (t * B + b) positions, in packed order, of each packed row."""
    batch = int(batch_sizes[0]) if len(batch_sizes) else 0
    return np.concatenate([t * batch + np.arange(b) for t, b in enumerate(batch_sizes)]) \
        if len(batch_sizes) else np.zeros(0, dtype=np.int64)


class _Pack(Op):
    """z = the valid rows of a padded time-major (T, B, *) tensor;  dz/dx = grad put back."""
    name_ = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx, x, rows):
        ctx.shape = x.shape
        ctx.rows = rows
        return x.reshape((-1,) + x.shape[2:])[rows]

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.shape
        flat = (shape[0] * shape[1],) + shape[2:]
        return np.reshape(embed(grad, flat, ctx.rows), shape)


class _Unpack(Op):
    """z = packed rows scattered into a padded (T, B, *) tensor;  dz/dx = grad at those rows."""
    name_ = "CopySlices"

    @staticmethod
    def forward(ctx, data, rows, seq, batch, padding_value):
        flat = (seq * batch,) + data.shape[1:]
        ctx.rows = rows
        ctx.flat = flat
        out = np.full(flat, padding_value, dtype=data.dtype)
        out[rows] = data
        return out.reshape((seq, batch) + data.shape[1:])

    @staticmethod
    def backward(ctx, grad):
        return np.reshape(grad, ctx.flat)[ctx.rows]


def _lengths_list(lengths):
    if isinstance(lengths, Tensor):
        return [int(v) for v in lengths._data.reshape(-1)]
    return [int(v) for v in lengths]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    r"""Pack a padded batch of variable-length sequences.

    Args:
        input (Tensor): padded batch, ``(T, B, *)`` (or ``(B, T, *)`` with ``batch_first``)
        lengths (Tensor or list(int)): length of each sequence
        batch_first (bool): whether ``input`` is batch-major
        enforce_sorted (bool): require lengths in decreasing order; otherwise sort them here

    Example::

        >>> import gradstep as torch
        >>> from gradstep.nn.utils.rnn import pack_padded_sequence
        >>> x = torch.tensor([[1, 2, 3], [4, 5, 0]]).t()
        >>> pack_padded_sequence(x, [3, 2]).batch_sizes
        tensor([2, 2, 1])
    """
    gs = _gs()
    lens = _lengths_list(lengths)
    if enforce_sorted:
        if any(a < b for a, b in zip(lens, lens[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-np.asarray(lens, dtype=np.int64), kind="stable")
        sorted_indices = gs.tensor(order.astype(np.int64))
        lens = [lens[i] for i in order]
    if batch_first:
        input = input.transpose(0, 1)
    if sorted_indices is not None:
        input = input.index_select(1, sorted_indices)
    if lens and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if lens and lens[0] > input.shape[0]:
        # torch reads past the end of the tensor here; refusing is the only safe answer
        raise RuntimeError(f"lengths contains a length {lens[0]} larger than the padded "
                           f"sequence length {input.shape[0]}")
    counts = np.asarray(lens, dtype=np.int64)
    batch_sizes = (counts[None, :] > np.arange(lens[0] if lens else 0)[:, None]).sum(1)
    data = _Pack.apply(input, _rows(batch_sizes.tolist()))
    return PackedSequence(data, gs.tensor(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    r"""Pad a packed batch back to a tensor; the inverse of :func:`pack_padded_sequence`.

    Returns ``(padded, lengths)``: ``padded`` is ``(T, B, *)`` (``(B, T, *)`` with
    ``batch_first``), ``T = total_length`` when given, and ``lengths`` an int64 tensor.

    Example::

        >>> import gradstep as torch
        >>> from gradstep.nn.utils.rnn import pack_sequence, pad_packed_sequence
        >>> p = pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])])
        >>> pad_packed_sequence(p, batch_first=True)
        (tensor([[1, 2, 3],
                [4, 5, 0]]), tensor([3, 2]))
    """
    gs = _gs()
    bs = [int(b) for b in sequence.batch_sizes._data]
    seq = len(bs)
    batch = bs[0] if bs else 0
    if total_length is not None:
        if total_length < seq:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {seq}")
        seq = total_length
    padded = _Unpack.apply(sequence.data, _rows(bs), seq, batch, padding_value)
    bs_arr = np.asarray(bs, dtype=np.int64)
    lengths = (bs_arr[None, :] > np.arange(batch)[:, None]).sum(1).astype(np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths = gs.tensor(lengths)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return padded, lengths


class _PadSequence(Op):
    """z = sequences stacked into one padded tensor;  dz/dx_i = grad of sequence i's slots."""
    name_ = "CopySlices"

    @staticmethod
    def forward(ctx, batch_first, padding_value, left, *seqs):
        longest = max(s.shape[0] for s in seqs)
        trailing = seqs[0].shape[1:]
        dtype = np.result_type(*seqs)
        out = np.full((len(seqs), longest) + trailing, padding_value, dtype=dtype)
        spans = []
        for i, s in enumerate(seqs):
            n = s.shape[0]
            span = slice(longest - n, longest) if left else slice(0, n)
            out[i, span] = s
            spans.append(span)
        ctx.spans = spans
        ctx.batch_first = batch_first
        return out if batch_first else out.swapaxes(0, 1)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.batch_first:
            grad = np.swapaxes(grad, 0, 1)
        return (None, None, None) + tuple(grad[i, span] for i, span in enumerate(ctx.spans))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    r"""Stack variable-length sequences ``(L_i, *)`` into one padded tensor.

    Returns ``(T, B, *)``, or ``(B, T, *)`` with ``batch_first``; ``padding_side`` is ``"right"``
    or ``"left"``.

    Example::

        >>> import gradstep as torch
        >>> from gradstep.nn.utils.rnn import pad_sequence
        >>> pad_sequence([torch.tensor([1, 2, 3]), torch.tensor([4])], batch_first=True)
        tensor([[1, 2, 3],
                [4, 0, 0]])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    return _PadSequence.apply(bool(batch_first), padding_value, padding_side == "left", *sequences)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    r"""Split a padded tensor back into a list of variable-length sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences.unbind(0), _lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    r"""Pack a list of variable-length sequences ``(L_i, *)``.

    Example::

        >>> import gradstep as torch
        >>> from gradstep.nn.utils.rnn import pack_sequence
        >>> pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])]).data
        tensor([1, 4, 2, 5, 3])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    r"""Unpack a PackedSequence into a list of variable-length sequences."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
