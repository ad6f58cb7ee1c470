"""Engine semantics compared with torch: accumulation, retain_graph, grad(), higher order,
hooks, version counters, grad modes, detach, big graphs."""
import re
import threading
import time
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, to_numpy

LIBS = (gradstep, torch)


def both(fn):
    """Run ``fn(lib)`` on gradstep and torch and compare what it returns."""
    g, t = fn(gradstep), fn(torch)
    assert_same(g, t)
    return g, t


def same_error(fn, exc=RuntimeError):
    """``fn(lib)`` raises the same exception type and message in gradstep and torch."""
    messages = []
    for lib in LIBS:
        with pytest.raises(exc) as info:
            fn(lib)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    return messages[0]


def ones(lib, *shape, dtype=np.float32):
    return lib.tensor(np.ones(shape, dtype))


def vec(lib, values, requires_grad=True, dtype=np.float32):
    return lib.tensor(np.array(values, dtype), requires_grad=requires_grad)


# ----- the seed example and accumulation -----

def test_seed_example():
    def run(lib):
        x = lib.tensor([1., 2.], requires_grad=True)
        y = 100 * x
        loss = y.sum()
        assert x.grad is None
        loss.backward()
        return x.grad
    g, _ = both(run)
    np.testing.assert_array_equal(g._data, [100., 100.])


def test_accumulation_across_backward_calls():
    def run(lib):
        x = vec(lib, [1., 2., 3.])
        (x * x).sum().backward()
        first = x.grad.clone()
        (x * 3).sum().backward()
        return first, x.grad
    both(run)


def test_grad_reset_to_none_and_zeroed():
    def run(lib):
        x = vec(lib, [1., 2.])
        (x * 2).sum().backward()
        x.grad = None
        (x * 5).sum().backward()
        a = x.grad.clone()
        with lib.no_grad():
            x.grad.mul_(0)
        (x * 7).sum().backward()
        return a, x.grad
    both(run)


def test_first_grad_is_not_shared_with_the_upstream_gradient():
    """A leaf's first .grad must not alias a gradient someone else holds."""
    def run(lib):
        x = vec(lib, [1., 2.])
        seed = lib.tensor(np.array([3., 4.], np.float32))
        (x * 1).backward(seed)
        x.grad.add_(1)
        return seed, x.grad
    both(run)


def test_retain_graph_and_second_backward_error():
    def run(lib):
        x = vec(lib, [1., 2.])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    both(run)
    msg = same_error(lambda lib: [(lambda y: (y.backward(), y.backward()))((vec(lib, [1.]) * vec(
        lib, [2.])).sum())])
    assert msg.startswith("Trying to backward through the graph a second time")


def test_create_graph_retains_graph_by_default():
    def run(lib):
        x = vec(lib, [1., 2.], dtype=np.float64)
        y = x * x * x
        g, = lib.autograd.grad(y, x, ones(lib, 2, dtype=np.float64), create_graph=True)
        g2, = lib.autograd.grad(y, x, ones(lib, 2, dtype=np.float64))  # graph still there
        return g, g2
    both(run)


def test_plain_backward_after_create_graph_reads_arrays_again():
    """Under create_graph the engine hands each op its saved values as Tensors, then puts the
    arrays back: a later plain backward through the retained graph computes on arrays."""
    def run(lib):
        x = vec(lib, [0.5, -1.], dtype=np.float64)
        y = (lib.tanh(x) * x.exp() / 3 + x * x).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        y.backward(retain_graph=True)  # g's graph goes through y's nodes (as in torch)
        first = x.grad.clone()
        g.sum().backward()
        return g, first, x.grad
    both(run)


def test_non_scalar_backward_errors():
    assert same_error(lambda lib: (vec(lib, [1., 2.]) * 2).backward()) == \
        "grad can be implicitly created only for scalar outputs"
    same_error(lambda lib: (vec(lib, [1., 2.]) * 2).backward(ones(lib, 3)))
    same_error(lambda lib: (vec(lib, [1., 2.], requires_grad=False) * 2).sum().backward())
    same_error(lambda lib: lib.autograd.grad((vec(lib, [1.]) * 2).sum(),
                                             vec(lib, [1.], requires_grad=False)))


