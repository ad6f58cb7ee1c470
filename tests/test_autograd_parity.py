"""Autograd behaviour a script can observe, compared with torch case by case: grad modes, hooks
and what they may return, retain_grad, the argument checks of backward() and grad(), the .data
and .grad setters, detach_, autograd.Function details, anomaly mode, autograd.functional.

Each table maps a case name to ``fn(L)`` (L is gradstep or torch); ``assert_same_outcome`` runs it
on both and compares the result (values, dtype, shape, requires_grad), or the exception's type and
message, and the warnings.
"""
import functools
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _outcome import assert_same_outcome


@pytest.fixture(autouse=True)
def _modes_restored():
    yield
    for lib in (gradstep, torch):
        lib.set_grad_enabled(True)
        lib.autograd.set_detect_anomaly(False)


def X(L, values=(1., 2.)):
    return L.tensor(list(values), requires_grad=True)


def C(L, values=(1., 2.)):
    return L.tensor(list(values))


def _run(table, case):
    assert_same_outcome(table[case])


# ----- grad modes: bare decorators, non-bool modes, inference mode ------------------------------

def _bare_no_grad(L):
    @L.no_grad
    def fn(x):
        """doc"""
        return x * 2
    return fn(X(L)), fn.__name__, fn.__doc__


def _bare_enable_grad(L):
    @L.enable_grad
    def fn(x):
        return x * 2
    with L.no_grad():
        return fn(X(L))


def _bare_inference_mode(L):
    @L.inference_mode
    def fn(x):
        return x * 2, L.is_inference_mode_enabled(), L.is_grad_enabled()
    return fn(X(L)), L.is_inference_mode_enabled()


def _bare_no_grad_generator(L):
    @L.no_grad
    def gen():
        yield L.is_grad_enabled()
        yield L.is_grad_enabled()
    return list(gen()), L.is_grad_enabled()


def _bare_no_grad_method(L):
    class M:
        @L.no_grad
        def twice(self, x):
            return x * 2
    return M().twice(X(L))


def _enable_grad_inside_inference(L):
    x = X(L)
    with L.inference_mode():
        with L.enable_grad():
            y = x * 2
            enabled = L.is_grad_enabled()
        with L.set_grad_enabled(True):
            z = x * 3
    return y, enabled, z, L.is_grad_enabled()


def _inference_mode_false(L):
    x = X(L)
    out = []
    for outer in (L.no_grad, L.inference_mode):
        with outer():
            before = L.is_grad_enabled()
            with L.inference_mode(False):
                out.append(((x * 2).requires_grad, L.is_grad_enabled(),
                            L.is_inference_mode_enabled()))
            out.append((before, L.is_grad_enabled(), L.is_inference_mode_enabled()))
    return out


def _inference_mode_false_decorator(L):
    @L.inference_mode(False)
    def fn():
        return L.is_inference_mode_enabled(), L.is_grad_enabled()
    with L.inference_mode():
        return fn()


def _set_grad_enabled_function(L):
    out = []
    L.set_grad_enabled(False)
    out.append(L.is_grad_enabled())
    L.set_grad_enabled(mode=True)
    out.append(L.is_grad_enabled())
    out.append(repr(L.set_grad_enabled(True)))
    return out


def _backward_inside_inference_mode(L):
    x = X(L)
    y = (x * x).sum()
    with L.inference_mode():
        y.backward()
    return x.grad


GRAD_MODES = {
    "bare_no_grad": _bare_no_grad,
    "bare_enable_grad": _bare_enable_grad,
    "bare_inference_mode": _bare_inference_mode,
    "bare_no_grad_generator": _bare_no_grad_generator,
    "bare_no_grad_method": _bare_no_grad_method,
    "enable_grad_inside_inference": _enable_grad_inside_inference,
    "inference_mode_false": _inference_mode_false,
    "inference_mode_false_decorator": _inference_mode_false_decorator,
    "set_grad_enabled_function": _set_grad_enabled_function,
    "set_grad_enabled_int": lambda L: L.set_grad_enabled(0),
    "set_grad_enabled_str": lambda L: L.set_grad_enabled("a"),
    "set_grad_enabled_none": lambda L: L.set_grad_enabled(None),
    "set_grad_enabled_tensor": lambda L: L.set_grad_enabled(L.tensor(True)),
    "bare_set_grad_enabled": lambda L: L.set_grad_enabled(lambda: 1),
    "backward_inside_inference_mode": _backward_inside_inference_mode,
    "graph_made_inside_inference_mode": lambda L: _graph_in_inference(L),
}


def _graph_in_inference(L):
    x = X(L)
    with L.inference_mode():
        y = (x * 2).sum()
    y.backward()


@pytest.mark.parametrize("case", sorted(GRAD_MODES))
def test_grad_modes(case):
    _run(GRAD_MODES, case)


# ----- node hooks (grad_fn.register_hook / register_prehook) ------------------------------------

def _node_hook(ret, prehook=False, make=lambda L, x: x.exp()):
    """A backward through ``make`` with a node hook that returns ``ret(grads)``."""
    def run(L):
        x = X(L)
        y = make(L, x)
        if prehook:
            y.grad_fn.register_prehook(lambda go: ret(L, go))
        else:
            y.grad_fn.register_hook(lambda gi, go: ret(L, gi))
        y.sum().backward()
        return x.grad
    return run


def _hook_order(L):
    x = X(L)
    y = x * 2
    log = []
    y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].tolist())) or (go[0] * 10,))
    y.retain_grad()
    y.register_hook(lambda g: log.append(("t1", g.tolist())) or g * 2)
    y.register_hook(lambda g: log.append(("t2", g.tolist())) or g + 1)
    y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[0].tolist(), go[0].tolist())))
    y.sum().backward()
    return log, y.grad, x.grad


def _leaf_hook_order(L):
    x = X(L)
    log = []
    y = x * 2
    acc = y.grad_fn.next_functions[0][0]
    acc.register_prehook(lambda go: log.append(("accpre", go[0].tolist())) or (go[0] * 10,))
    x.register_hook(lambda g: log.append(("t", g.tolist())) or g + 1)
    x.register_post_accumulate_grad_hook(lambda p: log.append(("postacc", p.grad.tolist())))
    acc.register_hook(lambda gi, go: log.append(("accpost", len(gi), go[0].tolist())))
    y.sum().backward()
    return log, x.grad


def _accumulate_hook_returns(ret):
    def run(L):
        x = X(L)
        y = x * 2
        log = []
        y.grad_fn.next_functions[0][0].register_hook(
            lambda gi, go: log.append((gi, go)) or ret(L, go))
        y.sum().backward()
        return x.grad, log
    return run


def _prehook_takes_gradient_away(L):
    x = X(L)
    y = x * 2
    log = []
    y.grad_fn.register_prehook(lambda go: (None,))
    y.grad_fn.register_hook(lambda gi, go: log.append((gi, go)))
    y.sum().backward()
    return x.grad, log


def _chained_prehooks(L):
    x = X(L)
    y = x * 2
    log = []
    y.grad_fn.register_prehook(lambda go: log.append(go) or (go[0] * 2,))
    y.grad_fn.register_prehook(lambda go: log.append(go) or (go[0] * 3,))
    y.sum().backward()
    return x.grad, log


def _post_hook_sees_input_count(L):
    x = X(L)
    w = C(L, (3., 4.))
    log = []
    y = x * w
    y.grad_fn.register_hook(lambda gi, go: log.append(gi))
    y.sum().backward()
    return log


def _removed_node_hook(L):
    x = X(L)
    y = x.exp()
    handle = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0,))
    handle.remove()
    y.sum().backward()
    return x.grad


