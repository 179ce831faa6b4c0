"""A number's candidate digits: its ink cut into more pieces than there are digits (its
components, and cuts through touching digits where the column ink is thinnest), and every
run of up to MAX_PIECES neighbouring pieces as a candidate (where it ends in a cut through a
stroke, also with the ink just across the cut), in MNIST form, with its geometry
(`lattices.FEATURES`). `segment.best_path` chooses among them once the model has read them.
"""

import cv2
import numpy as np

from digits import imageprep
from digits.mnistform import NoDigit
from digits.lattices import Lattice, shapes

MAX_PIECES = 6  # pieces one digit may be made of: pen-lift strokes, slices of a cut
WIDEST = 1.6  # runs of pieces wider than this many row heights are not read: several digits
CUT_FROM = 0.85  # components this many row heights wide or wider may be touching digits
CUT_SPACING = 0.3  # cuts through them lie at least this many row heights apart, and from ends
CUT_EVERY = 0.2  # at most one cut for every this many row heights of width beyond the first
BORROW = 0.15  # row heights of ink across a cut that a candidate may also be read with


def _cut_columns(blob: np.ndarray, height: float, stroke: float) -> list[int]:
    """Columns where a component wide enough for two digits may be cut: the columns of least
    ink, lowest first, CUT_SPACING row heights apart and from its ends, as many as its width
    holds CUT_EVERY row heights, less one."""
    xs = np.flatnonzero(blob.any(axis=0))
    x0, x1 = xs.min(), xs.max() + 1
    spacing = max(2, int(CUT_SPACING * height))
    most = int((x1 - x0) / (CUT_EVERY * height)) - 1
    if x1 - x0 < CUT_FROM * height or x1 - x0 <= 2 * spacing:
        return []
    profile = blob[:, x0:x1].sum(axis=0).astype(np.float32)
    width = max(1, int(stroke))
    smooth = np.convolve(profile, np.ones(width) / width, "same")
    chosen: list[int] = []
    for x in np.argsort(smooth, kind="stable"):
        if spacing <= x <= len(profile) - spacing and all(abs(x - c) >= spacing for c in chosen):
            chosen.append(int(x))
            if len(chosen) == most:
                break
    return sorted(x0 + c for c in chosen)


def _pieces(mask: np.ndarray):
    """The ink cut into pieces, left to right: (labels, number of pieces, strokes cut at
    each piece's left edge, row height, stroke width)."""
    labels, blobs = imageprep.components(mask)
    biggest = max((b.area for b in blobs), default=0)
    blobs = [b for b in blobs if b.area >= 0.03 * biggest and b.area >= 0.0005 * mask.size]
    if not blobs:
        raise NoDigit("no digit found")
    height = float(max(b.h for b in blobs))
    stroke = imageprep.stroke_width(mask)
    slices = []  # (x-centre, mask, strokes cut at its left edge)
    for b in blobs:
        blob = labels == b.label
        edges = [b.x, *_cut_columns(blob, height, stroke), b.x + b.w]
        for left, right in zip(edges[:-1], edges[1:]):
            piece = np.zeros_like(blob)
            piece[:, left:right] = blob[:, left:right]
            crossed = blob[:, left].sum() / stroke if left > b.x else 0.0
            slices.append(((left + right) / 2, piece, crossed))
    slices.sort(key=lambda s: s[0])
    pieces = np.zeros(mask.shape, np.int16)
    for i, (_, piece, _) in enumerate(slices):
        pieces[piece] = i + 1
    return pieces, len(slices), [crossed for _, _, crossed in slices], height, stroke


def _span_box(boxes, first: int, last: int) -> tuple[int, int, int, int]:
    """The ink box of pieces first..last: x0, y0, x1, y1 (ends excluded)."""
    span = boxes[first:last + 1]
    return (min(b[0] for b in span), min(b[1] for b in span),
            max(b[0] + b[2] for b in span), max(b[1] + b[3] for b in span))


