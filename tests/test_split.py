import numpy as np
import pytest

from digits.split import class_counts, stratified_split


def test_split_is_stratified_seeded_and_disjoint():
    labels = np.repeat(np.arange(10), np.arange(100, 200, 10))  # unequal classes
    train, val = stratified_split(labels, 290, seed=3)
    assert len(val) == 290 and len(train) == len(labels) - 290
    assert not set(train) & set(val)
    share = np.bincount(labels[val], minlength=10) / np.bincount(labels, minlength=10)
    assert np.all(np.abs(share - 290 / len(labels)) < 0.01)
    again, _ = stratified_split(labels, 290, seed=3)
    other, _ = stratified_split(labels, 290, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_split_rejects_impossible_sizes():
    with pytest.raises(ValueError):
        stratified_split(np.zeros(10, int), 10, seed=0)


def test_class_counts():
    assert class_counts(np.array([0, 0, 9])) == [2, 0, 0, 0, 0, 0, 0, 0, 0, 1]
