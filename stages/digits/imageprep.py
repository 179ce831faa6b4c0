"""Pictures of handwritten digits -> what MNIST digits look like.

MNIST digits are light strokes on black, fitted into a 20×20 box (aspect kept) and centred by
centre of mass in 28×28, with soft anti-aliased strokes. People's images are dark ink on light
paper of any size, phone photos with shadows, pencil or marker, paper edges or ruled lines in
the frame. `to_mnist` bridges the two; images already in MNIST form pass through unchanged.

Only NumPy, Pillow and OpenCV are imported, so a prediction starts fast.
"""

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from digits.mnistform import BOX, MIN_CONTRAST, SIDE, SMALL_SIDE, NoDigit, border_lean, fitted
from digits.mnistform import small_binarize, small_to_mnist

MAX_PIXELS = 50_000_000  # larger images are refused before decoding (decompression bombs)
WORK_SIDE = 400  # photos are processed at this size: plenty for one digit, and fast
MNIST_BOX = (17, 21)  # an MNIST digit's ink box, longer side: 18–20, and a pixel to spare
TARGET_STROKE = 2.4  # MNIST's typical stroke width, in pixels of the 20×20 box
ZOOM_BELOW = 0.25  # what stands out filling less of the shorter side than this is zoomed in on
TIGHT_COVER = 0.8  # strokes spanning this much of a side: a picture cut at its ink there
NEAR_STROKES = 2.0  # in a number, pieces this many stroke widths apart may be one digit's
ALONE_NEAR_STROKES = 3.0  # one digit alone: a stroke this many stroke widths from its ink is
# part of it (no neighbour to take it from)
LIFTED_BAR = 2.0  # a bar lifted off its stem is no wider than this × the digit's height
LIGHT_INK_MARGIN = 1.0  # of the polarity vote's four measures, one's full weight (BENCHMARKS.md)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp", ".npy"}


class ImageError(Exception):
    """The input cannot be read as an image; the message says why."""


