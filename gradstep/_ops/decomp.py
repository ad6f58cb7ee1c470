r"""Matrix functions and decompositions of ``torch.linalg``: det, slogdet, inv, solve, cholesky,
eigh, qr, svd, pinv, matrix_power, matrix_exp, matrix_rank, lstsq, solve_triangular, cross,
vecdot, lu_factor; and torch's older top-level forms (``torch.svd``, ``torch.qr``,
``torch.cholesky``, ``torch.inverse``, ``torch.pinverse``, ``torch.triangular_solve``...).

Every function takes batches of matrices (leading dims) and keeps the dtype: float32 matrices go to
float32 LAPACK through NumPy, as torch computes them.

A decomposition with several outputs (eigh's eigenvalues and eigenvectors, svd's U, S, Vh) is
computed once; each output is its own node (``_Piece``) holding the factors, whose gradient is the
decomposition's vector-Jacobian product with the other outputs' gradients set to zero. That product
is linear in the output gradients, so the nodes' gradients add up to the whole one. Under
``create_graph=True`` backward receives the input as a Tensor and recomputes the factors from it
with these same differentiable functions, so every formula below is also differentiable.

Gradients (real matrices, :math:`\bar X` the gradient of an output :math:`X`):

.. math::
   \begin{aligned}
   \det:\ & \bar A = \bar d\, d\, A^{-T} \\
   \operatorname{inv}:\ & \bar A = -X^T \bar X X^T \\
   \operatorname{solve}\ (AX = B):\ & \bar B = A^{-T}\bar X,\ \bar A = -\bar B X^T \\
   \operatorname{cholesky}\ (A = LL^T):\ & \bar A = \operatorname{sym}(L^{-T}\Phi(L^T\bar L)L^{-1}),\
        \Phi = \text{lower triangle, halved diagonal} \\
   \operatorname{eigh}\ (A = V\Lambda V^T):\ & \bar A = V(\operatorname{diag}\bar\lambda
        + (V^T\bar V) \circ F)V^T,\ F_{ij} = 1/(\lambda_j - \lambda_i) \\
   \exp:\ & \bar A = [\exp(\begin{smallmatrix} A^T & \bar X \\ 0 & A^T \end{smallmatrix})]_{12}
   \end{aligned}
"""
import numpy as np

from .._from_data import warn_once_at_caller
from ..autograd.graph import Op
from ._util import is_tensor, scalar_type_name, sum_to
from ._util import write_out as _out

__all__ = ["det", "slogdet", "logdet", "inv", "inv_ex", "inverse", "solve", "solve_ex",
           "cholesky", "cholesky_ex", "cholesky_legacy", "eigh", "eigvalsh", "qr", "qr_legacy",
           "svd", "svd_legacy", "pinv", "pinverse", "matrix_power", "matrix_exp", "matrix_rank",
           "lstsq", "solve_triangular", "triangular_solve", "cross", "vecdot", "lu_factor",
           "cond", "return_types"]


# ----- named return types (torch.return_types) -----

def _rt(name, fields):
    from .reduction import _return_type
    return _return_type(name, fields)


class return_types:  # noqa: N801 (torch's namespace name)
    """The named tuples of the matrix functions (``torch.return_types.linalg_eigh`` ...)."""

    linalg_slogdet = _rt("linalg_slogdet", ["sign", "logabsdet"])
    slogdet = _rt("slogdet", ["sign", "logabsdet"])
    linalg_inv_ex = _rt("linalg_inv_ex", ["inverse", "info"])
    linalg_solve_ex = _rt("linalg_solve_ex", ["result", "info"])
    linalg_cholesky_ex = _rt("linalg_cholesky_ex", ["L", "info"])
    linalg_eigh = _rt("linalg_eigh", ["eigenvalues", "eigenvectors"])
    linalg_qr = _rt("linalg_qr", ["Q", "R"])
    qr = _rt("qr", ["Q", "R"])
    linalg_svd = _rt("linalg_svd", ["U", "S", "Vh"])
    svd = _rt("svd", ["U", "S", "V"])
    linalg_lstsq = _rt("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
    linalg_lu_factor = _rt("linalg_lu_factor", ["LU", "pivots"])
    triangular_solve = _rt("triangular_solve", ["solution", "cloned_coefficient"])


# ----- helpers: one formula for arrays and (under create_graph) Tensors -----

def _T(x):
    return np.swapaxes(x, -1, -2)


def _tensor(x):
    from .._tensor import Tensor
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x))


def _eye(n, dtype):
    return np.eye(n, dtype=dtype)


def _dtype(x):
    return x._data.dtype if is_tensor(x) else x.dtype


def _diag(m):
    """The diagonal of each matrix (a differentiable mask-and-sum for Tensors)."""
    n = m.shape[-1]
    return np.sum(m * _eye(n, _dtype(m)), axis=-1)


def _diag_embed(v):
    return np.expand_dims(v, -1) * _eye(v.shape[-1], _dtype(v))


def _solve(a, b):
    """A^{-1} B for matrices B."""
    if is_tensor(a) or is_tensor(b):
        return solve(_tensor(a), _tensor(b))
    return np.linalg.solve(a, b)


def _inv(a):
    if is_tensor(a):
        return inv(a)
    return np.linalg.inv(a)


def _tri_solve(a, b, upper, left=True, unitriangular=False):
    """A^{-1} B (or B A^{-1}) for a triangular A, read from its ``upper`` or lower triangle."""
    if is_tensor(a) or is_tensor(b):
        return solve_triangular(_tensor(a), _tensor(b), upper=upper, left=left,
                                unitriangular=unitriangular)
    return _tri_solve_array(a, b, upper, left, unitriangular)


def _tri_solve_array(a, b, upper, left=True, unitriangular=False):
    t = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        n = a.shape[-1]
        t = t * (1 - _eye(n, a.dtype)) + _eye(n, a.dtype)
    if not left:
        return np.swapaxes(_tri_solve_array(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2),
                                            not upper), -1, -2)
    try:
        return np.linalg.solve(t, b)
    except np.linalg.LinAlgError:
        # a zero on the diagonal: back substitution divides by it, giving inf and NaN
        return _back_substitution(t, b, upper)


def _back_substitution(t, b, upper):
    n = t.shape[-1]
    x = np.zeros(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:], b.dtype)
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(all="ignore"):
        for i in order:
            s = b[..., i, :] - np.sum(t[..., i, :, None] * x, axis=-2)
            x[..., i, :] = s / t[..., i, i, None]
    return x


def _linalg_error(msg):
    import gradstep
    return gradstep.linalg.LinAlgError(msg)


def _check_ndim(fn, A, name="A"):
    if A._data.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {name} must have at least 2 dimensions.")


def _check_square(fn, A, name="A"):
    _check_ndim(fn, A, name)
    m, n = A._data.shape[-2:]
    if m != n:
        raise RuntimeError(f"{fn}: {name} must be batches of square matrices, but they are {m} by "
                           f"{n} matrices")


def _check_float(fn, A):
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(A._data.dtype)}")


def _check_kernel(kernel, A):
    """torch's message for a dtype its LAPACK kernel has no version of (float16, integers)."""
    d = A._data.dtype
    if d == np.float16 or d.kind not in "fc":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(d)}'")


def _check_tensor(fn, x, name="A", pos=1):
    if not is_tensor(x):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _batch_prefix(info_flat, shape):
    """torch's "(Batch element i): " for the first failing matrix of a batch (none for one)."""
    if len(shape) <= 2:
        return ""
    return f"(Batch element {int(np.flatnonzero(info_flat)[0])}): "


