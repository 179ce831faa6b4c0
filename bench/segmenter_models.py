"""Which model tells one whole digit from a fragment or a pair best, on the candidates'
geometry and shape: logistic regression, the `segmenter` stage's MLP, gradient boosting.
Fitted on numbers of training digits, measured (AUC) on other numbers of training digits.

    python bench/segmenter_models.py [--fit 5000] [--held-out 300]
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))

import numpy as np  # noqa: E402

import segmenter  # noqa: E402
from digits.pool import Pool  # noqa: E402


def main():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", type=int, default=5000)
    parser.add_argument("--held-out", type=int, default=300)
    args = parser.parse_args()
    train = ROOT / segmenter.SPLITS["train"]
    with Pool() as pool:
        geometry, shapes, y = segmenter.labelled_candidates(train, args.fit, 11, pool)
        held_geometry, held_shapes, y_held = segmenter.labelled_candidates(
            train, args.held_out, 12, pool)
    x, x_held = np.hstack([geometry, shapes]), np.hstack([held_geometry, held_shapes])
    others = {
        "logistic regression": make_pipeline(StandardScaler(),
                                             LogisticRegression(max_iter=3000)).fit(x, y),
        "gradient boosting": HistGradientBoostingClassifier(random_state=0).fit(x, y),
    }
    scores = {name: model.predict_proba(x_held)[:, 1] for name, model in others.items()}
    fitted = segmenter.fit(geometry, shapes, y, seed=0)
    scores["MLP (the segmenter stage's)"] = fitted.one_digit(held_geometry, held_shapes)
    print(f"{len(y)} candidates fitted, {len(y_held)} held out")
    for name, p in scores.items():
        print(f"{name:30s} AUC {roc_auc_score(y_held, p):.4f}")


if __name__ == "__main__":
    main()
