"""Recurrent layers and sequence packing, differential against torch.

One table of modules drives parity (outputs, final states, input and every parameter gradient,
train and eval, float32 and float64); a second table drives torch's error messages.
"""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd
from _modules import build_pair, compare_module

rng = np.random.default_rng(0)


def rand(*shape):
    return rng.standard_normal(shape)


def lib_of(module):
    return gradstep if isinstance(module, gradstep.nn.Module) else torch


def packed_call(lengths, with_hidden=False):
    """Run a module on a packed batch (unsorted lengths) and pad its output back."""
    def call(module, x, *hx):
        rnn = lib_of(module).nn.utils.rnn
        packed = rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
        if with_hidden:
            out, h = module(packed, hx[0] if len(hx) == 1 else tuple(hx))
        else:
            out, h = module(packed)
        padded, lens = rnn.pad_packed_sequence(out, total_length=x.shape[0])
        return padded, h
    return call


def lstm_call(module, x, h0, c0):
    return module(x, (h0, c0))


# name -> (make, inputs, call, modes)
MODULES = {
    "rnn_tanh": (lambda lib: lib.nn.RNN(3, 5), [rand(4, 2, 3)], None, (True, False)),
    "rnn_tanh_h0": (lambda lib: lib.nn.RNN(3, 5, 2), [rand(4, 2, 3), rand(2, 2, 5)], None,
                    (True, False)),
    "rnn_relu_bi_bf": (lambda lib: lib.nn.RNN(3, 5, 2, "relu", batch_first=True,
                                              bidirectional=True), [rand(2, 4, 3)], None,
                       (True, False)),
    "rnn_nobias": (lambda lib: lib.nn.RNN(3, 4, bias=False), [rand(3, 2, 3)], None, (True,)),
    "gru": (lambda lib: lib.nn.GRU(3, 5), [rand(4, 2, 3)], None, (True, False)),
    "gru_bi_2l": (lambda lib: lib.nn.GRU(3, 4, 2, bidirectional=True),
                  [rand(5, 3, 3), rand(4, 3, 4)], None, (True, False)),
    "gru_bf_nobias": (lambda lib: lib.nn.GRU(3, 4, batch_first=True, bias=False),
                      [rand(2, 5, 3)], None, (True,)),
    "lstm": (lambda lib: lib.nn.LSTM(3, 5), [rand(4, 2, 3)], None, (True, False)),
    "lstm_h0c0": (lambda lib: lib.nn.LSTM(3, 5, 2), [rand(4, 2, 3), rand(2, 2, 5),
                                                      rand(2, 2, 5)], lstm_call, (True, False)),
    "lstm_bi_bf": (lambda lib: lib.nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True),
                   [rand(3, 5, 3)], None, (True, False)),
    "lstm_proj": (lambda lib: lib.nn.LSTM(3, 6, 2, proj_size=2, bidirectional=True),
                  [rand(4, 2, 3), rand(4, 2, 2), rand(4, 2, 6)], lstm_call, (True, False)),
    "lstm_nobias": (lambda lib: lib.nn.LSTM(3, 4, bias=False), [rand(3, 2, 3)], None, (True,)),
    "lstm_dropout_eval": (lambda lib: lib.nn.LSTM(3, 4, 3, dropout=0.5), [rand(3, 2, 3)], None,
                          (False,)),
    "lstm_unbatched": (lambda lib: lib.nn.LSTM(3, 4, 2), [rand(5, 3), rand(2, 4), rand(2, 4)],
                       lstm_call, (True,)),
    "gru_unbatched_bf": (lambda lib: lib.nn.GRU(3, 4, batch_first=True), [rand(5, 3)], None,
                         (True,)),
    "rnn_unbatched_h0": (lambda lib: lib.nn.RNN(3, 4, bidirectional=True),
                         [rand(5, 3), rand(2, 4)], None, (True,)),
    "lstm_packed": (lambda lib: lib.nn.LSTM(3, 4, 2, bidirectional=True), [rand(5, 4, 3)],
                    packed_call([3, 5, 1, 4]), (True,)),
    "lstm_packed_h0": (lambda lib: lib.nn.LSTM(3, 4), [rand(5, 3, 3), rand(1, 3, 4),
                                                        rand(1, 3, 4)],
                       packed_call([2, 5, 5], with_hidden=True), (True,)),
    "gru_packed": (lambda lib: lib.nn.GRU(3, 4, bidirectional=True), [rand(4, 3, 3)],
                   packed_call([4, 1, 2]), (True,)),
    "rnn_packed_h0": (lambda lib: lib.nn.RNN(3, 4, 2), [rand(4, 3, 3), rand(2, 3, 4)],
                      packed_call([1, 4, 3], with_hidden=True), (True,)),
    "lstm_proj_packed": (lambda lib: lib.nn.LSTM(3, 5, proj_size=3, bidirectional=True),
                         [rand(4, 3, 3)], packed_call([4, 2, 3]), (True,)),
    "rnncell": (lambda lib: lib.nn.RNNCell(3, 4), [rand(2, 3), rand(2, 4)], None, (True,)),
    "rnncell_relu_nohx": (lambda lib: lib.nn.RNNCell(3, 4, nonlinearity="relu"), [rand(2, 3)],
                          None, (True,)),
    "rnncell_unbatched": (lambda lib: lib.nn.RNNCell(3, 4, bias=False), [rand(3), rand(4)], None,
                          (True,)),
    "lstmcell": (lambda lib: lib.nn.LSTMCell(3, 4), [rand(2, 3), rand(2, 4), rand(2, 4)],
                 lambda m, x, h, c: m(x, (h, c)), (True,)),
    "lstmcell_nohx": (lambda lib: lib.nn.LSTMCell(3, 4), [rand(2, 3)], None, (True,)),
    "lstmcell_unbatched": (lambda lib: lib.nn.LSTMCell(3, 4), [rand(3), rand(4), rand(4)],
                           lambda m, x, h, c: m(x, (h, c)), (True,)),
    "grucell": (lambda lib: lib.nn.GRUCell(3, 4), [rand(2, 3), rand(2, 4)], None, (True,)),
    "grucell_unbatched_nobias": (lambda lib: lib.nn.GRUCell(3, 4, bias=False), [rand(3)], None,
                                 (True,)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(MODULES))
