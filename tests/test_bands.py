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


def test_a_rescored_run_is_read_with_its_own_model_and_segmenter(tmp_path, monkeypatch):
    """The split, and so the segmenter, follows the seed: each experiment's own, from its
    dvc.lock, and none where the DVC cache lacks either."""
    bands = bench_module("bands")
    monkeypatch.setattr(bands, "ROOT", tmp_path)
    md5 = {"data/model/model.onnx": "a" * 32, "data/model/segmenter.json": "b" * 32}
    lock = {"stages": {stage: {"outs": [{"path": path, "md5": md5[path]}]} for stage, path in
                       (("export", "data/model/model.onnx"),
                        ("segmenter", "data/model/segmenter.json"))}}
    (tmp_path / "dvc.lock").write_text(json.dumps(lock))
    for args in (("init", "-q"), ("add", "dvc.lock"),
                 ("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "run")):
        bands._git(*args)
    bands._git("update-ref", "refs/exps/ab/cdef/seed-one", "HEAD")
    cached = [tmp_path / ".dvc/cache/files/md5" / h[:2] / h[2:] for h in md5.values()]
    for path in cached:
        path.parent.mkdir(parents=True)
        path.write_text("x")
    assert bands._cached_outs("seed-one") == tuple(cached)
    assert bands._cached_outs("another") is None
    cached[1].unlink()
    assert bands._cached_outs("seed-one") is None
