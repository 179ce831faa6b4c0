"""Photo-like renderings of MNIST digits, reproducible from a seed.

Each digit is drawn dark on light onto synthetic paper: uneven light and a shadow, paper
texture, sensor noise, blur and JPEG artefacts, random size, position and rotation, sometimes
ruled lines or a paper edge with the table beyond it. Robustness is measured on renderings of
*test* digits; preprocessing is tuned only on renderings of *training* digits.
"""

import io

import cv2
import numpy as np
from PIL import Image


def _paper(rng, h: int, w: int) -> np.ndarray:
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
        paper *= 1 - rng.uniform(0.2, 0.5) * inside
    return paper


def _place_digit(rng, paper: np.ndarray, digit: np.ndarray) -> np.ndarray:
    h, w = paper.shape
    size = int(rng.uniform(0.35, 0.8) * min(h, w))
    alpha = cv2.resize(digit.astype(np.float32) / 255, (size, size),
                       interpolation=cv2.INTER_CUBIC)
    turn = cv2.getRotationMatrix2D((size / 2, size / 2), rng.uniform(-15, 15), 1.0)
    alpha = np.clip(cv2.warpAffine(alpha, turn, (size, size)), 0, 1)
    y, x = rng.integers(0, h - size + 1), rng.integers(0, w - size + 1)
    layer = np.zeros_like(paper)
    layer[y:y + size, x:x + size] = alpha
    darkness = rng.uniform(0.55, 0.95)  # pencil to marker
    return paper * (1 - darkness * layer)


def _ruled_lines(rng, image: np.ndarray) -> np.ndarray:
    h, _ = image.shape
    spacing = rng.uniform(0.18, 0.3) * h
    for y in np.arange(rng.uniform(0, spacing), h, spacing):
        image[int(y):int(y) + rng.integers(1, 3)] *= 1 - rng.uniform(0.12, 0.25)
    return image


def _paper_edge(rng, image: np.ndarray) -> np.ndarray:
    h, w = image.shape
    yy, xx = np.mgrid[0:h, 0:w]
    side = rng.integers(4)
    depth = rng.uniform(0.04, 0.15) * (h if side < 2 else w)
    tilt = rng.uniform(-0.1, 0.1)
    coord = {0: yy + tilt * xx, 1: h - 1 - yy + tilt * xx,
             2: xx + tilt * yy, 3: w - 1 - xx + tilt * yy}[side]
    image[coord < depth] = rng.uniform(0.05, 0.35)  # the table beyond the sheet
    return image


def render(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One MNIST digit (28×28 uint8, light on dark) as a grey photo-like picture (uint8)."""
    h, w = int(rng.integers(90, 260)), int(rng.integers(90, 260))
    image = _place_digit(rng, _paper(rng, h, w), digit)
    if rng.random() < 0.4:
        image = _ruled_lines(rng, image)
    if rng.random() < 0.3:
        image = _paper_edge(rng, image)
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 1.2))
    image += rng.normal(0, rng.uniform(0, 0.03), image.shape).astype(np.float32)
    buffer = io.BytesIO()
    Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)).save(
        buffer, format="JPEG", quality=int(rng.integers(30, 90)))
    return np.asarray(Image.open(buffer))


def render_set(x: np.ndarray, y: np.ndarray, n: int, seed: int):
    """`n` digits drawn from (x, y) and rendered; the same seed gives the same pictures.

    Returns:
        (list of uint8 pictures, (n,) labels).
    """
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x), size=min(n, len(x)), replace=False)
    return [render(x[i].squeeze(), rng) for i in picks], np.asarray(y)[picks]
