"""autograd.Function, gradcheck/gradgradcheck and anomaly mode, compared with torch."""
import re
import types
import warnings

import numpy as np
import pytest
import torch

import gradstep
from gradstep.autograd.function import once_differentiable as gs_once
from gradstep.autograd.gradcheck import GradcheckError
from torch.autograd.function import once_differentiable as t_once
from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

from _compare import assert_same, compare

LIBS = (gradstep, torch)


@pytest.fixture(autouse=True)
def _anomaly_off():
    yield
    gradstep.autograd.set_detect_anomaly(False)


def _functions(lib):
    """The same custom Functions, written once, for gradstep and for torch."""
    Function = lib.autograd.Function
    once = gs_once if lib is gradstep else t_once
    ns = types.SimpleNamespace()

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    class Cube(Function):  # saves its own output; backward is differentiable
        @staticmethod
        def forward(ctx, x):
            y = x * x * x
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return 3 * y / x * g

    class MulScale(Function):  # two tensors and a number; needs_input_grad prunes work
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, y)
            ctx.k = k
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            gx = g * y * ctx.k if ctx.needs_input_grad[0] else None
            gy = g * x * ctx.k if ctx.needs_input_grad[1] else None
            return gx, gy, None

    class SplitTwo(Function):  # two differentiable outputs, one backward call
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y * 2

        @staticmethod
        def backward(ctx, g1, g2):
            x, y = ctx.saved_tensors
            return g1 * y + g2, g1 * x + g2 * 2

    class NoMaterialize(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            out = None
            if g1 is not None:
                out = g1 * 2
            if g2 is not None:
                out = g2 * 3 if out is None else out + g2 * 3
            return out

    class WithIndex(Function):  # a non-differentiable integer output and non-tensor outputs
        @staticmethod
        def forward(ctx, x):
            idx = (x * 0).long()
            ctx.mark_non_differentiable(idx)
            return x * 2, idx, 5, "tag"

        @staticmethod
        def backward(ctx, g, gi, gn, gs):
            assert gn is None and gs is None and not gi.any()
            return g * 2

    class SetupCtx(Function):  # the forward-without-ctx style
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]
            ctx.save_for_backward(inputs[0], output)

        @staticmethod
        def backward(ctx, g):
            x, out = ctx.saved_tensors
            return g * ctx.k, None

    class Ident(Function):  # returns its input: the output is a new tensor aliasing it
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    class ScaleInplace(Function):  # in-place custom op
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class BroadcastGrad(Function):  # a gradient larger than the input is summed down to it
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * lib.tensor([[1.], [2.], [3.]], dtype=g.dtype) * 2

    class DoubleGrad(Function):  # backward returns float64 for a float32 input: cast back
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.double() * 2

    class Once(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    for name, value in list(locals().items()):
        if isinstance(value, type):
            setattr(ns, name, value)
    return ns


FN = {lib: _functions(lib) for lib in LIBS}

A = np.array([1.5, -2.0, 0.5], dtype=np.float32)
B = np.array([0.25, 3.0, -1.0], dtype=np.float32)
A64 = A.astype(np.float64)
B64 = B.astype(np.float64)

CASES = [
    ("square", lambda lib, x: FN[lib].Square.apply(x), (A,)),
    ("square_0d", lambda lib, x: FN[lib].Square.apply(x), (np.float32(3.0),)),
    ("square_empty", lambda lib, x: FN[lib].Square.apply(x), (np.zeros((0, 2), np.float32),)),
    ("cube_saved_output", lambda lib, x: FN[lib].Cube.apply(x), (A,)),
    ("cube_output_dropped", lambda lib, x: FN[lib].Cube.apply(x) * 1, (A,)),
    ("mul_scale", lambda lib, x, y: FN[lib].MulScale.apply(x, y, 3.0), (A, B)),
    ("mul_scale_one_needs", lambda lib, x, y: FN[lib].MulScale.apply(x, y.detach(), 2.0), (A, B)),
    ("split_two", lambda lib, x, y: FN[lib].SplitTwo.apply(x, y), (A, B)),
    ("split_two_first_only", lambda lib, x, y: FN[lib].SplitTwo.apply(x, y)[0], (A, B)),
    ("split_two_second_only", lambda lib, x, y: FN[lib].SplitTwo.apply(x, y)[1], (A, B)),
    ("split_two_summed", lambda lib, x, y: sum(FN[lib].SplitTwo.apply(x, y)), (A, B)),
    ("no_materialize_first", lambda lib, x: FN[lib].NoMaterialize.apply(x)[0], (A,)),
    ("no_materialize_both", lambda lib, x: FN[lib].NoMaterialize.apply(x), (A,)),
    ("with_index", lambda lib, x: FN[lib].WithIndex.apply(x), (A,)),
    ("setup_context", lambda lib, x: FN[lib].SetupCtx.apply(x, 3.0), (A,)),
    ("setup_context_kwarg", lambda lib, x: FN[lib].SetupCtx.apply(x, k=3.0), (A,)),
    ("ident", lambda lib, x: FN[lib].Ident.apply(x), (A,)),
    ("inplace_dirty", lambda lib, x: FN[lib].ScaleInplace.apply(x * 1), (A,)),
    ("broadcast_grad", lambda lib, x: FN[lib].BroadcastGrad.apply(x), (A,)),
    ("broadcast_grad_2d", lambda lib, x: FN[lib].BroadcastGrad.apply(x), (A.reshape(1, 3),)),
    ("double_grad_cast", lambda lib, x: FN[lib].DoubleGrad.apply(x), (A,)),
    ("chain", lambda lib, x, y: FN[lib].Square.apply(FN[lib].MulScale.apply(x, y, 0.5) + x),
     (A, B)),
    ("float64", lambda lib, x, y: FN[lib].SplitTwo.apply(x, y), (A64, B64)),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_function_matches_torch(name, fn, arrays):
    compare(fn, *arrays)


@pytest.mark.parametrize("name,fn,arrays",
                         [c for c in CASES if c[0] in ("square", "cube_saved_output", "mul_scale",
                                                       "split_two_summed", "setup_context",
                                                       "chain")],
                         ids=lambda c: c if isinstance(c, str) else "")
def test_function_gradcheck(name, fn, arrays):
    inputs = [gradstep.tensor(np.asarray(a, np.float64), requires_grad=True) for a in arrays]
    assert gradstep.autograd.gradcheck(lambda *xs: fn(gradstep, *xs), inputs)


@pytest.mark.parametrize("fn", [lambda lib, x: FN[lib].Cube.apply(x),
                                lambda lib, x: FN[lib].Square.apply(FN[lib].Cube.apply(x))])
def test_function_double_backward(fn):
    """A custom backward written with differentiable ops is differentiated again."""
    results = []
    for lib in LIBS:
        x = lib.tensor(A64, requires_grad=True)
        y = fn(lib, x)
        ones = lib.tensor(np.ones(3))
        g, = lib.autograd.grad(y, x, ones, create_graph=True)
        g2, = lib.autograd.grad(g, x, ones, create_graph=True)
        g3, = lib.autograd.grad(g2, x, ones)
        results.append((g, g2, g3))
    assert_same(results[0], results[1])


def test_grad_fn_name_and_repr():
    x = gradstep.tensor(A, requires_grad=True)
    y = FN[gradstep].Square.apply(x)
    t = FN[torch].Square.apply(torch.tensor(A, requires_grad=True))
    assert type(y.grad_fn).__name__ == type(t.grad_fn).__name__ == "SquareBackward"
    assert y.grad_fn.name() == t.grad_fn.name()
    pattern = r"<torch\.autograd\.function\.SquareBackward object at 0x[0-9a-f]+>"
    assert re.fullmatch(pattern, repr(y.grad_fn)) and re.fullmatch(pattern, repr(t.grad_fn))
    assert isinstance(y.grad_fn, gradstep.autograd.function.BackwardCFunction)
    assert y.grad_fn.next_functions[0][0] is x._edge()
    y1, y2 = FN[gradstep].SplitTwo.apply(x, x)
    assert re.fullmatch(r"<torch\.autograd\.function\.SplitTwoBackward object at 0x[0-9a-f]+>",
                        repr(y2.grad_fn))
    assert y2.grad_fn.name() == "SplitTwoBackward"
    assert len(y1.grad_fn.saved_tensors) == 2  # output nodes read through to the shared ctx


def _record(lib, make_inputs):
    seen = {}

    class Probe(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            seen["needs"] = ctx.needs_input_grad
            seen["fwd_grad_mode"] = lib.is_grad_enabled()
            out = x * y
            seen["out_requires_grad_in_forward"] = out.requires_grad
            return out

        @staticmethod
        def backward(ctx, g):
            seen["bwd_grad_mode"] = lib.is_grad_enabled()
            seen["bwd_grad_type"] = type(g).__name__
            return g, g, None

    x, y = make_inputs(lib)
    out = Probe.apply(x, y, 2)
    seen["out_requires_grad"] = out.requires_grad
    if out.requires_grad:
        out.backward(lib.ones_like(out) if hasattr(lib, "ones_like") else
                     lib.tensor(np.ones(3, np.float32)), create_graph=True)
    return seen


@pytest.mark.filterwarnings(r"ignore:Using backward\(\) with create_graph=True")
@pytest.mark.parametrize("which", ["both", "first", "none"])
def test_forward_context(which):
    def make(lib):
        x = lib.tensor(A, requires_grad=which != "none")
        y = lib.tensor(B, requires_grad=which == "both")
        return x, y
    gs_seen, t_seen = _record(gradstep, make), _record(torch, make)
    gs_seen.pop("bwd_grad_type", None)
    assert t_seen.pop("bwd_grad_type", "Tensor") == "Tensor"
    assert gs_seen == t_seen


def test_backward_receives_tensors():
    got = []

    class F(gradstep.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            got.append((type(g), gradstep.is_grad_enabled()))
            return g * 2

    x = gradstep.tensor(A, requires_grad=True)
    F.apply(x).sum().backward()
    assert got == [(gradstep.Tensor, False)]


def test_multi_output_backward_runs_once():
    for lib in LIBS:
        calls = []

        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3, x * 4

            @staticmethod
            def backward(ctx, g1, g2, g3):
                calls.append(1)
                return g1 * 2 + g2 * 3 + g3 * 4

        x = lib.tensor(A, requires_grad=True)
        a, b, c = Two.apply(x)
        (a * b + c).sum().backward()
        assert len(calls) == 1
        if lib is torch:
            np.testing.assert_allclose(gs_grad, x.grad.numpy(), rtol=1e-6)
        else:
            gs_grad = x.grad._data.copy()


def test_non_differentiable_output_and_int_output():
    x = gradstep.tensor(A, requires_grad=True)
    out = FN[gradstep].WithIndex.apply(x)
    assert out[0].requires_grad and not out[1].requires_grad and out[1].grad_fn is None
    assert out[2] == 5 and out[3] == "tag"

    class IntOut(gradstep.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x * 2).long()

        @staticmethod
        def backward(ctx, g):
            return g

    assert not IntOut.apply(x).requires_grad

    class AllNonDiff(gradstep.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            s = x * 2
            ctx.mark_non_differentiable(s)
            return s

        @staticmethod
        def backward(ctx, g):
            return g

    o = AllNonDiff.apply(x)
    assert not o.requires_grad and o.grad_fn is None
    with pytest.raises(RuntimeError, match=re.escape(
            "element 0 of tensors does not require grad and does not have a grad_fn")):
        o.sum().backward()


def test_no_record_without_grad():
    x = gradstep.tensor(A, requires_grad=True)
    with gradstep.no_grad():
        y = FN[gradstep].Square.apply(x)
    assert not y.requires_grad and y.grad_fn is None
    y = FN[gradstep].Square.apply(x.detach())
    assert not y.requires_grad


def test_ident_output_aliases_input():
    for lib in LIBS:
        x = lib.tensor(A, requires_grad=True)
        o = FN[lib].Ident.apply(x)
        assert o is not x and o._base is x and o.data_ptr() == x.data_ptr()
        assert type(o.grad_fn).__name__ == "IdentBackward"


def test_mark_dirty_versions_and_grad_fn():
    results = []
    for lib in LIBS:
        a = lib.tensor(A, requires_grad=True)
        b = a * 1
        o = FN[lib].ScaleInplace.apply(b)
        results.append((o is b, b._version, type(b.grad_fn).__name__))
    assert results[0] == results[1] == (True, 2, "ScaleInplaceBackward")


ERRORS = []


def _error_case(name, make_cls, call, exc=RuntimeError):
    ERRORS.append((name, make_cls, call, exc))


def _cls(lib, backward, forward=None, save=False):
    def default_forward(ctx, x, y):
        if save:
            ctx.save_for_backward(x)
        return x * y
    return type("Bad", (lib.autograd.Function,), {
        "forward": staticmethod(forward or default_forward), "backward": staticmethod(backward)})


_error_case("too_few_grads", lambda lib: _cls(lib, lambda ctx, g: (g,)),
            lambda lib, F, x, y: F.apply(x, y).sum().backward())
_error_case("too_many_grads", lambda lib: _cls(lib, lambda ctx, g: (g, g, g)),
            lambda lib, F, x, y: F.apply(x, y).sum().backward())
_error_case("wrong_shape", lambda lib: _cls(lib, lambda ctx, g: (g[:1], g)),
            lambda lib, F, x, y: F.apply(x, y).sum().backward())
_error_case("wrong_shape_not_expandable", lambda lib: _cls(
    lib, lambda ctx, g: (lib.tensor([1., 2., 3.]), g)),
    lambda lib, F, x, y: F.apply(x, y).sum().backward())
_error_case("grad_not_tensor", lambda lib: _cls(lib, lambda ctx, g: (3, g)),
            lambda lib, F, x, y: F.apply(x, y).sum().backward())
_error_case("grad_for_number_input", lambda lib: _cls(
    lib, lambda ctx, g: (g, 7.0 * g), forward=lambda ctx, x, k: x * k),
    lambda lib, F, x, y: F.apply(x, 2.0).sum().backward())
_error_case("save_non_tensor", lambda lib: _cls(
    lib, lambda ctx, g: g, forward=lambda ctx, x: (ctx.save_for_backward(x, None, 3), x * 2)[1]),
    lambda lib, F, x, y: F.apply(x), TypeError)
_error_case("second_backward", lambda lib: _cls(
    lib, lambda ctx, g: (g * ctx.saved_tensors[0], g), save=True),
    lambda lib, F, x, y: [o.backward(retain_graph=False) for o in [F.apply(x, y).sum()] * 2])
_error_case("saved_modified", lambda lib: _cls(
    lib, lambda ctx, g: (g * ctx.saved_tensors[0], g), save=True),
    lambda lib, F, x, y: _modify_then_backward(lib, F, x, y))
_error_case("saved_leaf_modified", lambda lib: _cls(
    lib, lambda ctx, g: (g * ctx.saved_tensors[0], g), save=True),
    lambda lib, F, x, y: _modify_leaf_then_backward(lib, F, x, y))
_error_case("dirty_leaf", lambda lib: _cls(
    lib, lambda ctx, g: g,
    forward=lambda ctx, x: (x.mul_(2), ctx.mark_dirty(x))[0]),
    lambda lib, F, x, y: F.apply(x))
_error_case("no_backward", lambda lib: type("NoBw", (lib.autograd.Function,), {
    "forward": staticmethod(lambda ctx, x: x * 2)}),
    lambda lib, F, x, y: F.apply(x).sum().backward(), NotImplementedError)
_error_case("legacy_call", lambda lib: _cls(lib, lambda ctx, g: g),
            lambda lib, F, x, y: _legacy_call(F, x))


def _legacy_call(F, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        instance = F()
    instance(x)


def _modify_then_backward(lib, F, x, y):
    c = x * 1
    out = F.apply(c, y)
    c.mul_(2)
    out.sum().backward()


def _modify_leaf_then_backward(lib, F, x, y):
    out = F.apply(x, y)
    with lib.no_grad():
        x.mul_(2)
    out.sum().backward()


@pytest.mark.parametrize("name,make_cls,call,exc", ERRORS, ids=[e[0] for e in ERRORS])
def test_function_errors_match_torch(name, make_cls, call, exc):
    messages = []
    for lib in LIBS:
        F = make_cls(lib)
        x = lib.tensor([1., 2.], requires_grad=True)
        y = lib.tensor([3., 4.], requires_grad=True)
        with pytest.raises(exc) as info:
            call(lib, F, x, y)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_instantiation_warns_like_torch():
    for lib in LIBS:
        F = _cls(lib, lambda ctx, g: g)
        with pytest.warns(DeprecationWarning, match="should not be instantiated"):
            F()


def test_saved_tensors_freed_and_retained():
    x = gradstep.tensor(A, requires_grad=True)
    y = FN[gradstep].Square.apply(x)
    y.sum().backward(retain_graph=True)
    assert y.grad_fn.saved_tensors[0] is x
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, 4 * A)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_no_saved_tensors_backward_twice():
    """Without saved tensors a node may run again, as in torch."""
    for lib in LIBS:
        x = lib.tensor(A, requires_grad=True)
        o = FN[lib].Ident.apply(x)
        seed = lib.tensor(np.ones(3, np.float32))
        o.backward(seed)
        o.backward(seed)
        np.testing.assert_allclose(np.asarray(x.grad.detach()), np.full(3, 10.0))


def test_saved_output_after_output_dropped():
    x = gradstep.tensor(A64, requires_grad=True)
    loss = (FN[gradstep].Cube.apply(x) * 1).sum()  # the Cube output itself is gone
    loss.backward()
    np.testing.assert_allclose(x.grad._data, 3 * A64 ** 2)


def test_once_differentiable():
    for lib in LIBS:
        x = lib.tensor(A, requires_grad=True)
        o = FN[lib].Once.apply(x)
        g, = lib.autograd.grad(o.sum(), x, create_graph=True)
        assert not g.requires_grad  # the upstream gradient needs no grad: plain result
        o = FN[lib].Once.apply(x)
        g, = lib.autograd.grad(o * o, x, lib.tensor(np.ones(3, np.float32)), create_graph=True)
        assert g.requires_grad and g.grad_fn.name() == "torch::autograd::Error"
        assert repr(g.grad_fn).startswith("<Error object at 0x")
        with pytest.raises(RuntimeError, match=re.escape(
                "trying to differentiate twice a function that was marked with "
                "@once_differentiable")):
            g.backward(lib.tensor(np.ones(3, np.float32)))


def test_hooks_on_custom_function_output():
    for lib in LIBS:
        x = lib.tensor(A, requires_grad=True)
        y = FN[lib].Square.apply(x)
        y.register_hook(lambda g: g * 10)
        y.sum().backward()
        np.testing.assert_allclose(np.asarray(x.grad.detach()), 20 * A)


# ----- gradcheck -----

def _bad_mul(lib, factor=1.1):
    class BadMul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x * factor
    return BadMul


def _gc_inputs(lib, dtype=np.float64, n=2):
    return (lib.tensor(np.array([1., 2., 4.][:n], dtype), requires_grad=True),
            lib.tensor(np.array([3., 4., 0.5][:n], dtype), requires_grad=True))


def test_gradcheck_passes():
    x, y = _gc_inputs(gradstep, n=3)
    assert gradstep.autograd.gradcheck(lambda a, b: (a * b, a / b, a - b * b), (x, y))
    assert gradstep.autograd.gradcheck(lambda a: a * a, x)
    assert gradstep.autograd.gradcheck(_bad_mul(gradstep, 1.0).apply, (x, y))


def _message(lib, fn, *args, **kwargs):
    error = GradcheckError if lib is gradstep else TorchGradcheckError
    with pytest.raises(error) as info:
        lib.autograd.gradcheck(fn, *args, **kwargs)
    return str(info.value)


def test_gradcheck_mismatch_message():
    msgs = [_message(lib, _bad_mul(lib).apply, _gc_inputs(lib)) for lib in LIBS]
    head = "Jacobian mismatch for output 0 with respect to input 1,\nnumerical:"
    assert msgs[0].startswith(head) and msgs[1].startswith(head)
    assert issubclass(GradcheckError, RuntimeError)
    x, y = _gc_inputs(gradstep)
    assert gradstep.autograd.gradcheck(_bad_mul(gradstep).apply, (x, y),
                                       raise_exception=False) is False


def test_gradcheck_message_counts_differentiable_inputs_and_outputs():
    def make(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, c, a):
                return a * 2, a * c

            @staticmethod
            def backward(ctx, g1, g2):
                return None, g1 * 2 + g2 * 3
        return Bad
    msgs = []
    for lib in LIBS:
        c = lib.tensor(np.array([3., 4.]))
        a = lib.tensor(np.array([1., 2.]), requires_grad=True)
        msgs.append(_message(lib, make(lib).apply, (c, a)))
    head = "Jacobian mismatch for output 1 with respect to input 0,\nnumerical:"
    assert msgs[0].startswith(head) and msgs[1].startswith(head)


def test_gradcheck_numbers_in_message():
    x, y = _gc_inputs(gradstep)
    msg = _message(gradstep, _bad_mul(gradstep).apply, (x, y))
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", msg)]
    np.testing.assert_allclose(numbers, [1, 0, 0, 2, 1.1, 0, 0, 2.2], atol=1e-4)


def test_gradcheck_float32_warning_and_failure():
    msgs, warns = [], []
    for lib in LIBS:
        x = lib.tensor(np.array([1., 2.], np.float32), requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            msgs.append(_message(lib, lambda a: a * 2, (x,)))
        warns.append([str(m.message) for m in w if m.category is UserWarning])
    assert warns[0] == warns[1] == [
        "Input #0 requires gradient and is not a double precision floating point or complex. "
        "This check will likely fail if all the inputs are not of double precision floating "
        "point or complex. "]
    assert msgs[0].split("numerical")[0] == msgs[1].split("numerical")[0]


def test_gradcheck_input_errors():
    for lib in LIBS:
        x = lib.tensor(np.array([1., 2.]))
        with pytest.raises(ValueError, match=re.escape(
                "gradcheck expects at least one input tensor to require gradient, but none of "
                "them have requires_grad=True.")):
            lib.autograd.gradcheck(lambda a: a * 2, (x,))
        x.requires_grad_()
        assert _message(lib, lambda a: a.detach() * 2, (x,)) == \
            "Numerical gradient for function expected to be zero"
        assert lib.autograd.gradcheck(lambda a: (a.detach() * 2, a * 2), (x,))


def test_gradcheck_not_reentrant():
    def make(lib):
        state = {"n": 0}

        class Drift(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                state["n"] += 1
                return g * 2 + state["n"] * 1e-4
        return Drift
    msgs = [_message(lib, make(lib).apply, (lib.tensor([1., 2.], dtype=lib.float64,
                                                        requires_grad=True),), atol=1e-2)
            for lib in LIBS]
    assert msgs[0] == msgs[1]
    assert msgs[0].startswith("Backward is not reentrant")


def test_gradgradcheck():
    def make(lib, detach):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x * x

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g * 3 * x * (x.detach() if detach else x)
        return Cube
    x = gradstep.tensor(np.array([1., 2.]), requires_grad=True)
    y = gradstep.tensor(np.array([3., -1.]), requires_grad=True)
    assert gradstep.autograd.gradgradcheck(lambda a, b: a * b * a, (x, y))
    assert gradstep.autograd.gradgradcheck(make(gradstep, False).apply, (x,))
    assert gradstep.autograd.gradcheck(make(gradstep, True).apply, (x,))
    with pytest.raises(GradcheckError, match=r"^Jacobian mismatch for output 0 with respect to "
                                             r"input 0,\nnumerical:"):
        gradstep.autograd.gradgradcheck(make(gradstep, True).apply, (x,))
    assert gradstep.autograd.gradgradcheck(make(gradstep, True).apply, (x,),
                                           raise_exception=False) is False


# ----- anomaly mode -----

def test_anomaly_switches_match_torch():
    for lib in LIBS:
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        lib.autograd.set_detect_anomaly(True)
        assert lib.is_anomaly_enabled()
        lib.autograd.set_detect_anomaly(False)
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled. This mode will "
                                             "increase the runtime and should only be enabled "
                                             "for debugging."):
            with lib.autograd.detect_anomaly():
                assert lib.is_anomaly_enabled()
        assert not lib.is_anomaly_enabled()


def _nan_function(lib):
    class NanB(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")
    return NanB


@pytest.mark.parametrize("case", ["custom", "builtin"])
def test_anomaly_nan_error_matches_torch(case):
    messages, traces = [], []
    for lib in LIBS:
        x = lib.tensor([0., 1.], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                if case == "custom":
                    y = _nan_function(lib).apply(x)  # FORWARD-LINE
                else:
                    y = x / 0 * 0  # FORWARD-LINE
                with pytest.raises(RuntimeError) as info:
                    y.sum().backward()
        messages.append(str(info.value))
        traces.append([str(m.message) for m in w if "Error detected in" in str(m.message)])
    assert messages[0] == messages[1]
    assert messages[0] == ("Function 'NanBBackward' returned nan values in its 0th output."
                           if case == "custom" else
                           "Function 'DivBackward0' returned nan values in its 0th output.")
    for found in traces:
        assert len(found) == 1 and "# FORWARD-LINE" in found[0]
        assert found[0].startswith("Error detected in ")


def test_anomaly_check_nan_false_and_off():
    for lib in LIBS:
        x = lib.tensor([0., 1.], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly(check_nan=False):
                _nan_function(lib).apply(x).sum().backward()
        assert np.isnan(np.asarray(x.grad.detach())).all()
        x.grad = None
        _nan_function(lib).apply(x).sum().backward()  # anomaly mode off: no check
        assert np.isnan(np.asarray(x.grad.detach())).all()


def _saved_output_functions(lib):
    class MyExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            a, b = x.exp(), x * 2
            ctx.save_for_backward(a, b)
            return a, b

        @staticmethod
        def backward(ctx, ga, gb):
            a, b = ctx.saved_tensors
            return ga * a + gb * 2
    return MyExp, Two


@pytest.mark.parametrize("case", ["alive", "dropped", "second_output_dropped"])
def test_inplace_on_saved_output_of_a_function(case):
    """torch names the Function (``output 1 of Two``), and catches the change even when the
    output tensor itself is gone by backward."""
    messages = []
    for lib in LIBS:
        MyExp, Two = _saved_output_functions(lib)
        x = lib.tensor(np.array([0.5, 1., 2.], np.float32), requires_grad=True)
        if case == "second_output_dropped":
            a, b = Two.apply(x)
            z = (a * 1).sum() + (b * 1).sum()
            b.add_(1)
            del a, b
        else:
            y = MyExp.apply(x)
            y.add_(1)
            z = y.sum()
            if case == "dropped":
                del y
        with pytest.raises(RuntimeError) as info:
            z.backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert ("output 1 of Two," if case == "second_output_dropped" else "output 0 of MyExp,") \
        in messages[0]
