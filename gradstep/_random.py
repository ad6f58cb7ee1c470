r"""Randomness: ``Generator``, the default generator, seeding, and every random sampler.

This module is the only owner of randomness in gradstep. A ``Generator`` wraps NumPy's PCG64 bit
generator; the module-level ``default_generator`` serves every call that is given no
``generator=``. A seed fully determines the stream: ``manual_seed(s)`` followed by the same calls
gives the same numbers, and ``get_state``/``set_state`` (``get_rng_state``/``set_rng_state``)
save and restore it as a uint8 tensor.

.. note::
   The streams are reproducible but are **not** bit-equal to torch's (torch uses a Mersenne
   Twister and its own transforms): ``torch.manual_seed(0); torch.rand(3)`` and
   ``gradstep.manual_seed(0); gradstep.rand(3)`` give different numbers. The saved state is
   48 bytes, not torch's 5056, so a torch RNG state cannot be loaded here.

Sampling happens on the host; results are moved to the generator's or the requested device.
"""
import contextlib
import numbers
import os
import warnings

import numpy as np

from . import _dtype
from ._backend import to_device
from ._creation import _is_int, _qualified_type_name, _resolve_dtype, like_layout, make, \
    parse_size
from ._device import as_device
from ._ops._util import cpp_type_name, inplace, is_tensor, scalar_type_name, sum_to
from ._ops._util import write_out as _write_out
from .autograd.graph import Op

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng", "rand", "randn", "randint", "randperm",
           "normal", "multinomial", "bernoulli", "poisson", "rand_like", "randn_like",
           "randint_like", "RandomMethods"]

_DEFAULT_SEED = 67280421310721  # the seed torch's CPU generator starts from
_STATE_BYTES = 48


def _check_seed(seed):
    seed = int(seed)
    if seed >= 2 ** 64 or seed < -2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    return seed % 2 ** 64


