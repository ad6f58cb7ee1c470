"""A second backward through a freed graph: torch raises for every node that saved tensors
(inputs, outputs, indices, masks), and not for nodes that saved none (sum, views, cat)."""
import pytest
import torch

import gradstep


def _x(lib):
    return lib.tensor([[3., 1., 2.], [0.5, 4., -1.]], requires_grad=True)


def _planes(lib):
    return lib.arange(32.).reshape(1, 2, 4, 4).requires_grad_()


def _f(lib):
    return lib.nn.functional


CASES = {
    "max_dim": lambda L: _x(L).max(1).values,
    "min_dim": lambda L: _x(L).min(1)[0],
    "max_all": lambda L: _x(L).max(),
    "amax": lambda L: _x(L).amax(1),
    "aminmax": lambda L: L.aminmax(_x(L)).max,
    "sort": lambda L: _x(L).sort(1).values,
    "topk": lambda L: _x(L).topk(2, 1).values,
    "kthvalue": lambda L: _x(L).kthvalue(2, 1).values,
    "median_dim": lambda L: _x(L).median(1).values,
    "median_all": lambda L: _x(L).median(),
    "nanmedian": lambda L: _x(L).nanmedian(),
    "mode": lambda L: _x(L).mode(1).values,
    "dropout": lambda L: _f(L).dropout(_x(L), 0.5),
    "alpha_dropout": lambda L: _f(L).alpha_dropout(_planes(L), 0.5, True),
    "dropout2d": lambda L: _f(L).dropout2d(_planes(L), 0.5),
    "max_pool_2x2": lambda L: _f(L).max_pool2d(_planes(L), 2),
    "max_pool_3": lambda L: _f(L).max_pool2d(_planes(L), 3, 1),
    "max_pool1d": lambda L: _f(L).max_pool1d(_x(L).unsqueeze(0), 2),
    "adaptive_max_pool": lambda L: _f(L).adaptive_max_pool2d(_planes(L), 2),
    "avg_pool": lambda L: _f(L).avg_pool2d(_planes(L), 2),
    "adaptive_avg_pool": lambda L: _f(L).adaptive_avg_pool2d(_planes(L), 3),
    "reflection_pad": lambda L: _f(L).pad(_planes(L), (1, 1, 1, 1), mode="reflect"),
    "replication_pad": lambda L: _f(L).pad(_planes(L), (1, 1, 1, 1), mode="replicate"),
    "circular_pad": lambda L: _f(L).pad(_planes(L), (1, 1, 1, 1), mode="circular"),
    "constant_pad": lambda L: _f(L).pad(_planes(L), (1, 1)),
    "nearest_upsample": lambda L: _f(L).interpolate(_planes(L), scale_factor=2),
    "nll_loss": lambda L: _f(L).nll_loss(_x(L), L.tensor([0, 1])),
    "nll_loss_weighted": lambda L: _f(L).nll_loss(_x(L), L.tensor([0, 1]),
                                                  weight=L.tensor([1., 2., 3.])),
    "embedding": lambda L: _f(L).embedding(L.tensor([0, 1]), L.ones(3, 2, requires_grad=True)),
    "gather": lambda L: _x(L).gather(1, L.tensor([[0], [1]])),
    "index_select": lambda L: _x(L).index_select(1, L.tensor([0, 2])),
    "getitem_tensor": lambda L: _x(L)[L.tensor([0, 1])],
    "getitem_mask": lambda L: (lambda x: x[x > 1])(_x(L)),
    "getitem_int": lambda L: _x(L)[0],
    "getitem_0d_tensor": lambda L: _x(L)[L.tensor(1)],
    "masked_fill": lambda L: (lambda x: x.masked_fill(x > 1, 0.))(_x(L)),
    "masked_select": lambda L: _x(L).masked_select(L.tensor([True, False, True])),
    "take": lambda L: _x(L).take(L.tensor([0, 4])),
    "scatter": lambda L: L.zeros(2, 3).scatter(1, L.tensor([[0], [1]]), _x(L)[:, :1]),
    "scatter_add_self_only": lambda L: _x(L).scatter_add(1, L.tensor([[0], [1]]),
                                                          L.ones(2, 1)),
    "index_add_self_only": lambda L: _x(L).index_add(1, L.tensor([0]), L.ones(2, 1)),
    "index_add_source": lambda L: L.zeros(2, 3).index_add(1, L.tensor([0]), _x(L)[:, :1]),
    "put": lambda L: _x(L).put(L.tensor([0, 4]), L.tensor([9., 9.])),
    "sum": lambda L: _x(L).sum(1),
    "view": lambda L: _x(L).view(6),
    "cat": lambda L: L.cat([_x(L), _x(L)]),
    "cumsum": lambda L: _x(L).cumsum(1),
}


def _twice(lib, make):
    y = make(lib).sum()
    y.backward()
    try:
        y.backward()
    except RuntimeError as e:
        return str(e)
    return None


@pytest.mark.parametrize("name", CASES)
def test_second_backward_matches_torch(name):
    assert _twice(gradstep, CASES[name]) == _twice(torch, CASES[name])


POOLS = {
    "max_pool": lambda L, h: _f(L).max_pool2d(h, 2),
    "avg_pool": lambda L, h: _f(L).avg_pool2d(h, 2),
    "adaptive_avg_pool": lambda L, h: _f(L).adaptive_avg_pool2d(h, 3),
    "adaptive_max_pool": lambda L, h: _f(L).adaptive_max_pool2d(h, 3),
    "reflection_pad": lambda L, h: _f(L).pad(h, (1, 1, 1, 1), mode="reflect"),
    "circular_pad": lambda L, h: _f(L).pad(h, (1, 1, 1, 1), mode="circular"),
}


@pytest.mark.parametrize("name", POOLS)
def test_input_changed_in_place_after_pooling_matches_torch(name):
    # torch's pooling and reflection/replication pad backward take the input: it is saved
    outcomes = []
    for lib in (torch, gradstep):
        h = _planes(lib) * 1
        y = POOLS[name](lib, h)
        h.add_(1)
        try:
            y.sum().backward()
            outcomes.append(None)
        except RuntimeError as e:
            outcomes.append(str(e).split(" is at version")[0])
    assert outcomes[0] == outcomes[1]
