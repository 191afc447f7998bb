"""Rows of other models that a mapping's payload reads (``Mapping.touched_by``): which
mapped objects a row leads to, and whether a saved row moved to another one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from thred_django.mappings import registry


def touched_objects(row: models.Model) -> Iterator[models.Model]:
    """The mapped objects a row of a touching model leads to (``Mapping.touched_by``)."""
    label = row._meta.label
    for mapping in registry.mappings():
        path = mapping.touched_by.get(label)
        if path:
            yield from (o for o in follow(row, path) if isinstance(o, mapping.model))


def follow(row: models.Model, path: str) -> list[models.Model]:
    targets: list[Any] = [row]
    for hop in path.split("__"):
        found: list[Any] = []
        for target in targets:
            try:
                value = getattr(target, hop)
            except ObjectDoesNotExist:  # the related row is gone (a cascade delete)
                continue
            if isinstance(value, models.Manager):
                found.extend(value.all())
            elif value is not None:
                found.append(value)
        targets = found
    return targets


def touches(sender: type[models.Model]) -> bool:
    label = sender._meta.label
    return any(label in mapping.touched_by for mapping in registry.mappings())


def moved(sender: type[models.Model], old: models.Model, new: models.Model) -> bool:
    """Whether a touching row's first hop towards a mapped object changed (a line moved
    to another invoice); a hop that is not a plain column counts as changed."""
    label = sender._meta.label
    for mapping in registry.mappings():
        path = mapping.touched_by.get(label)
        if not path:
            continue
        field = sender._meta.get_field(path.split("__")[0])
        attname = getattr(field, "attname", None)
        if attname is None or getattr(old, attname) != getattr(new, attname):
            return True
    return False
