"""Graph nodes: what ``tensor.grad_fn`` is.

A node is made by each differentiable op during forward. It holds the edges to the nodes that
produced its inputs (``_next``, one per forward argument, ``None`` where no gradient flows), what the
op saved for backward, and the shape and dtype of its output, against which the engine checks every
gradient it delivers. A leaf tensor that requires grad is reached through its ``AccumulateGrad``
node, which adds the gradient into ``.grad``.

Internal ops subclass ``Op``: ``forward(ctx, *args)`` runs on arrays (NumPy or CuPy) and the
node itself is the ``ctx``; ``backward(ctx, grad)`` returns one gradient per forward argument
(trailing ``None`` may be left out), and reads what forward saved from ``ctx._arrays`` (the
engine has checked them, see ``Node.saved_tensors``). Backward formulas are written with operators
and NumPy functions, so the same formula runs on arrays, or on Tensors when ``create_graph=True``
(Tensors answer NumPy's dispatch protocols with gradstep's differentiable ops). The hottest
elementwise ops subclass the bases in ``_fast_ops.py``, which also record in one pass without
asking forward what it saved.

Also here, from ``torch.autograd.graph``: ``register_multi_grad_hook``, and the saved-tensor
hooks (``saved_tensors_hooks``, ``save_on_cpu``): while they are in effect every new node goes
through ``_note_creation`` (as in anomaly mode), which packs what it saved.
"""
import itertools
import warnings as _warnings
import weakref

from numpy import ndarray as _ndarray

from .. import _tensor  # partially initialised at import time; used at call time only
from .._ops._fp import BY_FILTER, QUIET, get_fp as _get_fp, reset_fp, set_fp, silenced
from .._ops._fp import trusted as _trusted
from . import grad_mode

_grad_state = grad_mode.state
_off_threads = grad_mode.off_threads

__all__ = ["Node", "Op", "AccumulateGrad", "register_multi_grad_hook", "saved_tensors_hooks",
           "save_on_cpu", "disable_saved_tensors_hooks"]

_FREED = "freed"
_weakref = weakref.ref
_new = object.__new__

# Counts in-place modifications anywhere. A node that saved values at epoch E, read back while
# the count is still E, needs no version checks: nothing can have been modified since.
_epoch = [0]

# Creation order of nodes: a node's inputs always come from nodes made before it, so the engine
# can run nodes in decreasing sequence number. Every node takes its number when it is made.
next_seq = itertools.count(1).__next__

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class _Output:
    """``OUTPUT``: the entry in a node's saved values that stands for the op's own output.

    An op that saves its output (exp, tanh, sigmoid...) keeps the array in ``_arrays`` and this
    marker in ``_saved``, not the output tensor: the output holds the node (``grad_fn``), so a
    reference back would be a cycle. An in-place change of that output is caught from the other
    side: it tells the output's producer (``note_overwritten``), which then raises torch's error
    at backward, even if the output tensor itself is gone by then.
    """

    __slots__ = ()

    def __repr__(self):
        return "OUTPUT"


OUTPUT = _Output()


class Overwritten:
    """What backward reports about a saved output changed in place: the tensor's current
    version while it lives (held weakly, for the cycle above), its type and shape."""

    __slots__ = ("_ref", "_version", "_stand_in", "_producer")

    def __init__(self, root, view=None):
        self._ref = _weakref(root)
        self._version = root._ver
        # torch describes the tensor the node saved: root, or the view an in-place op wrote
        # (then named as output of the view's own grad_fn)
        if view is None:
            self._stand_in = _tensor.Tensor._make(root._data)  # for the type name and shape
            self._stand_in._device = root._device
            self._producer = None
        else:
            self._stand_in, self._producer = view  # the view: held weakly

    def raise_for(self, node, expected, index=0):
        root = self._ref()
        now = self._version if root is None else root._ver
        # torch names the view's grad_fn while the view lives, else the node itself
        view = None if self._producer is None else self._producer()
        fn = node if view is None or view._grad_fn is None else view._grad_fn
        _raise_modified(self._stand_in, fn, now, expected, index)


