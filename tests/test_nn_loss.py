"""nn losses against torch: one table of cases drives values and gradients (inputs and float
targets, float32 and float64, every reduction), float64 finite differences, extreme logits,
ignore_index, empty batches, error and warning texts, and the loss modules."""
import itertools
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from tests._compare import assert_same, compare, gradcheck_fd

rng = np.random.default_rng(0)
REDUCTIONS = ("none", "mean", "sum")


def F(lib):
    return lib.nn.functional


def randn(*shape):
    return rng.standard_normal(shape)


def probs(*shape, axis=1):
    e = np.exp(rng.standard_normal(shape))
    return e / e.sum(axis=axis, keepdims=True)


def classes(c, *shape, ignore=None):
    t = rng.integers(0, c, shape)
    if ignore is not None:
        t.flat[::3] = ignore
    return t


def const(lib, a):
    """A constant (no grad) tensor of a NumPy array, as a weight argument."""
    return None if a is None else lib.tensor(a)


W3 = np.array([0.2, 1.0, 3.0])
W4 = np.array([0.5, 2.0, 1.0, 0.1])
WFULL = np.abs(rng.standard_normal((4, 3)))
SIGNS = rng.choice([-1.0, 1.0], (4, 3))
WFULL5 = np.abs(rng.standard_normal((5, 3)))

