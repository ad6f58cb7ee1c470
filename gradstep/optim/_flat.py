"""Elementwise optimizers: one kernel per algorithm, run per parameter or over a flat buffer.

An elementwise update rule is written once, as a function of values::

    def kernel(param, grad, buf0, buf1, ..., hyper0, hyper1, ...) -> (param, buf0, buf1, ...)

using only operators, ``np.sqrt``/``np.abs``/``np.maximum``/``np.minimum``/``np.sign``/
``np.where``, and hyper-parameters passed in already cast to the parameter's dtype (no Python
literals inside, so float32 stays float32 everywhere). The same function serves three callers:

* per parameter, on each parameter's arrays (the reference path, and what ``differentiable=True``
  runs on gradstep tensors, recording the graph);
* over one flat buffer per param group, in cache-sized chunks: at the second step the group's
  parameters, and their state tensors, are moved into one contiguous buffer per kind
  (``p._data`` becomes a view into it), so a step costs a handful of NumPy calls whatever the
  number of tensors. The layout is checked at every step (``p.data`` replaced, a state tensor
  replaced, a state dict loaded) and rebuilt when it no longer holds;
* compiled by numba (optional, ``GRADSTEP_NUMBA=1`` or ``use_numba(True)``) into a single-pass,
  multi-threaded loop over the flat buffers.
"""
import functools
import operator
import os

import numpy as np

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


def _numba_runner(kernel, nbufs, nhyper, parallel):
    """A numba-compiled loop applying ``kernel`` elementwise over flat arrays (multi-threaded
    with ``parallel``); None if numba is missing or cannot compile the kernel."""
    key = (kernel, nbufs, nhyper, parallel)
    cache = _numba["cache"]
    if key in cache:
        return cache[key]
    try:
        import numba
    except ImportError:
        _numba["enabled"] = False
        return None
    if parallel and "NUMBA_THREADING_LAYER" not in os.environ:
        # the OpenMP layer busy-waits, which stalls badly on a loaded machine
        numba.config.THREADING_LAYER = "workqueue"
    jk = numba.njit(inline="always")(kernel)
    bufs = "".join(f", b{i}" for i in range(nbufs))
    hyp = "".join(f", h{i}" for i in range(nhyper))
    outs = ", ".join(["p[i]"] + [f"b{i}[i]" for i in range(nbufs)])
    ins = ", ".join(["p[i]", "g[i]"] + [f"b{i}[i]" for i in range(nbufs)]
                    + [f"h{i}" for i in range(nhyper)])
    src = (f"def run(p, g{bufs}{hyp}):\n"
           f"    for i in prange(p.shape[0]):\n"
           f"        {outs}{',' if nbufs == 0 else ''} = jk({ins})\n")
    ns = {"jk": jk, "prange": numba.prange if parallel else range}
    exec(src, ns)  # noqa: S102  (a fixed template; only the arities vary)
    runner = numba.njit(parallel=parallel, nogil=True)(ns["run"])
    cache[key] = runner
    return runner


_PARALLEL_MIN = 1 << 20   # elements below which threads cost more than they save