NODE_HOOKS = {
    "post_replaces": _node_hook(lambda L, gi: (gi[0] * 0 + 5,)),
    "post_none": _node_hook(lambda L, gi: None),
    "post_tensor": _node_hook(lambda L, gi: gi[0] * 2),
    "post_list": _node_hook(lambda L, gi: [gi[0] * 2]),
    "post_too_many": _node_hook(lambda L, gi: (gi[0] * 2, None)),
    "post_empty": _node_hook(lambda L, gi: ()),
    "post_int": _node_hook(lambda L, gi: (3,)),
    "post_double": _node_hook(lambda L, gi: (gi[0].double(),)),
    "post_size": _node_hook(lambda L, gi: (L.ones(3),)),
    "post_takes_away": _node_hook(lambda L, gi: (None,)),
    "post_replaces_none": _node_hook(lambda L, gi: (gi[0], L.ones(2)),
                                     make=lambda L, x: x * C(L, (3., 4.))),
    "post_two_inputs": _node_hook(lambda L, gi: (gi[0] * 3, None),
                                  make=lambda L, x: x * C(L, (3., 4.))),
    "pre_replaces": _node_hook(lambda L, go: (go[0] * 7,), prehook=True),
    "pre_tensor": _node_hook(lambda L, go: go[0] * 3, prehook=True),
    "pre_list": _node_hook(lambda L, go: [go[0]], prehook=True),
    "pre_too_many": _node_hook(lambda L, go: (go[0], None), prehook=True),
    "pre_int": _node_hook(lambda L, go: (3,), prehook=True),
    "pre_double": _node_hook(lambda L, go: (go[0].double(),), prehook=True),
    "pre_size": _node_hook(lambda L, go: (L.ones(3),), prehook=True),
    "pre_none": _node_hook(lambda L, go: None, prehook=True),
    "order": _hook_order,
    "leaf_order": _leaf_hook_order,
    "accumulate_hook_runs": _accumulate_hook_returns(lambda L, go: None),
    "accumulate_hook_returns_grad": _accumulate_hook_returns(lambda L, go: (go[0] * 7,)),
    "accumulate_hook_returns_empty": _accumulate_hook_returns(lambda L, go: ()),
    "prehook_takes_gradient_away": _prehook_takes_gradient_away,
    "chained_prehooks": _chained_prehooks,
    "post_hook_sees_input_count": _post_hook_sees_input_count,
    "removed_node_hook": _removed_node_hook,
}


@pytest.mark.parametrize("case", sorted(NODE_HOOKS))
def test_node_hooks(case):
    _run(NODE_HOOKS, case)


# ----- tensor hooks and post-accumulate hooks ------------------------------------------------

def _tensor_hook(hook, leaf=False):
    def run(L):
        x = X(L)
        y = x * 2
        (x if leaf else y).register_hook(lambda g: hook(L, g))
        y.sum().backward()
        return x.grad
    return run


class _Callable:
    def __call__(self, g):
        return g.double()


def _named(g):
    return g.double()


def _hook_names(L):
    names = []
    for hook in (_Callable(), functools.partial(_named), _named):
        x = X(L)
        y = x * 2
        y.register_hook(hook)
        try:
            y.sum().backward()
        except RuntimeError as e:
            names.append(str(e))
    return names


def _post_accumulate(hook):
    def run(L):
        x = X(L)
        x.register_post_accumulate_grad_hook(lambda p: hook(L, p))
        (x * 3).sum().backward()
        return x.grad
    return run


def _requires_grad_off_after_graph(L):
    x = X(L)
    log = []
    x.register_hook(lambda g: log.append("hook"))
    x.register_post_accumulate_grad_hook(lambda p: log.append("post"))
    y = x * 2
    x.requires_grad_(False)
    y.sum().backward()
    return x.grad, log


TENSOR_HOOKS = {
    "double": _tensor_hook(lambda L, g: g.double()),
    "double_leaf": _tensor_hook(lambda L, g: g.double(), leaf=True),
    "int": _tensor_hook(lambda L, g: 3),
    "int_leaf": _tensor_hook(lambda L, g: 3, leaf=True),
    "size": _tensor_hook(lambda L, g: L.ones(3)),
    "size_leaf": _tensor_hook(lambda L, g: L.ones(3), leaf=True),
    "broadcastable_size": _tensor_hook(lambda L, g: L.ones(1)),
    "reshaped": _tensor_hook(lambda L, g: g.reshape(2, 1)),
    "double_of_wrong_size": _tensor_hook(lambda L, g: L.ones(3, dtype=L.float64)),
    "replaces": _tensor_hook(lambda L, g: g * 5),
    "replaces_leaf": _tensor_hook(lambda L, g: g * 5, leaf=True),
    "hook_names": _hook_names,
    "post_accumulate_returns_tensor": _post_accumulate(lambda L, p: L.zeros(2)),
    "post_accumulate_returns_int": _post_accumulate(lambda L, p: 0),
    "post_accumulate_returns_none": _post_accumulate(lambda L, p: None),
    "post_accumulate_without_grad": lambda L: C(L).register_post_accumulate_grad_hook(
        lambda p: None),
    "post_accumulate_non_leaf": lambda L: (X(L) * 2).register_post_accumulate_grad_hook(
        lambda p: None),
    "requires_grad_off_after_graph": _requires_grad_off_after_graph,
}


@pytest.mark.parametrize("case", sorted(TENSOR_HOOKS))
def test_tensor_hooks(case):
    _run(TENSOR_HOOKS, case)


# ----- retain_grad, also across in-place ops -------------------------------------------------

def _retain_then_inplace(L):
    x = X(L)
    y = x * 1
    log = []
    y.register_hook(lambda g: log.append(g.tolist()))  # stays with the old value, as in torch
    y.retain_grad()
    y.mul_(3)
    (y * y).sum().backward()
    return y.grad, log, y.retains_grad


def _retain_then_inplace_on_a_view(L):
    x = X(L)
    y = x * 1
    y.retain_grad()
    y[:1].mul_(3)
    (y * y).sum().backward()
    return y.grad, y.retains_grad


def _retained_view_changed_in_place(L):
    x = X(L)
    b = x * 1
    v = b[:1]
    v.retain_grad()
    v.mul_(3)
    (b * b).sum().backward()
    return v.grad, v.retains_grad, v.grad_fn.name()


def _retain_then_detach_(L):
    x = X(L)
    y = x * 1
    y.retain_grad()
    y.detach_()
    return y.retains_grad, y.is_leaf


def _retain_then_two_inplace(L):
    x = X(L)
    y = x * 1
    y.retain_grad()
    y.mul_(3)
    y.add_(1)
    (y * y).sum().backward()
    return y.grad


def _retain_then_inplace_under_no_grad(L):
    x = X(L)
    y = x * 1
    y.retain_grad()
    z = y * 2
    with L.no_grad():
        y.mul_(3)
    z.sum().backward()
    return y.grad, y.retains_grad


def _retain_in_grad_call(L):
    x = X(L)
    y = x * 2
    y.retain_grad()
    g, = L.autograd.grad((y * y).sum(), x)
    return y.grad, g


def _retain_twice(L):
    x = X(L)
    y = x * 2
    y.retain_grad()
    y.retain_grad()
    y.sum().backward()
    return y.grad


def _grad_set_on_non_leaf(L):
    y = X(L) * 2
    first = y.grad  # warns: nothing to read yet
    y.grad = L.ones(2)
    return first, y.grad  # no warning: there is a value


RETAIN = {
    "then_inplace": _retain_then_inplace,
    "then_inplace_on_a_view": _retain_then_inplace_on_a_view,
    "view_changed_in_place": _retained_view_changed_in_place,
    "then_detach_": _retain_then_detach_,
    "then_two_inplace": _retain_then_two_inplace,
    "then_inplace_under_no_grad": _retain_then_inplace_under_no_grad,
    "in_grad_call": _retain_in_grad_call,
    "twice": _retain_twice,
    "grad_set_on_non_leaf": _grad_set_on_non_leaf,
    "on_tensor_without_grad": lambda L: C(L).retain_grad(),
}


