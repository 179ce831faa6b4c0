#!/usr/bin/env bash
# A bench script run in turns at another commit and at this working tree, so that a change's
# timing is a ratio measured side by side on a noisy machine. The other commit is checked out
# in a temporary git worktree that reads this tree's data/prepared.
#
#   bench/ab.sh REV ROUNDS bench/SCRIPT.py [args ...]
#   bench/ab.sh 2abf2a0 3 bench/epoch_profile.py
set -euo pipefail
rev=$1; rounds=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
other=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$other"' EXIT
git -C "$root" worktree add -q --detach "$other" "$rev"
mkdir -p "$other/data/prepared"
for npz in "$root"/data/prepared/*.npz; do ln -sf "$npz" "$other/data/prepared/"; done
python=${PYTHON:-python}
for round in $(seq "$rounds"); do
  echo "== round $round, $rev"
  (cd "$other" && "$python" "$@" 2>&1 | grep -v -e WARNING -e Warning -e "^  self\." -e oneDNN -e cpu_feature -e rebuild)
  echo "== round $round, this tree"
  (cd "$root" && "$python" "$@" 2>&1 | grep -v -e WARNING -e Warning -e "^  self\." -e oneDNN -e cpu_feature -e rebuild)
done
