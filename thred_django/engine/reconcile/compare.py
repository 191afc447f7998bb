"""Comparing a payload (what the host says) with the object Thred returns, field by field.

Only what the payload sends is compared — amounts, lines, statuses, links (parent ids),
dates — each against the same field of Thred's object, or against the field Thred
returns it as (``ALIASES``: a payout's ``payment_ids`` come back as ``payments[].id``).
Fields Thred does not return are not compared. Values are compared by meaning, not
by spelling: ``"2026-01-15T10:00:00Z"`` equals ``"2026-01-15T10:00:00+00:00"``,
``1200`` equals ``"1200.00"``, a missing optional value equals ``""`` or ``null``; lists
of ids compare as sets, lists of lines element by element.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from thred_django.engine.reconcile.findings import FieldDiff
from thred_django.resources import Resource

_ABSENT = object()
# Payload keys never compared: the external id is how the two were matched.
SKIP = frozenset({"external_id"})


def _ids(key: str) -> Callable[[dict[str, Any]], Any]:
    def read(obj: dict[str, Any]) -> Any:
        items = obj.get(key)
        if not isinstance(items, list):
            return _ABSENT
        return [item.get("id") for item in items if isinstance(item, dict)]

    return read


def _nested(outer: str, inner: str) -> Callable[[dict[str, Any]], Any]:
    def read(obj: dict[str, Any]) -> Any:
        value = obj.get(outer)
        return value.get(inner, _ABSENT) if isinstance(value, dict) else _ABSENT

    return read


# (resource, payload key) -> how Thred's object returns that field.
ALIASES: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
    (Resource.PAYOUT, "payment_ids"): _ids("payments"),
    (Resource.PAYOUT, "refund_payment_ids"): _ids("refund_payments"),
    (Resource.INVOICE, "customer_external_id"): _nested("customer", "external_id"),
    (Resource.BILL, "vendor_external_id"): _nested("vendor", "external_id"),
    (Resource.VENDOR_CREDIT, "vendor_external_id"): _nested("vendor", "external_id"),
}


def diff(resource: str, payload: dict[str, Any], thred: dict[str, Any]) -> list[FieldDiff]:
    """Fields where ``thred`` disagrees with ``payload`` (dotted paths, ``[i]`` for lines)."""
    out: list[FieldDiff] = []
    for key, value in payload.items():
        if key in SKIP:
            continue
        if key in thred:
            other = thred[key]
        elif (resource, key) in ALIASES:
            other = ALIASES[(resource, key)](thred)
        else:
            continue  # Thred does not return it: nothing to compare against
        if other is _ABSENT:
            continue
        _compare(key, value, other, out)
    return out


def _compare(path: str, host: Any, thred: Any, out: list[FieldDiff]) -> None:
    if isinstance(host, dict):
        if not isinstance(thred, dict):
            out.append(FieldDiff(path, host, thred))
            return
        for key, value in host.items():
            if key in thred:
                _compare(f"{path}.{key}", value, thred[key], out)
        return
    if isinstance(host, list):
        if not isinstance(thred, list):
            out.append(FieldDiff(path, host, thred))
        elif all(not isinstance(v, dict | list) for v in host + thred):
            if sorted(map(_key, host)) != sorted(map(_key, thred)):
                out.append(FieldDiff(path, host, thred))
        elif len(host) != len(thred):
            out.append(FieldDiff(f"{path}.length", len(host), len(thred)))
        else:
            for i, (mine, theirs) in enumerate(zip(host, thred, strict=True)):
                _compare(f"{path}[{i}]", mine, theirs, out)
        return
    if not same(host, thred):
        out.append(FieldDiff(path, host, thred))


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def same(host: Any, thred: Any) -> bool:
    """Equal by meaning: empty values, numbers, date-times and dates."""
    if host == thred and type(host) is type(thred):
        return True
    if host in (None, "") and thred in (None, ""):
        return True
    if isinstance(host, bool) or isinstance(thred, bool):
        return host == thred
    numbers = (int, float, Decimal)
    if isinstance(host, numbers) or isinstance(thred, numbers):
        a, b = _decimal(host), _decimal(thred)
        return a is not None and a == b
    if isinstance(host, str) and isinstance(thred, str):
        if host == thred:
            return True
        a, b = _decimal(host), _decimal(thred)
        if a is not None and b is not None:
            return a == b
        when_a, when_b = _when(host), _when(thred)
        return when_a is not None and when_a == when_b
    return False


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _when(text: str) -> datetime | date | None:
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is not None:
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return parse_date(text)
    except ValueError:
        return None
