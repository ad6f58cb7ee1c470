"""``RemovableHandle``: what every ``register_*_hook`` returns."""
import itertools

__all__ = ["RemovableHandle"]

_ids = itertools.count()


class RemovableHandle:
    """Removes the hook it was made for from its dict when ``remove()`` is called."""

    def __init__(self, hooks_dict):
        import weakref
        self.hooks_dict_ref = weakref.ref(hooks_dict) if hasattr(hooks_dict, "__weakref__") \
            else (lambda d=hooks_dict: d)
        self.id = next(_ids)

    def remove(self):
        hooks = self.hooks_dict_ref()
        if hooks is not None and self.id in hooks:
            del hooks[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
