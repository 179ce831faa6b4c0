"""Seconds for a stage's process to start TensorFlow: a plain `import tensorflow` against
`digits.quiet` (which also keeps scikit-learn out of the import), alternated, ROUNDS times
each, in fresh processes; and `import onnxruntime`, what `evaluate` starts instead.

    python bench/start_up.py [ROUNDS]

Prints each kind's median and range.
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

STAGES = Path(__file__).resolve().parents[1] / "stages"
KINDS = {
    "import tensorflow": "import tensorflow",
    "from digits import quiet": "from digits import quiet",
    "import onnxruntime": "import onnxruntime",
}


def seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=STAGES, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    times = {kind: [] for kind in KINDS}
    for _ in range(rounds):
        for kind, code in KINDS.items():
            times[kind].append(seconds(code))
    for kind, values in times.items():
        print(f"{kind:26s} median {statistics.median(values):.2f} s "
              f"(range {min(values):.2f}–{max(values):.2f}, {rounds} runs)")


if __name__ == "__main__":
    main()
