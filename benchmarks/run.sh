#!/usr/bin/env bash
# Run every thred_django benchmark and print its tables (Markdown).
#
#   benchmarks/run.sh            # full sizes, about 35 minutes on 2 CPUs
#   benchmarks/run.sh --quick    # smaller sizes, about 5 minutes (a smoke run)
#
# Needs the dev virtualenv (.venv, as scripts/test.sh makes it) and, for the push,
# latency and scale-out benchmarks, PostgreSQL: BENCH_PG_URL (default
# postgres://postgres@127.0.0.1:5433) with a superuser that may create databases (named
# ${BENCH_PG_PREFIX}_*, default thred_bench_*). Scratch files go to BENCH_DIR
# (/tmp/thred-bench); the whole output is also saved there as results-<time>.md.
# Each script runs alone too: benchmarks/bench_save.py --help, etc.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY="${BENCH_PYTHON:-$ROOT/.venv/bin/python}"
OUT_DIR="${BENCH_DIR:-/tmp/thred-bench}"
mkdir -p "$OUT_DIR"
OUT="$OUT_DIR/results-$(date +%Y%m%d-%H%M%S).md"

if [ "${1:-}" = "--quick" ]; then
  SAVE=(--n 2000 --repeat 1)
  BACKFILL=(--n 20000)
  PUSH=(--records 2000 --rounds 1)
  LATENCY=(--saves 100)
  MEMORY=(--records 5000,20000)
  RECONCILE=(--records 2000,10000)
  SCALEOUT=(--records 1000 --businesses 12)
  THROUGHPUT=(--one 1000 --many 2000 --time-limit 30)
  CPU=(--records 1000)
  CLAIMS=(--history 50000 --due 10000 --businesses 100 --claims 50)
else
  SAVE=()
  BACKFILL=()
  PUSH=()
  LATENCY=()
  MEMORY=()
  RECONCILE=()
  SCALEOUT=()
  THROUGHPUT=()
  CPU=()
  CLAIMS=()
fi

# The bench extra (granian, a server of the sandbox in bench_throughput.py).
"$PY" -c "import granian" 2>/dev/null || "$PY" -m pip install -q -e "$ROOT[dev,bench]"

{
  echo "# thred_django benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$PY" "$HERE/bench_save.py" "${SAVE[@]}"
  "$PY" "$HERE/bench_backfill.py" "${BACKFILL[@]}"
  "$PY" "$HERE/bench_push.py" "${PUSH[@]}"
  "$PY" "$HERE/bench_latency.py" "${LATENCY[@]}"
  "$PY" "$HERE/bench_memory.py" "${MEMORY[@]}"
  "$PY" "$HERE/bench_reconcile.py" "${RECONCILE[@]}"
  "$PY" "$HERE/bench_scaleout.py" "${SCALEOUT[@]}"
  "$PY" "$HERE/bench_throughput.py" "${THROUGHPUT[@]}"
  "$PY" "$HERE/bench_cpu.py" "${CPU[@]}"
  "$PY" "$HERE/bench_claims.py" "${CLAIMS[@]}"
  echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$OUT"
echo "# saved to $OUT"
