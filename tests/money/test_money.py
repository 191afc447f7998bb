"""thred_django.money: host amounts to integer minor units by ISO 4217 exponent."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thred_django.exceptions import PayloadError
from thred_django.money import EXPONENTS, MoneyError, exponent, format_minor, from_minor, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("135.75"), "GBP", 13575),
        (Decimal("135.7"), "EUR", 13570),
        ("135.75", "usd", 13575),
        (135, "GBP", 13500),
        (Decimal("1500"), "ISK", 1500),
        (1500, "JPY", 1500),
        (Decimal("1.250"), "BHD", 1250),
        ("1.25", "KWD", 1250),
        (Decimal("-3.10"), "SEK", -310),
        (Decimal("0.00"), "GBP", 0),
        (Decimal("1E+2"), "GBP", 10000),
    ],
)
def test_to_minor_by_currency_exponent(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert type(to_minor(amount, currency)) is int


def test_exponent_table():
    assert exponent("ISK") == 0
    assert exponent("jpy") == 0
    assert exponent("GBP") == 2
    assert exponent("KWD") == 3
    assert exponent("BHD") == 3
    assert exponent("CLF") == 4
    # Every base currency Thred lists for a business is in the table.
    for code in ("GBP", "EUR", "USD", "SEK", "NOK", "DKK", "ISK", "MYR", "SGD"):
        assert code in EXPONENTS


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(Decimal("135.755"), "GBP"), ("10.5", "ISK"), (Decimal("0.1"), "JPY"), ("1.2345", "KWD")],
)
def test_more_precision_than_the_currency_is_refused_naming_the_field(amount, currency):
    with pytest.raises(MoneyError) as info:
        to_minor(amount, currency, field="total_amount_cents")
    message = str(info.value)
    assert message.startswith("total_amount_cents: ")
    assert currency in message
    assert f"({exponent(currency)})" in message
    # A payload error: the engine fails the record with invalid_payload, sends nothing.
    assert isinstance(info.value, PayloadError)


def test_rounding_only_when_asked():
    assert to_minor(Decimal("135.755"), "GBP", rounding=ROUND_HALF_UP) == 13576
    assert to_minor(Decimal("0.5"), "ISK", rounding=ROUND_HALF_UP) == 1


@pytest.mark.parametrize(
    ("amount", "needle"),
    [
        (0.1, "float"),
        (True, "not an amount"),
        (None, "not an amount"),
        ("12,50", "not a number"),
        (Decimal("NaN"), "finite"),
        ("Infinity", "finite"),
        ([1], "list"),
    ],
)
def test_bad_amounts_say_what_to_pass(amount, needle):
    with pytest.raises(MoneyError, match=needle) as info:
        to_minor(amount, "GBP", field="amount_cents")
    assert str(info.value).startswith("amount_cents: ")


@pytest.mark.parametrize("code", ["", "XYZ", "pounds", None])
def test_unknown_currency_is_refused(code):
    with pytest.raises(MoneyError, match="ISO 4217"):
        to_minor(1, code)


def test_from_minor_and_format():
    assert from_minor(13575, "GBP") == Decimal("135.75")
    assert from_minor(1500, "ISK") == Decimal("1500")
    assert from_minor(1250, "KWD") == Decimal("1.250")
    assert format_minor(1350, "GBP") == "13.50 GBP"
    assert format_minor(1500, "ISK") == "1500 ISK"


@given(
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    currency=st.sampled_from(sorted(EXPONENTS)),
)
def test_round_trip(minor, currency):
    assert to_minor(from_minor(minor, currency), currency) == minor
    assert to_minor(str(from_minor(minor, currency)), currency) == minor
