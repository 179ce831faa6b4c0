"""Chooses `segment.Weights` for reading numbers by recognition, on numbers of *training*
digits (never the test split): the share read exactly for each pair of weights.

    python bench/segment_weights.py [--model data/model/model.onnx] [--numbers 300]
                                    [--seed 12]

`shape` scales -log(the segmenter's probability of one whole digit) against the model's
-log(probability of its answer); `digit` is added for every digit read (negative: a reward).
"""

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))

from digits import loaded, numbers, outside, scoring, segment  # noqa: E402
from digits.pool import Pool  # noqa: E402

SHAPES = (0.25, 0.5, 1.0, 2.0)
DIGITS = (-1.0, -0.5, 0.0, 0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "data/model/model.onnx")
    parser.add_argument("--segmenter", type=Path, default=ROOT / "data/model/segmenter.json")
    parser.add_argument("--numbers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    with np.load(ROOT / "data/prepared/train.npz") as npz:
        x, y = npz["x"], npz["y"]
    pictures, texts = numbers.render_set(x, y, args.numbers, args.seed)
    with Pool() as pool:
        lattices, digits, _ = outside.numbers_to_lattices(pictures, pool)
    probs = loaded.load_model(args.model)(digits)
    segmenter = segment.Segmenter.load(args.segmenter)
    print(f"{'shape':>6s}{'digit':>7s}  exact")
    results = {}
    for shape, digit in itertools.product(SHAPES, DIGITS):
        weights = segment.Weights(shape, digit)
        read = segment.read_numbers(lattices, probs, segmenter, weights)
        results[weights] = scoring.exact_numbers(read, texts)["exact"]
        print(f"{shape:6.2f}{digit:7.2f}  {results[weights]:.4f}")
    best = max(results, key=results.get)
    print(f"best: shape {best.shape}, digit {best.digit}: {results[best]:.4f} "
          f"(defaults {segment.Weights()}: {results.get(segment.Weights(), float('nan')):.4f})")


if __name__ == "__main__":
    main()
