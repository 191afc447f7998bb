"""The request log: what it keeps, and that it never keeps credentials."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.sandbox.conftest import API_KEY
from thred_django.sandbox.models import RequestLog


@pytest.mark.django_db
def test_entries_describe_each_request(biz):
    customer = biz.customer(external_id="cus-log")
    biz.post("customers/", {"external_id": "cus-log", "company_name": "again"})
    invoice = biz.invoice(customer["id"])
    body = biz.payment_body(customer["id"], invoice["id"], 100, external_id="pay-log")
    biz.post("invoices/payments/", body, headers={"Idempotency-Key": "idem-log"})
    biz.post(f"invoices/{invoice['id']}/void/")  # refused: has a payment
    biz.get("customers/", params={"page_size": 5})

    rows = list(RequestLog.objects.filter(business_id=biz.id).order_by("id"))
    summary = [(r.method, r.resource, r.action, r.status, r.created) for r in rows]
    assert summary == [
        ("POST", "business", "create", 201, True),
        ("POST", "token", "exchange", 200, False),
        ("POST", "customer", "create", 201, True),
        ("POST", "customer", "create", 200, False),
        ("POST", "invoice", "create", 201, True),
        ("POST", "payment", "create", 201, True),
        ("POST", "invoice", "void", 409, False),
        ("GET", "customer", "list", 200, False),
    ]
    assert rows[0].external_id == "tenant-1"
    assert rows[2].external_id == rows[3].external_id == "cus-log"
    assert rows[2].path == f"/thred-sandbox/v1/platform/businesses/{biz.id}/customers/"
    assert (rows[5].external_id, rows[5].idempotency_key) == ("pay-log", "idem-log")
    assert rows[6].error_code == "invoice_has_payments"
    assert rows[7].path.endswith("/customers/")  # no query string
    assert all(r.duration_ms >= 0 for r in rows)
    token_row = RequestLog.objects.filter(resource="token", action="token").first()
    assert token_row is not None and token_row.status == 200


@pytest.mark.django_db
def test_no_credentials_or_tokens_are_stored(biz, http):
    biz.customer()
    http.get("/v1/platform/businesses/", headers={"Authorization": "Bearer bogus-secret-token"})
    secrets = [
        API_KEY,
        biz.headers["Authorization"].split()[1],
        biz.partner_headers["Authorization"].split()[1],
        "bogus-secret-token",
    ]
    values = [
        str(value)
        for row in RequestLog.objects.values()
        for value in row.values()
        if value is not None
    ]
    assert values  # the log is not empty
    for secret in secrets:
        assert not any(secret in value for value in values)
    field_names = {f.name for f in RequestLog._meta.get_fields()}
    assert not field_names & {"headers", "authorization", "body", "token"}


@pytest.mark.django_db
def test_request_log_can_be_switched_off(biz):
    RequestLog.objects.all().delete()
    with override_settings(THRED_SANDBOX={"REQUEST_LOG": False}):
        biz.customer()
    assert not RequestLog.objects.exists()
    biz.customer()
    assert RequestLog.objects.count() == 1