def test_backward_with_gradient_argument():
    def run(lib):
        x = vec(lib, [1., 2., 3.])
        y = x * x
        y.backward(gradient=lib.tensor(np.array([0.5, -1., 2.], np.float32)))
        return x.grad
    both(run)


def test_backward_on_scalar_with_0d_and_1_element():
    def run(lib):
        x = vec(lib, [3.])
        (x * x).backward()  # one element, not 0-dim: still implicit
        return x.grad
    both(run)


def test_autograd_backward_several_roots():
    def run(lib):
        x = vec(lib, [1., 2.])
        a, b = x * 2, x * x
        lib.autograd.backward([a, b], [ones(lib, 2), lib.tensor(np.array([1., -1.], np.float32))])
        return x.grad
    both(run)


def test_backward_inputs_argument():
    def run(lib):
        x, y = vec(lib, [1., 2.]), vec(lib, [3., 4.])
        z = x * y
        h = z * 2
        z.retain_grad()
        (h * x).sum().backward(inputs=[y])
        return x.grad, y.grad
    both(run)
    same_error(lambda lib: (vec(lib, [1.]) * 2).sum().backward(inputs=[]))


def test_backward_inputs_non_leaf():
    def run(lib):
        x = vec(lib, [1., 2.])
        z = x * 3
        (z * z).sum().backward(inputs=[z])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return z.grad, x.grad
    both(run)


# ----- autograd.grad -----

def test_grad_does_not_touch_dot_grad():
    def run(lib):
        x = vec(lib, [1., 2.])
        g, = lib.autograd.grad((x * x).sum(), x)
        return g, x.grad
    both(run)


def test_grad_allow_unused_and_materialize():
    def run(lib):
        x, y = vec(lib, [1., 2.]), vec(lib, [3., 4.])
        out = (x * 2).sum()
        a = lib.autograd.grad(out, [x, y], allow_unused=True, retain_graph=True)
        b = lib.autograd.grad(out, [x, y], materialize_grads=True)
        return a, b
    both(run)
    msg = same_error(lambda lib: lib.autograd.grad((vec(lib, [1.]) * 2).sum(),
                                                   [vec(lib, [1.])]))
    assert "allow_unused=True" in msg
    same_error(lambda lib: lib.autograd.grad((vec(lib, [1.]) * 2).sum(), [vec(lib, [1.])],
                                             allow_unused=False, materialize_grads=True),
               ValueError)


def test_grad_multiple_outputs_and_inputs():
    def run(lib):
        x, y = vec(lib, [1., 2.]), vec(lib, [3., 4.])
        return lib.autograd.grad([x * y, x + y], [x, y], [ones(lib, 2), ones(lib, 2) * 2])
    both(run)


def test_grad_wrt_non_leaf():
    def run(lib):
        x = vec(lib, [1., 2.])
        z = x * x
        return lib.autograd.grad((z * z).sum(), z)
    both(run)


# ----- higher order -----

def test_third_derivative_of_cube():
    def run(lib):
        x = vec(lib, [0.5, -2., 3.], dtype=np.float64)
        v = ones(lib, 3, dtype=np.float64)
        y = x ** 3
        g1, = lib.autograd.grad(y, x, v, create_graph=True)
        g2, = lib.autograd.grad(g1, x, v, create_graph=True)
        g3, = lib.autograd.grad(g2, x, v)
        return g1, g2, g3
    g, _ = both(run)
    np.testing.assert_allclose(g[2]._data, 6.0)


def test_gradient_penalty():
    def run(lib):
        w = vec(lib, [0.5, -1.5], dtype=np.float64)
        x = vec(lib, [2., 3.], dtype=np.float64)
        y = w * x * x + w * w
        g, = lib.autograd.grad(y, x, ones(lib, 2, dtype=np.float64), create_graph=True)
        penalty = (g - 1) ** 2
        penalty.backward(ones(lib, 2, dtype=np.float64))
        return g, w.grad, x.grad
    both(run)


def test_hessian_vector_product():
    def run(lib):
        x = vec(lib, [1., -2.], dtype=np.float64)
        y = vec(lib, [3., 0.5], dtype=np.float64)
        v = lib.tensor(np.array([0.25, -1.]))
        f = x * x * y + x / y
        gx, = lib.autograd.grad(f, x, ones(lib, 2, dtype=np.float64), create_graph=True)
        hv = lib.autograd.grad(gx, [x, y], v)
        return gx, hv
    both(run)


