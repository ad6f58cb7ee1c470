"""``Tensor``: an array of the device's array module plus what autograd needs.

A Tensor holds ``_data`` (a NumPy array on the CPU, a CuPy array on CUDA), ``requires_grad``,
``grad`` and ``grad_fn``. Views (``view``, slicing, ``transpose``...) share their base's storage
and version counter, so an in-place change through any of them is seen by the autograd checks.

The ops themselves live in ``_ops/``; each module there has a ``Methods`` mixin that binds its
functions as Tensor methods, so ``gradstep.sin(x)``, ``x.sin()`` and ``np.sin(x)`` (under
``create_graph``) reach one implementation.
"""
import numbers
import warnings

import numpy as np

from . import _dtype
from ._creation import CreationMethods
from ._random import RandomMethods
from ._backend import array_module, device_of, to_device
from ._device import CPU, as_device
from ._from_data import warn_once_at_caller
from ._layout import contiguous_strides, is_contiguous_as, strided
from ._size import Size
from ._ops import (arith, compare, convert, elementwise, indexing, linalg, reduction,
                   shape)
from ._ops import misc, scan, sets, special, stats
from .autograd import grad_mode
from .autograd.graph import AccumulateGrad, add_output_saver, note_overwritten, retain, retains
from .autograd.graph import _epoch as _inplace_epoch

__all__ = ["Tensor"]

_new_tuple = tuple.__new__

_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information. (Triggered internally at "
    "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")

_LEGACY_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
}


def as_tensor_data(data, t):
    """``data`` as the array a tensor holds (NumPy returns scalars from ops on 0-d arrays); a
    non-NumPy array sets the tensor's device."""
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, np.ndarray):  # an ndarray subclass
        return np.asarray(data)
    t._device = device_of(data)
    return data


def type_name(t):
    """torch's legacy type string of a tensor: ``torch.FloatTensor``, ``torch.cuda.LongTensor``."""
    prefix = "torch.cuda." if t.device.type == "cuda" else "torch."
    return prefix + _LEGACY_NAMES[t._data.dtype.name]


