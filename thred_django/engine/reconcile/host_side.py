"""The host's side: current payloads built the way the engine builds them, and host rows
with no outbox row, both in bounded memory.

``current_payload`` runs the engine's payload pipeline — ``Mapping.should_sync``, then
``payload.build`` (the mapping's payload normalised in the business's time zone and
currency, ``external_id`` added) — with a read-only context: a parent's Thred id comes
from the outbox, nothing is pushed.
A payload that cannot be built now (a parent not in Thred, a mapping that raises) is
``None``: the engine reports those records itself; reconciliation does not judge them.

``unmarked_rows`` walks a mapping's rows of one business by primary key, ``CHUNK`` at a
time (keyset pagination), and yields the rows no outbox row accounts for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from thred_django.engine.parents import parent_keys
from thred_django.engine.payload import PayloadError, build
from thred_django.mappings import CURRENT_TENANT, Mapping, registry, single_business_mode
from thred_django.models import SyncRecord
from thred_django.resources import Resource

CHUNK = 500
_CACHE_MAX = 20_000


class Unresolved(Exception):
    """A parent is not in Thred (or belongs to another business): no payload now."""


class ReadOnlyContext:
    """``PayloadContext`` that reads parents' Thred ids from the outbox; never pushes.

    One per business run; remembers at most ``_CACHE_MAX`` parent ids (then starts over).
    """

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self._ids: dict[tuple[int, str, str], str] = {}
        self._business: dict[str, Any] | None = None

    def thred_id(self, obj: models.Model, resource: str | None = None) -> str:
        mapping = registry.for_model(type(obj), resource)
        if mapping.get_tenant_id(obj) != self.tenant_id:
            raise Unresolved("a parent of another business")
        ct = ContentType.objects.get_for_model(mapping.model)
        key = (ct.pk, str(obj.pk), mapping.resource)
        found = self._ids.get(key)
        if found is None:
            found = (
                SyncRecord.objects.filter(
                    content_type=ct, object_id=key[1], resource=mapping.resource
                )
                .values_list("thred_id", flat=True)
                .first()
            ) or ""
            if len(self._ids) >= _CACHE_MAX:
                self._ids.clear()
            self._ids[key] = found
        if not found:
            raise Unresolved(f"{mapping.model._meta.label} {obj.pk} is not in Thred")
        return found

    def learn(self, objs: list[models.Model]) -> None:
        """Look up, in one query per model, the Thred ids of the mapped parents these
        objects point at by foreign key (and their loaded parents', one level more), so
        building their payloads costs no query per parent. Forgets earlier pages'."""
        self._ids.clear()
        wanted: dict[type[models.Model], set[str]] = {}
        for obj in objs:
            for model, pk in parent_keys(obj):
                wanted.setdefault(model, set()).add(str(pk))
        for model, pks in wanted.items():
            primary = registry.for_model(model)  # what ctx.thred_id(parent) asks for
            ct = ContentType.objects.get_for_model(primary.model)
            rows = SyncRecord.objects.filter(
                content_type=ct, object_id__in=list(pks), resource=primary.resource
            )
            known = dict(rows.values_list("object_id", "thred_id"))
            for pk in pks:
                self._ids[(ct.pk, pk, primary.resource)] = known.get(pk, "")

    @property
    def business(self) -> dict[str, Any]:
        if self._business is None:
            record = SyncRecord.objects.filter(
                resource=Resource.BUSINESS, tenant_id=self.tenant_id
            ).first()
            self._business = dict(record.acked_payload or {}) if record else {}
        return self._business


def mapping_of(record: SyncRecord) -> Mapping | None:
    return registry.of_content_type(record.content_type_id, record.resource)


def load(mapping: Mapping, records: list[SyncRecord]) -> dict[str, models.Model]:
    """The host objects of ``records`` (one query), by ``object_id``."""
    if not records:
        return {}
    try:
        found = mapping.get_queryset().in_bulk([r.object_id for r in records])
    except (ValueError, TypeError):  # an object_id the pk field cannot take
        return {}
    return {str(pk): obj for pk, obj in found.items()}


def current_payload(
    mapping: Mapping, obj: models.Model, record: SyncRecord, ctx: ReadOnlyContext
) -> dict[str, Any] | None:
    """What the engine would send for ``obj`` now, or None if it cannot be built now
    (left out by the mapping filter, a parent not in Thred, a mapping that raises)."""
    try:
        if not mapping.should_sync(obj) or not mapping.is_active(obj):
            return None
        return build(mapping, obj, ctx, record.external_id)
    except (Unresolved, PayloadError):
        return None
    except Exception:  # the mapping's own error: the engine reports it on the record
        return None


def tenant_filter(mapping: Mapping, tenant_pk: Any) -> dict[str, Any]:
    """Lookups selecting the rows of one business (single-business mode, or a mapping
    whose business is the current schema's tenant: every row)."""
    if mapping.resource == Resource.BUSINESS:
        return {"pk": tenant_pk}
    if single_business_mode() or mapping.business == CURRENT_TENANT:
        return {}
    return {mapping.business: tenant_pk}


def unmarked_rows(mapping: Mapping, tenant_pk: Any) -> Iterator[tuple[int, list[models.Model]]]:
    """``(rows scanned, rows with no outbox row)`` per chunk of the business's rows."""
    ct = ContentType.objects.get_for_model(mapping.model)
    base = mapping.get_queryset().filter(**tenant_filter(mapping, tenant_pk)).order_by("pk")
    last: Any = None
    while True:
        chunk = base if last is None else base.filter(pk__gt=last)
        pks = list(chunk.values_list("pk", flat=True)[:CHUNK])
        if not pks:
            return
        last = pks[-1]
        marked = set(
            SyncRecord.objects.filter(
                content_type=ct, object_id__in=[str(pk) for pk in pks], resource=mapping.resource
            ).values_list("object_id", flat=True)
        )
        missing = [pk for pk in pks if str(pk) not in marked]
        rows = list(mapping.get_queryset().filter(pk__in=missing)) if missing else []
        yield len(pks), rows
