"""Does `predict.py` (one digit per picture) tell a picture of one digit from one that is not?
Validation digits drawn unbroken and with pen lifts, and numbers of 2–8 validation digits,
each saved as a PNG and read as `predict.py` reads it (`reader.read_all`): how many of each
come back `one_digit: false`, and how many of the wrong answers come back `uncertain`.

    python bench/one_digit.py [--model data/model/model.onnx] [--digits 1000]
                              [--numbers 300] [--seed 1]
"""

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))

from digits import loaded, numbers, penlift, reader, segment  # noqa: E402


def png(picture: np.ndarray) -> bytes:
    grey = picture if picture.dtype == np.uint8 else np.round(picture * 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(grey).save(out, format="PNG")
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "data/model/model.onnx")
    parser.add_argument("--digits", type=int, default=1000)
    parser.add_argument("--numbers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = loaded.load_model(args.model)
    segmenter = segment.Segmenter.load(ROOT / "data/model/segmenter.json")
    threshold = reader.uncertain_threshold(ROOT / "params.yaml")
    with np.load(ROOT / "data/prepared/val.npz") as npz:
        x, y = npz["x"], npz["y"]
    lifted, whole, labels = penlift.render_set(x, y, args.digits, args.seed)
    pictures, _ = numbers.render_set(x, y, args.numbers, args.seed)
    for name, sets, truth in (("unbroken", whole, labels), ("pen lifts", lifted, labels),
                              ("numbers", pictures, [None] * len(pictures))):
        sources = [(f"{name}-{i}", png(p)) for i, p in enumerate(sets)]
        results = reader.read_all(model, sources, threshold=threshold, segmenter=segmenter)
        read = [(r, t) for r, t in zip(results, truth) if r["error"] is None]
        not_one = np.mean([not r["one_digit"] for r, _ in read])
        line = f"{name:10s} {len(read)} read, not one digit: {not_one:.3f}"
        wrong = [r for r, t in read if t is not None and r["digit"] != t]
        if wrong:
            line += (f"; {len(wrong)} wrong, flagged uncertain "
                     f"{np.mean([r['uncertain'] for r in wrong]):.2f} (by confidence alone "
                     f"{np.mean([r['confidence'] < threshold for r in wrong]):.2f})")
        else:
            line += f"; uncertain {np.mean([r['uncertain'] for r, _ in read]):.3f}"
        print(line)

if __name__ == "__main__":
    main()