def _getrf(a):
    """LU with partial pivoting (LAPACK's getrf, unblocked) of (batches of) m x n matrices: the
    packed factors, the 1-based row swaps (int32, min(m, n) of them) and info, the 1-based index
    of the first exactly zero pivot (0 if none)."""
    shape = a.shape
    m, n = shape[-2:]
    k_max = min(m, n)
    b = int(np.prod(shape[:-2], dtype=np.int64))
    lu = np.array(a, copy=True).reshape((b, m, n))
    rows = np.arange(b)
    piv = np.zeros((b, k_max), np.int32)
    info = np.zeros(b, np.int32)
    with np.errstate(all="ignore"):
        for k in range(k_max if b else 0):
            p = k + np.argmax(np.abs(lu[:, k:, k]), axis=1)
            piv[:, k] = p + 1
            swap = p != k
            if swap.any():
                top = lu[rows, k].copy()
                lu[rows, k] = lu[rows, p]
                lu[rows, p] = top
            pivot = lu[:, k, k]
            zero = pivot == 0
            info[(info == 0) & zero] = k + 1
            if k + 1 < m:
                scale = np.where(zero, 1, pivot)
                col = lu[:, k + 1:, k] / scale[:, None]
                col[zero] = lu[zero, k + 1:, k]
                lu[:, k + 1:, k] = col
                lu[:, k + 1:, k + 1:] -= col[:, :, None] * lu[:, k, None, k + 1:]
    return lu.reshape(shape), piv.reshape(shape[:-2] + (k_max,)), info.reshape(shape[:-2])


class _Piece(Op):
    """One output of a decomposition of ``a`` computed once (``state``, its factors); backward is
    ``vjp(a, state, grad)``, the decomposition's gradient with the other outputs' set to 0."""

    @classmethod
    def forward(cls, ctx, a, value, state):
        ctx.save_for_backward(a)
        ctx.state = state
        return value

    @classmethod
    def backward(cls, ctx, grad):
        a, = ctx._arrays
        return (cls.vjp(a, ctx.state, grad),)

    @staticmethod
    def vjp(a, state, grad):
        raise NotImplementedError


def _no_tuple_out(fn, out):
    if out is not None:
        raise NotImplementedError(f"gradstep: {fn}(out=...) is not supported for functions "
                                  "returning several tensors")


def _piece(cls, A, value, state):
    return cls.apply(A, value, state)


def _int_tensor(array):
    from .._tensor import Tensor
    return Tensor._make(np.asarray(array))


# ----- det, slogdet, logdet -----