def add_output_saver(root, node):
    """Note that ``node`` saved ``root``'s current value as its own output, though it is not
    ``root.grad_fn`` (or no longer will be)."""
    if node._saves_output():
        others = root._output_of or ()
        if node not in others:
            root._output_of = others + (node,)


def note_overwritten(root):
    """``root`` (a tensor that is its own base) was just changed in place: the node that produced
    its value, and every other node that saved one of its values as its own output
    (``root._output_of``: earlier producers, in-place ops on views, ``detach_``), learn that
    their saved output is stale, and at which version root now is."""
    producer = root._grad_fn
    if producer is not None:
        add_output_saver(root, producer)  # its record follows later changes too
    others = root._output_of
    if others is not None:
        for node in others:
            node._note_overwritten(root)


# Non-leaf tensors that called retain_grad(), held weakly. The copy into ``.grad`` happens where
# the engine runs the tensor's grad_fn (``Node._retained``). An in-place op gives the tensor a new
# grad_fn (so does one on a view of it), and torch's retain follows to it: ``follow_retains``
# moves each one before a backward runs, and the old node no longer copies.
_retaining = []


def retain(tensor):
    """``tensor.retain_grad()`` for a non-leaf tensor."""
    node = tensor._grad_fn
    ref = node._retained
    if ref is not None and ref() is tensor:
        return
    ref = weakref.ref(tensor)
    node._retained = ref
    node._slow = True  # the engine copies on the careful path
    _retaining.append(ref)


def retains(tensor):
    """Whether ``tensor`` called retain_grad() while it was a non-leaf (torch keeps saying so
    after a ``detach_()``)."""
    node = tensor._grad_fn
    if node is not None:
        ref = node._retained
        if ref is not None and ref() is tensor:
            return True
    follow_retains()
    return any(ref() is tensor for ref in _retaining)


def follow_retains():
    """Give each retained tensor's retain to its current grad_fn (see ``_retaining``)."""
    alive = []
    for ref in _retaining:
        tensor = ref()
        if tensor is None:
            continue
        node = tensor._grad_fn
        if node is not None and node._retained is not ref:
            node._retained = ref
            node._slow = True
        alive.append(ref)
    _retaining[:] = alive


