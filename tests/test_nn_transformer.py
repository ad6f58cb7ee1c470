"""Transformer layers and stacks, differential against torch (eval mode: dropout is random)."""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _modules import build_pair, compare_module

rng = np.random.default_rng(0)
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")


def rand(*shape):
    return rng.standard_normal(shape)


def lib_of(module):
    return gradstep if isinstance(module, gradstep.nn.Module) else torch


def masked(**masks):
    """Call ``module(*inputs, **masks)`` with the masks built in the module's library."""
    def call(m, *inputs):
        lib = lib_of(m)
        return m(*inputs, **{k: v if isinstance(v, bool) else lib.tensor(v)
                             for k, v in masks.items()})
    return call


KPM = np.array([[False, False, False, True, True], [False, False, False, False, False]])
KPM_4 = KPM[:, :4]
CAUSAL_F = np.triu(np.full((4, 4), -np.inf), 1).astype(np.float32)
CAUSAL_B = np.triu(np.ones((5, 5), dtype=bool), 1)

ENC = dict(d_model=8, nhead=2, dim_feedforward=16)

# name -> (make, inputs, call)
MODULES = {
    "enc_layer": (lambda lib: lib.nn.TransformerEncoderLayer(**ENC), [rand(5, 2, 8)], None),
    "enc_layer_gelu_norm_first": (lambda lib: lib.nn.TransformerEncoderLayer(
        **ENC, activation="gelu", norm_first=True), [rand(5, 2, 8)], None),
    "enc_layer_callable_act": (lambda lib: lib.nn.TransformerEncoderLayer(
        **ENC, activation=lib.nn.functional.silu, batch_first=True), [rand(2, 5, 8)], None),
    "enc_layer_module_act_nobias": (lambda lib: lib.nn.TransformerEncoderLayer(
        **ENC, activation=lib.nn.GELU(approximate="tanh"), bias=False, layer_norm_eps=1e-3),
        [rand(5, 2, 8)], None),
    "enc_layer_kpm_bf": (lambda lib: lib.nn.TransformerEncoderLayer(**ENC, batch_first=True),
                         [rand(2, 5, 8)], masked(src_key_padding_mask=KPM)),
    "enc_layer_causal": (lambda lib: lib.nn.TransformerEncoderLayer(**ENC),
                         [rand(5, 2, 8)], masked(src_mask=CAUSAL_B, is_causal=True)),
    "encoder_norm": (lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(**ENC, batch_first=True), 2, norm=lib.nn.LayerNorm(8)),
        [rand(2, 5, 8)], masked(src_key_padding_mask=KPM)),
    "encoder_float_causal": (lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(**ENC), 2), [rand(4, 2, 8)], masked(mask=CAUSAL_F)),
    "dec_layer": (lambda lib: lib.nn.TransformerDecoderLayer(**ENC), [rand(4, 2, 8),
                                                                      rand(5, 2, 8)], None),
    "dec_layer_masks_bf_norm_first": (lambda lib: lib.nn.TransformerDecoderLayer(
        **ENC, batch_first=True, norm_first=True, activation="gelu"),
        [rand(2, 4, 8), rand(2, 5, 8)],
        masked(tgt_mask=CAUSAL_F, tgt_key_padding_mask=KPM_4, memory_key_padding_mask=KPM)),
    "decoder": (lambda lib: lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(**ENC), 2,
                                                      norm=lib.nn.LayerNorm(8)),
                [rand(4, 2, 8), rand(5, 2, 8)], masked(tgt_mask=CAUSAL_F)),
    "transformer": (lambda lib: lib.nn.Transformer(8, 2, 1, 2, 16),
                    [rand(5, 2, 8), rand(4, 2, 8)],
                    masked(tgt_mask=CAUSAL_F, src_key_padding_mask=KPM,
                           memory_key_padding_mask=KPM)),
    "transformer_bf_unbatched": (lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16,
                                                                batch_first=True),
                                 [rand(5, 8), rand(4, 8)], None),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(MODULES))
def test_module_matches_torch(name, dtype):
    make, inputs, call = MODULES[name]
    compare_module(make, *inputs, dtype=dtype, call=call, modes=(False,),
                   atol=1e-5 if dtype == np.float32 else None,
                   grad_atol=1e-4 if dtype == np.float32 else None)


def test_train_mode_dropout_shapes_and_randomness():
    gradstep.manual_seed(0)
    layer = gradstep.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = gradstep.randn(5, 2, 8, requires_grad=True)
    a, b = layer(x), layer(x)
    assert a.shape == (5, 2, 8)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    a.sum().backward()
    assert x.grad is not None and all(p.grad is not None for p in layer.parameters())


def test_inference_padding_is_zero_like_torch():
    """Eval + no_grad + batch_first + key padding: torch's nested-tensor path zeros the padding."""
    g, t = build_pair(lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(**ENC, batch_first=True, dropout=0.0), 2))
    g.eval()
    t.eval()
    x = rand(2, 5, 8).astype(np.float32)
    for lib, m in ((gradstep, g), (torch, t)):
        with lib.no_grad():
            out = m(lib.tensor(x), src_key_padding_mask=lib.tensor(KPM))
        if lib is gradstep:
            g_out = out.numpy()
        else:
            t_out = out.numpy()
    np.testing.assert_allclose(g_out, t_out, rtol=1e-5, atol=1e-5)
    assert np.all(g_out[0, 3:] == 0)


def test_nested_tensor_warning_matches_torch():
    for kwargs in ({}, {"batch_first": True, "norm_first": True},
                   {"batch_first": True, "nhead": 1}, {"batch_first": True, "bias": False}):
        args = dict(ENC, **kwargs)
        messages = []
        for lib in (torch, gradstep):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(**args), 1)
            messages.append([str(w.message) for w in caught
                             if "enable_nested_tensor" in str(w.message)])
        assert messages[0] == messages[1]


def test_generate_square_subsequent_mask():
    g = gradstep.nn.Transformer.generate_square_subsequent_mask(4)
    t = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    assert str(g.dtype) == str(t.dtype)


def test_repr_and_state_dict_keys():
    for make in (lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16),
                 lambda lib: lib.nn.TransformerDecoderLayer(8, 2, 16, activation=lib.nn.GELU())):
        g, t = make(gradstep), make(torch)
        assert repr(g) == repr(t)
        assert list(g.state_dict()) == list(t.state_dict())


ERRORS = [
    (lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation="tanh"), RuntimeError,
     "activation should be relu/gelu, not tanh"),
    (lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(lib.zeros(5, 2, 8), lib.zeros(4, 3, 8)),
     RuntimeError, "the batch number of src and tgt must be equal"),
    (lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16)(lib.zeros(5, 2, 6), lib.zeros(4, 2, 6)),
     RuntimeError, "the feature number of src and tgt must be equal to d_model"),
]


@pytest.mark.parametrize("fn,exc,msg", ERRORS)
def test_errors_match_torch(fn, exc, msg):
    for lib in (torch, gradstep):
        with pytest.raises(exc, match=re.escape(msg)):
            fn(lib)
