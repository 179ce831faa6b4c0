"""The band of each headline metric over the recorded runs of main's recipe: bench/runs.csv
in, bench/bands.json out (read by `make repro`'s summary and by the tests).

    python bench/bands.py                   # bench/runs.csv -> bench/bands.json, and README's row
    python bench/bands.py --record "CPU"    # first adds this workspace's run (reports/) as a row
    python bench/bands.py --record "CPU" --exp NAME   # ... or a `dvc exp run`'s
    python bench/bands.py --rescore [RECIPE ...]   # first re-scores the outside sets of the
                                            # recipe's recorded experiments (main's: best)

A run is one `dvc repro` (or `dvc exp run -S seed=N`) of main's parameters, on the CPU named.
A cell left empty was not measured with the present evaluation code and is left out of that
metric's band. When the code that reads the outside sets changes (not the model's), `--rescore`
reads them again with each recorded experiment's model and segmenter, taken from the DVC cache,
after `dvc repro` has prepared them with the present code; the row's `where` says so. Each run
keeps its own segmenter because the training/validation split, which the segmenter is fitted
on, follows the seed; a change that alters what the segmenter fits needs the runs made again.
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
METRICS = ("test_accuracy", "test_loss", "sklearn_digits", "photos", "penlift", "numbers")


def _git(*args) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def _record(cpu: str, experiment: str | None):
    """Adds a run as a row: the workspace's, or an experiment's (its git ref, as `dvc exp`
    keeps it), whose base commit is the row's commit."""
    if experiment:
        ref = next(line.split()[-1] for line in _git("for-each-ref", "refs/exps").splitlines()
                   if line.endswith(f"/{experiment}"))
        params, metrics = (_git("show", f"{ref}:{name}")
                           for name in ("params.yaml", "reports/metrics.json"))
        commit, where = _git("rev-parse", "--short=7", f"{ref}~1").strip(), f"dvc exp {experiment}"
    else:
        params, metrics = ((ROOT / name).read_text()
                           for name in ("params.yaml", "reports/metrics.json"))
        commit, where = _git("rev-parse", "--short=7", "HEAD").strip(), "bench/bands.py --record"
    params, metrics = yaml.safe_load(params), json.loads(metrics)
    row = {"recipe": params["recipe"], "seed": params["seed"], "cpu": cpu, "commit": commit,
           "test_accuracy": metrics["accuracy"], "test_loss": round(metrics["loss"], 4),
           "sklearn_digits": metrics["outside"]["sklearn_digits"]["accuracy"],
           "photos": metrics["outside"]["photos"]["accuracy"],
           "penlift": metrics["outside"]["penlift"]["accuracy"],
           "numbers": metrics["outside"]["numbers"]["exact"], "where": where}
    with open(RUNS, "a", newline="") as f:
        csv.DictWriter(f, fieldnames=list(row), lineterminator="\n").writerow(row)


OUTSIDE = {"sklearn_digits": ("sklearn_digits", "accuracy"), "photos": ("photos", "accuracy"),
           "penlift": ("penlift", "accuracy"), "numbers": ("numbers", "exact")}


def _cached_outs(experiment: str) -> tuple[Path, Path] | None:
    """The ONNX model and the segmenter an experiment made, in the DVC cache (from its
    dvc.lock); None where this repository does not hold the experiment or either of them."""
    ref = next((line.split()[-1] for line in _git("for-each-ref", "refs/exps").splitlines()
                if line.endswith(f"/{experiment}")), None)
    if ref is None:
        return None
    stages = yaml.safe_load(_git("show", f"{ref}:dvc.lock"))["stages"]
    paths = []
    for stage, name in (("export", "data/model/model.onnx"),
                        ("segmenter", "data/model/segmenter.json")):
        md5 = next(out["md5"] for out in stages[stage]["outs"] if out["path"] == name)
        paths.append(ROOT / ".dvc/cache/files/md5" / md5[:2] / md5[2:])
    return tuple(paths) if all(path.exists() for path in paths) else None


def _rescore(rows: list[dict], recipes: list[str]) -> list[dict]:
    """The recipes' recorded experiments, their outside cells read again by the present
    code. A run whose model this repository does not hold keeps the cells that no re-scored
    run changed; the others are left empty, as not measured with the present code."""
    import shutil
    import sys
    import tempfile

    sys.path.insert(0, str(ROOT / "stages"))
    from digits import loaded, segment
    from evaluate import robustness

    commit = _git("rev-parse", "--short=7", "HEAD").strip()
    changed, missing, reread = set(), [], 0
    for row in rows:
        if row["recipe"] not in recipes or not row["where"].startswith("dvc exp "):
            continue
        experiment = row["where"].split(",")[0].split()[2]
        cached = _cached_outs(experiment)
        if cached is None:
            missing.append((row, experiment))
            continue
        with tempfile.TemporaryDirectory() as tmp:  # loaded models go by their suffix
            path = Path(tmp) / "model.onnx"
            shutil.copy(cached[0], path)
            scores = robustness(loaded.load_model(path), segment.Segmenter.load(cached[1]),
                                ROOT / "data/outside")
        for metric, (name, key) in OUTSIDE.items():
            if str(scores[name][key]) != row[metric]:
                changed.add(metric)
            row[metric] = scores[name][key]
        row["where"] = (f"dvc exp {experiment}, outside sets re-scored on {commit} with its "
                        f"own segmenter")
        reread += 1
        print(experiment, {metric: row[metric] for metric in OUTSIDE})
    if missing and not reread:  # what the new code changes is then unknown
        print("the DVC cache holds none of these runs' models and segmenters: their rows are "
              "left as they were")
        missing = []
    for row, experiment in missing:
        for metric in changed:
            row[metric] = ""
        row["where"] = (f"dvc exp {experiment}, not re-scored on {commit} (its model or "
                        f"segmenter was not in the DVC cache): "
                        f"{', '.join(sorted(changed)) or 'nothing'} left out")
        print(experiment, "not re-scored: its model or segmenter is not in the DVC cache")
    with open(RUNS, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


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
            f"{cell('photos')} | {cell('penlift', 3)} | {cell('numbers', 3)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", metavar="CPU", help="add this workspace's run first")
    parser.add_argument("--exp", metavar="NAME", help="with --record: add this experiment's "
                        "run instead")
    parser.add_argument("--rescore", nargs="*", metavar="RECIPE", help="re-score the outside "
                        "sets of the recipes' recorded experiments first (main's: best)")
    args = parser.parse_args()
    if args.record:
        _record(args.record, args.exp)
    with open(RUNS, newline="") as f:
        rows = list(csv.DictReader(f))
    if args.rescore is not None:
        rows = _rescore(rows, args.rescore or ["best"])
    result = {"best": bands(rows, "best")}
    BANDS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(readme_row(result["best"]))


if __name__ == "__main__":
    main()