# name -> (fn(lib, *tensors, reduction=...), arrays). Float arrays require grad in both
# libraries, so float targets get their gradients compared too.
CASES = {
    "mse": (lambda lib, x, t, r: F(lib).mse_loss(x, t, reduction=r), (randn(4, 3), randn(4, 3))),
    "mse_weight": (lambda lib, x, t, r: F(lib).mse_loss(
        x, t, reduction=r, weight=const(lib, WFULL.astype(x.detach().numpy().dtype))),
        (randn(4, 3), randn(4, 3))),
    "l1_weight": (lambda lib, x, t, r: F(lib).l1_loss(
        x, t, reduction=r, weight=const(lib, WFULL.astype(x.detach().numpy().dtype))),
        (randn(4, 3), randn(4, 3))),
    "l1": (lambda lib, x, t, r: F(lib).l1_loss(x, t, reduction=r), (randn(4, 3), randn(4, 3))),
    "smooth_l1": (lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r),
                  (randn(5, 3), randn(5, 3))),
    "smooth_l1_beta": (lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r, beta=0.3),
                       (randn(5, 3), randn(5, 3))),
    "smooth_l1_beta0": (lambda lib, x, t, r: F(lib).smooth_l1_loss(x, t, reduction=r, beta=0.0),
                        (randn(5, 3), randn(5, 3))),
    "huber": (lambda lib, x, t, r: F(lib).huber_loss(x, t, reduction=r),
              (randn(5, 3) * 2, randn(5, 3))),
    "huber_delta": (lambda lib, x, t, r: F(lib).huber_loss(x, t, reduction=r, delta=0.4),
                    (randn(5, 3), randn(5, 3))),
    "huber_weight": (lambda lib, x, t, r: F(lib).huber_loss(
        x, t, reduction=r, weight=const(lib, WFULL5.astype(x.detach().numpy().dtype))),
        (randn(5, 3), randn(5, 3))),
    "bce": (lambda lib, x, t, r: F(lib).binary_cross_entropy(x, t, reduction=r),
            (rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3)))),
    "bce_weight": (lambda lib, x, t, r: F(lib).binary_cross_entropy(
        x, t, weight=const(lib, W3.astype(x.detach().numpy().dtype)), reduction=r),
        (rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3)))),
    "bce_logits": (lambda lib, x, t, r: F(lib).binary_cross_entropy_with_logits(x, t, reduction=r),
                   (randn(4, 3) * 3, rng.uniform(0, 1, (4, 3)))),
    "bce_logits_weights": (lambda lib, x, t, r: F(lib).binary_cross_entropy_with_logits(
        x, t, weight=const(lib, W3.astype(x.detach().numpy().dtype)),
        pos_weight=const(lib, W3[::-1].copy().astype(x.detach().numpy().dtype)), reduction=r),
        (randn(4, 3) * 3, rng.uniform(0, 1, (4, 3)))),
    "kl_div": (lambda lib, x, t, r: F(lib).kl_div(x, t, reduction=_kl(r)),
               (np.log(probs(4, 3)), probs(4, 3))),
    "kl_div_log_target": (lambda lib, x, t, r: F(lib).kl_div(x, t, reduction=_kl(r),
                                                             log_target=True),
                          (np.log(probs(4, 3)), np.log(probs(4, 3)))),
    "poisson": (lambda lib, x, t, r: F(lib).poisson_nll_loss(x, t, reduction=r),
                (randn(4, 3), rng.uniform(0, 4, (4, 3)))),
    "poisson_full": (lambda lib, x, t, r: F(lib).poisson_nll_loss(x, t, log_input=False,
                                                                  full=True, reduction=r),
                     (rng.uniform(0.1, 3, (4, 3)), rng.uniform(0.5, 4, (4, 3)))),
    "gaussian": (lambda lib, x, t, v, r: F(lib).gaussian_nll_loss(x, t, v, reduction=r),
                 (randn(4, 3), randn(4, 3), rng.uniform(0.1, 2, (4, 3)))),
    "gaussian_full_1": (lambda lib, x, t, v, r: F(lib).gaussian_nll_loss(x, t, v, full=True,
                                                                         reduction=r),
                        (randn(4, 3), randn(4, 3), rng.uniform(0.1, 2, (4, 1)))),
    "cosine_embedding": (lambda lib, a, b, y, r: F(lib).cosine_embedding_loss(
        a, b, y, margin=0.1, reduction=r), (randn(6, 5), randn(6, 5), np.array([1, -1] * 3))),
    "margin_ranking": (lambda lib, a, b, r: F(lib).margin_ranking_loss(
        a, b, const(lib, np.array([1.0, -1, 1, -1, 1]).astype(a.detach().numpy().dtype)),
        margin=0.2, reduction=r), (randn(5), randn(5))),
    "hinge_embedding": (lambda lib, x, y, r: F(lib).hinge_embedding_loss(x, y, margin=0.5,
                                                                         reduction=r),
                        (randn(4, 3), rng.choice([-1, 1], (4, 3)))),
    "triplet": (lambda lib, a, p, n, r: F(lib).triplet_margin_loss(a, p, n, reduction=r),
                (randn(5, 4), randn(5, 4), randn(5, 4))),
    "triplet_swap_p1": (lambda lib, a, p, n, r: F(lib).triplet_margin_loss(
        a, p, n, margin=2.0, p=1, swap=True, reduction=r),
        (randn(5, 4), randn(5, 4), randn(5, 4))),
    "multilabel_soft_margin": (lambda lib, x, t, r: F(lib).multilabel_soft_margin_loss(
        x, t, reduction=r), (randn(4, 3), rng.integers(0, 2, (4, 3)).astype(float))),
    "multilabel_soft_margin_w": (lambda lib, x, t, r: F(lib).multilabel_soft_margin_loss(
        x, t, weight=const(lib, W3.astype(x.detach().numpy().dtype)), reduction=r),
        (randn(4, 3), rng.integers(0, 2, (4, 3)).astype(float))),
    "soft_margin": (lambda lib, x, r: F(lib).soft_margin_loss(
        x, const(lib, SIGNS.astype(x.detach().numpy().dtype)), reduction=r), (randn(4, 3),)),
    "multi_margin": (lambda lib, x, t, r: F(lib).multi_margin_loss(x, t, reduction=r),
                     (randn(5, 4), classes(4, 5))),
    "multi_margin_p2_w": (lambda lib, x, t, r: F(lib).multi_margin_loss(
        x, t, p=2, margin=0.7, weight=const(lib, W4.astype(x.detach().numpy().dtype)),
        reduction=r), (randn(5, 4), classes(4, 5))),
}


def _kl(r):
    return "batchmean" if r == "mean" else r


# cross_entropy / nll_loss: every combination of target rank, weight, ignore_index, smoothing
SHAPES = {"1d": ((3,), ()), "2d": ((5, 3), (5,)), "3d": ((2, 3, 4), (2, 4)),
          "4d": ((2, 3, 2, 3), (2, 2, 3)), "5d": ((2, 3, 2, 1, 2), (2, 2, 1, 2))}
