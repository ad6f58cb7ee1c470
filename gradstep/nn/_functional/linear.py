"""``linear`` and ``bilinear``: affine maps as single fused ops.

``linear`` runs ``x @ W.T + b`` over all leading batch dims as one matrix product (the batch dims
flattened into rows) and its backward is one product each for the input and the weight gradient
and one sum for the bias: the hot path of every MLP costs one node in the graph.
"""
import numpy as np

from ... import _alloc
from ..._ops._util import cpp_type_name, scalar_type_name, sum_to
from ..._tensor import type_name
from ...autograd.graph import Op

__all__ = ["linear", "bilinear"]

class _Linear(Op):
    """z = x @ W.T + b (batch dims flattened);  dz/dx = g @ W,  dz/dW = g.T @ x,  dz/db = sum g."""
    name_ = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b=None):
        x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        dtype = x2.dtype
        if dtype == w.dtype and dtype.kind == "f":
            # a large output (the logits of a language model) reuses a buffer: no page faults
            out = np.matmul(x2, w.T, out=_alloc.empty((x2.shape[0], w.shape[0]), dtype))
        else:
            out = x2 @ w.T
        if b is not None:
            if b.ndim <= 1:
                out += b
            else:
                out = out.reshape(x.shape[:-1] + (w.shape[0],)) + b
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.b_shape = None if b is None else b.shape
        if x2 is x or out.ndim == x.ndim and out.shape[:-1] == x.shape[:-1]:
            return out
        return out.reshape(x.shape[:-1] + (w.shape[0],))

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx._arrays
        needs = ctx.needs_input_grad
        g2 = grad if grad.ndim == 2 else np.reshape(grad, (-1, w.shape[0]))
        gx = gw = gb = None
        if needs[0]:
            gx = _alloc.matmul(g2, w)
            if x.ndim != 2:
                gx = np.reshape(gx, x.shape)
        if needs[1]:
            x2 = x if x.ndim == 2 else np.reshape(x, (-1, x.shape[-1]))
            gw = _alloc.matmul(g2.T, x2)
        if len(needs) > 2 and needs[2]:
            gb = _sum_rows(g2) if len(ctx.b_shape) == 1 else sum_to(grad, ctx.b_shape)
        return gx, gw, gb


def _sum_rows(g):
    """``g.sum(0)``. On a contiguous float array, ``ones @ g``: BLAS's gemv reads ``g`` once at
    twice the speed of ``np.add.reduce`` (the same sums, added in another order); the
    dispatching ``np.sum`` on a Tensor (``create_graph``)."""
    if type(g) is not np.ndarray:
        return np.sum(g, axis=0)
    if g.dtype.kind == "f" and g.flags.c_contiguous and g.shape[0] > 1:
        return np.matmul(_alloc.ones(g.shape[0], g.dtype), g)
    return np.add.reduce(g, axis=0)


class _LinearView(_Linear):
    name_ = "ViewBackward0"


class _LinearAdd(_Linear):
    name_ = "AddBackward0"


class _LinearMm(_Linear):
    name_ = "MmBackward0"


class _LinearSqueeze(_Linear):
    name_ = "SqueezeBackward4"


class _LinearUnsafeView(_Linear):
    name_ = "UnsafeViewBackward0"


def _dtype_error(x, w, b=None):
    """torch's error for mismatched dtypes: without a bias, matmul's; with one, addmm's, which
    checks the bias against the weight first, then the input."""
    if b is None:
        return RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                            f"{cpp_type_name(x)} != {cpp_type_name(w)}")
    if b != w:
        return RuntimeError(f"self and mat2 must have the same dtype, but got "
                            f"{scalar_type_name(b)} and {scalar_type_name(w)}")
    return RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                        f"{scalar_type_name(x)} and {scalar_type_name(w)}")


def linear(input, weight, bias=None):
    r"""Apply the affine map :math:`y = x W^T + b` over the last dim of ``input``.

    ``input`` is ``(*, in_features)``, ``weight`` ``(out_features, in_features)``, ``bias``
    ``(out_features)``; the result is ``(*, out_features)``.

    Example::

        >>> import gradstep as torch
        >>> x = torch.ones(2, 3)
        >>> torch.nn.functional.linear(x, torch.ones(4, 3), torch.zeros(4)).shape
        torch.Size([2, 4])
    """
    xd, wd = input._data, weight._data
    if wd.ndim != 2 or xd.ndim == 0:
        return _linear_general(input, weight, bias)
    if xd.shape[-1] != wd.shape[1]:
        rows = xd.size // xd.shape[-1] if xd.shape[-1] else int(np.prod(xd.shape[:-1]))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xd.shape[-1]} "
                           f"and {wd.shape[1]}x{wd.shape[0]})")
    if xd.dtype != wd.dtype or bias is not None and bias._data.dtype != wd.dtype:
        raise _dtype_error(xd.dtype, wd.dtype, None if bias is None else bias._data.dtype)
    if xd.dtype.kind == "b":  # torch multiplies integer matrices, not bool ones
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    nd = xd.ndim
    if bias is None:
        op = _LinearMm if nd == 2 else _LinearSqueeze if nd == 1 else _LinearUnsafeView
        return op.apply2(input, weight)
    bd = bias._data
    if bd.ndim == 1:
        if bd.shape[0] != wd.shape[0]:
            rows = xd.size // xd.shape[-1] if xd.shape[-1] else int(np.prod(xd.shape[:-1]))
            _check_expand(bd.shape, (rows, wd.shape[0]))
    elif bd.ndim:
        out_shape = xd.shape[:-1] + (wd.shape[0],)
        if bd.ndim > len(out_shape):
            raise RuntimeError(f"expand({type_name(bias)}{{{list(bd.shape)}}}, size="
                               f"{list(out_shape)}): the number of sizes provided "
                               f"({len(out_shape)}) must be greater or equal to the number of "
                               f"dimensions in the tensor ({bd.ndim})")
        _check_expand(bd.shape, out_shape)
    op = _Linear if nd == 2 else _LinearView if bd.ndim == 1 else _LinearAdd
    return op.apply(input, weight, bias)


