"""Chooses `evaluate.uncertain_below` on the validation split (never the test set).

The threshold is the lowest confidence at which the predictions kept (confidence at or above
it) are right at least TARGET of the time on validation digits; answers below it are flagged
`"uncertain": true` by predict.py.

    python bench/uncertainty.py [--model data/model/model.keras]

The model must not have seen the validation split: for a recipe with `train_on: train+val`,
run it on the model of a held-out run (`dvc exp run -S best.train_on=train`).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stages"))
from digits import loaded  # noqa: E402

TARGET = 0.999
SUMMARY = "reports/training.json"  # the pipeline's run: held out validation or not


def choose(confidence: np.ndarray, correct: np.ndarray, target: float = TARGET):
    """The lowest threshold whose kept answers reach `target` accuracy.

    Returns:
        (threshold, share of answers kept, accuracy of the kept answers).
    """
    grid = np.round(np.concatenate([np.arange(0.50, 0.99, 0.01), [0.99, 0.995, 0.999]]), 3)
    for threshold in grid:
        kept = confidence >= threshold
        if kept.any() and correct[kept].mean() >= target:
            break
    return float(threshold), float(kept.mean()), float(correct[kept].mean())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="data/model/model.keras")
    args = parser.parse_args()
    pipelines = args.model == parser.get_default("model")
    if pipelines and "best_val_accuracy" not in json.loads(Path(SUMMARY).read_text()):
        sys.exit("uncertainty.py: the pipeline's model was trained on the validation split; "
                 "use the model of a run with train_on: train (--model PATH)")
    with np.load("data/prepared/val.npz") as npz:
        x, y = npz["x"], npz["y"]
    probs = loaded.load_model(args.model)(x)
    correct = probs.argmax(axis=1) == y
    threshold, kept, accuracy = choose(probs.max(axis=1), correct)
    print(f"validation accuracy {correct.mean():.4f} on {len(y)} digits")
    print(f"uncertain_below: {threshold}  (keeps {kept:.1%} of answers; they are right "
          f"{accuracy:.2%} of the time on validation, target {TARGET:.1%})")


if __name__ == "__main__":
    main()
