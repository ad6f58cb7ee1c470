"""scaled_dot_product_attention and MultiheadAttention, differential against torch."""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd
from _modules import compare_module

rng = np.random.default_rng(0)


def rand(*shape):
    return rng.standard_normal(shape)


def bool_mask(*shape, p=0.7):
    m = rng.random(shape) < p
    m[..., 0] = True  # no fully-masked row unless a case asks for one
    return m


MASK_35 = bool_mask(3, 5)
MASK_2135 = bool_mask(2, 1, 3, 5)
FULLY_MASKED = np.ones((3, 5), dtype=bool)
FULLY_MASKED[1] = False

# name -> (fn(lib, q, k, v, *extra), arrays)
SDPA = {
    "plain": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
              [rand(2, 3, 4), rand(2, 5, 4), rand(2, 5, 6)]),
    "heads": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
              [rand(2, 2, 3, 4), rand(2, 2, 5, 4), rand(2, 2, 5, 4)]),
    "causal": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=True), [rand(2, 4, 3), rand(2, 4, 3), rand(2, 4, 3)]),
    "causal_rect": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=True), [rand(1, 3, 3), rand(1, 5, 3), rand(1, 5, 2)]),
    "scale": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, scale=0.3), [rand(2, 3, 4), rand(2, 5, 4), rand(2, 5, 4)]),
    "bool_mask": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=lib.tensor(MASK_35)),
        [rand(2, 3, 4), rand(2, 5, 4), rand(2, 5, 4)]),
    "bool_mask_broadcast_heads": (lambda lib, q, k, v: lib.nn.functional.
                                  scaled_dot_product_attention(
                                      q, k, v, attn_mask=lib.tensor(MASK_2135)),
                                  [rand(2, 2, 3, 4), rand(2, 2, 5, 4), rand(2, 2, 5, 4)]),
    "fully_masked_row": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=lib.tensor(FULLY_MASKED)),
        [rand(2, 3, 4), rand(2, 5, 4), rand(2, 5, 4)]),
    "float_mask_grad": (lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=m), [rand(2, 3, 4), rand(2, 5, 4), rand(2, 5, 4), rand(3, 5)]),
    "float_mask_inf": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=lib.tensor(np.where(MASK_35, 0.0, -np.inf)
                                      .astype(q.detach().numpy().dtype))),
        [rand(2, 3, 4), rand(2, 5, 4), rand(2, 5, 4)]),
    "gqa": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, enable_gqa=True), [rand(1, 4, 3, 4), rand(1, 2, 5, 4), rand(1, 2, 5, 4)]),
    "unbatched": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
                  [rand(3, 4), rand(5, 4), rand(5, 4)]),
    "extreme": (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
                [rand(1, 3, 4) * 100, rand(1, 5, 4) * 100, rand(1, 5, 4)]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(SDPA))
def test_sdpa_matches_torch(name, dtype):
    fn, arrays = SDPA[name]
    tol = {} if name != "extreme" else {"rtol": 1e-4, "atol": 1e-4, "grad_atol": 1e-3}
    compare(fn, *[a.astype(dtype) for a in arrays], **tol)


@pytest.mark.parametrize("name", ["plain", "causal", "bool_mask", "float_mask_grad", "gqa",
                                  "fully_masked_row"])
def test_sdpa_gradcheck(name):
    fn, arrays = SDPA[name]
    gradcheck_fd(fn, *[a[..., :2, :] if a.ndim > 2 and a.shape[-2] > 3 else a for a in arrays]
                 if name == "gqa" else arrays)


def test_sdpa_double_backward_matches_torch():
    arrays = [rand(1, 3, 2), rand(1, 4, 2), rand(1, 4, 2)]

    def fn(lib, q, k, v):
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=False)
        gq, = lib.autograd.grad((out * out).sum(), q, create_graph=True)
        return gq
    compare(fn, *arrays)


