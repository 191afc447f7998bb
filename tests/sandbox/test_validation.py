"""validate_payload: the body-shape rules shared by the client and the sandbox."""

from __future__ import annotations

import copy
import datetime as dt
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thred_django.client.validation import RESOURCES, validate_payload, validated_payload

U1 = "6f1c9a2e-8b7d-4c11-9a55-0e6f2b1d7c44"
U2 = "0b8e7a5c-1111-4222-8333-944455556666"
LINE = {"quantity": 2, "unit_price": 1250}

VALID = {
    ("business", "create"): {
        "external_id": "t1",
        "legal_name": "Acme",
        "entity_type": "limited",
        "email": "a@b.example",
        "country": "GB",
        "base_currency": "GBP",
    },
    ("business", "update"): {"legal_name": "Acme 2"},
    ("customer", "create"): {"external_id": "c1", "individual_name": "Ann"},
    ("vendor", "create"): {"external_id": "v1", "company_name": "Supplies"},
    ("invoice", "create"): {
        "external_id": "i1",
        "customer_id": U1,
        "sent_at": "2025-01-15T09:00:00Z",
        "line_items": [LINE],
    },
    ("invoice", "update"): {"memo": "changed"},
    ("payment", "create"): {
        "customer_id": U1,
        "total_amount_cents": 2500,
        "payment_date": "2025-01-20",
        "allocations": [{"invoice_id": U2, "amount_cents": 2500}],
    },
    ("payment", "update"): {"status": "failed"},
    ("payout", "create"): {
        "external_id": "po1",
        "processor": "stripe",
        "paid_out_amount_cents": 900,
        "payment_ids": [U1],
    },
    ("payout", "update"): {"external_id": "po1", "processor": "stripe", "paid_out_amount_cents": 1},
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
    ("bill", "update"): {"line_items": [LINE]},
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
        "line_items": [{"amount": 300}],
        "allocations": [{"bill_id": U2, "amount": 300}],
    },
}


@pytest.mark.parametrize(("resource", "action"), sorted(VALID))
def test_valid_payloads_have_no_errors(resource, action):
    data = VALID[resource, action]
    before = copy.deepcopy(data)
    assert validate_payload(resource, action, data, base_currency="GBP", country="GB") == {}
    assert data == before  # no side effects on the input


@pytest.mark.parametrize(
    ("resource", "required"),
    [
        (
            "business",
            {"external_id", "legal_name", "entity_type", "email", "country", "base_currency"},
        ),
        ("customer", {"external_id", "individual_name", "company_name"}),
        ("vendor", {"external_id", "individual_name", "company_name"}),
        (
            "invoice",
            {"external_id", "sent_at", "line_items", "customer_id", "customer_external_id"},
        ),
        ("payment", {"customer_id", "total_amount_cents", "allocations", "payment_date"}),
        ("payout", {"external_id", "processor", "paid_out_amount_cents"}),
        ("refund", {"invoice_id", "method", "completed_at", "external_id"}),
        ("refund_payment", {"amount_cents", "method", "external_id"}),
        ("bill", {"external_id", "line_items", "vendor_id", "vendor_external_id"}),
        (
            "bill_payment",
            {"vendor_id", "amount_cents", "payment_method", "payment_date", "allocations"},
        ),
        ("vendor_credit", {"external_id", "line_items", "vendor_id", "vendor_external_id"}),
    ],
)
def test_required_fields_on_create(resource, required):
    assert set(validate_payload(resource, "create", {})) == required


@pytest.mark.parametrize("resource", ["invoice", "payment", "bill", "bill_payment", "business"])
def test_update_bodies_are_all_optional(resource):
    assert validate_payload(resource, "update", {}) == {}


def test_minor_units_refuse_floats_and_booleans():
    data = {**VALID["payment", "create"], "total_amount_cents": 25.0}
    assert "total_amount_cents" in validate_payload("payment", "create", data)
    data = {**VALID["payment", "create"], "total_amount_cents": True}
    assert "total_amount_cents" in validate_payload("payment", "create", data)
    line = {"quantity": 1, "unit_price": 12.5}
    errors = validate_payload(
        "invoice", "create", {**VALID["invoice", "create"], "line_items": [line]}
    )
    assert "minor units" in errors["line_items[0].unit_price"][0]


def test_amount_minimums():
    zero = {**VALID["payment", "create"], "total_amount_cents": 0}
    assert "total_amount_cents" in validate_payload("payment", "create", zero)
    fee = {**VALID["payment", "create"], "processing_fee_cents": -1}
    assert "processing_fee_cents" in validate_payload("payment", "create", fee)
    zero_fee = {**VALID["payment", "create"], "processing_fee_cents": 0}
    assert validate_payload("payment", "create", zero_fee) == {}
    alloc = {**VALID["payment", "create"], "allocations": [{"invoice_id": U2, "amount_cents": 0}]}
    assert "allocations[0].amount_cents" in validate_payload("payment", "create", alloc)


def test_nested_errors_are_flattened():
    data = {**VALID["invoice", "create"], "line_items": [LINE, {"quantity": 0}]}
    errors = validate_payload("invoice", "create", data)
    assert set(errors) == {"line_items[1].quantity", "line_items[1].unit_price"}
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)


def test_currency_must_be_the_base_currency():
    data = {**VALID["payment", "create"], "currency": "EUR"}
    assert validate_payload("payment", "create", data, base_currency="EUR") == {}
    assert "currency" in validate_payload("payment", "create", data, base_currency="GBP")
    assert "currency" in validate_payload("payment", "create", {**data, "currency": "XXX"})
    invoice = {**VALID["invoice", "create"], "currency": "USD"}
    assert "currency" in validate_payload("invoice", "create", invoice, base_currency="GBP")


