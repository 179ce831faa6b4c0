"""Cold-start time and peak memory of one prediction, and files per second on folders.

Each figure is the median of RUNS fresh processes, measured side by side in one run:
predict.py with the ONNX export (ONNX Runtime only) against Keras + TensorFlow loading the
same model and predicting one digit.

    python bench/predict_speed.py [--runs 5] [--files 200]

Peak memory is the largest single process's (GNU time's %M), not the sum over workers.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))
from digits import photos  # noqa: E402

KERAS_ONE = """
import sys, numpy as np, keras
from PIL import Image
model = keras.models.load_model(sys.argv[1])
x = np.asarray(Image.open(sys.argv[2]))[None, ..., None]
print(int(model.predict(x, verbose=0).argmax()))
"""


def timed(cmd) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one fresh process (GNU time)."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True,
                          text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    return wall, int(done.stderr.strip().splitlines()[-1]) / 1024


def median_of(cmd, runs: int) -> tuple[float, float]:
    results = [timed(cmd) for _ in range(runs)]
    return (statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results))


def folders(tmp: Path, n: int):
    with np.load(ROOT / "data/prepared/test.npz") as npz:
        x, y = npz["x"][:n], npz["y"][:n]
    small, phone = tmp / "mnist_png", tmp / "phone_jpeg"
    small.mkdir()
    phone.mkdir()
    rng = np.random.default_rng(0)
    for i, digit in enumerate(x):
        Image.fromarray(digit.squeeze()).save(small / f"{i:05d}.png")
        # A phone-size photo: the rendering scaled up to 3000×4000 pixels.
        picture = Image.fromarray(photos.render(digit.squeeze(), rng)).resize((3000, 4000))
        picture.save(phone / f"{i:05d}.jpg", quality=90)
    return small, phone


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    onnx, keras_model = ROOT / "data/model/model.onnx", ROOT / "data/model/model.keras"
    predict = [sys.executable, str(ROOT / "stages/predict.py"), "--format", "json"]
    with tempfile.TemporaryDirectory() as tmp:
        small, phone = folders(Path(tmp), args.files)
        one = str(sorted(small.iterdir())[0])
        report = {
            "onnx_one_image": median_of([*predict, "--model", str(onnx), one], args.runs),
            "keras_one_image": median_of([sys.executable, "-c", KERAS_ONE, str(keras_model),
                                          one], args.runs),
        }
        for name, folder in (("mnist_png", small), ("phone_jpeg", phone)):
            # One worker (the reading before the process pool) beside one per core.
            for workers in (1, 0):
                label = f"{name}_files_per_second_{'1_worker' if workers else 'every_core'}"
                wall, mem = median_of([*predict, "--model", str(onnx), "--workers",
                                       str(workers), str(folder)], 3)
                report[label] = (args.files / wall, mem)
    for name, (value, mem) in report.items():
        unit = "files/s" if "per_second" in name else "s"
        print(f"{name:42s} {value:8.2f} {unit:8s} peak {mem:6.0f} MB")
    print(json.dumps({k: [round(v[0], 3), round(v[1], 1)] for k, v in report.items()}))


if __name__ == "__main__":
    main()