class Det(Op):
    """d = det(A);  dA = g d A^{-T} (g d = 0 where A is singular, as torch's first derivative;
    under create_graph the cofactor matrix of a singular A is not defined here)."""
    name_ = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.det(a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx._arrays
        if is_tensor(a):
            d = det(a)
            return np.expand_dims(np.expand_dims(grad * d, -1), -1) * _T(_inv(a))
        d = np.asarray(np.linalg.det(a)).astype(a.dtype, copy=False)
        gd = np.expand_dims(grad * d, (-1, -2))
        singular = d == 0
        if singular.any():
            safe = np.where(np.expand_dims(singular, (-1, -2)), _eye(a.shape[-1], a.dtype), a)
            return np.where(np.expand_dims(singular, (-1, -2)), 0 * gd,
                            gd * _T(np.linalg.inv(safe)))
        return gd * _T(np.linalg.inv(a))


def det(A, *, out=None):
    r"""The determinant of each square matrix of ``A`` (batched over leading dims).

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.det(torch.tensor([[2., 1.], [1., 3.]])).item()
        5.0
    """
    _check_tensor("linalg_det", A)
    _check_square("linalg.det", A)
    _check_float("linalg.det", A)
    _check_kernel("lu_cpu", A)
    return _out(Det.apply(A), out)


class SlogdetLogabs(_Piece):
    """logabsdet = log|det A|;  dA = g A^{-T}."""
    name_ = "LinalgSlogdetBackward0"
    _output_nr = 1

    @staticmethod
    def vjp(a, state, grad):
        if is_tensor(a) or is_tensor(grad):
            return np.expand_dims(np.expand_dims(grad, -1), -1) * _T(_inv(a))
        # torch solves A^T X = g I with A's LU: a singular A gives inf and NaN, not an error
        gi = np.expand_dims(np.expand_dims(grad, -1), -1) * _eye(a.shape[-1], a.dtype)
        at = np.swapaxes(a, -1, -2)
        if a.shape[-1] and _getrf(at)[2].any():
            return _lu_solve_array(at, gi)
        return np.linalg.solve(at, gi)


class SlogdetSign(_Piece):
    """sign(det A): piecewise constant, its gradient is 0."""
    name_ = "LinalgSlogdetBackward0"

    @staticmethod
    def vjp(a, state, grad):
        return 0 * a


def _slogdet(fn, A, result_type):
    _check_tensor(fn.replace(".", "_"), A)
    _check_square(fn, A)
    _check_float(fn, A)
    _check_kernel("lu_cpu", A)
    a = A._data
    sign, logabs = np.linalg.slogdet(a)
    sign = np.asarray(sign).astype(a.dtype)
    logabs = np.asarray(logabs).astype(a.dtype)
    return result_type(_piece(SlogdetSign, A, sign, None),
                       _piece(SlogdetLogabs, A, logabs, None))


def slogdet(A, *, out=None):
    r"""The sign and the log of the absolute value of the determinant of ``A``.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.slogdet(torch.tensor([[-2., 0.], [0., 1.]])).sign.item()
        -1.0
    """
    _no_tuple_out("linalg.slogdet", out)
    return _slogdet("linalg.slogdet", A, return_types.linalg_slogdet)


def _slogdet_legacy(input):
    """``torch.slogdet``: the same values as a ``torch.return_types.slogdet``."""
    return _slogdet("linalg.slogdet", input, return_types.slogdet)


def logdet(input):
    r"""log det(A): NaN where the determinant is negative, -inf where it is 0.

    Example::

        >>> import gradstep as torch
        >>> round(torch.logdet(torch.tensor([[2., 0.], [0., 3.]])).item(), 4)
        1.7918
    """
    import gradstep
    _check_tensor("logdet", input, "input")
    _check_square("logdet", input)
    _check_float("logdet", input)
    sign, logabs = _slogdet("logdet", input, return_types.slogdet)
    nan = gradstep.tensor(float("nan"), dtype=input.dtype)
    return gradstep.where(sign.detach() < 0, nan, logabs)


# ----- inv, solve -----

class InvEx(Op):
    """X = A^{-1};  dA = -X^T g X^T."""
    name_ = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a, info):
        if a.shape[-1] == 0:
            out = np.array(a, copy=True)
        elif info.any():
            out = _singular_inverse(a)
        else:
            out = np.linalg.inv(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        xt = _T(x)
        return -(xt @ grad @ xt), None


def _singular_inverse(a):
    """inv of a batch where some matrices are singular: NaN and inf for those, as LAPACK's."""
    n = a.shape[-1]
    eye = np.broadcast_to(_eye(n, a.dtype), a.shape)
    return _lu_solve_array(a, eye)


def _lu_solve_array(a, b):
    """A^{-1} B by LU with partial pivoting, dividing by zero pivots (inf and NaN) where A is
    singular, as LAPACK's getrs does."""
    lu, piv, _ = _getrf(a)
    n = a.shape[-1]
    b = np.array(np.broadcast_to(b, np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
                                 + b.shape[-2:]), copy=True)
    flat = b.reshape((-1,) + b.shape[-2:])
    lu_f = np.broadcast_to(lu, b.shape[:-2] + (n, n)).reshape((-1, n, n))
    piv_f = np.broadcast_to(piv, b.shape[:-2] + (n,)).reshape((-1, n))
    rows = np.arange(flat.shape[0])
    for k in range(n):
        p = piv_f[:, k] - 1
        top = flat[rows, k].copy()
        flat[rows, k] = flat[rows, p]
        flat[rows, p] = top
    unit_l = np.tril(lu_f, -1) + _eye(n, a.dtype)
    y = _back_substitution(unit_l, flat, upper=False)
    x = _back_substitution(np.triu(lu_f), y, upper=True)
    return x.reshape(b.shape)


def _inv_checked(fn, A, check_errors, ex_name=None):
    _check_tensor(fn.replace(".", "_"), A)
    _check_square(fn, A)
    _check_float(fn, A)
    _check_kernel("linalg_inv_out_cpu", A)
    a = A._data
    if a.shape[-1] == 0:
        info = np.zeros(a.shape[:-2], np.int32)
    else:
        info = _getrf(a)[2]
    if check_errors and info.any():
        flat = info.reshape(-1)
        k = int(flat[np.flatnonzero(flat)[0]])
        raise _linalg_error(f"{ex_name or fn}: {_batch_prefix(flat, a.shape)}The diagonal element "
                            f"{k} is zero, the inversion could not be completed because the input "
                            "matrix is singular.")
    return InvEx.apply(A, info), info


def inv(A, *, out=None):
    r"""The inverse of each square matrix of ``A``; raises ``LinAlgError`` for a singular one.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.inv(torch.tensor([[2., 0.], [0., 4.]])).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    return _out(_inv_checked("linalg.inv", A, True)[0], out)


def inv_ex(A, *, check_errors=False, out=None):
    """``inv`` that reports singular matrices in ``info`` (int32) instead of raising."""
    _no_tuple_out("linalg.inv_ex", out)
    x, info = _inv_checked("linalg.inv", A, check_errors, "linalg.inv_ex")
    return return_types.linalg_inv_ex(x, _int_tensor(info))


def inverse(input, *, out=None):
    """``torch.inverse``: ``linalg.inv``."""
    return inv(input, out=out)


class SolveEx(Op):
    """X = A^{-1} B (batch dims broadcast);  dB = A^{-T} g,  dA = -dB X^T (summed to A's shape).
    ``vector``: B is a batch of vectors, handled as one-column matrices."""
    name_ = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b, vector, singular):
        ctx.vector = vector
        ctx.shapes = (a.shape, b.shape)
        bm = b[..., None] if vector else b
        if singular:
            x = _lu_solve_array(a, bm)
        else:
            batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
            x = np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]),
                                np.broadcast_to(bm, batch + bm.shape[-2:]))
        out = x[..., 0] if vector else x
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx._arrays
        a_shape, b_shape = ctx.shapes
        need_a, need_b = ctx.needs_input_grad[:2]
        if ctx.vector:
            grad, x = np.expand_dims(grad, -1), np.expand_dims(x, -1)
        gb = _solve(_T(a), grad)
        ga = sum_to(-(gb @ _T(x)), a_shape) if need_a else None
        if need_b:
            gb = sum_to(gb[..., 0] if ctx.vector and not is_tensor(gb) else
                        (np.squeeze(gb, -1) if ctx.vector else gb), b_shape)
        else:
            gb = None
        return ga, gb


def _solve_checked(A, B, left, check_errors, fn="linalg.solve"):
    _check_tensor("linalg_solve", A)
    _check_tensor("linalg_solve", B, "B", 2)
    _check_square(fn, A)
    _check_float(fn, A)
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{fn}: Expected A and B to have the same dtype, but found A of type "
                           f"{scalar_type_name(a.dtype)} and B of type "
                           f"{scalar_type_name(b.dtype)} instead")
    _check_kernel("linalg_solve_cpu", A)
    n = a.shape[-1]
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if b.ndim < 1 or (b.ndim < 2 and not left):
        raise RuntimeError(f"{fn}: The input tensor B must have at least 2 dimensions.")
    rows = b.shape[-1] if vector else (b.shape[-2] if left else b.shape[-1])
    if rows != n:
        shown = f"{b.shape[-1]}x1" if b.ndim == 1 else f"{b.shape[-2]}x{b.shape[-1]}"
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{shown})")
    if not left:
        # X A = B  <=>  A^T X^T = B^T
        res, info = _solve_checked(A.mT, B.mT, True, check_errors, fn)
        return res.mT, info
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-1 if vector else -2])
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(a.shape[:-2], b.shape[:-1 if vector else -2]) from None
    info = _getrf(a)[2] if n else np.zeros(a.shape[:-2], np.int32)
    if check_errors and info.any():
        raise _linalg_error("torch.linalg.solve: The solver failed because the input matrix is "
                            "singular.")
    return SolveEx.apply(A, B, vector, bool(info.any())), info


def solve(A, B, *, left=True, out=None):
    r"""The solution X of ``A X = B`` (``X A = B`` with ``left=False``), batched and broadcast;
    ``B`` may be a (batch of) vectors.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.solve(torch.tensor([[2., 0.], [0., 4.]]), torch.tensor([2., 2.])).tolist()
        [1.0, 0.5]
    """
    return _out(_solve_checked(A, B, left, True)[0], out)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``solve`` that reports singular matrices in ``info`` (int32) instead of raising."""
    _no_tuple_out("linalg.solve_ex", out)
    x, info = _solve_checked(A, B, left, check_errors)
    return return_types.linalg_solve_ex(x, _int_tensor(info))


# ----- cholesky -----

class CholeskyEx(Op):
    r"""L = cholesky(A) (lower; ``upper``: L^T);
    dA = sym(L^{-T} \Phi(L^T gL) L^{-1}), \Phi = lower triangle with the diagonal halved."""
    name_ = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, upper, info):
        ctx.upper = upper
        if upper:  # the factor of the upper triangle: the lower one of the transpose
            a = np.swapaxes(a, -1, -2)
        if info.any():
            out = _partial_cholesky(a, info)
        else:
            out = np.linalg.cholesky(a) if a.shape[-1] else np.array(a, copy=True)
        if upper:
            out = np.ascontiguousarray(np.swapaxes(out, -1, -2))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        l, = ctx._arrays
        if ctx.upper:
            l, grad = _T(l), _T(grad)
        n = l.shape[-1]
        eye = _eye(n, _dtype(l))
        p = _T(l) @ grad
        p = np.tril(p) - 0.5 * eye * p
        y = _tri_solve(_T(l), p, upper=True)                 # L^{-T} P
        m = _T(_tri_solve(_T(l), _T(y), upper=True))         # (L^{-T} P) L^{-1}
        return 0.5 * (m + _T(m)), None, None


class CholeskyLegacy(CholeskyEx):
    name_ = "CholeskyBackward0"


def _partial_cholesky(a, info):
    """What LAPACK leaves for matrices that are not positive-definite: the factor computed up to
    the failing minor; torch returns it (lower triangle) for cholesky_ex."""
    out = np.tril(a).astype(a.dtype, copy=True)
    flat_a = a.reshape((-1,) + a.shape[-2:])
    flat_o = out.reshape(flat_a.shape)
    for i, k in enumerate(info.reshape(-1)):
        if k == 0:
            flat_o[i] = np.linalg.cholesky(flat_a[i])
            continue
        m = flat_a[i]
        lo = flat_o[i]
        j = int(k) - 1
        if j > 0:
            lo[:j, :j] = np.linalg.cholesky(m[:j, :j])
            lo[j:, :j] = np.linalg.solve(lo[:j, :j], m[:j, j:]).T
        # the failing diagonal entry keeps what was left of it, unfinished rows stay A's
        lo[j, j] = m[j, j] - np.sum(lo[j, :j] ** 2)
    return out


def _cholesky_info(a):
    info = np.zeros(a.shape[:-2], np.int32)
    flat = a.reshape((-1,) + a.shape[-2:])
    out = info.reshape(-1)
    n = a.shape[-1]
    try:
        np.linalg.cholesky(a)
        return info
    except np.linalg.LinAlgError:
        pass
    for i, m in enumerate(flat):
        if not np.isfinite(np.tril(m)).all():
            out[i] = 1
            continue
        for k in range(1, n + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                out[i] = k
                break
    return info


def _cholesky(fn, A, upper, check_errors, op, ex_fn=None):
    _check_tensor(fn.replace(".", "_"), A)
    _check_square(fn, A)
    _check_float(fn, A)
    _check_kernel("linalg_cholesky_ex_out_cpu", A)
    a = A._data
    triangle = np.swapaxes(a, -1, -2) if upper else a  # upper=True reads the upper triangle
    info = _cholesky_info(triangle) if a.shape[-1] else np.zeros(a.shape[:-2], np.int32)
    if check_errors and info.any():
        flat = info.reshape(-1)
        k = int(flat[np.flatnonzero(flat)[0]])
        raise _linalg_error(f"{ex_fn or fn}: {_batch_prefix(flat, a.shape)}The factorization could "
                            "not be completed because the input is not positive-definite (the "
                            f"leading minor of order {k} is not positive-definite).")
    return op.apply(A, bool(upper), info), info


def cholesky(A, *, upper=False, out=None):
    r"""The Cholesky factor L of each symmetric positive-definite matrix (``A = L L^T``, read
    from the lower triangle); ``upper=True`` gives ``L^T``.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.cholesky(torch.tensor([[4., 2.], [2., 2.]])).tolist()
        [[2.0, 0.0], [1.0, 1.0]]
    """
    return _out(_cholesky("linalg.cholesky", A, upper, True, CholeskyEx)[0], out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``cholesky`` that reports the order of the failing leading minor in ``info`` (int32)."""
    _no_tuple_out("linalg.cholesky_ex", out)
    L, info = _cholesky("linalg.cholesky", A, upper, check_errors, CholeskyEx,
                        "linalg.cholesky_ex")
    return return_types.linalg_cholesky_ex(L, _int_tensor(info))


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
    "PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)"
    "\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced with\n"
    "U = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for all valid "
    "(symmetric positive definite) inputs. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:1765.)")
def cholesky_legacy(input, upper=False, *, out=None):
    """``torch.cholesky`` (deprecated): ``linalg.cholesky``, with ``upper`` positional."""
    warn_once_at_caller(_CHOLESKY_DEPRECATED)
    return _out(_cholesky("cholesky", input, upper, True, CholeskyLegacy)[0], out)


# ----- eigh -----

def _eigh_vjp(a, w, v, gw, gv):
    """dA = sym(V (diag(gw) + (V^T gV) o F) V^T), F_ij = 1 / (w_j - w_i) off the diagonal; the
    symmetric part, as torch gives (a direction along symmetric matrices)."""
    if gv is None:
        return (v * np.expand_dims(gw, -2)) @ _T(v)
    n = w.shape[-1]
    eye = _eye(n, _dtype(w))
    e = np.expand_dims(w, -2) - np.expand_dims(w, -1) + eye
    inner = (_T(v) @ gv) / e * (1 - eye)
    if gw is not None:
        inner = inner + _diag_embed(gw)
    ga = v @ inner @ _T(v)
    return 0.5 * (ga + _T(ga))


class EighValues(_Piece):
    name_ = "LinalgEighBackward0"

    @staticmethod
    def vjp(a, state, grad):
        uplo, w, v = state
        if is_tensor(a):
            w, v = eigh(a, UPLO=uplo)
        return _eigh_vjp(a, w, v, grad, None)


class EighVectors(_Piece):
    name_ = "LinalgEighBackward0"
    _output_nr = 1

    @staticmethod
    def vjp(a, state, grad):
        uplo, w, v = state
        if is_tensor(a):
            w, v = eigh(a, UPLO=uplo)
        return _eigh_vjp(a, w, v, None, grad)


def _eigh_check(fn, A, UPLO):
    _check_tensor(fn.replace(".", "_"), A)
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _check_square("linalg.eigh", A)
    _check_kernel("linalg_eigh_cpu", A)


def eigh(A, UPLO="L", *, out=None):
    r"""Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices, read from the
    ``UPLO`` triangle; returns ``torch.return_types.linalg_eigh``.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.eigh(torch.tensor([[2., 0.], [0., 1.]])).eigenvalues.tolist()
        [1.0, 2.0]
    """
    _no_tuple_out("linalg.eigh", out)
    _eigh_check("linalg.eigh", A, UPLO)
    a = A._data
    w, v = np.linalg.eigh(a, UPLO=UPLO.upper())
    w, v = w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)
    state = (UPLO, w, v)
    return return_types.linalg_eigh(_piece(EighValues, A, w, state),
                                    _piece(EighVectors, A, v, state))


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues (ascending) of symmetric matrices; dA = V diag(g) V^T."""
    _eigh_check("linalg.eigvalsh", A, UPLO)
    a = A._data
    if not A.requires_grad:
        return _out(_int_tensor(np.linalg.eigvalsh(a, UPLO=UPLO.upper()).astype(a.dtype)), out)
    w, v = np.linalg.eigh(a, UPLO=UPLO.upper())
    w, v = w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)
    return _out(_piece(EighValues, A, w, (UPLO, w, v)), out)


# ----- qr -----

def _qr_vjp(a, q, r, gq, gr):
    """A = QR. m >= n (reduced): dA = [gQ + Q copyltu(M)] R^{-T}, M = R gR^T - gQ^T Q.
    m < n: A = [X | Y], R = [U | V]: dY = Q gV, dX from the square case with gQ + Y gV^T."""
    m, n = q.shape[-2], r.shape[-1]
    if gq is None:
        gq = 0 * q
    if gr is None:
        gr = 0 * r
    if m >= n:
        return _qr_vjp_tall(q, r, gq, gr)
    y = a[..., :, m:]
    u, gu, gv = r[..., :, :m], gr[..., :, :m], gr[..., :, m:]
    gx = _qr_vjp_tall(q, u, gq + y @ _T(gv), gu)
    return np.concatenate([gx, q @ gv], axis=-1)


def _qr_vjp_tall(q, r, gq, gr):
    mm = r @ _T(gr) - _T(gq) @ q
    low = np.tril(mm, -1)
    sym = low + _T(low) + _diag_embed(_diag(mm))
    b = gq + q @ sym
    # B R^{-T}: solve X R^T = B
    return _T(_tri_solve(r, _T(b), upper=True))


class QrQ(_Piece):
    name_ = "LinalgQrBackward0"

    @staticmethod
    def vjp(a, state, grad):
        return _qr_piece_vjp(a, state, grad, None)


class QrR(_Piece):
    name_ = "LinalgQrBackward0"
    _output_nr = 1

    @staticmethod
    def vjp(a, state, grad):
        return _qr_piece_vjp(a, state, None, grad)


def _qr_piece_vjp(a, state, gq, gr):
    mode, q, r = state
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                           "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                           "differentiate through linalg.qr.")
    m, n = a.shape[-2:]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                           "nrows > ncols.")
    if is_tensor(a):
        q, r = qr(a, mode=mode)
    return _qr_vjp(a, q, r, gq, gr)


def _qr(fn, A, mode, result_type):
    _check_tensor(fn.replace(".", "_"), A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_ndim("linalg.qr", A)
    _check_float("linalg.qr", A)
    _check_kernel("linalg_qr_cpu", A)
    a = A._data
    m, n = a.shape[-2:]
    k = min(m, n)
    if a.size == 0:
        qs = a.shape[:-2] + ((m, m) if mode == "complete" else (m, k))
        rs = a.shape[:-2] + ((m, n) if mode == "complete" else (k, n))
        q, r = np.zeros(qs, a.dtype), np.zeros(rs, a.dtype)
        if mode == "complete" or k:
            q = q + np.eye(qs[-2], qs[-1], dtype=a.dtype)
    else:
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    q, r = q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)
    if mode == "r":
        q = np.zeros((0,), a.dtype)
    state = (mode, q, r)
    return result_type(_piece(QrQ, A, q, state), _piece(QrR, A, r, state))


def qr(A, mode="reduced", *, out=None):
    r"""The QR decomposition ``A = Q R`` (Q orthonormal columns, R upper triangular);
    ``mode``: ``'reduced'`` (k = min(m, n) columns), ``'complete'`` (Q square) or ``'r'``
    (R only, Q empty).

    Example::

        >>> import gradstep as torch
        >>> Q, R = torch.linalg.qr(torch.tensor([[3., 0.], [4., 1.]]))
        >>> [round(abs(x), 4) for x in R.diagonal().tolist()]
        [5.0, 0.6]
    """
    _no_tuple_out("linalg.qr", out)
    return _qr("linalg.qr", A, mode, return_types.linalg_qr)


_QR_DEPRECATED = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
    "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
    "Q, R = torch.qr(A, some)\nshould be replaced with\n"
    "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete') (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2505.)")