for (sname, (xs, ts)), weight, ignore, ls in itertools.product(
        SHAPES.items(), (None, W3), (None, 1), (0.0, 0.2)):
    key = f"ce_{sname}_w{weight is not None}_ig{ignore}_ls{ls}"
    ignore_kw = {} if ignore is None else {"ignore_index": ignore}
    t = classes(3, *ts)
    if ignore is None and t.ndim:
        t.flat[::4] = -100  # the default ignore_index is honoured too
    CASES[key] = ((lambda w, kw, ls: lambda lib, x, t, r: F(lib).cross_entropy(
        x, t, weight=const(lib, None if w is None else w.astype(x.detach().numpy().dtype)),
        reduction=r, label_smoothing=ls, **kw))(weight, ignore_kw, ls), (randn(*xs) * 2, t))
    if ls == 0.0:
        CASES["nll" + key[2:]] = ((lambda w, kw: lambda lib, x, t, r: F(lib).nll_loss(
            F(lib).log_softmax(x, 1 if x.dim() > 1 else 0),
            t, weight=const(lib, None if w is None else w.astype(x.detach().numpy().dtype)),
            reduction=r, **kw))(weight, ignore_kw), (randn(*xs), t))
# every target a counted class, no weight (the fast path): ignore_index that no target can
# match, negative or past the classes; Long and Byte targets
for (sname, (xs, ts)), ignore, ls, tdtype in itertools.product(
        SHAPES.items(), (-100, -1, 3), (0.0, 0.2), (np.int64, np.uint8)):
    if tdtype == np.uint8 and len(xs) > 2:  # torch takes Byte targets for (C) and (N, C) only
        continue
    CASES[f"ce_{sname}_all_counted_ig{ignore}_ls{ls}_{np.dtype(tdtype).name}"] = (
        (lambda ig, ls: lambda lib, x, t, r: F(lib).cross_entropy(
            x, t, ignore_index=ig, reduction=r, label_smoothing=ls))(ignore, ls),
        (randn(*xs) * 2, classes(3, *ts).astype(tdtype)))
for (sname, (xs, _)), weight, ls in itertools.product(
        (("1d", SHAPES["1d"]), ("2d", SHAPES["2d"]), ("4d", SHAPES["4d"])), (None, W3),
        (0.0, 0.3)):
    CASES[f"ce_prob_{sname}_w{weight is not None}_ls{ls}"] = (
        (lambda w, ls: lambda lib, x, t, r: F(lib).cross_entropy(
            x, t, weight=const(lib, None if w is None else w.astype(x.detach().numpy().dtype)),
            reduction=r, label_smoothing=ls))(weight, ls),
        (randn(*xs) * 2, probs(*xs, axis=1 if len(xs) > 1 else 0)))


def _cast(arrays, dtype):
    return [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CASES)
def test_against_torch(name, dtype, reduction):
    fn, arrays = CASES[name]
    compare(lambda lib, *ts: fn(lib, *ts, reduction), *_cast(arrays, dtype),
            grad_rtol=1e-4 if dtype == np.float32 else None,
            grad_atol=1e-5 if dtype == np.float32 else None)


@pytest.mark.parametrize("name", [n for n in CASES if "_3d" not in n and "_5d" not in n])
def test_gradcheck(name):
    fn, arrays = CASES[name]
    gradcheck_fd(lambda lib, *ts: fn(lib, *ts, "sum"), *arrays)


def test_grad_fn_names():
    x = gradstep.tensor(randn(4, 3), requires_grad=True)
    t = gradstep.tensor(randn(4, 3))
    k = gradstep.tensor(classes(3, 4))
    for fn, name in [(F(gradstep).mse_loss, "MseLossBackward0"),
                     (F(gradstep).smooth_l1_loss, "SmoothL1LossBackward0"),
                     (F(gradstep).huber_loss, "HuberLossBackward0"),
                     (F(gradstep).binary_cross_entropy_with_logits,
                      "BinaryCrossEntropyWithLogitsBackward0"),
                     (F(gradstep).soft_margin_loss, "SoftMarginLossBackward0")]:
        assert fn(x, t).grad_fn.name() == name
    assert F(gradstep).cross_entropy(x, k).grad_fn.name() == "NllLossBackward0"
    assert F(gradstep).nll_loss(x, k).grad_fn.name() == "NllLossBackward0"


# ----- extreme logits: finite, and equal to torch -----

