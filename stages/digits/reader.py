"""Reading digits from files: decode, bring to MNIST form, run the model (`loaded`), in
small batches."""

import itertools
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from digits import candidates, imageprep, segment
from digits.pool import Pool

BATCH = 64  # inputs decoded and predicted together: memory stays bounded on large folders


def uncertain_threshold(params_path: Path) -> float:
    from digits import config

    return config.load(params_path).evaluate.uncertain_below


def digit_result(probs: np.ndarray, threshold: float, top_k: int = 1) -> dict:
    """What is said of one digit: the answer, its confidence, and whether to trust it."""
    digit = int(np.argmax(probs))
    result = {"digit": digit, "confidence": round(float(probs[digit]), 6),
              "probabilities": [round(float(p), 6) for p in probs],
              "uncertain": bool(probs[digit] < threshold)}
    if top_k > 1:
        order = np.argsort(-probs, kind="stable")[:top_k]
        result["top_k"] = [[int(d), round(float(probs[d]), 6)] for d in order]
    return result


def _failure(path: str, error: str, number: bool) -> dict:
    if number:
        return {"path": path, "number": None, "digits": [], "error": error}
    return {"path": path, "digit": None, "confidence": None, "probabilities": None,
            "uncertain": None, "error": error}


PALETTE = [(214, 39, 40), (31, 119, 180), (44, 160, 44), (255, 127, 14), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (23, 190, 207)]  # one colour per digit, in turn


def grouping_picture(found, parts: list[np.ndarray]) -> np.ndarray:
    """All the ink found in light grey, each digit's ink in its own colour within its box:
    what was kept, and how the strokes were grouped (RGB uint8, at the working size)."""
    picture = np.full((*found.shape, 3), 255, np.uint8)
    picture[found] = (190, 190, 190)
    for part, colour in zip(parts, itertools.cycle(PALETTE)):
        picture[part] = colour
        x, y, w, h = cv2.boundingRect(part.astype(np.uint8))
        cv2.rectangle(picture, (x - 2, y - 2), (x + w + 1, y + h + 1), colour, 1)
    return picture


def _prepare(job):
    """One input's digits and what else reading it needs, or why it could not be read (runs
    in a worker process). A number: its candidate digits and their lattice. A single digit:
    its 28×28 image, then, where `check` asks, the candidates of the picture read as a number
    (to tell whether it holds one digit), and its grouping picture for `--show`."""
    source, number, show, check = job
    if isinstance(source, str):  # already an error message
        return source
    try:
        grey = imageprep.read_image(source)
        if number:
            found, digits = candidates.lattice(grey)
            if not show:
                found.labels = None
            return list(digits), found, None
        grouping = imageprep.grouping(grey) if show else None  # None for a small picture
        grouped = grouping_picture(*grouping) if grouping else None
        digits = [imageprep.to_mnist(grey)]
    except (imageprep.ImageError, imageprep.NoDigit) as err:
        return str(err)
    if not check:
        return digits, None, grouped
    try:
        found, more = candidates.lattice(grey)
    except imageprep.NoDigit:  # no pieces to weigh: the digit is read all the same
        return digits, None, grouped
    found.labels = None
    return digits + list(more), found, grouped


def _save_seen(show_dir: Path, index: int, path: str, digits: list[np.ndarray], grouped):
    stem = Path(path).stem if path != "-" else "stdin"
    for i, digit in enumerate(digits):
        suffix = f"-{i}" if len(digits) > 1 else ""
        Image.fromarray(digit).save(show_dir / f"{index:05d}-{stem}{suffix}.png")
    if grouped is not None:
        Image.fromarray(grouped).save(show_dir / f"{index:05d}-{stem}-grouping.png")


def read_all(model, sources, *, threshold: float, top_k: int = 1, number: bool = False,
             segmenter: segment.Segmenter | None = None, show_dir: Path | None = None,
             workers: int | None = None):
    """Yields one result per source, in order.

    Args:
        model: from `load_model`.
        sources: (path shown, path or bytes or an error message) pairs, as from
            `cli_inputs.expand`.
        number: read each source as a number, by recognition (`segment`, which needs the
            segmenter).
        segmenter: in single-digit mode, where given, a picture too wide for one digit, or
            that reads surely as several, is flagged `uncertain` (`segment.holds_one_digit`).
        workers: processes that decode and preprocess the inputs (every core by default).
            They start once a second of reading has been done in this process, so a few
            small files are read without them.
    """
    if show_dir is not None:
        show_dir.mkdir(parents=True, exist_ok=True)
    index = itertools.count()
    sources = iter(sources)
    with Pool(workers) as pool:
        while chunk := list(itertools.islice(sources, BATCH)):
            yield from _read_chunk(model, pool, chunk, index, threshold=threshold,
                                   top_k=top_k, number=number, segmenter=segmenter,
                                   show_dir=show_dir)


def _number_result(path, found, probs, segmenter, threshold, top_k):
    """A number's reading: the best path through its candidates, each digit with its box on
    the picture and its chance of being one whole digit, flagged uncertain where the model
    doubts its answer or the segmenter that it is one whole digit."""
    chosen, whole = segment.read(found, probs, segmenter)
    flags = segment.uncertain(probs[chosen], whole[chosen], threshold)
    digits = []
    for m, flag in zip(chosen, flags):
        answer = digit_result(probs[m], threshold, top_k)
        answer.update(box=[round(float(v), 1) for v in found.boxes[m]],
                      whole=round(float(whole[m]), 6), uncertain=bool(flag))
        digits.append(answer)
    text = "".join(str(d["digit"]) for d in digits)
    return {"path": path, "number": text, "digits": digits, "error": None}, chosen


def _single_result(path, found, probs, segmenter, threshold, top_k):
    """A single digit's reading (the first row of `probs`), flagged uncertain where the
    picture, read as a number through `found` (the other rows), holds several digits."""
    result = {"path": path, **digit_result(probs[0], threshold, top_k), "error": None}
    if found is not None:
        chosen, whole = segment.read(found, probs[1:], segmenter)
        one = segment.holds_one_digit(found, chosen, probs[1:], whole, threshold)
        result.update(one_digit=one, uncertain=result["uncertain"] or not one)
    return result


def _read_chunk(model, pool, chunk, index, *, threshold, top_k, number, segmenter, show_dir):
    show, check = show_dir is not None, segmenter is not None
    read = pool.map(_prepare, [(source, number, show, check) for _, source in chunk],
                    chunksize=4)
    batch = [d for item in read if not isinstance(item, str) for d in item[0]]
    probs = model(np.stack(batch)[..., None]) if batch else np.zeros((0, 10))
    at = 0
    for (path, _), item in zip(chunk, read):
        i = next(index)
        if isinstance(item, str):
            yield _failure(path, item, number)
            continue
        digits, found, grouped = item
        mine = probs[at:at + len(digits)]
        at += len(digits)
        if number:
            result, chosen = _number_result(path, found, mine, segmenter, threshold, top_k)
            digits = [digits[m] for m in chosen]
            if show:
                grouped = grouping_picture(found.labels > 0, [found.mask(m) for m in chosen])
        else:
            result = _single_result(path, found, mine, segmenter, threshold, top_k)
            digits = digits[:1]
        if show:
            _save_seen(show_dir, i, path, digits, grouped)
        yield result
