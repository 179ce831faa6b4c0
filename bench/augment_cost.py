"""What the augmentation costs: one epoch of the training input pipeline with and without it,
read to the end without a model, medians of several runs taken in turns.

    python bench/augment_cost.py [--runs 3]

Compare with the `best` recipe's seconds per epoch (BENCHMARKS.md): the pipeline runs on the
same two cores as training, so its time is what augmentation adds at most.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import config, training  # noqa: E402


def epoch_seconds(x, y, cfg, augment: bool) -> float:
    data = training.train_dataset(x, y, batch_size=cfg.batch_size, seed=cfg.seed, first_epoch=0,
                                  epochs=1, augment_cfg=cfg.augment if augment else None)
    start = time.perf_counter()
    for _ in data:
        pass
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cfg = config.load(ROOT / "params.yaml")
    training.setup_runtime(cfg.seed, cfg.threads)
    with np.load(ROOT / "data/prepared/train.npz") as npz:
        x, y = npz["x"], npz["y"]
    times = {False: [], True: []}
    for _ in range(args.runs):
        for augment in times:
            times[augment].append(epoch_seconds(x, y, cfg, augment))
    plain, augmented = (statistics.median(times[a]) for a in (False, True))
    print(f"input pipeline, one epoch of {len(y)} digits, batch {cfg.batch_size}, "
          f"median of {args.runs}:")
    print(f"  without augmentation {plain:6.2f} s")
    print(f"  with augmentation    {augmented:6.2f} s  (+{augmented - plain:.2f} s)")


if __name__ == "__main__":
    main()