class Node:
    """A recorded operation in the backward graph (``grad_fn``)."""

    # Class-level defaults keep node creation to the few attributes an op really sets.
    _next = ()
    _saved = ()
    _versions = ()
    _slow = True         # the engine runs hooks and checks returned gradients (see below)
    _hooks = None        # hooks on the node: fn(grad_inputs, grad_outputs) -> grad_inputs or None
    _pre_hooks = None    # hooks on the output tensor: fn(grad) -> grad or None
    _node_pre_hooks = None  # pre-hooks on the node: fn(grad_outputs) -> grad_outputs or None
    _retained = None     # weakref to a non-leaf tensor that called retain_grad()
    _anomaly_trace = None
    _buf = None          # the engine's pending gradient for this node, during a backward
    _epoch = -1          # the in-place epoch when values were saved (see _epoch below)
    _arrays = ()         # the saved values as arrays
    _overwritten = None  # an Overwritten: the output this node saved was changed in place
    _output_view = None  # (stand-in, weakref) of the view an in-place op wrote its output to
    _packed = None       # (unpack hook, what the pack hook made of each saved Tensor)
    graph_backward = None  # backward under create_graph, where it differs (see Op)
    _output_nr = 0       # which of torch's node's outputs this node's output is (output_nr)
    name_ = None
    _seq = 0

    # ``_slow``: gradstep's own ops (Op) return gradients of the right shape, so the engine only
    # casts their dtype where it differs (ops over mixed dtypes), until a hook is registered on the
    # node or its output; any other node (autograd.Function, user-built) always has its hooks run
    # and its gradients' shapes checked. A leaf's accumulator takes the careful path too: it runs
    # once per leaf, and the common case (an op node) then costs the engine a single test.

    def name(self):
        return self.name_ or type(self).__name__

    def __repr__(self):
        # torch prints the class name: <CopySlices ...> where name() is torch::autograd::CopySlices
        return f"<{self.name().rsplit('::', 1)[-1]} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        return tuple((n, n._output_nr) if n is not None else (None, 0) for n in self._next)

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self._metadata = {}
        return d

    def register_hook(self, fn):
        """Run ``fn(grad_inputs, grad_outputs)`` after this node computes its input gradients;
        it may return replacement ``grad_inputs`` (a tuple, one per input)."""
        from ..utils.hooks import RemovableHandle
        if self._hooks is None:
            self._hooks = {}
        self._slow = True
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn):
        """Run ``fn(grad_outputs)`` before this node runs; it may return replacement gradients
        (a tuple, one per output). It runs after the hooks on the output tensor."""
        from ..utils.hooks import RemovableHandle
        if self._node_pre_hooks is None:
            self._node_pre_hooks = {}
        self._slow = True
        handle = RemovableHandle(self._node_pre_hooks)
        self._node_pre_hooks[handle.id] = fn
        return handle

    def _grad_outputs(self, grad):
        """The gradient the engine hands this node, as hooks see it: one per output."""
        return (grad,)

    def _from_grad_outputs(self, grads):
        return grads[0]

    # ----- saved tensors -----
    def save_for_backward(self, *arrays):
        self._saved = arrays

    def _hold_saved(self, value):
        """After recording: keep ``value`` as a saved constant of a node that saved nothing,
        for what its op keeps in other attributes where torch saves a tensor (an index): as
        any saved value, a backward without retain_graph frees it, and a second one raises."""
        if not self._saved:
            self._saved = self._arrays = (value,)
            self._versions = (None,)
            self._epoch = _epoch[0]

    def _resolve_saved(self, args, arrays, data, out):
        """Replace saved arrays by the Tensors they came from (inputs) or a weak output marker,
        and note each input's version, against which backward checks for in-place changes."""
        entries = []
        versions = []
        n = len(args)
        for s in self._saved:
            if s is data:  # the op's own output (see OUTPUT)
                entries.append(OUTPUT)
                versions.append(0)
                continue
            # the input it came from: most ops have one or two arguments, so try those first
            if n > 0 and arrays[0] is s and args[0] is not s:
                a = args[0]
            elif n > 1 and arrays[1] is s and args[1] is not s:
                a = args[1]
            else:
                a = None
                for i in range(2, n):
                    if arrays[i] is s and args[i] is not s:
                        a = args[i]
                        break
                if a is None:  # a constant (a number, a mask, None): nothing to track
                    entries.append(s)
                    versions.append(None)
                    continue
            entries.append(a)
            base = a._base
            versions.append((a if base is None else base)._ver)
        self._saved = tuple(entries)
        self._versions = tuple(versions)

    @property
    def saved_tensors(self):
        """The saved values: arrays in a plain backward, Tensors under ``create_graph=True``.

        While no in-place op has run anywhere since they were saved (the in-place epoch is
        unchanged), the arrays need no checks. An Op's backward reads ``_arrays`` itself: the
        engine has made them ready (``_check_saved``, ``_saved_as_tensors``).
        """
        if self._epoch == _epoch[0]:
            return self._arrays
        return self._checked_saved(grad_mode.state.grad_enabled)

    def _check_saved(self):
        """Raise if the saved values were freed, or changed in place since they were saved.
        They then need no check until the next in-place op anywhere."""
        self._checked_saved(False)
        self._epoch = _epoch[0]

    def _saved_as_tensors(self):
        """Under create_graph: checked, and as Tensors in ``_arrays`` for the node's backward
        (which records on them); returns the arrays, for the engine to put back."""
        arrays = self._arrays
        self._arrays = tuple(self._checked_saved(True))
        return arrays

    def _checked_saved(self, as_tensors, check=True):
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(SECOND_BACKWARD)
        out = []
        for entry, version, data in zip(saved, self._versions, self._arrays):
            if version is None:
                out.append(entry)
                continue
            if entry is OUTPUT:
                if check and self._overwritten is not None:
                    # torch names this node as the output's producer, whatever the in-place
                    # change recorded since
                    self._overwritten.raise_for(self, version)
                out.append(_tensor.Tensor._make(data, True, self) if as_tensors else data)
            else:
                if check and _root(entry)._ver != version:
                    _raise_modified(entry, entry._grad_fn, _root(entry)._ver, version)
                out.append(entry if as_tensors else entry._data)
        return out

    # ----- saved-tensor hooks (see saved_tensors_hooks) -----
    def _pack_saved(self, pack, unpack):
        """Hand each saved Tensor (an input, or the output) to the pack hook; the node then
        runs on the careful path, which unpacks them for its backward."""
        saved = self._saved
        if not saved or saved is _FREED:
            return
        packed = []
        for i, (entry, version) in enumerate(zip(saved, self._versions)):
            if version is None:  # a constant
                continue
            tensor = _tensor.Tensor._make(self._arrays[i], True, self) if entry is OUTPUT \
                else entry
            packed.append((i, entry, pack(tensor)))
        if packed:
            self._packed = (unpack, tuple(packed))
            self._slow = True

    def _unpacked(self, as_tensors):
        """The saved values with the unpack hook's results in place of the packed ones (torch
        checks no versions for those). As Tensors, they take the place in the graph of what was
        saved, whatever the hook returned, as in torch."""
        unpack, packed = self._packed
        values = self._checked_saved(as_tensors, check=False)
        saved = self._saved
        for i, entry, value in packed:
            if saved[i] is not entry:  # an in-place op saved a copy of its input since
                continue
            data = unpacked_data(unpack, value)
            if as_tensors:
                data = at_place((True, self, None) if entry is OUTPUT else place_of(entry), data)
            values[i] = data
        return tuple(values)

    def __init_subclass__(cls, **kwargs):
        # The engine inlines Node._release for nodes off the careful path; a class that frees
        # more (work buffers) takes that path, which calls its own. (Such ops are big: the
        # path's checks cost nothing next to them.)
        super().__init_subclass__(**kwargs)
        if "_release" in cls.__dict__:
            cls._slow = True
        # The class answers to torch's node name too: type(x.grad_fn).__name__ is what tools
        # that draw the graph print (``MulBackward0``); __qualname__ keeps the Python name.
        name = getattr(cls, "name_", None)
        if isinstance(name, str):
            cls.__name__ = name.rsplit("::", 1)[-1]

    def _saves_output(self):
        """Whether this node holds its own output for backward (see OUTPUT)."""
        saved = self._saved  # by identity: `in` would compare saved arrays and tensors with ==
        return bool(saved) and saved is not _FREED and any(e is OUTPUT for e in saved)

    def _note_overwritten(self, root):
        """``root``, whose value this node saved as its output, was just changed in place: the
        node's backward must raise (see ``note_overwritten``)."""
        self._overwritten = Overwritten(root, self._output_view)

    def _release(self):
        """Free the saved values after a backward without retain_graph. The engine calls it on
        nodes that saved something (an Op subclass that keeps more state saves something too)
        and on every node on the careful path (``_slow``)."""
        if self._saved:
            self._saved = _FREED
            self._arrays = None
            self._epoch = -1
            self._packed = None


