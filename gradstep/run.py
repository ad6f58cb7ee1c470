"""Run an unmodified PyTorch script on gradstep: ``python -m gradstep.run script.py [args...]``.

Inside the script, ``import torch`` (and ``torch.nn``, ``torch.optim``, ``torch.utils.data`` ...)
is gradstep. In a notebook, call ``gradstep.install_as_torch()`` before the first ``import torch``.
"""
import os
import runpy
import sys

from ._torch_alias import install


def main(argv=None):
    """Run ``argv[0]`` as ``__main__`` with ``torch`` bound to gradstep; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    install()
    sys.argv = list(argv)
    if argv[0] == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