def test_module_matches_torch(name, dtype):
    make, inputs, call, modes = MODULES[name]
    compare_module(make, *inputs, dtype=dtype, call=call, modes=modes)


def test_sequence_of_cell_steps_matches_torch():
    def call(module, x):
        h = c = None
        outs = []
        for t in range(x.shape[0]):
            h, c = module(x[t], None if h is None else (h, c))
            outs.append(h)
        return lib_of(module).stack(outs)
    compare_module(lambda lib: lib.nn.LSTMCell(3, 4), rand(5, 2, 3), call=call, modes=(True,))


# ----- fused op: finite differences in float64 -----

def _stack(mode, layers, bidirectional, bias=True, proj=0, batch_sizes=None, batch_first=False):
    from gradstep.nn._functional.rnn import RNNConfig, rnn_stack
    nd = 2 if bidirectional else 1
    cfg = RNNConfig(mode, layers, nd, batch_first, batch_sizes, bias, proj, 3)

    def fn(lib, x, h0, c0, *weights):
        y, h, c = rnn_stack(x, h0, c0 if mode == "LSTM" else None, cfg, None, list(weights))
        out = y.sum() * 0.5 + (h * h).sum()
        return out + (c * y.mean()).sum() if c is not None else out
    return fn


def _weights(mode, layers, nd, in_size, hid=3, bias=True, proj=0):
    g = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    hout = proj or hid
    ws = []
    for layer in range(layers):
        for _ in range(nd):
            ws += [rand(g * hid, in_size if layer == 0 else nd * hout) * 0.5,
                   rand(g * hid, hout) * 0.5]
            if bias:
                ws += [rand(g * hid) * 0.5, rand(g * hid) * 0.5]
            if proj:
                ws.append(rand(proj, hid) * 0.5)
    return ws


GRADCHECK = [
    ("LSTM", 1, False, True, 0, None, False),
    ("LSTM", 2, True, True, 0, None, True),
    ("LSTM", 1, True, False, 2, None, False),
    ("LSTM", 1, True, True, 0, (2, 2, 1), False),
    ("GRU", 2, True, True, 0, None, False),
    ("GRU", 1, True, True, 0, (2, 1, 1), False),
    ("RNN_TANH", 2, True, True, 0, None, True),
    ("RNN_RELU", 1, True, False, 0, (2, 2, 1), False),
]


