"""The lattice of a number's candidate digits: the data `candidates.lattice` makes from a
picture and `segment` reads with the model, and its flat form for an .npz."""

from dataclasses import dataclass

import numpy as np

# A candidate's geometry, in row heights and stroke widths (`candidates._geometry`).
FEATURES = ("width", "height", "width²", "height²", "wide", "short", "joins", "apart",
            "widest_gap", "cut_left", "cut_right", "gap_left", "gap_right", "top", "bottom",
            "ink", "tall_pieces", "side_by_side", "tall_side_by_side")
SHAPE = 14  # a candidate's MNIST form averaged over 2×2 blocks: its shape, for the segmenter


def shapes(digits: np.ndarray) -> np.ndarray:
    """(M, SHAPE²) uint8: candidates in MNIST form, (M, 28, 28[, 1]) uint8, at SHAPE×SHAPE."""
    x = np.asarray(digits, np.float32).reshape(len(digits), SHAPE, 28 // SHAPE, SHAPE, -1)
    return np.round(x.mean(axis=(2, 4))).astype(np.uint8).reshape(len(digits), -1)


@dataclass
class Lattice:
    """The candidate digits of one number.

    Attributes:
        pieces: how many pieces the ink was cut into, left to right.
        spans: (M, 2) the first and last piece of each candidate digit.
        features: (M, len(FEATURES)) its geometry.
        shapes: (M, SHAPE²) its MNIST form at SHAPE×SHAPE (`shapes`).
        labels: (h, w) the piece (1-based) of each ink pixel at the working size, 0 for
            paper; None once packed for storage.
        boxes: (M, 4) each candidate's ink box on the picture: x, y, width, height in
            pixels; None once packed.
        borrows: (M, 2) the columns of ink across its cut ends a candidate is read with, on
            its left and on its right (`candidates.BORROW`: a span cut through a stroke is
            read both ways); None once packed.
    """
    pieces: int
    spans: np.ndarray
    features: np.ndarray
    shapes: np.ndarray
    labels: np.ndarray | None = None
    boxes: np.ndarray | None = None
    borrows: np.ndarray | None = None

    def mask(self, candidate: int) -> np.ndarray:
        """The ink the candidate is read as, at the working size."""
        first, last = self.spans[candidate]
        ink = (self.labels > first) & (self.labels <= last + 1)
        left, right = self.borrows[candidate] if self.borrows is not None else (0, 0)
        if left:
            x = np.flatnonzero((self.labels == first + 1).any(axis=0)).min()
            ink[:, max(0, x - left):x] |= self.labels[:, max(0, x - left):x] == first
        if right:
            x = np.flatnonzero((self.labels == last + 2).any(axis=0)).min()
            ink[:, x:x + right] |= self.labels[:, x:x + right] == last + 2
        return ink


def pack(lattices: list[Lattice | None]) -> dict:
    """Lattices as flat arrays for an .npz (None: a picture where no digit was found)."""
    done = [f for f in lattices if f is not None]
    return {"candidates": np.array([0 if f is None else len(f.spans) for f in lattices]),
            "pieces": np.array([0 if f is None else f.pieces for f in lattices]),
            "spans": np.concatenate([f.spans for f in done]) if done else np.zeros((0, 2), int),
            "features": (np.concatenate([f.features for f in done]) if done
                         else np.zeros((0, len(FEATURES)), np.float32)),
            "shapes": (np.concatenate([f.shapes for f in done]) if done
                       else np.zeros((0, SHAPE * SHAPE), np.uint8))}


def unpack(arrays) -> list[Lattice | None]:
    """The lattices `pack` stored, without their label images."""
    arrays = {k: arrays[k] for k in ("candidates", "pieces", "spans", "features", "shapes")}
    lattices, at = [], 0
    for m, n in zip(arrays["candidates"], arrays["pieces"]):
        lattices.append(Lattice(int(n), *(arrays[k][at:at + m] for k in (
            "spans", "features", "shapes"))) if m else None)
        at += m
    return lattices
