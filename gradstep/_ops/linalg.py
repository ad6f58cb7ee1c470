"""Matrix products: matmul (``@``), mm, bmm, mv, dot, vdot, outer, einsum, tensordot, addmm & co.

Every product is one BLAS call through ``np.matmul`` (transposed operands are passed as views,
which BLAS reads directly), and each input gradient is one more. torch requires both operands of a
product to share a dtype (no promotion), and so does gradstep, with torch's messages.

``matmul`` follows torch's rank rules: 1-D x 1-D is a dot product, 2-D x 2-D a matrix product,
a 1-D operand gets a dimension prepended (left) or appended (right) that is removed from the
result, and batch dimensions broadcast. N-D x 2-D products are folded into one 2-D product.
"""
import string

import numpy as np

from ..autograd.graph import Op
from .._alloc import matmul as _pooled_matmul
from ._util import cpp_type_name, is_tensor, scalar_type_name, sum_to, wrap_dim
from ._util import write_out as _out
from .decomp import Methods as _DecompMethods

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "einsum",
           "tensordot", "addmm", "addmv", "addbmm", "baddbmm", "addr", "chain_matmul",
           "linalg_multi_dot", "kron"]

# C++ type names torch prints in "expected m1 and m2 to have the same dtype".


def _mT(x):
    """The last two dims swapped: a view for arrays, a differentiable transpose for Tensors."""
    return x.T if x.ndim == 2 else np.swapaxes(x, -1, -2)


def _outer(u, v):
    return np.reshape(u, (-1, 1)) * np.reshape(v, (1, -1))


# ----- ops -----

class Mm(Op):
    """z = a @ b (2-D);  dz/da = g @ b^T,  dz/db = a^T @ g."""
    name_ = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _pooled_matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        need_a, need_b = ctx.needs_input_grad
        return (_pooled_matmul(grad, b.T) if need_a else None), \
            (_pooled_matmul(a.T, grad) if need_b else None)


class Mv(Op):
    """z = A @ v;  dz/dA = g v^T,  dz/dv = A^T @ g."""
    name_ = "MvBackward0"

    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return np.matmul(a, v)

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx._arrays
        need_a, need_v = ctx.needs_input_grad
        return (_outer(grad, v) if need_a else None), (a.T @ grad if need_v else None)


class VecMat(Op):
    """z = v @ A (1-D by 2-D);  dz/dv = A @ g,  dz/dA = v g^T."""
    name_ = "SqueezeBackward4"

    @staticmethod
    def forward(ctx, v, a):
        ctx.save_for_backward(v, a)
        return np.matmul(v, a)

    @staticmethod
    def backward(ctx, grad):
        v, a = ctx._arrays
        need_v, need_a = ctx.needs_input_grad
        return (a @ grad if need_v else None), (_outer(v, grad) if need_a else None)


class Dot(Op):
    """z = sum(a * b) (1-D);  dz/da = g b,  dz/db = g a."""
    name_ = "DotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.asarray(np.dot(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Vdot(Dot):
    name_ = "VdotBackward0"


class Bmm(Op):
    """z = a @ b (3-D, same batch);  dz/da = g @ b^T,  dz/db = a^T @ g."""
    name_ = "BmmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        need_a, need_b = ctx.needs_input_grad
        return (grad @ _mT(b) if need_a else None), (_mT(a) @ grad if need_b else None)


class Matmul(Op):
    """z = a @ b for N-D operands (1-D operands promoted, batch dims broadcast).

    dz/da = sum_to(g @ b^T), dz/db = sum_to(a^T @ g), with the promoted dims restored. When b is
    a matrix (or vector) the batch of a is folded into rows, so each product is one 2-D BLAS call.
    """
    name_ = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if a.ndim >= 3 and b.ndim <= 2:
            # rows counted, not inferred with -1: k may be 0
            out = np.matmul(a.reshape(_prod(a.shape[:-1]), a.shape[-1]), b)
            return out.reshape(a.shape[:-1] + b.shape[1:])
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if b.ndim <= 2 and a.ndim >= 3:
            # Folded: rows of a (all batch dims) times b.
            rows, k = _prod(a.shape[:-1]), a.shape[-1]
            n = b.shape[-1] if b.ndim == 2 else 1
            g2 = np.reshape(grad, (rows, n))
            b2 = b if b.ndim == 2 else np.reshape(b, (k, 1))
            if need_a:
                ga = np.reshape(g2 @ b2.T, a.shape)
            if need_b:
                gb = np.reshape(np.reshape(a, (rows, k)).T @ g2, b.shape)
            return ga, gb
        a2 = a if a.ndim > 1 else np.reshape(a, (1, -1))
        b2 = b if b.ndim > 1 else np.reshape(b, (-1, 1))
        g_shape = tuple(grad.shape)
        if a.ndim == 1:
            g_shape = g_shape[:-1] + (1,) + g_shape[-1:] if b.ndim > 1 else g_shape + (1,)
        if b.ndim == 1:
            g_shape = g_shape + (1,)
        g2 = np.reshape(grad, g_shape)
        if need_a:
            ga = np.reshape(sum_to(g2 @ _mT(b2), tuple(a2.shape)), a.shape)
        if need_b:
            gb = np.reshape(sum_to(_mT(a2) @ g2, tuple(b2.shape)), b.shape)
        return ga, gb


