#!/usr/bin/env bash
# One `best` run held out from validation, in a fresh clone of this repository on main's
# data, with any settings given: validation accuracy and loss (reports/training.json), then
# on validation digits bench/handwriting.py (pen lifts, unbroken, numbers) and
# bench/tune_outside.py's 8×8 and 16×16 renderings (scikit-learn's digits and other writers'
# scans, as made from validation digits).
#
#   bench/held_out.sh EPOCHS SEED [-S key=value ...]
#
# KEEP=DIR: the run's model.keras and model.onnx are copied into DIR (the clone is removed).
# NUMBER_SEEDS="8 9": 500 more numbers of the run's own validation digits for each seed given,
# read in the clone, whose validation split is the run's seed's.
set -euo pipefail
epochs=$1; seed=$2; shift 2
keep=${KEEP:+$(realpath -m "$KEEP")}
source "$(dirname "$0")/clone.sh" --main-data
dvc exp run -q -S recipe=best -S epochs="$epochs" -S best.train_on=train -S seed="$seed" "$@" \
  > "$work/run.log" 2>&1 || { tail "$work/run.log"; exit 1; }
if [ -n "$keep" ]; then mkdir -p "$keep" && cp data/model/model.keras data/model/model.onnx "$keep/"; fi
echo "seed $seed, $epochs epochs $*: $(python -c "import json; t = json.load(open('reports/training.json')); print('val accuracy', t['final_val_accuracy'], 'loss', round(t['final_val_loss'], 4), 'train', t['train_seconds'], 's', t['computed_in'])")"
python bench/handwriting.py --model data/model/model.keras --numbers 300 | sed 's/^/  /'
for number_seed in ${NUMBER_SEEDS:-}; do
  echo "  numbers of seed $number_seed:"
  python bench/handwriting.py --model data/model/model.keras --digits 0 --numbers 500 \
    --seed "$number_seed" | sed 's/^/    /'
done
python bench/tune_outside.py --split val --n 2000 --sets small,sixteen --model data/model/model.onnx \
  | grep -v "^  " | sed 's/^/  /'
