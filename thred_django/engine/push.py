"""Pushing claimed records: resolve parents → build → decide → validate → call → record.

``Pusher`` handles the records of one claim (one lease token), one at a time, in the
order given (parents first). A mapping asks for a parent's Thred id through
``ctx.thred_id(parent)``; a parent that is not in Thred yet is pushed first when it can
be claimed (pull forward), waited for when another worker holds it, and blocks the child
when it failed permanently. The HTTP call happens outside any transaction.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, InterfaceError, OperationalError, models
from django.utils import timezone

from thred_django import lifecycle, single
from thred_django.client import ThredClient
from thred_django.engine import claim, outcome, pipeline
from thred_django.engine.known import KNOWN_MAX, KNOWN_SECONDS, Known
from thred_django.engine.parents import parent_keys
from thred_django.engine.payload import PayloadError
from thred_django.engine.rows import new_record
from thred_django.engine.send import Sending
from thred_django.exceptions import ThredConfigurationError, ThredError
from thred_django.mappings import registry
from thred_django.models import SyncRecord
from thred_django.resources import CLAIMABLE, SETTLED, Action, Resource, State

logger = logging.getLogger("thred_django.engine")

__all__ = ["KNOWN_MAX", "KNOWN_SECONDS", "Context", "Known", "Pusher", "record_for"]

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


# How long a record waits for a parent that another thread of its claim is pushing
# right now (a call and its outcome: well under a lease) before it gives up and waits
# for it the usual way (DEPENDENCY_WAIT).
PARENT_WAIT_SECONDS = 60.0


class Share:
    """What the Pushers of one claim share across threads: which records one of them
    has taken (each is pushed once, by one thread), and when each is finished."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[int, threading.Event] = {}
        self.failures = 0  # records whose call failed (the runner checks for pauses)
        # self.failures when a Pusher of this claim last closed the breaker (None: never).
        self.breaker_reset_at: int | None = None

    def take(self, record_id: int) -> bool:
        """True for the one caller that gets to push ``record_id``."""
        with self._lock:
            if record_id in self._events:
                return False
            self._events[record_id] = threading.Event()
            return True

    def taken(self, record_id: int) -> bool:
        return record_id in self._events

    def finish(self, record_id: int) -> None:
        event = self._events.get(record_id)
        if event is not None:
            event.set()

    def wait(self, record_id: int, timeout: float) -> bool:
        """Wait until the thread that took ``record_id`` is done with it."""
        event = self._events.get(record_id)
        return event is None or event.wait(timeout)

    def failed_call(self) -> None:
        with self._lock:
            self.failures += 1