class Tensor(arith.Methods, elementwise.Methods, compare.Methods, reduction.Methods,
             shape.Methods, indexing.Methods, linalg.Methods, convert.Methods, CreationMethods,
             RandomMethods, special.Methods, scan.Methods, stats.Methods, sets.Methods,
             misc.Methods):
    r"""A multi-dimensional array that can record the operations applied to it.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([1., 2.], requires_grad=True)
        >>> (100 * x).sum().backward()
        >>> x.grad
        tensor([100., 100.])
    """

    # Class-level defaults: a new tensor only sets what differs, which keeps op overhead low.
    _requires_grad = False
    _grad_fn = None
    _grad = None
    _base = None            # the tensor whose storage a view shares (its version counter too)
    _alias = False          # made by detach(): shares _base's version counter, yet is no view
    _ver = 0                # version counter, kept on the base of a view family
    _acc = None             # this leaf's AccumulateGrad node, made on first use
    _post_accumulate_hooks = None
    _grad_slot = None       # array a fresh .grad is written into (an optimizer's flat buffer)
    _output_of = None       # nodes besides grad_fn that saved this value as their output
    _device = CPU
    __array_priority__ = 1000  # ndarray op Tensor -> Tensor's reflected op

    def __new__(cls, *args, **kwargs):
        # Legacy constructor: Tensor(data), Tensor(*sizes), Tensor(size); float32 by default.
        from ._creation import legacy_new
        return legacy_new(cls, _dtype.get_default_dtype(), args, kwargs, typed=False)

    @staticmethod
    def _make(data, requires_grad=False, grad_fn=None):
        """Wrap an array without copying (the fast internal constructor)."""
        t = object.__new__(Tensor)
        if type(data) is not np.ndarray:
            data = as_tensor_data(data, t)
        t._data = data
        if requires_grad:
            t._requires_grad = True
            t._grad_fn = grad_fn
        return t

    def _view_of(self, data, requires_grad=False, grad_fn=None):
        """A tensor over ``data``, a view of this tensor's storage."""
        t = Tensor._make(data, requires_grad, grad_fn)
        t._base = self if self._base is None else self._base
        return t

    # ----- autograd attributes -----
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            if value:
                raise RuntimeError("you can only change requires_grad flags of leaf variables.")
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and not self.is_floating_point():
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self."""
        if self._grad_fn is not None and requires_grad:
            return self
        if requires_grad and not self.is_floating_point():
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        # torch warns only while there is nothing to read
        if self._grad is None and self._grad_fn is not None and not self.retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value._data.dtype != self._data.dtype:
                from ._ops._util import cpp_type_name, scalar_type_name
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{cpp_type_name(value._data.dtype)}' to a tensor with grad_dtype "
                    f"'{scalar_type_name(self._data.dtype)}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). "
                    "You can set the tensor's grad_dtype attribute with a specific dtype, or None "
                    "to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a "
                    "tensor and its gradient may break downstream systems that assume they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value._data.shape)}' to a tensor of size "
                                   f"'{list(self._data.shape)}'. Please ensure that the gradient "
                                   "and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return retains(self)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor during backward (also after an in-place op
        on it: then the gradient of its new value)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is not None:
            retain(self)

    def _edge(self):
        """The node a gradient for this tensor is sent to: grad_fn, or the leaf's accumulator."""
        fn = self._grad_fn
        if fn is not None:
            return fn
        acc = self._acc
        if acc is None:
            acc = self._acc = AccumulateGrad(self)
        return acc

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a return value replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .utils.hooks import RemovableHandle
        node = self._edge()
        if node._pre_hooks is None:
            node._pre_hooks = {}
        node._slow = True
        handle = RemovableHandle(node._pre_hooks)
        node._pre_hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after a leaf's ``.grad`` has been accumulated; it returns None."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .utils.hooks import RemovableHandle
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = {}
        handle = RemovableHandle(self._post_accumulate_hooks)
        self._post_accumulate_hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. graph leaves, accumulating into ``.grad``."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing storage with this one, cut from the graph."""
        t = self._view_of(self._data)
        t._alias = True
        return t

    def detach_(self):
        """Cut this tensor from the graph in place."""
        if self._base is not None and not self._alias:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are "
                               "using DistributedDataParallel (DDP) for training, and "
                               "gradient_as_bucket_view is set as True, gradients are views of "
                               "DDP buckets, and hence detach_() cannot be called on these "
                               "gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py as the "
                               "solution.")
        if self._grad_fn is not None and self._base is None:
            # its producer may have saved this value: an in-place change must still reach it
            add_output_saver(self, self._grad_fn)
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        # shares storage, but not the version counter (torch's .data escapes autograd's checks)
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and value._data.dtype.kind != "f":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        # shares value's storage, not its version counter (x._base stays as it was, as in torch)
        self._data = value._data
        self._device = value._device
        if self._acc is not None:  # the accumulator checks gradients against these
            self._acc._shape = self._data.shape
            self._acc._dtype = self._data.dtype

    @property
    def _version(self):
        return (self if self._base is None else self._base)._ver

    @property
    def output_nr(self):
        """The index of this tensor among the outputs of its ``grad_fn`` (0 for a leaf):
        ``x.split(1)`` gives pieces 0, 1, ...; ``aminmax`` a max that is output 1."""
        fn = self._grad_fn
        return 0 if fn is None else fn._output_nr

    def _bump_version(self):
        """Count an in-place change (of this tensor's storage, so of its base's version)."""
        root = self if self._base is None else self._base
        root._ver += 1
        _inplace_epoch[0] += 1
        if root._grad_fn is not None or root._output_of is not None:
            note_overwritten(root)  # a node may have saved this value as its output

    def _check_inplace(self):
        """Raise torch's error for an in-place op on a leaf that requires grad (outside no_grad)."""
        if self._requires_grad and grad_mode.state.grad_enabled:
            if self._grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation.")
            return True
        return False

    # ----- metadata -----
    @property
    def shape(self):
        return _new_tuple(Size, self._data.shape)  # Size(...) without re-checking NumPy's ints

    def size(self, dim=None):
        """The shape as ``Size``, or one dimension's length."""
        if dim is None:
            return _new_tuple(Size, self._data.shape)
        return self._data.shape[self._dim_of_shape(dim)]

    def _wrap_dim(self, dim):
        from ._ops._util import wrap_dim
        return wrap_dim(dim, self._data.ndim)

    def _dim_of_shape(self, dim):
        """``dim`` as an index into the shape (``size(dim)``, ``stride(dim)``): a 0-dim tensor
        has no dimension to name, where reductions accept 0 and -1."""
        if self._data.ndim == 0 and isinstance(dim, (int, np.integer)) \
                and not isinstance(dim, bool):
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._wrap_dim(dim)

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def dtype(self):
        return _dtype.FROM_NP[self._data.dtype]

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_cpu(self):
        return self._device.type == "cpu"

    @property
    def layout(self):
        return strided

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False

    def get_device(self):
        return -1 if self._device.type == "cpu" else self._device.index

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_signed(self):
        """Whether the dtype holds negative numbers (not uint8, not bool)."""
        return self._data.dtype.kind in "if"

    def is_complex(self):
        return False

    def is_contiguous(self, memory_format=None):
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        return is_contiguous_as(self._data, memory_format)

    def stride(self, dim=None):
        data = self._data
        if data.size or any(data.strides):
            strides = tuple(s // data.itemsize for s in data.strides)
        else:  # NumPy gives a new empty array zero strides; torch lays it out as contiguous
            strides = contiguous_strides(data.shape)
        return strides if dim is None else strides[self._dim_of_shape(dim)]

    def storage_offset(self):
        base = self if self._base is None else self._base
        if base is self:
            return 0
        return (self._data.__array_interface__["data"][0]
                - base._data.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0] if isinstance(self._data, np.ndarray) \
            else self._data.data.ptr

    def untyped_storage(self):
        raise NotImplementedError("gradstep tensors have no separate storage object; "
                                  "use .numpy() or .data_ptr()")

    # ----- conversion -----
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item() if isinstance(self._data, np.ndarray) \
            else self._data.reshape(()).get().item()

    def tolist(self):
        return self._host().tolist()

    def _host(self):
        return to_device(self._data, CPU)

    def numpy(self, *, force=False):
        """The NumPy array this tensor wraps (shares memory on the CPU)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._device.type != "cpu":
            if not force:
                raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
            return self._host()
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from ._ops._numpy_dispatch import array_ufunc
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from ._ops._numpy_dispatch import array_function
        return array_function(func, args, kwargs)

    def __bool__(self):
        if self._data.size != 1:
            how_many = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {how_many} is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        self._one_element("float")
        if self._requires_grad and grad_mode.state.grad_enabled:
            warn_once_at_caller(_SCALAR_OF_GRAD_TENSOR)  # torch: only float() warns
        return float(self._data.reshape(()))

    def __int__(self):
        self._one_element("int")
        return int(self._data.reshape(()))

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __complex__(self):
        self._one_element("complex")
        return complex(self._data.reshape(()))

    def _one_element(self, what):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars")

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __contains__(self, element):
        if isinstance(element, (Tensor, numbers.Number)):
            return bool((self == element).any().item())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed "
                           f"in a {type(element)}.")

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        # a 0-dim tensor formats as its number, gradients or not (f"{loss:.4f}"); only a plain
        # Tensor: a subclass keeps object's formatting, as in torch
        if self._data.ndim == 0 and type(self) is Tensor:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._host(), self._requires_grad, str(self._device)))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils.weight_"
                               "norm usage, see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self)) if type(self) is not Tensor else object.__new__(Tensor)
        new.__dict__.update({k: v for k, v in self.__dict__.items()
                             if k not in ("_data", "_base", "_acc", "_grad", "_ver", "_grad_slot")})
        new._data = self._data.copy()
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        return new


_SCALAR_OF_GRAD_TENSOR = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)")


def _rebuild(array, requires_grad, device):
    t = Tensor._make(np.array(array))
    if device != "cpu":
        t = t.to(device)
    t._requires_grad = requires_grad
    return t