class Generator:
    r"""A source of random numbers with its own state (NumPy's PCG64).

    Example::

        >>> import gradstep as torch
        >>> g = torch.Generator().manual_seed(42)
        >>> a = torch.rand(3, generator=g)
        >>> _ = g.manual_seed(42)
        >>> bool((torch.rand(3, generator=g) == a).all())
        True
    """

    def __init__(self, device="cpu"):
        self.device = as_device(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Seed this generator and return it."""
        self._seed = _check_seed(seed)
        self._bits = np.random.PCG64(self._seed)
        self._np = np.random.Generator(self._bits)
        return self

    def seed(self):
        """Seed from the operating system's entropy; return the seed used."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (restore it with ``set_state``)."""
        st = self._bits.state
        raw = (st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(4, "little")
               + int(st["uinteger"]).to_bytes(4, "little") + self._seed.to_bytes(8, "little"))
        return make(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by ``get_state``; returns this generator."""
        if not is_tensor(new_state) or new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = to_device(new_state._data, "cpu").tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found "
                               f"the input RNG state size to be {len(raw)}")
        self._seed = int.from_bytes(raw[40:48], "little")
        self._bits = np.random.PCG64()
        self._bits.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[0:16], "little"),
                      "inc": int.from_bytes(raw[16:32], "little")},
            "has_uint32": int.from_bytes(raw[32:36], "little"),
            "uinteger": int.from_bytes(raw[36:40], "little"),
        }
        self._np = np.random.Generator(self._bits)
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator and return it."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically; return the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Run the block with the default generator's state restored afterwards."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _gen(generator):
    return default_generator._np if generator is None else generator._np


def _place(array, device, requires_grad=False):
    if device is not None and as_device(device).type != "cpu":
        array = to_device(array, device)
    return make(array, requires_grad)


_MANTISSA = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _uniform(rng, shape, np_dtype):
    """Uniform [0, 1) samples of a float dtype."""
    if np_dtype == np.float64 or np_dtype == np.float32:
        return rng.random(shape, dtype=np_dtype)
    # float16: round from float32, keeping the top of the range below 1
    return np.minimum(rng.random(shape, dtype=np.float32),
                      np.float32(1 - 2 ** -11)).astype(np_dtype)


def _normal01(rng, shape, np_dtype):
    if np_dtype == np.float64 or np_dtype == np.float32:
        return rng.standard_normal(shape, dtype=np_dtype)
    return rng.standard_normal(shape, dtype=np.float32).astype(np_dtype)


def _float_dtype(dtype, kernel, where=None):
    d = _dtype.get_default_dtype() if dtype is None else _resolve_dtype(dtype, where)
    if d._category != 2:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(d.np)}'")
    return d


def _fmt(x):
    """A number as torch's messages print it (C++ stream formatting: 2.0 -> 2)."""
    return f"{float(x):g}"


# ----- factories -----

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kwargs):
    r"""Uniform samples from [0, 1) of the given size (the default float dtype).

    Example::

        >>> import gradstep as torch
        >>> _ = torch.manual_seed(0)
        >>> x = torch.rand(2, 3)
        >>> x.shape, bool(((x >= 0) & (x < 1)).all())
        (torch.Size([2, 3]), True)
    """
    shape = parse_size(size, "rand", kwargs.pop("size", None))
    d = _float_dtype(dtype, "check_uniform_bounds", "rand")
    return _write_out(_place(_uniform(_gen(generator), shape, d.np), device, requires_grad), out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kwargs):
    """Standard normal samples of the given size (the default float dtype)."""
    shape = parse_size(size, "randn", kwargs.pop("size", None))
    d = _float_dtype(dtype, "normal_kernel_cpu", "randn")
    return _write_out(_place(_normal01(_gen(generator), shape, d.np), device, requires_grad), out)


def _check_range(low, high):
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")


def _c_name(np_dtype):
    """The C++ name of a dtype in torch's random-bounds messages: "long" for int64 there."""
    return "long" if np_dtype == np.int64 else cpp_type_name(np_dtype)

_OUT_OF_PRECISION = (
    "{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations {name} can "
    "support discrete uniform distribution only within this range. This warning will become an "
    "error in version 1.7 release, please fix the code in advance (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/DistributionTemplates.h:{line}.)")


def _check_bounds(low, high, np_dtype):
    """torch's checks that integers from [low, high) fit ``np_dtype``: an integer (or bool) type
    must hold ``low`` and ``high - 1``; a float type only warns past the integers it represents
    exactly (2**mantissa)."""
    name = _c_name(np_dtype)
    if np_dtype.kind == "f":
        digits = _MANTISSA[np_dtype]
        for what, value, line in (("from", low, 110), ("to - 1", high - 1, 111)):
            if not -2 ** digits <= value <= 2 ** digits:
                warnings.warn(_OUT_OF_PRECISION.format(what=what, digits=digits, name=name,
                                                       line=line), UserWarning, stacklevel=3)
        return
    info = (0, 1) if np_dtype == np.bool_ else (int(np.iinfo(np_dtype).min),
                                                int(np.iinfo(np_dtype).max))
    if not info[0] <= low <= info[1]:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not info[0] <= high - 1 <= info[1]:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")


def _python_int(value):
    """An int argument as a Python int, or torch's error when it exceeds int64."""
    value = int(value)
    if not -2 ** 63 <= value < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    return value


def _integers(rng, low, high, shape, np_dtype):
    """Integers in [low, high) as ``np_dtype``."""
    return rng.integers(low, high, shape, dtype=np.int64).astype(np_dtype, copy=False) \
        if high <= 2 ** 63 else rng.integers(low, high, shape, dtype=np.uint64).astype(np_dtype)


def _arg_names(values):
    return ", ".join("Tensor" if is_tensor(v) else type(v).__name__ for v in values)


_RANDINT_EXPECTED = "".join(
    f" * ({sig}tuple of ints size, *, {gen}Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n"
    for sig in ("int high, ", "int low, int high, ")
    for gen in ("torch.Generator generator, ", ""))


def _randint_bounds(args):
    """randint's (low, high) as Python ints: ints, NumPy integers or integer tensors of one
    element, with torch's errors for anything else."""
    if all(_is_int(a) for a in args):
        return [_python_int(a) for a in args]
    if len(args) == 1:
        raise TypeError(f"randint(): argument 'high' (position 1) must be int, not "
                        f"{_arg_names(args)}")
    raise TypeError(f"randint() received an invalid combination of arguments - got "
                    f"({_arg_names(args)}, tuple), but expected one of:\n{_RANDINT_EXPECTED}")


def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, **kwargs):
    r"""Integers uniform in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``.

    ``low`` and ``high - 1`` must fit ``dtype`` (torch's "out of bounds" errors); a float dtype
    only warns beyond the integers it holds exactly.

    Example::

        >>> import gradstep as torch
        >>> torch.randint(3, 5, (4,)).dtype
        torch.int64
    """
    size = kwargs.pop("size", None)
    low = kwargs.pop("low", None)
    high = kwargs.pop("high", None)
    if kwargs:
        raise TypeError(f"randint() got an unexpected keyword argument '{next(iter(kwargs))}'")
    args = list(args)
    if size is None and args:
        size = args.pop()
        if not isinstance(size, (tuple, list)):
            pos = len(args) + 1
            raise TypeError(f"randint(): argument 'size' (position {pos}) must be tuple of ints, "
                            f"not {type(size).__name__}")
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    given = (high,) if low is None else (low, high)
    low, high = ([0] if low is None else []) + _randint_bounds(given)
    shape = parse_size((size,), "randint")
    _check_range(low, high)
    d = _dtype.int64 if dtype is None else _resolve_dtype(dtype, "randint")
    _check_bounds(low, high, d.np)
    array = _integers(_gen(generator), low, high, shape, d.np)
    return _write_out(_place(array, device, requires_grad), out)


