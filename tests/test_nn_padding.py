"""F.pad (every mode, negative pads), interpolate (nearest, nearest-exact, linear, bilinear,
trilinear, area; size and scale_factor; align_corners), pixel_shuffle/unshuffle and unfold/fold
against torch: values, gradients, float64 finite differences, modules, errors and warnings."""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd
from _modules import compare_module

DTYPES = [np.float32, np.float64]


def F(lib):
    return lib.nn.functional


# name -> (input shape, pad, mode, value)
PADS = {
    "const_1d": ((2, 3, 5), (1, 2), "constant", None),
    "const_value": ((2, 3, 5, 4), (1, 2, 0, 3), "constant", 2.5),
    "const_negative": ((2, 3, 5, 4), (-1, 2, 1, -2), "constant", None),
    "const_3dims": ((2, 3, 4, 5), (1, 0, 2, 1, 1, 1), "constant", -1.0),
    "const_all_dims": ((2, 3), (1, 1, 1, 1), "constant", None),
    "reflect_1d": ((2, 3, 5), (2, 4), "reflect", None),
    "reflect_1d_unbatched": ((3, 5), (3, 1), "reflect", None),
    "reflect_2d": ((2, 3, 5, 4), (1, 3, 2, 0), "reflect", None),
    "reflect_3d": ((1, 2, 3, 4, 5), (1, 1, 2, 1, 0, 2), "reflect", None),
    "reflect_negative": ((2, 3, 6), (-1, 2), "reflect", None),
    "replicate_1d": ((2, 3, 5), (3, 2), "replicate", None),
    "replicate_2d": ((2, 3, 5, 4), (1, 6, 2, 3), "replicate", None),
    "replicate_negative": ((2, 3, 6), (2, -1), "replicate", None),
    "circular_1d": ((2, 3, 5), (2, 5), "circular", None),
    "circular_2d": ((2, 3, 5, 4), (1, 3, 2, 0), "circular", None),
    "circular_negative": ((2, 3, 6), (-1, 2), "circular", None),
    "circular_negative_left": ((2, 3, 6), (2, -1), "circular", None),
    "circular_3d": ((1, 2, 3, 4, 5), (1, 1, 2, 1, 0, 2), "circular", None),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(PADS))
def test_pad(name, dtype, rng):
    shape, pad, mode, value = PADS[name]
    compare(lambda lib, x: F(lib).pad(x, pad, mode=mode, value=value),
            rng.standard_normal(shape).astype(dtype))


def test_pad_integer_input():
    x = np.arange(10).reshape(2, 5)
    compare(lambda lib, x: F(lib).pad(x, (1, 2), value=2.7), x)
    compare(lambda lib, x: F(lib).pad(x[None], (2, 2), mode="reflect"), x)


@pytest.mark.parametrize("name", ["const_negative", "reflect_2d", "replicate_2d", "circular_2d",
                                  "circular_negative"])
def test_pad_gradcheck(name, rng):
    shape, pad, mode, value = PADS[name]
    gradcheck_fd(lambda lib, x: F(lib).pad(x, pad, mode=mode, value=value),
                 rng.standard_normal((1,) + shape[1:]))


