"""Rules across fields, or with the business as context: the checks each kind's body
rules (``schemas.Body.rules``, in its kind module) are made of.

Each rule sees the raw body (was a field sent at all?), the values that passed their
field checks, and the business's base currency and country; it reports with
``Check.add`` next to the field errors, so one answer names everything to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from thred_django.sandbox import readings as r
from thred_django.sandbox.schemas.fields import Errors, add


@dataclass
class Check:
    raw: Mapping[str, Any]
    clean: dict[str, Any]
    base_currency: str | None
    country: str | None
    errors: Errors = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        add(self.errors, name, message)

    def sent(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def one_of(self, *names: str) -> None:
        if not any(self.sent(name) for name in names):
            for name in names:
                self.add(name, f"One of {' or '.join(names)} is required.")

    def currency(self, default: str | None = None) -> None:
        sent = self.raw.get("currency", default)
        if not isinstance(sent, str) or not sent:
            return  # not a string: the field's own error; "": none sent
        currency = sent.strip()  # a blank one ("  ") is refused, not taken as omitted
        if currency not in r.BASE_CURRENCIES:
            self.add("currency", f"Must be one of: {', '.join(r.BASE_CURRENCIES)}.")
        elif r.ONE_CURRENCY_PER_BUSINESS and self.base_currency not in (None, currency):
            omitted = " (an omitted currency defaults to GBP)" if "currency" not in self.raw else ""
            self.add(
                "currency",
                f"Must be the business base currency {self.base_currency}{omitted}.",
            )

    def allocations(self, id_key: str, amount_key: str, limit: int | None) -> None:
        """No document twice; together at most ``limit`` (when it is known)."""
        raw = self.raw.get("allocations")
        if isinstance(raw, list):
            seen: set[str] = set()
            for index, item in enumerate(raw):
                ref = item.get(id_key) if isinstance(item, Mapping) else None
                if isinstance(ref, str) and ref in seen:
                    self.add(f"allocations[{index}].{id_key}", "Appears more than once.")
                if isinstance(ref, str):
                    seen.add(ref)
        items = self.clean.get("allocations")
        if items is not None and limit is not None:
            allocated = sum(item[amount_key] for item in items)
            if allocated > limit:
                self.add("allocations", f"Allocations total {allocated}, more than {limit}.")

    def fee_within(self, fee_key: str, amount_key: str) -> None:
        fee, amount = self.clean.get(fee_key), self.clean.get(amount_key)
        if r.FEE_WITHIN_AMOUNT and fee is not None and amount is not None and fee > amount:
            self.add(fee_key, f"May not exceed {amount_key} ({amount}).")

    def total(self, compute: Callable[[Mapping[str, Any]], int]) -> int | None:
        """The document total of the cleaned lines (``compute``: one of ``totals``),
        checked; None without lines."""
        if "line_items" not in self.clean:
            return None
        value = compute(self.clean)
        if value < r.DOCUMENT_TOTAL_MIN_CENTS:
            self.add("line_items", f"The document total may not be negative (it is {value}).")
        elif value > r.MAX_MINOR_UNITS:
            self.add("line_items", f"The document total {value} exceeds {r.MAX_MINOR_UNITS}.")
        return value

    def distinct(self, key: str) -> None:
        items = self.clean.get(key)
        if items and len(set(items)) != len(items):
            self.add(key, "Contains duplicate ids.")

    def entity_type(self, country: Any) -> None:
        allowed = r.ENTITY_TYPES.get(country) if isinstance(country, str) else None
        entity_type = self.clean.get("entity_type")
        if allowed and entity_type and entity_type not in allowed:
            self.add(
                "entity_type",
                f"'{entity_type}' is not an entity type of {country}: {', '.join(allowed)}.",
            )

    def not_cancelled_by_patch(self, what: str) -> None:
        if r.PATCH_MAY_NOT_CANCEL and self.raw.get("status") == "cancelled":
            self.add("status", f"Cancel a {what} with its cancel endpoint (…/delete/).")


def counterparty(c: Check) -> None:
    """Customers and vendors: a name, of a person or a company."""
    c.one_of(*r.COUNTERPARTY_NAMES)
