"""Digits as 8×8 block counts, made the way scikit-learn's `load_digits` were.

Its description: NIST's form reader wrote each digit as a normalised 32×32 bitmap — the
digit's box stretched to 20×32, whatever its aspect — and counted the ink in each 4×4 block.
`block_counts` makes such images from MNIST digits; `round_trip` reads them back through the
prediction preprocessing (`mnistform.small_to_mnist`, what `imageprep.to_mnist` does with
images that small), which is what the model sees of a digit that small. Training mixes
in some round trips (`augment.small_probability`), so the model learns what heavy strokes
counted in blocks look like; `bench/tune_outside.py` scores the model on them.
"""

import cv2
import numpy as np

from digits import mnistform

NIST_BOX = (20, 32)  # (width, height) the form reader stretched every digit to
LEVELS = (0.2, 0.5)  # thresholds drawn for training: pen strokes heavy to ordinary


def block_counts(digit: np.ndarray, level: float) -> np.ndarray:
    """One MNIST digit (28×28, 0..255, light on dark) as an 8×8 image of block counts, 0..1.

    The digit's box is stretched to `NIST_BOX`, centred in 32×32 and thresholded at `level`
    (0..1): a low level draws heavy strokes, as a pen on a form does.
    """
    digit = np.asarray(digit, np.float32).squeeze()
    ys, xs = np.nonzero(digit > 30)
    if len(ys) == 0:
        return np.zeros((8, 8), np.float32)
    box = digit[ys.min():ys.max() + 1, xs.min():xs.max() + 1] / 255
    box = cv2.resize(box, NIST_BOX, interpolation=cv2.INTER_LINEAR)
    bitmap = np.zeros((32, 32), np.float32)
    y0, x0 = (32 - NIST_BOX[1]) // 2, (32 - NIST_BOX[0]) // 2
    bitmap[y0:y0 + NIST_BOX[1], x0:x0 + NIST_BOX[0]] = box > level
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)) / 16


def round_trip(digits: np.ndarray, levels: np.ndarray, apply: np.ndarray) -> np.ndarray:
    """The digits where `apply` is set, as block counts read back as a prediction reads them.

    Args:
        digits: (B, 28, 28, 1) float32, 0..255, light on dark.
        levels: (B,) thresholds for `block_counts`.
        apply: (B,) bool; the other digits are returned as they are.

    Returns:
        (B, 28, 28, 1) float32, 0..255.
    """
    out = np.array(digits, np.float32, copy=True)
    for i in np.flatnonzero(apply):
        try:
            out[i, ..., 0] = mnistform.small_to_mnist(block_counts(digits[i], float(levels[i])))
        except mnistform.NoDigit:  # a digit the distortions pushed out of the frame
            pass
    return out
