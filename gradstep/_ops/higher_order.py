"""What backward formulas record under ``create_graph=True`` beyond their array formula.

Many derivatives are piecewise constant in the op's input: relu's mask, leaky_relu's slope,
max pooling's selection, nll_loss's one-hot. Computed on Tensors, ``grad * mask`` depends on the
incoming gradient only, so the graph forgets the input. torch's backward of such an op is an op
of its own (``threshold_backward(grad, self)``, ``max_pool2d_with_indices_backward(grad, self,
...)``) whose output depends on the input too, with derivative 0: the gradient requires grad
wherever the input does, and differentiating it again hands the input a gradient of zeros (not
nothing), which flows on through the input's own backward.

``link(gradient, *inputs)`` records exactly that dependence: a node whose value is the gradient,
whose edges lead to the gradient's own graph and to each input, and whose backward passes its
incoming gradient through to the first and zeros to the others. ``linked_backward`` is the
``graph_backward`` (see ``autograd.graph.Op``) of an op whose array backward is such a formula in
what it saved: the formula, then ``link`` to the saved Tensors that require grad.
"""
import numpy as np

from .. import _tensor
from ..autograd.graph import AccumulateGrad, Op, at_place

__all__ = ["link", "linked_backward", "input_at", "ZeroLink", "NotDifferentiableLink"]


class ZeroLink(Op):
    """z = v, recorded as a function of v, s1, s2...;  dz/dv = 1,  dz/ds = 0: zeros, or nothing
    (``zeros=False``: torch's multi-output backward ops, convolution's and the norms', leave
    the gradient of an output with respect to an input it does not use undefined).

    ``v`` is a fresh gradient: z shares its array."""

    quiet = False

    @staticmethod
    def forward(ctx, v, name, zeros, *inputs):
        ctx.name_ = name
        ctx.metas = [(s.shape, s.dtype) for s in inputs] if zeros else None
        return v

    @staticmethod
    def backward(ctx, gz):
        if ctx.metas is None:
            return (gz,)
        zeros = [None if not needed else _like(gz, np.zeros(shape, dtype))
                 for needed, (shape, dtype) in zip(ctx.needs_input_grad[3:], ctx.metas)]
        return (gz, None, None, *zeros)


class NotDifferentiableLink(ZeroLink):
    """``ZeroLink`` for an op whose backward torch cannot differentiate: differentiating the
    gradient again raises torch's error."""

    @staticmethod
    def backward(ctx, gz):
        raise RuntimeError(f"derivative for aten::{ctx.aten} is not implemented")


def _like(g, array):
    """``array`` as a Tensor where ``g`` is one (under create_graph), else as it is."""
    return _tensor.Tensor._make(array) if isinstance(g, _tensor.Tensor) else array


def link(gradient, name, inputs, not_differentiable=None, zeros=True):
    """``gradient`` (a Tensor, or None), recorded as depending on ``inputs`` too, with derivative
    0 (see the module docstring). ``name`` is the node's name (torch's ``...BackwardBackward0``).
    ``not_differentiable``: the aten name of a backward torch has no derivative for. ``zeros``:
    whether that derivative is zeros, or undefined (see ``ZeroLink``)."""
    if gradient is None:
        return None
    inputs = [s for s in inputs if isinstance(s, _tensor.Tensor) and s._requires_grad]
    if not inputs:
        return gradient
    if not isinstance(gradient, _tensor.Tensor):
        gradient = _tensor.Tensor._make(np.asarray(gradient))
    if not_differentiable is None:
        return ZeroLink.apply(gradient, name, zeros, *inputs)
    out = NotDifferentiableLink.apply(gradient, name, zeros, *inputs)
    out._grad_fn.aten = not_differentiable
    return out


def double_name(node):
    """torch's name for the backward of ``node``'s backward: ``ReluBackward0`` ->
    ``ReluBackwardBackward0`` (an op sets ``graph_name`` where torch's differs)."""
    name = getattr(node, "graph_name", None)
    if name is not None:
        return name
    # the op's own name, not one graph.named_as gave the node for print (AddBackward0)
    name = getattr(node, "_op_name", None) or node.name()
    return name.rsplit("::", 1)[-1].rstrip("0123456789") + "Backward0"


@staticmethod  # an op's attribute: ``graph_backward = linked_backward``
def linked_backward(ctx, grad):
    """``graph_backward`` of an op whose derivative is piecewise constant in what it saved (a
    mask, a slope): its backward, each gradient linked to the saved Tensors."""
    grads = type(ctx).backward(ctx, grad)
    name = double_name(ctx)
    aten = getattr(ctx, "not_differentiable", None)
    if type(grads) is tuple:
        return tuple(link(g, name, ctx._arrays, aten) for g in grads)
    return link(grads, name, ctx._arrays, aten)


def input_at(node, index):
    """A stand-in Tensor for ``node``'s input ``index`` (which requires grad), placed in the
    graph where that input is, for ``link``: an op that saved nothing of its input still has its
    edge to it. Its values are zeros (``link`` reads only the shape and dtype)."""
    edge = node._next[index] if index < len(node._next) else None
    if edge is None:
        return None
    data = np.broadcast_to(np.zeros((), edge._dtype), edge._shape)
    if type(edge) is AccumulateGrad:
        return at_place((True, None, edge), data)
    return at_place((True, edge, None), data)
