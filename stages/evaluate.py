"""Stage `evaluate`: test metrics, plots and per-sample predictions of the trained model.

Run without arguments as the DVC stage. The model is only measured here: nothing is chosen
on the test set.
"""

import csv
import io
from pathlib import Path

import keras
import numpy as np

from digits import atomic, config, figures, scoring

MODEL = Path("data/model/model.keras")
TEST = Path("data/prepared/test.npz")
LIVE_METRICS = Path("reports/train/plots/metrics")
METRICS = Path("reports/metrics.json")
PREDICTIONS = Path("reports/predictions.csv")
PLOTS = Path("reports/plots")


def read_history(live_metrics: Path = LIVE_METRICS) -> list[dict]:
    """Per-epoch training and validation logs, from DVCLive's .tsv files."""
    columns = {}
    for split, prefix in (("train", ""), ("eval", "val_")):
        for metric in ("loss", "accuracy"):
            lines = (live_metrics / split / f"{metric}.tsv").read_text().splitlines()
            columns[prefix + metric] = [float(line.split("\t")[-1]) for line in lines[1:]]
    n = len(columns["loss"])
    return [{key: values[i] for key, values in columns.items()} for i in range(n)]


def predictions_csv(y_true, y_pred) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["actual", "predicted"])
    writer.writerows(zip(np.asarray(y_true).tolist(), np.asarray(y_pred).tolist()))
    return out.getvalue()


def predict_probs(model, x: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(x, batch_size=1000, verbose=0), dtype=np.float64)


@config.run_stage
def main():
    cfg = config.load().evaluate
    model = keras.models.load_model(MODEL)
    with np.load(TEST) as npz:
        x_test, y_test = npz["x"], npz["y"]
    probs = predict_probs(model, x_test)
    metrics = scoring.summarize(probs, y_test, cfg.ece_bins)

    PLOTS.mkdir(parents=True, exist_ok=True)
    figures.training_curves(read_history(), PLOTS / "training_curves.png")
    figures.confusion(scoring.confusion_matrix(y_test, probs.argmax(axis=1)),
                      PLOTS / "confusion_matrix.png")
    figures.misclassified(x_test, y_test, probs, PLOTS / "misclassified.png",
                          cfg.misclassified_shown)
    figures.reliability(probs, y_test, cfg.ece_bins, PLOTS / "reliability.png")
    atomic.write_text(PREDICTIONS, predictions_csv(y_test, probs.argmax(axis=1)))
    atomic.write_json(METRICS, metrics)
    print(f"evaluate: test accuracy {metrics['accuracy']:.4f}, loss {metrics['loss']:.4f}, "
          f"ECE {metrics['ece']:.4f}")


if __name__ == "__main__":
    main()
