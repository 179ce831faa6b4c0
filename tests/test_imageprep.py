"""Each preprocessing step, on real image files written by the tests."""

import io
import os

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import digit_on_paper
from digits import candidates, imageprep, mnistform, photos


def _save(path, grey: np.ndarray, **kwargs):
    Image.fromarray(np.round(np.clip(grey, 0, 1) * 255).astype(np.uint8)).save(path, **kwargs)
    return path


def _seen(path, grey: np.ndarray) -> np.ndarray:
    """What the model would see of `grey`, written to the image file `path` and read back."""
    return imageprep.to_mnist(imageprep.read_image(_save(path, grey)))


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1])


def _similarity_up_to_a_shift(a: np.ndarray, b: np.ndarray) -> float:
    """The best similarity over shifts of up to 2 pixels: MNIST centred its digits by mass
    to the nearest pixel, the preprocessing to a fraction of one."""
    return max(_similarity(np.roll(a, (dy, dx), (0, 1)), b)
               for dy in range(-2, 3) for dx in range(-2, 3))


@pytest.fixture(scope="module")
def digits(mnist):
    return mnist["x_test"][:40]


def test_mnist_digits_saved_as_png_pass_through_unchanged(digits, tmp_path):
    for i, digit in enumerate(digits):
        Image.fromarray(digit).save(tmp_path / f"{i}.png")
        grey = imageprep.read_image(tmp_path / f"{i}.png")
        assert imageprep.is_mnist_form(grey)
        np.testing.assert_array_equal(imageprep.to_mnist(grey), digit)


def _ink_box(digit: np.ndarray) -> np.ndarray:
    """An MNIST digit cropped to the box of its ink (every pixel above zero), as float32."""
    ys, xs = np.nonzero(digit)
    return digit[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)


