"""Convolution layers: ``Conv1d``/``2d``/``3d``, ``ConvTranspose1d``/``2d``/``3d`` (as torch.nn)."""
import math

from ... import _creation
from .. import functional as F
from .. import init
from .._functional.conv import ntuple
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_STRINGS = {"same", "valid"}
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _reverse_repeat(t, n):
    return tuple(v for v in reversed(t) for _ in range(n))


class _ConvNd(Module):
    """Shared constructor, initialisation and repr of the convolution layers."""

    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 transposed, output_padding, groups, bias, padding_mode, device=None,
                 dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_PADDING_STRINGS}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        if isinstance(padding, str):
            pads = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    pads[2 * i] = left
                    pads[2 * i + 1] = total - left
            self._reversed_padding_repeated_twice = pads
        else:
            self._reversed_padding_repeated_twice = _reverse_repeat(padding, 2)
        shape = ((in_channels, out_channels // groups) if transposed else
                 (out_channels, in_channels // groups)) + tuple(kernel_size)
        self.weight = Parameter(_creation.empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty((out_channels,), device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Kaiming-uniform weights (a = sqrt(5)) and a bias from U(-1/sqrt(fan_in), ...)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _Conv(_ConvNd):
    _fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        n = self._nd
        super().__init__(in_channels, out_channels, ntuple(kernel_size, n), ntuple(stride, n),
                         padding if isinstance(padding, str) else ntuple(padding, n),
                         ntuple(dilation, n), False, ntuple(0, n), groups, bias, padding_mode,
                         device, dtype)

    def _conv_forward(self, input, weight, bias):
        fn = type(self)._fn
        if self.padding_mode != "zeros":
            return fn(F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode),
                      weight, bias, self.stride, ntuple(0, self._nd), self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    r"""Applies a 1-D convolution over an input of shape :math:`(N, C_{in}, L)` or
    :math:`(C_{in}, L)`:

    .. math::
        \text{out}(N_i, C_{out_j}) = \text{bias}(C_{out_j}) +
            \sum_{k=0}^{C_{in}-1} \text{weight}(C_{out_j}, k) \star \text{input}(N_i, k)

    Args:
        in_channels (int): channels of the input
        out_channels (int): channels produced by the convolution
        kernel_size (int or tuple): size of the convolving kernel
        stride (int or tuple, optional): stride of the convolution (default: 1)
        padding (int, tuple or str, optional): padding added to both sides, or ``'valid'`` /
            ``'same'`` (default: 0)
        dilation (int or tuple, optional): spacing between kernel elements (default: 1)
        groups (int, optional): blocked connections from input to output channels (default: 1)
        bias (bool, optional): add a learnable bias (default: ``True``)
        padding_mode (str, optional): ``'zeros'``, ``'reflect'``, ``'replicate'`` or
            ``'circular'`` (default: ``'zeros'``)

    Example::

        >>> import gradstep as torch
        >>> torch.nn.Conv1d(16, 33, 3, stride=2)(torch.randn(20, 16, 50)).shape
        torch.Size([20, 33, 24])
    """
    _nd = 1
    _fn = staticmethod(F.conv1d)


class Conv2d(_Conv):
    r"""Applies a 2-D convolution over an input of shape :math:`(N, C_{in}, H, W)` or
    :math:`(C_{in}, H, W)`:

    .. math::
        \text{out}(N_i, C_{out_j}) = \text{bias}(C_{out_j}) +
            \sum_{k=0}^{C_{in}-1} \text{weight}(C_{out_j}, k) \star \text{input}(N_i, k)

    Args: as :class:`Conv1d`, with ``kernel_size``, ``stride``, ``padding`` and ``dilation``
    given as an int or a pair.

    Example::

        >>> import gradstep as torch
        >>> m = torch.nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))
        >>> m(torch.randn(2, 16, 10, 12)).shape
        torch.Size([2, 33, 8, 12])
    """
    _nd = 2
    _fn = staticmethod(F.conv2d)


class Conv3d(_Conv):
    r"""Applies a 3-D convolution over an input of shape :math:`(N, C_{in}, D, H, W)` or
    :math:`(C_{in}, D, H, W)`; arguments as :class:`Conv1d`, per dim as an int or a triple."""
    _nd = 3
    _fn = staticmethod(F.conv3d)


class _ConvTranspose(_ConvNd):
    _fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        n = self._nd
        super().__init__(in_channels, out_channels, ntuple(kernel_size, n), ntuple(stride, n),
                         ntuple(padding, n), ntuple(dilation, n), True,
                         ntuple(output_padding, n), groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        n = self._nd
        output_size = list(output_size)
        if len(output_size) == n + 2 or (len(output_size) == n + 1 and input.dim() == n + 1):
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.dim()}D input, output_size must "
                             f"have {n} or {n + 2} elements (got {len(output_size)})")
        spatial = input.shape[-n:]
        lo, hi = [], []
        for d in range(n):
            m = ((spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
                 + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            lo.append(m)
            hi.append(m + self.stride[d] - 1)
        for d in range(n):
            if not lo[d] <= output_size[d] <= hi[d]:
                raise ValueError(
                    f"requested an output size of {tuple(output_size)}, but valid sizes range "
                    f"from {lo} to {hi} (for an input of {spatial})")
        return tuple(output_size[d] - lo[d] for d in range(n))

    def forward(self, input, output_size=None):
        if self.padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        output_padding = self._output_padding(input, output_size)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding,
                              output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    r"""Applies a 1-D transposed convolution (the gradient of :class:`Conv1d` with respect to
    its input) over :math:`(N, C_{in}, L)` or :math:`(C_{in}, L)`.

    Output length: :math:`(L - 1) s - 2 p + d (k - 1) + \text{output\_padding} + 1`.
    """
    _nd = 1
    _fn = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    r"""Applies a 2-D transposed convolution (the gradient of :class:`Conv2d` with respect to
    its input) over :math:`(N, C_{in}, H, W)` or :math:`(C_{in}, H, W)`.

    Example::

        >>> import gradstep as torch
        >>> up = torch.nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)
        >>> up(torch.randn(1, 16, 6, 6), output_size=(12, 12)).shape
        torch.Size([1, 16, 12, 12])
    """
    _nd = 2
    _fn = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    r"""Applies a 3-D transposed convolution over :math:`(N, C_{in}, D, H, W)`."""
    _nd = 3
    _fn = staticmethod(F.conv_transpose3d)
