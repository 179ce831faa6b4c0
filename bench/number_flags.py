"""How well a number's `uncertain` flag tells readings right from wrong, on *validation*
numbers: main's rule (a digit under `evaluate.uncertain_below`, or the segmenter under
`segment.WHOLE_AT_LEAST`) against thresholds on one score per number, each set where it
flags a given share of the wrong readings (fitted on the numbers it is measured on, so it
flatters them).

    python bench/number_flags.py --model M [--numbers 500] [--seed 6]

M must not have seen the validation split (`KEEP=DIR bench/held_out.sh 32 0`): main's `best`
fits train+val, so it reads validation numbers too well for their flags to mean anything.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))

from digits import loaded, numbers, outside, reader, segment  # noqa: E402
from digits.pool import Pool  # noqa: E402

SHARES = (0.9, 0.95)  # of the wrong readings, flagged by each score's threshold


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--numbers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    model = loaded.load_model(args.model)
    threshold = reader.uncertain_threshold(ROOT / "params.yaml")
    with np.load(ROOT / "data/prepared/val.npz") as npz:
        pictures, texts = numbers.render_set(npz["x"], npz["y"], args.numbers, args.seed)
    with Pool() as pool:
        lattices, digits, _ = outside.numbers_to_lattices(pictures, pool)
    found = list(segment.readings(lattices, model(digits),
                                  segment.Segmenter.load(ROOT / "data/model/segmenter.json"),
                                  segment.Weights()))
    right = np.array([segment.as_text(chosen) == text
                      for (_, chosen, _), text in zip(found, texts)])
    flagged = np.array([segment.uncertain(chosen, whole, threshold).any()
                        for _, chosen, whole in found])
    print(f"seed {args.seed}: {args.numbers} numbers, exact {right.mean():.3f}; main's flag: "
          f"{flagged[~right].mean():.3f} of the wrong, {flagged[right].mean():.3f} of the right")
    scores = {
        "least confident digit": [chosen.max(axis=1).min(initial=1.0) for _, chosen, _ in found],
        "least whole digit": [whole.min(initial=1.0) for _, _, whole in found],
        "product of both": [np.prod(chosen.max(axis=1)) * np.prod(whole)
                            for _, chosen, whole in found]}
    for name, score in scores.items():
        score = np.array(score)
        for share in SHARES:
            flag = score <= np.quantile(score[~right], share)
            print(f"  {name:22s} {flag[~right].mean():.3f} of the wrong, "
                  f"{flag[right].mean():.3f} of the right")


if __name__ == "__main__":
    main()