@pytest.mark.parametrize("case", sorted(RETAIN))
def test_retain_grad(case):
    _run(RETAIN, case)


# ----- backward() and grad() arguments -------------------------------------------------------

def _inputs_non_leaf(L):
    x = X(L)
    y = x * 2
    (y * y).sum().backward(inputs=[y])
    return y.retains_grad, y.grad, x.grad


def _inputs_non_leaf_and_leaf(L):
    x = X(L)
    y = x * 2
    z = y * 3
    (z * z).sum().backward(inputs=[y, x])
    return y.grad, x.grad


def _inputs_not_reached(L):
    x = X(L)
    y = x * 2
    z = x * 3
    z.sum().backward(inputs=[y])
    return y.grad, x.grad


def _inputs_single_tensor(L):
    x = X(L)
    L.autograd.backward((x * 2).sum(), inputs=x)
    return x.grad


def _grad_variables(L):
    x = X(L)
    L.autograd.backward(x ** 2, grad_variables=L.ones(2))
    return x.grad


def _accumulates(L):
    x = X(L)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward(inputs=[y], retain_graph=True)
    (y * y).sum().backward(inputs=[y])
    return y.grad


def _grad_batched(shape_of_grads, out=lambda L, x: x ** 2, **kwargs):
    def run(L):
        x = X(L)
        grads = [L.ones(*s) for s in shape_of_grads]
        return L.autograd.grad(out(L, x), x, grads, is_grads_batched=True, **kwargs)
    return run


def _grad_batched_eye(L):
    x = X(L)
    return L.autograd.grad(x ** 2, x, L.eye(2), is_grads_batched=True)


def _grad_batched_unused(L, **kwargs):
    x = X(L)
    return L.autograd.grad([x ** 2], [x, X(L)], [L.ones(3, 2)], is_grads_batched=True, **kwargs)


def _grad_batched_create_graph(L):
    x = X(L)
    g, = L.autograd.grad([x ** 3], [x], [L.eye(2)], is_grads_batched=True, create_graph=True)
    return g, L.autograd.grad(g.sum(), x)


def _grad_batched_two_outputs(L):
    x = X(L)
    return L.autograd.grad([x * 2, (x * 3).sum()], [x], [L.ones(2, 2), L.tensor([1., 2.])],
                           is_grads_batched=True)


ARGUMENTS = {
    # outputs that do not require grad: named before anything else is checked
    "bool_output": lambda L: (X(L) > 1).sum().backward(),
    "constant_output": lambda L: C(L).backward(),
    "constant_output_with_gradient": lambda L: C(L).backward(L.ones(3)),
    "constant_scalar_with_gradient": lambda L: C(L).sum().backward(L.ones(3)),
    "grad_of_constant": lambda L: L.autograd.grad(C(L).sum(), [X(L)]),
    "grad_of_constant_wrt_constant": lambda L: L.autograd.grad(C(L).sum(), [C(L)]),
    "grad_wrt_constant": lambda L: L.autograd.grad((X(L) * 2).sum(), [C(L)]),
    "grad_wrt_constant_then_int": lambda L: L.autograd.grad((X(L) * 2).sum(), [C(L), 3]),
    "grad_of_bool": lambda L: L.autograd.grad((X(L) > 1).sum(), [X(L)]),
    "second_root_constant": lambda L: L.autograd.backward([(X(L) * 2).sum(), L.tensor(1.)]),
    "non_scalar_grad": lambda L: L.autograd.grad(X(L) * 2, [X(L)]),
    # gradients
    "gradient_number": lambda L: (X(L) * 2).sum().backward(1.),
    "gradient_int_tensor": lambda L: (X(L) * 2).sum().backward(L.tensor(1)),
    "gradient_double": lambda L: (X(L) * 2).sum().backward(L.tensor(1., dtype=L.float64)),
    "gradient_bool": lambda L: (X(L) * 2).backward(L.ones(2, dtype=L.bool)),
    "gradient_list_of_floats": lambda L: (X(L) * 2).backward([1., 1.]),
    "grad_outputs_list_of_floats": lambda L: L.autograd.grad(X(L) * 2, X(L), [1., 1.]),
    "grad_outputs_float_in_list": lambda L: L.autograd.grad((X(L) * 2).sum(), X(L), [2.0]),
    "grad_outputs_str": lambda L: L.autograd.grad(X(L) * 2, X(L), ["a"]),
    "grad_outputs_number": lambda L: L.autograd.grad((X(L) * 2).sum(), X(L), 2.0),
    "fewer_gradients": lambda L: (lambda x: L.autograd.grad(
        [(x * 2).sum(), (x * x).sum()], [x], [L.tensor(1.)]))(X(L)),
    "fewer_gradients_backward": lambda L: (lambda x: L.autograd.backward(
        [(x * 2).sum(), (x * x).sum()], [L.tensor(1.)]))(X(L)),
    "more_gradients": lambda L: (lambda x: L.autograd.grad(
        [(x * 2).sum()], [x], [L.tensor(1.), L.tensor(1.)]))(X(L)),
    "none_for_constant_output": lambda L: (lambda x: L.autograd.grad(
        [(x * 2).sum(), C(L).sum()], [x], [None]))(X(L)),
    "none_then_float": lambda L: (lambda x: L.autograd.grad(
        [(x * 2).sum(), x * 2], [x], [None, 3.]))(X(L)),
    "none_for_vector": lambda L: (lambda x: L.autograd.grad(
        [(x * 2).sum(), x * 2], [x], [None, None]))(X(L)),
    # inputs
    "grad_no_inputs": lambda L: L.autograd.grad((X(L) * 3).sum(), []),
    "grad_no_inputs_constant": lambda L: L.autograd.grad(C(L).sum(), ()),
    "grad_int_input": lambda L: (lambda x: L.autograd.grad((x * 2).sum(), [x, 3]))(X(L)),
    "grad_int_inputs": lambda L: L.autograd.grad((X(L) * 2).sum(), 3),
    "grad_int_output": lambda L: (lambda x: L.autograd.grad([(x * 2).sum(), 3], [x]))(X(L)),
    "backward_int_output": lambda L: L.autograd.backward([(X(L) * 2).sum(), 3]),
    "backward_int": lambda L: L.autograd.backward(3),
    "backward_int_input": lambda L: (lambda x: (x * 2).sum().backward(inputs=[x, 3]))(X(L)),
    "backward_no_inputs": lambda L: (X(L) * 2).sum().backward(inputs=[]),
    "backward_nothing": lambda L: L.autograd.backward([]),
    "backward_nothing_with_inputs": lambda L: L.autograd.backward([], inputs=[X(L)]),
    "backward_nothing_with_gradients": lambda L: L.autograd.backward([], [L.ones(2)]),
    "inputs_non_leaf": _inputs_non_leaf,
    "inputs_non_leaf_and_leaf": _inputs_non_leaf_and_leaf,
    "inputs_not_reached": _inputs_not_reached,
    "inputs_single_tensor": _inputs_single_tensor,
    "inputs_constant": lambda L: (X(L) * 2).sum().backward(inputs=[C(L)]),
    "inputs_constant_second": lambda L: (lambda x: (x * 2).sum().backward(
        inputs=[x, C(L)]))(X(L)),
    "inputs_of_constant_output": lambda L: L.autograd.backward([C(L).sum()], inputs=[C(L)]),
    "inputs_accumulate": _accumulates,
    # deprecated arguments
    "grad_variables": _grad_variables,
    "grad_variables_and_grad_tensors": lambda L: (lambda x: L.autograd.backward(
        x ** 2, L.ones(2), grad_variables=L.ones(2)))(X(L)),
    "only_inputs_false": lambda L: (lambda x: L.autograd.grad((x * 2).sum(), x,
                                                             only_inputs=False))(X(L)),
    "only_inputs_true": lambda L: (lambda x: L.autograd.grad((x * 2).sum(), x,
                                                            only_inputs=True))(X(L)),
    # is_grads_batched
    "batched_eye": _grad_batched_eye,
    "batched_scalar_output": _grad_batched([(3,)], out=lambda L, x: (x ** 2).sum()),
    "batched_rows": _grad_batched([(3, 2)]),
    "batched_double": lambda L: L.autograd.grad(X(L) ** 2, X(L), L.ones(3, 2, dtype=L.float64),
                                                is_grads_batched=True, allow_unused=True),
    "batched_wrong_shape": _grad_batched([(3,)]),
    "batched_wrong_shape_2d": _grad_batched([(3, 3)]),
    "batched_wrong_shape_3d": lambda L: L.autograd.grad(
        L.ones(2, 3, requires_grad=True) * 2, L.ones(2, 3, requires_grad=True),
        L.ones(4, 5, 6), is_grads_batched=True),
    "batched_sizes_differ": lambda L: (lambda x: L.autograd.grad(
        [x ** 2, x * 3], x, [L.ones(3, 2), L.ones(4, 2)], is_grads_batched=True))(X(L)),
    "batched_unused": lambda L: _grad_batched_unused(L, allow_unused=True),
    "batched_unused_materialized": lambda L: _grad_batched_unused(L, materialize_grads=True),
    "batched_unused_error": lambda L: _grad_batched_unused(L),
    "batched_implicit_vector": lambda L: (lambda x: L.autograd.grad(
        [x ** 2], [x], [None], is_grads_batched=True))(X(L)),
    "batched_implicit_scalar": lambda L: (lambda x: L.autograd.grad(
        [(x ** 2).sum()], [x], [None], is_grads_batched=True))(X(L)),
    "batched_0d_seed": lambda L: (lambda x: L.autograd.grad(
        [(x ** 2).sum()], [x], [L.tensor(2.)], is_grads_batched=True))(X(L)),
    "batched_empty_batch": lambda L: (lambda x: L.autograd.grad(
        [x ** 2], [x], [L.ones(0, 2)], is_grads_batched=True))(X(L)),
    "batched_create_graph": _grad_batched_create_graph,
    "batched_two_outputs": _grad_batched_two_outputs,
}


