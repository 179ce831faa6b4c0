"""Shared fixtures: verified MNIST from the project's own download code (and cache)."""

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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
