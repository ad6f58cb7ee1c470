"""Activation modules: thin Module wrappers over ``gradstep.nn.functional`` (as torch.nn)."""
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ... import _creation
from .module import Module

__all__ = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh",
           "SiLU", "Mish", "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink",
           "LeakyReLU", "LogSigmoid", "Softplus", "Softshrink", "PReLU", "Softsign", "Tanhshrink",
           "Softmin", "Softmax", "Softmax2d", "LogSoftmax"]


def _inplace_repr(inplace):
    return "inplace=True" if inplace else ""


class Threshold(Module):
    r"""Thresholds each element: :math:`y = x` if :math:`x > \text{threshold}`, else ``value``.

    Args:
        threshold (float): the value to threshold at
        value (float): the value to replace with
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{inplace_str}"


class ReLU(Module):
    r"""Applies :math:`\text{ReLU}(x) = \max(0, x)` elementwise.

    Args:
        inplace (bool): do the operation in-place (default: ``False``)

    Example::

        >>> import gradstep as torch
        >>> torch.nn.ReLU()(torch.tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class RReLU(Module):
    r"""Randomized leaky ReLU: negative slopes :math:`a \sim U(\text{lower}, \text{upper})` in
    training, :math:`(\text{lower} + \text{upper}) / 2` in eval.

    Args:
        lower (float): lower bound of the uniform distribution (default: 1/8)
        upper (float): upper bound of the uniform distribution (default: 1/3)
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace_str}"


class Hardtanh(Module):
    r"""Clamps each element to :math:`[\text{min\_val}, \text{max\_val}]`.

    Args:
        min_val (float): minimum value of the linear region (default: -1)
        max_val (float): maximum value of the linear region (default: 1)
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None,
                 max_value=None):
        super().__init__()
        if min_value is not None:
            import warnings
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            import warnings
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if not self.max_val > self.min_val:  # torch's AssertionError, kept under python -O
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val "
                                 f"({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{inplace_str}"


class ReLU6(Hardtanh):
    r"""Applies :math:`\min(\max(0, x), 6)` elementwise.

    Args:
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Sigmoid(Module):
    r"""Applies :math:`\sigma(x) = 1 / (1 + e^{-x})` elementwise."""

    def forward(self, input):
        return F.sigmoid(input)


class Hardsigmoid(Module):
    r"""Applies :math:`\text{ReLU6}(x + 3) / 6` elementwise.

    Args:
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Tanh(Module):
    r"""Applies :math:`\tanh(x)` elementwise."""

    def forward(self, input):
        return F.tanh(input)


class SiLU(Module):
    r"""Applies :math:`x \sigma(x)` elementwise (swish).

    Args:
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Mish(Module):
    r"""Applies :math:`x \tanh(\text{softplus}(x))` elementwise.

    Args:
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.mish(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class Hardswish(Module):
    r"""Applies :math:`x \,\text{ReLU6}(x + 3) / 6` elementwise.

    Args:
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class ELU(Module):
    r"""Applies :math:`x` for :math:`x > 0`, else :math:`\alpha (e^x - 1)`.

    Args:
        alpha (float): the :math:`\alpha` value (default: 1.0)
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"alpha={self.alpha}{inplace_str}"


class CELU(Module):
    r"""Applies :math:`\max(0, x) + \min(0, \alpha (e^{x/\alpha} - 1))` elementwise.

    Args:
        alpha (float): the :math:`\alpha` value (default: 1.0)
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"alpha={self.alpha}{inplace_str}"


class SELU(Module):
    r"""Applies :math:`\text{scale} \cdot \text{ELU}(x, \alpha)` with the self-normalising
    constants :math:`\alpha = 1.6733`, :math:`\text{scale} = 1.0507`.

    Args:
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.selu(input, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class GLU(Module):
    r"""Gated linear unit :math:`a \otimes \sigma(b)`, :math:`a, b` the halves of the input.

    Args:
        dim (int): the dimension to split the input on (default: -1)
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    r"""Applies :math:`x \Phi(x)` elementwise; ``approximate='tanh'`` uses the tanh estimate.

    Args:
        approximate (str): ``'none'`` or ``'tanh'`` (default: ``'none'``)
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Hardshrink(Module):
    r"""Applies :math:`x` where :math:`|x| > \lambda`, else 0.

    Args:
        lambd (float): the :math:`\lambda` value (default: 0.5)
    """

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class LeakyReLU(Module):
    r"""Applies :math:`x` for :math:`x > 0`, else :math:`\text{negative\_slope} \cdot x`.

    Args:
        negative_slope (float): the slope for negative inputs (default: 1e-2)
        inplace (bool): do the operation in-place (default: ``False``)
    """

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"negative_slope={self.negative_slope}{inplace_str}"


class LogSigmoid(Module):
    r"""Applies :math:`\log \sigma(x)` elementwise, stably."""

    def forward(self, input):
        return F.logsigmoid(input)


class Softplus(Module):
    r"""Applies :math:`\frac{1}{\beta} \log(1 + e^{\beta x})`, linear above ``threshold``.

    Args:
        beta (float): the :math:`\beta` value (default: 1)
        threshold (float): above ``beta * x > threshold`` the function is linear (default: 20)
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(Module):
    r"""Shrinks toward 0 by :math:`\lambda`: 0 inside :math:`[-\lambda, \lambda]`.

    Args:
        lambd (float): the :math:`\lambda` value (default: 0.5)
    """

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class PReLU(Module):
    r"""Applies :math:`x` for :math:`x > 0`, else :math:`a x` with a learnable :math:`a`
    (one, or one per channel at dim 1).

    Args:
        num_parameters (int): number of :math:`a` to learn: 1 or the channel count (default: 1)
        init (float): the initial value of :math:`a` (default: 0.25)
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(_creation.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Softsign(Module):
    r"""Applies :math:`x / (1 + |x|)` elementwise."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    r"""Applies :math:`x - \tanh(x)` elementwise."""

    def forward(self, input):
        return F.tanhshrink(input)


class _SoftmaxBase(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(_SoftmaxBase):
    r"""Applies :math:`\text{softmax}(-x)` along ``dim``.

    Args:
        dim (int): the dimension the outputs sum to 1 along
    """

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class Softmax(_SoftmaxBase):
    r"""Applies :math:`e^{x_i} / \sum_j e^{x_j}` along ``dim``.

    Args:
        dim (int): the dimension the outputs sum to 1 along
    """

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    r"""Applies softmax over the channels at each spatial location of a (N, C, H, W) or (C, H, W)
    input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)


class LogSoftmax(_SoftmaxBase):
    r"""Applies :math:`\log(\text{softmax}(x))` along ``dim``, as one stable op.

    Args:
        dim (int): the dimension the outputs sum to 1 along
    """

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)