@pytest.mark.parametrize("case", sorted(ARGUMENTS))
def test_backward_and_grad_arguments(case):
    _run(ARGUMENTS, case)


# ----- .data and .grad setters -----------------------------------------------------------------

def _set_data(value):
    def run(L):
        x = X(L)
        x.data = value(L)
        return x, x.requires_grad
    return run


def _set_grad(value, x=X):
    def run(L):
        t = x(L)
        t.grad = value(L, t)
        return t.grad
    return run


def _data_then_backward(L):
    x = X(L)
    x.data = L.ones(3, dtype=L.float64)
    (x * 2).sum().backward()
    return x.grad


SETTERS = {
    "data_int_on_requires_grad": _set_data(lambda L: L.tensor([3, 4])),
    "data_int_on_constant": lambda L: (lambda x: (setattr(x, "data", L.tensor([3, 4])), x)[1])(
        C(L)),
    "data_list": _set_data(lambda L: [1., 2.]),
    "data_none": _set_data(lambda L: None),
    "data_other_shape": _set_data(lambda L: L.ones(3)),
    "data_requiring_grad": _set_data(lambda L: L.tensor([5., 6.], requires_grad=True)),
    "data_then_backward": _data_then_backward,
    "grad_size": _set_grad(lambda L, t: L.ones(3)),
    "grad_size_2d": _set_grad(lambda L, t: L.ones(1, 2)),
    "grad_double": _set_grad(lambda L, t: L.ones(2, dtype=L.float64)),
    "grad_double_and_size": _set_grad(lambda L, t: L.ones(3, dtype=L.float64)),
    "grad_float_on_double": _set_grad(lambda L, t: L.ones(2),
                                      x=lambda L: X(L).detach().double()),
    "grad_list": _set_grad(lambda L, t: [1., 2.]),
    "grad_self": _set_grad(lambda L, t: t),
    "grad_requiring_grad": _set_grad(lambda L, t: L.ones(2, requires_grad=True)),
    "grad_int_on_int": _set_grad(lambda L, t: L.ones(2, dtype=L.int64), x=lambda L: L.tensor([1, 2])),
}
for _name in ("float16", "int64", "int32", "int16", "int8", "uint8", "bool"):
    SETTERS[f"grad_{_name}"] = _set_grad(lambda L, t, _name=_name: L.ones(2, dtype=getattr(L, _name)))


@pytest.mark.parametrize("case", sorted(SETTERS))
def test_data_and_grad_setters(case):
    _run(SETTERS, case)


# ----- detach_ and requires_grad --------------------------------------------------------------

def _detach_(view):
    def run(L):
        v = view(L)
        v.detach_()
        return v, v.is_leaf
    return run


DETACH = {
    "slice": _detach_(lambda L: C(L)[:1]),
    "detach": _detach_(lambda L: C(L).detach()),
    "detach_of_requires_grad": _detach_(lambda L: X(L).detach()),
    "detach_of_a_view": _detach_(lambda L: C(L)[:1].detach()),
    "data": _detach_(lambda L: X(L).data),
    "view": _detach_(lambda L: L.tensor([[1., 2.]]).view(2)),
    "reshape": _detach_(lambda L: L.tensor([[1., 2.]]).reshape(2)),
    "t": _detach_(lambda L: L.tensor([[1., 2.]]).t()),
    "squeeze": _detach_(lambda L: L.tensor([[1., 2.]]).squeeze(0)),
    "expand": _detach_(lambda L: L.tensor([[1., 2.]]).expand(3, 2)),
    "contiguous": _detach_(lambda L: L.tensor([[1., 2.]]).contiguous()),
    "unbind": _detach_(lambda L: L.tensor([[1., 2.]]).unbind(0)[0]),
    "index": _detach_(lambda L: L.tensor([[1., 2.]])[0]),
    "advanced_index": _detach_(lambda L: L.tensor([[1., 2.]])[[0]]),
    "flatten": _detach_(lambda L: L.tensor([[1., 2.]]).flatten()),
    "view_of_non_leaf": _detach_(lambda L: (X(L) * 2)[:1]),
    "view_of_leaf": _detach_(lambda L: X(L)[:1]),
    "non_leaf": _detach_(lambda L: X(L) * 2),
}


@pytest.mark.parametrize("case", sorted(DETACH))
def test_detach_(case):
    _run(DETACH, case)


# ----- autograd.Function -------------------------------------------------------------------------

