"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, as torch.nn.

The recurrences run as one fused op per module call (``gradstep.nn._functional.rnn``).
"""
import math
import numbers
import warnings

import numpy as np

from ...autograd.graph import named_as
from .. import init
from .._functional.rnn import RNNConfig, RNNStack, rnn_stack
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _gs():
    import gradstep
    return gradstep


def _new_param(shape, factory):
    return Parameter(_gs().empty(shape, **factory))


class RNNBase(Module):
    r"""Base class of RNN, LSTM and GRU: parameters, checks, and the fused forward.

    Parameters per layer ``k`` (and ``_reverse`` for the backward direction): ``weight_ih_lk``
    ``(gates*hidden_size, input)``, ``weight_hh_lk`` ``(gates*hidden_size, hidden or proj)``,
    ``bias_ih_lk``, ``bias_hh_lk`` and, for an LSTM with ``proj_size > 0``, ``weight_hr_lk``
    ``(proj_size, hidden_size)``; all start as uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        factory = {"device": device, "dtype": dtype}
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}")
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        real_hidden = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [_new_param((gate_size, layer_input), factory),
                          _new_param((gate_size, real_hidden), factory)]
                if bias:
                    params += [_new_param((gate_size,), factory), _new_param((gate_size,), factory)]
                suffix = "_reverse" if direction == 1 else ""
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(_new_param((proj_size, hidden_size), factory))
                    names.append("weight_hr_l{}{}")
                names = [n.format(layer, suffix) for n in names]
                for name, param in zip(names, params):
                    setattr(self, name, param)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op: gradstep's weights need no contiguous cuDNN buffer."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.setdefault("proj_size", 0)

    # ----- checks, as torch's -----
    def check_input(self, input, batch_sizes):
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, real_hidden)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    # ----- the fused call -----
    def _run(self, input, hx, cx, batch_sizes):
        """Run the stack on checked arguments; ``(output, h_n, c_n or None)``."""
        num_directions = 2 if self.bidirectional else 1
        bs = None if batch_sizes is None else tuple(int(b) for b in batch_sizes._data)
        cfg = RNNConfig(self.mode, self.num_layers, num_directions, self.batch_first, bs,
                        self.bias, self.proj_size, self.hidden_size)
        masks = None
        if self.dropout > 0 and self.training and self.num_layers > 1:
            masks = self._dropout_masks(input, bs, num_directions)
        return rnn_stack(input, hx, cx, cfg, masks, self._flat_weights)

    def _dropout_masks(self, input, bs, num_directions):
        gs = _gs()
        p = self.dropout
        rows = sum(bs) if bs is not None else input.shape[0] * input.shape[1]
        width = num_directions * (self.proj_size or self.hidden_size)
        masks = []
        for _ in range(self.num_layers - 1):
            if p == 1:
                masks.append(np.zeros((rows, width), dtype=input._data.dtype))
            else:
                keep = gs.empty((rows, width), dtype=input.dtype).bernoulli_(1 - p)._data
                masks.append(keep / np.asarray(1 - p, dtype=keep.dtype))
        return masks

    def _forward_simple(self, input, hx):
        """RNN and GRU: one hidden state."""
        orig = input
        if isinstance(orig, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = orig
            is_batched = True
            if hx is not None:
                hx = self.permute_hidden(hx, sorted_indices)
        else:
            batch_sizes = sorted_indices = unsorted_indices = None
            if input.dim() not in (2, 3):
                what = "RNN" if self.mode.startswith("RNN") else self.mode
                tail = " tensor instead" if what == "RNN" else " instead"
                raise ValueError(f"{what}: Expected input to be 2D or 3D, got {input.dim()}D"
                                 + tail)
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
                if hx is not None:
                    if hx.dim() != 2:
                        raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but "
                                           f"got {hx.dim()}-D tensor")
                    hx = hx.unsqueeze(1)
            elif hx is not None and hx.dim() != 3:
                raise RuntimeError("For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx.dim()}-D tensor")
        self.check_input(input, batch_sizes)
        if hx is not None:
            self.check_hidden_size(hx, self.get_expected_hidden_size(input, batch_sizes))
        output, hidden, _ = self._run(input, hx, None, batch_sizes)
        _name_outputs(self, output, (hidden,), batch_sizes)
        if isinstance(orig, PackedSequence):
            output = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
            return output, self.permute_hidden(hidden, unsorted_indices)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            hidden = hidden.squeeze(1)
        return output, hidden


