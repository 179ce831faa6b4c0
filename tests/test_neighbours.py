import numpy as np

from digits import mnistform, neighbours, penlift


def test_the_neighbour_is_written_beside_at_the_gap_and_drop_asked_for():
    own, other = np.ones((10, 6), bool), np.ones((8, 4), bool)
    ink, mine = neighbours._placed(own, other, gap=-2, drop=1, right=True)
    assert ink.shape == (11, 8)  # 6 + 4 - 2 columns; its bottom one row lower
    np.testing.assert_array_equal(np.flatnonzero(mine.any(axis=0)), np.arange(6))
    np.testing.assert_array_equal(np.flatnonzero((ink & ~mine).any(axis=0)), [4, 5, 6, 7])
    assert np.flatnonzero(ink[:, 7]).tolist() == list(range(3, 11))
    left, mine_left = neighbours._placed(own, other, gap=-2, drop=1, right=False)
    np.testing.assert_array_equal(left, ink[:, ::-1])  # on the left: the mirror image
    np.testing.assert_array_equal(mine_left, mine[:, ::-1])


def _ink_share(copy: np.ndarray, digit: np.ndarray) -> float:
    """The copy's ink against the digit's own, alone, brought to MNIST form the same way."""
    alone = neighbours._to_mnist(penlift.trace(digit))
    return float((copy > 127).sum() / max(1, (alone > 127).sum()))


def test_digits_apart_come_back_as_they_are_and_touching_ones_cut_in_mnist_form(mnist):
    x = mnist["x_train"][:400, ..., None]
    rows = neighbours.row_set(x, seed=0)
    np.testing.assert_array_equal(rows, neighbours.row_set(x, seed=0))  # seeded
    changed = (rows != x).any(axis=(1, 2, 3))
    assert 0.1 < changed.mean() < 0.5  # only digits that touch their neighbour are cut
    assert (rows != neighbours.row_set(x, seed=1)).any(axis=(1, 2, 3)).mean() > 0.1
    for copy in rows[changed, ..., 0]:
        ys, xs = np.nonzero(copy)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 <= mnistform.SIDE - 4  # fitted in its box
        assert copy.max() == 255


def test_a_digit_cut_from_a_neighbour_keeps_most_of_its_own_ink(mnist):
    x = mnist["x_train"][:200]
    for i in range(len(x)):
        copy = neighbours.in_row((x[i], x[(i + 1) % len(x)], (0, i)))
        if (copy != x[i]).any():  # refitted to its box: the amount of ink, not the pixels
            assert 0.7 < _ink_share(copy, x[i]) < 1.6  # not blank, not two digits
