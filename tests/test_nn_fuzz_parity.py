"""nn against torch where a fuzzer found them apart: integer and mixed dtypes, edge values (nan,
inf, -0.0), empty sizes, and torch's exact errors. Each table entry runs on gradstep and on torch;
the outcome must be the same: equal values, dtypes and gradients, or the same exception type
and message."""
import math
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, make, to_numpy

NAN, INF = float("nan"), float("inf")


def F(lib):
    return lib.nn.functional


def T(lib, values, dtype=None):
    return lib.tensor(values, dtype=getattr(lib, dtype) if dtype else None)


def ones(lib, *shape, dtype="float32"):
    return lib.ones(*shape, dtype=getattr(lib, dtype))


def outcome(fn, lib):
    try:
        return fn(lib), None
    except Exception as err:  # noqa: BLE001 - the point is to compare any exception
        return None, err


def assert_same_outcome(fn, rtol=None, atol=None):
    """``fn(lib)`` returns the same thing in both libraries, or raises the same error."""
    t_out, t_err = outcome(fn, torch)
    g_out, g_err = outcome(fn, gradstep)
    if t_err is not None:
        assert g_err is not None, f"torch raised {t_err!r}, gradstep returned {g_out!r}"
        assert type(g_err) is type(t_err), f"{type(g_err).__name__}: {g_err} vs {t_err!r}"
        assert str(g_err) == str(t_err)
        return
    assert g_err is None, f"gradstep raised {g_err!r}, torch returned {t_out!r}"
    assert_same(g_out, t_out, rtol, atol)


def signs(t):
    """Signs of the zeros too: -0.0 and 0.0 differ."""
    return np.copysign(1.0, to_numpy(t)).tolist()


# ----- values: (id, fn(lib)) compared with assert_same ------------------------------------------

rng = np.random.default_rng(0)
U8 = rng.integers(0, 256, (2, 3, 4, 5)).astype(np.uint8)
X4 = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)