class MatmulClone(Matmul):
    name_ = "CloneBackward0"


class Outer(Op):
    """z = u v^T;  dz/du = g @ v,  dz/dv = g^T @ u."""
    name_ = "MulBackward0"

    @staticmethod
    def forward(ctx, u, v):
        ctx.save_for_backward(u, v)
        return np.multiply.outer(u, v)

    @staticmethod
    def backward(ctx, grad):
        u, v = ctx._arrays
        need_u, need_v = ctx.needs_input_grad
        return (grad @ v if need_u else None), (u @ grad if need_v else None)


class _AddProduct(Op):
    """z = beta * input + alpha * prod(a, b);  dz/dinput = beta g (summed to input's shape).

    ``alpha_zero_skips``: torch's addmm, addmv and addbmm drop the product when alpha is 0 (nan
    and inf in the matrices do not propagate); baddbmm and addr multiply it by 0.
    """
    alpha_zero_skips = False

    @staticmethod
    def prod(a, b):
        raise NotImplementedError

    @staticmethod
    def grad_a(grad, b):
        raise NotImplementedError

    @staticmethod
    def grad_b(a, grad):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.c_shape = c.shape
        ctx.beta, ctx.alpha = beta, alpha
        out = cls.prod(a, b)
        if alpha == 0 and cls.alpha_zero_skips:
            out = np.zeros_like(out)
        elif alpha != 1:
            out *= alpha
        if beta == 0:
            # torch ignores input when beta is 0 (nan and inf in it do not propagate)
            if out.shape != _broadcast_shape(c.shape, out.shape):
                out = out + np.zeros_like(c)
            return out
        if out.shape == _broadcast_shape(c.shape, out.shape):
            np.add(out, c if beta == 1 else beta * c, out=out, casting="unsafe")
            return out
        return out + (c if beta == 1 else beta * c)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx._arrays
        need_c, need_a, need_b = ctx.needs_input_grad[:3]
        beta, alpha = ctx.beta, ctx.alpha
        gc = ga = gb = None
        if need_c:
            gc = sum_to(grad if beta == 1 else grad * beta, ctx.c_shape)
        if need_a:
            ga = cls.grad_a(grad, b)
            if alpha != 1:
                ga = ga * alpha
        if need_b:
            gb = cls.grad_b(a, grad)
            if alpha != 1:
                gb = gb * alpha
        return gc, ga, gb


def _broadcast_shape(s1, s2):
    return np.broadcast_shapes(s1, s2)


class Addmm(_AddProduct):
    name_ = "AddmmBackward0"
    alpha_zero_skips = True
    prod = staticmethod(np.matmul)

    @staticmethod
    def grad_a(grad, b):
        return grad @ b.T

    @staticmethod
    def grad_b(a, grad):
        return a.T @ grad


class Addmv(_AddProduct):
    name_ = "AddmvBackward0"
    alpha_zero_skips = True
    prod = staticmethod(np.matmul)

    @staticmethod
    def grad_a(grad, v):
        return _outer(grad, v)

    @staticmethod
    def grad_b(a, grad):
        return a.T @ grad


class Baddbmm(_AddProduct):
    name_ = "BaddbmmBackward0"
    prod = staticmethod(np.matmul)

    @staticmethod
    def grad_a(grad, b):
        return grad @ _mT(b)

    @staticmethod
    def grad_b(a, grad):
        return _mT(a) @ grad


class Addbmm(_AddProduct):
    """z = beta * input + alpha * sum_i a[i] @ b[i]."""
    name_ = "AddbmmBackward0"
    alpha_zero_skips = True

    @staticmethod
    def prod(a, b):
        if a.shape[0] == 0:
            return np.zeros((a.shape[1], b.shape[2]), dtype=a.dtype)
        n, m, k = a.shape
        # sum_i a[i] @ b[i] == [a[0] a[1] ...] @ [b[0]; b[1]; ...]: one BLAS call
        return np.matmul(np.transpose(a, (1, 0, 2)).reshape(m, n * k), b.reshape(n * k, -1))

    @staticmethod
    def grad_a(grad, b):
        return grad @ _mT(b)

    @staticmethod
    def grad_b(a, grad):
        return _mT(a) @ grad


class Addr(_AddProduct):
    """z = beta * input + alpha * u v^T;  dz/du = alpha g v,  dz/dv = alpha g^T u."""
    name_ = "AddrBackward0"
    prod = staticmethod(np.multiply.outer)

    @staticmethod
    def grad_a(grad, v):
        return grad @ v

    @staticmethod
    def grad_b(u, grad):
        return _mT(grad) @ u


