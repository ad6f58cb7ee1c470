"""Convolutions against torch: conv1d/2d/3d and conv_transpose1d/2d/3d over a table of every option
(stride, padding int/tuple/'valid'/'same', dilation, groups, bias, 1x1 kernels, odd sizes, batch
of 1, unbatched), outputs and input/weight/bias gradients in float32 and float64, float64 finite
differences, double backward, the modules (repr, state_dict, init, padding modes) and errors."""
import math
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd
from _modules import compare_module

DTYPES = [np.float32, np.float64]
TOL32 = dict(rtol=1e-4, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4)


def F(lib):
    return lib.nn.functional


# name -> (nd, input shape, weight shape, bias?, kwargs)
CONV_CASES = {
    "1d_plain": (1, (2, 3, 9), (4, 3, 3), True, {}),
    "1d_stride_pad": (1, (2, 3, 10), (4, 3, 4), True, dict(stride=3, padding=2)),
    "1d_dilation_groups": (1, (1, 4, 11), (6, 2, 3), False, dict(dilation=2, groups=2)),
    "1d_same_even": (1, (2, 3, 7), (2, 3, 4), True, dict(padding="same")),
    "1d_same_dilated": (1, (2, 3, 9), (2, 3, 3), True, dict(padding="same", dilation=3)),
    "1d_valid": (1, (2, 3, 6), (2, 3, 6), True, dict(padding="valid")),
    "1d_unbatched": (1, (3, 8), (2, 3, 3), True, dict(padding=1)),
    "2d_plain": (2, (2, 3, 7, 6), (4, 3, 3, 3), True, {}),
    "2d_1x1": (2, (2, 5, 4, 3), (3, 5, 1, 1), True, {}),
    "2d_1x1_stride": (2, (2, 5, 5, 7), (3, 5, 1, 1), False, dict(stride=2)),
    "2d_stride_pad_tuple": (2, (2, 3, 9, 8), (4, 3, 3, 2), True, dict(stride=(2, 3),
                                                                      padding=(1, 2))),
    "2d_dilation": (2, (1, 2, 9, 10), (3, 2, 3, 3), True, dict(dilation=(2, 3), padding=2)),
    "2d_groups": (2, (2, 6, 5, 5), (9, 2, 3, 3), True, dict(groups=3, padding=1)),
    "2d_depthwise": (2, (2, 4, 6, 6), (8, 1, 3, 3), True, dict(groups=4, stride=2)),
    "2d_same_odd": (2, (2, 3, 5, 6), (2, 3, 3, 5), True, dict(padding="same")),
    "2d_same_even": (2, (2, 3, 6, 5), (2, 3, 4, 2), True, dict(padding="same")),
    "2d_same_even_dilated": (2, (1, 2, 7, 7), (2, 2, 2, 4), True, dict(padding="same",
                                                                      dilation=(2, 3))),
    "2d_valid": (2, (2, 3, 5, 5), (2, 3, 5, 5), True, dict(padding="valid")),
    "2d_big_stride": (2, (2, 2, 9, 9), (3, 2, 2, 2), True, dict(stride=4)),
    "2d_kernel_equals_input": (2, (3, 2, 4, 4), (5, 2, 4, 4), True, {}),
    "2d_batch1_all": (2, (1, 4, 11, 9), (6, 2, 3, 2), True, dict(stride=(2, 1), padding=(2, 1),
                                                                 dilation=(1, 2), groups=2)),
    "2d_unbatched": (2, (3, 6, 5), (2, 3, 3, 3), True, dict(stride=2, padding=1)),
    "3d_plain": (3, (2, 2, 4, 5, 4), (3, 2, 2, 3, 2), True, dict(stride=(1, 2, 1), padding=1)),
    "3d_groups_dilation": (3, (1, 4, 5, 5, 5), (4, 2, 2, 2, 2), False, dict(groups=2,
                                                                           dilation=2)),
}


def _conv_fn(nd, kwargs):
    def fn(lib, x, w, *b):
        return getattr(F(lib), f"conv{nd}d")(x, w, b[0] if b else None, **kwargs)
    return fn


def _arrays(rng, x_shape, w_shape, bias, dtype):
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        arrays.append(rng.standard_normal(w_shape[0]))
    return [a.astype(dtype) for a in arrays]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CONV_CASES))
def test_conv_matches_torch(name, dtype, rng):
    nd, x_shape, w_shape, bias, kwargs = CONV_CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's even-kernel 'same' warning, checked below
        compare(_conv_fn(nd, kwargs), *_arrays(rng, x_shape, w_shape, bias, dtype),
                **(TOL32 if dtype == np.float32 else {}))