def qr_legacy(input, some=True, *, out=None):
    """``torch.qr`` (deprecated): ``linalg.qr`` with ``some`` for the reduced mode."""
    _no_tuple_out("qr", out)
    warn_once_at_caller(_QR_DEPRECATED)
    return _qr("linalg.qr", input, "reduced" if some else "complete", return_types.qr)


# ----- svd -----

def _svd_state_tensors(a):
    u, s, vh = svd(a, full_matrices=False)
    return u, s, vh


class SvdU(_Piece):
    name_ = "LinalgSvdBackward0"

    @staticmethod
    def vjp(a, state, grad):
        from .reduction import _svd_backward
        u, s, vh, k = state
        if is_tensor(a):
            u, s, vh = _svd_state_tensors(a)
        gu = grad[..., :, :k]
        return _svd_backward(u, s, vh, gu, 0 * _T(vh))


class SvdS(_Piece):
    name_ = "LinalgSvdBackward0"
    _output_nr = 1

    @staticmethod
    def vjp(a, state, grad):
        u, s, vh, k = state
        if is_tensor(a):
            u, s, vh = _svd_state_tensors(a)
        return (u * np.expand_dims(grad, -2)) @ vh


class SvdVh(_Piece):
    name_ = "LinalgSvdBackward0"
    _output_nr = 2

    @staticmethod
    def vjp(a, state, grad):
        from .reduction import _svd_backward
        u, s, vh, k = state
        if is_tensor(a):
            u, s, vh = _svd_state_tensors(a)
        gv = _T(grad[..., :k, :])
        return _svd_backward(u, s, vh, 0 * u, gv)


