"""Reads handwritten digits from image files with the pipeline's trained model.

    python stages/predict.py [--model PATH] [--format table|json|csv] [--top-k K]
                             [--show DIR] [--number] [--workers N] INPUT...

INPUT is a file, a directory (searched recursively), a glob, or `-` for standard input; PNG,
JPEG, BMP, TIFF, GIF, WebP and `.npy`. With `data/model/model.onnx` present (the `export`
stage), ONNX Runtime runs the model and neither TensorFlow nor Keras is imported.
Exit status: 0 when every input was read, 1 when some failed, 2 for usage errors.
"""

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from digits import cli_inputs, loaded, reader, segment

ROOT = Path(__file__).resolve().parents[1]
SEGMENTER = "segmenter.json"  # the `segmenter` stage's, beside the model or the pipeline's


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="predict.py", description="Read handwritten digits from images.")
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="image files, directories, globs, or - for standard input")
    parser.add_argument("--model", type=Path, help="a .onnx or .keras model "
                        "(default: the pipeline's, ONNX when exported)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--top-k", type=int, default=1, metavar="K",
                        help="also list the K most likely digits")
    parser.add_argument("--show", type=Path, metavar="DIR",
                        help="save the 28×28 image the model saw, per input, and the ink "
                             "found with each digit's strokes in a colour of its own")
    parser.add_argument("--number", action="store_true",
                        help="read a number: several digits in a row, each with its box on "
                             "the picture")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="processes that decode and preprocess images (default 0: one "
                             "per core)")
    args = parser.parse_args(argv)
    if args.workers < 0:
        parser.error("--workers must be 0 (one per core) or more")
    if not 1 <= args.top_k <= 10:
        parser.error("--top-k must lie between 1 and 10")
    if args.model is not None and not args.model.is_file():
        parser.error(f"--model: no such file: {args.model}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    model_path = args.model or loaded.default_model(ROOT)
    if model_path is None:
        print("error: no trained model: run `dvc repro` (or `dvc pull`) first",
              file=sys.stderr)
        return 2
    # A number is read with it; a single digit without it is read all the same, only not
    # checked for being one digit.
    found = [p for p in (model_path.parent / SEGMENTER, ROOT / "data/model" / SEGMENTER)
             if p.is_file()]
    if args.number and not found:
        print("error: --number needs data/model/segmenter.json: run `dvc repro` (or "
              "`dvc pull`) first", file=sys.stderr)
        return 2
    segmenter = segment.Segmenter.load(found[0]) if found else None
    threshold = reader.uncertain_threshold(ROOT / "params.yaml")
    model = loaded.load_model(model_path)
    writer = cli_inputs.Writer(args.format, sys.stdout, number=args.number)
    failed = 0
    results = reader.read_all(model, cli_inputs.expand(args.inputs), threshold=threshold,
                              top_k=args.top_k, number=args.number, segmenter=segmenter,
                              show_dir=args.show, workers=args.workers or None)
    # A progress bar on a terminal only (tqdm turns itself off when stderr is not one).
    for result in tqdm(results, unit="image", file=sys.stderr, disable=None, leave=False):
        failed += result["error"] is not None
        writer.write(result)
    writer.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
