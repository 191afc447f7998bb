"""Claiming due records with a lease, and the fenced writes that follow.

A claim is one short transaction: pick due rows (``SELECT … FOR UPDATE SKIP LOCKED``
where the database supports it), then a compare-and-set ``UPDATE`` that moves them to
in-flight with a lease token and a lease expiry. On SQLite, which has no row locks, the
compare-and-set alone guarantees that two workers never hold one record.

Every later write about a claimed record goes through ``fenced()``: ``UPDATE … WHERE
lease_token = <ours>``. A worker whose lease ran out and was taken over writes nothing.

Workers claim whole businesses (``claim_business``): a business one worker holds (it has
records in flight under a live lease) is left to it, so another worker never takes
children whose parents are leased elsewhere only to give them back after
DEPENDENCY_WAIT. On PostgreSQL a transaction-scoped advisory lock per business makes
two simultaneous claims pick different businesses; the row locks and the compare-and-set
stay exactly as they are, so correctness never depends on it.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
import zlib
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, connections, router, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    Field,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from thred_django.conf import thred_settings
from thred_django.engine import observe, retry, sql
from thred_django.engine.bound import Template, Templates
from thred_django.engine.fenced import update as fenced_update
from thred_django.engine.oneof import one_of
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import CLAIMABLE, State

# ``sent_hash`` of a record claimed from a holder that wrote no outcome (its lease token
# still set: a worker killed, or its outcomes not flushed, between a call and its write)
# when it had no Thred id yet: a create may have landed, with the data of the revision
# that holder claimed (SENT_PREFIX + that revision; ``sent_revision`` reads it back).
SENT_PREFIX = "sent@"
ANSWER_LOST_MESSAGE = (
    "A worker stopped before it recorded the answer to its last call; what Thred holds "
    "is read again before going on."
)


def taken_over(now: datetime) -> dict[str, Any]:
    """The columns to set on rows taken from a holder that wrote no outcome (its lease
    token still set), in the UPDATE that takes them (a claim, or an admin retry, resync
    or skip): its last call may have been carried out, and nothing says so yet.

    - no Thred id: a create may have landed (``sent_hash`` names the revision it carried,
      ``last_attempt_at`` starts the wait for it: ``outcome.answer_due``);
    - a Thred id: an update, void, cancel or archive may have been carried out
      (``force`` makes the push read whether Thred holds it voided, cancelled or
      archived, and send the update even when the data equals what was last
      acknowledged; ``retry.ANSWER_LOST`` says why in the record's error).

    This is why a push writes nothing before its call: what the call's outcome would
    have told, had it been written, the next holder reads from the row itself. The SET
    clauses of one UPDATE all read the row as it was."""
    lost = Q(lease_token__isnull=False)
    in_thred = lost & ~Q(thred_id="")

    def when(condition: Q, value: Any, name: str) -> Case:
        column = SyncRecord._meta.get_field(name)
        assert isinstance(column, Field)
        return Case(When(condition, then=value), default=F(name), output_field=column)

    return {
        "sent_hash": _maybe_sent(),
        "last_attempt_at": when(lost & Q(thred_id=""), Value(now), "last_attempt_at"),
        "force": when(in_thred, Value(True), "force"),
        "last_error_code": when(in_thred, Value(retry.ANSWER_LOST), "last_error_code"),
        "last_error_message": when(in_thred, Value(ANSWER_LOST_MESSAGE), "last_error_message"),
        "last_error_status": when(in_thred, Value(None), "last_error_status"),
    }


def _maybe_sent() -> Case:
    """``sent_hash`` of a taken-over row without a Thred id: the marker naming the
    revision that holder claimed (``claimed_revision``), unless a create's data is
    already kept."""
    lost = Q(lease_token__isnull=False, thred_id="", sent_hash="")
    marker = Concat(Value(SENT_PREFIX), Cast("claimed_revision", CharField()))
    return Case(When(lost, then=marker), default=F("sent_hash"), output_field=CharField())


def sent_revision(sent_hash: str) -> uuid.UUID | None:
    """The revision whose data a create may have carried (a ``_maybe_sent`` marker);
    None when ``sent_hash`` is a hash, empty, or the revision is not known."""
    if not sent_hash.startswith(SENT_PREFIX):
        return None
    try:
        return uuid.UUID(sent_hash[len(SENT_PREFIX) :])
    except ValueError:
        return None


@dataclass
class Claim:
    token: uuid.UUID
    records: list[SyncRecord] = field(default_factory=list)


def lease_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(seconds=thred_settings.LEASE_SECONDS)


def due_filter(now: datetime) -> Q:
    """Rows a worker may take: due and unleased, or in flight with a lapsed lease."""
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Q(state__in=CLAIMABLE, next_attempt_at__lte=now) & free
    lapsed = Q(state=State.IN_FLIGHT, lease_until__lt=now)
    return due | lapsed


def due_queryset(
    now: datetime, *, tenant_id: str | None = None, resource: str | None = None
) -> QuerySet[SyncRecord]:
    paused = BusinessHealth.objects.filter(paused_until__gt=now).values("tenant_id")
    qs = SyncRecord.objects.filter(due_filter(now)).exclude(tenant_id__in=paused)
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    if resource is not None:
        qs = qs.filter(resource=resource)
    return qs


def claim_due(
    limit: int,
    *,
    tenant_id: str | None = None,
    resource: str | None = None,
    token: uuid.UUID | None = None,
    exclude_tenants: Collection[str] = (),
) -> Claim:
    """Lease up to ``limit`` due records, parents first.

    ``token`` adds them to an existing claim (same lease token); ``exclude_tenants``
    leaves those businesses' records out.
    """
    now = timezone.now()
    token = token or uuid.uuid4()
    with transaction.atomic():
        qs = due_queryset(now, tenant_id=tenant_id, resource=resource)
        if exclude_tenants:
            qs = qs.exclude(tenant_id__in=list(exclude_tenants))
        qs = qs.order_by("rank", "next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        ids = list(qs.values_list("id", flat=True)[:limit])
        if not ids:
            return Claim(token)
        return _lease(ids, token, now)


# How many candidate businesses one claim looks at before giving up (each is skipped
# when another claim is taking it at this very moment).
CANDIDATES = 32
# Namespace of the advisory locks (pg_try_advisory_xact_lock(namespace, key)).
_LOCK_NAMESPACE = 0x74687264  # "thrd"


def held_tenants(now: datetime) -> QuerySet[SyncRecord, Any]:
    """Businesses a worker is pushing now: records in flight under a live lease."""
    return SyncRecord.objects.filter(state=State.IN_FLIGHT, lease_until__gte=now).values(
        "tenant_id"
    )


def free_businesses(limit: int, *, resource: str | None = None) -> int:
    """How many businesses (at most ``limit``) have due records no worker holds."""
    now = timezone.now()
    due = due_queryset(now, resource=resource).exclude(tenant_id__in=held_tenants(now))
    return len(due.values_list("tenant_id", flat=True).distinct().order_by()[:limit])


def _try_lock(tenant_id: str) -> bool:
    """Take this business's claim lock for the current transaction (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return True  # SQLite: claim transactions (IMMEDIATE) run one at a time anyway
    key = zlib.crc32(tenant_id.encode()) - 2**31  # a signed int4
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, key])
        return bool(cursor.fetchone()[0])