def _root(t):
    base = t._base
    return t if base is None else base


def _raise_modified(tensor, fn, now, expected, index=0):
    """torch's error for a saved ``tensor`` changed in place; it is output ``index`` of ``fn``
    (a node, or its name; None: a leaf)."""
    from .._tensor import type_name
    shape = list(tensor._data.shape)
    # torch names a tensor by its legacy type (torch.LongTensor) where it has one, which bool
    # has not here: CPUBoolType, its dispatch key and scalar type
    shown = type_name(tensor) if tensor._data.dtype.kind != "b" else \
        ("CUDA" if tensor.device.type == "cuda" else "CPU") + "BoolType"
    name = fn if fn is None or type(fn) is str else fn.name()
    # torch names the op: ExpBackward0 -> Exp, PowBackward1 -> Pow1, MyFnBackward -> MyFn
    where = "]" if fn is None else \
        f"], which is output {index} of {name.removesuffix('Backward0').replace('Backward', '')},"
    # under anomaly mode the engine has warned with the failing node's forward traceback
    hint = (_ANOMALY_HINT if _anomaly_state.anomaly else
            "Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{shown} {shape}{where} is at version {now}; expected version "
        f"{expected} instead. {hint}")


_ANOMALY_HINT = ("Hint: the backtrace further above shows the operation that failed to compute "
                 "its gradient. The variable in question was changed in there or anywhere later. "
                 "Good luck!")


