"""dtypes: torch's names over NumPy's, and torch's type-promotion rules.

A ``dtype`` wraps one NumPy dtype. Promotion follows torch, not NumPy: a Python float does not
turn a float32 tensor into float64, an int tensor divided by an int tensor is float32, and a
0-dim tensor only decides the result when it is of a higher category (bool < int < float) than the
dimensioned operands.
"""
import threading

import numpy as np

__all__ = ["dtype", "get_default_dtype", "set_default_dtype", "promote_types", "result_type"]


class dtype:
    """A tensor element type, printed as torch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self):
        return False

    def to_real(self):
        return self

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
uint8 = dtype("uint8", np.uint8, 1)
bool_ = dtype("bool", np.bool_, 0)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)
_BY_NAME = {d.name: d for d in ALL}
# NumPy dtype -> gradstep dtype; the one lookup every Tensor.dtype access makes.
FROM_NP = {d.np: d for d in ALL}
ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16, "int": int32,
           "long": int64, "bool": bool_}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The gradstep dtype of a NumPy dtype, or TypeError for one gradstep lacks."""
    try:
        return FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


class _Defaults(threading.local):
    float_dtype = float32


_defaults = _Defaults()


def get_default_dtype():
    """Return the default floating point dtype (float32 unless changed)."""
    return _defaults.float_dtype


def set_default_dtype(d):
    """Set the dtype of floating tensors created from Python floats (float16/32/64)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _defaults.float_dtype = d


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to, by torch's lattice."""
    if a is b:
        return a
    try:
        if a._category != b._category and 2 in (a._category, b._category):
            return a if a._category == 2 else b  # int64 + float16 -> float16, as torch
        return FROM_NP[np.promote_types(a.np, b.np)]
    except AttributeError:  # not dtypes: checked here, off the path every op takes
        return promote_types(_dtype_argument(a, "type1", 1), _dtype_argument(b, "type2", 2))


_PYTHON_TYPES = {float: "float64", int: "int64", bool: "bool"}


def _dtype_argument(value, name, position):
    """A dtype argument of ``promote_types``: a dtype, or Python's float/int/bool."""
    if isinstance(value, dtype):
        return value
    if isinstance(value, type) and value in _PYTHON_TYPES:
        return _BY_NAME[_PYTHON_TYPES[value]]
    raise TypeError(f"promote_types(): argument '{name}' (position {position}) must be "
                    f"torch.dtype, not {type(value).__name__}")


def _combine(higher, lower):
    """Merge a higher-priority participant class into a lower one (torch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or higher._category == 2:
        return higher
    if higher._category == 0 or lower._category == 2:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python number takes when it stands alone."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    return _defaults.float_dtype


_result_cache = {}


def result_type(*operands):
    """The dtype torch computes an op on ``operands`` (Tensors and Python numbers) in."""
    dim = zero = wrapped = None
    for x in operands:
        data = getattr(x, "_data", None)
        if data is None:
            if isinstance(x, (bool, int, float, np.number, np.bool_)):
                if isinstance(x, (np.number, np.bool_)):
                    d = FROM_NP.get(np.dtype(type(x)))
                    d = d if d is None or d._category < 2 else _defaults.float_dtype
                else:
                    d = scalar_dtype(x)
                wrapped = d if wrapped is None else (
                    wrapped if wrapped._category >= d._category else d)
            continue
        d = FROM_NP[data.dtype]
        if data.ndim:
            dim = d if dim is None else promote_types(dim, d)
        else:
            zero = d if zero is None else promote_types(zero, d)
    return _combine(dim, _combine(zero, wrapped))