P53 = probs(5, 3)
U53 = rng.uniform(0, 1, (5, 3))
SIGNS53 = rng.choice([-1.0, 1.0], (5, 3))
BITS53 = rng.integers(0, 2, (5, 3))
EXTREME = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, 1e4, 1e4], [-1e4, -1e4, -1e4],
                    [50.0, -50.0, 100.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", [
    ("ce", lambda lib, x, r: F(lib).cross_entropy(x, lib.tensor([1, 0, 2, 1, 1]), reduction=r)),
    ("ce_ls_w", lambda lib, x, r: F(lib).cross_entropy(
        x, lib.tensor([1, 0, 2, 1, 1]), weight=lib.tensor(W3, dtype=x.dtype), reduction=r,
        label_smoothing=0.1)),
    ("ce_prob", lambda lib, x, r: F(lib).cross_entropy(
        x, lib.tensor(P53, dtype=x.dtype), reduction=r)),
    ("bce_logits", lambda lib, x, r: F(lib).binary_cross_entropy_with_logits(
        x, lib.tensor(U53, dtype=x.dtype), reduction=r)),
    ("bce_logits_pw", lambda lib, x, r: F(lib).binary_cross_entropy_with_logits(
        x, lib.tensor(U53, dtype=x.dtype),
        pos_weight=lib.tensor(W3, dtype=x.dtype), reduction=r)),
    ("multilabel_soft_margin", lambda lib, x, r: F(lib).multilabel_soft_margin_loss(
        x, lib.tensor(BITS53, dtype=x.dtype), reduction=r)),
    ("log_softmax+nll", lambda lib, x, r: F(lib).nll_loss(
        F(lib).log_softmax(x, 1), lib.tensor([1, 0, 2, 1, 1]), reduction=r)),
], ids=lambda c: c[0] if isinstance(c, tuple) else None)
def test_extreme_logits(case, dtype):
    _, fn = case
    for r in REDUCTIONS:
        g, _ = compare(lambda lib, x: fn(lib, x, r), EXTREME.astype(dtype))
        assert np.isfinite(g.detach().numpy()).all()


def test_soft_margin_overflow_like_torch():
    """torch computes log1p(exp(-y x)) unshifted: inf loss and NaN gradient at -y x = 1e4."""
    x = np.array([[1e4, -1e4, 3.0], [-1e4, 1e4, -3.0]])
    y = np.array([[1.0, -1.0, 1.0], [1.0, -1.0, -1.0]])
    for r in REDUCTIONS:
        compare(lambda lib, x: F(lib).soft_margin_loss(x, lib.tensor(y), reduction=r), x)


def test_bce_log_clamp():
    """Probabilities of exactly 0 and 1: torch clamps each log at -100."""
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([0.0, 0.0, 1.0, 1.0, 0.5])
    for r in REDUCTIONS:
        compare(lambda lib, x, t: F(lib).binary_cross_entropy(x, t, reduction=r), x, t)


# ----- ignore_index and empty batches -----

