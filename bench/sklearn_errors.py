"""Which of scikit-learn's digits (`load_digits`, 13 other writers) a model reads wrong, as
"true→read ×count", read as `outside.sklearn_digits` is scored (through `imageprep.to_mnist`).

    python bench/sklearn_errors.py [MODEL ...]     # default: data/model/model.onnx
"""

import collections
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stages"))
from digits import imageprep, loaded, outside  # noqa: E402


def main():
    pictures, labels = outside.sklearn_digits()
    inputs = np.stack([imageprep.to_mnist(p) for p in pictures])[..., None]
    for path in sys.argv[1:] or ["data/model/model.onnx"]:
        read = np.asarray(loaded.load_model(path)(inputs)).argmax(axis=1)
        errors = collections.Counter(zip(labels[read != labels], read[read != labels]))
        print(f"{path}: accuracy {np.mean(read == labels):.4f}; errors:",
              ", ".join(f"{t}→{r} ×{n}" for (t, r), n in errors.most_common(8)))


if __name__ == "__main__":
    main()