@pytest.mark.parametrize("case", GRADCHECK, ids=str)
def test_fused_op_gradcheck(case):
    mode, layers, bi, bias, proj, batch_sizes, batch_first = case
    nd = 2 if bi else 1
    hout = proj or 3
    if batch_sizes is None:
        x = rand(2, 3, 2) if batch_first else rand(3, 2, 2)
        batch = 2
    else:
        x = rand(sum(batch_sizes), 2)
        batch = batch_sizes[0]
    h0 = rand(layers * nd, batch, hout)
    c0 = rand(layers * nd, batch, 3)
    ws = _weights(mode, layers, nd, 2, bias=bias, proj=proj)
    fn = _stack(mode, layers, bi, bias, proj, batch_sizes, batch_first)
    if mode != "LSTM":
        gradcheck_fd(lambda lib, x, h0, *w: fn(lib, x, h0, None, *w), x, h0, *ws)
    else:
        gradcheck_fd(fn, x, h0, c0, *ws)


# ----- behaviour beyond parity -----

def test_packed_output_is_packed_sequence():
    for lib in (gradstep, torch):
        m = lib.nn.GRU(2, 3)
        seqs = [lib.ones(3, 2), lib.ones(2, 2)]
        out, h = m(lib.nn.utils.rnn.pack_sequence(seqs))
        assert type(out).__name__ == "PackedSequence"
        assert out.data.shape == (5, 3) and h.shape == (1, 2, 3)


def test_dropout_train_mode_statistics():
    gradstep.manual_seed(0)
    m = gradstep.nn.RNN(50, 50, 2, dropout=0.5)
    x = gradstep.randn(4, 8, 50)
    m.eval()
    y_eval, _ = m(x)
    m.train()
    y_a, _ = m(x)
    y_b, _ = m(x)
    assert y_a.shape == y_eval.shape == (4, 8, 50)
    assert not np.allclose(y_a.detach().numpy(), y_eval.detach().numpy())
    assert not np.allclose(y_a.detach().numpy(), y_b.detach().numpy())
    y_a.sum().backward()
    assert all(p.grad is not None for p in m.parameters())


def test_dropout_warning_and_repr():
    for lib in (gradstep, torch):
        with pytest.warns(UserWarning, match=re.escape(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got dropout=0.2 and "
                "num_layers=1")):
            lib.nn.LSTM(2, 3, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradstep.nn.LSTM(2, 3, 2, dropout=0.2)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LSTM(3, 4, 2, batch_first=True, dropout=0.5, bidirectional=True,
                            proj_size=2),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="relu", bias=False),
    lambda lib: lib.nn.GRU(3, 4, num_layers=3, dropout=1),
    lambda lib: lib.nn.RNNCell(3, 4, nonlinearity="relu", bias=False),
    lambda lib: lib.nn.LSTMCell(3, 4, bias=False),
    lambda lib: lib.nn.GRUCell(3, 4),
])
def test_repr_state_dict_and_init(make):
    g, t = make(gradstep), make(torch)
    assert repr(g) == repr(t)
    gs, ts = g.state_dict(), t.state_dict()
    assert list(gs) == list(ts)
    bound = 1 / np.sqrt(g.hidden_size)
    for k in ts:
        assert tuple(gs[k].shape) == tuple(ts[k].shape)
        v = gs[k].numpy()
        assert np.all(np.abs(v) <= bound) and v.std() > bound / 4


