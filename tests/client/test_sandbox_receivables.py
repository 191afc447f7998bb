"""The client against the in-process sandbox: businesses and accounts receivable."""

from __future__ import annotations

import pytest

from tests.client.sandbox_world import (
    World,
    business_payload,
    customer_payload,
    invoice_payload,
    payment_payload,
    payout_payload,
    refund_payload,
    refund_payment_payload,
)
from thred_django.client import ThredClient
from thred_django.exceptions import (
    ThredConflictError,
    ThredNotFoundError,
    ThredValidationError,
)

pytest.importorskip("thred_django.sandbox.transport")
pytestmark = pytest.mark.django_db

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


# --- businesses ---------------------------------------------------------------------


def test_business_create_is_idempotent_on_external_id(sandbox_client: ThredClient):
    payload = business_payload()
    first = sandbox_client.create_business(payload)
    again = sandbox_client.create_business({**payload, "legal_name": "Changed Ltd"})
    assert (first.status_code, first.created) == (201, True)
    assert (again.status_code, again.created) == (200, False)
    assert again.data["id"] == first.data["id"]
    assert again.data["legal_name"] == "Acme Coffee Ltd"
    assert first.path == "/v1/platform/businesses/"


def test_business_list_get_update(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    listed = {b["id"] for b in sandbox_client.list_businesses()}
    assert business_id in listed
    fetched = sandbox_client.get_business(business_id)
    assert fetched.data["external_id"] == world.business["external_id"]
    updated = sandbox_client.update_business(business_id, {"legal_name": "Acme Roasters Ltd"})
    assert updated.status_code == 200
    assert updated.method == "PATCH"
    assert sandbox_client.get_business(business_id).data["legal_name"] == "Acme Roasters Ltd"


def test_business_validation_error_names_fields(sandbox_client: ThredClient):
    with pytest.raises(ThredValidationError) as info:
        sandbox_client.create_business(business_payload(email="not-an-email", entity_type="gmbh"))
    exc = info.value
    assert exc.status == 400
    assert exc.error_code == "validation_error"
    assert "email" in exc.details
    assert "entity_type" in exc.details
    assert exc.path == "/v1/platform/businesses/"


def test_unknown_business_is_not_found(sandbox_client: ThredClient):
    with pytest.raises(ThredNotFoundError) as info:
        sandbox_client.get_business(UNKNOWN_ID)
    assert info.value.error_code == "business_not_found"
    with pytest.raises(ThredNotFoundError):
        sandbox_client.get_business_token(UNKNOWN_ID)


# --- customers ----------------------------------------------------------------------


def test_customer_lifecycle(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    payload = customer_payload()
    created = sandbox_client.create_customer(business_id, payload)
    assert created.created
    repeat = sandbox_client.create_customer(business_id, payload)
    assert (repeat.status_code, repeat.data["id"]) == (200, created.data["id"])
    customer_id = created.data["id"]
    assert sandbox_client.get_customer(business_id, customer_id).data["email"] == payload["email"]
    assert customer_id in {c["id"] for c in sandbox_client.list_customers(business_id)}
    archived = sandbox_client.archive_customer(business_id, customer_id)
    assert archived.data["is_archived"] is True
    with pytest.raises(ThredConflictError) as info:
        sandbox_client.archive_customer(business_id, customer_id)
    assert info.value.error_code == "customer_already_archived"
    unarchived = sandbox_client.unarchive_customer(business_id, customer_id)
    assert unarchived.data["is_archived"] is False


def test_customer_list_walks_several_pages(sandbox_client: ThredClient, world: World):
    created = {
        sandbox_client.create_customer(world.business_id, customer_payload()).data["id"]
        for _ in range(5)
    }
    listed = [c["id"] for c in sandbox_client.list_customers(world.business_id, page_size=2)]
    assert sorted(listed) == sorted(created)


def test_unknown_customer_is_not_found(sandbox_client: ThredClient, world: World):
    with pytest.raises(ThredNotFoundError) as info:
        sandbox_client.get_customer(world.business_id, UNKNOWN_ID)
    assert info.value.error_code == "customer_not_found"


# --- invoices -----------------------------------------------------------------------


def test_invoice_lifecycle(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    payload = invoice_payload(world.customer["id"])
    created = sandbox_client.create_invoice(business_id, payload)
    assert created.status_code == 201
    invoice_id = created.data["id"]
    repeat = sandbox_client.create_invoice(business_id, payload)
    assert (repeat.status_code, repeat.data["id"]) == (200, invoice_id)
    assert sandbox_client.get_invoice(business_id, invoice_id).data["id"] == invoice_id
    assert invoice_id in {i["id"] for i in sandbox_client.list_invoices(business_id)}
    updated = sandbox_client.update_invoice(business_id, invoice_id, {"memo": "Thanks!"})
    assert (updated.method, updated.status_code) == ("PUT", 200)
    voided = sandbox_client.void_invoice(business_id, invoice_id)
    assert voided.data["voided_at"]
    with pytest.raises(ThredConflictError) as info:
        sandbox_client.void_invoice(business_id, invoice_id)
    assert info.value.error_code == "invoice_already_voided"


def test_invoice_validation_error(sandbox_client: ThredClient, world: World):
    bad = invoice_payload(world.customer["id"], sent_at="2025-01-15")
    with pytest.raises(ThredValidationError) as info:
        sandbox_client.create_invoice(world.business_id, bad)
    assert "sent_at" in info.value.details


# --- invoice payments ---------------------------------------------------------------


def test_payment_idempotency_key_replays_the_stored_response(
    sandbox_client: ThredClient, world: World
):
    payload = payment_payload(world.customer["id"], world.invoice["id"])
    first = sandbox_client.create_payment(world.business_id, payload, idempotency_key="pay-k1")
    again = sandbox_client.create_payment(world.business_id, payload, idempotency_key="pay-k1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.data == first.data
    other_body = {**payload, "payment_reference": "changed"}
    with pytest.raises(ThredConflictError) as info:
        sandbox_client.create_payment(world.business_id, other_body, idempotency_key="pay-k1")
    assert info.value.error_code == "idempotency_key_reused"


def test_payment_external_id_repeat_returns_the_same_payment(
    sandbox_client: ThredClient, world: World
):
    payload = payment_payload(world.customer["id"], world.invoice["id"], amount=4000)
    first = sandbox_client.create_payment(world.business_id, payload)
    again = sandbox_client.create_payment(world.business_id, payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.data["payment"]["id"] == first.data["payment"]["id"]


def test_payment_list_get_update_cancel(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    payment_id = world.payment["id"]
    assert sandbox_client.get_payment(business_id, payment_id).data["id"] == payment_id
    assert payment_id in {p["id"] for p in sandbox_client.list_payments(business_id)}
    updated = sandbox_client.update_payment(business_id, payment_id, {"note": "Received"})
    assert (updated.method, updated.data["payment"]["id"]) == ("PATCH", payment_id)
    with pytest.raises(ThredConflictError) as info:
        sandbox_client.cancel_payment(business_id, payment_id)  # completed: refund instead
    assert info.value.error_code == "payment_not_cancellable"

    open_invoice = sandbox_client.create_invoice(
        business_id, invoice_payload(world.customer["id"])
    ).data
    pending = sandbox_client.create_payment(
        business_id,
        payment_payload(world.customer["id"], open_invoice["id"], amount=100, status="pending"),
    ).data["payment"]
    cancelled = sandbox_client.cancel_payment(business_id, pending["id"])
    assert (cancelled.data["payment_id"], cancelled.data["status"]) == (pending["id"], "cancelled")


# --- refunds, refund payments, payouts ----------------------------------------------


def test_refunds_and_refund_payments(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    refund_id = world.refund["id"]
    assert sandbox_client.get_refund(business_id, refund_id).data["id"] == refund_id
    assert refund_id in {r["id"] for r in sandbox_client.list_refunds(business_id)}
    payload = refund_payment_payload(amount=1000)
    created = sandbox_client.create_refund_payment(business_id, refund_id, payload)
    repeat = sandbox_client.create_refund_payment(business_id, refund_id, payload)
    assert (created.status_code, repeat.status_code) == (201, 200)
    assert repeat.data["id"] == created.data["id"]
    rp_id = created.data["id"]
    got = sandbox_client.get_refund_payment(business_id, refund_id, rp_id)
    assert got.data["refund_id"] == refund_id
    listed = {p["id"] for p in sandbox_client.list_refund_payments(business_id, refund_id)}
    assert rp_id in listed


def test_refund_beyond_what_was_received_is_refused(sandbox_client: ThredClient, world: World):
    with pytest.raises((ThredValidationError, ThredConflictError)):
        sandbox_client.create_refund(
            world.business_id, refund_payload(world.invoice["id"], amount=10**9)
        )


def test_payout_upsert_list_get(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    payload = payout_payload([world.payment["id"]], [world.refund_payment["id"]])
    created = sandbox_client.upsert_payout(business_id, payload)
    assert created.status_code == 201
    updated = sandbox_client.upsert_payout(business_id, {**payload, "memo": "January"})
    assert (updated.status_code, updated.data["id"]) == (200, created.data["id"])
    assert updated.data["memo"] == "January"
    payout_id = created.data["id"]
    assert sandbox_client.get_payout(business_id, payout_id).data["memo"] == "January"
    assert payout_id in {p["id"] for p in sandbox_client.list_payouts(business_id)}
