"""Reading digits from files: decode, bring to MNIST form, run the model (`loaded`), in
small batches."""

import itertools
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from digits import imageprep
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
    """One input's digits and, when asked, its grouping picture; or why it could not be
    read (runs in a worker process)."""
    source, number, show = job
    if isinstance(source, str):  # already an error message
        return source
    try:
        grey = imageprep.read_image(source)
        digits = imageprep.split_number(grey) if number else [imageprep.to_mnist(grey)]
        found = imageprep.grouping(grey, number) if show else None
        return digits, (grouping_picture(*found) if found is not None else None)
    except (imageprep.ImageError, imageprep.NoDigit) as err:
        return str(err)


def _save_seen(show_dir: Path, index: int, path: str, digits: list[np.ndarray], grouped):
    stem = Path(path).stem if path != "-" else "stdin"
    for i, digit in enumerate(digits):
        suffix = f"-{i}" if len(digits) > 1 else ""
        Image.fromarray(digit).save(show_dir / f"{index:05d}-{stem}{suffix}.png")
    if grouped is not None:
        Image.fromarray(grouped).save(show_dir / f"{index:05d}-{stem}-grouping.png")


def read_all(model, sources, *, threshold: float, top_k: int = 1, number: bool = False,
             show_dir: Path | None = None, workers: int | None = None):
    """Yields one result per source, in order.

    Args:
        model: from `load_model`.
        sources: (path shown, path or bytes or an error message) pairs, as from
            `cli_inputs.expand`.
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
                                   top_k=top_k, number=number, show_dir=show_dir)


def _read_chunk(model, pool, chunk, index, *, threshold, top_k, number, show_dir):
    show = show_dir is not None
    read = pool.map(_prepare, [(source, number, show) for _, source in chunk], chunksize=4)
    prepared = []
    for (path, _), item in zip(chunk, read):
        i = next(index)
        if not isinstance(item, str):
            item, grouped = item
            if show:
                _save_seen(show_dir, i, path, item, grouped)
        prepared.append((path, item))
    batch = [d for _, item in prepared if not isinstance(item, str) for d in item]
    probs = model(np.stack(batch)[..., None]) if batch else np.zeros((0, 10))
    at = 0
    for path, item in prepared:
        if isinstance(item, str):
            yield _failure(path, item, number)
            continue
        answers = [digit_result(p, threshold, top_k) for p in probs[at:at + len(item)]]
        at += len(item)
        if number:
            text = "".join(str(a["digit"]) for a in answers)
            yield {"path": path, "number": text, "digits": answers, "error": None}
        else:
            yield {"path": path, **answers[0], "error": None}
