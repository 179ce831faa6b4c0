"""The real `dvc` CLI on a real git repository: a copy of this project with a tiny
configuration (a narrow network, one or a few epochs), run end to end."""

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", DVC_NO_ANALYTICS="1",
           GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.com",
           GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.com",
           TF_CPP_MIN_LOG_LEVEL="2")


def run(cwd, *cmd, check=True) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def set_params(repo: Path, **changes):
    params = yaml.safe_load((repo / "params.yaml").read_text())
    for dotted, value in changes.items():
        *parents, key = dotted.split("__")
        node = params
        for parent in parents:
            node = node[parent]
        node[key] = value
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def repo(tmp_path_factory, mnist_npz) -> Path:
    """This project's files (committed or not, as git sees them) in a fresh git repository."""
    repo = tmp_path_factory.mktemp("project")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    set_params(repo, recipe="keras-example", epochs=1, batch_size=256,
               download__local_file=str(mnist_npz),
               download__cache_dir=str(tmp_path_factory.mktemp("cache")),
               preprocess__val_size=1000, **{"keras-example__width": 8},
               evaluate__photo_count=200)
    run(repo, "git", "init", "-q", "-b", "main")
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "tiny configuration")
    return repo


def commit(repo: Path, message: str):
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", message)


def test_repro_end_to_end_then_nothing_to_do(repo):
    out = run(repo, "dvc", "repro")
    for stage in ("download", "preprocess", "train", "evaluate"):
        assert f"Running stage '{stage}'" in out
    metrics = read_json(repo / "reports/metrics.json")
    assert 0.8 < metrics["accuracy"] <= 1 and metrics["loss"] > 0 and 0 <= metrics["ece"] < 1
    assert set(metrics["per_class"]) == {str(d) for d in range(10)}
    for png in ("training_curves", "confusion_matrix", "misclassified", "reliability"):
        assert (repo / f"reports/plots/{png}.png").stat().st_size > 1000
    assert read_json(repo / "reports/training.json")["epochs"] == 1
    assert "up to date" in run(repo, "dvc", "status")
    assert "Running stage" not in run(repo, "dvc", "repro")
    commit(repo, "tiny run")


def test_an_evaluate_parameter_reruns_only_evaluate(repo):
    set_params(repo, evaluate__misclassified_shown=12)
    out = run(repo, "dvc", "repro")
    assert "Running stage 'evaluate'" in out
    assert "Running stage 'train'" not in out and "Running stage 'preprocess'" not in out
    commit(repo, "fewer misclassified digits shown")


def test_a_change_to_reading_photos_does_not_retrain(repo):
    prep = repo / "stages/digits/imageprep.py"
    prep.write_text(prep.read_text() + "\n# an edit to the photo path\n")
    try:
        changed = run(repo, "dvc", "status")
        assert "evaluate:" in changed and "export:" in changed
        assert "train:" not in changed
    finally:
        run(repo, "git", "checkout", "--", "stages/digits/imageprep.py")
    assert "up to date" in run(repo, "dvc", "status")


def test_two_runs_give_identical_metrics(repo):
    before = (repo / "reports/metrics.json").read_bytes()
    run(repo, "dvc", "repro", "-f")
    assert (repo / "reports/metrics.json").read_bytes() == before
    assert (repo / "reports/predictions.csv").read_bytes() == \
        run(repo, "git", "show", "HEAD:reports/predictions.csv").encode()


def test_push_then_a_fresh_clone_pulls_without_retraining(repo, tmp_path):
    run(repo, "dvc", "remote", "add", "-d", "shared", str(tmp_path / "remote"))
    run(repo, "dvc", "push")
    commit(repo, "shared remote")
    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(repo), str(clone))
    run(clone, "dvc", "pull")
    assert "up to date" in run(clone, "dvc", "status")
    assert "Running stage" not in run(clone, "dvc", "repro")
    assert (clone / "data/model/model.keras").exists()


def test_exp_run_trains_the_epochs_it_is_given(repo):
    out = run(repo, "dvc", "exp", "run", "-S", "epochs=2", "-n", "two-epochs")
    assert "Epoch 2/2" in out
    assert read_json(repo / "reports/training.json")["epochs"] == 2
    table = run(repo, "dvc", "exp", "show", "--csv")
    assert "two-epochs" in table
    run(repo, "git", "checkout", "--", ".")
    run(repo, "dvc", "checkout", "--force")


def test_the_final_fit_on_train_and_val_has_no_validation_figures(repo):
    run(repo, "dvc", "repro")
    held_out = read_json(repo / "reports/training.json")
    assert held_out["train_size"] == 59_000 and "best_val_accuracy" in held_out
    run(repo, "dvc", "exp", "run", "-S", "keras-example.train_on=train+val", "-n", "refit")
    refit = read_json(repo / "reports/training.json")
    assert refit["train_size"] == 60_000
    assert not any(key.startswith(("best_val", "final_val")) for key in refit)
    assert not (repo / "reports/train/plots/metrics/eval").exists()
    assert "accuracy" in read_json(repo / "reports/metrics.json")
    run(repo, "git", "checkout", "--", ".")
    run(repo, "dvc", "checkout", "--force")


def test_metrics_diff_between_branches(repo):
    run(repo, "git", "checkout", "-q", "-b", "other-seed")
    set_params(repo, seed=1)
    run(repo, "dvc", "repro")
    commit(repo, "seed 1")
    diff = json.loads(run(repo, "dvc", "metrics", "diff", "main", "other-seed", "--json"))
    assert "accuracy" in diff["reports/metrics.json"]
    run(repo, "git", "checkout", "-q", "main")
    run(repo, "dvc", "checkout", "--force")


def _wait_for_epoch(repo: Path, proc, epoch: int, timeout: float = 300):
    state = repo / "data/checkpoints/state.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state.exists():
            s = json.loads(state.read_text())
            if not s["complete"] and s["epoch"] >= epoch:
                return
        assert proc.poll() is None, "dvc repro ended before it could be killed"
        time.sleep(0.1)
    raise AssertionError("no checkpoint appeared")


def test_killed_run_resumes_to_the_same_result(repo):
    set_params(repo, epochs=3)
    proc = subprocess.Popen(["dvc", "repro"], cwd=repo, env=ENV, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_epoch(repo, proc, 1)
    os.killpg(proc.pid, signal.SIGKILL)  # like a power cut: no clean-up runs
    proc.wait()
    out = run(repo, "dvc", "repro")
    assert "train: resuming after epoch" in out and "Epoch 1/3" not in out
    resumed = (repo / "reports/metrics.json").read_bytes()
    history = json.loads((repo / "data/checkpoints/state.json").read_text())["history"]
    assert len(history) == 3
    run(repo, "dvc", "repro", "-f")  # the same settings, unbroken
    assert (repo / "reports/metrics.json").read_bytes() == resumed


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
