"""Outputs written whole or not at all: a temporary file in the same folder, then a rename."""

import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np


@contextlib.contextmanager
def target(path, suffix: str = ""):
    """Yields a temporary path beside `path`; renames it onto `path` if the block succeeds.

    Args:
        path: the final file.
        suffix: ending the temporary name needs (Keras insists on `.keras`, NumPy on `.npz`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would make outputs private to their author
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:  # on disk before the rename makes it visible
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_bytes(path, data: bytes):
    with target(path) as tmp:
        tmp.write_bytes(data)


def write_text(path, text: str):
    write_bytes(path, text.encode())


def write_json(path, obj):
    write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def save_npz(path, **arrays):
    with target(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)
