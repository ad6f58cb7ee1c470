"""Attention: scaled_dot_product_attention (one fused op) and multi_head_attention_forward."""
import math
import warnings

import numpy as np

from ... import _tensor
from ..._ops._util import cpp_type_name, sum_to
from ...autograd.graph import Op

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

Tensor = _tensor.Tensor


def _gs():
    import gradstep
    return gradstep


def _softmax_rows(s):
    """Softmax over the last axis; rows that are entirely -inf give zeros (torch's SDPA)."""
    m = np.max(s, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(s - m)
    z = np.sum(e, axis=-1, keepdims=True)
    return e / np.where(z == 0, 1, z)


class ScaledDotProductAttention(Op):
    """z = dropout(softmax(q k^T * scale + mask)) v;  backward through softmax and both products.

    ``keep`` is the dropout mask already divided by (1 - p), or None.
    """
    name_ = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, q, k, v, mask, keep, scale):
        s = np.matmul(q, np.swapaxes(k, -1, -2))
        s *= scale
        if mask is not None:
            s = s + mask
        p = _softmax_rows(s)
        pd = p if keep is None else p * keep
        out = np.matmul(pd, v)
        ctx.p = p
        ctx.keep = keep
        ctx.scale = scale
        ctx.mask_shape = None if mask is None else mask.shape
        ctx.save_for_backward(q, k, v, mask)
        return out

    @staticmethod
    def backward(ctx, grad):
        q, k, v, mask = ctx._arrays
        if not isinstance(grad, np.ndarray):  # create_graph: differentiate the composition
            return _composed_backward(ctx, grad, q, k, v, mask)
        p, keep, scale = ctx.p, ctx.keep, ctx.scale
        needs = ctx.needs_input_grad
        pd = p if keep is None else p * keep
        dv = sum_to(np.matmul(np.swapaxes(pd, -1, -2), grad), v.shape) if needs[2] else None
        dp = np.matmul(grad, np.swapaxes(v, -1, -2))
        if keep is not None:
            dp = dp * keep
        ds = p * (dp - np.sum(dp * p, axis=-1, keepdims=True))
        dq = sum_to(np.matmul(ds, k) * scale, q.shape) if needs[0] else None
        dk = sum_to(np.matmul(np.swapaxes(ds, -1, -2), q) * scale, k.shape) if needs[1] else None
        dmask = sum_to(ds, ctx.mask_shape) if len(needs) > 3 and needs[3] else None
        return dq, dk, dv, dmask


def _composed(q, k, v, mask, keep, scale):
    """The fused op's value from differentiable gradstep ops (for double backward)."""
    gs = _gs()
    s = (q @ k.transpose(-2, -1)) * scale
    if mask is not None:
        s = s + mask
    m = s.amax(-1, keepdim=True).detach()
    m = gs.where(gs.isfinite(m), m, gs.zeros_like(m))
    e = gs.exp(s - m)
    z = e.sum(-1, keepdim=True)
    p = e / gs.where(z == 0, gs.ones_like(z), z)
    if keep is not None:
        p = p * gs.tensor(keep)
    return p @ v


def _composed_backward(ctx, grad, q, k, v, mask):
    gs = _gs()
    args = [q, k, v, mask]
    wanted = [i for i in range(4) if i < len(ctx.needs_input_grad) and ctx.needs_input_grad[i]]
    with gs.enable_grad():
        out = _composed(q, k, v, mask, ctx.keep, ctx.scale)
    grads = gs.autograd.grad(out, [args[i] for i in wanted], grad, create_graph=True,
                             allow_unused=True)
    result = [None] * 4
    for i, g in zip(wanted, grads):
        result[i] = g
    return tuple(result)


def _dtype_name(dtype):
    return cpp_type_name(dtype.np)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    r"""Attention of ``query`` over ``key``/``value``: softmax(Q K^T * scale + mask) V.

    Args:
        query (Tensor): ``(..., L, E)``
        key (Tensor): ``(..., S, E)``
        value (Tensor): ``(..., S, Ev)``
        attn_mask (Tensor, optional): broadcastable to ``(..., L, S)``; bool (True = attend) or
            float (added to the scores)
        dropout_p (float): dropout probability on the attention weights
        is_causal (bool): apply a lower-triangular mask (no ``attn_mask`` allowed with it)
        scale (float, optional): defaults to ``1 / sqrt(E)``
        enable_gqa (bool): let ``key``/``value`` have fewer heads (dim -3) than ``query``

    Rows whose keys are all masked out give zeros, as torch's CPU kernels do.

    Example::

        >>> import gradstep as torch
        >>> q = k = v = torch.ones(1, 2, 4)
        >>> torch.nn.functional.scaled_dot_product_attention(q, k, v).shape
        torch.Size([1, 2, 4])
    """
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_dtype_name(query.dtype)} key.dtype: {_dtype_name(key.dtype)} and value.dtype: "
            f"{_dtype_name(value.dtype)} instead.")
    gs = _gs()
    if attn_mask is not None and attn_mask.dtype != gs.bool and attn_mask.dtype != query.dtype:
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_dtype_name(attn_mask.dtype)} and  query.dtype: "
            f"{_dtype_name(query.dtype)} instead.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if enable_gqa and query.dim() >= 3 and key.size(-3) != query.size(-3):
        rep = query.size(-3) // key.size(-3)
        key = key.repeat_interleave(rep, dim=-3)
        value = value.repeat_interleave(rep, dim=-3)
    length, source = query.size(-2), key.size(-2)
    if scale is None:
        scale = 1.0 / math.sqrt(query.size(-1))
    dt = query._data.dtype
    mask = None
    if is_causal:
        allowed = np.tril(np.ones((length, source), dtype=bool))
        mask = np.where(allowed, 0, -np.inf).astype(dt)
    elif attn_mask is not None:
        if attn_mask.dtype == gs.bool:
            mask = np.where(attn_mask._data, 0, -np.inf).astype(dt)
        else:
            mask = attn_mask
    keep = None
    if dropout_p > 0.0:
        batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2])
        shape = tuple(batch) + (length, source)
        if dropout_p >= 1.0:
            keep = np.zeros(shape, dtype=dt)
        else:
            keep = gs.empty(shape, dtype=query.dtype).bernoulli_(1 - dropout_p)._data
            keep /= np.asarray(1 - dropout_p, dtype=dt)
    return ScaledDotProductAttention.apply(query, key, value, mask, keep, float(scale))


