"""Reverse-mode differentiation over the recorded nodes.

``run_backward`` visits nodes in decreasing creation order (a heap keyed by each node's sequence
number, as torch does), so every node runs once, after all of its gradient has arrived, with no
ordering pass and no recursion (a 100,000-op chain is fine); it hands each node its summed output
gradient and passes what the node returns along its edges. Leaves accumulate into ``.grad``
(copying nothing that someone else still holds); ``autograd.grad`` captures gradients at chosen
nodes instead. Saved values are freed after use unless ``retain_graph``. Two walkers share that
order: ``_walk_plain`` for a training step's backward, ``_walk`` for everything else.

Hooks, retain_grad, leaves' accumulators and values that went through saved-tensor hooks live on
the careful path (``Node._slow``), in torch's order and with torch's checks of what hooks return
(see "hooks" below); a node without them costs the walkers nothing extra.
"""
import sys
import warnings
from heapq import heappop, heappush

import numpy as np

from .._alloc import is_pooled
from .._ops._fp import QUIET, reset_fp, set_fp
from . import grad_mode
from .graph import _FREED, AccumulateGrad, _anomaly_state, _epoch, _retaining, follow_retains

__all__ = ["run_backward"]


def _reachable(roots):
    """Every node reachable from ``roots``, children after parents (iterative, no recursion)."""
    seen = set(roots)
    stack = list(roots)
    while stack:
        for child in stack.pop()._next:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _needed(roots, targets):
    """The nodes from which some target can be reached (only those need to run)."""
    nodes = sorted(_reachable(roots), key=_seq_of)  # inputs before the nodes that use them
    needed = set()
    for node in nodes:
        if node in targets or any(c in needed for c in node._next if c is not None):
            needed.add(node)
    return needed


def _seq_of(node):
    return node._seq


def _fix_grad(grad, node, producer, index):
    """Cast ``grad`` (an array, or a Tensor under ``create_graph``) to the dtype of what it
    differentiates, and reject a wrong shape."""
    array = grad._data if hasattr(grad, "_data") else grad
    if array.dtype == node._dtype and array.shape == node._shape:
        return grad
    if array.shape != node._shape:
        if producer is None:
            raise RuntimeError(f"Mismatch in shape: grad_output[{index}] has a shape of "
                               f"{_size(array.shape)} and output[{index}] has a shape of "
                               f"{_size(node._shape)}.")
        raise RuntimeError(f"Function {producer.name()} returned an invalid gradient at index "
                           f"{index} - got {list(array.shape)} but expected shape compatible "
                           f"with {list(node._shape)}")
    return grad.astype(node._dtype) if array is grad else grad.to(_gs_dtype(node._dtype))


def _size(shape):
    return f"torch.Size({list(shape)})"


def _gs_dtype(np_dtype):
    from .._dtype import FROM_NP
    return FROM_NP[np_dtype]


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None, accumulate=True,
                 only=None):
    """Differentiate from ``roots`` (nodes) seeded with ``root_grads``.

    capture: dict node -> list slot; the gradient arriving at such a node is stored there.
    accumulate: whether AccumulateGrad nodes write ``.grad`` (False for ``autograd.grad``).
    only: if given, the set of AccumulateGrad nodes allowed to accumulate (``inputs=``).
    """
    from .._tensor import Tensor
    if _retaining:
        follow_retains()
    targets = set(capture or ())
    if only is not None:
        targets |= only
    needed = _needed(roots, targets) if targets or not accumulate else None

    heap = []
    for node, grad in zip(roots, root_grads):
        if node._buf is None:
            node._buf = grad
            heappush(heap, (-node._seq, node))
        else:
            node._buf = node._buf + grad

    state = grad_mode.state
    prev = (state.grad_mode, state.inference)
    state.grad_mode = create_graph
    fp = set_fp(QUIET)  # NumPy's floating-point warnings off, as torch's backward is silent
    _tasks.append(_Task(roots, needed, not accumulate))
    try:
        if needed is None and capture is None and not create_graph and not _anomaly_state.anomaly:
            _walk_plain(heap, retain_graph, Tensor)
        else:
            _walk(heap, retain_graph, create_graph, needed, capture, accumulate, only, Tensor)
    finally:
        _tasks.pop()
        state.grad_mode, state.inference = prev
        reset_fp(fp)


