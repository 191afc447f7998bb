"""Shared helpers of the benchmark scripts: databases, child processes, tables, probes.

Every benchmark is a parent that prepares fresh databases and runs each measurement in
its own child process (``<script> --child …``), so a number such as peak RSS or a query
count belongs to that measurement alone. Children print one JSON line (their result) as
the last line of stdout.

Databases: SQLite files under ``$BENCH_DIR`` (default /tmp/thred-bench) and PostgreSQL
databases ``thred_bench_*`` on ``$BENCH_PG_URL`` (default
postgres://postgres@127.0.0.1:5433). A migrated template is built once per parent run
and copied (SQLite) or used as ``CREATE DATABASE … TEMPLATE`` (PostgreSQL), so a fresh
database costs a fraction of a second. ``--db sqlite`` / ``--db postgres`` pick one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_project"
PY = os.environ.get("BENCH_PYTHON") or (
    str(ROOT / ".venv" / "bin" / "python")
    if (ROOT / ".venv" / "bin" / "python").exists()
    else sys.executable
)
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/thred-bench"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5433").rstrip("/")
# PG_URL as messages show it: a password in it is masked.
PG_SHOWN = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", PG_URL)
# Scratch PostgreSQL databases are named <BENCH_PG_PREFIX>_<name> (default thred_bench_…).
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "thred_bench")
SETTINGS = "benchmarks.settings"

for _path in (str(ROOT), str(EXAMPLE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)
# BENCH_CODE: a checkout whose thred_django this process runs instead (before/after).
if os.environ.get("BENCH_CODE"):
    sys.path.insert(0, os.environ["BENCH_CODE"])


# --- arguments ----------------------------------------------------------------------------


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--db",
        choices=("sqlite", "postgres", "both"),
        default=os.environ.get("BENCH_DB", "both"),
        help="database(s) to run on (default: both; PostgreSQL is skipped if unreachable)",
    )
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    return p


def db_kinds(choice: str, *, need_postgres: bool = False) -> list[str]:
    kinds = ["sqlite", "postgres"] if choice == "both" else [choice]
    if need_postgres:
        kinds = ["postgres"]
    if "postgres" in kinds and not pg_available():
        print(f"# PostgreSQL at {PG_SHOWN} is not reachable: skipped", file=sys.stderr)
        kinds.remove("postgres")
    return kinds


# --- databases ----------------------------------------------------------------------------


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_connections_free() -> tuple[int, int]:
    """(connections a non-superuser may still open, max_connections) on the server."""
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres") as conn:
        limit = int(conn.execute("SHOW max_connections").fetchone()[0])
        reserved = int(conn.execute("SHOW superuser_reserved_connections").fetchone()[0])
        used = int(conn.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0])
    return limit - reserved - used, limit


def pg_version() -> str:
    try:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres") as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])
    except Exception:
        return "unavailable"


_templates: dict[str, str] = {}


def _template(kind: str) -> str:
    """A migrated database to copy fresh ones from (built once per parent process)."""
    if kind in _templates:
        return _templates[kind]
    if kind == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        path = WORK / "template.sqlite3"
        _remove_sqlite(path)
        url = f"sqlite:///{path}"
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_PREFIX}_template WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_PREFIX}_template")
        url = f"{PG_URL}/{PG_PREFIX}_template"
    manage(env_for(url), "migrate", "--noinput", "-v", "0")
    if kind == "sqlite":
        import sqlite3

        with sqlite3.connect(path) as conn:  # fold the WAL into the file before copying it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _templates[kind] = url
    return url


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def fresh_database(kind: str, name: str) -> str:
    """The DATABASE_URL of a new, migrated, empty database called ``name``."""
    template = _template(kind)
    if kind == "sqlite":
        path = WORK / f"{name}.sqlite3"
        _remove_sqlite(path)
        shutil.copyfile(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"
    db = f"{PG_PREFIX}_{name}"
    _pg_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {db} TEMPLATE {PG_PREFIX}_template")
    return f"{PG_URL}/{db}"


def drop_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        _remove_sqlite(Path(url.removeprefix("sqlite:///")))
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def kind_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


# --- processes ----------------------------------------------------------------------------


def env_for(database_url: str, **extra: Any) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(EXAMPLE)]),
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def manage(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, str(EXAMPLE / "manage.py"), *args], env=env, check=True, cwd=ROOT, **kwargs
    )


def seeded_database(name: str, businesses: int, per_business: int) -> tuple[str, dict[str, str]]:
    """A fresh PostgreSQL database holding ``seed_demo``'s data (seed 1), every row marked
    by ``thred_backfill``: its URL and the environment of its ``manage.py`` (queue mode)."""
    url = fresh_database("postgres", name)
    env = env_for(url, THRED_SYNC_MODE="disabled")
    with open(os.devnull, "w") as devnull:
        manage(
            env,
            "seed_demo",
            "--businesses",
            str(businesses),
            "--per-business",
            str(per_business),
            "--seed",
            "1",
            "--json",
            stdout=devnull,
            stderr=devnull,
        )
        env["THRED_SYNC_MODE"] = "queue"
        manage(env, "thred_backfill", stdout=devnull, stderr=devnull)
    return url, env


def worktree(commit: str) -> Path:
    """A checkout of ``commit`` under WORK (git worktree), made once."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = WORK / f"at-{sha}"
    if not tree.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), sha],
            check=True,
            capture_output=True,
        )
    return tree