@pytest.mark.parametrize("fname", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("ls", [0.0, 0.25])
def test_ignored_targets_get_no_gradient(fname, ls):
    x = randn(6, 4, 3)
    t = classes(4, 6, 3)
    t[::2] = 7
    kw = {"label_smoothing": ls} if fname == "cross_entropy" else {}
    if fname == "nll_loss" and ls:
        return
    for r in REDUCTIONS:
        g, _ = compare(lambda lib, x: getattr(F(lib), fname)(
            x, lib.tensor(t), ignore_index=7, weight=lib.tensor(W4), reduction=r, **kw), x)
    xg = gradstep.tensor(x, requires_grad=True)
    getattr(F(gradstep), fname)(xg, gradstep.tensor(t), ignore_index=7, **kw).backward()
    assert np.all(xg.grad.numpy()[::2] == 0)


@pytest.mark.parametrize("fn", [
    lambda lib, x: F(lib).cross_entropy(x, lib.full((4,), -100)),
    lambda lib, x: F(lib).cross_entropy(x, lib.full((4,), -100), label_smoothing=0.2),
    lambda lib, x: F(lib).nll_loss(x, lib.full((4,), 2), ignore_index=2),
])
def test_all_ignored_mean_is_nan(fn):
    g, _ = compare(fn, randn(4, 3))
    assert np.isnan(g.item())


EMPTY = [
    ("ce", lambda lib, x, r: F(lib).cross_entropy(x, lib.zeros(0, dtype=lib.long), reduction=r),
     (0, 3)),
    ("ce_ls_w", lambda lib, x, r: F(lib).cross_entropy(
        x, lib.zeros(0, dtype=lib.long), weight=lib.tensor(W3), label_smoothing=0.1,
        reduction=r), (0, 3)),
    ("ce_prob", lambda lib, x, r: F(lib).cross_entropy(x, lib.zeros(0, 3, dtype=lib.float64),
                                                       reduction=r), (0, 3)),
    ("nll", lambda lib, x, r: F(lib).nll_loss(x, lib.zeros(0, dtype=lib.long), reduction=r),
     (0, 3)),
    ("mse", lambda lib, x, r: F(lib).mse_loss(x, x.detach() * 2, reduction=r), (0, 3)),
    ("bce_logits", lambda lib, x, r: F(lib).binary_cross_entropy_with_logits(
        x, lib.zeros(0, 3, dtype=lib.float64), reduction=r), (0, 3)),
    ("bce", lambda lib, x, r: F(lib).binary_cross_entropy(
        x.sigmoid(), lib.zeros(0, 3, dtype=lib.float64), reduction=r), (0, 3)),
    ("huber", lambda lib, x, r: F(lib).huber_loss(x, x.detach(), reduction=r), (0,)),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", EMPTY, ids=[c[0] for c in EMPTY])
def test_empty_batch(case, reduction):
    """Mean over nothing is NaN, the sum 0, 'none' an empty tensor; gradients empty."""
    _, fn, shape = case
    g, _ = compare(lambda lib, x: fn(lib, x, reduction), np.zeros(shape))
    if reduction == "mean":
        assert np.isnan(g.item())


# ----- double backward -----

@pytest.mark.parametrize("name", ["mse", "huber", "bce_logits", "bce_logits_weights",
                                  "ce_2d_wTrue_ig1_ls0.2", "ce_4d_wFalse_igNone_ls0.0",
                                  "ce_prob_2d_wTrue_ls0.3", "nll_2d_wTrue_ig1_ls0.0",
                                  "soft_margin", "kl_div", "bce"])
def test_double_backward(name):
    fn, arrays = CASES[name]

    def second(lib, x, *rest):
        loss = fn(lib, x, *rest, "mean")
        g, = lib.autograd.grad(loss, x, create_graph=True)
        return (g * g).sum()
    compare(second, *arrays)


# ----- errors and warnings -----

X = randn(4, 3)
ERRORS = [
    ("mse bcast bad", lambda lib: F(lib).mse_loss(lib.tensor(X), lib.ones(5, 1))),
    ("mse int", lambda lib: F(lib).mse_loss(lib.ones(3, dtype=lib.long),
                                            lib.ones(3, dtype=lib.long))),
    ("mse weight shape", lambda lib: F(lib).mse_loss(lib.tensor(X), lib.tensor(X),
                                                     weight=lib.ones(3))),
    ("smooth_l1 beta", lambda lib: F(lib).smooth_l1_loss(lib.tensor(X), lib.tensor(X), beta=-1)),
    ("huber delta", lambda lib: F(lib).huber_loss(lib.tensor(X), lib.tensor(X), delta=0)),
    ("bad reduction", lambda lib: F(lib).mse_loss(lib.tensor(X), lib.tensor(X), reduction="x")),
    ("ce bad reduction", lambda lib: F(lib).cross_entropy(
        lib.tensor(X), lib.zeros(4, dtype=lib.long), reduction="foo")),
    ("ce prob long", lambda lib: F(lib).cross_entropy(lib.tensor(X),
                                                      lib.zeros(4, 3, dtype=lib.long))),
    ("ce float index", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.zeros(4))),
    ("ce int32", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.zeros(4, dtype=lib.int32))),
    ("ce batch", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.zeros(5, dtype=lib.long))),
    ("ce oob", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.tensor([0, 5, -3, 7]))),
    ("ce negative", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.full((4,), -1))),
    ("ce 3d target", lambda lib: F(lib).cross_entropy(lib.randn(2, 3, 4),
                                                      lib.zeros(2, 5, dtype=lib.long))),
    ("ce 3d byte target", lambda lib: F(lib).cross_entropy(lib.randn(2, 3, 4),
                                                           lib.zeros(2, 4, dtype=lib.uint8))),
    ("nll 4d byte target", lambda lib: F(lib).nll_loss(lib.randn(2, 3, 4, 5),
                                                       lib.zeros(2, 4, 5, dtype=lib.uint8))),
    ("ce weight", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.zeros(4, dtype=lib.long),
                                                   weight=lib.ones(4))),
    ("ce prob weight", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.rand(4, 3),
                                                        weight=lib.ones(2))),
    ("ce multi-target", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.rand(4, 4))),
    ("ce smoothing", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.zeros(4, dtype=lib.long),
                                                      label_smoothing=1.5)),
    ("ce 0d", lambda lib: F(lib).cross_entropy(lib.tensor(1.0), lib.tensor(1))),
    ("nll weight dtype", lambda lib: F(lib).nll_loss(lib.tensor(X), lib.zeros(4, dtype=lib.long),
                                                     weight=lib.ones(3))),
    ("ce weight dtype", lambda lib: F(lib).cross_entropy(lib.tensor(X),
                                                         lib.zeros(4, dtype=lib.long),
                                                         weight=lib.ones(3))),
    ("soft margin target grad", lambda lib: F(lib).soft_margin_loss(
        lib.tensor(X), lib.ones(4, 3, requires_grad=True))),
    ("nll 0d", lambda lib: F(lib).nll_loss(lib.tensor(1.0), lib.tensor(0))),
    ("nll 4d", lambda lib: F(lib).nll_loss(lib.randn(2, 3, 4, 5), lib.zeros(2, 4, 4,
                                                                            dtype=lib.long))),
    ("nll 4d target dim", lambda lib: F(lib).nll_loss(lib.randn(2, 3, 4, 5),
                                                      lib.zeros(2, 4, dtype=lib.long))),
    ("nll weight grad", lambda lib: F(lib).nll_loss(lib.tensor(X), lib.zeros(4, dtype=lib.long),
                                                    weight=lib.ones(3, requires_grad=True))),
    ("bce size", lambda lib: F(lib).binary_cross_entropy(lib.rand(4, 3), lib.rand(3))),
    ("bce range", lambda lib: F(lib).binary_cross_entropy(lib.rand(4, 3) + 1, lib.rand(4, 3))),
    ("bce long target", lambda lib: F(lib).binary_cross_entropy(lib.rand(4, 3),
                                                                lib.ones(4, 3, dtype=lib.long))),
    ("bce double target", lambda lib: F(lib).binary_cross_entropy(
        lib.rand(3), lib.rand(3, dtype=lib.float64))),
    ("bce weight bcast", lambda lib: F(lib).binary_cross_entropy(lib.rand(4, 3), lib.rand(4, 3),
                                                                 weight=lib.rand(2))),
    ("bce logits size", lambda lib: F(lib).binary_cross_entropy_with_logits(lib.rand(4, 3),
                                                                            lib.rand(3))),
    ("bce logits long", lambda lib: F(lib).binary_cross_entropy_with_logits(
        lib.rand(4, 3), lib.ones(4, 3, dtype=lib.long))),
    ("bce logits pw", lambda lib: F(lib).binary_cross_entropy_with_logits(
        lib.rand(4, 3), lib.rand(4, 3), pos_weight=lib.rand(2))),
    ("bce logits pw grad", lambda lib: F(lib).binary_cross_entropy_with_logits(
        lib.rand(4, 3), lib.rand(4, 3), pos_weight=lib.rand(3, requires_grad=True))),
    ("kl int", lambda lib: F(lib).kl_div(lib.tensor(X), lib.ones(4, 3, dtype=lib.long),
                                         reduction="sum")),
    ("kl reduction", lambda lib: F(lib).kl_div(lib.tensor(X), lib.tensor(X), reduction="foo")),
    ("gaussian var size", lambda lib: F(lib).gaussian_nll_loss(lib.tensor(X), lib.tensor(X),
                                                               lib.ones(4, 2))),
    ("gaussian var negative", lambda lib: F(lib).gaussian_nll_loss(lib.tensor(X), lib.tensor(X),
                                                                   -lib.ones(4, 3))),
    ("gaussian reduction", lambda lib: F(lib).gaussian_nll_loss(lib.tensor(X), lib.tensor(X),
                                                                lib.ones(4, 3), reduction="x")),
    ("cosine 3d", lambda lib: F(lib).cosine_embedding_loss(lib.randn(4, 3, 2), lib.randn(4, 3, 2),
                                                           lib.ones(4))),
    ("cosine target 2d", lambda lib: F(lib).cosine_embedding_loss(lib.randn(4, 3),
                                                                  lib.randn(4, 3),
                                                                  lib.ones(4, 1))),
    ("margin ranking dims", lambda lib: F(lib).margin_ranking_loss(lib.tensor(X), lib.tensor(X),
                                                                   lib.ones(2))),
    ("triplet dims", lambda lib: F(lib).triplet_margin_loss(lib.randn(4, 3), lib.randn(4, 3),
                                                            lib.randn(3))),
    ("multi margin p", lambda lib: F(lib).multi_margin_loss(lib.randn(3, 4),
                                                            lib.ones(3, dtype=lib.long), p=3)),
    ("multi margin target", lambda lib: F(lib).multi_margin_loss(lib.randn(3, 4),
                                                                 lib.ones(4, dtype=lib.long))),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as expected:
            fn(torch)
        with pytest.raises(type(expected.value), match="^" + re.escape(str(expected.value))
                           + "$"):
            fn(gradstep)


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [(m.category, str(m.message)) for m in w]


