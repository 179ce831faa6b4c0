"""Is there a configuration that gives the same weights on two kinds of CPU? The canary of
tests/test_numerics.py (keras-example at width 8, 20 Adam steps) trained in a fresh process
for each configuration below, its digest printed beside the CPU keys of tests/numerics.json
it matches. Run it on each kind of CPU: a configuration whose digest names another CPU's key
reproduces that CPU's default numerics here.

    python bench/canary_configs.py [NAME ...]     # default: every configuration

The configurations are environment variables read when TensorFlow starts (oneDNN's ISA cap,
oneDNN on or off) and the thread count of `training.setup_runtime`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDED = json.loads((ROOT / "tests" / "numerics.json").read_text())

# name: (environment, threads)
CONFIGS = {
    "default": ({}, 0),
    "one thread": ({}, 1),
    "oneDNN ISA ≤ AVX2": ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, 0),
    "oneDNN ISA ≤ AVX2, one thread": ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, 1),
    "oneDNN ISA ≤ AVX-512": ({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}, 0),
    "oneDNN ISA ≤ AVX-512 BF16": ({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_BF16"}, 0),
    "oneDNN off": ({"TF_ENABLE_ONEDNN_OPTS": "0"}, 0),
    "oneDNN off, ISA ≤ AVX2": ({"TF_ENABLE_ONEDNN_OPTS": "0", "ONEDNN_MAX_CPU_ISA": "AVX2"}, 0),
}

# Runs in the child: the canary's own code, with the threads the configuration asks for.
CHILD = """
import sys
sys.path[:0] = [{tests!r}, {stages!r}]
from digits import config, sources
import test_numerics
cfg = config.load({params!r}).download
arrays = sources.fetch(None, cfg.cache_dir, cfg.timeout_seconds)
print(test_numerics.weights_digest(arrays, threads={threads}))
"""


def digest(env: dict, threads: int) -> str:
    code = CHILD.format(tests=str(ROOT / "tests"), stages=str(ROOT / "stages"),
                        threads=threads, params=str(ROOT / "params.yaml"))
    done = subprocess.run([sys.executable, "-c", code], env={**_base_env(), **env},
                          capture_output=True, text=True, check=True)
    return done.stdout.split()[-1]


def _base_env() -> dict:
    return {k: v for k, v in os.environ.items()
            if k not in ("ONEDNN_MAX_CPU_ISA", "TF_ENABLE_ONEDNN_OPTS")} | {
        "TF_CPP_MIN_LOG_LEVEL": "2"}


def main():
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "stages")]
    from test_numerics import cpu_key

    names = sys.argv[1:] or list(CONFIGS)
    print(f"this CPU: {cpu_key()}")
    for name in names:
        env, threads = CONFIGS[name]
        value = digest(env, threads)
        matches = [key for key, recorded in RECORDED.items() if recorded == value]
        print(f"{name:32s} {value[:12]}…  {'= ' + ' | '.join(matches) if matches else ''}")


if __name__ == "__main__":
    main()