class _NoGradCtx:
    """The ctx an op's forward gets when nothing will be recorded: saving is a no-op."""

    __slots__ = ()
    needs_input_grad = ()

    def save_for_backward(self, *arrays):
        pass

    def __setattr__(self, name, value):
        pass


NO_GRAD_CTX = _NoGradCtx()


class Op(Node):
    """Base of gradstep's differentiable primitives; see the module docstring.

    An op whose output is a view of its first argument's storage (``view``, ``transpose``,
    basic slicing) sets ``is_view = True``; the output then shares that tensor's version counter.
    Forward runs with NumPy's floating-point warnings off (``quiet``), as torch computes inf and
    nan silently; an op that cannot produce them sets ``quiet = False`` and skips that cost, and an
    op whose forward calls ufuncs from its own lines only sets ``quiet = BY_FILTER``: it is silent
    through gradstep's warnings filter whenever that filter is in effect (see ``_ops/_fp.py``).

    Under ``create_graph=True`` the engine runs ``graph_backward(ctx, grad)`` instead of
    ``backward`` where an op defines it: the same gradient, recorded as torch records it, where
    the array formula is simplified past what torch's graph keeps (``x ** 2`` differentiated as
    ``2 x``, not ``2 x ** 1``; a mask read off the input, on which torch's gradient still depends
    with derivative 0: see ``_ops/higher_order.py``). It costs the plain backward nothing.
    """

    is_view = False
    quiet = True
    _slow = False

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    # apply, apply1 and apply2 repeat lines (the grad-mode test, the quiet check and call, and in
    # apply1/apply2 the node's finishing, which _record does for the rest) rather than share
    # helpers: per-op overhead is a benchmarked number, and a Python call costs ~60 ns, about as
    # much as the whole quiet check it would wrap.
    @classmethod
    def apply(cls, *args):
        """Run forward on the arrays of ``args`` and record a node when a gradient is needed."""
        n = len(args)
        if n == 1:
            return cls.apply1(args[0])
        Tensor = _tensor.Tensor
        if n == 2 and isinstance(args[0], Tensor):
            return cls.apply2(args[0], args[1])
        arrays = []
        needs = []
        requires_grad = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                needs.append(a._requires_grad)
                requires_grad = requires_grad or a._requires_grad
            else:
                arrays.append(a)
                needs.append(False)
        if requires_grad and (not _off_threads[0] or _grad_state.enabled):
            ctx = cls()
            ctx.needs_input_grad = tuple(needs)
        else:
            ctx = NO_GRAD_CTX
        quiet = cls.quiet
        if quiet and not (quiet is BY_FILTER and silenced()):
            token = set_fp(QUIET)
            try:
                data = cls.forward(ctx, *arrays)
            finally:
                reset_fp(token)
        else:
            data = cls.forward(ctx, *arrays)
        if ctx is NO_GRAD_CTX:
            return _no_grad_output(cls, data, args[0])
        ctx._next = tuple([a._edge() if r else None for a, r in zip(args, needs)])
        return _record(ctx, data, args, arrays)

    # The one- and two-tensor cases are most ops: they skip the general loop above, and finish
    # the node themselves for the usual saved values (an input, or the output of a unary op).
    @classmethod
    def apply1(cls, a):
        """``apply`` for an op of one Tensor argument."""
        x = a._data
        if a._requires_grad and (not _off_threads[0] or _grad_state.enabled):
            ctx = cls()
            ctx.needs_input_grad = _ONE
        else:
            ctx = NO_GRAD_CTX
        quiet = cls.quiet
        if quiet and not (quiet is BY_FILTER and _get_fp() is _trusted[0]
                          and (filters := _warnings.filters) and filters[0] is _trusted[1]
                          or silenced()):
            token = set_fp(QUIET)
            try:
                data = cls.forward(ctx, x)
            finally:
                reset_fp(token)
        else:
            data = cls.forward(ctx, x)
        if ctx is NO_GRAD_CTX:
            return _no_grad_output(cls, data, a)
        ctx._next = (a._grad_fn or a._acc or a._edge(),)
        if cls.is_view or type(data) is not _ndarray:
            return _record(ctx, data, (a,), (x,))
        ctx._seq = next_seq()  # after _next: a leaf's accumulator made there must come first
        out = _new(_tensor.Tensor)  # Tensor._make, inlined: the hottest path there is
        out._data = data
        out._requires_grad = True
        out._grad_fn = ctx
        ctx._shape = data.shape
        ctx._dtype = data.dtype
        saved = ctx._saved
        if saved:
            ctx._epoch = _epoch[0]
            ctx._arrays = saved
            if len(saved) != 1:
                ctx._resolve_saved((a,), (x,), data, out)
            elif saved[0] is data:  # the output (see OUTPUT)
                ctx._saved = _SAVED_OUTPUT
                ctx._versions = _VERSION_ZERO
            elif saved[0] is x:
                ctx._saved = (a,)
                base = a._base
                ctx._versions = ((a if base is None else base)._ver,)
            else:
                ctx._resolve_saved((a,), (x,), data, out)
        if _anomaly_state.enabled:
            _note_creation(ctx)
        return out

    @classmethod
    def apply2(cls, a, b):
        """``apply`` for an op of a Tensor and a Tensor or a plain value."""
        x = a._data
        if isinstance(b, _tensor.Tensor):
            ra, rb = a._requires_grad, b._requires_grad
            y = b._data
        else:
            ra, rb = a._requires_grad, False
            y = b
        if (ra or rb) and (not _off_threads[0] or _grad_state.enabled):
            ctx = cls()
            ctx.needs_input_grad = (ra, rb)
        else:
            ctx = NO_GRAD_CTX
        quiet = cls.quiet
        if quiet and not (quiet is BY_FILTER and _get_fp() is _trusted[0]
                          and (filters := _warnings.filters) and filters[0] is _trusted[1]
                          or silenced()):
            token = set_fp(QUIET)
            try:
                data = cls.forward(ctx, x, y)
            finally:
                reset_fp(token)
        else:
            data = cls.forward(ctx, x, y)
        if ctx is NO_GRAD_CTX:
            return _no_grad_output(cls, data, a)
        ctx._next = ((a._grad_fn or a._acc or a._edge()) if ra else None,
                     (b._grad_fn or b._acc or b._edge()) if rb else None)
        if cls.is_view or type(data) is not _ndarray:
            return _record(ctx, data, (a, b), (x, y))
        ctx._seq = next_seq()
        out = _new(_tensor.Tensor)
        out._data = data
        out._requires_grad = True
        out._grad_fn = ctx
        ctx._shape = data.shape
        ctx._dtype = data.dtype
        saved = ctx._saved
        if saved:
            ctx._epoch = _epoch[0]
            ctx._arrays = saved
            if len(saved) == 2 and data is not saved[0] and data is not saved[1]:
                # inputs and constants: y is b's array when b is a Tensor, b itself otherwise
                s, t = saved
                versions = [None, None]
                if s is not None and (s is x or s is y and y is not b):
                    s = a if s is x else b
                    base = s._base
                    versions[0] = (s if base is None else base)._ver
                if t is not None and (t is y and y is not b or t is x):
                    t = b if t is y else a
                    base = t._base
                    versions[1] = (t if base is None else base)._ver
                ctx._saved = (s, t)
                ctx._versions = versions
            else:
                ctx._resolve_saved((a, b), (x, y), data, out)
        if _anomaly_state.enabled:
            _note_creation(ctx)
        return out