# name -> (input shape, kwargs)
INTERP = {
    "nearest_scale2": ((2, 3, 4, 5), dict(scale_factor=2)),
    "nearest_size": ((2, 3, 4, 5), dict(size=(7, 3))),
    "nearest_frac_scale": ((2, 3, 5, 6), dict(scale_factor=(1.7, 0.6))),
    "nearest_1d": ((2, 3, 5), dict(scale_factor=2.5)),
    "nearest_3d": ((1, 2, 3, 4, 2), dict(size=(5, 3, 4))),
    "nearest_exact": ((2, 3, 5, 6), dict(scale_factor=(1.7, 0.6), mode="nearest-exact")),
    "nearest_exact_size": ((2, 3, 5, 6), dict(size=9, mode="nearest-exact")),
    "linear": ((2, 3, 5), dict(scale_factor=1.5, mode="linear")),
    "linear_align": ((2, 3, 5), dict(size=9, mode="linear", align_corners=True)),
    "linear_down": ((2, 3, 9), dict(size=4, mode="linear")),
    "bilinear": ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear")),
    "bilinear_align": ((2, 3, 4, 5), dict(size=(7, 8), mode="bilinear", align_corners=True)),
    "bilinear_frac": ((2, 3, 6, 5), dict(scale_factor=(0.7, 1.3), mode="bilinear")),
    "bilinear_recompute": ((2, 3, 6, 5), dict(scale_factor=2.3, mode="bilinear",
                                              recompute_scale_factor=True)),
    "bilinear_to_one": ((2, 3, 6, 5), dict(size=(1, 1), mode="bilinear", align_corners=True)),
    "trilinear": ((1, 2, 3, 4, 2), dict(scale_factor=2, mode="trilinear")),
    "trilinear_align": ((1, 2, 3, 4, 2), dict(size=(4, 3, 5), mode="trilinear",
                                              align_corners=True)),
    "area": ((2, 3, 7, 6), dict(size=(3, 4), mode="area")),
    "area_1d": ((2, 3, 7), dict(size=3, mode="area")),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(INTERP))
def test_interpolate(name, dtype, rng):
    shape, kwargs = INTERP[name]
    compare(lambda lib, x: F(lib).interpolate(x, **kwargs),
            rng.standard_normal(shape).astype(dtype))
    compare(lambda lib, x: F(lib).interpolate(x, **kwargs).grad_fn.name().rsplit("::")[-1],
            rng.standard_normal(shape).astype(dtype), backward=False)


@pytest.mark.parametrize("name", ["nearest_frac_scale", "bilinear_frac", "linear_align",
                                  "trilinear"])
def test_interpolate_gradcheck(name, rng):
    shape, kwargs = INTERP[name]
    gradcheck_fd(lambda lib, x: F(lib).interpolate(x, **kwargs),
                 rng.standard_normal((1,) + shape[1:]))


@pytest.mark.parametrize("fn", ["upsample", "upsample_nearest", "upsample_bilinear"])
def test_deprecated_upsample_warns(fn, rng):
    x = rng.standard_normal((1, 2, 3, 3))
    records = {}
    for lib in (torch, gradstep):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            getattr(F(lib), fn)(lib.tensor(x), scale_factor=2)
        records[lib] = [(r.category, str(r.message)) for r in rec]
    assert records[gradstep] == records[torch] and records[torch]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x: getattr(F(lib), fn)(x, scale_factor=2), x)


@pytest.mark.parametrize("r", [1, 2, 3])
def test_pixel_shuffle(r, rng):
    compare(lambda lib, x: F(lib).pixel_shuffle(x, r), rng.standard_normal((2, 2 * r * r, 3, 2)))
    compare(lambda lib, x: F(lib).pixel_shuffle(x, r), rng.standard_normal((2 * r * r, 3, 2)))
    compare(lambda lib, x: F(lib).pixel_shuffle(x, r),
            rng.standard_normal((2, 2, r * r, 3, 2)))
    compare(lambda lib, x: F(lib).pixel_unshuffle(x, r), rng.standard_normal((2, 3, 2 * r, r)))
    compare(lambda lib, x: F(lib).pixel_unshuffle(x, r).grad_fn.name(),
            rng.standard_normal((2, 3, 2 * r, r)), backward=False)


# name -> (input shape, kwargs)
UNFOLD = {
    "k2": ((2, 3, 4, 5), dict(kernel_size=2)),
    "all": ((2, 3, 7, 6), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=2)),
    "unbatched": ((3, 4, 4), dict(kernel_size=3, padding=1)),
    "1x1": ((1, 2, 3, 3), dict(kernel_size=1)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNFOLD))