VALUES = [
    # 1: uint8 bilinear resizes the way Pillow does (fixed-point weights), not nearest-like
    ("bilinear_u8_up", lambda L: F(L).interpolate(T(L, [[[[10, 20], [30, 40]]]], "uint8"),
                                                  size=(3, 3), mode="bilinear")),
    ("bilinear_u8_random", lambda L: F(L).interpolate(L.tensor(U8), size=(7, 3),
                                                      mode="bilinear")),
    ("bilinear_u8_down_ac", lambda L: F(L).interpolate(L.tensor(U8), size=(3, 2),
                                                       mode="bilinear", align_corners=True)),
    ("bilinear_u8_scale", lambda L: F(L).interpolate(L.tensor(U8), scale_factor=(1.5, 0.7),
                                                     mode="bilinear")),
    ("bilinear_u8_same_h", lambda L: F(L).interpolate(L.tensor(U8), scale_factor=(1.3, 2.0),
                                                      mode="bilinear")),
    # a dim whose size does not change is left alone by torch, whatever its scale factor
    ("bilinear_same_size_scale", lambda L: F(L).interpolate(L.tensor(X4), scale_factor=(1.3, 2.0),
                                                            mode="bilinear")),
    ("linear_same_size_scale", lambda L: F(L).interpolate(L.tensor(X4[0]), scale_factor=1.2,
                                                          mode="linear")),
    ("nearest1d_same_size_scale", lambda L: F(L).interpolate(L.tensor(X4[0]), scale_factor=1.3)),
    ("nearest2d_same_size_scale", lambda L: F(L).interpolate(L.tensor(X4), scale_factor=1.3)),
    ("nearest1d_double_scale", lambda L: F(L).interpolate(L.tensor(X4[0, :, :3]),
                                                          scale_factor=2.3)),
    ("nearest_u8", lambda L: F(L).interpolate(L.tensor(U8), scale_factor=1.7)),
    ("interp_area_to_0", lambda L: F(L).interpolate(ones(L, 1, 1, 1, 1), scale_factor=0.5,
                                                    mode="area")),
    # 3: nan passes through threshold
    ("threshold_nan", lambda L: F(L).threshold(T(L, [NAN, 1.0, 0.2]), 0.5, -7.0)),
    ("threshold_int", lambda L: F(L).threshold(T(L, [1, 2, 3]), 1.5, 7.5)),
    # 6: the elu family on 0-d tensors
    ("elu_0d", lambda L: F(L).elu(T(L, 1.5))),
    ("selu_0d", lambda L: F(L).selu(T(L, -1.5))),
    ("celu_0d", lambda L: F(L).celu(T(L, -0.5), 2.0)),
    ("ELU_0d", lambda L: L.nn.ELU()(T(L, -2.0))),
    ("hardshrink_0d", lambda L: F(L).hardshrink(T(L, -0.3))),
    # hardtanh on integers: bounds truncated toward zero, as torch casts them
    ("hardtanh_int_fraction", lambda L: F(L).hardtanh(T(L, [0, 1, 5, 7], "int64"), 2.5, 6.5)),
    ("hardtanh_uint8_frac_neg", lambda L: F(L).hardtanh(T(L, [0, 1, 5], "uint8"), -0.5, 6.0)),
    # 8: binary_cross_entropy_with_logits returns the target's dtype
    ("bcel_f64_f32", lambda L: F(L).binary_cross_entropy_with_logits(
        T(L, [0.3, -1.2, 2.0], "float64"), T(L, [0.0, 1.0, 0.5]))),
    ("bcel_f32_f64", lambda L: F(L).binary_cross_entropy_with_logits(
        T(L, [0.3, -1.2, 2.0]), T(L, [0.0, 1.0, 0.5], "float64"), reduction="none")),
    ("bcel_weight_f64", lambda L: F(L).binary_cross_entropy_with_logits(
        T(L, [0.3, -1.2, 2.0]), T(L, [0.0, 1.0, 0.5]), weight=T(L, [1.0, 2.0, 3.0], "float64"),
        reduction="sum")),
    ("bcel_pos_weight_f64", lambda L: F(L).binary_cross_entropy_with_logits(
        T(L, [0.3, -1.2, 2.0], "float64"), T(L, [0.0, 1.0, 0.5]),
        pos_weight=T(L, [1.5, 2.0, 0.5], "float64"))),
    # 10: an index that cannot name a class is fine with probability targets; so is a
    # negative label smoothing (no smoothing)
    ("ce_probs_negative_ignore", lambda L: F(L).cross_entropy(
        L.tensor(X4[0, :, :, 0]), L.tensor(X4[0, :, :, 1]).softmax(1), ignore_index=-1)),
    ("ce_negative_smoothing", lambda L: F(L).cross_entropy(
        L.tensor(X4[0, :, :, 0]), T(L, [0, 2, 1]), label_smoothing=-0.1)),
    ("ce_probs_negative_smoothing", lambda L: F(L).cross_entropy(
        L.tensor(X4[0, :, :, 0]), L.tensor(X4[0, :, :, 1]).softmax(1), label_smoothing=-0.5)),
    # 14: dropout with p = 1 keeps an integer input's dtype
    ("dropout_int_p1", lambda L: F(L).dropout(ones(L, 2, 3, dtype="int64"), 1.0)),
    ("dropout2d_bool_p1", lambda L: F(L).dropout2d(ones(L, 2, 3, 4, dtype="bool"), 1.0)),
    # 16: int64 average pooling truncates toward zero
    ("avg_pool1d_int64", lambda L: F(L).avg_pool1d(T(L, [[[-3, -4, 5, 7, -1, 2]]]), 2)),
    ("avg_pool1d_int64_pad", lambda L: F(L).avg_pool1d(T(L, [[[-3, -4, 5, 7, -1, 2]]]), 4, 1,
                                                       padding=2, count_include_pad=False)),
    ("avg_pool2d_int64_divisor", lambda L: F(L).avg_pool2d(T(L, [[[[-3, -4, 5, 7, -1, 2]]]]),
                                                           (1, 2), divisor_override=-3)),
    ("avg_pool2d_int64", lambda L: F(L).avg_pool2d(
        L.tensor((np.arange(48).reshape(2, 3, 2, 4) % 7) - 3), 2, ceil_mode=True)),
    ("lp_pool1d_int64", lambda L: F(L).lp_pool1d(L.tensor(np.arange(24).reshape(2, 3, 4) % 5),
                                                 2, 2)),
    ("lrn_int64", lambda L: F(L).local_response_norm(
        L.tensor(np.arange(24).reshape(2, 3, 4) % 5), 2)),
    ("max_pool1d_indices_int", lambda L: F(L).max_pool1d(
        L.tensor(np.arange(24).reshape(2, 3, 4) % 5), 2, return_indices=True)),
    # float16 input with float32 parameters: computed, and returned in float16
    ("group_norm_half_float_params", lambda L: F(L).group_norm(
        L.tensor(X4.astype(np.float16)), 3, ones(L, 3), ones(L, 3))),
    ("batch_norm_half_float_params", lambda L: F(L).batch_norm(
        L.tensor(X4.astype(np.float16)), None, None, ones(L, 3), ones(L, 3), training=True)),
    ("instance_norm_mixed_stats", lambda L: F(L).instance_norm(
        L.tensor(X4.astype(np.float64)), L.zeros(3), L.ones(3))),
    # margin_ranking_loss's margin is a float: integer inputs give a float loss
    ("margin_ranking_int", lambda L: F(L).margin_ranking_loss(*[ones(L, 3, dtype="int64")] * 3)),
    ("margin_ranking_int_margin", lambda L: F(L).margin_ranking_loss(
        T(L, [1, 2, 3]), T(L, [3, 2, 1]), T(L, [1, -1, 1]), margin=2, reduction="none")),
    ("hinge_int", lambda L: F(L).hinge_embedding_loss(T(L, [1, 2, 3]), T(L, [1, -1, 0]),
                                                      margin=2, reduction="none")),
    ("hinge_int_sum", lambda L: F(L).hinge_embedding_loss(T(L, [1, 2, 3]), T(L, [1, -1, 0]),
                                                          reduction="sum")),
    ("cosine_similarity_int_float", lambda L: F(L).cosine_similarity(
        ones(L, 2, 3, dtype="int64"), ones(L, 2, 3))),
    ("conv2d_int", lambda L: F(L).conv2d(ones(L, 1, 1, 3, 3, dtype="int64"),
                                         ones(L, 1, 1, 2, 2, dtype="int64"))),
]


