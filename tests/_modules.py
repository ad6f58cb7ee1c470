"""Compare one module between gradstep and torch: same weights, same inputs, every gradient.

``compare_module(make, *arrays)`` builds ``make(torch)`` and ``make(gradstep)``, copies torch's
state dict into gradstep's module, then, in train and in eval mode, runs both on the same inputs
and compares outputs, every input's gradient and every parameter's gradient. It also checks that
``repr(module)`` and the state-dict keys and shapes are torch's.
"""
import numpy as np
import torch

import gradstep
from _compare import assert_same, make as make_tensor, to_numpy


def flatten(out):
    """The tensors of a (nested) tuple/list output, in order."""
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in flatten(item)]
    return [out] if hasattr(out, "shape") else []


def copy_weights(g_module, t_module):
    """Load torch's state dict into gradstep's module (strict: the keys must be the same)."""
    state = {k: gradstep.tensor(v.detach().cpu().numpy()) for k, v in t_module.state_dict().items()}
    g_module.load_state_dict(state)


def build_pair(make, dtype=np.float32):
    """``(gradstep module, torch module)`` with torch's weights, both in ``dtype``."""
    t_module = make(torch)
    g_module = make(gradstep)
    if dtype == np.float64:
        t_module.double()
        g_module.double()
    copy_weights(g_module, t_module)
    return g_module, t_module


def compare_module(make, *arrays, dtype=np.float32, modes=(True, False), call=None,
                   rtol=None, atol=None, grad_rtol=None, grad_atol=None, check_repr=True,
                   requires_grad=None, seed=0):
    """Compare ``make(lib)`` between the libraries; returns the (gradstep, torch) modules.

    ``call(module, *inputs)`` runs the module (default: ``module(*inputs)``). Float arrays are cast
    to ``dtype`` and require grad (unless ``requires_grad=False``).
    """
    call = call or (lambda module, *inputs: module(*inputs))
    g_module, t_module = build_pair(make, dtype)
    if check_repr:
        assert repr(g_module) == repr(t_module)
    g_state, t_state = g_module.state_dict(), t_module.state_dict()
    assert list(g_state) == list(t_state), "state_dict keys differ"
    for key in t_state:
        assert tuple(g_state[key].shape) == tuple(t_state[key].shape), key
        assert str(g_state[key].dtype) == str(t_state[key].dtype), key
    arrays = [np.asarray(a, dtype) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
              for a in arrays]
    for mode in modes:
        g_module.train(mode)
        t_module.train(mode)
        g_module.zero_grad()
        t_module.zero_grad()
        g_in = [make_tensor(gradstep, a, requires_grad) for a in arrays]
        t_in = [make_tensor(torch, a, requires_grad) for a in arrays]
        g_out = call(g_module, *g_in)
        t_out = call(t_module, *t_in)
        what = "train" if mode else "eval"
        assert_same(g_out, t_out, rtol, atol, what=f"{what} output")
        pairs = [(g, t) for g, t in zip(flatten(g_out), flatten(t_out))
                 if t.requires_grad and t.dtype.is_floating_point]
        if pairs:
            rng = np.random.default_rng(seed)
            g_loss, t_loss = 0, 0
            for g, t in pairs:
                upstream = rng.standard_normal(tuple(t.shape)).astype(to_numpy(t).dtype)
                g_loss = g_loss + (g * gradstep.tensor(upstream)).sum()
                t_loss = t_loss + (t * torch.tensor(upstream)).sum()
            t_loss.backward()
            g_loss.backward()
            for i, (g, t) in enumerate(zip(g_in, t_in)):
                if t.requires_grad:
                    assert_same(g.grad, t.grad, grad_rtol, grad_atol, f"{what} grad of input {i}")
            g_params = dict(g_module.named_parameters())
            for name, t_param in t_module.named_parameters():
                assert_same(g_params[name].grad, t_param.grad, grad_rtol, grad_atol,
                            f"{what} grad of {name}")
        g_buffers = dict(g_module.named_buffers())
        for name, t_buf in t_module.named_buffers():
            assert_same(g_buffers[name], t_buf, rtol, atol, f"{what} buffer {name}")
    return g_module, t_module
