"""Numbers read by recognition: the candidates a number is cut into, the path chosen through
them, the segmenter's weights, and the boxes given back on the picture."""

import json

import cv2
import numpy as np
import pytest

from conftest import bench_module, cut_as_written, digit_on_paper
from digits import candidates, imageprep, lattices, numbers, outside, segment


@pytest.fixture(scope="module")
def digits(mnist):
    return mnist["x_test"][:40]


def _number(digits_, gap: int) -> np.ndarray:
    row = np.concatenate([np.pad(d, ((0, 0), (0, gap))) for d in digits_], axis=1)
    return digit_on_paper(row, scale=6)


def _seen(digit: np.ndarray) -> np.ndarray:
    return imageprep.to_mnist(digit_on_paper(digit))


def test_a_number_is_cut_into_its_digits_left_to_right(digits):
    assert cut_as_written(_number(digits[:4], gap=4), [_seen(d) for d in digits[:4]])
    # ...and the check can fail: the digits in another order are not a reading of it.
    assert cut_as_written(_number(digits[:4], gap=4),
                          [_seen(d) for d in digits[[1, 0, 2, 3]]]) is None


def test_neighbours_a_hair_apart_are_two_digits(mnist):
    zero = mnist["x_test"][np.flatnonzero(mnist["y_test"] == 0)[0]]
    row = np.maximum(np.pad(zero, ((0, 0), (0, 20))), np.pad(zero, ((0, 0), (18, 2))))
    assert cut_as_written(digit_on_paper(row, scale=6), [_seen(zero)] * 2)


def test_two_zeros_written_touching_are_cut_apart(mnist):
    """Where two zeros touch, their sides make the columns of most ink: the columns of least
    ink lie inside each zero, so a component two digits wide needs more than two cuts for
    one to fall between them (BENCHMARKS.md, "Cuts every 0.2 row heights")."""
    zero = mnist["x_test"][np.flatnonzero(mnist["y_test"] == 0)[2]]
    ink = np.flatnonzero(zero.any(axis=0))
    shift = ink.max() - ink.min() - 1  # the second zero's ink starts 2 columns into the first's
    row = np.maximum(np.pad(zero, ((0, 0), (0, shift))), np.pad(zero, ((0, 0), (shift, 0))))
    grey = digit_on_paper(row, scale=6)
    assert len(imageprep.components(imageprep.binarize_placed(grey)[0])[1]) == 1  # touching
    assert cut_as_written(grey, [_seen(zero)] * 2)


@pytest.mark.parametrize("overlap", [3, 5])
def test_a_digit_overlapping_its_neighbour_is_also_read_with_what_its_cut_sliced_off(
        mnist, monkeypatch, overlap):
    """A 4 and a 7 whose ink overlaps by a few columns: no column cut gives both whole, but
    each candidate is also read with the ink across its cut, and that reading holds them."""
    four, seven = (mnist["x_test"][np.flatnonzero(mnist["y_test"] == d)[1]] for d in (4, 7))
    shift = np.flatnonzero(four.any(axis=0)).max() + 1 - overlap - np.flatnonzero(
        seven.any(axis=0)).min()
    row = np.maximum(np.pad(four, ((0, 0), (0, shift + 2))), np.pad(seven, ((0, 0), (shift, 2))))
    grey = digit_on_paper(row, scale=6)
    assert len(imageprep.components(imageprep.binarize_placed(grey)[0])[1]) == 1  # overlapping
    assert cut_as_written(grey, [_seen(four), _seen(seven)])
    monkeypatch.setattr(candidates, "BORROW", 0.0)  # the column cuts alone
    assert cut_as_written(grey, [_seen(four), _seen(seven)]) is None


def test_a_flat_stroke_read_as_a_number_gives_candidates_without_error():
    grey = np.full((100, 400), 0.9, np.float32)
    grey[50:52, 100:300] = 0.1
    found, digits = candidates.lattice(grey)
    assert len(digits) == len(found.spans) >= 1 and digits.shape[1:] == (28, 28)


def _composed(mnist, n=12, seed=4):
    x, y = mnist["x_test"][:300], mnist["y_test"][:300]
    return numbers.render_set(x, y, n, seed, owners=True)


