"""Assorted torch functions: clone and detach as functions, dtype queries (result_type,
can_cast), small predicates (is_nonzero, is_same_size), constructors (scalar_tensor, asarray,
block_diag, cartesian_prod, combinations, vander), distances and products (cdist, cross), the
trapezoid rule, renorm, and the Tensor methods sum_to_size and fill_diagonal_.

Ops with a node of their own in torch (``CdistBackward0``, ``LinalgCrossBackward0``,
``RenormBackward0``, ``BlockDiagBackward0``) are single ops here; the rest are composed of
gradstep's differentiable ops in torch's order, so their graphs and values match torch's.
"""
import itertools
import math
import warnings

import numpy as np

from .. import _dtype, _tensor
from ..autograd.graph import Op
from ._util import (broadcast_error, can_cast as _can_cast, inplace, scalar_type_name, sum_to,
                    wrap_dim)

__all__ = ["clone", "detach", "result_type", "can_cast", "is_nonzero", "is_same_size",
           "scalar_tensor", "asarray", "block_diag", "cartesian_prod", "combinations", "cdist",
           "cross", "vander", "trapezoid", "trapz", "renorm"]


def _is_tensor(x):
    return isinstance(x, _tensor.Tensor)


def _check_tensor(name, value, arg="input", position=1):
    if not _is_tensor(value):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")


def _is_number(x):
    return isinstance(x, (bool, int, float, np.number, np.bool_))


# ----- small functions -----

def clone(input, *, memory_format=None):
    """Return a copy of ``input`` that records ``CloneBackward0``."""
    _check_tensor("clone", input)
    return input.clone() if memory_format is None else input.clone(memory_format=memory_format)


def detach(input):
    """Return a tensor sharing ``input``'s data, cut from the graph."""
    _check_tensor("detach", input)
    return input.detach()


_RESULT_TYPE_OVERLOADS = (("Tensor tensor, Tensor other", (True, True)),
                          ("Number scalar, Tensor tensor", (False, True)),
                          ("Tensor tensor, Number other", (True, False)),
                          ("Number scalar1, Number scalar2", (False, False)))


def _parser_type(value):
    if _is_tensor(value):
        return "Tensor"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(sorted({type(v).__name__ for v in value}))
        return f"{type(value).__name__} of [{inner}]"
    return type(value).__name__


def result_type(tensor, other):
    """Return the dtype torch computes ``tensor op other`` in (Tensors or numbers)."""
    if not ((_is_tensor(tensor) or _is_number(tensor)) and (_is_tensor(other) or
                                                           _is_number(other))):
        got = ", ".join(type(v).__name__ for v in (tensor, other))
        lines = ""
        for signature, kinds in _RESULT_TYPE_OVERLOADS:
            marks = []
            failed = False
            for value, want_tensor in zip((tensor, other), kinds):
                # torch marks every argument from the first that does not fit
                failed = failed or not (_is_tensor(value) if want_tensor else _is_number(value))
                marks.append(f"!{_parser_type(value)}!" if failed else _parser_type(value))
            lines += (f" * ({signature})\n      didn't match because some of the arguments have "
                      f"invalid types: ({', '.join(marks)})\n")
        raise TypeError(f"result_type() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n{lines}")
    return _dtype.result_type(tensor, other)


def can_cast(from_, to):
    """Whether torch's casting rules allow ``from_`` to be cast to ``to`` (no float to integer,
    no number to bool)."""
    for value, arg, position in ((from_, "from_", 1), (to, "to", 2)):
        if not isinstance(value, _dtype.dtype):
            raise TypeError(f"can_cast(): argument '{arg}' (position {position}) must be "
                            f"torch.dtype, not {type(value).__name__}")
    return _can_cast(from_.np, to.np)


def is_nonzero(input):
    """Whether the single element of ``input`` is nonzero (NaN counts as nonzero)."""
    _check_tensor("is_nonzero", input)
    size = input._data.size
    if size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


