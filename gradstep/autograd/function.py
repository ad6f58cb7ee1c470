r"""User-defined differentiable operations: ``autograd.Function``.

A subclass gives ``forward`` and ``backward`` as static methods working on Tensors; ``apply`` runs
forward without recording and makes one graph node, the ``ctx``, that is also the outputs'
``grad_fn`` (its class is ``<Name>Backward``, as in torch). In backward the engine hands the node
its output gradient; the node wraps it as a Tensor, calls the user's ``backward`` (under
``create_graph=True`` with grad mode on, so the user's backward is itself differentiable), checks
the number of gradients and undoes broadcasting of each.

Multiple outputs. gradstep's engine runs nodes with one output each. When a Function has one
differentiable output (the common case, whatever else it returns) the ctx is its ``grad_fn``
directly. With several differentiable outputs each gets a small ``_OutputNode`` whose only edge is
to the ctx; it forwards its gradient to the ctx packed as ``{output index: grad}``, the engine sums
the packs arriving at the ctx (``_GradPack.__add__`` merges them) and, since the engine's order puts
the ctx after every output node that reaches it, the user's ``backward`` runs exactly once with all
output gradients, ``None`` (or zeros, see ``set_materialize_grads``) for outputs that got none.
This is torch's behaviour; the cost is that ``y1.grad_fn is y2.grad_fn`` is False here (each output
node forwards attribute reads, ``saved_tensors``, ``needs_input_grad``... to the shared ctx).

Example::

    >>> import gradstep as torch
    >>> class Square(torch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         x, = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> x = torch.tensor([1., 3.], requires_grad=True)
    >>> Square.apply(x).sum().backward()
    >>> x.grad.tolist()
    [2.0, 6.0]
"""
import functools
import inspect
import warnings
import weakref

import numpy as np

from . import grad_mode
from .graph import (SECOND_BACKWARD, Node, Overwritten, _anomaly_state, _raise_modified,
                    _saved_hooks, at_place, next_seq, place_of, unpacked_data)

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable",
           "InplaceFunction", "NestedIOFunction"]

_PACK_DTYPE = np.dtype(object)


class FunctionCtx:
    """What ``forward``/``setup_context`` may call on ``ctx`` to prepare ``backward``."""

    def save_for_backward(self, *tensors):
        """Save Tensors (or ``None``) for ``backward``; read them back with ``ctx.saved_tensors``.

        Saved tensors are checked against in-place changes when read, and freed after backward
        unless ``retain_graph=True``.
        """
        from .._tensor import Tensor
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                                f"of type {type(t).__name__}")
        self._to_save = tensors

    def mark_dirty(self, *args):
        """Mark input Tensors that ``forward`` modified in place (they must also be returned)."""
        self._dirty = args

    def mark_non_differentiable(self, *args):
        """Mark outputs that get no gradient (``requires_grad=False``; zeros in ``backward``)."""
        self._non_differentiable = args

    def set_materialize_grads(self, value):
        """Whether ``None`` output gradients reach ``backward`` as zeros (default True)."""
        self.materialize_grads = bool(value)

    def mark_shared_storage(self, *pairs):
        warnings.warn("mark_shared_storage is deprecated. Tensors with shared storages are "
                      "automatically tracked. Note that calls to `set_()` are not tracked",
                      DeprecationWarning, stacklevel=2)

    def save_for_forward(self, *tensors):
        self._saved_for_forward = tensors


class _GradPack:
    """Gradients of some outputs of a multi-output Function, on their way to its ctx."""

    __slots__ = ("grads",)
    shape = None
    dtype = _PACK_DTYPE

    def __init__(self, grads):
        self.grads = grads

    def __add__(self, other):
        merged = dict(self.grads)
        for i, g in other.grads.items():
            merged[i] = g if i not in merged else merged[i] + g
        return _GradPack(merged)


