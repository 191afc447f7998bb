"""What pushing a record needs around the calls: the outcomes that stop it early
(exceptions), what the Pushers of one claim share (``Share``), the ``Context`` a
mapping's ``build_payload`` gets, and a parent's record (``record_for``).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import InterfaceError, OperationalError, models
from django.utils import timezone

from thred_django.engine.iopool import host_code, waiting
from thred_django.engine.payload import PayloadError
from thred_django.engine.rows import new_record
from thred_django.exceptions import ThredConfigurationError
from thred_django.mappings import registry
from thred_django.models import SyncRecord
from thred_django.resources import Action


class Resolver(Protocol):
    """What a Context asks of its Pusher."""

    def resolve(self, obj: models.Model, resource: str | None = None) -> str: ...

    def business_payload(self, record: SyncRecord) -> dict[str, Any]: ...


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
    has taken (each is pushed once, by one thread), and when each is finished.

    A record waited for gets an event (``wait``); most are never waited for, and have
    none."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken: set[int] = set()
        self._finished: set[int] = set()
        self._events: dict[int, threading.Event] = {}  # of records waited for
        self._pushed: dict[int, SyncRecord] = {}
        self.failures = 0  # records whose call failed (the runner checks for pauses)
        # self.failures when a Pusher of this claim last closed the breaker (None: never).
        self.breaker_reset_at: int | None = None

    def take(self, record_id: int) -> bool:
        """True for the one caller that gets to push ``record_id``."""
        with self._lock:
            if record_id in self._taken:
                return False
            self._taken.add(record_id)
            return True

    def taken(self, record_id: int) -> bool:
        return record_id in self._taken

    def finish(self, record_id: int, record: SyncRecord) -> None:
        """Done with ``record``: as pushed, its outcome in memory (maybe not written yet)."""
        with self._lock:
            self._finished.add(record_id)
            self._pushed[record_id] = record
            event = self._events.pop(record_id, None)
        if event is not None:
            event.set()

    def pushed(self, record_id: int) -> SyncRecord | None:
        """The record as a Pusher of this claim left it (None: not finished here, or its
        outcome written since: the database has it)."""
        return self._pushed.get(record_id)

    def forget(self, record_ids: list[int]) -> None:
        """These records' outcomes are written: read them from the database from now on
        (a claim of thousands of records keeps none of them in memory to the end)."""
        with self._lock:
            for record_id in record_ids:
                self._pushed.pop(record_id, None)

    def wait(self, record_id: int, timeout: float) -> bool:
        """Wait until the thread that took ``record_id`` is done with it (True: done, or
        never taken). False at once when this thread may not wait (``iopool.waiting``:
        it would keep a pooled connection that the other thread may need)."""
        with self._lock:
            if record_id not in self._taken or record_id in self._finished:
                return True
            event = self._events.setdefault(record_id, threading.Event())
        with waiting() as allowed:
            return allowed and event.wait(timeout)

    def failed_call(self) -> None:
        with self._lock:
            self.failures += 1


CONTROL = (
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


def mapping_call(func: Any, *args: Any) -> Any:
    """Run host mapping code; its own errors become MappingError, ours pass through."""
    try:
        with host_code():
            return func(*args)
    except CONTROL:
        raise
    except Exception as exc:
        raise MappingError(f"{type(exc).__name__}: {exc}") from exc


class Context:
    """What ``Mapping.build_payload`` may ask: parents' Thred ids, the business payload."""

    def __init__(
        self, pusher: Resolver, record: SyncRecord, business: SyncRecord | None = None
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
