"""``nn.Parameter`` (a tensor a Module registers as trainable) and ``nn.Buffer`` (one it saves)."""
import numpy as np

from .._tensor import Tensor, _rebuild


class Parameter(Tensor):
    r"""A tensor that, assigned as a Module attribute, is registered as one of its parameters.

    ``Parameter(data)`` shares ``data``'s storage and is a leaf that requires grad (unless
    ``requires_grad=False``). Ops on a parameter return plain tensors, as in torch.

    Example::

        >>> import gradstep as torch
        >>> p = torch.nn.Parameter(torch.zeros(2))
        >>> p.requires_grad, p.is_leaf, type(p * 2).__name__
        (True, True, 'Tensor')
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.empty(0, np.float32))
        p = object.__new__(cls)
        p._data = data._data
        p._device = data._device
        if requires_grad:
            if not data.is_floating_point():
                raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                                   "gradients")
            p._requires_grad = True
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._host(), self._requires_grad, str(self._device)))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = Parameter(Tensor._make(self._data.copy()), self._requires_grad)
        new._device = self._device
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        return new


def _rebuild_parameter(array, requires_grad, device):
    return Parameter(_rebuild(array, False, device), requires_grad)


class _BufferMeta(type):
    # torch.nn.Buffer(t) returns a plain Tensor flagged as a buffer; isinstance checks the flag.
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    r"""Mark a tensor as a buffer: assigned to a Module attribute, it is registered as one.

    ``Buffer(data, persistent=True)`` returns ``data`` detached (a plain Tensor) carrying the flag;
    non-persistent buffers are left out of ``state_dict()``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        t = data.detach()
        t._base = None
        t._is_buffer = True
        t.persistent = persistent
        return t
