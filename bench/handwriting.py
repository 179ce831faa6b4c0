"""Handwriting as people write it, on *validation* digits: digits with pen lifts against the
same digits unbroken, and numbers of 2–8 digits read exactly (with the errors that remain).
The pen-lift digits are also scored by how many separate pieces of ink the preprocessing
kept as the digit: a loop cut open stays in one piece, a stem lifted off makes two; and both
sets are counted where the preprocessing left out over 5% of a picture's ink.

    python bench/handwriting.py [--model data/model/model.onnx] [--digits 1000]
                                [--numbers 500] [--seed 1] [--split val]
                                [--shape 0.5] [--digit -0.5] [--lifted-share 0.5]
                                [--save-cut-errors DIR] [--save-lift-errors DIR]

Numbers are read by recognition (`digits/segment.py`, with data/model/segmenter.json), and
also cut where they were written, as if the segmentation were perfect: what the model's
reading of the digits alone allows, with the candidates' cuts by columns; and with each digit
taken from exactly its own ink: what cuts along the strokes would allow. `--shape` and
`--digit` try other `segment.Weights`; `--lifted-share 0` (or 1) writes numbers none (or all)
of whose digits have pen lifts, where the evaluation's have them in half. `--save-cut-errors`
keeps the pictures of the numbers read wrong by the segmentation alone, `--save-lift-errors`
those of the pen-lift digits misread whose unbroken twins read right (the lifts' own errors,
to judge by eye which a person would read as written). `--digits 0` reads
the numbers alone, `--numbers 0` the digits alone.

The preprocessing is developed on these figures; the test digits' versions are only
measured, by `prepare_outside` and `evaluate` (reports/metrics.json: outside). Main's `best`
fits train+val, so its validation figures flatter the model; the gap between pen-lift and
unbroken digits, which is what the preprocessing decides, does not depend on that.
"""

import argparse
import collections
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "stages"))

from digits import (candidates, imageprep, loaded, numbers, outside, penlift, reader,  # noqa: E402
                    scoring, segment)
from digits.pool import Pool  # noqa: E402

MOST_INK = 0.95  # a digit read from less of its ink than this lost a piece to the preprocessing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "data/model/model.onnx")
    parser.add_argument("--digits", type=int, default=1000)
    parser.add_argument("--numbers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--split", choices=("train", "val"), default="val")
    parser.add_argument("--segmenter", type=Path, default=ROOT / "data/model/segmenter.json")
    parser.add_argument("--shape", type=float, default=segment.Weights.shape)
    parser.add_argument("--digit", type=float, default=segment.Weights.digit)
    parser.add_argument("--lifted-share", type=float, default=numbers.LIFTED_SHARE)
    parser.add_argument("--save-cut-errors", type=Path, metavar="DIR",
                        help="saves the numbers read wrong by the cuts alone, as PNG files")
    parser.add_argument("--save-lift-errors", type=Path, metavar="DIR",
                        help="saves the pen-lift digits misread whose twins read right")
    args = parser.parse_args()
    model = loaded.load_model(args.model)
    threshold = reader.uncertain_threshold(ROOT / "params.yaml")
    with np.load(ROOT / f"data/prepared/{args.split}.npz") as npz:
        x, y = npz["x"], npz["y"]
    with Pool() as pool:
        if args.digits:
            read_digits(model, x, y, args, pool)
        if args.numbers:
            read_numbers(model, x, y, args, threshold, pool)


def read_digits(model, x, y, args, pool):
    """Pen-lift digits against the same digits unbroken, and by the pieces kept."""
    lifted, whole, labels = penlift.render_set(x, y, args.digits, args.seed)
    scores, errors, read = {}, collections.Counter(), {}
    for name, pictures in (("pen lifts", lifted), ("unbroken", whole)):
        digits, found = outside.to_model_input(pictures, pool)
        probs = model(digits)
        read[name] = probs.argmax(axis=1)
        scores[name] = scoring.accuracy_where_found(probs, found, labels)
        if name == "pen lifts":
            errors = collections.Counter(
                f"{t}→{p}" for t, p, f in zip(labels, read[name], found) if f and t != p)
            pieces, dropped = np.array(pool.map(_pieces, pictures)).T
            right = (read[name] == labels) & found
        else:
            dropped_whole = np.array(pool.map(_pieces, pictures))[:, 1]
    for name, score in scores.items():
        print(f"{name:10s} accuracy {score['accuracy']:.4f} on {score['n']} digits "
              f"(no digit found: {score['no_digit']})")
    print("pen-lift errors:", ", ".join(f"{k} ×{n}" for k, n in errors.most_common(12)))
    print("pen lifts by pieces kept:", ", ".join(
        f"{label} {right[has].mean():.3f} ({has.sum()})" for label, has in (
            ("one", pieces == 1), ("two", pieces == 2), ("three or more", pieces >= 3))
        if has.any()))
    short = dropped > 1 - MOST_INK
    print(f"read from under {MOST_INK:.0%} of their ink: pen lifts {short.sum()} "
          f"({(short & ~right).sum()} misread), unbroken {(dropped_whole > 1 - MOST_INK).sum()}")
    if args.save_lift_errors:
        save_lift_errors(args.save_lift_errors, lifted, labels, read["pen lifts"],
                         read["unbroken"])


