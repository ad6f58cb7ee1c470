"""Optimizer step: SGD with momentum, Adam and AdamW over two parameter sets.

* many tiny tensors: 1,000 tensors of 4 to 64 elements;
* transformer-shaped: 8 blocks of width 512 plus an embedding, about 25.7M parameters.

Gradients are fixed; each measurement is one ``step()``. gradstep is timed with its default
(pure NumPy, chunked over one flat buffer per group) and, where numba is installed, with the
compiled kernels (``GRADSTEP_NUMBA=1``); torch with its default (for-loop) and ``fused=True``.
Ratios are gradstep / torch (below 1: gradstep is faster). For Adam the memory-bandwidth floor,
28 bytes per parameter per step, is printed with the fraction of it reached.

gradstep keeps gradients in a flat buffer per group (the autograd engine writes a fresh
``.grad`` there, and a gradient set before the layout is built is moved there), so the main rows
measure what a training loop's ``step()`` costs after ``backward()``. The ``tiny ... hand``
rows measure the other case: every ``.grad`` a new tensor assigned by hand, gathered per step.

    python benchmarks/bench_optim.py
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_of, child_main, run_all  # noqa: E402


def tiny_shapes(rng):
    return [(int(n),) for n in rng.integers(4, 65, 1000)]


def transformer_shapes():
    d, layers = 512, 8
    shapes = [(1000, d)]
    for _ in range(layers):
        shapes += [(d,), (d,), (d, 3 * d), (3 * d,), (d, d), (d,),
                   (d,), (d,), (d, 4 * d), (4 * d,), (4 * d, d), (d,)]
    return shapes + [(d,), (d,)]


CONFIGS = {"SGD": ("SGD", dict(lr=0.01, momentum=0.9)),
           "Adam": ("Adam", dict(lr=1e-3)),
           "AdamW": ("AdamW", dict(lr=1e-3))}


def _setup(lib, shapes, name, fused, rng_seed=0):
    import numpy as np
    rng = np.random.default_rng(rng_seed)
    params = []
    for s in shapes:
        p = lib.tensor(rng.standard_normal(s, dtype=np.float32), requires_grad=True)
        p.grad = lib.tensor(rng.standard_normal(s, dtype=np.float32))
        params.append(p)
    cls, kwargs = CONFIGS[name]
    kwargs = dict(kwargs)
    if fused:
        kwargs["fused"] = True
    opt = getattr(lib.optim, cls)(params, **kwargs)
    opt.step()  # state created
    opt.step()  # flat layout built
    return opt, params


def _hand_set(lib, params):
    """Give every parameter a new gradient tensor, as a script assigning ``p.grad`` does."""
    for p in params:
        p.grad = lib.tensor(p.grad.numpy().copy())


def measure(threads):
    import numpy as np
    import torch

    import gradstep
    from gradstep.optim import _flat
    try:
        import numba  # noqa: F401
        have_numba = True
    except ImportError:
        have_numba = False
    gradstep.set_num_threads(threads)
    rng = np.random.default_rng(0)
    sets = {"tiny": (tiny_shapes(rng), 100, 3), "25M": (transformer_shapes(), 7, 1)}
    slow = {"tiny": (10, 1), "25M": (3, 1)}  # torch's for-loop: slow and steady
    result = {}
    for set_name, (shapes, repeat, number) in sets.items():
        n = sum(int(np.prod(s)) for s in shapes)
        for name in CONFIGS:
            times = {}
            for label, lib, fused, numba_on in (("gs", gradstep, False, False),
                                                ("gs-numba", gradstep, False, True),
                                                ("torch", torch, False, False),
                                                ("torch-fused", torch, True, False)):
                if numba_on and not have_numba:
                    continue
                _flat.use_numba(numba_on)
                opt, params = _setup(lib, shapes, name, fused)
                r, k = slow[set_name] if label == "torch" else (repeat, number)
                times[label] = best_of(opt.step, repeat=r, number=k) * 1e3
                if lib is gradstep and set_name == "tiny":
                    _hand_set(lib, params)  # gathered at every step from now on
                    times[label + " hand"] = best_of(opt.step, repeat=repeat,
                                                     number=number) * 1e3
                del opt
            _flat.use_numba(False)
            for label in [k for k in times if k.startswith("gs")]:
                short = ("np" if label.startswith("gs ") or label == "gs" else "nb") + \
                    (" hand" if label.endswith("hand") else "")
                result[f"{name} {set_name} {short}/default"] = (times[label], times["torch"], "ms")
                result[f"{name} {set_name} {short}/fused"] = (times[label], times["torch-fused"],
                                                              "ms")
                if name == "Adam" and set_name == "25M":
                    floor = 28 * n / _bandwidth() * 1e3
                    result[f"Adam 25M {short} vs 28B floor"] = (times[label], floor, "ms")
    return result


_BW = []


def _bandwidth():
    """Measured memory bandwidth (bytes/s) of a large NumPy copy (read + write)."""
    if not _BW:
        import numpy as np
        a = np.ones(50_000_000 // 4, np.float32)
        b = np.empty_like(a)
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            np.copyto(b, a)
            best = min(best, time.perf_counter() - t)
        _BW.append(2 * a.nbytes / best)
    return _BW[0]


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(measure)
    else:
        run_all(os.path.abspath(__file__),
                "Optimizer step, milliseconds (np: NumPy default, nb: numba kernels); ratio = "
                "gradstep / torch default or fused; 'floor' = 28 bytes/param at copy bandwidth")
