"""The real `dvc` CLI on a real git repository: this project with a tiny configuration, run end
to end once per session (`pipeline`); a test that changes anything works on its own copy
(`repo`)."""

import ast
import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import yaml

from conftest import ENV, ROOT, TINY, commit, run, set_params

STAGES = ("download", "preprocess", "prepare_outside", "segmenter", "train", "export",
          "evaluate")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


def ran(log: str) -> set[str]:
    """The stages a `dvc repro` or `dvc exp run` log says it ran."""
    return {stage for stage in STAGES if f"Running stage '{stage}'" in log}


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_repro_runs_every_stage_then_has_nothing_to_do(pipeline):
    assert ran(pipeline.log) == set(STAGES)
    assert "oneDNN custom operations" not in pipeline.log  # TensorFlow's start-up notices
    assert "absl::InitializeLog" not in pipeline.log
    assert "Starting new session" not in pipeline.log  # the ONNX conversion's INFO lines
    assert "np.object" not in pipeline.log  # a notice for Keras's tf2onnx, not the user
    assert "Epoch 2/2" in pipeline.log  # Keras's own progress still shows
    assert "up to date" in run(pipeline.path, "dvc", "status")
    assert ran(run(pipeline.path, "dvc", "repro", "--dry")) == set()


def test_each_stage_writes_what_it_promises(pipeline):
    repo = pipeline.path
    with np.load(repo / "data/raw/mnist.npz") as raw:
        assert raw["x_train"].shape == (60000, 28, 28) and raw["y_test"].shape == (10000,)
    summary = read_json(repo / "reports/data_summary.json")
    assert summary["train"]["n"] == TINY["preprocess.train_subset"]
    assert summary["val"]["n"] == TINY["preprocess.val_size"] and summary["test"]["n"] == 10000
    for name, n in (("sklearn_digits", 1797), ("photos", TINY["evaluate.photo_count"]),
                    ("penlift", TINY["evaluate.penlift_count"]),
                    ("penlift_unbroken", TINY["evaluate.penlift_count"])):
        with np.load(repo / f"data/outside/{name}.npz") as npz:
            assert npz["x"].shape == (n, 28, 28, 1) and npz["x"].dtype == np.uint8
            assert npz["found"].shape == npz["y"].shape == (n,) and npz["found"].mean() > 0.9
    with np.load(repo / "data/outside/numbers.npz") as npz:
        n = TINY["evaluate.number_count"]
        assert npz["text"].shape == npz["candidates"].shape == npz["pieces"].shape == (n,)
        assert npz["x"].shape == (npz["candidates"].sum(), 28, 28, 1)
        assert npz["spans"].shape == (len(npz["x"]), 2)
        written = sum(len(t) for t in npz["text"])
        assert written <= npz["pieces"].sum() <= npz["candidates"].sum()
    segmenter = read_json(repo / "reports/segmenter.json")
    assert segmenter["train"]["numbers"] == TINY["evaluate.segmenter_numbers"]
    assert segmenter["val"]["auc"] > 0.8  # candidates of validation digits: learned, not luck
    assert read_json(repo / "data/model/segmenter.json")["features"]
    training = read_json(repo / "reports/training.json")
    assert training["epochs"] == 2 and training["train_size"] == 8000
    assert 0.8 < training["final_val_accuracy"] <= 1
    metrics = read_json(repo / "reports/metrics.json")
    assert 0.8 < metrics["accuracy"] <= 1 and metrics["loss"] > 0 and 0 <= metrics["ece"] < 1
    assert set(metrics["per_class"]) == {str(d) for d in range(10)}
    assert set(metrics["outside"]) == {"sklearn_digits", "photos", "penlift",
                                       "penlift_unbroken", "numbers"}
    assert 0 <= metrics["outside"]["numbers"]["exact"] <= 1
    assert metrics["outside"]["sklearn_digits"]["n"] == 1797
    assert 0.3 < metrics["outside"]["sklearn_digits"]["accuracy"] <= 1
    lines = (repo / "reports/predictions.csv").read_text().splitlines()
    assert lines[0] == "actual,predicted" and len(lines) == 10001
    for png in ("training_curves", "confusion_matrix", "misclassified", "reliability"):
        assert (repo / f"reports/plots/{png}.png").read_bytes()[:4] == b"\x89PNG"