def test_unfold_fold(name, dtype, rng):
    shape, kwargs = UNFOLD[name]
    x = rng.standard_normal(shape).astype(dtype)
    compare(lambda lib, x: F(lib).unfold(x, **kwargs), x)
    cols = torch.nn.functional.unfold(torch.tensor(x), **kwargs).numpy()
    compare(lambda lib, c: F(lib).fold(c, shape[-2:], **kwargs), rng.standard_normal(
        cols.shape).astype(dtype))
    gradcheck_fd(lambda lib, x: F(lib).unfold(x, **kwargs), x[:1] if x.ndim == 4 else x)


# ----- errors -----------------------------------------------------------------------------------

def _z(lib, *shape):
    return lib.zeros(*shape)


ERRORS = {
    "pad_odd": lambda lib: F(lib).pad(_z(lib, 2, 3, 4, 5), (1, 2, 3)),
    "pad_too_long": lambda lib: F(lib).pad(_z(lib, 2, 3, 4, 5), (1, 1) * 5),
    "pad_reflect_size": lambda lib: F(lib).pad(_z(lib, 2, 3, 4, 5), (5, 5), mode="reflect"),
    "pad_reflect_big": lambda lib: F(lib).pad(_z(lib, 3, 4, 5), (5, 5), mode="reflect"),
    "pad_reflect_big_h": lambda lib: F(lib).pad(_z(lib, 3, 4, 5), (1, 1, 4, 4), mode="reflect"),
    "pad_circular_twice": lambda lib: F(lib).pad(_z(lib, 3, 4, 5), (6, 6), mode="circular"),
    "pad_mode": lambda lib: F(lib).pad(_z(lib, 3, 4, 5), (1, 1), mode="foo"),
    "pad_value_reflect": lambda lib: F(lib).pad(_z(lib, 3, 4, 5), (1, 1), mode="reflect",
                                                value=2),
    "pad_negative_size": lambda lib: F(lib).pad(_z(lib, 2, 3, 4, 5), (-5, -5)),
    "pad_1d_reflect": lambda lib: F(lib).pad(_z(lib, 3), (1, 1), mode="reflect"),
    "pad_6d_replicate": lambda lib: F(lib).pad(_z(lib, 1, 2, 3, 4, 5, 6), (1,) * 6,
                                               mode="replicate"),
    "pad_empty_reflect": lambda lib: F(lib).pad(_z(lib, 2, 0, 3), (1, 1), mode="reflect"),
    "interp_none": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4, 4)),
    "interp_both": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4, 4), size=3, scale_factor=2),
    "interp_align_nearest": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4, 4), size=3,
                                                           align_corners=True),
    "interp_linear_4d": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4, 4), size=3,
                                                       mode="linear"),
    "interp_bilinear_3d": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4), size=3,
                                                         mode="bilinear"),
    "interp_mode": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4, 4), size=3, mode="foo"),
    "interp_size_len": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4, 4), size=(3, 4, 5)),
    "interp_scale_len": lambda lib: F(lib).interpolate(_z(lib, 2, 3, 4, 4),
                                                       scale_factor=(2, 3, 4)),
    "interp_1d_input": lambda lib: F(lib).interpolate(_z(lib, 3), size=2),
    "shuffle_channels": lambda lib: F(lib).pixel_shuffle(_z(lib, 1, 3, 2, 2), 2),
    "shuffle_rank": lambda lib: F(lib).pixel_shuffle(_z(lib, 3, 2), 2),
    "unshuffle_height": lambda lib: F(lib).pixel_unshuffle(_z(lib, 1, 1, 3, 4), 2),
    "unshuffle_width": lambda lib: F(lib).pixel_unshuffle(_z(lib, 1, 1, 4, 3), 2),
    "unfold_small": lambda lib: F(lib).unfold(_z(lib, 1, 3, 2, 2), 3),
    "unfold_rank": lambda lib: F(lib).unfold(_z(lib, 2, 3, 4, 4, 4), 2),
    "fold_blocks": lambda lib: F(lib).fold(_z(lib, 1, 12, 10), (4, 4), 2),
    "fold_channels": lambda lib: F(lib).fold(_z(lib, 1, 13, 9), (4, 4), 2),
    "fold_rank": lambda lib: F(lib).fold(_z(lib, 2, 12, 9, 1), (4, 4), 2),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    with pytest.raises(Exception) as t_err:
        ERRORS[name](torch)
    with pytest.raises(type(t_err.value), match=re.escape(str(t_err.value))):
        ERRORS[name](gradstep)


