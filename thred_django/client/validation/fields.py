"""Custom DRF fields and field factories shared by the request-body serializers.

Every reading of undocumented behaviour comes from ``thred_django.client.gaps``;
``_NULL`` (whether request fields accept ``null``) is read once, at import.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from thred_django import specs
from thred_django.client import gaps

_NULL = gaps.REQUEST_FIELDS_ACCEPT_NULL
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)
_INT_RE = re.compile(r"^-?\d+$")


class MinorUnitsField(serializers.IntegerField):
    """An integer amount in minor units; refuses floats, booleans and decimal strings."""

    default_error_messages = {
        "invalid": "A valid integer is required.",
        "not_minor_units": "Must be an integer in minor units (e.g. 1050 for 10.50).",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return data
        if isinstance(data, float | Decimal):
            self.fail("not_minor_units")
        if isinstance(data, str) and _INT_RE.match(data.strip()):
            return int(data.strip())
        self.fail("invalid")
        raise AssertionError  # unreachable: fail() raises


class QuantityField(serializers.Field):
    """A number (int, float, Decimal or numeric string), returned as ``Decimal``."""

    default_error_messages = {
        "invalid": "A valid number is required.",
        "positive": "Ensure this value is greater than 0.",
        "max_value": "Ensure this value is less than or equal to {max_value}.",
        "max_decimal_places": "Ensure there are no more than {places} decimal places.",
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | Decimal | str):
            self.fail("invalid")
        try:
            value = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not value.is_finite():
            self.fail("invalid")
        if gaps.LINE_QUANTITY_MUST_BE_POSITIVE and value <= 0:
            self.fail("positive")
        if abs(value) > gaps.MAX_LINE_QUANTITY:
            self.fail("max_value", max_value=gaps.MAX_LINE_QUANTITY)
        if _decimal_places(value) > gaps.MAX_QUANTITY_DECIMAL_PLACES:
            self.fail("max_decimal_places", places=gaps.MAX_QUANTITY_DECIMAL_PLACES)
        return value

    def to_representation(self, value: Any) -> Any:
        return value


def _decimal_places(value: Decimal) -> int:
    """Significant decimal places of a finite Decimal ("1.50" has 1, "2E+3" has 0)."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing)


class CanonicalUUIDField(serializers.Field):
    """A lower-case, hyphenated UUID string (or ``uuid.UUID``), returned as ``str``."""

    default_error_messages = {"invalid": "Must be a valid lower-case UUID."}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, uuid.UUID):
            return str(data)
        if isinstance(data, str):
            if gaps.UUIDS_MUST_BE_CANONICAL_LOWERCASE and _UUID_RE.match(data):
                return data
            if not gaps.UUIDS_MUST_BE_CANONICAL_LOWERCASE:
                try:
                    return str(uuid.UUID(data))
                except ValueError:
                    pass
        self.fail("invalid")
        raise AssertionError

    def to_representation(self, value: Any) -> Any:
        return value


class ZonedDateTimeField(serializers.Field):
    """An ISO 8601 date-time with time and zone, returned as an aware ``datetime``."""

    default_error_messages = {
        "invalid": "Must be an ISO 8601 date-time with a time zone, e.g. 2024-12-20T14:30:45Z.",
        "range": "Must be a date-time within years 1 to 9999 once in UTC.",
    }

    def to_internal_value(self, data: Any) -> datetime:
        if isinstance(data, datetime):
            if data.tzinfo is None and gaps.DATETIME_REQUIRES_TIME_AND_ZONE:
                self.fail("invalid")
            return self._in_utc(data)
        if isinstance(data, str):
            text = data.strip()
            if gaps.DATETIME_REQUIRES_TIME_AND_ZONE and not _DATETIME_RE.match(text):
                self.fail("invalid")
            try:
                parsed = parse_datetime(text)
            except ValueError:
                parsed = None
            if parsed is not None:
                return self._in_utc(parsed)
        self.fail("invalid")
        raise AssertionError

    def _in_utc(self, value: datetime) -> datetime:
        """The same instant in UTC: ISO 8601 allows offsets PostgreSQL refuses (past
        ±15:59), and an offset can carry year 1 or 9999 out of range."""
        if value.tzinfo is None:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError:
            self.fail("range")
            raise AssertionError from None

    def to_representation(self, value: Any) -> Any:
        return value


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField turns 0 into "0", but the documented
    type is string, and the sandbox echoes what was sent (a 0 would come back as 0)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictEmailField(serializers.EmailField):
    """An e-mail address given as a string (not a number turned into one)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


def _text(max_length: int = gaps.DEFAULT_MAX_LENGTH, *, required: bool = False) -> Any:
    return StrictCharField(
        max_length=max_length, required=required, allow_blank=not required, allow_null=_NULL
    )


def _long_text() -> Any:
    return _text(gaps.TEXT_MAX_LENGTH)


def _choice(choices: tuple[str, ...], *, required: bool = False) -> Any:
    return serializers.ChoiceField(choices=choices, required=required, allow_null=_NULL)


def _cents(*, required: bool = False, min_value: int | None = None) -> Any:
    return MinorUnitsField(
        required=required,
        min_value=min_value,
        max_value=gaps.MAX_MINOR_UNITS,
        allow_null=_NULL,
    )


def _uuid(*, required: bool = False) -> Any:
    return CanonicalUUIDField(required=required, allow_null=_NULL)


def _datetime(*, required: bool = False) -> Any:
    return ZonedDateTimeField(required=required, allow_null=_NULL)


def _date(*, required: bool = False) -> Any:
    return serializers.DateField(required=required, allow_null=_NULL, input_formats=["%Y-%m-%d"])


def _dict() -> Any:
    return serializers.DictField(required=False, allow_null=_NULL)


def _strings() -> Any:
    return serializers.ListField(child=StrictCharField(), required=False, allow_null=_NULL)


def _uuids() -> Any:
    return serializers.ListField(child=CanonicalUUIDField(), required=False, allow_null=_NULL)


def _email(*, required: bool = False) -> Any:
    return StrictEmailField(
        max_length=gaps.DEFAULT_MAX_LENGTH, required=required, allow_blank=False, allow_null=_NULL
    )


def _external_id(resource: str) -> Any:
    return _text(required=specs.of(resource).external_id_required)


def _many(serializer: type[serializers.Serializer], *, required: bool = False) -> Any:
    return serializer(many=True, required=required, allow_empty=not required, allow_null=_NULL)


def _listed_required(
    required_fields: tuple[str, ...], name: str, field: Callable[..., Any], *args: Any
) -> Any:
    """``field(*args)``, required when ``name`` is in ``required_fields`` (a gaps list)."""
    return field(*args, required=name in required_fields)


def _all_optional(source: type[serializers.Serializer], name: str) -> type:
    """A copy of ``source`` whose top-level fields are optional (nested ones unchanged)."""
    fields: dict[str, Any] = {}
    for field_name, field in source._declared_fields.items():
        # DRF keeps every field's constructor arguments for deepcopy; reuse them.
        args, kwargs = getattr(field, "_args", ()), dict(getattr(field, "_kwargs", {}))
        kwargs = {key: copy.deepcopy(value) for key, value in kwargs.items()}
        kwargs["required"] = False
        fields[field_name] = type(field)(*args, **kwargs)
    return type(name, (serializers.Serializer,), fields)
