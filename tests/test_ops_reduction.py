"""Reductions, softmax family, sort/topk: every case compared with torch, forward and backward."""
import pickle
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from tests._compare import assert_same, compare, gradcheck_fd

R = np.random.default_rng(0)
INF, NAN = np.inf, np.nan


def rand(*shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


def distinct(*shape, dtype=np.float32):
    """Values without ties (a permutation of a spread grid), so chosen indices are unambiguous."""
    n = int(np.prod(shape))
    return (R.permutation(n).reshape(shape) * 0.37 - n * 0.1).astype(dtype)


def f32(*values):
    return np.array(values, dtype=np.float32)


A = rand(3, 4)
B = rand(2, 3, 4)
D = distinct(3, 5)
D3 = distinct(2, 3, 4)
TIES = f32([1, 3, 3, 0], [2, 2, 0, 2], [5, 5, 5, 5])
NANS = f32([1, NAN, 3, NAN], [0, 2, 1, -1], [NAN, 1, 1, 1])
ZEROS = f32([2, 0, 3, 4], [0, 1, 0, 2], [1, 2, 3, 4])
SCALAR = np.array(1.5, dtype=np.float32)
EMPTY = np.zeros((0, 3), np.float32)
INTS = np.array([[3, -1, 2], [0, 5, 5]], dtype=np.int64)
BOOLS = np.array([[True, False, True], [False, False, True]])
EXTREME = f32([1e4, -1e4, 0], [-1e4, -1e4, -1e4], [1e4, 1e4, 3])
INFS = f32([INF, 1, 2], [-INF, -INF, -INF], [INF, -INF, 0], [INF, INF, 1])

# (id, fn(lib, *tensors), inputs, compare() options)
CASES = [
    # sum / nansum / mean
    ("sum", lambda L, x: L.sum(x), [A], {}),
    ("sum_dim", lambda L, x: L.sum(x, 1), [A], {}),
    ("sum_neg_dim_keepdim", lambda L, x: x.sum(-1, keepdim=True), [B], {}),
    ("sum_tuple", lambda L, x: L.sum(x, (0, 2)), [B], {}),
    ("sum_list_neg", lambda L, x: L.sum(x, [-1, 0], True), [B], {}),
    ("sum_empty_tuple", lambda L, x: L.sum(x, ()), [A], {}),
    ("sum_none_keepdim", lambda L, x: x.sum(dim=None, keepdim=True), [A], {}),
    ("sum_0d_dim0", lambda L, x: L.sum(x, 0), [SCALAR], {}),
    ("sum_0d_dim_neg1_keepdim", lambda L, x: x.sum(-1, keepdim=True), [SCALAR], {}),
    ("sum_empty", lambda L, x: L.sum(x), [EMPTY], {}),
    ("sum_empty_dim", lambda L, x: L.sum(x, 0), [EMPTY], {}),
    ("sum_int", lambda L, x: L.sum(x, 1), [INTS], {}),
    ("sum_int8", lambda L, x: L.sum(x), [np.array([100, 100], np.int8)], {}),
    ("sum_bool", lambda L, x: L.sum(x), [BOOLS], {}),
    ("sum_dtype_f64", lambda L, x: L.sum(x, 1, dtype=L.float64), [A], {}),
    ("sum_dtype_int_from_float", lambda L, x: L.sum(x, dtype=L.int64),
     [f32(1.5, 2.5, -1.7)], {"requires_grad": False}),
    ("nansum", lambda L, x: L.nansum(x), [NANS], {}),
    ("nansum_dim", lambda L, x: L.nansum(x, 1, keepdim=True), [NANS], {}),
    ("nansum_int", lambda L, x: L.nansum(x), [np.array([1, 2], np.int8)], {}),
    ("nanmean_dim", lambda L, x: L.nanmean(x, 1), [NANS], {}),
    ("mean", lambda L, x: L.mean(x), [A], {}),
    ("mean_dim", lambda L, x: x.mean(0), [A], {}),
    ("mean_tuple_keepdim", lambda L, x: L.mean(x, (-1, 1), keepdim=True), [B], {}),
    ("mean_empty", lambda L, x: L.mean(x), [EMPTY], {}),
    ("mean_empty_dim", lambda L, x: L.mean(x, 0), [EMPTY], {}),
    ("mean_int_dtype", lambda L, x: L.mean(x, dtype=L.float64), [INTS], {}),
    ("mean_f64", lambda L, x: L.mean(x, 1), [A.astype(np.float64)], {}),
    ("mean_0d", lambda L, x: L.mean(x, 0), [SCALAR], {}),
    # prod
    ("prod", lambda L, x: L.prod(x), [A], {}),
    ("prod_dim", lambda L, x: L.prod(x, 1), [A], {}),
    ("prod_dim_keepdim", lambda L, x: x.prod(0, keepdim=True), [A], {}),
    ("prod_zeros_dim", lambda L, x: L.prod(x, 1), [ZEROS], {}),
    ("prod_zeros_dim0", lambda L, x: L.prod(x, 0), [ZEROS], {}),
    ("prod_one_zero", lambda L, x: L.prod(x), [f32(2, 0, 3)], {}),
    ("prod_two_zeros", lambda L, x: L.prod(x), [f32(2, 0, 0)], {}),
    ("prod_int32", lambda L, x: L.prod(x), [np.array([3, 4], np.int32)], {}),
    ("prod_bool", lambda L, x: L.prod(x, 1), [BOOLS], {}),
    ("prod_dtype", lambda L, x: L.prod(x, 0, dtype=L.float64), [INTS], {}),
    ("prod_empty", lambda L, x: L.prod(x), [EMPTY], {}),
    # max / min / amax / amin
    ("max", lambda L, x: L.max(x), [A], {}),
    ("max_ties", lambda L, x: L.max(x), [TIES], {}),
    ("min_ties", lambda L, x: x.min(), [TIES], {}),
    ("max_nan", lambda L, x: L.max(x), [NANS], {}),
    ("min_nan", lambda L, x: L.min(x), [NANS], {}),
    ("max_dim", lambda L, x: tuple(L.max(x, 1)), [D], {}),
    ("max_dim_ties", lambda L, x: tuple(L.max(x, 1)), [TIES], {}),
    ("min_dim_ties_keepdim", lambda L, x: tuple(L.min(x, 1, True)), [TIES], {}),
    ("max_dim_kw", lambda L, x: tuple(x.max(dim=0, keepdim=True)), [D], {}),
    ("max_dim_nan", lambda L, x: tuple(L.max(x, -1)), [NANS], {}),
    ("min_dim_nan", lambda L, x: tuple(L.min(x, 1)), [NANS], {}),
    ("max_0d_dim", lambda L, x: tuple(L.max(x, 0)), [SCALAR], {}),
    ("max_0d_dim_keepdim", lambda L, x: tuple(L.min(x, -1, True)), [SCALAR], {}),
    ("max_empty_dim1", lambda L, x: tuple(L.max(x, 1)), [EMPTY], {}),
    ("max_int_dim", lambda L, x: tuple(L.max(x, 1)), [INTS], {}),
    ("max_bool", lambda L, x: L.max(x), [BOOLS], {}),
    ("max_binary", lambda L, x, y: L.max(x, y), [A, rand(4)], {}),
    ("amax", lambda L, x: L.amax(x), [TIES], {}),
    ("amax_dim_ties", lambda L, x: L.amax(x, 1), [TIES], {}),
    ("amax_tuple", lambda L, x: x.amax((0, 2), keepdim=True), [B], {}),
    ("amin_dim_ties", lambda L, x: L.amin(x, 0), [TIES], {}),
    ("amax_nan", lambda L, x: L.amax(x, 1), [NANS], {}),
    ("amax_int", lambda L, x: L.amax(x, 1), [INTS], {}),
    ("amax_empty_dim1", lambda L, x: L.amax(x, 1), [EMPTY], {}),
    ("aminmax", lambda L, x: tuple(L.aminmax(x)), [TIES], {}),
    ("aminmax_dim", lambda L, x: tuple(L.aminmax(x, dim=1, keepdim=True)), [D], {}),
    ("argmax", lambda L, x: L.argmax(x), [TIES], {}),
    ("argmax_dim", lambda L, x: L.argmax(x, 1), [TIES], {}),
    ("argmin_dim_keepdim", lambda L, x: x.argmin(0, keepdim=True), [TIES], {}),
    ("argmax_keepdim_nodim", lambda L, x: L.argmax(x, keepdim=True), [A], {}),
    ("argmax_nan", lambda L, x: L.argmax(x, 1), [NANS], {}),
    ("argmin_nan", lambda L, x: L.argmin(x), [NANS], {}),
    ("argmax_int", lambda L, x: L.argmax(x, 1), [INTS], {}),
    ("argmax_0d", lambda L, x: L.argmax(x, 0, keepdim=True), [SCALAR], {}),
    ("argmax_empty_dim1", lambda L, x: L.argmax(x, 1), [EMPTY], {}),
    ("count_nonzero", lambda L, x: L.count_nonzero(x), [ZEROS], {}),
    ("count_nonzero_dim", lambda L, x: L.count_nonzero(x, 1), [ZEROS], {}),
    ("count_nonzero_tuple", lambda L, x: x.count_nonzero((0, 1)), [ZEROS], {}),
    ("count_nonzero_bool", lambda L, x: L.count_nonzero(x, 0), [BOOLS], {}),
    # var / std
    ("var", lambda L, x: L.var(x), [A], {}),
    ("var_dim", lambda L, x: L.var(x, 1), [A], {}),
    ("var_unbiased_positional", lambda L, x: L.var(x, False), [A], {}),
    ("var_dim_unbiased_keepdim", lambda L, x: x.var(1, False, True), [A], {}),
    ("var_correction", lambda L, x: L.var(x, (0, 2), correction=0), [B], {}),
    ("var_correction2", lambda L, x: L.var(x, dim=1, correction=2, keepdim=True), [A], {}),
    ("std", lambda L, x: L.std(x), [A], {}),
    ("std_dim", lambda L, x: x.std(0), [A], {}),
    ("std_constant", lambda L, x: L.std(x, 1), [f32([2, 2, 2], [1, 2, 3])], {}),
    ("std_unbiased_false", lambda L, x: L.std(x, 1, unbiased=False), [A], {}),
    ("var_mean", lambda L, x: L.var_mean(x, 1), [A], {}),
    ("std_mean", lambda L, x: L.std_mean(x, 0, True, True), [A], {}),
    ("std_mean_all", lambda L, x: L.std_mean(x, unbiased=False), [A], {}),
    # norms
    ("norm", lambda L, x: L.norm(x), [A], {}),
    ("norm_p1_dim", lambda L, x: L.norm(x, 1, 1), [ZEROS], {}),
    ("norm_inf", lambda L, x: L.norm(x, float("inf")), [f32(1, -3, 3, 2)], {}),
    ("norm_fro_dim", lambda L, x: x.norm("fro", 1, keepdim=True), [A], {}),
    ("norm_p3", lambda L, x: L.norm(x, 3, 0), [A], {}),
    ("norm_zero", lambda L, x: L.norm(x), [np.zeros(3, np.float32)], {}),
    ("norm_3d", lambda L, x: L.norm(x), [B], {}),
    ("norm_dtype", lambda L, x: L.norm(x, dtype=L.float64), [A], {}),
    ("vnorm", lambda L, x: L.linalg.vector_norm(x), [A], {}),
    ("vnorm_dim", lambda L, x: L.linalg.vector_norm(x, 2, 1, True), [ZEROS], {}),
    ("vnorm_1", lambda L, x: L.linalg.vector_norm(x, 1), [ZEROS], {}),
    ("vnorm_inf_ties", lambda L, x: L.linalg.vector_norm(x, float("inf"), 1),
     [f32([1, -3, 3, 2], [0, 1, -1, 0])], {}),
    ("vnorm_neg_inf", lambda L, x: L.linalg.vector_norm(x, -float("inf")), [f32(1, -1, 3)], {}),
    ("vnorm_0", lambda L, x: L.linalg.vector_norm(x, 0, 1), [ZEROS], {"backward": False}),
    ("vnorm_half", lambda L, x: L.linalg.vector_norm(x, 0.5, 1), [ZEROS], {}),
    ("vnorm_neg1", lambda L, x: L.linalg.vector_norm(x, -1, 1), [ZEROS], {}),
    ("vnorm_p3_zero", lambda L, x: L.linalg.vector_norm(x, 3), [np.zeros(2, np.float32)], {}),
    ("vnorm_empty", lambda L, x: L.linalg.vector_norm(x), [EMPTY], {}),
    ("vnorm_0d", lambda L, x: L.linalg.vector_norm(x, 2, 0), [SCALAR], {}),
    ("vnorm_keepdim_all", lambda L, x: L.linalg.vector_norm(x, keepdim=True), [A], {}),
    ("vnorm_dtype", lambda L, x: L.linalg.vector_norm(x, dtype=L.float64), [A], {}),
    ("linalg_norm", lambda L, x: L.linalg.norm(x), [B], {}),
    ("linalg_norm_dim", lambda L, x: L.linalg.norm(x, dim=1), [A], {}),
    ("linalg_norm_dim_tuple", lambda L, x: L.linalg.norm(x, dim=(0, 2)), [B], {}),
    ("linalg_norm_ord_1d", lambda L, x: L.linalg.norm(x, float("inf")), [f32(3, -4)], {}),
    ("linalg_norm_ord1_2d", lambda L, x: L.linalg.norm(x, 1), [D], {}),
    ("matrix_norm_fro", lambda L, x: L.linalg.matrix_norm(x), [B], {}),
    ("matrix_norm_1", lambda L, x: L.linalg.matrix_norm(x, 1), [D3], {}),
    ("matrix_norm_neg1_keepdim", lambda L, x: L.linalg.matrix_norm(x, -1, keepdim=True), [D3], {}),
    ("matrix_norm_inf", lambda L, x: L.linalg.matrix_norm(x, float("inf")), [D3], {}),
    ("matrix_norm_neg_inf_dim", lambda L, x: L.linalg.matrix_norm(x, -float("inf"), (0, 2)),
     [D3], {}),
    # logsumexp, softmax, log_softmax
    ("logsumexp", lambda L, x: L.logsumexp(x, 1), [A], {}),
    ("logsumexp_tuple_keepdim", lambda L, x: x.logsumexp((0, 2), True), [B], {}),
    ("logsumexp_extreme", lambda L, x: L.logsumexp(x, 1), [EXTREME], {}),
    ("logsumexp_infs", lambda L, x: L.logsumexp(x, 1), [INFS], {}),
    ("logsumexp_empty", lambda L, x: L.logsumexp(x, 0), [EMPTY], {}),
    ("logsumexp_0d", lambda L, x: L.logsumexp(x, 0), [SCALAR], {}),
    ("logsumexp_int", lambda L, x: L.logsumexp(x, 1), [INTS], {}),
    ("softmax", lambda L, x: L.softmax(x, 1), [A], {}),
    ("softmax_dim0", lambda L, x: x.softmax(0), [B], {}),
    ("softmax_extreme", lambda L, x: L.softmax(x, -1), [EXTREME], {}),
    ("softmax_infs", lambda L, x: L.softmax(x, 1), [INFS], {}),
    ("softmax_neg_inf_entry", lambda L, x: L.softmax(x, 0), [f32(-INF, 1, 2)], {}),
    ("softmax_dtype", lambda L, x: L.softmax(x, 1, dtype=L.float64), [A], {}),
    ("softmax_int_dtype", lambda L, x: L.softmax(x, 1, L.float32), [INTS], {}),
    ("softmax_0d", lambda L, x: L.softmax(x, 0), [SCALAR], {}),
    ("softmax_empty", lambda L, x: L.softmax(x, 1), [EMPTY], {}),
    ("log_softmax", lambda L, x: L.log_softmax(x, 1), [A], {}),
    ("log_softmax_dim0", lambda L, x: x.log_softmax(0), [B], {}),
    ("log_softmax_extreme", lambda L, x: L.log_softmax(x, 1), [EXTREME], {}),
    ("log_softmax_infs", lambda L, x: L.log_softmax(x, 1), [INFS], {}),
    ("log_softmax_neg_inf_entry", lambda L, x: L.log_softmax(x, 0), [f32(-INF, 1, 2)], {}),
    ("log_softmax_dtype", lambda L, x: L.log_softmax(x, 0, dtype=L.float64), [A], {}),
    ("log_softmax_0d", lambda L, x: L.log_softmax(x, -1), [SCALAR], {}),
    # cumulative
    ("cumsum", lambda L, x: L.cumsum(x, 1), [A], {}),
    ("cumsum_dim0", lambda L, x: x.cumsum(0), [B], {}),
    ("cumsum_int32", lambda L, x: L.cumsum(x, 0), [np.array([1, 2], np.int32)], {}),
    ("cumsum_bool", lambda L, x: L.cumsum(x, 1), [BOOLS], {}),
    ("cumsum_dtype", lambda L, x: L.cumsum(x, 1, dtype=L.float64), [INTS], {}),
    ("cumsum_0d", lambda L, x: L.cumsum(x, 0), [SCALAR], {}),
    ("cumsum_empty", lambda L, x: L.cumsum(x, 0), [EMPTY], {}),
    ("cumprod", lambda L, x: L.cumprod(x, 1), [A], {}),
    ("cumprod_zeros", lambda L, x: L.cumprod(x, 1), [ZEROS], {}),
    ("cumprod_zeros_dim0", lambda L, x: x.cumprod(0), [ZEROS.T.copy()], {}),
    ("cumprod_many_zeros", lambda L, x: L.cumprod(x, 0), [f32(2, 0, 3, 0, 4)], {}),
    ("cumprod_bool", lambda L, x: L.cumprod(x, 1), [BOOLS], {}),
    ("cumprod_uint8", lambda L, x: L.cumprod(x, 0), [np.array([3, 200], np.uint8)], {}),
    ("cumprod_0d", lambda L, x: L.cumprod(x, -1), [SCALAR], {}),
    # sort, argsort, topk, kthvalue
    ("sort", lambda L, x: tuple(L.sort(x)), [D], {}),
    ("sort_dim0_desc", lambda L, x: tuple(L.sort(x, 0, True)), [D], {}),
    ("sort_ties", lambda L, x: tuple(x.sort(1)), [TIES], {}),
    ("sort_ties_desc", lambda L, x: tuple(L.sort(x, 1, descending=True)), [TIES], {}),
    ("sort_stable_long_ties", lambda L, x: tuple(L.sort(x, stable=True, descending=True)),
     [f32(*([1, 0, 1, 0, 1] * 5))], {}),
    ("sort_nan", lambda L, x: tuple(L.sort(x, 1)), [NANS], {}),
    ("sort_nan_desc", lambda L, x: tuple(L.sort(x, 1, True)), [NANS], {}),
    ("sort_int", lambda L, x: tuple(L.sort(x, 0, True)), [INTS], {}),
    ("sort_bool", lambda L, x: tuple(L.sort(x, 1)), [BOOLS], {}),
    ("sort_0d", lambda L, x: tuple(L.sort(x, 0)), [SCALAR], {}),
    ("sort_empty", lambda L, x: tuple(L.sort(x, 0)), [EMPTY], {}),
    ("argsort", lambda L, x: L.argsort(x), [D], {}),
    ("argsort_desc_dim0", lambda L, x: x.argsort(0, descending=True), [TIES], {}),
    ("argsort_stable", lambda L, x: L.argsort(x, stable=True), [f32(*([2, 1] * 12))], {}),
    ("msort", lambda L, x: L.msort(x), [D], {}),
    ("topk", lambda L, x: tuple(L.topk(x, 2)), [D], {}),
    ("topk_smallest_dim0", lambda L, x: tuple(x.topk(2, 0, largest=False)), [D], {}),
    ("topk_all", lambda L, x: tuple(L.topk(x, 5, 1)), [D], {}),
    ("topk_k0", lambda L, x: tuple(L.topk(x, 0)), [D], {}),
    ("topk_nan", lambda L, x: tuple(L.topk(x, 2)), [f32(1, NAN, 3)], {}),
    ("topk_0d", lambda L, x: tuple(L.topk(x, 1)), [SCALAR], {}),
    ("topk_int", lambda L, x: tuple(L.topk(x, 1)), [INTS], {}),
    ("kthvalue", lambda L, x: tuple(L.kthvalue(x, 2)), [D], {}),
    ("kthvalue_dim0_keepdim", lambda L, x: tuple(x.kthvalue(3, 0, True)), [D], {}),
    ("kthvalue_0d", lambda L, x: tuple(L.kthvalue(x, 1)), [SCALAR], {}),
    # median, mode
    ("median", lambda L, x: L.median(x), [D], {}),
    ("median_even", lambda L, x: L.median(x), [f32(4, 1, 2, 3)], {}),
    ("median_ties", lambda L, x: L.median(x), [f32(1, 2, 2, 2, 3)], {}),
    ("median_nan", lambda L, x: L.median(x), [f32(NAN, 1, NAN)], {}),
    ("median_int", lambda L, x: L.median(x), [INTS], {}),
    ("median_empty", lambda L, x: L.median(x), [np.zeros(0, np.float32)], {}),
    ("median_dim", lambda L, x: tuple(L.median(x, 1)), [D], {}),
    ("median_dim_ties", lambda L, x: tuple(x.median(0, keepdim=True)),
     [f32([2, 1], [1, 2], [2, 2], [2, 1], [1, 1])], {}),
    ("median_dim_nan", lambda L, x: tuple(L.median(x, 1)), [NANS], {}),
    ("median_0d", lambda L, x: tuple(L.median(x, 0)), [SCALAR], {}),
    ("mode", lambda L, x: tuple(L.mode(x)), [f32([2, 1, 2, 1, 3], [3, 2, 3, 2, 2])], {}),
    ("mode_unique_dim0", lambda L, x: tuple(L.mode(x, 0, True)), [D], {}),
    ("mode_0d", lambda L, x: tuple(L.mode(x)), [SCALAR], {}),
    # dtype= converts first, then reduces in that dtype (int8 wraps around, bool is logical)
    ("sum_int8_dtype_int8", lambda L, x: L.sum(x, dtype=L.int8),
     [np.array([100, 100, 100], np.int8)], {}),
    ("sum_dim_dtype_int32", lambda L, x: x.sum(0, dtype=L.int32),
     [np.array([[1, 2], [3, 4]], np.int32)], {}),
    ("sum_dim_dtype_bool", lambda L, x: L.sum(x, 0, dtype=L.bool),
     [np.array([[1, 2], [3, 0]], np.int32)], {}),
    ("sum_bool_dtype_bool", lambda L, x: x.sum(dtype=L.bool), [BOOLS], {}),
    ("sum_bool_dtype_uint8", lambda L, x: x.sum(1, dtype=L.uint8), [BOOLS], {}),
    ("prod_int8_dtype_int32", lambda L, x: x.prod(dtype=L.int32),
     [np.array([100, 100, 3], np.int8)], {}),
    ("prod_dtype_int8_wraps", lambda L, x: L.prod(x, 0, dtype=L.int8),
     [np.array([100, 100], np.int8)], {}),
    ("prod_dtype_bool", lambda L, x: x.prod(1, dtype=L.bool),
     [np.array([[1, 2], [3, 0]], np.int64)], {}),
    ("nansum_dtype_int16", lambda L, x: (x.nansum(dtype=L.int16), L.nansum(x, 0, dtype=L.int16)),
     [np.array([[1, 2], [3, 4]], np.int32)], {}),
    # float32 var/std accumulate in float64: no overflow of 1e20^2, no underflow of 1e-30^2
    ("std_huge_f32", lambda L, x: (x.std(), x.std(0), L.std_mean(x)[0], x.var(0)),
     [f32(1e20, 1)], {}),
    ("std_tiny_f32", lambda L, x: (x.std(), x.std(0, keepdim=True), L.std_mean(x, 0)[0]),
     [f32(1e-30, 2e-30, 0)], {"atol": 0}),
    # over every element torch takes the float32 mean first, which overflows here
    ("var_whole_mean_overflows", lambda L, x: (x.var(), x.std(), x.reshape(2, 2).var(1),
                                                L.var_mean(x)[0]),
     [f32(1e38, 1e38, 1e38, 1e38)], {}),
    ("var_large_mean_dim", lambda L, x: (x.var(1), L.var_mean(x, 1), x.std(1)),
     [(3000 + R.standard_normal((2, 300)) * 0.01).astype(np.float32)],
     {"rtol": 1e-6, "atol": 0, "grad_rtol": 1e-4}),
    # float16 accumulates in float32 (and rounds once)
    ("half_mean", lambda L, x: (x.mean(), x.mean(0), x.nanmean()),
     [np.array([60000, 60000], np.float16)], {}),
    ("half_std_var", lambda L, x: (x.std(), x.var(0), L.var_mean(x)),
     [np.array([60000, 60000], np.float16)], {}),
    ("half_norm", lambda L, x: (x.norm(), L.linalg.vector_norm(x, 3), x.norm(1, 0)),
     [np.array([300, 100], np.float16)], {}),
    ("half_sum_dim0", lambda L, x: (x.sum(0), x.mean(0)),
     [np.array([[60000], [60000], [-60000]], np.float16)], {}),
    ("half_cumsum", lambda L, x: x.cumsum(0), [np.array([60000, 60000, -60000], np.float16)],
     {"backward": False}),
    ("half_cumprod", lambda L, x: x.cumprod(0), [np.array([300, 300, 0.001], np.float16)],
     {"backward": False}),
    ("half_softmax", lambda L, x: (L.softmax(x, 0), L.log_softmax(x, 0)),
     [np.array([1, 2, 3], np.float16)], {"rtol": 1e-4, "atol": 0, "backward": False}),
    # cumsum/cumprod accumulate float32 in float64, to the last bit of torch's
    ("cumsum_f32_wide", lambda L, x: x.cumsum(0), [f32(3e38, 3e38, -3e38)], {}),
    ("cumsum_f32_bits", lambda L, x: x.cumsum(1), [rand(3, 2000)],
     {"rtol": 1e-12, "atol": 0, "grad_rtol": 1e-12, "grad_atol": 0}),
    ("cumprod_f32_wide", lambda L, x: x.cumprod(0), [f32(1e30, 1e30, 1e-30, 1e-30)], {}),
    # var/std when correction >= n: torch's signed divisor with a dim, inf/NaN without one
    ("var_correction_gt_n_dim", lambda L, x: x.var(0, correction=5), [f32(1, 2, 3)], {}),
    ("var_correction_gt_n_all", lambda L, x: x.var(correction=5), [f32(1, 2, 3)], {}),
    ("var_correction_eq_n", lambda L, x: (x.var(correction=3), x.var(0, correction=3)),
     [f32(1, 2, 4)], {}),
    ("std_correction_gt_n_dim", lambda L, x: x.std(0, correction=5), [f32(1, 2, 3)], {}),
    ("std_correction_gt_n_all", lambda L, x: x.std(correction=5), [f32(1, 2, 3)], {}),
    ("var_nan_correction_gt_n", lambda L, x: x.var(correction=5), [f32(NAN, 1)], {}),
    ("var_dim_empty_tuple", lambda L, x: (x.var(dim=()), x.std(dim=(), correction=2)),
     [f32(1, 2, 4)], {}),
    ("var_0d_dim", lambda L, x: (x.var(0), x.std(0, correction=0)), [SCALAR], {}),
    ("var_mean_no_dim_correction", lambda L, x: L.var_mean(x, correction=5), [f32(1, 2, 3)], {}),
    # prod / cumprod gradients with zeros, infs and NaN, as torch forms them
    ("cumprod_size1_inf", lambda L, x: x.cumprod(0), [f32([2, INF])], {}),
    ("prod_zero_one_inf", lambda L, x: x.prod(), [f32(0, 1, INF)], {}),
    ("prod_two_zeros_inf", lambda L, x: (x.prod(), x.reshape(1, 3).prod(1)), [f32(0, 0, INF)],
     {}),
    ("prod_0d_inf", lambda L, x: x.prod(), [np.array(-INF, np.float32)], {}),
    ("prod_no_zero_inf", lambda L, x: x.prod(0), [f32(2, 1, INF)], {}),
    ("cumprod_inf_then_zero", lambda L, x: x.cumprod(0), [f32(INF, 0, 2)], {}),
    ("cumprod_inf_between_zeros", lambda L, x: x.cumprod(0), [f32(0, INF, 0, 2)], {}),
    ("cumprod_zeros_then_inf", lambda L, x: x.cumprod(0), [f32(0, 0, INF)], {}),
    # NaN in gradients
    ("nanmean_all_nan_row", lambda L, x: x.nanmean(1), [f32([NAN, NAN], [1, 2])], {}),
    ("vnorm1_nan", lambda L, x: L.linalg.vector_norm(x, 1), [f32(NAN, 1, -2)], {}),
    ("vnorm_inf_nan", lambda L, x: L.linalg.vector_norm(x, INF), [f32(NAN, 1, -2)], {}),
    ("vnorm_neg_inf_nan", lambda L, x: L.linalg.vector_norm(x, -INF), [f32(NAN, 1, -2)], {}),
    ("vnorm_p_nan", lambda L, x: (L.linalg.vector_norm(x, 2), L.linalg.vector_norm(x, 3)),
     [f32(NAN, 1, -2)], {}),
    # a norm of single elements is |x| (no overflow in x^2), but not over dim 0 of a 0-dim
    ("vnorm_single_elements", lambda L, x: (x.norm(dim=-1), L.linalg.vector_norm(x, 3, 1)),
     [f32([1e30], [-2])], {}),
    ("vnorm_0d_no_dim", lambda L, x: L.linalg.vector_norm(x, 3), [np.array(1e30, np.float32)],
     {}),
    ("vnorm_0d_dim0", lambda L, x: x.norm(2, 0), [np.array(1e30, np.float32)], {}),
    # svdvals and the norms built on it
    ("svdvals", lambda L, x: L.linalg.svdvals(x), [R.standard_normal((3, 4))], {}),
    ("svdvals_batch_tall", lambda L, x: L.linalg.svdvals(x), [R.standard_normal((2, 4, 3))], {}),
    ("svdvals_f32", lambda L, x: L.linalg.svdvals(x), [rand(3, 3)], {"rtol": 1e-4}),
    ("matrix_norm_2", lambda L, x: L.linalg.matrix_norm(x, 2), [R.standard_normal((2, 3, 4))],
     {}),
    ("matrix_norm_neg2_keepdim", lambda L, x: L.linalg.matrix_norm(x, -2, keepdim=True),
     [R.standard_normal((2, 3, 4))], {}),
    ("matrix_norm_nuc_dims", lambda L, x: L.linalg.matrix_norm(x, "nuc", (0, 2)),
     [R.standard_normal((3, 2, 4))], {}),
    ("norm_nuc", lambda L, x: L.norm(x, "nuc"), [R.standard_normal((3, 3))], {}),
    ("norm_nuc_keepdim", lambda L, x: x.norm("nuc", keepdim=True), [R.standard_normal((3, 2))],
     {}),
    ("linalg_norm_2_ties", lambda L, x: L.linalg.norm(x, 2), [np.eye(3)], {}),
    ("matrix_norm_zero_singular", lambda L, x: L.linalg.matrix_norm(x, "nuc"),
     [np.array([[1.0, 0.0], [0.0, 0.0]])], {}),
    ("matrix_norm_empty_max", lambda L, x: (L.linalg.matrix_norm(x, INF),
                                             L.linalg.matrix_norm(x, 2),
                                             L.linalg.matrix_norm(x, 1),
                                             L.linalg.matrix_norm(x, "nuc")),
     [np.zeros((0, 3), np.float32)], {}),
    ("matrix_norm_bool_ord", lambda L, x: L.linalg.matrix_norm(x, True), [D], {}),
    ("vnorm_bool_ord", lambda L, x: L.linalg.vector_norm(x, True), [D], {}),
    # nanmedian
    ("nanmedian", lambda L, x: L.nanmedian(x), [NANS], {}),
    ("nanmedian_ties", lambda L, x: x.nanmedian(), [f32(2, 1, 2, 2, NAN, 1)], {}),
    ("nanmedian_all_nan", lambda L, x: x.nanmedian(), [f32(NAN, NAN, NAN)], {}),
    ("nanmedian_dim", lambda L, x: tuple(L.nanmedian(x, 1)),
     [f32([1, NAN, 3, 2, NAN], [NAN, NAN, NAN, NAN, NAN], [2, 2, NAN, 1, 2], [5, NAN, 1, 1, 0])],
     {}),
    ("nanmedian_dim_keepdim", lambda L, x: tuple(x.nanmedian(0, keepdim=True)), [NANS], {}),
    ("nanmedian_int", lambda L, x: (L.nanmedian(x), tuple(x.nanmedian(1))), [INTS], {}),
    ("nanmedian_0d", lambda L, x: tuple(L.nanmedian(x, 0)), [np.array(NAN, np.float32)], {}),
    # median of nothing: NaN converted to the dtype
    ("median_empty_int8", lambda L, x: (x.median(), x.nanmedian()), [np.zeros(0, np.int8)], {}),
    ("median_empty_int16", lambda L, x: x.median(), [np.zeros(0, np.int16)], {}),
    ("median_empty_int32", lambda L, x: (x.median(), x.nanmedian()), [np.zeros(0, np.int32)],
     {}),
    ("median_empty_int64", lambda L, x: x.median(), [np.zeros(0, np.int64)], {}),
    ("median_empty_uint8", lambda L, x: x.median(), [np.zeros(0, np.uint8)], {}),
    ("median_empty_bool", lambda L, x: x.median(), [np.zeros(0, bool)], {}),
    ("nanmedian_empty", lambda L, x: x.nanmedian(), [np.zeros(0, np.float32)], {}),
    # accepted by torch
    ("softmax_empty_int", lambda L, x: (L.softmax(x, 0), x.log_softmax(0)),
     [np.zeros(0, np.int64)], {}),
    ("amax_none_dim", lambda L, x: (L.amax(x, None), x.amin(None)), [A], {}),
    # var_mean and std_mean return a running mean: NaN where an inf is not the last element
    ("var_mean_infs", lambda L, x: L.var_mean(x), [f32(INF, INF)], {}),
    ("var_mean_inf_positions", lambda L, x: (L.var_mean(x, 1)[1], L.std_mean(x, 1, True)[1]),
     [f32([1, INF], [INF, 1], [1, 2], [-INF, 2], [NAN, 1])], {}),
    ("var_mean_inf_dims", lambda L, x: L.var_mean(x, (0, 2))[1],
     [np.where(np.isin(np.arange(24).reshape(3, 2, 4), (0, 23)), INF, 1).astype(np.float32)],
     {}),
]


@pytest.mark.parametrize("name,fn,inputs,opts", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, inputs, opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(fn, *inputs, **opts)


# A case id -> its grad_fn name in torch, checked against gradstep's.
GRAD_FN_CASES = ["nanmedian", "nanmedian_dim", "svdvals", "matrix_norm_2", "norm_nuc",
                 "sum", "sum_dim", "nansum", "mean", "mean_dim", "prod", "prod_dim", "max",
                 "min_ties", "max_dim", "min_dim_ties_keepdim", "amax", "amin_dim_ties",
                 "aminmax", "var", "std", "var_mean", "std_mean", "vnorm", "norm_p1_dim",
                 "logsumexp", "softmax", "log_softmax", "cumsum", "cumprod", "sort", "topk",
                 "kthvalue", "median", "median_dim", "mode", "nanmean_dim"]


def _first_tensor(out):
    return out[0] if isinstance(out, (tuple, list)) else out


@pytest.mark.parametrize("name", GRAD_FN_CASES)
def test_grad_fn_names(name):
    _, fn, inputs, _ = next(c for c in CASES if c[0] == name)
    g = _first_tensor(fn(gradstep, *[gradstep.tensor(a, requires_grad=True) for a in inputs]))
    t = _first_tensor(fn(torch, *[torch.tensor(a, requires_grad=True) for a in inputs]))
    assert g.grad_fn.name() == t.grad_fn.name()


# Finite differences in float64 for every differentiable op (inputs with distinct values, away
# from kinks).
FD = rand(2, 3).astype(np.float64)
FD_DISTINCT = distinct(3, 4).astype(np.float64)
FD_CASES = [
    ("sum_dim", lambda L, x: L.sum(x, 1), [FD]),
    ("nansum", lambda L, x: L.nansum(x, 0), [FD]),
    ("mean", lambda L, x: L.mean(x, (0, 1), keepdim=True), [FD]),
    ("prod", lambda L, x: L.prod(x, 1), [FD]),
    ("prod_zero", lambda L, x: L.prod(x, 1), [np.array([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]])]),
    ("max", lambda L, x: L.max(x), [FD_DISTINCT]),
    ("max_dim", lambda L, x: L.max(x, 1).values, [FD_DISTINCT]),
    ("amin", lambda L, x: L.amin(x, 0), [FD_DISTINCT]),
    ("var", lambda L, x: L.var(x, 1), [FD]),
    ("std", lambda L, x: L.std(x, 0, correction=0), [FD]),
    ("norm2", lambda L, x: L.linalg.vector_norm(x, 2, 1), [FD]),
    ("norm1", lambda L, x: L.linalg.vector_norm(x, 1), [FD]),
    ("norm3", lambda L, x: L.linalg.vector_norm(x, 3, 0), [FD]),
    ("norm_inf", lambda L, x: L.linalg.vector_norm(x, float("inf"), 1), [FD_DISTINCT]),
    ("matrix_norm1", lambda L, x: L.linalg.matrix_norm(x, 1), [FD_DISTINCT]),
    ("logsumexp", lambda L, x: L.logsumexp(x, 1), [FD]),
    ("softmax", lambda L, x: L.softmax(x, 1), [FD]),
    ("log_softmax", lambda L, x: L.log_softmax(x, 0), [FD]),
    ("cumsum", lambda L, x: L.cumsum(x, 1), [FD]),
    ("cumprod", lambda L, x: L.cumprod(x, 1), [FD]),
    ("cumprod_zero", lambda L, x: L.cumprod(x, 0), [np.array([2.0, 0.0, 3.0, 0.5])]),
    ("sort", lambda L, x: L.sort(x, 0, True).values, [FD_DISTINCT]),
    ("topk", lambda L, x: L.topk(x, 2).values, [FD_DISTINCT]),
    ("median_dim", lambda L, x: L.median(x, 1).values, [FD_DISTINCT]),
    ("kthvalue", lambda L, x: L.kthvalue(x, 2, 0).values, [FD_DISTINCT]),
    ("svdvals", lambda L, x: L.linalg.svdvals(x), [FD_DISTINCT]),
    ("matrix_norm_nuc", lambda L, x: L.linalg.matrix_norm(x, "nuc"), [FD_DISTINCT]),
    ("nanmedian_dim", lambda L, x: L.nanmedian(x, 1).values, [FD_DISTINCT]),
]


@pytest.mark.parametrize("name,fn,inputs", FD_CASES, ids=[c[0] for c in FD_CASES])
def test_finite_differences(name, fn, inputs):
    gradcheck_fd(fn, *inputs)


# Second derivatives: create_graph=True, then backpropagate (grad * w).sum() again.
DOUBLE_CASES = [
    ("sum_dim", lambda L, x: L.sum(x * x, 1), [FD]),
    ("mean", lambda L, x: L.mean(x * x, 0), [FD]),
    ("var", lambda L, x: L.var(x, 1), [FD]),
    ("std", lambda L, x: L.std(x, 0), [FD]),
    ("prod", lambda L, x: L.prod(x, 1), [FD]),
    ("prod_one_zero", lambda L, x: L.prod(x, 1), [np.array([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]])]),
    ("prod_two_zeros_all", lambda L, x: L.prod(x), [np.array([[2.0, 0.0, 3.0], [0.0, -2.0, 0.5]])]),
    ("norm2", lambda L, x: L.linalg.vector_norm(x, 2, 1), [FD]),
    ("logsumexp", lambda L, x: L.logsumexp(x, 1), [FD]),
    ("softmax", lambda L, x: L.softmax(x, 1), [FD]),
    ("log_softmax", lambda L, x: L.log_softmax(x, 1), [FD]),
    ("cumsum", lambda L, x: L.cumsum(x * x, 1), [FD]),
    ("max_dim", lambda L, x: L.max(x * x, 1).values, [FD_DISTINCT]),
    ("amax", lambda L, x: L.amax(x * x, 0), [FD_DISTINCT]),
    ("sort", lambda L, x: L.sort(x * x, 1).values, [FD_DISTINCT]),
    ("topk", lambda L, x: L.topk(x * x, 2, 0).values, [FD_DISTINCT]),
    ("max_all", lambda L, x: L.max(x * x), [FD_DISTINCT]),
    ("median_all", lambda L, x: L.median(x * x), [FD_DISTINCT]),
    ("cumprod", lambda L, x: L.cumprod(x, 1), [FD]),
    ("cumprod_zero", lambda L, x: L.cumprod(x, 0), [np.array([2.0, 0.0, 3.0, 0.5])]),
    ("nansum", lambda L, x: L.nansum(x * x, 1), [FD]),
    ("norm_inf", lambda L, x: L.linalg.vector_norm(x * x, float("inf"), 1), [FD_DISTINCT]),
    ("norm3", lambda L, x: L.linalg.vector_norm(x, 3, 0), [FD]),
    ("norm1", lambda L, x: L.linalg.vector_norm(x * x, 1), [FD]),
    ("var_mean", lambda L, x: L.var_mean(x, 1)[0] * L.var_mean(x, 1)[1], [FD]),
    ("std_mean", lambda L, x: L.std_mean(x, 0)[0] + L.std_mean(x * x, 0)[1], [FD]),
    # norms at zero entries: torch's composition, so second derivatives match there too
    ("norm3_zeros", lambda L, x: L.norm(x, 3), [np.array([0.0, 1.0, -2.0])]),
    ("norm4_zeros", lambda L, x: L.linalg.vector_norm(x, 4), [np.array([0.0, 1.0, -2.0])]),
    ("norm2_5_zeros", lambda L, x: L.linalg.vector_norm(x, 2.5), [np.array([0.0, 1.0, -2.0])]),
    ("norm1_5_zeros", lambda L, x: L.linalg.vector_norm(x, 1.5), [np.array([0.0, 1.0, -2.0])]),
    ("norm_half_zeros", lambda L, x: L.linalg.vector_norm(x, 0.5), [np.array([0.0, 1.0, -2.0])]),
    ("norm_neg1_zeros", lambda L, x: L.linalg.vector_norm(x, -1), [np.array([0.0, 1.0, -2.0])]),
    ("norm2_zero_slice", lambda L, x: L.linalg.vector_norm(x, 2, 1),
     [np.array([[0.0, 0.0], [3.0, -4.0]])]),
    ("norm3_zero_slice", lambda L, x: L.linalg.vector_norm(x, 3, 1),
     [np.array([[0.0, 0.0], [3.0, -4.0]])]),
    # the singular vectors depend on A too
    ("matrix_norm_nuc", lambda L, x: L.linalg.matrix_norm(x, "nuc"), [R.standard_normal((3, 2))]),
    ("matrix_norm_2", lambda L, x: L.linalg.matrix_norm(x, 2), [R.standard_normal((2, 4))]),
    ("matrix_norm_neg2_batch", lambda L, x: L.linalg.matrix_norm(x, -2),
     [R.standard_normal((2, 3, 3))]),
    ("svdvals", lambda L, x: L.linalg.svdvals(x), [R.standard_normal((4, 3))]),
    ("nuc_repeated_singular_values", lambda L, x: L.linalg.matrix_norm(x, "nuc"), [np.eye(2)]),
]