def candidates(
    now: datetime, *, resource: str | None = None, token: uuid.UUID | None = None
) -> list[str]:
    """Up to ``CANDIDATES`` businesses with due records that no other claim holds,
    longest waiting (and new businesses, rank 0) first. It reads every due record."""
    held = held_tenants(now)
    if token is not None:
        held = held.exclude(lease_token=token)
    return list(
        due_queryset(now, resource=resource)
        .exclude(tenant_id__in=held)
        .values("tenant_id")
        .annotate(first=Min("rank"), since=Min("next_attempt_at"))
        .order_by("first", "since", "tenant_id")
        .values_list("tenant_id", flat=True)[:CANDIDATES]
    )


class Candidates:
    """The businesses one run's claims try in turn (``claim_business(queue=…)``).

    Finding them reads every due record, so one read serves the claims of up to
    ``CANDIDATES`` businesses rather than one, the run's threads taking each business
    from the list once; each is checked at its claim as before (not being claimed, not
    held, records due). The list is read again once it is used up or ``MAX_AGE``
    seconds old, so a business due since the read waits that long at most.
    """

    MAX_AGE = 2.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[str] = deque()
        self._read_at = 0.0

    def take(self, now: datetime, resource: str | None, token: uuid.UUID | None) -> Iterator[str]:
        """The next businesses to try, reading the list again (once) when it is used
        up or old."""
        fresh = False
        while True:
            with self._lock:
                if not fresh and (
                    not self._queue or time.monotonic() - self._read_at > self.MAX_AGE
                ):
                    self._queue = deque(candidates(now, resource=resource, token=token))
                    self._read_at = time.monotonic()
                    fresh = True
                if not self._queue:
                    return
                tenant = self._queue.popleft()
            yield tenant


