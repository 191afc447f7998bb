"""The client's validation and the sandbox's own schemas, body by body.

Both are written from ``shared/thred-api/`` independently (``thred_django.client.validation``
with ``client.gaps``; ``thred_django.sandbox.schemas`` with ``sandbox.readings``). For every
body of the table they must agree on whether it is valid and on the fields they name, so
a mistake on one side shows here instead of being shared. Whole-list totals
(``line_items``, ``allocations``) may be named by one side only when an item is already
invalid: the client sums the raw values, the sandbox the valid ones.

Where the readings differ, the case is an ``xfail(strict=True)`` saying which side
departs from the reference: fixing that side turns it into a failure to remove.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from thred_django.client.validation import validate_payload
from thred_django.sandbox.schemas import validate

U1 = "6f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44"
U2 = "0b8e7a5c-1111-4222-8333-944455556666"
LINE = {"quantity": 2, "unit_price": 1250}
TOTALS = {"line_items", "allocations"}

VALID: dict[tuple[str, str], dict[str, Any]] = {
    ("business", "create"): {
        "external_id": "t1",
        "legal_name": "Acme",
        "entity_type": "limited",
        "email": "a@b.example",
        "country": "GB",
        "base_currency": "GBP",
        "fiscal_year_end": "2025-12-31",
    },
    ("business", "update"): {"legal_name": "Acme 2", "entity_type": "plc"},
    ("customer", "create"): {"external_id": "c1", "individual_name": "Ann", "tax_exempt": True},
    ("vendor", "create"): {"external_id": "v1", "company_name": "Supplies"},
    ("invoice", "create"): {
        "external_id": "i1",
        "customer_id": U1,
        "sent_at": "2025-01-15T09:00:00Z",
        "line_items": [{**LINE, "sales_taxes": [{"amount": 20}]}],
        "tips": 10,
    },
    ("invoice", "update"): {"memo": "changed", "line_items": [LINE]},
    ("payment", "create"): {
        "customer_id": U1,
        "total_amount_cents": 2500,
        "payment_date": "2025-01-20",
        "allocations": [{"invoice_id": U2, "amount_cents": 2500}],
        "processing_fee_cents": 30,
    },
    ("payment", "update"): {"status": "failed"},
    ("payout", "create"): {
        "external_id": "po1",
        "processor": "stripe",
        "paid_out_amount_cents": -900,
        "payment_ids": [U1],
        "completed_at": "2025-02-01T16:34:00+16:34",
    },
    ("refund", "create"): {
        "invoice_id": U1,
        "method": "CASH",
        "completed_at": "2025-01-15T09:00:00+01:00",
        "external_id": "r1",
    },
    ("refund_payment", "create"): {
        "amount_cents": 5,
        "method": "BANK_TRANSFER",
        "external_id": "rp",
    },
    ("bill", "create"): {"external_id": "b1", "vendor_external_id": "v1", "line_items": [LINE]},
    ("bill", "update"): {"line_items": [LINE], "bill_date": "2025-01-02"},
    ("bill_payment", "create"): {
        "vendor_id": U1,
        "amount_cents": 100,
        "payment_method": "check",
        "check_number": "000123",
        "payment_date": "2025-01-21",
        "allocations": [{"bill_id": U2, "amount_cents": 100}],
    },
    ("bill_payment", "update"): {"status": "completed", "memo": "m"},
    ("vendor_credit", "create"): {
        "external_id": "vc1",
        "vendor_external_id": "v9",
        "line_items": [{"amount": 300, "tax_amount_cents": 20}],
        "allocations": [{"bill_id": U2, "amount": 320}],
    },
}

# (resource, action, change to the valid body): each makes it invalid (or, marked
# "valid", keeps it valid); None deletes the key.
CHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("business", "create", {"external_id": None}),
    ("business", "create", {"country": "US"}),
    ("business", "create", {"entity_type": "gmbh"}),
    ("business", "create", {"email": "not-an-email"}),
    ("business", "create", {"base_currency": "gbp"}),
    ("business", "create", {"vat_number": "x" * 21}),
    ("business", "create", {"fiscal_year_end": "31/12/2025"}),
    ("business", "create", {"metadata": ["a"]}),
    ("business", "update", {"legal_name": ""}),
    ("business", "update", {"base_currency": "EUR"}),
    ("business", "update", {"entity_type": "bv"}),
    ("customer", "create", {"individual_name": None}),
    ("customer", "create", {"email": ""}),
    ("customer", "create", {"status": "archived"}),
    ("customer", "create", {"credit_limit_cents": 0}),
    ("customer", "create", {"notes": None}),
    ("customer", "create", {"tax_exempt": "maybe"}),
    ("customer", "create", {"transaction_tags": "vip"}),
    ("customer", "create", {"individual_name": "bad\x00name"}),
    ("vendor", "create", {"company_name": ""}),
    ("vendor", "create", {"external_id": 12}),
    ("invoice", "create", {"customer_id": None}),
    ("invoice", "create", {"customer_id": U1.upper()}),
    ("invoice", "create", {"sent_at": "2025-01-15"}),
    ("invoice", "create", {"sent_at": "2025-01-15T09:00:00"}),
    ("invoice", "create", {"line_items": []}),
    ("invoice", "create", {"line_items": [{"quantity": 0, "unit_price": 1}]}),
    ("invoice", "create", {"line_items": [{"quantity": 1, "unit_price": 12.5}]}),
    ("invoice", "create", {"line_items": [{"quantity": "1.0000001", "unit_price": 1}]}),
    (
        "invoice",
        "create",
        {"line_items": [{"quantity": 1, "unit_price": 1, "discount_amount": 50}]},
    ),
    ("invoice", "create", {"invoice_type": "credit_note"}),
    ("invoice", "create", {"currency": "EUR"}),
    ("invoice", "create", {"tips": -1}),
    ("invoice", "create", {"line_items": [{"quantity": 1, "unit_price": 10**15}] * 2}),
    ("invoice", "update", {"line_items": [{"quantity": 1}]}),
    ("invoice", "update", {"due_at": "tomorrow"}),
    ("payment", "create", {"total_amount_cents": 25.0}),
    ("payment", "create", {"total_amount_cents": True}),
    ("payment", "create", {"total_amount_cents": 2000}),
    ("payment", "create", {"allocations": []}),
    ("payment", "create", {"allocations": [{"invoice_id": U2, "amount_cents": 0}]}),
    ("payment", "create", {"processing_fee_cents": 2501}),
    ("payment", "create", {"payment_method": "card"}),
    ("payment", "create", {"status": "cancelled"}),
    ("payment", "create", {"payment_date": "20/01/2025"}),
    (
        "payment",
        "create",
        {
            "allocations": [
                {"invoice_id": U2, "amount_cents": 1000},
                {"invoice_id": U2, "amount_cents": 1000},
            ]
        },
    ),
    ("payment", "update", {"status": "cancelled"}),
    ("payment", "update", {"references": "ref"}),
    ("payout", "create", {"processor": None}),
    ("payout", "create", {"fee_cents": -1}),
    ("payout", "create", {"payment_ids": [U1, U1]}),
    ("payout", "create", {"status": "done"}),
    ("payout", "create", {"currency": "  "}),
    ("payout", "create", {"completed_at": "2025-02-01T00:00:00+25:00"}),
    ("refund", "create", {"method": "cash"}),
    ("refund", "create", {"partial_amount": 500}),
    ("refund", "create", {"amount_cents": 0}),
    ("refund", "create", {"completed_at": None}),
    ("refund_payment", "create", {"amount_cents": "5.0"}),
    ("refund_payment", "create", {"method": "WIRE"}),
    ("bill", "create", {"vendor_external_id": None}),
    ("bill", "create", {"attachment_urls": ["not a url"]}),
    ("bill", "create", {"line_items": [{"quantity": 1, "unit_price": -5}]}),
    ("bill", "update", {"bill_date": "2025-02-30"}),
    ("bill_payment", "create", {"check_number": None}),
    ("bill_payment", "create", {"payment_method": "paypal"}),
    ("bill_payment", "create", {"payment_reference": "x" * 101}),
    ("bill_payment", "create", {"amount_cents": 99}),
    ("bill_payment", "create", {"currency": "EUR"}),
    ("bill_payment", "update", {"status": "cancelled"}),
    ("bill_payment", "update", {"allocations": [{"bill_id": U2}]}),
    ("vendor_credit", "create", {"vendor_external_id": None}),
    ("vendor_credit", "create", {"allocations": [{"bill_id": U2, "amount": 321}]}),
    ("vendor_credit", "create", {"line_items": [{"amount": 1.5}]}),
]

# Where the two readings differ, and which one departs from the reference.
DIFFERENCES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "payment",
        "create",
        {"payment_date": "2025-1-5"},
        "client: DRF's strptime takes 2025-1-5 for a date the reference gives as YYYY-MM-DD",
    ),
    (
        "business",
        "create",
        {"fiscal_year_end": "2025-1-5"},
        "client: DRF's strptime takes 2025-1-5 for a date the reference gives as YYYY-MM-DD",
    ),
    (
        "customer",
        "create",
        {"payment_terms_days": 30.0},
        "client: DRF's IntegerField takes 30.0 where the schema says integer",
    ),
]


def body(resource: str, action: str, change: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(VALID[resource, action])
    for key, value in change.items():
        if value is None and key in data:
            del data[key]
        else:
            data[key] = value
    return data


def readings(resource: str, action: str, data: dict[str, Any]) -> tuple[set[str], set[str]]:
    context = {"base_currency": "GBP", "country": "GB"}
    client = set(validate_payload(resource, action, data, **context))
    sandbox = set(validate(resource, action, data, **context)[0])
    return client, sandbox


def assert_agree(client: set[str], sandbox: set[str]) -> None:
    assert bool(client) == bool(sandbox), f"client names {client}, sandbox {sandbox}"
    itemised = any("[" in name for name in client | sandbox)
    ignored = TOTALS if itemised else set()
    assert client - ignored == sandbox - ignored


@pytest.mark.parametrize(("resource", "action"), sorted(VALID))
def test_valid_bodies_are_valid_for_both(resource, action):
    assert readings(resource, action, VALID[resource, action]) == (set(), set())


@pytest.mark.parametrize(("resource", "action", "change"), CHANGES, ids=repr)
def test_both_refuse_the_same_fields(resource, action, change):
    client, sandbox = readings(resource, action, body(resource, action, change))
    assert sandbox, "the change was meant to make the body invalid"
    assert_agree(client, sandbox)


@pytest.mark.parametrize(
    ("resource", "action", "change"),
    [
        pytest.param(resource, action, change, marks=pytest.mark.xfail(strict=True, reason=why))
        for resource, action, change, why in DIFFERENCES
    ],
    ids=repr,
)
def test_known_differences(resource, action, change):
    assert_agree(*readings(resource, action, body(resource, action, change)))


def test_the_comparison_can_fail():
    """A rule only one side has is caught: drop the sandbox's check of a field."""
    with pytest.raises(AssertionError):
        assert_agree({"payment_method"}, set())
    with pytest.raises(AssertionError):
        assert_agree({"currency"}, {"currency", "status"})
