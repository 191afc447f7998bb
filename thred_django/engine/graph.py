"""Which records of a claim must finish before each one starts (``fanout``)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from thred_django.engine.known import key_of
from thred_django.engine.oneof import one_of
from thred_django.engine.push import Pusher
from thred_django.mappings import registry
from thred_django.models import SyncDependency, SyncRecord
from thred_django.resources import Resource

# Ranks from here on are deletes and deactivations (resources.claim_rank: 100 - rank).
DELETE_RANKS = 50


def dependencies(
    pusher: Pusher, records: list[SyncRecord], claim: list[SyncRecord] | None = None
) -> dict[int, set[int]]:
    """For each of ``records``, the records of the claim (``claim``, which holds them;
    default: ``records`` alone) that must finish before it starts (its host objects
    preloaded into ``pusher`` first). A group that claims more finds the new records'
    dependencies only: those of its earlier records are found already."""
    claim = records if claim is None else claim
    by_key = {key_of(r): r for r in claim}
    by_object: dict[tuple[int, str], list[SyncRecord]] = {}
    for r in claim:
        by_object.setdefault((r.content_type_id, r.object_id), []).append(r)
    stored: dict[int, set[tuple[int, str]]] = {}
    children = one_of(SyncDependency, "child", [r.id for r in records])
    for child, ct, pk in SyncDependency.objects.filter(children).values_list(
        "child_id", "parent_type_id", "parent_id"
    ):
        stored.setdefault(child, set()).add((ct, pk))
    business = next((r for r in claim if r.resource == Resource.BUSINESS), None)
    rank = {r.id: r.rank for r in claim}
    deps: dict[int, set[int]] = {}
    targets: dict[type[models.Model], tuple[int, str]] = {}  # parent model: (ct, resource)
    before: dict[int, set[int]] = {}  # by rank: the records ranked before it (read only)
    for record in records:
        if record.rank >= DELETE_RANKS:  # children first: after everything ranked before
            if record.rank not in before:
                before[record.rank] = {r.id for r in claim if r.rank < record.rank}
            deps[record.id] = before[record.rank]
            continue
        parents: set[int] = set()
        if business is not None and business is not record:
            parents.add(business.id)
        for ct, pk in stored.get(record.id, ()):
            parents.update(r.id for r in by_object.get((ct, pk), ()))
        for model, pk in pusher.parents_of(record):
            target = targets.get(model)
            if target is None:
                mapping = registry.for_model(model)
                ct = ContentType.objects.get_for_model(mapping.model).pk
                target = targets[model] = (ct, mapping.resource)
            parent = by_key.get((target[0], str(pk), target[1]))
            if parent is not None:
                parents.add(parent.id)
        deps[record.id] = {p for p in parents if p != record.id and rank[p] < record.rank}
    return deps
