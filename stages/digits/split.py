"""The validation split: seeded, stratified, carved from the 60,000 training digits."""

import numpy as np


def stratified_split(labels: np.ndarray, val_size: int, seed: int):
    """Splits indices so that every class keeps its share in both parts.

    Args:
        labels: (N,) class labels.
        val_size: how many indices go to validation.
        seed: the same seed gives the same split.

    Returns:
        (train_idx, val_idx), each sorted.
    """
    if not 0 < val_size < len(labels):
        raise ValueError(f"val_size must lie between 0 and {len(labels)}, got {val_size}")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    # Largest-remainder rounding: per-class quotas that sum to exactly val_size.
    exact = counts * val_size / len(labels)
    quota = np.floor(exact).astype(int)
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[: val_size - quota.sum()]] += 1
    val = [rng.permutation(np.flatnonzero(labels == c))[:q] for c, q in zip(classes, quota)]
    val_idx = np.sort(np.concatenate(val))
    train_idx = np.setdiff1d(np.arange(len(labels)), val_idx)
    return train_idx, val_idx


def class_counts(labels: np.ndarray, num_classes: int = 10) -> list[int]:
    return np.bincount(labels, minlength=num_classes).tolist()
