"""Elementwise optimizers: one kernel per algorithm, run per parameter or over a flat buffer.

An elementwise update rule is written once, as a function of values::

    def kernel(param, grad, buf0, buf1, ..., hyper0, hyper1, ...) -> (param, buf0, buf1, ...)

using only operators, ``np.sqrt``/``np.abs``/``np.maximum``/``np.minimum``/``np.sign``/
``np.where``, and hyper-parameters passed in already cast to the parameter's dtype (no Python
literals inside, so float32 stays float32 everywhere). The same function serves every path:

* per parameter, on each parameter's arrays (the reference path, and what ``differentiable=True``
  runs on gradstep tensors, recording the graph);
* over one flat buffer per param group: at the second step the group's parameters, their
  gradients and their state tensors are moved into one contiguous buffer per kind
  (``p._data`` becomes a view into it, and ``p._grad_slot`` tells the autograd engine to write
  a fresh ``.grad`` into the gradient buffer). After ``zero_grad(); loss.backward()`` a step is
  then one kernel over whole buffers, whatever the number of tensors. The layout is checked at
  every step with C-level identity tests (``p.data`` replaced, a ``.grad`` set by hand or None:
  gathered, or skipped as torch skips it; ``Optimizer.state`` counts its own changes, so a
  replaced state tensor or a loaded state dict is seen at no per-step cost) and rebuilt when it
  no longer holds. Trade-off, as torch DDP's ``gradient_as_bucket_view``: a ``.grad`` tensor
  kept from an earlier step shares memory with the gradient of the next backward (``clone()``
  it to keep its values); replacing a state tensor's ``.data`` (rather than the tensor in
  ``optimizer.state``) is not seen;
* in NumPy (the default), the kernel is traced once per flag setting into in-place ufunc calls
  (``out=``) over cache-sized chunks, with a few reused scratch arrays: one read of each input
  and one write of each output from memory per step; large groups are split between
  ``get_num_threads()`` threads (ufuncs release the GIL);
* with numba (optional: ``GRADSTEP_NUMBA=1`` or ``use_numba(True)``), the same trace becomes
  one branch-free loop, compiled without fast-math (so results are NumPy's) and vectorised by
  LLVM: a single pass over memory, multi-threaded for large groups.
"""
import functools
import operator
import os

import numpy as np

from .. import _runtime
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.graph import _epoch as _inplace_epoch
from .optimizer import Optimizer

__all__ = ["ElementwiseOptimizer", "use_numba"]

_CHUNK = 1 << 15          # elements per chunk: a few arrays of it stay in L2
_BIG = 1 << 15            # a gradient this large is read in place rather than gathered
_is = operator.is_
_get_data = operator.attrgetter("_data")
_get_grad = operator.attrgetter("_grad")
_not_none = functools.partial(operator.is_not, None)

_numba = {"enabled": os.environ.get("GRADSTEP_NUMBA", "0") == "1", "cache": {}}


def use_numba(enabled=True):
    """Run flat-buffer steps through numba-compiled kernels (if numba is installed)."""
    _numba["enabled"] = bool(enabled)


def _runner_key(kernel, nbufs, hyper, parallel):
    # flags (Python bools) are compiled in as constants: the loop then has no branches
    return (kernel, nbufs, tuple(h if type(h) is bool else None for h in hyper), parallel)


_NB_BINARY = {np.add: "{} + {}", np.subtract: "{} - {}", np.multiply: "{} * {}",
              np.true_divide: "{} / {}", np.maximum: "np.maximum({}, {})",
              np.minimum: "np.minimum({}, {})"}
_NB_UNARY = {np.negative: "-{}", np.sqrt: "np.sqrt({})", np.abs: "np.abs({})",
             np.absolute: "np.abs({})", np.sign: "np.sign({})", np.square: "{0} * {0}",
             np.reciprocal: "np.reciprocal({})"}