class Kron(Op):
    """z[i * m + k] = a[i] b[k] along every dim (both padded to one rank with leading 1s);
    dz/da = sum over b's positions of g b,  dz/db = sum over a's positions of g a.

    Computed as one broadcast product of a shaped (a0, 1, a1, 1, ...) and b shaped
    (1, b0, 1, b1, ...), then viewed as (a0 b0, a1 b1, ...).
    """
    name_ = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        n = max(a.ndim, b.ndim)
        sa = (1,) * (n - a.ndim) + a.shape
        sb = (1,) * (n - b.ndim) + b.shape
        ctx.shapes = (a.shape, b.shape, sa, sb)
        ctx.save_for_backward(a, b)
        wide_a = a.reshape(tuple(d for size in sa for d in (size, 1)))
        wide_b = b.reshape(tuple(d for size in sb for d in (1, size)))
        return np.multiply(wide_a, wide_b).reshape(tuple(x * y for x, y in zip(sa, sb)))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        a_shape, b_shape, sa, sb = ctx.shapes
        n = len(sa)
        g = np.reshape(grad, tuple(d for x, y in zip(sa, sb) for d in (x, y)))
        ga = gb = None
        if ctx.needs_input_grad[0]:
            wide_b = np.reshape(b, tuple(d for size in sb for d in (1, size)))
            ga = np.reshape(np.sum(g * wide_b, axis=tuple(range(1, 2 * n, 2))), a_shape)
        if ctx.needs_input_grad[1]:
            wide_a = np.reshape(a, tuple(d for size in sa for d in (size, 1)))
            gb = np.reshape(np.sum(g * wide_a, axis=tuple(range(0, 2 * n, 2))), b_shape)
        return ga, gb


class Einsum(Op):
    """z = einsum(eq, *ops);  dz/dop_k = einsum(out, other ops -> op_k's labels) of g.

    The equation is normalised first (no ellipsis, explicit output). Labels only op_k has are
    broadcast back with a ones vector, repeated labels (diagonals) with identity matrices, and
    size-1 labels that broadcast are summed back with a length-1 ones vector: each gradient is
    one einsum call.
    """
    name_ = "ViewBackward0"

    @staticmethod
    def forward(ctx, eq, *arrays):
        ctx.save_for_backward(*arrays)
        ctx.eq = eq
        if len(arrays) == 1:
            # a one-operand einsum may be a view (transpose, diagonal): the result owns its data
            return np.array(np.einsum(eq, arrays[0]))
        out = np.einsum(eq, *arrays, optimize=True)
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        ops = ctx._arrays
        needs = ctx.needs_input_grad[1:]
        lhs, out_labels = ctx.eq.split("->")
        labels = lhs.split(",")
        sizes = {}
        for lab, op in zip(labels, ops):
            for c, n in zip(lab, op.shape):
                if n != 1 or c not in sizes:
                    sizes[c] = n
        used = set(ctx.eq)
        fresh = (c for c in string.ascii_letters if c not in used)
        dtype = grad.dtype if not is_tensor(grad) else grad._data.dtype
        grads = [None]
        for k, (lab, op) in enumerate(zip(labels, ops)):
            if not needs[k]:
                grads.append(None)
                continue
            in_subs = [out_labels]
            in_ops = [grad]
            for j, (lj, oj) in enumerate(zip(labels, ops)):
                if j != k:
                    in_subs.append(lj)
                    in_ops.append(oj)
            # the largest size each label has among the operands of this gradient's einsum: a
            # label only seen with size 1 there (broadcast in forward) must be widened again
            present = {}
            for sub, o in zip(in_subs, in_ops):
                for c, n in zip(sub, o.shape):
                    present[c] = max(present.get(c, 0), n)
            target = []
            seen = set()
            for c, n in zip(lab, op.shape):
                if c in seen and not (n == 1 and sizes[c] != 1):
                    # repeated label: the gradient lives on the diagonal
                    new = next(fresh)
                    in_subs.append(c + new)
                    in_ops.append(np.eye(sizes[c], dtype=dtype))
                    target.append(new)
                    continue
                seen.add(c)
                if n == 1 and sizes[c] != 1:
                    new = next(fresh)
                    in_subs.append(new)
                    in_ops.append(np.ones((1,), dtype=dtype))
                    target.append(new)
                    continue
                if present.get(c, 0) != n:
                    in_subs.append(c)
                    in_ops.append(np.ones((n,), dtype=dtype))
                    present[c] = n
                target.append(c)
            eq = ",".join(in_subs) + "->" + "".join(target)
            g = np.einsum(eq, *in_ops, optimize=len(in_ops) > 2)
            grads.append(np.asarray(g) if not is_tensor(g) else g)
        return tuple(grads)


# ----- checks -----

