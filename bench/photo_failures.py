"""The photo renderings of training (or validation) digits that the model misreads, listed and
drawn: each picture beside the 28×28 digit the preprocessing made of it, with the label, the
reading and its confidence. For looking at what the preprocessing gets wrong, one by one.

    python bench/photo_failures.py [--seed 31] [--n 2000] [--split train] [--model M]
                                   [--out photo_failures.png]

`--seed` is the renderer's (`photos.render_set`); the evaluation's own photos are made from
test digits with `evaluate.photo_seed` and are not for looking at.
"""

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))

from digits import loaded, outside  # noqa: E402
from digits.pool import Pool  # noqa: E402

SIDE = 112  # pixels of each drawn picture's height, and of the digit's side


def _tile(picture: np.ndarray, digit: np.ndarray, caption: str) -> np.ndarray:
    """The picture (cropped to 160 pixels' width) and the digit side by side, captioned."""
    width = max(1, round(picture.shape[1] * SIDE / picture.shape[0]))
    shown = cv2.resize(picture, (width, SIDE))[:, :160]
    shown = np.pad(shown, ((0, 0), (0, 160 - shown.shape[1])))
    seen = cv2.resize(digit, (SIDE, SIDE), interpolation=cv2.INTER_NEAREST)
    tile = np.concatenate([shown, np.full((SIDE, 4), 128, np.uint8), seen], axis=1)
    cv2.putText(tile, caption, (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 255, 1)
    cv2.putText(tile, caption, (2, SIDE - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 0, 1)
    return tile


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--split", choices=("train", "val"), default="train")
    parser.add_argument("--model", type=Path, default=ROOT / "data/model/model.onnx")
    parser.add_argument("--out", type=Path, default=Path("photo_failures.png"))
    args = parser.parse_args()
    model = loaded.load_model(args.model)
    with np.load(ROOT / f"data/prepared/{args.split}.npz") as npz:
        x, y = npz["x"], npz["y"]
    pictures, labels = outside.photo_set(x, y, args.n, args.seed)
    with Pool() as pool:
        digits, found = outside.to_model_input(pictures, pool)
    probs = model(digits)
    read = probs.argmax(axis=1)
    wrong = np.flatnonzero((read != labels) | ~found)
    print(f"photo seed {args.seed}, {args.split} digits: wrong {len(wrong)} of {args.n}")
    tiles = []
    for i in wrong:
        print(f"  {i}: {labels[i]} read {read[i]} ({probs[i].max():.3f})")
        tiles.append(_tile(pictures[i], digits[i, ..., 0],
                           f"{labels[i]}>{read[i]} {probs[i].max():.2f}"))
    if tiles:
        tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % 4)
        rows = [np.concatenate(tiles[k:k + 4], axis=1) for k in range(0, len(tiles), 4)]
        cv2.imwrite(str(args.out), np.concatenate(rows, axis=0))
        print(f"drawn in {args.out}")


if __name__ == "__main__":
    main()