class _FlatGroup:
    """One param group laid out flat: parameters, state buffers and step counts."""

    def __init__(self, params, states, keys, has_step, dtype):
        sizes = [p._data.size for p in params]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        total = int(offsets[-1])
        self.offsets = offsets.tolist()
        self.params = params
        self.keys = keys
        self.pbuf = np.empty(total, dtype)
        self.bufs = {k: np.zeros(total, dtype) for k in keys}
        self.steps = np.zeros(len(params), np.float32) if has_step else None
        self.pviews = []
        self.tensors = {k: [] for k in keys}
        self.step_tensors = []
        self.step_views = []
        self.states = states
        o = self.offsets
        for i, p in enumerate(params):
            shape = p._data.shape
            view = self.pbuf[o[i]:o[i + 1]].reshape(shape)
            view[...] = p._data
            p._data = view
            self.pviews.append(view)
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
        self.step_views = [t._data if t is not None else None for t in self.step_tensors]
        self.bviews = {k: [t._data if t is not None else None for t in self.tensors[k]]
                       for k in keys}
        self.all_steps = has_step and all(t is not None for t in self.step_tensors)
        # what valid() checks: the parameters that have state, and their tensors
        live = [i for i, st in enumerate(states) if st]
        self.live_states = [states[i] for i in live]
        self.live_tensors = {k: [self.tensors[k][i] for i in live] for k in keys}
        self.live_views = {k: [self.bviews[k][i] for i in live] for k in keys}
        if has_step:
            self.live_steps = [self.step_tensors[i] for i in live]
            self.live_step_views = [self.step_views[i] for i in live]
        # pieces: runs of small parameters whose gradients are gathered, or one big parameter
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
        self.gbuf = np.empty(max([0] + [offsets[e] - offsets[s] for big, s, e in self.pieces
                                       if not big]), dtype)

    def valid(self, params, state):
        """Whether the parameters, their state tensors and step counts are still the views
        (C-level identity checks only: this runs at every step)."""
        if state is not self.state_obj or len(state) != self.state_len:
            return False
        if not all(map(_is, map(_get_data, params), self.pviews)):
            return False
        live = self.live_states
        for k in self.keys:
            tensors = self.live_tensors[k]
            if not all(map(_is, map(operator.itemgetter(k), live), tensors)):
                return False
            if not all(map(_is, map(_get_data, tensors), self.live_views[k])):
                return False
        if self.steps is not None:
            tensors = self.live_steps
            if not all(map(_is, map(operator.itemgetter("step"), live), tensors)):
                return False
            if not all(map(_is, map(_get_data, tensors), self.live_step_views)):
                return False
        return True


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
        prev = grad_mode.state.grad_enabled
        grad_mode.state.grad_enabled = bool(self.defaults.get("differentiable", False))
        try:
            for group in self.param_groups:
                self._step_group(group)
        finally:
            grad_mode.state.grad_enabled = prev
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
        # a flat layout needs plain CPU float arrays of one dtype, every gradient set here
        # having its state already (the first step initializes per parameter), no duplicates
        if len(params) < 2 or not isinstance(params[0]._data, np.ndarray):
            return None
        dtype = params[0]._data.dtype
        if dtype.kind != "f":
            return None
        started = False
        for p in params:
            if type(p._data) is not np.ndarray or p._data.dtype != dtype or p._base is not None:
                return None
            if p._grad is not None:
                st = state_get(p)
                if not st:
                    return None
                started = True
                if any(k not in st or not isinstance(st[k], Tensor) for k in keys):
                    return None
        if not started or len(set(map(id, params))) != len(params):
            return None
        states = [state_get(p) for p in params]
        if self._has_step and any(st and not isinstance(st.get("step"), Tensor)
                                  for st in states):
            return None
        fg = _FlatGroup(params, states, keys, self._has_step, dtype)
        fg.state_obj = self.state
        fg.state_len = len(self.state)
        self._flat[id(group)] = (group, fg)
        return fg

    def _step_flat(self, group, fg, params, keys):
        grads = list(map(_get_grad, params))
        dtype = fg.pbuf.dtype
        every = all(map(_not_none, grads))
        has = [g is not None for g in grads] if not every else None
        # (a gradient's dtype and shape are its parameter's: the grad setter enforces it)
        if every and fg.steps is not None and fg.all_steps:
            fg.steps += 1
            first = fg.steps[0]
            if (fg.steps == first).all():
                self._run_pieces(fg, fg.pieces, grads, self._hyper(group, float(first), dtype),
                                 self._kernel(group))
                self._bump(params)
                return
            runs = [(0, len(params))]
        elif every and fg.steps is None:
            self._run_pieces(fg, fg.pieces, grads, self._hyper(group, None, dtype),
                             self._kernel(group))
            self._bump(params)
            return
        else:
            if fg.steps is not None:
                for i, h in enumerate(has):
                    if h:
                        fg.steps[i] += 1
            runs = []
            start = None
            for i, h in enumerate(has):
                if h and start is None:
                    start = i
                elif not h and start is not None:
                    runs.append((start, i))
                    start = None
            if start is not None:
                runs.append((start, len(params)))
        # runs of parameters with gradients, split where the step count changes
        for s, e in runs:
            i = s
            while i < e:
                j = i + 1
                if fg.steps is not None:
                    while j < e and fg.steps[j] == fg.steps[i]:
                        j += 1
                else:
                    j = e
                step = float(fg.steps[i]) if fg.steps is not None else None
                pieces = [(big, max(a, i), min(b, j)) for big, a, b in fg.pieces
                          if a < j and b > i]
                self._run_pieces(fg, pieces, grads, self._hyper(group, step, dtype),
                                 self._kernel(group))
                i = j
        self._bump(params)

    def _per_param_all(self, group, params, keys):
        for p in params:
            if p._grad is not None:
                self._step_param(group, p, keys)

    @staticmethod
    def _bump(params):
        # flat parameters are bases (no views), so their own counters are the family's
        for p in params:
            p._ver += 1
        _inplace_epoch[0] += 1

    def _run_pieces(self, fg, pieces, grads, hyper, kernel):
        o = fg.offsets
        bufs = [fg.bufs[k] for k in fg.keys]
        use_numba = _numba["enabled"]
        for big, s, e in pieces:
            lo, hi = o[s], o[e]
            if big or e - s == 1:
                g = grads[s]._data.reshape(-1)
            else:
                g = fg.gbuf[:hi - lo]
                np.concatenate(list(map(_get_data, grads[s:e])), axis=None, out=g)
            if use_numba:
                runner = _numba_runner(kernel, len(bufs), len(hyper), hi - lo >= _PARALLEL_MIN)
                if runner is not None:
                    try:
                        runner(fg.pbuf[lo:hi], g, *[b[lo:hi] for b in bufs], *hyper)
                        continue
                    except Exception:  # a kernel numba cannot compile runs in NumPy
                        _numba["cache"][(kernel, len(bufs), len(hyper),
                                         hi - lo >= _PARALLEL_MIN)] = None
            for c in range(lo, hi, _CHUNK):
                d = min(c + _CHUNK, hi)
                out = kernel(fg.pbuf[c:d], g[c - lo:d - lo], *[b[c:d] for b in bufs], *hyper)
                fg.pbuf[c:d] = out[0]
                for b, new in zip(bufs, out[1:]):
                    b[c:d] = new
