"""Shared conventions of the sandbox's JSON: ids, date-times, amounts, names, lines.

Every renderer returns JSON-safe data: ids as lower-case UUID strings, date-times as
ISO 8601 with ``Z``, dates as ``YYYY-MM-DD``, amounts as integers in minor units (the
un-suffixed amount fields carry the same minor-unit value as their ``*_cents`` twin:
gaps.md 2, read as in ``readings``). Optional request fields never sent render as
``""`` (strings), ``None``, ``[]`` or ``{}``, or are left out where the schema types them
non-null. Renderers of documents expect their related rows loaded (their kind's
``query``), so a page costs a fixed number of queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from thred_django.sandbox import readings
from thred_django.sandbox.schemas import totals


def ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def sid(value: Any) -> str | None:
    return str(value) if value else None


def without_nulls(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``data`` without those ``keys`` whose value is None: optional fields the schema
    types as non-null (a string, an integer, an object) are left out, not null."""
    for key in keys:
        if data.get(key, 0) is None:
            del data[key]
    return data


def number(value: Any) -> Any:
    """A quantity as a JSON number, however it was sent ("1.00" -> 1, "2.5" -> 2.5)."""
    try:
        exact = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not exact.is_finite():
        return value
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def strings(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: data.get(key, "") for key in keys}


def display_amount(cents: int, currency: str) -> str:
    decimals = readings.CURRENCY_DECIMALS.get(currency, 2)
    major = cents / (10**decimals)
    return f"{major:,.{decimals}f} {currency}"


def display_name(obj: Any) -> str:
    """A customer's or vendor's name."""
    return obj.company_name or obj.individual_name or (obj.external_id or "")


def line_id(owner: Any, index: int) -> str:
    """A stable id for the ``index``-th line of a document."""
    return str(uuid.uuid5(owner.id, f"line-{index}"))


def lines(
    doc: Any, line_total: Callable[[dict[str, Any]], int], **extra: Any
) -> list[dict[str, Any]]:
    """A document's line items as sent, with their id, amounts and currency."""
    out = []
    for index, line in enumerate(doc.data.get("line_items", [])):
        subtotal = totals.subtotal(line)
        total = line_total(line)
        item = {
            **line,
            "quantity": number(line.get("quantity")),
            "id": line_id(doc, index),
            "subtotal": subtotal,
            "total_amount": total,
            "currency": doc.currency,
        }
        for key, compute in extra.items():
            item[key] = compute(doc, subtotal, total)
        out.append(item)
    return out