def _check_expand(shape, target):
    target = tuple(target)
    lead = len(target) - len(shape)
    for i, n in enumerate(shape):
        if lead + i < 0:
            break
        m = target[lead + i]
        if n != 1 and n != m:
            raise RuntimeError(
                f"The expanded size of the tensor ({m}) must match the existing size ({n}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {list(target)}.  Tensor "
                f"sizes: {list(shape)}")


def _linear_general(input, weight, bias):
    """The rare shapes (a 1-D weight, a 0-dim operand): torch's matmul semantics, composed."""
    xd, wd = input._data, weight._data
    if xd.ndim == 0 or wd.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{xd.ndim}D and {wd.ndim}D")
    if bias is not None and wd.ndim == 1:
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
    out = input.matmul(weight.mT if wd.ndim >= 2 else weight)
    return out if bias is None else out + bias


class _Bilinear(Op):
    r"""z[n,o] = x1[n,i] A[o,i,j] x2[n,j] + b[o];  gradients are the same contraction with one
    factor swapped for g."""
    name_ = "ViewBackward0"

    @staticmethod
    def forward(ctx, x1, x2, w, b=None):
        batch = x1.shape[:-1]
        a = x1.reshape(-1, x1.shape[-1])
        c = x2.reshape(-1, x2.shape[-1])
        o, i, j = w.shape
        # (n, i) @ (i, o*j) -> (n, o, j), then contract j with x2
        t = (a @ np.reshape(np.transpose(w, (1, 0, 2)), (i, o * j))).reshape(-1, o, j)
        out = np.matmul(t, c[:, :, None])[..., 0]
        if b is not None:
            out += b
        if ctx.needs_input_grad:
            ctx.save_for_backward(x1, x2, w)
        return out.reshape(batch + (o,))

    @staticmethod
    def backward(ctx, grad):
        x1, x2, w = ctx._arrays
        needs = ctx.needs_input_grad
        o, i, j = w.shape
        a = np.reshape(x1, (-1, i))
        c = np.reshape(x2, (-1, j))
        g = np.reshape(grad, (-1, o))
        g1 = g2 = gw = gb = None
        if needs[0]:
            g1 = np.reshape(np.einsum("no,oij,nj->ni", g, w, c, optimize=True), x1.shape)
        if needs[1]:
            g2 = np.reshape(np.einsum("no,oij,ni->nj", g, w, a, optimize=True), x2.shape)
        if needs[2]:
            gw = np.einsum("no,ni,nj->oij", g, a, c, optimize=True)
        if len(needs) > 3 and needs[3]:
            gb = np.sum(g, axis=0)
        return g1, g2, gw, gb


class _BilinearBias(_Bilinear):
    name_ = "AddBackward0"


def bilinear(input1, input2, weight, bias=None):
    r"""Apply :math:`y = x_1^T A x_2 + b` over the last dims of ``input1`` and ``input2``.

    ``input1`` is ``(*, in1)``, ``input2`` ``(*, in2)`` (same batch dims), ``weight``
    ``(out, in1, in2)`` and ``bias`` ``(out)``; the result is ``(*, out)``.
    """
    x1, x2, w = input1._data, input2._data, weight._data
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and "
                           f"{x2.ndim}")
    for d in range(x1.ndim - 1):
        if x1.shape[d] != x2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{x1.shape[d]} and {x2.shape[d]}")
    if x1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{x1.shape[-1]} but expected {w.shape[1]}")
    if x2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{x2.shape[-1]} but expected {w.shape[2]}")
    if x1.dtype.kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if bias is None:
        return _Bilinear.apply(input1, input2, weight)
    got = bias._data.shape[0] if bias._data.ndim else 1
    if got != w.shape[0] or bias._data.ndim != 1:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} but "
                           f"expected {w.shape[0]}")
    return _BilinearBias.apply(input1, input2, weight, bias)

