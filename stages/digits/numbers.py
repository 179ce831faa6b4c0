"""Handwritten numbers of 2–8 digits, composed from MNIST digits, reproducible from a seed.

Digits are traced at `penlift.SCALE`× their size and written left to right on one sheet as
people write: the gaps vary, some neighbours touch or overlap (a 7's bar over the next
digit), sizes and the baseline drift, and half the numbers have pen lifts in their digits.
Exact readings are measured on numbers of *test* digits; the splitting is developed on
training and validation digits only.
"""

import numpy as np

from digits import mnistform, penlift

LENGTHS = (2, 8)  # digits per number, inclusive
LIFTED_SHARE = 0.5  # numbers whose digits have pen lifts


def _gap(rng: np.random.Generator, height: float) -> int:
    """Pixels from one digit's ink box to the next one's: apart, touching or overlapping."""
    kind = rng.random()
    if kind < 0.7:  # apart
        return int(rng.uniform(0.08, 0.45) * height)
    if kind < 0.9:  # touching, or nearly
        return int(rng.uniform(-0.06, 0.02) * height)
    return int(rng.uniform(-0.2, -0.06) * height)  # boxes overlapping


def compose(digits: list[np.ndarray], rng: np.random.Generator, lifted: bool) -> np.ndarray:
    """MNIST digits (28×28 uint8, light on dark) written as one number: an ink mask holding,
    for each pixel, 1 + the index of the digit written there (the last one where two
    overlap), 0 for paper."""
    masks = [mnistform.inked(m, m) for m in map(penlift.trace, digits)]
    if lifted:
        masks = [mnistform.inked(cut, cut) if (cut := penlift.cut(m, rng, cuts=1)).any() else m
                 for m in masks]
    height = float(np.median([m.shape[0] for m in masks]))
    drift = np.cumsum(rng.normal(0, 0.04 * height, len(masks)))  # the baseline wanders
    places, x = [], 0
    for i, mask in enumerate(masks):
        if i:
            x = max(0, x + _gap(rng, height))
        bottom = height + drift[i] + rng.normal(0, 0.03 * height)
        places.append((int(round(bottom)) - mask.shape[0], x))
        x += mask.shape[1]
    top = min(y for y, _ in places)
    places = [(y - top, x) for y, x in places]
    sheet = np.zeros((max(y + m.shape[0] for (y, _), m in zip(places, masks)),
                      max(x + m.shape[1] for (_, x), m in zip(places, masks))), np.uint8)
    for i, ((y, x), mask) in enumerate(zip(places, masks)):
        sheet[y:y + mask.shape[0], x:x + mask.shape[1]][mask] = i + 1
    return sheet


def render_set(x: np.ndarray, y: np.ndarray, n: int, seed: int, owners: bool = False,
               lifted_share: float = LIFTED_SHARE):
    """`n` numbers written with digits drawn from (x, y); the same seed gives the same ones.
    `lifted_share` of them (by draw) have pen lifts in their digits: 0 or 1 for a set with
    none or all.

    Returns:
        (grey uint8 pictures, their numbers as strings), and with `owners` the digit each
        pixel's ink belongs to (as `compose` gives it, within the picture's margins).
    """
    rng = np.random.default_rng(seed)
    pictures, texts, sheets = [], [], []
    for _ in range(n):
        picks = rng.choice(len(x), size=int(rng.integers(LENGTHS[0], LENGTHS[1] + 1)),
                           replace=False)
        sheet = compose([x[i].squeeze() for i in picks], rng, rng.random() < lifted_share)
        drawn = penlift.look(rng, sheet.shape)
        pictures.append(penlift.draw(sheet > 0, drawn))
        texts.append("".join(str(int(y[i])) for i in picks))
        top, bottom, left, right = drawn["margins"]
        sheets.append(np.pad(sheet, ((top, bottom), (left, right))))
    return (pictures, np.array(texts)) + ((sheets,) if owners else ())
