"""In-place ops on views, recorded as torch records them.

When ``v`` is a view of ``base`` (``v = x[0]``, ``x.narrow(...)``) and an in-place op on ``v`` is
recorded, the base's history changes too: ``base`` becomes "the old base with v's region
replaced by the op's result" (``CopySlices``), and ``v`` becomes that region of the new base
(``AsStridedBackward0``). The region is where ``v``'s elements sit in the base's storage.
"""
import numpy as np

from ..autograd.graph import Op

__all__ = ["rebase_view", "check_view_inplace", "check_write_through_view",
           "mark_multi_output", "has_internal_overlap"]

_VIEW_OF_LEAF = ("a view of a leaf Variable that requires grad is being used in an in-place "
                 "operation.")
_MULTI_OUTPUT = ("This view is the output of a function that returns multiple views. Such "
                 "functions do not allow the output views to be modified inplace. You should "
                 "replace the inplace operation by an out-of-place one.")
_NO_GRAD_VIEW = ("A view was created in no_grad mode and is being modified inplace with grad "
                 "mode enabled.")
_AMBIGUOUS = ("Given that this use case is ambiguous and error-prone, it is forbidden. You can "
              "clarify your code by moving both the view and the inplace either both inside the "
              "no_grad block (if you don't want the inplace to be tracked) or both outside (if "
              "you want the inplace to be tracked).")

# How a piece of split, chunk or unbind (``_multi_output``) was made: in grad mode from a base
# that requires grad (torch's MULTI_OUTPUT_NODE), in no_grad mode, or in grad mode from a base
# that does not require grad (torch records no node, and words the error as for no_grad mode)
MULTI_OUTPUT, NO_GRAD_VIEW, UNTRACKED_BASE = "multi-output", "no-grad", "untracked-base"


class Region:
    """Where a view sits inside its base: shape, strides and byte offset in a C-ordered buffer."""

    def __init__(self, view, base):
        self.base_shape = base.shape
        self.shape = view.shape
        self.strides = view.strides
        self.offset = (view.__array_interface__["data"][0]
                       - base.__array_interface__["data"][0])

    def of(self, array):
        """The view's region of an array shaped like the base (C-contiguous, or made so)."""
        array = np.ascontiguousarray(array)
        return np.ndarray(self.shape, array.dtype, buffer=array, offset=self.offset,
                          strides=self.strides)

    def keep_mask(self, dtype):
        """Ones outside the region, zeros inside: what the old base's gradient keeps."""
        mask = np.ones(self.base_shape, dtype)
        self.of(mask)[...] = 0
        return mask


class CopySlices(Op):
    """base' = base with region := value;  d/dbase = grad outside the region, d/dvalue = grad[region]."""
    name_ = "torch::autograd::CopySlices"

    @staticmethod
    def forward(ctx, base, value, region):
        ctx.region = region
        return base  # already written in place by the caller

    @staticmethod
    def backward(ctx, grad):
        region = ctx.region
        need_base, need_value = ctx.needs_input_grad[:2]
        g_base = grad * region.keep_mask(getattr(grad, "_data", grad).dtype) if need_base else None
        g_value = None
        if need_value:
            g_value = (region.of(grad).copy() if isinstance(grad, np.ndarray)
                       else AsStrided.apply(grad, region))
        return g_base, g_value


class AsStrided(Op):
    """v = region of base;  d/dbase = grad scattered into zeros at the region."""
    name_ = "AsStridedBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, base, region):
        ctx.region = region
        return region.of(base) if base.flags.c_contiguous else region.of(base).copy()

    @staticmethod
    def backward(ctx, grad):
        region = ctx.region
        if not isinstance(grad, np.ndarray):
            return ScatterRegion.apply(grad, region)
        out = np.zeros(region.base_shape, grad.dtype)
        region.of(out)[...] = grad
        return out


class ScatterRegion(Op):
    """z = zeros(base) with region := g;  dz/dg = region of the gradient."""
    name_ = "AsStridedScatterBackward0"

    @staticmethod
    def forward(ctx, g, region):
        ctx.region = region
        out = np.zeros(region.base_shape, g.dtype)
        region.of(out)[...] = g
        return out

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, np.ndarray):
            return ctx.region.of(grad).copy()
        return AsStrided.apply(grad, ctx.region)


