"""Running the django-tenants test project (tests/tenants/project) in subprocesses.

The suite runs under ``tests.settings``; this project needs its own database engine,
router, middleware and app lists, so it runs through its own ``manage.py`` with
``tests.tenants.project.settings`` on a PostgreSQL database of its own, named after the
suite's (``<suite db>_tenants_<hex>``), created from a template holding the migrated
public schema and three tenants, and dropped afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MANAGE = HERE / "project" / "manage.py"
SCRIPTS = HERE / "scripts"
TENANTS = ("acme", "bistro", "corner")

_SCRUBBED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "PORT")


def suite_postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else None


def wait_until(predicate, *, timeout: float, interval: float = 0.5, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class TenantsProject:
    database_url: str
    env: dict[str, str] = field(default_factory=dict)

    def environment(self, **extra: str) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("THRED")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tests.tenants.project.settings",
            DATABASE_URL=self.database_url,
            PYTHONPATH=str(REPO),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        env.update(extra)
        return env

    def manage(
        self, *args: str, check: bool = True, timeout: float = 300, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            cwd=REPO,
            env=self.environment(**extra_env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def script(self, name: str, **extra_env: str) -> Any:
        """Run tests/tenants/scripts/<name>.py inside the project; parse its last line."""
        code = (SCRIPTS / f"{name}.py").read_text()
        result = self.manage("shell", "--no-imports", "-c", code, **extra_env)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start(self, *args: str, log: Path, **extra_env: str) -> subprocess.Popen[bytes]:
        handle = open(log, "ab")  # noqa: SIM115 (closed with the process)
        return subprocess.Popen(
            [sys.executable, str(MANAGE), *args],
            cwd=REPO,
            env=self.environment(**extra_env),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM the process group (qcluster and its workers), SIGKILL what is left."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


class Databases:
    """``<suite db>_tenants_*`` databases on the suite's server: a template with the
    public schema migrated and TENANTS created, and one copy per test."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.base = urlsplit(server_url).path.lstrip("/") or "postgres"
        self.template = f"{self.base}_tenants_tmpl_{uuid.uuid4().hex[:6]}"

    def url(self, name: str) -> str:
        return urlunsplit(urlsplit(self.server_url)._replace(path=f"/{name}"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(sql)

    def create_template(self) -> None:
        self._execute(f'CREATE DATABASE "{self.template}"')
        project = TenantsProject(self.url(self.template))
        project.manage("migrate_schemas", "--shared", "-v", "0")
        project.script("create_tenants", TENANTS=",".join(TENANTS))

    def fresh(self) -> str:
        name = f"{self.base}_tenants_{uuid.uuid4().hex[:8]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.url(self.template))
