"""nn.Module against torch: registration, iteration, state dicts, conversion, hooks, pickling.

Every case is one scenario ``fn(lib)`` run on gradstep and on torch; its result (values, reprs),
exception (type and message) and warnings must be the same (see tests/_outcome.py).
"""
import copy
import functools
import io
import pickle
import sys
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import gradstep
from _outcome import assert_same_outcome


@functools.lru_cache(maxsize=None)
def defs(lib):
    """Small modules written once per library, exactly as a torch user would write them."""
    nn = lib.nn

    class Lin(nn.Module):
        def __init__(self, n_in, n_out, bias=True):
            super().__init__()
            self.n_in, self.n_out = n_in, n_out
            # deterministic weights: the libraries' random streams differ
            self.weight = nn.Parameter(
                lib.arange(n_out * n_in, dtype=lib.float32).reshape(n_out, n_in).mul(0.7).sin())
            if bias:
                self.bias = nn.Parameter(lib.arange(n_out, dtype=lib.float32).mul(1.3).cos())
            else:
                self.register_parameter("bias", None)

        def forward(self, x):
            y = x @ self.weight.t()
            return y if self.bias is None else y + self.bias

        def extra_repr(self):
            return f"in_features={self.n_in}, out_features={self.n_out}, bias={self.bias is not None}"

    class Act(nn.Module):
        def forward(self, x):
            return x.tanh()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = Lin(3, 4)
            self.act = Act()
            self.fc2 = Lin(4, 2, bias=False)
            self.register_buffer("steps", lib.zeros((), dtype=lib.int64))
            self.register_buffer("scale", lib.ones(2))
            self.register_buffer("cache", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x))) * self.scale

    class Shared(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = Lin(2, 2)
            self.b = self.a
            self.w = nn.Parameter(lib.ones(2))
            self.v = self.w

    class Extra(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(lib.zeros(2))
            self.note = "init"

        def get_extra_state(self):
            return {"note": self.note}

        def set_extra_state(self, state):
            self.note = state["note"]

    class Versioned(nn.Module):
        _version = 3

        def __init__(self):
            super().__init__()
            self.p = nn.Parameter(lib.zeros(1))

    class TwoArgs(nn.Module):
        def forward(self, x, y=None, *, scale=1.0):
            return (x * 2 if y is None else x * y) * scale

    return SimpleNamespace(Lin=Lin, Act=Act, Net=Net, Shared=Shared, Extra=Extra,
                           Versioned=Versioned, TwoArgs=TwoArgs)


def net(lib):
    return defs(lib).Net()


def names(pairs):
    return [name for name, _ in pairs]


def _assign(lib, module, name, value):
    setattr(module, name, value)
    return module


def _state(lib, module, **kwargs):
    sd = module.state_dict(**kwargs)
    return [(k, tuple(v.shape), str(v.dtype), v.requires_grad) for k, v in sd.items()]


def _load(lib, module, state, **kwargs):
    result = module.load_state_dict(state, **kwargs)
    return repr(result), result.missing_keys, result.unexpected_keys, module.state_dict()


def _np_state(lib):
    src = net(lib)
    with lib.no_grad():
        for p in src.parameters():
            p.mul_(3)
    state = {k: v.numpy() for k, v in src.state_dict().items()}
    # gradstep also loads NumPy arrays (torch needs tensors): the same values must result
    return state if lib is gradstep else {k: torch.from_numpy(v) for k, v in state.items()}


def _hooks_log(lib):
    log = []
    m = defs(lib).TwoArgs()
    m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))))
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {**kwargs, "scale": 3.0}),
                                with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: log.append(("post", out.tolist())))
    m.register_forward_hook(lambda mod, args, kwargs, out: out + kwargs["scale"],
                            with_kwargs=True)
    m.register_forward_pre_hook(lambda mod, args: log.append(("first",)), prepend=True)
    out = m(lib.ones(2), scale=2.0)
    return log, out


