"""Test accuracy of an ensemble: the mean of several trained models' probabilities.

Each member is a git revision or a DVC experiment name whose `data/model/model.keras` is in
the DVC cache (every `dvc repro` and `dvc exp run` puts it there). The members' own test
metrics are printed next to the ensemble's, all on the same test digits; nothing is chosen
here.

    python bench/ensemble.py main cauld-yegg chirk-bice
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import config, scoring  # noqa: E402


def member_probs(rev: str, x: np.ndarray) -> np.ndarray:
    import dvc.api
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        with dvc.api.open("data/model/model.keras", repo=str(ROOT), rev=rev, mode="rb") as f:
            path.write_bytes(f.read())
        model = keras.models.load_model(path)
    return np.asarray(model.predict(x, batch_size=1000, verbose=0), dtype=np.float64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revs", nargs="+", help="git revisions or DVC experiment names")
    args = parser.parse_args()
    with np.load(ROOT / "data/prepared/test.npz") as npz:
        x, y = npz["x"], npz["y"]
    bins = config.load(ROOT / "params.yaml").evaluate.ece_bins  # as the evaluate stage
    total = np.zeros((len(y), 10))
    print("| members | test acc | test loss | ECE |\n|---|---|---|---|")
    for rev in args.revs:
        probs = member_probs(rev, x)
        total += probs
        m = scoring.summarize(probs, y, bins)
        print(f"| {rev} | {m['accuracy']:.4f} | {m['loss']:.4f} | {m['ece']:.4f} |")
    m = scoring.summarize(total / len(args.revs), y, bins)
    print(f"| mean of {len(args.revs)} | {m['accuracy']:.4f} | {m['loss']:.4f} | "
          f"{m['ece']:.4f} |")


if __name__ == "__main__":
    main()
