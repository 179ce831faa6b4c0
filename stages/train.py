"""Stage `train`: the selected recipe, trained on the training split and checked on
validation, or (`train_on: train+val`, the final fit once its settings are chosen) trained on
both, with no validation figures.

Resumes from `data/checkpoints/` when an unfinished run with the same settings left one there
(a killed `dvc repro`), so finished epochs are never trained again. The test set is not read.
"""

import dataclasses
import hashlib
import json
from pathlib import Path

from digits import quiet  # noqa: F401  (first: TensorFlow starts without its notices)
import keras
import numpy as np
from dvclive import Live
from dvclive.keras import DVCLiveCallback

from digits import atomic, checkpoint, config, training

PREPARED = Path("data/prepared")
CHECKPOINTS = Path("data/checkpoints")
MODEL = Path("data/model/model.keras")
LIVE_DIR = "reports/train"
SUMMARY = Path("reports/training.json")
# The code whose behaviour a checkpoint depends on, besides the settings and the data.
_CODE = [Path(__file__).parent / "digits" / name
         for name in ("models.py", "augment.py", "blocks.py", "mnistform.py", "penlift.py",
                      "neighbours.py", "training.py")]


def fingerprint(cfg: config.Config) -> str:
    """What a checkpoint must share with this run to be resumed: settings, data, code."""
    settings = dataclasses.asdict(cfg)
    for unused in ("download", "evaluate", "threads"):
        settings.pop(unused)
    settings["recipes"] = {cfg.recipe: settings["recipes"][cfg.recipe]}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for path in [PREPARED / "train.npz", PREPARED / "val.npz", *_CODE]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _load(split: str):
    with np.load(PREPARED / f"{split}.npz") as npz:
        return npz["x"], npz["y"]


def summarize(history: list[dict], train_size: int) -> dict:
    """Seconds and validation figures of a finished run, for reports/training.json."""
    summary = {
        "epochs": len(history),
        "train_size": train_size,
        "train_seconds": round(sum(h["seconds"] for h in history), 2),
        "seconds_per_epoch": round(float(np.median([h["seconds"] for h in history])), 2),
    }
    if "val_accuracy" not in history[-1]:  # trained on train+val
        return summary
    val_acc = [h["val_accuracy"] for h in history]
    best = int(np.argmax(val_acc))
    return summary | {
        "best_val_accuracy": val_acc[best],
        "best_val_epoch": best + 1,
        "final_val_accuracy": val_acc[-1],
        "final_val_loss": history[-1]["val_loss"],
    }


def fit_data(cfg: config.Config):
    """The digits to fit, and the validation data (None when validation is fitted too)."""
    (x_train, y_train), (x_val, y_val) = _load("train"), _load("val")
    if cfg.hyper.train_on == "train+val":
        return (np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val])), None
    return (x_train, y_train), (x_val, training.one_hot(y_val))


@config.run_stage
def main():
    cfg = config.load()
    training.setup_runtime(cfg.seed, cfg.threads)
    (x_train, y_train), validation = fit_data(cfg)
    run_id = fingerprint(cfg)
    resume = checkpoint.resume_point(CHECKPOINTS, run_id)
    if resume:
        path, first_epoch, history = resume
        model = keras.models.load_model(path)
        print(f"train: resuming after epoch {first_epoch} from {path}")
    else:
        for stale in CHECKPOINTS.glob("epoch-*.keras"):
            stale.unlink()
        model, first_epoch, history = training.compile_model(cfg, len(y_train)), 0, []

    data, cut_seconds = training.recipe_dataset(x_train, y_train, cfg, first_epoch)
    with Live(LIVE_DIR, dvcyaml=False, save_dvc_exp=False) as live:
        live_callback = DVCLiveCallback(live=live)
        for epoch, logs in enumerate(history):  # the finished epochs' curves, as logged then
            live_callback.on_epoch_end(epoch, {k: v for k, v in logs.items() if k != "seconds"})
        model.fit(
            data, epochs=cfg.epochs, initial_epoch=first_epoch,
            steps_per_epoch=training.steps_per_epoch(len(y_train), cfg.batch_size),
            validation_data=validation, validation_batch_size=1000,
            shuffle=False,  # the dataset is already shuffled, per epoch and seeded
            verbose=2,
            callbacks=[training.EpochSeeds(cfg.seed),
                       checkpoint.Resumable(CHECKPOINTS, run_id, history),
                       live_callback])

    with atomic.target(MODEL, suffix=".keras") as tmp:
        training.in_float32(model, cfg).save(tmp)
    checkpoint.finish(CHECKPOINTS, run_id, history)
    summary = summarize(history, len(y_train))
    if cut_seconds is not None:  # the copies are part of training's cost: counted in its time
        summary["cut_seconds"] = round(cut_seconds, 2)
        summary["train_seconds"] = round(summary["train_seconds"] + cut_seconds, 2)
    atomic.write_json(SUMMARY, summary | {"computed_in": training.computes_in(model)})


if __name__ == "__main__":
    main()