def _check_tensor(x, name, fn, pos):
    if not is_tensor(x):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _not_bool(kernel, *arrays):
    for a in arrays:
        if a.dtype == np.bool_:
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _mm_dtype(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{cpp_type_name(a.dtype)} != {cpp_type_name(b.dtype)}")
    _not_bool("addmm_impl_cpu_", a)


def _mm_shape(s1, s2):
    if s1[1] != s2[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({s1[0]}x{s1[1]} and "
                           f"{s2[0]}x{s2[1]})")


def _mv_checks(mat_shape, vec_len, mat_dtype, vec_dtype):
    if mat_dtype != vec_dtype:
        v, m = scalar_type_name(vec_dtype), scalar_type_name(mat_dtype)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, "
                           f"and {v}")
    _not_bool("addmv_impl_cpu", np.empty(0, mat_dtype))
    if mat_shape[1] != vec_len:
        raise RuntimeError(f"size mismatch, got input ({mat_shape[0]}), mat "
                           f"({mat_shape[0]}x{mat_shape[1]}), vec ({vec_len})")


def _dot_checks(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{scalar_type_name(a.dtype)} and {scalar_type_name(b.dtype)}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    _not_bool("dot", a)


def _scalar_type_error(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(a.dtype)} but found "
                           f"{scalar_type_name(b.dtype)}")


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _bmm_shape(s1, s2):
    if s2[0] != s1[0] or s2[1] != s1[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{s1[0]}, {s1[2]}] but got: [{s2[0]}, {s2[1]}].")


def _broadcast_batch(b1, b2):
    """Broadcast two batch shapes with torch's message for a mismatch."""
    n = max(len(b1), len(b2))
    p1 = (1,) * (n - len(b1)) + tuple(b1)
    p2 = (1,) * (n - len(b2)) + tuple(b2)
    out = []
    for i, (x, y) in enumerate(zip(p1, p2)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


# ----- public functions -----

def matmul(input, other, *, out=None):
    r"""Matrix product of two tensors with torch's rank rules (see the module docstring).

    Example::

        >>> import gradstep as torch
        >>> torch.matmul(torch.ones(2, 3), torch.ones(3)).shape
        torch.Size([2])
    """
    _check_tensor(input, "input", "matmul", 1)
    _check_tensor(other, "other", "matmul", 2)
    a, b = input._data, other._data
    da, db = a.ndim, b.ndim
    if da == 2 and db == 2:
        _mm_dtype(a, b)
        _mm_shape(a.shape, b.shape)
        return _out(Mm.apply(input, other), out, "matmul")
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        _dot_checks(a, b)
        return _out(Dot.apply(input, other), out, "matmul")
    if da == 2 and db == 1:
        _mv_checks(a.shape, b.shape[0], a.dtype, b.dtype)
        return _out(Mv.apply(input, other), out, "matmul")
    if da == 1 and db == 2:
        _mm_dtype(a, b)
        _mm_shape((1, a.shape[0]), b.shape)
        return _out(VecMat.apply(input, other), out, "matmul")
    if db <= 2:
        # N-D @ matrix or vector: the batch folds into the rows of one 2-D product
        rows = _prod(a.shape[:-1])
        if db == 2:
            _mm_dtype(a, b)
            _mm_shape((rows, a.shape[-1]), b.shape)
        else:
            _mv_checks((rows, a.shape[-1]), b.shape[0], a.dtype, b.dtype)
        return _out(Matmul.apply(input, other), out, "matmul")
    batch_a = a.shape[:-2] if da >= 2 else ()
    if input._requires_grad and da <= 3 and _prod(batch_a) == 1 and _prod(b.shape[:-2]) > 1:
        # torch folds other's batch into rows here (computing (b^T @ a^T)^T): its messages
        # and its grad_fn name come from that route.
        rows = _prod(b.shape[:-2]) * b.shape[-1]
        if da == 1:
            _mv_checks((rows, b.shape[-2]), a.shape[0], b.dtype, a.dtype)
            return _out(Matmul.apply(input, other), out, "matmul")
        _mm_dtype(b, a)
        _not_bool("addmm_impl_cpu_", a)
        _mm_shape((rows, b.shape[-2]), (a.shape[-1], a.shape[-2]))
        return _out(MatmulClone.apply(input, other), out, "matmul")
    _not_bool("bmm", a)  # torch picks the kernel by the first operand's dtype, then compares
    _scalar_type_error(a, b)
    batch_b = b.shape[:-2]
    batch = _broadcast_batch(batch_a, batch_b)
    n = _prod(batch)
    _bmm_shape((n,) + (a.shape[-2] if da >= 2 else 1, a.shape[-1]), (n,) + b.shape[-2:])
    return _out(Matmul.apply(input, other), out, "matmul")


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors."""
    _check_tensor(input, "input", "mm", 1)
    _check_tensor(mat2, "mat2", "mm", 2)
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _mm_dtype(a, b)
    _mm_shape(a.shape, b.shape)
    return _out(Mm.apply(input, mat2), out)


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors with the same batch size."""
    _check_tensor(input, "input", "bmm", 1)
    _check_tensor(mat2, "mat2", "bmm", 2)
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _not_bool("bmm", a)  # torch picks the kernel by the first operand's dtype, then compares
    _scalar_type_error(a, b)
    _bmm_shape(a.shape, b.shape)
    return _out(Bmm.apply(input, mat2), out)


def mv(input, vec, *, out=None):
    """Product of a matrix and a vector."""
    _check_tensor(input, "input", "mv", 1)
    _check_tensor(vec, "vec", "mv", 2)
    a, v = input._data, vec._data
    if a.ndim == 0:  # torch reads the matrix's row count first
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    _mv_checks(a.shape, v.shape[0], a.dtype, v.dtype)
    return _out(Mv.apply(input, vec), out)


def dot(input, tensor, *, out=None):
    """Dot product of two 1-D tensors (same dtype and length)."""
    _check_tensor(input, "input", "dot", 1)
    _check_tensor(tensor, "tensor", "dot", 2)
    _dot_checks(input._data, tensor._data)
    return _out(Dot.apply(input, tensor), out)


def vdot(input, other, *, out=None):
    """Dot product of two 1-D tensors (the first conjugated: the same for real tensors)."""
    _check_tensor(input, "input", "vdot", 1)
    _check_tensor(other, "other", "vdot", 2)
    _dot_checks(input._data, other._data)
    return _out(Vdot.apply(input, other), out)


def inner(input, other, *, out=None):
    """Inner product over the last dims (a scalar times a tensor when either is 0-D)."""
    if input.ndim == 0 or other.ndim == 0:
        return _out(input * other, out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    return _out(tensordot(input, other, dims=([input.ndim - 1], [other.ndim - 1])), out)


def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors (types promote, as for ``*``)."""
    for x, name in ((input, "self"), (vec2, "vec2")):
        if x._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x._data.ndim}-D")
    from ._util import promote_operands
    u, v = promote_operands(input, vec2)
    return _out(Outer.apply(u, v), out)


ger = outer


def _add_product_dtypes(c, a, b):
    """addmm's and addbmm's dtype checks, in torch's order: input against mat2, then mat1."""
    if c.dtype != b.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(c.dtype)} and {scalar_type_name(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{scalar_type_name(a.dtype)} and {scalar_type_name(b.dtype)}")
    _not_bool("addmm_impl_cpu_", a)


def _addmm_checks(input, a, b, fn):
    c = input._data
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    _add_product_dtypes(c, a, b)  # before the shapes, as torch
    _mm_shape(a.shape, b.shape)
    _expand_check(input, (a.shape[0], b.shape[1]))


def _expand_check(tensor, target):
    """torch's expand error when ``tensor`` does not broadcast to the shape ``target``."""
    shape = tensor.shape
    if len(shape) <= len(target):
        pad = (1,) * (len(target) - len(shape)) + tuple(shape)
        # torch compares from the last dim backwards and reports the first mismatch it meets
        for i in reversed(range(len(target))):
            s, t = pad[i], target[i]
            if s != t and s != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({t}) must match the existing size ({s}) at "
                    f"non-singleton dimension {i}.  Target sizes: {list(target)}.  Tensor sizes: "
                    f"{list(shape)}")
        return
    from .._tensor import type_name
    shown = "CPUBoolType" if tensor._data.dtype == np.bool_ else type_name(tensor)
    raise RuntimeError(f"expand({shown}{{{list(shape)}}}, size={list(target)}): the number of "
                       f"sizes provided ({len(target)}) must be greater or equal to the number of "
                       f"dimensions in the tensor ({len(shape)})")


def _coef(x, dtype):
    """beta/alpha for an integer product are truncated to integers, as torch does."""
    return int(x) if dtype.kind in "iub" and not isinstance(x, bool) else x


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    r"""Return ``beta * input + alpha * (mat1 @ mat2)``; input broadcasts to the product's shape.

    Example::

        >>> import gradstep as torch
        >>> torch.addmm(torch.ones(3), torch.ones(2, 4), torch.ones(4, 3)).tolist()
        [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]
    """
    _addmm_checks(input, mat1._data, mat2._data, "addmm")
    dt = mat1._data.dtype
    return _out(Addmm.apply(input, mat1, mat2, _coef(beta, dt), _coef(alpha, dt)), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """Return ``beta * input + alpha * (mat @ vec)``."""
    a, v, c = mat._data, vec._data, input._data
    if a.ndim != 2 or v.ndim != 1 or c.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c.ndim}, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0] or c.shape not in ((a.shape[0],), (1,), ()):
        raise RuntimeError(f"size mismatch, got input ({c.shape[0] if c.ndim else 1}), mat "
                           f"({a.shape[0]}x{a.shape[1]}), vec ({v.shape[0]})")
    if not c.dtype == a.dtype == v.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{scalar_type_name(c.dtype)}, {scalar_type_name(a.dtype)}, and "
                           f"{scalar_type_name(v.dtype)}")
    _not_bool("addmv_impl_cpu", a)
    dt = a.dtype
    return _out(Addmv.apply(input, mat, vec, _coef(beta, dt), _coef(alpha, dt)), out)


def _bmm_checks(a, b):
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """Return ``beta * input + alpha * (batch1 @ batch2)`` for 3-D batches."""
    a, b, c = batch1._data, batch2._data, input._data
    # torch sizes the result from batch1's first two dims and batch2's third, and broadcasts
    # input to it, before any other check
    target = tuple(x.shape[wrap_dim(d, x.ndim)] for x, d in ((a, 0), (a, 1), (b, 2)))
    _expand_check(input, target)
    if c.dtype != a.dtype:
        names = [cpp_type_name(x.dtype) for x in (c, a, b)]
        raise RuntimeError(f"Input dtypes must be the same, got: input {names[0]}, batch1: "
                           f"{names[1]}, batch2: {names[2]}")
    _bmm_checks(a, b)
    _scalar_type_error(a, b)
    _not_bool("baddbmm", a)
    _bmm_shape(a.shape, b.shape)
    dt = a.dtype
    return _out(Baddbmm.apply(input, batch1, batch2, _coef(beta, dt), _coef(alpha, dt)), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """Return ``beta * input + alpha * sum_i batch1[i] @ batch2[i]``."""
    a, b, c = batch1._data, batch2._data, input._data
    _bmm_checks(a, b)
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{a.shape[0]} and {b.shape[0]}")
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and "
                           f"{b.shape[1]}x{b.shape[2]})")
    _expand_check(input, (a.shape[1], b.shape[2]))
    _add_product_dtypes(c, a, b)
    dt = a.dtype
    return _out(Addbmm.apply(input, batch1, batch2, _coef(beta, dt), _coef(alpha, dt)), out)


def _addr_coef(value, name, dtype):
    """beta or alpha of addr as a Python number, refused where torch refuses it: a float for an
    integer or bool result, a bool for a non-bool one."""
    if is_tensor(value):
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        if dtype != np.bool_:
            raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
        return bool(value)
    if dtype.kind in "iub" and isinstance(value, (float, np.floating)):
        raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating "
                           "point number.")
    return value


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    r"""Return ``beta * input + alpha * outer(vec1, vec2)``, input broadcast to the product.

    The three tensors promote to one dtype. With ``beta = 0`` input is ignored (nan and inf in
    it do not propagate); for bool tensors the result is
    ``(beta and input) or (alpha and vec1 vec2^T)``.

    Example::

        >>> import gradstep as torch
        >>> torch.addr(torch.ones(2, 2), torch.tensor([1., 2.]), torch.tensor([3., 4.])).tolist()
        [[4.0, 5.0], [7.0, 9.0]]
    """
    for vec, name in ((vec1, "vec1"), (vec2, "vec2")):
        if vec._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {vec._data.ndim}-D")
    from .. import _dtype
    from ._util import _to
    shape = (vec1._data.shape[0], vec2._data.shape[0])
    _expand_check(input, shape)
    target = _dtype.result_type(input, vec1, vec2)
    beta = _addr_coef(beta, "beta", target.np)
    alpha = _addr_coef(alpha, "alpha", target.np)
    if target.np == np.bool_:
        from .._tensor import Tensor
        prod = np.multiply.outer(vec1._data, vec2._data) & bool(alpha)
        result = prod | (input._data & bool(beta))
        return _out(Tensor._make(np.ascontiguousarray(np.broadcast_to(result, shape))), out)
    c, u, v = (_to(x, target) for x in (input, vec1, vec2))
    return _out(Addr.apply(c, u, v, beta, alpha), out)