def is_same_size(input, other):
    """Whether ``input`` and ``other`` have the same shape."""
    _check_tensor("is_same_size", input)
    _check_tensor("is_same_size", other, "other", 2)
    return input._data.shape == other._data.shape


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    """Return a 0-dim tensor holding the number ``s`` (in the default float dtype unless
    ``dtype`` says otherwise, even for ints and bools)."""
    from .._creation import tensor
    if _is_tensor(s):
        s = s.item()
    return tensor(float(s) if dtype is None else s, dtype=dtype or _dtype.get_default_dtype(),
                  device=device, requires_grad=requires_grad)


_UNSET = object()


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=_UNSET):
    """Convert ``obj`` (a Tensor, NumPy array, number or nested sequence) to a tensor, sharing
    its memory where possible (``copy=None``), always copying (``copy=True``), or never
    (``copy=False``, which raises where a copy is needed)."""
    from .._creation import tensor, as_tensor
    if _is_tensor(obj):
        if requires_grad is _UNSET:
            if obj.requires_grad and not copy and (dtype is None or dtype == obj.dtype):
                warnings.warn("torch.asarray: unspecified requires_grad now defaults to "
                              "obj.requires_grad instead of False. Pass requires_grad=False "
                              "explicitly to get the old behavior and silence this warning.",
                              UserWarning, stacklevel=2)
            requires_grad = obj.requires_grad
        result = obj
        if dtype is not None and dtype != obj.dtype:
            if copy is False:
                raise ValueError("can't alias tensor with dtype "
                                 f"'{scalar_type_name(obj._data.dtype)}' into dtype "
                                 f"'{scalar_type_name(dtype.np)}'.")
            result = obj.to(dtype)
        elif copy:
            result = obj.clone()
        if device is not None:
            result = result.to(device)
        if not requires_grad and result.requires_grad:
            result = result.detach()
        elif requires_grad and not result.requires_grad:
            result = result.detach().requires_grad_(True) if result is obj else \
                result.requires_grad_(True)
        return result
    requires_grad = False if requires_grad is _UNSET else requires_grad
    if copy is False:
        if isinstance(obj, np.generic):
            raise RuntimeError("can't alias NumPy scalars. Either remove copy=False or transform "
                               "it in a ndarray. ")
        if not isinstance(obj, np.ndarray):
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        if dtype is not None and dtype.np != obj.dtype:
            raise ValueError(f"can't alias tensor with dtype '{scalar_type_name(obj.dtype)}' "
                             f"into dtype '{scalar_type_name(dtype.np)}'.")
    if isinstance(obj, np.generic):
        obj = np.asarray(obj)   # a NumPy scalar converts as an array does (a C cast to dtype)
    if isinstance(obj, np.ndarray) and not copy:
        result = as_tensor(obj, dtype=dtype, device=device)
    else:
        result = tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        result.requires_grad_(True)
    return result


# ----- block_diag, cartesian_prod, combinations, vander -----

class BlockDiag(Op):
    """z = the inputs (as 2-D blocks) along the diagonal, zeros elsewhere;  dz/dx_k = grad's
    block k, reshaped to x_k's shape."""
    name_ = "BlockDiagBackward0"
    quiet = False

    @staticmethod
    def forward(ctx, *blocks):
        shapes = [b.shape for b in blocks]
        mats = [b.reshape(1, 1) if b.ndim == 0 else b.reshape(1, -1) if b.ndim == 1 else b
                for b in blocks]
        rows = sum(m.shape[0] for m in mats)
        cols = sum(m.shape[1] for m in mats)
        dtype = blocks[0].dtype
        out = np.zeros((rows, cols), dtype)
        spans = []
        r = c = 0
        for m in mats:
            out[r:r + m.shape[0], c:c + m.shape[1]] = m
            spans.append((r, r + m.shape[0], c, c + m.shape[1]))
            r, c = r + m.shape[0], c + m.shape[1]
        ctx.spans = spans
        ctx.shapes = shapes
        return out

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.reshape(grad[r0:r1, c0:c1], shape) if need else None
                     for (r0, r1, c0, c1), shape, need in zip(ctx.spans, ctx.shapes,
                                                              ctx.needs_input_grad))


