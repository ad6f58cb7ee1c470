"""The scripts in examples/ run, print what their seeds print, learn, and are plain torch scripts.

Each example is executed from its source (as ``python examples/x.py`` would, but with ``main``
called with shortened settings) inside a temporary directory. The same source with its gradstep
imports rewritten to torch's is run under the real torch, which proves it is a PyTorch script and
gives the reference for every printed listing.
"""
import ast
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import gradstep

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# The seeds' printed text (examples/seed_*.py reproduce the snippets in the issue tracker).
SEED_OPTIMIZER_STEP = """\
tensor([1., 2.], requires_grad=True)
tensor([0.9000, 1.9000], requires_grad=True)
"""
SEED_BACKWARD = """\
None
tensor([100., 100.])
tensor([0.9000, 1.9000], requires_grad=True)
"""
SEED_STEPLR = "".join(
    f"Epoch {epoch}, lr {100 * 0.1 ** (epoch // 4):0.4f}\n" for epoch in range(1, 25))

# name: (argv for the test's gradstep run, argv for the shorter run under torch)
MAIN_EXAMPLES = {
    "seed_optimizer_step": ([], []),
    "seed_steplr": ([], []),
    "seed_linear_mse": (["--steps", "3"], ["--steps", "3"]),
    "char_lstm": (["--steps", "40", "--seq-len", "16", "--sample-length", "20"],
                  ["--steps", "15", "--seq-len", "16", "--sample-length", "10"]),
    "tiny_transformer": (["--steps", "40"], ["--steps", "15"]),
    "mlp_regression": (["--epochs", "10"], ["--epochs", "3"]),
}
# Scripts without main(): they run top to bottom.
SCRIPT_EXAMPLES = ("seed_backward", "lr_schedule_preview")
# These use gradstep extras (datasets.load_digits, lr_scheduler.preview_schedule): no torch twin.
GRADSTEP_ONLY = ("train_digits", "lr_schedule_preview")


def _source(name):
    return (EXAMPLES / f"{name}.py").read_text()


def _gradstep_names(tree):
    """Every place the code (not a docstring) names gradstep outside an import statement."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == "gradstep"
            or isinstance(node, ast.Attribute) and node.attr == "gradstep"]


def _to_torch(source):
    """The example with ``import gradstep as torch`` (and gradstep.x imports) made torch's."""
    translated = re.sub(r"^(\s*)(import|from) gradstep\b", r"\1\2 torch", source, flags=re.M)
    tree = ast.parse(translated)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(not a.name.startswith("gradstep") for a in node.names), node.lineno
        elif isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("gradstep"), node.lineno
    assert not _gradstep_names(tree)
    return translated