# ----- modules ----------------------------------------------------------------------------------

MODULES = {
    "ZeroPad1d": (lambda lib: lib.nn.ZeroPad1d(2), (2, 3, 5)),
    "ZeroPad2d": (lambda lib: lib.nn.ZeroPad2d((1, 2, 0, 3)), (2, 3, 4, 5)),
    "ZeroPad3d": (lambda lib: lib.nn.ZeroPad3d(1), (1, 2, 3, 4, 2)),
    "ConstantPad1d": (lambda lib: lib.nn.ConstantPad1d(2, 3.5), (2, 3, 5)),
    "ConstantPad2d": (lambda lib: lib.nn.ConstantPad2d((1, 0, 2, 1), -1.0), (2, 3, 4, 5)),
    "ConstantPad3d": (lambda lib: lib.nn.ConstantPad3d(1, 0.5), (1, 2, 3, 4, 2)),
    "ReflectionPad1d": (lambda lib: lib.nn.ReflectionPad1d((2, 1)), (2, 3, 5)),
    "ReflectionPad2d": (lambda lib: lib.nn.ReflectionPad2d(2), (2, 3, 4, 5)),
    "ReflectionPad3d": (lambda lib: lib.nn.ReflectionPad3d(1), (1, 2, 3, 4, 2)),
    "ReplicationPad1d": (lambda lib: lib.nn.ReplicationPad1d(3), (2, 3, 5)),
    "ReplicationPad2d": (lambda lib: lib.nn.ReplicationPad2d((1, 2, 3, 0)), (2, 3, 4, 5)),
    "ReplicationPad3d": (lambda lib: lib.nn.ReplicationPad3d(2), (1, 2, 3, 4, 2)),
    "CircularPad1d": (lambda lib: lib.nn.CircularPad1d(2), (2, 3, 5)),
    "CircularPad2d": (lambda lib: lib.nn.CircularPad2d((1, 2, 3, 0)), (2, 3, 4, 5)),
    "CircularPad3d": (lambda lib: lib.nn.CircularPad3d(1), (1, 2, 3, 4, 2)),
    "Upsample": (lambda lib: lib.nn.Upsample(scale_factor=2), (2, 3, 4, 5)),
    "Upsample_tuple": (lambda lib: lib.nn.Upsample(scale_factor=(2, 1.5), mode="bilinear"),
                       (2, 3, 4, 5)),
    "Upsample_size_align": (lambda lib: lib.nn.Upsample(size=(3, 7), mode="bilinear",
                                                        align_corners=True), (2, 3, 4, 5)),
    "Upsample_linear": (lambda lib: lib.nn.Upsample(size=8, mode="linear"), (2, 3, 5)),
    "UpsamplingNearest2d": (lambda lib: lib.nn.UpsamplingNearest2d(scale_factor=3),
                            (2, 3, 4, 5)),
    "UpsamplingBilinear2d": (lambda lib: lib.nn.UpsamplingBilinear2d(size=(6, 9)),
                             (2, 3, 4, 5)),
    "PixelShuffle": (lambda lib: lib.nn.PixelShuffle(2), (2, 8, 3, 2)),
    "PixelUnshuffle": (lambda lib: lib.nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    "Unfold": (lambda lib: lib.nn.Unfold((2, 3), dilation=1, padding=1, stride=2),
               (2, 3, 5, 6)),
    "Fold": (lambda lib: lib.nn.Fold((4, 5), 2), (2, 12, 12)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(MODULES))
def test_modules_match_torch(name, dtype, rng):
    make, shape = MODULES[name]
    compare_module(make, rng.standard_normal(shape), dtype=dtype)
