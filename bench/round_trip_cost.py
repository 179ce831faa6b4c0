"""What one small-scan round trip of the augmentation costs: `blocks.round_trip` (a digit as an
8×8 block-count scan or a 16×16 stretched one-bit scan, read back by the prediction
preprocessing, in Python) on training digits, one core, milliseconds a digit, median of runs.

    python bench/round_trip_cost.py [--n 1000] [--runs 3]

Times a share of 60,000 digits gives the core-seconds it adds to an epoch (BENCHMARKS.md).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import blocks  # noqa: E402

SCANS = {"8×8 block counts": (blocks.block_counts, np.mean(blocks.LEVELS)),
         "16×16 stretched, one bit": (blocks.stretched_sixteen, np.mean(blocks.SIXTEEN_LEVELS))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with np.load(ROOT / "data/prepared/train.npz") as npz:
        x = npz["x"][:args.n].astype(np.float32).reshape(-1, 28, 28, 1)
    apply = np.ones(len(x), bool)
    for name, (render, level) in SCANS.items():
        levels = np.full(len(x), level, np.float32)
        runs = []
        for _ in range(args.runs):
            start = time.perf_counter()
            blocks.round_trip(x, levels, apply, render=render)
            runs.append(time.perf_counter() - start)
        print(f"{name:26} {statistics.median(runs) / len(x) * 1e3:.2f} ms a digit")


if __name__ == "__main__":
    main()