@pytest.mark.parametrize("name,fn,inputs", DOUBLE_CASES, ids=[c[0] for c in DOUBLE_CASES])
def test_double_backward(name, fn, inputs):
    results = []
    for lib in (gradstep, torch):
        x = lib.tensor(inputs[0], requires_grad=True)
        out = fn(lib, x)
        w = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        g, = lib.autograd.grad((out * w).sum(), x, create_graph=True)
        v = lib.tensor(np.linspace(0.5, -0.7, g.numel()).reshape(tuple(g.shape)))
        gg, = lib.autograd.grad((g * v).sum(), x)
        results.append((g, gg))
    assert_same(results[0][0], results[1][0], what="first derivative")
    assert_same(results[0][1], results[1][1], what="second derivative")


# Errors: (id, fn(lib), exception type) -- the message is torch's.
ERROR_CASES = [
    ("max_empty", lambda L: L.max(L.zeros(0)), RuntimeError),
    ("min_empty", lambda L: L.tensor([]).min(), RuntimeError),
    ("amax_empty", lambda L: L.amax(L.zeros(0)), RuntimeError),
    ("amax_empty_dim", lambda L: L.amax(L.zeros(2, 0), 1), IndexError),
    ("max_empty_dim", lambda L: L.max(L.zeros(2, 0), -1), IndexError),
    ("argmax_empty", lambda L: L.argmax(L.zeros(0)), IndexError),
    ("argmin_empty_dim", lambda L: L.argmin(L.zeros(2, 0), 1), IndexError),
    ("argmax_bool", lambda L: L.argmax(L.tensor([True, False])), RuntimeError),
    ("aminmax_empty", lambda L: L.aminmax(L.zeros(0)), RuntimeError),
    ("aminmax_empty_dim", lambda L: L.aminmax(L.zeros(2, 0), dim=1), IndexError),
    ("median_empty_dim", lambda L: L.median(L.zeros(2, 0), 1), IndexError),
    ("mode_empty", lambda L: L.mode(L.zeros(0)), IndexError),
    ("kthvalue_empty", lambda L: L.kthvalue(L.zeros(0), 1), IndexError),
    ("kthvalue_k", lambda L: L.kthvalue(L.ones(3), 4), RuntimeError),
    ("topk_k", lambda L: L.topk(L.ones(3), 4), RuntimeError),
    ("topk_neg_k", lambda L: L.topk(L.ones(3), -1), RuntimeError),
    ("sum_dup", lambda L: L.sum(L.ones(2, 3), (1, -1)), RuntimeError),
    ("sum_dup_later", lambda L: L.sum(L.ones(2, 3, 4), (0, 2, 2)), RuntimeError),
    ("mean_dup", lambda L: L.mean(L.ones(2, 3), (0, 0)), RuntimeError),
    ("amax_dup", lambda L: L.amax(L.ones(2, 3), (1, -1)), RuntimeError),
    ("count_nonzero_dup", lambda L: L.count_nonzero(L.ones(2, 3), (1, 1)), RuntimeError),
    ("vnorm_dup", lambda L: L.linalg.vector_norm(L.ones(2, 3), dim=(1, 1)), RuntimeError),
    ("sum_dim_range", lambda L: L.sum(L.ones(2, 3), 2), IndexError),
    ("max_dim_range", lambda L: L.max(L.ones(2, 3), -3), IndexError),
    ("sum_0d_dim1", lambda L: L.sum(L.tensor(2.0), 1), IndexError),
    ("softmax_dim_range", lambda L: L.softmax(L.ones(2), 1), IndexError),
    ("cumsum_dim_range", lambda L: L.cumsum(L.ones(2), 1), IndexError),
    ("topk_dim_range", lambda L: L.topk(L.ones(2), 1, dim=1), IndexError),
    ("mean_int", lambda L: L.mean(L.tensor([1, 2])), RuntimeError),
    ("mean_bool_dim", lambda L: L.tensor([True]).mean(0), RuntimeError),
    ("mean_int_dtype", lambda L: L.mean(L.ones(2), dtype=L.int64), RuntimeError),
    ("nanmean_int", lambda L: L.nanmean(L.tensor([1, 2])), RuntimeError),
    ("var_int", lambda L: L.var(L.tensor([1, 2])), RuntimeError),
    ("std_int", lambda L: L.tensor([1, 2]).std(), RuntimeError),
    ("softmax_int_last", lambda L: L.softmax(L.tensor([[1, 2]]), -1), NotImplementedError),
    ("softmax_int_dim0", lambda L: L.softmax(L.tensor([[1, 2]]), 0), NotImplementedError),
    ("log_softmax_int", lambda L: L.log_softmax(L.tensor([1, 2]), 0), NotImplementedError),
    ("softmax_bool", lambda L: L.softmax(L.tensor([[True]]), 0), NotImplementedError),
    ("logsumexp_nodim", lambda L: L.logsumexp(L.ones(2)), TypeError),
    ("softmax_nodim", lambda L: L.softmax(L.ones(2)), TypeError),
    ("cumsum_nodim", lambda L: L.cumsum(L.ones(2)), TypeError),
    ("logsumexp_dim_none", lambda L: L.logsumexp(L.ones(2), None), TypeError),
    ("norm_int", lambda L: L.norm(L.tensor([1, 2])), RuntimeError),
    ("vnorm_int", lambda L: L.linalg.vector_norm(L.tensor([1, 2]), 1), RuntimeError),
    ("vnorm_str", lambda L: L.linalg.vector_norm(L.ones(2), "fro"), TypeError),
    ("vnorm_inf_empty", lambda L: L.linalg.vector_norm(L.zeros(0), float("inf")), RuntimeError),
    ("vnorm_neg_inf_empty", lambda L: L.linalg.vector_norm(L.zeros(0), -float("inf")),
     RuntimeError),
    ("vnorm_inf_empty_dim", lambda L: L.linalg.vector_norm(L.zeros(2, 0), float("inf"), 1),
     RuntimeError),
    ("vnorm_narrowing", lambda L: L.linalg.vector_norm(L.ones(2), dtype=L.float16), RuntimeError),
    ("norm_bad_str", lambda L: L.norm(L.ones(2, 2), "abc"), RuntimeError),
    ("norm_nuc_dim_int", lambda L: L.norm(L.ones(2, 3), "nuc", 1), RuntimeError),
    ("linalg_norm_3d_ord", lambda L: L.linalg.norm(L.ones(2, 2, 2), 2), RuntimeError),
    ("linalg_norm_1d_fro", lambda L: L.linalg.norm(L.ones(2), "fro"), RuntimeError),
    ("matrix_norm_1d", lambda L: L.linalg.matrix_norm(L.ones(2)), RuntimeError),
    ("matrix_norm_int", lambda L: L.linalg.matrix_norm(L.tensor([[1, 2]])), RuntimeError),
    ("matrix_norm_ord", lambda L: L.linalg.matrix_norm(L.ones(2, 2), 3), RuntimeError),
    ("matrix_norm_same_dims", lambda L: L.linalg.matrix_norm(L.ones(2, 2), dim=(1, 1)),
     RuntimeError),
    ("matrix_norm_3_dims", lambda L: L.linalg.matrix_norm(L.ones(2, 2), dim=(0, 1, 1)),
     RuntimeError),
    # a dim of the wrong type: torch's message names it when one overload takes that many
    # arguments, counting the tensor for torch.op(x, ...) but not for x.op(...)
    ("max_tuple_dim_method", lambda L: L.ones(2, 3).max((0, 1)), TypeError),
    ("max_tuple_dim_fn", lambda L: L.max(L.ones(2, 3), (0, 1)), TypeError),
    ("max_tuple_dim_keepdim_method", lambda L: L.ones(2, 3).max((0,), True), TypeError),
    ("max_none_dim", lambda L: L.max(L.ones(2, 3), None), TypeError),
    ("min_list_dim_kw", lambda L: L.min(L.ones(2, 3), dim=[0]), TypeError),
    ("prod_none_dim", lambda L: L.ones(2, 3).prod(None), TypeError),
    ("prod_tuple_dim_keepdim_fn", lambda L: L.prod(L.ones(2, 3), (0,), False), TypeError),
    ("sort_tuple_dim", lambda L: L.ones(2, 3).sort((0,)), TypeError),
    ("argsort_float_dim", lambda L: L.argsort(L.ones(2, 3), 1.0), TypeError),
    ("cumsum_tuple_dim_fn", lambda L: L.cumsum(L.ones(2, 3), (0, 1)), TypeError),
    ("cumsum_tuple_dim_method", lambda L: L.ones(2, 3).cumsum((0, 1)), TypeError),
    ("cumprod_tuple_dim_kw", lambda L: L.ones(2, 3).cumprod(dim=(0, 1)), TypeError),
    ("softmax_none_dim_fn", lambda L: L.softmax(L.ones(2, 3), None), TypeError),
    ("softmax_none_dim_method", lambda L: L.ones(2, 3).softmax(None), TypeError),
    ("log_softmax_none_dim_kw", lambda L: L.log_softmax(L.ones(2, 3), dim=None), TypeError),
    ("topk_float_dim", lambda L: L.topk(L.ones(2, 3), 1, 1.0), TypeError),
    ("kthvalue_none_dim_method", lambda L: L.ones(2, 3).kthvalue(1, None), TypeError),
    ("median_none_dim", lambda L: L.median(L.ones(2, 3), None), TypeError),
    ("nanmedian_tuple_dim", lambda L: L.ones(2, 3).nanmedian((0,)), TypeError),
    ("mode_tuple_dim", lambda L: L.ones(2, 3).mode((0,)), TypeError),
    ("argmax_tuple_dim", lambda L: L.argmax(L.ones(2, 3), (0,)), TypeError),
    ("argmax_bool_tuple_dim", lambda L: L.argmax(L.ones(2, 3).bool(), (0,)), TypeError),
    ("aminmax_tuple_dim", lambda L: L.aminmax(L.ones(2, 3), dim=(0, 1)), TypeError),
    ("amax_float_dim", lambda L: L.ones(2, 3).amax(1.0), TypeError),
    ("logsumexp_none_dim_method", lambda L: L.ones(2).logsumexp(None), TypeError),
    ("nansum_float_dim", lambda L: L.nansum(L.ones(2, 3), 1.0), TypeError),
    ("sum_float_dim", lambda L: L.sum(L.ones(2, 3), 1.0), TypeError),
    ("count_nonzero_float_dim", lambda L: L.count_nonzero(L.ones(2, 3), 1.0), TypeError),
    ("vnorm_str_dim", lambda L: L.linalg.vector_norm(L.ones(2, 3), 2, "a"), TypeError),
    ("matrix_norm_str_dim", lambda L: L.linalg.matrix_norm(L.ones(2, 3), "fro", "a"), TypeError),
    # keepdim must be a bool
    ("sum_keepdim_int", lambda L: L.sum(L.ones(2, 3), 0, 1), TypeError),
    ("max_keepdim_int_kw", lambda L: L.ones(2, 3).max(0, keepdim=1), TypeError),
    ("amax_keepdim_int", lambda L: L.ones(2, 3).amax(0, 1), TypeError),
    ("norm_keepdim_int", lambda L: L.ones(2, 3).norm(2, 0, 1), TypeError),
    ("var_unbiased_int", lambda L: L.ones(2, 3).var(0, 1), TypeError),
    ("var_keepdim_int", lambda L: L.ones(2, 3).var(0, keepdim=1), TypeError),
    ("var_unbiased_and_correction", lambda L: L.var(L.ones(2, 3), 0, True, correction=0),
     TypeError),
    ("var_mean_keepdim_int", lambda L: L.var_mean(L.ones(2, 3), 0, 1), TypeError),
    # messages
    ("var_mean_int", lambda L: L.var_mean(L.tensor([1, 2])), RuntimeError),
    ("std_mean_int", lambda L: L.std_mean(L.tensor([1, 2])), RuntimeError),
    ("amax_empty_neg_dim", lambda L: L.amax(L.zeros(2, 0), -1), IndexError),
    ("amin_empty_dims_in_order", lambda L: L.zeros(2, 0).amin((0, -1)), IndexError),
    ("amax_empty_before_range", lambda L: L.amax(L.zeros(0), (0, 1)), IndexError),
    ("amax_empty_before_dup", lambda L: L.amax(L.zeros(0), (0, 0)), IndexError),
    ("vnorm_inf_empty_neg_dim", lambda L: L.linalg.vector_norm(L.zeros(2, 0), INF, -1),
     RuntimeError),
    ("vnorm_neg_empty_before_dup", lambda L: L.linalg.vector_norm(L.zeros(0, 4), -1, (0, 0)),
     RuntimeError),
    ("vnorm_neg_ord_empty", lambda L: L.linalg.vector_norm(L.zeros(0), -1), RuntimeError),
    ("vnorm_neg_frac_ord_empty_dim", lambda L: L.linalg.vector_norm(L.zeros(2, 0), -0.5, 1),
     RuntimeError),
    ("vnorm_int_dtype", lambda L: L.linalg.vector_norm(L.ones(2), dtype=L.int64), RuntimeError),
    ("vnorm_bool_dtype", lambda L: L.linalg.vector_norm(L.ones(2), dtype=L.bool), RuntimeError),
    ("linalg_norm_empty_dims", lambda L: L.linalg.norm(L.ones(2, 3), 1, ()), RuntimeError),
    ("linalg_norm_three_dims", lambda L: L.linalg.norm(L.ones(2, 3), None, (0, 1, 1)),
     RuntimeError),
    ("linalg_norm_0d_ord", lambda L: L.linalg.norm(L.tensor(3.0), 1), RuntimeError),
    ("linalg_norm_0d_fro", lambda L: L.linalg.norm(L.tensor(3.0), "fro"), RuntimeError),
    ("linalg_norm_dup_dims", lambda L: L.linalg.norm(L.ones(2, 3), None, (0, 0)), RuntimeError),
    ("linalg_norm_dims_wrapped", lambda L: L.linalg.norm(L.ones(2, 3), 2, (0, -2)),
     RuntimeError),
    ("linalg_norm_str_one_dim", lambda L: L.linalg.norm(L.ones(2, 3), "fro", 0), RuntimeError),
    ("matrix_norm_order_first", lambda L: L.linalg.matrix_norm(L.ones(2, 3), 3, (0, 0)),
     RuntimeError),
    ("matrix_norm_order_before_float", lambda L: L.linalg.matrix_norm(L.tensor([[1, 2]]), 0),
     RuntimeError),
    ("linalg_norm_half_nuc", lambda L: L.linalg.norm(L.ones(2, 2).half(), "nuc", 0),
     RuntimeError),
    ("matrix_norm_int_dim", lambda L: L.linalg.matrix_norm(L.ones(2, 2), "fro", 0), TypeError),
    ("matrix_norm_empty_min", lambda L: L.linalg.matrix_norm(L.zeros(3, 0), -1), IndexError),
    ("matrix_norm_empty_min_keepdim",
     lambda L: L.linalg.matrix_norm(L.zeros(2, 0), -1, keepdim=True), IndexError),
    # (torch's LAPACK returns NaN for some such matrices; gradstep always fails, as here)
    ("svdvals_non_finite_batch",
     lambda L: L.linalg.svdvals(L.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, NAN], [0.0, 1.0]]])),
     "LinAlgError"),
    ("matrix_norm_nuc_non_finite", lambda L: L.linalg.matrix_norm(L.tensor([[1.0, NAN]]), "nuc"),
     "LinAlgError"),
    ("matrix_norm_empty_neg2", lambda L: L.linalg.matrix_norm(L.zeros(0, 3), -2), IndexError),
    ("matrix_norm_empty_neg_inf_batch",
     lambda L: L.linalg.matrix_norm(L.zeros(2, 0, 3), -INF), IndexError),
    ("logsumexp_empty_tuple", lambda L: L.logsumexp(L.ones(2, 3), ()), RuntimeError),
    ("svdvals_1d", lambda L: L.linalg.svdvals(L.ones(3)), RuntimeError),
    ("svdvals_int", lambda L: L.linalg.svdvals(L.ones(2, 2, dtype=L.int64)), RuntimeError),
    ("svdvals_half", lambda L: L.linalg.svdvals(L.ones(2, 2).half()), NotImplementedError),
    # rejected by torch
    ("topk_bool", lambda L: L.ones(2, 3).bool().topk(1), RuntimeError),
    ("topk_bool_k_first", lambda L: L.zeros(3, 0, dtype=L.bool).topk(1), RuntimeError),
    ("median_bool", lambda L: L.ones(2, 3).bool().median(), NotImplementedError),
    ("median_bool_dim", lambda L: L.ones(2, 3).bool().median(0), NotImplementedError),
    ("nanmedian_bool", lambda L: L.ones(2, 3).bool().nanmedian(), NotImplementedError),
    ("kthvalue_bool", lambda L: L.ones(2, 3).bool().kthvalue(1), NotImplementedError),
    ("kthvalue_bool_k_first", lambda L: L.ones(2, 3).bool().kthvalue(9), RuntimeError),
    ("nanmedian_empty_dim", lambda L: L.zeros(2, 0).nanmedian(1), IndexError),
]


