"""A precompiled "this body is valid" check, run before the DRF serializer.

Running a DRF serializer on a body costs far more than the checks themselves: every
declared field is visited (most bodies set a few of twenty), an absent optional field
raises and catches ``SkipField``, every value passes through ``run_validation``,
validators and an error-collecting loop, and nested lines repeat all of it. The sync
engine validates every body it sends, and nearly all of them are valid.

``compile_check(serializer)`` walks a serializer's field tree once and returns
``check(data) -> bool`` that answers True only for a body the serializer accepts:

* it visits the keys the body has (plus the required ones), not every field;
* text, integer and structural fields (nested serializers, lists of them) are checked
  in plain Python with exactly the serializer's conditions (type, blank, length, NUL and
  surrogate characters, min/max values, null, required, empty lists);
* every other field runs its own ``to_internal_value`` and validators (what
  ``Field.run_validation`` does for a value that is present and not null), or its own
  ``run_validation`` when it overrides that;
* anything it is unsure of answers False, and so does any exception.

False only means "ask the serializer": ``validation.validate_payload`` then runs it and
reports its errors, so the errors and messages are always the serializer's own. A
serializer with hooks the walk does not model (``validate``/``validate_<field>``
methods, serializer validators, overridden ``to_internal_value``/``run_validation``)
compiles to None: always the serializer. ``tests/client/test_validation_fastpath.py``
holds the check to this: it never accepts a body the serializer refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from thred_django.client.validation.fields import MinorUnitsField, StrictCharField

Check = Callable[[Any], bool]

_TEXT_VALIDATORS = (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)
_INT_VALIDATORS = (MinValueValidator, MaxValueValidator)
_DRF_MODULES = ("rest_framework.fields", "rest_framework.serializers")
# Beyond this an int is left to the serializer (``IntegerField`` goes through ``str()``,
# which refuses ints of more than 4,300 digits).
_INT_BOUND = 10**18


def compile_check(serializer: serializers.Serializer) -> Check | None:
    """``check(data)`` for a bound serializer instance, or None (see the module doc)."""
    return _serializer_check(serializer)


# --- serializers ----------------------------------------------------------------------


def _own(obj: Any, name: str, base: type) -> bool:
    """``obj``'s class uses ``base``'s ``name`` (no override anywhere below it)."""
    return getattr(type(obj), name) is getattr(base, name)


def _serializer_check(ser: serializers.Serializer) -> Check | None:
    base = serializers.Serializer
    if not all(
        _own(ser, name, base)
        for name in ("run_validation", "to_internal_value", "validate", "run_validators")
    ):
        return None
    if ser.validators:
        return None
    checks: dict[str, Check] = {}
    required: list[str] = []
    for name, field in ser.fields.items():
        if field.read_only:
            continue  # DRF ignores read-only fields on input
        if field.source == "*" or hasattr(ser, f"validate_{name}"):
            return None
        if type(field).get_value.__module__ not in _DRF_MODULES:
            return None  # a field reading the body its own way
        check = _field_check(field)
        if check is None:
            return None
        checks[name] = check
        if field.required:
            required.append(name)

    def check_serializer(data: Any) -> bool:
        if type(data) is not dict:
            return False
        for name in required:
            if name not in data:
                return False
        for key, value in data.items():
            check = checks.get(key)
            if check is not None and not check(value):
                return False
        return True

    return check_serializer


def _list_serializer_check(field: serializers.ListSerializer) -> Check | None:
    base = serializers.ListSerializer
    if not all(
        _own(field, name, base)
        for name in (
            "run_validation",
            "to_internal_value",
            "run_child_validation",
            "validate",
            "run_validators",
        )
    ):
        return None
    if field.validators:
        return None
    child = _field_check(field.child) if field.child is not None else None
    if child is None:
        return None
    allow_empty = field.allow_empty
    max_length: int | None = getattr(field, "max_length", None)
    min_length: int | None = getattr(field, "min_length", None)

    def check_list(value: Any) -> bool:
        if type(value) is not list:
            return False
        size = len(value)
        if (
            (not size and not allow_empty)
            or (max_length is not None and size > max_length)
            or (min_length is not None and size < min_length)
        ):
            return False
        return all(child(item) for item in value)

    return check_list


# --- fields ---------------------------------------------------------------------------


def _field_check(field: drf_fields.Field) -> Check | None:
    """The check of a present value (``None`` included) of ``field``."""
    if isinstance(field, serializers.ListSerializer):
        value_check = _list_serializer_check(field)
    elif isinstance(field, serializers.Serializer):
        value_check = _serializer_check(field)
    else:
        value_check = _text_check(field) or _int_check(field) or _leaf_check(field)
    if value_check is None:
        return None
    allow_null = field.allow_null

    def check_field(value: Any) -> bool:
        if value is None:
            return allow_null
        try:
            return value_check(value)
        except Exception:  # the serializer reports whatever this was
            return False

    return check_field


def _text_check(field: drf_fields.Field) -> Check | None:
    """``StrictCharField``: a string, not blank unless allowed, within its lengths, with
    no NUL and no surrogate (the checks of DRF's ``CharField`` and its validators, on the
    unstripped value: its length bounds the stripped one's)."""
    if type(field) is not StrictCharField or not field.trim_whitespace:
        return None
    if not all(isinstance(v, _TEXT_VALIDATORS) for v in field.validators):
        return None
    max_length, min_length, allow_blank = field.max_length, field.min_length, field.allow_blank
    for validator in field.validators:
        if isinstance(validator, MaxLengthValidator) and validator.limit_value != max_length:
            return None
        if isinstance(validator, MinLengthValidator) and validator.limit_value != min_length:
            return None

    def check_text(value: Any) -> bool:
        if type(value) is not str:
            return False
        if max_length is not None and len(value) > max_length:
            return False
        if min_length is not None or not allow_blank:
            stripped = value.strip()
            if not stripped and not allow_blank:
                return False
            if min_length is not None and len(stripped) < min_length:
                return False
        if "\x00" in value:
            return False
        if not value.isascii():
            value.encode("utf-8")  # a surrogate raises: the wrapper answers False
        return True

    return check_text


def _int_check(field: drf_fields.Field) -> Check | None:
    """``MinorUnitsField`` and ``IntegerField`` given an ``int`` (not a bool): the value
    itself, within the field's min/max validators."""
    if type(field) not in (MinorUnitsField, serializers.IntegerField):
        return None
    if not _own(field, "run_validation", drf_fields.Field):
        return None
    low: Any = None
    high: Any = None
    for validator in field.validators:
        if not isinstance(validator, _INT_VALIDATORS) or type(validator.limit_value) is not int:
            return None
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        else:
            high = validator.limit_value if high is None else min(high, validator.limit_value)

    def check_int(value: Any) -> bool:
        return (
            type(value) is int
            and -_INT_BOUND < value < _INT_BOUND
            and (low is None or value >= low)
            and (high is None or value <= high)
        )

    return check_int


def _leaf_check(field: drf_fields.Field) -> Check:
    """Any other field: its own conversion and validators, as ``run_validation`` runs
    them for a value that is present and not null."""
    if not _own(field, "run_validation", drf_fields.Field):
        run = field.run_validation

        def check_run(value: Any) -> bool:
            run(value)
            return True

        return check_run
    to_internal = field.to_internal_value
    if not field.validators:

        def check_convert(value: Any) -> bool:
            to_internal(value)
            return True

        return check_convert
    run_validators = field.run_validators

    def check_validated(value: Any) -> bool:
        run_validators(to_internal(value))
        return True

    return check_validated
