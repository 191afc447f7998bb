"""Document totals in minor units (the formula is a gap decision; see gaps.py)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(value)
    return int(value)


def line_subtotal_cents(line: Mapping[str, Any]) -> int:
    """round_half_up(quantity * unit_price) of one invoice or bill line."""
    # Exact for every quantity validation lets through (<= 10^9 with 6 places, times
    # up to 10^15): 31 significant digits, more than the default context's 28.
    with localcontext(prec=60):
        value = Decimal(str(line["quantity"])) * _int(line["unit_price"])
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _net_taxes(line: Mapping[str, Any]) -> int:
    return sum(
        _int(tax.get("amount", 0)) - _int(tax.get("discount_amount", 0))
        for tax in line.get("sales_taxes") or ()
    )


def invoice_line_total_cents(line: Mapping[str, Any]) -> int:
    """Subtotal - discount_amount + net sales taxes of one invoice line."""
    return line_subtotal_cents(line) - _int(line.get("discount_amount", 0)) + _net_taxes(line)


def bill_line_total_cents(line: Mapping[str, Any]) -> int:
    """Subtotal + net sales taxes of one bill line."""
    return line_subtotal_cents(line) + _net_taxes(line)


def invoice_total_cents(data: Mapping[str, Any]) -> int:
    """Invoice total in minor units from its line items and invoice-level terms."""
    lines = sum(invoice_line_total_cents(line) for line in data["line_items"])
    return (
        lines
        - _int(data.get("additional_discount", 0))
        + _int(data.get("additional_sales_taxes_total", 0))
        + _int(data.get("tips", 0))
    )


def bill_total_cents(data: Mapping[str, Any]) -> int:
    """Bill total in minor units from its line items."""
    return sum(bill_line_total_cents(line) for line in data["line_items"])


def vendor_credit_total_cents(data: Mapping[str, Any]) -> int:
    """Vendor credit total: sum of line amount + tax_amount_cents (minor units)."""
    return sum(
        _int(line["amount"]) + _int(line.get("tax_amount_cents", 0)) for line in data["line_items"]
    )
