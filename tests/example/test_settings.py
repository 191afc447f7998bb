"""The example project's settings come from environment variables with sane defaults."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.example.project import EXAMPLE_DIR, ExampleProject

SCRIPT = Path(__file__).resolve().parent / "scripts" / "settings_json.py"


def settings_with(tmp_path: Path, **env: str) -> dict:
    """The settings the project computes for ``env`` (no database is touched)."""
    database_url = env.pop("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    return ExampleProject(database_url, env=env).run_script(SCRIPT)


def test_defaults(tmp_path: Path) -> None:
    conf = settings_with(tmp_path, DATABASE_URL="")
    db = conf["database"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(db["NAME"]) == EXAMPLE_DIR / "db.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    thred = conf["thred"]
    assert thred["BASE_URL"] == "http://127.0.0.1:8000/thred-sandbox"
    assert thred["SYNC_MODE"] == "queue"
    assert thred["PARTNER_ID"] and thred["API_KEY"]
    assert thred["TRANSPORT"] is None
    sandbox = conf["thred_sandbox"]
    assert sandbox["PARTNERS"] is None  # accepts THRED's own credentials
    assert sandbox["CONTROL_ENABLED"] is False
    q = conf["q_cluster"]
    assert q["orm"] == "default" and "redis" not in q
    assert q["timeout"] < q["retry"]
    assert q["save_limit"] == -1 and q["ack_failures"] is True and q["workers"] == 2
    assert "thred_django.sandbox" in conf["installed_apps"]


def test_site_url_and_port_move_the_embedded_sandbox(tmp_path: Path) -> None:
    assert settings_with(tmp_path, PORT="9123")["thred"]["BASE_URL"] == (
        "http://127.0.0.1:9123/thred-sandbox"
    )
    assert settings_with(tmp_path, THRED_SITE_URL="http://demo.test:8080/")["thred"][
        "BASE_URL"
    ] == ("http://demo.test:8080/thred-sandbox")
    explicit = settings_with(tmp_path, PORT="9123", THRED_BASE_URL="https://sandbox.thredfi.com")
    assert explicit["thred"]["BASE_URL"] == "https://sandbox.thredfi.com"


def test_credentials_mode_and_control_from_the_environment(tmp_path: Path) -> None:
    conf = settings_with(
        tmp_path,
        THRED_PARTNER_ID="3f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44",
        THRED_API_KEY="k-123",
        THRED_SYNC_MODE="eager",
        THRED_SANDBOX_CONTROL="1",
    )
    assert conf["thred"]["PARTNER_ID"] == "3f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44"
    assert conf["thred"]["API_KEY"] == "k-123"
    assert conf["thred"]["SYNC_MODE"] == "eager"
    assert conf["thred_sandbox"]["CONTROL_ENABLED"] is True


def test_a_bad_sync_mode_is_refused(tmp_path: Path) -> None:
    project = ExampleProject(f"sqlite:///{tmp_path / 'x.sqlite3'}", env={"THRED_SYNC_MODE": "x"})
    result = project.manage("check", check=False)
    assert result.returncode != 0
    assert "THRED_SYNC_MODE" in result.stderr


def test_postgres_keeps_connections_open(tmp_path: Path) -> None:
    conf = settings_with(tmp_path, DATABASE_URL="postgres://u:p@127.0.0.1:5432/shop")
    assert conf["database"]["ENGINE"] == "django.db.backends.postgresql"
    assert conf["database"]["CONN_MAX_AGE"] > 0


def test_sqlite_url_keeps_the_concurrency_options(tmp_path: Path) -> None:
    conf = settings_with(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert conf["database"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.skipif(importlib.util.find_spec("redis") is None, reason="redis not installed")
def test_redis_url_switches_queue_and_cache_to_redis(tmp_path: Path) -> None:
    conf = settings_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    assert conf["q_cluster"]["redis"] == "redis://127.0.0.1:6379/0"
    assert "orm" not in conf["q_cluster"]
    assert "redis" in conf["caches"]["default"]["BACKEND"].lower()


@pytest.mark.skipif(importlib.util.find_spec("redis") is not None, reason="redis installed")
def test_redis_url_without_the_package_says_what_to_install(tmp_path: Path) -> None:
    project = ExampleProject(f"sqlite:///{tmp_path / 'x.sqlite3'}", env={"REDIS_URL": "redis://x"})
    result = project.manage("check", check=False)
    assert result.returncode != 0
    assert "thred-django[redis]" in result.stderr
