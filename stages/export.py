"""Stage `export`: the trained Keras model as ONNX, for predictions without TensorFlow.

Checks the export before keeping it: on the test digits, ONNX Runtime's probabilities must
match Keras's within `TOLERANCE`, else the stage fails and writes nothing. The same model
gives the same bytes, so `dvc repro -f` leaves `dvc.lock` as it was: tf2onnx's graph is put in
a canonical form (`onnx_names.canonical`), and the stage runs with Python's string hashing
fixed, since tf2onnx's optimizer walks sets whose order follows it (with it random, one
export in three or four folded another part of the graph).
"""

import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnx

from digits import atomic, loaded, onnx_names

MODEL = Path("data/model/model.keras")
ONNX = Path("data/model/model.onnx")
TEST = Path("data/prepared/test.npz")
TOLERANCE = 1e-4


def onnx_bytes(model) -> bytes:
    """The ONNX file of a Keras model that has been called at least once."""
    with tempfile.TemporaryDirectory() as workdir, warnings.catch_warnings():
        # Keras's bundled tf2onnx asks NumPy for `np.object`: a notice for Keras, not the user.
        warnings.filterwarnings("ignore", message=r".*`np\.object`", category=FutureWarning)
        raw = Path(workdir) / "model.onnx"
        model.export(str(raw), format="onnx", verbose=False)
        return onnx_names.canonical(onnx.load(raw)).SerializeToString(deterministic=True)


def main():
    # The conversion runs TensorFlow's graph optimizer, which logs at INFO ("Starting new
    # session"); warnings and errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    from digits import quiet  # noqa: F401  (first: TensorFlow starts without its notices)
    import keras

    model = keras.models.load_model(MODEL)
    with np.load(TEST) as npz:
        x = npz["x"]
    expected = model.predict(x, batch_size=1000, verbose=0)
    with atomic.target(ONNX, suffix=".onnx") as tmp:
        tmp.write_bytes(onnx_bytes(model))
        gap = float(np.abs(loaded.OnnxModel(tmp)(x) - expected).max())
        if gap > TOLERANCE:
            print(f"error: ONNX probabilities differ from Keras's by {gap:.2e} "
                  f"(over {TOLERANCE:.0e})", file=sys.stderr)
            sys.exit(1)
    print(f"export: {ONNX} matches Keras within {gap:.1e} on {len(x)} test digits")


def _with_fixed_string_hashing():
    """Runs this script again with PYTHONHASHSEED=0 unless it already has it (it can only be
    set before Python starts)."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


if __name__ == "__main__":
    _with_fixed_string_hashing()
    main()
