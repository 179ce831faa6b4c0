"""A canary for numerics: a tiny fixed model trained for a few steps, its weights' digest
compared with the one recorded for this kind of CPU.

TensorFlow promises repeatable results on one machine only: other CPU instructions (AVX2
against AVX-512, oneDNN's kernels for each) give other weights from the same code and seed. So
the digests are keyed by what decides the numerics: the CPU's model and instruction-set flags,
and the cores TensorFlow may use. On a recorded CPU a different digest fails: a library
upgrade or a change to the training code moved the numerics (a retrain gives other weights
than the committed `dvc.lock`). On an unrecorded CPU the test is skipped, printing the key and
digest to add to tests/numerics.json.
"""

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

DIGESTS = Path(__file__).with_name("numerics.json")
ISA_FLAGS = re.compile(r"^(sse4_2|avx|avx2|fma|f16c|avx_vnni|avx512\w*|amx\w*)$")


def cpu_key() -> str:
    """CPU model, family and ISA flags (from /proc/cpuinfo) and the cores this process has."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    fields = dict(re.findall(r"^(model name|cpu family|model)\s*:\s*(.*)$", info, re.M))
    flags = re.search(r"^flags\s*:\s*(.*)$", info, re.M)
    isa = sorted(f for f in (flags.group(1).split() if flags else []) if ISA_FLAGS.match(f))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{fields.get('model name', 'unknown CPU')} (family {fields.get('cpu family', '?')}"
            f", model {fields.get('model', '?')}); {' '.join(isa) or 'no ISA flags'}; "
            f"{cores} cores")


def weights_digest(mnist, threads: int = 0, dtype: str = "float32") -> str:
    """SHA-256 of the weights of a narrow keras-example network after 20 Adam steps, computed
    in `dtype` on `threads` threads (0: TensorFlow's choice)."""
    from digits import models, training

    training.setup_runtime(seed=0, threads=threads)
    model = models.make_model("keras-example", width=8, dropout=0.5, dtype=dtype)
    model.compile("adam", "categorical_crossentropy")
    x, y = mnist["x_train"][:640, ..., None], training.one_hot(mnist["y_train"][:640])
    model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_training_numerics_match_those_recorded_for_this_cpu(mnist, dtype):
    # bfloat16: what `best` computes in where the CPU has it (`precision: auto`), recorded
    # under its own key.
    from digits import training

    if dtype == "bfloat16" and not training.bfloat16_units():
        pytest.skip("no bfloat16 units on this CPU: `best` trains in float32 here")
    recorded = json.loads(DIGESTS.read_text())
    key = cpu_key() + ("; bfloat16" if dtype == "bfloat16" else "")
    digest = weights_digest(mnist, dtype=dtype)
    if key not in recorded:
        pytest.skip(f"unrecorded CPU: add to {DIGESTS.relative_to(ROOT)}: "
                    f"{json.dumps({key: digest})}")
    assert digest == recorded[key], (
        f"on {key} the canary's weights changed: {digest} against the recorded "
        f"{recorded[key]}. A library or training-code change moved the numerics.")