class BackwardCFunction(FunctionCtx, Node):
    """The graph node of one ``Function.apply`` call, and the ``ctx`` its methods receive."""

    _forward_cls = None
    _to_save = ()
    _saved_entries = ()
    _dirty = ()
    _non_differentiable = ()
    _outputs = ()        # per forward output: (shape, dtype, device) of a Tensor, else None
    _out_index = 0       # which output a plain (unpacked) gradient belongs to
    materialize_grads = True
    needs_input_grad = ()

    def name(self):
        return self.name_

    def __repr__(self):
        return f"<torch.autograd.function.{self.name_} object at {hex(id(self))}>"

    @property
    def _output_nr(self):
        return self._out_index

    # ----- saved tensors -----
    def _save(self, outputs):
        """Record what ``save_for_backward`` got, with version counters to check at unpacking
        (or what the pack hook made of it, see graph.saved_tensors_hooks)."""
        entries = []
        hooks = _saved_hooks[-1] if _saved_hooks else None
        for t in self._to_save:
            if t is None:
                entries.append(None)
                continue
            if hooks is not None:
                pack, unpack = hooks
                entries.append((_Packed(t, pack(t), unpack), None))
                continue
            version = _root(t)._ver
            index = next((i for i, o in enumerate(outputs) if o is t), None)
            if index is not None and t._grad_fn is not None and _owner(t._grad_fn) is self:
                # The node's own output: no strong reference (it would be a cycle through grad_fn).
                entries.append((_SavedOutput(t, index), version))
            else:
                entries.append((t, version))
        self._saved_entries = tuple(entries)
        self._to_save = ()

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, after checking no in-place change."""
        entries = self._saved_entries
        if entries is _FREED:
            raise RuntimeError(SECOND_BACKWARD)
        out = []
        for entry in entries:
            if entry is None:
                out.append(None)
                continue
            t, version = entry
            if type(t) is _Packed:  # no version to check, as in torch
                out.append(t.unpacked())
                continue
            if type(t) is _SavedOutput:  # this node's own output
                producer, index = self, t.index
                if t.overwritten is not None:  # caught even when the output itself is gone
                    t.overwritten.raise_for(self, version, index)
                t = t.tensor(self)
            else:
                producer, index = t._grad_fn, 0
            now = _root(t)._ver
            if now != version:
                _raise_modified(t, producer, now, version, index)
            out.append(t)
        return tuple(out)

    saved_variables = saved_tensors

    def _release(self):
        if self._saved_entries:
            self._saved_entries = _FREED

    # in-place changes of saved outputs (see graph.note_overwritten)
    def _saves_output(self):
        return bool(self._saved_outputs(self._out_index))

    def _note_overwritten(self, root):
        self._note_output_overwritten(self._out_index, root)

    def _saved_outputs(self, index):
        entries = self._saved_entries
        if not entries or entries is _FREED:
            return []
        return [e[0] for e in entries
                if e is not None and type(e[0]) is _SavedOutput and e[0].index == index]

    def _note_output_overwritten(self, index, root):
        """Output ``index`` was changed in place: a saved copy of it must raise at unpacking."""
        for saved in self._saved_outputs(index):
            saved.overwritten = Overwritten(root)

    # ----- hooks see one gradient per forward output -----
    def _grad_outputs(self, grad):
        if type(grad) is _GradPack:
            return tuple(grad.grads.get(i) for i in range(len(self._outputs)))
        grads = [None] * len(self._outputs)
        grads[self._out_index] = grad
        return tuple(grads)

    def _from_grad_outputs(self, grads):
        if self._shape is not None:  # one differentiable output (see the module docstring)
            return grads[self._out_index]
        packed = {i: g for i, g in enumerate(grads) if g is not None}
        return _GradPack(packed) if packed else None

    # ----- backward -----
    @staticmethod
    def backward(node, grad):
        """The engine's entry point: one gradient (or a pack of them) in, input gradients out."""
        from .._tensor import Tensor
        if type(grad) is _GradPack:
            grads = [grad.grads.get(i) for i in range(len(node._outputs))]
        else:
            grads = [None] * len(node._outputs)
            grads[node._out_index] = grad
        materialize = node.materialize_grads
        for i, g in enumerate(grads):
            if g is None:
                meta = node._outputs[i]
                if materialize and meta is not None:
                    shape, dtype, device = meta
                    from .._backend import array_module
                    grads[i] = Tensor._make(array_module(device).zeros(shape, dtype))
            elif not isinstance(g, Tensor):
                grads[i] = Tensor._make(g)
        cls = node._forward_cls
        result = cls.backward(node, *grads)
        if type(result) is not tuple:
            result = (result,)
        tensor_args = node._tensor_args
        expected = len(tensor_args)
        if len(result) != expected:
            if len(result) < expected or any(r is not None for r in result[expected:]):
                raise RuntimeError(f"function {node.name_} returned an incorrect number of "
                                   f"gradients (expected {expected}, got {len(result)})")
            result = result[:expected]
        create_graph = grad_mode.state.grad_enabled
        out = []
        edges = iter(node._next)  # one per Tensor argument, as in torch
        for i, (g, is_tensor) in enumerate(zip(result, tensor_args)):
            edge = next(edges) if is_tensor else None
            if g is None:
                if is_tensor:
                    out.append(None)
                continue
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            if not is_tensor:
                raise RuntimeError(f"function {node.name_} returned a gradient different than "
                                   f"None at position {i + 1}, but the corresponding forward "
                                   "input was not a Variable")
            if edge is None:
                out.append(None)
                continue
            if g._data.shape != edge._shape:
                g = _sum_to_input(g, edge._shape, node, i)
            out.append(g if create_graph else g._data)
        return tuple(out)


_FREED = "freed"


