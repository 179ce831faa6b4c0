import copy
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT
from digits import config


@pytest.fixture()
def raw():
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def test_main_params_are_valid(raw):
    cfg = config.parse(raw)
    assert cfg.recipe in config.RECIPES
    assert cfg.hyper is cfg.recipes[cfg.recipe]
    with pytest.raises(Exception):
        cfg.epochs = 3  # frozen


@pytest.mark.parametrize("change, key", [
    (lambda p: p.update(epochs=-1), "epochs"),
    (lambda p: p.update(epochs=2.5), "epochs"),
    (lambda p: p.update(recipe="resnet"), "recipe"),
    (lambda p: p.update(epohcs=3), "epohcs"),
    (lambda p: p["best"].update(lerning_rate=0.1), "best.lerning_rate"),
    (lambda p: p["fast"].pop("dropout"), "fast.dropout"),
    (lambda p: p["fast"].update(dropout=1.5), "fast.dropout"),
    (lambda p: p["reference"].update(optimizer="adamax"), "reference.optimizer"),
    (lambda p: p["augment"].update(noise_std="high"), "augment.noise_std"),
    (lambda p: p["augment"].update(small_probability=1.5), "augment.small_probability"),
    (lambda p: p["augment"].update(plain_fraction=1), "augment.plain_fraction"),
    (lambda p: p["best"].update(augment="yes"), "best.augment"),
    (lambda p: p["best"].update(train_on="all"), "best.train_on"),
    (lambda p: p["best"].update(precision="float16"), "best.precision"),
    (lambda p: p.pop("evaluate"), "evaluate"),
])
def test_bad_value_names_the_key(raw, change, key):
    bad = copy.deepcopy(raw)
    change(bad)
    with pytest.raises(config.ParamsError) as err:
        config.parse(bad)
    assert str(err.value).startswith(f"{key}:")


def test_stage_stops_with_one_line(raw, tmp_path):
    bad = copy.deepcopy(raw)
    bad["preprocess"]["val_size"] = -5
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(bad))
    done = subprocess.run([sys.executable, str(ROOT / "stages" / "preprocess.py")],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: params.yaml: preprocess.val_size: must be positive, got -5"]
    assert not (tmp_path / "data").exists()  # nothing half-written