# the largest n whose permutation a float type holds exactly, and torch's name for the type
_PERM_FLOAT_LIMIT = {np.dtype(np.float16): (2049, "2049", "Half"),
                     np.dtype(np.float32): (2 ** 24 + 1, "2^24+1", "Float"),
                     np.dtype(np.float64): (2 ** 53 + 1, "2^53+1", "Double")}


def _check_perm_range(n, d):
    """torch's refusal of a permutation ``d`` cannot hold (its largest value is ``n - 1``)."""
    if d._category == 2:
        limit, text, name = _PERM_FLOAT_LIMIT[d.np]
        if n > limit:
            raise RuntimeError(f"n cannot be greater than {text} for {name} type.")
    else:
        from ._ops._util import fill_array
        fill_array(n - 1, d.np)  # the fill check: "value cannot be converted to type uint8_t..."


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says otherwise)."""
    if not _is_int(n):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f"{_arg_names((n,))}")
    n = _python_int(n)
    d = _dtype.int64 if dtype is None else _resolve_dtype(dtype, "randperm")
    if d is _dtype.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    _check_perm_range(n, d)
    return _write_out(_place(_gen(generator).permutation(n).astype(d.np), device, requires_grad),
                      out)


# ----- samplers whose gradient torch defines as zero -----

class _NormalBackward(Op):
    """z = mean + std * eps (eps fixed noise);  torch defines both gradients as zero."""
    name_ = "NormalBackward3"

    @staticmethod
    def forward(ctx, mean, std, noise):
        ctx.shapes = (np.shape(mean), np.shape(std))
        out = mean + std * noise
        return out.astype(noise.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        sm, ss = ctx.shapes
        zero = grad * 0
        return sum_to(zero, sm), sum_to(zero, ss)


class _NormalMean(_NormalBackward):
    name_ = "NormalBackward1"


class _NormalStd(_NormalBackward):
    name_ = "NormalBackward2"


_NORMAL_EXPECTED = (
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor "
    "out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
    "bool pin_memory = False, bool requires_grad = False)\n")


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    r"""Normal samples with the given mean and standard deviation (tensors or numbers).

    ``normal(mean_tensor, std_tensor)`` broadcasts the two; ``normal(mean, std, size)`` with
    numbers gives a tensor of ``size``. Gradients through ``mean``/``std`` are zero, as in torch.
    """
    mt, st = is_tensor(mean), is_tensor(std)
    rng = _gen(generator)
    numbers_form = not mt and not st
    # a size goes with two numbers only, and must be a sequence there
    if numbers_form != isinstance(size, (tuple, list)):
        given = (mean, std) if size is None else (mean, std, size)
        raise TypeError(f"normal() received an invalid combination of arguments - got "
                        f"({_arg_names(given)}), but expected one of:\n{_NORMAL_EXPECTED}")
    if numbers_form:
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        shape = parse_size((size,), "normal")
        d = _float_dtype(dtype, "normal_kernel_cpu", "normal")
        array = (_normal01(rng, shape, d.np) * d.np.type(std) + d.np.type(mean)).astype(d.np)
        return _write_out(_place(array, device, requires_grad), out)
    ref = mean if mt else std
    if ref._data.dtype.kind != "f":
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for "
                                  f"'{scalar_type_name(ref._data.dtype)}'")
    np_dtype = ref._data.dtype
    if st:
        if np.any(std._data < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    if mt and st:
        from ._ops.linalg import _broadcast_batch
        shape = _broadcast_batch(mean._data.shape, std._data.shape)
        op = _NormalBackward
    else:
        shape = ref._data.shape
        op = _NormalMean if mt else _NormalStd
    noise = _normal01(rng, shape, np_dtype)
    m = mean if mt else np.asarray(mean, dtype=np_dtype)
    s = std if st else np.asarray(std, dtype=np_dtype)
    return _write_out(op.apply(m, s, noise), out)


class _BernoulliBackward(Op):
    """z = [u < p];  torch defines the gradient as zero."""
    name_ = "BernoulliBackward0"

    @staticmethod
    def forward(ctx, p, sample):
        return sample

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


_P_IN = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
         "be improved?  If so, please report an enhancement request to PyTorch.)")


def bernoulli(input, p=None, *, generator=None, out=None):
    r"""0/1 samples: 1 with probability ``input`` (elementwise), or ``p`` when given.

    Example::

        >>> import gradstep as torch
        >>> torch.bernoulli(torch.tensor([0., 1.])).tolist()
        [0.0, 1.0]
    """
    _tensor_input(input, "bernoulli")
    if p is not None and not (isinstance(p, (numbers.Real, np.bool_)) or
                              is_tensor(p) and p._data.size == 1):
        raise TypeError(f"bernoulli() received an invalid combination of arguments - got "
                        f"({_arg_names((input, p))}), but expected one of:\n"
                        " * (Tensor input, *, torch.Generator generator = None, Tensor out = "
                        "None)\n * (Tensor input, float p, *, torch.Generator generator = None)\n")
    rng = _gen(generator)
    data = input._data
    if p is not None:
        p = float(p)
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
        sample = (rng.random(data.shape) < p).astype(data.dtype)
        return _write_out(make(sample), out)
    if data.dtype.kind != "f":
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{scalar_type_name(data.dtype)}'")
    if data.size and not ((data >= 0).all() and (data <= 1).all()):
        raise RuntimeError(_P_IN)
    sample = (rng.random(data.shape) < data).astype(data.dtype)
    return _write_out(_BernoulliBackward.apply(input, sample), out)


def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (same dtype as input)."""
    data = _tensor_input(input, "poisson")._data
    if np.any(data < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return make(_gen(generator).poisson(data).astype(data.dtype))


def _standard_gamma(concentration, generator=None):
    """Gamma(concentration, 1) samples as an array of the concentration's shape and dtype.

    Private: ``distributions.Gamma`` wraps it in a reparameterized op; kept here so that this
    module stays the only owner of randomness.
    """
    alpha = np.asarray(concentration)
    return _gen(generator).standard_gamma(alpha.astype(np.float64)).astype(alpha.dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    r"""Sample category indices from the rows of ``input`` (non-negative weights).

    Without replacement each row gives ``num_samples`` distinct indices (zero-weight categories
    come last, once the others are exhausted). Returns int64 of shape ``(rows, num_samples)``, or
    ``(num_samples,)`` for a 1-D input.
    """
    data = _tensor_input(input, "multinomial")._data
    if not _is_int(num_samples):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{_arg_names((num_samples,))}")
    if not isinstance(replacement, bool):
        raise TypeError(f"multinomial(): argument 'replacement' (position 3) must be bool, not "
                        f"{type(replacement).__name__}")
    num_samples = int(num_samples)
    if data.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{scalar_type_name(data.dtype)}")
    if data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = data.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    w = np.atleast_2d(data).astype(np.float64)
    if not np.isfinite(w).all() or (w < 0).any():
        if replacement and num_samples > 1:  # torch's kernel for this case checks entry by entry
            first = w.reshape(-1)[np.argmax(~(np.isfinite(w) & (w >= 0)).reshape(-1))]
            what = "< 0" if not first >= 0 else "= infinity or NaN"
            raise RuntimeError(f"invalid multinomial distribution (encountering probability "
                               f"entry {what})")
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = w.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _gen(generator)
    rows = w.shape[0]
    if replacement:
        cdf = np.cumsum(w, axis=1) / totals[:, None]
        cdf[:, -1] = 1.0
        u = rng.random((rows, num_samples))
        idx = np.stack([np.searchsorted(cdf[r], u[r], side="right") for r in range(rows)])
        idx = np.minimum(idx, k - 1)
    else:
        # exponential race: the k smallest E_i / w_i are a weighted sample without replacement
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential((rows, k)) / w
        idx = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(np.int64)
    if data.ndim == 1:
        idx = idx[0]
    return _write_out(make(idx), out)


# ----- *_like -----

def _tensor_input(value, where):
    if not is_tensor(value):
        raise TypeError(f"{where}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_qualified_type_name(value)}")
    return value


def _like(input, dtype, device, where):
    _tensor_input(input, where)
    d = _dtype.FROM_NP[input._data.dtype] if dtype is None else _resolve_dtype(dtype, where)
    return tuple(input._data.shape), d, (input.device if device is None else device)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """``rand`` with ``input``'s shape, dtype, device and memory order."""
    shape, d, dev = _like(input, dtype, device, "rand_like")
    d = _float_dtype(d, "check_uniform_bounds")
    values = like_layout(_uniform(_gen(generator), shape, d.np), input, memory_format,
                         "rand_like")
    return _place(values, dev, requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    """``randn`` with ``input``'s shape, dtype, device and memory order."""
    shape, d, dev = _like(input, dtype, device, "randn_like")
    d = _float_dtype(d, "normal_kernel_cpu")
    values = like_layout(_normal01(_gen(generator), shape, d.np), input, memory_format,
                         "randn_like")
    return _place(values, dev, requires_grad)


_RANDINT_LIKE_EXPECTED = "".join(
    f" * (Tensor input, {bounds}, *, {gen}torch.memory_format memory_format = None, torch.dtype "
    "dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = "
    "False, bool requires_grad = False)\n"
    for bounds in ("int low, int high", "Tensor high", "int high")
    for gen in ("torch.Generator generator, ", ""))


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """``randint`` with ``input``'s shape, dtype, device and memory order: ``(input, high)`` or
    ``(input, low, high)``."""
    given = (low,) if high is None else (low, high)
    if not is_tensor(input) or not all(_is_int(v) for v in given):
        raise TypeError(f"randint_like() received an invalid combination of arguments - got "
                        f"({_arg_names((input,) + given)}), but expected one of:\n"
                        f"{_RANDINT_LIKE_EXPECTED}")
    low, high = (0, given[0]) if high is None else given
    low, high = _python_int(low), _python_int(high)
    _check_range(low, high)
    shape, d, dev = _like(input, dtype, device, "randint_like")
    _check_bounds(low, high, d.np)
    values = like_layout(_integers(_gen(generator), low, high, shape, d.np), input,
                         memory_format, "randint_like")
    return _place(values, dev, requires_grad)


# ----- in-place methods -----

class _Overwrite(Op):
    """self <- fresh values;  nothing flows back to self's old value."""
    name_ = "FillBackward2"

    @staticmethod
    def forward(ctx, x, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def _named(name):
    return type(name, (_Overwrite,), {"name_": name})


_OVERWRITE = {n: _named(n) for n in (
    "UniformBackward0", "NormalBackward0", "BernoulliBackward1", "BernoulliBackward2",
    "RandomBackward0", "RandomBackward1", "RandomBackward2", "ExponentialBackward0",
    "GeometricBackward0", "LogNormalBackward0", "CauchyBackward0", "FillBackward2",
    "ZeroBackward0")}


class _FillTensor(Op):
    """self <- v (a 0-dim tensor);  dz/dv = sum(g), nothing flows to self's old value."""
    name_ = "FillBackward3"

    @staticmethod
    def forward(ctx, x, v):
        ctx.shape = x.shape
        return np.full(x.shape, v, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, sum_to(grad, ())


def _write(self, values, name):
    """Store ``values`` into self in place, with a zero-gradient node when autograd needs one."""
    if self._check_inplace():
        op = _OVERWRITE[name]
        if np.shape(values) != self._data.shape:
            values = np.full(self._data.shape, values, dtype=self._data.dtype)
        return inplace(self, lambda old: op.apply(old, values))
    self._data[...] = values
    self._bump_version()
    return self


def _float_kind(self, kernel):
    if self._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{scalar_type_name(self._data.dtype)}'")


def _from_to(a, b, kwargs):
    a = kwargs.pop("from", a)
    b = kwargs.pop("to", b)
    if kwargs:
        raise TypeError(f"got an unexpected keyword argument '{next(iter(kwargs))}'")
    return a, b


class RandomMethods:
    """In-place samplers (``uniform_``, ``normal_``...) and ``fill_``/``zero_`` for Tensor."""

    def uniform_(self, a=0, b=1, *, generator=None, **kwargs):
        """Fill with uniform samples from [from, to)."""
        a, b = _from_to(a, b, kwargs)
        self._check_inplace()
        _float_kind(self, "check_uniform_bounds")
        if a > b:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                               f"from={_fmt(a)} > to={_fmt(b)}")
        dt = self._data.dtype
        u = _uniform(_gen(generator), self._data.shape, dt)
        values = (u * dt.type(b - a) + dt.type(a)).astype(dt, copy=False)
        return _write(self, values, "UniformBackward0")

    def normal_(self, mean=0, std=1, *, generator=None):
        """Fill with normal samples."""
        self._check_inplace()
        _float_kind(self, "normal_kernel_cpu")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        dt = self._data.dtype
        z = _normal01(_gen(generator), self._data.shape, dt)
        return _write(self, (z * dt.type(std) + dt.type(mean)).astype(dt, copy=False),
                      "NormalBackward0")

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with 0/1 samples, 1 with probability ``p`` (a number or a tensor)."""
        self._check_inplace()
        rng = _gen(generator)
        shape = self._data.shape
        if is_tensor(p):
            pd = p._data
            if pd.size and not ((pd >= 0).all() and (pd <= 1).all()):
                raise RuntimeError(_P_IN)
            values = rng.random(shape) < np.broadcast_to(pd, shape)
            name = "BernoulliBackward2"
        else:
            if not 0 <= p <= 1:
                raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
            values = rng.random(shape) < p
            name = "BernoulliBackward1"
        return _write(self, values.astype(self._data.dtype), name)

    def random_(self, a=None, b=None, *, generator=None, **kwargs):
        """Fill with integers from [from, to - 1] (no bounds: [0, 2**mantissa] for floats,
        the dtype's range for integers)."""
        a, b = _from_to(a, b, kwargs)
        self._check_inplace()
        dt = self._data.dtype
        if a is not None and b is None:
            low, high, name = 0, int(a), "RandomBackward1"
        elif a is None:
            low, name = 0, "RandomBackward2"
            if dt.kind == "f":
                high = 2 ** _MANTISSA[dt] + 1
            elif dt == np.bool_:
                high = 2
            else:
                high = int(np.iinfo(dt).max) + 1
        else:
            low, high, name = int(a), int(b), "RandomBackward0"
        _check_range(low, high)
        if dt.kind in "iu" and a is not None:
            info = np.iinfo(dt)
            if high - 1 > info.max or high - 1 < info.min:
                raise RuntimeError(f"to - 1 is out of bounds for {_c_name(dt)}")
            if low < info.min or low > info.max:
                raise RuntimeError(f"from is out of bounds for {_c_name(dt)}")
        values = _integers(_gen(generator), low, high, self._data.shape, dt)
        return _write(self, values, name)

    def exponential_(self, lambd=1, *, generator=None):
        """Fill with exponential samples of rate ``lambd``."""
        self._check_inplace()
        _float_kind(self, "exponential_cpu")
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
        values = _gen(generator).standard_exponential(self._data.shape) / lambd
        return _write(self, values.astype(self._data.dtype), "ExponentialBackward0")

    def geometric_(self, p, *, generator=None):
        """Fill with geometric samples (number of trials to the first success)."""
        self._check_inplace()
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
        values = _gen(generator).geometric(p, self._data.shape)
        return _write(self, values.astype(self._data.dtype), "GeometricBackward0")

    def log_normal_(self, mean=1, std=2, *, generator=None):
        """Fill with samples whose logarithm is normal(mean, std)."""
        self._check_inplace()
        _float_kind(self, "log_normal_cpu")
        if not std > 0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
        values = _gen(generator).lognormal(mean, std, self._data.shape)
        return _write(self, values.astype(self._data.dtype), "LogNormalBackward0")

    def cauchy_(self, median=0, sigma=1, *, generator=None):
        """Fill with Cauchy samples."""
        self._check_inplace()
        _float_kind(self, "cauchy_cpu")
        values = median + sigma * _gen(generator).standard_cauchy(self._data.shape)
        return _write(self, values.astype(self._data.dtype), "CauchyBackward0")

    def fill_(self, value):
        """Fill with ``value`` (a number or a 0-dim tensor)."""
        self._check_inplace()
        if is_tensor(value):
            if value._data.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value._data.ndim} dimensions.")
            if value._requires_grad or self._requires_grad:
                from .autograd import grad_mode
                if grad_mode.state.grad_enabled:
                    v = value if value._data.dtype == self._data.dtype else \
                        value.to(_dtype.FROM_NP[self._data.dtype])
                    return inplace(self, _FillTensor.apply, v)
            value = value._data.item()
        from ._ops._util import fill_array
        return _write(self, fill_array(value, self._data.dtype), "FillBackward2")

    def zero_(self):
        """Fill with zeros."""
        self._check_inplace()
        return _write(self, self._data.dtype.type(0), "ZeroBackward0")


