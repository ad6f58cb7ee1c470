"""gradstep: PyTorch's training core (tensors, autograd, nn, optim) in readable Python over NumPy."""
import warnings as _warnings

# NumPy's floating-point warnings (log(0), overflow in exp) raised from gradstep's own lines are
# silenced, as torch computes inf/nan silently; warnings from the user's NumPy code are untouched.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradstep(\.|$)")

from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types,  # noqa: E402
                     float16, float32, float64, int8, int16, int32, int64, uint8)
from ._dtype import bool_ as bool  # noqa: E402,A001
from ._device import device  # noqa: E402
from ._size import Size  # noqa: E402
from ._tensor import Tensor  # noqa: E402
from ._creation import tensor, as_tensor, from_numpy  # noqa: E402
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled,  # noqa: E402
                                 inference_mode, is_grad_enabled, is_inference_mode_enabled)
from . import autograd  # noqa: E402
from ._ops.arith import (add, sub, subtract, mul, multiply, div, divide,  # noqa: E402
                         true_divide, floor_divide, remainder, fmod, pow, neg, negative,
                         reciprocal, addcmul, addcdiv, lerp, rsub)

half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

__version__ = "0.1.0"