def _torch_error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(torch)
        except Exception as e:  # noqa: BLE001 -- we want torch's exact exception
            return type(e), str(e)
    raise AssertionError("torch did not raise")


@pytest.mark.parametrize("name,fn,exc", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(name, fn, exc):
    t_type, t_msg = _torch_error(fn)
    if exc == "LinAlgError":  # torch.linalg's own RuntimeError, and gradstep.linalg's
        assert t_type is torch.linalg.LinAlgError
        exc = gradstep.linalg.LinAlgError
        assert issubclass(exc, RuntimeError)
    else:
        assert t_type is exc
    with pytest.raises(exc, match=re.escape(t_msg.split("\n")[0])):
        fn(gradstep)


@pytest.mark.parametrize("fn", [
    lambda L: L.var(L.ones(1)),
    lambda L: L.std(L.tensor(2.0)),
    lambda L: L.var(L.tensor([1.0, 2.0]), correction=3),
    lambda L: L.var_mean(L.ones(2, 1), 1),
])
def test_dof_warning_and_value(fn):
    records = []
    for lib in (gradstep, torch):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's 0/0, silenced in gradstep
            records.append((fn(lib), [w for w in record if w.category is UserWarning]))
    (g, g_warns), (t, t_warns) = records
    assert len(g_warns) == len(t_warns) == 1
    assert str(g_warns[0].message) in str(t_warns[0].message)
    assert g_warns[0].filename == __file__  # attributed to the caller, as torch's
    assert_same(g, t)


def test_return_types():
    x = gradstep.tensor([[1.0, 5.0], [7.0, 2.0]])
    r = gradstep.max(x, 1)
    assert isinstance(r, tuple) and isinstance(r, gradstep.return_types.max)
    values, indices = r
    assert r.values is values and r.indices is indices and r[1] is indices
    assert indices.dtype == gradstep.int64
    assert repr(r).startswith("torch.return_types.max(\nvalues=")
    assert repr(r) == repr(torch.max(torch.tensor([[1.0, 5.0], [7.0, 2.0]]), 1))
    assert repr(gradstep.aminmax(x)).startswith("torch.return_types.aminmax(\nmin=")
    assert pickle.loads(pickle.dumps(gradstep.sort(x))).indices.tolist() == [[0, 1], [1, 0]]
    assert type(gradstep.topk(x, 1)).__name__ == "topk"


def test_linalg_namespace():
    import gradstep.linalg as la
    assert la.vector_norm is gradstep.linalg.vector_norm
    assert la.norm(gradstep.tensor([3.0, 4.0])).item() == 5.0
    with pytest.raises(AttributeError):
        la.no_such_function  # noqa: B018


@pytest.mark.parametrize("fn", [
    lambda L, x: L.sum(x, 1, out=L.zeros(3)),
    lambda L, x: L.mean(x, 0, out=L.zeros(4)),
    lambda L, x: L.cumsum(x, 1, out=L.zeros(3, 4)),
    lambda L, x: L.norm(x, 2, 1, False, L.zeros(3)),
    lambda L, x: L.logsumexp(x, 1, out=L.zeros(3)),
    lambda L, x: tuple(L.max(x, 1, out=(L.zeros(3), L.zeros(3, dtype=L.int64)))),
    lambda L, x: tuple(L.sort(x, 0, out=(L.zeros(3, 4), L.zeros(3, 4, dtype=L.int64)))),
])
def test_out_argument(fn):
    compare(fn, A, requires_grad=False)


def test_inplace_cumsum():
    g = gradstep.tensor([[1.0, 2.0], [3.0, 4.0]])
    t = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert g.cumsum_(0) is g
    t.cumsum_(0)
    assert_same(g, t)
    assert_same(gradstep.ones(3).cumprod_(0), torch.ones(3).cumprod_(0))


def test_max_nan_grad_split_and_extreme_softmax_finite():
    # NaN maxima share the gradient (torch's MaxBackward1); extreme logits stay finite
    x = gradstep.tensor([1.0, NAN, 3.0, NAN], requires_grad=True)
    gradstep.max(x).backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.0, 0.5]
    z = gradstep.tensor([[1e4, -1e4], [-1e4, -1e4]], requires_grad=True)
    out = gradstep.log_softmax(z, 1)
    (out * gradstep.tensor([[0.0, 1.0], [1.0, 0.0]])).sum().backward()
    assert np.isfinite(out.detach().numpy()).all() and np.isfinite(z.grad.numpy()).all()


