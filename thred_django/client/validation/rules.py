"""Cross-field rules, run on the raw body so they report alongside field errors.

``_Rules`` collects the errors of rules that involve several fields or the context
(business base currency and country); each resource module holds its own rule functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import InvalidOperation
from typing import Any

from thred_django.client import gaps
from thred_django.client.validation.totals import _int

Errors = dict[str, list[str]]


class _Rules:
    """Collects errors of rules that involve several fields or the context."""

    def __init__(self, data: Mapping[str, Any], base_currency: str | None, country: str | None):
        self.data = data
        self.base_currency = base_currency
        self.country = country
        self.errors: Errors = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def given(self, field: str) -> bool:
        value = self.data.get(field)
        return value is not None and value != ""

    def one_of(self, *fields: str) -> None:
        if not any(self.given(f) for f in fields):
            for field in fields:
                self.add(field, f"One of {' or '.join(fields)} is required.")

    def currency(self, *, default: str | None = None) -> None:
        currency = self.data.get("currency", default)
        if not isinstance(currency, str) or not currency:
            return
        if currency not in gaps.BASE_CURRENCIES:
            self.add(
                "currency", f"Invalid currency code. Must be one of: {_join(gaps.BASE_CURRENCIES)}"
            )
        elif (
            self.base_currency
            and gaps.SINGLE_CURRENCY_PER_BUSINESS
            and currency != self.base_currency
        ):
            hint = " (an omitted currency defaults to GBP)" if "currency" not in self.data else ""
            self.add(
                "currency",
                f"Currency must equal the business base currency {self.base_currency}{hint}.",
            )

    def entity_type(self, country: Any) -> None:
        entity_type = self.data.get("entity_type")
        allowed = gaps.ENTITY_TYPES_BY_COUNTRY.get(country) if isinstance(country, str) else None
        if allowed and isinstance(entity_type, str) and entity_type and entity_type not in allowed:
            self.add(
                "entity_type",
                f"Invalid entity type '{entity_type}' for {country}. Valid codes: {_join(allowed)}",
            )

    def allocations(self, key: str, id_field: str, amount_field: str, total: Any) -> None:
        items = self.data.get(key)
        if not isinstance(items, list):
            return
        seen: set[Any] = set()
        amounts: list[int] = []
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            ref = item.get(id_field)
            if isinstance(ref, str):  # another type is the field's error, not a duplicate
                if ref in seen:
                    self.add(f"{key}[{index}].{id_field}", "Appears more than once in allocations.")
                seen.add(ref)
            try:
                amounts.append(_int(item.get(amount_field)))
            except (TypeError, ValueError):
                return
        try:
            limit = _int(total) if total is not None else None
        except (TypeError, ValueError):
            return
        if limit is not None and sum(amounts) > limit:
            self.add(
                key, f"Allocations total {sum(amounts)} exceeds the amount to allocate ({limit})."
            )

    def fee_within(self, fee_field: str, amount_field: str) -> None:
        if not gaps.FEE_MAY_NOT_EXCEED_AMOUNT:
            return
        try:
            fee, amount = _int(self.data[fee_field]), _int(self.data[amount_field])
        except (KeyError, TypeError, ValueError):
            return
        if fee > amount:
            self.add(fee_field, f"May not exceed {amount_field} ({amount}).")

    def total_not_negative(self, compute: Callable[[Mapping[str, Any]], int]) -> None:
        if not isinstance(self.data.get("line_items"), list):
            return
        try:
            total = compute(self.data)
        except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
            return
        if total < gaps.DOCUMENT_TOTAL_MIN_CENTS:
            self.add("line_items", f"The document total may not be negative (got {total}).")
        elif total > gaps.MAX_MINOR_UNITS:
            self.add(
                "line_items",
                f"The document total {total} exceeds {gaps.MAX_MINOR_UNITS} minor units.",
            )

    def distinct(self, key: str) -> None:
        items = self.data.get(key)
        if isinstance(items, list) and len({str(i) for i in items}) != len(items):
            self.add(key, "Contains duplicate ids.")


def _join(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _rules_counterparty(r: _Rules) -> None:
    r.one_of(*gaps.COUNTERPARTY_NAME_FIELDS)