def _always_call(lib):
    log = []

    class Bad(lib.nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    m = Bad()
    m.register_forward_hook(lambda mod, args, out: log.append("always"), always_call=True)
    m.register_forward_hook(lambda mod, args, out: log.append("normal"))
    try:
        m(lib.ones(1))
    except ValueError as exc:
        log.append(str(exc))
    return log


def _global_hooks(lib):
    log = []
    mm = lib.nn.modules.module
    h1 = mm.register_module_forward_pre_hook(lambda mod, args: log.append(type(mod).__name__))
    h2 = mm.register_module_forward_hook(lambda mod, args, out: out * 2)
    try:
        out = net(lib)(lib.ones(1, 3))
    finally:
        h1.remove()
        h2.remove()
    after = net(lib)(lib.ones(1, 3))
    return log, out, after


def _pre_hook_replaces(lib):
    m = defs(lib).TwoArgs()
    m.register_forward_pre_hook(lambda mod, args: args[0] + 1)  # a lone value becomes (value,)
    return m(lib.ones(2))


def _pre_hook_bad_kwargs(lib):
    m = defs(lib).TwoArgs()
    m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    return m(lib.ones(2))


def _handle_remove(lib):
    m = defs(lib).TwoArgs()
    h = m.register_forward_hook(lambda mod, args, out: out * 0)
    first = m(lib.ones(2))
    h.remove()
    h.remove()
    return first, m(lib.ones(2))


def _train_eval(lib):
    m = net(lib)
    r = m.eval()
    modes = [mod.training for mod in m.modules()]
    m.fc1.train()
    return r is m, modes, [mod.training for mod in m.modules()]


def _zero_grad(lib, set_to_none):
    m = net(lib)
    m(lib.ones(2, 3)).sum().backward()
    m.zero_grad(set_to_none=set_to_none)
    return [p.grad for p in m.parameters()]


def _apply(lib):
    seen = []
    m = net(lib)
    r = m.apply(lambda mod: seen.append(type(mod).__name__))
    return seen, r is m


def _requires_grad_(lib):
    m = net(lib)
    m.requires_grad_(False)
    flags = [p.requires_grad for p in m.parameters()]
    m.fc1.requires_grad_()
    return flags, [p.requires_grad for p in m.parameters()]


def _convert(lib, how):
    m = net(lib)
    params = list(m.parameters())
    m(lib.ones(2, 3)).sum().backward()
    out = how(lib, m)
    return (out is m, [p is q for p, q in zip(params, m.parameters())],
            [(str(p.dtype), str(p.grad.dtype)) for p in m.parameters()],
            [(k, str(b.dtype)) for k, b in m.named_buffers()],
            m(lib.ones(1, 3, dtype=params[0].dtype)).tolist())


def _deepcopy(lib):
    m = defs(lib).Shared()
    c = copy.deepcopy(m)
    return (c.a is c.b, c.w is c.v, c.a is m.a, names(c.named_parameters()),
            c.state_dict())


def _pickle(lib):
    m = net(lib)
    m.eval()
    m.fc1.weight.grad = lib.ones(4, 3)
    buf = io.BytesIO()
    pickle.dump(m, buf)
    buf.seek(0)
    c = pickle.load(buf)
    return (repr(c), c.training, c.state_dict(), type(c.fc1.weight).__name__,
            c.fc1.weight.requires_grad, c(lib.ones(1, 3)).tolist(), dict(c.named_buffers()))


def _pickle_shared(lib):
    m = defs(lib).Shared()
    c = pickle.loads(pickle.dumps(m))
    return c.a is c.b, c.w is c.v


def _dir(lib):
    m = net(lib)
    listing = dir(m)
    return [n for n in ("fc1", "steps", "cache", "forward", "training", "_parameters")
            if n in listing], listing == sorted(listing)


def _get(lib, what, target):
    return getattr(net(lib), what)(target)


def _set_submodule(lib, target, strict=False):
    m = net(lib)
    m.set_submodule(target, defs(lib).Act(), strict=strict)
    return m


def _delattr(lib, name):
    m = net(lib)
    delattr(m, name)
    return names(m.named_parameters()), names(m.named_buffers()), names(m.named_children())


def _setattr_none(lib, name):
    m = net(lib)
    setattr(m, name, None)
    return (names(m.named_parameters()), names(m.named_buffers()), names(m.named_children()),
            m.state_dict(), repr(m))


def _buffer_assign(lib):
    m = net(lib)
    m.extra = lib.nn.Buffer(lib.ones(1))
    m.quiet = lib.nn.Buffer(lib.ones(1), persistent=False)
    m.scale = lib.full((2,), 2.0)
    return names(m.named_buffers()), list(m.state_dict())


def _reorder(lib):
    m = lib.nn.Module()
    m.register_parameter("b", lib.nn.Parameter(lib.zeros(1)))
    m.register_parameter("a", lib.nn.Parameter(lib.zeros(1)))
    m.register_parameter("b", lib.nn.Parameter(lib.ones(1)))
    m.x = lib.nn.Parameter(lib.zeros(1))
    m.x = defs(lib).Act()
    return names(m.named_parameters()), names(m.named_children()), list(m.state_dict())


def _named_dupes(lib, fn, **kwargs):
    m = lib.nn.Module()
    m.one = defs(lib).Shared()
    m.two = m.one
    return names(getattr(m, fn)(**kwargs))


def _parameters_order(lib):
    """parameters(): named_parameters' order and de-duplication, and a named_modules override
    (in a child too) still decides which modules are walked."""
    nn = lib.nn

    class Own(nn.Module):
        def named_modules(self, memo=None, prefix="", remove_duplicate=True):
            yield prefix, self

    m = nn.Module()
    m.one = defs(lib).Shared()
    m.register_module("gap", None)
    m.two = m.one
    m.three = defs(lib).Lin(2, 3)
    name = {id(p): n for n, p in m.named_parameters(remove_duplicate=False)}
    plain = [name[id(p)] for p in m.parameters()]
    m.own = Own()
    m.own.inner = defs(lib).Lin(3, 1)
    m.own.q = nn.Parameter(lib.zeros(1))
    m.own.r = m.own.q
    name = {id(p): n for n, p in m.named_parameters(remove_duplicate=False)}
    return (plain, [name[id(p)] for p in m.parameters()],
            [name[id(p)] for p in m.one.parameters()],
            len(list(m.three.parameters(recurse=False))), len(list(m.own.parameters())))


def _metadata(lib):
    m = lib.nn.Module()
    m.inner = defs(lib).Versioned()
    m.other = net(lib)
    sd = m.state_dict()
    return list(sd._metadata.items())


def _load_hooks(lib):
    log = []
    m = net(lib)
    m.register_load_state_dict_post_hook(
        lambda mod, keys: log.append(("post", list(keys.missing_keys))))
    m.fc1.register_load_state_dict_pre_hook(
        lambda mod, sd, prefix, meta, strict, missing, unexpected, errors:
        log.append(("pre", prefix, meta, strict)))
    sd = net(lib).state_dict()
    del sd["scale"]
    m.load_state_dict(sd, strict=False)
    return log


def _state_dict_hooks(lib):
    log = []
    m = net(lib)
    m.fc1.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append((prefix, keep)))
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: log.append(list(sd)))
    m.state_dict(prefix="top.", keep_vars=True)
    return log


