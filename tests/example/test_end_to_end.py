"""End to end: seed the example project, sync it, and find exactly the manifest in the
embedded sandbox — once in one process (thred_sync), once the real way (demo.sh: gunicorn
serving the sandbox over HTTP and a django-q2 cluster draining the queue)."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from tests.example.project import EXAMPLE_DIR, IN_PROCESS_TRANSPORT, ExampleProject

SCRIPTS = Path(__file__).resolve().parent / "scripts"
DEMO = EXAMPLE_DIR / "demo.sh"

pytestmark = pytest.mark.slow


def seed_manifest(project: ExampleProject, businesses: int, per: int, seed: int) -> dict:
    return project.manage_json(
        "seed_demo",
        "--businesses", str(businesses),
        "--per-business", str(per),
        "--seed", str(seed),
        "--json",
    )  # fmt: skip


def assert_everything_synced(project: ExampleProject) -> None:
    status = project.manage_json("thred_status", "--json")
    states = {state for per in status["resources"].values() for state in per}
    assert states == {"synced"}, status["resources"]


def assert_sandbox_holds(project: ExampleProject, manifest: dict) -> None:
    """business_summary of every business equals the manifest, resource by resource."""
    held = project.run_script(SCRIPTS / "sandbox_summary.py")
    expected_ids = [business["external_id"] for business in manifest["businesses"]]
    assert sorted(held) == sorted(expected_ids)
    for business in manifest["businesses"]:
        summary = held[business["external_id"]]
        for resource, row in business["resources"].items():
            if resource == "business":
                continue  # present in the sandbox: checked by the ids above
            assert summary[resource] == row, (business["external_id"], resource)


def test_thred_sync_until_idle_puts_the_manifest_in_the_sandbox(make_project) -> None:
    project = make_project(THRED_TRANSPORT=IN_PROCESS_TRANSPORT)
    manifest = seed_manifest(project, businesses=2, per=5, seed=5)
    result = project.manage("thred_sync", "--until-idle", "--time-limit", "240")
    assert "Not settled in the outbox: none." in result.stdout
    assert_everything_synced(project)
    assert_sandbox_holds(project, manifest)
    # The accounting page: a merchant's user gets that merchant's business token only.
    project.env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    page = project.run_script(SCRIPTS / "accounting_page.py")
    assert page["owner"] == {
        "page": 200,
        "widget": True,
        "token_status": 200,
        "token_business": page["merchant_business"],
    }
    assert page["stranger"]["token_status"] == 403
    assert page["stranger"]["widget"] is False
    report = project.manage_json("demo_summary", "--json")
    assert report["ok"] is True
    assert report["mismatches"] == 0
    # Thred, read back through its list endpoints, agrees with every mapped row.
    reconciled = project.manage("thred_reconcile", check=False)
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert "2 business(es): Thred and the host agree." in reconciled.stdout


def test_demo_summary_fails_while_records_are_waiting(project: ExampleProject) -> None:
    project.manage("seed_demo", "--businesses", "1", "--per-business", "2")
    result = project.manage("demo_summary", check=False)
    assert result.returncode == 1
    assert "NOT OK" in result.stdout


def processes_with_env(name: str, value: str) -> list[int]:
    """Pids of live processes whose environment has ``name=value`` (Linux /proc)."""
    wanted = f"{name}={value}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if wanted in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue  # gone, or not ours to read
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.cluster
def test_demo_script_syncs_through_gunicorn_and_qcluster(make_project, tmp_path: Path) -> None:
    project = make_project()
    env = project.environment(
        PORT=str(free_port()),
        DEMO_BUSINESSES="2",
        DEMO_PER_BUSINESS="5",
        DEMO_SEED="9",
        DEMO_SYNC_TIMEOUT="180",
        DEMO_LOG_DIR=str(tmp_path / "logs"),
    )
    env.pop("DJANGO_SETTINGS_MODULE")  # the script runs manage.py, which sets it
    result = subprocess.run(
        ["bash", str(DEMO)], env=env, capture_output=True, text=True, timeout=600
    )
    logs = "".join(
        f"\n--- {log.name}\n{log.read_text()[-3000:]}" for log in (tmp_path / "logs").glob("*.log")
    )
    assert result.returncode == 0, result.stdout + result.stderr + logs
    # It stopped what it started: no gunicorn or cluster process of this run is left.
    assert processes_with_env("DEMO_LOG_DIR", env["DEMO_LOG_DIR"]) == []
    assert "OK: 0 failed, 0 still waiting, 0 difference(s)" in result.stdout
    manifest = json.loads((tmp_path / "logs" / "manifest.json").read_text())
    assert_everything_synced(project)
    assert_sandbox_holds(project, manifest)
    # Idempotent: a second run seeds nothing, has nothing to sync and still succeeds.
    again = subprocess.run(
        ["bash", str(DEMO)], env=env, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Already seeded" in again.stderr
    assert json.loads((tmp_path / "logs" / "manifest.json").read_text()) == manifest


@pytest.mark.cluster
def test_demo_script_exits_non_zero_when_a_record_fails(make_project, tmp_path: Path) -> None:
    project = make_project()
    project.manage("seed_demo", "--businesses", "1", "--per-business", "2")
    # A legal form Thred refuses for the merchant's country: the business fails, and
    # everything of that merchant is blocked behind it. (update() marks nothing; the
    # pending record's payload is built from the row when it is pushed.)
    project.manage(
        "shell", "-c", "from sales.models import Merchant; Merchant.objects.update(legal_form='x')"
    )
    env = project.environment(
        PORT=str(free_port()), DEMO_SYNC_TIMEOUT="120", DEMO_LOG_DIR=str(tmp_path / "logs")
    )
    env.pop("DJANGO_SETTINGS_MODULE")
    result = subprocess.run(
        ["bash", str(DEMO)], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "NOT OK" in result.stdout
    assert processes_with_env("DEMO_LOG_DIR", env["DEMO_LOG_DIR"]) == []
    status = project.manage_json("thred_status", "--json")
    assert status["resources"]["business"] == {"failed": 1}
