#!/usr/bin/env bash
# README's two recipe lines, timed side by side in a fresh clone of this repository:
# keras-example and fast alternately, ROUNDS times each (default 2), after the stages
# upstream of train (download, preprocess, prepare_outside) have run once, untimed.
#
#   bench/exp_speed.sh [ROUNDS]
#
# Prints each run's wall time, the medians and fast's ratio to keras-example.
set -euo pipefail
rounds=${1:-2}
source "$(dirname "$0")/clone.sh"
dvc repro prepare_outside >/dev/null

timed() {  # label, then the command: prints "label seconds"
  local label=$1; shift
  local start=$EPOCHREALTIME
  "$@" > "$work/$label.log" 2>&1
  echo "$label $(python -c "print(round($EPOCHREALTIME - $start, 1))")"
}
for round in $(seq "$rounds"); do
  timed keras-example dvc exp run -S recipe=keras-example -S epochs=15
  timed fast dvc exp run -S recipe=fast -S epochs=3 -S batch_size=256
done | tee "$work/times"
python - "$work/times" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    label, seconds = line.split()
    times.setdefault(label, []).append(float(seconds))
keras, fast = statistics.median(times["keras-example"]), statistics.median(times["fast"])
print(f"medians: keras-example {keras:.1f} s, fast {fast:.1f} s; fast / keras-example = "
      f"{fast / keras:.3f}")
PY
grep -h "evaluate:\|export:" "$work"/fast.log | head -2
