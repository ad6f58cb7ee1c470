"""Gradients of gradients (``create_graph=True``) compared with torch, order by order.

Each entry of ``CASES`` names a function ``fn(L, *inputs)`` and its float64 inputs (kinks and ties
on purpose: relu at 0, max-pooling windows with equal values). ``_orders`` differentiates a
weighted sum of the output, then a weighted sum of the gradients, up to order 3, with
``create_graph=True`` each time, and records at every order each gradient's values, whether it
requires grad and whether it has a grad_fn, or the error the next order raises. A derivative that
is piecewise constant (relu's mask, max pooling's selection) must keep torch's dependence on the
input: the gradient requires grad, and the next order hands the input zeros.
"""
import numpy as np
import pytest
import torch

import gradstep
from _outcome import assert_same_outcome

V = np.array([1.5, -0.5, 0.0, 2.0, 2.0, -1.2])  # a kink at 0, a tie at 2
M = np.array([[1.0, -2.0, 0.5, 0.0], [3.0, 3.0, -1.0, 0.25], [0.0, 1.5, -0.5, 2.0]])
_rng = np.random.default_rng(0)
IMG = _rng.standard_normal((1, 2, 4, 4)).round(1)
IMG[0, 0, 0, :2] = 1.0  # a tie inside a pooling window
IMG[0, 1, 1, 1] = 0.0
SEQ = _rng.standard_normal((2, 3, 5)).round(1)
KER = _rng.standard_normal((3, 2, 3, 3)).round(2)
KER1 = _rng.standard_normal((4, 3, 2)).round(2)
LOGITS = np.array([[1.0, -0.5, 2.0], [0.0, 0.0, 0.3]])
TARGET = np.array([2, 0])


def F(L):
    return L.nn.functional


def c(L, a):
    return L.tensor(a)


