"""The mapped parents a host object points at, found without a query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models

from thred_django.mappings import registry


def parent_keys(obj: models.Model, depth: int = 2) -> Iterator[tuple[type[models.Model], Any]]:
    """(model, pk) of the mapped objects ``obj`` points at by foreign key, and of those
    its already loaded parents (select_related) point at, ``depth`` levels deep."""
    for field in obj._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey):  # OneToOneField included
            continue
        model = field.related_model
        if not (isinstance(model, type) and model in registry and field.target_field.primary_key):
            continue
        pk = getattr(obj, field.attname)
        if pk is None:
            continue
        yield model, pk
        if depth > 1 and field.is_cached(obj):
            parent = field.get_cached_value(obj)
            if parent is not None:
                yield from parent_keys(parent, depth - 1)
