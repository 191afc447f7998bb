"""Money for Thred: host amounts → integer minor units, by ISO 4217 exponent.

Thred's ``*_cents`` fields (and invoice/bill ``unit_price``) are integers in the
currency's minor units: 135.75 GBP is ``13575``, 1,500 ISK is ``1500`` (the króna has no
minor unit), 1.250 BHD is ``1250``. Hosts mostly store ``Decimal("135.75")``::

    from thred_django.money import to_minor

    "total_amount_cents": to_minor(obj.amount, obj.currency, field="total_amount_cents")

An amount with more decimal places than its currency has (``Decimal("135.755")`` GBP)
is refused with a ``MoneyError`` naming the field, never rounded silently; pass
``rounding=ROUND_HALF_UP`` (or another ``decimal`` mode) to round on purpose. Floats
are refused: ``0.1 + 0.2`` is not ``0.3``; store money as ``Decimal``.

A ``MoneyError`` raised in ``build_payload()`` fails that record with code
``invalid_payload`` and the message, before anything is sent.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from thred_django.exceptions import PayloadError

__all__ = ["EXPONENTS", "MoneyError", "exponent", "from_minor", "to_minor"]

# Minor-unit exponents of ISO 4217 currencies (list one, 2024). Every code not listed
# in a group below has two decimals.
_ZERO = (
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
    " XAU XAG XPT XPD XDR XSU XUA XBA XBB XBC XBD XTS XXX"
)
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP"
    " BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB"
    " EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS"
    " KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN"
    " MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD"
    " SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD"
    " TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)
EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
}


class MoneyError(PayloadError):
    """An amount that cannot become minor units as it is; the message names the field."""


def exponent(currency: str) -> int:
    """Number of decimals of ``currency`` (an ISO 4217 code, any case)."""
    code = str(currency or "").strip().upper()
    try:
        return EXPONENTS[code]
    except KeyError:
        raise MoneyError(
            f"{currency!r} is not an ISO 4217 currency code (three letters, e.g. GBP, EUR, "
            "ISK); pass the business's currency."
        ) from None


def _decimal(amount: Any, field: str) -> Decimal:
    if isinstance(amount, bool) or amount is None:
        raise MoneyError(f"{field}: {amount!r} is not an amount; pass a Decimal, str or int.")
    if isinstance(amount, float):
        raise MoneyError(
            f"{field}: {amount!r} is a float, which cannot hold money exactly; "
            "pass a Decimal (models.DecimalField) or a string such as '135.75'."
        )
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int | str):
        try:
            value = Decimal(amount.strip() if isinstance(amount, str) else amount)
        except InvalidOperation:
            raise MoneyError(f"{field}: {amount!r} is not a number.") from None
    else:
        raise MoneyError(
            f"{field}: a {type(amount).__name__} is not an amount; pass a Decimal, str or int."
        )
    if not value.is_finite():
        raise MoneyError(f"{field}: {amount!r} is not a finite amount.")
    return value


def to_minor(
    amount: Any, currency: str, *, field: str = "amount", rounding: str | None = None
) -> int:
    """``amount`` (major units: Decimal, str or int) as an integer of minor units.

    ``to_minor(Decimal("135.75"), "GBP") == 13575``; ``to_minor(1500, "ISK") == 1500``;
    ``to_minor("1.25", "KWD") == 1250``. More decimals than the currency has raise
    ``MoneyError`` naming ``field``, unless ``rounding`` (a ``decimal`` rounding mode,
    e.g. ``decimal.ROUND_HALF_UP``) says how to round.
    """
    places = exponent(currency)
    value = _decimal(amount, field)
    scaled = value.scaleb(places)
    whole = scaled.to_integral_value(rounding=rounding or "ROUND_HALF_EVEN")
    if whole != scaled and rounding is None:
        raise MoneyError(
            f"{field}: {value} {currency.upper()} has more decimal places than "
            f"{currency.upper()} allows ({places}); round it in the host (or pass "
            f"rounding=) before sending."
        )
    return int(whole)


def from_minor(minor: int, currency: str) -> Decimal:
    """The inverse of ``to_minor``: ``from_minor(13575, "GBP") == Decimal("135.75")``."""
    places = exponent(currency)
    return Decimal(int(minor)).scaleb(-places)


def format_minor(minor: int, currency: str) -> str:
    """``1350`` GBP → ``"13.50 GBP"`` (for descriptions, not for amounts sent)."""
    places = exponent(currency)
    return f"{from_minor(minor, currency):.{places}f} {currency.upper()}"