WARNINGS = [
    ("mse bcast", lambda lib: F(lib).mse_loss(lib.tensor(X), lib.tensor(X[:, :1]))),
    ("l1 bcast", lambda lib: F(lib).l1_loss(lib.tensor(X), lib.tensor(X[0]))),
    ("smooth_l1 bcast", lambda lib: F(lib).smooth_l1_loss(lib.tensor(X), lib.tensor(X[0]))),
    ("huber bcast", lambda lib: F(lib).huber_loss(lib.tensor(X), lib.tensor(X[0]))),
    ("size_average False", lambda lib: F(lib).mse_loss(lib.tensor(X), lib.zeros(4, 3),
                                                       size_average=False)),
    ("reduce False", lambda lib: F(lib).cross_entropy(lib.tensor(X), lib.tensor([0, 1, 2, 0]),
                                                      reduce=False)),
    ("both", lambda lib: F(lib).nll_loss(lib.tensor(X), lib.tensor([0, 1, 2, 0]),
                                         size_average=True, reduce=True)),
    ("kl mean", lambda lib: F(lib).kl_div(lib.tensor(X), lib.tensor(np.abs(X)))),
    ("elementwise_mean", lambda lib: F(lib).mse_loss(lib.tensor(X), lib.zeros(4, 3),
                                                     reduction="elementwise_mean")),
]