_CONTROL = (
    CrossTenantReference,
    DependencyPending,
    DependencyFailed,
    MissingBusiness,
    ThredConfigurationError,
    PayloadError,
    # The database going away (a dropped connection, a failover), whether in the host's
    # own queries or in the push of a parent pulled forward from inside build_payload, is
    # not the mapping's fault: the run stops and leases lapse, as for any outbox failure.
    OperationalError,
    InterfaceError,
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

    def __init__(
        self, pusher: Pusher, record: SyncRecord, business: SyncRecord | None = None
    ) -> None:
        self._pusher = pusher
        self._record = record
        self._business: dict[str, Any] | None = None
        if business is not None:
            self._business = dict(business.acked_payload or {})
        # (content type id, pk) of every object whose Thred id the payload read: the
        # dependency edges stored for the record (marking re-marks it when they change).
        self.read: set[tuple[int, str]] = set()

    def thred_id(self, obj: models.Model, resource: str | None = None) -> str:
        mapping = registry.for_model(type(obj), resource)
        tenant = mapping.get_tenant_id(obj)
        if tenant != self._record.tenant_id:
            # Never put one business's Thred ids into a request to another business.
            raise CrossTenantReference(
                f"References {mapping.model._meta.verbose_name} {obj.pk}, which belongs to "
                f"another business (tenant {tenant or '—'}, not {self._record.tenant_id}). "
                "Point the relation at an object of this record's own business."
            )
        self.read.add((ContentType.objects.get_for_model(mapping.model).pk, str(obj.pk)))
        return self._pusher.resolve(obj, mapping.resource)

    @property
    def business(self) -> dict[str, Any]:
        if self._business is None:
            self._business = self._pusher.business_payload(self._record)
        return self._business


def record_for(obj: models.Model, resource: str | None = None) -> SyncRecord:
    """The SyncRecord of a mapped object (for ``resource``, default: its primary
    mapping's), created (pending) if it has none yet."""
    mapping = registry.for_model(type(obj), resource)
    ct = ContentType.objects.get_for_model(mapping.model)
    key = {"content_type": ct, "object_id": str(obj.pk), "resource": mapping.resource}
    record = SyncRecord.objects.filter(**key).first()
    if record is None:
        SyncRecord.objects.bulk_create(
            [new_record(mapping, obj, Action.UPSERT, timezone.now())], ignore_conflicts=True
        )
        record = SyncRecord.objects.get(**key)
    return record


_UNLOADED = object()


class Pusher(Sending):
    """Pushes the records of one claim, parents first: one at a time, or from several
    threads through ``fork()`` (``fanout``), each record by one of them (``Share``).

    So that a record costs a few queries rather than one per lookup, it loads host
    objects ahead in bulk (``preload``) and shares a ``Known`` with the other Pushers of
    the run (what is in Thred, for ``KNOWN_SECONDS``): like a payload built just before
    its call, what it uses is at most seconds old.
    """

    def __init__(
        self,
        client: ThredClient,
        token: uuid.UUID,
        known: Known | None = None,
        *,
        share: Share | None = None,
        log: outcome.SuccessLog | None = None,
        objects: dict[int, Any] | None = None,
    ) -> None:
        self.client = client
        self.token = token
        self.share = share if share is not None else Share()
        self.stack: list[int] = []  # this thread's pull-forward chain
        self.known = known if known is not None else Known()
        self.log = log if log is not None else outcome.SuccessLog()  # flushed by the runner
        self._objects: dict[int, Any] = objects if objects is not None else {}
        self.payload: dict[str, Any] | None = None  # of the record being pushed
        self.last_error: ThredError | None = None  # of the last failed call

    def fork(self) -> Pusher:
        """A Pusher for another thread of the same claim: shares what is taken, the
        preloaded objects, the success log and ``known``; its own chain and payload."""
        return Pusher(
            self.client,
            self.token,
            self.known,
            share=self.share,
            log=self.log,
            objects=self._objects,
        )

    @property
    def failures(self) -> int:
        return self.share.failures

    @property
    def _breaker_reset_at(self) -> int | None:
        return self.share.breaker_reset_at

    @_breaker_reset_at.setter
    def _breaker_reset_at(self, value: int | None) -> None:
        self.share.breaker_reset_at = value

    def taken(self, record_id: int) -> bool:
        """Pushed, or being pushed, by a Pusher of this claim."""
        return self.share.taken(record_id)

    # --- host objects -----------------------------------------------------------------
    def preload(self, records: list[SyncRecord]) -> None:
        """Load the host objects of ``records`` with one query per model, and what is
        known in Thred of the mapped parents they point at.

        A model whose mapping queryset fails here is left to ``_push``, which loads each
        object on its own and reports the error on its record.
        """
        by_model: dict[tuple[int, str], list[SyncRecord]] = {}
        parents: dict[type[models.Model], set[str]] = {}
        for record in records:
            if record.action != Action.DELETE and not self.taken(record.id):
                by_model.setdefault((record.content_type_id, record.resource), []).append(record)
        for batch in by_model.values():
            model = batch[0].content_type.model_class()
            mapping = registry.get(model, batch[0].resource) if model else None
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
                for parent_model, pk in parent_keys(obj):
                    parents.setdefault(parent_model, set()).add(str(pk))
        self._learn_parents(parents)

    def _learn_parents(self, parents: dict[type[models.Model], set[str]]) -> None:
        """Put what is known in Thred of these parents into ``known``: one query per
        parent model for a preload window, instead of one per parent when its child's
        payload asks for it."""
        for model, pks in parents.items():
            mapping = registry.for_model(model)  # what ctx.thred_id(parent) reads by default
            ct = ContentType.objects.get_for_model(mapping.model)
            resource = mapping.resource
            unknown = [pk for pk in pks if self.known.thred_id((ct.pk, pk, resource)) is None]
            if not unknown:
                continue
            for record in SyncRecord.objects.filter(
                content_type=ct, object_id__in=unknown, resource=resource
            ).exclude(thred_id=""):
                self.known.add(record)

    def peek(self, record: SyncRecord) -> Any:
        """The preloaded host object of ``record`` (None: not loaded, or gone)."""
        obj = self._objects.get(record.id)
        return None if obj is _UNLOADED else obj

    def _host_object(self, record: SyncRecord, mapping: Any) -> Any:
        obj = self._objects.pop(record.id, _UNLOADED)
        if obj is _UNLOADED:
            obj = _mapping_call(lambda: mapping.get_queryset().filter(pk=record.object_id).first())
        return obj

    # --- parents ----------------------------------------------------------------------
    def resolve(self, obj: models.Model, resource: str | None = None) -> str:
        """Thred id of a parent object (its ``resource`` record; default: its primary
        mapping's), pushing it first when we can."""
        mapping = registry.for_model(type(obj), resource)
        ct = ContentType.objects.get_for_model(mapping.model)
        known = self.known.thred_id((ct.pk, str(obj.pk), mapping.resource))
        return known if known is not None else self.resolve_record(obj, mapping.resource).thred_id

    def resolve_record(self, obj: models.Model, resource: str | None = None) -> SyncRecord:
        parent = record_for(obj, resource)
        if parent.thred_id and parent.action != Action.DELETE:
            return self.known.add(parent)
        if parent.state in (State.FAILED, State.BLOCKED) or parent.state in SETTLED:
            raise DependencyFailed(parent)
        if parent.id in self.stack:
            raise DependencyPending(parent)  # a cycle in the mappings
        # Pull forward at most once per run (not a parent tried already), never in a cycle.
        pushed = False
        if len(self.stack) < MAX_DEPTH and not self.taken(parent.id):
            ours = parent.state == State.IN_FLIGHT and parent.lease_token == self.token
            due = parent.state in CLAIMABLE and parent.next_attempt_at <= timezone.now()
            if ours or (due and claim.claim_one(parent.id, self.token)):
                parent.refresh_from_db()
                self.push(parent)  # or, taken by another thread meanwhile, waited for
                pushed = True
        if pushed or self.taken(parent.id):
            # Pushed here, or by another thread of this claim right now: wait for it.
            self.share.wait(parent.id, PARENT_WAIT_SECONDS)
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
    def push(self, record: SyncRecord) -> bool:
        """Push ``record`` unless a Pusher of this claim has taken it already (False)."""
        if not self.share.take(record.id):
            return False
        self.stack.append(record.id)
        try:
            self._push(record)
        finally:
            self.stack.pop()
            self.share.finish(record.id)
        return True

    def _push(self, record: SyncRecord) -> None:
        """Push one record; whatever goes wrong becomes this record's outcome."""
        token = self.token
        # No renewal here: the lease is extended right before a call if it must be
        # (_may_send), and every other write about the record is fenced anyway.
        self.payload = None
        try:
            self._process(record)
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
            self.share.failed_call()
            self.last_error = exc
            outcome.api_error(record, token, exc, self.payload)
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
        except DatabaseError as exc:
            # The outbox itself failing: the record keeps its lease, which lapses, and the
            # next run pushes it again (idempotently). It says why meanwhile, if it can.
            outcome.note_stranded(record, token, exc)
            raise
        except Exception as exc:  # a bug of ours or the client's: this record fails alone
            logger.exception("Pushing %s failed", record)
            outcome.failed(
                record,
                token,
                code="internal_error",
                message=f"{type(exc).__name__}: {exc}",
                exc=exc,
            )

    def _process(self, record: SyncRecord) -> None:
        """Decide and carry out what the record needs (the payload: ``self.payload``)."""
        model = record.content_type.model_class()
        mapping = registry.get(model, record.resource) if model else None
        if mapping is None:
            raise ThredConfigurationError(
                f"{record.content_type} is no longer mapped to a Thred {record.resource}."
            )
        life = lifecycle.of(record.resource)
        obj = None
        if record.action != Action.DELETE:
            obj = self._host_object(record, mapping)
        if obj is None:
            self._gone(record, life)
            return
        reason = _mapping_call(pipeline.inactive_reason, mapping, obj)
        if reason:
            self._inactive(record, life, reason)
            return
        business = self.business_record(record)
        ctx = Context(self, record, business=business)
        payload = _mapping_call(pipeline.build, mapping, obj, ctx, record.external_id)
        self.payload = payload
        self.log.edges(record, ctx.read)
        self._send(record, business, payload, life)
