"""The outside sets' preprocessing on one core against every core, side by side.

    python bench/prepare_speed.py [--n 500] [--runs 3]

Renders `n` photo-like pictures of test digits as `prepare_outside` does (evaluate.photo_seed),
then brings them to MNIST form with one worker and with one per core, alternating, `runs`
times each; prints the median seconds of each, the speed-up, and whether both gave the same
arrays (they must).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import config, outside  # noqa: E402
from digits.pool import Pool, cores  # noqa: E402


def timed(pictures, workers: int):
    start = time.perf_counter()
    with Pool(workers) as pool:
        x, found = outside.to_model_input(pictures, pool)
    return time.perf_counter() - start, x, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cfg = config.load(ROOT / "params.yaml").evaluate
    with np.load(ROOT / "data/prepared/test.npz") as npz:
        pictures, _ = outside.photo_set(npz["x"], npz["y"], args.n, cfg.photo_seed)
    times = {1: [], cores(): []}
    arrays = {}
    for _ in range(args.runs):
        for workers in times:
            seconds, x, found = timed(pictures, workers)
            times[workers].append(seconds)
            arrays[workers] = (x, found)
    serial, spread = (statistics.median(t) for t in times.values())
    same = all(np.array_equal(a, b) for a, b in zip(*arrays.values()))
    print(f"{args.n} photos, medians of {args.runs}: 1 worker {serial:.1f} s "
          f"({args.n / serial:.1f}/s), {cores()} workers {spread:.1f} s "
          f"({args.n / spread:.1f}/s): {serial / spread:.2f}x; same arrays: {same}")


if __name__ == "__main__":
    main()