# ----- multi-head attention -----

def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked out) as a float mask of -inf; float masks pass through."""
    if mask is None:
        return None
    gs = _gs()
    if mask.dtype != gs.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.")
    if mask.dtype == gs.bool:
        data = np.where(mask._data, -np.inf, 0).astype(np.dtype(str(target_type).split(".")[-1]))
        return gs.tensor(data)
    return mask


def _none_or_dtype(t):
    return None if t is None else t.dtype


def _in_projection_packed(q, k, v, w, b):
    F = _gs().nn.functional
    e = q.size(-1)
    if k is v:
        if q is k:
            proj = F.linear(q, w, b)
            return proj.unflatten(-1, (3, e)).unsqueeze(0).transpose(0, -2).squeeze(-2) \
                .contiguous().unbind(0)
        w_q, w_kv = w.split([e, e * 2])
        b_q, b_kv = (None, None) if b is None else b.split([e, e * 2])
        q_proj = F.linear(q, w_q, b_q)
        kv_proj = F.linear(k, w_kv, b_kv)
        kv_proj = kv_proj.unflatten(-1, (2, e)).unsqueeze(0).transpose(0, -2).squeeze(-2) \
            .contiguous()
        return q_proj, kv_proj[0], kv_proj[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return F.linear(q, w_q, b_q), F.linear(k, w_k, b_k), F.linear(v, w_v, b_v)


def _is_batched(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 1-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    r"""Multi-head attention over sequence-first inputs ``(L, N, E)`` (or unbatched ``(L, E)``).

    Returns ``(attn_output, attn_weights)``; the weights are averaged over heads when
    ``average_attn_weights`` and are None unless ``need_weights``. Masks: ``key_padding_mask``
    ``(N, S)`` and ``attn_mask`` ``(L, S)`` or ``(N*num_heads, L, S)``; bool True means "masked
    out", float masks are added to the scores.
    """
    gs = _gs()
    F = gs.nn.functional
    is_batched = _is_batched(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q = F.linear(query, q_proj_weight, b_q)
        k = F.linear(key, k_proj_weight, b_k)
        v = F.linear(value, v_proj_weight, b_v)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            correct = (tgt_len, src_len)
            if tuple(attn_mask.shape) != correct:
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {correct}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            correct = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != correct:
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {correct}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key." if static_k is not None
                                 else "bias cannot be added to static value.")
        k = gs.cat([k, bias_k.repeat(1, bsz, 1)])
        v = gs.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = F.pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = F.pad(key_padding_mask, (0, 1))

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        k = static_k
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        v = static_v

    if add_zero_attn:
        zero_shape = (bsz * num_heads, 1, head_dim)
        k = gs.cat([k, gs.zeros(zero_shape, dtype=k.dtype)], dim=1)
        v = gs.cat([v, gs.zeros(zero_shape, dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = F.pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = F.pad(key_padding_mask, (0, 1))

    src_len = k.size(1)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{key_padding_mask.shape}")
        kpm = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
            .reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    if not training:
        dropout_p = 0.0

    if need_weights:
        scale = 1.0 / math.sqrt(q.shape[-1])
        q_scaled = q * scale
        if attn_mask is not None:
            weights = gs.baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            weights = gs.bmm(q_scaled, k.transpose(-2, -1))
        weights = F.softmax(weights, dim=-1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, p=dropout_p)
        out = gs.bmm(weights, v)
        out = out.transpose(0, 1).contiguous().view(tgt_len * bsz, embed_dim)
        out = F.linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.size(1))
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out = out.squeeze(1)
            weights = weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).contiguous().view(bsz * tgt_len, embed_dim)
    out = F.linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.size(1))
    if not is_batched:
        out = out.squeeze(1)
    return out, None