def test_each_written_digit_is_one_candidate_and_no_candidate_holds_two(mnist):
    pictures, texts, owners = _composed(mnist)
    found_all, x, whole = outside.numbers_to_lattices(pictures, owners=owners)
    assert len(x) == len(whole) == sum(len(f.spans) for f in found_all)
    assert whole.sum() >= 0.9 * sum(len(t) for t in texts)  # 98.8% on 600 training numbers
    cut = np.concatenate([f.features[:, lattices.FEATURES.index("cut_left")] for f in found_all])
    assert (cut[whole] > 0).any()  # touching neighbours, cut through their ink
    at = 0
    for found, text in zip(found_all, texts):
        mine = whole[at:at + len(found.spans)]
        at += len(found.spans)
        spans = np.unique(found.spans[mine], axis=0)  # a span cut through ink is read twice
        assert len(spans) <= len(text)
        covered = np.zeros(found.pieces, int)
        for first, last in spans:
            covered[first:last + 1] += 1
        assert covered.max() <= 1  # the whole digits never share a piece


def _ink_boxes(digits_, gap: int, scale: int, left: int, top: int):
    """Where each digit's ink lies once the row of digits is drawn `scale`× from (left, top)."""
    boxes = []
    for k, digit in enumerate(digits_):
        ys, xs = np.nonzero(digit > 127)
        boxes.append(((left + (k * (28 + gap) + xs.min()) * scale), top + ys.min() * scale,
                      (np.ptp(xs) + 1) * scale, (np.ptp(ys) + 1) * scale))
    return np.array(boxes, float)


@pytest.mark.parametrize("where", ["filling the picture", "cut at its ink", "small on a page"])
def test_boxes_lie_on_the_digits_in_the_picture(digits, where):
    row = np.concatenate([np.pad(d, ((0, 0), (0, 4))) for d in digits[:4]], axis=1)
    if where == "filling the picture":
        grey, scale, left, top = digit_on_paper(row, scale=6), 6, 36, 36
    elif where == "cut at its ink":  # given paper above and below first (`imageprep._framed`)
        ys = np.flatnonzero(row.max(axis=1) > 127)
        scale, left, top = 6, 36, -6 * ys[0]
        grey = digit_on_paper(row, scale=6)[36 - top:36 + 6 * (ys[-1] + 1)]
    else:  # found and cropped to first (`imageprep._zoom`): the boxes must undo that too
        grey = np.full((1200, 1600), 0.85, np.float32)
        scale, left, top = 2, 300, 700  # the row a sixth of the page wide
        ink = cv2.resize(row.astype(np.float32) / 255, None, fx=scale, fy=scale,
                         interpolation=cv2.INTER_CUBIC)
        grey[top:top + ink.shape[0], left:left + ink.shape[1]] *= 1 - 0.8 * np.clip(ink, 0, 1)
    path = cut_as_written(grey, [_seen(d) for d in digits[:4]], close=0.8)
    assert path is not None
    found, _ = candidates.lattice(grey)
    expected = _ink_boxes(digits[:4], 4, scale, left, top)
    np.testing.assert_allclose(found.boxes[path], expected, atol=2.5 * scale)


def _lattice_of_three():
    """Three pieces: every single one, both pairs and all three as candidates."""
    spans = np.array([(0, 0), (1, 1), (2, 2), (0, 1), (1, 2), (0, 2)])
    return lattices.Lattice(3, spans, np.zeros((6, len(lattices.FEATURES)), np.float32),
                            np.zeros((6, lattices.SHAPE ** 2), np.uint8))


def test_the_path_weighs_the_models_answers_against_the_shape():
    found = _lattice_of_three()
    sure = np.full((6, 10), 0.001)
    sure[np.arange(6), [1, 1, 7, 4, 3, 8]] = 0.991  # confident on everything, fragments too
    singles = np.array([0.9, 0.9, 0.9, 0.05, 0.05, 0.01])
    assert segment.best_path(found, sure, singles) == [0, 1, 2]
    pair_first = np.array([0.05, 0.05, 0.9, 0.9, 0.05, 0.01])
    assert segment.best_path(found, sure, pair_first) == [3, 2]
    # With the shape left out, one confident candidate beats three equally confident ones.
    assert segment.best_path(found, sure, singles, segment.Weights(0.0, 0.0)) == [5]
    # A reward per digit read tips it back.
    assert segment.best_path(found, sure, singles, segment.Weights(0.0, -1.0)) == [0, 1, 2]


def test_numbers_are_read_along_their_paths_or_not_at_all():
    found = _lattice_of_three()
    probs = np.full((6, 10), 0.001)
    probs[np.arange(6), [1, 2, 3, 4, 5, 6]] = 0.991

    class Singles:  # the segmenter's interface: whole single pieces, no pairs
        def one_digit(self, features, shapes):
            return np.array([0.9, 0.9, 0.9, 0.01, 0.01, 0.01])

    read = segment.read_numbers([found, None, found], np.concatenate([probs, probs]),
                                Singles())
    assert read == ["123", "", "123"]