def test_flatten_parameters_and_all_weights():
    m = gradstep.nn.LSTM(2, 3, 2, bidirectional=True)
    assert m.flatten_parameters() is None
    assert [[tuple(w.shape) for w in ws] for ws in m.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in torch.nn.LSTM(2, 3, 2, bidirectional=True)
         .all_weights]


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.GRU(2, 3, 2, bidirectional=True),
    lambda lib: lib.nn.LSTM(2, 3, batch_first=True),
    lambda lib: lib.nn.RNN(2, 3, nonlinearity="tanh"),
])
def test_double_backward_matches_torch(make):
    g_mod, t_mod = make(gradstep), make(torch)
    g_mod.load_state_dict({k: gradstep.tensor(v.numpy()) for k, v in t_mod.state_dict().items()})
    g_mod.double()
    t_mod.double()
    x = rand(3, 2, 2)

    def fn(lib, module, x):
        y = module(x)[0]
        gx, = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gx * gx).sum().backward()
        return gx
    gx_g = fn(gradstep, g_mod, g_x := gradstep.tensor(x, requires_grad=True))
    gx_t = fn(torch, t_mod, t_x := torch.tensor(x, requires_grad=True))
    assert_same(gx_g, gx_t)
    assert_same(g_x.grad, t_x.grad)
    for (name, p), (_, q) in zip(g_mod.named_parameters(), t_mod.named_parameters()):
        assert_same(p.grad, q.grad, what=name)


def test_inplace_weight_change_detected():
    m = gradstep.nn.LSTM(2, 3)
    y, _ = m(gradstep.randn(3, 1, 2))
    with gradstep.no_grad():
        m.weight_hh_l0.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


ERRORS = [
    ("empty_seq", lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(0, 2, 3)), RuntimeError,
     "Expected sequence length to be larger than 0 in RNN"),
    ("empty_seq_bf", lambda lib: lib.nn.GRU(3, 4, batch_first=True)(lib.zeros(2, 0, 3)),
     RuntimeError, "Expected sequence length to be larger than 0 in RNN"),
    ("empty_seq_unbatched", lambda lib: lib.nn.RNN(3, 4)(lib.zeros(0, 3)), RuntimeError,
     "Expected sequence length to be larger than 0 in RNN"),
    ("rnn_4d", lambda lib: lib.nn.RNN(3, 4)(lib.randn(2, 2, 2, 3)), ValueError,
     "RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
    ("lstm_4d", lambda lib: lib.nn.LSTM(3, 4)(lib.randn(2, 2, 2, 3)), ValueError,
     "LSTM: Expected input to be 2D or 3D, got 4D instead"),
    ("gru_4d", lambda lib: lib.nn.GRU(3, 4)(lib.randn(2, 2, 2, 3)), ValueError,
     "GRU: Expected input to be 2D or 3D, got 4D instead"),
    ("input_size", lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 2, 4)), RuntimeError,
     "input.size(-1) must be equal to input_size. Expected 3, got 4"),
    ("dtype", lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3, dtype=lib.float64)), ValueError,
     "RNN input dtype (torch.float64) does not match weight dtype (torch.float32). Convert "
     "input: input.to(torch.float32), or convert model: model.to(torch.float64)"),
    ("hidden", lambda lib: lib.nn.RNN(3, 4, 2)(lib.randn(5, 2, 3), lib.randn(2, 3, 4)),
     RuntimeError, "Expected hidden size (2, 2, 4), got [2, 3, 4]"),
    ("hidden0", lambda lib: lib.nn.LSTM(3, 4, 2)(lib.randn(5, 2, 3), (lib.randn(2, 3, 4),
                                                                    lib.randn(2, 2, 4))),
     RuntimeError, "Expected hidden[0] size (2, 2, 4), got [2, 3, 4]"),
    ("hidden1", lambda lib: lib.nn.LSTM(3, 4, 2)(lib.randn(5, 2, 3), (lib.randn(2, 2, 4),
                                                                    lib.randn(2, 3, 4))),
     RuntimeError, "Expected hidden[1] size (2, 2, 4), got [2, 3, 4]"),
    ("unbatched_hx", lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 3), lib.randn(1, 1, 4)),
     RuntimeError, "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    ("batched_hx", lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 1, 3), lib.randn(1, 4)),
     RuntimeError, "For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
    ("lstm_unbatched_hx", lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 3), (lib.randn(1, 1, 4),
                                                                        lib.randn(1, 1, 4))),
     RuntimeError, "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D) "
     "tensors"),
    ("lstm_batched_hx", lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 1, 3), (lib.randn(1, 4),
                                                                         lib.randn(1, 4))),
     RuntimeError, "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) "
     "tensors"),
    ("nonlinearity", lambda lib: lib.nn.RNN(3, 4, nonlinearity="sig"), ValueError,
     "Unknown nonlinearity 'sig'. Select from 'tanh' or 'relu'."),
    ("dropout_range", lambda lib: lib.nn.LSTM(3, 4, dropout=2), ValueError,
     "dropout should be a number in range [0, 1] representing the probability of an element "
     "being zeroed"),
    ("hidden_type", lambda lib: lib.nn.LSTM(3, 4.0), TypeError,
     "hidden_size should be of type int, got: float"),
    ("hidden_zero", lambda lib: lib.nn.LSTM(3, 0), ValueError,
     "hidden_size must be greater than zero"),
    ("layers_zero", lambda lib: lib.nn.LSTM(3, 4, 0), ValueError,
     "num_layers must be greater than zero"),
    ("proj_negative", lambda lib: lib.nn.LSTM(3, 4, proj_size=-1), ValueError,
     "proj_size should be a positive integer or zero to disable projections"),
    ("proj_big", lambda lib: lib.nn.LSTM(3, 4, proj_size=4), ValueError,
     "proj_size has to be smaller than hidden_size"),
    ("gru_proj", lambda lib: lib.nn.GRU(3, 4, proj_size=2), ValueError,
     "proj_size argument is only supported for LSTM, not RNN or GRU"),
    ("cell_3d", lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 2, 3)), ValueError,
     "RNNCell: Expected input to be 1D or 2D, got 3D instead"),
    ("cell_input", lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 3"),
    ("cell_hidden_3d", lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 3), lib.randn(1, 2, 4)),
     ValueError, "GRUCell: Expected hidden to be 1D or 2D, got 3D instead"),
    ("lstmcell_hx_3d", lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(1, 2, 4),
                                                                         lib.randn(1, 2, 4))),
     ValueError, "LSTMCell: Expected hx[0] to be 1D or 2D, got 3D instead"),
    ("cell_hidden_size", lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(2, 5)),
     RuntimeError, "hidden0 has inconsistent hidden_size: got 5, expected 4"),
    ("cell_batch", lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 3), (lib.randn(3, 4),
                                                                     lib.randn(3, 4))),
     RuntimeError, "Input batch size 2 doesn't match hidden0 batch size 3"),
    ("pack_unsorted", lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [2, 3]),
     RuntimeError, "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
     "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
     "sidestep this requirement if you do not need ONNX exportability."),
    ("pack_zero", lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2), [2, 0]),
     RuntimeError, "Length of all samples has to be greater than 0, but found an element in "
     "'lengths' that is <= 0"),
    ("pad_empty", lambda lib: lib.nn.utils.rnn.pad_sequence([]), RuntimeError,
     "received an empty list of sequences"),
    ("pad_side", lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2)], padding_side="up"),
     RuntimeError, "Expected padding_side to be one of left or right, but got up."),
    ("total_length", lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_sequence([lib.ones(3), lib.ones(1)]), total_length=2), ValueError,
     "Expected total_length to be at least the length of the longest sequence in input, but got "
     "total_length=2 and max sequence length being 3"),
]