def _numba_traced(prog, nbufs, parallel):
    """A numba loop for a traced program: straight-line code per element, no branches (the
    flags and guards were settled when tracing), so LLVM vectorises it."""
    numba = _numba["module"]
    code, outs = prog.trace
    nin = 2 + nbufs
    names = ["p", "g"] + [f"b{i}" for i in range(nbufs)]
    nhyp = len(prog.hyper_index)
    lines = [f"        r{k} = {names[k]}[i]" for k in range(nin)]
    for uf, *ins, out in code:
        table = _NB_BINARY if len(ins) == 2 else _NB_UNARY
        lines.append(f"        r{out} = " + table[uf].format(*[f"r{r}" for r in ins]))
    dests = [names[0]] + names[2:]
    lines += [f"        {d}[i] = r{o}" for d, o in zip(dests, outs)]
    hyp = "".join(f", r{nin + j}" for j in range(nhyp))
    src = (f"def run(p, g{''.join(', ' + n for n in names[2:])}{hyp}):\n"
           f"    for i in prange(p.shape[0]):\n" + "\n".join(lines) + "\n")
    ns = {"np": np, "prange": numba.prange if parallel else range}
    exec(src, ns)  # noqa: S102  (generated from a traced kernel: ufunc names and registers)
    return numba.njit(parallel=parallel, nogil=True, error_model="numpy")(ns["run"])


def _numba_runner(kernel, nbufs, hyper, parallel, prog=None):
    """A numba-compiled loop applying ``kernel`` elementwise over flat arrays (multi-threaded
    with ``parallel``); None if numba is missing or cannot compile the kernel. With ``prog``
    (the kernel's trace for these flags) the loop is generated from the trace and takes only
    the traced scalars; without, the kernel itself is inlined.

    The kernel is inlined into one branch-free loop (its flags are compile-time constants),
    compiled with NumPy's error model (division by zero gives inf or nan, as in NumPy, instead
    of a check per element), so LLVM vectorises it; no fast-math, so results are NumPy's.
    """
    key = _runner_key(kernel, nbufs, hyper, parallel)
    if prog is not None:
        key = (prog, parallel)
    cache = _numba["cache"]
    if key in cache:
        return cache[key]
    try:
        import numba
    except ImportError:
        _numba["enabled"] = False
        return None
    _numba["module"] = numba
    if prog is not None:
        if parallel and "NUMBA_THREADING_LAYER" not in os.environ:
            numba.config.THREADING_LAYER = "workqueue"
        runner = cache[key] = _numba_traced(prog, nbufs, parallel)
        return runner
    if parallel and "NUMBA_THREADING_LAYER" not in os.environ:
        # the OpenMP layer busy-waits, which stalls badly on a loaded machine
        numba.config.THREADING_LAYER = "workqueue"
    jk = numba.njit(inline="always", error_model="numpy")(kernel)
    bufs = "".join(f", b{i}" for i in range(nbufs))
    hyp = "".join(f", h{i}" for i in range(len(hyper)))
    outs = ", ".join(["p[i]"] + [f"b{i}[i]" for i in range(nbufs)])
    ins = ", ".join(["p[i]", "g[i]"] + [f"b{i}[i]" for i in range(nbufs)]
                    + [repr(h) if type(h) is bool else f"h{i}" for i, h in enumerate(hyper)])
    src = (f"def run(p, g{bufs}{hyp}):\n"
           f"    for i in prange(p.shape[0]):\n"
           f"        {outs}{',' if nbufs == 0 else ''} = jk({ins})\n")
    ns = {"jk": jk, "prange": numba.prange if parallel else range}
    exec(src, ns)  # noqa: S102  (a fixed template; only the arities and flags vary)
    runner = numba.njit(parallel=parallel, nogil=True, error_model="numpy")(ns["run"])
    cache[key] = runner
    return runner


_PARALLEL_MIN = 1 << 20   # elements below which threads cost more than they save
_get_gdata = operator.attrgetter("_grad._data")


def _same_arrays(getter, objs, expected, exact):
    """Whether ``getter(o) is e`` for every object and expected array.

    A list comparison is the fastest C loop there is: it tests identity first, and where an
    array is not the expected one, ndarray's ``==`` either raises (arrays of two or more
    elements: their truth value is ambiguous) or, for arrays of one element or none, could
    answer True: those (``exact``: indices, with their objects and arrays) are checked by
    identity alone.
    """
    try:
        if list(map(getter, objs)) != expected:
            return False
    except Exception:  # an array replaced: its elementwise == has no truth value
        return False
    if exact:
        return all(map(_is, map(getter, exact[0]), exact[1]))
    return True