@pytest.mark.parametrize("name", ["1d_stride_pad", "1d_same_even", "2d_stride_pad_tuple",
                                  "2d_groups", "2d_same_even_dilated", "2d_unbatched",
                                  "2d_big_stride", "3d_groups_dilation"])
def test_conv_gradcheck(name, rng):
    nd, x_shape, w_shape, bias, kwargs = CONV_CASES[name]
    x_shape = x_shape[:-1] + (min(x_shape[-1], 6),)
    if nd == 3:
        x_shape = (1, 4, 4, 4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck_fd(_conv_fn(nd, kwargs), *_arrays(rng, x_shape, w_shape, bias, np.float64))


# name -> (nd, input shape, weight shape (Cin, Cout/g, *K), bias?, kwargs)
CONV_T_CASES = {
    "1d_plain": (1, (2, 3, 5), (3, 2, 3), True, {}),
    "1d_stride_outpad": (1, (2, 4, 6), (4, 3, 3), True, dict(stride=2, padding=1,
                                                            output_padding=1)),
    "1d_unbatched_groups": (1, (4, 5), (4, 1, 2), False, dict(groups=2, dilation=2)),
    "2d_plain": (2, (2, 3, 4, 5), (3, 2, 3, 3), True, {}),
    "2d_stride_pad": (2, (2, 3, 4, 4), (3, 4, 3, 3), True, dict(stride=2, padding=1,
                                                               output_padding=1)),
    "2d_tuple_all": (2, (1, 4, 5, 3), (4, 3, 2, 3), True, dict(stride=(2, 3), padding=(1, 0),
                                                              output_padding=(1, 2), groups=2,
                                                              dilation=(2, 1))),
    "2d_outpad_below_dilation": (2, (2, 2, 4, 4), (2, 2, 3, 3), True,
                                 dict(dilation=3, output_padding=2)),
    "2d_1x1": (2, (2, 5, 3, 3), (5, 2, 1, 1), True, {}),
    "2d_unbatched": (2, (3, 4, 4), (3, 2, 2, 2), True, dict(stride=2)),
    "3d_stride": (3, (1, 2, 3, 3, 2), (2, 2, 2, 2, 2), True, dict(stride=2, padding=(1, 0, 0))),
}


def _conv_t_fn(nd, kwargs):
    def fn(lib, x, w, *b):
        return getattr(F(lib), f"conv_transpose{nd}d")(x, w, b[0] if b else None, **kwargs)
    return fn


def _t_arrays(rng, x_shape, w_shape, bias, dtype, groups):
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        arrays.append(rng.standard_normal(w_shape[1] * groups))
    return [a.astype(dtype) for a in arrays]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CONV_T_CASES))
def test_conv_transpose_matches_torch(name, dtype, rng):
    nd, x_shape, w_shape, bias, kwargs = CONV_T_CASES[name]
    compare(_conv_t_fn(nd, kwargs),
            *_t_arrays(rng, x_shape, w_shape, bias, dtype, kwargs.get("groups", 1)),
            **(TOL32 if dtype == np.float32 else {}))


@pytest.mark.parametrize("name", ["1d_stride_outpad", "2d_tuple_all", "2d_unbatched"])
def test_conv_transpose_gradcheck(name, rng):
    nd, x_shape, w_shape, bias, kwargs = CONV_T_CASES[name]
    gradcheck_fd(_conv_t_fn(nd, kwargs),
                 *_t_arrays(rng, x_shape, w_shape, bias, np.float64, kwargs.get("groups", 1)))


def test_grad_fn_names(rng):
    x = gradstep.randn(2, 3, 5, 5, requires_grad=True)
    w = gradstep.randn(4, 3, 3, 3, requires_grad=True)
    assert type(gradstep.nn.functional.conv2d(x, w).grad_fn).__name__ != ""
    assert gradstep.nn.functional.conv2d(x, w).grad_fn.name() == "ConvolutionBackward0"
    assert gradstep.nn.functional.conv2d(x[0], w).grad_fn.name() == "SqueezeBackward1"
    wt = gradstep.randn(3, 2, 3, 3, requires_grad=True)
    assert gradstep.nn.functional.conv_transpose2d(x, wt).grad_fn.name() == \
        "ConvolutionBackward0"


