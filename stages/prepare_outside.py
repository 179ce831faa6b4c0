"""Stage `prepare_outside`: digits from outside MNIST, brought to MNIST form once.

Other writers' digits (scikit-learn's), photo-like renderings of the test digits, and the
test digits drawn with pen lifts (and unbroken, to compare) go through the same preprocessing
as predict.py, on every core, into data/outside/<set>.npz: `x` (N, 28, 28, 1) uint8, `found`
(N,) whether a digit was found, `y` (N,) labels. Numbers of 2–8 test digits are cut into
candidate digits as `predict.py --number` cuts them (`candidates.lattice`), into
data/outside/numbers.npz: `x` (M, 28, 28, 1) the candidates one number after another, their
lattices as `lattices.pack` flattens them, `text` (N,) the numbers written. None of this
depends on the model, so DVC runs it again only when the preprocessing code or its
parameters change; `evaluate` runs the model on these arrays and reads the numbers.
"""

from pathlib import Path

import numpy as np

from digits import atomic, config, lattices, numbers, outside, penlift
from digits.pool import Pool

TEST = Path("data/prepared/test.npz")
OUT_DIR = Path("data/outside")


def outside_sets(cfg: config.EvaluateConfig, x_test, y_test) -> dict:
    """Each outside set of single digits: its name, pictures and labels."""
    lifted, unbroken, labels = penlift.render_set(x_test, y_test, cfg.penlift_count,
                                                  cfg.photo_seed)
    return {
        "sklearn_digits": outside.sklearn_digits(),
        "photos": outside.photo_set(x_test, y_test, cfg.photo_count, cfg.photo_seed),
        "penlift": (lifted, labels),
        "penlift_unbroken": (unbroken, labels),
    }


@config.run_stage
def main():
    cfg = config.load().evaluate
    with np.load(TEST) as npz:
        x_test, y_test = npz["x"], npz["y"]
    with Pool() as pool:
        for name, (pictures, labels) in outside_sets(cfg, x_test, y_test).items():
            x, found = outside.to_model_input(pictures, pool)
            atomic.save_npz(OUT_DIR / f"{name}.npz", x=x, found=found, y=np.asarray(labels))
            print(f"prepare_outside: {name}: {len(x)} pictures, a digit found in "
                  f"{int(found.sum())}")
        pictures, texts = numbers.render_set(x_test, y_test, cfg.number_count, cfg.photo_seed)
        found, x, _ = outside.numbers_to_lattices(pictures, pool)
        atomic.save_npz(OUT_DIR / "numbers.npz", x=x, text=texts, **lattices.pack(found))
        print(f"prepare_outside: numbers: {len(texts)} pictures, {len(x)} candidate digits "
              f"cut from them ({int(np.sum([len(t) for t in texts]))} written)")


if __name__ == "__main__":
    main()
