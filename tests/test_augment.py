import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from conftest import ROOT
from digits import augment, config

AUG = config.load(ROOT / "params.yaml").augment
OFF = dataclasses.replace(AUG, rotation_degrees=0, shear_degrees=0, scale=0, translate=0,
                          elastic_alpha=0, stroke_probability=0, blur_probability=0,
                          noise_std=0)


@pytest.fixture(scope="module")
def digits(mnist):
    return tf.constant(mnist["x_train"][:64, ..., None].astype("float32"))


def _run(x, cfg, seed=(1, 2)):
    return augment.augment_batch(x, tf.constant(seed, tf.int64), cfg).numpy()


def test_everything_off_is_the_identity(digits):
    np.testing.assert_array_equal(_run(digits, OFF), digits.numpy())


def test_same_seed_same_batch_other_seed_other_batch(digits):
    a, b, c = _run(digits, AUG), _run(digits, AUG), _run(digits, AUG, seed=(1, 3))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).mean() > 1
    assert a.min() >= 0 and a.max() <= 255 and a.shape == digits.shape


def test_translation_moves_the_centre_of_mass(digits):
    moved = _run(digits, dataclasses.replace(OFF, translate=0.2))
    cols = np.arange(28)
    com = lambda x: (x.sum(axis=(1, 3)) * cols).sum(1) / x.sum(axis=(1, 2, 3))  # noqa: E731
    assert np.abs(com(moved) - com(digits.numpy())).mean() > 1.0


def test_stroke_changes_make_ink_thicker_and_thinner(digits):
    out = _run(digits, dataclasses.replace(OFF, stroke_probability=1.0))
    ink_before, ink_after = digits.numpy().sum(axis=(1, 2, 3)), out.sum(axis=(1, 2, 3))
    assert (ink_after > ink_before * 1.05).any() and (ink_after < ink_before * 0.95).any()
