"""The lifecycle matrix: every step of every resource's life, against the sandbox.

One row per (resource, step, variant). A row builds a world of every resource on the
realhost platform (tests/lifecycle/world.py), pushed to the in-process sandbox, applies
its step, pushes until idle, and then asserts that

* the sandbox's objects equal what the host's data says, field by field (amounts, lines,
  links, status) — read from the sandbox's own tables (tests/lifecycle/compare.py) — or
  the record's own state names each difference (``drifted`` with the fields,
  ``orphaned``);
* the stepped object's record is in the state the row expects;
* steps that change nothing Thred receives make no API call.

``STEPS`` are the steps the issue names; ``NOT_APPLICABLE`` says, per resource, which do
not apply and why. ``test_every_resource_has_a_row_for_every_step`` fails when a pair is
in neither, so a missing row is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.lifecycle import steps as st
from tests.lifecycle.compare import compare, unexplained
from tests.lifecycle.steps import Run, record_of
from tests.lifecycle.world import WHEN, World, drain

pytestmark = pytest.mark.django_db

RESOURCES = (
    "business", "customer", "vendor", "invoice", "payment", "payout", "refund",
    "refund_payment", "bill", "bill_payment", "vendor_credit",
)  # fmt: skip

STEPS = (
    "create",
    "save_unchanged",
    "edit",  # each kind of field the mapping sends (one row per kind)
    "edit_fixed",  # a field Thred cannot update
    "void_and_back",  # status void / cancel / archive, then active again
    "delete",
    "lost_create_delete",  # delete after a lost create response (commit then 500)
    "backfill_again",
    "admin_resync",
    "child_edit",  # a child row (line) saved without saving its parent
    "parent_edit",  # a parent the payload reads changes (a paid invoice moves)
)

SYNCED = ("synced",)
DRIFTED = ("drifted",)
VOIDED = ("voided",)
ORPHANED = ("orphaned",)
# Thred refuses the change with a field error (a paid invoice's customer, a paid bill's
# vendor): failed, with Thred's reason naming the field.
REFUSED = ("failed",)
# Inactive here, but Thred has no void / cancel / archive for the resource: kept there,
# visibly (deactivate_not_supported).
KEPT = ("drifted",)


@dataclass(frozen=True)
class Row:
    resource: str
    step: str
    variant: str
    act: st.Step
    expect: tuple[str, ...] = SYNCED
    no_calls: bool = False  # nothing Thred would receive changed: no API call at all

    @property
    def id(self) -> str:
        return f"{self.resource}-{self.step}" + (f"-{self.variant}" if self.variant else "")


def later(days: int) -> Any:
    return lambda run: date(2026, 3, 2) + timedelta(days=days)


def common(resource: str) -> list[Row]:
    """Rows every resource has: create, save with no change, backfill again, resync."""
    return [
        Row(resource, "create", "", st.create(resource)),
        Row(resource, "save_unchanged", "", st.save_unchanged(resource), no_calls=True),
        Row(resource, "backfill_again", "", st.backfill_again(resource), no_calls=True),
        Row(resource, "admin_resync", "", st.admin_resync(resource)),
    ]


ROWS: list[Row] = [
    # --- business -----------------------------------------------------------------------
    *common("business"),
    Row("business", "edit", "text", st.edit("business", legal_name="Northwind Coffee Ltd")),
    Row("business", "edit", "email", st.edit("business", email="finance@northwind.test")),
    Row(
        "business", "edit_fixed", "country",
        st.edit_and_back("business", DRIFTED, country="IE"),
    ),
    # --- customer -----------------------------------------------------------------------
    *common("customer"),
    Row("customer", "edit", "email", st.edit("customer", email="jane@new.test"), DRIFTED),
    Row(
        "customer", "edit_fixed", "name",
        st.edit_and_back("customer", DRIFTED, name="Jane Buyer-Smith"),
    ),
    Row(
        "customer", "void_and_back", "archived",
        st.deactivate_and_back(st.main("customer"), {"archived": True}, {"archived": False},
                               VOIDED),
    ),
    Row(
        "customer", "void_and_back", "soft_delete",
        st.deactivate_and_back(st.main("customer"), {"deleted_at": st.now}, {"deleted_at": None},
                               VOIDED),
    ),
    Row("customer", "delete", "", st.host_delete(st.fresh_contact), VOIDED),
    Row(
        "customer", "lost_create_delete", "",
        st.delete_after_lost_create("customer", st.fresh_contact), VOIDED,
    ),
    # --- vendor -------------------------------------------------------------------------
    *common("vendor"),
    Row("vendor", "edit", "email", st.edit("vendor", email="orders@beans.test"), DRIFTED),
    Row(
        "vendor", "edit_fixed", "name",
        st.edit_and_back("vendor", DRIFTED, name="Beans Wholesale plc"),
    ),
    Row(
        "vendor", "void_and_back", "archived",
        st.deactivate_and_back(st.main("vendor"), {"archived": True}, {"archived": False}, KEPT),
    ),
    Row("vendor", "delete", "", st.host_delete(st.fresh_supplier), ORPHANED),
    Row(
        "vendor", "lost_create_delete", "",
        st.delete_after_lost_create("vendor", st.fresh_supplier), ORPHANED,
    ),
    # --- invoice ------------------------------------------------------------------------
    *common("invoice"),
    Row("invoice", "edit", "text", st.edit("invoice", number="INV-1001-A")),
    Row("invoice", "edit", "memo", st.edit("invoice", memo="Thanks for your order")),
    Row("invoice", "edit", "date", st.edit("invoice", issued_on=later(1), due_on=later(45))),
    Row("invoice", "edit", "link", st.move_unpaid_invoice),
    Row("invoice", "edit_fixed", "customer_of_paid", st.move_paid_invoice, REFUSED),
    Row(
        "invoice", "void_and_back", "status",
        st.deactivate_and_back(st.fresh_invoice, {"status": "void"}, {"status": "open"}, VOIDED),
        DRIFTED,
    ),
    Row(
        "invoice", "void_and_back", "draft_again",
        st.deactivate_and_back(st.fresh_invoice, {"status": "draft"}, {"status": "open"}, VOIDED),
        DRIFTED,
    ),
    Row("invoice", "void_and_back", "paid", st.deactivate(st.main("invoice"), status="void"),
        DRIFTED),
    Row("invoice", "delete", "", st.host_delete(st.fresh_invoice), VOIDED),
    Row(
        "invoice", "lost_create_delete", "",
        st.delete_after_lost_create("invoice", st.fresh_invoice), VOIDED,
    ),
    Row("invoice", "child_edit", "lines", st.edit_invoice_line),
    # --- payment ------------------------------------------------------------------------
    *common("payment"),
    Row("payment", "edit", "amount", st.edit("payment", amount=Decimal("45.00"))),
    Row("payment", "edit", "date", st.edit("payment", received_on=later(2))),
    Row("payment", "edit", "text", st.edit("payment", reference="CARD-8812")),
    Row("payment", "edit", "method", st.edit("payment", method="cash")),
    Row(
        "payment", "void_and_back", "pending",
        st.deactivate_and_back(
            lambda run: run.world.pending_payment, {"status": "void"}, {"status": "pending"},
            VOIDED,
        ),
        DRIFTED,
    ),
    Row("payment", "void_and_back", "completed",
        st.deactivate(st.main("payment"), status="void"), DRIFTED),
    Row("payment", "delete", "", st.host_delete(st.fresh_pending_payment), VOIDED),
    Row(
        "payment", "lost_create_delete", "",
        st.delete_after_lost_create("payment", st.fresh_pending_payment), VOIDED,
    ),
    Row("payment", "parent_edit", "invoice_moved", st.payment_of_moved_invoice, REFUSED),
    # --- payout -------------------------------------------------------------------------
    *common("payout"),
    Row("payout", "edit", "amount", st.edit("payout", amount=Decimal("37.50"))),
    Row("payout", "edit", "fee", st.edit("payout", fee=Decimal("2.50"))),
    Row("payout", "edit", "memo", st.edit("payout", memo="Stripe po_123")),
    Row("payout", "edit", "date", st.edit("payout", paid_at=lambda run: WHEN + timedelta(days=1))),
    Row("payout", "edit", "links", st.add_payment_to_payout),
    Row(
        "payout", "void_and_back", "soft_delete",
        st.deactivate_and_back(st.main("payout"), {"deleted_at": st.now},
                               {"deleted_at": None}, KEPT),
    ),
    Row("payout", "delete", "", st.host_delete(st.fresh_payout), ORPHANED),
    Row(
        "payout", "lost_create_delete", "",
        st.delete_after_lost_create("payout", st.fresh_payout), ORPHANED,
    ),
    # --- refund -------------------------------------------------------------------------
    *common("refund"),
    Row("refund", "edit", "memo", st.edit("refund", memo="Damaged cup"), DRIFTED),
    Row("refund", "edit", "date",
        st.edit("refund", refunded_at=lambda run: WHEN + timedelta(days=1)), DRIFTED),
    Row(
        "refund", "edit_fixed", "amount",
        st.edit_and_back("refund", DRIFTED, amount=Decimal("25.00")),
    ),
    Row("refund", "void_and_back", "soft_delete",
        st.deactivate_and_back(st.main("refund"), {"deleted_at": st.now},
                               {"deleted_at": None}, KEPT)),
    Row("refund", "delete", "", st.host_delete(st.fresh_refund), ORPHANED),
    Row(
        "refund", "lost_create_delete", "",
        st.delete_after_lost_create("refund", st.fresh_refund), ORPHANED,
    ),
    # --- refund payment -----------------------------------------------------------------
    *common("refund_payment"),
    Row("refund_payment", "edit", "memo", st.edit("refund_payment", memo="Sent"), DRIFTED),
    Row("refund_payment", "edit", "date",
        st.edit("refund_payment", paid_at=lambda run: WHEN + timedelta(days=1)), DRIFTED),
    Row(
        "refund_payment", "edit_fixed", "amount",
        st.edit_and_back("refund_payment", DRIFTED, amount=Decimal("19.00")),
    ),
    Row("refund_payment", "void_and_back", "soft_delete",
        st.deactivate_and_back(st.main("refund_payment"), {"deleted_at": st.now},
                               {"deleted_at": None}, KEPT)),
    Row("refund_payment", "delete", "", st.host_delete(st.fresh_refund_payment), ORPHANED),
    Row(
        "refund_payment", "lost_create_delete", "",
        st.delete_after_lost_create("refund_payment", st.fresh_refund_payment), ORPHANED,
    ),
    # --- bill ---------------------------------------------------------------------------
    *common("bill"),
    Row("bill", "edit", "text", st.edit("bill", number="B-501-R")),
    Row("bill", "edit", "memo", st.edit("bill", memo="March beans")),
    Row("bill", "edit", "date", st.edit("bill", issued_on=later(3))),
    Row("bill", "edit", "link", st.move_unpaid_bill),
    Row("bill", "edit_fixed", "vendor_of_paid", st.move_paid_bill, REFUSED),
    Row(
        "bill", "void_and_back", "status",
        st.deactivate_and_back(st.fresh_bill, {"status": "void"}, {"status": "open"}, KEPT),
    ),
    Row("bill", "delete", "", st.host_delete(st.fresh_bill), ORPHANED),
    Row(
        "bill", "lost_create_delete", "",
        st.delete_after_lost_create("bill", st.fresh_bill), ORPHANED,
    ),
    Row("bill", "child_edit", "lines", st.delete_bill_line),
    # --- bill payment -------------------------------------------------------------------
    *common("bill_payment"),
    Row("bill_payment", "edit", "text", st.edit("bill_payment", reference="CHQ-100200")),
    Row(
        "bill_payment", "edit_fixed", "amount",
        st.edit_and_back("bill_payment", DRIFTED, amount=Decimal("90.00")),
    ),
    Row(  # above what Thred holds: the allocations must not follow the new amount
        "bill_payment", "edit_fixed", "amount_raised",
        st.edit_and_back("bill_payment", DRIFTED, amount=Decimal("150.00")),
    ),
    Row("bill_payment", "edit_fixed", "date",
        st.edit("bill_payment", paid_on=later(4)), DRIFTED),
    Row(
        "bill_payment", "void_and_back", "pending",
        st.deactivate_and_back(st.main("bill_payment"), {"status": "void"},
                               {"status": "pending"}, VOIDED),
        DRIFTED,
    ),
    Row("bill_payment", "delete", "", st.host_delete(st.fresh_pending_bill_payment), VOIDED),
    Row(
        "bill_payment", "lost_create_delete", "",
        st.delete_after_lost_create("bill_payment", st.fresh_pending_bill_payment), VOIDED,
    ),
    Row("bill_payment", "parent_edit", "bill_moved", st.bill_payment_of_moved_bill, DRIFTED),
    # --- vendor credit ------------------------------------------------------------------
    *common("vendor_credit"),
    Row("vendor_credit", "edit", "memo", st.edit("vendor_credit", memo="Returned sacks"),
        DRIFTED),
    Row("vendor_credit", "edit", "date",
        st.edit("vendor_credit", received_at=lambda run: WHEN + timedelta(days=1)), DRIFTED),
    Row(
        "vendor_credit", "edit_fixed", "amount",
        st.edit_and_back("vendor_credit", DRIFTED, amount=Decimal("16.00")),
    ),
    Row("vendor_credit", "void_and_back", "soft_delete",
        st.deactivate_and_back(st.main("vendor_credit"), {"deleted_at": st.now},
                               {"deleted_at": None}, KEPT)),
    Row("vendor_credit", "delete", "", st.host_delete(st.fresh_vendor_credit), ORPHANED),
    Row(
        "vendor_credit", "lost_create_delete", "",
        st.delete_after_lost_create("vendor_credit", st.fresh_vendor_credit), ORPHANED,
    ),
]  # fmt: skip

_NO_LINES = "its payload has no child rows"
_ONLY_IDS = "its payload reads only its parents' Thred ids, which never change"
NOT_APPLICABLE: dict[tuple[str, str], str] = {
    ("business", "void_and_back"): "Thred has no archive for a business",
    ("business", "delete"): "deleting a tenant deletes its books; Thred has no business delete",
    ("business", "lost_create_delete"): "Thred has no business delete",
    ("business", "child_edit"): "a business has no child rows in its payload",
    ("business", "parent_edit"): "a business has no parent",
    ("customer", "child_edit"): _NO_LINES,
    ("customer", "parent_edit"): "a customer's payload reads no parent",
    ("vendor", "child_edit"): _NO_LINES,
    ("vendor", "parent_edit"): "a vendor's payload reads no parent",
    ("invoice", "parent_edit"): "an invoice reads its customer's Thred id only (its own "
    "customer link is an edit: invoice-edit-link, invoice-edit_fixed-customer_of_paid)",
    ("payment", "edit_fixed"): "the payment PATCH takes every field the mapping sends",
    ("payment", "child_edit"): _NO_LINES,
    ("payout", "edit_fixed"): "a payout create is an upsert: every field is updatable",
    ("payout", "child_edit"): "its payments are separate resources (payout-edit-links)",
    ("payout", "parent_edit"): _ONLY_IDS,
    ("refund", "child_edit"): _NO_LINES,
    ("refund", "parent_edit"): _ONLY_IDS,
    ("refund_payment", "child_edit"): _NO_LINES,
    ("refund_payment", "parent_edit"): _ONLY_IDS,
    ("bill", "parent_edit"): "a bill reads its vendor's Thred id only (bill-edit-link)",
    ("bill_payment", "child_edit"): _NO_LINES,
    ("vendor_credit", "child_edit"): "its single line is the credit's own amount field",
    ("vendor_credit", "parent_edit"): _ONLY_IDS,
}


def test_every_resource_has_a_row_for_every_step() -> None:
    have = {(row.resource, row.step) for row in ROWS}
    missing = [
        (resource, step)
        for resource in RESOURCES
        for step in STEPS
        if (resource, step) not in have and (resource, step) not in NOT_APPLICABLE
    ]
    assert not missing, f"matrix rows missing (add a row or a reason): {missing}"
    both = sorted(have & set(NOT_APPLICABLE))
    assert not both, f"rows marked not applicable: {both}"
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), "two rows with one id"


def assert_converged(target: Any, expect: tuple[str, ...]) -> None:
    drain()
    differences = compare()
    assert not unexplained(differences), "\n".join(str(d) for d in unexplained(differences))
    record = record_of(target) if not hasattr(target, "state") else target
    record.refresh_from_db()
    assert record.state in expect, (
        f"{record.resource} {record.external_id} is {record.state} "
        f"({record.last_error_code}: {record.last_error_message}), expected {expect}"
    )
    if record.state == "drifted":
        details = record.last_error_details or {}
        assert record.last_error_code and record.last_error_message, record
        assert details.get("hint"), details  # what the host can do about it
        if record.last_error_code in ("update_not_supported", "update_partial"):
            assert details.get("fields"), details  # names the fields that differ
    else:
        assert record.last_error_code != "update_partial", "a partial update is not synced"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_lifecycle(row: Row, world: World, thred, settings, admin_client) -> None:
    assert not unexplained(compare()), "the world did not sync"
    thred.reset()
    run = Run(world, thred, settings, admin_client, assert_converged)
    target = row.act(run)
    assert_converged(target, row.expect)
    if row.no_calls:
        assert thred.calls() == [], [f"{r.method} {r.url.path}" for r in thred.calls()]
