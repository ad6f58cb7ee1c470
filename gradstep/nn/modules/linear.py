"""Affine layers: ``Identity``, ``Linear``, ``Bilinear`` and ``LazyLinear`` (as torch.nn)."""
import math

from ... import _creation
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear", "UninitializedParameter"]


class Identity(Module):
    r"""A placeholder that returns its input; its arguments are accepted and ignored.

    Example::

        >>> import gradstep as torch
        >>> x = torch.ones(2)
        >>> torch.nn.Identity(54, unused="argument")(x) is x
        True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    r"""Applies the affine map :math:`y = x A^T + b`.

    Args:
        in_features (int): size of each input sample
        out_features (int): size of each output sample
        bias (bool): if ``False``, the layer learns no additive bias (default: ``True``)

    Shape:
        - Input: :math:`(*, H_{in})`; output: :math:`(*, H_{out})`.

    Attributes:
        weight: :math:`(H_{out}, H_{in})`, initialised from :math:`\mathcal{U}(-k, k)` with
            :math:`k = 1/\sqrt{H_{in}}` (``kaiming_uniform_(a=sqrt(5))``)
        bias: :math:`(H_{out})`, from :math:`\mathcal{U}(-k, k)`

    Example::

        >>> import gradstep as torch
        >>> m = torch.nn.Linear(20, 30)
        >>> m(torch.randn(128, 20)).size()
        torch.Size([128, 30])
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty((out_features, in_features), device=device,
                                                dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw the weight (kaiming_uniform_ with a=sqrt(5)) and the bias (U(-k, k))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    r"""Applies :math:`y = x_1^T A x_2 + b`.

    Args:
        in1_features (int): size of each first input sample
        in2_features (int): size of each second input sample
        out_features (int): size of each output sample
        bias (bool): if ``False``, the layer learns no additive bias (default: ``True``)

    Attributes:
        weight: :math:`(H_{out}, H_{in1}, H_{in2})`, from :math:`\mathcal{U}(-k, k)`,
            :math:`k = 1/\sqrt{H_{in1}}`
        bias: :math:`(H_{out})`, from :math:`\mathcal{U}(-k, k)`
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty((out_features, in1_features, in2_features),
                                                device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw weight and bias from U(-k, k), k = 1/sqrt(in1_features)."""
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


# ----- lazy modules -----

_UNINIT = ("Can't access the shape of an uninitialized parameter or buffer. This error usually "
           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
           "initialized one. Call `forward` to initialize the parameters before accessing their "
           "attributes.")


class UninitializedParameter(Parameter):
    r"""A parameter whose shape is not known yet; ``materialize(shape)`` turns it into a
    ``Parameter`` of that shape (uninitialised values), in place (the object stays the same)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        p = Parameter.__new__(cls, _creation.empty(0, device=device, dtype=dtype), requires_grad)
        return p

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def materialize(self, shape, device=None, dtype=None):
        """Give the parameter ``shape`` (values uninitialised) and make it a ``Parameter``."""
        dtype = self.dtype if dtype is None else dtype
        device = self.device if device is None else device
        self._data = _creation.empty(tuple(shape), device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINIT)

    def size(self, dim=None):
        raise RuntimeError(_UNINIT)

    def numel(self):
        raise RuntimeError(_UNINIT)

    def __repr__(self):
        return "<UninitializedParameter>"

    def __reduce_ex__(self, protocol):
        return (UninitializedParameter, (self.requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = UninitializedParameter(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]


def _is_lazy(p):
    return isinstance(p, UninitializedParameter)


class LazyLinear(Linear):
    r"""A ``Linear`` whose ``in_features`` is inferred from the first input.

    Until the first forward, ``weight`` and ``bias`` are ``UninitializedParameter``; the first
    call materialises them with ``in_features = input.shape[-1]``, initialises them as ``Linear``
    does, and the module becomes a ``Linear``.

    Args:
        out_features (int): size of each output sample
        bias (bool): if ``False``, the layer learns no additive bias (default: ``True``)
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self._initialize_hook = self.register_forward_pre_hook(_LazyLinear_infer)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def has_uninitialized_params(self):
        """Whether a parameter still waits for its shape."""
        return any(_is_lazy(p) for p in self._parameters.values())

    def initialize_parameters(self, input):
        """Materialise weight and bias for ``input``'s last dim and initialise them."""
        if self.has_uninitialized_params():
            from ...autograd.grad_mode import no_grad
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        for name, param in self._parameters.items():
            key = prefix + name
            if _is_lazy(param) and key in state_dict:
                value = state_dict[key]
                shape = value.shape if not _is_lazy(value) else None
                if shape is not None:
                    param.materialize(tuple(shape))
                    if name == "weight":
                        self.in_features = int(shape[-1])
        Module._load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                     missing_keys, unexpected_keys, error_msgs)
        if not self.has_uninitialized_params():
            self._finish()

    def _finish(self):
        handle = self.__dict__.pop("_initialize_hook", None)
        if handle is not None:
            handle.remove()
        self.__class__ = self.cls_to_become


def _LazyLinear_infer(module, args):  # noqa: N802 (named after the module it serves)
    module.initialize_parameters(*args)
    if not module.has_uninitialized_params():
        module._finish()