def test_double_backward_into_dot_grad():
    def run(lib):
        x = vec(lib, [1., 2.], dtype=np.float64)
        y = x * x * x
        y.backward(ones(lib, 2, dtype=np.float64), create_graph=True)
        g = x.grad
        x.grad = None
        g.backward(ones(lib, 2, dtype=np.float64))
        return g.requires_grad, x.grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(run)


# ----- hooks and retain_grad -----

def test_tensor_hooks_leaf_and_non_leaf():
    def run(lib):
        seen = []
        x = vec(lib, [1., 2.])
        h = x * 3
        h.register_hook(lambda g: seen.append(("h", g.clone())))
        x.register_hook(lambda g: seen.append(("x", g.clone())))
        (h * h).sum().backward()
        return [name for name, _ in seen], [g for _, g in seen], x.grad
    both(run)


def test_hook_replaces_gradient_and_removal():
    def run(lib):
        x = vec(lib, [1., 2.])
        handle = x.register_hook(lambda g: g * 10)
        y = x * 2
        m = y.register_hook(lambda g: g + 1)
        (y * 1).sum().backward()
        first = x.grad.clone()
        handle.remove()
        m.remove()
        x.grad = None
        (x * 2).sum().backward()
        return first, x.grad
    both(run)


def test_hooks_run_in_registration_order():
    def run(lib):
        x = vec(lib, [1.])
        x.register_hook(lambda g: g * 2)
        x.register_hook(lambda g: g + 3)
        (x * 1).sum().backward()
        return x.grad
    both(run)


def test_hook_on_tensor_without_grad_errors():
    same_error(lambda lib: vec(lib, [1.], requires_grad=False).register_hook(lambda g: g))


def test_post_accumulate_grad_hook():
    def run(lib):
        seen = []
        x = vec(lib, [1., 2.])
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * 4).sum().backward()
        return seen
    both(run)


def test_retain_grad():
    def run(lib):
        x = vec(lib, [1., 2.])
        h = x * 3
        h.retain_grad()
        (h * h).sum().backward()
        return h.retains_grad, h.grad, x.retains_grad
    both(run)


def test_non_leaf_grad_warning():
    messages = []
    for lib in LIBS:
        h = vec(lib, [1.]) * 2
        with pytest.warns(UserWarning) as record:
            assert h.grad is None
        messages.append(str(record[0].message))
    assert messages[0].split("(Triggered")[0] == messages[1].split("(Triggered")[0]


def test_node_hook_arguments():
    def run(lib):
        seen = []
        x = vec(lib, [1., 2.])
        y = x * 3
        y.grad_fn.register_hook(lambda gi, go: seen.append((gi, go)))
        y.sum().backward()
        return seen[0][0][0], seen[0][1][0]
    both(run)


def test_grad_fn_names_and_next_functions():
    def run(lib):
        x = vec(lib, [1., 2.])
        y = (x * 2 + 1) / 3
        fn = y.grad_fn
        names = [fn.name()]
        while fn.next_functions and fn.next_functions[0][0] is not None:
            fn = fn.next_functions[0][0]
            names.append(fn.name())
        return names
    both(run)


# ----- in-place and version counters -----

def _saved_modified(lib):
    a = vec(lib, [1., 2.])
    c = a * 1
    y = c * c          # MulBackward0 saves c
    c.add_(1)          # c is now output 0 of AddBackward0
    y.sum().backward()


def test_inplace_on_saved_tensor_error_message():
    """torch names the modified tensor's own grad_fn, not the node that saved it."""
    msg = same_error(_saved_modified)
    assert "which is output 0 of Add," in msg


def test_inplace_on_saved_tensor_same_op_error_message():
    def run(lib):
        a = vec(lib, [1., 2.])
        c = a + 1
        y = c * c
        c.add_(1)
        y.sum().backward()
    msg = same_error(run)
    assert msg.startswith("one of the variables needed for gradient computation has been "
                          "modified by an inplace operation: [torch.FloatTensor [2]], which is "
                          "output 0 of Add, is at version 1; expected version 0 instead.")


def test_inplace_on_saved_leaf_error_message():
    """A leaf has no grad_fn: torch leaves out the ``which is output 0 of`` part."""
    def run(lib):
        a = vec(lib, [1., 2.])
        y = a * a
        with lib.no_grad():
            a.mul_(2)
        y.sum().backward()
    same_error(run)