class _Task:
    """The backward now running (innermost last in ``_tasks``), for hooks that ask which nodes
    it will run (``graph.register_multi_grad_hook``)."""

    __slots__ = ("roots", "needed", "is_grad", "reachable")

    def __init__(self, roots, needed, is_grad):
        self.roots = roots
        self.needed = needed
        self.is_grad = is_grad
        self.reachable = None

    def will_run(self, node):
        if self.is_grad and type(node) is AccumulateGrad:
            raise RuntimeError("A leaf node was passed to _will_engine_execute_node but we are "
                               "currently running autograd.grad(). This is currently not "
                               "supported.")
        if self.needed is not None:
            return node in self.needed
        if self.reachable is None:
            self.reachable = _reachable(self.roots)
        return node in self.reachable


_tasks = []


# Two walkers over the same order. Nodes run in decreasing creation order: every consumer of a
# node was created after it, so by the time a node is popped all of its gradient has arrived. No
# ordering pass is needed. A node's pending gradient waits on the node itself (node._buf) until
# it runs. When the node just run hands a first gradient to a node newer than everything pending
# (a chain's next link, most of the time), that node runs next without a trip through the heap.
#
# Before an op's backward runs, the walker makes its saved values ready in ``node._arrays``,
# which is where an Op's backward reads them: checked against in-place changes when any
# happened since they were saved, and under create_graph swapped for Tensors (Node._check_saved).

def _walk_plain(heap, retain_graph, Tensor):
    """The backward of a training step: every node runs, leaves accumulate, no anomaly mode and
    no create_graph. Per-op overhead is a benchmarked number, so this loop does only that."""
    follow = None  # the node to run next, kept out of the heap
    grads = g = pending = None
    try:
        while True:
            if follow is not None:
                node = follow
                follow = None
            elif heap:
                node = heappop(heap)[1]
            else:
                return
            grad = node._buf
            node._buf = None
            if node._slow:  # the careful path, and every leaf's accumulator (see Node._slow)
                grad = _run_pre_hooks(node, grad, Tensor)
                if type(node) is AccumulateGrad:
                    grads = g = pending = None  # drop references: the leaf may take grad unshared
                    _accumulate(node, grad, Tensor, False)
                    continue
                grads = _careful_backward(node, grad, retain_graph)
            elif node._epoch == _epoch[0]:  # saved values, no in-place op anywhere since
                grads = node.backward(node, grad)
                if not retain_graph:  # Node._release, inlined
                    node._saved = _FREED
                    node._arrays = None
                    node._epoch = -1
            elif node._saved:  # to be checked, or freed by an earlier backward
                grads = _checked_saved_backward(node, grad, retain_graph)
            else:
                grads = node.backward(node, grad)
            if type(grads) is not tuple:
                grads = (grads,)
            for child, g in zip(node._next, grads):
                if child is None or g is None:
                    continue
                if g.dtype is not child._dtype:  # an op over mixed dtypes (see Node._slow)
                    g = _fix_grad(g, child, node, node._next.index(child))
                pending = child._buf
                if pending is None:
                    child._buf = g
                    if follow is None:
                        follow = child
                    elif child._seq > follow._seq:
                        heappush(heap, (-follow._seq, follow))
                        follow = child
                    else:
                        heappush(heap, (-child._seq, child))
                else:
                    child._buf = pending + g
            if follow is not None and heap and heap[0][0] < -follow._seq:
                heappush(heap, (-follow._seq, follow))
                follow = None
    except BaseException:
        _drop_pending(heap, follow)
        raise


def _checked_saved_backward(node, grad, retain_graph):
    """A node whose saved values need their check first (an in-place op ran since they were
    saved; after a backward without retain_graph, the check raises)."""
    node._check_saved()
    grads = node.backward(node, grad)
    if not retain_graph:
        node._release()
    return grads