def claim_business(
    limit: int,
    *,
    tenant_id: str | None = None,
    resource: str | None = None,
    token: uuid.UUID | None = None,
    queue: Candidates | None = None,
) -> Claim:
    """Lease up to ``limit`` due records of one business that no other worker holds,
    parents first; ``tenant_id`` asks for that business only.

    Businesses whose records wait longest (and new businesses, rank 0) come first
    (``candidates``; from the run's ``queue`` when given). A business held by another
    worker, or being claimed by one right now, is passed over. ``token`` adds the
    records to that claim (a business held under it is ours).
    """
    now = timezone.now()
    new_token = token or uuid.uuid4()
    with transaction.atomic():
        order: Iterable[str]
        if tenant_id is not None:
            # One business: the checks below (another holder, due records) are what
            # the candidates' query would check, without its scan of every due row.
            order = [tenant_id]
        elif queue is not None:
            order = queue.take(now, resource, token)
        else:
            order = candidates(now, resource=resource, token=token)
        for tenant in order:
            if not _try_lock(tenant):
                continue  # another worker is claiming it now
            if _held_elsewhere(tenant, timezone.now(), token):
                continue  # taken (and committed) since the candidates were read
            ids = _due_ids(tenant, now, resource, limit)
            if ids:
                return _lease(ids, new_token, now)
    return Claim(new_token)


# The two statements of every claim of one business, captured from the ORM once per
# database and shape (engine.bound), as the lease's UPDATE is: building and compiling
# them cost ~1 ms of CPU a claim, three times what SQLite took to run them.
_HELD = Templates()
_DUE = Templates()
_SENTINEL_TENANT = "thred-sentinel-tenant-7f3a9c"
_SENTINEL_RESOURCE = "thred-sentinel-resource"


def _held_elsewhere(tenant: str, at: datetime, token: uuid.UUID | None) -> bool:
    """Whether another claim holds this business now (a live lease of another token):
    ``held_tenants(at).filter(tenant_id=tenant).exists()``, ours left out."""

    def orm(tenant: str, at: datetime, token: uuid.UUID | None = None) -> list[Any]:
        held = held_tenants(at).filter(tenant_id=tenant)
        if token is not None:
            held = held.exclude(lease_token=token)
        return [1] if held.exists() else []

    values = {"tenant": tenant, "at": at, **({"token": token} if token is not None else {})}
    return bool(_templated(_HELD, (token is not None,), orm, values))


