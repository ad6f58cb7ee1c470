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
    """This thread's grad mode.

    ``grad_mode`` is what ``is_grad_enabled()`` reports; ``enabled`` (also read as
    ``grad_enabled``) is whether ops record, which is false in inference mode whatever the grad
    mode: ``enable_grad`` inside ``inference_mode`` records nothing, as in torch. Setting
    ``grad_enabled`` sets the grad mode. Hot paths read ``enabled`` directly (after
    ``off_threads``); it changes only through the setters, which keep ``off_threads`` up to date.
    Code that saves and restores the mode uses ``grad_mode`` and ``inference``.
    """

    enabled = True
    _grad = True
    _inference = False

    @property
    def grad_enabled(self):
        return self.enabled

    @grad_enabled.setter
    def grad_enabled(self, value):
        self._grad = bool(value)
        self._record(self._grad and not self._inference)

    @property
    def grad_mode(self):
        return self._grad

    @grad_mode.setter
    def grad_mode(self, value):
        self.grad_enabled = value

    @property
    def inference(self):
        return self._inference

    @inference.setter
    def inference(self, value):
        self._inference = bool(value)
        self._record(self._grad and not self._inference)

    def _record(self, value):
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
    """Return True if gradient mode is on on this thread (it records unless in inference mode)."""
    return state.grad_mode


def is_inference_mode_enabled():
    """Return True inside ``inference_mode`` on this thread."""
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
        self._prev = (state.grad_mode, state.inference)
        self._set()
        return None

    def __exit__(self, *exc):
        state.grad_mode, state.inference = self._prev
        return False


class _NoArgumentMode(_Mode):
    """A mode without arguments, usable as ``@mode()`` and as a bare ``@mode`` decorator."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # the bare decorator: the decorated function, not a mode


class no_grad(_NoArgumentMode):
    """Context manager and decorator that disables gradient recording.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([1.], requires_grad=True)
        >>> with torch.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    def _set(self):
        state.grad_mode = False


class enable_grad(_NoArgumentMode):
    """Context manager and decorator that enables gradient recording inside ``no_grad``
    (not inside ``inference_mode``, which records nothing)."""

    def _set(self):
        state.grad_mode = True


def _check_bool(mode):
    if type(mode) is not bool:
        raise TypeError("set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                        f"{type(mode).__name__}")


class set_grad_enabled(_Mode):
    """Set gradient recording on or off, as a function, context manager or decorator."""

    def __init__(self, mode):
        _check_bool(mode)
        self.mode = mode
        self._prev = (state.grad_mode, state.inference)
        state.grad_mode = mode  # a plain call takes effect at once, as in torch

    def clone(self):
        return _GradEnabled(self.mode)

    def __enter__(self):
        state.grad_mode = self.mode

    def __call__(self, fn):
        state.grad_mode, state.inference = self._prev  # decorator use: undo the eager set
        return _Mode.__call__(self, fn)

    def __repr__(self):
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self.mode})"


class _GradEnabled(_Mode):
    def __init__(self, mode):
        self.mode = mode

    def _set(self):
        state.grad_mode = self.mode


class inference_mode(_Mode):
    """Like ``no_grad``, for inference: nothing records inside it, even under ``enable_grad``.

    ``inference_mode(False)`` turns inference mode off and grad mode on (also inside
    ``no_grad``, as in torch). A bare ``@inference_mode`` decorates the function.
    """

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # the bare decorator (torch treats any non-bool as the function)

    def __init__(self, mode=True):
        self.mode = mode

    def clone(self):
        return inference_mode(self.mode)

    def _set(self):
        state.grad_mode = not self.mode
        state.inference = self.mode
