"""Shared fixtures: verified MNIST from the project's own download code (and cache), and this
project's pipeline run once per session with a tiny configuration, by the real `dvc` CLI in a
real git repository. Tests that change the pipeline work on their own copy of it (`repo`), so
any test runs alone, in any order, or beside the others on another worker."""

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", DVC_NO_ANALYTICS="1",
           GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.com",
           GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.com")
# Seconds, not minutes: 8,000 training digits, a narrow network, two epochs, 20 photos.
TINY = {"recipe": "keras-example", "epochs": 2, "batch_size": 32,
        "preprocess.val_size": 1000, "preprocess.train_subset": 8000,
        "keras-example.width": 8, "evaluate.photo_count": 20}


def run(cwd, *cmd, check=True) -> str:
    """Runs a command as a user would; its stdout and stderr together."""
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def set_params(repo: Path, **changes):
    """Edits `params.yaml` like `dvc exp run -S` would: {"a.b": value}."""
    params = yaml.safe_load((repo / "params.yaml").read_text())
    for dotted, value in changes.items():
        *parents, key = dotted.split(".")
        node = params
        for parent in parents:
            node = node[parent]
        node[key] = value
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def commit(repo: Path, message: str):
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", message)


@pytest.fixture(scope="session")
def mnist_npz(tmp_path_factory) -> Path:
    """Keras-style mnist.npz, fetched like the download stage does (cache shared with it)."""
    from digits import config, sources

    cfg = config.load(ROOT / "params.yaml").download
    arrays = sources.fetch(None, cfg.cache_dir, cfg.timeout_seconds)
    path = tmp_path_factory.mktemp("mnist") / "mnist.npz"
    np.savez(path, **arrays)
    return path


@pytest.fixture(scope="session")
def mnist(mnist_npz) -> dict:
    with np.load(mnist_npz) as npz:
        return {k: npz[k] for k in npz.files}


@dataclasses.dataclass(frozen=True)
class Built:
    path: Path  # the repository; read it, never change it (use `repo`)
    log: str  # what the first `dvc repro` printed


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, mnist_npz) -> Built:
    """This project's files (committed or not, as git sees them) in a fresh git repository,
    with the tiny configuration, `dvc repro` run and its results committed."""
    repo = tmp_path_factory.mktemp("project")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    set_params(repo, **TINY, **{"download.local_file": str(mnist_npz),
                                "download.cache_dir": str(tmp_path_factory.mktemp("cache"))})
    run(repo, "git", "init", "-q", "-b", "main")
    commit(repo, "tiny configuration")
    log = run(repo, "dvc", "repro")
    commit(repo, "tiny run")
    return Built(repo, log)


@pytest.fixture()
def repo(pipeline, tmp_path) -> Path:
    """A copy of the built pipeline (git history, DVC cache and workspace) for one test."""
    copy = tmp_path / "project"
    shutil.copytree(pipeline.path, copy, symlinks=True)
    return copy


@pytest.fixture(scope="session")
def tiny_model(pipeline) -> Path:
    """The pipeline's model (~95% on MNIST); its ONNX export lies beside it."""
    return pipeline.path / "data/model/model.keras"


def digit_on_paper(digit: np.ndarray, scale: int = 8, paper: float = 0.9,
                   ink: float = 0.15) -> np.ndarray:
    """An MNIST digit drawn dark on light, `scale` times larger, with a margin."""
    import cv2

    big = cv2.resize(digit.astype(np.float32) / 255, None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_CUBIC)
    big = np.pad(np.clip(big, 0, 1), 6 * scale)
    return paper - (paper - ink) * big
