"""Digits from outside MNIST, read through the same preprocessing as predict.py."""

from pathlib import Path

import numpy as np

from digits import candidates, imageprep, photos, scoring
from digits.pool import Pool


def _grey(picture: np.ndarray) -> np.ndarray:
    return picture.astype(np.float32) / 255 if picture.dtype == np.uint8 else picture


def _mnist_or_none(picture: np.ndarray) -> np.ndarray | None:
    try:
        return imageprep.to_mnist(_grey(picture))
    except imageprep.NoDigit:
        return None


def to_model_input(pictures, pool: Pool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-form digits (N, 28, 28, 1) and a mask of the pictures where one was found.

    Args:
        pictures: (H, W) grey pictures, uint8 or 0..1.
        pool: spreads the pictures over the cores (in order); one core without it.
    """
    digits = (pool or Pool(1)).map(_mnist_or_none, pictures)
    blank = np.zeros((28, 28), np.uint8)
    x = np.stack([blank if d is None else d for d in digits])[..., None]
    return x, np.array([d is not None for d in digits])


def _lattice_or_none(job):
    picture, owners = job
    try:
        found, digits = candidates.lattice(_grey(picture))
    except imageprep.NoDigit:
        return None, np.zeros((0, 28, 28), np.uint8), np.zeros(0, bool)
    whole = candidates.truth(found, owners) if owners is not None else np.zeros(0, bool)
    found.labels = found.boxes = None  # what `predict.py` shows
    return found, digits, whole


def numbers_to_lattices(pictures, pool: Pool | None = None, owners=None):
    """Each number's candidate digits (`candidates.lattice`), for the model to read.

    Args:
        pictures: (H, W) grey pictures of numbers, uint8 or 0..1.
        pool: spreads the pictures over the cores (in order); one core without it.
        owners: for composed numbers, the digit of each pixel's ink
            (`numbers.render_set(owners=True)`): then each candidate is labelled.

    Returns:
        (lattices, None where no digit was found; x (M, 28, 28, 1) uint8, one lattice's
        candidates after another; whole (M,) whether each is one whole digit, all False
        without `owners`).
    """
    jobs = list(zip(pictures, owners if owners is not None else [None] * len(pictures)))
    done = (pool or Pool(1)).map(_lattice_or_none, jobs)
    x = np.concatenate([digits for _, digits, _ in done])[..., None]
    return [found for found, _, _ in done], x, np.concatenate([w for _, _, w in done])


def score(predict, pictures, labels, workers: int | None = None) -> dict:
    """Accuracy of `predict` on pictures; a picture where no digit is found counts as wrong.

    Args:
        predict: (B, 28, 28, 1) uint8 -> (B, 10) probabilities.
        pictures: (H, W) grey pictures, uint8 or 0..1.
        labels: their digits.
        workers: processes for the preprocessing (every core by default; 1 where a caller
            patches module settings, which spawned workers would not see).
    """
    with Pool(workers) as pool:
        x, found = to_model_input(pictures, pool)
    return scoring.accuracy_where_found(predict(x), found, labels)


def sklearn_digits():
    """scikit-learn's 1,797 digits by 13 writers (8×8, 0..16), as grey pictures."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return [image / 16.0 for image in data.images], data.target


def photo_set(x: np.ndarray, y: np.ndarray, n: int, seed: int, without=()):
    """Photo-like renderings of `n` of the digits (x, y): uint8 pictures and their labels."""
    return photos.render_set(x, y, n, seed, without)


def image_folder(directory: Path):
    """Pictures laid out as DIR/<label>/<file>, in a fixed order."""
    greys, labels = [], []
    for label_dir in sorted(p for p in Path(directory).iterdir() if p.is_dir()):
        if not label_dir.name.isdigit():
            continue
        for path in sorted(label_dir.rglob("*")):
            if path.suffix.lower() in imageprep.IMAGE_SUFFIXES and path.is_file():
                greys.append(imageprep.read_image(path))
                labels.append(int(label_dir.name))
    return greys, np.array(labels)


def npz_set(path: Path):
    """Arrays `x` (N×H×W uint8, either polarity, any size) and `y`."""
    with np.load(path, allow_pickle=False) as npz:
        x, y = npz["x"], npz["y"]
    return [imageprep.as_grey(image) for image in x], y
