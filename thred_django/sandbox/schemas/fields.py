"""Field types of the sandbox's request schemas (no DRF serializers, no client code).

A field turns one JSON value into its cleaned Python value (ints, ``Decimal``
quantities, aware UTC datetimes, dates, canonical UUID strings) or reports what is wrong
with it. ``Obj`` and ``Many`` nest; errors are collected under flattened paths such as
``line_items[1].unit_price``. Strings are trimmed like DRF's ``CharField`` (the API is
DRF: ``conventions.md``), ``null`` is refused everywhere (``readings.NULL_ALLOWED``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.dateparse import parse_datetime

from thred_django.sandbox import readings

Errors = dict[str, list[str]]

REQUIRED = "This field is required."
NULL = "This field may not be null."


class Invalid(Exception):
    """One value's problem, said so the client knows what to send instead."""


class _Skip:
    """The cleaned value of a field that had errors (left out of the cleaned body)."""


SKIP = _Skip()


def count(errors: Errors) -> int:
    return sum(len(messages) for messages in errors.values())


def add(errors: Errors, path: str, message: str) -> None:
    messages = errors.setdefault(path or "non_field_errors", [])
    if message not in messages:
        messages.append(message)


class Field:
    def __init__(self, *, required: bool = False) -> None:
        self.required = required

    def run(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None and not readings.NULL_ALLOWED:
            add(errors, path, NULL)
            return SKIP
        try:
            return self.convert(value)
        except Invalid as exc:
            add(errors, path, str(exc))
            return SKIP

    def convert(self, value: Any) -> Any:
        return value


class Text(Field):
    """A string (numbers are not strings), trimmed; blank only when optional."""

    def __init__(
        self,
        max_length: int = readings.MAX_LENGTH,
        *,
        required: bool = False,
        blank: bool | None = None,
    ) -> None:
        super().__init__(required=required)
        self.max_length = max_length
        self.blank = not required if blank is None else blank

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid("Must be a string.")
        text = value.strip()
        if not text and not self.blank:
            raise Invalid("May not be blank.")
        if len(text) > self.max_length:
            raise Invalid(f"At most {self.max_length} characters.")
        return text


def long_text() -> Text:
    return Text(readings.LONG_TEXT_MAX_LENGTH)


class Email(Text):
    _check = EmailValidator()

    def convert(self, value: Any) -> str:
        text = super().convert(value)
        try:
            self._check(text)
        except ValidationError:
            raise Invalid("Enter a valid e-mail address.") from None
        return text


class Choice(Field):
    def __init__(self, choices: tuple[str, ...], *, required: bool = False) -> None:
        super().__init__(required=required)
        self.choices = choices

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise Invalid(f"Must be one of: {', '.join(self.choices)}.")
        return value


_INTEGER = re.compile(r"^-?\d+$")


class Cents(Field):
    """An integer amount in minor units: never a float, a boolean or "10.50"."""

    def __init__(
        self,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int = readings.MAX_MINOR_UNITS,
    ) -> None:
        super().__init__(required=required)
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any) -> int:
        if isinstance(value, bool):
            raise Invalid("Must be an integer.")
        if isinstance(value, float | Decimal):
            raise Invalid("Must be an integer in minor units (e.g. 1050 for 10.50).")
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            value = int(value.strip())
        if not isinstance(value, int):
            raise Invalid("Must be an integer.")
        if self.minimum is not None and value < self.minimum:
            raise Invalid(f"Must be at least {self.minimum}.")
        if abs(value) > self.maximum:
            raise Invalid(f"Must be at most {self.maximum} in absolute value.")
        return value


class Integer(Cents):
    """A plain integer (days), with the same strictness as amounts."""


