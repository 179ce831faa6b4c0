"""Trains variants of a recipe on the training split and scores them on the validation split,
for choosing a recipe's settings without touching the test set. Each variant runs in its own
process with the pipeline's own training code, one after another.

    python bench/sweep.py "recipe=fast epochs=3" "recipe=fast epochs=4 batch_size=256"

Each argument is one variant: `key=value` overrides of `params.yaml`, dotted for sections
(`fast.learning_rate=0.01`). Prints one line per variant: training seconds (validation and
the first epoch's tracing included, as in the train stage) and final validation accuracy.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import config, training  # noqa: E402


class TrainClock(keras.callbacks.Callback):
    """Seconds from the first batch's start to the last epoch's end, as the train stage
    counts them (not the input pipeline's teardown after it)."""

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start


def overridden(variant: str) -> dict:
    """`params.yaml` with the variant's `key=value` overrides applied."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    for item in variant.split():
        key, value = item.split("=", 1)
        *sections, name = key.split(".")
        target = raw
        for section in sections:
            target = target[section]
        target[name] = yaml.safe_load(value)
    return raw


def run_one(variant: str) -> dict:
    cfg = config.parse(overridden(variant))
    training.setup_runtime(cfg.seed, cfg.threads)
    with np.load(ROOT / "data/prepared/train.npz") as npz:
        x_train, y_train = npz["x"], npz["y"]
    with np.load(ROOT / "data/prepared/val.npz") as npz:
        x_val, y_val = npz["x"], npz["y"]
    model = training.compile_model(cfg, len(y_train))
    data = training.train_dataset(
        x_train, y_train, batch_size=cfg.batch_size, seed=cfg.seed, first_epoch=0,
        epochs=cfg.epochs, augment_cfg=cfg.augment if cfg.hyper.augment else None)
    clock = TrainClock()
    history = model.fit(
        data, epochs=cfg.epochs, steps_per_epoch=training.steps_per_epoch(len(y_train),
                                                                          cfg.batch_size),
        validation_data=(x_val, training.one_hot(y_val)), validation_batch_size=1000,
        verbose=0, callbacks=[training.EpochSeeds(cfg.seed), clock])
    return {"variant": variant, "seconds": round(clock.seconds, 1),
            "val_accuracy": history.history["val_accuracy"][-1],
            "val_loss": round(history.history["val_loss"][-1], 4)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.variants[0])))
        return
    for variant in args.variants:
        done = subprocess.run([sys.executable, __file__, "--one", variant], check=True,
                              capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{result['seconds']:7.1f} s  val acc {result['val_accuracy']:.4f}  "
              f"val loss {result['val_loss']:.4f}  {variant}", flush=True)


if __name__ == "__main__":
    main()