def test_bill_payment_currency_defaults_to_gbp():
    data = VALID["bill_payment", "create"]
    assert validate_payload("bill_payment", "create", data, base_currency="GBP") == {}
    errors = validate_payload("bill_payment", "create", data, base_currency="EUR")
    assert "defaults to GBP" in errors["currency"][0]
    explicit = {**data, "currency": "EUR"}
    assert validate_payload("bill_payment", "create", explicit, base_currency="EUR") == {}


def test_check_number_required_for_checks():
    data = {k: v for k, v in VALID["bill_payment", "create"].items() if k != "check_number"}
    assert set(validate_payload("bill_payment", "create", data)) == {"check_number"}
    wire = {**data, "payment_method": "wire"}
    assert validate_payload("bill_payment", "create", wire) == {}


def test_allocations_may_not_exceed_the_total_nor_repeat():
    data = {
        **VALID["payment", "create"],
        "allocations": [
            {"invoice_id": U1, "amount_cents": 2000},
            {"invoice_id": U1, "amount_cents": 1000},
        ],
    }
    errors = validate_payload("payment", "create", data)
    assert "allocations" in errors and "allocations[1].invoice_id" in errors
    credit = {**VALID["vendor_credit", "create"], "allocations": [{"bill_id": U2, "amount": 301}]}
    assert "allocations" in validate_payload("vendor_credit", "create", credit)


def test_formats():
    bad = {
        **VALID["invoice", "create"],
        "customer_id": U1.upper(),
        "sent_at": "2025-01-15",  # a bare date is not a date-time
        "due_at": "2025-01-15T09:00:00",  # no zone
    }
    assert set(validate_payload("invoice", "create", bad)) == {"customer_id", "sent_at", "due_at"}
    aware = {**VALID["invoice", "create"], "sent_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}
    assert validate_payload("invoice", "create", aware) == {}
    as_uuid = {**VALID["invoice", "create"], "customer_id": uuid.UUID(U1)}
    assert validate_payload("invoice", "create", as_uuid) == {}
    bad_date = {**VALID["payment", "create"], "payment_date": "20/01/2025"}
    assert "payment_date" in validate_payload("payment", "create", bad_date)
    email = {**VALID["customer", "create"], "email": "nope"}
    assert "email" in validate_payload("customer", "create", email)
    long_ref = {**VALID["bill_payment", "create"], "payment_reference": "x" * 101}
    assert "payment_reference" in validate_payload("bill_payment", "create", long_ref)
    null = {**VALID["customer", "create"], "notes": None}
    assert "notes" in validate_payload("customer", "create", null)


def test_enums():
    assert "method" in validate_payload(
        "refund", "create", {**VALID["refund", "create"], "method": "cash"}
    )
    assert "payment_method" in validate_payload(
        "payment", "create", {**VALID["payment", "create"], "payment_method": "card"}
    )
    assert "status" in validate_payload(
        "payment", "create", {**VALID["payment", "create"], "status": "cancelled"}
    )
    assert "status" in validate_payload("payment", "update", {"status": "cancelled"})
    assert "status" in validate_payload("bill_payment", "update", {"status": "cancelled"})
    assert "invoice_type" in validate_payload(
        "invoice", "create", {**VALID["invoice", "create"], "invoice_type": "credit_note"}
    )


def test_refund_partial_amount_alias_is_refused():
    data = {**VALID["refund", "create"], "partial_amount": 500}
    assert "partial_amount" in validate_payload("refund", "create", data)


def test_business_update_uses_the_context():
    assert "entity_type" in validate_payload(
        "business", "update", {"entity_type": "bv"}, country="GB"
    )
    assert validate_payload("business", "update", {"entity_type": "bv"}, country="NL") == {}
    moved = validate_payload("business", "update", {"base_currency": "EUR"}, base_currency="GBP")
    assert "base_currency" in moved


def test_negative_document_total_is_refused():
    line = {"quantity": 1, "unit_price": 100, "discount_amount": 150}
    data = {**VALID["invoice", "create"], "line_items": [line]}
    assert "line_items" in validate_payload("invoice", "create", data)


def test_validated_payload_returns_coerced_values():
    data = {**VALID["invoice", "create"], "line_items": [{"quantity": "1.5", "unit_price": "999"}]}
    errors, cleaned = validated_payload("invoice", "create", data)
    assert errors == {}
    assert cleaned["line_items"][0]["unit_price"] == 999
    assert str(cleaned["line_items"][0]["quantity"]) == "1.5"
    assert cleaned["sent_at"].tzinfo is not None


def test_unknown_resource_or_action():
    with pytest.raises(ValueError, match="no update call"):
        validate_payload("customer", "update", {})
    with pytest.raises(ValueError):
        validate_payload("invoices", "create", {})
    with pytest.raises(ValueError):
        validate_payload("invoice", "delete", {})
    assert validate_payload("customer", "create", ["not", "a", "dict"]) == {  # type: ignore[arg-type]
        "non_field_errors": ["Expected a JSON object."]
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(
    resource=st.sampled_from(RESOURCES),
    data=st.dictionaries(
        st.sampled_from(
            [
                "external_id",
                "line_items",
                "allocations",
                "amount_cents",
                "total_amount_cents",
                "currency",
                "customer_id",
                "vendor_id",
                "payment_method",
                "status",
                "entity_type",
                "country",
            ]
        ),
        json_values,
        max_size=6,
    ),
)
def test_never_raises_on_arbitrary_json(resource, data):
    errors = validate_payload(resource, "create", data, base_currency="GBP", country="GB")
    assert isinstance(errors, dict)
    assert all(isinstance(k, str) and isinstance(v, list) and v for k, v in errors.items())