def block_diag(*tensors):
    """Return the block diagonal matrix of the given tensors (0-, 1- or 2-D; a 1-D tensor is a
    row), in their promoted dtype."""
    from .._creation import empty
    for k, t in enumerate(tensors):
        if not _is_tensor(t):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(t).__name__}")
        if t.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {k} has {t.ndim} dimensions")
    if not tensors:
        return empty(1, 0)
    target = tensors[0].dtype
    for t in tensors[1:]:
        target = _dtype.promote_types(target, t.dtype)
    tensors = [t if t.dtype == target else t.to(target) for t in tensors]
    return BlockDiag.apply(*tensors)


def cartesian_prod(*tensors):
    """Return the Cartesian product of 1-D tensors as rows (one input: that tensor itself)."""
    from .indexing import meshgrid
    from .shape import stack
    for k, t in enumerate(tensors):
        if not _is_tensor(t):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(t).__name__}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    if any(t.dtype != tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], dim=1)


def combinations(input, r=2, with_replacement=False):
    """Return the length-``r`` combinations of the elements of the 1-D ``input`` as rows (as
    ``itertools.combinations``, or ``combinations_with_replacement``)."""
    from .shape import stack
    _check_tensor("combinations", input)
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _tensor.Tensor._make(np.empty((0,), input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    index = np.array(list(pick(range(input.shape[0]), r)), np.int64).reshape(-1, r)
    columns = [input[_tensor.Tensor._make(np.ascontiguousarray(index[:, k]))] for k in range(r)]
    return stack(columns, dim=1)


def vander(x, N=None, increasing=False):
    """Return the Vandermonde matrix of the 1-D ``x``: columns ``x**(N-1), ..., x, 1`` (or in
    increasing order). Integer and bool inputs give int64."""
    from .shape import cat
    from .._creation import ones
    _check_tensor("vander", x, "x")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is None:
        N = x.shape[0]
    elif not isinstance(N, (int, np.integer)) or isinstance(N, bool):
        raise TypeError(f"vander(): argument 'N' must be int, not {type(N).__name__}")
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if x._data.dtype.kind in "biu":
        x = x.to(_dtype.int64)
    n = x.shape[0]
    if N == 0:
        return _tensor.Tensor._make(np.empty((n, 0), x._data.dtype))
    columns = [ones(n, 1, dtype=x.dtype)]
    if N > 1:
        columns.append(x.unsqueeze(1).expand(n, N - 1))
    result = cat(columns, dim=1).cumprod(1)
    return result if increasing else result.flip(1)


# ----- cdist -----

def _pairwise_norm(diff, p):
    a = np.abs(diff)
    if p == 2:
        return np.sqrt(np.sum(diff * diff, axis=-1))
    if p == 1:
        return np.sum(a, axis=-1)
    if p == 0:
        return np.sum(a != 0, axis=-1).astype(diff.dtype)
    if p == math.inf:
        return np.max(a, axis=-1, initial=0)
    return np.sum(a ** p, axis=-1) ** (1.0 / p)


class Cdist(Op):
    """z_ij = ||x1_i - x2_j||_p over the last dim, batch dims broadcast;  with d = x1_i - x2_j,
    dz/dx1_i = sum_j grad_ij d |d|^(p-2) / z_ij^(p-1) (sign(d) for p = 1, sign(d) where |d| is
    the maximum for p = inf, 0 for p = 0),  dz/dx2_j = -sum_i of the same."""
    name_ = "CdistBackward0"

    @staticmethod
    def forward(ctx, x1, x2, p):
        diff = np.expand_dims(x1, -2) - np.expand_dims(x2, -3)   # (..., r1, r2, m)
        out = np.asarray(_pairwise_norm(diff, p), dtype=x1.dtype)
        ctx.save_for_backward(x1, x2, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, grad):
        x1, x2, out = ctx._arrays
        p = ctx.p
        need1, need2 = ctx.needs_input_grad[:2]
        diff = np.expand_dims(x1, -2) - np.expand_dims(x2, -3)
        g = np.expand_dims(grad, -1)
        z = np.expand_dims(out, -1)
        if p == 0:
            w = diff * 0
        elif p == 1:
            w = np.sign(diff) * g
        elif p == 2:
            w = np.where(z == 0, 0, diff / np.where(z == 0, 1, z)) * g
        elif p == math.inf:
            w = np.sign(diff) * (np.abs(diff) == z) * g
        else:
            zero = diff == 0
            w = np.where(zero, 0, diff * np.abs(np.where(zero, 1, diff)) ** (p - 2)
                         * np.where(z == 0, 0, np.where(z == 0, 1, z) ** (1 - p))) * g
        g1 = sum_to(np.sum(w, axis=-2), x1.shape) if need1 else None
        g2 = sum_to(-np.sum(w, axis=-3), x2.shape) if need2 else None
        return g1, g2


_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                  "donot_use_mm_for_euclid_dist")


def _euclidean_by_mm(x1, x2):
    """||a - b|| as sqrt(||a||^2 - 2 a.b + ||b||^2), one matmul of padded operands (fast for
    many rows; the squared distance is clamped at 0 before the root)."""
    from .shape import cat
    from .._creation import ones_like
    n1 = (x1 * x1).sum(-1, keepdim=True)
    n2 = (x2 * x2).sum(-1, keepdim=True)
    pad1 = ones_like(n1)
    pad2 = ones_like(n2)
    a = cat([x1 * -2, n1, pad1], dim=-1)
    b = cat([x2, pad2, n2], dim=-1)
    return (a @ b.transpose(-1, -2)).clamp_min(0).sqrt()


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Return the p-norm distances between the rows of ``x1`` (..., r1, m) and of ``x2``
    (..., r2, m), with broadcast batch dims: shape (..., r1, r2).

    For p = 2 torch switches to a matmul-based formula for more than 25 rows (or always with
    ``compute_mode="use_mm_for_euclid_dist"``); gradstep does the same, so values match.
    """
    _check_tensor("cdist", x1, "x1")
    _check_tensor("cdist", x2, "x2", 2)
    a, b = x1._data, x2._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{scalar_type_name(a.dtype)}")
    if b.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X2 got: "
                           f"{scalar_type_name(b.dtype)}")
    if a.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(a.dtype)} but found "
                           f"{scalar_type_name(b.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(a.shape[:-2], b.shape[:-2]) from None
    r1, r2 = a.shape[-2], b.shape[-2]
    # torch takes its direct kernel for empty inputs and outputs, whatever the mode
    use_mm = p == 2 and math.prod(batch) * r1 * r2 * a.shape[-1] > 0 and (compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode == "use_mm_for_euclid_dist_if_necessary" and (r1 > 25 or r2 > 25)))
    if use_mm:
        n = math.prod(batch)
        e1 = x1.expand(*batch, r1, a.shape[-1]).reshape(n, r1, a.shape[-1])
        e2 = x2.expand(*batch, r2, b.shape[-1]).reshape(n, r2, b.shape[-1])
        return _euclidean_by_mm(e1, e2).view(*batch, r1, r2)
    return Cdist.apply(x1, x2, float(p))


# ----- cross -----

def _cross(a, b, d):
    """a x b along dim ``d`` (of length 3), for arrays and (create_graph) Tensors alike:
    c_k = a_(k+1) b_(k+2) - a_(k+2) b_(k+1), indices mod 3."""
    return np.roll(a, -1, d) * np.roll(b, -2, d) - np.roll(a, -2, d) * np.roll(b, -1, d)


class Cross(Op):
    """z = x x y along a dim of length 3;  dz/dx = y x grad,  dz/dy = grad x x."""
    name_ = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, x, y, d):
        ctx.save_for_backward(x, y)
        ctx.d = d
        x, y = np.broadcast_arrays(x, y)
        return _cross(x, y, d)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx._arrays
        d = ctx.d
        need_x, need_y = ctx.needs_input_grad[:2]
        return (sum_to(_cross(np.broadcast_to(y, grad.shape), grad, d), x.shape)
                if need_x else None,
                sum_to(_cross(grad, np.broadcast_to(x, grad.shape), d), y.shape)
                if need_y else None)


_warned_cross = []


def cross(input, other, dim=None, *, out=None):
    """Return the cross product of vectors of length 3 along ``dim`` (broadcast).

    Without ``dim``, torch takes the first dim of size 3 and warns that this is deprecated.
    """
    _check_tensor("cross", input)
    _check_tensor("cross", other, "other", 2)
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(a.dtype)} but found "
                           f"{scalar_type_name(b.dtype)}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if dim is None:
        if not _warned_cross:  # torch warns once per process
            _warned_cross.append(True)
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                          "Please either pass the dim explicitly or simply use "
                          "torch.linalg.cross.\n"
                          "The default value of dim will change to agree with that of "
                          "linalg.cross "
                          "in a future release.", UserWarning, stacklevel=2)
        sizes = [n for n in a.shape]
        if 3 not in sizes:
            raise RuntimeError("no dimension of size 3 in input")
        d = sizes.index(3)
        d = d + len(shape) - a.ndim
    else:
        d = wrap_dim(dim, len(shape))
        na = a.shape[d - (len(shape) - a.ndim)] if d >= len(shape) - a.ndim else 1
        nb = b.shape[d - (len(shape) - b.ndim)] if d >= len(shape) - b.ndim else 1
        if na != 3 or nb != 3:
            raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                               f"{na} and {nb}")
    result = Cross.apply(input, other, d)
    if out is not None:
        from ._util import write_out
        return write_out(result, out)
    return result


# ----- trapezoid -----

class MulScalar(Op):
    """z = x * c for a Python number c (torch's ``mul(Tensor, Scalar)``);  dz/dx = c."""
    name_ = "MulBackward1"

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        return x * c

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.c


class DivScalar(MulScalar):
    """z = x / c for a Python number c;  dz/dx = 1 / c."""
    name_ = "DivBackward1"

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        return x / c

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.c


def _scalar_op(op, t, c):
    """``t op c`` in the dtype torch computes it in, recorded as torch's Scalar overload."""
    from ._util import _to
    target = _dtype.result_type(t, c)
    t = _to(t, target)
    return op.apply(t, target.np.type(c) if target.np.kind == "f" else c)


def _trapezoid_signature_error(name, y, x, dx):
    got = ["Tensor"]
    if x is not None:
        got.append("x=Tensor")
    if dx is not None:
        got.append(f"dx={type(dx).__name__}")
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:\n"
                     f" * (Tensor y, Tensor x, *, int dim = -1)\n"
                     f" * (Tensor y, *, Number dx = 1, int dim = -1)\n")


def _trapezoid(name, y, x, dx, dim):
    from .shape import narrow
    _check_tensor(name, y, "y")
    if x is not None and dx is not None:
        raise _trapezoid_signature_error(name, y, x, dx)
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, y.ndim)
    n = y.shape[d]
    if x is None:
        if _is_tensor(dx):
            dx = dx.item()
        dx = 1 if dx is None else dx
        if n == 0:  # torch returns zeros outside the graph
            return _scalar_op(MulScalar, y.detach().sum(d) * 0, dx)
        ends = narrow(y, d, 0, 1).squeeze(d) + narrow(y, d, n - 1, 1).squeeze(d)
        return _scalar_op(MulScalar, y.sum(d) - ends * 0.5, dx)
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = n - 1 if n else 0
        steps = x.diff().view(*shape) if n else x.reshape(*shape)
    else:
        steps = x.diff(dim=dim)
    if n == 0:
        return y.detach().sum(d) * 0
    pairs = narrow(y, d, 1, n - 1) + narrow(y, d, 0, n - 1)
    return _scalar_op(DivScalar, (steps * pairs).sum(d), 2.)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integrate ``y`` along ``dim`` by the trapezoid rule, at sample points ``x`` or spacing
    ``dx`` (default 1)."""
    return _trapezoid("trapezoid", y, x, dx, dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid`."""
    return _trapezoid("trapz", y, x, dx, dim)


