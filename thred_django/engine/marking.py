"""Marking host objects for sync: the signal handlers and the public ``mark`` API.

A mark is one upsert of the object's SyncRecord (state pending, a new revision, due
now), written on the same database connection as the host's write, so inside the
host's transaction when there is one. After commit, ``transaction.on_commit`` asks for
a push (fast path); the periodic sweep is the guarantee for anything that slips.

``mark()`` and ``mark_queryset()`` are public: call them after ``bulk_create``,
``QuerySet.update()`` or raw SQL, which send no signals.

Every path (post_save / post_delete / m2m_changed, ``mark``, ``mark_objects``,
``mark_queryset``, rows that touch a mapping, dependents) goes through one function,
``mark_many``: it marks mapped objects and what touching rows lead to, then the
records whose payloads read a marked object's Thred id (``SyncDependency``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from thred_django import tenancy
from thred_django.engine.dispatch import request_push
from thred_django.engine.mistakes import record_mark_failure
from thred_django.engine.remark import remark_dependents, remark_existing
from thred_django.engine.rows import mark_values as mark_values
from thred_django.engine.rows import sync_enabled, tenant_of
from thred_django.engine.touching import moved, touched_objects, touches
from thred_django.engine.upsert import upsert
from thred_django.mappings import Mapping, registry
from thred_django.models import SyncRecord
from thred_django.resources import Action

logger = logging.getLogger("thred_django.engine")


def mark_many(
    objs: Iterable[models.Model],
    *,
    action: str = Action.UPSERT,
    using: str | None = None,
    existing_only: bool = False,
) -> int:
    """The one marking function: every mark path (signals, ``mark``, ``mark_objects``,
    rows that touch a mapping, dependents) ends here. Returns how many were marked.

    Mapped objects get their record upserted (``existing_only``: only records that
    exist are re-marked, as a host delete does). Rows of models named in a mapping's
    ``touched_by`` mark the objects they lead to instead. Then the records whose
    payloads read a marked object's Thred id are marked again too (one statement).
    """
    if not sync_enabled():
        return 0
    now = timezone.now()
    using = using or router.db_for_write(SyncRecord, instance=None)
    # One mark per record (two lines of one invoice lead to it twice): PostgreSQL
    # refuses an upsert that touches a row twice. A delete wins over a change.
    by_key: dict[tuple[int, str, str], dict[str, Any]] = {}
    notes: list[tuple[dict[str, Any], str]] = []
    for obj, its_action in _expand(objs, action):
        if obj.pk is None:
            continue
        if tenancy.is_tenant_object(obj):
            own = tenancy.tenant_outbox(obj)
            if own != tenancy.current_schema():
                if own is not None:
                    _mark_in_own_schema(obj, own, its_action, existing_only)
                continue
        for mapping in registry.mappings_for(type(obj)):  # one mark per resource it feeds
            values = _safe_values(mapping, obj, its_action, now, notes, using)
            if values is None:
                continue
            key = (values["content_type_id"], values["object_id"], values["resource"])
            if by_key.get(key, {}).get("action") != Action.DELETE:
                by_key[key] = values
    marks = list(by_key.values())
    if not marks:
        return 0
    if existing_only:
        remark_existing(marks, using)
    else:
        upsert(marks, using)
    for values, why in notes:
        # Kept on the record (the admin shows it); its push fails with this reason.
        SyncRecord.objects.using(using).filter(
            content_type_id=values["content_type_id"],
            object_id=values["object_id"],
            resource=values["resource"],
        ).update(last_error_code="mapping_error", last_error_message=why)
    remark_dependents(marks, using, now)
    return len(marks)


def _mark_in_own_schema(obj: models.Model, schema: str, action: str, existing_only: bool) -> None:
    """django-tenants: a tenant's business record lives in the tenant's own schema (not
    counted by the caller, which pushes in its own schema). ``tenant_outbox`` gives no
    schema while a new tenant is saved (its schema does not exist yet; it is marked once
    created) nor for the public tenant, which is the platform, not a business."""
    with tenancy.activated(schema):
        using = router.db_for_write(SyncRecord, instance=obj)
        if mark_many([obj], action=action, using=using, existing_only=existing_only):
            request_push(using)


def _safe_values(
    mapping: Mapping,
    obj: models.Model,
    action: str,
    now: Any,
    notes: list[tuple[dict[str, Any], str]],
    using: str,
) -> dict[str, Any] | None:
    """``mark_values``, never raising into the host's save: a tenant that cannot be
    found is noted on the record; an external id that cannot be built fails the record
    with the reason (``mistakes.record_mark_failure``)."""
    tenant_id, why = tenant_of(mapping, obj)
    try:
        values = mark_values(mapping, obj, action, now, tenant_id)
    except Exception as exc:  # get_external_id raised: never break the host's save
        record_mark_failure(mapping, obj, exc, using, action)
        return None
    if why:
        notes.append((values, why))
    return values


def _expand(objs: Iterable[models.Model], action: str) -> Iterator[tuple[models.Model, str]]:
    """Mapped objects with ``action``, and the objects touching rows lead to (changed,
    whatever happened to the row)."""
    for obj in objs:
        if type(obj) in registry:
            yield obj, action
        for touched in touched_objects(obj):
            yield touched, Action.UPSERT


def mark(obj: models.Model, *, action: str = Action.UPSERT) -> None:
    """Mark one mapped object for sync (no-op for unmapped models or when disabled)."""
    using = router.db_for_write(SyncRecord, instance=obj)
    if mark_many([obj], action=action, using=using):
        request_push(using)


def mark_objects(
    objs: Iterable[models.Model],
    *,
    batch_size: int = 1000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Mark many objects in bulk upserts; returns how many. Objects of mapped models
    are marked; rows of models in a mapping's ``touched_by`` mark what they touch."""
    if not sync_enabled():
        return 0
    count = 0
    using = router.db_for_write(SyncRecord)
    for chunk in _chunks(objs, batch_size):
        with transaction.atomic(using=using):
            count += mark_many(chunk, using=using)
        if on_batch:
            on_batch(len(chunk))
    if count:
        request_push(using)
    return count


