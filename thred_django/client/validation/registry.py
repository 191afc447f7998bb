"""Which serializer (and which cross-field rules) validates each resource's create and
update body. Each validation module registers its own at its end, so a new resource's
schema is one module's business; ``validation.validated_payload`` reads the result."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework import serializers

from thred_django import specs
from thred_django.client.validation.rules import _Rules

ACTIONS = ("create", "update")

Rules = Callable[[_Rules], None]
Schema = tuple[type[serializers.Serializer], Rules]

SCHEMAS: dict[tuple[str, str], Schema] = {}


def _no_rules(r: _Rules) -> None:
    """A body with nothing to check across its fields."""


def register(
    resource: str,
    action: str,
    serializer: type[serializers.Serializer],
    rules: Rules = _no_rules,
) -> None:
    """``serializer`` (then ``rules``) validates the ``action`` body of ``resource``."""
    spec = specs.of(resource)
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; expected 'create' or 'update'.")
    if action == "update" and not spec.update:
        raise ValueError(f"The Thred API has no update call for {resource}.")
    if (resource, action) in SCHEMAS:
        raise ValueError(f"The {action} body of {resource} already has a schema.")
    SCHEMAS[(resource, action)] = (serializer, rules)