def _check_svd_nan(a):
    """torch's gesdd error for a matrix with NaN (inf alone is not caught there)."""
    bad = np.isnan(a).any(axis=(-2, -1))
    if bad.any():
        where = _batch_prefix(bad.reshape(-1), a.shape)
        raise _linalg_error(f"linalg.svd: {where}The algorithm failed to converge because the "
                            "input matrix contained non-finite values.")


def _svd_arrays(fn, A, full_matrices):
    _check_tensor(fn.replace(".", "_"), A)
    _check_ndim("linalg.svd", A)
    _check_float("linalg.svd", A)
    _check_kernel("linalg_svd_cpu", A)
    a = A._data
    _check_svd_nan(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    if a.size == 0:
        us = a.shape[:-2] + ((m, m) if full_matrices else (m, k))
        vs = a.shape[:-2] + ((n, n) if full_matrices else (k, n))
        u = np.zeros(us, a.dtype) + np.eye(us[-2], us[-1], dtype=a.dtype)
        vh = np.zeros(vs, a.dtype) + np.eye(vs[-2], vs[-1], dtype=a.dtype)
        return u, np.zeros(a.shape[:-2] + (k,), a.dtype), vh, k
    inf = np.isinf(a).any(axis=(-2, -1))
    if inf.any():  # LAPACK returns NaN factors for a matrix with inf (and no NaN)
        a = np.where(inf[..., None, None], 0, a)
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    if inf.any():
        u, s, vh = (np.where(inf.reshape(inf.shape + (1,) * (x.ndim - inf.ndim)), np.nan, x)
                    for x in (u, s, vh))
    return u.astype(a.dtype, copy=False), s.astype(a.dtype, copy=False), \
        vh.astype(a.dtype, copy=False), k


def svd(A, full_matrices=True, *, driver=None, out=None):
    r"""The singular value decomposition ``A = U diag(S) Vh`` (S descending); with
    ``full_matrices`` U and Vh are square. Gradients flow through the first min(m, n) singular
    vectors only (the others are not unique), as in torch.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.svd(torch.tensor([[3., 0.], [0., -4.]])).S.tolist()
        [4.0, 3.0]
    """
    _no_tuple_out("linalg.svd", out)
    u, s, vh, k = _svd_arrays("linalg.svd", A, full_matrices)
    state = (u[..., :, :k], s, vh[..., :k, :], k)
    return return_types.linalg_svd(_piece(SvdU, A, u, state), _piece(SvdS, A, s, state),
                                   _piece(SvdVh, A, vh, state))


def svd_legacy(input, some=True, compute_uv=True, *, out=None):
    """``torch.svd``: ``U, S, V`` with V (not Vh); ``some`` for the reduced form; without
    ``compute_uv`` U and V are zeros."""
    _no_tuple_out("svd", out)
    U, S, Vh = svd(input, full_matrices=not some)
    if not compute_uv:
        import gradstep
        m, n = input.shape[-2:]
        return return_types.svd(gradstep.zeros(tuple(input.shape[:-2]) + (m, m), dtype=input.dtype),
                                S, gradstep.zeros(tuple(input.shape[:-2]) + (n, n),
                                                  dtype=input.dtype))
    return return_types.svd(U, S, Vh.mT)


# ----- pinv -----

class Pinv(Op):
    """X = A^+;  dA = -X^T g X^T + (I - A X) g^T X X^T + X^T X g^T (I - X A)
    (constant rank)."""
    name_ = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx._arrays
        return _pinv_vjp(a, x, grad), None


def _pinv_vjp(a, x, grad):
    m, n = a.shape[-2:]
    dt = _dtype(a)
    xt, gt = _T(x), _T(grad)
    ga = -(xt @ grad @ xt)
    ga = ga + (_eye(m, dt) - a @ x) @ gt @ (x @ xt)
    ga = ga + (xt @ x) @ gt @ (_eye(n, dt) - x @ a)
    return ga


def _pinv_array(a, atol, rtol, hermitian):
    m, n = a.shape[-2:]
    if hermitian:
        w, v = np.linalg.eigh(a)
        s = np.abs(w)
        smax = np.max(s, axis=-1, keepdims=True) if n else s
    else:
        _check_svd_nan(a)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        smax = s[..., :1]
    tol = _tolerance(a, smax, atol, rtol)
    with np.errstate(divide="ignore"):
        inv_s = np.where(s > tol, 1 / np.where(s > tol, s if not hermitian else w, 1), 0)
    if hermitian:
        x = (v * np.expand_dims(inv_s, -2)) @ _T(v)
    else:
        x = (_T(vh) * np.expand_dims(inv_s, -2)) @ _T(u)
    return x.astype(a.dtype, copy=False)


def _tol_value(t):
    if t is None:
        return None
    return t._data if is_tensor(t) else t


def _tolerance(a, smax, atol, rtol):
    """max(atol, rtol * s_max); rtol defaults to eps * max(m, n) when neither is given, to 0 when
    only atol is."""
    m, n = a.shape[-2:]
    atol, rtol = _tol_value(atol), _tol_value(rtol)
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(m, n) if atol is None or np.all(atol <= 0) else 0.0
    if atol is None:
        atol = 0.0
    atol = np.asarray(atol)[..., None] if np.ndim(atol) else atol
    rtol = np.asarray(rtol)[..., None] if np.ndim(rtol) else rtol
    return np.maximum(atol, rtol * smax)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    r"""The Moore-Penrose pseudo-inverse, from the SVD (the eigendecomposition with
    ``hermitian``): singular values at most ``max(atol, rtol * s_max)`` count as zero.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.pinv(torch.tensor([[2., 0.], [0., 0.]])).tolist()
        [[0.5, 0.0], [0.0, 0.0]]
    """
    _check_tensor("linalg_pinv", A)
    if hermitian:
        _check_square("linalg.eigh", A)
    d = A._data
    if d.ndim < 2 or d.dtype.kind != "f" or d.dtype == np.float16:
        raise RuntimeError(f"linalg.pinv({scalar_type_name(d.dtype)}{{{list(d.shape)}}}): expected "
                           "a tensor with 2 or more dimensions of float, double, cfloat or cdouble "
                           "types")
    if rcond is not None:
        rtol = rcond
    x = _pinv_array(d, atol, rtol, hermitian) if d.size else \
        np.zeros(d.shape[:-2] + (d.shape[-1], d.shape[-2]), d.dtype)
    return _out(Pinv.apply(A, x), out)


def pinverse(input, rcond=1e-15):
    """``torch.pinverse``: ``linalg.pinv`` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


# ----- matrix_power, matrix_exp -----

class _Identity(Op):
    """``matrix_power(A, 0)``: identity matrices; their gradient to A is 0."""
    name_ = "torch::autograd::CopyBackwards"

    @staticmethod
    def forward(ctx, a):
        return np.broadcast_to(_eye(a.shape[-1], a.dtype), a.shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return (0 * grad,)


def matrix_power(A, n, *, out=None):
    r"""A^n for an integer n (n < 0: the inverse's power), by repeated squaring as torch.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.matrix_power(torch.tensor([[1, 1], [0, 1]]), 3).tolist()
        [[1, 3], [0, 1]]
    """
    import gradstep
    _check_tensor("linalg_matrix_power", A)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    _check_square("linalg.matrix_power", A)
    if n == 0:
        return _out(_Identity.apply(A), out)
    if n < 0:
        A = inv(A)
        n = -n
        if n == 1:
            return _out(A, out)
    if n == 1:
        return _out(A.clone(), out)
    if n == 2:
        return _out(gradstep.matmul(A, A), out)
    if n == 3:
        return _out(gradstep.matmul(gradstep.matmul(A, A), A), out)
    z = result = None
    while n > 0:
        bit = n % 2
        n //= 2
        z = A if z is None else gradstep.matmul(z, z)
        if bit:
            result = z if result is None else gradstep.matmul(result, z)
    return _out(result, out)


_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm(a):
    """exp(A) by scaling and squaring with the [13/13] Pade approximant (Higham 2005), each
    matrix of the batch scaled by its own power of 2."""
    n = a.shape[-1]
    if a.size == 0:
        return np.array(a, copy=True)
    b = _PADE13
    norm = np.max(np.sum(np.abs(a), axis=-2), axis=-1)
    with np.errstate(divide="ignore"):
        s = np.where(norm > _THETA13, np.ceil(np.log2(np.maximum(norm, 1e-300) / _THETA13)), 0)
    s = np.where(np.isfinite(s), s, 0).astype(np.int64)
    x = a / np.expand_dims(2.0 ** s, (-1, -2)).astype(a.dtype)
    eye = _eye(n, a.dtype)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 \
        + b[0] * eye
    try:
        r = np.linalg.solve(v - u, v + u)
    except np.linalg.LinAlgError:
        r = _lu_solve_array(v - u, v + u)
    for i in range(int(s.max()) if s.size else 0):
        r = np.where(np.expand_dims(s > i, (-1, -2)), r @ r, r)
    return r.astype(a.dtype, copy=False)


class MatrixExp(Op):
    """X = exp(A);  dA = the upper right block of exp([[A^T, g], [0, A^T]])."""
    name_ = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx, grad):
        a, = ctx._arrays
        n = a.shape[-1]
        at = _T(a)
        zero = 0 * at
        top = np.concatenate([at, grad], axis=-1)
        bottom = np.concatenate([zero, at], axis=-1)
        big = np.concatenate([top, bottom], axis=-2)
        e = matrix_exp(big) if is_tensor(big) else _expm(big)
        return (e[..., :n, n:],)


def matrix_exp(A):
    r"""The matrix exponential :math:`\sum_k A^k / k!` of each square matrix.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.matrix_exp(torch.zeros(2, 2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    _check_tensor("linalg_matrix_exp", A)
    _check_square("linalg.matrix_exp", A)
    _check_float("linalg.matrix_exp", A)
    _check_kernel("linalg_matrix_exp", A)
    return MatrixExp.apply(A)


# ----- matrix_rank, cond -----

def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    r"""The number of singular values (|eigenvalues| with ``hermitian``) above
    ``max(atol, rtol * s_max)``; ``tol`` is the old name of ``atol`` (then rtol is 0).

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.matrix_rank(torch.tensor([[1., 2.], [2., 4.]])).item()
        1
    """
    _check_tensor("linalg_matrix_rank", A)
    d = A._data
    _check_ndim("linalg.matrix_rank", A)
    if d.dtype.kind != "f" or d.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    if hermitian:
        _check_square("linalg.eigh", A)
    if d.size == 0:
        return _out(_int_tensor(np.zeros(d.shape[:-2], np.int64)), out)
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(d))
        smax = np.max(s, axis=-1, keepdims=True)
    else:
        _check_svd_nan(d)
        s = np.linalg.svd(d, compute_uv=False)
        smax = s[..., :1]
    tol_ = _tolerance(d, smax, atol, rtol)
    return _out(_int_tensor(np.sum(s > tol_, axis=-1).astype(np.int64)), out)


def _cond_ord_text(p):
    """How torch prints ``ord`` in cond's square-matrix message: a float as C's %f."""
    if isinstance(p, (bool, int)):
        return str(int(p))
    if isinstance(p, float):
        return f"{p:f}"
    return str(p)


def _cond_invalid(p):
    if isinstance(p, float) and np.isfinite(p) and p == int(p):
        p = int(p)
    return RuntimeError(f"linalg.cond got an invalid norm type: {p}")


def cond(A, p=None, *, out=None):
    """The condition number ``norm(A, p) * norm(inv(A), p)``; for p None or 2 (-2) the ratio of
    the largest to the smallest singular value (smallest to largest), for 'nuc' from the singular
    values too.  As torch: a singular matrix (or a NaN result) gives inf for the norms taken
    through the inverse, and matrices with no elements give 0."""
    import gradstep
    _check_tensor("linalg_cond", A)
    _check_ndim("linalg.cond", A)
    _check_float("linalg.cond", A)
    a = A._data
    real = np.zeros(0, a.dtype).real.dtype

    def empty():
        return _out(gradstep.tensor(np.zeros(a.shape[:-2], real)), out)

    def square():
        _check_square(f"linalg.cond(ord={_cond_ord_text(p)})", A)

    if isinstance(p, str):
        square()
        if p not in ("fro", "nuc"):
            raise _cond_invalid(p)
        if a.size == 0:
            return empty()
    elif p is not None:
        if p not in (2, -2, 1, -1, float("inf"), float("-inf")):
            raise _cond_invalid(p)
        if a.size == 0:
            return empty()
        if p not in (2, -2):
            square()
    elif a.size == 0:
        return empty()
    if p in (None, 2, -2, "nuc"):
        s = gradstep.linalg.svdvals(A)
        if p == "nuc":
            return _out(s.sum(-1) * (1 / s).sum(-1), out)
        big, small = s[..., 0], s[..., -1]
        return _out(big / small if p != -2 else small / big, out)
    x, info = _inv_checked("linalg.inv", A, False)
    if info.any():
        x = gradstep.where(gradstep.tensor(np.expand_dims(info > 0, (-1, -2))),
                           gradstep.tensor(float("inf"), dtype=x.dtype), x)
    value = gradstep.linalg.matrix_norm(A, p) * gradstep.linalg.matrix_norm(x, p)
    value = gradstep.where(gradstep.isnan(value.detach()),
                           gradstep.tensor(float("inf"), dtype=value.dtype), value)
    return _out(value, out)


# ----- lstsq -----

class LstsqSolution(Op):
    """X = pinv(A) B;  with P = pinv(A): dB = P^T g, dA = pinv's gradient at gP = g B^T."""
    name_ = "LinalgLstsqBackward0"

    @staticmethod
    def forward(ctx, a, b, x, p, vector):
        ctx.save_for_backward(a, b)
        ctx.p, ctx.vector = p, vector
        ctx.shapes = (a.shape, b.shape)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        p = ctx.p
        if is_tensor(a) or is_tensor(b):
            p = pinv(_tensor(a))
        if ctx.vector:
            b, grad = np.expand_dims(b, -1), np.expand_dims(grad, -1)
        a_shape, b_shape = ctx.shapes
        need_a, need_b = ctx.needs_input_grad[:2]
        ga = sum_to(_pinv_vjp(a, p, grad @ _T(b)), a_shape) if need_a else None
        gb = None
        if need_b:
            gb = _T(p) @ grad
            gb = sum_to(np.squeeze(gb, -1) if ctx.vector else gb, b_shape)
        return ga, gb


class LstsqResiduals(Op):
    """res = sum((A X - B)^2) over rows at the least-squares X (A^T (A X - B) = 0 there):
    dA = 2 (A X - B) diag(g) X^T,  dB = -2 (A X - B) diag(g)."""
    name_ = "LinalgLstsqBackward0"
    _output_nr = 1

    @staticmethod
    def forward(ctx, a, b, res, x, vector):
        ctx.save_for_backward(a, b)
        ctx.x, ctx.vector = x, vector
        ctx.shapes = (a.shape, b.shape)
        return res

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx._arrays
        x = ctx.x
        if is_tensor(a) or is_tensor(b):
            x = lstsq(_tensor(a), _tensor(b)).solution
        if ctx.vector:
            b, x = np.expand_dims(b, -1), np.expand_dims(x, -1)
        r = a @ x - b
        rg = 2 * r * np.expand_dims(grad, -2)
        a_shape, b_shape = ctx.shapes
        need_a, need_b = ctx.needs_input_grad[:2]
        ga = sum_to(rg @ _T(x), a_shape) if need_a else None
        gb = None
        if need_b:
            gb = -rg
            gb = sum_to(np.squeeze(gb, -1) if ctx.vector else gb, b_shape)
        return ga, gb


def lstsq(A, B, rcond=None, *, driver=None):
    r"""The least-squares solution of ``A X = B`` (minimum-norm for rank-deficient ``A``), as
    ``torch.return_types.linalg_lstsq(solution, residuals, rank, singular_values)``.

    Following torch's CPU drivers: ``rank`` is computed by ``gelsy`` (the default), ``gelsd``
    and ``gelss``; ``singular_values`` by ``gelsd`` and ``gelss``; ``residuals`` (squared
    column norms of ``A X - B``) when m > n, A has full rank and the driver is not ``gelsy``.
    Ranks come from the singular values here (gelsy's pivoted QR may differ on ill-conditioned
    matrices).

    Example::

        >>> import gradstep as torch
        >>> A = torch.tensor([[1., 0.], [0., 1.], [0., 0.]])
        >>> torch.linalg.lstsq(A, torch.tensor([[1.], [2.], [3.]])).solution.tolist()
        [[1.0], [2.0]]
    """
    _check_tensor("linalg_lstsq", A, "self")
    _check_tensor("linalg_lstsq", B, "b", 2)
    a, b = A._data, B._data
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, "
                           "gelsd, gelss)")
    if a.dtype.kind != "f" or a.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if a.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, "
                           f"but got input with dtype {scalar_type_name(a.dtype)} and other with "
                           f"dtype {scalar_type_name(b.dtype)}")
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if b.ndim > a.ndim or a.ndim - b.ndim > 1:
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to "
                           "other.dim() and (input.dim() - other.dim()) <= 1")
    vector = b.ndim == a.ndim - 1
    if b.ndim < 1 or (not vector and b.ndim < 2):
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    if (b.shape[-1] if vector else b.shape[-2]) != a.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)" if
                           not vector else "torch.linalg.lstsq: input.size(-2) should match "
                           "other.size(-1)")
    m, n = a.shape[-2:]
    bm = b[..., None] if vector else b
    batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    k = bm.shape[-1]
    if a.size == 0 or bm.size == 0:
        p = np.zeros(a.shape[:-2] + (n, m), a.dtype)
        s = np.zeros(a.shape[:-2] + (min(m, n),), a.dtype)
        smax = s[..., :1]
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        s = s.astype(a.dtype, copy=False)
        smax = s[..., :1]
    rc = np.finfo(a.dtype).eps * max(m, n) if rcond is None or rcond < 0 else rcond
    keep = s > rc * smax if s.size else s > 0
    rank = np.sum(keep, axis=-1).astype(np.int64)
    if a.size and bm.size:
        inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
        p = ((_T(vh) * np.expand_dims(inv_s, -2)) @ _T(u)).astype(a.dtype, copy=False)
    x = np.matmul(p, bm).astype(a.dtype, copy=False)
    if x.shape[:-2] != batch:
        x = np.broadcast_to(x, batch + x.shape[-2:]).copy()
    full_rank = bool(np.all(rank == min(m, n)))
    if m > n and full_rank and driver != "gelsy":
        r = np.matmul(a, x) - bm
        res = np.sum(r * r, axis=-2).astype(a.dtype)  # (..., 1) for a vector B, as torch
    else:
        res = np.zeros((0,), a.dtype)
    xo = x[..., 0] if vector else x
    solution = LstsqSolution.apply(A, B, xo, p, vector)
    if res.size:
        residuals = LstsqResiduals.apply(A, B, res, xo, vector)
    else:
        residuals = _Empty.apply(A, B, res)
    rank_t = _int_tensor(rank if driver != "gels" else np.zeros((0,), np.int64))
    sv = s if driver in ("gelsd", "gelss") else np.zeros((0,), a.dtype)
    return return_types.linalg_lstsq(solution, residuals, rank_t, _int_tensor(sv))