def _root(t):
    base = t._base
    return t if base is None else base


def _owner(grad_fn):
    """The ctx behind a grad_fn (an output node's ctx, or the node itself)."""
    return grad_fn._ctx if type(grad_fn) is _OutputNode else grad_fn


def _sum_to_input(g, shape, node, index):
    """torch sums a gradient down to its input's shape when the input's shape expands to it."""
    gshape = g._data.shape
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:])):
        raise RuntimeError(f"Function {node.name_} returned an invalid gradient at index {index} - "
                           f"got {list(gshape)} but expected shape compatible with {list(shape)}")
    if lead:
        g = g.sum(dim=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1)
    return g.sum(dim=axes, keepdim=True) if axes else g


class _Packed:
    """A saved tensor as the pack hook of saved_tensors_hooks returned it, and a stand-in for
    the saved tensor's place in the graph (unpacked values take it, as in torch)."""

    __slots__ = ("place", "value", "unpack")

    def __init__(self, tensor, value, unpack):
        self.place = place_of(tensor)
        self.value = value
        self.unpack = unpack

    def unpacked(self):
        return at_place(self.place, unpacked_data(self.unpack, self.value))


class _SavedOutput:
    """A Function's own output saved for backward, held weakly (the output holds the node)."""

    __slots__ = ("ref", "data", "index", "base", "overwritten")

    def __init__(self, t, index):
        self.ref = weakref.ref(t)
        self.data = t._data
        self.index = index
        self.base = t._base
        self.overwritten = None  # an Overwritten, once the output is changed in place

    def tensor(self, ctx):
        """The output itself while it lives, else a new tensor with the same value and node."""
        from .._tensor import Tensor
        t = self.ref()
        if t is not None:
            return t
        if ctx._shape is not None:
            fn = ctx
        else:
            fn = _OutputNode(ctx, self.index, self.data.shape, self.data.dtype)
        t = Tensor._make(self.data, True, fn)
        t._base = self.base
        return t


class _OutputNode(Node):
    """One differentiable output of a multi-output Function: packs its gradient for the ctx."""

    def __init__(self, ctx, index, shape, dtype):
        self._ctx = ctx
        self._index = index
        self._next = (ctx,)
        self._seq = next_seq()
        self._shape = shape
        self._dtype = dtype

    @staticmethod
    def backward(node, grad):
        return (_GradPack({node._index: grad}),)

    @property
    def _output_nr(self):
        return self._index

    def name(self):
        return self._ctx.name_

    def __repr__(self):
        return f"<torch.autograd.function.{self._ctx.name_} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        return self._ctx.next_functions

    # the node's own hooks and metadata are the ctx's: torch has one node for all outputs
    def register_hook(self, fn):
        return self._ctx.register_hook(fn)

    def register_prehook(self, fn):
        return self._ctx.register_prehook(fn)

    @property
    def metadata(self):
        return self._ctx.metadata

    @property
    def saved_tensors(self):
        return self._ctx.saved_tensors

    def _saves_output(self):
        return bool(self._ctx._saved_outputs(self._index))

    def _note_overwritten(self, root):
        self._ctx._note_output_overwritten(self._index, root)

    def __getattr__(self, name):
        # needs_input_grad and the user's own ctx attributes live on the ctx.
        ctx = self.__dict__.get("_ctx")
        if ctx is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(ctx, name)


def _is_overridden(cls, name):
    return getattr(cls, name) is not getattr(Function, name)


class Function:
    r"""Base class for custom differentiable operations.

    Subclass it with static methods ``forward(ctx, *args)`` (it runs with gradient recording
    off, on the Tensors and other values given to ``apply``) and ``backward(ctx, *grad_outputs)``
    (one gradient per ``forward`` output in, one per ``forward`` argument out, ``None`` where there
    is none). Or define ``forward(*args)`` without ``ctx`` plus
    ``setup_context(ctx, inputs, output)``. Call it as ``MyFunction.apply(*args)``.
    """

    _backward_cls = None
    generate_vmap_rule = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__name__ + "Backward"
        cls._backward_cls = type(name, (BackwardCFunction,),
                                 {"_forward_cls": cls, "name_": name, "__module__": cls.__module__,
                                  "__qualname__": name})

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future version "
                      "of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        """Compute the outputs (override)."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Save what backward needs, for a ``forward`` written without ``ctx`` (override)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Compute the gradients of the inputs from those of the outputs (override)."""
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def vjp(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on ``args`` and record one node for the outputs that need gradients."""
        from .._tensor import Tensor
        if cls._backward_cls is None:
            raise RuntimeError("Function.apply must be called on a subclass of Function")
        if kwargs:
            args = _bind(cls, args, kwargs)
        ctx = cls._backward_cls()
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = needs
        record = grad_mode.state.grad_enabled and any(needs)
        if record:
            if _anomaly_state.anomaly:
                from .anomaly_mode import _forward_trace
                ctx._anomaly_trace = _forward_trace()
            # Edges first: a dirty input gets this node as its grad_fn below. One per Tensor
            # argument (None where it needs no gradient): other arguments have none in torch.
            ctx._tensor_args = tuple(isinstance(a, Tensor) for a in args)
            ctx._next = tuple(a._edge() if n else None
                              for a, n, t in zip(args, needs, ctx._tensor_args) if t)
            ctx._seq = next_seq()  # after the edges: the engine runs nodes by decreasing seq
        setup = _is_overridden(cls, "setup_context")
        with grad_mode.no_grad():
            if setup:
                output = cls.forward(*args)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args)
        return _wrap_outputs(ctx, args, output, record)


def _bind(cls, args, kwargs):
    """Keyword arguments of ``apply`` as positional ones, in ``forward``'s order."""
    sig = inspect.signature(cls.forward)
    params = list(sig.parameters.values())
    if not _is_overridden(cls, "setup_context"):
        params = params[1:]
    bound = inspect.Signature(params).bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.args)


