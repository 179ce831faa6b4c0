#!/usr/bin/env bash
# Does a gap augmentation (augment.lift_probability) teach the model pen lifts? `best`, held
# out from validation, for EPOCHS epochs (default 6), with and without it, for each seed
# given (default 0 1): bench/held_out.sh for each, in a fresh clone of this repository.
#
#   bench/lift_trial.sh [EPOCHS] [PROBABILITY] [SEEDS...]
set -euo pipefail
epochs=${1:-6}; probability=${2:-0.3}; shift $(( $# > 2 ? 2 : $# )); seeds=${*:-0 1}
for seed in $seeds; do
  for lift in 0.0 "$probability"; do
    "$(dirname "$0")/held_out.sh" "$epochs" "$seed" -S augment.lift_probability="$lift"
  done
done
