"""Fresh, migrated databases for the example project: SQLite files, or PostgreSQL
databases on the server of the suite's ``DATABASE_URL`` when that is a postgres URL.

The project is migrated once into a template; each test gets a copy (the SQLite backup
API, or PostgreSQL's ``CREATE DATABASE … TEMPLATE``), which is much faster than
migrating every time.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.example.project import ExampleProject


def suite_postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else None


class SqliteDatabases:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.sqlite3"

    def url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def create_template(self) -> None:
        ExampleProject(self.url(self.template)).manage("migrate", "--noinput", "-v", "0")

    def fresh(self) -> str:
        target = self.directory / f"example-{uuid.uuid4().hex[:8]}.sqlite3"
        with sqlite3.connect(self.template) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return self.url(target)

    def drop(self, url: str) -> None:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        self.drop(self.url(self.template))


class PostgresDatabases:
    """Databases named thred_example_* next to the suite's own, dropped afterwards."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.template_name = f"thred_example_tmpl_{uuid.uuid4().hex[:8]}"

    def url(self, name: str) -> str:
        parts = urlsplit(self.server_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(sql)

    def create_template(self) -> None:
        self._execute(f'CREATE DATABASE "{self.template_name}"')
        ExampleProject(self.url(self.template_name)).manage("migrate", "--noinput", "-v", "0")

    def fresh(self) -> str:
        name = f"thred_example_{uuid.uuid4().hex[:8]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.url(self.template_name))


def provider(tmp_dir: Path) -> SqliteDatabases | PostgresDatabases:
    url = suite_postgres_url()
    return PostgresDatabases(url) if url else SqliteDatabases(tmp_dir)
