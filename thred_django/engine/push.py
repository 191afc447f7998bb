"""Pushing claimed records: resolve parents → build → validate → call → record.

``Pusher`` handles the records of one claim (one lease token), one at a time, in the
order given (parents first). A mapping asks for a parent's Thred id through
``ctx.thred_id(parent)``; a parent that is not in Thred yet is pushed first when it can
be claimed (pull forward), waited for when another worker holds it, and blocks the child
when it failed permanently. The HTTP call happens outside any transaction.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from thred_django import single
from thred_django.client import ThredClient
from thred_django.client.gaps import ALREADY_DONE_ERROR_CODES
from thred_django.client.validation import validate_payload
from thred_django.engine import claim, operations, outcome
from thred_django.engine.marking import new_record
from thred_django.engine.payload import PayloadError, digest, normalize
from thred_django.exceptions import ThredConfigurationError, ThredConflictError, ThredError
from thred_django.mappings import registry
from thred_django.models import SyncRecord
from thred_django.resources import CLAIMABLE, SETTLED, Action, Resource, State

logger = logging.getLogger("thred_django.engine")

MAX_DEPTH = 12  # longest parent chain is 7; more means a cycle in the mappings


class DependencyPending(Exception):
    def __init__(self, parent: SyncRecord) -> None:
        self.parent = parent


class DependencyFailed(Exception):
    def __init__(self, parent: SyncRecord) -> None:
        self.parent = parent


class MissingBusiness(Exception):
    """The record's tenant is gone or unset: nothing can be sent until it is fixed."""


class CrossTenantReference(Exception):
    """A payload refers to a parent of another business: nothing is sent."""


class MappingError(Exception):
    """The host's mapping code raised; the original exception is the cause."""


_CONTROL = (
    CrossTenantReference,
    DependencyPending,
    DependencyFailed,
    MissingBusiness,
    ThredConfigurationError,
    PayloadError,
)


def _mapping_call(func: Any, *args: Any) -> Any:
    """Run host mapping code; its own errors become MappingError, ours pass through."""
    try:
        return func(*args)
    except _CONTROL:
        raise
    except Exception as exc:
        raise MappingError(f"{type(exc).__name__}: {exc}") from exc


class Context:
    """What ``Mapping.build_payload`` may ask: parents' Thred ids, the business payload."""

    def __init__(self, pusher: Pusher, record: SyncRecord) -> None:
        self._pusher = pusher
        self._record = record
        self._business: dict[str, Any] | None = None

    def thred_id(self, obj: models.Model) -> str:
        mapping = registry.for_model(type(obj))
        tenant = mapping.get_tenant_id(obj)
        if tenant != self._record.tenant_id:
            # Never put one business's Thred ids into a request to another business.
            raise CrossTenantReference(
                f"References {mapping.model._meta.verbose_name} {obj.pk}, which belongs to "
                f"another business (tenant {tenant or '—'}, not {self._record.tenant_id}). "
                "Point the relation at an object of this record's own business."
            )
        return self._pusher.resolve(obj)

    @property
    def business(self) -> dict[str, Any]:
        if self._business is None:
            self._business = self._pusher.business_payload(self._record)
        return self._business


# Resources whose create answers a repeated external_id with the stored object, unchanged
# (payouts are an upsert: their 200 means "updated").
REPEAT_RETURNS = frozenset(Resource) - {Resource.PAYOUT}


def _partial(resource: str, fields: list[str]) -> tuple[str, str]:
    return (
        "update_partial",
        f"Thred cannot change {', '.join(fields)} of a {resource} once created: the rest "
        "was updated, those changes were not sent.",
    )


def _no_update(resource: str) -> str:
    return f"Changed here, but Thred has no update for a {resource}: the change was not sent."


def record_for(obj: models.Model) -> SyncRecord:
    """The SyncRecord of a mapped object, created (pending) if it has none yet."""
    mapping = registry.for_model(type(obj))
    ct = ContentType.objects.get_for_model(mapping.model)
    record = SyncRecord.objects.filter(content_type=ct, object_id=str(obj.pk)).first()
    if record is None:
        SyncRecord.objects.bulk_create(
            [new_record(mapping, obj, Action.UPSERT, timezone.now())], ignore_conflicts=True
        )
        record = SyncRecord.objects.get(content_type=ct, object_id=str(obj.pk))
    return record


