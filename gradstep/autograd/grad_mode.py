"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each is a context manager and a decorator, and the mode is per thread, as in torch.
"""
import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


# How many threads have gradient recording off. While none has, an op learns that it should
# record from this list alone: reading a threading.local costs about as much as a small op's
# arithmetic.
off_threads = [0]
_count_lock = threading.RLock()  # re-entrant: a finalizer below may run inside a locked section


class _Off:
    """Held in a thread's state while its recording is off. A thread that ends that way drops
    its state, and with it this object, which takes the thread off the count."""

    __slots__ = ("counted",)

    def __init__(self):
        self.counted = True

    def __del__(self):
        if self.counted:
            with _count_lock:
                off_threads[0] -= 1


class _State(threading.local):
    """This thread's grad mode. ``enabled`` is read directly by hot paths (after ``off_threads``);
    every write goes through ``grad_enabled``, which keeps ``off_threads`` up to date."""

    enabled = True
    inference = False

    @property
    def grad_enabled(self):
        return self.enabled

    @grad_enabled.setter
    def grad_enabled(self, value):
        value = bool(value)
        if value is not self.enabled:
            with _count_lock:
                if value:
                    off_threads[0] -= 1
                    self.off.counted = False
                    del self.off
                else:
                    off_threads[0] += 1
                    self.off = _Off()
            self.enabled = value


state = _State()


def is_grad_enabled():
    """Return True if gradients are being recorded on this thread."""
    return state.grad_enabled


def is_inference_mode_enabled():
    return state.inference


class _Mode:
    """Base of the grad-mode context managers; subclasses say what ``__enter__`` sets."""

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def generator(*args, **kwargs):
                gen = fn(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException as e:
                            with self.clone():
                                response = gen.throw(e)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value
            return generator

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()

    def __enter__(self):
        self._prev = (state.grad_enabled, state.inference)
        self._set()
        return None

    def __exit__(self, *exc):
        state.grad_enabled, state.inference = self._prev
        return False


class no_grad(_Mode):
    """Context manager and decorator that disables gradient recording.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([1.], requires_grad=True)
        >>> with torch.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    def __init__(self, orig_func=None):
        # torch allows ``@no_grad`` without parentheses in some versions; keep it a plain class.
        pass

    def _set(self):
        state.grad_enabled = False


class enable_grad(_Mode):
    """Context manager and decorator that enables gradient recording inside ``no_grad``."""

    def _set(self):
        state.grad_enabled = True


class set_grad_enabled(_Mode):
    """Set gradient recording on or off, as a function, context manager or decorator."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = (state.grad_enabled, state.inference)
        state.grad_enabled = self.mode  # a plain call takes effect at once, as in torch

    def clone(self):
        return _GradEnabled(self.mode)

    def __enter__(self):
        state.grad_enabled = self.mode

    def __call__(self, fn):
        state.grad_enabled, state.inference = self._prev  # decorator use: undo the eager set
        return _Mode.__call__(self, fn)


class _GradEnabled(_Mode):
    def __init__(self, mode):
        self.mode = mode

    def _set(self):
        state.grad_enabled = self.mode


class inference_mode(_Mode):
    """Like ``no_grad``, for inference; ``inference_mode(False)`` leaves the mode unchanged."""

    def __init__(self, mode=True):
        self.mode = mode

    def clone(self):
        return inference_mode(self.mode)

    def _set(self):
        if self.mode:
            state.grad_enabled = False
            state.inference = True
