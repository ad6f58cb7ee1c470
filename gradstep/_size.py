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

    # concatenation and repetition give a Size, as torch's do (a tuple on either side)
    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to "
                            f"torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, times):
        if not hasattr(times, "__index__"):
            raise TypeError(f"can't multiply sequence by non-int of type "
                            f"'{type(times).__name__}'")
        return Size(tuple.__mul__(self, times))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))