def _key(record: SyncRecord) -> tuple[int, str]:
    return record.content_type_id, record.object_id


def _parent_keys(obj: models.Model, depth: int = 2) -> Iterator[tuple[type[models.Model], Any]]:
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
                yield from _parent_keys(parent, depth - 1)


_UNLOADED = object()

# How long a Known remembers that a record is in Thred, unless told otherwise
# (push_due: THRED["LEASE_SECONDS"], as long as a claim may last).
KNOWN_SECONDS = 30.0
# At most this many Thred ids are remembered (about 7 MB); the oldest go first.
KNOWN_MAX = 20_000


class Known:
    """Records known to be in Thred, shared by the Pushers of one run.

    A parent found in Thred, or pushed, is remembered for ``seconds`` so that the
    records referencing it (often in later batches) do not look it up again; so is each
    business record. A remembered fact can only go stale one way (the parent deleted
    since, its void or archive not yet sent), the same race a payload built just before
    its call already has; a Thred id never changes once set. Only Thred ids are kept
    (businesses: the record), at most ``max_entries`` of them: expired ones are dropped
    as new ones come, and the oldest when there are too many, so memory stays bounded
    over a long run. Plain dict reads and writes: safe across the run's threads.
    """

    def __init__(self, seconds: float = KNOWN_SECONDS, max_entries: int = KNOWN_MAX) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._ids: dict[tuple[int, str], tuple[float, str]] = {}
        self._businesses: dict[str, tuple[float, SyncRecord]] = {}
        self._added = 0

    def thred_id(self, key: tuple[int, str]) -> str | None:
        entry = self._ids.get(key)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def business(self, tenant_id: str) -> SyncRecord | None:
        entry = self._businesses.get(tenant_id)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def add(self, record: SyncRecord) -> SyncRecord:
        if record.thred_id and record.action != Action.DELETE:
            until = time.monotonic() + self.seconds
            self._ids[_key(record)] = (until, record.thred_id)
            if record.resource == Resource.BUSINESS:
                self._businesses[record.tenant_id] = (until, record)
            self._added += 1
            if self._added % 1000 == 0 or len(self._ids) > self.max_entries:
                self._prune()
        return record

    def _prune(self) -> None:
        now = time.monotonic()
        entries = list(self._ids.items())  # oldest first (insertion order)
        excess = len(entries) - self.max_entries * 3 // 4
        for i, (key, (until, _)) in enumerate(entries):
            if until <= now or i < excess:
                self._ids.pop(key, None)