@pytest.mark.parametrize("transposed", [False, True])
def test_double_backward(transposed, rng):
    """Gradients of gradients (create_graph=True), as a gradient penalty needs them."""
    x = rng.standard_normal((2, 4, 6, 5))
    w = rng.standard_normal((4, 2, 3, 2))
    b = rng.standard_normal(4 if not transposed else 4)

    def fn(lib, x, w, b):
        conv = F(lib).conv_transpose2d if transposed else F(lib).conv2d
        y = conv(x, w, b, stride=2, padding=1, groups=2)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx * gx).sum() + (gw ** 3).sum()
    compare(fn, x, w, b)


_WARN_SCRIPT = """
import warnings, numpy as np, sys
lib = __import__(sys.argv[1])
x, w = np.ones((1, 1, 5, 5), np.float32), np.ones((1, 1, 2, 2), np.float32)
with warnings.catch_warnings(record=True) as rec:
    warnings.simplefilter("always")
    for _ in range(2):  # torch warns once per process
        lib.nn.functional.conv2d(lib.tensor(x), lib.tensor(w), padding="same")
print(repr([(r.category.__name__, str(r.message)) for r in rec]))
"""


def test_same_even_kernel_warns_like_torch(monkeypatch):
    import subprocess
    import sys
    from gradstep.nn._functional import conv as conv_impl
    # torch's warning is once per process: read it from a fresh one, and reset gradstep's flag
    t_out = subprocess.run([sys.executable, "-c", _WARN_SCRIPT, "torch"], capture_output=True,
                           text=True, check=True).stdout
    monkeypatch.setattr(conv_impl, "_warned_same", [])
    g_out = subprocess.run([sys.executable, "-c", _WARN_SCRIPT, "gradstep"],
                           capture_output=True, text=True, check=True).stdout
    assert g_out == t_out and "zero-padded" in t_out


def test_empty_batch(rng):
    compare(_conv_fn(2, dict(padding=1)), np.zeros((0, 3, 5, 5)), rng.standard_normal((2, 3, 3, 3)))


# ----- errors -----------------------------------------------------------------------------------

def _x(*shape, dtype="float32"):
    return lambda lib: lib.zeros(*shape, dtype=getattr(lib, dtype))