def read_numbers(model, x, y, args, threshold, pool):
    """Numbers read by recognition, cut where written, and from each digit's own ink."""
    pictures, texts, owners = numbers.render_set(x, y, args.numbers, args.seed, owners=True,
                                                 lifted_share=args.lifted_share)
    lattices, digits, is_digit = outside.numbers_to_lattices(pictures, pool, owners)
    kept, own = zip(*pool.map(_by_owner, list(zip(pictures, owners))))
    kept = np.concatenate(kept)
    probs = model(digits)
    weights = segment.Weights(args.shape, args.digit)
    found = list(segment.readings(lattices, probs, segment.Segmenter.load(args.segmenter),
                                  weights))
    read = [segment.as_text(chosen) for _, chosen, _ in found]
    exact = scoring.exact_numbers(read, texts)["exact"]
    flagged = np.array([segment.uncertain(chosen, whole, threshold).any()
                        for _, chosen, whole in found])
    paths = perfect_paths(lattices, probs, is_digit)
    perfect_read = [segment.as_text(probs[path]) for path in paths]
    perfect = scoring.exact_numbers(perfect_read, texts)["exact"]
    by_length = collections.defaultdict(list)
    for r, t in zip(read, texts):
        by_length[len(t)].append(r == t)
    print(f"numbers    exact {exact:.4f} on {len(texts)} numbers; by length: " + ", ".join(
        f"{n}: {np.mean(v):.2f}" for n, v in sorted(by_length.items())))
    print(f"numbers    exact {perfect:.4f} cut where they were written (the model's part)")
    own_said = model(np.concatenate(own)[..., None]).argmax(axis=1)
    own_read = ["".join(map(str, said))
                for said in np.split(own_said, np.cumsum([len(ink) for ink in own])[:-1])]
    print(f"numbers    exact {scoring.exact_numbers(own_read, texts)['exact']:.4f} with each digit "
          "from its own ink (what cuts along the strokes would allow)")
    print("digits misread where cut as written, by their nearest neighbour: " + ", ".join(
        f"{kind} {wrong}/{n} ({wrong / n:.3f})"
        for kind, (n, wrong) in by_neighbour(perfect_read, texts, owners).items() if n))
    print("the same, by the ink the candidate holding each keeps: " + ", ".join(
        f"{kind} {wrong}/{n} ({wrong / n:.3f})"
        for kind, (n, wrong) in by_ink_kept(paths, probs, kept, texts).items() if n))
    right = np.array([r == t for r, t in zip(read, texts)])
    print(f"numbers    flagged uncertain: {flagged[~right].mean():.2f} of those read wrong, "
          f"{flagged[right].mean():.2f} of those read right")
    wrong = [(t, r) for r, t in zip(read, texts) if r != t]
    print("wrong readings:", ", ".join(f"{t}→{r}" for t, r in wrong[:12]))
    print("wrong readings by cause:", ", ".join(
        f"{cause} {n}" for cause, n in causes(read, perfect_read, texts).most_common()))
    if args.save_cut_errors:
        save_cut_errors(args.save_cut_errors, pictures, read, perfect_read, texts)


def causes(read: list[str], perfect: list[str], texts: list[str]) -> collections.Counter:
    """Why each number was read wrong: a digit the model misreads even where the number is
    cut as written, or else the segmentation's cut (too few digits, too many, or as many
    but cut elsewhere)."""
    found = collections.Counter()
    for r, p, t in zip(read, perfect, texts):
        if r == t:
            continue
        if p != t:
            found["a digit misread where cut right"] += 1
        elif len(r) < len(t):
            found["too few digits"] += 1
        elif len(r) > len(t):
            found["too many digits"] += 1
        else:
            found["as many, cut elsewhere"] += 1
    return found


def save_cut_errors(folder: Path, pictures, read: list[str], perfect: list[str],
                    texts: list[str]):
    """The numbers that read right where cut as written but wrong by recognition, each as
    `<index>_<written>_read_<read>.png`: the segmentation's own errors, to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = 0
    for i, (picture, r, p, t) in enumerate(zip(pictures, read, perfect, texts)):
        if p == t and r != t:
            cv2.imwrite(str(folder / f"{i}_{t}_read_{r}.png"), picture)
            saved += 1
    print(f"{saved} numbers read wrong by the cuts alone saved in {folder}")


def save_lift_errors(folder: Path, lifted, labels, read_lifted, read_whole):
    """The pen-lift digits misread whose unbroken twins read right, each as
    `<index>_<written>_read_<read>.png`: the errors the lifts alone make, to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    own = np.flatnonzero((read_lifted != labels) & (read_whole == labels))
    for i in own:
        cv2.imwrite(str(folder / f"{i}_{labels[i]}_read_{read_lifted[i]}.png"), lifted[i])
    print(f"{len(own)} pen-lift digits misread whose twins read right saved in {folder}")