def _functions(L):
    class Double(L.autograd.Function):  # in place, on what may be a view
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Scale(L.autograd.Function):  # in place by another tensor, which gets no gradient
        @staticmethod
        def forward(ctx, x, w):
            x.mul_(w)
            ctx.mark_dirty(x)
            ctx.save_for_backward(w)
            return x

        @staticmethod
        def backward(ctx, g):
            w, = ctx.saved_tensors
            return g * w, None

    class Identity(L.autograd.Function):  # returns its input, non-differentiable
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class IdentityAndDouble(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable(x)
            return x, x * 2

        @staticmethod
        def backward(ctx, g, h):
            return h * 2

    class Affine(L.autograd.Function):  # a number between two tensors
        @staticmethod
        def forward(ctx, a, k, b):
            return a * k + b

        @staticmethod
        def backward(ctx, g):
            return g, None, g

    class AffineGradForNumber(Affine):
        @staticmethod
        def backward(ctx, g):
            return g, g, g

    class AffineTooFew(Affine):
        @staticmethod
        def backward(ctx, g):
            return g, None

    return Double, Scale, Identity, IdentityAndDouble, Affine, AffineGradForNumber, AffineTooFew


def _dirty_view(L):
    Double = _functions(L)[0]
    x = X(L, (1., 2., 3.))
    b = x * 1
    v = b[:2]
    r = Double.apply(v)
    seen = (r is v, v.grad_fn.name(), b.grad_fn.name(), v._version, b._version)
    b.sum().backward()
    return seen, x.grad


def _dirty_view_through_the_view(L):
    Double = _functions(L)[0]
    x = X(L, (1., 2., 3.))
    b = x * 1
    v = b[:2]
    Double.apply(v)
    (v * 3).sum().backward()
    return x.grad


def _dirty_column(L):
    Double = _functions(L)[0]
    x = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    b = x * 1
    v = b[:, 1]
    Double.apply(v)
    (b * b).sum().backward()
    return b, x.grad


def _dirty_view_of_constant(L):
    Scale = _functions(L)[1]
    w = L.tensor([5., 6.], requires_grad=True)
    base = C(L, (1., 2., 3.))
    v = base[1:]
    Scale.apply(v, w)
    seen = (v.grad_fn.name(), base.grad_fn.name(), base.requires_grad)
    base.sum().backward()
    return seen, w.grad


def _affine(L, which=4, hook=None):
    fn = _functions(L)[which]
    x = X(L)
    w = L.tensor([1., 2.], requires_grad=True)
    y = fn.apply(x, 3, w)
    log = []
    if hook:
        y.grad_fn.register_hook(hook)
    y.grad_fn.register_hook(lambda gi, go: log.append(gi))
    y.grad_fn.register_prehook(lambda go: log.append(go))
    y.sum().backward()
    return [n.name() for n, _ in y.grad_fn.next_functions], log, x.grad, w.grad


class _TwoOutputs:
    @staticmethod
    def of(L):
        class Two(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3
        return Two


def _listed(grads):
    return [None if g is None else g.tolist() for g in grads]


def _two_outputs_node_hooks(L):
    x = X(L)
    log = []
    p, q = _TwoOutputs.of(L).apply(x)
    node = p.grad_fn  # the one node of both outputs
    node.register_prehook(lambda go: log.append(_listed(go)) or (go[0], go[1] * 10))
    node.register_hook(lambda gi, go: log.append((_listed(gi), _listed(go))))
    (p.sum() + (q * 2).sum()).backward()
    return log, x.grad


def _two_outputs_one_used(L):
    x = X(L)
    log = []
    p, q = _TwoOutputs.of(L).apply(x)
    p.grad_fn.register_prehook(lambda go: log.append(_listed(go)))
    p.sum().backward()
    return log, x.grad


FUNCTIONS = {
    "two_outputs_node_hooks": _two_outputs_node_hooks,
    "two_outputs_one_used": _two_outputs_one_used,
    "dirty_view": _dirty_view,
    "dirty_view_through_the_view": _dirty_view_through_the_view,
    "dirty_column": _dirty_column,
    "dirty_view_of_leaf": lambda L: _functions(L)[0].apply(X(L, (1., 2., 3.))[:2]),
    "dirty_view_of_constant": _dirty_view_of_constant,
    "non_differentiable_input": lambda L: _functions(L)[2].apply(X(L)),
    "non_differentiable_input_of_two": lambda L: (lambda out: (
        out[0].requires_grad, out[0].grad_fn, out[1].requires_grad, out[1].grad_fn.name()))(
        _functions(L)[3].apply(X(L))),
    "number_argument_edges": _affine,
    "gradient_for_a_number": lambda L: _affine(L, 5),
    "too_few_gradients": lambda L: _affine(L, 6),
    "hook_with_one_per_argument": lambda L: _affine(L, hook=lambda gi, go: (gi[0], None, gi[1])),
}


@pytest.mark.parametrize("case", sorted(FUNCTIONS))
def test_functions(case):
    _run(FUNCTIONS, case)


# ----- anomaly mode ------------------------------------------------------------------------

def _anomaly_nan(L):
    x = L.tensor([0., 1.], requires_grad=True)
    with L.autograd.detect_anomaly():
        y = x * 0
        z = y / y
        z.sum().backward()


def _anomaly_inplace_saved_output(L):
    x = L.tensor([0., 1.], requires_grad=True)
    with L.autograd.detect_anomaly():
        y = x.exp()
        y.add_(1)
        y.sum().backward()


def _anomaly_inplace_saved_input(L):
    x = L.tensor([0., 1.], requires_grad=True)
    L.autograd.set_detect_anomaly(True)
    a = x * 1
    y = a * a
    a.add_(1)
    y.sum().backward()


def _anomaly_function_error(L):
    class Fails(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("backward failed")

    x = X(L)
    with L.autograd.detect_anomaly():
        Fails.apply(x).sum().backward()


ANOMALY = {
    "nan": _anomaly_nan,
    "inplace_saved_output": _anomaly_inplace_saved_output,
    "inplace_saved_input": _anomaly_inplace_saved_input,
    "function_error": _anomaly_function_error,
}


def _anomaly_outcome(fn, lib):
    """The outcome, with the forward traceback cut to its innermost frame (the stack above the
    case differs between the two runs). torch's own Python frames are left out of its traceback;
    gradstep's must not be there at all."""
    from _outcome import outcome
    kind, *rest, caught = outcome(fn, lib)
    torch_dir = torch.__file__.rsplit("/", 1)[0]
    shown = []
    for category, message in caught:
        if message.startswith("Error detected in "):
            head, _, trace = message.partition("\n")
            trace, _, suffix = trace.rpartition("\n ")
            lines = trace.split("\n")
            frames = [lines[i:i + 2] for i in range(0, len(lines), 2)]
            frames = [f for f in frames if not f[0].strip().startswith(f'File "{torch_dir}')]
            message = (head, frames[-1][1].strip(), suffix)
        shown.append((category, message))
    return (kind, *rest, shown)


@pytest.mark.parametrize("case", sorted(ANOMALY))
def test_anomaly_mode(case):
    """The warning shows the user's forward line (no gradstep frame) and torch's suffix."""
    ours = _anomaly_outcome(ANOMALY[case], gradstep)
    theirs = _anomaly_outcome(ANOMALY[case], torch)
    assert ours == theirs
    warned = [m for _, m in ours[-1] if isinstance(m, tuple)]
    assert len(warned) == 1


# ----- autograd.functional -------------------------------------------------------------------

def _x(L):
    return L.tensor([0.3, -1.2, 0.7], dtype=L.float64)


def _y(L):
    return L.tensor([1.5, 0.5, -2.0], dtype=L.float64)


def _ones(L, n=3):
    return L.ones(n, dtype=L.float64)


def _one(L):
    return L.tensor(1., dtype=L.float64)


def _cube(a):
    return a ** 3


def _cube_sum(a):
    return (a ** 3).sum()


def _exp_sum(a):
    return a.exp().sum()


def _two(a, b):
    return (a * b + a.exp()).sum()


def _functional_cases():
    cases = {}
    for name in ("vjp", "jvp", "vhp", "hvp"):
        scalar = name in ("vhp", "hvp")
        f = _cube_sum if scalar else _cube

        def call(L, *args, _name=name, **kwargs):
            return getattr(L.autograd.functional, _name)(*args, **kwargs)

        c = {
            "basic": lambda L, call=call, f=f: call(L, f, _x(L), _ones(L)),
            "v_none": lambda L, call=call, f=f: call(L, f, _x(L)),
            "v_none_one_element": lambda L, call=call: call(
                L, _cube_sum, L.tensor([0.4], dtype=L.float64)),
            "list_inputs": lambda L, call=call: call(L, _two, [_x(L), _y(L)],
                                                     (_ones(L), _ones(L))),
            "tuple_inputs": lambda L, call=call: call(L, _two, (_x(L), _y(L)),
                                                      (_ones(L), _ones(L))),
            "v_list": lambda L, call=call: call(L, _two, (_x(L), _y(L)), [_ones(L), _ones(L)]),
            "v_short": lambda L, call=call: call(L, _two, (_x(L), _y(L)), (_ones(L),)),
            "v_size": lambda L, call=call: call(L, _two, (_x(L), _y(L)), (_ones(L), _ones(L, 2))),
            "v_size_single": lambda L, call=call, f=f: call(L, f, _x(L), _ones(L, 2)),
            "v_tuple_for_single": lambda L, call=call, f=f: call(L, f, _x(L),
                                                                 (_ones(L), _ones(L))),
            "v_tuple_of_one": lambda L, call=call, f=f: call(L, f, _x(L), (_ones(L),)),
            "v_number": lambda L, call=call, f=f: call(L, f, _x(L), 3.0),
            "number_input": lambda L, call=call, f=f: call(L, f, 3.0, _ones(L)),
            "number_in_inputs": lambda L, call=call: call(L, _two, (_x(L), 3.0),
                                                          (_ones(L), _ones(L))),
            "float_output": lambda L, call=call: call(L, lambda a: 3.0, _x(L), _ones(L)),
            "number_in_outputs": lambda L, call=call: call(L, lambda a: (a.sum(), 3.0), _x(L),
                                                           _ones(L)),
            "tuple_output": lambda L, call=call: call(L, lambda a: (a.sum(), (a * a).sum()),
                                                      _x(L), _ones(L)),
            "vector_output": lambda L, call=call: call(L, _cube, _x(L), _ones(L)),
            "strict_independent": lambda L, call=call: call(
                L, lambda a, b: (a ** 3).sum(), (_x(L), _y(L)), (_ones(L), _ones(L)),
                strict=True),
            "strict_detached": lambda L, call=call: call(L, lambda a: (a.detach() ** 3).sum(),
                                                         _x(L), _ones(L), strict=True),
            "strict_linear": lambda L, call=call: call(L, lambda a: (a * 2).sum(), _x(L),
                                                       _ones(L), strict=True),
            "strict_linear_create_graph": lambda L, call=call: call(
                L, lambda a: (a * 2).sum(), _x(L), _ones(L), strict=True, create_graph=True),
            "strict_exp": lambda L, call=call: call(L, _exp_sum, _x(L), _ones(L), strict=True),
            "strict_exp_create_graph": lambda L, call=call: call(
                L, _exp_sum, _x(L), _ones(L), strict=True, create_graph=True),
            "create_graph": lambda L, call=call, f=f: call(L, f, _x(L), _ones(L),
                                                           create_graph=True),
            "create_graph_input_requires_grad": lambda L, call=call, f=f: call(
                L, f, _x(L).requires_grad_(), _ones(L), create_graph=True),
            "independent_input": lambda L, call=call: call(
                L, lambda a, b: (a ** 3).sum(), (_x(L), _y(L)), (_ones(L), _ones(L))),
            "int_input": lambda L, call=call: call(L, lambda a: (a * 2).sum(),
                                                   L.tensor([1, 2, 3]), L.ones(3)),
            "strict_partly_linear": lambda L, call=call: call(
                L, lambda a, b: (a.exp() + b).sum(), (_x(L), _y(L)), (_ones(L), _ones(L)),
                strict=True),
            "strict_both": lambda L, call=call: call(
                L, lambda a, b: (a.exp() * b).sum(), (_x(L), _y(L)), (_ones(L), _ones(L)),
                strict=True),
        }
        if name == "vjp":
            c.update({
                "scalar_strict_independent": lambda L: L.autograd.functional.vjp(
                    lambda a, b: (a ** 3).sum(), (_x(L), _y(L)), _one(L), strict=True),
                "scalar_strict_linear": lambda L: L.autograd.functional.vjp(
                    lambda a: (a * 2).sum(), _x(L), _one(L), strict=True),
                "scalar_strict_linear_create_graph": lambda L: L.autograd.functional.vjp(
                    lambda a: (a * 2).sum(), _x(L), _one(L), strict=True, create_graph=True),
                "scalar_strict_create_graph": lambda L: L.autograd.functional.vjp(
                    _cube_sum, _x(L), _one(L), strict=True, create_graph=True),
                "two_outputs": lambda L: L.autograd.functional.vjp(
                    lambda a, b: (a * 2, b * 3), (_x(L), _y(L)), (_ones(L), _ones(L))),
                "detached_output": lambda L: L.autograd.functional.vjp(
                    lambda a, b: (a * 2, b.detach() * 3), (_x(L), _y(L)), (_ones(L), _ones(L))),
                "strict_detached_output": lambda L: L.autograd.functional.vjp(
                    lambda a, b: (a * 2, b.detach() * 3), (_x(L), _y(L)), (_ones(L), _ones(L)),
                    strict=True),
            })
        if name == "jvp":
            c.update({
                "detached_output": lambda L: L.autograd.functional.jvp(
                    lambda a, b: (a * 2, b.detach() * 3), (_x(L), _y(L)), (_ones(L), _ones(L))),
                "all_detached": lambda L: L.autograd.functional.jvp(
                    lambda a: a.detach() * 3, _x(L), _ones(L)),
            })
        for case, fn in c.items():
            cases[f"{name}_{case}"] = fn
    for name in ("jacobian", "hessian"):
        f = _cube_sum if name == "hessian" else _cube

        def call(L, *args, _name=name, **kwargs):
            return getattr(L.autograd.functional, _name)(*args, **kwargs)

        c = {
            "basic": lambda L, call=call, f=f: call(L, f, _x(L)),
            "list_inputs": lambda L, call=call: call(L, _two, [_x(L), _y(L)]),
            "tuple_inputs": lambda L, call=call: call(L, _two, (_x(L), _y(L))),
            "number_input": lambda L, call=call, f=f: call(L, f, 3.0),
            "float_output": lambda L, call=call: call(L, lambda a: 3.0, _x(L)),
            "tuple_output": lambda L, call=call: call(L, lambda a: (a.sum(), (a * a).sum()),
                                                      _x(L)),
            "list_output": lambda L, call=call: call(L, lambda a: [a.sum(), (a * a).sum()],
                                                     _x(L)),
            "vector_output": lambda L, call=call: call(L, _cube, _x(L)),
            "strict_independent": lambda L, call=call: call(
                L, lambda a, b: (a ** 3).sum(), (_x(L), _y(L)), strict=True),
            "strict_detached": lambda L, call=call: call(L, lambda a: (a.detach() ** 3).sum(),
                                                         _x(L), strict=True),
            "strict_linear": lambda L, call=call: call(L, lambda a: (a * 2).sum(), _x(L),
                                                       strict=True),
            "strict_linear_create_graph": lambda L, call=call: call(
                L, lambda a: (a * 2).sum(), _x(L), strict=True, create_graph=True),
            "strict_exp": lambda L, call=call: call(L, _exp_sum, _x(L), strict=True),
            "strict_exp_create_graph": lambda L, call=call: call(L, _exp_sum, _x(L), strict=True,
                                                                 create_graph=True),
            "create_graph": lambda L, call=call, f=f: call(L, f, _x(L), create_graph=True),
            "vectorize": lambda L, call=call, f=f: call(L, f, _x(L), vectorize=True),
            "vectorize_strict": lambda L, call=call, f=f: call(L, f, _x(L), vectorize=True,
                                                               strict=True),
            "independent_input": lambda L, call=call: call(L, lambda a, b: (a ** 3).sum(),
                                                           (_x(L), _y(L))),
            "matrix_input": lambda L, call=call, name=name: call(
                L, _cube_sum if name == "hessian" else _cube, L.ones(2, 2, dtype=L.float64)),
            "zero_dim_input": lambda L, call=call: call(L, _cube, L.tensor(2., dtype=L.float64)),
            "int_input": lambda L, call=call: call(L, lambda a: (a * 2).sum(),
                                                   L.tensor([1, 2, 3])),
        }
        for case, fn in c.items():
            cases[f"{name}_{case}"] = fn
    F = "autograd.functional"  # noqa: F841 - for readers: every case below is in it
    cases.update({
        "jacobian_bad_strategy": lambda L: L.autograd.functional.jacobian(_cube, _x(L),
                                                                          strategy="bad"),
        "jacobian_forward_mode": lambda L: L.autograd.functional.jacobian(
            _cube, _x(L), strategy="forward-mode"),
        "jacobian_forward_mode_create_graph": lambda L: L.autograd.functional.jacobian(
            _cube, _x(L), strategy="forward-mode", create_graph=True),
        "hessian_bad_strategy": lambda L: L.autograd.functional.hessian(
            _cube_sum, _x(L), outer_jacobian_strategy="bad"),
        "hessian_forward_mode": lambda L: L.autograd.functional.hessian(
            _cube_sum, _x(L), outer_jacobian_strategy="forward-mode"),
        "jacobian_two_inputs_two_outputs": lambda L: L.autograd.functional.jacobian(
            lambda a, b: (a * b, a + b.sum()), (_x(L), _y(L))),
        "jacobian_two_outputs": lambda L: L.autograd.functional.jacobian(
            lambda a: (a * 2, a.sum()), _x(L)),
        "jacobian_input_requires_grad": lambda L: L.autograd.functional.jacobian(
            _cube, _x(L).requires_grad_()),
        "jacobian_detached_output": lambda L: L.autograd.functional.jacobian(
            lambda a: a.detach() * 2, _x(L)),
        "jacobian_partly_detached": lambda L: L.autograd.functional.jacobian(
            lambda a: (a * 2, a.detach()), _x(L)),
        "jacobian_strict_exp_create_graph": lambda L: L.autograd.functional.jacobian(
            lambda a: a.exp(), _x(L), strict=True, create_graph=True),
        "jacobian_slice": lambda L: L.autograd.functional.jacobian(lambda a: a[:2], _x(L)),
        "jacobian_empty_output": lambda L: L.autograd.functional.jacobian(lambda a: a[:0], _x(L)),
    })
    return cases


FUNCTIONAL = _functional_cases()


@pytest.mark.parametrize("case", sorted(FUNCTIONAL))
def test_functional(case):
    _run(FUNCTIONAL, case)


# ----- Variable -----------------------------------------------------------------------------

def _variable(L):
    Variable = L.autograd.Variable
    t = C(L)
    v = Variable(t)
    w = Variable(t, requires_grad=True)
    z = X(L) * 2
    u = Variable(z)
    return (v is t, v, w, w.is_leaf, t.requires_grad, isinstance(t, Variable),
            isinstance(3, Variable), u is z, u.grad_fn, Variable())


VARIABLE = {
    "basics": _variable,
    "list": lambda L: L.autograd.Variable([1., 2.]),
    "volatile": lambda L: L.autograd.Variable(C(L), volatile=True),
    "int_requires_grad": lambda L: L.autograd.Variable(L.tensor([1, 2]), requires_grad=True),
}


@pytest.mark.parametrize("case", sorted(VARIABLE))
def test_variable(case):
    _run(VARIABLE, case)


def test_same_warnings_are_compared():
    """The tables above rely on warnings being part of the outcome: a differing one fails."""
    from _outcome import close, outcome

    def warns(L):
        if L is gradstep:
            warnings.warn("only here")
        return 1
    assert not close(outcome(warns, gradstep), outcome(warns, torch))


# ----- autograd.graph: register_multi_grad_hook, saved_tensors_hooks ----------------------------

def _grads_log(log):
    return lambda gs: log.append([None if g is None else g.tolist() for g in gs])


def _multi_all(L):
    x, y = X(L), X(L)
    log = []
    handle = L.autograd.graph.register_multi_grad_hook((x, y), _grads_log(log))
    (x * 2 + y * 3).sum().backward()
    (x * 2).sum().backward()  # y takes no part: None for it
    handle.remove()
    (x * 2 + y).sum().backward()
    return log, x.grad, type(handle).__name__


def _multi_any(L):
    x, y = X(L), X(L)
    log = []
    L.autograd.graph.register_multi_grad_hook((x, y), lambda g: log.append(g.tolist()),
                                              mode="any")
    (x * 2 + y * 3).sum().backward()
    (y * 5).sum().backward()
    return log


def _multi_non_leaves(L):
    x = X(L)
    a, b = x * 2, x * 3
    log = []
    L.autograd.graph.register_multi_grad_hook((a, b), _grads_log(log))
    (a * b).sum().backward()
    return log


def _multi_with_inputs(L):
    x, y = X(L), X(L)
    a = x * 1
    log = []
    L.autograd.graph.register_multi_grad_hook((a, y), _grads_log(log))
    (a * 2).sum().backward(inputs=[x])
    return log


def _multi_in_grad_call(L):
    x, y = X(L), X(L)
    L.autograd.graph.register_multi_grad_hook((x, y), lambda gs: None)
    return L.autograd.grad((x * 2).sum(), x)


def _multi_list(L):
    x, y = X(L), X(L)
    log = []
    L.autograd.graph.register_multi_grad_hook([x, y], lambda gs: log.append(type(gs).__name__))
    (x * 2 + y).sum().backward()
    return log


def _saved(f, pack=lambda p: p, unpack=lambda p: p, after=None):
    """f(L, x, w) recorded under saved_tensors_hooks(pack, unpack); the gradients and a second
    derivative."""
    def run(L):
        x = L.tensor([[0.5, -1.], [2., 0.3]], dtype=L.float64, requires_grad=True)
        w = L.tensor([[1.5, 2.], [-0.5, 3.]], dtype=L.float64, requires_grad=True)
        with L.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = f(L, x, w)
        if after:
            after(L, x, w)
        gx, gw = L.autograd.grad(y.sum(), [x, w], create_graph=True, allow_unused=True)
        gg = L.autograd.grad(sum(g.sum() for g in (gx, gw) if g is not None), [x, w],
                             allow_unused=True)
        return gx, gw, gg
    return run


def _clone_then_change(L, x, w):
    with L.no_grad():
        x.add_(1)
        w.mul_(2)


def _clone(p):
    return p.detach().clone()


def _logged(record, pack_result=lambda p: p):
    def run(L):
        x = X(L)
        log = []
        with L.autograd.graph.saved_tensors_hooks(
                lambda p: log.append(("pack", p.tolist())) or pack_result(p),
                lambda p: log.append(("unpack", p.tolist())) or p):
            y = record(L, x)
        y.sum().backward()
        return log, x.grad
    return run


def _hooks_log_counts(L):
    x = X(L)
    log = []
    with L.autograd.graph.saved_tensors_hooks(lambda p: log.append("p") or p,
                                              lambda p: log.append("u") or p):
        y = x * x
    g, = L.autograd.grad(y.sum(), x, create_graph=True)
    g.sum().backward()
    y2 = x * x  # outside: nothing packed
    y2.sum().backward()
    return log, x.grad


def _hooks_retained(L):
    x = X(L)
    log = []
    with L.autograd.graph.saved_tensors_hooks(lambda p: log.append("p") or p,
                                              lambda p: log.append("u") or p):
        y = x * x
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    return log, x.grad


def _hooks_nested(L):
    x = X(L)
    log = []
    with L.autograd.graph.saved_tensors_hooks(lambda p: log.append("outer") or p, lambda p: p):
        with L.autograd.graph.saved_tensors_hooks(lambda p: log.append("inner") or p,
                                                  lambda p: p):
            y = x * x
    y.sum().backward()
    return log


def _hooks_on_function(L):
    class Scaled(L.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return g * a

    x = X(L)
    log = []
    with L.autograd.graph.saved_tensors_hooks(lambda p: log.append(p.tolist()) or p * 10,
                                              lambda p: p):
        y = Scaled.apply(x)
    y.sum().backward()
    return log, x.grad


def _hooks_disabled(L):
    with L.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        with L.autograd.graph.saved_tensors_hooks(lambda p: p, lambda p: p):
            pass


def _second_backward_with_hooks(L):
    x = X(L)
    with L.autograd.graph.saved_tensors_hooks(lambda p: p, lambda p: p):
        y = (x * x).sum()
    y.backward()
    y.backward()


def _version_not_checked(L):
    x = X(L)
    a = x * 1
    with L.autograd.graph.saved_tensors_hooks(lambda p: p, lambda p: p):
        y = a * a
    a.add_(1)
    y.sum().backward()
    return x.grad


GRAPH = {
    "multi_all": _multi_all,
    "multi_any": _multi_any,
    "multi_non_leaves": _multi_non_leaves,
    "multi_with_inputs": _multi_with_inputs,
    "multi_in_grad_call": _multi_in_grad_call,
    "multi_list": _multi_list,
    "multi_bad_mode": lambda L: L.autograd.graph.register_multi_grad_hook(
        (X(L),), lambda gs: None, mode="bad"),
    "multi_constant": lambda L: L.autograd.graph.register_multi_grad_hook(
        (X(L), C(L)), lambda gs: None),
    "saved_sin": _logged(lambda L, x: x.sin()),
    "saved_exp_output": _logged(lambda L, x: x.exp() * 1),
    "saved_mul_constant": _logged(lambda L, x: x * C(L, (5., 6.))),
    "saved_mul_number": _logged(lambda L, x: x * 2),
    "saved_add": _logged(lambda L, x: x + C(L)),
    "saved_pack_scaled": _logged(lambda L, x: x.sin(), pack_result=lambda p: p * 10),
    "saved_pack_int": _logged(lambda L, x: x.sin(), pack_result=lambda p: 3),
    "saved_unpack_int": lambda L: _saved(lambda L, x, w: x * w, unpack=lambda p: 3)(L),
    "saved_counts_create_graph": _hooks_log_counts,
    "saved_retained": _hooks_retained,
    "saved_nested": _hooks_nested,
    "saved_function": _hooks_on_function,
    "saved_disabled": _hooks_disabled,
    "saved_second_backward": _second_backward_with_hooks,
    "saved_version_not_checked": _version_not_checked,
    "saved_on_cpu": _saved(lambda L, x, w: (x * w).exp()),
    "save_on_cpu": lambda L: (lambda x: (lambda y: (y.sum().backward(), x.grad)[1])(
        _on_cpu(L, x)))(X(L)),
}


def _on_cpu(L, x):
    with L.autograd.graph.save_on_cpu():
        return x * x


SAVED_OPS = {
    "mul": lambda L, x, w: x * w,
    "div": lambda L, x, w: x / w,
    "exp": lambda L, x, w: x.exp() * w,
    "tanh": lambda L, x, w: x.tanh(),
    "sigmoid": lambda L, x, w: x.sigmoid() * w,
    "cube": lambda L, x, w: x ** 3,
    "matmul": lambda L, x, w: x @ w,
    "square_sum": lambda L, x, w: (x * x).sum(1),
    "log_softmax": lambda L, x, w: L.log_softmax(x * w, 1),
    "sqrt": lambda L, x, w: (x * x + 1).sqrt(),
    "inplace": lambda L, x, w: (x * 1).mul_(w),
    "inplace_exp": lambda L, x, w: (x * w).exp_(),
    "linear": lambda L, x, w: L.nn.functional.linear(x, w),
}
for _name, _f in SAVED_OPS.items():
    GRAPH[f"saved_op_{_name}"] = _saved(_f)
    # the pack hook keeps a copy; the inputs change in place after: backward uses the copy
    GRAPH[f"saved_op_{_name}_copied"] = _saved(_f, pack=_clone, after=_clone_then_change)


@pytest.mark.parametrize("case", sorted(GRAPH))
def test_autograd_graph(case):
    _run(GRAPH, case)


# ----- signed zeros in gradients: torch's selecting backwards write 0.0 where nothing was
# selected (relu, max, topk, pooling...), while amax/amin multiply (and keep -0.0) -----

def _zero_sign_input(lib):
    return lib.tensor([[1., 3., 2., -1.], [0.5, -2., 4., 0.]], requires_grad=True)


ZERO_SIGN_CASES = {
    "max_dim": lambda L, t: t.max(1).values, "min_dim": lambda L, t: t.min(1)[0],
    "max_all": lambda L, t: t.max(), "amax": lambda L, t: t.amax(1), "amin": lambda L, t: t.amin(),
    "topk": lambda L, t: t.topk(2, 1).values, "kthvalue": lambda L, t: t.kthvalue(2, 1).values,
    "median_dim": lambda L, t: t.median(1).values, "median_all": lambda L, t: t.median(),
    "nanmedian": lambda L, t: t.nanmedian(1)[0], "mode": lambda L, t: t.mode(1)[0],
    "sort": lambda L, t: t.sort(1).values,
    "max_pool1d": lambda L, t: L.nn.functional.max_pool1d(t.unsqueeze(0), 2),
    "max_pool2d": lambda L, t: L.nn.functional.max_pool2d(t.reshape(1, 1, 2, 4), 2),
    "relu": lambda L, t: t.relu(), "relu_large": lambda L, t: t.repeat(64, 128).relu(),
    "relu6": lambda L, t: L.nn.functional.relu6(t),
    "hardtanh": lambda L, t: L.nn.functional.hardtanh(t),
    "threshold": lambda L, t: L.nn.functional.threshold(t, 1., 0.),
    "clamp": lambda L, t: t.clamp(0, 2), "abs": lambda L, t: t.abs(),
    "gather": lambda L, t: t.gather(1, L.tensor([[0], [1]])),
    "masked_fill": lambda L, t: t.masked_fill(t > 1, 0.),
}


@pytest.mark.parametrize("name", ZERO_SIGN_CASES)
def test_gradient_zero_signs_match_torch(name):
    signs = []
    for lib in (torch, gradstep):
        t = _zero_sign_input(lib)
        y = ZERO_SIGN_CASES[name](lib, t)
        y.backward(-lib.ones_like(y))
        signs.append(np.signbit(t.grad.numpy()).tolist())
    assert signs[0] == signs[1]


NODE_TYPES = {
    "sum": lambda L, x: x.sum(), "mul_number": lambda L, x: x * 2, "exp": lambda L, x: x.exp(),
    "mul": lambda L, x: x * x, "add_number": lambda L, x: x + 1, "relu": lambda L, x: x.relu(),
    "view": lambda L, x: x.view(2, 1), "max": lambda L, x: x.max(), "select": lambda L, x: x[0],
    "linear": lambda L, x: L.nn.functional.linear(x.view(1, 2), L.ones(3, 2)),
}


@pytest.mark.parametrize("name", NODE_TYPES)
def test_node_type_names_match_torch(name):
    # graph-drawing tools print type(grad_fn).__name__
    def names(lib):
        y = NODE_TYPES[name](lib, lib.ones(2, requires_grad=True))
        return [type(y.grad_fn).__name__] + [type(n).__name__ for n, _ in
                                             y.grad_fn.next_functions if n is not None]
    assert names(gradstep) == names(torch)
