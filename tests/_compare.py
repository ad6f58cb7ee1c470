"""Run one lambda on gradstep and on torch and compare everything that can differ.

``compare(fn, *arrays)`` builds a tensor per NumPy array in each library (float arrays require
grad), calls ``fn(lib, *tensors)`` where ``lib`` is the ``gradstep`` or ``torch`` module, and
checks the output's shape, dtype and values; then it backpropagates the same random upstream
gradient through both and compares every input's gradient. ``gradcheck_fd`` checks gradstep's
analytic gradients against float64 central finite differences.
"""
import numpy as np
import torch

import gradstep

TOL = {np.float16: (1e-3, 1e-2), np.float32: (1e-5, 1e-4), np.float64: (1e-10, 1e-8)}


def make(lib, array, requires_grad=None):
    t = lib.tensor(array)
    if requires_grad is None:
        requires_grad = array.dtype.kind == "f"
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.array(t.detach()._data) if hasattr(t, "_data") else np.asarray(t)


def assert_same(g, t, rtol=None, atol=None, what="output"):
    """Shape, dtype and values of a gradstep result equal torch's."""
    if t is None or g is None:
        assert g is None and t is None, f"{what}: gradstep {g!r} vs torch {t!r}"
        return
    if isinstance(t, (tuple, list)):
        assert isinstance(g, (tuple, list)) and len(g) == len(t), f"{what}: structure differs"
        for i, (gi, ti) in enumerate(zip(g, t)):
            assert_same(gi, ti, rtol, atol, f"{what}[{i}]")
        return
    if not isinstance(t, torch.Tensor):
        assert g == t, f"{what}: {g!r} != {t!r}"
        return
    assert tuple(g.shape) == tuple(t.shape), f"{what}: shape {tuple(g.shape)} vs {tuple(t.shape)}"
    assert str(g.dtype) == str(t.dtype), f"{what}: dtype {g.dtype} vs {t.dtype}"
    a, b = to_numpy(g), to_numpy(t)
    if a.dtype.kind == "f":
        r, at = TOL.get(a.dtype.type, (1e-5, 1e-4))
        np.testing.assert_allclose(a, b, rtol=rtol or r, atol=atol if atol is not None else r,
                                   equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def compare(fn, *arrays, requires_grad=None, rtol=None, atol=None, grad_rtol=None, grad_atol=None,
            backward=True, seed=0):
    """Compare ``fn(lib, *tensors)`` between gradstep and torch, forward and backward."""
    g_in = [make(gradstep, np.asarray(a), requires_grad) for a in arrays]
    t_in = [make(torch, np.asarray(a), requires_grad) for a in arrays]
    g_out = fn(gradstep, *g_in)
    t_out = fn(torch, *t_in)
    assert_same(g_out, t_out, rtol, atol)
    if not backward:
        return g_out, t_out
    g_list = g_out if isinstance(g_out, (tuple, list)) else [g_out]
    t_list = t_out if isinstance(t_out, (tuple, list)) else [t_out]
    pairs = [(g, t) for g, t in zip(g_list, t_list)
             if isinstance(t, torch.Tensor) and t.requires_grad]
    if not pairs:
        return g_out, t_out
    rng = np.random.default_rng(seed)
    g_outs, t_outs, g_seeds, t_seeds = [], [], [], []
    for g, t in pairs:
        seed_array = rng.standard_normal(tuple(t.shape)).astype(to_numpy(t).dtype)
        g_outs.append(g)
        t_outs.append(t)
        g_seeds.append(gradstep.tensor(seed_array))
        t_seeds.append(torch.tensor(seed_array))
    torch.autograd.backward(t_outs, t_seeds)
    gradstep.autograd.backward(g_outs, g_seeds)
    for i, (g, t) in enumerate(zip(g_in, t_in)):
        if t.requires_grad:
            assert_same(g.grad, t.grad, grad_rtol, grad_atol, what=f"grad of input {i}")
    return g_out, t_out


def gradcheck_fd(fn, *arrays, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0):
    """Check gradstep's gradients of ``fn(gradstep, *tensors)`` by float64 finite differences."""
    arrays = [np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
              for a in arrays]
    inputs = [make(gradstep, a) for a in arrays]
    out = fn(gradstep, *inputs)
    rng = np.random.default_rng(seed)
    upstream = rng.standard_normal(tuple(out.shape))
    (out * gradstep.tensor(upstream)).sum().backward()

    def scalar(values):
        ts = [gradstep.tensor(v) for v in values]
        with gradstep.no_grad():
            return float((to_numpy(fn(gradstep, *ts)) * upstream).sum())

    for i, a in enumerate(arrays):
        if a.dtype.kind != "f":
            continue
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            numeric[idx] = (scalar(plus) - scalar(minus)) / (2 * eps)
        analytic = to_numpy(inputs[i].grad) if inputs[i].grad is not None else np.zeros_like(a)
        np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"finite differences, input {i}")
