"""Accuracy of the preprocessing + model on outside-like digits made from MNIST *training*
digits only, for tuning `stages/digits/imageprep.py` without touching any evaluation set:

- small: training digits as 8×8 block counts of a 32×32 bitmap, 0..16, made as load_digits'
  were (NIST's form reader stretches every digit's box to 20×32: aspect not kept);
- clean: training digits drawn dark on white at random sizes, nothing else (a scan, an app);
- photos: training digits rendered photo-like (`stages/digits/photos.py`, another seed);
- frames: training digits redrawn in their 28×28 frame at another size or off-centre, as a
  drawing app's canvas or EMNIST (a 24-pixel box) holds them; scored as is and through the
  preprocessing;
- page: training digits written small on a 1600×1200 page with paper grain, 4–20% of its
  height, as a phone photo of a whole sheet holds them;
- tight: training digits cropped to their ink, or with a margin of 2 or 6 pixels, enlarged 4
  to 12 times, either polarity (a digit cut out of a scan);
- flush: the same with a margin of 6 pixels but cut at the ink at the top and bottom, at the
  left and right, or at the bottom only (a digit cut out carelessly);
- sixteen: training digits as 16×16 scans of other writers' sets: the ink's box fitted
  keeping its aspect or stretched to fill the square, one bit or grey.

    python bench/tune_outside.py [--n 1000] [--sets small,clean,photos] [--photo-seed 11]
                                 [--small-level 0.2]
    python bench/tune_outside.py --n 4000 --photo-seed 12 --polarity [--light-ink-margin 0]
    python bench/tune_outside.py --split val --model M ...  # digits M has not seen
    python bench/tune_outside.py --split val --n 2000 --sets frames --model M
    python bench/tune_outside.py --split val --n 500 --sets page --model M
    python bench/tune_outside.py --split val --n 400 --sets tight,flush --model M
    python bench/tune_outside.py --split val --n 2000 --sets sixteen --model M

The default digits are the training split's, which the model has seen; `--split val` takes
the validation split's instead, which a model fitted with `train_on: train` has not (as it
has not seen the test digits the robustness metric renders).
"""

import argparse
import functools
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stages"))
from digits import blocks, imageprep, loaded, outside  # noqa: E402

# Serial: the settings this script patches in imageprep would not reach spawned workers.
serial_score = functools.partial(outside.score, workers=1)


SMALL_LEVEL = 0.2  # strokes as heavy as load_digits' (BENCHMARKS.md)


def small_like(x: np.ndarray, level: float = SMALL_LEVEL) -> list[np.ndarray]:
    """8×8, 0..16 versions of MNIST digits made as load_digits' were (`blocks.block_counts`:
    the box stretched to NIST's 20×32, whatever the digit's aspect). The low level draws
    strokes as heavy as load_digits' pen strokes (`fingerprint` compares the two)."""
    return [blocks.block_counts(digit, level) for digit in x]


def fingerprint(images) -> str:
    """How a set of 8×8 images was made, without labels: how many digits hold ink in 0..8 of
    the columns (the box's shape), and the mean ink per digit in whole blocks (the strokes'
    weight)."""
    images = np.asarray(images)
    columns = np.bincount((images > 2 / 16).any(axis=1).sum(axis=1), minlength=9)
    return f"columns with ink {columns}, ink {images.sum(axis=(1, 2)).mean():.1f} blocks"


