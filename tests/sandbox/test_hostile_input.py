"""Hostile input to the sandbox gets a 4xx with the documented error body, never a 500,
and nothing is stored.

Each case of issue 17's probe: a non-ASCII HTTP Basic value, a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, more than DATA_UPLOAD_MAX_NUMBER_FIELDS form fields, JSON
nested 10,000 deep, a line quantity of 1e30, an allocation id that is an object, a NUL
byte in a query value, in a metadata key, in a value and in the Idempotency-Key, a lone
surrogate. They run on SQLite and on PostgreSQL (where NUL used to reach the database).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.test import Client

from tests.sandbox.conftest import PARTNER_ID, SENT_AT, Biz, basic, error_of
from thred_django.sandbox import models as sm

pytestmark = pytest.mark.django_db

STORED = (
    sm.Business,
    sm.Customer,
    sm.Vendor,
    sm.Invoice,
    sm.Payment,
    sm.Bill,
    sm.BillPayment,
    sm.IdempotencyRecord,
)


def stored() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED}


def invoice_body(biz: Biz, customer_id: str, **line: Any) -> dict[str, Any]:
    return {
        "external_id": biz.ext("inv"),
        "customer_id": customer_id,
        "sent_at": SENT_AT,
        "line_items": [{"quantity": 1, "unit_price": 9900, "description": "Tea", **line}],
    }


def deep(depth: int) -> str:
    return '{"external_id": "x", "metadata": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def payment_with_object_id(biz: Biz, ids: dict[str, str]) -> httpx.Response:
    body = biz.payment_body(ids["customer"], ids["invoice"], 100)
    body["allocations"][0]["invoice_id"] = {"id": ids["invoice"]}
    return biz.post("invoices/payments/", body)


# name -> (request, field expected in details or None, expected status)
Hostile = Callable[[httpx.Client, Biz, dict[str, str]], httpx.Response]
CASES: dict[str, tuple[Hostile, str | None, int]] = {
    "non-ASCII Basic credentials": (
        # httpx refuses to send it: Django's test client builds the WSGI request.
        lambda http, biz, ids: Client().post(
            "/thred-sandbox/v1/platform/oauth2/token/",
            {"grant_type": "client_credentials", "client_id": PARTNER_ID},
            HTTP_AUTHORIZATION="Basic \xe9\xe9\xe9==",
        ),
        None,
        401,
    ),
    "body over 2.5 MB": (
        lambda http, biz, ids: biz.post(
            "customers/", {"external_id": "big", "company_name": "x", "memo": "x" * 2_700_000}
        ),
        "non_field_errors",
        400,
    ),
    "more than 1,000 form fields": (
        lambda http, biz, ids: http.post(
            biz.url("customers/"),
            content="&".join(f"f{i}=1" for i in range(1500)).encode(),
            headers={**biz.headers, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        "non_field_errors",
        400,
    ),
    "a nested field sent as form fields": (
        lambda http, biz, ids: http.post(
            biz.url("customers/"),
            content=b"external_id=form&company_name=Form+Ltd&metadata%5Bk%5D=1",
            headers={**biz.headers, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        "metadata[k]",
        400,
    ),
    "JSON nested 10,000 deep": (
        lambda http, biz, ids: http.post(
            biz.url("customers/"),
            content=deep(10_000).encode(),
            headers={**biz.headers, "Content-Type": "application/json"},
        ),
        "non_field_errors",
        400,
    ),
    "JSON nested 100 deep in metadata": (
        lambda http, biz, ids: http.post(
            biz.url("customers/"),
            content=deep(100).encode(),
            headers={**biz.headers, "Content-Type": "application/json"},
        ),
        "metadata",
        400,
    ),
    "quantity 1e30": (
        lambda http, biz, ids: biz.post(
            "invoices/", invoice_body(biz, ids["customer"], quantity=1e30)
        ),
        "line_items[0].quantity",
        400,
    ),
    "quantity 1e30 as a string": (
        lambda http, biz, ids: biz.post(
            "invoices/", invoice_body(biz, ids["customer"], quantity="1E+30")
        ),
        "line_items[0].quantity",
        400,
    ),
    "quantity with 7 decimal places": (
        lambda http, biz, ids: biz.post(
            "invoices/", invoice_body(biz, ids["customer"], quantity="1.0000001")
        ),
        "line_items[0].quantity",
        400,
    ),
    "a number where a string is documented": (
        lambda http, biz, ids: biz.post("customers/", {"external_id": "n", "company_name": 0}),
        "company_name",
        400,
    ),
    "payout currency 0": (
        lambda http, biz, ids: biz.post(
            "payouts/",
            {
                "external_id": "po-0",
                "amount_cents": 100,
                "currency": 0,
                "completed_at": SENT_AT,
            },
        ),
        "currency",
        400,
    ),
    "allocation id that is an object": (
        lambda http, biz, ids: payment_with_object_id(biz, ids),
        "allocations[0].invoice_id",
        400,
    ),
    "NUL in a query value": (
        lambda http, biz, ids: biz.get("vendors/", params={"name": "a\x00b"}),
        "name",
        400,
    ),
    "a date-time before year 1 once in UTC": (
        lambda http, biz, ids: biz.get(
            "payouts/", params={"completed_at_end": "0001-01-01T00:00:00+16:34"}
        ),
        "completed_at_end",
        400,
    ),
    "a sent_at before year 1 once in UTC": (
        lambda http, biz, ids: biz.post(
            "invoices/",
            {**invoice_body(biz, ids["customer"]), "sent_at": "0001-01-01T00:00:00+16:34"},
        ),
        "sent_at",
        400,
    ),
    "NUL in a metadata key": (
        lambda http, biz, ids: biz.post(
            "customers/", {"external_id": "nul", "company_name": "x", "metadata": {"k\x00": 1}}
        ),
        "metadata.<key>",
        400,
    ),
    "NUL in a metadata value": (
        lambda http, biz, ids: biz.post(
            "customers/", {"external_id": "nul", "company_name": "x", "metadata": {"k": "\x00"}}
        ),
        "metadata.k",
        400,
    ),
    "lone surrogate": (
        lambda http, biz, ids: http.post(
            biz.url("customers/"),
            content=b'{"external_id": "s", "company_name": "a \\ud800 b"}',
            headers={**biz.headers, "Content-Type": "application/json"},
        ),
        "company_name",
        400,
    ),
    "NUL in the Idempotency-Key": (
        lambda http, biz, ids: biz.post(
            "invoices/payments/",
            biz.payment_body(ids["customer"], ids["invoice"], 100),
            headers={"Idempotency-Key": "k\x00"},
        ),
        "Idempotency-Key",
        400,
    ),
}


@pytest.fixture
def ids(biz: Biz) -> dict[str, str]:
    customer = biz.customer()
    invoice = biz.invoice(customer["id"])
    return {"customer": customer["id"], "invoice": invoice["id"]}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_is_a_4xx_with_the_documented_body(http, biz, ids, name):
    request, field, status = CASES[name]
    before = stored()
    response = request(http, biz, ids)
    code, error_code, details = error_of(response)
    assert code == status, response.text
    assert error_code == ("validation_error" if status == 400 else "invalid_credentials")
    if field is not None:
        assert field in details, details
        assert all(isinstance(m, str) and m for m in details[field])
    assert stored() == before


def test_a_valid_request_still_passes_after_the_hostile_ones(http, biz, ids):
    """The positive control: the same shapes, made valid, are accepted."""
    body = invoice_body(biz, ids["customer"], quantity="2.5")
    created = biz.ok(biz.post("invoices/", body))
    assert created["total_amount_cents"] == 24750
    assert biz.ok(biz.get("vendors/", params={"name": "ab"}), 200)["count"] == 0
    nested = json.loads(deep(5))
    nested["company_name"] = "Nested Ltd"
    assert biz.post("customers/", nested).status_code == 201
    assert (
        http.post(
            "/v1/platform/oauth2/token/",
            data={"grant_type": "client_credentials", "client_id": PARTNER_ID},
            headers=basic(),
        ).status_code
        == 200
    )
