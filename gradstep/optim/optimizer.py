"""``Optimizer``: param groups, per-parameter state, hooks and state dicts, as torch.optim.

The base class owns everything that is not an update rule: parsing ``params`` into groups,
``zero_grad``, ``state_dict``/``load_state_dict`` in torch's structure (integer parameter ids),
and the step pre/post hooks (per instance and global). ``step`` is wrapped once per subclass at
class creation, so ``optimizer.step`` stays a plain bound method that a scheduler may replace on
the instance.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain

import numpy as np

from .._tensor import Tensor, type_name
from ..autograd import grad_mode
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


class _CountsChanges:
    """Mixin for the state dicts below: every mutating method adds one to a shared counter
    (``self._changes``, a one-item list), so an optimizer's flat layout knows in O(1) whether
    any state tensor was replaced since it last looked."""

    __slots__ = ()

    def __setitem__(self, key, value):
        self._changes[0] += 1
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._changes[0] += 1
        super().__delitem__(key)

    def __ior__(self, other):
        self._changes[0] += 1
        return super().__ior__(other)

    def pop(self, *args):
        self._changes[0] += 1
        return super().pop(*args)

    def popitem(self):
        self._changes[0] += 1
        return super().popitem()

    def clear(self):
        self._changes[0] += 1
        super().clear()

    def update(self, *args, **kwargs):
        self._changes[0] += 1
        super().update(*args, **kwargs)

    def setdefault(self, *args):
        self._changes[0] += 1
        return super().setdefault(*args)


class _ParamState(_CountsChanges, dict):
    """A parameter's state: a plain dict that counts its changes (in its optimizer's counter).
    Copies and pickles are plain dicts."""

    __slots__ = ("_changes",)

    def __init__(self, changes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._changes = changes

    def __reduce_ex__(self, protocol):
        return dict, (dict(self),)


class defaultdict(_CountsChanges, defaultdict):  # noqa: N801  (torch prints `defaultdict(...)`)
    """``Optimizer.state``: a ``defaultdict(dict)`` whose per-parameter dicts count changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(dict, *args, **kwargs)
        self._changes = [0]
        for key, value in list(self.items()):
            if type(value) is dict:
                dict.__setitem__(self, key, _ParamState(self._changes, value))

    def __missing__(self, key):
        value = self[key] = _ParamState(self._changes)
        return value

    def __reduce_ex__(self, protocol):
        return _plain_state, (list(self.items()),)

    def __copy__(self):
        return _plain_state(list(self.items()))


_StateDict = defaultdict
defaultdict = defaultdict.__mro__[2]


def _plain_state(items):
    """A plain ``defaultdict(dict)`` with these items (what copies and pickles of state are)."""
    return defaultdict(dict, items)


def _typename(obj):
    """torch.typename: ``torch.FloatTensor`` for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return type_name(obj)
    cls = type(obj)
    module = cls.__module__
    if module in ("builtins", "__builtin__", None):
        return cls.__qualname__
    return module + "." + cls.__qualname__


def _hooked_step(step):
    """Wrap a subclass's ``step`` so the global and instance step hooks run around it."""

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                              self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
        out = step(*args, **kwargs)
        for post_hook in chain(self._optimizer_step_post_hooks.values(),
                               _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params (iterable): tensors to optimize, dicts defining parameter groups, or
            ``(name, tensor)`` pairs (named parameters; the names are kept as ``param_names``)
        defaults (dict): default values of the optimization options, used by every parameter
            group that does not set them

    ``param_groups`` is a list of dicts, each holding ``"params"`` and every option;
    ``state`` maps each parameter to a dict of its state tensors, created lazily at the first
    ``step``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hooked_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._flat = {}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = _StateDict()
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)
        self._warned_capturable_if_run_uncaptured = True

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._flat = {}
        if type(self.state) is not _StateDict:  # loaded, unpickled: watch the new state
            self.state = _StateDict(self.state)
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ----- hooks -----
    def register_step_pre_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs) -> None or (args, kwargs)`` before step."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs)`` to run after step."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _register(hooks, hook, prepend):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer)`` to run before ``state_dict()``."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None`` after ``state_dict()``."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None`` before loading."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer)`` to run after ``load_state_dict()``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ----- state dicts -----
    def state_dict(self):
        r"""The optimizer's state as a dict: ``state`` (keyed by integer parameter ids) and
        ``param_groups`` (each group's options, with ``params`` as those ids)."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            # a parameter listed twice in one group takes its last index, as in torch
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        # (each parameter's state as a plain dict holding the same tensors, so the state dict
        # pickles as torch's does)
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k):
                        (dict(v) if type(v) is _ParamState else v)
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups,
                                                 key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return _to_array_tensor(value, np.float32)
            return _to_array_tensor(value, None)
        if param.is_floating_point():
            return _to_array_tensor(value, param._data.dtype)
        return _to_array_tensor(value, None)

    def load_state_dict(self, state_dict):
        r"""Load a state dict made by ``state_dict()`` (gradstep's or torch's, converted):
        state tensors are copied and cast to their parameter's dtype (``step`` kept as is)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor) or _is_array(value):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, param_groups, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(cast(param, v, param_id, param_groups) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, k, state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ----- gradients and steps -----
    def zero_grad(self, set_to_none=True):
        r"""Reset the gradients of all optimized tensors: to ``None`` (default), or to zeros in
        place with ``set_to_none=False`` (then a parameter still takes a zero-gradient step)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if g._grad_fn is not None:
                            g.detach_()
                        else:
                            g._requires_grad = False
                        g._data[...] = 0
                        g._bump_version()

    def step(self, closure=None):
        r"""Perform a single optimization step (subclasses implement it).

        Args:
            closure (Callable): a closure that reevaluates the model and returns the loss
        """
        raise NotImplementedError

    def add_param_group(self, param_group):
        r"""Add a param group to ``param_groups``; options it does not set take the defaults.

        Args:
            param_group (dict): the parameters (``"params"``) and their group-specific options
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _run_closure(self, closure):
        """The closure's loss, computed with grad enabled (None without a closure)."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()


def _is_array(value):
    return isinstance(value, np.ndarray)


def _to_array_tensor(value, dtype):
    """A copy of a state value as a gradstep tensor (a torch tensor converted to NumPy, or a
    gradstep tensor), cast to ``dtype`` when given."""
    array = value._data if isinstance(value, Tensor) else np.asarray(value)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    elif isinstance(value, Tensor):
        return value
    return Tensor._make(array)


def _use_grad(step):
    """Run ``step`` with grad mode set to the optimizer's ``differentiable`` default."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        prev = grad_mode.state.grad_mode
        grad_mode.state.grad_enabled = bool(self.defaults.get("differentiable", False))
        try:
            return step(self, *args, **kwargs)
        finally:
            grad_mode.state.grad_mode = prev

    return wrapper