class Quantity(Field):
    """A positive number (JSON number or numeric string), as a ``Decimal``."""

    def convert(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            raise Invalid("Must be a number.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise Invalid("Must be a number.") from None
        if not number.is_finite():
            raise Invalid("Must be a number.")
        if readings.QUANTITY_MUST_BE_POSITIVE and number <= 0:
            raise Invalid("Must be greater than 0.")
        if number > readings.MAX_QUANTITY:
            raise Invalid(f"Must be at most {readings.MAX_QUANTITY}.")
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > readings.QUANTITY_DECIMAL_PLACES:
            raise Invalid(f"At most {readings.QUANTITY_DECIMAL_PLACES} decimal places.")
        return number


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Uuid(Field):
    def convert(self, value: Any) -> str:
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, str):
            if _UUID.match(value):
                return value
            if not readings.UUIDS_LOWER_CASE:
                try:
                    return str(uuid.UUID(value))
                except ValueError:
                    pass
        raise Invalid("Must be a lower-case UUID (8-4-4-4-12 hex digits).")


_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def in_utc(value: datetime) -> datetime:
    """The same instant in UTC (PostgreSQL refuses offsets past ±15:59, ISO allows them)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise Invalid("Must be a date-time within years 1 to 9999 once in UTC.") from None


class DateTime(Field):
    message = "Must be an ISO 8601 date-time with a zone, e.g. 2024-12-20T14:30:45Z."

    def convert(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            parsed: datetime | None = value
        elif isinstance(value, str) and (
            _DATETIME.match(value.strip()) or not readings.DATETIME_NEEDS_ZONE
        ):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
        else:
            parsed = None
        if parsed is None or (parsed.tzinfo is None and readings.DATETIME_NEEDS_ZONE):
            raise Invalid(self.message)
        return in_utc(parsed) if parsed.tzinfo else parsed


class Day(Field):
    """A calendar date, exactly ``YYYY-MM-DD``."""

    def convert(self, value: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise Invalid("Must be a date as YYYY-MM-DD.")


class Bool(Field):
    """A boolean; form bodies send it as text (DRF's true/false spellings)."""

    TRUE = (True, 1, "true", "True", "TRUE", "1", "yes", "on")
    FALSE = (False, 0, "false", "False", "FALSE", "0", "no", "off")

    def convert(self, value: Any) -> bool:
        if isinstance(value, bool | int | str):
            if value in self.TRUE:
                return True
            if value in self.FALSE:
                return False
        raise Invalid("Must be true or false.")


class Anything(Field):
    """Any JSON value but null (undocumented item shapes)."""


class Dict(Field):
    def convert(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise Invalid("Must be an object.")
        return dict(value)


class ListOf(Field):
    """A JSON array whose every item is cleaned by ``item``."""

    def __init__(self, item: Field, *, required: bool = False, allow_empty: bool = True) -> None:
        super().__init__(required=required)
        self.item, self.allow_empty = item, allow_empty

    def run(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None or not isinstance(value, list | tuple):
            add(errors, path, NULL if value is None else "Must be a list.")
            return SKIP
        if not value and not self.allow_empty:
            add(errors, path, "May not be empty.")
            return SKIP
        before = count(errors)
        items = [self.item.run(v, f"{path}[{i}]", errors) for i, v in enumerate(value)]
        return SKIP if count(errors) > before else items


class Url(Text):
    _check = URLValidator()

    def convert(self, value: Any) -> str:
        text = super().convert(value)
        try:
            self._check(text)
        except ValidationError:
            raise Invalid("Enter a valid URL.") from None
        return text


class Obj(Field):
    """A JSON object with declared fields; undeclared keys are ignored (as DRF does)."""

    def __init__(self, fields: dict[str, Field], *, required: bool = False) -> None:
        super().__init__(required=required)
        self.fields = fields

    def run(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, Mapping):
            add(errors, path, NULL if value is None else "Must be an object.")
            return SKIP
        before = count(errors)
        cleaned = self.clean_fields(value, path, errors)
        return SKIP if count(errors) > before else cleaned

    def clean_fields(self, value: Mapping[str, Any], path: str, errors: Errors) -> dict[str, Any]:
        """The cleaned values of the fields that are valid (errors go to ``errors``)."""
        cleaned: dict[str, Any] = {}
        for name, field in self.fields.items():
            where = f"{path}.{name}" if path else name
            if name not in value:
                if field.required:
                    add(errors, where, REQUIRED)
                continue
            result = field.run(value[name], where, errors)
            if result is not SKIP:
                cleaned[name] = result
        return cleaned

    def optional(self) -> Obj:
        """The same object with every top-level field optional (PUT bodies)."""
        fields: dict[str, Field] = {}
        for name, field in self.fields.items():
            copy = object.__new__(type(field))
            copy.__dict__.update(field.__dict__, required=False)
            fields[name] = copy
        return Obj(fields)


def many(fields: dict[str, Field], *, required: bool = False) -> ListOf:
    """A list of objects; a required list may not be empty."""
    return ListOf(Obj(fields), required=required, allow_empty=not required)


def account() -> Obj:
    return Obj(
        {
            "id": Uuid(required=True),
            "type": Choice(readings.ACCOUNT_IDENTIFIER_TYPES, required=True),
        }
    )