# ----- grad_fn names of the norm spellings (torch 2.13: all LinalgVectorNormBackward0) ----------

NORM_SPELLINGS = {
    "norm": lambda L, x: x.norm(),
    "norm_p": lambda L, x: x.norm(3),
    "norm_p_dim": lambda L, x: x.norm(2, 1),
    "norm_dim_tuple": lambda L, x: x.norm(2, (0, 1)),
    "norm_dim_kw": lambda L, x: x.norm(dim=1),
    "norm_fro": lambda L, x: x.norm("fro"),
    "norm_fro_dim": lambda L, x: x.norm("fro", dim=1),
    "norm_inf_dim": lambda L, x: x.norm(float("inf"), 1),
    "norm_keepdim": lambda L, x: x.norm(2, 1, True),
    "norm_dtype": lambda L, x: x.norm(2, 1, dtype=L.float64),
    "torch_norm": lambda L, x: L.norm(x),
    "torch_norm_p_dim": lambda L, x: L.norm(x, 2, 1),
    "vector_norm": lambda L, x: L.linalg.vector_norm(x),
    "vector_norm_dim": lambda L, x: L.linalg.vector_norm(x, 3, dim=0),
    "linalg_norm": lambda L, x: L.linalg.norm(x),
    "linalg_norm_dim": lambda L, x: L.linalg.norm(x, dim=1),
    "matrix_norm_fro": lambda L, x: L.linalg.matrix_norm(x),
}


