"""Pooling against torch: max (values, flat indices, first-max ties, NaN), average
(ceil_mode, count_include_pad, divisor_override), adaptive, Lp and max-unpooling, in float32 and
float64, batched and unbatched; float64 finite differences; modules (repr, state_dict); errors."""
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd
from _modules import compare_module

DTYPES = [np.float32, np.float64]


def F(lib):
    return lib.nn.functional


# name -> (input shape, kwargs)
MAX2D = {
    "k2": ((2, 3, 8, 8), dict(kernel_size=2)),
    "k2_odd_size": ((2, 3, 7, 9), dict(kernel_size=2)),
    "k3_s2_p1": ((2, 3, 7, 6), dict(kernel_size=3, stride=2, padding=1)),
    "k3_s1_overlap": ((1, 2, 6, 5), dict(kernel_size=3, stride=1)),
    "rect_all": ((2, 2, 9, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1),
                                    dilation=(2, 1))),
    "ceil": ((2, 3, 7, 7), dict(kernel_size=2, ceil_mode=True)),
    "ceil_pad": ((1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "dilation_ceil": ((1, 2, 10, 9), dict(kernel_size=2, stride=3, dilation=2,
                                          ceil_mode=True)),
    "big_stride": ((2, 2, 9, 9), dict(kernel_size=2, stride=4)),
    "k1": ((2, 2, 3, 4), dict(kernel_size=1)),
    "unbatched": ((3, 6, 5), dict(kernel_size=2, stride=1, padding=1)),
    "batch1_whole": ((1, 1, 4, 4), dict(kernel_size=4)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(MAX2D))
def test_max_pool2d(name, dtype, rng):
    shape, kwargs = MAX2D[name]
    x = rng.standard_normal(shape).astype(dtype)
    compare(lambda lib, x: F(lib).max_pool2d(x, **kwargs), x)
    compare(lambda lib, x: F(lib).max_pool2d(x, return_indices=True, **kwargs), x)


@pytest.mark.parametrize("name", list(MAX2D))
def test_max_pool2d_ties_and_relu_zeros(name, rng):
    """Windows full of equal values (ReLU zeros, rounding): the first maximum wins, as torch."""
    shape, kwargs = MAX2D[name]
    x = np.maximum(np.round(rng.standard_normal(shape)), 0)
    compare(lambda lib, x: F(lib).max_pool2d(x, return_indices=True, **kwargs), x)


def test_max_pool2d_nan_and_inf():
    x = np.array([[[[1.0, np.nan, 2.0, np.nan], [np.nan, 0.0, -np.inf, -np.inf],
                    [3.0, 4.0, -np.inf, -np.inf], [np.inf, 1.0, -np.inf, -np.inf]]]])
    for kwargs in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                   dict(kernel_size=2, stride=1)):
        compare(lambda lib, x: F(lib).max_pool2d(x, return_indices=True, **kwargs), x)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (1, 1, 7, 9), (3, 5, 4), (2, 2, 2, 2),
                                   (4, 3, 11, 10)])
def test_max_pool2d_2x2_fast_path_ties_inf_nan(shape, dtype, rng):
    """2x2 stride-2 pooling has its own contiguous kernel: integer ties, -inf rows, and a NaN or
    inf (which send it to the general path) give torch's values, indices and gradients."""
    x = rng.integers(-3, 3, shape).astype(dtype)
    x.reshape(-1, shape[-1])[0, :3] = -np.inf
    compare(lambda lib, x: F(lib).max_pool2d(x, 2, return_indices=True), x)
    if len(shape) == 4 and shape[2] >= 4:
        x = rng.standard_normal(shape).astype(dtype)
        x[0, 0, 1, 3] = np.nan
        x[-1, -1, 2, 0], x[-1, -1, 2, 1] = np.inf, -np.inf
        compare(lambda lib, x: F(lib).max_pool2d(x, 2, return_indices=True), x)


def test_max_pool2d_all_minus_inf_with_padding():
    x = np.full((1, 1, 3, 3), -np.inf)
    compare(lambda lib, x: F(lib).max_pool2d(x, 2, 1, 1, return_indices=True), x)


