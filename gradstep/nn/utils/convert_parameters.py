"""``parameters_to_vector`` and ``vector_to_parameters``, as torch.nn.utils."""
from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_device(param, device):
    if device is None:
        return param.device
    if param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return device


def _typename(value):
    cls = type(value)
    module = cls.__module__ or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


def parameters_to_vector(parameters):
    """Flatten ``parameters`` into one 1-D tensor (differentiable: a concatenation of views).

    Example::

        >>> import gradstep as torch
        >>> torch.nn.utils.parameters_to_vector([torch.ones(2, 2), torch.zeros(1)]).tolist()
        [1.0, 1.0, 1.0, 1.0, 0.0]
    """
    from ... import cat
    device = None
    flat = []
    for param in parameters:
        device = _check_device(param, device)
        flat.append(param.view(-1))
    return cat(flat)


def vector_to_parameters(vec, parameters):
    """Make each of ``parameters`` a view of its slice of ``vec`` (their ``.data`` is replaced,
    so they share ``vec``'s storage, as in torch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device = None
    start = 0
    for param in parameters:
        device = _check_device(param, device)
        n = param.numel()
        param.data = vec[start:start + n].view_as(param).data
        start += n