def test_lattices_survive_packing_for_storage(mnist):
    pictures, _, _ = _composed(mnist, n=4)
    found, _, _ = outside.numbers_to_lattices(pictures)
    again = lattices.unpack(lattices.pack([found[0], None, *found[1:]]))
    assert again[1] is None
    for a, b in zip(found, [again[0], *again[2:]]):
        assert a.pieces == b.pieces
        np.testing.assert_array_equal(a.spans, b.spans)
        np.testing.assert_array_equal(a.features, b.features)
        np.testing.assert_array_equal(a.shapes, b.shapes)


def test_a_candidates_shape_is_its_mnist_form_averaged_over_two_by_two_blocks():
    digits = np.zeros((2, 28, 28, 1), np.uint8)
    digits[0, :2, :2] = 255
    digits[1, 26:, 26:], digits[1, 0, 0] = 100, 3
    shapes = lattices.shapes(digits)
    assert shapes.shape == (2, lattices.SHAPE ** 2) and shapes.dtype == np.uint8
    assert shapes[0, 0] == 255 and not shapes[0, 1:].any()
    assert shapes[1, -1] == 100 and shapes[1, 0] == 1 and not shapes[1, 1:-1].any()


def test_the_segmenter_round_trips_through_json_and_refuses_other_features(tmp_path):
    rng = np.random.default_rng(0)
    n, k = len(lattices.FEATURES), lattices.SHAPE ** 2
    fitted = segment.Segmenter(rng.normal(size=n), rng.uniform(0.5, 2, n),
                               rng.normal(size=(n + k, 4)), rng.normal(size=4),
                               rng.normal(size=4), 0.3)
    (tmp_path / "s.json").write_text(fitted.to_json())
    features, shapes = rng.normal(size=(5, n)), rng.integers(0, 256, (5, k), np.uint8)
    p = segment.Segmenter.load(tmp_path / "s.json").one_digit(features, shapes)
    np.testing.assert_allclose(p, fitted.one_digit(features, shapes), atol=1e-5)
    assert ((0 < p) & (p < 1)).all()
    for key, changed in (("features", lambda f: f[:-1]), ("shape", lambda _: 7)):
        other = json.loads(fitted.to_json())
        other[key] = changed(other[key])
        (tmp_path / "old.json").write_text(json.dumps(other))
        with pytest.raises(ValueError, match="other features"):
            segment.Segmenter.load(tmp_path / "old.json")


def test_a_reading_is_flagged_where_the_model_or_the_segmenter_doubts_it():
    chosen = np.full((3, 10), 0.001)
    chosen[np.arange(3), [4, 1, 7]] = [0.999, 0.6, 0.999]
    flags = segment.uncertain(chosen, np.array([0.95, 0.95, 0.2]), threshold=0.99)
    assert flags.tolist() == [False, True, True]  # sure; an unsure answer; a likely fragment


def test_a_picture_holds_one_digit_unless_it_reads_surely_as_several_or_is_too_wide():
    found = _lattice_of_three()
    probs = np.full((6, 10), 0.001)
    probs[np.arange(6), [1, 1, 7, 4, 3, 8]] = 0.995
    whole = np.array([0.9, 0.9, 0.9, 0.05, 0.05, 0.9])
    assert segment.holds_one_digit(found, [5], probs, whole, threshold=0.99)
    assert not segment.holds_one_digit(found, [0, 1, 2], probs, whole, threshold=0.99)
    # Two strokes of one digit, one of them read in doubt: still one digit.
    doubtful = whole.copy()
    doubtful[1] = 0.2
    assert segment.holds_one_digit(found, [0, 1, 2], probs, doubtful, threshold=0.99)
    # No candidate spans all three pieces: too wide for one digit, however it reads.
    narrow = lattices.Lattice(3, found.spans[:5], found.features[:5], found.shapes[:5])
    assert not segment.holds_one_digit(narrow, [3, 2], probs, doubtful, threshold=0.99)


def test_wrong_readings_are_told_apart_by_cause():
    # bench/handwriting.py: the model's share of the errors against the segmentation's
    causes = bench_module("handwriting").causes
    texts = ["12", "345", "67", "890", "11"]
    perfect = ["12", "845", "67", "890", "11"]  # cut as written: only "345" misread
    read = ["12", "845", "6", "8900", "17"]
    assert causes(read, perfect, texts) == {
        "a digit misread where cut right": 1, "too few digits": 1, "too many digits": 1,
        "as many, cut elsewhere": 1}
