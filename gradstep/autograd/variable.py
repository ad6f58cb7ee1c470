"""``Variable``: torch's legacy name for a Tensor.

``Variable(t)`` is a new leaf sharing ``t``'s storage (as ``t.detach()``), with ``requires_grad``
set as asked; every Tensor is an instance of ``Variable``.

Example::

    >>> import gradstep as torch
    >>> from gradstep.autograd import Variable
    >>> v = Variable(torch.tensor([1., 2.]), requires_grad=True)
    >>> v.requires_grad, isinstance(v, Variable)
    (True, True)
"""
import warnings

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        from .._tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """Make a leaf Tensor over ``data``'s storage (legacy; use tensors directly)."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from .._tensor import Tensor
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                          "instead.", UserWarning, stacklevel=2)
        if data is None:
            from .._creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad and not data.is_floating_point():
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        return data.detach().requires_grad_(requires_grad)
