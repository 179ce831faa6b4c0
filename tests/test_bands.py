"""The bands of main's figures: bench/bands.json is what bench/bands.py makes of
bench/runs.csv, README shows exactly it, and `make repro`'s summary judges by it."""

import csv
import json

from conftest import ROOT, bench_module


def test_bands_file_is_made_from_the_recorded_runs_and_readme_shows_it():
    bands = bench_module("bands")
    with open(bands.RUNS, newline="") as f:
        rows = list(csv.DictReader(f))
    stored = json.loads(bands.BANDS.read_text())
    assert stored["best"] == json.loads(json.dumps(bands.bands(rows, "best")))
    assert bands.readme_row(stored["best"]) in (ROOT / "README.md").read_text()


def test_the_summary_says_within_or_outside_the_band():
    reproduced = bench_module("reproduced")
    band = {key: {"mean": 0.5, "min": 0.4, "max": 0.6, "runs": 3}
            for key in reproduced.HEADLINES}
    metrics = {"accuracy": 0.45, "loss": 0.7,
               "outside": {"sklearn_digits": {"accuracy": 0.6},
                           "photos": {"accuracy": 0.39}, "penlift": {"accuracy": 0.5},
                           "numbers": {"exact": 0.61}}}
    lines = reproduced.summary(metrics, metrics, band)
    verdicts = [line.endswith("within the band") for line in lines[1:]]
    assert verdicts == [True, False, True, False, True, False]
