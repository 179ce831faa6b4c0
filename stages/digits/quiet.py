"""TensorFlow started without its start-up notices; its real warnings still reach stderr.

Importing TensorFlow prints the same lines in every process (oneDNN's round-off notice, the
CPU-feature notice, absl's "log messages before InitializeLog" line), several times per
`dvc repro`. No environment variable silences them in TensorFlow 2.21 (they are written
before `TF_CPP_MIN_LOG_LEVEL` is read), so this module imports TensorFlow with stderr's file
descriptor pointed at a temporary file and passes on every other line.

It also keeps scikit-learn out of that import: Keras's scikit-learn wrappers (which this
project does not use) import it at start-up, a fifth of TensorFlow's start (1.1–1.5 s of 5–7 s
on 2 cores, `python -X importtime -c "import tensorflow"`), paid by every `dvc exp run` in
`train` and `export`. Those wrappers are then unavailable in the process; scikit-learn itself
can still be imported afterwards.

Imported first by the stages that run Keras: the import does the work, once per process.
"""

import os
import re
import sys
import tempfile

NOTICES = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|I\d{4} [\d:. ]+\d+ (port|cpu_feature_guard)\.cc:\d+\]"
    r"|To enable the following instructions: .*rebuild TensorFlow")


def passed_on(text: str) -> str:
    """`text` without the start-up notices, every other line kept in order."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not NOTICES.match(line))


def _import_tensorflow():
    sys.stderr.flush()
    saved = os.dup(2)
    unseen = "sklearn" not in sys.modules
    if unseen:
        sys.modules["sklearn"] = None  # `import sklearn` raises ImportError, which Keras expects
    with tempfile.TemporaryFile(mode="w+b") as caught:
        os.dup2(caught.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            if unseen:
                del sys.modules["sklearn"]
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            sys.stderr.write(passed_on(caught.read().decode(errors="replace")))
            sys.stderr.flush()


if "tensorflow" not in sys.modules:
    _import_tensorflow()
