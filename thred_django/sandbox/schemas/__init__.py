"""The sandbox's own request schemas: what Thred accepts, read from the reference.

``validate(resource, action, body, *, base_currency=None, country=None)`` returns
``(errors, cleaned)``: ``{field: [messages]}`` naming everything wrong with the body
(``{}`` when valid) and, when valid, the cleaned values of the documented fields
(undocumented keys dropped). Nested paths read ``line_items[1].unit_price``.

Written from ``shared/thred-api/`` (each kind module's ``Body``: its field types and
its rules across fields, with ``fields``, ``bodies`` and ``rules``: the shared field
types, field groups and checks; ``readings``: what the docs leave open),
independently of the client's validation, so a rule the client gets wrong shows up as
a refusal here instead of being shared. ``tests/sandbox/test_schema_cross_check.py``
compares the two readings. The kinds registry (``thred_django.sandbox.kinds``)
registers every kind's bodies here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from thred_django.sandbox.schemas.fields import Errors, Obj, add
from thred_django.sandbox.schemas.rules import Check
from thred_django.sandbox.schemas.text import text_problem, unstorable

ACTIONS = ("create", "update")


def no_rules(check: Check) -> None:
    return None


@dataclass(frozen=True)
class Body:
    """A request body: its fields, and the rules across them (``rules.Check``)."""

    fields: Obj
    rules: Callable[[Check], None] = no_rules


BODIES: dict[tuple[str, str], Body] = {}


def register(resource: str, action: str, body: Body) -> None:
    """Make ``body`` the ``action`` body of ``resource`` (once)."""
    if action not in ACTIONS:
        raise ValueError(f"{resource}: unknown body action {action!r}; expected {ACTIONS}.")
    if BODIES.get((resource, action), body) is not body:
        raise ValueError(f"{resource} already has a {action} body.")
    BODIES[resource, action] = body


def validate(
    resource: str,
    action: str,
    body: Any,
    *,
    base_currency: str | None = None,
    country: str | None = None,
) -> tuple[Errors, dict[str, Any]]:
    """``(errors, cleaned)`` of a request body (see the module docstring)."""
    schema = BODIES.get((resource, action))
    if schema is None:
        raise ValueError(f"The sandbox has no {action} body for {resource!r}.")
    if not isinstance(body, Mapping):
        return {"non_field_errors": ["Expected a JSON object."]}, {}
    if problems := unstorable(body):
        return problems, {}  # nothing else in this body is safe to read or echo
    errors: Errors = {}
    cleaned = schema.fields.clean_fields(body, "", errors)
    check = Check(body, cleaned, base_currency, country)
    try:
        schema.rules(check)
    except (TypeError, ValueError, KeyError, ArithmeticError):
        if not errors:  # a rule met a shape no field check caught: still a 400
            add(errors, "non_field_errors", "The body's values could not be checked.")
    for name, messages in check.errors.items():
        for message in messages:
            add(errors, name, message)
    return (errors, {}) if errors else ({}, cleaned)


__all__ = ["ACTIONS", "BODIES", "Body", "Check", "Errors", "register", "text_problem", "validate"]
