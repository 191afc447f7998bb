"""Money arithmetic in integer minor units (cents), rounding half up like Thred.

A document line is ``quantity x unit price - discount``, rounded half up to a whole
minor unit, plus tax on that net amount at the line's rate (also rounded half up). Thred
computes line totals with the same rounding, so the totals here match what it books.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def round_cents(value: Decimal) -> int:
    """Round a Decimal amount of minor units half up to an int."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_subtotal(quantity: Decimal, unit_price_cents: int) -> int:
    """``quantity x unit price`` in minor units."""
    return round_cents(Decimal(quantity) * unit_price_cents)


def tax_on(net_cents: int, rate_percent: Decimal) -> int:
    """Tax at ``rate_percent`` (e.g. ``Decimal("20")``) on a net amount."""
    return round_cents(Decimal(net_cents) * Decimal(rate_percent) / HUNDRED)


def percent_of(amount_cents: int, percent: Decimal) -> int:
    """``percent`` % of an amount, rounded half up (fees, partial payments)."""
    return round_cents(Decimal(amount_cents) * Decimal(percent) / HUNDRED)


def format_cents(amount_cents: int | None, currency: str = "") -> str:
    """``1234567`` → ``"12,345.67 GBP"`` (for admin columns and the demo summary)."""
    if amount_cents is None:
        return "—"
    sign = "-" if amount_cents < 0 else ""
    major, minor = divmod(abs(amount_cents), 100)
    text = f"{sign}{major:,}.{minor:02d}"
    return f"{text} {currency}".strip()