class _Empty(Op):
    """An empty output that is still part of the graph (lstsq's residuals when not computed)."""
    name_ = "LinalgLstsqBackward0"
    _output_nr = 1

    @staticmethod
    def forward(ctx, a, b, value):
        ctx.shapes = (a.shape, b.shape)
        return value

    @staticmethod
    def backward(ctx, grad):
        na, nb = ctx.needs_input_grad[:2]
        a_shape, b_shape = ctx.shapes
        return (np.zeros(a_shape, grad.dtype) if na else None,
                np.zeros(b_shape, grad.dtype) if nb else None)


# ----- solve_triangular -----

class SolveTriangular(Op):
    """X = A^{-1} B (``left``) or B A^{-1}, A triangular;
    left: dB = A^{-T} g, dA = -dB X^T;  right: dB = g A^{-T}, dA = -X^T dB;
    dA keeps A's triangle (and a zero diagonal with ``unitriangular``)."""
    name_ = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx, a, b, upper, left, unitriangular):
        ctx.flags = (upper, left, unitriangular)
        ctx.shapes = (a.shape, b.shape)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        x = _tri_solve_array(np.broadcast_to(a, batch + a.shape[-2:]),
                             np.broadcast_to(b, batch + b.shape[-2:]), upper, left,
                             unitriangular).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx._arrays
        upper, left, unit = ctx.flags
        a_shape, b_shape = ctx.shapes
        need_a, need_b = ctx.needs_input_grad[:2]
        gb = _tri_solve(_T(a), grad, upper=not upper, left=left, unitriangular=unit)
        ga = None
        if need_a:
            ga = -(gb @ _T(x)) if left else -(_T(x) @ gb)
            ga = np.triu(ga) if upper else np.tril(ga)
            if unit:
                ga = ga * (1 - _eye(a_shape[-1], _dtype(ga)))
            ga = sum_to(ga, a_shape)
        return ga, (sum_to(gb, b_shape) if need_b else None)