# tolerances where the libraries round differently inside: float16 arithmetic, and a float32
# log-sigmoid promoted to a float64 loss (equal to float32 precision, not float64's)
TOLERANCE = {"half": (1e-3, 1e-2), "bcel": (1e-6, 1e-7)}


@pytest.mark.parametrize("name,fn", VALUES, ids=[v[0] for v in VALUES])
def test_values_match_torch(name, fn):
    rtol, atol = next((tol for key, tol in TOLERANCE.items() if key in name), (None, None))
    assert_same_outcome(fn, rtol, atol)


def test_bilinear_uint8_random_sizes_match_torch():
    """Many shapes, sizes and scales (channels <= 4: torch's generic uint8 kernel, used for
    more channels, gives wrong results when the output width is 1)."""
    r = np.random.default_rng(1)
    for _ in range(60):
        x = r.integers(0, 256, (int(r.integers(1, 3)), int(r.integers(1, 5)),
                                int(r.integers(1, 9)), int(r.integers(1, 9)))).astype(np.uint8)
        ac = bool(r.integers(0, 2))
        if r.integers(0, 2):
            kw = dict(size=tuple(int(v) for v in r.integers(1, 12, 2)))
        else:
            kw = dict(scale_factor=tuple(float(v) for v in r.choice([0.5, 0.7, 1.3, 2.0, 2.5], 2)))
            if min(int(math.floor(n * s)) for n, s in zip(x.shape[2:], kw["scale_factor"])) < 1:
                continue
        assert_same_outcome(lambda L: F(L).interpolate(L.tensor(x), mode="bilinear",
                                                       align_corners=ac, **kw))


def test_linear_modes_with_unchanged_dims_and_gradients():
    """Scale factors on dims whose size does not change: values and gradients."""
    for mode, shape, scale in [("linear", (2, 3, 5), 1.1), ("bilinear", (1, 2, 3, 4), (1.2, 2.0)),
                               ("trilinear", (1, 1, 3, 2, 4), (1.3, 1.5, 1.0))]:
        compare(lambda L, x: F(L).interpolate(x, scale_factor=scale, mode=mode),
                rng.standard_normal(shape).astype(np.float32))


# ----- gradients at edge values -----------------------------------------------------------------

EDGE = np.array([-0.0, NAN, INF, -INF, 0.0, 3.0, -3.0, 6.0, -1.0, 1.0], np.float32)

EDGE_ACTIVATIONS = {
    "relu6": lambda L, x: F(L).relu6(x),
    "hardtanh": lambda L, x: F(L).hardtanh(x),
    "hardtanh_upper_0": lambda L, x: F(L).hardtanh(x, -0.5, 0.0),
    "elu": lambda L, x: F(L).elu(x),
    "selu": lambda L, x: F(L).selu(x),
    "celu_2": lambda L, x: F(L).celu(x, 2.0),
    "hardswish": lambda L, x: F(L).hardswish(x),
    "rrelu_eval": lambda L, x: F(L).rrelu(x),
    "softshrink": lambda L, x: F(L).softshrink(x),
    "hardshrink": lambda L, x: F(L).hardshrink(x),
    "threshold": lambda L, x: F(L).threshold(x, 0.0, -2.0),
    "elu_": lambda L, x: F(L).elu(x * 1, inplace=True),
    "selu_": lambda L, x: F(L).selu(x * 1, inplace=True),
    "relu6_": lambda L, x: F(L).relu6(x * 1, inplace=True),
    "hardtanh_": lambda L, x: F(L).hardtanh(x * 1, inplace=True),
    "hardswish_": lambda L, x: F(L).hardswish(x * 1, inplace=True),
    "rrelu_": lambda L, x: F(L).rrelu(x * 1, inplace=True),
}


