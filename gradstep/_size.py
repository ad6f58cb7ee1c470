"""``Size``: the tuple ``tensor.shape`` returns, printed as torch prints it."""

import operator

__all__ = ["Size"]


_INT_ONLY = frozenset((int,))


def _as_int(value, position):
    """One dimension as an int: anything with ``__index__`` (NumPy ints, integer tensors)."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"torch.Size() takes an iterable of 'int' (item {position} is "
                        f"'{type(value).__name__}')") from None


class Size(tuple):
    """A tuple of dimension lengths: ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        if not _INT_ONLY.issuperset(map(type, sizes)):
            sizes = tuple(_as_int(d, i) for i, d in enumerate(sizes))
        return tuple.__new__(cls, sizes)

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))
