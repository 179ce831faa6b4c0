"""Prints the experiments of `dvc exp show` as one Markdown table, with each run's training
time as a ratio to the median `keras-example` run's.

    python bench/exp_table.py              # experiments on the current commit
    python bench/exp_table.py --rev REV    # experiments queued on commit REV (one batch)
    python bench/exp_table.py --all        # every experiment
"""

import argparse
import csv
import io
import statistics
import subprocess

COLUMNS = [("recipe", "recipe"), ("seed", "seed"), ("params.yaml:epochs", "epochs"),
           ("batch_size", "batch"), ("preprocess.val_size", "val size"),
           ("train_size", "trained on"), ("threads", "threads"), ("train_seconds", "train s"),
           ("seconds_per_epoch", "s/epoch"),
           ("best_val_accuracy", "best val acc"), ("accuracy", "test acc"),
           ("loss", "test loss"), ("ece", "ECE"),
           ("outside.sklearn_digits.accuracy", "sklearn digits"),
           ("outside.photos.accuracy", "photos"), ("outside.penlift.accuracy", "pen lifts"),
           ("outside.numbers.exact", "numbers")]


def experiments(show_all: bool, rev: str | None = None) -> list[dict]:
    cmd = ["dvc", "exp", "show", "--csv", "--no-pager"]
    cmd += ["-A"] if show_all else ["--rev", rev] if rev else []
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    header, *lines = list(csv.reader(io.StringIO(out)))
    rows = []
    for line in lines:
        row = {}
        for key, value in zip(header, line):
            row.setdefault(key, value)  # "epochs" is both a metric and a param: same value
        named = row["Experiment"] or row["rev"] == "main"  # not the workspace, old commits
        if named and row.get("train_seconds") not in (None, "", "!"):
            rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    kex = [float(r["train_seconds"]) for r in rows if r["recipe"] == "keras-example"]
    base = statistics.median(kex) if kex else None
    head = ["experiment"] + [title for _, title in COLUMNS] + ["time ratio"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in sorted(rows, key=lambda r: (r["recipe"], r["threads"], int(r["seed"]))):
        ratio = f"{float(r['train_seconds']) / base:.3f}" if base else "-"
        cells = [r["Experiment"] or r["rev"]] + [_fmt(r.get(key, "")) for key, _ in COLUMNS]
        lines.append("| " + " | ".join(cells + [ratio]) + " |")
    return "\n".join(lines)


def _fmt(value: str) -> str:
    if "." not in value:
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:.4f}" if number < 1 else f"{number:.1f}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--all", action="store_true")
    group.add_argument("--rev")
    args = parser.parse_args()
    print(table(experiments(args.all, args.rev)))
