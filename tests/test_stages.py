"""The stage scripts' own logic and error paths, run in-process in a scratch folder."""

import dataclasses
import json
import os

import numpy as np
import pytest
import yaml

from conftest import ROOT, set_params
from digits import atomic, config, outside, sources
from digits.pool import Pool


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    """A scratch project folder holding this project's params.yaml, as the stages' cwd."""
    (tmp_path / "params.yaml").write_text((ROOT / "params.yaml").read_text())
    set_params(tmp_path, **{"download.cache_dir": str(tmp_path / "cache")})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _error_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]


def test_download_with_every_source_failing_stops_and_writes_nothing(workdir, monkeypatch,
                                                                      capsys):
    import download

    set_params(workdir, **{"download.local_file": str(workdir / "missing.npz")})
    for name in ("from_url", "from_hub"):
        monkeypatch.setattr(sources, name, lambda *a, n=name: (_ for _ in ()).throw(
            sources.SourceError(f"{n} unreachable")))
    with pytest.raises(SystemExit) as stop:
        download.main()
    assert stop.value.code == 1
    [error] = _error_lines(capsys)
    assert "missing.npz" in error and "from_hub unreachable" in error
    assert not (workdir / "data").exists()


@pytest.mark.parametrize("changes, message", [
    ({"preprocess.val_size": 60000}, "preprocess.val_size: must be below 60000"),
    ({"preprocess.train_subset": 55000}, "preprocess.train_subset: must be below 55000 "
                                         "(the training split), or 0 to keep it all"),
])
def test_preprocess_refuses_splits_that_cannot_be_made(workdir, mnist_npz, capsys, changes,
                                                       message):
    import preprocess

    (workdir / "data/raw").mkdir(parents=True)
    (workdir / "data/raw/mnist.npz").symlink_to(mnist_npz)
    set_params(workdir, **changes)
    with pytest.raises(SystemExit) as stop:
        preprocess.main()
    assert stop.value.code == 2
    assert _error_lines(capsys) == [f"error: params.yaml: {message}"]
    assert not (workdir / "data/prepared").exists()


def test_preprocess_keeps_a_stratified_subset(workdir, mnist_npz):
    import preprocess

    (workdir / "data/raw").mkdir(parents=True)
    (workdir / "data/raw/mnist.npz").symlink_to(mnist_npz)
    set_params(workdir, **{"preprocess.train_subset": 1000})
    preprocess.main()
    with np.load(workdir / "data/prepared/train.npz") as npz:
        counts = np.bincount(npz["y"], minlength=10)
        assert npz["x"].shape == (1000, 28, 28, 1)
    with np.load(workdir / "data/prepared/val.npz") as npz:
        assert len(npz["y"]) == 5000  # validation is not cut
    assert counts.sum() == 1000 and counts.min() >= 85  # every class keeps its share


def test_export_that_disagrees_with_keras_writes_nothing(workdir, pipeline, monkeypatch,
                                                          capsys):
    import export

    for name in ("data/model/model.keras", "data/prepared/test.npz"):
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).symlink_to(pipeline.path / name)
    monkeypatch.setattr(export, "TOLERANCE", -1.0)  # no gap is small enough
    with pytest.raises(SystemExit) as stop:
        export.main()
    assert stop.value.code == 1
    [error] = _error_lines(capsys)
    assert error.startswith("error: ONNX probabilities differ from Keras's by")
    assert sorted(os.listdir(workdir / "data/model")) == ["model.keras"]  # no temporary left


def test_the_checkpoint_fingerprint_follows_settings_data_and_code(workdir):
    import train

    prepared = workdir / "data/prepared"
    prepared.mkdir(parents=True)
    for split in ("train", "val"):
        np.savez(prepared / f"{split}.npz", x=np.zeros((4, 28, 28, 1), np.uint8))
    cfg = dataclasses.replace(config.load(), recipe="best")
    base = train.fingerprint(cfg)
    other = dataclasses.replace(cfg.recipes["fast"], learning_rate=0.5)
    unrelated = [
        dataclasses.replace(cfg, threads=1),
        dataclasses.replace(cfg, evaluate=dataclasses.replace(cfg.evaluate, ece_bins=3)),
        dataclasses.replace(cfg, download=dataclasses.replace(cfg.download, timeout_seconds=9)),
        dataclasses.replace(cfg, recipes={**cfg.recipes, "fast": other}),
    ]
    assert all(train.fingerprint(c) == base for c in unrelated)
    mine = dataclasses.replace(cfg.hyper, learning_rate=0.5)
    related = [
        dataclasses.replace(cfg, epochs=cfg.epochs + 1),
        dataclasses.replace(cfg, seed=cfg.seed + 1),
        dataclasses.replace(cfg, recipes={**cfg.recipes, "best": mine}),
        dataclasses.replace(cfg, augment=dataclasses.replace(cfg.augment, noise_std=0.5)),
    ]
    assert len({base, *(train.fingerprint(c) for c in related)}) == 1 + len(related)
    np.savez(prepared / "val.npz", x=np.ones((4, 28, 28, 1), np.uint8))
    assert train.fingerprint(cfg) != base


def test_an_output_is_written_whole_or_not_at_all(tmp_path):
    path = tmp_path / "out" / "metrics.json"
    atomic.write_json(path, {"accuracy": 0.5})
    with pytest.raises(RuntimeError):
        with atomic.target(path) as tmp:
            tmp.write_text('{"accuracy": 0.9')  # half-written when the stage fails
            raise RuntimeError("the stage failed")
    assert json.loads(path.read_text()) == {"accuracy": 0.5}
    assert os.listdir(path.parent) == ["metrics.json"]
    assert path.stat().st_mode & 0o777 == 0o644
    atomic.save_npz(tmp_path / "a.npz", x=np.arange(3))
    with np.load(tmp_path / "a.npz") as npz:
        assert npz["x"].tolist() == [0, 1, 2]


def test_outside_pictures_on_every_core_come_back_in_order(mnist):
    from conftest import digit_on_paper

    pictures = [np.round(digit_on_paper(d) * 255).astype(np.uint8)
                for d in mnist["x_test"][:6]]
    pictures.insert(3, np.full((80, 80), 200, np.uint8))  # blank: no digit
    serial = outside.to_model_input(pictures)
    with Pool(2, start_after=0) as pool:
        spread = outside.to_model_input(pictures, pool)
        assert pool._executor is not None  # the workers did the work
    assert serial[1].tolist() == [True] * 3 + [False] + [True] * 3
    np.testing.assert_array_equal(serial[0], spread[0])
    np.testing.assert_array_equal(serial[1], spread[1])
    assert spread[0].shape == (7, 28, 28, 1)


def test_params_yaml_names_every_stage_parameter_dvc_tracks():
    # A key a stage lists under `params:` that params.yaml lacks would fail `dvc repro`.
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    for stage in stages.values():
        for key in stage.get("params", []):
            node = raw
            for part in key.split("."):
                assert part in node, key
                node = node[part]


def test_the_workers_start_only_for_work_that_pays_for_them():
    with Pool(2) as pool:
        assert pool.map(abs, [-3, 2, -1]) == [3, 2, 1]  # microseconds: done here
        assert pool._executor is None
