"""Digits from outside MNIST, read through the same preprocessing as predict.py."""

from pathlib import Path

import numpy as np

from digits import imageprep, photos


def to_model_input(greys) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-form digits (N, 28, 28, 1) and a mask of the pictures where one was found."""
    digits, found = [], []
    for grey in greys:
        try:
            digits.append(imageprep.to_mnist(grey))
            found.append(True)
        except imageprep.NoDigit:
            digits.append(np.zeros((28, 28), np.uint8))
            found.append(False)
    return np.stack(digits)[..., None], np.array(found)


def score(predict, greys, labels, batch: int = 500) -> dict:
    """Accuracy of `predict` on pictures; a picture where no digit is found counts as wrong.

    Args:
        predict: (B, 28, 28, 1) uint8 -> (B, 10) probabilities.
        greys: iterable of (H, W) grey pictures in 0..1.
        labels: their digits.
    """
    labels = np.asarray(labels)
    greys = list(greys)
    right, missed = 0, 0
    for i in range(0, len(greys), batch):
        x, found = to_model_input(greys[i:i + batch])
        guess = np.asarray(predict(x)).argmax(axis=1)
        right += int(np.sum((guess == labels[i:i + batch]) & found))
        missed += int(np.sum(~found))
    return {"n": len(labels), "accuracy": round(right / max(len(labels), 1), 6),
            "no_digit": missed}


def sklearn_digits():
    """scikit-learn's 1,797 digits by 13 writers (8×8, 0..16), as grey pictures."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return [image / 16.0 for image in data.images], data.target


def photo_set(x: np.ndarray, y: np.ndarray, n: int, seed: int, without=()):
    pictures, labels = photos.render_set(x, y, n, seed, without)
    return [p.astype(np.float32) / 255 for p in pictures], labels


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
