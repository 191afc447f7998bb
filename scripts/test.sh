#!/usr/bin/env bash
# Run the whole test suite. Creates .venv and installs the package with its dev extra
# when needed. SQLite by default; set DATABASE_URL=postgres://… to run on PostgreSQL.
# Extra arguments go to pytest, e.g. `scripts/test.sh -m "not chaos" -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.thred-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi
exec .venv/bin/python -m pytest "$@"
