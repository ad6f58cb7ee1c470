"""NumPy's floating-point warnings, off where gradstep computes.

torch computes inf and nan silently; NumPy warns (overflow, divide by zero, invalid value), and a
user's ``warnings.simplefilter("error")`` would turn that into an exception. Two ways keep
gradstep silent:

- ``set_fp(QUIET)`` / ``reset_fp(token)``: NumPy's error state set to "ignore" through its context
  variable directly (about 0.1 us a call against 1 us for ``np.errstate``), never through
  ``np.seterr``, which would change the user's own NumPy state. Backward and most op forwards run
  this way.
- ``silenced()``: gradstep's import puts an "ignore RuntimeWarning from gradstep's modules"
  filter first in ``warnings.filters``. NumPy attributes a warning to the Python line that called
  the ufunc, so while that filter (or another that ignores them) is still first, and NumPy's error
  state only warns or ignores (no "raise", "call" or "print"), a forward that calls ufuncs from
  gradstep's own lines is silent without setting anything. The hottest elementwise ops use this
  check (``Op.quiet = BY_FILTER``) and fall back to ``set_fp`` whenever it fails: a filter a user
  or test runner puts in front, ``np.seterr(all="raise")``, ``np.errstate(...)``.
"""
import warnings

import numpy as np

__all__ = ["quiet", "QUIET", "BY_FILTER", "set_fp", "reset_fp", "silenced"]

# ``Op.quiet`` for ops that may rely on the filter (see ``silenced``).
BY_FILTER = "by filter"

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
    QUIET = _make_extobj(all="ignore")
    set_fp = _extobj_contextvar.set
    reset_fp = _extobj_contextvar.reset
    get_fp = _extobj_contextvar.get
except (ImportError, AttributeError, TypeError):  # another NumPy: the public, slower way
    QUIET = None

    def set_fp(_):
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def reset_fp(state):
        state.__exit__(None, None, None)

    def get_fp():
        return None  # never the trusted state: every forward takes set_fp

# The last NumPy error state and first warnings filter found to silence gradstep: an op's check
# is two identity tests against these. [2:] remember the last pair found not to, so that a failing
# check costs no more than this. Python's warnings API changes the first item whenever it adds a
# filter in front (or resets the list); only editing ``warnings.filters`` below its first item by
# hand goes unnoticed.
trusted = [object(), object(), None, None]

# Modules whose ops' forwards may rely on the filter (see Op.quiet), and the messages NumPy warns
# with, as probes for the filters a user may have put in front of gradstep's.
_OP_MODULES = ("gradstep._ops.arith", "gradstep._ops.elementwise",
               "gradstep.autograd._fast_ops")
_MESSAGES = tuple(f"{kind} encountered in {ufunc}"
                  for kind in ("overflow", "divide by zero", "invalid value", "underflow")
                  for ufunc in ("add", "subtract", "multiply", "divide", "exp", "log", "tanh",
                                "sqrt", "reciprocal", "power"))


def silenced():
    """Whether a floating-point warning raised now from gradstep's op modules would be dropped:
    two identity tests while nothing has changed since the last full check (Op.apply1 and apply2
    inline them)."""
    filters = warnings.filters
    if get_fp() is trusted[0] and filters and filters[0] is trusted[1]:
        return True
    return filter_silences()


def filter_silences():
    """The full check behind ``silenced``: NumPy's error state only warns or ignores, and the
    first warnings filter that could act on such a warning ignores them all."""
    state = get_fp()
    filters = warnings.filters
    first = filters[0] if filters else None
    if state is trusted[2] and first is trusted[3]:
        return False
    if state is not None and _state_only_warns() and _filters_ignore_ours(filters):
        trusted[0:2] = state, first
        return True
    trusted[2:4] = state, first
    return False


def _state_only_warns():
    return all(mode in ("ignore", "warn") for mode in np.geterr().values())


def _filters_ignore_ours(filters):
    """Whether the first filters that match NumPy's warnings from gradstep's op modules ignore
    them (filters for other categories, modules or messages are passed over, as Python does)."""
    for item in filters:
        if not isinstance(item, tuple) or len(item) != 5:
            return False
        action, message, category, module, lineno = item
        if not (isinstance(category, type) and issubclass(RuntimeWarning, category)):
            continue
        modules = [name for name in _OP_MODULES if module is None or module.match(name)]
        messages = [text for text in _MESSAGES if message is None or message.match(text)]
        if not modules or not messages:
            continue  # cannot match ours
        if action != "ignore":
            return False
        if lineno == 0 and len(modules) == len(_OP_MODULES) and len(messages) == len(_MESSAGES):
            return True  # ignores every one of ours
    return False  # none ignores them: Python's default shows them


def quiet(fn):
    """``fn`` run with NumPy's floating-point warnings off."""
    def wrapper(*args, **kwargs):
        token = set_fp(QUIET)
        try:
            return fn(*args, **kwargs)
        finally:
            reset_fp(token)
    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper
