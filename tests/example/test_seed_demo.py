"""seed_demo: deterministic data, a manifest that tells the truth, marks for every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.example.project import ExampleProject

FACTS = Path(__file__).resolve().parent / "scripts" / "db_facts.py"
RESOURCES = {
    "business",
    "customer",
    "vendor",
    "invoice",
    "payment",
    "payout",
    "refund",
    "refund_payment",
    "bill",
    "bill_payment",
    "vendor_credit",
}
WITH_AMOUNT = {"payment", "payout", "refund", "refund_payment", "bill_payment"}


def seed(project: ExampleProject, businesses: int = 2, per: int = 5, seed: int = 7) -> dict:
    return project.manage_json(
        "seed_demo",
        "--businesses", str(businesses),
        "--per-business", str(per),
        "--seed", str(seed),
        "--json",
    )  # fmt: skip


def dump(project: ExampleProject) -> str:
    return project.manage("dumpdata", "sales", "--indent", "1").stdout


def test_same_seed_gives_identical_manifest_and_data(make_project) -> None:
    first, second = make_project(), make_project()
    assert seed(first) == seed(second)
    assert dump(first) == dump(second)


def test_another_seed_gives_other_data(make_project) -> None:
    first, second = make_project(), make_project()
    seed(first, seed=7)
    seed(second, seed=8)
    assert dump(first) != dump(second)


def test_manifest_shape(project: ExampleProject) -> None:
    manifest = seed(project, businesses=3, per=4)
    assert set(manifest) == {"businesses"}
    assert len(manifest["businesses"]) == 3
    for business in manifest["businesses"]:
        assert set(business) == {"external_id", "resources"}
        assert isinstance(business["external_id"], str) and business["external_id"]
        assert set(business["resources"]) == RESOURCES
        for name, row in business["resources"].items():
            assert set(row) == {"count", "amount_cents"}
            assert isinstance(row["count"], int) and row["count"] >= 0
            if name in WITH_AMOUNT:
                assert isinstance(row["amount_cents"], int)
            else:
                assert row["amount_cents"] is None
        resources = business["resources"]
        assert resources["business"]["count"] == 1
        for name in ("customer", "vendor", "invoice", "bill", "vendor_credit"):
            assert resources[name]["count"] == 4, name
        # Every merchant has at least one card sale, so money moves in every direction.
        for name in ("payment", "payout", "refund"):
            assert resources[name]["count"] >= 1, name
    assert len({b["external_id"] for b in manifest["businesses"]}) == 3


def test_json_mode_prints_only_the_manifest_and_reports_progress_on_stderr(project) -> None:
    result = project.manage("seed_demo", "--businesses", "1", "--per-business", "2", "--json")
    assert result.stdout.lstrip().startswith("{") and result.stdout.rstrip().endswith("}")
    assert "Seeded" in result.stderr


def _row(facts: dict, resource: str) -> dict:
    empty = {"count": 0, "amount_cents": 0 if resource in WITH_AMOUNT else None}
    return facts["resources"].get(resource, empty)


def test_manifest_equals_the_database_and_the_outbox(project: ExampleProject) -> None:
    manifest = seed(project, businesses=2, per=6, seed=3)
    facts = project.run_script(FACTS)
    assert facts["violations"] == []
    merchants = list(facts["merchants"].values())
    assert len(merchants) == len(manifest["businesses"])
    for business, merchant in zip(manifest["businesses"], merchants, strict=True):
        # The external_id is the one the engine stored for the business when it marked it.
        assert business["external_id"] == merchant["outbox_external_id"]
        for resource, row in business["resources"].items():
            assert row == _row(merchant, resource), resource
            # Ordinary saves: every row was marked for sync.
            assert merchant["marked"].get(resource, 0) == row["count"], resource


@pytest.mark.parametrize("seed_value", [0, 1, 2, 11])
def test_money_invariants_hold_for_larger_data(project: ExampleProject, seed_value: int) -> None:
    seed(project, businesses=2, per=25, seed=seed_value)
    assert project.run_script(FACTS)["violations"] == []


def test_refuses_a_seeded_database_unless_if_empty(project: ExampleProject) -> None:
    manifest = seed(project, businesses=1, per=3)
    again = project.manage("seed_demo", "--businesses", "1", check=False)
    assert again.returncode != 0
    assert "already has 1 merchant" in again.stderr
    kept = project.manage_json("seed_demo", "--businesses", "5", "--if-empty", "--json")
    assert kept == manifest
