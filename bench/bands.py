"""The band of each headline metric over the recorded runs of main's recipe: bench/runs.csv
in, bench/bands.json out (read by `make repro`'s summary and by the tests).

    python bench/bands.py                   # bench/runs.csv -> bench/bands.json, and README's row
    python bench/bands.py --record "CPU"    # first adds this workspace's run (reports/) as a row

A run is one `dvc repro` (or `dvc exp run -S seed=N`) of main's parameters, on the CPU named.
A cell left empty was not measured with the present evaluation code and is left out of that
metric's band.
"""

import argparse
import csv
import json
import statistics
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "bench/runs.csv"
BANDS = ROOT / "bench/bands.json"
METRICS = ("test_accuracy", "test_loss", "sklearn_digits", "photos")


def _record(cpu: str):
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    metrics = json.loads((ROOT / "reports/metrics.json").read_text())
    commit = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    row = {"recipe": params["recipe"], "seed": params["seed"], "cpu": cpu, "commit": commit,
           "test_accuracy": metrics["accuracy"], "test_loss": round(metrics["loss"], 4),
           "sklearn_digits": metrics["outside"]["sklearn_digits"]["accuracy"],
           "photos": metrics["outside"]["photos"]["accuracy"], "where": "bench/bands.py --record"}
    with open(RUNS, "a", newline="") as f:
        csv.DictWriter(f, fieldnames=list(row)).writerow(row)


def bands(rows: list[dict], recipe: str) -> dict:
    """Mean, min, max and count of each metric over the recipe's runs that measured it."""
    out = {}
    for metric in METRICS:
        values = [float(r[metric]) for r in rows if r["recipe"] == recipe and r[metric]]
        out[metric] = {"mean": round(statistics.mean(values), 5), "min": min(values),
                       "max": max(values), "runs": len(values)}
    out["cpus"] = sorted({r["cpu"] for r in rows if r["recipe"] == recipe})
    return out


def readme_row(band: dict) -> str:
    """README's results row for main's recipe, from the bands."""
    def cell(metric, digits=4):
        b = band[metric]
        return (f"{b['mean']:.{digits}f} ({b['min']:.{digits}f}–{b['max']:.{digits}f}, "
                f"{b['runs']} runs)")
    return (f"| `best` (main), band over seeds and CPUs | `dvc repro` | "
            f"{cell('test_accuracy')} | {cell('test_loss')} | {cell('sklearn_digits')} | "
            f"{cell('photos')} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", metavar="CPU", help="add this workspace's run first")
    args = parser.parse_args()
    if args.record:
        _record(args.record)
    with open(RUNS, newline="") as f:
        rows = list(csv.DictReader(f))
    result = {"best": bands(rows, "best")}
    BANDS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(readme_row(result["best"]))


if __name__ == "__main__":
    main()