def _record(ctx, data, args, arrays):
    """Wrap an op's output in a Tensor whose grad_fn is ``ctx``, and finish the node."""
    ctx._seq = next_seq()  # after _next: a leaf's accumulator made there must come first
    out = object.__new__(_tensor.Tensor)  # Tensor._make, inlined: the hottest path there is
    if type(data) is not _ndarray:
        raw = data
        data = _tensor.as_tensor_data(data, out)
        if raw is not data and ctx._saved:
            # NumPy returns a scalar from an op on 0-d arrays: where forward saved its output,
            # the output is now the array wrapping that scalar (else it would be a constant)
            ctx._saved = tuple([data if s is raw else s for s in ctx._saved])
    out._data = data
    out._requires_grad = True
    out._grad_fn = ctx
    if ctx.is_view:
        a = args[0]
        out._base = a if a._base is None else a._base
    ctx._shape = data.shape
    ctx._dtype = data.dtype
    saved = ctx._saved
    if saved:
        ctx._epoch = _epoch[0]
        ctx._arrays = saved
        if len(saved) == 1 and saved[0] is data:  # unary ops that keep their output
            ctx._saved = _SAVED_OUTPUT
            ctx._versions = _VERSION_ZERO
        else:
            ctx._resolve_saved(args, arrays, data, out)
    if _anomaly_state.enabled:
        _note_creation(ctx)
    return out


