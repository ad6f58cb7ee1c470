"""Full backward hooks of a Module: ``register_full_backward_hook`` / ``_pre_hook``.

One ``ModuleBackwardHooks`` is made per module call that has such hooks. It routes the tensors
entering and leaving ``forward`` through ``BackwardHookFunction``, an identity autograd Function
(torch's ``grad_fn`` name ``BackwardHookFunctionBackward``):

- the outputs' wrapper receives ``grad_output``: the pre hooks run there and may replace it;
- the inputs' wrapper receives ``grad_input`` (all of it at once, one node for every input): the
  hooks run there with ``(module, grad_input, grad_output)`` and may replace it.

``grad_input`` has one entry per positional argument of ``forward``, ``None`` where the argument
is not a tensor, zeros where a tensor got no gradient. When no input requires grad the hooks run from the outputs'
wrapper with ``grad_input`` all ``None``, as in torch.
"""
from ..._creation import zeros
from ..._from_data import warn_at_caller
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.function import Function

__all__ = ["BackwardHookFunction", "ModuleBackwardHooks"]

_NO_INPUT_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs since "
    "no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


class BackwardHookFunction(Function):
    """Identity on its tensors (each requires grad); its backward hands their gradients to ``callback`` and passes on
    what it returns."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        ctx.set_materialize_grads(False)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.callback(grads))


def _pack(indices, values, size):
    out = [None] * size
    for i, v in zip(indices, values):
        out[i] = v
    return tuple(out)


class ModuleBackwardHooks:
    """The backward-hook plumbing of one call of ``module``."""

    def __init__(self, module, hooks=None, pre_hooks=None):
        self.module = module
        # the hooks in force at call time (global ones first, as in torch)
        self.hooks = list(module._backward_hooks.values()) if hooks is None else hooks
        self.pre_hooks = (list(module._backward_pre_hooks.values()) if pre_hooks is None
                          else pre_hooks)
        self.n_inputs = 0
        self.input_index = None
        self.n_outputs = 0
        self.output_index = None
        self.grad_outputs = None

    @staticmethod
    def _wrap(values, callback):
        """``(new values, tensor positions)``; positions is None when nothing was wrapped."""
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
        if not index or not grad_mode.state.grad_enabled:
            return values, None
        wrapped = BackwardHookFunction.apply(callback, *[values[i] for i in index])
        values = list(values)
        for i, t in zip(index, wrapped):
            values[i] = t
        return tuple(values), index

    def setup_input(self, args):
        """Route the tensor arguments through the inputs' wrapper."""
        self.n_inputs = len(args)
        # torch hands zeros (not None) for tensor inputs that got no gradient
        self.input_zeros = [(i, a.shape, a.dtype, a.device) for i, a in enumerate(args)
                            if isinstance(a, Tensor)]
        args, self.input_index = self._wrap(args, self._on_input_grads)
        return args

    def setup_output(self, output):
        """Route the tensor outputs (a tensor or a tuple's tensors) through the outputs' wrapper."""
        is_tuple = isinstance(output, tuple)
        values = output if is_tuple else (output,)
        self.n_outputs = len(values)
        values, self.output_index = self._wrap(values, self._on_output_grads)
        if self.output_index is None:
            return output
        if is_tuple:
            # keep namedtuples and other tuple subclasses
            return values if type(output) is tuple else _retype(output, values)
        return values[0]

    def _on_output_grads(self, grads):
        grad_output = _pack(self.output_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_output)
            if result is None:
                continue
            if not isinstance(result, tuple):
                result = (result,)
            if len(result) != len(grad_output):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(result)}, but expected {len(grad_output)}")
            grad_output = result
        self.grad_outputs = grad_output
        if self.input_index is None and self.hooks:
            warn_at_caller(_NO_INPUT_WARNING)
            grad_input = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, grad_input, grad_output)
                if result is not None and not (isinstance(result, tuple)
                                               and all(g is None for g in result)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return [grad_output[i] for i in self.output_index]

    def _on_input_grads(self, grads):
        grad_input = list(_pack(self.input_index, grads, self.n_inputs))
        for i, shape, dtype, device in self.input_zeros:
            if grad_input[i] is None:
                grad_input[i] = zeros(shape, dtype=dtype, device=device)
        grad_input = tuple(grad_input)
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is None:
                continue
            if not isinstance(result, tuple):
                result = (result,)
            if len(result) != len(grad_input):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, got "
                                   f"{len(result)}, but expected {len(grad_input)}")
            grad_input = result
        self.grad_outputs = None
        return [grad_input[i] for i in self.input_index]


def _retype(original, values):
    try:
        return type(original)(*values)
    except TypeError:
        return type(original)(values)