def _adoptable(g, dtype, shape):
    """Whether a gradient tensor may have its array moved into the flat gradient buffer."""
    return (type(g) is Tensor and g._grad_fn is None and g._base is None
            and not g._requires_grad and type(g._data) is np.ndarray
            and g._data.dtype == dtype and g._data.shape == shape)


class _FlatGroup:
    """One param group laid out flat: parameters, gradients, state buffers and step counts.

    Each parameter's ``_grad_slot`` is its view of the flat gradient buffer: the autograd
    engine writes a fresh gradient there (``p.grad`` is None before backward), so after
    ``zero_grad(); loss.backward()`` every ``p.grad`` already lies in one contiguous buffer
    and a step is a single kernel over whole buffers. A gradient that is already set when the
    layout is built is moved into the buffer too (its tensor then wraps the view). The
    trade-off, as with torch DDP's ``gradient_as_bucket_view``: a gradient tensor kept from an
    earlier step shares memory with the next one (copy it to keep its values).
    """

    def __init__(self, params, states, keys, has_step, dtype):
        sizes = [p._data.size for p in params]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        total = int(offsets[-1])
        self.offsets = offsets.tolist()
        self.total = total
        self.params = params
        self.keys = keys
        self.pbuf = np.empty(total, dtype)
        self.gbuf = np.zeros(total, dtype)
        self.bufs = {k: np.zeros(total, dtype) for k in keys}
        self.buf_list = [self.bufs[k] for k in keys]
        self.steps = np.zeros(len(params), np.float32) if has_step else None
        self.pviews = []
        self.gviews = []
        self.tensors = {k: [] for k in keys}
        self.step_tensors = []
        self.states = states
        o = self.offsets
        for i, p in enumerate(params):
            shape = p._data.shape
            view = self.pbuf[o[i]:o[i + 1]].reshape(shape)
            view[...] = p._data
            p._data = view
            self.pviews.append(view)
            gview = self.gbuf[o[i]:o[i + 1]].reshape(shape)
            self.gviews.append(gview)
            p._grad_slot = gview
            g = p._grad
            if g is not None and _adoptable(g, dtype, shape):
                gview[...] = g._data
                g._data = gview
            state = states[i]
            for k in keys:
                t = state.get(k) if state is not None else None
                if t is not None:
                    bview = self.bufs[k][o[i]:o[i + 1]].reshape(shape)
                    bview[...] = t._data
                    t._data = bview
                self.tensors[k].append(t)
            if has_step:
                t = state.get("step") if state is not None else None
                if t is not None:
                    sview = self.steps[i:i + 1].reshape(())
                    sview[...] = t._data
                    if t._data.dtype == np.float32 and t._data.shape == ():
                        t._data = sview
                    else:  # a step stored otherwise (float64, or a number) stays as it is
                        t = None
                self.step_tensors.append(t)
        self.all_steps = has_step and all(t is not None for t in self.step_tensors)
        small = [i for i, n in enumerate(sizes) if n < 2]
        self.exact_p = ([params[i] for i in small], [self.pviews[i] for i in small]) \
            if small else None
        self.exact_g = ([params[i] for i in small], [self.gviews[i] for i in small]) \
            if small else None
        # what valid() checks: the parameters that have state, and their tensors' arrays
        live = [i for i, st in enumerate(states) if st]
        self.live_states = [states[i] for i in live]
        self.live_params = [params[i] for i in live]
        self.changes = None
        self.live_views = {k: [self.tensors[k][i]._data for i in live] for k in keys}
        self.check = [(operator.itemgetter(k), self.live_views[k]) for k in keys]
        if has_step:
            self.check.append((operator.itemgetter("step"),
                               [self.step_tensors[i]._data if self.step_tensors[i] is not None
                                else None for i in live]))
        # parameters without state must have no gradient for the layout to serve
        self.stateless = [params[i] for i, st in enumerate(states) if not st] \
            if (keys or has_step) else []
        # pieces (for gradients not in the buffer): runs of small parameters whose gradients
        # are gathered, or one big parameter read in place
        self.pieces = []
        run_start = None
        for i, n in enumerate(sizes):
            if n >= _BIG:
                if run_start is not None:
                    self.pieces.append((False, run_start, i))
                    run_start = None
                self.pieces.append((True, i, i + 1))
            elif run_start is None:
                run_start = i
        if run_start is not None:
            self.pieces.append((False, run_start, len(params)))
        self.gather = np.empty(max([0] + [offsets[e] - offsets[s] for big, s, e in self.pieces
                                          if not big]), dtype)

    def valid(self, params, state):
        """Whether the parameters, their state tensors and step counts are still the views
        (C-level identity checks only: this runs at every step). The state is looked at only
        when it has changed: ``Optimizer.state`` counts changes to it and to its dicts."""
        if state is not self.state_obj:
            return False
        if not _same_arrays(_get_data, params, self.pviews, self.exact_p):
            return False
        if self.stateless and any(map(_not_none, map(_get_grad, self.stateless))):
            return False
        changes = getattr(state, "_changes", None)
        if changes is not None and changes[0] == self.changes:
            return True
        if len(state) != self.state_len:
            return False
        live = self.live_states
        if not all(map(_is, map(state.get, self.live_params), live)):
            return False
        for getter, views in self.check:
            if not all(map(_is, map(_get_data, map(getter, live)), views)):
                return False
        if changes is not None and all(getattr(st, "_changes", None) is changes for st in live):
            self.changes = changes[0]  # unchanged from here on: no need to look again
        return True

    def release(self):
        """Stop routing the parameters' gradients into this layout's buffer."""
        for p, gview in zip(self.params, self.gviews):
            if p._grad_slot is gview:
                p._grad_slot = None