@pytest.mark.parametrize("name,fn", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_warnings(name, fn):
    g, g_warn = _warnings_of(lambda: fn(gradstep))
    t, t_warn = _warnings_of(lambda: fn(torch))
    assert g_warn == t_warn
    assert_same(g, t)


def test_ctc_loss_not_implemented():
    with pytest.raises(NotImplementedError, match="ctc_loss"):
        F(gradstep).ctc_loss(gradstep.randn(5, 2, 4), gradstep.ones(2, 3, dtype=gradstep.long),
                             gradstep.tensor([5, 5]), gradstep.tensor([3, 3]))


# ----- modules -----

MODULES = [
    ("MSELoss()", (randn(4, 3), randn(4, 3))),
    ("MSELoss(reduction='sum')", (randn(4, 3), randn(4, 3))),
    ("MSELoss(size_average=False)", (randn(4, 3), randn(4, 3))),
    ("L1Loss(reduction='none')", (randn(4, 3), randn(4, 3))),
    ("SmoothL1Loss(beta=0.5)", (randn(4, 3), randn(4, 3))),
    ("HuberLoss(delta=0.5)", (randn(4, 3), randn(4, 3))),
    ("CrossEntropyLoss()", (randn(4, 3), classes(3, 4))),
    ("CrossEntropyLoss(weight=lib.tensor([1., 2., 3.], dtype=lib.float64), ignore_index=1, "
     "label_smoothing=0.1)",
     (randn(4, 3, 2), classes(3, 4, 2))),
    ("NLLLoss(weight=lib.tensor([1., 2., 3.], dtype=lib.float64))", (randn(4, 3), classes(3, 4))),
    ("NLLLoss(reduce=False)", (randn(4, 3), classes(3, 4))),
    ("BCELoss(weight=lib.tensor([1., 2., 3.]))",
     (rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0, 1, (4, 3)))),
    ("BCEWithLogitsLoss(pos_weight=lib.tensor([1., 2., 3.]))",
     (randn(4, 3), rng.uniform(0, 1, (4, 3)))),
    ("BCEWithLogitsLoss(weight=lib.tensor([1., 2., 3.]))",
     (randn(4, 3), rng.uniform(0, 1, (4, 3)))),
    ("KLDivLoss(reduction='batchmean', log_target=True)",
     (np.log(probs(4, 3)), np.log(probs(4, 3)))),
    ("PoissonNLLLoss()", (randn(4, 3), rng.uniform(0, 3, (4, 3)))),
    ("GaussianNLLLoss()", (randn(4, 3), randn(4, 3), rng.uniform(0.5, 1, (4, 3)))),
    ("CosineEmbeddingLoss(margin=0.2)", (randn(4, 3), randn(4, 3), np.array([1, -1, 1, -1]))),
    ("MarginRankingLoss(margin=0.1)", (randn(4), randn(4), np.array([1.0, -1, 1, -1]))),
    ("HingeEmbeddingLoss()", (randn(4, 3), rng.choice([-1, 1], (4, 3)))),
    ("TripletMarginLoss(margin=0.5)", (randn(4, 3), randn(4, 3), randn(4, 3))),
    ("MultiLabelSoftMarginLoss()", (randn(4, 3), rng.integers(0, 2, (4, 3)).astype(float))),
    ("SoftMarginLoss()", (randn(4, 3), rng.choice([-1.0, 1.0], (4, 3)))),
    ("MultiMarginLoss(p=2)", (randn(4, 3), classes(3, 4))),
    ("CTCLoss()", None),
    ("TripletMarginWithDistanceLoss(margin=0.5)", (randn(4, 3), randn(4, 3), randn(4, 3))),
]