# ----- renorm -----

class Renorm(Op):
    """z = x scaled, per slice along ``dim``, to p-norm at most ``maxnorm``: with n = ||x_s||_p,
    z = x * f, f = maxnorm / (n + 1e-7) where n > maxnorm, else 1;
    dz/dx = f grad - maxnorm / (n + 1e-7)^2 * <grad, x>_s * dn/dx where scaled."""
    name_ = "RenormBackward0"

    @staticmethod
    def forward(ctx, x, p, d, maxnorm):
        axes = tuple(i for i in range(x.ndim) if i != d)
        norm = _slice_norm(x, p, axes)
        scaled = norm > maxnorm
        factor = np.where(scaled, maxnorm / (norm + 1e-7), 1.0).astype(x.dtype)
        ctx.save_for_backward(x)
        ctx.args = (p, axes, maxnorm)
        return x * factor

    @staticmethod
    def backward(ctx, grad):
        x, = ctx._arrays
        p, axes, maxnorm = ctx.args
        norm = _slice_norm(x, p, axes)
        scaled = norm > maxnorm
        denom = norm + 1e-7
        factor = np.where(scaled, maxnorm / denom, 1.0)
        a = np.abs(x)
        if p == 1:
            dnorm = np.sign(x)
        elif p == 2:
            dnorm = x / np.where(norm == 0, 1, norm)
        elif p == math.inf:
            hit = a == norm
            dnorm = np.sign(x) * hit / np.sum(hit, axis=axes, keepdims=True)
        else:
            zero = x == 0
            dnorm = np.where(zero, 0, x * np.abs(np.where(zero, 1, x)) ** (p - 2)
                             / np.where(norm == 0, 1, norm) ** (p - 1))
        inner = np.sum(grad * x, axis=axes, keepdims=True)
        return grad * factor - np.where(scaled, maxnorm / (denom * denom) * inner, 0) * dnorm