_REQUIRED = object()


def solve_triangular(A, B, *, upper=_REQUIRED, left=True, unitriangular=False, out=None):
    r"""The solution of ``A X = B`` (``X A = B`` with ``left=False``) for triangular ``A``, read
    from its upper or lower triangle (unit diagonal with ``unitriangular``).

    Example::

        >>> import gradstep as torch
        >>> A = torch.tensor([[2., 1.], [0., 4.]])
        >>> torch.linalg.solve_triangular(A, torch.tensor([[3.], [4.]]), upper=True).tolist()
        [[1.0], [1.0]]
    """
    if upper is _REQUIRED:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: '
                        '"upper"')
    _check_tensor("linalg_solve_triangular", A, "input")
    _check_tensor("linalg_solve_triangular", B, "B", 2)
    _check_ndim("linalg.solve_triangular", A, "A")
    _check_ndim("linalg.solve_triangular", B, "B")
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, "
                           f"but found A of type {scalar_type_name(a.dtype)} and B of type "
                           f"{scalar_type_name(b.dtype)} instead")
    _check_square("linalg.solve_triangular", A)
    _check_kernel("triangular_solve_cpu", A)
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    return _out(SolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular)), out)


_TRIANGULAR_DEPRECATED = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be "
    "removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
    "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, A)"
    ".solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B). (Triggered "
    "internally at /__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2273.)")