def clean_like(x: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """MNIST digits drawn dark on white, 40 to 300 pixels wide, without photo effects."""
    out = []
    for digit in x:
        side = int(rng.integers(40, 300))
        ink = cv2.resize(digit.squeeze().astype(np.float32) / 255, (side, side),
                         interpolation=cv2.INTER_CUBIC)
        out.append(np.clip(1 - rng.uniform(0.6, 1.0) * ink, 0, 1))
    return out


FRAMES = {"box 12": (0.6, 0), "box 16": (0.8, 0), "box 24": (1.2, 0), "box 26": (1.3, 0),
          "box 14, off-centre": (0.7, 5)}  # scale about the centre, shift right and down


def framed_like(x: np.ndarray, scale: float, shift: float) -> list[np.ndarray]:
    """MNIST digits (20-pixel box) scaled about the frame's centre and shifted, in 28×28."""
    centre = (imageprep.SIDE - 1) / 2
    warp = cv2.getRotationMatrix2D((centre, centre), 0.0, scale)
    warp[:, 2] += shift
    return [np.clip(cv2.warpAffine(d.squeeze().astype(np.float32) / 255, warp, (28, 28),
                                   flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC), 0, 1)
            for d in x]


PAGE_HEIGHTS = (0.04, 0.06, 0.1, 0.2)  # the digit's height, as a part of the page's


def page_like(x: np.ndarray, height: float, rng: np.random.Generator) -> list[np.ndarray]:
    """MNIST digits drawn dark on a 1600×1200 page with paper grain, `height` of its height,
    anywhere on it."""
    pages = []
    for digit in x:
        page = np.full((1200, 1600), rng.uniform(0.75, 0.95), np.float32)
        side = int(height * page.shape[0])
        ink = np.clip(cv2.resize(digit.squeeze().astype(np.float32) / 255, (side, side),
                                 interpolation=cv2.INTER_CUBIC), 0, 1)
        y, x0 = rng.integers(0, page.shape[0] - side), rng.integers(0, page.shape[1] - side)
        page[y:y + side, x0:x0 + side] *= 1 - rng.uniform(0.6, 0.9) * ink
        pages.append(np.clip(page + rng.normal(0, 0.02, page.shape).astype(np.float32), 0, 1))
    return pages


def tight_like(x: np.ndarray, margin: int, rng: np.random.Generator,
               flush: str = "") -> list[np.ndarray]:
    """MNIST digits cropped to their ink plus `margin` pixels, but none on the sides named in
    `flush` (of "tblr"), enlarged 4–12 times, drawn dark on light (every other one light on
    dark)."""
    out = []
    for k, digit in enumerate(x):
        ys, xs = np.nonzero(digit.squeeze())
        crop = digit.squeeze()[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        crop = np.pad(crop, [(0 if a in flush else margin, 0 if b in flush else margin)
                             for a, b in ("tb", "lr")])
        scale = rng.uniform(4, 12)
        ink = np.clip(cv2.resize(crop.astype(np.float32) / 255, None, fx=scale, fy=scale,
                                 interpolation=cv2.INTER_CUBIC), 0, 1)
        grey = np.clip(0.9 - 0.75 * ink + rng.normal(0, 0.01, ink.shape), 0, 1)
        out.append((grey if k % 2 == 0 else 1 - grey).astype(np.float32))
    return out


SIXTEEN = {"aspect kept, one bit": (False, True), "stretched, one bit": (True, True),
           "stretched, grey": (True, False)}  # (box stretched to fill 16×16, thresholded)


def sixteen_like(x: np.ndarray, stretch: bool, one_bit: bool) -> list[np.ndarray]:
    """MNIST digits as 16×16 scans of other writers' sets (`blocks.sixteen_scan`): the ink's
    box fitted into 16×16 (aspect kept, centred) or stretched to fill it, grey or thresholded
    at half its ink; dark on white."""
    return [1 - blocks.sixteen_scan(digit, stretch, 0.5 if one_bit else None) for digit in x]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--model", default="data/model/model.onnx")
    parser.add_argument("--sets", default="small,clean,photos",
                        help="which of small, clean, photos, frames, page, tight, flush, "
                             "sixteen to score")
    parser.add_argument("--photo-seed", type=int, default=11)
    parser.add_argument("--small-level", type=float, default=SMALL_LEVEL,
                        help="grey level (0..1) at which small's bitmaps count as ink")
    parser.add_argument("--split", choices=("train", "val"), default="train",
                        help="whose digits to render: never the test split's")
    parser.add_argument("--polarity", action="store_true",
                        help="only how often dark_ink reads the photos' polarity right")
    parser.add_argument("--light-ink-margin", type=float, default=imageprep.LIGHT_INK_MARGIN,
                        help="how clearly the polarity vote must lean to light ink to read it")
    args = parser.parse_args()
    imageprep.LIGHT_INK_MARGIN = args.light_ink_margin
    with np.load(f"data/prepared/{args.split}.npz") as npz:
        x, y = npz["x"], npz["y"]
    if args.polarity:
        pictures, _ = outside.photo_set(x, y, args.n, seed=args.photo_seed)
        works = [imageprep._working_copy(p.astype(np.float32) / 255) for p in pictures]
        dark = sum(imageprep.dark_ink(w) for w in works)
        light = sum(not imageprep.dark_ink(1 - w) for w in works)
        print(f"of {len(works)} photos, dark ink read on {dark}; of their negatives (light "
              f"ink), light ink read on {light}")
        return
    rng = np.random.default_rng(11)
    pick = rng.choice(len(y), args.n, replace=False)
    model = loaded.load_model(args.model)
    sets = args.sets.split(",")
    if "small" in sets:
        small = small_like(x[pick], level=args.small_level)
        print("small 8×8:", serial_score(model, small, y[pick]))
        print("  small:      ", fingerprint(small))
        print("  load_digits:", fingerprint(outside.sklearn_digits()[0]))
    if "clean" in sets:
        print("clean:    ", serial_score(model, clean_like(x[pick], rng), y[pick]))
    if "frames" in sets:
        for name, (scale, shift) in FRAMES.items():
            frames = framed_like(x[pick], scale, shift)
            as_is = np.stack([np.round(f * 255).astype(np.uint8) for f in frames])[..., None]
            direct = np.mean(np.asarray(model(as_is)).argmax(axis=1) == y[pick])
            print(f"frames, {name}: as is {direct:.4f}, through the preprocessing",
                  serial_score(model, frames, y[pick]))
    if "page" in sets:
        for height in PAGE_HEIGHTS:
            page_rng = np.random.default_rng(12)
            right, missed = 0, 0
            for i in range(0, len(pick), 100):  # 100 pages at a time: 8 MB each
                part = pick[i:i + 100]
                score = serial_score(model, page_like(x[part], height, page_rng), y[part])
                right += round(score["accuracy"] * score["n"])
                missed += score["no_digit"]
            print(f"page, digits {height:.0%} of its height:", {
                "n": len(pick), "accuracy": round(right / len(pick), 6), "no_digit": missed})
    if "tight" in sets:
        for margin in (0, 2, 6):
            greys = tight_like(x[pick], margin, np.random.default_rng(13))
            print(f"tight, margin {margin}:", serial_score(model, greys, y[pick]))
    if "flush" in sets:
        for flush in ("tb", "lr", "b"):
            greys = tight_like(x[pick], 6, np.random.default_rng(13), flush)
            print(f"flush at {flush}, margin 6 elsewhere:", serial_score(model, greys, y[pick]))
    if "sixteen" in sets:
        for name, (stretch, one_bit) in SIXTEEN.items():
            scans = sixteen_like(x[pick], stretch, one_bit)
            print(f"16×16, {name}:", serial_score(model, scans, y[pick]))
    if "photos" in sets:
        photo_set = outside.photo_set(x, y, args.n, seed=args.photo_seed)
        print("photos:   ", serial_score(model, *photo_set))


if __name__ == "__main__":
    main()
