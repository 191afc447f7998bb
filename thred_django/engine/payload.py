"""Normalising and hashing payloads.

A payload is normalised to plain JSON once, so that the hash of what would be sent is
stable and a save that does not change what Thred would receive makes no call:

* an integral ``Decimal`` becomes an integer (``Decimal("1350")`` → ``1350``), any other
  ``Decimal`` a JSON number (``Decimal("2.5")`` → ``2.5``): quantities go out as numbers
  and a ``*_cents`` field gets an integer or a clear "must be minor units" error;
* a ``date`` under a key ending in ``_at`` (Thred's date-time fields: ``sent_at``,
  ``due_at``, ``completed_at``…) becomes midnight of that day in the business's time
  zone (``Mapping.get_timezone``, default ``THRED["TIMEZONE"]`` or ``TIME_ZONE``), a naive
  ``datetime`` is read in that zone; other dates stay ``YYYY-MM-DD`` (``payment_date``);
* invoice and bill lines whose ``quantity x unit_price`` is not a whole number of minor
  units follow ``THRED["FRACTIONAL_LINES"]`` (see ``_fractional_line``), so the total
  Thred computes never depends on a rounding it does not document;
* NaN and infinities are refused, and anything JSON cannot carry names its path.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from thred_django.conf import default_timezone, thred_settings
from thred_django.exceptions import PayloadError
from thred_django.money import MoneyError, format_minor

__all__ = ["LINE_POLICIES", "PayloadError", "default_timezone", "digest", "normalize"]

# THRED["FRACTIONAL_LINES"]: what to do with a line whose quantity x unit_price is not a
# whole number of minor units.
LINE_POLICIES = ("single_line", "refuse", "send")


def normalize(
    payload: Any, *, tz: tzinfo | None = None, currency: str | None = None
) -> dict[str, Any]:
    """``payload`` as plain JSON (see the module docstring).

    ``tz`` is the business's time zone for dates and naive date-times (default:
    ``default_timezone()``); ``currency`` (the business's, when known) only formats the
    unit price kept in a collapsed line's description.
    """
    if not isinstance(payload, dict):
        raise PayloadError(f"build_payload() must return a dict, not {type(payload).__name__}.")
    loose: list[Any] = []
    try:
        converted = _convert(payload, "", tz or default_timezone(), loose)
    except _Unsendable:  # found again, with its path, only when there is one
        path, problem = _first_problem(payload, "")
        raise PayloadError(f"{path}: {problem}") from None
    for key in ("line_items",):
        lines = converted.get(key)
        if isinstance(lines, list):
            converted[key] = [
                _fractional_line(line, f"{key}[{i}]", currency) if isinstance(line, dict) else line
                for i, line in enumerate(lines)
            ]
    if loose:  # JSON writes these its own way (a key 1 as "1", a str enum as its text)
        converted = json.loads(json.dumps(converted, cls=DjangoJSONEncoder))
    return converted


class _Unsendable(Exception):
    """A value ``_first_problem`` names (JSON cannot carry it)."""


def _convert(value: Any, key: str, tz: tzinfo, loose: list[Any]) -> Any:
    """``value`` as JSON reads it back (see the module docstring), in one walk: new
    dicts and lists, a date-time, a date, a UUID… as the text ``DjangoJSONEncoder`` writes.
    A value of a subclass of a JSON type, or a key that is not text, goes into ``loose``
    (``normalize`` then sends the result through JSON once); ``_Unsendable`` on a value
    that ``_first_problem`` reports, so that a payload without any is walked once."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        out = {}
        for k, item in value.items():
            if type(k) is not str:
                loose.append(k)
            out[k] = _convert(item, str(k), tz, loose)
        return out
    if kind is list or kind is tuple:
        return [_convert(item, key, tz, loose) for item in value]
    if kind is float:
        if not math.isfinite(value):
            raise _Unsendable
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _Unsendable
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, tz)
    elif isinstance(value, date) and key.endswith("_at"):
        value = timezone.make_aware(datetime.combine(value, time.min), tz)
    elif isinstance(value, (dict, list, tuple, float, *_PLAIN)):  # a subclass of one
        loose.append(value)
        if isinstance(value, dict):
            return {k: _convert(item, str(k), tz, loose) for k, item in value.items()}
        if isinstance(value, list | tuple):
            return [_convert(item, key, tz, loose) for item in value]
        if isinstance(value, float) and not math.isfinite(value):
            raise _Unsendable
        return value
    try:
        return _ENCODER.default(value)  # its text (a date-time, a UUID, lazy text…)
    except TypeError:
        raise _Unsendable from None