def _drawn_at(digit: np.ndarray, box: int, corner: bool = False) -> np.ndarray:
    """An MNIST digit redrawn light on black in a 28×28 frame, its ink box `box` pixels on
    the longer side: centred, or in the top-left corner."""
    ink = _ink_box(digit)
    scale = box / max(ink.shape)
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    ink = cv2.resize(ink, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    frame = np.zeros((28, 28), np.float32)
    y0, x0 = (1, 1) if corner else ((28 - size[1]) // 2, (28 - size[0]) // 2)
    frame[y0:y0 + size[1], x0:x0 + size[0]] = ink
    return np.clip(frame / 255, 0, 1)


def test_a_28x28_digit_drawn_smaller_larger_or_off_centre_is_fitted_again(digits, tmp_path):
    for i, digit in enumerate(digits[:10]):
        for box, corner in ((12, False), (24, False), (14, True)):
            frame = _drawn_at(digit, box, corner)
            assert not imageprep.is_mnist_form(frame)
            seen = _seen(tmp_path / f"{i}-{box}.png", frame)
            assert _similarity_up_to_a_shift(seen, digit) > 0.88, (i, box, corner)
            ys, xs = np.nonzero(seen > 25)
            assert max(np.ptp(ys), np.ptp(xs)) + 1 in (19, 20, 21)


def test_exif_orientation_is_applied(digits, tmp_path):
    upright = digit_on_paper(digits[0], scale=4)
    turned = Image.fromarray(np.round(upright * 255).astype(np.uint8)).transpose(
        Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    turned.save(tmp_path / "turned.jpg", exif=exif, quality=95)
    seen = imageprep.read_image(tmp_path / "turned.jpg")
    assert seen.shape == upright.shape
    assert _similarity(seen, upright) > 0.98


def test_polarity_either_way_gives_the_same_digit(digits, tmp_path):
    dark_on_light = digit_on_paper(digits[1])
    a = _seen(tmp_path / "a.png", dark_on_light)
    b = _seen(tmp_path / "b.png", 1 - dark_on_light)
    assert _similarity(a, b) > 0.97
    assert _similarity(a, digits[1]) > 0.8


def test_the_border_lean_takes_numpys_median_and_percentiles_to_the_bit():
    rng = np.random.default_rng(3)
    for k in range(300):  # sizes from a single pixel up, ties in a third of them
        grey = rng.random((int(rng.integers(1, 40)), int(rng.integers(1, 40)))).astype(np.float32)
        if k % 3 == 0:
            grey = np.round(grey * 2) / 2
        border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
        ground, (low, high) = float(np.median(border)), np.percentile(grey, [1, 99])
        expected = ((ground - low) - (high - ground)) / max(float(high - low), 1e-6)
        assert mnistform.border_lean(grey) == expected


def test_digits_filling_the_frame_keep_their_polarity_and_strokes(mnist):
    # Drawn big with little margin, their strokes are wider than the top-hat kernel and the
    # ink is as dense as the paper in places: the border decides polarity, and the strokes
    # must come out whole, not as outlines.
    for i in (93, 130, 209, 277):  # a 3, a 6, a 9 and an 8 that came out hollow or inverted
        digit = mnist["x_test"][i]
        big = cv2.resize(digit.astype(np.float32) / 255, (200, 200), interpolation=cv2.INTER_CUBIC)
        for grey in (np.clip(1 - 0.9 * big, 0, 1), np.clip(0.1 + 0.9 * big, 0, 1)):
            assert _similarity(imageprep.to_mnist(grey), digit) > 0.75, i


def test_a_small_image_mostly_ink_is_read_light_on_dark(tmp_path):
    # A fat 8×8 zero covers more than half the frame, so the median is ink, not ground.
    zero = np.array([[0, 6, 14, 16, 16, 14, 6, 0]] + [[6, 16, 16, 8, 8, 16, 16, 6]] * 6
                    + [[0, 6, 14, 16, 16, 14, 6, 0]], np.float32) / 16
    zero[3:5, 3:5] = 0
    assert np.median(zero) > 0.5
    out = _seen(tmp_path / "zero.png", zero)
    assert out[14, 14] < 60 and out[14, 4:10].max() > 200


def test_the_edge_of_a_tilted_table_below_the_digit_leaves_no_streak(digits, tmp_path):
    clean = digit_on_paper(digits[1])
    h, w = clean.shape
    yy, xx = np.mgrid[0:h, 0:w]
    tabled = np.where(yy > h - 20 - 0.1 * xx, 0.2, clean)  # a dark table, its edge tilted
    seen = _seen(tmp_path / "table.png", tabled)
    assert _similarity(seen, imageprep.to_mnist(clean)) > 0.95


def test_a_thin_tapering_band_above_the_digit_is_not_its_bar(digits, tmp_path):
    # What a tilted table edge leaves of itself once its straight part is erased as a line:
    # a wedge a third of a stroke wide at most, running past the digit. Near enough to join
    # as a lifted bar would, but not written with the digit's pen.
    for i in range(12):
        clean = digit_on_paper(digits[i])
        ys, xs = np.nonzero(clean < 0.5)
        top, left, right = ys.min(), xs.min(), xs.max()
        reach = right - left
        wedge = np.array([[left - 0.4 * reach, top - 14], [right + 0.2 * reach, top - 14],
                          [right + 0.2 * reach, top - 21]], np.int32)
        edged = clean.copy()
        cv2.fillPoly(edged, [wedge], 0.3)
        seen = _seen(tmp_path / f"{i}.png", edged)
        assert _similarity(seen, imageprep.to_mnist(clean)) > 0.95, i


def test_a_dark_object_at_the_frame_beside_the_digit_is_not_part_of_it(digits, tmp_path):
    # A table corner, a pen: dark, touching the frame, within reach of a digit that does
    # not touch it. Too wide for a bar, too tall for a streak: only the frame gives it away.
    for i in (3, 5, 7):
        clean = digit_on_paper(digits[i])
        ys, xs = np.nonzero(clean < 0.5)
        cornered = clean.copy()
        cornered[:ys.min() + (ys.max() - ys.min()) // 3, xs.max() + 6:xs.max() + 56] = 0.2
        seen = _seen(tmp_path / f"{i}.png", cornered)
        assert _similarity(seen, imageprep.to_mnist(clean)) > 0.95, i


def test_a_piece_of_table_along_the_frames_side_is_not_the_digit(digits, tmp_path):
    # A digit written small and faint low on a narrow picture; along its left side, a third
    # of the height of the table beyond the sheet (the rest of it erased as a straight line).
    # Too short to run along most of the side, it was chosen as the digit and read as a 1.
    for i in range(12):
        page = np.full((400, 140), 0.85, np.float32)
        page[300:380, 40:120] = digit_on_paper(digits[i], scale=2, paper=0.85, ink=0.45)
        edged = page.copy()
        edged[70:200, :18] = 0.25
        seen = _seen(tmp_path / f"{i}.png", edged)
        assert _similarity(seen, imageprep.to_mnist(page)) > 0.9, i


def test_a_piece_of_ruled_line_joined_to_the_digit_is_not_read_with_it(digits, tmp_path):
    # A ruled line, thin and broken up (too short a run to be erased as a line), touching the
    # digit's right side at half its height: it made a 0 a 2, a 9 a 2, a 1 an L.
    for i in range(12):
        page = digit_on_paper(digits[i], scale=4)
        right = 24 + 4 * int(np.nonzero(digits[i][12:16].max(axis=0) > 128)[0].max())
        lined = page.copy()
        lined[80:82, right - 8:-12] *= 0.5
        seen = _seen(tmp_path / f"{i}.png", lined)
        assert _similarity(seen, imageprep.to_mnist(page)) > 0.95, i


def test_noise_on_a_dark_table_beyond_the_sheet_is_no_stroke(digits, tmp_path):
    # A wide strip of dark table along the right side, wider than the closing that finds the
    # paper: its noise breaks into specks reaching from the top to the bottom, which passed
    # for a digit cut at its ink there; framed in paper, the table became the digit.
    rng = np.random.default_rng(0)
    for i in range(12):
        page = np.full((200, 400), 0.8, np.float32)
        page[40:160, 40:160] = digit_on_paper(digits[i], scale=3, paper=0.8, ink=0.2)
        tabled = page.copy()
        tabled[:, 330:] = 0.15
        clean, noisy = (np.clip(p + rng.normal(0, 0.04, p.shape), 0, 1) for p in (page, tabled))
        seen = _seen(tmp_path / f"{i}.png", noisy)
        assert _similarity(seen, _seen(tmp_path / f"clean{i}.png", clean)) > 0.9, i


def test_the_bar_of_a_five_reaching_far_past_its_body_is_kept(tmp_path):
    # A 5 whose bar, lifted apart from the downstroke, runs far to the right: it reads as the
    # same 5 with the bar attached, not as a body alone (a 6 or a 3 to the model).
    def five(bar_starts_at: int) -> np.ndarray:
        ink = np.zeros((300, 380), np.float32)
        cv2.line(ink, (100, 80), (95, 150), 1.0, 12)  # the downstroke
        cv2.ellipse(ink, (130, 190), (50, 45), 0, -120, 150, 1.0, 12)  # the bowl
        cv2.line(ink, (bar_starts_at, 72), (275, 64), 1.0, 12)  # the bar
        return 0.9 - 0.75 * cv2.GaussianBlur(ink, (0, 0), 1.5)

    attached, apart = (_seen(tmp_path / f"{x}.png", five(x)) for x in (100, 118))
    assert _similarity(apart, attached) > 0.9


def test_a_downstroke_ending_on_a_table_along_the_bottom_edge_is_kept(tmp_path):
    # The table joins the stroke to the frame's edge: the stroke is still no vertical line.
    def seven(table: bool) -> np.ndarray:
        ink = np.zeros((260, 300), np.float32)
        cv2.line(ink, (90, 70), (190, 70), 1.0, 14)
        cv2.line(ink, (190, 70), (185, 245), 1.0, 14)
        grey = 0.9 - 0.75 * cv2.GaussianBlur(ink, (0, 0), 1.5)
        if table:
            grey[235:] = np.minimum(grey[235:], 0.2)
        return grey

    clean, tabled = (_seen(tmp_path / f"{t}.png", seven(t)) for t in (False, True))
    assert _similarity(tabled, clean) > 0.9


def test_a_line_along_the_short_side_of_a_wide_picture_is_not_the_digit(digits, tmp_path):
    for i in (0, 2, 4):
        clean = digit_on_paper(digits[i], scale=4)
        h, w = clean.shape
        wide = np.full((2 * h, 3 * h), 0.9)
        wide[h // 2:h // 2 + h, h // 2:h // 2 + w] = clean
        H, W = wide.shape
        wide[int(0.1 * H):int(0.85 * H), int(0.8 * W):int(0.8 * W) + 6] = 0.25  # 75% of H
        seen = _seen(tmp_path / f"{i}.png", wide)
        assert _similarity(seen, imageprep.to_mnist(clean)) > 0.95, i


def test_a_dash_at_the_frame_with_nothing_else_is_read_as_it_is(tmp_path):
    # Streaks at the frame are set aside beside a digit; alone, the streak is what there is.
    grey = np.full((200, 200), 0.9, np.float32)
    grey[90:105, :60] = 0.1
    seen = _seen(tmp_path / "dash.png", grey)
    ys, xs = np.nonzero(seen > 128)
    assert np.ptp(xs) > 3 * np.ptp(ys)


def test_polarity_in_shadows_and_beside_tables(digits, tmp_path):
    # Photo renderings where the top-hats alone take the ink for light: the vote with the
    # departures from the local median reads them right. The negatives of two (light ink on a
    # dark board in the same light) lean to light ink by more than the margin: read so too.
    _assert_dark_ink_read(digits, tmp_path, ((1551, 31), (1864, 24), (2979, 19)),
                          negatives=((1551, 31), (2979, 19)))


def test_polarity_when_strokes_are_thick_or_shadows_cover_the_frame(digits, tmp_path):
    # Renderings where the top-hats and the median departures together still read the ink as
    # light; how much of the picture the strongest structures cover tips the vote, to near
    # even: dark ink, as photos of handwriting hold it.
    _assert_dark_ink_read(digits, tmp_path, ((3771, 11), (4019, 19), (4082, 2), (4115, 35)))


def test_dark_ink_where_the_vote_leans_to_light_by_less_than_the_margin(
        mnist, tmp_path, monkeypatch):
    # Thick strokes under shadows, whose vote lands between -1 and 0: without the margin
    # they read as light ink (and the digit comes out inverted), with it as dark.
    for seed in (1223, 1289, 1367):
        picture = photos.render(mnist["x_train"][seed], np.random.default_rng(seed)) / 255
        work = imageprep._working_copy(imageprep.read_image(_save(tmp_path / "p.png", picture)))
        assert imageprep.dark_ink(work), seed
        monkeypatch.setattr(imageprep, "LIGHT_INK_MARGIN", 0.0)
        assert not imageprep.dark_ink(work), seed
        monkeypatch.undo()


def _assert_dark_ink_read(digits, tmp_path, renderings, negatives=()):
    for seed, i in renderings:
        picture = photos.render(digits[i], np.random.default_rng(seed)) / 255
        grey = imageprep.read_image(_save(tmp_path / f"{seed}.png", picture))
        assert imageprep.dark_ink(imageprep._working_copy(grey)), seed
        if (seed, i) in negatives:
            assert not imageprep.dark_ink(imageprep._working_copy(1 - grey)), seed


def test_shadow_and_uneven_light_are_flattened(digits, tmp_path):
    clean = digit_on_paper(digits[2])
    h, w = clean.shape
    yy, xx = np.mgrid[0:h, 0:w]
    light = 1 - 0.5 * xx / w  # light falls off to the right
    light[(yy - h) ** 2 + xx ** 2 < (0.7 * h) ** 2] *= 0.55  # a shadow over the bottom left
    path = _save(tmp_path / "shadow.jpg", clean * light, quality=80)
    seen = imageprep.to_mnist(imageprep.read_image(path))
    assert _similarity(seen, imageprep.to_mnist(clean)) > 0.9


def test_a_shadow_round_the_digit_on_evenly_lit_paper_stays_paper(digits, tmp_path):
    # The frame's border all paper, a soft shadow around the digit away from it: measuring
    # stroke width on a global threshold took the shadow for one thick stroke, and a grey
    # closing that wide left the whole shadow as ink.
    for i in range(1, 7):
        clean = digit_on_paper(digits[i])
        h, w = clean.shape
        yy, xx = np.mgrid[0:h, 0:w]
        inside = np.clip((0.3 * h - np.hypot(yy - 0.45 * h, xx - 0.55 * w)) / (0.06 * h), 0, 1)
        seen = _seen(tmp_path / f"{i}.png", clean * (1 - 0.4 * inside))
        assert _similarity(seen, imageprep.to_mnist(clean)) > 0.95, i


def test_thick_strokes_under_a_shadow_come_out_whole(digits, tmp_path):
    # Marker strokes wider than the median window's paper: the rough mask is their outline.
    # A shadow reaching the frame (and a table along one side, or not) leaves the border
    # uneven, so no global threshold can measure them.
    for i in range(1, 9):
        clean = digit_on_paper(cv2.dilate(digits[i], np.ones((7, 7), np.uint8)), scale=5)
        h, w = clean.shape
        yy, xx = np.mgrid[0:h, 0:w]
        shaded = clean * (1 - 0.4 * np.clip((0.6 * h - np.hypot(yy - h, xx)) / (0.1 * h), 0, 1))
        tabled = shaded.copy()
        tabled[:, : w // 12] = 0.2
        for name, grey in (("shaded", shaded), ("tabled", tabled)):
            seen = _seen(tmp_path / f"{name}{i}.png", grey)
            assert _similarity(seen, imageprep.to_mnist(clean)) > 0.85, (name, i)


def test_specks_ruled_lines_and_paper_edges_are_dropped(digits, tmp_path):
    clean = digit_on_paper(digits[3])
    messy = clean.copy()
    h, w = messy.shape
    messy[::40, :] *= 0.75  # ruled lines
    messy[:, :12] = 0.2  # the table beyond the paper's edge
    rng = np.random.default_rng(0)
    for y, x in rng.integers(20, min(h, w) - 20, (15, 2)):
        messy[y:y + 3, x:x + 3] = 0.1  # specks of dirt
    seen = _seen(tmp_path / "messy.png", messy)
    assert _similarity(seen, imageprep.to_mnist(clean)) > 0.9


def test_ruled_lines_broken_into_pieces_are_dropped(digits, tmp_path):
    for i in (7, 8, 10):
        clean = digit_on_paper(digits[i])
        ruled = clean.copy()
        h, w = ruled.shape
        for y in range(20, h, 40):
            ruled[y:y + 3, :] = np.minimum(ruled[y:y + 3, :], 0.2)
            for x in range(0, w, 40):
                ruled[y:y + 3, x:x + 4] = clean[y:y + 3, x:x + 4]  # gaps, as under uneven light
        seen = _seen(tmp_path / "ruled.png", ruled)
        assert _similarity(seen, imageprep.to_mnist(clean)) > 0.95, i


def test_output_is_fitted_into_20x20_and_centred_by_mass(digits):
    for digit in digits[:10]:
        out = imageprep.to_mnist(digit_on_paper(digit, scale=5)).astype(float)
        ys, xs = np.nonzero(out > 40)
        assert 17 <= max(np.ptp(ys), np.ptp(xs)) + 1 <= 22
        m = cv2.moments(out)
        assert abs(m["m10"] / m["m00"] - 13.5) < 0.6 and abs(m["m01"] / m["m00"] - 13.5) < 0.6
        assert out.max() == 255 and out[0].max() == 0 and out[:, 0].max() == 0


def test_thin_and_thick_pens_get_mnist_like_strokes(digits):
    widths = []
    for kernel in (1, 13):  # a fine pen, a marker
        ink = (digit_on_paper(digits[4], scale=10) < 0.5).astype(np.uint8)
        ink = cv2.erode(ink, np.ones((7, 7), np.uint8)) if kernel == 1 else \
            cv2.dilate(ink, np.ones((kernel, kernel), np.uint8))
        out = imageprep.to_mnist(0.9 - 0.8 * ink)
        widths.append(imageprep.stroke_width((out > 127).astype(np.uint8)))
    assert all(1.2 < w < 4.5 for w in widths), widths


def test_blank_and_near_blank_images_have_no_digit(tmp_path):
    rng = np.random.default_rng(1)
    for name, grey in {"white": np.full((200, 300), 0.93),
                       "noise": 0.8 + rng.normal(0, 0.01, (200, 300)),
                       "black": np.zeros((50, 50))}.items():
        with pytest.raises(imageprep.NoDigit):
            _seen(tmp_path / f"{name}.png", grey)


def test_unreadable_inputs_raise_clear_errors(tmp_path):
    (tmp_path / "notes.png").write_text("these are not pixels")
    (tmp_path / "empty.png").write_bytes(b"")
    full = io.BytesIO()
    Image.fromarray(np.zeros((64, 64), np.uint8) + 200).save(full, format="PNG")
    (tmp_path / "truncated.png").write_bytes(full.getvalue()[:60])
    for name, message in (("notes.png", "not a readable image"), ("empty.png", "empty"),
                          ("truncated.png", "cannot read")):
        with pytest.raises(imageprep.ImageError, match=message):
            imageprep.read_image(tmp_path / name)


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path):
    Image.new("1", (12_000, 12_000)).save(tmp_path / "bomb.png")  # tiny file, 144 Mpixels
    assert os.path.getsize(tmp_path / "bomb.png") < 100_000
    with pytest.raises(imageprep.ImageError, match="over the limit"):
        imageprep.read_image(tmp_path / "bomb.png")


def test_npy_arrays_in_either_range(digits, tmp_path):
    np.save(tmp_path / "bytes.npy", digits[5])
    np.save(tmp_path / "floats.npy", digits[5] / 255.0)
    a = imageprep.read_image(tmp_path / "bytes.npy")
    b = imageprep.read_image(tmp_path / "floats.npy")
    np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_array_equal(imageprep.to_mnist(a), digits[5])


def _small_on_a_page(ink: np.ndarray, height: int, seed: int = 0) -> np.ndarray:
    """Light-on-dark `ink` (MNIST digits) drawn dark, `height` pixels tall, on a 1600×1200
    page with paper grain, off the page's centre."""
    rng = np.random.default_rng(seed)
    page = np.full((1200, 1600), 0.85, np.float32)
    size = (round(ink.shape[1] * height / ink.shape[0]), height)
    alpha = np.clip(cv2.resize(ink.astype(np.float32) / 255, size,
                               interpolation=cv2.INTER_CUBIC), 0, 1)
    page[700:700 + size[1], 300:300 + size[0]] *= 1 - 0.8 * alpha
    return np.clip(page + rng.normal(0, 0.02, page.shape), 0, 1)


@pytest.mark.parametrize("flush", ["tblr", "tb"])
def test_a_digit_cut_at_its_ink_is_read_whole(digits, tmp_path, flush):
    # Strokes touching two opposite sides — a 7's bar or a 4's arm from side to side, a 4's
    # stem from top to bottom — passed for ruled lines and paper edges and were erased until
    # the picture was given a margin of paper. `flush` names the sides cut at the ink; the
    # others keep 3 pixels (of MNIST's 28) of paper.
    for i in (0, 24, 33, 34):  # a 7, a 4, a 4 and a 7
        crop = _ink_box(digits[i]) / 255
        crop = np.pad(crop, [(0 if a in flush else 3, 0 if b in flush else 3)
                             for a, b in ("tb", "lr")])
        ink = np.clip(cv2.resize(crop, None, fx=8, fy=8, interpolation=cv2.INTER_CUBIC), 0, 1)
        dark_on_light = 0.9 - 0.75 * ink
        for name, grey in (("dark", dark_on_light), ("light", 1 - dark_on_light)):
            seen = _seen(tmp_path / f"{i}-{name}.png", grey)
            assert _similarity_up_to_a_shift(seen, digits[i]) > 0.8, (i, name)


def test_a_digit_written_small_on_a_page_is_found_and_read(digits, tmp_path):
    for i, digit in enumerate(digits[:6]):
        page = _small_on_a_page(digit, height=60, seed=i)  # 5% of the page's height
        seen = _seen(tmp_path / f"{i}.jpg", page)
        assert _similarity_up_to_a_shift(seen, digit) > 0.8, i


def test_random_pictures_give_a_digit_or_no_digit_never_another_error(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(40):
        h, w = (int(v) for v in rng.integers(2, 300, 2))
        grey = np.full((h, w), rng.uniform(0, 1), np.float32)
        for _ in range(rng.integers(0, 6)):  # strokes and blocks, some past the frame
            a, b = (tuple(int(v) for v in rng.integers(-20, max(h, w) + 20, 2)) for _ in "ab")
            if rng.random() < 0.5:
                cv2.line(grey, a, b, float(rng.uniform(0, 1)), int(rng.integers(1, 40)))
            else:
                cv2.rectangle(grey, a, b, float(rng.uniform(0, 1)), -1)
        grey += rng.normal(0, rng.uniform(0, 0.3), grey.shape).astype(np.float32)
        grey = cv2.GaussianBlur(grey, (0, 0), rng.uniform(0.3, 5))
        seen = imageprep.read_image(_save(tmp_path / f"{i}.png", grey))
        for read in (lambda g: [imageprep.to_mnist(g)], lambda g: candidates.lattice(g)[1]):
            try:
                digits = read(seen)
            except imageprep.NoDigit:
                continue
            assert all(d.shape == (28, 28) and d.dtype == np.uint8 for d in digits), i


def test_photo_renderings_are_reproducible(digits):
    a, ya = photos.render_set(digits, np.arange(40) % 10, 5, seed=3)
    b, yb = photos.render_set(digits, np.arange(40) % 10, 5, seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(a, b)) and np.array_equal(ya, yb)
    assert all(p.dtype == np.uint8 and min(p.shape) >= 90 for p in a)


def test_a_photo_effect_left_out_changes_that_effect_alone(digits):
    # Every random draw is still made: a draw out of step would change the sizes of the
    # pictures after it (drawn first), the paper and the digit's place.
    labels = np.arange(40) % 10
    full, _ = photos.render_set(digits, labels, 10, seed=3)
    for effect in photos.EFFECTS:
        less, _ = photos.render_set(digits, labels, 10, seed=3, without=(effect,))
        assert [p.shape for p in less] == [p.shape for p in full], effect
        change = [np.mean(np.abs(p.astype(float) - q)) for p, q in zip(full, less)]
        assert max(change) > 0, effect
        if effect in ("rotation", "blur", "noise", "jpeg"):  # pixels, not the paper's level
            assert max(change) < 10, effect


def test_the_sheets_edge_passes_beside_the_ink_never_across_it(digits):
    # The digit is written on the sheet: the table beyond its edge may come close, but a
    # stroke is never hidden under it (a 9 whose loop lay under the table would read 4).
    drawn = 0
    for seed in range(60):
        rng = np.random.default_rng(seed)
        paper = np.full((120, 160), 0.9, np.float32)
        written, ink = photos._place_digit(rng, paper, digits[seed % len(digits)])
        edged = photos._paper_edge(rng, written.copy(), ink)
        on_ink = ink > photos.INK_SEEN
        assert np.array_equal(edged[on_ink], written[on_ink]), seed
        drawn += not np.array_equal(edged, written)
    assert drawn > 10  # the edges were drawn, and within the frame


def test_fitted_puts_an_ink_box_in_mnist_form_aspect_kept_and_centred_by_mass():
    crop = np.zeros((40, 10), np.float32)
    crop[:, 3:7] = 1.0  # a bar ten times taller than wide
    soft = {}
    for blur in (0.0, 0.5):
        out = mnistform.fitted(crop, blur=blur)
        assert out.shape == (28, 28) and out.dtype == np.uint8 and out.max() == 255
        ys, xs = np.nonzero(out > 127)
        assert np.ptp(ys) + 1 == mnistform.BOX and np.ptp(xs) + 1 <= 3  # 20 tall, still narrow
        m = cv2.moments(out.astype(np.float32))
        assert abs(m["m10"] / m["m00"] - 13.5) < 0.5 and abs(m["m01"] / m["m00"] - 13.5) < 0.5
        soft[blur] = int(((out > 0) & (out < 255)).sum())
    assert 0 < soft[0.0] < soft[0.5]  # area-averaged edges, spread further by the blur
