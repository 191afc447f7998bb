"""The client call behind each lifecycle operation of each resource.

What a resource *can* do (update or not, which fields are fixed, void / cancel /
archive / unarchive) is declared in ``thred_django.lifecycle``; this module only knows
which client method carries it, and refuses to be asked for an operation the lifecycle
does not declare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from thred_django import lifecycle
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
Call = Callable[[ThredClient, str, str], ThredResponse[Any]]
Lookup = Callable[[ThredClient, str, dict[str, str]], Iterator[Any]]

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

# Keyed by the lifecycle's ``update`` kind and resource.
_UPDATES: dict[str, Update] = {
    Resource.BUSINESS: lambda c, b, i, p: c.update_business(i, p),
    Resource.INVOICE: lambda c, b, i, p: c.update_invoice(b, i, p),
    Resource.BILL: lambda c, b, i, p: c.update_bill(b, i, p),
    Resource.PAYMENT: lambda c, b, i, p: c.update_payment(b, i, p),
    Resource.BILL_PAYMENT: lambda c, b, i, p: c.update_bill_payment(b, i, p),
    Resource.PAYOUT: lambda c, b, i, p: c.upsert_payout(b, p),
}

# (resource, lifecycle verb) -> call
_CALLS: dict[tuple[str, str], Call] = {
    (Resource.CUSTOMER, "archive"): lambda c, b, i: c.archive_customer(b, i),
    (Resource.CUSTOMER, "unarchive"): lambda c, b, i: c.unarchive_customer(b, i),
    (Resource.VENDOR, "unarchive"): lambda c, b, i: c.unarchive_vendor(b, i),
    (Resource.INVOICE, "void"): lambda c, b, i: c.void_invoice(b, i),
    (Resource.PAYMENT, "cancel"): lambda c, b, i: c.cancel_payment(b, i),
    (Resource.BILL_PAYMENT, "cancel"): lambda c, b, i: c.cancel_bill_payment(b, i),
}


def _refund_payments(client: ThredClient, business_id: str, filters: dict[str, str]) -> Any:
    """Refund payments have no business-wide list: each refund lists its own."""
    for refund in client.list_refunds(business_id, **filters):
        yield from (refund.get("refund_payments") or []) if isinstance(refund, dict) else []


_LISTS: dict[str, Lookup] = {
    Resource.CUSTOMER: lambda c, b, f: c.list_customers(b, **f),
    Resource.VENDOR: lambda c, b, f: c.list_vendors(b, **f),
    Resource.PAYOUT: lambda c, b, f: c.list_payouts(b, **f),
    Resource.INVOICE: lambda c, b, f: c.list_invoices(b, **f),
    Resource.PAYMENT: lambda c, b, f: c.list_payments(b, **f),
    Resource.BILL: lambda c, b, f: c.list_bills(b, **f),
    Resource.BILL_PAYMENT: lambda c, b, f: c.list_bill_payments(b, **f),
    Resource.REFUND: lambda c, b, f: c.list_refunds(b, **f),
    Resource.REFUND_PAYMENT: _refund_payments,
    Resource.VENDOR_CREDIT: lambda c, b, f: c.list_vendor_credits(b, **f),
}


def idempotency_key_for(resource: str, external_id: str, payload_hash: str) -> str:
    """Deterministic: a restarted worker, or another one, resends the same key for the
    same data; edited data gets a new key (Thred refuses a key reused with another body)."""
    if not lifecycle.of(resource).idempotency_key:
        return ""
    return f"thred-django:{resource}:{external_id}:{payload_hash[:16]}"


def create(
    client: ThredClient, resource: str, business_id: str, payload: Payload, key: str
) -> Sent:
    response = CREATES[resource](client, business_id, payload, key)
    return Sent(_id_of(response), response)


def update(
    client: ThredClient, resource: str, business_id: str, thred_id: str, payload: Payload
) -> Sent:
    """The lifecycle's update, with the fields it cannot change left out."""
    life = lifecycle.of(resource)
    if not life.updatable:
        raise ValueError(f"The lifecycle of {resource} has no update.")
    response = _UPDATES[resource](client, business_id, thred_id, life.update_body(payload))
    return Sent(_id_of(response) or thred_id, response)


def call(client: ThredClient, resource: str, verb: str, business_id: str, thred_id: str) -> Sent:
    """void / cancel / archive / unarchive, as the lifecycle declares for ``resource``."""
    life = lifecycle.of(resource)
    if verb not in (life.deactivate, life.reactivate) or not verb:
        raise ValueError(f"The lifecycle of {resource} has no {verb or 'empty'} call.")
    response = _CALLS[(resource, verb)](client, business_id, thred_id)
    return Sent(thred_id, response)


def deactivate(client: ThredClient, resource: str, business_id: str, thred_id: str) -> Sent:
    return call(client, resource, lifecycle.of(resource).deactivate, business_id, thred_id)


def reactivate(client: ThredClient, resource: str, business_id: str, thred_id: str) -> Sent:
    return call(client, resource, lifecycle.of(resource).reactivate, business_id, thred_id)


def can_look_up(resource: str) -> bool:
    return resource in _LISTS


def look_up(client: ThredClient, resource: str, business_id: str, external_id: str) -> str:
    """The Thred id of the object holding ``external_id`` ("" when Thred holds none):
    through the lifecycle's list filter, or by reading the list when there is no such
    filter (only after a lost create answer, so rarely)."""
    life = lifecycle.of(resource)
    if resource not in _LISTS:
        raise ValueError(f"Thred has no business-wide list of {resource} to look in.")
    filters: dict[str, str] = {}
    if life.lookup_filter:
        filters[life.lookup_filter] = external_id
    if resource in (Resource.CUSTOMER, Resource.VENDOR):
        filters["include_archived"] = "true"
    for item in _LISTS[resource](client, business_id, filters):
        if isinstance(item, dict) and item.get("external_id") == external_id:
            return str(item.get("id", ""))
    return ""