def mark_queryset(
    queryset: models.QuerySet[Any],
    *,
    batch_size: int = 1000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Mark every row of a queryset of a mapped (or touching) model, in constant memory."""
    return mark_objects(
        queryset.iterator(chunk_size=batch_size), batch_size=batch_size, on_batch=on_batch
    )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_BEFORE = "_thred_touched_before"


@receiver(pre_save, dispatch_uid="thred_django.marking.before_save")
def _before_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kw: Any):
    """A touching row about to move to another object: remember the one it leaves."""
    if raw or instance.pk is None or not touches(sender):
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is None:
        return
    if moved(sender, old, instance):
        setattr(instance, _BEFORE, list(touched_objects(old)))


@receiver(post_save, dispatch_uid="thred_django.marking.on_save")
def _on_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kw: Any):
    if raw or not (sender in registry or touches(sender)):
        return
    update_fields = kw.get("update_fields")
    found = registry.mappings_for(sender)
    if (
        found
        and update_fields is not None
        and not any(mapping.reads_any(update_fields) for mapping in found)
        and not touches(sender)
    ):
        return  # e.g. update_last_login: nothing the mapping reads changed
    objs = [instance, *instance.__dict__.pop(_BEFORE, [])]
    using = router.db_for_write(SyncRecord, instance=instance)
    if mark_many(objs, using=using):
        request_push(using)


@receiver(post_delete, dispatch_uid="thred_django.marking.on_delete")
def _on_delete(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    using = router.db_for_write(SyncRecord, instance=instance)
    if not (sender in registry or touches(sender)):
        return
    # Only objects Thred has heard of (or might have) need a delete action; the objects
    # a deleted touching row led to (a line's invoice) changed.
    marked = mark_many([instance], action=Action.DELETE, using=using, existing_only=True)
    if marked:
        request_push(using)


@receiver(m2m_changed, dispatch_uid="thred_django.marking.on_m2m")
def _on_m2m(sender: type[models.Model], instance: models.Model, action: str, **kw: Any) -> None:
    """A mapped object's many-to-many links changed (a payout's payments)."""
    if action in ("post_add", "post_remove", "post_clear") and type(instance) in registry:
        mark(instance)
