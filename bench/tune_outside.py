"""Accuracy of the preprocessing + model on outside-like digits made from MNIST *training*
digits only, for tuning `stages/digits/imageprep.py` without touching any evaluation set:

- small: training digits shrunk to 8×8 and quantised to 17 grey levels (like load_digits);
- photos: training digits rendered photo-like (`stages/digits/photos.py`, another seed).

    python bench/tune_outside.py [--n 1000] [--model data/model/model.onnx]
"""

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stages"))
from digits import outside, reader  # noqa: E402


def small_like(x: np.ndarray) -> list[np.ndarray]:
    """8×8, 0..16 versions of MNIST digits: the digit's box shrunk to fill the frame."""
    out = []
    for digit in x:
        ys, xs = np.nonzero(digit.squeeze() > 30)
        box = digit.squeeze()[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        side = max(box.shape)
        square = np.zeros((side, side), np.float32)
        y0, x0 = (side - box.shape[0]) // 2, (side - box.shape[1]) // 2
        square[y0:y0 + box.shape[0], x0:x0 + box.shape[1]] = box / 255
        small = cv2.resize(square, (8, 8), interpolation=cv2.INTER_AREA)
        out.append(np.round(small / max(small.max(), 1e-6) * 16) / 16)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--model", default="data/model/model.onnx")
    parser.add_argument("--skip-photos", action="store_true")
    args = parser.parse_args()
    with np.load("data/prepared/train.npz") as npz:
        x, y = npz["x"], npz["y"]
    rng = np.random.default_rng(11)
    pick = rng.choice(len(y), args.n, replace=False)
    model = reader.load_model(args.model)
    print("small 8×8:", outside.score(model, small_like(x[pick]), y[pick]))
    if not args.skip_photos:
        print("photos:   ", outside.score(model, *outside.photo_set(x, y, args.n, seed=11)))


if __name__ == "__main__":
    main()
