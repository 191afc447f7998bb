#!/usr/bin/env bash
# Run a benchmark against the code of another commit (for before/after figures).
#
#   benchmarks/at_commit.sh <commit> <script> [args…]
#   benchmarks/at_commit.sh 2d165cd bench_push.py --records 10000
#
# Checks the commit out in a throwaway git worktree ($BENCH_DIR/at-<commit>), copies
# this checkout's benchmarks/ into it (they depend on no engine internals) and runs the
# script there with this checkout's virtualenv: the engine, the sandbox served by
# gunicorn and the example project all come from <commit>. Uncommitted changes in this
# checkout are not used.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
COMMIT="${1:?usage: at_commit.sh <commit> <script> [args…]}"
SCRIPT="${2:?usage: at_commit.sh <commit> <script> [args…]}"
shift 2
SHA="$(git -C "$ROOT" rev-parse --short "$COMMIT")"
TREE="${BENCH_DIR:-/tmp/thred-bench}/at-$SHA"

if [ ! -d "$TREE" ]; then
  mkdir -p "$(dirname "$TREE")"
  git -C "$ROOT" worktree add --detach "$TREE" "$SHA" >/dev/null
fi
rm -rf "$TREE/benchmarks"
cp -r "$HERE" "$TREE/benchmarks"
echo "# code of commit $SHA ($(git -C "$ROOT" log -1 --format=%s "$SHA" | cut -c1-70))"
export BENCH_PYTHON="${BENCH_PYTHON:-$ROOT/.venv/bin/python}"
exec "$BENCH_PYTHON" "$TREE/benchmarks/$SCRIPT" "$@"
