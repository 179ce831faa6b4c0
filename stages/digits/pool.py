"""Work spread over every core, results in input order.

Picture preprocessing is pure Python and OpenCV on one picture at a time: one process per core
reads ~2× faster on two cores. Workers are spawned, not forked, so a parent that has started
TensorFlow's or ONNX Runtime's threads is never copied mid-flight.
"""

import concurrent.futures
import multiprocessing
import os

import cv2


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _one_thread():
    cv2.setNumThreads(1)  # one process per core already: OpenCV's own threads would contend


class Pool:
    """`map` in order, on every core; serial where there is one core or one item.

    Use as a context manager; the workers start at the first `map` that needs them.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or cores()
        self._executor = None

    def map(self, fn, items, chunksize: int = 8) -> list:
        """`[fn(item) for item in items]`, computed on every core. `fn` must be a module-level
        function (it is sent to the workers by name)."""
        items = list(items)
        if self.workers < 2 or len(items) < 2:
            return [fn(item) for item in items]
        if self._executor is None:
            self._executor = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_one_thread)
        chunksize = max(1, min(chunksize, len(items) // (2 * self.workers)))
        return list(self._executor.map(fn, items, chunksize=chunksize))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._executor is not None:
            self._executor.shutdown()