def _extra_state(lib):
    m = defs(lib).Extra()
    m.note = "saved"
    sd = m.state_dict()
    n = defs(lib).Extra()
    n.load_state_dict(sd)
    return list(sd), n.note


def _assign_load(lib):
    m = net(lib)
    old = m.fc1.weight
    sd = {k: v.double() * 2 for k, v in net(lib).state_dict().items()}
    m.load_state_dict(sd, assign=True)
    return (m.fc1.weight is old, type(m.fc1.weight).__name__, m.fc1.weight.requires_grad,
            str(m.fc1.weight.dtype), m.state_dict())


def _load_keeps_identity(lib):
    m = net(lib)
    old = m.fc1.weight
    m.load_state_dict({k: v * 2 for k, v in net(lib).state_dict().items()})
    return m.fc1.weight is old, m.fc1.weight.requires_grad, m.fc1.weight._version


def _shared_state(lib):
    m = defs(lib).Shared()
    return list(m.state_dict()), names(m.named_parameters()), list(m.state_dict(keep_vars=True))


def _load_shared(lib):
    m = defs(lib).Shared()
    sd = {k: v + 1 for k, v in m.state_dict().items()}
    return _load(lib, m, sd)


def _register_errors(lib, which, name, value):
    m = net(lib)
    getattr(m, which)(name, value(lib) if callable(value) else value)
    return m


def _module_init_error(lib):
    class Early(lib.nn.Module):
        def __init__(self):
            self.p = lib.nn.Parameter(lib.zeros(1))
            super().__init__()
    return Early()


def _early_module(lib):
    class Early(lib.nn.Module):
        def __init__(self):
            self.m = lib.nn.Module()
    return Early()


def _early_buffer(lib):
    class Early(lib.nn.Module):
        def __init__(self):
            self.register_buffer("b", lib.zeros(1))
    return Early()


