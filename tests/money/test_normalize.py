"""Payload normalisation: Decimals, quantities, dates and fractional lines."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from thred_django.client.validation import validate_payload
from thred_django.client.validation.totals import invoice_total_cents
from thred_django.engine.payload import PayloadError, normalize

OSLO = ZoneInfo("Europe/Oslo")


def settings_with(**extra):
    from django.conf import settings

    return override_settings(THRED={**settings.THRED, **extra})


def invoice(*lines, **extra):
    return {
        "customer_id": "0b6f7c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b",
        "invoice_number": "INV-1",
        "sent_at": datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
        "line_items": list(lines),
        **extra,
    }


def test_integral_decimals_become_integers_and_quantities_numbers():
    out = normalize(
        {
            "total_amount_cents": Decimal("13575"),
            "fee_cents": Decimal("0.00"),
            "line_items": [{"quantity": Decimal("2.50"), "unit_price": Decimal("200")}],
        }
    )
    assert out["total_amount_cents"] == 13575 and type(out["total_amount_cents"]) is int
    assert out["fee_cents"] == 0 and type(out["fee_cents"]) is int
    assert out["line_items"][0]["quantity"] == 2.5
    assert type(out["line_items"][0]["quantity"]) is float
    assert out["line_items"][0]["unit_price"] == 200
    text = json.dumps(out)
    assert '"2.5"' not in text and '"13575"' not in text


def test_a_decimal_with_cents_is_a_number_that_validation_names():
    out = normalize({"amount_cents": Decimal("135.75")})
    assert out["amount_cents"] == 135.75
    errors = validate_payload(
        "refund_payment",
        "create",
        {**out, "refund_id": "x", "method": "BANK_TRANSFER", "external_id": "e"},
    )
    assert "minor units" in " ".join(errors["amount_cents"])


def test_a_date_in_a_date_time_field_is_midnight_in_the_business_timezone():
    out = normalize(
        {"sent_at": date(2026, 3, 1), "due_at": date(2026, 7, 1), "payment_date": date(2026, 3, 1)},
        tz=OSLO,
    )
    assert out["sent_at"] == "2026-03-01T00:00:00+01:00"
    assert out["due_at"] == "2026-07-01T00:00:00+02:00"  # summer time
    assert out["payment_date"] == "2026-03-01"  # a date-only field stays a date


def test_default_timezone_is_the_setting_then_time_zone():
    assert normalize({"due_at": date(2026, 3, 1)})["due_at"] == "2026-03-01T00:00:00Z"
    with settings_with(TIMEZONE="Asia/Singapore"):
        assert normalize({"due_at": date(2026, 3, 1)})["due_at"] == "2026-03-01T00:00:00+08:00"


def test_naive_datetimes_are_read_in_the_business_timezone_aware_ones_kept():
    out = normalize(
        {
            "completed_at": datetime(2026, 1, 15, 9, 30),
            "sent_at": datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
        },
        tz=OSLO,
    )
    assert out["completed_at"] == "2026-01-15T09:30:00+01:00"
    assert out["sent_at"] == "2026-01-15T09:30:00Z"


def test_a_date_due_at_now_passes_validation():
    line = {"description": "x", "quantity": 1, "unit_price": 100}
    payload = normalize(invoice(line, due_at=date(2026, 2, 1)))
    payload["external_id"] = "e1"
    assert validate_payload("invoice", "create", payload) == {}


def test_whole_lines_are_left_alone():
    line = {"description": "Hours", "quantity": Decimal("2.5"), "unit_price": 200}
    out = normalize(invoice(line))
    assert out["line_items"][0] == {"description": "Hours", "quantity": 2.5, "unit_price": 200}


def test_single_line_policy_sends_a_fractional_line_at_its_total():
    lines = [
        {"description": "Hours", "quantity": Decimal("2.5"), "unit_price": 333},
        {"description": "Kit", "quantity": 3, "unit_price": 1000},
        {"description": "Half", "quantity": Decimal("0.5"), "unit_price": 5},
    ]
    out = normalize(invoice(*lines), currency="GBP")
    first, second, third = out["line_items"]
    assert first == {"description": "Hours (2.5 x 3.33 GBP)", "quantity": 1, "unit_price": 833}
    assert second == lines[1]
    # 2.5 half-up → 3, not half-to-even's 2: the host decides, not Thred.
    assert third["unit_price"] == 3 and third["quantity"] == 1
    # Any rounding of quantity x unit_price now gives the same total.
    assert invoice_total_cents(out) == 833 + 3000 + 3


def test_single_line_policy_rounding_and_no_description():
    with settings_with(LINE_ROUNDING="ROUND_HALF_EVEN"):
        out = normalize(invoice({"quantity": Decimal("0.5"), "unit_price": 5}))
    assert out["line_items"][0] == {"quantity": 1, "unit_price": 2, "description": "0.5 x 5"}


def test_a_unit_price_that_is_not_minor_units_is_left_for_validation_to_name():
    out = normalize(invoice({"description": "x", "quantity": 1, "unit_price": Decimal("10.50")}))
    assert out["line_items"][0]["unit_price"] == 10.5
    out["external_id"] = "e1"
    errors = validate_payload("invoice", "create", out)
    assert "line_items[0].unit_price" in errors


def test_refuse_policy_names_the_line():
    with settings_with(FRACTIONAL_LINES="refuse"), pytest.raises(PayloadError) as info:
        normalize(invoice({"quantity": 1, "unit_price": 5}, {"quantity": "1.5", "unit_price": 5}))
    assert str(info.value).startswith("line_items[1]: quantity 1.5 x unit_price 5 = 7.5")


def test_send_policy_sends_as_is():
    with settings_with(FRACTIONAL_LINES="send"):
        out = normalize(invoice({"quantity": Decimal("1.5"), "unit_price": 5}))
    assert out["line_items"][0] == {"quantity": 1.5, "unit_price": 5}


def test_unknown_policy_is_a_clear_error():
    with (
        settings_with(FRACTIONAL_LINES="nearest"),
        pytest.raises(PayloadError, match="single_line"),
    ):
        normalize(invoice({"quantity": Decimal("1.5"), "unit_price": 5}))


def test_still_refuses_what_json_cannot_carry():
    with pytest.raises(PayloadError, match=r"line_items\[0\].quantity: NaN"):
        normalize({"line_items": [{"quantity": Decimal("NaN"), "unit_price": 1}]})
    with pytest.raises(PayloadError, match=r"build_payload\(\) must return a dict"):
        normalize([1])


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (float("nan"), "NaN or an infinite number"),
        (float("-inf"), "NaN or an infinite number"),
        (Decimal("Infinity"), "NaN or an infinite number"),
        (Decimal("sNaN"), "NaN or an infinite number"),
        (object(), "a object is not JSON"),
        ({1, 2}, "a set is not JSON"),
        (b"raw", "a bytes is not JSON"),
    ],
)
def test_the_first_value_json_cannot_carry_is_named_by_its_path(value, problem):
    # Converted in one pass; the path is found again only for a payload that has one.
    payload = {"memo": "ok", "line_items": [{"quantity": 1}, {"meta": {"note": value}}]}
    with pytest.raises(PayloadError) as error:
        normalize(payload)
    assert str(error.value).startswith(f"line_items[1].meta.note: {problem}")


def test_values_json_can_carry_pass_through_the_one_pass():
    import uuid
    from datetime import time, timedelta

    from django.utils.functional import lazy

    key = uuid.UUID(int=7)
    text = lazy(lambda: "lazy text", str)()
    out = normalize(
        {"a": [key, time(9, 30), timedelta(seconds=90), text, True, None, 2.5, (1, "x")]}
    )
    assert out == {
        "a": [str(key), "09:30:00", "P0DT00H01M30S", "lazy text", True, None, 2.5, [1, "x"]]
    }


def _exact_json(value):
    """Every value of ``value`` is of a JSON type itself (no subclass, text keys)."""
    if type(value) is dict:
        return all(type(k) is str and _exact_json(v) for k, v in value.items())
    if type(value) is list:
        return all(_exact_json(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_the_result_is_what_json_reads_back_of_subclasses_and_keys_too():
    """One walk, and JSON once only for what JSON writes its own way: the result is what
    ``json.loads(json.dumps(…))`` gives, of exact JSON types, for plain payloads and for
    str and int enums, dict and list subclasses, lazy text and keys that are not text."""
    from collections import OrderedDict
    from enum import IntEnum

    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import models
    from django.utils.safestring import mark_safe

    class Kind(models.TextChoices):
        SERVICE = "service"

    class Level(IntEnum):
        HIGH = 3

    class Money(float):
        pass

    sent = datetime(2026, 1, 15, 10, 0, 5, 123456, tzinfo=UTC)
    plain = invoice({"quantity": 2, "unit_price": 150, "description": "é ✓"}, memo=None)
    loose = {
        "kind": Kind.SERVICE,
        "level": Level.HIGH,
        "ratio": Money(1.5),
        "note": mark_safe("<b>ok</b>"),
        "meta": OrderedDict([("b", 1), ("a", (2, 3))]),
        "by_id": {7: "seven", True: "yes", None: "none", 2.5: "half"},
        "sent_at": sent,
    }
    for payload in (plain, loose):
        out = normalize(payload)
        assert _exact_json(out), out
        assert out == json.loads(json.dumps(out, cls=DjangoJSONEncoder))
    out = normalize(loose)
    assert out["kind"] == "service" and out["level"] == 3 and out["ratio"] == 1.5
    assert out["meta"] == {"b": 1, "a": [2, 3]} and list(out["meta"]) == ["b", "a"]
    assert out["by_id"] == {"7": "seven", "true": "yes", "null": "none", "2.5": "half"}
    assert out["sent_at"] == "2026-01-15T10:00:05.123Z"
    assert normalize(plain)["sent_at"] == "2026-01-15T10:00:00Z"
