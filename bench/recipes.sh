#!/usr/bin/env bash
# Queues the recipes as DVC experiments, runs them one at a time (so no two share the two
# cores and the training times compare), and prints one table from `dvc exp show`.
#
#   bench/recipes.sh            # the full comparison: about an hour on a 2-core CPU
#   bench/recipes.sh quick      # keras-example against fast only: about 6 minutes
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

queue() { dvc exp run --queue "$@" >/dev/null; }

queue -S recipe=keras-example -S epochs=15 -S seed=0
for seed in 0 1 2; do
  queue -S recipe=fast -S epochs=3 -S seed=$seed
done
queue -S recipe=fast -S epochs=3 -S seed=0 -S threads=1
if [ "${1:-}" != quick ]; then
  queue -S recipe=reference -S epochs=12 -S seed=0
  queue -S recipe=reference -S epochs=12 -S seed=0 -S preprocess.val_size=1000
  for seed in 1 2; do  # seed 0 is main's own run
    queue -S recipe=best -S epochs=28 -S seed=$seed
  done
fi

dvc queue start -j 1
while dvc queue status | grep -qE "Queued|Running"; do sleep 20; done
dvc queue status
python bench/exp_table.py --all
