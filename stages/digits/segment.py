"""Numbers read by recognition: the ink is cut into more pieces than there are digits, every
run of neighbouring pieces is a candidate digit, the model reads them all, and the reading
is the path through the pieces that scores best under the model and the row's geometry. This
is the segmentation graph of LeCun, Bottou, Bengio and Haffner's cheque reader (1998),
scored by the recognizer.

A softmax trained on whole digits is confidently wrong on fragments and pairs, so each
candidate's geometry (its size and place in the row, the gaps it bridges and the strokes cut
at its ends) is also scored by a small companion network of "one whole digit" (`Segmenter`),
fitted on fragments, pairs and whole digits of numbers made of training digits
(`stages/segmenter.py`). The picture work (`candidates.lattice`: in worker
processes, or in `prepare_outside`, which has no model) and the choice here (`best_path`,
once the model has read the candidates) are apart: the geometry is computed once, and what
only reads numbers (`evaluate`) needs NumPy alone.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digits.lattices import FEATURES, SHAPE, Lattice

WHOLE_AT_LEAST = 0.5  # digits read with less chance than this of being one whole are flagged
@dataclass(frozen=True)
class Weights:
    """What a candidate costs beside the model's -log(probability of its answer); chosen on
    numbers of training digits (`bench/segment_weights.py`, BENCHMARKS.md)."""
    shape: float = 0.5  # × -log(the segmenter's probability of one whole digit)
    digit: float = -0.5  # for every digit read: a reward, against merging neighbours


class Segmenter:
    """The companion model of "one whole digit": a small neural network on a candidate's
    geometry (standardized FEATURES) and its shape (`lattices.shapes`, grey levels over 255),
    one hidden ReLU layer and a logistic output, fitted by `stages/segmenter.py` and run here
    in NumPy. The shape is what tells two digits squeezed into one box, or a digit without
    its stroke, from one whole digit (BENCHMARKS.md, "The candidate's shape in the
    segmenter")."""

    def __init__(self, mean, scale, hidden_w, hidden_b, out_w, out_b: float):
        self.mean, self.scale = np.asarray(mean, np.float64), np.asarray(scale, np.float64)
        self.hidden_w, self.hidden_b = np.asarray(hidden_w, np.float64), np.asarray(hidden_b)
        self.out_w, self.out_b = np.asarray(out_w, np.float64), float(out_b)

    @classmethod
    def load(cls, path: Path) -> "Segmenter":
        fitted = json.loads(Path(path).read_text())
        if fitted["features"] != list(FEATURES) or fitted.get("shape") != SHAPE:
            raise ValueError(f"{path} was fitted on other features: run `dvc repro`")
        return cls(*(fitted[k] for k in ("mean", "scale", "hidden_w", "hidden_b", "out_w",
                                         "out_b")))

    def to_json(self) -> str:
        def listed(a):
            return np.round(np.asarray(a, np.float64), 7).tolist()

        return json.dumps({"features": list(FEATURES), "shape": SHAPE,
                           "mean": listed(self.mean), "scale": listed(self.scale),
                           "hidden_w": listed(self.hidden_w), "hidden_b": listed(self.hidden_b),
                           "out_w": listed(self.out_w), "out_b": round(self.out_b, 7)}) + "\n"

    @staticmethod
    def inputs(features: np.ndarray, shapes: np.ndarray, mean, scale) -> np.ndarray:
        """(M, len(FEATURES) + SHAPE²) what the network reads: the geometry standardized by
        (mean, scale), then the shape's grey levels over 255."""
        return np.hstack([(np.asarray(features, np.float64) - mean) / scale,
                          np.asarray(shapes, np.float64) / 255])

    def one_digit(self, features: np.ndarray, shapes: np.ndarray) -> np.ndarray:
        """(M,) the probability that each candidate is one whole digit, from its geometry
        (M, len(FEATURES)) and shape (M, SHAPE²)."""
        z = self.inputs(features, shapes, self.mean, self.scale)
        hidden = np.maximum(z @ self.hidden_w + self.hidden_b, 0.0)
        return 1 / (1 + np.exp(-(hidden @ self.out_w + self.out_b)))


def best_path(found: Lattice, probs: np.ndarray, one_digit: np.ndarray,
              weights: Weights = Weights()) -> list[int]:
    """The candidates that make the best reading, left to right: the path through the
    pieces with the least total of -log(the model's probability for its answer) and, by
    `weights`, -log(the geometry's probability of one whole digit).

    Args:
        probs: (M, 10) the model's probabilities for the lattice's candidates.
        one_digit: (M,) `Segmenter.one_digit` of their features.
    """
    own = (-np.log(np.clip(np.asarray(probs).max(axis=1), 1e-9, 1.0))
           - weights.shape * np.log(np.clip(one_digit, 1e-9, 1.0)) + weights.digit)
    best = np.full(found.pieces + 1, np.inf)
    best[0], back = 0.0, [-1] * (found.pieces + 1)
    for m in np.argsort(found.spans[:, 1], kind="stable"):  # by the piece each one ends at
        first, last = found.spans[m]
        if best[first] + own[m] < best[last + 1]:
            best[last + 1], back[last + 1] = best[first] + own[m], m
    path, end = [], found.pieces
    while end > 0:
        path.append(back[end])
        end = found.spans[back[end], 0]
    return path[::-1]


def uncertain(chosen: np.ndarray, whole: np.ndarray, threshold: float) -> np.ndarray:
    """(K,) which digits of a reading to flag: the model's answer under `threshold`, or the
    segmenter's chance of one whole digit under WHOLE_AT_LEAST (a fragment, a pair).

    Args:
        chosen: (K, 10) the model's probabilities for the digits read; whole: (K,) theirs.
    """
    return (chosen.max(axis=1, initial=0.0) < threshold) | (whole < WHOLE_AT_LEAST)


def holds_one_digit(found: Lattice, path: list[int], probs: np.ndarray, whole: np.ndarray,
                    threshold: float) -> bool:
    """Whether a picture read as a number (`read`) holds one digit: not where no candidate
    spans all its pieces (too wide, or in too many pieces, for one digit), nor where it reads
    as several digits with none of them in doubt (`uncertain`). A digit in two strokes that
    reads as two doubtful pieces still counts as one.

    Args:
        path: the candidates read; probs: (M, 10) the model's; whole: (M,) the segmenter's.
    """
    spans_all = bool(((found.spans[:, 0] == 0) & (found.spans[:, 1] == found.pieces - 1)).any())
    several = len(path) > 1 and not uncertain(probs[path], whole[path], threshold).any()
    return spans_all and not several


def read(found: Lattice, probs: np.ndarray, segmenter: Segmenter,
         weights: Weights = Weights()) -> tuple[list[int], np.ndarray]:
    """One number's reading: the candidates on its best path, and every candidate's
    probability of being one whole digit."""
    whole = segmenter.one_digit(found.features, found.shapes)
    return best_path(found, probs, whole, weights), whole


def readings(lattices: list[Lattice | None], probs: np.ndarray, segmenter: Segmenter,
             weights: Weights = Weights()):
    """Yields, for each number, (the candidates read, their rows of `probs`, their
    probabilities of one whole digit); empty where no digit was found. The candidates' rows
    of `probs` lie one lattice after another."""
    at = 0
    for found in lattices:
        if found is None:
            yield [], np.zeros((0, probs.shape[1])), np.zeros(0)
            continue
        mine = probs[at:at + len(found.spans)]
        at += len(found.spans)
        path, whole = read(found, mine, segmenter, weights)
        yield path, mine[path], whole[path]


def as_text(chosen: np.ndarray) -> str:
    """The number the model reads in its probabilities for a reading's digits, (K, 10)."""
    return "".join(str(int(p.argmax())) for p in chosen)


def read_numbers(lattices: list[Lattice | None], probs: np.ndarray, segmenter: Segmenter,
                 weights: Weights = Weights()) -> list[str]:
    """Each number as read ("" where no digit was found)."""
    return [as_text(chosen) for _, chosen, _ in readings(lattices, probs, segmenter, weights)]