def _name_outputs(module, output, states, batch_sizes):
    """The names of torch's nodes for a recurrent stack's outputs (one fused op here): the
    final states are stacked per layer; the output is the last layer's, transposed back for
    batch_first, concatenated for two directions or packed input."""
    for state in states:
        named_as(state, "StackBackward0")
    if batch_sizes is not None or module.bidirectional and not module.batch_first:
        name = "CatBackward0"
    elif module.batch_first:
        name = "TransposeBackward0" if module.mode == "LSTM" else "TransposeBackward1"
    else:
        name = "MkldnnRnnLayerBackward0" if module.mode == "LSTM" else "StackBackward0"
    named_as(output, name)


class RNN(RNNBase):
    r"""A multi-layer Elman RNN with tanh or ReLU non-linearity.

    .. math::
        h_t = \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})

    Args:
        input_size: the number of expected features in the input ``x``
        hidden_size: the number of features in the hidden state ``h``
        num_layers: number of stacked recurrent layers (default: 1)
        nonlinearity: ``'tanh'`` or ``'relu'`` (default: ``'tanh'``)
        bias: whether to use ``b_ih`` and ``b_hh`` (default: True)
        batch_first: input and output are ``(batch, seq, feature)`` (default: False)
        dropout: dropout on the outputs of each layer but the last (default: 0)
        bidirectional: a bidirectional RNN (default: False)

    Inputs: ``input, h_0``; outputs: ``output, h_n``.

    Example::

        >>> import gradstep as torch
        >>> rnn = torch.nn.RNN(10, 20, 2)
        >>> output, hn = rnn(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._forward_simple(input, hx)


class GRU(RNNBase):
    r"""A multi-layer gated recurrent unit (GRU) RNN.

    .. math::
        \begin{array}{ll}
            r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
            z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
            n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
            h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}
        \end{array}

    Arguments as :class:`RNN` (no ``nonlinearity``); gate rows ordered (r, z, n).

    Example::

        >>> import gradstep as torch
        >>> gru = torch.nn.GRU(10, 20, 2)
        >>> output, hn = gru(torch.randn(5, 3, 10))
        >>> output.shape
        torch.Size([5, 3, 20])
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_simple(input, hx)


