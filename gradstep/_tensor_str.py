r"""Printing tensors exactly as torch prints them.

A tensor prints as ``tensor(<values>, <suffixes>)``. The values are laid out like nested Python
lists, every element padded to one common width so columns line up, rows of a vector wrapped at
``linewidth``; the suffixes name what the values cannot show: a non-CPU device, the dtype when it is
not the default for its kind, the size of an empty tensor, and ``grad_fn`` or ``requires_grad``.

How a floating tensor's elements look is decided once for the whole tensor (or for the part that is
shown, when it is summarised), from its nonzero finite values :math:`v`:

.. math::
   \begin{aligned}
     & \text{int mode} \iff \forall v:\ v = \lceil v \rceil
        && \text{printed as } \texttt{1.}\ \texttt{-3.} \\
     & \text{sci mode} \iff \frac{\max|v|}{\min|v|} > 1000 \ \lor\ \max|v| > 10^8
        \ \lor\ (\lnot\text{int mode} \land \min|v| < 10^{-4})
        && \text{printed as } \texttt{1.0000e-05} \\
     & \text{otherwise fixed}
        && \text{printed as } \texttt{0.1000}
   \end{aligned}

``set_printoptions(sci_mode=...)`` overrides the choice of sci mode (but a tensor with no nonzero
finite value always prints in int mode). The common width is the longest formatted nonzero finite
value (plus one for int mode's trailing dot); zeros, ``nan`` and ``inf`` are padded to it but never
widen it. Values are formatted from their exact double value, as Python formats floats.

A tensor with more than ``threshold`` elements is summarised: each dimension longer than
``2 * edgeitems`` shows only its first and last ``edgeitems`` entries around ``...``.
"""
import contextlib
import math

import numpy as np

from . import _dtype

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