MAX1D = {
    "k2": ((2, 3, 9), dict(kernel_size=2)),
    "k3_s2_p1_ceil": ((2, 3, 10), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "dilation": ((1, 2, 11), dict(kernel_size=3, dilation=2)),
    "unbatched": ((3, 8), dict(kernel_size=3, stride=1)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(MAX1D))
def test_max_pool1d(name, dtype, rng):
    shape, kwargs = MAX1D[name]
    x = rng.standard_normal(shape).astype(dtype)
    compare(lambda lib, x: F(lib).max_pool1d(x, return_indices=True, **kwargs), x)
    compare(lambda lib, x: F(lib).max_pool1d(x, **kwargs).grad_fn.name(), x, backward=False)


AVG2D = {
    "k2": ((2, 3, 8, 8), dict(kernel_size=2)),
    "k3_s2_p1": ((2, 3, 7, 6), dict(kernel_size=3, stride=2, padding=1)),
    "k3_s2_p1_nopad": ((2, 3, 7, 6), dict(kernel_size=3, stride=2, padding=1,
                                          count_include_pad=False)),
    "ceil_pad": ((1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "ceil_pad_nopad": ((1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                          count_include_pad=False)),
    "ceil_odd": ((2, 2, 7, 5), dict(kernel_size=2, ceil_mode=True)),
    "divisor": ((2, 2, 6, 6), dict(kernel_size=3, stride=1, padding=1, divisor_override=4)),
    "rect": ((2, 2, 9, 8), dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 0))),
    "overlap": ((1, 2, 6, 5), dict(kernel_size=3, stride=1)),
    "unbatched": ((3, 6, 5), dict(kernel_size=2, stride=1, padding=1)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(AVG2D))
def test_avg_pool2d(name, dtype, rng):
    shape, kwargs = AVG2D[name]
    compare(lambda lib, x: F(lib).avg_pool2d(x, **kwargs), rng.standard_normal(shape).astype(dtype))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                         count_include_pad=False)])
def test_avg_pool1d(kwargs, rng):
    compare(lambda lib, x: F(lib).avg_pool1d(x, **kwargs), rng.standard_normal((2, 3, 9)))
    compare(lambda lib, x: F(lib).avg_pool1d(x, **kwargs), rng.standard_normal((3, 9)))


ADAPTIVE = [(3, 4), 1, (1, 1), (5, None), (None, 3), (7, 6), (2, 5), (9, 8), 4]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", ADAPTIVE, ids=str)
def test_adaptive_pool2d(size, dtype, rng):
    x = rng.standard_normal((2, 3, 7, 6)).astype(dtype)
    compare(lambda lib, x: F(lib).adaptive_avg_pool2d(x, size), x)
    compare(lambda lib, x: F(lib).adaptive_max_pool2d(x, size, return_indices=True), x)
    compare(lambda lib, x: F(lib).adaptive_max_pool2d(x, size), x[0])


@pytest.mark.parametrize("size", [1, 3, 4, 9, 12])
def test_adaptive_pool1d(size, rng):
    x = rng.standard_normal((2, 3, 9))
    compare(lambda lib, x: F(lib).adaptive_avg_pool1d(x, size), x)
    compare(lambda lib, x: F(lib).adaptive_max_pool1d(x, size, return_indices=True), x)
    compare(lambda lib, x: F(lib).adaptive_avg_pool1d(x, size), x[0])


def test_adaptive_max_ties(rng):
    x = np.maximum(np.round(rng.standard_normal((2, 2, 7, 5))), 0)
    compare(lambda lib, x: F(lib).adaptive_max_pool2d(x, (3, 2), return_indices=True), x)


@pytest.mark.parametrize("norm", [1, 2, 3.0])
def test_lp_pool(norm, rng):
    x = np.abs(rng.standard_normal((2, 3, 6, 7))) + 0.1
    compare(lambda lib, x: F(lib).lp_pool2d(x, norm, 2), x)
    compare(lambda lib, x: F(lib).lp_pool2d(x, norm, (3, 2), stride=(1, 2), ceil_mode=True), x)
    compare(lambda lib, x: F(lib).lp_pool1d(x, norm, 3, stride=2), x[0])


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)])
def test_max_unpool(kwargs, rng):
    def fn(lib, x):
        out, idx = F(lib).max_pool2d(x, return_indices=True, **kwargs)
        return F(lib).max_unpool2d(out, idx, output_size=x.shape[-2:], **kwargs)
    compare(fn, rng.standard_normal((2, 3, 7, 8)))

    def fn1(lib, x):
        out, idx = F(lib).max_pool1d(x, return_indices=True, **kwargs)
        return F(lib).max_unpool1d(out, idx, **kwargs)
    compare(fn1, rng.standard_normal((2, 3, 9)))


GRADCHECK = {
    "max_pool2d": lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1, ceil_mode=True),
    "max_pool2d_overlap": lambda lib, x: F(lib).max_pool2d(x, 2, 1, dilation=(1, 2)),
    "max_pool1d": lambda lib, x: F(lib).max_pool1d(x[0], 2),
    "avg_pool2d": lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                   count_include_pad=False),
    "avg_pool1d": lambda lib, x: F(lib).avg_pool1d(x[0], 3, 1, 1),
    "adaptive_avg": lambda lib, x: F(lib).adaptive_avg_pool2d(x, (3, 2)),
    "adaptive_max": lambda lib, x: F(lib).adaptive_max_pool2d(x, (3, 4)),
    "lp_pool": lambda lib, x: F(lib).lp_pool2d(x, 2, 2),
    "unpool": lambda lib, x: F(lib).max_unpool2d(*F(lib).max_pool2d(x, 2, return_indices=True), 2),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(name, rng):
    gradcheck_fd(GRADCHECK[name], rng.standard_normal((1, 2, 5, 6)))


