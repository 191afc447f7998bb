"""The client call behind each lifecycle operation of each resource, derived from the
resource specs (``thred_django.specs``): the endpoint of each verb, its path parameters,
the Idempotency-Key, the upsert, the list an object is found in. Nothing here names a
resource; asking for an operation a spec does not declare is a ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from thred_django import lifecycle, specs
from thred_django.client import ThredClient, ThredResponse
from thred_django.client.receivables import idempotency_headers
from thred_django.engine.iopool import hand_back
from thred_django.specs import Spec

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


def _send(
    client: ThredClient,
    spec: Spec,
    verb: str,
    business_id: str,
    thred_id: str = "",
    payload: Payload | None = None,
    headers: dict[str, str] | None = None,
) -> ThredResponse[Any]:
    """Call ``verb`` of ``spec``. Path parameters: the object's own id (the last one) is
    ``thred_id``; ``business_id`` is the business; any other (a refund payment's
    ``refund_id``) moves from the payload to the URL."""
    op = spec.op(verb)
    if op is None:
        raise ValueError(f"Thred has no {verb} for {spec.name}.")
    body = dict(payload) if payload is not None else ({} if op.empty_body else None)
    params: dict[str, str] = {}
    names = op.path_params
    for index, name in enumerate(names):
        if thred_id and index == len(names) - 1:
            params[name] = thred_id
        elif name == "business_id":
            params[name] = business_id
        else:
            params[name] = str((body or {}).pop(name, ""))
    hand_back()  # an I/O thread holds no pooled database connection while Thred answers
    return client.send_operation(spec.endpoint_name(verb), body=body, headers=headers, **params)


def idempotency_key_for(resource: str, external_id: str, payload_hash: str) -> str:
    """Deterministic: a restarted worker, or another one, resends the same key for the
    same data; edited data gets a new key (Thred refuses a key reused with another body)."""
    if not specs.of(resource).idempotency_key:
        return ""
    return f"thred-django:{resource}:{external_id}:{payload_hash[:16]}"


def create(
    client: ThredClient, resource: str, business_id: str, payload: Payload, key: str
) -> Sent:
    spec = specs.of(resource)
    headers = idempotency_headers(key) if spec.idempotency_key else None
    response = _send(client, spec, "create", business_id, payload=payload, headers=headers)
    return Sent(_id_of(response), response)


def update(
    client: ThredClient, resource: str, business_id: str, thred_id: str, payload: Payload
) -> Sent:
    """The spec's update (PUT, PATCH, or the upsert create), without the fixed fields."""
    spec, life = specs.of(resource), lifecycle.of(resource)
    if not life.updatable:
        raise ValueError(f"The lifecycle of {resource} has no update.")
    body = life.update_body(payload)
    if spec.upsert:
        response = _send(client, spec, "create", business_id, payload=body)
    else:
        response = _send(client, spec, "update", business_id, thred_id, payload=body)
    return Sent(_id_of(response) or thred_id, response)


def call(client: ThredClient, resource: str, verb: str, business_id: str, thred_id: str) -> Sent:
    """void / cancel / archive / unarchive, as the spec declares for ``resource``."""
    spec = specs.of(resource)
    if verb not in (spec.deactivate, spec.reactivate) or not verb:
        raise ValueError(f"The lifecycle of {resource} has no {verb or 'empty'} call.")
    return Sent(thred_id, _send(client, spec, verb, business_id, thred_id))


def deactivate(client: ThredClient, resource: str, business_id: str, thred_id: str) -> Sent:
    return call(client, resource, specs.of(resource).deactivate, business_id, thred_id)


def reactivate(client: ThredClient, resource: str, business_id: str, thred_id: str) -> Sent:
    return call(client, resource, specs.of(resource).reactivate, business_id, thred_id)


def retired(resource: str, obj: dict[str, Any]) -> bool:
    """Thred holds ``obj`` archived, voided or cancelled (what ``deactivate`` makes it)."""
    spec = specs.of(resource)
    status = str(obj.get("status", ""))
    if spec.has_archived:
        return bool(obj.get("is_archived")) or status.upper() == "ARCHIVED"
    if spec.deactivate == "void":
        return bool(obj.get("voided_at")) or status.upper() == "VOID"
    if spec.deactivate == "cancel":
        return status.lower() == "cancelled"
    return False


def held_retired(client: ThredClient, resource: str, business_id: str, thred_id: str) -> bool:
    """Read the object from Thred: is it archived, voided or cancelled there?"""
    spec = specs.of(resource)
    return retired(resource, body_of(_send(client, spec, "get", business_id, thred_id)))


def can_look_up(resource: str) -> bool:
    """Thred lists the business's objects of ``resource``, in one list or in its
    parent's (refund payments in their refunds)."""
    spec = specs.of(resource)
    return spec.under_business and (spec.listed_by_business or spec.listed_in is not None)


def listed(
    client: ThredClient, resource: str, business_id: str, filters: dict[str, str]
) -> Iterator[Any]:
    """Every object of ``resource`` in the business, lazily: from its business-wide list
    (narrowed by ``filters``), or from each parent's (``Spec.listed_in``: the parent's
    field, or else the parent's own list of them; ``filters`` do not apply)."""
    spec = specs.of(resource)
    hand_back()
    if spec.listed_in is None:
        yield from client.list_operation(
            spec.endpoint_name("list"), filters, business_id=business_id
        )
        return
    parent, field = spec.listed_in
    own_list = spec.ops["list"]
    parent_param = next(name for name in own_list.path_params if name != "business_id")
    for item in listed(client, parent, business_id, {}):
        if not isinstance(item, dict):
            continue
        embedded = item.get(field)
        if isinstance(embedded, list):
            yield from embedded
        elif item.get("id"):
            yield from client.list_operation(
                spec.endpoint_name("list"),
                {},
                business_id=business_id,
                **{parent_param: str(item["id"])},
            )


def look_up(client: ThredClient, resource: str, business_id: str, external_id: str) -> str:
    """The Thred id of the object holding ``external_id`` ("" when Thred holds none):
    through the spec's list filter, or by reading the list when there is no such filter
    (only after a lost create answer, so rarely). Archived objects are looked at too."""
    spec = specs.of(resource)
    if not can_look_up(resource):
        raise ValueError(f"Thred has no business-wide list of {resource} to look in.")
    filters: dict[str, str] = {}
    if spec.lookup_filter:
        filters[spec.lookup_filter] = external_id
    if spec.has_archived:
        filters["include_archived"] = "true"
    for item in listed(client, resource, business_id, filters):
        if isinstance(item, dict) and item.get("external_id") == external_id:
            return str(item.get("id", ""))
    return ""
