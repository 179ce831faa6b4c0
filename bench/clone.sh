# Sourced by the bench scripts that run in a fresh clone of this repository: puts the
# project's .venv on PATH, clones the committed tree into a temporary folder (removed on
# exit) and enters it. `origin` is the repository cloned; `work` the temporary folder.
#
#   source "$(dirname "$0")/clone.sh" [--main-data]
#
# --main-data: the clone reads main's DVC cache and checks out its data, so the stages
# upstream of train are not run again.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
origin=$PWD
export PATH="$origin/.venv/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$origin" "$work/clone"
cd "$work/clone"
if [ "${1:-}" = --main-data ]; then
  dvc cache dir --local "$origin/.dvc/cache"
  dvc checkout -q
fi