def _flat_step(t):
    """Whether a step count can live in the flat layout (a float32 scalar tensor, as torch's)."""
    return isinstance(t, Tensor) and type(t._data) is np.ndarray and t._data.shape == () \
        and t._data.dtype == np.float32


class ElementwiseOptimizer(Optimizer):
    """An optimizer whose update is elementwise: subclasses give the kernel and its inputs.

    Subclasses define ``kernel`` (a staticmethod, see the module docstring), ``_keys(group)``
    (the state buffers the kernel takes, in order), ``_init_state(group, p, state)`` (torch's
    lazy initialization) and ``_hyper(group, step, dtype)`` (the kernel's scalars).
    """

    _has_step = True

    def _keys(self, group):
        return ()

    def _init_state(self, group, p, state):
        state["step"] = Tensor._make(np.zeros((), np.float32))

    def _hyper(self, group, step, dtype):
        raise NotImplementedError

    def _kernel(self, group):
        return type(self).kernel

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): a closure that reevaluates the model and returns
                the loss
        """
        loss = self._run_closure(closure)
        prev = grad_mode.state.grad_mode
        grad_mode.state.grad_enabled = bool(self.defaults.get("differentiable", False))
        try:
            for group in self.param_groups:
                self._step_group(group)
        finally:
            grad_mode.state.grad_mode = prev
        return loss

    # ----- per parameter -----
    def _step_param(self, group, p, keys):
        grad = p._grad
        state = self.state[p]
        if len(state) == 0:
            self._init_state(group, p, state)
        step = None
        if self._has_step:
            st = state["step"]
            if isinstance(st, Tensor):
                st._data += 1
                step = float(st._data)
            else:
                state["step"] = step = st + 1
        differentiable = group.get("differentiable", False)
        dtype = p._data.dtype
        hyper = self._hyper(group, step, dtype)
        if differentiable:
            bufs = [state[k] for k in keys]
            out = self._kernel(group)(p, grad, *bufs, *hyper)
            p.copy_(out[0])
            for k, new in zip(keys, out[1:]):
                state[k] = new
            return
        bufs = [state[k]._data for k in keys]
        out = self._kernel(group)(p._data, grad._data, *bufs, *hyper)
        np.copyto(p._data, out[0])
        for b, new in zip(bufs, out[1:]):
            np.copyto(b, new)
        p._bump_version()

    # ----- one param group -----
    def _step_group(self, group):
        params = group["params"]
        keys = self._keys(group)
        fg = self._flat_for(group, params, keys)
        if fg is None:
            for p in params:
                if p._grad is not None:
                    self._step_param(group, p, keys)
            return
        self._step_flat(group, fg, params, keys)

    def _flat_for(self, group, params, keys):
        """The group's flat layout, built or rebuilt as needed; None where it cannot serve."""
        if group.get("differentiable", False):
            return None
        entry = self._flat.get(id(group))
        state_get = self.state.get
        if entry is not None and entry[0] is group and entry[1].keys == keys and \
                entry[1].valid(params, self.state):
            return entry[1]
        if entry is not None:  # gradients go back to ordinary arrays until a new layout
            entry[1].release()
            del self._flat[id(group)]
        # a flat layout needs plain CPU float arrays of one dtype, every gradient set here
        # having its state already (the first step initializes per parameter), no duplicates
        if len(params) < 2 or not isinstance(params[0]._data, np.ndarray):
            return None
        dtype = params[0]._data.dtype
        if dtype.kind != "f":
            return None
        started = False
        stateless = not keys and not self._has_step  # (plain SGD keeps no state)
        for p in params:
            if type(p._data) is not np.ndarray or p._data.dtype != dtype or p._base is not None:
                return None
            if p._grad is not None:
                started = True
                if stateless:
                    continue
                st = state_get(p)
                if not st:
                    return None
                if any(k not in st or not isinstance(st[k], Tensor)
                       or st[k]._data.dtype != dtype for k in keys):
                    return None  # (a state kept in another dtype, as after model.double())
        if not started or len(set(map(id, params))) != len(params):
            return None
        states = [state_get(p) for p in params]
        if self._has_step and any(st and not _flat_step(st.get("step")) for st in states):
            return None
        fg = _FlatGroup(params, states, keys, self._has_step, dtype)
        fg.state_obj = self.state
        fg.state_len = len(self.state)
        self._flat[id(group)] = (group, fg)
        return fg

    def _step_flat(self, group, fg, params, keys):
        dtype = fg.pbuf.dtype
        kernel = self._kernel(group)
        steps = fg.steps
        # every gradient is its view of the flat gradient buffer: one kernel, no gather
        # (a gradient that is None fails the getter: then not)
        in_place = _same_arrays(_get_gdata, params, fg.gviews, fg.exact_g)
        if in_place:
            if steps is None:
                self._run(fg, 0, fg.total, fg.gbuf, self._hyper(group, None, dtype), kernel)
                self._bump(params)
                return
            steps += 1
            first = steps[0]
            if (steps == first).all():
                self._run(fg, 0, fg.total, fg.gbuf, self._hyper(group, float(first), dtype),
                          kernel)
                self._bump(params)
                return
            steps -= 1
        grads = list(map(_get_grad, params))
        # (a gradient's dtype and shape are its parameter's: the grad setter enforces it)
        has = np.fromiter(map(_not_none, grads), bool, len(grads))
        # segments of parameters with gradients and one step count (vectorised: no loop over
        # the parameters in Python)
        cuts = np.flatnonzero(has[1:] != has[:-1]) + 1
        if steps is not None:
            steps[has] += 1
            cuts = np.union1d(cuts, np.flatnonzero(steps[1:] != steps[:-1]) + 1)
        bounds = [0, *cuts.tolist(), len(params)]
        moved = []
        for i, j in zip(bounds[:-1], bounds[1:]):
            if not has[i]:
                continue
            step = float(steps[i]) if steps is not None else None
            hyper = self._hyper(group, step, dtype)
            if all(map(_is, map(_get_data, grads[i:j]), fg.gviews[i:j])):
                self._run(fg, fg.offsets[i], fg.offsets[j], fg.gbuf[fg.offsets[i]:fg.offsets[j]],
                          hyper, kernel)
            else:
                pieces = [(big, max(a, i), min(b, j)) for big, a, b in fg.pieces
                          if a < j and b > i]
                self._run_pieces(fg, pieces, grads, hyper, kernel)
            moved.extend(params[i:j])
        self._bump(moved)

    @staticmethod
    def _bump(params):
        # flat parameters are bases (no views), so their own counters are the family's
        for p in params:
            p._ver += 1
        _inplace_epoch[0] += 1

    def _run_pieces(self, fg, pieces, grads, hyper, kernel):
        o = fg.offsets
        gviews = fg.gviews
        for big, s, e in pieces:
            lo, hi = o[s], o[e]
            if all(map(_is, map(_get_data, grads[s:e]), gviews[s:e])):
                g = fg.gbuf[lo:hi]
            elif big or e - s == 1:
                g = grads[s]._data.reshape(-1)
            else:
                g = fg.gather[:hi - lo]
                np.concatenate(list(map(_get_data, grads[s:e])), axis=None, out=g)
            self._run(fg, lo, hi, g, hyper, kernel)

    @staticmethod
    def _run(fg, lo, hi, g, hyper, kernel):
        """Apply ``kernel`` to elements ``lo:hi`` of the flat buffers (``g``: their gradient),
        on ``get_num_threads()`` threads where there are enough elements to share."""
        bufs = fg.buf_list
        threads = _runtime.get_num_threads() if hi - lo >= _PARALLEL_MIN else 1
        if _numba["enabled"]:
            parallel = threads > 1
            prog = _program(kernel, len(bufs), hyper)
            runner = _numba_runner(kernel, len(bufs), hyper, parallel, prog)
            if runner is not None:
                try:
                    if parallel:
                        _numba["module"].set_num_threads(
                            min(threads, _numba["module"].config.NUMBA_NUM_THREADS))
                    if prog is not None:
                        runner(fg.pbuf[lo:hi], g, *[b[lo:hi] for b in bufs],
                               *[hyper[i] for i in prog.hyper_index])
                    else:
                        runner(fg.pbuf[lo:hi], g, *[b[lo:hi] for b in bufs], *hyper)
                    return
                except Exception:  # a kernel numba cannot compile runs in NumPy
                    _numba["cache"][(prog, parallel) if prog is not None else
                                    _runner_key(kernel, len(bufs), hyper, parallel)] = None
        pbuf = fg.pbuf
        prog = _program(kernel, len(bufs), hyper)
        if prog is not None:
            arrays = [pbuf[lo:hi], g, *[b[lo:hi] for b in bufs]]
            if threads > 1:
                _run_threaded(prog, arrays, hyper, hi - lo, threads)
            else:
                prog.run(arrays, hyper, 0, hi - lo)
            return
        for c in range(lo, hi, _CHUNK):
            d = min(c + _CHUNK, hi)
            out = kernel(pbuf[c:d], g[c - lo:d - lo], *[b[c:d] for b in bufs], *hyper)
            pbuf[c:d] = out[0]
            for b, new in zip(bufs, out[1:]):
                b[c:d] = new


