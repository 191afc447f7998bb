"""Document totals in minor units, the sandbox's reading (the docs give no formula).

Line subtotal = round_half_up(quantity * unit_price). An invoice line subtracts its
``discount_amount`` and adds its sales taxes net of their discounts; the invoice adds
``tips`` and ``additional_sales_taxes_total`` and subtracts ``additional_discount``. A
bill line is subtotal plus net taxes. A vendor credit is the sum of its lines'
``amount + tax_amount_cents``. Inputs are cleaned bodies or stored (echoed) ones, so
amounts may be ints or integer strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any


def _cents(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"not an amount: {value!r}")
    return int(value)


def subtotal(line: Mapping[str, Any]) -> int:
    with localcontext(prec=60):  # 10^9 quantity x 10^15 price, exactly
        exact = Decimal(str(line["quantity"]).strip()) * _cents(line["unit_price"])
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _taxes(taxes: Iterable[Mapping[str, Any]] | None) -> int:
    return sum(
        _cents(t.get("amount", 0)) - _cents(t.get("discount_amount", 0)) for t in taxes or ()
    )


def invoice_line(line: Mapping[str, Any]) -> int:
    return subtotal(line) - _cents(line.get("discount_amount", 0)) + _taxes(line.get("sales_taxes"))


def bill_line(line: Mapping[str, Any]) -> int:
    return subtotal(line) + _taxes(line.get("sales_taxes"))


def invoice(body: Mapping[str, Any]) -> int:
    lines = sum(invoice_line(line) for line in body["line_items"])
    extras = _cents(body.get("additional_sales_taxes_total", 0)) + _cents(body.get("tips", 0))
    return lines + extras - _cents(body.get("additional_discount", 0))


def bill(body: Mapping[str, Any]) -> int:
    return sum(bill_line(line) for line in body["line_items"])


def vendor_credit(body: Mapping[str, Any]) -> int:
    lines = body["line_items"]
    return sum(_cents(x["amount"]) + _cents(x.get("tax_amount_cents", 0)) for x in lines)