def _forward_missing(lib):
    return lib.nn.Module()(lib.ones(1))


def _repr_nested(lib):
    m = net(lib)
    m.seq = lib.nn.Sequential(defs(lib).Act(), lib.nn.ModuleList([defs(lib).Lin(1, 1)]))
    m.empty = None
    return repr(m)


def _children(lib):
    m = net(lib)
    m.again = m.fc1
    return (names(m.named_children()), names(m.named_modules()),
            names(m.named_modules(prefix="root")), len(list(m.children())),
            len(list(m.modules())))


def _recurse_false(lib):
    m = net(lib)
    return (names(m.named_parameters(recurse=False)), names(m.named_buffers(recurse=False)),
            names(m.fc1.named_parameters(prefix="fc1")))


def _grad_flow(lib):
    m = net(lib)
    x = lib.ones(2, 3, requires_grad=True)
    m(x).pow(2).sum().backward()
    return x.grad, [p.grad for p in m.parameters()]


def _to_errors(lib):
    return net(lib).to(lib.int32)


def _to_variants(lib):
    m = net(lib)
    m.to(lib.zeros(1, dtype=lib.float64))
    a = [str(p.dtype) for p in m.parameters()]
    m.to("cpu", lib.float16)
    b = [str(p.dtype) for p in m.parameters()]
    m.to(device="cpu", dtype=lib.float32)
    return a, b, [str(p.dtype) for p in m.parameters()], [str(b.dtype) for b in m.buffers()]


def _type_cast(lib):
    m = net(lib)
    m.type(lib.float64)
    return [str(t.dtype) for t in m.state_dict().values()]


def _half_forward(lib):
    m = net(lib).half()
    return [str(p.dtype) for p in m.parameters()]


def _call_kwargs(lib):
    m = defs(lib).TwoArgs()
    return m(lib.ones(2), y=lib.full((2,), 3.0), scale=0.5)


def _train_bad(lib):
    return net(lib).train("yes")


def _param_version(lib):
    m = net(lib)
    w = m.fc1.weight
    v0 = w._version
    with lib.no_grad():
        w.add_(1)
    return v0, w._version


def _setattr_tensor_on_param(lib):
    m = net(lib)
    m.fc1.weight = lib.zeros(4, 3)


def _setattr_module_slot(lib):
    m = net(lib)
    m.fc1 = 3


def _setattr_buffer_slot(lib):
    m = net(lib)
    m.scale = 3


def _nonleaf_param(lib):
    m = lib.nn.Module()
    w = lib.nn.Parameter(lib.ones(1))
    m.register_parameter("w", w * 2)


def _register_nonleaf(lib):
    m = lib.nn.Module()
    x = lib.ones(1, requires_grad=True)
    p = lib.nn.Parameter(x)
    m.register_parameter("w", p)
    return names(m.named_parameters())


def _buffer_none(lib):
    m = net(lib)
    m.register_buffer("empty", None)
    m.scale = None
    return names(m.named_buffers()), list(m.state_dict()), m.to(lib.float64).empty


def _get_parameter_errors(lib, target):
    return net(lib).get_parameter(target)


def _shape(g):
    return None if g is None else (tuple(g.shape), g.tolist())


class _Log(list):
    def pre(self, mod, grad_output):
        self.append(("pre", type(mod).__name__, [_shape(g) for g in grad_output]))

    def hook(self, mod, grad_input, grad_output):
        self.append(("hook", type(mod).__name__, [_shape(g) for g in grad_input],
                     [_shape(g) for g in grad_output]))


def _backward_hooks(lib, x_grad=True, replace=None, pre_replace=None, inner=False):
    log = _Log()
    m = net(lib)
    target = m.fc1 if inner else m
    target.register_full_backward_pre_hook(log.pre)
    target.register_full_backward_hook(log.hook)
    if replace is not None:
        target.register_full_backward_hook(lambda mod, gi, go: replace(gi))
    if pre_replace is not None:
        target.register_full_backward_pre_hook(lambda mod, go: pre_replace(go))
    x = lib.linspace(-1, 1, 6).reshape(2, 3).requires_grad_(x_grad)
    y = m(x)
    name = y.grad_fn.name()
    (y * lib.tensor([1.0, -2.0])).sum().backward()
    return name, log, x.grad, [p.grad for p in m.parameters()]