@pytest.mark.parametrize("name,fn,exc,msg", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, fn, exc, msg):
    for lib in (torch, gradstep):
        with pytest.raises(exc, match=re.escape(msg)):
            fn(lib)


# ----- nn.utils.rnn -----

def _seqs(lib, arrays):
    return [lib.tensor(a, requires_grad=True) for a in arrays]


PAD_CASES = [
    ({}, [(3, 2), (1, 2), (4, 2)]),
    ({"batch_first": True}, [(3,), (5,), (1,)]),
    ({"padding_value": -1.5, "padding_side": "left"}, [(2, 3), (4, 3)]),
    ({"batch_first": True, "padding_side": "left"}, [(2, 2, 2), (1, 2, 2)]),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs,shapes", PAD_CASES, ids=str)
def test_pad_sequence(kwargs, shapes, dtype):
    arrays = [rand(*s).astype(dtype) for s in shapes]
    compare(lambda lib, *xs: lib.nn.utils.rnn.pad_sequence(list(xs), **kwargs), *arrays)


PACK_CASES = [
    ([4, 3, 1], {}, {}),
    ([2, 4, 3], {"enforce_sorted": False}, {"padding_value": 7.0}),
    ([3, 3], {"batch_first": True}, {"batch_first": True, "total_length": 6}),
    ([1, 4, 4, 2], {"batch_first": True, "enforce_sorted": False}, {"batch_first": True}),
]


@pytest.mark.parametrize("lengths,pack_kw,pad_kw", PACK_CASES, ids=str)
def test_pack_and_pad_roundtrip(lengths, pack_kw, pad_kw):
    batch_first = pack_kw.get("batch_first", False)
    shape = (len(lengths), max(lengths), 2) if batch_first else (max(lengths), len(lengths), 2)

    def fn(lib, x):
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, lib.tensor(lengths), **pack_kw)
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(packed, **pad_kw)
        return packed.data, packed.batch_sizes, padded * 2, lens
    compare(fn, rand(*shape))


