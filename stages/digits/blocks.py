"""Digits as small scans of other writers' sets: 8×8 block counts, made the way
scikit-learn's `load_digits` were, and 16×16 one-bit scans whose box was stretched to fill
the square.

Its description: NIST's form reader wrote each digit as a normalised 32×32 bitmap — the
digit's box stretched to 20×32, whatever its aspect — and counted the ink in each 4×4 block.
`block_counts` makes such images from MNIST digits; `round_trip` reads them back through the
prediction preprocessing (`mnistform.small_to_mnist`, what `imageprep.to_mnist` does with
images that small), which is what the model sees of a digit that small. Training mixes
in some round trips (`augment.small_probability`), so the model learns what heavy strokes
counted in blocks look like; `bench/tune_outside.py` scores the model on them. The 16×16
scans (`sixteen_scan`) are made the same way for `augment.sixteen_probability`.
"""

import functools

import cv2
import numpy as np

from digits import mnistform

NIST_BOX = (20, 32)  # (width, height) the form reader stretched every digit to
LEVELS = (0.2, 0.5)  # thresholds drawn for training: pen strokes heavy to ordinary
SIXTEEN_LEVELS = (0.35, 0.65)  # one-bit thresholds of 16×16 scans drawn for training


def block_counts(digit: np.ndarray, level: float) -> np.ndarray:
    """One MNIST digit (28×28, 0..255, light on dark) as an 8×8 image of block counts, 0..1.

    The digit's box is stretched to `NIST_BOX`, centred in 32×32 and thresholded at `level`
    (0..1): a low level draws heavy strokes, as a pen on a form does.
    """
    digit = np.asarray(digit, np.float32).squeeze()
    box = mnistform.inked(digit, digit > 30)
    if box is None:
        return np.zeros((8, 8), np.float32)
    box = box / 255
    box = cv2.resize(box, NIST_BOX, interpolation=cv2.INTER_LINEAR)
    bitmap = np.zeros((32, 32), np.float32)
    y0, x0 = (32 - NIST_BOX[1]) // 2, (32 - NIST_BOX[0]) // 2
    bitmap[y0:y0 + NIST_BOX[1], x0:x0 + NIST_BOX[0]] = box > level
    return bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3)) / 16


def sixteen_scan(digit: np.ndarray, stretch: bool, level: float | None) -> np.ndarray:
    """One MNIST digit (28×28, 0..255, light on dark) as a 16×16 scan, ink 1 on 0.

    The ink's box is fitted into 16×16 keeping its aspect (centred), or stretched to fill
    it; with a `level` (0..1 of the ink's peak) it is thresholded to one bit, else kept grey.
    """
    ink = np.asarray(digit, np.float32).squeeze() / 255
    box = mnistform.inked(ink, ink > 0.1)
    if box is None:
        return np.zeros((16, 16), np.float32)
    if stretch:
        size = (16, 16)
    else:
        scale = 16 / max(box.shape)
        size = (max(1, round(box.shape[1] * scale)), max(1, round(box.shape[0] * scale)))
    small = cv2.resize(box, size, interpolation=cv2.INTER_AREA)
    frame = np.zeros((16, 16), np.float32)
    top, left = (16 - small.shape[0]) // 2, (16 - small.shape[1]) // 2
    frame[top:top + small.shape[0], left:left + small.shape[1]] = small
    if level is not None:
        frame = (frame > level * frame.max()).astype(np.float32)
    return frame


stretched_sixteen = functools.partial(sixteen_scan, stretch=True)  # render(digit, level=...)


def round_trip(digits: np.ndarray, levels: np.ndarray, apply: np.ndarray,
               render=block_counts) -> np.ndarray:
    """The digits where `apply` is set, as small scans read back as a prediction reads them.

    Args:
        digits: (B, 28, 28, 1) float32, 0..255, light on dark.
        levels: (B,) thresholds for `render`.
        apply: (B,) bool; the other digits are returned as they are.
        render: digit, level -> small image: `block_counts` (8×8) or `stretched_sixteen`.

    Returns:
        (B, 28, 28, 1) float32, 0..255.
    """
    out = np.array(digits, np.float32, copy=True)
    for i in np.flatnonzero(apply):
        try:
            out[i, ..., 0] = mnistform.small_to_mnist(render(digits[i], level=float(levels[i])))
        except mnistform.NoDigit:  # a digit the distortions pushed out of the frame
            pass
    return out
