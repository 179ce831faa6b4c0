"""What `best`'s last epochs could do otherwise, on validation digits: one held-out run
(main's settings, `best.train_on=train`, the stage's input pipeline and dropout seeds)

- keeps exponential moving averages of its trainable weights at several momenta (`--momenta`),
  as Keras's optimizers do with `use_ema=True`: the final weights and each average are
  scored, a paired comparison within one run, free of seed noise;
- reads the training digits undistorted in its last epochs, `--plain-fraction F` of them in
  place of params.yaml's `augment.plain_fraction` (0 augments every epoch), as the stage
  does: no distortion and no copies, only other writers' small scans mixed in at their
  shares (`augment.formats_only`); its first epochs are the same batches whatever F.

Trained on main's prepared split (data/prepared, seed 0's), whatever `--seed`, which sets the
training's own randomness; scored on its validation digits in float32, as evaluation reads a
model. `--save` keeps the final weights for bench/handwriting.py and bench/tune_outside.py.
The test set is not read.

    python bench/last_epochs.py [--seed 0] [--epochs 32] [--momenta 0.99,0.998,0.999,0.9995]
                                [--plain-fraction F] [--save M.keras]
"""

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))

from digits import quiet  # noqa: E402,F401
import keras  # noqa: E402

from digits import augment, config, scoring, training  # noqa: E402


class Averages(keras.callbacks.Callback):
    """Exponential moving averages of the trainable weights, one per momentum, updated after
    every step from the first (Keras's rule: the first step copies the weights)."""

    def __init__(self, momenta):
        super().__init__()
        self.momenta = momenta
        self.averages = None

    def on_train_batch_end(self, batch, logs=None):
        weights = [v.numpy() for v in self.model.trainable_variables]
        if self.averages is None:
            self.averages = {m: [w.copy() for w in weights] for m in self.momenta}
            return
        for m, average in self.averages.items():
            for a, w in zip(average, weights):
                a *= m
                a += (1 - m) * w


def held_out_config(seed: int, epochs: int, plain_fraction: float | None) -> config.Config:
    cfg = config.load(ROOT / "params.yaml")
    best = dataclasses.replace(cfg.recipes["best"], train_on="train")
    aug = cfg.augment
    if plain_fraction is not None:
        aug = dataclasses.replace(aug, plain_fraction=plain_fraction)
    return dataclasses.replace(cfg, seed=seed, epochs=epochs, recipe="best", augment=aug,
                               recipes=cfg.recipes | {"best": best})


def train(cfg: config.Config, callbacks) -> keras.Model:
    training.setup_runtime(cfg.seed, cfg.threads)
    with np.load(ROOT / "data/prepared/train.npz") as npz:
        x, y = npz["x"], npz["y"]
    data, _ = training.recipe_dataset(x, y, cfg)
    model = training.compile_model(cfg, len(y))
    model.fit(data, epochs=cfg.epochs, steps_per_epoch=training.steps_per_epoch(len(y),
                                                                                cfg.batch_size),
              shuffle=False, verbose=2, callbacks=[training.EpochSeeds(cfg.seed), *callbacks])
    return model


def score(model, cfg, x_val, y_val) -> tuple[float, float]:
    """Validation accuracy and loss, computed as the evaluate stage computes the test's."""
    probs = training.in_float32(model, cfg).predict(x_val, batch_size=1000, verbose=0)
    return float(np.mean(probs.argmax(axis=1) == y_val)), scoring.cross_entropy(probs, y_val)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=32)
    parser.add_argument("--momenta", default="")
    parser.add_argument("--plain-fraction", type=float)
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    cfg = held_out_config(args.seed, args.epochs, args.plain_fraction)
    averages = Averages([float(m) for m in args.momenta.split(",") if m])
    start = time.perf_counter()
    model = train(cfg, [averages] if averages.momenta else [])
    plain = cfg.epochs - augment.plain_from(cfg.augment, cfg.epochs)
    print(f"seed {cfg.seed}, {cfg.epochs} epochs, the last {plain} undistorted, "
          f"trained in {time.perf_counter() - start:.0f} s")
    if args.save:
        training.in_float32(model, cfg).save(args.save)
    with np.load(ROOT / "data/prepared/val.npz") as npz:
        x_val, y_val = npz["x"], npz["y"]
    final = model.get_weights()
    rows = [("final weights", score(model, cfg, x_val, y_val))]
    for momentum, average in (averages.averages or {}).items():
        for variable, value in zip(model.trainable_variables, average):
            variable.assign(value)
        rows.append((f"average, momentum {momentum:g}", score(model, cfg, x_val, y_val)))
        model.set_weights(final)
    print(f"{'weights':<28} {'val accuracy':>12} {'wrong':>6} {'val loss':>9}")
    for name, (accuracy, loss) in rows:
        wrong = round((1 - accuracy) * len(y_val))
        print(f"{name:<28} {accuracy:>12.4f} {wrong:>6} {loss:>9.4f}")


if __name__ == "__main__":
    main()