def _slice_norm(x, p, axes):
    a = np.abs(x)
    if p == 2:
        return np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
    if p == 1:
        return np.sum(a, axis=axes, keepdims=True)
    if p == math.inf:
        return np.max(a, axis=axes, keepdims=True)
    return np.sum(a ** p, axis=axes, keepdims=True) ** (1.0 / p)


def renorm(input, p, dim, maxnorm, *, out=None):
    """Return ``input`` with each slice along ``dim`` rescaled to p-norm at most ``maxnorm``."""
    _check_tensor("renorm", input)
    x = input._data
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {float(maxnorm):g}")
    if x.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {x.ndim} dimensions")
    if x.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(x.dtype)}")
    d = wrap_dim(dim, x.ndim)
    result = Renorm.apply(input, float(p), d, float(maxnorm))
    if out is not None:
        from ._util import write_out
        return write_out(result, out)
    return result


# ----- Tensor-only methods -----

def _size_args(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def sum_to_size(self, *size):
    """Sum this tensor down to ``size``, which must be expandable to its shape."""
    size = _size_args(size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(s != n and s != 1 for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if size == shape:
        return self
    if not size:
        return self.sum()
    dims = [lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1]
    out = self
    if dims or lead:
        out = out.sum(tuple(range(lead)) + tuple(dims), keepdim=True)
    if lead:
        out = out.view(*size)
    return out


def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal of this tensor (all dims of equal length when more than 2) with
    ``fill_value``, in place; a tall matrix's diagonal restarts below it with ``wrap=True``
    (after a blank row, as the diagonal runs on through row-major memory)."""
    shape = tuple(self.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(n != shape[0] for n in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    if self.numel() == 0:
        return self
    rows, cols = shape[0], shape[1]
    if len(shape) == 2 and wrap and rows > cols + 1:
        if self.is_contiguous():  # one strided view through memory: one write
            self.view(-1)[::cols + 1].fill_(fill_value)
        else:
            for start in range(0, rows, cols + 1):
                self[start:start + cols].diagonal().fill_(fill_value)
        return self
    diag = self.diagonal(0, 0, 1)  # a view: the write reaches self (CopySlices under grad)
    while diag.ndim > 1:
        diag = diag.diagonal(0, 0, -1)
    diag.fill_(fill_value)
    return self


def _renorm_(self, p, dim, maxnorm):
    return inplace(self, renorm, p, dim, maxnorm)


class Methods:
    """Tensor methods for the functions above."""

    is_nonzero = is_nonzero
    is_same_size = is_same_size
    cross = cross
    renorm = renorm
    renorm_ = _renorm_
    sum_to_size = sum_to_size
    fill_diagonal_ = fill_diagonal_
