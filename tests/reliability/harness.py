"""Real processes around the example project: a database of its own, gunicorn serving it
(the embedded sandbox included) on a free loopback port, and sync workers
(``manage.py thred_sync --until-idle``) that can be started, waited for and SIGKILLed.
Another project can be served the same way (``Project``: the lifecycle suite's
realhost site, tests/lifecycle/site.py).

Every process runs the example project with ``tests.reliability.example_settings`` (the
project's settings plus THRED overrides and DEBUG logging) and writes its stdout and
stderr to its own file under ``Site.logs``, for the security suite to scan.

The database is an SQLite file (WAL, as the project configures it) unless the suite's
``DATABASE_URL`` is a PostgreSQL URL: then a dedicated database ``<name>_<label>_<hex>``
is created next to the suite's own with psycopg and dropped afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO / "example_project"
MANAGE = EXAMPLE_DIR / "manage.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"
SCRIPTS = Path(__file__).resolve().parent / "scripts"
SETTINGS_MODULE = "tests.reliability.example_settings"

# Variables of the suite (or the developer's shell) that must not leak into the project.
_SCRUBBED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "PORT")


@dataclass(frozen=True)
class Project:
    """How to run a Django project: its manage command, directory, settings and WSGI app."""

    manage: tuple[str, ...] = (sys.executable, str(MANAGE))
    cwd: Path = EXAMPLE_DIR
    settings: str = SETTINGS_MODULE
    wsgi: str = "config.wsgi"


EXAMPLE = Project()


def suite_postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "") -> Any:
    """Poll ``predicate()`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Database:
    """One database for one example-project site; ``url`` for DATABASE_URL."""

    vendor: str
    url: str

    def scalar(self, sql: str) -> Any:
        raise NotImplementedError

    def drop(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    vendor = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.path = directory / "example.sqlite3"
        self.url = f"sqlite:///{self.path}"

    _conn: sqlite3.Connection | None = None

    def scalar(self, sql: str) -> Any:
        if self._conn is None:  # one read-only connection, reused by every poll
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        return self._conn.execute(sql).fetchone()[0]

    def drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgresDatabase(Database):
    vendor = "postgresql"

    def __init__(self, server_url: str, label: str) -> None:
        import psycopg

        parts = urlsplit(server_url)
        base = parts.path.lstrip("/") or "postgres"
        self.name = f"{base}_{label}_{uuid.uuid4().hex[:6]}"
        self.server_url = server_url
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    _conn: Any = None

    def scalar(self, sql: str) -> Any:
        import psycopg

        if self._conn is None:  # one connection, reused by every poll
            self._conn = psycopg.connect(self.url, autocommit=True)
        return self._conn.execute(sql).fetchone()[0]

    def drop(self) -> None:
        import psycopg

        if self._conn is not None:
            self._conn.close()
            self._conn = None
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def make_database(directory: Path, label: str) -> Database:
    url = suite_postgres_url()
    return PostgresDatabase(url, label) if url else SqliteDatabase(directory)


@dataclass
class Worker:
    """One sync process."""

    name: str
    process: subprocess.Popen
    log: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=30)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Site:
    """The example project on one database, with a log directory and its processes."""

    database: Database
    logs: Path
    partner_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    api_key: str = field(default_factory=lambda: f"reliability-key-{uuid.uuid4().hex}")
    port: int = field(default_factory=free_port)
    overrides: dict[str, Any] = field(default_factory=dict)
    project: Project = EXAMPLE
    env: dict[str, str] = field(default_factory=dict)  # for every process of the site
    server: subprocess.Popen | None = None
    workers: list[Worker] = field(default_factory=list)
    _started: list[subprocess.Popen] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_file(self) -> Path:
        return self.logs / "issued-tokens.txt"

    def environment(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in _SCRUBBED and not k.startswith(("THRED", "DJANGO"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE=self.project.settings,
            DJANGO_DEBUG="0",
            DATABASE_URL=self.database.url,
            PYTHONUNBUFFERED="1",
            PORT=str(self.port),
            THRED_PARTNER_ID=self.partner_id,
            THRED_API_KEY=self.api_key,
            THRED_RELIABILITY_OVERRIDES=json.dumps(self.overrides),
        )
        env.update(self.env)
        env.update(extra)
        return env

    # --- one-shot commands ---------------------------------------------------------------
    def manage(self, *args: str, timeout: float = 600, log: str | None = None, **env: str):
        """Run ``manage.py <args>`` to completion; raise with its output if it fails."""
        result = subprocess.run(
            [*self.project.manage, *args],
            cwd=self.project.cwd,
            env=self.environment(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if log:
            (self.logs / log).write_text(
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        if result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-5000:]}\n--- stderr\n{result.stderr[-5000:]}"
            )
        return result

    def script(self, name: str, log: str | None = None) -> Any:
        """Run tests/reliability/scripts/<name> inside the project; parse its JSON output."""
        code = (SCRIPTS / name).read_text()
        result = self.manage("shell", "--no-imports", "-c", code, log=log)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0", log="migrate.log")

    def seed(self, businesses: int, per_business: int, seed: int) -> dict[str, Any]:
        result = self.manage(
            "seed_demo",
            "--businesses", str(businesses),
            "--per-business", str(per_business),
            "--seed", str(seed),
            "--json",
            log="seed.log",
            THRED_SYNC_MODE="queue",  # marks every row; nobody runs the queue
        )  # fmt: skip
        return json.loads(result.stdout)

    # --- gunicorn ---------------------------------------------------------------------------
    def serve(self, *, workers: int = 4, timeout: int = 30) -> None:
        """gunicorn on the free port (sandbox control endpoint on); wait until it answers."""
        log = open(self.logs / "gunicorn.log", "ab")  # noqa: SIM115 - closed by the process
        args = [
            str(GUNICORN), self.project.wsgi,
            "--chdir", str(self.project.cwd),
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--timeout", str(timeout),
            "--access-logfile", "-",
            "--log-level", "debug",
        ]  # fmt: skip
        if (
            "--no-control-socket"
            in subprocess.run([str(GUNICORN), "--help"], capture_output=True, text=True).stdout
        ):
            args.append("--no-control-socket")
        self.server = subprocess.Popen(
            args,
            cwd=self.project.cwd,
            env=self.environment(THRED_SANDBOX_CONTROL="1"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._started.append(self.server)
        log.close()

        def answers() -> bool:
            if self.server.poll() is not None:
                raise AssertionError(
                    "gunicorn exited:\n" + (self.logs / "gunicorn.log").read_text()[-5000:]
                )
            try:
                self.control("GET", "faults/")
                return True
            except OSError:
                return False

        wait_until(answers, timeout=60, what="gunicorn to answer")

    def control(self, method: str, path: str, body: dict | None = None) -> Any:
        """Call the sandbox's control endpoint with the partner's Basic credentials."""
        import base64

        basic = base64.b64encode(f"{self.partner_id}:{self.api_key}".encode()).decode()
        request = urllib.request.Request(
            f"{self.base_url}/thred-sandbox/_control/{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Basic {basic}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    # --- sync workers ------------------------------------------------------------------------
    def start_worker(self, *args: str, tap_tokens: bool = True) -> Worker:
        name = f"sync-{len(self.workers) + 1}"
        path = self.logs / f"{name}.log"
        extra = {"THRED_SYNC_MODE": "queue"}
        if tap_tokens:
            extra.update(
                THRED_TRANSPORT="tests.reliability.token_tap.transport",
                THRED_TOKEN_TAP_FILE=str(self.token_file),
            )
        with open(path, "wb") as log:
            process = subprocess.Popen(
                [*self.project.manage, "thred_sync", "--until-idle", *args],
                cwd=self.project.cwd,
                env=self.environment(**extra),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._started.append(process)
        worker = Worker(name, process, path)
        self.workers.append(worker)
        return worker

    def spawn(self, args: list[str], log: Path, **env: str) -> subprocess.Popen:
        """Start ``manage <args>`` in the background, its output to ``log``."""
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [*self.project.manage, *args],
                cwd=self.project.cwd,
                env=self.environment(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._started.append(process)
        return process

    # --- direct reads of the database ----------------------------------------------------------
    def count_records(self, state: str | None = None) -> int:
        where = f" WHERE state = '{state}'" if state else ""
        return int(self.database.scalar(f"SELECT COUNT(*) FROM thred_django_syncrecord{where}"))

    # --- teardown -------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop every process this site started (each by its own pid)."""
        for process in self._started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self._started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def log_files(self) -> list[Path]:
        return sorted(p for p in self.logs.iterdir() if p.suffix == ".log")


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