def _exec(name, lib):
    """Execute examples/<name>.py with gradstep or (translated) torch; return its namespace."""
    path = EXAMPLES / f"{name}.py"
    source = _source(name) if lib == "gradstep" else _to_torch(_source(name))
    namespace = {"__name__": f"example_{name}", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def _run(name, argv, lib="gradstep"):
    return _exec(name, lib)["main"](list(argv))


def _one_blas_thread_env():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(EXAMPLES.parent)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    # One BLAS thread: with the cores busy (parallel test runs) a second one only spins.
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


# main(argv) of an example in a fresh interpreter with one BLAS thread, its result as JSON: the
# LSTM and the CNN make many small matrix products, which a second BLAS thread only slows down
# when the cores are busy with other work (in-process, BLAS's thread count cannot be changed
# without threadpoolctl).
_MAIN_RUNNER = """
import json, runpy, sys
namespace = runpy.run_path(sys.argv[1], run_name="example")
print("RESULT " + json.dumps(namespace["main"](sys.argv[2:])))
"""


def _run_in_fresh_process(name, argv, cwd):
    done = subprocess.run([sys.executable, "-c", _MAIN_RUNNER, str(EXAMPLES / f"{name}.py"),
                           *argv], cwd=cwd, env=_one_blas_thread_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out, _, result = done.stdout.rpartition("RESULT ")
    return json.loads(result), out


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Many tiny matrix products (one per LSTM time step): a second BLAS thread only contends."""
    import torch
    before = torch.get_num_threads(), gradstep.get_num_threads()
    torch.set_num_threads(1)
    gradstep.set_num_threads(1)   # takes effect on BLAS when threadpoolctl is installed
    yield
    torch.set_num_threads(before[0])
    gradstep.set_num_threads(before[1])


def test_every_example_is_tested():
    on_disk = {p.stem for p in EXAMPLES.glob("*.py")}
    assert on_disk == set(MAIN_EXAMPLES) | set(SCRIPT_EXAMPLES) | set(GRADSTEP_ONLY)


@pytest.mark.parametrize("name", sorted({p.stem for p in EXAMPLES.glob("*.py")}))
def test_example_is_a_torch_script(name):
    """Imports gradstep as torch; no other use of the name gradstep; a docstring on how to run."""
    source = _source(name)
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree)
    assert docstring and f"examples/{name}.py" in docstring
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert any(isinstance(n, ast.Import) and [(a.name, a.asname) for a in n.names]
               == [("gradstep", "torch")] for n in imports)
    assert not _gradstep_names(tree)
    if name in MAIN_EXAMPLES or name == "train_digits":
        assert "main" in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert 'if __name__ == "__main__":\n    main()' in source
    if name not in GRADSTEP_ONLY:
        _to_torch(source)   # only the import lines differ from the torch script


# --- the seeds: exact printed text ----------------------------------------------------------

@pytest.mark.parametrize("name, expected", [("seed_optimizer_step", SEED_OPTIMIZER_STEP),
                                            ("seed_steplr", SEED_STEPLR)],
                         ids=["seed_optimizer_step", "seed_steplr"])
def test_seed_prints_the_seed_text_as_torch_does(name, expected, capsys):
    _run(name, MAIN_EXAMPLES[name][0])
    out = capsys.readouterr().out
    assert out == expected
    _run(name, MAIN_EXAMPLES[name][1], lib="torch")
    assert capsys.readouterr().out == out


def test_seed_optimizer_step_returns_the_updated_parameter():
    x = _run("seed_optimizer_step", [])
    assert x.tolist() == pytest.approx([0.9, 1.9])
    assert x.requires_grad and x.grad.tolist() == [100.0, 100.0]


def test_seed_steplr_rates_and_shorter_run():
    lrs = _run("seed_steplr", ["--epochs", "9"])
    assert lrs == pytest.approx([100.0] * 3 + [10.0] * 4 + [1.0] * 2)


def test_seed_backward_script(capsys):
    _exec("seed_backward", "gradstep")
    out = capsys.readouterr().out
    assert out == SEED_BACKWARD
    _exec("seed_backward", "torch")
    assert capsys.readouterr().out == out


def test_seed_linear_mse_loss_falls_every_step(capsys):
    losses = _run("seed_linear_mse", ["--steps", "3"])
    out = capsys.readouterr().out.splitlines()
    assert len(losses) == 4 and all(b < a for a, b in zip(losses, losses[1:]))
    assert out == ([f"step {i}: loss {loss:.6f}" for i, loss in enumerate(losses[:-1])]
                   + [f"after 3 steps: loss {losses[-1]:.6f}"])


def test_seed_linear_mse_verbatim_seed_warns_as_torch_does(recwarn):
    """The seed's own target, torch.randn(1), broadcasts against the (1, 1) output: both warn."""
    import torch
    messages = []
    for lib in (gradstep, torch):
        recwarn.clear()
        model = lib.nn.Linear(10, 1)
        loss = lib.nn.MSELoss()(model(lib.randn(1, 10)), lib.randn(1))
        loss.backward()
        messages.append([(w.category, str(w.message)) for w in recwarn])
        assert loss.shape == ()
    assert messages[0] == messages[1] and len(messages[0]) == 1


def test_lr_schedule_preview_script_starts_with_the_seed_listing(capsys):
    _exec("lr_schedule_preview", "gradstep")
    out = capsys.readouterr().out
    assert out.startswith(SEED_STEPLR + "\n")


# --- the training examples learn -------------------------------------------------------------

def _mean(values):
    return sum(values) / len(values)


def test_char_lstm_learns_and_samples(tmp_path):
    result, out = _run_in_fresh_process("char_lstm", MAIN_EXAMPLES["char_lstm"][0], tmp_path)
    losses, text = result["losses"], result["sample"]
    assert len(losses) == 40 and all(math.isfinite(v) for v in losses)
    assert _mean(losses[-5:]) < 0.85 * _mean(losses[:5])
    namespace = _exec("char_lstm", "gradstep")
    assert text.startswith("Shall I ") and len(text) == len("Shall I ") + 20
    assert set(text) <= set(namespace["TEXT"])
    assert text in out


def test_char_lstm_sampling_is_reproducible(tmp_path):
    argv = ["--steps", "1", "--seq-len", "8", "--sample-length", "30", "--temperature", "1.5"]
    first = _run_in_fresh_process("char_lstm", argv, tmp_path)[0]["sample"]
    assert _run_in_fresh_process("char_lstm", argv, tmp_path)[0]["sample"] == first
    other_seed = _run_in_fresh_process("char_lstm", argv + ["--seed", "1"], tmp_path)[0]
    assert other_seed["sample"] != first


def test_tiny_transformer_learns_to_reverse(tmp_path):
    result, out = _run_in_fresh_process("tiny_transformer", MAIN_EXAMPLES["tiny_transformer"][0],
                                        tmp_path)
    assert f"token accuracy {result['token_accuracy']:.2%}" in out
    losses = result["losses"]
    assert len(losses) == 40
    assert _mean(losses[-5:]) < 0.25 * _mean(losses[:5])
    assert result["token_accuracy"] > 0.9
    assert 0.0 <= result["sequence_accuracy"] <= result["token_accuracy"]


def test_tiny_transformer_mask_is_causal():
    """Changing a later token never changes the logits at an earlier position."""
    namespace = _exec("tiny_transformer", "gradstep")
    gradstep.manual_seed(0)
    model = namespace["TinyGPT"](vocab_size=11, max_len=9).eval()
    seq = namespace["make_batch"](4, 4, 10)
    changed = seq.clone()
    changed[:, 6:] = (changed[:, 6:] + 1) % 10
    with gradstep.no_grad():
        a, b = model(seq), model(changed)
    assert gradstep.equal(a[:, :6], b[:, :6])
    assert not gradstep.equal(a[:, 6:], b[:, 6:])


def test_mlp_regression_fits_the_sine():
    history = _run("mlp_regression", MAIN_EXAMPLES["mlp_regression"][0])
    assert [h["epoch"] for h in history] == list(range(1, 11))
    assert history[-1]["train_loss"] < 0.25 * history[0]["train_loss"]
    assert history[-1]["test_loss"] < 0.5 * history[0]["test_loss"]
    assert history[-1]["test_loss"] < 0.05      # the noise variance is 0.01


# --- the same scripts under the real torch -----------------------------------------------------

def _losses(result):
    if isinstance(result, dict):
        return result["losses"]
    if result and isinstance(result[0], dict):
        return [h["train_loss"] for h in result]
    return result


@pytest.mark.parametrize("name", ["seed_linear_mse", "char_lstm", "tiny_transformer",
                                  "mlp_regression"])
def test_training_example_runs_under_torch(name, capsys):
    losses = _losses(_run(name, MAIN_EXAMPLES[name][1], lib="torch"))
    assert all(math.isfinite(v) for v in losses)
    assert losses[-1] < losses[0]
    assert capsys.readouterr().out


@pytest.mark.parametrize("name, expected", [("seed_optimizer_step", SEED_OPTIMIZER_STEP),
                                            ("seed_steplr", SEED_STEPLR)],
                         ids=["seed_optimizer_step", "seed_steplr"])
def test_torch_script_under_gradstep_run(name, expected, tmp_path):
    """The torch version of the seed, run by ``python -m gradstep.run``, prints the seed text."""
    script = tmp_path / f"torch_{name}.py"
    script.write_text(_to_torch(_source(name)))
    done = subprocess.run([sys.executable, "-m", "gradstep.run", str(script)], cwd=tmp_path,
                          env=_one_blas_thread_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


# --- the demo: examples/train_digits.py -------------------------------------------------------

def _digits(tmp_path, checkpoint, *args):
    return _run("train_digits", ["--no-progress", "--checkpoint", str(tmp_path / checkpoint),
                                 *args])


def test_train_digits_reaches_a_sane_accuracy(tmp_path):
    history, out = _run_in_fresh_process(
        "train_digits", ["--epochs", "3", "--no-progress", "--checkpoint", "short.pt"], tmp_path)
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert history[-1]["accuracy"] > 0.8
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]
    assert "summary: 3 epochs" in out and (tmp_path / "short.pt").exists()


def _digits_process(tmp_path, *args):
    """``python examples/train_digits.py ARGS`` in a fresh process, as the README runs it."""
    done = subprocess.run([sys.executable, str(EXAMPLES / "train_digits.py"), "--no-progress",
                           *args], cwd=tmp_path, env=_one_blas_thread_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_train_digits_resume_in_a_fresh_process_is_exact(tmp_path):
    """4 epochs in one go == 2 epochs, stop, then --resume in a new process: bit for bit."""
    _digits_process(tmp_path, "--epochs", "4", "--checkpoint", "full.pt")
    _digits_process(tmp_path, "--epochs", "4", "--checkpoint", "split.pt", "--stop-after", "2")
    halfway = gradstep.load(tmp_path / "split.pt")
    assert halfway["epoch"] == 2
    out = _digits_process(tmp_path, "--epochs", "4", "--checkpoint", "split.pt", "--resume")
    assert out.startswith("resumed from split.pt after epoch 2\n")
    assert "summary: 4 epochs (2 in this run" in out

    full, split = gradstep.load(tmp_path / "full.pt"), gradstep.load(tmp_path / "split.pt")
    assert split["history"][:2] == halfway["history"]
    assert split["history"] == full["history"]      # every loss and accuracy, exactly
    assert [h["epoch"] for h in full["history"]] == [1, 2, 3, 4]
    assert split["epoch"] == full["epoch"] == 4
    assert split["model"].keys() == full["model"].keys()
    assert all(gradstep.equal(split["model"][k], full["model"][k]) for k in full["model"])
    for a, b in zip(split["optimizer"]["state"].values(), full["optimizer"]["state"].values()):
        assert all(gradstep.equal(a[k], b[k]) for k in ("exp_avg", "exp_avg_sq"))
    assert gradstep.equal(split["rng_state"], full["rng_state"])
    assert split["scheduler"] == full["scheduler"]


def test_train_digits_resume_without_a_checkpoint_starts_fresh(tmp_path, capsys):
    history = _digits(tmp_path, "missing.pt", "--epochs", "2", "--stop-after", "1", "--resume",
                      "--batch-size", "256")
    assert [h["epoch"] for h in history] == [1]
    assert "resumed" not in capsys.readouterr().out
    assert gradstep.load(tmp_path / "missing.pt")["history"] == history
