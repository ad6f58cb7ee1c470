"""The node names ``print(loss)`` shows (``grad_fn=<...>``) where gradstep fuses into one op what
torch composes of several: losses with options, distances, recurrent layers and cells."""
import pytest
import torch

import gradstep


def _x(lib, *shape):
    return lib.ones(*shape, requires_grad=True)


def _targets(lib, shape):
    if len(shape) == 1:
        return lib.tensor(1)
    return lib.zeros(shape[0], *shape[2:], dtype=lib.int64)


SHAPES = [(2, 3), (3,), (2, 3, 4), (2, 3, 4, 4), (2, 3, 2, 2, 2)]
REDUCTIONS = ["mean", "sum", "none"]

LOSSES = {}
for _shape in SHAPES:
    for _red in REDUCTIONS:
        LOSSES[f"nll {_shape} {_red}"] = (
            lambda L, s=_shape, r=_red: L.nn.functional.nll_loss(_x(L, *s), _targets(L, s),
                                                                 reduction=r))
        for _eps in (0.0, 0.1):
            LOSSES[f"ce {_shape} {_red} eps={_eps}"] = (
                lambda L, s=_shape, r=_red, e=_eps: L.nn.functional.cross_entropy(
                    _x(L, *s), _targets(L, s), reduction=r, label_smoothing=e))
            LOSSES[f"ce probabilities {_shape} {_red} eps={_eps}"] = (
                lambda L, s=_shape, r=_red, e=_eps: L.nn.functional.cross_entropy(
                    _x(L, *s), L.ones(*s) / 3, reduction=r, label_smoothing=e))
for _red in ["mean", "batchmean", "sum", "none"]:
    for _log in (False, True):
        LOSSES[f"kl_div {_red} log_target={_log}"] = (
            lambda L, r=_red, g=_log: L.nn.functional.kl_div(_x(L, 2, 3), L.ones(2, 3) / 3,
                                                             reduction=r, log_target=g))
LOSSES["pairwise_distance"] = lambda L: L.nn.functional.pairwise_distance(_x(L, 2, 3),
                                                                          L.zeros(2, 3))


def _name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


@pytest.mark.parametrize("name", LOSSES)
def test_loss_node_names_match_torch(name):
    assert _name(LOSSES[name](gradstep)) == _name(LOSSES[name](torch))


RECURRENT = [(cls, layers, bidirectional, batch_first, unbatched)
             for cls in ("RNN", "LSTM", "GRU") for layers in (1, 2)
             for bidirectional in (False, True) for batch_first in (False, True)
             for unbatched in (False, True)]


def _names(out):
    output, hidden = out
    hidden = hidden if isinstance(hidden, tuple) else (hidden,)
    data = output.data if hasattr(output, "batch_sizes") else output
    return [_name(data)] + [_name(h) for h in hidden]


@pytest.mark.parametrize("cls, layers, bidirectional, batch_first, unbatched", RECURRENT,
                         ids=str)
def test_recurrent_output_names_match_torch(cls, layers, bidirectional, batch_first, unbatched):
    def run(lib):
        m = getattr(lib.nn, cls)(3, 4, num_layers=layers, bidirectional=bidirectional,
                                 batch_first=batch_first)
        return _names(m(lib.ones(5, 3) if unbatched else lib.ones(2, 5, 3)))
    assert run(gradstep) == run(torch)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_packed_recurrent_output_names_match_torch(cls):
    def run(lib):
        packed = lib.nn.utils.rnn.pack_padded_sequence(lib.ones(5, 2, 3), lib.tensor([5, 3]))
        return _names(getattr(lib.nn, cls)(3, 4)(packed))
    assert run(gradstep) == run(torch)


CELLS = [("RNNCell", {"nonlinearity": "tanh"}), ("RNNCell", {"nonlinearity": "relu"}),
         ("LSTMCell", {}), ("GRUCell", {})]


@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("cls, options", CELLS, ids=str)
def test_cell_output_names_match_torch(cls, options, unbatched):
    def run(lib):
        out = getattr(lib.nn, cls)(3, 4, **options)(lib.ones(3) if unbatched else lib.ones(2, 3))
        return [_name(t) for t in out] if isinstance(out, tuple) else _name(out)
    assert run(gradstep) == run(torch)