def test_pack_sequence_and_unpack():
    arrays = [rand(3, 2), rand(5, 2), rand(1, 2)]

    def fn(lib, *xs):
        packed = lib.nn.utils.rnn.pack_sequence(list(xs), enforce_sorted=False)
        assert_same(packed.sorted_indices, None) if lib is None else None
        parts = lib.nn.utils.rnn.unpack_sequence(packed)
        return (packed.data, packed.sorted_indices, packed.unsorted_indices,
                lib.cat([p * (i + 1) for i, p in enumerate(parts)]))
    compare(fn, *arrays)


def test_unpad_sequence():
    def fn(lib, x):
        parts = lib.nn.utils.rnn.unpad_sequence(x, lib.tensor([2, 4, 1]), batch_first=True)
        return lib.cat([p.sum(0) for p in parts])
    compare(fn, rand(3, 4, 2))


def test_packed_sequence_methods():
    p = gradstep.nn.utils.rnn.pack_sequence([gradstep.ones(2, 3), gradstep.ones(1, 3)])
    q = p.double()
    assert q.data.dtype == gradstep.float64 and q.batch_sizes.dtype == gradstep.int64
    assert p.to(gradstep.float64).data.dtype == gradstep.float64
    assert not p.is_cuda and p.sorted_indices is None and p.unsorted_indices is None
    data, batch_sizes, _, _ = p
    assert batch_sizes.tolist() == [2, 1]


def test_inference_under_no_grad_matches_torch():
    g, t = build_pair(lambda lib: lib.nn.LSTM(3, 4, 2, bidirectional=True))
    x = rand(4, 3, 3).astype(np.float32)
    outs = []
    for lib, m in ((gradstep, g), (torch, t)):
        with lib.no_grad():
            rnn = lib.nn.utils.rnn
            packed = rnn.pack_padded_sequence(lib.tensor(x), [2, 4, 3], enforce_sorted=False)
            out, (h, c) = m(packed)
            padded, lengths = rnn.pad_packed_sequence(out, padding_value=-1.0)
        assert not padded.requires_grad
        outs.append((padded, lengths, h, c))
    assert_same(outs[0], outs[1])


# ----- work buffers reused across calls (gradstep._alloc) -----

def test_live_graphs_keep_their_buffers():
    """Two LSTM graphs alive at once, one backpropagated twice (retain_graph), then a third call
    reusing the released buffers: every gradient equals torch's (buffers >= 128 KiB are pooled)."""
    g, t = build_pair(lambda lib: lib.nn.LSTM(8, 32, 2))
    xs = [rand(16, 16, 8).astype(np.float32) + k for k in range(3)]
    results = []
    for lib, m in ((gradstep, g), (torch, t)):
        ins = [lib.tensor(x, requires_grad=True) for x in xs]
        out0, _ = m(ins[0])
        out1, _ = m(ins[1])
        out0.square().sum().backward(retain_graph=True)
        out0.square().sum().backward()
        first = [ins[0].grad.clone(), m.weight_hh_l0.grad.clone()]
        out1.sum().backward()
        out2, _ = m(ins[2])  # may take the buffers graph 0 released
        out2.sum().backward()
        results.append((first, out0.detach(), out1.detach(), ins[1].grad, ins[2].grad,
                        m.weight_hh_l1.grad))
    assert_same(results[0], results[1], rtol=1e-4, atol=1e-5)