@pytest.mark.parametrize("case", sorted(NORM_SPELLINGS))
def test_norm_grad_fn_names(case):
    names = []
    for lib in (gradstep, torch):
        x = lib.tensor(np.arange(6.).reshape(2, 3), requires_grad=True)
        names.append(NORM_SPELLINGS[case](lib, x).grad_fn.name())
    assert names[0] == names[1]


# ----- NumPy's axis= and keepdims= spellings, accepted as torch accepts them ----------------------

AXIS_CASES = {
    "sum": lambda L, x: x.sum(axis=1, keepdims=True),
    "mean": lambda L, x: L.mean(x, axis=0, keepdims=True),
    "nansum": lambda L, x: L.nansum(x, axis=0),
    "nanmean": lambda L, x: x.nanmean(axis=1, keepdims=True),
    "prod": lambda L, x: x.prod(axis=1),
    "max": lambda L, x: tuple(x.max(axis=1)),
    "min": lambda L, x: tuple(L.min(x, axis=0, keepdims=True)),
    "amax": lambda L, x: L.amax(x, axis=(0, 1)),
    "amin": lambda L, x: x.amin(axis=1, keepdims=True),
    "aminmax": lambda L, x: tuple(L.aminmax(x, axis=0)),
    "argmax": lambda L, x: x.argmax(axis=1),
    "argmin": lambda L, x: L.argmin(x, axis=0, keepdims=True),
    "count_nonzero": lambda L, x: x.count_nonzero(axis=1),
    "var": lambda L, x: x.var(axis=0),
    "std": lambda L, x: L.std(x, axis=1, keepdims=True),
    "var_mean": lambda L, x: L.var_mean(x, axis=1),
    "std_mean": lambda L, x: L.std_mean(x, axis=0, keepdims=True),
    "logsumexp": lambda L, x: x.logsumexp(axis=1),
    "cumsum": lambda L, x: x.cumsum(axis=1),
    "cumprod": lambda L, x: L.cumprod(x, axis=0),
    "softmax": lambda L, x: L.softmax(x, axis=0),
    "log_softmax": lambda L, x: x.log_softmax(axis=1),
    "sort": lambda L, x: tuple(x.sort(axis=0)),
    "argsort": lambda L, x: L.argsort(x, axis=1),
    "topk": lambda L, x: tuple(x.topk(2, axis=0)),
    "kthvalue": lambda L, x: tuple(L.kthvalue(x, 2, axis=1, keepdims=True)),
    "median": lambda L, x: tuple(x.median(axis=1)),
    "nanmedian": lambda L, x: tuple(L.nanmedian(x, axis=0)),
    "mode": lambda L, x: tuple(x.mode(axis=1)),
    "vector_norm": lambda L, x: L.linalg.vector_norm(x, axis=1),
}