@pytest.mark.parametrize("name", EDGE_ACTIVATIONS)
def test_edge_values_gradients_and_zero_signs(name):
    """22, 34: nan, +-inf and -0.0: values (with the sign of zero) and gradients as torch's."""
    fn = EDGE_ACTIVATIONS[name]
    results = []
    for lib in (gradstep, torch):
        x = make(lib, EDGE)
        y = fn(lib, x)
        y.backward(lib.full(tuple(EDGE.shape), 2.0))
        results.append((y, signs(y), x.grad))
    (gy, gs, gg), (ty, ts, tg) = results
    assert_same(gy, ty)
    assert gs == ts, f"signs of zero: {gs} vs {ts}"
    assert_same(gg, tg, what="gradient")


def test_kl_div_target_gradient_at_zero_is_nan():
    """23: d/dt of t log t at t = 0 is nan in torch (log t + t / t)."""
    def fn(L, t):
        return F(L).kl_div(T(L, [-1.0, -1.0, 0.5]), t, reduction="sum")
    compare(fn, np.array([0.0, 0.5, 2.0], np.float32))


def test_einsum_float64_edge_gradients():
    compare(lambda L, a, b: L.einsum("ij,jk->ik", a, b), rng.standard_normal((2, 1)),
            rng.standard_normal((3, 4)))


# ----- errors: (id, fn(lib)) that torch refuses -------------------------------------------------

