r"""Samplers: iterables of dataset indices (or of index lists, for ``BatchSampler``).

Random samplers draw from gradstep's randomness API (``randperm``, ``randint``, ``multinomial``)
through their ``generator``. A ``RandomSampler`` without one seeds a private generator from the
global generator at the start of every epoch, so ``gradstep.manual_seed`` makes shuffling
reproducible and every epoch still differs.
"""
from itertools import islice as _islice
from typing import Generic, TypeVar

from ... import _random
from ... import _dtype
from ..._creation import as_tensor, empty

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    r"""Base class of samplers: subclasses implement ``__iter__`` (and, usually, ``__len__``)."""

    def __iter__(self):
        raise NotImplementedError


def _fresh_generator():
    # One int64 draw from the global generator seeds a private one, so manual_seed decides it.
    seed = int(empty((), dtype=_dtype.int64).random_().item())
    return _random.Generator().manual_seed(seed)


class SequentialSampler(Sampler[int]):
    r"""Yield ``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    r"""Yield the indices of ``data_source`` in random order.

    Without replacement each block of ``len(data_source)`` indices is a fresh permutation (so
    ``num_samples`` larger than the dataset repeats whole permutations); with replacement indices
    are drawn uniformly and independently.

    Args:
        data_source (Dataset): the dataset to sample from
        replacement (bool): draw with replacement (default: ``False``)
        num_samples (int): how many indices to yield (default: ``len(data_source)``)
        generator (Generator): the generator to draw from (default: a fresh one seeded from the
            global generator each epoch)

    Example::

        >>> import gradstep as torch
        >>> g = torch.Generator().manual_seed(0)
        >>> sorted(torch.utils.data.RandomSampler(range(5), generator=g))
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _fresh_generator()
        if self.replacement:
            # Drawn in chunks of 32 so a long epoch does not materialise all indices up front.
            for _ in range(self.num_samples // 32):
                yield from _random.randint(high=n, size=(32,), dtype=_dtype.int64,
                                           generator=generator).tolist()
            yield from _random.randint(high=n, size=(self.num_samples % 32,), dtype=_dtype.int64,
                                       generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from _random.randperm(n, generator=generator).tolist()
            yield from _random.randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    r"""Yield the given ``indices`` in a random order (a fresh permutation each epoch).

    Args:
        indices (sequence): the indices to permute
        generator (Generator): the generator to draw from (default: the global one)
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _random.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    r"""Yield ``num_samples`` indices in ``[0, len(weights))`` drawn with probabilities
    proportional to ``weights`` (which need not sum to one).

    Args:
        weights (sequence): a 1-d sequence of non-negative weights
        num_samples (int): how many indices to draw
        replacement (bool): draw with replacement (default: ``True``); without it an index is
            yielded at most once
        generator (Generator): the generator to draw from (default: the global one)

    Example::

        >>> import gradstep as torch
        >>> s = torch.utils.data.WeightedRandomSampler([0., 1., 0.], 3)
        >>> list(s)
        [1, 1, 1]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if (not isinstance(num_samples, int) or isinstance(num_samples, bool)
                or num_samples <= 0):
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        weights_tensor = as_tensor(weights, dtype=_dtype.float64)
        if weights_tensor.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        rand = _random.multinomial(self.weights, self.num_samples, self.replacement,
                                   generator=self.generator)
        yield from iter(rand.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler[list]):
    r"""Group the indices of another sampler into lists of ``batch_size``.

    Args:
        sampler (Sampler or iterable): the source of indices
        batch_size (int): the size of a batch
        drop_last (bool): drop the last batch if it is smaller than ``batch_size``

    Example::

        >>> from gradstep.utils.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6]]
        >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True))
        [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                or batch_size <= 0):
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        size = self.batch_size
        while True:
            batch = list(_islice(it, size))
            if len(batch) < size:
                if batch and not self.drop_last:
                    yield batch
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size

