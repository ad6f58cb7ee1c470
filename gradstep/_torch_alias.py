"""Make ``import torch`` (and every ``torch.*`` submodule) resolve to gradstep.

``install()`` puts an import finder first on ``sys.meta_path``: ``torch.X.Y`` is served by
``gradstep.X.Y``, wrapped in a thin module proxy whose attribute lookups go to the gradstep module.
What gradstep lacks fails with a message that names the torch API, so a user knows it is a gap in
gradstep and not a typo in their script. ``python -m gradstep.run script.py`` calls ``install()``
and then runs the script; in a notebook, ``import gradstep; gradstep.install_as_torch()`` before the
first ``import torch`` does the same.
"""
import importlib
import importlib.abc
import importlib.util
import sys
import types

__all__ = ["install", "uninstall", "TORCH_API_VERSION"]

TORCH_API_VERSION = "2.13.0"  # the torch release whose API gradstep implements


def _missing(torch_name):
    return (f"gradstep does not implement {torch_name} (running this script with gradstep in place "
            "of torch)")


class TorchModuleProxy(types.ModuleType):
    """``torch.<name>`` backed by ``gradstep.<name>``: reads and writes go to the gradstep module."""

    def __init__(self, torch_name, target):
        super().__init__(torch_name, target.__doc__)
        object.__setattr__(self, "_gradstep_module", target)
        if hasattr(target, "__path__"):
            object.__setattr__(self, "__path__", [])  # a package: its submodules are importable

    def __getattr__(self, name):
        target = object.__getattribute__(self, "_gradstep_module")
        if name == "__version__" and self.__name__ == "torch":
            return TORCH_API_VERSION
        try:
            value = getattr(target, name)
        except AttributeError:
            if name.startswith("__"):
                raise
            submodule = f"{self.__name__}.{name}"
            try:
                return importlib.import_module(submodule)
            except ModuleNotFoundError:
                raise AttributeError(_missing(submodule)) from None
        if isinstance(value, types.ModuleType) and value.__name__.startswith("gradstep."):
            return importlib.import_module("torch" + value.__name__[len("gradstep"):])
        return value

    def __setattr__(self, name, value):
        if name.startswith("__"):  # module metadata (__spec__, __loader__...) is the proxy's own
            object.__setattr__(self, name, value)
            return
        setattr(object.__getattribute__(self, "_gradstep_module"), name, value)

    def __dir__(self):
        return dir(object.__getattribute__(self, "_gradstep_module"))


class _Loader(importlib.abc.Loader):
    def __init__(self, torch_name):
        self.torch_name = torch_name

    def create_module(self, spec):
        gradstep_name = "gradstep" + self.torch_name[len("torch"):]
        try:
            target = importlib.import_module(gradstep_name)
        except ModuleNotFoundError as exc:
            if exc.name != gradstep_name:
                raise
            raise ModuleNotFoundError(_missing(self.torch_name), name=self.torch_name) from None
        return TorchModuleProxy(self.torch_name, target)

    def exec_module(self, module):
        pass


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            loader = _Loader(fullname)
            return importlib.util.spec_from_loader(fullname, loader, is_package=True)
        return None


_FINDER = _Finder()


def install():
    """Bind ``torch`` and its submodules to gradstep for this process (idempotent)."""
    loaded = [name for name in sys.modules if name == "torch" or name.startswith("torch.")]
    if loaded and not isinstance(sys.modules.get("torch"), TorchModuleProxy):
        raise RuntimeError("torch is already imported in this process; call install_as_torch() "
                           "before the first `import torch`")
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def uninstall():
    """Undo ``install()``: forget the aliases so ``import torch`` finds the real torch again."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n, m in sys.modules.items() if isinstance(m, TorchModuleProxy)]:
        del sys.modules[name]