ERRORS = [
    # 9: interpolate's sizes, and what it refuses to resize
    ("interp_size_0", lambda L: F(L).interpolate(ones(L, 1, 1, 4, 5), size=(0, 3))),
    ("interp_scale_neg", lambda L: F(L).interpolate(ones(L, 1, 1, 4, 5), scale_factor=-1.0,
                                                    mode="bilinear")),
    ("interp_scale_half_1x1", lambda L: F(L).interpolate(ones(L, 1, 1, 1, 1), scale_factor=0.5)),
    ("interp_1d_0", lambda L: F(L).interpolate(ones(L, 1, 1, 4), size=0, mode="linear")),
    ("interp_1d_empty_in", lambda L: F(L).interpolate(ones(L, 1, 1, 0), size=3)),
    ("interp_3d_0", lambda L: F(L).interpolate(ones(L, 1, 1, 4, 5, 6), size=(2, 0, 3),
                                               mode="trilinear")),
    ("interp_no_channels", lambda L: F(L).interpolate(ones(L, 1, 0, 4, 5), size=(2, 3),
                                                      mode="bilinear")),
    ("interp_area_neg", lambda L: F(L).interpolate(ones(L, 1, 1, 4, 5), scale_factor=-1.0,
                                                   mode="area")),
    ("interp_int64_nearest2d", lambda L: F(L).interpolate(ones(L, 1, 1, 2, 2, dtype="int64"),
                                                          size=3)),
    ("interp_int32_nearest1d", lambda L: F(L).interpolate(ones(L, 1, 1, 2, dtype="int32"),
                                                          size=3)),
    ("interp_bool_bilinear", lambda L: F(L).interpolate(ones(L, 1, 1, 2, 2, dtype="bool"),
                                                        size=3, mode="bilinear")),
    ("interp_u8_linear", lambda L: F(L).interpolate(ones(L, 1, 1, 2, dtype="uint8"), size=3,
                                                    mode="linear")),
    ("interp_u8_area", lambda L: F(L).interpolate(ones(L, 1, 1, 2, 2, dtype="uint8"), size=3,
                                                  mode="area")),
    # 10, 11, 12: loss argument checks
    ("ce_probs_ignore_index", lambda L: F(L).cross_entropy(ones(L, 2, 3), ones(L, 2, 3) / 3,
                                                           ignore_index=1)),
    ("ce_probs_ignore_index_0", lambda L: F(L).cross_entropy(ones(L, 2, 3), ones(L, 2, 3) / 3,
                                                             ignore_index=0)),
    ("ce_smoothing_above_1", lambda L: F(L).cross_entropy(ones(L, 2, 3), T(L, [0, 1]),
                                                          label_smoothing=1.5)),
    ("bce_target_above_1", lambda L: F(L).binary_cross_entropy(T(L, [0.5, 0.5]),
                                                               T(L, [1.5, 0.0]))),
    ("bce_target_negative", lambda L: F(L).binary_cross_entropy(T(L, [0.5, 0.5]),
                                                                T(L, [-0.5, 0.0]))),
    ("bce_target_nan", lambda L: F(L).binary_cross_entropy(T(L, [0.5, 0.5]), T(L, [NAN, 0.0]))),
    ("bce_input_nan", lambda L: F(L).binary_cross_entropy(T(L, [NAN, 0.5]), T(L, [1.0, 0.0]))),
    ("bce_both_out", lambda L: F(L).binary_cross_entropy(T(L, [1.5, 0.5]), T(L, [1.5, 0.0]))),
    ("bce_int", lambda L: F(L).binary_cross_entropy(T(L, [1, 0]), T(L, [1, 0]))),
    ("bce_bool", lambda L: F(L).binary_cross_entropy(T(L, [True, False]), T(L, [True, False]))),
    ("triplet_margin_negative", lambda L: F(L).triplet_margin_loss(
        ones(L, 3, 4), ones(L, 3, 4), ones(L, 3, 4), margin=-1.0)),
    ("triplet_margin_zero", lambda L: F(L).triplet_margin_loss(
        ones(L, 3, 4), ones(L, 3, 4), ones(L, 3, 4), margin=0)),
    ("triplet_distance_margin", lambda L: F(L).triplet_margin_with_distance_loss(
        ones(L, 3, 4), ones(L, 3, 4), ones(L, 3, 4), margin=-2)),
    # 14: dropout cannot write its float scale into integers
    ("dropout_int64", lambda L: F(L).dropout(ones(L, 2, 3, dtype="int64"), 0.5)),
    ("dropout_int64_inplace", lambda L: F(L).dropout(ones(L, 2, 3, dtype="int64"), 0.5,
                                                     inplace=True)),
    ("dropout1d_bool", lambda L: F(L).dropout1d(ones(L, 2, 3, dtype="bool"), 0.5)),
    ("dropout3d_uint8", lambda L: F(L).dropout3d(ones(L, 1, 2, 3, 4, dtype="uint8"), 0.5)),
    # 15, 21 and the other norms: integer inputs and mixed dtypes
    ("layer_norm_int", lambda L: F(L).layer_norm(ones(L, 2, 3, 4, dtype="int64"), (4,))),
    ("layer_norm_mixed", lambda L: F(L).layer_norm(ones(L, 2, 4, dtype="float64"), (4,),
                                                   ones(L, 4))),
    ("layer_norm_param_f64", lambda L: F(L).layer_norm(ones(L, 2, 4), (4,), ones(L, 4,
                                                                              dtype="float64"))),
    ("layer_norm_bias_differs", lambda L: F(L).layer_norm(ones(L, 2, 4), (4,), ones(L, 4),
                                                          ones(L, 4, dtype="float16"))),
    ("layer_norm_mixed_before_shape", lambda L: F(L).layer_norm(ones(L, 2, 4), (4,), ones(
        L, 5, dtype="float64"))),
    ("layer_norm_int_weight", lambda L: F(L).layer_norm(ones(L, 2, 4), (4,),
                                                        ones(L, 4, dtype="int64"))),
    ("group_norm_int", lambda L: F(L).group_norm(ones(L, 2, 3, 4, dtype="int32"), 1)),
    ("group_norm_mixed", lambda L: F(L).group_norm(ones(L, 2, 3, 4, dtype="float64"), 3,
                                                   ones(L, 3))),
    ("group_norm_half_params_mixed", lambda L: F(L).group_norm(
        ones(L, 2, 3, 4, dtype="float16"), 3, ones(L, 3), ones(L, 3, dtype="float16"))),
    ("batch_norm_bool", lambda L: F(L).batch_norm(ones(L, 2, 3, dtype="bool"), L.zeros(3),
                                                  L.ones(3))),
    ("batch_norm_int_training", lambda L: F(L).batch_norm(ones(L, 2, 3, dtype="int64"), None,
                                                          None, training=True)),
    ("batch_norm_stats_f32_input_f64", lambda L: F(L).batch_norm(
        ones(L, 2, 3, dtype="float64"), L.zeros(3), L.ones(3))),
    ("batch_norm_stats_differ", lambda L: F(L).batch_norm(
        ones(L, 2, 3), L.zeros(3, dtype=L.float64), L.ones(3), ones(L, 3), ones(L, 3))),
    ("rms_norm_int", lambda L: F(L).rms_norm(ones(L, 2, 4, dtype="int64"), (4,))),
    ("instance_norm_uint8", lambda L: F(L).instance_norm(ones(L, 2, 3, 4, dtype="uint8"))),
    ("instance_norm_mixed_weight", lambda L: F(L).instance_norm(
        ones(L, 2, 3, 4, dtype="float64"), weight=ones(L, 3), bias=ones(L, 3))),
    ("cosine_similarity_int", lambda L: F(L).cosine_similarity(ones(L, 2, 3, dtype="int64"),
                                                               ones(L, 2, 3, dtype="int32"))),
    ("cosine_similarity_bool", lambda L: F(L).cosine_similarity(ones(L, 2, 3, dtype="bool"),
                                                                ones(L, 2, 3, dtype="bool"))),
    ("pdist_int", lambda L: F(L).pdist(ones(L, 3, 2, dtype="int64"))),
    ("lrn_int32", lambda L: F(L).local_response_norm(ones(L, 2, 3, 4, dtype="int32"), 2)),
    ("lrn_4d_uint8", lambda L: F(L).local_response_norm(ones(L, 2, 3, 4, 4, dtype="uint8"), 2)),
    # 16, 17: pooling dtypes
    ("avg_pool2d_int32", lambda L: F(L).avg_pool2d(ones(L, 1, 1, 2, 2, dtype="int32"), 2)),
    ("avg_pool1d_bool", lambda L: F(L).avg_pool1d(ones(L, 1, 1, 4, dtype="bool"), 2)),
    ("lp_pool2d_int32", lambda L: F(L).lp_pool2d(ones(L, 1, 1, 2, 2, dtype="int32"), 2, 2)),
    ("max_pool1d_int", lambda L: F(L).max_pool1d(ones(L, 1, 1, 4, dtype="int64"), 2)),
    ("max_pool1d_bool", lambda L: F(L).max_pool1d(ones(L, 1, 1, 4, dtype="bool"), 2)),
    ("max_pool1d_indices_bool", lambda L: F(L).max_pool1d(ones(L, 1, 1, 4, dtype="bool"), 2,
                                                          return_indices=True)),
    ("max_pool2d_bool", lambda L: F(L).max_pool2d(ones(L, 1, 1, 4, 4, dtype="bool"), 2)),
    ("adaptive_max_pool2d_bool", lambda L: F(L).adaptive_max_pool2d(
        ones(L, 1, 2, 4, 4, dtype="bool"), 2)),
    ("adaptive_max_pool1d_int", lambda L: F(L).adaptive_max_pool1d(
        ones(L, 1, 2, 4, dtype="int64"), 2)),
    ("adaptive_avg_pool2d_int", lambda L: F(L).adaptive_avg_pool2d(
        ones(L, 1, 2, 4, 4, dtype="int64"), 2)),
    ("adaptive_avg_pool2d_int_to_1", lambda L: F(L).adaptive_avg_pool2d(
        ones(L, 1, 2, 4, 4, dtype="int64"), 1)),
    ("adaptive_avg_pool1d_uint8", lambda L: F(L).adaptive_avg_pool1d(
        ones(L, 1, 2, 4, dtype="uint8"), 2)),
    ("adaptive_avg_pool2d_empty", lambda L: F(L).adaptive_avg_pool2d(ones(L, 1, 1, 1, 0), 2)),
    ("adaptive_avg_pool2d_negative", lambda L: F(L).adaptive_avg_pool2d(ones(L, 1, 2, 2),
                                                                        (-1, 2))),
    ("adaptive_max_pool2d_no_channels", lambda L: F(L).adaptive_max_pool2d(ones(L, 1, 0, 2, 2),
                                                                           2)),
    ("adaptive_max_pool2d_negative", lambda L: F(L).adaptive_max_pool2d(ones(L, 1, 2, 2),
                                                                        (-1, 2))),
    ("adaptive_max_pool1d_empty", lambda L: F(L).adaptive_max_pool1d(ones(L, 1, 1, 0), 2)),
    ("max_unpool1d_int", lambda L: F(L).max_unpool1d(ones(L, 1, 1, 2, dtype="int64"),
                                                     L.zeros(1, 1, 2, dtype=L.int64), 2)),
    # 18, 20 and the other losses on integers and bools
    ("margin_ranking_shapes", lambda L: F(L).margin_ranking_loss(ones(L, 6), ones(L, 3),
                                                                 ones(L, 6))),
    ("margin_ranking_target_shape", lambda L: F(L).margin_ranking_loss(ones(L, 6), ones(L, 6),
                                                                       ones(L, 3))),
    ("margin_ranking_bool", lambda L: F(L).margin_ranking_loss(*[ones(L, 3, dtype="bool")] * 3)),
    ("nll_bool", lambda L: F(L).nll_loss(T(L, [[True, False]]), T(L, [0]))),
    ("nll_uint8", lambda L: F(L).nll_loss(ones(L, 3, 3, dtype="uint8"), T(L, [0, 2, 1]))),
    ("nll_int_bad_target", lambda L: F(L).nll_loss(ones(L, 3, 3, dtype="int64"),
                                                   T(L, [0, 2, 7]))),
    ("nll_int_spatial", lambda L: F(L).nll_loss(ones(L, 1, 3, 2, dtype="int32"),
                                                L.zeros(1, 2, dtype=L.int64))),
    ("soft_margin_bool", lambda L: F(L).soft_margin_loss(ones(L, 3, dtype="bool"),
                                                         ones(L, 3, dtype="bool"))),
    ("soft_margin_int", lambda L: F(L).soft_margin_loss(ones(L, 3, dtype="int64"),
                                                        ones(L, 3, dtype="bool"))),
    ("hinge_int_mean", lambda L: F(L).hinge_embedding_loss(ones(L, 3, dtype="int64"),
                                                           ones(L, 3, dtype="int64"))),
    ("hinge_bool", lambda L: F(L).hinge_embedding_loss(ones(L, 3, dtype="bool"), ones(L, 3))),
    ("multi_margin_int", lambda L: F(L).multi_margin_loss(ones(L, 2, 3, dtype="int64"),
                                                          T(L, [0, 1]))),
    ("multi_margin_half", lambda L: F(L).multi_margin_loss(ones(L, 2, 3, dtype="float16"),
                                                           T(L, [0, 1]))),
    # prelu, linear, conv, bilinear on bool or mixed
    ("prelu_int", lambda L: F(L).prelu(ones(L, 3, dtype="int64"), ones(L, 1, dtype="int64"))),
    ("prelu_mixed", lambda L: F(L).prelu(ones(L, 3), ones(L, 1, dtype="float64"))),
    ("prelu_mixed_before_shape", lambda L: F(L).prelu(ones(L, 3, 2, dtype="int64"), ones(L, 3))),
    ("linear_bool", lambda L: F(L).linear(ones(L, 2, 2, dtype="bool"), ones(L, 2, 2,
                                                                           dtype="bool"))),
    ("linear_bool_bias", lambda L: F(L).linear(ones(L, 2, 2, dtype="bool"), ones(
        L, 3, 2, dtype="bool"), ones(L, 3, dtype="bool"))),
    ("conv1d_bool", lambda L: F(L).conv1d(ones(L, 1, 2, 4, dtype="bool"),
                                          ones(L, 2, 2, 1, dtype="bool"))),
    ("conv2d_bool", lambda L: F(L).conv2d(ones(L, 1, 2, 4, 4, dtype="bool"),
                                          ones(L, 2, 2, 1, 1, dtype="bool"))),
    ("conv3d_bool", lambda L: F(L).conv3d(ones(L, 1, 2, 4, 4, 4, dtype="bool"),
                                          ones(L, 2, 2, 1, 1, 1, dtype="bool"))),
    ("conv_transpose2d_bool", lambda L: F(L).conv_transpose2d(
        ones(L, 1, 2, 4, 4, dtype="bool"), ones(L, 2, 2, 1, 1, dtype="bool"))),
    ("bilinear_bool", lambda L: F(L).bilinear(ones(L, 2, 4, dtype="bool"),
                                              ones(L, 2, 4, dtype="bool"),
                                              ones(L, 2, 4, 4, dtype="bool"))),
    # activations
    ("hardtanh_uint8_negative", lambda L: F(L).hardtanh(ones(L, 3, dtype="uint8"), -1, 5)),
    # 28, 30, 31, 32: messages
    ("pad_reflect_both_dims", lambda L: F(L).pad(ones(L, 1, 2, 3, 4), (5, 5, 5, 5),
                                                 mode="reflect")),
    ("pad_reflect_3d_all", lambda L: F(L).pad(ones(L, 1, 2, 3, 4, 5), (9,) * 6,
                                              mode="reflect")),
    ("batchnorm2d_channels", lambda L: L.nn.BatchNorm2d(4)(ones(L, 2, 3, 2, 2))),
    ("batch_norm_sizes_order", lambda L: F(L).batch_norm(ones(L, 2, 3, 4), L.ones(3),
                                                         L.ones(4), L.ones(5))),
    ("hardtanh_module_bounds", lambda L: L.nn.Hardtanh(2.0, -2.0)),
    ("hardtanh_module_equal", lambda L: L.nn.Hardtanh(1, 1)),
    ("batch_norm_momentum_none", lambda L: F(L).batch_norm(ones(L, 2, 3), L.zeros(3), L.ones(3),
                                                           momentum=None)),
    ("batch_norm_momentum_none_training", lambda L: F(L).batch_norm(
        ones(L, 2, 3), L.zeros(3), L.ones(3), training=True, momentum=None)),
    ("batch_norm_momentum_str", lambda L: F(L).batch_norm(ones(L, 2, 3), L.zeros(3), L.ones(3),
                                                          momentum="a")),
    ("batch_norm_momentum_before_stats", lambda L: F(L).batch_norm(ones(L, 2, 3), None,
                                                                   L.ones(3), momentum=None)),
    ("instance_norm_momentum_none", lambda L: F(L).instance_norm(ones(L, 2, 3, 4),
                                                                 momentum=None)),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, fn):
    t_out, t_err = outcome(fn, torch)
    assert t_err is not None, f"torch accepted {name}: the case tests nothing"
    assert_same_outcome(fn)


