"""DATABASES from ``DATABASE_URL``, with an SQLite file inside example_project/ as default.

SQLite gets WAL and ``BEGIN IMMEDIATE`` (Django >= 5.1 ``transaction_mode``): the web
server, the queue workers and the embedded sandbox all write to one file, and with the
default deferred transactions concurrent writers fail with "database is locked".
PostgreSQL keeps connections open (``CONN_MAX_AGE``), otherwise every enqueue and every
queue poll reconnects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "timeout": 20,  # seconds a writer waits for the lock
}
POSTGRES_CONN_MAX_AGE = 60


def default_sqlite_url(base_dir: Path) -> str:
    return f"sqlite:///{base_dir / 'db.sqlite3'}"


def database_from_url(url: str) -> dict[str, Any]:
    """One ``DATABASES`` entry for ``url`` (sqlite:///…, postgres://…)."""
    config = dj_database_url.parse(url)
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        config["CONN_MAX_AGE"] = 0
    elif "postgresql" in engine:
        config["CONN_MAX_AGE"] = POSTGRES_CONN_MAX_AGE
        config["CONN_HEALTH_CHECKS"] = True
    return config