def test_the_exported_onnx_file_matches_the_keras_model(pipeline):
    from digits import loaded

    with np.load(pipeline.path / "data/prepared/test.npz") as npz:
        x = npz["x"][:2000]
    keras_probs = loaded.load_model(pipeline.path / "data/model/model.keras")(x)
    onnx_probs = loaded.load_model(pipeline.path / "data/model/model.onnx")(x)
    assert np.abs(keras_probs - onnx_probs).max() < 1e-4


def test_the_same_model_exports_the_same_bytes(repo):
    before = md5(repo / "data/model/model.onnx")
    assert ran(run(repo, "dvc", "repro", "-f", "-s", "export")) == {"export"}
    assert md5(repo / "data/model/model.onnx") == before
    assert run(repo, "git", "status", "--porcelain") == ""  # dvc.lock unchanged


def test_an_evaluate_parameter_reruns_only_evaluate_and_metrics_diff_shows_it(repo):
    before = read_json(repo / "reports/metrics.json")
    run(repo, "git", "checkout", "-q", "-b", "fewer-bins")
    set_params(repo, **{"evaluate.ece_bins": 5})
    assert ran(run(repo, "dvc", "repro")) == {"evaluate"}
    after = read_json(repo / "reports/metrics.json")
    assert after["ece"] != before["ece"] and after["accuracy"] == before["accuracy"]
    commit(repo, "fewer bins")
    diff = json.loads(run(repo, "dvc", "metrics", "diff", "main", "fewer-bins", "--json"))
    changed = diff["reports/metrics.json"]
    assert changed["ece"]["old"] == before["ece"] and changed["ece"]["new"] == after["ece"]
    assert "accuracy" not in changed  # only what changed is shown


def test_preprocessing_code_never_retrains_and_the_model_never_reprocesses(repo):
    # `--dry` lists the stages whose own deps changed; test_exp_run_... runs a model change.
    prep = repo / "stages/digits/imageprep.py"
    prep.write_text(prep.read_text() + "\n# an edit to the picture preprocessing\n")
    assert ran(run(repo, "dvc", "repro", "--dry")) == {"prepare_outside", "segmenter"}
    run(repo, "git", "checkout", "--", "stages/digits/imageprep.py")
    set_params(repo, **{"keras-example.dropout": 0.3})
    assert ran(run(repo, "dvc", "repro", "--dry")) == {"train"}
    set_params(repo, **{"keras-example.dropout": 0.5, "evaluate.photo_seed": 7})
    assert ran(run(repo, "dvc", "repro", "--dry")) == {"prepare_outside", "segmenter"}


def test_push_then_a_fresh_clone_pulls_without_retraining(repo, tmp_path):
    run(repo, "dvc", "remote", "add", "-d", "shared", str(tmp_path / "remote"))
    run(repo, "dvc", "push")
    commit(repo, "shared remote")
    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(repo), str(clone))
    run(clone, "dvc", "pull")
    assert "up to date" in run(clone, "dvc", "status")
    assert ran(run(clone, "dvc", "repro")) == set()
    assert md5(clone / "data/model/model.keras") == md5(repo / "data/model/model.keras")


def test_exp_run_refits_on_train_and_val_for_the_epochs_it_is_given(repo):
    out = run(repo, "dvc", "exp", "run", "-S", "epochs=1", "-S", "batch_size=128",
              "-S", "keras-example.train_on=train+val", "-n", "refit")
    # A new model: exported and evaluated again, its outside sets not prepared again.
    assert ran(out) == {"train", "export", "evaluate"}, out
    refit = read_json(repo / "reports/training.json")
    assert refit["epochs"] == 1 and refit["train_size"] == 8000 + 1000
    losses = (repo / "reports/train/plots/metrics/train/loss.tsv").read_text().splitlines()
    assert len(losses) == 1 + 1  # DVCLive's header and one epoch
    assert not any(key.startswith(("best_val", "final_val")) for key in refit)
    assert not (repo / "reports/train/plots/metrics/eval").exists()
    assert "refit" in run(repo, "dvc", "exp", "show", "--csv")


