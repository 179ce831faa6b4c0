"""Per-epoch checkpoints that survive `kill -9`.

Each epoch writes `epoch-NNN.keras` (model with optimizer state) through a temporary file and a
rename, then `state.json` (the epoch, the history so far, a fingerprint of the run's settings)
the same way, and only then deletes older checkpoints. Whenever the process dies, `state.json`
names a complete checkpoint of the same run. Keras's `BackupAndRestore` does the same job but
writes its files in place, so a kill during a write can leave a torn checkpoint.
"""

import json
import time
from pathlib import Path

import keras

from digits import atomic

STATE = "state.json"


class Resumable(keras.callbacks.Callback):
    """Saves a checkpoint at every epoch end and records per-epoch logs and seconds."""

    def __init__(self, directory, fingerprint: str, history: list[dict]):
        super().__init__()
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.history = history  # one dict of logs (and "seconds") per finished epoch
        self._started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        entry = {k: float(v) for k, v in (logs or {}).items() if k != "learning_rate"}
        entry["seconds"] = time.perf_counter() - self._started
        self.history.append(entry)
        name = f"epoch-{epoch + 1:03d}.keras"
        with atomic.target(self.directory / name, suffix=".keras") as tmp:
            self.model.save(tmp)
        write_state(self.directory, {"fingerprint": self.fingerprint, "epoch": epoch + 1,
                                     "checkpoint": name, "history": self.history,
                                     "complete": False})
        for old in self.directory.glob("epoch-*.keras"):
            if old.name != name:
                old.unlink()


def write_state(directory, state: dict):
    atomic.write_json(Path(directory) / STATE, state)


def read_state(directory) -> dict | None:
    path = Path(directory) / STATE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def resume_point(directory, fingerprint: str):
    """The checkpoint to continue from, if an unfinished run with these settings left one.

    Returns:
        (model path, finished epochs, history), or None to start afresh.
    """
    state = read_state(directory)
    if not state or state.get("complete") or state.get("fingerprint") != fingerprint:
        return None
    path = Path(directory) / state["checkpoint"]
    if not path.exists():
        return None
    return path, state["epoch"], state["history"]


def finish(directory, fingerprint: str, history: list[dict]):
    """Marks the run complete and drops the model checkpoints it no longer needs."""
    write_state(directory, {"fingerprint": fingerprint, "epoch": len(history),
                            "checkpoint": None, "history": history, "complete": True})
    for old in Path(directory).glob("epoch-*.keras"):
        old.unlink()