def test_sdpa_dropout_statistics():
    gradstep.manual_seed(0)
    q = gradstep.randn(4, 16, 8)
    v = gradstep.ones(4, 16, 8)
    out = gradstep.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    # each output is sum(weights * keep / (1 - p)): mean 1 over many rows, not all equal to 1
    assert out.shape == (4, 16, 8)
    vals = out.numpy()[..., 0]
    assert abs(vals.mean() - 1) < 0.15 and vals.std() > 0.1
    zero = gradstep.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=1.0)
    assert np.all(zero.numpy() == 0)


SDPA_ERRORS = [
    (lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 3, 4), lib.ones(2, 5, 4), lib.ones(2, 5, 4, dtype=lib.float64)),
     RuntimeError, "Expected query, key, and value to have the same dtype, but got query.dtype: "
     "float key.dtype: float and value.dtype: double instead."),
    (lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 3, 4), lib.ones(2, 5, 4), lib.ones(2, 5, 4),
        attn_mask=lib.ones(3, 5, dtype=lib.int64)),
     RuntimeError, "Expected attn_mask dtype to be bool or float or to match query dtype, but "
     "got attn_mask.dtype: long int and  query.dtype: float instead."),
    (lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 3, 4, requires_grad=True), lib.ones(2, 5, 4), lib.ones(2, 5, 4),
        attn_mask=lib.ones(3, 5, dtype=lib.bool), is_causal=True),
     RuntimeError, "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
     "is_causal=True"),
]


@pytest.mark.parametrize("fn,exc,msg", SDPA_ERRORS)
def test_sdpa_errors(fn, exc, msg):
    for lib in (torch, gradstep):
        with pytest.raises(exc, match=re.escape(msg)):
            fn(lib)


# ----- MultiheadAttention -----

def self_attn(**kw):
    return lambda m, x: m(x, x, x, **kw)


def cross_attn(**kw):
    return lambda m, q, kv: m(q, kv, kv, **kw)


def with_masks(attn=None, kpm=None, **kw):
    """Call with masks built in the module's own library."""
    def call(m, q, k, v):
        lib = gradstep if isinstance(m, gradstep.nn.Module) else torch
        return m(q, k, v, attn_mask=None if attn is None else lib.tensor(attn),
                 key_padding_mask=None if kpm is None else lib.tensor(kpm), **kw)
    return call


KPM = np.array([[False, False, True, False, True], [False, True, False, False, False]])
KPM_FULL = np.array([[True] * 5, [False] * 5])
CAUSAL = np.triu(np.ones((4, 5), dtype=bool), 1)
FLOAT_ATTN = np.where(CAUSAL, -np.inf, 0.0).astype(np.float32)

