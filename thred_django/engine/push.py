"""Pushing claimed records: resolve parents → build → decide → validate → call → record.

``Pusher`` handles the records of one claim (one lease token), one at a time, in the
order given (parents first). A mapping asks for a parent's Thred id through
``ctx.thred_id(parent)``; a parent that is not in Thred yet is pushed first when it can
be claimed (pull forward), waited for when another worker holds it, and blocks the child
when it failed permanently. The HTTP call happens outside any transaction.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, models
from django.utils import timezone

from thred_django import lifecycle, single
from thred_django.client import ThredClient
from thred_django.engine import claim, outcome, pipeline
from thred_django.engine.context import (
    PARENT_WAIT_SECONDS,
    Context,
    CrossTenantReference,
    DependencyFailed,
    DependencyPending,
    MappingError,
    MissingBusiness,
    Share,
    mapping_call,
    record_for,
)
from thred_django.engine.gate import CpuMeter
from thred_django.engine.known import KNOWN_MAX, KNOWN_SECONDS, Known
from thred_django.engine.oneof import one_of
from thred_django.engine.parents import parent_keys
from thred_django.engine.payload import PayloadError
from thred_django.engine.send import Sending
from thred_django.engine.writer import Outcomes
from thred_django.exceptions import ThredConfigurationError, ThredError
from thred_django.mappings import registry
from thred_django.models import SyncRecord
from thred_django.resources import CLAIMABLE, SETTLED, Action, Resource, State

logger = logging.getLogger("thred_django.engine")

__all__ = [
    "KNOWN_MAX",
    "KNOWN_SECONDS",
    "PARENT_WAIT_SECONDS",
    "Context",
    "Known",
    "Pusher",
    "record_for",
]

MAX_DEPTH = 12  # longest parent chain is 7; more means a cycle in the mappings


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
        log: Outcomes | None = None,
        objects: dict[int, Any] | None = None,
        meter: CpuMeter | None = None,
    ) -> None:
        self.client = client
        self.meter = meter  # the run's, told how long each accepted call took
        self.token = token
        self.share = share if share is not None else Share()
        self.stack: list[int] = []  # this thread's pull-forward chain
        self.known = known if known is not None else Known()
        self.log = log if log is not None else Outcomes(token)  # flushed by the runner
        if share is None and log is None:  # written outcomes are read from the database
            self.log.on_written = self.share.forget
        self._objects: dict[int, Any] = objects if objects is not None else {}
        # Parents of preloaded objects, kept for ``parents_of`` (preload(keep_parents)).
        self._parents: dict[int, list[tuple[type[models.Model], Any]]] = {}
        self.payload: dict[str, Any] | None = None  # of the record being pushed
        self.last_error: ThredError | None = None  # of the last failed call
        self.sending: dict[str, Any] = {}  # of the record being pushed (send.Sending)

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
            meter=self.meter,
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
    def preload(self, records: list[SyncRecord], *, keep_parents: bool = False) -> None:
        """Load the host objects of ``records`` with one query per model, and what is
        known in Thred of the mapped parents they point at.

        A model whose mapping queryset fails here is left to ``_push``, which loads each
        object on its own and reports the error on its record. ``keep_parents``: the
        parents found are kept for ``parents_of`` (the fan-out's dependency graph).
        """
        by_model: dict[tuple[int, str], list[SyncRecord]] = {}
        parents: dict[type[models.Model], set[str]] = {}
        for record in records:
            if record.action != Action.DELETE and not self.taken(record.id):
                by_model.setdefault((record.content_type_id, record.resource), []).append(record)
        for (content_type_id, resource), batch in by_model.items():
            mapping = registry.of_content_type(content_type_id, resource)
            if mapping is None:
                continue
            try:  # ``in_bulk``, its ids as one parameter on PostgreSQL (``engine.oneof``)
                pks = one_of(mapping.model, "pk", [r.object_id for r in batch])
                loaded = {str(obj.pk): obj for obj in mapping.get_queryset().filter(pks)}
            except Exception:  # each object then loads alone and its record gets the error
                logger.debug("Bulk load of %s failed", mapping.model, exc_info=True)
                continue
            keys_of = {pk: list(parent_keys(obj)) for pk, obj in loaded.items()}
            for record in batch:
                self._objects[record.id] = loaded.get(record.object_id)
                if keep_parents and record.object_id in keys_of:
                    self._parents[record.id] = keys_of[record.object_id]
            for keys in keys_of.values():
                for parent_model, pk in keys:
                    parents.setdefault(parent_model, set()).add(str(pk))
        self._learn_parents(parents)

    def parents_of(self, record: SyncRecord) -> list[tuple[type[models.Model], Any]]:
        """(model, pk) of the mapped parents ``record``'s preloaded host object points
        at (``parents.parent_keys``; none when it is not loaded, or gone)."""
        keys = self._parents.pop(record.id, None)
        if keys is None:
            obj = self.peek(record)
            keys = list(parent_keys(obj)) if obj is not None else []
        return keys

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
                one_of(SyncRecord, "object_id", unknown), content_type=ct, resource=resource
            ).exclude(thred_id=""):
                self.known.add(record)

    def peek(self, record: SyncRecord) -> Any:
        """The preloaded host object of ``record`` (None: not loaded, or gone)."""
        obj = self._objects.get(record.id)
        return None if obj is _UNLOADED else obj

    def _host_object(self, record: SyncRecord, mapping: Any) -> Any:
        obj = self._objects.pop(record.id, _UNLOADED)
        if obj is _UNLOADED:
            obj = mapping_call(lambda: mapping.get_queryset().filter(pk=record.object_id).first())
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
            # Pushed here, or by another thread of this claim right now: wait for it, and
            # read its outcome in memory (the writer may not have written it yet).
            self.share.wait(parent.id, PARENT_WAIT_SECONDS)
            done = self.share.pushed(parent.id)
            if done is not None:
                parent = done
            else:
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
            self.share.finish(record.id, record)
        return True

    def _push(self, record: SyncRecord) -> None:
        """Push one record; whatever goes wrong becomes this record's outcome."""
        token = self.token
        # No renewal here: the lease is extended right before a call if it must be
        # (_may_send), and every other write about the record is fenced anyway.
        self.payload = None
        self.sending = {}
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
            outcome.api_error(record, token, exc, self.payload, self.sending)
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
        mapping = registry.of_content_type(record.content_type_id, record.resource)
        if mapping is None:
            host_type = ContentType.objects.get_for_id(record.content_type_id)
            raise ThredConfigurationError(
                f"{host_type} is no longer mapped to a Thred {record.resource}."
            )
        life = lifecycle.of(record.resource)
        obj = None
        if record.action != Action.DELETE:
            obj = self._host_object(record, mapping)
        if obj is None:
            self._gone(record, life)
            return
        reason = mapping_call(pipeline.inactive_reason, mapping, obj)
        if reason:
            self._inactive(record, life, reason)
            return
        business = self.business_record(record)
        ctx = Context(self, record, business=business)
        payload = mapping_call(pipeline.build, mapping, obj, ctx, record.external_id)
        self.payload = payload
        self.log.edges(record, ctx.read)
        self._send(record, business, payload, life)