# name -> (fn(L, *inputs), inputs, highest order compared)
CASES = {
    # powers: torch differentiates x ** p as p * x ** (p - 1), a power of x down to x ** 0
    "pow2": (lambda L, x: x ** 2, (V,), 3),
    "pow3": (lambda L, x: x ** 3, (V,), 3),
    "square": (lambda L, x: L.square(x), (V,), 3),
    "relu_of_square": (lambda L, x: L.relu(x * x - 1), (V,), 3),
    # masks and slopes of the input (or output): torch's backward still depends on it
    "relu": (lambda L, x: L.relu(x), (V,), 3),
    "relu_times_x": (lambda L, x: L.relu(x) * x, (V,), 3),
    "relu_inplace": (lambda L, x: F(L).relu_(x * 1.0), (V,), 3),
    "relu6": (lambda L, x: F(L).relu6(x), (V,), 3),
    "hardtanh": (lambda L, x: F(L).hardtanh(x, -0.5, 1.5), (V,), 3),
    "hardtanh_inplace": (lambda L, x: F(L).hardtanh_(x * 1.0, -0.5, 1.5), (V,), 3),
    "leaky_relu": (lambda L, x: F(L).leaky_relu(x, 0.2), (V,), 3),
    "leaky_relu_inplace": (lambda L, x: F(L).leaky_relu_(x * 1.0, 0.2), (V,), 3),
    "rrelu_eval": (lambda L, x: F(L).rrelu(x, training=False), (V,), 3),
    "rrelu_inplace_eval": (lambda L, x: F(L).rrelu_(x * 1.0, training=False), (V,), 3),
    "threshold": (lambda L, x: F(L).threshold(x, 0.5, -1.0), (V,), 3),
    "softshrink": (lambda L, x: F(L).softshrink(x), (V,), 3),
    "hardshrink": (lambda L, x: F(L).hardshrink(x), (V,), 3),
    "hardsigmoid": (lambda L, x: F(L).hardsigmoid(x * 2), (V,), 3),  # order 2 raises
    # smooth activations: torch's second derivative at 0
    "elu": (lambda L, x: F(L).elu(x), (V,), 3),
    "elu_inplace": (lambda L, x: F(L).elu_(x * 1.0), (V,), 3),
    "selu": (lambda L, x: F(L).selu(x), (V,), 3),
    "celu": (lambda L, x: F(L).celu(x, 0.5), (V,), 3),
    "mish": (lambda L, x: F(L).mish(x), (V,), 3),
    "logsigmoid": (lambda L, x: F(L).logsigmoid(x), (V,), 3),
    "multilabel_soft_margin": (lambda L, x: F(L).multilabel_soft_margin_loss(
        x, c(L, np.array([[0., 1., 0.], [1., 1., 0.]]))), (LOGITS,), 3),
    # losses whose backward op takes the input
    "nll": (lambda L, x: F(L).nll_loss(x, c(L, TARGET)), (LOGITS,), 3),
    "nll_none": (lambda L, x: F(L).nll_loss(x, c(L, TARGET), reduction="none"), (LOGITS,), 3),
    "nll_weight": (lambda L, x: F(L).nll_loss(x, c(L, TARGET), weight=c(L, np.array(
        [1., 2., .5]))), (LOGITS,), 3),
    "multi_margin": (lambda L, x: F(L).multi_margin_loss(x, c(L, TARGET)), (LOGITS,), 3),
    "multi_margin_p2": (lambda L, x: F(L).multi_margin_loss(x, c(L, TARGET), p=2), (LOGITS,), 3),
    # pooling and padding whose backward op takes the input
    "max_pool2d": (lambda L, x: F(L).max_pool2d(x, 2), (IMG,), 3),
    "max_pool2d_overlapping": (lambda L, x: F(L).max_pool2d(x, 2, 1), (IMG,), 3),
    "max_pool2d_squared": (lambda L, x: F(L).max_pool2d(x, 2) ** 2, (IMG,), 3),
    "max_pool1d": (lambda L, x: F(L).max_pool1d(x, 2), (SEQ,), 3),
    "avg_pool2d": (lambda L, x: F(L).avg_pool2d(x, 2), (IMG,), 3),
    "avg_pool2d_ceil": (lambda L, x: F(L).avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                     count_include_pad=False), (IMG,), 3),
    "avg_pool1d": (lambda L, x: F(L).avg_pool1d(x, 2), (SEQ,), 3),
    "adaptive_avg_pool2d": (lambda L, x: F(L).adaptive_avg_pool2d(x, 3), (IMG,), 3),
    "adaptive_max_pool2d": (lambda L, x: F(L).adaptive_max_pool2d(x, 3), (IMG,), 3),
    "max_unpool2d": (lambda L, x: F(L).max_unpool2d(
        *F(L).max_pool2d(x, 2, return_indices=True), 2), (IMG,), 3),
    "pad_reflect": (lambda L, x: F(L).pad(x, (1, 1, 1, 1), mode="reflect"), (IMG,), 3),
    "pad_replicate": (lambda L, x: F(L).pad(x, (1, 1, 1, 1), mode="replicate"), (IMG,), 3),
    "pad_reflect1d": (lambda L, x: F(L).pad(x, (1, 2), mode="reflect"), (SEQ,), 3),
    # convolution and the native norms: one backward op of (dy, x, w) computes every gradient
    "conv2d_bias": (lambda L, x, w, b: F(L).conv2d(x, w, b, padding=1, stride=2),
                    (IMG, KER, np.array([0.1, 0., -0.2])), 3),
    "conv2d_constant_weight": (lambda L, x: F(L).conv2d(x, c(L, KER)), (IMG,), 3),
    "conv2d_constant_input": (lambda L, w: F(L).conv2d(c(L, IMG), w), (KER,), 3),
    "conv1d_constant_weight": (lambda L, x, b: F(L).conv1d(x, c(L, KER1), b),
                               (SEQ, np.array([0.1, 0., -0.2, 0.3])), 3),
    "conv_transpose2d_constant_weight": (lambda L, x: F(L).conv_transpose2d(
        x, c(L, KER.transpose(1, 0, 2, 3).copy())), (IMG,), 3),
    # (order 3 of the norms is left out: torch's there treats the saved statistics as constants)
    "batch_norm_bias": (lambda L, x, w, b: F(L).batch_norm(x, None, None, w, b, training=True),
                        (IMG, np.array([1.5, 0.5]), np.array([0.1, -0.1])), 2),
    "batch_norm_weight_only": (lambda L, w: F(L).batch_norm(c(L, IMG), None, None, w, None,
                                                            training=True),
                               (np.array([1.5, 0.5]),), 2),
    "batch_norm_eval": (lambda L, x, w, b: F(L).batch_norm(
        x, c(L, np.array([0.1, 0.2])), c(L, np.array([1.5, 0.5])), w, b, training=False),
        (IMG, np.array([1.5, 0.5]), np.array([0.1, -0.1])), 2),
    "layer_norm_bias": (lambda L, x, w, b: F(L).layer_norm(x, (4,), w, b),
                        (M, np.array([1., 2., .5, 1.]), np.array([0., .1, .2, .3])), 2),
    "layer_norm_bias_only": (lambda L, b: F(L).layer_norm(c(L, M), (4,), None, b),
                             (np.array([0., .1, .2, .3]),), 2),
    "embedding_bag_max": (lambda L, w: F(L).embedding_bag(
        c(L, np.array([0, 2, 2, 1])), w, c(L, np.array([0, 2])), mode="max"), (M,), 3),
}


