"""Shared benchmark plumbing: run a measurement at 1 and at N threads, gradstep beside torch.

Each thread count runs in a fresh subprocess, because BLAS reads its thread count from the
environment at start-up (the benchmark sets it for its own child processes only).
"""
import json
import os
import subprocess
import sys
import time


def best_of(fn, repeat=7, number=1):
    """The fastest of ``repeat`` timings of ``number`` calls, in seconds per call."""
    fn()  # warm up
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def twin_models(make_model):
    """``(gradstep_model, torch_model)`` built by ``make_model(lib)``, with torch's initial weights
    (seed 0) copied into gradstep's through ``state_dict``."""
    import torch

    import gradstep
    torch.manual_seed(0)
    t_model = make_model(torch)
    g_model = make_model(gradstep)
    g_model.load_state_dict({k: gradstep.tensor(v.numpy())
                             for k, v in t_model.state_dict().items()})
    return g_model, t_model


def best_of_turns(steps, rounds=15, number=3):
    """For each ``name -> fn`` in ``steps``: the fastest of ``rounds`` timings of ``number``
    calls, in seconds per call, the functions taking turns round by round, so that a burst of
    load on a shared machine slows every library alike rather than whichever ran then.

    Each turn starts with one untimed call. A training loop runs its own steps back to back;
    right after the other library's turn, caches hold the other library's memory and its thread
    pool may still be spinning on the second core (OpenMP and OpenBLAS workers busy-wait for a
    while after their work). Timing that first call measured the switch, not the step: at two
    threads both libraries' MLP steps took 1.7 times as long as in a run of their own."""
    for fn in steps.values():
        fn()  # warm up
    best = {name: float("inf") for name in steps}
    for _ in range(rounds):
        for name, fn in steps.items():
            fn()  # settle: see above
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    return best


def child_main(measure):
    """In the child: measure (a function of the thread count) and print JSON."""
    threads = int(os.environ["GRADSTEP_BENCH_THREADS"])
    import torch
    torch.set_num_threads(threads)
    print(json.dumps(measure(threads)))


def run_all(script, title, thread_counts=None):
    """In the parent: run ``script`` as a child at each thread count and print a table."""
    if thread_counts is None:
        thread_counts = sorted({1, os.cpu_count() or 1})
    print(title)
    print(f"{'threads':>7}  {'case':<28} {'gradstep':>12} {'torch':>12} {'ratio':>7}")
    for n in thread_counts:
        env = dict(os.environ, GRADSTEP_BENCH_THREADS=str(n), OPENBLAS_NUM_THREADS=str(n),
                   OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n))
        out = subprocess.run([sys.executable, script, "--child"], env=env, check=True,
                             capture_output=True, text=True).stdout
        for case, (g, t, unit) in json.loads(out.strip().splitlines()[-1]).items():
            print(f"{n:>7}  {case:<28} {g:>9.2f} {unit:<2} {t:>9.2f} {unit:<2} {g / t:>7.2f}")