def _wrap_outputs(ctx, args, output, record):
    """Give the forward outputs their ``grad_fn`` (or alias returned inputs) and save tensors."""
    from .._tensor import Tensor
    is_tuple = isinstance(output, tuple)
    outs = list(output) if is_tuple else [output]
    dirty = ctx._dirty
    non_diff = ctx._non_differentiable
    metas = []
    diff = []
    dirty_views = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            metas.append(None)
            continue
        metas.append((o._data.shape, o._data.dtype, o._device))
        is_dirty = any(o is d for d in dirty)
        differentiable = o._data.dtype.kind == "f" and not any(o is n for n in non_diff)
        if is_dirty:
            if record and o._requires_grad and o._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            o._bump_version()
            if record and differentiable and o._base is not None:
                dirty_views.append(i)
        elif any(o is a for a in args):
            # An input returned unchanged: the output is a new tensor aliasing it, as in torch.
            o = outs[i] = o._view_of(o._data)
        if record and differentiable:
            diff.append(i)
        elif record and is_dirty:
            o._grad_fn = None
            o._requires_grad = False
    if record:
        ctx._outputs = tuple(metas)
        if len(diff) == 1:
            i = diff[0]
            o = outs[i]
            ctx._out_index = i
            ctx._shape = o._data.shape
            ctx._dtype = o._data.dtype
            o._grad_fn = ctx
            o._requires_grad = True
        else:
            ctx._shape = None
            ctx._dtype = _PACK_DTYPE
            for i in diff:
                o = outs[i]
                o._grad_fn = _OutputNode(ctx, i, o._data.shape, o._data.dtype)
                o._requires_grad = True
        if ctx._to_save:
            ctx._save(outs)
        for i in dirty_views:
            # an input view changed in place: its base's history changes too, as for an in-place
            # op on a view (CopySlices for the base, a view of it for the output)
            from .._ops._view_inplace import rebase_view
            o = outs[i]
            rebase_view(o, Tensor._make(o._data, True, o._grad_fn))
    elif ctx._to_save:
        ctx._to_save = ()
    return tuple(outs) if is_tuple else outs[0]


class InplaceFunction(Function):
    """A Function with an ``inplace`` flag (kept for torch compatibility)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """Legacy torch class, kept so that references to it resolve."""


def once_differentiable(fn):
    """Decorate a ``backward`` that is not itself differentiable.

    It runs with gradient recording off; under ``create_graph=True`` its results get a node that
    raises if anyone differentiates through them.
    """
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .._tensor import Tensor
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.state.grad_enabled:
            return outputs
        requires_grad = any(isinstance(a, Tensor) and a._requires_grad for a in args)
        if not requires_grad:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        edges = tuple(a._edge() for a in args if isinstance(a, Tensor) and a._requires_grad)
        wrapped = []
        for o in outs:
            if isinstance(o, Tensor) and o._data.dtype.kind == "f":
                node = Error(edges, o._data.shape, o._data.dtype)
                o = Tensor._make(o._data, True, node)
            wrapped.append(o)
        return wrapped[0] if single else tuple(wrapped)
    return wrapper


class Error(Node):
    """Raises when a gradient reaches it: what ``once_differentiable`` puts after its backward."""

    name_ = "torch::autograd::Error"
    _msg = "trying to differentiate twice a function that was marked with @once_differentiable"

    def __init__(self, edges, shape, dtype):
        self._next = edges
        self._seq = next_seq()
        self._shape = shape
        self._dtype = dtype

    def __repr__(self):
        return f"<Error object at {hex(id(self))}>"

    @staticmethod
    def backward(node, grad):
        raise RuntimeError(node._msg)