def _note_creation(ctx):
    """A new node, while anomaly mode or saved-tensor hooks are on (``_anomaly_state.enabled``).

    Anomaly mode: keep the forward traceback (the user's frames), to show where the op whose
    backward fails was called. Saved-tensor hooks: pack what the node saved."""
    if _anomaly_state.anomaly:
        from .anomaly_mode import _forward_trace
        ctx._anomaly_trace = _forward_trace()
    if _saved_hooks:
        ctx._pack_saved(*_saved_hooks[-1])


def _no_grad_output(cls, data, first):
    out = _tensor.Tensor._make(data)
    if cls.is_view:
        out._base = first if first._base is None else first._base
    return out


_VERSION_ZERO = (0,)
_SAVED_OUTPUT = (OUTPUT,)
_ONE = (True,)


class _AnomalyState:
    """``enabled``: whether new nodes go through ``_note_creation`` (anomaly mode, or saved-tensor
    hooks in effect), read on every op. ``anomaly``: anomaly mode itself; ``check_nan``."""

    enabled = False
    anomaly = False
    check_nan = True

    def update(self):
        self.enabled = self.anomaly or bool(_saved_hooks)


# Shared with the engine, anomaly_mode and the fast ops.
_anomaly_state = _AnomalyState()
_anomaly_state.enabled = False  # on the instance: read on every op, faster than a class default


class AccumulateGrad(Node):
    """Adds the incoming gradient into a leaf tensor's ``.grad``.

    The leaf keeps its accumulator (so leaf hooks live as long as the tensor); the accumulator
    refers back weakly, so the pair is no reference cycle.
    """

    _slow = True  # see Node._slow

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self._seq = next_seq()
        self._shape = variable._data.shape
        self._dtype = variable._data.dtype

    @property
    def variable(self):
        return self._variable()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


# ----- hooks over several tensors -----

