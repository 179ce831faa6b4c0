"""Stage `prepare_outside`: digits from outside MNIST, brought to MNIST form once.

Other writers' digits (scikit-learn's) and photo-like renderings of the test digits go through
the same preprocessing as predict.py, on every core, into data/outside/<set>.npz: `x`
(N, 28, 28, 1) uint8, `found` (N,) whether a digit was found, `y` (N,) labels. None of this
depends on the model, so DVC runs it again only when the preprocessing code or its parameters
change; `evaluate` runs the model on these arrays.
"""

from pathlib import Path

import numpy as np

from digits import atomic, config, outside
from digits.pool import Pool

TEST = Path("data/prepared/test.npz")
OUT_DIR = Path("data/outside")


def outside_sets(cfg: config.EvaluateConfig) -> dict:
    """Each outside set's name, pictures and labels."""
    with np.load(TEST) as npz:
        x_test, y_test = npz["x"], npz["y"]
    return {
        "sklearn_digits": outside.sklearn_digits(),
        "photos": outside.photo_set(x_test, y_test, cfg.photo_count, cfg.photo_seed),
    }


@config.run_stage
def main():
    cfg = config.load().evaluate
    with Pool() as pool:
        for name, (pictures, labels) in outside_sets(cfg).items():
            x, found = outside.to_model_input(pictures, pool)
            atomic.save_npz(OUT_DIR / f"{name}.npz", x=x, found=found, y=np.asarray(labels))
            print(f"prepare_outside: {name}: {len(x)} pictures, a digit found in "
                  f"{int(found.sum())}")


if __name__ == "__main__":
    main()