def _summary(L, g):
    if g is None:
        return None
    values = g.detach()
    if L is torch and values._is_zerotensor():  # torch's lazy zeros (abs, sign...)
        values = torch.zeros(values.shape, dtype=values.dtype)
    return values, g.requires_grad, g.grad_fn is None


def _orders(fn, inputs, highest):
    def scenario(L):
        xs = [L.tensor(np.asarray(a, np.float64), requires_grad=True) for a in inputs]
        out = fn(L, *xs)
        rng = np.random.default_rng(1)
        s = (out * L.tensor(rng.standard_normal(tuple(out.shape)).round(2))).sum()
        seen = [_summary(L, out)]
        for _ in range(highest):
            try:
                grads = L.autograd.grad(s, xs, create_graph=True, allow_unused=True)
            except RuntimeError as exc:
                seen.append(("raise", str(exc)))
                break
            seen.append([_summary(L, g) for g in grads])
            terms = [(g * L.tensor(rng.standard_normal(tuple(g.shape)).round(2))).sum()
                     for g in grads if g is not None]
            if not terms:
                break
            s = sum(terms[1:], terms[0])
        return seen
    return scenario


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_of_gradients_match_torch(case):
    fn, inputs, highest = CASES[case]
    assert_same_outcome(_orders(fn, inputs, highest), rtol=1e-7, atol=1e-9)


def test_pow_zero_gradient_is_zero_for_any_upstream():
    """d(x ** 0)/dx is zeros, as torch: not grad * 0, which is nan where grad is inf or nan."""
    def fn(L):
        x = L.tensor([1., 2.], requires_grad=True)
        (x ** 0).backward(L.tensor([float("inf"), float("nan")]))
        return x.grad
    assert_same_outcome(fn)


def test_double_backward_names_follow_torch():
    """grad_fn of a first gradient through a mask is torch's ``...BackwardBackward0`` node."""
    def fn(L):
        x = L.tensor([1.5, -0.5, 0.0], requires_grad=True)
        names = []
        for f in (L.relu, F(L).hardtanh, F(L).leaky_relu,
                  lambda t: F(L).max_pool1d(t.view(1, 1, 3), 2)):
            g, = L.autograd.grad(f(x).sum(), x, create_graph=True)
            names.append(g.grad_fn.name().rsplit("::", 1)[-1] if g.grad_fn else None)
        return names[:3]
    assert_same_outcome(fn)


def test_plain_backward_after_graph_backward_reads_arrays():
    """An op with a graph_backward runs its array formula again in a later plain backward."""
    for L in (gradstep, torch):
        x = L.tensor([1.5, -0.5, 2.0], requires_grad=True)
        y = F(L).hardtanh(x, -1.0, 1.8) ** 2
        g, = L.autograd.grad(y.sum(), x, create_graph=True, retain_graph=True)
        gg, = L.autograd.grad(g.sum(), x, create_graph=True, retain_graph=True)
        assert gg.requires_grad  # through hardtanh's mask, which depends on x
        y.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [3., -1., 0.])