# ----- the NumPy path: a kernel traced once into in-place ufunc calls over chunks -----
class _Untraceable(Exception):
    pass


_UFUNCS = {np.add, np.subtract, np.multiply, np.true_divide, np.maximum, np.minimum,
           np.negative, np.sqrt, np.abs, np.absolute, np.sign, np.square, np.reciprocal}


class _Trace:
    """What tracing a kernel records: ufunc calls on registers, and comparisons of scalars."""

    def __init__(self):
        self.code = []      # (ufunc, operand registers..., output register)
        self.guards = []    # (hyper index, comparison, other value, result)
        self.nregs = 0

    def reg(self):
        self.nregs += 1
        return self.nregs - 1

    def emit(self, ufunc, args):
        regs = []
        arrays = False
        for a in args:
            if isinstance(a, _Sym):
                arrays = arrays or not a.scalar
                regs.append(a.reg)
            else:  # a literal would change the dtype arithmetic: kernels take no literals
                raise _Untraceable
        if not arrays:
            raise _Untraceable   # a scalar-only expression: leave such kernels to NumPy
        out = _Sym(self, self.reg(), False)
        self.code.append((ufunc, *regs, out.reg))
        return out


class _Sym:
    """A traced value: an array register, or a scalar hyper-parameter (``value`` known)."""

    __array_priority__ = 10000

    def __init__(self, trace, reg, scalar, value=None, index=None):
        self.trace, self.reg, self.scalar, self.value, self.index = trace, reg, scalar, value, \
            index

    def __array_ufunc__(self, ufunc, method, *args, **kwargs):
        if method != "__call__" or kwargs or ufunc not in _UFUNCS:
            raise _Untraceable
        return self.trace.emit(ufunc, args)

    def __add__(self, o): return self.trace.emit(np.add, (self, o))           # noqa: E704
    def __radd__(self, o): return self.trace.emit(np.add, (o, self))          # noqa: E704
    def __sub__(self, o): return self.trace.emit(np.subtract, (self, o))      # noqa: E704
    def __rsub__(self, o): return self.trace.emit(np.subtract, (o, self))     # noqa: E704
    def __mul__(self, o): return self.trace.emit(np.multiply, (self, o))      # noqa: E704
    def __rmul__(self, o): return self.trace.emit(np.multiply, (o, self))     # noqa: E704
    def __truediv__(self, o): return self.trace.emit(np.true_divide, (self, o))   # noqa: E704
    def __rtruediv__(self, o): return self.trace.emit(np.true_divide, (o, self))  # noqa: E704
    def __neg__(self): return self.trace.emit(np.negative, (self,))           # noqa: E704

    def _compare(self, op, other):
        if not self.scalar or isinstance(other, _Sym):
            raise _Untraceable
        result = bool(op(self.value, other))
        self.trace.guards.append((self.index, op, other, result))
        return result

    def __eq__(self, o): return self._compare(operator.eq, o)   # noqa: E704
    def __ne__(self, o): return self._compare(operator.ne, o)   # noqa: E704
    def __lt__(self, o): return self._compare(operator.lt, o)   # noqa: E704
    def __le__(self, o): return self._compare(operator.le, o)   # noqa: E704
    def __gt__(self, o): return self._compare(operator.gt, o)   # noqa: E704
    def __ge__(self, o): return self._compare(operator.ge, o)   # noqa: E704
    __hash__ = None

    def __bool__(self):
        raise _Untraceable

    def __array__(self, *args, **kwargs):
        raise _Untraceable

    def __array_function__(self, func, types, args, kwargs):
        raise _Untraceable


