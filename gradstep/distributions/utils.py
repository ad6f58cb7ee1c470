"""Helpers shared by the distributions: parameter broadcasting, probs <-> logits, lazy
properties, summing rightmost dimensions."""
import numbers

import gradstep as _g

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits", "sum_rightmost", "tril_matrix_to_vec", "vec_to_tril_matrix"]


def broadcast_all(*values):
    r"""Broadcast numbers and tensors to one shape.

    Numbers become tensors of the first tensor's dtype (the default dtype when all are numbers);
    tensors keep their dtypes.
    """
    if not all(_g.is_tensor(v) or isinstance(v, numbers.Number) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(_g.is_tensor(v) for v in values):
        dtype = _g.get_default_dtype()
        for v in values:
            if _g.is_tensor(v):
                dtype = v.dtype
                break
        values = [v if _g.is_tensor(v) else _g.tensor(v, dtype=dtype) for v in values]
    return _g.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device=None):
    return _g.randn(shape, dtype=dtype)


euler_constant = 0.57721566490153286060  # Euler Mascheroni constant


def sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


_sum_rightmost = sum_rightmost


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid when binary, else softmax over the last dim."""
    if is_binary:
        return _g.sigmoid(logits)
    return _g.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamp probabilities to ``[eps, 1 - eps]`` of their dtype."""
    eps = _g.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities (clamped away from 0 and 1 first)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return _g.log(ps_clamped) - _g.log1p(-ps_clamped)
    return _g.log(ps_clamped)


class lazy_property:
    """A property computed on first access and then stored on the instance (so it shows in
    ``__dict__``, where ``Distribution.__repr__`` looks for parameters)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with _g.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (from diagonal ``diag``) of the last two dims, row by row."""
    n = mat.shape[-1]
    rows, cols = _g.tril_indices(n, n, offset=diag)
    return mat[..., rows, cols]


def vec_to_tril_matrix(vec, diag=0):
    """Inverse of ``tril_matrix_to_vec``."""
    n = int((-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag)
                                 * (diag + 1)) ** 0.5) / 2)
    mat = vec.new_zeros(vec.shape[:-1] + (n, n))
    rows, cols = _g.tril_indices(n, n, offset=diag)
    mat[..., rows, cols] = vec
    return mat