def by_neighbour(read: list[str], texts: list[str], owners) -> dict[str, list[int]]:
    """[digits, misread] where each number is cut as written, by how near the digit's
    nearest neighbour was written (`numbers._gap`): apart, touching (within 0.06 of the
    row's height either way) or overlapping (their ink boxes further into each other).
    Numbers read with another count of digits are left out."""
    found = {"apart": [0, 0], "touching": [0, 0], "overlapping": [0, 0]}
    for r, t, sheet in zip(read, texts, owners):
        if len(r) != len(t):
            continue
        columns = [np.flatnonzero((sheet == i + 1).any(axis=0)) for i in range(len(t))]
        if not all(len(c) for c in columns):  # a digit written over entirely
            continue
        height = np.median([np.ptp(np.flatnonzero((sheet == i + 1).any(axis=1))) + 1
                            for i in range(len(t))])
        gaps = [(b.min() - a.max() - 1) / height for a, b in zip(columns, columns[1:])]
        for i in range(len(t)):
            near = min(gaps[max(0, i - 1):i + 1])
            kind = "apart" if near > 0.06 else "touching" if near >= -0.06 else "overlapping"
            found[kind][0] += 1
            found[kind][1] += r[i] != t[i]
    return found


def _by_owner(job) -> tuple[np.ndarray, np.ndarray]:
    """For a composed number: (M, 2) for each candidate, the share of the ink of the digit
    that wrote most of it that it holds and the share of its own ink that digit wrote; and
    (D, 28, 28) each digit taken from exactly its own ink (where two overlap, the one written
    last owns the pixels), in MNIST form: what cuts along the strokes would give the model."""
    picture, owners = job
    digits = int(owners.max())
    try:
        found, _ = candidates.lattice(picture.astype(np.float32) / 255)
    except imageprep.NoDigit:
        return np.zeros((0, 2)), np.zeros((digits, 28, 28), np.uint8)
    laid = candidates.laid_owners(found, owners) * (found.labels > 0)
    kept = np.zeros((len(found.spans), 2))
    for m in range(len(found.spans)):
        inside = found.mask(m)
        votes = laid[inside]
        if votes.any():
            digit = laid == np.bincount(votes[votes > 0]).argmax()
            kept[m] = (digit & inside).sum() / digit.sum(), (digit & inside).sum() / inside.sum()
    own = [imageprep.mask_to_mnist(ink) if (ink := laid == d).any() else
           np.zeros((28, 28), np.uint8) for d in range(1, digits + 1)]
    return kept, np.stack(own)


def by_ink_kept(paths, probs, kept, texts) -> dict[str, list[int]]:
    """[digits, misread] where each number is cut as written (`perfect_paths`), by the ink of
    the candidate that holds each digit (`_by_owner`): clean (at least 90% of the digit's ink,
    and at least 80% of its own ink the digit's), sliced (under 80% of the digit's ink) or in
    between. Numbers read with another count of digits are left out."""
    found = {"clean": [0, 0], "in between": [0, 0], "sliced": [0, 0]}
    for path, text in zip(paths, texts):
        if len(path) != len(text):
            continue
        for k, digit in zip(path, text):
            share, own = kept[k]
            kind = ("clean" if share >= 0.9 and own >= 0.8 else
                    "sliced" if share < 0.8 else "in between")
            found[kind][0] += 1
            found[kind][1] += int(probs[k].argmax()) != int(digit)
    return found


def _pieces(picture: np.ndarray) -> tuple[int, float]:
    """How many separate pieces of ink (8-connected) the preprocessing keeps as the digit,
    and the share of the picture's ink it leaves out."""
    try:
        ink, (kept,) = imageprep.grouping(imageprep.as_grey(picture))
    except imageprep.NoDigit:
        return 0, 1.0
    kept = kept > 0
    return (len(imageprep.components(kept.astype(np.uint8))[1]),
            float((ink & ~kept).sum() / max(ink.sum(), 1)))


def perfect_paths(lattices, probs, is_digit) -> list[np.ndarray]:
    """Each number's path through the candidates that are its digits as written: their
    indices into `probs`, left to right."""
    paths, at = [], 0
    for found in lattices:
        m = len(found.spans) if found is not None else 0
        right = is_digit[at:at + m].astype(float)
        path = segment.best_path(found, probs[at:at + m], right, segment.Weights(1e3)) if m else []
        paths.append(at + np.array(path, int))
        at += m
    return paths


if __name__ == "__main__":
    main()
