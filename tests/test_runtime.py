"""Environment probes answer like torch's on this machine; ``python -m gradstep.run`` runs torch
scripts on gradstep and names what gradstep lacks."""
import os
import subprocess
import sys
import textwrap

import pytest
import torch

import gradstep

GPU = gradstep.cuda.is_available()
# torch and gradstep see the same devices when both have a GPU or neither has one
SAME_VIEW = GPU == torch.cuda.is_available()

# Device probes: (probe, the truth for this machine from gradstep's backend); equal to torch's
# too wherever both libraries see the same devices.
DEVICE_PROBES = {
    "cuda.is_available": (lambda lib: lib.cuda.is_available(), lambda: GPU),
    "cuda.device_count": (lambda lib: lib.cuda.device_count() > 0, lambda: GPU),
    "accelerator.is_available": (lambda lib: lib.accelerator.is_available(), lambda: GPU),
    "accelerator.device_count": (lambda lib: lib.accelerator.device_count() > 0, lambda: GPU),
    "current_accelerator": (lambda lib: str(lib.accelerator.current_accelerator()),
                            lambda: "cuda" if GPU else "None"),
}


@pytest.mark.parametrize("name", list(DEVICE_PROBES))
def test_device_probe_answers_for_this_machine(name):
    probe, truth = DEVICE_PROBES[name]
    assert probe(gradstep) == truth()
    if SAME_VIEW:
        assert probe(gradstep) == probe(torch)


# Probes that do not depend on the devices: always equal to torch's.
PROBES = [
    lambda lib: lib.backends.mps.is_available(),
    lambda lib: lib.backends.mps.is_built(),
    lambda lib: str(lib.get_default_device()),
    lambda lib: lib.get_float32_matmul_precision(),
    lambda lib: lib.are_deterministic_algorithms_enabled(),
]


@pytest.mark.parametrize("probe", PROBES)
def test_probe_matches_torch(probe):
    assert probe(gradstep) == probe(torch)


def test_probes_of_what_gradstep_never_uses():
    # gradstep never uses cuDNN, so it says so on every machine (as torch's CPU build does)
    assert gradstep.backends.cudnn.is_available() is False
    assert gradstep.backends.cudnn.version() is None
    if not GPU:
        assert gradstep.cuda.memory_allocated() == 0


# Calls that need a GPU: without one, torch's CPU build raises these (type, message).
NEEDS_GPU = {
    "synchronize": (lambda lib: lib.cuda.synchronize(),
                    AssertionError, "Torch not compiled with CUDA enabled"),
    "get_device_name": (lambda lib: lib.cuda.get_device_name(),
                        AssertionError, "Torch not compiled with CUDA enabled"),
    "current_device_index": (lambda lib: lib.accelerator.current_device_index(),
                             RuntimeError, "Cannot access accelerator device when none is available."),
}


@pytest.mark.parametrize("name", list(NEEDS_GPU))
def test_gpu_calls_raise_torchs_error_without_a_gpu(name):
    call, error, message = NEEDS_GPU[name]
    if GPU:
        call(gradstep)  # with a GPU they work
        return
    if not torch.cuda.is_available():  # torch here is a CPU build too: check the text against it
        with pytest.raises(error) as expected:
            call(torch)
        assert str(expected.value) == message
    with pytest.raises(error) as got:
        call(gradstep)
    assert str(got.value) == message


def test_set_num_threads_error_matches_torch():
    with pytest.raises(RuntimeError) as expected:
        torch.set_num_threads(0)
    with pytest.raises(RuntimeError) as got:
        gradstep.set_num_threads(0)
    assert str(got.value) == str(expected.value)


def test_num_threads_round_trip():
    before = gradstep.get_num_threads()
    assert before >= 1
    gradstep.set_num_threads(1)
    assert gradstep.get_num_threads() == 1
    gradstep.set_num_threads(before)


def test_compile_returns_the_model_unchanged():
    def f(x):
        return x * 2
    assert gradstep.compile(f) is f
    assert gradstep.compile(mode="max-autotune")(f) is f


def test_default_device_is_used_by_factories():
    gradstep.set_default_device("cpu")
    assert gradstep.zeros(2).device == gradstep.device("cpu")
    gradstep.set_default_device(None)
    assert str(gradstep.get_default_device()) == "cpu"


def _run(script, *args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(__file__)),
                                         env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "gradstep.run", script, *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_run_executes_an_unmodified_torch_script(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch
        import torch.nn.functional as F
        import torch.backends.cudnn as cudnn
        from torch import autograd
        cudnn.benchmark = True
        x = torch.tensor([1., 2.], requires_grad=True)
        (100 * x).sum().backward()
        print(type(x).__module__.split('.')[0], x.grad, sys.argv[1:])
        print(torch.cuda.is_available(), autograd.grad is not None)
    """))
    result = _run(str(script), "--epochs", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "gradstep tensor([100., 100.]) ['--epochs', '3']"
    assert lines[1] == f"{gradstep.cuda.is_available()} True"


def test_run_names_the_missing_torch_api(tmp_path):
    script = tmp_path / "uses_missing.py"
    script.write_text("import torch\ntorch.fft.fft(torch.zeros(4))\n")
    result = _run(str(script))
    assert result.returncode != 0
    assert "gradstep does not implement torch.fft" in result.stderr
    script.write_text("import torch.fx\n")
    result = _run(str(script))
    assert "ModuleNotFoundError: gradstep does not implement torch.fx" in result.stderr