@pytest.mark.parametrize("name", sorted(AXIS_CASES))
def test_axis_alias(name):
    compare(AXIS_CASES[name], D)


@pytest.mark.parametrize("fn", [
    lambda L: L.ones(2, 3).sum(1, axis=1),
    lambda L: L.ones(2, 3).mean(0, axis=0),
    lambda L: L.ones(2, 3).max(1, axis=1),
    lambda L: L.ones(2, 3).amax(1, True, keepdims=True),
])
def test_axis_alias_with_dim_is_a_type_error(fn):
    t_type, t_msg = _torch_error(fn)
    with pytest.raises(t_type, match=re.escape(t_msg)):
        fn(gradstep)


# ----- NumPy's warnings stay inside gradstep ------------------------------------------------------

QUIET_CASES = {
    "sum_overflow": lambda L: L.tensor([3e38, 3e38]).sum(),
    "half_sum_overflow": lambda L: L.tensor([60000.0, 60000.0], dtype=L.float16).sum(),
    "mean_overflow": lambda L: L.tensor([3e38, 3e38]).mean(),
    "nansum_overflow": lambda L: L.tensor([3e38, 3e38, NAN]).nansum(),
    "prod_overflow": lambda L: L.tensor([1e30, 1e30]).prod(),
    "cumsum_overflow": lambda L: L.tensor([3e38, 3e38]).cumsum(0),
    "cumprod_overflow": lambda L: L.tensor([1e30, 1e30]).cumprod(0),
    "norm_overflow": lambda L: L.tensor([1e30, 1e30]).norm(),
    "norm1_overflow": lambda L: L.linalg.vector_norm(L.tensor([3e38, 3e38]), 1),
    "var_overflow": lambda L: L.tensor([3e38, -3e38]).var(),
    "var_empty_backward": lambda L: L.zeros(0, 3, requires_grad=True).var().backward(),
    "std_empty_backward": lambda L: L.zeros(0, 3, requires_grad=True).std(0).sum().backward(),
    "amax_nan_backward": lambda L: L.amax(L.tensor([NAN, 1.0], requires_grad=True)).backward(),
    "logsumexp_infs": lambda L: L.logsumexp(L.tensor([INF, -INF]), 0),
}