def _exact(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _fractional_line(line: dict[str, Any], path: str, currency: str | None) -> dict[str, Any]:
    """Apply ``THRED["FRACTIONAL_LINES"]`` to one line with a quantity and a unit_price.

    ``single_line`` (default): send it as quantity 1 at its line total, rounded with
    ``THRED["LINE_ROUNDING"]`` (default ``ROUND_HALF_UP``), the quantity and unit price
    kept at the end of its description. ``refuse``: fail the record naming the line.
    ``send``: send it as it is, leaving the rounding to Thred (undocumented).
    """
    quantity, unit_price = _exact(line.get("quantity")), _exact(line.get("unit_price"))
    if quantity is None or unit_price is None or unit_price != unit_price.to_integral_value():
        return line  # not minor units: validation names the field
    total = quantity * unit_price
    if total == total.to_integral_value():
        return line
    policy = thred_settings.FRACTIONAL_LINES
    if policy == "send":
        return line
    if policy == "refuse":
        raise PayloadError(
            f"{path}: quantity {quantity} x unit_price {unit_price} = {total} is not a whole "
            "number of minor units; round the line in the host, or set "
            "THRED['FRACTIONAL_LINES'] = 'single_line' to send it as one unit at its total."
        )
    if policy != "single_line":
        raise PayloadError(
            f"THRED['FRACTIONAL_LINES'] is {policy!r}; use one of {', '.join(LINE_POLICIES)}."
        )
    rounded = int(total.to_integral_value(rounding=thred_settings.LINE_ROUNDING))
    shown = _price(int(unit_price), currency)
    note = f"{_number(quantity)} x {shown}"
    description = str(line.get("description") or "").strip()
    collapsed = dict(line)
    collapsed["quantity"] = 1
    collapsed["unit_price"] = rounded
    collapsed["description"] = f"{description} ({note})" if description else note
    return collapsed


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _price(unit_price: Any, currency: str | None) -> str:
    if currency and isinstance(unit_price, int):
        try:
            return format_minor(unit_price, currency)
        except MoneyError:
            pass
    return str(unit_price)


_ENCODER = DjangoJSONEncoder()
_PLAIN = (str, int, bool, type(None))


def _first_problem(value: Any, path: str) -> tuple[str, str]:
    """(dotted path, what is wrong) of the first value JSON cannot carry, or ("", "")."""
    here = path or "payload"
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first_problem(item, f"{path}.{key}" if path else str(key))
            if found[0]:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _first_problem(item, f"{path}[{i}]")
            if found[0]:
                return found
    elif (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        return here, "NaN or an infinite number cannot be sent to Thred."
    elif not isinstance(value, (*_PLAIN, float, Decimal)):
        try:
            _ENCODER.default(value)
        except TypeError:
            return here, f"a {type(value).__name__} is not JSON; convert it in build_payload()."
    return "", ""


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))  # made once


def digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(_CANONICAL.encode(payload).encode()).hexdigest()


def build(mapping: Any, obj: Any, ctx: Any, external_id: str) -> dict[str, Any]:
    """The body a push sends for ``obj``: ``mapping.build_payload(obj, ctx)`` normalised
    in the business's time zone (``mapping.get_timezone``) and currency
    (``ctx.business["base_currency"]``), with ``external_id`` added.

    The one composition of the payload pipeline for code that must see exactly what a
    push would send (the dry run, reconciliation). Exceptions of the mapping pass through.
    """
    payload = normalize(
        mapping.build_payload(obj, ctx),
        tz=mapping.get_timezone(obj),
        currency=ctx.business.get("base_currency"),
    )
    payload["external_id"] = external_id
    return payload
