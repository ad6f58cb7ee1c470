"""(being written)"""

__all__ = []


class Methods:
    pass
