"""Double backward for the linear layers-without-weights (pooling, padding, resizing, shuffles).

Each of these ops is a linear map ``y = A x`` (max pooling too, once its argmax is fixed), so its
backward is ``dx = A^T dy``, and the backward of that is ``A`` again. A ``LinearOp`` keeps what
it needs to apply both ``A`` (``linear``) and ``A^T`` (``adjoint``) to arrays; under
``create_graph=True`` its backward becomes a ``LinearBackward`` op whose own backward swaps the
two, so gradients of gradients flow to any order.

Where torch's backward op also takes the input (``max_pool2d_with_indices_backward(grad, self,
...)``, ``avg_pool2d_backward``, the reflection and replication pads: ``adjoint_reads_input``),
the gradient depends on the input as well, with derivative 0 (see ``_ops/higher_order.py``).
"""
from ..._ops.higher_order import double_name, input_at, link
from ..._tensor import Tensor
from ...autograd.graph import Op

__all__ = ["LinearOp", "LinearBackward"]


class _Ctx:
    """A throwaway ctx for re-running a forward on arrays."""
    needs_input_grad = ()
    adjoint_reads_input = False

    def save_for_backward(self, *arrays):
        pass


class LinearOp(Op):
    """Base of a linear op: ``forward`` stores its non-tensor arguments as ``ctx.args``;
    subclasses define ``adjoint(self, g)`` and may override ``linear(self, x)``."""

    # whether torch's backward op takes the input (see above). Such an op saves its input, as
    # torch does: a backward frees it (a second raises), and an in-place change is caught.
    adjoint_reads_input = False

    def linear(self, x):
        return type(self).forward(_Ctx(), x, *self.args)

    def adjoint(self, g):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, gy):
        return ctx.adjoint(gy)

    @staticmethod
    def graph_backward(ctx, gy):
        gx = LinearBackward.apply(gy, ctx, True)
        if ctx.adjoint_reads_input:
            gx = link(gx, double_name(ctx), (input_at(ctx, 0),))
        return gx


class LinearBackward(Op):
    """g -> A^T g (or A g): one side of a linear op, differentiable by the other side."""

    def name(self):
        return self.parent.name().replace("Backward0", "BackwardBackward0")

    @staticmethod
    def forward(ctx, g, parent, transpose):
        ctx.parent = parent
        ctx.transpose = transpose
        return parent.adjoint(g) if transpose else parent.linear(g)

    @staticmethod
    def backward(ctx, gg):
        if isinstance(gg, Tensor):
            return LinearBackward.apply(gg, ctx.parent, not ctx.transpose)
        return ctx.parent.linear(gg) if ctx.transpose else ctx.parent.adjoint(gg)
