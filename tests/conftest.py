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


@pytest.fixture(scope="session")
def tiny_model(mnist, tmp_path_factory) -> Path:
    """A small model trained for one epoch (~97% on MNIST), saved as .keras and .onnx."""
    import keras

    from digits import models, training

    training.setup_runtime(seed=0, threads=0)
    model = models.make_model("keras-example", width=16, dropout=0.25)
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    x, y = mnist["x_train"][..., None], training.one_hot(mnist["y_train"])
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    directory = tmp_path_factory.mktemp("model")
    model.save(directory / "model.keras")
    model.export(str(directory / "model.onnx"), format="onnx", verbose=False)
    keras.backend.clear_session()
    return directory / "model.keras"


def digit_on_paper(digit: np.ndarray, scale: int = 8, paper: float = 0.9,
                   ink: float = 0.15) -> np.ndarray:
    """An MNIST digit drawn dark on light, `scale` times larger, with a margin."""
    import cv2

    big = cv2.resize(digit.astype(np.float32) / 255, None, fx=scale, fy=scale,
                     interpolation=cv2.INTER_CUBIC)
    big = np.pad(np.clip(big, 0, 1), 6 * scale)
    return paper - (paper - ink) * big
