#!/usr/bin/env bash
# Does a gap augmentation (augment.lift_probability) teach the model pen lifts? `best`, held
# out from validation, for EPOCHS epochs (default 6), with and without it, for each seed
# given (default 0 1), in a fresh clone of this repository; after each run, validation
# accuracy (reports/training.json) and bench/handwriting.py on validation digits.
#
#   bench/lift_trial.sh [EPOCHS] [PROBABILITY] [SEEDS...]
set -euo pipefail
epochs=${1:-6}; probability=${2:-0.3}; shift $(( $# > 2 ? 2 : $# )); seeds=${*:-0 1}
source "$(dirname "$0")/clone.sh" --main-data  # the data and outside sets as main made them
for seed in $seeds; do
  for lift in 0.0 "$probability"; do
    dvc exp run -q -S recipe=best -S epochs="$epochs" -S best.train_on=train -S seed="$seed" \
      -S augment.lift_probability="$lift" > "$work/run.log" 2>&1 || { tail "$work/run.log"; exit 1; }
    echo "seed $seed, lift_probability $lift: $(python -c "import json; t = json.load(open('reports/training.json')); print('val accuracy', t['final_val_accuracy'], 'train', t['train_seconds'], 's')")"
    python bench/handwriting.py --model data/model/model.keras --numbers 300 | sed 's/^/  /'
  done
done