class Pusher:
    """Pushes the records of one claim, parents first, one at a time.

    So that a record costs a few queries rather than one per lookup, it loads host
    objects ahead in bulk (``preload``) and shares a ``Known`` with the other Pushers of
    the run (what is in Thred, for ``KNOWN_SECONDS``): like a payload built just before
    its call, what it uses is at most seconds old.
    """

    def __init__(self, client: ThredClient, token: uuid.UUID, known: Known | None = None) -> None:
        self.client = client
        self.token = token
        self.done: set[int] = set()
        self.stack: list[int] = []
        self.failures = 0  # records whose call failed (the runner checks for pauses)
        # self.failures when this Pusher last closed the business's breaker (None: never).
        self._breaker_reset_at: int | None = None
        self.known = known if known is not None else Known()
        self.log = outcome.SuccessLog()  # the caller flushes it (runner._push_group)
        self._objects: dict[int, Any] = {}

    # --- host objects -----------------------------------------------------------------
    def preload(self, records: list[SyncRecord]) -> None:
        """Load the host objects of ``records`` with one query per model, and what is
        known in Thred of the mapped parents they point at.

        A model whose mapping queryset fails here is left to ``_push``, which loads each
        object on its own and reports the error on its record.
        """
        by_model: dict[int, list[SyncRecord]] = {}
        parents: dict[type[models.Model], set[str]] = {}
        for record in records:
            if record.action != Action.DELETE and record.id not in self.done:
                by_model.setdefault(record.content_type_id, []).append(record)
        for batch in by_model.values():
            model = batch[0].content_type.model_class()
            mapping = registry.get(model) if model else None
            if mapping is None:
                continue
            try:
                found = mapping.get_queryset().in_bulk([r.object_id for r in batch])
            except Exception:  # each object then loads alone and its record gets the error
                logger.debug("Bulk load of %s failed", model, exc_info=True)
                continue
            loaded = {str(pk): obj for pk, obj in found.items()}
            for record in batch:
                self._objects[record.id] = loaded.get(record.object_id)
            for obj in loaded.values():
                for parent_model, pk in _parent_keys(obj):
                    parents.setdefault(parent_model, set()).add(str(pk))
        self._learn_parents(parents)

    def _learn_parents(self, parents: dict[type[models.Model], set[str]]) -> None:
        """Put what is known in Thred of these parents into ``known``: one query per
        parent model for a preload window, instead of one per parent when its child's
        payload asks for it."""
        for model, pks in parents.items():
            ct = ContentType.objects.get_for_model(registry.for_model(model).model)
            unknown = [pk for pk in pks if self.known.thred_id((ct.pk, pk)) is None]
            if not unknown:
                continue
            for record in SyncRecord.objects.filter(content_type=ct, object_id__in=unknown).exclude(
                thred_id=""
            ):
                self.known.add(record)

    def _host_object(self, record: SyncRecord, mapping: Any) -> Any:
        obj = self._objects.pop(record.id, _UNLOADED)
        if obj is _UNLOADED:
            obj = _mapping_call(lambda: mapping.get_queryset().filter(pk=record.object_id).first())
        return obj

    # --- parents ----------------------------------------------------------------------
    def resolve(self, obj: models.Model) -> str:
        """Thred id of a parent object, pushing it first when we can."""
        mapping = registry.for_model(type(obj))
        ct = ContentType.objects.get_for_model(mapping.model)
        known = self.known.thred_id((ct.pk, str(obj.pk)))
        return known if known is not None else self.resolve_record(obj).thred_id

    def resolve_record(self, obj: models.Model) -> SyncRecord:
        parent = record_for(obj)
        if parent.thred_id and parent.action != Action.DELETE:
            return self.known.add(parent)
        if parent.state in (State.FAILED, State.BLOCKED) or parent.state in SETTLED:
            raise DependencyFailed(parent)
        # Pull forward at most once per run (not a parent tried already), never in a cycle.
        if len(self.stack) < MAX_DEPTH and parent.id not in self.done:
            ours = parent.state == State.IN_FLIGHT and parent.lease_token == self.token
            due = parent.state in CLAIMABLE and parent.next_attempt_at <= timezone.now()
            if ours or (due and claim.claim_one(parent.id, self.token)):
                parent.refresh_from_db()
                self.push(parent)
                parent.refresh_from_db()
                if parent.thred_id and parent.action != Action.DELETE:
                    return self.known.add(parent)
                if parent.state in (State.FAILED, State.BLOCKED) or parent.state in SETTLED:
                    raise DependencyFailed(parent)
        raise DependencyPending(parent)

    def business_record(self, record: SyncRecord) -> SyncRecord:
        """The record's business, pushed first if it has not reached Thred yet."""
        if record.resource == Resource.BUSINESS:
            return record
        known = self.known.business(record.tenant_id)
        if known is not None:
            return known
        known = SyncRecord.objects.filter(
            resource=Resource.BUSINESS, tenant_id=record.tenant_id
        ).first()
        if known is not None and known.thred_id:
            return self.known.add(known)
        mapping = registry.business_mapping()
        if mapping is None:
            raise ThredConfigurationError(
                "No business mapping is registered: map your tenant model with "
                "@mappings.register(Tenant) class TenantMapping(mappings.BusinessMapping)."
            )
        tenant = mapping.model._default_manager.filter(pk=record.tenant_id or None).first()
        if tenant is None and single.configured():
            tenant = single.business()  # onboarded at the first push that needs it
        if tenant is None and record.last_error_code == "mapping_error":
            raise MissingBusiness(record.last_error_message)  # why the mark found none
        if tenant is None:
            raise MissingBusiness(
                f"This {record.resource} belongs to no business: its tenant "
                f"({mapping.model._meta.verbose_name} {record.tenant_id or '—'}) does not exist. "
                "Set the relation to the tenant and save it again."
            )
        return self.resolve_record(tenant)

    def business_payload(self, record: SyncRecord) -> dict[str, Any]:
        return dict(self.business_record(record).acked_payload or {})

    # --- one record -------------------------------------------------------------------
    def push(self, record: SyncRecord) -> None:
        if record.id in self.done:
            return
        self.done.add(record.id)
        self.stack.append(record.id)
        try:
            self._push(record)
        finally:
            self.stack.pop()

    def _push(self, record: SyncRecord) -> None:
        token = self.token
        # No renewal here: the lease is extended right before a call if it must be
        # (_may_send), and every other write about the record is fenced anyway.
        payload: dict[str, Any] | None = None
        try:
            model = record.content_type.model_class()
            mapping = registry.get(model) if model else None
            if mapping is None:
                raise ThredConfigurationError(
                    f"{record.content_type} is no longer mapped to a Thred resource."
                )
            obj = None
            if record.action != Action.DELETE:
                obj = self._host_object(record, mapping)
            if obj is None:
                self._delete(record)
                return
            if not _mapping_call(mapping.should_sync, obj):
                outcome.settled_without_call(
                    record, token, State.SKIPPED, "filtered", "Left out by the mapping filter."
                )
                return
            business = self.business_record(record)
            payload = normalize(
                _mapping_call(mapping.build_payload, obj, Context(self, record)),
                tz=_mapping_call(mapping.get_timezone, obj),
                currency=(business.acked_payload or {}).get("base_currency"),
            )
            payload["external_id"] = record.external_id
            self._send(record, business, payload)
        except DependencyPending as exc:
            outcome.wait_for_parent(record, token, exc.parent, exc.parent.next_attempt_at)
        except DependencyFailed as exc:
            parent = exc.parent
            outcome.failed(
                record,
                token,
                code="blocked",
                message=f"Blocked: {parent.resource} {parent.external_id} is {parent.state}"
                + (f" ({parent.last_error_message})" if parent.last_error_message else "")
                + ". It resumes once that record reaches Thred.",
                state=State.BLOCKED,
                blocked_by=parent,
            )
        except ThredError as exc:
            self.failures += 1
            outcome.api_error(record, token, exc, payload)
        except PayloadError as exc:
            outcome.failed(record, token, code="invalid_payload", message=str(exc), exc=exc)
        except CrossTenantReference as exc:
            outcome.failed(record, token, code="cross_tenant", message=str(exc), exc=exc)
        except MissingBusiness as exc:
            outcome.failed(record, token, code="no_business", message=str(exc), exc=exc)
        except ThredConfigurationError as exc:
            outcome.failed(record, token, code="configuration", message=str(exc), exc=exc)
        except MappingError as exc:  # a mapping that raises must not stop the worker
            logger.error("Mapping failed for %s: %s", record, exc, exc_info=exc.__cause__)
            outcome.failed(record, token, code="mapping_error", message=str(exc), exc=exc)
        # Anything else (a DatabaseError writing the outbox) propagates: the record keeps
        # its lease, which lapses, and the next run pushes it again (idempotently).

    def _send(self, record: SyncRecord, business: SyncRecord, payload: dict[str, Any]) -> None:
        token = self.token
        resource = record.resource
        base = payload if resource == Resource.BUSINESS else (business.acked_payload or {})
        errors = validate_payload(
            resource,
            "update" if record.thred_id else "create",
            payload,
            base_currency=base.get("base_currency"),
            country=base.get("country"),
        )
        if errors:
            outcome.log_attempt(record, "invalid", request=payload, response=errors)
            outcome.failed(
                record,
                token,
                code="invalid_payload",
                message="Not sent: the data does not pass Thred's rules. "
                + "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items()),
                details=errors,
            )
            return
        hashed = digest(payload)
        if record.thred_id and hashed == record.payload_hash and not record.force:
            outcome.settled_without_call(record, token, State.SYNCED)
            return
        business_id = business.thred_id
        note = ("", "")
        if not record.thred_id:
            earlier = record.sent_hash  # data of an earlier create whose answer we never had
            key = operations.idempotency_key_for(resource, record.external_id, hashed)
            changes = {}
            if (earlier, record.idempotency_key) != (hashed, key):
                # Persisted before sending: a restarted worker resends the same key.
                changes = {"sent_hash": hashed, "idempotency_key": key}
            if not self._may_send(record, **changes):
                return  # our lease was taken over: the new holder owns this record
            sent = operations.create(self.client, resource, business_id, payload, key)
            if not sent.response.created and earlier != hashed and resource in REPEAT_RETURNS:
                # Thred already held this external_id (an earlier create, other data) and
                # returned it unchanged: bring it up to date, or say why we cannot.
                if resource in operations.UPDATES:
                    held = operations.body_of(sent.response)  # what Thred holds now
                    sent = operations.update(
                        self.client, resource, business_id, sent.thred_id, payload
                    )
                    fixed = operations.changed_fixed_fields(resource, held, payload)
                    if fixed:
                        note = _partial(resource, fixed)
                else:
                    note = ("update_not_supported", _no_update(resource))
        elif resource in operations.UPDATES:
            if not self._may_send(record):
                return
            sent = operations.update(self.client, resource, business_id, record.thred_id, payload)
            fixed = operations.changed_fixed_fields(resource, record.acked_payload, payload)
            if fixed:
                note = _partial(resource, fixed)
        else:
            outcome.settled_without_call(
                record, token, State.SYNCED, "update_not_supported", _no_update(resource)
            )
            return
        self._succeeded(
            record,
            thred_id=sent.thred_id,
            payload=None if note[0] else payload,
            digest=hashed,
            response=sent.response,
            note=note,
        )
        if record.state == State.SYNCED:  # not re-marked meanwhile: a parent others may use
            self.known.add(record)

    def _delete(self, record: SyncRecord) -> None:
        token = self.token
        if not record.thred_id:
            outcome.settled_without_call(
                record, token, State.SKIPPED, "deleted", "Deleted before it reached Thred."
            )
            return
        if record.resource not in operations.DELETES:
            outcome.settled_without_call(
                record,
                token,
                State.ORPHANED,
                "delete_not_supported",
                f"Deleted here, but Thred has no delete, void or archive for a "
                f"{record.resource}: it stays in Thred. Remove it there by hand if needed.",
            )
            return
        business = self.business_record(record)
        if not self._may_send(record):
            return  # our lease was taken over: the new holder owns this record
        try:
            sent = operations.delete(
                self.client, record.resource, business.thred_id, record.thred_id
            )
        except ThredConflictError as exc:
            if exc.error_code not in ALREADY_DONE_ERROR_CODES:
                raise
            # A retry after a lost response: Thred already voided/cancelled/archived it.
            outcome.settled_without_call(record, token, State.VOIDED, exc.error_code, str(exc))
            return
        self._succeeded(
            record,
            thred_id=record.thred_id,
            payload=None,
            digest="",
            response=sent.response,
            state=State.VOIDED,
        )

    def _may_send(self, record: SyncRecord, **changes: Any) -> bool:
        """Right before a call: False when our lease was taken over.

        Writes ``changes`` and extends the lease first, unless there is nothing to
        write and the lease outlasts the call anyway (most calls of a fresh claim).
        """
        if not changes and claim.outlasts_a_call(record.lease_until):
            return True
        return claim.renew(record, self.token, **changes)

    def _succeeded(self, record: SyncRecord, **kwargs: Any) -> None:
        # The breaker is closed by the first success, and again after a failed call: one
        # write per run of successes rather than one per record.
        reset = self._breaker_reset_at != self.failures
        written = outcome.succeeded(record, self.token, reset_breaker=reset, log=self.log, **kwargs)
        if written and reset:
            self._breaker_reset_at = self.failures