def _due_ids(tenant: str, now: datetime, resource: str | None, limit: int) -> list[int]:
    """Ids of up to ``limit`` due records of this business, parents first, locked
    (``SKIP LOCKED`` where the database has it)."""

    def orm(tenant: str, now: datetime, resource: str | None = None) -> list[Any]:
        qs = due_queryset(now, tenant_id=tenant, resource=resource)
        qs = qs.order_by("rank", "next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        return list(qs.values_list("id")[:limit])

    values = {"tenant": tenant, "now": now, **({"resource": resource} if resource else {})}
    return [row[0] for row in _templated(_DUE, (limit, resource is not None), orm, values)]


def _templated(
    cache: Templates, shape: tuple[Any, ...], orm: Any, values: dict[str, Any]
) -> list[Any]:
    """The rows ``orm(**values)`` reads, run from its statement captured once per
    database and ``shape`` (with sentinels of the same names); the ORM itself when it
    cannot be captured, and for the run that captures it."""
    using = router.db_for_write(SyncRecord)
    sentinels = {name: _SENTINELS[name] for name in values}
    seen, template = cache.get(
        (using, *shape),
        lambda: Template.capture(using, lambda: orm(**sentinels), sentinels, _prepare(using)),
    )
    if not (seen and template is not None):
        return orm(**values)
    with connections[using].cursor() as cursor:
        cursor.execute(template.sql, template.bind(values, _prepare(using)))
        return cursor.fetchall()


def _prepare(using: str) -> dict[str, Any]:
    """How each value a claim's captured statements take is prepared: by its field, as
    the ORM's lookups and updates do (``get_db_prep_save`` is ``get_db_prep_value``
    for these fields)."""
    connection = connections[using]
    field = SyncRecord._meta.get_field
    prepared = {
        "tenant": field("tenant_id"),
        "resource": field("resource"),
        "token": field("lease_token"),
        "now": field("next_attempt_at"),
        "at": field("lease_until"),
        "expiry": field("lease_until"),
        "ids": SyncRecord._meta.pk,
    }
    return {
        name: functools.partial(_db_prep, f, connection)
        for name, f in prepared.items()
        if isinstance(f, Field)
    }


def _db_prep(field: Field[Any, Any], connection: Any, value: Any) -> Any:
    return field.get_db_prep_value(value, connection)


def _lease(ids: list[int], token: uuid.UUID, now: datetime) -> Claim:
    """Move the picked rows to in flight under ``token`` (compare-and-set), then load them.
    Runs inside the claim's transaction; the rows are read after the UPDATE, by their ids
    (the primary key's index: the lease token has none, and the outbox keeps every
    record a host ever marked) and the token (the ones the compare-and-set took)."""
    ids = list(dict.fromkeys(ids))  # (as the ORM's IN list: each id once, in order)
    using = router.db_for_write(SyncRecord)
    seen, template = _LEASES.get((using, len(ids)), lambda: _capture_lease(using, len(ids)))
    if seen and template is not None:
        values = {"now": now, "expiry": lease_expiry(now), "token": token, "ids": ids}
        with connections[using].cursor() as cursor:
            cursor.execute(template.sql, template.bind(values, _prepare(using)))
    else:  # not capturable, or captured just now (with the sentinels, not these rows)
        _lease_rows(ids, token, now)
    records = sql.leased(using, token, ids) if sql.supported(using) else None
    if records is None:
        leased = SyncRecord.objects.filter(lease_token=token, id__in=ids)
        records = list(leased.order_by("rank", "id"))
    return Claim(token, records)


def _lease_rows(ids: list[int], token: uuid.UUID, now: datetime) -> None:
    """The lease's compare-and-set UPDATE, through the ORM."""
    taking = one_of(SyncRecord, "id", ids)
    SyncRecord.objects.filter(due_filter(now), taking).update(**_leased(token, now))


def _leased(token: uuid.UUID, now: datetime) -> dict[str, Any]:
    """What a lease sets on the rows it takes (the take-over's columns among them)."""
    return {
        "state": State.IN_FLIGHT,
        "lease_token": token,
        "lease_until": lease_expiry(now),
        "claimed_revision": F("revision"),
        **taken_over(now),
    }


# The lease UPDATE's SQL, captured from the ORM once per database and number of ids
# (engine.bound: compiling it cost ~2 ms a claim), with sentinels that match no row.
_LEASES = Templates()
_SENTINEL_NOW = datetime(2999, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
_SENTINEL_TOKEN = uuid.UUID("7468726400000000000000000000c1a1")
_SENTINEL_ID = 7 * 10**15
_SENTINELS: dict[str, Any] = {
    "tenant": _SENTINEL_TENANT,
    "resource": _SENTINEL_RESOURCE,
    "token": _SENTINEL_TOKEN,
    "now": _SENTINEL_NOW,
    "at": _SENTINEL_NOW,
}


def _capture_lease(using: str, count: int) -> Template | None:
    ids = [_SENTINEL_ID + i for i in range(count)]
    now, token = _SENTINEL_NOW, _SENTINEL_TOKEN
    sentinels = {"now": now, "expiry": lease_expiry(now), "token": token, "ids": ids}
    return Template.capture(using, lambda: _lease_rows(ids, token, now), sentinels, _prepare(using))


def claim_one(record_id: int, token: uuid.UUID) -> bool:
    """Pull one more record into an existing claim (a parent pushed ahead of its child)."""
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimable = Q(state__in=CLAIMABLE) & free | Q(state=State.IN_FLIGHT, lease_until__lt=now)
    return bool(SyncRecord.objects.filter(claimable, id=record_id).update(**_leased(token, now)))


def fenced(record: SyncRecord, token: uuid.UUID, **changes: Any) -> bool:
    """Write ``changes`` only if we still hold the lease; True when written."""
    changes.setdefault("updated_at", timezone.now())
    return bool(fenced_update(record.id, token, changes, same_revision=False))


def outlasts_a_call(lease_until: datetime | None) -> bool:
    """True when a call started now is over, answered or timed out, long before this
    lease lapses: until then nobody else can claim the record (claims take lapsed
    leases only), so the call needs no renewal first.

    "Long before": half the lease, and at least six requests at their timeouts (the
    partner and business tokens, the call, and all three again after a 401).
    """
    if lease_until is None:
        return False
    budget = 6 * (thred_settings.TIMEOUT + thred_settings.CONNECT_TIMEOUT)
    margin = max(thred_settings.LEASE_SECONDS / 2, budget)
    return (lease_until - timezone.now()).total_seconds() > margin


def renew(record: SyncRecord, token: uuid.UUID, **changes: Any) -> bool:
    """Extend our lease right before a send (with ``changes``); False: it was taken over."""
    return fenced(record, token, lease_until=lease_expiry(), **changes)


def release(record: SyncRecord, token: uuid.UUID, **changes: Any) -> bool:
    """Give a record back unsent (pending or retrying) without using an attempt."""
    changes.setdefault("state", State.PENDING)
    written = fenced(record, token, lease_token=None, lease_until=None, **changes)
    if written:
        observe.released(record, changes)
    return written
