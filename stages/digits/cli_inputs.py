"""Command-line plumbing for predict.py: which inputs, and how results are printed."""

import csv
import glob
import json
import os
import stat
import sys
from pathlib import Path

from digits.imageprep import IMAGE_SUFFIXES, MAX_PIXELS

MAX_BYTES = MAX_PIXELS * 4  # more than any image this size can need, even uncompressed


def _check_file(path: Path):
    """None when `path` can be read as an input, else why not."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "no such file"
    except OSError as err:
        return f"cannot open: {err.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size > MAX_BYTES:
        return f"file of {info.st_size} bytes is over the limit of {MAX_BYTES}"
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


def _walk(directory: Path):
    for root, dirs, files in os.walk(directory):
        dirs.sort()  # the same order on every file system
        for name in sorted(files):
            if Path(name).suffix.lower() in IMAGE_SUFFIXES:
                yield Path(root) / name


def expand(inputs):
    """Yields (path shown, Path | bytes | error message) for each input.

    Directories are searched recursively for image files; globs are expanded; `-` reads
    standard input once.
    """
    for item in inputs:
        if item == "-":
            yield "-", sys.stdin.buffer.read(MAX_BYTES + 1)
            continue
        path = Path(item)
        if path.is_dir():
            yield from ((str(p), _check_file(p) or p) for p in _walk(path))
        elif not path.exists() and glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                yield item, "no file matches this pattern"
            for match in matches:
                p = Path(match)
                yield from ([(str(q), _check_file(q) or q) for q in _walk(p)]
                            if p.is_dir() else [(match, _check_file(p) or p)])
        else:
            yield item, _check_file(path) or path


class Writer:
    """Prints results as a table, JSON lines or CSV."""

    def __init__(self, fmt: str, out, number: bool = False):
        self.fmt, self.out, self.number = fmt, out, number
        self.csv = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if self.csv:
            self.csv.writerow(["path", "number" if number else "digit", "confidence",
                               "uncertain", "error"])
        elif fmt == "table":
            out.write(f"{'digit' if not number else 'number':>8}  {'confidence':>10}  "
                      f"{'uncertain':>9}  path\n")

    def write(self, result: dict):
        if self.fmt == "json":
            self.out.write(json.dumps(result) + "\n")
            self.out.flush()
            return
        answer, confidence, uncertain = _summary(result, self.number)
        if self.csv:
            self.csv.writerow([result["path"], answer, confidence, uncertain,
                               result["error"] or ""])
        else:
            shown = "-" if answer is None else answer
            conf = "" if confidence is None else f"{confidence:.4f}"
            flag = "" if uncertain is None else ("yes" if uncertain else "no")
            error = f"  error: {result['error']}" if result["error"] else ""
            self.out.write(f"{shown:>8}  {conf:>10}  {flag:>9}  {result['path']}{error}\n")

    def close(self):
        self.out.flush()


def _summary(result: dict, number: bool):
    if not number:
        return result["digit"], result["confidence"], result["uncertain"]
    digits = result["digits"]
    if not digits:
        return None, None, None
    return (result["number"], min(d["confidence"] for d in digits),
            any(d["uncertain"] for d in digits))