def _careful_backward(node, grad, retain_graph):
    """A node on the careful path (see Node._slow) in a plain backward: backward, then the
    node's hooks and the checks of what it returned, then the release of its saved values."""
    if grad is None:  # a pre-hook took the gradient away: nothing flows on
        grads = ()
    else:
        if node._packed is not None:
            grads = _run_unpacked(node, grad, False)
        else:
            if node._saved and node._epoch != _epoch[0]:
                node._check_saved()
            grads = node.backward(node, grad)
        if type(grads) is not tuple:
            grads = (grads,)
    grads = _checked(node, grads, grad)
    if not retain_graph:
        node._release()
    return grads


def _walk(heap, retain_graph, create_graph, needed, capture, accumulate, only, Tensor):
    """Every other backward: pruned to the nodes that reach ``needed``, gradients captured for
    ``autograd.grad``, ``inputs=``, anomaly mode, create_graph."""
    anomaly = _anomaly_state.anomaly
    follow = None
    grads = g = pending = None
    try:
        while True:
            if follow is not None:
                node = follow
                follow = None
            elif heap:
                node = heappop(heap)[1]
            else:
                return
            grad = node._buf
            node._buf = None
            slow = node._slow
            if needed is not None and node not in needed:
                continue
            if capture is not None and node in capture:
                if slow:
                    grad = _run_tensor_hooks(node, grad, Tensor)
                capture[node].append(grad)
                if type(node) is AccumulateGrad:
                    continue
                if slow:
                    grad = _run_node_pre_hooks(node, grad, Tensor)
            elif slow:
                grad = _run_pre_hooks(node, grad, Tensor)
            if type(node) is AccumulateGrad:
                if accumulate and (only is None or node in only):
                    grads = g = pending = None  # drop references: the leaf may take grad unshared
                    _accumulate(node, grad, Tensor, create_graph)
                continue
            if grad is None:  # a pre-hook took the gradient away: nothing flows on
                grads = ()
            elif anomaly:
                grads = _anomaly.run(node, grad, create_graph)
            elif slow and node._packed is not None:
                grads = _run_unpacked(node, grad, create_graph)
            elif create_graph:
                grads = _run_backward_of(node, grad, True)
            else:  # _run_backward_of, inlined for autograd.grad's per-op cost
                if node._saved and node._epoch != _epoch[0]:
                    node._check_saved()
                grads = node.backward(node, grad)
            if type(grads) is not tuple:
                grads = (grads,)
            if slow:
                grads = _checked(node, grads, grad)
            if not retain_graph and (node._saved or slow):  # see Node._release
                node._release()
            # passing the gradients on: as in _walk_plain (written out in both: a helper call
            # per node would add several percent to the per-op benchmark)
            for child, g in zip(node._next, grads):
                if child is None or g is None:
                    continue
                if g.dtype is not child._dtype:  # an op over mixed dtypes (see Node._slow)
                    g = _fix_grad(g, child, node, node._next.index(child))
                pending = child._buf
                if pending is None:
                    child._buf = g
                    if follow is None:
                        follow = child
                    elif child._seq > follow._seq:
                        heappush(heap, (-follow._seq, follow))
                        follow = child
                    else:
                        heappush(heap, (-child._seq, child))
                else:
                    child._buf = pending + g
            if follow is not None and heap and heap[0][0] < -follow._seq:
                heappush(heap, (-follow._seq, follow))
                follow = None
    except BaseException:
        _drop_pending(heap, follow)
        raise


def _run_backward_of(node, grad, create_graph):
    """``node.backward`` with its saved values made ready (see the note above ``_walk_plain``);
    under create_graph, the node's ``graph_backward`` where it has one (see ``Op``)."""
    saved = node._saved
    if create_graph:
        backward = node.graph_backward or node.backward
        if not saved:
            return backward(node, grad)
        arrays = node._saved_as_tensors()
        try:
            return backward(node, grad)
        finally:
            node._arrays = arrays
    if saved and node._epoch != _epoch[0]:
        node._check_saved()
    return node.backward(node, grad)


def _run_unpacked(node, grad, create_graph):
    """``node.backward`` on what the unpack hook makes of the values the node packed (see
    graph.saved_tensors_hooks), in place of its saved values while it runs."""
    arrays = node._arrays
    node._arrays = node._unpacked(create_graph)
    try:
        return ((create_graph and node.graph_backward) or node.backward)(node, grad)
    finally:
        node._arrays = arrays


