import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from conftest import ROOT
from digits import augment, blocks, config, imageprep

AUG = config.load(ROOT / "params.yaml").augment
OFF = dataclasses.replace(AUG, rotation_degrees=0, shear_degrees=0, scale=0, translate=0,
                          elastic_alpha=0, stroke_probability=0, blur_probability=0,
                          noise_std=0, small_probability=0, sixteen_probability=0,
                          lift_probability=0)


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


def test_the_elastic_field_is_enlarged_as_a_bicubic_resize_would():
    field = tf.random.stateless_normal([3, 5, 5, 2], (4, 2))
    resized = tf.image.resize(field, [28, 28], method="bicubic").numpy()
    up = augment._bicubic_matrix(5)
    np.testing.assert_allclose(np.einsum("hi,bijk,wj->bhwk", up, field.numpy(), up), resized,
                               atol=1e-5)


def test_stroke_changes_make_ink_thicker_and_thinner(digits):
    out = _run(digits, dataclasses.replace(OFF, stroke_probability=1.0))
    ink_before, ink_after = digits.numpy().sum(axis=(1, 2, 3)), out.sum(axis=(1, 2, 3))
    assert (ink_after > ink_before * 1.05).any() and (ink_after < ink_before * 0.95).any()


def test_pen_lift_gaps_only_take_ink_away_from_the_digits_they_touch(digits):
    x = digits.numpy()
    out = _run(digits, dataclasses.replace(OFF, lift_probability=1.0))
    assert (out <= x + 1e-4).all()  # ink erased, none added
    erased = (x - out).sum(axis=(1, 2, 3)) / 255
    assert (erased > 1).all()  # every digit has a gap of a few pixels' ink...
    share = erased / (x.sum(axis=(1, 2, 3)) / 255)
    assert share.max() < 0.5 and share.mean() < 0.15  # ...and keeps most of its ink
    others = _run(digits, dataclasses.replace(AUG, lift_probability=0.5))
    np.testing.assert_array_equal(others, _run(digits, dataclasses.replace(AUG,
                                                                            lift_probability=0.5)))


def test_block_counts_stretch_the_box_as_nist_did(digits):
    # Every digit fills all 8 rows and 5 or 6 columns of 8, a 1 as much as an 8: the box is
    # stretched to 20×32, not fitted (scikit-learn's load_digits has the same fingerprint).
    small = np.stack([blocks.block_counts(d, 0.2) for d in digits.numpy()])
    assert small.shape == (64, 8, 8) and small.min() >= 0 and small.max() <= 1
    assert (small > 0).any(axis=2).all()
    columns = (small > 0).any(axis=1).sum(axis=1)
    assert set(columns) <= {5, 6}
    # A lower threshold draws heavier strokes.
    assert small.sum() > np.stack([blocks.block_counts(d, 0.5) for d in digits.numpy()]).sum()


def test_small_views_are_block_counts_read_back(digits):
    x = digits.numpy()
    out = _run(digits, dataclasses.replace(OFF, small_probability=1.0))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    assert (np.abs(out - x).mean(axis=(1, 2, 3)) > 5).all()  # every digit was replaced
    # ...by the prediction preprocessing's reading of its 8×8 block counts, at a level
    # drawn from blocks.LEVELS: a reading at 0.2 and one at 0.5 bracket each view's ink.
    read = lambda level: np.stack([  # noqa: E731
        imageprep.to_mnist(blocks.block_counts(d, level)) for d in x]).astype("float32")
    ink = out.sum(axis=(1, 2, 3))
    heavy, light = read(0.2).sum(axis=(1, 2)), read(0.5).sum(axis=(1, 2))
    assert (np.minimum(heavy, light) * 0.9 <= ink).mean() > 0.9
    assert (ink <= np.maximum(heavy, light) * 1.1).mean() > 0.9
    half = _run(digits, dataclasses.replace(OFF, small_probability=0.5))
    untouched = (half == x).all(axis=(1, 2, 3))
    assert 10 < untouched.sum() < 54


def test_sixteen_scans_fill_the_square_when_stretched(mnist):
    one = mnist["x_train"][mnist["y_train"] == 1][0]
    stretched = blocks.sixteen_scan(one, stretch=True, level=None)
    kept = blocks.sixteen_scan(one, stretch=False, level=None)
    for scan, edges in ((stretched, 4), (kept, 2)):  # kept: a 1 touches the top and bottom only
        touched = [scan[0].any(), scan[-1].any(), scan[:, 0].any(), scan[:, -1].any()]
        assert sum(touched) == edges
    assert len(np.unique(stretched)) > 2
    assert set(np.unique(blocks.sixteen_scan(one, stretch=True, level=0.5))) == {0.0, 1.0}


def test_sixteen_views_are_stretched_scans_read_back(digits):
    x = digits.numpy()
    out = _run(digits, dataclasses.replace(OFF, sixteen_probability=1.0))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    assert (np.abs(out - x).mean(axis=(1, 2, 3)) > 5).all()  # every digit was replaced

    def box(images):  # width over height of each image's ink
        inked = images[..., 0] > 60
        return inked.any(axis=1).sum(axis=1) / inked.any(axis=2).sum(axis=1)

    # A box filled at 16×16 comes back square, whatever the digit's own aspect (a 1's is ~0.3).
    assert box(x).min() < 0.5
    assert box(out).min() > 0.65 and abs(np.median(box(out)) - 1) < 0.1
    half = _run(digits, dataclasses.replace(OFF, sixteen_probability=0.5))
    untouched = (half == x).all(axis=(1, 2, 3))
    assert 10 < untouched.sum() < 54


def test_round_trip_keeps_a_blank_digit():
    blank = np.zeros((2, 28, 28, 1), np.float32)
    out = blocks.round_trip(blank, np.array([0.2, 0.5]), np.array([True, True]))
    np.testing.assert_array_equal(out, blank)