def test_inplace_on_saved_tensor_after_a_checked_backward():
    """The engine checks saved values only after some in-place op ran; a check passed at one
    backward must not hide a change made before the next one."""
    def run(lib):
        a = vec(lib, [1., 2.])
        c = a * 1
        y = c * c
        other = a * 1
        other.add_(1)                            # an in-place op elsewhere: y's values get checked
        y.sum().backward(retain_graph=True)      # ... and pass
        grads = [a.grad.tolist()]
        c.mul_(3)
        y.sum().backward()
        return grads
    msg = same_error(run)
    assert "which is output 0 of Mul," in msg


@pytest.mark.parametrize("case", ["dropped", "view_dropped", "detached_alias", "detach_",
                                  "setitem", "twice", "create_graph"])
def test_inplace_on_saved_output_is_caught(case):
    """An op that saves its own output (exp, tanh, sigmoid) learns of an in-place change of it
    from the change itself, so backward raises torch's error even when the output tensor is gone
    by then (it used to be held weakly, and a dropped one was not checked)."""
    def run(lib):
        x = vec(lib, [0.5, 1., 2.])
        y = x.tanh() if case == "detached_alias" else x.sigmoid() if case == "detach_" else x.exp()
        z = y.sum()
        if case == "dropped":
            y.add_(1)
            del y
        elif case == "view_dropped":
            v = y[:2]
            v.mul_(2)
            del y, v
        elif case == "detached_alias":   # detach() shares the version counter
            d = y.detach()
            d.zero_()
            del d, y
        elif case == "detach_":
            y.detach_()
            y.add_(1)
        elif case == "setitem":
            y[0] = 5
            del y
        elif case == "twice":
            y.add_(1)
            y.mul_(2)                    # the message gives the version at backward: 2
            del y
        else:                            # the double backward reads the saved output too
            g, = lib.autograd.grad(z, x, create_graph=True)
            y.add_(1)
            del y
            z = g.sum()
        z.backward()
    msg = same_error(run)
    assert "which is output 0 of " in msg


@pytest.mark.parametrize("keep_view", [True, False])
def test_inplace_output_of_inplace_op_on_a_view_is_caught(keep_view):
    """``y[:2].exp_()`` saves its output in y's storage; a later change of y reaches that node
    through y (its grad_fn is then CopySlices, not the exp node). torch describes the view, and
    names the view's grad_fn while the view lives, else the exp node."""
    def run(lib):
        x = vec(lib, [0.5, 1., 2.])
        y = x * 1
        v = y[:2]
        v.exp_()
        if not keep_view:
            del v
        z = y.sum()
        y.add_(1)
        z.backward()
    msg = same_error(run)
    name = "AsStrided" if keep_view else "Exp"
    assert f"[torch.FloatTensor [2]], which is output 0 of {name}, is at version 2; " \
           "expected version 1" in msg


def test_unchanged_saved_outputs_still_differentiate():
    """The marker that stands for a saved output reads the right array, also after an in-place
    op elsewhere (the checked path) and under create_graph."""
    def run(lib):
        x = vec(lib, [0.5, 1., 2.])
        y = x.exp() * x.tanh() + x.sigmoid()
        other = x * 1
        other.add_(1)                       # forces the checked path
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        g.sum().backward()
        return g, x.grad
    both(run)


def test_version_counter():
    def run(lib):
        a = vec(lib, [1., 2.])
        b = a * 1
        versions = [a._version, b._version]
        b.mul_(2)
        b.add_(1)
        versions.append(b._version)
        with lib.no_grad():
            a.mul_(2)
        versions.append(a._version)
        return versions
    both(run)


def test_inplace_on_leaf_errors_and_no_grad_allows_it():
    assert same_error(lambda lib: vec(lib, [1.]).mul_(2)) == \
        "a leaf Variable that requires grad is being used in an in-place operation."

    def run(lib):
        x = vec(lib, [1., 2.])
        with lib.no_grad():
            x.mul_(3)
        (x * x).sum().backward()
        return x, x.grad, x.is_leaf
    both(run)


def test_inplace_on_non_leaf_is_differentiated():
    def run(lib):
        x = vec(lib, [1., 2.])
        y = x * 2
        y.mul_(x)
        y.add_(1)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name()
    both(run)


