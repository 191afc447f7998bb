"""The client against the in-process sandbox: accounts payable."""

from __future__ import annotations

import pytest

from tests.client.sandbox_world import (
    World,
    bill_payload,
    bill_payment_payload,
    vendor_credit_payload,
    vendor_payload,
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


def test_vendor_create_list_get_unarchive(sandbox_client: ThredClient, world: World):
    from thred_django.sandbox.models import Vendor

    business_id = world.business_id
    payload = vendor_payload()
    created = sandbox_client.create_vendor(business_id, payload)
    repeat = sandbox_client.create_vendor(business_id, payload)
    assert (created.status_code, repeat.status_code) == (201, 200)
    vendor_id = created.data["id"]
    assert repeat.data["id"] == vendor_id
    assert (
        sandbox_client.get_vendor(business_id, vendor_id).data["company_name"]
        == (payload["company_name"])
    )
    listed = list(sandbox_client.list_vendors(business_id, external_id=payload["external_id"]))
    assert [v["id"] for v in listed] == [vendor_id]
    with pytest.raises(ThredConflictError) as info:
        sandbox_client.unarchive_vendor(business_id, vendor_id)
    assert info.value.error_code == "vendor_not_archived"
    Vendor.objects.filter(id=vendor_id).update(status="ARCHIVED")  # Thred has no archive call
    assert sandbox_client.unarchive_vendor(business_id, vendor_id).data["status"] == "ACTIVE"


def test_vendor_needs_a_name(sandbox_client: ThredClient, world: World):
    with pytest.raises(ThredValidationError) as info:
        sandbox_client.create_vendor(world.business_id, {"external_id": "ven-nameless"})
    assert info.value.details


def test_bill_create_list_get_update(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    payload = bill_payload(world.vendor["id"])
    created = sandbox_client.create_bill(business_id, payload)
    repeat = sandbox_client.create_bill(business_id, payload)
    assert (created.status_code, repeat.status_code) == (201, 200)
    bill_id = created.data["id"]
    assert repeat.data["id"] == bill_id
    assert sandbox_client.get_bill(business_id, bill_id).data["id"] == bill_id
    assert bill_id in {b["id"] for b in sandbox_client.list_bills(business_id)}
    lines = [{"quantity": 3, "unit_price": 1000, "description": "Filters"}]
    updated = sandbox_client.update_bill(business_id, bill_id, {"line_items": lines})
    assert (updated.method, updated.status_code) == ("PUT", 200)
    assert [line["description"] for line in updated.data["line_items"]] == ["Filters"]


def test_bill_for_unknown_vendor(sandbox_client: ThredClient, world: World):
    with pytest.raises((ThredValidationError, ThredNotFoundError)):
        sandbox_client.create_bill(world.business_id, bill_payload(UNKNOWN_ID))


def test_bill_payment_idempotency_key_and_lifecycle(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    payload = bill_payment_payload(world.vendor["id"], world.bill["id"], amount=5000)
    first = sandbox_client.create_bill_payment(business_id, payload, idempotency_key="bp-k1")
    again = sandbox_client.create_bill_payment(business_id, payload, idempotency_key="bp-k1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.data == first.data
    bill_payment_id = first.data["id"]
    assert sandbox_client.get_bill_payment(business_id, bill_payment_id).data["id"] == (
        bill_payment_id
    )
    assert bill_payment_id in {p["id"] for p in sandbox_client.list_bill_payments(business_id)}
    updated = sandbox_client.update_bill_payment(business_id, bill_payment_id, {"memo": "Paid"})
    assert (updated.method, updated.data["memo"]) == ("PATCH", "Paid")
    with pytest.raises(ThredConflictError) as info:
        sandbox_client.cancel_bill_payment(business_id, bill_payment_id)
    assert info.value.error_code == "bill_payment_not_cancellable"

    pending = sandbox_client.create_bill_payment(
        business_id,
        bill_payment_payload(world.vendor["id"], world.bill["id"], amount=100, status="pending"),
    ).data
    cancelled = sandbox_client.cancel_bill_payment(business_id, pending["id"])
    assert (cancelled.data["payment_id"], cancelled.data["status"]) == (pending["id"], "cancelled")


def test_bill_payment_external_id_repeat(sandbox_client: ThredClient, world: World):
    payload = bill_payment_payload(world.vendor["id"], world.bill["id"], amount=700)
    first = sandbox_client.create_bill_payment(world.business_id, payload)
    again = sandbox_client.create_bill_payment(world.business_id, payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.data["id"] == first.data["id"]


def test_vendor_credit_create_list_get(sandbox_client: ThredClient, world: World):
    business_id = world.business_id
    payload = vendor_credit_payload(world.vendor["id"])
    created = sandbox_client.create_vendor_credit(business_id, payload)
    repeat = sandbox_client.create_vendor_credit(business_id, payload)
    assert (created.status_code, repeat.status_code) == (201, 200)
    credit_id = created.data["id"]
    assert repeat.data["id"] == credit_id
    assert sandbox_client.get_vendor_credit(business_id, credit_id).data["id"] == credit_id
    assert credit_id in {c["id"] for c in sandbox_client.list_vendor_credits(business_id)}
