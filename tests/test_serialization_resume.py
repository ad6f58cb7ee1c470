"""Exact resume: a run checkpointed at epoch k and resumed in a fresh process ends bit-for-bit
equal to the uninterrupted run (model, optimizer, scheduler, global RNG and loader generator)."""
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import gradstep as torch
    from gradstep.utils.data import DataLoader, TensorDataset

    mode, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    EPOCHS, STOP = 4, 2
    torch.manual_seed(0)
    x = torch.randn(40, 5)
    y = (x.sum(1) > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Dropout(0.2), torch.nn.ReLU(),
                                torch.nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    g = torch.Generator().manual_seed(1)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True, generator=g)
    start = 0
    if mode == "resume":
        ckpt = torch.load(path)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        sched.load_state_dict(ckpt["sched"])
        torch.set_rng_state(ckpt["rng"])
        g.set_state(ckpt["gen"])
        start = ckpt["epoch"]
    for epoch in range(start, EPOCHS):
        if mode == "first" and epoch == STOP:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict(), "rng": torch.get_rng_state(),
                        "gen": g.get_state(), "epoch": epoch}, path)
            sys.exit(0)
        for xb, yb in loader:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
            sched.step()
    np.save(out, np.concatenate([p.detach().numpy().ravel() for p in model.parameters()]))
""")


def test_resume_in_fresh_process_is_bit_exact(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    ckpt, full, resumed = tmp_path / "ckpt.pt", tmp_path / "full.npy", tmp_path / "resumed.npy"

    repo = str(pathlib.Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=repo + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def run(mode, out):
        subprocess.run([sys.executable, str(script), mode, str(ckpt), str(out)], check=True,
                       cwd=str(tmp_path), timeout=120, env=env)

    run("full", full)
    run("first", resumed)
    assert ckpt.exists() and not resumed.exists()
    run("resume", resumed)
    a, b = np.load(full), np.load(resumed)
    assert a.dtype == np.float32 and a.size == 5 * 8 + 8 + 8 * 2 + 2
    np.testing.assert_array_equal(a, b)