# ----- grad modes -----

def test_grad_modes():
    def run(lib):
        x = vec(lib, [1.])
        out = []
        with lib.no_grad():
            out.append((x * 2).requires_grad)
            with lib.enable_grad():
                out.append((x * 2).requires_grad)
            out.append(lib.is_grad_enabled())
        with lib.set_grad_enabled(False):
            out.append((x * 2).requires_grad)
        out.append(lib.is_grad_enabled())
        lib.set_grad_enabled(False)
        out.append(lib.is_grad_enabled())
        lib.set_grad_enabled(True)

        @lib.no_grad()
        def f():
            return (x * 2).requires_grad

        @lib.set_grad_enabled(False)
        def g():
            return lib.is_grad_enabled()

        @lib.enable_grad()
        def h():
            return (x * 2).requires_grad

        out += [f(), lib.is_grad_enabled(), g(), lib.is_grad_enabled()]
        with lib.no_grad():
            out.append(h())
        with lib.inference_mode():
            out.append((x * 2).requires_grad)
            out.append(lib.is_inference_mode_enabled())
        with lib.inference_mode(False):
            out.append((x * 2).requires_grad)
        out.append(lib.is_inference_mode_enabled())
        return out
    both(run)


def test_no_grad_generator():
    def run(lib):
        x = vec(lib, [1.])

        @lib.no_grad()
        def gen():
            for _ in range(2):
                yield (x * 2).requires_grad
        out = list(gen())
        return out + [lib.is_grad_enabled()]
    both(run)


def test_grad_mode_is_thread_local():
    def run(lib):
        seen = []
        with lib.no_grad():
            t = threading.Thread(target=lambda: seen.append(lib.is_grad_enabled()))
            t.start()
            t.join()
            seen.append(lib.is_grad_enabled())
        return seen
    g, _ = both(run)
    assert g == [True, False]