def _backward_hooks_multi(lib):
    log = _Log()
    m = defs(lib).TwoArgs()

    class Pair(lib.nn.Module):
        def forward(self, a, k, b):
            return a * b * k, (a + b).sum(), "tag"
    m = Pair()
    m.register_full_backward_pre_hook(log.pre)
    m.register_full_backward_hook(log.hook)
    a = lib.ones(2, requires_grad=True)
    b = lib.full((2,), 3.0)
    out = m(a, 2.0, b)
    out[0].sum().backward()
    b.requires_grad_()
    out = m(a, 2.0, b)
    (out[0].sum() + out[1]).backward()
    return [o.grad_fn.name() for o in out[:2]], out[2], log, a.grad, b.grad


def _backward_hook_removed(lib):
    log = _Log()
    m = net(lib)
    h = m.register_full_backward_hook(log.hook)
    x = lib.ones(1, 3, requires_grad=True)
    m(x).sum().backward()
    h.remove()
    y = m(x)
    y.sum().backward()
    return len(log), type(y.grad_fn).__name__ == "BackwardHookFunctionBackward"


def _global_backward_hooks(lib):
    log = _Log()
    mm = lib.nn.modules.module
    h1 = mm.register_module_full_backward_hook(log.hook)
    h2 = mm.register_module_full_backward_pre_hook(log.pre)
    try:
        x = lib.ones(1, 3, requires_grad=True)
        net(lib)(x).sum().backward()
    finally:
        h1.remove()
        h2.remove()
    return log


def _registration_hooks(lib):
    log = []
    mm = lib.nn.modules.module
    hs = [mm.register_module_parameter_registration_hook(
              lambda mod, name, p: log.append(("param", name))),
          mm.register_module_buffer_registration_hook(
              lambda mod, name, b: log.append(("buffer", name))),
          mm.register_module_module_registration_hook(
              lambda mod, name, sub: log.append(("module", name)))]
    try:
        net(lib)
    finally:
        for h in hs:
            h.remove()
    net(lib)
    return log


def _positional_state_dict(lib):
    from collections import OrderedDict as OD
    dest = OD()
    out = net(lib).state_dict(dest, "p.")
    return out is dest, list(out)


def _none_param_key(lib):
    m = defs(lib).Lin(2, 2, bias=False)
    sd = {"weight": lib.ones(2, 2), "bias": lib.ones(2)}
    return _load(lib, m, sd, strict=False)


def _zero_dim_from_one_dim(lib):
    m = lib.nn.Module()
    m.p = lib.nn.Parameter(lib.tensor(1.0))
    return _load(lib, m, {"p": lib.tensor([5.0])})


def _assign_parameter_object(lib):
    m = defs(lib).Lin(2, 2)
    new = lib.nn.Parameter(lib.zeros(2, 2), requires_grad=False)
    m.load_state_dict({"weight": new, "bias": lib.zeros(2)}, assign=True)
    return m.weight is new, m.weight.requires_grad, type(m.bias).__name__, m.bias.requires_grad


def _assign_buffer(lib):
    m = net(lib)
    sd = {k: v + 1 for k, v in net(lib).state_dict().items()}
    m.load_state_dict(sd, assign=True)
    return names(m.named_buffers()), list(m.state_dict()), m.scale