def _drop_pending(heap, follow):
    """After an error: leave no gradient behind for the next backward."""
    for _, node in heap:
        node._buf = None
    if follow is not None:
        follow._buf = None


def _checked(node, grads, grad):
    """A node on the careful path (see Node._slow): run its hooks, then cast each gradient to
    the dtype of what it differentiates and reject a wrong shape."""
    nxt = node._next
    if len(grads) < len(nxt):  # trailing None left out (see graph.Op): hooks see one per input
        grads = grads + (None,) * (len(nxt) - len(grads))
    if node._hooks is not None:
        grads = _run_node_hooks(node, grads, grad)
    out = list(grads)
    for i, (child, g) in enumerate(zip(nxt, grads)):
        if child is not None and g is not None and (g.dtype is not child._dtype
                                                    or g.shape != child._shape):
            out[i] = _fix_grad(g, child, node, i)
    return tuple(out)


CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak. "
    "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)")
_warned_create_graph = [False]  # torch warns once per process


def _accumulate(node, grad, Tensor, create_graph):
    """Add ``grad`` into the leaf's ``.grad``: steal it if no one else holds it, else copy.
    Then the leaf's post-accumulate hooks, and the hooks on the accumulator node itself."""
    if create_graph and not _warned_create_graph[0]:
        _warned_create_graph[0] = True
        warnings.warn(CREATE_GRAPH_CYCLE, UserWarning, stacklevel=2)
    variable = node._variable()
    if variable is None or grad is None:  # the leaf is gone, or a pre-hook took the gradient
        return
    # requires_grad_(False) since the graph was built: torch leaves .grad alone
    if variable._requires_grad:
        if grad.dtype is not node._dtype or grad.shape != node._shape:
            grad = _fix_grad(grad, node, None, 0)
        if isinstance(grad, Tensor):
            array = grad._data
        else:
            array = grad
        current = variable._grad  # a leaf's: no property, the checks above suffice
        if current is None:
            if create_graph and isinstance(grad, Tensor):
                variable.grad = grad
            else:
                # torch takes the gradient as .grad where no one else holds it, else a copy,
                # made by a copy_ into new memory: that .grad starts at version 1
                copied = not isinstance(array, np.ndarray) or array.base is not None \
                    or sys.getrefcount(array) > _STEAL_REFS + is_pooled(array) \
                    or not array.flags.writeable
                slot = variable._grad_slot
                if slot is not None and slot.shape == array.shape and slot.dtype == array.dtype:
                    # an optimizer keeps this leaf's gradient in its flat buffer: write it there
                    np.copyto(slot, array)
                    array = slot
                elif copied:
                    array = array.copy()
                variable._grad = Tensor._make(array)
                if copied:
                    variable._grad._ver = 1
        elif create_graph or grad_mode.state.grad_enabled:
            variable.grad = current + (grad if isinstance(grad, Tensor) else Tensor._make(array))
        else:
            current._data += array
            current._bump_version()  # an in-place add, as torch's
    hooks = variable._post_accumulate_hooks
    if hooks:
        for hook in list(hooks.values()):
            result = hook(variable)
            if result is not None:
                if not isinstance(result, Tensor):
                    raise TypeError("expected Variable, but hook returned "
                                    f"'{type(result).__name__}'")
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")
    if node._hooks is not None:
        _run_node_hooks(node, (), grad)


# References to an unshared gradient array at the getrefcount call in _accumulate: the
# engine's `grad` variable, this function's `grad` and `array`, and getrefcount's argument; plus
# one when the array is a pooled buffer (gradstep._alloc holds it, and reuses it once .grad lets
# go of it).
_STEAL_REFS = 4


# ----- hooks (the careful path only) -----
# A node's gradient meets, in torch's order: the hooks registered on its output tensor
# (``Tensor.register_hook``, each may replace the gradient), retain_grad's copy into ``.grad``,
# the node's pre-hooks (``register_prehook``, on all its output gradients); then the node runs and
# its hooks (``register_hook``) see, and may replace, what it returns. Whatever a hook returns is
# checked as torch checks it. Gradients are arrays, or Tensors under create_graph; hooks always
# see Tensors.

