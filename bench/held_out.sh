#!/usr/bin/env bash
# One `best` run held out from validation, in a fresh clone of this repository on main's
# data, with any settings given: validation accuracy (reports/training.json), then
# bench/handwriting.py on validation digits (pen lifts, unbroken, numbers).
#
#   bench/held_out.sh EPOCHS SEED [-S key=value ...]
set -euo pipefail
epochs=$1; seed=$2; shift 2
source "$(dirname "$0")/clone.sh" --main-data
dvc exp run -q -S recipe=best -S epochs="$epochs" -S best.train_on=train -S seed="$seed" "$@" \
  > "$work/run.log" 2>&1 || { tail "$work/run.log"; exit 1; }
echo "seed $seed, $epochs epochs $*: $(python -c "import json; t = json.load(open('reports/training.json')); print('val accuracy', t['final_val_accuracy'], 'train', t['train_seconds'], 's', t['computed_in'])")"
python bench/handwriting.py --model data/model/model.keras --numbers 300 | sed 's/^/  /'