def has_internal_overlap(a):
    """Whether elements of the array ``a`` share memory (a zero stride over a dim of more than
    one element, as ``expand`` makes): torch refuses most in-place writes into such tensors."""
    return a.size > 1 and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))


def mark_multi_output(pieces, op):
    """Mark the outputs of split/chunk/unbind (named ``op`` in torch's errors) as such."""
    from ..autograd import grad_mode
    if not grad_mode.state.grad_enabled:
        how = NO_GRAD_VIEW
    elif pieces and pieces[0]._requires_grad:
        how = MULTI_OUTPUT
    else:
        how = UNTRACKED_BASE
    for index, piece in enumerate(pieces):
        piece._multi_output = (index, op, how)
        if how == MULTI_OUTPUT and _is_multi_output_piece(piece._grad_fn):
            piece._grad_fn._output_nr = index  # torch's one node: this is its output index
    return pieces


def _is_multi_output_piece(node):
    from .shape import SplitPiece, SplitWithSizesPiece, UnbindPiece
    return isinstance(node, (SplitPiece, SplitWithSizesPiece, UnbindPiece))


def check_view_inplace(view, record):
    """torch's checks before an in-place op on a view (grad mode on; ``record``: the op is
    recorded). The pieces of split/chunk/unbind share one node and cannot each be rebased, so
    torch forbids changing them (or views of them) in place; a view made in no_grad mode would
    be rebased on a history it never had; and a view of a leaf would change the leaf."""
    root = view._base
    meta = getattr(view, "_multi_output", None)  # (index, op name, how it was made)
    if meta is not None and (record or root._requires_grad):
        index, op, how = meta
        if how == NO_GRAD_VIEW:
            raise RuntimeError(f"{_NO_GRAD_VIEW} {_AMBIGUOUS}")
        if how == UNTRACKED_BASE:
            raise RuntimeError(f"{_NO_GRAD_VIEW} {_MULTI_OUTPUT}")
        raise RuntimeError(f"Output {index} of {op} is a view and is being modified inplace. "
                           f"{_MULTI_OUTPUT}")
    if not record:
        return
    node = first = view._grad_fn
    while getattr(node, "is_view", False):  # a view of a piece (views of views share the root)
        if _is_multi_output_piece(node):
            if node is not first:
                op = first.name().removesuffix("Backward0")
                raise RuntimeError(f"Output 0 of {op} is a view and is being modified inplace. "
                                   f"{_MULTI_OUTPUT}")
            break
        node = node._next[0]
    if view._requires_grad and root._grad_fn is None:
        raise RuntimeError(_VIEW_OF_LEAF)


def check_write_through_view(tensor, op):
    """``tensor[i] = v`` is torch's in-place copy into the view ``tensor[i]``, made by ``op``
    (Select, Slice...): the checks are those of that view (called when the write records)."""
    meta = getattr(tensor, "_multi_output", None)
    if meta is not None and meta[2] == MULTI_OUTPUT or _is_multi_output_piece(tensor._grad_fn):
        raise RuntimeError(f"Output 0 of {op} is a view and is being modified inplace. "
                           f"{_MULTI_OUTPUT}")
    if tensor._requires_grad and tensor._grad_fn is None:
        raise RuntimeError(_VIEW_OF_LEAF)


def rebase_view(view, out):
    """After ``out`` (the op's result, with its graph) was written into ``view``'s storage, give
    the view's base the CopySlices history and the view an AsStrided view of it."""
    from .._tensor import Tensor
    base = view._base
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError(_VIEW_OF_LEAF)
    if not base._data.flags.c_contiguous:
        raise NotImplementedError("gradstep records in-place ops on views only of C-contiguous "
                                  "tensors; call .contiguous() on the base first")
    region = Region(view._data, base._data)
    old_base = Tensor._make(base._data, base._requires_grad, base._grad_fn)
    new_base = CopySlices.apply(old_base, out, region)
    base._grad_fn = new_base._grad_fn
    base._requires_grad = True
    new_view = AsStrided.apply(base, region)
    view._grad_fn = new_view._grad_fn
    view._requires_grad = True
