"""django-tenants: three tenant schemas whose rows' primary keys collide, each synced to
its own Thred business through the stock commands and a real qcluster with the sweep.

Runs the project in tests/tenants/project in subprocesses (its own settings: the
django-tenants engine, router and middleware), on PostgreSQL only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tenants.harness import TENANTS, TenantsProject, stop, wait_until

SEED = 6


def assert_each_tenant_in_its_own_business(project: TenantsProject, manifest: dict) -> dict:
    """Every record synced; each schema's business holds exactly that schema's rows."""
    holdings = project.script("holdings")
    schemas = holdings["schemas"]
    assert sorted(schemas) == sorted(TENANTS)
    businesses = {schema: facts["business_external_id"] for schema, facts in schemas.items()}
    assert len(set(businesses.values())) == len(TENANTS)  # one Thred business per schema
    assert sorted(holdings["sandbox"]) == sorted(businesses.values())
    for schema, facts in schemas.items():
        assert facts["states"] == {"synced": 1 + 3 * manifest[schema]["customer"]}, schema
        assert all(e.startswith(f"{schema}:") for e in facts["external_ids"]), schema
        held = holdings["sandbox"][businesses[schema]]
        for resource in ("customer", "invoice", "payment"):
            assert held[resource]["count"] == manifest[schema][resource], (schema, resource)
        assert held["payment"]["amount_cents"] == manifest[schema]["payment_cents"], schema
    # Same primary keys in every schema, different money: no tenant's rows merged.
    totals = [manifest[schema]["payment_cents"] for schema in TENANTS]
    assert len(set(totals)) == len(TENANTS)
    return holdings


def assert_requests_stayed_in_their_tenant(tap_file: Path, holdings: dict) -> None:
    thred_ids = {s: facts["business_thred_id"] for s, facts in holdings["schemas"].items()}
    notes = [json.loads(line) for line in tap_file.read_text().splitlines()]
    assert notes
    for note in notes:
        schema = note["schema"]
        assert schema in thred_ids, note  # every call was made from a tenant schema
        _, under, rest = note["path"].partition("/businesses/")
        if under and rest:
            business, _, tail = rest.partition("/")
            assert business == thred_ids[schema], note
            # Calls into a business carry its token; the business itself may get the
            # partner's (no business scope).
            allowed = {thred_ids[schema]} if tail else {None, thred_ids[schema]}
            assert note["token_business"] in allowed, note
        if note["external_id"]:
            assert note["external_id"].startswith(f"{schema}:"), note


def test_thred_sync_pushes_every_tenant_to_its_own_business(tenants_project, tmp_path):
    tap = tmp_path / "tap.jsonl"
    manifest = tenants_project.script("seed", SEED_COUNT=str(SEED))
    before = tenants_project.manage("thred_status", "--json")
    pending = json.loads(before.stdout)["schemas"]
    assert {s: pending[s]["resources"]["customer"] for s in TENANTS} == {
        s: {"pending": SEED} for s in TENANTS
    }
    result = tenants_project.manage("thred_sync", "--until-idle", TENANTS_TAP_FILE=str(tap))
    for schema in TENANTS:
        pushed = f"[{schema}] {1 + 3 * SEED} record(s) pushed or settled since the run started"
        assert pushed in result.stdout
        assert f"[{schema}] Not settled in the outbox: none." in result.stdout
    holdings = assert_each_tenant_in_its_own_business(tenants_project, manifest)
    assert_requests_stayed_in_their_tenant(tap, holdings)
    # Nothing left: a second run sends nothing.
    again = tenants_project.manage("thred_sync", TENANTS_TAP_FILE=str(tap))
    assert again.stdout.count("] 0 record(s) pushed or settled") == len(TENANTS)
    # Thred and every tenant's host rows agree, schema by schema.
    report = json.loads(tenants_project.manage("thred_reconcile", "--json").stdout)
    assert report["findings"] == [] and report["summary"]["agreed"] is True
    assert report["summary"]["businesses"] == len(TENANTS)
    assert sorted(b["schema"] for b in report["businesses"] if b["tenant_id"] != "(partner)") == (
        sorted(TENANTS)
    )
    one = json.loads(tenants_project.manage("thred_reconcile", "--json", "--schema", "acme").stdout)
    assert {b["schema"] for b in one["businesses"]} == {"acme"}


def test_schema_option_limits_sync_status_and_backfill_to_one_tenant(tenants_project):
    # Rows saved with sync disabled have no outbox rows: backfill marks them.
    manifest = tenants_project.script("seed", SEED_COUNT="3", THRED_SYNC_MODE="disabled")
    dry = tenants_project.manage("thred_backfill", "--dry-run", "--schema", "bistro")
    assert "[bistro] shop.Customer (customer): 3 row(s) would be marked" in dry.stdout
    assert "acme" not in dry.stdout and "corner" not in dry.stdout
    backfill = tenants_project.manage("thred_backfill")
    for schema in TENANTS:
        assert f"[{schema}] shop.Payment (payment): 3 row(s) marked" in backfill.stdout
        # The shared tenant table: only this schema's own tenant.
        assert f"[{schema}] customers.Client (business): 1 row(s) marked" in backfill.stdout
    tenants_project.manage("thred_sync", "--until-idle", "--schema", "bistro")
    status = json.loads(tenants_project.manage("thred_status", "--json").stdout)["schemas"]
    assert status["bistro"]["resources"]["payment"] == {"synced": 3}
    assert status["acme"]["resources"]["payment"] == {"pending": 3}
    one = json.loads(tenants_project.manage("thred_status", "--json", "--schema", "acme").stdout)
    assert list(one["schemas"]) == ["acme"]
    # Then every tenant by default.
    tenants_project.manage("thred_sync", "--until-idle")
    assert_each_tenant_in_its_own_business(tenants_project, manifest)
    unknown = tenants_project.manage("thred_sync", "--schema", "nope", check=False)
    assert unknown.returncode != 0 and "No tenant has the schema 'nope'" in unknown.stderr


def test_a_broken_tenant_does_not_stop_the_others(tenants_project):
    manifest = tenants_project.script("seed", SEED_COUNT="3")
    tenants_project.manage(
        "shell",
        "-c",
        "from django.db import connection; "
        "connection.cursor().execute('ALTER TABLE bistro.thred_django_syncrecord "
        "RENAME TO broken')",
    )
    result = tenants_project.manage("thred_sync", "--until-idle", check=False)
    assert result.returncode == 1
    assert "[bistro] failed:" in result.stderr and "thred_django_syncrecord" in result.stderr
    reconciled = tenants_project.manage("thred_reconcile", check=False)
    assert reconciled.returncode == 1 and "[bistro] failed:" in reconciled.stderr
    assert "2 business(es)" in reconciled.stdout and "1 could not be read" in reconciled.stdout
    status = json.loads(tenants_project.manage("thred_status", "--json", check=False).stdout)
    assert "bistro" in status["errors"]
    for schema in ("acme", "corner"):
        assert status["schemas"][schema]["resources"]["payment"] == {
            "synced": manifest[schema]["payment"]
        }


@pytest.mark.cluster
def test_qcluster_and_its_sweep_push_every_tenant(tenants_project, tmp_path):
    tap = tmp_path / "tap.jsonl"
    manifest = tenants_project.script("seed", SEED_COUNT=str(SEED))
    # Push tasks carry their schema; lose corner's (a crash before the broker saw them):
    # only the sweep, which goes through every schema, can push corner's records.
    queued = tenants_project.script("queued_pushes", DROP_SCHEMA="corner")
    assert queued["kept"] and all(args in (["acme"], ["bistro"]) for args in queued["kept"])
    assert queued["dropped"] >= 1
    cluster = tenants_project.start(
        "qcluster", log=tmp_path / "qcluster.log", TENANTS_TAP_FILE=str(tap)
    )
    try:
        wait_until(
            lambda: settled(tenants_project),
            timeout=240,
            interval=2,
            what="every tenant's records synced by the cluster",
        )
        # Saves while the cluster runs: on-commit push tasks, one per schema.
        manifest = tenants_project.script("seed", SEED_COUNT="2")
        wait_until(
            lambda: settled(tenants_project, manifest),
            timeout=240,
            interval=2,
            what="the new saves synced by the cluster",
        )
    finally:
        stop(cluster)
    log = (tmp_path / "qcluster.log").read_text()
    holdings = assert_each_tenant_in_its_own_business(tenants_project, manifest)
    assert_requests_stayed_in_their_tenant(tap, holdings)
    assert "Traceback" not in log, log[-3000:]


def settled(project: TenantsProject, manifest: dict | None = None) -> bool:
    status = json.loads(project.manage("thred_status", "--json").stdout)["schemas"]
    for schema in TENANTS:
        states = {}
        for counts in status[schema]["resources"].values():
            for state, n in counts.items():
                states[state] = states.get(state, 0) + n
        if set(states) != {"synced"}:
            return False
        if manifest and states["synced"] != 1 + 3 * manifest[schema]["customer"]:
            return False
    return True


def test_no_record_ever_reaches_another_tenants_business_or_token(tenants_project):
    result = tenants_project.script("isolation", EXAMPLES="15")
    assert result["examples"] == 15 and result["requests"] > 0


@pytest.mark.parametrize(
    ("layout", "check_id", "says"),
    [
        ("shared_only", "thred_django.E041", "thred_django is in SHARED_APPS only"),
        ("q_in_tenants", "thred_django.E042", "django_q is in TENANT_APPS"),
        ("shop_shared", "thred_django.E043", "shop.Customer is mapped to Thred but its app"),
    ],
)
def test_unsafe_placements_fail_the_system_check(tenants_project, layout, check_id, says):
    result = tenants_project.manage("check", check=False, TENANTS_LAYOUT=layout)
    assert result.returncode != 0
    assert check_id in result.stderr and says in result.stderr
    assert "HINT:" in result.stderr and "Put 'thred_django' in TENANT_APPS" in result.stderr


def test_the_supported_layout_passes_the_system_check(tenants_project):
    result = tenants_project.manage("check")
    assert "System check identified no issues" in result.stdout


def test_businesses_kept_in_each_schema_sync_apart(tenants_project, tmp_path):
    # Two Branch rows per schema, each a business, numbered 1 and 2 in every schema: six
    # businesses whose primary keys collide pairwise, pushed by parallel threads.
    env = {"TENANTS_MAPPINGS": "branches"}
    manifest = tenants_project.script("seed_branches", SEED_COUNT="3", **env)
    assert sorted(manifest) == sorted(f"{s}:shop.branch-{b}" for s in TENANTS for b in (1, 2))
    tap = tmp_path / "tap.jsonl"
    tenants_project.manage("thred_sync", "--until-idle", TENANTS_TAP_FILE=str(tap), **env)
    holdings = tenants_project.script("holdings", **env)
    assert sorted(holdings["sandbox"]) == sorted(manifest)
    for business, expected in manifest.items():
        held = holdings["sandbox"][business]
        for resource in ("customer", "invoice", "payment"):
            assert held[resource]["count"] == expected[resource], (business, resource)
        assert held["payment"]["amount_cents"] == expected["payment_cents"], business
    for schema, facts in holdings["schemas"].items():
        assert facts["states"] == {"synced": 2 + 2 * 3 * 3}, schema
    notes = [json.loads(line) for line in tap.read_text().splitlines()]
    assert {note["schema"] for note in notes} == set(TENANTS)
    for note in notes:
        if note["external_id"]:
            assert note["external_id"].startswith(f"{note['schema']}:"), note