class TriangularSolve(SolveTriangular):
    name_ = "TriangularSolveBackward0"


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):
    """``torch.triangular_solve(b, A)`` (deprecated): the solution of ``op(A) X = b`` and a copy
    of A, as ``torch.return_types.triangular_solve``."""
    warn_once_at_caller(_TRIANGULAR_DEPRECATED)
    _check_tensor("triangular_solve", input, "input")
    _check_tensor("triangular_solve", A, "A", 2)
    _check_kernel("triangular_solve_cpu", A)
    coeff = A.mT if transpose else A
    up = (not upper) if transpose else upper
    x = TriangularSolve.apply(coeff, input, bool(up), True, bool(unitriangular))
    return return_types.triangular_solve(x, A.clone())


# ----- cross, vecdot -----

def cross(input, other, *, dim=-1, out=None):
    """The cross product of vectors of length 3 along ``dim`` (default -1), broadcast.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.cross(torch.tensor([1., 0., 0.]), torch.tensor([0., 1., 0.])).tolist()
        [0.0, 0.0, 1.0]
    """
    from . import misc
    _check_tensor("linalg_cross", input, "input")
    _check_tensor("linalg_cross", other, "other", 2)
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    try:
        sa, sb = a.shape[dim], b.shape[dim]
    except IndexError:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-a.ndim}, "
                         f"{a.ndim - 1}], but got {dim})") from None
    if sa != 3 or sb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa} "
                           f"and {sb}")
    return misc.cross(input, other, dim=dim, out=out)


def vecdot(x, y, *, dim=-1, out=None):
    """The dot product of vectors along ``dim``, broadcast: ``(x * y).sum(dim)``.

    Example::

        >>> import gradstep as torch
        >>> torch.linalg.vecdot(torch.tensor([1., 2.]), torch.tensor([3., 4.])).item()
        11.0
    """
    _check_tensor("linalg_vecdot", x, "x")
    _check_tensor("linalg_vecdot", y, "y", 2)
    _check_float("linalg.vecdot", x)
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {scalar_type_name(x._data.dtype)} and y of type "
                           f"{scalar_type_name(y._data.dtype)} instead")
    if x._data.ndim == 1 and y._data.ndim == 1 and x._data.size != y._data.size:
        nx, ny = x._data.size, y._data.size
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{nx}] and src [{ny}] to "
                           f"have the same number of elements, but got {nx} and {ny} elements "
                           "respectively")
    return _out((x * y).sum(dim), out)


# ----- lu_factor -----

def lu_factor(A, *, pivot=True, out=None):
    """The packed LU factorization with partial pivoting (``LU``, 1-based int32 ``pivots``),
    LAPACK's getrf. Not differentiable here (raises if A requires grad)."""
    _no_tuple_out("linalg.lu_factor", out)
    _check_tensor("linalg_lu_factor", A)
    _check_ndim("linalg.lu_factor", A)
    _check_float("linalg.lu_factor", A)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    a = A._data
    from ..autograd import grad_mode
    if A.requires_grad and grad_mode.state.grad_enabled:
        raise NotImplementedError("gradstep: the gradient of linalg.lu_factor is not implemented "
                                  "(use torch.no_grad() or a detached input)")
    lu, piv, info = _getrf(a)
    if info.any():  # lu_factor is lu_factor_ex with check_errors: a zero pivot raises
        flat = info.reshape(-1)
        k = int(flat[np.flatnonzero(flat)[0]])
        raise RuntimeError(f"torch.linalg.lu_factor: {_batch_prefix(flat, a.shape)}U[{k},{k}] is "
                           "zero and using it on lu_solve would result in a division by zero. If "
                           "you still want to perform the factorization, consider calling "
                           "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return return_types.linalg_lu_factor(_int_tensor(lu), _int_tensor(piv))


# ----- removed functions torch still names -----

_REMOVED = {
    "lstsq": "This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is "
             "deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed "
             "arguments and does not return the QR decomposition in the returned tuple (although "
             "it returns other information about the problem).\n\nTo get the QR decomposition "
             "consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` stored "
             "the residuals of the solution in the last m - n columns of the returned value "
             "whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' "
             "of the returned named tuple.\n\nThe unpacking of the solution, as in\n"
             "X, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
             "X = torch.linalg.lstsq(A, B).solution",
    "symeig": "This function was deprecated since version 1.9 and is now removed. The default "
              "behavior has changed from using the upper triangular portion of the matrix by "
              "default to using the lower triangular portion.\n\nL, _ = torch.symeig(A, "
              "upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if "
              "upper else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) should be "
              "replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    "eig": "This function was deprecated since version 1.9 and is now removed. `torch.linalg.eig` "
           "returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors "
           "mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\n"
           "L_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) "
           "should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)",
    "matrix_rank": "This function was deprecated since version 1.9 and is now removed.\nPlease use "
                   "the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' "
                   "was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.",
}


def _removed(name):
    def fn(*args, **kwargs):
        raise RuntimeError(_REMOVED[name])
    fn.__name__ = name
    fn.__doc__ = f"``torch.{name}``: removed from torch; raises torch's RuntimeError."
    return fn


lstsq_removed = _removed("lstsq")
symeig_removed = _removed("symeig")
eig_removed = _removed("eig")
matrix_rank_removed = _removed("matrix_rank")


class Methods:
    """Tensor methods of the matrix functions."""

    def det(self):
        return det(self)

    def logdet(self):
        return logdet(self)

    def slogdet(self):
        return _slogdet_legacy(self)

    def inverse(self):
        return inv(self)

    def cholesky(self, upper=False):
        return cholesky_legacy(self, upper)

    def pinverse(self, rcond=1e-15):
        return pinverse(self, rcond)

    def matrix_power(self, n):
        return matrix_power(self, n)

    def matrix_exp(self):
        return matrix_exp(self)

    def svd(self, some=True, compute_uv=True):
        return svd_legacy(self, some, compute_uv)

    def qr(self, some=True):
        return qr_legacy(self, some)

    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
        return triangular_solve(self, A, upper, transpose, unitriangular)

    def lstsq(self, *args, **kwargs):
        raise RuntimeError(_REMOVED["lstsq"])

    def symeig(self, *args, **kwargs):
        raise RuntimeError(_REMOVED["symeig"])

    def eig(self, *args, **kwargs):
        raise RuntimeError(_REMOVED["eig"])
