"""Digits written with pen lifts, made from MNIST digits, reproducible from a seed.

People lift the pen where one stroke meets another (the bar of a 4 or a 7 drawn apart from
its stem, a 9's stem as a second stroke, a 5's top bar) and, with a faint pencil, in the
middle of a stroke. Here each digit is traced at `SCALE`× its size, its strokes' skeleton is
found (scikit-image), and one or two gaps are cut across its strokes: beside a junction, so
that one branch stops short of the stroke it met, or along a stroke, away from junctions and
ends. The same digit unbroken is rendered on the same paper, so the pair differs by the
gaps alone. Pen-lift accuracy is measured on *test* digits; preprocessing is developed on
training and validation digits only.
"""

import cv2
import numpy as np
from skimage.morphology import skeletonize

from digits import pool

SCALE = 4  # a 28-pixel digit traced at 112 pixels: room for gaps narrower than a stroke
_EIGHT = np.ones((3, 3), np.float32)
_EDGE = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))  # the soft edge, at `SCALE`×


def trace(digit: np.ndarray) -> np.ndarray:
    """An MNIST digit (28×28 uint8, light on dark) as a boolean ink mask, `SCALE`× larger."""
    side = digit.shape[0] * SCALE
    grey = cv2.resize(digit.astype(np.float32) / 255, (side, side),
                      interpolation=cv2.INTER_CUBIC)
    return grey > 0.5


def _junctions_and_ends(skeleton: np.ndarray):
    """Centres of the skeleton's junctions (three or more branches) and its end points."""
    neighbours = cv2.filter2D(skeleton.astype(np.float32), -1, _EIGHT,
                              borderType=cv2.BORDER_CONSTANT) - 1
    ends = np.argwhere(skeleton & (neighbours == 1))
    joints = (skeleton & (neighbours >= 3)).astype(np.uint8)
    joints = cv2.dilate(joints, np.ones((3, 3), np.uint8))  # a junction's pixels as one
    _, _, _, centres = cv2.connectedComponentsWithStats(joints, connectivity=8)
    return centres[1:, ::-1], ends  # (row, column)


def _distance_to(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    if len(targets) == 0:
        return np.full(len(points), np.inf)
    return np.min(np.linalg.norm(points[:, None, :] - targets[None, :, :], axis=2), axis=1)


def cut(mask: np.ndarray, rng: np.random.Generator, cuts: int) -> np.ndarray:
    """`mask` with `cuts` gaps cut across its strokes.

    Each gap is a disk erased on the skeleton: beside a junction (where there is one, with
    odds 2:1), just far enough out along a branch that the stroke it met keeps its edge; or
    along a stroke, clear of junctions and ends.
    """
    mask = mask.copy()
    for _ in range(cuts):
        skeleton = skeletonize(mask)
        points = np.argwhere(skeleton)
        if len(points) < 8:
            break
        half = float(np.median(cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
                               [skeleton]))
        # A gap of 0.9–1.9 stroke widths, and at most an eighth of the strokes' length.
        radius = min(half * rng.uniform(0.9, 1.9) + 1, len(points) / 16)
        joints, ends = _junctions_and_ends(skeleton)
        to_joint, to_end = _distance_to(points, joints), _distance_to(points, ends)
        beside = points[np.abs(to_joint - (half + radius + 1.5)) <= 1.5]
        along = points[(to_joint > 2 * half + radius + 2) & (to_end > half + radius + 2)]
        choices = beside if len(beside) and (rng.random() < 2 / 3 or not len(along)) else along
        if not len(choices):
            choices = points
        y, x = choices[rng.integers(len(choices))]
        gap = np.zeros(mask.shape, np.uint8)
        cv2.circle(gap, (int(x), int(y)), int(round(radius)), 1, thickness=-1)
        mask &= ~gap.astype(bool)
    return mask


def cut_digit(task) -> np.ndarray:
    """(digit, seed) → the MNIST digit (28×28 uint8) with one or two gaps cut as `cut` cuts
    them, at its own size and grey: each gap is erased a little wider than the traced stroke,
    so the digit's soft edge does not bridge it. A module-level function, for `pool.Pool`."""
    digit, seed = task
    rng = np.random.default_rng(seed)
    whole = trace(digit)
    gaps = whole & ~cut(whole, rng, cuts=1 + int(rng.random() < 0.4))
    gaps = cv2.dilate(gaps.astype(np.uint8), _EDGE).astype(np.float32)
    erased = cv2.resize(gaps, digit.shape[::-1], interpolation=cv2.INTER_AREA)
    return np.round(digit * (1 - np.clip(erased, 0, 1))).astype(np.uint8)


def cut_set(x: np.ndarray, seed: int) -> np.ndarray:
    """Every digit of (N, 28, 28, 1) uint8 `x` with gaps cut, seeded per digit: the same
    (seed, index) gives the same cuts, in any order or on any number of cores."""
    tasks = ((digit.squeeze(), (seed, i)) for i, digit in enumerate(x))
    with pool.Pool() as workers:
        return np.stack(workers.map(cut_digit, tasks, chunksize=256)).reshape(x.shape)


def look(rng: np.random.Generator, shape: tuple[int, int]) -> dict:
    """How a mask of `shape` is drawn: the paper around it (margins of 0.1–0.6 its height on
    each side), the paper's and the ink's grey, the pen's softness, the scanner's noise."""
    top, bottom, left, right = (int(shape[0] * rng.uniform(0.1, 0.6)) for _ in range(4))
    return {"margins": (top, bottom, left, right), "paper": rng.uniform(0.8, 0.95),
            "ink": rng.uniform(0.5, 0.9), "soft": rng.uniform(0.6, 1.4),
            "noise": rng.uniform(0.0, 0.02), "grain": int(rng.integers(2**31))}


def draw(mask: np.ndarray, look: dict) -> np.ndarray:
    """The mask written dark on light paper, as a grey uint8 picture."""
    top, bottom, left, right = look["margins"]
    sheet = cv2.GaussianBlur(np.pad(mask.astype(np.float32), ((top, bottom), (left, right))),
                             (0, 0), look["soft"])
    grain = np.random.default_rng(look["grain"]).normal(0, look["noise"], sheet.shape)
    picture = look["paper"] * (1 - look["ink"] * sheet) + grain
    return np.round(np.clip(picture, 0, 1) * 255).astype(np.uint8)


def render_pair(digit: np.ndarray, rng: np.random.Generator):
    """One MNIST digit drawn twice on the same paper: with pen lifts, and unbroken."""
    whole = trace(digit)
    lifted = cut(whole, rng, cuts=1 + int(rng.random() < 0.4))
    drawn = look(rng, whole.shape)
    return draw(lifted, drawn), draw(whole, drawn)


def render_set(x: np.ndarray, y: np.ndarray, n: int, seed: int):
    """`n` digits drawn from (x, y), each with pen lifts and unbroken; the same seed gives
    the same pictures.

    Returns:
        (lifted pictures, unbroken pictures, (n,) labels).
    """
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x), size=min(n, len(x)), replace=False)
    pairs = [render_pair(x[i].squeeze(), rng) for i in picks]
    return [p[0] for p in pairs], [p[1] for p in pairs], np.asarray(y)[picks]