def as_grey(array: np.ndarray) -> np.ndarray:
    """An image array as (H, W) float32 grey levels in 0..1 (0..255 input is rescaled)."""
    if array.ndim == 3 and array.shape[-1] in (1, 3, 4):
        array = array[..., :3].mean(axis=-1)
    if array.ndim != 2 or min(array.shape) < 2:
        raise ImageError(f"expected a 2-D image array, got shape {array.shape}")
    if array.size > MAX_PIXELS:
        raise ImageError(f"{array.size} pixels is over the limit of {MAX_PIXELS}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ImageError("the array holds NaN or infinite values")
    top = 1.0 if array.max() <= 1.0 else 255.0  # 0..1 floats or 0..255 bytes
    return np.clip(array / top, 0.0, 1.0)


def read_image(source) -> np.ndarray:
    """Reads an image file (or bytes) as grey levels.

    EXIF orientation is applied, transparency is laid on white paper, an animation gives its
    first frame. `.npy` files hold an (H, W) or (H, W, C) array, 0..1 floats or 0..255.

    Args:
        source: a path, or the bytes of a file.

    Returns:
        (H, W) float32 in 0..1.

    Raises:
        ImageError: unreadable, truncated, empty, not an image, or over `MAX_PIXELS`.
    """
    data = source if isinstance(source, bytes) else None
    try:
        if data is None:
            with open(source, "rb") as f:
                data = f.read(MAX_PIXELS * 4 + 1024)
        if not data:
            raise ImageError("the file is empty")
        if data.startswith(b"\x93NUMPY"):
            return as_grey(np.load(io.BytesIO(data), allow_pickle=False))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ImageError(f"{image.width}×{image.height} pixels is over the limit of "
                             f"{MAX_PIXELS}")
        image.seek(0)
        # JPEG decodes straight at a reduced size: phone photos load fast and small.
        image.draft("L", (2 * WORK_SIDE, 2 * WORK_SIDE))
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            paper = Image.new("RGBA", image.size, "white")
            image = Image.alpha_composite(paper, image.convert("RGBA"))
        grey = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"the image is over the limit of {MAX_PIXELS} pixels") from None
    except UnidentifiedImageError as err:
        raise ImageError("not a readable image (unknown format)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        raise ImageError(f"cannot read the image: {err}") from None
    return as_grey(grey)


def is_mnist_form(grey: np.ndarray) -> bool:
    """28×28 light strokes on a black ground, fitted and centred as MNIST's: nothing to do.

    Every one of MNIST's 70,000 digits has its ink (above a tenth of full scale) in a box
    18–20 pixels on its longer side, its centre of mass within 1.42 pixels of the centre. A
    28×28 digit drawn smaller or larger (a drawing app's canvas, EMNIST's 24-pixel box) is
    fitted again like any small image.
    """
    if grey.shape != (SIDE, SIDE) or np.median(grey) >= 0.05 or grey.max() < 0.5:
        return False
    ys, xs = np.nonzero(grey > 0.1)
    longer = max(ys.max() - ys.min(), xs.max() - xs.min()) + 1
    m = cv2.moments(grey)
    off = np.hypot(m["m10"] / m["m00"] - (SIDE - 1) / 2, m["m01"] / m["m00"] - (SIDE - 1) / 2)
    return MNIST_BOX[0] <= longer <= MNIST_BOX[1] and off <= 2.0


def _working_copy(grey: np.ndarray) -> np.ndarray:
    scale = WORK_SIDE / max(grey.shape)
    size = (round(grey.shape[1] * scale), round(grey.shape[0] * scale))
    inter = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return np.clip(cv2.resize(grey, size, interpolation=inter), 0.0, 1.0)


def _paper_ratio_ink(grey: np.ndarray, paper: np.ndarray) -> np.ndarray:
    # Darkness relative to the local paper; in dark places (a table, deep shadow) relative to
    # half the typical paper instead, so that dividing does not blow up the noise there.
    floor = max(0.5 * float(np.median(paper)), 0.05)
    return np.clip((paper - grey) / np.maximum(paper, floor), 0.0, 1.0)


def _contrast(a: float, b: float) -> float:
    return (a - b) / max(abs(a) + abs(b), 1e-6)


def _local_median(grey: np.ndarray, parts: int) -> np.ndarray:
    """Median grey level over a window a `parts`-th of the picture's longer side."""
    k = max(3, (max(grey.shape) // parts) | 1)
    return cv2.medianBlur(np.round(grey * 255).astype(np.uint8), k).astype(np.float32) / 255


def _hats(grey: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Dark and light structures narrower than `k` pixels (black and white top-hats)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (max(3, k | 1),) * 2)
    return (cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel),
            cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, kernel))


def _strong_cover(dark: np.ndarray, light: np.ndarray) -> float:
    """Whether the strongest dark or the strongest light structures cover more of the picture:
    strokes are many pixels at full contrast, the gaps between them and lit paper between
    shadows few."""
    strong = 0.5 * max(np.percentile(dark, 99.5), np.percentile(light, 99.5))
    return _contrast(np.count_nonzero(dark > strong), np.count_nonzero(light > strong))


def dark_ink(grey: np.ndarray) -> bool:
    """Whether the strokes are darker than the paper.

    The frame's border is mostly paper: when its grey level sits clearly at the light (or
    dark) end of the picture's range, that decides. Otherwise (shadows, a dark table along an
    edge) measures of what stands out, none fooled by shadows or tables wider than strokes,
    vote with their margins: thin dark against thin light structures (black and white
    top-hats), how much of the picture the strongest of each kind cover (at two scales), and
    the darkest against the lightest departures from the local median. Dark ink on light
    paper is what photos of handwriting hold, so the vote must lean clearly to light ink (by
    `LIGHT_INK_MARGIN`) to read it: thick marker strokes make it waver near even.
    """
    lean = border_lean(grey)
    if abs(lean) >= 0.8:
        return lean > 0
    grey = cv2.GaussianBlur(grey, (0, 0), 2.0)  # paper grain and sensor noise are not strokes
    dark, light = _hats(grey, min(grey.shape) // 8)
    vote = _contrast(np.percentile(dark, 99), np.percentile(light, 99))
    vote += _strong_cover(dark, light) + _strong_cover(*_hats(grey, min(grey.shape) // 16))
    darker = _local_median(grey, 5) - grey
    departs = _contrast(np.percentile(darker, 99.5), np.percentile(-darker, 99.5))
    return vote + departs > -LIGHT_INK_MARGIN


def ink_map(grey: np.ndarray) -> np.ndarray:
    """Ink as bright on dark, with uneven light and shadows divided out.

    Light strokes on dark are first inverted to dark on light. Illumination, in two passes: a
    median filter wider than any stroke gives a first ink map, from which the stroke width is
    measured (strokes too thick for the median, where they are: `_thick_strokes`); then a grey
    closing just wider than the strokes erases them and follows the paper's light closely,
    shadow edges included. Ink is how much darker than its own local paper a pixel is.
    """
    if not dark_ink(grey):
        grey = 1.0 - grey
    ink = _paper_ratio_ink(grey, _local_median(grey, 3))
    otsu, mask = cv2.threshold(np.round(ink * 255).astype(np.uint8), 0, 1,
                               cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if otsu < 20 or not mask.any():
        return ink
    # The thickest strokes are ~2x the mean; a rough first mask can underestimate it.
    k = max(int(max(4 * stroke_width(mask), min(grey.shape) / 8)) | 1, _thick_strokes(grey))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k + 2, k + 2))
    paper = cv2.GaussianBlur(cv2.morphologyEx(grey, cv2.MORPH_CLOSE, kernel), (0, 0), 1.0)
    return _paper_ratio_ink(grey, paper)


def _thick_strokes(grey: np.ndarray) -> int:
    """A grey closing wide enough for thick strokes (a marker, a digit written large and
    blurred), whose middles the median takes for paper, leaving the rough mask hollow; 0 when
    there are none.

    A closing a third of the frame wide erases such strokes but keeps shadows, which are
    wider (or reach the frame's border, like a table beyond the paper): the ink it leaves
    away from the border is measured whole.
    """
    side = int(min(grey.shape) / 3) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    levels = np.round(grey * 255).astype(np.uint8)  # over three times faster than floats
    paper = cv2.morphologyEx(levels, cv2.MORPH_CLOSE, kernel).astype(np.float32) / 255
    ink = _paper_ratio_ink(grey, paper)
    otsu, mask = cv2.threshold(np.round(ink * 255).astype(np.uint8), 0, 1,
                               cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    labels, blobs = components(mask)
    inner = [b.label for b in blobs if not _at_border(b, mask.shape)]
    if otsu < 20 or not inner:
        return 0
    return int(min(2.5 * stroke_width(np.isin(labels, inner)), side)) | 1


@dataclass(frozen=True)
class _Blob:
    label: int
    x: int
    y: int
    w: int
    h: int
    area: int


def _at_border(b: _Blob, shape: tuple[int, int]) -> bool:
    return b.x == 0 or b.y == 0 or b.x + b.w == shape[1] or b.y + b.h == shape[0]


def _keep_digit(mask: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The components that make the digit: drops specks, ruled lines, paper edges, borders."""
    labels, blobs = components(mask)
    H, W = mask.shape
    if not blobs:
        raise NoDigit("no digit found")

    def touches_border(b):
        return _at_border(b, mask.shape)

    def line_like(b):  # ruled lines and paper edges, tilted or not: long and thin
        if max(b.w, b.h) < 0.5 * min(H, W):
            return False
        long_side, short_side = _rotated_sides(labels, b)
        along = H if b.h > b.w else W  # the frame's side the line runs along
        return long_side > 0.6 * along and short_side < 0.08 * min(H, W)

    def edge_like(b):  # the table beyond the paper: along most of a side it touches, or a
        # piece of it running along that side, the rest erased as a straight line
        def runs_along(length, across, side):
            return length > 0.6 * side or (length >= 3 * across and length >= 0.25 * side)

        along_top_bottom = (b.y == 0 or b.y + b.h == H) and runs_along(b.w, b.h, W)
        along_sides = (b.x == 0 or b.x + b.w == W) and runs_along(b.h, b.w, H)
        return along_top_bottom or along_sides

    def strength(b):  # how dark the component's darkest strokes are
        return float(np.percentile(ink[labels == b.label], 90))

    def streak_like(b):  # a piece of a ruled line, paper or shadow edge: much wider than tall
        return b.w > 2.5 * b.h

    biggest = max(b.area for b in blobs)
    candidates = [b for b in blobs if b.area >= 0.02 * biggest and not line_like(b)]
    # Streaks are set aside, unless there is nothing else.
    others = [b for b in candidates if not streak_like(b)]
    streaks = [b for b in candidates if streak_like(b)] if others else []
    candidates = others or candidates
    # A digit filling the whole frame looks like an edge too: then keep what there is.
    candidates = [b for b in candidates if not edge_like(b)] or candidates
    if not candidates:
        raise NoDigit("no digit found")
    # Ruled lines and shadow edges are faint next to written strokes: like a hysteresis
    # threshold, keep only components with strokes at least half as dark as the darkest.
    darkest = max(strength(b) for b in candidates)
    candidates = [b for b in candidates if strength(b) >= 0.5 * darkest]
    # Lines are also thinner than any pen stroke: drop components under a third of the
    # thickest one's width (half-widths from the distance transform).
    half_width = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    thickness = {b.label: float(half_width[labels == b.label].max()) for b in candidates}
    thickest = max(thickness.values())
    candidates = [b for b in candidates if thickness[b.label] >= thickest / 3]

    def score(b):  # the digit is the most ink away from the edges (tables, paper edges)
        return ink[labels == b.label].sum() * (0.15 if touches_border(b) else 1.0)

    core = max(candidates, key=score)
    if core.area < 0.0005 * H * W:
        raise NoDigit("no digit found (only specks)")
    # Broken strokes of the same digit lie within the core's reach.
    mx, my = 0.35 * core.w + 0.1 * core.h, 0.25 * core.h
    # Strokes written with a pen lift lie close to the rest: within ALONE_NEAR_STROKES stroke
    # widths of the ink kept so far (the L and the upright of an open 4, a 9's stem, a 7's
    # bar, a 3's lower arc), however they sit against the core's box.
    core_stroke = stroke_width(labels == core.label)
    near = ALONE_NEAR_STROKES * core_stroke

    def within_width(b):
        return core.x - mx <= b.x and b.x + b.w / 2 <= core.x + core.w + mx

    def centred(b):  # its middle over the core's reach: a bar of this digit, not a line
        return core.x - mx <= b.x + b.w / 2 <= core.x + core.w + mx

    def in_reach(b):
        return (b.x < core.x + core.w + mx and b.x + b.w > core.x - mx
                and b.y < core.y + core.h + my and b.y + b.h > core.y - my)

    def bar_beside(b):  # a paper edge, a margin line, another number's 1: not this digit's
        apart = b.x + b.w <= core.x or b.x >= core.x + core.w
        return apart and b.h >= 0.7 * core.h and b.w <= 0.25 * b.h

    # A streak is kept only when its middle lies within the core's reach and it starts
    # within it or lies near the ink (the bar of a 5 or a 7, even one lifted off and running
    # far right; not a line reaching past both sides), and never when it touches the frame
    # (what a tilted table edge leaves of itself), nor when it was not written with the
    # digit's pen: its strokes under half as wide as the core's or under half as dark as the
    # darkest (the thin, tapering band a tilted paper or table edge leaves where the straight
    # part of it was erased as a line). Nothing else that touches the frame is kept either,
    # unless the digit itself does (cut off by the frame): what lies there is the table, a
    # pen, a shadow's edge. The core itself is always kept, even a streak at the frame when
    # there is nothing else.
    def same_pen(b):
        return (stroke_width(labels == b.label) >= 0.5 * core_stroke
                and strength(b) >= 0.5 * darkest)

    def bar_lifted(b, tall):  # a 7's or a 5's bar lifted off its stem, running out to one
        # side: one end over the core's reach or half a near distance short of it, no wider
        # than LIFTED_BAR × the ink kept is tall
        short = 0.5 * near
        return (b.x < core.x + core.w + mx + short and b.x + b.w > core.x - mx - short
                and b.w <= LIFTED_BAR * tall)

    def may_join(b, tall=None):  # tall: how tall the kept ink is, when b lies near it
        is_near = tall is not None
        return (b.area >= 0.05 * core.area
                and (not streak_like(b)
                     or ((centred(b) and (within_width(b) or is_near)
                          or is_near and bar_lifted(b, tall))
                         and not touches_border(b) and same_pen(b)))
                and (touches_border(core) or not touches_border(b)))

    others = [b for b in candidates + streaks if b is not core]
    keep = [core] + [b for b in others if in_reach(b) and not bar_beside(b) and may_join(b)]
    grown = True
    while grown:  # each stroke kept brings the ones near it within reach; a tall bar beside
        # the core (an open 4's upright, or a neighbour's 1) only as near as in a number
        kept = np.isin(labels, [b.label for b in keep])
        gap = cv2.distanceTransform((~kept).astype(np.uint8), cv2.DIST_L2, 3)
        rows = np.flatnonzero(kept.any(axis=1))
        tall = rows[-1] - rows[0] + 1
        joining = [b for b in others if b not in keep
                   and gap[labels == b.label].min() <= (
                       NEAR_STROKES * core_stroke if bar_beside(b) else near)
                   and may_join(b, tall)]
        keep += joining
        grown = bool(joining)
    return _without_thin_lines(np.isin(labels, [b.label for b in keep]), core_stroke)


def _without_thin_lines(digit: np.ndarray, stroke: float) -> np.ndarray:
    """The digit without the pieces of ruled lines and of paper or shadow edges joined to it
    (too broken up for `_remove_lines` to see a line): straight runs under 0.6 of its stroke
    width across and over three of them long, and the specks they leave."""
    across = int(0.6 * stroke) | 1
    if across < 3:  # strokes too thin to tell a line from them
        return digit
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (across, across))
    thin = digit & ~cv2.morphologyEx(digit.astype(np.uint8), cv2.MORPH_OPEN, kernel).astype(bool)
    labels, blobs = components(thin.astype(np.uint8))

    def straight(b):
        long_side, short_side = _rotated_sides(labels, b)
        return long_side >= 3 * stroke and short_side < 0.6 * stroke

    lines = [b.label for b in blobs if max(b.w, b.h) >= 3 * stroke and straight(b)]
    if not lines:
        return digit
    labels, blobs = components((digit & ~np.isin(labels, lines)).astype(np.uint8))
    least = max(stroke * stroke, 0.1 * max((b.area for b in blobs), default=0))
    kept = np.isin(labels, [b.label for b in blobs if b.area >= least])
    return kept if kept.any() else digit


def _rotated_sides(labels: np.ndarray, b: _Blob) -> tuple[float, float]:
    """The longer and shorter sides of the smallest rotated box round a component."""
    points = np.column_stack(np.nonzero(labels[b.y:b.y + b.h, b.x:b.x + b.w] == b.label))
    long_side, short_side = sorted(cv2.minAreaRect(points.astype(np.float32))[1])[::-1]
    return long_side, short_side


def _remove_lines(mask: np.ndarray) -> np.ndarray:
    """Erases ruled lines and straight paper edges (runs of ink across most of the image),
    then reconnects strokes that crossed them."""
    h, w = mask.shape
    # A faint line breaks up under shadows and noise: bridge short gaps along it first.
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, max(3, w // 20)), np.uint8))
    # A horizontal line may run on past the frame's side (OpenCV's default border lets it);
    # a vertical one must be long within the frame: a digit's downstroke that ends on a table
    # along the bottom edge would otherwise pass for a line.
    tall = np.ones((int(0.85 * h), 1), np.uint8)
    lines = mask & (cv2.morphologyEx(joined, cv2.MORPH_OPEN, np.ones((1, int(0.7 * w)), np.uint8))
                    | cv2.morphologyEx(mask, cv2.MORPH_OPEN, tall,
                                       borderType=cv2.BORDER_CONSTANT, borderValue=0))
    if not lines.any():
        return mask
    band = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    kept = mask & ~band
    # A stroke cut by a horizontal line continues on both sides of it: bridge the gap.
    gap = int(np.median(band.sum(axis=0)[band.sum(axis=0) > 0])) + 2
    bridged = cv2.morphologyEx(kept, cv2.MORPH_CLOSE, np.ones((gap, 1), np.uint8))
    return kept | (bridged & band)


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width: twice the mean distance to the background along the ridges."""
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    ridge = (dist > 0) & (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8)) - 1e-6)
    return float(2 * dist[ridge].mean()) if ridge.any() else 1.0


def _normalize_strokes(mask: np.ndarray, scale: float) -> np.ndarray:
    """Thickens or thins the strokes so that, once scaled by `scale`, they are MNIST-wide."""
    width = stroke_width(mask) * scale
    change = (TARGET_STROKE - width) / scale / 2  # pixels to add (or remove) on each side
    radius = int(round(abs(change)))
    if radius == 0:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    op = cv2.dilate if change > 0 else cv2.erode
    thinner = op(mask.astype(np.uint8), kernel) > 0
    return thinner if thinner.sum() > 0.3 * mask.sum() or change > 0 else mask


def _zoom(grey: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Where all that stands out from the paper fills a small part of a big picture (a digit
    written small on a page, photographed whole): that part, with a margin half its size on
    each side, at the picture's own resolution. Otherwise the picture itself. With the
    row and column where it starts on the picture.

    At the working size such a digit is a few pixels of thin strokes among paper noise, too
    few for the polarity vote and the threshold; cropped, it fills half the frame, as digits
    do in the photos the preprocessing was tuned on.
    """
    work = _working_copy(grey)
    smooth = cv2.GaussianBlur(work, (0, 0), 1.0)
    departs = np.abs(smooth - _local_median(smooth, 8))  # either polarity
    noise = 1.4826 * float(np.median(departs))  # the paper's own grain, as a deviation
    strong = (departs > max(0.05, 8 * noise)).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(strong, connectivity=8)
    stats = stats[1:][stats[1:, cv2.CC_STAT_AREA] >= 3]  # single specks of noise aside
    if not len(stats):
        return grey, 0, 0
    x0, y0 = stats[:, 0].min(), stats[:, 1].min()
    x1, y1 = (stats[:, 0] + stats[:, 2]).max(), (stats[:, 1] + stats[:, 3]).max()
    side = max(x1 - x0, y1 - y0)
    if side >= ZOOM_BELOW * min(work.shape):
        return grey, 0, 0
    scale, margin = grey.shape[0] / work.shape[0], side / 2
    top, left = (max(0, round((v - margin) * scale)) for v in (y0, x0))
    crop = grey[top:round((y1 + margin) * scale), left:round((x1 + margin) * scale)]
    return (crop, top, left) if max(crop.shape) > SMALL_SIDE else (grey, 0, 0)


def _spanned(mask: np.ndarray, grey: np.ndarray) -> tuple[bool, bool]:
    """Whether the strokes reach (nearly) both ends of the picture's height, and of its
    width: a digit cropped to its ink, on those sides. Solid blobs (a table, a shadow), lines
    running along a side (ruled lines, paper edges) and specks of noise in a dark place (a
    table beyond the sheet: what lies round them is as dark as they are, where strokes have
    paper round them) do not count; what remains must span `TIGHT_COVER` of the side."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    stats = stats[1:]
    if not len(stats):
        return False, False
    h, w = mask.shape
    x, y, bw, bh, area = stats.T
    thin = ((bw >= 0.9 * w) & (bh < 0.25 * h)) | ((bh >= 0.9 * h) & (bw < 0.25 * w))
    paper = float(np.median(grey))

    def on_paper(i):
        x0, y0 = max(0, x[i] - 3), max(0, y[i] - 3)
        box = np.s_[y0:y[i] + bh[i] + 3, x0:x[i] + bw[i] + 3]
        ring = cv2.dilate((labels[box] == i + 1).astype(np.uint8), np.ones((5, 5), np.uint8))
        ring = ring.astype(bool) & (mask[box] == 0)
        return not ring.any() or float(np.median(grey[box][ring])) >= 0.5 * paper

    shaped = (area >= 0.1 * area.max()) & (area < 0.5 * bw * bh) & ~thin
    strokes = stats[[i for i in np.flatnonzero(shaped) if on_paper(i)]]
    if not len(strokes):
        return False, False
    x, y, bw, bh = strokes[:, :4].T
    return ((y + bh).max() - y.min() >= TIGHT_COVER * h,
            (x + bw).max() - x.min() >= TIGHT_COVER * w)


def _framed(grey: np.ndarray, wide: bool) -> tuple[np.ndarray, int, int]:
    """The picture at the working size with paper added above and below it, and on its left
    and right if `wide`: a quarter of its longer side each (the working size keeps a huge
    picture's copy small). With the rows and columns added on each side.

    The paper's grey level is the median of the paper side of an Otsu split, the side
    taken from the polarity vote.
    """
    grey = _working_copy(grey)
    grey8 = np.round(grey * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(grey8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = grey8 > otsu if dark_ink(grey) else grey8 <= otsu
    pad = max(grey.shape) // 4
    return (np.pad(grey, ((pad, pad), (pad * wide, pad * wide)),
                   constant_values=float(np.median(grey[paper]))), pad, pad * wide)


def binarize(grey: np.ndarray, min_contrast: float = MIN_CONTRAST):
    """The ink of a picture, with ruled lines and straight paper edges erased.

    A picture cut at its digit's ink, at the top and bottom or on every side, is given a
    margin of paper there first: strokes that run across it would otherwise pass for ruled
    lines and paper edges. Small images are clean: `mnistform.small_binarize`.

    Returns:
        (mask, ink): (h, w) uint8 0/1 and float32 0..1 at the working size.

    Raises:
        NoDigit: the picture is blank or nearly so.
    """
    mask, ink, _ = binarize_placed(grey, min_contrast)
    return mask, ink


def binarize_placed(grey: np.ndarray, min_contrast: float = MIN_CONTRAST):
    """`binarize`, and where its mask lies on the picture: (scale, top, left), the mask's
    pixel (y, x) covering the picture's from (top + y·scale, left + x·scale)."""
    if max(grey.shape) <= SMALL_SIDE:
        return (*small_binarize(grey, min_contrast), (1.0, 0.0, 0.0))
    if float(np.ptp(grey)) < min_contrast:
        raise NoDigit("no digit found (blank image)")
    zoomed, top, left = _zoom(grey)
    work = _working_copy(zoomed)
    ink = ink_map(work)
    if ink.max() < min_contrast:
        raise NoDigit("no digit found (blank image)")
    ink8 = np.round(ink * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(ink8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Floors under Otsu: on a clean page it would split paper noise in two, and faint
    # ruled lines are much lighter than the strokes written over them.
    floor = max(0.2 * 255, 0.35 * float(np.percentile(ink8, 99.5)))
    mask = (ink8 > max(otsu, floor)).astype(np.uint8)
    # Strokes from top to bottom (a 1, a 4's stem) would pass for a vertical line. Strokes
    # from side to side only are left as they are: so do ruled lines crossing a digit, which
    # paper added at the sides would keep.
    tall, wide = _spanned(mask, work)
    if tall:  # framed, the strokes span well under TIGHT_COVER there: no second time
        framed, pad_y, pad_x = _framed(grey, wide)
        mask, ink, (scale, top, left) = binarize_placed(framed, min_contrast)
        shrunk = grey.shape[0] / (framed.shape[0] - 2 * pad_y)  # the working copy's scale
        return mask, ink, (scale * shrunk, (top - pad_y) * shrunk, (left - pad_x) * shrunk)
    return _remove_lines(mask), ink, (zoomed.shape[0] / work.shape[0], float(top), float(left))


def mask_to_mnist(mask: np.ndarray) -> np.ndarray:
    """One digit's mask as an MNIST digit: MNIST-wide strokes, fitted into 20×20 keeping the
    aspect, soft edges, centre of mass at the centre of 28×28.

    Returns:
        (28, 28) uint8, light on dark.
    """
    ys, xs = np.nonzero(mask)
    digit = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    digit = _normalize_strokes(np.pad(digit, 4), BOX / max(digit.shape))
    ys, xs = np.nonzero(digit)
    return fitted(digit[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32),
                  blur=0.5)


def to_mnist(grey: np.ndarray) -> np.ndarray:
    """One digit's picture as an MNIST digit.

    Args:
        grey: (H, W) grey levels in 0..1, either polarity.

    Returns:
        (28, 28) uint8, light on dark.

    Raises:
        NoDigit: blank, near-blank, or only specks and lines.
    """
    if is_mnist_form(grey):
        return np.round(grey * 255).astype(np.uint8)
    if max(grey.shape) <= SMALL_SIDE:
        return small_to_mnist(grey)
    return mask_to_mnist(_keep_digit(*binarize(grey)))


def components(mask: np.ndarray):
    """Connected components of a mask (8-connected): (labels, their boxes and areas)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return labels, [_Blob(i, *stats[i, :5]) for i in range(1, n)]


def ink_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Shortest distance from the ink of mask `a` to the ink of mask `b`, in pixels."""
    return float(cv2.distanceTransform((~a).astype(np.uint8), cv2.DIST_L2, 3)[b].min())


def grouping(grey: np.ndarray):
    """What the preprocessing found in a picture of one digit, to be shown: all its ink, and
    the ink the digit was read from (masks at the working size); None for small and
    MNIST-form images, which are read whole. Numbers: `lattices.Lattice.mask`."""
    if is_mnist_form(grey) or max(grey.shape) <= SMALL_SIDE:
        return None
    mask, ink = binarize(grey)
    return mask > 0, [_keep_digit(mask, ink)]