class _MultiHandle:
    """Removes the hooks ``register_multi_grad_hook`` put on each tensor."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for handle in self.handles:
            handle.remove()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call ``fn`` once per backward with the gradients of several tensors.

    ``mode="all"``: ``fn(grads)`` after every one of ``tensors`` that this backward reaches has
    its gradient (one entry per tensor, None for those it does not reach). ``mode="any"``:
    ``fn(grad)`` with the first gradient computed among them.

    Example::

        >>> import gradstep as torch
        >>> x, y = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
        >>> seen = []
        >>> _ = torch.autograd.graph.register_multi_grad_hook((x, y), lambda gs: seen.append(
        ...     [None if g is None else g.tolist() for g in gs]))
        >>> (x * 2).sum().backward()
        >>> seen
        [[[2.0, 2.0], None]]
    """
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    for t in tensors:
        if not t._requires_grad:
            raise AssertionError("Expected gradient function to be set")
    from . import engine
    seen = [None, None]  # the backward (engine task) last heard of; its state

    def current():
        task = engine._tasks[-1]
        if seen[0] is not task:
            if mode == "any":
                state = [False]
            else:  # the gradients so far, and how many more this backward will bring
                state = [[None] * len(tensors),
                         sum(task.will_run(t._edge()) for t in tensors)]
            seen[0], seen[1] = task, state
        return seen[1]

    def hook_for(i):
        def hook(grad):
            state = current()
            if mode == "any":
                if not state[0]:
                    state[0] = True
                    fn(grad)
                return None
            grads, waiting = state
            grads[i] = grad
            state[1] = waiting - 1
            if state[1] == 0:
                fn(grads)
            return None
        return hook

    return _MultiHandle([t.register_hook(hook_for(i)) for i, t in enumerate(tensors)])


# ----- saved-tensor hooks -----

def unpacked_data(unpack, value):
    """The array of what the unpack hook returns for ``value``, which must be a Tensor."""
    tensor = unpack(value)
    if not isinstance(tensor, _tensor.Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                        f"result of type {type(tensor).__name__}")
    return tensor._data


def place_of(tensor):
    """Where ``tensor`` stands in the graph: (requires_grad, grad_fn, a leaf's accumulator)."""
    if not tensor._requires_grad:
        return (False, None, None)
    fn = tensor._grad_fn
    return (True, fn, tensor._edge() if fn is None else None)


def named_as(out, name):
    """Give ``out``'s node the name torch's graph shows there, where gradstep fuses into one op
    what torch composes of several (``cross_entropy`` with label smoothing ends in an add):
    ``grad_fn`` prints as torch's. Returns ``out``."""
    node = out._grad_fn
    if node is not None:
        node._op_name = node.name()  # its backward's own node is still named after the op
        node.name_ = name
    return out


def at_place(place, data):
    """A Tensor over ``data`` standing at ``place`` (see ``place_of``): its gradient goes where
    the gradient of the tensor there would go."""
    requires_grad, fn, acc = place
    t = _tensor.Tensor._make(data, requires_grad, fn)
    if acc is not None:
        t._acc = acc
    return t


# (pack, unpack) pairs in effect on this process, innermost last: ops made while one is in
# effect pack what they save (see _note_creation, Node._pack_saved).
_saved_hooks = []
_hooks_disabled = []  # messages of the disable_saved_tensors_hooks blocks in effect


class saved_tensors_hooks:
    """Context manager: every Tensor an op saves for backward inside it goes through
    ``pack_hook(tensor)``; backward computes with ``unpack_hook(packed)`` instead, which must
    return a Tensor. Only the innermost hooks apply.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([1., 2.], requires_grad=True)
        >>> with torch.autograd.graph.saved_tensors_hooks(lambda t: t * 10, lambda t: t):
        ...     y = x * x
        >>> y.sum().backward()
        >>> x.grad
        tensor([20., 40.])
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _hooks_disabled:
            raise RuntimeError(_hooks_disabled[-1])
        _saved_hooks.append((self.pack_hook, self.unpack_hook))
        _anomaly_state.update()

    def __exit__(self, *args):
        _saved_hooks.pop()
        _anomaly_state.update()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept on the CPU and moved back to their device for backward."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(tensor):
            return tensor.device, tensor.cpu()

        def unpack(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Context manager in which entering ``saved_tensors_hooks`` raises ``RuntimeError`` with
    ``error_message``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        _hooks_disabled.append(self.error_message)

    def __exit__(self, *args):
        _hooks_disabled.pop()
        return False
