"""In-place ops on views, recorded as torch records them.

When ``v`` is a view of ``base`` (``v = x[0]``, ``x.narrow(...)``) and an in-place op on ``v`` is
recorded, the base's history changes too: ``base`` becomes "the old base with v's region
replaced by the op's result" (``CopySlices``), and ``v`` becomes that region of the new base
(``AsStridedBackward0``). The region is where ``v``'s elements sit in the base's storage.
"""
import numpy as np

from ..autograd.graph import Op

__all__ = ["rebase_view"]


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


def rebase_view(view, out):
    """After ``out`` (the op's result, with its graph) was written into ``view``'s storage, give
    the view's base the CopySlices history and the view an AsStrided view of it."""
    from .._tensor import Tensor
    base = view._base
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
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
