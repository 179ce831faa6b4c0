"""Digits as a number's reader cuts them from a neighbour they touch or overlap, made from
MNIST digits, reproducible from a seed: for training on what `candidates` gives the model.

Written in a number, a digit often touches the next one or runs into it (a 7's bar over the
next digit). The reader cuts such a pair where the columns hold the least ink, so the digit
it reads keeps a piece of its neighbour's stroke and loses the bit of its own that lay past
the cut. Here each digit is written beside another training digit as `numbers.compose`
writes neighbours (traced at `penlift.SCALE`×, touching or overlapping), cut at the column
of least ink near where the two meet, and brought to MNIST form.
"""

import cv2
import numpy as np

from digits import mnistform, penlift, pool

TOUCHING = (-0.06, 0.02)  # gaps between the ink boxes, in row heights, as `numbers._gap` draws
OVERLAPPING = (-0.2, -0.06)
REACH = 0.3  # the cut lies within this many row heights of where the two digits meet
KEPT = 0.8  # of its own ink, at least, in the digit as cut (else the reader reads it otherwise)
FOREIGN = 0.2  # of the digit as cut, at most, from its neighbour
STROKE = 2.4 * penlift.SCALE  # an MNIST stroke's width at the traced size


def _placed(own: np.ndarray, other: np.ndarray, gap: int, drop: int, right: bool):
    """The two masks on one sheet, `other` beside `own` (on its right or left) `gap` pixels
    apart (overlapping where negative) and `drop` pixels lower: (ink, own's ink)."""
    if not right:
        ink, mine = _placed(own[:, ::-1], other[:, ::-1], gap, drop, True)
        return ink[:, ::-1], mine[:, ::-1]
    x = max(0, own.shape[1] + gap)
    top_other = own.shape[0] - other.shape[0] + drop  # the bottoms `drop` apart
    top_own, top_other = max(0, -top_other), max(0, top_other)
    h = max(top_own + own.shape[0], top_other + other.shape[0])
    w = max(own.shape[1], x + other.shape[1])
    ink, mine = np.zeros((h, w), bool), np.zeros((h, w), bool)
    mine[top_own:top_own + own.shape[0], :own.shape[1]] = own
    ink[top_other:top_other + other.shape[0], x:x + other.shape[1]] = other
    return ink | mine, mine


def _to_mnist(mask: np.ndarray) -> np.ndarray:
    """A traced mask in MNIST form, softened as `imageprep.mask_to_mnist` softens a digit."""
    return mnistform.fitted(mnistform.inked(mask.astype(np.float32), mask), blur=0.5)


def in_row(task) -> np.ndarray:
    """(digit, neighbour, seed) → the digit (28×28 uint8) as the reader would cut it from the
    neighbour written against it; the digit as it is where the two do not touch. A
    module-level function, for `pool.Pool`."""
    digit, neighbour, seed = task
    rng = np.random.default_rng(seed)
    own, other = (mnistform.inked(m, m) for m in map(penlift.trace, (digit, neighbour)))
    if own is None or other is None:
        return digit
    height = own.shape[0]
    gap = rng.uniform(*(TOUCHING if rng.random() < 2 / 3 else OVERLAPPING)) * height
    right = bool(rng.random() < 0.5)
    drop = int(rng.normal(0, 0.05 * height))
    ink, mine = _placed(own, other, int(gap), drop, right)
    _, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    if not np.intersect1d(labels[mine], labels[ink & ~mine]).size:
        return digit  # apart: read as it is
    meet = own.shape[1] + gap / 2 if right else ink.shape[1] - own.shape[1] - gap / 2
    reach = REACH * height
    lo, hi = int(max(1, meet - reach)), int(min(ink.shape[1] - 1, meet + reach))
    width = max(1, int(STROKE))
    profile = np.convolve(ink.sum(axis=0), np.ones(width) / width, "same")
    cut = lo + int(np.argmin(profile[lo:hi]))
    kept = ink.copy()
    if right:
        kept[:, cut:] = False
    else:
        kept[:, :cut] = False
    if (kept & mine).sum() < KEPT * mine.sum() or (kept & ~mine).sum() > FOREIGN * kept.sum():
        return digit  # cut too far into it or into its neighbour: another candidate's reading
    return _to_mnist(kept)


def row_set(x: np.ndarray, seed: int) -> np.ndarray:
    """Every digit of (N, 28, 28, 1) uint8 `x` cut from a neighbour drawn from `x`, seeded per
    digit: the same (seed, index) gives the same result, in any order or on any number of
    cores."""
    n = len(x)
    picks = np.random.default_rng((seed, n)).integers(0, n - 1, n)
    picks += picks >= np.arange(n)  # never itself
    tasks = ((x[i].squeeze(), x[j].squeeze(), (seed, i)) for i, j in enumerate(picks))
    with pool.Pool() as workers:
        return np.stack(workers.map(in_row, tasks, chunksize=256)).reshape(x.shape)
