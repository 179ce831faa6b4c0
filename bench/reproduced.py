"""After `make repro`: did this run reproduce main? Each headline metric of the workspace's
reports/metrics.json beside main's committed value and the band over recorded runs
(bench/bands.json), and whether it falls within the band.

    python bench/reproduced.py

TensorFlow repeats a run bit for bit on one machine only; on another CPU the weights differ,
and so do the metrics, within the band of seeds and CPUs. A value outside the band is worth a
look (another library version, a changed parameter); one inside it is a reproduction.
"""

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BANDS = ROOT / "bench/bands.json"
HEADLINES = {  # bands.json key -> (label, where in metrics.json)
    "test_accuracy": ("test accuracy", ("accuracy",)),
    "test_loss": ("test loss", ("loss",)),
    "sklearn_digits": ("scikit-learn's digits", ("outside", "sklearn_digits", "accuracy")),
    "photos": ("photos of test digits", ("outside", "photos", "accuracy")),
    "penlift": ("digits with pen lifts", ("outside", "penlift", "accuracy")),
    "numbers": ("numbers read exactly", ("outside", "numbers", "exact")),
}


def _get(metrics: dict, path: tuple):
    for key in path:
        metrics = metrics[key]
    return metrics


def committed(name: str) -> str | None:
    """A file as main's last commit holds it (None outside a git checkout)."""
    done = subprocess.run(["git", "show", f"HEAD:{name}"], cwd=ROOT, capture_output=True,
                          text=True)
    return done.stdout if done.returncode == 0 else None


def summary(metrics: dict, main: dict | None, band: dict) -> list[str]:
    """One line per headline metric: this run, main's, the band, and the verdict."""
    lines = [f"{'':24s}{'this run':>10s}{'main':>10s}   band: mean (min–max, runs)"]
    for key, (label, path) in HEADLINES.items():
        b = band[key]
        value = float(_get(metrics, path))
        ours = "-" if main is None else f"{float(_get(main, path)):.4f}"
        # Within half a unit of the fourth decimal: the runs file keeps the loss rounded.
        within = b["min"] - 5e-5 <= value <= b["max"] + 5e-5
        verdict = "within the band" if within else "OUTSIDE the band"
        lines.append(f"{label:24s}{value:10.4f}{ours:>10s}   {b['mean']:.4f} "
                     f"({b['min']:.4f}–{b['max']:.4f}, {b['runs']})  {verdict}")
    return lines


def main() -> int:
    metrics = json.loads((ROOT / "reports/metrics.json").read_text())
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    main_params = committed("params.yaml")
    if main_params is not None and yaml.safe_load(main_params) != params:
        print("reproduced: params.yaml differs from the last commit's; the bands are for "
              "main's parameters, so there is nothing to compare.")
        return 0
    main_metrics = committed("reports/metrics.json")
    main = json.loads(main_metrics) if main_metrics else None
    band = json.loads(BANDS.read_text())[params["recipe"]]
    print(f"Reproduction of main's `{params['recipe']}` (bands over {len(band['cpus'])} CPUs, "
          "bench/bands.json):")
    print("\n".join(summary(metrics, main, band)))
    if main is not None and main == metrics:
        print("The same metrics as main's commit: the same weights (this CPU kind made them, "
              "or they came from the DVC cache).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
