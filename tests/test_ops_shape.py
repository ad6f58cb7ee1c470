"""Shape ops against torch: values, dtypes, gradients, grad_fn names, views, errors."""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd, to_numpy

R = np.random.default_rng(0)


def A(*shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


def I(*shape):
    return R.integers(-5, 5, shape).astype(np.int64)


# (id, fn(lib, *tensors), arrays)
CASES = [
    ("view", lambda L, x: x.view(6, 4), [A(2, 3, 4)]),
    ("view_tuple", lambda L, x: x.view((4, -1)), [A(2, 3, 4)]),
    ("view_size", lambda L, x: x.view(x.shape), [A(2, 3)]),
    ("view_list", lambda L, x: x.view([-1]), [A(2, 3)]),
    ("view_0d", lambda L, x: x.view(1, 1), [A()]),
    ("view_to_0d", lambda L, x: x.view(()), [A(1)]),
    ("view_empty", lambda L, x: x.view(-1), [A(0, 3)]),
    ("view_noncontig_ok", lambda L, x: x.t().view(2, 2, 3), [A(3, 4)]),
    ("reshape", lambda L, x: x.reshape(3, 8), [A(2, 3, 4)]),
    ("reshape_copy", lambda L, x: x.transpose(0, 1).reshape(-1), [A(2, 3)]),
    ("torch_reshape", lambda L, x: L.reshape(x, (2, -1)), [A(6)]),
    ("view_as", lambda L, x, y: x.view_as(y), [A(6), A(2, 3)]),
    ("reshape_as", lambda L, x, y: x.t().reshape_as(y), [A(2, 3), A(6)]),
    ("flatten", lambda L, x: x.flatten(), [A(2, 3, 4)]),
    ("flatten_mid", lambda L, x: L.flatten(x, 1, 2), [A(2, 3, 4, 1)]),
    ("flatten_neg", lambda L, x: x.flatten(-2), [A(2, 3, 4)]),
    ("flatten_0d", lambda L, x: x.flatten(), [A()]),
    ("flatten_noncontig", lambda L, x: x.mT.flatten(), [A(2, 3, 4)]),
    ("ravel", lambda L, x: x.t().ravel(), [A(2, 3)]),
    ("unflatten", lambda L, x: x.unflatten(1, (2, 2)), [A(3, 4)]),
    ("unflatten_infer", lambda L, x: L.unflatten(x, -1, (-1, 3)), [A(2, 6)]),
    ("squeeze", lambda L, x: x.squeeze(), [A(1, 3, 1, 2)]),
    ("squeeze_dim", lambda L, x: x.squeeze(2), [A(1, 3, 1, 2)]),
    ("squeeze_dim_nop", lambda L, x: x.squeeze(1), [A(1, 3, 1, 2)]),
    ("squeeze_dims", lambda L, x: x.squeeze((0, 1, -2)), [A(1, 3, 1, 2)]),
    ("squeeze_0d", lambda L, x: x.squeeze(0), [A()]),
    ("unsqueeze", lambda L, x: x.unsqueeze(1), [A(2, 3)]),
    ("unsqueeze_end", lambda L, x: L.unsqueeze(x, -1), [A(2, 3)]),
    ("unsqueeze_0d", lambda L, x: x.unsqueeze(0), [A()]),
    ("permute", lambda L, x: x.permute(2, 0, 1), [A(2, 3, 4)]),
    ("permute_tuple", lambda L, x: L.permute(x, (-1, 0, 1)), [A(2, 3, 4)]),
    ("movedim", lambda L, x: x.movedim(0, -1), [A(2, 3, 4)]),
    ("movedim_tuple", lambda L, x: L.movedim(x, (0, 1), (2, 0)), [A(2, 3, 4)]),
    ("moveaxis", lambda L, x: x.moveaxis(1, 0), [A(2, 3, 4)]),
    ("transpose", lambda L, x: x.transpose(0, 2), [A(2, 3, 4)]),
    ("swapaxes", lambda L, x: L.swapaxes(x, -1, 0), [A(2, 3, 4)]),
    ("swapdims", lambda L, x: x.swapdims(1, 1), [A(2, 3)]),
    ("t", lambda L, x: x.t(), [A(2, 3)]),
    ("t_1d", lambda L, x: L.t(x), [A(3)]),
    ("t_0d", lambda L, x: x.t(), [A()]),
    ("T", lambda L, x: x.T, [A(2, 3)]),
    ("mT", lambda L, x: x.mT, [A(2, 3, 4)]),
    ("mH", lambda L, x: x.mH, [A(2, 3, 4)]),
    ("H", lambda L, x: x.H, [A(2, 3)]),
    ("adjoint", lambda L, x: L.adjoint(x), [A(3, 2)]),
    ("expand", lambda L, x: x.expand(2, 3, 4), [A(3, 1)]),
    ("expand_neg1", lambda L, x: x.expand(2, -1, -1), [A(3, 1)]),
    ("expand_0d", lambda L, x: x.expand(3), [A()]),
    ("expand_tuple", lambda L, x: x.expand((2, 3)), [A(1, 3)]),
    ("expand_as", lambda L, x, y: x.expand_as(y), [A(1, 3), A(2, 3)]),
    ("broadcast_to", lambda L, x: L.broadcast_to(x, (4, 2, 3)), [A(2, 1)]),
    ("repeat", lambda L, x: x.repeat(2, 3), [A(2, 3)]),
    ("repeat_more_dims", lambda L, x: x.repeat(2, 1, 3), [A(2, 3)]),
    ("repeat_0d", lambda L, x: x.repeat(3), [A()]),
    ("tile", lambda L, x: x.tile((2,)), [A(2, 3)]),
    ("tile_more", lambda L, x: L.tile(x, (2, 1, 2)), [A(2, 3)]),
    ("repeat_interleave", lambda L, x: x.repeat_interleave(2), [A(2, 3)]),
    ("repeat_interleave_dim", lambda L, x: L.repeat_interleave(x, 3, dim=1), [A(2, 3)]),
    ("repeat_interleave_t", lambda L, x: x.repeat_interleave(L.tensor([1, 0, 2]), dim=-1),
     [A(2, 3)]),
    ("repeat_interleave_t1", lambda L, x: x.repeat_interleave(L.tensor([2]), dim=0), [A(2, 3)]),
    ("repeat_interleave_counts", lambda L: L.repeat_interleave(L.tensor([1, 0, 3])), []),
    ("cat", lambda L, x, y: L.cat([x, y]), [A(2, 3), A(1, 3)]),
    ("cat_dim1", lambda L, x, y: L.cat((x, y), dim=1), [A(2, 3), A(2, 1)]),
    ("cat_neg", lambda L, x, y: L.cat([x, y, x], -1), [A(2, 3), A(2, 0)]),
    ("cat_promote", lambda L, x, y: L.cat([x, y]), [A(2), A(2, dtype=np.float64)]),
    ("cat_int_float", lambda L, x, y: L.cat([x, y]), [I(3), A(2)]),
    ("cat_legacy_empty", lambda L, x, y: L.cat([x, y]), [A(2, 3), A(0)]),
    ("cat_only_empty", lambda L, x, y: L.cat([x, y]), [A(0), A(0)]),
    ("concat", lambda L, x, y: L.concat([x, y], dim=0), [A(1), A(2)]),
    ("concatenate", lambda L, x, y: L.concatenate([x, y], axis=1), [A(1, 2), A(1, 1)]),
    ("cat_bool", lambda L: L.cat([L.tensor([True]), L.tensor([False])]), []),
    ("stack", lambda L, x, y: L.stack([x, y]), [A(2, 3), A(2, 3)]),
    ("stack_last", lambda L, x, y: L.stack([x, y], dim=-1), [A(2, 3), A(2, 3)]),
    ("stack_0d", lambda L, x, y: L.stack([x, y, x]), [A(), A()]),
    ("stack_promote", lambda L, x, y: L.stack([x, y], 1), [I(2), A(2)]),
    ("hstack", lambda L, x, y: L.hstack([x, y]), [A(2, 3), A(2, 1)]),
    ("hstack_1d", lambda L, x, y: L.hstack([x, y]), [A(2), A()]),
    ("vstack", lambda L, x, y: L.vstack([x, y]), [A(3), A(2, 3)]),
    ("dstack", lambda L, x, y: L.dstack([x, y]), [A(3), A(3)]),
    ("column_stack", lambda L, x, y: L.column_stack([x, y]), [A(3), A(3, 2)]),
    ("split_int", lambda L, x: x.split(2), [A(5, 2)]),
    ("split_dim", lambda L, x: L.split(x, 1, dim=1), [A(2, 3)]),
    ("split_sizes", lambda L, x: x.split([1, 0, 3]), [A(4, 2)]),
    ("split_big", lambda L, x: x.split(10), [A(4, 2)]),
    ("tensor_split", lambda L, x: x.tensor_split(3), [A(7)]),
    ("tensor_split_idx", lambda L, x: L.tensor_split(x, [1, 4], dim=1), [A(2, 6)]),
    ("chunk", lambda L, x: x.chunk(3), [A(5, 2)]),
    ("chunk_fewer", lambda L, x: L.chunk(x, 4, 0), [A(6)]),
    ("chunk_dim", lambda L, x: x.chunk(2, -1), [A(2, 3)]),
    ("unbind", lambda L, x: x.unbind(), [A(3, 2)]),
    ("unbind_dim", lambda L, x: L.unbind(x, 1), [A(3, 2)]),
    ("flip", lambda L, x: x.flip(0), [A(2, 3)]),
    ("flip_dims", lambda L, x: L.flip(x, (0, -1)), [A(2, 3, 2)]),
    ("flip_varargs", lambda L, x: x.flip(1, 0), [A(2, 3)]),
    ("fliplr", lambda L, x: x.fliplr(), [A(2, 3)]),
    ("flipud", lambda L, x: L.flipud(x), [A(2, 3)]),
    ("roll", lambda L, x: x.roll(1), [A(2, 3)]),
    ("roll_dim", lambda L, x: L.roll(x, -1, 1), [A(2, 3)]),
    ("roll_multi", lambda L, x: x.roll((1, 5), (0, 1)), [A(2, 3)]),
    ("narrow", lambda L, x: x.narrow(1, 1, 2), [A(2, 3)]),
    ("narrow_neg", lambda L, x: L.narrow(x, 0, -1, 1), [A(2, 3)]),
    ("narrow_tensor_start", lambda L, x: x.narrow(0, L.tensor(1), 1), [A(2, 3)]),
    ("tril", lambda L, x: x.tril(), [A(3, 4)]),
    ("tril_k", lambda L, x: L.tril(x, -1), [A(2, 3, 3)]),
    ("triu", lambda L, x: x.triu(1), [A(3, 4)]),
    ("triu_int", lambda L, x: L.triu(x), [I(3, 3)]),
    ("diag_1d", lambda L, x: L.diag(x), [A(3)]),
    ("diag_1d_k", lambda L, x: x.diag(-2), [A(3)]),
    ("diag_2d", lambda L, x: L.diag(x), [A(3, 4)]),
    ("diag_2d_k", lambda L, x: x.diag(2), [A(3, 4)]),
    ("diag_2d_far", lambda L, x: x.diag(-5), [A(3, 4)]),
    ("diagonal", lambda L, x: x.diagonal(), [A(3, 4)]),
    ("diagonal_dims", lambda L, x: L.diagonal(x, -1, 2, 0), [A(2, 3, 4)]),
    ("diagonal_off", lambda L, x: x.diagonal(offset=1, dim1=-1, dim2=-2), [A(2, 3, 4)]),
    ("diag_embed", lambda L, x: x.diag_embed(), [A(2, 3)]),
    ("diag_embed_dims", lambda L, x: L.diag_embed(x, 1, 0, 2), [A(2, 3)]),
    ("T_int", lambda L, x: x.T, [I(2, 3)]),
    ("expand_int", lambda L, x: x.expand(2, 3), [I(3)]),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, arrays):
    g, t = compare(fn, *arrays)
    gs = g if isinstance(g, (tuple, list)) else [g]
    ts = t if isinstance(t, (tuple, list)) else [t]
    for gi, ti in zip(gs, ts):
        tname = ti.grad_fn.name() if ti.grad_fn is not None else None
        gname = gi.grad_fn.name() if gi.grad_fn is not None else None
        assert gname == tname, f"grad_fn {gname} vs {tname}"


# fn, arrays for a float64 finite-difference check of the analytic gradient
FD = [c for c in CASES if c[0] in {
    "view", "reshape_copy", "flatten_noncontig", "squeeze_dims", "permute", "movedim_tuple",
    "transpose", "t", "expand", "repeat_more_dims", "tile", "repeat_interleave_dim",
    "repeat_interleave_t", "cat_legacy_empty", "stack_last", "split_sizes", "chunk", "unbind_dim",
    "flip_dims", "roll_multi", "narrow", "tril_k", "triu", "diag_1d_k", "diag_2d_k",
    "diagonal_dims", "diag_embed_dims", "hstack", "roll"}]


def _scalarize(fn):
    def f(L, *xs):
        out = fn(L, *xs)
        if isinstance(out, (tuple, list)):
            return L.cat([o.reshape(-1) * (i + 1) for i, o in enumerate(out)])
        return out
    return f


@pytest.mark.parametrize("name,fn,arrays", FD, ids=[c[0] for c in FD])
def test_gradcheck(name, fn, arrays):
    gradcheck_fd(_scalarize(fn), *[a.astype(np.float64) for a in arrays])


# double backward: d/dx of sum(grad(f(x)) * w) for ops whose backward is itself differentiable
DOUBLE = ["view", "reshape_copy", "permute", "transpose", "expand", "repeat_more_dims",
          "repeat_interleave_dim", "cat_dim1", "stack_last", "split_sizes", "flip_dims",
          "roll_multi", "tril_k", "diag_1d_k", "diagonal_dims", "narrow", "unbind_dim",
          "squeeze_dims", "diag_2d_k"]


@pytest.mark.parametrize("name", DOUBLE)
def test_double_backward(name):
    fn, arrays = next((c[1], c[2]) for c in CASES if c[0] == name)
    arrays = [a.astype(np.float64) for a in arrays]
    f = _scalarize(fn)
    results = []
    for L in (gradstep, torch):
        xs = [L.tensor(a, requires_grad=True) for a in arrays]
        out = f(L, *xs)
        w = L.tensor(np.cos(np.arange(int(np.prod(out.shape)))).reshape(tuple(out.shape)))
        # a nonlinear outer function so the second derivative is not zero
        y = (out * out * w).sum()
        grads = L.autograd.grad(y, xs, create_graph=True)
        z = sum((gr * gr).sum() for gr in grads)
        second = L.autograd.grad(z, xs)
        results.append(([to_numpy(g) for g in grads], [to_numpy(s) for s in second]))
    for a, b in zip(results[0][0] + results[0][1], results[1][0] + results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


VIEWS = [
    ("view", lambda x: x.view(6, 4)), ("reshape", lambda x: x.reshape(4, 6)),
    ("flatten", lambda x: x.flatten()), ("squeeze", lambda x: x.unsqueeze(0).squeeze(0)),
    ("unsqueeze", lambda x: x.unsqueeze(1)), ("permute", lambda x: x.permute(2, 1, 0)),
    ("transpose", lambda x: x.transpose(0, 1)), ("t", lambda x: x[0].t()),
    ("narrow", lambda x: x.narrow(1, 1, 2)), ("diagonal", lambda x: x.diagonal(0, 1, 2)),
    ("split", lambda x: x.split(1)[1]), ("chunk", lambda x: x.chunk(2, 2)[1]),
    ("unbind", lambda x: x.unbind(1)[2]), ("unflatten", lambda x: x.unflatten(2, (2, 2))),
    ("mT", lambda x: x.mT), ("movedim", lambda x: x.movedim(0, 1)),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_share_storage(name, fn):
    results = []
    for L in (gradstep, torch):
        x = L.tensor(np.arange(24.0).reshape(2, 3, 4))
        v = fn(x)
        assert v._base is x
        v *= 10
        results.append(to_numpy(x))
    np.testing.assert_array_equal(results[0], results[1])
    x = gradstep.tensor(np.arange(24.0).reshape(2, 3, 4))
    before = x._version
    v = fn(x)
    v *= 2
    assert x._version == before + 1


def test_copies_do_not_share_storage():
    x = gradstep.tensor(np.arange(6.0).reshape(2, 3))
    for out in (x.t().reshape(-1), x.flip(0), x.roll(1), x.repeat(1, 1), x.tril(), x.diag(),
                gradstep.cat([x, x]), gradstep.stack([x])):
        assert out._base is None
        assert not np.shares_memory(out._data, x._data)


def test_expand_is_view_and_shares():
    x = gradstep.tensor([1.0, 2.0])
    e = x.expand(3, 2)
    assert e._base is x and np.shares_memory(e._data, x._data)
    assert e.stride() == (0, 1)


def test_T_warnings():
    for L in (gradstep, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            L.tensor(np.zeros((2, 3, 4))).T
            L.tensor(1.0).T
            L.tensor([[1.0]]).T
            L.tensor([1.0]).T
        msgs = [str(x.message).split(" (Triggered")[0] for x in w]
        if L is gradstep:
            g_msgs = msgs
        else:
            assert g_msgs == msgs


ERRORS = [
    (lambda L, x: x.view(5), "shape '[5]' is invalid for input of size 24"),
    (lambda L, x: x.view(-1, -1), "only one dimension can be inferred"),
    (lambda L, x: x.view(-1, 5), "shape '[-1, 5]' is invalid for input of size 24"),
    (lambda L, x: x.view(-2, 12), "invalid shape dimension -2 at index 0 of shape [-2, 12]"),
    (lambda L, x: x.transpose(0, 1).view(24),
     "view size is not compatible with input tensor's size and stride (at least one dimension "
     "spans across two contiguous subspaces). Use .reshape(...) instead."),
    (lambda L, x: x[:0].view(-1, 0),
     "cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension "
     "size -1 can be any value and is ambiguous"),
    (lambda L, x: x.reshape(7), "shape '[7]' is invalid for input of size 24"),
    (lambda L, x: x.squeeze(5), "Dimension out of range (expected to be in range of [-3, 2], but "
     "got 5)"),
    (lambda L, x: x.unsqueeze(4), "Dimension out of range (expected to be in range of [-4, 3], "
     "but got 4)"),
    (lambda L, x: x.permute(0, 1), "permute(sparse_coo): number of dimensions in the tensor input "
     "does not match the length of the desired ordering of dimensions i.e. input.dim() = 3 is not "
     "equal to len(dims) = 2"),
    (lambda L, x: x.permute(0, 1, 1), "permute(): duplicate dims are not allowed."),
    (lambda L, x: x.t(), "t() expects a tensor with <= 2 dimensions, but self is 3D"),
    (lambda L, x: x[0, 0].mT, "tensor.mT is only supported on matrices or batches of matrices. "
     "Got 1-D tensor."),
    (lambda L, x: x.H, "tensor.H is only supported on matrices (2-D tensors). Got 3-D tensor. For "
     "batches of matrices, consider using tensor.mH"),
    (lambda L, x: x.expand(3, 3, 4), "The expanded size of the tensor (3) must match the existing "
     "size (2) at non-singleton dimension 0.  Target sizes: [3, 3, 4].  Tensor sizes: [2, 3, 4]"),
    (lambda L, x: x.expand(3, 4), "expand(torch.FloatTensor{[2, 3, 4]}, size=[3, 4]): the number "
     "of sizes provided (2) must be greater or equal to the number of dimensions in the tensor "
     "(3)"),
    (lambda L, x: x.repeat(2), "Number of dimensions of repeat dims can not be smaller than "
     "number of dimensions of tensor"),
    (lambda L, x: L.cat([x, x[0]]), "Tensors must have same number of dimensions: got 3 and 2"),
    (lambda L, x: L.cat([x, x[:, :2]]), "Sizes of tensors must match except in dimension 0. "
     "Expected size 3 but got size 2 for tensor number 1 in the list."),
    (lambda L, x: L.cat([x, x[:, :2]], 2), "Sizes of tensors must match except in dimension 2. "
     "Expected size 3 but got size 2 for tensor number 1 in the list."),
    (lambda L, x: L.cat([x[0, 0, 0], x[0, 0, 0]]),
     "zero-dimensional tensor (at position 0) cannot be concatenated"),
    (lambda L, x: L.cat([x, x], dim=3), "Dimension out of range (expected to be in range of "
     "[-3, 2], but got 3)"),
    (lambda L, x: L.cat([]), "torch.cat(): expected a non-empty list of Tensors"),
    (lambda L, x: L.stack([x, x[0]]), "stack expects each tensor to be equal size, but got "
     "[2, 3, 4] at entry 0 and [3, 4] at entry 1"),
    (lambda L, x: L.stack([]), "stack expects a non-empty TensorList"),
    (lambda L, x: x.split(0), "split_size can only be 0 if dimension size is 0, but got dimension "
     "size of 2"),
    (lambda L, x: x.split([1, 2]), "split_with_sizes expects split_sizes to sum exactly to 2 "
     "(input tensor's size at dimension 0), but got split_sizes=[1, 2]"),
    (lambda L, x: x.chunk(0), "chunk expects `chunks` to be greater than 0, got: 0"),
    (lambda L, x: x.narrow(0, 1, 2), "start (1) + length (2) exceeds dimension size (2)."),
    (lambda L, x: x.narrow(0, 5, 1), "start out of range (expected to be in range of [-2, 2], but "
     "got 5)"),
    (lambda L, x: x.narrow(0, 0, -1), "narrow(): length must be non-negative."),
    (lambda L, x: x.roll((1, 2), (0,)), "shifts and dimensions must align. shifts: 2, dims:1"),
    (lambda L, x: x.flip(0, 0), "dim 0 appears multiple times in the list of dims"),
    (lambda L, x: x[0, 0, 0].tril(), "tril: input tensor must have at least 2 dimensions"),
    (lambda L, x: x[0, 0].triu(), "triu: input tensor must have at least 2 dimensions"),
    (lambda L, x: x.diag(), "diag(): Supports 1D or 2D tensors. Got 3D"),
    (lambda L, x: x.diagonal(0, 1, 1), "diagonal dimensions cannot be identical 1, 1"),
    (lambda L, x: x.movedim((0, 1), (1,)), "movedim: Invalid source or destination dims: source "
     "([0, 1] dims) should contain the same number of dims as destination ([1] dims)"),
    (lambda L, x: x.flatten(2, 1), "flatten() has invalid args: start_dim cannot come after "
     "end_dim"),
    (lambda L, x: x.unflatten(1, (2, 2)), "unflatten: Provided sizes [2, 2] don't multiply up to "
     "the size of dim 1 (3) in the input tensor"),
    (lambda L, x: x[0, 0].fliplr(), "Input must be >= 2-d."),
    (lambda L, x: x.repeat_interleave(L.tensor([1, 2, 3]), dim=0), "repeats must have the same "
     "size as input along dim, but got repeats.size(0) = 3 and input.size(0) = 2"),
]


@pytest.mark.parametrize("fn,msg", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_match_torch(fn, msg):
    for L in (torch, gradstep):
        x = L.tensor(np.zeros((2, 3, 4), np.float32))
        with pytest.raises((RuntimeError, IndexError, ValueError), match=re.escape(msg)) as info:
            fn(L, x)
        if L is torch:
            ttype = info.type
        else:
            assert info.type is ttype


def test_cat_legacy_empty_grad():
    x = gradstep.tensor(np.ones((2, 2), np.float32), requires_grad=True)
    e = gradstep.tensor(np.zeros(0, np.float32), requires_grad=True)
    gradstep.cat([e, x, e]).sum().backward()
    assert e.grad.shape == (0,) and x.grad.shape == (2, 2)


def test_inplace_shape_ops():
    for L in (gradstep, torch):
        x = L.tensor(np.arange(6.0).reshape(2, 3))
        x.unsqueeze_(0)
        assert tuple(x.shape) == (1, 2, 3)
        x.squeeze_()
        x.t_()
        assert tuple(x.shape) == (3, 2)
        x.transpose_(0, 1)
        x.tril_()
        if L is gradstep:
            g = to_numpy(x)
        else:
            np.testing.assert_array_equal(g, to_numpy(x))


# ----- broadcast_tensors / broadcast_shapes -----------------------------------------------------

BROADCAST_TENSORS = [
    [(2, 1), (3,)],
    [(2, 3), (2, 3)],
    [(4,)],
    [(5,), (2, 1), (3, 1, 1)],
    [(0, 1), (1, 3)],
    [(), (2, 2)],
]


@pytest.mark.parametrize("shapes", BROADCAST_TENSORS, ids=str)
def test_broadcast_tensors_matches_torch(shapes):
    arrays = [np.arange(int(np.prod(s)), dtype=np.float64).reshape(s) + 1 for s in shapes]
    w = np.arange(int(np.prod(np.broadcast_shapes(*shapes))), dtype=np.float64).reshape(
        np.broadcast_shapes(*shapes))
    compare(lambda L, *ts: tuple(t * L.tensor(w) for t in L.broadcast_tensors(*ts)), *arrays)
    for lib in (gradstep, torch):  # a tensor already of the broadcast shape comes back as is
        ts = [lib.tensor(a) for a in arrays]
        out = lib.broadcast_tensors(*ts)
        assert type(out) is tuple
        assert [o is t for o, t in zip(out, ts)] == [t.shape == out[0].shape for t in ts]


@pytest.mark.parametrize("shapes", [[(2,), (3,)], [(2, 1), (1, 3), (4,)], [(2, 3), (2, 3, 4)]],
                         ids=str)
def test_broadcast_tensors_errors(shapes):
    msgs = []
    for lib in (gradstep, torch):
        with pytest.raises(RuntimeError) as info:
            lib.broadcast_tensors(*[lib.zeros(s) for s in shapes])
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    for lib in (gradstep, torch):
        with pytest.raises(TypeError, match=re.escape(
                "expected Tensor as element 1 in argument 0, but got int")):
            lib.broadcast_tensors(lib.zeros(2), 3)


BROADCAST_SHAPES = [((2, 1), (3,)), (), ((),), (3, (2, 1)), ((1,), (0,)), ((2,), 2), ((True,),),
                    ((3,), (2, 2)), (2, 3), ([2], [3]), ((0,), (3,)), ((2,), [2, -1]),
                    ((-1,), (2,)), ((2,), (2,), (3,)), (None,), ((5, 1, 2), [4, 1], 2)]


@pytest.mark.parametrize("args", BROADCAST_SHAPES, ids=str)
def test_broadcast_shapes_matches_torch(args):
    out = []
    for lib in (gradstep, torch):
        try:
            r = lib.broadcast_shapes(*args)
            out.append((type(r).__name__, tuple(r)))
        except (RuntimeError, ValueError) as e:
            out.append((type(e).__name__, str(e)))
    assert out[0] == out[1]