def _geometry(labels, n, cut, height, stroke, first, last, boxes, gaps) -> list[float]:
    """A candidate's geometry, as FEATURES names it."""
    x0, y0, x1, y1 = _span_box(boxes, first, last)
    top, bottom = min(b[1] for b in boxes), max(b[1] + b[3] for b in boxes)
    width, tall = (x1 - x0) / height, (y1 - y0) / height
    inside = gaps[first:last]
    near = imageprep.NEAR_STROKES * stroke
    ink = np.count_nonzero((labels > first) & (labels <= last + 1))
    full = [boxes[i][3] >= 0.7 * height for i in range(first, last + 1)]
    # Pieces side by side, apart in x (two digits), not one over the other (a lifted bar)
    apart_x = [(boxes[i + 1][0] - boxes[i][0] - boxes[i][2]) / height for i in range(first, last)]
    return [width, tall, width ** 2, tall ** 2, max(0.0, width - 1.0), max(0.0, 0.5 - tall),
            last - first, sum(max(0.0, g - near) for g in inside) / height,
            max(inside, default=0.0) / height,
            cut[first], cut[last + 1] if last + 1 < n else 0.0,
            gaps[first - 1] / height if first else 1.0,
            gaps[last] / height if last + 1 < n else 1.0,
            (y0 - top) / height, (bottom - y1) / height, ink / (height * stroke),
            sum(full), max(apart_x, default=-1.0),
            max((a for a, t0, t1 in zip(apart_x, full, full[1:]) if t0 and t1), default=-1.0)]


def _borrows(n, cut, height, first, last) -> list[tuple[int, int]]:
    """How the candidate of pieces first..last is read: as its pieces' ink, (0, 0), and where
    an end of it is a cut through a stroke, also with the ink across that cut within BORROW
    row heights, (columns taken on the left, on the right). Where two digits overlap, a
    column cut slices one of them; read with what lies across the cut, the digit is whole
    with a sliver of its neighbour, as the model learned to read digits cut from a touching
    neighbour (`neighbours`)."""
    reach = int(BORROW * height)
    borrow = (reach if first and cut[first] > 0 else 0,
              reach if last + 1 < n and cut[last + 1] > 0 else 0)
    return [(0, 0), borrow] if any(borrow) else [(0, 0)]


def lattice(grey: np.ndarray) -> tuple[Lattice, np.ndarray]:
    """A number's candidate digits, for the model to read.

    Args:
        grey: (H, W) grey levels in 0..1, either polarity.

    Returns:
        (lattice, digits): digits (M, 28, 28) uint8, one per candidate, in MNIST form.

    Raises:
        NoDigit: nothing that looks like a digit.
    """
    mask, _, (scale, top, left) = imageprep.binarize_placed(grey)
    labels, n, cut, height, stroke = _pieces(mask)
    boxes = [cv2.boundingRect((labels == i + 1).astype(np.uint8)) for i in range(n)]
    gaps = [imageprep.ink_gap(labels == i + 1, labels == i + 2) for i in range(n - 1)]
    spans, borrows, features, placed = [], [], [], []
    for first in range(n):
        for last in range(first, min(n, first + MAX_PIECES)):
            x0, y0, x1, y1 = _span_box(boxes, first, last)
            if last > first and x1 - x0 > WIDEST * height:
                break
            geometry = _geometry(labels, n, cut, height, stroke, first, last, boxes, gaps)
            box = (left + x0 * scale, top + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale)
            for borrow in _borrows(n, cut, height, first, last):
                spans.append((first, last))
                borrows.append(borrow)
                features.append(geometry)
                placed.append(box)
    found = Lattice(n, np.array(spans), np.array(features, np.float32), None, labels,
                    np.round(np.array(placed), 1), np.array(borrows))
    digits = np.stack([imageprep.mask_to_mnist(found.mask(m)) for m in range(len(spans))])
    found.shapes = shapes(digits)
    return found, digits


def laid_owners(found: Lattice, owners: np.ndarray) -> np.ndarray:
    """The digit that wrote each pixel (`numbers.render_set(owners=True)`), laid over the
    lattice's ink box at its working size (0: paper)."""
    ys, xs = np.nonzero(found.labels)
    oy, ox = np.nonzero(owners)
    crop = owners[oy.min():oy.max() + 1, ox.min():ox.max() + 1]
    size = (xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    laid = np.zeros(found.labels.shape, owners.dtype)
    laid[ys.min():ys.max() + 1, xs.min():xs.max() + 1] = cv2.resize(
        crop, size, interpolation=cv2.INTER_NEAREST)
    return laid


def truth(found: Lattice, owners: np.ndarray) -> np.ndarray:
    """(M,) whether each candidate is exactly one whole digit, from the owner of each ink
    pixel (`laid_owners`): its pieces are all, and only, those whose ink is mostly one digit's."""
    laid = laid_owners(found, owners)
    owner = []
    for i in range(found.pieces):
        votes = laid[found.labels == i + 1]
        votes = votes[votes > 0]
        owner.append(np.bincount(votes).argmax() if len(votes) else -i - 1)
    owner = np.array(owner)
    whole = []
    for first, last in found.spans:
        mine = owner[first:last + 1]
        whole.append(bool((mine == mine[0]).all() and np.sum(owner == mine[0]) == len(mine)))
    return np.array(whole)
