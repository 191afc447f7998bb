"""Body-shape validation of Thred Partner API request payloads.

The contract: ``validate_payload(resource, action, data, *, base_currency=None,
country=None)`` returns ``{field: [messages]}`` for everything wrong with ``data`` that
can be told from the body alone (required fields, types, integer minor-unit amounts,
enums, lengths, e-mail format, dates, currency equal to the business base currency,
entity type valid for the country, allocation sums) and ``{}`` when it is valid. It has
no side effects, touches no database and imports nothing of the ORM or the sandbox: the
sync engine calls it before sending, and the sandbox calls it (through
``validated_payload``, which also returns the coerced values) before its own reference
and state checks, so both reject exactly the same bodies.

``resource`` is one of ``RESOURCES`` (the resource specs); ``action`` is ``"create"``
or ``"update"`` (the update body of invoices and bills (PUT), payments and bill
payments (PATCH), businesses (PATCH); a payout update is its upsert create). Asking for
an action the API does not have raises ``ValueError``. Each serializer module registers its schemas
(``registry.register``) at its end. Nested field errors are flattened to keys like
``line_items[1].unit_price``. Every reading of undocumented behaviour comes from
``thred_django.client.gaps``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from thred_django import specs
from thred_django.client.validation import business, payables, receivables, registry
from thred_django.client.validation.fastpath import Check, compile_check
from thred_django.client.validation.rules import Errors, _Rules
from thred_django.client.validation.text import body_text_errors
from thred_django.client.validation.totals import (
    bill_line_total_cents,
    bill_total_cents,
    invoice_line_total_cents,
    invoice_total_cents,
    line_subtotal_cents,
    vendor_credit_total_cents,
)

# The modules whose import registered the schemas (each at its end).
SCHEMA_MODULES = (business, payables, receivables)
RESOURCES = specs.NAMES
ACTIONS = registry.ACTIONS
SCHEMAS = registry.SCHEMAS


def _flatten(errors: Any, prefix: str = "") -> Errors:
    out: Errors = {}

    def merge(more: Errors) -> None:
        for key, messages in more.items():
            out.setdefault(key, []).extend(messages)

    if isinstance(errors, Mapping):
        for key, value in errors.items():
            if key == "non_field_errors" and prefix:
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            merge(_flatten(value, path))
    elif isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            if errors:
                out[prefix or "non_field_errors"] = [str(e) for e in errors]
        else:
            for index, item in enumerate(errors):
                if item:
                    merge(_flatten(item, f"{prefix}[{index}]"))
    else:
        out[prefix or "non_field_errors"] = [str(errors)]
    return out


_local = threading.local()
_checks: dict[type, Check | None] = {}
_checks_lock = threading.Lock()


def _serializer(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """One unbound instance per serializer class and thread, validating with
    ``run_validation(data)`` (what ``is_valid()`` runs): a new instance deep-copies
    every declared field, which costs several times the validation itself."""
    cache: dict[type, serializers.Serializer] = _local.__dict__.setdefault("serializers", {})
    serializer = cache.get(serializer_class)
    if serializer is None:
        serializer = cache[serializer_class] = serializer_class()
    return serializer


def _check(serializer_class: type[serializers.Serializer]) -> Check | None:
    """The precompiled check of valid bodies (``fastpath``), one per serializer class for
    the whole process, over the fields of an instance of its own: it reads their
    settings and calls their conversions and validators, which keep nothing between
    calls, so every thread shares it (the calls' threads of a run are new each run; a
    compile per class and thread cost more than the checks of a small run)."""
    try:
        return _checks[serializer_class]
    except KeyError:
        pass
    with _checks_lock:
        if serializer_class not in _checks:
            _checks[serializer_class] = compile_check(serializer_class())
        return _checks[serializer_class]


def validated_payload(
    resource: str,
    action: str,
    data: Any,
    *,
    base_currency: str | None = None,
    country: str | None = None,
) -> tuple[Errors, dict[str, Any]]:
    """``(errors, cleaned)``: the errors of ``validate_payload`` and, when there are
    none, the coerced values (ints, ``Decimal`` quantities, aware datetimes, dates)."""
    return _validate(resource, action, data, base_currency, country, cleaned=True)


def _validate(
    resource: str,
    action: str,
    data: Any,
    base_currency: str | None,
    country: str | None,
    *,
    cleaned: bool,
) -> tuple[Errors, dict[str, Any]]:
    """``validated_payload``; without ``cleaned``, a body the precompiled check
    accepts skips the serializer (whose errors it would not have had)."""
    if resource not in RESOURCES:
        raise ValueError(f"Unknown Thred resource {resource!r}; expected one of {RESOURCES}.")
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; expected 'create' or 'update'.")
    schema = SCHEMAS.get((resource, action))
    if schema is None:
        raise ValueError(f"The Thred API has no {action} call for {resource}.")
    if not isinstance(data, Mapping):
        return {"non_field_errors": ["Expected a JSON object."]}, {}
    if text_errors := body_text_errors(data):
        return text_errors, {}  # nothing else is safe to look at (or echo) in this body
    serializer_class, rules = schema
    check = None if cleaned else _check(serializer_class)
    values: Any = {}
    errors: Errors = {}
    if check is None or not check(data):
        try:
            values = _serializer(serializer_class).run_validation(data)
        except ValidationError as exc:  # what is_valid() keeps as serializer.errors
            errors = _flatten(exc.detail)
    checker = _Rules(data, base_currency, country)
    try:
        rules(checker)
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError):
        # A rule met a shape its fields refuse anyway; never let it escape as a crash.
        if not errors:
            errors = {"non_field_errors": ["The body's values could not be checked."]}
    for field, messages in checker.errors.items():
        errors.setdefault(field, []).extend(m for m in messages if m not in errors[field])
    if errors:
        return errors, {}
    return {}, dict(values)


def validate_payload(
    resource: str,
    action: str,
    data: dict[str, Any],
    *,
    base_currency: str | None = None,
    country: str | None = None,
) -> dict[str, list[str]]:
    """Field errors of a request body (``{}`` when valid). See the module docstring."""
    errors, _ = _validate(resource, action, data, base_currency, country, cleaned=False)
    return errors


__all__ = [
    "ACTIONS",
    "RESOURCES",
    "Errors",
    "bill_line_total_cents",
    "bill_total_cents",
    "invoice_line_total_cents",
    "invoice_total_cents",
    "line_subtotal_cents",
    "validate_payload",
    "validated_payload",
    "vendor_credit_total_cents",
]
