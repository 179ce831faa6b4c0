#!/usr/bin/env bash
# Main's training under an environment (oneDNN's ISA cap, oneDNN off...), stopped once its
# first epoch is logged: that epoch's training accuracy and loss as DVCLive wrote them, to
# set beside those main's runs logged on other CPUs (reports/train/plots/metrics/train/ in
# git history). Runs in a fresh clone of this repository, on main's prepared data.
#
#   bench/first_epoch.sh [VAR=VALUE ...]      # e.g. ONEDNN_MAX_CPU_ISA=AVX2
set -euo pipefail
source "$(dirname "$0")/clone.sh" --main-data
logs=reports/train/plots/metrics/train
rm -r reports/train  # main's own logs, committed
env "$@" python stages/train.py > "$work/train.log" 2>&1 &
pid=$!
while [ "$(cat "$logs/loss.tsv" 2>/dev/null | wc -l)" -lt 2 ]; do
  kill -0 $pid 2>/dev/null || { tail "$work/train.log"; exit 1; }
  sleep 2
done
kill $pid; wait $pid 2>/dev/null || true
echo "${*:-default}: epoch 1 accuracy $(sed -n 2p $logs/accuracy.tsv | cut -f2)," \
     "loss $(sed -n 2p $logs/loss.tsv | cut -f2);" \
     "$(grep -m1 -o '[0-9]*s - [0-9]*ms/step' "$work/train.log")"
