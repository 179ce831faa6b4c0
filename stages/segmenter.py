"""Stage `segmenter`: fits the companion model that scores "one whole digit" when numbers are
read by recognition (`digits/segment.py`).

Numbers are composed from *training* digits, with the digit of each pixel's ink known, and
cut into candidate digits as `predict.py --number` cuts them; each candidate is labelled
one whole digit or not (a fragment, a pair, a digit with a piece of its neighbour). A small
neural network learns that from the candidates' geometry and shape (scikit-learn), and is
measured on numbers of *validation* digits. Writes data/model/segmenter.json (its weights,
run in NumPy by `predict.py` and `evaluate`) and reports/segmenter.json (the measurement).
It does not depend on the digit model, so a new model never re-runs it.
"""

from pathlib import Path

import numpy as np

from digits import atomic, config, numbers, outside, segment
from digits.pool import Pool

SPLITS = {"train": Path("data/prepared/train.npz"), "val": Path("data/prepared/val.npz")}
OUT = Path("data/model/segmenter.json")
REPORT = Path("reports/segmenter.json")
HIDDEN = 64  # units in the hidden layer: BENCHMARKS.md, "The candidate's shape in the segmenter"
MEASURED_ON = 300  # at most this many numbers of validation digits measure it


def labelled_candidates(path: Path, count: int, seed: int, pool: Pool):
    """Geometry, shapes and labels of the candidates of `count` numbers of the split's digits,
    as cut. Not those also read with the ink across their cuts (`candidates.BORROW`): the
    segmenter scores them but does not learn from them, since a whole digit's such twin,
    labelled whole, would teach it to accept a neighbour's sliver (BENCHMARKS.md)."""
    with np.load(path) as npz:
        x, y = npz["x"], npz["y"]
    pictures, _, owners = numbers.render_set(x, y, count, seed, owners=True)
    lattices, _, whole = outside.numbers_to_lattices(pictures, pool, owners)
    found = [f for f in lattices if f is not None]
    cut = np.concatenate([~f.borrows.any(axis=1) for f in found])
    return (np.concatenate([f.features for f in found])[cut],
            np.concatenate([f.shapes for f in found])[cut], whole[cut])


def fit(features: np.ndarray, shapes: np.ndarray, whole: np.ndarray,
        seed: int) -> segment.Segmenter:
    """Stops when a tenth of the candidates, held aside, no longer gains."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(features)
    net = MLPClassifier((HIDDEN,), alpha=1e-3, max_iter=300, early_stopping=True,
                        random_state=seed)
    net.fit(segment.Segmenter.inputs(features, shapes, scaler.mean_, scaler.scale_), whole)
    (hidden_w, out_w), (hidden_b, out_b) = net.coefs_, net.intercepts_
    return segment.Segmenter(scaler.mean_, scaler.scale_, hidden_w, hidden_b, out_w[:, 0],
                             out_b[0])


def measured(segmenter: segment.Segmenter, features: np.ndarray, shapes: np.ndarray,
             whole: np.ndarray) -> dict:
    from sklearn.metrics import roc_auc_score

    p = segmenter.one_digit(features, shapes)
    return {"candidates": len(whole), "whole_digits": int(whole.sum()),
            "auc": round(float(roc_auc_score(whole, p)), 6),
            "accuracy": round(float(np.mean((p >= 0.5) == whole)), 6)}


@config.run_stage
def main():
    cfg = config.load()
    counts = {"train": cfg.evaluate.segmenter_numbers,
              "val": min(MEASURED_ON, max(1, cfg.evaluate.segmenter_numbers // 2))}
    with Pool() as pool:
        sets = {split: labelled_candidates(path, counts[split], cfg.evaluate.photo_seed, pool)
                for split, path in SPLITS.items()}
    segmenter = fit(*sets["train"], seed=cfg.evaluate.photo_seed)
    atomic.write_text(OUT, segmenter.to_json())
    report = {split: {"numbers": counts[split], **measured(segmenter, *sets[split])}
              for split in SPLITS}
    atomic.write_json(REPORT, report)
    print(f"segmenter: one whole digit or not, validation candidates: AUC "
          f"{report['val']['auc']:.4f}, accuracy {report['val']['accuracy']:.4f}")


if __name__ == "__main__":
    main()