ERRORS = {
    "rank": lambda lib: F(lib).conv2d(lib.zeros(2, 3), lib.zeros(4, 3, 3, 3)),
    "rank_1d": lambda lib: F(lib).conv1d(lib.zeros(3), lib.zeros(2, 3, 5)),
    "too_small": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 2, 2), lib.zeros(4, 3, 3, 3)),
    "too_small_1d": lambda lib: F(lib).conv1d(lib.zeros(3, 3), lib.zeros(2, 3, 5)),
    "channels": lambda lib: F(lib).conv2d(lib.zeros(2, 5, 8, 8), lib.zeros(4, 3, 3, 3)),
    "groups_channels": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 3, 3, 3),
                                                 groups=2),
    "groups_out": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 1, 3, 3),
                                            groups=3),
    "same_strided": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 3, 3, 3),
                                              stride=2, padding="same"),
    "bad_padding_string": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8),
                                                    lib.zeros(4, 3, 3, 3), padding="foo"),
    "bias_size": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 3, 3, 3),
                                           lib.zeros(3)),
    "weight_rank": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 3, 3)),
    "stride_zero": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 3, 3, 3),
                                             stride=0),
    "negative_padding": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 3, 3, 3),
                                                  padding=-1),
    "dilation_zero": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8), lib.zeros(4, 3, 3, 3),
                                               dilation=0),
    "dtype_mismatch": lambda lib: F(lib).conv2d(lib.zeros(2, 3, 8, 8, dtype=lib.float64),
                                                lib.zeros(4, 3, 3, 3)),
    "t_output_padding": lambda lib: F(lib).conv_transpose2d(
        lib.zeros(2, 3, 4, 4), lib.zeros(3, 2, 3, 3), output_padding=1),
    "t_output_padding_1d": lambda lib: F(lib).conv_transpose1d(
        lib.zeros(1, 2, 5), lib.zeros(2, 2, 3), output_padding=1),
    "t_output_padding_3d": lambda lib: F(lib).conv_transpose3d(
        lib.zeros(1, 2, 3, 3, 3), lib.zeros(2, 2, 3, 3, 3), output_padding=1),
    "t_channels": lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 3, 4, 4),
                                                      lib.zeros(4, 2, 3, 3)),
    "t_padding_string": lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 3, 4, 4),
                                                            lib.zeros(3, 2, 3, 3),
                                                            padding="same"),
    "module_groups": lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    "module_out_groups": lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    "module_groups_zero": lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0),
    "module_same_strided": lambda lib: lib.nn.Conv2d(4, 4, 3, stride=2, padding="same"),
    "module_t_reflect": lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
    "module_t_output_size": lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, stride=2)(
        lib.zeros(1, 4, 3, 3), output_size=(10, 10)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    with pytest.raises(Exception) as t_err:
        ERRORS[name](torch)
    with pytest.raises(type(t_err.value), match=re.escape(str(t_err.value))):
        ERRORS[name](gradstep)


def test_module_padding_string_errors():
    """Their messages print a set, whose order is the interpreter's: compare the type and lead."""
    for kwargs in (dict(padding="foo"), dict(padding_mode="foo")):
        with pytest.raises(ValueError) as t_err:
            torch.nn.Conv2d(3, 4, 3, **kwargs)
        with pytest.raises(ValueError, match=re.escape(str(t_err.value).split("{")[0])):
            gradstep.nn.Conv2d(3, 4, 3, **kwargs)


# ----- modules ----------------------------------------------------------------------------------

MODULES = {
    "conv1d": (lambda lib: lib.nn.Conv1d(3, 4, 3), (2, 3, 9)),
    "conv1d_same_reflect": (lambda lib: lib.nn.Conv1d(3, 4, 4, padding="same",
                                                      padding_mode="reflect"), (2, 3, 9)),
    "conv1d_unbatched": (lambda lib: lib.nn.Conv1d(3, 2, 2, stride=2, bias=False), (3, 7)),
    "conv2d": (lambda lib: lib.nn.Conv2d(3, 6, 5, padding=2), (2, 3, 8, 8)),
    "conv2d_all": (lambda lib: lib.nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2),
                                             dilation=(1, 2), groups=2, bias=False),
                   (2, 4, 9, 8)),
    "conv2d_valid": (lambda lib: lib.nn.Conv2d(3, 2, 3, padding="valid"), (1, 3, 5, 5)),
    "conv2d_circular": (lambda lib: lib.nn.Conv2d(3, 2, 3, padding=(1, 2),
                                                  padding_mode="circular"), (2, 3, 6, 5)),
    "conv2d_replicate": (lambda lib: lib.nn.Conv2d(3, 2, 3, padding=1,
                                                   padding_mode="replicate"), (2, 3, 6, 5)),
    "conv2d_reflect_same": (lambda lib: lib.nn.Conv2d(3, 2, (2, 3), padding="same",
                                                      padding_mode="reflect"), (2, 3, 6, 5)),
    "conv2d_unbatched": (lambda lib: lib.nn.Conv2d(3, 2, 3), (3, 5, 5)),
    "conv3d": (lambda lib: lib.nn.Conv3d(2, 3, 2, stride=(1, 2, 1), padding=1), (1, 2, 4, 4, 3)),
    "conv_t1d": (lambda lib: lib.nn.ConvTranspose1d(3, 4, 3, stride=2, output_padding=1),
                 (2, 3, 5)),
    "conv_t2d": (lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, 2, 1, 1, groups=2), (2, 4, 4, 3)),
    "conv_t2d_nobias_dilation": (lambda lib: lib.nn.ConvTranspose2d(3, 2, 2, bias=False,
                                                                    dilation=2), (1, 3, 4, 4)),
    "conv_t3d": (lambda lib: lib.nn.ConvTranspose3d(2, 2, 2, stride=2), (1, 2, 2, 3, 2)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(MODULES))
def test_modules_match_torch(name, dtype, rng):
    make, shape = MODULES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_module(make, rng.standard_normal(shape), dtype=dtype,
                       **(TOL32 if dtype == np.float32 else {}))


def test_conv_transpose_output_size(rng):
    x = rng.standard_normal((1, 4, 3, 3))
    for size in ((7, 7), (8, 8), [1, 4, 8, 7]):
        compare_module(lambda lib: lib.nn.ConvTranspose2d(4, 2, 3, stride=2), x,
                       call=lambda m, x: m(x, output_size=size), **TOL32)


@pytest.mark.parametrize("name", list(MODULES))
def test_default_init(name):
    """kaiming_uniform_(a=sqrt(5)) weights and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) bias: both
    bounded by 1/sqrt(fan_in), fan_in = weight.size(1) * prod(kernel_size), as torch."""
    make, _ = MODULES[name]
    g, t = make(gradstep), make(torch)
    fan_in = t.weight.shape[1] * math.prod(t.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)
    w = g.weight.detach().numpy()
    assert w.shape == tuple(t.weight.shape) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.5 * bound
    assert (g.bias is None) == (t.bias is None)
    if g.bias is not None:
        assert np.abs(g.bias.detach().numpy()).max() <= bound
    assert [k for k, _ in g.named_parameters()] == [k for k, _ in t.named_parameters()]