class LSTM(RNNBase):
    r"""A multi-layer long short-term memory (LSTM) RNN.

    .. math::
        \begin{array}{ll}
            i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
            f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
            g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
            o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
            c_t = f_t \odot c_{t-1} + i_t \odot g_t \\
            h_t = o_t \odot \tanh(c_t)
        \end{array}

    With ``proj_size > 0``, :math:`h_t = W_{hr}(o_t \odot \tanh(c_t))`. Arguments as
    :class:`RNN` plus ``proj_size`` (default: 0); gate rows ordered (i, f, g, o).

    Inputs: ``input, (h_0, c_0)``; outputs: ``output, (h_n, c_n)``.

    Example::

        >>> import gradstep as torch
        >>> lstm = torch.nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(torch.randn(5, 3, 10))
        >>> output.shape, cn.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def forward(self, input, hx=None):
        orig = input
        if isinstance(orig, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = orig
            is_batched = True
            if hx is not None:
                hx = self.permute_hidden(hx, sorted_indices)
        else:
            batch_sizes = sorted_indices = unsorted_indices = None
            if input.dim() not in (2, 3):
                raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D "
                                 "instead")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
                if hx is not None:
                    if hx[0].dim() != 2 or hx[1].dim() != 2:
                        raise RuntimeError("For unbatched 2-D input, hx and cx should also be "
                                           f"2-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) "
                                           "tensors")
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            elif hx is not None and (hx[0].dim() != 3 or hx[1].dim() != 3):
                raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
        if hx is None:
            h0 = c0 = None
            self.check_input(input, batch_sizes)
        else:
            self.check_forward_args(input, hx, batch_sizes)
            h0, c0 = hx
        output, h_n, c_n = self._run(input, h0, c0, batch_sizes)
        _name_outputs(self, output, (h_n, c_n), batch_sizes)
        if isinstance(orig, PackedSequence):
            output = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
            return output, self.permute_hidden((h_n, c_n), unsorted_indices)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return output, (h_n, c_n)


# ----- cells -----

class RNNCellBase(Module):
    """Base of the single-step cells: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        factory = {"device": device, "dtype": dtype}
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = _new_param((num_chunks * hidden_size, input_size), factory)
        self.weight_hh = _new_param((num_chunks * hidden_size, hidden_size), factory)
        if bias:
            self.bias_ih = _new_param((num_chunks * hidden_size,), factory)
            self.bias_hh = _new_param((num_chunks * hidden_size,), factory)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input, hx, what):
        """torch's cell checks: dims, sizes, batch; returns (input 2-D, is_batched)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        for h in hx:
            if h is not None and h.dim() not in (1, 2):
                raise ValueError(f"{type(self).__name__}: Expected {what} to be 1D or 2D, got "
                                 f"{h.dim()}D instead")
        return input.dim() == 2

    def _check_sizes(self, input, hs):
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                               f"{self.input_size}")
        for i, h in enumerate(hs):
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
            if h.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} "
                                   f"batch size {h.size(0)}")

    def _weights(self):
        if self.bias:
            return [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]
        return [self.weight_ih, self.weight_hh]

    def _step(self, mode, input, h, c):
        """One time step through the fused op: x (B, In) as a length-1 sequence."""
        cfg = RNNConfig(mode, 1, 1, False, None, bool(self.bias), 0, self.hidden_size)
        x = input.unsqueeze(0)
        h3 = None if h is None else h.unsqueeze(0)
        c3 = None if c is None else c.unsqueeze(0)
        out = RNNStack.apply(x, h3, c3, cfg, None, *self._weights())
        n = input.shape[0] * self.hidden_size
        h_new = out[:n].view(input.shape[0], self.hidden_size)
        if mode != "LSTM":
            return h_new, None
        return h_new, out[2 * n:].view(input.shape[0], self.hidden_size)


class RNNCell(RNNCellBase):
    r"""An Elman RNN cell: :math:`h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})` (or ReLU).

    Example::

        >>> import gradstep as torch
        >>> cell = torch.nn.RNNCell(10, 20)
        >>> cell(torch.randn(3, 10)).shape
        torch.Size([3, 20])
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        is_batched = self._check(input, (hx,), "hidden")
        if not is_batched:
            input = input.unsqueeze(0)
            if hx is not None:
                hx = hx.unsqueeze(0)
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check_sizes(input, () if hx is None else (hx,))
        h, _ = self._step(mode, input, hx, None)
        named_as(h, "TanhBackward0" if mode == "RNN_TANH" else "ReluBackward0")
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    r"""A long short-term memory cell; returns ``(h', c')`` (gate formulas as :class:`LSTM`).

    Example::

        >>> import gradstep as torch
        >>> cell = torch.nn.LSTMCell(10, 20)
        >>> h, c = cell(torch.randn(3, 10))
        >>> h.shape, c.shape
        (torch.Size([3, 20]), torch.Size([3, 20]))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None:
            for i, h in enumerate(hx):
                if h.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{i}] to be 1D or 2D, got "
                                     f"{h.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
            if hx is not None:
                hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h0, c0 = (None, None) if hx is None else hx
        self._check_sizes(input, () if hx is None else hx)
        h, c = self._step("LSTM", input, h0, c0)
        named_as(h, "MulBackward0")  # torch's last ops: h = o * tanh(c), c = f * c + i * g
        named_as(c, "AddBackward0")
        if not is_batched:
            h, c = h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    r"""A gated recurrent unit cell (gate formulas as :class:`GRU`).

    Example::

        >>> import gradstep as torch
        >>> cell = torch.nn.GRUCell(10, 20)
        >>> cell(torch.randn(3, 10), torch.randn(3, 20)).shape
        torch.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        is_batched = self._check(input, (hx,), "hidden")
        if not is_batched:
            input = input.unsqueeze(0)
            if hx is not None:
                hx = hx.unsqueeze(0)
        self._check_sizes(input, () if hx is None else (hx,))
        h, _ = self._step("GRU", input, hx, None)
        named_as(h, "AddBackward0")  # torch's last op: h = n + z * (h - n)
        return h if is_batched else h.squeeze(0)
