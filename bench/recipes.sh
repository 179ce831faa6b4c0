#!/usr/bin/env bash
# Queues the recipes as DVC experiments, runs them one at a time (so no two share the two
# cores and the training times compare), and prints one table from `dvc exp show`.
#
#   bench/recipes.sh                  # fast, reference and best: about 90 minutes on a 2-core CPU
#   bench/recipes.sh fast             # keras-example against fast (3 seeds, 1 and 2 threads): 15 min
#                                     # (each experiment also runs evaluate and export: ~25 s)
#   bench/recipes.sh fast best        # ... and best with seeds 1 and 2 (seed 0 is main's run)
#   bench/recipes.sh reference        # Keras 2's network on 55,000 and on 59,000 digits
#   bench/recipes.sh bands            # main's recipe, seeds 0, 1, 2, after keras-example: the
#                                     # band and the time ratio of one batch (about an hour)
#   SET="augment.cut_probability=0.3" bench/recipes.sh bands   # ... a candidate change to it
#   SEEDS="3 4" bench/recipes.sh bands   # ... other seeds, to widen a band (after keras-example)
#   bench/recipes.sh timing           # main's own run again between two keras-example runs:
#                                     # best's time as a ratio on this CPU, and a check that
#                                     # the run repeats main's figures exactly (90 min
#                                     # on a 2-core AMD EPYC)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

queue() { dvc exp run --queue "$@" >/dev/null; }
base=$(git rev-parse --short HEAD)  # the experiments of this batch are queued on it
candidate=()                        # SET's settings, for main's recipe in the bands group
for setting in ${SET:-}; do candidate+=(-S "$setting"); done
groups="${*:-fast reference best}"

for group in $groups; do
  case $group in
    fast)
      queue -S recipe=keras-example -S epochs=15 -S seed=0
      for seed in 0 1 2; do
        queue -S recipe=fast -S epochs=3 -S batch_size=256 -S seed=$seed
      done
      queue -S recipe=fast -S epochs=3 -S batch_size=256 -S seed=0 -S threads=1 ;;
    reference)
      queue -S recipe=reference -S epochs=12 -S seed=0
      queue -S recipe=reference -S epochs=12 -S seed=0 -S preprocess.val_size=1000 ;;
    best)
      for seed in 1 2; do
        queue -S recipe=best -S epochs=32 -S seed=$seed
      done ;;
    bands)
      queue -S recipe=keras-example -S epochs=15 -S seed=0
      for seed in ${SEEDS:-0 1 2}; do
        queue -S seed=$seed "${candidate[@]}"
      done ;;
    timing)
      # Forced: DVC's run cache would otherwise restore these stages instead of running them.
      queue -f -S recipe=keras-example -S epochs=15 -S seed=0
      queue -f
      queue -f -S recipe=keras-example -S epochs=15 -S seed=0 ;;
    *) echo "unknown group: $group (fast, reference, best, bands, timing)" >&2; exit 2 ;;
  esac
done

dvc queue start -j 1
# (grep without -q reads to the end: with pipefail, -q would end the loop on SIGPIPE)
while dvc queue status | grep -E "Queued|Running" >/dev/null; do sleep 20; done
dvc queue status
python bench/exp_table.py --rev "$base"