# name -> (make, inputs, call, modes)
MHA = {
    "self": (lambda lib: lib.nn.MultiheadAttention(8, 2), [rand(5, 3, 8)], self_attn(),
             (True, False)),
    "self_no_weights": (lambda lib: lib.nn.MultiheadAttention(8, 4), [rand(5, 3, 8)],
                        self_attn(need_weights=False), (True, False)),
    "per_head_weights": (lambda lib: lib.nn.MultiheadAttention(8, 2), [rand(5, 3, 8)],
                         self_attn(average_attn_weights=False), (True,)),
    "batch_first_cross": (lambda lib: lib.nn.MultiheadAttention(6, 3, batch_first=True),
                          [rand(2, 4, 6), rand(2, 5, 6)], cross_attn(), (True, False)),
    "kdim_vdim": (lambda lib: lib.nn.MultiheadAttention(4, 2, kdim=3, vdim=5),
                  [rand(4, 2, 4), rand(5, 2, 3), rand(5, 2, 5)], None, (True,)),
    "kdim_vdim_no_weights": (lambda lib: lib.nn.MultiheadAttention(4, 2, kdim=3, vdim=5),
                             [rand(4, 2, 4), rand(5, 2, 3), rand(5, 2, 5)],
                             lambda m, q, k, v: m(q, k, v, need_weights=False), (True,)),
    "no_bias": (lambda lib: lib.nn.MultiheadAttention(4, 2, bias=False), [rand(3, 2, 4)],
                self_attn(), (True,)),
    "bias_kv_zero_attn": (lambda lib: lib.nn.MultiheadAttention(4, 2, add_bias_kv=True,
                                                                add_zero_attn=True),
                          [rand(4, 2, 4), rand(5, 2, 4), rand(5, 2, 4)],
                          with_masks(attn=CAUSAL, kpm=KPM), (True,)),
    "kpm_bool": (lambda lib: lib.nn.MultiheadAttention(4, 2),
                 [rand(4, 2, 4), rand(5, 2, 4), rand(5, 2, 4)], with_masks(kpm=KPM),
                 (True, False)),
    "kpm_bool_no_weights": (lambda lib: lib.nn.MultiheadAttention(4, 2),
                            [rand(4, 2, 4), rand(5, 2, 4), rand(5, 2, 4)],
                            with_masks(kpm=KPM, need_weights=False), (True,)),
    "attn_mask_bool_and_kpm": (lambda lib: lib.nn.MultiheadAttention(4, 2),
                               [rand(4, 2, 4), rand(5, 2, 4), rand(5, 2, 4)],
                               with_masks(attn=CAUSAL, kpm=KPM), (True,)),
    "attn_mask_float": (lambda lib: lib.nn.MultiheadAttention(4, 2),
                        [rand(4, 2, 4), rand(5, 2, 4), rand(5, 2, 4)],
                        with_masks(attn=FLOAT_ATTN, need_weights=False), (True,)),
    "attn_mask_3d": (lambda lib: lib.nn.MultiheadAttention(4, 2),
                     [rand(4, 2, 4), rand(5, 2, 4), rand(5, 2, 4)],
                     with_masks(attn=np.stack([CAUSAL, ~CAUSAL | (np.arange(5) == 0),
                                               CAUSAL, CAUSAL])), (True,)),
    "causal_hint": (lambda lib: lib.nn.MultiheadAttention(4, 2),
                    [rand(4, 2, 4), rand(4, 2, 4), rand(4, 2, 4)],
                    with_masks(attn=np.triu(np.ones((4, 4), dtype=bool), 1), is_causal=True,
                               need_weights=False), (True,)),
    "unbatched": (lambda lib: lib.nn.MultiheadAttention(4, 2), [rand(3, 4)], self_attn(),
                  (True,)),
    "unbatched_kpm": (lambda lib: lib.nn.MultiheadAttention(4, 2),
                      [rand(3, 4), rand(5, 4), rand(5, 4)], with_masks(kpm=KPM[0]), (True,)),
    "dropout_eval": (lambda lib: lib.nn.MultiheadAttention(4, 2, dropout=0.5),
                     [rand(3, 2, 4)], self_attn(), (False,)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(MHA))
def test_mha_matches_torch(name, dtype):
    make, inputs, call, modes = MHA[name]
    if name == "attn_mask_float" and dtype == np.float64:
        call = with_masks(attn=FLOAT_ATTN.astype(np.float64), need_weights=False)
    compare_module(make, *inputs, dtype=dtype, call=call, modes=modes)


def test_mha_fully_masked_rows_as_torch():
    """need_weights=True gives NaN rows (softmax of -inf); the SDPA path gives zeros."""
    g, t = gradstep.nn.MultiheadAttention(4, 2), torch.nn.MultiheadAttention(4, 2)
    g.load_state_dict({k: gradstep.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = rand(5, 2, 4).astype(np.float32)
    for need in (True, False):
        go, _ = g(gradstep.tensor(x), gradstep.tensor(x), gradstep.tensor(x),
                  key_padding_mask=gradstep.tensor(KPM_FULL), need_weights=need)
        to, _ = t(torch.tensor(x), torch.tensor(x), torch.tensor(x),
                  key_padding_mask=torch.tensor(KPM_FULL), need_weights=need)
        np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, equal_nan=True)


def test_mha_mismatched_mask_warning():
    for lib in (torch, gradstep):
        m = lib.nn.MultiheadAttention(4, 2)
        x = lib.randn(3, 2, 4)
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and "
                                             "attn_mask is deprecated"):
            m(x, x, x, attn_mask=lib.zeros(3, 3),
              key_padding_mask=lib.zeros(2, 3, dtype=lib.bool))


def test_mha_dropout_train_shapes():
    gradstep.manual_seed(0)
    m = gradstep.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = gradstep.randn(6, 2, 8)
    out, w = m(x, x, x)
    assert out.shape == (6, 2, 8) and w.shape == (2, 6, 6)
    out2, _ = m(x, x, x)
    assert not np.allclose(out.detach().numpy(), out2.detach().numpy())
    m.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, _ = m(x, x, x)
        b, _ = m(x, x, x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


MHA_ERRORS = [
    (lambda lib: lib.nn.MultiheadAttention(5, 2), AssertionError,
     "embed_dim must be divisible by num_heads"),
    (lambda lib: lib.nn.MultiheadAttention(4, 2)(*[lib.zeros(3, 2, 4)] * 3,
                                                 attn_mask=lib.zeros(2, 3)),
     RuntimeError, "The shape of the 2D attn_mask is torch.Size([2, 3]), but should be (3, 3)."),
    (lambda lib: lib.nn.MultiheadAttention(4, 2)(*[lib.zeros(3, 2, 4)] * 3,
                                                 attn_mask=lib.zeros(4, 2, 3)),
     RuntimeError, "The shape of the 3D attn_mask is torch.Size([4, 2, 3]), but should be "
     "(4, 3, 3)."),
    (lambda lib: lib.nn.MultiheadAttention(4, 2)(*[lib.zeros(3, 2, 4)] * 3,
                                                 attn_mask=lib.zeros(1, 4, 2, 3)),
     AssertionError, "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
     "but found 4-D tensor instead"),
    (lambda lib: lib.nn.MultiheadAttention(4, 2)(*[lib.zeros(3, 2, 4)] * 3, is_causal=True),
     RuntimeError, "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
     "module method `generate_square_subsequent_mask` to create this mask."),
    (lambda lib: lib.nn.MultiheadAttention(4, 2)(*[lib.zeros(3, 2, 4)] * 3,
                                                 attn_mask=lib.zeros(3, 3, dtype=lib.int64)),
     AssertionError, "only bool and floating types of attn_mask are supported"),
    (lambda lib: lib.nn.MultiheadAttention(4, 2)(lib.zeros(3, 2, 5), lib.zeros(3, 2, 4),
                                                 lib.zeros(3, 2, 4)),
     AssertionError, "was expecting embedding dimension of 4, but got 5"),
    (lambda lib: lib.nn.MultiheadAttention(4, 2)(lib.zeros(3, 2, 4), lib.zeros(2, 2, 4),
                                                 lib.zeros(3, 2, 4)),
     AssertionError, "key shape torch.Size([2, 2, 4]) does not match value shape "
     "torch.Size([3, 2, 4])"),
]


@pytest.mark.parametrize("fn,exc,msg", MHA_ERRORS)
def test_mha_errors(fn, exc, msg):
    for lib in (torch, gradstep):
        with pytest.raises(exc, match=re.escape(msg)):
            fn(lib)


def test_mha_functional_matches_torch():
    w, b = rand(12, 4), rand(12)
    wo, bo = rand(4, 4), rand(4)

    def fn(lib, x, w, b, wo, bo):
        out, weights = lib.nn.functional.multi_head_attention_forward(
            x, x, x, 4, 2, w, b, None, None, False, 0.0, wo, bo, training=False)
        return out, weights
    compare(fn, rand(3, 2, 4), w, b, wo, bo)
