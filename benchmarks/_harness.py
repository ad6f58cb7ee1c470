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


_PAUSE = 0.15  # seconds: longer than OpenBLAS's and OpenMP's busy-wait after a parallel region


def _settle(fn, pause):
    """Untimed calls: one, or as many as fill ``pause`` seconds (steady state, as in a loop)."""
    end = time.perf_counter() + pause
    fn()
    while time.perf_counter() < end:
        fn()


def best_of_turns(steps, rounds=15, number=3, pause=_PAUSE):
    """For each ``name -> fn`` in ``steps``: the fastest of ``rounds`` timings of ``number``
    calls, in seconds per call, the functions taking turns round by round, so that a burst of
    load on a shared machine slows every library alike rather than whichever ran then.

    Each turn starts with a pause, then untimed calls for as long again. A training loop runs
    its own steps back to back; right after the other library's turn, its thread pool may still be spinning on the
    second core (OpenBLAS and OpenMP workers busy-wait for up to ~0.1 s after their work) and
    caches hold its memory. Timing straight after the switch measured the switch, not the step:
    at two threads both libraries' MLP steps took 1.7 to 2 times as long as in runs of their
    own. (``pause=0`` for a benchmark without thread pools: a pause lets the clock and caches
    cool, which slowed both libraries' per-op chains and moved the ratio by up to 0.07.)"""
    for fn in steps.values():
        fn()  # warm up
    best = {name: float("inf") for name in steps}
    for _ in range(rounds):
        for name, fn in steps.items():
            time.sleep(pause)  # the other library's spinning workers go to sleep
            _settle(fn, pause)  # and this library's are awake, its memory in cache
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
