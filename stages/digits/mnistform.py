"""MNIST's form, and small clean digit images brought to it.

An MNIST digit is light on black, fitted into a 20×20 box (aspect kept) and centred by centre
of mass in 28×28. Images at most `SMALL_SIDE` pixels a side (8×8 scans, icons, other
datasets' digits) are clean: their own grey strokes are fitted and centred as they are.

This is the part of the preprocessing that training runs (`blocks.round_trip` reads 8×8
block counts back through it), kept apart from the photo path in `imageprep` so that changes
to reading photos leave the train stage's dependencies, and the model, untouched.
"""

import cv2
import numpy as np

BOX, SIDE = 20, 28
SMALL_SIDE = 64  # images this small are clean digit images (icons, scans, datasets), not photos
SMALL_WORK_SIDE = 112
MIN_CONTRAST = 0.12  # a picture whose grey levels span less than this is blank


class NoDigit(Exception):
    """The image holds nothing that looks like a digit."""


def _percentile(ordered: np.ndarray, q: float) -> float:
    """NumPy's linear `percentile` of values already sorted, computed as NumPy computes it."""
    at = q / 100 * (ordered.size - 1)
    below = int(at)
    low, high, weight = ordered[below], ordered[min(below + 1, ordered.size - 1)], at - below
    step = float(high - low)  # the difference in the values' own type, the rest in float64
    return float(high) - step * (1 - weight) if weight >= 0.5 else float(low) + step * weight


def border_lean(grey: np.ndarray) -> float:
    """Where the frame's border (mostly ground) sits in the picture's grey range: 1 at the
    light end (dark ink), -1 at the dark end (light ink).

    The border's median and the picture's 1st and 99th percentiles are NumPy's, to the bit,
    taken from one sort each: `np.median` and `np.percentile` cost a quarter of a training
    round trip in their own overhead (BENCHMARKS).
    """
    border = np.sort(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]))
    half = border.size // 2  # 2 (H + W) pixels: always an even count
    ground = float((border[half - 1] + border[half]) / 2)
    ordered = np.sort(grey, axis=None)
    low, high = _percentile(ordered, 1), _percentile(ordered, 99)
    return ((ground - low) - (high - ground)) / max(float(high - low), 1e-6)


def centre(patch: np.ndarray) -> np.ndarray:
    """Places a ≤20×20 patch in 28×28 with its centre of mass at the centre."""
    canvas = np.zeros((SIDE, SIDE), np.float32)
    h, w = patch.shape
    y0, x0 = (SIDE - h) // 2, (SIDE - w) // 2
    canvas[y0:y0 + h, x0:x0 + w] = patch
    m = cv2.moments(canvas)
    if m["m00"] <= 0:
        return canvas
    dx = (SIDE - 1) / 2 - m["m10"] / m["m00"]
    dy = (SIDE - 1) / 2 - m["m01"] / m["m00"]
    shift = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(canvas, shift, (SIDE, SIDE), flags=cv2.INTER_LINEAR)


def _small_ink(grey: np.ndarray) -> np.ndarray:
    """Ink of a small, clean digit image: polarity by the frame's border (the ground), contrast
    stretched, then enlarged smoothly so that its strokes can be measured and redrawn."""
    ink = 1.0 - grey if border_lean(grey) > 0 else grey
    ink = (ink - ink.min()) / max(float(np.ptp(ink)), 1e-6)
    scale = SMALL_WORK_SIDE / max(grey.shape)
    size = (round(grey.shape[1] * scale), round(grey.shape[0] * scale))
    return np.clip(cv2.resize(ink, size, interpolation=cv2.INTER_CUBIC), 0.0, 1.0)


def small_binarize(grey: np.ndarray, min_contrast: float = MIN_CONTRAST):
    """A small image's ink, enlarged to `SMALL_WORK_SIDE`, and its threshold mask.

    Returns:
        (mask, ink): uint8 0/1 and float32 0..1.

    Raises:
        NoDigit: the picture is blank or nearly so.
    """
    if float(np.ptp(grey)) < min_contrast:
        raise NoDigit("no digit found (blank image)")
    ink = _small_ink(grey)
    if ink.max() < min_contrast:
        raise NoDigit("no digit found (blank image)")
    ink8 = np.round(ink * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(ink8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # A floor under Otsu: on a clean ground it would split the ground's noise in two.
    return (ink8 > max(otsu, 0.2 * 255)).astype(np.uint8), ink


def inked(image: np.ndarray, ink: np.ndarray) -> np.ndarray | None:
    """`image` cut to the box of the pixels set in `ink`, or None where none is."""
    left, top, width, height = cv2.boundingRect(ink.astype(np.uint8))
    return image[top:top + height, left:left + width] if width else None


def fitted(crop: np.ndarray, blur: float = 0.0) -> np.ndarray:
    """A digit cut to its ink box, in MNIST form: fitted into 20×20 keeping the aspect
    (area-averaged, so its edges come out anti-aliased), softened by a Gaussian of `blur`
    pixels where given, centred by mass in 28×28, its brightest pixel 255.

    Returns:
        (28, 28) uint8, light on dark.
    """
    scale = BOX / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    patch = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    if blur:
        patch = cv2.GaussianBlur(patch, (0, 0), blur)
    out = centre(patch)
    return np.round(np.clip(out / max(out.max(), 1e-6), 0, 1) * 255).astype(np.uint8)


def soft_to_mnist(ink: np.ndarray, digit: np.ndarray) -> np.ndarray:
    """A small image's own grey strokes, fitted and centred: at 8×8 or 16×16 pixels,
    redrawing strokes from a threshold would throw away most of what there is."""
    near = cv2.dilate(digit.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    ink = ink * near
    return fitted(inked(ink, ink > 0.3))  # the box of the visible strokes, not of the threshold


def small_to_mnist(grey: np.ndarray) -> np.ndarray:
    """A small, clean digit image (at most `SMALL_SIDE` a side) as an MNIST digit; every
    component is the digit's.

    Args:
        grey: (H, W) grey levels in 0..1, either polarity.

    Returns:
        (28, 28) uint8, light on dark.

    Raises:
        NoDigit: blank or near-blank.
    """
    mask, ink = small_binarize(grey)
    return soft_to_mnist(ink, mask)