@pytest.mark.parametrize("momentum", [1, True, 0.5])
def test_batch_norm_accepts_numbers_as_momentum(momentum):
    assert_same_outcome(lambda L: F(L).batch_norm(ones(L, 2, 3), L.zeros(3), L.ones(3),
                                                  training=True, momentum=momentum))


def test_float16_norms_with_float32_parameters_keep_float16_gradients():
    x = X4.astype(np.float16)
    for fn in (lambda L, x, w: F(L).batch_norm(x, None, None, w, w, training=True),
               lambda L, x, w: F(L).group_norm(x, 3, w, w)):
        grads = []
        for lib in (gradstep, torch):
            xt, wt = make(lib, x), make(lib, np.ones(3, np.float32))
            y = fn(lib, xt, wt)
            y.float().sum().backward()
            grads.append((y.dtype, xt.grad.dtype, wt.grad.dtype))
        assert [str(d) for d in grads[0]] == [str(d) for d in grads[1]]


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16"])
@pytest.mark.parametrize("p", [0.5, 1.0])
@pytest.mark.parametrize("fn", ["alpha_dropout", "feature_alpha_dropout"])
def test_alpha_dropout_integer_inputs(fn, p, dtype):
    """p = 1 keeps the input's dtype; otherwise integers and bool are refused, as torch."""
    def run(L):
        out = getattr(F(L), fn)(ones(L, 2, 3, dtype=dtype), p, training=True)
        return out if p == 1 or dtype != "float16" else str(out.dtype)
    assert_same_outcome(run)


