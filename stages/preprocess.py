"""Stage `preprocess`: train/validation/test arrays shaped for Keras, kept as uint8.

Rescaling happens inside the model, so these arrays are the raw bytes, (N, 28, 28, 1).
"""

import numpy as np

from digits import atomic, config
from digits.split import class_counts, stratified_split

RAW = "data/raw/mnist.npz"
OUT_DIR = "data/prepared"
SUMMARY = "reports/data_summary.json"


@config.run_stage
def main():
    cfg = config.load()
    with np.load(RAW) as raw:
        x_train, y_train = raw["x_train"], raw["y_train"]
        x_test, y_test = raw["x_test"], raw["y_test"]
    if cfg.preprocess.val_size >= len(y_train):
        raise config.ParamsError(f"preprocess.val_size: must be below {len(y_train)}")
    train_idx, val_idx = stratified_split(y_train, cfg.preprocess.val_size, cfg.seed)
    subset = cfg.preprocess.train_subset
    if subset >= len(train_idx):
        raise config.ParamsError(f"preprocess.train_subset: must be below {len(train_idx)} "
                                 "(the training split), or 0 to keep it all")
    if subset:
        _, kept = stratified_split(y_train[train_idx], subset, cfg.seed)
        train_idx = train_idx[kept]
    splits = {
        "train": (x_train[train_idx], y_train[train_idx]),
        "val": (x_train[val_idx], y_train[val_idx]),
        "test": (x_test, y_test),
    }
    for name, (x, y) in splits.items():
        atomic.save_npz(f"{OUT_DIR}/{name}.npz", x=x[..., None], y=y)  # (N, 28, 28, 1)
    atomic.write_json(SUMMARY, {
        name: {"n": len(y), "class_counts": class_counts(y)} for name, (x, y) in splits.items()
    })


if __name__ == "__main__":
    main()
