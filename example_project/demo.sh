#!/usr/bin/env bash
# thred_django demo: a multi-tenant sales platform syncing its merchants' books to Thred.
#
#   example_project/demo.sh
#
# From a fresh clone (Debian, Python 3.11 with python3-venv): creates .venv at the repo
# root if missing, installs the package with its dev extra, migrates, seeds demo data
# (skipped when already seeded), creates the admin login demo / thred-demo, serves the
# site with gunicorn on 127.0.0.1:$PORT (the embedded Thred sandbox over real HTTP),
# runs the django-q2 cluster until the outbox is drained, prints what reached the
# sandbox, and stops everything it started. Idempotent; exits non-zero when any record
# failed to sync (or the sandbox disagrees with the database).
#
# Knobs (environment): PORT (8000), DEMO_BUSINESSES (3), DEMO_PER_BUSINESS (20),
# DEMO_SEED (1), DEMO_SYNC_TIMEOUT seconds (300), DEMO_PASSWORD (thred-demo),
# DEMO_LOG_DIR (example_project/.demo), PYTHON (python3), plus the project's own settings
# variables (DATABASE_URL, REDIS_URL, THRED_*; see example_project/config/settings.py).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="$ROOT/example_project"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
LOGS="${DEMO_LOG_DIR:-$EXAMPLE/.demo}"
export PORT="${PORT:-8000}"
BUSINESSES="${DEMO_BUSINESSES:-3}"
PER_BUSINESS="${DEMO_PER_BUSINESS:-20}"
SEED="${DEMO_SEED:-1}"
SYNC_TIMEOUT="${DEMO_SYNC_TIMEOUT:-300}"
PASSWORD="${DEMO_PASSWORD:-thred-demo}"
PIDS=()

say() { printf '\n==> %s\n' "$*"; }

stop_started() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_started EXIT

manage() { "$PY" "$EXAMPLE/manage.py" "$@"; }

# --- 1. Python environment -------------------------------------------------------------
if [ ! -x "$PY" ]; then
  say "Creating the virtualenv $VENV"
  "${PYTHON:-python3}" -m venv "$VENV" || {
    echo "Could not create a virtualenv; on Debian: sudo apt-get install python3-venv" >&2
    exit 1
  }
fi
# Same stamp as scripts/test.sh: reinstall only when pyproject.toml changed.
STAMP="$VENV/.thred-installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
  say "Installing thred-django with its dev extra"
  "$PY" -m pip install --quiet --upgrade pip
  (cd "$ROOT" && "$PY" -m pip install --quiet -e ".[dev]")
  touch "$STAMP"
fi

# --- 2. Database and demo data ----------------------------------------------------------
mkdir -p "$LOGS"
say "Migrating"
manage migrate --noinput -v 0
say "Seeding $BUSINESSES businesses x $PER_BUSINESS records per resource (seed $SEED)"
manage seed_demo --businesses "$BUSINESSES" --per-business "$PER_BUSINESS" --seed "$SEED" \
  --if-empty --json >"$LOGS/manifest.json"
echo "    manifest of what Thred should hold: $LOGS/manifest.json"
manage demo_user --username demo --password "$PASSWORD"

# --- 3. The site (serving the embedded sandbox) and the queue ----------------------------
if "$PY" - "$PORT" <<'PY'
import socket, sys
with socket.socket() as s:
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
then
  echo "Port $PORT on 127.0.0.1 is already in use; stop that server or set PORT." >&2
  exit 1
fi
say "Starting gunicorn on http://127.0.0.1:$PORT (log: $LOGS/gunicorn.log)"
GUNICORN_OPTS=(--chdir "$EXAMPLE" --bind "127.0.0.1:$PORT" --workers 2 --timeout 60)
GUNICORN_OPTS+=(--access-logfile -)
if "$VENV/bin/gunicorn" --help | grep -q -- --no-control-socket; then
  GUNICORN_OPTS+=(--no-control-socket) # one per user by default: two demos would clash
fi
"$VENV/bin/gunicorn" config.wsgi "${GUNICORN_OPTS[@]}" >"$LOGS/gunicorn.log" 2>&1 &
PIDS+=("$!")
"$PY" - "$PORT" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/admin/login/"
deadline = time.monotonic() + 30
while True:
    try:
        urllib.request.urlopen(url, timeout=2)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"gunicorn did not answer {url} within 30 s")
        time.sleep(0.2)
PY
say "Starting the django-q2 cluster (log: $LOGS/qcluster.log)"
# Started directly (not through the manage function) so that $! is the cluster's own
# pid: SIGTERM to it stops its sentinel and workers too.
"$PY" "$EXAMPLE/manage.py" qcluster >"$LOGS/qcluster.log" 2>&1 &
PIDS+=("$!")

# --- 4. Wait until nothing is pending, retrying or in flight ---------------------------
say "Syncing to the sandbox (up to $SYNC_TIMEOUT s)"
deadline=$((SECONDS + SYNC_TIMEOUT))
while :; do
  waiting="$(manage thred_status --json | "$PY" -c '
import json, sys
data = json.load(sys.stdin)
print(sum(n for states in data["resources"].values() for s, n in states.items()
          if s in ("pending", "retrying", "in_flight")))')"
  printf '\r    records still to sync: %-8s' "$waiting"
  if [ "$waiting" = "0" ]; then
    echo
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo
    echo "Timed out with $waiting record(s) still to sync; see $LOGS/qcluster.log" >&2
    break
  fi
  sleep 2
done

# --- 5. Report ----------------------------------------------------------------------------
say "Summary"
status=0
manage demo_summary || status=$?
stop_started
PIDS=()

cat <<MSG

Open the admin (it also serves the sandbox at /thred-sandbox/):
    $PY example_project/manage.py runserver
    then http://127.0.0.1:8000/admin/  (login: demo, password: $PASSWORD)
Keep edits syncing: run  $PY example_project/manage.py qcluster  next to it.
Outbox status any time:  $PY example_project/manage.py thred_status
MSG
exit "$status"
