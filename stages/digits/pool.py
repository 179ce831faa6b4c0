"""Work spread over every core, results in input order.

Picture preprocessing is pure Python and OpenCV on one picture at a time: one process per core
reads ~2× faster on two cores. Workers are spawned, not forked, so a parent that has started
TensorFlow's or ONNX Runtime's threads is never copied mid-flight. Starting them costs about a
second (each imports NumPy, OpenCV and Pillow), so they start only once the work done in this
process has taken that long: a few small files never wait for them.
"""

import concurrent.futures
import multiprocessing
import os
import time

import cv2

START_AFTER_SECONDS = 1.0  # about what spawning two workers costs (each imports the above)


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _one_thread():
    cv2.setNumThreads(1)  # one process per core already: OpenCV's own threads would contend


class Pool:
    """`map` in order, on every core once the work has taken `START_AFTER_SECONDS` here.

    Use as a context manager, so the workers, if they started, are shut down.
    """

    def __init__(self, workers: int | None = None, start_after: float = START_AFTER_SECONDS):
        self.workers = workers or cores()
        self.start_after = start_after
        self._here = 0.0  # seconds of work done in this process so far
        self._executor = None

    def map(self, fn, items, chunksize: int = 8) -> list:
        """`[fn(item) for item in items]`. `fn` must be a module-level function (it is sent
        to the workers by name)."""
        items = list(items)
        results = []
        while (len(results) < len(items) and self._executor is None
               and (self.workers < 2 or self._here < self.start_after)):
            start = time.perf_counter()
            results.append(fn(items[len(results)]))
            self._here += time.perf_counter() - start
        rest = items[len(results):]
        if not rest:
            return results
        if self._executor is None:
            self._executor = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_one_thread)
        chunksize = max(1, min(chunksize, len(rest) // (2 * self.workers)))
        return results + list(self._executor.map(fn, rest, chunksize=chunksize))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._executor is not None:
            self._executor.shutdown()
