"""What each photo effect costs: accuracy on photo renderings with one effect left out
(then all of them: paper, light and ink are left).

The renderings are of validation (or training) digits, never test digits; every random draw
is still made, so each row differs from the full rendering by its effect alone. Give a model
that has not seen the digits (`--split val` with a model fitted with `train_on: train`):

    python bench/photo_ablation.py --model M.onnx --split val --n 1500 --seeds 21 22
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stages"))
from digits import loaded, outside, photos  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="data/model/model.onnx")
    parser.add_argument("--split", choices=("train", "val"), default="val",
                        help="whose digits to render: never the test split's")
    parser.add_argument("--n", type=int, default=1500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[21, 22])
    args = parser.parse_args()
    with np.load(f"data/prepared/{args.split}.npz") as npz:
        x, y = npz["x"], npz["y"]
    model = loaded.load_model(args.model)
    print(f"| left out | {' | '.join(f'seed {s} wrong' for s in args.seeds)} | accuracy |")
    print("|---|" + "---|" * (len(args.seeds) + 1))
    rows = [("nothing", ()), *((e, (e,)) for e in photos.EFFECTS), ("all", photos.EFFECTS)]
    for name, without in rows:
        wrong, n = [], 0
        for seed in args.seeds:
            greys, labels = outside.photo_set(x, y, args.n, seed, without)
            result = outside.score(model, greys, labels)
            wrong.append(round((1 - result["accuracy"]) * result["n"]))
            n += result["n"]  # --n beyond the split's size renders each digit once
        accuracy = 1 - sum(wrong) / n
        print(f"| {name} | {' | '.join(map(str, wrong))} | {accuracy:.4f} |",
              flush=True)


if __name__ == "__main__":
    main()
