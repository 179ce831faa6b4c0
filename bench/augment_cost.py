"""What the augmentation costs: one epoch of the training input pipeline without it, with it but
without the 8×8 round trips or without the pen-lift gaps, and with all of it, read to the end
without a model, medians of several runs taken in turns.

    python bench/augment_cost.py [--runs 3]

Compare with the `best` recipe's seconds per epoch (BENCHMARKS.md): the pipeline runs on the
same two cores as training, so its time is what augmentation adds at most.
"""

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import config, training  # noqa: E402


def epoch_seconds(x, y, cfg, augment_cfg) -> float:
    data = training.train_dataset(x, y, batch_size=cfg.batch_size, seed=cfg.seed, first_epoch=0,
                                  epochs=1, augment_cfg=augment_cfg)
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
    variants = {
        "without augmentation": None,
        "without 8×8 round trips": dataclasses.replace(cfg.augment, small_probability=0.0),
        "without pen-lift gaps": dataclasses.replace(cfg.augment, lift_probability=0.0),
        "with augmentation": cfg.augment,
    }
    times = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, augment_cfg in variants.items():
            times[name].append(epoch_seconds(x, y, cfg, augment_cfg))
    print(f"input pipeline, one epoch of {len(y)} digits, batch {cfg.batch_size}, "
          f"median of {args.runs}:")
    plain = statistics.median(times["without augmentation"])
    for name, runs in times.items():
        seconds = statistics.median(runs)
        print(f"  {name:24} {seconds:6.2f} s  (+{seconds - plain:.2f} s)")


if __name__ == "__main__":
    main()
