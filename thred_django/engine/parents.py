"""The mapped parents a host object points at, found without a query."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from django.db import models

from thred_django.mappings import registry


@functools.lru_cache(maxsize=512)
def _foreign_keys(model: type[models.Model]) -> tuple[tuple[models.ForeignKey[Any, Any], Any], ...]:
    """``model``'s foreign keys to a model's primary key, with that model (a model's
    fields do not change; which models are mapped may, and is read at each call)."""
    found = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey):  # OneToOneField included
            continue
        related = field.related_model
        if isinstance(related, type) and field.target_field.primary_key:
            found.append((field, related))
    return tuple(found)


def parent_keys(obj: models.Model, depth: int = 2) -> Iterator[tuple[type[models.Model], Any]]:
    """(model, pk) of the mapped objects ``obj`` points at by foreign key, and of those
    its already loaded parents (select_related) point at, ``depth`` levels deep."""
    for field, model in _foreign_keys(type(obj)):
        if model not in registry:
            continue
        pk = getattr(obj, field.attname)
        if pk is None:
            continue
        yield model, pk
        if depth > 1 and field.is_cached(obj):
            parent = field.get_cached_value(obj)
            if parent is not None:
                yield from parent_keys(parent, depth - 1)