def test_grad_fn_names(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    for fn in (lambda lib, x: F(lib).max_pool2d(x, 2), lambda lib, x: F(lib).avg_pool2d(x, 2),
               lambda lib, x: F(lib).adaptive_avg_pool2d(x, 3),
               lambda lib, x: F(lib).adaptive_avg_pool2d(x, 1),
               lambda lib, x: F(lib).adaptive_max_pool2d(x, 3),
               lambda lib, x: F(lib).avg_pool1d(x[0], 2)):
        compare(lambda lib, x: fn(lib, x).grad_fn.name().rsplit("::")[-1], x, backward=False)


def test_no_grad_indices(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    with torch.no_grad(), gradstep.no_grad():
        compare(lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1, return_indices=True), x,
                backward=False)
        compare(lambda lib, x: F(lib).adaptive_max_pool2d(x, 4, return_indices=True), x,
                backward=False)


# ----- errors -----------------------------------------------------------------------------------

def _z(lib, *shape):
    return lib.zeros(*shape)


ERRORS = {
    "max2d_rank": lambda lib: F(lib).max_pool2d(_z(lib, 2, 3), 2),
    "max2d_pad": lambda lib: F(lib).max_pool2d(_z(lib, 2, 3, 8, 8), 2, padding=2),
    "max2d_small": lambda lib: F(lib).max_pool2d(_z(lib, 1, 1, 1, 1), 2),
    "max2d_kernel0": lambda lib: F(lib).max_pool2d(_z(lib, 2, 3, 8, 8), 0),
    "max2d_kernel0_stride": lambda lib: F(lib).max_pool2d(_z(lib, 2, 3, 8, 8), 0, stride=1),
    "max2d_stride0": lambda lib: F(lib).max_pool2d(_z(lib, 2, 3, 8, 8), 2, stride=0),
    "max2d_dilation0": lambda lib: F(lib).max_pool2d(_z(lib, 2, 3, 8, 8), 2, dilation=0),
    "max1d_rank": lambda lib: F(lib).max_pool1d(_z(lib, 3), 2),
    "max1d_small": lambda lib: F(lib).max_pool1d(_z(lib, 3, 1), 2),
    "max1d_kernel0": lambda lib: F(lib).max_pool1d(_z(lib, 3, 5), 0, stride=1),
    "max1d_stride0": lambda lib: F(lib).max_pool1d(_z(lib, 3, 5), 2, stride=0),
    "max1d_pad": lambda lib: F(lib).max_pool1d(_z(lib, 3, 5), 2, padding=2),
    "max1d_dilation0": lambda lib: F(lib).max_pool1d(_z(lib, 3, 5), 2, dilation=0),
    "avg2d_pad": lambda lib: F(lib).avg_pool2d(_z(lib, 2, 3, 8, 8), 2, padding=2),
    "avg2d_small": lambda lib: F(lib).avg_pool2d(_z(lib, 1, 1, 1, 1), 2),
    "avg2d_divisor0": lambda lib: F(lib).avg_pool2d(_z(lib, 2, 3, 8, 8), 2, divisor_override=0),
    "avg1d_rank": lambda lib: F(lib).avg_pool1d(_z(lib, 3), 2),
    "avg1d_stride0": lambda lib: F(lib).avg_pool1d(_z(lib, 3, 5), 2, stride=0),
    "adaptive_avg_rank": lambda lib: F(lib).adaptive_avg_pool2d(_z(lib, 3), 2),
    "adaptive_max_rank": lambda lib: F(lib).adaptive_max_pool2d(_z(lib, 3), 2),
    "adaptive_avg1d_rank": lambda lib: F(lib).adaptive_avg_pool1d(_z(lib, 3), 2),
    "adaptive_max1d_rank": lambda lib: F(lib).adaptive_max_pool1d(_z(lib, 3), 2),
    "adaptive_size": lambda lib: F(lib).adaptive_avg_pool2d(_z(lib, 2, 3, 8, 8), (2, 3, 4)),
    "unpool_index": lambda lib: F(lib).max_unpool2d(
        _z(lib, 1, 1, 2, 2), lib.tensor([[[[0, 1], [2, 99]]]]), 2),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    with pytest.raises(Exception) as t_err:
        ERRORS[name](torch)
    with pytest.raises(type(t_err.value), match=re.escape(str(t_err.value))):
        ERRORS[name](gradstep)


# ----- modules ----------------------------------------------------------------------------------

MODULES = {
    "MaxPool2d": (lambda lib: lib.nn.MaxPool2d(2), (2, 3, 8, 8)),
    "MaxPool2d_all": (lambda lib: lib.nn.MaxPool2d((3, 2), (2, 1), 1, (1, 2), ceil_mode=True),
                      (2, 3, 9, 8)),
    "MaxPool2d_indices": (lambda lib: lib.nn.MaxPool2d(2, return_indices=True), (2, 3, 6, 6)),
    "MaxPool1d": (lambda lib: lib.nn.MaxPool1d(3, ceil_mode=True), (2, 3, 10)),
    "AvgPool2d": (lambda lib: lib.nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 8, 7)),
    "AvgPool2d_divisor": (lambda lib: lib.nn.AvgPool2d(2, divisor_override=3), (2, 3, 8, 7)),
    "AvgPool1d": (lambda lib: lib.nn.AvgPool1d(2), (2, 3, 9)),
    "AdaptiveAvgPool2d": (lambda lib: lib.nn.AdaptiveAvgPool2d((2, None)), (2, 3, 7, 6)),
    "AdaptiveAvgPool1d": (lambda lib: lib.nn.AdaptiveAvgPool1d(4), (2, 3, 9)),
    "AdaptiveMaxPool2d": (lambda lib: lib.nn.AdaptiveMaxPool2d(3, return_indices=True),
                          (2, 3, 7, 6)),
    "AdaptiveMaxPool1d": (lambda lib: lib.nn.AdaptiveMaxPool1d(4), (2, 3, 9)),
    "LPPool2d": (lambda lib: lib.nn.LPPool2d(2, 3, stride=2), (2, 3, 7, 6)),
    "LPPool1d": (lambda lib: lib.nn.LPPool1d(1.5, 2), (2, 3, 9)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(MODULES))
def test_modules_match_torch(name, dtype, rng):
    make, shape = MODULES[name]
    x = rng.standard_normal(shape)
    if name.startswith("LP"):
        x = np.abs(x) + 0.1
    compare_module(make, x, dtype=dtype)


def test_max_unpool_modules(rng):
    x = rng.standard_normal((2, 3, 6, 6))

    def call(lib):
        pool, unpool = lib.nn.MaxPool2d(2, return_indices=True), lib.nn.MaxUnpool2d(2)
        return lambda m, x: unpool(*pool(x))
    for lib in (gradstep, torch):
        assert repr(lib.nn.MaxUnpool2d(2)) == repr(torch.nn.MaxUnpool2d(2))
        assert repr(lib.nn.MaxUnpool1d(3, 2, 1)) == repr(torch.nn.MaxUnpool1d(3, 2, 1))
    compare(lambda lib, x: call(lib)(None, x), x)


# ----- double backward (create_graph=True) ------------------------------------------------------

DOUBLE = {
    "max_pool2d": lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1),
    "max_pool2d_tile": lambda lib, x: F(lib).max_pool2d(x, 2),
    "avg_pool2d": lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, ceil_mode=True),
    "adaptive_avg": lambda lib, x: F(lib).adaptive_avg_pool2d(x, (3, 2)),
    "adaptive_max": lambda lib, x: F(lib).adaptive_max_pool2d(x, (3, 4)),
    "max_unpool": lambda lib, x: F(lib).max_unpool2d(*F(lib).max_pool2d(x, 2, return_indices=True),
                                                     2),
    "pad_const": lambda lib, x: F(lib).pad(x, (1, 2, -1, 1), value=3.0),
    "pad_reflect": lambda lib, x: F(lib).pad(x, (1, 2, 2, 1), mode="reflect"),
    "pad_circular": lambda lib, x: F(lib).pad(x, (1, 2, 2, 1), mode="circular"),
    "interp_bilinear": lambda lib, x: F(lib).interpolate(x, scale_factor=1.5, mode="bilinear"),
    "interp_nearest": lambda lib, x: F(lib).interpolate(x, size=(4, 9)),
    "pixel_unshuffle": lambda lib, x: F(lib).pixel_unshuffle(x, 2),
    "pixel_shuffle": lambda lib, x: F(lib).pixel_shuffle(x, 1),
    "unfold": lambda lib, x: F(lib).unfold(x, 2, padding=1),
    "fold": lambda lib, x: F(lib).fold(x.reshape(2, 8, 9), (4, 4), 2),
}


@pytest.mark.parametrize("name", list(DOUBLE))
def test_double_backward(name, rng):
    def fn(lib, x):
        y = DOUBLE[name](lib, x)
        g, = lib.autograd.grad((y * y * y).sum(), x, create_graph=True)
        return (g * g).sum()
    x = rng.standard_normal((2, 2, 6, 6))
    compare(fn, x)