class _PrintOptions:
    """The options in force; a single process-wide object, as in torch."""

    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    r"""Set options for printing tensors.

    Args:
        precision: number of digits after the point for floating point output (default = 4)
        threshold: total number of elements above which the output is summarised with ``...``
            (default = 1000)
        edgeitems: number of items shown at the beginning and end of each summarised dimension
            (default = 3)
        linewidth: number of characters per line for the purpose of wrapping rows (default = 80)
        profile: ``'default'``, ``'short'`` or ``'full'``, a set of the four options above; the
            options given explicitly override it
        sci_mode: ``True`` or ``False`` forces scientific notation on or off; ``None`` (the
            default, and what every call without it restores) lets each tensor choose

    Example::

        >>> import gradstep as torch
        >>> torch.set_printoptions(precision=2)
        >>> torch.tensor([1.12345])
        tensor([1.12])
        >>> torch.set_printoptions(profile='default')
        >>> torch.tensor([1.12345])
        tensor([1.1235])
    """
    if profile is not None:
        for name, value in _PROFILES.get(profile, {}).items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict (the keyword arguments of ``set_printoptions``)."""
    return {"precision": PRINT_OPTS.precision, "threshold": PRINT_OPTS.threshold,
            "edgeitems": PRINT_OPTS.edgeitems, "linewidth": PRINT_OPTS.linewidth,
            "sci_mode": PRINT_OPTS.sci_mode}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Use ``set_printoptions(**kwargs)`` inside a ``with`` block, restoring the options after."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ----- the element formatter -----

class _Formatter:
    """Formats every element of one tensor to a common width (see the module docstring)."""

    __slots__ = ("kind", "width", "precision")

    def __init__(self, data):
        self.precision = p = PRINT_OPTS.precision
        if data.dtype.kind != "f":
            self.kind = "plain"
            self.width = _plain_width(data)
            return
        flat = data.astype(np.float64, copy=False).ravel()
        values = flat[np.isfinite(flat) & (flat != 0)]
        if values.size == 0:
            self.kind, self.width = "int", 1
            return
        magnitude = np.abs(values)
        lo, hi = float(magnitude.min()), float(magnitude.max())
        int_mode = bool(np.all(values == np.ceil(values)))
        sci = hi / lo > 1000.0 or hi > 1.0e8 or (not int_mode and lo < 1.0e-4)
        if PRINT_OPTS.sci_mode is not None:
            sci = PRINT_OPTS.sci_mode
        self.kind = "sci" if sci else "int" if int_mode else "fixed"
        # Formatted length grows with |v| on each side of zero (and with |exponent| in sci mode),
        # so the widest element is one of the extremes of the positive or the negative values.
        extremes = []
        for side in (values[values > 0], values[values < 0]):
            if side.size:
                extremes += [float(side.min()), float(side.max())]
        if self.kind == "sci":
            self.width = max(len(f"{v:.{p}e}") for v in extremes)
        elif self.kind == "int":
            self.width = max(len(f"{v:.0f}") for v in extremes) + 1
        else:
            self.width = max(len(f"{v:.{p}f}") for v in extremes)

    def format(self, value):
        """One element (a Python number) as a string padded to the common width."""
        kind = self.kind
        if kind == "fixed":
            s = f"{value:.{self.precision}f}"
        elif kind == "sci":
            s = f"{value:.{self.precision}e}"
        elif kind == "int":
            s = f"{value:.0f}"
            if math.isfinite(value):
                s += "."
        else:
            s = str(value)
        return s.rjust(self.width)


def _plain_width(data):
    """The widest ``str`` of an integer or bool element (at least 1)."""
    if data.size == 0:
        return 1
    if data.dtype.kind == "b":
        return 5 if not data.all() else 4
    return max(len(str(data.min().item())), len(str(data.max().item())))


# ----- layout -----

def _summarized(data, edgeitems):
    """The elements a summarised print shows: each long dimension cut to its two edges."""
    if data.ndim == 0:
        return data
    if edgeitems == 0 and data.ndim > 1:
        return data[(slice(0, 0),) * data.ndim]
    index = []
    for n in data.shape:
        if n > 2 * edgeitems:
            index.append(np.r_[0:edgeitems, n - edgeitems:n])
        else:
            index.append(np.arange(n))
    return data[np.ix_(*index)]


def _vector_str(row, indent, summarize, formatter):
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, (PRINT_OPTS.linewidth - indent) // (formatter.width + 2))
    fmt = formatter.format
    if summarize and row.shape[0] > 2 * edge:
        items = ([fmt(v) for v in row[:edge].tolist()] + [" ..."]
                 + [fmt(v) for v in row[row.shape[0] - edge:].tolist()])
    else:
        items = [fmt(v) for v in row.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(data, indent, summarize, formatter):
    if data.ndim == 0:
        return formatter.format(data.item())
    if summarize and not PRINT_OPTS.edgeitems:
        return "[...]"
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, formatter)
    edge = PRINT_OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * edge:
        rows = ([_array_str(data[i], indent + 1, summarize, formatter) for i in range(edge)]
                + ["..."]
                + [_array_str(data[i], indent + 1, summarize, formatter)
                   for i in range(n - edge, n)])
    else:
        rows = [_array_str(data[i], indent + 1, summarize, formatter) for i in range(n)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _values_str(data, indent):
    """The bracketed values of a non-empty array, laid out for a prefix ``indent`` wide."""
    summarize = data.size > PRINT_OPTS.threshold
    formatter = _Formatter(_summarized(data, PRINT_OPTS.edgeitems) if summarize else data)
    return _array_str(data, indent, summarize, formatter)


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items, moving one to a new line when it would pass ``linewidth``."""
    parts = [text]
    # torch's running length of the last line counts two characters more than it holds.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, prefix=None):
    """``repr(t)`` as torch writes it: ``tensor([0.9000, 1.9000], requires_grad=True)``.

    ``prefix`` replaces the opening ``tensor(``; by default a subclass of Tensor other than
    ``Parameter`` opens with its class name, as in torch.
    """
    if prefix is None:
        cls = type(t)
        plain = cls.__name__ in ("Tensor", "Parameter") and cls.__module__.startswith("gradstep")
        prefix = "tensor(" if plain else cls.__name__ + "("
    indent = len(prefix)
    data = t._host()
    dtype = _dtype.FROM_NP[data.dtype]
    default_float = _dtype.get_default_dtype()
    suffixes = []
    device = t.device
    if device.type != "cpu":
        suffixes.append(f"device='{device}'")
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        if dtype is not default_float:
            suffixes.append("dtype=" + repr(dtype))
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(data.shape)))
        if dtype not in (default_float, _dtype.int64, _dtype.bool_):
            suffixes.append("dtype=" + repr(dtype))
        body = _values_str(data, indent)
    grad_fn = t.grad_fn
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name().rsplit('::', 1)[-1]}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
