"""Which client call carries each resource's create, update and delete.

This table is the only place that knows, per resource, whether Thred has an update
(invoice/bill PUT, payment/bill-payment PATCH, payout upsert, business PATCH) and what a
host delete becomes (void an invoice, cancel a payment, archive a customer). Resources
missing from ``UPDATES`` or ``DELETES`` have no such call in Thred.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from thred_django.client import ThredClient, ThredResponse
from thred_django.resources import Resource

Payload = dict[str, Any]


@dataclass(frozen=True)
class Sent:
    """What a successful call returned: the Thred id and the raw response."""

    thred_id: str
    response: ThredResponse[Any]


def body_of(response: ThredResponse[Any]) -> dict[str, Any]:
    """The object in a response (payment create/patch responses wrap it in "payment")."""
    data = response.data or {}
    if isinstance(data, dict) and isinstance(data.get("payment"), dict):
        data = data["payment"]
    return data if isinstance(data, dict) else {}


def _id_of(response: ThredResponse[Any]) -> str:
    return str(body_of(response).get("id", ""))


def _split_refund(payload: Payload) -> tuple[str, Payload]:
    """Refund payments live under their refund's path: refund_id moves to the URL."""
    body = dict(payload)
    return str(body.pop("refund_id", "")), body


# create(client, business_id, payload, idempotency_key) -> response
Create = Callable[[ThredClient, str, Payload, str], ThredResponse[Any]]
Update = Callable[[ThredClient, str, str, Payload], ThredResponse[Any]]
Delete = Callable[[ThredClient, str, str], ThredResponse[Any]]

CREATES: dict[str, Create] = {
    Resource.BUSINESS: lambda c, b, p, k: c.create_business(p),
    Resource.CUSTOMER: lambda c, b, p, k: c.create_customer(b, p),
    Resource.VENDOR: lambda c, b, p, k: c.create_vendor(b, p),
    Resource.INVOICE: lambda c, b, p, k: c.create_invoice(b, p),
    Resource.PAYMENT: lambda c, b, p, k: c.create_payment(b, p, idempotency_key=k),
    Resource.PAYOUT: lambda c, b, p, k: c.upsert_payout(b, p),
    Resource.REFUND: lambda c, b, p, k: c.create_refund(b, p),
    Resource.REFUND_PAYMENT: lambda c, b, p, k: c.create_refund_payment(b, *_split_refund(p)),
    Resource.BILL: lambda c, b, p, k: c.create_bill(b, p),
    Resource.BILL_PAYMENT: lambda c, b, p, k: c.create_bill_payment(b, p, idempotency_key=k),
    Resource.VENDOR_CREDIT: lambda c, b, p, k: c.create_vendor_credit(b, p),
}

# Fields an update call cannot change (not in the documented update schema).
FIXED_ON_UPDATE: dict[str, tuple[str, ...]] = {
    Resource.BUSINESS: ("country", "base_currency"),
    Resource.BILL_PAYMENT: ("vendor_id", "amount_cents", "currency", "payment_date"),
}
_BUSINESS_FIXED = ("external_id", *FIXED_ON_UPDATE[Resource.BUSINESS])


def changed_fixed_fields(
    resource: str, acked: dict[str, Any] | None, payload: Payload
) -> list[str]:
    """Fields the host changed that the update call cannot carry."""
    before = acked or {}
    return [f for f in FIXED_ON_UPDATE.get(resource, ()) if before.get(f) != payload.get(f)]


UPDATES: dict[str, Update] = {
    Resource.BUSINESS: lambda c, b, i, p: c.update_business(
        i, {k: v for k, v in p.items() if k not in _BUSINESS_FIXED}
    ),
    Resource.INVOICE: lambda c, b, i, p: c.update_invoice(b, i, p),
    Resource.BILL: lambda c, b, i, p: c.update_bill(b, i, p),
    Resource.PAYMENT: lambda c, b, i, p: c.update_payment(b, i, p),
    Resource.BILL_PAYMENT: lambda c, b, i, p: c.update_bill_payment(b, i, p),
    Resource.PAYOUT: lambda c, b, i, p: c.upsert_payout(b, p),
}

DELETES: dict[str, Delete] = {
    Resource.CUSTOMER: lambda c, b, i: c.archive_customer(b, i),
    Resource.INVOICE: lambda c, b, i: c.void_invoice(b, i),
    Resource.PAYMENT: lambda c, b, i: c.cancel_payment(b, i),
    Resource.BILL_PAYMENT: lambda c, b, i: c.cancel_bill_payment(b, i),
}

# Resources whose create takes an Idempotency-Key header as well as external_id.
KEYED = (Resource.PAYMENT, Resource.BILL_PAYMENT)


def idempotency_key_for(resource: str, external_id: str, payload_hash: str) -> str:
    """Deterministic: a restarted worker, or another one, resends the same key for the
    same data; edited data gets a new key (Thred refuses a key reused with another body)."""
    if resource not in KEYED:
        return ""
    return f"thred-django:{resource}:{external_id}:{payload_hash[:16]}"


def create(client: ThredClient, resource: str, business_id: str, payload: Payload, key: str):
    response = CREATES[resource](client, business_id, payload, key)
    return Sent(_id_of(response), response)


def update(client: ThredClient, resource: str, business_id: str, thred_id: str, payload: Payload):
    response = UPDATES[resource](client, business_id, thred_id, payload)
    return Sent(_id_of(response) or thred_id, response)


def delete(client: ThredClient, resource: str, business_id: str, thred_id: str) -> Sent:
    response = DELETES[resource](client, business_id, thred_id)
    return Sent(thred_id, response)
