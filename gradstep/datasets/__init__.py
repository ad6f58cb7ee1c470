r"""Small real data sets that ship with gradstep, for demos and tests (torch itself ships none).

``load_digits()``: the UCI optical recognition of handwritten digits data (the test part, as
distributed by scikit-learn): 1,797 grey 8x8 images of the digits 0-9, pixel values 0..16.
Source: E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
Repository (1998), https://doi.org/10.24432/C50P49, licensed CC BY 4.0.

Example::

    >>> import gradstep
    >>> images, labels = gradstep.datasets.load_digits()
    >>> tuple(images.shape), images.dtype, tuple(labels.shape), labels.dtype
    ((1797, 1, 8, 8), torch.float32, (1797,), torch.int64)
"""
import os

import numpy as np

from .._tensor import Tensor

__all__ = ["load_digits"]

_HERE = os.path.dirname(__file__)


def load_digits():
    """The digits as ``(images, labels)``: float32 ``(1797, 1, 8, 8)`` scaled to [0, 1] and
    int64 ``(1797,)``."""
    with np.load(os.path.join(_HERE, "digits.npz")) as data:
        images = data["images"].astype(np.float32)[:, None] / 16.0
        labels = data["labels"].astype(np.int64)
    return Tensor._make(images), Tensor._make(labels)