# ----- einsum and tensordot -----

def _einsum_subscripts(eq, start, end, owner, ellipsis_error):
    """One side's labels between ``start`` and ``end`` of the equation, with torch's errors for a
    stray '.', a second ellipsis or a character outside [a-zA-Z] (``owner`` names the operand or
    the output in them). Commas split the left side; ``None`` in the result marks a comma."""
    labels = []
    seen_ellipsis = False
    i = start
    while i < end:
        ch = eq[i]
        if ch == " ":
            i += 1
        elif ch == ".":
            if seen_ellipsis:
                raise RuntimeError(f"einsum(): found '.' for {owner()} {ellipsis_error}")
            if eq[i:i + 3] != "..." or i + 3 > end:
                tail = " (...)" if owner() == "output" else ""
                raise RuntimeError(f"einsum(): found '.' for {owner()} that is not part of any "
                                   f"ellipsis{tail}")
            labels.append("...")
            seen_ellipsis = True
            i += 3
        elif ch == "," and owner() != "output":
            labels.append(None)
            seen_ellipsis = False
            i += 1
        elif ch in string.ascii_letters:
            labels.append(ch)
            i += 1
        else:
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
    return labels


def _parse_einsum(equation, arrays):
    """A normalised equation: no spaces, no ellipsis, an explicit output."""
    eq = equation
    arrow = eq.find("->")
    lhs_end = arrow if arrow >= 0 else len(eq)
    current = [0]

    def operand():
        return f"operand {current[0]}"

    terms = [""]
    for label in _einsum_subscripts(eq, 0, lhs_end, operand, "for which an ellipsis was already "
                                    "found"):
        if label is None:
            if len(terms) == len(arrays):
                raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                                   "equation")
            terms.append("")
            current[0] += 1
        else:
            terms[-1] += label
    if len(terms) < len(arrays):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    rhs = None
    if arrow >= 0:
        rhs = "".join(_einsum_subscripts(eq, arrow + 2, len(eq), lambda: "output",
                                         "but an ellipsis (...) was already found"))
    used = set(c for c in eq if c in string.ascii_letters)
    fresh = [c for c in string.ascii_letters if c not in used]
    ell_dims = 0
    for i, (t, a) in enumerate(zip(terms, arrays)):
        if "..." in t:
            n = len(t) - 3
            if n > a.ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is "
                                   f"more than the number of dimensions ({a.ndim}) for operand "
                                   f"{i}")
            ell_dims = max(ell_dims, a.ndim - n)
        elif len(t) != a.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) "
                               f"does not match the number of dimensions ({a.ndim}) for operand "
                               f"{i} and no ellipsis was given")
    ell = "".join(fresh[:ell_dims])
    new_terms = []
    for t, a in zip(terms, arrays):
        if "..." in t:
            k = a.ndim - (len(t) - 3)
            t = t.replace("...", ell[ell_dims - k:] if k else "")
        new_terms.append(t)
    counts = {}
    for t in new_terms:
        for c in t:
            counts[c] = counts.get(c, 0) + 1
    if rhs is None:
        rhs = ell + "".join(sorted((c for c in counts if counts[c] == 1 and c not in ell),
                                   key=lambda c: (c.islower(), c)))
    else:
        rhs = rhs.replace("...", ell)
        seen = set()
        for c in rhs:
            if c in seen:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                                   "output")
            if c not in counts:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            seen.add(c)
    sizes = {}
    for i, (t, a) in enumerate(zip(new_terms, arrays)):
        own = {}
        for c, n in zip(t, a.shape):
            if c in own and own[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {own[c]}")
            own[c] = n
        for c, n in own.items():
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = n
            elif n != 1 and n != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {prev}")
    return ",".join(new_terms) + "->" + rhs


def _einsum_integer_dtype(eq, arrays):
    """The dtype torch's einsum gives integer and bool operands, raising its contraction errors.

    torch first sums each label out of any operand where it is the only one with that label at a
    size above 1 (``torch.sum``: int64 for integers and bool; size-1 labels are squeezed), then
    contracts the operands left to right: a product-and-sum (``bmm``, which needs equal dtypes and
    refuses bool) over labels that neither a later operand nor the output has, or a broadcasting
    multiply (which promotes) when there are none. A one-operand einsum that sums anything is a
    ``torch.sum``.
    """
    lhs, out = eq.split("->")
    terms = lhs.split(",")
    int64 = np.dtype(np.int64)
    if len(terms) == 1:
        return int64 if set(terms[0]) - set(out) else arrays[0].dtype
    sizes = [dict(zip(t, a.shape)) for t, a in zip(terms, arrays)]
    labels = [set(t) for t in terms]
    dtypes = [a.dtype for a in arrays]
    for k, own in enumerate(sizes):
        for c, n in own.items():
            if c in out:
                continue
            if n == 1:
                labels[k].discard(c)
            elif all(other.get(c, 1) == 1 for j, other in enumerate(sizes) if j != k):
                labels[k].discard(c)
                dtypes[k] = int64
    zero = {c for own in sizes for c, n in own.items() if n == 0}
    result, dtype = labels[0], dtypes[0]
    for i in range(1, len(terms)):
        later = set(out).union(*labels[i + 1:])
        summed = (result & labels[i]) - later
        if summed and not (result & zero or labels[i] & zero):  # bmm checks nothing when empty
            if dtype == np.bool_:
                raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
            if dtype != dtypes[i]:
                raise RuntimeError(f"expected scalar type {scalar_type_name(dtype)} but found "
                                   f"{scalar_type_name(dtypes[i])}")
        else:
            dtype = np.promote_types(dtype, dtypes[i])
        result = (result | labels[i]) - summed
    return dtype


def _sublist_equation(args):
    """einsum(op0, [0, 1], op1, [1, 2], [0, 2]): the sublist form as an equation and operands."""
    ops, terms = [], []
    args = list(args)
    while len(args) >= 2 and is_tensor(args[0]):
        ops.append(args.pop(0))
        terms.append("".join("..." if s is Ellipsis else string.ascii_letters[s]
                             for s in args.pop(0)))
    eq = ",".join(terms)
    if args:
        eq += "->" + "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in args[0])
    return eq, ops


def einsum(*args):
    r"""Sum the products of operands' elements over the indices an Einstein-notation equation names.

    Accepts ``einsum("ij,jk->ik", a, b)``, ``einsum("ij,jk", [a, b])`` and the sublist form.

    Example::

        >>> import gradstep as torch
        >>> torch.einsum("ij,jk->ik", torch.ones(2, 3), torch.ones(3, 4)).shape
        torch.Size([2, 4])
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or "
                        "at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    from .._tensor import Tensor
    operands = [o if isinstance(o, Tensor) else Tensor._make(np.asarray(o)) for o in operands]
    arrays = [o._data for o in operands]
    eq = _parse_einsum(equation, arrays)
    for a in arrays[1:]:
        _scalar_type_error(arrays[0], a)
    if arrays and arrays[0].dtype.kind in "biu":
        dtype = _einsum_integer_dtype(eq, arrays)
        if dtype != arrays[0].dtype:  # computed in int64 from the start: integers need no grad
            operands = [Tensor._make(a.astype(dtype)) for a in arrays]
    return Einsum.apply(eq, *operands)


def tensordot(a, b, dims=2, out=None):
    """Contract ``a`` and ``b`` over ``dims`` (an int: the last dims of a with the first of b; or
    a pair of dim lists)."""
    if is_tensor(dims):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a = list(range(-dims, 0))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        if isinstance(dims_a, (int, np.integer)):
            dims_a = [dims_a]
        if isinstance(dims_b, (int, np.integer)):
            dims_b = [dims_b]
        dims_a, dims_b = list(dims_a), list(dims_b)
        if len(dims_a) != len(dims_b):
            raise RuntimeError(f"both dimension lists should have same length, but got "
                               f"{len(dims_a)} and {len(dims_b)}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    from ._util import wrap_dim
    la = list(string.ascii_letters[:a.ndim])
    lb = list(string.ascii_letters[a.ndim:a.ndim + b.ndim])
    for da, db in zip(dims_a, dims_b):
        ia, ib = wrap_dim(da, a.ndim), wrap_dim(db, b.ndim)
        if a.shape[ia] != b.shape[ib]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[ia]} in dim {da} and second has size {b.shape[ib]} in "
                               f"dim {db}")
        lb[ib] = la[ia]
    contracted = set(lb) & set(la)
    rhs = "".join(c for c in la if c not in contracted) + "".join(
        c for c in lb if c not in contracted)
    return _out(Einsum.apply("".join(la) + "," + "".join(lb) + "->" + rhs, a, b), out)


def kron(input, other, *, out=None):
    r"""Kronecker product: every element of ``input`` times the whole of ``other``, blocks laid
    out along every dim (the lower-rank operand gets leading dims of size 1). Types promote as
    for ``*``.

    Example::

        >>> import gradstep as torch
        >>> torch.kron(torch.tensor([1, 2]), torch.tensor([1, 10])).tolist()
        [1, 10, 2, 20]
    """
    _check_tensor(input, "input", "kron", 1)
    _check_tensor(other, "other", "kron", 2)
    from ._util import promote_operands
    a, b = promote_operands(input, other)
    return _out(Kron.apply(a, b), out)


def chain_matmul(*matrices, out=None):
    """Product of 2-D matrices, left to right."""
    result = matrices[0]
    for m in matrices[1:]:
        result = mm(result, m)
    return _out(result, out)


def linalg_multi_dot(tensors, *, out=None):
    """``linalg.multi_dot``: the product of a list of matrices (1-D ends allowed)."""
    _check_multi_dot(tensors)
    result = tensors[0]
    for m in tensors[1:]:
        result = matmul(result, m)
    return _out(result, out)


def _check_multi_dot(tensors):
    """torch's checks, before any product: at least two tensors, of one dtype, matrices inside
    and 1-D or 2-D ends, each inner size matching the next."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(tensors):
        ndim = t._data.ndim
        if i in (0, n - 1):
            if ndim not in (1, 2):
                which = "first" if i == 0 else "last"
                raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got "
                                   f"{ndim}D")
        elif ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ndim}D")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{cpp_type_name(tensors[0]._data.dtype)} and tensor {i} "
                f"{cpp_type_name(t._data.dtype)}")
    for i in range(n - 1):
        a, b = tensors[i]._data.shape, tensors[i + 1]._data.shape
        if a[-1] != b[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(a)} and "
                               f"{list(b)} cannot be multiplied")



