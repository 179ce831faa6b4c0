"""Stage `evaluate`: test metrics, plots and per-sample predictions of the trained model,
and its accuracy on digits from outside MNIST (other writers, photo-like pictures).

The model measured is the one `predict.py` serves: the ONNX export, run by ONNX Runtime
(`export` has checked it against Keras on the test digits, within 1e-4; on main's model the
metrics are the same to the last digit written). TensorFlow is not started here.

    python stages/evaluate.py                      # the DVC stage
    python stages/evaluate.py --images DIR --json  # DIR/<label>/<file>, any image files
    python stages/evaluate.py --npz FILE --json    # arrays x (N×H×W uint8) and y

The model is only measured here: nothing is chosen on the test set.
"""

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import numpy as np

from digits import atomic, config, figures, lattices, loaded, scoring, segment

MODEL = Path("data/model/model.onnx")
SEGMENTER = Path("data/model/segmenter.json")
TEST = Path("data/prepared/test.npz")
OUTSIDE = Path("data/outside")
LIVE_METRICS = Path("reports/train/plots/metrics")
METRICS = Path("reports/metrics.json")
PREDICTIONS = Path("reports/predictions.csv")
PLOTS = Path("reports/plots")


def read_history(live_metrics: Path = LIVE_METRICS) -> list[dict]:
    """Per-epoch training and validation logs, from DVCLive's .tsv files (validation's only
    when the run held the validation split out)."""
    columns = {}
    for split, prefix in (("train", ""), ("eval", "val_")):
        if not (live_metrics / split).is_dir():
            continue
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
    return np.asarray(model(x), dtype=np.float64)


def robustness(model, segmenter: segment.Segmenter, outside_dir: Path = OUTSIDE) -> dict:
    """Accuracy on other writers' digits, on photo-like renderings of the test digits and on
    test digits drawn with pen lifts (and unbroken), and the share of numbers of test digits
    read exactly (by recognition, as `predict.py --number` reads them), as `prepare_outside`
    brought them to MNIST form."""
    scores = {}
    for path in sorted(outside_dir.glob("*.npz")):
        with np.load(path) as npz:
            probs = predict_probs(model, npz["x"])
            if "text" in npz:
                read = segment.read_numbers(lattices.unpack(npz), probs, segmenter)
                scores[path.stem] = scoring.exact_numbers(read, npz["text"])
            else:
                scores[path.stem] = scoring.accuracy_where_found(probs, npz["found"], npz["y"])
    return scores


@config.run_stage
def run_stage():
    cfg = config.load().evaluate
    model = loaded.OnnxModel(MODEL)
    with np.load(TEST) as npz:
        x_test, y_test = npz["x"], npz["y"]
    probs = predict_probs(model, x_test)
    metrics = scoring.summarize(probs, y_test, cfg.ece_bins)
    metrics["outside"] = robustness(model, segment.Segmenter.load(SEGMENTER))

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
          f"ECE {metrics['ece']:.4f}; outside: {json.dumps(metrics['outside'])}")


def evaluate_outside(args) -> dict:
    """Accuracy of the pipeline's model (or --model) on an outside set."""
    from digits import outside

    greys, labels = (outside.image_folder(args.images) if args.images
                     else outside.npz_set(args.npz))
    model_path = args.model or loaded.default_model(Path(__file__).resolve().parents[1])
    if model_path is None:
        sys.exit("error: no trained model: run `dvc repro` (or `dvc pull`) first")
    model = loaded.load_model(model_path)
    return outside.score(model, greys, labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--images", type=Path, help="folder laid out as DIR/<label>/<file>")
    source.add_argument("--npz", type=Path, help="arrays x (N×H×W uint8) and y")
    parser.add_argument("--model", type=Path, help="a .onnx or .keras model")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not (args.images or args.npz):
        return run_stage()
    result = evaluate_outside(args)
    print(json.dumps(result) if args.json else
          f"{result['accuracy']:.4f} accuracy on {result['n']} digits "
          f"({result['no_digit']} without a digit found)")
    return None


if __name__ == "__main__":
    sys.exit(main())