def test_no_warning_from_fixed_paths():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F(gradstep).interpolate(gradstep.tensor(U8), size=(5, 9), mode="bilinear")
        F(gradstep).elu(gradstep.tensor(EDGE))
        F(gradstep).hardswish(gradstep.tensor(EDGE))


def test_error_messages_are_exact_for_the_report_cases():
    """The fuzzer's own repros, verbatim."""
    cases = [
        lambda L: F(L).interpolate(ones(L, 1, 1, 4, 5), size=(0, 3)),
        lambda L: F(L).cross_entropy(ones(L, 2, 3), ones(L, 2, 3) / 3, ignore_index=1),
        lambda L: F(L).binary_cross_entropy(T(L, [0.5, 0.5]), T(L, [1.5, 0.0])),
        lambda L: F(L).triplet_margin_loss(ones(L, 3, 4), ones(L, 3, 4), ones(L, 3, 4),
                                           margin=-1.0),
    ]
    for fn in cases:
        with pytest.raises(Exception) as t_err:
            fn(torch)
        with pytest.raises(type(t_err.value), match=re.escape(str(t_err.value))):
            fn(gradstep)


# ----- 35: names torch has -----------------------------------------------------------------------

@pytest.mark.parametrize("shape,groups", [((1, 4, 2), 2), ((2, 6, 2, 3), 3), ((2, 6, 1), 6),
                                          ((1, 4, 2), 1)])
def test_channel_shuffle(shape, groups):
    x = rng.standard_normal(shape).astype(np.float32)
    compare(lambda L, t: L.nn.ChannelShuffle(groups)(t), x)
    compare(lambda L, t: F(L).channel_shuffle(t, groups), x)
    t = F(gradstep).channel_shuffle(make(gradstep, x), groups)
    assert t.grad_fn.name() == "ChannelShuffleBackward0"
    assert repr(gradstep.nn.ChannelShuffle(groups)) == repr(torch.nn.ChannelShuffle(groups))


@pytest.mark.parametrize("shape,groups", [((4,), 2), ((1, 4), 2), ((1, 4, 2), 0),
                                          ((1, 4, 2), -1), ((1, 4, 2), 3)])
def test_channel_shuffle_errors(shape, groups):
    assert_same_outcome(lambda L: L.nn.ChannelShuffle(groups)(L.ones(shape)))