def test_module_attributes_match_torch():
    for make, _ in MODULES.values():
        g, t = make(gradstep), make(torch)
        for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                     "dilation", "transposed", "output_padding", "groups", "padding_mode",
                     "_reversed_padding_repeated_twice"):
            assert getattr(g, attr) == getattr(t, attr), attr


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_of_a_feature_map_matches_torch(dtype):
    """F.relu on a large contiguous feature map takes a vectorised path: values (NaN, inf,
    signed zeros included) and gradients equal torch's."""
    x = np.random.default_rng(0).standard_normal((4, 3, 20, 20)).astype(dtype)
    x[0, 0, 0, :6] = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0]
    compare(lambda lib, a: F(lib).relu(a), x)
    compare(lambda lib, a: F(lib).relu(a.transpose(2, 3)), x)  # non-contiguous: general path


def _random_stride1_case(seed):
    """A random stride-1 conv2d or conv_transpose2d (groups, dilation, padding, output
    padding): the "wide" layout's input-gradient path is built from shifted copies."""
    r = np.random.default_rng(seed)
    groups, cin, cout = int(r.choice([1, 2, 3])), int(r.integers(1, 4)), int(r.integers(1, 4))
    kh, kw = (int(v) for v in r.integers(1, 5, 2))
    dh, dw = (int(v) for v in r.integers(1, 3, 2))
    ph, pw = (int(v) for v in r.integers(0, 3, 2))
    n = int(r.integers(1, 4))
    h, w = int(r.integers(dh * (kh - 1) + 1, 10)), int(r.integers(dw * (kw - 1) + 1, 10))
    x = r.standard_normal((n, groups * cin, h, w))
    b = r.standard_normal(groups * cout)
    if seed % 3 == 0:
        weight = r.standard_normal((groups * cin, cout, kh, kw))
        out_pad = (int(r.integers(0, dh)), int(r.integers(0, dw)))
        # keep the output at least 1 wide: padding may not eat it all
        ph = min(ph, (h + dh * (kh - 1) + out_pad[0] - 1) // 2)
        pw = min(pw, (w + dw * (kw - 1) + out_pad[1] - 1) // 2)
        return (lambda lib, x, wt, b: F(lib).conv_transpose2d(x, wt, b, 1, (ph, pw), out_pad,
                                                              groups, (dh, dw))), x, weight, b
    weight = r.standard_normal((groups * cout, cin, kh, kw))
    return (lambda lib, x, wt, b: F(lib).conv2d(x, wt, b, 1, (ph, pw), (dh, dw), groups)), \
        x, weight, b


@pytest.mark.parametrize("seed", range(40))
def test_random_stride1_convolutions_match_torch(seed):
    fn, x, weight, b = _random_stride1_case(seed)
    compare(fn, x, weight, b)


# (function, input shape, weight shape, input dtype, weight dtype, bias dtype: "w" = the
# weight's, None = no bias): torch checks the bias against the input first, then the weight; a
# transposed convolution checks only the weight and casts the bias
CONV_DTYPE_CASES = [
    (name, x_shape, w_shape, x_dtype, w_dtype, b_dtype)
    for name, x_shape, w_shape in [("conv2d", (1, 3, 4, 4), (2, 3, 1, 1)),
                                   ("conv1d", (1, 3, 4), (2, 3, 1)),
                                   ("conv_transpose2d", (1, 3, 4, 4), (3, 2, 1, 1))]
    for x_dtype, w_dtype, b_dtype in [
        ("float64", None, None), ("float64", None, "w"), (None, None, "float64"),
        (None, "float64", "float64"), (None, "float64", None), ("int64", None, "w"),
        ("float16", None, "w"), ("float64", "float64", "float16"), ("int64", "int64", "w"),
        (None, None, "int64")]]


@pytest.mark.parametrize("name, x_shape, w_shape, x_dtype, w_dtype, b_dtype", CONV_DTYPE_CASES,
                         ids=str)
def test_conv_dtype_checks_match_torch(name, x_shape, w_shape, x_dtype, w_dtype, b_dtype):
    from _outcome import assert_same_outcome

    def run(lib):
        def dtype(d):
            return None if d is None else getattr(lib, d)
        x = lib.ones(*x_shape, dtype=dtype(x_dtype))
        w = lib.ones(*w_shape, dtype=dtype(w_dtype))
        b = None if b_dtype is None else lib.ones(2, dtype=w.dtype if b_dtype == "w" else
                                                  dtype(b_dtype))
        out = getattr(lib.nn.functional, name)(x, w, b)
        return out, out.dtype
    assert_same_outcome(run)