def _wait_for_epoch(repo: Path, proc, epoch: int, timeout: float = 120):
    state = repo / "data/checkpoints/state.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state.exists():
            s = json.loads(state.read_text())
            if not s["complete"] and s["epoch"] >= epoch:
                return
        assert proc.poll() is None, "dvc repro ended before it could be killed"
        time.sleep(0.02)
    raise AssertionError("no checkpoint appeared")


def test_a_killed_run_resumes_to_the_unbroken_runs_result(repo, pipeline):
    proc = subprocess.Popen(["dvc", "repro", "-f", "-s", "train"], cwd=repo, env=ENV,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _wait_for_epoch(repo, proc, 1)
    os.killpg(proc.pid, signal.SIGKILL)  # like a power cut: no clean-up runs
    proc.wait()
    assert not (repo / "data/model/model.keras").exists()  # no half-written model either
    out = run(repo, "dvc", "repro", "train")
    assert "train: resuming after epoch 1" in out and "Epoch 1/2" not in out
    assert len(read_json(repo / "data/checkpoints/state.json")["history"]) == 2
    # The same weights as the session's unbroken run, so the same figures: resumable and
    # repeatable (the file's bytes differ only in the time it was saved).
    import keras

    resumed, unbroken = (keras.models.load_model(p / "data/model/model.keras").get_weights()
                         for p in (repo, pipeline.path))
    assert all(np.array_equal(a, b) for a, b in zip(resumed, unbroken, strict=True))


def _project_imports(path: Path) -> set[str]:
    """The `digits` modules a file imports when it is loaded (imports inside functions serve
    command-line uses, not the stage)."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module == "digits":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digits."):
            found.add(node.module.split(".")[1])
    return found


def test_each_stage_depends_on_exactly_the_code_it_runs():
    # A module missing from a stage's deps lets a change go unseen; one too many retrains
    # (or re-evaluates) for a change that cannot matter.
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert tuple(stages) == STAGES
    for name, stage in stages.items():
        script = ROOT / stage["cmd"].split()[1]
        runs, todo = set(), list(_project_imports(script))
        while todo:
            module = todo.pop()
            if module not in runs:
                runs.add(module)
                todo += _project_imports(ROOT / "stages/digits" / f"{module}.py")
        listed = {dep for dep in stage["deps"] if dep.startswith("stages/digits/")}
        assert listed == {f"stages/digits/{module}.py" for module in runs}, name
        assert script.relative_to(ROOT).as_posix() in stage["deps"], name


def test_the_canonical_onnx_form_ignores_node_order_and_invented_names(pipeline):
    import onnx

    from digits import onnx_names

    model = onnx.load(pipeline.path / "data/model/model.onnx")
    other = onnx.ModelProto.FromString(model.SerializeToString())
    nodes = [onnx.NodeProto.FromString(n.SerializeToString()) for n in other.graph.node]
    other.graph.ClearField("node")
    other.graph.node.extend(nodes[::-1])  # listed backwards, as a converter might
    rename = lambda name: name.replace("__", "__9")  # noqa: E731  other invented numbers
    for node in other.graph.node:
        node.name = rename(node.name)
        node.input[:] = [rename(n) for n in node.input]
        node.output[:] = [rename(n) for n in node.output]
    for value in [*other.graph.initializer, *other.graph.output]:
        value.name = rename(value.name)
    for value in [*other.graph.input, *other.graph.output]:  # the batch dimension's name
        for dim in value.type.tensor_type.shape.dim:
            if dim.HasField("dim_param"):
                dim.dim_param = rename(dim.dim_param)
    assert other.SerializeToString() != model.SerializeToString()
    assert (onnx_names.canonical(other).SerializeToString(deterministic=True)
            == onnx_names.canonical(model).SerializeToString(deterministic=True))