@pytest.mark.parametrize("src,arrays", MODULES, ids=[m[0] for m in MODULES])
def test_module(src, arrays):
    def make(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval("lib.nn." + src, {"lib": lib})  # noqa: S307 (test table)
    g_mod, t_mod = make(gradstep), make(torch)
    if "Distance" not in src:
        assert repr(g_mod) == repr(t_mod)
    assert list(g_mod.state_dict()) == list(t_mod.state_dict())
    for key in ("weight", "pos_weight"):
        if getattr(t_mod, key, None) is not None:
            assert key in dict(g_mod.named_buffers())
    assert g_mod.reduction == t_mod.reduction
    if arrays is None:
        return
    if src.startswith("SoftMargin"):  # torch: the target takes no gradient
        target = arrays[1]
        arrays = arrays[:1]
        compare(lambda lib, x: (g_mod if lib is gradstep else t_mod)(x, lib.tensor(target)),
                *arrays)
        return
    compare(lambda lib, *ts: (g_mod if lib is gradstep else t_mod)(*ts), *arrays)


def test_cross_entropy_live_graphs_and_no_grad():
    """Large softmax buffers are pooled: two live graphs, one backpropagated twice, and a
    no-grad call in between all give torch's values and gradients."""
    xs = [np.random.default_rng(k).standard_normal((256, 200)).astype(np.float32) * 3
          for k in range(2)]
    t = np.random.default_rng(5).integers(0, 200, 256)
    res = []
    for lib in (gradstep, torch):
        a, b = (lib.tensor(x, requires_grad=True) for x in xs)
        la = F(lib).cross_entropy(a, lib.tensor(t))
        lb = F(lib).cross_entropy(b * 2, lib.tensor(t), label_smoothing=0.1)
        with lib.no_grad():
            lc = F(lib).cross_entropy(a, lib.tensor(t), reduction="none")
        la.backward(retain_graph=True)
        la.backward()
        lb.backward()
        res.append((la.detach(), lb.detach(), lc, a.grad, b.grad))
    assert_same(res[0], res[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_matches_torch(seed, reduction):
    rng = np.random.default_rng(seed)
    n, c = (3, 5) if seed % 3 else (1, 4)
    x = rng.normal(size=(n, c)).round(1)  # ties make margins of exactly 0 (relu's kink)
    t = rng.integers(-1, c, size=(n, c))  # repeats, and entries after a -1 that do not count
    squeeze = seed == 5  # one sample as 1-d input
    outs = []
    for lib in (torch, gradstep):
        xt = lib.tensor(x[0] if squeeze else x, requires_grad=True)
        loss = lib.nn.functional.multilabel_margin_loss(xt, lib.tensor(t[0] if squeeze else t),
                                                        reduction=reduction)
        loss.sum().backward()
        outs.append((loss.detach().numpy(), xt.grad.numpy(), loss.grad_fn.name()))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-12)
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-12)
    assert outs[1][2] == outs[0][2]


def test_gumbel_softmax_shapes_gradients_and_warning():
    x = gradstep.randn(4, 5, requires_grad=True)
    soft = gradstep.nn.functional.gumbel_softmax(x, tau=0.5)
    np.testing.assert_allclose(soft.sum(1).detach().numpy(), 1, rtol=1e-6)
    assert soft.grad_fn.name() == "SoftmaxBackward0"
    hard = gradstep.nn.functional.gumbel_softmax(x, hard=True, dim=0)
    assert sorted(hard.detach().numpy().sum(0).tolist()) == [1.0] * 5  # one-hot per column
    assert hard.grad_fn.name() == "AddBackward0"
    hard[0].sum().backward()  # straight through: the soft sample's gradient
    assert x.grad is not None and np.abs(x.grad.numpy()).sum() > 0
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        gradstep.nn.functional.gumbel_softmax(x, eps=1e-5)