def run_child(script: str, args: Sequence[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``script --child args`` and return the JSON of its last stdout line."""
    proc = subprocess.run(
        [PY, str(Path(script).resolve()), "--child", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout)
        raise SystemExit(f"{script} child failed with exit code {proc.returncode}")
    return json.loads(lines[-1])


def child_result(result: dict[str, Any]) -> None:
    print(json.dumps(result, default=str), flush=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.2)


class Gunicorn:
    """gunicorn serving the example project (and so the sandbox) on a free port.

    ``server="granian"`` serves the same WSGI application with granian instead (Rust
    HTTP, the application on ``threads`` Python threads per process; the ``bench``
    extra): ``workers`` processes, and ``threads`` their blocking threads."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        log: Path,
        threads: int = 0,
        server: str = "gunicorn",
        probe: Path | None = None,
    ) -> None:
        self.threads = threads
        self.server = server
        # With ``probe`` (a directory), the application is ``benchmarks.wsgi_probe``'s:
        # the CPU of its calls, per process, in that directory (``probe_totals``).
        self.probe = probe
        self.app = "benchmarks.wsgi_probe:application" if probe else "config.wsgi:application"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "THRED_SITE_URL": self.url}
        # The flag only in the server's own processes (benchmarks/settings.py); the
        # workers and steps that take ``self.env`` keep the example's database settings.
        self.server_env = {**self.env, "BENCH_SANDBOX_SERVER": "1"}
        if probe:
            path = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
            self.server_env.update(PYTHONPATH=path, BENCH_PROBE_DIR=str(probe))
        self.workers = workers
        self.log = log
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        if self.server == "granian":
            granian = str(Path(PY).parent / "granian")
            args = [granian, "--interface", "wsgi", "--working-dir", str(EXAMPLE)]
            args += ["--host", "127.0.0.1", "--port", str(self.port)]
            args += ["--workers", str(self.workers), "--http", "1", "--no-ws"]
            args += ["--log-level", "warning", "--no-access-log"]
            if self.threads:
                args += ["--blocking-threads", str(self.threads)]
            return [*args, self.app]
        gunicorn = str(Path(PY).parent / "gunicorn")
        args = [gunicorn, self.app, "--chdir", str(EXAMPLE)]
        args += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        args += ["--timeout", "120", "--log-level", "warning"]
        if self.threads:  # gthread workers keep connections alive (sync workers close)
            args += ["--worker-class", "gthread", "--threads", str(self.threads)]
            args += ["--keep-alive", "30"]
        help_text = subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout
        if "--no-control-socket" in help_text:
            args.append("--no-control-socket")
        return args

    def __enter__(self) -> Gunicorn:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        if self.probe:
            shutil.rmtree(self.probe, ignore_errors=True)
        self.proc = subprocess.Popen(
            self.command(), env=self.server_env, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        wait_for_http(f"{self.url}/thred-sandbox/v1/platform/businesses/")
        return self

    def pids(self) -> list[int]:
        """The server's processes: the parent and every descendant."""
        assert self.proc is not None
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children(pid)
        return found

    def probe_totals(self) -> dict[str, float]:
        """Calls, their CPU and the processes' CPU so far (``benchmarks/wsgi_probe.py``),
        once every process has written what it counted (twice a second)."""
        assert self.probe is not None
        time.sleep(1.0)
        found = {"calls": 0.0, "app_cpu": 0.0, "process_cpu": 0.0}
        for path in self.probe.glob("*.json"):
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            for key in found:
                found[key] += data[key]
        return found

    def __exit__(self, *exc: Any) -> None:
        stop(self.proc)


def stop(proc: subprocess.Popen | None, timeout: float = 15.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- probes -------------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds of these processes (from /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


class Sampler:
    """Calls ``sample()`` every ``interval`` seconds in a background thread while its
    ``with`` block runs, and once more at its end."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


class CpuTracker(Sampler):
    """CPU seconds used during a run by the processes whose command line contains
    ``needle`` (e.g. the PostgreSQL backends serving one database: their process title
    names it), including processes that start and exit during the run (sampled)."""

    def __init__(self, needle: str, interval: float = 0.2) -> None:
        super().__init__(interval)
        self.needle = needle.encode()
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def _scan(self) -> dict[int, float]:
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.needle in (entry / "cmdline").read_bytes():
                    found[int(entry.name)] = cpu_seconds([int(entry.name)])
            except OSError:
                continue
        return found

    def sample(self) -> None:
        for pid, cpu in self._scan().items():
            self.first.setdefault(pid, cpu)
            self.last[pid] = cpu

    def __enter__(self) -> Self:
        self.first = self._scan()  # processes already there count from now
        self.last = dict(self.first)
        return super().__enter__()

    @property
    def seconds(self) -> float:
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


class ConnectionCounter(Sampler):
    """The most PostgreSQL connections named ``application`` (``application_name``, see
    ``BENCH_DB_APPLICATION``) open at once during a run, from ``pg_stat_activity``
    (sampled)."""

    def __init__(self, database_url: str, application: str, interval: float = 0.1) -> None:
        import psycopg

        super().__init__(interval)
        self.application = application
        self.peak = 0
        self._conn = psycopg.connect(database_url, autocommit=True)

    def sample(self) -> None:
        row = self._conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (self.application,),
        ).fetchone()
        self.peak = max(self.peak, row[0] if row else 0)

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        self._conn.close()


def system_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


def rss_mb(kind: str = "VmRSS") -> float:
    """This process's resident set (VmRSS) or its peak (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(kind + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(Sampler):
    """Samples this process's RSS every ``interval`` seconds in a background thread."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(interval)
        self.samples: list[tuple[float, float]] = []
        self._t0 = time.monotonic()

    def sample(self) -> None:
        self.samples.append((time.monotonic() - self._t0, rss_mb()))


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100]."""
    data = sorted(values)
    if not data:
        return float("nan")
    pos = (len(data) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


# --- output -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    info = subprocess.run(
        [
            PY,
            "-c",
            "import django, sqlite3, httpx, gunicorn, django_q, sys; "
            "print(sys.version.split()[0], django.get_version(), sqlite3.sqlite_version, "
            "httpx.__version__, gunicorn.__version__, "
            "__import__('importlib.metadata').metadata.version('django-q2'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": info[0],
        "django": info[1],
        "sqlite": info[2],
        "httpx": info[3],
        "gunicorn": info[4],
        "django-q2": info[5],
        "postgresql": pg_version(),
    }


def print_machine() -> None:
    m = machine()
    print(
        f"# machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram']} RAM; Python {m['python']}, "
        f"Django {m['django']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}, "
        f"httpx {m['httpx']}, gunicorn {m['gunicorn']}, django-q2 {m['django-q2']}"
    )


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(least, median, most) of ``values``: runs on a shared machine, summed up."""
    ordered = sorted(values)
    return ordered[0], statistics.median(ordered), ordered[-1]


def table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table (readable in a terminal too)."""
    body = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(headers)
    ]
    out = [f"\n### {title}\n"]
    out.append("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in body:
        out.append("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    text = "\n".join(out)
    print(text, flush=True)
    return text


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "—"
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def write_json(path: str | None, data: Any) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2, default=str))