@pytest.mark.parametrize("name", sorted(QUIET_CASES))
@pytest.mark.parametrize("filters", ["gradstep's filter first", "errors"])
def test_no_numpy_warnings(name, filters):
    # With gradstep's own filter first (as after import), ops skip NumPy's error-state set-up and
    # rely on calling ufuncs from gradstep's lines; with warnings as errors they must set it up.
    with warnings.catch_warnings(record=True) as record:
        if filters == "errors":
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", message=".*degrees of freedom", category=UserWarning)
        else:
            warnings.simplefilter("always")
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradstep(\.|$)")
        QUIET_CASES[name](gradstep)
    assert [str(w.message) for w in record if "degrees of freedom" not in str(w.message)] == []


# ----- prod and cumprod gradients at zeros, infs and NaN, as torch forms them ---------------------

def _cumprod_grad(lib, values, upstream):
    x = lib.tensor(values, requires_grad=True)
    x.cumprod(0).backward(lib.tensor(upstream))
    return x.grad


def test_prod_cumprod_gradients_at_special_values():
    rng = np.random.default_rng(1)
    pool = [0.0, 1.0, 2.0, -1.5, INF, -INF, NAN, 1e30, 1e-30]
    for _ in range(400):
        values = rng.choice(pool, int(rng.integers(1, 7))).astype(np.float32)
        upstream = rng.choice([0.0, 1.0, -2.0], values.size).astype(np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compare(lambda L, x: x.cumprod(0), values)
            compare(lambda L, x: (x.prod(), x.reshape(1, -1).prod(1)), values)
            # upstream gradients with zeros: 0 * inf terms must come out where torch's do
            assert_same(_cumprod_grad(gradstep, values, upstream),
                        _cumprod_grad(torch, values, upstream),
                        what=f"cumprod grad at {values} for {upstream}")


# ----- odds and ends ------------------------------------------------------------------------------

@pytest.mark.parametrize("ord", [INF, 2, 1, "nuc"])
def test_empty_max_norms_are_outside_the_graph(ord):
    # a maximum over nothing: torch returns zeros that do not require grad
    results = [lib.linalg.matrix_norm(lib.zeros(0, 3, requires_grad=True), ord)
               for lib in (gradstep, torch)]
    assert [r.requires_grad for r in results] == [results[1].requires_grad] * 2
    assert (results[0].grad_fn is None) == (results[1].grad_fn is None)


def test_sort_stable_grad_fn_name():
    for kwargs in ({}, {"stable": True}, {"stable": False}):
        names = [lib.tensor([2.0, 1.0], requires_grad=True).sort(**kwargs).values.grad_fn.name()
                 for lib in (gradstep, torch)]
        assert names[0] == names[1], kwargs


def test_var_mean_of_float32_is_exact_to_its_last_bit():
    # torch accumulates var_mean in float64: its float32 results are the exact values, rounded
    x = (1000 + np.random.default_rng(3).standard_normal(500) * 0.01).astype(np.float32)
    g = [t.numpy() for t in gradstep.var_mean(gradstep.tensor(x))]
    t = [t.numpy() for t in torch.var_mean(torch.tensor(x))]
    assert g[0] == t[0] and g[1] == t[1]
    assert g[0] == np.float32(np.var(x.astype(np.float64), ddof=1))


def test_new_names_are_exported():
    assert gradstep.nanmedian(gradstep.tensor([NAN, 3.0, 1.0])).item() == 1.0
    assert gradstep.tensor([NAN, 3.0, 1.0]).nanmedian().item() == 1.0
    assert {"svdvals", "LinAlgError"} <= set(gradstep.linalg.__all__)
    assert issubclass(gradstep.linalg.LinAlgError, RuntimeError)