def _run_pre_hooks(node, grad, Tensor):
    grad = _run_tensor_hooks(node, grad, Tensor)
    if node._node_pre_hooks is not None:
        grad = _run_node_pre_hooks(node, grad, Tensor)
    return grad


def _run_tensor_hooks(node, grad, Tensor):
    if node._pre_hooks is None and node._retained is None:
        return grad
    as_tensor = grad if isinstance(grad, Tensor) else Tensor._make(grad)
    if node._pre_hooks is not None:
        for hook in list(node._pre_hooks.values()):
            result = hook(as_tensor)
            if result is not None:
                as_tensor = _hooked_value(hook, result, as_tensor, Tensor)
    if node._retained is not None:
        tensor = node._retained()
        if tensor is not None and tensor._grad_fn is node:  # else an in-place op moved it
            if tensor._grad is None:
                tensor._grad = (as_tensor if isinstance(grad, Tensor)  # under create_graph
                                else Tensor._make(as_tensor._data.copy()))
            else:
                tensor._grad = tensor._grad + as_tensor
    return as_tensor if isinstance(grad, Tensor) else as_tensor._data


def _run_node_pre_hooks(node, grad, Tensor):
    if node._node_pre_hooks is None or grad is None:
        return grad
    grads = node._grad_outputs(grad)
    for hook in list(node._node_pre_hooks.values()):
        result = hook(_as_tensors(grads, Tensor))
        if result is not None:
            grads = _hooked_values(hook, result, grads, Tensor)
    return node._from_grad_outputs(grads)


def _run_node_hooks(node, grads, grad):
    from .._tensor import Tensor
    grad_outputs = _as_tensors(node._grad_outputs(grad) if grad is not None else (None,), Tensor)
    for hook in list(node._hooks.values()):
        result = hook(_as_tensors(grads, Tensor), grad_outputs)
        if result is not None:
            grads = _hooked_values(hook, result, grads, Tensor)
    return grads


def _as_tensors(grads, Tensor):
    return tuple(g if g is None or isinstance(g, Tensor) else Tensor._make(g) for g in grads)


def _hook_name(hook):
    return getattr(hook, "__name__", "<unknown>")


def _hooked_value(hook, value, before, Tensor):
    """What a hook returned in place of the Tensor ``before``, if torch accepts it."""
    if not isinstance(value, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(value).__name__}'")
    if value._data.dtype != before._data.dtype or value._device != before._device:
        from .._tensor import type_name
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value (was "
                           f"{type_name(before)} got {type_name(value)})")
    if value._data.shape != before._data.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    return value


def _hooked_values(hook, result, grads, Tensor):
    """What a node hook returned in place of ``grads``, checked; arrays where they were arrays."""
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(grads):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
                           f"(got {len(result)}, but expected {len(grads)})")
    out = []
    for value, before in zip(result, grads):
        if value is None:
            out.append(None)
            continue
        if before is None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
        as_tensor = before if isinstance(before, Tensor) else Tensor._make(before)
        value = _hooked_value(hook, value, as_tensor, Tensor)
        out.append(value if isinstance(before, Tensor) else value._data)
    return tuple(out)


class _Anomaly:
    """Anomaly detection (state in graph._anomaly_state): the NaN check after every backward,
    and, when a node's backward fails, a warning that shows where the node was created."""

    def run(self, node, grad, create_graph):
        try:
            if node._packed is not None:
                grads = _run_unpacked(node, grad, create_graph)
            else:
                grads = _run_backward_of(node, grad, create_graph)
            if _anomaly_state.check_nan:
                for i, g in enumerate(grads if type(grads) is tuple else (grads,)):
                    if g is None:
                        continue
                    data = getattr(g, "_data", g)
                    if np.issubdtype(data.dtype, np.floating) and np.isnan(data).any():
                        raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                                           f"{i}th output.")
        except Exception:
            trace = node._anomaly_trace
            if trace:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                              f"caused the error:\n{trace}{ANOMALY_SUFFIX}", stacklevel=2)
            raise
        return grads


ANOMALY_SUFFIX = (" (Triggered internally at "
                  "/__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)")

_anomaly = _Anomaly()
