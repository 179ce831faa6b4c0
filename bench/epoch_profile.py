"""Where a `best` epoch goes: the augmented input pipeline alone, the network's training steps
alone (on batches already in memory) in float32 and in mixed bfloat16, and the two together
as `train` runs them, each timed over the same number of steps in a process of its own, in
turns, medians of several.

    python bench/epoch_profile.py [--steps 60] [--runs 3] [--widths 40,48]

Milliseconds per step of `batch_size` digits, and what that makes of an epoch of the 60,000
digits `best` fits. On two cores the pipeline and the steps share the CPU, so "together" is
close to the sum of the parts rather than the larger of them. `--widths` adds the network's
steps at other widths (in `best`'s own precision) and `keras-example`'s, the yardstick of
the time budget.
"""

import argparse
import dataclasses
import functools
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import config, training  # noqa: E402

EPOCH_DIGITS = 60_000


def _pipeline(x, y, cfg, augment: bool):
    return training.train_dataset(x, y, batch_size=cfg.batch_size, seed=cfg.seed, first_epoch=0,
                                  epochs=1, augment_cfg=cfg.augment if augment else None)


def _seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _read(data):
    for _ in data:
        pass


def _model(cfg, recipe: str, **changes):
    """`recipe`'s network, compiled as `train` compiles it, with `changes` to its settings."""
    hyper = dataclasses.replace(cfg.recipes[recipe], **changes)
    return training.compile_model(
        dataclasses.replace(cfg, recipe=recipe, recipes={**cfg.recipes, recipe: hyper}),
        EPOCH_DIGITS)


def _part_seconds(name: str, n_steps: int) -> float:
    """One part, in this process alone: built and traced once, then timed over `n_steps`."""
    cfg = config.load(ROOT / "params.yaml")
    cfg = dataclasses.replace(cfg, recipe="best")
    training.setup_runtime(cfg.seed, cfg.threads)
    with np.load(ROOT / "data/prepared/train.npz") as npz:
        n = n_steps * cfg.batch_size
        x, y = npz["x"][:n], npz["y"][:n]
    kind, _, setting = name.partition(":")
    augmented = kind != "steps"
    data = _pipeline(x, y, cfg, augment=augmented)  # built and traced once, as `train` does
    if kind == "pipeline":
        run = functools.partial(_read, data)
    else:
        if not augmented:
            data = data.cache()  # held in memory after the first pass
        if setting == "keras-example":
            model = _model(cfg, "keras-example")
        elif setting.startswith("width="):
            model = _model(cfg, "best", width=int(setting.split("=")[1]))
        else:
            model = _model(cfg, "best", precision=setting)
        run = functools.partial(model.fit, data, epochs=1, verbose=0)
    run()
    return _seconds(run)


PARTS = {"pipeline": "input pipeline, augmented",
         "steps:float32": "network steps, float32", "together:float32": "together, float32",
         "steps:bfloat16": "network steps, bfloat16", "together:bfloat16": "together, bfloat16"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--widths", default="", help="comma-separated, e.g. 40,48")
    parser.add_argument("--part", help=argparse.SUPPRESS)  # one part, in a process of its own
    args = parser.parse_args()
    if args.part:
        print(_part_seconds(args.part, args.steps))
        return
    parts = dict(PARTS)
    if args.widths:
        parts["steps:keras-example"] = "network steps, keras-example"
        for width in args.widths.split(","):
            parts[f"steps:width={int(width)}"] = f"network steps, width {int(width)}"
    # Each part in a fresh process: on the AMD EPYC Zen 4, networks built side by side in one
    # process slowed one another (keras-example's steps took 174 ms there, 17 ms alone).
    times = {part: [] for part in parts}
    for _ in range(args.runs):
        for part in parts:
            out = subprocess.run([sys.executable, __file__, "--part", part, "--steps",
                                  str(args.steps)], capture_output=True, text=True, check=True)
            times[part].append(float(out.stdout.split()[-1]))
    batch_size = config.load(ROOT / "params.yaml").batch_size
    epoch_steps = training.steps_per_epoch(EPOCH_DIGITS, batch_size)
    print(f"{args.steps} steps of {batch_size} digits, each part in its own process, median "
          f"of {args.runs}; an epoch is {epoch_steps} steps:")
    for part, runs in times.items():
        ms = 1000 * statistics.median(runs) / args.steps
        print(f"  {parts[part]:28} {ms:6.1f} ms/step  {ms * epoch_steps / 1000:5.1f} s/epoch")


if __name__ == "__main__":
    main()
