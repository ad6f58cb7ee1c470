"""The per-op fast paths keep torch's behaviour: quiet floating point, grad mode per thread.

The hot elementwise ops skip NumPy's error-state switch while gradstep's warnings filter is in
effect (``_ops/_fp.py``); ops read the grad mode through a count of threads that turned recording
off (``autograd/grad_mode.py``). pytest puts its own filters in front of gradstep's, so the
filter path is checked in a fresh interpreter as a user script would run.
"""
import re
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest

import gradstep
from gradstep._ops import _fp
from gradstep.autograd import grad_mode


def run_script(parts, *flags):
    source = "\n".join(textwrap.dedent(part) for part in parts)
    result = subprocess.run([sys.executable, *flags, "-c", source],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


# Overflow, divide by zero and invalid values through ops that rely on the filter, and their
# gradients; printed, so that a warning turned into an error would fail the script.
OVERFLOWING_OPS = """
    import gradstep as torch
    x = torch.tensor([100., 0., -1.], requires_grad=True)
    y = x.exp() * 1e38 + x / 0.0 - x.log() + x.sqrt() + x.tanh() + x.sigmoid()
    y.sum().backward()
    print(y.tolist(), x.grad.tolist())
"""


def test_filter_path_is_taken_and_silent_under_error_filters():
    out = run_script(["from gradstep._ops import _fp", OVERFLOWING_OPS, """
        print("fast", _fp.silenced())
        import numpy as np
        try:
            np.exp(np.float32(100))  # the user's own NumPy code still warns
        except RuntimeWarning as e:
            print("user:", e)
    """], "-W", "error::RuntimeWarning")
    assert "fast True" in out
    assert "user: overflow encountered in exp" in out
    assert "inf" in out and "nan" in out


@pytest.mark.parametrize("change", [
    'warnings.simplefilter("error")',                       # a filter in front of gradstep's
    'warnings.filterwarnings("error", category=RuntimeWarning, module="gradstep")',
    'warnings.resetwarnings(); warnings.simplefilter("error")',  # gradstep's filter gone
    'warnings.resetwarnings()',                              # no filters at all
    'np.seterr(all="raise")',                                # NumPy raises instead of warning
    'np.seterr(all="print")',
])
def test_ops_stay_silent_when_the_filter_is_not_in_effect(change):
    out = run_script(["""
        import warnings
        import numpy as np
        import gradstep
        from gradstep._ops import _fp
    """, change, 'print("fast", _fp.silenced())', OVERFLOWING_OPS,
                      'print("fast", _fp.silenced())'])
    assert out.count("fast False") == 2
    assert "overflow" not in out and "divide" not in out and "invalid" not in out


def test_inside_np_errstate_ops_are_silent_and_the_state_is_kept():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            x = gradstep.tensor([100., 0.], requires_grad=True)
            y = x.exp() / x
            y.sum().backward()
            with pytest.raises(FloatingPointError):
                np.exp(np.float32(100))
    assert np.isinf(y._data).all()


def _filter(action, category=RuntimeWarning, module=None, message=None, lineno=0):
    return (action, None if message is None else re.compile(message, re.I), category,
            None if module is None else re.compile(module), lineno)


GRADSTEPS = _filter("ignore", module=r"gradstep(\.|$)")


@pytest.mark.parametrize("filters, silent", [
    ([GRADSTEPS], True),
    ([_filter("ignore")], True),                                     # ignores every RuntimeWarning
    ([_filter("error", category=DeprecationWarning), GRADSTEPS], True),  # other category
    ([_filter("error", module="numpy"), GRADSTEPS], True),                # other module
    ([_filter("error", message="numpy.ndarray size changed"), GRADSTEPS], True),  # other message
    ([_filter("ignore", message="overflow"), GRADSTEPS], True),    # ignores part, then the rest
    ([_filter("ignore", message="overflow"), _filter("error")], False),
    ([_filter("error", category=Warning), GRADSTEPS], False),
    ([_filter("always"), GRADSTEPS], False),
    ([_filter("error", module="gradstep._ops.arith"), GRADSTEPS], False),
    ([_filter("ignore", lineno=12), _filter("error")], False),      # one line only
    ([_filter("ignore", module="gradstep._ops.arith"), _filter("error")], False),
    ([], False),                                                    # Python's default shows them
])
def test_which_filter_lists_silence_gradstep(filters, silent):
    assert _fp._filters_ignore_ours(filters) is silent


def test_the_check_follows_filter_changes():
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradstep(\.|$)")
        assert _fp.silenced()
        assert _fp.silenced()  # the remembered answer
        warnings.simplefilter("error")
        assert not _fp.silenced()
        assert not _fp.silenced()
        warnings.filters.pop(0)
        assert _fp.silenced()
        with np.errstate(over="raise"):
            assert not _fp.silenced()
        assert _fp.silenced()


# ----- grad mode ------------------------------------------------------------------------------

def test_off_threads_counts_threads_with_recording_off():
    assert grad_mode.off_threads[0] == 0
    with gradstep.no_grad():
        assert grad_mode.off_threads[0] == 1
        with gradstep.no_grad():
            assert grad_mode.off_threads[0] == 1
            with gradstep.enable_grad():
                assert grad_mode.off_threads[0] == 0
            assert grad_mode.off_threads[0] == 1
    assert grad_mode.off_threads[0] == 0
    gradstep.set_grad_enabled(False)
    assert grad_mode.off_threads[0] == 1 and not gradstep.is_grad_enabled()
    gradstep.set_grad_enabled(True)
    assert grad_mode.off_threads[0] == 0
    with gradstep.inference_mode():
        assert grad_mode.off_threads[0] == 1
    assert grad_mode.off_threads[0] == 0


def test_another_threads_no_grad_does_not_leak_into_this_one():
    x = gradstep.tensor([1., 2.], requires_grad=True)
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with gradstep.no_grad():
            seen["worker"] = (x * 2).requires_grad
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(10)
    assert grad_mode.off_threads[0] == 1
    y = x * 2  # this thread still records, read from its own state
    seen["main"] = y.requires_grad and y.grad_fn is not None
    with gradstep.no_grad():
        seen["main_off"] = (x * 2).requires_grad
    release.set()
    thread.join()
    assert seen == {"worker": False, "main": True, "main_off": False}
    assert grad_mode.off_threads[0] == 0


def test_backward_restores_the_count():
    x = gradstep.tensor([1., 2.], requires_grad=True)
    (x * x).sum().backward()
    assert grad_mode.off_threads[0] == 0
    (gx,) = gradstep.autograd.grad((x * x * x).sum(), x, create_graph=True)
    assert grad_mode.off_threads[0] == 0 and gx.requires_grad


# ----- the engine's trusted path --------------------------------------------------------------

@pytest.mark.parametrize("create_graph", [False, True])
def test_op_gradients_over_mixed_dtypes_are_cast(create_graph):
    import torch
    grads = []
    for lib in (gradstep, torch):
        a = lib.tensor([1., 2.], dtype=lib.float32, requires_grad=True)
        b = lib.tensor([3.], dtype=lib.float64, requires_grad=True)
        loss = (lib.cat([a, b]) ** 2 + 2.0 ** a.sum()).sum()
        ga, gb = lib.autograd.grad(loss, (a, b), create_graph=create_graph)
        if create_graph:  # the cast gradients are differentiable too
            ga, gb = lib.autograd.grad((ga.sum() + gb.sum()), (a, b))
        grads.append((ga, gb))
    for ours, theirs in zip(*grads):
        assert str(ours.dtype) == str(theirs.dtype)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def test_hooks_on_an_op_node_take_the_careful_path():
    x = gradstep.tensor([1., 2.], requires_grad=True)
    y = x * 3
    assert not y.grad_fn._slow
    calls = []
    y.grad_fn.register_hook(lambda grads_in, grads_out: calls.append(len(grads_in)))
    assert y.grad_fn._slow
    y.sum().backward()
    assert calls == [2]
    np.testing.assert_array_equal(x.grad.numpy(), [3., 3.])