class _Program:
    """A kernel as in-place ufunc calls over chunks: registers are the chunk's inputs, the
    scalar hypers and a few scratch arrays (reused once dead); each output is written straight
    into its destination when the old value there is no longer read."""

    def __init__(self, trace, nin, hyper_regs, outputs):
        code = trace.code
        nregs = trace.nregs
        last_read = {}
        for k, ins in enumerate(code):
            for r in ins[1:-1]:
                last_read[r] = k
        # destination of each output: kernel input 0 (param) for output 0, input j+1 for j>0
        dest = {}
        copies = []
        for j, o in enumerate(outputs):
            target = 0 if j == 0 else j + 1
            if o.reg >= nin + len(hyper_regs) and o.reg not in dest and \
                    last_read.get(target, -1) <= self._producer(code, o.reg):
                dest[o.reg] = target
            else:
                copies.append((o.reg, target))
        # registers: inputs keep theirs; temps map to scratch slots or destinations
        slot_of = {}
        free = []
        nscratch = 0
        base = nin + len(hyper_regs)
        out_code = []
        for k, (uf, *ins, out) in enumerate(code):
            args = [slot_of.get(r, r) for r in ins]
            for r in set(ins):  # scratch whose value dies here can take this output
                if r >= base and last_read.get(r) == k and r in slot_of and \
                        slot_of[r] >= base and r not in dest and \
                        all(r != c[0] for c in copies):
                    free.append(slot_of[r])
            if out in dest:
                slot = dest[out]
            elif free:
                slot = free.pop()
            else:
                slot = base + nscratch
                nscratch += 1
            slot_of[out] = slot
            out_code.append((uf, *args, slot))
        self.code = out_code
        self.copies = [(slot_of.get(r, r), t) for r, t in copies]
        self.nin = nin
        self.nhyper = len(hyper_regs)
        self.nscratch = nscratch
        self.scratch = {}

    @staticmethod
    def _producer(code, reg):
        for k, ins in enumerate(code):
            if ins[-1] == reg:
                return k
        return -1

    def run(self, arrays, hyper, lo, hi, worker=0):
        """Run over elements ``lo:hi`` of ``arrays`` (param, grad, buffers), in chunks (each
        worker thread has its own scratch arrays)."""
        dtype = arrays[0].dtype
        key = (dtype, _CHUNK, worker)
        scratch = self.scratch.get(key)
        if scratch is None:
            scratch = self.scratch[key] = [np.empty(_CHUNK + _CHUNK // 4, dtype)
                                           for _ in range(self.nscratch)]
        regs = [None] * self.nin + [hyper[i] for i in self.hyper_index] + scratch
        nin = self.nin
        code = self.code
        copies = self.copies
        full = [s[:_CHUNK] for s in scratch]
        for c in range(lo, hi, _CHUNK):
            d = c + _CHUNK
            if d + _CHUNK // 4 >= hi:  # a short tail joins this chunk
                d = hi
            regs[:nin] = [a[c:d] for a in arrays]
            regs[nin + self.nhyper:] = full if d - c == _CHUNK else [s[:d - c] for s in scratch]
            for ins in code:
                if len(ins) == 4:  # binary ufunc: a, b, out (out by keyword, as NumPy asks)
                    ins[0](regs[ins[1]], regs[ins[2]], out=regs[ins[3]])
                else:
                    ins[0](regs[ins[1]], out=regs[ins[2]])
            for r, t in copies:
                regs[t][...] = regs[r]
            if d == hi:
                break


_programs = {}


def _program(kernel, nbufs, hyper):
    """The traced program of ``kernel`` for these flags and guards; None if not traceable."""
    key = _runner_key(kernel, nbufs, hyper, False)
    entries = _programs.setdefault(key, [])
    for guards, prog in entries:
        if all(op(hyper[i], other) == result for i, op, other, result in guards):
            return prog
    trace = _Trace()
    nin = 2 + nbufs
    ins = [_Sym(trace, trace.reg(), False) for _ in range(nin)]
    hyps = []
    for i, h in enumerate(hyper):
        if type(h) is bool:
            hyps.append(h)
        elif isinstance(h, (np.floating, float, int)):
            hyps.append(_Sym(trace, trace.reg(), True, h, i))
        else:
            hyps.append(None)
    hyper_regs = [h for h in hyps if isinstance(h, _Sym)]
    # hyper registers must follow the inputs in order: they do (allocated right after)
    try:
        with np.errstate(all="ignore"):
            outs = kernel(*ins, *hyps)
        if not all(isinstance(o, _Sym) and not o.scalar for o in outs):
            raise _Untraceable
        prog = _Program(trace, nin, hyper_regs, outs)
        prog.hyper_index = [h.index for h in hyper_regs]
        prog.trace = (trace.code, [o.reg for o in outs])
    except _Untraceable:
        prog = None
    entries.append((trace.guards, prog))
    return prog


_pool = {}


def _run_threaded(prog, arrays, hyper, n, threads):
    """Split ``n`` elements into ``threads`` runs of whole chunks; NumPy's ufuncs release the
    GIL, so the runs proceed in parallel. The calling thread takes the first run."""
    executor = _pool.get(threads)
    if executor is None:
        from concurrent.futures import ThreadPoolExecutor
        executor = _pool[threads] = ThreadPoolExecutor(threads - 1,
                                                       thread_name_prefix="gradstep-optim")
    per = -(-n // (threads * _CHUNK)) * _CHUNK
    futures = [executor.submit(prog.run, arrays, hyper, i * per, min(n, (i + 1) * per), i)
               for i in range(1, threads) if i * per < n]
    prog.run(arrays, hyper, 0, min(n, per), 0)
    for f in futures:
        f.result()
