"""Handwriting as people write it: digits with pen lifts and numbers made of them, on the
hand-made pictures in tests/handwritten/ (real image files; draw.py says how they were
made) and on the generated pen-lift digits and numbers."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from conftest import cut_as_written, digit_on_paper
from digits import candidates, imageprep, numbers, penlift, reader, scoring

HANDWRITTEN = Path(__file__).parent / "handwritten"
LIFTED = sorted(p.name for p in (HANDWRITTEN / "joined").glob("*.png"))


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1])


def _seen(path: Path) -> np.ndarray:
    return imageprep.to_mnist(imageprep.read_image(path))


@pytest.mark.parametrize("name", LIFTED)
def test_a_digit_written_with_a_pen_lift_keeps_every_stroke(name):
    # The same strokes with the gap closed must come out the same; the 4 kept as its L
    # alone (what was read as a 6 at 0.998) is far from it.
    lifted, joined = _seen(HANDWRITTEN / name), _seen(HANDWRITTEN / "joined" / name)
    assert _similarity(lifted, joined) > 0.9


def test_the_open_four_without_its_upright_is_not_what_is_seen():
    # The check above can fail: the L alone, drawn by itself, is far from the whole 4.
    grey = imageprep.read_image(HANDWRITTEN / "4-open-4-two-strokes.png")
    l_only = grey.copy()
    ys, xs = np.nonzero(grey < 0.5)
    l_only[:, xs.max() - 14:] = grey.max()  # the upright erased
    assert _similarity(imageprep.to_mnist(l_only), _seen(HANDWRITTEN / "joined" /
                                                          "4-open-4-two-strokes.png")) < 0.8


def _singles() -> dict:
    # Each digit as the numbers draw it (draw.NUMBERS); other shapes are drawn alone only.
    spec = importlib.util.spec_from_file_location("draw", HANDWRITTEN / "draw.py")
    draw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(draw)
    in_numbers = {name for names in draw.NUMBERS.values() for name in names}
    return {digit: _seen(HANDWRITTEN / f"{digit}-{name}.png")
            for name, (digit, _) in draw.DIGITS.items() if name in in_numbers}


@pytest.mark.parametrize("text", ["9241", "743", "1259"])
def test_a_number_of_pen_lift_digits_is_cut_into_its_digits_whole(text):
    # Among the candidates, a reading with each digit whole: the 9 with its stem, the 4's L
    # with its upright, the 1 with its flag (the 2 is drawn only within numbers: any).
    singles = _singles()
    grey = imageprep.read_image(HANDWRITTEN / f"number-{text}.png")
    assert cut_as_written(grey, [singles.get(int(d)) for d in text])


def test_a_bar_a_neighbours_width_away_is_not_part_of_the_digit(mnist):
    # Beside a digit, another number's 1 a third of the digit's height away is left out.
    clean = np.pad(digit_on_paper(mnist["x_test"][6]), ((0, 0), (120, 0)), constant_values=0.9)
    barred = clean.copy()
    ys, xs = np.nonzero(clean < 0.5)
    gap = (ys.max() - ys.min()) // 3
    barred[ys.min():ys.max() + 1, xs.min() - gap - 16:xs.min() - gap] = 0.15
    assert _similarity(imageprep.to_mnist(barred), imageprep.to_mnist(clean)) > 0.95


def test_pen_lifts_cut_gaps_and_nothing_else(mnist):
    rng = np.random.default_rng(0)
    for digit in mnist["x_test"][:20]:
        whole = penlift.trace(digit)
        lifted = penlift.cut(whole, rng, cuts=2)
        assert not (lifted & ~whole).any()  # only ink taken away
        removed = (whole & ~lifted).sum()
        assert 0 < removed < 0.3 * whole.sum()


def test_training_digits_cut_at_their_own_size_lose_a_little_ink_and_repeat(mnist):
    x = mnist["x_train"][:40, ..., None]
    cut = penlift.cut_set(x, seed=4)
    assert cut.shape == x.shape and cut.dtype == np.uint8
    assert (cut <= x).all()  # ink taken away, none added
    lost = 1 - cut.sum(axis=(1, 2, 3)) / x.sum(axis=(1, 2, 3))
    assert (lost > 0.02).all() and lost.max() < 0.4
    # Seeded per digit: the same digits in another order, or a few alone, get the same cuts.
    np.testing.assert_array_equal(penlift.cut_set(x[:5], seed=4), cut[:5])
    assert not np.array_equal(penlift.cut_set(x[:5], seed=5), cut[:5])


def test_pen_lift_pictures_pair_up_and_repeat_from_their_seed(mnist):
    x, y = mnist["x_test"][:30], mnist["y_test"][:30]
    lifted, whole, labels = penlift.render_set(x, y, 10, seed=3)
    again = penlift.render_set(x, y, 10, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(lifted, again[0]))
    assert all(a.shape == b.shape for a, b in zip(lifted, whole))  # the same paper
    assert sum(not np.array_equal(a, b) for a, b in zip(lifted, whole)) >= 9
    assert set(labels) <= set(y)


def test_composed_numbers_have_their_digits_in_order(mnist):
    pictures, texts = numbers.render_set(mnist["x_test"][:200], mnist["y_test"][:200], 20, 5)
    assert all(2 <= len(t) <= 8 for t in texts) and len(set(texts)) == 20
    widths = [p.shape[1] / p.shape[0] for p in pictures]
    lengths = [len(t) for t in texts]
    assert np.corrcoef(widths, lengths)[0, 1] > 0.8  # more digits, a wider picture


def test_numbers_have_pen_lifts_in_the_share_asked_for(mnist):
    x, y = mnist["x_test"][:200], mnist["y_test"][:200]
    for seed in range(5):  # one number: the same digits drawn whatever the share
        (text,), (whole,) = numbers.render_set(x, y, 1, seed, owners=True, lifted_share=0)[1:]
        _, (again,), (lifted,) = numbers.render_set(x, y, 1, seed, owners=True, lifted_share=1)
        assert again == text
        last = len(text)  # written last, so none of its ink is under another digit's
        assert 0 < (lifted == last).sum() < (whole == last).sum()  # a stroke cut away


def test_numbers_are_read_exactly_or_not_at_all():
    result = scoring.exact_numbers(["12", "", "345", "9"], ["12", "7", "345", "8"])
    assert result == {"n": 4, "exact": 0.5, "no_digit": 1}


def test_the_grouping_picture_shows_each_digit_in_its_own_colour():
    grey = imageprep.read_image(HANDWRITTEN / "number-9241.png")
    singles = _singles()
    path = cut_as_written(grey, [singles.get(int(d)) for d in "9241"])
    lattice, _ = candidates.lattice(grey)
    found, parts = lattice.labels > 0, [lattice.mask(m) for m in path]
    assert len(parts) == 4 and all((part <= found).all() for part in parts)
    picture = reader.grouping_picture(found, parts)
    colours = {tuple(c) for c in picture.reshape(-1, 3)}
    assert set(reader.PALETTE[:4]) <= colours and tuple(reader.PALETTE[4]) not in colours
    four = imageprep.grouping(imageprep.read_image(HANDWRITTEN / "4-open-4-two-strokes.png"))
    assert len(four[1]) == 1 and (four[1][0] == four[0]).all()  # both strokes kept, one digit