def _inplace_product(self, fn, *args, **kwargs):
    """``self.addmm_(...)`` and friends: the result must have self's shape, as torch requires."""
    from ._util import inplace
    self._check_inplace()
    target = fn.__name__
    result_shape = _result_shape(target, args)
    if target == "addr" and tuple(self._data.shape) != result_shape:
        raise RuntimeError(f"size mismatch, input: {list(self._data.shape)}, v1: "
                           f"{list(args[0]._data.shape)}, v2: {list(args[1]._data.shape)}")
    if tuple(self._data.shape) != result_shape:
        raise RuntimeError(f"Bad in-place call: input tensor size {list(self._data.shape)} and "
                           f"output tensor size {list(result_shape)} should match")
    return inplace(self, fn, *args, **kwargs)


def _result_shape(name, args):
    a, b = args[0]._data, args[1]._data
    if name == "addmm":
        return (a.shape[0], b.shape[1])
    if name == "addmv":
        return (a.shape[0],)
    if name == "baddbmm":
        return (a.shape[0], a.shape[1], b.shape[2])
    if name == "addbmm":
        return (a.shape[1], b.shape[2])
    return (a.shape[0], b.shape[0])


class Methods(_DecompMethods):
    """Tensor methods and operators for matrix products (and, inherited, of the matrix functions
    in ``decomp``)."""

    matmul = matmul
    mm = mm
    bmm = bmm
    mv = mv
    dot = dot
    vdot = vdot
    inner = inner
    outer = outer
    ger = outer
    addmm = addmm
    addmv = addmv
    addbmm = addbmm
    baddbmm = baddbmm
    addr = addr
    kron = kron

    def tensordot(self, other, dims=2):
        return tensordot(self, other, dims)

    def __matmul__(self, other):
        if not is_tensor(other):
            return NotImplemented
        return matmul(self, other)

    def __rmatmul__(self, other):
        if not is_tensor(other):
            return NotImplemented
        return matmul(other, self)

    def __imatmul__(self, other):
        from ._util import inplace
        return inplace(self, matmul, other)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return _inplace_product(self, addmm, mat1, mat2, beta=beta, alpha=alpha)

    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return _inplace_product(self, addmv, mat, vec, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return _inplace_product(self, baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return _inplace_product(self, addbmm, batch1, batch2, beta=beta, alpha=alpha)

    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        return _inplace_product(self, addr, vec1, vec2, beta=beta, alpha=alpha)
