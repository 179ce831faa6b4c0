"""Photo-like renderings of MNIST digits, reproducible from a seed.

Each digit is drawn dark on light onto synthetic paper: uneven light and a shadow, paper
texture, sensor noise, blur and JPEG artefacts, random size, position and rotation, sometimes
ruled lines or the sheet's edge with the table beyond it (beside the digit, which is
written on the sheet, never over it). Robustness is measured on renderings of
*test* digits; preprocessing is tuned only on renderings of *training* digits.
"""

import io
from functools import partial

import cv2
import numpy as np
from PIL import Image

INK_SEEN = 0.02  # a pixel holding this much of a stroke is written on
EDGE_CLEARANCE = 2  # pixels of paper at least between the ink and the sheet's edge


def _paper(rng, h: int, w: int, shadow: bool = True) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = np.full((h, w), rng.uniform(0.65, 0.95), np.float32)
    angle = rng.uniform(0, 2 * np.pi)  # light falling off across the sheet
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    paper *= 1 - rng.uniform(0, 0.35) * (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6)
    coarse = rng.normal(0, 1, (6, 6)).astype(np.float32)  # texture and fibres
    paper += rng.uniform(0, 0.04) * cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    if rng.random() < 0.6:  # a soft shadow over part of the sheet (a hand, a phone)
        cy, cx = rng.uniform(-0.3, 1.3) * h, rng.uniform(-0.3, 1.3) * w
        r = rng.uniform(0.3, 0.8) * max(h, w)
        inside = np.clip((r - np.hypot(yy - cy, xx - cx)) / (0.15 * r), 0, 1)
        depth = rng.uniform(0.2, 0.5)
        if shadow:
            paper *= 1 - depth * inside
    return paper


def _place_digit(rng, paper: np.ndarray, digit: np.ndarray, turn: bool = True):
    """The paper with the digit written on it, and where the ink lies (0..1)."""
    h, w = paper.shape
    size = int(rng.uniform(0.35, 0.8) * min(h, w))
    alpha = cv2.resize(digit.astype(np.float32) / 255, (size, size),
                       interpolation=cv2.INTER_CUBIC)
    angle = rng.uniform(-15, 15)
    rotation = cv2.getRotationMatrix2D((size / 2, size / 2), angle if turn else 0.0, 1.0)
    alpha = np.clip(cv2.warpAffine(alpha, rotation, (size, size)), 0, 1)
    y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
    layer = np.zeros_like(paper)
    layer[y:y + size, x:x + size] = alpha
    darkness = rng.uniform(0.55, 0.95)  # pencil to marker
    return paper * (1 - darkness * layer), layer


def _ruled_lines(rng, image: np.ndarray) -> np.ndarray:
    h, _ = image.shape
    spacing = rng.uniform(0.18, 0.3) * h
    for y in np.arange(rng.uniform(0, spacing), h, spacing):
        image[int(y):int(y) + rng.integers(1, 3)] *= 1 - rng.uniform(0.12, 0.25)
    return image


def _paper_edge(rng, image: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The table beyond the sheet along one side. The digit is written on the sheet, so the
    sheet's edge passes beside the ink, never across it."""
    h, w = image.shape
    yy, xx = np.mgrid[0:h, 0:w]
    side = rng.integers(4)
    depth = rng.uniform(0.04, 0.15) * (h if side < 2 else w)
    tilt = rng.uniform(-0.1, 0.1)
    coord = {0: yy + tilt * xx, 1: h - 1 - yy + tilt * xx,
             2: xx + tilt * yy, 3: w - 1 - xx + tilt * yy}[side]
    written = ink > INK_SEEN
    if written.any():
        depth = min(depth, float(coord[written].min()) - EDGE_CLEARANCE)
    image[coord < depth] = rng.uniform(0.05, 0.35)  # the table beyond the sheet
    return image


EFFECTS = ("shadow", "rotation", "lines", "edge", "blur", "noise", "jpeg")


def render(digit: np.ndarray, rng: np.random.Generator, without=()) -> np.ndarray:
    """One MNIST digit (28×28 uint8, light on dark) as a grey photo-like picture (uint8).

    Args:
        without: effects (of `EFFECTS`) left out. Their random draws are still made, so the
            picture differs from the full rendering by those effects alone.
    """
    h, w = int(rng.integers(90, 260)), int(rng.integers(90, 260))
    paper = _paper(rng, h, w, shadow="shadow" not in without)
    image, ink = _place_digit(rng, paper, digit, turn="rotation" not in without)
    for name, chance, effect in (("lines", 0.4, _ruled_lines),
                                 ("edge", 0.3, partial(_paper_edge, ink=ink))):
        if rng.random() < chance:
            done = effect(rng, image.copy())
            image = image if name in without else done
    sigma = rng.uniform(0.3, 1.2)
    if "blur" not in without:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    noise = rng.normal(0, rng.uniform(0, 0.03), image.shape).astype(np.float32)
    if "noise" not in without:
        image += noise
    quality = int(rng.integers(30, 90))
    picture = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    if "jpeg" in without:
        return picture
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer))


def render_set(x: np.ndarray, y: np.ndarray, n: int, seed: int, without=()):
    """`n` digits drawn from (x, y) and rendered (`without` as in `render`); the same seed
    gives the same pictures.

    Returns:
        (list of uint8 pictures, (n,) labels).
    """
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x), size=min(n, len(x)), replace=False)
    return [render(x[i].squeeze(), rng, without) for i in picks], np.asarray(y)[picks]
