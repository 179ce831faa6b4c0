"""Shared fixtures: verified MNIST from the project's own download code (and cache), and this
project's pipeline run once per session with a tiny configuration, by the real `dvc` CLI in a
real git repository. Tests that change the pipeline work on their own copy of it (`repo`), so
any test runs alone, in any order, or beside the others on another worker."""

import dataclasses
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml

from digits import atomic

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BIN = Path(sys.executable).parent
# The stages run as a user runs them: with TensorFlow's own logging settings, not the tests'.
ENV = dict({k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"},
           PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", DVC_NO_ANALYTICS="1",
           GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.com",
           GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.com")
# Seconds, not minutes: 8,000 training digits, a narrow network, two epochs, 20 photos; one
# thread per training, as the tests run on two workers.
TINY = {"recipe": "keras-example", "epochs": 2, "batch_size": 32,
        "preprocess.val_size": 1000, "preprocess.train_subset": 8000,
        "keras-example.width": 8, "evaluate.photo_count": 20,
        "evaluate.penlift_count": 20, "evaluate.number_count": 10,
        "evaluate.segmenter_numbers": 60, "threads": 1}


def bench_module(name: str):
    """A script of bench/ imported as a module, for its functions."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def _build(repo: Path, mnist_npz: Path, cache: Path) -> str:
    """This project's files (committed or not, as git sees them) in a fresh git repository
    at `repo`, with the tiny configuration; `dvc repro` run and its results committed."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    set_params(repo, **TINY, **{"download.local_file": str(mnist_npz),
                                "download.cache_dir": str(cache)})
    run(repo, "git", "init", "-q", "-b", "main")
    commit(repo, "tiny configuration")
    log = run(repo, "dvc", "repro")
    commit(repo, "tiny run")
    return log


def _shared_folder(tmp_path_factory, worker_id) -> Path:
    shared = tmp_path_factory.getbasetemp()
    return shared.parent if worker_id != "master" else shared  # xdist: one for all workers


def _ensure_built(shared: Path, mnist_npz: Path):
    """Builds the pipeline under `shared` unless a test process already has; waits for a
    build in progress."""
    from filelock import FileLock

    repo, log = shared / "pipeline", shared / "pipeline.log"
    with FileLock(str(shared / "pipeline.lock")):
        if not log.exists():
            shutil.rmtree(repo, ignore_errors=True)  # a build that failed before
            repo.mkdir()
            atomic.write_text(log, _build(repo, mnist_npz, shared / "download-cache"))


@pytest.fixture(scope="session", autouse=True)
def _build_early(request, tmp_path_factory, worker_id):
    """Starts building the pipeline at once, beside the first tests, when any test collected
    will need it: its ~40 s then overlap with the unit tests instead of stalling a worker."""
    if not any("pipeline" in item.fixturenames for item in request.session.items):
        yield
        return
    shared = _shared_folder(tmp_path_factory, worker_id)
    builder = threading.Thread(target=_ensure_built, name="pipeline build",
                               args=(shared, request.getfixturevalue("mnist_npz")))
    builder.start()
    yield
    builder.join()


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, mnist_npz, worker_id) -> Built:
    """The tiny pipeline, built once per test run (with `-n N`, once for all workers)."""
    shared = _shared_folder(tmp_path_factory, worker_id)
    _ensure_built(shared, mnist_npz)  # raises here if the early build failed
    return Built(shared / "pipeline", (shared / "pipeline.log").read_text())


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


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle
def pytest_collection_modifyitems(config, items):
    """On xdist workers (`make test`: `-n 2`), the tests that need the pipeline go last, in
    their shuffled order: the workers run unit tests while one of them builds it. Run
    serially, the order stays wholly random (`-p randomly`, the default)."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: "pipeline" in item.fixturenames)  # stable


def cut_as_written(grey: np.ndarray, expected: list, close: float = 0.85) -> list[int] | None:
    """A path through a number's candidate digits (`candidates.lattice`) whose candidates are,
    in order, like the `expected` MNIST digits (correlation over `close`; None: any), or None
    when the candidates hold no such reading."""
    from digits import candidates

    found, digits = candidates.lattice(grey)
    like = [[want is None or np.corrcoef(d.ravel().astype(float), want.ravel().astype(float))
             [0, 1] > close for want in expected] for d in digits]
    paths = {(0, 0): []}  # (pieces used, digits read) -> the candidates taken
    for m in np.argsort(found.spans[:, 0], kind="stable"):  # from the left
        first, last = found.spans[m]
        for (used, read), path in list(paths.items()):
            if used == first and read < len(expected) and like[m][read]:
                paths.setdefault((last + 1, read + 1), path + [int(m)])
    return paths.get((found.pieces, len(expected)))