def test_a_thread_ending_with_recording_off_leaves_the_count():
    """Ops read a count of threads with recording off; a thread that ends inside no_grad (or
    after set_grad_enabled(False)) must not stay counted."""
    from gradstep.autograd import grad_mode
    before = grad_mode.off_threads[0]

    def leave_off():
        gradstep.set_grad_enabled(False)
        gradstep.no_grad().__enter__()
        gradstep.set_grad_enabled(True)   # on and off again: counted once
        gradstep.set_grad_enabled(False)

    threads = [threading.Thread(target=leave_off) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    del t, threads
    assert grad_mode.off_threads[0] == before
    x = vec(gradstep, [1., 2.])
    assert (x * 2).requires_grad


def test_requires_grad_errors():
    same_error(lambda lib: lib.tensor([1, 2]).requires_grad_())
    same_error(lambda lib: lib.tensor([1, 2], requires_grad=True))
    same_error(lambda lib: setattr(vec(lib, [1.]) * 2, "requires_grad", False))
    same_error(lambda lib: setattr(vec(lib, [1.]) * 2, "requires_grad", True))
    same_error(lambda lib: (vec(lib, [1.]) * 2).requires_grad_(False))

    def run(lib):
        x = lib.tensor([1., 2.])
        y = x.requires_grad_()
        y2 = (x * 2).requires_grad_(True)  # the method accepts True on a non-leaf
        return y is x, x.requires_grad, x.is_leaf, y2.is_leaf, y2.requires_grad
    both(run)


# ----- detach and .data -----

def test_detach_shares_storage_and_version():
    def run(lib):
        x = vec(lib, [1., 2.])
        d = x.detach()
        with lib.no_grad():
            d.mul_(3)
        return x, d.requires_grad, d.is_leaf, x._version, d._version
    both(run)


def test_detach_inplace():
    def run(lib):
        x = vec(lib, [1., 2.])
        y = x * 2
        y.detach_()
        return y.requires_grad, y.grad_fn is None, y.is_leaf
    both(run)


def test_data_shares_storage_but_not_version():
    """``.data`` changes are invisible to autograd: no version bump, no error at backward."""
    def run(lib):
        x = vec(lib, [1., 2.])
        y = x * x
        x.data.mul_(2)
        y.sum().backward()
        return x, x._version, x.grad
    both(run)


def test_data_setter():
    def run(lib):
        x = vec(lib, [1., 2.])
        x.data = lib.tensor([5., 6.])
        (x * x).sum().backward()
        return x, x.grad, x.requires_grad
    both(run)


# ----- graph shapes -----

def test_diamond_graph():
    def run(lib):
        a = vec(lib, [1., -2., 3.])
        b, c = a * 2, a * a
        d = b * c + b / (c + 1)
        d.sum().backward()
        return a.grad
    both(run)


def test_leaf_used_many_times():
    def run(lib):
        x = vec(lib, [0.5, 2.])
        y = x * x * x + x + x - x / 2 + 3 * x
        for _ in range(5):
            y = y + x
        y.sum().backward()
        return x.grad
    both(run)


def test_mixed_dtypes():
    def run(lib):
        x = vec(lib, [1., 2.])                       # float32 leaf
        w = vec(lib, [0.5, 3.], dtype=np.float64)    # float64 leaf
        y = x * w                                    # promoted to float64
        (y * y).sum().backward()
        return str(y.dtype), x.grad, w.grad
    both(run)


def test_integer_and_bool_do_not_require_grad():
    def run(lib):
        x = vec(lib, [1., 2.])
        i = lib.tensor([1, 2])
        return (x * i).requires_grad, (i * 2).requires_grad, str((x * i).dtype)
    both(run)


def test_broadcast_gradients():
    def run(lib):
        a = lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
        b = vec(lib, [1., 2., 3.])
        c = vec(lib, 2.0)
        ((a * b + c) / b).sum().backward()
        return a.grad, b.grad, c.grad
    both(run)


@pytest.mark.slow
def test_long_chain_no_recursion():
    """A 100,000-op chain backpropagates without recursion errors, in a few seconds."""
    x = gradstep.tensor([1.0], requires_grad=True)
    y = x
    start = time.perf_counter()
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert time.perf_counter() - start < 20
    np.testing.assert_array_equal(x.grad._data, [1.0])


def test_deep_chain_of_adds_value():
    def run(lib):
        x = vec(lib, [1.0, 2.0])
        y = x
        for i in range(2000):
            y = y + x * 0.001
        y.sum().backward()
        return y, x.grad
    both(run)


def test_leaf_freed_graph_memory():
    """Saved tensors are released after backward: a second backward raises, as in torch."""
    def run(lib):
        x = vec(lib, [1., 2.])
        y = x * x
        y.sum().backward()
        return lib.autograd.grad(y.sum(), x)
    same_error(run)


# ----- autograd.functional -----

def _functional(lib):
    return lib.autograd.functional


F64 = np.float64


def _f2(lib, x, y):
    return x * x * y + y / (x + 3), x - y * y


def test_functional_jacobian():
    def run(lib):
        x = lib.tensor(np.array([1., -2., 0.5], F64))
        y = lib.tensor(np.array([3., 0.25, -1.], F64))
        single = _functional(lib).jacobian(lambda a: a * a * a, x)
        pair = _functional(lib).jacobian(lambda a, b: _f2(lib, a, b), (x, y))
        return single, pair
    both(run)


def test_functional_vjp_jvp():
    def run(lib):
        x = lib.tensor(np.array([1., -2., 0.5], F64))
        y = lib.tensor(np.array([3., 0.25, -1.], F64))
        v = lib.tensor(np.array([0.5, 1., -2.], F64))
        a = _functional(lib).vjp(lambda p, q: _f2(lib, p, q), (x, y), (v, v * 2))
        b = _functional(lib).jvp(lambda p, q: _f2(lib, p, q), (x, y), (v, v * 3))
        c = _functional(lib).vjp(lambda p: (p * p).sum(), x)
        return a, b, c
    both(run)


def test_functional_hessian_hvp():
    def run(lib):
        x = lib.tensor(np.array([1., -2.], F64))
        y = lib.tensor(np.array([3., 0.5], F64))
        v = lib.tensor(np.array([0.5, 1.], F64))

        def f(a, b):
            return (a * a * b + a / b).sum()
        h1 = _functional(lib).hessian(lambda a: (a * a * a).sum(), x)
        h2 = _functional(lib).hessian(f, (x, y))
        p = _functional(lib).hvp(f, (x, y), (v, v))
        q = _functional(lib).vhp(f, (x, y), (v, v))
        return h1, h2, p, q
    both(run)


def test_leaf_gradients_never_alias_each_other_or_the_seed():
    """The engine steals an unshared gradient array for .grad, and copies any shared one."""
    import numpy as np
    x = gradstep.tensor([1., 2.], requires_grad=True)
    y = gradstep.tensor([3., 4.], requires_grad=True)
    (x + y).backward(gradstep.tensor([1., 1.]))
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())
    seed = gradstep.tensor([2., 2.])
    z = gradstep.tensor([1., 1.], requires_grad=True)
    (z * 1).backward(seed)
    w = gradstep.tensor([1., 1.], requires_grad=True)
    w.backward(seed)
    assert not np.shares_memory(w.grad.numpy(), seed.numpy())
    w.grad.add_(1)
    assert seed.tolist() == [2., 2.]
    # accumulation in place on the second backward never touches a shared array
    a = gradstep.tensor([1., 1.], requires_grad=True)
    b = gradstep.tensor([1., 1.], requires_grad=True)
    (a * 2 + b * 3).sum().backward()
    (a * 2 + b * 3).sum().backward()
    assert a.grad.tolist() == [4., 4.] and b.grad.tolist() == [6., 6.]