def _init_kwargs(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__(foo=1)
    return M()


def _init_args(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__(1, 2)
    return M()


def _mapping_state(lib):
    from types import MappingProxyType
    return _load(lib, net(lib), MappingProxyType(dict(net(lib).state_dict())))


def _setstate_roundtrip(lib):
    m = net(lib)
    state = m.__getstate__() if hasattr(m, "__getstate__") else m.__dict__
    n = defs(lib).Net.__new__(defs(lib).Net)
    n.__setstate__(dict(state))
    return repr(n), n.state_dict()


def _zero_grad_nonleaf_grad(lib):
    m = defs(lib).Lin(2, 2)
    m.weight.grad = lib.ones(2, 2, requires_grad=True) * 3  # a grad with a grad_fn
    m.zero_grad(set_to_none=False)
    return m.weight.grad, m.weight.grad.requires_grad


def _to_empty(lib):
    m = net(lib).to_empty(device="cpu")
    return [(k, tuple(v.shape), str(v.dtype)) for k, v in m.state_dict().items()]


def _register_buffer_persistent_flip(lib):
    m = net(lib)
    m.register_buffer("cache", lib.zeros(2), persistent=True)
    m.register_buffer("scale", lib.ones(2), persistent=False)
    return list(m.state_dict())


CASES = {
    # registration and attribute rules
    "setattr param with tensor": _setattr_tensor_on_param,
    "setattr module slot": _setattr_module_slot,
    "setattr buffer slot": _setattr_buffer_slot,
    "setattr None param": lambda lib: _setattr_none(lib, "fc2"),
    "setattr None buffer": lambda lib: _setattr_none(lib, "scale"),
    "setattr None module": lambda lib: _setattr_none(lib, "act"),
    "Buffer assignment": _buffer_assign,
    "registration order": _reorder,
    "param before init": _module_init_error,
    "module before init": _early_module,
    "buffer before init": _early_buffer,
    "non-leaf parameter": _nonleaf_param,
    "parameter of a leaf view": _register_nonleaf,
    "register_buffer bad type": lambda lib: _register_errors(lib, "register_buffer", "x", 3),
    "register_buffer dotted": lambda lib: _register_errors(lib, "register_buffer", "a.b", None),
    "register_buffer empty": lambda lib: _register_errors(lib, "register_buffer", "", None),
    "register_buffer exists": lambda lib: _register_errors(lib, "register_buffer", "fc1", None),
    "register_buffer int name": lambda lib: _register_errors(lib, "register_buffer", 1, None),
    "register_parameter tensor": lambda lib: _register_errors(
        lib, "register_parameter", "q", lambda lib: lib.zeros(1)),
    "register_parameter dotted": lambda lib: _register_errors(
        lib, "register_parameter", "a.b", None),
    "register_parameter exists": lambda lib: _register_errors(
        lib, "register_parameter", "training", None),
    "register_parameter empty": lambda lib: _register_errors(lib, "register_parameter", "", None),
    "add_module not module": lambda lib: _register_errors(lib, "add_module", "z", 3),
    "add_module dotted": lambda lib: _register_errors(
        lib, "add_module", "a.b", lambda lib: lib.nn.Module()),
    "add_module empty": lambda lib: _register_errors(
        lib, "add_module", "", lambda lib: lib.nn.Module()),
    "add_module exists": lambda lib: _register_errors(
        lib, "add_module", "scale", lambda lib: lib.nn.Module()),
    "add_module int name": lambda lib: _register_errors(
        lib, "add_module", 3, lambda lib: lib.nn.Module()),
    "register_module": lambda lib: _register_errors(
        lib, "register_module", "extra", lambda lib: defs(lib).Act()),
    "delattr param": lambda lib: _delattr(lib, "fc1"),
    "delattr buffer": lambda lib: _delattr(lib, "scale"),
    "delattr missing": lambda lib: _delattr(lib, "nope"),
    "getattr missing": lambda lib: net(lib).nope,
    "buffer None": _buffer_none,
    "forward missing": _forward_missing,
    "dir": _dir,
    # lookup
    "get_submodule": lambda lib: _get(lib, "get_submodule", "fc1"),
    "get_submodule empty": lambda lib: _get(lib, "get_submodule", ""),
    "get_submodule missing": lambda lib: _get(lib, "get_submodule", "fc1.nope"),
    "get_submodule not module": lambda lib: _get(lib, "get_submodule", "fc1.weight"),
    "get_parameter": lambda lib: _get(lib, "get_parameter", "fc1.weight"),
    "get_parameter buffer": lambda lib: _get(lib, "get_parameter", "scale"),
    "get_parameter missing": lambda lib: _get(lib, "get_parameter", "fc1.nope"),
    "get_parameter bad path": lambda lib: _get(lib, "get_parameter", "nope.weight"),
    "get_buffer": lambda lib: _get(lib, "get_buffer", "steps"),
    "get_buffer param": lambda lib: _get(lib, "get_buffer", "fc1.weight"),
    "get_buffer missing": lambda lib: _get(lib, "get_buffer", "nope"),
    "set_submodule": lambda lib: _set_submodule(lib, "fc1"),
    "set_submodule new": lambda lib: _set_submodule(lib, "fc1.inner"),
    "set_submodule strict new": lambda lib: _set_submodule(lib, "fc1.inner", strict=True),
    "set_submodule empty": lambda lib: _set_submodule(lib, ""),
    "set_submodule bad parent": lambda lib: _set_submodule(lib, "nope.x"),
    # iteration
    "children and modules": _children,
    "recurse False": _recurse_false,
    "named_parameters dupes": lambda lib: _named_dupes(lib, "named_parameters"),
    "named_parameters keep dupes": lambda lib: _named_dupes(lib, "named_parameters",
                                                            remove_duplicate=False),
    "named_modules keep dupes": lambda lib: _named_dupes(lib, "named_modules",
                                                         remove_duplicate=False),
    "named_buffers keep dupes": lambda lib: _named_dupes(lib, "named_buffers",
                                                         remove_duplicate=False),
    "parameters": lambda lib: list(net(lib).parameters()),
    "parameters order": _parameters_order,
    "buffers": lambda lib: list(net(lib).buffers()),
    # state dict
    "state_dict": lambda lib: _state(lib, net(lib)),
    "state_dict keep_vars": lambda lib: _state(lib, net(lib), keep_vars=True),
    "state_dict prefix": lambda lib: _state(lib, net(lib), prefix="model."),
    "state_dict values": lambda lib: net(lib).state_dict(),
    "state_dict metadata": _metadata,
    "state_dict shared": _shared_state,
    "state_dict hooks": _state_dict_hooks,
    "load strict ok": lambda lib: _load(lib, net(lib), net(lib).state_dict()),
    "load numpy arrays": lambda lib: _load(lib, net(lib), _np_state(lib)),
    "load missing": lambda lib: _load(
        lib, net(lib), {k: v for k, v in net(lib).state_dict().items() if k != "fc1.bias"}),
    "load missing non-strict": lambda lib: _load(
        lib, net(lib), {k: v for k, v in net(lib).state_dict().items() if k != "fc1.bias"},
        strict=False),
    "load unexpected": lambda lib: _load(
        lib, net(lib), {**net(lib).state_dict(), "fc1.extra": lib.zeros(1), "zzz": lib.ones(1)}),
    "load unexpected non-strict": lambda lib: _load(
        lib, net(lib), {**net(lib).state_dict(), "fc1.extra": lib.zeros(1)}, strict=False),
    "load non-persistent key": lambda lib: _load(
        lib, net(lib), {**net(lib).state_dict(), "cache": lib.zeros(2)}),
    "load size mismatch": lambda lib: _load(
        lib, net(lib), {**net(lib).state_dict(), "fc1.weight": lib.zeros(3, 4)}),
    "load size mismatch non-strict": lambda lib: _load(
        lib, net(lib), {**net(lib).state_dict(), "fc1.weight": lib.zeros(3, 4)}, strict=False),
    "load not a tensor": lambda lib: _load(
        lib, net(lib), {**net(lib).state_dict(), "fc1.weight": "w"}),
    "load not a dict": lambda lib: _load(lib, net(lib), [1, 2]),
    "load dtype cast": lambda lib: _load(
        lib, net(lib), {k: v.double() for k, v in net(lib).state_dict().items()}),
    "load assign": _assign_load,
    "load keeps identity": _load_keeps_identity,
    "load shared": _load_shared,
    "load hooks": _load_hooks,
    "extra state": _extra_state,
    "state_dict positional": _positional_state_dict,
    "load key of None param": _none_param_key,
    "load 0-d from 1-d": _zero_dim_from_one_dim,
    "load assign parameter object": _assign_parameter_object,
    "load assign buffers": _assign_buffer,
    "load mapping": _mapping_state,
    "setstate": _setstate_roundtrip,
    "init kwargs": _init_kwargs,
    "init args": _init_args,
    "zero_grad create_graph grad": _zero_grad_nonleaf_grad,
    "to_empty": _to_empty,
    "buffer persistence flip": _register_buffer_persistent_flip,
    "extra state missing": lambda lib: _load(lib, defs(lib).Extra(), {"p": lib.zeros(2)}),
    "extra state unexpected": lambda lib: _load(
        lib, net(lib), {**net(lib).state_dict(), "_extra_state": 1}),
    # modes, gradients, conversion
    "train eval": _train_eval,
    "train bad mode": _train_bad,
    "zero_grad none": lambda lib: _zero_grad(lib, True),
    "zero_grad zeros": lambda lib: _zero_grad(lib, False),
    "apply": _apply,
    "requires_grad_": _requires_grad_,
    "grad flow": _grad_flow,
    "double": lambda lib: _convert(lib, lambda lib, m: m.double()),
    "float": lambda lib: _convert(lib, lambda lib, m: m.double().float()),
    "to float64": lambda lib: _convert(lib, lambda lib, m: m.to(lib.float64)),
    "to dtype kw": lambda lib: _convert(lib, lambda lib, m: m.to(dtype=lib.float64)),
    "cpu": lambda lib: _convert(lib, lambda lib, m: m.cpu()),
    "to int dtype": _to_errors,
    "to variants": _to_variants,
    "type": _type_cast,
    "half": _half_forward,
    "param version": _param_version,
    # calling and hooks
    "call kwargs": _call_kwargs,
    "forward hooks": _hooks_log,
    "always_call hook": _always_call,
    "global hooks": _global_hooks,
    "pre hook replaces args": _pre_hook_replaces,
    "pre hook bad kwargs result": _pre_hook_bad_kwargs,
    "handle remove": _handle_remove,
    "registration hooks": _registration_hooks,
    # full backward hooks
    "backward hooks": _backward_hooks,
    "backward hooks no input grad": lambda lib: _backward_hooks(lib, x_grad=False),
    "backward hooks inner": lambda lib: _backward_hooks(lib, inner=True),
    "backward hook replaces": lambda lib: _backward_hooks(lib, replace=lambda gi: (gi[0] * 10,)),
    "backward hook bad length": lambda lib: _backward_hooks(
        lib, replace=lambda gi: (gi[0], gi[0])),
    "backward hook no input returns": lambda lib: _backward_hooks(
        lib, x_grad=False, replace=lambda gi: (lib.ones(2, 3),)),
    "backward pre hook replaces": lambda lib: _backward_hooks(
        lib, pre_replace=lambda go: (go[0] * 0.5,)),
    "backward pre hook bad length": lambda lib: _backward_hooks(
        lib, pre_replace=lambda go: (go[0], go[0])),
    "backward hooks multi": _backward_hooks_multi,
    "backward hook removed": _backward_hook_removed,
    "global backward hooks": _global_backward_hooks,
    # printing, copying, pickling
    "repr nested": _repr_nested,
    "repr empty": lambda lib: repr(lib.nn.Module()),
    "deepcopy shared": _deepcopy,
    "pickle": _pickle,
    "pickle shared": _pickle_shared,
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_module_like_torch(case):
    assert_same_outcome(CASES[case])


def _optimizer_after_move(lib, move):
    m = net(lib)
    params = list(m.parameters())
    opt = lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    history = []
    for step in range(4):
        if step == 2:
            move(lib, m)
        dtype = m.fc1.weight.dtype
        x = lib.linspace(-1, 1, 6, dtype=dtype).reshape(2, 3)
        opt.zero_grad()
        loss = m(x).pow(2).sum()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return (history, [p is q for p, q in zip(params, m.parameters())],
            [p is q for p, q in zip(params, opt.param_groups[0]["params"])],
            list(m.parameters()), [str(opt.state[p]["momentum_buffer"].dtype) for p in params])


@pytest.mark.parametrize("move", [
    lambda lib, m: m.double(),
    lambda lib, m: m.to(lib.float64),
    lambda lib, m: m.to(dtype=lib.float64).float(),
    lambda lib, m: m.cpu(),
], ids=["double", "to float64", "double then float", "cpu"])
def test_optimizer_keeps_working_after_moving_the_model(move):
    """to()/double() change each parameter in place: the optimizer built before still updates
    the model's parameters (identity, state keys and values as in torch)."""
    out = assert_same_outcome(lambda lib: _optimizer_after_move(lib, move), rtol=1e-5)
    assert out[0] == "ok" and all(out[1][1][1][1]) and all(out[1][1][2][1])


def test_warnings_point_at_the_users_line_as_torch():
    # torch's C++ warnings show the user's line, not the library's
    import warnings as _warnings
    for lib in (torch, gradstep):
        with _warnings.catch_warnings(record=True) as caught:
            _warnings.simplefilter("always")
            m = lib.nn.Linear(3, 2)
            m.register_full_backward_hook(lambda mod, gi, go: None)
            line_backward = sys._getframe().f_lineno + 1
            m(lib.ones(1, 3)).sum().backward()
            line_encoder = sys._getframe().f_lineno + 1
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2), 2)
        where = {str(w.message)[:20]: (w.filename, w.lineno) for w in caught}
        assert where["Full backward hook i"] == (__file__, line_backward), lib.__name__
        assert where["enable_nested_tensor"] == (__file__, line_encoder), lib.__name__
