"""Where a `best` epoch goes: the augmented input pipeline alone, the network's training steps
alone (on batches already in memory) in float32 and in mixed bfloat16, and the two together
as `train` runs them, each timed over the same number of steps, in turns, medians of several.

    python bench/epoch_profile.py [--steps 60] [--runs 3] [--widths 40,48]

Milliseconds per step of `batch_size` digits, and what that makes of an epoch of the 60,000
digits `best` fits. On two cores the pipeline and the steps share the CPU, so "together" is
close to the sum of the parts rather than the larger of them. `--widths` adds the network's
steps at other widths (in `best`'s own precision) and `keras-example`'s, the yardstick of
the time budget.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--widths", default="", help="comma-separated, e.g. 40,48")
    args = parser.parse_args()
    cfg = config.load(ROOT / "params.yaml")
    cfg = dataclasses.replace(cfg, recipe="best")
    training.setup_runtime(cfg.seed, cfg.threads)
    with np.load(ROOT / "data/prepared/train.npz") as npz:
        n = args.steps * cfg.batch_size
        x, y = npz["x"][:n], npz["y"][:n]
    in_memory = _pipeline(x, y, cfg, augment=False).cache()  # held after the first pass
    models = {precision: _model(cfg, "best", precision=precision)
              for precision in ("float32", "bfloat16")}

    def steps(model, data):
        return lambda: model.fit(data, epochs=1, verbose=0)

    augmented = _pipeline(x, y, cfg, augment=True)  # built and traced once, as `train` does
    work = {"input pipeline, augmented": lambda: _read(augmented)}
    for precision, model in models.items():
        work[f"network steps, {precision}"] = steps(model, in_memory)
        work[f"together, {precision}"] = steps(model, augmented)
    if args.widths:
        work["network steps, keras-example"] = steps(_model(cfg, "keras-example"), in_memory)
        for width in map(int, args.widths.split(",")):
            work[f"network steps, width {width}"] = steps(_model(cfg, "best", width=width),
                                                          in_memory)
    for run in work.values():  # traces every graph once before timing
        run()
    times = {name: [] for name in work}
    for _ in range(args.runs):
        for name, run in work.items():
            times[name].append(_seconds(run))
    epoch_steps = training.steps_per_epoch(EPOCH_DIGITS, cfg.batch_size)
    print(f"{args.steps} steps of {cfg.batch_size} digits, median of {args.runs}; "
          f"an epoch is {epoch_steps} steps:")
    for name, runs in times.items():
        ms = 1000 * statistics.median(runs) / args.steps
        print(f"  {name:28} {ms:6.1f} ms/step  {ms * epoch_steps / 1000:5.1f} s/epoch")


if __name__ == "__main__":
    main()