# ----- backward(create_graph=True) into a leaf's .grad warns, once per process, as torch -------

CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak.")

CREATE_GRAPH_CASES = {  # case -> whether torch warns (in a fresh process)
    "backward": (lambda L, x: (x * x).sum().backward(create_graph=True), True),
    "constant_grad": (lambda L, x: (x * 2).sum().backward(create_graph=True), True),
    "autograd_backward": (lambda L, x: L.autograd.backward((x * x).sum(), create_graph=True),
                          True),
    "inputs": (lambda L, x: (x * x).sum().backward(create_graph=True, inputs=[x]), True),
    "autograd_grad": (lambda L, x: L.autograd.grad((x * x).sum(), x, create_graph=True), False),
    "no_create_graph": (lambda L, x: (x * x).sum().backward(), False),
}


@pytest.mark.parametrize("case", sorted(CREATE_GRAPH_CASES))
def test_create_graph_backward_warning(case, monkeypatch):
    from gradstep.autograd import engine
    fn, warns = CREATE_GRAPH_CASES[case]
    monkeypatch.setattr(engine, "_warned_create_graph", [False])
    x = gradstep.tensor([1., 2.], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(gradstep, x)
        fn(gradstep, x)  # once per process
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    assert len(messages) == int(warns)
    if warns:
        assert messages[0].startswith(CREATE_GRAPH_WARNING + " (Triggered internally at ")


def test_create_graph_warning_text_is_torchs():
    import subprocess
    import sys
    code = ("import torch, warnings\nwarnings.simplefilter('always')\n"
            "x = torch.tensor([1., 2.], requires_grad=True)\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    (x * x).sum().backward(create_graph=True)\n"
            "print(str(w[0].message))")
    text = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()
    from gradstep.autograd.engine import CREATE_GRAPH_CYCLE
    assert text == CREATE_GRAPH_CYCLE


# Ops that save their output, on 0-d inputs: NumPy returns a scalar there, which the recorded
# output wraps; the saved output must still be that output (differentiable), not a constant.
ZERO_DIM_SAVED_OUTPUT = {
    "exp": lambda L, x: x.exp(),
    "tanh": lambda L, x: x.tanh(),
    "sigmoid": lambda L, x: x.sigmoid(),
    "sqrt": lambda L, x: x.sqrt(),
    "rsqrt": lambda L, x: x.rsqrt(),
    "rpow": lambda L, x: 2.0 ** x,
    "rpow_of_sum": lambda L, x: 2.0 ** (x * L.ones(3, dtype=L.float64)).sum(),
}


@pytest.mark.parametrize("case", sorted(ZERO_DIM_SAVED_OUTPUT))
def test_second_derivative_through_a_zero_dim_saved_output(case):
    import torch
    results = []
    for lib in (gradstep, torch):
        x = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(ZERO_DIM_SAVED_OUTPUT[case](lib, x), x, create_graph=True)
        (gg,) = lib.autograd.grad(g, x)
        results.append((g.requires_grad, float(g), float(gg)))
    assert results[0][0] == results[1][0] is True
    np.testing.assert_allclose(results[0][1:], results[1][1:], rtol=1e-12)
